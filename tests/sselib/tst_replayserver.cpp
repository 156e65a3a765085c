#include "sselib/jsonlines.h"
#include "sselib/replayserver.h"
#include "sselib/sseclient.h"
#include "sselib/sseparser.h"
#include "sanitizers.h"

#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QNetworkProxyFactory>
#include <QProcess>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

// Events with ids that change on most events; every fifth event keeps the previous id (it
// inherits it, as a parser reports events without an `id:` line). Data is multi-line now and
// then, some events carry a retry.
Sse::EventList recording(int count, qint64 gapMs = 10)
{
    Sse::EventList events;
    QByteArray id;
    for (int n = 0; n < count; ++n) {
        Sse::Event event;
        event.type = n % 3 == 0 ? QByteArrayLiteral("message") : QByteArrayLiteral("tick");
        event.data = n % 7 == 0 ? QByteArray("first " + QByteArray::number(n) + "\nsecond")
                                : QByteArray("{\"n\":" + QByteArray::number(n) + "}");
        if (n % 5 != 4)
            id = QByteArray::number(n);
        event.lastEventId = id;
        event.retryMs = n % 11 == 10 ? 2000 : -1;
        event.receivedMs = 1'700'000'000'000 + n * gapMs;
        events.append(event);
    }
    return events;
}

QByteArrayList describe(const Sse::EventList &events)
{
    QByteArrayList lines;
    for (const Sse::Event &event : events) {
        lines.append(event.type + '|' + event.lastEventId + '|' + QByteArray::number(event.retryMs)
                     + '|' + event.data);
    }
    return lines;
}

// A client that connects with reconnection off and collects everything until the stream ends.
struct Collector
{
    explicit Collector(const QUrl &url, const QByteArray &lastEventId = {})
    {
        Sse::ClientOptions options;
        options.url = url;
        options.reconnectPolicy = Sse::ReconnectPolicy::Never;
        options.initialLastEventId = lastEventId;
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

// Sends a raw request and returns everything the server sends until it closes.
QByteArray rawExchange(const QUrl &url, const QByteArray &request)
{
    QTcpSocket socket;
    socket.connectToHost(url.host(), quint16(url.port()));
    if (!socket.waitForConnected(5000))
        return {};
    socket.write(request);
    QByteArray response;
    QSignalSpy disconnected(&socket, &QTcpSocket::disconnected);
    QObject::connect(&socket, &QTcpSocket::readyRead, &socket,
                     [&] { response += socket.readAll(); });
    if (socket.state() == QAbstractSocket::ConnectedState)
        disconnected.wait(5000);
    response += socket.readAll();
    return response;
}

// Resident memory (\a field "VmRSS") or its peak ("VmHWM") of process \a pid ("self").
qint64 memoryBytes(const QString &pid, const QByteArray &field)
{
    QFile status(QStringLiteral("/proc/%1/status").arg(pid));
    if (!status.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith(QByteArray(field + ':')))
            return line.mid(field.size() + 1).trimmed().split(' ').value(0).toLongLong() * 1024;
    }
    return 0;
}

// CPU time (user + system) of process \a pid so far, in clock ticks.
qint64 cpuTicks(qint64 pid)
{
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return 0;
    const QByteArray text = stat.readAll();
    // The fields after the command name (which is in parentheses and may hold spaces).
    const QList<QByteArray> fields = text.mid(text.lastIndexOf(')') + 2).split(' ');
    return fields.value(11).toLongLong() + fields.value(12).toLongLong(); // utime, stime
}

// A client socket that sends a request and never reads: a small receive buffer, plain POSIX
// so no Qt socket drains it behind the test's back.
int connectWithoutReading(quint16 port, const QByteArray &request)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    const int size = 4096;
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0
        || ::send(fd, request.constData(), size_t(request.size()), 0) != request.size()) {
        ::close(fd);
        return -1;
    }
    return fd;
}

