// Issue 19, "the first five minutes": the real MainWindow (offscreen) against loopback
// streams shaped like market quotes, checked the way a new user meets them.

#include "testserver.h"

#include "charts/chartpanel.h"
#include "charts/seriescatalog.h"
#include "models/eventlogmodel.h"
#include "models/eventstore.h"
#include "session/workspace.h"
#include "models/connectionlistmodel.h"
#include "models/typelistmodel.h"
#include "views/connectiondetailtabs.h"
#include "views/connectiondialog.h"
#include "views/exporteventsdialog.h"
#include "views/connectionspane.h"
#include "views/eventlogpane.h"
#include "views/mainwindow.h"
#include "recording/replayer.h"
#include "views/shortcutpassthrough.h"
#include "views/apptheme.h"
#include "views/uilanguage.h"

#include <QAbstractSpinBox>
#include <QApplication>
#include <QCheckBox>
#include <QMenu>
#include <QIcon>
#include <QTableWidget>
#include <QTextBrowser>
#include <QScrollBar>
#include <QUrl>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QTimer>
#include <QPlainTextEdit>
#include <QTextEdit>
#include <QHeaderView>
#include <QLineEdit>
#include <QTableView>
#include <QToolButton>

#include <QChart>
#include <QChartView>
#include <QDateTime>
#include <QListView>
#include <QListWidget>
#include <QSplitter>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTreeView>
#include <QDir>
#include <QFont>
#include <QStandardPaths>
#include <QTest>

#include <cmath>

namespace {

struct Symbol
{
    const char *name;
    double price;
};

// Five symbols from 0.85 to 61,000: one line through all of them would be useless.
constexpr Symbol symbols[] = {
    { "EURUSD", 0.85 }, { "GBPUSD", 1.27 }, { "AAPL", 190 }, { "ETH", 3100 }, { "BTC", 61000 },
};

// One round: an event per symbol, ids continuing from `round * 5`.
QByteArray quoteRound(int round)
{
    QByteArray body;
    int id = round * 5;
    int index = 0;
    for (const Symbol &symbol : symbols) {
        const double price = symbol.price * (1 + 0.001 * ((round * 7) % 5)
                                             + 0.004 * std::sin(round / 6.0 + index++));
        body += "id: " + QByteArray::number(++id) + "\nevent: trade\ndata: {\"symbol\":\""
                + symbol.name + "\",\"price\":" + QByteArray::number(price, 'f', 4)
                + ",\"size\":" + QByteArray::number(1 + round % 3) + "}\n\n";
    }
    return body;
}

QByteArray quoteEvents(int rounds)
{
    QByteArray body;
    for (int round = 0; round < rounds; ++round)
        body += quoteRound(round);
    return body;
}

SeriesKey findKey(const SeriesCatalog *catalog, quint16 connection, const QByteArray &path,
                  const QByteArray &splitValue)
{
    const QList<SeriesKey> keys = catalog->discoveredSeries();
    for (const SeriesKey &key : keys) {
        if (key.connection == connection && key.path == path && key.splitValue == splitValue)
            return key;
    }
    return {};
}

// Takes the shortcut events meant for actions, so the test sees which action a key reaches
// without running it (several open dialogs).
class ShortcutCatcher : public QObject
{
public:
    QObject *reached = nullptr;

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() != QEvent::Shortcut)
            return false;
        reached = watched;
        return true;
    }
};

// A line edit as it behaves with X11/Emacs key bindings (Ctrl+E = end of line, Ctrl+K, ...):
// it claims every key through ShortcutOverride. The offscreen platform uses the Windows key
// scheme, where QLineEdit does not claim Ctrl+E, so the real bug needs this stand-in.
class ClaimingLineEdit : public QLineEdit
{
public:
    using QLineEdit::QLineEdit;

protected:
    bool event(QEvent *event) override
    {
        if (event->type() == QEvent::ShortcutOverride) {
            event->accept();
            return true;
        }
        return QLineEdit::event(event);
    }
};

} // namespace

class TestFirstMinutes : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void chartBackfillsStoredEvents();
    void chartSaysNoValuesYet();
    void chartSplitsByKeyField();
    void chartAxisFollowsWallClock();
    void chartNamesAreUnique();
    void chartFollowsPalette();
    void selectionScopesTheLog();
    void typesArePerConnection();
    void invalidRegexDoesNotReflow();
    void reconnectLeavesMarkerRow();
    void immediateHangupIsExplained();
    void stoppingRecordingSaysWhere();
    void everyShortcutFromEveryWidget();
    void removeAsksFirst();
    void newConnectionDialogOpensReady();
    void defaultNamesAreDistinct();
    void connectionsPaneFitsItsWidth();
    void selectingARowPausesFollowing();
    void themeCoversChartAndJson();
    void helpMenuHasGuideAndShortcuts();
    void recordTurnsRed();
    void replayHasTransportAndProgress();
    void exportColumnsAcceptCommas();
    void emptyLogExplainsItself();

private:
    quint16 openQuotes(MainWindow *window, const QString &name);

    TestServer m_server;
};

void TestFirstMinutes::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("SSE Monitor Tests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_firstminutes"));
    QVERIFY(m_server.isListening());
    // 20 rounds of 5 symbols (100 events), then the stream stays open and quiet.
    // The same quotes, one round of five every 250 ms for 30 s: lines to look at.
    m_server.route("/quotes-paced", [](TestServer::Exchange *exchange) {
        exchange->sseHead();
        for (int round = 0; round < 120; ++round)
            exchange->sendLater(round * 250, quoteRound(round));
    });
    m_server.route("/quotes", [](TestServer::Exchange *exchange) {
        exchange->sseHead();
        exchange->send(quoteEvents(20));
    });
    // Three events, then the server ends the stream; the client is back 100 ms later.
    m_server.route("/flaky", [](TestServer::Exchange *exchange) {
        exchange->sseHead();
        exchange->send("retry: 100\nid: 897\ndata: x\n\nid: 898\ndata: x\n\nid: 899\ndata: x\n\n");
        exchange->finish();
    });
    // 200, the right type, and the connection closes before any event.
    m_server.route("/hangup", [](TestServer::Exchange *exchange) {
        exchange->sseHead();
        exchange->send("retry: 50\n\n");
        exchange->finish();
    });
}

