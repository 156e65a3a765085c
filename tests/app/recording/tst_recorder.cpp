#include "recording/recorder.h"
#include "recording/recorderworker.h"

#include "models/eventlogmodel.h"
#include "recordinghelpers.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <sys/resource.h>

using namespace RecordingTest;

namespace {

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

using Headers = QList<QPair<QByteArray, QByteArray>>;

} // namespace

class tst_Recorder : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();

    void roundTrip();
    void recordsStatesAndUrls();
    void redactsSecrets_data();
    void redactsSecrets();
    void rotates();
    void partPaths_data();
    void partPaths();
    void writesWithoutStop();
    void destructorFinishesTheFile();
    void restartsWithFreshCounters();
    void reportsUnwritablePath();
    void reportsFullDevice();
    void keepsWhatWasWrittenWhenWritesStartFailing();
    void reportsRemovedFile();
    void countsAndMarksDroppedBatches();
    void capturesRawBytes();

private:
    QTemporaryDir m_dir;
};

void tst_Recorder::init()
{
    QTest::failOnWarning(QRegularExpression(QStringLiteral(".*")));
    QVERIFY(m_dir.isValid());
}

void tst_Recorder::roundTrip()
{
    const QString path = m_dir.filePath(QStringLiteral("roundtrip.jsonl"));
    const Sse::EventList a = sampleEvents(300, 0);
    const Sse::EventList b = sampleEvents(200, 1000, 1'700'000'100'000);

    Recorder recorder;
    recorder.addConnection(1, QStringLiteral("alpha"), QUrl(QStringLiteral("http://a.example/s")));
    QSignalSpy stopped(&recorder, &Recorder::stopped);
    QVERIFY(recorder.start(path));
    QVERIFY(recorder.isRecording());
    QCOMPARE(recorder.fileName(), path);
    recorder.addConnection(2, QStringLiteral("beta"), QUrl(QStringLiteral("http://b.example/s")));
    // Interleaved batches of both connections, as the connection manager delivers them.
    for (int i = 0; i < 10; ++i) {
        recorder.recordEvents(1, a.mid(i * 30, 30));
        recorder.recordEvents(2, b.mid(i * 20, 20));
    }
    recorder.stop();
    QCOMPARE(recorder.state(), Recorder::State::Stopping);
    QVERIFY(!recorder.start(path)); // not while stopping
    QVERIFY(stopped.wait(10000));
    QCOMPARE(recorder.state(), Recorder::State::Idle);
    QCOMPARE(recorder.eventsWritten(), qint64(a.size() + b.size()));
    QCOMPARE(recorder.bytesWritten(), QFileInfo(path).size());
    QCOMPARE(recorder.eventsDropped(), 0);

    Imported imported;
    importFile(path, &imported, 64);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(imported.statistics.skippedLines, 0);
    QCOMPARE(imported.order, QStringList({QStringLiteral("alpha"), QStringLiteral("beta")}));
    QCOMPARE(describe(imported.events.value(QStringLiteral("alpha"))), describe(a));
    QCOMPARE(describe(imported.events.value(QStringLiteral("beta"))), describe(b));

    // Sequence numbers count the records of the recording from 1.
    const QList<QByteArray> lines = readAll(path).split('\n');
    QVERIFY(lines.at(0).contains("\"kind\":\"header\""));
    QVERIFY(lines.at(2).startsWith("{\"kind\":\"event\",\"seq\":1,"));
}

void tst_Recorder::recordsStatesAndUrls()
{
    const QString path = m_dir.filePath(QStringLiteral("states.jsonl"));
    Recorder recorder;
    QSignalSpy stopped(&recorder, &Recorder::stopped);
    QVERIFY(recorder.start(path));
    recorder.addConnection(7, QStringLiteral("feed"), QUrl(QStringLiteral("http://x.example/e")));
    Sse::JsonLines::StateRecord connecting;
    connecting.timeMs = 1'700'000'000'000;
    connecting.state = QStringLiteral("connecting");
    connecting.lastEventId = "41";
    connecting.attempt = 2;
    recorder.recordState(7, connecting);
    recorder.recordEvents(7, sampleEvents(5));
    Sse::JsonLines::StateRecord failed;
    failed.timeMs = 1'700'000'000'500;
    failed.state = QStringLiteral("failed");
    failed.status = 503;
    failed.error = QStringLiteral("HTTP 503 Service Unavailable");
    recorder.recordState(7, failed);
    // A connection nobody announced still gets a header and a name of its own.
    recorder.recordEvents(9, sampleEvents(2));
    recorder.stop();
    QVERIFY(stopped.wait(10000));

    Imported imported;
    importFile(path, &imported);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(imported.urls.value(QStringLiteral("feed")),
             QUrl(QStringLiteral("http://x.example/e")));
    const auto states = imported.states.value(QStringLiteral("feed"));
    QCOMPARE(states.size(), 2);
    QCOMPARE(states.at(0).state, QStringLiteral("connecting"));
    QCOMPARE(states.at(0).lastEventId, QByteArray("41"));
    QCOMPARE(states.at(0).attempt, 2);
    QCOMPARE(states.at(1).status, 503);
    QCOMPARE(states.at(1).error, failed.error);
    QCOMPARE(states.at(1).timeMs, failed.timeMs);
    QCOMPARE(imported.events.value(QStringLiteral("feed")).size(), 5);
    QCOMPARE(imported.events.value(QStringLiteral("connection 9")).size(), 2);
}

