#include "sselib/sseclient.h"
#include "testserver.h"

#include <QElapsedTimer>
#include <QNetworkProxyFactory>
#include <QPointer>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>
#include <QTimer>
#include <QtMath>

#include <algorithm>
#include <memory>
#include <vector>

using State = Sse::Client::State;
using Kind = Sse::FailureInfo::Kind;
using Framing = TestServer::Framing;
using Coding = TestServer::Coding;
using Exchange = TestServer::Exchange;

Q_DECLARE_METATYPE(Sse::FailureInfo::Kind)
Q_DECLARE_METATYPE(Sse::ReconnectPolicy)

namespace {

// Every delay in tens of milliseconds, so that reconnect tests stay fast.
Sse::ClientOptions fastOptions(const QUrl &url)
{
    Sse::ClientOptions options;
    options.url = url;
    options.defaultRetryMs = 20;
    options.fixedDelayMs = 20;
    options.backoffMaximumMs = 200;
    options.connectTimeoutMs = 5000;
    return options;
}

// Runs the event loop for \a ms. Only used to show that something does *not*
// happen (no further request, no reconnect) within a window clearly longer than
// the reconnect delays in use.
void letTimePass(int ms)
{
    QElapsedTimer timer;
    timer.start();
    QTRY_VERIFY_WITH_TIMEOUT(timer.hasExpired(ms), ms + 5000);
}

// A port on 127.0.0.1 where nothing listens (it was free a moment ago).
quint16 unusedPort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

QByteArrayList dataOf(const Sse::EventList &events)
{
    QByteArrayList result;
    for (const Sse::Event &event : events)
        result.append(event.data);
    return result;
}

// Everything a client reports, in order, with the monotonic time it arrived.
class Recorder
{
public:
    struct Reconnect
    {
        qint64 delayMs;
        int attempt;
        QString reason;
        qint64 atMs;
    };
    struct Error
    {
        QString message;
        bool fatal;
    };

    explicit Recorder(Sse::Client *client)
    {
        m_clock.start();
        QObject::connect(client, &Sse::Client::eventsReceived, &m_context,
                         [this](const Sse::EventBatch &batch) {
                             batch.appendTo(events);
                             ++batches;
                         });
        QObject::connect(client, &Sse::Client::stateChanged, &m_context, [this](State state) {
            states.append(state);
            stateTimes.append(m_clock.elapsed());
        });
        QObject::connect(client, &Sse::Client::reconnectScheduled, &m_context,
                         [this](qint64 delayMs, int attempt, const QString &reason) {
                             reconnects.append({delayMs, attempt, reason, m_clock.elapsed()});
                         });
        QObject::connect(client, &Sse::Client::errorOccurred, &m_context,
                         [this](const QString &message, bool fatal) {
                             errors.append({message, fatal});
                         });
        QObject::connect(client, &Sse::Client::responseStarted, &m_context,
                         [this](int status, const QList<QPair<QByteArray, QByteArray>> &) {
                             responseStatuses.append(status);
                         });
        QObject::connect(client, &Sse::Client::reconnectionTimeChanged, &m_context,
                         [this](int ms) { reconnectionTimes.append(ms); });
        QObject::connect(client, &Sse::Client::bytesReceived, &m_context,
                         [this](qint64 count) { bytes += count; });
    }

    qint64 elapsed() const { return m_clock.elapsed(); }

    // Time of the first change to \a state, or -1.
    qint64 timeOf(State state) const
    {
        const qsizetype index = states.indexOf(state);
        return index < 0 ? -1 : stateTimes.at(index);
    }

    QString errorText() const
    {
        QStringList lines;
        for (const Error &error : errors)
            lines.append(error.message);
        return lines.join(QLatin1Char('|'));
    }

    Sse::EventList events;
    int batches = 0;
    QList<State> states;
    QList<qint64> stateTimes;
    QList<Reconnect> reconnects;
    QList<Error> errors;
    QList<int> responseStatuses;
    QList<int> reconnectionTimes;
    qint64 bytes = 0;

private:
    QElapsedTimer m_clock;
    // Declared last, destroyed first: no slot runs on a half-destroyed recorder.
    QObject m_context;
};

} // namespace

class TestSseClient : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();

    void requestHeaders_data();
    void requestHeaders();
    void eventsArriveInOrder();
    void burstIsBatched();
    void responseStatus_data();
    void responseStatus();
    void redirects_data();
    void redirects();
    void redirectLoop();
    void reconnectSendsLastEventId();
    void emptyIdClearsLastEventId();
    void retryFieldIsHonoured();
    void partialEventDiscarded_data();
    void partialEventDiscarded();
    void postBody_data();
    void postBody();
    void policyNeverClosesAtEndOfStream();
    void policyFixedIgnoresRetry();
    void exponentialBackoff_data();
    void exponentialBackoff();
    void gzipLongStream();
    void idleTimeout();
    void heartbeatKeepsConnectionAlive();
    void connectTimeout();
    void eventTooLarge();
    void endlessLineStaysBounded();
    void largeNonSseBodyIsNotRead();
    void closeWhileOpen();
    void closeWhileReconnecting();
    void reconnectNowWhileReconnecting();
    void manyConcurrentClients();
    void unreachableServer_data();
    void unreachableServer();
};

void TestSseClient::initTestCase()
{
    // Loopback never goes through a proxy, but the unresolvable-host test would
    // be sent to one if the environment names it.
    QNetworkProxyFactory::setUseSystemConfiguration(false);
}

void TestSseClient::init()
{
    // Qt 6.4 has only the pattern form.
    QTest::failOnWarning(QRegularExpression(QStringLiteral(".*")));
}

void TestSseClient::requestHeaders_data()
{
    QTest::addColumn<QByteArray>("initialId");
    QTest::addColumn<QByteArray>("setId");
    QTest::addColumn<TestServer::Headers>("headers");
    QTest::addColumn<QByteArray>("expectedId");

    QTest::newRow("plain") << QByteArray() << QByteArray() << TestServer::Headers() << QByteArray();
    QTest::newRow("initialLastEventId")
        << QByteArray("42") << QByteArray() << TestServer::Headers() << QByteArray("42");
    QTest::newRow("setLastEventId")
        << QByteArray() << QByteArray("7") << TestServer::Headers() << QByteArray("7");
    QTest::newRow("custom headers")
        << QByteArray() << QByteArray()
        << TestServer::Headers{{"X-Api-Key", "secret"}, {"X-Trace", "a b c"}} << QByteArray();
}

