#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QObject>
#include <QPair>
#include <QSslCertificate>
#include <QSslKey>
#include <QAbstractSocket>
#include <QString>
#include <QStringList>
#include <QUrl>

#include "sselib/proxy.h"

#include <memory>

class QTcpSocket;

namespace Sse {

class H2Connection;
class H2Pool;
class H2Stream;

/// One HTTP/1.1 request and its streamed response, on a connection of its own; or one
/// HTTP/2 stream on a connection shared through H2Pool, when the server negotiates h2 (ALPN)
/// or the request asks for prior knowledge (httpstreamh2.cpp). Both look the same from here.
///
/// Why not QNetworkAccessManager: its HTTP channel writes a request again by itself when
/// the connection drops before the status line arrives, or when a kept-alive connection
/// closes under it. A server then sees requests that the reconnection state machine never
/// decided on, with the Last-Event-ID of an earlier attempt (issue 12). Here a request is
/// written exactly once, on a fresh connection that is closed with its response; redirects,
/// reconnects and timeouts are the caller's decisions.
///
/// The body is pulled with read() by the caller: bytes it does not read stay in the socket,
/// so a consumer that falls behind slows the server down through TCP flow control.
class HttpStream : public QObject
{
    Q_OBJECT
public:
    using Headers = QList<QPair<QByteArray, QByteArray>>;

    struct Request
    {
        QUrl url;
        QByteArray method = QByteArrayLiteral("GET");
        Headers headers;       ///< written in order; Host, Content-Length are added
        QByteArray body;
        bool sendBody = false; ///< write Content-Length and the body (even when empty)
        QByteArray caCertificatesPem;
        QByteArray acceptedCertificatePem;
        bool allowInsecureTls = false;
        /// https: offer only http/1.1 in ALPN (otherwise h2 is offered first).
        bool http1Only = false;
        /// http: speak HTTP/2 at once (h2c with prior knowledge, RFC 9113 section 3.3).
        bool http2PriorKnowledge = false;
        /// Inflate a gzip or deflate body for read(). Off (a proxy): read() hands out the
        /// body as the server encoded it, whatever the coding.
        bool decodeContent = true;
        Proxy proxy; ///< None: a direct connection
        /// Presented when the server asks for one (mutual TLS); the chain's first is the leaf.
        QList<QSslCertificate> clientCertificateChain;
        QSslKey clientKey;
    };

    enum class Error {
        None,
        Connect,      ///< refused, unreachable, host not found
        Tls,          ///< handshake failed (see sslErrors())
        Closed,       ///< the connection ended before the response did
        Protocol,     ///< not an HTTP/1.x response, or malformed framing
        HeadTooLarge, ///< the response head exceeded its byte or field limit
        Decoding,     ///< a compressed body that does not inflate
        Proxy,        ///< the proxy refused the tunnel or wants other credentials
    };

    /// Limits of a response head: a server cannot make us hold more than this
    /// before the body starts.
    static constexpr qsizetype MaximumHeadBytes = 128 * 1024;
    static constexpr int MaximumHeaderFields = 500;

    explicit HttpStream(QObject *parent = nullptr);
    ~HttpStream() override;

    void start(const Request &request);
    /// Drops the connection at once; no signal follows.
    void abort();

    int status() const { return m_status; }
    QByteArray reasonPhrase() const { return m_reason; }
    /// The request target of \a url in origin form ("/path?query"), as both protocols send it.
    static QByteArray originForm(const QUrl &url);
    /// Host and port as the Host field (HTTP/1.1) or :authority (HTTP/2) carry them.
    static QByteArray authority(const QUrl &url);

    /// "HTTP/1.1", "HTTP/1.0" or "HTTP/2".
    QByteArray httpVersion() const { return m_version; }
    const Headers &headers() const { return m_headers; }
    QByteArray header(QByteArrayView name) const;

    /// Up to \a maximum decoded body bytes that are ready now; 0 when none are.
    qint64 read(char *data, qint64 maximum);
    /// The response has a body, and it is framed by Content-Length (rather than chunked or
    /// ended by the close of the connection). Valid from headReceived() on.
    bool hasBody() const { return m_framing != Framing::None; }
    bool hasContentLength() const { return m_framing == Framing::Length; }
    /// Whether read() may have something (bytes buffered here or in the socket).
    bool hasPendingBody() const;

    Error error() const { return m_error; }
    QString errorString() const { return m_errorString; }
    QStringList sslErrors() const { return m_sslErrors; }
    /// The peer certificates or TLS session were in use (https).
    bool encrypted() const { return m_encrypted; }

Q_SIGNALS:
    /// The final response head (status line and headers) is in.
    void headReceived();
    /// Body bytes can be read.
    void readyRead();
    /// The response ended: completely (error() == None) or not. Emitted once, after every
    /// body byte has been handed out by read().
    void finished();

private:
    friend class H2Pool;
    // HTTP/2 (httpstreamh2.cpp)
    bool routeHttp2();
    QList<QByteArray> alpnProtocols() const;
    bool adoptHttp2Socket();
    void attachHttp2(H2Connection *connection);
    void resumeAfterProbe(H2Connection *connection, bool http1);
    bool takeHttp2Head();
    void onHttp2Closed();
    void releaseHttp2();

    enum class Framing { None, Length, Chunked, UntilClose };
    enum class ChunkState { Size, Data, DataEnd, Trailer, Done };

    void onConnected();
    void onTcpConnected();
    bool readTunnelResponse();
    void onReadyRead();
    void onSocketError();
    bool reportProxyError(QAbstractSocket::SocketError code);
    QString tlsAlertMessage(const QString &socketError) const;
    bool parseHead();
    bool parseHeadBlock(qsizetype end, qsizetype next);
    bool prepareBody();
    void setError(Error error, const QString &message);
    void scheduleFinished();
    void checkFinished();
    qint64 takeRaw(char *data, qint64 maximum);
    bool takeLine(QByteArray *line);
    qint64 readFramed(char *data, qint64 maximum);
    qint64 readInflated(char *data, qint64 maximum);
    bool bufferedRaw() const { return m_rawPosition < m_raw.size(); }
    bool socketGone() const;

    struct Inflater;

    Request m_request;
    QTcpSocket *m_socket = nullptr;
    QByteArray m_raw;            // bytes read from the socket not yet framed
    qsizetype m_rawPosition = 0;
    bool m_headDone = false;
    bool m_bodyDone = false;
    bool m_finishScheduled = false;
    bool m_finished = false;
    bool m_aborted = false;
    bool m_encrypted = false;
    bool m_disconnected = false;
    // An https request through an HTTP proxy: CONNECT sent, its answer not yet complete.
    bool m_tunnelPending = false;
    int m_status = 0;
    QByteArray m_reason;
    QByteArray m_version;
    Headers m_headers;
    Framing m_framing = Framing::UntilClose;
    qint64 m_remaining = 0;      // Length: bytes left; Chunked: bytes left of this chunk
    ChunkState m_chunkState = ChunkState::Size;
    QByteArray m_line;           // a chunk-size or trailer line in the making
    std::unique_ptr<Inflater> m_inflater;
    Error m_error = Error::None;
    QString m_errorString;
    QStringList m_sslErrors;
    H2Stream *m_h2 = nullptr;    // the HTTP/2 stream, a child, when the response comes that way
    QByteArray m_h2Key;          // H2Pool key while this request may use HTTP/2
    bool m_h2Probing = false;    // connecting ourselves to find out whether h2 is spoken
    bool m_h2Declined = false;   // the origin answered with HTTP/1.1: no more routing
};

} // namespace Sse
