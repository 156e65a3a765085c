// ConnectionManager's proxy connections: a Sse::ReverseProxy per proxy row, living in the
// network thread, whose exchanges reach the GUI thread through the proxy's inbox like a
// client's reports do (connectionmanager.cpp).

#include "models/connectionmanager.h"

#include "sselib/profile.h"
#include "sselib/reverseproxy.h"

#include <QDateTime>
#include <QLocale>
#include <QMetaObject>

#include <mutex>

// The listener of one proxy connection. `proxy` is created, used and deleted in the network
// thread only (its server is not a child object, so it cannot move threads); the GUI thread
// only holds the handle.
struct ConnectionManager::ProxyHandle
{
    ProxySettings settings;
    Sse::ReverseProxy *proxy = nullptr; ///< network thread only
    quint64 serial = 0; ///< which listener: reports of a stopped one are dropped
    /// Bytes of event batches on their way to the GUI thread. The application's stream is
    /// never slowed for the window: past the budget the window skips batches (counted as
    /// dropped on the exchange's row) instead of queueing them without bound.
    Sse::FlowControl flow{ConnectionManager::FlowBudgetBytes};
    std::mutex dropMutex;
    QHash<quint64, qint64> drops; ///< exchange number -> events skipped, not yet applied
    bool dropNoticePosted = false; ///< under dropMutex
};

namespace {

QString endText(const Sse::ProxyExchange &exchange)
{
    switch (exchange.end) {
    case Sse::ProxyExchange::End::Complete:
        return QString();
    case Sse::ProxyExchange::End::ClientGone:
        return ConnectionManager::tr("the application closed the connection");
    case Sse::ProxyExchange::End::UpstreamFailed:
    case Sse::ProxyExchange::End::Rejected:
        return exchange.error;
    }
    return QString();
}

} // namespace

quint16 ConnectionManager::addProxy(const QString &name, const ProxySettings &settings,
                                    Start start)
{
    ConnectionEntry entry;
    entry.id = allocateId();
    if (entry.id == 0)
        return 0;
    entry.name = name;
    entry.options.url = settings.upstream;
    entry.options.method.clear();
    entry.proxyListener = settings;
    entry.llmAnalysis = settings.llmAnalysis;
    m_model.add(entry);
    auto handle = std::make_shared<ProxyHandle>();
    handle->settings = settings;
    m_proxies.insert(entry.id, handle);
    m_inboxes.insert(entry.id, std::make_shared<Inbox>());
    emit connectionAdded(entry.id);
    if (start == Start::Now)
        openProxy(entry.id);
    return entry.id;
}

void ConnectionManager::updateProxy(quint16 id, const QString &name, const ProxySettings &settings)
{
    ConnectionEntry *entry = m_model.entry(id);
    const std::shared_ptr<ProxyHandle> handle = m_proxies.value(id);
    if (!entry || !handle)
        return;
    entry->name = name;
    emit connectionRenamed(id, name);
    m_model.touch(id);
    if (handle->settings == settings)
        return;
    const bool listening = handle->serial != 0;
    if (listening)
        closeProxy(id, tr("Stopped listening: the settings changed"));
    if ((entry = m_model.entry(id))) {
        handle->settings = settings;
        entry->proxyListener = settings;
        entry->options.url = settings.upstream;
        entry->llmAnalysis = settings.llmAnalysis;
    }
    if (listening)
        openProxy(id);
}

void ConnectionManager::openProxy(quint16 id)
{
    const std::shared_ptr<ProxyHandle> handle = m_proxies.value(id);
    const std::shared_ptr<Inbox> inbox = m_inboxes.value(id);
    ConnectionEntry *entry = m_model.entry(id);
    if (!handle || !inbox || !entry || handle->serial != 0)
        return; // listening already
    const quint64 serial = ++m_lastClientSerial;
    handle->serial = serial;
    m_clientSerials.insert(id, serial);
    entry->lastError.clear();
    entry->failure = Sse::FailureInfo();
    setProxyState(entry, Sse::Client::State::Connecting,
                  tr("Listening on %1, forwarding to %2")
                      .arg(handle->settings.listenUrl().toString(),
                           Sse::redactedUrl(handle->settings.upstream)));

    const ProxySettings settings = handle->settings;
    QMetaObject::invokeMethod(m_threadContext, [this, id, serial, handle, inbox, settings] {
        auto *proxy = new Sse::ReverseProxy;
        proxy->setOptions(settings.reverseProxyOptions());
        handle->proxy = proxy;
        // Everything goes through the inbox, in order, as the proxy reports it.
        const auto stage = [this, id, serial, inbox](ExchangeStage which) {
            return [this, id, serial, inbox, which](const Sse::ProxyExchange &exchange) {
                post(*inbox, [this, id, serial, which, exchange] {
                    applyExchange(id, serial, which, exchange);
                }, 256);
            };
        };
        connect(proxy, &Sse::ReverseProxy::exchangeStarted, proxy, stage(ExchangeStage::Started),
                Qt::DirectConnection);
        connect(proxy, &Sse::ReverseProxy::responseStarted, proxy,
                stage(ExchangeStage::Responded), Qt::DirectConnection);
        connect(proxy, &Sse::ReverseProxy::exchangeFinished, proxy,
                stage(ExchangeStage::Finished), Qt::DirectConnection);
        connect(proxy, &Sse::ReverseProxy::eventsReceived, proxy,
                [this, id, serial, inbox, handle](const Sse::ProxyExchange &exchange,
                                                  const Sse::EventBatch &events) {
                    const qint64 cost = Sse::FlowControl::cost(events);
                    if (handle->flow.overLimit()) {
                        skipEvents(id, serial, handle, *inbox, exchange.number, events.size());
                        return;
                    }
                    handle->flow.acquire(cost);
                    post(*inbox, [this, id, serial, exchange, events, handle, cost] {
                        applyExchangeEvents(id, serial, exchange, events);
                        handle->flow.release(cost);
                    }, cost);
                },
                Qt::DirectConnection);
        const bool listening = proxy->listen(settings.address(), settings.listenPort);
        const QString detail = listening
            ? QStringLiteral("%1:%2").arg(proxy->serverAddress().toString()).arg(proxy->port())
            : proxy->errorString();
        if (!listening) {
            delete proxy;
            handle->proxy = nullptr;
        }
        post(*inbox, [this, id, serial, listening, detail] {
            applyListening(id, serial, listening, detail);
        }, 64);
    });
}

