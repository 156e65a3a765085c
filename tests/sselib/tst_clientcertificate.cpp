// Client certificates (mutual TLS) of Sse::Client against a loopback QSslServer that requires
// one issued by the test CA; the files are those of tests/data/tls/generate-client.sh.

#include "tlssseserver.h"

#include "sselib/sseclient.h"

#include <QFile>
#include <QProcess>
#include <QScopeGuard>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QSignalSpy>
#include <QTest>

namespace {

QString dataFile(const QString &name)
{
    return name.isEmpty() ? QString() : QStringLiteral(TLS_DATA_DIR "/") + name;
}

QByteArray readData(const QString &name)
{
    QFile file(dataFile(name));
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// A connection to \a url trusting the test CA, with the certificate and key files named
// (empty: none).
Sse::ClientOptions optionsFor(const QUrl &url, const QString &certificate, const QString &key)
{
    Sse::ClientOptions options;
    options.url = url;
    options.caCertificatesPem = readData(QStringLiteral("ca.pem"));
    options.clientCertificateFile = dataFile(certificate);
    options.clientKeyFile = dataFile(key);
    return options;
}

} // namespace

class TestClientCertificate : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init() { QTest::failOnWarning(QRegularExpression(QStringLiteral(".*"))); }
    void certificates_data();
    void certificates();
    void notAskedStillWorks();
    void alertsOfOpenSslServer_data();
    void alertsOfOpenSslServer();
};

void TestClientCertificate::certificates_data()
{
    QTest::addColumn<QString>("certificate");
    QTest::addColumn<QString>("key");
    QTest::addColumn<Sse::CertificateType>("type");
    QTest::addColumn<QByteArray>("passphrase");
    QTest::addColumn<bool>("accepted");
    QTest::addColumn<QString>("error"); // part of the client's failure or error message

    const auto pem = Sse::CertificateType::Pem;
    const auto p12 = Sse::CertificateType::Pkcs12;
    QTest::newRow("PEM certificate and key") << "client.pem" << "client.key" << pem << QByteArray()
                                             << true << "";
    QTest::newRow("PEM, encrypted key and its passphrase")
        << "client.pem" << "client-encrypted.key" << pem << QByteArray("key-pass") << true << "";
    QTest::newRow("PKCS#12 and its password") << "client.p12" << "" << p12
                                              << QByteArray("p12-pass") << true << "";
    // Qt's server closes without a TLS alert: the client sees a dropped connection (the
    // messages for the alerts a real server sends are tested against openssl s_server below).
    QTest::newRow("no certificate") << "" << "" << pem << QByteArray() << false << "";
    QTest::newRow("certificate of another CA")
        << "otherclient.pem" << "otherclient.key" << pem << QByteArray() << false << "";
    QTest::newRow("encrypted key, wrong passphrase")
        << "client.pem" << "client-encrypted.key" << pem << QByteArray("nope") << false
        << "is encrypted and the passphrase is missing or wrong";
    QTest::newRow("PKCS#12, wrong password") << "client.p12" << "" << p12 << QByteArray("nope")
                                             << false << "or the password is wrong";
    QTest::newRow("missing file") << "no-such-client.pem" << "" << pem << QByteArray() << false
                                  << "cannot read";
}

void TestClientCertificate::certificates()
{
    QFETCH(QString, certificate);
    QFETCH(QString, key);
    QFETCH(Sse::CertificateType, type);
    QFETCH(QByteArray, passphrase);
    QFETCH(bool, accepted);
    QFETCH(QString, error);

    TlsSseServer server;
    QVERIFY(server.listen(QStringLiteral(TLS_DATA_DIR),
                          TlsSseServer::ClientCertificates::Required));
    server.setScript({{0, "data: hello\n\n"}});

    Sse::ClientOptions options = optionsFor(server.url(), certificate, key);
    options.clientCertificateType = type;
    options.clientKeyPassphrase = passphrase;
    options.reconnectPolicy = Sse::ReconnectPolicy::Never;
    Sse::Client client;
    client.setOptions(options);
    QSignalSpy events(&client, &Sse::Client::eventsReceived);
    QSignalSpy errors(&client, &Sse::Client::errorOccurred);
    if (type == Sse::CertificateType::Pkcs12 && !accepted) // Qt's TLS backend says why, too
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("PKCS#12")));
    client.open();
    if (accepted) {
        QTRY_COMPARE_WITH_TIMEOUT(events.size(), 1, 10000);
        QCOMPARE(server.lastClientName(), QStringLiteral("sse-monitor test client"));
        QVERIFY2(server.handshakeErrors().isEmpty(),
                 qPrintable(server.handshakeErrors().join(QLatin1Char('\n'))));
        return;
    }
    QTRY_VERIFY_WITH_TIMEOUT(client.state() == Sse::Client::State::Failed
                                 || client.state() == Sse::Client::State::Closed,
                             10000);
    QVERIFY(!errors.isEmpty());
    const QString message = errors.first().first().toString();
    QVERIFY2(message.contains(error), qPrintable(message));
    QVERIFY(!message.contains(QLatin1String("p12-pass")) && !message.contains(QLatin1String("key-pass")));
    QCOMPARE(events.size(), 0);
    QCOMPARE(server.responses(), 0);
    if (error.isEmpty())
        QTRY_VERIFY(!server.handshakeErrors().isEmpty());
}

