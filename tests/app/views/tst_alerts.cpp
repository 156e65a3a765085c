// Alerts on the real MainWindow (offscreen) against loopback streams: rules (match, id gap,
// stall, failed, reconnects) raise alerts into the list and through a test double of the
// notifier, rate-limited, recorded as "alert" records and saved with the connection; the
// rule editor of the Alerts tab; one real D-Bus notification when a server is on the bus.

#include "models/alertlistmodel.h"
#include "models/connectionmanager.h"
#include "models/eventlogmodel.h"
#include "models/eventstore.h"
#include "recording/recorder.h"
#include "session/alertcenter.h"
#include "session/desktopnotifier.h"
#include "session/savedconnections.h"
#include "session/workspace.h"
#include "testserver.h"
#include "views/alertspane.h"
#include "views/connectiondetailtabs.h"
#include "views/connectionspane.h"
#include "views/eventlogpane.h"
#include "views/mainwindow.h"

#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPointer>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using Exchange = TestServer::Exchange;
using Kind = AlertRule::Kind;

namespace {

// What a desktop notification would have shown.
class RecordingNotifier : public Notifier
{
public:
    void notify(const QString &title, const QString &body) override
    {
        sent.append(title + QStringLiteral(" | ") + body);
    }
    QStringList sent;
};

AlertRule rule(Kind kind, const QString &expression = {}, qint64 seconds = 60, int count = 3)
{
    AlertRule rule;
    rule.kind = kind;
    rule.expression = expression;
    rule.seconds = seconds;
    rule.count = count;
    return rule;
}

QStringList column(const AlertListModel *model, int column)
{
    QStringList values;
    for (int row = 0; row < model->rowCount(); ++row)
        values.append(model->index(row, column).data().toString());
    return values;
}

} // namespace

class TestAlerts : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init() { QSettings().clear(); }
    void rulesRoundTrip_data();
    void rulesRoundTrip();
    void alertsOnTheWindow();
    void ruleEditor();
    void activatingAnAlertShowsItsEvent();
    void rateLimitPerRule_data();
    void rateLimitPerRule();
    void realDesktopNotification();

private:
    TestServer m_server;
};

void TestAlerts::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("SSE Monitor Tests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_alerts"));
    // Two alarms (ids 1 and 3), an id gap (3 -> 7), then heartbeats only.
    m_server.route("/alarms", [](Exchange *exchange) {
        exchange->sseHead();
        exchange->send(TestServer::formatEvent("{\"level\":3}", "alarm", "1")
                       + TestServer::formatEvent("ok", "info", "2"));
        exchange->sendLater(30, TestServer::formatEvent("{\"level\":5}", "alarm", "3"));
        exchange->sendLater(60, TestServer::formatEvent("ok", "info", "7"));
        auto *timer = new QTimer(exchange);
        QObject::connect(timer, &QTimer::timeout, exchange,
                         [exchange] { exchange->send(": heartbeat\n"); });
        timer->start(50);
    });
    m_server.route("/missing", [](Exchange *exchange) {
        exchange->respond(404, {{"Content-Type", "text/html"}}, "<p>gone</p>");
    });
    m_server.route("/drop", [](Exchange *exchange) {
        exchange->sseHead();
        exchange->send("retry: 20\ndata: bye\n\n");
        exchange->finish();
    });
}

void TestAlerts::rulesRoundTrip_data()
{
    QTest::addColumn<QString>("json");
    QTest::addColumn<bool>("valid");

    QTest::newRow("match") << QStringLiteral(R"({"kind":"match","expression":"type == \"a\""})")
                           << true;
    QTest::newRow("stall") << QStringLiteral(R"({"kind":"stall","seconds":30})") << true;
    QTest::newRow("reconnects") << QStringLiteral(R"({"kind":"reconnects","seconds":60,"count":2})")
                                << true;
    QTest::newRow("id gap") << QStringLiteral(R"({"kind":"id-gap"})") << true;
    QTest::newRow("failed") << QStringLiteral(R"({"kind":"failed"})") << true;
    QTest::newRow("unknown kind") << QStringLiteral(R"({"kind":"telepathy"})") << false;
    QTest::newRow("bad expression")
        << QStringLiteral(R"({"kind":"match","expression":"type =="})") << false;
    // Alert rules test live events, which nobody can have marked yet.
    QTest::newRow("marked") << QStringLiteral(R"({"kind":"match","expression":"marked"})") << false;
    QTest::newRow("zero seconds") << QStringLiteral(R"({"kind":"stall","seconds":0})") << false;
    QTest::newRow("negative count")
        << QStringLiteral(R"({"kind":"reconnects","seconds":5,"count":-1})") << false;
    QTest::newRow("rate limit") << QStringLiteral(R"({"kind":"id-gap","rate_limit_seconds":5})")
                                << true;
    QTest::newRow("no rate limit")
        << QStringLiteral(R"({"kind":"failed","rate_limit_seconds":0})") << true;
    QTest::newRow("negative rate limit")
        << QStringLiteral(R"({"kind":"failed","rate_limit_seconds":-1})") << false;
}

