#include "sselib/jsonlines.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QTimeZone>

#include <cstring>

namespace Sse::JsonLines {

namespace {

char *writeNumber(char *out, qint64 value)
{
    char buffer[24];
    char *end = buffer + sizeof buffer;
    char *p = end;
    const bool negative = value < 0;
    quint64 magnitude = negative ? quint64(-(value + 1)) + 1 : quint64(value);
    do {
        *--p = char('0' + magnitude % 10);
        magnitude /= 10;
    } while (magnitude);
    if (negative)
        *--p = '-';
    std::memcpy(out, p, size_t(end - p));
    return out + (end - p);
}

void appendNumber(QByteArray &out, qint64 value)
{
    char buffer[24];
    out.append(buffer, writeNumber(buffer, value) - buffer);
}

template<size_t N>
char *writeLiteral(char *out, const char (&text)[N])
{
    std::memcpy(out, text, N - 1);
    return out + N - 1;
}

void appendTwo(char *p, int value)
{
    p[0] = char('0' + value / 10);
    p[1] = char('0' + value % 10);
}

// Whether any of the eight bytes of \a word needs escaping (SWAR): a control (below 0x20),
// a quote or a backslash.
inline bool wordNeedsEscape(quint64 word)
{
    constexpr quint64 ones = 0x0101010101010101ULL;
    constexpr quint64 highs = 0x8080808080808080ULL;
    auto hasZero = [](quint64 x) { return (x - ones) & ~x & highs; };
    const quint64 control = (word - ones * 0x20) & ~word & highs;
    return (control | hasZero(word ^ (ones * '"')) | hasZero(word ^ (ones * '\\'))) != 0;
}

} // namespace

namespace {

// The most bytes a string of \a size bytes takes as a JSON literal: quotes plus \u00XX each.
constexpr qsizetype escapedBound(qsizetype size)
{
    return 2 + 6 * size;
}

// How each byte is written inside a JSON string: kind 0 as itself, 1 as a backslash and
// its letter ("\"" "\\" "\n" "\r" "\t"), 2 as \u00XX (the other controls).
struct EscapeTable
{
    unsigned char kind[256];
    char letter[256];
    constexpr EscapeTable() : kind(), letter()
    {
        for (int c = 0; c < 0x20; ++c)
            kind[c] = 2;
        const char simple[][2] = {{'"', '"'}, {'\\', '\\'}, {'\n', 'n'}, {'\r', 'r'},
                                  {'\t', 't'}};
        for (const auto &pair : simple) {
            kind[static_cast<unsigned char>(pair[0])] = 1;
            letter[static_cast<unsigned char>(pair[0])] = pair[1];
        }
    }
};
constexpr EscapeTable Escapes;

// Writes \a text as a JSON string literal at \a out (escapedBound() bytes free), returns
// the end. Words of eight bytes without anything to escape are stored whole as they are
// scanned; the others, and the tail, byte by byte without a branch for quotes and
// backslashes, which JSON data held in a string is full of (a branch taken every few bytes
// at random costs more than the copy). No library copy: for the short runs between two
// quotes a call to memcpy cost more than the whole record (measured in the CLI).
char *writeString(char *out, QByteArrayView text)
{
    static const char hex[] = "0123456789abcdef";
    *out++ = '"';
    const char *p = text.data();
    const char *const end = p + text.size();
    auto writeByte = [&out](unsigned char c) {
        const unsigned kind = Escapes.kind[c];
        if (Q_LIKELY(kind < 2)) {
            out[0] = '\\';
            out[kind] = kind ? Escapes.letter[c] : char(c);
            out += 1 + kind;
        } else {
            *out++ = '\\';
            *out++ = 'u';
            *out++ = '0';
            *out++ = '0';
            *out++ = hex[c >> 4];
            *out++ = hex[c & 15];
        }
    };
    for (; end - p >= 8; p += 8) {
        quint64 word;
        std::memcpy(&word, p, 8);
        if (Q_LIKELY(!wordNeedsEscape(word))) {
            std::memcpy(out, &word, 8); // at least 6 * 8 bytes are free for these 8
            out += 8;
            continue;
        }
        for (int i = 0; i < 8; ++i)
            writeByte(static_cast<unsigned char>(p[i]));
    }
    for (; p < end; ++p)
        writeByte(static_cast<unsigned char>(*p));
    *out++ = '"';
    return out;
}

// Grows \a out by up to \a bound bytes for a writer, then trims it to what was written.
template<typename Write>
void appendBounded(QByteArray &out, qsizetype bound, Write &&write)
{
    const qsizetype start = out.size();
    out.resize(start + bound);
    char *const begin = out.data() + start;
    char *const end = write(begin);
    out.resize(start + (end - begin));
}

} // namespace

void appendString(QByteArray &out, QByteArrayView text)
{
    appendBounded(out, escapedBound(text.size()),
                  [text](char *p) { return writeString(p, text); });
}

void appendString(QByteArray &out, const QString &text)
{
    appendString(out, QByteArrayView(text.toUtf8()));
}

char *TimeFormatter::write(char *out, qint64 msSinceEpoch)
{
    const qint64 second = msSinceEpoch >= 0 ? msSinceEpoch / 1000 : (msSinceEpoch - 999) / 1000;
    if (second != m_cachedSecond) {
        m_cachedSecond = second;
        const QDateTime time = QDateTime::fromSecsSinceEpoch(second, QTimeZone::utc());
        const QByteArray prefix =
            time.toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss.")).toLatin1().left(sizeof m_prefix);
        std::memcpy(m_prefix, prefix.constData(), size_t(prefix.size()));
        m_prefixSize = int(prefix.size());
    }
    const int ms = int(msSinceEpoch - second * 1000);
    // Years 1000-9999 give 20 bytes: a copy of a fixed size, which the compiler inlines.
    if (m_prefixSize == 20)
        std::memcpy(out, m_prefix, 20);
    else
        std::memcpy(out, m_prefix, size_t(m_prefixSize));
    out += m_prefixSize;
    *out++ = char('0' + ms / 100);
    appendTwo(out, ms % 100);
    out += 2;
    *out++ = 'Z';
    return out;
}

void TimeFormatter::append(QByteArray &out, qint64 msSinceEpoch)
{
    appendBounded(out, MaximumBytes, [&](char *p) { return write(p, msSinceEpoch); });
}

qsizetype Writer::commonBound() const
{
    return 48 + TimeFormatter::MaximumBytes + escapedBound(m_connection.size());
}

char *Writer::writeCommon(char *out, const char *kind, qint64 seq, qint64 timeMs)
{
    out = writeLiteral(out, "{\"kind\":\"");
    while (*kind) // "event" or "state": a byte loop beats a library call here
        *out++ = *kind++;
    out = writeLiteral(out, "\",\"seq\":");
    out = writeNumber(out, seq);
    out = writeLiteral(out, ",\"time\":\"");
    out = m_time.write(out, timeMs);
    *out++ = '"';
    if (!m_connection.isEmpty()) {
        out = writeLiteral(out, ",\"connection\":");
        out = writeString(out, m_connection);
    }
    return out;
}

void Writer::appendCommon(QByteArray &out, const char *kind, qint64 seq, qint64 timeMs)
{
    appendBounded(out, commonBound(),
                  [&](char *p) { return writeCommon(p, kind, seq, timeMs); });
}

void Writer::appendHeader(QByteArray &out, const QString &name, const QString &url)
{
    appendHeader(out, name, url, {});
}

void Writer::appendHeader(QByteArray &out, const QString &name, const QString &url,
                          const QList<QPair<QByteArray, QByteArray>> &requestHeaders)
{
    // Event records after a header repeat their id, so that a header starts a readable part.
    forgetLastId();
    out.append(m_idRule == IdRule::WhenChanged
                       ? "{\"kind\":\"header\",\"format\":\"sse-monitor-log\",\"version\":2,"
                         "\"ids\":\"when-changed\",\"connection\":"
                       : "{\"kind\":\"header\",\"format\":\"sse-monitor-log\",\"version\":1,"
                         "\"connection\":");
    appendString(out, name);
    out.append(",\"url\":");
    appendString(out, url);
    if (!requestHeaders.isEmpty()) {
        // Header bytes are not guaranteed to be UTF-8; going through QString replaces
        // ill-formed sequences, so the line stays valid JSON.
        out.append(",\"request_headers\":[");
        for (qsizetype i = 0; i < requestHeaders.size(); ++i) {
            out.append(i ? ",[" : "[");
            appendString(out, QString::fromUtf8(requestHeaders.at(i).first));
            out.append(',');
            appendString(out, QString::fromUtf8(requestHeaders.at(i).second));
            out.append(']');
        }
        out.append(']');
    }
    out.append("}\n");
}

void Writer::appendEvent(QByteArray &out, qint64 seq, const Event &event)
{
    const EventView view{event.type, event.data, event.lastEventId, event.receivedMs,
                         event.retryMs};
    if (m_idRule == IdRule::EveryEvent) {
        appendEventRecord(out, seq, view, true);
        return;
    }
    // Events of one run usually share the id's buffer: no comparison of its bytes then.
    const bool unchanged = m_hasLastId
            && (m_lastId.isSharedWith(event.lastEventId) || m_lastId == event.lastEventId);
    if (!unchanged) {
        m_lastId = event.lastEventId;
        m_hasLastId = true;
    }
    appendEventRecord(out, seq, view, !unchanged);
}

void Writer::appendEvent(QByteArray &out, qint64 seq, const EventView &event)
{
    if (m_idRule == IdRule::EveryEvent) {
        appendEventRecord(out, seq, event, true);
        return;
    }
    const bool unchanged = m_hasLastId && QByteArrayView(m_lastId) == event.lastEventId;
    if (!unchanged) {
        m_lastId = event.lastEventId.toByteArray();
        m_hasLastId = true;
    }
    appendEventRecord(out, seq, event, !unchanged);
}

void Writer::appendEventRecord(QByteArray &out, qint64 seq, const EventView &event, bool withId)
{
    // One bounded write per record: no per-field growth checks on the hot path.
    const qsizetype bound = commonBound() + 64 + escapedBound(event.type.size())
        + escapedBound(event.data.size())
        + (withId ? escapedBound(event.lastEventId.size()) : 0);
    appendBounded(out, bound, [&](char *p) {
        p = writeCommon(p, "event", seq, event.receivedMs);
        p = writeLiteral(p, ",\"type\":");
        p = writeString(p, event.type);
        p = writeLiteral(p, ",\"data\":");
        p = writeString(p, event.data);
        if (withId) {
            p = writeLiteral(p, ",\"id\":");
            p = writeString(p, event.lastEventId);
        }
        if (event.retryMs >= 0) {
            p = writeLiteral(p, ",\"retry\":");
            p = writeNumber(p, event.retryMs);
        }
        return writeLiteral(p, "}\n");
    });
}

void Writer::appendState(QByteArray &out, qint64 seq, const StateRecord &state)
{
    appendCommon(out, "state", seq, state.timeMs);
    out.append(",\"state\":");
    appendString(out, state.state);
    if (state.retryMs >= 0) {
        out.append(",\"retry_ms\":");
        appendNumber(out, state.retryMs);
    }
    if (state.attempt > 0) {
        out.append(",\"attempt\":");
        appendNumber(out, state.attempt);
    }
    if (state.status > 0) {
        out.append(",\"status\":");
        appendNumber(out, state.status);
    }
    if (!state.protocol.isEmpty()) {
        out.append(",\"protocol\":");
        appendString(out, state.protocol);
    }
    if (!state.error.isEmpty()) {
        out.append(",\"error\":");
        appendString(out, state.error);
    }
    if (!state.lastEventId.isEmpty()) {
        out.append(",\"last_event_id\":");
        appendString(out, QByteArrayView(state.lastEventId));
    }
    if (!state.proxy.isEmpty()) {
        out.append(",\"proxy\":");
        appendString(out, state.proxy);
    }
    out.append("}\n");
}

qint64 parseTime(QByteArrayView iso8601)
{
    const QDateTime time = QDateTime::fromString(QString::fromLatin1(iso8601), Qt::ISODateWithMs);
    return time.isValid() ? time.toMSecsSinceEpoch() : 0;
}

Record parseRecord(QByteArrayView line)
{
    Record record;
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(line.toByteArray(), &error);
    if (error.error != QJsonParseError::NoError || !document.isObject()) {
        record.error = error.error != QJsonParseError::NoError
            ? error.errorString() + QStringLiteral(" at offset %1").arg(error.offset)
            : QStringLiteral("not a JSON object");
        return record;
    }
    const QJsonObject object = document.object();
    const QString kind = object.value(QLatin1String("kind")).toString();
    record.seq = object.value(QLatin1String("seq")).toInteger(-1);
    record.timeMs = parseTime(object.value(QLatin1String("time")).toString().toLatin1());
    record.connection = object.value(QLatin1String("connection")).toString();
    if (kind == QLatin1String("event")) {
        record.kind = Record::Kind::Event;
        record.event.type = object.value(QLatin1String("type")).toString().toUtf8();
        if (record.event.type.isEmpty())
            record.event.type = QByteArrayLiteral("message");
        record.event.data = object.value(QLatin1String("data")).toString().toUtf8();
        const QJsonValue id = object.value(QLatin1String("id"));
        record.hasId = !id.isUndefined();
        record.event.lastEventId = id.toString().toUtf8();
        record.event.retryMs = object.value(QLatin1String("retry")).toInteger(-1);
        record.event.receivedMs = record.timeMs;
    } else if (kind == QLatin1String("state")) {
        record.kind = Record::Kind::State;
        record.state.timeMs = record.timeMs;
        record.state.state = object.value(QLatin1String("state")).toString();
        record.state.retryMs = object.value(QLatin1String("retry_ms")).toInteger(-1);
        record.state.attempt = object.value(QLatin1String("attempt")).toInt();
        record.state.status = object.value(QLatin1String("status")).toInt();
        record.state.protocol = object.value(QLatin1String("protocol")).toString();
        record.state.error = object.value(QLatin1String("error")).toString();
        record.state.lastEventId =
            object.value(QLatin1String("last_event_id")).toString().toUtf8();
        record.state.proxy = object.value(QLatin1String("proxy")).toString();
    } else if (kind == QLatin1String("header")) {
        record.kind = Record::Kind::Header;
        record.url = object.value(QLatin1String("url")).toString();
        const QJsonArray headers = object.value(QLatin1String("request_headers")).toArray();
        for (const QJsonValue &header : headers) {
            const QJsonArray pair = header.toArray();
            if (pair.size() == 2) {
                record.requestHeaders.append({pair.at(0).toString().toUtf8(),
                                              pair.at(1).toString().toUtf8()});
            }
        }
    } else {
        record.kind = Record::Kind::Other;
    }
    return record;
}

} // namespace Sse::JsonLines
