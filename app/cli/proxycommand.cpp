#include "proxycommand.h"

#include "cliarguments.h"
#include "interruption.h"
#include "outputsink.h"

#include "sselib/jsonlines.h"
#include "sselib/llmanalyser.h"
#include "sselib/profile.h"
#include "sselib/reverseproxy.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QFile>
#include <QSslCertificate>
#include <QTimer>

#include <csignal>
#include <cstdio>
#include <map>
#include <memory>

namespace {

enum ExitCode {
    ExitUsage = 2,
    ExitOutputError = 3,
    ExitListenError = 5,
    ExitInterrupted = 130,
};

void printLine(const QString &message)
{
    std::fprintf(stderr, "sse-monitor-cli proxy: %s\n", message.toLocal8Bit().constData());
}

// The request target with the values of secret query parameters masked.
QByteArray redactedTarget(const QByteArray &target)
{
    if (!target.contains('?'))
        return target;
    static const QByteArray origin = "http://proxy";
    const QByteArray redacted = Sse::redactedUrl(QUrl::fromEncoded(origin + target)).toUtf8();
    return redacted.startsWith(origin) ? redacted.mid(origin.size())
                                       : target.left(target.indexOf('?'));
}

const char *endName(Sse::ProxyExchange::End end)
{
    switch (end) {
    case Sse::ProxyExchange::End::Complete:
        return "complete";
    case Sse::ProxyExchange::End::ClientGone:
        return "client-closed";
    case Sse::ProxyExchange::End::UpstreamFailed:
        return "upstream-failed";
    case Sse::ProxyExchange::End::Rejected:
        return "rejected";
    }
    return "complete";
}

// Writes what the proxy sees as JSON Lines on stdout (unless quiet) and into the -o file.
class ProxyMonitor : public QObject
{
public:
    explicit ProxyMonitor(bool quiet, bool llm) : m_llm(llm)
    {
        if (!quiet)
            m_stdout.openStandardOutput();
        connect(&m_proxy, &Sse::ReverseProxy::exchangeStarted, this, &ProxyMonitor::started);
        connect(&m_proxy, &Sse::ReverseProxy::responseStarted, this, &ProxyMonitor::responded);
        connect(&m_proxy, &Sse::ReverseProxy::eventsReceived, this, &ProxyMonitor::events);
        connect(&m_proxy, &Sse::ReverseProxy::exchangeFinished, this, &ProxyMonitor::finished);
        m_flushTimer.setInterval(100);
        connect(&m_flushTimer, &QTimer::timeout, this, [this] {
            if (!(m_stdout.submit() & m_file.submit()))
                outputFailed();
        });
        m_flushTimer.start();
    }

    Sse::ReverseProxy &proxy() { return m_proxy; }

    bool openOutputFile(const QString &path)
    {
        if (m_file.openFile(path))
            return true;
        printLine(QStringLiteral("cannot open %1 for writing: %2").arg(path, m_file.errorString()));
        return false;
    }

    void finish(int code)
    {
        if (m_finishing)
            return;
        m_finishing = true;
        m_file.setDeadline(std::chrono::steady_clock::now() + std::chrono::seconds(2));
        const bool ok = m_stdout.flush() & m_file.flush();
        QCoreApplication::exit(ok || code != 0 ? code : int(ExitOutputError));
    }

private:
    // What is kept per exchange while it runs.
    struct Exchange
    {
        Sse::JsonLines::Writer stdoutWriter; // every event record carries its id
        Sse::JsonLines::Writer fileWriter; // ids only when they change (format v2)
        std::unique_ptr<Sse::Llm::Analyser> analyser;
        qint64 seq = 0;
    };

    void append(Exchange &exchange, const auto &writeRecord)
    {
        if (m_stdout.isOpen())
            writeRecord(m_stdout.buffer(), exchange.stdoutWriter);
        if (m_file.isOpen())
            writeRecord(m_file.buffer(), exchange.fileWriter);
        if (!m_stdout.maybeFlush() || !m_file.maybeFlush())
            outputFailed();
    }