void TestSseClient::requestHeaders()
{
    QFETCH(QByteArray, initialId);
    QFETCH(QByteArray, setId);
    QFETCH(TestServer::Headers, headers);
    QFETCH(QByteArray, expectedId);

    TestServer server;
    QVERIFY(server.isListening());
    server.route("/stream", [](Exchange *exchange) {
        exchange->sseHead();
        exchange->send("data: hi\n\n");
    });

    Sse::Client client;
    Recorder record(&client);
    Sse::ClientOptions options = fastOptions(server.url("/stream"));
    options.initialLastEventId = initialId;
    options.headers = headers;
    client.setOptions(options);
    if (!setId.isEmpty())
        client.setLastEventId(setId);
    QCOMPARE(client.state(), State::Idle);
    client.open();

    QTRY_COMPARE(client.state(), State::Open);
    QTRY_COMPARE(record.events.size(), 1);
    QCOMPARE(server.requestCount("/stream"), 1);
    const TestServer::Request request = server.requests().constFirst();
    QCOMPARE(request.method, QByteArray("GET"));
    QVERIFY2(request.header("Accept").contains("text/event-stream"), request.header("Accept"));
    QVERIFY2(request.header("Cache-Control").contains("no-cache"),
             request.header("Cache-Control"));
    QCOMPARE(request.hasHeader("Last-Event-ID"), !expectedId.isEmpty());
    QCOMPARE(request.header("Last-Event-ID"), expectedId);
    for (const auto &header : std::as_const(headers))
        QCOMPARE(request.header(header.first), header.second);
    QCOMPARE(record.responseStatuses, QList<int>{200});
}

void TestSseClient::eventsArriveInOrder()
{
    TestServer server;
    server.route("/stream", [](Exchange *exchange) {
        exchange->sseHead(Framing::Chunked);
        exchange->send("event: greeting\nid: 1\ndata: hello\n\n");
        // Split inside a field name and inside the terminating blank line.
        exchange->sendLater(5, "data: line one\nda");
        exchange->sendLater(10, "ta: line two\n");
        exchange->sendLater(15, "\nevent: update\nid: 2\ndata: {\"x\":1}\n");
        exchange->sendLater(20, "\n");
    });

    const qint64 fakeNow = 1700000000000;
    Sse::Client client;
    Recorder record(&client);
    client.setClock([fakeNow] { return fakeNow; });
    client.setOptions(fastOptions(server.url("/stream")));
    client.open();

    QTRY_COMPARE(record.events.size(), 3);
    const Sse::EventList &events = record.events;
    QCOMPARE(events.at(0).type, QByteArray("greeting"));
    QCOMPARE(events.at(0).lastEventId, QByteArray("1"));
    QCOMPARE(events.at(0).data, QByteArray("hello"));
    QCOMPARE(events.at(1).type, QByteArray("message"));
    QCOMPARE(events.at(1).lastEventId, QByteArray("1"));
    QCOMPARE(events.at(1).data, QByteArray("line one\nline two"));
    QCOMPARE(events.at(2).type, QByteArray("update"));
    QCOMPARE(events.at(2).lastEventId, QByteArray("2"));
    QCOMPARE(events.at(2).data, QByteArray("{\"x\":1}"));
    for (const Sse::Event &event : events)
        QCOMPARE(event.receivedMs, fakeNow);
    QCOMPARE(client.lastEventId(), QByteArray("2"));
    QCOMPARE(client.state(), State::Open);
    QVERIFY(record.errors.isEmpty());
}

void TestSseClient::burstIsBatched()
{
    constexpr int Count = 5000;
    TestServer server;
    server.route("/stream", [](Exchange *exchange) {
        QByteArray burst;
        for (int i = 0; i < Count; ++i)
            burst += "data: " + QByteArray::number(i) + "\n\n";
        exchange->sseHead();
        exchange->send(burst);
    });

    Sse::Client client;
    Recorder record(&client);
    client.setOptions(fastOptions(server.url("/stream")));
    client.open();

    QTRY_COMPARE(record.events.size(), Count);
    for (int i = 0; i < Count; ++i)
        QCOMPARE(record.events.at(i).data, QByteArray::number(i));
    QVERIFY2(record.batches * 10 <= Count,
             qPrintable(QStringLiteral("%1 batches for %2 events").arg(record.batches).arg(Count)));
}

void TestSseClient::responseStatus_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("reason");
    QTest::addColumn<QByteArray>("contentType"); // empty: no Content-Type header
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<State>("expectedState");
    QTest::addColumn<Kind>("expectedKind");

    const QByteArray html = "<html><body>gone fishing</body></html>";
    QByteArray longBody;
    for (int i = 0; longBody.size() < 3000; ++i)
        longBody += "line " + QByteArray::number(i) + " of a long error page\n";

    QTest::newRow("200 event-stream with charset")
        << 200 << QByteArray("OK") << QByteArray("text/event-stream; charset=utf-8")
        << QByteArray("data: x\n\n") << State::Open << Kind::None;
    QTest::newRow("200 event-stream, other case")
        << 200 << QByteArray("OK") << QByteArray("Text/Event-Stream")
        << QByteArray("data: x\n\n") << State::Open << Kind::None;
    QTest::newRow("404") << 404 << QByteArray("Not Found") << QByteArray("text/html") << html
                         << State::Failed << Kind::HttpStatus;
    QTest::newRow("500") << 500 << QByteArray("Internal Server Error")
                         << QByteArray("text/plain") << QByteArray("boom")
                         << State::Failed << Kind::HttpStatus;
    QTest::newRow("503") << 503 << QByteArray("Service Unavailable")
                         << QByteArray("text/event-stream") << QByteArray("retry later")
                         << State::Failed << Kind::HttpStatus;
    QTest::newRow("205") << 205 << QByteArray("Reset Content") << QByteArray() << QByteArray()
                         << State::Failed << Kind::HttpStatus;
    QTest::newRow("299") << 299 << QByteArray("Odd Success") << QByteArray("text/event-stream")
                         << QByteArray("data: x\n\n") << State::Failed << Kind::HttpStatus;
    QTest::newRow("500 long body") << 500 << QByteArray("Internal Server Error")
                                   << QByteArray("text/plain") << longBody << State::Failed
                                   << Kind::HttpStatus;
    // WHATWG: a 204 fails the connection (no reconnection): the server asks us to stop.
    QTest::newRow("204") << 204 << QByteArray("No Content") << QByteArray() << QByteArray()
                         << State::Failed << Kind::HttpStatus;
    QTest::newRow("200 text/html") << 200 << QByteArray("OK") << QByteArray("text/html") << html
                                   << State::Failed << Kind::ContentType;
    QTest::newRow("200 no content type") << 200 << QByteArray("OK") << QByteArray()
                                         << QByteArray("data: x\n\n") << State::Failed
                                         << Kind::ContentType;
}

