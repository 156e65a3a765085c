// The stream command's assertions (--expect, --within, --expect-all, --max-silence,
// --expect-no-gaps, --expect-complete, --expect-count, --junit): the built sse-monitor-cli
// against loopback TestServer routes, its records, exit codes and JUnit XML.

#include "clirun.h"
#include "testserver.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QXmlStreamReader>

using namespace Qt::StringLiterals;
using Exchange = TestServer::Exchange;

namespace {

constexpr int ExitTimeoutMs = 20000;

using Run = CliRun::Result;

bool runCli(const QStringList &arguments, Run *run)
{
    return CliRun::run(arguments, run, ExitTimeoutMs);
}

// "name=true" per assertion record, in order.
QStringList assertionResults(const QByteArray &out, QStringList *details = nullptr)
{
    QStringList results;
    for (const QByteArray &line : out.split('\n')) {
        const QJsonObject record = QJsonDocument::fromJson(line).object();
        if (record.value("kind"_L1).toString() != "assertion"_L1)
            continue;
        results.append(record.value("name"_L1).toString() + u'='
                       + (record.value("passed"_L1).toBool() ? u"true"_s : u"false"_s));
        if (details)
            details->append(record.value("detail"_L1).toString());
    }
    return results;
}

QByteArray fixture(const QString &name)
{
    QFile file(QStringLiteral(LLM_DATA_DIR "/") + name);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// Sends \a bytes every \a ms for as long as the exchange lives.
void every(Exchange *exchange, int ms, const QByteArray &bytes)
{
    auto *timer = new QTimer(exchange);
    QObject::connect(timer, &QTimer::timeout, exchange,
                     [exchange, bytes] { exchange->send(bytes); });
    timer->start(ms);
}

} // namespace

class TestCliAssertions : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void assertions_data();
    void assertions();
    void junitReport();
    void connectionFailedStaysExitOne();
    void usageErrors_data();
    void usageErrors();

private:
    std::unique_ptr<TestServer> m_server;
};

void TestCliAssertions::initTestCase()
{
    QVERIFY2(QFile::exists(qEnvironmentVariable("SSE_MONITOR_CLI")),
             "SSE_MONITOR_CLI must name the built sse-monitor-cli");
    m_server = std::make_unique<TestServer>();
    // Seven events, trade/quote alternating, ids 1..7, the last of type done; then it stays
    // open and silent.
    m_server->route("/stream", [](Exchange *exchange) {
        exchange->sseHead();
        for (int n = 1; n <= 6; ++n) {
            exchange->send(
                TestServer::formatEvent("{\"sym\":\"A\",\"n\":" + QByteArray::number(n) + "}",
                                        n % 2 ? "trade" : "quote", QByteArray::number(n)));
        }
        exchange->send(TestServer::formatEvent("{\"sym\":\"A\"}", "done", "7"));
    });
    m_server->route("/gappy", [](Exchange *exchange) {
        exchange->sseHead();
        for (const char *id : {"1", "2", "5", "6"})
            exchange->send(TestServer::formatEvent("x", {}, id));
    });
    m_server->route("/heartbeat", [](Exchange *exchange) {
        exchange->sseHead();
        exchange->send(TestServer::formatEvent("hello"));
        every(exchange, 100, ": heartbeat\n");
    });
    m_server->route("/ticker", [](Exchange *exchange) {
        exchange->sseHead();
        every(exchange, 100, TestServer::formatEvent("tick"));
    });
    m_server->route("/slow", [](Exchange *exchange) {
        exchange->sseHead();
        exchange->sendLater(1500, TestServer::formatEvent("late", "late"));
    });
    for (const char *name : {"chat-text", "chat-truncated", "chat-error"}) {
        const QByteArray wire = fixture(QString::fromLatin1(name) + ".sse"_L1);
        QVERIFY(!wire.isEmpty());
        m_server->route("/" + QByteArray(name), [wire](Exchange *exchange) {
            exchange->sseHead();
            exchange->send(wire);
            exchange->finish();
        });
    }
}

