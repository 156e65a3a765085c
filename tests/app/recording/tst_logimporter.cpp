#include "recording/logimporter.h"
#include "recording/logreader.h"

#include "recordinghelpers.h"

#include "sselib/jsonlines.h"

#include <QFile>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace RecordingTest;

namespace {

QByteArray jsonLines(const QString &connection, const Sse::EventList &events,
                     const QString &url = QString())
{
    QByteArray out;
    Sse::JsonLines::Writer writer;
    if (!connection.isEmpty()) {
        writer.appendHeader(out, connection, url);
        writer.setConnection(connection);
    }
    qint64 seq = 0;
    for (const Sse::Event &event : events)
        writer.appendEvent(out, ++seq, event);
    return out;
}

bool writeFile(const QString &path, const QByteArray &contents)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate)
        && file.write(contents) == contents.size();
}

// Everything LogReader reports for \a bytes fed in pieces of \a chunk bytes.
QByteArrayList readInChunks(const QByteArray &bytes, qsizetype chunk)
{
    LogReader reader;
    reader.setDefaultConnectionName(QStringLiteral("default"));
    reader.setRawTimeSpan(1000, 2000, bytes.size());
    QByteArrayList result;
    auto take = [&] {
        for (const LogReader::ConnectionBatch &batch : reader.takeBatches()) {
            for (const QByteArray &line : describe(batch.events))
                result.append(batch.connection.toUtf8() + ": " + line);
        }
    };
    for (qsizetype i = 0; i < bytes.size(); i += chunk) {
        reader.feed(QByteArrayView(bytes).sliced(i, qMin(chunk, bytes.size() - i)));
        take();
    }
    reader.finish();
    take();
    result.append("warnings: " + reader.warnings().join(QStringLiteral("; ")).toUtf8());
    return result;
}

} // namespace

class tst_LogImporter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();

    void skipsTornAndInvalidLines();
    void recordsWithoutConnectionGoToTheDefault();
    void acceptsCrLfBomAndUnknownKinds();
    void readsRawCaptures();
    void spreadsRawTimesOverTheFileSpan();
    void reportsATornRawEvent();
    void chunkingDoesNotMatter_data();
    void chunkingDoesNotMatter();
    void batchesAreBounded();
    void cancels();
    void reportsMissingFile();
    void emptyFile();

private:
    QTemporaryDir m_dir;
};

void tst_LogImporter::init()
{
    QTest::failOnWarning(QRegularExpression(QStringLiteral(".*")));
    QVERIFY(m_dir.isValid());
}

void tst_LogImporter::skipsTornAndInvalidLines()
{
    const Sse::EventList events = sampleEvents(20);
    QByteArray contents = jsonLines(QStringLiteral("feed"), events.mid(0, 10),
                                    QStringLiteral("http://feed.example/"));
    contents += "this is not json\n";
    contents += jsonLines(QString(), {}); // nothing
    Sse::JsonLines::Writer writer;
    writer.setConnection(QStringLiteral("feed"));
    for (int i = 10; i < 20; ++i)
        writer.appendEvent(contents, i + 1, events.at(i));
    QByteArray torn;
    writer.appendEvent(torn, 21, sampleEvents(1, 99).first());
    contents += torn.left(torn.size() / 2); // a crash in the middle of the last line
    const QString path = m_dir.filePath(QStringLiteral("torn.jsonl"));
    QVERIFY(writeFile(path, contents));

    Imported imported;
    importFile(path, &imported);
    if (QTest::currentTestFailed())
        return;
    QVERIFY(imported.statistics.error.isEmpty());
    QCOMPARE(imported.statistics.format, LogReader::Format::JsonLines);
    QCOMPARE(imported.statistics.skippedLines, 2);
    QCOMPARE(imported.statistics.events, 20);
    QCOMPARE(imported.statistics.warnings.size(), 2);
    QVERIFY2(imported.statistics.warnings.at(0).startsWith(QStringLiteral("line 12: ")),
             qPrintable(imported.statistics.warnings.at(0)));
    QVERIFY2(imported.statistics.warnings.at(1).startsWith(QStringLiteral("line 23: ")),
             qPrintable(imported.statistics.warnings.at(1)));
    QCOMPARE(describe(imported.events.value(QStringLiteral("feed"))), describe(events));
    QCOMPARE(imported.urls.value(QStringLiteral("feed")),
             QUrl(QStringLiteral("http://feed.example/")));
}

