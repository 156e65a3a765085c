#include "session/alertcenter.h"

#include "models/connectionmanager.h"
#include "session/notifier.h"

#include <QDateTime>

AlertCenter::AlertCenter(ConnectionManager *connections, QObject *parent)
    : QObject(parent)
    , m_connections(connections)
{
    connect(connections, &ConnectionManager::eventsReceived, this, &AlertCenter::onEvents);
    connect(connections, &ConnectionManager::stateChanged, this, &AlertCenter::onState);
    connect(connections, &ConnectionManager::connectionRemoved, this,
            [this](quint16 id) { m_watches.remove(id); });
    m_stallTimer.setInterval(1000);
    connect(&m_stallTimer, &QTimer::timeout, this, &AlertCenter::checkStalls);
    m_stallTimer.start();
}

void AlertCenter::setRules(quint16 id, const QList<AlertRule> &rules)
{
    Watch &watch = m_watches[id];
    watch.rules.clear();
    for (const AlertRule &rule : rules) {
        RuleState state;
        state.rule = rule;
        if (rule.kind == AlertRule::Kind::Match)
            state.filter = Sse::FilterExpression::parse(rule.expression);
        watch.rules.append(state);
    }
    if (const ConnectionEntry *entry = m_connections->entry(id))
        watch.idGaps = entry->healthMonitor.idGaps();
    if (rules.isEmpty())
        m_watches.remove(id);
    emit rulesChanged(id);
}

QList<AlertRule> AlertCenter::rules(quint16 id) const
{
    QList<AlertRule> rules;
    for (const RuleState &state : m_watches.value(id).rules)
        rules.append(state.rule);
    return rules;
}

void AlertCenter::onEvents(quint16 id, const Sse::EventBatch &events)
{
    const auto it = m_watches.find(id);
    const ConnectionEntry *entry = m_connections->entry(id);
    if (it == m_watches.end() || !entry)
        return;
    const QByteArray name = entry->name.toUtf8();
    const qint64 firstSequence = m_logEnd ? m_logEnd() - events.size() : -1;
    for (RuleState &state : it->rules) {
        if (state.rule.kind == AlertRule::Kind::Match) {
            for (qsizetype i = 0; i < events.size(); ++i) {
                const Sse::EventView event = events.at(i);
                if (!state.filter.matches(
                        {event.type, event.lastEventId, event.data, name, event.receivedMs, 0})) {
                    continue;
                }
                raise(id, state,
                      tr("event of type \"%1\": %2")
                          .arg(QString::fromUtf8(event.type),
                               QString::fromUtf8(
                                   event.data.first(qMin<qsizetype>(200, event.data.size())))),
                      event.lastEventId, event.receivedMs,
                      firstSequence >= 0 ? firstSequence + i : -1);
            }
        } else if (state.rule.kind == AlertRule::Kind::Stall) {
            state.active = false; // data again: the next silence is a new one
        }
    }
    // The manager counted the batch (and its id gaps) before it emitted it.
    const qint64 gaps = entry->healthMonitor.idGaps();
    if (gaps > it->idGaps) {
        const QPair<qint64, qint64> gap = entry->healthMonitor.lastGap();
        for (RuleState &state : it->rules) {
            if (state.rule.kind == AlertRule::Kind::IdGap) {
                raise(id, state,
                      tr("id %1 followed id %2 (%3 missing)")
                          .arg(gap.second)
                          .arg(gap.first)
                          .arg(gap.second - gap.first - 1),
                      QByteArray::number(gap.second), events.at(events.size() - 1).receivedMs,
                      firstSequence >= 0 ? firstSequence + events.size() - 1 : -1);
            }
        }
    }
    it->idGaps = gaps;
}

void AlertCenter::onState(quint16 id, Sse::Client::State state)
{
    const auto it = m_watches.find(id);
    const ConnectionEntry *entry = m_connections->entry(id);
    if (it == m_watches.end() || !entry)
        return;
    const qint64 now = m_connections->healthNow();
    for (RuleState &rule : it->rules) {
        if (rule.rule.kind == AlertRule::Kind::Failed && state == Sse::Client::State::Failed) {
            raise(id, rule,
                  entry->lastChange.reason.isEmpty() ? entry->lastError : entry->lastChange.reason);
        } else if (rule.rule.kind == AlertRule::Kind::Reconnects
                   && state == Sse::Client::State::Reconnecting) {
            // Bounded: only the count + 1 newest times within the interval matter.
            rule.reconnects.push_back(now);
            while (!rule.reconnects.empty()
                   && (now - rule.reconnects.front() >= rule.rule.seconds * 1000
                       || qsizetype(rule.reconnects.size()) > rule.rule.count + 1)) {
                rule.reconnects.pop_front();
            }
            if (qsizetype(rule.reconnects.size()) > rule.rule.count) {
                raise(id, rule,
                      tr("%1 reconnects within %2 s; last: %3")
                          .arg(rule.reconnects.size())
                          .arg(rule.rule.seconds)
                          .arg(entry->lastChange.reason));
            }
        }
    }
}

void AlertCenter::checkStalls()
{
    const qint64 now = m_connections->healthNow();
    for (auto it = m_watches.begin(); it != m_watches.end(); ++it) {
        const ConnectionEntry *entry = m_connections->entry(it.key());
        if (!entry || entry->state != Sse::Client::State::Open)
            continue;
        const Sse::Health health = entry->healthMonitor.health(now);
        for (RuleState &state : it->rules) {
            if (state.rule.kind != AlertRule::Kind::Stall || state.active
                || health.silentForMs < state.rule.seconds * 1000) {
                continue;
            }
            state.active = true;
            const qint64 seconds = health.silentForMs / 1000;
            raise(it.key(), state,
                  health.heartbeats ? tr("heartbeats only for %1 s").arg(seconds)
                                    : tr("no data for %1 s").arg(seconds),
                  entry->lastEventId, entry->lastEventMs);
        }
    }
}

void AlertCenter::raise(quint16 id, RuleState &state, const QString &detail, QByteArrayView eventId,
                        qint64 eventTimeMs, qint64 eventSequence)
{
    const ConnectionEntry *entry = m_connections->entry(id);
    if (!entry)
        return;
    const qint64 now = m_connections->healthNow();
    const qint64 limitMs = state.rule.rateLimitSeconds * 1000;
    if (state.lastRaisedMs >= 0 && now - state.lastRaisedMs < limitMs) {
        ++m_suppressed;
        return;
    }
    state.lastRaisedMs = now;
    Alert alert;
    alert.timeMs = QDateTime::currentMSecsSinceEpoch();
    alert.connection = id;
    alert.connectionName = entry->name;
    alert.rule = state.rule.label();
    alert.detail = detail;
    alert.eventId = eventId.toByteArray();
    alert.eventTimeMs = eventTimeMs;
    alert.eventSequence = eventSequence;
    m_model.append(alert);
    if (m_notifier)
        m_notifier->notify(tr("%1: %2").arg(alert.connectionName, alert.rule), alert.detail);
    emit alertRaised(alert);
}
