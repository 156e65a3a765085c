#include "sselib/sseclient.h"

#include <QFile>
#include <QList>
#include <QNetworkProxyFactory>
#include <QPointer>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslServer>
#include <QSslSocket>
#include <QTest>

#include <memory>

// TLS handling of Sse::Client against a local QSslServer with the certificates
// of tests/data/tls (see README.md there; regenerate with generate.sh).

namespace {

QByteArray readData(const QString &name)
{
    QFile file(QStringLiteral(TLS_DATA_DIR "/") + name);
    if (!file.open(QIODevice::ReadOnly))
        return QByteArray();
    return file.readAll();
}

/// A one-shot HTTPS SSE endpoint: after the handshake and the request headers it
/// answers 200 text/event-stream with `data: hello` and keeps the socket open.
class TlsSseServer
{
public:
    /// \a name: the base name of a certificate/key pair in tests/data/tls.
    bool listen(const QString &name)
    {
        const QByteArray certificatePem = readData(name + QStringLiteral(".pem"));
        const QByteArray keyPem = readData(name + QStringLiteral(".key"));
        const QList<QSslCertificate> certificates =
            QSslCertificate::fromData(certificatePem, QSsl::Pem);
        const QSslKey key(keyPem, QSsl::Rsa, QSsl::Pem);
        if (certificates.isEmpty() || key.isNull())
            return false;
        QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
        configuration.setLocalCertificate(certificates.first());
        configuration.setPrivateKey(key);
        configuration.setPeerVerifyMode(QSslSocket::VerifyNone);
        m_server.setSslConfiguration(configuration);
        QObject::connect(&m_server, &QSslServer::pendingConnectionAvailable, &m_server,
                         [this] { acceptPending(); });
        return m_server.listen(QHostAddress::LocalHost, 0);
    }

    QUrl url() const
    {
        return QUrl(QStringLiteral("https://127.0.0.1:%1/").arg(m_server.serverPort()));
    }

    int connections() const { return m_connections; }
    int responses() const { return m_responses; }

private:
    void acceptPending()
    {
        while (QTcpSocket *socket = m_server.nextPendingConnection()) {
            ++m_connections;
            auto request = std::make_shared<QByteArray>();
            QObject::connect(socket, &QTcpSocket::readyRead, socket, [this, socket, request] {
                if (request->contains("\r\n\r\n"))
                    return; // already answered; ignore anything further
                request->append(socket->readAll());
                if (!request->contains("\r\n\r\n"))
                    return;
                ++m_responses;
                socket->write("HTTP/1.1 200 OK\r\n"
                              "Content-Type: text/event-stream\r\n"
                              "Cache-Control: no-cache\r\n"
                              "\r\n"
                              "data: hello\n\n");
            });
            // The request may already be buffered when the handshake completes.
            if (socket->bytesAvailable() > 0)
                emit socket->readyRead();
        }
    }

    QSslServer m_server; // owns the accepted sockets: they stay open until the test ends
    int m_connections = 0;
    int m_responses = 0;
};

Sse::ClientOptions tlsOptions(const QUrl &url)
{
    Sse::ClientOptions options;
    options.url = url;
    options.reconnectPolicy = Sse::ReconnectPolicy::Never;
    options.connectTimeoutMs = 10000;
    return options;
}

} // namespace

class TestTls : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();

    void rejected_data();
    void rejected();
    void accepted_data();
    void accepted();
    void trustedCaGivesNoErrors();
    void failureIsNotRetried();
    void settingsDoNotLeakBetweenClients_data();
    void settingsDoNotLeakBetweenClients();
};

void TestTls::initTestCase()
{
    QVERIFY2(QSslSocket::supportsSsl(),
             "no TLS backend: the Qt OpenSSL plugin (libqt6network6) is missing");
    QNetworkProxyFactory::setUseSystemConfiguration(false);
    for (const char *name : {"ca", "server", "selfsigned", "expired", "wronghost"}) {
        const QString file = QString::fromLatin1(name);
        QVERIFY2(!readData(file + QStringLiteral(".pem")).isEmpty(), name);
        QVERIFY2(!readData(file + QStringLiteral(".key")).isEmpty(), name);
    }
}

void TestTls::init()
{
    // Qt 6.4 has only the pattern form.
    QTest::failOnWarning(QRegularExpression(QStringLiteral(".*")));
}

void TestTls::rejected_data()
{
    QTest::addColumn<QString>("serverCertificate");
    QTest::addColumn<QString>("trustedCa");        // file name or empty
    QTest::addColumn<QString>("acceptedCertificate"); // file name or empty
    QTest::addColumn<QString>("expectedReason");   // a part of the failure message

    QTest::newRow("self-signed") << "selfsigned" << QString() << QString()
                                 << "The certificate is self-signed, and untrusted";
    QTest::newRow("unknown issuer") << "server" << QString() << QString() << "issuer";
    QTest::newRow("expired") << "expired" << "ca" << QString() << "expired";
    QTest::newRow("wrong host") << "wronghost" << "ca" << QString() << "host name";
    // acceptedCertificatePem accepts exactly that certificate, not another one.
    QTest::newRow("self-signed, other certificate accepted")
        << "selfsigned" << QString() << "server" << "self-signed";
    QTest::newRow("wrong host, other certificate accepted")
        << "wronghost" << "ca" << "server" << "host name";
}

