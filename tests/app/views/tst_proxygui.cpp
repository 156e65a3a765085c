// The Proxy connection kind in the real window, offscreen (issue 17): a proxy made through
// File > New Connection or the workspace, an in-process loopback upstream, our own client
// sent through it; every event-stream exchange shows up as a connection under the proxy with
// its events in the log, the LLM model and a recording; other exchanges in the proxy's log.

#include "models/connectionlistmodel.h"
#include "models/eventlogmodel.h"
#include "models/eventstore.h"
#include "models/llmresponsemodel.h"
#include "session/savedconnections.h"
#include "session/workspace.h"
#include "views/connectiondialog.h"
#include "views/connectionspane.h"
#include "views/eventlogpane.h"
#include "views/mainwindow.h"

#include "testserver.h"
#include "tlssseserver.h"

#include "sselib/jsonlines.h"
#include "sselib/sseclient.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QNetworkAccessManager>
#include <QNetworkProxyFactory>
#include <QNetworkReply>
#include <QProcess>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTableView>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

namespace {

// An OpenAI chat completion in three chunks, then [DONE].
QByteArray chatStream(const QByteArray &word)
{
    QByteArray body;
    for (const QByteArray &piece : {word, QByteArray(" and"), QByteArray(" more")}) {
        body += "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
                "\"delta\":{\"content\":\"" + piece + "\"},\"finish_reason\":null}]}\n\n";
    }
    body += "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
            "\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n";
    body += "data: [DONE]\n\n";
    return body;
}

const ConnectionEntry *exchangeNamed(const ConnectionManager &connections, const QString &name)
{
    for (const ConnectionEntry &entry : connections.model()->entries()) {
        if (entry.parentId != 0 && entry.name == name)
            return &entry;
    }
    return nullptr;
}

// Rows of the event log under the connection \a name (the log shows them on its timer).
int logRowsOf(const EventLogModel *log, const QString &name)
{
    int rows = 0;
    for (int row = 0; row < log->rowCount(); ++row) {
        if (log->index(row, EventLogModel::ConnectionColumn).data().toString() == name)
            ++rows;
    }
    return rows;
}

// POSTs a chat request through the proxy with our own client and keeps what arrives.
struct AppClient
{
    explicit AppClient(const QUrl &proxy, const QByteArray &path = "/v1/chat/completions")
    {
        Sse::ClientOptions options;
        options.url = proxy.resolved(QUrl(QString::fromLatin1(path)));
        options.method = "POST";
        options.body = R"({"model":"gpt-4o","stream":true})";
        options.headers = {{"Content-Type", "application/json"},
                           {"Authorization", "Bearer sk-secret-value"}};
        options.reconnectPolicy = Sse::ReconnectPolicy::Never;
        client.setOptions(options);
        QObject::connect(&client, &Sse::Client::eventsReceived, &client,
                         [this](const Sse::EventBatch &batch) { batch.appendTo(events); });
        client.open();
    }
    Sse::Client client;
    Sse::EventList events;
};

} // namespace

class tst_ProxyGui : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();

    void exchangesBecomeConnections();
    void selectedProxyScopesNewExchanges();
    void otherExchangesAreListed();
    void dialogCreatesProxy_data();
    void dialogCreatesProxy();
    void savedWithTheOthers();
    void olderFilesAreStreams();
    void stopAndRemoveStopTheListener();
    void portInUseFails();
    void floodedWindowSkipsInsteadOfQueueing();
    void tlsUpstream_data();
    void tlsUpstream();
    void screenshot();

private:
    quint16 startProxy(Workspace &workspace, bool llm = true);
    QUrl proxyUrl(const Workspace &workspace, quint16 id) const;

    TestServer m_upstream;
    QByteArray m_lastAuthorization;
};

void tst_ProxyGui::initTestCase()
{
    QNetworkProxyFactory::setUseSystemConfiguration(false);
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("SSE Monitor Tests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_proxygui"));
    QVERIFY(m_upstream.isListening());
    m_upstream.route("/v1/chat/completions", [this](TestServer::Exchange *exchange) {
        m_lastAuthorization = exchange->request().header("authorization");
        exchange->sseHead(TestServer::Framing::Chunked);
        exchange->send(chatStream("Hello"));
        exchange->finish();
    });
    // Stays open until the client goes: a stream under way.
    m_upstream.route("/v1/open", [](TestServer::Exchange *exchange) {
        exchange->sseHead(TestServer::Framing::Chunked);
        exchange->send("data: first\n\n");
    });
    m_upstream.route("/v1/models", [](TestServer::Exchange *exchange) {
        exchange->respond(200, {{"Content-Type", "application/json"}},
                          R"({"data":[{"id":"gpt-4o"}]})");
    });
}

