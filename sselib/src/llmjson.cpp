#include "llmjson.h"

#include <QByteArray>

#include <charconv>
#include <cstring>
#include <limits>

namespace Sse::Llm {

namespace {

constexpr int MaximumDepth = 128;

void skipSpace(const char *&p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
        ++p;
}

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

} // namespace

bool JsonTokens::parse(QByteArrayView text)
{
    m_tokens.clear();
    m_begin = text.data();
    m_end = m_begin + text.size();
    m_valid = false;
    if (text.size() >= std::numeric_limits<qint32>::max())
        return false;
    const char *p = m_begin;
    if (!value(p, 0))
        return false;
    skipSpace(p, m_end);
    m_valid = p == m_end;
    return m_valid;
}

JsonRef JsonTokens::root() const
{
    return m_valid ? JsonRef(this, 0) : JsonRef();
}

bool JsonTokens::string(const char *&p)
{
    const size_t index = m_tokens.size();
    m_tokens.push_back({qint32(p - m_begin), 0, 0, Kind::String, false});
    bool escaped = false;
    ++p; // the opening quote
    for (;;) {
        if (p >= m_end)
            return false;
        const unsigned char c = static_cast<unsigned char>(*p);
        if (c == '"')
            break;
        if (c == '\\') {
            escaped = true;
            p += 2;
            continue;
        }
        if (c < 0x20)
            return false;
        ++p;
    }
    ++p; // the closing quote
    Token &token = m_tokens[index];
    token.end = qint32(p - m_begin);
    token.next = qint32(m_tokens.size());
    token.escaped = escaped;
    return true;
}

bool JsonTokens::value(const char *&p, int depth)
{
    skipSpace(p, m_end);
    if (p >= m_end || depth > MaximumDepth)
        return false;
    if (*p == '"')
        return string(p);
    const size_t index = m_tokens.size();
    m_tokens.push_back({qint32(p - m_begin), 0, 0, Kind::Null, false});
    auto literal = [&](const char *word, size_t size, Kind kind) {
        if (size_t(m_end - p) < size || std::memcmp(p, word, size) != 0)
            return false;
        p += size;
        m_tokens[index].kind = kind;
        return true;
    };
    bool ok = true;
    switch (*p) {
    case '{':
    case '[': {
        const bool object = *p == '{';
        const char close = object ? '}' : ']';
        m_tokens[index].kind = object ? Kind::Object : Kind::Array;
        ++p;
        skipSpace(p, m_end);
        if (p < m_end && *p == close) {
            ++p;
            break;
        }
        for (;;) {
            if (object) {
                skipSpace(p, m_end);
                if (p >= m_end || *p != '"' || !string(p))
                    return false;
                skipSpace(p, m_end);
                if (p >= m_end || *p != ':')
                    return false;
                ++p;
            }
            if (!value(p, depth + 1))
                return false;
            skipSpace(p, m_end);
            if (p >= m_end)
                return false;
            if (*p == ',') {
                ++p;
                continue;
            }
            if (*p != close)
                return false;
            ++p;
            break;
        }
        break;
    }
    case 't':
        ok = literal("true", 4, Kind::True);
        break;
    case 'f':
        ok = literal("false", 5, Kind::False);
        break;
    case 'n':
        ok = literal("null", 4, Kind::Null);
        break;
    default: {
        m_tokens[index].kind = Kind::Number;
        const char *start = p;
        bool digits = false;
        while (p < m_end
               && ((*p >= '0' && *p <= '9') || *p == '-' || *p == '+' || *p == '.' || *p == 'e'
                   || *p == 'E')) {
            digits = digits || (*p >= '0' && *p <= '9');
            ++p;
        }
        ok = digits && p > start;
        break;
    }
    }
    if (!ok)
        return false;
    Token &token = m_tokens[index];
    token.end = qint32(p - m_begin);
    token.next = qint32(m_tokens.size());
    return true;
}

JsonRef JsonRef::value(QLatin1StringView key) const
{
    if (!isObject())
        return JsonRef();
    const std::vector<JsonTokens::Token> &tokens = m_tokens->m_tokens;
    const qint32 end = token().next;
    qint32 i = m_index + 1;
    while (i < end) {
        const JsonTokens::Token &name = tokens[size_t(i)];
        const qint32 valueIndex = i + 1;
        if (!name.escaped && name.end - name.start - 2 == key.size()
            && std::memcmp(m_tokens->m_begin + name.start + 1, key.data(), size_t(key.size()))
                == 0) {
            return JsonRef(m_tokens, valueIndex);
        }
        i = tokens[size_t(valueIndex)].next;
    }
    return JsonRef();
}

bool JsonRef::isEmpty() const
{
    return isUndefined() || token().next == m_index + 1;
}

QString JsonRef::toString() const
{
    if (!isString())
        return QString();
    const JsonTokens::Token &t = token();
    const char *p = m_tokens->m_begin + t.start + 1;
    const char *end = m_tokens->m_begin + t.end - 1;
    if (!t.escaped)
        return QString::fromUtf8(p, end - p);
    // Escapes go in as UTF-16 units, so a surrogate pair split over two strings (two chunks)
    // joins again when the texts are concatenated.
    QString out;
    out.reserve(end - p);
    const char *run = p;
    while (p < end) {
        if (*p != '\\') {
            ++p;
            continue;
        }
        out += QString::fromUtf8(run, p - run);
        const char c = p + 1 < end ? p[1] : '\\';
        p += 2;
        switch (c) {
        case 'n':
            out += u'\n';
            break;
        case 't':
            out += u'\t';
            break;
        case 'r':
            out += u'\r';
            break;
        case 'b':
            out += u'\b';
            break;
        case 'f':
            out += u'\f';
            break;
        case 'u': {
            int code = 0;
            for (int i = 0; i < 4 && p < end; ++i, ++p) {
                const int digit = hexValue(*p);
                code = code * 16 + (digit < 0 ? 0 : digit);
            }
            out += QChar(char16_t(code));
            break;
        }
        default: // '"', '\\', '/'
            out += QLatin1Char(c);
            break;
        }
        run = p;
    }
    out += QString::fromUtf8(run, end - run);
    return out;
}

qint64 JsonRef::toInteger(qint64 defaultValue) const
{
    if (!isDouble())
        return defaultValue;
    const JsonTokens::Token &t = token();
    const char *p = m_tokens->m_begin + t.start;
    const char *end = m_tokens->m_begin + t.end;
    qint64 value = 0;
    const auto result = std::from_chars(p, end, value);
    if (result.ec == std::errc() && result.ptr == end)
        return value;
    bool ok = false;
    const double number = QByteArray::fromRawData(p, end - p).toDouble(&ok);
    return ok ? qint64(number) : defaultValue;
}

QByteArray JsonRef::compactJson() const
{
    if (isUndefined())
        return QByteArray();
    const JsonTokens::Token &t = token();
    const char *p = m_tokens->m_begin + t.start;
    const char *end = m_tokens->m_begin + t.end;
    QByteArray out;
    out.reserve(end - p);
    bool inString = false;
    for (; p < end; ++p) {
        const char c = *p;
        if (inString) {
            out += c;
            if (c == '\\' && p + 1 < end)
                out += *++p;
            else if (c == '"')
                inString = false;
        } else if (c == '"') {
            inString = true;
            out += c;
        } else if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
            out += c;
        }
    }
    return out;
}

JsonRef::const_iterator JsonRef::begin() const
{
    if (!isArray())
        return const_iterator(m_tokens, 0);
    return const_iterator(m_tokens, m_index + 1);
}

JsonRef::const_iterator JsonRef::end() const
{
    if (!isArray())
        return const_iterator(m_tokens, 0);
    return const_iterator(m_tokens, token().next);
}

} // namespace Sse::Llm
