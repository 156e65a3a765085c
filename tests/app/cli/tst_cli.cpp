// End-to-end tests of the built sse-monitor-cli binary against a loopback TestServer.

#include "sanitizers.h"
#include "testserver.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QProcess>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QSet>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <memory>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace Qt::StringLiterals;
using Exchange = TestServer::Exchange;

namespace {

// Long enough for a slow CI machine, short enough that a hang fails the run quickly.
constexpr int ExitTimeoutMs = 10000;

QString cliPath()
{
    return qEnvironmentVariable("SSE_MONITOR_CLI");
}

// The CLI as a child process. The test server runs in this thread's event loop,
// so waiting spins that loop (QSignalSpy::wait) instead of blocking in
// QProcess::waitForFinished().
class Cli
{
public:
    Cli()
    {
        // Loopback must not be sent to a proxy named in the environment.
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        for (const QString &name : {u"http_proxy"_s, u"HTTP_PROXY"_s, u"https_proxy"_s,
                                    u"HTTPS_PROXY"_s, u"all_proxy"_s, u"ALL_PROXY"_s}) {
            environment.remove(name);
        }
        m_process.setProcessEnvironment(environment);
        m_process.setProgram(cliPath());
    }

    ~Cli()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
    }

    Q_DISABLE_COPY(Cli)

    /// Starts the CLI; false if the binary could not be started.
    bool start(const QStringList &arguments)
    {
        m_process.setArguments(arguments);
        m_finished = std::make_unique<QSignalSpy>(&m_process, &QProcess::finished);
        m_clock.start();
        m_process.start();
        // Blocking here is harmless: the server only has to answer once the child runs.
        return m_process.waitForStarted(5000);
    }

    /// Runs the event loop until the CLI exits; on a timeout kills it and returns false.
    bool waitForExit(int timeoutMs = ExitTimeoutMs)
    {
        const bool exited = !m_finished->isEmpty() || m_finished->wait(timeoutMs);
        m_elapsedMs = m_clock.elapsed();
        if (!exited) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
        m_out += m_process.readAllStandardOutput();
        m_err += m_process.readAllStandardError();
        return exited;
    }

    bool run(const QStringList &arguments, int timeoutMs = ExitTimeoutMs)
    {
        return start(arguments) && waitForExit(timeoutMs);
    }

    QProcess &process() { return m_process; }
    int exitCode() const { return m_process.exitCode(); }
    QProcess::ExitStatus exitStatus() const { return m_process.exitStatus(); }
    QByteArray out() const { return m_out; }
    QByteArray err() const { return m_err; }
    qint64 elapsedMs() const { return m_elapsedMs; }

    /// Everything needed to understand a failure, for QVERIFY2 messages.
    QByteArray describe() const
    {
        QString text = u"sse-monitor-cli %1: %2, exit code %3 after %4 ms\nstderr: %5\nstdout: %6"_s
                           .arg(m_process.arguments().join(u' '),
                                m_process.exitStatus() == QProcess::NormalExit
                                    ? u"exited"_s
                                    : u"crashed or was killed"_s)
                           .arg(m_process.exitCode())
                           .arg(m_elapsedMs)
                           .arg(QString::fromUtf8(m_err.left(2000)),
                                QString::fromUtf8(m_out.left(4000)));
        if (m_process.error() == QProcess::FailedToStart)
            text += u"\nfailed to start: "_s + m_process.errorString();
        return text.toUtf8();
    }

private:
    QProcess m_process;
    std::unique_ptr<QSignalSpy> m_finished;
    QElapsedTimer m_clock;
    QByteArray m_out;
    QByteArray m_err;
    qint64 m_elapsedMs = 0;
};

// Splits JSON Lines output into objects. Every line must be complete (end with
// LF), a JSON object, and carry kind, seq and a well-formed UTC time.
bool parseRecords(const QByteArray &bytes, QList<QJsonObject> *records, QByteArray *error)
{
    static const QRegularExpression timePattern(
        uR"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$)"_s);
    records->clear();
    if (!bytes.isEmpty() && !bytes.endsWith('\n')) {
        *error = "output ends with an incomplete line: " + bytes.right(200);
        return false;
    }
    const QByteArrayList lines = bytes.split('\n');
    for (qsizetype i = 0; i + 1 < lines.size(); ++i) {
        const QByteArray &line = lines.at(i);
        QJsonParseError parseError;
        const QJsonDocument document = QJsonDocument::fromJson(line, &parseError);
        if (parseError.error != QJsonParseError::NoError || !document.isObject()) {
            *error = "line " + QByteArray::number(i + 1) + " is not a JSON object ("
                + parseError.errorString().toUtf8() + "): " + line;
            return false;
        }
        const QJsonObject object = document.object();
        if (!object.value(u"kind"_s).isString() || !object.value(u"seq"_s).isDouble()) {
            *error = "line " + QByteArray::number(i + 1) + " lacks kind or seq: " + line;
            return false;
        }
        if (!timePattern.match(object.value(u"time"_s).toString()).hasMatch()) {
            *error = "line " + QByteArray::number(i + 1) + " has a malformed time: " + line;
            return false;
        }
        records->append(object);
    }
    return true;
}

QList<QJsonObject> ofKind(const QList<QJsonObject> &records, const QString &kind)
{
    QList<QJsonObject> result;
    for (const QJsonObject &record : records) {
        if (record.value(u"kind"_s).toString() == kind)
            result.append(record);
    }
    return result;
}

QStringList stateNames(const QList<QJsonObject> &records)
{
    QStringList names;
    for (const QJsonObject &record : ofKind(records, u"state"_s))
        names.append(record.value(u"state"_s).toString());
    return names;
}

// A record without its time (checked by parseRecords), as compact JSON: objects
// compare member by member with a readable failure message.
QByteArray withoutTime(QJsonObject record)
{
    record.remove(u"time"_s);
    return QJsonDocument(record).toJson(QJsonDocument::Compact);
}

QByteArray eventRecord(qint64 seq, const QString &type, const QString &data, const QString &id)
{
    return QJsonDocument(QJsonObject{{u"kind"_s, u"event"_s},
                                     {u"seq"_s, seq},
                                     {u"type"_s, type},
                                     {u"data"_s, data},
                                     {u"id"_s, id}})
        .toJson(QJsonDocument::Compact);
}

QByteArray stateRecord(qint64 seq, const QString &state, QJsonObject extra = {})
{
    extra.insert(u"kind"_s, u"state"_s);
    extra.insert(u"seq"_s, seq);
    extra.insert(u"state"_s, state);
    return QJsonDocument(extra).toJson(QJsonDocument::Compact);
}

qint64 timeOf(const QJsonObject &record)
{
    return QDateTime::fromString(record.value(u"time"_s).toString(), Qt::ISODateWithMs)
        .toMSecsSinceEpoch();
}

