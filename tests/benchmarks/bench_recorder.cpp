// Recording throughput: N small events through Recorder (GUI-thread facade + writer thread) to
// a JSON Lines file in /tmp. Prints events/s, MB/s and the time the producing (GUI) thread
// spent inside recordEvents(). Not a CTest test.
//
//   bench_recorder [EVENTS] [BATCH]      defaults: 2000000 events, batches of 1000

#include "recording/recorder.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QTimer>

#include <cstdio>
#include <sys/resource.h>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList arguments = QCoreApplication::arguments();
    const qint64 total = arguments.size() > 1 ? arguments.at(1).toLongLong() : 2'000'000;
    const int batchSize = arguments.size() > 2 ? arguments.at(2).toInt() : 1000;
    if (total <= 0 || batchSize <= 0) {
        std::fprintf(stderr, "usage: bench_recorder [EVENTS] [BATCH]\n");
        return 2;
    }
    const QString path = QDir::tempPath()
        + QStringLiteral("/sse-bench-recorder-%1.jsonl").arg(QCoreApplication::applicationPid());

    // Small events like a ticker feed: ~40 bytes of JSON data, an id, a type.
    const qint64 startMs = 1'700'000'000'000;
    QList<Sse::EventList> batches;
    for (int b = 0; b < 16; ++b) {
        Sse::EventList batch;
        for (int i = 0; i < batchSize; ++i) {
            const qint64 n = qint64(b) * batchSize + i;
            Sse::Event event;
            event.type = QByteArrayLiteral("tick");
            event.data = "{\"n\":" + QByteArray::number(n) + ",\"price\":"
                + QByteArray::number(100.0 + double(n % 1000) / 100.0, 'f', 2) + "}";
            event.lastEventId = QByteArray::number(n);
            event.receivedMs = startMs + n / 50;
            batch.append(event);
        }
        batches.append(batch);
    }

    Recorder recorder;
    recorder.addConnection(1, QStringLiteral("bench"), QUrl(QStringLiteral("http://127.0.0.1/")));
    qint64 submitted = 0;
    qint64 producerNs = 0;
    qint64 maxQueued = 0;
    QElapsedTimer clock;
    QTimer feeder;
    feeder.setInterval(0);
    // Keep up to 32 MiB queued: fast enough to saturate the writer, never near the cap.
    QObject::connect(&feeder, &QTimer::timeout, &recorder, [&] {
        QElapsedTimer inside;
        while (submitted < total && recorder.queuedBytes() < 32 * 1024 * 1024) {
            const Sse::EventList &batch = batches.at(int((submitted / batchSize) % batches.size()));
            const qsizetype count = qsizetype(qMin<qint64>(batchSize, total - submitted));
            const Sse::EventList slice = count == batch.size() ? batch : batch.mid(0, count);
            inside.start();
            recorder.recordEvents(1, slice);
            producerNs += inside.nsecsElapsed();
            submitted += count;
            maxQueued = qMax(maxQueued, recorder.queuedBytes());
        }
        if (submitted >= total) {
            feeder.stop();
            recorder.stop();
        }
    });
    QObject::connect(&recorder, &Recorder::errorOccurred, &app, [](const QString &message) {
        std::fprintf(stderr, "error: %s\n", message.toLocal8Bit().constData());
    });
    QObject::connect(&recorder, &Recorder::stopped, &app, [&] {
        const double seconds = double(clock.nsecsElapsed()) / 1e9;
        const qint64 bytes = QFileInfo(path).size();
        std::printf("recorded %lld events (%lld dropped) to %s\n", recorder.eventsWritten(),
                    recorder.eventsDropped(), qPrintable(path));
        std::printf("%.3f s: %.0f events/s, %.1f MB/s (%lld bytes, %.1f bytes/event)\n", seconds,
                    double(recorder.eventsWritten()) / seconds, double(bytes) / seconds / 1e6,
                    bytes, double(bytes) / double(qMax<qint64>(1, recorder.eventsWritten())));
        // CPU time of the whole process (both threads): stable on a loaded machine, where the
        // wall-clock rate mostly measures how much CPU the scheduler handed out.
        rusage usage;
        getrusage(RUSAGE_SELF, &usage);
        const double cpuSeconds = double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
        std::printf("process CPU %.3f s: %.2f us per event, %.0f events per CPU second\n",
                    cpuSeconds, cpuSeconds * 1e6 / double(total),
                    double(total) / cpuSeconds);
        std::printf("producer thread inside recordEvents(): %.1f ms in all, %.2f us per batch "
                    "of %d; largest queue %.1f MiB\n",
                    double(producerNs) / 1e6,
                    double(producerNs) / 1e3 / double((total + batchSize - 1) / batchSize),
                    batchSize, double(maxQueued) / (1024.0 * 1024.0));
        QFile::remove(path);
        QCoreApplication::exit(recorder.eventsWritten() == total ? 0 : 1);
    });
    if (!recorder.start(path)) {
        std::fprintf(stderr, "cannot start recording\n");
        return 1;
    }
    clock.start();
    feeder.start();
    return QCoreApplication::exec();
}