void TestClientCertificate::alertsOfOpenSslServer_data()
{
    QTest::addColumn<QString>("certificate");
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("error");
    QTest::newRow("no certificate")
        << "" << "" << "TLS: the server requires a client certificate and none is set (alert";
    QTest::newRow("certificate of another CA")
        << "otherclient.pem" << "otherclient.key"
        << "TLS: the server rejected the client certificate (alert unknown ca";
    QTest::newRow("accepted") << "client.pem" << "client.key" << "";
}

// openssl s_server, asked to require a certificate from the test CA, sends the TLS alerts of
// a real server; its -www page is HTML, so an accepted handshake ends in a content-type failure.
void TestClientCertificate::alertsOfOpenSslServer()
{
    QFETCH(QString, certificate);
    QFETCH(QString, key);
    QFETCH(QString, error);
    const QString openssl = QStandardPaths::findExecutable(QStringLiteral("openssl"));
    QVERIFY2(!openssl.isEmpty(), "openssl is missing (Debian package openssl)");
    QTcpServer probe;
    QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
    const quint16 port = probe.serverPort();
    probe.close();
    QProcess server;
    server.setWorkingDirectory(QStringLiteral(TLS_DATA_DIR));
    server.setProcessChannelMode(QProcess::MergedChannels);
    server.start(openssl, {QStringLiteral("s_server"), QStringLiteral("-quiet"),
                           QStringLiteral("-Verify"), QStringLiteral("1"),
                           QStringLiteral("-verify_return_error"), QStringLiteral("-CAfile"),
                           QStringLiteral("ca.pem"), QStringLiteral("-cert"),
                           QStringLiteral("server.pem"), QStringLiteral("-key"),
                           QStringLiteral("server.key"), QStringLiteral("-accept"),
                           QString::number(port), QStringLiteral("-www")});
    QVERIFY(server.waitForStarted(5000));
    auto stop = qScopeGuard([&server] {
        server.kill();
        server.waitForFinished(3000);
    });
    QTRY_VERIFY_WITH_TIMEOUT(
        [port] {
            QTcpSocket socket;
            socket.connectToHost(QHostAddress::LocalHost, port);
            return socket.waitForConnected(200);
        }(),
        10000);

    Sse::ClientOptions options =
        optionsFor(QUrl(QStringLiteral("https://127.0.0.1:%1/").arg(port)), certificate, key);
    options.reconnectPolicy = Sse::ReconnectPolicy::Never;
    Sse::Client client;
    client.setOptions(options);
    client.open();
    QTRY_COMPARE_WITH_TIMEOUT(client.state(), Sse::Client::State::Failed, 10000);
    if (error.isEmpty()) {
        QCOMPARE(client.failure().kind, Sse::FailureInfo::Kind::ContentType);
        return;
    }
    QCOMPARE(client.failure().kind, Sse::FailureInfo::Kind::Tls);
    QVERIFY2(client.failure().message.startsWith(error), qPrintable(client.failure().message));
}

// A certificate configured for a server that does not ask for one changes nothing.
void TestClientCertificate::notAskedStillWorks()
{
    TlsSseServer server;
    QVERIFY(server.listen(QStringLiteral(TLS_DATA_DIR),
                          TlsSseServer::ClientCertificates::NotAsked));
    server.setScript({{0, "data: hello\n\n"}});
    const Sse::ClientOptions options =
        optionsFor(server.url(), QStringLiteral("client.pem"), QStringLiteral("client.key"));
    Sse::Client client;
    client.setOptions(options);
    QSignalSpy events(&client, &Sse::Client::eventsReceived);
    client.open();
    QTRY_COMPARE_WITH_TIMEOUT(events.size(), 1, 10000);
}

QTEST_GUILESS_MAIN(TestClientCertificate)
#include "tst_clientcertificate.moc"
