// The GUI side of proxies, client certificates, cURL and NDJSON: the connection dialog's
// "Proxy & Client Certificate" tab, a curl command pasted into the URL field or given to
// "From cURL", "Copy as cURL" in the connection's menu, and the proxy in the details. On the
// real window, offscreen; a screenshot of the tab goes to SSE_SCREENSHOT_DIR when set.

#include "testserver.h"

#include "models/connectionlistmodel.h"
#include "models/eventlogmodel.h"
#include "models/secretstore.h"
#include "session/workspace.h"
#include "views/connectiondialog.h"
#include "views/mainwindow.h"

#include "sselib/profile.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QPushButton>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QTcpServer>
#include <QSettings>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTest>

using namespace Qt::StringLiterals;

class TestNetworkGui : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init() { QSettings().clear(); }
    void dialogRoundTrip();
    void settingsHoldNoProxyPassword();
    void proxyPasswordThroughKeychain();
    void curlPastedIntoUrlField();
    void badCurlCommandKeepsTheForm();
    void invalidProxyDisablesOk();
    void copyAsCurl();
    void detailsNameTheProxy();
    void ndjsonEventsInTheLog();
};

void TestNetworkGui::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(u"SSE Monitor Tests"_s);
    QCoreApplication::setApplicationName(u"tst_networkgui"_s);
}

void TestNetworkGui::dialogRoundTrip()
{
    Sse::ClientOptions options;
    options.url = QUrl(u"https://api.example.com/stream"_s);
    options.proxy = u"http://me:p%40ss@proxy.example:3128"_s;
    options.noProxy = u"internal.example,10.0.0.0/8"_s;
    options.clientCertificateFile = u"/etc/ssl/client.p12"_s;
    options.clientCertificateType = Sse::CertificateType::Pkcs12;
    options.clientKeyPassphrase = "p12-pass";
    options.bodyFormat = Sse::BodyFormat::NdJson;
    ConnectionDialog dialog;
    dialog.setConnection(u"net"_s, options);
    auto *proxyEdit = dialog.findChild<QLineEdit *>(u"proxyEdit"_s);
    auto *passwordEdit = dialog.findChild<QLineEdit *>(u"proxyPasswordEdit"_s);
    QVERIFY(proxyEdit && passwordEdit);
    // The password has its own masked field; the URL field never shows it.
    QCOMPARE(proxyEdit->text(), u"http://me@proxy.example:3128"_s);
    QCOMPARE(passwordEdit->text(), u"p@ss"_s);
    QCOMPARE(passwordEdit->echoMode(), QLineEdit::Password);
    QCOMPARE(dialog.findChild<QLineEdit *>(u"passphraseEdit"_s)->echoMode(), QLineEdit::Password);
    QVERIFY(!dialog.findChild<QLineEdit *>(u"keyEdit"_s)->isEnabled()); // PKCS#12 holds the key
    QVERIFY(dialog.findChild<QCheckBox *>(u"ndjsonCheck"_s)->isChecked());
    const Sse::ClientOptions shown = dialog.options();
    QCOMPARE(QJsonDocument(Sse::profileToJson({u"x"_s, shown}, Sse::SecretHandling::Include)).toJson(),
             QJsonDocument(Sse::profileToJson({u"x"_s, options}, Sse::SecretHandling::Include)).toJson());
    QVERIFY(shown == options);

    dialog.show();
    auto *tabs = dialog.findChild<QTabWidget *>(u"tabs"_s);
    tabs->setCurrentIndex(tabs->count() - 1);
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    const QString directory = qEnvironmentVariable("SSE_SCREENSHOT_DIR");
    if (!directory.isEmpty())
        QVERIFY(dialog.grab().save(directory + u"/network-tab.png"_s));
}

void TestNetworkGui::settingsHoldNoProxyPassword()
{
    Sse::ClientOptions options;
    options.url = QUrl(u"http://127.0.0.1:1/stream"_s);
    options.proxy = u"http://me:topsecret@127.0.0.1:3128"_s;
    options.clientCertificateFile = u"/c.pem"_s;
    options.clientKeyPassphrase = "keysecret";
    {
        MainWindow window;
        window.addConnection(u"proxied"_s, options);
        window.workspace()->saveConnections();
    }
    QSettings settings;
    QByteArray everything;
    for (const QString &key : settings.allKeys())
        everything += settings.value(key).toString().toUtf8() + '\n';
    QVERIFY(everything.contains("127.0.0.1:3128"));
    QVERIFY2(!everything.contains("topsecret") && !everything.contains("keysecret"),
             everything.constData());
}