    void started(const Sse::ProxyExchange &info)
    {
        Exchange &exchange = m_exchanges[info.number];
        const QString name = info.name();
        exchange.stdoutWriter.setConnection(name);
        exchange.fileWriter.setConnection(name);
        exchange.fileWriter.setIdRule(Sse::JsonLines::Writer::IdRule::WhenChanged);
        if (m_file.isOpen()) {
            // The file says where each exchange went, with credentials masked.
            exchange.fileWriter.appendHeader(m_file.buffer(), name,
                                             Sse::redactedUrl(info.upstreamUrl),
                                             Sse::redactHeaders(info.requestHeaders));
        }
    }

    void responded(const Sse::ProxyExchange &info)
    {
        if (!m_llm || !info.eventStream)
            return;
        Exchange &exchange = m_exchanges[info.number];
        exchange.analyser = std::make_unique<Sse::Llm::Analyser>();
        exchange.analyser->setHeadersReceived(elapsedMs(info));
    }

    void events(const Sse::ProxyExchange &info, const Sse::EventBatch &batch)
    {
        Exchange &exchange = m_exchanges[info.number];
        if (!m_stdout.isOpen() && !m_file.isOpen() && !exchange.analyser) {
            exchange.seq += batch.size(); // nothing is written: no need to look at them
            return;
        }
        const double ms = elapsedMs(info);
        for (const Sse::EventView event : batch) {
            ++exchange.seq;
            if (exchange.analyser)
                exchange.analyser->addEvent(event.type, event.data, ms);
            append(exchange, [&](QByteArray &out, Sse::JsonLines::Writer &writer) {
                writer.appendEvent(out, exchange.seq, event);
            });
        }
    }

    void finished(const Sse::ProxyExchange &info)
    {
        const auto found = m_exchanges.find(info.number);
        if (found == m_exchanges.end())
            return;
        Exchange &exchange = found->second;
        const QByteArray name = info.name().toUtf8();
        if (exchange.analyser) {
            exchange.analyser->finish(info.elapsedMs,
                                      info.end == Sse::ProxyExchange::End::Complete
                                          ? Sse::Llm::Analyser::End::ServerEnded
                                          : Sse::Llm::Analyser::End::Cut);
            QByteArray record;
            Sse::Llm::appendRecord(record, exchange.analyser->summary(), info.startedMs, name);
            append(exchange, [&](QByteArray &out, Sse::JsonLines::Writer &) { out += record; });
        }
        const QByteArray record = exchangeRecord(info, name);
        append(exchange, [&](QByteArray &out, Sse::JsonLines::Writer &) { out += record; });
        if (!info.error.isEmpty())
            printLine(QString::fromUtf8(name) + QStringLiteral(": ") + info.error
                      + (info.end == Sse::ProxyExchange::End::UpstreamFailed && info.status == 502
                                 && info.responseHeaders.isEmpty()
                             ? QStringLiteral(" (answered 502)")
                             : QString()));
        m_exchanges.erase(found);
    }

    // {"kind":"exchange","time":..,"connection":..,"method":..,"path":..,"status":..,...}
    QByteArray exchangeRecord(const Sse::ProxyExchange &info, const QByteArray &name)
    {
        QByteArray out = "{\"kind\":\"exchange\",\"time\":";
        QByteArray time;
        m_time.append(time, info.startedMs);
        Sse::JsonLines::appendString(out, QByteArrayView(time));
        out += ",\"connection\":";
        Sse::JsonLines::appendString(out, QByteArrayView(name));
        out += ",\"method\":";
        Sse::JsonLines::appendString(out, QByteArrayView(info.method));
        out += ",\"path\":";
        Sse::JsonLines::appendString(out, QByteArrayView(redactedTarget(info.target)));
        out += ",\"status\":" + QByteArray::number(info.status);
        QByteArray contentType;
        for (const auto &field : info.responseHeaders) {
            if (field.first.compare("content-type", Qt::CaseInsensitive) == 0)
                contentType = field.second;
        }
        if (!contentType.isEmpty()) {
            out += ",\"content_type\":";
            Sse::JsonLines::appendString(out, QByteArrayView(contentType));
        }
        out += ",\"request_bytes\":" + QByteArray::number(info.requestBodyBytes);
        out += ",\"bytes\":" + QByteArray::number(info.responseBytes);
        if (info.eventStream)
            out += ",\"events\":" + QByteArray::number(info.events);
        out += ",\"ms\":" + QByteArray::number(info.elapsedMs, 'f', 1);
        out += ",\"end\":\"" + QByteArray(endName(info.end)) + '"';
        if (!info.error.isEmpty()) {
            out += ",\"error\":";
            Sse::JsonLines::appendString(out, info.error);
        }
        out += "}\n";
        return out;
    }

