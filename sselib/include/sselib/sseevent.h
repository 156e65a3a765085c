#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QMetaType>

#include <cstring>
#include <iterator>

namespace Sse {

/// One dispatched event, as the WHATWG "dispatch the event" step produces it.
/// All text is UTF-8: invalid input bytes have already been replaced by U+FFFD.
struct Event
{
    QByteArray type;        ///< event type; "message" unless an `event:` field set it
    QByteArray data;        ///< data buffer with the trailing LF removed
    QByteArray lastEventId; ///< the last event id in force when the event was dispatched
    qint64 receivedMs = 0;  ///< wall clock (ms since the Unix epoch) of the read that completed it
    qint64 retryMs = -1;    ///< reconnection time set inside this event block, or -1
};

using EventList = QList<Event>;

/// One event of an EventBatch, read in place. The views point into the batch and stay
/// valid while the batch (or a copy of it) is alive and not modified.
struct EventView
{
    QByteArrayView type;
    QByteArrayView data;
    QByteArrayView lastEventId;
    qint64 receivedMs = 0;
    qint64 retryMs = -1;
};

/// The events of one network read, stored compactly: the data and id bytes of all
/// events back to back in one buffer, event types interned, large data payloads kept
/// as their own shared QByteArray. Filling a batch costs no allocation per event, and
/// copying one (a queued signal) shares its buffers.
class EventBatch
{
public:
    /// Data this size or larger is not copied into the shared buffer.
    static constexpr qsizetype LargeDataBytes = 64 * 1024;

    qsizetype size() const { return m_count; }
    bool isEmpty() const { return m_count == 0; }
    /// Bytes of event data in the batch (not counting ids and bookkeeping).
    qsizetype dataBytes() const { return m_dataBytes; }

    EventView at(qsizetype i) const
    {
        const Record &r = record(i);
        const char *bytes = m_bytes.constData();
        EventView view;
        view.type = m_types.at(r.type);
        view.data = r.large ? QByteArrayView(m_large.at(r.data))
                            : QByteArrayView(bytes + r.data, r.dataSize);
        view.lastEventId = QByteArrayView(bytes + r.id, r.idSize);
        view.receivedMs = r.receivedMs;
        view.retryMs = r.retryMs;
        return view;
    }
    /// The event as a self-contained Event (allocates its data).
    Event event(qsizetype i) const;
    /// Appends every event, materialised, to \a list. Equal consecutive ids share bytes.
    void appendTo(EventList &list) const;
    EventList toList() const;

    /// The distinct event types of the batch, and the index of an event's type in it.
    const QList<QByteArray> &types() const { return m_types; }
    qsizetype typeIndex(qsizetype i) const { return record(i).type; }

    void reserve(qsizetype events, qsizetype bytes);
    void clear();

    /// Appends an event; \a data is copied unless it is large and given as a QByteArray.
    void append(const QByteArray &type, QByteArrayView data, QByteArrayView lastEventId,
                qint64 receivedMs, qint64 retryMs = -1)
    {
        if (!appendFast(type, data, lastEventId, receivedMs, retryMs))
            appendCopy(type, data, lastEventId, receivedMs, retryMs);
    }
    void append(const QByteArray &type, QByteArray &&data, QByteArrayView lastEventId,
                qint64 receivedMs, qint64 retryMs = -1);
    void append(const Event &event);

    class const_iterator
    {
    public:
        using iterator_category = std::forward_iterator_tag;
        using value_type = EventView;
        using difference_type = qsizetype;
        using pointer = void;
        using reference = EventView;

        const_iterator(const EventBatch *batch, qsizetype index) : m_batch(batch), m_index(index)
        {
        }
        EventView operator*() const { return m_batch->at(m_index); }
        const_iterator &operator++()
        {
            ++m_index;
            return *this;
        }
        bool operator==(const const_iterator &other) const { return m_index == other.m_index; }
        bool operator!=(const const_iterator &other) const { return m_index != other.m_index; }

