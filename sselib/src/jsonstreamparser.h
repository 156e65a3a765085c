#pragma once

#include "sselib/sseevent.h"

#include <QByteArray>

namespace Sse {

/// Turns a streamed JSON body into events of type "ndjson": one per line of NDJSON / JSON
/// Lines (application/x-ndjson, application/jsonl), or one per top-level element when the body
/// is a JSON array streamed element by element (Gemini's streamGenerateContent without
/// alt=sse). Which of the two is decided by the body's first non-blank byte ('[': an array).
/// Like Parser, a plain class that keeps the partial line or element between feed() calls.
class JsonStreamParser
{
public:
    enum class Status { Ok, EventTooLarge };

    void setMaximumEventSize(qsizetype bytes) { m_maximumEventSize = bytes; }
    void reset();
    Status feed(const char *bytes, qsizetype size, EventBatch &events, qint64 receivedMs);
    /// The end of the body: a last line without its newline is an event too.
    void finish(EventBatch &events, qint64 receivedMs);

    static QByteArray eventType() { return QByteArrayLiteral("ndjson"); }

private:
    enum class Mode { Unknown, Lines, Array, ArrayEnded };
    void emitPending(EventBatch &events, qint64 receivedMs);

    Mode m_mode = Mode::Unknown;
    QByteArray m_pending; // the line or element in the making
    int m_depth = 0;      // Array: nesting depth inside the outer array
    bool m_inString = false;
    bool m_escape = false;
    bool m_failed = false;
    qsizetype m_maximumEventSize = 16 * 1024 * 1024;
};

} // namespace Sse
