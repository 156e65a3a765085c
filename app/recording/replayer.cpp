#include "recording/replayer.h"

#include <QDateTime>

#include <cmath>

namespace {

// Upper bound of one batch, so a huge speed factor cannot produce one enormous signal.
constexpr qsizetype MaximumBatchSize = 50000;

} // namespace

Replayer::Replayer(QObject *parent)
    : QObject(parent), m_clock([] { return QDateTime::currentMSecsSinceEpoch(); })
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &Replayer::tick);
}

void Replayer::setEvents(const Sse::EventList &events)
{
    stop();
    m_events = events;
}

void Replayer::setSpeed(double factor)
{
    const double speed = factor > 0 ? factor : AsFastAsPossible;
    if (m_state == State::Playing || m_state == State::Paused) {
        const qint64 now = m_clock();
        if (m_state == State::Playing)
            m_baseEventMs = playedTo(now);
        m_baseClockMs = now;
    }
    m_speed = speed;
    if (m_state == State::Playing)
        schedule();
}

void Replayer::setClock(std::function<qint64()> msSinceEpoch)
{
    m_clock = std::move(msSinceEpoch);
}

void Replayer::play()
{
    m_timer.stop();
    m_position = 0;
    if (m_events.isEmpty()) {
        setState(State::Finished);
        emit finished();
        return;
    }
    const qint64 now = m_clock();
    m_baseEventMs = double(m_events.first().receivedMs);
    m_baseClockMs = now;
    m_lastEmitMs = now - BatchIntervalMs;
    setState(State::Playing);
    m_timer.start(0);
}

void Replayer::pause()
{
    if (m_state != State::Playing)
        return;
    const qint64 now = m_clock();
    m_baseEventMs = playedTo(now);
    m_baseClockMs = now;
    m_timer.stop();
    setState(State::Paused);
}

void Replayer::resume()
{
    if (m_state != State::Paused)
        return;
    m_baseClockMs = m_clock();
    setState(State::Playing);
    schedule();
}

void Replayer::stop()
{
    m_timer.stop();
    m_position = 0;
    setState(State::Stopped);
}

double Replayer::playedTo(qint64 nowMs) const
{
    return m_baseEventMs + double(nowMs - m_baseClockMs) * m_speed;
}

void Replayer::tick()
{
    if (m_state != State::Playing)
        return;
    const qint64 now = m_clock();
    const qsizetype limit = m_speed > 0 ? MaximumBatchSize : FastBatchSize;
    const double played = playedTo(now);
    Sse::EventList batch;
    while (m_position < m_events.size() && batch.size() < limit) {
        const Sse::Event &event = m_events.at(m_position);
        if (m_speed > 0 && double(event.receivedMs) > played)
            break;
        batch.append(event);
        batch.last().receivedMs = now;
        ++m_position;
    }
    if (!batch.isEmpty()) {
        m_lastEmitMs = now;
        emit eventsReplayed(batch);
        if (m_state != State::Playing)
            return; // a receiver paused or stopped us
    }
    if (m_position >= m_events.size()) {
        setState(State::Finished);
        emit finished();
        return;
    }
    schedule();
}

void Replayer::schedule()
{
    if (m_speed <= 0) {
        m_timer.start(0);
        return;
    }
    const qint64 now = m_clock();
    const double dueMs = m_baseClockMs
        + (double(m_events.at(m_position).receivedMs) - m_baseEventMs) / m_speed;
    const qint64 untilDue = qint64(std::ceil(dueMs)) - now;
    const qint64 untilNextBatch = m_lastEmitMs + BatchIntervalMs - now;
    const qint64 wait = qMax<qint64>(0, qMax(untilDue, untilNextBatch));
    m_timer.start(int(qMin<qint64>(wait, 24 * 3600 * 1000)));
}

void Replayer::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    emit stateChanged(state);
}
