#include "testserver.h"

#include <QHostAddress>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include <algorithm>

#include <zlib.h>

#ifdef Q_OS_UNIX
#include <sys/socket.h>
#endif

namespace {

// Refuse request heads beyond this: a test client gone wrong, not a real request.
constexpr qsizetype MaximumHeadSize = 1024 * 1024;

bool sameName(const QByteArray &left, const QByteArray &right)
{
    return left.compare(right, Qt::CaseInsensitive) == 0;
}

QByteArray headerValue(const TestHttp::Headers &headers, const QByteArray &name)
{
    for (const auto &header : headers) {
        if (sameName(header.first, name))
            return header.second;
    }
    return {};
}

bool hasHeader(const TestHttp::Headers &headers, const QByteArray &name)
{
    for (const auto &header : headers) {
        if (sameName(header.first, name))
            return true;
    }
    return false;
}

} // namespace

// ---------------------------------------------------------------------------
// GzipEncoder

GzipEncoder::GzipEncoder()
    : m_stream(std::make_unique<z_stream_s>())
{
    // windowBits 15 + 16: zlib writes a gzip header and trailer instead of zlib's.
    const int result = deflateInit2(m_stream.get(), Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
                                    Z_DEFAULT_STRATEGY);
    if (result != Z_OK)
        qFatal("deflateInit2 failed: %d", result);
}

GzipEncoder::~GzipEncoder()
{
    deflateEnd(m_stream.get());
}

QByteArray GzipEncoder::compress(const QByteArray &bytes)
{
    if (m_finished || bytes.isEmpty())
        return {};
    return run(bytes, Z_SYNC_FLUSH);
}

QByteArray GzipEncoder::finish()
{
    if (m_finished)
        return {};
    m_finished = true;
    return run({}, Z_FINISH);
}

QByteArray GzipEncoder::run(const QByteArray &bytes, int flush)
{
    QByteArray output;
    z_stream_s *stream = m_stream.get();
    stream->next_in = reinterpret_cast<Bytef *>(const_cast<char *>(bytes.constData()));
    stream->avail_in = uInt(bytes.size());
    char buffer[16 * 1024];
    // With Z_SYNC_FLUSH and Z_FINISH, deflate is done once it leaves room in the output.
    do {
        stream->next_out = reinterpret_cast<Bytef *>(buffer);
        stream->avail_out = sizeof buffer;
        const int result = deflate(stream, flush);
        if (result == Z_STREAM_ERROR)
            qFatal("deflate failed");
        output.append(buffer, qsizetype(sizeof buffer - stream->avail_out));
    } while (stream->avail_out == 0);
    m_bytesIn += bytes.size();
    m_bytesOut += output.size();
    return output;
}

QByteArray GzipEncoder::gzip(const QByteArray &bytes)
{
    GzipEncoder encoder;
    return encoder.compress(bytes) + encoder.finish();
}

// ---------------------------------------------------------------------------
// Request

QByteArray TestHttp::Request::routePath() const
{
    const qsizetype query = path.indexOf('?');
    return query < 0 ? path : path.left(query);
}

QByteArray TestHttp::Request::header(const QByteArray &name) const
{
    return headerValue(headers, name);
}

bool TestHttp::Request::hasHeader(const QByteArray &name) const
{
    return ::hasHeader(headers, name);
}

// ---------------------------------------------------------------------------
// Connection: one accepted socket, parsing requests as bytes arrive.

class TestServer::Connection : public QObject
{
public:
    Connection(TestServer *server, QTcpSocket *socket, int serial)
        : QObject(server)
        , m_server(server)
        , m_socket(socket)
        , m_serial(serial)
    {
        socket->setParent(this);
        connect(socket, &QTcpSocket::readyRead, this, &Connection::parse);
        connect(socket, &QTcpSocket::disconnected, this, &Connection::drop);
        // Nothing is written here, so an error is always the end of the connection.
        connect(socket, &QTcpSocket::errorOccurred, this, &Connection::drop);
    }

    QTcpSocket *socket() const { return m_socket; }
    int serial() const { return m_serial; }
    bool isConnected() const { return !m_dropped; }

    void drop()
    {
        if (m_dropped)
            return;
        m_dropped = true;
        // Exchanges are children: they, and timers using them as context, go too.
        deleteLater();
    }

private:
    enum class Stage { Head, Body, ChunkSize, ChunkData, ChunkTrailer };

