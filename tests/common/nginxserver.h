#pragma once

#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>
#include <QUrl>

/// A real nginx (Debian nginx-light) of its own for tests: configuration, pid, logs and temp
/// paths in a temporary directory, so it runs without root. Two listeners in front of one
/// loopback HTTP/1.1 backend: HTTPS with h2 (ALPN), cleartext h2 (prior knowledge), and HTTPS
/// without http2 (ALPN can only choose http/1.1).
/// Stopped when destroyed.
class NginxServer
{
public:
    struct Settings
    {
        bool proxyBuffering = false;
        int maximumStreams = 128; ///< http2_max_concurrent_streams
        int keepaliveRequests = 1000; ///< requests per connection, then GOAWAY (h2)
    };

    /// The nginx binary, or empty when it is not installed.
    static QString executable();

    NginxServer() = default;
    ~NginxServer();
    Q_DISABLE_COPY(NginxServer)

    /// Starts nginx proxying to 127.0.0.1:\a backendPort with the server certificate of
    /// \a tlsDirectory (server.pem, server.key). Empty on success, else why it did not come up.
    QString start(quint16 backendPort, const QString &tlsDirectory, const Settings &settings);

    QUrl tlsUrl(const QString &path = QStringLiteral("/stream")) const;
    QUrl cleartextUrl(const QString &path = QStringLiteral("/stream")) const;
    QUrl tlsHttp1Url(const QString &path = QStringLiteral("/stream")) const;
    /// Access log lines, "CONNECTION STATUS URI CLIENT-VERIFY" (SUCCESS, NONE or FAILED:...,
    /// for the TLS h2 port, which asks for an optional client certificate from the test CA;
    /// "-" elsewhere), each written when its request ends.
    QStringList accessLog() const;

private:
    QTemporaryDir m_dir;
    QProcess m_process;
    quint16 m_tlsPort = 0;
    quint16 m_cleartextPort = 0;
    quint16 m_tlsHttp1Port = 0;
};
