#include "sselib/replayserver.h"

#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QPointer>
#include <QRandomGenerator>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include <algorithm>
#include <climits>
#include <cmath>
#include <functional>
#include <utility>

#include <limits>
#include <sys/resource.h>
#include <sys/socket.h>
#include <zlib.h>

Q_LOGGING_CATEGORY(lcReplayServer, "sse.replayserver")

namespace Sse {

namespace {

constexpr qsizetype MaximumRequestBytes = 64 * 1024;
// Socket backlog per client before the session waits for bytesWritten().
constexpr qint64 MaximumBufferedBytes = 1024 * 1024;
// Bytes collected before one socket write, and events sent per turn of the event loop,
// so one fast client cannot starve the others.
constexpr qsizetype WriteChunkBytes = 64 * 1024;
constexpr int EventsPerTurn = 2000;
// After accept() failed for want of file descriptors, accepting resumes after this long (or as
// soon as a connection closes), instead of retrying in a busy loop.
constexpr int AcceptPauseMs = 100;

// Appends the `data:` lines of \a data from \a *position on, about \a maxBytes of them at most,
// so that a large event goes out a slice at a time. \a *inLine says that the current line's
// `data: ` prefix is already written. Returns true once the event is complete (its last data
// line and the blank line that ends it are written). CR, LF and CRLF each end a line, as for a
// parser; empty data is one empty `data:` line.
bool appendDataSlice(QByteArray &out, const QByteArray &data, qsizetype *position, bool *inLine,
                     qsizetype maxBytes)
{
    const char *begin = data.constData();
    const qsizetype size = data.size();
    const qsizetype limit = out.size() + maxBytes;
    qsizetype p = *position;
    for (;;) {
        if (out.size() >= limit) {
            *position = p;
            return false;
        }
        const qsizetype scanEnd = qMin(size, p + qMax<qsizetype>(1, limit - out.size()));
        qsizetype lineEnd = p;
        while (lineEnd < scanEnd && begin[lineEnd] != '\n' && begin[lineEnd] != '\r')
            ++lineEnd;
        if (lineEnd == scanEnd && lineEnd < size) {
            // The slice ends inside a line: the rest of it comes with the next slice.
            if (!*inLine)
                out.append("data: ", 6);
            *inLine = true;
            out.append(begin + p, lineEnd - p);
            p = lineEnd;
            continue;
        }
        if (!*inLine && lineEnd == p) {
            out.append("data:\n", 6);
        } else {
            if (!*inLine)
                out.append("data: ", 6);
            out.append(begin + p, lineEnd - p);
            out.append('\n');
        }
        *inLine = false;
        if (lineEnd == size) {
            out.append('\n');
            *position = size;
            return true;
        }
        p = lineEnd + 1;
        if (begin[lineEnd] == '\r' && p < size && begin[p] == '\n')
            ++p;
    }
}

// The fields before the data: `event:`, `id:` (when it changes) and `retry:`.
void appendWireHead(QByteArray &out, const Event &event, QByteArray *currentId)
{
    if (!event.type.isEmpty() && event.type != "message") {
        out.append("event: ", 7);
        out.append(event.type);
        out.append('\n');
    }
    if (currentId && event.lastEventId != *currentId) {
        if (event.lastEventId.isEmpty()) {
            out.append("id:\n", 4);
        } else {
            out.append("id: ", 4);
            out.append(event.lastEventId);
            out.append('\n');
        }
        *currentId = event.lastEventId;
    }
    if (event.retryMs >= 0) {
        out.append("retry: ", 7);
        out.append(QByteArray::number(event.retryMs));
        out.append('\n');
    }
}

QByteArray headerValue(const QList<QByteArray> &lines, QByteArrayView name)
{
    for (const QByteArray &line : lines) {
        const qsizetype colon = line.indexOf(':');
        if (colon > 0 && line.left(colon).trimmed().compare(name, Qt::CaseInsensitive) == 0)
            return line.mid(colon + 1).trimmed();
    }
    return {};
}

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 408:
        return "Request Timeout";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    case 529:
        return "Overloaded";
    default:
        return status < 400 ? "OK" : "Error";
    }
}

} // namespace

