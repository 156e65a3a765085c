#include "sselib/replayserver.h"

#include <QDir>
#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include <algorithm>
#include <climits>
#include <cmath>
#include <functional>

#include <sys/resource.h>
#include <limits>

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

} // namespace

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
        connect(socket, &QTcpSocket::readyRead, this, &Session::readRequest);
        connect(socket, &QTcpSocket::bytesWritten, this, [this] {
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

private:
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
        m_events = d->events;
        m_speed = d->speed;
        m_repeat = d->repeat;
        // An empty Last-Event-ID is the same as none (browsers do not send one).
        const QByteArray lastEventId = headerValue(lines, "last-event-id");
        m_next = lastEventId.isEmpty() ? 0 : m_server->resumeIndex(lastEventId);
        if (m_next >= m_events.size() && (m_repeat == Repeat::Once || m_events.isEmpty())) {
            qCDebug(lcReplayServer) << "nothing after" << lastEventId << "- 204";
            writeAndClose("HTTP/1.1 204 No Content\r\n" + cors
                          + "Connection: close\r\n\r\n");
            return;
        }
        if (m_next >= m_events.size())
            m_next = 0;
        // The client already has this id: the next event only repeats it if it changes.
        m_currentId = m_next > 0 ? m_events.at(m_next - 1).lastEventId : QByteArray();
        m_socket->write("HTTP/1.1 200 OK\r\n"
                        "Content-Type: text/event-stream; charset=utf-8\r\n"
                        "Cache-Control: no-cache\r\n"
                        "X-Accel-Buffering: no\r\n"
                        + cors + "Connection: close\r\n\r\n");
        m_streaming = true;
        ++d->clients;
        emit m_server->clientConnected(lastEventId, m_next);
        startRound(m_next);
        pump();
    }

    void startRound(qsizetype first)
    {
        m_next = first;
        m_baseMs = m_events.at(first).receivedMs;
        m_clock.start();
    }

    void pump()
    {
        if (!m_socket || m_socket->state() != QAbstractSocket::ConnectedState)
            return;
        QByteArray out;
        int sent = 0;
        while (m_next < m_events.size()) {
            const Event &event = m_events.at(m_next);
            if (!m_partial) {
                if (m_speed > 0) {
                    const double dueMs = double(event.receivedMs - m_baseMs) / m_speed;
                    const qint64 waitMs = qint64(std::ceil(dueMs)) - m_clock.elapsed();
                    if (waitMs > 0) {
                        m_timer.start(int(qMin<qint64>(waitMs, 24 * 3600 * 1000)));
                        break;
                    }
                }
                appendWireHead(out, event, &m_currentId);
                m_dataPosition = 0;
                m_inLine = false;
                m_partial = true;
            }
            // A slice at a time: a large event is not copied whole into every client's socket.
            if (appendDataSlice(out, event.data, &m_dataPosition, &m_inLine, WriteChunkBytes)) {
                m_partial = false;
                ++m_next;
                ++sent;
                if (m_next == m_events.size() && m_repeat == Repeat::Loop)
                    startRound(0);
            }
            if (out.size() >= WriteChunkBytes) {
                m_socket->write(out);
                out.clear();
            }
            if (m_socket->bytesToWrite() >= MaximumBufferedBytes) {
                m_waitingForSocket = true;
                break;
            }
            if (sent >= EventsPerTurn) {
                m_timer.start(0);
                break;
            }
        }
        if (!out.isEmpty())
            m_socket->write(out);
        if (m_next >= m_events.size()) {
            // Close once everything queued has gone out (disconnectFromHost waits for it).
            m_socket->disconnectFromHost();
        }
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
    QTimer m_timer;
    QTimer m_headTimer;
    QElapsedTimer m_clock;
    qsizetype m_dataPosition = 0; // in the event being sent, when m_partial
    bool m_inLine = false;
    bool m_partial = false;       // the event at m_next is partly written
    qint64 m_baseMs = 0;
    qsizetype m_next = 0;
    double m_speed = 1.0;
    Repeat m_repeat = Repeat::Once;
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
