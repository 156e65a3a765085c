// The health engine: Sse::HealthMonitor on an injected clock, and Sse::HealthWatcher on a
// real client against loopback servers (stall vs heartbeat vs idle, LLM verdicts).

#include "testserver.h"
#include "sselib/healthmonitor.h"
#include "sselib/healthwatcher.h"

#include <QFile>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>

using State = Sse::Client::State;
using Verdict = Sse::HealthVerdict;
using Exchange = TestServer::Exchange;

Q_DECLARE_METATYPE(Sse::HealthVerdict)

namespace {

constexpr qint64 Second = 1000;

Sse::HealthSettings fixedStall(qint64 ms)
{
    Sse::HealthSettings settings;
    settings.stallAfterMs = ms;
    return settings;
}

Sse::ClientOptions fastOptions(const QUrl &url)
{
    Sse::ClientOptions options;
    options.url = url;
    options.defaultRetryMs = 20;
    options.connectTimeoutMs = 5000;
    return options;
}

QByteArray fixture(const QString &name)
{
    QFile file(QStringLiteral(LLM_DATA_DIR "/") + name);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

} // namespace

class TestHealth : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init() { QTest::failOnWarning(QRegularExpression(QStringLiteral(".*"))); }

    void stallWatchdog_data();
    void stallWatchdog();
    void learnedCadence_data();
    void learnedCadence();
    void reconnectingOften();
    void idGaps_data();
    void idGaps();
    void verdictOrder();
    void nextChange();
    void boundedAtAnyRate();

    void loopbackStallHeartbeatIdle_data();
    void loopbackStallHeartbeatIdle();
    void loopbackLlmVerdict_data();
    void loopbackLlmVerdict();
    void loopbackFailed();
};

// Plain engine: events, heartbeat bytes or nothing for 10 s against a 5 s threshold.
void TestHealth::stallWatchdog_data()
{
    QTest::addColumn<bool>("events");
    QTest::addColumn<bool>("bytes");
    QTest::addColumn<Verdict>("verdict");
    QTest::addColumn<bool>("heartbeats");
    QTest::addColumn<QString>("detail");

    QTest::newRow("events every second") << true << true << Verdict::Healthy << false << QString();
    QTest::newRow("heartbeats only")
        << false << true << Verdict::Stalled << true << QStringLiteral("heartbeats only for 10 s");
    QTest::newRow("silent") << false << false << Verdict::Stalled << false
                            << QStringLiteral("no bytes for 10 s");
}

void TestHealth::stallWatchdog()
{
    QFETCH(bool, events);
    QFETCH(bool, bytes);
    QFETCH(Verdict, verdict);
    QFETCH(bool, heartbeats);
    QFETCH(QString, detail);

    Sse::HealthMonitor monitor(fixedStall(5 * Second));
    monitor.setState(State::Connecting, 0);
    QCOMPARE(monitor.health(0).verdict, Verdict::Unknown);
    monitor.setState(State::Open, 0);
    monitor.addEvent("1", 0);
    for (qint64 t = Second; t <= 10 * Second; t += Second) {
        if (bytes)
            monitor.addBytes(t);
        if (events)
            monitor.addEvent(QByteArray::number(t / Second + 1), t);
    }
    const Sse::Health health = monitor.health(10 * Second);
    QCOMPARE(health.verdict, verdict);
    QCOMPARE(health.heartbeats, heartbeats);
    QCOMPARE(health.detail, detail);
    QCOMPARE(health.stallAfterMs, 5 * Second);
    // 4.999 s after the last event nothing is stalled yet.
    Sse::HealthMonitor early(fixedStall(5 * Second));
    early.setState(State::Open, 0);
    early.addBytes(4000);
    QCOMPARE(early.health(4999).verdict, Verdict::Healthy);
    QCOMPARE(early.health(5000).verdict, Verdict::Stalled);
}

void TestHealth::learnedCadence_data()
{
    QTest::addColumn<qint64>("intervalMs");
    QTest::addColumn<int>("arrivals");
    QTest::addColumn<qint64>("userStallMs");
    QTest::addColumn<qint64>("expectedCadence");
    QTest::addColumn<qint64>("expectedStall");

    QTest::newRow("too few arrivals: default")
        << qint64(100) << 4 << qint64(0) << qint64(0) << qint64(60000);
    QTest::newRow("fast stream: at least 5 s")
        << qint64(100) << 20 << qint64(0) << qint64(100) << qint64(5000);
    QTest::newRow("every 2 s: 10x")
        << qint64(2000) << 20 << qint64(0) << qint64(2000) << qint64(20000);
    QTest::newRow("user threshold wins")
        << qint64(2000) << 20 << qint64(7000) << qint64(2000) << qint64(7000);
}