void tst_Recorder::redactsSecrets_data()
{
    QTest::addColumn<bool>("included");
    QTest::newRow("exclude") << false;
    QTest::newRow("include") << true;
}

void tst_Recorder::redactsSecrets()
{
    QFETCH(bool, included);
    const QString path = m_dir.filePath(QStringLiteral("secrets.jsonl"));
    const Headers headers = {{"Authorization", "Bearer sekrit-token-123"},
                             {"X-API-Key", "key-456"},
                             {"Accept-Language", "de"}};
    Recorder recorder;
    recorder.addConnection(1, QStringLiteral("private"), QUrl(QStringLiteral("http://p.example/")),
                           headers);
    RecorderOptions options;
    options.secrets = included ? Sse::SecretHandling::Include : Sse::SecretHandling::Exclude;
    QSignalSpy stopped(&recorder, &Recorder::stopped);
    QVERIFY(recorder.start(path, options));
    recorder.recordEvents(1, sampleEvents(3));
    recorder.stop();
    QVERIFY(stopped.wait(10000));

    const QByteArray contents = readAll(path);
    QCOMPARE(contents.contains("sekrit-token-123"), included);
    QCOMPARE(contents.contains("key-456"), included);
    QVERIFY(contents.contains("Accept-Language"));
    QVERIFY(contents.contains("\"de\""));

    Imported imported;
    importFile(path, &imported);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(imported.connections.size(), 1);
    const Headers recorded = imported.connections.first().requestHeaders;
    QCOMPARE(recorded.size(), 3);
    QCOMPARE(recorded.at(0).first, QByteArray("Authorization"));
    QCOMPARE(recorded.at(0).second == headers.at(0).second, included);
    QCOMPARE(recorded.at(2), headers.at(2));
}

void tst_Recorder::rotates()
{
    const QString path = m_dir.filePath(QStringLiteral("rotate.jsonl"));
    const Sse::EventList events = sampleEvents(600);
    Recorder recorder;
    recorder.addConnection(1, QStringLiteral("one"), QUrl(QStringLiteral("http://one.example/")));
    RecorderOptions options;
    options.rotateBytes = 8192;
    QSignalSpy stopped(&recorder, &Recorder::stopped);
    QVERIFY(recorder.start(path, options));
    for (int i = 0; i < events.size(); i += 50)
        recorder.recordEvents(1, events.mid(i, 50));
    recorder.stop();
    QVERIFY(stopped.wait(10000));

    const QStringList parts = recorder.fileNames();
    QVERIFY2(parts.size() > 3, qPrintable(QString::number(parts.size())));
    QCOMPARE(parts.at(0), path);
    QCOMPARE(parts.at(1), m_dir.filePath(QStringLiteral("rotate.1.jsonl")));
    QCOMPARE(recorder.fileName(), parts.last());
    Sse::EventList all;
    qint64 totalBytes = 0;
    for (const QString &part : parts) {
        const QByteArray contents = readAll(part);
        totalBytes += contents.size();
        // Every part stands alone: it starts with the header and holds whole records only.
        QVERIFY(contents.startsWith("{\"kind\":\"header\""));
        QVERIFY(contents.endsWith('\n'));
        // Cut at the first record boundary at or after the limit.
        const qsizetype lastLine = contents.lastIndexOf('\n', contents.size() - 2) + 1;
        QVERIFY2(lastLine < options.rotateBytes, qPrintable(part));
        Imported imported;
        importFile(part, &imported);
        if (QTest::currentTestFailed())
            return;
        QCOMPARE(imported.statistics.skippedLines, 0);
        QCOMPARE(imported.urls.value(QStringLiteral("one")),
                 QUrl(QStringLiteral("http://one.example/")));
        all.append(imported.events.value(QStringLiteral("one")));
    }
    QCOMPARE(describe(all), describe(events));
    QCOMPARE(recorder.bytesWritten(), totalBytes);
}

