#include "charts/seriescatalog.h"

#include <QElapsedTimer>
#include <QRegularExpression>
#include <QSet>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>

#include <vector>

namespace {

Sse::Event makeEvent(const QByteArray &type, const QByteArray &data, qint64 receivedMs)
{
    Sse::Event event;
    event.type = type;
    event.data = data;
    event.receivedMs = receivedMs;
    return event;
}

SeriesKey key(quint16 connection, const QByteArray &type, const QByteArray &path)
{
    return SeriesKey { connection, type, path, {}, {} };
}

} // namespace

// Found by QCOMPARE through argument-dependent lookup.
char *toString(const SeriesKey &key)
{
    return QTest::toString(key.displayName(QString()));
}

class TestSeriesCatalog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();

    void keyEqualityAndHash();
    void displayName();
    void discoversOncePerBatch();
    void discoveryIsSampledPerSecond();
    void discoveryIsPerType();
    void plottedSeriesReadsEveryEvent();
    void plottedSeriesIgnoresOtherTypesAndConnections();
    void plainNumberSeries();
    void seriesLimitPerConnection();
    void longPathsAreIgnored();
    void unplotReleasesBuffer();
    void clearForgetsEverything();
    void filterLimitsLiveEvents();
    void filterRebuildIsSlicedAndLosesNothing();
};

void TestSeriesCatalog::init()
{
    QTest::failOnWarning(QRegularExpression(QStringLiteral(".*")));
}

void TestSeriesCatalog::keyEqualityAndHash()
{
    const SeriesKey a = key(1, "tick", "usage.output_tokens");
    const SeriesKey b = key(1, "tick", QByteArray("usage.") + "output_tokens");
    QCOMPARE(a, b);
    QCOMPARE(qHash(a), qHash(b));
    QVERIFY(a != key(2, "tick", "usage.output_tokens"));
    QVERIFY(a != key(1, "tock", "usage.output_tokens"));
    QVERIFY(a != key(1, "tick", "usage.input_tokens"));
    QSet<SeriesKey> set { a, b, key(2, "tick", "x") };
    QCOMPARE(set.size(), 2);
}

void TestSeriesCatalog::displayName()
{
    QCOMPARE(key(3, "tick", "usage.output_tokens").displayName(QStringLiteral("conn")),
             QStringLiteral("conn / tick / usage.output_tokens"));
    QCOMPARE(key(3, "price", "").displayName(QStringLiteral("conn")),
             QStringLiteral("conn / price"));
    QCOMPARE(key(3, "t\xc3\xa9", "a").displayName(QString()), QStringLiteral("#3 / t\u00e9 / a"));
}

void TestSeriesCatalog::discoversOncePerBatch()
{
    SeriesCatalog catalog;
    QSignalSpy spy(&catalog, &SeriesCatalog::seriesDiscovered);
    Sse::EventList events;
    events << makeEvent("tick", R"({"usage":{"output_tokens":5},"values":[1,2]})", 1000)
           << makeEvent("tick", R"({"usage":{"output_tokens":6},"extra":3})", 1001)
           << makeEvent("other", R"({"bid":1})", 1002);
    catalog.ingest(7, events);

    QCOMPARE(spy.count(), 1);
    const auto keys = spy.at(0).at(0).value<QList<SeriesKey>>();
    const QList<SeriesKey> expected { key(7, "tick", "usage.output_tokens"),
                                      key(7, "tick", "values[0]"), key(7, "tick", "values[1]"),
                                      key(7, "tick", "extra"), key(7, "other", "bid") };
    QCOMPARE(keys, expected);
    QCOMPARE(catalog.discoveredSeries(), expected);
    QVERIFY(catalog.isDiscovered(key(7, "tick", "extra")));

    // Nothing new: no signal.
    catalog.ingest(7, events);
    QCOMPARE(spy.count(), 1);
}

