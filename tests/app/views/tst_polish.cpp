// Issue 19, the last of "the first five minutes": the real MainWindow (offscreen) against
// loopback streams, checked where a new user sees it: the status bar, the keychain banner,
// the totals, Diagnostics and the looks.

#include "testserver.h"

#include "charts/chartpanel.h"
#include "charts/seriescatalog.h"
#include "models/connectionlistmodel.h"
#include "models/eventlogmodel.h"
#include "models/eventstore.h"
#include "models/secretstore.h"
#include "models/statisticsmodel.h"
#include "models/typelistmodel.h"
#include "recording/logimporter.h"
#include "recording/recorder.h"
#include "session/workspace.h"
#include "views/apptheme.h"
#include "views/connectiondetailtabs.h"
#include "views/connectionspane.h"
#include "views/diagnosticsview.h"
#include "views/eventlogpane.h"
#include "views/mainstatusbar.h"
#include "views/mainwindow.h"
#include "views/noticebar.h"

#include <QAction>
#include <QApplication>
#include <QChart>
#include <QChartView>
#include <QClipboard>
#include <QGraphicsTextItem>
#include <QGuiApplication>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QListWidget>
#include <QScrollBar>
#include <QLocale>
#include <QMainWindow>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QToolBar>
#include <QToolButton>
#include <QTreeView>

#include <functional>

namespace {

// Colour distance of two pixels: the largest channel difference (0..255).
int distance(QRgb a, QRgb b)
{
    return std::max({std::abs(qRed(a) - qRed(b)), std::abs(qGreen(a) - qGreen(b)),
                     std::abs(qBlue(a) - qBlue(b))});
}

// The mean colour of \a image.
QRgb meanColour(const QImage &image)
{
    qint64 red = 0, green = 0, blue = 0;
    const qint64 pixels = qint64(image.width()) * image.height();
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x) {
            const QRgb pixel = image.pixel(x, y);
            red += qRed(pixel);
            green += qGreen(pixel);
            blue += qBlue(pixel);
        }
    }
    return pixels == 0 ? 0 : qRgb(int(red / pixels), int(green / pixels), int(blue / pixels));
}

QAction *actionNamed(const QWidget *window, const QString &text)
{
    for (QAction *action : window->findChildren<QAction *>()) {
        if (action->text() == text)
            return action;
    }
    return nullptr;
}

// The theme on every widget, repainted: the palette change reaches the widgets through events.
void applyTheme(AppTheme::Theme theme)
{
    AppTheme::apply(theme);
    QCoreApplication::sendPostedEvents();
    QCoreApplication::processEvents();
}

void addThemeRows()
{
    QTest::addColumn<AppTheme::Theme>("theme");
    QTest::newRow("light") << AppTheme::Theme::Light;
    QTest::newRow("dark") << AppTheme::Theme::Dark;
}

// Quotes of five symbols and four scales: five lines, their legend names and axes.
QByteArray quotes(int rounds)
{
    static const struct
    {
        const char *symbol;
        double price;
    } symbols[] = {
        {"EURUSD", 0.85}, {"GBPUSD", 1.27}, {"AAPL", 190}, {"ETH", 3100}, {"BTC", 61000}};
    QByteArray body;
    for (int round = 0; round < rounds; ++round) {
        for (const auto &symbol : symbols) {
            body += "event: trade\ndata: {\"symbol\":\"" + QByteArray(symbol.symbol)
                + "\",\"price\":"
                + QByteArray::number(symbol.price * (1 + 0.002 * (round % 7)), 'f', 4) + "}\n\n";
        }
    }
    return body;
}

const QString shotDirectory = QStringLiteral("/tmp/polishshots");

QByteArray events(int count, int firstId = 1)
{
    QByteArray body;
    for (int i = 0; i < count; ++i)
        body += "id: " + QByteArray::number(firstId + i)
            + "\nevent: tick\ndata: {\"n\":" + QByteArray::number(firstId + i) + "}\n\n";
    return body;
}

QLabel *label(const QWidget *window, const char *name)
{
    return window->findChild<QLabel *>(QLatin1String(name));
}

// The status bar's totals label ("1 open · 3,000 events · ..."), null if none.
QLabel *totalsLabel(const QMainWindow &window)
{
    for (QLabel *candidate : window.statusBar()->findChildren<QLabel *>()) {
        if (candidate->text().contains(QStringLiteral(" open \u00b7 ")))
            return candidate;
    }
    return nullptr;
}

// Calls a function before each paint of the watched widgets.
class PaintWatcher : public QObject
{
public:
    explicit PaintWatcher(std::function<void()> onPaint) : m_onPaint(std::move(onPaint)) { }
    void watch(QWidget *widget) { widget->installEventFilter(this); }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() == QEvent::Paint)
            m_onPaint();
        return QObject::eventFilter(watched, event);
    }

private:
    std::function<void()> m_onPaint;
};

} // namespace

class TestPolish : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void messageLeavesStateVisible();
    void keychainBannerOnce();
    void totalsAgree();
    void logAgreesWithTotalsAtEveryPaint();
    void scopeChipElidesLongName();
    void chartSeriesNamesElide();
    void recordingIndicatorMovesOnTheTick();
    void followTailMovesWithTheInsert();
    void diagnosticsBySeverity();
    void togglesShowTheirState_data();
    void togglesShowTheirState();
    void uncheckedBoxesVisible_data();
    void uncheckedBoxesVisible();
    void inactiveSelectionIsDimmed_data();
    void inactiveSelectionIsDimmed();
    void chartLabelsFitDefaultWindow();
    void hangupBacksOff();
    void recordingOpensApart();