void tst_Recorder::partPaths_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<int>("part");
    QTest::addColumn<QString>("expected");
    QTest::newRow("first") << "/tmp/rec.jsonl" << 0 << "/tmp/rec.jsonl";
    QTest::newRow("second") << "/tmp/rec.jsonl" << 1 << "/tmp/rec.1.jsonl";
    QTest::newRow("two dots") << "/tmp/a.b.jsonl" << 12 << "/tmp/a.b.12.jsonl";
    QTest::newRow("no suffix") << "/tmp/rec" << 2 << "/tmp/rec.2";
    QTest::newRow("relative") << "rec.log" << 3 << "rec.3.log";
}

void tst_Recorder::partPaths()
{
    QFETCH(QString, path);
    QFETCH(int, part);
    QFETCH(QString, expected);
    QCOMPARE(RecorderWorker::partPath(path, part), expected);
}

void tst_Recorder::writesWithoutStop()
{
    // A crash must lose little: records reach the file while the recording still runs.
    const QString path = m_dir.filePath(QStringLiteral("live.jsonl"));
    Recorder recorder;
    QVERIFY(recorder.start(path));
    QElapsedTimer clock;
    clock.start();
    recorder.recordEvents(1, sampleEvents(3));
    QTRY_VERIFY_WITH_TIMEOUT(readAll(path).count("\"kind\":\"event\"") == 3, 5000);
    const qint64 latencyMs = clock.elapsed();
    qInfo("events on disk after %lld ms", latencyMs);
    QVERIFY2(latencyMs < RecorderWorker::FlushIntervalMs + 300,
             qPrintable(QString::number(latencyMs)));
    QCOMPARE(recorder.eventsWritten(), 3);
}

void tst_Recorder::destructorFinishesTheFile()
{
    const QString path = m_dir.filePath(QStringLiteral("destructor.jsonl"));
    const Sse::EventList events = sampleEvents(5000);
    {
        Recorder recorder;
        QVERIFY(recorder.start(path));
        recorder.recordEvents(3, events);
    }
    Imported imported;
    importFile(path, &imported);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(describe(imported.events.value(QStringLiteral("connection 3"))), describe(events));
}

void tst_Recorder::restartsWithFreshCounters()
{
    Recorder recorder;
    QSignalSpy stopped(&recorder, &Recorder::stopped);
    QVERIFY(recorder.start(m_dir.filePath(QStringLiteral("first.jsonl"))));
    recorder.recordEvents(1, sampleEvents(10));
    recorder.stop();
    QVERIFY(stopped.wait(10000));
    QCOMPARE(recorder.eventsWritten(), 10);

    const QString second = m_dir.filePath(QStringLiteral("second.jsonl"));
    QVERIFY(recorder.start(second));
    QCOMPARE(recorder.eventsWritten(), 0);
    recorder.recordEvents(1, sampleEvents(4));
    recorder.stop();
    QVERIFY(stopped.wait(10000));
    QCOMPARE(recorder.eventsWritten(), 4);
    QCOMPARE(readAll(second).count("\"kind\":\"event\""), 4);
}

void tst_Recorder::reportsUnwritablePath()
{
    Recorder recorder;
    QSignalSpy errors(&recorder, &Recorder::errorOccurred);
    QSignalSpy stopped(&recorder, &Recorder::stopped);
    const QString path = m_dir.filePath(QStringLiteral("no/such/dir/rec.jsonl"));
    QVERIFY(recorder.start(path));
    recorder.recordEvents(1, sampleEvents(3));
    QVERIFY(stopped.wait(10000));
    QCOMPARE(errors.size(), 1);
    const QString message = errors.first().first().toString();
    QVERIFY2(message.contains(path), qPrintable(message));
    QVERIFY2(message.contains(QStringLiteral("No such file or directory")), qPrintable(message));
    QCOMPARE(recorder.errorString(), message);
    QCOMPARE(recorder.state(), Recorder::State::Idle);
}