void TestSeriesCatalog::discoveryIsSampledPerSecond()
{
    SeriesCatalog catalog;
    catalog.setDiscoveryEventsPerSecond(20);
    Sse::EventList events;
    for (int i = 0; i < 1000; ++i) {
        const QByteArray data = i == 500 ? R"({"late":1})" : R"({"n":1})";
        events << makeEvent("tick", data, 5000 + i % 1000); // all in the same second
    }
    catalog.ingest(0, events);
    QVERIFY(catalog.isDiscovered(key(0, "tick", "n")));
    QVERIFY(!catalog.isDiscovered(key(0, "tick", "late")));

    // The next second opens a new sampling budget.
    catalog.ingest(0, { makeEvent("tick", R"({"late":1})", 6000) });
    QVERIFY(catalog.isDiscovered(key(0, "tick", "late")));
}

void TestSeriesCatalog::discoveryIsPerType()
{
    SeriesCatalog catalog;
    catalog.setDiscoveryEventsPerSecond(1);
    Sse::EventList events;
    events << makeEvent("a", R"({"x":1})", 1000) << makeEvent("a", R"({"y":1})", 1000)
           << makeEvent("b", R"({"z":1})", 1000);
    catalog.ingest(0, events);
    QVERIFY(catalog.isDiscovered(key(0, "a", "x")));
    QVERIFY(!catalog.isDiscovered(key(0, "a", "y"))); // over the budget of type a
    QVERIFY(catalog.isDiscovered(key(0, "b", "z")));  // b has its own budget
}

void TestSeriesCatalog::plottedSeriesReadsEveryEvent()
{
    SeriesCatalog catalog;
    const SeriesKey tokens = key(1, "tick", "usage.output_tokens");
    QSignalSpy plottedSpy(&catalog, &SeriesCatalog::plottedChanged);
    catalog.setPlotted(tokens, true);
    catalog.setPlotted(tokens, true); // no change, no signal
    QCOMPARE(plottedSpy.count(), 1);
    QVERIFY(catalog.isPlotted(tokens));
    QCOMPARE(catalog.plottedSeries(), QList<SeriesKey> { tokens });

    QSignalSpy appendedSpy(&catalog, &SeriesCatalog::samplesAppended);
    Sse::EventList events;
    for (int i = 0; i < 10000; ++i) {
        const QByteArray data = R"({"usage":{"output_tokens":)" + QByteArray::number(i) + "}}";
        events << makeEvent("tick", data, 1000); // one second: discovery samples only 20
    }
    catalog.ingest(1, events);
    QCOMPARE(appendedSpy.count(), 1);
    const SeriesBuffer *buffer = catalog.buffer(tokens);
    QVERIFY(buffer);
    QCOMPARE(buffer->size(), 10000);
    QCOMPARE(buffer->last().value, 9999.0);
    QCOMPARE(buffer->last().timeMs, 1000);
}

void TestSeriesCatalog::plottedSeriesIgnoresOtherTypesAndConnections()
{
    SeriesCatalog catalog;
    const SeriesKey bid = key(1, "quote", "bid");
    catalog.setPlotted(bid, true);
    QSignalSpy appendedSpy(&catalog, &SeriesCatalog::samplesAppended);
    catalog.ingest(1, { makeEvent("trade", R"({"bid":1})", 1) });
    catalog.ingest(2, { makeEvent("quote", R"({"bid":2})", 2) });
    catalog.ingest(1, { makeEvent("quote", R"({"ask":3})", 3) });
    QCOMPARE(appendedSpy.count(), 0);
    QVERIFY(catalog.buffer(bid)->isEmpty());

    catalog.ingest(1, { makeEvent("quote", R"({"bid":4})", 4) });
    QCOMPARE(appendedSpy.count(), 1);
    QCOMPARE(catalog.buffer(bid)->size(), 1);
}

void TestSeriesCatalog::plainNumberSeries()
{
    SeriesCatalog catalog;
    catalog.ingest(0, { makeEvent("price", " 101.25\n", 1) });
    const SeriesKey price = key(0, "price", "");
    QVERIFY(catalog.isDiscovered(price));
    catalog.setPlotted(price, true);
    catalog.ingest(0, { makeEvent("price", "102", 2), makeEvent("price", "n/a", 3) });
    QCOMPARE(catalog.buffer(price)->size(), 1);
    QCOMPARE(catalog.buffer(price)->first().value, 102.0);
}