void tst_LogImporter::recordsWithoutConnectionGoToTheDefault()
{
    // What `sse-monitor-cli -o FILE` writes: no header, no connection member.
    const Sse::EventList events = sampleEvents(5);
    QByteArray contents = jsonLines(QString(), events);
    Sse::JsonLines::StateRecord state;
    state.timeMs = 1'700'000'000'000;
    state.state = QStringLiteral("open");
    state.status = 200;
    Sse::JsonLines::Writer().appendState(contents, 6, state);
    contents += jsonLines(QStringLiteral("named"), sampleEvents(2));
    const QString path = m_dir.filePath(QStringLiteral("cli-output.jsonl"));
    QVERIFY(writeFile(path, contents));

    Imported imported;
    importFile(path, &imported);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(imported.order,
             QStringList({QStringLiteral("cli-output.jsonl"), QStringLiteral("named")}));
    QCOMPARE(describe(imported.events.value(QStringLiteral("cli-output.jsonl"))), describe(events));
    QCOMPARE(imported.states.value(QStringLiteral("cli-output.jsonl")).size(), 1);
    QCOMPARE(imported.states.value(QStringLiteral("cli-output.jsonl")).first().status, 200);
    QCOMPARE(imported.statistics.connections, 2);

    LogImporter importer;
    importer.setDefaultConnectionName(QStringLiteral("offline"));
    QSignalSpy loaded(&importer, &LogImporter::eventsLoaded);
    QSignalSpy finished(&importer, &LogImporter::finished);
    QVERIFY(importer.start(path));
    QVERIFY(!importer.start(path)); // one at a time
    QVERIFY(finished.wait(10000));
    QCOMPARE(loaded.first().first().toString(), QStringLiteral("offline"));
    QVERIFY(!importer.isRunning());
}

void tst_LogImporter::acceptsCrLfBomAndUnknownKinds()
{
    QByteArray contents = "\xEF\xBB\xBF";
    const Sse::EventList events = sampleEvents(4);
    QByteArray lines = jsonLines(QStringLiteral("c"), events);
    lines.replace("\n", "\r\n");
    contents += lines;
    contents += "{\"kind\":\"future-kind\",\"seq\":9}\n\n   \n";
    const QString path = m_dir.filePath(QStringLiteral("crlf.jsonl"));
    QVERIFY(writeFile(path, contents));

    Imported imported;
    importFile(path, &imported);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(imported.statistics.skippedLines, 0);
    QCOMPARE(describe(imported.events.value(QStringLiteral("c"))), describe(events));
}

void tst_LogImporter::readsRawCaptures()
{
    const QByteArray capture = ": hello\nretry: 2500\n\nid: 7\nevent: tick\ndata: {\"v\":1}\n\n"
                               "data: two\r\ndata: lines\r\n\r\n";
    const QString path = m_dir.filePath(QStringLiteral("capture.txt"));
    QVERIFY(writeFile(path, capture));
    Imported imported;
    importFile(path, &imported);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(imported.statistics.format, LogReader::Format::RawSse);
    QCOMPARE(imported.statistics.skippedLines, 0);
    const Sse::EventList events = imported.events.value(QStringLiteral("capture.txt"));
    QCOMPARE(events.size(), 2);
    QCOMPARE(events.at(0).type, QByteArray("tick"));
    QCOMPARE(events.at(0).data, QByteArray("{\"v\":1}"));
    QCOMPARE(events.at(0).lastEventId, QByteArray("7"));
    QCOMPARE(events.at(1).type, QByteArray("message"));
    QCOMPARE(events.at(1).data, QByteArray("two\nlines"));
    QCOMPARE(events.at(1).lastEventId, QByteArray("7"));
    // Times come from the file: not before its birth, not after its last change.
    const QFileInfo info(path);
    QVERIFY(events.at(1).receivedMs <= info.lastModified().toMSecsSinceEpoch());
    QVERIFY(events.at(0).receivedMs <= events.at(1).receivedMs);
    QVERIFY(events.at(0).receivedMs > 0);
}

