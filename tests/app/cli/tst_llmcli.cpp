// `sse-monitor-cli --llm` end to end: the built binary against a loopback TestServer that
// serves the provider streams of tests/data/llm.

#include "testserver.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTimer>
#include <QTest>

#include <csignal>

using namespace Qt::StringLiterals;
using Exchange = TestServer::Exchange;

namespace {

constexpr int ExitTimeoutMs = 10000;

QString dataDir()
{
    return QStringLiteral(LLM_DATA_DIR);
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

QByteArray stream(const QString &name)
{
    return readFile(dataDir() + u'/' + name + u".sse"_s);
}

// Serves \a wire as an event stream. A comment line ": pause N" holds the rest back N ms;
// \a writeBytes > 0 writes the body in pieces that small (splitting UTF-8 characters).
// \a end: close at the end, or keep the connection open (the client has to stop).
enum class AtEnd { Close, KeepOpen };
void serve(Exchange *exchange, const QByteArray &wire, AtEnd atEnd = AtEnd::Close,
           qsizetype writeBytes = 0)
{
    exchange->sseHead();
    static const QRegularExpression pause(u"^: pause (\\d+)\\r?\\n"_s,
                                          QRegularExpression::MultilineOption);
    int delayMs = 0;
    qsizetype offset = 0;
    const QString text = QString::fromUtf8(wire);
    auto sendPiece = [&](const QByteArray &piece) {
        const qsizetype step = writeBytes > 0 ? writeBytes : piece.size();
        for (qsizetype i = 0; i < piece.size(); i += step) {
            // Small writes apart in time, so TCP cannot join them again.
            if (writeBytes > 0)
                delayMs += 2;
            exchange->sendLater(delayMs, piece.mid(i, step));
        }
    };
    QRegularExpressionMatchIterator it = pause.globalMatch(text);
    while (it.hasNext()) {
        const QRegularExpressionMatch match = it.next();
        sendPiece(text.mid(offset, match.capturedStart() - offset).toUtf8());
        delayMs += match.captured(1).toInt();
        offset = match.capturedEnd();
    }
    sendPiece(text.mid(offset).toUtf8());
    if (atEnd == AtEnd::Close) {
        QPointer<Exchange> guard(exchange);
        QTimer::singleShot(delayMs + 20, exchange, [guard] {
            if (guard)
                guard->finish();
        });
    }
}

class Cli
{
public:
    Cli()
    {
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        for (const QString &name : {u"http_proxy"_s, u"HTTP_PROXY"_s, u"all_proxy"_s,
                                    u"ALL_PROXY"_s})
            environment.remove(name);
        m_process.setProcessEnvironment(environment);
        m_process.setProgram(qEnvironmentVariable("SSE_MONITOR_CLI"));
    }
    ~Cli()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
    }
    Q_DISABLE_COPY(Cli)

    bool start(const QStringList &arguments)
    {
        m_process.setArguments(arguments);
        m_finished = std::make_unique<QSignalSpy>(&m_process, &QProcess::finished);
        m_process.start();
        return m_process.waitForStarted(5000);
    }
    bool waitForExit()
    {
        const bool exited = !m_finished->isEmpty() || m_finished->wait(ExitTimeoutMs);
        m_out += m_process.readAllStandardOutput();
        m_err += m_process.readAllStandardError();
        return exited;
    }
    bool run(const QStringList &arguments) { return start(arguments) && waitForExit(); }

    QProcess &process() { return m_process; }
    int exitCode() const { return m_process.exitCode(); }
    QByteArray out() const { return m_out; }
    QByteArray describe() const { return "stderr: " + m_err.left(2000) + "\nstdout: " + m_out.left(6000); }

    QList<QJsonObject> records(const QString &kind) const { return recordsOf(m_out, kind); }

    static QList<QJsonObject> recordsOf(const QByteArray &lines, const QString &kind)
    {
        QList<QJsonObject> found;
        for (const QByteArray &line : lines.split('\n')) {
            const QJsonObject object = QJsonDocument::fromJson(line).object();
            if (object.value("kind"_L1).toString() == kind)
                found.append(object);
        }
        return found;
    }

private:
    QProcess m_process;
    std::unique_ptr<QSignalSpy> m_finished;
    QByteArray m_out;
    QByteArray m_err;
};

// The record as in the .expected.json files: timing replaced by its chunk count.
QJsonObject comparable(QJsonObject record)
{
    if (record.value("timing"_L1).isObject()) {
        record.insert("chunks"_L1, record.value("timing"_L1).toObject().value("chunks"_L1));
        record.remove("timing"_L1);
    }
    return record;
}

const QStringList LlmRecordKeys = {
    u"kind"_s, u"provider"_s, u"model"_s, u"response_id"_s, u"text"_s, u"reasoning"_s,
    u"choices"_s, u"tool_calls"_s, u"finish_reason"_s, u"usage"_s, u"complete"_s,
    u"error"_s, u"timing"_s};

} // namespace

