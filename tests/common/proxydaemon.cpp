#include "proxydaemon.h"

#include <QElapsedTimer>
#include <QFile>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

namespace {

QByteArray tinyproxyConfig(quint16 port, quint16 connectPort, const QByteArray &user,
                           const QByteArray &password)
{
    QByteArray config = "Port " + QByteArray::number(port)
        + "\n"
          "Listen 127.0.0.1\nAllow 127.0.0.1\nTimeout 600\nLogLevel Connect\n"
          "MaxClients 50\n"
          "ConnectPort "
        + QByteArray::number(connectPort) + "\n";
    if (!user.isEmpty())
        config += "BasicAuth " + user + " " + password + "\n";
    return config;
}

QByteArray danteConfig(quint16 port)
{
    return "logoutput: stderr\n"
           "internal: 127.0.0.1 port = "
        + QByteArray::number(port)
        + "\n"
          "external: 127.0.0.1\n"
          "clientmethod: none\nsocksmethod: none\n"
          "client pass { from: 127.0.0.1/32 to: 0.0.0.0/0 log: connect }\n"
          "socks pass { from: 127.0.0.1/32 to: 0.0.0.0/0 log: connect }\n";
}

} // namespace

QString findDaemon(const QString &name)
{
    return QStandardPaths::findExecutable(
        name, {QStringLiteral("/usr/sbin"), QStringLiteral("/usr/bin"), QStringLiteral("/sbin"),
               QStringLiteral("/usr/local/sbin"), QStringLiteral("/usr/local/bin")});
}

quint16 freePort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

ProxyDaemon::ProxyDaemon()
    : m_port(freePort())
{
}

ProxyDaemon::~ProxyDaemon()
{
    if (m_process.state() != QProcess::NotRunning) {
        m_process.terminate();
        if (!m_process.waitForFinished(3000))
            m_process.kill();
        m_process.waitForFinished(3000);
    }
}

bool ProxyDaemon::start(const QString &program, const QStringList &arguments,
                        const QByteArray &config)
{
    QFile file(m_directory.filePath(QStringLiteral("proxy.conf")));
    if (!file.open(QIODevice::WriteOnly) || file.write(config) != config.size())
        return false;
    file.close();
    QStringList withConfig = arguments;
    withConfig.replaceInStrings(QStringLiteral("@CONFIG@"), file.fileName());
    m_process.setProcessChannelMode(QProcess::MergedChannels);
    m_process.start(program, withConfig);
    if (!m_process.waitForStarted(5000))
        return false;
    // Listening once a connection is accepted (the daemon needs a few milliseconds).
    QElapsedTimer clock;
    clock.start();
    while (clock.elapsed() < 10000 && m_process.state() == QProcess::Running) {
        QTcpSocket probe;
        probe.connectToHost(QHostAddress::LocalHost, m_port);
        if (probe.waitForConnected(200))
            return true;
        QTest::qWait(20); // the daemon's own start-up; nothing of ours to wait on
    }
    return false;
}

QString ProxyDaemon::url(const QString &scheme) const
{
    return QStringLiteral("%1://127.0.0.1:%2").arg(scheme).arg(m_port);
}

QString ProxyDaemon::output()
{
    m_output += QString::fromLocal8Bit(m_process.readAll());
    return m_output;
}

bool ProxyDaemon::startTinyproxy(quint16 connectPort, const QByteArray &user,
                                 const QByteArray &password)
{
    return start(findDaemon(QStringLiteral("tinyproxy")),
                 {QStringLiteral("-d"), QStringLiteral("-c"), QStringLiteral("@CONFIG@")},
                 tinyproxyConfig(m_port, connectPort, user, password));
}

bool ProxyDaemon::startDante()
{
    return start(findDaemon(QStringLiteral("danted")),
                 {QStringLiteral("-f"), QStringLiteral("@CONFIG@"), QStringLiteral("-N"),
                  QStringLiteral("1")},
                 danteConfig(m_port));
}

bool ProxyDaemon::startMicrosocks(const QString &user, const QString &password)
{
    return start(findDaemon(QStringLiteral("microsocks")),
                 {QStringLiteral("-i"), QStringLiteral("127.0.0.1"), QStringLiteral("-p"),
                  QString::number(m_port), QStringLiteral("-u"), user, QStringLiteral("-P"),
                  password},
                 QByteArray());
}
