// sse-storm-server: an event stream that drops its clients over and over (soak tests).
//
// A client is named by its request path (one client per path). Its events carry its own
// sequence as ids (`id: N`, `data: {"n":N}`, N = 1, 2, 3, ...). Each response lives
// --drop-ms, then ends in one of three ways, in turn:
//   0. graceful close (FIN) after a whole event;
//   1. graceful close in the middle of an event, whose id must not count as received;
//   2. connection reset (TCP RST), sent once the kernel has had every written byte
//      acknowledged, so that everything written is in the client's receive queue.
//
// The server keeps count of the attempts of each client and is strict about them: the
// response to a request always continues after the highest id the server wrote whole to
// that client, whatever the request's Last-Event-ID says. A request is unscheduled when
//   - its Last-Event-ID is not exactly that highest id (absent when none was written), or
//   - it arrives less than the reconnection time (--retry) minus 50 ms after the previous
//     response to that client ended, or
//   - it arrives while another response to that client is still running.
// Such a request is what a client sends when something re-sends a request behind the
// reconnection logic's back; a correct client makes none, and receives every id exactly
// once. The first unscheduled requests are described on stderr.
//
//   sse-storm-server [--drop-ms MS] [--interval-ms MS] [--burst N] [--retry MS]
//
// Prints `port N` on its first line, then runs until SIGINT/SIGTERM, when it prints one
// summary line: connections, events written, highest id written whole, resumes whose
// Last-Event-ID was ahead of what was written, malformed requests, then the attempts, the
// unscheduled requests and their kinds (stale or missing Last-Event-ID, early, overlapping),
// and the resets whose bytes were not all acknowledged within 1 s (unverified: the next
// request's Last-Event-ID may then be anything up to the highest id).

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QHash>
#include <QPointer>
#include <QSocketNotifier>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include <csignal>
#include <cstdio>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

int signalPipe[2] = {-1, -1};

void onSignal(int)
{
    const char byte = 1;
    [[maybe_unused]] const ssize_t ignored = ::write(signalPipe[1], &byte, 1);
}

struct Settings
{
    int dropMs = 100;
    int intervalMs = 5;
    int burst = 5;
    int retryMs = 10;
};

constexpr qint64 EarlyToleranceMs = 50;
constexpr int DrainLimitMs = 1000; // a reset waits this long at most for the client's ACKs
constexpr int DescribedLimit = 20; // unscheduled requests described on stderr

// What the server knows about one client (one request path) across its attempts.
struct ClientRecord
{
    qint64 attempts = 0;
    qint64 highestWhole = 0;   // highest id written whole to this client
    qint64 lastEndMs = -1;     // when its previous response ended (server clock), -1: none
    bool active = false;       // a response to it is running
    bool unverified = false;   // the last reset did not get all bytes acknowledged
};

struct Totals
{
    qint64 connections = 0;
    qint64 eventsWritten = 0;
    qint64 highestId = 0;   // highest id ever written as a whole event, any client
    qint64 aheadResumes = 0; // Last-Event-ID above what was written: the client invented an id
    qint64 badRequests = 0;
    qint64 attempts = 0;
    qint64 unscheduled = 0;
    qint64 staleId = 0;     // Last-Event-ID not the highest id written whole
    qint64 early = 0;       // sooner than the reconnection time after the previous end
    qint64 overlapping = 0; // while another response to the same client was running
    qint64 unverifiedResets = 0;
    QHash<QByteArray, ClientRecord> clients;
    QElapsedTimer clock;
};