private:
    TestServer m_server;
};

void TestPolish::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("SSE Monitor Tests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_polish"));
    QVERIFY(m_server.isListening());
    // 3,000 events in 30 bursts of 100, 40 ms apart: the counters move across many ticks.
    m_server.route("/burst", [](TestServer::Exchange *exchange) {
        exchange->sseHead();
        for (int burst = 0; burst < 30; ++burst)
            exchange->sendLater(burst * 40, events(100, burst * 100 + 1));
    });
    // No Cache-Control and no ids: findings of several severities; an event every 100 ms.
    m_server.route("/plain", [](TestServer::Exchange *exchange) {
        exchange->writeHead(200, {{"Content-Type", "text/event-stream"}});
        for (int i = 0; i < 40; ++i)
            exchange->sendLater(100 * i, "data: " + QByteArray::number(i) + "\n\n");
    });
    m_server.route("/quotes", [](TestServer::Exchange *exchange) {
        exchange->sseHead();
        exchange->send(quotes(30));
    });
    // 200, the right type, "retry: 50", and the connection closes before any event.
    m_server.route("/hangup", [](TestServer::Exchange *exchange) {
        exchange->sseHead();
        exchange->send("retry: 50\n\n");
        exchange->finish();
    });
    // The head, then nothing.
    m_server.route("/silent", [](TestServer::Exchange *exchange) { exchange->sseHead(); });
    // Ten events, then the stream stays open and quiet.
    m_server.route("/ten", [](TestServer::Exchange *exchange) {
        exchange->sseHead();
        exchange->send(events(10));
    });
}

void TestPolish::init()
{
    QSettings().clear();
}

void TestPolish::cleanup()
{
    AppTheme::apply(AppTheme::Theme::System);
}

void TestPolish::messageLeavesStateVisible()
{
    MainWindow window;
    window.resize(1280, 800);
    window.show();
    Sse::ClientOptions options;
    options.url = m_server.url("/ten");
    const quint16 id = window.addConnection(QStringLiteral("ten"), options);
    QTRY_COMPARE(window.workspace()->connections()->entry(id)->events, qint64(10));
    QLabel *state = label(&window, "connectionState");
    QLabel *message = label(&window, "statusMessage");
    QVERIFY(state && message);
    QTRY_VERIFY(state->text().startsWith(QStringLiteral("ten: Open")));
    QVERIFY(message->isHidden());

    // A workspace message and the state at once, side by side.
    emit window.workspace()->message(QStringLiteral("Exported to /tmp/somewhere.jsonl"), 400);
    auto *bar = qobject_cast<MainStatusBar *>(window.statusBar());
    QVERIFY(bar);
    QCOMPARE(bar->messageText(), QStringLiteral("Exported to /tmp/somewhere.jsonl"));
    QCOMPARE(bar->currentMessage(), bar->messageText());
    QVERIFY(message->isVisible());
    QVERIFY(state->isVisible());
    QTRY_VERIFY(!message->geometry().intersects(state->geometry()));
    QVERIFY(state->width() > 200);
    QVERIFY(message->width() > 200);
    QVERIFY(state->text().startsWith(QStringLiteral("ten: Open")));
    window.grab().save(shotDirectory + QStringLiteral("/statusbar-message.png"));

    // A status tip (QStatusBar's own message) goes to the same label, not over the state.
    window.statusBar()->showMessage(QStringLiteral("a status tip"));
    QCOMPARE(message->text(), QStringLiteral("a status tip"));
    QVERIFY(state->isVisible());
    window.statusBar()->showMessage(QStringLiteral("short-lived"), 100);
    // It goes after its time-out; the state stays.
    QTRY_VERIFY(message->isHidden());
    QVERIFY(bar->messageText().isEmpty());
    QVERIFY(state->isVisible());
    window.workspace()->connections()->close(id);
}

void TestPolish::keychainBannerOnce()
{
    auto noKeychain = std::make_shared<MemorySecretBackend>();
    noKeychain->setAvailable(false);
    MainWindow window;
    window.resize(1280, 800);
    window.workspace()->secretStore()->setBackend(noKeychain);
    window.show();
    auto *banner = window.findChild<NoticeBar *>();
    QVERIFY(banner);
    QVERIFY(banner->isHidden());
    QSignalSpy reported(window.workspace(), &Workspace::keychainUnavailable);
    QSignalSpy messages(window.workspace(), &Workspace::message);

    Sse::ClientOptions options;
    options.url = m_server.url("/ten");
    options.headers = {{"Authorization", "Bearer not-for-the-log"}};
    // Three connections with a secret, saved after each change as the window does.
    QList<quint16> ids;
    for (int i = 0; i < 3; ++i) {
        ids.append(window.addConnection(QStringLiteral("secret %1").arg(i), options));
        window.saveSettings();
        QVERIFY(window.workspace()->secretStore()->waitForIdle(5000));
    }
    QCOMPARE(reported.size(), 1);
    QVERIFY(banner->isVisible());
    QCOMPARE(banner->text(),
             QStringLiteral("Secrets can't be saved: no keychain service is running. They stay "
                            "in memory for this session."));
    // The raw error is there for who asks, not in the banner or the status bar.
    QVERIFY(!banner->detailsShown());
    QVERIFY(banner->details().contains(QStringLiteral("No keychain (test backend)")));
    for (const QList<QVariant> &message : std::as_const(messages))
        QVERIFY2(!message.constFirst().toString().contains(QStringLiteral("keychain")),
                 qPrintable(message.constFirst().toString()));
    auto *details = banner->findChild<QToolButton *>(QStringLiteral("noticeDetails"));
    details->click();
    QVERIFY(banner->detailsShown());
    QTest::qWait(0);
    window.grab().save(shotDirectory + QStringLiteral("/keychain-banner.png"));

    // Dismissed, it stays away for the rest of the session, whatever is saved.
    banner->findChild<QToolButton *>(QStringLiteral("noticeDismiss"))->click();
    QVERIFY(banner->isHidden());
    options.headers = {{"Authorization", "Bearer changed"}};
    window.workspace()->updateConnection(ids.constFirst(), QStringLiteral("secret 0"), options);
    window.saveSettings();
    QVERIFY(window.workspace()->secretStore()->waitForIdle(5000));
    QCOMPARE(reported.size(), 1);
    QVERIFY(banner->isHidden());
    for (quint16 id : std::as_const(ids))
        window.workspace()->connections()->close(id);
}

