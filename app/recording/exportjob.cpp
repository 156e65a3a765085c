#include "recording/exportjob.h"

#include "models/eventlogmodel.h"
#include "models/eventstore.h"

#include <QElapsedTimer>

#include <algorithm>

ExportJob::ExportJob(const EventLogModel *model, QObject *parent)
    : QObject(parent), m_model(model)
{
    m_sliceTimer.setSingleShot(true);
    m_sliceTimer.setInterval(0);
    connect(&m_sliceTimer, &QTimer::timeout, this, &ExportJob::copySlice);
    connect(&m_exporter, &Exporter::progress, this, &ExportJob::progress);
    connect(&m_exporter, &Exporter::finished, this, &ExportJob::onFinished);
    connect(&m_exporter, &Exporter::batchWritten, this, [this] {
        if (m_waitingForWriter && m_exporter.pendingBatches() < MaximumBatchesInFlight) {
            m_waitingForWriter = false;
            scheduleSlice();
        }
    });
    if (model) {
        connect(model, &QObject::destroyed, this, [this] {
            if (m_running)
                cancel();
        });
    }
}

ExportJob::~ExportJob() = default;

QList<qint64> ExportJob::allSequences(const EventStore &store)
{
    QList<qint64> sequences;
    sequences.reserve(store.size());
    for (qint64 sequence = store.firstSequence(); sequence < store.endSequence(); ++sequence)
        sequences.append(sequence);
    return sequences;
}

QList<qint64> ExportJob::visibleSequences(const EventLogModel &model)
{
    QList<qint64> sequences;
    const int rows = model.rowCount();
    sequences.reserve(rows);
    for (int row = 0; row < rows; ++row)
        sequences.append(model.sequenceAt(row));
    return sequences;
}

QList<qint64> ExportJob::markedSequences(const EventLogModel &model)
{
    QList<qint64> sequences;
    sequences.reserve(model.annotations().markedCount());
    for (const auto &[sequence, entry] : model.annotations().entries()) {
        if (entry.marked && model.store().contains(sequence))
            sequences.append(sequence);
    }
    return sequences;
}

QList<qint64> ExportJob::sequencesOfRows(const EventLogModel &model, QList<int> rows)
{
    std::sort(rows.begin(), rows.end());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    QList<qint64> sequences;
    sequences.reserve(rows.size());
    for (int row : std::as_const(rows)) {
        const qint64 sequence = model.sequenceAt(row);
        if (sequence >= 0)
            sequences.append(sequence);
    }
    return sequences;
}

bool ExportJob::start(ExportFormat format, const QString &path, const QList<qint64> &sequences,
                      const ExportOptions &options)
{
    if (m_running || !m_model || m_exporter.isRunning())
        return false;
    ExportOptions exportOptions = options;
    exportOptions.totalEvents = sequences.size();
    if (!m_exporter.start(format, path, exportOptions))
        return false;
    m_sequences = sequences;
    m_names = options.connectionNames;
    m_namedConnections.clear();
    m_next = 0;
    m_skipped = 0;
    m_slices = 0;
    m_running = true;
    m_waitingForWriter = false;
    scheduleSlice();
    return true;
}

void ExportJob::cancel()
{
    if (!m_running)
        return;
    m_sliceTimer.stop();
    m_waitingForWriter = false;
    m_exporter.cancel();
}

void ExportJob::scheduleSlice()
{
    if (m_running && !m_sliceTimer.isActive())
        m_sliceTimer.start();
}

void ExportJob::copySlice()
{
    if (!m_running)
        return;
    if (!m_model) {
        cancel();
        return;
    }
    if (m_exporter.isFinishing())
        return; // writing failed: finished() follows without the rest of the events
    if (m_exporter.pendingBatches() >= MaximumBatchesInFlight) {
        m_waitingForWriter = true; // batchWritten() schedules the next slice
        return;
    }
    const EventStore &store = m_model->store();
    QElapsedTimer budget;
    budget.start();
    ExportEventList slice;
    slice.reserve(qMin<qsizetype>(m_sliceSize, m_sequences.size() - m_next));
    while (m_next < m_sequences.size() && slice.size() < m_sliceSize) {
        const qint64 sequence = m_sequences.at(m_next++);
        if (!store.contains(sequence)) {
            ++m_skipped;
            continue;
        }
        if (store.isMarker(sequence))
            continue; // a reconnect marker of the log, not an event
        const quint16 connection = store.connection(sequence);
        if (!m_namedConnections.contains(connection)) {
            m_namedConnections.insert(connection);
            if (!m_names.contains(connection))
                m_exporter.setConnectionName(connection, m_model->connectionName(connection));
        }
        ExportEvent event;
        event.sequence = sequence;
        event.connection = connection;
        event.event = store.event(sequence);
        if (!m_model->annotations().isEmpty()) {
            event.marked = m_model->annotations().isMarked(sequence);
            event.note = m_model->annotations().note(sequence);
        }
        slice.append(std::move(event));
        if ((slice.size() & 255) == 0 && budget.elapsed() >= SliceBudgetMs)
            break;
    }
    ++m_slices;
    if (!slice.isEmpty())
        m_exporter.addEvents(slice);
    if (m_next >= m_sequences.size())
        m_exporter.finish();
    else
        scheduleSlice();
}

void ExportJob::onFinished(bool ok, const QString &message)
{
    m_running = false;
    m_sliceTimer.stop();
    m_sequences.clear();
    QString text = message;
    if (ok && m_skipped > 0)
        text += tr(" (%1 events were evicted from the log before they could be exported)")
                        .arg(m_skipped);
    emit finished(ok, text);
}
