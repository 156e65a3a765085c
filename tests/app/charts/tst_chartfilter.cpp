// The chart filter in the real MainWindow (offscreen), against a loopback SSE server: only
// the events the filter matches feed the chart, live and from the stored events; an invalid
// filter is shown red and changes nothing; the filter comes back with the next window
// (issue 15, "charts can be limited to a filter").

#include "charts/chartpanel.h"
#include "charts/seriescatalog.h"
#include "models/eventlogmodel.h"
#include "session/workspace.h"
#include "testserver.h"
#include "views/connectiondetailtabs.h"
#include "views/filterbar.h"
#include "views/mainwindow.h"

#include <QApplication>
#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QPointer>
#include <QRegularExpression>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

// Events n = first .. first + count - 1: type a (even n) with v = n, type b (odd n) with
// v = 1000 + n.
QByteArray mixedEvents(int first, int count)
{
    QByteArray wire;
    for (int n = first; n < first + count; ++n) {
        const bool a = n % 2 == 0;
        wire += "event: " + QByteArray(a ? "a" : "b") + "\nid: " + QByteArray::number(n)
            + "\ndata: {\"v\": " + QByteArray::number(a ? n : 1000 + n) + "}\n\n";
    }
    return wire;
}

} // namespace

class TestChartFilter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void filterLimitsChartToMatchingEvents();
    void invalidFilterKeepsLastValid();
    void emptyHintWhenNothingMatches();
    void filterRestoredAfterRestart();
    void screenshot();

private:
    // A window connected to /mixed with its 40 events stored, a.v and b.v plotted.
    quint16 openWindow(MainWindow *window);
    void typeFilter(ChartPanel *chart, const QString &text);
    TestServer m_server;
    QPointer<TestServer::Exchange> m_stream; // the open /mixed response, for live events
};

void TestChartFilter::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(u"SSE Monitor Tests"_s);
    QCoreApplication::setApplicationName(u"tst_chartfilter"_s);
    QVERIFY(m_server.isListening());
    m_server.route("/mixed", [this](TestServer::Exchange *exchange) {
        exchange->sseHead();
        exchange->send(mixedEvents(0, 40));
        m_stream = exchange; // stays open: the test sends more
    });
    // For the screenshot: the same kind of events, 40 ms apart.
    m_server.route("/paced", [](TestServer::Exchange *exchange) {
        exchange->sseHead();
        for (int n = 0; n < 60; ++n)
            exchange->sendLater(n * 40, mixedEvents(n, 1));
    });
}

void TestChartFilter::init()
{
    QSettings().clear();
    // The offscreen plugin warns about size hints, raise() and keyboard grabs (the completion
    // popup): platform noise. Any other warning fails the test.
    QTest::failOnWarning(QRegularExpression(u"^(?!This plugin does not support ).*"_s));
}

quint16 TestChartFilter::openWindow(MainWindow *window)
{
    window->resize(1200, 760);
    window->show();
    QApplication::setActiveWindow(window);
    if (!QTest::qWaitForWindowExposed(window))
        return 0;
    Sse::ClientOptions options;
    options.url = m_server.url("/mixed");
    const quint16 id = window->addConnection(u"Mixed"_s, options);
    if (!QTest::qWaitFor([window] { return window->workspace()->logModel()->rowCount() == 40; },
                         10000)) {
        return 0;
    }
    ChartPanel *chart = window->detailTabs()->chartPanel();
    window->detailTabs()->setCurrentWidget(chart);
    chart->setPlotted({id, "a", "v", {}, {}}, true);
    chart->setPlotted({id, "b", "v", {}, {}}, true);
    return id;
}

void TestChartFilter::typeFilter(ChartPanel *chart, const QString &text)
{
    QLineEdit *edit = chart->filterBar()->edit();
    edit->setFocus();
    edit->selectAll();
    if (text.isEmpty())
        QTest::keyClick(edit, Qt::Key_Backspace);
    QTest::keyClicks(edit, text);
    QTest::keyClick(edit, Qt::Key_Return); // applies at once, as in the log's filter bar
}