void TestFirstMinutes::init()
{
    QSettings().clear();
}

quint16 TestFirstMinutes::openQuotes(MainWindow *window, const QString &name)
{
    Sse::ClientOptions options;
    options.url = m_server.url("/quotes");
    const quint16 id = window->addConnection(name, options);
    const EventStore &store = window->workspace()->logModel()->store();
    // 0 when the events do not all arrive; callers verify the id.
    return QTest::qWaitFor([&] { return store.connectionEventCount(id) == 100; }, 10000) ? id
                                                                                        : 0;
}

void TestFirstMinutes::chartBackfillsStoredEvents()
{
    MainWindow window;
    window.show();
    const quint16 id = openQuotes(&window, QStringLiteral("quotes"));
    QVERIFY(id);
    ChartPanel *chart = window.detailTabs()->chartPanel();
    window.detailTabs()->setCurrentWidget(chart);

    // The stream has gone quiet: every point must come from the events already stored.
    const SeriesKey size = findKey(window.workspace()->seriesCatalog(), id, "size", {});
    QCOMPARE(size.path, QByteArray("size"));
    QListWidget *list = chart->findChild<QListWidget *>();
    const QList<QListWidgetItem *> items =
            list->findItems(chart->seriesDisplayName(size), Qt::MatchExactly);
    QCOMPARE(items.size(), 1);
    items.constFirst()->setCheckState(Qt::Checked); // as the user ticks it
    QCOMPARE(window.workspace()->seriesCatalog()->buffer(size)->size(), 100);
    chart->refresh();
    QVERIFY(chart->pointCount(size) > 0);
    QVERIFY(chart->emptyStateText().isEmpty());

    // Bounded by the window: a 10 s window back-fills only the last 10 s of the type.
    const SeriesKey price = findKey(window.workspace()->seriesCatalog(), id, "price", {});
    chart->setWindowSeconds(10);
    QCOMPARE(window.workspace()->seriesCatalog()->backfillSpanMs(), qint64(10000));
    chart->setPlotted(price, true);
    const SeriesBuffer *buffer = window.workspace()->seriesCatalog()->buffer(price);
    QVERIFY(buffer->size() > 0);
    QVERIFY(buffer->last().timeMs - buffer->first().timeMs <= 10000);
}

void TestFirstMinutes::chartSaysNoValuesYet()
{
    MainWindow window;
    window.show();
    const quint16 id = openQuotes(&window, QStringLiteral("quotes"));
    QVERIFY(id);
    ChartPanel *chart = window.detailTabs()->chartPanel();
    QVERIFY(chart->emptyStateText().contains(QStringLiteral("Tick a series")));
    // A series restored from a saved selection whose events have not come yet.
    const SeriesKey missing { id, "trade", "bid", {}, {} };
    chart->setPlotted(missing, true);
    chart->refresh();
    QCOMPARE(chart->pointCount(missing), 0);
    QVERIFY2(chart->emptyStateText().contains(QStringLiteral("No values yet")),
             qPrintable(chart->emptyStateText()));
    QVERIFY(chart->emptyStateText().contains(chart->seriesDisplayName(missing)));
}

void TestFirstMinutes::chartSplitsByKeyField()
{
    MainWindow window;
    window.resize(1400, 900);
    window.show();
    const quint16 id = openQuotes(&window, QStringLiteral("quotes"));
    QVERIFY(id);
    SeriesCatalog *catalog = window.workspace()->seriesCatalog();
    QCOMPARE(catalog->splitField(id, "trade"), QByteArray("symbol"));

    ChartPanel *chart = window.detailTabs()->chartPanel();
    window.detailTabs()->setCurrentWidget(chart);
    QList<SeriesKey> split;
    for (const Symbol &symbol : symbols) {
        const SeriesKey key = findKey(catalog, id, "price", symbol.name);
        QVERIFY2(key.isSplit(), symbol.name);
        QCOMPARE(chart->seriesDisplayName(key),
                 QStringLiteral("quotes / trade / price \u00b7 symbol = ")
                         + QLatin1String(symbol.name));
        chart->setPlotted(key, true);
        split.append(key);
    }
    chart->refresh();
    // Each series holds only its own symbol's prices (back-filled: 20 rounds each).
    for (int i = 0; i < split.size(); ++i) {
        const SeriesBuffer *buffer = catalog->buffer(split.at(i));
        QCOMPARE(buffer->size(), 20);
        const SeriesBuffer::ValueRange range =
                buffer->valueRange(buffer->first().timeMs, buffer->last().timeMs);
        QVERIFY(range.minimum >= symbols[i].price * 0.99
                && range.maximum <= symbols[i].price * 1.01);
    }
    // An axis per scale: the currencies, AAPL and the crypto coins do not share one.
    QVERIFY(chart->visibleValueAxisCount() >= 3);
    QCOMPARE(chart->axisIndex(split.at(0)), chart->axisIndex(split.at(1)));
    QVERIFY(chart->axisIndex(split.at(0)) != chart->axisIndex(split.at(4)));
    QVERIFY(chart->axisIndex(split.at(2)) != chart->axisIndex(split.at(4)));
    // Tight ranges: the currency axis stays near 0.85 .. 1.28, nowhere near zero or below.
    const auto currencies = chart->valueAxisRange(chart->axisIndex(split.at(0)));
    QVERIFY2(currencies.first > 0.7 && currencies.second < 1.4,
             qPrintable(QStringLiteral("%1 .. %2").arg(currencies.first).arg(currencies.second)));
    const auto btc = chart->valueAxisRange(chart->axisIndex(split.at(4)));
    QVERIFY2(btc.first > 0, qPrintable(QString::number(btc.first)));

    QTest::qWait(0); // let the chart lay out the last ranges before the picture
    window.grab().save(QStringLiteral("/tmp/gui19shots/chart-split.png"));
}

