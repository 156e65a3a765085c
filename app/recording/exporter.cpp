#include "recording/exporter.h"

#include "recording/exporterworker.h"

#include <QThread>

Exporter::Exporter(QObject *parent) : QObject(parent) { }

Exporter::~Exporter()
{
    if (!m_thread)
        return;
    *m_cancelled = true;
    // finish() discards the temporary file; done() is not delivered any more.
    QMetaObject::invokeMethod(m_worker, &ExporterWorker::finish, Qt::BlockingQueuedConnection);
    m_thread->quit();
    m_thread->wait();
    delete m_thread;
}

bool Exporter::start(ExportFormat format, const QString &path, const ExportOptions &options)
{
    if (m_thread)
        return false;
    m_path = path;
    m_total = options.totalEvents;
    m_eventsAdded = 0;
    m_eventsWritten = 0;
    m_pendingBatches = 0;
    m_percent = -1;
    m_finishing = false;
    m_cancelled = std::make_shared<std::atomic<bool>>(false);

    m_thread = new QThread;
    m_thread->setObjectName(QStringLiteral("Exporter"));
    m_worker = new ExporterWorker(format, path, options, m_cancelled);
    m_worker->moveToThread(m_thread);
    connect(m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(m_worker, &ExporterWorker::batchWritten, this, &Exporter::onBatchWritten);
    connect(m_worker, &ExporterWorker::failed, this, &Exporter::onFailed);
    connect(m_worker, &ExporterWorker::done, this, &Exporter::onDone);
    m_thread->start();
    QMetaObject::invokeMethod(m_worker, &ExporterWorker::open, Qt::QueuedConnection);
    return true;
}

void Exporter::setConnectionName(quint16 connection, const QString &name)
{
    if (!m_thread || m_finishing)
        return;
    QMetaObject::invokeMethod(
            m_worker, [worker = m_worker, connection, name] {
                worker->setConnectionName(connection, name);
            },
            Qt::QueuedConnection);
}

void Exporter::addEvents(const ExportEventList &events)
{
    if (!m_thread || m_finishing || *m_cancelled)
        return;
    ++m_pendingBatches;
    m_eventsAdded += events.size();
    QMetaObject::invokeMethod(
            m_worker, [worker = m_worker, events] { worker->write(events); },
            Qt::QueuedConnection);
}

void Exporter::finish()
{
    if (!m_thread || m_finishing)
        return;
    m_finishing = true;
    QMetaObject::invokeMethod(m_worker, &ExporterWorker::finish, Qt::QueuedConnection);
}

void Exporter::cancel()
{
    if (!m_thread)
        return;
    *m_cancelled = true; // batches still queued are skipped
    finish();
}

void Exporter::onBatchWritten(qint64 eventsWritten)
{
    --m_pendingBatches;
    m_eventsWritten = eventsWritten;
    if (m_total > 0 && !*m_cancelled) {
        const int percent = int(qMin<qint64>(100, eventsWritten * 100 / m_total));
        if (percent != m_percent) {
            m_percent = percent;
            emit progress(percent);
        }
    }
    emit batchWritten();
}

void Exporter::onFailed()
{
    // No point in formatting the rest: end now, finished() reports the error.
    finish();
}

void Exporter::onDone(bool ok, const QString &message)
{
    m_thread->quit();
    m_thread->wait();
    delete m_thread; // the worker goes with the thread's finished()
    m_thread = nullptr;
    m_worker = nullptr;
    m_pendingBatches = 0;
    emit finished(ok, message);
}