void TestPolish::totalsAgree()
{
    MainWindow window;
    window.resize(1280, 800);
    window.show();
    auto *tabs = window.detailTabs();
    auto *statisticsView = tabs->findChild<QTreeView *>(QStringLiteral("statistics"));
    QVERIFY(statisticsView);
    tabs->setCurrentWidget(statisticsView);
    const QAbstractItemModel *statistics = statisticsView->model();
    const ConnectionListModel *list = window.workspace()->connections()->model();
    QLabel *totals = nullptr;
    for (QLabel *candidate : window.statusBar()->findChildren<QLabel *>()) {
        if (candidate->text().contains(QStringLiteral(" open \u00b7 ")))
            totals = candidate;
    }
    QVERIFY(totals);

    // What each of the three says, as text.
    auto statusBarCount = [totals] {
        const QStringList parts = totals->text().split(QStringLiteral(" \u00b7 "));
        return parts.size() > 1 ? parts.at(1).section(QLatin1Char(' '), 0, 0) : QString();
    };
    auto listCount = [list] {
        return list->index(0, ConnectionListModel::EventsColumn).data().toString();
    };
    auto statisticsCount = [statistics] {
        return statistics->index(0, StatisticsModel::EventsColumn).data().toString();
    };
    // After every repaint tick all three read the same, while the burst is still coming.
    int ticks = 0;
    QStringList disagreements;
    connect(window.workspace()->connections(), &ConnectionManager::countersRefreshed, this, [&] {
        if (list->rowCount() == 0)
            return;
        ++ticks;
        const QStringList seen {statusBarCount(), listCount(), statisticsCount()};
        if (seen.at(0) != seen.at(1) || seen.at(1) != seen.at(2))
            disagreements.append(seen.join(QLatin1Char('/')));
    });

    Sse::ClientOptions options;
    options.url = m_server.url("/burst");
    const quint16 id = window.addConnection(QStringLiteral("burst"), options);
    const QString all = QLocale().toString(3000);
    QTRY_COMPARE(listCount(), all);
    QTRY_COMPARE(statusBarCount(), all);
    QTRY_COMPARE(statisticsCount(), all);
    QVERIFY2(disagreements.isEmpty(), qPrintable(disagreements.join(QStringLiteral(", "))));
    QVERIFY(ticks >= 3);
    window.workspace()->connections()->close(id);
}

// The log's rows, the status bar's total and the connection list's count are one number at
// every paint while a fast stream comes in: the log inserts its rows on the counters' tick.
void TestPolish::logAgreesWithTotalsAtEveryPaint()
{
    MainWindow window;
    window.resize(1280, 800);
    window.show();
    const ConnectionListModel *list = window.workspace()->connections()->model();
    const EventLogModel *log = window.workspace()->logModel();
    const TypeListModel *types = window.workspace()->typeModel();
    QLabel *totals = totalsLabel(window);
    QVERIFY(totals);
    QVERIFY(log->filter().acceptsEverything());
    // The Statistics tab shown: its total and its type row count too.
    auto *statisticsView =
        window.detailTabs()->findChild<QTreeView *>(QStringLiteral("statistics"));
    QVERIFY(statisticsView);
    window.detailTabs()->setCurrentWidget(statisticsView);
    const QAbstractItemModel *statistics = statisticsView->model();
    auto statisticsCount = [statistics](int row) {
        return statistics->rowCount() > row ? QLocale().toLongLong(
                   statistics->index(row, StatisticsModel::EventsColumn).data().toString())
                                            : qint64(0);
    };
    auto statusBarCount = [totals] {
        const QStringList parts = totals->text().split(QStringLiteral(" \u00b7 "));
        return parts.size() > 1 ? QLocale().toLongLong(parts.at(1).section(QLatin1Char(' '), 0, 0))
                                : qint64(-1);
    };
    auto listCount = [list] {
        return QLocale().toLongLong(
            list->index(0, ConnectionListModel::EventsColumn).data().toString());
    };

    int samples = 0;
    int moving = 0; // samples taken with some, but not all, of the events in
    QStringList disagreements;
    auto sample = [&] {
        if (list->rowCount() == 0)
            return;
        ++samples;
        const qint64 rows = log->rowCount();
        if (rows > 0 && rows < 3000)
            ++moving;
        const qint64 bar = statusBarCount();
        const qint64 listed = listCount();
        // The event types pane and the Last id column (the ids count from 1) as well.
        const qint64 typed = types->rowCount() == 0
            ? 0
            : types->index(0).data(TypeListModel::CountRole).toLongLong();
        const qint64 lastId =
            list->index(0, ConnectionListModel::LastIdColumn).data().toString().toLongLong();
        const qint64 statisticsTotal = statisticsCount(0);
        const qint64 statisticsType = statisticsCount(1);
        if (rows != bar || bar != listed || listed != typed || typed != lastId
            || lastId != statisticsTotal || statisticsTotal != statisticsType) {
            disagreements.append(QStringLiteral("%1/%2/%3/%4/%5/%6/%7")
                                     .arg(rows)
                                     .arg(bar)
                                     .arg(listed)
                                     .arg(typed)
                                     .arg(lastId)
                                     .arg(statisticsTotal)
                                     .arg(statisticsType));
        }
    };
    PaintWatcher watcher(sample);
    watcher.watch(totals);
    watcher.watch(window.connectionsPane()->connectionView()->viewport());
    watcher.watch(window.eventLogPane()->eventView()->viewport());
    watcher.watch(statisticsView->viewport());
    for (QAbstractItemView *view : window.findChildren<QAbstractItemView *>()) {
        if (view->model() == types)
            watcher.watch(view->viewport());
    }
    connect(window.workspace()->connections(), &ConnectionManager::countersRefreshed, this, sample);
    // Between ticks too: every batch that reaches the window.
    connect(window.workspace()->connections(), &ConnectionManager::eventsReceived, this, sample);

    Sse::ClientOptions options;
    options.url = m_server.url("/burst");
    const quint16 id = window.addConnection(QStringLiteral("burst"), options);
    QTRY_COMPARE(log->rowCount(), 3000);
    QTRY_COMPARE(statusBarCount(), qint64(3000));
    QTRY_COMPARE(listCount(), qint64(3000));
    QVERIFY2(disagreements.isEmpty(), qPrintable(disagreements.join(QStringLiteral(", "))));
    QVERIFY2(samples >= 20, qPrintable(QString::number(samples)));
    QVERIFY2(moving >= 3, qPrintable(QString::number(moving)));
    window.workspace()->connections()->close(id);
}

