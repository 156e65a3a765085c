#include "nginxserver.h"

#include <QElapsedTimer>
#include <QFile>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>

#include <unistd.h>

namespace {

quint16 freePort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

QString NginxServer::executable()
{
    QString found = QStandardPaths::findExecutable(QStringLiteral("nginx"));
    if (found.isEmpty())
        found = QStandardPaths::findExecutable(QStringLiteral("nginx"), {QStringLiteral("/usr/sbin")});
    return found;
}

NginxServer::~NginxServer()
{
    if (m_process.state() == QProcess::NotRunning)
        return;
    m_process.terminate();
    if (!m_process.waitForFinished(5000))
        m_process.kill();
    m_process.waitForFinished(5000);
}

QString NginxServer::start(quint16 backendPort, const QString &tlsDirectory,
                           const Settings &settings)
{
    const QString binary = executable();
    if (binary.isEmpty())
        return QStringLiteral("nginx not found: install nginx-light (scripts/deps.sh)");
    if (!m_dir.isValid())
        return QStringLiteral("no temporary directory");
    m_tlsPort = freePort();
    m_cleartextPort = freePort();
    m_tlsHttp1Port = freePort();
    const QString dir = m_dir.path();
    const QString location =
        QStringLiteral("        location / {\n"
                       "            proxy_pass http://127.0.0.1:%1;\n"
                       "            proxy_http_version 1.1;\n"
                       "            proxy_set_header Connection \"\";\n"
                       "            proxy_buffering %2;\n"
                       "            proxy_read_timeout 1h;\n"
                       "        }\n")
            .arg(backendPort)
            .arg(settings.proxyBuffering ? QStringLiteral("on") : QStringLiteral("off"));
    // As root (CI containers) the workers would become "nobody" and could not read the
    // temporary directory.
    const QString config =
        QStringLiteral("%1worker_processes 1;\n"
                       "pid %2/nginx.pid;\n"
                       "error_log %2/error.log info;\n"
                       "events { worker_connections 1024; }\n"
                       "http {\n"
                       "    log_format streams '$connection $status $request_uri "
                       "$ssl_client_verify';\n"
                       "    access_log %2/access.log streams;\n"
                       "    client_body_temp_path %2/body;\n"
                       "    proxy_temp_path %2/proxy;\n"
                       "    fastcgi_temp_path %2/fastcgi;\n"
                       "    uwsgi_temp_path %2/uwsgi;\n"
                       "    scgi_temp_path %2/scgi;\n"
                       "    http2_max_concurrent_streams %3;\n"
                       "    keepalive_requests %8;\n"
                       "    server {\n"
                       "        listen 127.0.0.1:%4 ssl http2;\n"
                       "        ssl_certificate %5/server.pem;\n"
                       "        ssl_certificate_key %5/server.key;\n"
                       "        ssl_client_certificate %5/ca.pem;\n"
                       "        ssl_verify_client optional;\n"
                       "%6"
                       "    }\n"
                       "    server {\n"
                       "        listen 127.0.0.1:%7 http2;\n"
                       "%6"
                       "    }\n"
                       "    server {\n"
                       "        listen 127.0.0.1:%9 ssl;\n"
                       "        ssl_certificate %5/server.pem;\n"
                       "        ssl_certificate_key %5/server.key;\n"
                       "%6"
                       "    }\n"
                       "}\n")
            .arg(geteuid() == 0 ? QStringLiteral("user root;\n") : QString(), dir)
            .arg(settings.maximumStreams)
            .arg(m_tlsPort)
            .arg(tlsDirectory, location)
            .arg(m_cleartextPort)
            .arg(settings.keepaliveRequests)
            .arg(m_tlsHttp1Port);
    QFile file(dir + QStringLiteral("/nginx.conf"));
    if (!file.open(QIODevice::WriteOnly) || file.write(config.toUtf8()) < 0)
        return QStringLiteral("cannot write nginx.conf");
    file.close();
    m_process.setProcessChannelMode(QProcess::MergedChannels);
    m_process.start(binary, {QStringLiteral("-p"), dir, QStringLiteral("-c"),
                             dir + QStringLiteral("/nginx.conf"), QStringLiteral("-g"),
                             QStringLiteral("daemon off;")});
    if (!m_process.waitForStarted(5000))
        return QStringLiteral("nginx did not start: ") + m_process.errorString();
    // Up when both ports take connections (or nginx has exited, with its reason).
    QElapsedTimer clock;
    clock.start();
    for (const quint16 port : {m_tlsPort, m_cleartextPort, m_tlsHttp1Port}) {
        for (;;) {
            if (m_process.state() == QProcess::NotRunning)
                return QStringLiteral("nginx exited: ")
                    + QString::fromLocal8Bit(m_process.readAll()
                                             + readFile(dir + QStringLiteral("/error.log")));
            QTcpSocket socket;
            socket.connectToHost(QHostAddress::LocalHost, port);
            if (socket.waitForConnected(200))
                break;
            if (clock.elapsed() > 10000)
                return QStringLiteral("nginx did not listen on port %1").arg(port);
        }
    }
    return QString();
}

QUrl NginxServer::tlsUrl(const QString &path) const
{
    return QUrl(QStringLiteral("https://127.0.0.1:%1%2").arg(m_tlsPort).arg(path));
}

QUrl NginxServer::cleartextUrl(const QString &path) const
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_cleartextPort).arg(path));
}

QUrl NginxServer::tlsHttp1Url(const QString &path) const
{
    return QUrl(QStringLiteral("https://127.0.0.1:%1%2").arg(m_tlsHttp1Port).arg(path));
}

QStringList NginxServer::accessLog() const
{
    return QString::fromUtf8(readFile(m_dir.path() + QStringLiteral("/access.log")))
        .split(QLatin1Char('\n'), Qt::SkipEmptyParts);
}
