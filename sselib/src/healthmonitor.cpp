#include "sselib/healthmonitor.h"

#include <QCoreApplication>

#include <algorithm>
#include <cstring>

namespace Sse {

namespace {

// The messages' context, declared here so that lupdate reads it from this file alone.
struct HealthMessages
{
    Q_DECLARE_TR_FUNCTIONS(HealthMessages)
};

} // namespace

QByteArray healthVerdictName(HealthVerdict verdict)
{
    switch (verdict) {
    case HealthVerdict::Unknown:
        return QByteArrayLiteral("unknown");
    case HealthVerdict::Healthy:
        return QByteArrayLiteral("healthy");
    case HealthVerdict::Stalled:
        return QByteArrayLiteral("stalled");
    case HealthVerdict::ReconnectingOften:
        return QByteArrayLiteral("reconnecting-often");
    case HealthVerdict::Gaps:
        return QByteArrayLiteral("gaps");
    case HealthVerdict::LlmTruncated:
        return QByteArrayLiteral("llm-truncated");
    case HealthVerdict::LlmError:
        return QByteArrayLiteral("llm-error");
    case HealthVerdict::Failed:
        return QByteArrayLiteral("failed");
    }
    return QByteArrayLiteral("unknown");
}

QString healthVerdictLabel(HealthVerdict verdict)
{
    return HealthMonitor::verdictLabel(verdict);
}

QString HealthMonitor::verdictLabel(HealthVerdict verdict)
{
    switch (verdict) {
    case HealthVerdict::Unknown:
        return HealthMessages::tr("Unknown");
    case HealthVerdict::Healthy:
        return HealthMessages::tr("Healthy");
    case HealthVerdict::Stalled:
        return HealthMessages::tr("Stalled");
    case HealthVerdict::ReconnectingOften:
        return HealthMessages::tr("Reconnecting often");
    case HealthVerdict::Gaps:
        return HealthMessages::tr("Gaps");
    case HealthVerdict::LlmTruncated:
        return HealthMessages::tr("Truncated");
    case HealthVerdict::LlmError:
        return HealthMessages::tr("Error mid-stream");
    case HealthVerdict::Failed:
        return HealthMessages::tr("Failed");
    }
    return HealthMessages::tr("Unknown");
}

void HealthMonitor::setSettings(const HealthSettings &settings)
{
    m_settings = settings;
    m_settings.stallAfterMs = qMax<qint64>(0, m_settings.stallAfterMs);
    m_settings.defaultStallAfterMs = qMax<qint64>(1, m_settings.defaultStallAfterMs);
    m_settings.minimumStallAfterMs = qMax<qint64>(1, m_settings.minimumStallAfterMs);
    m_settings.cadenceFactor = qMax(1, m_settings.cadenceFactor);
    m_settings.learnAfterArrivals = std::clamp(m_settings.learnAfterArrivals, 1, CadenceSamples);
    m_settings.reconnectsOften = std::clamp(m_settings.reconnectsOften, 1, MaximumReconnectsOften);
    m_settings.reconnectWindowMs = qMax<qint64>(1, m_settings.reconnectWindowMs);
    m_settings.gapWindowMs = qMax<qint64>(1, m_settings.gapWindowMs);
}

void HealthMonitor::reset()
{
    const HealthSettings settings = m_settings;
    *this = HealthMonitor(settings);
}

void HealthMonitor::addEvents(const EventBatch &events, qint64 nowMs)
{
    if (events.isEmpty())
        return;
    noteArrival(nowMs);
    m_events += events.size();
    // Consecutive events of a batch usually share their id bytes: compared, not parsed.
    for (const EventView event : events)
        noteId(event.lastEventId, nowMs);
}

void HealthMonitor::addEvent(QByteArrayView lastEventId, qint64 nowMs)
{
    noteArrival(nowMs);
    ++m_events;
    noteId(lastEventId, nowMs);
}

void HealthMonitor::addBytes(qint64 nowMs)
{
    m_lastByteMs = qMax(m_lastByteMs, nowMs);
}

void HealthMonitor::setState(Client::State state, qint64 nowMs, const QString &failure)
{
    m_state = state;
    if (state == Client::State::Open && m_upSinceMs < 0)
        m_upSinceMs = nowMs;
    if (state == Client::State::Failed)
        m_failure = failure;
}

void HealthMonitor::addReconnect(qint64 nowMs)
{
    m_reconnects[size_t(m_reconnectNext)] = nowMs;
    m_reconnectNext = (m_reconnectNext + 1) % MaximumReconnectsOften;
    m_reconnectCount = qMin(m_reconnectCount + 1, MaximumReconnectsOften);
}

void HealthMonitor::setLlmOutcome(LlmOutcome outcome, const QString &detail)
{
    m_llm = outcome;
    m_llmDetail = detail;
}

qint64 HealthMonitor::silenceStart() const
{
    return qMax(m_lastEventMs, m_upSinceMs);
}

void HealthMonitor::noteArrival(qint64 nowMs)
{
    const qint64 start = silenceStart();
    if (start >= 0)
        m_longestSilenceMs = qMax(m_longestSilenceMs, nowMs - start);
    if (m_lastEventMs >= 0 && nowMs > m_lastEventMs) {
        m_intervals[size_t(m_intervalNext)] = nowMs - m_lastEventMs;
        m_intervalNext = (m_intervalNext + 1) % CadenceSamples;
        m_intervalCount = qMin(m_intervalCount + 1, CadenceSamples);
        // The median of at most 64 numbers, once per read (not per event).
        std::array<qint64, CadenceSamples> sorted = m_intervals;
        const auto end = sorted.begin() + m_intervalCount;
        const auto middle = sorted.begin() + m_intervalCount / 2;
        std::nth_element(sorted.begin(), middle, end);
        m_cadenceMs = *middle;
    }
    m_lastEventMs = qMax(m_lastEventMs, nowMs);
    m_lastByteMs = qMax(m_lastByteMs, nowMs);
}

void HealthMonitor::noteId(QByteArrayView id, qint64 nowMs)
{
    if (id == QByteArrayView(m_lastId))
        return;
    // Reuses the buffer: numbered streams change the id with every event.
    m_lastId.resize(id.size());
    if (!id.isEmpty())
        std::memcpy(m_lastId.data(), id.data(), size_t(id.size()));
    bool numeric = false;
    const qint64 value = id.toLongLong(&numeric);
    // Only a jump forward is a gap: an id going back is a server that started over.
    if (numeric && m_haveNumericId && value > m_lastNumericId + 1) {
        ++m_idGaps;
        m_lastGapMs = nowMs;
        m_lastGap = {m_lastNumericId, value};
    }
    m_haveNumericId = numeric;
    m_lastNumericId = value;
}

int HealthMonitor::recentReconnects(qint64 nowMs) const
{
    int count = 0;
    for (int i = 0; i < m_reconnectCount; ++i) {
        if (nowMs - m_reconnects[size_t(i)] < m_settings.reconnectWindowMs)
            ++count;
    }
    return count;
}

qint64 HealthMonitor::cadenceMs() const
{
    return m_intervalCount >= m_settings.learnAfterArrivals ? m_cadenceMs : 0;
}

qint64 HealthMonitor::stallAfterMs() const
{
    if (m_settings.stallAfterMs > 0)
        return m_settings.stallAfterMs;
    const qint64 cadence = cadenceMs();
    if (cadence <= 0)
        return m_settings.defaultStallAfterMs;
    return qMax(cadence * m_settings.cadenceFactor, m_settings.minimumStallAfterMs);
}

Health HealthMonitor::health(qint64 nowMs) const
{
    Health health;
    health.stallAfterMs = stallAfterMs();
    health.recentReconnects = recentReconnects(nowMs);
    health.idGaps = m_idGaps;
    health.events = m_events;
    const bool open = m_state == Client::State::Open;
    if (open) {
        const qint64 start = silenceStart();
        health.silentForMs = qMax<qint64>(0, nowMs - start);
        health.heartbeats = m_lastByteMs > start;
    }
    const qint64 seconds = health.silentForMs / 1000;
    if (m_state == Client::State::Failed) {
        health.verdict = HealthVerdict::Failed;
        health.detail =
            m_failure.isEmpty() ? HealthMessages::tr("the connection failed") : m_failure;
    } else if (open && health.silentForMs >= health.stallAfterMs) {
        health.verdict = HealthVerdict::Stalled;
        health.detail = health.heartbeats
            ? HealthMessages::tr("heartbeats only for %1 s").arg(seconds)
            : HealthMessages::tr("no bytes for %1 s").arg(seconds);
    } else if (health.recentReconnects >= m_settings.reconnectsOften) {
        health.verdict = HealthVerdict::ReconnectingOften;
        health.detail = HealthMessages::tr("%1 reconnects in %2 min")
                            .arg(health.recentReconnects)
                            .arg(double(m_settings.reconnectWindowMs) / 60000.0, 0, 'g', 3);
    } else if (m_llm == LlmOutcome::Error) {
        health.verdict = HealthVerdict::LlmError;
        health.detail = m_llmDetail.isEmpty() ? HealthMessages::tr("the provider reported an error")
                                              : m_llmDetail;
    } else if (m_llm == LlmOutcome::Truncated) {
        health.verdict = HealthVerdict::LlmTruncated;
        health.detail = m_llmDetail.isEmpty()
            ? HealthMessages::tr("the response ended without its terminal marker")
            : m_llmDetail;
    } else if (m_lastGapMs >= 0 && nowMs - m_lastGapMs < m_settings.gapWindowMs) {
        health.verdict = HealthVerdict::Gaps;
        health.detail = HealthMessages::tr("%1 so far, last: id %2 after id %3")
                            .arg(m_idGaps)
                            .arg(m_lastGap.second)
                            .arg(m_lastGap.first);
    } else if (open) {
        health.verdict = HealthVerdict::Healthy;
    } else if (m_state == Client::State::Connecting || m_state == Client::State::Reconnecting) {
        // One reconnect of a stream that was up is normal life, not a verdict.
        health.verdict = m_upSinceMs >= 0 ? HealthVerdict::Healthy : HealthVerdict::Unknown;
        health.detail = m_upSinceMs >= 0 ? HealthMessages::tr("reconnecting")
                                         : HealthMessages::tr("connecting");
    } else {
        health.verdict = HealthVerdict::Unknown;
        health.detail = HealthMessages::tr("not connected");
    }
    return health;
}

qint64 HealthMonitor::nextChangeMs(qint64 nowMs) const
{
    qint64 next = -1;
    auto consider = [&](qint64 at) {
        if (at > nowMs && (next < 0 || at < next))
            next = at;
    };
    if (m_state == Client::State::Open)
        consider(silenceStart() + stallAfterMs());
    for (int i = 0; i < m_reconnectCount; ++i)
        consider(m_reconnects[size_t(i)] + m_settings.reconnectWindowMs);
    if (m_lastGapMs >= 0)
        consider(m_lastGapMs + m_settings.gapWindowMs);
    return next;
}

} // namespace Sse
