// What a hostile stream can make the real MainWindow do (offscreen, real loopback servers):
// - links and markup in event data, ids, types and HTTP reason phrases are shown as text:
//   nothing is fetched, nothing is opened, no widget renders them as rich text;
// - a server dripping one byte at a time shows as bytes rising with zero events;
// - a server that drops every response keeps the (capped) connection log cheap to update.

#include "testserver.h"

#include "models/connectionlistmodel.h"
#include "models/connectionlogmodel.h"
#include "models/connectionmanager.h"
#include "models/eventlogmodel.h"
#include "session/workspace.h"
#include "views/eventdetailview.h"
#include "views/connectiondetailtabs.h"
#include "views/connectionspane.h"
#include "views/eventlogpane.h"
#include "views/mainwindow.h"

#include <QDesktopServices>
#include <QEventLoop>
#include <QTimer>
#include <QLabel>
#include <QPlainTextEdit>
#include <QSettings>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QTextBrowser>
#include <QTextDocument>
#include <QToolTip>
#include <QTreeView>
#include <QTreeWidget>

#include <memory>

namespace {

// Counts what would leave the application: TCP connections to a trap port and URLs handed
// to QDesktopServices (the handler replaces the desktop's browser for these schemes).
class Trap : public QObject
{
    Q_OBJECT
public:
    Trap()
    {
        m_server.listen(QHostAddress::LocalHost, 0);
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                ++connections;
                socket->deleteLater();
            }
        });
        for (const QString &scheme : schemes())
            QDesktopServices::setUrlHandler(scheme, this, "openUrl");
    }
    ~Trap() override
    {
        for (const QString &scheme : schemes())
            QDesktopServices::unsetUrlHandler(scheme);
    }
    static QStringList schemes()
    {
        return {QStringLiteral("http"), QStringLiteral("https"), QStringLiteral("file"),
                QStringLiteral("mailto")};
    }
    bool isListening() const { return m_server.isListening(); }
    QByteArray base() const { return "http://127.0.0.1:" + QByteArray::number(m_server.serverPort()); }

    int connections = 0;
    QList<QUrl> openedUrls;

public Q_SLOTS:
    void openUrl(const QUrl &url) { openedUrls.append(url); }

private:
    QTcpServer m_server;
};

// Rich text that a QLabel or a tool tip would render: it must have been escaped.
bool rendersMarkup(const QString &text)
{
    return Qt::mightBeRichText(text) && (text.contains(QLatin1String("<img"), Qt::CaseInsensitive)
                                         || text.contains(QLatin1String("<a "), Qt::CaseInsensitive));
}

QStringList collectToolTips(const QAbstractItemModel *model)
{
    QStringList tips;
    for (int row = 0; row < model->rowCount(); ++row) {
        for (int column = 0; column < model->columnCount(); ++column)
            tips.append(model->index(row, column).data(Qt::ToolTipRole).toString());
    }
    return tips;
}

void collectTreeToolTips(const QTreeWidgetItem *item, QStringList &tips)
{
    for (int column = 0; column < item->columnCount(); ++column)
        tips.append(item->toolTip(column));
    for (int child = 0; child < item->childCount(); ++child)
        collectTreeToolTips(item->child(child), tips);
}

} // namespace

class TestHostileGui : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void trapSeesConnectionsAndUrls();
    void linksInEventsAreNeverFollowed();
    void markupInReasonPhraseStaysText();
    void dripShowsBytesWithoutEvents();
    void reconnectStormAppendsToFullConnectionLog();

private:
    QByteArray hostileEvents(const QByteArray &base) const;
};

void TestHostileGui::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("SSE Monitor Tests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_hostilegui"));
}

void TestHostileGui::init()
{
    QSettings().clear();
}

