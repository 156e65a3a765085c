#include "recording/exportformatter.h"

#include "recording/annotationrecord.h"

#include "charts/jsonnumbers.h"
#include "sselib/profile.h"

#include "sselib/replayserver.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>
#include <QLocale>
#include <QRegularExpression>

#include <optional>

namespace {

// A field a spreadsheet would evaluate as a formula (CWE-1236): it starts with one of these.
// A plain decimal number ("-12.5", "-1e5") is not a formula and stays as it is.
bool looksLikeFormula(QByteArrayView field)
{
    if (field.isEmpty() || !QByteArrayView("=+-@\t\r").contains(field.front()))
        return false;
    static const QRegularExpression number(
        QStringLiteral("^[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?$"));
    return field.size() > 64 || !number.match(QLatin1StringView(field)).hasMatch();
}

bool needsQuotes(QByteArrayView field)
{
    for (const char c : field) {
        if (c == ',' || c == '"' || c == '\r' || c == '\n')
            return true;
    }
    return false;
}

QByteArray formatNumber(double value)
{
    return QByteArray::number(value, 'g', QLocale::FloatingPointShortest);
}

// Follows a JsonNumbers-style path (`a.b[2].c`, `[0]`) through a parsed document.
QJsonValue walk(QJsonValue value, QByteArrayView path)
{
    qsizetype i = 0;
    while (i < path.size()) {
        if (path.at(i) == '[') {
            const qsizetype close = path.indexOf(']', i);
            if (close < 0 || !value.isArray())
                return QJsonValue(QJsonValue::Undefined);
            bool ok = false;
            const int index = path.sliced(i + 1, close - i - 1).toInt(&ok);
            const QJsonArray array = value.toArray();
            if (!ok || index < 0 || index >= array.size())
                return QJsonValue(QJsonValue::Undefined);
            value = array.at(index);
            i = close + 1;
        } else {
            qsizetype end = i;
            while (end < path.size() && path.at(end) != '.' && path.at(end) != '[')
                ++end;
            if (!value.isObject())
                return QJsonValue(QJsonValue::Undefined);
            value = value.toObject().value(QString::fromUtf8(path.sliced(i, end - i)));
            if (value.isUndefined())
                return value;
            i = end;
        }
        if (i < path.size() && path.at(i) == '.')
            ++i;
    }
    return value;
}

QByteArray fromJsonValue(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::String:
        return value.toString().toUtf8();
    case QJsonValue::Bool:
        return value.toBool() ? QByteArrayLiteral("true") : QByteArrayLiteral("false");
    case QJsonValue::Double:
        return formatNumber(value.toDouble());
    default:
        return {};
    }
}

bool looksLikeJsonContainer(QByteArrayView data)
{
    for (const char c : data) {
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
            continue;
        return c == '{' || c == '[';
    }
    return false;
}

} // namespace

ExportFormatter::ExportFormatter(ExportFormat format, const ExportOptions &options)
    : m_format(format), m_options(options)
{
}

void ExportFormatter::setConnectionName(quint16 connection, const QString &name)
{
    m_options.connectionNames.insert(connection, name);
}

QString ExportFormatter::connectionName(quint16 connection) const
{
    const QString name = m_options.connectionNames.value(connection);
    return name.isEmpty() ? QStringLiteral("connection %1").arg(connection) : name;
}

void ExportFormatter::appendPrologue(QByteArray &out)
{
    if (m_format != ExportFormat::Csv)
        return;
    out.append("time,connection,type,id,data");
    for (const QByteArray &path : std::as_const(m_options.jsonPaths)) {
        out.append(',');
        appendCsvField(out, path);
    }
    if (m_options.ruleColumn)
        out.append(",rule");
    out.append("\r\n");
}

void ExportFormatter::append(QByteArray &out, const ExportEvent &event)
{
    switch (m_format) {
    case ExportFormat::JsonLines:
        appendJsonLines(out, event);
        break;
    case ExportFormat::Csv:
        appendCsv(out, event);
        break;
    case ExportFormat::SseText:
        if (!Sse::appendWireEvent(out, event.event, &m_currentId)) {
            // Written as it is, the type or id would add fields of its own (`id:`, `retry:`,
            // `data:`): the event is left out and a comment in its place says so.
            out.append(": event ");
            out.append(QByteArray::number(event.sequence));
            out.append(" left out: its type or id holds a line break or NUL\n\n");
            ++m_skippedEvents;
        }
        break;
    }
}