// Events "id: N / data: eN" for N = 1..count.
QByteArray numberedEvents(int count)
{
    QByteArray wire;
    for (int n = 1; n <= count; ++n)
        wire += TestServer::formatEvent("e" + QByteArray::number(n), {}, QByteArray::number(n));
    return wire;
}

// Streams \a body and keeps the connection open until the client goes away.
TestServer::Handler holdOpen(const QByteArray &body)
{
    return [body](Exchange *exchange) {
        exchange->sseHead();
        if (!body.isEmpty())
            exchange->send(body);
    };
}

// Streams \a body, then ends the response: closes the connection (close-delimited)
// or writes the last chunk (chunked).
//
// Tests that count requests use chunked framing. After a close-delimited body
// ends, Qt 6.4's QNetworkAccessManager now and then sends the same GET again on a
// new connection by itself (reproduced with a bare QNAM get() and no sselib code),
// so counting requests there would test Qt, not the CLI.
TestServer::Handler endAfter(const QByteArray &body,
                             TestServer::Framing framing = TestServer::Framing::Chunked)
{
    return [body, framing](Exchange *exchange) {
        exchange->sseHead(framing);
        exchange->send(body);
        exchange->finish();
    };
}

// First request: two events with ids, `retry: 50`, end of stream (chunked, see
// endAfter()). Later requests: one more event, then the stream stays open.
void serveReconnectingStream(TestServer &server)
{
    server.route("/stream", [&server](Exchange *exchange) {
        if (server.requestCount("/stream") == 1) {
            endAfter("retry: 50\n\nid: a1\ndata: x\n\nid: a2\ndata: y\n\n"_ba)(exchange);
        } else {
            exchange->sseHead();
            exchange->send("id: b1\ndata: z\n\n");
        }
    });
}

QString url(const TestServer &server, const QByteArray &path = "/stream"_ba)
{
    return server.url(path).toString();
}

struct ExpectedEvent
{
    QString type;
    QString data;
    QString id;
};
using ExpectedEvents = QList<ExpectedEvent>;

} // namespace

Q_DECLARE_METATYPE(ExpectedEvent)
Q_DECLARE_METATYPE(ExpectedEvents)

class TestCli : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void distinctTypesStayBounded();

    void events_data();
    void events();
    void maxEvents_data();
    void maxEvents();
    void statesShowReconnect();
    void reconnectSendsLastEventId();
    void lastEventIdOption();
    void requestHeaders();
    void postBody_data();
    void postBody();
    void httpFailures_data();
    void httpFailures();
    void noReconnect();
    void timeout();
    void outputFile();
    void quietOutput();
    void outputAppends();
    void outputUnwritable();
    void usageErrors_data();
    void usageErrors();
    void idleTimeout();
    void maxEventSize_data();
    void maxEventSize();
    void demo();
    void terminateFlushes();

    // Hostile input, round 2 (issue 20, items 14 and 15).
    void lineBreaksRejected_data();
    void lineBreaksRejected();
    void profileLineBreaksRejected_data();
    void profileLineBreaksRejected();
    void numbersValidated_data();
    void numbersValidated();
    void dataFileCapped_data();
    void dataFileCapped();
    void fifoWithoutReaderEndsAtTimeout();
    void fifoWithReaderGetsRecords();
};

void TestCli::initTestCase()
{
    const QString path = cliPath();
    QVERIFY2(!path.isEmpty(),
             "SSE_MONITOR_CLI is not set: run this test through ctest, which points it at "
             "the built sse-monitor-cli (see tests/CMakeLists.txt)");
    QVERIFY2(QFileInfo(path).isExecutable(),
             qPrintable(u"SSE_MONITOR_CLI=%1 is not an executable file"_s.arg(path)));
}

void TestCli::init()
{
    // Qt 6.4 has only the pattern form.
    QTest::failOnWarning(QRegularExpression(u".*"_s));
}

void TestCli::events_data()
{
    QTest::addColumn<QByteArray>("wire");
    QTest::addColumn<ExpectedEvents>("expected");

    QTest::newRow("type, id and seq")
        << "data: first\n\nevent: tick\nid: 7\ndata: second\n\ndata: third\n\n"_ba
        << ExpectedEvents{{u"message"_s, u"first"_s, QString()},
                          {u"tick"_s, u"second"_s, u"7"_s},
                          {u"message"_s, u"third"_s, u"7"_s}};
    QTest::newRow("multi-line data")
        << "data: one\ndata: two\ndata:\ndata: three\n\n"_ba
        << ExpectedEvents{{u"message"_s, u"one\ntwo\n\nthree"_s, QString()}};
    QTest::newRow("CRLF lines")
        << "event: crlf\r\ndata: a\r\ndata: b\r\n\r\n"_ba
        << ExpectedEvents{{u"crlf"_s, u"a\nb"_s, QString()}};
    QTest::newRow("quotes and backslashes")
        << R"(data: {"path":"C:\dir\file","quote":"say \"hi\"","tab":"a\tb"} \)"
           "\n\n"_ba
        << ExpectedEvents{{u"message"_s,
                           uR"({"path":"C:\dir\file","quote":"say \"hi\"","tab":"a\tb"} \)"_s,
                           QString()}};
    QTest::newRow("control characters")
        << "id: c\x01" "1\ndata: a\x01" "b\x1f" "c\td\x7f" "e\0f\x1b[0m\n\n"_ba
        << ExpectedEvents{{u"message"_s,
                           u"a\x01" "b\x1f" "c\td\x7f" "e"_s + QChar(u'\0') + u"f\x1b[0m"_s,
                           u"c\x01" "1"_s}};
    QTest::newRow("non-ASCII")
        << "event: caf\xc3\xa9\nid: \xf0\x9f\x98\x80\ndata: caf\xc3\xa9 \xf0\x9f\x98\x80 \xe4\xb8\xad\n\n"_ba
        << ExpectedEvents{{u"caf\u00e9"_s, u"caf\u00e9 \U0001F600 \u4e2d"_s, u"\U0001F600"_s}};
    // WHATWG decoding: one U+FFFD per maximal ill-formed subsequence.
    QTest::newRow("invalid UTF-8")
        << "event: t\xff\nid: i\xc3\ndata: a\xff" "b \xed\xa0\x80 c\xc0\xaf d\xc3\n\n"_ba
        << ExpectedEvents{{u"t\uFFFD"_s, u"a\uFFFDb \uFFFD\uFFFD\uFFFD c\uFFFD\uFFFD d\uFFFD"_s,
                           u"i\uFFFD"_s}};
}