void TestFirstMinutes::chartAxisFollowsWallClock()
{
    MainWindow window;
    window.show();
    const quint16 id = openQuotes(&window, QStringLiteral("quotes"));
    QVERIFY(id);
    ChartPanel *chart = window.detailTabs()->chartPanel();
    const SeriesKey size = findKey(window.workspace()->seriesCatalog(), id, "size", {});
    chart->setPlotted(size, true);
    const qint64 last = window.workspace()->seriesCatalog()->buffer(size)->last().timeMs;

    // Forty seconds later, with nothing new: the window reaches to now, the gap shows.
    qint64 now = last + 40000;
    chart->setClock([&now] { return now; });
    chart->refresh();
    QCOMPARE(chart->timeRange().second, now);
    QCOMPARE(chart->timeRange().first, now - 60000);
    QVERIFY(chart->pointCount(size) > 0); // still inside the 60 s window

    // The clock alone moves the window: no event arrives, yet the axis advances.
    now += 30000;
    QTRY_COMPARE(chart->timeRange().second, now);
    QCOMPARE(chart->pointCount(size), 0); // the stall is now the whole window
}

void TestFirstMinutes::chartNamesAreUnique()
{
    MainWindow window;
    window.show();
    // Two connections named by their host, as default names are.
    const quint16 first = openQuotes(&window, QStringLiteral("127.0.0.1"));
    QVERIFY(first);
    const quint16 second = openQuotes(&window, QStringLiteral("127.0.0.1"));
    QVERIFY(second);
    ChartPanel *chart = window.detailTabs()->chartPanel();
    const SeriesKey a = findKey(window.workspace()->seriesCatalog(), first, "size", {});
    const SeriesKey b = findKey(window.workspace()->seriesCatalog(), second, "size", {});
    QVERIFY(chart->seriesDisplayName(a) != chart->seriesDisplayName(b));
    QVERIFY(chart->seriesDisplayName(b).contains(QStringLiteral("#%1").arg(second)));
    QListWidget *list = chart->findChild<QListWidget *>();
    QCOMPARE(list->findItems(chart->seriesDisplayName(a), Qt::MatchExactly).size(), 1);
}

void TestFirstMinutes::chartFollowsPalette()
{
    MainWindow window;
    window.show();
    ChartPanel *chart = window.detailTabs()->chartPanel();
    QChart *plot = chart->findChild<QChartView *>()->chart();
    QPalette dark = window.palette();
    dark.setColor(QPalette::Window, QColor(0x20, 0x22, 0x25));
    dark.setColor(QPalette::Base, QColor(0x18, 0x1a, 0x1c));
    dark.setColor(QPalette::Text, QColor(0xe0, 0xe0, 0xe0));
    dark.setColor(QPalette::WindowText, QColor(0xe0, 0xe0, 0xe0));
    window.setPalette(dark);
    QTRY_COMPARE(plot->backgroundBrush().color(), QColor(0x18, 0x1a, 0x1c));
    QCOMPARE(plot->theme(), QChart::ChartThemeDark);
    QCOMPARE(plot->legend()->labelColor(), QColor(0xe0, 0xe0, 0xe0));
}

void TestFirstMinutes::selectionScopesTheLog()
{
    MainWindow window;
    window.show();
    const quint16 first = openQuotes(&window, QStringLiteral("first"));
    QVERIFY(first);
    const quint16 second = openQuotes(&window, QStringLiteral("second"));
    QVERIFY(second);
    EventLogModel *log = window.workspace()->logModel();
    EventLogPane *pane = window.eventLogPane();
    QTRY_COMPARE(log->rowCount(), 200);
    QVERIFY(pane->scopeChipText().isEmpty());

    // A click on "first" in the Connections pane narrows the log to it, with a chip.
    QTableView *connections = window.connectionsPane()->connectionView();
    const int row = window.workspace()->connections()->model()->rowOf(first);
    const QRect cell = connections->visualRect(
            connections->model()->index(row, ConnectionListModel::NameColumn));
    QTest::mouseClick(connections->viewport(), Qt::LeftButton, {}, cell.center());
    QCOMPARE(pane->connectionScope(), QList<quint16> { first });
    QTRY_COMPARE(log->rowCount(), 100);
    QVERIFY2(pane->scopeChipText().contains(QStringLiteral("Only first")),
             qPrintable(pane->scopeChipText()));
    QVERIFY(pane->scopeChipText().contains(QStringLiteral("100 hidden")));

    // Nothing new is hidden silently: more events on "second" raise the chip's count.
    window.workspace()->connections()->reconnectNow(second);
    QTRY_VERIFY2(pane->scopeChipText().contains(QStringLiteral("200 hidden")),
                 qPrintable(pane->scopeChipText()));
    QCOMPARE(log->rowCount(), 100);

    // Ctrl+click adds a connection to the scope.
    const QRect secondCell = connections->visualRect(connections->model()->index(
            window.workspace()->connections()->model()->rowOf(second),
            ConnectionListModel::NameColumn));
    QTest::mouseClick(connections->viewport(), Qt::LeftButton, Qt::ControlModifier,
                      secondCell.center());
    // 300 events and the marker of the reconnect.
    QTRY_COMPARE(log->rowCount(), 301);
    QVERIFY(pane->scopeChipText().isEmpty()); // both connections: nothing is left out
    QCOMPARE(pane->connectionScope().size(), 2);

    // The chip dismisses the scope: everything shows, the chip goes.
    QToolButton *chip = pane->findChild<QToolButton *>(QStringLiteral("scopeChip"));
    QTest::mouseClick(connections->viewport(), Qt::LeftButton, {}, cell.center());
    QTRY_VERIFY(!pane->scopeChipText().isEmpty());
    window.grab().save(QStringLiteral("/tmp/gui19shots/scope-chip.png"));
    QTest::mouseClick(chip, Qt::LeftButton);
    QTRY_COMPARE(log->rowCount(), 301);
    QVERIFY(pane->scopeChipText().isEmpty());
    QVERIFY(window.connectionsPane()->selectedConnections().isEmpty());
}

