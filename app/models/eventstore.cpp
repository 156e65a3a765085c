#include "models/eventstore.h"

#include <algorithm>
#include <cstring>

namespace {

constexpr quint32 RetryFlag = 0x80000000u;
constexpr quint32 LongIdFlag = 0x40000000u;
// A marker row (see EventStore::appendMarker); inline ids are at most InlineIdBytes, so the
// size never reaches this bit.
constexpr quint32 MarkerFlag = 0x20000000u;
constexpr quint32 IdSizeMask = 0x1fffffffu;
// Largest id + data payload kept for one event; it must fit the 31-bit id size and the
// 32-bit offsets inside a chunk arena.
constexpr qsizetype MaxPayload = 0x7fffffff;
constexpr qsizetype MaxChunkByteLimit = qsizetype(1) << 30;
constexpr int MaxChunkEventLimit = 1 << 20;
constexpr qsizetype MinArenaBytes = 4096;
constexpr quint16 OverflowTypeIndex = 0xffff;

} // namespace

EventStore::EventStore(qsizetype capacity)
    : m_capacity(qMax<qsizetype>(1, capacity))
{
}

EventStore::~EventStore() = default;

qsizetype EventStore::append(quint16 connection, const Sse::EventList &events)
{
    const qint64 evictedBefore = m_evictedTotal;
    for (const Sse::Event &event : events) {
        Incoming incoming{event.data, event.lastEventId, event.receivedMs, event.retryMs, {}, 0, {}};
        if (event.lastEventId.size() > InlineIdBytes) {
            incoming.longId = adoptLongId(connection, event.lastEventId, &event.lastEventId,
                                          &incoming.newIdBytes);
        }
        incoming.type = event.type;
        appendOne(connection, internType(event.type), incoming);
    }
    evict();
    return qsizetype(m_evictedTotal - evictedBefore);
}

qsizetype EventStore::append(quint16 connection, const Sse::EventBatch &events)
{
    const qint64 evictedBefore = m_evictedTotal;
    // Store type index of each of the batch's types, looked up on first use.
    std::vector<int> typeIndexes(size_t(events.types().size()), -1);
    // A batch keeps an id once per run: equal consecutive ids are one view, adopted once.
    QByteArray longId;
    const char *longIdAt = nullptr;
    qsizetype longIdSize = -1;
    for (qsizetype i = 0; i < events.size(); ++i) {
        const Sse::EventView event = events.at(i);
        int &typeIndex = typeIndexes[size_t(events.typeIndex(i))];
        if (typeIndex < 0)
            typeIndex = internType(events.types().at(events.typeIndex(i)));
        Incoming incoming{event.data, event.lastEventId, event.receivedMs, event.retryMs, {}, 0, {}};
        if (event.lastEventId.size() > InlineIdBytes) {
            if (event.lastEventId.data() != longIdAt || event.lastEventId.size() != longIdSize) {
                longId = adoptLongId(connection, event.lastEventId, nullptr, &incoming.newIdBytes);
                longIdAt = event.lastEventId.data();
                longIdSize = event.lastEventId.size();
            }
            incoming.longId = longId;
        }
        incoming.type = events.types().at(events.typeIndex(i));
        appendOne(connection, quint16(typeIndex), incoming);
    }
    evict();
    return qsizetype(m_evictedTotal - evictedBefore);
}

qsizetype EventStore::appendMarker(quint16 connection, qint64 timeMs, QByteArrayView text)
{
    const qint64 evictedBefore = m_evictedTotal;
    Incoming incoming{text, {}, timeMs, -1, {}, 0, {}};
    appendOne(connection, 0, incoming, RecordKind::Marker);
    evict();
    return qsizetype(m_evictedTotal - evictedBefore);
}

bool EventStore::isMarker(qint64 sequence) const
{
    const Record *record = recordFor(sequence);
    return record && (record->idSizeAndFlags & MarkerFlag);
}

