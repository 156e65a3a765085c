// Tests of Sse::StreamDiagnostics against a loopback TestServer, plus `sse-monitor-cli check`.

#include "testserver.h"

#include "sselib/diagnostics.h"
#include "sanitizers.h"

#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QStringList>
#include <QTest>

#include <QFile>

using namespace Qt::StringLiterals;
using Exchange = TestServer::Exchange;

namespace {

// What a test server does wrong; None is a well-behaved server.
enum class Fault {
    None,
    NoCacheControl,
    Gzip,
    NoIds,
    IgnoresLastEventId,
    Silence,
    MixedLineEndings,
    MisspelledFields,
    DataWithoutSpace,
    WrongContentType,
};

constexpr int EventSpacingMs = 40;
constexpr int EventCount = 40; // covers the whole observation: no silence at the end

QByteArray eventBlock(int n, bool withId = true)
{
    QByteArray block;
    if (withId)
        block += "id: " + QByteArray::number(n) + '\n';
    block += "data: {\"n\":" + QByteArray::number(n) + "}\n\n";
    return block;
}

// Starts after Last-Event-ID unless the fault says otherwise.
void serve(Exchange *exchange, Fault fault)
{
    const TestHttp::Headers accel = {{"X-Accel-Buffering", "no"}};
    switch (fault) {
    case Fault::NoCacheControl:
        exchange->writeHead(200, {{"Content-Type", "text/event-stream"}, {"Connection", "close"}});
        break;
    case Fault::Gzip:
        exchange->sseHead(TestHttp::Framing::Chunked, TestHttp::Coding::Gzip, accel);
        break;
    case Fault::WrongContentType:
        exchange->writeHead(200, {{"Content-Type", "application/json"},
                                  {"Cache-Control", "no-cache"},
                                  {"Connection", "close"}});
        exchange->send("{\"error\":\"not a stream\"}\n");
        exchange->finish();
        return;
    default:
        exchange->sseHead(TestHttp::Framing::CloseDelimited, TestHttp::Coding::Identity, accel);
        break;
    }
    exchange->send("retry: 1000\n\n");
    int first = 1;
    if (fault != Fault::IgnoresLastEventId && !exchange->header("Last-Event-ID").isEmpty())
        first = exchange->header("Last-Event-ID").toInt() + 1;
    for (int i = 0; i < EventCount; ++i) {
        const int n = first + i;
        QByteArray block = eventBlock(n, fault != Fault::NoIds);
        int delay = EventSpacingMs * (i + 1);
        switch (fault) {
        case Fault::Silence:
            if (i >= 3)
                delay += 700;
            break;
        case Fault::MixedLineEndings:
            if (i % 2 == 1)
                block.replace("\n", "\r\n");
            break;
        case Fault::MisspelledFields:
            if (i == 2)
                block = "Event: update\ndate: 2024-01-01\n" + block;
            break;
        case Fault::DataWithoutSpace:
            if (i == 2)
                block = "id: " + QByteArray::number(n) + "\ndata:x\n\n";
            break;
        default:
            break;
        }
        if (fault == Fault::None && i == 5)
            exchange->sendLater(delay - EventSpacingMs / 2, ": ping\n\n");
        exchange->sendLater(delay, block);
    }
}

QStringList problemIds(const Sse::DiagnosticsReport &report)
{
    QStringList ids;
    for (const Sse::Finding &finding : report.findings) {
        if (finding.severity >= Sse::Finding::Warning)
            ids.append(finding.id);
    }
    ids.sort();
    return ids;
}

} // namespace

class TestDiagnostics : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void faults_data();
    void faults();
    void burstsFromDirectFeed();
    void splitLinesFromDirectFeed();
    void attachMidStream();
    void payloadChecksFromDirectFeed();
    void cliReportsFailure();
    void idsAndTypesBoundedInBytes_data();
    void idsAndTypesBoundedInBytes();
    void cliNumbersValidated_data();
    void cliNumbersValidated();
};

void TestDiagnostics::init()
{
    QTest::failOnWarning(QRegularExpression(u".*"_s));
}