void TestAlerts::rulesRoundTrip()
{
    QFETCH(QString, json);
    QFETCH(bool, valid);

    const QJsonObject object = QJsonDocument::fromJson(json.toUtf8()).object();
    const std::optional<AlertRule> parsed = AlertRule::fromJson(object);
    QCOMPARE(parsed.has_value(), valid);
    if (!valid)
        return;
    QCOMPARE(AlertRule::fromJson(parsed->toJson()), parsed);
    // The rate limit: as saved, or the default of rules saved before it could be set.
    QCOMPARE(parsed->rateLimitSeconds,
             object.value(QStringLiteral("rate_limit_seconds"))
                 .toInteger(AlertRule::DefaultRateLimitSeconds));
    QCOMPARE(parsed->toJson().contains(QStringLiteral("rate_limit_seconds")),
             object.contains(QStringLiteral("rate_limit_seconds")));
    // Saved with the connection, and read back.
    SavedConnection saved;
    saved.name = QStringLiteral("c");
    saved.options.url = QUrl(QStringLiteral("http://127.0.0.1:1/s"));
    saved.alerts = {*parsed};
    const SavedConnection back = SavedConnection::fromJson(
        saved.toJson(SavedConnection::Target::ProfileFile, Sse::SecretHandling::Exclude));
    QCOMPARE(back.alerts, saved.alerts);
}