void TestFirstMinutes::typesArePerConnection()
{
    MainWindow window;
    window.show();
    const quint16 first = openQuotes(&window, QStringLiteral("first"));
    QVERIFY(first);
    const quint16 second = openQuotes(&window, QStringLiteral("second"));
    QVERIFY(second);
    EventLogModel *log = window.workspace()->logModel();
    TypeListModel *types = window.workspace()->typeModel();
    QTRY_COMPARE(types->rowCount(), 2);
    QCOMPARE(types->index(0).data().toString(), QStringLiteral("first \u00b7 trade (100)"));
    QCOMPARE(types->index(1).data().toString(), QStringLiteral("second \u00b7 trade (100)"));

    // Untick "trade" for the first stream, as a click on its check box does.
    QListView *view = window.connectionsPane()->typeView();
    QVERIFY(view->model()->setData(view->model()->index(types->rowOf(first, 0), 0), Qt::Unchecked,
                                   Qt::CheckStateRole));
    QTRY_COMPARE(log->rowCount(), 100);
    // A stream added later with the same type is not hidden by that tick.
    const quint16 third = openQuotes(&window, QStringLiteral("third"));
    QVERIFY(third);
    QTRY_COMPARE(log->rowCount(), 200);
    QCOMPARE(types->rowCount(), 3);
    QCOMPARE(types->index(2).data(Qt::CheckStateRole).toInt(), int(Qt::Checked));

    // "Only this type" and "Show all" (the type list's context menu).
    types->showOnly(types->rowOf(third, 0));
    QTRY_COMPARE(log->rowCount(), 100);
    types->showAll();
    QTRY_COMPARE(log->rowCount(), 300);
}

void TestFirstMinutes::invalidRegexDoesNotReflow()
{
    MainWindow window;
    window.resize(1280, 800);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QVERIFY(openQuotes(&window, QStringLiteral("quotes")));
    EventLogPane *pane = window.eventLogPane();
    QLineEdit *search = pane->searchEdit();
    QCheckBox *regex = pane->findChild<QCheckBox *>();
    QVERIFY(regex);
    regex->setChecked(true);
    search->setFocus();
    const QRect before = search->geometry();
    const QList<int> sizes = window.findChild<QSplitter *>(QStringLiteral("mainSplitter"))->sizes();

    QTest::keyClicks(search, QStringLiteral("price(["));
    QTRY_VERIFY(search->toolTip().contains(QStringLiteral("Invalid regular expression")));
    QAction *warning = search->findChild<QAction *>(QStringLiteral("searchError"));
    QVERIFY(warning && warning->isVisible());
    QVERIFY(search->palette().color(QPalette::Base) != window.palette().color(QPalette::Base));
    QCOMPARE(search->geometry(), before);
    QCOMPARE(window.findChild<QSplitter *>(QStringLiteral("mainSplitter"))->sizes(), sizes);
    window.grab().save(QStringLiteral("/tmp/gui19shots/regex-error.png"));

    // Fixing the expression clears the error; the log follows the valid one.
    QTest::keyClick(search, Qt::Key_Backspace);
    QTest::keyClick(search, Qt::Key_Backspace);
    QTRY_VERIFY(!warning->isVisible());
    QCOMPARE(search->geometry(), before);
}

void TestFirstMinutes::reconnectLeavesMarkerRow()
{
    MainWindow window;
    window.resize(1280, 800);
    window.show();
    Sse::ClientOptions options;
    options.url = m_server.url("/flaky");
    const quint16 id = window.addConnection(QStringLiteral("flaky"), options);
    EventLogModel *log = window.workspace()->logModel();
    auto markerRow = [log] {
        for (int row = 0; row < log->rowCount(); ++row) {
            if (log->index(row, 0).data(EventLogModel::MarkerRole).toBool())
                return row;
        }
        return -1;
    };
    QTRY_VERIFY(markerRow() >= 0);
    const int row = markerRow();
    QCOMPARE(row, 3); // after the three events of the first response
    const QString text = log->index(row, EventLogModel::DataColumn).data().toString();
    QVERIFY2(text.startsWith(QStringLiteral("reconnected \u00b7 Last-Event-ID 899 \u00b7 after ")),
             qPrintable(text));
    QVERIFY(text.endsWith(QStringLiteral(" s")));
    QVERIFY(log->index(row, 0).data(Qt::FontRole).value<QFont>().italic());
    QVERIFY(log->index(row, EventLogModel::IdColumn).data().toString().isEmpty());
    window.grab().save(QStringLiteral("/tmp/gui19shots/marker.png"));

    // Not an event: the counts and the type list leave it out, a search hides it.
    window.workspace()->connections()->close(id);
    const EventStore &store = log->store();
    QCOMPARE(store.connectionEventCount(id), qint64(store.size() - store.markerCount()));
    QVERIFY(store.markerCount() >= 1);
    QCOMPARE(window.workspace()->typeModel()->rowCount(), 1);
    QTest::keyClicks(window.eventLogPane()->searchEdit(), QStringLiteral("x"));
    QTest::keyClick(window.eventLogPane()->searchEdit(), Qt::Key_Return);
    QTRY_COMPARE(qint64(log->rowCount()), store.connectionEventCount(id));
    QCOMPARE(markerRow(), -1);

    // The connection log shows the Last-Event-ID column without scrolling.
    ConnectionDetailTabs *tabs = window.detailTabs();
    auto *connectionLog = tabs->findChild<QTreeView *>(QStringLiteral("connectionLog"));
    tabs->setCurrentWidget(connectionLog);
    window.connectionsPane()->selectConnection(id);
    QTRY_VERIFY(connectionLog->model()->rowCount() > 0);
    const int column = 5; // ConnectionLogModel::LastEventIdColumn
    const int right = connectionLog->header()->sectionViewportPosition(column)
            + connectionLog->header()->sectionSize(column);
    QVERIFY2(connectionLog->header()->sectionViewportPosition(column) >= 0
                     && right <= connectionLog->viewport()->width() + 1,
             qPrintable(QStringLiteral("%1 > %2").arg(right).arg(connectionLog->viewport()->width())));
}