// Writes \a events as a JSON Lines recording at \a path.
bool writeRecording(const QString &path, const Sse::EventList &events)
{
    QByteArray out;
    Sse::JsonLines::Writer writer;
    for (qsizetype i = 0; i < events.size(); ++i)
        writer.appendEvent(out, i + 1, events.at(i));
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(out) == out.size();
}

// Starts `sse-monitor-cli replay ARGUMENTS` and returns its stream URL (empty on failure).
QUrl startReplay(QProcess &replay, const QString &program, const QStringList &arguments)
{
    replay.start(program, arguments);
    if (!replay.waitForStarted(10000))
        return {};
    QElapsedTimer clock;
    clock.start();
    while (!replay.canReadLine() && clock.elapsed() < 20000
           && replay.state() == QProcess::Running) {
        replay.waitForReadyRead(100);
    }
    return QUrl(QString::fromUtf8(replay.readLine().trimmed()));
}

Sse::Event makeEvent(const QByteArray &type, const QByteArray &id, const QByteArray &data,
                     qint64 receivedMs = 1'700'000'000'000)
{
    Sse::Event event;
    event.type = type;
    event.lastEventId = id;
    event.data = data;
    event.receivedMs = receivedMs;
    return event;
}

} // namespace

class tst_ReplayServer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();

    void wireFormatRoundTrips_data();
    void wireFormatRoundTrips();
    void resumeIndex_data();
    void resumeIndex();
    void servesTheRecording();
    void resumesAfterLastEventId();
    void endsWith204WhenNothingIsLeft();
    void keepsTheRecordedPace();
    void loops();
    void answersPreflightAndRejectsOtherMethods();
    void cliReplayServesAFile();
    void cliClientRecordsAReplay();
    void cliReplayUsageErrors_data();
    void cliReplayUsageErrors();

    // Hostile input, round 2 (issue 20, items 9, 12 and 16).
    void requestTimeoutAndConnectionCap();
    void cliSurvivesFileDescriptorExhaustion();
    void largeEventWrittenInSlices();
    void cliSkipsOversizedRecords();
    void skipsEventsThatCannotBeFields();

private:
    QString m_cli;
};

void tst_ReplayServer::initTestCase()
{
    QNetworkProxyFactory::setUseSystemConfiguration(false);
    m_cli = qEnvironmentVariable("SSE_MONITOR_CLI");
}

void tst_ReplayServer::init()
{
    QTest::failOnWarning(QRegularExpression(QStringLiteral(".*")));
}

void tst_ReplayServer::wireFormatRoundTrips_data()
{
    QTest::addColumn<QByteArray>("type");
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QByteArray>("id");
    QTest::addColumn<qint64>("retry");
    QTest::addColumn<QByteArray>("expectedData");
    QTest::newRow("plain") << QByteArray("message") << QByteArray("x") << QByteArray() << -1LL
                           << QByteArray("x");
    QTest::newRow("typed") << QByteArray("update") << QByteArray("{}") << QByteArray("7") << 0LL
                           << QByteArray("{}");
    QTest::newRow("empty data") << QByteArray("message") << QByteArray() << QByteArray("a")
                                << -1LL << QByteArray();
    QTest::newRow("only newline") << QByteArray("m") << QByteArray("\n") << QByteArray() << -1LL
                                  << QByteArray("\n");
    QTest::newRow("leading space") << QByteArray("m") << QByteArray("  two") << QByteArray(" id")
                                   << -1LL << QByteArray("  two");
    QTest::newRow("colon") << QByteArray("m") << QByteArray("data: inside") << QByteArray()
                           << 5000LL << QByteArray("data: inside");
    QTest::newRow("cr and crlf") << QByteArray("m") << QByteArray("a\rb\r\nc") << QByteArray()
                                 << -1LL << QByteArray("a\nb\nc");
    QTest::newRow("utf8") << QByteArray("\xc3\xa9v") << QByteArray("\xe2\x9c\x93")
                          << QByteArray("\xc3\xa9") << -1LL << QByteArray("\xe2\x9c\x93");
}

