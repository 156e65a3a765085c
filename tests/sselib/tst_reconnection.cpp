// One request per attempt, Last-Event-ID at send time, redirects one hop per request,
// reconnection delays never early, and back-pressure: what issue 12 asks of the client.
// Each case failed with the QNetworkAccessManager transport, which re-sent requests by
// itself when a connection dropped before the status line or a kept-alive one closed.

#include "sselib/sseclient.h"
#include "testserver.h"

#include <QElapsedTimer>
#include <QNetworkProxyFactory>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>

using State = Sse::Client::State;
using Exchange = TestServer::Exchange;
using Framing = TestServer::Framing;

namespace {

Sse::ClientOptions optionsFor(const QUrl &url, int retryMs)
{
    Sse::ClientOptions options;
    options.url = url;
    options.defaultRetryMs = retryMs;
    options.connectTimeoutMs = 10000;
    return options;
}

QByteArrayList dataOf(const Sse::EventList &events)
{
    QByteArrayList result;
    for (const Sse::Event &event : events)
        result.append(event.data);
    return result;
}

QByteArrayList lastEventIds(const QList<TestServer::Request> &requests)
{
    QByteArrayList result;
    for (const TestServer::Request &request : requests)
        result.append(request.hasHeader("Last-Event-ID") ? request.header("Last-Event-ID")
                                                         : QByteArray("(none)"));
    return result;
}

struct Collector
{
    explicit Collector(Sse::Client *client)
    {
        clock.start();
        QObject::connect(client, &Sse::Client::eventsReceived, &context,
                         [this](const Sse::EventBatch &batch) { batch.appendTo(events); });
        QObject::connect(client, &Sse::Client::stateChanged, &context, [this](State state) {
            states.append(state);
            stateTimes.append(clock.nsecsElapsed());
        });
        QObject::connect(client, &Sse::Client::reconnectScheduled, &context,
                         [this](qint64 delayMs, int, const QString &) {
                             scheduled.append({delayMs, clock.nsecsElapsed()});
                         });
    }
    Sse::EventList events;
    QList<State> states;
    QList<qint64> stateTimes; // ns
    QList<QPair<qint64, qint64>> scheduled; // delay ms, at ns
    QElapsedTimer clock;
    QObject context;
};

} // namespace

class TestReconnection : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QNetworkProxyFactory::setUseSystemConfiguration(false); }
    void init() { QTest::failOnWarning(QRegularExpression(QStringLiteral(".*"))); }

    void noResponseWaitsReconnectionTime_data();
    void noResponseWaitsReconnectionTime();
    void everyAttemptOnItsOwnConnection();
    void lastEventIdAtSendTime();
    void redirectHops_data();
    void redirectHops();
    void redirectToFailure_data();
    void redirectToFailure();
    void crossOriginRedirect_data();
    void crossOriginRedirect();
    void reconnectNeverEarly();
    void responseHeadLimits_data();
    void responseHeadLimits();
    void openAndCloseBacksOff();
    void throttleStopsReadingAndLosesNothing();
    void dropPolicyCountsWhatItDrops();
};

void TestReconnection::noResponseWaitsReconnectionTime_data()
{
    QTest::addColumn<int>("mode");
    QTest::newRow("close before the status line") << 0;
    QTest::newRow("reset before the status line") << 1;
    QTest::newRow("close in the middle of the head") << 2;
}

// A server that never answers gets one request per reconnection time, never a burst.
void TestReconnection::noResponseWaitsReconnectionTime()
{
    QFETCH(int, mode);
    constexpr int RetryMs = 150;
    TestServer server;
    server.route("/stream", [mode](Exchange *exchange) {
        if (mode == 2)
            exchange->writeRaw("HTTP/1.1 200 OK\r\nContent-Ty");
        if (mode == 1)
            exchange->abort();
        else
            exchange->close();
    });
    Sse::Client client;
    client.setOptions(optionsFor(server.url("/stream"), RetryMs));
    client.open();

    QTRY_VERIFY_WITH_TIMEOUT(server.requestCount("/stream") >= 4, 10000);
    client.close();
    const QList<TestServer::Request> requests = server.requests("/stream");
    for (qsizetype i = 1; i < requests.size(); ++i) {
        const qint64 gap = requests.at(i).receivedMs - requests.at(i - 1).receivedMs;
        QVERIFY2(gap >= RetryMs - 1, qPrintable(QStringLiteral("request %1 came %2 ms after "
                                                               "the previous one")
                                                    .arg(i)
                                                    .arg(gap)));
    }
    // Each attempt on its own connection: nothing re-sent on one.
    QCOMPARE(server.connectionCount(), server.requestCount());
}

