// The fault options of the replay server (issue 17): each one against our own client (states,
// reconnects, resume) and the byte-level ones against curl, through `sse-monitor-cli replay`
// where the option is a command-line one.

#include "sselib/jsonlines.h"
#include "sselib/replayserver.h"
#include "sselib/sseclient.h"

#include <QElapsedTimer>
#include <QFile>
#include <QNetworkProxyFactory>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

namespace {

// \a count events 10 ms apart, ids 1..count, data {"n":N}.
Sse::EventList numberedEvents(int count, qint64 gapMs = 10)
{
    Sse::EventList events;
    for (int n = 1; n <= count; ++n) {
        Sse::Event event;
        event.type = QByteArrayLiteral("tick");
        event.lastEventId = QByteArray::number(n);
        event.data = "{\"n\":" + QByteArray::number(n) + '}';
        event.receivedMs = 1'700'000'000'000 + n * gapMs;
        events.append(event);
    }
    return events;
}

QByteArrayList dataOf(const Sse::EventList &events)
{
    QByteArrayList data;
    for (const Sse::Event &event : events)
        data.append(event.data);
    return data;
}

// Our client on \a url with the given reconnect policy, collecting every event.
struct Receiver
{
    Receiver(const QUrl &url, Sse::ReconnectPolicy policy)
    {
        Sse::ClientOptions options;
        options.url = url;
        options.reconnectPolicy = policy;
        options.fixedDelayMs = 20;
        client.setOptions(options);
        QObject::connect(&client, &Sse::Client::eventsReceived, &client,
                         [this](const Sse::EventBatch &batch) { batch.appendTo(events); });
    }
    bool ended() const
    {
        return client.state() == Sse::Client::State::Closed
            || client.state() == Sse::Client::State::Failed;
    }
    Sse::Client client;
    Sse::EventList events;
};

// \a server on a free loopback port serving \a events with \a faults, at \a speed.
bool serve(Sse::ReplayServer &server, const Sse::EventList &events, const Sse::ReplayFaults &faults,
           double speed = Sse::ReplayServer::AsFastAsPossible)
{
    server.setEvents(events);
    server.setSpeed(speed);
    server.setFaults(faults);
    return server.listen();
}

struct CurlResult
{
    int exitCode = -1;
    QByteArray body;
    QByteArray errors;
};

} // namespace

class tst_ReplayFaults : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();

    void dropAfterEventsResumes_data();
    void dropAfterEventsResumes();
    void dropAfterMs();
    void statusThenStream();
    void injectErrorEndsTheStream();
    void retryLineSetsTheReconnectionTime();
    void noIdsRestartFromTheBeginning();
    void malformedLinesAreIgnored();
    void heartbeatComments();
    void gzipDecodesToTheSameEvents();
    void dripLimitsTheRate();
    void jitterDelaysEvents();
    void faultsCombine();
    void pushedEventsReachEveryClient_data();
    void pushedEventsReachEveryClient();

    void curlSeesTheDropModes_data();
    void curlSeesTheDropModes();
    void curlSeesStatusAndRetryAfter();
    void curlGzipIsByteIdentical();
    void cliFaultUsageErrors_data();
    void cliFaultUsageErrors();

private:
    CurlResult curl(const QStringList &arguments);
    QUrl startCliReplay(QProcess &replay, const QStringList &faultArguments);

    QString m_cli;
    QString m_curl;
    QTemporaryDir m_dir;
    QString m_recording;
};