void tst_ProxyGui::init()
{
    QTest::failOnWarning(QRegularExpression(
        QStringLiteral("^(?!This plugin does not support propagateSizeHints).*")));
    QSettings().clear();
}

quint16 tst_ProxyGui::startProxy(Workspace &workspace, bool llm)
{
    ProxySettings settings;
    settings.listenPort = 0; // any free port
    settings.upstream = m_upstream.url("/");
    settings.llmAnalysis = llm;
    const quint16 id = workspace.addProxy(QStringLiteral("Proxy"), settings);
    if (id == 0)
        return 0;
    if (!QTest::qWaitFor([&] {
            return workspace.connections()->entry(id)->state == Sse::Client::State::Open;
        })) {
        return 0;
    }
    return id;
}

QUrl tst_ProxyGui::proxyUrl(const Workspace &workspace, quint16 id) const
{
    return QUrl(QStringLiteral("http://") + workspace.connections()->entry(id)->listeningOn);
}

void tst_ProxyGui::exchangesBecomeConnections()
{
    MainWindow window;
    Workspace *workspace = window.workspace();
    QAbstractItemModelTester tester(workspace->connections()->model(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    window.show();
    const quint16 proxy = startProxy(*workspace);
    QVERIFY(proxy != 0);
    // A stream connection added after the proxy: exchanges still go right under the proxy.
    Sse::ClientOptions other;
    other.url = m_upstream.url("/v1/open");
    const quint16 stream = window.addConnection(QStringLiteral("other"), other);

    QTemporaryDir directory;
    const QString recording = directory.filePath(QStringLiteral("proxy.jsonl"));
    QVERIFY(workspace->startRecording(recording));

    AppClient app(proxyUrl(*workspace, proxy));
    QTRY_COMPARE(app.events.size(), 5);
    QTRY_COMPARE(app.client.state(), Sse::Client::State::Closed);
    QCOMPARE(m_lastAuthorization, QByteArray("Bearer sk-secret-value")); // forwarded unchanged

    const QString name = QStringLiteral("POST /v1/chat/completions #1");
    QTRY_VERIFY(exchangeNamed(*workspace->connections(), name));
    const ConnectionEntry *exchange = exchangeNamed(*workspace->connections(), name);
    const quint16 id = exchange->id;
    QCOMPARE(exchange->parentId, proxy);
    QTRY_COMPARE(workspace->connections()->entry(id)->events, qint64(5));
    QTRY_COMPARE(workspace->connections()->entry(id)->state, Sse::Client::State::Closed);
    exchange = workspace->connections()->entry(id);
    QCOMPARE(exchange->httpStatus, 200);
    QVERIFY(exchange->bodyEnded);
    QCOMPARE(exchange->options.method, QByteArray("POST"));
    QCOMPARE(exchange->options.url, m_upstream.url("/v1/chat/completions"));
    // What the application sent is shown with its credentials masked.
    for (const auto &[header, value] : exchange->options.headers) {
        if (header.compare("authorization", Qt::CaseInsensitive) == 0)
            QVERIFY(!value.contains("sk-secret-value"));
    }
    // Grouped: proxy row, its exchange, then the connection added before the exchange came.
    const ConnectionListModel *model = workspace->connections()->model();
    QCOMPARE(model->rowOf(id), model->rowOf(proxy) + 1);
    QCOMPARE(model->rowOf(stream), model->rowOf(id) + 1);
    QVERIFY(model->index(model->rowOf(id), ConnectionListModel::NameColumn)
                .data().toString().endsWith(name));

    // The events are in the log under the exchange's name (the log shows them on its timer).
    EventLogModel *log = workspace->logModel();
    const auto logRows = [log, &name] { return logRowsOf(log, name); };
    QTRY_COMPARE(workspace->logModel()->store().connectionEventCount(id), qint64(5));
    // Selecting the exchange's row shows them in the log, as for any connection.
    window.connectionsPane()->selectConnection(id);
    QTRY_COMPARE(logRows(), 5);
    // Selecting the proxy's row (as the user does) shows the events of its exchanges.
    window.connectionsPane()->connectionView()->selectRow(model->rowOf(proxy));
    QTRY_COMPARE(log->rowCount(), 5);
    QCOMPARE(logRows(), 5);
    // The LLM model read the stream to its end.
    QTRY_COMPARE(workspace->llmModel()->lastVerdictKind(id), LlmResponseModel::Verdict::Complete);
    // The proxy row counts the exchange.
    const QString state =
        model->index(model->rowOf(proxy), ConnectionListModel::StateColumn).data().toString();
    QVERIFY2(state.contains(QStringLiteral("Listening on 127.0.0.1:"))
                 && state.contains(QStringLiteral("1 exchange")),
             qPrintable(state));

    // And the recording holds the exchange's events under its name, without the key.
    workspace->stopRecording();
    QTRY_VERIFY(!workspace->isRecording());
    QFile file(recording);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray written = file.readAll();
    QVERIFY(!written.contains("sk-secret-value"));
    int events = 0;
    for (const QByteArray &line : written.split('\n')) {
        const QJsonObject record = QJsonDocument::fromJson(line).object();
        if (record.value(QLatin1String("connection")).toString() == name
            && record.contains(QLatin1String("data"))) {
            ++events;
        }
    }
    if (events != 5)
        qDebug().noquote() << written;
    QCOMPARE(events, 5);
}

// With the proxy's row selected, an exchange that starts later joins the log's scope as it
// appears, without reselecting, and leaves it when removed; the selection stays on the proxy
// and the log is not rescanned for it.
void tst_ProxyGui::selectedProxyScopesNewExchanges()
{
    MainWindow window;
    window.resize(1280, 820);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    Workspace *workspace = window.workspace();
    const quint16 proxy = startProxy(*workspace);
    QVERIFY(proxy != 0);
    // A stream of its own, outside the proxy: the scope keeps its event out.
    Sse::ClientOptions other;
    other.url = m_upstream.url("/v1/open");
    const quint16 stream = window.addConnection(QStringLiteral("other"), other);
    EventLogModel *log = workspace->logModel();
    QTRY_COMPARE(log->store().connectionEventCount(stream), qint64(1));

    AppClient first(proxyUrl(*workspace, proxy));
    const QString firstName = QStringLiteral("POST /v1/chat/completions #1");
    QTRY_VERIFY(exchangeNamed(*workspace->connections(), firstName));
    QTRY_COMPARE(log->store().connectionEventCount(
                     exchangeNamed(*workspace->connections(), firstName)->id),
                 qint64(5));

    // The user selects the proxy's row.
    const ConnectionListModel *model = workspace->connections()->model();
    ConnectionsPane *pane = window.connectionsPane();
    pane->connectionView()->selectRow(model->rowOf(proxy));
    QTRY_COMPARE(log->rowCount(), 5);
    QCOMPARE(logRowsOf(log, firstName), 5);
    const int currentRow = 2;
    window.eventLogPane()->eventView()->setCurrentIndex(log->index(currentRow, 0));
    const qint64 currentSequence =
        log->index(currentRow, 0).data(EventLogModel::SequenceRole).toLongLong();

    // A second exchange starts: its event shows up under the scope at once.
    QSignalSpy resets(log, &QAbstractItemModel::modelReset);
    AppClient second(proxyUrl(*workspace, proxy), "/v1/open");
    const QString secondName = QStringLiteral("POST /v1/open #2");
    QTRY_VERIFY(exchangeNamed(*workspace->connections(), secondName));
    const quint16 secondId = exchangeNamed(*workspace->connections(), secondName)->id;
    QTRY_COMPARE(logRowsOf(log, secondName), 1);
    QCOMPARE(log->rowCount(), 6);
    QCOMPARE(logRowsOf(log, QStringLiteral("other")), 0);
    QVERIFY(window.eventLogPane()->connectionScope().contains(secondId));
    // Not stolen: the proxy's row is still the selection and the current row; the log kept
    // its rows and its current event (no rescan, no reset).
    QCOMPARE(pane->selectedConnections(), QList<quint16> {proxy});
    QCOMPARE(pane->currentConnection(), proxy);
    QCOMPARE(resets.size(), 0);
    QCOMPARE(window.eventLogPane()->eventView()->currentIndex().data(EventLogModel::SequenceRole)
                 .toLongLong(),
             currentSequence);
    QVERIFY2(window.eventLogPane()->scopeChipText().startsWith(QStringLiteral("Only ")),
             qPrintable(window.eventLogPane()->scopeChipText()));

    const QByteArray directory = qgetenv("SSE_SCREENSHOT_DIR");
    if (!directory.isEmpty()) {
        workspace->connections()->model()->refresh();
        QVERIFY(window.grab().save(QString::fromLocal8Bit(directory)
                                   + QStringLiteral("/screenshot-proxy-live-scope.png")));
    }

    // Removed, it leaves the scope and the log; the proxy stays selected.
    workspace->removeConnection(secondId);
    QVERIFY(!window.eventLogPane()->connectionScope().contains(secondId));
    QTRY_COMPARE(log->rowCount(), 5);
    QCOMPARE(logRowsOf(log, firstName), 5);
    QCOMPARE(pane->selectedConnections(), QList<quint16> {proxy});
}

void tst_ProxyGui::otherExchangesAreListed()
{
    Workspace workspace;
    // With the analysis off, the LLM model does not see the exchanges.
    const quint16 proxy = startProxy(workspace, false);
    QVERIFY(proxy != 0);
    QNetworkAccessManager network;
    std::unique_ptr<QNetworkReply> reply(
        network.get(QNetworkRequest(proxyUrl(workspace, proxy).resolved(QUrl(u"/v1/models"_qs)))));
    QTRY_VERIFY(reply->isFinished());
    QCOMPARE(reply->readAll(), QByteArray(R"({"data":[{"id":"gpt-4o"}]})"));

    // Not an event stream: no connection of its own, a line in the proxy's log.
    const auto listed = [&] {
        for (const ConnectionLogEntry &log : workspace.connections()->entry(proxy)->log) {
            if (log.detail.startsWith(QStringLiteral("GET /v1/models #1 · HTTP 200 · ")))
                return true;
        }
        return false;
    };
    QTRY_VERIFY(listed());
    for (const ConnectionEntry &entry : workspace.connections()->model()->entries())
        QCOMPARE(entry.parentId, quint16(0));
    QCOMPARE(workspace.connections()->entry(proxy)->exchanges, qint64(1));

    AppClient app(proxyUrl(workspace, proxy));
    QTRY_COMPARE(app.client.state(), Sse::Client::State::Closed);
    const QString name = QStringLiteral("POST /v1/chat/completions #2");
    QTRY_VERIFY(exchangeNamed(*workspace.connections(), name));
    const quint16 id = exchangeNamed(*workspace.connections(), name)->id;
    QTRY_COMPARE(workspace.connections()->entry(id)->events, qint64(5));
    QCOMPARE(workspace.llmModel()->lastVerdictKind(id), LlmResponseModel::Verdict::Streaming);
    QCOMPARE(workspace.llmModel()->lastVerdict(id), QString());
}

void tst_ProxyGui::dialogCreatesProxy_data()
{
    QTest::addColumn<QString>("address");
    QTest::addColumn<bool>("allowRemote");
    QTest::addColumn<bool>("accepted");
    QTest::addColumn<bool>("warning");
    QTest::newRow("loopback") << QStringLiteral("127.0.0.1") << false << true << false;
    QTest::newRow("localhost") << QStringLiteral("localhost") << false << true << false;
    QTest::newRow("remote without the box") << QStringLiteral("0.0.0.0") << false << false << true;
    QTest::newRow("remote with the box") << QStringLiteral("0.0.0.0") << true << true << true;
    QTest::newRow("not an address") << QStringLiteral("nowhere") << false << false << true;
}

void tst_ProxyGui::dialogCreatesProxy()
{
    QFETCH(QString, address);
    QFETCH(bool, allowRemote);
    QFETCH(bool, accepted);
    QFETCH(bool, warning);

    // A port that was free a moment ago.
    quint16 port = 0;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::Any));
        port = probe.serverPort();
    }
    MainWindow window;
    window.show();
    QAction *newAction = nullptr;
    for (QAction *action : window.findChildren<QAction *>()) {
        if (action->objectName() == QLatin1String("newConnectionAction")
            || action->text().remove(QLatin1Char('&')).startsWith(QStringLiteral("New Connection")))
            newAction = action;
    }
    QVERIFY(newAction);
    bool sawDialog = false;
    bool okEnabled = false;
    bool hintShown = false;
    QTimer::singleShot(0, this, [&] {
        auto *dialog = qobject_cast<ConnectionDialog *>(QApplication::activeModalWidget());
        if (!dialog)
            return;
        sawDialog = true;
        auto *kind = dialog->findChild<QComboBox *>(QStringLiteral("kindCombo"));
        kind->setCurrentIndex(kind->findData(int(ConnectionDialog::Kind::Proxy)));
        QVERIFY(!dialog->findChild<QWidget *>(QStringLiteral("tabs"))->isVisible());
        QVERIFY(dialog->findChild<QWidget *>(QStringLiteral("proxyPage"))->isVisible());
        QTest::keyClicks(dialog->findChild<QLineEdit *>(QStringLiteral("upstreamEdit")),
                         m_upstream.url("/").toString());
        auto *listen = dialog->findChild<QLineEdit *>(QStringLiteral("listenAddressEdit"));
        listen->clear();
        QTest::keyClicks(listen, address);
        dialog->findChild<QSpinBox *>(QStringLiteral("listenPortSpin"))->setValue(port);
        dialog->findChild<QCheckBox *>(QStringLiteral("allowRemoteCheck"))->setChecked(allowRemote);
        okEnabled = dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok)->isEnabled();
        hintShown = dialog->findChild<QLabel *>(QStringLiteral("listenHint"))->isVisible();
        if (okEnabled)
            dialog->accept();
        else
            dialog->reject();
    });
    newAction->trigger();
    QVERIFY(sawDialog);
    QCOMPARE(okEnabled, accepted);
    QCOMPARE(hintShown, warning);
    const ConnectionListModel *model = window.workspace()->connections()->model();
    if (!accepted) {
        QCOMPARE(model->rowCount(), 0);
        return;
    }
    QCOMPARE(model->rowCount(), 1);
    const ConnectionEntry &entry = model->entries().first();
    QVERIFY(entry.proxyListener);
    QCOMPARE(entry.proxyListener->upstream, m_upstream.url("/"));
    QCOMPARE(entry.proxyListener->listenPort, port);
    QCOMPARE(entry.proxyListener->listenAddress,
             address == QLatin1String("localhost") ? QStringLiteral("127.0.0.1") : address);
    QVERIFY(entry.proxyListener->llmAnalysis); // on unless unticked
    QCOMPARE(entry.name, QStringLiteral("Proxy 127.0.0.1"));
    QTRY_COMPARE(model->entries().first().state, Sse::Client::State::Open);
    QCOMPARE(window.connectionsPane()->currentConnection(), entry.id);
}

