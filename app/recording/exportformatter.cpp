#include "recording/exportformatter.h"

#include "recording/annotationrecord.h"

#include "sselib/jsonpath.h"
#include "sselib/jsonscan.h"
#include "sselib/profile.h"

#include "sselib/replayserver.h"

#include <QLocale>
#include <QRegularExpression>
#include <QVarLengthArray>

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

// A JSON path's value as a cell: a number in its shortest exact form, a string decoded, a
// boolean as it is; null, objects, arrays and missing values are empty.
QByteArray cellText(const Sse::JsonPath::Value &value)
{
    switch (value.kind) {
    case Sse::JsonPath::Kind::Number: {
        double number = 0;
        if (!Sse::JsonScan::convertNumber(value.token, &number))
            return value.token.toByteArray();
        return formatNumber(number);
    }
    case Sse::JsonPath::Kind::String: {
        QByteArray text;
        Sse::JsonScan::appendDecodedString(value.token, &text);
        return text;
    }
    case Sse::JsonPath::Kind::Boolean:
        return value.token.toByteArray();
    default:
        return {};
    }
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
    // Every column's path in one set, so an event's data is read once for all of them.
    for (const QByteArray &text : std::as_const(m_options.jsonPaths)) {
        const Sse::JsonPath path = Sse::JsonPath::parse(QString::fromUtf8(text));
        m_pathSlots.push_back(path.isValid() ? m_paths.add(path) : -1);
    }
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
    QVarLengthArray<Sse::JsonPath::Value, 8> found(m_paths.size());
    m_paths.resolve(event.event.data, found.data());
    QList<QByteArray> values;
    values.reserve(qsizetype(m_pathSlots.size()));
    for (int slot : m_pathSlots)
        values.append(slot >= 0 ? cellText(found[slot]) : QByteArray());
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
    return cellText(Sse::JsonPath::parse(QString::fromUtf8(path)).resolve(data));
}
