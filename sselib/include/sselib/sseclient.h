#pragma once

#include "sselib/sseevent.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QObject>
#include <QPair>
#include <QString>
#include <QUrl>

#include <atomic>
#include <functional>
#include <memory>

namespace Sse {

/// What a client does when the consumers of its batches fall behind (see FlowControl).
enum class OverflowPolicy {
    Throttle,   ///< stop reading the socket until they catch up: TCP slows the server down
    DropEvents, ///< keep reading, drop the newest events and count them (statistics().dropped)
};

/// How a connection comes back after a network error or the end of the body.
enum class ReconnectPolicy {
    ServerRetry,        ///< the reconnection time (default 3 s, changed by `retry:`), as a browser does
    Fixed,              ///< always ClientOptions::fixedDelayMs
    ExponentialBackoff, ///< reconnection time doubled per failed attempt, with jitter and a cap
    Never,              ///< end of stream or network error closes the connection
};

/// The format of a client certificate file.
enum class CertificateType {
    Pem,    ///< certificate (chain) in PEM; the key in its own file or the same one
    Pkcs12, ///< a PKCS#12 (.p12, .pfx) bundle holding the certificate and its key
};

/// What a response body is read as.
enum class BodyFormat {
    EventStream, ///< text/event-stream only (the EventSource rules)
    /// Also NDJSON / JSON Lines and streamed JSON arrays (application/x-ndjson,
    /// application/jsonl, application/json): each line or top-level element becomes an event
    /// of type "ndjson". A text/event-stream response is still read as SSE.
    NdJson,
};

/// Everything that describes one connection. A plain value type, so it can be
/// stored in settings, copied to a worker thread and compared.
struct ClientOptions
{
    QUrl url;
    QByteArray method = QByteArrayLiteral("GET");
    QList<QPair<QByteArray, QByteArray>> headers; ///< extra request headers, in order
    QByteArray body;                              ///< sent when non-empty or method is not GET
    QByteArray initialLastEventId;                ///< sent as Last-Event-ID on the first request

    ReconnectPolicy reconnectPolicy = ReconnectPolicy::ServerRetry;
    int defaultRetryMs = 3000;         ///< reconnection time before any `retry:` field
    int fixedDelayMs = 3000;
    int backoffMaximumMs = 60000;
    double backoffJitter = 0.2;        ///< +/- fraction applied to each backoff delay
    int backoffResetAfterMs = 30000;   ///< an Open state lasting this long resets the attempt count
    bool reconnectNonIdempotent = false; ///< re-send POST/PATCH after a drop (LLM streams: no)
    int maximumAttempts = 0;           ///< 0 = unlimited; after that many failed attempts: Failed

    int connectTimeoutMs = 30000;      ///< request sent -> response headers; 0 = none
    int idleTimeoutMs = 0;             ///< no byte for this long -> network error; 0 = off
    qsizetype maximumEventSize = 16 * 1024 * 1024;

    /// Send credentials (Authorization, Cookie, secret headers) and a request body to a
    /// redirect target of another origin. Off: they stay with the origin they were meant for.
    bool forwardCredentialsOnRedirect = false;
    OverflowPolicy overflowPolicy = OverflowPolicy::Throttle;

    bool allowInsecureTls = false;     ///< ignore every TLS error (explicit opt-in only)
    QByteArray caCertificatesPem;      ///< extra trusted CA certificates
    QByteArray acceptedCertificatePem; ///< a single peer certificate whose errors are accepted
    /// https: offer only HTTP/1.1 (no h2 in ALPN). Otherwise h2 is used when the server
    /// chooses it, and streams to one origin share one connection.
    bool http1Only = false;
    /// http: speak HTTP/2 from the first byte (cleartext h2c with prior knowledge).
    bool http2PriorKnowledge = false;

    /// Client certificate for servers that ask for one (mutual TLS); read at every attempt.
    QString clientCertificateFile;
    QString clientKeyFile; ///< PEM key; empty: in clientCertificateFile (PEM) or the bundle
    CertificateType clientCertificateType = CertificateType::Pem;
    QByteArray clientKeyPassphrase; ///< a secret: the key's or the PKCS#12 bundle's password