void tst_ProxyGui::savedWithTheOthers()
{
    ProxySettings settings;
    settings.listenPort = 0;
    settings.upstream = m_upstream.url("/");
    settings.allowInsecureTls = true;
    settings.llmAnalysis = false;
    {
        Workspace workspace;
        const quint16 proxy = startProxy(workspace);
        QVERIFY(proxy != 0);
        workspace.updateProxy(proxy, QStringLiteral("Proxy"), settings);
        QTRY_COMPARE(workspace.connections()->entry(proxy)->state, Sse::Client::State::Open);
        Sse::ClientOptions options;
        options.url = m_upstream.url("/v1/open");
        workspace.addConnection(QStringLiteral("stream"), options, ConnectionManager::Start::Later);
        AppClient app(proxyUrl(workspace, proxy));
        QTRY_VERIFY(exchangeNamed(*workspace.connections(),
                                  QStringLiteral("POST /v1/chat/completions #1")));
        workspace.saveConnections();
    }
    // Exchanges are not saved; the proxy is, with its kind and settings.
    const QList<SavedConnection> saved = SavedConnections::load(QSettings());
    QCOMPARE(saved.size(), 2);
    QCOMPARE(saved.at(0).kind, SavedConnection::Kind::Proxy);
    QCOMPARE(saved.at(0).proxy, settings);
    QVERIFY(saved.at(0).open);
    QCOMPARE(saved.at(1).kind, SavedConnection::Kind::Stream);

    Workspace restored;
    QCOMPARE(restored.restoreConnections(), 2);
    const ConnectionEntry &proxy = restored.connections()->model()->entries().first();
    QVERIFY(proxy.proxyListener);
    QCOMPARE(*proxy.proxyListener, settings);
    QCOMPARE(proxy.name, QStringLiteral("Proxy"));
    QTRY_COMPARE(restored.connections()->model()->entries().first().state,
                 Sse::Client::State::Open);
    QVERIFY(!restored.connections()->model()->entries().last().proxyListener);
}