// A kept-alive response (Content-Length) ends the stream; the reconnection opens a new
// connection instead of reusing the one the server may be closing.
void TestReconnection::everyAttemptOnItsOwnConnection()
{
    TestServer server;
    server.route("/stream", [](Exchange *exchange) {
        const int index = exchange->request().index;
        if (index == 1) {
            exchange->abort(); // the second attempt: reset at once
            return;
        }
        const QByteArray body = "retry: 40\nid: " + QByteArray::number(index) + "\ndata: e"
            + QByteArray::number(index) + "\n\n";
        exchange->respond(200, {{"Content-Type", "text/event-stream"}}, body);
    });
    Sse::Client client;
    Collector collect(&client);
    client.setOptions(optionsFor(server.url("/stream"), 40));
    client.open();

    QTRY_COMPARE_WITH_TIMEOUT(collect.events.size(), 3, 10000);
    client.close();
    QCOMPARE(dataOf(collect.events), (QByteArrayList{"e0", "e2", "e3"}));
    QCOMPARE(server.requestCount("/stream"), 4);
    QCOMPARE(server.connectionCount(), 4);
    QCOMPARE(lastEventIds(server.requests("/stream")),
             (QByteArrayList{"(none)", "0", "0", "2"}));
}

// The case from the issue: a, b (id 2), abort; the reconnection must carry 2 and get c.
void TestReconnection::lastEventIdAtSendTime()
{
    TestServer server;
    server.route("/stream", [](Exchange *exchange) {
        switch (exchange->request().index) {
        case 0:
            exchange->sseHead(Framing::Chunked);
            exchange->send("retry: 30\nid: 1\ndata: a\n\n");
            exchange->finish();
            break;
        case 1: {
            exchange->sseHead();
            exchange->send("id: 2\ndata: b\n\nid: 3\ndata: never dispatched");
            QPointer<Exchange> guard(exchange);
            QTimer::singleShot(100, exchange, [guard] {
                if (guard)
                    guard->abort();
            });
            break;
        }
        case 2:
            exchange->sseHead();
            exchange->send("data: c\n\n");
            exchange->close();
            break;
        default:
            exchange->sseHead();
            exchange->send("data: d\n\n");
            break;
        }
    });
    Sse::Client client;
    Collector collect(&client);
    client.setOptions(optionsFor(server.url("/stream"), 30));
    client.open();

    QTRY_COMPARE_WITH_TIMEOUT(collect.events.size(), 4, 10000);
    client.close();
    QCOMPARE(dataOf(collect.events), (QByteArrayList{"a", "b", "c", "d"}));
    QCOMPARE(lastEventIds(server.requests("/stream")),
             (QByteArrayList{"(none)", "1", "2", "2"}));
    QCOMPARE(server.requestCount("/stream"), 4);
}

void TestReconnection::redirectHops_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<bool>("absolute");
    for (int status : {301, 302, 303, 307, 308}) {
        for (bool absolute : {false, true}) {
            QTest::addRow("%d %s", status, absolute ? "absolute" : "relative")
                << status << absolute;
        }
    }
}

// Exactly one request per hop; Last-Event-ID and custom headers go along every hop.
void TestReconnection::redirectHops()
{
    QFETCH(int, status);
    QFETCH(bool, absolute);
    TestServer server;
    const QByteArray base = absolute ? server.url("/").toEncoded().chopped(1) : QByteArray();
    server.route("/start", [&](Exchange *exchange) {
        exchange->respond(status, {{"Location", base + "/middle"}});
    });
    server.route("/middle", [&](Exchange *exchange) {
        exchange->respond(status, {{"Location", base + "/stream?x=1"}});
    });
    server.route("/stream", [](Exchange *exchange) {
        exchange->sseHead();
        exchange->send("id: 8\ndata: arrived\n\n");
    });
    Sse::Client client;
    Collector collect(&client);
    QSignalSpy redirected(&client, &Sse::Client::redirected);
    Sse::ClientOptions options = optionsFor(server.url("/start"), 60000);
    options.initialLastEventId = "7";
    options.headers = {{"X-Trace", "t-1"}};
    client.setOptions(options);
    client.open();

    QTRY_COMPARE(collect.events.size(), 1);
    QCOMPARE(client.state(), State::Open);
    QCOMPARE(server.requestCount(), 3);
    const QList<TestServer::Request> requests = server.requests();
    QCOMPARE(requests.at(2).path, QByteArray("/stream?x=1"));
    for (const TestServer::Request &request : requests) {
        QCOMPARE(request.header("Last-Event-ID"), QByteArray("7"));
        QCOMPARE(request.header("X-Trace"), QByteArray("t-1"));
    }
    QCOMPARE(redirected.size(), 2);
    QCOMPARE(redirected.at(0).at(0).toInt(), status);
}

