#include "models/connectionmanager.h"

#include "sselib/profile.h"

#include <QDateTime>
#include <QMetaObject>

#include <algorithm>
#include <vector>

ConnectionManager::ConnectionManager(QObject *parent) : QObject(parent)
{
    m_thread.setObjectName(QStringLiteral("sse-network"));
    m_threadContext = new QObject;
    m_threadContext->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_threadContext, &QObject::deleteLater);
    m_thread.start();

    // Repaint state countdowns and counters at 5 Hz; rates once a second.
    m_rateClock.start();
    m_healthClock = [this] { return m_rateClock.elapsed(); };
    m_refreshTimer.setInterval(200);
    connect(&m_refreshTimer, &QTimer::timeout, this, [this] {
        const qint64 now = m_rateClock.elapsed();
        if (now - m_lastRateTick >= 1000) {
            m_model.updateRates(now - m_lastRateTick);
            m_lastRateTick = now;
        }
        checkHealth();
        m_model.refresh();
        emit countersRefreshed();
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
    // reads instead of queueing batches without limit.
    auto flow = std::make_shared<Sse::FlowControl>(FlowBudgetBytes);
    client->setFlowControl(flow);
    client->setRawCapture(m_rawCapture);
    client->moveToThread(&m_thread);
    m_clients.insert(id, client);

    // Everything the client reports goes, in order, into this connection's inbox on the
    // network thread; the GUI thread drains the inboxes round robin in slices of a few
    // milliseconds (drainInboxes). A flood cannot hold the event loop or starve another
    // connection, and a state change is never applied before the events that preceded it.
    auto inbox = std::make_shared<Inbox>();
    inbox->flow = flow;
    m_inboxes.insert(id, inbox);
    // An item's cost is what it hands the GUI thread, in bytes: an event batch its
    // FlowControl::cost(), anything else a small constant.
    const auto post = [this, inbox](std::function<void()> item, qint64 cost = 64) {
        this->post(*inbox, std::move(item), cost);
    };
    const auto relay = [client](auto signal, auto handler) {
        connect(client, signal, client, handler, Qt::DirectConnection);
    };

    relay(&Sse::Client::eventsReceived, [this, id, flow, post](const Sse::EventBatch &batch) {
        post([this, id, flow, batch] {
            if (ConnectionEntry *entry = m_model.entry(id)) {
                countEvents(entry, batch);
                emit eventsReceived(id, batch);
            }
            // The store has copied the batch; a recorder keeps its own (shared) copy
            // under its own queue limit.
            flow->release(Sse::FlowControl::cost(batch));
        }, Sse::FlowControl::cost(batch));
    });
    relay(&Sse::Client::throttleChanged, [this, id, post](bool throttled) {
        post([this, id, throttled] { applyThrottle(id, throttled); });
    });
    relay(&Sse::Client::eventsDropped, [this, id, post](qint64 total) {
        post([this, id, total] {
            if (ConnectionEntry *entry = m_model.entry(id)) {
                entry->dropped = total;
                m_model.touch(id);
            }
        });
    });
    relay(&Sse::Client::redirected,
          [this, id, post](int status, const QUrl &target, const QList<QByteArray> &dropped) {
              post([this, id, status, target, dropped] {
                  logRedirect(id, status, target, dropped);
              });
          });
    relay(&Sse::Client::rawBytesReceived, [this, id, post](const QByteArray &bytes) {
        post([this, id, bytes] { emit rawBytesReceived(id, bytes); }, bytes.size());
    });
    relay(&Sse::Client::bytesReceived, [this, id, post](qint64 count) {
        post([this, id, count] {
            if (ConnectionEntry *entry = m_model.entry(id)) {
                entry->bytes += count;
                entry->lastByteMs = QDateTime::currentMSecsSinceEpoch();
                entry->healthMonitor.addBytes(healthNow());
                m_model.touch(id);
            }
        });
    });
    relay(&Sse::Client::errorOccurred, [this, id, post](const QString &message, bool) {
        post([this, id, message] {
            if (ConnectionEntry *entry = m_model.entry(id))
                entry->lastError = message;
        });
    });
    relay(&Sse::Client::failed, [this, id, post](const Sse::FailureInfo &failure) {
        post([this, id, failure] {
            if (ConnectionEntry *entry = m_model.entry(id))
                entry->failure = failure;
        });
    });
    relay(&Sse::Client::bodyEnded, [this, id, post] {
        post([this, id] {
            if (ConnectionEntry *entry = m_model.entry(id))
                entry->bodyEnded = true;
        });
    });
    relay(&Sse::Client::reconnectionTimeChanged, [this, id, post](int ms) {
        post([this, id, ms] {
            if (ConnectionEntry *entry = m_model.entry(id)) {
                entry->reconnectionTimeMs = ms;
                m_model.touch(id);
            }
        });
    });
    relay(&Sse::Client::responseStarted,
          [this, id, post](int status, const QList<QPair<QByteArray, QByteArray>> &headers) {
              post([this, id, status, headers] {
                  if (ConnectionEntry *entry = m_model.entry(id)) {
                      entry->httpStatus = status;
                      entry->responseHeaders = headers;
                  }
              });
          });
    relay(&Sse::Client::reconnectScheduled,
          [this, id, post](qint64 delayMs, int attempt, const QString &reason) {
              const qint64 now = QDateTime::currentMSecsSinceEpoch();
              post([this, id, now, delayMs, attempt, reason] {
                  applyReconnect(id, now, delayMs, attempt, reason);
              });
          });
    // The details of a state change (the id the request sends, the status, the failure) are
    // read in the client's thread as it changes: the GUI's copies of them could be behind
    // (an `id:` line alone changes the id sent without any event).
    const quint64 serial = ++m_lastClientSerial;
    m_clientSerials.insert(id, serial);
    relay(&Sse::Client::stateChanged, [this, id, serial, client, post](Sse::Client::State state) {
        if (state == Sse::Client::State::Reconnecting)
            return; // reconnectScheduled carries the details
        Sse::StateChange change =
            Sse::stateChange(*client, QDateTime::currentMSecsSinceEpoch(), QString());
        post([this, id, serial, change = std::move(change)] {
            if (m_clientSerials.value(id) == serial)
                applyStateChange(id, change);
        });
    });
}

void ConnectionManager::post(Inbox &inbox, std::function<void()> item, qint64 cost)
{
    {
        std::lock_guard lock(inbox.mutex);
        inbox.items.push_back({std::move(item), cost});
    }
    if (!m_drainScheduled.exchange(true))
        QMetaObject::invokeMethod(this, &ConnectionManager::drainInboxes, Qt::QueuedConnection);
}

void ConnectionManager::applyThrottle(quint16 id, bool throttled)
{
    ConnectionEntry *entry = m_model.entry(id);
    if (!entry || entry->throttled == throttled)
        return;
    entry->throttled = throttled;
    if (!throttled)
        entry->throttleEndedMs = QDateTime::currentMSecsSinceEpoch();
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
}

void ConnectionManager::logRedirect(quint16 id, int status, const QUrl &target,
                                    const QList<QByteArray> &dropped)
{
    ConnectionEntry *entry = m_model.entry(id);
    if (!entry)
        return;
    ConnectionLogEntry log;
    log.state = entry->state;
    log.httpStatus = status;
    log.detail = tr("HTTP %1 redirect to %2").arg(status).arg(Sse::redactedUrl(target));
    if (!dropped.isEmpty()) {
        QStringList names;
        for (const QByteArray &name : dropped)
            names.append(QString::fromUtf8(name));
        log.detail += QLatin1String("; ")
            + tr("not sent to that origin: %1").arg(names.join(QStringLiteral(", ")));
    }
    appendLog(entry, log);
}

void ConnectionManager::applyReconnect(quint16 id, qint64 now, qint64 delayMs, int attempt,
                                       const QString &reason)
{
    ConnectionEntry *entry = m_model.entry(id);
    if (!entry)
        return;
    entry->attempt = attempt;
    entry->nextAttemptAtMs = now + delayMs;
    entry->lastChange = Sse::reconnectChange(now, delayMs, attempt, reason);
    entry->state = Sse::Client::State::Reconnecting;
    ++entry->reconnects;
    entry->resumed = true;
    entry->healthMonitor.setState(Sse::Client::State::Reconnecting, healthNow());
    entry->healthMonitor.addReconnect(healthNow());
    ConnectionLogEntry log;
    log.timeMs = now;
    log.state = Sse::Client::State::Reconnecting;
    log.detail = reason;
    log.retryMs = delayMs;
    log.attempt = attempt;
    appendLog(entry, log);
    m_model.touch(id);
    emit stateChanged(id, Sse::Client::State::Reconnecting);
    checkHealth(id);
}

std::shared_ptr<Sse::FlowControl> ConnectionManager::flowControl(quint16 id) const
{
    const std::shared_ptr<Inbox> inbox = m_inboxes.value(id);
    return inbox ? inbox->flow : nullptr;
}

void ConnectionManager::drainInboxes()
{
    m_drainScheduled.store(false);
    QElapsedTimer clock;
    clock.start();
    // Deficit round robin over the inboxes, by bytes: each round gives every inbox with
    // items DrainQuantumBytes more to spend, and it applies items from its front while
    // their cost fits. A flood's batch of thousands of events and a quiet stream's single
    // event are not worth the same turn: the quiet stream applies everything it has each
    // round, whatever the flood's batches cost the thread. Items may add or remove
    // connections (a handler of eventsReceived may), so the ids are taken per round and
    // each inbox looked up again. A slice that ends mid-round resumes after the last id
    // served, so no connection is always first.
    bool more = true;
    bool expired = false;
    while (more && !expired) {
        more = false;
        QList<quint16> ids = m_inboxes.keys();
        std::sort(ids.begin(), ids.end());
        const auto resume = std::upper_bound(ids.begin(), ids.end(), m_drainResumeAfter);
        std::rotate(ids.begin(), resume, ids.end());
        for (quint16 id : std::as_const(ids)) {
            const std::shared_ptr<Inbox> inbox = m_inboxes.value(id);
            if (!inbox)
                continue;
            bool first = true;
            for (;;) {
                Item item;
                {
                    std::lock_guard lock(inbox->mutex);
                    if (inbox->items.empty()) {
                        inbox->deficit = 0; // an idle inbox saves nothing up
                        break;
                    }
                    if (first) {
                        inbox->deficit += DrainQuantumBytes;
                        first = false;
                    }
                    if (inbox->items.front().cost > inbox->deficit) {
                        more = true; // its turn comes again next round
                        break;
                    }
                    item = std::move(inbox->items.front());
                    inbox->items.pop_front();
                    inbox->deficit -= item.cost;
                }
                item.apply();
                if (clock.hasExpired(DrainSliceMs)) {
                    expired = true;
                    break;
                }
            }
            m_drainResumeAfter = id;
            if (expired)
                break;
        }
    }
    // A slice that ran out may have left items anywhere; a turn that finds none is cheap.
    more = more || expired;
    if (more && !m_drainScheduled.exchange(true)) {
        // A zero timer, not a posted event: timers, input and painting go first. (Resting
        // between slices on a busy machine, for the time the slice was kept off the CPU,
        // was tried: fewer events reached the window and the loop's lateness was worse.)
        QTimer::singleShot(0, this, &ConnectionManager::drainInboxes);
    }
}

void ConnectionManager::applyStateChange(quint16 id, Sse::StateChange change)
{
    ConnectionEntry *entry = m_model.entry(id);
    if (!entry)
        return;
    const Sse::Client::State state = change.state;
    entry->state = state;
    if (state == Sse::Client::State::Closed)
        change.reason = entry->lastError;
    ConnectionLogEntry log;
    log.timeMs = change.timeMs;
    log.state = state;
    switch (state) {
    case Sse::Client::State::Connecting:
        entry->bodyEnded = false;
        log.lastEventId = change.lastEventId;
        log.attempt = change.attempt;
        log.detail = Sse::redactedUrl(entry->options.url);
        entry->proxy = change.proxy;
        if (!change.proxy.isEmpty())
            log.detail = tr("%1 through the proxy %2").arg(log.detail, change.proxy);
        break;
    case Sse::Client::State::Open:
        log.httpStatus = change.httpStatus;
        log.detail = QStringLiteral("HTTP %1").arg(change.httpStatus);
        entry->http2 = change.http2;
        entry->lastError.clear();
        entry->failure = Sse::FailureInfo();
        break;
    case Sse::Client::State::Failed:
        log.httpStatus = change.httpStatus;
        log.detail = change.reason;
        break;
    case Sse::Client::State::Closed:
        log.detail = change.reason;
        break;
    default:
        break;
    }
    entry->healthMonitor.setState(state, healthNow(), log.detail);
    entry->lastChange = std::move(change);
    appendLog(entry, log);
    m_model.touch(id);
    emit stateChanged(id, state);
    checkHealth(id); // a verdict that follows the state goes into the log right after it
}

void ConnectionManager::checkHealth()
{
    // Ids first: a slot of healthChanged may add or remove connections.
    QList<QPair<quint16, Sse::Health>> changed;
    const qint64 now = healthNow();
    for (const quint16 id : m_model.ids()) {
        if (ConnectionEntry *entry = m_model.entry(id);
            entry && !entry->offline && !entry->proxyListener) {
            if (const std::optional<Sse::Health> health = updateHealth(entry, now))
                changed.append({id, *health});
        }
    }
    for (const auto &[id, health] : std::as_const(changed))
        emit healthChanged(id, health);
}

void ConnectionManager::checkHealth(quint16 id)
{
    ConnectionEntry *entry = m_model.entry(id);
    if (!entry || entry->offline || entry->proxyListener)
        return;
    if (const std::optional<Sse::Health> health = updateHealth(entry, healthNow()))
        emit healthChanged(id, *health);
}

std::optional<Sse::Health> ConnectionManager::updateHealth(ConnectionEntry *entry, qint64 now)
{
    using Verdict = Sse::HealthVerdict;
    const Sse::Health health = entry->healthMonitor.health(now);
    const Sse::Health &shown = entry->health;
    // What the row shows; silence and event counts move all the time and show nowhere.
    const bool same = health.verdict == shown.verdict && health.detail == shown.detail
        && health.stallAfterMs == shown.stallAfterMs
        && health.recentReconnects == shown.recentReconnects && health.idGaps == shown.idGaps;
    if (same)
        return std::nullopt;
    const Verdict before = entry->health.verdict;
    entry->health = health;
    m_model.touch(entry->id);
    if (health.verdict == before)
        return std::nullopt;
    // Healthy <-> unknown is every connect and close: the log keeps the problems.
    const auto fine = [](Verdict verdict) {
        return verdict == Verdict::Healthy || verdict == Verdict::Unknown;
    };
    if (!fine(before) || !fine(health.verdict)) {
        ConnectionLogEntry log;
        log.state = entry->state;
        log.healthChange = true;
        log.verdict = health.verdict;
        log.detail = health.verdict == Verdict::Healthy && health.detail.isEmpty()
            ? tr("recovered from: %1").arg(Sse::healthVerdictLabel(before))
            : health.detail;
        log.lastEventId = entry->lastEventId;
        appendLog(entry, log);
    }
    return health;
}

void ConnectionManager::countEvents(ConnectionEntry *entry, const Sse::EventBatch &events)
{
    entry->healthMonitor.addEvents(events, healthNow());
    // Runs on the GUI thread for every batch: keep it to a few operations per event. The
    // batch interns its types, so the per-type table is looked up once per type and batch.
    // Rows are added first: an insertion may move the rows, so pointers are taken after.
    for (const QByteArray &type : events.types())
        typeStatistics(entry, type);
    std::vector<TypeStatistics *> typeStats;
    typeStats.reserve(size_t(events.types().size()));
    for (const QByteArray &type : events.types())
        typeStats.push_back(typeStatistics(entry, type));
    const char *previousId = nullptr;
    qsizetype previousIdSize = -1;
    for (qsizetype i = 0; i < events.size(); ++i) {
        const Sse::EventView event = events.at(i);
        TypeStatistics *stats = typeStats[size_t(events.typeIndex(i))];
        ++stats->count;
        stats->bytes += event.data.size();
        if (stats->lastMs > 0) {
            const qint64 interval = event.receivedMs - stats->lastMs;
            stats->intervalSumMs += interval;
            ++stats->intervals;
            stats->maxIntervalMs = qMax(stats->maxIntervalMs, interval);
        }
        stats->lastMs = event.receivedMs;
        if (entry->lastEventMs > 0) {
            const qint64 interval = event.receivedMs - entry->lastEventMs;
            entry->intervalSumMs += interval;
            ++entry->intervals;
            entry->maxIntervalMs = qMax(entry->maxIntervalMs, interval);
        }
        entry->lastEventMs = event.receivedMs;

        // A batch keeps one copy of an id per run: a new run is a new view.
        const bool newId = event.lastEventId.data() != previousId
            || event.lastEventId.size() != previousIdSize;
        previousId = event.lastEventId.data();
        previousIdSize = event.lastEventId.size();
        if (newId && entry->numericIds && !event.lastEventId.isEmpty()
            && (i > 0 || event.lastEventId != QByteArrayView(entry->lastEventId))) {
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
    }
    if (!events.isEmpty()) {
        const QByteArrayView last = events.at(events.size() - 1).lastEventId;
        if (last != QByteArrayView(entry->lastEventId))
            entry->lastEventId = last.toByteArray();
    }
    entry->events += events.size();
    m_model.touch(entry->id);
}

TypeStatistics *ConnectionManager::typeStatistics(ConnectionEntry *entry, const QByteArray &type)
{
    auto it = entry->types.find(type);
    if (it != entry->types.end())
        return &it.value();
    // The same bound as the client's own table: a type per event must not grow it.
    const bool fits = entry->types.size() < Sse::ClientStatistics::MaximumTypes
        && type.size() <= Sse::ClientStatistics::MaximumTypeBytes;
    return &entry->types[fits ? type : QByteArray(Sse::ClientStatistics::OtherTypes)];
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
    Sse::EventBatch batch;
    for (const Sse::Event &event : events)
        batch.append(event);
    countEvents(entry, batch);
    emit eventsReceived(id, batch);
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
    if (entry->proxyListener) { // updateProxy() changes its settings
        m_model.touch(id);
        emit connectionRenamed(id, name);
        return;
    }
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
    if (const std::shared_ptr<Inbox> inbox = m_inboxes.take(id)) {
        std::lock_guard lock(inbox->mutex);
        inbox->items.clear(); // the client goes too: nothing to give back
    }
    Sse::Client *client = m_clients.take(id);
    m_clientSerials.remove(id);
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
    if (!m_model.entry(id))
        return; // gone already (an exchange goes with its proxy)
    if (m_proxies.contains(id)) {
        closeProxy(id, QString());
        m_proxies.remove(id);
        QList<quint16> exchanges;
        for (const ConnectionEntry &entry : m_model.entries()) {
            if (entry.parentId == id)
                exchanges.append(entry.id);
        }
        for (const quint16 exchange : std::as_const(exchanges))
            remove(exchange);
    }
    destroyClient(id);
    m_model.remove(id);
    emit connectionRemoved(id);
}

void ConnectionManager::removeAll()
{
    // Last row first: removing a row renumbers the rows after it, so front to back would be
    // quadratic (65,535 connections took minutes to tear down).
    const QList<quint16> ids = m_model.ids();
    for (auto id = ids.crbegin(); id != ids.crend(); ++id)
        remove(*id);
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
    if (m_proxies.contains(id))
        return openProxy(id);
    if (const ConnectionEntry *entry = m_model.entry(id);
        entry && (entry->secretsPending || !entry->missingSecrets.isEmpty())) {
        return;
    }
    if (Sse::Client *client = m_clients.value(id)) {
        if (ConnectionEntry *entry = m_model.entry(id)) {
            entry->attempt = 0;
            entry->lastError.clear();
            entry->resumed = false;
            entry->healthMonitor.reset(); // opened again by the user: a new watch
        }
        QMetaObject::invokeMethod(client, &Sse::Client::open);
    }
}

void ConnectionManager::close(quint16 id)
{
    if (m_proxies.contains(id))
        return closeProxy(id, tr("Stopped listening"));
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