    /// http://[user:password@]host:port, socks5://host:port or socks5h://host:port; empty: the
    /// environment decides (http_proxy, HTTPS_PROXY, ALL_PROXY; see Sse::proxyForUrl()).
    QString proxy;
    /// Hosts reached without a proxy, curl's NO_PROXY syntax ("*": never a proxy); replaces
    /// the environment's NO_PROXY when set.
    QString noProxy;

    BodyFormat bodyFormat = BodyFormat::EventStream;

    bool operator==(const ClientOptions &other) const;
};

/// Why a connection is Failed (no automatic reconnect), with what the server sent.
struct FailureInfo
{
    enum class Kind {
        None,
        HttpStatus,      ///< status other than 200; 204 is the server asking us to stop
        ContentType,     ///< 200 but not text/event-stream
        EventTooLarge,
        Tls,
        Network,         ///< a network error with reconnection disabled or exhausted
        InvalidRequest,  ///< bad URL or scheme
    };
    Kind kind = Kind::None;
    QString message;       ///< one line, for people: "HTTP 404 Not Found"
    int httpStatus = 0;
    QByteArray reasonPhrase;
    QByteArray contentType;
    QList<QPair<QByteArray, QByteArray>> responseHeaders;
    QByteArray bodyPreview; ///< first KiB of the response body
};

/// Live counters of one connection (all since the client was created).
struct ClientStatistics
{
    qint64 events = 0;
    qint64 bytes = 0;      ///< body bytes received (after decompression)
    qint64 reconnects = 0;
    qint64 comments = 0;
    /// Events per type: at most MaximumTypes names of at most MaximumTypeBytes each; events of
    /// further (or longer) types are counted under OtherTypes.
    QHash<QByteArray, qint64> eventsByType;
    static constexpr qsizetype MaximumTypes = 1000;
    static constexpr qsizetype MaximumTypeBytes = 256;
    static constexpr char OtherTypes[] = "(other types)";
    qint64 lastByteMs = 0; ///< wall clock of the last body byte, 0 = none yet
    qint64 dropped = 0;    ///< events dropped by OverflowPolicy::DropEvents
    qint64 throttledMs = 0; ///< time spent not reading because consumers were behind
    bool throttled = false;
};

/// Back-pressure between a client and the consumers of its batches, which may live on
/// other threads. The client adds cost(batch) for every batch it emits; each consumer gives
/// it back with release() once it has stored or written the batch. While more than limit()
/// bytes are outstanding the client stops reading (or drops, per ClientOptions::overflowPolicy)
/// and looks again every few milliseconds; it resumes when at most half the limit is left.
/// Lock-free and thread-safe: no callback crosses threads.
class FlowControl
{
public:
    explicit FlowControl(qint64 limitBytes = 64 * 1024 * 1024) : m_limit(limitBytes) {}
    Q_DISABLE_COPY(FlowControl)

    /// Bytes a batch counts for: its data plus a fixed overhead per event.
    static qint64 cost(const EventBatch &batch)
    {
        return qint64(batch.dataBytes()) + qint64(batch.size()) * 64;
    }

    /// The producer emitted a batch of this cost.
    void acquire(qint64 bytes) { m_pending.fetch_add(bytes, std::memory_order_relaxed); }
    /// A consumer is done with a batch of this cost (any thread).
    void release(qint64 bytes) { m_pending.fetch_sub(bytes, std::memory_order_relaxed); }
    qint64 pendingBytes() const { return m_pending.load(std::memory_order_relaxed); }
    qint64 limit() const { return m_limit; }
    bool overLimit() const { return pendingBytes() > m_limit; }
    bool belowResume() const { return pendingBytes() <= m_limit / 2; }

private:
    std::atomic<qint64> m_pending{0};
    const qint64 m_limit;
};

/// An EventSource over HTTP/1.1 or HTTP/2 (sselib's own transport: one request, or one h2
/// stream, per attempt).
///
/// Lives in the thread that creates it (move it to a worker thread for a GUI).
/// Events are delivered in batches: one eventsReceived() per network read, so
/// a quiet stream is delivered at once and a busy one in large lists.
class Client : public QObject
{
    Q_OBJECT
public:
    enum class State { Idle, Connecting, Open, Reconnecting, Closed, Failed };
    Q_ENUM(State)