void tst_ReplayServer::wireFormatRoundTrips()
{
    QFETCH(QByteArray, type);
    QFETCH(QByteArray, data);
    QFETCH(QByteArray, id);
    QFETCH(qint64, retry);
    QFETCH(QByteArray, expectedData);
    Sse::Event event;
    event.type = type;
    event.data = data;
    event.lastEventId = id;
    event.retryMs = retry;
    // Written after an event with another id, then a second time (the id is not repeated).
    QByteArray currentId = "previous";
    QByteArray wire;
    Sse::appendWireEvent(wire, event, &currentId);
    QCOMPARE(currentId, id);
    Sse::appendWireEvent(wire, event, &currentId);
    QCOMPARE(wire.count("id:"), 1);

    Sse::Parser parser;
    parser.setLastEventId("previous");
    Sse::EventList parsed;
    QCOMPARE(parser.feed(wire, parsed), Sse::Parser::Status::Ok);
    QCOMPARE(parsed.size(), 2);
    for (const Sse::Event &got : std::as_const(parsed)) {
        QCOMPARE(got.type, type);
        QCOMPARE(got.data, expectedData);
        QCOMPARE(got.lastEventId, id);
        QCOMPARE(got.retryMs, retry);
    }
}

void tst_ReplayServer::resumeIndex_data()
{
    QTest::addColumn<QByteArray>("lastEventId");
    QTest::addColumn<qsizetype>("index");
    // recording(20): ids 0 1 2 3 3 5 6 7 8 8 10 ... (every fifth event inherits).
    QTest::newRow("first") << QByteArray("0") << qsizetype(1);
    QTest::newRow("middle") << QByteArray("7") << qsizetype(8);
    QTest::newRow("inherited run") << QByteArray("3") << qsizetype(5);
    QTest::newRow("last") << QByteArray("18") << qsizetype(20);
    QTest::newRow("unknown") << QByteArray("nope") << qsizetype(0);
}

void tst_ReplayServer::resumeIndex()
{
    QFETCH(QByteArray, lastEventId);
    QFETCH(qsizetype, index);
    Sse::ReplayServer server;
    server.setEvents(recording(20));
    QCOMPARE(server.resumeIndex(lastEventId), index);
}

void tst_ReplayServer::servesTheRecording()
{
    const Sse::EventList events = recording(3000);
    Sse::ReplayServer server;
    server.setEvents(events);
    server.setSpeed(Sse::ReplayServer::AsFastAsPossible);
    QVERIFY(server.listen());
    QSignalSpy connected(&server, &Sse::ReplayServer::clientConnected);
    QSignalSpy disconnected(&server, &Sse::ReplayServer::clientDisconnected);

    // Two clients at once get the same complete stream.
    Collector first(server.streamUrl());
    Collector second(server.streamUrl());
    first.client.open();
    second.client.open();
    QTRY_VERIFY_WITH_TIMEOUT(first.ended() && second.ended(), 30000);
    QCOMPARE(first.client.state(), Sse::Client::State::Closed);
    QCOMPARE(describe(first.events), describe(events));
    QCOMPARE(describe(second.events), describe(events));
    QCOMPARE(connected.size(), 2);
    QTRY_COMPARE(disconnected.size(), 2);
    QCOMPARE(server.clientCount(), 0);
}

void tst_ReplayServer::resumesAfterLastEventId()
{
    const Sse::EventList events = recording(500);
    Sse::ReplayServer server;
    server.setEvents(events);
    server.setSpeed(0);
    QVERIFY(server.listen());
    QSignalSpy connected(&server, &Sse::ReplayServer::clientConnected);

    Collector collector(server.streamUrl(), "233");
    collector.client.open();
    QTRY_VERIFY_WITH_TIMEOUT(collector.ended(), 30000);
    QCOMPARE(connected.first().at(0).toByteArray(), QByteArray("233"));
    QCOMPARE(connected.first().at(1).value<qsizetype>(), 235); // 234 inherits id 233
    QCOMPARE(describe(collector.events), describe(events.mid(235)));
}

