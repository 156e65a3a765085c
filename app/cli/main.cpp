// sse-monitor-cli: headless SSE client printing the project's JSON Lines records.

#include "assertions.h"
#include "checkcommand.h"
#include "cliarguments.h"
#include "interruption.h"
#include "llmlens.h"
#include "outputsink.h"
#include "probecommand.h"
#include "profilestore.h"
#include "proxycommand.h"
#include "replaycommand.h"

#include "sselib/curlcommand.h"
#include "sselib/demoserver.h"
#include "sselib/healthwatcher.h"
#include "sselib/jsonlines.h"
#include "sselib/profile.h"
#include "sselib/proxy.h"
#include "sselib/sseclient.h"
#include "sselib/staterecord.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QSettings>
#include <QFile>
#include <QTimer>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <limits>
#include <unistd.h>

namespace {

// Documented exit codes.
enum ExitCode {
    ExitNormal = 0,        // max events, timeout, the stream closed normally, or HTTP 204
    ExitConnectionFailed = 1,
    ExitUsage = 2,
    ExitOutputError = 3,   // stdout or the -o file could not be written
    ExitAssertionFailed = 4, // an --expect... assertion failed (see assertions.h)
    ExitInterrupted = 130, // SIGINT/SIGTERM (output flushed first)
};

bool silentErrors = false; // `curl -s` without -S
void printError(const QString &message)
{
    if (silentErrors)
        return;
    std::fprintf(stderr, "sse-monitor-cli: %s\n", message.toLocal8Bit().constData());
}

class CliMonitor : public QObject
{
public:
    CliMonitor(const Sse::ClientOptions &options, bool writeStates, qint64 maximumEvents,
               bool quiet, bool llm)
        : m_writeStates(writeStates), m_maximumEvents(maximumEvents), m_quiet(quiet)
    {
        if (llm) {
            m_llm = std::make_unique<LlmLens>();
            connect(&m_client, &Sse::Client::responseStarted, this,
                    [this] { m_llm->headersReceived(); });
        }
        m_fileWriter.setIdRule(Sse::JsonLines::Writer::IdRule::WhenChanged);
        m_client.setOptions(options);
        connect(&m_client, &Sse::Client::eventsReceived, this, &CliMonitor::onEvents);
        connect(&m_client, &Sse::Client::stateChanged, this, &CliMonitor::onState);
        connect(&m_client, &Sse::Client::reconnectScheduled, this,
                &CliMonitor::onReconnectScheduled);
        connect(&m_client, &Sse::Client::errorOccurred, this,
                [this](const QString &message, bool) { m_lastError = message; });
        m_flushTimer.setInterval(100);
        connect(&m_flushTimer, &QTimer::timeout, this, [this] {
            // Hand the output on (a file's writer thread writes it) without waiting for it.
            if (!(m_stdout.submit() & m_file.submit()))
                outputFailed();
        });
        m_flushTimer.start();
        if (!m_quiet)
            m_stdout.openStandardOutput();
    }

    /// Only the events \a filter matches are written (state records all are); \a connection
    /// is what its `connection` field reads.
    void setFilter(const Sse::FilterExpression &filter, const QString &connection)
    {
        m_filter = filter;
        m_connectionName = connection.toUtf8();
    }

    bool openOutputFile(const QString &path)
    {
        if (!m_file.openFile(path)) {
            printError(QStringLiteral("cannot open %1 for writing: %2")
                           .arg(path, m_file.errorString()));
            return false;
        }
        return true;
    }

    /// --expect and the other assertions: the run ends once their outcome is known, and
    /// finish() reports them (records, --junit) under the name \a suite.
    void setAssertions(std::unique_ptr<Assertions> assertions, const QString &suite)
    {
        m_assertions = std::move(assertions);
        m_suite = suite;
        m_health = std::make_unique<Sse::HealthWatcher>();
        m_health->setSettings(m_assertions->healthSettings({}));
        m_health->setLlmTracking(m_assertions->needsLlm());
        m_health->watch(&m_client);
        m_assertions->start(&m_client, m_health.get(), m_connectionName);
        m_assertions->setSettledHandler(
            [this] { QTimer::singleShot(0, this, [this] { finish(ExitNormal); }); });
    }