void TestFirstMinutes::immediateHangupIsExplained()
{
    MainWindow window;
    window.show();
    Sse::ClientOptions options;
    options.url = m_server.url("/hangup");
    const quint16 id = window.addConnection(QStringLiteral("hangup"), options);
    const ConnectionListModel *model = window.workspace()->connections()->model();
    QTRY_VERIFY_WITH_TIMEOUT(
            model->index(model->rowOf(id), ConnectionListModel::StateColumn)
                    .data()
                    .toString()
                    .startsWith(QStringLiteral("The server closes right after connecting")),
            10000);
    const QString text =
            model->index(model->rowOf(id), ConnectionListModel::StateColumn).data().toString();
    QVERIFY2(text.contains(QStringLiteral("no events yet")), qPrintable(text));
    window.workspace()->connections()->close(id);
}

void TestFirstMinutes::stoppingRecordingSaysWhere()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    MainWindow window;
    window.show();
    QVERIFY(openQuotes(&window, QStringLiteral("quotes")));
    const QString path = dir.filePath(QStringLiteral("session.jsonl"));
    QVERIFY(window.workspace()->startRecording(path, Workspace::RawCapture::Off));
    QSignalSpy messages(window.workspace(), &Workspace::message);
    window.workspace()->stopRecording();
    QTRY_VERIFY(!messages.isEmpty());
    const QString text = messages.constLast().constFirst().toString();
    QVERIFY2(text.contains(QDir::toNativeSeparators(path)), qPrintable(text));
    QVERIFY(text.startsWith(QStringLiteral("Recording saved to")));
}

void TestFirstMinutes::everyShortcutFromEveryWidget()
{
    MainWindow window;
    window.show();
    QVERIFY(openQuotes(&window, QStringLiteral("quotes")));
    QApplication::setActiveWindow(&window);
    QVERIFY(QTest::qWaitForWindowActive(&window));

    ShortcutCatcher catcher;
    QList<QAction *> actions;
    const QList<QAction *> all = window.findChildren<QAction *>();
    for (QAction *action : all) {
        if (action->shortcut().isEmpty() || !action->isEnabled()
            || action->shortcutContext() != Qt::WindowShortcut) {
            continue;
        }
        // Keys without Ctrl, Alt or Meta (Space, End, Delete) belong to the focused widget
        // first (typing, moving in a table); function keys work from anywhere.
        const QKeyCombination combination = action->shortcut()[0];
        const bool functionKey = combination.key() >= Qt::Key_F1 && combination.key() <= Qt::Key_F35;
        if (!functionKey
            && !(combination.keyboardModifiers()
                 & (Qt::ControlModifier | Qt::AltModifier | Qt::MetaModifier))) {
            continue;
        }
        action->installEventFilter(&catcher);
        actions.append(action);
    }
    QVERIFY(actions.size() >= 8);

    QStringList failures;
    int checked = 0;
    const QList<QWidget *> widgets = window.findChildren<QWidget *>();
    for (QWidget *widget : widgets) {
        if (!widget->isVisible() || !widget->isEnabled() || !(widget->focusPolicy() & Qt::TabFocus))
            continue;
        widget->setFocus(Qt::OtherFocusReason);
        if (QApplication::focusWidget() != widget)
            continue; // a proxy took it; it is checked on its own
        for (QAction *action : std::as_const(actions)) {
            const QKeyCombination combination = action->shortcut()[0];
            QKeyEvent probe(QEvent::KeyPress, combination.key(), combination.keyboardModifiers());
            const bool textField = qobject_cast<QLineEdit *>(widget)
                    || qobject_cast<QAbstractSpinBox *>(widget)
                    || qobject_cast<QPlainTextEdit *>(widget) || qobject_cast<QTextEdit *>(widget);
            if (textField && ShortcutPassThrough::isTextEditingKey(&probe))
                continue; // Ctrl+C copies the field's text, Ctrl+Del deletes a word
            catcher.reached = nullptr;
            QTest::keyClick(widget, combination.key(), combination.keyboardModifiers());
            ++checked;
            if (catcher.reached != action) {
                failures.append(QStringLiteral("%1 '%2': %3 (%4)")
                                        .arg(QLatin1String(widget->metaObject()->className()),
                                             widget->objectName(), action->text(),
                                             action->shortcut().toString()));
            }
            if (QApplication::focusWidget() != widget)
                widget->setFocus(Qt::OtherFocusReason); // pane shortcuts move the focus
        }
    }
    QVERIFY(checked > 100);
    QVERIFY2(failures.isEmpty(), qPrintable(failures.join(QLatin1Char('\n'))));

    // A field that claims Ctrl+E as X11 key bindings make QLineEdit do: Export still wins.
    auto *claiming = new ClaimingLineEdit(window.eventLogPane());
    claiming->show();
    claiming->setFocus();
    QAction *exportAction = nullptr;
    for (QAction *action : std::as_const(actions)) {
        if (action->shortcut() == QKeySequence(Qt::CTRL | Qt::Key_E))
            exportAction = action;
    }
    QVERIFY(exportAction);
    catcher.reached = nullptr;
    QTest::keyClick(claiming, Qt::Key_E, Qt::ControlModifier);
    QCOMPARE(catcher.reached, exportAction);
    // ... while its editing keys stay its own.
    catcher.reached = nullptr;
    QTest::keyClick(claiming, Qt::Key_Delete, Qt::ControlModifier);
    QVERIFY(catcher.reached == nullptr);
}