void tst_ReplayServer::endsWith204WhenNothingIsLeft()
{
    const Sse::EventList events = recording(10);
    Sse::ReplayServer server;
    server.setEvents(events);
    QVERIFY(server.listen());
    const QByteArray response = rawExchange(
            server.streamUrl(), "GET /events HTTP/1.1\r\nHost: x\r\nLast-Event-ID: 8\r\n\r\n");
    QVERIFY2(response.startsWith("HTTP/1.1 204 No Content\r\n"), response.constData());

    // An EventSource stops there instead of reconnecting forever.
    Collector collector(server.streamUrl(), "8");
    collector.client.open();
    QTRY_VERIFY_WITH_TIMEOUT(collector.ended(), 10000);
    // A 204 fails the connection: no reconnection, with the status kept.
    QCOMPARE(collector.client.state(), Sse::Client::State::Failed);
    QCOMPARE(collector.client.failure().httpStatus, 204);
    QVERIFY(collector.events.isEmpty());
}

void tst_ReplayServer::keepsTheRecordedPace()
{
    // 11 events 100 ms apart at 4x: 250 ms from the first to the last.
    const Sse::EventList events = recording(11, 100);
    Sse::ReplayServer server;
    server.setEvents(events);
    server.setSpeed(4);
    QCOMPARE(server.speed(), 4.0);
    QVERIFY(server.listen());
    Collector collector(server.streamUrl());
    QElapsedTimer clock;
    QList<qint64> arrivals;
    connect(&collector.client, &Sse::Client::eventsReceived, this,
            [&](const Sse::EventBatch &batch) {
                for (qsizetype i = 0; i < batch.size(); ++i)
                    arrivals.append(clock.elapsed());
            });
    clock.start();
    collector.client.open();
    QTRY_VERIFY_WITH_TIMEOUT(collector.ended(), 10000);
    QCOMPARE(arrivals.size(), 11);
    const qint64 spanMs = arrivals.last() - arrivals.first();
    QVERIFY2(spanMs >= 240, qPrintable(QString::number(spanMs)));
    QVERIFY2(spanMs < 2000, qPrintable(QString::number(spanMs)));
}

void tst_ReplayServer::loops()
{
    const Sse::EventList events = recording(10);
    Sse::ReplayServer server;
    server.setEvents(events);
    server.setSpeed(0);
    server.setRepeat(Sse::ReplayServer::Repeat::Loop);
    QVERIFY(server.listen());
    Collector collector(server.streamUrl());
    collector.client.open();
    QTRY_VERIFY_WITH_TIMEOUT(collector.events.size() >= 25, 10000);
    collector.client.close();
    QCOMPARE(describe(collector.events.mid(0, 10)), describe(events));
    QCOMPARE(describe(collector.events.mid(10, 10)), describe(events));
    QCOMPARE(describe(collector.events.mid(20, 5)), describe(events.mid(0, 5)));
}

void tst_ReplayServer::answersPreflightAndRejectsOtherMethods()
{
    Sse::ReplayServer server;
    server.setEvents(recording(3));
    server.setSpeed(0);
    QVERIFY(server.listen());
    const QByteArray stream =
            rawExchange(server.streamUrl(), "GET /anything HTTP/1.1\r\nHost: x\r\n\r\n");
    QVERIFY(stream.startsWith("HTTP/1.1 200 OK\r\n"));
    QVERIFY(stream.contains("\r\nContent-Type: text/event-stream; charset=utf-8\r\n"));
    QVERIFY(stream.contains("\r\nAccess-Control-Allow-Origin: *\r\n"));
    QVERIFY(stream.contains("\r\n\r\nid: 0\ndata: first 0\ndata: second\n\n"));

    const QByteArray preflight =
            rawExchange(server.streamUrl(), "OPTIONS /events HTTP/1.1\r\nHost: x\r\n\r\n");
    QVERIFY(preflight.startsWith("HTTP/1.1 204 No Content\r\n"));
    QVERIFY(preflight.contains("Access-Control-Allow-Headers: Last-Event-ID"));
    const QByteArray post =
            rawExchange(server.streamUrl(), "POST /events HTTP/1.1\r\nHost: x\r\n\r\n");
    QVERIFY(post.startsWith("HTTP/1.1 405 Method Not Allowed\r\n"));
}