// One client connection: request head, then events until the drop.
class Session : public QObject
{
public:
    Session(QTcpSocket *socket, const Settings &settings, Totals *totals, qint64 serial)
        : QObject(socket), m_socket(socket), m_settings(settings), m_totals(totals),
          m_mode(int(serial % 3))
    {
        connect(socket, &QTcpSocket::readyRead, this, &Session::readRequest);
        // The client may go first (idle timeout, end of the run): that ends the response.
        connect(socket, &QTcpSocket::disconnected, this, &Session::endResponse);
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        m_tick.setInterval(settings.intervalMs);
        connect(&m_tick, &QTimer::timeout, this, &Session::writeBurst);
        m_drain.setInterval(2);
        connect(&m_drain, &QTimer::timeout, this, &Session::resetWhenDrained);
    }

private:
    void readRequest()
    {
        if (m_started)
            return;
        m_request += m_socket->readAll();
        const qsizetype end = m_request.indexOf("\r\n\r\n");
        if (end < 0) {
            if (m_request.size() > 64 * 1024) {
                ++m_totals->badRequests;
                m_socket->abort();
            }
            return;
        }
        m_started = true;
        const QList<QByteArray> lines = m_request.left(end).split('\n');
        const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
        m_path = requestLine.value(1).split('?').value(0);
        QByteArray lastEventId;
        bool hasLastEventId = false;
        for (const QByteArray &line : lines) {
            const qsizetype colon = line.indexOf(':');
            if (colon > 0
                && line.left(colon).trimmed().compare("last-event-id", Qt::CaseInsensitive) == 0) {
                lastEventId = line.mid(colon + 1).trimmed();
                hasLastEventId = true;
            }
        }
        checkAttempt(hasLastEventId, lastEventId);
        ClientRecord &client = m_totals->clients[m_path];
        client.active = true;
        m_active = true;
        // Continue after what this client was sent whole, not after what it says it has:
        // a stale Last-Event-ID must show up as lost events, never be papered over.
        m_next = client.highestWhole + 1;
        m_socket->write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                        "Cache-Control: no-cache\r\nConnection: close\r\n\r\nretry: "
                        + QByteArray::number(m_settings.retryMs) + "\n\n");
        m_tick.start();
        QTimer::singleShot(m_settings.dropMs, this, &Session::drop);
        writeBurst();
    }

    // Counts the attempt and decides whether the client should have made it.
    void checkAttempt(bool hasLastEventId, const QByteArray &lastEventId)
    {
        ClientRecord &client = m_totals->clients[m_path];
        const qint64 now = m_totals->clock.elapsed();
        ++client.attempts;
        ++m_totals->attempts;
        bool ok = false;
        const qint64 given = hasLastEventId ? lastEventId.toLongLong(&ok) : 0;
        if (hasLastEventId && !ok)
            ++m_totals->badRequests;
        if (given > client.highestWhole)
            ++m_totals->aheadResumes;
        QByteArray why;
        const bool idExpected = client.highestWhole > 0;
        const bool idMatches = idExpected
            ? hasLastEventId && lastEventId == QByteArray::number(client.highestWhole)
            : !hasLastEventId;
        if (!idMatches && !(client.unverified && given <= client.highestWhole)) {
            ++m_totals->staleId;
            why += " Last-Event-ID " + (hasLastEventId ? lastEventId : QByteArray("(none)"))
                + ", expected "
                + (idExpected ? QByteArray::number(client.highestWhole) : QByteArray("none"))
                + ";";
        }
        if (client.active) {
            ++m_totals->overlapping;
            why += " while another response to this client was running;";
        } else if (client.lastEndMs >= 0
                   && now - client.lastEndMs < m_settings.retryMs - EarlyToleranceMs) {
            ++m_totals->early;
            why += " " + QByteArray::number(now - client.lastEndMs)
                + " ms after the previous response ended (retry "
                + QByteArray::number(m_settings.retryMs) + " ms);";
        }
        client.unverified = false;
        if (why.isEmpty())
            return;
        if (++m_totals->unscheduled <= DescribedLimit) {
            std::fprintf(stderr, "unscheduled: client %s attempt %lld at %lld ms:%s\n",
                         m_path.constData(), client.attempts, now, why.constData());
            std::fflush(stderr);
        }
    }

    void writeBurst()
    {
        QByteArray out;
        ClientRecord &client = m_totals->clients[m_path];
        for (int i = 0; i < m_settings.burst; ++i) {
            const QByteArray n = QByteArray::number(m_next++);
            out += "id: " + n + "\ndata: {\"n\":" + n + "}\n\n";
            client.highestWhole = qMax(client.highestWhole, m_next - 1);
            m_totals->highestId = qMax(m_totals->highestId, m_next - 1);
            ++m_totals->eventsWritten;
        }
        m_socket->write(out);
    }

    // The response is over (FIN, RST, or the client went): its end starts the client's
    // reconnection time.
    void endResponse()
    {
        m_tick.stop();
        m_drain.stop();
        if (!m_active)
            return;
        m_active = false;
        ClientRecord &client = m_totals->clients[m_path];
        client.active = false;
        client.lastEndMs = m_totals->clock.elapsed();
    }

    // Bytes the kernel has not had acknowledged yet (on loopback: not yet in the client's
    // receive queue), plus what QTcpSocket still holds.
    qint64 unacknowledgedBytes() const
    {
        int queued = 0;
        if (::ioctl(int(m_socket->socketDescriptor()), SIOCOUTQ, &queued) != 0)
            queued = 0;
        return m_socket->bytesToWrite() + queued;
    }

    void resetWhenDrained()
    {
        m_socket->flush();
        if (unacknowledgedBytes() > 0 && m_drainClock.elapsed() < DrainLimitMs)
            return;
        if (unacknowledgedBytes() > 0) {
            // The client did not read in time: what it got is unknown, so its next
            // Last-Event-ID is taken on trust (counted, never silently).
            ++m_totals->unverifiedResets;
            m_totals->clients[m_path].unverified = true;
        }
        const linger option{1, 0};
        ::setsockopt(int(m_socket->socketDescriptor()), SOL_SOCKET, SO_LINGER, &option,
                     sizeof option);
        endResponse();
        m_socket->abort();
        m_socket->deleteLater();
    }

    void drop()
    {
        m_tick.stop();
        switch (m_mode) {
        case 0:
            m_socket->disconnectFromHost();
            break;
        case 1:
            // Half an event: its id line and part of its data, never its blank line.
            m_socket->write("id: " + QByteArray::number(m_next) + "\ndata: {\"n\":");
            m_socket->disconnectFromHost();
            break;
        default:
            // Reset once every byte written is acknowledged (bytes the client's kernel
            // has received stay readable after the reset; bytes in flight would not).
            m_drainClock.start();
            m_drain.start();
            resetWhenDrained();
            break;
        }
        if (m_mode != 2)
            endResponse();
    }

    QTcpSocket *m_socket;
    Settings m_settings;
    Totals *m_totals;
    int m_mode;
    QByteArray m_request;
    QByteArray m_path;
    QTimer m_tick;
    QTimer m_drain;
    QElapsedTimer m_drainClock;
    qint64 m_next = 1;
    bool m_started = false;
    bool m_active = false;
};

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Event stream that drops every client."));
    parser.addHelpOption();
    const QCommandLineOption dropOption(QStringLiteral("drop-ms"),
                                        QStringLiteral("Lifetime of each response (100)."),
                                        QStringLiteral("MS"), QStringLiteral("100"));
    const QCommandLineOption intervalOption(QStringLiteral("interval-ms"),
                                            QStringLiteral("Time between bursts (5)."),
                                            QStringLiteral("MS"), QStringLiteral("5"));
    const QCommandLineOption burstOption(QStringLiteral("burst"),
                                         QStringLiteral("Events per burst (5)."),
                                         QStringLiteral("N"), QStringLiteral("5"));
    const QCommandLineOption retryOption(QStringLiteral("retry"),
                                         QStringLiteral("retry: field sent first (10)."),
                                         QStringLiteral("MS"), QStringLiteral("10"));
    const QCommandLineOption portOption(QStringLiteral("port"),
                                        QStringLiteral("Port on 127.0.0.1 (0: any free one)."),
                                        QStringLiteral("PORT"), QStringLiteral("0"));
    parser.addOptions({dropOption, intervalOption, burstOption, retryOption, portOption});
    parser.process(app);

    Settings settings;
    settings.dropMs = qMax(1, parser.value(dropOption).toInt());
    settings.intervalMs = qMax(1, parser.value(intervalOption).toInt());
    settings.burst = qMax(1, parser.value(burstOption).toInt());
    settings.retryMs = qMax(0, parser.value(retryOption).toInt());

    Totals totals;
    totals.clock.start();
    QTcpServer server;
    if (!server.listen(QHostAddress::LocalHost, quint16(parser.value(portOption).toUInt()))) {
        std::fprintf(stderr, "sse-storm-server: %s\n", qPrintable(server.errorString()));
        return 1;
    }
    QObject::connect(&server, &QTcpServer::newConnection, &server, [&] {
        while (QTcpSocket *socket = server.nextPendingConnection())
            new Session(socket, settings, &totals, totals.connections++);
    });

    auto summary = [&] {
        std::printf("connections %lld events_written %lld highest_id %lld ahead_resumes %lld "
                    "bad_requests %lld attempts %lld unscheduled %lld stale_id %lld early %lld "
                    "overlapping %lld unverified_resets %lld clients %lld\n",
                    totals.connections, totals.eventsWritten, totals.highestId,
                    totals.aheadResumes, totals.badRequests, totals.attempts,
                    totals.unscheduled, totals.staleId, totals.early, totals.overlapping,
                    totals.unverifiedResets, qint64(totals.clients.size()));
        std::fflush(stdout);
    };
    if (::pipe(signalPipe) == 0) {
        auto *notifier = new QSocketNotifier(signalPipe[0], QSocketNotifier::Read, &app);
        QObject::connect(notifier, &QSocketNotifier::activated, &app, [&] {
            summary();
            QCoreApplication::quit();
        });
        std::signal(SIGINT, onSignal);
        std::signal(SIGTERM, onSignal);
    }
    std::printf("port %u\n", unsigned(server.serverPort()));
    std::fflush(stdout);
    return app.exec();
}