void TestSeriesCatalog::seriesLimitPerConnection()
{
    SeriesCatalog catalog;
    catalog.setMaximumSeriesPerConnection(50);
    QByteArray data = "{";
    for (int i = 0; i < 100; ++i)
        data += (i ? ",\"k" : "\"k") + QByteArray::number(i) + "\":" + QByteArray::number(i);
    data += "}";

    catalog.ingest(0, { makeEvent("wide", data, 1) });
    catalog.ingest(0, { makeEvent("other", R"({"x":1})", 2) });
    QCOMPARE(catalog.discoveredSeries().size(), 50);
    QVERIFY(catalog.isDiscovered(key(0, "wide", "k49")));
    QVERIFY(!catalog.isDiscovered(key(0, "wide", "k50")));
    QVERIFY(!catalog.isDiscovered(key(0, "other", "x")));

    // Another connection has its own budget.
    catalog.ingest(1, { makeEvent("other", R"({"x":1})", 3) });
    QVERIFY(catalog.isDiscovered(key(1, "other", "x")));
}

void TestSeriesCatalog::longPathsAreIgnored()
{
    SeriesCatalog catalog;
    const QByteArray longKey(SeriesCatalog::MaximumPathLength + 1, 'k');
    catalog.ingest(0, { makeEvent("t", "{\"" + longKey + "\":1,\"short\":2}", 1) });
    QCOMPARE(catalog.discoveredSeries(), QList<SeriesKey> { key(0, "t", "short") });
}

void TestSeriesCatalog::unplotReleasesBuffer()
{
    SeriesCatalog catalog;
    const SeriesKey a = key(0, "t", "a");
    const SeriesKey b = key(0, "t", "b");
    catalog.setPlotted(a, true);
    catalog.setPlotted(b, true);
    catalog.ingest(0, { makeEvent("t", R"({"a":1,"b":2})", 1) });
    QSignalSpy plottedSpy(&catalog, &SeriesCatalog::plottedChanged);
    catalog.setPlotted(a, false);
    QCOMPARE(plottedSpy.count(), 1);
    QCOMPARE(plottedSpy.at(0).at(1).toBool(), false);
    QVERIFY(!catalog.buffer(a));
    QCOMPARE(catalog.plottedSeries(), QList<SeriesKey> { b });

    catalog.ingest(0, { makeEvent("t", R"({"a":1,"b":2})", 2) });
    QCOMPARE(catalog.buffer(b)->size(), 2);
}

void TestSeriesCatalog::clearForgetsEverything()
{
    SeriesCatalog catalog;
    catalog.setPlotted(key(0, "t", "a"), true);
    catalog.ingest(0, { makeEvent("t", R"({"a":1})", 1) });
    QSignalSpy clearedSpy(&catalog, &SeriesCatalog::cleared);
    catalog.clear();
    QCOMPARE(clearedSpy.count(), 1);
    QVERIFY(catalog.discoveredSeries().isEmpty());
    QVERIFY(catalog.plottedSeries().isEmpty());
    QVERIFY(!catalog.isDiscovered(key(0, "t", "a")));

    QSignalSpy discoveredSpy(&catalog, &SeriesCatalog::seriesDiscovered);
    catalog.ingest(0, { makeEvent("t", R"({"a":1})", 2) });
    QCOMPARE(discoveredSpy.count(), 1);
}

void TestSeriesCatalog::filterLimitsLiveEvents()
{
    SeriesCatalog catalog;
    catalog.setConnectionName(3, QStringLiteral("Feed"));
    const SeriesKey x = key(3, "t", "x");
    catalog.setPlotted(x, true);
    // An invalid filter is ignored; a valid one reads the fields of each live event.
    catalog.setFilter(Sse::FilterExpression::parse(QStringLiteral("data.x >")));
    QVERIFY(catalog.filter().isEmpty());
    catalog.setFilter(Sse::FilterExpression::parse(
        QStringLiteral("connection == \"Feed\" && data.x >= 2 && seq != 12")));
    QVERIFY(!catalog.isRebuilding()); // no history: nothing to rebuild from
    Sse::EventList events;
    for (int n = 0; n < 5; ++n)
        events << makeEvent("t", "{\"x\":" + QByteArray::number(n) + "}", n);
    catalog.ingest(3, events, 10); // sequences 10..14: x = 2 is seq 12
    const SeriesBuffer *buffer = catalog.buffer(x);
    QCOMPARE(buffer->size(), 2);
    QCOMPARE(buffer->first().value, 3.0);
    QCOMPARE(buffer->last().value, 4.0);
    // Another connection's name does not match.
    catalog.setPlotted(key(4, "t", "x"), true);
    catalog.ingest(4, events, 20);
    QCOMPARE(catalog.buffer(key(4, "t", "x"))->size(), 0);
}