void EventStore::appendOne(quint16 connection, quint16 typeIndex, const Incoming &event,
                           RecordKind kind)
{
    const bool longId = event.id.size() > InlineIdBytes;
    const qsizetype idSize = longId ? 0 : event.id.size();
    const qsizetype dataSize = qMin(event.data.size(), MaxPayload - idSize);
    const qsizetype payload = idSize + dataSize;
    const QByteArray &sharedId = event.longId;
    const qsizetype newIdBytes = event.newIdBytes;

    Chunk &chunk = openChunkFor(payload + newIdBytes);
    growArena(chunk, payload);

    Record record;
    record.timeMs = event.timeMs;
    record.offset = quint32(chunk.bytesUsed);
    record.idSizeAndFlags = quint32(idSize);
    record.dataSize = quint32(dataSize);
    record.connection = connection;
    record.typeIndex = typeIndex;

    qsizetype held = qsizetype(sizeof(Record)) + payload;
    if (payload > 0) {
        char *target = chunk.bytes.get() + chunk.bytesUsed;
        if (idSize > 0)
            std::memcpy(target, event.id.data(), size_t(idSize));
        if (dataSize > 0)
            std::memcpy(target + idSize, event.data.data(), size_t(dataSize));
        chunk.bytesUsed += payload;
    }
    if (longId) {
        record.idSizeAndFlags |= LongIdFlag;
        // A new run only when the id in force changes (another connection's events may sit
        // in between; their records do not look at the runs).
        if (chunk.idRuns.empty() || !chunk.idRuns.back().second.isSharedWith(sharedId)) {
            chunk.idRuns.emplace_back(quint32(chunk.records.size()), sharedId);
            held += qsizetype(sizeof(std::pair<quint32, QByteArray>));
        }
        chunk.longIdBytes += newIdBytes;
        held += newIdBytes;
    }
    if (typeIndex == OverflowTypeIndex) {
        chunk.otherTypes.emplace_back(quint32(chunk.records.size()), event.type.toByteArray());
        held += qsizetype(sizeof(std::pair<quint32, QByteArray>)) + event.type.size();
    }
    if (event.retryMs >= 0) {
        record.idSizeAndFlags |= RetryFlag;
        chunk.retries.emplace_back(quint32(chunk.records.size()), event.retryMs);
        held += qsizetype(sizeof(std::pair<quint32, qint64>));
    }
    if (kind == RecordKind::Marker) {
        // Held and evicted like an event, but no event: the counts leave it out.
        record.idSizeAndFlags |= MarkerFlag;
        ++m_markerCount;
    }
    chunk.records.push_back(record);
    chunk.heldBytes += held;
    m_heldBytes += held;
    ++m_size;
    if (kind == RecordKind::Event)
        countEvent(connection, record.typeIndex);
}

QByteArray EventStore::adoptLongId(quint16 connection, QByteArrayView id,
                                   const QByteArray *buffer, qsizetype *newBytes)
{
    const qsizetype size = qMin(id.size(), MaxPayload);
    QByteArray &last = m_lastLongIds[connection];
    if ((buffer && last.isSharedWith(*buffer))
        || (last.size() == size && std::memcmp(last.constData(), id.data(), size_t(size)) == 0)) {
        *newBytes = 0;
        return last;
    }
    // Share the caller's buffer unless it has much more room than the id needs (a reused
    // read buffer); never keep slack alive for as long as the events are stored.
    if (buffer && size == buffer->size() && buffer->capacity() <= size + size / 8 + 64)
        last = *buffer;
    else
        last = QByteArray(id.data(), size);
    *newBytes = size;
    return last;
}

int EventStore::effectiveChunkEventLimit() const
{
    // Small capacities get small chunks, so that "capacity + one chunk" stays close to capacity.
    const qsizetype proportional = qMax<qsizetype>(1, m_capacity / 16);
    return int(qMin<qsizetype>(proportional, m_chunkEventLimit));
}

