#include "sselib/sseparser.h"

#include "utf8.h"

#include <climits>
#include <cstring>

namespace Sse {

namespace {

const QByteArray &messageType()
{
    static const QByteArray type = QByteArrayLiteral("message");
    return type;
}

bool fieldIs(const char *name, qsizetype length, const char (&literal)[5])
{
    return length == 4 && std::memcmp(name, literal, 4) == 0;
}

bool fieldIs(const char *name, qsizetype length, const char (&literal)[6])
{
    return length == 5 && std::memcmp(name, literal, 5) == 0;
}

bool fieldIs(const char *name, qsizetype length, const char (&literal)[3])
{
    return length == 2 && std::memcmp(name, literal, 2) == 0;
}

// Assign only when the bytes differ, so a repeated `event: tick` or identical id
// keeps sharing one allocation; a changed value reuses the buffer when nobody shares it,
// so ids that change with every event cost no allocation.
void assignIfDifferent(QByteArray &target, const char *bytes, qsizetype length)
{
    if (target.size() == length
        && (length == 0 || std::memcmp(target.constData(), bytes, length) == 0)) {
        return;
    }
    if (target.isDetached() && target.capacity() >= length) {
        target.resize(length);
        if (length > 0)
            std::memcpy(target.data(), bytes, length);
    } else {
        target = QByteArray(bytes, length);
    }
}

} // namespace

Parser::Parser() = default;

Parser::Status Parser::fail()
{
    m_failed = true;
    m_line.clear();
    m_line.squeeze();
    m_data = QByteArray();
    m_dataSize = 0;
    m_pendingData = nullptr;
    m_hasData = false;
    return Status::EventTooLarge;
}

Parser::Status Parser::feed(const char *bytes, qsizetype size, EventList &events)
{
    EventBatch batch;
    const Status status = feed(bytes, size, batch);
    batch.appendTo(events);
    return status;
}

Parser::Status Parser::feed(const char *bytes, qsizetype size, EventBatch &events)
{
    if (m_failed)
        return Status::EventTooLarge;
    m_stats.bytes += size;
    const char *p = bytes;
    const char *end = bytes + size;

    // A CR that ended the previous chunk already ended its line; its LF is not a second one.
    if (m_lastWasCr && p < end) {
        m_lastWasCr = false;
        if (*p == '\n') {
            ++p;
            --m_stats.crLineEnds;
            ++m_stats.crlfLineEnds;
        }
    }

    // One BOM is stripped at the start of the stream; it may arrive one byte at a time.
    if (m_atStreamStart) {
        static const char bom[] = "\xEF\xBB\xBF";
        while (p < end && m_atStreamStart) {
            if (*p == bom[m_bomPrefix.size()]) {
                m_bomPrefix.append(*p++);
                if (m_bomPrefix.size() == 3) {
                    m_atStreamStart = false;
                    m_stats.bomSeen = true;
                    m_bomPrefix.clear();
                }
            } else {
                m_atStreamStart = false;
                const QByteArray prefix = std::exchange(m_bomPrefix, QByteArray());
                if (!prefix.isEmpty()
                    && consume(prefix.constData(), prefix.constData() + prefix.size(), events)
                           != Status::Ok) {
                    return Status::EventTooLarge;
                }
            }
        }
        if (p == end)
            return Status::Ok;
    }
    return consume(p, end, events);
}

Parser::Status Parser::consume(const char *begin, const char *end, EventBatch &events)
{
    m_chunkBegin = begin;
    m_chunkEnd = end;
    // One check for the whole chunk spares a per-line check in the usual all-ASCII stream.
    m_chunkAscii = isAscii(begin, end - begin);
    const Status status = consumeLines(begin, end, events);
    keepPendingData();
    m_chunkBegin = m_chunkEnd = nullptr;
    return status;
}

void Parser::keepPendingData()
{
    // The chunk goes away when consume() returns: copy a data line that still points into it.
    if (m_pendingData) {
        // The data buffer is empty here; its bytes from earlier events are reused.
        growData(m_pendingSize);
        if (m_pendingSize > 0)
            std::memcpy(m_data.data(), m_pendingData, m_pendingSize);
        m_dataSize = m_pendingSize;
        m_pendingData = nullptr;
    }
}

void Parser::growData(qsizetype needed)
{
    if (m_data.size() < needed || !m_data.isDetached())
        m_data.resize(qMax(qMax(m_dataHint, needed), 2 * m_data.size()));
}

Parser::Status Parser::consumeLines(const char *p, const char *end, EventBatch &events)
{
    // Position of the next CR, found once and reused until passed: streams without CR
    // then cost one extra scan per chunk, not one per line.
    const char *nextCr = nullptr;
    while (p < end) {
        if (nextCr < p) {
            nextCr = static_cast<const char *>(std::memchr(p, '\r', end - p));
            if (!nextCr)
                nextCr = end;
        }
        // A blank line (every event ends with one) needs no scan.
        const char *lineEnd = p < nextCr && *p == '\n'
            ? p
            : static_cast<const char *>(std::memchr(p, '\n', nextCr - p));
        if (!lineEnd)
            lineEnd = nextCr;
        const qsizetype length = lineEnd - p;

        if (lineEnd == end) {
            // Partial line: keep it for the next chunk, within the size cap.
            if (m_line.size() + length + dataSize() > m_maximumEventSize)
                return fail();
            if (m_line.isEmpty() && m_lineHint > length)
                m_line.reserve(m_lineHint); // long lines usually repeat: grow once
            m_line.append(p, length);
            return Status::Ok;
        }

        if (m_line.isEmpty()) {
            if (length + dataSize() > m_maximumEventSize)
                return fail();
            processLine(p, length, events);
        } else {
            if (m_line.size() + length + dataSize() > m_maximumEventSize)
                return fail();
            m_line.append(p, length);
            m_lineHint = m_line.size() >= 4096 ? m_line.size() : 0;
            processLine(m_line.constData(), m_line.size(), events);
            m_line.clear();
        }
        if (m_failed)
            return Status::EventTooLarge;

        if (*lineEnd == '\r') {
            if (lineEnd + 1 == end) {
                m_lastWasCr = true;
                ++m_stats.crLineEnds;
                p = end;
            } else if (lineEnd[1] == '\n') {
                ++m_stats.crlfLineEnds;
                p = lineEnd + 2;
            } else {
                ++m_stats.crLineEnds;
                p = lineEnd + 1;
            }
        } else {
            ++m_stats.lfLineEnds;
            p = lineEnd + 1;
        }
    }
    return Status::Ok;
}

void Parser::processLine(const char *line, qsizetype length, EventBatch &events)
{
    ++m_stats.lines;
    if (length == 0) {
        dispatch(events);
        return;
    }
    if (line[0] == ':') {
        ++m_stats.comments;
        return;
    }
    const bool inAsciiChunk = m_chunkAscii && line >= m_chunkBegin && line < m_chunkEnd;
    if (!inAsciiChunk && !isAscii(line, length)) {
        const int errors = countUtf8Errors(line, length);
        if (errors > 0) {
            m_stats.invalidUtf8 += errors;
            QByteArray fixed;
            sanitizeUtf8(line, length, fixed);
            m_scratch = std::move(fixed);
            processField(m_scratch.constData(), m_scratch.size());
            return;
        }
    }
    processField(line, length);
}

void Parser::processField(const char *line, qsizetype length)
{
    // Most lines are `data:` lines: their colon is known without a scan.
    const char *colon = length >= 5 && std::memcmp(line, "data:", 5) == 0
        ? line + 4
        : static_cast<const char *>(std::memchr(line, ':', length));
    const char *name = line;
    qsizetype nameLength = length;
    const char *value = line + length;
    qsizetype valueLength = 0;
    if (colon) {
        nameLength = colon - line;
        value = colon + 1;
        valueLength = line + length - value;
        if (valueLength > 0 && *value == ' ') {
            ++value;
            --valueLength;
        }
    }

    if (fieldIs(name, nameLength, "data")) {
        if (dataSize() + valueLength + 1 > m_maximumEventSize) {
            fail();
            return;
        }
        if (m_hasData) {
            keepPendingData();
            const qsizetype needed = m_dataSize + 1 + valueLength;
            growData(needed);
            m_multiLine = true;
            // Within the buffer's size: no Qt call per line, just the copy.
            char *target = const_cast<char *>(m_data.constData()) + m_dataSize;
            *target = '\n';
            if (valueLength > 0)
                std::memcpy(target + 1, value, valueLength);
            m_dataSize = needed;
        } else {
            // The common single-line case: one exact-size allocation.
            if (valueLength >= 4096 && line == m_line.constData()) {
                // A long carried line: hand its buffer over, no second copy. Dropping
                // the "data:" prefix is O(1) in Qt 6 (the begin pointer moves).
                const qsizetype offset = value - line;
                m_data = std::move(m_line);
                m_data.remove(0, offset);
                m_dataSize = m_data.size();
            } else if (line >= m_chunkBegin && line < m_chunkEnd) {
                m_pendingData = value;
                m_pendingSize = valueLength;
            } else {
                growData(valueLength);
                if (valueLength > 0)
                    std::memcpy(m_data.data(), value, valueLength);
                m_dataSize = valueLength;
            }
            m_hasData = true;
        }
    } else if (fieldIs(name, nameLength, "event")) {
        m_eventTypeSet = valueLength > 0;
        if (m_eventTypeSet)
            assignIfDifferent(m_eventType, value, valueLength);
    } else if (fieldIs(name, nameLength, "id")) {
        if (std::memchr(value, '\0', valueLength))
            ++m_stats.ignoredFields;
        else
            assignIfDifferent(m_idBuffer, value, valueLength);
    } else if (fieldIs(name, nameLength, "retry")) {
        if (valueLength == 0) {
            ++m_stats.ignoredFields;
            return;
        }
        qint64 milliseconds = 0;
        for (qsizetype i = 0; i < valueLength; ++i) {
            const char c = value[i];
            if (c < '0' || c > '9') {
                ++m_stats.ignoredFields;
                return;
            }
            // Saturate instead of overflowing: QTimer takes int milliseconds.
            if (milliseconds < INT_MAX)
                milliseconds = qMin<qint64>(milliseconds * 10 + (c - '0'), INT_MAX);
        }
        m_retryMs = milliseconds;
        m_blockRetryMs = milliseconds;
    } else {
        ++m_stats.ignoredFields;
    }
}

void Parser::dispatch(EventBatch &events)
{
    assignIfDifferent(m_lastEventId, m_idBuffer.constData(), m_idBuffer.size());
    if (!m_hasData) {
        ++m_stats.emptyDispatches;
        m_eventTypeSet = false;
        m_blockRetryMs = -1;
        return;
    }
    if (m_multiLine) {
        m_dataHint = m_dataSize + 64;
        m_multiLine = false;
    }
    const QByteArray &type = m_eventTypeSet ? m_eventType : messageType();
    if (m_pendingData) {
        events.append(type, QByteArrayView(m_pendingData, m_pendingSize), m_lastEventId,
                      m_receivedMs, m_blockRetryMs);
        m_pendingData = nullptr;
    } else if (m_dataSize >= EventBatch::LargeDataBytes) {
        m_data.resize(m_dataSize); // shrinking keeps the buffer: handed over without a copy
        events.append(type, std::move(m_data), m_lastEventId, m_receivedMs, m_blockRetryMs);
        m_data = QByteArray();
    } else {
        events.append(type, QByteArrayView(m_data.constData(), m_dataSize), m_lastEventId,
                      m_receivedMs, m_blockRetryMs);
        // The buffer stays for the next event.
    }
    m_dataSize = 0;

    m_hasData = false;
    m_blockRetryMs = -1;
    // The type buffer is reset for the next event; its bytes stay in m_eventType so
    // that a repeated `event:` line shares them instead of allocating again.
    m_eventTypeSet = false;
}

void Parser::finish()
{
    m_lastWasCr = false;
    m_line.clear();
    m_bomPrefix.clear();
    m_data = QByteArray();
    m_dataSize = 0;
    m_pendingData = nullptr;
    m_hasData = false;
    m_eventTypeSet = false;
    m_blockRetryMs = -1;
}

void Parser::reset()
{
    finish();
    m_idBuffer = m_lastEventId;
    m_atStreamStart = true;
    m_lastWasCr = false;
    m_failed = false;
}

} // namespace Sse
