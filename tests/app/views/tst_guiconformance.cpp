// Scenarios of the load-conformance harness (tests/load/cases.py) in the real MainWindow
// (offscreen), against the harness's scripted event-stream server running as its own Python
// process (tests/load/scripted_server.py).
//
// Each row adds one connection through the Workspace with the case's URL, headers and
// reconnection time, selects it as a user would, waits for its final state and then checks
// three things that can each go wrong on their own:
//   - the event log's events of that connection: type, data and last event id, the exact list;
//   - the connection log the window shows for it (the Connection Log tab): every entry, with
//     the Last-Event-ID of each attempt, the delay of each reconnection, the redirects and the
//     final Closed or Failed entry;
//   - the server's request log: the exact number of requests, none unscheduled, and per request
//     the Last-Event-ID, the origin and the custom headers (secret ones left out on another
//     origin).
// The events, the requests and their Last-Event-ID values come from the case itself
// (`cases.py --dump NAME`); the connection log the window must show is written in the table.

#include "models/connectionlogmodel.h"
#include "models/connectionmanager.h"
#include "models/eventlogmodel.h"
#include "models/eventstore.h"
#include "session/workspace.h"
#include "views/connectiondetailtabs.h"
#include "views/connectionspane.h"
#include "views/mainwindow.h"

#include <QAbstractItemModelTester>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>

#include <algorithm>

namespace {

const QString LoadDirectory = QStringLiteral(SSE_LOAD_TEST_DIR);
const QString Python = QStringLiteral(SSE_PYTHON3);
constexpr int CaseTimeoutMs = 15000;
// After the final state, how long the test keeps watching for a request the client should
// not make: longer than every reconnection time in the table, so that a reconnection the
// state machine scheduled by mistake, or a request re-sent behind its back, would arrive.
constexpr int QuietWindowMs = 600;

// The harness's rule for headers that do not follow a redirect to another origin.
bool isSecretHeader(const QString &name)
{
    const QString lowered = name.toLower();
    if (lowered == QLatin1String("authorization") || lowered == QLatin1String("proxy-authorization")
        || lowered == QLatin1String("cookie")) {
        return true;
    }
    static const char *const parts[] = {"token", "secret", "key", "password", "auth", "session",
                                        "cookie"};
    return std::any_of(std::begin(parts), std::end(parts),
                       [&](const char *part) { return lowered.contains(QLatin1String(part)); });
}

QString eventText(const QByteArray &type, const QByteArray &data, const QByteArray &id)
{
    QString shown = QString::fromUtf8(data);
    shown.replace(QLatin1Char('\n'), QLatin1String("\\n"));
    return QStringLiteral("%1 \"%2\" id=%3").arg(QString::fromUtf8(type), shown,
                                                  QString::fromUtf8(id));
}

// Both lists, one item a line, for a failure message.
QString listing(const QString &what, const QStringList &actual, const QStringList &expected)
{
    const QLatin1String separator("\n    ");
    return QStringLiteral("%1:%2%3\nexpected:%2%4")
        .arg(what, separator, actual.join(separator), expected.join(separator));
}

} // namespace

class TestGuiConformance : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanupTestCase();
    void scenario_data();
    void scenario();

private:
    QJsonObject dumpCase(const QString &name);
    QList<QJsonObject> recordsOf(const QString &token, QLatin1String kind) const;
    QList<QJsonObject> requestsOf(const QString &token) const
    {
        return recordsOf(token, QLatin1String("request"));
    }
    QStringList eventsOf(const MainWindow &window, quint16 id) const;
    QStringList connectionLogOf(const QAbstractItemModel *log, const QString &token) const;
    QString lastEventIdOf(const QJsonObject &request) const;

    QTemporaryDir m_directory;
    QString m_requestLog;
    QProcess m_server;
    quint16 m_portA = 0;
    quint16 m_portB = 0;
    int m_runs = 0;
};