// A connection with a 200-character name in scope: the chip cuts the name, keeps the hidden
// count and the close mark, has the whole name in its tool tip, and the pane keeps its width.
// With Follow Tail on, the rows the tick inserts are in view at once: the next paint never shows
// them below the view (the tail timer alone left up to 100 ms of that).
void TestPolish::followTailMovesWithTheInsert()
{
    MainWindow window;
    window.resize(1280, 800);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QAbstractItemView *view = window.eventLogPane()->eventView();
    const EventLogModel *log = window.workspace()->logModel();
    int paints = 0;
    QStringList behind;
    // At every paint of the log: is its newest row in view?
    PaintWatcher watcher([&] {
        const int rows = log->rowCount();
        if (rows == 0)
            return;
        ++paints;
        const QRect last = view->visualRect(log->index(rows - 1, 0));
        if (!view->viewport()->rect().contains(last.center()))
            behind.append(QStringLiteral("row %1 at y %2").arg(rows - 1).arg(last.center().y()));
    });
    watcher.watch(view->viewport());
    Sse::ClientOptions options;
    options.url = m_server.url("/burst");
    const quint16 id = window.addConnection(QStringLiteral("burst"), options);
    QTRY_COMPARE(log->rowCount(), 3000);
    QVERIFY2(paints >= 3, qPrintable(QString::number(paints)));
    QVERIFY2(behind.isEmpty(), qPrintable(behind.join(QStringLiteral(", "))));
    window.workspace()->connections()->close(id);
}

void TestPolish::scopeChipElidesLongName()
{
    MainWindow window;
    window.resize(1280, 800);
    window.show();
    Sse::ClientOptions options;
    options.url = m_server.url("/ten");
    const QString longName = QStringLiteral("sensor-") + QString(200, QLatin1Char('x'))
        + QStringLiteral("-end");
    const quint16 named = window.addConnection(longName, options);
    const quint16 other = window.addConnection(QStringLiteral("other"), options);
    EventLogModel *log = window.workspace()->logModel();
    QTRY_COMPARE(log->rowCount(), 20);
    EventLogPane *pane = window.eventLogPane();
    auto *chip = pane->findChild<QToolButton *>(QStringLiteral("scopeChip"));
    QVERIFY(chip);
    const int paneWidth = pane->width();
    const int paneMinimum = pane->minimumSizeHint().width();

    // A click on it in the Connections pane, as the user selects it.
    QTableView *connections = window.connectionsPane()->connectionView();
    const int row = window.workspace()->connections()->model()->rowOf(named);
    const QRect cell = connections->visualRect(
        connections->model()->index(row, ConnectionListModel::NameColumn));
    QTest::mouseClick(connections->viewport(), Qt::LeftButton, {}, cell.center());
    QCOMPARE(pane->connectionScope(), QList<quint16>{named});
    QTRY_VERIFY2(pane->scopeChipText().contains(QStringLiteral("10 hidden")),
                 qPrintable(pane->scopeChipText()));
    QCoreApplication::processEvents(); // the layout with the chip
    const QString text = pane->scopeChipText();
    QVERIFY2(text.startsWith(QStringLiteral("Only sens")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("\u2026")), qPrintable(text));
    QVERIFY2(!text.contains(QStringLiteral("-end")), qPrintable(text));
    QVERIFY(text.endsWith(QStringLiteral("\u2715")));
    QVERIFY(chip->toolTip().contains(longName));
    // Whole on screen, and the pane neither wider nor with a larger minimum than before.
    QVERIFY(chip->isVisible());
    QVERIFY(chip->fontMetrics().horizontalAdvance(chip->text()) < chip->width());
    QVERIFY(pane->rect().contains(QRect(chip->mapTo(pane, QPoint(0, 0)), chip->size())));
    QVERIFY2(pane->width() == paneWidth,
             qPrintable(QStringLiteral("%1 -> %2").arg(paneWidth).arg(pane->width())));
    QVERIFY2(pane->minimumSizeHint().width() <= paneMinimum + chip->width(),
             qPrintable(QStringLiteral("%1 -> %2").arg(paneMinimum).arg(
                 pane->minimumSizeHint().width())));
    QVERIFY2(chip->width() < chip->fontMetrics().averageCharWidth() * 60,
             qPrintable(QString::number(chip->width())));
    window.grab().save(shotDirectory + QStringLiteral("/scope-chip-long-name.png"));
    window.workspace()->connections()->close(named);
    window.workspace()->connections()->close(other);
}