void TestAlerts::alertsOnTheWindow()
{
    QTemporaryDir directory;
    QVERIFY(directory.isValid());
    const QString recording = directory.filePath(QStringLiteral("alerts.jsonl"));
    MainWindow window;
    window.resize(1400, 860);
    Workspace *workspace = window.workspace();
    ConnectionManager *connections = workspace->connections();
    qint64 now = 1000;
    connections->setHealthClock([&now] { return now; });
    RecordingNotifier notifier;
    workspace->alerts()->setNotifier(&notifier);
    QSignalSpy raised(workspace->alerts(), &AlertCenter::alertRaised);
    window.show();

    auto options = [this](const QByteArray &path) {
        Sse::ClientOptions options;
        options.url = m_server.url(path);
        options.defaultRetryMs = 20;
        return options;
    };
    // Rules go in before the event loop runs again: no event can come before them.
    const quint16 alarms = window.addConnection(QStringLiteral("alarms"), options("/alarms"));
    workspace->setAlertRules(alarms,
                             {rule(Kind::Match, QStringLiteral("type == \"alarm\"")),
                              rule(Kind::IdGap), rule(Kind::Stall, {}, 30)});
    const quint16 missing = window.addConnection(QStringLiteral("missing"), options("/missing"));
    workspace->setAlertRules(missing, {rule(Kind::Failed)});
    const quint16 drop = window.addConnection(QStringLiteral("drop"), options("/drop"));
    workspace->setAlertRules(drop, {rule(Kind::Reconnects, {}, 60, 1)});
    // A recording announces the connections there are when it starts.
    QVERIFY(workspace->startRecording(recording));

    const AlertListModel *model = workspace->alerts()->model();
    // alarm (id 1), the gap (3 -> 7), the failure, the reconnects; alarm 3 is held back.
    QTRY_COMPARE(model->rowCount(), 4);
    QTRY_VERIFY(connections->entry(alarms)->events == 4);
    // The second alarm, and the drop connection's further reconnects, within the cooldown.
    QVERIFY(workspace->alerts()->suppressed() >= 1);
    QStringList rules = column(model, AlertListModel::RuleColumn);
    rules.sort();
    QCOMPARE(rules,
             (QStringList {QStringLiteral("connection failed"), QStringLiteral("id gap"),
                           QStringLiteral("match: type == \"alarm\""),
                           QStringLiteral("reconnects > 1 in 60 s")}));
    const QStringList details = column(model, AlertListModel::DetailColumn);
    QVERIFY2(details.contains(QStringLiteral("event of type \"alarm\": {\"level\":3}")),
             qPrintable(details.join(u'\n')));
    QVERIFY(details.contains(QStringLiteral("id 7 followed id 3 (3 missing)")));
    QVERIFY(!details.join(u'\n').contains(QStringLiteral("level\":5")));
    QVERIFY2(std::any_of(details.cbegin(), details.cend(),
                         [](const QString &d) { return d.contains(QStringLiteral("404")); }),
             qPrintable(details.join(u'\n')));
    QCOMPARE(notifier.sent.size(), 4);
    // The alarm and the event after the gap are marked in the event log (once it flushed).
    EventLogModel *log = workspace->logModel();
    const auto markedRows = [log] {
        QStringList marked;
        for (int row = 0; row < log->rowCount(); ++row) {
            const QModelIndex time = log->index(row, EventLogModel::TimeColumn);
            if (log->isMarked(log->sequenceAt(row)) && time.data(Qt::DecorationRole).isValid())
                marked.append(log->index(row, EventLogModel::IdColumn).data().toString() + u' '
                              + time.data(Qt::ToolTipRole).toString());
        }
        return marked;
    };
    QTRY_COMPARE(markedRows(),
                 (QStringList {QStringLiteral("1 match: type == \"alarm\": event of type "
                                              "\"alarm\": {\"level\":3}"),
                               QStringLiteral("7 id gap: id 7 followed id 3 (3 missing)")}));
    QVERIFY(
        notifier.sent.contains(QStringLiteral("alarms: id gap | id 7 followed id 3 (3 missing)")));

    // 40 s of heartbeats only: the stall rule (the timer looks every second).
    now += 40000;
    QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 5, 3000);
    const int last = model->rowCount() - 1;
    QCOMPARE(model->index(last, AlertListModel::RuleColumn).data().toString(),
             QStringLiteral("stall > 30 s"));
    QCOMPARE(model->index(last, AlertListModel::DetailColumn).data().toString(),
             QStringLiteral("heartbeats only for 40 s"));
    QVERIFY(model->index(last, AlertListModel::EventColumn)
                .data()
                .toString()
                .startsWith(QStringLiteral("id 7 at")));
    // Once per silence, not once per look.
    now += 5000;
    workspace->alerts()->checkStalls();
    workspace->alerts()->checkStalls();
    QCOMPARE(model->rowCount(), 5);

    // Recorded: one "alert" record per raised alert.
    QTRY_COMPARE(raised.size(), 5);
    QSignalSpy stopped(workspace->recorder(), &Recorder::stopped);
    workspace->stopRecording();
    QVERIFY(stopped.wait(5000));
    QFile file(recording);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QStringList recorded;
    for (const QByteArray &line : file.readAll().split('\n')) {
        const QJsonObject record = QJsonDocument::fromJson(line).object();
        if (record.value(QLatin1String("kind")).toString() == QLatin1String("alert")) {
            recorded.append(record.value(QLatin1String("connection")).toString()
                            + QStringLiteral(": ")
                            + record.value(QLatin1String("rule")).toString());
            QVERIFY(record.value(QLatin1String("time")).toString().endsWith(u'Z'));
        }
    }
    recorded.sort();
    QCOMPARE(recorded,
             (QStringList {QStringLiteral("alarms: id gap"),
                           QStringLiteral("alarms: match: type == \"alarm\""),
                           QStringLiteral("alarms: stall > 30 s"),
                           QStringLiteral("drop: reconnects > 1 in 60 s"),
                           QStringLiteral("missing: connection failed")}));

    // Saved with the connection.
    const QList<SavedConnection> saved = SavedConnections::load(QSettings());
    const auto alarmsSaved = std::find_if(saved.cbegin(), saved.cend(), [](const auto &c) {
        return c.name == QStringLiteral("alarms");
    });
    QVERIFY(alarmsSaved != saved.cend());
    QCOMPARE(alarmsSaved->alerts.size(), 3);

    // Looked at: the Alerts tab in front, the alarms connection selected.
    window.connectionsPane()->selectConnection(alarms);
    window.detailTabs()->setCurrentWidget(window.alertsPane());
    const QString dir = qEnvironmentVariable("SSE_SCREENSHOT_DIR", QDir::tempPath());
    QVERIFY(window.grab().save(dir + QStringLiteral("/alerts.png")));
}