    void start() { m_client.open(); }

    /// The run ends after \a runMs: a pipe or FIFO output still unwritten a second later is
    /// given up (exit code 3) instead of holding the process.
    void setOutputDeadline(qint64 runMs)
    {
        m_file.setDeadline(std::chrono::steady_clock::now() + std::chrono::milliseconds(runMs)
                           + std::chrono::seconds(1));
    }

    void finish(int code)
    {
        if (m_finished)
            return;
        m_finished = true;
        // Ending the run is not an error: the closed record must not repeat the
        // reason of an earlier reconnect. A client that already failed or closed
        // has nothing left to close (its last state record stays the final one).
        m_lastError.clear();
        endLlmResponse(Sse::Llm::Analyser::End::Cut);
        const QString connectionError =
            code == ExitConnectionFailed ? m_client.failure().message : QString();
        if (m_assertions)
            m_assertions->resolve(connectionError); // before close() cuts the response
        const Sse::Client::State state = m_client.state();
        if (state != Sse::Client::State::Failed && state != Sse::Client::State::Closed)
            m_client.close();
        if (m_assertions) {
            append([&](QByteArray &out, Sse::JsonLines::Writer &) {
                m_assertions->appendRecords(out);
            });
            if (const QString error = m_assertions->writeJUnit(m_suite, connectionError);
                !error.isEmpty()) {
                printError(error);
                code = code == ExitNormal ? ExitOutputError : code;
            }
            if (code == ExitNormal && m_assertions->anyFailed())
                code = ExitAssertionFailed;
        }
        // Interrupted: a FIFO nobody reads gets two more seconds, not forever.
        if (code == ExitInterrupted)
            m_file.setDeadline(std::chrono::steady_clock::now() + std::chrono::seconds(2));
        if (!flushAll() && code == ExitNormal)
            code = ExitOutputError;
        QCoreApplication::exit(code);
    }

private:
    void append(const auto &writeRecord)
    {
        if (m_stdout.isOpen())
            writeRecord(m_stdout.buffer(), m_writer);
        if (m_file.isOpen())
            writeRecord(m_file.buffer(), m_fileWriter);
    }

    // --llm: the `llm` record of the response that is ending, before its state record.
    void endLlmResponse(Sse::Llm::Analyser::End how)
    {
        if (!m_llm || !m_llm->isOpen())
            return;
        QByteArray record;
        m_llm->end(how, record);
        append([&](QByteArray &out, Sse::JsonLines::Writer &) { out += record; });
    }

    void onEvents(const Sse::EventBatch &events)
    {
        if (m_finished)
            return;
        const double llmMs = m_llm ? m_llm->elapsedMs() : 0;
        for (const Sse::EventView event : events) {
            ++m_events;
            // The lens reads every event of the response, printed or not.
            if (m_llm)
                m_llm->addEvent(event, llmMs);
            // seq counts every event received, so the gaps show what the filter left out.
            const bool printed = m_filter.isEmpty()
                || m_filter.matches({event.type, event.lastEventId, event.data, m_connectionName,
                                     event.receivedMs, m_events});
            if (m_assertions) {
                m_assertions->addEvent(event, m_events, printed);
                if (m_assertions->isSettled()) {
                    if (printed)
                        append([&](QByteArray &out, Sse::JsonLines::Writer &writer) {
                            writer.appendEvent(out, m_events, event);
                        });
                    finish(ExitNormal);
                    return;
                }
            }
            if (!printed)
                continue;
            ++m_written;
            append([&](QByteArray &out, Sse::JsonLines::Writer &writer) {
                writer.appendEvent(out, m_events, event);
            });
            if (m_maximumEvents > 0 && m_written >= m_maximumEvents) {
                finish(ExitNormal);
                return;
            }
        }
        if (!m_stdout.maybeFlush() || !m_file.maybeFlush())
            outputFailed();
    }