// Series of a connection with a long name: every row of the chart's series list fits the
// list (no horizontal scroll bar, the names cut in the middle), the tool tip has the whole name.
void TestPolish::chartSeriesNamesElide()
{
    MainWindow window;
    window.resize(1280, 820);
    window.show();
    Sse::ClientOptions options;
    options.url = m_server.url("/quotes");
    const QString name = QStringLiteral("market-data-feed-") + QString(60, QLatin1Char('q'));
    const quint16 id = window.addConnection(name, options);
    ChartPanel *chart = window.detailTabs()->chartPanel();
    window.detailTabs()->setCurrentWidget(chart);
    auto *list = chart->findChild<QListWidget *>();
    QVERIFY(list);
    QTRY_VERIFY(list->count() >= 4);
    QCoreApplication::processEvents();
    QVERIFY(!list->horizontalScrollBar()->isVisible());
    const int room = list->viewport()->width();
    int cut = 0;
    for (int row = 0; row < list->count(); ++row) {
        QListWidgetItem *item = list->item(row);
        const QRect rect = list->visualItemRect(item);
        QVERIFY2(rect.left() >= 0 && rect.right() < room,
                 qPrintable(QStringLiteral("%1: %2..%3 of %4")
                                .arg(item->text()).arg(rect.left()).arg(rect.right()).arg(room)));
        QCOMPARE(item->toolTip(), item->text());
        QVERIFY(item->text().startsWith(name));
        if (list->fontMetrics().horizontalAdvance(item->text()) > rect.width())
            ++cut;
    }
    QVERIFY(cut > 0); // the names are longer than the list is wide: the rows cut them
    QCOMPARE(list->textElideMode(), Qt::ElideMiddle);
    window.grab().save(shotDirectory + QStringLiteral("/chart-long-series-names.png"));
    window.workspace()->connections()->close(id);
}

// While a fast stream is recorded, the REC indicator's counters change only on the counters'
// tick (not on the recorder's own status timer), and show all events in the end.
void TestPolish::recordingIndicatorMovesOnTheTick()
{
    QTemporaryDir directory;
    QVERIFY(directory.isValid());
    MainWindow window;
    window.resize(1280, 800);
    window.show();
    QLabel *indicator = label(&window, "recordingIndicator");
    QVERIFY(indicator);
    Workspace *workspace = window.workspace();
    QVERIFY(workspace->startRecording(directory.filePath(QStringLiteral("burst.jsonl")),
                                      Workspace::RawCapture::Off));
    QTRY_VERIFY(indicator->text().startsWith(QStringLiteral("\u25cf REC burst.jsonl")));

    // After the status bar's own slots: what the indicator says when each signal is done.
    QString atTick = indicator->text();
    int ticks = 0;
    int statusChanges = 0;
    QStringList offTick;
    connect(workspace->connections(), &ConnectionManager::countersRefreshed, this, [&] {
        atTick = indicator->text();
        ++ticks;
    });
    connect(workspace, &Workspace::recordingChanged, this, [&] {
        ++statusChanges;
        if (workspace->recorder()->isRecording() && indicator->text() != atTick)
            offTick.append(atTick + QStringLiteral(" -> ") + indicator->text());
    });
    Sse::ClientOptions options;
    options.url = m_server.url("/burst");
    const quint16 id = window.addConnection(QStringLiteral("burst"), options);
    QTRY_VERIFY2(indicator->text().contains(QLocale().toString(3000) + QStringLiteral(" event")),
                 qPrintable(indicator->text()));
    QVERIFY2(offTick.isEmpty(), qPrintable(offTick.join(QStringLiteral(", "))));
    QVERIFY(statusChanges >= 2); // the recorder did report in between
    QVERIFY(ticks >= 3);
    workspace->stopRecording();
    QTRY_VERIFY(!workspace->recorder()->isRecording());
    QTRY_VERIFY(indicator->text().isEmpty());
    window.workspace()->connections()->close(id);
}