    void parse()
    {
        m_buffer += m_socket->readAll();
        while (!m_dropped && m_socket->state() == QAbstractSocket::ConnectedState) {
            if (!step())
                return;
        }
    }

    // Consumes one parsing step from the buffer; false when more bytes are needed.
    bool step()
    {
        switch (m_stage) {
        case Stage::Head: {
            const qsizetype end = m_buffer.indexOf("\r\n\r\n");
            if (end < 0) {
                if (m_buffer.size() > MaximumHeadSize)
                    refuse(431);
                return false;
            }
            const QByteArray head = m_buffer.left(end);
            m_buffer.remove(0, end + 4);
            if (!parseHead(head)) {
                refuse(400);
                return false;
            }
            if (m_request.header("Transfer-Encoding").toLower().contains("chunked")) {
                m_stage = Stage::ChunkSize;
            } else {
                bool ok = true;
                const QByteArray length = m_request.header("Content-Length").trimmed();
                m_remaining = length.isEmpty() ? 0 : length.toLongLong(&ok);
                if (!ok || m_remaining < 0) {
                    refuse(400);
                    return false;
                }
                m_stage = Stage::Body;
            }
            return true;
        }
        case Stage::Body: {
            const qsizetype take = qMin<qsizetype>(m_remaining, m_buffer.size());
            m_request.body += m_buffer.left(take);
            m_buffer.remove(0, take);
            m_remaining -= take;
            if (m_remaining > 0)
                return false;
            complete();
            return true;
        }
        case Stage::ChunkSize: {
            const qsizetype end = m_buffer.indexOf("\r\n");
            if (end < 0)
                return false;
            QByteArray line = m_buffer.left(end);
            m_buffer.remove(0, end + 2);
            const qsizetype extension = line.indexOf(';');
            if (extension >= 0)
                line.truncate(extension);
            bool ok = false;
            m_remaining = line.trimmed().toLongLong(&ok, 16);
            if (!ok || m_remaining < 0) {
                refuse(400);
                return false;
            }
            m_stage = m_remaining == 0 ? Stage::ChunkTrailer : Stage::ChunkData;
            return true;
        }
        case Stage::ChunkData: {
            // The chunk's data plus its CRLF.
            if (m_buffer.size() < m_remaining + 2)
                return false;
            m_request.body += m_buffer.left(m_remaining);
            m_buffer.remove(0, m_remaining + 2);
            m_stage = Stage::ChunkSize;
            return true;
        }
        case Stage::ChunkTrailer: {
            const qsizetype end = m_buffer.indexOf("\r\n");
            if (end < 0)
                return false;
            m_buffer.remove(0, end + 2);
            if (end == 0) // the empty line that ends the trailer
                complete();
            return true;
        }
        }
        return false;
    }

    bool parseHead(const QByteArray &head)
    {
        const QList<QByteArray> lines = head.split('\n');
        const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
        if (requestLine.size() != 3)
            return false;
        m_request = Request();
        m_request.method = requestLine.at(0);
        m_request.path = requestLine.at(1);
        m_request.version = requestLine.at(2);
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QByteArray line = lines.at(i).trimmed();
            if (line.isEmpty())
                continue;
            const qsizetype colon = line.indexOf(':');
            if (colon <= 0)
                return false;
            m_request.headers.emplaceBack(line.left(colon).trimmed(),
                                          line.mid(colon + 1).trimmed());
        }
        return true;
    }

    void complete()
    {
        m_stage = Stage::Head;
        m_request.connection = m_serial;
        m_server->dispatch(this, std::move(m_request));
        m_request = Request();
    }

    void refuse(int status)
    {
        const QByteArray reason = TestServer::reasonPhrase(status);
        m_socket->write("HTTP/1.1 " + QByteArray::number(status) + ' ' + reason
                        + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        m_socket->disconnectFromHost();
    }

    TestServer *m_server;
    QTcpSocket *m_socket;
    QByteArray m_buffer;
    Request m_request;
    Stage m_stage = Stage::Head;
    qint64 m_remaining = 0;
    int m_serial;
    bool m_dropped = false;
};

// ---------------------------------------------------------------------------
// Exchange