void TestTls::rejected()
{
    QFETCH(QString, serverCertificate);
    QFETCH(QString, trustedCa);
    QFETCH(QString, acceptedCertificate);
    QFETCH(QString, expectedReason);

    TlsSseServer server;
    QVERIFY(server.listen(serverCertificate));
    Sse::ClientOptions options = tlsOptions(server.url());
    if (!trustedCa.isEmpty())
        options.caCertificatesPem = readData(trustedCa + QStringLiteral(".pem"));
    if (!acceptedCertificate.isEmpty())
        options.acceptedCertificatePem = readData(acceptedCertificate + QStringLiteral(".pem"));

    Sse::Client client;
    client.setOptions(options);
    QSignalSpy failedSpy(&client, &Sse::Client::failed);
    QSignalSpy eventsSpy(&client, &Sse::Client::eventsReceived);
    QSignalSpy reconnectSpy(&client, &Sse::Client::reconnectScheduled);
    QSignalSpy errorSpy(&client, &Sse::Client::errorOccurred);
    client.open();

    QTRY_COMPARE(client.state(), Sse::Client::State::Failed);
    QCOMPARE(failedSpy.count(), 1);
    const Sse::FailureInfo failure = client.failure();
    QCOMPARE(failure.kind, Sse::FailureInfo::Kind::Tls);
    QVERIFY2(failure.message.contains(expectedReason, Qt::CaseInsensitive),
             qPrintable(failure.message));
    QVERIFY2(failure.message.startsWith(QStringLiteral("TLS: ")), qPrintable(failure.message));
    QCOMPARE(errorSpy.count(), 1);
    QCOMPARE(errorSpy.at(0).at(0).toString(), failure.message);
    QCOMPARE(errorSpy.at(0).at(1).toBool(), true);
    QCOMPARE(eventsSpy.count(), 0);
    QCOMPARE(server.responses(), 0);
    // No reconnect after a TLS failure.
    QCOMPARE(reconnectSpy.count(), 0);
    QCOMPARE(client.attempt(), 0);
    QCOMPARE(client.statistics().reconnects, qint64(0));
}

void TestTls::accepted_data()
{
    QTest::addColumn<QString>("serverCertificate");
    QTest::addColumn<QString>("trustedCa");
    QTest::addColumn<QString>("acceptedCertificate");
    QTest::addColumn<bool>("allowInsecure");

    QTest::newRow("self-signed, certificate accepted")
        << "selfsigned" << QString() << "selfsigned" << false;
    QTest::newRow("self-signed, insecure allowed") << "selfsigned" << QString() << QString() << true;
    QTest::newRow("CA-signed, CA trusted") << "server" << "ca" << QString() << false;
    QTest::newRow("CA-signed, certificate accepted")
        << "server" << QString() << "server" << false;
    QTest::newRow("expired, insecure allowed") << "expired" << QString() << QString() << true;
    QTest::newRow("wrong host, certificate accepted")
        << "wronghost" << "ca" << "wronghost" << false;
}

void TestTls::accepted()
{
    QFETCH(QString, serverCertificate);
    QFETCH(QString, trustedCa);
    QFETCH(QString, acceptedCertificate);
    QFETCH(bool, allowInsecure);

    TlsSseServer server;
    QVERIFY(server.listen(serverCertificate));
    Sse::ClientOptions options = tlsOptions(server.url());
    if (!trustedCa.isEmpty())
        options.caCertificatesPem = readData(trustedCa + QStringLiteral(".pem"));
    if (!acceptedCertificate.isEmpty())
        options.acceptedCertificatePem = readData(acceptedCertificate + QStringLiteral(".pem"));
    options.allowInsecureTls = allowInsecure;

    Sse::Client client;
    client.setOptions(options);
    QSignalSpy eventsSpy(&client, &Sse::Client::eventsReceived);
    QSignalSpy failedSpy(&client, &Sse::Client::failed);
    client.open();

    QTRY_COMPARE(eventsSpy.count(), 1);
    QCOMPARE(client.state(), Sse::Client::State::Open);
    const auto events = eventsSpy.at(0).at(0).value<Sse::EventBatch>().toList();
    QCOMPARE(events.size(), 1);
    QCOMPARE(events.first().data, QByteArray("hello"));
    QCOMPARE(failedSpy.count(), 0);
    QCOMPARE(client.failure().kind, Sse::FailureInfo::Kind::None);
    QCOMPARE(server.connections(), 1);
    client.close();
}

