#pragma once

#include <QByteArray>
#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QObject>
#include <QPair>
#include <QPointer>
#include <QTcpSocket>
#include <QUrl>

#include <functional>
#include <memory>

QT_BEGIN_NAMESPACE
class QTcpServer;
QT_END_NAMESPACE

struct z_stream_s;
class TestServer;

/// Incremental gzip (RFC 1952) compressor for test responses.
///
/// Every compress() call ends with Z_SYNC_FLUSH, so the receiver can inflate
/// everything written so far: one call per event gives one event per flush,
/// the way a streaming server compresses `text/event-stream`.
class GzipEncoder
{
public:
    GzipEncoder();
    ~GzipEncoder();
    Q_DISABLE_COPY(GzipEncoder)

    QByteArray compress(const QByteArray &bytes);
    /// Ends the gzip member (Z_FINISH); later calls return nothing.
    QByteArray finish();

    qint64 bytesIn() const { return m_bytesIn; }
    qint64 bytesOut() const { return m_bytesOut; }

    /// One-shot helper: a complete gzip member holding \a bytes.
    static QByteArray gzip(const QByteArray &bytes);

private:
    QByteArray run(const QByteArray &bytes, int flush);

    std::unique_ptr<z_stream_s> m_stream;
    qint64 m_bytesIn = 0;
    qint64 m_bytesOut = 0;
    bool m_finished = false;
};

namespace TestHttp {

using Headers = QList<QPair<QByteArray, QByteArray>>;

/// One parsed request, as logged by the server.
struct Request
{
    QByteArray method;
    QByteArray path;    ///< request target as sent: path plus query
    QByteArray version; ///< "HTTP/1.1"
    Headers headers;    ///< in arrival order, names as sent
    QByteArray body;    ///< decoded body (Content-Length or chunked)
    int connection = 0; ///< serial number of the TCP connection, from 1
    int index = 0;      ///< serial number of the request on its server, from 0
    qint64 receivedMs = 0; ///< monotonic ms since the server started

    /// The path without the query: what routes match.
    QByteArray routePath() const;
    /// First header named \a name, compared case-insensitively; empty if absent.
    QByteArray header(const QByteArray &name) const;
    bool hasHeader(const QByteArray &name) const;
};

/// How body bytes given to Exchange::send() are framed on the wire.
enum class Framing {
    CloseDelimited, ///< raw bytes; the end of the body is the end of the connection
    Chunked,        ///< Transfer-Encoding: chunked
    ContentLength,  ///< raw bytes; the head declared the length
};

enum class Coding { Identity, Gzip };

/// One request and the response a handler makes for it.
///
/// Owned by its TCP connection: it stays valid until the connection closes, then
/// emits disconnected() and is deleted soon after (use QPointer to hold one).
class Exchange : public QObject
{
    Q_OBJECT
public:
    const Request &request() const { return m_request; }
    QByteArray method() const { return m_request.method; }
    QByteArray path() const { return m_request.path; }
    QByteArray header(const QByteArray &name) const { return m_request.header(name); }
    QByteArray body() const { return m_request.body; }

    /// Bytes straight to the socket, no framing or compression.
    void writeRaw(const QByteArray &bytes);
    /// Status line and header block. The body framing and coding used by send()
    /// follow the headers: `Transfer-Encoding: chunked`, `Content-Length`,
    /// `Content-Encoding: gzip`; otherwise the body is close-delimited.
    void writeHead(int status, const Headers &headers = {}, const QByteArray &reason = {});
    /// `200`, `Content-Type: text/event-stream` and `Cache-Control: no-cache`, plus
    /// `Connection: close` (close-delimited) or `Transfer-Encoding: chunked`.
    void sseHead(Framing framing = Framing::CloseDelimited, Coding coding = Coding::Identity,
                 const Headers &extraHeaders = {});
    /// A complete response with Content-Length; the connection stays open.
    void respond(int status, const Headers &headers = {}, const QByteArray &body = {});

    /// Body bytes, compressed and framed as the head declared.
    void send(const QByteArray &bytes);
    /// Ends the body: gzip trailer, then the last chunk, or closes the
    /// connection for a close-delimited body.
    void finish();

    /// One chunk frame around \a bytes (never compressed; empty input writes nothing).
    void writeChunk(const QByteArray &bytes);
    /// The last chunk and the empty trailer.
    void endChunked();

