// sse-storm-server: an event stream that drops its clients over and over (soak tests).
//
// Every event carries the next number of one global sequence as its id (`id: N`,
// `data: {"n":N}`). A request resumes after its Last-Event-ID (none: from 1). Each
// response lives --drop-ms, then ends in one of three ways, in turn:
//   0. graceful close (FIN) after a whole event;
//   1. graceful close in the middle of an event, whose id must not count as received;
//   2. connection reset (TCP RST); bytes still in flight may be lost.
// A client that resumes correctly therefore receives every id exactly once.
//
//   sse-storm-server [--drop-ms MS] [--interval-ms MS] [--burst N] [--retry MS]
//
// Prints `port N` on its first line, then runs until SIGINT/SIGTERM, when it prints one
// summary line: connections, events written, highest id written whole, resumes whose
// Last-Event-ID was ahead of what was written (a client bug) and malformed requests.

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QPointer>
#include <QSocketNotifier>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include <csignal>
#include <cstdio>
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

struct Totals
{
    qint64 connections = 0;
    qint64 eventsWritten = 0;
    qint64 highestId = 0;   // highest id ever written as a whole event
    qint64 aheadResumes = 0; // Last-Event-ID above highestId: the client invented an id
    qint64 badRequests = 0;
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
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        m_tick.setInterval(settings.intervalMs);
        connect(&m_tick, &QTimer::timeout, this, &Session::writeBurst);
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
        qint64 lastId = 0;
        const QList<QByteArray> lines = m_request.left(end).split('\n');
        for (const QByteArray &line : lines) {
            const qsizetype colon = line.indexOf(':');
            if (colon > 0
                && line.left(colon).trimmed().compare("last-event-id", Qt::CaseInsensitive) == 0) {
                bool ok = false;
                lastId = line.mid(colon + 1).trimmed().toLongLong(&ok);
                if (!ok)
                    ++m_totals->badRequests;
            }
        }
        if (lastId > m_totals->highestId)
            ++m_totals->aheadResumes;
        m_next = lastId + 1;
        m_socket->write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                        "Cache-Control: no-cache\r\nConnection: close\r\n\r\nretry: "
                        + QByteArray::number(m_settings.retryMs) + "\n\n");
        m_tick.start();
        QTimer::singleShot(m_settings.dropMs, this, &Session::drop);
        writeBurst();
    }

    void writeBurst()
    {
        QByteArray out;
        for (int i = 0; i < m_settings.burst; ++i) {
            const QByteArray n = QByteArray::number(m_next++);
            out += "id: " + n + "\ndata: {\"n\":" + n + "}\n\n";
            m_totals->highestId = qMax(m_totals->highestId, m_next - 1);
            ++m_totals->eventsWritten;
        }
        m_socket->write(out);
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
        default: {
            m_socket->flush();
            const linger option{1, 0};
            ::setsockopt(int(m_socket->socketDescriptor()), SOL_SOCKET, SO_LINGER, &option,
                         sizeof option);
            m_socket->abort();
            m_socket->deleteLater();
            break;
        }
        }
    }

    QTcpSocket *m_socket;
    Settings m_settings;
    Totals *m_totals;
    int m_mode;
    QByteArray m_request;
    QTimer m_tick;
    qint64 m_next = 1;
    bool m_started = false;
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
                    "bad_requests %lld\n",
                    totals.connections, totals.eventsWritten, totals.highestId,
                    totals.aheadResumes, totals.badRequests);
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