void TestSseClient::responseStatus()
{
    QFETCH(int, status);
    QFETCH(QByteArray, reason);
    QFETCH(QByteArray, contentType);
    QFETCH(QByteArray, body);
    QFETCH(State, expectedState);
    QFETCH(Kind, expectedKind);

    TestServer server;
    server.route("/stream", [&](Exchange *exchange) {
        TestServer::Headers headers;
        if (!contentType.isEmpty())
            headers.emplaceBack("Content-Type", contentType);
        if (status == 204) {
            // No body and no length: the status alone ends the response.
            exchange->writeHead(status, headers, reason);
        } else if (expectedState == State::Open) {
            headers.emplaceBack("Cache-Control", "no-cache");
            exchange->writeHead(status, headers, reason);
            exchange->send(body);
        } else {
            headers.emplaceBack("Content-Length", QByteArray::number(body.size()));
            exchange->writeHead(status, headers, reason);
            exchange->send(body);
        }
    });

    Sse::Client client;
    Recorder record(&client);
    QSignalSpy failedSpy(&client, &Sse::Client::failed);
    client.setOptions(fastOptions(server.url("/stream")));
    client.open();

    QTRY_COMPARE(client.state(), expectedState);
    if (expectedState == State::Open)
        QTRY_COMPARE(record.events.size(), 1);
    // Reconnects here would take 20 ms; give them many times that.
    letTimePass(150);
    QCOMPARE(client.state(), expectedState);
    QCOMPARE(server.requestCount("/stream"), 1);
    QVERIFY(record.reconnects.isEmpty());
    QCOMPARE(client.httpStatus(), status);

    const Sse::FailureInfo failure = client.failure();
    QCOMPARE(failure.kind, expectedKind);
    if (expectedState != State::Failed) {
        QVERIFY2(record.errors.isEmpty() || !record.errors.constLast().fatal,
                 qPrintable(record.errorText()));
        QCOMPARE(failedSpy.count(), 0);
        return;
    }

    QCOMPARE(failedSpy.count(), 1);
    QCOMPARE(failedSpy.constFirst().constFirst().value<Sse::FailureInfo>().kind, expectedKind);

    QVERIFY(!failure.message.isEmpty());
    QVERIFY(!record.errors.isEmpty());
    QCOMPARE(record.errors.constLast().fatal, true);
    QCOMPARE(failure.httpStatus, status);
    QCOMPARE(failure.contentType, contentType);
    if (status != 204) // the test's 204 has no header fields at all
        QVERIFY(!failure.responseHeaders.isEmpty());
    if (expectedKind == Kind::HttpStatus) {
        QCOMPARE(failure.reasonPhrase, reason);
        QVERIFY2(failure.message.contains(QString::number(status)), qPrintable(failure.message));
        QCOMPARE(failure.bodyPreview, body.left(1024));
    } else if (!contentType.isEmpty()) {
        QVERIFY2(failure.message.contains(QString::fromLatin1(contentType)),
                 qPrintable(failure.message));
    }
}

void TestSseClient::redirects_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("finalMethod");
    QTest::addColumn<bool>("bodyKept");

    QTest::newRow("302 GET") << 302 << QByteArray("GET") << QByteArray("GET") << false;
    QTest::newRow("302 POST") << 302 << QByteArray("POST") << QByteArray("GET") << false;
    QTest::newRow("301 POST") << 301 << QByteArray("POST") << QByteArray("GET") << false;
    QTest::newRow("307 POST") << 307 << QByteArray("POST") << QByteArray("POST") << true;
    QTest::newRow("308 POST") << 308 << QByteArray("POST") << QByteArray("POST") << true;
}

void TestSseClient::redirects()
{
    QFETCH(int, status);
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, finalMethod);
    QFETCH(bool, bodyKept);

    TestServer server;
    server.route("/start", [status](Exchange *exchange) {
        exchange->respond(status, {{"Location", "/stream"}, {"Content-Type", "text/plain"}},
                          "moved\n");
    });
    server.route("/stream", [](Exchange *exchange) {
        exchange->sseHead();
        exchange->send("data: arrived\n\n");
    });

    const QByteArray json = "{\"prompt\":\"hello\"}";
    Sse::Client client;
    Recorder record(&client);
    Sse::ClientOptions options = fastOptions(server.url("/start"));
    options.method = method;
    if (method == "POST") {
        options.body = json;
        options.headers = {{"Content-Type", "application/json"}};
    }
    client.setOptions(options);
    client.open();

    QTRY_COMPARE(client.state(), State::Open);
    QTRY_COMPARE(record.events.size(), 1);
    QCOMPARE(record.events.constFirst().data, QByteArray("arrived"));
    QCOMPARE(server.requestCount("/start"), 1);
    QCOMPARE(server.requestCount("/stream"), 1);
    const TestServer::Request start = server.requests("/start").constFirst();
    QCOMPARE(start.method, method);
    const TestServer::Request final = server.requests("/stream").constFirst();
    QCOMPARE(final.method, finalMethod);
    QCOMPARE(final.body, bodyKept ? json : QByteArray());
    // Only the final response counts as the start of a stream.
    QCOMPARE(record.responseStatuses, QList<int>{200});
    QVERIFY2(record.errors.isEmpty(), qPrintable(record.errorText()));
    QCOMPARE(client.httpStatus(), 200);
}