void TestChartFilter::filterLimitsChartToMatchingEvents()
{
    MainWindow window;
    const quint16 id = openWindow(&window);
    QVERIFY(id);
    ChartPanel *chart = window.detailTabs()->chartPanel();
    SeriesCatalog *catalog = window.workspace()->seriesCatalog();
    const SeriesKey a {id, "a", "v", {}, {}};
    const SeriesKey b {id, "b", "v", {}, {}};
    QCOMPARE(catalog->buffer(a)->size(), 20);
    QCOMPARE(catalog->buffer(b)->size(), 20);
    // The panel's entry, not the log's: that one stays empty.
    QVERIFY(window.findChild<QLineEdit *>(u"displayFilterEdit"_s) != chart->filterBar()->edit());

    QSignalSpy rebuilding(catalog, &SeriesCatalog::rebuildingChanged);
    typeFilter(chart, u"type == \"a\""_s);
    QCOMPARE(catalog->filter().text(), u"type == \"a\""_s);
    // Rebuilt from the stored events on the event loop, not inside the key press.
    QVERIFY(catalog->isRebuilding());
    chart->refresh();
    QCOMPARE(chart->emptyStateText(), u"Applying the chart filter to the stored events…"_s);
    QTRY_VERIFY(!catalog->isRebuilding());
    QCOMPARE(rebuilding.size(), 2);
    QCOMPARE(catalog->buffer(a)->size(), 20);
    QCOMPARE(catalog->buffer(b)->size(), 0);
    QCOMPARE(catalog->buffer(a)->first().value, 0.0);
    QCOMPARE(catalog->buffer(a)->last().value, 38.0);
    chart->refresh();
    QVERIFY(chart->pointCount(a) > 0);
    QCOMPARE(chart->pointCount(b), 0);
    QVERIFY(chart->emptyStateText().isEmpty());
    // Valid: no error shown. The event log is not filtered by it.
    QVERIFY(chart->filterBar()->statusLabel()->text().isEmpty());
    QCOMPARE(window.workspace()->logModel()->rowCount(), 40);

    // Live events are tested as they arrive.
    QVERIFY(m_stream);
    m_stream->send(mixedEvents(40, 10));
    QTRY_COMPARE(window.workspace()->logModel()->rowCount(), 50);
    QTRY_COMPARE(catalog->buffer(a)->size(), 25);
    QCOMPARE(catalog->buffer(b)->size(), 0);
    QCOMPARE(catalog->buffer(a)->last().value, 48.0);

    // Fields other than the type, and a filter that takes some of each type.
    typeFilter(chart, u"id > 44 && data.v != 46"_s);
    QTRY_VERIFY(!catalog->isRebuilding());
    QCOMPARE(catalog->buffer(a)->size(), 1); // 48
    QCOMPARE(catalog->buffer(b)->size(), 3); // 45, 47, 49
    QCOMPARE(catalog->buffer(b)->first().value, 1045.0);

    // Cleared: every event again, the live ones included.
    typeFilter(chart, QString());
    QTRY_VERIFY(!catalog->isRebuilding());
    QCOMPARE(catalog->buffer(a)->size(), 25);
    QCOMPARE(catalog->buffer(b)->size(), 25);
}

void TestChartFilter::invalidFilterKeepsLastValid()
{
    MainWindow window;
    const quint16 id = openWindow(&window);
    QVERIFY(id);
    ChartPanel *chart = window.detailTabs()->chartPanel();
    SeriesCatalog *catalog = window.workspace()->seriesCatalog();
    typeFilter(chart, u"type == \"a\""_s);
    QTRY_VERIFY(!catalog->isRebuilding());
    QCOMPARE(catalog->buffer({id, "b", "v", {}, {}})->size(), 0);
    QLineEdit *edit = chart->filterBar()->edit();
    QVERIFY(edit->styleSheet().contains(u"#dcf5dc"_s)); // green, as the log's bar

    typeFilter(chart, u"type == "_s);
    // Red, with the error beside the entry and in the tooltips.
    QVERIFY2(edit->styleSheet().contains(u"#f9dcdc"_s), qPrintable(edit->styleSheet()));
    QLabel *status = chart->filterBar()->statusLabel();
    QVERIFY(!status->text().isEmpty());
    QVERIFY2(status->toolTip().contains(u"column"_s), qPrintable(status->toolTip()));
    QCOMPARE(edit->toolTip(), status->toolTip());
    // The chart keeps the last valid filter, and the settings keep it too.
    QVERIFY(!catalog->isRebuilding());
    QCOMPARE(catalog->filter().text(), u"type == \"a\""_s);
    QCOMPARE(catalog->buffer({id, "a", "v", {}, {}})->size(), 20);
    QCOMPARE(catalog->buffer({id, "b", "v", {}, {}})->size(), 0);
    QCOMPARE(QSettings().value(QLatin1String(ChartPanel::FilterKey)).toString(),
             u"type == \"a\""_s);
}