void TestFirstMinutes::removeAsksFirst()
{
    MainWindow window;
    window.show();
    const quint16 id = openQuotes(&window, QStringLiteral("quotes"));
    QVERIFY(id);
    QAction *remove = nullptr;
    const QList<QAction *> actions = window.connectionsPane()->connectionActions();
    for (QAction *action : actions) {
        if (action && action->shortcut() == QKeySequence(Qt::CTRL | Qt::Key_Delete))
            remove = action;
    }
    QVERIFY(remove);
    window.connectionsPane()->selectConnection(id);

    // Answers the question once it is up, with the button named `button`.
    auto answer = [](const QString &button, QString *shownText) {
        QTimer::singleShot(0, [button, shownText] {
            auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
            if (!box)
                return;
            *shownText = box->text() + QLatin1Char(' ') + box->informativeText();
            if (button.isEmpty())
                box->button(QMessageBox::Cancel)->click();
            else
                box->findChild<QPushButton *>(button)->click();
        });
    };
    QString text;
    answer(QString(), &text);
    remove->trigger();
    QVERIFY2(text.contains(QStringLiteral("\u201cquotes\u201d")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("100 event")), qPrintable(text));
    QVERIFY(window.workspace()->connections()->entry(id)); // cancelled: still there
    QCOMPARE(window.workspace()->logModel()->store().connectionEventCount(id), qint64(100));

    answer(QStringLiteral("removeButton"), &text);
    remove->trigger();
    QVERIFY(!window.workspace()->connections()->entry(id));
    // What the question said: its events leave the log.
    EventLogModel *log = window.workspace()->logModel();
    log->flush();
    QTRY_COMPARE(log->rowCount(), 0);
}

void TestFirstMinutes::newConnectionDialogOpensReady()
{
    ConnectionDialog dialog;
    dialog.show();
    QApplication::setActiveWindow(&dialog);
    QVERIFY(QTest::qWaitForWindowActive(&dialog));
    auto *url = dialog.findChild<QLineEdit *>(QStringLiteral("urlEdit"));
    auto *method = dialog.findChild<QComboBox *>(QStringLiteral("methodCombo"));
    QCOMPARE(QApplication::focusWidget(), url);
    // No error before the user acts, and a Connect button.
    QVERIFY(dialog.findChild<QLabel *>(QStringLiteral("urlHint"))->isHidden());
    QPushButton *ok = dialog.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
    QCOMPARE(ok->text().remove(QLatin1Char('&')), QStringLiteral("Connect"));
    QVERIFY(!ok->isEnabled());
    // Method and URL on one line.
    QCOMPARE(method->mapTo(&dialog, QPoint(0, method->height() / 2)).y(),
             url->mapTo(&dialog, QPoint(0, url->height() / 2)).y());
    QVERIFY(method->mapTo(&dialog, QPoint()).x() < url->mapTo(&dialog, QPoint()).x());

    QTest::keyClicks(url, QStringLiteral("h"));
    QVERIFY(!dialog.findChild<QLabel *>(QStringLiteral("urlHint"))->isHidden());
    QTest::keyClicks(url, QStringLiteral("ttp://127.0.0.1/stream"));
    QVERIFY(dialog.findChild<QLabel *>(QStringLiteral("urlHint"))->isHidden());
    QVERIFY(ok->isEnabled());
    dialog.grab().save(QStringLiteral("/tmp/gui19shots/new-connection.png"));
}

void TestFirstMinutes::defaultNamesAreDistinct()
{
    QCOMPARE(ConnectionDialog::defaultName(QUrl(QStringLiteral("http://127.0.0.1:8080/quotes/"))),
             QStringLiteral("127.0.0.1/quotes"));
    QCOMPARE(ConnectionDialog::defaultName(QUrl(QStringLiteral("https://example.com/"))),
             QStringLiteral("example.com"));
    MainWindow window;
    const QString name = ConnectionDialog::defaultName(m_server.url("/quotes"));
    QCOMPARE(window.workspace()->uniqueConnectionName(name), name);
    QVERIFY(openQuotes(&window, name));
    QCOMPARE(window.workspace()->uniqueConnectionName(name), name + QStringLiteral(" (2)"));
    QVERIFY(openQuotes(&window, name + QStringLiteral(" (2)")));
    QCOMPARE(window.workspace()->uniqueConnectionName(name), name + QStringLiteral(" (3)"));
}

void TestFirstMinutes::connectionsPaneFitsItsWidth()
{
    MainWindow window;
    window.resize(1280, 800);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QVERIFY(openQuotes(&window, QStringLiteral("a-rather-long-connection-name.example.org")));
    QTableView *view = window.connectionsPane()->connectionView();
    QTRY_VERIFY(!view->horizontalScrollBar()->isVisible());
    // The Name column takes a share of the room, not a fixed 105 pixels (a sixth at least:
    // it shares the pane with State, Health and four number columns).
    QVERIFY2(view->columnWidth(ConnectionListModel::NameColumn) > view->viewport()->width() / 6,
             qPrintable(QString::number(view->columnWidth(ConnectionListModel::NameColumn))));
    const int before = view->columnWidth(ConnectionListModel::NameColumn);
    auto *splitter = window.findChild<QSplitter *>(QStringLiteral("mainSplitter"));
    splitter->setSizes({ 600, 680 });
    QTRY_VERIFY(view->columnWidth(ConnectionListModel::NameColumn) > before);
    QVERIFY(!view->horizontalScrollBar()->isVisible());
}

void TestFirstMinutes::selectingARowPausesFollowing()
{
    MainWindow window;
    window.resize(1280, 800);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QVERIFY(openQuotes(&window, QStringLiteral("quotes")));
    EventLogPane *pane = window.eventLogPane();
    QTableView *view = pane->eventView();
    QTRY_COMPARE(view->model()->rowCount(), 100);
    QTRY_COMPARE(view->verticalScrollBar()->value(), view->verticalScrollBar()->maximum());
    auto *jump = view->findChild<QToolButton *>(QStringLiteral("jumpToLatest"));
    QVERIFY(jump && jump->isHidden());

    // Click a row in view: following stops, the row stays, "Jump to latest" appears.
    const QModelIndex top = view->indexAt(QPoint(5, 5));
    QVERIFY(top.isValid());
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, view->visualRect(top).center());
    QVERIFY(!pane->followAction()->isChecked());
    QVERIFY(jump->isVisible());
    view->scrollToTop();
    QTest::qWait(250); // two follow-tail ticks (100 ms timer): nothing may scroll back down
    QCOMPARE(view->verticalScrollBar()->value(), 0);
    // Over the table's visible corner, also after scrolling.
    QVERIFY(view->viewport()->geometry().contains(jump->geometry()));
    window.grab().save(QStringLiteral("/tmp/gui19shots/jump-to-latest.png"));

    QTest::mouseClick(jump, Qt::LeftButton);
    QVERIFY(pane->followAction()->isChecked());
    QVERIFY(jump->isHidden());
    QTRY_COMPARE(view->verticalScrollBar()->value(), view->verticalScrollBar()->maximum());
}