bool ReplayFaults::isEmpty() const
{
    return dropAfterEvents < 0 && dropAfterMs < 0 && status == 0 && errorData.isEmpty()
        && dripBytesPerSecond <= 0 && jitterMs <= 0 && retryMs < 0 && !noIds && !malformed
        && heartbeatMs <= 0 && !gzip;
}

QByteArray ReplayFaults::malformedBlock()
{
    return QByteArrayLiteral("dta: a misspelt field name\n"
                             "this line has no colon\n"
                             "\n"
                             "data: {\"cut\": \"short\n"
                             "\n");
}

bool isWireSafe(const Event &event)
{
    const auto holds = [](const QByteArray &value, QByteArrayView characters) {
        return std::any_of(value.cbegin(), value.cend(),
                           [&](char c) { return characters.contains(c); });
    };
    return !holds(event.type, QByteArrayView("\r\n", 2))
        && !holds(event.lastEventId, QByteArrayView("\r\n\0", 3));
}

bool appendWireEvent(QByteArray &out, const Event &event, QByteArray *currentId)
{
    if (!isWireSafe(event))
        return false;
    appendWireHead(out, event, currentId);
    qsizetype position = 0;
    bool inLine = false;
    appendDataSlice(out, event.data, &position, &inLine, std::numeric_limits<qsizetype>::max() / 2);
    return true;
}

class ReplayServer::Private
{
public:
    QTcpServer server;
    EventList events;
    double speed = 1.0;
    Repeat repeat = Repeat::Once;
    int clients = 0;
    int connections = 0;
    int requestTimeoutMs = 10000;
    int maximumConnections = 256;
    qsizetype skippedEvents = 0;
    bool acceptPaused = false;
    int rejecting = 0;              // 503 answers still open
    int descriptorBudget = INT_MAX; // connections the process's file descriptor limit allows
    QTimer resumeTimer;
    ReplayFaults faults;
    int statusAnswers = 0; // requests answered with faults.status so far
    bool holdOpen = false;

    // Accepting past the descriptor limit fails with EMFILE, which Qt 6.4 takes for a temporary
    // error and retries in a busy loop: accepting stops just below the limit instead.
    bool atDescriptorBudget() const { return connections + rejecting >= descriptorBudget; }
    void pauseAccepting()
    {
        if (acceptPaused)
            return;
        qCDebug(lcReplayServer) << "file descriptor budget reached - not accepting";
        acceptPaused = true;
        server.pauseAccepting();
    }
    void resumeAccepting()
    {
        if (!acceptPaused || atDescriptorBudget())
            return;
        acceptPaused = false;
        resumeTimer.stop();
        server.resumeAccepting();
        // A connection Qt accepted while we were at the budget waits in its queue, and Qt
        // reports no new one while the queue is full: take it now.
        if (acceptPending)
            acceptPending();
    }
    std::function<void()> acceptPending;
};