void TestSseClient::redirectLoop()
{
    TestServer server;
    server.route("/loop", [](Exchange *exchange) {
        exchange->respond(302, {{"Location", "/loop"}});
    });

    Sse::Client client;
    Recorder record(&client);
    Sse::ClientOptions options = fastOptions(server.url("/loop"));
    options.defaultRetryMs = 60000; // one round is enough
    client.setOptions(options);
    client.open();

    QTRY_VERIFY_WITH_TIMEOUT(!record.errors.isEmpty(), 10000);
    QVERIFY(!record.errors.constFirst().message.isEmpty());
    QVERIFY2(client.state() == State::Failed || client.state() == State::Reconnecting
                 || client.state() == State::Closed,
             qPrintable(Sse::stateName(client.state())));
    QVERIFY(!record.states.contains(State::Open));
    // Bounded: Qt gives up after 50 redirects.
    QVERIFY(server.requestCount("/loop") <= 60);
}

void TestSseClient::reconnectSendsLastEventId()
{
    TestServer server;
    server.route("/stream", [](Exchange *exchange) {
        exchange->sseHead();
        switch (exchange->request().index) {
        case 0:
            exchange->send("retry: 20\nid: 1\ndata: first\n\n");
            exchange->finish();
            break;
        case 1:
            exchange->send("data: second\n\n"); // no id: the last one stays in force
            exchange->finish();
            break;
        default:
            exchange->send("id: 3\ndata: third\n\n");
            break;
        }
    });

    const qint64 fakeNow = 1700000000000;
    Sse::Client client;
    Recorder record(&client);
    client.setClock([fakeNow] { return fakeNow; });
    Sse::ClientOptions options = fastOptions(server.url("/stream"));
    options.defaultRetryMs = 5000; // only `retry: 20` makes this test fast
    client.setOptions(options);
    client.open();

    QTRY_COMPARE(record.events.size(), 3);
    QCOMPARE(dataOf(record.events), (QByteArrayList{"first", "second", "third"}));
    QCOMPARE(record.events.at(0).lastEventId, QByteArray("1"));
    QCOMPARE(record.events.at(1).lastEventId, QByteArray("1"));
    QCOMPARE(record.events.at(2).lastEventId, QByteArray("3"));
    QCOMPARE(record.events.at(0).retryMs, qint64(20));

    const QList<TestServer::Request> requests = server.requests("/stream");
    QCOMPARE(requests.size(), 3);
    QVERIFY(!requests.at(0).hasHeader("Last-Event-ID"));
    QCOMPARE(requests.at(1).header("Last-Event-ID"), QByteArray("1"));
    QCOMPARE(requests.at(2).header("Last-Event-ID"), QByteArray("1"));

    QCOMPARE(record.reconnects.size(), 2);
    QCOMPARE(record.reconnects.at(0).delayMs, qint64(20));
    QCOMPARE(record.reconnects.at(0).attempt, 1);
    QVERIFY(!record.reconnects.at(0).reason.isEmpty());
    QCOMPARE(record.reconnects.at(1).delayMs, qint64(20));
    QCOMPARE(record.reconnects.at(1).attempt, 2);
    QVERIFY(record.reconnectionTimes.contains(20));
    QCOMPARE(client.reconnectionTimeMs(), 20);
    QCOMPARE(record.states.count(State::Reconnecting), 2);
    QCOMPARE(client.state(), State::Open);
    QCOMPARE(client.lastEventId(), QByteArray("3"));
    QCOMPARE(client.statistics().reconnects, qint64(2));
}

void TestSseClient::emptyIdClearsLastEventId()
{
    TestServer server;
    server.route("/stream", [](Exchange *exchange) {
        exchange->sseHead();
        switch (exchange->request().index) {
        case 0:
            exchange->send("retry: 20\nid: 7\ndata: a\n\n");
            exchange->finish();
            break;
        case 1:
            exchange->send("id:\ndata: b\n\n");
            exchange->finish();
            break;
        default:
            exchange->send("data: c\n\n");
            break;
        }
    });

    Sse::Client client;
    Recorder record(&client);
    client.setOptions(fastOptions(server.url("/stream")));
    client.open();

    QTRY_COMPARE(record.events.size(), 3);
    QCOMPARE(record.events.at(1).lastEventId, QByteArray());
    const QList<TestServer::Request> requests = server.requests("/stream");
    QCOMPARE(requests.size(), 3);
    QCOMPARE(requests.at(1).header("Last-Event-ID"), QByteArray("7"));
    QVERIFY2(!requests.at(2).hasHeader("Last-Event-ID"), requests.at(2).header("Last-Event-ID"));
    QCOMPARE(client.lastEventId(), QByteArray());
}

void TestSseClient::retryFieldIsHonoured()
{
    constexpr int RetryMs = 150;
    TestServer server;
    server.route("/stream", [](Exchange *exchange) {
        exchange->sseHead();
        if (exchange->request().index == 0) {
            exchange->send("retry: " + QByteArray::number(RetryMs) + "\ndata: a\n\n");
            exchange->finish();
        } else {
            exchange->send("data: b\n\n");
        }
    });

    Sse::Client client;
    Recorder record(&client);
    client.setOptions(fastOptions(server.url("/stream"))); // default 20 ms, if retry were lost
    client.open();

    QTRY_COMPARE(server.requestCount("/stream"), 2);
    QTRY_COMPARE(record.events.size(), 2);
    QCOMPARE(record.reconnectionTimes, QList<int>{RetryMs});
    QCOMPARE(client.reconnectionTimeMs(), RetryMs);
    QCOMPARE(record.reconnects.size(), 1);
    QCOMPARE(record.reconnects.constFirst().delayMs, qint64(RetryMs));
    const QList<TestServer::Request> requests = server.requests();
    const qint64 interval = requests.at(1).receivedMs - requests.at(0).receivedMs;
    // A coarse timer may fire up to 5 % early.
    QVERIFY2(interval >= RetryMs * 95 / 100, qPrintable(QString::number(interval)));
}

void TestSseClient::partialEventDiscarded_data()
{
    QTest::addColumn<bool>("reset");
    QTest::newRow("connection reset inside a chunk") << true;
    QTest::newRow("close-delimited body closed") << false;
}

