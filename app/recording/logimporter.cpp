#include "recording/logimporter.h"

#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QThread>

Q_LOGGING_CATEGORY(lcLogImporter, "sse.recording.import")

LogImporter::LogImporter(QObject *parent) : QObject(parent)
{
    qRegisterMetaType<LogImporter::Statistics>();
}

LogImporter::~LogImporter()
{
    if (m_thread) {
        m_cancel = true;
        m_thread->wait();
        delete m_thread;
    }
}

bool LogImporter::start(const QString &path)
{
    if (m_thread)
        return false;
    m_path = path;
    m_cancel = false;
    m_percent = -1;
    m_connections.clear();
    m_statistics = Statistics();
    // Slots still held by batches of a cancelled import were given back when dropped.
    m_slots.acquire(m_slots.available());
    m_slots.release(MaximumBatchesInFlight);
    m_thread = QThread::create([this] { run(); });
    m_thread->setObjectName(QStringLiteral("LogImporter"));
    m_thread->start();
    return true;
}

void LogImporter::cancel()
{
    m_cancel = true;
}

void LogImporter::run()
{
    Statistics statistics;
    QFile file(m_path);
    if (!file.open(QIODevice::ReadOnly)) {
        statistics.error = tr("Cannot open %1: %2").arg(m_path, file.errorString());
        QMetaObject::invokeMethod(
                this, [this, statistics] { complete(statistics); }, Qt::QueuedConnection);
        return;
    }

    const QFileInfo info(m_path);
    const qint64 size = info.size();
    LogReader reader;
    reader.setDefaultConnectionName(m_defaultName.isEmpty() ? info.fileName() : m_defaultName);
    const qint64 lastMs = info.lastModified().toMSecsSinceEpoch();
    const QDateTime birth = info.birthTime();
    const qint64 firstMs = birth.isValid() && birth.toMSecsSinceEpoch() <= lastMs
        ? birth.toMSecsSinceEpoch()
        : lastMs;
    reader.setRawTimeSpan(firstMs, lastMs, size);

    qsizetype reportedConnections = 0;
    // Hands what the reader has to the GUI thread, in batches of at most m_batchSize events,
    // each waiting for a free slot. Returns false when cancelled.
    auto post = [&] {
        const QList<LogReader::Connection> known = reader.connections();
        QList<LogReader::Connection> found = known.mid(reportedConnections);
        reportedConnections = known.size();
        const qint64 bytesRead = reader.statistics().bytes;
        const int percent = size > 0 ? int(qMin<qint64>(100, bytesRead * 100 / size)) : 100;
        QList<LogReader::ConnectionBatch> batches = reader.takeBatches();
        auto send = [&](QList<LogReader::ConnectionBatch> part) {
            while (!m_slots.tryAcquire(1, 50)) {
                if (m_cancel)
                    return false;
            }
            QMetaObject::invokeMethod(
                    this,
                    [this, found, part = std::move(part), percent] {
                        deliver(found, part);
                        if (percent != m_percent && !m_cancel) {
                            m_percent = percent;
                            emit progress(percent);
                        }
                        m_slots.release();
                    },
                    Qt::QueuedConnection);
            found.clear();
            return true;
        };
        if (batches.isEmpty())
            return found.isEmpty() || send({});
        for (LogReader::ConnectionBatch &batch : batches) {
            if (batch.events.size() <= m_batchSize) {
                if (!send({std::move(batch)}))
                    return false;
                continue;
            }
            for (qsizetype from = 0; from < batch.events.size(); from += m_batchSize) {
                LogReader::ConnectionBatch slice{batch.connection,
                                                 batch.events.mid(from, m_batchSize), {}, {},
                                                 {}};
                if (from == 0)
                    slice.states = std::move(batch.states);
                if (from + m_batchSize >= batch.events.size())
                {
                    slice.llm = std::move(batch.llm); // after the events it summarises
                    slice.annotations = std::move(batch.annotations);
                }
                if (!send({std::move(slice)}))
                    return false;
            }
        }
        return true;
    };

    bool ok = true;
    while (ok && !m_cancel) {
        const QByteArray block = file.read(ReadBlockBytes);
        if (block.isEmpty()) {
            if (file.error() != QFileDevice::NoError) {
                statistics.error = tr("Cannot read %1: %2").arg(m_path, file.errorString());
                ok = false;
            }
            break;
        }
        reader.feed(block);
        if (reader.pendingEventCount() >= m_batchSize
            || reader.connections().size() > reportedConnections) {
            ok = post();
        }
    }
    if (ok && !m_cancel) {
        reader.finish();
        post();
    }

    const LogReader::Statistics &read = reader.statistics();
    statistics.format = reader.format();
    statistics.bytes = read.bytes;
    statistics.lines = read.lines;
    statistics.events = read.events;
    statistics.states = read.states;
    statistics.skippedLines = read.skippedLines;
    statistics.connections = int(reader.connections().size());
    statistics.cancelled = m_cancel;
    statistics.warnings = reader.warnings();
    statistics.warningCount = reader.warningCount();
    const QList<LogReader::Connection> connections = reader.connections();
    QMetaObject::invokeMethod(
            this,
            [this, statistics, connections] {
                m_connections = connections;
                complete(statistics);
            },
            Qt::QueuedConnection);
}

void LogImporter::deliver(const QList<LogReader::Connection> &connections,
                          const QList<LogReader::ConnectionBatch> &batches)
{
    if (m_cancel)
        return;
    for (const LogReader::Connection &connection : connections) {
        m_connections.append(connection);
        emit connectionFound(connection.name, connection.url);
    }
    for (const LogReader::ConnectionBatch &batch : batches) {
        if (!batch.states.isEmpty())
            emit statesLoaded(batch.connection, batch.states);
        if (!batch.events.isEmpty())
            emit eventsLoaded(batch.connection, batch.events);
        if (!batch.llm.isEmpty())
            emit llmLoaded(batch.connection, batch.llm);
        if (!batch.annotations.isEmpty())
            emit annotationsLoaded(batch.connection, batch.annotations);
        if (m_cancel)
            return;
    }
}

void LogImporter::complete(const LogImporter::Statistics &statistics)
{
    if (m_thread) {
        m_thread->wait();
        delete m_thread;
        m_thread = nullptr;
    }
    m_statistics = statistics;
    if (!statistics.error.isEmpty())
        qCInfo(lcLogImporter) << statistics.error;
    else if (statistics.warningCount > 0)
        qCDebug(lcLogImporter) << m_path << statistics.warningCount << "lines skipped";
    if (statistics.error.isEmpty() && !statistics.cancelled && m_percent != 100) {
        m_percent = 100;
        emit progress(100);
    }
    emit finished(statistics);
}