void TestGuiConformance::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("SSE Monitor Tests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_guiconformance"));
    QVERIFY(m_directory.isValid());
    m_requestLog = m_directory.filePath(QStringLiteral("requests.jsonl"));

    // The server writes "ports A B" first and runs until its standard input closes.
    m_server.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    m_server.start(Python, {LoadDirectory + QStringLiteral("/scripted_server.py"),
                            QStringLiteral("--cases"), LoadDirectory + QStringLiteral("/cases.py"),
                            QStringLiteral("--log"), m_requestLog});
    QVERIFY2(m_server.waitForStarted(10000), qPrintable(m_server.errorString()));
    QTRY_VERIFY_WITH_TIMEOUT(m_server.canReadLine() || m_server.state() != QProcess::Running,
                             10000);
    const QString first = QString::fromUtf8(m_server.readLine()).trimmed();
    const QStringList words = first.split(QLatin1Char(' '));
    QVERIFY2(words.size() == 3 && words.first() == QLatin1String("ports"), qPrintable(first));
    m_portA = words.at(1).toUShort();
    m_portB = words.at(2).toUShort();
    QVERIFY(m_portA != 0 && m_portB != 0);
}

void TestGuiConformance::init()
{
    // Any warning fails, except the offscreen platform's note about size hints.
    QTest::failOnWarning(
        QRegularExpression(QStringLiteral("^(?!This plugin does not support).*")));
    QSettings().clear();
}

void TestGuiConformance::cleanupTestCase()
{
    if (m_server.state() == QProcess::NotRunning)
        return;
    m_server.closeWriteChannel();
    if (!m_server.waitForFinished(5000)) {
        m_server.kill();
        m_server.waitForFinished(5000);
    }
}

QJsonObject TestGuiConformance::dumpCase(const QString &name)
{
    QProcess dump;
    dump.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    dump.start(Python, {LoadDirectory + QStringLiteral("/cases.py"), QStringLiteral("--dump"),
                        name});
    if (!dump.waitForFinished(10000) || dump.exitStatus() != QProcess::NormalExit
        || dump.exitCode() != 0) {
        return {};
    }
    return QJsonDocument::fromJson(dump.readAllStandardOutput()).object();
}

// The server's records of one kind ("request": its head was read, "end": its response was
// over) for the run \a token, by request number k.
QList<QJsonObject> TestGuiConformance::recordsOf(const QString &token, QLatin1String kind) const
{
    QList<QJsonObject> requests;
    QFile file(m_requestLog);
    if (!file.open(QIODevice::ReadOnly))
        return requests;
    while (!file.atEnd()) {
        const QJsonObject record = QJsonDocument::fromJson(file.readLine()).object();
        if (record.value(QLatin1String("kind")).toString() == kind
            && record.value(QLatin1String("token")).toString() == token) {
            requests.append(record);
        }
    }
    std::sort(requests.begin(), requests.end(), [](const QJsonObject &a, const QJsonObject &b) {
        return a.value(QLatin1String("k")).toInt() < b.value(QLatin1String("k")).toInt();
    });
    return requests;
}

QString TestGuiConformance::lastEventIdOf(const QJsonObject &request) const
{
    // "(absent)" when the request has no Last-Event-ID; more than one is reported as such.
    QStringList values;
    for (const QJsonValue &header : request.value(QLatin1String("headers")).toArray()) {
        const QJsonArray pair = header.toArray();
        if (pair.at(0).toString().compare(QLatin1String("Last-Event-ID"), Qt::CaseInsensitive) == 0)
            values.append(pair.at(1).toString());
    }
    if (values.isEmpty())
        return QStringLiteral("(absent)");
    return values.join(QLatin1String(" + "));
}

// The events of connection \a id in the rows the event log shows, oldest first.
QStringList TestGuiConformance::eventsOf(const MainWindow &window, quint16 id) const
{
    const EventLogModel *log = window.workspace()->logModel();
    QStringList events;
    for (int row = 0; row < log->rowCount(); ++row) {
        const qint64 sequence = log->sequenceAt(row);
        // Reconnect marker rows are the window's, not the server's events.
        if (log->store().connection(sequence) != id || log->store().isMarker(sequence))
            continue;
        const Sse::Event event = log->store().event(sequence);
        events.append(eventText(event.type, event.data, event.lastEventId));
    }
    return events;
}

