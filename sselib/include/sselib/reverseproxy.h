#pragma once

#include "sselib/sseevent.h"

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QPair>
#include <QString>
#include <QUrl>

#include <memory>

namespace Sse {

/// What a ReverseProxy forwards to, and how.
struct ReverseProxyOptions
{
    /// `http://` or `https://` origin, optionally with a base path that is put in front of
    /// every request's path (`https://host/base` + `/v1/x` = `https://host/base/v1/x`).
    QUrl upstream;
    QByteArray caCertificatesPem; ///< extra CA certificates trusted for an https upstream
    bool allowInsecureTls = false; ///< accept any upstream certificate (explicit opt-in only)
    /// A request body is collected before it is forwarded (it is sent with Content-Length);
    /// a larger one gets 413.
    qint64 maximumRequestBodyBytes = 64LL * 1024 * 1024;
    /// Parse event-stream responses (eventsReceived()); off, the proxy only forwards.
    bool readEventStreams = true;
    /// A client that has not sent its whole request after this long gets 408; a persistent
    /// connection idle for this long between requests is closed.
    int requestTimeoutMs = 30000;
    /// Client connections open at a time, kept-alive idle ones included (each may hold a
    /// request body). At the cap a new client closes the longest-idle kept-alive connection
    /// and takes its place; when every connection is busy it gets 503.
    int maximumConnections = 512;
};

/// One request/response pair that went through the proxy, as the signals report it.
struct ProxyExchange
{
    using Headers = QList<QPair<QByteArray, QByteArray>>;

    quint64 number = 0; ///< 1, 2, 3 ... in the order requests arrived
    QByteArray method;
    QByteArray target; ///< path and query as the client sent them
    QUrl upstreamUrl; ///< where it was forwarded
    Headers requestHeaders; ///< as forwarded (unredacted: redact before showing or storing)
    qint64 requestBodyBytes = 0;
    qint64 startedMs = 0; ///< wall clock when the request was complete

    int status = 0; ///< upstream status; 502/408/413 when the proxy answered itself
    Headers responseHeaders;
    bool eventStream = false; ///< the response is `text/event-stream`
    qint64 responseBytes = 0; ///< body bytes passed to the client, as encoded on the wire
    qint64 events = 0; ///< events parsed from an event stream
    double elapsedMs = 0; ///< request complete -> response ended

    enum class End {
        Complete, ///< the upstream ended the body and the client got all of it
        ClientGone, ///< the client closed first; the upstream request was aborted
        UpstreamFailed, ///< no response (502), or the body was cut
        Rejected, ///< the proxy answered itself (bad request, 408, 413)
    };
    End end = End::Complete;
    QString error; ///< one line, for people, when end is not Complete

    /// `POST /v1/chat/completions #3`: the path without the query, which may hold secrets.
    QString name() const;
};

/// A reverse proxy for one upstream that passes responses on as they arrive and reads
/// `text/event-stream` responses as it does: point an application's base URL at it to
/// watch its streams.
///
/// Every HTTP/1.1 request is forwarded: method, target, headers and body; `Host` names the
/// upstream; the hop-by-hop fields of RFC 9110 §7.6.1 (Connection and the fields it names,
/// Keep-Alive, Proxy-Connection, TE, Transfer-Encoding, Upgrade) are dropped both ways,
/// `Expect: 100-continue` is answered by the proxy. The response body is written to the
/// client as soon as each piece is read, without buffering and with its Content-Encoding
/// untouched: with its Content-Length when the upstream sent one, chunked otherwise. Client
/// connections persist as HTTP/1.1 has them (several requests one after the other, as SDKs
/// send them, pipelined ones answered in order) unless the request is HTTP/1.0 or says
/// `Connection: close`, or the proxy answered itself; between requests requestTimeoutMs is
/// the idle timeout, after which the connection is closed without a response. Idle
/// connections count against maximumConnections; at the cap the longest-idle one is closed
/// for a new client (as nginx does with keepalive connections), so idle SDK pools never lock
/// new clients out.
///
/// Event streams are also fed to a Parser (a gzip or deflate body is inflated for that,
/// the client still gets it compressed): eventsReceived() per read.
///
/// An upstream that cannot be reached, or fails before its response head, gets the client a
/// `502 Bad Gateway` with a one-line text body; a client that closes its connection aborts
/// the upstream request. Reading from the upstream pauses while more than about 1 MiB waits
/// for a slow client, so memory stays bounded per exchange.
///
/// Runs in the thread that owns it; uses sselib's own HTTP/1.1 transport for the upstream
/// (a request is written exactly once).
class ReverseProxy : public QObject
{
    Q_OBJECT
public:
    explicit ReverseProxy(QObject *parent = nullptr);
    ~ReverseProxy() override;

    void setOptions(const ReverseProxyOptions &options);
    ReverseProxyOptions options() const;

    bool listen(const QHostAddress &address = QHostAddress(QHostAddress::LocalHost),
                quint16 port = 0);
    QString errorString() const;
    QHostAddress serverAddress() const;
    quint16 port() const;
    /// `http://ADDRESS:PORT`
    QUrl url() const;

    /// Connections with a request or an exchange under way (not the idle kept-alive ones).
    int activeExchanges() const;
    /// Client connections open, idle kept-alive ones included: what maximumConnections caps.
    int openConnections() const;

Q_SIGNALS:
    /// A complete request is being forwarded.
    void exchangeStarted(const Sse::ProxyExchange &exchange);
    /// The upstream's response head was passed on (status and headers filled in).
    void responseStarted(const Sse::ProxyExchange &exchange);
    /// Events parsed from an event-stream response, one batch per read.
    void eventsReceived(const Sse::ProxyExchange &exchange, const Sse::EventBatch &events);
    /// The exchange is over (see ProxyExchange::end).
    void exchangeFinished(const Sse::ProxyExchange &exchange);

private:
    class Private;
    class Connection;
    std::unique_ptr<Private> d;
};

/// True for the hop-by-hop header fields of RFC 9110 §7.6.1 that a proxy never forwards
/// (Connection, Keep-Alive, Proxy-Connection, TE, Transfer-Encoding, Upgrade), or a field
/// that \a connectionValue (the message's Connection header, comma-separated) names.
bool isHopByHopHeader(QByteArrayView name, QByteArrayView connectionValue = {});

} // namespace Sse

Q_DECLARE_METATYPE(Sse::ProxyExchange)