void TestSseClient::partialEventDiscarded()
{
    QFETCH(bool, reset);

    const QByteArray complete = "retry: 20\ndata: one\n\n";
    const QByteArray partial = "data: partial";
    QPointer<Exchange> first;
    TestServer server;
    server.route("/stream", [&](Exchange *exchange) {
        if (exchange->request().index > 0) {
            exchange->sseHead();
            exchange->send("data: two\n\n");
            return;
        }
        first = exchange;
        if (reset) {
            exchange->sseHead(Framing::Chunked);
            exchange->send(complete);
            // A chunk that announces 256 bytes and stops early: a broken transfer.
            exchange->writeRaw("100\r\n" + partial);
        } else {
            exchange->sseHead(Framing::CloseDelimited);
            exchange->send(complete + partial);
        }
    });

    Sse::Client client;
    Recorder record(&client);
    client.setOptions(fastOptions(server.url("/stream")));
    client.open();

    // Cut the connection only once the client holds the partial event.
    QTRY_COMPARE(record.bytes, qint64(complete.size() + partial.size()));
    QVERIFY(first);
    QCOMPARE(dataOf(record.events), QByteArrayList{"one"});
    if (reset)
        first->abort();
    else
        first->close();

    QTRY_COMPARE(record.events.size(), 2);
    QCOMPARE(dataOf(record.events), (QByteArrayList{"one", "two"}));
    QCOMPARE(server.requestCount("/stream"), 2);
    QCOMPARE(record.reconnects.size(), 1);
    QCOMPARE(record.reconnects.constFirst().delayMs, qint64(20));
    QTRY_COMPARE(client.state(), State::Open);
}

void TestSseClient::postBody_data()
{
    QTest::addColumn<bool>("reconnectNonIdempotent");
    QTest::newRow("no re-POST (default)") << false;
    QTest::newRow("re-POST allowed") << true;
}

void TestSseClient::postBody()
{
    QFETCH(bool, reconnectNonIdempotent);

    TestServer server;
    server.route("/chat", [](Exchange *exchange) {
        exchange->sseHead(Framing::Chunked);
        exchange->send("retry: 20\nid: t" + QByteArray::number(exchange->request().index)
                       + "\ndata: token\n\n");
        exchange->finish();
    });

    const QByteArray json =
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hé\"}]}";
    Sse::Client client;
    Recorder record(&client);
    Sse::ClientOptions options = fastOptions(server.url("/chat"));
    options.method = "POST";
    options.body = json;
    options.headers = {{"Content-Type", "application/json"}, {"Authorization", "Bearer abc"}};
    options.reconnectNonIdempotent = reconnectNonIdempotent;
    client.setOptions(options);
    client.open();

    QTRY_VERIFY(!record.events.isEmpty());
    QCOMPARE(record.events.constFirst().data, QByteArray("token"));
    const TestServer::Request request = server.requests().constFirst();
    QCOMPARE(request.method, QByteArray("POST"));
    QCOMPARE(request.body, json);
    QCOMPARE(request.header("Content-Type"), QByteArray("application/json"));
    QCOMPARE(request.header("Authorization"), QByteArray("Bearer abc"));
    QVERIFY(request.header("Accept").contains("text/event-stream"));

    if (!reconnectNonIdempotent) {
        QTRY_COMPARE(client.state(), State::Closed);
        letTimePass(150);
        QCOMPARE(server.requestCount("/chat"), 1);
        QCOMPARE(client.state(), State::Closed);
        QVERIFY(record.reconnects.isEmpty());
        return;
    }

    QTRY_VERIFY(server.requestCount("/chat") >= 2);
    const TestServer::Request again = server.requests().at(1);
    QCOMPARE(again.method, QByteArray("POST"));
    QCOMPARE(again.body, json);
    QCOMPARE(again.header("Content-Type"), QByteArray("application/json"));
    QCOMPARE(again.header("Last-Event-ID"), QByteArray("t0"));
    QVERIFY(!record.reconnects.isEmpty());
    client.close();
}

void TestSseClient::policyNeverClosesAtEndOfStream()
{
    TestServer server;
    server.route("/stream", [](Exchange *exchange) {
        exchange->sseHead();
        exchange->send("retry: 20\ndata: only\n\n");
        exchange->finish();
    });

    Sse::Client client;
    Recorder record(&client);
    Sse::ClientOptions options = fastOptions(server.url("/stream"));
    options.reconnectPolicy = Sse::ReconnectPolicy::Never;
    client.setOptions(options);
    client.open();

    QTRY_COMPARE(client.state(), State::Closed);
    QCOMPARE(dataOf(record.events), QByteArrayList{"only"});
    letTimePass(150);
    QCOMPARE(server.requestCount("/stream"), 1);
    QCOMPARE(client.state(), State::Closed);
    QVERIFY(record.reconnects.isEmpty());
    QVERIFY(!record.states.contains(State::Reconnecting));
}

void TestSseClient::policyFixedIgnoresRetry()
{
    TestServer server;
    server.route("/stream", [](Exchange *exchange) {
        exchange->sseHead();
        exchange->send("retry: 10000\ndata: x\n\n");
        if (exchange->request().index < 2)
            exchange->finish();
    });

    Sse::Client client;
    Recorder record(&client);
    Sse::ClientOptions options = fastOptions(server.url("/stream"));
    options.reconnectPolicy = Sse::ReconnectPolicy::Fixed;
    options.fixedDelayMs = 30;
    client.setOptions(options);
    client.open();

    QTRY_COMPARE(server.requestCount("/stream"), 3);
    QTRY_COMPARE(client.state(), State::Open);
    QCOMPARE(record.reconnects.size(), 2);
    QCOMPARE(record.reconnects.at(0).delayMs, qint64(30));
    QCOMPARE(record.reconnects.at(1).delayMs, qint64(30));
}

void TestSseClient::exponentialBackoff_data()
{
    QTest::addColumn<double>("jitter");
    QTest::addColumn<double>("random");
    QTest::addColumn<bool>("exact");

    // Nominal delays for base 20 ms and cap 100 ms: 20, 40, 80, 100, 100.
    QTest::newRow("no jitter") << 0.0 << 0.0 << true;
    QTest::newRow("jitter, random in the middle") << 0.5 << 0.5 << true;
    QTest::newRow("jitter, random low") << 0.5 << 0.0 << false;
    QTest::newRow("jitter, random high") << 0.5 << 0.999 << false;
}