void ConnectionManager::skipEvents(quint16 id, quint64 serial,
                                   const std::shared_ptr<ProxyHandle> &handle, Inbox &inbox,
                                   quint64 exchange, qsizetype count)
{
    // Network thread. One notice at a time is on its way: a flood the window cannot keep up
    // with adds to a counter, not to the queue.
    {
        std::lock_guard lock(handle->dropMutex);
        handle->drops[exchange] += count;
        if (handle->dropNoticePosted)
            return;
        handle->dropNoticePosted = true;
    }
    post(inbox, [this, id, serial, handle] {
        QHash<quint64, qint64> drops;
        {
            std::lock_guard lock(handle->dropMutex);
            drops.swap(handle->drops);
            handle->dropNoticePosted = false;
        }
        if (m_clientSerials.value(id) != serial)
            return;
        const QHash<quint64, quint16> exchanges = m_exchangeConnections.value(id);
        for (auto it = drops.cbegin(); it != drops.cend(); ++it) {
            if (ConnectionEntry *entry = m_model.entry(exchanges.value(it.key()))) {
                entry->dropped += it.value();
                m_model.touch(entry->id);
            }
        }
    }, 64);
}

void ConnectionManager::closeProxy(quint16 id, const QString &reason)
{
    const std::shared_ptr<ProxyHandle> handle = m_proxies.value(id);
    if (!handle || handle->serial == 0)
        return;
    handle->serial = 0;
    m_clientSerials.remove(id);
    // Deleting the proxy closes the listener and every client connection, and aborts the
    // upstream requests; what it reported before is still applied, in order.
    QMetaObject::invokeMethod(m_threadContext, [handle] {
        delete handle->proxy;
        handle->proxy = nullptr;
    });
    // Its exchanges end with it (it reports nothing more); the next listener counts from 1.
    for (const quint16 exchange : m_exchangeConnections.take(id)) {
        ConnectionEntry *entry = m_model.entry(exchange);
        if (!entry || entry->state != Sse::Client::State::Open)
            continue;
        entry->lastError = tr("the proxy stopped");
        Sse::StateChange change;
        change.state = Sse::Client::State::Closed;
        change.timeMs = QDateTime::currentMSecsSinceEpoch();
        applyStateChange(exchange, change);
    }
    if (ConnectionEntry *entry = m_model.entry(id)) {
        entry->activeExchanges = 0;
        entry->listeningOn.clear();
        if (!reason.isEmpty())
            setProxyState(entry, Sse::Client::State::Closed, reason);
    }
}

void ConnectionManager::applyListening(quint16 id, quint64 serial, bool listening,
                                       const QString &detail)
{
    ConnectionEntry *entry = m_model.entry(id);
    const std::shared_ptr<ProxyHandle> handle = m_proxies.value(id);
    if (!entry || !handle || handle->serial != serial)
        return;
    if (listening) {
        entry->listeningOn = detail;
        setProxyState(entry, Sse::Client::State::Open, tr("Listening on %1").arg(detail));
        return;
    }
    handle->serial = 0;
    m_clientSerials.remove(id);
    const QString message = tr("Cannot listen on %1: %2")
                                .arg(handle->settings.listenUrl().authority(), detail);
    entry->lastError = message;
    entry->failure = Sse::FailureInfo();
    entry->failure.message = message;
    setProxyState(entry, Sse::Client::State::Failed, message);
}