void tst_ReplayFaults::initTestCase()
{
    QNetworkProxyFactory::setUseSystemConfiguration(false);
    m_cli = qEnvironmentVariable("SSE_MONITOR_CLI");
    m_curl = QStandardPaths::findExecutable(QStringLiteral("curl"));
    QVERIFY(m_dir.isValid());
    // The recording the CLI cases serve: 30 events, ids 1..30.
    m_recording = m_dir.filePath(QStringLiteral("numbers.jsonl"));
    QByteArray out;
    Sse::JsonLines::Writer writer;
    const Sse::EventList events = numberedEvents(30);
    for (qsizetype i = 0; i < events.size(); ++i)
        writer.appendEvent(out, i + 1, events.at(i));
    QFile file(m_recording);
    QVERIFY(file.open(QIODevice::WriteOnly));
    QCOMPARE(file.write(out), out.size());
}

void tst_ReplayFaults::init()
{
    QTest::failOnWarning(QRegularExpression(QStringLiteral(".*")));
}

CurlResult tst_ReplayFaults::curl(const QStringList &arguments)
{
    CurlResult result;
    if (m_curl.isEmpty())
        return result;
    QProcess process;
    process.start(
        m_curl,
        QStringList {QStringLiteral("-sSN"), QStringLiteral("--max-time"), QStringLiteral("20")}
            + arguments);
    if (!process.waitForFinished(30000))
        return result;
    result.exitCode = process.exitCode();
    result.body = process.readAllStandardOutput();
    result.errors = process.readAllStandardError();
    return result;
}

QUrl tst_ReplayFaults::startCliReplay(QProcess &replay, const QStringList &faultArguments)
{
    replay.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    replay.start(m_cli,
                 QStringList {QStringLiteral("replay"), m_recording, QStringLiteral("--fast")}
                     + faultArguments);
    if (!replay.waitForStarted(10000))
        return {};
    QElapsedTimer clock;
    clock.start();
    while (!replay.canReadLine() && replay.state() == QProcess::Running && clock.elapsed() < 20000)
        replay.waitForReadyRead(100);
    return QUrl(QString::fromUtf8(replay.readLine().trimmed()));
}

void tst_ReplayFaults::dropAfterEventsResumes_data()
{
    QTest::addColumn<Sse::ReplayFaults::DropMode>("mode");
    QTest::newRow("fin") << Sse::ReplayFaults::DropMode::Fin;
    QTest::newRow("rst") << Sse::ReplayFaults::DropMode::Reset;
    QTest::newRow("mid-event") << Sse::ReplayFaults::DropMode::MidEvent;
}

// Every connection ends after 20 events; the client resumes with Last-Event-ID each time and
// ends up with every event exactly once (a half-written event is never dispatched).
void tst_ReplayFaults::dropAfterEventsResumes()
{
    QFETCH(Sse::ReplayFaults::DropMode, mode);
    const Sse::EventList events = numberedEvents(70);
    Sse::ReplayFaults faults;
    faults.dropAfterEvents = 20;
    faults.dropMode = mode;
    Sse::ReplayServer server;
    QVERIFY(serve(server, events, faults));
    QSignalSpy connected(&server, &Sse::ReplayServer::clientConnected);

    Receiver receiver(server.streamUrl(), Sse::ReconnectPolicy::Fixed);
    QSignalSpy reconnects(&receiver.client, &Sse::Client::reconnectScheduled);
    receiver.client.open();
    // 20 + 20 + 20 + 10, then the server answers a resume after 70 with 204: Closed.
    QTRY_VERIFY_WITH_TIMEOUT(receiver.ended(), 20000);
    QCOMPARE(receiver.client.state(), Sse::Client::State::Failed); // 204 stops it
    QCOMPARE(dataOf(receiver.events), dataOf(events));
    QCOMPARE(reconnects.size(), 4);
    QCOMPARE(connected.size(), 4);
    const QList<qsizetype> starts = {
        connected.at(0).at(1).value<qsizetype>(), connected.at(1).at(1).value<qsizetype>(),
        connected.at(2).at(1).value<qsizetype>(), connected.at(3).at(1).value<qsizetype>()};
    QCOMPARE(starts, (QList<qsizetype> {0, 20, 40, 60}));
    QCOMPARE(connected.at(1).at(0).toByteArray(), QByteArray("20"));
}