// One streaming client. Owns its socket; deletes itself when the socket goes away.
//
// Body bytes go out through emit(): gzip (when the faults ask for it), then the drip queue
// (when a byte rate is set), then the socket. The response head is written straight away.
class ReplayServer::Session : public QObject
{
public:
    Session(ReplayServer *server, QTcpSocket *socket)
        : QObject(server), m_server(server), m_socket(socket)
    {
        socket->setParent(this);
        ++m_server->d->connections;
        // A head that is not complete in time: 408, and the descriptor goes back to the pool.
        m_headTimer.setSingleShot(true);
        connect(&m_headTimer, &QTimer::timeout, this, [this] {
            if (m_answered)
                return;
            m_answered = true;
            qCDebug(lcReplayServer) << "request head timed out";
            writeAndClose("HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\n"
                          "Connection: close\r\n\r\n");
            // A peer that does not take even that is dropped.
            QTimer::singleShot(1000, this, [this] {
                if (m_socket)
                    m_socket->abort();
            });
        });
        m_headTimer.start(m_server->d->requestTimeoutMs);
        m_timer.setSingleShot(true);
        connect(&m_timer, &QTimer::timeout, this, &Session::pump);
        m_dropTimer.setSingleShot(true);
        connect(&m_dropTimer, &QTimer::timeout, this, [this] { drop(); });
        connect(&m_heartbeatTimer, &QTimer::timeout, this, [this] {
            // Not inside an event that is only partly written: the comment would split a line.
            if (!m_partial && m_closing == Closing::No)
                emitBody(QByteArrayLiteral(": heartbeat\n"));
        });
        m_dripTimer.setInterval(DripTickMs);
        connect(&m_dripTimer, &QTimer::timeout, this, &Session::drip);
        connect(socket, &QTcpSocket::readyRead, this, &Session::readRequest);
        connect(socket, &QTcpSocket::bytesWritten, this, [this] {
            if (m_closing != Closing::No) {
                closeWhenFlushed();
                return;
            }
            if (m_waitingForSocket && m_socket->bytesToWrite() < MaximumBufferedBytes / 2) {
                m_waitingForSocket = false;
                pump();
            }
        });
        connect(socket, &QTcpSocket::disconnected, this, &Session::end);
        connect(socket, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError) {
            if (m_socket->state() == QAbstractSocket::UnconnectedState)
                end();
        });
    }
    ~Session() override
    {
        if (m_gzip)
            deflateEnd(m_gzip.get());
    }

    bool isStreaming() const { return m_streaming && !m_ended && m_closing == Closing::No; }

    // An event pushed by hand: written now, or after the event being written.
    void push(const Event &event)
    {
        m_pushed.append(event);
        if (!m_partial)
            writePushed();
    }

    ReplayServer::ClientInfo info() const
    {
        ReplayServer::ClientInfo info;
        if (m_socket)
            info.peer = m_socket->peerAddress().toString() + QLatin1Char(':')
                + QString::number(m_socket->peerPort());
        info.connectedMs = m_connectedMs;
        info.eventsSent = m_eventsSent;
        info.lastEventId = m_lastEventId;
        return info;
    }