// The proxy password and key passphrase are saved in the keychain with the secret headers and
// come back into the connection when it is restored.
void TestNetworkGui::proxyPasswordThroughKeychain()
{
    auto keychain = std::make_shared<MemorySecretBackend>();
    Sse::ClientOptions options;
    options.url = QUrl(u"http://127.0.0.1:1/stream"_s);
    options.reconnectPolicy = Sse::ReconnectPolicy::Never;
    options.proxy = u"http://me:topsecret@127.0.0.1:3128"_s;
    options.clientCertificateFile = u"/c.pem"_s;
    options.clientKeyPassphrase = "keysecret";
    {
        MainWindow window;
        window.workspace()->secretStore()->setBackend(keychain);
        window.addConnection(u"proxied"_s, options);
        window.saveSettings();
        QVERIFY(window.workspace()->secretStore()->waitForIdle(5000));
    }
    QByteArray stored;
    for (const QByteArray &value : keychain->entries())
        stored += value;
    QVERIFY(stored.contains("topsecret") && stored.contains("keysecret"));

    MainWindow restored;
    restored.workspace()->secretStore()->setBackend(keychain);
    QCOMPARE(restored.restoreConnections(), 1);
    const auto entries = [&restored] { return restored.workspace()->connections()->model()->entries(); };
    QTRY_VERIFY(!entries().isEmpty() && !entries().first().secretsPending);
    const Sse::ClientOptions back = entries().first().options;
    QCOMPARE(back.proxy, options.proxy);
    QCOMPARE(back.clientKeyPassphrase, options.clientKeyPassphrase);
    QVERIFY(back.headers.isEmpty()); // never sent as headers
    QVERIFY(entries().first().missingSecrets.isEmpty());
}

void TestNetworkGui::curlPastedIntoUrlField()
{
    ConnectionDialog dialog;
    dialog.show();
    auto *urlEdit = dialog.findChild<QLineEdit *>(u"urlEdit"_s);
    QVERIFY(urlEdit);
    // As Chrome copies it; the field gets it as one line, the way a paste arrives.
    QGuiApplication::clipboard()->setText(
        u"curl 'https://api.example.com/v1/chat' -H 'accept: text/event-stream' "
        "-H 'authorization: Bearer sk-1' --data-raw '{\"stream\":true}' -x socks5h://127.0.0.1:9050"_s);
    urlEdit->setFocus();
    urlEdit->paste();
    const Sse::ClientOptions options = dialog.options();
    QCOMPARE(options.url, QUrl(u"https://api.example.com/v1/chat"_s));
    QCOMPARE(options.method, QByteArray("POST"));
    QCOMPARE(options.body, QByteArray("{\"stream\":true}"));
    QCOMPARE(options.proxy, u"socks5h://127.0.0.1:9050"_s);
    QVERIFY(options.headers.contains(qMakePair(QByteArray("authorization"), QByteArray("Bearer sk-1"))));
    QCOMPARE(urlEdit->text(), u"https://api.example.com/v1/chat"_s);

    // Several lines with backslash continuations, as "Copy as cURL (bash)" writes them.
    urlEdit->selectAll();
    QGuiApplication::clipboard()->setText(u"curl 'https://stream.example.org/feed' \\\n"
                                          "  -H 'accept: text/event-stream' \\\n"
                                          "  -b 'session=abc' \\\n  --compressed"_s);
    urlEdit->paste();
    QCOMPARE(dialog.options().url, QUrl(u"https://stream.example.org/feed"_s));
    QVERIFY(dialog.options().headers.contains(qMakePair(QByteArray("Cookie"), QByteArray("session=abc"))));
}

void TestNetworkGui::badCurlCommandKeepsTheForm()
{
    ConnectionDialog dialog;
    Sse::ClientOptions options;
    options.url = QUrl(u"http://kept.example/s"_s);
    dialog.setConnection(u"kept"_s, options);
    QString error;
    QVERIFY(!dialog.applyCurlCommand(u"curl --frobnicate http://other/"_s, &error));
    QVERIFY2(error.contains(u"--frobnicate"_s), qPrintable(error));
    QCOMPARE(dialog.options().url, options.url);

    dialog.show();
    auto *urlEdit = dialog.findChild<QLineEdit *>(u"urlEdit"_s);
    urlEdit->selectAll();
    QGuiApplication::clipboard()->setText(u"curl 'http://h/' --bogus"_s);
    urlEdit->paste();
    auto *hint = dialog.findChild<QLabel *>(u"urlHint"_s);
    QVERIFY(hint->isVisible());
    QVERIFY2(hint->text().contains(u"--bogus"_s), qPrintable(hint->text()));
}

