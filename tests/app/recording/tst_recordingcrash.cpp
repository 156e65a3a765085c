#include "recording/logreader.h"

#include "testserver.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <functional>

namespace {

// Runs a real event loop (no sleeping, so the in-process server keeps streaming smoothly)
// until \a condition holds or \a timeoutMs passes.
bool runUntil(const std::function<bool()> &condition, int timeoutMs)
{
    if (condition())
        return true;
    QElapsedTimer elapsed;
    elapsed.start();
    QEventLoop loop;
    QTimer poll;
    poll.setInterval(2);
    QObject::connect(&poll, &QTimer::timeout, &loop, [&] {
        if (condition() || elapsed.hasExpired(timeoutMs))
            loop.quit();
    });
    poll.start();
    loop.exec();
    return condition();
}

qint64 countLines(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll().count('\n') : 0;
}

} // namespace

// sse-monitor-cli -o FILE killed with SIGKILL in the middle of a stream: the file holds a
// gap-free prefix of the stream, every complete line parses, and at most the last ~200 ms
// (plus delivery latency) of events are missing.
class tst_RecordingCrash : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void killedCliLosesOnlyTheLastMoment_data();
    void killedCliLosesOnlyTheLastMoment();

private:
    QString m_cli;
};

void tst_RecordingCrash::initTestCase()
{
    m_cli = qEnvironmentVariable("SSE_MONITOR_CLI");
    if (m_cli.isEmpty() || !QFileInfo(m_cli).isExecutable())
        QSKIP("SSE_MONITOR_CLI does not name the built sse-monitor-cli");
}

void tst_RecordingCrash::init()
{
    QTest::failOnWarning(QRegularExpression(QStringLiteral(".*")));
}

void tst_RecordingCrash::killedCliLosesOnlyTheLastMoment_data()
{
    // Milliseconds between a flush having been seen and the kill: the CLI writes every 100 ms,
    // so these land early, in the middle and late in its flush cycle.
    QTest::addColumn<int>("delayMs");
    QTest::newRow("0 ms") << 0;
    QTest::newRow("37 ms") << 37;
    QTest::newRow("71 ms") << 71;
    QTest::newRow("95 ms") << 95;
}

void tst_RecordingCrash::killedCliLosesOnlyTheLastMoment()
{
    QFETCH(int, delayMs);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("crash.jsonl"));

    // About 2000 numbered events per second: 4 every 2 ms. Event n has id n and data n.
    QElapsedTimer clock;
    clock.start();
    QList<qint64> sentAtMs;
    bool sending = true;
    TestServer server; // after what its handlers use, so it goes first
    server.route("/numbers", [&](TestServer::Exchange *exchange) {
        exchange->sseHead();
        auto *timer = new QTimer(exchange);
        timer->setTimerType(Qt::PreciseTimer);
        timer->setInterval(2);
        connect(timer, &QTimer::timeout, exchange, [&, exchange] {
            if (!sending)
                return;
            QByteArray block;
            for (int i = 0; i < 4; ++i) {
                const QByteArray n = QByteArray::number(sentAtMs.size());
                block += TestServer::formatEvent(n, {}, n);
                sentAtMs.append(clock.elapsed());
            }
            exchange->send(block);
        });
        timer->start();
    });

    QProcess cli;
    cli.setProgram(m_cli);
    cli.setArguments({server.url("/numbers").toString(), QStringLiteral("-o"), path,
                      QStringLiteral("-q"), QStringLiteral("--no-reconnect")});
    cli.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    cli.start();
    QVERIFY(cli.waitForStarted(10000));

    // Let it record for a while: at least 2000 events on disk and a second of streaming.
    const qint64 startedMs = clock.elapsed();
    QVERIFY(runUntil([&] {
        return countLines(path) >= 2000 && clock.elapsed() - startedMs >= 1000;
    }, 30000));
    // Then wait for the next flush, and kill delayMs after it.
    const qint64 lines = countLines(path);
    QVERIFY(runUntil([&] { return countLines(path) > lines; }, 10000));
    const qint64 until = clock.elapsed() + delayMs;
    runUntil([&] { return clock.elapsed() >= until; }, 1000);

    cli.kill(); // SIGKILL: no flush, no exit handler
    const qint64 killedAtMs = clock.elapsed();
    const qsizetype sentBeforeKill = sentAtMs.size();
    sending = false;
    QVERIFY(cli.waitForFinished(10000));
    QCOMPARE(cli.exitStatus(), QProcess::CrashExit);

    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray contents = file.readAll();
    LogReader reader;
    reader.feed(contents);
    reader.finish();

    // Every complete line parses; only an unterminated last line may be skipped.
    const qint64 completeLines = contents.count('\n');
    if (reader.statistics().skippedLines > 0) {
        QCOMPARE(reader.statistics().skippedLines, 1);
        QVERIFY(!contents.endsWith('\n'));
        QVERIFY2(reader.warnings().first().startsWith(
                         QStringLiteral("line %1: ").arg(completeLines + 1)),
                 qPrintable(reader.warnings().first()));
    }

    Sse::EventList events;
    for (const LogReader::ConnectionBatch &batch : reader.takeBatches())
        events.append(batch.events);
    QVERIFY(!events.isEmpty());
    // A gap-free prefix of what was sent.
    for (qsizetype i = 0; i < events.size(); ++i) {
        const QByteArray expected = QByteArray::number(i);
        if (events.at(i).data != expected || events.at(i).lastEventId != expected)
            QFAIL(qPrintable(QStringLiteral("event %1 is \"%2\"").arg(i).arg(
                    QString::fromUtf8(events.at(i).data))));
    }
    const qsizetype kept = events.size();
    QVERIFY(kept <= sentBeforeKill);
    const qsizetype missing = sentBeforeKill - kept;
    // How long before the kill the first missing event was sent.
    const qint64 windowMs = missing > 0 ? killedAtMs - sentAtMs.at(kept) : 0;
    qInfo("sent %lld events before SIGKILL, %lld on disk, %lld missing: the last %lld ms; "
          "torn last line: %s",
          qlonglong(sentBeforeKill), qlonglong(kept), qlonglong(missing), windowMs,
          reader.statistics().skippedLines > 0 ? "yes" : "no");
    // The CLI writes its buffer every 100 ms; allow 200 ms plus delivery and scheduling slack.
    QVERIFY2(windowMs <= 350, qPrintable(QStringLiteral("%1 ms of events lost").arg(windowMs)));
}

QTEST_MAIN(tst_RecordingCrash)
#include "tst_recordingcrash.moc"
