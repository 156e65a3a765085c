#include "tlssseserver.h"

#include <QFile>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslSocket>
#include <QTimer>

#include <memory>

namespace {

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

TlsSseServer::TlsSseServer(QObject *parent) : QObject(parent) {}

bool TlsSseServer::listen(const QString &dataDirectory, ClientCertificates clientCertificates,
                          const QString &clientCa)
{
    const QList<QSslCertificate> certificates =
        QSslCertificate::fromData(readFile(dataDirectory + QStringLiteral("/server.pem")));
    const QSslKey key(readFile(dataDirectory + QStringLiteral("/server.key")), QSsl::Rsa);
    if (certificates.isEmpty() || key.isNull())
        return false;
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setLocalCertificate(certificates.first());
    configuration.setPrivateKey(key);
    if (clientCertificates == ClientCertificates::Required) {
        configuration.setCaCertificates(
            QSslCertificate::fromData(readFile(dataDirectory + QLatin1Char('/') + clientCa)));
        configuration.setPeerVerifyMode(QSslSocket::VerifyPeer);
    } else {
        configuration.setPeerVerifyMode(QSslSocket::VerifyNone);
    }
    m_server.setSslConfiguration(configuration);
    connect(&m_server, &QSslServer::pendingConnectionAvailable, this, [this] { acceptPending(); });
    connect(&m_server, &QSslServer::peerVerifyError, this,
            [this](QSslSocket *, const QSslError &error) {
                m_handshakeErrors.append(error.errorString());
            });
    connect(&m_server, &QSslServer::sslErrors, this,
            [this](QSslSocket *, const QList<QSslError> &errors) {
                for (const QSslError &error : errors)
                    m_handshakeErrors.append(error.errorString());
            });
    connect(&m_server, &QSslServer::errorOccurred, this,
            [this](QSslSocket *socket, QAbstractSocket::SocketError) {
                m_handshakeErrors.append(socket->errorString());
                emit handshakeFailed();
            });
    return m_server.listen(QHostAddress::LocalHost, 0);
}

QUrl TlsSseServer::url(const QString &path) const
{
    return QUrl(QStringLiteral("https://127.0.0.1:%1%2").arg(port()).arg(path));
}

void TlsSseServer::acceptPending()
{
    while (QTcpSocket *next = m_server.nextPendingConnection()) {
        auto *socket = static_cast<QSslSocket *>(next);
        const QSslCertificate peer = socket->peerCertificate();
        if (!peer.isNull())
            m_lastClientName = peer.subjectInfo(QSslCertificate::CommonName).value(0);
        auto request = std::make_shared<QByteArray>();
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        auto onRequest = [this, socket, request] {
            if (request->contains("\r\n\r\n"))
                return;
            request->append(socket->readAll());
            if (!request->contains("\r\n\r\n"))
                return;
            ++m_responses;
            socket->write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                          "Cache-Control: no-cache\r\n\r\n");
            int at = 0;
            for (const auto &step : std::as_const(m_script)) {
                at += step.first;
                const QByteArray bytes = step.second;
                QTimer::singleShot(at, socket, [socket, bytes] { socket->write(bytes); });
            }
        };
        connect(socket, &QTcpSocket::readyRead, socket, onRequest);
        if (socket->bytesAvailable() > 0)
            onRequest();
    }
}
