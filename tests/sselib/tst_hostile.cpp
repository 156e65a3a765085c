// Slow and hostile servers on real loopback sockets: a server that drips one byte at a time.
//
// The idle timeout counts from the last body byte (not the last event), so a drip faster
// than the timeout keeps the connection open even though no event ever completes, and the
// bytes and the time of the last byte stay visible in the statistics. The intervals are
// scaled down (one byte per 100 ms instead of one per second) so that the tests take seconds.

#include "sselib/sseclient.h"
#include "testserver.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>

#include <sys/resource.h>

using State = Sse::Client::State;
using Exchange = TestServer::Exchange;
using Framing = TestServer::Framing;

namespace {

// CPU time (user + system) of this process, in ms.
qint64 processCpuMs()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return qint64(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000
        + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1000;
}

// Runs the event loop for \a ms (the drip goes on meanwhile); used where the point is
// that nothing happens, or to measure what an idle-but-open connection costs.
void runEventLoop(int ms)
{
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec();
}

// Serves `/drip`: the head, then \a payload one byte every \a intervalMs (chunked, so every
// byte is its own write), and nothing after it; the connection stays open.
void routeDrip(TestServer &server, const QByteArray &payload, int intervalMs)
{
    server.route("/drip", [payload, intervalMs](Exchange *exchange) {
        exchange->sseHead(Framing::Chunked);
        auto *timer = new QTimer(exchange);
        auto position = std::make_shared<qsizetype>(0);
        QObject::connect(timer, &QTimer::timeout, exchange, [exchange, timer, payload, position] {
            if (*position >= payload.size()) {
                timer->stop();
                return;
            }
            exchange->send(payload.mid((*position)++, 1));
        });
        timer->start(intervalMs);
    });
}

Sse::ClientOptions dripOptions(const QUrl &url, int idleTimeoutMs)
{
    Sse::ClientOptions options;
    options.url = url;
    options.idleTimeoutMs = idleTimeoutMs;
    options.defaultRetryMs = 60000; // a reconnect would show in the counters, not happen again
    options.connectTimeoutMs = 5000;
    return options;
}

} // namespace

class TestHostile : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void dripKeepsIdleConnectionOpen_data();
    void dripKeepsIdleConnectionOpen();
    void dripSlowerThanIdleTimeoutReconnects();
    void dripCostsNoCpu();
};

void TestHostile::dripKeepsIdleConnectionOpen_data()
{
    QTest::addColumn<int>("intervalMs");
    QTest::addColumn<int>("idleTimeoutMs");
    // One byte per second against a 10 s or a 12 s timeout, scaled down by 10 and by 20. The
    // margin is wide so that a loaded machine (sanitizers, parallel tests) cannot starve the
    // event loop for longer than the timeout.
    QTest::newRow("100 ms drip, 1000 ms timeout") << 100 << 1000;
    QTest::newRow("50 ms drip, 600 ms timeout") << 50 << 600;
}

// One event whose data never ends during the drip: bytes and the last-byte time advance,
// no event and no reconnect; the event arrives whole once the blank line comes.
void TestHostile::dripKeepsIdleConnectionOpen()
{
    QFETCH(int, intervalMs);
    QFETCH(int, idleTimeoutMs);
    const QByteArray payload = "id: 7\ndata: " + QByteArray(30, 'x') + "\n\n";
    TestServer server;
    routeDrip(server, payload, intervalMs);

    Sse::Client client;
    Sse::EventList received;
    connect(&client, &Sse::Client::eventsReceived, this,
            [&received](const Sse::EventBatch &batch) { batch.appendTo(received); });
    QSignalSpy reconnects(&client, &Sse::Client::reconnectScheduled);
    client.setOptions(dripOptions(server.url("/drip"), idleTimeoutMs));
    client.open();
    QTRY_COMPARE(client.state(), State::Open);

    // Bytes keep coming in, one read at a time, while the event is incomplete.
    QTRY_VERIFY(client.statistics().bytes >= 5);
    const qint64 firstLastByte = client.statistics().lastByteMs;
    QVERIFY(firstLastByte > 0);
    const qsizetype withoutBlankLine = payload.size() - 2;
    QTRY_VERIFY_WITH_TIMEOUT(client.statistics().bytes >= withoutBlankLine - 1,
                             withoutBlankLine * intervalMs * 3);
    QVERIFY2(client.statistics().lastByteMs > firstLastByte,
             "the time of the last byte did not advance");
    QCOMPARE(client.statistics().events, 0);
    QVERIFY(received.isEmpty());
    QCOMPARE(client.state(), State::Open);
    QCOMPARE(reconnects.size(), 0); // many idle timeouts' worth of time, never idle that long
    QCOMPARE(server.requestCount("/drip"), 1);

    // The last two bytes end the event: nothing of it was lost along the way.
    QTRY_COMPARE(received.size(), 1);
    QCOMPARE(received.constFirst().data, QByteArray(30, 'x'));
    QCOMPARE(received.constFirst().lastEventId, QByteArrayLiteral("7"));
    QCOMPARE(client.statistics().bytes, payload.size());
    QCOMPARE(reconnects.size(), 0);
}

// A drip slower than the idle timeout is a silent server: the watchdog drops it.
void TestHostile::dripSlowerThanIdleTimeoutReconnects()
{
    TestServer server;
    routeDrip(server, "data: " + QByteArray(20, 'y'), 600);

    Sse::Client client;
    QSignalSpy reconnects(&client, &Sse::Client::reconnectScheduled);
    client.setOptions(dripOptions(server.url("/drip"), 250));
    client.open();
    QTRY_COMPARE(client.state(), State::Open);
    QVERIFY(reconnects.wait(3000));
    const QString reason = reconnects.constFirst().at(2).toString();
    QVERIFY2(reason.contains(QLatin1String("idle"), Qt::CaseInsensitive), qPrintable(reason));
    QCOMPARE(client.state(), State::Reconnecting);
    QCOMPARE(client.statistics().events, 0);
    QTRY_COMPARE(server.openConnectionCount(), 0);
}

// Waiting on a dripping connection is event-driven: no polling, no busy loop. The process
// (client, server and test together) uses a few percent of one core at most.
void TestHostile::dripCostsNoCpu()
{
    TestServer server;
    routeDrip(server, "data: " + QByteArray(1000, 'z'), 100);

    Sse::Client client;
    client.setOptions(dripOptions(server.url("/drip"), 2000));
    client.open();
    QTRY_COMPARE(client.state(), State::Open);
    QTRY_VERIFY(client.statistics().bytes >= 2);

    const qint64 bytesBefore = client.statistics().bytes;
    const qint64 cpuBefore = processCpuMs();
    QElapsedTimer wall;
    wall.start();
    runEventLoop(3000);
    const qint64 cpuMs = processCpuMs() - cpuBefore;
    const qint64 wallMs = wall.elapsed();
    const qint64 bytes = client.statistics().bytes - bytesBefore;

    qInfo("drip: %lld bytes in %lld ms wall, %lld ms CPU (%.2f %%)", bytes, wallMs, cpuMs,
          100.0 * double(cpuMs) / double(wallMs));
    QVERIFY2(bytes >= 20, qPrintable(QString::number(bytes))); // the drip really ran
    QCOMPARE(client.state(), State::Open);
    QCOMPARE(client.statistics().events, 0);
    QVERIFY2(cpuMs * 20 < wallMs, qPrintable(QStringLiteral("%1 ms CPU in %2 ms").arg(cpuMs).arg(wallMs)));
}

QTEST_GUILESS_MAIN(TestHostile)
#include "tst_hostile.moc"
