#include "jsonnumbers.h"

#include "sselib/jsonscan.h"

#include <QVarLengthArray>

#include <charconv>
#include <cmath>
#include <cstring>

namespace JsonNumbers {

namespace {

using Sse::JsonScan::Cursor;
using Sse::JsonScan::convertNumber;
using Sse::JsonScan::isDigit;

using PathBuffer = QVarLengthArray<char, 256>;

// Recursive descent over the whole document, keeping the path of the current value in
// a buffer that grows and shrinks with the nesting.
class NumberWalker
{
public:
    NumberWalker(QByteArrayView data, NumberVisitor visitor, void *context)
        : m_cursor(data), m_visitor(visitor), m_context(context)
    {
    }

    bool walkDocument()
    {
        m_cursor.skipWhitespace();
        if (m_cursor.atEnd())
            return false;
        if (m_cursor.peek() == '{' || m_cursor.peek() == '[') {
            if (!walkValue(0))
                return false;
            return m_cursor.skipToEnd();
        }
        // A top-level scalar only counts if nothing but whitespace follows it, so data
        // such as "42 apples" is not taken for a number.
        QByteArrayView token;
        if (m_cursor.peek() == '-' || isDigit(m_cursor.peek())) {
            double value = 0;
            if (!m_cursor.scanNumber(&token) || !m_cursor.skipToEnd())
                return false;
            if (convertNumber(token, &value))
                m_visitor(m_context, QByteArrayView(), value);
            return true;
        }
        return m_cursor.skipValue(0) && m_cursor.skipToEnd();
    }

private:
    bool walkValue(int depth)
    {
        if (m_cursor.atEnd())
            return false;
        switch (m_cursor.peek()) {
        case '{':
            return walkObject(depth + 1);
        case '[':
            return walkArray(depth + 1);
        case '"':
        case 't':
        case 'f':
        case 'n':
            return m_cursor.skipValue(depth);
        default: {
            QByteArrayView token;
            if (!m_cursor.scanNumber(&token))
                return false;
            double value = 0;
            if (convertNumber(token, &value))
                m_visitor(m_context, QByteArrayView(m_path.constData(), m_path.size()), value);
            return true;
        }
        }
    }

    bool walkObject(int depth)
    {
        if (depth > MaximumDepth)
            return false;
        m_cursor.consume('{');
        m_cursor.skipWhitespace();
        if (m_cursor.consume('}'))
            return true;
        const qsizetype base = m_path.size();
        for (;;) {
            m_cursor.skipWhitespace();
            QByteArrayView key;
            if (m_cursor.atEnd() || m_cursor.peek() != '"' || !m_cursor.scanString(&key))
                return false;
            m_cursor.skipWhitespace();
            if (!m_cursor.consume(':'))
                return false;
            m_cursor.skipWhitespace();
            // Members of the top-level object start the path; deeper ones add ".key"
            // (even after an empty key, so the path keeps the document's shape).
            m_path.resize(base);
            if (depth > 1)
                m_path.append('.');
            m_path.append(key.data(), key.size());
            if (!walkValue(depth))
                return false;
            m_cursor.skipWhitespace();
            if (m_cursor.consume(','))
                continue;
            m_path.resize(base);
            return m_cursor.consume('}');
        }
    }

    bool walkArray(int depth)
    {
        if (depth > MaximumDepth)
            return false;
        m_cursor.consume('[');
        m_cursor.skipWhitespace();
        if (m_cursor.consume(']'))
            return true;
        const qsizetype base = m_path.size();
        for (qint64 index = 0;; ++index) {
            m_cursor.skipWhitespace();
            char digits[24];
            const auto converted = std::to_chars(digits, digits + sizeof digits, index);
            m_path.resize(base);
            m_path.append('[');
            m_path.append(digits, converted.ptr - digits);
            m_path.append(']');
            if (!walkValue(depth))
                return false;
            m_cursor.skipWhitespace();
            if (m_cursor.consume(','))
                continue;
            m_path.resize(base);
            return m_cursor.consume(']');
        }
    }

    Cursor m_cursor;
    NumberVisitor m_visitor;
    void *m_context;
    PathBuffer m_path;
};

// Follows one path through the document. `matched` is how many bytes of the target
// path the current value's own path equals; values whose path cannot be a prefix of
// the target are skipped with Cursor::skipValue().
class PathMatcher
{
public:
    enum class Result { Error, NotFound, Found };

    PathMatcher(QByteArrayView data, QByteArrayView target, double *value)
        : m_cursor(data), m_target(target), m_value(value)
    {
    }

    bool matchDocument()
    {
        m_cursor.skipWhitespace();
        if (m_cursor.atEnd())
            return false;
        const char first = m_cursor.peek();
        if (first == '{' || first == '[')
            return matchValue(0, 0) == Result::Found;
        if (!m_target.isEmpty() || !(first == '-' || isDigit(first)))
            return false;
        QByteArrayView token;
        return m_cursor.scanNumber(&token) && m_cursor.skipToEnd()
                && convertNumber(token, m_value);
    }

private:
    Result matchValue(int depth, qsizetype matched)
    {
        if (m_cursor.atEnd())
            return Result::Error;
        const char first = m_cursor.peek();
        if (matched == m_target.size()) {
            if (first == '-' || isDigit(first)) {
                QByteArrayView token;
                if (!m_cursor.scanNumber(&token))
                    return Result::Error;
                return convertNumber(token, m_value) ? Result::Found : Result::NotFound;
            }
        }
        if (first == '{') {
            // Object members continue the path with ".key", except at the top level.
            if (depth == 0)
                return matchObject(1, 0);
            if (matched < m_target.size() && m_target[matched] == '.')
                return matchObject(depth + 1, matched + 1);
        } else if (first == '[') {
            if (matched < m_target.size() && m_target[matched] == '[')
                return matchArray(depth + 1, matched);
        }
        return m_cursor.skipValue(depth) ? Result::NotFound : Result::Error;
    }