void TestNetworkGui::invalidProxyDisablesOk()
{
    ConnectionDialog dialog;
    Sse::ClientOptions options;
    options.url = QUrl(u"http://h.example/s"_s);
    dialog.setConnection(u"p"_s, options);
    dialog.show();
    auto *proxyEdit = dialog.findChild<QLineEdit *>(u"proxyEdit"_s);
    auto *ok = dialog.findChild<QDialogButtonBox *>(u"buttonBox"_s)->button(QDialogButtonBox::Ok);
    QVERIFY(ok->isEnabled());
    proxyEdit->setText(u"ftp://proxy:21"_s);
    QVERIFY(!ok->isEnabled());
    QVERIFY(!dialog.findChild<QLabel *>(u"proxyError"_s)->isHidden());
    proxyEdit->setText(u"socks5://proxy:1080"_s);
    QVERIFY(ok->isEnabled());
}

void TestNetworkGui::copyAsCurl()
{
    MainWindow window;
    window.show();
    Sse::ClientOptions options;
    options.url = QUrl(u"http://127.0.0.1:1/stream"_s);
    options.headers = {{"Authorization", "Bearer sk-hidden"}};
    options.proxy = u"http://me:pw@127.0.0.1:3128"_s;
    window.addConnection(u"copy"_s, options);
    QAction *copy = nullptr;
    QAction *copySecrets = nullptr;
    for (QAction *action : window.findChildren<QAction *>()) {
        if (action->text() == u"Copy as c&URL"_s)
            copy = action;
        else if (action->text() == u"Copy as cURL with &Secrets"_s)
            copySecrets = action;
    }
    QVERIFY(copy && copySecrets);
    QTRY_VERIFY(copy->isEnabled());
    copy->trigger();
    const QString without = QGuiApplication::clipboard()->text();
    QVERIFY2(without.startsWith(u"curl -N 'http://127.0.0.1:1/stream'"_s), qPrintable(without));
    QVERIFY2(!without.contains(u"sk-hidden"_s) && !without.contains(u":pw@"_s), qPrintable(without));
    copySecrets->trigger();
    const QString with = QGuiApplication::clipboard()->text();
    QVERIFY2(with.contains(u"Bearer sk-hidden"_s) && with.contains(u"me:pw@"_s), qPrintable(with));
}

// A proxy that refuses: the Response tab names it, the failure says it refused.
void TestNetworkGui::detailsNameTheProxy()
{
    QTcpServer probe;
    QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
    const quint16 closedPort = probe.serverPort();
    probe.close();
    MainWindow window;
    window.resize(1100, 700);
    window.show();
    Sse::ClientOptions options;
    options.url = QUrl(u"http://127.0.0.1:1/stream"_s);
    options.proxy = u"http://me:pw@127.0.0.1:%1"_s.arg(closedPort);
    options.reconnectPolicy = Sse::ReconnectPolicy::Never;
    window.addConnection(u"proxied"_s, options);
    auto *response = window.findChild<QPlainTextEdit *>(u"response"_s);
    QVERIFY(response);
    const QString expected = u"Proxy: http://me@127.0.0.1:%1"_s.arg(closedPort);
    QTRY_VERIFY2(response->toPlainText().contains(expected), qPrintable(response->toPlainText()));
    QVERIFY(!response->toPlainText().contains(u":pw@"_s));
    auto *tabs = window.findChild<QTabWidget *>(u"bottomTabs"_s);
    tabs->setCurrentWidget(response);
    const QString directory = qEnvironmentVariable("SSE_SCREENSHOT_DIR");
    if (!directory.isEmpty())
        QVERIFY(window.grab().save(directory + u"/proxy-details.png"_s));
}

// With the NDJSON switch, an Ollama-style stream fills the event log like any other.
void TestNetworkGui::ndjsonEventsInTheLog()
{
    TestServer server;
    server.route("/api/generate", [](TestServer::Exchange *exchange) {
        exchange->writeHead(200, {{"Content-Type", "application/x-ndjson"},
                                  {"Transfer-Encoding", "chunked"}});
        exchange->send("{\"response\":\"Hel\",\"done\":false}\n{\"response\":\"lo\",\"done\":true}\n");
    });
    MainWindow window;
    window.show();
    Sse::ClientOptions options;
    options.url = server.url("/api/generate");
    options.bodyFormat = Sse::BodyFormat::NdJson;
    window.addConnection(u"ollama"_s, options);
    EventLogModel *log = window.workspace()->logModel();
    QTRY_COMPARE(log->rowCount(), 2);
    QCOMPARE(log->index(0, EventLogModel::TypeColumn).data().toString(), u"ndjson"_s);
    QVERIFY(log->index(1, EventLogModel::DataColumn).data().toString().contains(u"\"done\":true"_s));
}

QTEST_MAIN(TestNetworkGui)
#include "tst_networkgui.moc"