    explicit Client(QObject *parent = nullptr);
    ~Client() override;

    void setOptions(const ClientOptions &options);
    ClientOptions options() const;

    State state() const;
    FailureInfo failure() const;
    ClientStatistics statistics() const;
    QByteArray lastEventId() const;
    /// Reconnection time in force: server `retry:` or the default.
    int reconnectionTimeMs() const;
    /// While Reconnecting: the attempt number and when it fires (ms since epoch).
    int attempt() const;
    qint64 nextAttemptAtMs() const;

    /// Response of the current (or last) request, for diagnostics.
    int httpStatus() const;
    QList<QPair<QByteArray, QByteArray>> responseHeaders() const;
    /// The current (or last) response came over HTTP/2.
    bool http2Used() const;
    /// The proxy of the current (or last) request as "http://user@host:port" (never its
    /// password), or an empty string for a direct connection.
    QString proxyUsed() const;
    /// True once the server ended the body of the current (or last) Open response normally;
    /// false while it runs and when a network error, a timeout, a failure or close() ended it.
    bool responseEndedByServer() const;

    /// Replaces the wall clock (tests) and the jitter source (returns [0,1)).
    void setClock(std::function<qint64()> msSinceEpoch);
    void setRandom(std::function<double()> random);

    /// Request the last event id for the next request (before open()).
    void setLastEventId(const QByteArray &id);

    /// Accounts every emitted batch in \a flow (shared with the consumers, who release it).
    /// Without one, batches are emitted as fast as they are parsed.
    void setFlowControl(std::shared_ptr<FlowControl> flow);
    std::shared_ptr<FlowControl> flowControl() const;

public Q_SLOTS:
    void open();
    /// Closes for good: no reconnect. Events already parsed are delivered first.
    void close();
    /// Skip the wait (or drop the current response) and connect again now.
    void reconnectNow();

Q_SIGNALS:
    void stateChanged(Sse::Client::State state);
    /// A batch of events; EventBatch::toList() gives them as self-contained Events.
    void eventsReceived(const Sse::EventBatch &events);
    /// A reconnect was scheduled \a delayMs from now, as attempt \a attempt.
    void reconnectScheduled(qint64 delayMs, int attempt, const QString &reason);
    /// The server changed the reconnection time with `retry:`.
    void reconnectionTimeChanged(int ms);
    /// Response headers of a final (non-redirect) response arrived.
    void responseStarted(int status, const QList<QPair<QByteArray, QByteArray>> &headers);
    /// Emitted just before the state becomes Failed, with what the server sent.
    void failed(const Sse::FailureInfo &failure);
    /// A problem worth showing; \a fatal means the client is now Failed.
    void errorOccurred(const QString &message, bool fatal);
    /// Body bytes arrived (also comments and partial lines): idle indicators use it.
    void bytesReceived(qint64 count);
    /// Raw body bytes, for byte-exact recording; only when setRawCapture(true).
    void rawBytesReceived(const QByteArray &bytes);
    /// A redirect was followed to \a target; \a droppedHeaders were not sent there because
    /// it is another origin (see ClientOptions::forwardCredentialsOnRedirect).
    void redirected(int status, const QUrl &target, const QList<QByteArray> &droppedHeaders);
    /// The consumers fell behind (\a throttled true) or caught up again.
    void throttleChanged(bool throttled);
    /// OverflowPolicy::DropEvents dropped events; \a total counts all since the client began.
    void eventsDropped(qint64 total);
    /// The server ended the body of the Open response normally (see responseEndedByServer());
    /// emitted just before the state leaves Open.
    void bodyEnded();

public:
    void setRawCapture(bool enabled);

private:
    class Private;
    std::unique_ptr<Private> d;
};

QString stateName(Client::State state);

} // namespace Sse

Q_DECLARE_METATYPE(Sse::ClientOptions)
Q_DECLARE_METATYPE(Sse::FailureInfo)
