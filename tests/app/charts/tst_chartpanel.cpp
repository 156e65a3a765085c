#include "charts/chartpanel.h"
#include "charts/seriescatalog.h"

#include <QGraphicsView>
#include <QGuiApplication>
#include <QListWidget>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>

#include <cmath>

namespace {

constexpr qint64 BaseMs = 1'700'000'000'000;

SeriesKey key(const QByteArray &type, const QByteArray &path)
{
    return SeriesKey { 0, type, path, {}, {} };
}

// An LLM-usage-like tick: output_tokens a noisy wave in 100..440, values[0] a sine of
// amplitude 300.
Sse::Event tickEvent(int index, qint64 receivedMs)
{
    Sse::Event event;
    event.type = "tick";
    const int tokens = 250 + int(150 * std::sin(index / 7000.0)) + (index * 7) % 40;
    event.data = R"({"model":"demo","usage":{"input_tokens":12,"output_tokens":)"
            + QByteArray::number(tokens) + R"(},"values":[)"
            + QByteArray::number(std::sin(index / 2000.0) * 300, 'f', 3) + ","
            + QByteArray::number(index % 10) + "]}";
    event.receivedMs = receivedMs;
    return event;
}

// Values around 20,000: more than 10x the tick series, so they belong on the right axis.
Sse::Event quoteEvent(int index, qint64 receivedMs)
{
    Sse::Event event;
    event.type = "quote";
    event.data = R"({"bid":)" + QByteArray::number(20000 + std::cos(index / 3000.0) * 500, 'f', 2)
            + "}";
    event.receivedMs = receivedMs;
    return event;
}

Sse::EventList tickBatch(int first, int count, qint64 startMs, qint64 stepMs)
{
    Sse::EventList events;
    events.reserve(count);
    for (int i = 0; i < count; ++i)
        events.append(tickEvent(first + i, startMs + i * stepMs));
    return events;
}

QListWidgetItem *findItem(QListWidget *list, const QString &text)
{
    const QList<QListWidgetItem *> items = list->findItems(text, Qt::MatchExactly);
    return items.isEmpty() ? nullptr : items.constFirst();
}

} // namespace

class TestChartPanel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();

    void discoveredSeriesAreListed();
    void tickingListItemPlots();
    void plottedSeriesGetsPoints();
    void pointCountStaysBoundedUnderLoad();
    void differentMagnitudeGoesToRightAxis();
    void pauseFreezesView();
    void timeWindowLimitsPoints();
    void pointWindowLimitsPoints();
    void rubberBandZoomPauses();
    void openGLIsRefusedOffscreen();
    void renderSnapshot();

private:
    void showPanel(ChartPanel *panel);
};

void TestChartPanel::init()
{
    // The offscreen plugin warns about size hints for every top-level window; that is
    // platform noise. Any other warning fails the test.
    QTest::failOnWarning(QRegularExpression(
            QStringLiteral("^(?!This plugin does not support propagateSizeHints).*")));
}

void TestChartPanel::showPanel(ChartPanel *panel)
{
    // The samples carry fixed 2023 times: a clock at 0 makes the window end at the newest
    // sample instead of now.
    panel->setClock([] { return qint64(0); });
    panel->resize(1000, 600);
    panel->show();
    QVERIFY(QTest::qWaitForWindowExposed(panel));
}

void TestChartPanel::discoveredSeriesAreListed()
{
    SeriesCatalog catalog;
    ChartPanel panel(&catalog);
    panel.setConnectionName(0, QStringLiteral("conn"));
    showPanel(&panel);

    catalog.ingest(0, tickBatch(0, 10, BaseMs, 1));
    const QList<SeriesKey> discovered = catalog.discoveredSeries();
    QVERIFY(discovered.contains(key("tick", "usage.output_tokens")));
    QVERIFY(discovered.contains(key("tick", "values[0]")));

    auto *list = panel.findChild<QListWidget *>();
    QVERIFY(list);
    QCOMPARE(list->count(), discovered.size());
    QListWidgetItem *item = findItem(list, QStringLiteral("conn / tick / usage.output_tokens"));
    QVERIFY(item);
    QCOMPARE(item->checkState(), Qt::Unchecked);

    panel.setConnectionName(0, QStringLiteral("renamed"));
    QVERIFY(findItem(list, QStringLiteral("renamed / tick / values[0]")));
}