class TestLlmCli : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QVERIFY2(QFile::exists(qEnvironmentVariable("SSE_MONITOR_CLI")),
                                   "SSE_MONITOR_CLI names no file"); }

    void providerStreams_data();
    void providerStreams();
    void pacedStreamTimesTheFirstToken();
    void maxEventsCutsTheStream();
    void timeoutCutsTheStream();
    void interruptCutsTheStream();
    void reconnectionStartsANewResponse();
    void geminiCutAfterFinishReasonIsIncomplete();
    void unicodeSplitAcrossWrites();
    void errorStatusHasNoLlmRecord();
    void outputFileHoldsTheRecord();
    void withoutTheOptionNoRecord();
    void replayServesAnLlmRecording_data();
    void replayServesAnLlmRecording();
};

void TestLlmCli::providerStreams_data()
{
    QTest::addColumn<QString>("name");
    for (const QString &file : QDir(dataDir()).entryList({u"*.sse"_s}, QDir::Files, QDir::Name))
        QTest::newRow(qPrintable(file)) << file.chopped(4);
}

void TestLlmCli::providerStreams()
{
    QFETCH(QString, name);
    TestServer server;
    const QByteArray wire = stream(name);
    server.route("/v1/stream", [&](Exchange *exchange) { serve(exchange, wire); });
    Cli cli;
    // POST with a body, as LLM clients do: a POST is not re-sent, so the end of the body
    // ends the run.
    QVERIFY(cli.run({u"--llm"_s, u"-d"_s, uR"({"stream":true})"_s,
                     server.url("/v1/stream").toString()}));
    QVERIFY2(cli.exitCode() == 0, cli.describe());
    const QList<QJsonObject> llm = cli.records(u"llm"_s);
    QVERIFY2(llm.size() == 1, cli.describe());
    const QJsonObject record = llm.first();
    QCOMPARE(record.keys().size(), LlmRecordKeys.size());
    for (const QString &key : LlmRecordKeys)
        QVERIFY2(record.contains(key), qPrintable(key));
    const QJsonObject expected =
        QJsonDocument::fromJson(readFile(dataDir() + u'/' + name + u".expected.json"_s)).object();
    QVERIFY2(comparable(record) == expected,
             QJsonDocument(record).toJson(QJsonDocument::Compact).constData());
    if (record.value("provider"_L1).isNull()) {
        QVERIFY(record.value("timing"_L1).isNull());
        return;
    }
    const QJsonObject timing = record.value("timing"_L1).toObject();
    QCOMPARE(timing.value("chunks"_L1).toInteger(), cli.records(u"event"_s).size());
    const double ttfb = timing.value("ttfb_ms"_L1).toDouble(-1);
    const double first = timing.value("first_event_ms"_L1).toDouble(-1);
    const double duration = timing.value("duration_ms"_L1).toDouble(-1);
    QVERIFY2(ttfb > 0 && ttfb <= first && first <= duration, cli.describe());
    if (!timing.value("ttft_ms"_L1).isNull()) {
        const double ttft = timing.value("ttft_ms"_L1).toDouble();
        QVERIFY(first <= ttft && ttft <= duration);
    }
}

