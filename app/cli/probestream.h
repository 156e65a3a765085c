#pragma once

#include "sselib/healthwatcher.h"
#include "sselib/sseclient.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QTimer>

#include <array>

/// One stream the probe keeps connected, with the counters its metrics are made of. Each event
/// costs a few counter updates; nothing of the events is kept, so the memory of a stream is
/// bounded by its counters (at most maximumTypes() event types, then "other").
class ProbeStream : public QObject
{
public:
    struct Settings
    {
        int maximumTypes = 20; ///< event types counted apart; the rest count as "other"
        /// No data event for this long while up: stalled. 0 = learnt per stream from its
        /// cadence, as the GUI does (Sse::HealthSettings: 10 x the median interval, at least
        /// 5 s, 60 s until 5 arrivals).
        qint64 stallAfterMs = 0;
        int reopenFailedAfterMs = 30000; ///< a Failed connection (404, wrong type) is tried again
    };

    /// Upper bounds (seconds) of the connect duration histogram's buckets, +Inf excluded.
    static constexpr std::array<double, 11> ConnectBuckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                              0.5,   1,    2.5,   5,    10};
    /// The type label of the events past maximumTypes (and of types longer than this many
    /// bytes); a stream's own type "other" is counted with them.
    static constexpr qsizetype MaximumTypeBytes = 128;
    static QByteArray otherType() { return QByteArrayLiteral("other"); }

    ProbeStream(const QString &name, const Sse::ClientOptions &options, const Settings &settings,
                QObject *parent = nullptr);

    void open() { m_client.open(); }
    QString name() const { return m_name; }

    bool isUp() const { return m_client.state() == Sse::Client::State::Open; }
    /// Up, and no data event for stallAfterMs (heartbeat comments do not count): the shared
    /// health engine's Stalled verdict.
    bool isStalled() const { return health().verdict == Sse::HealthVerdict::Stalled; }
    Sse::Health health() const { return m_health.health(); }
    /// The stall threshold in force (learnt or set), in milliseconds.
    qint64 stallAfterMs() const { return m_health.monitor().stallAfterMs(); }
    /// Events per type label, in order of first arrival ("other" last when present).
    const QList<QPair<QByteArray, qint64>> &eventsByType() const { return m_types; }
    qint64 bytes() const { return m_bytes; }
    qint64 reconnects() const { return m_reconnects; }
    qint64 idGaps() const { return m_health.monitor().idGaps(); }
    /// Wall clock of the last event in ms since the epoch; 0 = none yet.
    qint64 lastEventMs() const { return m_lastEventMs; }
    /// Seconds from the start of the latest attempt that delivered an event to its first
    /// event; negative = no event yet.
    double timeToFirstEventSeconds() const { return m_timeToFirstEvent; }
    /// Connect duration histogram: counts per bucket (not cumulative; the last is +Inf).
    const std::array<qint64, ConnectBuckets.size() + 1> &connectCounts() const
    {
        return m_connectCounts;
    }
    double connectSumSeconds() const { return m_connectSum; }

private:
    void onEvents(const Sse::EventBatch &events);
    void onState(Sse::Client::State state);
    void countType(const QByteArray &type, qint64 count);
    void reportError(const QString &message);

    QString m_name;
    Settings m_settings;
    Sse::Client m_client;
    Sse::HealthWatcher m_health;
    QTimer m_reopenTimer;
    QElapsedTimer m_clock; // monotonic: stall and durations do not jump with the wall clock
    QList<QPair<QByteArray, qint64>> m_types;
    qsizetype m_otherIndex = -1;
    qint64 m_bytes = 0;
    qint64 m_reconnects = 0;
    qint64 m_lastEventMs = 0;
    qint64 m_attemptStartedAt = -1;
    bool m_awaitingFirstEvent = false;
    double m_timeToFirstEvent = -1;
    std::array<qint64, ConnectBuckets.size() + 1> m_connectCounts {};
    double m_connectSum = 0;
    QString m_lastError; // printed once until the stream is up again
};