void tst_ReplayServer::cliReplayServesAFile()
{
    if (m_cli.isEmpty())
        QSKIP("SSE_MONITOR_CLI is not set");
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const Sse::EventList events = recording(2000);
    const QString path = dir.filePath(QStringLiteral("session.jsonl"));
    {
        QByteArray out;
        Sse::JsonLines::Writer writer;
        writer.appendHeader(out, QStringLiteral("api"), QStringLiteral("http://api.example/s"));
        writer.setConnection(QStringLiteral("api"));
        for (qsizetype i = 0; i < events.size(); ++i)
            writer.appendEvent(out, i + 1, events.at(i));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        QCOMPARE(file.write(out), out.size());
    }

    QProcess replay;
    replay.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    replay.start(m_cli, {QStringLiteral("replay"), path, QStringLiteral("--fast")});
    QVERIFY(replay.waitForStarted(10000));
    QSignalSpy output(&replay, &QProcess::readyReadStandardOutput);
    QTRY_VERIFY_WITH_TIMEOUT(replay.canReadLine(), 10000);
    const QUrl url(QString::fromUtf8(replay.readLine().trimmed()));
    QVERIFY2(url.isValid() && url.scheme() == QStringLiteral("http"), qPrintable(url.toString()));
    QCOMPARE(url.host(), QStringLiteral("127.0.0.1"));

    Collector all(url);
    all.client.open();
    QTRY_VERIFY_WITH_TIMEOUT(all.ended(), 30000);
    QCOMPARE(describe(all.events), describe(events));

    Collector resumed(url, "1500");
    resumed.client.open();
    QTRY_VERIFY_WITH_TIMEOUT(resumed.ended(), 30000);
    QCOMPARE(describe(resumed.events), describe(events.mid(1501)));

    replay.kill();
    QVERIFY(replay.waitForFinished(10000));
}

void tst_ReplayServer::cliClientRecordsAReplay()
{
    // The other direction: the CLI client records what an in-process ReplayServer sends.
    if (m_cli.isEmpty())
        QSKIP("SSE_MONITOR_CLI is not set");
    const Sse::EventList events = recording(1000);
    Sse::ReplayServer server;
    server.setEvents(events);
    server.setSpeed(0);
    QVERIFY(server.listen());

    QProcess cli;
    cli.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    QSignalSpy finished(&cli, &QProcess::finished);
    cli.start(m_cli, {server.streamUrl().toString(), QStringLiteral("--no-reconnect")});
    QVERIFY(finished.wait(30000));
    QCOMPARE(cli.exitCode(), 0);
    Sse::EventList received;
    const QList<QByteArray> lines = cli.readAllStandardOutput().split('\n');
    for (const QByteArray &line : lines) {
        if (line.isEmpty())
            continue;
        const Sse::JsonLines::Record record = Sse::JsonLines::parseRecord(line);
        QCOMPARE(record.kind, Sse::JsonLines::Record::Kind::Event);
        received.append(record.event);
    }
    QCOMPARE(describe(received), describe(events));
}

void tst_ReplayServer::cliReplayUsageErrors_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<int>("exitCode");
    QTest::newRow("no file") << QStringList{QStringLiteral("replay")} << 2;
    QTest::newRow("bad speed") << QStringList{QStringLiteral("replay"), QStringLiteral("f"),
                                              QStringLiteral("--speed"), QStringLiteral("-1")}
                               << 2;
    QTest::newRow("speed and fast")
            << QStringList{QStringLiteral("replay"), QStringLiteral("f"), QStringLiteral("--fast"),
                           QStringLiteral("--speed"), QStringLiteral("2")}
            << 2;
    QTest::newRow("bad listen") << QStringList{QStringLiteral("replay"), QStringLiteral("f"),
                                               QStringLiteral("--listen"), QStringLiteral("x:y")}
                                << 2;
    QTest::newRow("missing file")
            << QStringList{QStringLiteral("replay"), QStringLiteral("/no/such/recording.jsonl")}
            << 4;
}

