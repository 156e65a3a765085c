// The health verdict in the real MainWindow (offscreen): the connections list, the status bar
// and the connection log, against loopback streams, on an injected health clock.

#include "models/connectionlistmodel.h"
#include "models/connectionlogmodel.h"
#include "models/connectionmanager.h"
#include "session/savedconnections.h"
#include "session/workspace.h"
#include "testserver.h"
#include "views/alertspane.h"
#include "views/connectionspane.h"
#include "views/mainwindow.h"

#include <QDir>
#include <QLabel>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>
#include <QTest>
#include <QTimer>
#include <QTreeView>

using Exchange = TestServer::Exchange;
using Verdict = Sse::HealthVerdict;

namespace {

// Sends \a bytes every 50 ms after a first event, for as long as the connection lives.
TestServer::Handler every50ms(const QByteArray &bytes)
{
    return [bytes](Exchange *exchange) {
        exchange->sseHead();
        exchange->send(TestServer::formatEvent("first"));
        auto *timer = new QTimer(exchange);
        QObject::connect(timer, &QTimer::timeout, exchange,
                         [exchange, bytes] { exchange->send(bytes); });
        timer->start(50);
    };
}

bool statusBarShows(const MainWindow &window, const QString &text)
{
    const QList<QLabel *> labels = window.statusBar()->findChildren<QLabel *>();
    return std::any_of(labels.cbegin(), labels.cend(),
                       [&](const QLabel *label) { return label->text().contains(text); });
}

} // namespace

class TestHealthView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init() { QSettings().clear(); }
    void verdictsShown();
    void stallThresholdSetByTheUser();

private:
    TestServer m_server;
};

void TestHealthView::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("SSE Monitor Tests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_healthview"));
    m_server.route("/heartbeats", every50ms(": heartbeat\n"));
    m_server.route("/ticker", every50ms("data: tick\n\n"));
    m_server.route("/missing", [](Exchange *exchange) {
        exchange->respond(404, {{"Content-Type", "text/html"}}, "<p>gone</p>");
    });
}

