#include "recording/replayer.h"

#include "recordinghelpers.h"

#include <QElapsedTimer>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>

using namespace RecordingTest;

namespace {

// \a count events \a gapMs apart.
Sse::EventList spacedEvents(int count, qint64 gapMs)
{
    Sse::EventList events = sampleEvents(count);
    for (int i = 0; i < count; ++i)
        events[i].receivedMs = 1'700'000'000'000 + i * gapMs;
    return events;
}

} // namespace

class tst_Replayer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();

    void fastReplayEmitsEverythingInOrder();
    void pacedReplayKeepsTheRecordedTiming();
    void denseEventsAreBatched();
    void pauseAndResume();
    void speedChangesWhilePlaying();
    void stopRewinds();
    void emptyListFinishesAtOnce();
};

void tst_Replayer::init()
{
    QTest::failOnWarning(QRegularExpression(QStringLiteral(".*")));
}

void tst_Replayer::fastReplayEmitsEverythingInOrder()
{
    const Sse::EventList events = sampleEvents(10000);
    Replayer replayer;
    qint64 now = 42;
    replayer.setClock([&now] { return now; });
    replayer.setEvents(events);
    replayer.setSpeed(Replayer::AsFastAsPossible);
    QCOMPARE(replayer.speed(), Replayer::AsFastAsPossible);
    Sse::EventList replayed;
    qsizetype largest = 0;
    connect(&replayer, &Replayer::eventsReplayed, this, [&](const Sse::EventList &batch) {
        largest = qMax(largest, batch.size());
        replayed.append(batch);
    });
    QSignalSpy finished(&replayer, &Replayer::finished);
    QSignalSpy states(&replayer, &Replayer::stateChanged);
    replayer.play();
    QCOMPARE(replayer.state(), Replayer::State::Playing);
    QVERIFY(finished.wait(30000));
    QCOMPARE(replayer.state(), Replayer::State::Finished);
    QCOMPARE(states.size(), 2);
    QCOMPARE(largest, Replayer::FastBatchSize);
    QCOMPARE(describe(replayed, AllFields & ~Time), describe(events, AllFields & ~Time));
    // Replayed events are new events: stamped with the clock at emission.
    for (const Sse::Event &event : std::as_const(replayed))
        QCOMPARE(event.receivedMs, 42);
    QCOMPARE(replayer.position(), events.size());
}

void tst_Replayer::pacedReplayKeepsTheRecordedTiming()
{
    // 6 events 200 ms apart at 10x: one every 20 ms, the last after 100 ms.
    const Sse::EventList events = spacedEvents(6, 200);
    Replayer replayer;
    replayer.setEvents(events);
    replayer.setSpeed(10);
    QElapsedTimer clock;
    QList<qint64> emittedAt;
    connect(&replayer, &Replayer::eventsReplayed, this, [&](const Sse::EventList &batch) {
        for (qsizetype i = 0; i < batch.size(); ++i)
            emittedAt.append(clock.elapsed());
    });
    QSignalSpy finished(&replayer, &Replayer::finished);
    clock.start();
    replayer.play();
    QVERIFY(finished.wait(10000));
    QCOMPARE(emittedAt.size(), 6);
    for (int i = 0; i < 6; ++i) {
        // Never early; late by at most a batch interval plus scheduling noise.
        QVERIFY2(emittedAt.at(i) >= i * 20 - 1, qPrintable(QString::number(emittedAt.at(i))));
    }
    QVERIFY2(emittedAt.last() < 2000, qPrintable(QString::number(emittedAt.last())));
}

void tst_Replayer::denseEventsAreBatched()
{
    // 1000 events 1 ms apart at 1x: about one batch per BatchIntervalMs, not 1000 signals.
    const Sse::EventList events = spacedEvents(1000, 1);
    Replayer replayer;
    replayer.setEvents(events);
    QSignalSpy batches(&replayer, &Replayer::eventsReplayed);
    QSignalSpy finished(&replayer, &Replayer::finished);
    QElapsedTimer clock;
    clock.start();
    replayer.play();
    QVERIFY(finished.wait(10000));
    QVERIFY(clock.elapsed() >= 998);
    qsizetype total = 0;
    for (const QList<QVariant> &batch : std::as_const(batches))
        total += batch.first().value<Sse::EventList>().size();
    QCOMPARE(total, 1000);
    QVERIFY2(batches.size() <= 1000 / Replayer::BatchIntervalMs + 5,
             qPrintable(QString::number(batches.size())));
}

void tst_Replayer::pauseAndResume()
{
    const Sse::EventList events = spacedEvents(5, 100);
    Replayer replayer;
    replayer.setEvents(events);
    replayer.setSpeed(2); // one event every 50 ms
    QSignalSpy batches(&replayer, &Replayer::eventsReplayed);
    QSignalSpy finished(&replayer, &Replayer::finished);
    replayer.play();
    QVERIFY(batches.wait(5000));
    replayer.pause();
    QCOMPARE(replayer.state(), Replayer::State::Paused);
    const qsizetype position = replayer.position();
    QVERIFY(position < 5);
    // Nothing comes while paused, for several times the gap between events.
    QVERIFY(!batches.wait(300));
    QCOMPARE(replayer.position(), position);
    replayer.resume();
    QCOMPARE(replayer.state(), Replayer::State::Playing);
    QVERIFY(finished.wait(5000));
    QCOMPARE(replayer.position(), 5);
}

void tst_Replayer::speedChangesWhilePlaying()
{
    // At 1x this would take 100 s; switching to as-fast-as-possible finishes it at once.
    const Sse::EventList events = spacedEvents(100, 1000);
    Replayer replayer;
    replayer.setEvents(events);
    QSignalSpy batches(&replayer, &Replayer::eventsReplayed);
    QSignalSpy finished(&replayer, &Replayer::finished);
    replayer.play();
    QVERIFY(batches.wait(5000));
    QCOMPARE(replayer.position(), 1);
    replayer.setSpeed(0);
    QVERIFY(finished.wait(5000));
    QCOMPARE(replayer.position(), 100);
}

void tst_Replayer::stopRewinds()
{
    Replayer replayer;
    replayer.setEvents(spacedEvents(3, 10'000));
    QSignalSpy batches(&replayer, &Replayer::eventsReplayed);
    replayer.play();
    QVERIFY(batches.wait(5000));
    replayer.stop();
    QCOMPARE(replayer.state(), Replayer::State::Stopped);
    QCOMPARE(replayer.position(), 0);
    // Playing again starts from the first event.
    replayer.play();
    QVERIFY(batches.wait(5000));
    QCOMPARE(batches.last().first().value<Sse::EventList>().first().data,
             spacedEvents(1, 0).first().data);
    replayer.setEvents({});
    QCOMPARE(replayer.state(), Replayer::State::Stopped);
}

void tst_Replayer::emptyListFinishesAtOnce()
{
    Replayer replayer;
    QSignalSpy finished(&replayer, &Replayer::finished);
    replayer.play();
    QCOMPARE(finished.size(), 1);
    QCOMPARE(replayer.state(), Replayer::State::Finished);
}

QTEST_MAIN(tst_Replayer)
#include "tst_replayer.moc"