void TestCli::events()
{
    QFETCH(QByteArray, wire);
    QFETCH(ExpectedEvents, expected);

    TestServer server;
    // The most common framing of an event stream; this test does not count requests.
    server.route("/stream", endAfter(wire, TestServer::Framing::CloseDelimited));
    Cli cli;
    QVERIFY2(cli.run({u"--no-reconnect"_s, url(server)}), cli.describe().constData());
    QCOMPARE(cli.exitStatus(), QProcess::NormalExit);
    QCOMPARE(cli.exitCode(), 0);

    QList<QJsonObject> records;
    QByteArray error;
    QVERIFY2(parseRecords(cli.out(), &records, &error), error.constData());
    QCOMPARE(records.size(), expected.size());
    for (qsizetype i = 0; i < expected.size(); ++i) {
        const ExpectedEvent &event = expected.at(i);
        QCOMPARE(withoutTime(records.at(i)), eventRecord(i + 1, event.type, event.data, event.id));
    }
}

void TestCli::maxEvents_data()
{
    QTest::addColumn<int>("maximum");
    QTest::newRow("1") << 1;
    QTest::newRow("3") << 3;
    QTest::newRow("all 10") << 10;
}

void TestCli::maxEvents()
{
    QFETCH(int, maximum);

    // Ten events, then a stream that never ends: only --max-events can end the run.
    TestServer server;
    server.route("/stream", holdOpen(numberedEvents(10)));
    Cli cli;
    QVERIFY2(cli.run({u"--max-events"_s, QString::number(maximum), url(server)}),
             cli.describe().constData());
    QCOMPARE(cli.exitStatus(), QProcess::NormalExit);
    QCOMPARE(cli.exitCode(), 0);

    QList<QJsonObject> records;
    QByteArray error;
    QVERIFY2(parseRecords(cli.out(), &records, &error), error.constData());
    QCOMPARE(records.size(), maximum);
    for (int n = 1; n <= maximum; ++n) {
        QCOMPARE(withoutTime(records.at(n - 1)),
                 eventRecord(n, u"message"_s, u"e%1"_s.arg(n), QString::number(n)));
    }
}

void TestCli::statesShowReconnect()
{
    TestServer server;
    serveReconnectingStream(server);
    Cli cli;
    QVERIFY2(cli.run({u"--states"_s, u"--max-events"_s, u"3"_s, url(server)}), cli.describe().constData());
    QCOMPARE(cli.exitCode(), 0);

    QList<QJsonObject> records;
    QByteArray error;
    QVERIFY2(parseRecords(cli.out(), &records, &error), error.constData());
    QCOMPARE(records.size(), 9);

    // The delay left until the reconnect depends on timing: check it, then drop it.
    QJsonObject reconnecting = records.at(4);
    QVERIFY2(reconnecting.value(u"retry_ms"_s).isDouble(), withoutTime(reconnecting).constData());
    const double retryMs = reconnecting.value(u"retry_ms"_s).toDouble();
    QVERIFY2(retryMs >= 0 && retryMs <= 50, withoutTime(reconnecting).constData());
    reconnecting.remove(u"retry_ms"_s);

    QCOMPARE(withoutTime(records.at(0)), stateRecord(0, u"connecting"_s));
    QCOMPARE(withoutTime(records.at(1)), stateRecord(0, u"open"_s, {{u"status"_s, 200}, {u"protocol"_s, u"HTTP/1.1"_s}}));
    QCOMPARE(withoutTime(records.at(2)), eventRecord(1, u"message"_s, u"x"_s, u"a1"_s));
    QCOMPARE(withoutTime(records.at(3)), eventRecord(2, u"message"_s, u"y"_s, u"a2"_s));
    QCOMPARE(withoutTime(reconnecting),
             stateRecord(2, u"reconnecting"_s,
                         {{u"attempt"_s, 1}, {u"error"_s, u"Server ended the stream"_s}}));
    QCOMPARE(withoutTime(records.at(5)),
             stateRecord(2, u"connecting"_s, {{u"attempt"_s, 1}, {u"last_event_id"_s, u"a2"_s}}));
    QCOMPARE(withoutTime(records.at(6)), stateRecord(2, u"open"_s, {{u"status"_s, 200}, {u"protocol"_s, u"HTTP/1.1"_s}}));
    QCOMPARE(withoutTime(records.at(7)), eventRecord(3, u"message"_s, u"z"_s, u"b1"_s));
    // Ended by --max-events: no stale error from the earlier reconnect.
    QCOMPARE(withoutTime(records.at(8)), stateRecord(3, u"closed"_s));
}

void TestCli::reconnectSendsLastEventId()
{
    TestServer server;
    serveReconnectingStream(server);
    Cli cli;
    QVERIFY2(cli.run({u"--max-events"_s, u"3"_s, url(server)}), cli.describe().constData());
    QCOMPARE(cli.exitCode(), 0);

    const QList<TestServer::Request> requests = server.requests("/stream");
    QCOMPARE(requests.size(), 2);
    QVERIFY2(!requests.at(0).hasHeader("Last-Event-ID"), requests.at(0).header("Last-Event-ID").constData());
    QCOMPARE(requests.at(1).header("Last-Event-ID"), "a2"_ba);
}

void TestCli::lastEventIdOption()
{
    TestServer server;
    server.route("/stream", holdOpen(numberedEvents(1)));
    Cli cli;
    QVERIFY2(cli.run({u"--last-event-id"_s, u"resume-42"_s, u"--max-events"_s, u"1"_s,
                      url(server)}),
             cli.describe().constData());
    QCOMPARE(cli.exitCode(), 0);

    const QList<TestServer::Request> requests = server.requests("/stream");
    QCOMPARE(requests.size(), 1);
    QCOMPARE(requests.at(0).header("Last-Event-ID"), "resume-42"_ba);
}

void TestCli::requestHeaders()
{
    TestServer server;
    server.route("/stream", holdOpen(numberedEvents(1)));
    Cli cli;
    QVERIFY2(cli.run({u"-H"_s, u"X-Api-Key: s3cret"_s, u"--header"_s,
                      u"X-Trace:   padded value  "_s, u"-H"_s, u"X-Empty:"_s, u"-H"_s,
                      u"X-Url: http://example.org/a:b"_s, u"--max-events"_s, u"1"_s,
                      url(server)}),
             cli.describe().constData());
    QCOMPARE(cli.exitCode(), 0);

    const QList<TestServer::Request> requests = server.requests("/stream");
    QCOMPARE(requests.size(), 1);
    const TestServer::Request &request = requests.at(0);
    QCOMPARE(request.method, "GET"_ba);
    QCOMPARE(request.header("X-Api-Key"), "s3cret"_ba);
    QCOMPARE(request.header("X-Trace"), "padded value"_ba);
    QVERIFY(request.hasHeader("X-Empty"));
    QCOMPARE(request.header("X-Empty"), QByteArray());
    QCOMPARE(request.header("X-Url"), "http://example.org/a:b"_ba);
    QCOMPARE(request.body, QByteArray());
}

