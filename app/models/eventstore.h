#pragma once

#include "sselib/sseevent.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QHash>
#include <QList>

#include <cstdlib>
#include <deque>
#include <memory>
#include <utility>
#include <vector>

// Compact, capped, append-only store for the events of every connection.
//
// Each stored event gets a global sequence number: 0 for the first event ever appended, then
// increasing by one, never reused (not even after clear()). The events currently held are the
// half-open range [firstSequence(), endSequence()).
//
// Layout: events live in chunks. A chunk holds a vector of fixed 24-byte records and one byte
// arena in which the id and the data bytes of each event sit back to back. A chunk closes when it
// holds chunkEventLimit() records or when the next event would push its arena past
// chunkByteLimit(); an event bigger than the byte limit gets a chunk of its own. No QByteArray or
// QString is kept per event, so 1M small events cost about 24 bytes plus their payload each.
//
// Capacity: eviction drops whole chunks from the front, which keeps it O(1) amortized per event.
// The oldest chunk goes only once the events after it alone reach capacity(), so the store holds
// between capacity() and capacity() + (events in the oldest chunk - 1) events once it is full,
// i.e. at most one chunk more than its capacity. For small capacities the chunks are made
// smaller (capacity / 16 events, at least 1) so the overshoot stays proportionate.
//
// Ids: an id of up to InlineIdBytes is copied into the arena beside the data. A longer id is kept
// once per run of events that carry it (an SSE id stays in force until the server changes it, so
// one long `id:` followed by many events without one must not cost its size per event): the
// chunk holds a list of (first record, shared QByteArray) runs and the events point at the run in
// force. Runs of the same connection share one buffer across batches and chunks, so the id bytes
// are held once while any event that carries them is stored.
//
// Byte budget: besides the count capacity, the store evicts the oldest chunks while the bytes it
// holds (records, arenas, long ids, see heldBytes()) exceed byteBudget(). The open chunk is never
// evicted, so the store may exceed the budget by at most one chunk (chunkByteLimit(), or one
// event larger than that). A long id shared between chunks is counted in the chunk that first
// held it.
//
// Type names are interned in one table shared by all connections. Type indexes are stable for
// the lifetime of the store: clear() keeps the table. After 65535 distinct names, further new
// names all map to one overflow entry named "(other)" (for counting, hiding and filtering by
// index); each such event keeps its real type bytes beside its chunk (counted in heldBytes()),
// so type() and event() - and every export - give the type the server sent.
//
// Not thread-safe, not even for concurrent const calls (lookups cache the last chunk used).
// Use it from one thread (the GUI thread).
class EventStore
{
public:
    static constexpr qsizetype DefaultCapacity = 1'000'000;
    static constexpr int DefaultChunkEventLimit = 4096;
    static constexpr qsizetype DefaultChunkByteLimit = 1024 * 1024;
    static constexpr qsizetype DefaultByteBudget = qsizetype(512) * 1024 * 1024;
    static constexpr qsizetype MinimumByteBudget = 1024 * 1024;
    static constexpr qsizetype InlineIdBytes = 64;

    explicit EventStore(qsizetype capacity = DefaultCapacity);
    ~EventStore();

    // Appends the events in order and evicts old chunks if the store went over capacity.
    // Returns the number of events evicted by this call (which may include some of the events
    // just appended, if one batch exceeds the capacity). Payloads (id + data) over 2 GiB are
    // truncated.
    qsizetype append(quint16 connection, const Sse::EventList &events);
    // The same for a batch as the client delivers it: read in place, types looked up once per
    // batch, a long id adopted once per run.
    qsizetype append(quint16 connection, const Sse::EventBatch &events);
    // Appends a marker row (a reconnect, for the log): `text` is kept as its data; it has no
    // type (type() is empty) and no id, and is left out of every count (typeCount(),
    // connectionEventCount(), connectionTypeCount()). It takes a sequence number, counts
    // against the capacity and the byte budget and is evicted like an event, so the log's
    // bounds hold. Returns the number evicted, as append() does.
    qsizetype appendMarker(quint16 connection, qint64 timeMs, QByteArrayView text);
    bool isMarker(qint64 sequence) const;
    // Markers currently held (part of size()).
    qsizetype markerCount() const { return m_markerCount; }
    void clear();

