#include "sselib/demoserver.h"

#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include <cmath>

Q_LOGGING_CATEGORY(lcDemoServer, "sse.demo")

namespace Sse {

namespace {

constexpr qsizetype MaximumRequestBytes = 64 * 1024;
constexpr int HeartbeatMs = 5000;

QByteArray number(double value, int decimals)
{
    return QByteArray::number(value, 'f', decimals);
}

// A smooth, deterministic wobble so charts of the demo look like real signals.
double wave(qint64 n, double period, double phase = 0.0)
{
    return std::sin(2.0 * M_PI * double(n) / period + phase);
}

} // namespace

class DemoServer::Private
{
public:
    QTcpServer server;
    int eventsPerSecond = 10;
    int disconnectAfterMs = 45000;
    int retryMs = 2000;
};

DemoServer::DemoServer(QObject *parent) : QObject(parent), d(std::make_unique<Private>())
{
    connect(&d->server, &QTcpServer::newConnection, this, [this] {
        while (QTcpSocket *socket = d->server.nextPendingConnection())
            handleConnection(socket);
    });
}

DemoServer::~DemoServer() = default;

bool DemoServer::listen(const QHostAddress &address, quint16 port)
{
    return d->server.listen(address, port);
}

QString DemoServer::errorString() const { return d->server.errorString(); }
quint16 DemoServer::port() const { return d->server.serverPort(); }

QUrl DemoServer::streamUrl() const
{
    QUrl url;
    url.setScheme(QStringLiteral("http"));
    url.setHost(d->server.serverAddress().toString());
    url.setPort(d->server.serverPort());
    url.setPath(QStringLiteral("/events"));
    return url;
}

void DemoServer::setEventsPerSecond(int rate) { d->eventsPerSecond = qMax(1, rate); }
void DemoServer::setDisconnectAfterMs(int ms) { d->disconnectAfterMs = ms; }
void DemoServer::setRetryMs(int ms) { d->retryMs = ms; }

QByteArray DemoServer::eventBlock(qint64 n)
{
    QByteArray block = "id: " + QByteArray::number(n) + '\n';
    switch (n % 10) {
    case 0:
    case 3:
    case 6: {
        const int sensor = int(n % 3) + 1;
        block += "event: sensor\ndata: {\"sensor\":\"sensor-0" + QByteArray::number(sensor)
            + "\",\"temperature\":" + number(21.0 + 3.0 * wave(n, 400, sensor), 2)
            + ",\"humidity\":" + number(45.0 + 10.0 * wave(n, 900, sensor * 2.0), 1)
            + ",\"battery\":" + QByteArray::number(100 - (n / 50) % 100) + "}\n";
        break;
    }
    case 1:
    case 4:
    case 7:
        block += "event: trade\ndata: {\"symbol\":\"ACME\",\"price\":"
            + number(101.5 + 4.0 * wave(n, 300) + 0.7 * wave(n, 37), 2)
            + ",\"volume\":" + QByteArray::number(100 + (n * 37) % 900)
            + ",\"side\":\"" + (n % 2 ? "buy" : "sell") + "\"}\n";
        break;
    case 2:
    case 8: {
        const double p50 = 12.0 + 4.0 * wave(n, 250) + double((n * 7) % 5);
        block += "event: latency\ndata: {\"service\":\"api\",\"latency\":{\"p50_ms\":"
            + number(p50, 1) + ",\"p99_ms\":" + number(p50 * 3.5 + double((n * 13) % 40), 1)
            + "},\"requests\":[" + QByteArray::number(200 + n % 50) + ","
            + QByteArray::number(n % 7) + "]}\n";
        break;
    }
    case 5:
        // Default type, plain numeric data.
        block += "data: " + number(50.0 + 25.0 * wave(n, 120), 3) + '\n';
        break;
    case 9:
        block += "event: log\ndata: deploy step " + QByteArray::number(n / 10)
            + " finished\ndata: second line of a multi-line event\n";
        break;
    }
    block += '\n';
    return block;
}

void DemoServer::handleConnection(QTcpSocket *socket)
{
    socket->setParent(this);
    connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    auto request = std::make_shared<QByteArray>();
    connect(socket, &QTcpSocket::readyRead, socket, [this, socket, request] {
        if (request->endsWith("\r\n\r\n") && request->size() > 4)
            return; // already answered; ignore anything else
        request->append(socket->readAll());
        if (request->size() > MaximumRequestBytes) {
            socket->abort();
            return;
        }
        const qsizetype headerEnd = request->indexOf("\r\n\r\n");
        if (headerEnd < 0)
            return;
        request->truncate(headerEnd + 4);

        const QList<QByteArray> lines = request->split('\n');
        const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
        const QByteArray path = requestLine.value(1);
        qint64 lastId = -1;
        for (const QByteArray &line : lines) {
            const qsizetype colon = line.indexOf(':');
            if (colon > 0 && line.left(colon).trimmed().toLower() == "last-event-id") {
                bool ok = false;
                lastId = line.mid(colon + 1).trimmed().toLongLong(&ok);
                if (!ok)
                    lastId = -1;
            }
        }

        if (path != "/events" && path != "/") {
            const QByteArray body = "Not found. The demo stream is at /events\n";
            socket->write("HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\n"
                          "Content-Length: "
                          + QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n"
                          + body);
            socket->disconnectFromHost();
            return;
        }
        socket->write("HTTP/1.1 200 OK\r\n"
                      "Content-Type: text/event-stream; charset=utf-8\r\n"
                      "Cache-Control: no-cache\r\n"
                      "X-Accel-Buffering: no\r\n"
                      "Connection: close\r\n\r\n");
        socket->write(": SSE Monitor demo stream\nretry: " + QByteArray::number(d->retryMs)
                      + "\n\n");

        auto next = std::make_shared<qint64>(lastId + 1);
        auto sinceHeartbeat = std::make_shared<QElapsedTimer>();
        sinceHeartbeat->start();
        // The rate is kept by the clock, not by counting ticks: a tick that comes late (a busy
        // thread, a loaded machine) sends what is due, so the stream sends its rate over any
        // period longer than a second. At most a second's events go out at once.
        auto since = std::make_shared<QElapsedTimer>();
        since->start();
        auto sent = std::make_shared<qint64>(0);
        const int rate = d->eventsPerSecond;
        auto *timer = new QTimer(socket);
        timer->setTimerType(Qt::PreciseTimer);
        timer->setInterval(qMax(1, 1000 / rate));
        connect(timer, &QTimer::timeout, socket, [socket, next, sinceHeartbeat, since, sent, rate] {
            const qint64 due = since->elapsed() * rate / 1000;
            if (due - *sent > rate)
                *sent = due - rate; // after a long pause, no more than a second's worth
            for (; *sent < due; ++*sent)
                socket->write(eventBlock((*next)++));
            if (sinceHeartbeat->elapsed() >= HeartbeatMs) {
                socket->write(": heartbeat\n");
                sinceHeartbeat->restart();
            }
        });
        timer->start();
        if (d->disconnectAfterMs > 0) {
            QTimer::singleShot(d->disconnectAfterMs, socket, [socket] {
                qCDebug(lcDemoServer) << "demo: planned disconnect";
                socket->disconnectFromHost();
            });
        }
    });
}

} // namespace Sse