void TestChartPanel::tickingListItemPlots()
{
    SeriesCatalog catalog;
    ChartPanel panel(&catalog);
    panel.setConnectionName(0, QStringLiteral("conn"));
    catalog.ingest(0, tickBatch(0, 10, BaseMs, 1));
    auto *list = panel.findChild<QListWidget *>();
    QVERIFY(list);
    QListWidgetItem *item = findItem(list, QStringLiteral("conn / tick / values[0]"));
    QVERIFY(item);

    item->setCheckState(Qt::Checked);
    QVERIFY(catalog.isPlotted(key("tick", "values[0]")));
    QCOMPARE(panel.plottedSeries(), QList<SeriesKey> { key("tick", "values[0]") });

    // And the other way round: the API updates the check box.
    panel.setPlotted(key("tick", "values[0]"), false);
    QCOMPARE(item->checkState(), Qt::Unchecked);
    QVERIFY(panel.plottedSeries().isEmpty());
}

void TestChartPanel::plottedSeriesGetsPoints()
{
    SeriesCatalog catalog;
    ChartPanel panel(&catalog);
    showPanel(&panel);
    const SeriesKey tokens = key("tick", "usage.output_tokens");
    panel.setPlotted(tokens, true);
    QCOMPARE(panel.pointCount(tokens), 0);

    catalog.ingest(0, tickBatch(0, 50, BaseMs, 10));
    // No explicit refresh: the panel's own timer has to pick the samples up.
    QTRY_COMPARE(panel.pointCount(tokens), 50);
}

void TestChartPanel::pointCountStaysBoundedUnderLoad()
{
    SeriesCatalog catalog;
    ChartPanel panel(&catalog);
    showPanel(&panel);
    panel.setWindowSeconds(10);
    const SeriesKey tokens = key("tick", "usage.output_tokens");
    const SeriesKey wave = key("tick", "values[0]");
    panel.setPlotted(tokens, true);
    panel.setPlotted(wave, true);

    // 100,000 events over 10 s, in batches as the client would deliver them.
    const int buckets = panel.bucketCount();
    QVERIFY(buckets <= panel.width());
    QVERIFY(buckets >= 100);
    const int limit = 2 * buckets + 2;
    for (int batch = 0; batch < 100; ++batch) {
        Sse::EventList events;
        events.reserve(1000);
        for (int i = 0; i < 1000; ++i) {
            const int index = batch * 1000 + i;
            events.append(tickEvent(index, BaseMs + index / 10));
        }
        catalog.ingest(0, events);
        panel.refresh();
        QVERIFY2(panel.pointCount(tokens) <= limit, QByteArray::number(batch).constData());
        QVERIFY2(panel.pointCount(wave) <= limit, QByteArray::number(batch).constData());
    }
    QCOMPARE(catalog.buffer(tokens)->size(), 100000);
    // Dense data should use most of the budget, not collapse to a handful of points.
    QVERIFY(panel.pointCount(tokens) > buckets);
    QVERIFY(panel.pointCount(wave) > buckets);

}

void TestChartPanel::differentMagnitudeGoesToRightAxis()
{
    SeriesCatalog catalog;
    ChartPanel panel(&catalog);
    showPanel(&panel);
    const SeriesKey tokens = key("tick", "usage.output_tokens");
    const SeriesKey wave = key("tick", "values[0]");
    const SeriesKey bid = key("quote", "bid");
    panel.setPlotted(tokens, true);
    panel.setPlotted(wave, true);
    panel.setPlotted(bid, true);

    Sse::EventList events = tickBatch(0, 3000, BaseMs, 5);
    for (int i = 0; i < 300; ++i)
        events.append(quoteEvent(i, BaseMs + i * 50));
    catalog.ingest(0, events);
    panel.refresh();

    QVERIFY(panel.pointCount(bid) > 0);
    QVERIFY(!panel.isOnRightAxis(tokens)); // the reference series
    QVERIFY(!panel.isOnRightAxis(wave));   // within 10x of it
    QVERIFY(panel.isOnRightAxis(bid));     // about 40x larger
}

void TestChartPanel::pauseFreezesView()
{
    SeriesCatalog catalog;
    ChartPanel panel(&catalog);
    showPanel(&panel);
    const SeriesKey tokens = key("tick", "usage.output_tokens");
    panel.setPlotted(tokens, true);
    catalog.ingest(0, tickBatch(0, 10, BaseMs, 100));
    QTRY_COMPARE(panel.pointCount(tokens), 10);

    QSignalSpy pausedSpy(&panel, &ChartPanel::pausedChanged);
    panel.setPaused(true);
    QCOMPARE(pausedSpy.count(), 1);
    catalog.ingest(0, tickBatch(10, 10, BaseMs + 1000, 100));
    panel.refresh();
    QCOMPARE(panel.pointCount(tokens), 10);       // view frozen
    QCOMPARE(catalog.buffer(tokens)->size(), 20); // recording continues

    panel.setPaused(false);
    QTRY_COMPARE(panel.pointCount(tokens), 20);
}