    qsizetype capacity() const { return m_capacity; }
    // Sets the capacity in events (at least 1) and evicts at once; returns the number evicted.
    qsizetype setCapacity(qsizetype events);

    qsizetype byteBudget() const { return m_byteBudget; }
    // Sets the byte budget (at least MinimumByteBudget) and evicts at once; returns the number
    // evicted.
    qsizetype setByteBudget(qsizetype bytes);
    // Bytes counted against the budget: records, arenas, retries and long ids of stored events.
    qsizetype heldBytes() const { return m_heldBytes; }

    // Tuning knobs, mainly for tests; they apply from the next chunk opened.
    void setChunkLimits(int events, qsizetype bytes);
    int chunkEventLimit() const { return m_chunkEventLimit; }
    qsizetype chunkByteLimit() const { return m_chunkByteLimit; }
    qsizetype chunkCount() const { return qsizetype(m_chunks.size()); }

    qint64 firstSequence() const { return m_firstSequence; }
    qint64 endSequence() const { return m_firstSequence + m_size; }
    qsizetype size() const { return m_size; }
    bool isEmpty() const { return m_size == 0; }
    bool contains(qint64 sequence) const
    {
        return sequence >= m_firstSequence && sequence < m_firstSequence + m_size;
    }
    qint64 evictedTotal() const { return m_evictedTotal; }

    // Per-event accessors. A sequence outside [firstSequence(), endSequence()) yields 0 or an
    // empty view. The views point into the store and stay valid until the next append(),
    // setCapacity() or clear().
    qint64 time(qint64 sequence) const;
    quint16 connection(qint64 sequence) const;
    quint16 typeIndex(qint64 sequence) const;
    // The event's type as sent (also past the 65535 interned names; see above).
    QByteArray type(qint64 sequence) const;
    QByteArrayView id(qint64 sequence) const;
    // The id as a QByteArray; a long id is shared with the store, not copied.
    QByteArray idBytes(qint64 sequence) const;
    QByteArrayView data(qint64 sequence) const;
    qsizetype dataSize(qint64 sequence) const;
    bool hasRetry(qint64 sequence) const;
    qint64 retry(qint64 sequence) const; // -1 if the event set none
    // Full copy of one event, for the detail view.
    Sse::Event event(qint64 sequence) const;

    // Interned type names; index in [0, internedTypeCount()).
    qsizetype internedTypeCount() const { return m_typeNames.size(); }
    QByteArray typeName(quint16 typeIndex) const;
    int findType(const QByteArray &name) const; // -1 if never seen

    // Counts of the events currently stored (evicted events are subtracted). The store is the
    // one owner of per-type counts of held events: the type list reads them from here.
    qint64 typeCount(quint16 typeIndex) const;
    qint64 connectionEventCount(quint16 connection) const;
    // Events of one type on one connection (the type list is grouped per connection).
    qint64 connectionTypeCount(quint16 connection, quint16 typeIndex) const;
    // Every (connection, type index) pair ever stored, in the order each first appeared, as
    // (connection << 16) | typeIndex. Like the type table, it is kept across clear().
    const std::vector<quint32> &connectionTypePairs() const { return m_pairOrder; }

    // Approximate heap bytes held by the store (records, arenas, tables).
    qsizetype memoryBytes() const;

private:
    Q_DISABLE_COPY_MOVE(EventStore)

    // One event. The payload at arena + offset is idSize id bytes followed by dataSize bytes.
    struct Record
    {
        qint64 timeMs;
        quint32 offset;
        // low 29 bits: inline id size; bit 31: the event carries a retry; bit 30: the id is the
        // chunk's long-id run in force at this record (and not in the arena); bit 29: a marker
        quint32 idSizeAndFlags;
        quint32 dataSize;
        quint16 connection;
        quint16 typeIndex;
    };
    static_assert(sizeof(Record) == 24, "records are meant to stay at 24 bytes");