void TestLlmCli::pacedStreamTimesTheFirstToken()
{
    TestServer server;
    const QByteArray wire = stream(u"chat-paced"_s);
    server.route("/v1/chat/completions", [&](Exchange *exchange) { serve(exchange, wire); });
    Cli cli;
    QVERIFY(cli.run({u"--llm"_s, u"--no-reconnect"_s,
                     server.url("/v1/chat/completions").toString()}));
    const QList<QJsonObject> llm = cli.records(u"llm"_s);
    QVERIFY2(llm.size() == 1, cli.describe());
    const QJsonObject timing = llm.first().value("timing"_L1).toObject();
    const double first = timing.value("first_event_ms"_L1).toDouble();
    const double ttft = timing.value("ttft_ms"_L1).toDouble();
    const double duration = timing.value("duration_ms"_L1).toDouble();
    // The role chunk comes at once, the first text 300 ms later, the end 200 ms after that
    // (the server's timers are coarse: 5 % either way).
    QVERIFY2(first < 250, cli.describe());
    QVERIFY2(ttft >= 280 && ttft - first >= 250, cli.describe());
    QVERIFY2(duration - ttft >= 150, cli.describe());
    const double rate = timing.value("output_tokens_per_s"_L1).toDouble();
    const double expectedRate = 20.0 / ((duration - ttft) / 1000.0);
    QVERIFY2(qAbs(rate - expectedRate) < expectedRate * 1e-3, cli.describe());
    QVERIFY(llm.first().value("complete"_L1).toBool());
}

void TestLlmCli::maxEventsCutsTheStream()
{
    TestServer server;
    const QByteArray wire = stream(u"chat-text"_s);
    server.route("/s", [&](Exchange *exchange) { serve(exchange, wire, AtEnd::KeepOpen); });
    Cli cli;
    QVERIFY(cli.run({u"--llm"_s, u"--max-events"_s, u"3"_s, u"--states"_s,
                     server.url("/s").toString()}));
    QVERIFY2(cli.exitCode() == 0, cli.describe());
    const QList<QJsonObject> llm = cli.records(u"llm"_s);
    QVERIFY2(llm.size() == 1, cli.describe());
    QCOMPARE(llm.first().value("text"_L1).toString(), u"Tides rise"_s);
    QCOMPARE(llm.first().value("complete"_L1), QJsonValue(false));
    QVERIFY(llm.first().value("error"_L1).isNull());
    QVERIFY(llm.first().value("finish_reason"_L1).isNull());
    QCOMPARE(llm.first().value("timing"_L1).toObject().value("chunks"_L1).toInt(), 3);
    // The llm record comes before the closed state record.
    QVERIFY(cli.out().indexOf("\"kind\":\"llm\"") < cli.out().indexOf("\"closed\""));
}

void TestLlmCli::timeoutCutsTheStream()
{
    TestServer server;
    const QByteArray wire = stream(u"anthropic-truncated"_s);
    server.route("/s", [&](Exchange *exchange) { serve(exchange, wire, AtEnd::KeepOpen); });
    Cli cli;
    QVERIFY(cli.run({u"--llm"_s, u"--timeout"_s, u"0.8"_s, server.url("/s").toString()}));
    QVERIFY2(cli.exitCode() == 0, cli.describe());
    const QList<QJsonObject> llm = cli.records(u"llm"_s);
    QVERIFY2(llm.size() == 1, cli.describe());
    QCOMPARE(llm.first().value("provider"_L1).toString(), u"anthropic"_s);
    QCOMPARE(llm.first().value("complete"_L1), QJsonValue(false));
    QCOMPARE(llm.first().value("text"_L1).toString(), u"Once upon"_s);
    QVERIFY(llm.first().value("timing"_L1).toObject().value("duration_ms"_L1).toDouble() >= 700);
}