// A stream that would take 300 ms is cut after 100 ms: the client has part of it, reconnects
// and resumes where the cut left it.
void tst_ReplayFaults::dropAfterMs()
{
    const Sse::EventList events = numberedEvents(30, 10);
    Sse::ReplayFaults faults;
    faults.dropAfterMs = 100;
    Sse::ReplayServer server;
    QVERIFY(serve(server, events, faults, 1.0));
    QSignalSpy connected(&server, &Sse::ReplayServer::clientConnected);

    Receiver receiver(server.streamUrl(), Sse::ReconnectPolicy::Fixed);
    receiver.client.open();
    QTRY_COMPARE_WITH_TIMEOUT(connected.size(), 2, 10000);
    const qsizetype resumedAt = connected.at(1).at(1).value<qsizetype>();
    QVERIFY2(resumedAt >= 3 && resumedAt <= 20, QByteArray::number(resumedAt).constData());
    QTRY_VERIFY_WITH_TIMEOUT(receiver.ended(), 20000);
    QCOMPARE(dataOf(receiver.events), dataOf(events));
}

// --status 503:2 --retry-after 7: the first two requests fail (no reconnect, as the spec
// says), the headers say when to come back, the third gets the stream.
void tst_ReplayFaults::statusThenStream()
{
    Sse::ReplayFaults faults;
    faults.status = 503;
    faults.statusCount = 2;
    faults.retryAfterSeconds = 7;
    Sse::ReplayServer server;
    QVERIFY(serve(server, numberedEvents(5), faults));

    for (int attempt = 0; attempt < 2; ++attempt) {
        Receiver refused(server.streamUrl(), Sse::ReconnectPolicy::Never);
        refused.client.open();
        QTRY_COMPARE_WITH_TIMEOUT(refused.client.state(), Sse::Client::State::Failed, 10000);
        const Sse::FailureInfo failure = refused.client.failure();
        QCOMPARE(failure.kind, Sse::FailureInfo::Kind::HttpStatus);
        QCOMPARE(failure.httpStatus, 503);
        bool retryAfter = false;
        for (const auto &header : failure.responseHeaders)
            retryAfter |= header.first.compare("retry-after", Qt::CaseInsensitive) == 0
                && header.second == "7";
        QVERIFY(retryAfter);
        QVERIFY(refused.events.isEmpty());
    }
    Receiver served(server.streamUrl(), Sse::ReconnectPolicy::Never);
    served.client.open();
    QTRY_VERIFY_WITH_TIMEOUT(served.ended(), 10000);
    QCOMPARE(served.events.size(), 5);
}

void tst_ReplayFaults::injectErrorEndsTheStream()
{
    Sse::ReplayFaults faults;
    faults.errorData = R"({"type":"error","error":{"type":"overloaded_error"}})";
    faults.errorAfterEvents = 4;
    Sse::ReplayServer server;
    QVERIFY(serve(server, numberedEvents(10), faults));

    Receiver receiver(server.streamUrl(), Sse::ReconnectPolicy::Never);
    receiver.client.open();
    QTRY_VERIFY_WITH_TIMEOUT(receiver.ended(), 10000);
    QCOMPARE(receiver.events.size(), 5);
    QCOMPARE(receiver.events.at(3).data, QByteArray(R"({"n":4})"));
    QCOMPARE(receiver.events.at(4).type, QByteArray("error"));
    QCOMPARE(receiver.events.at(4).data, faults.errorData);
    QVERIFY(receiver.client.responseEndedByServer());
}