static QAction *menuAction(const MainWindow &window, const QString &objectName)
{
    return window.findChild<QAction *>(objectName);
}

// View > Theme on the real window, light then dark: the palette, the chart and the JSON
// view follow. With SSE_MONITOR_SCREENSHOT_DIR set, the pictures for the README.
void TestFirstMinutes::themeCoversChartAndJson()
{
    const QByteArray directory = qgetenv("SSE_MONITOR_SCREENSHOT_DIR");
    // The README's pictures read as the app does: with its English catalogue ("380 events",
    // not the source text's "380 event(s)").
    if (!directory.isEmpty())
        QVERIFY(UiLanguage::install(QStringLiteral("en")));
    for (const QString &theme : { QStringLiteral("light"), QStringLiteral("dark") }) {
        MainWindow window;
        window.resize(1280, 820);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QAction *action = menuAction(window, QStringLiteral("theme-") + theme);
        QVERIFY(action);
        action->trigger();
        const bool dark = theme == QLatin1String("dark");
        QCOMPARE(QApplication::palette().color(QPalette::Base).lightness() < 128, dark);
        quint16 id = 0;
        if (directory.isEmpty()) {
            id = openQuotes(&window, QStringLiteral("quotes"));
        } else {
            // For the pictures: 20 s of paced quotes, so the lines have a shape.
            Sse::ClientOptions options;
            options.url = m_server.url("/quotes-paced");
            id = window.addConnection(QStringLiteral("quotes"), options);
            QTRY_VERIFY_WITH_TIMEOUT(
                    window.workspace()->logModel()->store().connectionEventCount(id) >= 400, 40000);
        }
        QVERIFY(id);
        ChartPanel *chart = window.detailTabs()->chartPanel();
        window.detailTabs()->setCurrentWidget(chart);
        for (const Symbol &symbol : symbols)
            chart->setPlotted(findKey(window.workspace()->seriesCatalog(), id, "price", symbol.name), true);
        QChart *plot = chart->findChild<QChartView *>()->chart();
        QTRY_COMPARE(plot->backgroundBrush().color().lightness() < 128, dark);
        QCOMPARE(plot->theme(), dark ? QChart::ChartThemeDark : QChart::ChartThemeLight);
        // The JSON colours of the detail view follow too.
        window.eventLogPane()->eventView()->setCurrentIndex(
                window.workspace()->logModel()->index(4, 0));
        window.detailTabs()->setCurrentIndex(0);
        auto *pretty = window.detailTabs()->findChild<QPlainTextEdit *>(QStringLiteral("prettyText"));
        if (pretty)
            QCOMPARE(pretty->palette().color(QPalette::Base).lightness() < 128, dark);
        QTest::qWait(0);
        window.grab().save(QStringLiteral("/tmp/gui19shots/theme-%1-detail.png").arg(theme));
        window.detailTabs()->setCurrentWidget(chart);
        chart->refresh();
        QTest::qWait(0);
        const QPixmap picture = window.grab();
        picture.save(QStringLiteral("/tmp/gui19shots/theme-%1.png").arg(theme));
        if (!directory.isEmpty()) {
            QVERIFY(picture.save(QString::fromLocal8Bit(directory)
                                 + QStringLiteral("/screenshot-%1.png").arg(theme)));
        }
    }
    AppTheme::apply(AppTheme::Theme::System);
    QSettings().remove(QStringLiteral("view/theme"));
}

void TestFirstMinutes::helpMenuHasGuideAndShortcuts()
{
    MainWindow window;
    window.show();
    QAction *guideAction = nullptr;
    QAction *shortcutsAction = nullptr;
    const QList<QAction *> actions = window.findChildren<QAction *>();
    for (QAction *action : actions) {
        if (action->text() == QLatin1String("&User Guide"))
            guideAction = action;
        if (action->text() == QLatin1String("&Keyboard Shortcuts"))
            shortcutsAction = action;
    }
    QVERIFY(guideAction && shortcutsAction);
    guideAction->trigger();
    auto *guide = window.findChild<QTextBrowser *>(QStringLiteral("guideText"));
    QVERIFY(guide);
    QVERIFY(guide->toPlainText().contains(QStringLiteral("SSE Monitor")));
    shortcutsAction->trigger();
    auto *table = window.findChild<QTableWidget *>(QStringLiteral("shortcutTable"));
    QVERIFY(table);
    bool exportListed = false;
    for (int row = 0; row < table->rowCount(); ++row) {
        if (table->item(row, 0)->text() == QLatin1String("Export Events"))
            exportListed = table->item(row, 1)->text() == QKeySequence(Qt::CTRL | Qt::Key_E).toString(QKeySequence::NativeText);
    }
    QVERIFY(exportListed);
    table->window()->grab().save(QStringLiteral("/tmp/gui19shots/shortcuts.png"));
}

void TestFirstMinutes::recordTurnsRed()
{
    QTemporaryDir dir;
    MainWindow window;
    window.show();
    QAction *record = nullptr;
    const QList<QAction *> actions = window.findChildren<QAction *>();
    for (QAction *action : actions) {
        if (action->text() == QLatin1String("&Record"))
            record = action;
    }
    QVERIFY(record);
    const QImage red = QIcon(QStringLiteral(":/icons/recording.svg")).pixmap(16).toImage();
    QVERIFY(!red.isNull());
    QVERIFY(record->icon().pixmap(16).toImage() != red);
    QVERIFY(window.workspace()->startRecording(dir.filePath(QStringLiteral("r.jsonl")),
                                               Workspace::RawCapture::Off));
    QTRY_COMPARE(record->icon().pixmap(16).toImage(), red);
    window.workspace()->stopRecording();
    QTRY_VERIFY(record->icon().pixmap(16).toImage() != red);
}