void TestReconnection::redirectToFailure_data()
{
    QTest::addColumn<int>("finalStatus");
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<Sse::FailureInfo::Kind>("kind");
    QTest::newRow("to 404") << 404 << QByteArray("text/plain") << Sse::FailureInfo::Kind::HttpStatus;
    QTest::newRow("to 503") << 503 << QByteArray("text/event-stream")
                            << Sse::FailureInfo::Kind::HttpStatus;
    QTest::newRow("to text/html") << 200 << QByteArray("text/html")
                                  << Sse::FailureInfo::Kind::ContentType;
    QTest::newRow("to 204") << 204 << QByteArray() << Sse::FailureInfo::Kind::HttpStatus;
}

// A redirect to a non-200 or a wrong content type fails the connection: no reconnection.
void TestReconnection::redirectToFailure()
{
    QFETCH(int, finalStatus);
    QFETCH(QByteArray, contentType);
    QFETCH(Sse::FailureInfo::Kind, kind);
    TestServer server;
    server.route("/start", [](Exchange *exchange) {
        exchange->respond(302, {{"Location", "/end"}});
    });
    server.route("/end", [&](Exchange *exchange) {
        TestServer::Headers headers;
        if (!contentType.isEmpty())
            headers.append({"Content-Type", contentType});
        exchange->respond(finalStatus, headers, finalStatus == 204 ? QByteArray() : "no");
    });
    Sse::Client client;
    client.setOptions(optionsFor(server.url("/start"), 20));
    client.open();
    QTRY_COMPARE(client.state(), State::Failed);
    QCOMPARE(client.failure().kind, kind);
    QCOMPARE(client.failure().httpStatus, finalStatus);
    // 20 ms reconnections would have come many times over.
    QTest::qWait(200);
    QCOMPARE(server.requestCount("/start"), 1);
    QCOMPARE(server.requestCount("/end"), 1);
}

void TestReconnection::crossOriginRedirect_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<bool>("post");
    QTest::addColumn<bool>("forward");
    QTest::addColumn<bool>("expectOpen");
    QTest::newRow("302 GET") << 302 << false << false << true;
    QTest::newRow("302 GET, forwarding allowed") << 302 << false << true << true;
    QTest::newRow("307 POST: body stays home") << 307 << true << false << false;
    QTest::newRow("307 POST, forwarding allowed") << 307 << true << true << true;
}

// Credentials stay with their origin (as browsers and curl do); a non-secret header goes on.
void TestReconnection::crossOriginRedirect()
{
    QFETCH(int, status);
    QFETCH(bool, post);
    QFETCH(bool, forward);
    QFETCH(bool, expectOpen);
    TestServer home;
    TestServer other;
    const QByteArray target = other.url("/stream").toEncoded();
    home.route("/start", [&](Exchange *exchange) {
        exchange->respond(status, {{"Location", target}});
    });
    other.route("/stream", [](Exchange *exchange) {
        exchange->sseHead();
        exchange->send("data: there\n\n");
    });
    Sse::Client client;
    Collector collect(&client);
    QSignalSpy redirected(&client, &Sse::Client::redirected);
    Sse::ClientOptions options = optionsFor(home.url("/start"), 60000);
    options.headers = {{"Authorization", "Bearer s3cret"},
                       {"Cookie", "session=1"},
                       {"X-API-Key", "k"},
                       {"X-Trace", "keep"}};
    if (post) {
        options.method = "POST";
        options.body = "{\"prompt\":\"x\"}";
        options.reconnectNonIdempotent = true;
    }
    options.forwardCredentialsOnRedirect = forward;
    client.setOptions(options);
    client.open();

    if (!expectOpen) {
        QTRY_COMPARE(client.state(), State::Failed);
        QVERIFY2(client.failure().message.contains(QStringLiteral("another origin")),
                 qPrintable(client.failure().message));
        QCOMPARE(other.requestCount(), 0);
        return;
    }
    QTRY_COMPARE(collect.events.size(), 1);
    QCOMPARE(other.requestCount(), 1);
    const TestServer::Request request = other.requests().constFirst();
    QCOMPARE(request.header("X-Trace"), QByteArray("keep"));
    QCOMPARE(request.hasHeader("Authorization"), forward);
    QCOMPARE(request.hasHeader("Cookie"), forward);
    QCOMPARE(request.hasHeader("X-API-Key"), forward);
    if (post)
        QCOMPARE(request.body, forward ? options.body : QByteArray());
    QCOMPARE(redirected.size(), 1);
    const QList<QByteArray> dropped = redirected.at(0).at(2).value<QList<QByteArray>>();
    QCOMPARE(dropped.size(), forward ? 0 : 3);
}