void TestHealthView::verdictsShown()
{
    MainWindow window;
    window.resize(1400, 800);
    ConnectionManager *connections = window.workspace()->connections();
    qint64 now = 0;
    connections->setHealthClock([&now] { return now; });
    QSignalSpy changed(connections, &ConnectionManager::healthChanged);
    window.show();
    auto options = [this](const QByteArray &path) {
        Sse::ClientOptions options;
        options.url = m_server.url(path);
        return options;
    };
    const quint16 ticker = window.addConnection(QStringLiteral("ticker"), options("/ticker"));
    const quint16 missing = window.addConnection(QStringLiteral("missing"), options("/missing"));
    const quint16 beats =
        window.addConnection(QStringLiteral("heartbeats"), options("/heartbeats"));
    QTRY_VERIFY(connections->entry(beats)->events == 1 && connections->entry(ticker)->events > 0);
    QTRY_COMPARE(connections->entry(missing)->state, Sse::Client::State::Failed);
    connections->checkHealth();
    QCOMPARE(connections->entry(beats)->health.verdict, Verdict::Healthy);
    QCOMPARE(connections->entry(missing)->health.verdict, Verdict::Failed);

    // 70 s later (the 60 s threshold before a cadence is learnt), heartbeats still coming.
    now = 70000;
    const qint64 bytes = connections->entry(beats)->bytes;
    const qint64 ticks = connections->entry(ticker)->events;
    QTRY_VERIFY(connections->entry(beats)->bytes > bytes + 20
                && connections->entry(ticker)->events > ticks);
    QTRY_COMPARE(connections->entry(beats)->health.verdict, Verdict::Stalled);
    // The ticker's verdict is judged at the next health check after its new events: wait for it
    // (read at once, it could still be the verdict of a check made before they arrived).
    QTRY_COMPARE(connections->entry(ticker)->health.verdict, Verdict::Healthy);

    const ConnectionListModel *model = connections->model();
    const QString text =
        model->index(model->rowOf(beats), ConnectionListModel::HealthColumn).data().toString();
    QCOMPARE(text, QStringLiteral("Stalled: heartbeats only for 70 s"));
    QCOMPARE(model->index(model->rowOf(ticker), ConnectionListModel::HealthColumn).data(),
             QVariant(QStringLiteral("Healthy")));
    QVERIFY(model->index(model->rowOf(missing), ConnectionListModel::HealthColumn)
                .data()
                .toString()
                .startsWith(QStringLiteral("Failed: HTTP 404")));
    QVERIFY(model->index(model->rowOf(beats), ConnectionListModel::HealthColumn)
                .data(Qt::ToolTipRole)
                .toString()
                .contains(QStringLiteral("Stalled after 60 s")));

    // The status bar: the selected connection's verdict, and the count of problems.
    window.connectionsPane()->selectConnection(beats);
    QTRY_VERIFY(statusBarShows(window, QStringLiteral("health: Stalled: heartbeats only")));
    QTRY_VERIFY(statusBarShows(window, QStringLiteral("2 unhealthy")));

    // The connection log: the change of verdict, after connecting and open.
    auto *view = window.findChild<QTreeView *>(QStringLiteral("connectionLog"));
    QVERIFY(view);
    QAbstractItemModel *log = view->model();
    QTRY_VERIFY(log->rowCount() >= 3);
    const int last = log->rowCount() - 1;
    QCOMPARE(log->index(last, ConnectionLogModel::StateColumn).data().toString(),
             QStringLiteral("health: Stalled"));
    // The row is written when the verdict changes: a health check that ran after the clock's
    // jump but before the next heartbeat arrived saw no bytes at all yet (both are Stalled;
    // seen under ctest -j8).
    const QString detail = log->index(last, ConnectionLogModel::DetailColumn).data().toString();
    QVERIFY2(detail == QStringLiteral("heartbeats only for 70 s")
                     || detail == QStringLiteral("no bytes for 70 s"),
             qPrintable(detail));
    QVERIFY(std::any_of(changed.cbegin(), changed.cend(), [&](const QList<QVariant> &args) {
        return args.at(0).value<quint16>() == beats
            && args.at(1).value<Sse::Health>().verdict == Verdict::Stalled;
    }));

    // Looked at: the connection log tab in front.
    for (QTabWidget *tabs : window.findChildren<QTabWidget *>()) {
        for (int i = 0; i < tabs->count(); ++i) {
            if (tabs->widget(i)->isAncestorOf(view))
                tabs->setCurrentIndex(i);
        }
    }
    const QString dir = qEnvironmentVariable("SSE_SCREENSHOT_DIR", QDir::tempPath());
    QVERIFY(window.grab().save(dir + QStringLiteral("/health-verdicts.png")));
}

// The Alerts tab's "stalled after" box sets the connection's threshold, saved with it; 0 goes
// back to the learnt one.
void TestHealthView::stallThresholdSetByTheUser()
{
    MainWindow window;
    ConnectionManager *connections = window.workspace()->connections();
    qint64 now = 0;
    connections->setHealthClock([&now] { return now; });
    window.show();
    Sse::ClientOptions options;
    options.url = m_server.url("/heartbeats");
    const quint16 id = window.addConnection(QStringLiteral("beats"), options);
    window.connectionsPane()->selectConnection(id);
    QTRY_COMPARE(connections->entry(id)->events, 1);
    auto *stallAfter = window.alertsPane()->findChild<QSpinBox *>(QStringLiteral("stallAfter"));
    QVERIFY(stallAfter);
    QCOMPARE(stallAfter->value(), 0);
    stallAfter->setValue(5);
    emit stallAfter->editingFinished();
    now = 6000;
    QTRY_COMPARE(connections->entry(id)->health.verdict, Verdict::Stalled);
    QCOMPARE(connections->entry(id)->health.detail, QStringLiteral("heartbeats only for 6 s"));
    const ConnectionListModel *model = connections->model();
    QVERIFY(model->index(model->rowOf(id), ConnectionListModel::HealthColumn)
                .data(Qt::ToolTipRole)
                .toString()
                .contains(QStringLiteral("Stalled after 5 s without a data event (set)")));
    QCOMPARE(SavedConnections::load(QSettings()).value(0).stallAfterSeconds, 5);

    stallAfter->setValue(0);
    emit stallAfter->editingFinished();
    QTRY_COMPARE(connections->entry(id)->health.verdict, Verdict::Healthy);
    QCOMPARE(connections->entry(id)->health.stallAfterMs, 60000);
    QCOMPARE(SavedConnections::load(QSettings()).value(0).stallAfterSeconds, 0);
}

QTEST_MAIN(TestHealthView)
#include "tst_healthview.moc"