void TestFirstMinutes::replayHasTransportAndProgress()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("paced.jsonl"));
    {
        // Two seconds of paced quotes (40 events, 250 ms apart in rounds of five).
        MainWindow recorder;
        QVERIFY(recorder.workspace()->startRecording(path, Workspace::RawCapture::Off));
        Sse::ClientOptions options;
        options.url = m_server.url("/quotes-paced");
        const quint16 id = recorder.addConnection(QStringLiteral("paced"), options);
        QTRY_VERIFY_WITH_TIMEOUT(
                recorder.workspace()->logModel()->store().connectionEventCount(id) >= 40, 10000);
        recorder.workspace()->connections()->close(id);
        recorder.workspace()->stopRecording();
        QTRY_VERIFY(!recorder.workspace()->isRecording());
    }
    MainWindow window;
    window.show();
    QSignalSpy started(window.workspace(), &Workspace::replayStarted);
    window.workspace()->replayRecording(path, 1.0);
    QTRY_COMPARE(started.count(), 1);
    const quint16 id = started.constFirst().constFirst().value<quint16>();
    const ConnectionListModel *model = window.workspace()->connections()->model();
    auto stateText = [&] {
        return model->index(model->rowOf(id), ConnectionListModel::StateColumn).data().toString();
    };
    QTRY_VERIFY2(stateText().startsWith(QStringLiteral("Replaying 1\u00d7 \u00b7 ")),
                 qPrintable(stateText()));
    const int total = int(window.workspace()->replayer(id)->count());
    QVERIFY(total >= 40);

    // The transport is in the connection's menu, enabled on the replay.
    QAction *pause = nullptr;
    QAction *stop = nullptr;
    QAction *speed = nullptr;
    const QList<QAction *> actions = window.connectionsPane()->connectionActions();
    for (QAction *action : actions) {
        if (!action)
            continue;
        if (action->text() == QLatin1String("&Pause Replay"))
            pause = action;
        else if (action->text() == QLatin1String("S&top Replay"))
            stop = action;
        else if (action->menu())
            speed = action;
    }
    QVERIFY(pause && stop && speed);
    QTRY_VERIFY(pause->isEnabled());
    pause->trigger();
    QTRY_VERIFY2(stateText().startsWith(QStringLiteral("Replay paused \u00b7 ")),
                 qPrintable(stateText()));
    pause->trigger(); // resume
    QAction *tenTimes = speed->menu()->actions().at(2);
    tenTimes->trigger();
    QTRY_VERIFY2(stateText().startsWith(QStringLiteral("Replaying 10\u00d7 \u00b7 "))
                         || stateText().startsWith(QStringLiteral("Replayed")),
                 qPrintable(stateText()));
    QTRY_COMPARE(stateText(), QStringLiteral("Replayed \u00b7 %1/%1").arg(total));
    QTRY_VERIFY(!pause->isEnabled()); // the row update that follows the text

    // Stop keeps what was played.
    QSignalSpy again(window.workspace(), &Workspace::replayStarted);
    window.workspace()->replayRecording(path, 1.0);
    QTRY_COMPARE(again.count(), 1);
    const quint16 second = again.constFirst().constFirst().value<quint16>();
    window.connectionsPane()->selectConnection(second);
    QTRY_VERIFY(stop->isEnabled());
    stop->trigger();
    const QString stopped =
            model->index(model->rowOf(second), ConnectionListModel::StateColumn).data().toString();
    QVERIFY2(stopped.startsWith(QStringLiteral("Replay stopped \u00b7 ")), qPrintable(stopped));
    QVERIFY(!window.workspace()->replayer(second));
}

void TestFirstMinutes::exportColumnsAcceptCommas()
{
    ExportEventsDialog dialog(10, 10, 0);
    dialog.setKnownPaths({ QStringLiteral("temperature"), QStringLiteral("humidity") });
    dialog.show();
    auto *paths = dialog.findChild<QLineEdit *>(QStringLiteral("pathsEdit"));
    auto *hint = dialog.findChild<QLabel *>(QStringLiteral("pathsHint"));
    QTest::keyClicks(paths, QStringLiteral("temperature, humidity"));
    QCOMPARE(dialog.jsonPaths(), (QList<QByteArray> { "temperature", "humidity" }));
    QVERIFY(hint->isHidden());
    QTest::keyClicks(paths, QStringLiteral(",pressure"));
    QCOMPARE(dialog.jsonPaths().size(), 3);
    QVERIFY(!hint->isHidden());
    QVERIFY(hint->text().contains(QStringLiteral("pressure")));
    QVERIFY(paths->completer());
    auto *format = dialog.findChildren<QComboBox *>().at(1);
    format->setCurrentIndex(1); // CSV
    QVERIFY(dialog.fileFilter().startsWith(QStringLiteral("CSV (*.csv)")));
    QVERIFY(dialog.width() >= dialog.fontMetrics().horizontalAdvance(dialog.windowTitle()));
}

void TestFirstMinutes::emptyLogExplainsItself()
{
    MainWindow window;
    window.resize(1280, 800);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    EventLogPane *pane = window.eventLogPane();
    auto *hint = pane->eventView()->findChild<QLabel *>(QStringLiteral("logEmptyHint"));
    QVERIFY(hint);
    QVERIFY(openQuotes(&window, QStringLiteral("quotes")));
    QTRY_VERIFY(hint->isHidden());
    QTest::keyClicks(pane->searchEdit(), QStringLiteral("no-such-symbol"));
    QTest::keyClick(pane->searchEdit(), Qt::Key_Return);
    QTRY_VERIFY(hint->isVisible());
    QVERIFY2(hint->text().contains(QStringLiteral("No event matches")), qPrintable(hint->text()));
    QVERIFY(pane->eventView()->viewport()->geometry().contains(hint->geometry()));
    window.grab().save(QStringLiteral("/tmp/gui19shots/no-match.png"));
    pane->searchEdit()->clear();
    QTest::keyClick(pane->searchEdit(), Qt::Key_Return);
    QTRY_VERIFY(hint->isHidden());
}

QTEST_MAIN(TestFirstMinutes)
#include "tst_firstminutes.moc"