    struct FreeDeleter
    {
        void operator()(char *bytes) const { std::free(bytes); }
    };

    struct Chunk
    {
        qint64 firstSequence = 0;
        std::vector<Record> records;
        std::unique_ptr<char, FreeDeleter> bytes; // malloc'ed so it can be realloc'ed
        qsizetype bytesUsed = 0;
        qsizetype bytesCapacity = 0;
        // (record index, retry ms) for the few events with a retry field, in record order.
        std::vector<std::pair<quint32, qint64>> retries;
        // (first record index, id) for events with a long id, in record order.
        std::vector<std::pair<quint32, QByteArray>> idRuns;
        // (record index, type) for events whose type did not fit the interned table.
        std::vector<std::pair<quint32, QByteArray>> otherTypes;
        qsizetype heldBytes = 0;   // what this chunk counts against the byte budget
        qsizetype longIdBytes = 0; // long id bytes this chunk was the first to hold
    };

    // One event to append; for a long id, the buffer adoptLongId() gave and the bytes it adds.
    struct Incoming
    {
        QByteArrayView data;
        QByteArrayView id;
        qint64 timeMs = 0;
        qint64 retryMs = -1;
        QByteArray longId;
        qsizetype newIdBytes = 0;
        QByteArrayView type; // kept only when it maps to the overflow entry
    };
    enum class RecordKind { Event, Marker };
    void appendOne(quint16 connection, quint16 typeIndex, const Incoming &event,
                   RecordKind kind = RecordKind::Event);
    // The id bytes to keep for a long id (shared with an earlier equal one of the connection
    // when possible, or with \a buffer, the caller's QByteArray holding \a id, if it has one);
    // *newBytes receives the bytes this adds to memory (0 when shared).
    QByteArray adoptLongId(quint16 connection, QByteArrayView id, const QByteArray *buffer,
                           qsizetype *newBytes);
    Chunk &openChunkFor(qsizetype payloadBytes);
    void closeChunk(Chunk &chunk);
    void growArena(Chunk &chunk, qsizetype needed);
    qsizetype evict();
    quint16 internType(const QByteArray &name);
    void countEvent(quint16 connection, quint16 typeIndex);
    void uncountEvent(quint16 connection, quint16 typeIndex);
    int effectiveChunkEventLimit() const;
    const Chunk *chunkFor(qint64 sequence) const;
    const Record *recordFor(qint64 sequence, const Chunk **chunk = nullptr) const;

    std::deque<std::unique_ptr<Chunk>> m_chunks; // oldest first; the last one is open
    mutable const Chunk *m_lastChunk = nullptr;  // lookup cache, reset on eviction
    qint64 m_firstSequence = 0;
    qsizetype m_size = 0;
    qsizetype m_capacity = DefaultCapacity;
    qsizetype m_byteBudget = DefaultByteBudget;
    qsizetype m_heldBytes = 0;
    // The last long id of each connection, so that a later batch carrying an equal id (a new
    // buffer with the same bytes) shares it instead of holding another copy.
    QHash<quint16, QByteArray> m_lastLongIds;
    qint64 m_evictedTotal = 0;
    qsizetype m_markerCount = 0;
    int m_chunkEventLimit = DefaultChunkEventLimit;
    qsizetype m_chunkByteLimit = DefaultChunkByteLimit;
    // Sizes of the last closed chunk, used to size the next one without regrowing.
    qsizetype m_recordHint = 0;
    qsizetype m_byteHint = 0;

    QList<QByteArray> m_typeNames;
    QHash<QByteArray, quint16> m_typeLookup;
    int m_lastTypeIndex = -1; // fast path: consecutive events usually share a type
    std::vector<qint64> m_typeCounts;
    std::vector<qint64> m_connectionCounts;
    // [connection][type index]: -1 for a pair never stored, else the events held.
    std::vector<std::vector<qint64>> m_pairCounts;
    std::vector<quint32> m_pairOrder;
};
