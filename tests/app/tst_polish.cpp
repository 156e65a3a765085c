// Issue 19, the last of "the first five minutes": the real MainWindow (offscreen) against
// loopback streams, checked where a new user sees it: the status bar, the keychain banner,
// the totals, Diagnostics and the looks.

#include "testserver.h"

#include "models/connectionlistmodel.h"
#include "models/eventstore.h"
#include "models/secretstore.h"
#include "models/statisticsmodel.h"
#include "views/connectiondetailtabs.h"
#include "views/diagnosticsview.h"
#include "session/workspace.h"
#include "views/mainstatusbar.h"
#include "views/mainwindow.h"
#include "views/noticebar.h"

#include <QClipboard>
#include <QGuiApplication>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QTableWidget>
#include <QLocale>
#include <QTreeView>
#include <QToolButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>

namespace {

const QString shotDirectory = QStringLiteral("/tmp/polishshots");

QByteArray events(int count, int firstId = 1)
{
    QByteArray body;
    for (int i = 0; i < count; ++i)
        body += "id: " + QByteArray::number(firstId + i) + "\nevent: tick\ndata: {\"n\":"
                + QByteArray::number(firstId + i) + "}\n\n";
    return body;
}

QLabel *label(const QWidget *window, const char *name)
{
    return window->findChild<QLabel *>(QLatin1String(name));
}

} // namespace

class TestPolish : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void messageLeavesStateVisible();
    void keychainBannerOnce();
    void totalsAgree();
    void diagnosticsBySeverity();

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
    connect(window.workspace()->connections(), &ConnectionManager::countersRefreshed, this,
            [&] {
                if (list->rowCount() == 0)
                    return;
                ++ticks;
                const QStringList seen{statusBarCount(), listCount(), statisticsCount()};
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
    QCOMPARE(table->rowCount(), int(report.findings.size()) + [&report] {
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

QTEST_MAIN(TestPolish)
#include "tst_polish.moc"