void tst_Recorder::reportsFullDevice()
{
    // /dev/full accepts open() and fails every write with ENOSPC.
    if (!QFileInfo::exists(QStringLiteral("/dev/full")))
        QSKIP("no /dev/full");
    Recorder recorder;
    EventLogModel model; // what the GUI keeps monitoring with
    connect(&recorder, &Recorder::errorOccurred, &model, [&model] {
        model.ingest(1, sampleEvents(2)); // the app goes on while the recording fails
    });
    QSignalSpy errors(&recorder, &Recorder::errorOccurred);
    QSignalSpy stopped(&recorder, &Recorder::stopped);
    QVERIFY(recorder.start(QStringLiteral("/dev/full")));
    recorder.recordEvents(1, sampleEvents(100));
    model.ingest(1, sampleEvents(100));
    QVERIFY(stopped.wait(10000));
    QCOMPARE(errors.size(), 1);
    const QString message = errors.first().first().toString();
    QVERIFY2(message.contains(QStringLiteral("No space left on device")), qPrintable(message));
    QVERIFY2(message.contains(QStringLiteral("/dev/full")), qPrintable(message));
    QCOMPARE(recorder.eventsWritten(), 0);
    QVERIFY(!recorder.isRecording());
    // Events after the failure are ignored, not queued.
    recorder.recordEvents(1, sampleEvents(10));
    QCOMPARE(recorder.queuedBytes(), 0);

    model.flush();
    QCOMPARE(model.rowCount(), 102);
    // The same recorder records again.
    const QString path = m_dir.filePath(QStringLiteral("after-full.jsonl"));
    QVERIFY(recorder.start(path));
    recorder.recordEvents(1, sampleEvents(10));
    recorder.stop();
    QVERIFY(stopped.wait(10000));
    QCOMPARE(errors.size(), 1);
    QCOMPARE(readAll(path).count("\"kind\":\"event\""), 10);
    QVERIFY(recorder.errorString().isEmpty());
}

void tst_Recorder::keepsWhatWasWrittenWhenWritesStartFailing()
{
    // A real file that stops accepting data half way: RLIMIT_FSIZE makes write(2) fail with
    // EFBIG once the file reaches the limit (SIGXFSZ ignored), like a disk filling up.
    const QString path = m_dir.filePath(QStringLiteral("limited.jsonl"));
    const Sse::EventList first = sampleEvents(200);
    Recorder recorder;
    QSignalSpy errors(&recorder, &Recorder::errorOccurred);
    QSignalSpy stopped(&recorder, &Recorder::stopped);
    QVERIFY(recorder.start(path));
    recorder.recordEvents(1, first);
    QTRY_COMPARE_WITH_TIMEOUT(recorder.eventsWritten(), qint64(first.size()), 10000);
    const qint64 goodSize = QFileInfo(path).size();
    QCOMPARE(goodSize, recorder.bytesWritten());

    rlimit saved;
    QCOMPARE(getrlimit(RLIMIT_FSIZE, &saved), 0);
    const auto oldHandler = std::signal(SIGXFSZ, SIG_IGN);
    rlimit limited = saved;
    limited.rlim_cur = rlim_t(goodSize + 700); // room for a few records, not for the batch
    QCOMPARE(setrlimit(RLIMIT_FSIZE, &limited), 0);
    recorder.recordEvents(1, sampleEvents(2000, 200));
    const bool failed = stopped.wait(10000);
    setrlimit(RLIMIT_FSIZE, &saved);
    std::signal(SIGXFSZ, oldHandler);
    QVERIFY(failed);

    QCOMPARE(errors.size(), 1);
    const QString message = errors.first().first().toString();
    QVERIFY2(message.contains(path) && message.contains(QStringLiteral("File too large")),
             qPrintable(message));
    // What was written before stays, whole: the partly written batch is cut off.
    QCOMPARE(QFileInfo(path).size(), goodSize);
    Imported imported;
    importFile(path, &imported);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(imported.statistics.skippedLines, 0);
    QCOMPARE(describe(imported.events.value(QStringLiteral("connection 1"))), describe(first));
}

void tst_Recorder::reportsRemovedFile()
{
    const QString path = m_dir.filePath(QStringLiteral("removed.jsonl"));
    Recorder recorder;
    QSignalSpy errors(&recorder, &Recorder::errorOccurred);
    QSignalSpy stopped(&recorder, &Recorder::stopped);
    QVERIFY(recorder.start(path));
    recorder.recordEvents(1, sampleEvents(10));
    QTRY_COMPARE_WITH_TIMEOUT(recorder.eventsWritten(), 10, 10000);
    QVERIFY(QFile::remove(path));
    QVERIFY(stopped.wait(10000));
    QCOMPARE(errors.size(), 1);
    const QString message = errors.first().first().toString();
    QVERIFY2(message.contains(path) && message.contains(QStringLiteral("removed")),
             qPrintable(message));
}