QByteArray TestHostileGui::hostileEvents(const QByteArray &base) const
{
    const QByteArray img = "<img src=\\\"" + base + "/json.png\\\">";
    return "retry: 60000\n\n"
           // HTML in plain data: an image, a link, a style sheet, a frame, a bare URL.
           "id: 1\ndata: <img src=\"" + base + "/a.png\"> <a href=\"" + base + "/link\">x</a>\n"
           "data: <link rel=\"stylesheet\" href=\"" + base + "/s.css\"><iframe src=\"" + base
        + "/f\"></iframe> " + base + "/plain https://127.0.0.1:1/tls file:///etc/hostname\n\n"
           // JSON whose strings are URLs and markup (pretty view, tree, tool tips).
           "id: 2\nevent: json\ndata: {\"url\":\"" + base + "/json\",\"html\":\"" + img
        + "\",\"list\":[\"" + base + "/item\"]}\n\n"
           // Markup in the type and the id.
           "id: <img src=\"" + base + "/id.png\">\nevent: <a href=\"" + base
        + "/type\">t</a>\ndata: tail\n\n";
}

// The trap itself works: a connection and an opened URL are both counted.
void TestHostileGui::trapSeesConnectionsAndUrls()
{
    Trap trap;
    QVERIFY(trap.isListening());
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, QUrl(QString::fromLatin1(trap.base())).port());
    QTRY_COMPARE(trap.connections, 1);
    QVERIFY(QDesktopServices::openUrl(QUrl(QString::fromLatin1(trap.base() + "/x"))));
    QCOMPARE(trap.openedUrls.size(), 1);
}

void TestHostileGui::linksInEventsAreNeverFollowed()
{
    Trap trap;
    QVERIFY(trap.isListening());
    TestServer server;
    const QByteArray events = hostileEvents(trap.base());
    server.route("/hostile", [events](TestServer::Exchange *exchange) {
        exchange->sseHead();
        exchange->send(events);
    });

    MainWindow window;
    window.resize(1200, 900);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    Sse::ClientOptions options;
    options.url = server.url("/hostile");
    window.addConnection(QStringLiteral("hostile"), options);
    QTRY_COMPARE(window.workspace()->logModel()->rowCount(), 3);

    EventDetailView *detail = window.detailTabs()->detailView();
    auto *tabs = detail->findChild<QTabWidget *>();
    QVERIFY(tabs);
    QStringList tips = collectToolTips(window.workspace()->logModel());
    for (int row = 0; row < 3; ++row) {
        window.eventLogPane()->eventView()->setCurrentIndex(window.workspace()->logModel()->index(row, 0));
        QTRY_VERIFY(detail->hasEvent());
        // Every tab painted, so lazily filled views are filled and laid out.
        for (int tab = 0; tab < tabs->count(); ++tab) {
            tabs->setCurrentIndex(tab);
            QVERIFY(!window.grab().isNull());
        }
        // Clicks and double clicks on the text (where the URLs are) open nothing.
        const auto editors = detail->findChildren<QPlainTextEdit *>();
        for (QPlainTextEdit *editor : editors) {
            QVERIFY(!editor->textInteractionFlags().testFlag(Qt::LinksAccessibleByMouse));
            if (!editor->isVisible())
                continue;
            for (const QPoint &point : {QPoint(20, 8), QPoint(120, 8), QPoint(60, 24)}) {
                QTest::mouseClick(editor->viewport(), Qt::LeftButton, Qt::ControlModifier, point);
                QTest::mouseDClick(editor->viewport(), Qt::LeftButton, {}, point);
            }
        }
        const auto trees = detail->findChildren<QTreeWidget *>();
        for (const QTreeWidget *tree : trees) {
            for (int top = 0; top < tree->topLevelItemCount(); ++top)
                collectTreeToolTips(tree->topLevelItem(top), tips);
        }
        const auto fields = detail->findChildren<QWidget *>();
        for (const QWidget *field : fields)
            tips.append(field->toolTip());
    }
    // Tool tips shown for real: a rich-text tip would be laid out (and its images loaded) here.
    for (const QString &tip : std::as_const(tips)) {
        QVERIFY2(!rendersMarkup(tip), qPrintable(tip));
        if (!tip.isEmpty())
            QToolTip::showText(window.mapToGlobal(QPoint(50, 50)), tip, &window);
        QCoreApplication::processEvents();
    }
    QToolTip::hideText();

    // No label anywhere in the window renders markup or opens links on its own.
    const auto labels = window.findChildren<QLabel *>();
    for (const QLabel *label : labels) {
        QVERIFY2(!label->openExternalLinks() || label->textFormat() == Qt::PlainText,
                 qPrintable(label->objectName()));
        QVERIFY2(!rendersMarkup(label->text()) || label->textFormat() == Qt::PlainText,
                 qPrintable(label->text()));
    }
    const auto browsers = window.findChildren<QTextBrowser *>();
    for (const QTextBrowser *browser : browsers)
        QVERIFY(!browser->openExternalLinks());

    // Time for anything queued (a fetch, a deferred open) to reach the trap: the server's
    // stream is already complete, so a last event proves the event loop ran well after it.
    QVERIFY(!QTest::qWaitFor([&] { return trap.connections > 0 || !trap.openedUrls.isEmpty(); },
                             500));
    QCOMPARE(trap.connections, 0);
    QVERIFY2(trap.openedUrls.isEmpty(),
             qPrintable(trap.openedUrls.value(0).toString()));
}

