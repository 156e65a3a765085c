// `sse-monitor-cli probe` against loopback TestServers: its /metrics scraped over a real TCP
// connection, parsed, and (when promtool is installed) checked by `promtool check metrics`.

#include "testserver.h"

#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <memory>

using namespace Qt::StringLiterals;
using Exchange = TestServer::Exchange;

namespace {

// Bodies of one scrape: "name{labels}" -> value, and the raw text.
struct Scrape
{
    int status = 0;
    QByteArray head;
    QByteArray body;
    QHash<QByteArray, QByteArray> samples;

    QByteArray value(const QByteArray &series) const { return samples.value(series); }
    double number(const QByteArray &series) const
    {
        return samples.contains(series) ? samples.value(series).toDouble() : -1;
    }
};

// A raw HTTP/1.1 request to 127.0.0.1:\a port, read until the server closes. Spins the event
// loop while it waits (the TestServer of the test runs in it).
Scrape request(quint16 port, const QByteArray &head)
{
    Scrape scrape;
    QTcpSocket socket;
    QByteArray bytes;
    QObject::connect(&socket, &QTcpSocket::readyRead, &socket, [&] { bytes += socket.readAll(); });
    QSignalSpy closed(&socket, &QTcpSocket::disconnected);
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(5000))
        return scrape;
    socket.write(head);
    if (closed.isEmpty() && !closed.wait(5000))
        return scrape;
    bytes += socket.readAll();
    const qsizetype split = bytes.indexOf("\r\n\r\n");
    if (split < 0)
        return scrape;
    scrape.head = bytes.left(split);
    scrape.body = bytes.mid(split + 4);
    scrape.status = scrape.head.mid(9, 3).toInt();
    for (const QByteArray &line : scrape.body.split('\n')) {
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        const qsizetype space = line.lastIndexOf(' ');
        scrape.samples.insert(line.left(space), line.mid(space + 1));
    }
    return scrape;
}

Scrape scrape(quint16 port)
{
    return request(port, "GET /metrics HTTP/1.1\r\nHost: probe\r\n\r\n");
}

QString promtoolPath()
{
    return qEnvironmentVariable("SSE_PROMTOOL");
}

// The probe as a child process, killed (by its own handle) when the test ends.
class Probe
{
public:
    Probe()
    {
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        for (const QString &name : {u"http_proxy"_s, u"HTTP_PROXY"_s, u"all_proxy"_s})
            environment.remove(name);
        m_process.setProcessEnvironment(environment);
        m_process.setProgram(qEnvironmentVariable("SSE_MONITOR_CLI"));
    }
    ~Probe()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
    }
    Q_DISABLE_COPY(Probe)

    /// Starts the probe with a metrics listener on a free port and waits for its URL line.
    bool start(const QStringList &arguments)
    {
        m_process.setArguments(QStringList {u"probe"_s, u"--listen-metrics"_s, u"127.0.0.1:0"_s}
                               << arguments);
        m_process.start();
        if (!m_process.waitForStarted(5000))
            return false;
        QSignalSpy output(&m_process, &QProcess::readyReadStandardOutput);
        while (!m_out.contains('\n')) {
            if (!output.wait(5000))
                return false;
            m_out += m_process.readAllStandardOutput();
        }
        const qsizetype colon = m_out.lastIndexOf(':', m_out.indexOf("/metrics"));
        m_port = quint16(m_out.mid(colon + 1, m_out.indexOf('/', colon) - colon - 1).toUInt());
        return m_port != 0;
    }

    /// Runs a probe that should refuse its arguments; returns its exit code.
    int runToExit(const QStringList &arguments)
    {
        m_process.setArguments(QStringList {u"probe"_s} << arguments);
        m_process.start();
        if (!m_process.waitForFinished(10000))
            return -1;
        m_err = m_process.readAllStandardError();
        return m_process.exitCode();
    }

    quint16 port() const { return m_port; }
    QByteArray err()
    {
        m_err += m_process.readAllStandardError();
        return m_err;
    }
    QByteArray out()
    {
        m_out += m_process.readAllStandardOutput();
        return m_out;
    }

