#pragma once

#include "recording/annotationrecord.h"
#include "recording/recorderoptions.h"

#include "models/alertlistmodel.h"

#include "sselib/jsonlines.h"
#include "sselib/llmanalyser.h"
#include "sselib/sseevent.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QPair>
#include <QString>
#include <QStringList>
#include <QTimer>
#include <QUrl>

#include <memory>

class QThread;
class RecorderWorker;
struct RecorderChannel;
struct RecorderItem;

// Records the monitored connections to a JSON Lines file (sselib/jsonlines.h): one header
// record per connection, then event and state records, each with the connection's name in its
// "connection" member and a sequence number counting all records of the recording from 1.
//
// Thread split: this facade lives on the GUI thread and never touches the disk. The record*()
// calls only queue the (implicitly shared) batch under a mutex and wake the writer thread
// (RecorderWorker), which formats, writes and rotates. Data reaches write(2) at the end of
// every wake-up, and the writer wakes as soon as something is queued, so a crash or kill -9
// loses at most the batches still queued or being formatted (well under FlushIntervalMs at
// normal rates). A torn last line is possible; LogReader skips it.
//
// Queue limit and overflow policy: events and raw bytes waiting for the writer are capped at
// RecorderOptions::queueLimitBytes (256 MiB by default; an event counts its type, id and data
// bytes plus 64). A batch that would go over the limit is dropped whole: its events are added
// to eventsDropped(), a warning is logged once per recording, and a state record
// {"state":"recording-gap","error":"N events dropped: ..."} is written for that connection
// before its next accepted batch (or at stop()), so the file itself shows where the hole is.
// Header and state records are never dropped.
//
// Errors (unwritable path, full disk, file deleted or replaced, any failed write): recording
// stops, what was written stays (cut back to the last whole record when possible),
// errorOccurred() gives the file name and the OS error, then stopped() follows. The caller's
// monitoring is not affected.
//
// Connections are registered with addConnection() whether or not a recording runs; start()
// writes a header for each registered connection. Calling addConnection() again for the same
// id (a rename) writes a new header; later records use the new name.
class Recorder : public QObject
{
    Q_OBJECT
public:
    enum class State {
        Idle,      // not recording; start() is possible
        Recording, // records are accepted
        Stopping,  // stop() or an error: the writer is finishing, stopped() comes next
    };
    Q_ENUM(State)

    static constexpr int StatusIntervalMs = 250;
    static constexpr qint64 EventOverheadBytes = 64;

    explicit Recorder(QObject *parent = nullptr);
    // Finishes the recording (everything queued is written) and waits for the writer thread.
    ~Recorder() override;

    // Starts recording to \a path (truncated if it exists). Returns false if the state is not
    // Idle or the path is empty. The file is opened on the writer thread: if that fails,
    // errorOccurred() and stopped() follow.
    bool start(const QString &path, const RecorderOptions &options = RecorderOptions());
    // Writes what is queued, closes the files and emits stopped(). Returns at once.
    void stop();

    void addConnection(quint16 id, const QString &name, const QUrl &url,
                       const QList<QPair<QByteArray, QByteArray>> &requestHeaders = {});
    // With \a flow (the connection's read budget, Sse::FlowControl), the batch counts against
    // it until the writer has taken it: a recording that falls behind (a slow disk) makes
    // the client stop reading like a slow window does, and nothing is dropped. Without it,
    // the queue limit applies (batches past it are dropped and counted).
    void recordEvents(quint16 id, const Sse::EventBatch &events,
                      std::shared_ptr<Sse::FlowControl> flow = {});
    void recordEvents(quint16 id, const Sse::EventList &events);
    void recordState(quint16 id, const Sse::JsonLines::StateRecord &state);
    // The summary of a finished LLM response of \a id (an `llm` record), its request sent at
    // \a startedMs.
    void recordLlm(quint16 id, qint64 startedMs, const Sse::Llm::Summary &summary);
    // Raw body bytes of connection \a id; ignored unless RecorderOptions::rawCapturePath is set.
    void recordRaw(quint16 id, const QByteArray &bytes);
    /// An alert of the connection: a record of kind "alert" (time, connection, rule, detail,
    /// id of the event involved).
    void recordAlert(quint16 id, const Alert &alert);
    /// A mark or note the user set on an event of the connection (an `annotation` record, see
    /// recording/annotationrecord.h); its connection member is the connection's name.
    void recordAnnotation(quint16 id, const AnnotationRecord &record);

    State state() const { return m_state; }
    bool isRecording() const { return m_state == State::Recording; }
    RecorderOptions options() const { return m_options; }
    // The part being written (the start() path until the first rotation).
    QString fileName() const { return m_fileName; }
    // Every part of the current (or last) recording, oldest first.
    QStringList fileNames() const { return m_fileNames; }
    qint64 bytesWritten() const;
    qint64 eventsWritten() const;
    qint64 eventsDropped() const { return m_eventsDropped; }
    qint64 rawBytesDropped() const { return m_rawBytesDropped; }
    qint64 queuedBytes() const;
    // The message of the last error (empty if the last recording had none).
    QString errorString() const { return m_error; }

Q_SIGNALS:
    // Counters or the file name changed; at most every StatusIntervalMs, plus on start and stop.
    void statusChanged();
    void errorOccurred(const QString &message);
    void stopped();

private:
    struct ConnectionInfo
    {
        QString name;
        QUrl url;
        QList<QPair<QByteArray, QByteArray>> requestHeaders;
    };

    void ensureThread();
    bool enqueue(RecorderItem &&item, bool droppable);
    void enqueueConnection(quint16 id, const ConnectionInfo &info);
    void enqueueGaps(quint16 id);
    void enqueueAllGaps();
    void onPartOpened(const QString &path);
    void onFailed(const QString &message);
    void onClosed();
    void emitStatusIfChanged();

    std::shared_ptr<RecorderChannel> m_channel;
    QThread *m_thread = nullptr;        // owned; deleted in the destructor after wait()
    RecorderWorker *m_worker = nullptr; // lives on m_thread, deleted when it finishes

    State m_state = State::Idle;
    RecorderOptions m_options;
    QString m_fileName;
    QStringList m_fileNames;
    QString m_error;
    QHash<quint16, ConnectionInfo> m_connections;
    QList<quint16> m_connectionOrder;
    QHash<quint16, qint64> m_gaps; // events dropped per connection, not yet marked in the file
    qint64 m_eventsDropped = 0;
    qint64 m_rawBytesDropped = 0;
    bool m_dropWarned = false;

    QTimer m_statusTimer;
    qint64 m_lastBytes = -1;
    qint64 m_lastEvents = -1;
    qint64 m_lastDropped = -1;
};