// One line per row of the connection log as the window shows it: the state word, then the
// HTTP status and the retry column where they are filled, the Last-Event-ID of a Connecting
// entry, and the detail of redirect, Failed and id gap entries. The server's ports and the run's
// token are written {a}, {b} and {token}.
QStringList TestGuiConformance::connectionLogOf(const QAbstractItemModel *log,
                                                const QString &token) const
{
    QStringList lines;
    for (int row = 0; row < log->rowCount(); ++row) {
        auto text = [&](int column) { return log->index(row, column).data().toString(); };
        const QString state = text(ConnectionLogModel::StateColumn);
        if (state.startsWith(QLatin1String("health: ")))
            continue; // verdicts of the health engine: tst_healthview
        const QString status = text(ConnectionLogModel::StatusColumn);
        const QString retry = text(ConnectionLogModel::RetryColumn);
        QString line = state;
        if (!status.isEmpty())
            line += QLatin1Char(' ') + status;
        if (!retry.isEmpty())
            line += QLatin1String(" after ") + retry;
        const bool redirect = status.startsWith(QLatin1Char('3'));
        if (state == QLatin1String("connecting") && !redirect) {
            const QString id = text(ConnectionLogModel::LastEventIdColumn);
            line += QLatin1String(" lei=") + (id.isEmpty() ? QStringLiteral("(none)") : id);
        }
        if (redirect || state == QLatin1String("failed") || state == QLatin1String("id gap"))
            line += QLatin1String(": ") + text(ConnectionLogModel::DetailColumn);
        line.replace(QStringLiteral("http://127.0.0.1:%1").arg(m_portA), QLatin1String("{a}"));
        line.replace(QStringLiteral("http://127.0.0.1:%1").arg(m_portB), QLatin1String("{b}"));
        line.replace(token, QLatin1String("{token}"));
        lines.append(line);
    }
    return lines;
}