void tst_ReplayServer::cliReplayUsageErrors()
{
    if (m_cli.isEmpty())
        QSKIP("SSE_MONITOR_CLI is not set");
    QFETCH(QStringList, arguments);
    QFETCH(int, exitCode);
    QProcess cli;
    cli.start(m_cli, arguments);
    QVERIFY(cli.waitForFinished(10000));
    QCOMPARE(cli.exitStatus(), QProcess::NormalExit);
    QCOMPARE(cli.exitCode(), exitCode);
    QVERIFY(cli.readAllStandardOutput().isEmpty());
    QVERIFY(cli.readAllStandardError().contains("sse-monitor-cli replay:"));
}

// Connections that never finish their request head are answered 408 and closed after the
// request timeout; past the connection cap a new one gets 503 at once; a client is served again
// once the idle ones are gone.
void tst_ReplayServer::requestTimeoutAndConnectionCap()
{
    const Sse::EventList events = recording(50);
    Sse::ReplayServer server;
    server.setEvents(events);
    server.setSpeed(0);
    server.setRequestTimeout(300);
    server.setMaximumConnections(3);
    QVERIFY(server.listen());

    std::vector<std::unique_ptr<QTcpSocket>> idle;
    std::vector<QByteArray> answers(3);
    for (int i = 0; i < 3; ++i) {
        auto socket = std::make_unique<QTcpSocket>();
        QTcpSocket *raw = socket.get();
        QObject::connect(raw, &QTcpSocket::readyRead, raw, [raw, &answers, i] {
            answers[size_t(i)] += raw->readAll();
        });
        socket->connectToHost(server.serverAddress(), server.port());
        QVERIFY(socket->waitForConnected(5000));
        socket->write("GET /events HTTP/1.1\r\nHost: x\r\n"); // never completed
        idle.push_back(std::move(socket));
    }
    QTRY_COMPARE(server.connectionCount(), 3);
    const QByteArray rejected =
            rawExchange(server.streamUrl(), "GET /events HTTP/1.1\r\nHost: x\r\n\r\n");
    QVERIFY2(rejected.startsWith("HTTP/1.1 503 "), rejected.constData());
    QVERIFY2(rejected.contains("\r\nRetry-After: 1\r\n"), rejected.constData());

    for (const auto &socket : idle)
        QTRY_COMPARE_WITH_TIMEOUT(socket->state(), QAbstractSocket::UnconnectedState, 5000);
    for (const QByteArray &answer : answers)
        QVERIFY2(answer.startsWith("HTTP/1.1 408 "), answer.constData());
    QTRY_COMPARE(server.connectionCount(), 0);

    Collector collector(server.streamUrl());
    collector.client.open();
    QTRY_VERIFY_WITH_TIMEOUT(collector.ended(), 10000);
    QCOMPARE(describe(collector.events), describe(events));
}

