// Saved connections and their secrets in the real MainWindow: secret header values go to the
// secret store (an in-memory keychain here), never to the settings file, recordings or exports
// unless asked; Export/Import Connections round-trips, and sse-monitor-cli reads the export.
// The format itself and the import rules, errors included, are tested without a window in
// tests/app/session/tst_savedconnections.

#include "settingsfile.h"
#include "testserver.h"

#include "models/connectionlistmodel.h"
#include "models/eventlogmodel.h"
#include "models/secretstore.h"
#include "recording/exportjob.h"
#include "recording/recorder.h"
#include "session/workspace.h"
#include "views/connectiondialog.h"
#include "views/connectiondetailtabs.h"
#include "views/connectionspane.h"
#include "views/eventlogpane.h"
#include "views/mainwindow.h"
#include "views/noticebar.h"
#include "views/secretvaluedelegate.h"

#include <QAction>
#include <QApplication>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QPlainTextEdit>
#include <QProcess>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QTreeView>

using namespace Qt::StringLiterals;

namespace {

const QByteArray secretValue = "Bearer s3cret-token-42";

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

QByteArray fileBytes(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

Sse::ClientOptions withoutSecrets(Sse::ClientOptions options)
{
    options.headers.removeIf([](const QPair<QByteArray, QByteArray> &header) {
        return Sse::isSecretHeader(header.first);
    });
    return options;
}

QAction *actionNamed(QWidget *window, const QString &text)
{
    const QList<QAction *> actions = window->findChildren<QAction *>();
    for (QAction *action : actions) {
        if (action->text() == text)
            return action;
    }
    return nullptr;
}

} // namespace

class TestConnectionProfiles : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void secretsGoToKeychainAndComeBack();
    void missingSecretIsAskedForBeforeConnecting();
    void plainTextOnlyWithConsent();
    void plainTextNeedsConfirmation();
    void secretsStayRedacted();
    void urlSecretsStayMasked();
    void exportImportRoundTrip();
    void cliUsesExportedFile();

private:
    Sse::ClientOptions secureOptions() const;
    quint16 addSecure(MainWindow &window, const QString &name = u"secure"_s);
    bool runCli(const QStringList &arguments);

    /// Requests to /secure made by this test function.
    int secureCount() const { return m_server.requestCount("/secure") - m_baseline; }
    QList<TestServer::Request> secureRequests() const
    {
        return m_server.requests("/secure").mid(m_baseline);
    }

    TestServer m_server;
    int m_baseline = 0;
    QTemporaryDir m_directory;
    QByteArray m_cliOut;
    QByteArray m_cliErr;
    int m_cliExit = -1;
};

void TestConnectionProfiles::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(u"SSE Monitor Tests"_s);
    QCoreApplication::setApplicationName(u"tst_connectionprofiles"_s);
    QVERIFY(m_server.isListening());
    QVERIFY(m_directory.isValid());
    // One event, then the stream stays open.
    m_server.route("/secure", [](TestServer::Exchange *exchange) {
        exchange->sseHead();
        exchange->send(TestServer::formatEvent("{\"n\":1}", "tick", "1"));
    });
    // A session cookie in the response: a secret the Response tab must not show either.
    m_server.route("/cookie", [](TestServer::Exchange *exchange) {
        exchange->sseHead(TestServer::Framing::CloseDelimited, TestServer::Coding::Identity,
                          {{"Set-Cookie", "session=C00KIE-VALUE"}});
        exchange->send(TestServer::formatEvent("{\"n\":1}", "tick", "1"));
    });
}

void TestConnectionProfiles::init()
{
    QSettings().clear();
    m_baseline = m_server.requestCount("/secure");
}

Sse::ClientOptions TestConnectionProfiles::secureOptions() const
{
    Sse::ClientOptions options;
    options.url = m_server.url("/secure");
    options.headers = {{"X-Team", "blue"}, {"Authorization", secretValue}};
    return options;
}

quint16 TestConnectionProfiles::addSecure(MainWindow &window, const QString &name)
{
    return window.addConnection(name, secureOptions());
}