void tst_ReplayFaults::retryLineSetsTheReconnectionTime()
{
    Sse::ReplayFaults faults;
    faults.retryMs = 1234;
    Sse::ReplayServer server;
    QVERIFY(serve(server, numberedEvents(3), faults));

    Receiver receiver(server.streamUrl(), Sse::ReconnectPolicy::Never);
    QSignalSpy retry(&receiver.client, &Sse::Client::reconnectionTimeChanged);
    receiver.client.open();
    QTRY_VERIFY_WITH_TIMEOUT(receiver.ended(), 10000);
    QCOMPARE(retry.size(), 1);
    QCOMPARE(retry.at(0).at(0).toInt(), 1234);
    QCOMPARE(receiver.client.reconnectionTimeMs(), 1234);
    QCOMPARE(receiver.events.size(), 3); // the retry line dispatches nothing
}

// Without ids the client has nothing to resume from: after a drop the stream starts over.
void tst_ReplayFaults::noIdsRestartFromTheBeginning()
{
    Sse::ReplayFaults faults;
    faults.noIds = true;
    faults.dropAfterEvents = 4;
    Sse::ReplayServer server;
    QVERIFY(serve(server, numberedEvents(10), faults));
    QSignalSpy connected(&server, &Sse::ReplayServer::clientConnected);

    Receiver receiver(server.streamUrl(), Sse::ReconnectPolicy::Fixed);
    receiver.client.open();
    // At least three starts: the client reconnects on a short fixed delay, so on a loaded
    // machine more may come before this loop looks again (an exact count would overshoot).
    QTRY_VERIFY_WITH_TIMEOUT(connected.size() >= 3, 10000);
    receiver.client.close();
    for (const QList<QVariant> &start : connected) {
        QCOMPARE(start.at(0).toByteArray(), QByteArray()); // no Last-Event-ID
        QCOMPARE(start.at(1).value<qsizetype>(), qsizetype(0));
    }
    QTRY_VERIFY(receiver.events.size() >= 8);
    for (const Sse::Event &event : std::as_const(receiver.events))
        QCOMPARE(event.lastEventId, QByteArray());
    QCOMPARE(receiver.events.at(4).data, QByteArray(R"({"n":1})"));
}

// The misspelt field and the line without a colon are ignored; the cut JSON arrives as data.
void tst_ReplayFaults::malformedLinesAreIgnored()
{
    Sse::ReplayFaults faults;
    faults.malformed = true;
    Sse::ReplayServer server;
    QVERIFY(serve(server, numberedEvents(3), faults));

    Receiver receiver(server.streamUrl(), Sse::ReconnectPolicy::Never);
    receiver.client.open();
    QTRY_VERIFY_WITH_TIMEOUT(receiver.ended(), 10000);
    QCOMPARE(dataOf(receiver.events),
             (QByteArrayList {"{\"n\":1}", "{\"cut\": \"short", "{\"n\":2}", "{\"n\":3}"}));
    QCOMPARE(receiver.events.at(1).type, QByteArray("message"));
    // The cut event inherits the id in force; the next one sets its own.
    QCOMPARE(receiver.events.at(1).lastEventId, QByteArray("1"));
}

// A recording with a 1.5 s gap, heartbeats every 100 ms: comments arrive during the gap.
void tst_ReplayFaults::heartbeatComments()
{
    Sse::EventList events = numberedEvents(2);
    events[1].receivedMs = events[0].receivedMs + 1500;
    Sse::ReplayFaults faults;
    faults.heartbeatMs = 100;
    Sse::ReplayServer server;
    QVERIFY(serve(server, events, faults, 1.0));

    Receiver receiver(server.streamUrl(), Sse::ReconnectPolicy::Never);
    receiver.client.open();
    QTRY_VERIFY_WITH_TIMEOUT(receiver.client.statistics().comments >= 5, 5000);
    QCOMPARE(receiver.events.size(), 1);
    QTRY_VERIFY_WITH_TIMEOUT(receiver.ended(), 10000);
    QCOMPARE(receiver.events.size(), 2);
}

