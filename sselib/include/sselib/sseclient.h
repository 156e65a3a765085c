#pragma once

#include "sselib/sseevent.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QObject>
#include <QPair>
#include <QString>
#include <QUrl>

#include <functional>
#include <memory>

namespace Sse {

/// How a connection comes back after a network error or the end of the body.
enum class ReconnectPolicy {
    ServerRetry,        ///< the reconnection time (default 3 s, changed by `retry:`), as a browser does
    Fixed,              ///< always ClientOptions::fixedDelayMs
    ExponentialBackoff, ///< reconnection time doubled per failed attempt, with jitter and a cap
    Never,              ///< end of stream or network error closes the connection
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

    bool allowInsecureTls = false;     ///< ignore every TLS error (explicit opt-in only)
    QByteArray caCertificatesPem;      ///< extra trusted CA certificates
    QByteArray acceptedCertificatePem; ///< a single peer certificate whose errors are accepted

    bool operator==(const ClientOptions &other) const;
};

/// Why a connection is Failed (no automatic reconnect), with what the server sent.
struct FailureInfo
{
    enum class Kind {
        None,
        HttpStatus,      ///< status other than 200 (204 closes instead)
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
    QHash<QByteArray, qint64> eventsByType;
    qint64 lastByteMs = 0; ///< wall clock of the last body byte, 0 = none yet
};

/// An EventSource over QNetworkAccessManager.
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
    bool http2Used() const;

    /// Replaces the wall clock (tests) and the jitter source (returns [0,1)).
    void setClock(std::function<qint64()> msSinceEpoch);
    void setRandom(std::function<double()> random);

    /// Request the last event id for the next request (before open()).
    void setLastEventId(const QByteArray &id);

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
