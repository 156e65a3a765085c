#include "recording/exporter.h"
#include "recording/exportformatter.h"
#include "recording/exportjob.h"

#include "models/eventlogmodel.h"
#include "models/eventstore.h"
#include "recordinghelpers.h"

#include "sselib/jsonlines.h"
#include "sselib/sseparser.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <csignal>
#include <sys/resource.h>

using namespace RecordingTest;

namespace {

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// A strict RFC 4180 reader: rows must end with CRLF, quotes only around whole fields.
// Returns false on anything else.
bool parseCsv(const QByteArray &text, QList<QByteArrayList> *rows)
{
    qsizetype i = 0;
    QByteArrayList row;
    QByteArray field;
    while (i < text.size()) {
        if (text.at(i) == '"') {
            ++i;
            for (;;) {
                if (i >= text.size())
                    return false;
                if (text.at(i) == '"') {
                    if (i + 1 < text.size() && text.at(i + 1) == '"') {
                        field += '"';
                        i += 2;
                        continue;
                    }
                    ++i;
                    break;
                }
                field += text.at(i++);
            }
        } else {
            while (i < text.size() && text.at(i) != ',' && text.at(i) != '\r') {
                if (text.at(i) == '"' || text.at(i) == '\n')
                    return false;
                field += text.at(i++);
            }
        }
        if (i >= text.size())
            return false; // the last row must end with CRLF too
        if (text.at(i) == ',') {
            row.append(field);
            field.clear();
            ++i;
        } else if (text.mid(i, 2) == "\r\n") {
            row.append(field);
            field.clear();
            rows->append(row);
            row.clear();
            i += 2;
        } else {
            return false;
        }
    }
    return row.isEmpty() && field.isEmpty();
}

ExportEventList exportEvents(const Sse::EventList &events, quint16 connection)
{
    ExportEventList result;
    qint64 sequence = 100;
    for (const Sse::Event &event : events)
        result.append(ExportEvent{sequence++, connection, event, false, {}});
    return result;
}

QStringList filesIn(const QString &dir)
{
    return QDir(dir).entryList(QDir::Files | QDir::Hidden | QDir::System);
}

} // namespace

class tst_Exporter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();

    void csvField_data();
    void csvField();
    void csvRoundTrip();
    void csvJsonColumns();
    void csvFormulasNeutralised();
    void sseTextSkipsUnwritableEvents();
    void jsonLinesRoundTrip();
    void sseTextRoundTrip();
    void progressAndBatches();
    void cancelLeavesNothing();
    void errorLeavesNothing();
    void keepsExistingFileOnCancel();
    void jobExportsVisibleAndSelectedRows();
    void jobDoesNotBlockTheEventLoop();
    void jobSkipsEvictedEvents();

private:
    void runExport(ExportFormat format, const QString &path, const ExportEventList &events,
                   const ExportOptions &options = {});
    QTemporaryDir m_dir;
};

void tst_Exporter::init()
{
    QTest::failOnWarning(QRegularExpression(QStringLiteral(".*")));
    QVERIFY(m_dir.isValid());
}

void tst_Exporter::runExport(ExportFormat format, const QString &path,
                             const ExportEventList &events, const ExportOptions &options)
{
    Exporter exporter;
    QSignalSpy finished(&exporter, &Exporter::finished);
    QVERIFY(exporter.start(format, path, options));
    for (qsizetype i = 0; i < events.size(); i += 97)
        exporter.addEvents(events.mid(i, 97));
    exporter.finish();
    QVERIFY(finished.wait(30000));
    QVERIFY2(finished.first().at(0).toBool(), qPrintable(finished.first().at(1).toString()));
    QVERIFY(!exporter.isRunning());
}

