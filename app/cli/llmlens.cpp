#include "llmlens.h"

void LlmLens::requestSent()
{
    m_clock.start();
    m_headersMs = -1;
}

void LlmLens::headersReceived()
{
    m_headersMs = elapsedMs();
}

void LlmLens::opened()
{
    m_analyser = std::make_unique<Sse::Llm::Analyser>();
    if (m_headersMs >= 0)
        m_analyser->setHeadersReceived(m_headersMs);
}

void LlmLens::addEvent(const Sse::EventView &event, double ms) const
{
    if (m_analyser)
        m_analyser->addEvent(event.type, event.data, ms);
}

void LlmLens::end(Sse::Llm::Analyser::End how, QByteArray &out)
{
    if (!m_analyser)
        return;
    m_analyser->finish(elapsedMs(), how);
    Sse::Llm::appendRecord(out, m_analyser->summary());
    m_analyser.reset();
}
