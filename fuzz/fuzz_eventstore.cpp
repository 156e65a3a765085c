// libFuzzer target for the event store (app/models/eventstore) with hostile ids and types: the
// input is a script of appends whose ids and types are long, repeated across batches in fresh
// buffers (as the parser materialises them) or interleaved between connections, under a small
// count capacity and chunk limits. Every stored event must read back as appended, and the bytes
// held must stay within the byte budget plus one chunk.

#include "models/eventstore.h"

#include <QByteArray>

#include <cstddef>
#include <cstdint>
#include <deque>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *input, size_t inputSize)
{
    EventStore store(4096);
    store.setChunkLimits(5, 64 * 1024);
    store.setByteBudget(EventStore::MinimumByteBudget); // the byte budget evicts, not the count
    std::deque<Sse::Event> expected; // what the store should hold, oldest first
    QByteArray ids[4];
    QByteArray types[4] = {"message", "t", QByteArray(100, 'T'), QByteArray(70000, 'L')};
    size_t pos = 0;
    auto next = [&]() -> uint8_t { return pos < inputSize ? input[pos++] : 0; };
    while (pos < inputSize) {
        const uint8_t op = next();
        const quint16 connection = quint16(op & 3);
        // Bits 2-3: how the id changes; 4-5: the type; 6-7: events in the batch.
        switch ((op >> 2) & 3) {
        case 0:
            break; // the id in force stays, in the same buffer
        case 1: {
            const QByteArray copy = ids[connection]; // same bytes, a buffer of its own
            ids[connection] = QByteArray(copy.constData(), copy.size());
            break;
        }
        case 2:
            ids[connection] = QByteArray(next() * 97 + next(), char('a' + (next() % 26)));
            break;
        default:
            ids[connection] = QByteArray::number(next());
            break;
        }
        Sse::EventList batch;
        for (int i = 0; i <= (op >> 6); ++i) {
            Sse::Event event;
            event.type = types[(op >> 4) & 3];
            event.data = QByteArray(next() * 8, 'd');
            event.lastEventId = ids[connection];
            event.receivedMs = qint64(pos);
            event.retryMs = (op & 0x80) ? qint64(pos) : -1;
            batch.append(event);
            expected.push_back(event);
        }
        store.append(connection, batch);
        while (qsizetype(expected.size()) > store.size())
            expected.pop_front();
        if (store.heldBytes() > store.byteBudget() + store.chunkByteLimit() + 70000 + 256 * 97)
            __builtin_trap();
    }
    if (qsizetype(expected.size()) != store.size())
        __builtin_trap();
    qint64 sequence = store.firstSequence();
    for (const Sse::Event &event : expected) {
        if (store.id(sequence) != QByteArrayView(event.lastEventId)
            || store.event(sequence).lastEventId != event.lastEventId
            || store.typeName(store.typeIndex(sequence)) != event.type
            || store.data(sequence) != QByteArrayView(event.data)
            || store.retry(sequence) != event.retryMs) {
            __builtin_trap();
        }
        ++sequence;
    }
    return 0;
}