// The replay command with few file descriptors (ulimit -n 40) and more idle connections than
// it can accept: accepting pauses instead of spinning, the idle connections time out, and a
// real client is served.
void tst_ReplayServer::cliSurvivesFileDescriptorExhaustion()
{
    if (m_cli.isEmpty())
        QSKIP("SSE_MONITOR_CLI is not set");
    SSE_SKIP_MEMORY_FIGURES_UNDER_SANITIZER();
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const Sse::EventList events = recording(100);
    const QString path = dir.filePath(QStringLiteral("session.jsonl"));
    QVERIFY(writeRecording(path, events));

    QProcess replay;
    replay.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    const QUrl url = startReplay(
            replay, QStringLiteral("/bin/sh"),
            {QStringLiteral("-c"),
             QStringLiteral("ulimit -n 40 && exec \"$0\" replay \"$1\" --fast "
                            "--request-timeout 0.5"),
             m_cli, path});
    QVERIFY2(url.isValid() && url.port() > 0, qPrintable(url.toString()));

    std::vector<int> idle;
    auto closeIdle = qScopeGuard([&idle] {
        for (const int fd : idle)
            ::close(fd);
    });
    for (int i = 0; i < 45; ++i) {
        const int fd = connectWithoutReading(quint16(url.port()), QByteArray());
        QVERIFY(fd >= 0 || i > 0);
        if (fd >= 0)
            idle.push_back(fd);
    }
    const qint64 ticksBefore = cpuTicks(replay.processId());
    QElapsedTimer clock;
    clock.start();
    Collector collector(url);
    collector.client.open();
    QTRY_VERIFY_WITH_TIMEOUT(collector.ended(), 15000);
    QCOMPARE(describe(collector.events), describe(events));
    const double cpuShare = double(cpuTicks(replay.processId()) - ticksBefore)
            / double(sysconf(_SC_CLK_TCK)) / (double(clock.elapsed()) / 1000.0);
    qInfo("client served after %lld ms; replay used %.0f %% of a core meanwhile",
          clock.elapsed(), cpuShare * 100);
    QVERIFY2(cpuShare < 0.5, qPrintable(QString::number(cpuShare)));
    replay.kill();
    QVERIFY(replay.waitForFinished(10000));
}

// Eight clients that never read one 12 MiB event: the server writes each of them a slice at a
// time within its 1 MiB budget instead of queueing the whole event per client (before: about
// 100 MiB more resident memory). A reading client still gets the event intact.
void tst_ReplayServer::largeEventWrittenInSlices()
{
    QByteArray data;
    data.reserve(12 << 20);
    for (int line = 0; data.size() < (12 << 20); ++line)
        data += QByteArray::number(line) + QByteArray(line % 3 == 0 ? 300000 : 7, 'x')
                + (line % 2 ? "\r\n" : "\n");
    while (data.endsWith('\n') || data.endsWith('\r'))
        data.chop(1);
    Sse::EventList events{makeEvent("big", "1", data), makeEvent("message", "2", "after")};
    Sse::ReplayServer server;
    server.setEvents(events);
    server.setSpeed(0);
    QVERIFY(server.listen());
    QSignalSpy connected(&server, &Sse::ReplayServer::clientConnected);

    const qint64 before = memoryBytes(QStringLiteral("self"), "VmRSS");
    std::vector<int> stalled;
    auto closeStalled = qScopeGuard([&stalled] {
        for (const int fd : stalled)
            ::close(fd);
    });
    for (int i = 0; i < 8; ++i) {
        const int fd = connectWithoutReading(server.port(),
                                             "GET /events HTTP/1.1\r\nHost: x\r\n\r\n");
        QVERIFY(fd >= 0);
        stalled.push_back(fd);
    }
    QTRY_COMPARE(connected.size(), 8);
    // Each session has written what the socket took and waits for bytesWritten().
    QCoreApplication::processEvents();
    const qint64 growth = memoryBytes(QStringLiteral("self"), "VmRSS") - before;
    qInfo("8 stalled readers of a %.1f MiB event: resident memory grew by %.1f MiB",
          double(data.size()) / (1 << 20), double(growth) / (1 << 20));
    QVERIFY2(growth < 40LL << 20, qPrintable(QString::number(growth >> 20)));

    Collector reader(server.streamUrl());
    reader.client.open();
    QTRY_VERIFY_WITH_TIMEOUT(reader.ended(), 30000);
    QCOMPARE(reader.events.size(), 2);
    QByteArray expected = data;
    expected.replace("\r\n", "\n");
    QVERIFY(reader.events.at(0).data == expected);
    QCOMPARE(reader.events.at(1).data, QByteArray("after"));
}

