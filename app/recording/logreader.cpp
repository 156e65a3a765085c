#include "recording/logreader.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <cstring>
#include <utility>

namespace {

bool isBlank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

const char Bom[] = "\xEF\xBB\xBF";

} // namespace

void LogReader::setRawTimeSpan(qint64 firstMs, qint64 lastMs, qint64 totalBytes)
{
    m_rawFirstMs = firstMs;
    m_rawLastMs = qMax(firstMs, lastMs);
    m_rawTotalBytes = totalBytes;
}

void LogReader::feed(QByteArrayView bytes)
{
    m_stats.bytes += bytes.size();
    switch (m_format) {
    case Format::Unknown:
        m_buffer.append(bytes);
        detectFormat();
        break;
    case Format::JsonLines:
        m_buffer.append(bytes);
        readLines(false);
        break;
    case Format::RawSse:
        readRaw(bytes, false);
        break;
    }
}

void LogReader::finish()
{
    switch (m_format) {
    case Format::Unknown:
        break; // empty, or only blanks
    case Format::JsonLines:
        readLines(true);
        break;
    case Format::RawSse:
        readRaw({}, true);
        break;
    }
}

void LogReader::detectFormat()
{
    // A BOM is dropped; it may still be arriving.
    if (m_buffer.size() < 3 && QByteArrayView(Bom).startsWith(m_buffer))
        return;
    if (m_buffer.startsWith(Bom)) {
        m_buffer.remove(0, 3);
        m_rawOffset += 3;
    }
    qsizetype first = 0;
    while (first < m_buffer.size() && isBlank(m_buffer.at(first)))
        ++first;
    if (first == m_buffer.size())
        return;
    if (m_buffer.at(first) == '{') {
        m_format = Format::JsonLines;
        readLines(false);
    } else {
        m_format = Format::RawSse;
        const QByteArray bytes = std::exchange(m_buffer, QByteArray());
        readRaw(bytes, false);
    }
}

void LogReader::readLines(bool atEnd)
{
    const char *begin = m_buffer.constData();
    const char *end = begin + m_buffer.size();
    const char *line = begin;
    while (line < end) {
        const char *newline = static_cast<const char *>(memchr(line, '\n', size_t(end - line)));
        if (!newline)
            break;
        readLine(QByteArrayView(line, newline - line));
        line = newline + 1;
    }
    if (atEnd && line < end) {
        // No line break after the last record: a crash may have cut it short. It still
        // counts if it parses.
        readLine(QByteArrayView(line, end - line));
        line = end;
    }
    m_buffer.remove(0, line - begin);
}

void LogReader::readLine(QByteArrayView line)
{
    ++m_stats.lines;
    if (line.endsWith('\r'))
        line.chop(1);
    qsizetype first = 0;
    while (first < line.size() && isBlank(line.at(first)))
        ++first;
    if (first == line.size())
        return;

    Sse::JsonLines::Record record = Sse::JsonLines::parseRecord(line);
    using Kind = Sse::JsonLines::Record::Kind;
    if (record.kind == Kind::Invalid) {
        ++m_stats.skippedLines;
        warn(QStringLiteral("line %1: %2").arg(m_stats.lines).arg(record.error));
        return;
    }
    if (record.kind == Kind::Other) {
        if (!readAnnotationRecord(line))
            readLlmRecord(line);
        return;
    }

    const int index = connectionIndex(record.connection.isEmpty() ? m_defaultName
                                                                    : record.connection);
    switch (record.kind) {
    case Kind::Header:
        if (!record.url.isEmpty())
            m_connections[index].url = QUrl(record.url);
        if (!record.requestHeaders.isEmpty())
            m_connections[index].requestHeaders = record.requestHeaders;
        break;
    case Kind::Event:
        if (record.hasId)
            m_lastIds[index] = record.event.lastEventId;
        else
            record.event.lastEventId = m_lastIds.at(index); // shared, not copied
        markDirty(index);
        m_pending[index].events.append(std::move(record.event));
        ++m_pendingEvents;
        ++m_stats.events;
        break;
    case Kind::State:
        markDirty(index);
        m_pending[index].states.append(std::move(record.state));
        ++m_stats.states;
        break;
    case Kind::Invalid:
    case Kind::Other:
        break;
    }
}

// An `llm` record (see sselib/llmanalyser.h) goes to its connection; other kinds are skipped.
void LogReader::readLlmRecord(QByteArrayView line)
{
    if (!line.contains("\"llm\""))
        return;
    const QJsonObject object = QJsonDocument::fromJson(line.toByteArray()).object();
    std::optional<Sse::Llm::Summary> summary = Sse::Llm::summaryFromRecord(object);
    if (!summary)
        return;
    const QString connection = object.value(QLatin1String("connection")).toString();
    const int index = connectionIndex(connection.isEmpty() ? m_defaultName : connection);
    markDirty(index);
    m_pending[index].llm.append(LlmRecord{
        Sse::JsonLines::parseTime(object.value(QLatin1String("time")).toString().toLatin1()),
        std::move(*summary)});
}