void TestAlerts::ruleEditor()
{
    MainWindow window;
    window.show();
    Sse::ClientOptions options;
    options.url = m_server.url("/missing");
    const quint16 id = window.addConnection(QStringLiteral("edited"), options);
    window.connectionsPane()->selectConnection(id);
    AlertsPane *pane = window.alertsPane();
    auto *kind = pane->findChild<QComboBox *>(QStringLiteral("alertRuleKind"));
    auto *value = pane->findChild<QLineEdit *>(QStringLiteral("alertRuleValue"));
    auto *add = pane->findChild<QPushButton *>(QStringLiteral("addAlertRule"));
    auto *remove = pane->findChild<QPushButton *>(QStringLiteral("removeAlertRule"));
    auto *list = pane->findChild<QListWidget *>(QStringLiteral("alertRules"));
    auto *error = pane->findChild<QLabel *>(QStringLiteral("alertRuleError"));
    QVERIFY(kind && value && add && remove && list && error);

    // A bad expression is refused with the parser's message, and nothing is added.
    kind->setCurrentIndex(kind->findData(int(Kind::Match)));
    value->setText(QStringLiteral("type =="));
    add->click();
    QVERIFY2(error->text().contains(QStringLiteral("column 8")), qPrintable(error->text()));
    QCOMPARE(list->count(), 0);
    value->setText(QStringLiteral("data.level > 2 && marked"));
    add->click();
    QVERIFY2(error->text().contains(QStringLiteral("column 19: 'marked' is not available here")),
             qPrintable(error->text()));
    QCOMPARE(list->count(), 0);
    value->setText(QStringLiteral("data.level > 2"));
    add->click();
    QVERIFY(error->text().isEmpty());
    kind->setCurrentIndex(kind->findData(int(Kind::Stall)));
    value->setText(QStringLiteral("soon"));
    add->click();
    QVERIFY(!error->text().isEmpty());
    value->setText(QStringLiteral("45"));
    add->click();
    QCOMPARE(list->count(), 2);
    QCOMPARE(list->item(1)->text(), QStringLiteral("stall > 45 s · at most one alert per 60 s"));
    QCOMPARE(window.workspace()->alerts()->rules(id),
             (QList<AlertRule> {rule(Kind::Match, QStringLiteral("data.level > 2")),
                                rule(Kind::Stall, {}, 45)}));
    list->setCurrentRow(0);
    remove->click();
    QCOMPARE(list->count(), 1);
    // In the settings at once.
    const QList<SavedConnection> saved = SavedConnections::load(QSettings());
    QCOMPARE(saved.size(), 1);
    QCOMPARE(saved.first().alerts, QList<AlertRule> {rule(Kind::Stall, {}, 45)});

    // The rate limit: set for the next rule added, and changed on the selected one.
    auto *rateLimit = pane->findChild<QSpinBox *>(QStringLiteral("alertRuleRateLimit"));
    QVERIFY(rateLimit && rateLimit->isEnabled());
    QCOMPARE(rateLimit->value(), 60);
    kind->setCurrentIndex(kind->findData(int(Kind::IdGap)));
    rateLimit->setValue(10);
    add->click();
    QCOMPARE(list->item(1)->text(), QStringLiteral("id gap · at most one alert per 10 s"));
    list->setCurrentRow(0);
    QCOMPARE(rateLimit->value(), 60); // the selected rule's
    rateLimit->setValue(0);
    emit rateLimit->editingFinished();
    QCOMPARE(list->item(0)->text(), QStringLiteral("stall > 45 s · every occurrence"));
    AlertRule idGap = rule(Kind::IdGap);
    idGap.rateLimitSeconds = 10;
    AlertRule stall = rule(Kind::Stall, {}, 45);
    stall.rateLimitSeconds = 0;
    QCOMPARE(window.workspace()->alerts()->rules(id), (QList<AlertRule> {stall, idGap}));
    QCOMPARE(SavedConnections::load(QSettings()).first().alerts,
             (QList<AlertRule> {stall, idGap}));
}

void TestAlerts::rateLimitPerRule_data()
{
    QTest::addColumn<qint64>("limit");
    QTest::addColumn<int>("alerts");
    // /alarms sends two alarms 30 ms apart (the health clock stands still).
    QTest::newRow("default: one a minute") << AlertRule::DefaultRateLimitSeconds << 1;
    QTest::newRow("no limit") << qint64(0) << 2;
}