void TestDiagnostics::faults_data()
{
    QTest::addColumn<Fault>("fault");
    QTest::addColumn<bool>("resumeCheck");
    QTest::addColumn<QStringList>("expected");
    QTest::addColumn<bool>("failure");

    QTest::newRow("well-behaved") << Fault::None << true << QStringList() << false;
    QTest::newRow("no-cache missing")
        << Fault::NoCacheControl << false << QStringList{u"response.cache-control"_s} << false;
    QTest::newRow("gzip") << Fault::Gzip << false << QStringList{u"response.compression"_s}
                          << false;
    QTest::newRow("no ids") << Fault::NoIds << true << QStringList{u"resume.ids"_s} << false;
    QTest::newRow("ignores Last-Event-ID")
        << Fault::IgnoresLastEventId << true << QStringList{u"resume.last-event-id"_s} << true;
    QTest::newRow("silence") << Fault::Silence << false << QStringList{u"keepalive.silence"_s}
                             << false;
    QTest::newRow("mixed CRLF/LF")
        << Fault::MixedLineEndings << false << QStringList{u"format.line-endings"_s} << false;
    QTest::newRow("misspelled fields")
        << Fault::MisspelledFields << false << QStringList{u"format.unknown-fields"_s} << false;
    QTest::newRow("data:x") << Fault::DataWithoutSpace << false
                            << QStringList{u"format.data-space"_s} << false;
    QTest::newRow("wrong content type")
        << Fault::WrongContentType << false << QStringList{u"response.content-type"_s} << true;
}

void TestDiagnostics::faults()
{
    QFETCH(Fault, fault);
    QFETCH(bool, resumeCheck);
    QFETCH(QStringList, expected);
    QFETCH(bool, failure);

    TestServer server;
    QVERIFY(server.isListening());
    server.route("/events", [fault](Exchange *exchange) { serve(exchange, fault); });

    Sse::StreamDiagnostics diagnostics;
    Sse::StreamDiagnostics::Settings settings;
    settings.silenceThresholdMs = 400;
    settings.resumeCheck = resumeCheck;
    diagnostics.setSettings(settings);
    QSignalSpy finished(&diagnostics, &Sse::StreamDiagnostics::finished);
    Sse::ClientOptions options;
    options.url = server.url("/events");
    options.reconnectPolicy = Sse::ReconnectPolicy::Fixed;
    options.fixedDelayMs = 100;
    diagnostics.run(options, 1300);
    QVERIFY(diagnostics.isRunning());
    QVERIFY(finished.wait(5000));
    QVERIFY(!diagnostics.isRunning());

    const Sse::DiagnosticsReport report = diagnostics.report();
    QVERIFY2(problemIds(report) == expected,
             qPrintable(problemIds(report).join(u' ') + u"\n"_s + report.toText().right(1500)));
    QCOMPARE(report.hasFailures(), failure);
    if (fault == Fault::None) {
        QVERIFY2(report.statistics.events >= 10, qPrintable(report.toText()));
        QCOMPARE(report.find(u"resume.last-event-id"_s)->severity, Sse::Finding::Pass);
        QCOMPARE(server.requestCount("/events"), 2);
        QVERIFY(!server.requests("/events").at(1).header("Last-Event-ID").isEmpty());
    }
    if (fault == Fault::IgnoresLastEventId)
        QCOMPARE(report.find(u"resume.last-event-id"_s)->severity, Sse::Finding::Failure);
    if (fault == Fault::MisspelledFields) {
        const QString detail = report.find(u"format.unknown-fields"_s)->detail;
        QVERIFY2(detail.contains(u"\"Event\""_s) && detail.contains(u"\"date\""_s),
                 qPrintable(detail));
    }
}