void TestCli::postBody_data()
{
    QTest::addColumn<QStringList>("arguments"); // BODYFILE stands for a file holding body
    QTest::addColumn<QByteArray>("body");

    const QByteArray json = R"({"model":"m","stream":true})"_ba;
    QTest::newRow("-X POST -d") << QStringList{u"-X"_s, u"POST"_s, u"-d"_s, QString::fromUtf8(json)}
                                << json;
    QTest::newRow("-d implies POST") << QStringList{u"-d"_s, QString::fromUtf8(json)} << json;
    QTest::newRow("--data-file") << QStringList{u"--data-file"_s, u"BODYFILE"_s}
                                 << "first line\nsecond \xc3\xa9 line\n"_ba;
    QTest::newRow("-X post --data-file") << QStringList{u"-X"_s, u"post"_s, u"--data-file"_s,
                                                        u"BODYFILE"_s}
                                         << json;
}

void TestCli::postBody()
{
    QFETCH(QStringList, arguments);
    QFETCH(QByteArray, body);

    QTemporaryDir directory;
    QVERIFY2(directory.isValid(), qPrintable(directory.errorString()));
    const QString bodyPath = directory.filePath(u"body.json"_s);
    QFile bodyFile(bodyPath);
    QVERIFY(bodyFile.open(QIODevice::WriteOnly));
    QCOMPARE(bodyFile.write(body), body.size());
    bodyFile.close();
    arguments.replaceInStrings(u"BODYFILE"_s, bodyPath);

    // `retry: 10`: were the POST re-sent, a second request would follow at once.
    TestServer server;
    server.route("/stream", endAfter("retry: 10\n\n"_ba + numberedEvents(1)));
    Cli cli;
    QVERIFY2(cli.run(arguments + QStringList{url(server)}), cli.describe().constData());
    QCOMPARE(cli.exitStatus(), QProcess::NormalExit);
    QCOMPARE(cli.exitCode(), 0);

    QList<QJsonObject> records;
    QByteArray error;
    QVERIFY2(parseRecords(cli.out(), &records, &error), error.constData());
    QCOMPARE(records.size(), 1);
    QCOMPARE(withoutTime(records.at(0)), eventRecord(1, u"message"_s, u"e1"_s, u"1"_s));

    const QList<TestServer::Request> requests = server.requests("/stream");
    QCOMPARE(requests.size(), 1);
    QCOMPARE(requests.at(0).method, "POST"_ba);
    QCOMPARE(requests.at(0).body, body);
}

void TestCli::httpFailures_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("message"); // expected on stderr and in the last record
    QTest::addColumn<QStringList>("states");

    QTest::newRow("404") << 404 << "text/plain"_ba << 1 << u"HTTP 404"_s
                         << QStringList{u"connecting"_s, u"failed"_s};
    QTest::newRow("500") << 500 << "text/plain"_ba << 1 << u"HTTP 500"_s
                         << QStringList{u"connecting"_s, u"failed"_s};
    QTest::newRow("text/html") << 200 << "text/html; charset=utf-8"_ba << 1 << u"text/html"_s
                               << QStringList{u"connecting"_s, u"failed"_s};
    // 204 fails the connection (state failed, status 204) but is the server's deliberate end
    // of the stream (our replay server ends that way): exit code 0.
    QTest::newRow("204") << 204 << QByteArray() << 0 << u"204"_s
                         << QStringList{u"connecting"_s, u"failed"_s};
}

void TestCli::httpFailures()
{
    QFETCH(int, status);
    QFETCH(QByteArray, contentType);
    QFETCH(int, exitCode);
    QFETCH(QString, message);
    QFETCH(QStringList, states);

    TestServer server;
    server.route("/stream", [&](Exchange *exchange) {
        TestServer::Headers headers;
        if (!contentType.isEmpty())
            headers.append({"Content-Type"_ba, contentType});
        exchange->respond(status, headers, status == 204 ? QByteArray() : "<p>nope</p>"_ba);
    });
    Cli cli;
    QVERIFY2(cli.run({u"--states"_s, url(server)}), cli.describe().constData());
    QCOMPARE(cli.exitStatus(), QProcess::NormalExit);
    QVERIFY2(cli.exitCode() == exitCode, cli.describe().constData());
    QVERIFY2(QString::fromUtf8(cli.err()).contains(message), cli.describe().constData());

    QList<QJsonObject> records;
    QByteArray error;
    QVERIFY2(parseRecords(cli.out(), &records, &error), error.constData());
    QCOMPARE(stateNames(records), states);
    QCOMPARE(ofKind(records, u"event"_s).size(), 0);
    const QJsonObject last = records.constLast();
    QVERIFY2(last.value(u"error"_s).toString().contains(message), withoutTime(last).constData());
    if (states.constLast() == u"failed"_s)
        QCOMPARE(last.value(u"status"_s).toInt(), status);
    QCOMPARE(server.requestCount("/stream"), 1);
}

void TestCli::noReconnect()
{
    // `retry: 10`: without --no-reconnect the CLI would be back within 10 ms and never exit.
    TestServer server;
    server.route("/stream", endAfter("retry: 10\n\n"_ba + numberedEvents(2)));
    Cli cli;
    QVERIFY2(cli.run({u"--no-reconnect"_s, url(server)}), cli.describe().constData());
    QCOMPARE(cli.exitStatus(), QProcess::NormalExit);
    QCOMPARE(cli.exitCode(), 0);

    QList<QJsonObject> records;
    QByteArray error;
    QVERIFY2(parseRecords(cli.out(), &records, &error), error.constData());
    QCOMPARE(records.size(), 2);
    QCOMPARE(withoutTime(records.at(0)), eventRecord(1, u"message"_s, u"e1"_s, u"1"_s));
    QCOMPARE(withoutTime(records.at(1)), eventRecord(2, u"message"_s, u"e2"_s, u"2"_s));
    QCOMPARE(server.requestCount("/stream"), 1);
}

void TestCli::timeout()
{
    TestServer server;
    server.route("/stream", holdOpen(numberedEvents(1)));
    Cli cli;
    QVERIFY2(cli.run({u"--timeout"_s, u"0.5"_s, url(server)}, 5000), cli.describe().constData());
    QCOMPARE(cli.exitStatus(), QProcess::NormalExit);
    QCOMPARE(cli.exitCode(), 0);
    QVERIFY2(cli.elapsedMs() >= 500, cli.describe().constData());

    QList<QJsonObject> records;
    QByteArray error;
    QVERIFY2(parseRecords(cli.out(), &records, &error), error.constData());
    QCOMPARE(records.size(), 1);
    QCOMPARE(withoutTime(records.at(0)), eventRecord(1, u"message"_s, u"e1"_s, u"1"_s));
}

