#pragma once

#include <QByteArrayView>
#include <QCoreApplication>
#include <QFlags>
#include <QString>
#include <QStringList>

#include <memory>

namespace Sse {

/// The fields of one event that a filter expression can read. All text is UTF-8; the views
/// only need to live for the call to FilterExpression::matches().
struct FilterFields
{
    QByteArrayView type;
    QByteArrayView id;
    QByteArrayView data;
    QByteArrayView connection; ///< the connection's name
    qint64 timeMs = 0;         ///< receive time, ms since the Unix epoch
    qint64 sequence = 0;
    bool marked = false; ///< the user marked the event (only where the expression allows marks)
};

/// A compiled display filter, the one filter language of the GUI's filter bar, the CLI's
/// --filter and the replay server, for example
///
///     type == "trade" && data.price > 100
///     data.choices[0].delta.content contains "SSE" && !(id matches "^test-")
///     data["a b"] in {1, 2, "three"} || not data.sensor
///
/// Fields: type, id, data (the whole text), size (data bytes), connection, time (ms since the
/// epoch), seq, marked (true when the user marked the event in the event log), and
/// data.<path> with `.name`, `[n]` and `["any name"]` steps into the data's JSON (the syntax of
/// Sse::JsonPath). Literals: JSON numbers, double-quoted strings with JSON escapes, true, false,
/// null. Operators: == != < <= > >=, contains (substring, case-sensitive), matches (a
/// QRegularExpression), in {...}; && and, || or, ! not, parentheses. A field alone is true when
/// it exists and is not false, null, "" or 0.
///
/// Semantics: a missing field or a path that does not resolve makes every comparison false.
/// Numbers compare numerically; a string compared with a number (either side a literal) is
/// compared as a number when the whole string is one, otherwise the comparison is false; two
/// strings compare by code point. true, false and null equal only themselves (so
/// `data.x != null` is true for any x that exists and is not null). Other pairs of kinds (a
/// boolean and a number, an object and anything) compare false. contains and matches look at a
/// string's text and at the JSON text of any other value.
///
/// parse() compiles once; matches() evaluates without re-parsing and resolves every data path
/// of the expression in one pass over the data, only when the evaluation first needs one.
/// Copies share the compiled form (immutable), so they are cheap and safe to use from several
/// threads.
class FilterExpression
{
    Q_DECLARE_TR_FUNCTIONS(Sse::FilterExpression)

public:
    enum class Field {
        Type = 0x1,
        Id = 0x2,
        Data = 0x4, ///< the whole text, its size, or a path into it
        Connection = 0x8,
        Time = 0x10,
        Sequence = 0x20,
        Marked = 0x40,
    };
    Q_DECLARE_FLAGS(Fields, Field)

    /// The empty expression: valid, matches every event.
    FilterExpression();
    ~FilterExpression();
    FilterExpression(const FilterExpression &other);
    FilterExpression &operator=(const FilterExpression &other);

    /// Whether the events the expression will test can be marked. Only the event log's stored
    /// events carry marks; a filter on live events (the command line, the replay server, alert
    /// rules, the chart) rejects `marked` with an error rather than never matching it.
    enum class Marks { Unavailable, Available };

    /// Compiles \a text. An empty or all-blank text gives the empty expression.
    static FilterExpression parse(const QString &text, Marks marks = Marks::Unavailable);

    QString text() const { return m_text; }
    bool isEmpty() const;
    bool isValid() const { return m_errorColumn == 0; }
    /// "column 17: expected a value after '>'" (translated), or empty when valid.
    QString errorString() const { return m_errorString; }
    /// 1-based column (in characters) of the error, 0 when valid.
    int errorColumn() const { return m_errorColumn; }

    /// The fields matches() reads, so callers can leave the others empty.
    Fields fields() const;

    /// True when the event passes. An invalid expression matches nothing.
    bool matches(const FilterFields &event) const;

    /// The field names of the language, for completion.
    static QStringList fieldNames();

    friend bool operator==(const FilterExpression &lhs, const FilterExpression &rhs)
    {
        return lhs.m_text == rhs.m_text;
    }
    friend bool operator!=(const FilterExpression &lhs, const FilterExpression &rhs)
    {
        return !(lhs == rhs);
    }

    class Program; // the compiled form, defined in filterexpression.cpp

private:
    QString m_text;
    std::shared_ptr<const Program> m_program; // null for the empty and invalid expressions
    QString m_errorString;
    int m_errorColumn = 0;
};

} // namespace Sse

Q_DECLARE_OPERATORS_FOR_FLAGS(Sse::FilterExpression::Fields)