TestHttp::Exchange::Exchange(QTcpSocket *socket, Request request, QObject *parent)
    : QObject(parent)
    , m_request(std::move(request))
    , m_socket(socket)
{
    connect(socket, &QTcpSocket::disconnected, this, [this] {
        if (m_disconnected)
            return;
        m_disconnected = true;
        emit disconnected();
    });
}

void TestHttp::Exchange::writeRaw(const QByteArray &bytes)
{
    if (!isConnected() || bytes.isEmpty())
        return;
    m_socket->write(bytes);
    m_bytesWritten += bytes.size();
}

void TestHttp::Exchange::writeHead(int status, const Headers &headers, const QByteArray &reason)
{
    QByteArray head = "HTTP/1.1 " + QByteArray::number(status) + ' '
                      + (reason.isEmpty() ? TestServer::reasonPhrase(status) : reason) + "\r\n";
    for (const auto &header : headers)
        head += header.first + ": " + header.second + "\r\n";
    head += "\r\n";
    writeRaw(head);

    if (headerValue(headers, "Transfer-Encoding").toLower().contains("chunked"))
        m_framing = Framing::Chunked;
    else if (::hasHeader(headers, "Content-Length"))
        m_framing = Framing::ContentLength;
    else
        m_framing = Framing::CloseDelimited;
    if (headerValue(headers, "Content-Encoding").toLower() == "gzip")
        m_gzip = std::make_unique<GzipEncoder>();
    else
        m_gzip.reset();
    m_finished = false;
}

void TestHttp::Exchange::sseHead(Framing framing, Coding coding, const Headers &extraHeaders)
{
    Headers headers = {
        {"Content-Type", "text/event-stream"},
        {"Cache-Control", "no-cache"},
    };
    if (framing == Framing::Chunked)
        headers.emplaceBack("Transfer-Encoding", "chunked");
    else
        headers.emplaceBack("Connection", "close");
    if (coding == Coding::Gzip)
        headers.emplaceBack("Content-Encoding", "gzip");
    headers += extraHeaders;
    writeHead(200, headers);
}

void TestHttp::Exchange::respond(int status, const Headers &headers, const QByteArray &body)
{
    Headers all = headers;
    if (!::hasHeader(all, "Content-Length"))
        all.emplaceBack("Content-Length", QByteArray::number(body.size()));
    writeHead(status, all);
    writeRaw(body);
    m_finished = true;
}

void TestHttp::Exchange::send(const QByteArray &bytes)
{
    frame(m_gzip ? m_gzip->compress(bytes) : bytes);
}

void TestHttp::Exchange::frame(const QByteArray &bytes)
{
    if (m_framing == Framing::Chunked)
        writeChunk(bytes);
    else
        writeRaw(bytes);
}

void TestHttp::Exchange::finish()
{
    if (m_finished)
        return;
    m_finished = true;
    if (m_gzip)
        frame(m_gzip->finish());
    switch (m_framing) {
    case Framing::Chunked:
        endChunked();
        break;
    case Framing::CloseDelimited:
        close();
        break;
    case Framing::ContentLength:
        break;
    }
}

void TestHttp::Exchange::writeChunk(const QByteArray &bytes)
{
    // An empty chunk would be the last chunk: never write one by accident.
    if (bytes.isEmpty())
        return;
    writeRaw(QByteArray::number(bytes.size(), 16) + "\r\n" + bytes + "\r\n");
}

void TestHttp::Exchange::endChunked()
{
    writeRaw(QByteArrayLiteral("0\r\n\r\n"));
}

void TestHttp::Exchange::sendLater(int ms, const QByteArray &bytes)
{
    QTimer::singleShot(ms, this, [this, bytes] { send(bytes); });
}

void TestHttp::Exchange::writeLater(int ms, const QByteArray &bytes)
{
    QTimer::singleShot(ms, this, [this, bytes] { writeRaw(bytes); });
}

void TestHttp::Exchange::close()
{
    if (isConnected())
        m_socket->disconnectFromHost();
}

void TestHttp::Exchange::abort()
{
    if (!m_socket)
        return;
#ifdef Q_OS_UNIX
    const qintptr descriptor = m_socket->socketDescriptor();
    if (descriptor >= 0) {
        const linger option = {1, 0};
        ::setsockopt(int(descriptor), SOL_SOCKET, SO_LINGER, &option, sizeof option);
    }
#endif
    m_socket->abort();
}