void TestCli::outputFile()
{
    QTemporaryDir directory;
    QVERIFY2(directory.isValid(), qPrintable(directory.errorString()));
    const QString path = directory.filePath(u"log.jsonl"_s);

    TestServer server;
    server.route("/stream", holdOpen(numberedEvents(3)));
    Cli cli;
    QVERIFY2(cli.run({u"--states"_s, u"--max-events"_s, u"3"_s, u"-o"_s, path, url(server)}),
             cli.describe().constData());
    QCOMPARE(cli.exitCode(), 0);

    QFile file(path);
    QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(file.errorString()));
    const QByteArray written = file.readAll();
    QCOMPARE(written, cli.out());

    QList<QJsonObject> records;
    QByteArray error;
    QVERIFY2(parseRecords(written, &records, &error), error.constData());
    QCOMPARE(ofKind(records, u"event"_s).size(), 3);
    QCOMPARE(stateNames(records), (QStringList{u"connecting"_s, u"open"_s, u"closed"_s}));
}

void TestCli::quietOutput()
{
    QTemporaryDir directory;
    QVERIFY2(directory.isValid(), qPrintable(directory.errorString()));
    const QString path = directory.filePath(u"log.jsonl"_s);

    TestServer server;
    server.route("/stream", holdOpen(numberedEvents(3)));
    Cli cli;
    QVERIFY2(cli.run({u"-q"_s, u"-o"_s, path, u"--max-events"_s, u"3"_s, url(server)}),
             cli.describe().constData());
    QCOMPARE(cli.exitCode(), 0);
    QCOMPARE(cli.out(), QByteArray());

    QFile file(path);
    QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(file.errorString()));
    QList<QJsonObject> records;
    QByteArray error;
    QVERIFY2(parseRecords(file.readAll(), &records, &error), error.constData());
    QCOMPARE(records.size(), 3);
    for (int n = 1; n <= 3; ++n) {
        QCOMPARE(withoutTime(records.at(n - 1)),
                 eventRecord(n, u"message"_s, u"e%1"_s.arg(n), QString::number(n)));
    }
}

void TestCli::outputAppends()
{
    QTemporaryDir directory;
    QVERIFY2(directory.isValid(), qPrintable(directory.errorString()));
    const QString path = directory.filePath(u"log.jsonl"_s);
    const QByteArray earlier =
        R"({"kind":"event","seq":1,"time":"2026-01-01T00:00:00.000Z","type":"message","data":"old","id":""})"
        "\n"_ba;
    {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        QCOMPARE(file.write(earlier), earlier.size());
    }

    TestServer server;
    server.route("/stream", holdOpen(numberedEvents(2)));
    Cli cli;
    QVERIFY2(cli.run({u"-o"_s, path, u"--max-events"_s, u"2"_s, url(server)}), cli.describe().constData());
    QCOMPARE(cli.exitCode(), 0);
    QCOMPARE(cli.out().count('\n'), 2);

    QFile file(path);
    QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(file.errorString()));
    QCOMPARE(file.readAll(), earlier + cli.out());
}

void TestCli::outputUnwritable()
{
    const QString path = u"/nonexistent-dir/x.jsonl"_s;
    QVERIFY2(!QFileInfo::exists(u"/nonexistent-dir"_s), "/nonexistent-dir exists on this machine");

    TestServer server;
    server.route("/stream", holdOpen(numberedEvents(1)));
    Cli cli;
    QVERIFY2(cli.run({u"-o"_s, path, url(server)}), cli.describe().constData());
    QCOMPARE(cli.exitStatus(), QProcess::NormalExit);
    QVERIFY2(cli.exitCode() == 3, cli.describe().constData());
    const QString err = QString::fromUtf8(cli.err());
    QVERIFY2(err.contains(path), cli.describe().constData());
    QVERIFY2(err.contains(u"No such file or directory"_s), cli.describe().constData());
    QCOMPARE(cli.out(), QByteArray());
    // The output is checked before connecting.
    QCOMPARE(server.requestCount(), 0);
}

void TestCli::usageErrors_data()
{
    QTest::addColumn<QStringList>("arguments"); // URL stands for the server's stream URL
    QTest::addColumn<QString>("message");

    QTest::newRow("no URL") << QStringList() << u"URL"_s;
    QTest::newRow("two URLs") << QStringList{u"URL"_s, u"URL"_s} << u"URL"_s;
    QTest::newRow("header without colon")
        << QStringList{u"-H"_s, u"NoColonHere"_s, u"URL"_s} << u"NoColonHere"_s;
    QTest::newRow("header with empty name")
        << QStringList{u"-H"_s, u": value"_s, u"URL"_s} << u"header"_s;
    QTest::newRow("--max-events abc")
        << QStringList{u"--max-events"_s, u"abc"_s, u"URL"_s} << u"--max-events"_s;
    QTest::newRow("--max-events 0")
        << QStringList{u"--max-events"_s, u"0"_s, u"URL"_s} << u"--max-events"_s;
    QTest::newRow("--timeout -1")
        << QStringList{u"--timeout"_s, u"-1"_s, u"URL"_s} << u"--timeout"_s;
    QTest::newRow("--idle-timeout x")
        << QStringList{u"--idle-timeout"_s, u"x"_s, u"URL"_s} << u"--idle-timeout"_s;
    QTest::newRow("--quiet without --output") << QStringList{u"-q"_s, u"URL"_s} << u"--output"_s;
    QTest::newRow("--data-file missing")
        << QStringList{u"--data-file"_s, u"/nonexistent-dir/body"_s, u"URL"_s}
        << u"/nonexistent-dir/body"_s;
    QTest::newRow("--demo with URL") << QStringList{u"--demo"_s, u"URL"_s} << u"--demo"_s;
    QTest::newRow("unknown option") << QStringList{u"--bogus"_s, u"URL"_s} << u"bogus"_s;
    QTest::newRow("option without value")
        << QStringList{u"URL"_s, u"--max-events"_s} << u"max-events"_s;
    // The transport options are shared by the stream command, check and probe.
    for (const QString &command : {QString(), u"check"_s, u"probe"_s}) {
        const QStringList prefix = command.isEmpty() ? QStringList()
                : command == u"probe"_s ? QStringList{command, u"--listen-metrics"_s, u"127.0.0.1:0"_s}
                                         : QStringList{command};
        const QByteArray name = command.isEmpty() ? QByteArray("stream") : command.toUtf8();
        QTest::newRow(QByteArray(name + " --cert-type XYZ").constData())
            << prefix + QStringList{u"--cert-type"_s, u"XYZ"_s, u"URL"_s} << u"--cert-type"_s;
        QTest::newRow(QByteArray(name + " --proxy ftp://").constData())
            << prefix + QStringList{u"--proxy"_s, u"ftp://127.0.0.1:21"_s, u"URL"_s}
            << u"--proxy"_s;
        QTest::newRow(QByteArray(name + " --cacert missing").constData())
            << prefix + QStringList{u"--cacert"_s, u"/nonexistent-dir/ca.pem"_s, u"URL"_s}
            << u"/nonexistent-dir/ca.pem"_s;
        QTest::newRow(QByteArray(name + " --http1.1 --http2-prior-knowledge").constData())
            << prefix + QStringList{u"--http1.1"_s, u"--http2-prior-knowledge"_s, u"URL"_s}
            << u"exclude"_s;
    }
}