bool LogReader::readAnnotationRecord(QByteArrayView line)
{
    std::optional<AnnotationRecord> record = AnnotationRecord::fromLine(line);
    if (!record)
        return false;
    const qsizetype cost = 64 + record->note.size() * 2 + record->type.size();
    if (m_annotationBytes + cost > MaximumAnnotationBytes) {
        if (!m_annotationsCut)
            warn(QStringLiteral("line %1: annotations past %2 MiB skipped")
                     .arg(m_stats.lines)
                     .arg(MaximumAnnotationBytes / (1024 * 1024)));
        m_annotationsCut = true;
        return true;
    }
    m_annotationBytes += cost;
    const int index = connectionIndex(record->connection.isEmpty() ? m_defaultName
                                                                    : record->connection);
    markDirty(index);
    m_pending[index].annotations.append(std::move(*record));
    return true;
}

void LogReader::readRaw(QByteArrayView bytes, bool atEnd)
{
    if (!bytes.isEmpty() && m_connections.isEmpty())
        connectionIndex(m_defaultName);
    while (!bytes.isEmpty()) {
        // Slices end at fixed file offsets (multiples of RawSliceBytes), so an event's time
        // depends on where it ends in the file, not on how the caller chunked the input.
        const qint64 sliceEnd = (m_rawOffset / RawSliceBytes + 1) * RawSliceBytes;
        const QByteArrayView slice = bytes.first(qMin(bytes.size(), sliceEnd - m_rawOffset));
        bytes = bytes.sliced(slice.size());
        m_rawOffset += slice.size();
        qint64 timeMs = m_rawLastMs;
        if (m_rawTotalBytes > 0 && sliceEnd < m_rawTotalBytes) {
            timeMs = m_rawFirstMs
                + qint64(double(m_rawLastMs - m_rawFirstMs) * double(sliceEnd)
                         / double(m_rawTotalBytes));
        }
        m_parser.setReceiveTime(timeMs);
        const auto status = m_parser.feed(slice.data(), slice.size(), m_rawEvents);
        if (status != Sse::Parser::Status::Ok) {
            ++m_stats.skippedLines;
            warn(QStringLiteral("byte %1: event larger than %2 bytes, skipped")
                     .arg(m_rawOffset)
                     .arg(m_parser.maximumEventSize()));
            m_parser.reset();
        }
    }
    if (atEnd) {
        if (m_parser.bufferedBytes() > 0) {
            ++m_stats.skippedLines;
            warn(QStringLiteral("end of file: incomplete event discarded (%1 bytes)")
                     .arg(m_parser.bufferedBytes()));
        }
        m_parser.finish();
    }
    if (!m_rawEvents.isEmpty()) {
        const int index = connectionIndex(m_defaultName);
        m_stats.events += m_rawEvents.size();
        m_pendingEvents += m_rawEvents.size();
        markDirty(index);
        m_pending[index].events.append(std::move(m_rawEvents));
        m_rawEvents.clear();
    }
}

int LogReader::connectionIndex(const QString &name)
{
    if (m_lastConnection >= 0 && m_connections.at(m_lastConnection).name == name)
        return m_lastConnection;
    const auto found = m_connectionIndexes.constFind(name);
    if (found != m_connectionIndexes.constEnd())
        return m_lastConnection = *found;
    const int index = int(m_connections.size());
    m_connections.append(Connection{name, QUrl(), {}});
    m_pending.append(ConnectionBatch{name, {}, {}, {}, {}});
    m_lastIds.append(QByteArray());
    m_connectionIndexes.insert(name, index);
    return m_lastConnection = index;
}

void LogReader::markDirty(int index)
{
    ConnectionBatch &batch = m_pending[index];
    if (batch.events.isEmpty() && batch.states.isEmpty() && batch.llm.isEmpty()
        && batch.annotations.isEmpty()) {
        m_dirty.append(index);
    }
}

QList<LogReader::ConnectionBatch> LogReader::takeBatches()
{
    // Only the connections that got something: a file with 100,000 connections must not cost
    // a pass over all of them per batch.
    std::sort(m_dirty.begin(), m_dirty.end());
    QList<ConnectionBatch> result;
    result.reserve(m_dirty.size());
    for (const int index : std::as_const(m_dirty)) {
        ConnectionBatch &batch = m_pending[index];
        result.append(ConnectionBatch{batch.connection, std::move(batch.events),
                                      std::move(batch.states), std::move(batch.llm),
                                      std::move(batch.annotations)});
        batch.events.clear();
        batch.states.clear();
        batch.llm.clear();
        batch.annotations.clear();
    }
    m_dirty.clear();
    m_pendingEvents = 0;
    return result;
}

void LogReader::warn(const QString &message)
{
    ++m_warningCount;
    if (m_warnings.size() < MaximumWarnings)
        m_warnings.append(message);
}