void tst_Exporter::csvField_data()
{
    QTest::addColumn<QByteArray>("field");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("plain") << QByteArray("abc def") << QByteArray("abc def");
    QTest::newRow("empty") << QByteArray() << QByteArray();
    QTest::newRow("comma") << QByteArray("a,b") << QByteArray("\"a,b\"");
    QTest::newRow("quote") << QByteArray("say \"hi\"") << QByteArray("\"say \"\"hi\"\"\"");
    QTest::newRow("only quote") << QByteArray("\"") << QByteArray("\"\"\"\"");
    QTest::newRow("lf") << QByteArray("a\nb") << QByteArray("\"a\nb\"");
    QTest::newRow("cr") << QByteArray("a\rb") << QByteArray("\"a\rb\"");
    QTest::newRow("utf8") << QByteArray("\xc3\xa9t\xc3\xa9") << QByteArray("\xc3\xa9t\xc3\xa9");
    // CWE-1236: a field a spreadsheet would run as a formula gets a leading quote (OWASP).
    QTest::newRow("=formula") << QByteArray("=HYPERLINK(\"http://x\")")
                              << QByteArray("\"'=HYPERLINK(\"\"http://x\"\")\"");
    QTest::newRow("+formula") << QByteArray("+cmd|' /C calc'!A0")
                              << QByteArray("'+cmd|' /C calc'!A0");
    QTest::newRow("-formula") << QByteArray("-2+3+cmd") << QByteArray("'-2+3+cmd");
    QTest::newRow("@formula") << QByteArray("@SUM(1+1)") << QByteArray("'@SUM(1+1)");
    QTest::newRow("tab first") << QByteArray("\t=1") << QByteArray("'\t=1");
    QTest::newRow("cr first") << QByteArray("\r=1") << QByteArray("\"'\r=1\"");
    QTest::newRow("= later") << QByteArray("a=1") << QByteArray("a=1");
    QTest::newRow("negative number") << QByteArray("-12.5") << QByteArray("-12.5");
    QTest::newRow("exponent") << QByteArray("-1e5") << QByteArray("-1e5");
    QTest::newRow("lone minus") << QByteArray("-") << QByteArray("'-");
}

void tst_Exporter::csvField()
{
    QFETCH(QByteArray, field);
    QFETCH(QByteArray, expected);
    QByteArray out;
    ExportFormatter::appendCsvField(out, field);
    QCOMPARE(out, expected);
}

void tst_Exporter::csvRoundTrip()
{
    const Sse::EventList events =
            sampleEvents(500, 0, 1'700'000'000'000, Content::WithCarriageReturns);
    const QString path = m_dir.filePath(QStringLiteral("events.csv"));
    ExportOptions options;
    options.connectionNames.insert(4, QStringLiteral("prices, \"live\""));
    runExport(ExportFormat::Csv, path, exportEvents(events, 4), options);
    if (QTest::currentTestFailed())
        return;

    const QByteArray text = readAll(path);
    QList<QByteArrayList> rows;
    QVERIFY(parseCsv(text, &rows));
    QCOMPARE(rows.size(), events.size() + 1);
    QCOMPARE(rows.first(), QByteArrayList({"time", "connection", "type", "id", "data"}));
    Sse::EventList parsed;
    for (qsizetype i = 1; i < rows.size(); ++i) {
        const QByteArrayList &row = rows.at(i);
        QCOMPARE(row.size(), 5);
        QCOMPARE(row.at(1), QByteArray("prices, \"live\""));
        Sse::Event event;
        event.receivedMs = Sse::JsonLines::parseTime(row.at(0));
        event.type = row.at(2);
        event.lastEventId = row.at(3);
        event.data = row.at(4);
        parsed.append(event);
    }
    // CSV has no retry column.
    QCOMPARE(describe(parsed, AllFields & ~Retry), describe(events, AllFields & ~Retry));
}

void tst_Exporter::csvJsonColumns()
{
    Sse::EventList events;
    auto add = [&](const QByteArray &data) {
        Sse::Event event;
        event.type = "m";
        event.data = data;
        events.append(event);
    };
    add(R"({"price":101.25,"sym":"AC,ME","usage":{"tokens":[3,1e3]},"ok":false})");
    add(R"({"price":-0.5,"sym":"X","usage":{"tokens":[1]}})");
    add("not json");
    add("42");
    const QString path = m_dir.filePath(QStringLiteral("columns.csv"));
    ExportOptions options;
    options.jsonPaths = {"price", "sym", "usage.tokens[1]", "ok", "missing", ""};
    runExport(ExportFormat::Csv, path, exportEvents(events, 1), options);
    if (QTest::currentTestFailed())
        return;
    QList<QByteArrayList> rows;
    QVERIFY(parseCsv(readAll(path), &rows));
    QCOMPARE(rows.size(), 5);
    QCOMPARE(rows.at(0).mid(5),
             QByteArrayList({"price", "sym", "usage.tokens[1]", "ok", "missing", ""}));
    QCOMPARE(rows.at(1).mid(5), QByteArrayList({"101.25", "AC,ME", "1000", "false", "", ""}));
    QCOMPARE(rows.at(2).mid(5), QByteArrayList({"-0.5", "X", "", "", "", ""}));
    QCOMPARE(rows.at(3).mid(5), QByteArrayList({"", "", "", "", "", ""}));
    QCOMPARE(rows.at(4).mid(5), QByteArrayList({"", "", "", "", "", "42"}));
}

