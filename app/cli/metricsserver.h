#pragma once

#include <QByteArray>
#include <QHash>
#include <QHostAddress>
#include <QObject>
#include <QTcpServer>

#include <functional>

/// A small HTTP/1.1 responder for the probe's /metrics and /healthz: GET or HEAD of a fixed set
/// of paths, one request per connection (every answer closes it). A client that has not sent
/// its request head within the request timeout gets 408; past the connection cap new
/// connections get 503; a head larger than 8 KiB gets 431. Nothing of the request is kept
/// after its head has been read.
class MetricsServer : public QObject
{
public:
    struct Response
    {
        int status = 200;
        QByteArray contentType;
        QByteArray body;
    };
    /// Builds the answer when a request for the path arrives (so a scrape sees current values).
    using Handler = std::function<Response()>;

    explicit MetricsServer(QObject *parent = nullptr);
    Q_DISABLE_COPY(MetricsServer)

    /// Answers GET and HEAD of \a path (the query is ignored) with \a handler.
    void route(const QByteArray &path, Handler handler);
    bool listen(const QHostAddress &address, quint16 port);
    QString errorString() const { return m_server.errorString(); }
    /// `http://ADDRESS:PORT` (IPv6 addresses in brackets).
    QByteArray baseUrl() const;

    void setRequestTimeout(int ms) { m_requestTimeoutMs = ms; }
    void setMaximumConnections(int count) { m_maximumConnections = count; }

private:
    class Session;
    void accept();
    Response answer(const QByteArray &method, const QByteArray &target) const;

    QTcpServer m_server;
    QHash<QByteArray, Handler> m_routes;
    int m_requestTimeoutMs = 10000;
    int m_maximumConnections = 64;
    int m_connections = 0;
};