// Measured on the monotonic clock: the next attempt never starts before the delay it
// announced (a coarse QTimer may fire up to 5 % early).
void TestReconnection::reconnectNeverEarly()
{
    TestServer server;
    server.route("/stream", [](Exchange *exchange) {
        exchange->sseHead(Framing::Chunked);
        exchange->send("retry: 330\ndata: x\n\n");
        exchange->finish();
    });
    Sse::Client client;
    Collector collect(&client);
    client.setOptions(optionsFor(server.url("/stream"), 330));
    client.open();
    QTRY_VERIFY_WITH_TIMEOUT(server.requestCount("/stream") >= 4, 10000);
    client.close();
    int checked = 0;
    for (const auto &[delayMs, atNs] : std::as_const(collect.scheduled)) {
        // The first Connecting after this schedule.
        for (qsizetype i = 0; i < collect.states.size(); ++i) {
            if (collect.states.at(i) == State::Connecting && collect.stateTimes.at(i) > atNs) {
                const qint64 waitedNs = collect.stateTimes.at(i) - atNs;
                QVERIFY2(waitedNs >= delayMs * 1000000,
                         qPrintable(QStringLiteral("waited %1 ms of %2")
                                        .arg(double(waitedNs) / 1e6)
                                        .arg(delayMs)));
                ++checked;
                break;
            }
        }
    }
    QVERIFY(checked >= 3);
}

void TestReconnection::responseHeadLimits_data()
{
    QTest::addColumn<int>("fields");
    QTest::addColumn<int>("fieldBytes");
    QTest::addColumn<QString>("expected");
    QTest::newRow("600 header fields") << 600 << 10 << QStringLiteral("header fields");
    QTest::newRow("a 200 KiB header") << 1 << 200 * 1024 << QStringLiteral("KiB");
}

// A head Qt would have dropped whole (reported as "content type (none)") is named for what
// it is, and is not retried.
void TestReconnection::responseHeadLimits()
{
    QFETCH(int, fields);
    QFETCH(int, fieldBytes);
    QFETCH(QString, expected);
    TestServer server;
    server.route("/stream", [&](Exchange *exchange) {
        QByteArray head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n";
        for (int i = 0; i < fields; ++i)
            head += "X-Filler-" + QByteArray::number(i) + ": " + QByteArray(fieldBytes, 'f')
                + "\r\n";
        exchange->writeRaw(head + "\r\ndata: x\n\n");
    });
    Sse::Client client;
    client.setOptions(optionsFor(server.url("/stream"), 20));
    client.open();
    QTRY_COMPARE(client.state(), State::Failed);
    QVERIFY2(client.failure().message.contains(expected), qPrintable(client.failure().message));
    QCOMPARE(server.requestCount("/stream"), 1);
}

// `retry: 0` and a close after every head was a busy loop (~430 requests/s): from the
// second empty response in a row the client backs off from 100 ms, and says why.
void TestReconnection::openAndCloseBacksOff()
{
    TestServer server;
    server.route("/stream", [](Exchange *exchange) {
        exchange->sseHead();
        exchange->send("retry: 0\n\n");
        exchange->close();
    });
    Sse::Client client;
    QStringList errors;
    QObject context;
    QObject::connect(&client, &Sse::Client::errorOccurred, &context,
                     [&](const QString &message, bool) { errors.append(message); });
    client.setOptions(optionsFor(server.url("/stream"), 0));
    client.open();
    QElapsedTimer clock;
    clock.start();
    QTRY_VERIFY_WITH_TIMEOUT(clock.hasExpired(1500), 5000);
    client.close();
    QVERIFY2(server.requestCount("/stream") <= 12,
             qPrintable(QStringLiteral("%1 requests in 1.5 s").arg(server.requestCount("/stream"))));
    QVERIFY(server.requestCount("/stream") >= 3);
    QVERIFY2(errors.join(QLatin1Char('|')).contains(QStringLiteral("closes right after connecting")),
             qPrintable(errors.join(QLatin1Char('|'))));
}