private:
    // How the connection ends once the bytes queued so far are out.
    enum class Closing { No, Fin, Reset };
    static constexpr int DripTickMs = 10;

    void readRequest()
    {
        if (m_answered) {
            m_socket->readAll(); // nothing more is expected from an SSE client
            return;
        }
        m_request.append(m_socket->readAll());
        if (m_request.size() > MaximumRequestBytes) {
            m_answered = true;
            m_socket->abort();
            return;
        }
        qsizetype headEnd = m_request.indexOf("\r\n\r\n");
        if (headEnd < 0)
            headEnd = m_request.indexOf("\n\n");
        if (headEnd < 0)
            return;
        m_answered = true;
        m_headTimer.stop();
        const QList<QByteArray> lines = m_request.left(headEnd).split('\n');
        m_request.clear();
        answer(lines);
    }

    void answer(const QList<QByteArray> &lines)
    {
        const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
        const QByteArray method = requestLine.value(0);
        static const QByteArray cors = "Access-Control-Allow-Origin: *\r\n";
        if (method == "OPTIONS") {
            writeAndClose("HTTP/1.1 204 No Content\r\n" + cors
                          + "Access-Control-Allow-Methods: GET\r\n"
                            "Access-Control-Allow-Headers: Last-Event-ID, Cache-Control\r\n"
                            "Connection: close\r\n\r\n");
            return;
        }
        if (method != "GET") {
            writeAndClose("HTTP/1.1 405 Method Not Allowed\r\nAllow: GET, OPTIONS\r\n" + cors
                          + "Content-Length: 0\r\nConnection: close\r\n\r\n");
            return;
        }

        ReplayServer::Private *d = m_server->d.get();
        m_faults = d->faults;
        if (m_faults.status > 0
            && (m_faults.statusCount < 0 || d->statusAnswers < m_faults.statusCount)) {
            ++d->statusAnswers;
            qCDebug(lcReplayServer) << "injected status" << m_faults.status;
            writeAndClose(statusResponse(m_faults) + cors.chopped(2) + "\r\n\r\n"
                          + statusBody(m_faults));
            return;
        }
        m_events = d->events;
        m_speed = d->speed;
        m_repeat = d->repeat;
        // An empty Last-Event-ID is the same as none (browsers do not send one).
        const QByteArray lastEventId = headerValue(lines, "last-event-id");
        m_next = lastEventId.isEmpty() ? 0 : m_server->resumeIndex(lastEventId);
        m_hold = d->holdOpen;
        if (m_next >= m_events.size() && !m_hold
            && (m_repeat == Repeat::Once || m_events.isEmpty())) {
            qCDebug(lcReplayServer) << "nothing after" << lastEventId << "- 204";
            writeAndClose("HTTP/1.1 204 No Content\r\n" + cors
                          + "Connection: close\r\n\r\n");
            return;
        }
        if (m_next >= m_events.size() && !m_hold)
            m_next = 0;
        // The client already has this id: the next event only repeats it if it changes.
        m_currentId = m_next > 0 ? m_events.at(m_next - 1).lastEventId : QByteArray();
        QByteArray head = "HTTP/1.1 200 OK\r\n"
                          "Content-Type: text/event-stream; charset=utf-8\r\n"
                          "Cache-Control: no-cache\r\n"
                          "X-Accel-Buffering: no\r\n";
        if (m_faults.gzip) {
            head += "Content-Encoding: gzip\r\n";
            m_gzip = std::make_unique<z_stream>();
            if (deflateInit2(m_gzip.get(), Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
                             Z_DEFAULT_STRATEGY)
                != Z_OK) {
                m_gzip.reset();
                m_socket->abort();
                return;
            }
        }
        m_socket->write(head + cors + "Connection: close\r\n\r\n");
        m_streaming = true;
        m_connectedMs = QDateTime::currentMSecsSinceEpoch();
        m_lastEventId = lastEventId;
        ++d->clients;
        emit m_server->clientConnected(lastEventId, m_next);
        if (m_faults.retryMs >= 0)
            emitBody("retry: " + QByteArray::number(m_faults.retryMs) + "\n\n");
        if (m_faults.dropAfterMs >= 0)
            m_dropTimer.start(m_faults.dropAfterMs);
        if (m_faults.heartbeatMs > 0)
            m_heartbeatTimer.start(m_faults.heartbeatMs);
        startRound(m_next);
        pump();
    }

    static QByteArray statusResponse(const ReplayFaults &faults)
    {
        QByteArray head = "HTTP/1.1 " + QByteArray::number(faults.status) + ' '
            + reasonPhrase(faults.status) + "\r\n";
        if (faults.retryAfterSeconds >= 0)
            head += "Retry-After: " + QByteArray::number(faults.retryAfterSeconds) + "\r\n";
        const bool bodyless = faults.status == 204 || faults.status == 304 || faults.status < 200;
        head += "Content-Type: text/plain; charset=utf-8\r\nContent-Length: "
            + QByteArray::number(bodyless ? 0 : statusBody(faults).size())
            + "\r\nConnection: close\r\n";
        return head;
    }
    static QByteArray statusBody(const ReplayFaults &faults)
    {
        if (faults.status == 204 || faults.status == 304 || faults.status < 200)
            return {};
        return "injected fault: HTTP " + QByteArray::number(faults.status) + '\n';
    }

    void startRound(qsizetype first)
    {
        m_next = first;
        m_baseMs = first < m_events.size() ? m_events.at(first).receivedMs : 0;
        m_jitterTotalMs = 0;
        m_jitterChosen = false;
        m_clock.start();
    }

    // Whether a fault ends the stream before the event at m_next: the error frame is due, or
    // the event count is reached. Returns true when the stream is ending.
    bool faultBeforeNextEvent(QByteArray &out)
    {
        if (!m_faults.errorData.isEmpty() && m_eventsSent >= m_faults.errorAfterEvents) {
            Event error;
            error.type = QByteArrayLiteral("error");
            error.data = m_faults.errorData;
            appendWireEvent(out, error, nullptr);
            emitBody(out);
            out.clear();
            qCDebug(lcReplayServer) << "injected error frame after" << m_eventsSent << "events";
            finishStream();
            return true;
        }
        if (m_faults.dropAfterEvents >= 0 && m_eventsSent >= m_faults.dropAfterEvents) {
            emitBody(out);
            out.clear();
            drop();
            return true;
        }
        return false;
    }

    void pump()
    {
        if (!m_socket || m_socket->state() != QAbstractSocket::ConnectedState
            || m_closing != Closing::No) {
            return;
        }
        QByteArray out;
        int sent = 0;
        QByteArray *currentId = m_faults.noIds ? nullptr : &m_currentId;
        while (m_next < m_events.size()) {
            const Event &event = m_events.at(m_next);
            if (!m_partial) {
                if (faultBeforeNextEvent(out))
                    return;
                if (m_faults.jitterMs > 0 && !m_jitterChosen) {
                    m_jitterTotalMs += QRandomGenerator::global()->bounded(m_faults.jitterMs + 1);
                    m_jitterChosen = true;
                }
                const double dueMs =
                    (m_speed > 0 ? double(event.receivedMs - m_baseMs) / m_speed : 0.0)
                    + double(m_jitterTotalMs);
                const qint64 waitMs = qint64(std::ceil(dueMs)) - m_clock.elapsed();
                if (waitMs > 0) {
                    m_timer.start(int(qMin<qint64>(waitMs, 24 * 3600 * 1000)));
                    break;
                }
                appendWireHead(out, event, currentId);
                m_dataPosition = 0;
                m_inLine = false;
                m_partial = true;
            }
            // A slice at a time: a large event is not copied whole into every client's socket.
            if (appendDataSlice(out, event.data, &m_dataPosition, &m_inLine, WriteChunkBytes)) {
                m_partial = false;
                m_jitterChosen = false;
                ++m_next;
                ++sent;
                ++m_eventsSent;
                if (m_faults.malformed && m_eventsSent == 1)
                    out.append(ReplayFaults::malformedBlock());
                if (!m_pushed.isEmpty()) {
                    emitBody(out);
                    out.clear();
                    writePushed();
                    if (m_closing != Closing::No)
                        return; // a fault ended the stream
                }
                if (m_next == m_events.size() && m_repeat == Repeat::Loop)
                    startRound(0);
            }
            if (out.size() >= WriteChunkBytes) {
                emitBody(out);
                out.clear();
            }
            if (m_socket->bytesToWrite() >= MaximumBufferedBytes
                || m_dripQueue.size() >= WriteChunkBytes) {
                m_waitingForSocket = true;
                break;
            }
            if (sent >= EventsPerTurn) {
                m_timer.start(0);
                break;
            }
        }
        if (m_next >= m_events.size() && !m_partial) {
            // The error frame may be due after the last event too.
            if (!faultBeforeNextEvent(out)) {
                emitBody(out);
                writePushed();
                if (!m_hold)
                    finishStream();
            }
            return;
        }
        if (!out.isEmpty())
            emitBody(out);
    }

    // The events pushed by hand that wait, in wire format (ids as given).
    void writePushed()
    {
        if (m_pushed.isEmpty() || m_closing != Closing::No)
            return;
        QByteArray out;
        const EventList pushed = std::exchange(m_pushed, {});
        for (const Event &event : pushed) {
            if (!appendWireEvent(out, event, m_faults.noIds ? nullptr : &m_currentId))
                continue;
            ++m_eventsSent;
            // Pushed events count for the faults like recorded ones.
            if (faultBeforeNextEvent(out))
                return;
        }
        emitBody(out);
    }

    // Body bytes, through gzip and the drip queue.
    void emitBody(const QByteArray &bytes)
    {
        if (bytes.isEmpty() || !m_socket)
            return;
        sendWire(m_gzip ? deflateBytes(bytes, Z_SYNC_FLUSH) : bytes);
    }

    // Wire bytes: to the socket, or to the drip queue when a byte rate is set.
    void sendWire(const QByteArray &wire)
    {
        if (wire.isEmpty() || !m_socket)
            return;
        if (m_faults.dripBytesPerSecond <= 0) {
            m_socket->write(wire);
            return;
        }
        if (m_dripQueue.isEmpty()) {
            m_dripClock.start();
            m_dripReleased = 0;
            m_dripTimer.start();
        }
        m_dripQueue.append(wire);
    }

    QByteArray deflateBytes(const QByteArray &bytes, int flush)
    {
        QByteArray out;
        z_stream *z = m_gzip.get();
        z->next_in = reinterpret_cast<Bytef *>(const_cast<char *>(bytes.constData()));
        z->avail_in = uInt(bytes.size());
        char buffer[16 * 1024];
        do {
            z->next_out = reinterpret_cast<Bytef *>(buffer);
            z->avail_out = sizeof buffer;
            if (deflate(z, flush) == Z_STREAM_ERROR)
                break;
            out.append(buffer, qsizetype(sizeof buffer - z->avail_out));
        } while (z->avail_out == 0);
        return out;
    }

    // Releases what the byte rate allows since the queue started filling.
    void drip()
    {
        if (!m_socket)
            return;
        const qint64 allowed =
            m_faults.dripBytesPerSecond * m_dripClock.elapsed() / 1000 - m_dripReleased;
        const qint64 count = qMin<qint64>(allowed, m_dripQueue.size());
        if (count > 0) {
            m_socket->write(m_dripQueue.constData(), count);
            m_dripQueue.remove(0, count);
            m_dripReleased += count;
        }
        if (!m_dripQueue.isEmpty())
            return;
        m_dripTimer.stop();
        if (m_closing != Closing::No) {
            closeWhenFlushed();
        } else if (m_waitingForSocket) {
            m_waitingForSocket = false;
            pump();
        }
    }

    // The stream is over (end of the list, or an error frame): an orderly close, with the
    // gzip trailer.
    void finishStream()
    {
        if (m_gzip) {
            const QByteArray trailer = deflateBytes({}, Z_FINISH);
            deflateEnd(m_gzip.get());
            m_gzip.reset(); // no further body bytes
            sendWire(trailer);
        }
        startClosing(Closing::Fin);
    }

    // A drop fault: dropAfterEvents or dropAfterMs was reached.
    void drop()
    {
        if (m_closing != Closing::No || !m_socket)
            return;
        qCDebug(lcReplayServer) << "dropping after" << m_eventsSent << "events";
        switch (m_faults.dropMode) {
        case ReplayFaults::DropMode::Fin:
            startClosing(Closing::Fin);
            break;
        case ReplayFaults::DropMode::Reset:
            startClosing(Closing::Reset);
            break;
        case ReplayFaults::DropMode::MidEvent: {
            // Half of the next event (its blank line never comes); inside a large event that is
            // already partly written, the connection just ends.
            if (!m_partial) {
                QByteArray whole;
                QByteArray id = m_currentId;
                const Event next = m_next < m_events.size() ? m_events.at(m_next) : Event {};
                if (next.data.isEmpty() && next.type.isEmpty())
                    whole = QByteArrayLiteral("data: {\"cut\": \"here\"}\n\n");
                else
                    appendWireEvent(whole, next, m_faults.noIds ? nullptr : &id);
                emitBody(whole.left(qMax<qsizetype>(1, (whole.size() - 2) / 2)));
            }
            startClosing(Closing::Fin);
            break;
        }
        }
    }

    void startClosing(Closing how)
    {
        m_closing = how;
        m_timer.stop();
        m_dropTimer.stop();
        m_heartbeatTimer.stop();
        closeWhenFlushed();
    }

    // Closes as m_closing says once the drip queue is empty and, for a reset, once the socket
    // has handed everything to the kernel (a reset discards what is still queued there).
    void closeWhenFlushed()
    {
        if (!m_socket || !m_dripQueue.isEmpty())
            return;
        if (m_closing == Closing::Fin) {
            m_socket->disconnectFromHost(); // waits for what is queued
            return;
        }
        if (m_socket->bytesToWrite() > 0)
            return; // bytesWritten() comes back here
        const linger resetOnClose {1, 0};
        ::setsockopt(int(m_socket->socketDescriptor()), SOL_SOCKET, SO_LINGER, &resetOnClose,
                     sizeof resetOnClose);
        m_socket->abort();
    }

    void writeAndClose(const QByteArray &response)
    {
        m_socket->write(response);
        m_socket->disconnectFromHost();
    }

    void end()
    {
        if (m_ended)
            return;
        m_ended = true;
        m_timer.stop();
        m_headTimer.stop();
        m_dropTimer.stop();
        m_heartbeatTimer.stop();
        m_dripTimer.stop();
        --m_server->d->connections;
        m_server->d->resumeAccepting(); // a descriptor is free again
        if (m_streaming) {
            --m_server->d->clients;
            emit m_server->clientDisconnected();
        }
        deleteLater();
    }

    ReplayServer *m_server;
    QPointer<QTcpSocket> m_socket;
    QByteArray m_request;
    EventList m_events; // implicitly shared with the server's list
    QByteArray m_currentId;
    ReplayFaults m_faults;
    QTimer m_timer;
    QTimer m_headTimer;
    QTimer m_dropTimer;
    QTimer m_heartbeatTimer;
    QTimer m_dripTimer;
    QElapsedTimer m_clock;
    QElapsedTimer m_dripClock;
    QByteArray m_dripQueue; // wire bytes the byte rate has not let out yet
    qint64 m_dripReleased = 0; // since m_dripClock started
    std::unique_ptr<z_stream> m_gzip;
    qsizetype m_dataPosition = 0; // in the event being sent, when m_partial
    bool m_inLine = false;
    bool m_partial = false;       // the event at m_next is partly written
    qint64 m_baseMs = 0;
    qint64 m_jitterTotalMs = 0; // jitter delays chosen so far in this round
    bool m_jitterChosen = false; // for the event at m_next
    qsizetype m_next = 0;
    qint64 m_eventsSent = 0; // complete events written on this connection
    EventList m_pushed;           // pushed by hand, waiting for the event being written
    qint64 m_connectedMs = 0;
    QByteArray m_lastEventId;     // the one the request came with
    bool m_hold = false;          // stay open after the last event
    double m_speed = 1.0;
    Repeat m_repeat = Repeat::Once;
    Closing m_closing = Closing::No;
    bool m_answered = false;
    bool m_streaming = false;
    bool m_waitingForSocket = false;
    bool m_ended = false;
};

