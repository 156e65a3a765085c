#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QObject>
#include <QPointer>

namespace Sse {

class H2Connection;
class HttpStream;

/// The HTTP/2 connections of one thread, one per origin and TLS options, so that many
/// streams to one server share one connection.
///
/// While the first request to an origin finds out whether the server speaks h2 (TLS with
/// ALPN, or prior knowledge), the next ones wait for that answer instead of opening
/// connections of their own: then they join the h2 connection, or each goes on with
/// HTTP/1.1 as before.
class H2Pool : public QObject
{
    Q_OBJECT
public:
    enum class Route {
        Attach, ///< an h2 connection is there: open a stream on *connection
        Wait,   ///< another request is finding out; resumeAfterProbe() follows
        Probe,  ///< connect yourself, offering h2; report with probeSucceeded()/probeEnded()
    };

    /// The pool of the calling thread (created on first use, deleted with the thread).
    static H2Pool &forThread();
    /// What requests must have in common to share a connection: the origin of \a url, prior
    /// knowledge or not, and \a shape, everything else that made the connection (trust
    /// settings, client certificate, proxy route and credentials), kept only as a hash.
    static QByteArray key(const QUrl &url, const QByteArray &shape, bool priorKnowledge);

    Route route(const QByteArray &key, HttpStream *stream, H2Connection **connection);
    /// The prober negotiated h2 on \a connection: waiters attach to it.
    void probeSucceeded(const QByteArray &key, H2Connection *connection, HttpStream *prober);
    /// The prober got HTTP/1.1: waiters go on with HTTP/1.1.
    void probeEndedWithHttp1(const QByteArray &key, HttpStream *prober);
    /// The prober failed or was aborted before it knew: waiters route again.
    void probeAbandoned(const QByteArray &key, QObject *prober);
    int connectionCount() const;

private:
    struct Entry
    {
        QPointer<H2Connection> connection;
        QPointer<HttpStream> prober;
        QList<QPointer<HttpStream>> waiters;
    };
    explicit H2Pool(QObject *parent = nullptr) : QObject(parent) {}
    void release(Entry *entry, H2Connection *connection, bool http1);

    QHash<QByteArray, Entry> m_entries;
};

} // namespace Sse
