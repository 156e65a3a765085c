#pragma once

#include "models/alertlistmodel.h"

#include "recording/annotationrecord.h"
#include "recording/recorderoptions.h"

#include "sselib/jsonlines.h"
#include "sselib/llmanalyser.h"
#include "sselib/sseclient.h"
#include "sselib/sseevent.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QMutex>
#include <QObject>
#include <QPair>
#include <QString>
#include <QTimer>
#include <QUrl>

#include <atomic>
#include <deque>
#include <memory>
#include <unordered_map>

class QFile;

// One instruction from Recorder to its writer thread.
struct RecorderItem
{
    enum class Kind { Open, Connection, Events, State, Raw, Llm, Alert, Annotation, Close };
    Kind kind = Kind::Close;
    quint16 connection = 0;
    Sse::EventBatch events;               // Events (shares the client's buffers)
    Sse::JsonLines::StateRecord state;    // State
    QByteArray bytes;                     // Raw
    Sse::Llm::Summary llm;                // Llm: one finished response
    qint64 timeMs = 0;                    // Llm: when its request was sent
    Alert alert;                          // Alert
    AnnotationRecord annotation;          // Annotation (its connection name set by the worker)
    QString name;                         // Connection: its name; Open: the file path
    QUrl url;                             // Connection
    QList<QPair<QByteArray, QByteArray>> requestHeaders; // Connection, already redacted
    RecorderOptions options;              // Open
    qint64 cost = 0;                      // bytes counted against the queue limit
    // Events: the connection's read budget, held until the batch is written (see
    // Recorder::recordEvents); released by the worker, or by the facade if not queued.
    std::shared_ptr<Sse::FlowControl> flow;
    qint64 flowCost = 0;
};

// What Recorder (GUI thread) and RecorderWorker (writer thread) share. The queue is guarded by
// the mutex; the counters are written by the worker only and read by anyone.
struct RecorderChannel
{
    QMutex mutex;
    std::deque<RecorderItem> items;
    qint64 queuedBytes = 0;
    bool wakePending = false; // a drain() call is posted and has not yet found the queue empty

    std::atomic<qint64> bytesWritten{0};  // all parts, data that reached write(2)
    std::atomic<qint64> eventsWritten{0};
};

// The writer side of Recorder; lives on Recorder's thread and does all the file I/O there.
//
// drain() takes the queued items in order, formats them with Sse::JsonLines::Writer into one
// buffer and hands the buffer to write(2) (QFile opened Unbuffered) whenever it reaches
// WriteChunkBytes and always before drain() returns. So everything queued reaches the kernel
// within one drain: a kill -9 loses only what was still queued or being formatted, which the
// facade keeps below FlushIntervalMs by waking the worker as soon as something is queued.
//
// Every FlushIntervalMs an idle check also verifies that the file is still the one opened
// (not deleted or replaced); on Unix a deleted file would otherwise swallow writes silently.
//
// After a write error the worker truncates the part to the last complete record if it can,
// closes its files, emits failed() and ignores items until the next Open or Close.
class RecorderWorker : public QObject
{
    Q_OBJECT
public:
    static constexpr qsizetype WriteChunkBytes = 1024 * 1024;
    static constexpr int FlushIntervalMs = 200;

    explicit RecorderWorker(std::shared_ptr<RecorderChannel> channel);
    ~RecorderWorker() override;

    // Processes everything queued. Invoked (queued) by Recorder when the queue goes non-empty.
    void drain();

    // The name of rotated part \a part of \a path: "rec.jsonl" -> "rec.1.jsonl", "rec" -> "rec.1".
    static QString partPath(const QString &path, int part);
    // Raw capture file of the \a index-th connection that sends raw bytes (0 = the path itself):
    // "raw.sse" -> "raw.conn2.sse" for connection id 2.
    static QString rawPath(const QString &path, int index, quint16 connection);

Q_SIGNALS:
    void partOpened(const QString &path);
    void failed(const QString &message);
    void closed();

private:
    struct ConnectionState
    {
        QString name; // unique within the recording
        QUrl url;
        QList<QPair<QByteArray, QByteArray>> requestHeaders;
        Sse::JsonLines::Writer writer;
    };
    struct RawCapture
    {
        std::unique_ptr<QFile> file;
        QByteArray buffer;
    };

    void process(RecorderItem &item);
    void open(const QString &path, const RecorderOptions &options);
    void close();
    void setConnection(quint16 id, const QString &name, const QUrl &url,
                       const QList<QPair<QByteArray, QByteArray>> &requestHeaders);
    ConnectionState &connection(quint16 id);
    void appendHeader(ConnectionState &connection);
    void beforeRecord();
    void appendAlertRecord(QByteArray &out, const Alert &alert, const QString &connection);
    bool openPart();
    void rotate();
    bool writeBuffer();
    void writeRaw(quint16 id, const QByteArray &bytes);
    bool flushRaw();
    void checkFile();
    void fail(const QString &message);

    std::shared_ptr<RecorderChannel> m_channel;
    QTimer m_checkTimer;

    bool m_active = false; // between Open and Close, and not failed
    QString m_path;
    RecorderOptions m_options;
    std::unique_ptr<QFile> m_file;
    QString m_partName;
    int m_part = 0;
    qint64 m_partBytes = 0;       // written to the current part
    qint64 m_partRecords = 0;     // event and state records in the current part (with buffer)
    QByteArray m_buffer;          // formatted, not yet written
    Sse::JsonLines::TimeFormatter m_alertTime;
    qint64 m_bufferedEvents = 0;
    qint64 m_sequence = 0;
    quint64 m_device = 0;         // identity of the open part, for checkFile()
    quint64 m_inode = 0;

    QHash<quint16, ConnectionState> m_connections;
    QHash<QString, quint16> m_connectionNames; // unique name -> connection
    QList<quint16> m_connectionOrder;
    std::unordered_map<quint16, RawCapture> m_raw;
};