    /// send() after \a ms; writeLater() does the same with writeRaw().
    void sendLater(int ms, const QByteArray &bytes);
    void writeLater(int ms, const QByteArray &bytes);

    /// Graceful close (FIN) after everything written so far has been sent.
    void close();
    /// Connection reset: SO_LINGER 0 and close, so the peer gets a TCP RST.
    /// Bytes not yet delivered to the peer are lost.
    void abort();

    bool isConnected() const;
    /// Raw bytes written on this exchange (head, framing and body).
    qint64 bytesWritten() const { return m_bytesWritten; }
    QTcpSocket *socket() const { return m_socket; }

    /// The body's gzip compressor, when the head declared gzip (for ratios).
    const GzipEncoder *gzipEncoder() const { return m_gzip.get(); }

Q_SIGNALS:
    /// The TCP connection closed; the exchange is deleted soon after.
    void disconnected();

private:
    friend class ::TestServer;
    Exchange(QTcpSocket *socket, Request request, QObject *parent);
    void frame(const QByteArray &bytes);

    Request m_request;
    QPointer<QTcpSocket> m_socket;
    std::unique_ptr<GzipEncoder> m_gzip;
    Framing m_framing = Framing::CloseDelimited;
    qint64 m_bytesWritten = 0;
    bool m_finished = false;
    bool m_disconnected = false;
};

} // namespace TestHttp

/// A scriptable HTTP/1.1 server on 127.0.0.1 for network tests.
///
/// Listens on an ephemeral port as soon as it is constructed. Requests are parsed
/// from any TCP chunking (Content-Length and chunked request bodies), logged, and
/// handed to the handler routed for their path (without the query); unrouted paths
/// get 404. A handler gets an Exchange and writes whatever bytes it likes, now or
/// later: the exchange, and any QTimer that uses it as context, lives until its
/// TCP connection goes away. Connections are kept alive between requests, so a
/// client may reuse one for a redirect or a reconnect. Each complete request is
/// dispatched at once (pipelined responses are not queued behind each other).
///
/// Everything runs in the thread that owns the server (normally the test's
/// thread), so handlers run in the same event loop as the code under test.
class TestServer : public QObject
{
    Q_OBJECT
public:
    using Headers = TestHttp::Headers;
    using Request = TestHttp::Request;
    using Framing = TestHttp::Framing;
    using Coding = TestHttp::Coding;
    using Exchange = TestHttp::Exchange;
    using Handler = std::function<void(Exchange *)>;

    explicit TestServer(QObject *parent = nullptr);
    ~TestServer() override;

    bool isListening() const;
    quint16 port() const;
    /// `http://127.0.0.1:PORT/path`; \a path should start with '/'.
    QUrl url(const QByteArray &path = QByteArrayLiteral("/")) const;

    /// Handle requests whose path (without query) equals \a path. A later route
    /// for the same path replaces the earlier one.
    void route(const QByteArray &path, Handler handler);

    /// Every request received so far, oldest first.
    QList<Request> requests() const { return m_requests; }
    QList<Request> requests(const QByteArray &path) const;
    int requestCount() const { return int(m_requests.size()); }
    int requestCount(const QByteArray &path) const;

    /// Exchanges whose connection is still up, oldest first.
    QList<Exchange *> exchanges() const;
    QList<Exchange *> exchanges(const QByteArray &path) const;

    /// TCP connections accepted so far, and those still open.
    int connectionCount() const { return m_connectionSerial; }
    int openConnectionCount() const;

    /// Resets every open connection.
    void abortAll();

    static QByteArray reasonPhrase(int status);
    /// An event block in wire format; each line of \a data becomes a `data:` line.
    static QByteArray formatEvent(const QByteArray &data, const QByteArray &type = {},
                                  const QByteArray &id = {});

Q_SIGNALS:
    /// Emitted after the request is logged and before its handler runs.
    void requestReceived(TestHttp::Exchange *exchange);

private:
    class Connection;
    friend class Connection;

    void acceptConnections();
    void dispatch(Connection *connection, Request request);

    QTcpServer *m_server = nullptr;
    QHash<QByteArray, Handler> m_routes;
    QList<Request> m_requests;
    QList<QPointer<Exchange>> m_exchanges;
    QList<QPointer<Connection>> m_connections;
    QElapsedTimer m_clock;
    int m_connectionSerial = 0;
};