private:
    QProcess m_process;
    QByteArray m_out;
    QByteArray m_err;
    quint16 m_port = 0;
};

// Sends \a block every \a intervalMs on the exchange's connection, after \a first.
TestServer::Handler every(int intervalMs, const QByteArray &first, const QByteArray &block)
{
    return [=](Exchange *exchange) {
        exchange->sseHead();
        exchange->send(first);
        auto *timer = new QTimer(exchange); // goes with the connection
        QObject::connect(timer, &QTimer::timeout, exchange,
                         [exchange, block] { exchange->send(block); });
        timer->start(intervalMs);
    };
}

QByteArray series(const QByteArray &name, const QString &connection, const QByteArray &extra = {})
{
    return name + "{connection=\"" + connection.toUtf8() + '"' + extra + '}';
}

} // namespace

class TestProbe : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(QFile::exists(qEnvironmentVariable("SSE_MONITOR_CLI")),
                 "SSE_MONITOR_CLI must name the built sse-monitor-cli");
    }

    // A stream that only sends heartbeat comments is up and receiving bytes, yet stalled; one
    // that sends data events is not.
    void stallVersusHeartbeats_data()
    {
        QTest::addColumn<QByteArray>("block");
        QTest::addColumn<bool>("stalled");
        QTest::newRow("heartbeat comments only") << ": heartbeat\n\n"_ba << true;
        QTest::newRow("data events") << "data: tick\n\n"_ba << false;
    }
    void stallVersusHeartbeats()
    {
        QFETCH(QByteArray, block);
        QFETCH(bool, stalled);
        TestServer server;
        server.route("/stream", every(100, "data: first\n\n", block));
        Probe probe;
        QVERIFY(probe.start({u"--stall-after"_s, u"0.5"_s, server.url("/stream").toString()}));
        const QString name = server.url("/stream").toString();
        QTRY_COMPARE_WITH_TIMEOUT(scrape(probe.port()).value(series("sse_up", name)), "1"_ba, 5000);
        // Well past the threshold: 1.5 s of heartbeats or events.
        QTRY_VERIFY_WITH_TIMEOUT(
            scrape(probe.port()).number(series("sse_bytes_total", name)) > 15 * block.size(), 5000);
        const Scrape result = scrape(probe.port());
        QCOMPARE(result.value(series("sse_stalled", name)), stalled ? "1"_ba : "0"_ba);
        // The shared health engine's verdict, as a state set.
        QCOMPARE(result.value(series("sse_health", name, ",verdict=\"stalled\""_ba)),
                 stalled ? "1"_ba : "0"_ba);
        QCOMPARE(result.value(series("sse_health", name, ",verdict=\"healthy\""_ba)),
                 stalled ? "0"_ba : "1"_ba);
        QCOMPARE(result.body.count("sse_health{connection="), 8);
        QCOMPARE(result.value(series("sse_up", name)), "1"_ba);
        const double events =
            result.number(series("sse_events_total", name, ",type=\"message\""_ba));
        if (stalled)
            QCOMPARE(events, 1.0);
        else
            QVERIFY2(events > 10, result.body);
        QVERIFY(result.number(series("sse_last_event_timestamp_seconds", name)) > 1e9);
        QVERIFY(result.number(series("sse_time_to_first_event_seconds", name)) >= 0);
        QCOMPARE(probe.err(), QByteArray());
    }

    // The stall threshold: --stall-after when given, else learnt from the stream's cadence as
    // the GUI's health engine does (10 x the median interval, at least 5 s; 60 s until five
    // data events were seen), and exported as sse_stall_threshold_seconds.
    void stallThreshold_data()
    {
        QTest::addColumn<QStringList>("options");
        QTest::addColumn<int>("intervalMs");
        QTest::addColumn<double>("threshold");
        QTest::newRow("set") << QStringList {u"--stall-after"_s, u"0.5"_s} << 100 << 0.5;
        QTest::newRow("learnt, at least 5 s") << QStringList() << 100 << 5.0;
        QTest::newRow("learnt, 10 x 600 ms") << QStringList() << 600 << 6.0;
    }
    void stallThreshold()
    {
        QFETCH(QStringList, options);
        QFETCH(int, intervalMs);
        QFETCH(double, threshold);
        TestServer server;
        server.route("/stream", every(intervalMs, "data: first\n\n", "data: tick\n\n"));
        Probe probe;
        QVERIFY(probe.start(options << server.url("/stream").toString()));
        const QString name = server.url("/stream").toString();
        const QByteArray metric = series("sse_stall_threshold_seconds", name);
        QTRY_VERIFY_WITH_TIMEOUT(scrape(probe.port()).samples.contains(metric), 5000);
        if (options.isEmpty() && intervalMs >= 600) // nothing learnt before five events
            QCOMPARE(scrape(probe.port()).number(metric), 60.0);
        // Measured intervals jitter by a few ms: within 5 %.
        QTRY_VERIFY_WITH_TIMEOUT(qAbs(scrape(probe.port()).number(metric) - threshold)
                                     <= threshold * 0.05,
                                 10000);
        const Scrape result = scrape(probe.port());
        QVERIFY(result.body.contains("# TYPE sse_stall_threshold_seconds gauge\n"));
        QCOMPARE(result.value(series("sse_stalled", name)), "0"_ba);
    }

    // Learnt, the threshold decides: events every 100 ms, then heartbeats only; stalled
    // after 5 s (the minimum), not after the 60 s of the old fixed default.
    void learntThresholdStalls()
    {
        TestServer server;
        server.route("/stream", [](Exchange *exchange) {
            exchange->sseHead();
            auto *timer = new QTimer(exchange);
            auto sent = std::make_shared<int>(0);
            QObject::connect(timer, &QTimer::timeout, exchange, [exchange, sent] {
                exchange->send(++*sent <= 8 ? "data: tick\n\n"_ba : ": heartbeat\n\n"_ba);
            });
            timer->start(100);
        });
        Probe probe;
        QVERIFY(probe.start({server.url("/stream").toString()}));
        const QString name = server.url("/stream").toString();
        QTRY_COMPARE_WITH_TIMEOUT(
            scrape(probe.port()).number(series("sse_stall_threshold_seconds", name)), 5.0, 5000);
        QCOMPARE(scrape(probe.port()).value(series("sse_stalled", name)), "0"_ba);
        QTRY_COMPARE_WITH_TIMEOUT(scrape(probe.port()).value(series("sse_stalled", name)), "1"_ba,
                                  9000);
        const Scrape result = scrape(probe.port());
        QCOMPARE(result.number(series("sse_events_total", name, ",type=\"message\""_ba)), 8.0);
        QCOMPARE(result.value(series("sse_up", name)), "1"_ba);
    }

    // Each drop is a reconnect, each successful attempt a connect duration observation.
    void reconnectsCounted()
    {
        TestServer server;
        server.route("/stream", [](Exchange *exchange) {
            exchange->sseHead(TestServer::Framing::Chunked);
            exchange->send("retry: 20\ndata: x\n\n");
            exchange->finish();
        });
        Probe probe;
        QVERIFY(probe.start({server.url("/stream").toString()}));
        const QString name = server.url("/stream").toString();
        QTRY_VERIFY_WITH_TIMEOUT(server.requestCount("/stream") >= 4, 10000);
        const Scrape result = scrape(probe.port());
        const double reconnects = result.number(series("sse_reconnects_total", name));
        QVERIFY2(reconnects >= 3, result.body);
        const double attempts = result.number(series("sse_connect_duration_seconds_count", name));
        QVERIFY2(attempts >= 3 && attempts <= server.requestCount("/stream"), result.body);
        QCOMPARE(
            result.value(series("sse_connect_duration_seconds_bucket", name, ",le=\"+Inf\""_ba)),
            QByteArray::number(qint64(attempts)));
        QVERIFY(result.number(series("sse_connect_duration_seconds_sum", name)) >= 0);
        QCOMPARE(result.number(series("sse_events_total", name, ",type=\"message\""_ba)),
                 result.number(series("sse_connect_duration_seconds_count", name)));
    }

    // Per stream at most --max-types type labels; the rest, and a type named "other" or one
    // too long for a label, count as "other".
    void typesBounded_data()
    {
        QTest::addColumn<int>("maximumTypes");
        QTest::addColumn<int>("ownLabels");
        QTest::addColumn<int>("other");
        // Ten types t0..t9, one event each, then one "other" and one 200-byte type.
        QTest::newRow("3 of 10") << 3 << 3 << 9;
        QTest::newRow("all 10") << 20 << 10 << 2;
    }
    void typesBounded()
    {
        QFETCH(int, maximumTypes);
        QFETCH(int, ownLabels);
        QFETCH(int, other);
        QByteArray wire;
        for (int n = 0; n < 10; ++n)
            wire += TestServer::formatEvent("x", "t" + QByteArray::number(n));
        wire += TestServer::formatEvent("x", "other")
            + TestServer::formatEvent("x", QByteArray(200, 'y'));
        TestServer server;
        server.route("/stream", [wire](Exchange *exchange) {
            exchange->sseHead();
            exchange->send(wire);
        });
        Probe probe;
        QVERIFY(probe.start(
            {u"--max-types"_s, QString::number(maximumTypes), server.url("/stream").toString()}));
        const QString name = server.url("/stream").toString();
        const QByteArray otherSeries = series("sse_events_total", name, ",type=\"other\""_ba);
        QTRY_COMPARE_WITH_TIMEOUT(scrape(probe.port()).number(otherSeries), double(other), 5000);
        const Scrape result = scrape(probe.port());
        int labels = 0;
        for (auto it = result.samples.cbegin(); it != result.samples.cend(); ++it) {
            if (it.key().startsWith("sse_events_total{") && it.key() != otherSeries) {
                ++labels;
                QCOMPARE(it.value(), "1"_ba);
            }
        }
        QCOMPARE(labels, ownLabels);
        QCOMPARE(result.number(series("sse_events_total", name, ",type=\"t0\""_ba)), 1.0);
    }

    // Numeric ids that jump forward are gaps; a repeat or a step back is not.
    void idGaps_data()
    {
        QTest::addColumn<QByteArray>("ids");
        QTest::addColumn<int>("gaps");
        QTest::newRow("consecutive") << "1 2 3 4"_ba << 0;
        QTest::newRow("two jumps") << "1 2 5 6 10"_ba << 2;
        QTest::newRow("restart from 1") << "7 8 1 2"_ba << 0;
        QTest::newRow("not numeric") << "a b 9 c 20"_ba << 0;
    }
    void idGaps()
    {
        QFETCH(QByteArray, ids);
        QFETCH(int, gaps);
        QByteArray wire;
        const QList<QByteArray> list = ids.split(' ');
        for (const QByteArray &id : list)
            wire += TestServer::formatEvent("x", {}, id);
        TestServer server;
        server.route("/stream", [wire](Exchange *exchange) {
            exchange->sseHead();
            exchange->send(wire);
        });
        Probe probe;
        QVERIFY(probe.start({server.url("/stream").toString()}));
        const QString name = server.url("/stream").toString();
        QTRY_COMPARE_WITH_TIMEOUT(
            scrape(probe.port()).number(series("sse_events_total", name, ",type=\"message\""_ba)),
            double(list.size()), 5000);
        const Scrape result = scrape(probe.port());
        QCOMPARE(result.number(series("sse_id_gaps_total", name)), double(gaps));
        QCOMPARE(result.value(series("sse_health", name, ",verdict=\"gaps\""_ba)),
                 gaps > 0 ? "1"_ba : "0"_ba);
    }

    // Profile names go into the label escaped; the same URL twice gets two series; user info
    // and secret query values stay out of labels; a failing stream is reported once on stderr
    // and tried again; nothing else is printed.
    void labelsAndFailures()
    {
        TestServer server;
        server.route("/stream", every(100, "data: a\n\n", "data: b\n\n"));
        server.route("/missing", [](Exchange *exchange) { exchange->respond(404); });
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QFile profiles(dir.filePath(u"fleet.json"_s));
        QVERIFY(profiles.open(QIODevice::WriteOnly));
        profiles.write("[{\"name\": \"quote\\\" back\\\\slash\\nline\", \"url\": \""
                       + server.url("/stream").toEncoded() + "\"}]");
        profiles.close();
        QUrl secretUrl = server.url("/stream");
        secretUrl.setUserInfo(u"user:pass"_s);
        secretUrl.setQuery(u"topic=a&api_key=hunter2"_s);
        Probe probe;
        QVERIFY(
            probe.start({u"--profiles-file"_s, profiles.fileName(), u"--retry-failed"_s, u"0.2"_s,
                         server.url("/stream").toString(), server.url("/stream").toString(),
                         secretUrl.toString(), server.url("/missing").toString()}));
        const QString plain = server.url("/stream").toString();
        QTRY_VERIFY_WITH_TIMEOUT(server.requestCount("/missing") >= 3, 5000);
        const Scrape result = scrape(probe.port());
        QCOMPARE(result.value(series("sse_up", u"quote\\\" back\\\\slash\\nline"_s)), "1"_ba);
        QCOMPARE(result.value(series("sse_up", plain)), "1"_ba);
        QCOMPARE(result.value(series("sse_up", plain + u" #2"_s)), "1"_ba);
        QCOMPARE(result.value(series("sse_up", server.url("/missing").toString())), "0"_ba);
        QVERIFY2(!result.body.contains("hunter2") && !result.body.contains("pass"), result.body);
        QVERIFY2(result.body.contains("topic=a"), result.body);
        const QByteArray err = probe.err();
        QCOMPARE(err.count("404"), 1);
        const QByteArray prefix = "sse-monitor-cli probe: " + server.url("/missing").toEncoded();
        QVERIFY2(err.startsWith(prefix), err);
        QCOMPARE(probe.out().count('\n'), 1); // the metrics URL, nothing else
    }

    // The listener answers what it serves and refuses the rest plainly.
    void httpAnswers_data()
    {
        QTest::addColumn<QByteArray>("head");
        QTest::addColumn<int>("status");
        QTest::addColumn<bool>("hasBody");
        QTest::newRow("GET /metrics?x") << "GET /metrics?x=1 HTTP/1.1\r\n\r\n"_ba << 200 << true;
        QTest::newRow("HEAD /metrics") << "HEAD /metrics HTTP/1.1\r\n\r\n"_ba << 200 << false;
        QTest::newRow("GET /") << "GET / HTTP/1.1\r\n\r\n"_ba << 404 << true;
        QTest::newRow("POST /metrics") << "POST /metrics HTTP/1.1\r\n\r\n"_ba << 405 << true;
        QTest::newRow("not HTTP") << "HELLO\r\n\r\n"_ba << 400 << true;
        QTest::newRow("head too large")
            << "GET /metrics HTTP/1.1\r\nX: "_ba + QByteArray(9000, 'a') << 431 << true;
    }
    void httpAnswers()
    {
        QFETCH(QByteArray, head);
        QFETCH(int, status);
        QFETCH(bool, hasBody);
        Probe probe;
        QVERIFY(probe.start({u"--demo"_s}));
        const Scrape result = request(probe.port(), head);
        QCOMPARE(result.status, status);
        QCOMPARE(!result.body.isEmpty(), hasBody);
        if (status == 200)
            QVERIFY(result.head.contains("Content-Type: text/plain; version=0.0.4"));
        QVERIFY(result.head.contains("Connection: close"));
    }

    void healthz()
    {
        Probe probe;
        QVERIFY(probe.start({u"--demo"_s, u"--listen-health"_s, u"127.0.0.1:0"_s}));
        QTRY_VERIFY_WITH_TIMEOUT(probe.out().contains("health: "), 5000);
        const QByteArray out = probe.out();
        const qsizetype at = out.indexOf("health: http://127.0.0.1:") + 25;
        const quint16 port = quint16(out.mid(at, out.indexOf('/', at) - at).toUInt());
        QTRY_COMPARE_WITH_TIMEOUT(request(port, "GET /healthz HTTP/1.1\r\n\r\n").body,
                                  "ok: 1 of 1 streams up\n"_ba, 5000);
        QCOMPARE(request(port, "GET /metrics HTTP/1.1\r\n\r\n").status, 404);
    }

    void usageErrors_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QByteArray>("message");
        QTest::newRow("no listener") << QStringList {u"--demo"_s} << "--listen-metrics"_ba;
        QTest::newRow("bad listener")
            << QStringList {u"--listen-metrics"_s, u"nowhere:99999"_s, u"--demo"_s}
            << "ADDRESS:PORT"_ba;
        QTest::newRow("no stream")
            << QStringList {u"--listen-metrics"_s, u"127.0.0.1:0"_s} << "no stream"_ba;
        QTest::newRow("zero types") << QStringList {u"--listen-metrics"_s, u"127.0.0.1:0"_s,
                                                    u"--max-types"_s, u"0"_s, u"--demo"_s}
                                    << "--max-types"_ba;
        QTest::newRow("missing profiles file")
            << QStringList {u"--listen-metrics"_s, u"127.0.0.1:0"_s, u"--profiles-file"_s,
                            u"/nonexistent/fleet.json"_s}
            << "cannot read"_ba;
    }
    void usageErrors()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QByteArray, message);
        Probe probe;
        QCOMPARE(probe.runToExit(arguments), 2);
        QVERIFY2(probe.err().contains(message), probe.err());
    }

    // promtool accepts a scrape with every metric family, escaped labels, "other" and a
    // stream that is down.
    void promtoolAcceptsScrape()
    {
        if (promtoolPath().isEmpty())
            QSKIP("promtool not found at configure time (Debian package prometheus)");
        TestServer server;
        QByteArray wire;
        for (int n = 0; n < 5; ++n)
            wire += TestServer::formatEvent("x", "t" + QByteArray::number(n),
                                            QByteArray::number(n * 2));
        server.route("/stream", [wire](Exchange *exchange) {
            exchange->sseHead();
            exchange->send(wire);
        });
        QTemporaryDir dir;
        QFile profiles(dir.filePath(u"fleet.json"_s));
        QVERIFY(profiles.open(QIODevice::WriteOnly));
        profiles.write("[{\"name\": \"a \\\"b\\\" \\\\ c\\nd\", \"url\": \""
                       + server.url("/stream").toEncoded() + "\"}]");
        profiles.close();
        Probe probe;
        QVERIFY(probe.start({u"--max-types"_s, u"2"_s, u"--profiles-file"_s, profiles.fileName(),
                             server.url("/stream").toString(), u"http://127.0.0.1:1/down"_s}));
        QTRY_VERIFY_WITH_TIMEOUT(scrape(probe.port()).body.contains("type=\"other\"} 3"), 5000);
        const Scrape result = scrape(probe.port());
        QProcess promtool;
        promtool.start(promtoolPath(), {u"check"_s, u"metrics"_s});
        QVERIFY(promtool.waitForStarted(5000));
        promtool.write(result.body);
        promtool.closeWriteChannel();
        QVERIFY(promtool.waitForFinished(10000));
        const QByteArray output =
            promtool.readAllStandardOutput() + promtool.readAllStandardError();
        QVERIFY2(promtool.exitCode() == 0, QByteArray(output + '\n' + result.body));
        QVERIFY2(output.trimmed().isEmpty(), output);
    }
};

QTEST_GUILESS_MAIN(TestProbe)
#include "tst_probe.moc"
