#pragma once

#include "sselib/healthmonitor.h"
#include "sselib/llmanalyser.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <functional>
#include <memory>
#include <optional>

namespace Sse {

/// Feeds a HealthMonitor from a Client's signals and says when the verdict changes, also when
/// nothing arrives (a stall begins): a single-shot timer is armed for the monitor's next
/// change. Lives in the thread of the client it watches (the CLI and the probe); the GUI's
/// clients live in a network thread and their relayed signals feed a HealthMonitor directly.
///
/// With LLM tracking on, each response also runs through an Sse::Llm::Analyser, and the
/// monitor learns whether the last LLM response was complete, cut short or reported an error.
class HealthWatcher : public QObject
{
    Q_OBJECT
public:
    explicit HealthWatcher(QObject *parent = nullptr);
    ~HealthWatcher() override;

    /// Starts watching \a client (not owned; it must outlive the watcher or be watched until
    /// it is deleted).
    void watch(Client *client);

    void setSettings(const HealthSettings &settings);
    HealthSettings settings() const { return m_monitor.settings(); }
    /// Milliseconds on any monotonic clock; the default is a QElapsedTimer.
    void setClock(std::function<qint64()> nowMs);
    qint64 now() const { return m_clock(); }

    void setLlmTracking(bool enabled) { m_llmTracking = enabled; }
    /// The LLM summary of the response in progress, else of the last one; nullopt when no
    /// response was tracked or none was an LLM stream.
    std::optional<Llm::Summary> llmSummary() const;

    const HealthMonitor &monitor() const { return m_monitor; }
    Health health() const { return m_monitor.health(m_clock()); }

public Q_SLOTS:
    /// Evaluates now: emits healthChanged() when the verdict differs from the last one, and
    /// arms the timer for the next change. Called after every report and by the timer.
    void check();

Q_SIGNALS:
    void healthChanged(const Sse::Health &health);
    /// A batch was counted (after the monitor saw it): assertions look at the events here.
    void eventsCounted(const Sse::EventBatch &events);

private:
    void onState(Client::State state);
    void onEvents(const EventBatch &events);
    void endLlmResponse();
    double llmMs() const;

    HealthMonitor m_monitor;
    QPointer<Client> m_client;
    std::function<qint64()> m_clock;
    QElapsedTimer m_elapsed;
    QTimer m_timer;
    HealthVerdict m_lastVerdict = HealthVerdict::Unknown;
    bool m_llmTracking = false;
    std::unique_ptr<Llm::Analyser> m_analyser; // the response in progress
    qint64 m_requestSentMs = 0;
    std::optional<Llm::Summary> m_lastSummary;
};

} // namespace Sse