void TestChartFilter::emptyHintWhenNothingMatches()
{
    MainWindow window;
    QVERIFY(openWindow(&window));
    ChartPanel *chart = window.detailTabs()->chartPanel();
    SeriesCatalog *catalog = window.workspace()->seriesCatalog();
    typeFilter(chart, u"type == \"c\""_s);
    QTRY_VERIFY(!catalog->isRebuilding());
    chart->refresh();
    QCOMPARE(chart->emptyStateText(), u"No events match the chart filter."_s);
    typeFilter(chart, u"type == \"b\""_s);
    QTRY_VERIFY(!catalog->isRebuilding());
    chart->refresh();
    QVERIFY(chart->emptyStateText().isEmpty());
}

void TestChartFilter::filterRestoredAfterRestart()
{
    {
        MainWindow window;
        QVERIFY(openWindow(&window));
        ChartPanel *chart = window.detailTabs()->chartPanel();
        typeFilter(chart, u"type == \"a\""_s);
        QTRY_VERIFY(!window.workspace()->seriesCatalog()->isRebuilding());
        window.close();
    }
    MainWindow again;
    ChartPanel *chart = again.detailTabs()->chartPanel();
    QCOMPARE(chart->filterBar()->edit()->text(), u"type == \"a\""_s);
    QCOMPARE(again.workspace()->seriesCatalog()->filter().text(), u"type == \"a\""_s);
    QVERIFY(chart->filterBar()->edit()->styleSheet().contains(u"#dcf5dc"_s));
    // In force for the new stream from the first event on.
    const quint16 id = openWindow(&again);
    QVERIFY(id);
    SeriesCatalog *catalog = again.workspace()->seriesCatalog();
    QCOMPARE(catalog->buffer({id, "a", "v", {}, {}})->size(), 20);
    QCOMPARE(catalog->buffer({id, "b", "v", {}, {}})->size(), 0);
}

void TestChartFilter::screenshot()
{
    MainWindow window;
    window.resize(1400, 900);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    Sse::ClientOptions options;
    options.url = m_server.url("/paced");
    const quint16 id = window.addConnection(u"Paced"_s, options);
    QTRY_COMPARE(window.workspace()->logModel()->rowCount(), 60);
    ChartPanel *chart = window.detailTabs()->chartPanel();
    window.detailTabs()->setCurrentWidget(chart);
    chart->setWindowPoints(1000);
    const SeriesKey a {id, "a", "v", {}, {}};
    chart->setPlotted(a, true);
    chart->setPlotted({id, "b", "v", {}, {}}, true);
    typeFilter(chart, u"type == \"a\" && data.v >= 10"_s);
    QTRY_VERIFY(!window.workspace()->seriesCatalog()->isRebuilding());
    QCOMPARE(window.workspace()->seriesCatalog()->buffer(a)->size(), 25);
    chart->refresh();
    QVERIFY(chart->pointCount(a) > 0);
    const QString directory = qEnvironmentVariable("SSE_MONITOR_SCREENSHOT_DIR", QDir::tempPath());
    QVERIFY(window.grab().save(directory + u"/guide-chart-filter.png"_s));
    // And an invalid text, red with its error.
    QTest::keyClicks(chart->filterBar()->edit(), u" &&"_s);
    QVERIFY(!chart->filterBar()->statusLabel()->text().isEmpty());
    QVERIFY(chart->grab().save(directory + u"/chart-filter-invalid.png"_s));
}

QTEST_MAIN(TestChartFilter)
#include "tst_chartfilter.moc"
