#pragma once

#include <QByteArray>
#include <QByteArrayView>

#include <cstring>

// The JSON token scanners shared by every reader that looks into event data without building a
// QJsonDocument: the chart's number finder (app/charts/jsonnumbers) and the filter language's
// path resolver (Sse::FilterExpression). Strict JSON (RFC 8259); nothing here allocates or
// throws.
namespace Sse::JsonScan {

/// Objects and arrays nested deeper than this stop a scan (hostile input guard).
constexpr int MaximumDepth = 64;

constexpr bool isWhitespace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

constexpr bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

constexpr bool isHexDigit(char c)
{
    return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/// Characters that may legally follow a number or literal token.
constexpr bool isDelimiter(char c)
{
    return isWhitespace(c) || c == ',' || c == ']' || c == '}';
}

/// Bytes that end the fast path inside a string: the closing quote, an escape, or a
/// control character (which JSON forbids unescaped).
struct StringStopTable
{
    bool stop[256] = {};
    constexpr StringStopTable()
    {
        for (int i = 0; i < 0x20; ++i)
            stop[i] = true;
        stop[static_cast<unsigned char>('"')] = true;
        stop[static_cast<unsigned char>('\\')] = true;
    }
};
inline constexpr StringStopTable stringStops;

/// Converts a number token that Cursor::scanNumber() accepted. False when it overflows a double
/// (underflow gives a signed zero).
bool convertNumber(QByteArrayView token, double *value);

/// Appends the UTF-8 text of string content that Cursor::scanString() accepted (still escaped)
/// to \a out: escapes decoded, a surrogate pair joined, a lone surrogate as U+FFFD.
void appendDecodedString(QByteArrayView content, QByteArray *out);

/// A read position over the data with the token scanners both walkers share. Every
/// scanner leaves m_pos just past what it consumed and returns false on malformed input.
class Cursor
{
public:
    explicit Cursor(QByteArrayView data)
        : m_pos(data.data()), m_end(data.data() + data.size())
    {
    }

    bool atEnd() const { return m_pos == m_end; }
    /// Where the next byte would be read; spans of skipped values are taken between two of these.
    const char *position() const { return m_pos; }
    char peek() const { return *m_pos; }

    void skipWhitespace()
    {
        while (m_pos != m_end && isWhitespace(*m_pos))
            ++m_pos;
    }

    bool consume(char c)
    {
        if (m_pos != m_end && *m_pos == c) {
            ++m_pos;
            return true;
        }
        return false;
    }

    bool skipToEnd()
    {
        skipWhitespace();
        return atEnd();
    }

    /// Precondition: peek() == '"'. `*content` receives the raw (still escaped) bytes
    /// between the quotes.
    bool scanString(QByteArrayView *content)
    {
        const char *start = ++m_pos;
        for (;;) {
            while (m_pos != m_end && !stringStops.stop[static_cast<unsigned char>(*m_pos)])
                ++m_pos;
            if (m_pos == m_end)
                return false;
            const char c = *m_pos;
            if (c == '"') {
                *content = QByteArrayView(start, m_pos - start);
                ++m_pos;
                return true;
            }
            if (c != '\\')
                return false; // unescaped control character
            ++m_pos;
            if (m_pos == m_end)
                return false;
            switch (*m_pos) {
            case '"':
            case '\\':
            case '/':
            case 'b':
            case 'f':
            case 'n':
            case 'r':
            case 't':
                ++m_pos;
                break;
            case 'u':
                if (m_end - m_pos < 5 || !isHexDigit(m_pos[1]) || !isHexDigit(m_pos[2])
                    || !isHexDigit(m_pos[3]) || !isHexDigit(m_pos[4])) {
                    return false;
                }
                m_pos += 5;
                break;
            default:
                return false;
            }
        }
    }

    /// Validates `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?` followed by a delimiter
    /// or the end of the data.
    bool scanNumber(QByteArrayView *token)
    {
        const char *start = m_pos;
        if (*m_pos == '-')
            ++m_pos;
        if (m_pos == m_end)
            return false;
        if (*m_pos == '0') {
            ++m_pos;
        } else if (isDigit(*m_pos)) {
            while (m_pos != m_end && isDigit(*m_pos))
                ++m_pos;
        } else {
            return false;
        }
        if (m_pos != m_end && *m_pos == '.') {
            ++m_pos;
            if (m_pos == m_end || !isDigit(*m_pos))
                return false;
            while (m_pos != m_end && isDigit(*m_pos))
                ++m_pos;
        }
        if (m_pos != m_end && (*m_pos == 'e' || *m_pos == 'E')) {
            ++m_pos;
            if (m_pos != m_end && (*m_pos == '+' || *m_pos == '-'))
                ++m_pos;
            if (m_pos == m_end || !isDigit(*m_pos))
                return false;
            while (m_pos != m_end && isDigit(*m_pos))
                ++m_pos;
        }
        if (m_pos != m_end && !isDelimiter(*m_pos))
            return false;
        *token = QByteArrayView(start, m_pos - start);
        return true;
    }

    bool scanLiteral()
    {
        static constexpr const char *literals[] = { "true", "false", "null" };
        for (const char *literal : literals) {
            const qsizetype length = qsizetype(std::strlen(literal));
            if (m_end - m_pos >= length && std::memcmp(m_pos, literal, size_t(length)) == 0) {
                m_pos += length;
                return m_pos == m_end || isDelimiter(*m_pos);
            }
        }
        return false;
    }

    /// Validates and skips one value. `depth` is the nesting level of the container
    /// holding it (0 at the top).
    bool skipValue(int depth)
    {
        if (m_pos == m_end)
            return false;
        QByteArrayView ignored;
        switch (*m_pos) {
        case '{':
            if (++depth > MaximumDepth)
                return false;
            ++m_pos;
            skipWhitespace();
            if (consume('}'))
                return true;
            for (;;) {
                skipWhitespace();
                if (m_pos == m_end || *m_pos != '"' || !scanString(&ignored))
                    return false;
                skipWhitespace();
                if (!consume(':'))
                    return false;
                skipWhitespace();
                if (!skipValue(depth))
                    return false;
                skipWhitespace();
                if (consume(','))
                    continue;
                return consume('}');
            }
        case '[':
            if (++depth > MaximumDepth)
                return false;
            ++m_pos;
            skipWhitespace();
            if (consume(']'))
                return true;
            for (;;) {
                skipWhitespace();
                if (!skipValue(depth))
                    return false;
                skipWhitespace();
                if (consume(','))
                    continue;
                return consume(']');
            }
        case '"':
            return scanString(&ignored);
        case 't':
        case 'f':
        case 'n':
            return scanLiteral();
        default:
            return scanNumber(&ignored);
        }
    }

private:
    const char *m_pos;
    const char *m_end;
};

} // namespace Sse::JsonScan