void TestPolish::diagnosticsBySeverity()
{
    MainWindow window;
    window.resize(1280, 800);
    window.show();
    Sse::ClientOptions options;
    options.url = m_server.url("/plain");
    const quint16 id = window.addConnection(QStringLiteral("plain"), options);
    QTRY_VERIFY(window.workspace()->connections()->entry(id)->events > 0);
    DiagnosticsView *view = window.detailTabs()->diagnosticsView();
    auto *progress = view->findChild<QProgressBar *>(QStringLiteral("diagnosticsProgress"));
    auto *copy = view->findChild<QPushButton *>(QStringLiteral("copyReport"));
    QVERIFY(progress && copy);
    QVERIFY(progress->isHidden());
    QVERIFY(!copy->isEnabled()); // nothing to copy yet

    QVERIFY(window.workspace()->runDiagnostics(id, 2000));
    QCOMPARE(window.detailTabs()->currentWidget(), view);
    // Progress while it runs: the bar moves and the status counts the events seen.
    QVERIFY(progress->isVisible());
    QCOMPARE(progress->maximum(), 2000);
    QTRY_VERIFY(progress->value() > 0);
    const auto statusLabels = view->findChildren<QLabel *>();
    auto statusSays = [&statusLabels](const QString &text) {
        return std::any_of(statusLabels.cbegin(), statusLabels.cend(),
                           [&text](const QLabel *label) { return label->text().contains(text); });
    };
    QTRY_VERIFY(statusSays(QStringLiteral("event(s) seen")));
    QTest::qWait(0);
    window.grab().save(shotDirectory + QStringLiteral("/diagnostics-running.png"));
    QTRY_VERIFY_WITH_TIMEOUT(!view->report().findings.isEmpty(), 10000);
    QVERIFY(progress->isHidden());

    // Sections, most severe first, each with its count, then its findings.
    const Sse::DiagnosticsReport report = view->report();
    QVERIFY(report.count(Sse::Finding::Warning) + report.count(Sse::Finding::Failure) > 0);
    QVERIFY(report.count(Sse::Finding::Pass) > 0);
    QTableWidget *table = view->table();
    QCOMPARE(
        table->rowCount(), int(report.findings.size()) + [&report] {
            int sections = 0;
            for (auto severity : {Sse::Finding::Pass, Sse::Finding::Info, Sse::Finding::Warning,
                                  Sse::Finding::Failure})
                sections += report.count(severity) > 0 ? 1 : 0;
            return sections;
        }());
    QVERIFY(!view->findingAt(0)); // a section first
    QCOMPARE(table->columnSpan(0, 0), int(DiagnosticsView::ColumnCount));
    int previous = Sse::Finding::Failure + 1;
    int sectionRows = 0;
    for (int row = 0; row < table->rowCount(); ++row) {
        const Sse::Finding *finding = view->findingAt(row);
        if (!finding) {
            ++sectionRows;
            QVERIFY(!(table->item(row, 0)->flags() & Qt::ItemIsSelectable));
            continue;
        }
        QVERIFY2(finding->severity <= previous, qPrintable(finding->id));
        previous = finding->severity;
        QCOMPARE(table->item(row, DiagnosticsView::TitleColumn)->text(), finding->title);
    }
    QVERIFY(sectionRows >= 2);
    const QString passed = QStringLiteral("Passed (%1)").arg(report.count(Sse::Finding::Pass));
    QCOMPARE(table->item(table->rowCount() - 1 - report.count(Sse::Finding::Pass), 0)->text(),
             passed);

    // Copy report: the same order as text, with the statistics.
    QVERIFY(copy->isEnabled());
    QGuiApplication::clipboard()->clear();
    copy->click();
    const QString text = QGuiApplication::clipboard()->text();
    QVERIFY(text.startsWith(QStringLiteral("Stream check of ") + options.url.toDisplayString()));
    const qsizetype passedAt = text.indexOf(passed);
    QVERIFY(passedAt > 0);
    const qsizetype warningsAt = text.indexOf(QStringLiteral("Warnings ("));
    const qsizetype failuresAt = text.indexOf(QStringLiteral("Failures ("));
    QVERIFY(std::max(warningsAt, failuresAt) > 0);
    if (warningsAt > 0)
        QVERIFY(warningsAt < passedAt);
    if (failuresAt > 0)
        QVERIFY(failuresAt < passedAt && (warningsAt < 0 || failuresAt < warningsAt));
    for (const Sse::Finding &finding : report.findings)
        QVERIFY2(text.contains(finding.title), qPrintable(finding.title));
    QVERIFY(text.contains(report.statisticsText()));
    window.grab().save(shotDirectory + QStringLiteral("/diagnostics-sections.png"));
    window.workspace()->connections()->close(id);
}

void TestPolish::togglesShowTheirState_data()
{
    addThemeRows();
}

void TestPolish::togglesShowTheirState()
{
    QFETCH(AppTheme::Theme, theme);
    MainWindow window;
    window.resize(1280, 800);
    window.show();
    applyTheme(theme);
    auto *toolBar = window.findChild<QToolBar *>();
    QVERIFY(toolBar);
    for (const QString &text : {QStringLiteral("&Follow Tail"), QStringLiteral("&Pause Display")}) {
        QAction *action = actionNamed(&window, text);
        QVERIFY2(action && action->isCheckable(), qPrintable(text));
        QWidget *button = toolBar->widgetForAction(action);
        QVERIFY(button);
        action->setChecked(true);
        const QImage on = button->grab().toImage();
        action->setChecked(false);
        const QImage off = button->grab().toImage();
        // On and off differ at a glance: the panel's mean colour moves, and the edge of the
        // button (where the text is not) too.
        const int meanShift = distance(meanColour(on), meanColour(off));
        const int edgeShift =
            distance(on.pixel(2, on.height() / 2), off.pixel(2, off.height() / 2));
        QVERIFY2(
            meanShift >= 12 && edgeShift >= 40,
            qPrintable(
                QStringLiteral("%1: mean %2, edge %3").arg(text).arg(meanShift).arg(edgeShift)));
        if (text.contains(QStringLiteral("Follow"))) {
            action->setChecked(true);
            toolBar->grab().save(shotDirectory
                                 + QStringLiteral("/toolbar-%1.png").arg(AppTheme::id(theme)));
        }
    }
}