EventStore::Chunk &EventStore::openChunkFor(qsizetype payloadBytes)
{
    if (!m_chunks.empty()) {
        Chunk &last = *m_chunks.back();
        const bool full = qsizetype(last.records.size()) >= effectiveChunkEventLimit();
        const qsizetype used = last.bytesUsed + last.longIdBytes;
        const bool overflows = used > 0 && used + payloadBytes > m_chunkByteLimit;
        if (!full && !overflows)
            return last;
        closeChunk(last);
        // Evicting here, not only at the end of append(), keeps a huge batch from holding
        // far more than capacity in memory.
        evict();
    }

    auto chunk = std::make_unique<Chunk>();
    chunk->firstSequence = endSequence();
    const qsizetype reserve = qMin(qMax(m_recordHint, qsizetype(16)),
                                   qsizetype(effectiveChunkEventLimit()));
    chunk->records.reserve(size_t(reserve));
    m_chunks.push_back(std::move(chunk));
    return *m_chunks.back();
}

void EventStore::closeChunk(Chunk &chunk)
{
    // Give back the slack of the growth policy: closed chunks are only ever read.
    if (chunk.records.capacity() > chunk.records.size())
        chunk.records.shrink_to_fit();
    if (chunk.bytesCapacity > chunk.bytesUsed) {
        if (chunk.bytesUsed == 0) {
            chunk.bytes.reset();
        } else if (void *shrunk = std::realloc(chunk.bytes.get(), size_t(chunk.bytesUsed))) {
            chunk.bytes.release();
            chunk.bytes.reset(static_cast<char *>(shrunk));
        }
        // A failed shrink leaves the old (larger) block in place, which is still valid.
        chunk.bytesCapacity = chunk.bytes ? chunk.bytesUsed : 0;
    }
    if (chunk.retries.capacity() > chunk.retries.size())
        chunk.retries.shrink_to_fit();
    if (chunk.idRuns.capacity() > chunk.idRuns.size())
        chunk.idRuns.shrink_to_fit();
    if (chunk.otherTypes.capacity() > chunk.otherTypes.size())
        chunk.otherTypes.shrink_to_fit();

    m_recordHint = qsizetype(chunk.records.size());
    if (chunk.bytesUsed <= m_chunkByteLimit) // a single oversized event says nothing typical
        m_byteHint = chunk.bytesUsed;
}

void EventStore::growArena(Chunk &chunk, qsizetype needed)
{
    const qsizetype required = chunk.bytesUsed + needed;
    if (required <= chunk.bytesCapacity)
        return;

    qsizetype capacity;
    if (chunk.bytesCapacity == 0) {
        // Start at the size the previous chunk ended with, plus a little, so a steady stream
        // fills each arena without any regrowth.
        capacity = qMin(qMax(m_byteHint + m_byteHint / 16, MinArenaBytes), m_chunkByteLimit);
    } else {
        capacity = qMin(chunk.bytesCapacity * 2, m_chunkByteLimit);
    }
    capacity = qMax(capacity, required);

    void *grown = std::realloc(chunk.bytes.get(), size_t(capacity));
    if (!grown)
        qBadAlloc();
    chunk.bytes.release();
    chunk.bytes.reset(static_cast<char *>(grown));
    chunk.bytesCapacity = capacity;
}

qsizetype EventStore::evict()
{
    qsizetype evicted = 0;
    // The last chunk is the open one and is never dropped.
    while (m_chunks.size() > 1) {
        const Chunk &front = *m_chunks.front();
        const qsizetype count = qsizetype(front.records.size());
        if (m_size - count < m_capacity && m_heldBytes <= m_byteBudget)
            break;
        for (const Record &record : front.records) {
            if (record.idSizeAndFlags & MarkerFlag)
                --m_markerCount;
            else
                uncountEvent(record.connection, record.typeIndex);
        }
        if (m_lastChunk == &front)
            m_lastChunk = nullptr;
        m_firstSequence += count;
        m_size -= count;
        evicted += count;
        m_heldBytes -= front.heldBytes;
        m_chunks.pop_front();
    }
    m_evictedTotal += evicted;
    return evicted;
}