void tst_ReplayFaults::gzipDecodesToTheSameEvents()
{
    const Sse::EventList events = numberedEvents(200);
    Sse::ReplayFaults faults;
    faults.gzip = true;
    faults.dropAfterEvents = 150; // the second response is gzip too; the last one is the 204
    Sse::ReplayServer server;
    QVERIFY(serve(server, events, faults));

    Receiver receiver(server.streamUrl(), Sse::ReconnectPolicy::Fixed);
    int gzipResponses = 0;
    QObject::connect(&receiver.client, &Sse::Client::responseStarted, &receiver.client,
                     [&](int status, const QList<QPair<QByteArray, QByteArray>> &headers) {
                         for (const auto &header : headers)
                             gzipResponses += status == 200 && header.second == "gzip"
                                 && header.first.compare("content-encoding", Qt::CaseInsensitive)
                                     == 0;
                     });
    receiver.client.open();
    QTRY_VERIFY_WITH_TIMEOUT(receiver.ended(), 10000);
    QCOMPARE(dataOf(receiver.events), dataOf(events));
    QCOMPARE(gzipResponses, 2);
}

// 30 events of about 40 bytes on the wire at 400 bytes/s take about 3 s; unpaced they take
// a few milliseconds.
void tst_ReplayFaults::dripLimitsTheRate()
{
    const Sse::EventList events = numberedEvents(30);
    Sse::ReplayFaults faults;
    faults.dripBytesPerSecond = 400;
    Sse::ReplayServer server;
    QVERIFY(serve(server, events, faults));

    Receiver receiver(server.streamUrl(), Sse::ReconnectPolicy::Never);
    QElapsedTimer clock;
    clock.start();
    qint64 halfwayMs = 0;
    QObject::connect(&receiver.client, &Sse::Client::eventsReceived, &receiver.client, [&] {
        if (halfwayMs == 0 && receiver.events.size() >= 15)
            halfwayMs = clock.elapsed();
    });
    receiver.client.open();
    QTRY_VERIFY_WITH_TIMEOUT(receiver.ended(), 20000);
    const qint64 totalMs = clock.elapsed();
    QCOMPARE(receiver.events.size(), 30);
    const qint64 wireBytes = receiver.client.statistics().bytes;
    const qint64 expectedMs = wireBytes * 1000 / 400;
    QVERIFY2(totalMs >= expectedMs * 8 / 10 && totalMs <= expectedMs * 2,
             qPrintable(QStringLiteral("%1 bytes in %2 ms").arg(wireBytes).arg(totalMs)));
    // Spread over the time, not a burst at the end.
    QVERIFY2(halfwayMs > expectedMs / 3 && halfwayMs < expectedMs * 3 / 4,
             qPrintable(QStringLiteral("half the events after %1 ms").arg(halfwayMs)));
}

// 10 events sent as fast as possible, each delayed a further 0..60 ms: they are spread over
// more than a few ms and less than 10 x 60 ms.
void tst_ReplayFaults::jitterDelaysEvents()
{
    Sse::ReplayFaults faults;
    faults.jitterMs = 60;
    Sse::ReplayServer server;
    QVERIFY(serve(server, numberedEvents(10), faults));

    Receiver receiver(server.streamUrl(), Sse::ReconnectPolicy::Never);
    QSignalSpy batches(&receiver.client, &Sse::Client::eventsReceived);
    QElapsedTimer clock;
    qint64 firstMs = -1;
    QObject::connect(&receiver.client, &Sse::Client::responseStarted, &receiver.client,
                     [&] { clock.start(); });
    QObject::connect(&receiver.client, &Sse::Client::eventsReceived, &receiver.client, [&] {
        if (firstMs < 0)
            firstMs = clock.elapsed();
    });
    receiver.client.open();
    QTRY_VERIFY_WITH_TIMEOUT(receiver.ended(), 10000);
    const qint64 spreadMs = clock.elapsed();
    QCOMPARE(receiver.events.size(), 10);
    // The sum of ten delays of 0..60 ms: mean 300 ms; under 40 ms or over 600 ms it is broken.
    QVERIFY2(spreadMs > 40 && spreadMs < 600 + 200, QByteArray::number(spreadMs).constData());
    QVERIFY2(batches.size() >= 5, "events came in a burst");
}

