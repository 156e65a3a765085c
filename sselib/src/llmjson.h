#pragma once

// A small JSON reader for the LLM analyser: one pass builds a flat list of tokens over the
// event's bytes (no allocation once the list has grown), lookups compare raw key bytes, and
// only the strings that are used are decoded. Far cheaper than QJsonDocument per chunk.

#include <QByteArrayView>
#include <QLatin1StringView>
#include <QString>

#include <vector>

namespace Sse::Llm {

class JsonRef;

class JsonTokens
{
public:
    /// Tokenises \a text, which must hold one JSON value (and white space). The bytes must
    /// stay alive while refs into them are used. False when it is not valid JSON.
    bool parse(QByteArrayView text);
    /// The root value, or an undefined ref when the last parse() failed.
    JsonRef root() const;

private:
    friend class JsonRef;
    enum class Kind : quint8 { Object, Array, String, Number, True, False, Null };
    struct Token
    {
        qint32 start; // offset of the first byte (a string's opening quote)
        qint32 end;   // offset after the last byte
        qint32 next;  // index of the token after this value and everything inside it
        Kind kind;
        bool escaped; // a string holding a backslash escape
    };
    bool value(const char *&p, int depth);
    bool string(const char *&p);

    std::vector<Token> m_tokens;
    const char *m_begin = nullptr;
    const char *m_end = nullptr;
    bool m_valid = false;
};

/// A value inside JsonTokens, with the QJsonValue accessors the analyser needs. A missing
/// member gives an undefined ref, whose accessors give the defaults.
class JsonRef
{
public:
    JsonRef() = default;

    bool isUndefined() const { return !m_tokens; }
    bool isObject() const { return is(JsonTokens::Kind::Object); }
    bool isArray() const { return is(JsonTokens::Kind::Array); }
    bool isString() const { return is(JsonTokens::Kind::String); }
    bool isDouble() const { return is(JsonTokens::Kind::Number); }
    bool isNull() const { return is(JsonTokens::Kind::Null); }

    /// The member named \a key of an object (keys compared as sent, unescaped).
    JsonRef value(QLatin1StringView key) const;
    bool contains(QLatin1StringView key) const { return !value(key).isUndefined(); }
    /// Itself when it is an object (an array), else undefined: reads like QJsonValue.
    JsonRef toObject() const { return isObject() ? *this : JsonRef(); }
    JsonRef toArray() const { return isArray() ? *this : JsonRef(); }
    bool isEmpty() const;

    QString toString() const;
    qint64 toInteger(qint64 defaultValue = 0) const;
    int toInt(int defaultValue = 0) const { return int(toInteger(defaultValue)); }
    bool toBool() const { return is(JsonTokens::Kind::True); }
    /// The value's JSON text without white space outside strings.
    QByteArray compactJson() const;

    /// The elements of an array (nothing for anything else).
    class const_iterator
    {
    public:
        JsonRef operator*() const { return JsonRef(m_tokens, m_index); }
        const_iterator &operator++()
        {
            m_index = m_tokens->m_tokens[size_t(m_index)].next;
            return *this;
        }
        bool operator!=(const const_iterator &other) const { return m_index != other.m_index; }

    private:
        friend class JsonRef;
        const_iterator(const JsonTokens *tokens, qint32 index) : m_tokens(tokens), m_index(index)
        {
        }
        const JsonTokens *m_tokens;
        qint32 m_index;
    };
    const_iterator begin() const;
    const_iterator end() const;

private:
    friend class JsonTokens;
    JsonRef(const JsonTokens *tokens, qint32 index) : m_tokens(tokens), m_index(index) {}
    bool is(JsonTokens::Kind kind) const
    {
        return m_tokens && m_tokens->m_tokens[size_t(m_index)].kind == kind;
    }
    const JsonTokens::Token &token() const { return m_tokens->m_tokens[size_t(m_index)]; }

    const JsonTokens *m_tokens = nullptr;
    qint32 m_index = 0;
};

} // namespace Sse::Llm
