#include "recording/recorderworker.h"
#include "sselib/profile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>

#include <utility>

#ifdef Q_OS_UNIX
#include <sys/stat.h>
#endif

Q_LOGGING_CATEGORY(lcRecorderWorker, "sse.recording.writer")

namespace {

QString insertBeforeSuffix(const QString &path, const QString &insert)
{
    const QFileInfo info(path);
    const QString suffix = info.suffix();
    const QString base = suffix.isEmpty() ? info.fileName()
                                          : info.fileName().chopped(suffix.size() + 1);
    QString name = base + QLatin1Char('.') + insert;
    if (!suffix.isEmpty())
        name += QLatin1Char('.') + suffix;
    const QString dir = QFileInfo(path).path();
    return path.contains(QLatin1Char('/')) ? dir + QLatin1Char('/') + name : name;
}

// Writes all of \a bytes. A short write is retried, so that a full disk shows up as the OS
// error of the retry (ENOSPC, EFBIG) rather than as a silent partial write. Returns the error
// text, empty on success.
QString writeAll(QFile &file, const QByteArray &bytes)
{
    qsizetype done = 0;
    while (done < bytes.size()) {
        const qint64 written = file.write(bytes.constData() + done, bytes.size() - done);
        if (written < 0)
            return file.errorString();
        if (written == 0)
            return RecorderWorker::tr("nothing could be written");
        done += written;
    }
    return QString();
}

} // namespace

RecorderWorker::RecorderWorker(std::shared_ptr<RecorderChannel> channel)
    : m_channel(std::move(channel)), m_checkTimer(this)
{
    m_checkTimer.setInterval(FlushIntervalMs);
    connect(&m_checkTimer, &QTimer::timeout, this, &RecorderWorker::checkFile);
}

RecorderWorker::~RecorderWorker() = default;

QString RecorderWorker::partPath(const QString &path, int part)
{
    return part == 0 ? path : insertBeforeSuffix(path, QString::number(part));
}

QString RecorderWorker::rawPath(const QString &path, int index, quint16 connection)
{
    if (index == 0)
        return path;
    return insertBeforeSuffix(path, QStringLiteral("conn") + QString::number(connection));
}

void RecorderWorker::drain()
{
    for (;;) {
        std::deque<RecorderItem> items;
        {
            QMutexLocker lock(&m_channel->mutex);
            if (m_channel->items.empty()) {
                m_channel->wakePending = false;
                break;
            }
            items.swap(m_channel->items);
        }
        for (RecorderItem &item : items) {
            process(item);
            const qint64 cost = item.cost;
            // Formatted: the events are in the write buffer (at most WriteChunkBytes, written
            // before the next items are taken), so the connection may read on.
            if (item.flow)
                item.flow->release(item.flowCost);
            item = RecorderItem(); // release the events before the space is given back
            QMutexLocker lock(&m_channel->mutex);
            m_channel->queuedBytes -= cost;
        }
        if (m_active) {
            writeBuffer();
            if (m_active)
                flushRaw();
        }
    }
}

void RecorderWorker::process(RecorderItem &item)
{
    using Kind = RecorderItem::Kind;
    switch (item.kind) {
    case Kind::Open:
        open(item.name, item.options);
        return;
    case Kind::Close:
        close();
        return;
    default:
        break;
    }
    if (!m_active)
        return; // failed: everything up to the Close is dropped

    switch (item.kind) {
    case Kind::Connection:
        setConnection(item.connection, item.name, item.url, item.requestHeaders);
        break;
    case Kind::Events: {
        ConnectionState *state = &connection(item.connection);
        for (const Sse::EventView event : std::as_const(item.events)) {
            beforeRecord();
            if (!m_active)
                return;
            state->writer.appendEvent(m_buffer, ++m_sequence, event);
            ++m_bufferedEvents;
            if (m_buffer.size() >= WriteChunkBytes && !writeBuffer())
                return;
        }
        break;
    }
    case Kind::State: {
        ConnectionState &state = connection(item.connection);
        beforeRecord();
        if (m_active)
            state.writer.appendState(m_buffer, ++m_sequence, item.state);
        break;
    }
    case Kind::Raw:
        writeRaw(item.connection, item.bytes);
        break;
    case Kind::Llm: {
        const ConnectionState &state = connection(item.connection);
        beforeRecord();
        if (m_active)
            Sse::Llm::appendRecord(m_buffer, item.llm, item.timeMs, state.name.toUtf8(),
                                   Sse::Llm::RecordTimeline::Include);
        break;
    }
    case Kind::Alert: {
        const ConnectionState &state = connection(item.connection);
        beforeRecord();
        if (m_active)
            appendAlertRecord(m_buffer, item.alert, state.name);
        break;
    }
    case Kind::Annotation: {
        const ConnectionState &state = connection(item.connection);
        beforeRecord();
        if (m_active) {
            item.annotation.connection = state.name;
            m_buffer.append(item.annotation.toLine());
        }
        break;
    }
    case Kind::Open:
    case Kind::Close:
        break;
    }
}