void TestChartPanel::timeWindowLimitsPoints()
{
    SeriesCatalog catalog;
    ChartPanel panel(&catalog);
    showPanel(&panel);
    const SeriesKey tokens = key("tick", "usage.output_tokens");
    panel.setPlotted(tokens, true);
    catalog.ingest(0, tickBatch(0, 600, BaseMs, 100)); // one event per 100 ms for 60 s

    panel.setWindowSeconds(10);
    panel.refresh();
    QCOMPARE(panel.windowSeconds(), 10);
    QCOMPARE(panel.pointCount(tokens), 101); // both ends of the 10 s window are included

    panel.setWindowSeconds(30);
    panel.refresh();
    QCOMPARE(panel.pointCount(tokens), 301);
}

void TestChartPanel::pointWindowLimitsPoints()
{
    SeriesCatalog catalog;
    ChartPanel panel(&catalog);
    showPanel(&panel);
    const SeriesKey tokens = key("tick", "usage.output_tokens");
    panel.setPlotted(tokens, true);
    catalog.ingest(0, tickBatch(0, 600, BaseMs, 100));

    panel.setWindowPoints(250);
    panel.refresh();
    QCOMPARE(panel.windowPoints(), 250);
    QCOMPARE(panel.windowSeconds(), 0);
    QCOMPARE(panel.pointCount(tokens), 250);
}

void TestChartPanel::rubberBandZoomPauses()
{
    SeriesCatalog catalog;
    ChartPanel panel(&catalog);
    showPanel(&panel);
    const SeriesKey tokens = key("tick", "usage.output_tokens");
    panel.setPlotted(tokens, true);
    catalog.ingest(0, tickBatch(0, 600, BaseMs, 100));
    panel.refresh();
    QVERIFY(!panel.isPaused());

    auto *view = panel.findChild<QGraphicsView *>();
    QVERIFY(view);
    QWidget *viewport = view->viewport();
    const QPoint start = viewport->rect().center() - QPoint(100, 60);
    const QPoint end = viewport->rect().center() + QPoint(100, 60);
    QTest::mousePress(viewport, Qt::LeftButton, {}, start);
    QTest::mouseMove(viewport, end);
    QTest::mouseRelease(viewport, Qt::LeftButton, {}, end);
    QVERIFY(panel.isPaused());

    // The zoomed x range is re-decimated, so it holds fewer than the 60 s window's points.
    panel.refresh();
    QVERIFY(panel.pointCount(tokens) > 0);
    QVERIFY(panel.pointCount(tokens) < 600);

    panel.resetZoom();
    QVERIFY(!panel.isPaused());
    panel.refresh();
    QCOMPARE(panel.pointCount(tokens), 600);
}

void TestChartPanel::openGLIsRefusedOffscreen()
{
    QCOMPARE(QGuiApplication::platformName(), QStringLiteral("offscreen"));
    SeriesCatalog catalog;
    ChartPanel panel(&catalog);
    QVERIFY(!panel.isOpenGLEnabled());
    panel.setOpenGLEnabled(true);
    QVERIFY(!panel.isOpenGLEnabled());
    panel.setPlotted(key("tick", "values[0]"), true);
    showPanel(&panel);
    catalog.ingest(0, tickBatch(0, 10, BaseMs, 10));
    QTRY_COMPARE(panel.pointCount(key("tick", "values[0]")), 10);
}

void TestChartPanel::renderSnapshot()
{
    SeriesCatalog catalog;
    ChartPanel panel(&catalog);
    panel.setConnectionName(0, QStringLiteral("demo"));
    showPanel(&panel);
    panel.setWindowSeconds(30);
    const SeriesKey tokens = key("tick", "usage.output_tokens");
    const SeriesKey wave = key("tick", "values[0]");
    const SeriesKey bid = key("quote", "bid");
    panel.setPlotted(tokens, true);
    panel.setPlotted(wave, true);
    panel.setPlotted(bid, true);

    // 100,000 ticks and 2,000 quotes over 20 s.
    for (int batch = 0; batch < 100; ++batch) {
        Sse::EventList events;
        for (int i = 0; i < 1000; ++i) {
            const int index = batch * 1000 + i;
            events.append(tickEvent(index, BaseMs + index / 5));
        }
        for (int i = 0; i < 20; ++i) {
            const int index = batch * 20 + i;
            events.append(quoteEvent(index * 50, BaseMs + index * 10));
        }
        catalog.ingest(0, events);
    }
    QTRY_VERIFY(panel.pointCount(tokens) > panel.bucketCount());
    QVERIFY(panel.pointCount(bid) > 0);

    // Let the chart's layout catch up with the axis change of the last refresh (posted
    // layout requests), as the event loop would before the next paint.
    QCoreApplication::processEvents();
    const QImage image = panel.grab().toImage();
    QCOMPARE(image.size(), panel.size() * panel.devicePixelRatio());
    QVERIFY(image.save(QStringLiteral("/tmp/chartpanel.png")));
}

QTEST_MAIN(TestChartPanel)
#include "tst_chartpanel.moc"
