#include "models/fieldcolumn.h"

#include "sselib/jsonpath.h"

#include <QSettings>

namespace FieldColumns {

namespace {
const QString SettingsKey = QStringLiteral("view/fieldColumns");
}

FieldColumnList load()
{
    QSettings settings;
    FieldColumnList columns;
    const int count = settings.beginReadArray(SettingsKey);
    for (int i = 0; i < qMin(count, MaximumColumns); ++i) {
        settings.setArrayIndex(i);
        FieldColumn column;
        column.title = settings.value(QStringLiteral("title")).toString();
        column.path = settings.value(QStringLiteral("path")).toString();
        column.type = settings.value(QStringLiteral("type")).toString().toUtf8();
        if (Sse::JsonPath::parse(column.path).isValid())
            columns.append(column);
    }
    settings.endArray();
    return columns;
}

void save(const FieldColumnList &columns)
{
    QSettings settings;
    settings.remove(SettingsKey);
    settings.beginWriteArray(SettingsKey, int(columns.size()));
    for (int i = 0; i < columns.size(); ++i) {
        settings.setArrayIndex(i);
        settings.setValue(QStringLiteral("title"), columns.at(i).title);
        settings.setValue(QStringLiteral("path"), columns.at(i).path);
        settings.setValue(QStringLiteral("type"), QString::fromUtf8(columns.at(i).type));
    }
    settings.endArray();
}

} // namespace FieldColumns