void EventStore::clear()
{
    m_firstSequence += m_size; // sequence numbers keep increasing across clear()
    m_size = 0;
    m_chunks.clear();
    m_lastChunk = nullptr;
    m_evictedTotal = 0;
    m_heldBytes = 0;
    m_lastLongIds.clear();
    m_markerCount = 0;
    std::fill(m_typeCounts.begin(), m_typeCounts.end(), 0);
    std::fill(m_connectionCounts.begin(), m_connectionCounts.end(), 0);
    for (std::vector<qint64> &types : m_pairCounts) {
        for (qint64 &count : types)
            count = qMin<qint64>(count, 0); // seen pairs stay seen
    }
}

qsizetype EventStore::setCapacity(qsizetype events)
{
    m_capacity = qMax<qsizetype>(1, events);
    const qint64 evictedBefore = m_evictedTotal;
    evict();
    return qsizetype(m_evictedTotal - evictedBefore);
}

qsizetype EventStore::setByteBudget(qsizetype bytes)
{
    m_byteBudget = qMax(MinimumByteBudget, bytes);
    const qint64 evictedBefore = m_evictedTotal;
    evict();
    return qsizetype(m_evictedTotal - evictedBefore);
}

void EventStore::setChunkLimits(int events, qsizetype bytes)
{
    m_chunkEventLimit = qBound(1, events, MaxChunkEventLimit);
    m_chunkByteLimit = qBound<qsizetype>(1, bytes, MaxChunkByteLimit);
    m_recordHint = 0;
    m_byteHint = 0;
}

const EventStore::Chunk *EventStore::chunkFor(qint64 sequence) const
{
    if (!contains(sequence))
        return nullptr;
    const Chunk *cached = m_lastChunk;
    if (cached && sequence >= cached->firstSequence
        && sequence - cached->firstSequence < qint64(cached->records.size())) {
        return cached;
    }
    // The front chunk starts at m_firstSequence, so upper_bound never returns begin().
    const auto next = std::upper_bound(m_chunks.cbegin(), m_chunks.cend(), sequence,
                                       [](qint64 value, const std::unique_ptr<Chunk> &chunk) {
                                           return value < chunk->firstSequence;
                                       });
    m_lastChunk = std::prev(next)->get();
    return m_lastChunk;
}

const EventStore::Record *EventStore::recordFor(qint64 sequence, const Chunk **chunk) const
{
    const Chunk *found = chunkFor(sequence);
    if (!found)
        return nullptr;
    if (chunk)
        *chunk = found;
    return &found->records[size_t(sequence - found->firstSequence)];
}

qint64 EventStore::time(qint64 sequence) const
{
    const Record *record = recordFor(sequence);
    return record ? record->timeMs : 0;
}

quint16 EventStore::connection(qint64 sequence) const
{
    const Record *record = recordFor(sequence);
    return record ? record->connection : 0;
}

quint16 EventStore::typeIndex(qint64 sequence) const
{
    const Record *record = recordFor(sequence);
    return record ? record->typeIndex : 0;
}

QByteArray EventStore::type(qint64 sequence) const
{
    const Chunk *chunk = nullptr;
    const Record *record = recordFor(sequence, &chunk);
    if (!record || (record->idSizeAndFlags & MarkerFlag))
        return {};
    if (record->typeIndex != OverflowTypeIndex)
        return typeName(record->typeIndex);
    const quint32 index = quint32(sequence - chunk->firstSequence);
    const auto found = std::lower_bound(chunk->otherTypes.cbegin(), chunk->otherTypes.cend(),
                                        index, [](const auto &entry, quint32 value) {
                                            return entry.first < value;
                                        });
    return (found != chunk->otherTypes.cend() && found->first == index) ? found->second
                                                                        : typeName(OverflowTypeIndex);
}

