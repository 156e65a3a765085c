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

// The value of one JSON path in data (see ExportOptions::jsonPaths). `document` is the data
// parsed, filled on first need, so an event's data is parsed at most once for all its paths.
QByteArray pathValue(QByteArrayView data, QByteArrayView path, std::optional<QJsonValue> *document)
{
    double number = 0;
    if (JsonNumbers::extractNumber(data, path, &number))
        return formatNumber(number);
    if (!looksLikeJsonContainer(data))
        return {};
    if (!*document) {
        const QJsonDocument parsed = QJsonDocument::fromJson(data.toByteArray());
        *document = parsed.isObject() ? QJsonValue(parsed.object())
            : parsed.isArray()        ? QJsonValue(parsed.array())
                                      : QJsonValue(QJsonValue::Undefined);
    }
    return fromJsonValue(walk(**document, path));
}

// The head of the HTML export: a document that needs nothing but itself.
constexpr char HtmlHead[] =
    "<!DOCTYPE html>\n"
    "<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n"
    "<head>\n"
    "<meta charset=\"utf-8\" />\n"
    "<title>SSE Monitor events</title>\n"
    "<style>\n"
    "body { font-family: sans-serif; font-size: 13px; margin: 8px; }\n"
    "table { border-collapse: collapse; }\n"
    "th, td { border: 1px solid #c8c8c8; padding: 2px 6px; text-align: left;"
    " vertical-align: top; }\n"
    "th { background: #eeeeee; position: sticky; top: 0; }\n"
    "td.data { font-family: monospace; white-space: pre-wrap; word-break: break-all; }\n"
    "</style>\n"
    "</head>\n"
    "<body>\n"
    "<table>\n";

void appendHtmlCell(QByteArray &out, QByteArrayView text, const char *open = "<td>")
{
    out.append(open);
    ExportFormatter::appendHtmlText(out, text);
    out.append("</td>");
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
    if (m_format == ExportFormat::Html) {
        out.append(HtmlHead);
        out.append("<thead><tr><th>time</th><th>connection</th><th>type</th><th>id</th>"
                   "<th>data</th>");
        for (const QByteArray &path : std::as_const(m_options.jsonPaths)) {
            out.append("<th>");
            appendHtmlText(out, path);
            out.append("</th>");
        }
        if (m_options.ruleColumn)
            out.append("<th>rule</th>");
        out.append("</tr></thead>\n<tbody>\n");
        return;
    }
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
    case ExportFormat::Html:
        appendHtml(out, event);
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
    const QList<QByteArray> values = pathValues(event);
    for (const QByteArray &value : values) {
        out.append(',');
        appendCsvField(out, value);
    }
    if (m_options.ruleColumn) {
        out.append(',');
        if (const ExportRule *rule = matchingRule(event))
            appendCsvField(out, rule->name.toUtf8());
    }
    out.append("\r\n");
}

QList<QByteArray> ExportFormatter::pathValues(const ExportEvent &event) const
{
    QList<QByteArray> values;
    values.reserve(m_options.jsonPaths.size());
    std::optional<QJsonValue> document; // parsed at most once per event, only if needed
    for (const QByteArray &path : std::as_const(m_options.jsonPaths))
        values.append(pathValue(event.event.data, path, &document));
    return values;
}

void ExportFormatter::appendHtml(QByteArray &out, const ExportEvent &event)
{
    const ExportRule *rule = m_options.ruleColumn ? matchingRule(event) : nullptr;
    out.append("<tr");
    if (rule && (rule->background.isValid() || rule->foreground.isValid())) {
        // QColor::name() is "#rrggbb": nothing in it needs escaping.
        out.append(" style=\"");
        if (rule->background.isValid()) {
            out.append("background-color: ");
            out.append(rule->background.name().toLatin1());
            out.append(rule->foreground.isValid() ? "; " : ";");
        }
        if (rule->foreground.isValid()) {
            out.append("color: ");
            out.append(rule->foreground.name().toLatin1());
            out.append(';');
        }
        out.append('"');
    }
    out.append('>');
    QByteArray time;
    m_time.append(time, event.event.receivedMs);
    appendHtmlCell(out, time);
    appendHtmlCell(out, connectionName(event.connection).toUtf8());
    appendHtmlCell(out, event.event.type);
    appendHtmlCell(out, event.event.lastEventId);
    appendHtmlCell(out, event.event.data, "<td class=\"data\">");
    const QList<QByteArray> values = pathValues(event);
    for (const QByteArray &value : values)
        appendHtmlCell(out, value);
    if (m_options.ruleColumn)
        appendHtmlCell(out, rule ? rule->name.toUtf8() : QByteArray());
    out.append("</tr>\n");
}

void ExportFormatter::appendEpilogue(QByteArray &out)
{
    if (m_format == ExportFormat::Html)
        out.append("</tbody>\n</table>\n</body>\n</html>\n");
}

void ExportFormatter::appendHtmlText(QByteArray &out, QByteArrayView text)
{
    // Bytes that are not UTF-8 would make the whole file unreadable as XML: each bad
    // sequence becomes U+FFFD first.
    QByteArray repaired;
    if (!text.isValidUtf8()) {
        repaired = QString::fromUtf8(text).toUtf8();
        text = repaired;
    }
    qsizetype run = 0; // start of the bytes not yet copied
    auto replace = [&](qsizetype at, qsizetype length, QByteArrayView with) {
        out.append(text.sliced(run, at - run));
        out.append(with);
        run = at + length;
    };
    for (qsizetype i = 0; i < text.size(); ++i) {
        const auto c = uchar(text.at(i));
        switch (c) {
        case '&':
            replace(i, 1, "&amp;");
            continue;
        case '<':
            replace(i, 1, "&lt;");
            continue;
        case '>':
            replace(i, 1, "&gt;");
            continue;
        case '"':
            replace(i, 1, "&quot;");
            continue;
        case '\'':
            replace(i, 1, "&#39;");
            continue;
        case '\r':
            replace(i, 1, "&#13;"); // a parser would turn a plain CR into LF
            continue;
        case '\t':
        case '\n':
            continue;
        default:
            break;
        }
        if (c < 0x20) {
            // Not allowed in XML 1.0 even as a reference: its control picture, U+2400 + c.
            const char picture[] = {char(0xE2), char(0x90), char(0x80 + c)};
            replace(i, 1, QByteArrayView(picture, 3));
        } else if (c == 0xEF && i + 2 < text.size() && uchar(text.at(i + 1)) == 0xBF
                   && (uchar(text.at(i + 2)) == 0xBE || uchar(text.at(i + 2)) == 0xBF)) {
            replace(i, 3, "\xEF\xBF\xBD"); // U+FFFE and U+FFFF are not XML characters
            i += 2;
        }
    }
    out.append(text.sliced(run));
}

const ExportRule *ExportFormatter::matchingRule(const ExportEvent &event) const
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
            return &rule;
    }
    return nullptr;
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
    std::optional<QJsonValue> document;
    return pathValue(data, path, &document);
}
