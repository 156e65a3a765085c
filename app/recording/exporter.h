#pragma once

#include "recording/exportformatter.h"

#include <QObject>
#include <QString>

#include <atomic>
#include <memory>

class QThread;
class ExporterWorker;

/// Writes events to a file in one ExportFormat on a thread of its own.
///
/// The caller (GUI thread) calls start(), hands the events over in batches with addEvents() and
/// ends with finish(); each batch is formatted and written on the export thread while the next
/// one is being prepared. The file is a QSaveFile: it appears, complete, only when finish()
/// succeeds; on cancel() or an error nothing is left behind and an existing file of that name
/// is untouched. ExportJob drives an Exporter from the event log without blocking the GUI.
///
/// pendingBatches() counts batches handed over and not yet written, so a producer can wait for
/// batchWritten() instead of queuing the whole export in memory.
class Exporter : public QObject
{
    Q_OBJECT
public:
    explicit Exporter(QObject *parent = nullptr);
    /// Cancels a running export (nothing is written) and waits for the export thread.
    ~Exporter() override;

    /// False if an export is already running. Errors opening the file come with finished().
    bool start(ExportFormat format, const QString &path, const ExportOptions &options = {});
    /// The name written for \a connection from now on (before its first event).
    void setConnectionName(quint16 connection, const QString &name);
    void addEvents(const ExportEventList &events);
    /// No more events: commit the file. finished() follows.
    void finish();
    /// Stops and removes the partial file; finished(false, ...) follows.
    void cancel();

    bool isRunning() const { return m_thread != nullptr; }
    /// finish() or cancel() was called, or writing failed: finished() is on its way and
    /// further events are ignored.
    bool isFinishing() const { return m_finishing; }
    QString fileName() const { return m_path; }
    qint64 eventsAdded() const { return m_eventsAdded; }
    qint64 eventsWritten() const { return m_eventsWritten; }
    int pendingBatches() const { return m_pendingBatches; }

Q_SIGNALS:
    /// Percent of ExportOptions::totalEvents written (only when that is set), on change.
    void progress(int percent);
    void batchWritten();
    void finished(bool ok, const QString &message);

private:
    void onBatchWritten(qint64 eventsWritten);
    void onFailed();
    void onDone(bool ok, const QString &message);

    QThread *m_thread = nullptr;        // owned
    ExporterWorker *m_worker = nullptr; // lives on m_thread, deleted when it finishes
    std::shared_ptr<std::atomic<bool>> m_cancelled;
    QString m_path;
    qint64 m_total = 0;
    qint64 m_eventsAdded = 0;
    qint64 m_eventsWritten = 0;
    int m_pendingBatches = 0;
    int m_percent = -1;
    bool m_finishing = false;
};
