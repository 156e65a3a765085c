// libFuzzer target for Sse::Parser: the same bytes fed whole and in a chunking chosen by the
// input must give the same events, last event id, retry and status; every event must be valid
// UTF-8 with a non-empty type, and the buffered bytes stay within the size cap. The chunked
// side goes through EventBatch, as the client's read loop does.
//
// Input layout: byte 0 picks the chunking, byte 1 the maximum event size, the rest is the stream.

#include "sselib/sseparser.h"

#include <QByteArray>
#include <QList>

#include <cstddef>
#include <cstdint>

namespace {

#define FUZZ_CHECK(condition) \
    do { \
        if (!(condition)) \
            __builtin_trap(); \
    } while (false)

// Well-formed UTF-8 (RFC 3629): no overlongs, no surrogates, nothing above U+10FFFF.
bool isValidUtf8(const QByteArray &bytes)
{
    const auto *p = reinterpret_cast<const unsigned char *>(bytes.constData());
    const auto *end = p + bytes.size();
    while (p < end) {
        const unsigned char c = *p;
        if (c < 0x80) {
            ++p;
            continue;
        }
        int length = 0;
        unsigned char low = 0x80;
        unsigned char high = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) {
            length = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            length = 3;
            if (c == 0xE0)
                low = 0xA0;
            else if (c == 0xED)
                high = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            length = 4;
            if (c == 0xF0)
                low = 0x90;
            else if (c == 0xF4)
                high = 0x8F;
        } else {
            return false;
        }
        if (end - p < length)
            return false;
        if (p[1] < low || p[1] > high)
            return false;
        for (int i = 2; i < length; ++i) {
            if (p[i] < 0x80 || p[i] > 0xBF)
                return false;
        }
        p += length;
    }
    return true;
}

void checkEvents(const Sse::EventList &events)
{
    for (const Sse::Event &event : events) {
        FUZZ_CHECK(!event.type.isEmpty());
        FUZZ_CHECK(isValidUtf8(event.type));
        FUZZ_CHECK(isValidUtf8(event.data));
        FUZZ_CHECK(isValidUtf8(event.lastEventId));
        FUZZ_CHECK(!event.lastEventId.contains('\0'));
    }
}

bool sameEvents(const Sse::EventList &a, const Sse::EventList &b)
{
    if (a.size() != b.size())
        return false;
    for (qsizetype i = 0; i < a.size(); ++i) {
        if (a[i].type != b[i].type || a[i].data != b[i].data
            || a[i].lastEventId != b[i].lastEventId || a[i].retryMs != b[i].retryMs
            || a[i].receivedMs != b[i].receivedMs) {
            return false;
        }
    }
    return true;
}

// Chunk sizes for the stream, by mode: fixed n-byte chunks (1 included), cuts right before and
// right after every CR and LF, or sizes taken from the stream bytes themselves.
QList<qsizetype> chunkSizes(unsigned mode, const char *data, qsizetype size)
{
    QList<qsizetype> sizes;
    switch (mode % 4) {
    case 0: // 1-byte chunks
    case 1: { // fixed chunks of 2..17 bytes
        const qsizetype step = mode % 4 == 0 ? 1 : 2 + (mode >> 2) % 16;
        for (qsizetype offset = 0; offset < size; offset += step)
            sizes.append(qMin(step, size - offset));
        break;
    }
    case 2: { // boundaries at CR and LF: each line break alone, splitting CRLF pairs
        qsizetype start = 0;
        for (qsizetype i = 0; i < size; ++i) {
            if (data[i] == '\r' || data[i] == '\n') {
                if (i > start)
                    sizes.append(i - start);
                sizes.append(1);
                start = i + 1;
            }
        }
        if (start < size)
            sizes.append(size - start);
        break;
    }
    default: { // sizes from the bytes: 1..31, each 0 becoming an empty feed before a byte
        qsizetype offset = 0;
        qsizetype i = 0;
        while (offset < size) {
            qsizetype step = static_cast<unsigned char>(data[i++ % size]) % 32;
            if (step == 0) {
                sizes.append(0);
                step = 1;
            }
            step = qMin(step, size - offset);
            sizes.append(step);
            offset += step;
        }
        break;
    }
    }
    return sizes;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *input, size_t inputSize)
{
    if (inputSize < 2)
        return 0;
    const unsigned mode = input[0];
    // Mostly small caps so that the EventTooLarge path is reached; 255 keeps the default.
    const qsizetype maximum = input[1] == 255 ? Sse::Parser::DefaultMaximumEventSize
                                              : 1 + qsizetype(input[1]) * 3;
    const char *data = reinterpret_cast<const char *>(input + 2);
    const qsizetype size = qsizetype(inputSize) - 2;

    Sse::Parser whole;
    whole.setMaximumEventSize(maximum);
    whole.setReceiveTime(42);
    Sse::EventList wholeEvents;
    const Sse::Parser::Status wholeStatus = whole.feed(data, size, wholeEvents);
    FUZZ_CHECK(whole.bufferedBytes() <= maximum);
    whole.finish();

    Sse::Parser chunked;
    chunked.setMaximumEventSize(maximum);
    chunked.setReceiveTime(42);
    // The chunked side fills one EventBatch the way Sse::Client does: handed over (copied)
    // and cleared for reuse every few events, while the copies must stay intact.
    Sse::EventBatch batch;
    QList<Sse::EventBatch> delivered;
    Sse::Parser::Status chunkedStatus = Sse::Parser::Status::Ok;
    qsizetype offset = 0;
    for (const qsizetype chunk : chunkSizes(mode, data, size)) {
        const Sse::Parser::Status status = chunked.feed(data + offset, chunk, batch);
        if (status != Sse::Parser::Status::Ok)
            chunkedStatus = status;
        FUZZ_CHECK(chunked.bufferedBytes() <= maximum + chunk);
        offset += chunk;
        if (batch.size() >= 3) {
            delivered.append(batch);
            batch.clear();
        }
    }
    FUZZ_CHECK(offset == size);
    chunked.finish();
    delivered.append(batch);
    Sse::EventList chunkedEvents;
    for (const Sse::EventBatch &part : std::as_const(delivered))
        part.appendTo(chunkedEvents);

    FUZZ_CHECK(wholeStatus == chunkedStatus);
    FUZZ_CHECK(sameEvents(wholeEvents, chunkedEvents));
    FUZZ_CHECK(whole.lastEventId() == chunked.lastEventId());
    FUZZ_CHECK(whole.retryMs() == chunked.retryMs());
    FUZZ_CHECK(isValidUtf8(whole.lastEventId()));
    checkEvents(wholeEvents);

    if (wholeStatus == Sse::Parser::Status::Ok) {
        // Line counting must not depend on the chunking either.
        const Sse::Parser::Statistics &a = whole.statistics();
        const Sse::Parser::Statistics &b = chunked.statistics();
        FUZZ_CHECK(a.bytes == b.bytes);
        FUZZ_CHECK(a.lines == b.lines && a.comments == b.comments);
        FUZZ_CHECK(a.crlfLineEnds == b.crlfLineEnds && a.lfLineEnds == b.lfLineEnds
                   && a.crLineEnds == b.crLineEnds);
        FUZZ_CHECK(a.bomSeen == b.bomSeen);
    }
    return 0;
}