// Several faults at once: a dripped, gzipped stream with heartbeats and no ids still ends
// (the gzip trailer goes through the drip queue too) and decodes to every event.
void tst_ReplayFaults::faultsCombine()
{
    const Sse::EventList events = numberedEvents(10);
    Sse::ReplayFaults faults;
    faults.gzip = true;
    faults.dripBytesPerSecond = 2000;
    faults.heartbeatMs = 50;
    faults.noIds = true;
    faults.retryMs = 100;
    Sse::ReplayServer server;
    QVERIFY(serve(server, events, faults));
    Receiver receiver(server.streamUrl(), Sse::ReconnectPolicy::Never);
    receiver.client.open();
    QTRY_VERIFY_WITH_TIMEOUT(receiver.ended(), 10000);
    QCOMPARE(receiver.client.state(), Sse::Client::State::Closed);
    QVERIFY(receiver.client.responseEndedByServer());
    QCOMPARE(dataOf(receiver.events), dataOf(events));
    QCOMPARE(receiver.client.reconnectionTimeMs(), 100);
    for (const Sse::Event &event : std::as_const(receiver.events))
        QCOMPARE(event.lastEventId, QByteArray());
}

void tst_ReplayFaults::pushedEventsReachEveryClient_data()
{
    QTest::addColumn<int>("recorded");
    QTest::newRow("empty stream") << 0;
    QTest::newRow("after a recording") << 3;
}

// The interactive mock: streams stay open after the recording (or with none), and an event
// pushed by hand reaches every client, after what it already got.
void tst_ReplayFaults::pushedEventsReachEveryClient()
{
    QFETCH(int, recorded);
    Sse::ReplayServer server;
    server.setHoldOpen(true);
    QVERIFY(serve(server, numberedEvents(recorded), {}));
    QSignalSpy connected(&server, &Sse::ReplayServer::clientConnected);
    Receiver first(server.streamUrl(), Sse::ReconnectPolicy::Never);
    Receiver second(server.streamUrl(), Sse::ReconnectPolicy::Never);
    first.client.open();
    second.client.open();
    QTRY_COMPARE(connected.size(), 2);
    QTRY_COMPARE(first.events.size(), recorded);
    QTRY_COMPARE(second.events.size(), recorded);
    // Held open. The server counts a client when it accepts it, so the response head may
    // still be on its way (with no recorded events nothing else is waited for above).
    QTRY_COMPARE(first.client.state(), Sse::Client::State::Open);
    QTRY_COMPARE(second.client.state(), Sse::Client::State::Open);
    QCOMPARE(server.clients().size(), 2);

    Sse::Event event;
    event.type = "price";
    event.lastEventId = "p-1";
    event.data = "{\"price\": 101}\nsecond line";
    QCOMPARE(server.pushEvent(event), 2);
    QTRY_COMPARE(first.events.size(), recorded + 1);
    QTRY_COMPARE(second.events.size(), recorded + 1);
    for (const Receiver *receiver : {&first, &second}) {
        const Sse::Event &got = receiver->events.last();
        QCOMPARE(got.type, event.type);
        QCOMPARE(got.lastEventId, event.lastEventId);
        QCOMPARE(got.data, event.data);
    }
    QTRY_COMPARE(server.clients().first().eventsSent, qint64(recorded + 1));
    Sse::Event unsafe = event;
    unsafe.type = "bad\ntype";
    QCOMPARE(server.pushEvent(unsafe), 0);
    second.client.close();
    QTRY_COMPARE(server.clients().size(), 1);
    QCOMPARE(server.pushEvent(event), 1);
    QTRY_COMPARE(first.events.size(), recorded + 2);
}

