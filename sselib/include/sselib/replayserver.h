#pragma once

#include "sselib/sseevent.h"

#include <QByteArray>
#include <QHostAddress>
#include <QObject>
#include <QUrl>

#include <memory>

namespace Sse {

/// True when \a event can be written as `text/event-stream` fields: its type holds no CR or LF
/// and its id no CR, LF or NUL. A line break would end the field and start another one (`id:`,
/// `retry:`, `data:` injected from a recording), and a parser ignores an id holding NUL. No
/// spec parser produces such an event; a hand-edited or hostile recording can hold one.
bool isWireSafe(const Event &event);

/// Appends \a event to \a out in `text/event-stream` wire format, so that a spec
/// parser reads the same type, data, id and retry back:
///   - `event:` unless the type is "message" (or empty);
///   - `id:` only when the event's id differs from \a *currentId, which is then updated
///     (pass the id the reader already has; an empty id is written as a bare `id:`);
///   - `retry:` when the event carried one;
///   - one `data:` line per line of data (CR, LF and CRLF all end a line, as for a
///     parser; an event with empty data gets one empty `data:` line);
///   - a blank line.
/// An event that is not isWireSafe() is not written: returns false, \a out and \a currentId
/// unchanged.
bool appendWireEvent(QByteArray &out, const Event &event, QByteArray *currentId);

/// Faults a ReplayServer injects into what it serves, so that a client can be developed and
/// tested against a server that misbehaves the way real ones do. A plain value type; the
/// defaults inject nothing. Counts and times are per connection unless said otherwise.
struct ReplayFaults
{
    /// How a connection is dropped by dropAfterEvents / dropAfterMs.
    enum class DropMode {
        Fin, ///< an orderly close (FIN) once the events sent so far have gone out
        Reset, ///< a TCP reset (RST): the peer sees "connection reset"
        MidEvent, ///< half of the next event is written, then an orderly close
    };

    int dropAfterEvents = -1; ///< drop the connection after this many events; -1 = never
    int dropAfterMs = -1; ///< drop the connection this long after its stream started
    DropMode dropMode = DropMode::Fin;

    /// Answer requests with this HTTP status instead of the stream (0 = off): the first
    /// statusCount GET requests the server gets (counted over all connections), or every one
    /// when statusCount is -1. The body is a short text line.
    int status = 0;
    int statusCount = -1;
    int retryAfterSeconds = -1; ///< `Retry-After` on those answers; -1 = none

    /// An `event: error` frame with this data after errorAfterEvents events, after which the
    /// stream ends (an API reporting an error mid-stream, as Anthropic's does); empty = off.
    QByteArray errorData;
    int errorAfterEvents = 0;

    qint64 dripBytesPerSecond = 0; ///< at most this many bytes per second on the wire; 0 = off
    int jitterMs = 0; ///< every event waits a further random 0..jitterMs ms (they add up)
    int retryMs = -1; ///< a `retry:` line at the start of every stream; -1 = none
    bool noIds = false; ///< leave every `id:` line out (the client cannot resume)
    /// After the first event: a line with a misspelt field name and a line without a colon
    /// (both ignored by a spec parser), then an event whose JSON data is cut short.
    bool malformed = false;
    int heartbeatMs = 0; ///< a comment line (`: heartbeat`) this often; 0 = off
    bool gzip = false; ///< `Content-Encoding: gzip` whatever the request accepts, flushed per write

