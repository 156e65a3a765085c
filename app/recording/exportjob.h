#pragma once

#include "recording/exporter.h"

#include <QList>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QTimer>

class EventLogModel;
class EventStore;

/// Exports events of an EventLogModel's store (all of them, the visible rows, or selected rows)
/// without blocking the GUI thread.
///
/// The job copies events out of the store in slices on a 0 ms timer: at most sliceSize() events
/// (20,000 by default) or SliceBudgetMs of work per turn of the event loop, whichever ends
/// first. Each slice goes to an Exporter, which formats and writes it on its own thread. At most
/// MaximumBatchesInFlight slices wait for the writer, so a slow disk pauses the copying instead
/// of filling memory.
///
/// The store keeps receiving live events meanwhile. Sequence numbers given to start() that the
/// store evicted before the job reached them are skipped and counted (skippedEvents(), and the
/// finished() message mentions them).
///
/// GUI thread only. If the model is destroyed, the job cancels itself.
class ExportJob : public QObject
{
    Q_OBJECT
public:
    static constexpr int DefaultSliceSize = 20000;
    static constexpr int SliceBudgetMs = 8;
    static constexpr int MaximumBatchesInFlight = 3;

    explicit ExportJob(const EventLogModel *model, QObject *parent = nullptr);
    ~ExportJob() override;

    /// Every event the store holds, oldest first.
    static QList<qint64> allSequences(const EventStore &store);
    /// The model's rows as they are now (the filtered view), in row order.
    static QList<qint64> visibleSequences(const EventLogModel &model);
    /// The marked events the store holds, oldest first (whether the filters show them or not).
    static QList<qint64> markedSequences(const EventLogModel &model);
    /// The events of the given rows (e.g. a selection), in row order; invalid rows are ignored.
    static QList<qint64> sequencesOfRows(const EventLogModel &model, QList<int> rows);

    void setSliceSize(int events) { m_sliceSize = qMax(1, events); }
    int sliceSize() const { return m_sliceSize; }

    /// Starts exporting \a sequences. Connection names come from the model unless \a options
    /// names them; totalEvents is filled in. False if a job is running or the model is gone.
    bool start(ExportFormat format, const QString &path, const QList<qint64> &sequences,
               const ExportOptions &options = {});
    /// Nothing is written; finished(false, "Export cancelled") follows.
    void cancel();

    bool isRunning() const { return m_running; }
    qint64 skippedEvents() const { return m_skipped; }
    /// Slices copied so far (a sign the GUI thread was given back between them).
    int slicesCopied() const { return m_slices; }
    const Exporter &exporter() const { return m_exporter; }

Q_SIGNALS:
    void progress(int percent);
    void finished(bool ok, const QString &message);

private:
    void copySlice();
    void scheduleSlice();
    void onFinished(bool ok, const QString &message);

    QPointer<const EventLogModel> m_model;
    Exporter m_exporter;
    QTimer m_sliceTimer;
    QList<qint64> m_sequences;
    QHash<quint16, QString> m_names; // names given in the options
    QSet<quint16> m_namedConnections;
    qsizetype m_next = 0;
    qint64 m_skipped = 0;
    int m_sliceSize = DefaultSliceSize;
    int m_slices = 0;
    bool m_running = false;
    bool m_waitingForWriter = false;
};