bool TestConnectionProfiles::runCli(const QStringList &arguments)
{
    QProcess process;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    for (const QString &name : {u"http_proxy"_s, u"HTTP_PROXY"_s, u"all_proxy"_s, u"ALL_PROXY"_s})
        environment.remove(name);
    // No settings of the user's: the CLI reads the exported file only.
    environment.insert(u"XDG_CONFIG_HOME"_s, m_directory.filePath(u"cli-config"_s));
    process.setProcessEnvironment(environment);
    process.setProgram(qEnvironmentVariable("SSE_MONITOR_CLI"));
    process.setArguments(arguments);
    QSignalSpy finished(&process, &QProcess::finished);
    process.start();
    const bool exited = process.waitForStarted(5000) && finished.wait(15000);
    if (!exited) {
        process.kill();
        process.waitForFinished(5000);
    }
    m_cliOut = process.readAllStandardOutput();
    m_cliErr = process.readAllStandardError();
    m_cliExit = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    return exited;
}

void TestConnectionProfiles::secretsGoToKeychainAndComeBack()
{
    auto keychain = std::make_shared<MemorySecretBackend>();
    {
        MainWindow window;
        window.workspace()->secretStore()->setBackend(keychain);
        addSecure(window);
        QTRY_COMPARE(secureCount(), 1);
        window.saveSettings();
        QVERIFY(window.workspace()->secretStore()->waitForIdle(5000));
    }
    QVERIFY(!settingsFileBytes().contains("s3cret-token-42"));
    const QJsonObject saved =
        QJsonDocument::fromJson(QSettings().value(u"connections"_s).toByteArray())
            .array()
            .first()
            .toObject();
    QCOMPARE(saved.value(u"secretHeaders"_s).toArray(), QJsonArray{u"Authorization"_s});
    const QString secretsId = saved.value(u"secretsId"_s).toString();
    QVERIFY(!secretsId.isEmpty());
    QVERIFY(keychain->entries().value(SecretStore::keychainKey(secretsId)).contains(secretValue));

    MainWindow restored;
    restored.workspace()->secretStore()->setBackend(keychain);
    QCOMPARE(restored.restoreConnections(), 1);
    // It starts once the keychain answered, with the secret.
    QTRY_COMPARE(secureCount(), 2);
    QCOMPARE(secureRequests().at(1).header("Authorization"), secretValue);
    QCOMPARE(secureRequests().at(1).header("X-Team"), QByteArray("blue"));
    const ConnectionEntry &entry = restored.workspace()->connections()->model()->entries().first();
    QVERIFY(entry.missingSecrets.isEmpty());
    QVERIFY(!entry.secretsPending);

    // Removing the connection removes its keychain entry.
    restored.workspace()->connections()->remove(entry.id);
    restored.saveSettings();
    QVERIFY(restored.workspace()->secretStore()->waitForIdle(5000));
    QVERIFY(keychain->entries().isEmpty());
}