    void onState(Sse::Client::State state)
    {
        if (m_llm) {
            if (state == Sse::Client::State::Connecting) {
                m_llm->requestSent();
            } else if (state == Sse::Client::State::Open) {
                m_llm->opened();
            } else {
                endLlmResponse(m_client.responseEndedByServer()
                                   ? Sse::Llm::Analyser::End::ServerEnded
                                   : Sse::Llm::Analyser::End::Cut);
            }
        }
        // A Reconnecting record is written by onReconnectScheduled(), which knows the delay.
        if (state == Sse::Client::State::Open)
            m_lastError.clear();
        if (state != Sse::Client::State::Idle && state != Sse::Client::State::Reconnecting) {
            writeState(Sse::stateChange(m_client, QDateTime::currentMSecsSinceEpoch(),
                                        m_lastError));
        }
        if (m_finished)
            return;
        if (state == Sse::Client::State::Failed) {
            printError(m_client.failure().message);
            // 204 fails the connection, but it is the server ending the stream on purpose.
            const int code = m_client.failure().httpStatus == 204 ? ExitNormal
                                                                  : ExitConnectionFailed;
            QTimer::singleShot(0, this, [this, code] { finish(code); });
        } else if (state == Sse::Client::State::Closed) {
            if (!m_lastError.isEmpty())
                printError(m_lastError);
            QTimer::singleShot(0, this, [this] { finish(ExitNormal); });
        } else if (state == Sse::Client::State::Reconnecting && !m_lastError.isEmpty()
                   && !m_writeStates) {
            printError(m_lastError + QStringLiteral(", reconnecting"));
        }
    }

    void onReconnectScheduled(qint64 delayMs, int attempt, const QString &reason)
    {
        writeState(Sse::reconnectChange(QDateTime::currentMSecsSinceEpoch(), delayMs, attempt,
                                        reason));
    }

    void writeState(const Sse::StateChange &change)
    {
        if (!m_writeStates)
            return;
        const Sse::JsonLines::StateRecord record = Sse::JsonLines::stateRecord(change);
        append([&](QByteArray &out, Sse::JsonLines::Writer &writer) {
            writer.appendState(out, m_events, record);
        });
    }

    bool flushAll()
    {
        const bool ok = m_stdout.flush() & m_file.flush();
        if (!ok)
            outputFailed();
        return ok;
    }

    void outputFailed()
    {
        if (m_outputFailed)
            return;
        m_outputFailed = true;
        const QString error =
            !m_file.errorString().isEmpty() ? m_file.errorString() : m_stdout.errorString();
        printError(QStringLiteral("writing output failed: %1").arg(error));
        QTimer::singleShot(0, this, [this] {
            m_finished = true;
            m_client.close();
            QCoreApplication::exit(ExitOutputError);
        });
    }

