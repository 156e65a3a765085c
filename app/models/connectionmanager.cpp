#include "models/connectionmanager.h"

#include <QDateTime>
#include <QMetaObject>

ConnectionManager::ConnectionManager(QObject *parent) : QObject(parent)
{
    m_thread.setObjectName(QStringLiteral("sse-network"));
    m_threadContext = new QObject;
    m_threadContext->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_threadContext, &QObject::deleteLater);
    m_thread.start();

    // Repaint state countdowns and counters at 5 Hz; rates once a second.
    m_rateClock.start();
    m_refreshTimer.setInterval(200);
    connect(&m_refreshTimer, &QTimer::timeout, this, [this] {
        const qint64 now = m_rateClock.elapsed();
        if (now - m_lastRateTick >= 1000) {
            m_model.updateRates(now - m_lastRateTick);
            m_lastRateTick = now;
        }
        m_model.refresh();
    });
    m_refreshTimer.start();
}

ConnectionManager::~ConnectionManager()
{
    removeAll();
    // Clients are deleted in their own thread before it stops.
    QMetaObject::invokeMethod(m_threadContext, [] {}, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

quint16 ConnectionManager::add(const QString &name, const Sse::ClientOptions &options,
                               Start start)
{
    ConnectionEntry entry;
    entry.id = allocateId();
    if (entry.id == 0)
        return 0;
    entry.name = name;
    entry.options = options;
    entry.reconnectionTimeMs = options.defaultRetryMs;
    m_model.add(entry);
    createClient(entry.id, options);
    emit connectionAdded(entry.id);
    if (start == Start::Now)
        open(entry.id);
    return entry.id;
}

quint16 ConnectionManager::addOffline(const QString &name, const QUrl &source)
{
    ConnectionEntry entry;
    entry.id = allocateId();
    if (entry.id == 0)
        return 0;
    entry.name = name;
    entry.options.url = source;
    entry.offline = true;
    entry.state = Sse::Client::State::Closed;
    m_model.add(entry);
    emit connectionAdded(entry.id);
    return entry.id;
}

quint16 ConnectionManager::allocateId()
{
    // Ids go round 1..65535 (0 means "none"); a counter that simply wrapped would give a second
    // connection the id of a live one, or of one whose events are still in the log.
    if (m_model.entries().size() >= MaximumConnections)
        return 0;
    for (int tried = 0; tried < MaximumConnections; ++tried) {
        const quint16 id = m_nextId;
        m_nextId = m_nextId == MaximumConnections ? 1 : quint16(m_nextId + 1);
        if (!m_model.entry(id) && !(m_idInUse && m_idInUse(id)))
            return id;
    }
    return 0;
}

void ConnectionManager::createClient(quint16 id, const Sse::ClientOptions &options)
{
    auto *client = new Sse::Client;
    client->setOptions(options);
    // Back-pressure: a batch counts against the budget from the network thread until the
    // GUI thread has stored it. A flood the window cannot keep up with stops the socket
    // reads instead of queueing batches without limit (and other connections keep going).
    auto flow = std::make_shared<Sse::FlowControl>(FlowBudgetBytes);
    client->setFlowControl(flow);
    client->moveToThread(&m_thread);
    m_clients.insert(id, client);

    connect(client, &Sse::Client::eventsReceived, this,
            [this, id, flow](const Sse::EventBatch &batch) {
                const qint64 cost = Sse::FlowControl::cost(batch);
                ConnectionEntry *entry = m_model.entry(id);
                if (entry) {
                    const Sse::EventList events = batch.toList();
                    countEvents(entry, events);
                    emit eventsReceived(id, events);
                }
                flow->release(cost);
            });
    connect(client, &Sse::Client::throttleChanged, this, [this, id](bool throttled) {
        ConnectionEntry *entry = m_model.entry(id);
        if (!entry || entry->throttled == throttled)
            return;
        entry->throttled = throttled;
        if (throttled) {
            ++entry->throttleEpisodes;
            // One log line per episode start at most every 10 s: a flood toggles often.
            const qint64 now = QDateTime::currentMSecsSinceEpoch();
            if (now - entry->lastThrottleLogMs >= 10000) {
                entry->lastThrottleLogMs = now;
                ConnectionLogEntry log;
                log.state = entry->state;
                log.detail = tr("Throttled: the server sends faster than the window reads; "
                                "reading paused until it catches up (nothing is dropped)");
                appendLog(entry, log);
            }
        }
        m_model.touch(id);
    });
    connect(client, &Sse::Client::redirected, this,
            [this, id](int status, const QUrl &target, const QList<QByteArray> &dropped) {
                ConnectionEntry *entry = m_model.entry(id);
                if (!entry)
                    return;
                ConnectionLogEntry log;
                log.state = entry->state;
                log.httpStatus = status;
                log.detail = tr("HTTP %1 redirect to %2").arg(status).arg(
                    target.toDisplayString(QUrl::RemoveUserInfo));
                if (!dropped.isEmpty()) {
                    QStringList names;
                    for (const QByteArray &name : dropped)
                        names.append(QString::fromUtf8(name));
                    log.detail += QLatin1String("; ")
                        + tr("not sent to that origin: %1").arg(names.join(QStringLiteral(", ")));
                }
                appendLog(entry, log);
            });
    client->setRawCapture(m_rawCapture);
    connect(client, &Sse::Client::rawBytesReceived, this, [this, id](const QByteArray &bytes) {
        emit rawBytesReceived(id, bytes);
    });
    connect(client, &Sse::Client::bytesReceived, this, [this, id](qint64 count) {
        if (ConnectionEntry *entry = m_model.entry(id)) {
            entry->bytes += count;
            entry->lastByteMs = QDateTime::currentMSecsSinceEpoch();
            m_model.touch(id);
        }
    });
    connect(client, &Sse::Client::errorOccurred, this, [this, id](const QString &message, bool) {
        if (ConnectionEntry *entry = m_model.entry(id))
            entry->lastError = message;
    });
    connect(client, &Sse::Client::failed, this, [this, id](const Sse::FailureInfo &failure) {
        if (ConnectionEntry *entry = m_model.entry(id))
            entry->failure = failure;
    });
    connect(client, &Sse::Client::bodyEnded, this, [this, id] {
        if (ConnectionEntry *entry = m_model.entry(id))
            entry->bodyEnded = true;
    });
    connect(client, &Sse::Client::reconnectionTimeChanged, this, [this, id](int ms) {
        if (ConnectionEntry *entry = m_model.entry(id)) {
            entry->reconnectionTimeMs = ms;
            m_model.touch(id);
        }
    });
    connect(client, &Sse::Client::responseStarted, this,
            [this, id](int status, const QList<QPair<QByteArray, QByteArray>> &headers) {
                if (ConnectionEntry *entry = m_model.entry(id)) {
                    entry->httpStatus = status;
                    entry->responseHeaders = headers;
                }
            });
    connect(client, &Sse::Client::reconnectScheduled, this,
            [this, id](qint64 delayMs, int attempt, const QString &reason) {
                ConnectionEntry *entry = m_model.entry(id);
                if (!entry)
                    return;
                entry->attempt = attempt;
                entry->nextAttemptAtMs = QDateTime::currentMSecsSinceEpoch() + delayMs;
                entry->state = Sse::Client::State::Reconnecting;
                ++entry->reconnects;
                entry->resumed = true;
                ConnectionLogEntry log;
                log.state = Sse::Client::State::Reconnecting;
                log.detail = reason;
                log.retryMs = delayMs;
                log.attempt = attempt;
                appendLog(entry, log);
                m_model.touch(id);
                emit stateChanged(id, Sse::Client::State::Reconnecting);
            });
    connect(client, &Sse::Client::stateChanged, this, [this, id](Sse::Client::State state) {
        ConnectionEntry *entry = m_model.entry(id);
        if (!entry)
            return;
        if (state == Sse::Client::State::Reconnecting)
            return; // logged by reconnectScheduled, which carries the details
        entry->state = state;
        ConnectionLogEntry log;
        log.state = state;
        switch (state) {
        case Sse::Client::State::Connecting:
            entry->bodyEnded = false;
            log.lastEventId = entry->lastEventId.isEmpty() ? entry->options.initialLastEventId
                                                           : entry->lastEventId;
            log.attempt = entry->attempt;
            log.detail = entry->options.url.toString();
            break;
        case Sse::Client::State::Open:
            log.httpStatus = entry->httpStatus;
            log.detail = QStringLiteral("HTTP %1").arg(entry->httpStatus);
            entry->lastError.clear();
            entry->failure = Sse::FailureInfo();
            break;
        case Sse::Client::State::Failed:
            log.httpStatus = entry->failure.httpStatus;
            log.detail = entry->failure.message;
            break;
        case Sse::Client::State::Closed:
            log.detail = entry->lastError;
            break;
        default:
            break;
        }
        appendLog(entry, log);
        m_model.touch(id);
        emit stateChanged(id, state);
    });
}

void ConnectionManager::countEvents(ConnectionEntry *entry, const Sse::EventList &events)
{
    // Runs on the GUI thread for every batch: keep it to a few operations per event.
    const QByteArray *cachedType = nullptr;
    TypeStatistics *typeStats = nullptr;
    for (const Sse::Event &event : events) {
        if (!cachedType || cachedType->constData() != event.type.constData()) {
            typeStats = &entry->types[event.type];
            cachedType = &event.type;
        }
        ++typeStats->count;
        typeStats->bytes += event.data.size();
        if (typeStats->lastMs > 0) {
            const qint64 interval = event.receivedMs - typeStats->lastMs;
            typeStats->intervalSumMs += interval;
            ++typeStats->intervals;
            typeStats->maxIntervalMs = qMax(typeStats->maxIntervalMs, interval);
        }
        typeStats->lastMs = event.receivedMs;
        if (entry->lastEventMs > 0) {
            const qint64 interval = event.receivedMs - entry->lastEventMs;
            entry->intervalSumMs += interval;
            ++entry->intervals;
            entry->maxIntervalMs = qMax(entry->maxIntervalMs, interval);
        }
        entry->lastEventMs = event.receivedMs;

        if (entry->numericIds && !event.lastEventId.isEmpty()
            && event.lastEventId.constData() != entry->lastEventId.constData()) {
            bool ok = false;
            const qint64 numeric = event.lastEventId.toLongLong(&ok);
            if (!ok) {
                entry->numericIds = false;
            } else {
                if (entry->resumed && entry->lastNumericId >= 0
                    && numeric != entry->lastNumericId + 1) {
                    ++entry->idGaps;
                    ConnectionLogEntry log;
                    log.state = entry->state;
                    log.gap = true;
                    log.detail = tr("Gap after resume: id %1 followed %2 (%3 missing)")
                                     .arg(numeric)
                                     .arg(entry->lastNumericId)
                                     .arg(numeric - entry->lastNumericId - 1);
                    appendLog(entry, log);
                }
                entry->resumed = false;
                entry->lastNumericId = numeric;
            }
        }
        entry->lastEventId = event.lastEventId;
    }
    entry->events += events.size();
    m_model.touch(entry->id);
}

void ConnectionManager::setRawCapture(bool enabled)
{
    m_rawCapture = enabled;
    for (Sse::Client *client : std::as_const(m_clients))
        QMetaObject::invokeMethod(client, [client, enabled] { client->setRawCapture(enabled); });
}

void ConnectionManager::ingestOffline(quint16 id, const Sse::EventList &events)
{
    ConnectionEntry *entry = m_model.entry(id);
    if (!entry)
        return;
    countEvents(entry, events);
    emit eventsReceived(id, events);
}

void ConnectionManager::appendLog(ConnectionEntry *entry, ConnectionLogEntry log)
{
    if (log.timeMs == 0)
        log.timeMs = QDateTime::currentMSecsSinceEpoch();
    entry->log.append(std::move(log));
    ++entry->logAppended;
    if (entry->log.size() > ConnectionListModel::MaximumLogEntries)
        entry->log.remove(0, entry->log.size() - ConnectionListModel::MaximumLogEntries);
    emit logAppended(entry->id);
}

void ConnectionManager::update(quint16 id, const QString &name, const Sse::ClientOptions &options)
{
    ConnectionEntry *entry = m_model.entry(id);
    if (!entry)
        return;
    const bool wasActive = entry->state == Sse::Client::State::Open
        || entry->state == Sse::Client::State::Connecting
        || entry->state == Sse::Client::State::Reconnecting;
    entry->name = name;
    const bool optionsChanged = !(entry->options == options);
    entry->options = options;
    m_model.touch(id);
    emit connectionRenamed(id, name);
    if (!optionsChanged || entry->offline)
        return;
    destroyClient(id);
    entry->state = Sse::Client::State::Idle;
    createClient(id, options);
    if (wasActive)
        open(id);
}

void ConnectionManager::destroyClient(quint16 id)
{
    Sse::Client *client = m_clients.take(id);
    if (!client)
        return;
    client->disconnect(this);
    QMetaObject::invokeMethod(client, [client] {
        client->close();
        delete client;
    });
}

void ConnectionManager::remove(quint16 id)
{
    destroyClient(id);
    m_model.remove(id);
    emit connectionRemoved(id);
}

void ConnectionManager::removeAll()
{
    const QList<quint16> ids = m_model.ids();
    for (quint16 id : ids)
        remove(id);
}

void ConnectionManager::setSecretsPending(quint16 id)
{
    if (ConnectionEntry *entry = m_model.entry(id)) {
        entry->secretsPending = true;
        entry->missingSecrets.clear();
        m_model.touch(id); // no stateChanged: the client's state is unchanged
    }
}

void ConnectionManager::setMissingSecrets(quint16 id, const QList<QByteArray> &missing)
{
    if (ConnectionEntry *entry = m_model.entry(id)) {
        entry->secretsPending = false;
        entry->missingSecrets = missing;
        m_model.touch(id);
    }
}

void ConnectionManager::open(quint16 id)
{
    if (const ConnectionEntry *entry = m_model.entry(id);
        entry && (entry->secretsPending || !entry->missingSecrets.isEmpty())) {
        return;
    }
    if (Sse::Client *client = m_clients.value(id)) {
        if (ConnectionEntry *entry = m_model.entry(id)) {
            entry->attempt = 0;
            entry->lastError.clear();
            entry->resumed = false;
        }
        QMetaObject::invokeMethod(client, &Sse::Client::open);
    }
}

void ConnectionManager::close(quint16 id)
{
    if (Sse::Client *client = m_clients.value(id)) {
        if (ConnectionEntry *entry = m_model.entry(id))
            entry->lastError.clear();
        QMetaObject::invokeMethod(client, &Sse::Client::close);
    }
}

void ConnectionManager::reconnectNow(quint16 id)
{
    if (Sse::Client *client = m_clients.value(id))
        QMetaObject::invokeMethod(client, &Sse::Client::reconnectNow);
}
