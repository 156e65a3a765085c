#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QMetaType>
#include <QString>

#include <vector>

// A compiled JSON path into an event's data, in the filter language's spelling:
// `data.usage.output_tokens`, `choices[0].delta.content`, `data["a b"].c` (the leading `data`
// is optional). Resolves with one pass of Sse::JsonScan over the data, no QJsonDocument.
class FieldPath
{
public:
    enum class Kind : quint8 { Missing, Null, Boolean, Number, String, Object, Array };

    struct Value
    {
        Kind kind = Kind::Missing;
        QByteArrayView token; // the JSON text of the value (a string without its quotes)
    };

    FieldPath() = default;
    // An unparsable path gives an invalid FieldPath (isValid() false, resolves to Missing).
    static FieldPath parse(const QString &text);
    bool isValid() const { return m_valid; }
    QString text() const { return m_text; }

    Value resolve(QByteArrayView data) const;

    // One cell: numbers as JSON, strings decoded and elided at maxCharacters, true/false/null,
    // an object as `{…}`, an array as `[N]` with its element count. Missing gives "".
    static QString compactText(const Value &value, int maxCharacters = 60);

private:
    struct Step
    {
        QByteArray name; // decoded UTF-8 key; empty with index >= 0 for `[n]`
        qint64 index = -1;
    };
    QString m_text;
    std::vector<Step> m_steps;
    bool m_valid = false;
};

// One column of the event log taken from a JSON path (View > Columns…, "Apply as Column").
struct FieldColumn
{
    QString title; // header text; empty shows the path
    QString path; // FieldPath syntax
    QByteArray type; // only events of this type show a value; empty = every type

    QString displayTitle() const { return title.isEmpty() ? path : title; }
    friend bool operator==(const FieldColumn &a, const FieldColumn &b)
    {
        return a.title == b.title && a.path == b.path && a.type == b.type;
    }
};
using FieldColumnList = QList<FieldColumn>;

namespace FieldColumns {
constexpr int MaximumColumns = 32;
// The columns saved in the settings (key "view/fieldColumns").
FieldColumnList load();
void save(const FieldColumnList &columns);
} // namespace FieldColumns
