#include "recording/exporterworker.h"

#include <QDir>
#include <QSaveFile>

ExporterWorker::ExporterWorker(ExportFormat format, const QString &path,
                               const ExportOptions &options,
                               std::shared_ptr<std::atomic<bool>> cancelled)
    : m_formatter(format, options), m_path(path), m_cancelled(std::move(cancelled))
{
}

ExporterWorker::~ExporterWorker()
{
    discard();
}

void ExporterWorker::open()
{
    m_file = std::make_unique<QSaveFile>(m_path);
    if (!m_file->open(QIODevice::WriteOnly)) {
        fail(tr("Cannot create %1: %2")
                     .arg(QDir::toNativeSeparators(m_path), m_file->errorString()));
        return;
    }
    m_formatter.appendPrologue(m_buffer);
}

void ExporterWorker::setConnectionName(quint16 connection, const QString &name)
{
    m_formatter.setConnectionName(connection, name);
}

void ExporterWorker::write(const ExportEventList &events)
{
    if (m_file && m_error.isEmpty() && !*m_cancelled) {
        for (const ExportEvent &event : events)
            m_formatter.append(m_buffer, event);
        if (m_file->write(m_buffer) != m_buffer.size()) {
            fail(tr("Cannot write %1: %2")
                         .arg(QDir::toNativeSeparators(m_path), m_file->errorString()));
        } else {
            m_events += events.size();
        }
        m_buffer.clear();
    }
    emit batchWritten(m_events);
}

void ExporterWorker::finish()
{
    if (m_finished)
        return;
    m_finished = true;
    if (*m_cancelled) {
        discard();
        emit done(false, tr("Export cancelled"));
        return;
    }
    if (!m_error.isEmpty() || !m_file) {
        discard();
        emit done(false, m_error);
        return;
    }
    m_formatter.appendEpilogue(m_buffer);
    if (!m_buffer.isEmpty() && m_file->write(m_buffer) != m_buffer.size()) {
        const QString message = tr("Cannot write %1: %2")
                                        .arg(QDir::toNativeSeparators(m_path),
                                             m_file->errorString());
        discard();
        emit done(false, message);
        return;
    }
    if (!m_file->commit()) {
        const QString message = tr("Cannot save %1: %2")
                                        .arg(QDir::toNativeSeparators(m_path),
                                             m_file->errorString());
        m_file.reset();
        emit done(false, message);
        return;
    }
    m_file.reset();
    emit done(true, tr("Exported %1 events to %2")
                            .arg(m_events)
                            .arg(QDir::toNativeSeparators(m_path)));
}

void ExporterWorker::fail(const QString &message)
{
    if (!m_error.isEmpty())
        return;
    m_error = message;
    discard();
    emit failed(message);
}

void ExporterWorker::discard()
{
    if (m_file) {
        // Without commit() the temporary file is removed and the target stays untouched.
        m_file->cancelWriting();
        m_file.reset();
    }
    m_buffer.clear();
}