void tst_LogImporter::spreadsRawTimesOverTheFileSpan()
{
    QByteArray capture;
    for (int i = 0; i < 1000; ++i)
        capture += "data: " + QByteArray::number(i) + "\n\n";
    LogReader reader;
    reader.setRawTimeSpan(10'000, 20'000, capture.size());
    reader.feed(capture);
    reader.finish();
    const auto batches = reader.takeBatches();
    QCOMPARE(batches.size(), 1);
    const Sse::EventList events = batches.first().events;
    QCOMPARE(events.size(), 1000);
    for (qsizetype i = 1; i < events.size(); ++i)
        QVERIFY(events.at(i - 1).receivedMs <= events.at(i).receivedMs);
    // Interpolated by byte offset, in slices of LogReader::RawSliceBytes.
    const qint64 slice = 10'000 * LogReader::RawSliceBytes / capture.size() + 1;
    QVERIFY(qAbs(events.first().receivedMs - 10'000) <= slice);
    QCOMPARE(events.last().receivedMs, 20'000);
    QVERIFY(qAbs(events.at(500).receivedMs - 15'000) <= slice);
}

void tst_LogImporter::reportsATornRawEvent()
{
    LogReader reader;
    reader.feed("data: whole\n\ndata: cut off");
    reader.finish();
    const auto batches = reader.takeBatches();
    QCOMPARE(batches.size(), 1);
    QCOMPARE(batches.first().events.size(), 1);
    QCOMPARE(reader.statistics().skippedLines, 1);
    QVERIFY(reader.warnings().first().startsWith(QStringLiteral("end of file:")));
}

void tst_LogImporter::chunkingDoesNotMatter_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QByteArray mixed = jsonLines(QStringLiteral("a"), sampleEvents(30));
    mixed += "garbage\n";
    mixed += jsonLines(QString(), sampleEvents(10, 40));
    mixed += "{\"kind\":\"event\",\"da";
    QTest::newRow("json lines") << mixed;
    QByteArray raw = "\xEF\xBB\xBF" "data: 1\r\n\r\nid: x\rdata: 2\r\rdata: 3\n\nevent: e\ndata: ";
    QTest::newRow("raw") << raw;
    QTest::newRow("blank only") << QByteArray(" \n\r\n ");
}

void tst_LogImporter::chunkingDoesNotMatter()
{
    QFETCH(QByteArray, bytes);
    const QByteArrayList whole = readInChunks(bytes, bytes.size());
    QCOMPARE(readInChunks(bytes, 1), whole);
    QCOMPARE(readInChunks(bytes, 2), whole);
    QCOMPARE(readInChunks(bytes, 7), whole);
}

void tst_LogImporter::batchesAreBounded()
{
    const Sse::EventList events = sampleEvents(30000);
    const QString path = m_dir.filePath(QStringLiteral("big.jsonl"));
    QVERIFY(writeFile(path, jsonLines(QStringLiteral("big"), events)));
    LogImporter importer;
    importer.setBatchSize(1000);
    qsizetype largest = 0;
    Sse::EventList all;
    connect(&importer, &LogImporter::eventsLoaded, this,
            [&](const QString &, const Sse::EventList &batch) {
                largest = qMax(largest, batch.size());
                all.append(batch);
            });
    QSignalSpy progress(&importer, &LogImporter::progress);
    QSignalSpy finished(&importer, &LogImporter::finished);
    QVERIFY(importer.start(path));
    QVERIFY(finished.wait(60000));
    QCOMPARE(largest, 1000);
    QCOMPARE(describe(all), describe(events));
    QVERIFY(progress.size() > 1);
    QCOMPARE(progress.last().first().toInt(), 100);
    const auto statistics = finished.first().first().value<LogImporter::Statistics>();
    QCOMPARE(statistics.events, 30000);
    QCOMPARE(statistics.bytes, QFileInfo(path).size());
}

void tst_LogImporter::cancels()
{
    const QString path = m_dir.filePath(QStringLiteral("cancel.jsonl"));
    QVERIFY(writeFile(path, jsonLines(QStringLiteral("c"), sampleEvents(50000))));
    LogImporter importer;
    importer.setBatchSize(100);
    qsizetype received = 0;
    connect(&importer, &LogImporter::eventsLoaded, this,
            [&](const QString &, const Sse::EventList &batch) {
                received += batch.size();
                importer.cancel();
            });
    QSignalSpy finished(&importer, &LogImporter::finished);
    QVERIFY(importer.start(path));
    QVERIFY(finished.wait(60000));
    const auto statistics = finished.first().first().value<LogImporter::Statistics>();
    QVERIFY(statistics.cancelled);
    QCOMPARE(received, 100);
    QVERIFY(statistics.events < 50000);

    // Destroying a running importer stops it.
    auto running = std::make_unique<LogImporter>();
    QVERIFY(running->start(path));
    running.reset();
}

void tst_LogImporter::reportsMissingFile()
{
    LogImporter importer;
    QSignalSpy finished(&importer, &LogImporter::finished);
    const QString path = m_dir.filePath(QStringLiteral("missing.jsonl"));
    QVERIFY(importer.start(path));
    QVERIFY(finished.wait(10000));
    const auto statistics = finished.first().first().value<LogImporter::Statistics>();
    QVERIFY2(statistics.error.contains(path), qPrintable(statistics.error));
    QVERIFY(statistics.error.contains(QStringLiteral("No such file")));
}

void tst_LogImporter::emptyFile()
{
    const QString path = m_dir.filePath(QStringLiteral("empty.jsonl"));
    QVERIFY(writeFile(path, QByteArray()));
    Imported imported;
    importFile(path, &imported);
    if (QTest::currentTestFailed())
        return;
    QVERIFY(imported.statistics.error.isEmpty());
    QCOMPARE(imported.statistics.format, LogReader::Format::Unknown);
    QCOMPARE(imported.statistics.events, 0);
}

QTEST_MAIN(tst_LogImporter)
#include "tst_logimporter.moc"