// A real export: type, id, data and a JSON column holding formulas come out neutralised, numbers
// stay numbers.
void tst_Exporter::csvFormulasNeutralised()
{
    Sse::EventList events;
    Sse::Event event;
    event.type = "=HYPERLINK(\"http://evil.example\",\"x\")";
    event.lastEventId = "@SUM(A1:A9)";
    event.data = R"({"note":"=1+1","n":-3})";
    events.append(event);
    event.type = "message";
    event.lastEventId = "-5";
    event.data = "+cmd|' /C calc'!A0";
    events.append(event);
    const QString path = m_dir.filePath(QStringLiteral("formulas.csv"));
    ExportOptions options;
    options.jsonPaths = {"note", "n"};
    runExport(ExportFormat::Csv, path, exportEvents(events, 1), options);
    if (QTest::currentTestFailed())
        return;
    QList<QByteArrayList> rows;
    QVERIFY(parseCsv(readAll(path), &rows));
    QCOMPARE(rows.size(), 3);
    QCOMPARE(rows.at(1).mid(2), QByteArrayList({"'=HYPERLINK(\"http://evil.example\",\"x\")",
                                                "'@SUM(A1:A9)", R"({"note":"=1+1","n":-3})",
                                                "'=1+1", "-3"}));
    QCOMPARE(rows.at(2).mid(2),
             QByteArrayList({"message", "-5", "'+cmd|' /C calc'!A0", "", ""}));
}

// A type with CR or LF, or an id with CR, LF or NUL, cannot be written as an SSE field (it would
// inject `id:`, `retry:` or `data:` lines): the event is left out, a comment line says so.
void tst_Exporter::sseTextSkipsUnwritableEvents()
{
    Sse::EventList events;
    auto add = [&](const QByteArray &type, const QByteArray &id, const QByteArray &data) {
        Sse::Event event;
        event.type = type;
        event.lastEventId = id;
        event.data = data;
        events.append(event);
    };
    add("message", "1", "first");
    add("tick\nretry: 1\ndata: injected", "2", "type with LF");
    add("message", "3\rid: 999", "id with CR");
    add("message", QByteArray("4\0", 2), "id with NUL");
    add("tick\r\nid: 7", "5", "type with CRLF");
    add("message", "6", "last");
    const QString path = m_dir.filePath(QStringLiteral("hostile.txt"));
    runExport(ExportFormat::SseText, path, exportEvents(events, 1));
    if (QTest::currentTestFailed())
        return;
    const QByteArray text = readAll(path);
    Sse::Parser parser;
    Sse::EventList parsed;
    QCOMPARE(parser.feed(text, parsed), Sse::Parser::Status::Ok);
    QCOMPARE(parsed.size(), 2);
    QCOMPARE(parsed.at(0).data, QByteArray("first"));
    QCOMPARE(parsed.at(1).data, QByteArray("last"));
    QCOMPARE(parsed.at(1).lastEventId, QByteArray("6"));
    QCOMPARE(parsed.at(1).retryMs, -1);
    QCOMPARE(parser.statistics().comments, 4);
    QVERIFY2(!text.contains("injected") && !text.contains("999"), text.constData());
}