void TestSseClient::exponentialBackoff()
{
    QFETCH(double, jitter);
    QFETCH(double, random);
    QFETCH(bool, exact);

    // Nothing listens: each attempt fails at once with a network error.
    QUrl url;
    url.setScheme(QStringLiteral("http"));
    url.setHost(QStringLiteral("127.0.0.1"));
    url.setPort(unusedPort());
    url.setPath(QStringLiteral("/stream"));

    Sse::Client client;
    Recorder record(&client);
    int randomCalls = 0;
    client.setRandom([random, &randomCalls] {
        ++randomCalls;
        return random;
    });
    Sse::ClientOptions options = fastOptions(url);
    options.reconnectPolicy = Sse::ReconnectPolicy::ExponentialBackoff;
    options.defaultRetryMs = 20;
    options.backoffMaximumMs = 100;
    options.backoffJitter = jitter;
    client.setOptions(options);
    client.open();

    const QList<qint64> nominal = {20, 40, 80, 100, 100};
    QTRY_VERIFY(record.reconnects.size() >= nominal.size());
    client.close();

    for (qsizetype i = 0; i < nominal.size(); ++i) {
        const Recorder::Reconnect &reconnect = record.reconnects.at(i);
        QCOMPARE(reconnect.attempt, int(i + 1));
        const qint64 expected = nominal.at(i);
        const QString what = QStringLiteral("attempt %1: %2 ms, nominal %3 ms")
                                 .arg(i + 1)
                                 .arg(reconnect.delayMs)
                                 .arg(expected);
        if (exact) {
            QVERIFY2(qAbs(reconnect.delayMs - expected) <= 1, qPrintable(what));
        } else {
            QVERIFY2(reconnect.delayMs >= qFloor(expected * (1 - jitter)) - 1
                         && reconnect.delayMs <= qCeil(expected * (1 + jitter)) + 1,
                     qPrintable(what));
            // Capping may come after the jitter, so only uncapped delays must move.
            if (expected < options.backoffMaximumMs)
                QVERIFY2(reconnect.delayMs != expected, qPrintable(what));
        }
    }
    if (jitter > 0)
        QVERIFY(randomCalls > 0);
    QCOMPARE(client.state(), State::Closed);
}

void TestSseClient::gzipLongStream()
{
    // 3,400 events of ~4 KiB: about 13 MiB once inflated, past Qt's 10 MiB
    // decompression-bomb threshold, and far more compressible than its 40:1 limit.
    constexpr int Count = 3400;
    const QByteArray padding(4000, 'x');
    qint64 plainBytes = 0;
    qint64 compressedBytes = 0;

    TestServer server;
    server.route("/stream", [&](Exchange *exchange) {
        exchange->sseHead(Framing::Chunked, Coding::Gzip);
        for (int i = 0; i < Count; ++i) {
            exchange->send("data: {\"seq\":" + QByteArray::number(i) + ",\"pad\":\"" + padding
                           + "\"}\n\n");
        }
        exchange->finish();
        plainBytes = exchange->gzipEncoder()->bytesIn();
        compressedBytes = exchange->gzipEncoder()->bytesOut();
    });

    Sse::Client client;
    Recorder record(&client);
    Sse::ClientOptions options = fastOptions(server.url("/stream"));
    options.reconnectPolicy = Sse::ReconnectPolicy::Never;
    client.setOptions(options);
    client.open();

    QTRY_VERIFY_WITH_TIMEOUT(client.state() == State::Closed || client.state() == State::Failed,
                             30000);
    // The only report allowed is the non-fatal end of the stream.
    QCOMPARE(client.state(), State::Closed);
    for (const Recorder::Error &error : std::as_const(record.errors)) {
        QVERIFY2(!error.fatal, qPrintable(error.message));
        QVERIFY2(!error.message.contains(QLatin1String("ecompress")), qPrintable(error.message));
    }
    QVERIFY(plainBytes > 12 * 1024 * 1024);
    QVERIFY2(plainBytes > 40 * compressedBytes,
             qPrintable(QStringLiteral("%1 -> %2").arg(plainBytes).arg(compressedBytes)));
    QCOMPARE(record.events.size(), Count);
    for (int i : {0, Count / 2, Count - 1}) {
        QCOMPARE(record.events.at(i).data,
                 "{\"seq\":" + QByteArray::number(i) + ",\"pad\":\"" + padding + "\"}");
    }
    QCOMPARE(record.bytes, plainBytes);
}

void TestSseClient::idleTimeout()
{
    TestServer server;
    server.route("/stream", [](Exchange *exchange) {
        exchange->sseHead(Framing::Chunked); // headers, then silence
    });

    Sse::Client client;
    Recorder record(&client);
    Sse::ClientOptions options = fastOptions(server.url("/stream"));
    options.idleTimeoutMs = 200;
    options.defaultRetryMs = 60000; // one timeout is enough
    client.setOptions(options);
    client.open();

    QTRY_COMPARE(client.state(), State::Open);
    QTRY_COMPARE(record.reconnects.size(), 1);
    const Recorder::Reconnect &reconnect = record.reconnects.constFirst();
    QVERIFY2(reconnect.reason.contains(QLatin1String("idle"), Qt::CaseInsensitive),
             qPrintable(reconnect.reason));
    const qint64 silence = reconnect.atMs - record.timeOf(State::Open);
    QVERIFY2(silence >= 190, qPrintable(QString::number(silence)));
    QCOMPARE(client.state(), State::Reconnecting);
    // The client dropped the silent connection.
    QTRY_COMPARE(server.openConnectionCount(), 0);
}

void TestSseClient::heartbeatKeepsConnectionAlive()
{
    TestServer server;
    server.route("/stream", [](Exchange *exchange) {
        exchange->sseHead(Framing::Chunked);
        auto *heartbeat = new QTimer(exchange);
        QObject::connect(heartbeat, &QTimer::timeout, exchange,
                         [exchange] { exchange->send(": heartbeat\n\n"); });
        heartbeat->start(50);
    });

    Sse::Client client;
    Recorder record(&client);
    Sse::ClientOptions options = fastOptions(server.url("/stream"));
    options.idleTimeoutMs = 200;
    client.setOptions(options);
    client.open();

    QTRY_COMPARE(client.state(), State::Open);
    letTimePass(500);
    QCOMPARE(client.state(), State::Open);
    QVERIFY(record.reconnects.isEmpty());
    QCOMPARE(server.requestCount("/stream"), 1);
    QVERIFY(record.bytes >= 5 * qsizetype(sizeof(": heartbeat\n\n") - 1));
    QVERIFY(record.events.isEmpty());
    QVERIFY(client.statistics().comments >= 5);
}