void TestHealth::learnedCadence()
{
    QFETCH(qint64, intervalMs);
    QFETCH(int, arrivals);
    QFETCH(qint64, userStallMs);
    QFETCH(qint64, expectedCadence);
    QFETCH(qint64, expectedStall);

    Sse::HealthMonitor monitor(fixedStall(userStallMs));
    monitor.setState(State::Open, 0);
    qint64 t = 0;
    monitor.addEvent({}, t);
    for (int i = 0; i < arrivals; ++i) {
        t += intervalMs;
        monitor.addEvent({}, t);
    }
    QCOMPARE(monitor.cadenceMs(), expectedCadence);
    QCOMPARE(monitor.stallAfterMs(), expectedStall);
    QCOMPARE(monitor.health(t + expectedStall - 1).verdict, Verdict::Healthy);
    QCOMPARE(monitor.health(t + expectedStall).verdict, Verdict::Stalled);
}

void TestHealth::reconnectingOften()
{
    Sse::HealthSettings settings;
    settings.reconnectsOften = 3;
    settings.reconnectWindowMs = 300 * Second;
    Sse::HealthMonitor monitor(settings);
    monitor.setState(State::Open, 0);
    monitor.addEvent({}, 0);
    monitor.addReconnect(10 * Second);
    monitor.addReconnect(20 * Second);
    QCOMPARE(monitor.health(21 * Second).verdict, Verdict::Healthy);
    monitor.addReconnect(30 * Second);
    monitor.addEvent({}, 31 * Second);
    Sse::Health health = monitor.health(31 * Second);
    QCOMPARE(health.verdict, Verdict::ReconnectingOften);
    QCOMPARE(health.recentReconnects, 3);
    QCOMPARE(health.detail, QStringLiteral("3 reconnects in 5 min"));
    // The first reconnect leaves the window at 310 s.
    for (qint64 t = 40 * Second; t <= 310 * Second; t += 10 * Second)
        monitor.addEvent({}, t);
    health = monitor.health(310 * Second);
    QCOMPARE(health.recentReconnects, 2);
    QCOMPARE(health.verdict, Verdict::Healthy);
}

void TestHealth::idGaps_data()
{
    QTest::addColumn<QByteArrayList>("ids");
    QTest::addColumn<qint64>("gaps");

    QTest::newRow("consecutive") << QByteArrayList {"1", "2", "3", "4"} << qint64(0);
    QTest::newRow("repeated id") << QByteArrayList {"1", "1", "2", "2"} << qint64(0);
    QTest::newRow("one jump") << QByteArrayList {"1", "2", "5", "6"} << qint64(1);
    QTest::newRow("two jumps") << QByteArrayList {"1", "3", "4", "9"} << qint64(2);
    QTest::newRow("server restarted") << QByteArrayList {"7", "8", "1", "2"} << qint64(0);
    QTest::newRow("not numeric") << QByteArrayList {"a", "c", "x1", "x9"} << qint64(0);
    QTest::newRow("numeric after text") << QByteArrayList {"1", "b", "7"} << qint64(0);
}

void TestHealth::idGaps()
{
    QFETCH(QByteArrayList, ids);
    QFETCH(qint64, gaps);

    Sse::HealthSettings settings = fixedStall(60 * Second);
    settings.gapWindowMs = 100 * Second;
    Sse::HealthMonitor monitor(settings);
    monitor.setState(State::Open, 0);
    // Through a batch, the form the client delivers.
    Sse::EventBatch batch;
    for (const QByteArray &id : std::as_const(ids))
        batch.append(QByteArrayLiteral("message"), QByteArrayView("x"), QByteArrayView(id), 1000);
    monitor.addEvents(batch, 1000);
    QCOMPARE(monitor.idGaps(), gaps);
    QCOMPARE(monitor.events(), qint64(ids.size()));
    QCOMPARE(monitor.health(2000).verdict, gaps > 0 ? Verdict::Gaps : Verdict::Healthy);
    monitor.addEvent({}, 50 * Second);
    monitor.addEvent({}, 100 * Second);
    // Out of the window the verdict is healthy again; the count stays.
    QCOMPARE(monitor.health(101 * Second).verdict, Verdict::Healthy);
    QCOMPARE(monitor.health(101 * Second).idGaps, gaps);
}