void tst_Exporter::jsonLinesRoundTrip()
{
    const Sse::EventList a = sampleEvents(300, 0, 1'700'000'000'000, Content::WithCarriageReturns);
    const Sse::EventList b = sampleEvents(100, 500);
    ExportEventList events = exportEvents(a, 1);
    events.append(exportEvents(b, 2));
    const QString path = m_dir.filePath(QStringLiteral("events.jsonl"));
    ExportOptions options;
    options.connectionNames.insert(1, QStringLiteral("one"));
    options.connectionUrls.insert(1, QUrl(QStringLiteral("http://one.example/sse")));
    runExport(ExportFormat::JsonLines, path, events, options);
    if (QTest::currentTestFailed())
        return;

    Imported imported;
    importFile(path, &imported);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(imported.statistics.skippedLines, 0);
    QCOMPARE(imported.order, QStringList({QStringLiteral("one"), QStringLiteral("connection 2")}));
    QCOMPARE(imported.urls.value(QStringLiteral("one")),
             QUrl(QStringLiteral("http://one.example/sse")));
    QCOMPARE(describe(imported.events.value(QStringLiteral("one"))), describe(a));
    QCOMPARE(describe(imported.events.value(QStringLiteral("connection 2"))), describe(b));
    // The store's sequence numbers are kept.
    const QList<QByteArray> lines = readAll(path).split('\n');
    QCOMPARE(Sse::JsonLines::parseRecord(lines.at(1)).seq, 100);
}

void tst_Exporter::sseTextRoundTrip()
{
    const Sse::EventList events = sampleEvents(400, 0);
    const QString path = m_dir.filePath(QStringLiteral("events.txt"));
    runExport(ExportFormat::SseText, path, exportEvents(events, 1));
    if (QTest::currentTestFailed())
        return;
    const QByteArray text = readAll(path);
    for (qsizetype chunk : {text.size(), qsizetype(1), qsizetype(13)}) {
        Sse::Parser parser;
        Sse::EventList parsed;
        for (qsizetype i = 0; i < text.size(); i += chunk)
            QCOMPARE(parser.feed(text.mid(i, chunk), parsed), Sse::Parser::Status::Ok);
        QCOMPARE(describe(parsed, AllFields & ~Time), describe(events, AllFields & ~Time));
        QCOMPARE(parser.statistics().ignoredFields, 0);
    }
    // Ids are only written where they change.
    qsizetype changes = 0;
    QByteArray id;
    for (const Sse::Event &event : events) {
        if (event.lastEventId != id)
            ++changes;
        id = event.lastEventId;
    }
    QCOMPARE(qsizetype(text.startsWith("id: ")) + text.count("\nid: "), changes);
}

void tst_Exporter::progressAndBatches()
{
    const ExportEventList events = exportEvents(sampleEvents(1000), 1);
    Exporter exporter;
    ExportOptions options;
    options.totalEvents = events.size();
    QSignalSpy progress(&exporter, &Exporter::progress);
    QSignalSpy batches(&exporter, &Exporter::batchWritten);
    QSignalSpy finished(&exporter, &Exporter::finished);
    QVERIFY(exporter.start(ExportFormat::JsonLines, m_dir.filePath(QStringLiteral("p.jsonl")),
                           options));
    QVERIFY(!exporter.start(ExportFormat::Csv, m_dir.filePath(QStringLiteral("q.csv"))));
    for (int i = 0; i < 10; ++i)
        exporter.addEvents(events.mid(i * 100, 100));
    QCOMPARE(exporter.eventsAdded(), 1000);
    QVERIFY(exporter.pendingBatches() > 0);
    exporter.finish();
    QVERIFY(finished.wait(30000));
    QCOMPARE(batches.size(), 10);
    QCOMPARE(progress.last().first().toInt(), 100);
    QCOMPARE(exporter.eventsWritten(), 1000);
    QCOMPARE(exporter.pendingBatches(), 0);
    QVERIFY(finished.first().at(1).toString().contains(QStringLiteral("1000 events")));
}

void tst_Exporter::cancelLeavesNothing()
{
    const QString dir = m_dir.filePath(QStringLiteral("cancel"));
    QVERIFY(QDir().mkpath(dir));
    const QString path = dir + QStringLiteral("/out.csv");
    Exporter exporter;
    QSignalSpy finished(&exporter, &Exporter::finished);
    QVERIFY(exporter.start(ExportFormat::Csv, path));
    exporter.addEvents(exportEvents(sampleEvents(5000), 1));
    exporter.cancel();
    exporter.addEvents(exportEvents(sampleEvents(10), 1)); // ignored
    QVERIFY(finished.wait(30000));
    QCOMPARE(finished.first().at(0).toBool(), false);
    QCOMPARE(finished.first().at(1).toString(), QStringLiteral("Export cancelled"));
    QCOMPARE(filesIn(dir), QStringList());

    // Destroying a running exporter cancels too.
    {
        Exporter running;
        QVERIFY(running.start(ExportFormat::JsonLines, path));
        running.addEvents(exportEvents(sampleEvents(100), 1));
    }
    QCOMPARE(filesIn(dir), QStringList());
}

