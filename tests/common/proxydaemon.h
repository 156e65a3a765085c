#pragma once

// Real proxy daemons from Debian (tinyproxy, danted, microsocks) run by a test on loopback,
// each with its own config in a temporary directory. Used by tests/sselib/tst_proxy.cpp and
// tests/sselib/tst_http2.cpp.

#include <QByteArray>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

/// The daemon \a name in the usual system directories (sbin included), or empty.
QString findDaemon(const QString &name);

/// A port that was free a moment ago: the daemons cannot listen on port 0 and report it.
quint16 freePort();

/// A proxy daemon run for one test: its config written to a temporary directory, its
/// output kept for the failure message; terminated when destroyed.
class ProxyDaemon
{
public:
    ProxyDaemon();
    ~ProxyDaemon();
    Q_DISABLE_COPY(ProxyDaemon)

    /// Starts \a program with \a arguments, "@CONFIG@" in them replaced by the path of a file
    /// holding \a config; true once the daemon accepts connections on port().
    bool start(const QString &program, const QStringList &arguments, const QByteArray &config);

    /// tinyproxy, allowing CONNECT to \a connectPort; Basic authentication when \a user is set.
    bool startTinyproxy(quint16 connectPort, const QByteArray &user = {},
                        const QByteArray &password = {});
    /// danted: SOCKS5 without authentication, from and to loopback.
    bool startDante();
    /// microsocks: SOCKS5 with a user name and password (RFC 1929).
    bool startMicrosocks(const QString &user, const QString &password);

    quint16 port() const { return m_port; }
    void setPort(quint16 port) { m_port = port; }
    /// "SCHEME://127.0.0.1:PORT".
    QString url(const QString &scheme = QStringLiteral("http")) const;
    /// Everything the daemon logged so far.
    QString output();

private:
    QTemporaryDir m_directory;
    QProcess m_process;
    QString m_output;
    quint16 m_port = 0;
};