namespace {

template<typename Runs>
const QByteArray *runAt(const Runs &runs, quint32 index)
{
    // The first run starts at or before the first record that has the flag.
    const auto next = std::upper_bound(runs.cbegin(), runs.cend(), index,
                                       [](quint32 value, const auto &run) {
                                           return value < run.first;
                                       });
    return next == runs.cbegin() ? nullptr : &std::prev(next)->second;
}

} // namespace

QByteArrayView EventStore::id(qint64 sequence) const
{
    const Chunk *chunk = nullptr;
    const Record *record = recordFor(sequence, &chunk);
    if (!record)
        return {};
    if (record->idSizeAndFlags & LongIdFlag) {
        const QByteArray *run = runAt(chunk->idRuns, quint32(sequence - chunk->firstSequence));
        return run ? QByteArrayView(*run) : QByteArrayView();
    }
    return QByteArrayView(chunk->bytes.get() + record->offset,
                          qsizetype(record->idSizeAndFlags & IdSizeMask));
}

QByteArray EventStore::idBytes(qint64 sequence) const
{
    const Chunk *chunk = nullptr;
    const Record *record = recordFor(sequence, &chunk);
    if (record && (record->idSizeAndFlags & LongIdFlag)) {
        const QByteArray *run = runAt(chunk->idRuns, quint32(sequence - chunk->firstSequence));
        return run ? *run : QByteArray();
    }
    return id(sequence).toByteArray();
}

QByteArrayView EventStore::data(qint64 sequence) const
{
    const Chunk *chunk = nullptr;
    const Record *record = recordFor(sequence, &chunk);
    if (!record)
        return {};
    const qsizetype idSize = qsizetype(record->idSizeAndFlags & IdSizeMask);
    return QByteArrayView(chunk->bytes.get() + record->offset + idSize,
                          qsizetype(record->dataSize));
}

qsizetype EventStore::dataSize(qint64 sequence) const
{
    const Record *record = recordFor(sequence);
    return record ? qsizetype(record->dataSize) : 0;
}

bool EventStore::hasRetry(qint64 sequence) const
{
    const Record *record = recordFor(sequence);
    return record && (record->idSizeAndFlags & RetryFlag);
}

qint64 EventStore::retry(qint64 sequence) const
{
    const Chunk *chunk = nullptr;
    const Record *record = recordFor(sequence, &chunk);
    if (!record || !(record->idSizeAndFlags & RetryFlag))
        return -1;
    const quint32 index = quint32(sequence - chunk->firstSequence);
    const auto found = std::lower_bound(chunk->retries.cbegin(), chunk->retries.cend(), index,
                                        [](const std::pair<quint32, qint64> &entry, quint32 value) {
                                            return entry.first < value;
                                        });
    return (found != chunk->retries.cend() && found->first == index) ? found->second : -1;
}

Sse::Event EventStore::event(qint64 sequence) const
{
    Sse::Event event;
    if (!contains(sequence))
        return event;
    event.type = type(sequence);
    event.data = data(sequence).toByteArray();
    event.lastEventId = idBytes(sequence);
    event.receivedMs = time(sequence);
    event.retryMs = retry(sequence);
    return event;
}

