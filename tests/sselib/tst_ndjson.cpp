// NDJSON / JSON Lines and streamed JSON arrays: the JsonStreamParser on its own (whole, 1-byte
// and 2-byte chunks), Sse::Client's diagnosis without the mode and its events with it, against a
// loopback TestServer, and `sse-monitor-cli --ndjson`.

#include "jsonstreamparser.h"
#include "testserver.h"

#include "sselib/sseclient.h"

#include <QProcess>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

QList<QByteArray> parseInChunks(const QByteArray &body, qsizetype chunk)
{
    Sse::JsonStreamParser parser;
    Sse::EventBatch batch;
    for (qsizetype i = 0; i < body.size(); i += chunk)
        parser.feed(body.constData() + i, qMin(chunk, body.size() - i), batch, 0);
    parser.finish(batch, 0);
    QList<QByteArray> out;
    for (const Sse::EventView event : batch) {
        out.append(event.data.toByteArray());
        if (event.type != "ndjson")
            out.append("(wrong type)");
    }
    return out;
}

// Every event \a client delivers, in order.
void collect(Sse::Client *client, QList<Sse::Event> *events)
{
    QObject::connect(client, &Sse::Client::eventsReceived, client,
                     [events](const Sse::EventBatch &batch) { batch.appendTo(*events); });
}

} // namespace

class TestNdjson : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parser_data();
    void parser();
    void eventTooLarge();
    void diagnosisWithoutTheMode_data();
    void diagnosisWithoutTheMode();
    void modeTurnsLinesIntoEvents_data();
    void modeTurnsLinesIntoEvents();
    void eventStreamStillSse();
    void cli();
};

void TestNdjson::parser_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QList<QByteArray>>("events");
    QTest::newRow("ndjson") << QByteArray("{\"a\":1}\n{\"b\":2}\n")
                            << QList<QByteArray>{"{\"a\":1}", "{\"b\":2}"};
    QTest::newRow("crlf and blank lines") << QByteArray("{\"a\":1}\r\n\r\n\n{\"b\":2}\r\n")
                                          << QList<QByteArray>{"{\"a\":1}", "{\"b\":2}"};
    QTest::newRow("last line without newline") << QByteArray("{\"a\":1}\n{\"b\":2}")
                                               << QList<QByteArray>{"{\"a\":1}", "{\"b\":2}"};
    QTest::newRow("Ollama /api/generate")
        << QByteArray("{\"model\":\"llama3\",\"response\":\"Hel\",\"done\":false}\n"
                      "{\"model\":\"llama3\",\"response\":\"lo\",\"done\":false}\n"
                      "{\"model\":\"llama3\",\"response\":\"\",\"done\":true}\n")
        << QList<QByteArray>{"{\"model\":\"llama3\",\"response\":\"Hel\",\"done\":false}",
                             "{\"model\":\"llama3\",\"response\":\"lo\",\"done\":false}",
                             "{\"model\":\"llama3\",\"response\":\"\",\"done\":true}"};
    QTest::newRow("Gemini streamGenerateContent array")
        << QByteArray("[{\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"a, [b]\"}]}}]}\r\n"
                      ",\r\n{\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"\\\"}\"}]}}]}\r\n]")
        << QList<QByteArray>{
               "{\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"a, [b]\"}]}}]}",
               "{\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"\\\"}\"}]}}]}"};
    QTest::newRow("array of scalars") << QByteArray(" [1, \"two\", [3,4], null]")
                                      << QList<QByteArray>{"1", "\"two\"", "[3,4]", "null"};
    QTest::newRow("empty array") << QByteArray("[]") << QList<QByteArray>{};
    QTest::newRow("after the array") << QByteArray("[1]\n[2]") << QList<QByteArray>{"1"};
}

void TestNdjson::parser()
{
    QFETCH(QByteArray, body);
    QFETCH(QList<QByteArray>, events);
    QCOMPARE(parseInChunks(body, body.size() + 1), events);
    QCOMPARE(parseInChunks(body, 1), events);
    QCOMPARE(parseInChunks(body, 2), events);
}

void TestNdjson::eventTooLarge()
{
    Sse::JsonStreamParser parser;
    parser.setMaximumEventSize(10);
    Sse::EventBatch batch;
    QCOMPARE(parser.feed("{\"a\":1}\n", 8, batch, 0), Sse::JsonStreamParser::Status::Ok);
    const QByteArray big(64, 'x');
    QCOMPARE(parser.feed(big.constData(), big.size(), batch, 0),
             Sse::JsonStreamParser::Status::EventTooLarge);
    QCOMPARE(batch.size(), 1);
}

void TestNdjson::diagnosisWithoutTheMode_data()
{
    QTest::addColumn<QByteArray>("contentType");
    QTest::newRow("x-ndjson") << QByteArray("application/x-ndjson");
    QTest::newRow("jsonl") << QByteArray("application/jsonl; charset=utf-8");
    QTest::newRow("json") << QByteArray("application/json");
}