void TestCliAssertions::assertions_data()
{
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QStringList>("results");
    QTest::addColumn<QString>("detail"); // contained in the first assertion's detail
    QTest::addColumn<int>("maximumMs"); // the outcome was known before the --timeout

    const QString t = u"--timeout"_s;
    QTest::newRow("expect met ends the run")
        << "/stream"_ba << QStringList {u"--expect"_s, u"type == \"done\""_s, t, u"20"_s} << 0
        << QStringList {u"expect: type == \"done\"=true"_s} << u"event 7 matched"_s << 8000;
    QTest::newRow("expect never met")
        << "/stream"_ba << QStringList {u"--expect"_s, u"type == \"nope\""_s, t, u"1"_s} << 4
        << QStringList {u"expect: type == \"nope\"=false"_s} << u"no matching event in 7 events"_s
        << 8000;
    QTest::newRow("expect within met")
        << "/slow"_ba << QStringList {u"--expect"_s, u"type == \"late\""_s, u"--within"_s, u"5"_s}
        << 0 << QStringList {u"expect: type == \"late\" within 5 s=true"_s} << u"matched"_s << 8000;
    QTest::newRow("expect within missed")
        << "/slow"_ba
        << QStringList {u"--expect"_s, u"type == \"late\""_s, u"--within"_s, u"0.5"_s, t, u"20"_s}
        << 4 << QStringList {u"expect: type == \"late\" within 0.5 s=false"_s}
        << u"no matching event within 0.5 s"_s << 1400;
    QTest::newRow("two expects, one within")
        << "/stream"_ba << QStringList {u"--expect"_s,
                                        u"type == \"trade\""_s,
                                        u"--expect"_s,
                                        u"id == \"7\""_s,
                                        u"--within"_s,
                                        u"10"_s,
                                        t,
                                        u"20"_s}
        << 0
        << QStringList {u"expect: type == \"trade\"=true"_s,
                        u"expect: id == \"7\" within 10 s=true"_s}
        << u"event 1 matched"_s << 8000;
    QTest::newRow("expect-all holds to the end")
        << "/stream"_ba << QStringList {u"--expect-all"_s, u"data.sym == \"A\""_s, t, u"1"_s} << 0
        << QStringList {u"expect-all: data.sym == \"A\"=true"_s} << u"all 7 events matched"_s
        << 8000;
    QTest::newRow("expect-all fails at the first other event")
        << "/stream"_ba << QStringList {u"--expect-all"_s, u"type == \"trade\""_s, t, u"20"_s} << 4
        << QStringList {u"expect-all: type == \"trade\"=false"_s}
        << u"event 2 (type \"quote\", id \"2\") does not match"_s << 8000;
    QTest::newRow("max-silence: heartbeats only")
        << "/heartbeat"_ba << QStringList {u"--max-silence"_s, u"0.5"_s, t, u"20"_s} << 4
        << QStringList {u"max-silence: 0.5 s=false"_s} << u"heartbeats only"_s << 8000;
    QTest::newRow("max-silence: silent")
        << "/stream"_ba << QStringList {u"--max-silence"_s, u"0.5"_s, t, u"20"_s} << 4
        << QStringList {u"max-silence: 0.5 s=false"_s} << u"no bytes for"_s << 8000;
    QTest::newRow("max-silence: events keep coming")
        << "/ticker"_ba << QStringList {u"--max-silence"_s, u"1"_s, t, u"1.5"_s} << 0
        << QStringList {u"max-silence: 1 s=true"_s} << u"longest silence"_s << 8000;
    QTest::newRow("no gaps") << "/stream"_ba << QStringList {u"--expect-no-gaps"_s, t, u"1"_s} << 0
                             << QStringList {u"expect-no-gaps=true"_s}
                             << u"no id gaps in 7 events"_s << 8000;
    QTest::newRow("gap") << "/gappy"_ba << QStringList {u"--expect-no-gaps"_s, t, u"20"_s} << 4
                         << QStringList {u"expect-no-gaps=false"_s}
                         << u"id 5 followed id 2 (2 missing)"_s << 8000;
    const QStringList post {u"-X"_s, u"POST"_s, u"-d"_s, u"{}"_s, u"--expect-complete"_s};
    QTest::newRow("complete") << "/chat-text"_ba << post << 0
                              << QStringList {u"expect-complete=true"_s}
                              << u"openai-chat response complete"_s << 8000;
    QTest::newRow("truncated") << "/chat-truncated"_ba << post << 4
                               << QStringList {u"expect-complete=false"_s}
                               << u"without its terminal marker"_s << 8000;
    QTest::newRow("error mid-stream")
        << "/chat-error"_ba << post << 4 << QStringList {u"expect-complete=false"_s}
        << u"the provider reported an error"_s << 8000;
    QTest::newRow("not an LLM stream")
        << "/stream"_ba << QStringList {u"--expect-complete"_s, t, u"1"_s} << 4
        << QStringList {u"expect-complete=false"_s} << u"no LLM response was recognised"_s << 8000;
    QTest::newRow("count exact") << "/stream"_ba
                                 << QStringList {u"--expect-count"_s, u"7"_s, t, u"1"_s} << 0
                                 << QStringList {u"expect-count: 7=true"_s} << u"7 events"_s
                                 << 8000;
    QTest::newRow("count too many")
        << "/stream"_ba << QStringList {u"--expect-count"_s, u"2:3"_s, t, u"20"_s} << 4
        << QStringList {u"expect-count: 2:3=false"_s} << u"more than 3 events"_s << 8000;
    QTest::newRow("count too few")
        << "/stream"_ba << QStringList {u"--expect-count"_s, u"8:"_s, t, u"1"_s} << 4
        << QStringList {u"expect-count: 8:=false"_s} << u"7 events"_s << 8000;
    QTest::newRow("count at least, known early")
        << "/stream"_ba << QStringList {u"--expect-count"_s, u"3:"_s, t, u"20"_s} << 0
        << QStringList {u"expect-count: 3:=true"_s} << u"3 events"_s << 8000;
    QTest::newRow("count of the filtered events")
        << "/stream"_ba
        << QStringList {u"--filter"_s, u"type == \"trade\""_s, u"--expect-count"_s, u":3"_s, t,
                        u"1"_s}
        << 0 << QStringList {u"expect-count: :3=true"_s} << u"3 events"_s << 8000;
    QTest::newRow("one failure decides the run")
        << "/stream"_ba
        << QStringList {u"--expect-no-gaps"_s, u"--expect-all"_s, u"type != \"done\""_s, t, u"20"_s}
        << 4 << QStringList {u"expect-no-gaps=true"_s, u"expect-all: type != \"done\"=false"_s}
        << u"no id gaps"_s << 8000;
}

