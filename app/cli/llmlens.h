#pragma once

#include "sselib/llmanalyser.h"
#include "sselib/sseevent.h"

#include <QElapsedTimer>

#include <memory>

/// `--llm`: one Sse::Llm::Analyser per HTTP response that delivered an event stream, timed
/// from the moment its request was sent. The monitor tells it what the client did; end()
/// gives the `llm` record once per response.
class LlmLens
{
public:
    /// A request went out (the client is Connecting): the clock starts again.
    void requestSent();
    /// The final response's headers arrived.
    void headersReceived();
    /// The response is an event stream (the client is Open).
    void opened();
    bool isOpen() const { return m_analyser != nullptr; }
    /// Events of one read, all stamped with the same time.
    void addEvent(const Sse::EventView &event, double ms) const;
    double elapsedMs() const { return double(m_clock.nsecsElapsed()) / 1e6; }
    /// Ends the open response and appends its record to \a out; nothing when none is open.
    void end(Sse::Llm::Analyser::End how, QByteArray &out);

private:
    QElapsedTimer m_clock;
    double m_headersMs = -1;
    std::unique_ptr<Sse::Llm::Analyser> m_analyser;
};
