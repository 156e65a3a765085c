// Filter language benchmark: a numeric JSON-path comparison over 1,000,000 stored events of
// shape {"price":..., "symbol":...}, resolved by the filter's own lazy path scanner and, when
// built with simdjson (Debian libsimdjson-dev), by simdjson's On-Demand API for comparison.
// Also times the event log's sliced rescan with the expression. A plain program, not a test.
//
//   bench_filter [events]     # default 1,000,000; prints the median of 5 runs of each

#include "models/eventfilter.h"
#include "models/eventlogmodel.h"
#include "models/eventstore.h"

#include "sselib/filterexpression.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QTimer>

#include <algorithm>
#include <cstring>
#include <cstdio>
#include <functional>
#include <memory>
#include <vector>

#ifdef SSE_BENCH_SIMDJSON
#include <simdjson.h>
#endif

namespace {

std::unique_ptr<EventStore> makeStore(qint64 events)
{
    auto store = std::make_unique<EventStore>(events);
    static const char *const symbols[] = {"ACME", "INIT", "GLOBEX", "HOOLI"};
    for (qint64 first = 0; first < events; first += 1000) {
        Sse::EventList batch;
        batch.reserve(1000);
        for (qint64 n = first; n < qMin(events, first + 1000); ++n) {
            Sse::Event event;
            event.type = QByteArrayLiteral("trade");
            // Prices 50.00 .. 149.99: about half pass "> 100".
            event.data = "{\"price\":" + QByteArray::number(50 + double(n * 7919 % 10000) / 100)
                    + ",\"symbol\":\"" + symbols[n % 4] + "\"}";
            event.receivedMs = 1'700'000'000'000 + n;
            batch.append(event);
        }
        store->append(0, batch);
    }
    return store;
}

struct Result
{
    double milliseconds;
    qint64 matched;
};

Result median(const std::function<qint64()> &run)
{
    std::vector<double> times;
    qint64 matched = 0;
    for (int i = 0; i < 5; ++i) {
        QElapsedTimer timer;
        timer.start();
        matched = run();
        times.push_back(double(timer.nsecsElapsed()) / 1e6);
    }
    std::sort(times.begin(), times.end());
    return {times[2], matched};
}

void print(const char *what, const Result &result, qint64 events)
{
    std::printf("%-52s %9.1f ms  %6.1f ns/event  matched %lld\n", what, result.milliseconds,
                result.milliseconds * 1e6 / double(events), static_cast<long long>(result.matched));
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const qint64 events = argc > 1 ? QByteArray(argv[1]).toLongLong() : 1'000'000;
    std::unique_ptr<EventStore> store = makeStore(events);
    const qint64 begin = store->firstSequence();
    const qint64 end = store->endSequence();
    std::printf("%lld events of shape {\"price\":..,\"symbol\":..}, median of 5 runs\n",
                static_cast<long long>(end - begin));

    const Sse::FilterExpression expression =
            Sse::FilterExpression::parse(QStringLiteral("data.price > 100"));
    print("filter scanner: data.price > 100", median([&] {
              qint64 matched = 0;
              Sse::FilterFields fields;
              for (qint64 sequence = begin; sequence < end; ++sequence) {
                  fields.data = store->data(sequence);
                  matched += expression.matches(fields);
              }
              return matched;
          }),
          events);

    const Sse::FilterExpression both = Sse::FilterExpression::parse(
            QStringLiteral("data.price > 100 && data.symbol == \"ACME\""));
    print("filter scanner: two paths (one pass)", median([&] {
              qint64 matched = 0;
              Sse::FilterFields fields;
              for (qint64 sequence = begin; sequence < end; ++sequence) {
                  fields.data = store->data(sequence);
                  matched += both.matches(fields);
              }
              return matched;
          }),
          events);

    EventFilter filter;
    filter.setExpression(expression);
    print("EventFilter::accepts (store fields + expression)", median([&] {
              qint64 matched = 0;
              for (qint64 sequence = begin; sequence < end; ++sequence)
                  matched += filter.accepts(*store, sequence);
              return matched;
          }),
          events);

#ifdef SSE_BENCH_SIMDJSON
    // On-Demand needs SIMDJSON_PADDING readable bytes after the document; the store gives no
    // such guarantee, so each event is copied into one reused padded buffer.
    print("simdjson On-Demand (copy to padded buffer)", median([&] {
              qint64 matched = 0;
              simdjson::ondemand::parser parser;
              std::vector<char> buffer(4096 + simdjson::SIMDJSON_PADDING);
              for (qint64 sequence = begin; sequence < end; ++sequence) {
                  const QByteArrayView data = store->data(sequence);
                  if (size_t(data.size()) + simdjson::SIMDJSON_PADDING > buffer.size())
                      buffer.resize(size_t(data.size()) + simdjson::SIMDJSON_PADDING);
                  std::memcpy(buffer.data(), data.data(), size_t(data.size()));
                  simdjson::padded_string_view view(buffer.data(), size_t(data.size()),
                                                    buffer.size());
                  simdjson::ondemand::document document;
                  if (parser.iterate(view).get(document))
                      continue;
                  double price = 0;
                  if (document.find_field_unordered("price").get_double().get(price))
                      continue;
                  matched += price > 100;
              }
              return matched;
          }),
          events);
#endif

    // The event log's rescan: time slices on the event loop until rescanFinished, and the
    // longest slice (the longest the window waits).
    EventLogModel model(makeStore(events));
    EventFilter logFilter;
    logFilter.setExpression(expression);
    std::vector<double> rescans;
    double longestSlice = 0;
    for (int i = 0; i < 5; ++i) {
        model.setFilter(EventFilter());
        QEventLoop settle;
        QObject::connect(&model, &EventLogModel::rescanFinished, &settle, &QEventLoop::quit);
        settle.exec();
        QEventLoop loop;
        QObject::connect(&model, &EventLogModel::rescanFinished, &loop, &QEventLoop::quit);
        // A zero timer runs between slices: the gap between two of its runs is the stall.
        QElapsedTimer sinceLast;
        QTimer probe;
        probe.setInterval(0);
        QObject::connect(&probe, &QTimer::timeout, &probe, [&] {
            longestSlice = std::max(longestSlice, double(sinceLast.nsecsElapsed()) / 1e6);
            sinceLast.restart();
        });
        QElapsedTimer timer;
        timer.start();
        sinceLast.start();
        probe.start();
        model.setFilter(logFilter);
        loop.exec();
        probe.stop();
        rescans.push_back(double(timer.nsecsElapsed()) / 1e6);
    }
    std::sort(rescans.begin(), rescans.end());
    print("EventLogModel rescan, sliced (setFilter to finished)",
          Result{rescans[2], qint64(model.visibleCount())}, events);
    std::printf("longest event-loop stall during the rescans: %.1f ms\n", longestSlice);

    // Sorting the log by a JSON-path column: keys read in slices, then one sort and one layout
    // change (the longest stall).
    model.setFilter(EventFilter());
    {
        QEventLoop settle;
        QObject::connect(&model, &EventLogModel::rescanFinished, &settle, &QEventLoop::quit);
        settle.exec();
    }
    model.setFieldColumns({{QStringLiteral("price"), QStringLiteral("data.price"), {}}});
    std::vector<double> sorts;
    double longestSortStall = 0;
    for (int i = 0; i < 5; ++i) {
        QEventLoop loop;
        QObject::connect(&model, &EventLogModel::sortFinished, &loop, &QEventLoop::quit);
        QElapsedTimer sinceLast;
        QTimer probe;
        probe.setInterval(0);
        QObject::connect(&probe, &QTimer::timeout, &probe, [&] {
            longestSortStall = std::max(longestSortStall, double(sinceLast.nsecsElapsed()) / 1e6);
            sinceLast.restart();
        });
        QElapsedTimer timer;
        timer.start();
        sinceLast.start();
        probe.start();
        model.sort(EventLogModel::ColumnCount,
                   i % 2 ? Qt::DescendingOrder : Qt::AscendingOrder);
        loop.exec();
        probe.stop();
        sorts.push_back(double(timer.nsecsElapsed()) / 1e6);
    }
    std::sort(sorts.begin(), sorts.end());
    print("EventLogModel sort by data.price column (sliced keys)",
          Result{sorts[2], qint64(model.rowCount())}, events);
    std::printf("longest event-loop stall during the sorts: %.1f ms\n", longestSortStall);
    return 0;
}