void TestHealth::verdictOrder()
{
    Sse::HealthMonitor monitor(fixedStall(5 * Second));
    monitor.setState(State::Open, 0);
    monitor.addEvent("1", 0);
    monitor.addEvent("3", 1);
    QCOMPARE(monitor.health(2).verdict, Verdict::Gaps);
    monitor.setLlmOutcome(Sse::LlmOutcome::Truncated);
    QCOMPARE(monitor.health(2).verdict, Verdict::LlmTruncated);
    monitor.setLlmOutcome(Sse::LlmOutcome::Error, QStringLiteral("overloaded"));
    QCOMPARE(monitor.health(2).verdict, Verdict::LlmError);
    QCOMPARE(monitor.health(2).detail, QStringLiteral("overloaded"));
    for (int i = 0; i < 3; ++i)
        monitor.addReconnect(2);
    QCOMPARE(monitor.health(2).verdict, Verdict::ReconnectingOften);
    QCOMPARE(monitor.health(5 * Second + 1).verdict, Verdict::Stalled);
    monitor.setState(State::Failed, 6 * Second, QStringLiteral("HTTP 404 Not Found"));
    QCOMPARE(monitor.health(6 * Second).verdict, Verdict::Failed);
    QCOMPARE(monitor.health(6 * Second).detail, QStringLiteral("HTTP 404 Not Found"));
    monitor.reset();
    QCOMPARE(monitor.health(6 * Second).verdict, Verdict::Unknown);
    QCOMPARE(monitor.idGaps(), qint64(0));
    QCOMPARE(monitor.settings().stallAfterMs, 5 * Second);
    for (Verdict verdict :
         {Verdict::Unknown, Verdict::Healthy, Verdict::Stalled, Verdict::ReconnectingOften,
          Verdict::Gaps, Verdict::LlmTruncated, Verdict::LlmError, Verdict::Failed}) {
        QVERIFY(!Sse::healthVerdictName(verdict).isEmpty());
        QVERIFY(!Sse::healthVerdictLabel(verdict).isEmpty());
    }
}

void TestHealth::nextChange()
{
    Sse::HealthSettings settings = fixedStall(5 * Second);
    settings.reconnectWindowMs = 20 * Second;
    Sse::HealthMonitor monitor(settings);
    QCOMPARE(monitor.nextChangeMs(0), qint64(-1));
    monitor.setState(State::Open, 0);
    monitor.addEvent({}, 1000);
    QCOMPARE(monitor.nextChangeMs(1000), 6000);
    monitor.addReconnect(2000);
    QCOMPARE(monitor.nextChangeMs(2000), 6000);
    // Once stalled, the next change is the reconnect leaving its window.
    QCOMPARE(monitor.nextChangeMs(6000), 22000);
}

void TestHealth::boundedAtAnyRate()
{
    // A million reads and reconnects: the engine's size is fixed, the counts stay right.
    Sse::HealthMonitor monitor(fixedStall(0));
    monitor.setState(State::Open, 0);
    for (qint64 t = 0; t < 1000000; ++t) {
        monitor.addEvent(QByteArrayView(), t * 10);
        monitor.addReconnect(t * 10);
    }
    QCOMPARE(monitor.events(), qint64(1000000));
    QCOMPARE(monitor.cadenceMs(), qint64(10));
    QCOMPARE(monitor.health(10000000).recentReconnects, Sse::HealthMonitor::MaximumReconnectsOften);
    QVERIFY(sizeof(Sse::HealthMonitor) < 2048);
}

// A real client on loopback, the watcher on an injected clock that the test moves 10 s on
// after the first event, while the server keeps sending (events or heartbeat comments) or
// stays silent (with and without the client's idle timeout).
void TestHealth::loopbackStallHeartbeatIdle_data()
{
    QTest::addColumn<QByteArray>("every50ms"); // what the server sends, empty = nothing
    QTest::addColumn<int>("idleTimeoutMs");
    QTest::addColumn<Verdict>("verdict");
    QTest::addColumn<bool>("heartbeats");
    QTest::addColumn<int>("requests");

    QTest::newRow("events") << QByteArray("data: tick\n\n") << 0 << Verdict::Healthy << false << 1;
    QTest::newRow("heartbeats keep the idle timeout quiet, not the watchdog")
        << QByteArray(": heartbeat\n") << 300 << Verdict::Stalled << true << 1;
    QTest::newRow("silent, idle timeout reconnects")
        << QByteArray() << 300 << Verdict::Healthy << false << 2;
    QTest::newRow("silent, no idle timeout") << QByteArray() << 0 << Verdict::Stalled << false << 1;
}

