#include "recording/recorder.h"

#include "recording/recorderworker.h"

#include "sselib/profile.h"

#include <QDateTime>
#include <QLoggingCategory>
#include <QThread>

Q_LOGGING_CATEGORY(lcRecorder, "sse.recording")

namespace {

qint64 costOf(const Sse::EventBatch &events)
{
    // What the batch holds in memory: each type once, an id once per run of events that carry
    // it (the batch stores it so), the data and a fixed overhead per event. The batch's spare
    // capacity is at most one network read.
    qint64 bytes =
        qint64(events.dataBytes()) + qint64(events.size()) * Recorder::EventOverheadBytes;
    for (const QByteArray &type : events.types())
        bytes += type.size();
    const char *previousId = nullptr;
    for (const Sse::EventView event : events) {
        if (event.lastEventId.data() != previousId)
            bytes += event.lastEventId.size();
        previousId = event.lastEventId.data();
    }
    return bytes;
}

} // namespace

Recorder::Recorder(QObject *parent)
    : QObject(parent), m_channel(std::make_shared<RecorderChannel>())
{
    m_statusTimer.setInterval(StatusIntervalMs);
    connect(&m_statusTimer, &QTimer::timeout, this, &Recorder::emitStatusIfChanged);
}

Recorder::~Recorder()
{
    if (!m_thread)
        return;
    if (m_state == State::Recording)
        stop();
    // Whatever is queued (at least the Close) is written before the thread ends.
    QMetaObject::invokeMethod(m_worker, &RecorderWorker::drain, Qt::BlockingQueuedConnection);
    m_thread->quit();
    m_thread->wait();
    delete m_thread;
}