void TestConnectionProfiles::missingSecretIsAskedForBeforeConnecting()
{
    auto noKeychain = std::make_shared<MemorySecretBackend>();
    noKeychain->setAvailable(false);
    {
        MainWindow window;
        window.workspace()->secretStore()->setBackend(noKeychain);
        addSecure(window);
        QTRY_COMPARE(secureCount(), 1);
        window.saveSettings();
        QVERIFY(window.workspace()->secretStore()->waitForIdle(5000));
        // One banner says it, not a message per save.
        QVERIFY(window.findChild<NoticeBar *>()->text().contains(u"no keychain service"_s));
        QVERIFY(!window.statusBar()->currentMessage().contains(u"were not saved"_s));
    }
    QVERIFY(!settingsFileBytes().contains("s3cret-token-42"));

    MainWindow restored;
    restored.workspace()->secretStore()->setBackend(noKeychain);
    restored.show();
    QCOMPARE(restored.restoreConnections(), 1);
    const ConnectionListModel *model = restored.workspace()->connections()->model();
    const QModelIndex state = model->index(0, ConnectionListModel::StateColumn);
    QTRY_VERIFY2(state.data().toString().startsWith(u"Secret missing: Authorization"_s),
                 qPrintable(state.data().toString()));
    QVERIFY(restored.findChild<NoticeBar *>()->isVisible());
    QVERIFY(restored.statusBar()->currentMessage().startsWith(u"secure: no value for Authorization"_s));

    // Connect opens the dialog at the missing value; once typed, the connection starts.
    QString focusedHeader;
    QTimer typist;
    typist.setInterval(10);
    connect(&typist, &QTimer::timeout, this, [&] {
        auto *dialog = qobject_cast<ConnectionDialog *>(QApplication::activeModalWidget());
        auto *table = dialog ? dialog->findChild<QTableWidget *>(u"headerTable"_s) : nullptr;
        if (!table || table->currentColumn() != ConnectionDialog::HeaderValueColumn)
            return;
        QTableWidgetItem *value = table->item(table->currentRow(), table->currentColumn());
        if (value->data(SecretValueDelegate::ValueRole).toString() == u"Bearer typed-in"_s) {
            typist.stop(); // committed: OK
            dialog->accept();
            return;
        }
        auto *editor = table->viewport()->findChild<QLineEdit *>();
        if (!editor || !focusedHeader.isEmpty())
            return;
        focusedHeader =
            table->item(table->currentRow(), ConnectionDialog::HeaderNameColumn)->text();
        editor->setText(u"Bearer typed-in"_s);
        QTest::keyClick(editor, Qt::Key_Return); // the delegate commits it (queued)
    });
    typist.start();
    QAction *connectAction = actionNamed(&restored, u"&Connect"_s);
    QVERIFY(connectAction);
    connectAction->trigger();
    QCOMPARE(focusedHeader, u"Authorization"_s);
    QTRY_COMPARE(secureCount(), 2);
    QCOMPARE(secureRequests().at(1).header("Authorization"),
             QByteArray("Bearer typed-in"));
    QVERIFY(model->entries().first().missingSecrets.isEmpty());
}

void TestConnectionProfiles::plainTextOnlyWithConsent()
{
    auto noKeychain = std::make_shared<MemorySecretBackend>();
    noKeychain->setAvailable(false);
    {
        MainWindow window;
        window.workspace()->secretStore()->setBackend(noKeychain);
        window.workspace()->secretStore()->setPlainTextFallback(true); // what the confirmed menu item sets
        addSecure(window);
        QTRY_COMPARE(secureCount(), 1);
        window.saveSettings();
        QVERIFY(window.workspace()->secretStore()->waitForIdle(5000));
        QVERIFY(window.statusBar()->currentMessage().contains(u"plain text"_s));
    }
    QVERIFY(settingsFileBytes().contains("s3cret-token-42"));
    // Only the secret store's own group holds it, never the connection list.
    QVERIFY(!QSettings().value(u"connections"_s).toByteArray().contains("s3cret-token-42"));

    MainWindow restored;
    restored.workspace()->secretStore()->setBackend(noKeychain);
    QCOMPARE(restored.restoreConnections(), 1);
    QTRY_COMPARE(secureCount(), 2);
    QCOMPARE(secureRequests().last().header("Authorization"), secretValue);
}

void TestConnectionProfiles::plainTextNeedsConfirmation()
{
    MainWindow window;
    QAction *allow = actionNamed(&window, u"Store Secrets in &Plain Text If No Keychain…"_s);
    QVERIFY(allow);
    QVERIFY(!allow->isChecked());
    // Answers the warning the menu item shows.
    auto answerWith = [](QMessageBox::StandardButton answer) {
        auto *timer = new QTimer;
        timer->setInterval(10);
        QObject::connect(timer, &QTimer::timeout, timer, [timer, answer] {
            auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
            if (!box)
                return;
            QVERIFY(box->text().contains(u"unencrypted"_s));
            box->button(answer)->click();
            timer->deleteLater();
        });
        timer->start();
    };
    answerWith(QMessageBox::No);
    allow->trigger();
    QVERIFY(!allow->isChecked());
    QVERIFY(!window.workspace()->secretStore()->plainTextFallback());
    answerWith(QMessageBox::Yes);
    allow->trigger();
    QVERIFY(allow->isChecked());
    QVERIFY(window.workspace()->secretStore()->plainTextFallback());
    allow->trigger(); // withdrawing needs no confirmation
    QVERIFY(!window.workspace()->secretStore()->plainTextFallback());
}