// An HTTP reason phrase is the server's text too: shown in the status bar and the tool tips
// of the connection list and the connection log, never as rich text.
void TestHostileGui::markupInReasonPhraseStaysText()
{
    Trap trap;
    TestServer server;
    const QByteArray reason = "<img src=\"" + trap.base() + "/r.png\"><b>Gone</b>";
    server.route("/reason", [reason](TestServer::Exchange *exchange) {
        exchange->writeHead(404, {{"Content-Type", "text/html"}, {"Content-Length", "0"}}, reason);
    });

    MainWindow window;
    window.show();
    Sse::ClientOptions options;
    options.url = server.url("/reason");
    window.addConnection(QStringLiteral("reason"), options);
    const ConnectionListModel *model = window.workspace()->connections()->model();
    QTRY_COMPARE(model->entries().size(), 1);
    QTRY_COMPARE(model->entries().constFirst().state, Sse::Client::State::Failed);
    QVERIFY(model->entries().constFirst().failure.message.contains(QLatin1String("<img")));
    window.connectionsPane()->connectionView()->setCurrentIndex(model->index(0, 0));
    QVERIFY(!window.grab().isNull());

    QStringList texts = collectToolTips(model);
    const auto trees = window.findChildren<QTreeView *>();
    for (const QTreeView *tree : trees)
        texts += collectToolTips(tree->model());
    for (const QString &text : std::as_const(texts))
        QVERIFY2(!rendersMarkup(text), qPrintable(text));
    const auto labels = window.findChildren<QLabel *>();
    bool shown = false;
    for (const QLabel *label : labels) {
        if (!label->text().contains(QLatin1String("<img")))
            continue;
        shown = true;
        QVERIFY2(label->textFormat() == Qt::PlainText, qPrintable(label->text()));
    }
    QVERIFY2(shown, "the failure is not in the status bar");
    QCOMPARE(trap.connections, 0);
    QVERIFY(trap.openedUrls.isEmpty());
}

// One byte every 100 ms inside an event that never ends: the connection list shows the bytes
// going up while the event count stays 0, and the state stays Open.
void TestHostileGui::dripShowsBytesWithoutEvents()
{
    TestServer server;
    server.route("/drip", [](TestServer::Exchange *exchange) {
        exchange->sseHead(TestServer::Framing::Chunked);
        auto *timer = new QTimer(exchange);
        QObject::connect(timer, &QTimer::timeout, exchange, [exchange] { exchange->send("x"); });
        exchange->send("data: ");
        timer->start(100);
    });

    MainWindow window;
    window.show();
    Sse::ClientOptions options;
    options.url = server.url("/drip");
    options.idleTimeoutMs = 2000; // far above the drip interval, even on a loaded machine
    window.addConnection(QStringLiteral("drip"), options);
    const ConnectionListModel *model = window.workspace()->connections()->model();
    QTRY_COMPARE(model->entries().size(), 1);
    QTRY_COMPARE(model->entries().constFirst().state, Sse::Client::State::Open);
    QTRY_VERIFY(model->entries().constFirst().bytes >= 8);
    const qint64 bytes = model->entries().constFirst().bytes;
    const qint64 lastByte = model->entries().constFirst().lastByteMs;
    const QString shownBytes = model->index(0, ConnectionListModel::BytesColumn).data().toString();
    QTRY_VERIFY(model->entries().constFirst().bytes >= bytes + 5);
    QVERIFY(model->entries().constFirst().lastByteMs > lastByte);
    QVERIFY(model->index(0, ConnectionListModel::BytesColumn).data().toString() != shownBytes);
    QCOMPARE(model->index(0, ConnectionListModel::EventsColumn).data().toString(),
             QStringLiteral("0"));
    QCOMPARE(model->entries().constFirst().state, Sse::Client::State::Open);
    QCOMPARE(model->entries().constFirst().reconnects, 0);
    QCOMPARE(window.workspace()->logModel()->rowCount(), 0);
}

