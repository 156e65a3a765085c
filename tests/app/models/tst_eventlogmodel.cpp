#include "models/eventlogmodel.h"
#include "models/eventstore.h"

#include <QAbstractItemModelTester>
#include <QDateTime>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>

namespace {

using Tester = QAbstractItemModelTester;

Sse::Event makeEvent(const QByteArray &type, const QByteArray &data, const QByteArray &id = {},
                     qint64 timeMs = 0)
{
    Sse::Event event;
    event.type = type;
    event.data = data;
    event.lastEventId = id;
    event.receivedMs = timeMs;
    return event;
}

// count events numbered from `first`; types alternate "even"/"odd" with the number.
Sse::EventList makeEvents(int count, int first = 0)
{
    Sse::EventList events;
    events.reserve(count);
    for (int n = first; n < first + count; ++n) {
        const QByteArray type = (n % 2 == 0) ? QByteArrayLiteral("even") : QByteArrayLiteral("odd");
        events.append(makeEvent(type, "{\"seq\":" + QByteArray::number(n) + '}'));
    }
    return events;
}

QList<qint64> visibleSequences(const EventLogModel &model)
{
    QList<qint64> sequences;
    for (int row = 0; row < model.rowCount(); ++row) {
        sequences.append(model.sequenceAt(row));
        // The role and the accessor agree.
        if (model.index(row, 0).data(EventLogModel::SequenceRole).toLongLong()
            != sequences.constLast()) {
            return {};
        }
    }
    return sequences;
}

QList<qint64> expectedSequences(const EventStore &store, const EventFilter &filter)
{
    QList<qint64> sequences;
    for (qint64 sequence = store.firstSequence(); sequence < store.endSequence(); ++sequence) {
        if (filter.accepts(store, sequence))
            sequences.append(sequence);
    }
    return sequences;
}

EventFilter hideType(const EventLogModel &model, const QByteArray &type)
{
    EventFilter filter;
    filter.setHiddenTypes({quint16(model.store().findType(type))});
    return filter;
}

} // namespace

class tst_EventLogModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();

    void startsEmpty();
    void prefilledStoreIsShown();
    void oneInsertPerFlush();
    void timerFlushes();
    void flushWithoutNewsIsQuiet();
    void flushWhenAskedWaitsForTheOwner();
    void evictionRemovesFromTheFront();
    void evictionBatchLargerThanCapacity();
    void setCapacityEvicts();
    void pauseHoldsRowsBack();
    void evictionWhilePaused();
    void ingestFiltersNewEvents();
    void addFilterConnection_data();
    void addFilterConnection();
    void filterRescan_data();
    void filterRescan();
    void rescanWhileIngesting_data();
    void rescanWhileIngesting();
    void rescanWhilePaused();
    void invalidFilterIgnoresText();
    void clear();
    void clearDuringRescan();
    void displayRoles();
    void dataPreview_data();
    void dataPreview();
    void toolTip();
    void connectionNames();
    void headers();
};

void tst_EventLogModel::init()
{
    QTest::failOnWarning(QRegularExpression(QStringLiteral(".*")));
}

void tst_EventLogModel::startsEmpty()
{
    EventLogModel model;
    Tester tester(&model, Tester::FailureReportingMode::QtTest);
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.columnCount(), int(EventLogModel::ColumnCount));
    QCOMPARE(model.capacity(), EventStore::DefaultCapacity);
    QCOMPARE(model.flushInterval(), EventLogModel::DefaultFlushInterval);
    QCOMPARE(model.visibleCount(), 0);
    QCOMPARE(model.acceptedCount(), 0);
    QCOMPARE(model.totalCount(), 0);
    QCOMPARE(model.evictedCount(), 0);
    QCOMPARE(model.sequenceAt(0), -1);
    QCOMPARE(model.rowOfSequence(0), -1);
    QVERIFY(!model.isPaused());
    QVERIFY(!model.isRescanning());
}

