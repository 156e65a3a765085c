#pragma once

#include "sselib/sseevent.h"

#include <QObject>
#include <QTimer>

#include <functional>

/// Plays a loaded list of events back at their original pace, scaled by speed().
///
/// Event i is due (receivedMs[i] - receivedMs[start]) / speed() ms after play() (pauses excluded).
/// Due events are emitted in batches: at most one eventsReplayed() per BatchIntervalMs, so a
/// dense recording arrives the way a live stream does (one batch per flush) while a sparse one
/// keeps its timing to within BatchIntervalMs. Events whose receivedMs goes backwards are emitted
/// as soon as the event before them. At speed AsFastAsPossible the events go out in batches of
/// FastBatchSize, one per turn of the event loop, so the GUI stays responsive.
///
/// Replayed events are copies stamped with receivedMs = clock() at emission: they are new events
/// for whoever receives them (charts, the event log), not the recorded ones. The clock is
/// injectable (setClock) for tests; it also drives the schedule, so it must not go backwards.
///
/// Runs on the thread that owns it (normally the GUI thread); it only copies and emits.
class Replayer : public QObject
{
    Q_OBJECT
public:
    static constexpr double AsFastAsPossible = 0.0;
    static constexpr int BatchIntervalMs = 20;
    static constexpr int FastBatchSize = 2000;

    enum class State { Stopped, Playing, Paused, Finished };
    Q_ENUM(State)

    explicit Replayer(QObject *parent = nullptr);

    /// Stops a running replay and rewinds.
    void setEvents(const Sse::EventList &events);
    Sse::EventList events() const { return m_events; }
    qsizetype count() const { return m_events.size(); }
    /// Index of the next event to emit.
    qsizetype position() const { return m_position; }

    /// 2.0 plays twice as fast; <= 0 means AsFastAsPossible. Takes effect at once, also while
    /// playing (the time already played is kept).
    void setSpeed(double factor);
    double speed() const { return m_speed; }

    /// Milliseconds since the Unix epoch; the default is QDateTime::currentMSecsSinceEpoch.
    void setClock(std::function<qint64()> msSinceEpoch);

    State state() const { return m_state; }

    /// From the first event (also after Finished or Stopped).
    void play();
    /// Keeps the position; resume() goes on with the remaining gap to the next event.
    void pause();
    void resume();
    /// Rewinds; emits nothing more.
    void stop();

Q_SIGNALS:
    void eventsReplayed(const Sse::EventList &events);
    void stateChanged(Replayer::State state);
    void finished();

private:
    void tick();
    void schedule();
    /// Recording time (ms) that playback has reached at clock time \a nowMs.
    double playedTo(qint64 nowMs) const;
    void setState(State state);

    Sse::EventList m_events;
    std::function<qint64()> m_clock;
    QTimer m_timer;
    double m_speed = 1.0;
    qsizetype m_position = 0;
    /// Playback reached recording time m_baseEventMs at clock time m_baseClockMs.
    double m_baseEventMs = 0;
    qint64 m_baseClockMs = 0;
    qint64 m_lastEmitMs = 0;
    State m_state = State::Stopped;
};
