// --filter of the built sse-monitor-cli: the stream command against a loopback TestServer and
// the replay command served to a second CLI process.

#include "clirun.h"
#include "testserver.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

constexpr int ExitTimeoutMs = 20000;

// Six events: types alternate trade/quote, prices 98..103, ids 1..6.
const QByteArray Wire = [] {
    QByteArray wire;
    for (int n = 1; n <= 6; ++n) {
        wire += "event: " + QByteArray(n % 2 ? "trade" : "quote") + "\nid: "
                + QByteArray::number(n) + "\ndata: {\"price\": " + QByteArray::number(97 + n)
                + ", \"sym\": \"A\"}\n\n";
    }
    return wire;
}();

using Run = CliRun::Result;
using CliRun::withoutProxies;

bool runCli(const QStringList &arguments, Run *run)
{
    return CliRun::run(arguments, run, ExitTimeoutMs);
}

// (kind, seq, id) of each record, e.g. "event 3 3", "state 0 -".
QStringList summary(const QByteArray &out)
{
    QStringList lines;
    for (const QByteArray &line : out.split('\n')) {
        if (line.isEmpty())
            continue;
        const QJsonObject record = QJsonDocument::fromJson(line).object();
        const QString kind = record.value("kind"_L1).toString();
        lines.append(kind + u' ' + QString::number(record.value("seq"_L1).toInteger()) + u' '
                     + (kind == "event"_L1 ? record.value("id"_L1).toString()
                                           : record.value("state"_L1).toString()));
    }
    return lines;
}

} // namespace

class TestCliFilter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void streamPrintsOnlyMatches_data();
    void streamPrintsOnlyMatches();
    void maxEventsCountsPrintedEvents();
    void invalidFilterIsAUsageError_data();
    void invalidFilterIsAUsageError();
    void replayServesOnlyMatches();
    void replayWithNoMatchFails();
};

void TestCliFilter::streamPrintsOnlyMatches_data()
{
    QTest::addColumn<QString>("filter");
    QTest::addColumn<QStringList>("expected");

    const QString open = u"state 0 connecting"_s;
    QTest::newRow("type and path")
            << u"type == \"trade\" && data.price > 99"_s
            << QStringList{open, u"state 0 open"_s, u"event 3 3"_s, u"event 5 5"_s,
                           u"state 6 closed"_s};
    QTest::newRow("id as a number") << u"id >= 5"_s
                                    << QStringList{open, u"state 0 open"_s, u"event 5 5"_s,
                                                   u"event 6 6"_s, u"state 6 closed"_s};
    QTest::newRow("seq and in") << u"seq in {1, 6}"_s
                                << QStringList{open, u"state 0 open"_s, u"event 1 1"_s,
                                               u"event 6 6"_s, u"state 6 closed"_s};
    QTest::newRow("nothing") << u"data.missing"_s
                             << QStringList{open, u"state 0 open"_s, u"state 6 closed"_s};
    QTest::newRow("empty filter keeps all")
            << u""_s
            << QStringList{open, u"state 0 open"_s, u"event 1 1"_s, u"event 2 2"_s,
                           u"event 3 3"_s, u"event 4 4"_s, u"event 5 5"_s, u"event 6 6"_s,
                           u"state 6 closed"_s};
}

void TestCliFilter::streamPrintsOnlyMatches()
{
    QFETCH(QString, filter);
    QFETCH(QStringList, expected);

    TestServer server;
    server.route("/stream", [](TestServer::Exchange *exchange) {
        exchange->sseHead();
        exchange->send(Wire);
        exchange->finish();
    });
    Run run;
    QVERIFY(runCli({u"--no-reconnect"_s, u"--states"_s, u"--filter"_s, filter,
                    server.url("/stream").toString()},
                   &run));
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(summary(run.out), expected);
}