void ConnectionManager::applyExchange(quint16 id, quint64 serial, ExchangeStage stage,
                                      const Sse::ProxyExchange &exchange)
{
    ConnectionEntry *proxy = m_model.entry(id);
    if (!proxy || m_clientSerials.value(id) != serial)
        return;
    switch (stage) {
    case ExchangeStage::Started:
        ++proxy->exchanges;
        ++proxy->activeExchanges;
        m_model.touch(id);
        return;
    case ExchangeStage::Responded: {
        if (!exchange.eventStream)
            return; // listed in the proxy's log when it ends
        ConnectionEntry child;
        child.id = allocateId();
        if (child.id == 0)
            return; // no id left: its events are counted on the proxy only
        child.parentId = id;
        child.name = exchange.name();
        child.options.method = exchange.method;
        child.options.url = exchange.upstreamUrl;
        // What the application sent, with the credentials masked: nothing here is saved or
        // sent again, but the detail tabs show it.
        child.options.headers = Sse::redactHeaders(exchange.requestHeaders);
        child.llmAnalysis = proxy->llmAnalysis;
        child.httpStatus = exchange.status;
        child.responseHeaders = exchange.responseHeaders;
        m_model.add(child);
        m_exchangeConnections[id].insert(exchange.number, child.id);
        emit connectionAdded(child.id);
        Sse::StateChange change;
        change.timeMs = exchange.startedMs;
        change.state = Sse::Client::State::Connecting;
        change.attempt = 1;
        applyStateChange(child.id, change);
        change.timeMs = QDateTime::currentMSecsSinceEpoch();
        change.state = Sse::Client::State::Open;
        change.httpStatus = exchange.status;
        applyStateChange(child.id, change);
        return;
    }
    case ExchangeStage::Finished:
        break;
    }
    proxy->activeExchanges = qMax(0, proxy->activeExchanges - 1);
    proxy->bytes += exchange.responseBytes;
    proxy->lastByteMs = QDateTime::currentMSecsSinceEpoch();
    // Every exchange goes into the proxy's log: method, path, status, bytes, time.
    ConnectionLogEntry log;
    log.state = proxy->state;
    log.httpStatus = exchange.status;
    log.detail = tr("%1 · HTTP %2 · %3 · %4 ms")
                     .arg(exchange.name())
                     .arg(exchange.status)
                     .arg(formatBytes(exchange.responseBytes))
                     .arg(QLocale().toString(exchange.elapsedMs, 'f', 0));
    if (exchange.eventStream)
        log.detail += tr(" · %Ln event(s)", nullptr, int(qMin<qint64>(exchange.events, INT_MAX)));
    if (const QString end = endText(exchange); !end.isEmpty())
        log.detail += QStringLiteral(" · ") + end;
    appendLog(proxy, log);
    m_model.touch(id);

    const quint16 childId = m_exchangeConnections[id].take(exchange.number);
    ConnectionEntry *child = m_model.entry(childId);
    if (childId == 0 || !child)
        return;
    child->bytes = exchange.responseBytes;
    child->bodyEnded = exchange.end == Sse::ProxyExchange::End::Complete;
    child->lastError = endText(exchange);
    Sse::StateChange change;
    change.timeMs = QDateTime::currentMSecsSinceEpoch();
    change.state = Sse::Client::State::Closed;
    if (exchange.end == Sse::ProxyExchange::End::UpstreamFailed) {
        change.state = Sse::Client::State::Failed;
        change.reason = exchange.error;
        child->failure.message = exchange.error;
    }
    applyStateChange(childId, change);
}

void ConnectionManager::applyExchangeEvents(quint16 id, quint64 serial,
                                            const Sse::ProxyExchange &exchange,
                                            const Sse::EventBatch &events)
{
    ConnectionEntry *proxy = m_model.entry(id);
    if (!proxy || m_clientSerials.value(id) != serial)
        return;
    proxy->events += events.size();
    m_model.touch(id);
    const quint16 childId = m_exchangeConnections.value(id).value(exchange.number);
    ConnectionEntry *child = m_model.entry(childId);
    if (childId == 0 || !child)
        return; // removed by the user while it ran
    child->bytes = exchange.responseBytes;
    child->lastByteMs = QDateTime::currentMSecsSinceEpoch();
    child->healthMonitor.addBytes(healthNow());
    countEvents(child, events);
    emit eventsReceived(childId, events);
}

void ConnectionManager::setProxyState(ConnectionEntry *entry, Sse::Client::State state,
                                      const QString &detail)
{
    entry->state = state;
    ConnectionLogEntry log;
    log.state = state;
    log.detail = detail;
    entry->lastChange = Sse::StateChange();
    entry->lastChange.state = state;
    entry->lastChange.timeMs = QDateTime::currentMSecsSinceEpoch();
    entry->lastChange.reason = state == Sse::Client::State::Failed ? detail : QString();
    appendLog(entry, log);
    m_model.touch(entry->id);
    emit stateChanged(entry->id, state);
}
