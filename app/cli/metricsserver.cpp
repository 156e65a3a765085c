#include "metricsserver.h"

#include <QPointer>
#include <QTcpSocket>
#include <QTimer>

namespace {

constexpr qsizetype MaximumHeadBytes = 8 * 1024;
// A peer that does not take its answer is dropped after this long.
constexpr int WriteGraceMs = 5000;

// The reason phrases of the statuses this server answers with.
QByteArray reason(int status)
{
    static const QHash<int, QByteArray> phrases = {
        {200, "OK"},
        {400, "Bad Request"},
        {404, "Not Found"},
        {405, "Method Not Allowed"},
        {408, "Request Timeout"},
        {431, "Request Header Fields Too Large"},
        {503, "Service Unavailable"},
    };
    return phrases.value(status, QByteArrayLiteral("Error"));
}

QByteArray responseBytes(const MetricsServer::Response &response, bool withBody)
{
    QByteArray out =
        "HTTP/1.1 " + QByteArray::number(response.status) + ' ' + reason(response.status) + "\r\n";
    if (!response.contentType.isEmpty())
        out += "Content-Type: " + response.contentType + "\r\n";
    if (response.status == 405)
        out += "Allow: GET, HEAD\r\n";
    out += "Content-Length: " + QByteArray::number(response.body.size())
        + "\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n";
    if (withBody)
        out += response.body;
    return out;
}

MetricsServer::Response plain(int status, const QByteArray &text)
{
    return {status, QByteArrayLiteral("text/plain; charset=utf-8"), text + '\n'};
}

} // namespace

// One connection: reads the request head, answers once, closes. Owns its socket.
class MetricsServer::Session : public QObject
{
public:
    Session(MetricsServer *server, QTcpSocket *socket)
        : QObject(server)
        , m_server(server)
        , m_socket(socket)
    {
        socket->setParent(this);
        ++m_server->m_connections;
        m_timer.setSingleShot(true);
        connect(&m_timer, &QTimer::timeout, this, [this] {
            if (m_answered) {
                m_socket->abort(); // the answer was not taken in time
                return;
            }
            finish(responseBytes(plain(408, "request head not received in time"), true));
        });
        m_timer.start(m_server->m_requestTimeoutMs);
        connect(socket, &QTcpSocket::readyRead, this, &Session::read);
        connect(socket, &QTcpSocket::disconnected, this, &Session::end);
        connect(socket, &QTcpSocket::errorOccurred, this, [this] {
            if (m_socket->state() == QAbstractSocket::UnconnectedState)
                end();
        });
    }

private:
    void read()
    {
        if (m_answered) {
            m_socket->readAll(); // a body, or a pipelined request: not served
            return;
        }
        m_head.append(m_socket->read(MaximumHeadBytes + 1 - m_head.size()));
        qsizetype end = m_head.indexOf("\r\n\r\n");
        if (end < 0)
            end = m_head.indexOf("\n\n");
        if (end < 0) {
            if (m_head.size() > MaximumHeadBytes)
                finish(responseBytes(plain(431, "request head too large"), true));
            return;
        }
        const qsizetype lineEnd = m_head.indexOf('\n');
        const QList<QByteArray> requestLine = m_head.left(lineEnd).trimmed().split(' ');
        m_head.clear();
        if (requestLine.size() != 3 || !requestLine.at(2).startsWith("HTTP/1.")) {
            finish(responseBytes(plain(400, "not an HTTP/1.x request"), true));
            return;
        }
        const QByteArray &method = requestLine.at(0);
        finish(responseBytes(m_server->answer(method, requestLine.at(1)), method != "HEAD"));
    }

    void finish(const QByteArray &bytes)
    {
        m_answered = true;
        m_socket->write(bytes);
        m_socket->disconnectFromHost(); // after the bytes have gone out
        m_timer.start(WriteGraceMs);
    }

    void end()
    {
        if (m_ended)
            return;
        m_ended = true;
        m_timer.stop();
        --m_server->m_connections;
        deleteLater();
    }

    MetricsServer *m_server;
    QPointer<QTcpSocket> m_socket;
    QByteArray m_head;
    QTimer m_timer;
    bool m_answered = false;
    bool m_ended = false;
};

MetricsServer::MetricsServer(QObject *parent) : QObject(parent)
{
    connect(&m_server, &QTcpServer::newConnection, this, &MetricsServer::accept);
    // Out of descriptors: accept() fails while the listening socket stays readable; wait a
    // moment instead of spinning.
    connect(&m_server, &QTcpServer::acceptError, this, [this] {
        m_server.pauseAccepting();
        QTimer::singleShot(100, this, [this] { m_server.resumeAccepting(); });
    });
}

void MetricsServer::route(const QByteArray &path, Handler handler)
{
    m_routes.insert(path, std::move(handler));
}

bool MetricsServer::listen(const QHostAddress &address, quint16 port)
{
    return m_server.listen(address, port);
}

QByteArray MetricsServer::baseUrl() const
{
    const QHostAddress address = m_server.serverAddress();
    QByteArray host = address.toString().toLatin1();
    if (address.protocol() == QAbstractSocket::IPv6Protocol)
        host = '[' + host + ']';
    return "http://" + host + ':' + QByteArray::number(m_server.serverPort());
}

void MetricsServer::accept()
{
    while (QTcpSocket *socket = m_server.nextPendingConnection()) {
        if (m_connections < m_maximumConnections) {
            new Session(this, socket); // owned by this server, deletes itself at the end
            continue;
        }
        socket->setParent(this);
        socket->write(responseBytes(plain(503, "too many connections"), true));
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        QTimer::singleShot(WriteGraceMs, socket, [socket] { socket->abort(); });
        socket->disconnectFromHost();
    }
}

MetricsServer::Response MetricsServer::answer(const QByteArray &method,
                                              const QByteArray &target) const
{
    QByteArray path = target;
    const qsizetype query = path.indexOf('?');
    if (query >= 0)
        path.truncate(query);
    const auto route = m_routes.constFind(path);
    if (route == m_routes.cend())
        return plain(404, "not found; try /metrics");
    if (method != "GET" && method != "HEAD")
        return plain(405, "GET or HEAD only");
    return (*route)();
}
