#pragma once

#include "sselib/sseevent.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QPair>
#include <QString>

namespace Sse {

/// The project's JSON Lines log format: one JSON object per line.
///   {"kind":"event","seq":N,"time":"2026-11-23T20:01:02.123Z","type":"..","data":"..","id":".."}
///   {"kind":"state","seq":N,"time":"..","state":"reconnecting","retry_ms":3000,"attempt":2,"error":".."}
///   {"kind":"header","format":"sse-monitor-log","version":1,"connection":"..","url":".."}
/// Optional members: "retry" (event), "connection" (any record), "status", "reason" (state),
/// "request_headers" (header: an array of [name, value] pairs, as the caller passed them).
///
/// Ids (version 2): an event record without "id" has the id of the previous event record of
/// the same connection in the file (empty if there is none). A writer with
/// Writer::IdRule::WhenChanged writes "id" only when it differs from that, so an id sent once and
/// in force for a million events is written once; its header records say "version":2 and
/// "ids":"when-changed". Version 1 files carry "id" in every event record and read the same.
namespace JsonLines {

/// Appends \a text (UTF-8) as a JSON string literal, quotes included.
void appendString(QByteArray &out, QByteArrayView text);
void appendString(QByteArray &out, const QString &text);

/// ISO 8601 UTC with milliseconds, e.g. 2026-11-23T20:01:02.123Z.
class TimeFormatter
{
public:
    /// Bytes append() adds at most.
    static constexpr qsizetype MaximumBytes = 32;
    void append(QByteArray &out, qint64 msSinceEpoch);
    /// Writes at \a out (MaximumBytes free) and returns the end.
    char *write(char *out, qint64 msSinceEpoch);

private:
    qint64 m_cachedSecond = -1;
    char m_prefix[24] = {}; // "2026-11-23T20:01:02."
    int m_prefixSize = 0;
};

struct StateRecord
{
    qint64 timeMs = 0;
    QString state;      ///< connecting, open, reconnecting, closed, failed
    qint64 retryMs = -1;
    int attempt = 0;
    int status = 0;
    QString protocol;   ///< open: "HTTP/1.1" or "HTTP/2"
    QString error;
    QByteArray lastEventId; ///< sent with the request (connecting) or in force
    QString proxy; ///< connecting, open: the proxy used ("http://127.0.0.1:8888"), empty: none
};

class Writer
{
public:
    enum class IdRule {
        EveryEvent,  ///< "id" in every event record (version 1; line-by-line consumers)
        WhenChanged, ///< "id" only when it differs from the previous event record's (version 2)
    };
    void setIdRule(IdRule rule) { m_idRule = rule; }
    IdRule idRule() const { return m_idRule; }
    /// The next event record carries its id again (a new file, or a header written anew).
    void forgetLastId()
    {
        m_lastId.clear();
        m_hasLastId = false;
    }

    /// Name of the connection added to every record ("connection" member), or empty.
    void setConnection(const QString &name) { m_connection = name.toUtf8(); }
    void appendHeader(QByteArray &out, const QString &name, const QString &url);
    /// A header record that also lists the request headers. Redact secrets before
    /// calling (Sse::redactHeaders()): the values are written as given.
    void appendHeader(QByteArray &out, const QString &name, const QString &url,
                      const QList<QPair<QByteArray, QByteArray>> &requestHeaders);
    void appendEvent(QByteArray &out, qint64 seq, const EventView &event);
    void appendEvent(QByteArray &out, qint64 seq, const Event &event);
    void appendState(QByteArray &out, qint64 seq, const StateRecord &state);

private:
    void appendEventRecord(QByteArray &out, qint64 seq, const EventView &event, bool withId);
    void appendCommon(QByteArray &out, const char *kind, qint64 seq, qint64 timeMs);
    qsizetype commonBound() const;
    char *writeCommon(char *out, const char *kind, qint64 seq, qint64 timeMs);
    TimeFormatter m_time;
    QByteArray m_connection;
    IdRule m_idRule = IdRule::EveryEvent;
    QByteArray m_lastId; // WhenChanged: the id of the last event record written
    bool m_hasLastId = false;
};

/// One parsed record of a log file.
struct Record
{
    enum class Kind { Invalid, Header, Event, State, Other };
    Kind kind = Kind::Invalid;
    qint64 seq = -1;
    qint64 timeMs = 0;
    QString connection;
    Event event;       ///< Kind::Event
    bool hasId = false; ///< Kind::Event: the record has an "id" member (else it inherits one)
    StateRecord state; ///< Kind::State
    QString url;       ///< Kind::Header
    QList<QPair<QByteArray, QByteArray>> requestHeaders; ///< Kind::Header, if recorded
    QString error;     ///< why a line is Invalid
};

Record parseRecord(QByteArrayView line);
qint64 parseTime(QByteArrayView iso8601);

} // namespace JsonLines
} // namespace Sse
