#pragma once

#include <QHostAddress>
#include <QObject>
#include <QUrl>

#include <memory>

class QTcpSocket;

namespace Sse {

/// The built-in demo stream: a small SSE server on loopback so a new user sees
/// live data without a server of their own.
///
/// `/events` streams several event types with ids (sensor readings, trades,
/// latency figures as JSON, a plain number, multi-line log lines), comment
/// heartbeats and a `retry:` line, and drops the connection periodically so that
/// reconnection shows. Event N is a pure function of N, so a reconnect that sends
/// Last-Event-ID resumes the sequence with no gap and no duplicate.
class DemoServer : public QObject
{
    Q_OBJECT
public:
    explicit DemoServer(QObject *parent = nullptr);
    ~DemoServer() override;

    /// Listens on \a address (default 127.0.0.1) and \a port (0 = any free port).
    bool listen(const QHostAddress &address = QHostAddress::LocalHost, quint16 port = 0);
    QString errorString() const;
    quint16 port() const;
    /// URL of the event stream, e.g. http://127.0.0.1:40123/events
    QUrl streamUrl() const;

    void setEventsPerSecond(int rate);      ///< default 10
    void setDisconnectAfterMs(int ms);      ///< default 45000; 0 = never
    void setRetryMs(int ms);                ///< sent as `retry:`; default 2000

    /// The event block for sequence number \a n (id n), as written on the wire.
    static QByteArray eventBlock(qint64 n);

private:
    void handleConnection(QTcpSocket *socket);
    class Private;
    std::unique_ptr<Private> d;
};

} // namespace Sse