namespace {

// Writes Count numbered events as fast as the socket takes them, then finishes.
void floodHandler(Exchange *exchange, int count, qint64 *bytesWritten)
{
    exchange->sseHead(Framing::Chunked);
    auto *timer = new QTimer(exchange);
    auto next = std::make_shared<int>(0);
    QObject::connect(timer, &QTimer::timeout, exchange, [exchange, timer, next, count,
                                                         bytesWritten] {
        if (!exchange->isConnected()) {
            timer->stop();
            return;
        }
        if (exchange->socket()->bytesToWrite() > 256 * 1024)
            return;
        QByteArray block;
        const QByteArray filler(200, 'p');
        for (int i = 0; i < 500 && *next < count; ++i, ++*next)
            block += "id: " + QByteArray::number(*next) + "\ndata: " + filler + "\n\n";
        exchange->send(block);
        *bytesWritten = exchange->bytesWritten();
        if (*next >= count) {
            timer->stop();
            exchange->finish();
        }
    });
    timer->start(0);
}

} // namespace

// A consumer that stops releasing stops the socket reads: the server can only get as far as
// the socket buffers let it, and once the consumer catches up every event arrives, in order.
void TestReconnection::throttleStopsReadingAndLosesNothing()
{
    constexpr int Count = 100000; // ~23 MB
    qint64 written = 0;
    TestServer server;
    server.route("/stream", [&](Exchange *exchange) { floodHandler(exchange, Count, &written); });
    auto flow = std::make_shared<Sse::FlowControl>(1024 * 1024);
    Sse::Client client;
    client.setFlowControl(flow);
    Sse::ClientOptions options = optionsFor(server.url("/stream"), 60000);
    options.reconnectPolicy = Sse::ReconnectPolicy::Never;
    client.setOptions(options);
    qint64 received = 0;
    qint64 held = 0; // cost not yet released
    qint64 lastId = -1;
    bool inOrder = true;
    QObject context;
    QObject::connect(&client, &Sse::Client::eventsReceived, &context,
                     [&](const Sse::EventBatch &batch) {
                         held += Sse::FlowControl::cost(batch);
                         for (const Sse::EventView event : batch) {
                             const qint64 id = event.lastEventId.toByteArray().toLongLong();
                             inOrder = inOrder && id == lastId + 1;
                             lastId = id;
                         }
                         received += batch.size();
                     });
    QSignalSpy throttled(&client, &Sse::Client::throttleChanged);
    client.open();

    QTRY_VERIFY_WITH_TIMEOUT(!throttled.isEmpty(), 10000);
    QCOMPARE(throttled.constFirst().constFirst().toBool(), true);
    // Nothing released: the client reads no more, however long the server tries.
    const qint64 stalledAt = received;
    QTest::qWait(300);
    QCOMPARE(received, stalledAt);
    QVERIFY2(held <= 2 * 1024 * 1024, qPrintable(QString::number(held)));
    QVERIFY2(written < qint64(Count) * 200, qPrintable(QString::number(written)));
    QVERIFY(client.statistics().throttled);

    // Catch up: release as batches come, until the end.
    QObject::connect(&client, &Sse::Client::eventsReceived, &context,
                     [&](const Sse::EventBatch &) {
                         flow->release(held);
                         held = 0;
                     });
    flow->release(held);
    held = 0;
    QTRY_COMPARE_WITH_TIMEOUT(received, qint64(Count), 20000);
    QVERIFY(inOrder);
    QCOMPARE(client.statistics().dropped, 0);
    QTRY_COMPARE(client.state(), State::Closed);
}

// The other policy keeps reading, drops the newest events past the limit and counts them.
void TestReconnection::dropPolicyCountsWhatItDrops()
{
    constexpr int Count = 50000;
    qint64 written = 0;
    TestServer server;
    server.route("/stream", [&](Exchange *exchange) { floodHandler(exchange, Count, &written); });
    auto flow = std::make_shared<Sse::FlowControl>(512 * 1024);
    Sse::Client client;
    client.setFlowControl(flow);
    Sse::ClientOptions options = optionsFor(server.url("/stream"), 60000);
    options.reconnectPolicy = Sse::ReconnectPolicy::Never;
    options.overflowPolicy = Sse::OverflowPolicy::DropEvents;
    client.setOptions(options);
    qint64 received = 0;
    QObject context;
    QObject::connect(&client, &Sse::Client::eventsReceived, &context,
                     [&](const Sse::EventBatch &batch) { received += batch.size(); });
    client.open();
    QTRY_COMPARE_WITH_TIMEOUT(client.state(), State::Closed, 20000);
    const Sse::ClientStatistics stats = client.statistics();
    QVERIFY2(stats.dropped > 0, "nothing was released, so events must have been dropped");
    QCOMPARE(received + stats.dropped, qint64(Count));
    QCOMPARE(stats.events, received);
}

QTEST_GUILESS_MAIN(TestReconnection)
#include "tst_reconnection.moc"