void RecorderWorker::appendAlertRecord(QByteArray &out, const Alert &alert,
                                       const QString &connection)
{
    // {"kind":"alert","time":"..","connection":"..","rule":"..","detail":"..","id":".."}
    out.append("{\"kind\":\"alert\",\"time\":\"");
    m_alertTime.append(out, alert.timeMs);
    out.append("\",\"connection\":");
    Sse::JsonLines::appendString(out, connection);
    out.append(",\"rule\":");
    Sse::JsonLines::appendString(out, alert.rule);
    out.append(",\"detail\":");
    Sse::JsonLines::appendString(out, alert.detail);
    if (!alert.eventId.isEmpty()) {
        out.append(",\"id\":");
        Sse::JsonLines::appendString(out, QByteArrayView(alert.eventId));
    }
    out.append("}\n");
}

void RecorderWorker::open(const QString &path, const RecorderOptions &options)
{
    close();
    m_path = path;
    m_options = options;
    m_part = 0;
    m_sequence = 0;
    m_connections.clear();
    m_connectionOrder.clear();
    m_raw.clear();
    if (openPart()) {
        m_active = true;
        m_checkTimer.start();
    }
}

bool RecorderWorker::openPart()
{
    m_partName = partPath(m_path, m_part);
    auto file = std::make_unique<QFile>(m_partName);
    if (!file->open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Unbuffered)) {
        const QString message = tr("Cannot open %1 for writing: %2")
                                        .arg(QDir::toNativeSeparators(m_partName),
                                             file->errorString());
        m_active = true; // so that fail() reports it
        fail(message);
        return false;
    }
    m_device = 0;
    m_inode = 0;
#ifdef Q_OS_UNIX
    struct stat info;
    if (::fstat(file->handle(), &info) == 0) {
        m_device = quint64(info.st_dev);
        m_inode = quint64(info.st_ino);
    }
#endif
    m_file = std::move(file);
    m_partBytes = 0;
    m_partRecords = 0;
    for (quint16 id : std::as_const(m_connectionOrder))
        appendHeader(m_connections[id]);
    emit partOpened(m_partName);
    return true;
}

void RecorderWorker::close()
{
    if (m_active) {
        writeBuffer();
        if (m_active)
            flushRaw();
    }
    m_checkTimer.stop();
    m_file.reset();
    m_raw.clear();
    m_buffer.clear();
    m_bufferedEvents = 0;
    const bool wasOpen = !m_path.isEmpty();
    m_active = false;
    m_path.clear();
    if (wasOpen)
        emit closed();
}

void RecorderWorker::setConnection(quint16 id, const QString &name, const QUrl &url,
                                   const QList<QPair<QByteArray, QByteArray>> &requestHeaders)
{
    // Names key the connections in the file, so they must be unique within it.
    QString unique = name.isEmpty() ? QStringLiteral("connection %1").arg(id) : name;
    // A hash, not a scan: a recording may hold 100,000 connections.
    const auto taken = m_connectionNames.constFind(unique);
    if (taken != m_connectionNames.constEnd() && *taken != id)
        unique += QStringLiteral(" #%1").arg(id);
    if (!m_connections.contains(id))
        m_connectionOrder.append(id);
    ConnectionState &state = m_connections[id];
    if (!state.name.isEmpty() && m_connectionNames.value(state.name) == id)
        m_connectionNames.remove(state.name);
    m_connectionNames.insert(unique, id);
    state.name = unique;
    state.url = url;
    state.requestHeaders = requestHeaders;
    state.writer.setConnection(unique);
    state.writer.setIdRule(Sse::JsonLines::Writer::IdRule::WhenChanged);
    appendHeader(state);
}

