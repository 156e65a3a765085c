#pragma once

#include "sselib/sseclient.h"
#include "sselib/sseevent.h"

#include <QByteArray>
#include <QPair>
#include <QString>

#include <array>

namespace Sse {

/// What the health engine concludes about one connection, most severe first in the order
/// HealthMonitor::health() checks them: Failed, Stalled, ReconnectingOften, LlmError,
/// LlmTruncated, Gaps, then Healthy (connected) or Unknown (not connected yet, or closed).
enum class HealthVerdict {
    Unknown,
    Healthy,
    Stalled, ///< connected, but no data event for the stall threshold
    ReconnectingOften, ///< at least HealthSettings::reconnectsOften reconnects in the window
    Gaps, ///< a numeric event id jumped forward within the gap window
    LlmTruncated, ///< the last LLM response ended without its terminal marker
    LlmError, ///< the last LLM response reported an error inside the stream
    Failed, ///< the client gave up (HTTP status, content type, TLS, attempts)
};

/// Stable identifier of a verdict ("healthy", "stalled", "reconnecting-often", "gaps",
/// "llm-truncated", "llm-error", "failed", "unknown"): for records, metrics and settings.
QByteArray healthVerdictName(HealthVerdict verdict);
/// The verdict for people, translated ("Stalled").
QString healthVerdictLabel(HealthVerdict verdict);

/// Thresholds of the health engine. All times in milliseconds.
struct HealthSettings
{
    /// The stall threshold; 0 = learn it: cadenceFactor times the median time between data
    /// arrivals, at least minimumStallAfterMs (defaultStallAfterMs until enough arrivals).
    qint64 stallAfterMs = 0;
    qint64 defaultStallAfterMs = 60000;
    qint64 minimumStallAfterMs = 5000;
    int cadenceFactor = 10;
    int learnAfterArrivals = 5; ///< arrivals needed before the learnt threshold is used
    int reconnectsOften = 3; ///< this many reconnects within reconnectWindowMs
    qint64 reconnectWindowMs = 5 * 60 * 1000;
    qint64 gapWindowMs = 5 * 60 * 1000; ///< an id gap counts for the verdict this long

    bool operator==(const HealthSettings &) const = default;
};

/// A snapshot of one connection's health.
struct Health
{
    HealthVerdict verdict = HealthVerdict::Unknown;
    /// One line for people, translated: "heartbeats only for 45 s", "4 reconnects in 5 min".
    QString detail;
    qint64 silentForMs = 0; ///< while connected: time since the last data event (or the open)
    bool heartbeats = false; ///< bytes (comments, heartbeats) arrived during that silence
    qint64 stallAfterMs = 0; ///< the threshold in force
    int recentReconnects = 0; ///< reconnects within the reconnect window
    qint64 idGaps = 0; ///< numeric id jumps since the start (or reset())
    qint64 events = 0; ///< data events since the start (or reset())

    bool operator==(const Health &) const = default;
};

/// How the last LLM response ended (see Sse::Llm::Summary).
enum class LlmOutcome { None, Complete, Truncated, Error };

/// The health engine of one connection: a plain class fed with what the client reports and
/// the time of each report, on any monotonic millisecond clock the owner chooses (tests inject
/// theirs). Bounded: a fixed ring of arrival intervals and of reconnect times, whatever the
/// rate or the duration. Not thread-safe; GUI, CLI and probe each feed their own.
///
/// The stall watchdog is apart from the client's idle timeout: the idle timeout counts every
/// byte, so heartbeat comments keep a stream without events "alive"; here only data events
/// count, and the bytes in between only say whether heartbeats continued.
class HealthMonitor
{
public:
    /// Arrival intervals the learnt cadence is the median of.
    static constexpr int CadenceSamples = 64;
    /// The reconnect ring; reconnectsOften is clamped to it.
    static constexpr int MaximumReconnectsOften = 64;

    HealthMonitor() = default;
    explicit HealthMonitor(const HealthSettings &settings) { setSettings(settings); }

    /// See healthVerdictLabel().
    static QString verdictLabel(HealthVerdict verdict);

    void setSettings(const HealthSettings &settings);
    HealthSettings settings() const { return m_settings; }
    /// Forgets everything seen (a connection opened again by the user).
    void reset();

    /// The events of one read, all arrived at \a nowMs.
    void addEvents(const EventBatch &events, qint64 nowMs);
    /// One event whose last event id is \a lastEventId arrived at \a nowMs.
    void addEvent(QByteArrayView lastEventId, qint64 nowMs);
    /// Body bytes arrived (data, comments, heartbeats, partial lines).
    void addBytes(qint64 nowMs);
    void setState(Client::State state, qint64 nowMs, const QString &failure = {});
    /// The client scheduled a reconnect.
    void addReconnect(qint64 nowMs);
    void setLlmOutcome(LlmOutcome outcome, const QString &detail = {});

    Health health(qint64 nowMs) const;
    /// The earliest time after \a nowMs at which health() can change without any new report
    /// (a stall begins, a reconnect or a gap leaves its window); -1 when none.
    qint64 nextChangeMs(qint64 nowMs) const;

    /// The learnt median interval between data arrivals; 0 until learnAfterArrivals.
    qint64 cadenceMs() const;
    /// The stall threshold in force now.
    qint64 stallAfterMs() const;
    qint64 idGaps() const { return m_idGaps; }
    /// The ids on either side of the latest gap (0 and 0 before the first).
    QPair<qint64, qint64> lastGap() const { return m_lastGap; }
    qint64 events() const { return m_events; }
    /// The longest time between two data events (or the open and the first) so far.
    qint64 longestSilenceMs() const { return m_longestSilenceMs; }

private:
    void noteArrival(qint64 nowMs);
    void noteId(QByteArrayView id, qint64 nowMs);
    int recentReconnects(qint64 nowMs) const;
    qint64 silenceStart() const;

    HealthSettings m_settings;
    Client::State m_state = Client::State::Idle;
    QString m_failure;
    LlmOutcome m_llm = LlmOutcome::None;
    QString m_llmDetail;

    qint64 m_upSinceMs = -1; // the first Open since the start (stalls span reconnects)
    qint64 m_lastEventMs = -1;
    qint64 m_lastByteMs = -1;
    qint64 m_events = 0;
    qint64 m_longestSilenceMs = 0;

    std::array<qint64, CadenceSamples> m_intervals {};
    int m_intervalCount = 0; // samples held (at most CadenceSamples)
    int m_intervalNext = 0;
    qint64 m_cadenceMs = 0; // median, recomputed per arrival

    std::array<qint64, MaximumReconnectsOften> m_reconnects {};
    int m_reconnectCount = 0;
    int m_reconnectNext = 0;

    QByteArray m_lastId;
    qint64 m_lastNumericId = 0;
    bool m_haveNumericId = false;
    qint64 m_idGaps = 0;
    qint64 m_lastGapMs = -1;
    QPair<qint64, qint64> m_lastGap;
};

} // namespace Sse

Q_DECLARE_METATYPE(Sse::Health)
