#pragma once

#include "sselib/sseevent.h"

#include <QByteArray>

namespace Sse {

/// Incremental parser for the `text/event-stream` format (WHATWG HTML,
/// "Parsing an event stream" and "Interpreting an event stream").
///
/// Bytes go in through feed() in any chunking; dispatched events are appended to
/// the caller's list. The parser keeps the partial line, the pending event
/// (data buffer, event type) and the last event id between calls. It is not a
/// QObject and does no I/O, so it can be used and tested on its own.
class Parser
{
public:
    enum class Status {
        Ok,
        EventTooLarge, ///< the line plus the data buffer exceeded maximumEventSize()
    };

    /// Counters about the wire format; cheap, always on (diagnostics use them).
    struct Statistics
    {
        qint64 bytes = 0;
        qint64 lines = 0;
        qint64 comments = 0;
        qint64 crlfLineEnds = 0;
        qint64 lfLineEnds = 0;
        qint64 crLineEnds = 0;
        qint64 ignoredFields = 0;   ///< fields the spec ignores (unknown names, bad retry, id with NUL)
        qint64 invalidUtf8 = 0;     ///< replacement characters inserted
        qint64 emptyDispatches = 0; ///< blank lines that dispatched nothing (empty data buffer)
        bool bomSeen = false;
    };

    static constexpr qsizetype DefaultMaximumEventSize = 16 * 1024 * 1024;

    Parser();

    /// Parse \a size bytes; complete events are appended to \a events.
    /// Once an error is returned the parser stays in error until reset().
    Status feed(const char *bytes, qsizetype size, EventBatch &events);
    Status feed(const QByteArray &bytes, EventBatch &events)
    {
        return feed(bytes.constData(), bytes.size(), events);
    }
    /// The same, with the events materialised into a list (tests, small inputs).
    Status feed(const char *bytes, qsizetype size, EventList &events);
    Status feed(const QByteArray &bytes, EventList &events)
    {
        return feed(bytes.constData(), bytes.size(), events);
    }

    /// End of the stream: a partial line and an unterminated event are discarded.
    void finish();

    /// Prepare for a new response body (a reconnect): the partial line, pending
    /// event and BOM state are reset; the last event id and retry are kept. An id
    /// field of an event that never completed is forgotten, as browsers do.
    void reset();

    void setMaximumEventSize(qsizetype bytes) { m_maximumEventSize = bytes; }
    qsizetype maximumEventSize() const { return m_maximumEventSize; }

    /// The receive time stamped on events produced by following feed() calls.
    void setReceiveTime(qint64 msSinceEpoch) { m_receivedMs = msSinceEpoch; }

    /// The last event id string: what a reconnect sends as Last-Event-ID.
    QByteArray lastEventId() const { return m_lastEventId; }
    void setLastEventId(const QByteArray &id)
    {
        m_lastEventId = id;
        m_idBuffer = id;
    }

    /// Reconnection time from the most recent valid `retry:` field, or -1 if none
    /// was seen. Values beyond INT_MAX are clamped to INT_MAX (QTimer takes int ms).
    qint64 retryMs() const { return m_retryMs; }

    /// Bytes held in the partial line and pending event (what the size cap bounds).
    qsizetype bufferedBytes() const { return m_line.size() + m_dataSize; }

    const Statistics &statistics() const { return m_stats; }

private:
    Status consume(const char *begin, const char *end, EventBatch &events);
    Status consumeLines(const char *begin, const char *end, EventBatch &events);
    void processLine(const char *line, qsizetype length, EventBatch &events);
    void processField(const char *line, qsizetype length);
    void dispatch(EventBatch &events);
    void keepPendingData();
    qsizetype dataSize() const { return m_pendingData ? m_pendingSize : m_dataSize; }
    void growData(qsizetype needed); // m_data unshared with at least needed bytes
    Status fail();

    QByteArray m_line;           // partial line carried between feed() calls
    QByteArray m_bomPrefix;      // leading bytes that may still be a BOM
    QByteArray m_scratch;        // a line with its invalid UTF-8 replaced
    QByteArray m_data;           // data buffer of the pending event, without the trailing LF;
                                 // its first m_dataSize bytes are in use, the rest is room
    qsizetype m_dataSize = 0;
    // A single data line still inside the chunk being consumed is not copied to m_data:
    // it goes straight into the batch at dispatch (or is copied when the chunk ends).
    const char *m_pendingData = nullptr;
    qsizetype m_pendingSize = 0;
    const char *m_chunkBegin = nullptr;
    const char *m_chunkEnd = nullptr;
    bool m_chunkAscii = false;    // the chunk being consumed has no byte >= 0x80
    QByteArray m_eventType;      // last non-empty event type seen (shared by events)
    QByteArray m_idBuffer;       // WHATWG "last event ID buffer"
    QByteArray m_lastEventId;    // WHATWG "last event ID string", set at each dispatch
    qint64 m_retryMs = -1;
    qint64 m_blockRetryMs = -1;  // retry set since the last blank line
    qint64 m_receivedMs = 0;
    qsizetype m_maximumEventSize = DefaultMaximumEventSize;
    Statistics m_stats;
    bool m_eventTypeSet = false; // the event type buffer holds m_eventType, else it is empty
    bool m_hasData = false;      // the data buffer holds at least one line (may be empty text)
    bool m_atStreamStart = true; // BOM check still pending
    bool m_lastWasCr = false;    // the previous chunk ended with CR: swallow a leading LF
    bool m_failed = false;
    bool m_multiLine = false;
    qsizetype m_lineHint = 0;
    qsizetype m_dataHint = 0;
};

/// Replace ill-formed UTF-8 in \a bytes with U+FFFD (WHATWG "UTF-8 decode",
/// one replacement per maximal ill-formed subpart). Returns the number of
/// replacements; \a bytes is left untouched when it is valid.
int sanitizeUtf8(QByteArray &bytes);

} // namespace Sse
