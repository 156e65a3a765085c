// libFuzzer target for the recording formats: every line through Sse::JsonLines::parseRecord(),
// and the whole input through LogReader, fed at once and in small chunks. No crash, no hang;
// both readers must read the same number of events and states.

#include "recording/logreader.h"

#include "sselib/jsonlines.h"

#include <QByteArrayView>

#include <cstddef>
#include <cstdint>

namespace {

LogReader::Statistics readAll(QByteArrayView bytes, qsizetype chunk)
{
    LogReader reader;
    reader.setRawTimeSpan(1'700'000'000'000, 1'700'000'060'000, bytes.size());
    for (qsizetype offset = 0; offset < bytes.size(); offset += chunk)
        reader.feed(bytes.sliced(offset, qMin(chunk, bytes.size() - offset)));
    reader.finish();
    qint64 events = 0;
    for (const LogReader::ConnectionBatch &batch : reader.takeBatches())
        events += batch.events.size();
    if (events != reader.statistics().events || reader.pendingEventCount() != 0)
        __builtin_trap();
    return reader.statistics();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *input, size_t inputSize)
{
    const QByteArrayView bytes(reinterpret_cast<const char *>(input), qsizetype(inputSize));

    qsizetype start = 0;
    while (start <= bytes.size()) {
        qsizetype end = bytes.indexOf('\n', start);
        if (end < 0)
            end = bytes.size();
        const Sse::JsonLines::Record record
            = Sse::JsonLines::parseRecord(bytes.sliced(start, end - start));
        if (record.kind == Sse::JsonLines::Record::Kind::Invalid && record.error.isEmpty())
            __builtin_trap(); // an invalid line always says why
        start = end + 1;
    }

    const LogReader::Statistics whole = readAll(bytes, qMax<qsizetype>(bytes.size(), 1));
    const LogReader::Statistics chunked = readAll(bytes, 7);
    if (whole.events != chunked.events || whole.states != chunked.states
        || whole.bytes != chunked.bytes) {
        __builtin_trap();
    }
    return 0;
}