// A connection that reconnects all the time fills the connection log (capped at
// MaximumLogEntries). Past the cap, each new entry adds its row and drops the oldest one; the
// view used to rebuild all 2000 rows per entry, which at ten reconnects a second took more
// CPU than the events themselves and let the window fall behind the stream.
void TestHostileGui::reconnectStormAppendsToFullConnectionLog()
{
    TestServer server;
    // One event per response, numbered after the request's Last-Event-ID, then the end.
    server.route("/storm", [](TestServer::Exchange *exchange) {
        exchange->sseHead();
        const QByteArray n = QByteArray::number(exchange->header("Last-Event-ID").toLongLong() + 1);
        exchange->send("retry: 0\nid: " + n + "\ndata: " + n + "\n\n");
        exchange->finish();
    });

    MainWindow window;
    window.show();
    Sse::ClientOptions options;
    options.url = server.url("/storm");
    const quint16 id = window.addConnection(QStringLiteral("storm"), options);
    ConnectionManager *connections = window.workspace()->connections();
    auto *view = window.findChild<QTreeView *>(QStringLiteral("connectionLog"));
    QVERIFY(view);
    const QAbstractItemModel *log = view->model();
    constexpr int cap = ConnectionListModel::MaximumLogEntries;

    // Runs the event loop until at least `target` entries were ever appended to the log.
    auto waitForAppended = [&](qint64 target) {
        QEventLoop loop;
        QTimer timeout;
        timeout.setSingleShot(true);
        connect(&timeout, &QTimer::timeout, &loop, &QEventLoop::quit);
        connect(connections, &ConnectionManager::logAppended, &loop, [&] {
            if (connections->entry(id)->logAppended >= target)
                loop.quit();
        });
        timeout.start(60000);
        if (connections->entry(id)->logAppended < target)
            loop.exec();
        return connections->entry(id)->logAppended >= target;
    };
    QVERIFY(waitForAppended(cap + 50));
    const ConnectionEntry *entry = connections->entry(id);
    QCOMPARE(entry->log.size(), cap);
    QCOMPARE(log->rowCount(), cap);
    const QPersistentModelIndex kept = log->index(cap - 1, 0);
    const qint64 before = entry->logAppended;

    QVERIFY(waitForAppended(before + 30));
    const qint64 added = entry->logAppended - before;
    QCOMPARE(log->rowCount(), cap);
    // The row of an older entry moved up by the number of new entries (rows left at the top
    // and came at the bottom; nothing was reset).
    QVERIFY(kept.isValid());
    QCOMPARE(kept.row(), cap - 1 - added);
    // The rows are the log's entries, oldest first.
    for (int row : {0, cap / 2, cap - 1}) {
        const ConnectionLogEntry &expected = entry->log.at(row);
        QCOMPARE(log->index(row, ConnectionLogModel::StateColumn).data().toString(),
                 ConnectionListModel::stateWord(expected.state));
        QCOMPARE(log->index(row, ConnectionLogModel::LastEventIdColumn).data().toString(),
                 QString::fromUtf8(expected.lastEventId));
    }
    QCOMPARE(entry->idGaps, 0);
}

QTEST_MAIN(TestHostileGui)
#include "tst_hostilegui.moc"