// Ten events in one read after a second of silence, twice: something buffers.
void TestDiagnostics::burstsFromDirectFeed()
{
    Sse::StreamDiagnostics diagnostics;
    diagnostics.begin(QUrl(u"http://127.0.0.1:1/events"_s), 0);
    diagnostics.addResponse(200,
                            {{"Content-Type", "text/event-stream"}, {"Cache-Control", "no-cache"}},
                            false, 5);
    diagnostics.addBytes(eventBlock(0), 10);
    QByteArray batch;
    for (int n = 1; n <= 10; ++n)
        batch += eventBlock(n);
    diagnostics.addBytes(batch, 1010);
    batch.clear();
    for (int n = 11; n <= 20; ++n)
        batch += eventBlock(n);
    diagnostics.addBytes(batch, 2010);
    diagnostics.end(2020);

    const Sse::DiagnosticsReport report = diagnostics.report();
    const Sse::Finding *buffering = report.find(u"delivery.buffering"_s);
    QVERIFY(buffering);
    QCOMPARE(buffering->severity, Sse::Finding::Warning);
    QCOMPARE(report.statistics.events, 21);
    QCOMPARE(report.statistics.longestSilenceMs, 1000);
    QCOMPARE(report.statistics.timeToFirstEventMs, 10);
    QCOMPARE(report.statistics.interArrivalP50Ms, 0);
}

// Lines split across reads, including a CR whose LF comes in the next read.
void TestDiagnostics::splitLinesFromDirectFeed()
{
    const QByteArray wire = "Data: lost\r\nid: 1\r\ndata:x\r\n\r\nid: 2\r\ndata: y\r\n\r\n";
    for (const int chunk : {1, 2, 3, 7}) {
        Sse::StreamDiagnostics diagnostics;
        diagnostics.begin(QUrl(u"http://127.0.0.1:1/events"_s), 0);
        diagnostics.addResponse(200, {{"Content-Type", "text/event-stream"}}, false, 1);
        for (qsizetype i = 0; i < wire.size(); i += chunk)
            diagnostics.addBytes(wire.mid(i, chunk), 2 + i);
        diagnostics.end(1000);
        const Sse::DiagnosticsReport report = diagnostics.report();
        QCOMPARE(report.statistics.events, 2);
        QVERIFY(report.find(u"format.data-space"_s));
        QCOMPARE(report.find(u"format.unknown-fields"_s)->severity, Sse::Finding::Warning);
        QCOMPARE(report.find(u"format.line-endings"_s)->severity, Sse::Finding::Pass);
        QCOMPARE(report.find(u"resume.ids"_s)->severity, Sse::Finding::Pass);
    }
}

// Attached while an event is half received: its tail is skipped, not taken for a field.
void TestDiagnostics::attachMidStream()
{
    const QByteArray head = eventBlock(1) + "id: 2\ndata: par";
    TestServer server;
    server.route("/events", [head](Exchange *exchange) {
        exchange->sseHead();
        exchange->send(head);
        exchange->sendLater(300, "tial\r\n\r\n");
        for (int n = 3; n <= 6; ++n)
            exchange->sendLater(300 + 40 * n, eventBlock(n));
    });
    Sse::Client client;
    Sse::ClientOptions options;
    options.url = server.url("/events");
    client.setOptions(options);
    client.open();
    QTRY_COMPARE(client.statistics().bytes, head.size());

    Sse::StreamDiagnostics diagnostics;
    Sse::StreamDiagnostics::Settings settings;
    settings.resumeCheck = false;
    diagnostics.setSettings(settings);
    diagnostics.attach(&client);
    QTRY_COMPARE(diagnostics.report().statistics.events, 4);
    const Sse::DiagnosticsReport report = diagnostics.report();
    QCOMPARE(report.find(u"response.status"_s)->severity, Sse::Finding::Pass);
    QCOMPARE(report.find(u"format.unknown-fields"_s)->severity, Sse::Finding::Pass);
    QCOMPARE(report.find(u"format.line-endings"_s)->severity, Sse::Finding::Pass);
    QCOMPARE(report.find(u"resume.ids"_s)->severity, Sse::Finding::Pass);
    diagnostics.detach();
    client.close();
}