void tst_Recorder::countsAndMarksDroppedBatches()
{
    const QString path = m_dir.filePath(QStringLiteral("overflow.jsonl"));
    Recorder recorder;
    recorder.addConnection(1, QStringLiteral("busy"), QUrl());
    RecorderOptions options;
    options.queueLimitBytes = 4096;
    QSignalSpy stopped(&recorder, &Recorder::stopped);
    QSignalSpy status(&recorder, &Recorder::statusChanged);
    QVERIFY(recorder.start(path, options));

    recorder.recordEvents(1, sampleEvents(3, 0));
    // A batch bigger than the whole queue can never fit: it is dropped, counted and logged.
    Sse::EventList big = sampleEvents(10, 3);
    for (Sse::Event &event : big)
        event.data = QByteArray(1000, 'x');
    QTest::ignoreMessage(QtWarningMsg,
                         QRegularExpression(QStringLiteral("dropping event batches")));
    recorder.recordEvents(1, big);
    QCOMPARE(recorder.eventsDropped(), 10);
    recorder.recordEvents(1, big); // the warning comes once per recording
    QCOMPARE(recorder.eventsDropped(), 20);
    recorder.recordEvents(1, sampleEvents(3, 13));
    recorder.stop();
    QVERIFY(stopped.wait(10000));
    QVERIFY(!status.isEmpty());

    Imported imported;
    importFile(path, &imported);
    if (QTest::currentTestFailed())
        return;
    const Sse::EventList events = imported.events.value(QStringLiteral("busy"));
    QCOMPARE(events.size(), 6);
    const auto states = imported.states.value(QStringLiteral("busy"));
    QCOMPARE(states.size(), 1);
    QCOMPARE(states.first().state, QStringLiteral("recording-gap"));
    QVERIFY2(states.first().error.startsWith(QStringLiteral("20 events dropped")),
             qPrintable(states.first().error));
    // The marker sits where the hole is: after the first three events, before the rest.
    const QList<QByteArray> lines = readAll(path).split('\n');
    QVERIFY(lines.at(4).contains("\"recording-gap\""));
}

void tst_Recorder::capturesRawBytes()
{
    const QString path = m_dir.filePath(QStringLiteral("withraw.jsonl"));
    const QString rawPath = m_dir.filePath(QStringLiteral("capture.sse"));
    const QByteArray one = "retry: 500\nid: 1\ndata: a\n\n:comment\nevent: x\ndata: b\n\n";
    const QByteArray two = "data: other connection\n\n";
    Recorder recorder;
    RecorderOptions options;
    options.rawCapturePath = rawPath;
    QSignalSpy stopped(&recorder, &Recorder::stopped);
    QVERIFY(recorder.start(path, options));
    for (qsizetype i = 0; i < one.size(); i += 7)
        recorder.recordRaw(1, one.mid(i, 7));
    recorder.recordRaw(2, two);
    recorder.stop();
    QVERIFY(stopped.wait(10000));
    QCOMPARE(readAll(rawPath), one);
    QCOMPARE(RecorderWorker::rawPath(rawPath, 1, 2),
             m_dir.filePath(QStringLiteral("capture.conn2.sse")));
    QCOMPARE(readAll(RecorderWorker::rawPath(rawPath, 1, 2)), two);

    // A raw capture opens like a recording.
    Imported imported;
    importFile(rawPath, &imported);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(imported.statistics.format, LogReader::Format::RawSse);
    const Sse::EventList events = imported.events.value(QStringLiteral("capture.sse"));
    QCOMPARE(events.size(), 2);
    QCOMPARE(events.at(0).data, QByteArray("a"));
    QCOMPARE(events.at(0).retryMs, 500);
    QCOMPARE(events.at(1).type, QByteArray("x"));
    QCOMPARE(events.at(1).lastEventId, QByteArray("1"));

    // Without a raw path, raw bytes are ignored.
    Recorder plain;
    QVERIFY(plain.start(m_dir.filePath(QStringLiteral("noraw.jsonl"))));
    plain.recordRaw(1, one);
    QCOMPARE(plain.queuedBytes(), 0);
}

QTEST_MAIN(tst_Recorder)
#include "tst_recorder.moc"