void TestHealth::loopbackStallHeartbeatIdle()
{
    QFETCH(QByteArray, every50ms);
    QFETCH(int, idleTimeoutMs);
    QFETCH(Verdict, verdict);
    QFETCH(bool, heartbeats);
    QFETCH(int, requests);

    TestServer server;
    server.route("/s", [&](Exchange *exchange) {
        exchange->sseHead();
        exchange->send(TestServer::formatEvent("first"));
        if (every50ms.isEmpty())
            return;
        auto *timer = new QTimer(exchange);
        connect(timer, &QTimer::timeout, exchange,
                [exchange, bytes = every50ms] { exchange->send(bytes); });
        timer->start(50);
    });
    qint64 now = 0;
    Sse::Client client;
    Sse::ClientOptions options = fastOptions(server.url("/s"));
    options.idleTimeoutMs = idleTimeoutMs;
    client.setOptions(options);
    Sse::HealthWatcher watcher;
    watcher.setClock([&now] { return now; });
    watcher.setSettings(fixedStall(5 * Second));
    watcher.watch(&client);
    QSignalSpy counted(&watcher, &Sse::HealthWatcher::eventsCounted);
    QSignalSpy bytes(&client, &Sse::Client::bytesReceived);
    QSignalSpy changed(&watcher, &Sse::HealthWatcher::healthChanged);
    client.open();
    QTRY_COMPARE(counted.size(), 1);
    QCOMPARE(watcher.health().verdict, Verdict::Healthy);
    QCOMPARE(changed.size(), 1);

    now = 10 * Second;
    const qsizetype bytesBefore = bytes.size();
    if (requests > 1)
        QTRY_COMPARE(counted.size(), 2); // the reconnect's first event
    else if (every50ms.startsWith("data"))
        QTRY_VERIFY(counted.size() >= 3);
    else if (!every50ms.isEmpty())
        QTRY_VERIFY(bytes.size() >= bytesBefore + 3);
    watcher.check();
    const Sse::Health health = watcher.health();
    QCOMPARE(health.verdict, verdict);
    QCOMPARE(health.heartbeats, heartbeats);
    QCOMPARE(server.requestCount("/s"), requests);
    QCOMPARE(health.recentReconnects, requests - 1);
    if (verdict == Verdict::Stalled) {
        QCOMPARE(changed.size(), 2);
        QCOMPARE(changed.last().first().value<Sse::Health>().verdict, Verdict::Stalled);
    }
    client.close();
}

void TestHealth::loopbackLlmVerdict_data()
{
    QTest::addColumn<QString>("fixture");
    QTest::addColumn<Verdict>("verdict");
    QTest::addColumn<bool>("complete");

    QTest::newRow("complete") << QStringLiteral("chat-text.sse") << Verdict::Unknown << true;
    QTest::newRow("truncated") << QStringLiteral("chat-truncated.sse") << Verdict::LlmTruncated
                               << false;
    QTest::newRow("error mid-stream")
        << QStringLiteral("chat-error.sse") << Verdict::LlmError << false;
}

void TestHealth::loopbackLlmVerdict()
{
    QFETCH(QString, fixture);
    QFETCH(Verdict, verdict);
    QFETCH(bool, complete);

    const QByteArray wire = ::fixture(fixture);
    QVERIFY2(!wire.isEmpty(), qPrintable(fixture));
    TestServer server;
    server.route("/v1/chat/completions", [&](Exchange *exchange) {
        exchange->sseHead();
        exchange->send(wire);
        exchange->finish();
    });
    Sse::Client client;
    Sse::ClientOptions options = fastOptions(server.url("/v1/chat/completions"));
    options.method = "POST";
    options.body = "{}";
    client.setOptions(options); // POST: no reconnect after the body ends
    Sse::HealthWatcher watcher;
    watcher.setLlmTracking(true);
    watcher.watch(&client);
    client.open();
    QTRY_COMPARE(client.state(), State::Closed);
    QVERIFY(watcher.llmSummary().has_value());
    QCOMPARE(watcher.llmSummary()->complete, complete);
    QCOMPARE(watcher.health().verdict, verdict);
}

void TestHealth::loopbackFailed()
{
    TestServer server;
    server.route("/gone", [](Exchange *exchange) { exchange->respond(404); });
    Sse::Client client;
    client.setOptions(fastOptions(server.url("/gone")));
    Sse::HealthWatcher watcher;
    watcher.watch(&client);
    QSignalSpy changed(&watcher, &Sse::HealthWatcher::healthChanged);
    client.open();
    QTRY_COMPARE(changed.size(), 1);
    const Sse::Health health = changed.first().first().value<Sse::Health>();
    QCOMPARE(health.verdict, Verdict::Failed);
    QVERIFY2(health.detail.contains(QStringLiteral("404")), qPrintable(health.detail));
}

QTEST_GUILESS_MAIN(TestHealth)
#include "tst_health.moc"