void TestGuiConformance::scenario_data()
{
    QTest::addColumn<QString>("caseName");
    QTest::addColumn<QStringList>("connectionLog");
    QTest::addColumn<bool>("screenshot");

    // A FIN after two whole events: one reconnection after the reconnection time, resuming
    // from id 2. The last entry is the user closing the connection.
    QTest::newRow("finish then reconnect with Last-Event-ID")
        << QStringLiteral("fin_then_resume")
        << QStringList{QStringLiteral("connecting lei=(none)"), QStringLiteral("open 200"),
                       QStringLiteral("reconnecting after 200 ms (attempt 1)"),
                       QStringLiteral("connecting lei=2"), QStringLiteral("open 200"),
                       QStringLiteral("closed")}
        << false;
    // The lost event: a, b (id 2), then a TCP reset; the reconnection gets c, d.
    QTest::newRow("reset after events")
        << QStringLiteral("rst_after_events")
        << QStringList{QStringLiteral("connecting lei=(none)"), QStringLiteral("open 200"),
                       QStringLiteral("reconnecting after 200 ms (attempt 1)"),
                       QStringLiteral("connecting lei=2"), QStringLiteral("open 200"),
                       QStringLiteral("closed")}
        << false;
    // Four attempts reset before the status line: one request per reconnection time, and
    // one Connecting and one Reconnecting entry each, never a burst.
    QTest::newRow("reset before status, four times")
        << QStringLiteral("reset_every_attempt")
        << QStringList{QStringLiteral("connecting lei=(none)"),
                       QStringLiteral("reconnecting after 150 ms (attempt 1)"),
                       QStringLiteral("connecting lei=(none)"),
                       QStringLiteral("reconnecting after 150 ms (attempt 2)"),
                       QStringLiteral("connecting lei=(none)"),
                       QStringLiteral("reconnecting after 150 ms (attempt 3)"),
                       QStringLiteral("connecting lei=(none)"),
                       QStringLiteral("reconnecting after 150 ms (attempt 4)"),
                       QStringLiteral("connecting lei=(none)"), QStringLiteral("open 200"),
                       QStringLiteral("closed")}
        << true;
    // A reset inside event 2 (its id line sent, no blank line): event 2 never shows and its
    // id does not count.
    QTest::newRow("abort mid-event")
        << QStringLiteral("rst_mid_event")
        << QStringList{QStringLiteral("connecting lei=(none)"), QStringLiteral("open 200"),
                       QStringLiteral("reconnecting after 200 ms (attempt 1)"),
                       QStringLiteral("connecting lei=1"), QStringLiteral("open 200"),
                       // The server resumes after id 1 with id 3: the window flags the gap.
                       QStringLiteral("id gap: Gap after resume: id 3 followed 1 (1 missing)"),
                       QStringLiteral("closed")}
        << false;
    // 301, then 307, then 200: one attempt, one log line per hop.
    QTest::newRow("redirect chain")
        << QStringLiteral("redirect_chain")
        << QStringList{QStringLiteral("connecting lei=(none)"),
                       QStringLiteral("connecting 301: HTTP 301 redirect to "
                                      "{a}/case/redirect_chain/{token}?hop=1"),
                       QStringLiteral("connecting 307: HTTP 307 redirect to "
                                      "{a}/case/redirect_chain/{token}?hop=2"),
                       QStringLiteral("open 200"), QStringLiteral("closed")}
        << false;
    // The reconnection (Last-Event-ID 1) is redirected: the hop follows at once, keeping it.
    QTest::newRow("redirect on reconnection keeps Last-Event-ID")
        << QStringLiteral("redirect_on_reconnect_keeps_lei")
        << QStringList{QStringLiteral("connecting lei=(none)"), QStringLiteral("open 200"),
                       QStringLiteral("reconnecting after 200 ms (attempt 1)"),
                       QStringLiteral("connecting lei=1"),
                       QStringLiteral("connecting 302: HTTP 302 redirect to "
                                      "{a}/case/redirect_on_reconnect_keeps_lei/{token}?hop=1"),
                       QStringLiteral("open 200"), QStringLiteral("closed")}
        << false;
    // 204 on the reconnection: Failed with status 204, no further request.
    QTest::newRow("204 on reconnection")
        << QStringLiteral("status_204_on_reconnect")
        << QStringList{QStringLiteral("connecting lei=(none)"), QStringLiteral("open 200"),
                       QStringLiteral("reconnecting after 200 ms (attempt 1)"),
                       QStringLiteral("connecting lei=1"),
                       QStringLiteral("failed 204: HTTP 204 No Content: the server asks the "
                                      "client to stop (no reconnection)")}
        << false;
    // 302 to the other origin: the log line names the headers that were not sent there.
    QTest::newRow("cross-origin redirect drops secrets")
        << QStringLiteral("cross_origin_strips_secrets")
        << QStringList{QStringLiteral("connecting lei=(none)"),
                       QStringLiteral("connecting 302: HTTP 302 redirect to "
                                      "{b}/case/cross_origin_strips_secrets/{token}?hop=1; "
                                      "not sent to that origin: Authorization, "
                                      "Proxy-Authorization, Cookie, X-API-Key, X-Session-Token"),
                       QStringLiteral("open 200"), QStringLiteral("closed")}
        << false;
}