ReplayServer::ReplayServer(QObject *parent) : QObject(parent), d(std::make_unique<Private>())
{
    // Qt's accept loop goes on while its queue of pending connections has room, whatever we
    // do in newConnection: a queue of one, left full while we are at the descriptor budget,
    // is what stops it before accept() fails with EMFILE.
    d->server.setMaxPendingConnections(1);
    d->acceptPending = [this] {
        while (!d->atDescriptorBudget() && d->server.hasPendingConnections()) {
            QTcpSocket *socket = d->server.nextPendingConnection();
            if (d->connections >= d->maximumConnections) {
                qCDebug(lcReplayServer) << "connection cap reached - 503";
                socket->setParent(this);
                socket->write("HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\n"
                              "Content-Length: 0\r\nConnection: close\r\n\r\n");
                ++d->rejecting;
                connect(socket, &QObject::destroyed, this, [this] {
                    --d->rejecting;
                    d->resumeAccepting();
                });
                connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
                QTimer::singleShot(1000, socket, [socket] { socket->abort(); });
                socket->disconnectFromHost();
            } else {
                new Session(this, socket); // owned by this server, deletes itself at the end
            }
        }
        if (d->atDescriptorBudget())
            d->pauseAccepting();
    };
    connect(&d->server, &QTcpServer::newConnection, this, [this] { d->acceptPending(); });
    // Out of file descriptors (EMFILE) or another resource: stop accepting for a moment rather
    // than spin on a listening socket that stays readable; closing connections resume it early.
    d->resumeTimer.setSingleShot(true);
    connect(&d->resumeTimer, &QTimer::timeout, this, [this] { d->resumeAccepting(); });
    connect(&d->server, &QTcpServer::acceptError, this, [this](QAbstractSocket::SocketError error) {
        qCDebug(lcReplayServer) << "accept failed:" << error << "- pausing";
        d->server.pauseAccepting();
        d->acceptPaused = true;
        d->resumeTimer.start(AcceptPauseMs);
    });
}