    Sse::Client m_client;
    std::unique_ptr<LlmLens> m_llm; // --llm only
    std::unique_ptr<Sse::HealthWatcher> m_health; // with assertions only
    std::unique_ptr<Assertions> m_assertions;
    QString m_suite;
    Sse::JsonLines::Writer m_writer;     // stdout: every record carries its id (scripts)
    Sse::JsonLines::Writer m_fileWriter; // -o: an unchanged id is not repeated (format v2)
    OutputSink m_stdout;
    OutputSink m_file;
    QTimer m_flushTimer;
    QString m_lastError;
    qint64 m_events = 0;
    qint64 m_written = 0; // events that passed the filter
    Sse::FilterExpression m_filter;
    QByteArray m_connectionName;
    bool m_writeStates;
    qint64 m_maximumEvents;
    bool m_quiet;
    bool m_finished = false;
    bool m_outputFailed = false;
};

// Runs \a monitor until it finishes, \a timeoutMs passes (0: no limit) or a signal comes.
int runMonitor(QCoreApplication &app, CliMonitor &monitor, qint64 timeoutMs)
{
    // Ctrl+C and SIGTERM end the run cleanly, with the output flushed.
    std::signal(SIGPIPE, SIG_IGN);
    callOnInterrupt(&monitor, [&monitor] { monitor.finish(ExitInterrupted); });
    if (timeoutMs > 0) {
        // A FIFO output that nobody reads must not hold the run past its end.
        monitor.setOutputDeadline(timeoutMs);
        QTimer::singleShot(std::chrono::milliseconds(timeoutMs), &monitor,
                           [&monitor] { monitor.finish(ExitNormal); });
    }
    monitor.start();
    return app.exec();
}

// `sse-monitor-cli curl ARGS...`: the stream curl's own arguments describe.
int runCurl(QCoreApplication &app, const QStringList &arguments)
{
    const QStringList curlArguments = arguments.mid(2);
    if (curlArguments.isEmpty() || curlArguments == QStringList{QStringLiteral("--help")}) {
        std::fprintf(stdout, "%s",
                     "Usage: sse-monitor-cli curl [curl options] URL\n"
                     "Runs the stream a curl command describes: replace `curl` by\n"
                     "`sse-monitor-cli curl` and each event is printed as a JSON Lines record.\n"
                     "Options: -X -H -d/--data/--data-raw/--data-binary/--data-urlencode (@FILE)\n"
                     "--json -u -b -A -e -k --cacert -E/--cert FILE[:PASSWORD] --key --cert-type\n"
                     "--pass -x/--proxy -U/--proxy-user --noproxy --compressed -N -s -S -v\n"
                     "(state records) --http2 --http1.1 -L -m/--max-time --connect-timeout --url\n");
        return curlArguments.isEmpty() ? ExitUsage : ExitNormal;
    }
    Sse::CurlCommand command;
    QString error;
    if (!Sse::CurlCommand::parseArguments(curlArguments, &command, &error, QDir::currentPath())) {
        printError(QStringLiteral("curl: ") + error);
        return ExitUsage;
    }
    const QString fieldsError = Sse::requestFieldsError(command.options);
    if (!fieldsError.isEmpty()) {
        printError(QStringLiteral("curl: ") + fieldsError);
        return ExitUsage;
    }
    silentErrors = command.silent && !command.showError;
    CliMonitor monitor(command.options, command.verbose, 0, false, false);
    return runMonitor(app, monitor, command.maxTimeMs);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("sse-monitor-cli"));
    QCoreApplication::setApplicationVersion(QStringLiteral(SSE_MONITOR_VERSION));
    if (argc > 1 && qstrcmp(argv[1], "replay") == 0)
        return runReplay(app, QCoreApplication::arguments());
    if (argc > 1 && qstrcmp(argv[1], "check") == 0)
        return runCheck(app, QCoreApplication::arguments());
    if (argc > 1 && qstrcmp(argv[1], "probe") == 0)
        return runProbe(app, QCoreApplication::arguments());
    if (argc > 1 && qstrcmp(argv[1], "proxy") == 0)
        return runProxy(app, QCoreApplication::arguments());
    if (argc > 1 && qstrcmp(argv[1], "curl") == 0)
        return runCurl(app, QCoreApplication::arguments());

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Connect to a Server-Sent Events stream and print each event as a JSON Lines record.\n"
        "\n"
        "Examples:\n"
        "  sse-monitor-cli https://stream.example.org/v2/stream/recentchange\n"
        "  sse-monitor-cli --demo --max-events 20 --states\n"
        "  sse-monitor-cli -X POST -H 'Authorization: Bearer $KEY' \\\n"
        "      -d '{\"model\":\"m\",\"stream\":true}' https://api.example.com/v1/chat\n"
        "\n"
        "To serve a recording as an SSE endpoint: sse-monitor-cli replay --help\n"
        "To check a server's stream and get advice: sse-monitor-cli check --help\n"
        "To serve streams' health as Prometheus metrics: sse-monitor-cli probe --help\n"
        "To watch an application's streams through a recording proxy: sse-monitor-cli proxy "
        "--help\n"
        "To run a curl command's stream: sse-monitor-cli curl [curl options] URL\n"
        "\n"
        "--profile NAME uses a connection saved by sse-monitor (or found in --profiles-file);\n"
        "options given here override the profile's. Secret header values come from the\n"
        "system keychain where sse-monitor stored them; otherwise give them with -H.\n"
        "\n"
        "Exit codes: 0 normal end (max events, timeout, stream closed, or the server\n"
        "answered 204 No Content: state failed, status 204), 1 connection failed, 2 usage\n"
        "error, 3 output could not be written, 4 an assertion failed, 130 interrupted.\n"
        "\n"
        "Assertions for CI (the run ends as soon as their outcome is known):\n"
        "  sse-monitor-cli URL --expect 'type == \"done\"' --within 30 --max-silence 10 \\\n"
        "      --expect-no-gaps --timeout 60 --junit report.xml"));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption headerOption({QStringLiteral("H"), QStringLiteral("header")},
                                          QStringLiteral("Request header (repeatable)."),
                                          QStringLiteral("Name: value"));
    const QCommandLineOption methodOption({QStringLiteral("X"), QStringLiteral("method")},
                                          QStringLiteral("HTTP method (default GET)."),
                                          QStringLiteral("METHOD"));
    const QCommandLineOption dataOption({QStringLiteral("d"), QStringLiteral("data")},
                                        QStringLiteral("Request body (implies POST)."),
                                        QStringLiteral("BODY"));
    const QCommandLineOption dataFileOption(QStringLiteral("data-file"),
                                            QStringLiteral("Read the request body from FILE."),
                                            QStringLiteral("FILE"));
    const QCommandLineOption lastIdOption(QStringLiteral("last-event-id"),
                                          QStringLiteral("Last-Event-ID for the first request."),
                                          QStringLiteral("ID"));
    const QCommandLineOption maxEventsOption(QStringLiteral("max-events"),
                                             QStringLiteral("Exit after N events."),
                                             QStringLiteral("N"));
    const QCommandLineOption timeoutOption(QStringLiteral("timeout"),
                                           QStringLiteral("Exit after SECONDS."),
                                           QStringLiteral("SECONDS"));
    const QCommandLineOption statesOption(QStringLiteral("states"),
                                          QStringLiteral("Also print connection state records."));
    const QCommandLineOption outputOption({QStringLiteral("o"), QStringLiteral("output")},
                                          QStringLiteral("Append the records to FILE as well."),
                                          QStringLiteral("FILE"));
    const QCommandLineOption quietOption({QStringLiteral("q"), QStringLiteral("quiet")},
                                         QStringLiteral("Print nothing on stdout (use with -o)."));
    const QCommandLineOption noReconnectOption(QStringLiteral("no-reconnect"),
                                               QStringLiteral("Do not reconnect after a drop."));
    const QCommandLineOption idleOption(QStringLiteral("idle-timeout"),
                                        QStringLiteral("Reconnect after SECONDS with no bytes."),
                                        QStringLiteral("SECONDS"));
    const QCommandLineOption maxSizeOption(QStringLiteral("max-event-size"),
                                           QStringLiteral("Largest accepted event (default 16 MiB)."),
                                           QStringLiteral("BYTES"));
    const QCommandLineOption retryOption(
        QStringLiteral("retry"),
        QStringLiteral("Reconnection time before the server sends retry: (default 3000)."),
        QStringLiteral("MS"));
    const QCommandLineOption demoOption(QStringLiteral("demo"),
                                        QStringLiteral("Serve and connect to the built-in demo stream."));
    const QCommandLineOption profileOption(
        QStringLiteral("profile"),
        QStringLiteral("Use the connection saved as NAME by sse-monitor."),
        QStringLiteral("NAME"));
    const QCommandLineOption llmOption(
        QStringLiteral("llm"),
        QStringLiteral("Also print an llm record per response: provider, text, reasoning, tool "
                       "calls, usage, finish reason, verdict and timing (OpenAI, Anthropic, "
                       "Gemini and compatible streams)."));
    const QCommandLineOption profilesFileOption(
        QStringLiteral("profiles-file"),
        QStringLiteral("Look --profile up in FILE (a JSON array of profiles)."),
        QStringLiteral("FILE"));
    const QCommandLineOption filterOption(
        QStringLiteral("filter"),
        QStringLiteral("Print only the events EXPR matches, e.g. 'type == \"trade\" && "
                       "data.price > 100' (the language of the GUI's filter bar); --max-events counts "
                       "the printed ones."),
        QStringLiteral("EXPR"));
    parser.addOption(filterOption);
    const QCommandLineOption ndjsonOption(
        QStringLiteral("ndjson"),
        QStringLiteral("Also read NDJSON / JSON Lines and streamed JSON array responses: each line "
                       "or element becomes an event of type ndjson."));
    parser.addOption(ndjsonOption);
    const CliArguments::TransportOptions transport;
    transport.addTo(parser);
    parser.addOptions({headerOption, methodOption, dataOption, dataFileOption, lastIdOption,
                       maxEventsOption, timeoutOption, statesOption, outputOption, quietOption,
                       noReconnectOption, idleOption, maxSizeOption, retryOption,
                       demoOption, profileOption, profilesFileOption, llmOption});
    parser.addOptions(Assertions::options());
    parser.addPositionalArgument(QStringLiteral("URL"),
                                 QStringLiteral("The event stream URL (optional with --profile)."));
    // process() exits with code 1 on an unknown option or a missing value, but a
    // usage error is documented as 2: parse first and report those errors here.
    // process() then only handles --help, --help-all and --version.
    if (!parser.parse(QCoreApplication::arguments())) {
        printError(parser.errorText() + QStringLiteral(" (see --help)"));
        return ExitUsage;
    }
    parser.process(app);

    auto usageError = [](const QString &message) {
        printError(message + QStringLiteral(" (see --help)"));
        return int(ExitUsage);
    };

    Sse::ClientOptions options;
    // A profile gives the starting options; the options below override them when given.
    const bool useProfile = parser.isSet(profileOption);
    bool profileIsDemo = false;
    QList<QByteArray> profileSecrets; // secret headers the profile names but does not hold
    QString profileSecretsId;
    if (parser.isSet(profilesFileOption) && !useProfile)
        return usageError(QStringLiteral("--profiles-file needs --profile"));
    if (useProfile) {
        if (parser.isSet(demoOption))
            return usageError(QStringLiteral("--profile and --demo cannot be combined"));
        ProfileStore store;
        if (!parser.isSet(profilesFileOption))
            store.loadSettings();
        else if (!store.loadFile(parser.value(profilesFileOption)))
            return usageError(store.errorString());
        const QString name = parser.value(profileOption);
        const std::optional<ProfileStore::Match> match = store.find(name);
        if (!match) {
            const QStringList names = store.names();
            printError(QStringLiteral("no profile named \"%1\" in %2; available: %3")
                           .arg(name, store.source(),
                                names.isEmpty() ? QStringLiteral("none")
                                                : names.join(QStringLiteral(", "))));
            return ExitUsage;
        }
        const QString fieldsError = Sse::requestFieldsError(match->profile.options);
        if (!fieldsError.isEmpty()) {
            printError(QStringLiteral("profile \"%1\" in %2 cannot be used: %3")
                           .arg(name, store.source(), fieldsError));
            return ExitUsage;
        }
        options = match->profile.options;
        profileIsDemo = match->isDemo;
        profileSecrets = match->secretHeaders;
        profileSecretsId = match->secretsId;
    }
    std::unique_ptr<Sse::DemoServer> demo;
    const QStringList positional = parser.positionalArguments();
    if (parser.isSet(demoOption) || (profileIsDemo && positional.isEmpty())) {
        if (!positional.isEmpty())
            return usageError(QStringLiteral("--demo takes no URL"));
        demo = std::make_unique<Sse::DemoServer>();
        if (!demo->listen())
            return usageError(QStringLiteral("cannot start the demo server: ")
                              + demo->errorString());
        options.url = demo->streamUrl();
    } else if (useProfile && positional.isEmpty()) {
        if (!options.url.isValid() || options.url.isEmpty())
            return usageError(QStringLiteral("profile \"%1\" has no valid URL")
                                  .arg(parser.value(profileOption)));
    } else {
        const QString urlError = CliArguments::parseUrl(positional, &options.url);
        if (!urlError.isEmpty())
            return usageError(urlError);
    }

    QList<CliArguments::Header> givenHeaders;
    const QString headerError =
        CliArguments::parseHeaders(parser.values(headerOption), &givenHeaders);
    if (!headerError.isEmpty())
        return usageError(headerError);
    // A header given here replaces the profile's headers of that name.
    for (const CliArguments::Header &header : std::as_const(givenHeaders))
        CliArguments::setHeader(&options.headers, header);
    // Secrets of the profile not given with -H: from the keychain (or the plain-text copy the
    // user allowed in the GUI), else the run stops, naming them, rather than going out without.
    profileSecrets.removeIf([&](const QByteArray &name) {
        return std::any_of(options.headers.cbegin(), options.headers.cend(),
                           [&](const QPair<QByteArray, QByteArray> &header) {
                               return header.first.compare(name, Qt::CaseInsensitive) == 0
                                   && !header.second.isEmpty();
                           });
    });
    if (!profileSecrets.isEmpty()) {
        QString reason = QStringLiteral("not in %1").arg(parser.value(profilesFileOption));
        if (!profileSecretsId.isEmpty())
            reason = ProfileStore::loadSecrets(profileSecretsId, &profileSecrets, &options.headers);
        Sse::applyNonHeaderSecrets(&options);
        if (profileSecrets.contains(QByteArray(Sse::UrlSecret))) {
            // Not a header: -H cannot give it back.
            return usageError(
                QStringLiteral("profile \"%1\" needs the credentials of its URL, which are not "
                               "available (%2): give the URL with them instead of --profile")
                    .arg(parser.value(profileOption), reason));
        }
        if (!profileSecrets.isEmpty()) {
            QStringList names;
            for (const QByteArray &name : std::as_const(profileSecrets))
                names.append(QString::fromUtf8(name));
            return usageError(
                QStringLiteral("profile \"%1\" needs the secret header %2, whose value is not "
                               "available (%3): pass it with -H '%4: …'")
                    .arg(parser.value(profileOption), names.join(QStringLiteral(", ")), reason,
                         names.first()));
        }
    }
    if (parser.isSet(dataOption))
        options.body = parser.value(dataOption).toUtf8();
    if (parser.isSet(dataFileOption)) {
        const QString bodyError =
            CliArguments::readBodyFile(parser.value(dataFileOption), &options.body);
        if (!bodyError.isEmpty())
            return usageError(bodyError);
    }
    // A body given here implies POST unless -X says otherwise (or the profile's method is
    // not GET); without a profile the method starts as GET.
    const bool bodyGiven = (parser.isSet(dataOption) || parser.isSet(dataFileOption))
                           && !options.body.isEmpty();
    if (parser.isSet(methodOption))
        options.method = parser.value(methodOption).toUpper().toUtf8();
    else if (bodyGiven && options.method == QByteArrayView("GET"))
        options.method = QByteArrayLiteral("POST");
    Sse::ClientOptions methodOnly;
    methodOnly.method = options.method;
    if (parser.isSet(methodOption) && !Sse::requestFieldsError(methodOnly).isEmpty())
        return usageError(QStringLiteral("-X takes an HTTP method (a token: letters, digits, "
                                         "!#$%&'*+-.^_`|~), without a line break"));
    if (parser.isSet(lastIdOption)) {
        options.initialLastEventId = parser.value(lastIdOption).toUtf8();
        if (Sse::hasLineBreakOrNul(options.initialLastEventId))
            return usageError(QStringLiteral("--last-event-id holds a line break (CR or LF) or "
                                             "NUL, which would start another header line"));
    }
    if (parser.isSet(noReconnectOption))
        options.reconnectPolicy = Sse::ReconnectPolicy::Never;
    if (const QString error = transport.apply(parser, &options); !error.isEmpty())
        return usageError(error);
    if (parser.isSet(ndjsonOption))
        options.bodyFormat = Sse::BodyFormat::NdJson;

    // Integers where integers are meant, and explicit ranges: a fraction or an exponent is not
    // silently truncated, and no value overflows the int the client or a timer keeps.
    const QString secondsRange = QStringLiteral("from 0.001 to %1 seconds")
                                     .arg(qint64(CliArguments::MaximumSeconds));
    qint64 idleMs = 0;
    if (parser.isSet(idleOption)) {
        if (!CliArguments::parseSeconds(parser.value(idleOption), 0.001,
                                        CliArguments::MaximumSeconds, &idleMs))
            return usageError(QStringLiteral("--idle-timeout takes %1").arg(secondsRange));
        options.idleTimeoutMs = int(idleMs);
    }
    constexpr qint64 MaximumEventSizeLimit = 1LL << 30;
    if (parser.isSet(maxSizeOption)) {
        qint64 bytes = 0;
        if (!CliArguments::parseInteger(parser.value(maxSizeOption), 1, MaximumEventSizeLimit,
                                        &bytes))
            return usageError(QStringLiteral("--max-event-size takes a whole number of bytes "
                                             "from 1 to %1 (1 GiB)")
                                  .arg(MaximumEventSizeLimit));
        options.maximumEventSize = qsizetype(bytes);
    }
    if (parser.isSet(retryOption)) {
        qint64 retryMs = 0;
        if (!CliArguments::parseInteger(parser.value(retryOption), 0, 24LL * 3600 * 1000,
                                        &retryMs))
            return usageError(QStringLiteral("--retry takes milliseconds from 0 to 86400000"));
        options.defaultRetryMs = int(retryMs);
    }
    qint64 maxEvents = 0;
    if (parser.isSet(maxEventsOption)
        && !CliArguments::parseInteger(parser.value(maxEventsOption), 1,
                                       std::numeric_limits<qint64>::max(), &maxEvents))
        return usageError(QStringLiteral("--max-events takes a whole number from 1 to %1")
                              .arg(std::numeric_limits<qint64>::max()));
    qint64 timeoutMs = 0;
    if (parser.isSet(timeoutOption)
        && !CliArguments::parseSeconds(parser.value(timeoutOption), 0.001,
                                       CliArguments::MaximumSeconds, &timeoutMs))
        return usageError(QStringLiteral("--timeout takes %1").arg(secondsRange));
    // Everything that goes into the request head, whatever its source (profile, keychain, -H).
    const QString fieldsError = Sse::requestFieldsError(options);
    if (!fieldsError.isEmpty())
        return usageError(fieldsError);
    if (parser.isSet(quietOption) && !parser.isSet(outputOption))
        return usageError(QStringLiteral("--quiet needs --output"));

    Sse::FilterExpression filter;
    if (const QString error = CliArguments::parseFilter(parser.value(filterOption), &filter);
        !error.isEmpty()) {
        return usageError(error);
    }

    auto assertions = std::make_unique<Assertions>();
    if (const QString error = assertions->parse(QCoreApplication::arguments()); !error.isEmpty())
        return usageError(error);

    CliMonitor monitor(options, parser.isSet(statesOption), maxEvents,
                       parser.isSet(quietOption), parser.isSet(llmOption));
    monitor.setFilter(filter, useProfile ? parser.value(profileOption) : options.url.toString());
    if (!assertions->isEmpty()) {
        monitor.setAssertions(std::move(assertions),
                              useProfile ? parser.value(profileOption)
                                         : Sse::redactedUrl(options.url));
    }
    if (parser.isSet(outputOption) && !monitor.openOutputFile(parser.value(outputOption)))
        return ExitOutputError;

    return runMonitor(app, monitor, timeoutMs);
}
