#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>
#include <QStringView>

#include <vector>

namespace Sse {

/// A path into the JSON of an event's data, the one spelling of the whole product: the filter
/// language's `data.usage.output_tokens`, `data.choices[0].delta.content`, `data["a b"].c`,
/// and the same text in log columns, colouring rules, alerts, the chart filter and CSV export.
///
/// Steps: `.name` (a name starts with one of A-Z a-z 0-9 _ $ or any character from U+0080 and
/// goes on with those and `-`),
/// `[n]` (an array index, decimal) and `["any name"]` (a quoted name with JSON escapes);
/// blanks are allowed inside the brackets. Written alone (a log column, an export path) the
/// leading `data` is optional and the first step may be a name without its dot:
/// `usage.output_tokens`, `[0].name`; an empty path is the whole data.
///
/// resolve() walks the data once with Sse::JsonScan's cursor (strict JSON, no QJsonDocument)
/// and stops at the value; a repeated member name gives its first value.
class JsonPath
{
public:
    enum class Kind : quint8 { Missing, Null, Boolean, Number, String, Object, Array };

    /// A value found in the data: its kind and its JSON text (a string without its quotes,
    /// still escaped). The token points into the resolved data.
    struct Value
    {
        Kind kind = Kind::Missing;
        QByteArrayView token;
    };

    struct Step
    {
        QByteArray name; ///< a member's decoded UTF-8 name, when index < 0
        qint64 index = -1; ///< an array element
        friend bool operator==(const Step &a, const Step &b)
        {
            return a.index == b.index && (a.index >= 0 || a.name == b.name);
        }
    };

    /// An invalid path: it resolves to nothing.
    JsonPath() = default;

    /// A path written alone (see the class comment). Blanks around it are ignored.
    static JsonPath parse(QStringView text);
    /// The steps that start at text[*position] (a '.' or a '['), as the filter language writes
    /// them after `data`. Stops before the first character that starts no step and leaves
    /// *position there; on an error *position is where it was found.
    static JsonPath parseSteps(QStringView text, qsizetype *position);

    bool isValid() const { return m_valid; }
    /// "expected ']' after the index, found 'x'" (translated), empty when valid.
    QString errorString() const { return m_error; }
    /// The text that was parsed (for parseSteps() only the steps).
    QString text() const { return m_text; }
    const std::vector<Step> &steps() const { return m_steps; }

    Value resolve(QByteArrayView data) const;

    /// One table cell: numbers as their JSON, strings decoded and elided at maxCharacters,
    /// true/false/null, an object as `{…}`, an array as `[N]` with its element count.
    /// Missing gives "".
    static QString compactText(const Value &value, int maxCharacters = 60);

    /// True when \a key can be written as `.key`.
    static bool isName(QStringView key);
    /// What a name starts with (and a filter's words are made of).
    static bool isNameCharacter(QChar c)
    {
        const char16_t u = c.unicode();
        return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9')
            || u == '_' || u == '$' || u >= 0x80;
    }
    /// What a name goes on with: a dash too (`content-type`, `x-request-id`). The filter
    /// language has no subtraction, so a dash after a name character cannot mean anything else.
    static bool isNameContinuation(QChar c) { return isNameCharacter(c) || c == u'-'; }
    /// The one rule for writing a step: appends `.key` when the key is a name, else
    /// `["key"]` with JSON escapes.
    static void appendKey(QString &path, QStringView key);
    /// Appends `[index]`.
    static void appendIndex(QString &path, qint64 index);

    /// Reads a double-quoted string with JSON escapes starting at text[*position] (the quote)
    /// into UTF-8 \a out (a lone surrogate becomes U+FFFD) and leaves *position past the
    /// closing quote. On an error returns false with *errorPosition and *error set. The filter
    /// language reads its string literals with it too.
    static bool parseQuoted(QStringView text, qsizetype *position, QByteArray *out,
                            qsizetype *errorPosition, QString *error);

private:
    QString m_text;
    QString m_error;
    std::vector<Step> m_steps;
    bool m_valid = false;
};

/// Several paths resolved in one pass over the data: the filter language's paths of one
/// expression, the JSON-path columns of an export. Paths share their common steps.
class JsonPathSet
{
public:
    /// Adds a valid \a path and returns its slot (the same slot for the same path again).
    int add(const JsonPath &path);
    /// How many slots resolve() fills.
    int size() const { return m_slotCount; }
    bool isEmpty() const { return m_slotCount == 0; }

    /// Stores each path's value at values[slot]; \a values holds size() entries, all Missing
    /// on entry. Stops reading the data once every path has its value.
    void resolve(QByteArrayView data, JsonPath::Value *values) const;

    /// The step tree, for the walker in jsonpath.cpp.
    struct Node
    {
        JsonPath::Step step;
        int slot = -1; ///< a path ends here
        std::vector<int> children;
    };

private:
    std::vector<Node> m_nodes {Node()}; // [0] is the data itself
    int m_slotCount = 0;
};

} // namespace Sse
