#include "sselib/healthwatcher.h"

namespace Sse {

HealthWatcher::HealthWatcher(QObject *parent) : QObject(parent)
{
    m_elapsed.start();
    m_clock = [this] { return m_elapsed.elapsed(); };
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &HealthWatcher::check);
}

HealthWatcher::~HealthWatcher() = default;

void HealthWatcher::watch(Client *client)
{
    m_client = client;
    connect(client, &Client::eventsReceived, this, &HealthWatcher::onEvents);
    connect(client, &Client::stateChanged, this, &HealthWatcher::onState);
    connect(client, &Client::bytesReceived, this,
            [this](qint64) { m_monitor.addBytes(m_clock()); });
    connect(client, &Client::reconnectScheduled, this, [this](qint64, int, const QString &) {
        m_monitor.addReconnect(m_clock());
        check();
    });
    connect(client, &Client::responseStarted, this, [this] {
        if (m_analyser)
            m_analyser->setHeadersReceived(llmMs());
    });
}

void HealthWatcher::setSettings(const HealthSettings &settings)
{
    m_monitor.setSettings(settings);
    check();
}

void HealthWatcher::setClock(std::function<qint64()> nowMs)
{
    m_clock = std::move(nowMs);
}

std::optional<Llm::Summary> HealthWatcher::llmSummary() const
{
    if (m_analyser && m_analyser->provider() != Llm::Provider::None)
        return m_analyser->summary();
    return m_lastSummary;
}

void HealthWatcher::check()
{
    const qint64 now = m_clock();
    const Health health = m_monitor.health(now);
    if (health.verdict != m_lastVerdict) {
        m_lastVerdict = health.verdict;
        emit healthChanged(health);
    }
    const qint64 next = m_monitor.nextChangeMs(now);
    if (next < 0)
        m_timer.stop();
    else
        m_timer.start(int(qMin<qint64>(next - now, 24LL * 3600 * 1000)));
}

double HealthWatcher::llmMs() const
{
    return double(m_clock() - m_requestSentMs);
}

void HealthWatcher::onState(Client::State state)
{
    const qint64 now = m_clock();
    if (m_llmTracking) {
        if (state == Client::State::Connecting) {
            endLlmResponse();
            m_requestSentMs = now;
            m_analyser = std::make_unique<Llm::Analyser>();
        } else if (state != Client::State::Open) {
            endLlmResponse();
        }
    }
    m_monitor.setState(state, now,
                       state == Client::State::Failed && m_client ? m_client->failure().message
                                                                  : QString());
    check();
}

void HealthWatcher::endLlmResponse()
{
    if (!m_analyser)
        return;
    const bool byServer = m_client && m_client->responseEndedByServer();
    m_analyser->finish(llmMs(),
                       byServer ? Llm::Analyser::End::ServerEnded : Llm::Analyser::End::Cut);
    const std::unique_ptr<Llm::Analyser> analyser = std::move(m_analyser);
    if (analyser->provider() == Llm::Provider::None)
        return; // not an LLM stream: the last LLM verdict stands
    const Llm::Summary summary = analyser->summary();
    m_lastSummary = summary;
    if (summary.error)
        m_monitor.setLlmOutcome(LlmOutcome::Error, summary.error->message);
    else if (!summary.complete)
        m_monitor.setLlmOutcome(LlmOutcome::Truncated);
    else
        m_monitor.setLlmOutcome(LlmOutcome::Complete);
}

void HealthWatcher::onEvents(const EventBatch &events)
{
    m_monitor.addEvents(events, m_clock());
    if (m_analyser) {
        const double ms = llmMs();
        for (const EventView event : events)
            m_analyser->addEvent(event.type, event.data, ms);
    }
    emit eventsCounted(events);
    check();
}

} // namespace Sse