void ExportFormatter::appendJsonLines(QByteArray &out, const ExportEvent &event)
{
    auto writer = m_writers.find(event.connection);
    if (writer == m_writers.end()) {
        // First event of this connection: its header record goes first.
        const QString name = connectionName(event.connection);
        writer = m_writers.insert(event.connection, Sse::JsonLines::Writer());
        writer->setConnection(name);
        const QUrl url = m_options.connectionUrls.value(event.connection);
        writer->appendHeader(out, name, Sse::redactedUrl(url));
    }
    writer->appendEvent(out, event.sequence, event.event);

    auto &run = m_timeRuns[event.connection];
    run.second = run.first == event.event.receivedMs ? run.second + 1 : 0;
    run.first = event.event.receivedMs;
    if (event.marked || !event.note.isEmpty()) {
        AnnotationRecord record;
        record.timeMs = event.event.receivedMs;
        record.connection = connectionName(event.connection);
        record.eventTimeMs = event.event.receivedMs;
        record.eventIndex = run.second;
        record.type = event.event.type;
        record.marked = event.marked;
        record.note = event.note;
        out.append(record.toLine());
    }
}

void ExportFormatter::appendCsv(QByteArray &out, const ExportEvent &event)
{
    m_time.append(out, event.event.receivedMs);
    out.append(',');
    appendCsvField(out, connectionName(event.connection).toUtf8());
    out.append(',');
    appendCsvField(out, event.event.type);
    out.append(',');
    appendCsvField(out, event.event.lastEventId);
    out.append(',');
    appendCsvField(out, event.event.data);
    std::optional<QJsonValue> document; // parsed at most once per event, only if needed
    for (const QByteArray &path : std::as_const(m_options.jsonPaths)) {
        out.append(',');
        double number = 0;
        if (JsonNumbers::extractNumber(event.event.data, path, &number)) {
            out.append(formatNumber(number));
            continue;
        }
        if (!looksLikeJsonContainer(event.event.data))
            continue;
        if (!document) {
            const QJsonDocument parsed = QJsonDocument::fromJson(event.event.data);
            document = parsed.isObject()  ? QJsonValue(parsed.object())
                     : parsed.isArray() ? QJsonValue(parsed.array())
                                        : QJsonValue(QJsonValue::Undefined);
        }
        appendCsvField(out, fromJsonValue(walk(*document, path)));
    }
    if (m_options.ruleColumn) {
        out.append(',');
        appendCsvField(out, ruleName(event).toUtf8());
    }
    out.append("\r\n");
}

QString ExportFormatter::ruleName(const ExportEvent &event) const
{
    Sse::FilterFields fields;
    fields.type = event.event.type;
    fields.id = event.event.lastEventId;
    fields.data = event.event.data;
    const QByteArray connection = connectionName(event.connection).toUtf8();
    fields.connection = connection;
    fields.timeMs = event.event.receivedMs;
    fields.sequence = event.sequence;
    for (const ExportRule &rule : m_options.rules) {
        if (rule.expression.matches(fields))
            return rule.name;
    }
    return QString();
}

void ExportFormatter::appendCsvField(QByteArray &out, QByteArrayView field)
{
    // OWASP's advice for CSV injection: a leading single quote makes the spreadsheet show the
    // field as text.
    const bool formula = looksLikeFormula(field);
    if (!needsQuotes(field)) {
        if (formula)
            out.append('\'');
        out.append(field);
        return;
    }
    out.append('"');
    if (formula)
        out.append('\'');
    qsizetype run = 0;
    for (qsizetype i = 0; i < field.size(); ++i) {
        if (field.at(i) == '"') {
            out.append(field.sliced(run, i + 1 - run)); // up to and including the quote
            out.append('"');
            run = i + 1;
        }
    }
    out.append(field.sliced(run));
    out.append('"');
}

QByteArray ExportFormatter::jsonValue(QByteArrayView data, QByteArrayView path)
{
    double number = 0;
    if (JsonNumbers::extractNumber(data, path, &number))
        return formatNumber(number);
    if (!looksLikeJsonContainer(data))
        return {};
    const QJsonDocument parsed = QJsonDocument::fromJson(data.toByteArray());
    const QJsonValue root = parsed.isObject() ? QJsonValue(parsed.object())
                                              : QJsonValue(parsed.array());
    return fromJsonValue(walk(root, path));
}