void TestCli::usageErrors()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, message);

    TestServer server;
    server.route("/stream", holdOpen(numberedEvents(1)));
    arguments.replaceInStrings(QRegularExpression(u"^URL$"_s), url(server));
    Cli cli;
    QVERIFY2(cli.run(arguments), cli.describe().constData());
    QCOMPARE(cli.exitStatus(), QProcess::NormalExit);
    QVERIFY2(cli.exitCode() == 2, cli.describe().constData());
    QVERIFY2(QString::fromUtf8(cli.err()).contains(message), cli.describe().constData());
    QCOMPARE(cli.out(), QByteArray());
    QCOMPARE(server.requestCount(), 0);
}

void TestCli::idleTimeout()
{
    // Response headers, then silence on a connection that stays open.
    TestServer server;
    server.route("/stream", holdOpen(QByteArray()));
    Cli cli;
    QVERIFY2(cli.run({u"--states"_s, u"--idle-timeout"_s, u"0.3"_s, u"--timeout"_s, u"1"_s,
                      url(server)}),
             cli.describe().constData());
    QCOMPARE(cli.exitCode(), 0);

    QList<QJsonObject> records;
    QByteArray error;
    QVERIFY2(parseRecords(cli.out(), &records, &error), error.constData());
    // The reconnect after the idle timeout is due in 3 s, after --timeout ends the run.
    QCOMPARE(stateNames(records),
             (QStringList{u"connecting"_s, u"open"_s, u"reconnecting"_s, u"closed"_s}));
    const QJsonObject open = records.at(1);
    const QJsonObject reconnecting = records.at(2);
    QVERIFY2(reconnecting.value(u"error"_s).toString().contains(u"idle"_s, Qt::CaseInsensitive),
             withoutTime(reconnecting).constData());
    QCOMPARE(reconnecting.value(u"attempt"_s).toInt(), 1);
    const qint64 silenceMs = timeOf(reconnecting) - timeOf(open);
    QVERIFY2(silenceMs >= 250, QByteArray::number(silenceMs).constData());
    QCOMPARE(server.requestCount("/stream"), 1);
}

void TestCli::maxEventSize_data()
{
    QTest::addColumn<QString>("limit");
    QTest::addColumn<bool>("accepted");

    QTest::newRow("1024: too large") << u"1024"_s << false;
    QTest::newRow("20000: fits") << u"20000"_s << true;
}

void TestCli::maxEventSize()
{
    QFETCH(QString, limit);
    QFETCH(bool, accepted);

    const QByteArray data(10 * 1024, 'x');
    TestServer server;
    server.route("/stream", holdOpen("data: "_ba + data + "\n\n"));
    Cli cli;
    QVERIFY2(cli.run({u"--max-event-size"_s, limit, u"--max-events"_s, u"1"_s, url(server)}),
             cli.describe().constData());
    QCOMPARE(cli.exitStatus(), QProcess::NormalExit);

    QList<QJsonObject> records;
    QByteArray error;
    QVERIFY2(parseRecords(cli.out(), &records, &error), error.constData());
    if (accepted) {
        QVERIFY2(cli.exitCode() == 0, cli.describe().constData());
        QCOMPARE(records.size(), 1);
        QCOMPARE(records.at(0).value(u"data"_s).toString(), QString::fromLatin1(data));
    } else {
        QVERIFY2(cli.exitCode() == 1, cli.describe().constData());
        QVERIFY2(cli.err().contains("maximum event size of 1024 bytes"), cli.describe().constData());
        QCOMPARE(records.size(), 0);
        QCOMPARE(server.requestCount("/stream"), 1);
    }
}

void TestCli::demo()
{
    // The built-in demo stream sends 10 events per second.
    Cli cli;
    QVERIFY2(cli.run({u"--demo"_s, u"--max-events"_s, u"15"_s}, 8000), cli.describe().constData());
    QCOMPARE(cli.exitStatus(), QProcess::NormalExit);
    QCOMPARE(cli.exitCode(), 0);

    QList<QJsonObject> records;
    QByteArray error;
    QVERIFY2(parseRecords(cli.out(), &records, &error), error.constData());
    QCOMPARE(records.size(), 15);
    QSet<QString> types;
    for (int i = 0; i < 15; ++i) {
        const QJsonObject &record = records.at(i);
        QCOMPARE(record.value(u"kind"_s).toString(), u"event"_s);
        QCOMPARE(record.value(u"seq"_s).toInt(), i + 1);
        QCOMPARE(record.value(u"id"_s).toString(), QString::number(i));
        QVERIFY2(!record.value(u"data"_s).toString().isEmpty(), withoutTime(record).constData());
        types.insert(record.value(u"type"_s).toString());
    }
    QVERIFY2(types.size() >= 3, qPrintable(QStringList(types.cbegin(), types.cend()).join(u", ")));
}

void TestCli::terminateFlushes()
{
    // The first response ends with `retry: 0`. The CLI reconnects only after it has
    // handled every event of that response, and SIGTERM follows at once, well within
    // the CLI's 100 ms flush interval: the events must still reach stdout.
    TestServer server;
    Cli cli;
    server.route("/stream", [&](Exchange *exchange) {
        if (server.requestCount("/stream") == 1) {
            endAfter(numberedEvents(5) + "retry: 0\n\n")(exchange);
        } else {
            exchange->sseHead();
            cli.process().terminate();
        }
    });
    QVERIFY2(cli.run({url(server)}), cli.describe().constData());
    QCOMPARE(cli.exitStatus(), QProcess::NormalExit);
    QVERIFY2(cli.exitCode() == 130, cli.describe().constData());
    QCOMPARE(server.requestCount("/stream"), 2);

    QList<QJsonObject> records;
    QByteArray error;
    QVERIFY2(parseRecords(cli.out(), &records, &error), error.constData());
    QCOMPARE(records.size(), 5);
    for (int n = 1; n <= 5; ++n) {
        QCOMPARE(withoutTime(records.at(n - 1)),
                 eventRecord(n, u"message"_s, u"e%1"_s.arg(n), QString::number(n)));
    }
}

