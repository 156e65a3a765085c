#include "probestream.h"

#include <cstdio>

ProbeStream::ProbeStream(const QString &name, const Sse::ClientOptions &options,
                         const Settings &settings, QObject *parent)
    : QObject(parent)
    , m_name(name)
    , m_settings(settings)
{
    m_clock.start();
    m_client.setOptions(options);
    Sse::HealthSettings health;
    health.stallAfterMs = settings.stallAfterMs;
    m_health.setSettings(health);
    m_health.watch(&m_client);
    connect(&m_client, &Sse::Client::eventsReceived, this, &ProbeStream::onEvents);
    connect(&m_client, &Sse::Client::stateChanged, this, &ProbeStream::onState);
    connect(&m_client, &Sse::Client::bytesReceived, this,
            [this](qint64 count) { m_bytes += count; });
    connect(&m_client, &Sse::Client::reconnectScheduled, this,
            [this](qint64, int, const QString &reason) {
                ++m_reconnects;
                reportError(reason);
            });
    m_reopenTimer.setSingleShot(true);
    connect(&m_reopenTimer, &QTimer::timeout, &m_client, &Sse::Client::open);
}

void ProbeStream::onEvents(const Sse::EventBatch &events)
{
    if (events.isEmpty())
        return;
    const qint64 now = m_clock.elapsed();
    if (m_awaitingFirstEvent) {
        m_awaitingFirstEvent = false;
        m_timeToFirstEvent = double(now - m_attemptStartedAt) / 1000.0;
    }
    m_lastEventMs = events.at(events.size() - 1).receivedMs;
    // Types are interned per batch: one lookup per type, not per event.
    QList<qint64> perType(events.types().size(), 0);
    for (qsizetype i = 0; i < events.size(); ++i)
        ++perType[events.typeIndex(i)];
    for (qsizetype t = 0; t < perType.size(); ++t) {
        if (perType.at(t) > 0)
            countType(events.types().at(t), perType.at(t));
    }
}

void ProbeStream::countType(const QByteArray &type, qint64 count)
{
    for (auto &entry : m_types) {
        if (entry.first == type) {
            entry.second += count;
            return;
        }
    }
    const bool ownLabel = type != otherType() && type.size() <= MaximumTypeBytes
        && m_types.size() - (m_otherIndex >= 0 ? 1 : 0) < m_settings.maximumTypes;
    if (ownLabel) {
        // "other" stays last: insert before it.
        m_types.insert(m_otherIndex >= 0 ? m_otherIndex : m_types.size(), {type, count});
        if (m_otherIndex >= 0)
            ++m_otherIndex;
        return;
    }
    if (m_otherIndex < 0) {
        m_otherIndex = m_types.size();
        m_types.append({otherType(), 0});
    }
    m_types[m_otherIndex].second += count;
}

void ProbeStream::onState(Sse::Client::State state)
{
    const qint64 now = m_clock.elapsed();
    switch (state) {
    case Sse::Client::State::Connecting:
        m_attemptStartedAt = now;
        break;
    case Sse::Client::State::Open: {
        m_awaitingFirstEvent = true;
        m_lastError.clear();
        const double seconds = double(now - m_attemptStartedAt) / 1000.0;
        m_connectSum += seconds;
        size_t bucket = 0;
        while (bucket < ConnectBuckets.size() && seconds > ConnectBuckets[bucket])
            ++bucket;
        ++m_connectCounts[bucket];
        break;
    }
    case Sse::Client::State::Failed:
        // A probe keeps watching: the server may come back with a stream.
        reportError(m_client.failure().message);
        m_reopenTimer.start(m_settings.reopenFailedAfterMs);
        break;
    case Sse::Client::State::Idle:
    case Sse::Client::State::Reconnecting:
    case Sse::Client::State::Closed:
        break;
    }
}

void ProbeStream::reportError(const QString &message)
{
    // One line per new problem, not one per attempt of a stream that keeps failing.
    if (message.isEmpty() || message == m_lastError)
        return;
    m_lastError = message;
    std::fprintf(stderr, "sse-monitor-cli probe: %s: %s\n", m_name.toLocal8Bit().constData(),
                 message.toLocal8Bit().constData());
}
