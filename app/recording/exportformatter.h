#pragma once

#include "sselib/filterexpression.h"
#include "sselib/jsonlines.h"
#include "sselib/jsonpath.h"
#include "sselib/sseevent.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QColor>
#include <QHash>
#include <QList>
#include <QString>
#include <QUrl>

#include <utility>
#include <vector>

enum class ExportFormat {
    /// The project's log format (sselib/jsonlines.h): a header record per connection, then one
    /// event record per event with the store's sequence number, each marked or annotated one
    /// followed by its `annotation` record (recording/annotationrecord.h). LogImporter reads it
    /// back.
    JsonLines,
    /// RFC 4180: UTF-8, CRLF after each row, header row `time,connection,type,id,data` plus one
    /// column per ExportOptions::jsonPaths entry; fields holding a comma, quote, CR or LF are
    /// quoted with quotes doubled. Data keeps its LF line breaks inside the quoted field. Time is
    /// ISO 8601 UTC with milliseconds. retry is not exported.
    Csv,
    /// The events in `text/event-stream` wire format (Sse::appendWireEvent): a client or
    /// Sse::Parser reads the same types, data, ids and retries back. Connections are merged into
    /// one stream and times are not kept. An event whose type holds CR or LF, or whose id holds CR,
    /// LF or NUL, cannot be written as such fields: it is left out, with a comment line
    /// (`: event N left out: ...`) in its place.
    SseText,
    /// One self-contained XHTML document (well-formed XML, served as HTML): a table with the
    /// columns of CSV (time, connection, type, id, data, one per ExportOptions::jsonPaths entry
    /// and, with ExportOptions::ruleColumn, "rule"), where the rule also gives the row its colours
    /// as an inline style. All text is escaped (& < > " '), bytes that are not UTF-8 become
    /// U+FFFD and control characters XML cannot hold are shown as their U+2400 pictures. No
    /// script, no external resources, no URLs or headers (so no secrets).
    Html,
};

/// A colouring rule as the export sees it: the first matching one names the event's rule.
struct ExportRule
{
    QString name;
    Sse::FilterExpression expression;
    QColor background; // HTML row colours; invalid = none
    QColor foreground;
};

/// One event to export, with what the event log knows about it.
struct ExportEvent
{
    qint64 sequence = 0;    // the store's sequence number (the JSON Lines "seq")
    quint16 connection = 0;
    Sse::Event event;
    bool marked = false; // the user's mark and note (JSON Lines keeps them)
    QString note;
};
using ExportEventList = QList<ExportEvent>;

struct ExportOptions
{
    /// Name per connection id; a missing one is written as "connection N".
    QHash<quint16, QString> connectionNames;
    /// URL per connection id, for the JSON Lines header records (optional).
    QHash<quint16, QUrl> connectionUrls;
    /// CSV and HTML: one extra column per path, in Sse::JsonPath syntax (`a.b[2].c`,
    /// `data["a b"]`). A number
    /// is written in the shortest form that reads back exactly; a string or boolean value is
    /// written as it is; anything else (missing, null, object, array, data not JSON) is empty.
    QList<QByteArray> jsonPaths;
    /// CSV and HTML: a last column "rule" with the name of the first of `rules` the event
    /// matches (empty when none does); HTML also gives the row that rule's colours.
    bool ruleColumn = false;
    QList<ExportRule> rules;
    /// Events that will be added in all, for Exporter::progress(); 0 = unknown.
    qint64 totalEvents = 0;
};

/// Turns events into bytes of one ExportFormat. Not thread-safe; the exporter's worker owns one.
class ExportFormatter
{
public:
    ExportFormatter(ExportFormat format, const ExportOptions &options);

    /// What comes before the first event (the CSV header row, the HTML head and table head).
    void appendPrologue(QByteArray &out);
    void append(QByteArray &out, const ExportEvent &event);
    /// What comes after the last event (the end of the HTML table and document).
    void appendEpilogue(QByteArray &out);
    void setConnectionName(quint16 connection, const QString &name);
    /// SSE text: events left out because their type or id cannot be an SSE field value.
    qint64 skippedEvents() const { return m_skippedEvents; }

    /// One CSV field, quoted if needed.
    static void appendCsvField(QByteArray &out, QByteArrayView field);
    /// The value of \a path in JSON \a data as CSV would show it (see ExportOptions::jsonPaths).
    static QByteArray jsonValue(QByteArrayView data, QByteArrayView path);
    /// \a text as HTML/XML character data or attribute value (see ExportFormat::Html).
    static void appendHtmlText(QByteArray &out, QByteArrayView text);

private:
    QString connectionName(quint16 connection) const;
    void appendJsonLines(QByteArray &out, const ExportEvent &event);
    void appendCsv(QByteArray &out, const ExportEvent &event);
    void appendHtml(QByteArray &out, const ExportEvent &event);
    /// The value of each ExportOptions::jsonPaths entry in the event's data, in order.
    QList<QByteArray> pathValues(const ExportEvent &event) const;
    /// The first of the rules the event matches, or nullptr.
    const ExportRule *matchingRule(const ExportEvent &event) const;

    ExportFormat m_format;
    ExportOptions m_options;
    Sse::JsonLines::TimeFormatter m_time;
    QHash<quint16, Sse::JsonLines::Writer> m_writers; // JSON Lines: one per connection seen
    QByteArray m_currentId;                           // SSE text: the id the reader has
    // JSON Lines: per connection, the last event time written and how many events had it, for
    // the event_index of annotation records.
    QHash<quint16, std::pair<qint64, int>> m_timeRuns;
    qint64 m_skippedEvents = 0;
    Sse::JsonPathSet m_paths; // the jsonPaths, resolved together
    std::vector<int> m_pathSlots; // per jsonPaths entry its slot in m_paths, -1 if invalid
};