void TestPolish::uncheckedBoxesVisible_data()
{
    addThemeRows();
}

void TestPolish::uncheckedBoxesVisible()
{
    QFETCH(AppTheme::Theme, theme);
    MainWindow window;
    window.resize(1280, 800);
    window.show();
    applyTheme(theme);
    Sse::ClientOptions options;
    options.url = m_server.url("/ten");
    const quint16 id = window.addConnection(QStringLiteral("ten"), options);
    auto *types = window.findChild<QListView *>(QStringLiteral("typeView"));
    QVERIFY(types);
    QTRY_COMPARE(types->model()->rowCount(), 1);
    const QModelIndex type = types->model()->index(0, 0);
    QVERIFY(types->model()->setData(type, Qt::Unchecked, Qt::CheckStateRole));
    QTRY_COMPARE(type.data(Qt::CheckStateRole).value<Qt::CheckState>(), Qt::Unchecked);
    types->clearSelection();
    types->setCurrentIndex({});

    // The box is the leftmost part of the row: its edge must stand out from the base.
    const QRect row = types->visualRect(type);
    const QImage image = types->viewport()
                             ->grab(QRect(row.left(), row.top(), row.height() + 4, row.height()))
                             .toImage();
    const QRgb base = types->palette().color(QPalette::Base).rgb();
    int contrast = 0;
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x)
            contrast = std::max(contrast, distance(image.pixel(x, y), base));
    QVERIFY2(contrast >= 80, qPrintable(QString::number(contrast)));
    types->grab().save(shotDirectory + QStringLiteral("/types-%1.png").arg(AppTheme::id(theme)));
    window.workspace()->connections()->close(id);
}

void TestPolish::inactiveSelectionIsDimmed_data()
{
    QTest::addColumn<AppTheme::Theme>("theme");
    QTest::newRow("system") << AppTheme::Theme::System;
    QTest::newRow("light") << AppTheme::Theme::Light;
    QTest::newRow("dark") << AppTheme::Theme::Dark;
}

void TestPolish::inactiveSelectionIsDimmed()
{
    QFETCH(AppTheme::Theme, theme);
    MainWindow window;
    window.resize(1280, 800);
    window.show();
    QVERIFY(QTest::qWaitForWindowActive(&window));
    applyTheme(theme);
    Sse::ClientOptions options;
    options.url = m_server.url("/ten");
    const quint16 id = window.addConnection(QStringLiteral("ten"), options);
    auto *connections = window.findChild<QAbstractItemView *>(QStringLiteral("connectionView"));
    QVERIFY(connections);
    QTRY_COMPARE(window.workspace()->connections()->entry(id)->events, qint64(10));
    QTRY_VERIFY(connections->selectionModel()->hasSelection());
    QCOMPARE(connections->palette().color(QPalette::Base),
             QApplication::palette().color(QPalette::Base));
    const QModelIndex row = connections->selectionModel()->selectedRows().constFirst();
    // A spot of the selected row without text: the right end of the name ("ten").
    const QRect cell = connections->visualRect(row.siblingAtColumn(0));
    QVERIFY(cell.width() > 40);
    auto rowColour = [&] {
        const QImage image = connections->viewport()->grab().toImage();
        return image.pixel(cell.right() - 3, cell.center().y());
    };
    connections->setFocus();
    QTRY_VERIFY(connections->hasFocus());
    const QRgb focused = rowColour();
    window.findChild<QLineEdit *>()->setFocus(); // another pane has the focus now
    QTRY_VERIFY(!connections->hasFocus());
    const QRgb unfocused = rowColour();
    window.grab().save(shotDirectory
                       + QStringLiteral("/inactive-selection-%1.png").arg(AppTheme::id(theme)));
    const QRgb base = connections->palette().color(QPalette::Base).rgb();
    QVERIFY2(
        distance(focused, unfocused) >= 30,
        qPrintable(QColor(focused).name() + QStringLiteral(" vs ") + QColor(unfocused).name()));
    // Dimmed, still a selection: between the focused highlight and the base.
    QVERIFY(distance(unfocused, base) >= 10);
    QVERIFY(distance(unfocused, base) < distance(focused, base));
    window.workspace()->connections()->close(id);
}

void TestPolish::chartLabelsFitDefaultWindow()
{
    MainWindow window; // the default size
    window.show();
    Sse::ClientOptions options;
    options.url = m_server.url("/quotes");
    const quint16 id = window.addConnection(QStringLiteral("quotes"), options);
    QTRY_COMPARE(window.workspace()->connections()->entry(id)->events, qint64(150));
    ChartPanel *chart = window.detailTabs()->chartPanel();
    window.detailTabs()->setCurrentWidget(chart);
    SeriesCatalog *catalog = window.workspace()->seriesCatalog();
    QTRY_COMPARE(catalog->splitField(id, "trade"), QByteArray("symbol"));
    int plotted = 0;
    for (const SeriesKey &key : catalog->discoveredSeries()) {
        if (key.connection == id && key.path == "price" && key.isSplit()) {
            chart->setPlotted(key, true);
            ++plotted;
        }
    }
    QCOMPARE(plotted, 5);
    chart->refresh();
    QTest::qWait(0); // the chart lays out its labels
    auto *view = chart->findChild<QChartView *>();
    QVERIFY(view);
    // Every text the chart draws (legend names, axis labels) whole: nothing cut to "...".
    QStringList cut;
    int texts = 0;
    for (QGraphicsItem *item : view->scene()->items()) {
        if (auto *text = qgraphicsitem_cast<QGraphicsTextItem *>(item); text && text->isVisible()) {
            ++texts;
            const QString plain = text->toPlainText();
            if (plain.contains(QStringLiteral("...")) || plain.contains(QChar(0x2026)))
                cut.append(plain);
        }
    }
    window.grab().save(shotDirectory + QStringLiteral("/chart-default-size.png"));
    QVERIFY(texts >= 10);
    QVERIFY2(cut.isEmpty(), qPrintable(cut.join(QStringLiteral(" | "))));
    window.workspace()->connections()->close(id);
}