    static double elapsedMs(const Sse::ProxyExchange &info)
    {
        return double(QDateTime::currentMSecsSinceEpoch() - info.startedMs);
    }

    void outputFailed()
    {
        if (m_outputFailed)
            return;
        m_outputFailed = true;
        printLine(QStringLiteral("writing output failed: %1")
                      .arg(!m_file.errorString().isEmpty() ? m_file.errorString()
                                                           : m_stdout.errorString()));
        QTimer::singleShot(0, this, [] { QCoreApplication::exit(ExitOutputError); });
    }

    Sse::ReverseProxy m_proxy;
    std::map<quint64, Exchange> m_exchanges; // QHash needs copyable values
    Sse::JsonLines::TimeFormatter m_time;
    OutputSink m_stdout;
    OutputSink m_file;
    QTimer m_flushTimer;
    bool m_llm;
    bool m_finishing = false;
    bool m_outputFailed = false;
};

} // namespace

int runProxy(QCoreApplication &app, QStringList arguments)
{
    Q_UNUSED(app);
    if (arguments.size() > 1)
        arguments.removeAt(1); // "proxy"

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "A recording reverse proxy: point an application's base URL at it to see its streams.\n"
        "\n"
        "Every request is forwarded to --upstream and its response passed back as it arrives.\n"
        "The events of text/event-stream responses are printed as JSON Lines, each exchange a\n"
        "connection named like 'POST /v1/chat/completions #3'; every exchange ends with an\n"
        "'exchange' record (method, path, status, bytes, ms). The listening address is printed\n"
        "on stderr; the proxy runs until it is interrupted.\n"
        "\n"
        "Examples:\n"
        "  sse-monitor-cli proxy --upstream https://api.openai.com --llm\n"
        "  OPENAI_BASE_URL=http://127.0.0.1:8787/v1 python app.py\n"
        "  sse-monitor-cli proxy --listen 127.0.0.1:9000 --upstream http://localhost:3000 \\\n"
        "      -o session.jsonl -q\n"
        "\n"
        "Exit codes: 2 usage error, 3 output could not be written, 5 cannot listen,\n"
        "130 interrupted."));
    const QCommandLineOption helpOption = parser.addHelpOption();
    const QCommandLineOption listenOption(
        QStringLiteral("listen"),
        QStringLiteral("Address and port to listen on (default 127.0.0.1:8787)."),
        QStringLiteral("ADDRESS:PORT"), QStringLiteral("127.0.0.1:8787"));
    const QCommandLineOption upstreamOption(
        QStringLiteral("upstream"),
        QStringLiteral("Where requests go: http:// or https:// origin, optionally with a base "
                       "path."),
        QStringLiteral("URL"));
    const QCommandLineOption outputOption({QStringLiteral("o"), QStringLiteral("output")},
                                          QStringLiteral("Also append the records to FILE (secret "
                                                         "headers masked)."),
                                          QStringLiteral("FILE"));
    const QCommandLineOption quietOption({QStringLiteral("q"), QStringLiteral("quiet")},
                                         QStringLiteral("Print nothing on stdout."));
    const QCommandLineOption llmOption(
        QStringLiteral("llm"),
        QStringLiteral("Also write an llm record per event stream: provider, text, usage, "
                       "timing."));
    const QCommandLineOption caCertOption(
        QStringLiteral("cacert"),
        QStringLiteral("Trust the CA certificates in FILE (PEM) for an https upstream."),
        QStringLiteral("FILE"));
    const QCommandLineOption insecureOption(
        QStringLiteral("insecure"),
        QStringLiteral("Accept any upstream certificate (testing only)."));
    const QCommandLineOption allowRemoteOption(
        QStringLiteral("allow-remote"),
        QStringLiteral("Allow --listen on an address other than loopback."));
    parser.addOptions({listenOption, upstreamOption, outputOption, quietOption, llmOption,
                       caCertOption, insecureOption, allowRemoteOption});
    auto usageError = [](const QString &message) {
        printLine(message + QStringLiteral(" (see proxy --help)"));
        return int(ExitUsage);
    };
    if (!parser.parse(arguments))
        return usageError(parser.errorText());
    if (parser.isSet(helpOption))
        parser.showHelp(0);
    if (!parser.positionalArguments().isEmpty())
        return usageError(QStringLiteral("unexpected argument %1")
                              .arg(parser.positionalArguments().constFirst()));
    if (!parser.isSet(upstreamOption))
        return usageError(QStringLiteral("--upstream URL is required"));
    Sse::ReverseProxyOptions options;
    options.upstream = QUrl(parser.value(upstreamOption), QUrl::StrictMode);
    const QString scheme = options.upstream.scheme();
    if (!options.upstream.isValid() || options.upstream.host().isEmpty()
        || (scheme != QLatin1String("http") && scheme != QLatin1String("https"))) {
        return usageError(QStringLiteral("--upstream takes an http:// or https:// URL, e.g. "
                                         "https://api.openai.com"));
    }
    if (!options.upstream.query().isEmpty() || !options.upstream.fragment().isEmpty())
        return usageError(QStringLiteral("--upstream takes no query or fragment"));
    if (parser.isSet(quietOption) && !parser.isSet(outputOption) && parser.isSet(llmOption))
        return usageError(QStringLiteral("--llm with --quiet needs --output"));
    if (parser.isSet(caCertOption)) {
        QFile file(parser.value(caCertOption));
        if (!file.open(QIODevice::ReadOnly))
            return usageError(QStringLiteral("--cacert: cannot read %1: %2")
                                  .arg(file.fileName(), file.errorString()));
        options.caCertificatesPem = file.read(4 * 1024 * 1024);
        if (QSslCertificate::fromData(options.caCertificatesPem, QSsl::Pem).isEmpty())
            return usageError(
                QStringLiteral("--cacert: %1 holds no PEM certificate").arg(file.fileName()));
    }
    options.allowInsecureTls = parser.isSet(insecureOption);
    if (options.allowInsecureTls && parser.isSet(caCertOption))
        return usageError(QStringLiteral("--insecure and --cacert exclude each other"));
    QHostAddress address;
    quint16 port = 0;
    if (!CliArguments::parseListen(parser.value(listenOption), &address, &port))
        return usageError(QStringLiteral("--listen takes ADDRESS:PORT, e.g. 127.0.0.1:8787"));
    if (!address.isLoopback()) {
        if (!parser.isSet(allowRemoteOption))
            return usageError(QStringLiteral("--listen %1 is not a loopback address: anyone who "
                                             "reaches it can use your credentials upstream; add "
                                             "--allow-remote if that is meant")
                                  .arg(parser.value(listenOption)));
        printLine(QStringLiteral("warning: listening on %1, reachable from other machines; "
                                 "requests through it reach %2 with whatever credentials they "
                                 "carry")
                      .arg(address.toString(), Sse::redactedUrl(options.upstream)));
    }

    ProxyMonitor monitor(parser.isSet(quietOption), parser.isSet(llmOption));
    // With nothing to print or record, the events need not be read at all.
    options.readEventStreams = !parser.isSet(quietOption) || parser.isSet(outputOption);
    monitor.proxy().setOptions(options);
    if (parser.isSet(outputOption) && !monitor.openOutputFile(parser.value(outputOption)))
        return ExitOutputError;
    if (!monitor.proxy().listen(address, port)) {
        printLine(QStringLiteral("cannot listen on %1: %2")
                      .arg(parser.value(listenOption), monitor.proxy().errorString()));
        return ExitListenError;
    }
    std::signal(SIGPIPE, SIG_IGN);
    callOnInterrupt(&monitor, [&monitor] { monitor.finish(ExitInterrupted); });
    printLine(QStringLiteral("listening on %1, forwarding to %2. Ctrl+C stops.")
                  .arg(monitor.proxy().url().toString(), Sse::redactedUrl(options.upstream)));
    return QCoreApplication::exec();
}