    bool isEmpty() const;
    /// Bytes written by `malformed` (tests and documentation quote them).
    static QByteArray malformedBlock();
};

/// Serves a list of recorded events as an SSE endpoint on loopback (or any address).
///
/// Every HTTP/1.1 GET, whatever its path, gets `200 text/event-stream` with a
/// close-delimited body: the events from the first one on, each sent when its
/// receivedMs offset from the first event sent, divided by speed(), has passed
/// (speed AsFastAsPossible: no waiting, written as fast as the socket drains).
///
/// A request carrying `Last-Event-ID: X` resumes right after the event whose id is X,
/// compared byte for byte with the ids as recorded. When several consecutive events
/// carry X (only the first set it, the others inherit it), all of them are skipped.
/// If several separate runs carry X, the first run counts. An unknown id starts from
/// the beginning, as a server without that history would.
///
/// At the end of the list the connection is closed, or with Repeat::Loop the list
/// starts over at once (ids repeat). A request that resumes after the last event, with
/// Repeat::Once, gets `204 No Content`, which tells an EventSource to stop reconnecting.
///
/// Responses carry `Access-Control-Allow-Origin: *` so a page served from another
/// origin can use the stream; OPTIONS preflights get 204. Other methods get 405.
///
/// Runs in the thread that owns it; writing is paced by the socket (at most about
/// 1 MiB buffered per client, a large event written a 64 KiB slice at a time), so a slow
/// client never grows memory without bound.
///
/// Hostile clients: a request head not complete within requestTimeout() gets 408; past
/// maximumConnections() a connection gets 503; when accept() fails (out of file
/// descriptors) accepting pauses for 100 ms or until a connection closes.
class ReplayServer : public QObject
{
    Q_OBJECT
public:
    static constexpr double AsFastAsPossible = 0.0;
    enum class Repeat { Once, Loop };
    Q_ENUM(Repeat)

    explicit ReplayServer(QObject *parent = nullptr);
    ~ReplayServer() override;

    /// The events to serve. Clients already connected keep the list they started with.
    /// Events that are not isWireSafe() are left out (skippedEventCount()).
    void setEvents(const EventList &events);
    EventList events() const;

    /// Time scale: 2.0 plays twice as fast as recorded; <= 0 is AsFastAsPossible.
    void setSpeed(double factor);
    double speed() const;

    void setRepeat(Repeat repeat);
    Repeat repeat() const;

    /// Keep every stream open after its last event (and serve an empty list), so that
    /// pushEvent() can reach the clients: an interactive mock. Default off.
    void setHoldOpen(bool hold);
    bool holdOpen() const;

    /// Sends \a event to every client receiving a stream now, right after the event it is
    /// writing (an event that is not isWireSafe() is not sent). Returns the clients reached.
    int pushEvent(const Event &event);

    /// A client receiving a stream, for a list of them.
    struct ClientInfo
    {
        QString peer;            ///< "127.0.0.1:53211"
        qint64 connectedMs = 0;  ///< wall clock when its stream started
        qint64 eventsSent = 0;   ///< complete events written to it (recorded and pushed)
        QByteArray lastEventId;  ///< the Last-Event-ID it came with
    };
    QList<ClientInfo> clients() const;

    /// Faults injected into connections that start from now on (default: none).
    void setFaults(const ReplayFaults &faults);
    ReplayFaults faults() const;

    /// Listens on \a address (default 127.0.0.1) and \a port (0 = any free port).
    bool listen(const QHostAddress &address = QHostAddress(QHostAddress::LocalHost),
                quint16 port = 0);
    QString errorString() const;
    QHostAddress serverAddress() const;
    quint16 port() const;
    /// `http://ADDRESS:PORT/events` (any path serves the same stream).
    QUrl streamUrl() const;

    /// A connection that has not sent a complete request head after \a ms gets
    /// `408 Request Timeout` and is closed (default 10 s).
    void setRequestTimeout(int ms);
    int requestTimeout() const;

    /// At most \a count connections at a time, streaming or still sending their request
    /// (default 256); a connection past the cap gets `503 Service Unavailable` with
    /// `Retry-After: 1` and is closed.
    void setMaximumConnections(int count);
    int maximumConnections() const;

    /// Clients currently receiving a stream.
    int clientCount() const;
    /// Open connections: streaming clients and connections still sending their request.
    int connectionCount() const;

    /// Events setEvents() left out because they are not isWireSafe().
    qsizetype skippedEventCount() const;

    /// Index of the first event a request with Last-Event-ID \a lastEventId gets
    /// (events().size() when nothing is left). Exposed for tests and tools.
    qsizetype resumeIndex(const QByteArray &lastEventId) const;

Q_SIGNALS:
    /// A stream started; \a startIndex is the index of the first event it sends.
    void clientConnected(const QByteArray &lastEventId, qsizetype startIndex);
    /// A streaming client went away or its stream ended.
    void clientDisconnected();

private:
    class Private;
    class Session;
    std::unique_ptr<Private> d;
};

} // namespace Sse
