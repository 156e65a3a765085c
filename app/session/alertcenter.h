#pragma once

#include "models/alertlistmodel.h"
#include "session/alertrule.h"

#include "sselib/filterexpression.h"
#include "sselib/sseclient.h"
#include "sselib/sseevent.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QTimer>

#include <deque>
#include <functional>

class ConnectionManager;
class Notifier;

/// Evaluates the alert rules of every connection against what the ConnectionManager reports
/// (events, states, the health engine), and raises alerts: into the alert list, to the
/// notifier and as alertRaised() (the workspace records them). Rate-limited: one rule of one
/// connection raises at most one alert per its AlertRule::rateLimitSeconds; the ones held back
/// are counted.
/// Qt Core only: the window supplies the notifier.
class AlertCenter : public QObject
{
    Q_OBJECT
public:
    explicit AlertCenter(ConnectionManager *connections, QObject *parent = nullptr);

    void setRules(quint16 id, const QList<AlertRule> &rules);
    QList<AlertRule> rules(quint16 id) const;

    /// Not owned; null = no desktop notification (the list and the signal stay).
    void setNotifier(Notifier *notifier) { m_notifier = notifier; }
    Notifier *notifier() const { return m_notifier; }
    /// The event log's end sequence once it has stored a batch (the center is connected
    /// after the log): an alert on event i of a batch of n links to end - n + i.
    void setLogEnd(std::function<qint64()> endSequence) { m_logEnd = std::move(endSequence); }

    AlertListModel *model() { return &m_model; }
    /// Alerts the rate limit held back since the start.
    qint64 suppressed() const { return m_suppressed; }

    /// Looks at the stall rules now (a timer does it every second).
    void checkStalls();

Q_SIGNALS:
    void alertRaised(const Alert &alert);
    void rulesChanged(quint16 id);

private:
    struct RuleState
    {
        AlertRule rule;
        Sse::FilterExpression filter; // Match
        qint64 lastRaisedMs = -1; // monotonic (ConnectionManager::healthNow)
        bool active = false; // Stall: this silence has been reported
        std::deque<qint64> reconnects; // Reconnects: times within the interval, at most count+1
    };
    struct Watch
    {
        QList<RuleState> rules;
        qint64 idGaps = 0;
    };

    void onEvents(quint16 id, const Sse::EventBatch &events);
    void onState(quint16 id, Sse::Client::State state);
    void raise(quint16 id, RuleState &state, const QString &detail, QByteArrayView eventId = {},
               qint64 eventTimeMs = 0, qint64 eventSequence = -1);

    ConnectionManager *m_connections;
    QHash<quint16, Watch> m_watches;
    AlertListModel m_model;
    Notifier *m_notifier = nullptr;
    std::function<qint64()> m_logEnd;
    QTimer m_stallTimer;
    qint64 m_suppressed = 0;
};