bool TestHttp::Exchange::isConnected() const
{
    return m_socket && !m_disconnected && m_socket->state() == QAbstractSocket::ConnectedState;
}

// ---------------------------------------------------------------------------
// TestServer

TestServer::TestServer(QObject *parent)
    : QObject(parent)
    , m_server(new QTcpServer(this))
{
    m_clock.start();
    connect(m_server, &QTcpServer::newConnection, this, &TestServer::acceptConnections);
    if (!m_server->listen(QHostAddress::LocalHost, 0))
        qWarning("TestServer: cannot listen: %s", qPrintable(m_server->errorString()));
}

TestServer::~TestServer()
{
    // Sockets go with their connections; close them first so that peers in this
    // thread see a clean end rather than a socket that silently disappears.
    for (const auto &connection : std::as_const(m_connections)) {
        if (connection)
            connection->socket()->abort();
    }
}

bool TestServer::isListening() const
{
    return m_server->isListening();
}

quint16 TestServer::port() const
{
    return m_server->serverPort();
}

QUrl TestServer::url(const QByteArray &path) const
{
    QUrl url;
    url.setScheme(QStringLiteral("http"));
    url.setHost(QStringLiteral("127.0.0.1"));
    url.setPort(port());
    return url.resolved(QUrl::fromEncoded(path));
}

void TestServer::route(const QByteArray &path, Handler handler)
{
    m_routes.insert(path, std::move(handler));
}

QList<TestServer::Request> TestServer::requests(const QByteArray &path) const
{
    QList<Request> result;
    for (const Request &request : m_requests) {
        if (request.routePath() == path)
            result.append(request);
    }
    return result;
}

int TestServer::requestCount(const QByteArray &path) const
{
    return int(std::count_if(m_requests.cbegin(), m_requests.cend(),
                             [&path](const Request &request) {
                                 return request.routePath() == path;
                             }));
}

QList<TestServer::Exchange *> TestServer::exchanges() const
{
    QList<Exchange *> result;
    for (const auto &exchange : m_exchanges) {
        if (exchange && exchange->isConnected())
            result.append(exchange.data());
    }
    return result;
}

QList<TestServer::Exchange *> TestServer::exchanges(const QByteArray &path) const
{
    QList<Exchange *> result;
    for (Exchange *exchange : exchanges()) {
        if (exchange->request().routePath() == path)
            result.append(exchange);
    }
    return result;
}

int TestServer::openConnectionCount() const
{
    return int(std::count_if(m_connections.cbegin(), m_connections.cend(),
                             [](const QPointer<Connection> &connection) {
                                 return connection && connection->isConnected();
                             }));
}

void TestServer::abortAll()
{
    for (Exchange *exchange : exchanges())
        exchange->abort();
}

void TestServer::acceptConnections()
{
    while (QTcpSocket *socket = m_server->nextPendingConnection()) {
        m_connections.removeAll(nullptr);
        m_connections.append(new Connection(this, socket, ++m_connectionSerial));
    }
}

void TestServer::dispatch(Connection *connection, Request request)
{
    request.index = int(m_requests.size());
    request.receivedMs = m_clock.elapsed();
    m_requests.append(request);

    auto *exchange = new Exchange(connection->socket(), std::move(request), connection);
    m_exchanges.removeAll(nullptr);
    m_exchanges.append(exchange);

    emit requestReceived(exchange);
    const auto route = m_routes.constFind(exchange->request().routePath());
    if (route != m_routes.cend()) {
        // Copy: the handler may replace its own route.
        const Handler handler = route.value();
        handler(exchange);
    } else {
        exchange->respond(404, {{"Content-Type", "text/plain"}}, "no route\n");
    }
}

QByteArray TestServer::reasonPhrase(int status)
{
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 205: return "Reset Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 410: return "Gone";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    default: return "Status";
    }
}

QByteArray TestServer::formatEvent(const QByteArray &data, const QByteArray &type,
                                   const QByteArray &id)
{
    QByteArray block;
    if (!type.isEmpty())
        block += "event: " + type + '\n';
    if (!id.isEmpty())
        block += "id: " + id + '\n';
    for (const QByteArray &line : data.split('\n'))
        block += "data: " + line + '\n';
    block += '\n';
    return block;
}