void tst_ReplayFaults::curlSeesTheDropModes_data()
{
    QTest::addColumn<QString>("mode");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QByteArray>("tail");
    // A close-delimited body that ends with FIN is a complete body for curl (exit 0), even when
    // it stops inside an event; a reset is "Recv failure: Connection reset by peer" (56).
    QTest::newRow("fin") << QStringLiteral("fin") << 0 << QByteArray("data: {\"n\":2}\n\n");
    QTest::newRow("rst") << QStringLiteral("rst") << 56 << QByteArray("data: {\"n\":2}\n\n");
    QTest::newRow("mid-event") << QStringLiteral("mid-event") << 0
                               << QByteArray("data: {\"n\":2}\n\nevent: tick\nid:");
}

void tst_ReplayFaults::curlSeesTheDropModes()
{
    QFETCH(QString, mode);
    QFETCH(int, exitCode);
    QFETCH(QByteArray, tail);
    QVERIFY2(!m_cli.isEmpty(), "SSE_MONITOR_CLI is not set");
    QVERIFY2(!m_curl.isEmpty(), "curl is not installed (scripts/deps.sh installs it)");
    QProcess replay;
    const QUrl url = startCliReplay(replay,
                                    {QStringLiteral("--drop-after-events"), QStringLiteral("2"),
                                     QStringLiteral("--drop-mode"), mode});
    QVERIFY(url.isValid());
    const CurlResult result = curl({url.toString()});
    QCOMPARE(result.exitCode, exitCode);
    QVERIFY2(result.body.startsWith("event: tick\nid: 1\ndata: {\"n\":1}\n\n"
                                    "event: tick\nid: 2\ndata: {\"n\":2}\n\n"),
             result.body.constData());
    QVERIFY2(result.body.endsWith(tail), result.body.constData());
    if (mode == QLatin1String("rst"))
        QVERIFY2(result.errors.contains("reset"), result.errors.constData());
    replay.kill();
    replay.waitForFinished(10000);
}

void tst_ReplayFaults::curlSeesStatusAndRetryAfter()
{
    QVERIFY2(!m_cli.isEmpty(), "SSE_MONITOR_CLI is not set");
    QVERIFY2(!m_curl.isEmpty(), "curl is not installed (scripts/deps.sh installs it)");
    QProcess replay;
    const QUrl url = startCliReplay(replay,
                                    {QStringLiteral("--status"), QStringLiteral("529:1"),
                                     QStringLiteral("--retry-after"), QStringLiteral("3")});
    QVERIFY(url.isValid());
    const CurlResult refused = curl({QStringLiteral("-i"), url.toString()});
    QCOMPARE(refused.exitCode, 0);
    QVERIFY2(refused.body.startsWith("HTTP/1.1 529 Overloaded\r\n"), refused.body.constData());
    QVERIFY2(refused.body.contains("\r\nRetry-After: 3\r\n"), refused.body.constData());
    QVERIFY2(refused.body.endsWith("\r\n\r\ninjected fault: HTTP 529\n"), refused.body.constData());
    const CurlResult served = curl({QStringLiteral("-i"), url.toString()});
    QVERIFY2(served.body.startsWith("HTTP/1.1 200 OK\r\n"), served.body.constData());
    QCOMPARE(served.body.count("\n\nevent: tick") + 1, qsizetype(30));
    replay.kill();
    replay.waitForFinished(10000);
}