void tst_EventLogModel::prefilledStoreIsShown()
{
    auto store = std::make_unique<EventStore>();
    store->append(0, makeEvents(5));
    EventLogModel model(std::move(store));
    Tester tester(&model, Tester::FailureReportingMode::QtTest);
    QCOMPARE(visibleSequences(model), QList<qint64>({0, 1, 2, 3, 4}));
    model.ingest(0, makeEvents(1, 5));
    model.flush();
    QCOMPARE(model.rowCount(), 6);
}

void tst_EventLogModel::oneInsertPerFlush()
{
    EventLogModel model;
    Tester tester(&model, Tester::FailureReportingMode::QtTest);
    QSignalSpy aboutToInsert(&model, &QAbstractItemModel::rowsAboutToBeInserted);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy counts(&model, &EventLogModel::countsChanged);

    for (int batch = 0; batch < 10; ++batch)
        model.ingest(quint16(batch % 3), makeEvents(1000, batch * 1000));
    QCOMPARE(model.rowCount(), 0); // nothing before the flush
    QCOMPARE(model.pendingCount(), 10'000);
    QCOMPARE(inserted.count(), 0);

    model.flush();
    QCOMPARE(aboutToInsert.count(), 1);
    QCOMPARE(inserted.count(), 1);
    const QList<QVariant> arguments = inserted.takeFirst();
    QVERIFY(!arguments.at(0).value<QModelIndex>().isValid());
    QCOMPARE(arguments.at(1).toInt(), 0);
    QCOMPARE(arguments.at(2).toInt(), 9999);
    QCOMPARE(model.rowCount(), 10'000);
    QCOMPARE(model.pendingCount(), 0);
    QCOMPARE(counts.count(), 1);
    QCOMPARE(model.visibleCount(), 10'000);
    QCOMPARE(model.acceptedCount(), 10'000);
    QCOMPARE(model.totalCount(), 10'000);

    // The next flush appends after the existing rows.
    model.ingest(0, makeEvents(5, 10'000));
    model.flush();
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(inserted.constFirst().at(1).toInt(), 10'000);
    QCOMPARE(inserted.constFirst().at(2).toInt(), 10'004);
    QCOMPARE(model.sequenceAt(10'004), 10'004);
    QCOMPARE(model.rowOfSequence(10'004), 10'004);
}

void tst_EventLogModel::timerFlushes()
{
    EventLogModel model;
    Tester tester(&model, Tester::FailureReportingMode::QtTest);
    model.setFlushInterval(5);
    QCOMPARE(model.flushInterval(), 5);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);

    model.ingest(0, makeEvents(300));
    model.ingest(1, makeEvents(200, 300));
    QTRY_COMPARE(model.rowCount(), 500);
    QCOMPARE(inserted.count(), 1);
}

// FlushMode::WhenAsked: no timer inserts rows, only flush() does, and a finished rescan shows
// what the last flush showed (under the new filter); later events wait for the next flush.
void tst_EventLogModel::flushWhenAskedWaitsForTheOwner()
{
    EventLogModel model;
    Tester tester(&model, Tester::FailureReportingMode::QtTest);
    model.setFlushInterval(1);
    model.setFlushMode(EventLogModel::FlushMode::WhenAsked);
    QCOMPARE(model.flushMode(), EventLogModel::FlushMode::WhenAsked);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    model.ingest(0, makeEvents(10));
    model.ingest(1, makeEvents(10, 10));
    // A timer would have flushed within a few loop turns; the rows wait for the owner.
    QTimer later;
    later.setSingleShot(true);
    later.start(20);
    QSignalSpy fired(&later, &QTimer::timeout);
    QVERIFY(fired.wait());
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.pendingCount(), 20);
    model.flush();
    QCOMPARE(model.rowCount(), 20);
    QCOMPARE(inserted.count(), 1);

    // Ten more after that flush, then a filter on connection 1: the swap shows the ten of
    // connection 1 that were on screen; its five new ones come with the next flush.
    model.ingest(1, makeEvents(5, 20));
    EventFilter filter;
    filter.setConnection(1);
    QSignalSpy finished(&model, &EventLogModel::rescanFinished);
    model.setFilter(filter);
    QVERIFY(finished.wait());
    QCOMPARE(model.rowCount(), 10);
    QCOMPARE(model.pendingCount(), 5);
    model.flush();
    QCOMPARE(model.rowCount(), 15);
    QCOMPARE(model.pendingCount(), 0);

    // Back on its own timer, queued rows go in without the owner.
    model.ingest(1, makeEvents(3, 25));
    model.setFlushMode(EventLogModel::FlushMode::OnTimer);
    QTRY_COMPARE(model.rowCount(), 18);
}

void tst_EventLogModel::flushWithoutNewsIsQuiet()
{
    EventLogModel model;
    QSignalSpy counts(&model, &EventLogModel::countsChanged);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    model.flush();
    QCOMPARE(counts.count(), 0);

    model.ingest(0, makeEvents(3));
    model.ingest(0, makeEvents(3, 3));
    model.flush();
    model.flush();
    QCOMPARE(counts.count(), 1);
    QCOMPARE(inserted.count(), 1);
}

void tst_EventLogModel::evictionRemovesFromTheFront()
{
    // Capacity 100 gives chunks of 100 / 16 = 6 events.
    EventLogModel model(std::make_unique<EventStore>(100));
    Tester tester(&model, Tester::FailureReportingMode::QtTest);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);

    model.ingest(0, makeEvents(100));
    model.flush();
    QCOMPARE(model.rowCount(), 100);
    QCOMPARE(removed.count(), 0);

    for (int round = 0; round < 20; ++round) {
        removed.clear();
        inserted.clear();
        const qint64 evictedBefore = model.evictedCount();
        // Several ingests between flushes: still one removal and one insertion.
        for (int part = 0; part < 3; ++part)
            model.ingest(0, makeEvents(7, 100 + round * 21 + part * 7));
        model.flush();

        const qint64 evicted = model.evictedCount() - evictedBefore;
        QVERIFY(evicted > 0);
        QCOMPARE(removed.count(), 1);
        QCOMPARE(removed.constFirst().at(1).toInt(), 0);
        QCOMPARE(removed.constFirst().at(2).toLongLong(), evicted - 1);
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(model.rowCount(), model.store().size());
        QCOMPARE(model.sequenceAt(0), model.store().firstSequence());
        QCOMPARE(model.sequenceAt(model.rowCount() - 1), model.store().endSequence() - 1);
        QCOMPARE(model.evictedCount(), model.store().evictedTotal());
        QCOMPARE(model.totalCount(), model.store().size());
    }
}

void tst_EventLogModel::evictionBatchLargerThanCapacity()
{
    EventLogModel model(std::make_unique<EventStore>(50));
    Tester tester(&model, Tester::FailureReportingMode::QtTest);
    model.ingest(0, makeEvents(40));
    model.flush();

    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    model.ingest(0, makeEvents(500, 40));
    QVERIFY(model.pendingCount() < 500); // events evicted inside the batch are never queued
    model.flush();
    QCOMPARE(removed.count(), 1);
    QCOMPARE(removed.constFirst().at(2).toInt(), 39); // all of the old rows
    QCOMPARE(visibleSequences(model), expectedSequences(model.store(), model.filter()));
    QCOMPARE(model.evictedCount(), 540 - model.store().size());
}

void tst_EventLogModel::setCapacityEvicts()
{
    EventLogModel model;
    Tester tester(&model, Tester::FailureReportingMode::QtTest);
    model.ingest(0, makeEvents(20'000));
    model.flush();

    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    QSignalSpy counts(&model, &EventLogModel::countsChanged);
    model.setCapacity(5000);
    QCOMPARE(model.capacity(), 5000);
    QCOMPARE(removed.count(), 1);
    QCOMPARE(counts.count(), 1);
    QVERIFY(model.rowCount() >= 5000);
    QVERIFY(model.rowCount() < 5000 + EventStore::DefaultChunkEventLimit);
    QCOMPARE(model.sequenceAt(0), model.store().firstSequence());
}

void tst_EventLogModel::pauseHoldsRowsBack()
{
    EventLogModel model;
    Tester tester(&model, Tester::FailureReportingMode::QtTest);
    QSignalSpy paused(&model, &EventLogModel::pausedChanged);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy counts(&model, &EventLogModel::countsChanged);

    model.ingest(0, makeEvents(10));
    model.setPaused(true); // flushes what arrived before the pause
    QVERIFY(model.isPaused());
    QCOMPARE(paused.count(), 1);
    QCOMPARE(paused.constFirst().at(0).toBool(), true);
    QCOMPARE(model.rowCount(), 10);
    QCOMPARE(inserted.count(), 1);

    counts.clear();
    model.ingest(1, makeEvents(15, 10));
    model.flush();
    model.ingest(1, makeEvents(5, 25));
    model.flush();
    QCOMPARE(counts.count(), 2); // the badge keeps updating
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(model.rowCount(), 10);
    QCOMPARE(model.visibleCount(), 10);
    QCOMPARE(model.pendingCount(), 20);
    QCOMPARE(model.acceptedCount(), 30);
    QCOMPARE(model.totalCount(), 30);

    inserted.clear();
    model.setPaused(false);
    QCOMPARE(paused.count(), 2);
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(inserted.constFirst().at(1).toInt(), 10);
    QCOMPARE(inserted.constFirst().at(2).toInt(), 29);
    QCOMPARE(model.pendingCount(), 0);
    QCOMPARE(model.rowCount(), 30);

    model.setPaused(false); // no change, no signal
    QCOMPARE(paused.count(), 2);
}

void tst_EventLogModel::evictionWhilePaused()
{
    EventLogModel model(std::make_unique<EventStore>(100));
    Tester tester(&model, Tester::FailureReportingMode::QtTest);
    model.ingest(0, makeEvents(60));
    model.setPaused(true);
    QCOMPARE(model.rowCount(), 60);

    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    model.ingest(0, makeEvents(50, 60)); // 110 stored: the oldest chunk (6 events) goes
    model.flush();
    // Evicted rows go even while paused; nothing is inserted.
    QCOMPARE(removed.count(), 1);
    QCOMPARE(inserted.count(), 0);
    QVERIFY(model.rowCount() > 0);
    QCOMPARE(model.sequenceAt(0), model.store().firstSequence());
    QCOMPARE(model.rowCount() + model.pendingCount(), model.store().size());
    QCOMPARE(model.acceptedCount(), model.store().size());

    model.setPaused(false);
    QCOMPARE(visibleSequences(model), expectedSequences(model.store(), model.filter()));
}

void tst_EventLogModel::ingestFiltersNewEvents()
{
    EventLogModel model;
    Tester tester(&model, Tester::FailureReportingMode::QtTest);
    model.ingest(0, makeEvents(2)); // interns "even" and "odd"
    model.flush();

    QSignalSpy finished(&model, &EventLogModel::rescanFinished);
    model.setFilter(hideType(model, "odd"));
    QVERIFY(finished.wait());

    model.ingest(0, makeEvents(10, 2));
    QCOMPARE(model.pendingCount(), 5);
    model.flush();
    QCOMPARE(visibleSequences(model), QList<qint64>({0, 2, 4, 6, 8, 10}));
    QCOMPARE(model.acceptedCount(), 6);
    QCOMPARE(model.totalCount(), 12);
}

void tst_EventLogModel::filterRescan_data()
{
    QTest::addColumn<int>("connection");
    QTest::addColumn<QByteArray>("hiddenType");
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("regularExpression");
    QTest::addColumn<int>("expectedCount");

    QTest::newRow("all") << -1 << QByteArray() << QString() << false << 300;
    QTest::newRow("connection 1") << 1 << QByteArray() << QString() << false << 100;
    QTest::newRow("hide odd") << -1 << QByteArray("odd") << QString() << false << 150;
    QTest::newRow("type text") << -1 << QByteArray() << QStringLiteral("ODD") << false << 150;
    QTest::newRow("substring") << -1 << QByteArray() << QStringLiteral("\"seq\":1") << false
                               << 111; // 1, 10-19, 100-199
    QTest::newRow("regex") << -1 << QByteArray() << QStringLiteral(":\\d\\d}") << true << 90;
    QTest::newRow("regex, connection 2, hide even")
            << 2 << QByteArray("even") << QStringLiteral("[05]}$") << true << 10;
}

void tst_EventLogModel::addFilterConnection_data()
{
    QTest::addColumn<bool>("stored"); // the added connection has events in the store already
    QTest::newRow("new connection") << false;
    QTest::newRow("connection with stored events") << true;
}

// A connection added to a filter that shows some connections: a new one joins without a rescan
// or a reset (its events pass from then on); one with stored events gets the full rescan.
void tst_EventLogModel::addFilterConnection()
{
    QFETCH(bool, stored);
    EventLogModel model;
    Tester tester(&model, Tester::FailureReportingMode::QtTest);
    model.ingest(0, makeEvents(10));
    model.ingest(1, makeEvents(10, 10));
    if (stored)
        model.ingest(2, makeEvents(5, 20));
    EventFilter filter;
    filter.setConnections({0});
    QSignalSpy finished(&model, &EventLogModel::rescanFinished);
    model.setFilter(filter);
    QVERIFY(finished.wait());
    QCOMPARE(model.rowCount(), 10);

    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    model.addFilterConnection(2);
    QCOMPARE(model.filter().connections(), QSet<quint16>({0, 2}));
    QCOMPARE(model.isRescanning(), stored);
    if (stored) {
        QVERIFY(finished.wait());
        QCOMPARE(reset.count(), 1);
        QCOMPARE(model.rowCount(), 15);
    } else {
        QCOMPARE(reset.count(), 0);
        QCOMPARE(model.rowCount(), 10);
    }
    model.ingest(2, makeEvents(3, 30));
    model.ingest(1, makeEvents(3, 33)); // still out
    model.flush();
    QCOMPARE(model.rowCount(), stored ? 18 : 13);
    QCOMPARE(visibleSequences(model), expectedSequences(model.store(), model.filter()));
    QCOMPARE(reset.count(), stored ? 1 : 0);

    // A filter that shows every connection stays so.
    model.setFilter(EventFilter());
    QVERIFY(finished.wait());
    model.addFilterConnection(7);
    QVERIFY(model.filter().connections().isEmpty());
    QCOMPARE(model.rowCount(), stored ? 31 : 26);
}

void tst_EventLogModel::filterRescan()
{
    QFETCH(int, connection);
    QFETCH(QByteArray, hiddenType);
    QFETCH(QString, text);
    QFETCH(bool, regularExpression);
    QFETCH(int, expectedCount);

    EventLogModel model;
    Tester tester(&model, Tester::FailureReportingMode::QtTest);
    for (int n = 0; n < 300; n += 10)
        model.ingest(quint16((n / 10) % 3), makeEvents(10, n));
    model.flush();
    QCOMPARE(model.rowCount(), 300);

    EventFilter filter;
    filter.setConnection(connection);
    if (!hiddenType.isEmpty())
        filter.setHiddenTypes({quint16(model.store().findType(hiddenType))});
    filter.setText(text);
    if (regularExpression)
        filter.setMatchMode(EventFilter::MatchMode::RegularExpression);
    QVERIFY(filter.isValid());

    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    QSignalSpy progress(&model, &EventLogModel::rescanProgress);
    QSignalSpy finished(&model, &EventLogModel::rescanFinished);
    QSignalSpy counts(&model, &EventLogModel::countsChanged);
    model.setFilter(filter);
    QVERIFY(model.isRescanning());
    QCOMPARE(model.rowCount(), 300); // untouched until the swap
    QVERIFY(finished.wait());

    QVERIFY(!model.isRescanning());
    QCOMPARE(reset.count(), 1);
    QCOMPARE(progress.constLast().at(0).toInt(), 100);
    QVERIFY(counts.count() >= 1);
    QCOMPARE(model.rowCount(), expectedCount);
    QCOMPARE(model.acceptedCount(), expectedCount);
    QCOMPARE(visibleSequences(model), expectedSequences(model.store(), filter));

    // Back to showing everything.
    model.setFilter(EventFilter());
    QVERIFY(finished.wait());
    QCOMPARE(model.rowCount(), 300);
}

void tst_EventLogModel::rescanWhileIngesting_data()
{
    QTest::addColumn<qsizetype>("capacity");
    QTest::newRow("no eviction") << qsizetype(100'000);
    QTest::newRow("with eviction") << qsizetype(64);
}

void tst_EventLogModel::rescanWhileIngesting()
{
    QFETCH(qsizetype, capacity);

    EventLogModel model(std::make_unique<EventStore>(capacity));
    Tester tester(&model, Tester::FailureReportingMode::QtTest);
    model.setRescanSliceLimit(7); // many slices, so events can arrive in between
    model.ingest(0, makeEvents(100));
    model.flush();

    int next = 100;
    int slices = 0;
    connect(&model, &EventLogModel::rescanProgress, &model, [&](int percent) {
        if (percent >= 100)
            return;
        ++slices;
        model.ingest(quint16(next % 2), makeEvents(3, next));
        next += 3;
        if (slices % 3 == 0)
            model.flush(); // flushes during the rescan must not insert rows
    });

    QSignalSpy finished(&model, &EventLogModel::rescanFinished);
    EventFilter filter;
    filter.setText(QStringLiteral("5"));
    model.setFilter(filter);
    QVERIFY(finished.wait());
    QVERIFY(slices >= 5);

    model.flush();
    const QList<qint64> visible = visibleSequences(model);
    QVERIFY(std::is_sorted(visible.cbegin(), visible.cend()));
    QVERIFY(std::adjacent_find(visible.cbegin(), visible.cend()) == visible.cend());
    QCOMPARE(visible, expectedSequences(model.store(), filter));
    QCOMPARE(model.totalCount(), model.store().size());
    QCOMPARE(model.store().endSequence(), next);
}

void tst_EventLogModel::rescanWhilePaused()
{
    EventLogModel model;
    Tester tester(&model, Tester::FailureReportingMode::QtTest);
    model.ingest(0, makeEvents(20));
    model.setPaused(true);
    model.ingest(0, makeEvents(20, 20)); // arrives during the pause
    model.flush();
    QCOMPARE(model.rowCount(), 20);
    QCOMPARE(model.pendingCount(), 20);

    QSignalSpy finished(&model, &EventLogModel::rescanFinished);
    model.setFilter(hideType(model, "odd"));
    QVERIFY(finished.wait());

    // The frozen part is refiltered, the rest stays pending (refiltered too).
    QCOMPARE(model.rowCount(), 10);
    QCOMPARE(model.sequenceAt(9), 18);
    QCOMPARE(model.pendingCount(), 10);
    QCOMPARE(model.acceptedCount(), 20);

    model.setPaused(false);
    QCOMPARE(model.rowCount(), 20);
    QCOMPARE(visibleSequences(model), expectedSequences(model.store(), model.filter()));
}

void tst_EventLogModel::invalidFilterIgnoresText()
{
    EventLogModel model;
    model.ingest(0, makeEvents(10));
    model.flush();

    EventFilter filter;
    filter.setMatchMode(EventFilter::MatchMode::RegularExpression);
    filter.setText(QStringLiteral("[unclosed"));
    QVERIFY(!filter.isValid());
    QSignalSpy finished(&model, &EventLogModel::rescanFinished);
    model.setFilter(filter);
    QVERIFY(finished.wait());
    QCOMPARE(model.rowCount(), 10);
    QVERIFY(!model.filter().isValid());
}

void tst_EventLogModel::clear()
{
    EventLogModel model;
    Tester tester(&model, Tester::FailureReportingMode::QtTest);
    model.ingest(0, makeEvents(50));
    model.setPaused(true);
    model.ingest(0, makeEvents(5, 50));

    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    QSignalSpy counts(&model, &EventLogModel::countsChanged);
    model.clear();
    QCOMPARE(reset.count(), 1);
    QCOMPARE(counts.count(), 1);
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.pendingCount(), 0);
    QCOMPARE(model.acceptedCount(), 0);
    QCOMPARE(model.totalCount(), 0);
    QCOMPARE(model.evictedCount(), 0);

    model.setPaused(false);
    model.ingest(0, makeEvents(3));
    model.flush();
    QCOMPARE(visibleSequences(model), QList<qint64>({55, 56, 57})); // numbering continues
}

void tst_EventLogModel::clearDuringRescan()
{
    EventLogModel model;
    Tester tester(&model, Tester::FailureReportingMode::QtTest);
    model.setRescanSliceLimit(5);
    model.ingest(0, makeEvents(100));
    model.flush();

    QSignalSpy finished(&model, &EventLogModel::rescanFinished);
    model.setFilter(hideType(model, "odd"));
    QVERIFY(model.isRescanning());
    model.clear();
    QVERIFY(!model.isRescanning());
    QCOMPARE(finished.count(), 1);
    QCOMPARE(model.rowCount(), 0);

    // The new filter is in force for what comes next.
    model.ingest(0, makeEvents(4, 100));
    model.flush();
    QCOMPARE(visibleSequences(model), QList<qint64>({100, 102}));
}

void tst_EventLogModel::displayRoles()
{
    EventLogModel model;
    Tester tester(&model, Tester::FailureReportingMode::QtTest);
    const QDateTime when(QDate(2024, 5, 6), QTime(13, 14, 15, 678));
    model.ingest(3, {makeEvent("update", "{\"a\":1}", "id-9", when.toMSecsSinceEpoch())});
    model.flush();

    const auto text = [&](int column) { return model.index(0, column).data().toString(); };
    QCOMPARE(text(EventLogModel::TimeColumn), QStringLiteral("13:14:15.678"));
    QCOMPARE(text(EventLogModel::ConnectionColumn), QStringLiteral("#3"));
    QCOMPARE(text(EventLogModel::TypeColumn), QStringLiteral("update"));
    QCOMPARE(text(EventLogModel::IdColumn), QStringLiteral("id-9"));
    QCOMPARE(model.index(0, EventLogModel::SizeColumn).data().toLongLong(), 7);
    QCOMPARE(text(EventLogModel::DataColumn), QStringLiteral("{\"a\":1}"));
    QCOMPARE(model.index(0, EventLogModel::DataColumn).data(EventLogModel::SequenceRole)
                     .toLongLong(),
             0);
    QVERIFY(!model.index(0, EventLogModel::TimeColumn).data(Qt::ToolTipRole).isValid());
    QVERIFY(!model.index(0, 0).data(Qt::DecorationRole).isValid());
}

void tst_EventLogModel::dataPreview_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QString>("preview");

    QTest::newRow("empty") << QByteArray() << QString();
    const QString returnSymbol(QChar(u'\u23ce'));
    QTest::newRow("newlines") << QByteArray("line 1\nline 2\n\nend")
                              << QStringLiteral("line 1") + returnSymbol + QStringLiteral("line 2")
                                         + returnSymbol + returnSymbol + QStringLiteral("end");
    QTest::newRow("tab") << QByteArray("a\tb") << QStringLiteral("a b");
    QTest::newRow("exactly 200") << QByteArray(200, 'x') << QString(200, u'x');
    QTest::newRow("201 characters") << QByteArray(201, 'x')
                                    << QString(200, u'x') + QChar(u'\u2026');
    // 300 two-byte characters: the cut must not split one.
    QByteArray umlauts;
    for (int i = 0; i < 300; ++i)
        umlauts += "\xc3\xbc";
    QTest::newRow("multi-byte") << umlauts << QString(200, u'\u00fc') + QChar(u'\u2026');
    // Emoji are surrogate pairs in UTF-16: never end the preview on half of one.
    QByteArray emoji = QByteArray(199, 'e');
    for (int i = 0; i < 3; ++i)
        emoji += "\xf0\x9f\x98\x80";
    QTest::newRow("surrogate at the cut") << emoji << QString(199, u'e') + QChar(u'\u2026');
}

void tst_EventLogModel::dataPreview()
{
    QFETCH(QByteArray, data);
    QFETCH(QString, preview);

    EventLogModel model;
    model.ingest(0, {makeEvent("message", data)});
    model.flush();
    QCOMPARE(model.index(0, EventLogModel::DataColumn).data().toString(), preview);
    QCOMPARE(model.index(0, EventLogModel::SizeColumn).data().toLongLong(), data.size());
}

void tst_EventLogModel::toolTip()
{
    EventLogModel model;
    QByteArray big(5000, 'q');
    big.replace(0, 4, "head");
    model.ingest(0, {makeEvent("message", "two\nlines"), makeEvent("message", big),
                     makeEvent("message", "<b>bold</b>")});
    model.flush();

    const auto tip = [&](int row) {
        return model.index(row, EventLogModel::DataColumn).data(Qt::ToolTipRole).toString();
    };
    QCOMPARE(tip(0), QStringLiteral("two\nlines"));
    QCOMPARE(tip(1).size(), EventLogModel::ToolTipBytes + 1);
    QVERIFY(tip(1).startsWith(QStringLiteral("head")));
    QVERIFY(tip(1).endsWith(QChar(u'\u2026')));
    // Markup in the payload is shown, not interpreted.
    QVERIFY(tip(2).contains(QStringLiteral("&lt;b&gt;bold&lt;/b&gt;")));
}

void tst_EventLogModel::connectionNames()
{
    EventLogModel model;
    Tester tester(&model, Tester::FailureReportingMode::QtTest);
    model.ingest(0, makeEvents(3));
    model.ingest(1, makeEvents(2, 3));
    model.flush();

    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.setConnectionName(1, QStringLiteral("prices"));
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed.constFirst().at(0).toModelIndex(),
             model.index(0, EventLogModel::ConnectionColumn));
    QCOMPARE(changed.constFirst().at(1).toModelIndex(),
             model.index(4, EventLogModel::ConnectionColumn));
    QCOMPARE(model.connectionName(1), QStringLiteral("prices"));
    QCOMPARE(model.connectionName(0), QStringLiteral("#0"));
    QCOMPARE(model.index(4, EventLogModel::ConnectionColumn).data().toString(),
             QStringLiteral("prices"));
    QCOMPARE(model.index(0, EventLogModel::ConnectionColumn).data().toString(),
             QStringLiteral("#0"));
}

void tst_EventLogModel::headers()
{
    EventLogModel model;
    const QStringList expected = {QStringLiteral("Time"), QStringLiteral("Connection"),
                                  QStringLiteral("Type"), QStringLiteral("Id"),
                                  QStringLiteral("Size"), QStringLiteral("Data")};
    for (int column = 0; column < EventLogModel::ColumnCount; ++column)
        QCOMPARE(model.headerData(column, Qt::Horizontal).toString(), expected.at(column));
}

QTEST_GUILESS_MAIN(tst_EventLogModel)
#include "tst_eventlogmodel.moc"
