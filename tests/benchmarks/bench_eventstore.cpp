// Memory and rescan benchmark for EventStore / EventLogModel. A plain program, not a test:
// build it in Release and run it by hand.
//
//   bench_eventstore            # 1,000,000 small events, 100,000 1-KiB events, rescans
//
// Resident memory is read from /proc/self/statm before and after filling a store, with
// malloc_trim() first so memory freed by earlier phases does not hide the growth.

#include "models/eventfilter.h"
#include "models/eventlogmodel.h"
#include "models/eventstore.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>

#include <cstdio>
#include <malloc.h>
#include <memory>
#include <unistd.h>

namespace {

constexpr int BatchSize = 1000; // events per append, like one flush of a busy connection

qint64 residentBytes()
{
    FILE *statm = std::fopen("/proc/self/statm", "r");
    if (!statm)
        return -1;
    long long sizePages = 0;
    long long residentPages = 0;
    const int fields = std::fscanf(statm, "%lld %lld", &sizePages, &residentPages);
    std::fclose(statm);
    return fields == 2 ? residentPages * sysconf(_SC_PAGESIZE) : -1;
}

qint64 settledResidentBytes()
{
    malloc_trim(0);
    return residentBytes();
}

// Shape (a): about 45 bytes of JSON, no id.
Sse::EventList smallBatch(qint64 first, int count)
{
    Sse::EventList batch;
    batch.reserve(count);
    for (qint64 n = first; n < first + count; ++n) {
        Sse::Event event;
        event.type = QByteArrayLiteral("message");
        event.data = "{\"seq\":" + QByteArray::number(n)
                + ",\"value\":12.345,\"name\":\"sensor-07\"}";
        event.receivedMs = 1'700'000'000'000 + n;
        batch.append(event);
    }
    return batch;
}

// Shape (b): 1024 data bytes and a short id.
Sse::EventList kibibyteBatch(qint64 first, int count)
{
    Sse::EventList batch;
    batch.reserve(count);
    for (qint64 n = first; n < first + count; ++n) {
        Sse::Event event;
        event.type = QByteArrayLiteral("blob");
        event.data = QByteArray(1024, char('a' + n % 26));
        event.lastEventId = QByteArray::number(n);
        event.receivedMs = 1'700'000'000'000 + n;
        batch.append(event);
    }
    return batch;
}

template<typename MakeBatch>
void measureStore(const char *label, qint64 events, MakeBatch makeBatch)
{
    qint64 dataBytes = 0;
    const qint64 before = settledResidentBytes();
    auto store = std::make_unique<EventStore>();
    QElapsedTimer clock;
    qint64 appendNs = 0;
    for (qint64 n = 0; n < events; n += BatchSize) {
        const Sse::EventList batch = makeBatch(n, int(qMin<qint64>(BatchSize, events - n)));
        for (const Sse::Event &event : batch)
            dataBytes += event.data.size();
        clock.start();
        store->append(0, batch);
        appendNs += clock.nsecsElapsed();
    }
    const qint64 after = settledResidentBytes();
    const double growth = double(after - before);

    std::printf("%s\n", label);
    std::printf("  events stored            %lld (evicted %lld)\n", (long long)store->size(),
                (long long)store->evictedTotal());
    std::printf("  data bytes               %.1f per event\n", double(dataBytes) / double(events));
    std::printf("  resident growth          %.1f bytes per event (%.1f MiB)\n",
                growth / double(events), growth / (1024.0 * 1024.0));
    std::printf("  memoryBytes()            %.1f bytes per event\n",
                double(store->memoryBytes()) / double(events));
    std::printf("  growth / data bytes      %.3f\n", growth / double(dataBytes));
    std::printf("  append                   %.0f ns per event\n",
                double(appendNs) / double(events));
    std::printf("  chunks                   %lld\n", (long long)store->chunkCount());
}

void measureRescan(EventLogModel &model, const char *label, const EventFilter &filter)
{
    QEventLoop loop;
    const auto connection = QObject::connect(&model, &EventLogModel::rescanFinished, &loop,
                                             &QEventLoop::quit);
    QElapsedTimer clock;
    clock.start();
    model.setFilter(filter);
    loop.exec();
    const qint64 elapsed = clock.elapsed();
    QObject::disconnect(connection);
    std::printf("  %-38s %6lld ms, %lld rows\n", label, (long long)elapsed,
                (long long)model.rowCount());
}

void measureFilterLoop(const EventStore &store, const char *label, const EventFilter &filter)
{
    QElapsedTimer clock;
    clock.start();
    qint64 accepted = 0;
    for (qint64 sequence = store.firstSequence(); sequence < store.endSequence(); ++sequence)
        accepted += filter.accepts(store, sequence) ? 1 : 0;
    std::printf("  %-38s %6lld ms, %lld accepted\n", label, (long long)clock.elapsed(),
                (long long)accepted);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);

    measureStore("1,000,000 events of ~45 data bytes (shape a)", 1'000'000, smallBatch);
    measureStore("100,000 events of 1 KiB (shape b)", 100'000, kibibyteBatch);

    std::printf("rescan of 1,000,000 shape-(a) events through EventLogModel::setFilter\n");
    EventLogModel model;
    for (qint64 n = 0; n < 1'000'000; n += BatchSize)
        model.ingest(0, smallBatch(n, BatchSize));
    model.flush();
    std::printf("  model rows %lld, model + store resident %.1f MiB\n",
                (long long)model.rowCount(), double(settledResidentBytes()) / (1024.0 * 1024.0));

    EventFilter substring;
    substring.setText(QStringLiteral("\"seq\":12345,"));
    substring.setCaseSensitivity(Qt::CaseSensitive);
    EventFilter folded;
    folded.setText(QStringLiteral("SENSOR-08"));
    EventFilter regex;
    regex.setMatchMode(EventFilter::MatchMode::RegularExpression);
    regex.setText(QStringLiteral("\"seq\":\\d*777,"));
    EventFilter hidden;
    hidden.setHiddenTypes({0});

    measureRescan(model, "substring, case-sensitive", substring);
    measureRescan(model, "substring, case-insensitive (no match)", folded);
    measureRescan(model, "hide the only type", hidden);
    measureRescan(model, "regular expression", regex);
    measureRescan(model, "no filter (all rows back)", EventFilter());

    std::printf("bare EventFilter::accepts loop over the same store\n");
    measureFilterLoop(model.store(), "substring, case-sensitive", substring);
    measureFilterLoop(model.store(), "substring, case-insensitive", folded);
    measureFilterLoop(model.store(), "regular expression", regex);
    return 0;
}