// A recording line over 64 MiB is skipped with a warning when the replay command loads the file,
// read a block at a time (the command's peak memory stays far below the line's size).
void tst_ReplayServer::cliSkipsOversizedRecords()
{
    if (m_cli.isEmpty())
        QSKIP("SSE_MONITOR_CLI is not set");
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("big.jsonl"));
    const Sse::EventList events{makeEvent("message", "1", "before"),
                                makeEvent("message", "2", QByteArray((64 << 20) + 16, 'x')),
                                makeEvent("message", "3", "after")};
    QVERIFY(writeRecording(path, events));

    QProcess replay;
    const QUrl url = startReplay(replay, m_cli, {QStringLiteral("replay"), path,
                                                 QStringLiteral("--fast")});
    QByteArray err = replay.readAllStandardError(); // QVERIFY2 evaluates its message
    QVERIFY2(url.isValid() && url.port() > 0, err.constData());
    const qint64 peak = memoryBytes(QString::number(replay.processId()), "VmHWM");
    Collector collector(url);
    collector.client.open();
    QTRY_VERIFY_WITH_TIMEOUT(collector.ended(), 15000);
    QCOMPARE(describe(collector.events), describe({events.at(0), events.at(2)}));
    err += replay.readAllStandardError();
    QVERIFY2(err.contains("1 record(s) over 64 MiB skipped"), err.constData());
    qInfo("peak resident memory of the replay command: %.1f MiB", double(peak) / (1 << 20));
#ifndef SSE_UNDER_ADDRESS_SANITIZER
    QVERIFY2(peak < 64LL << 20, qPrintable(QString::number(peak >> 20)));
#endif
    replay.kill();
    QVERIFY(replay.waitForFinished(10000));
}

// A recorded type with CR or LF, or an id with CR, LF or NUL, would inject fields (`retry:`,
// `id:`, `data:`) into the stream: such events are left out and counted, by the server and by
// the replay command, which says so.
void tst_ReplayServer::skipsEventsThatCannotBeFields()
{
    const Sse::EventList events{
            makeEvent("message", "1", "first"),
            makeEvent("tick\nretry: 1\ndata: injected", "2", "type with LF"),
            makeEvent("message", "3\rid: 999", "id with CR"),
            makeEvent("message", QByteArray("4\0", 2), "id with NUL"),
            makeEvent("tick\r\nid: 7", "5", "type with CRLF"),
            makeEvent("message", "6", "last"),
    };
    const Sse::EventList expected{events.at(0), events.at(5)};

    Sse::ReplayServer server;
    server.setEvents(events);
    QCOMPARE(server.skippedEventCount(), 4);
    QCOMPARE(server.events().size(), 2);
    server.setSpeed(0);
    QVERIFY(server.listen());
    const QByteArray wire =
            rawExchange(server.streamUrl(), "GET /events HTTP/1.1\r\nHost: x\r\n\r\n");
    QVERIFY2(!wire.contains("injected") && !wire.contains("999") && !wire.contains("retry:"),
             wire.constData());

    if (m_cli.isEmpty())
        QSKIP("SSE_MONITOR_CLI is not set");
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("hostile.jsonl"));
    QVERIFY(writeRecording(path, events));
    QProcess replay;
    const QUrl url = startReplay(replay, m_cli, {QStringLiteral("replay"), path,
                                                 QStringLiteral("--fast")});
    QByteArray err = replay.readAllStandardError(); // QVERIFY2 evaluates its message
    QVERIFY2(url.isValid() && url.port() > 0, err.constData());
    Collector collector(url);
    collector.client.open();
    QTRY_VERIFY_WITH_TIMEOUT(collector.ended(), 10000);
    QCOMPARE(describe(collector.events), describe(expected));
    err += replay.readAllStandardError();
    QVERIFY2(err.contains("4 event(s) left out"), err.constData());
    replay.kill();
    QVERIFY(replay.waitForFinished(10000));
}

QTEST_MAIN(tst_ReplayServer)
#include "tst_replayserver.moc"