void TestAlerts::rateLimitPerRule()
{
    QFETCH(qint64, limit);
    QFETCH(int, alerts);
    MainWindow window;
    window.show();
    Workspace *workspace = window.workspace();
    qint64 now = 1000;
    workspace->connections()->setHealthClock([&now] { return now; });
    Sse::ClientOptions options;
    options.url = m_server.url("/alarms");
    const quint16 id = window.addConnection(QStringLiteral("alarms"), options);
    AlertRule alarm = rule(Kind::Match, QStringLiteral("type == \"alarm\""));
    alarm.rateLimitSeconds = limit;
    workspace->setAlertRules(id, {alarm});
    QTRY_COMPARE(workspace->connections()->entry(id)->events, 4);
    QCOMPARE(workspace->alerts()->model()->rowCount(), alerts);
    QCOMPARE(workspace->alerts()->suppressed(), 2 - alerts);
}

void TestAlerts::activatingAnAlertShowsItsEvent()
{
    // 300 events, the alarm, 300 more: following the tail, the alarm is far out of view.
    TestServer server;
    QPointer<Exchange> stream;
    server.route("/burst", [&stream](Exchange *exchange) {
        exchange->sseHead();
        QByteArray wire;
        for (int i = 0; i < 600; ++i) {
            wire += i == 300 ? TestServer::formatEvent("{\"level\":9}", "alarm", "300")
                             : TestServer::formatEvent("ok", "info", QByteArray::number(i));
        }
        exchange->send(wire);
        stream = exchange;
    });
    MainWindow window;
    window.resize(1400, 860);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    Workspace *workspace = window.workspace();
    EventLogModel *log = workspace->logModel();
    log->setByteBudget(EventStore::MinimumByteBudget);
    Sse::ClientOptions options;
    options.url = server.url("/burst");
    const quint16 id = window.addConnection(QStringLiteral("burst"), options);
    workspace->setAlertRules(id, {rule(Kind::Match, QStringLiteral("type == \"alarm\""))});
    AlertsPane *pane = window.alertsPane();
    window.detailTabs()->setCurrentWidget(pane);
    const AlertListModel *model = workspace->alerts()->model();
    QTRY_COMPARE(model->rowCount(), 1);
    QTRY_COMPARE(log->rowCount(), 600);
    const qint64 sequence = model->alerts().first().eventSequence;
    QVERIFY(sequence >= 0);
    QTableView *events = window.eventLogPane()->eventView();
    const auto inView = [events](const QModelIndex &index) {
        return events->viewport()->rect().contains(events->visualRect(index).center());
    };
    QTRY_VERIFY(!inView(log->index(log->rowOfSequence(sequence), 0)));

    QTableView *alerts = pane->alertView();
    const auto activate = [alerts, model] {
        const QRect cell = alerts->visualRect(model->index(0, AlertListModel::RuleColumn));
        // A press that selects the row, then the double click on it.
        QTest::mouseClick(alerts->viewport(), Qt::LeftButton, {}, cell.center());
        QTest::mouseDClick(alerts->viewport(), Qt::LeftButton, {}, cell.center());
    };
    QSignalSpy activated(alerts, &QAbstractItemView::activated);
    activate();
    QCOMPARE(activated.size(), 1);
    const QModelIndex current = events->currentIndex();
    QVERIFY(current.isValid());
    QCOMPARE(log->sequenceAt(current.row()), sequence);
    QCOMPARE(log->index(current.row(), EventLogModel::IdColumn).data().toString(),
             QStringLiteral("300"));
    QVERIFY(events->selectionModel()->isRowSelected(current.row(), QModelIndex()));
    QVERIFY(inView(current));
    QVERIFY(!window.eventLogPane()->followAction()->isChecked());
    QVERIFY(pane->jumpMessage().isEmpty());
    QVERIFY(window.grab().save(QDir::tempPath() + QStringLiteral("/alert-jump.png")));

    // 1.5 MiB more pushes the alarm out of the 1 MiB log: activating it says so.
    QVERIFY(stream);
    QByteArray flood;
    for (int i = 0; i < 1500; ++i)
        flood += TestServer::formatEvent(QByteArray(1000, 'x'), "info");
    stream->send(flood);
    QTRY_VERIFY(!log->store().contains(sequence));
    activate();
    QVERIFY2(pane->jumpMessage().contains(QStringLiteral("evicted")),
             qPrintable(pane->jumpMessage()));
    QVERIFY(pane->findChild<QLabel *>(QStringLiteral("alertJumpMessage"))->isVisible());
}

void TestAlerts::realDesktopNotification()
{
    if (!DesktopNotifier::isAvailable())
        QSKIP("no org.freedesktop.Notifications server on a session bus here");
    DesktopNotifier notifier;
    notifier.notify(QStringLiteral("SSE Monitor test"), QStringLiteral("a test notification"));
    QCOMPARE(notifier.sent(), 1);
}

QTEST_MAIN(TestAlerts)
#include "tst_alerts.moc"