void Recorder::ensureThread()
{
    if (m_thread)
        return;
    m_thread = new QThread;
    m_thread->setObjectName(QStringLiteral("Recorder"));
    m_worker = new RecorderWorker(m_channel);
    m_worker->moveToThread(m_thread);
    connect(m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(m_worker, &RecorderWorker::partOpened, this, &Recorder::onPartOpened);
    connect(m_worker, &RecorderWorker::failed, this, &Recorder::onFailed);
    connect(m_worker, &RecorderWorker::closed, this, &Recorder::onClosed);
    m_thread->start();
}

bool Recorder::start(const QString &path, const RecorderOptions &options)
{
    if (m_state != State::Idle || path.isEmpty())
        return false;
    ensureThread();
    m_options = options;
    m_fileName = path;
    m_fileNames = {path};
    m_error.clear();
    m_gaps.clear();
    m_eventsDropped = 0;
    m_rawBytesDropped = 0;
    m_dropWarned = false;
    // The writer is idle (Idle means its last Close was processed), so this is race-free.
    m_channel->bytesWritten = 0;
    m_channel->eventsWritten = 0;

    RecorderItem open;
    open.kind = RecorderItem::Kind::Open;
    open.name = path;
    open.options = options;
    enqueue(std::move(open), false);
    m_state = State::Recording;
    for (quint16 id : std::as_const(m_connectionOrder))
        enqueueConnection(id, m_connections.value(id));
    m_lastBytes = m_lastEvents = m_lastDropped = -1;
    m_statusTimer.start();
    emitStatusIfChanged();
    return true;
}

void Recorder::stop()
{
    if (m_state != State::Recording)
        return;
    enqueueAllGaps();
    RecorderItem close;
    close.kind = RecorderItem::Kind::Close;
    enqueue(std::move(close), false);
    m_state = State::Stopping;
}

void Recorder::addConnection(quint16 id, const QString &name, const QUrl &url,
                             const QList<QPair<QByteArray, QByteArray>> &requestHeaders)
{
    if (!m_connections.contains(id))
        m_connectionOrder.append(id);
    ConnectionInfo &info = m_connections[id];
    info = ConnectionInfo{name, url, requestHeaders};
    if (m_state == State::Recording)
        enqueueConnection(id, info);
}

void Recorder::enqueueConnection(quint16 id, const ConnectionInfo &info)
{
    RecorderItem item;
    item.kind = RecorderItem::Kind::Connection;
    item.connection = id;
    item.name = info.name;
    item.url = info.url;
    item.requestHeaders = m_options.secrets == Sse::SecretHandling::Include
        ? info.requestHeaders
        : Sse::redactHeaders(info.requestHeaders);
    enqueue(std::move(item), false);
}

void Recorder::recordEvents(quint16 id, const Sse::EventList &events)
{
    Sse::EventBatch batch;
    for (const Sse::Event &event : events)
        batch.append(event);
    recordEvents(id, batch);
}

void Recorder::recordEvents(quint16 id, const Sse::EventBatch &events,
                            std::shared_ptr<Sse::FlowControl> flow)
{
    if (m_state != State::Recording || events.isEmpty())
        return;
    RecorderItem item;
    item.kind = RecorderItem::Kind::Events;
    item.connection = id;
    item.events = events;
    item.cost = costOf(events);
    if (flow) {
        // Held from now until the worker has formatted the batch: the client counts it as
        // not yet consumed, and stops reading once its budget is used up.
        item.flowCost = Sse::FlowControl::cost(events);
        flow->acquire(item.flowCost);
        item.flow = std::move(flow);
    }
    if (m_gaps.contains(id)) {
        // Only mark the gap once the batch after it is known to fit.
        QMutexLocker lock(&m_channel->mutex);
        const bool fits = m_channel->queuedBytes + item.cost <= m_options.queueLimitBytes;
        lock.unlock();
        if (fits)
            enqueueGaps(id);
    }
    if (enqueue(std::move(item), true))
        return;
    if (item.flow) // not queued (enqueue() leaves a refused item as it was)
        item.flow->release(item.flowCost);
    m_eventsDropped += events.size();
    m_gaps[id] += events.size();
    if (!m_dropWarned) {
        m_dropWarned = true;
        qCWarning(lcRecorder).nospace()
                << "recording queue over " << m_options.queueLimitBytes / (1024 * 1024)
                << " MiB: dropping event batches (counted and marked in " << m_fileName << ")";
    }
}

void Recorder::enqueueGaps(quint16 id)
{
    const qint64 dropped = m_gaps.take(id);
    if (dropped <= 0)
        return;
    Sse::JsonLines::StateRecord gap;
    gap.timeMs = QDateTime::currentMSecsSinceEpoch();
    gap.state = QStringLiteral("recording-gap");
    gap.error = QStringLiteral("%1 events dropped: the recording queue was over %2 MiB")
                        .arg(dropped)
                        .arg(m_options.queueLimitBytes / (1024 * 1024));
    RecorderItem item;
    item.kind = RecorderItem::Kind::State;
    item.connection = id;
    item.state = gap;
    enqueue(std::move(item), false);
}

void Recorder::enqueueAllGaps()
{
    const QList<quint16> ids = m_gaps.keys();
    for (quint16 id : ids)
        enqueueGaps(id);
}

void Recorder::recordState(quint16 id, const Sse::JsonLines::StateRecord &state)
{
    if (m_state != State::Recording)
        return;
    RecorderItem item;
    item.kind = RecorderItem::Kind::State;
    item.connection = id;
    item.state = state;
    enqueue(std::move(item), false);
}

void Recorder::recordLlm(quint16 id, qint64 startedMs, const Sse::Llm::Summary &summary)
{
    if (m_state != State::Recording)
        return;
    RecorderItem item;
    item.kind = RecorderItem::Kind::Llm;
    item.connection = id;
    item.llm = summary;
    item.timeMs = startedMs;
    item.cost = summary.text.size() * 2 + summary.reasoning.size() * 2 + 1024;
    enqueue(std::move(item), false);
}

void Recorder::recordAlert(quint16 id, const Alert &alert)
{
    if (m_state != State::Recording)
        return;
    RecorderItem item;
    item.kind = RecorderItem::Kind::Alert;
    item.connection = id;
    item.alert = alert;
    item.cost = alert.detail.size() * 2 + 256;
    enqueue(std::move(item), false);
}

void Recorder::recordAnnotation(quint16 id, const AnnotationRecord &record)
{
    if (m_state != State::Recording)
        return;
    RecorderItem item;
    item.kind = RecorderItem::Kind::Annotation;
    item.connection = id;
    item.annotation = record;
    item.cost = record.note.size() * 2 + record.type.size() + 256;
    enqueue(std::move(item), false);
}

void Recorder::recordRaw(quint16 id, const QByteArray &bytes)
{
    if (m_state != State::Recording || m_options.rawCapturePath.isEmpty() || bytes.isEmpty())
        return;
    RecorderItem item;
    item.kind = RecorderItem::Kind::Raw;
    item.connection = id;
    item.bytes = bytes;
    item.cost = bytes.size();
    if (enqueue(std::move(item), true))
        return;
    m_rawBytesDropped += bytes.size();
    if (!m_dropWarned) {
        m_dropWarned = true;
        qCWarning(lcRecorder) << "recording queue full: dropping raw capture bytes";
    }
}

bool Recorder::enqueue(RecorderItem &&item, bool droppable)
{
    QMutexLocker lock(&m_channel->mutex);
    if (droppable && m_channel->queuedBytes + item.cost > m_options.queueLimitBytes)
        return false;
    m_channel->queuedBytes += item.cost;
    m_channel->items.push_back(std::move(item));
    const bool wake = !m_channel->wakePending;
    m_channel->wakePending = true;
    lock.unlock();
    if (wake)
        QMetaObject::invokeMethod(m_worker, &RecorderWorker::drain, Qt::QueuedConnection);
    return true;
}

qint64 Recorder::bytesWritten() const
{
    return m_channel->bytesWritten;
}

qint64 Recorder::eventsWritten() const
{
    return m_channel->eventsWritten;
}

qint64 Recorder::queuedBytes() const
{
    QMutexLocker lock(&m_channel->mutex);
    return m_channel->queuedBytes;
}

void Recorder::onPartOpened(const QString &path)
{
    if (m_fileName == path)
        return;
    m_fileName = path;
    if (!m_fileNames.contains(path))
        m_fileNames.append(path);
    emit statusChanged();
}

void Recorder::onFailed(const QString &message)
{
    m_error = message;
    if (m_state == State::Recording) {
        RecorderItem close;
        close.kind = RecorderItem::Kind::Close;
        enqueue(std::move(close), false);
        m_state = State::Stopping;
    }
    emit errorOccurred(message);
}

void Recorder::onClosed()
{
    if (m_state != State::Stopping)
        return; // a Close of an earlier recording that failed before it was processed
    m_state = State::Idle;
    m_statusTimer.stop();
    emitStatusIfChanged();
    emit stopped();
}

void Recorder::emitStatusIfChanged()
{
    const qint64 bytes = bytesWritten();
    const qint64 events = eventsWritten();
    if (bytes == m_lastBytes && events == m_lastEvents && m_eventsDropped == m_lastDropped)
        return;
    m_lastBytes = bytes;
    m_lastEvents = events;
    m_lastDropped = m_eventsDropped;
    emit statusChanged();
}