ReplayServer::~ReplayServer()
{
    // Sessions are children: they go before d (and their sockets with them).
    const QList<Session *> sessions = findChildren<Session *>(Qt::FindDirectChildrenOnly);
    for (Session *session : sessions) {
        session->disconnect();
        delete session;
    }
}

void ReplayServer::setEvents(const EventList &events)
{
    d->skippedEvents = std::count_if(events.cbegin(), events.cend(),
                                     [](const Event &event) { return !isWireSafe(event); });
    if (d->skippedEvents == 0) {
        d->events = events; // shared, not copied
        return;
    }
    d->events.clear();
    for (const Event &event : events) {
        if (isWireSafe(event))
            d->events.append(event);
    }
}
EventList ReplayServer::events() const { return d->events; }
void ReplayServer::setSpeed(double factor) { d->speed = factor > 0 ? factor : AsFastAsPossible; }
double ReplayServer::speed() const { return d->speed; }
void ReplayServer::setRepeat(Repeat repeat) { d->repeat = repeat; }
void ReplayServer::setFaults(const ReplayFaults &faults)
{
    d->faults = faults;
    d->statusAnswers = 0;
}
ReplayFaults ReplayServer::faults() const
{
    return d->faults;
}
void ReplayServer::setHoldOpen(bool hold) { d->holdOpen = hold; }
bool ReplayServer::holdOpen() const { return d->holdOpen; }