void TestCliFilter::maxEventsCountsPrintedEvents()
{
    TestServer server;
    server.route("/stream", [](TestServer::Exchange *exchange) {
        exchange->sseHead();
        exchange->send(Wire); // and the stream stays open: only --max-events ends the run
    });
    Run run;
    QVERIFY(runCli({u"--max-events"_s, u"2"_s, u"--filter"_s, u"type == \"quote\""_s,
                    server.url("/stream").toString()},
                   &run));
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(summary(run.out), (QStringList{u"event 2 2"_s, u"event 4 4"_s}));
}

void TestCliFilter::invalidFilterIsAUsageError_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QByteArray>("message");

    const QString bad = u"type == \"trade\" && data.price >"_s;
    const QByteArray message = "--filter: column 32: expected a value after '>'";
    QTest::newRow("stream") << QStringList{u"--filter"_s, bad, u"http://127.0.0.1:1/"_s}
                            << message;
    QTest::newRow("replay") << QStringList{u"replay"_s, u"/nonexistent.jsonl"_s, u"--filter"_s,
                                           bad}
                            << message;
    QTest::newRow("unknown field")
            << QStringList{u"--filter"_s, u"price > 1"_s, u"http://127.0.0.1:1/"_s}
            << QByteArray("--filter: column 1: unknown field 'price'");
    // Events on the command line are never marked: `marked` is an error, not always false.
    const QByteArray noMarks = "--filter: column 1: 'marked' is not available here: only the "
                               "events of the event log can be marked";
    QTest::newRow("marked") << QStringList {u"--filter"_s, u"marked"_s, u"http://127.0.0.1:1/"_s}
                            << noMarks;
    QTest::newRow("replay marked")
        << QStringList {u"replay"_s, u"/nonexistent.jsonl"_s, u"--filter"_s, u"marked || seq > 1"_s}
        << noMarks;
}

void TestCliFilter::invalidFilterIsAUsageError()
{
    QFETCH(QStringList, arguments);
    QFETCH(QByteArray, message);

    Run run;
    QVERIFY(runCli(arguments, &run));
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains(message), run.err.constData());
    QCOMPARE(run.out, QByteArray());
}

void TestCliFilter::replayServesOnlyMatches()
{
    QTemporaryDir directory;
    QVERIFY(directory.isValid());
    const QString path = directory.filePath(u"capture.sse"_s);
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(Wire);
    file.close();

    QProcess replay;
    replay.setProcessEnvironment(withoutProxies());
    replay.start(qEnvironmentVariable("SSE_MONITOR_CLI"),
                 {u"replay"_s, path, u"--fast"_s, u"--filter"_s, u"data.price >= 101"_s});
    QVERIFY(replay.waitForStarted(5000));
    QSignalSpy output(&replay, &QProcess::readyReadStandardOutput);
    QTRY_VERIFY_WITH_TIMEOUT(replay.canReadLine(), ExitTimeoutMs);
    const QString url = QString::fromUtf8(replay.readLine().trimmed());
    QVERIFY2(url.startsWith(u"http://"_s), qPrintable(url));

    Run run;
    QVERIFY(runCli({u"--no-reconnect"_s, url}, &run));
    replay.kill();
    replay.waitForFinished(5000);
    QCOMPARE(run.exitCode, 0);
    // The client numbers what it receives: the replay served events 4, 5 and 6 only.
    QCOMPARE(summary(run.out), (QStringList{u"event 1 4"_s, u"event 2 5"_s, u"event 3 6"_s}));
}

void TestCliFilter::replayWithNoMatchFails()
{
    QTemporaryDir directory;
    QVERIFY(directory.isValid());
    const QString path = directory.filePath(u"capture.sse"_s);
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(Wire);
    file.close();

    Run run;
    QVERIFY(runCli({u"replay"_s, path, u"--filter"_s, u"type == \"none\""_s}, &run));
    QCOMPARE(run.exitCode, 4);
    QVERIFY2(run.err.contains("holds no events that --filter matches (6 left out)"),
             run.err.constData());
}

QTEST_GUILESS_MAIN(TestCliFilter)
#include "tst_clifilter.moc"