void TestPolish::hangupBacksOff()
{
    MainWindow window;
    window.resize(1280, 800);
    window.show();
    const int before = m_server.requestCount("/hangup");
    Sse::ClientOptions options;
    options.url = m_server.url("/hangup");
    const quint16 id = window.addConnection(QStringLiteral("hangup"), options);
    // Six tries: with retry 50 and no back-off they would come within a third of a second.
    QTRY_VERIFY_WITH_TIMEOUT(m_server.requestCount("/hangup") - before >= 6, 15000);
    const QList<TestServer::Request> tries = m_server.requests("/hangup").mid(before);
    QList<qint64> gaps;
    for (int i = 1; i < tries.size(); ++i)
        gaps.append(tries.at(i).receivedMs - tries.at(i - 1).receivedMs);
    QStringList gapText;
    for (qint64 gap : std::as_const(gaps))
        gapText.append(QString::number(gap));
    // The waits grow: the fifth is at least four times the "retry: 50" the server asked for,
    // and longer than the first.
    QVERIFY2(gaps.at(4) >= 200 && gaps.at(4) > gaps.at(0), qPrintable(gapText.join(u',')));

    // The window says what happens, in the state column and the status bar, with the count.
    const ConnectionListModel *model = window.workspace()->connections()->model();
    auto stateText = [&] {
        return model->index(model->rowOf(id), ConnectionListModel::StateColumn).data().toString();
    };
    QTRY_VERIFY2(
        stateText().startsWith(QStringLiteral("The server closes right after connecting (")),
        qPrintable(stateText()));
    QVERIFY2(stateText().contains(QStringLiteral("times, no events yet")), qPrintable(stateText()));
    QLabel *state = label(&window, "connectionState");
    QTRY_VERIFY2(state->text().contains(QStringLiteral("The server closes right after connecting")),
                 qPrintable(state->text()));
    window.grab().save(shotDirectory + QStringLiteral("/hangup.png"));
    window.workspace()->connections()->close(id);
}

void TestPolish::recordingOpensApart()
{
    QTemporaryDir directory;
    QVERIFY(directory.isValid());
    const QString path = directory.filePath(QStringLiteral("session.jsonl"));
    {
        // A recording of two streams, one of which never sent an event.
        MainWindow recorder;
        Sse::ClientOptions options;
        options.url = m_server.url("/ten");
        const quint16 ten = recorder.addConnection(QStringLiteral("ten"), options);
        options.url = m_server.url("/silent");
        const quint16 silent = recorder.addConnection(QStringLiteral("silent"), options);
        QTRY_COMPARE(recorder.workspace()->connections()->entry(silent)->state,
                     Sse::Client::State::Open);
        QVERIFY(recorder.workspace()->startRecording(path, Workspace::RawCapture::Off));
        recorder.workspace()->connections()->reconnectNow(ten); // ten events, recorded
        QTRY_COMPARE(recorder.workspace()->connections()->entry(ten)->events, qint64(20));
        recorder.workspace()->stopRecording();
        QTRY_VERIFY(!recorder.workspace()->recorder()->isRecording());
    }

    MainWindow window;
    window.resize(1280, 800);
    window.show();
    // A live stream beside it, whose events must not mix into the recording's view.
    Sse::ClientOptions live;
    live.url = m_server.url("/ten");
    const quint16 liveId = window.addConnection(QStringLiteral("live"), live);
    QTRY_COMPARE(window.workspace()->connections()->entry(liveId)->events, qint64(10));
    QSignalSpy opened(window.workspace(), &Workspace::recordingOpened);
    QVERIFY(window.workspace()->openRecording(path));
    QTRY_COMPARE(opened.size(), 1);
    const QList<quint16> ids = opened.constFirst().at(1).value<QList<quint16>>();
    // Only the stream with events; the silent one is skipped.
    QCOMPARE(ids.size(), 1);
    const ConnectionEntry *entry = window.workspace()->connections()->entry(ids.constFirst());
    QVERIFY(entry && entry->offline);
    QVERIFY2(entry->name.startsWith(QStringLiteral("ten")), qPrintable(entry->name));
    QCOMPARE(entry->events, qint64(10));
    for (const ConnectionEntry &other : window.workspace()->connections()->model()->entries())
        QVERIFY2(!other.name.startsWith(QStringLiteral("silent")), qPrintable(other.name));

    // Its own view: the log shows the recording's events only, under the scope chip.
    QCOMPARE(window.connectionsPane()->selectedConnections(), ids);
    EventLogPane *log = window.eventLogPane();
    QCOMPARE(log->connectionScope(), ids);
    QTRY_COMPARE(window.workspace()->logModel()->rowCount(), 10);
    QVERIFY2(log->scopeChipText().contains(QStringLiteral("10 hidden")),
             qPrintable(log->scopeChipText()));
    window.grab().save(shotDirectory + QStringLiteral("/recording-apart.png"));
    window.workspace()->connections()->close(liveId);
}

QTEST_MAIN(TestPolish)
#include "tst_polish.moc"
