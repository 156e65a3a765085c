#include "models/fieldcolumn.h"

#include "models/eventlogmodel.h"

#include <sselib/jsonscan.h>

#include <QSettings>

namespace {

using Sse::JsonScan::Cursor;

bool isNameCharacter(QChar c)
{
    return c != u'.' && c != u'[' && c != u']' && !c.isSpace();
}

// Leaves the cursor just past the value and reports its kind and span.
bool scanValue(Cursor &cursor, FieldPath::Value *value)
{
    if (cursor.atEnd())
        return false;
    const char *start = cursor.position();
    switch (cursor.peek()) {
    case '"': {
        QByteArrayView content;
        if (!cursor.scanString(&content))
            return false;
        *value = {FieldPath::Kind::String, content};
        return true;
    }
    case '{':
    case '[': {
        const bool object = cursor.peek() == '{';
        if (!cursor.skipValue(0))
            return false;
        *value = {object ? FieldPath::Kind::Object : FieldPath::Kind::Array,
                  QByteArrayView(start, cursor.position() - start)};
        return true;
    }
    case 't':
    case 'f':
    case 'n': {
        if (!cursor.scanLiteral())
            return false;
        const QByteArrayView token(start, cursor.position() - start);
        *value = {token == "null" ? FieldPath::Kind::Null : FieldPath::Kind::Boolean, token};
        return true;
    }
    default: {
        QByteArrayView token;
        if (!cursor.scanNumber(&token))
            return false;
        *value = {FieldPath::Kind::Number, token};
        return true;
    }
    }
}

qint64 arrayLength(QByteArrayView array)
{
    Cursor cursor(array);
    if (!cursor.consume('['))
        return 0;
    cursor.skipWhitespace();
    if (cursor.consume(']'))
        return 0;
    qint64 count = 0;
    for (;;) {
        cursor.skipWhitespace();
        if (!cursor.skipValue(1))
            return count;
        ++count;
        cursor.skipWhitespace();
        if (!cursor.consume(','))
            return count;
    }
}

} // namespace

FieldPath FieldPath::parse(const QString &text)
{
    FieldPath path;
    path.m_text = text.trimmed();
    const QString &t = path.m_text;
    qsizetype i = 0;
    const qsizetype n = t.size();
    // An optional leading `data`, as in the filter language.
    if (t.startsWith(QLatin1String("data")) && (n == 4 || t.at(4) == u'.' || t.at(4) == u'['))
        i = 4;
    bool first = i == 0;
    while (i < n) {
        Step step;
        if (t.at(i) == u'[') {
            ++i;
            if (i < n && t.at(i) == u'"') {
                // A quoted name with JSON escapes.
                const qsizetype begin = ++i;
                while (i < n && t.at(i) != u'"')
                    i += t.at(i) == u'\\' ? 2 : 1;
                if (i >= n)
                    return FieldPath();
                Sse::JsonScan::appendDecodedString(t.mid(begin, i - begin).toUtf8(), &step.name);
                ++i;
            } else {
                const qsizetype begin = i;
                while (i < n && t.at(i).isDigit())
                    ++i;
                bool ok = false;
                step.index = t.mid(begin, i - begin).toLongLong(&ok);
                if (!ok)
                    return FieldPath();
            }
            if (i >= n || t.at(i) != u']')
                return FieldPath();
            ++i;
        } else {
            if (t.at(i) == u'.')
                ++i;
            else if (!first)
                return FieldPath();
            const qsizetype begin = i;
            while (i < n && isNameCharacter(t.at(i)))
                ++i;
            if (i == begin)
                return FieldPath();
            step.name = t.mid(begin, i - begin).toUtf8();
        }
        first = false;
        path.m_steps.push_back(std::move(step));
    }
    path.m_valid = true;
    return path;
}

FieldPath::Value FieldPath::resolve(QByteArrayView data) const
{
    if (!m_valid)
        return {};
    Cursor cursor(data);
    cursor.skipWhitespace();
    QByteArray decodedKey;
    for (const Step &step : m_steps) {
        if (cursor.atEnd())
            return {};
        const bool wantObject = step.index < 0;
        if (!cursor.consume(wantObject ? '{' : '['))
            return {};
        cursor.skipWhitespace();
        if (cursor.consume(wantObject ? '}' : ']'))
            return {};
        bool found = false;
        for (qint64 element = 0; !found; ++element) {
            cursor.skipWhitespace();
            if (wantObject) {
                QByteArrayView key;
                if (cursor.atEnd() || cursor.peek() != '"' || !cursor.scanString(&key))
                    return {};
                cursor.skipWhitespace();
                if (!cursor.consume(':'))
                    return {};
                cursor.skipWhitespace();
                if (key.contains('\\')) {
                    decodedKey.clear();
                    Sse::JsonScan::appendDecodedString(key, &decodedKey);
                    found = decodedKey == step.name;
                } else {
                    found = key == step.name;
                }
            } else {
                found = element == step.index;
            }
            if (found)
                break;
            if (!cursor.skipValue(1))
                return {};
            cursor.skipWhitespace();
            if (!cursor.consume(','))
                return {}; // end of the container (or malformed): no such member
        }
    }
    Value value;
    if (!scanValue(cursor, &value))
        return {};
    if (m_steps.empty()) {
        // The whole data must be this one value.
        if (!cursor.skipToEnd())
            return {};
    }
    return value;
}

QString FieldPath::compactText(const Value &value, int maxCharacters)
{
    switch (value.kind) {
    case Kind::Missing:
        return QString();
    case Kind::String: {
        if (!value.token.contains('\\'))
            return EventLogModel::linePreview(value.token, maxCharacters);
        QByteArray decoded;
        Sse::JsonScan::appendDecodedString(value.token, &decoded);
        return EventLogModel::linePreview(decoded, maxCharacters);
    }
    case Kind::Object:
        return QStringLiteral("{\u2026}");
    case Kind::Array:
        return QStringLiteral("[%1]").arg(arrayLength(value.token));
    case Kind::Null:
    case Kind::Boolean:
    case Kind::Number:
        return QString::fromLatin1(value.token);
    }
    return QString();
}

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
        if (FieldPath::parse(column.path).isValid())
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
