#pragma once

#include "recording/logreader.h"

#include "sselib/jsonlines.h"
#include "sselib/sseevent.h"

#include <QList>
#include <QMetaType>
#include <QObject>
#include <QSemaphore>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <atomic>
#include <memory>

class QThread;

// Opens a recording (the project's JSON Lines log, or a raw `text/event-stream` capture) and
// reads it on a worker thread with LogReader; see logreader.h for the format rules, how torn
// lines are skipped and how raw captures get their times.
//
// Results arrive on the thread that owns the importer (the GUI thread), in file order per
// connection: connectionFound() once per connection, then eventsLoaded()/statesLoaded()
// batches of up to batchSize() events, then finished(). Batches of different connections are
// emitted in turns, so events of two connections are not strictly interleaved in time.
//
// Flow control: the worker has at most MaximumBatchesInFlight batches queued towards the GUI
// thread and waits for the slots that handle them to return, so a large file is read only as
// fast as it is consumed and memory stays bounded.
//
// Records without a "connection" member and raw captures belong to the default connection,
// named after the file (its file name) unless setDefaultConnectionName() says otherwise.
class LogImporter : public QObject
{
    Q_OBJECT
public:
    struct Statistics
    {
        LogReader::Format format = LogReader::Format::Unknown;
        qint64 bytes = 0;
        qint64 lines = 0;
        qint64 events = 0;
        qint64 states = 0;
        qint64 skippedLines = 0;
        int connections = 0;
        bool cancelled = false;
        QString error;       // the file could not be read; empty on success
        QStringList warnings; // the first LogReader::MaximumWarnings, "line N: why"
        qint64 warningCount = 0;
    };

    static constexpr int DefaultBatchSize = 10000;
    static constexpr int MaximumBatchesInFlight = 4;
    static constexpr qint64 ReadBlockBytes = 1024 * 1024;

    explicit LogImporter(QObject *parent = nullptr);
    // Cancels a running import and waits for the worker.
    ~LogImporter() override;

    // Set these before start(); the worker thread reads them.
    void setBatchSize(int events) { m_batchSize = qMax(1, events); }
    int batchSize() const { return m_batchSize; }
    void setDefaultConnectionName(const QString &name) { m_defaultName = name; }

    // Starts reading \a path; false if an import is already running. A file that cannot be
    // opened ends with finished() carrying the error.
    bool start(const QString &path);
    // Stops reading; finished() follows with cancelled set. Batches already emitted stay.
    void cancel();
    bool isRunning() const { return m_thread != nullptr; }
    QString fileName() const { return m_path; }

    // Known once connectionFound() was emitted for them (URL and headers final at finished()).
    QList<LogReader::Connection> connections() const { return m_connections; }
    // Warnings of the last finished import: "line 1234: ..." (also in Statistics).
    QStringList warnings() const { return m_statistics.warnings; }
    Statistics statistics() const { return m_statistics; }

Q_SIGNALS:
    void connectionFound(const QString &name, const QUrl &url);
    void eventsLoaded(const QString &connectionName, const Sse::EventList &events);
    void statesLoaded(const QString &connectionName,
                      const QList<Sse::JsonLines::StateRecord> &states);
    /// `llm` records: the summaries of the connection's LLM responses as recorded.
    void llmLoaded(const QString &connectionName, const QList<LogReader::LlmRecord> &records);
    /// `annotation` records (marks and notes), after the events they refer to.
    void annotationsLoaded(const QString &connectionName,
                           const QList<AnnotationRecord> &records);
    void progress(int percent);
    void finished(const LogImporter::Statistics &statistics);

private:
    void run(); // worker thread
    void deliver(const QList<LogReader::Connection> &connections,
                 const QList<LogReader::ConnectionBatch> &batches);
    void complete(const LogImporter::Statistics &statistics);

    QThread *m_thread = nullptr;
    std::atomic<bool> m_cancel{false};
    QSemaphore m_slots{MaximumBatchesInFlight};
    QString m_path;
    QString m_defaultName;
    int m_batchSize = DefaultBatchSize;
    int m_percent = -1;
    QList<LogReader::Connection> m_connections;
    Statistics m_statistics;
};

Q_DECLARE_METATYPE(LogImporter::Statistics)