void TestConnectionProfiles::secretsStayRedacted()
{
    const QString recording = m_directory.filePath(u"secure.jsonl"_s);
    const QString events = m_directory.filePath(u"events.jsonl"_s);
    const QString profilesWithout = m_directory.filePath(u"without.json"_s);
    const QString profilesWith = m_directory.filePath(u"with.json"_s);
    MainWindow window;
    window.workspace()->secretStore()->setBackend(std::make_shared<MemorySecretBackend>());
    const quint16 id = addSecure(window);
    QTRY_COMPARE(window.workspace()->logModel()->totalCount(), 1);
    // Recording starts with the connection's request headers; a reconnect brings an event.
    QVERIFY(window.workspace()->startRecording(recording));
    window.workspace()->connections()->reconnectNow(id);
    QTRY_COMPARE(window.workspace()->recorder()->eventsWritten(), 1);
    QSignalSpy stopped(window.workspace()->recorder(), &Recorder::stopped);
    window.workspace()->stopRecording();
    QVERIFY(stopped.wait(5000));
    ExportJob *job = window.workspace()->exportEvents(
        ExportFormat::JsonLines, events,
        ExportJob::allSequences(window.workspace()->logModel()->store()));
    QVERIFY(job);
    QSignalSpy exported(job, &ExportJob::finished);
    QVERIFY(exported.wait(5000));
    QVERIFY(window.workspace()->exportConnections(profilesWithout, Sse::SecretHandling::Exclude));
    QVERIFY(window.workspace()->exportConnections(profilesWith, Sse::SecretHandling::Include));
    window.saveSettings();
    QVERIFY(window.workspace()->secretStore()->waitForIdle(5000));

    const QByteArray recorded = fileBytes(recording);
    QVERIFY(recorded.contains("Authorization")); // the header is recorded, its value masked
    QVERIFY(!recorded.contains("s3cret-token-42"));
    QVERIFY(!fileBytes(events).isEmpty());
    QVERIFY(!fileBytes(events).contains("s3cret-token-42"));
    QVERIFY(!fileBytes(profilesWithout).contains("s3cret-token-42"));
    QVERIFY(fileBytes(profilesWith).contains("s3cret-token-42")); // asked for
    QVERIFY(!settingsFileBytes().contains("s3cret-token-42"));
    const ConnectionListModel *model = window.workspace()->connections()->model();
    for (int column = 0; column < model->columnCount(); ++column) {
        for (int role : {int(Qt::DisplayRole), int(Qt::ToolTipRole)}) {
            QVERIFY(!model->index(0, column).data(role).toString().contains(u"s3cret"_s));
        }
    }
}

