#pragma once

#include "recording/annotationrecord.h"

#include "sselib/jsonlines.h"
#include "sselib/llmanalyser.h"
#include "sselib/sseevent.h"
#include "sselib/sseparser.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QHash>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>
#include <QUrl>

/// Incremental reader of a recording: bytes in (any chunking), events and states out, grouped by
/// connection. A plain class on Qt Core and sselib only, so sse-monitor-cli compiles it as well;
/// LogImporter runs it on a worker thread.
///
/// Format detection: after an optional UTF-8 BOM and leading whitespace, a file whose first byte
/// is '{' is JSON Lines (the project's log format, see sselib/jsonlines.h); anything else is read
/// as a raw `text/event-stream` capture.
///
/// JSON Lines:
///   - header records name a connection and give its URL and request headers;
///   - event and state records go to the connection named by their "connection" member (created
///     on first sight if no header named it), or to the default connection when they have none;
///   - a line that is not a valid record (a torn last line after a crash, garbage) is skipped
///     and reported in warnings() as "line N: why"; reading always goes on;
///   - records of an unknown kind are skipped silently (later format versions may add kinds);
///   - `annotation` records (recording/annotationrecord.h) go to their connection's batch, after
///     the events read before them;
///   - an event record without "id" has the id of the connection's previous event record
///     (format version 2, see jsonlines.h); the events of such a run share one id buffer.
///
/// Raw captures carry no times. Each event gets a time interpolated by its byte offset between
/// the two ends of setRawTimeSpan() (LogImporter passes the file's birth and modification times,
/// or the modification time twice when the file system has no birth time). All events go to the
/// default connection. An event cut off by the end of the file is dropped with a warning.
class LogReader
{
public:
    enum class Format { Unknown, JsonLines, RawSse };

    struct Connection
    {
        QString name;
        QUrl url;
        QList<QPair<QByteArray, QByteArray>> requestHeaders;
    };

    /// An `llm` record: the summary of one LLM response, its request sent at timeMs.
    struct LlmRecord
    {
        qint64 timeMs = 0;
        Sse::Llm::Summary summary;
    };

    /// What one connection got since the previous takeBatches().
    struct ConnectionBatch
    {
        QString connection;
        Sse::EventList events;
        QList<Sse::JsonLines::StateRecord> states;
        QList<LlmRecord> llm;
        QList<AnnotationRecord> annotations; // after the events they refer to
    };

    struct Statistics
    {
        qint64 bytes = 0;
        qint64 lines = 0;        // JSON Lines only, blank lines included
        qint64 events = 0;
        qint64 states = 0;
        qint64 skippedLines = 0; // invalid records (JSON Lines) or discarded events (raw)
    };

    static constexpr int MaximumWarnings = 100; // further warnings are counted, not kept
    static constexpr qsizetype RawSliceBytes = 4096;
    // Bytes of `annotation` records kept per file (64 per record plus its note and type);
    // further records are skipped with a warning.
    static constexpr qsizetype MaximumAnnotationBytes = 16 * 1024 * 1024;

    LogReader() = default;

    /// Name of the connection that records without a "connection" member, and raw captures,
    /// belong to. Set it before the first feed().
    void setDefaultConnectionName(const QString &name) { m_defaultName = name; }
    QString defaultConnectionName() const { return m_defaultName; }
    void setRawTimeSpan(qint64 firstMs, qint64 lastMs, qint64 totalBytes);

    void feed(QByteArrayView bytes);
    /// End of input: the last line without a line break is read, a pending raw event dropped.
    void finish();

    Format format() const { return m_format; }
    const Statistics &statistics() const { return m_stats; }
    /// In order of first appearance.
    const QList<Connection> &connections() const { return m_connections; }

    qsizetype pendingEventCount() const { return m_pendingEvents; }
    /// Events and states read since the last call, in order of the connections' first appearance.
    QList<ConnectionBatch> takeBatches();

    QStringList warnings() const { return m_warnings; }
    qint64 warningCount() const { return m_warningCount; }

private:
    void detectFormat();
    void readLines(bool atEnd);
    void readLine(QByteArrayView line);
    void readRaw(QByteArrayView bytes, bool atEnd);
    int connectionIndex(const QString &name);
    void markDirty(int index); // call before adding to m_pending[index]
    void readLlmRecord(QByteArrayView line);
    bool readAnnotationRecord(QByteArrayView line);
    void warn(const QString &message);

    Format m_format = Format::Unknown;
    QString m_defaultName = QStringLiteral("recording");
    QByteArray m_buffer;      // undecided leading bytes, or the partial last line
    qint64 m_rawOffset = 0;   // bytes handed to the raw parser
    qint64 m_rawFirstMs = 0;
    qint64 m_rawLastMs = 0;
    qint64 m_rawTotalBytes = 0;
    Sse::Parser m_parser;
    Sse::EventList m_rawEvents;

    QList<Connection> m_connections;
    QList<ConnectionBatch> m_pending; // parallel to m_connections
    QList<QByteArray> m_lastIds;      // parallel to m_connections: id of the last event record
    QHash<QString, int> m_connectionIndexes; // name -> index in m_connections
    QList<int> m_dirty;               // connections with pending events or states
    qsizetype m_pendingEvents = 0;
    qsizetype m_annotationBytes = 0;
    bool m_annotationsCut = false;
    int m_lastConnection = -1;        // fast path: consecutive records share a connection
    Statistics m_stats;
    QStringList m_warnings;
    qint64 m_warningCount = 0;
};
