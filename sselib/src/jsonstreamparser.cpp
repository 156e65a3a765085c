#include "jsonstreamparser.h"

#include <cstring>

namespace Sse {

namespace {

bool isBlank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

} // namespace

void JsonStreamParser::reset()
{
    m_mode = Mode::Unknown;
    m_pending.clear();
    m_depth = 0;
    m_inString = false;
    m_escape = false;
    m_failed = false;
}

void JsonStreamParser::emitPending(EventBatch &events, qint64 receivedMs)
{
    const QByteArray element = m_pending.trimmed();
    m_pending.clear();
    if (!element.isEmpty())
        events.append(eventType(), QByteArrayView(element), QByteArrayView(), receivedMs);
}

JsonStreamParser::Status JsonStreamParser::feed(const char *bytes, qsizetype size,
                                                EventBatch &events, qint64 receivedMs)
{
    if (m_failed)
        return Status::EventTooLarge;
    for (qsizetype i = 0; i < size; ++i) {
        const char c = bytes[i];
        switch (m_mode) {
        case Mode::Unknown:
            if (isBlank(c))
                continue;
            if (c == '[') {
                m_mode = Mode::Array;
                continue;
            }
            m_mode = Mode::Lines;
            [[fallthrough]];
        case Mode::Lines: {
            // A whole run up to the next newline at once: lines can be long.
            const char *newline = static_cast<const char *>(
                std::memchr(bytes + i, '\n', size_t(size - i)));
            const qsizetype end = newline ? newline - bytes : size;
            m_pending.append(bytes + i, end - i);
            i = end;
            if (newline)
                emitPending(events, receivedMs);
            break;
        }
        case Mode::Array:
            if (m_inString) {
                m_pending.append(c);
                if (m_escape)
                    m_escape = false;
                else if (c == '\\')
                    m_escape = true;
                else if (c == '"')
                    m_inString = false;
                break;
            }
            if (m_depth == 0 && (c == ',' || c == ']')) {
                emitPending(events, receivedMs);
                if (c == ']')
                    m_mode = Mode::ArrayEnded;
                break;
            }
            if (c == '"')
                m_inString = true;
            else if (c == '{' || c == '[')
                ++m_depth;
            else if ((c == '}' || c == ']') && m_depth > 0)
                --m_depth;
            if (m_depth > 0 || !isBlank(c) || !m_pending.isEmpty())
                m_pending.append(c);
            // An object or array element is complete at its closing bracket: delivered now,
            // not when the server sends the comma before the next one.
            if (m_depth == 0 && (c == '}' || c == ']'))
                emitPending(events, receivedMs);
            break;
        case Mode::ArrayEnded:
            break; // whatever follows the closing bracket is not part of the stream
        }
        if (m_pending.size() > m_maximumEventSize) {
            m_pending.clear();
            m_failed = true;
            return Status::EventTooLarge;
        }
    }
    return Status::Ok;
}

void JsonStreamParser::finish(EventBatch &events, qint64 receivedMs)
{
    if (m_mode == Mode::Lines && !m_failed)
        emitPending(events, receivedMs);
    m_pending.clear();
}

} // namespace Sse