// Issue 20 item 8 in the real window: credentials in the URL are masked in the connection
// list, the Response tab, the connection log, a profile export without secrets and the
// settings file, while the request carries them.
void TestConnectionProfiles::urlSecretsStayMasked()
{
    const QString profiles = m_directory.filePath(u"url-without.json"_s);
    QUrl url = m_server.url("/cookie");
    url.setUserName(u"user"_s);
    url.setPassword(u"pw-S3CRET"_s);
    url.setQuery(u"api_key=XYZ-KEY&x=1"_s);
    const QList<QByteArray> secrets = {"pw-S3CRET", "XYZ-KEY", "C00KIE-VALUE"};
    auto hasSecret = [&secrets](const QString &text) {
        return std::any_of(secrets.cbegin(), secrets.cend(), [&text](const QByteArray &secret) {
            return text.contains(QString::fromLatin1(secret));
        });
    };
    MainWindow window;
    window.resize(1000, 700);
    window.show();
    window.workspace()->secretStore()->setBackend(std::make_shared<MemorySecretBackend>());
    Sse::ClientOptions options;
    options.url = url;
    const int before = m_server.requestCount("/cookie");
    window.addConnection(u"keyed"_s, options);
    QTRY_COMPARE(window.workspace()->logModel()->totalCount(), 1);
    QCOMPARE(m_server.requestCount("/cookie"), before + 1);
    QVERIFY(m_server.requests("/cookie").last().path.contains("api_key=XYZ-KEY"));

    auto *response = window.findChild<QPlainTextEdit *>(u"response"_s);
    QVERIFY(response);
    QTRY_VERIFY(response->toPlainText().contains(u"Set-Cookie"_s));
    window.detailTabs()->showResponse();
    QVERIFY2(!hasSecret(response->toPlainText()), qPrintable(response->toPlainText()));
    QVERIFY(response->toPlainText().contains(u"api_key=<redacted>&x=1"_s));
    QVERIFY(window.grab().save(m_directory.filePath(u"url-secrets-response.png"_s)));
    if (const QString shots = qEnvironmentVariable("SSE_SCREENSHOT_DIR"); !shots.isEmpty())
        window.grab().save(shots + u"/url-secrets-response.png"_s);

    auto *logView = window.findChild<QTreeView *>(u"connectionLog"_s);
    QVERIFY(logView);
    QAbstractItemModel *log = logView->model();
    QTRY_VERIFY(log->rowCount() >= 2);
    for (int row = 0; row < log->rowCount(); ++row) {
        for (int column = 0; column < log->columnCount(); ++column) {
            for (int role : {int(Qt::DisplayRole), int(Qt::ToolTipRole)})
                QVERIFY(!hasSecret(log->index(row, column).data(role).toString()));
        }
    }
    const ConnectionListModel *model = window.workspace()->connections()->model();
    for (int column = 0; column < model->columnCount(); ++column) {
        for (int role : {int(Qt::DisplayRole), int(Qt::ToolTipRole)})
            QVERIFY(!hasSecret(model->index(0, column).data(role).toString()));
    }
    QVERIFY(window.workspace()->exportConnections(profiles, Sse::SecretHandling::Exclude));
    window.saveSettings();
    QVERIFY(window.workspace()->secretStore()->waitForIdle(5000));
    for (const QByteArray &file : {fileBytes(profiles), settingsFileBytes()}) {
        QVERIFY(!file.isEmpty());
        QVERIFY2(!hasSecret(QString::fromUtf8(file)), file.constData());
    }
}

void TestConnectionProfiles::exportImportRoundTrip()
{
    const QString path = m_directory.filePath(u"profiles.json"_s);
    Sse::ClientOptions alpha;
    alpha.url = m_server.url("/secure?feed=alpha");
    alpha.headers = {{"X-Team", "blue"}};
    Sse::ClientOptions beta = secureOptions();
    beta.method = "POST";
    beta.body = R"({"stream":true})";
    Sse::ClientOptions gamma;
    gamma.url = m_server.url("/secure?feed=gamma");
    gamma.reconnectPolicy = Sse::ReconnectPolicy::Fixed;
    gamma.fixedDelayMs = 1234;
    gamma.idleTimeoutMs = 45000;
    QList<Sse::Profile> profiles = {{u"alpha"_s, alpha}, {u"beta"_s, beta}, {u"gamma"_s, gamma}};
    {
        MainWindow window;
        window.workspace()->secretStore()->setBackend(std::make_shared<MemorySecretBackend>());
        for (const Sse::Profile &profile : profiles)
            window.addConnection(profile.name, profile.options);
        QString error;
        QVERIFY2(window.workspace()->exportConnections(path, Sse::SecretHandling::Exclude, &error),
                 qPrintable(error));
        QTRY_COMPARE(secureCount(), 3);
    }
    const QJsonArray exported = QJsonDocument::fromJson(fileBytes(path)).array();
    QCOMPARE(exported.size(), 3);
    QCOMPARE(exported.at(1).toObject().value(u"secretHeaders"_s).toArray(),
             QJsonArray{u"Authorization"_s});

    m_baseline = m_server.requestCount("/secure");
    QSettings().clear();
    MainWindow fresh;
    fresh.workspace()->secretStore()->setBackend(std::make_shared<MemorySecretBackend>());
    const SavedConnections::Import imported = fresh.workspace()->importConnections(path);
    QVERIFY2(imported.error.isEmpty(), qPrintable(imported.error));
    QCOMPARE(imported.added.size(), 3);
    QCOMPARE(imported.skipped, 0);
    QVERIFY(imported.problems.isEmpty());
    const auto &entries = fresh.workspace()->connections()->model()->entries();
    QCOMPARE(entries.size(), 3);
    for (int i = 0; i < 3; ++i) {
        QCOMPARE(entries.at(i).name, profiles.at(i).name);
        QVERIFY2(withoutSecrets(entries.at(i).options) == withoutSecrets(profiles.at(i).options),
                 qPrintable(entries.at(i).name));
        QCOMPARE(entries.at(i).state, Sse::Client::State::Idle); // imported, not started
    }
    // The secret was not in the file: the connection says so and waits for it.
    QCOMPARE(entries.at(1).missingSecrets, QList<QByteArray>{"Authorization"});
    QVERIFY(entries.at(0).missingSecrets.isEmpty());

    // Importing again adds nothing; a different connection under a taken name is renamed.
    const SavedConnections::Import again = fresh.workspace()->importConnections(path);
    QCOMPARE(again.added.size(), 0);
    QCOMPARE(again.skipped, 3);
    QJsonObject otherAlpha = Sse::profileToJson({u"alpha"_s, gamma}, Sse::SecretHandling::Exclude);
    const QString otherPath = m_directory.filePath(u"other.json"_s);
    QVERIFY(writeFile(otherPath, QJsonDocument(QJsonArray{otherAlpha}).toJson()));
    const SavedConnections::Import renamed = fresh.workspace()->importConnections(otherPath);
    QCOMPARE(renamed.added.size(), 1);
    QCOMPARE(renamed.renamed, 1);
    QCOMPARE(entries.size(), 4);
    QCOMPARE(fresh.workspace()->connections()->model()->entries().last().name, u"alpha (2)"_s);
    QCOMPARE(secureCount(), 0);
}