quint16 EventStore::internType(const QByteArray &name)
{
    if (m_lastTypeIndex >= 0 && m_typeNames.at(m_lastTypeIndex) == name)
        return quint16(m_lastTypeIndex);

    const auto found = m_typeLookup.constFind(name);
    if (found != m_typeLookup.constEnd()) {
        m_lastTypeIndex = *found;
        return *found;
    }

    if (m_typeNames.size() >= OverflowTypeIndex) {
        // Table full: every further new name shares one last entry.
        if (m_typeNames.size() == OverflowTypeIndex) {
            m_typeNames.append(QByteArrayLiteral("(other)"));
            m_typeCounts.push_back(0);
        }
        return OverflowTypeIndex;
    }

    const quint16 index = quint16(m_typeNames.size());
    const QByteArray own(name.constData(), name.size()); // never keep a caller's buffer alive
    m_typeNames.append(own);
    m_typeLookup.insert(own, index);
    m_typeCounts.push_back(0);
    m_lastTypeIndex = index;
    return index;
}

QByteArray EventStore::typeName(quint16 typeIndex) const
{
    return typeIndex < m_typeNames.size() ? m_typeNames.at(typeIndex) : QByteArray();
}

int EventStore::findType(const QByteArray &name) const
{
    const auto found = m_typeLookup.constFind(name);
    return found != m_typeLookup.constEnd() ? int(*found) : -1;
}

void EventStore::countEvent(quint16 connection, quint16 typeIndex)
{
    ++m_typeCounts[typeIndex];
    if (connection >= m_connectionCounts.size())
        m_connectionCounts.resize(size_t(connection) + 1, 0);
    ++m_connectionCounts[connection];
    if (connection >= m_pairCounts.size())
        m_pairCounts.resize(size_t(connection) + 1);
    std::vector<qint64> &types = m_pairCounts[connection];
    if (typeIndex >= types.size())
        types.resize(size_t(typeIndex) + 1, -1);
    if (types[typeIndex] < 0) {
        types[typeIndex] = 0;
        m_pairOrder.push_back((quint32(connection) << 16) | typeIndex);
    }
    ++types[typeIndex];
}

void EventStore::uncountEvent(quint16 connection, quint16 typeIndex)
{
    --m_typeCounts[typeIndex];
    --m_connectionCounts[connection];
    --m_pairCounts[connection][typeIndex];
}

qint64 EventStore::connectionTypeCount(quint16 connection, quint16 typeIndex) const
{
    if (connection >= m_pairCounts.size() || typeIndex >= m_pairCounts[connection].size())
        return 0;
    return qMax<qint64>(0, m_pairCounts[connection][typeIndex]);
}

qint64 EventStore::typeCount(quint16 typeIndex) const
{
    return typeIndex < m_typeCounts.size() ? m_typeCounts[typeIndex] : 0;
}

qint64 EventStore::connectionEventCount(quint16 connection) const
{
    return connection < m_connectionCounts.size() ? m_connectionCounts[connection] : 0;
}

qsizetype EventStore::memoryBytes() const
{
    qsizetype total = sizeof(*this);
    for (const std::unique_ptr<Chunk> &chunk : m_chunks) {
        total += qsizetype(sizeof(Chunk) + sizeof(void *)) // the chunk and its deque slot
                + qsizetype(chunk->records.capacity() * sizeof(Record))
                + chunk->bytesCapacity
                + qsizetype(chunk->retries.capacity() * sizeof(std::pair<quint32, qint64>))
                + qsizetype(chunk->idRuns.capacity() * sizeof(std::pair<quint32, QByteArray>))
                + qsizetype(chunk->otherTypes.capacity() * sizeof(std::pair<quint32, QByteArray>))
                + chunk->longIdBytes;
    }
    // Interning table: the names, the list slots and roughly one hash node each.
    for (const QByteArray &name : m_typeNames)
        total += name.capacity() + qsizetype(sizeof(QByteArray)) * 3 + 16;
    total += qsizetype(m_typeCounts.capacity() * sizeof(qint64));
    total += qsizetype(m_connectionCounts.capacity() * sizeof(qint64));
    for (const std::vector<qint64> &types : m_pairCounts)
        total += qsizetype(types.capacity() * sizeof(qint64));
    total += qsizetype(m_pairOrder.capacity() * sizeof(quint32));
    return total;
}