void TestTls::trustedCaGivesNoErrors()
{
    TlsSseServer server;
    QVERIFY(server.listen(QStringLiteral("server")));
    Sse::ClientOptions options = tlsOptions(server.url());
    options.caCertificatesPem = readData(QStringLiteral("ca.pem"));

    Sse::Client client;
    client.setOptions(options);
    QSignalSpy stateSpy(&client, &Sse::Client::stateChanged);
    QSignalSpy eventsSpy(&client, &Sse::Client::eventsReceived);
    QSignalSpy errorSpy(&client, &Sse::Client::errorOccurred);
    client.open();

    QTRY_COMPARE(eventsSpy.count(), 1);
    QCOMPARE(client.state(), Sse::Client::State::Open);
    QCOMPARE(errorSpy.count(), 0);
    QCOMPARE(stateSpy.count(), 2);
    QCOMPARE(stateSpy.at(0).at(0).value<Sse::Client::State>(), Sse::Client::State::Connecting);
    QCOMPARE(stateSpy.at(1).at(0).value<Sse::Client::State>(), Sse::Client::State::Open);
    QCOMPARE(client.httpStatus(), 200);
    client.close();
    QCOMPARE(errorSpy.count(), 0);
}

void TestTls::failureIsNotRetried()
{
    // Even with a policy that reconnects after network errors, a TLS failure is final.
    TlsSseServer server;
    QVERIFY(server.listen(QStringLiteral("selfsigned")));
    Sse::ClientOptions options = tlsOptions(server.url());
    options.reconnectPolicy = Sse::ReconnectPolicy::Fixed;
    options.fixedDelayMs = 0;

    Sse::Client client;
    client.setOptions(options);
    QSignalSpy reconnectSpy(&client, &Sse::Client::reconnectScheduled);
    QSignalSpy stateSpy(&client, &Sse::Client::stateChanged);
    client.open();

    QTRY_COMPARE(client.state(), Sse::Client::State::Failed);
    QCOMPARE(client.failure().kind, Sse::FailureInfo::Kind::Tls);
    QCOMPARE(reconnectSpy.count(), 0);
    QCOMPARE(client.attempt(), 0);
    QCOMPARE(client.nextAttemptAtMs(), qint64(0));
    QCOMPARE(stateSpy.count(), 2); // Connecting, Failed: never Reconnecting
    QCOMPARE(server.connections(), 0); // the handshake never completed
}

void TestTls::settingsDoNotLeakBetweenClients_data()
{
    QTest::addColumn<QString>("serverCertificate");
    QTest::addColumn<QString>("firstTls"); // TLS setting of the first client
    QTest::addColumn<bool>("firstStillOpen");

    for (const bool open : {true, false}) {
        const char *when = open ? "concurrent" : "sequential";
        QTest::addRow("insecure, %s", when) << "selfsigned" << "insecure" << open;
        QTest::addRow("accepted certificate, %s", when) << "selfsigned" << "accepted" << open;
        QTest::addRow("trusted CA, %s", when) << "server" << "ca" << open;
    }
}

void TestTls::settingsDoNotLeakBetweenClients()
{
    // The clients of a thread share QNetworkAccessManagers, whose connection cache
    // keeps TLS connections (and their ignored errors) per host:port, regardless of
    // the TLS settings of a request. A client with default settings must not ride
    // on the connection, CAs or ignoreSslErrors() of another one to the same server.
    QFETCH(QString, serverCertificate);
    QFETCH(QString, firstTls);
    QFETCH(bool, firstStillOpen);

    TlsSseServer server;
    QVERIFY(server.listen(serverCertificate));

    Sse::ClientOptions firstOptions = tlsOptions(server.url());
    if (firstTls == QLatin1String("insecure"))
        firstOptions.allowInsecureTls = true;
    else if (firstTls == QLatin1String("accepted"))
        firstOptions.acceptedCertificatePem = readData(serverCertificate + QStringLiteral(".pem"));
    else
        firstOptions.caCertificatesPem = readData(QStringLiteral("ca.pem"));
    Sse::Client first;
    first.setOptions(firstOptions);
    QSignalSpy firstEvents(&first, &Sse::Client::eventsReceived);
    first.open();
    QTRY_COMPARE(firstEvents.count(), 1);
    if (!firstStillOpen)
        first.close();

    Sse::Client strict;
    strict.setOptions(tlsOptions(server.url()));
    QSignalSpy strictEvents(&strict, &Sse::Client::eventsReceived);
    strict.open();
    QTRY_VERIFY(strict.state() == Sse::Client::State::Failed
                || strict.state() == Sse::Client::State::Open);
    QCOMPARE(strict.state(), Sse::Client::State::Failed);
    QCOMPARE(strict.failure().kind, Sse::FailureInfo::Kind::Tls);
    QCOMPARE(strictEvents.count(), 0);
    QCOMPARE(server.connections(), 1);
    if (firstStillOpen)
        QCOMPARE(first.state(), Sse::Client::State::Open);
}

QTEST_GUILESS_MAIN(TestTls)
#include "tst_tls.moc"