void TestSseClient::connectTimeout()
{
    TestServer server;
    server.route("/stream", [](Exchange *) {
        // Accept the request and never answer.
    });

    Sse::Client client;
    Recorder record(&client);
    Sse::ClientOptions options = fastOptions(server.url("/stream"));
    options.connectTimeoutMs = 150;
    options.defaultRetryMs = 60000;
    client.setOptions(options);
    QElapsedTimer timer;
    timer.start();
    client.open();

    QTRY_COMPARE(server.requestCount("/stream"), 1);
    QTRY_COMPARE(record.reconnects.size(), 1);
    const qint64 waited = timer.elapsed();
    QVERIFY2(waited >= 140, qPrintable(QString::number(waited)));
    QVERIFY(!record.reconnects.constFirst().reason.isEmpty());
    QCOMPARE(client.state(), State::Reconnecting);
    QVERIFY(!record.states.contains(State::Open));
    QTRY_COMPARE(server.openConnectionCount(), 0);
}

void TestSseClient::eventTooLarge()
{
    TestServer server;
    server.route("/stream", [](Exchange *exchange) {
        exchange->sseHead(Framing::Chunked);
        exchange->send("data: " + QByteArray(4 * 1024 * 1024, 'y'));
    });

    Sse::Client client;
    Recorder record(&client);
    Sse::ClientOptions options = fastOptions(server.url("/stream"));
    options.maximumEventSize = 64 * 1024;
    client.setOptions(options);
    client.open();

    QTRY_COMPARE(client.state(), State::Failed);
    const Sse::FailureInfo failure = client.failure();
    QCOMPARE(failure.kind, Kind::EventTooLarge);
    QVERIFY2(failure.message.contains(QLatin1String("large"), Qt::CaseInsensitive)
                 || failure.message.contains(QLatin1String("size"), Qt::CaseInsensitive),
             qPrintable(failure.message));
    QVERIFY(!record.errors.isEmpty());
    QVERIFY(record.errors.constLast().fatal);
    QVERIFY(record.events.isEmpty());
    letTimePass(150);
    QCOMPARE(server.requestCount("/stream"), 1);
    QCOMPARE(client.state(), State::Failed);
    QTRY_COMPARE(server.openConnectionCount(), 0);
}

// A server that sends far more than the limit with no newline, written as fast as the
// socket takes it: the client fails once the limit is passed and stops reading, so the
// server can only push a bounded amount into the connection.
void TestSseClient::endlessLineStaysBounded()
{
    TestServer server;
    server.route("/endless", [](Exchange *exchange) {
        exchange->sseHead();
        exchange->send("data: ");
        auto *timer = new QTimer(exchange);
        QObject::connect(timer, &QTimer::timeout, exchange, [exchange, timer] {
            QTcpSocket *socket = exchange->socket();
            if (!exchange->isConnected() || exchange->bytesWritten() > 256LL * 1024 * 1024) {
                timer->stop();
                return;
            }
            if (socket->bytesToWrite() < 2 * 1024 * 1024)
                exchange->writeRaw(QByteArray(1024 * 1024, 'z'));
        });
        timer->start(0);
    });

    Sse::Client client;
    Recorder record(&client);
    Sse::ClientOptions options = fastOptions(server.url("/endless"));
    options.maximumEventSize = 1024 * 1024;
    client.setOptions(options);
    client.open();
    QTRY_COMPARE_WITH_TIMEOUT(client.state(), State::Failed, 20000);
    QCOMPARE(client.failure().kind, Kind::EventTooLarge);
    QTRY_COMPARE(server.openConnectionCount(), 0);
    const QList<Exchange *> left = server.exchanges("/endless");
    QVERIFY(left.isEmpty()); // the connection is gone, not left streaming
}

// 200 with text/html and a large body: Failed at once with the first KiB kept, and the
// body is not read into memory (the connection is dropped long before its end).
void TestSseClient::largeNonSseBodyIsNotRead()
{
    TestServer server;
    auto written = std::make_shared<qint64>(0);
    server.route("/page", [written](Exchange *exchange) {
        exchange->writeHead(200, {{"Content-Type", "text/html"}});
        auto *timer = new QTimer(exchange);
        QObject::connect(timer, &QTimer::timeout, exchange, [exchange, timer, written] {
            if (!exchange->isConnected() || *written >= 100LL * 1024 * 1024) {
                timer->stop();
                return;
            }
            if (exchange->socket()->bytesToWrite() < 2 * 1024 * 1024) {
                exchange->writeRaw("<html>" + QByteArray(1024 * 1024 - 6, 'h'));
                *written += 1024 * 1024;
            }
        });
        timer->start(0);
    });

    Sse::Client client;
    client.setOptions(fastOptions(server.url("/page")));
    client.open();
    QTRY_COMPARE_WITH_TIMEOUT(client.state(), State::Failed, 10000);
    const Sse::FailureInfo failure = client.failure();
    QCOMPARE(failure.kind, Kind::ContentType);
    QCOMPARE(failure.bodyPreview.size(), 1024);
    QVERIFY(failure.bodyPreview.startsWith("<html>"));
    QTRY_COMPARE(server.openConnectionCount(), 0);
    QVERIFY2(*written < 50LL * 1024 * 1024, QByteArray::number(*written).constData());
}

void TestSseClient::closeWhileOpen()
{
    TestServer server;
    server.route("/stream", [](Exchange *exchange) {
        exchange->sseHead();
        exchange->send("retry: 20\ndata: x\n\n");
    });

    Sse::Client client;
    Recorder record(&client);
    client.setOptions(fastOptions(server.url("/stream")));
    client.open();

    QTRY_COMPARE(record.events.size(), 1);
    QCOMPARE(client.state(), State::Open);
    client.close();
    QTRY_COMPARE(client.state(), State::Closed);
    QTRY_COMPARE(server.openConnectionCount(), 0);
    letTimePass(150);
    QCOMPARE(client.state(), State::Closed);
    QCOMPARE(server.requestCount("/stream"), 1);
    QVERIFY(record.reconnects.isEmpty());
}