void TestGuiConformance::scenario()
{
    QFETCH(QString, caseName);
    QFETCH(QStringList, connectionLog);
    QFETCH(bool, screenshot);

    const QJsonObject definition = dumpCase(caseName);
    QVERIFY2(!definition.isEmpty(), qPrintable(QStringLiteral("cases.py --dump %1").arg(caseName)));
    // The window is given the URL, the headers and the reconnection time; a case that needs
    // other CLI options (a method, a body, an initial id) would not mean the same here.
    const QJsonArray args = definition.value(QLatin1String("args")).toArray();
    QVERIFY2(args.isEmpty()
                 || (args.size() == 2 && args.at(0).toString() == QLatin1String("--max-events")),
             "the case needs CLI options the window is not given");

    const QString token = QStringLiteral("gui-%1-%2-%3")
                              .arg(QCoreApplication::applicationPid())
                              .arg(++m_runs)
                              .arg(caseName);
    Sse::ClientOptions options;
    options.url = QUrl(QStringLiteral("http://127.0.0.1:%1/case/%2/%3")
                           .arg(m_portA)
                           .arg(caseName, token));
    if (definition.value(QLatin1String("retry")).isDouble())
        options.defaultRetryMs = definition.value(QLatin1String("retry")).toInt();
    QList<QPair<QString, QString>> headers;
    for (const QJsonValue &header : definition.value(QLatin1String("headers")).toArray()) {
        const QJsonArray pair = header.toArray();
        headers.append({pair.at(0).toString(), pair.at(1).toString()});
        options.headers.append({pair.at(0).toString().toUtf8(), pair.at(1).toString().toUtf8()});
    }

    QStringList expectedEvents;
    for (const QJsonValue &event : definition.value(QLatin1String("events")).toArray()) {
        const QJsonArray triple = event.toArray();
        expectedEvents.append(eventText(triple.at(0).toString().toUtf8(),
                                        triple.at(1).toString().toUtf8(),
                                        triple.at(2).toString().toUtf8()));
    }
    const QJsonArray responses = definition.value(QLatin1String("responses")).toArray();
    // "closed" (the CLI closed after its events; here the user does) or ["failed", status].
    const QJsonValue final = definition.value(QLatin1String("final"));
    const bool fails = final.isArray();
    const int failedStatus = fails ? final.toArray().at(1).toInt() : 0;

    MainWindow window;
    window.resize(1600, 820); // wide enough for every column of the connection log
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    Workspace *workspace = window.workspace();
    auto *logView = window.findChild<QTreeView *>(QStringLiteral("connectionLog"));
    QVERIFY(logView);
    QAbstractItemModelTester logTester(logView->model(),
                                       QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester eventTester(workspace->logModel(),
                                         QAbstractItemModelTester::FailureReportingMode::QtTest);

    const quint16 id = workspace->addConnection(caseName, options);
    QVERIFY(id != 0);
    window.connectionsPane()->selectConnection(id);
    QCOMPARE(window.detailTabs()->connection(), id);
    window.detailTabs()->setCurrentWidget(logView);
    const ConnectionEntry *entry = workspace->connections()->entry(id);
    QVERIFY(entry);

    // The final state: Failed by itself, or Open on the last (held) response once every
    // event is in.
    if (fails) {
        QTRY_COMPARE_WITH_TIMEOUT(entry->state, Sse::Client::State::Failed, CaseTimeoutMs);
        QCOMPARE(entry->failure.httpStatus, failedStatus);
    }
    QTRY_VERIFY2_WITH_TIMEOUT(
        eventsOf(window, id) == expectedEvents,
        qPrintable(listing(QStringLiteral("events"), eventsOf(window, id), expectedEvents)),
        CaseTimeoutMs);
    if (!fails)
        QTRY_COMPARE_WITH_TIMEOUT(entry->state, Sse::Client::State::Open, CaseTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(requestsOf(token).size(), responses.size(), CaseTimeoutMs);

    // Nothing more may come: no event, no request (a re-send or an unscheduled reconnection
    // would show within this window), no state change. (The health engine may still add a
    // verdict row, e.g. when a recent reconnect ages out: those are not state changes.)
    const QStringList logEntries = connectionLogOf(logView->model(), token);
    QTest::qWait(QuietWindowMs);
    QCOMPARE(connectionLogOf(logView->model(), token), logEntries);
    QVERIFY2(eventsOf(window, id) == expectedEvents,
             qPrintable(listing(QStringLiteral("events"), eventsOf(window, id), expectedEvents)));

    if (screenshot) {
        const QPixmap picture = window.grab();
        QVERIFY(!picture.isNull());
        const QByteArray directory = qgetenv("SSE_MONITOR_SCREENSHOT_DIR");
        if (!directory.isEmpty()) {
            QVERIFY(picture.save(QString::fromLocal8Bit(directory)
                                 + QStringLiteral("/screenshot-reconnecting.png")));
        }
    }
    if (!fails) {
        workspace->connections()->close(id);
        QTRY_COMPARE_WITH_TIMEOUT(entry->state, Sse::Client::State::Closed, CaseTimeoutMs);
    }

    // The server's side: one request per scripted response, each with its Last-Event-ID, its
    // origin and the custom headers that belong there.
    const QList<QJsonObject> requests = requestsOf(token);
    QCOMPARE(requests.size(), responses.size());
    QStringList attemptIds; // the Last-Event-ID of each request that starts an attempt
    for (int k = 0; k < requests.size(); ++k) {
        const QJsonObject &request = requests.at(k);
        const QJsonObject response = responses.at(k).toObject();
        const QJsonObject expect = response.value(QLatin1String("expect")).toObject();
        const QString label = QStringLiteral("request %1: ").arg(k);
        QVERIFY2(!request.value(QLatin1String("unscheduled")).toBool(),
                 qPrintable(label + QStringLiteral("unscheduled")));
        const QJsonValue lei = expect.value(QLatin1String("lei"));
        QCOMPARE(lastEventIdOf(request), lei.isString() ? lei.toString()
                                                        : QStringLiteral("(absent)"));
        const QString origin = expect.value(QLatin1String("origin")).toString(QStringLiteral("a"));
        QCOMPARE(request.value(QLatin1String("origin")).toString(), origin);
        for (const auto &[name, value] : std::as_const(headers)) {
            QStringList sent;
            for (const QJsonValue &header : request.value(QLatin1String("headers")).toArray()) {
                const QJsonArray pair = header.toArray();
                if (pair.at(0).toString().compare(name, Qt::CaseInsensitive) == 0)
                    sent.append(pair.at(1).toString());
            }
            const QStringList expected = origin != QLatin1String("a") && isSecretHeader(name)
                ? QStringList()
                : QStringList{value};
            QVERIFY2(sent == expected,
                     qPrintable(label + name + QStringLiteral(": sent [%1], expected [%2]")
                                            .arg(sent.join(QLatin1String(", ")),
                                                 expected.join(QLatin1String(", ")))));
        }
        const int previousStatus = k > 0
            ? responses.at(k - 1).toObject().value(QLatin1String("status")).toInt(200)
            : 0;
        const bool followsRedirect = k > 0 && previousStatus >= 300 && previousStatus < 400;
        if (!followsRedirect) {
            const QString id = lastEventIdOf(request);
            attemptIds.append(id == QLatin1String("(absent)") ? QStringLiteral("(none)") : id);
        }
        // A reconnection comes no earlier than the reconnection time after the server ended
        // the previous response (the harness's 50 ms for the server's own timing). Only the
        // lower bound: how late it may come depends on the machine, and the runner checks it.
        // (The table's cases set no retry: field, so the reconnection time is the case's.)
        if (k > 0 && !followsRedirect) {
            const QList<QJsonObject> ends = recordsOf(token, QLatin1String("end"));
            const auto end = std::find_if(ends.cbegin(), ends.cend(), [k](const QJsonObject &e) {
                return e.value(QLatin1String("k")).toInt() == k - 1;
            });
            QVERIFY2(end != ends.cend(),
                     qPrintable(label + QStringLiteral("no end of the previous response")));
            const double delay = request.value(QLatin1String("arrival_ms")).toDouble()
                - end->value(QLatin1String("end_ms")).toDouble();
            const int reconnectionTime = expect.value(QLatin1String("delay_ms"))
                                             .toInt(options.defaultRetryMs);
            QVERIFY2(delay >= reconnectionTime - 50,
                     qPrintable(label + QStringLiteral("came %1 ms after the previous response "
                                                       "ended, reconnection time %2 ms")
                                            .arg(delay, 0, 'f', 0)
                                            .arg(reconnectionTime)));
        }
    }

    // The window's side: the connection log, entry by entry; and its Connecting entries are the
    // attempts the server saw, with the Last-Event-ID each one carried.
    const QStringList shownLog = connectionLogOf(logView->model(), token);
    QVERIFY2(shownLog == connectionLog,
             qPrintable(listing(QStringLiteral("connection log"), shownLog, connectionLog)));
    QStringList shownAttemptIds;
    for (const QString &line : shownLog) {
        if (line.startsWith(QLatin1String("connecting lei=")))
            shownAttemptIds.append(line.mid(int(qstrlen("connecting lei="))));
    }
    QCOMPARE(shownAttemptIds, attemptIds);
    if (fails) {
        const QModelIndex state = workspace->connections()->model()->index(
            workspace->connections()->model()->rowOf(id), ConnectionListModel::StateColumn);
        QVERIFY2(state.data().toString().startsWith(QLatin1String("Failed")),
                 qPrintable(state.data().toString()));
    }
}

QTEST_MAIN(TestGuiConformance)
#include "tst_guiconformance.moc"