void TestLlmCli::interruptCutsTheStream()
{
    TestServer server;
    const QByteArray wire = stream(u"responses-truncated"_s);
    server.route("/s", [&](Exchange *exchange) { serve(exchange, wire, AtEnd::KeepOpen); });
    Cli cli;
    QVERIFY(cli.start({u"--llm"_s, server.url("/s").toString()}));
    QByteArray out;
    QTRY_VERIFY_WITH_TIMEOUT((out += cli.process().readAllStandardOutput()).count('\n') >= 4,
                             ExitTimeoutMs);
    ::kill(pid_t(cli.process().processId()), SIGINT);
    QVERIFY(cli.waitForExit());
    QCOMPARE(cli.exitCode(), 130);
    const QList<QJsonObject> llm = Cli::recordsOf(out + cli.out(), u"llm"_s);
    QVERIFY2(llm.size() == 1, cli.describe());
    QCOMPARE(llm.first().value("text"_L1).toString(), u"Cut short"_s);
    QCOMPARE(llm.first().value("complete"_L1), QJsonValue(false));
}

void TestLlmCli::reconnectionStartsANewResponse()
{
    TestServer server;
    const QByteArray wire = stream(u"chat-truncated"_s);
    server.route("/s", [&](Exchange *exchange) {
        serve(exchange, wire, server.requestCount() == 1 ? AtEnd::Close : AtEnd::KeepOpen);
    });
    Cli cli;
    QVERIFY(cli.run({u"--llm"_s, u"--retry"_s, u"0"_s, u"--max-events"_s, u"6"_s,
                     server.url("/s").toString()}));
    const QList<QJsonObject> llm = cli.records(u"llm"_s);
    QVERIFY2(llm.size() == 2, cli.describe());
    QCOMPARE(llm.at(0).value("timing"_L1).toObject().value("chunks"_L1).toInt(), 4);
    QCOMPARE(llm.at(0).value("text"_L1).toString(), u"Once upon a time"_s);
    QCOMPARE(llm.at(1).value("timing"_L1).toObject().value("chunks"_L1).toInt(), 2);
    QCOMPARE(llm.at(1).value("text"_L1).toString(), u"Once upon"_s);
    for (const QJsonObject &record : llm)
        QCOMPARE(record.value("complete"_L1), QJsonValue(false));
}

void TestLlmCli::geminiCutAfterFinishReasonIsIncomplete()
{
    // Gemini has no end marker: a finish reason seen, but the CLI stopped reading.
    TestServer server;
    const QByteArray wire = stream(u"gemini-text"_s);
    server.route("/s", [&](Exchange *exchange) { serve(exchange, wire, AtEnd::KeepOpen); });
    Cli cli;
    QVERIFY(cli.run({u"--llm"_s, u"--max-events"_s, u"3"_s, server.url("/s").toString()}));
    const QList<QJsonObject> llm = cli.records(u"llm"_s);
    QVERIFY2(llm.size() == 1, cli.describe());
    QCOMPARE(llm.first().value("finish_reason"_L1).toString(), u"STOP"_s);
    QCOMPARE(llm.first().value("complete"_L1), QJsonValue(false));
}

void TestLlmCli::unicodeSplitAcrossWrites()
{
    TestServer server;
    const QByteArray wire = stream(u"chat-unicode"_s);
    server.route("/s", [&](Exchange *exchange) {
        serve(exchange, wire, AtEnd::Close, 5);
    });
    Cli cli;
    QVERIFY(cli.run({u"--llm"_s, u"--no-reconnect"_s, server.url("/s").toString()}));
    const QList<QJsonObject> llm = cli.records(u"llm"_s);
    QVERIFY2(llm.size() == 1, cli.describe());
    QCOMPARE(llm.first().value("text"_L1).toString(), u"Café 😀 东京 ñ €!"_s);
    QVERIFY(llm.first().value("complete"_L1).toBool());
}