void TestSseClient::closeWhileReconnecting()
{
    TestServer server;
    server.route("/stream", [](Exchange *exchange) {
        exchange->sseHead();
        exchange->send("data: x\n\n");
        exchange->finish();
    });

    Sse::Client client;
    Recorder record(&client);
    Sse::ClientOptions options = fastOptions(server.url("/stream"));
    options.defaultRetryMs = 200;
    client.setOptions(options);
    client.open();

    QTRY_COMPARE(client.state(), State::Reconnecting);
    client.close();
    QTRY_COMPARE(client.state(), State::Closed);
    letTimePass(400);
    QCOMPARE(server.requestCount("/stream"), 1);
    QCOMPARE(client.state(), State::Closed);
}

void TestSseClient::reconnectNowWhileReconnecting()
{
    TestServer server;
    server.route("/stream", [](Exchange *exchange) {
        exchange->sseHead();
        exchange->send("retry: 60000\nid: 5\ndata: x\n\n");
        if (exchange->request().index == 0)
            exchange->finish();
    });

    const qint64 fakeNow = 1700000000000;
    Sse::Client client;
    Recorder record(&client);
    client.setClock([fakeNow] { return fakeNow; });
    client.setOptions(fastOptions(server.url("/stream")));
    client.open();

    QTRY_COMPARE(client.state(), State::Reconnecting);
    QCOMPARE(record.reconnects.size(), 1);
    QCOMPARE(record.reconnects.constFirst().delayMs, qint64(60000));
    QCOMPARE(client.attempt(), 1);
    QCOMPARE(client.nextAttemptAtMs(), fakeNow + 60000);

    // A real event loop, not QTRY's 10 ms polling: "at once" means well under
    // the 60 s the client would otherwise wait.
    QSignalSpy requested(&server, &TestServer::requestReceived);
    client.reconnectNow();
    QVERIFY(requested.wait(2000));
    QCOMPARE(server.requestCount("/stream"), 2);
    QTRY_COMPARE(client.state(), State::Open);
    QCOMPARE(server.requests().at(1).header("Last-Event-ID"), QByteArray("5"));
    QTRY_COMPARE(record.events.size(), 2);
}

void TestSseClient::manyConcurrentClients()
{
    // Qt 6.4 lets one QNetworkAccessManager open 6 connections per host; the
    // client has to spread its streams so none of them waits forever.
    constexpr int Count = 12;
    TestServer server;
    server.route("/stream", [](Exchange *exchange) {
        exchange->sseHead(Framing::Chunked);
        exchange->send("data: hello\n\n");
    });

    std::vector<std::unique_ptr<Sse::Client>> clients;
    std::vector<std::unique_ptr<Recorder>> records; // destroyed before the clients
    for (int i = 0; i < Count; ++i) {
        clients.push_back(std::make_unique<Sse::Client>());
        records.push_back(std::make_unique<Recorder>(clients.back().get()));
        const QByteArray path = "/stream?client=" + QByteArray::number(i);
        clients.back()->setOptions(fastOptions(server.url(path)));
        clients.back()->open();
    }

    const auto openCount = [&clients] {
        return std::count_if(clients.cbegin(), clients.cend(), [](const auto &client) {
            return client->state() == State::Open;
        });
    };
    QTRY_COMPARE_WITH_TIMEOUT(int(openCount()), Count, 10000);
    QTRY_COMPARE(int(server.exchanges("/stream").size()), Count);
    QCOMPARE(server.openConnectionCount(), Count);

    for (Exchange *exchange : server.exchanges("/stream"))
        exchange->send("data: everyone\n\n");
    for (const auto &record : records) {
        QTRY_COMPARE(record->events.size(), 2);
        QCOMPARE(dataOf(record->events), (QByteArrayList{"hello", "everyone"}));
    }
    QCOMPARE(server.requestCount("/stream"), Count);
}

void TestSseClient::unreachableServer_data()
{
    QTest::addColumn<QUrl>("url");
    QTest::addColumn<QString>("hint"); // expected in the error message
    QTest::addColumn<Sse::ReconnectPolicy>("policy");

    QUrl refused;
    refused.setScheme(QStringLiteral("http"));
    refused.setHost(QStringLiteral("127.0.0.1"));
    refused.setPort(unusedPort());
    refused.setPath(QStringLiteral("/stream"));
    const QUrl unresolvable(QStringLiteral("http://nonexistent.invalid/stream"));

    QTest::newRow("refused, reconnect")
        << refused << QStringLiteral("refused") << Sse::ReconnectPolicy::ServerRetry;
    QTest::newRow("refused, never")
        << refused << QStringLiteral("refused") << Sse::ReconnectPolicy::Never;
    QTest::newRow("unresolvable, reconnect")
        << unresolvable << QStringLiteral("nonexistent.invalid")
        << Sse::ReconnectPolicy::ServerRetry;
    QTest::newRow("unresolvable, never")
        << unresolvable << QStringLiteral("nonexistent.invalid") << Sse::ReconnectPolicy::Never;
}

void TestSseClient::unreachableServer()
{
    QFETCH(QUrl, url);
    QFETCH(QString, hint);
    QFETCH(Sse::ReconnectPolicy, policy);

    Sse::Client client;
    Recorder record(&client);
    Sse::ClientOptions options = fastOptions(url);
    options.reconnectPolicy = policy;
    options.defaultRetryMs = 60000; // one round is enough
    client.setOptions(options);
    client.open();

    QTRY_VERIFY_WITH_TIMEOUT(!record.errors.isEmpty(), 15000);
    const QString message = record.errors.constFirst().message;
    QVERIFY2(message.contains(hint, Qt::CaseInsensitive), qPrintable(message));

    if (policy == Sse::ReconnectPolicy::Never) {
        QTRY_VERIFY(client.state() == State::Closed || client.state() == State::Failed);
        if (client.state() == State::Failed) {
            QCOMPARE(client.failure().kind, Kind::Network);
            QVERIFY(!client.failure().message.isEmpty());
        }
        QVERIFY(record.reconnects.isEmpty());
        return;
    }

    QTRY_COMPARE(client.state(), State::Reconnecting);
    QCOMPARE(record.errors.constFirst().fatal, false);
    QCOMPARE(record.reconnects.size(), 1);
    QCOMPARE(record.reconnects.constFirst().attempt, 1);
    QVERIFY(!record.reconnects.constFirst().reason.isEmpty());
}

QTEST_GUILESS_MAIN(TestSseClient)
#include "tst_sseclient.moc"