void TestSeriesCatalog::filterRebuildIsSlicedAndLosesNothing()
{
    // 400,000 stored events; the filter keeps the even ones.
    constexpr int Stored = 400000;
    std::vector<QByteArray> stored;
    stored.reserve(Stored + 10);
    auto eventData = [](int n) -> QByteArray {
        return "{\"v\":" + QByteArray::number(n) + ",\"even\":" + (n % 2 ? "false" : "true") + "}";
    };
    for (int n = 0; n < Stored; ++n)
        stored.push_back(eventData(n));
    SeriesCatalog catalog;
    catalog.setBufferCapacity(Stored);
    catalog.setBackfillSpanMs(0);
    catalog.setHistory([&stored](quint16 connection, const QByteArray &type, qint64 before,
                                 const SeriesCatalog::HistoryVisitor &visit) {
        if (connection != 0 || type != "t")
            return;
        for (qint64 sequence = qMin(before, qint64(stored.size())) - 1; sequence >= 0; --sequence) {
            if (!visit({sequence, sequence, {}, stored[size_t(sequence)]}))
                return;
        }
    });
    const SeriesKey v = key(0, "t", "v");
    catalog.setPlotted(v, true);
    QCOMPARE(catalog.buffer(v)->size(), Stored);

    QSignalSpy rebuilding(&catalog, &SeriesCatalog::rebuildingChanged);
    QElapsedTimer clock;
    clock.start();
    catalog.setFilter(Sse::FilterExpression::parse(QStringLiteral("data.even")));
    const qint64 setFilterMs = clock.elapsed();
    QVERIFY(catalog.isRebuilding());
    QCOMPARE(rebuilding.size(), 1);

    // The event loop keeps turning: a 0 ms timer measures the longest gap between turns.
    // Ten live events arrive (stored first, as the workspace does) during the rebuild.
    qint64 longestGapMs = 0;
    qint64 lastTurnMs = clock.elapsed();
    int turns = 0;
    QTimer probe;
    probe.setInterval(0);
    connect(&probe, &QTimer::timeout, this, [&] {
        const qint64 now = clock.elapsed();
        longestGapMs = qMax(longestGapMs, now - lastTurnMs);
        lastTurnMs = now;
        if (++turns == 2) {
            Sse::EventList live;
            for (int n = Stored; n < Stored + 10; ++n) {
                stored.push_back(eventData(n));
                live << makeEvent("t", stored.back(), n);
            }
            catalog.ingest(0, live, Stored);
        }
    });
    probe.start();
    QVERIFY(rebuilding.wait(30000));
    probe.stop();
    const qint64 totalMs = clock.elapsed();
    qInfo("rebuild of %d stored events: %lld ms in all, %d event loop turns, longest gap "
          "%lld ms, setFilter() %lld ms",
          Stored, totalMs, turns, longestGapMs, setFilterMs);
    QCOMPARE(rebuilding.size(), 2);
    QVERIFY(turns >= 2);
    QVERIFY2(longestGapMs < 100, qPrintable(QString::number(longestGapMs)));

    const SeriesBuffer *buffer = catalog.buffer(v);
    QCOMPARE(buffer->size(), Stored / 2 + 5);
    for (int i = 0; i < buffer->size(); ++i) {
        if (buffer->at(i).value != 2.0 * i)
            QFAIL(qPrintable(QStringLiteral("sample %1 is %2").arg(i).arg(buffer->at(i).value)));
    }
}

QTEST_GUILESS_MAIN(TestSeriesCatalog)
#include "tst_seriescatalog.moc"