int ReplayServer::pushEvent(const Event &event)
{
    if (!isWireSafe(event))
        return 0;
    int reached = 0;
    const QList<Session *> sessions = findChildren<Session *>(Qt::FindDirectChildrenOnly);
    for (Session *session : sessions) {
        if (session->isStreaming()) {
            session->push(event);
            ++reached;
        }
    }
    return reached;
}

QList<ReplayServer::ClientInfo> ReplayServer::clients() const
{
    QList<ClientInfo> list;
    const QList<Session *> sessions = findChildren<Session *>(Qt::FindDirectChildrenOnly);
    for (const Session *session : sessions) {
        if (session->isStreaming())
            list.append(session->info());
    }
    std::sort(list.begin(), list.end(), [](const ClientInfo &a, const ClientInfo &b) {
        return a.connectedMs < b.connectedMs;
    });
    return list;
}
ReplayServer::Repeat ReplayServer::repeat() const { return d->repeat; }

bool ReplayServer::listen(const QHostAddress &address, quint16 port)
{
    if (!d->server.listen(address, port))
        return false;
    // What the descriptor limit leaves for connections: the limit, less the descriptors open
    // now (counted in /proc where there is one) and a few for what Qt opens later.
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
        const qsizetype open = QDir(QStringLiteral("/proc/self/fd")).exists()
                ? QDir(QStringLiteral("/proc/self/fd")).entryList(QDir::NoDotAndDotDot | QDir::AllEntries).size()
                : 32;
        d->descriptorBudget =
                int(qBound(qint64(1), qint64(limit.rlim_cur) - qint64(open) - 8, qint64(INT_MAX)));
    }
    return true;
}

