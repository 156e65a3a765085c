#include "checkcommand.h"

#include "cliarguments.h"

#include "sselib/demoserver.h"
#include "sselib/diagnostics.h"
#include "sselib/profile.h"
#include "sselib/sseclient.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonDocument>

#include <cstdio>
#include <memory>

namespace {

enum ExitCode {
    ExitPassed = 0,
    ExitFailures = 1,
    ExitUsage = 2,
};

void printError(const QString &message)
{
    std::fprintf(stderr, "sse-monitor-cli check: %s\n", message.toLocal8Bit().constData());
}

} // namespace

int runCheck(QCoreApplication &app, QStringList arguments)
{
    if (arguments.size() > 1)
        arguments.removeAt(1); // "check"

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Observe a Server-Sent Events stream and report what the server does well and what to\n"
        "change: response headers, buffering, ids and Last-Event-ID resume, keep-alive and\n"
        "format hygiene.\n"
        "\n"
        "Unless --no-resume-check is given, the check reconnects once after a few events to\n"
        "see whether the server resumes after Last-Event-ID.\n"
        "\n"
        "Examples:\n"
        "  sse-monitor-cli check https://stream.example.org/events --duration 20\n"
        "  sse-monitor-cli check --demo\n"
        "\n"
        "Exit codes: 0 no failures, 1 at least one failure, 2 usage error."));
    const QCommandLineOption helpOption = parser.addHelpOption();
    const QCommandLineOption durationOption(QStringLiteral("duration"),
                                            QStringLiteral("Observe for SECONDS (default 10)."),
                                            QStringLiteral("SECONDS"));
    const QCommandLineOption headerOption({QStringLiteral("H"), QStringLiteral("header")},
                                          QStringLiteral("Request header (repeatable)."),
                                          QStringLiteral("Name: value"));
    const QCommandLineOption noResumeOption(QStringLiteral("no-resume-check"),
                                            QStringLiteral("Do not force a reconnect."));
    const QCommandLineOption jsonOption(QStringLiteral("json"),
                                        QStringLiteral("Print the report as JSON."));
    const QCommandLineOption silenceOption(
        QStringLiteral("silence-threshold"),
        QStringLiteral("Warn about silences longer than SECONDS (default 30)."),
        QStringLiteral("SECONDS"));
    const QCommandLineOption demoOption(QStringLiteral("demo"),
                                        QStringLiteral("Check the built-in demo stream."));
    parser.addOptions({durationOption, headerOption, noResumeOption, jsonOption, silenceOption,
                       demoOption});
    const CliArguments::TransportOptions transport;
    transport.addTo(parser);
    parser.addPositionalArgument(QStringLiteral("URL"), QStringLiteral("The event stream URL."));
    if (!parser.parse(arguments)) {
        printError(parser.errorText() + QStringLiteral(" (see --help)"));
        return ExitUsage;
    }
    if (parser.isSet(helpOption)) {
        // The usage line names the program only: add the command.
        QString help = parser.helpText();
        const qsizetype space = help.indexOf(QLatin1Char(' '), 7); // after "Usage: PROGRAM"
        if (help.startsWith(QLatin1String("Usage: ")) && space > 0)
            help.insert(space, QLatin1String(" check"));
        std::fputs(help.toLocal8Bit().constData(), stdout);
        return ExitPassed;
    }
    auto usageError = [](const QString &message) {
        printError(message + QStringLiteral(" (see --help)"));
        return int(ExitUsage);
    };

    Sse::ClientOptions options;
    std::unique_ptr<Sse::DemoServer> demo;
    const QStringList positional = parser.positionalArguments();
    if (parser.isSet(demoOption)) {
        if (!positional.isEmpty())
            return usageError(QStringLiteral("--demo takes no URL"));
        demo = std::make_unique<Sse::DemoServer>();
        if (!demo->listen())
            return usageError(QStringLiteral("cannot start the demo server: ")
                              + demo->errorString());
        options.url = demo->streamUrl();
    } else {
        const QString urlError = CliArguments::parseUrl(positional, &options.url);
        if (!urlError.isEmpty())
            return usageError(urlError);
    }
    const QString headerError =
        CliArguments::parseHeaders(parser.values(headerOption), &options.headers);
    if (!headerError.isEmpty())
        return usageError(headerError);
    if (const QString error = transport.apply(parser, &options); !error.isEmpty())
        return usageError(error);

    const QString secondsRange = QStringLiteral("from 0.001 to %1 seconds")
                                     .arg(qint64(CliArguments::MaximumSeconds));
    qint64 durationMs = 10000;
    if (parser.isSet(durationOption)
        && !CliArguments::parseSeconds(parser.value(durationOption), 0.001,
                                       CliArguments::MaximumSeconds, &durationMs))
        return usageError(QStringLiteral("--duration takes %1").arg(secondsRange));
    Sse::StreamDiagnostics diagnostics;
    Sse::StreamDiagnostics::Settings settings;
    settings.resumeCheck = !parser.isSet(noResumeOption);
    if (parser.isSet(silenceOption)) {
        qint64 silenceMs = 0;
        if (!CliArguments::parseSeconds(parser.value(silenceOption), 0.001,
                                        CliArguments::MaximumSeconds, &silenceMs))
            return usageError(QStringLiteral("--silence-threshold takes %1").arg(secondsRange));
        settings.silenceThresholdMs = int(silenceMs);
    }
    diagnostics.setSettings(settings);

    QObject::connect(&diagnostics, &Sse::StreamDiagnostics::finished, &app,
                     [] { QCoreApplication::exit(0); });
    const QString fieldsError = Sse::requestFieldsError(options);
    if (!fieldsError.isEmpty())
        return usageError(fieldsError);
    diagnostics.run(options, int(durationMs));
    app.exec();

    const Sse::DiagnosticsReport report = diagnostics.report();
    const QByteArray output = parser.isSet(jsonOption)
        ? QJsonDocument(report.toJson()).toJson(QJsonDocument::Indented)
        : report.toText().toUtf8();
    std::fwrite(output.constData(), 1, size_t(output.size()), stdout);
    std::fflush(stdout);
    return report.hasFailures() ? ExitFailures : ExitPassed;
}