// A value with a line break or NUL would end the header line and start another one on the wire
// (request header injection): the CLI refuses it with a usage error naming the option.
void TestCli::lineBreaksRejected_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("message");

    QTest::newRow("-H value with CR LF")
        << QStringList{u"-H"_s, u"X-A: a\r\nX-Injected: 1"_s} << u"-H"_s;
    QTest::newRow("-H value with LF")
        << QStringList{u"-H"_s, u"X-A: a\nX-Injected: 1"_s} << u"-H"_s;
    QTest::newRow("-H value with CR")
        << QStringList{u"-H"_s, u"X-A: a\rX-Injected: 1"_s} << u"-H"_s;
    QTest::newRow("-H name with LF")
        << QStringList{u"-H"_s, u"X-A\nX-Injected: 1"_s} << u"-H"_s;
    QTest::newRow("--last-event-id with LF")
        << QStringList{u"--last-event-id"_s, u"7\nX-Injected: 1"_s} << u"--last-event-id"_s;
    QTest::newRow("--last-event-id with CR LF")
        << QStringList{u"--last-event-id"_s, u"7\r\nX-Injected: 1"_s} << u"--last-event-id"_s;
    QTest::newRow("-X with CR LF")
        << QStringList{u"-X"_s, u"GET / HTTP/1.1\r\nX-Injected: 1\r\n"_s} << u"-X"_s;
}

void TestCli::lineBreaksRejected()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, message);

    TestServer server;
    server.route("/stream", holdOpen(numberedEvents(1)));
    Cli cli;
    QVERIFY2(cli.run(arguments + QStringList{u"--max-events"_s, u"1"_s, url(server)}),
             cli.describe().constData());
    QCOMPARE(cli.exitStatus(), QProcess::NormalExit);
    QVERIFY2(cli.exitCode() == 2, cli.describe().constData());
    const QString err = QString::fromUtf8(cli.err());
    QVERIFY2(err.contains(message), cli.describe().constData());
    QVERIFY2(err.contains(u"line break"_s), cli.describe().constData());
    QCOMPARE(cli.out(), QByteArray());
    QCOMPARE(server.requestCount(), 0);
}

// The same values in a profile file (where NUL is possible too): the profile does not load.
void TestCli::profileLineBreaksRejected_data()
{
    QTest::addColumn<QJsonObject>("fields");
    QTest::addColumn<QString>("message");

    QTest::newRow("header value with CR LF")
        << QJsonObject{{u"headers"_s, QJsonArray{QJsonArray{u"X-A"_s, u"a\r\nX-Injected: 1"_s}}}}
        << u"X-A"_s;
    QTest::newRow("header value with NUL")
        << QJsonObject{{u"headers"_s, QJsonArray{QJsonArray{u"X-A"_s, QString(u"a\0b"_s)}}}}
        << u"X-A"_s;
    QTest::newRow("header name with LF")
        << QJsonObject{{u"headers"_s, QJsonArray{QJsonArray{u"X-A\nX-B"_s, u"1"_s}}}}
        << u"header name"_s;
    QTest::newRow("initialLastEventId with LF")
        << QJsonObject{{u"initialLastEventId"_s, u"7\nX-Injected: 1"_s}} << u"Last-Event-ID"_s;
    QTest::newRow("initialLastEventId with NUL")
        << QJsonObject{{u"initialLastEventId"_s, QString(u"7\0"_s)}} << u"Last-Event-ID"_s;
    QTest::newRow("method with CR LF")
        << QJsonObject{{u"method"_s, u"GET\r\nX-Injected: 1"_s}} << u"method"_s;
}

void TestCli::profileLineBreaksRejected()
{
    QFETCH(QJsonObject, fields);
    QFETCH(QString, message);

    TestServer server;
    server.route("/stream", holdOpen(numberedEvents(1)));
    QJsonObject profile{{u"name"_s, u"hostile"_s}, {u"url"_s, url(server)}};
    for (auto it = fields.constBegin(); it != fields.constEnd(); ++it)
        profile.insert(it.key(), it.value());
    QTemporaryDir directory;
    QVERIFY2(directory.isValid(), qPrintable(directory.errorString()));
    const QString path = directory.filePath(u"profiles.json"_s);
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(QJsonDocument(QJsonArray{profile}).toJson());
    file.close();

    Cli cli;
    QVERIFY2(cli.run({u"--profiles-file"_s, path, u"--profile"_s, u"hostile"_s, u"--max-events"_s,
                      u"1"_s}),
             cli.describe().constData());
    QCOMPARE(cli.exitStatus(), QProcess::NormalExit);
    QVERIFY2(cli.exitCode() == 2, cli.describe().constData());
    const QString err = QString::fromUtf8(cli.err());
    QVERIFY2(err.contains(u"hostile"_s) && err.contains(message), cli.describe().constData());
    QVERIFY2(err.contains(u"line break"_s), cli.describe().constData());
    QCOMPARE(cli.out(), QByteArray());
    QCOMPARE(server.requestCount(), 0);
}

// Numbers: integers where integers are meant, explicit ranges, one clear message each.
void TestCli::numbersValidated_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("message");

    QTest::newRow("--max-event-size 0.5")
        << QStringList{u"--max-event-size"_s, u"0.5"_s} << u"--max-event-size"_s;
    QTest::newRow("--max-event-size 1e30")
        << QStringList{u"--max-event-size"_s, u"1e30"_s} << u"--max-event-size"_s;
    QTest::newRow("--max-event-size 2048.7")
        << QStringList{u"--max-event-size"_s, u"2048.7"_s} << u"--max-event-size"_s;
    QTest::newRow("--max-events 2.5")
        << QStringList{u"--max-events"_s, u"2.5"_s} << u"--max-events"_s;
    QTest::newRow("--max-events 1e30")
        << QStringList{u"--max-events"_s, u"1e30"_s} << u"--max-events"_s;
    QTest::newRow("--timeout 1e20") << QStringList{u"--timeout"_s, u"1e20"_s} << u"--timeout"_s;
    QTest::newRow("--timeout 0.0001")
        << QStringList{u"--timeout"_s, u"0.0001"_s} << u"--timeout"_s;
    QTest::newRow("--timeout nan") << QStringList{u"--timeout"_s, u"nan"_s} << u"--timeout"_s;
    QTest::newRow("--idle-timeout 1e12")
        << QStringList{u"--idle-timeout"_s, u"1e12"_s} << u"--idle-timeout"_s;
    QTest::newRow("--idle-timeout inf")
        << QStringList{u"--idle-timeout"_s, u"inf"_s} << u"--idle-timeout"_s;
}