void TestCliAssertions::assertions()
{
    QFETCH(QByteArray, path);
    QFETCH(QStringList, arguments);
    QFETCH(int, exitCode);
    QFETCH(QStringList, results);
    QFETCH(QString, detail);
    QFETCH(int, maximumMs);

    Run run;
    QVERIFY(runCli(QStringList {m_server->url(path).toString()} + arguments, &run));
    QVERIFY2(run.exitCode == exitCode, run.describe().constData());
    QStringList details;
    QCOMPARE(assertionResults(run.out, &details), results);
    QVERIFY2(details.first().contains(detail), qPrintable(details.first()));
    QVERIFY2(run.elapsedMs < maximumMs, run.describe().constData());
    // The assertion records come last, after every event record.
    const QList<QByteArray> lines = run.out.trimmed().split('\n');
    QVERIFY(lines.last().contains("\"kind\":\"assertion\""));
}

void TestCliAssertions::junitReport()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString report = dir.filePath(u"report.xml"_s);
    Run run;
    QVERIFY(runCli({m_server->url("/stream").toString(), u"--expect"_s, u"type == \"done\""_s,
                    u"--expect"_s, u"type == \"never\" && data.x < 1"_s, u"--expect-no-gaps"_s,
                    u"--timeout"_s, u"1"_s, u"--junit"_s, report},
                   &run));
    QVERIFY2(run.exitCode == 4, run.describe().constData());
    QFile file(report);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QXmlStreamReader xml(&file);
    QStringList cases;
    QStringList failures;
    int suites = 0;
    QString suiteTests;
    QString suiteFailures;
    while (!xml.atEnd()) {
        if (xml.readNext() != QXmlStreamReader::StartElement)
            continue;
        const QXmlStreamAttributes attributes = xml.attributes();
        if (xml.name() == "testsuite"_L1) {
            ++suites;
            suiteTests = attributes.value("tests"_L1).toString();
            suiteFailures = attributes.value("failures"_L1).toString();
            QCOMPARE(attributes.value("name"_L1).toString(), m_server->url("/stream").toString());
        } else if (xml.name() == "testcase"_L1) {
            cases.append(attributes.value("name"_L1).toString());
            bool ok = false;
            QVERIFY(attributes.value("time"_L1).toDouble(&ok) >= 0 && ok);
        } else if (xml.name() == "failure"_L1) {
            failures.append(attributes.value("message"_L1).toString());
        }
    }
    QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
    QCOMPARE(suites, 1);
    QCOMPARE(suiteTests, u"3"_s);
    QCOMPARE(suiteFailures, u"1"_s);
    QCOMPARE(cases,
             (QStringList {u"expect: type == \"done\""_s,
                           u"expect: type == \"never\" && data.x < 1"_s, u"expect-no-gaps"_s}));
    QCOMPARE(failures, QStringList {u"no matching event in 7 events"_s});
}

