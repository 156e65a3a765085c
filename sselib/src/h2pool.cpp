#include "h2pool.h"

#include "h2connection.h"
#include "httpstream.h"

#include <QCryptographicHash>
#include <QThreadStorage>
#include <QUrl>

namespace Sse {

H2Pool &H2Pool::forThread()
{
    // Connections and their sockets belong to one thread, so does their pool.
    static QThreadStorage<H2Pool *> pools;
    if (!pools.hasLocalData())
        pools.setLocalData(new H2Pool);
    return *pools.localData();
}

QByteArray H2Pool::key(const QUrl &url, const QByteArray &shape, bool priorKnowledge)
{
    const bool tls = url.scheme() == QLatin1String("https");
    QByteArray key = url.scheme().toLatin1() + "://" + url.host().toLower().toUtf8() + ':'
        + QByteArray::number(url.port(tls ? 443 : 80));
    if (priorKnowledge)
        key += " prior-knowledge";
    if (!shape.isEmpty())
        key += ' ' + QCryptographicHash::hash(shape, QCryptographicHash::Sha256).toHex();
    return key;
}

H2Pool::Route H2Pool::route(const QByteArray &key, HttpStream *stream, H2Connection **connection)
{
    Entry &entry = m_entries[key];
    if (entry.connection && entry.connection->acceptsStreams()) {
        *connection = entry.connection;
        return Route::Attach;
    }
    entry.connection = nullptr;
    if (entry.prober && entry.prober != stream) {
        if (!entry.waiters.contains(stream))
            entry.waiters.append(stream);
        return Route::Wait;
    }
    entry.prober = stream;
    // A prober that fails, is aborted or is deleted before it knows leaves the waiters to
    // find out themselves.
    connect(stream, &HttpStream::finished, this, [this, key, stream] { probeAbandoned(key, stream); });
    connect(stream, &QObject::destroyed, this, [this, key, stream] { probeAbandoned(key, stream); });
    return Route::Probe;
}

void H2Pool::probeSucceeded(const QByteArray &key, H2Connection *connection, HttpStream *prober)
{
    Entry &entry = m_entries[key];
    if (entry.prober != prober)
        return;
    disconnect(prober, nullptr, this, nullptr);
    entry.prober = nullptr;
    entry.connection = connection;
    connect(connection, &H2Connection::retired, this, [this, key, connection] {
        auto it = m_entries.find(key);
        if (it != m_entries.end() && it->connection == connection)
            it->connection = nullptr;
    });
    release(&entry, connection, false);
}

void H2Pool::probeEndedWithHttp1(const QByteArray &key, HttpStream *prober)
{
    Entry &entry = m_entries[key];
    if (entry.prober != prober)
        return;
    disconnect(prober, nullptr, this, nullptr);
    entry.prober = nullptr;
    release(&entry, nullptr, true);
}

void H2Pool::probeAbandoned(const QByteArray &key, QObject *prober)
{
    auto it = m_entries.find(key);
    // From destroyed() the QPointer is already null.
    if (it == m_entries.end() || (it->prober && it->prober != prober))
        return;
    disconnect(prober, nullptr, this, nullptr);
    it->prober = nullptr;
    release(&*it, nullptr, false);
}

void H2Pool::release(Entry *entry, H2Connection *connection, bool http1)
{
    const QList<QPointer<HttpStream>> waiters = std::exchange(entry->waiters, {});
    for (const QPointer<HttpStream> &waiter : waiters) {
        if (waiter)
            waiter->resumeAfterProbe(connection, http1);
    }
}

int H2Pool::connectionCount() const
{
    int count = 0;
    for (const Entry &entry : m_entries)
        count += entry.connection ? 1 : 0;
    return count;
}

} // namespace Sse
