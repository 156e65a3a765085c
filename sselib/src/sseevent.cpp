#include "sselib/sseevent.h"

#include <cstring>

namespace Sse {

Event EventBatch::event(qsizetype i) const
{
    const Record &r = record(i);
    const EventView view = at(i);
    Event event;
    event.type = m_types.at(r.type); // shared, not copied
    event.data = r.large ? m_large.at(r.data) : view.data.toByteArray();
    event.lastEventId = view.lastEventId.toByteArray();
    event.receivedMs = view.receivedMs;
    event.retryMs = view.retryMs;
    return event;
}

void EventBatch::appendTo(EventList &list) const
{
    list.reserve(list.size() + size());
    qint64 idOffset = -1;
    QByteArray id;
    for (qsizetype i = 0; i < size(); ++i) {
        Event event = this->event(i);
        // Consecutive events usually carry the same id bytes (or none): share them.
        const Record &r = record(i);
        if (r.id == idOffset && id.size() == r.idSize) {
            event.lastEventId = id;
        } else {
            idOffset = r.id;
            id = event.lastEventId;
        }
        list.append(std::move(event));
    }
}

EventList EventBatch::toList() const
{
    EventList list;
    appendTo(list);
    return list;
}

void EventBatch::reserve(qsizetype events, qsizetype bytes)
{
    if (events > m_records.size())
        m_records.resize(events);
    if (bytes > m_bytes.size())
        m_bytes.resize(bytes);
}

void EventBatch::clear()
{
    // Buffers still shared with a copy (a queued signal) are left to it; unshared ones are
    // reused, so a read loop whose receivers are done with the batch allocates nothing.
    if (!m_bytes.isDetached())
        m_bytes = QByteArray();
    if (!m_records.isDetached())
        m_records = QList<Record>();
    m_used = 0;
    m_count = 0;
    m_types.clear();
    m_large.clear();
    m_dataBytes = 0;
    m_lastType = -1;
    m_lastId = -1;
    m_lastIdSize = 0;
}

qint32 EventBatch::internType(const QByteArray &type)
{
    // A stream usually repeats the type it used last, often the very same bytes.
    if (m_lastType >= 0) {
        const QByteArray &last = m_types.at(m_lastType);
        if (last.constData() == type.constData() && last.size() == type.size())
            return m_lastType;
    }
    for (qsizetype i = m_types.size() - 1; i >= 0; --i) {
        if (m_types.at(i) == type)
            return m_lastType = qint32(i);
    }
    m_types.append(type);
    return m_lastType = qint32(m_types.size() - 1);
}

char *EventBatch::grow(qsizetype bytes)
{
    if (m_used + bytes > m_bytes.size())
        m_bytes.resize(qMax(m_used + bytes, 2 * m_bytes.size()));
    char *target = m_bytes.data() + m_used; // detaches if a copy of the batch shares it
    m_used += bytes;
    return target;
}

EventBatch::Record *EventBatch::nextRecord()
{
    if (m_count == m_records.size())
        m_records.resize(qMax<qsizetype>(16, 2 * m_count));
    return m_records.data() + m_count++; // detaches if a copy of the batch shares it
}

EventBatch::Record *EventBatch::appendRecord(const QByteArray &type, QByteArrayView lastEventId,
                                             qint64 receivedMs, qint64 retryMs)
{
    const qint32 typeIndex = internType(type);
    // Ids repeat (or are empty) from one event to the next: store a changed one only.
    if (m_lastId < 0 || m_lastIdSize != lastEventId.size()
        || (!lastEventId.isEmpty()
            && std::memcmp(m_bytes.constData() + m_lastId, lastEventId.data(),
                           lastEventId.size())
                   != 0)) {
        m_lastIdSize = qint32(lastEventId.size());
        m_lastId = m_used;
        if (!lastEventId.isEmpty())
            std::memcpy(grow(lastEventId.size()), lastEventId.data(), lastEventId.size());
    }
    Record *r = nextRecord();
    r->id = m_lastId;
    r->idSize = m_lastIdSize;
    r->type = typeIndex;
    r->receivedMs = receivedMs;
    r->retryMs = retryMs;
    return r;
}

void EventBatch::appendCopy(const QByteArray &type, QByteArrayView data,
                            QByteArrayView lastEventId, qint64 receivedMs, qint64 retryMs)
{
    if (data.size() >= LargeDataBytes) {
        append(type, data.toByteArray(), lastEventId, receivedMs, retryMs);
        return;
    }
    Record *r = appendRecord(type, lastEventId, receivedMs, retryMs);
    r->large = false;
    r->dataSize = qint32(data.size());
    r->data = m_used;
    if (!data.isEmpty())
        std::memcpy(grow(data.size()), data.data(), data.size());
    m_dataBytes += data.size();
}

void EventBatch::append(const QByteArray &type, QByteArray &&data, QByteArrayView lastEventId,
                        qint64 receivedMs, qint64 retryMs)
{
    if (data.size() < LargeDataBytes) {
        append(type, QByteArrayView(data), lastEventId, receivedMs, retryMs);
        return;
    }
    Record *r = appendRecord(type, lastEventId, receivedMs, retryMs);
    r->large = true;
    r->dataSize = 0;
    r->data = m_large.size();
    m_dataBytes += data.size();
    m_large.append(std::move(data));
}

void EventBatch::append(const Event &event)
{
    if (event.data.size() >= LargeDataBytes) {
        append(event.type, QByteArray(event.data), event.lastEventId, event.receivedMs,
               event.retryMs);
    } else {
        append(event.type, QByteArrayView(event.data), event.lastEventId, event.receivedMs,
               event.retryMs);
    }
}

} // namespace Sse