    private:
        const EventBatch *m_batch;
        qsizetype m_index;
    };
    const_iterator begin() const { return {this, 0}; }
    const_iterator end() const { return {this, size()}; }

private:
    struct Record
    {
        qint64 data;          // offset in m_bytes, or index in m_large when large
        qint64 id;            // offset in m_bytes
        qint64 receivedMs;
        qint64 retryMs;
        qint32 dataSize;      // of inline data; large data has its own size
        qint32 idSize;
        qint32 type;          // index in m_types
        bool large;
    };
    const Record &record(qsizetype i) const
    {
        Q_ASSERT(i >= 0 && i < m_count);
        return m_records.constData()[i];
    }
    // The parser's hot path, inline: same type and id as the previous event, room in both
    // buffers and nobody sharing them. False (nothing done) otherwise.
    bool appendFast(const QByteArray &type, QByteArrayView data, QByteArrayView lastEventId,
                    qint64 receivedMs, qint64 retryMs)
    {
        if (m_lastType < 0 || m_count == m_records.size()
            || m_used + data.size() + lastEventId.size() > m_bytes.size()
            || data.size() >= LargeDataBytes || !m_bytes.isDetached()
            || !m_records.isDetached()) {
            return false;
        }
        const QByteArray &last = m_types.at(m_lastType);
        if (last.constData() != type.constData() || last.size() != type.size())
            return false;
        // Both buffers are unshared (checked above): writing through constData() is safe and
        // skips a second detach check.
        char *bytes = const_cast<char *>(m_bytes.constData());
        if (m_lastIdSize != lastEventId.size()
            || (!lastEventId.isEmpty()
                && std::memcmp(bytes + m_lastId, lastEventId.data(), lastEventId.size()) != 0)) {
            // A new id (most streams number their events): stored once, before the data.
            m_lastId = m_used;
            m_lastIdSize = qint32(lastEventId.size());
            if (!lastEventId.isEmpty())
                std::memcpy(bytes + m_used, lastEventId.data(), size_t(lastEventId.size()));
            m_used += lastEventId.size();
        }
        Record *r = const_cast<Record *>(m_records.constData()) + m_count++;
        r->data = m_used;
        r->id = m_lastId;
        r->receivedMs = receivedMs;
        r->retryMs = retryMs;
        r->dataSize = qint32(data.size());
        r->idSize = m_lastIdSize;
        r->type = m_lastType;
        r->large = false;
        if (!data.isEmpty())
            std::memcpy(bytes + m_used, data.data(), size_t(data.size()));
        m_used += data.size();
        m_dataBytes += data.size();
        return true;
    }
    void appendCopy(const QByteArray &type, QByteArrayView data, QByteArrayView lastEventId,
                    qint64 receivedMs, qint64 retryMs);
    qint32 internType(const QByteArray &type);
    char *grow(qsizetype bytes);
    Record *nextRecord();
    Record *appendRecord(const QByteArray &type, QByteArrayView lastEventId, qint64 receivedMs,
                         qint64 retryMs);

    QByteArray m_bytes;         // data and id bytes of the events, back to back; its
                                // size is the capacity, m_used the part in use
    qsizetype m_used = 0;
    QList<QByteArray> m_types;  // distinct event types, in order of first use
    QList<QByteArray> m_large;  // large data payloads, shared rather than copied
    QList<Record> m_records;    // its size is the capacity, m_count the records in use
    qsizetype m_count = 0;
    qsizetype m_dataBytes = 0;
    qint32 m_lastType = -1;
    qsizetype m_lastId = -1;    // offset of the most recent id, reused while it repeats
    qint32 m_lastIdSize = 0;
};

} // namespace Sse

// QByteArray and qint64 members only: QList may move events with memcpy/realloc.
Q_DECLARE_TYPEINFO(Sse::Event, Q_RELOCATABLE_TYPE);

Q_DECLARE_METATYPE(Sse::Event)
Q_DECLARE_METATYPE(Sse::EventList)
Q_DECLARE_METATYPE(Sse::EventBatch)