RecorderWorker::ConnectionState &RecorderWorker::connection(quint16 id)
{
    auto it = m_connections.find(id);
    if (it != m_connections.end())
        return *it;
    // Events of a connection nobody announced: give it a name and a header of its own.
    setConnection(id, QString(), QUrl(), {});
    return m_connections[id];
}

void RecorderWorker::appendHeader(ConnectionState &connection)
{
    // The connection's own writer: the header restarts its id rule (the next event record
    // carries its id, so each part of a rotated recording reads on its own).
    connection.writer.appendHeader(m_buffer, connection.name, Sse::redactedUrl(connection.url),
                        connection.requestHeaders);
}

void RecorderWorker::beforeRecord()
{
    if (m_options.rotateBytes > 0 && m_partRecords > 0
        && m_partBytes + m_buffer.size() >= m_options.rotateBytes) {
        rotate();
    }
    ++m_partRecords;
}

void RecorderWorker::rotate()
{
    if (!writeBuffer())
        return;
    m_file.reset();
    ++m_part;
    openPart();
}

bool RecorderWorker::writeBuffer()
{
    if (m_buffer.isEmpty() || !m_file)
        return m_active;
    const QString error = writeAll(*m_file, m_buffer);
    if (!error.isEmpty()) {
        fail(tr("Cannot write to %1: %2").arg(QDir::toNativeSeparators(m_partName), error));
        return false;
    }
    m_partBytes += m_buffer.size();
    m_channel->bytesWritten += m_buffer.size();
    m_channel->eventsWritten += m_bufferedEvents;
    m_buffer.clear();
    m_bufferedEvents = 0;
    return true;
}

void RecorderWorker::writeRaw(quint16 id, const QByteArray &bytes)
{
    if (m_options.rawCapturePath.isEmpty())
        return;
    auto it = m_raw.find(id);
    if (it == m_raw.end()) {
        const QString path = rawPath(m_options.rawCapturePath, int(m_raw.size()), id);
        auto file = std::make_unique<QFile>(path);
        if (!file->open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Unbuffered)) {
            fail(tr("Cannot open %1 for writing: %2")
                         .arg(QDir::toNativeSeparators(path), file->errorString()));
            return;
        }
        it = m_raw.emplace(id, RawCapture{std::move(file), QByteArray()}).first;
    }
    it->second.buffer.append(bytes);
    if (it->second.buffer.size() >= WriteChunkBytes)
        flushRaw();
}

bool RecorderWorker::flushRaw()
{
    for (auto &[id, raw] : m_raw) {
        if (raw.buffer.isEmpty())
            continue;
        const QString error = writeAll(*raw.file, raw.buffer);
        if (!error.isEmpty()) {
            fail(tr("Cannot write to %1: %2")
                         .arg(QDir::toNativeSeparators(raw.file->fileName()), error));
            return false;
        }
        m_channel->bytesWritten += raw.buffer.size();
        raw.buffer.clear();
    }
    return true;
}

void RecorderWorker::checkFile()
{
    if (!m_active || !m_file)
        return;
    writeBuffer();
#ifdef Q_OS_UNIX
    if (!m_active || m_inode == 0)
        return;
    struct stat info;
    const QByteArray name = QFile::encodeName(m_partName);
    if (::stat(name.constData(), &info) != 0 || quint64(info.st_dev) != m_device
        || quint64(info.st_ino) != m_inode) {
        fail(tr("%1 was removed or replaced while recording")
                     .arg(QDir::toNativeSeparators(m_partName)));
    }
#endif
}

void RecorderWorker::fail(const QString &message)
{
    if (!m_active)
        return;
    m_active = false;
    qCDebug(lcRecorderWorker) << "recording failed:" << message;
    // Keep what is on disk a sequence of whole records: cut a partly written one.
    if (m_file && m_file->isOpen() && m_file->size() > m_partBytes)
        m_file->resize(m_partBytes);
    m_checkTimer.stop();
    m_file.reset();
    m_raw.clear();
    m_buffer.clear();
    m_bufferedEvents = 0;
    emit failed(message);
}