void tst_ProxyGui::olderFilesAreStreams()
{
    // An entry written before the proxy kind existed, and one of an unknown kind, load as
    // streams with their URL.
    for (const QByteArray &json :
         {QByteArray(R"({"name":"old","url":"http://127.0.0.1:1/events"})"),
          QByteArray(R"({"name":"future","kind":"tunnel","url":"http://127.0.0.1:1/events"})")}) {
        const SavedConnection saved =
            SavedConnection::fromJson(QJsonDocument::fromJson(json).object());
        QCOMPARE(saved.kind, SavedConnection::Kind::Stream);
        QCOMPARE(saved.options.url, QUrl(u"http://127.0.0.1:1/events"_qs));
    }
    const SavedConnection proxy = SavedConnection::fromJson(QJsonDocument::fromJson(
        R"({"name":"p","kind":"proxy","url":"http://u:1","proxy":{"upstream":"http://u:1"}})")
                                                                .object());
    QCOMPARE(proxy.kind, SavedConnection::Kind::Proxy);
    QCOMPARE(proxy.proxy.listenAddress, QStringLiteral("127.0.0.1"));
    QCOMPARE(proxy.proxy.listenPort, ProxySettings::DefaultPort);
    QVERIFY(proxy.proxy.llmAnalysis);
}

void tst_ProxyGui::stopAndRemoveStopTheListener()
{
    Workspace workspace;
    const quint16 proxy = startProxy(workspace);
    QVERIFY(proxy != 0);
    QUrl url = proxyUrl(workspace, proxy);

    // A stream under way when the proxy stops ends with it.
    AppClient app(url, "/v1/open");
    const QString name = QStringLiteral("POST /v1/open #1");
    QTRY_VERIFY(exchangeNamed(*workspace.connections(), name));
    const quint16 exchange = exchangeNamed(*workspace.connections(), name)->id;
    QTRY_COMPARE(app.events.size(), 1);

    const auto refused = [&url] {
        QTcpSocket socket;
        QSignalSpy failed(&socket, &QTcpSocket::errorOccurred);
        socket.connectToHost(QHostAddress::LocalHost, quint16(url.port()));
        return failed.wait(5000) && socket.error() == QAbstractSocket::ConnectionRefusedError;
    };
    QVERIFY(!refused());
    workspace.connections()->close(proxy);
    QCOMPARE(workspace.connections()->entry(proxy)->state, Sse::Client::State::Closed);
    QTRY_VERIFY(refused());
    QTRY_VERIFY(app.client.state() != Sse::Client::State::Open);
    QCOMPARE(workspace.connections()->entry(exchange)->state, Sse::Client::State::Closed);

    // Open again (port 0: another free one); remove: the listener and its exchanges go.
    workspace.openConnection(proxy);
    QTRY_COMPARE(workspace.connections()->entry(proxy)->state, Sse::Client::State::Open);
    url = proxyUrl(workspace, proxy);
    QVERIFY(!refused());
    workspace.removeConnection(proxy);
    QVERIFY(!workspace.connections()->entry(proxy));
    QVERIFY(!workspace.connections()->entry(exchange));
    QTRY_VERIFY(refused());
}

void tst_ProxyGui::portInUseFails()
{
    QTcpServer taken;
    QVERIFY(taken.listen(QHostAddress::LocalHost));
    Workspace workspace;
    ProxySettings settings;
    settings.listenPort = taken.serverPort();
    settings.upstream = m_upstream.url("/");
    const quint16 id = workspace.addProxy(QStringLiteral("Proxy"), settings);
    QTRY_COMPARE(workspace.connections()->entry(id)->state, Sse::Client::State::Failed);
    const QString text = ConnectionListModel::stateText(*workspace.connections()->entry(id), 0);
    QVERIFY2(text.contains(QStringLiteral("Cannot listen on 127.0.0.1:%1").arg(taken.serverPort())),
             qPrintable(text));
}

// An application reads a 100,000-event stream through the proxy while the window does not run
// (curl, waited for on the GUI thread; the upstream is `sse-monitor-cli replay --fast`, another
// process): the application gets all of it at full speed, and the window, past its budget of
// queued batches, counts the events it skipped instead of queueing them without bound.
void tst_ProxyGui::floodedWindowSkipsInsteadOfQueueing()
{
    const QString cli = qEnvironmentVariable("SSE_MONITOR_CLI");
    QVERIFY2(!cli.isEmpty(), "SSE_MONITOR_CLI is not set: run this test through ctest");
    const QString curl = QStandardPaths::findExecutable(QStringLiteral("curl"));
    QVERIFY2(!curl.isEmpty(), "curl not found (scripts/deps.sh installs it)");
    constexpr int Events = 100000;
    QTemporaryDir directory;
    const QString path = directory.filePath(QStringLiteral("flood.jsonl"));
    {
        QByteArray out;
        Sse::JsonLines::Writer writer;
        writer.appendHeader(out, QStringLiteral("flood"), QStringLiteral("http://flood/events"));
        writer.setConnection(QStringLiteral("flood"));
        const QByteArray padding(160, 'x');
        for (int n = 0; n < Events; ++n) {
            Sse::Event event;
            event.data = "{\"n\":" + QByteArray::number(n) + ",\"pad\":\"" + padding + "\"}";
            event.lastEventId = QByteArray::number(n);
            event.receivedMs = 1'700'000'000'000 + n;
            writer.appendEvent(out, n + 1, event);
        }
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        QCOMPARE(file.write(out), out.size());
    }
    QProcess replay;
    replay.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    replay.start(cli, {QStringLiteral("replay"), path, QStringLiteral("--fast"),
                       QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0")});
    QVERIFY(replay.waitForStarted(10000));
    QTRY_VERIFY_WITH_TIMEOUT(replay.canReadLine(), 20000);
    const QUrl served(QString::fromUtf8(replay.readLine().trimmed()));
    QVERIFY2(served.scheme() == QLatin1String("http"), qPrintable(served.toString()));

    Workspace workspace;
    ProxySettings settings;
    settings.listenPort = 0;
    settings.upstream = served.resolved(QUrl(u"/"_qs));
    const quint16 proxy = workspace.addProxy(QStringLiteral("Proxy"), settings);
    QTRY_COMPARE(workspace.connections()->entry(proxy)->state, Sse::Client::State::Open);

    QProcess app;
    app.setStandardOutputFile(directory.filePath(QStringLiteral("app.out")));
    app.start(curl, {QStringLiteral("-sN"), proxyUrl(workspace, proxy).toString()
                                                + served.path()});
    // The GUI thread waits here: nothing it queued is applied until curl is done.
    QVERIFY(app.waitForFinished(120000));
    QCOMPARE(app.exitCode(), 0);
    QFile received(directory.filePath(QStringLiteral("app.out")));
    QVERIFY(received.open(QIODevice::ReadOnly));
    QCOMPARE(received.readAll().count("\ndata: "), qsizetype(Events)); // each after its id: line

    const QString name = QStringLiteral("GET %1 #1").arg(served.path());
    QTRY_VERIFY(exchangeNamed(*workspace.connections(), name));
    const quint16 id = exchangeNamed(*workspace.connections(), name)->id;
    QTRY_COMPARE_WITH_TIMEOUT(workspace.connections()->entry(id)->state,
                              Sse::Client::State::Closed, 30000);
    const ConnectionEntry *entry = workspace.connections()->entry(id);
    // What the proxy parsed, from its log line for the exchange ("· 99,987 events").
    qint64 parsed = -1;
    for (const ConnectionLogEntry &log : workspace.connections()->entry(proxy)->log) {
        const QRegularExpressionMatch match =
            QRegularExpression(QStringLiteral("· ([0-9,]+) event")).match(log.detail);
        if (log.detail.startsWith(name) && match.hasMatch())
            parsed = match.captured(1).remove(QLatin1Char(',')).toLongLong();
    }
    qInfo("the proxy parsed %lld of %d events; the window shows %lld, skipped %lld", parsed,
          Events, entry->events, entry->dropped);
    QVERIFY(entry->dropped > 0);
    QVERIFY(entry->events > 0);
    // Every event the proxy handed over is shown or counted as skipped.
    QCOMPARE(entry->events + entry->dropped, parsed);
    // The proxy parses every event it forwards (it once skipped and repeated bytes when a
    // flush re-entered its pump).
    QCOMPARE(parsed, qint64(Events));
    replay.kill();
    replay.waitForFinished(10000);
}

void tst_ProxyGui::tlsUpstream_data()
{
    QTest::addColumn<bool>("withCa");
    QTest::addColumn<bool>("insecure");
    QTest::addColumn<bool>("streams");
    QTest::newRow("the test CA given") << true << false << true;
    QTest::newRow("any certificate accepted") << false << true << true;
    QTest::newRow("untrusted") << false << false << false;
}

// The dialog's TLS options reach the proxy: an https upstream signed by the test CA works with
// the CA file or "accept any certificate"; without either the application gets a 502 and the
// proxy's log says why.
void tst_ProxyGui::tlsUpstream()
{
    QFETCH(bool, withCa);
    QFETCH(bool, insecure);
    QFETCH(bool, streams);
    TlsSseServer upstream;
    QVERIFY(upstream.listen(QStringLiteral(TLS_DATA_DIR), TlsSseServer::ClientCertificates::NotAsked));
    upstream.setScript({{0, "data: over tls\n\n"}, {10, "id: 2\ndata: two\n\n"}});
    QFile ca(QStringLiteral(TLS_DATA_DIR "/ca.pem"));
    QVERIFY(ca.open(QIODevice::ReadOnly));
    Workspace workspace;
    ProxySettings settings;
    settings.listenPort = 0;
    settings.upstream = upstream.url(QStringLiteral("/"));
    settings.caCertificatesPem = withCa ? ca.readAll() : QByteArray();
    settings.allowInsecureTls = insecure;
    const quint16 proxy = workspace.addProxy(QStringLiteral("TLS"), settings);
    QTRY_COMPARE(workspace.connections()->entry(proxy)->state, Sse::Client::State::Open);
    AppClient app(proxyUrl(workspace, proxy), "/v1/stream");
    if (streams) {
        const QString name = QStringLiteral("POST /v1/stream #1");
        QTRY_VERIFY(exchangeNamed(*workspace.connections(), name));
        QTRY_COMPARE(exchangeNamed(*workspace.connections(), name)->events, qint64(2));
        QCOMPARE(app.events.size(), 2);
        return;
    }
    QTRY_COMPARE(app.client.state(), Sse::Client::State::Failed);
    const auto listed = [&] {
        for (const ConnectionLogEntry &log : workspace.connections()->entry(proxy)->log) {
            if (log.detail.startsWith(QStringLiteral("POST /v1/stream #1 · HTTP 502 · ")))
                return true;
        }
        return false;
    };
    QTRY_VERIFY(listed());
    for (const ConnectionEntry &entry : workspace.connections()->model()->entries())
        QCOMPARE(entry.parentId, quint16(0));
}

void tst_ProxyGui::screenshot()
{
    MainWindow window;
    window.resize(1280, 820);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    Workspace *workspace = window.workspace();
    Sse::ClientOptions options;
    options.url = m_upstream.url("/v1/open");
    window.addConnection(QStringLiteral("upstream stream"), options);
    const quint16 proxy = startProxy(*workspace);
    QVERIFY(proxy != 0);
    AppClient first(proxyUrl(*workspace, proxy));
    QTRY_COMPARE(first.client.state(), Sse::Client::State::Closed);
    QNetworkAccessManager network;
    std::unique_ptr<QNetworkReply> models(
        network.get(QNetworkRequest(proxyUrl(*workspace, proxy).resolved(QUrl(u"/v1/models"_qs)))));
    QTRY_VERIFY(models->isFinished());
    AppClient second(proxyUrl(*workspace, proxy));
    AppClient open(proxyUrl(*workspace, proxy), "/v1/open");
    QTRY_COMPARE(workspace->connections()->entry(proxy)->exchanges, qint64(4));
    QTRY_VERIFY(exchangeNamed(*workspace->connections(), QStringLiteral("POST /v1/open #4")));
    QTRY_COMPARE(workspace->connections()->entry(proxy)->activeExchanges, 1);
    window.connectionsPane()->selectConnection(proxy);
    workspace->connections()->model()->refresh();
    const QPixmap pixmap = window.grab();
    QVERIFY(!pixmap.isNull());
    const QByteArray directory = qgetenv("SSE_SCREENSHOT_DIR");
    if (!directory.isEmpty()) {
        QVERIFY(pixmap.save(QString::fromLocal8Bit(directory)
                            + QStringLiteral("/screenshot-proxy.png")));
        // Wide enough to read the names and states (the pane's own widths are narrower).
        QTableView *view = window.connectionsPane()->connectionView();
        view->setColumnWidth(ConnectionListModel::NameColumn, 260);
        view->setColumnWidth(ConnectionListModel::StateColumn, 380);
        window.connectionsPane()->resize(1000, 260);
        QVERIFY(window.connectionsPane()->grab().save(
            QString::fromLocal8Bit(directory) + QStringLiteral("/screenshot-proxy-pane.png")));
    }
}

QTEST_MAIN(tst_ProxyGui)
#include "tst_proxygui.moc"