void tst_Exporter::errorLeavesNothing()
{
    Exporter exporter;
    QSignalSpy finished(&exporter, &Exporter::finished);
    const QString path = m_dir.filePath(QStringLiteral("missing-dir/out.csv"));
    QVERIFY(exporter.start(ExportFormat::Csv, path));
    exporter.addEvents(exportEvents(sampleEvents(10), 1));
    exporter.finish();
    QVERIFY(finished.wait(30000));
    QCOMPARE(finished.first().at(0).toBool(), false);
    const QString message = finished.first().at(1).toString();
    QVERIFY2(message.contains(path), qPrintable(message));
    QVERIFY(!QFileInfo::exists(path));

    // A disk that fills up half way: RLIMIT_FSIZE makes writes fail with EFBIG (SIGXFSZ
    // ignored). The export fails and neither the target nor the temporary file remains.
    const QString dir = m_dir.filePath(QStringLiteral("full"));
    QVERIFY(QDir().mkpath(dir));
    rlimit saved;
    QCOMPARE(getrlimit(RLIMIT_FSIZE, &saved), 0);
    const auto oldHandler = std::signal(SIGXFSZ, SIG_IGN);
    rlimit limited = saved;
    limited.rlim_cur = 64 * 1024;
    QCOMPARE(setrlimit(RLIMIT_FSIZE, &limited), 0);
    Exporter full;
    QSignalSpy fullFinished(&full, &Exporter::finished);
    QVERIFY(full.start(ExportFormat::Csv, dir + QStringLiteral("/big.csv")));
    for (int i = 0; i < 10; ++i)
        full.addEvents(exportEvents(sampleEvents(1000, i * 1000), 1));
    full.finish();
    const bool done = fullFinished.wait(30000);
    setrlimit(RLIMIT_FSIZE, &saved);
    std::signal(SIGXFSZ, oldHandler);
    QVERIFY(done);
    QCOMPARE(fullFinished.first().at(0).toBool(), false);
    const QString fullMessage = fullFinished.first().at(1).toString();
    QVERIFY2(fullMessage.contains(QStringLiteral("big.csv")), qPrintable(fullMessage));
    QCOMPARE(filesIn(dir), QStringList());
}

void tst_Exporter::keepsExistingFileOnCancel()
{
    const QString path = m_dir.filePath(QStringLiteral("existing.csv"));
    {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("old contents\n");
    }
    Exporter exporter;
    QSignalSpy finished(&exporter, &Exporter::finished);
    QVERIFY(exporter.start(ExportFormat::Csv, path));
    exporter.addEvents(exportEvents(sampleEvents(100), 1));
    exporter.cancel();
    QVERIFY(finished.wait(30000));
    QCOMPARE(readAll(path), QByteArray("old contents\n"));
}

