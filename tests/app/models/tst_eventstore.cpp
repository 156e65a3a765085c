#include "models/eventstore.h"

#include <QRegularExpression>
#include <QTest>

namespace {

Sse::Event makeEvent(const QByteArray &type, const QByteArray &data, const QByteArray &id = {},
                     qint64 timeMs = 0, qint64 retryMs = -1)
{
    Sse::Event event;
    event.type = type;
    event.data = data;
    event.lastEventId = id;
    event.receivedMs = timeMs;
    event.retryMs = retryMs;
    return event;
}

// Event number n of a deterministic stream with varying sizes, ids and retries.
Sse::Event patternEvent(int n)
{
    const QByteArray data = QByteArray::number(n) + QByteArray(n % 150, char('a' + n % 26));
    const QByteArray id = (n % 3 == 0) ? QByteArray() : QByteArray("id-" + QByteArray::number(n));
    const QByteArray type = (n % 2 == 0) ? QByteArrayLiteral("message") : QByteArrayLiteral("tick");
    return makeEvent(type, data, id, 1'700'000'000'000 + n, n % 7 == 0 ? n * 10 : -1);
}

void compareEvent(const EventStore &store, qint64 sequence, const Sse::Event &expected)
{
    QCOMPARE(store.time(sequence), expected.receivedMs);
    QCOMPARE(store.typeName(store.typeIndex(sequence)), expected.type);
    QCOMPARE(store.id(sequence).toByteArray(), expected.lastEventId);
    QCOMPARE(store.data(sequence).toByteArray(), expected.data);
    QCOMPARE(store.dataSize(sequence), expected.data.size());
    QCOMPARE(store.hasRetry(sequence), expected.retryMs >= 0);
    QCOMPARE(store.retry(sequence), expected.retryMs);

    const Sse::Event copy = store.event(sequence);
    QCOMPARE(copy.type, expected.type);
    QCOMPARE(copy.data, expected.data);
    QCOMPARE(copy.lastEventId, expected.lastEventId);
    QCOMPARE(copy.receivedMs, expected.receivedMs);
    QCOMPARE(copy.retryMs, expected.retryMs);
}

} // namespace

class tst_EventStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void markersAreHeldButNotCounted();

    void emptyStore();
    void roundTrip_data();
    void roundTrip();
    void sequenceNumbersAcrossBatches();
    void chunkBoundaries_data();
    void chunkBoundaries();
    void oversizedEventGetsOwnChunk();
    void sixteenMebibyteEvent();
    void evictionAtCapacity();
    void evictionWithinOneBatch();
    void evictionUpdatesCounts();
    void setCapacityEvicts();
    void clearKeepsSequencesAndTypes();
    void typeInterningIsShared();
    void memoryBytesFollowsContents();
};

void tst_EventStore::init()
{
    QTest::failOnWarning(QRegularExpression(QStringLiteral(".*")));
}

void tst_EventStore::emptyStore()
{
    const EventStore store;
    QCOMPARE(store.capacity(), EventStore::DefaultCapacity);
    QCOMPARE(store.firstSequence(), 0);
    QCOMPARE(store.endSequence(), 0);
    QCOMPARE(store.size(), 0);
    QVERIFY(store.isEmpty());
    QVERIFY(!store.contains(0));
    QCOMPARE(store.evictedTotal(), 0);
    QCOMPARE(store.time(0), 0);
    QVERIFY(store.data(0).isEmpty());
    QVERIFY(store.id(0).isEmpty());
    QCOMPARE(store.retry(0), -1);
    QCOMPARE(store.internedTypeCount(), 0);
    QVERIFY(store.typeName(0).isNull());
    QCOMPARE(store.findType("message"), -1);
}