void TestLlmCli::errorStatusHasNoLlmRecord()
{
    TestServer server;
    server.route("/s", [](Exchange *exchange) {
        exchange->respond(429, {{"Content-Type", "application/json"}},
                          R"({"error":{"type":"rate_limit_error","message":"slow down"}})");
    });
    Cli cli;
    QVERIFY(cli.run({u"--llm"_s, u"-d"_s, u"{}"_s, server.url("/s").toString()}));
    QCOMPARE(cli.exitCode(), 1);
    QVERIFY2(cli.records(u"llm"_s).isEmpty(), cli.describe());
}

void TestLlmCli::outputFileHoldsTheRecord()
{
    TestServer server;
    const QByteArray wire = stream(u"anthropic-tools"_s);
    server.route("/s", [&](Exchange *exchange) { serve(exchange, wire); });
    QTemporaryDir dir;
    const QString path = dir.filePath(u"run.jsonl"_s);
    Cli cli;
    QVERIFY(cli.run({u"--llm"_s, u"-q"_s, u"-o"_s, path, u"-d"_s, u"{}"_s,
                     server.url("/s").toString()}));
    QVERIFY2(cli.exitCode() == 0, cli.describe());
    const QList<QJsonObject> llm = Cli::recordsOf(readFile(path), u"llm"_s);
    QCOMPARE(llm.size(), 1);
    QCOMPARE(llm.first().value("tool_calls"_L1).toArray().size(), 2);
}

void TestLlmCli::withoutTheOptionNoRecord()
{
    TestServer server;
    const QByteArray wire = stream(u"chat-text"_s);
    server.route("/s", [&](Exchange *exchange) { serve(exchange, wire); });
    Cli cli;
    QVERIFY(cli.run({u"--no-reconnect"_s, server.url("/s").toString()}));
    QCOMPARE(cli.records(u"event"_s).size(), 8);
    QVERIFY(cli.records(u"llm"_s).isEmpty());
}

void TestLlmCli::replayServesAnLlmRecording_data()
{
    QTest::addColumn<QString>("name");
    for (const QString &name : {u"chat-tools"_s, u"anthropic-tools"_s, u"gemini-tools"_s,
                                u"responses-tools"_s})
        QTest::newRow(qPrintable(name)) << name;
}

void TestLlmCli::replayServesAnLlmRecording()
{
    // A recording made with --llm holds the llm record beside the events; replay serves the
    // events (not the record), and the summary rebuilt from them is the recorded one.
    QFETCH(QString, name);
    TestServer server;
    const QByteArray wire = stream(name);
    server.route("/s", [&](Exchange *exchange) { serve(exchange, wire); });
    QTemporaryDir dir;
    const QString path = dir.filePath(u"llm.jsonl"_s);
    Cli record;
    QVERIFY(record.run({u"--llm"_s, u"-q"_s, u"-o"_s, path, u"--no-reconnect"_s,
                        server.url("/s").toString()}));
    const QList<QJsonObject> recorded = Cli::recordsOf(readFile(path), u"llm"_s);
    QVERIFY2(recorded.size() == 1, record.describe());

    Cli replay;
    QVERIFY(replay.start({u"replay"_s, path, u"--fast"_s}));
    QTRY_VERIFY_WITH_TIMEOUT(replay.process().canReadLine(), ExitTimeoutMs);
    const QString url = QString::fromUtf8(replay.process().readLine().trimmed());
    QVERIFY2(url.startsWith(u"http://"_s), qPrintable(url));
    Cli client;
    QVERIFY(client.run({u"--llm"_s, u"--no-reconnect"_s, url}));
    const QList<QJsonObject> rebuilt = client.records(u"llm"_s);
    QVERIFY2(rebuilt.size() == 1, client.describe());
    QCOMPARE(comparable(rebuilt.first()), comparable(recorded.first()));
    QVERIFY(rebuilt.first().value("complete"_L1).toBool());
}

QTEST_GUILESS_MAIN(TestLlmCli)
#include "tst_llmcli.moc"