// BOM, JSON that does not parse and an event above the size threshold.
void TestDiagnostics::payloadChecksFromDirectFeed()
{
    Sse::StreamDiagnostics diagnostics;
    Sse::StreamDiagnostics::Settings settings;
    settings.largeEventBytes = 100;
    diagnostics.setSettings(settings);
    diagnostics.begin(QUrl(u"http://127.0.0.1:1/events"_s), 0);
    diagnostics.addResponse(200,
                            {{"Content-Type", "text/event-stream; charset=utf-8"},
                             {"Cache-Control", "no-cache"}},
                            false, 1);
    diagnostics.addBytes("\xEF\xBB\xBFid: 1\ndata: {\"a\":1}\n\n", 2);
    diagnostics.addBytes("id: 2\ndata: {\"a\":\n\n", 3);
    diagnostics.addBytes("id: 3\ndata: " + QByteArray(200, 'x') + "\n\n", 4);
    diagnostics.end(10);
    const Sse::DiagnosticsReport report = diagnostics.report();
    QCOMPARE(problemIds(report),
             (QStringList{u"format.bom"_s, u"format.event-size"_s, u"format.json"_s}));
    QCOMPARE(report.statistics.events, 3);
    QCOMPARE(report.statistics.maximumSize, 200);
    QVERIFY(report.find(u"format.json"_s)->detail.startsWith(u"1 of 2"_s));
}

void TestDiagnostics::cliReportsFailure()
{
    const QString cli = qEnvironmentVariable("SSE_MONITOR_CLI");
    if (cli.isEmpty())
        QSKIP("SSE_MONITOR_CLI is not set (run through CTest)");
    TestServer server;
    server.route("/events", [](Exchange *exchange) { serve(exchange, Fault::IgnoresLastEventId); });

    QProcess process;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    for (const QString &name : {u"http_proxy"_s, u"HTTP_PROXY"_s, u"all_proxy"_s, u"ALL_PROXY"_s})
        environment.remove(name);
    process.setProcessEnvironment(environment);
    QSignalSpy exited(&process, &QProcess::finished);
    process.start(cli, {u"check"_s, server.url("/events").toString(), u"--duration"_s, u"1"_s});
    QVERIFY(process.waitForStarted(5000));
    QVERIFY(exited.wait(10000));
    const QString out = QString::fromUtf8(process.readAllStandardOutput());
    QVERIFY2(process.exitStatus() == QProcess::NormalExit && process.exitCode() == 1,
             qPrintable(out + QString::fromUtf8(process.readAllStandardError())));
    QVERIFY2(out.contains(u"[FAIL] Resume replays events already delivered"_s), qPrintable(out));
    QVERIFY2(out.contains(u"resume.last-event-id"_s), qPrintable(out));

    // Usage errors exit with 2.
    QSignalSpy usageExited(&process, &QProcess::finished);
    process.start(cli, {u"check"_s});
    QVERIFY(process.waitForStarted(5000));
    QVERIFY(usageExited.wait(10000));
    QCOMPARE(process.exitCode(), 2);
}

namespace {

// Resident memory of this process, from /proc (0 where there is none).
qint64 residentBytes()
{
    QFile status(u"/proc/self/status"_s);
    if (!status.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong() * 1024;
    }
    return 0;
}

} // namespace

// What one check keeps grows with the number of distinct ids and types, not with their length:
// ids are kept as hashes, types in a table of at most 1,000 names of at most 256 bytes with an
// overflow bucket. Before, 3,000 distinct 64 KiB ids kept 190 MiB.
void TestDiagnostics::idsAndTypesBoundedInBytes_data()
{
    QTest::addColumn<int>("events");
    QTest::addColumn<int>("idBytes");
    QTest::addColumn<int>("typeBytes");

    QTest::newRow("3,000 distinct 64 KiB ids") << 3000 << 64 * 1024 << 0;
    QTest::newRow("100,000 distinct 1 KiB types") << 100000 << 0 << 1024;
    QTest::newRow("2,000 distinct 64 KiB types") << 2000 << 0 << 64 * 1024;
}

