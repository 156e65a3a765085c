#pragma once

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QPair>
#include <QSslServer>
#include <QString>
#include <QStringList>
#include <QUrl>

/// An HTTPS SSE endpoint on 127.0.0.1 with the certificates of tests/data/tls, optionally
/// requiring a client certificate issued by a given CA (mutual TLS).
///
/// Every connection that completes the handshake and sends a request head gets `200
/// text/event-stream` and then the scripted writes, each after its delay (ms since the
/// previous one); the connection stays open afterwards.
class TlsSseServer : public QObject
{
    Q_OBJECT
public:
    enum class ClientCertificates { NotAsked, Required };
    using Script = QList<QPair<int, QByteArray>>;

    explicit TlsSseServer(QObject *parent = nullptr);

    /// \a dataDirectory holds server.pem/server.key; \a clientCa names the CA file there that
    /// client certificates must chain to.
    bool listen(const QString &dataDirectory, ClientCertificates clientCertificates,
                const QString &clientCa = QStringLiteral("ca.pem"));
    void setScript(const Script &script) { m_script = script; }

    quint16 port() const { return m_server.serverPort(); }
    QUrl url(const QString &path = QStringLiteral("/events")) const;

    int responses() const { return m_responses; }
    /// Why handshakes failed on the server's side (missing or untrusted client certificate).
    QStringList handshakeErrors() const { return m_handshakeErrors; }
    /// Common name of the last client certificate accepted, or empty.
    QString lastClientName() const { return m_lastClientName; }

Q_SIGNALS:
    void handshakeFailed();

private:
    void acceptPending();

    QSslServer m_server;
    Script m_script;
    int m_responses = 0;
    QStringList m_handshakeErrors;
    QString m_lastClientName;
};