void TestCliAssertions::connectionFailedStaysExitOne()
{
    QTemporaryDir dir;
    const QString report = dir.filePath(u"report.xml"_s);
    Run run;
    QVERIFY(runCli({m_server->url("/missing").toString(), u"--expect"_s, u"type == \"x\""_s,
                    u"--junit"_s, report},
                   &run));
    QVERIFY2(run.exitCode == 1, run.describe().constData());
    QStringList details;
    QCOMPARE(assertionResults(run.out, &details), QStringList {u"expect: type == \"x\"=false"_s});
    QVERIFY2(details.first().contains(u"the connection failed: HTTP 404"_s),
             qPrintable(details.first()));
    QFile file(report);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QXmlStreamReader xml(&file);
    QString error;
    while (!xml.atEnd()) {
        if (xml.readNext() == QXmlStreamReader::StartElement && xml.name() == "error"_L1)
            error = xml.attributes().value("message"_L1).toString();
    }
    QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
    QVERIFY2(error.contains(u"404"_s), qPrintable(error));
}

void TestCliAssertions::usageErrors_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("message");

    QTest::newRow("within first") << QStringList {u"--within"_s, u"3"_s, u"--expect"_s, u"true"_s}
                                  << u"--within follows the --expect"_s;
    QTest::newRow("within twice") << QStringList {u"--expect"_s, u"type"_s,     u"--within"_s,
                                                  u"3"_s,        u"--within"_s, u"4"_s}
                                  << u"--within follows the --expect"_s;
    QTest::newRow("within after expect-all")
        << QStringList {u"--expect-all"_s, u"type"_s, u"--within"_s, u"3"_s}
        << u"--within follows the --expect"_s;
    QTest::newRow("bad expression")
        << QStringList {u"--expect"_s, u"type =="_s} << u"--expect: column 8"_s;
    QTest::newRow("bad expect-all")
        << QStringList {u"--expect-all=(type"_s} << u"--expect-all: column"_s;
    QTest::newRow("zero silence") << QStringList {u"--max-silence"_s, u"0"_s}
                                  << u"--max-silence takes from 0.001"_s;
    QTest::newRow("count reversed")
        << QStringList {u"--expect-count"_s, u"5:2"_s} << u"--expect-count takes N, N:M"_s;
    QTest::newRow("count text") << QStringList {u"--expect-count"_s, u"many"_s}
                                << u"--expect-count takes N, N:M"_s;
    QTest::newRow("count colon only")
        << QStringList {u"--expect-count"_s, u":"_s} << u"--expect-count takes N, N:M"_s;
    QTest::newRow("junit alone") << QStringList {u"--junit"_s, u"r.xml"_s}
                                 << u"--junit needs at least one assertion"_s;
}

void TestCliAssertions::usageErrors()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, message);

    Run run;
    QVERIFY(runCli(QStringList {m_server->url("/stream").toString()} + arguments, &run));
    QVERIFY2(run.exitCode == 2, run.describe().constData());
    QVERIFY2(run.err.contains(message.toUtf8()), run.describe().constData());
    QVERIFY(run.out.isEmpty());
}

QTEST_GUILESS_MAIN(TestCliAssertions)
#include "tst_cliassertions.moc"