void TestDiagnostics::idsAndTypesBoundedInBytes()
{
    SSE_SKIP_MEMORY_FIGURES_UNDER_SANITIZER();
    QFETCH(int, events);
    QFETCH(int, idBytes);
    QFETCH(int, typeBytes);

    Sse::StreamDiagnostics diagnostics;
    Sse::StreamDiagnostics::Settings settings;
    settings.resumeCheck = false;
    diagnostics.setSettings(settings);
    diagnostics.begin(QUrl(u"http://127.0.0.1:1/events"_s), 0);
    diagnostics.addResponse(200,
                            {{"Content-Type", "text/event-stream"}, {"Cache-Control", "no-cache"}},
                            false, 1);
    const qint64 before = residentBytes();
    qint64 fed = 0;
    QByteArray block;
    for (int n = 0; n < events; ++n) {
        // A distinct value of the wanted length: the number, padded.
        const QByteArray number = QByteArray::number(n);
        block.clear();
        if (idBytes > 0)
            block += "id: " + number + QByteArray(idBytes - number.size(), 'i') + '\n';
        if (typeBytes > 0)
            block += "event: " + number + QByteArray(typeBytes - number.size(), 't') + '\n';
        block += "data: x\n\n";
        fed += block.size();
        diagnostics.addBytes(block, 2 + n / 1000);
    }
    const qint64 growth = residentBytes() - before;
    diagnostics.end(1000);
    const Sse::DiagnosticsReport report = diagnostics.report();
    QCOMPARE(report.statistics.events, qint64(events));
    qint64 counted = report.statistics.eventsOfOtherTypes;
    for (const auto &entry : report.statistics.eventsByType)
        counted += entry.second;
    QCOMPARE(counted, qint64(events));
    QVERIFY2(report.statistics.eventsByType.size() <= 1000,
             QByteArray::number(report.statistics.eventsByType.size()).constData());
    if (typeBytes > 0)
        QVERIFY(report.statistics.eventsOfOtherTypes > 0);
    qInfo("%d events, %.1f MiB fed, resident memory grew by %.1f MiB", events,
          double(fed) / (1 << 20), double(growth) / (1 << 20));
#ifndef SSE_UNDER_ADDRESS_SANITIZER
    QVERIFY2(growth < 32LL * 1024 * 1024,
             qPrintable(u"resident memory grew by %1 MiB for %2 MiB fed"_s
                            .arg(growth >> 20)
                            .arg(fed >> 20)));
#endif
}

void TestDiagnostics::cliNumbersValidated_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("message");

    QTest::newRow("--duration 1e20") << QStringList{u"--duration"_s, u"1e20"_s} << u"--duration"_s;
    QTest::newRow("--duration 0.0001")
        << QStringList{u"--duration"_s, u"0.0001"_s} << u"--duration"_s;
    QTest::newRow("--silence-threshold 1e12")
        << QStringList{u"--silence-threshold"_s, u"1e12"_s} << u"--silence-threshold"_s;
    QTest::newRow("-H value with LF")
        << QStringList{u"-H"_s, u"X-A: a\nX-Injected: 1"_s} << u"line break"_s;
}

void TestDiagnostics::cliNumbersValidated()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, message);
    const QString cli = qEnvironmentVariable("SSE_MONITOR_CLI");
    if (cli.isEmpty())
        QSKIP("SSE_MONITOR_CLI is not set (run through CTest)");
    TestServer server;
    server.route("/events", [](Exchange *exchange) { serve(exchange, Fault::None); });

    QProcess process;
    QSignalSpy exited(&process, &QProcess::finished);
    process.start(cli, QStringList{u"check"_s, u"--no-resume-check"_s} + arguments
                           + QStringList{server.url("/events").toString()});
    QVERIFY(process.waitForStarted(5000));
    QVERIFY(exited.wait(10000));
    const QString err = QString::fromUtf8(process.readAllStandardError());
    QVERIFY2(process.exitStatus() == QProcess::NormalExit && process.exitCode() == 2,
             qPrintable(u"exit code %1: %2"_s.arg(process.exitCode()).arg(err)));
    QVERIFY2(err.contains(message), qPrintable(err));
    QCOMPARE(server.requestCount(), 0);
}

QTEST_GUILESS_MAIN(TestDiagnostics)
#include "tst_diagnostics.moc"