    // `keyStart` is where the member key has to appear in the target path.
    Result matchObject(int depth, qsizetype keyStart)
    {
        if (depth > MaximumDepth)
            return Result::Error;
        m_cursor.consume('{');
        m_cursor.skipWhitespace();
        if (m_cursor.consume('}'))
            return Result::NotFound;
        for (;;) {
            m_cursor.skipWhitespace();
            QByteArrayView key;
            if (m_cursor.atEnd() || m_cursor.peek() != '"' || !m_cursor.scanString(&key))
                return Result::Error;
            m_cursor.skipWhitespace();
            if (!m_cursor.consume(':'))
                return Result::Error;
            m_cursor.skipWhitespace();
            const qsizetype keyEnd = keyStart + key.size();
            const bool keyMatches = keyEnd <= m_target.size()
                    && std::memcmp(m_target.data() + keyStart, key.data(), size_t(key.size())) == 0
                    && (keyEnd == m_target.size() || m_target[keyEnd] == '.'
                        || m_target[keyEnd] == '[');
            if (keyMatches) {
                const Result result = matchValue(depth, keyEnd);
                if (result != Result::NotFound)
                    return result;
            } else if (!m_cursor.skipValue(depth)) {
                return Result::Error;
            }
            m_cursor.skipWhitespace();
            if (m_cursor.consume(','))
                continue;
            return m_cursor.consume('}') ? Result::NotFound : Result::Error;
        }
    }

    // m_target[indexStart] == '['.
    Result matchArray(int depth, qsizetype indexStart)
    {
        if (depth > MaximumDepth)
            return Result::Error;
        // Parse the wanted index out of the target once. A target that is not of the form
        // "[digits]" can never match, but the array still has to be skipped (validated).
        qint64 wanted = -1;
        qsizetype after = indexStart + 1;
        while (after < m_target.size() && isDigit(m_target[after]) && wanted < (qint64(1) << 40)) {
            wanted = (wanted < 0 ? 0 : wanted * 10) + (m_target[after] - '0');
            ++after;
        }
        if (after >= m_target.size() || m_target[after] != ']'
            || (after - indexStart > 2 && m_target[indexStart + 1] == '0')) {
            wanted = -1;
        }
        ++after;
        if (after < m_target.size() && m_target[after] != '.' && m_target[after] != '[')
            wanted = -1;

        m_cursor.consume('[');
        m_cursor.skipWhitespace();
        if (m_cursor.consume(']'))
            return Result::NotFound;
        for (qint64 index = 0;; ++index) {
            m_cursor.skipWhitespace();
            if (index == wanted) {
                const Result result = matchValue(depth, after);
                if (result != Result::NotFound)
                    return result;
            } else if (!m_cursor.skipValue(depth)) {
                return Result::Error;
            }
            m_cursor.skipWhitespace();
            if (m_cursor.consume(','))
                continue;
            return m_cursor.consume(']') ? Result::NotFound : Result::Error;
        }
    }

    Cursor m_cursor;
    QByteArrayView m_target;
    double *m_value;
};

} // namespace

bool forEachNumber(QByteArrayView data, NumberVisitor visitor, void *context)
{
    NumberWalker walker(data, visitor, context);
    return walker.walkDocument();
}

bool extractNumber(QByteArrayView data, QByteArrayView path, double *value)
{
    double result = 0;
    PathMatcher matcher(data, path, &result);
    if (!matcher.matchDocument())
        return false;
    if (value)
        *value = result;
    return true;
}

namespace {

// Walks the members of a top-level object; `visit(key, cursor)` either consumes the value and
// returns 1, or leaves it to be skipped (0), or ends the walk (-1).
template<typename Visit>
bool walkTopLevelMembers(QByteArrayView data, Visit &&visit)
{
    Cursor cursor(data);
    cursor.skipWhitespace();
    if (!cursor.consume('{'))
        return false;
    cursor.skipWhitespace();
    if (cursor.consume('}'))
        return cursor.skipToEnd();
    for (;;) {
        cursor.skipWhitespace();
        QByteArrayView key;
        if (cursor.atEnd() || cursor.peek() != '"' || !cursor.scanString(&key))
            return false;
        cursor.skipWhitespace();
        if (!cursor.consume(':'))
            return false;
        cursor.skipWhitespace();
        const int taken = visit(key, cursor);
        if (taken < 0)
            return true;
        if (taken == 0 && !cursor.skipValue(1))
            return false;
        cursor.skipWhitespace();
        if (cursor.consume(','))
            continue;
        return cursor.consume('}') && cursor.skipToEnd();
    }
}

} // namespace

bool forEachTopLevelString(QByteArrayView data, StringVisitor visitor, void *context)
{
    bool malformed = false;
    const bool complete = walkTopLevelMembers(data, [&](QByteArrayView key, Cursor &cursor) {
        if (cursor.atEnd() || cursor.peek() != '"')
            return 0;
        QByteArrayView value;
        if (!cursor.scanString(&value)) {
            malformed = true;
            return -1;
        }
        visitor(context, key, value);
        return 1;
    });
    return complete && !malformed;
}

bool extractTopLevelString(QByteArrayView data, QByteArrayView key, QByteArrayView *value)
{
    bool found = false;
    walkTopLevelMembers(data, [&](QByteArrayView member, Cursor &cursor) {
        if (member != key || cursor.atEnd() || cursor.peek() != '"')
            return 0;
        found = cursor.scanString(value);
        return -1;
    });
    return found;
}

} // namespace JsonNumbers