void TestCli::numbersValidated()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, message);

    TestServer server;
    server.route("/stream", holdOpen(numberedEvents(1)));
    QStringList all = arguments;
    if (!arguments.contains(u"--max-events"_s))
        all += QStringList{u"--max-events"_s, u"1"_s};
    Cli cli;
    QVERIFY2(cli.run(all + QStringList{url(server)}), cli.describe().constData());
    QCOMPARE(cli.exitStatus(), QProcess::NormalExit);
    QVERIFY2(cli.exitCode() == 2, cli.describe().constData());
    QVERIFY2(QString::fromUtf8(cli.err()).contains(message), cli.describe().constData());
    QCOMPARE(cli.out(), QByteArray());
    QCOMPARE(server.requestCount(), 0);
}

// A request body is read up to 64 MiB: a larger file, or a device that never ends, is a usage
// error found without reading it all.
void TestCli::dataFileCapped_data()
{
    QTest::addColumn<QString>("path"); // SPARSE stands for a 64 MiB + 1 byte sparse file

    QTest::newRow("64 MiB + 1 file") << u"SPARSE"_s;
    if (QFileInfo::exists(u"/dev/zero"_s))
        QTest::newRow("/dev/zero") << u"/dev/zero"_s;
}

void TestCli::dataFileCapped()
{
    QFETCH(QString, path);

    QTemporaryDir directory;
    QVERIFY2(directory.isValid(), qPrintable(directory.errorString()));
    if (path == u"SPARSE"_s) {
        path = directory.filePath(u"body"_s);
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        QVERIFY(file.resize(64LL * 1024 * 1024 + 1));
    }
    TestServer server;
    server.route("/stream", endAfter(numberedEvents(1)));
    Cli cli;
    QVERIFY2(cli.run({u"--data-file"_s, path, u"--max-events"_s, u"1"_s, url(server)}),
             cli.describe().constData());
    QCOMPARE(cli.exitStatus(), QProcess::NormalExit);
    QVERIFY2(cli.exitCode() == 2, cli.describe().constData());
    const QString err = QString::fromUtf8(cli.err());
    QVERIFY2(err.contains(u"--data-file"_s) && err.contains(u"64 MiB"_s),
             cli.describe().constData());
    QCOMPARE(server.requestCount(), 0);
}

// `-o FIFO` with nothing reading it: opening it must not block the event loop, so --timeout
// still ends the run; the records could not be written, which is exit code 3.
void TestCli::fifoWithoutReaderEndsAtTimeout()
{
    QTemporaryDir directory;
    QVERIFY2(directory.isValid(), qPrintable(directory.errorString()));
    const QString path = directory.filePath(u"fifo"_s);
    QCOMPARE(::mkfifo(QFile::encodeName(path).constData(), 0600), 0);

    TestServer server;
    server.route("/stream", holdOpen(numberedEvents(3)));
    Cli cli;
    QVERIFY2(cli.run({u"-q"_s, u"-o"_s, path, u"--timeout"_s, u"0.5"_s, url(server)}, 5000),
             cli.describe().constData());
    QCOMPARE(cli.exitStatus(), QProcess::NormalExit);
    QVERIFY2(cli.exitCode() == 3, cli.describe().constData());
    QVERIFY2(cli.elapsedMs() < 4000, cli.describe().constData());
    const QString err = QString::fromUtf8(cli.err());
    QVERIFY2(err.contains(path) && err.contains(u"no reader"_s), cli.describe().constData());
}

// A FIFO whose reader is there gets the records as a file would.
void TestCli::fifoWithReaderGetsRecords()
{
    QTemporaryDir directory;
    QVERIFY2(directory.isValid(), qPrintable(directory.errorString()));
    const QString path = directory.filePath(u"fifo"_s);
    QCOMPARE(::mkfifo(QFile::encodeName(path).constData(), 0600), 0);
    // A non-blocking open for reading succeeds without a writer; the pipe buffer holds the
    // few records until the CLI has exited.
    const int reader = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_NONBLOCK);
    QVERIFY(reader >= 0);
    auto closeReader = qScopeGuard([reader] { ::close(reader); });

    TestServer server;
    server.route("/stream", holdOpen(numberedEvents(3)));
    Cli cli;
    QVERIFY2(cli.run({u"-q"_s, u"-o"_s, path, u"--max-events"_s, u"3"_s, url(server)}),
             cli.describe().constData());
    QVERIFY2(cli.exitCode() == 0, cli.describe().constData());
    QByteArray written(65536, '\0');
    const ssize_t size = ::read(reader, written.data(), size_t(written.size()));
    QVERIFY(size > 0);
    written.resize(size);
    QList<QJsonObject> records;
    QByteArray error;
    QVERIFY2(parseRecords(written, &records, &error), error.constData());
    QCOMPARE(records.size(), 3);
}

// A server inventing a type per event: the client's per-type table keeps at most 1,000 names
// (then one "(other types)" count), so the CLI's memory does not grow with the types. Before,
// 1,000,000 types of 100 bytes took the CLI past 200 MB.
void TestCli::distinctTypesStayBounded()
{
    SSE_SKIP_MEMORY_FIGURES_UNDER_SANITIZER(); // 1M events through an instrumented CLI: minutes
    constexpr int Events = 1'000'000;
    QByteArray body;
    body.reserve(qsizetype(Events) * 128);
    const QByteArray padding(90, 't');
    for (int i = 0; i < Events; ++i)
        body += "event: " + padding + QByteArray::number(i) + "\ndata: x\n\n";
    TestServer server;
    server.route("/stream", endAfter(body, TestServer::Framing::CloseDelimited));
    Cli cli;
    QVERIFY2(cli.start({u"--no-reconnect"_s, u"-q"_s, u"-o"_s, u"/dev/null"_s, url(server)}),
             cli.describe().constData());
    // The high-water mark only grows: the last reading before the exit covers the run.
    qint64 peakKiB = 0;
    QTimer probe;
    QObject::connect(&probe, &QTimer::timeout, &probe, [&] {
        QFile status(u"/proc/%1/status"_s.arg(cli.process().processId()));
        if (!status.open(QIODevice::ReadOnly))
            return;
        for (const QByteArray &line : status.readAll().split('\n')) {
            if (line.startsWith("VmHWM:"))
                peakKiB = qMax(peakKiB, line.mid(6).trimmed().split(' ').value(0).toLongLong());
        }
    });
    probe.start(10);
    QVERIFY2(cli.waitForExit(120000), cli.describe().constData());
    QCOMPARE(cli.exitCode(), 0);
    qInfo("CLI peak resident memory after %d distinct types: %lld KiB", Events, peakKiB);
    QVERIFY(peakKiB > 0);
    QVERIFY2(peakKiB < 100 * 1024, qPrintable(u"peak %1 KiB"_s.arg(peakKiB)));
}

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