QString ReplayServer::errorString() const { return d->server.errorString(); }
QHostAddress ReplayServer::serverAddress() const { return d->server.serverAddress(); }
quint16 ReplayServer::port() const { return d->server.serverPort(); }
int ReplayServer::clientCount() const { return d->clients; }
void ReplayServer::setRequestTimeout(int ms) { d->requestTimeoutMs = ms; }
int ReplayServer::requestTimeout() const { return d->requestTimeoutMs; }
void ReplayServer::setMaximumConnections(int count) { d->maximumConnections = count; }
int ReplayServer::maximumConnections() const { return d->maximumConnections; }
int ReplayServer::connectionCount() const { return d->connections; }
qsizetype ReplayServer::skippedEventCount() const { return d->skippedEvents; }

QUrl ReplayServer::streamUrl() const
{
    QUrl url;
    url.setScheme(QStringLiteral("http"));
    url.setHost(d->server.serverAddress().toString());
    url.setPort(d->server.serverPort());
    url.setPath(QStringLiteral("/events"));
    return url;
}

qsizetype ReplayServer::resumeIndex(const QByteArray &lastEventId) const
{
    const EventList &events = d->events;
    qsizetype index = 0;
    while (index < events.size() && events.at(index).lastEventId != lastEventId)
        ++index;
    if (index == events.size())
        return 0; // unknown id: from the start
    while (index < events.size() && events.at(index).lastEventId == lastEventId)
        ++index;
    return index;
}

} // namespace Sse