void TestNdjson::diagnosisWithoutTheMode()
{
    QFETCH(QByteArray, contentType);
    TestServer server;
    server.route("/api/generate", [contentType](TestServer::Exchange *exchange) {
        exchange->writeHead(200, {{"Content-Type", contentType}, {"Transfer-Encoding", "chunked"}});
        exchange->send("{\"response\":\"hi\"}\n");
    });
    Sse::ClientOptions options;
    options.url = server.url("/api/generate");
    Sse::Client client;
    client.setOptions(options);
    client.open();
    QTRY_COMPARE_WITH_TIMEOUT(client.state(), Sse::Client::State::Failed, 10000);
    QCOMPARE(client.failure().kind, Sse::FailureInfo::Kind::ContentType);
    const QString message = client.failure().message;
    QVERIFY2(message.contains(u"this endpoint streams NDJSON or JSON, not SSE"_s)
                 && message.contains(u"Ollama"_s) && message.contains(u"--ndjson"_s),
             qPrintable(message));
}

void TestNdjson::modeTurnsLinesIntoEvents_data()
{
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<QByteArray>("first");
    QTest::addColumn<QByteArray>("second");
    QTest::addColumn<QByteArray>("end");
    QTest::newRow("ndjson") << QByteArray("application/x-ndjson") << QByteArray("{\"n\":1}\n")
                            << QByteArray("{\"n\":2}\n") << QByteArray();
    QTest::newRow("json array") << QByteArray("application/json") << QByteArray("[{\"n\":1}")
                                << QByteArray(",\r\n{\"n\":2}") << QByteArray("]");
}

// Each line arrives as its own event while the response is still running.
void TestNdjson::modeTurnsLinesIntoEvents()
{
    QFETCH(QByteArray, contentType);
    QFETCH(QByteArray, first);
    QFETCH(QByteArray, second);
    QFETCH(QByteArray, end);
    TestServer server;
    server.route("/stream", [=](TestServer::Exchange *exchange) {
        exchange->writeHead(200, {{"Content-Type", contentType}, {"Transfer-Encoding", "chunked"}});
        exchange->send(first);
    });
    Sse::ClientOptions options;
    options.url = server.url("/stream");
    options.bodyFormat = Sse::BodyFormat::NdJson;
    options.reconnectPolicy = Sse::ReconnectPolicy::Never;
    Sse::Client client;
    client.setOptions(options);
    QList<Sse::Event> events;
    collect(&client, &events);
    client.open();
    // An array element counts as complete at its closing brace, before the comma comes.
    QTRY_COMPARE_WITH_TIMEOUT(events.size(), 1, 10000);
    QTRY_COMPARE(server.exchanges("/stream").size(), 1);
    TestServer::Exchange *exchange = server.exchanges("/stream").first();
    exchange->send(second);
    QTRY_COMPARE_WITH_TIMEOUT(events.size(), 2, 10000);
    exchange->send(end);
    exchange->finish();
    QTRY_COMPARE_WITH_TIMEOUT(client.state(), Sse::Client::State::Closed, 10000);
    QCOMPARE(events.size(), 2);
    QCOMPARE(events.at(0).type, QByteArray("ndjson"));
    QCOMPARE(events.at(0).data, QByteArray("{\"n\":1}"));
    QCOMPARE(events.at(1).data, QByteArray("{\"n\":2}"));
    QCOMPARE(client.statistics().eventsByType.value("ndjson"), 2);
}

void TestNdjson::eventStreamStillSse()
{
    TestServer server;
    server.route("/events", [](TestServer::Exchange *exchange) {
        exchange->sseHead();
        exchange->send(TestServer::formatEvent("x", "tick"));
    });
    Sse::ClientOptions options;
    options.url = server.url("/events");
    options.bodyFormat = Sse::BodyFormat::NdJson;
    Sse::Client client;
    client.setOptions(options);
    QList<Sse::Event> events;
    collect(&client, &events);
    client.open();
    QTRY_COMPARE_WITH_TIMEOUT(events.size(), 1, 10000);
    QCOMPARE(events.first().type, QByteArray("tick"));
}

void TestNdjson::cli()
{
    const QString cli = qEnvironmentVariable("SSE_MONITOR_CLI");
    QVERIFY2(!cli.isEmpty(), "SSE_MONITOR_CLI is not set (run through CTest)");
    TestServer server;
    server.route("/api/chat", [](TestServer::Exchange *exchange) {
        exchange->writeHead(200, {{"Content-Type", "application/x-ndjson"}});
        exchange->send("{\"message\":{\"content\":\"Hi\"},\"done\":false}\n"
                       "{\"done\":true}\n");
    });
    QProcess process;
    process.start(cli, {u"--ndjson"_s, u"--max-events"_s, u"2"_s, server.url("/api/chat").toString()});
    // The server answers from this thread's event loop: wait on it, never block it.
    QTRY_COMPARE_WITH_TIMEOUT(process.state(), QProcess::NotRunning, 15000);
    const QByteArray output = process.readAllStandardOutput();
    QCOMPARE(process.exitCode(), 0);
    QVERIFY2(output.contains("\"type\":\"ndjson\",\"data\":\"{\\\"done\\\":true}\""),
             output.constData());

    QProcess without;
    without.start(cli, {u"--no-reconnect"_s, server.url("/api/chat").toString()});
    QTRY_COMPARE_WITH_TIMEOUT(without.state(), QProcess::NotRunning, 15000);
    QCOMPARE(without.exitCode(), 1);
    QVERIFY(without.readAllStandardError().contains("streams NDJSON or JSON, not SSE"));
}

QTEST_GUILESS_MAIN(TestNdjson)
#include "tst_ndjson.moc"
