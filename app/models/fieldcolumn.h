#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QMetaType>
#include <QString>

// One column of the event log taken from a JSON path (View > Columns…, "Apply as Column").
struct FieldColumn
{
    QString title; // header text; empty shows the path
    QString path; // Sse::JsonPath syntax
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