void tst_Exporter::jobExportsVisibleAndSelectedRows()
{
    EventLogModel model;
    model.setConnectionName(1, QStringLiteral("first"));
    model.setConnectionName(2, QStringLiteral("second"));
    const Sse::EventList one = sampleEvents(50, 0);
    const Sse::EventList two = sampleEvents(50, 100);
    model.ingest(1, one);
    model.ingest(2, two);
    model.flush();
    EventFilter filter;
    QSet<quint16> hidden;
    for (const char *type : {"message", "tick.v2", "with space"})
        hidden.insert(quint16(model.store().findType(type)));
    filter.setHiddenTypes(hidden);
    model.setFilter(filter);
    QTRY_VERIFY(!model.isRescanning());

    ExportJob job(&model);
    QSignalSpy finished(&job, &ExportJob::finished);
    const QString visiblePath = m_dir.filePath(QStringLiteral("visible.jsonl"));
    const QList<qint64> visible = ExportJob::visibleSequences(model);
    QCOMPARE(visible.size(), 26);
    QVERIFY(job.start(ExportFormat::JsonLines, visiblePath, visible));
    QVERIFY(job.isRunning());
    QVERIFY(finished.wait(30000));
    QVERIFY(finished.first().at(0).toBool());
    Imported imported;
    importFile(visiblePath, &imported);
    if (QTest::currentTestFailed())
        return;
    Sse::EventList expected;
    for (const Sse::Event &event : one) {
        if (event.type == "update")
            expected.append(event);
    }
    QCOMPARE(describe(imported.events.value(QStringLiteral("first"))), describe(expected));
    QCOMPARE(imported.events.value(QStringLiteral("second")).size(), 13);

    const QString selectedPath = m_dir.filePath(QStringLiteral("selected.txt"));
    const QList<qint64> selected = ExportJob::sequencesOfRows(model, {3, 1, 3, 999});
    QCOMPARE(selected, QList<qint64>({model.sequenceAt(1), model.sequenceAt(3)}));
    QVERIFY(job.start(ExportFormat::SseText, selectedPath, selected));
    QVERIFY(finished.wait(30000));
    Sse::Parser parser;
    Sse::EventList parsed;
    parser.feed(readAll(selectedPath), parsed);
    QCOMPARE(describe(parsed, Data | Type),
             describe({expected.at(1), expected.at(3)}, Data | Type));

    QCOMPARE(ExportJob::allSequences(model.store()).size(), 100);
}

void tst_Exporter::jobDoesNotBlockTheEventLoop()
{
    // 200,000 events in slices: the GUI thread gets the event loop back between slices, and
    // a timer keeps firing during the export.
    auto store = std::make_unique<EventStore>();
    const Sse::EventList batch = sampleEvents(10000);
    EventLogModel model(std::move(store));
    for (int i = 0; i < 20; ++i)
        model.ingest(1, batch);
    model.flush();
    QCOMPARE(model.store().size(), 200000);

    ExportJob job(&model);
    job.setSliceSize(5000);
    QSignalSpy finished(&job, &ExportJob::finished);
    QSignalSpy progress(&job, &ExportJob::progress);
    int ticks = 0;
    qint64 longestGapMs = 0;
    QElapsedTimer sinceTick;
    QTimer heartbeat;
    heartbeat.setInterval(5);
    connect(&heartbeat, &QTimer::timeout, this, [&] {
        if (ticks++ > 0)
            longestGapMs = qMax(longestGapMs, sinceTick.elapsed());
        sinceTick.restart();
    });
    heartbeat.start();
    const QString path = m_dir.filePath(QStringLiteral("large.csv"));
    QVERIFY(job.start(ExportFormat::Csv, path, ExportJob::allSequences(model.store())));
    QVERIFY(finished.wait(120000));
    heartbeat.stop();
    QVERIFY2(finished.first().at(0).toBool(), qPrintable(finished.first().at(1).toString()));
    QVERIFY2(job.slicesCopied() >= 40, qPrintable(QString::number(job.slicesCopied())));
    QVERIFY(ticks > 3);
    qInfo("export of 200000 events: %d slices, %d heartbeats, longest gap %lld ms",
          job.slicesCopied(), ticks, longestGapMs);
    QCOMPARE(progress.last().first().toInt(), 100);
    QCOMPARE(readAll(path).count("\r\n"), 200001);
}

void tst_Exporter::jobSkipsEvictedEvents()
{
    EventLogModel model;
    model.setCapacity(1000);
    model.ingest(1, sampleEvents(1000));
    model.flush();
    ExportJob job(&model);
    job.setSliceSize(100);
    QSignalSpy finished(&job, &ExportJob::finished);
    const QString path = m_dir.filePath(QStringLiteral("evicted.jsonl"));
    QVERIFY(job.start(ExportFormat::JsonLines, path, ExportJob::allSequences(model.store())));
    // Live events push the oldest out while the job runs.
    model.ingest(1, sampleEvents(500, 1000));
    QVERIFY(finished.wait(30000));
    QVERIFY(finished.first().at(0).toBool());
    QVERIFY(job.skippedEvents() > 0);
    QVERIFY(finished.first().at(1).toString().contains(QStringLiteral("evicted")));
    Imported imported;
    importFile(path, &imported);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(imported.statistics.events + job.skippedEvents(), 1000);
}

QTEST_MAIN(tst_Exporter)
#include "tst_exporter.moc"