void tst_EventStore::roundTrip_data()
{
    QTest::addColumn<QByteArray>("type");
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QByteArray>("id");
    QTest::addColumn<qint64>("retry");

    QTest::newRow("empty data") << QByteArray("message") << QByteArray() << QByteArray()
                                << qint64(-1);
    QTest::newRow("empty type") << QByteArray() << QByteArray("x") << QByteArray() << qint64(-1);
    QTest::newRow("json") << QByteArray("message")
                          << QByteArray(R"({"seq":1,"value":12.345,"name":"sensor-07"})")
                          << QByteArray() << qint64(-1);
    QTest::newRow("with id") << QByteArray("update") << QByteArray("payload")
                             << QByteArray("evt-42") << qint64(-1);
    QTest::newRow("with retry") << QByteArray("message") << QByteArray("r") << QByteArray()
                                << qint64(3000);
    QTest::newRow("zero retry") << QByteArray("message") << QByteArray("r") << QByteArray("1")
                                << qint64(0);
    QTest::newRow("multi-line utf-8") << QByteArray("message")
                                      << QByteArray("line 1\nl\xc3\xa4ne 2 \xe2\x82\xac")
                                      << QByteArray("\xc3\xa9") << qint64(-1);
    QTest::newRow("nul bytes in data") << QByteArray("bin") << QByteArray("a\0b\0c", 5)
                                       << QByteArray() << qint64(-1);
    QTest::newRow("long id") << QByteArray("message") << QByteArray("d")
                             << QByteArray(100'000, 'i') << qint64(-1);
    QTest::newRow("2 MiB data") << QByteArray("blob") << QByteArray(2 * 1024 * 1024, 'z')
                                << QByteArray("big") << qint64(250);
}

void tst_EventStore::roundTrip()
{
    QFETCH(QByteArray, type);
    QFETCH(QByteArray, data);
    QFETCH(QByteArray, id);
    QFETCH(qint64, retry);

    EventStore store;
    const Sse::Event before = makeEvent("first", "before");
    const Sse::Event event = makeEvent(type, data, id, 1'715'000'000'123, retry);
    const Sse::Event after = makeEvent("last", "after", "after-id", 1'715'000'000'999);
    QCOMPARE(store.append(7, {before, event, after}), 0);

    QCOMPARE(store.size(), 3);
    QCOMPARE(store.connection(1), quint16(7));
    compareEvent(store, 0, before);
    compareEvent(store, 1, event);
    compareEvent(store, 2, after);
}

void tst_EventStore::sequenceNumbersAcrossBatches()
{
    EventStore store;
    Sse::EventList batch;
    for (int i = 0; i < 5; ++i)
        batch.append(patternEvent(i));

    store.append(0, batch);
    store.append(1, batch);
    store.append(2, Sse::EventList());
    store.append(3, batch);

    QCOMPARE(store.firstSequence(), 0);
    QCOMPARE(store.endSequence(), 15);
    QCOMPARE(store.size(), 15);
    for (qint64 sequence = 0; sequence < 15; ++sequence) {
        QCOMPARE(store.connection(sequence), quint16(sequence < 5 ? 0 : sequence < 10 ? 1 : 3));
        compareEvent(store, sequence, patternEvent(int(sequence % 5)));
    }
    QVERIFY(!store.contains(15));
    QVERIFY(!store.contains(-1));
}

void tst_EventStore::chunkBoundaries_data()
{
    QTest::addColumn<int>("chunkEvents");
    QTest::addColumn<qsizetype>("chunkBytes");
    QTest::addColumn<int>("batchSize");

    QTest::newRow("4 events per chunk") << 4 << qsizetype(1 << 20) << 1;
    QTest::newRow("4 events per chunk, batches of 9") << 4 << qsizetype(1 << 20) << 9;
    QTest::newRow("64-byte arenas") << 4096 << qsizetype(64) << 5;
    QTest::newRow("1 event, 1 byte") << 1 << qsizetype(1) << 13;
    QTest::newRow("default limits") << EventStore::DefaultChunkEventLimit
                                    << EventStore::DefaultChunkByteLimit << 50;
}

void tst_EventStore::chunkBoundaries()
{
    QFETCH(int, chunkEvents);
    QFETCH(qsizetype, chunkBytes);
    QFETCH(int, batchSize);

    EventStore store;
    store.setChunkLimits(chunkEvents, chunkBytes);
    QCOMPARE(store.chunkEventLimit(), chunkEvents);
    QCOMPARE(store.chunkByteLimit(), chunkBytes);

    constexpr int Count = 500;
    Sse::EventList batch;
    for (int n = 0; n < Count; ++n) {
        batch.append(patternEvent(n));
        if (batch.size() == batchSize || n == Count - 1) {
            store.append(quint16(n % 4), batch);
            batch.clear();
        }
    }

    QCOMPARE(store.size(), Count);
    if (chunkEvents < Count)
        QVERIFY(store.chunkCount() > 1);
    // Random-ish order as well as forward order, to exercise the chunk lookup cache.
    for (int n = 0; n < Count; ++n)
        compareEvent(store, n, patternEvent(n));
    for (int n = Count - 1; n >= 0; n -= 37)
        compareEvent(store, n, patternEvent(n));
}

void tst_EventStore::oversizedEventGetsOwnChunk()
{
    EventStore store;
    store.setChunkLimits(100, 1024);
    const Sse::Event small = makeEvent("message", "small");
    const Sse::Event huge = makeEvent("message", QByteArray(10 * 1024, 'h'), "huge-id");

    store.append(0, {small, small, huge, small});
    QCOMPARE(store.chunkCount(), 3);
    compareEvent(store, 0, small);
    compareEvent(store, 1, small);
    compareEvent(store, 2, huge);
    compareEvent(store, 3, small);
}

void tst_EventStore::sixteenMebibyteEvent()
{
    EventStore store;
    QByteArray data(16 * 1024 * 1024, 'x');
    data[0] = 'a';
    data[data.size() - 1] = 'z';
    const Sse::Event big = makeEvent("dump", data, "16m", 42);

    store.append(0, {makeEvent("message", "a"), big, makeEvent("message", "b")});
    compareEvent(store, 1, big);
    QCOMPARE(store.data(2).toByteArray(), QByteArray("b"));
    QVERIFY(store.memoryBytes() >= data.size());
}

void tst_EventStore::evictionAtCapacity()
{
    constexpr qsizetype Capacity = 100;
    EventStore store(Capacity);
    const qsizetype chunk = Capacity / 16; // chunks shrink with small capacities

    qint64 evictedSum = 0;
    for (int n = 0; n < 1000; ++n) {
        evictedSum += store.append(0, {patternEvent(n)});

        QCOMPARE(store.endSequence(), n + 1);
        QCOMPARE(store.size(), store.endSequence() - store.firstSequence());
        QVERIFY(store.size() >= qMin<qsizetype>(n + 1, Capacity));
        QVERIFY2(store.size() < Capacity + chunk,
                 qPrintable(QStringLiteral("size %1").arg(store.size())));
        QCOMPARE(store.evictedTotal(), store.firstSequence());
        QCOMPARE(evictedSum, store.evictedTotal());
    }
    QVERIFY(store.evictedTotal() >= 1000 - Capacity - chunk);
    // What is left is the newest events, intact; what is gone reads as empty.
    for (qint64 sequence = store.firstSequence(); sequence < store.endSequence(); ++sequence)
        compareEvent(store, sequence, patternEvent(int(sequence)));
    const qint64 gone = store.firstSequence() - 1;
    QVERIFY(!store.contains(gone));
    QVERIFY(store.data(gone).isEmpty());
    QCOMPARE(store.dataSize(gone), 0);
}

void tst_EventStore::evictionWithinOneBatch()
{
    EventStore store(100);
    Sse::EventList batch;
    for (int n = 0; n < 1000; ++n)
        batch.append(patternEvent(n));

    const qsizetype evicted = store.append(1, batch);
    QCOMPARE(evicted, 1000 - store.size());
    QCOMPARE(store.evictedTotal(), evicted);
    QCOMPARE(store.endSequence(), 1000);
    QVERIFY(store.size() >= 100);
    QVERIFY(store.size() < 100 + 100 / 16);
    compareEvent(store, 999, patternEvent(999));
    compareEvent(store, store.firstSequence(), patternEvent(int(store.firstSequence())));
}

void tst_EventStore::evictionUpdatesCounts()
{
    EventStore store(64);
    for (int n = 0; n < 500; ++n)
        store.append(quint16(n % 3), {patternEvent(n)});

    const int message = store.findType("message");
    const int tick = store.findType("tick");
    QVERIFY(message >= 0 && tick >= 0);

    qint64 expectedMessages = 0;
    qint64 expectedPerConnection[3] = {};
    for (qint64 sequence = store.firstSequence(); sequence < store.endSequence(); ++sequence) {
        const quint16 connection = store.connection(sequence);
        ++expectedPerConnection[connection];
        if (store.typeIndex(sequence) == message)
            ++expectedMessages;
    }
    QCOMPARE(store.typeCount(quint16(message)), expectedMessages);
    QCOMPARE(store.typeCount(quint16(message)) + store.typeCount(quint16(tick)), store.size());
    for (quint16 connection = 0; connection < 3; ++connection)
        QCOMPARE(store.connectionEventCount(connection), expectedPerConnection[connection]);
    QCOMPARE(store.connectionEventCount(99), 0);
}

void tst_EventStore::setCapacityEvicts()
{
    EventStore store(1000);
    for (int n = 0; n < 1000; ++n)
        store.append(0, {patternEvent(n)});
    QCOMPARE(store.size(), 1000);

    const qsizetype evicted = store.setCapacity(100);
    QVERIFY(evicted > 0);
    QCOMPARE(store.capacity(), 100);
    QCOMPARE(store.evictedTotal(), evicted);
    QCOMPARE(store.size(), 1000 - evicted);
    QVERIFY(store.size() >= 100);
    // The chunks were cut for the old capacity (1000 / 16 events each).
    QVERIFY(store.size() < 100 + 1000 / 16);
    compareEvent(store, 999, patternEvent(999));

    // Clamped to 1: every closed chunk goes, the open one stays.
    QVERIFY(store.setCapacity(0) > 0);
    QCOMPARE(store.capacity(), 1);
    QCOMPARE(store.chunkCount(), 1);
    QVERIFY(store.size() <= 1000 / 16);
    compareEvent(store, 999, patternEvent(999));
}

void tst_EventStore::clearKeepsSequencesAndTypes()
{
    EventStore store(50);
    for (int n = 0; n < 120; ++n)
        store.append(0, {patternEvent(n)});
    QVERIFY(store.evictedTotal() > 0);
    const int tick = store.findType("tick");

    store.clear();
    QCOMPARE(store.size(), 0);
    QCOMPARE(store.firstSequence(), 120);
    QCOMPARE(store.endSequence(), 120);
    QCOMPARE(store.evictedTotal(), 0);
    QCOMPARE(store.chunkCount(), 0);
    QCOMPARE(store.typeCount(quint16(tick)), 0);
    QCOMPARE(store.connectionEventCount(0), 0);
    QCOMPARE(store.typeName(quint16(tick)), QByteArray("tick"));

    store.append(2, {patternEvent(1)});
    QCOMPARE(store.firstSequence(), 120);
    QCOMPARE(store.endSequence(), 121);
    QCOMPARE(store.typeIndex(120), quint16(tick));
    compareEvent(store, 120, patternEvent(1));
}

void tst_EventStore::typeInterningIsShared()
{
    EventStore store;
    store.append(0, {makeEvent("message", "a"), makeEvent("update", "b"),
                     makeEvent("message", "c")});
    store.append(5, {makeEvent("update", "d"), makeEvent("ping", "")});

    QCOMPARE(store.internedTypeCount(), 3);
    QCOMPARE(store.typeName(0), QByteArray("message"));
    QCOMPARE(store.typeName(1), QByteArray("update"));
    QCOMPARE(store.typeName(2), QByteArray("ping"));
    QCOMPARE(store.typeIndex(1), store.typeIndex(3)); // same name, different connections
    QCOMPARE(store.findType("ping"), 2);
    QCOMPARE(store.typeCount(0), 2);
    QCOMPARE(store.typeCount(1), 2);
    QCOMPARE(store.typeCount(2), 1);
    QCOMPARE(store.typeCount(3), 0);
    QCOMPARE(store.connectionEventCount(0), 3);
    QCOMPARE(store.connectionEventCount(5), 2);
}

void tst_EventStore::memoryBytesFollowsContents()
{
    EventStore store;
    const qsizetype empty = store.memoryBytes();
    Sse::EventList batch;
    for (int n = 0; n < 10'000; ++n)
        batch.append(makeEvent("message", QByteArray(100, 'm')));
    store.append(0, batch);

    const qsizetype full = store.memoryBytes();
    // At least the payload plus one record each, and not wildly more.
    QVERIFY2(full - empty >= 10'000 * (100 + 24), qPrintable(QString::number(full)));
    QVERIFY2(full - empty < 10'000 * (100 + 24) * 2, qPrintable(QString::number(full)));

    store.clear();
    QVERIFY(store.memoryBytes() < full / 10);
}

void tst_EventStore::markersAreHeldButNotCounted()
{
    EventStore store(8);
    store.setChunkLimits(2, 1024 * 1024);
    store.append(1, Sse::EventList { makeEvent("tick", "a"), makeEvent("tick", "b") });
    const qsizetype bytesBefore = store.heldBytes();
    store.appendMarker(1, 1000, "reconnected");
    QCOMPARE(store.size(), 3);
    QCOMPARE(store.markerCount(), 1);
    QVERIFY(store.isMarker(2));
    QVERIFY(!store.isMarker(1));
    QVERIFY(store.heldBytes() > bytesBefore); // a marker counts against the byte budget
    QCOMPARE(store.data(2), QByteArrayView("reconnected"));
    QVERIFY(store.type(2).isEmpty());
    QCOMPARE(store.connectionEventCount(1), qint64(2));
    QCOMPARE(store.typeCount(quint16(store.findType("tick"))), qint64(2));
    QCOMPARE(store.connectionTypeCount(1, quint16(store.findType("tick"))), qint64(2));

    // Evicted like an event: the counts stay right once it is gone.
    for (int i = 0; i < 10; ++i)
        store.append(1, Sse::EventList { makeEvent("tick", "c") });
    QVERIFY(!store.contains(2));
    QCOMPARE(store.markerCount(), 0);
    QCOMPARE(store.connectionEventCount(1), qint64(store.size()));
}

QTEST_GUILESS_MAIN(tst_EventStore)
#include "tst_eventstore.moc"