// --gzip with --drop-after-events: curl --compressed gets the same bytes as without --gzip.
void tst_ReplayFaults::curlGzipIsByteIdentical()
{
    QVERIFY2(!m_cli.isEmpty(), "SSE_MONITOR_CLI is not set");
    QVERIFY2(!m_curl.isEmpty(), "curl is not installed (scripts/deps.sh installs it)");
    QProcess plainReplay;
    const QUrl plainUrl = startCliReplay(plainReplay, {QStringLiteral("--malformed")});
    QProcess gzipReplay;
    const QUrl gzipUrl =
        startCliReplay(gzipReplay, {QStringLiteral("--malformed"), QStringLiteral("--gzip")});
    QVERIFY(plainUrl.isValid() && gzipUrl.isValid());
    const CurlResult plain = curl({plainUrl.toString()});
    const CurlResult raw = curl({gzipUrl.toString()});
    const CurlResult decoded = curl({QStringLiteral("--compressed"), gzipUrl.toString()});
    QCOMPARE(plain.exitCode, 0);
    QCOMPARE(decoded.exitCode, 0);
    QVERIFY(plain.body.contains(Sse::ReplayFaults::malformedBlock()));
    QCOMPARE(decoded.body, plain.body);
    QVERIFY(raw.body.startsWith("\x1f\x8b")); // the gzip magic: curl did not decode it
    QVERIFY(raw.body.size() < plain.body.size());
    plainReplay.kill();
    gzipReplay.kill();
    plainReplay.waitForFinished(10000);
    gzipReplay.waitForFinished(10000);
}

void tst_ReplayFaults::cliFaultUsageErrors_data()
{
    // Arguments separated by spaces, and a part of the error message.
    QTest::addColumn<QByteArray>("arguments");
    QTest::addColumn<QByteArray>("message");
    QTest::newRow("drop-mode") << QByteArray("--drop-after-events 3 --drop-mode close")
                               << QByteArray("--drop-mode takes fin, rst or mid-event");
    QTest::newRow("drop-mode alone")
        << QByteArray("--drop-mode rst") << QByteArray("--drop-mode needs --drop-after-events");
    QTest::newRow("negative events") << QByteArray("--drop-after-events -1")
                                     << QByteArray("--drop-after-events takes a whole number");
    QTest::newRow("status code") << QByteArray("--status 99")
                                 << QByteArray("--status takes CODE[:COUNT]");
    QTest::newRow("status count") << QByteArray("--status 503:x")
                                  << QByteArray("--status takes CODE[:COUNT]");
    QTest::newRow("retry-after alone")
        << QByteArray("--retry-after 2") << QByteArray("--retry-after needs --status");
    QTest::newRow("inject no count")
        << QByteArray("--inject-error {}") << QByteArray("--inject-error takes EVENT_JSON@N");
    QTest::newRow("inject not json") << QByteArray("--inject-error {oops@3")
                                     << QByteArray("--inject-error: EVENT_JSON is not JSON");
    QTest::newRow("drip zero") << QByteArray("--drip 0")
                               << QByteArray("--drip takes bytes per second");
    QTest::newRow("heartbeat") << QByteArray("--heartbeat soon")
                               << QByteArray("--heartbeat takes seconds");
    QTest::newRow("jitter") << QByteArray("--jitter 1.5")
                            << QByteArray("--jitter takes milliseconds");
    QTest::newRow("retry") << QByteArray("--retry -3") << QByteArray("--retry takes milliseconds");
}

void tst_ReplayFaults::cliFaultUsageErrors()
{
    QFETCH(QByteArray, arguments);
    QFETCH(QByteArray, message);
    QVERIFY2(!m_cli.isEmpty(), "SSE_MONITOR_CLI is not set");
    QProcess replay;
    replay.start(m_cli,
                 QStringList {QStringLiteral("replay"), m_recording}
                     + QString::fromUtf8(arguments).split(QLatin1Char(' ')));
    QVERIFY(replay.waitForFinished(10000));
    QCOMPARE(replay.exitCode(), 2);
    const QByteArray errors = replay.readAllStandardError();
    QVERIFY2(errors.contains(message), errors.constData());
    QVERIFY(replay.readAllStandardOutput().isEmpty()); // never started listening
}

QTEST_MAIN(tst_ReplayFaults)
#include "tst_replayfaults.moc"