void TestConnectionProfiles::cliUsesExportedFile()
{
    QVERIFY2(!qEnvironmentVariable("SSE_MONITOR_CLI").isEmpty(), "SSE_MONITOR_CLI is not set");
    const QString with = m_directory.filePath(u"cli-with.json"_s);
    const QString without = m_directory.filePath(u"cli-without.json"_s);
    {
        MainWindow window;
        window.workspace()->secretStore()->setBackend(std::make_shared<MemorySecretBackend>());
        window.workspace()->connections()->add(u"secure"_s, secureOptions(), ConnectionManager::Start::Later);
        QVERIFY(window.workspace()->exportConnections(with, Sse::SecretHandling::Include));
        QVERIFY(window.workspace()->exportConnections(without, Sse::SecretHandling::Exclude));
    }
    QVERIFY(runCli({u"--profiles-file"_s, with, u"--profile"_s, u"secure"_s, u"--max-events"_s,
                    u"1"_s}));
    QVERIFY2(m_cliExit == 0, m_cliErr.constData());
    QVERIFY(m_cliOut.contains("\"kind\":\"event\""));
    QCOMPARE(secureCount(), 1);
    QCOMPARE(secureRequests().first().header("Authorization"), secretValue);
    QCOMPARE(secureRequests().first().header("X-Team"), QByteArray("blue"));

    // Without the value the CLI names the header and how to give it, and sends nothing.
    QVERIFY(runCli({u"--profiles-file"_s, without, u"--profile"_s, u"secure"_s,
                    u"--max-events"_s, u"1"_s}));
    QCOMPARE(m_cliExit, 2);
    QVERIFY2(m_cliErr.contains("Authorization") && m_cliErr.contains("-H"), m_cliErr.constData());
    QCOMPARE(secureCount(), 1);

    // With -H it goes through.
    QVERIFY(runCli({u"--profiles-file"_s, without, u"--profile"_s, u"secure"_s, u"-H"_s,
                    u"Authorization: Bearer given"_s, u"--max-events"_s, u"1"_s}));
    QVERIFY2(m_cliExit == 0, m_cliErr.constData());
    QCOMPARE(secureRequests().last().header("Authorization"),
             QByteArray("Bearer given"));
}

QTEST_MAIN(TestConnectionProfiles)
#include "tst_connectionprofiles.moc"
