// HTTP/2 against a real nginx (Debian nginx-light): TLS with ALPN and cleartext with prior
// knowledge, nginx proxying to an in-process HTTP/1.1 SSE server (TestServer). What holds over
// HTTP/1.1 holds here too: unbuffered delivery, Last-Event-ID on reconnection, gzip, redirects,
// the idle watchdog; and many streams share one connection, queued past the server's
// SETTINGS_MAX_CONCURRENT_STREAMS. With proxy_buffering on, `check` finds the buffering.

#include "nginxserver.h"
#include "proxydaemon.h"
#include "testserver.h"
#include "sselib/profile.h"
#include "sselib/sseclient.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkProxyFactory>
#include <QRegularExpression>
#include <QSet>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryFile>
#include <QTest>
#include <QTimer>

#include <memory>
#include <vector>

using State = Sse::Client::State;
using Exchange = TestServer::Exchange;
using Framing = TestServer::Framing;

using namespace Qt::StringLiterals;

namespace {

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

enum class Protocol { Http2Tls, Http2PriorKnowledge, Http1Tls };

struct Collector
{
    explicit Collector(Sse::Client *client)
    {
        QObject::connect(client, &Sse::Client::eventsReceived, &context,
                         [this](const Sse::EventBatch &batch) { batch.appendTo(events); });
        QObject::connect(client, &Sse::Client::stateChanged, &context,
                         [this](State state) { states.append(state); });
        QObject::connect(client, &Sse::Client::errorOccurred, &context,
                         [this](const QString &message, bool) { errors.append(message); });
    }
    QByteArrayList data() const
    {
        QByteArrayList result;
        for (const Sse::Event &event : events)
            result.append(event.data);
        return result;
    }
    QObject context;
    Sse::EventList events;
    QList<State> states;
    QStringList errors;
};

} // namespace

class TestHttp2 : public QObject
{
    Q_OBJECT
private:
    Sse::ClientOptions optionsFor(Protocol protocol, const QString &path = QStringLiteral("/stream"))
    {
        Sse::ClientOptions options;
        options.url = protocol == Protocol::Http2PriorKnowledge ? m_nginx->cleartextUrl(path)
                                                                : m_nginx->tlsUrl(path);
        options.caCertificatesPem = readFile(QStringLiteral(TLS_DATA_DIR "/ca.pem"));
        options.http1Only = protocol == Protocol::Http1Tls;
        options.http2PriorKnowledge = protocol == Protocol::Http2PriorKnowledge;
        options.defaultRetryMs = 100;
        options.connectTimeoutMs = 10000;
        return options;
    }
    void protocolRows()
    {
        QTest::addColumn<Protocol>("protocol");
        QTest::newRow("h2 over TLS (ALPN)") << Protocol::Http2Tls;
        QTest::newRow("h2c prior knowledge") << Protocol::Http2PriorKnowledge;
        QTest::newRow("HTTP/1.1 over TLS") << Protocol::Http1Tls;
    }
    // Runs sse-monitor-cli to its end while this thread's event loop serves the backend:
    // its exit code (-1: it did not start or did not end within 30 s) and its stdout.
    static int runCli(const QStringList &arguments, QByteArray *output)
    {
        const QString cli = qEnvironmentVariable("SSE_MONITOR_CLI");
        if (cli.isEmpty()) {
            *output = "SSE_MONITOR_CLI is not set";
            return -1;
        }
        QProcess process;
        process.start(cli, arguments);
        if (!process.waitForStarted()
            || !QTest::qWaitFor([&] { return process.state() == QProcess::NotRunning; }, 30000))
            return -1;
        *output = process.readAllStandardOutput();
        return process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    }
    bool restartNginx(const NginxServer::Settings &settings)
    {
        m_nginx = std::make_unique<NginxServer>();
        const QString error = m_nginx->start(m_backend->port(), QStringLiteral(TLS_DATA_DIR), settings);
        if (!error.isEmpty())
            qWarning("%s", qPrintable(error));
        return error.isEmpty();
    }

    // Opens one h2 client per entry of \a list, each once the ones before are open, so it
    // could join their connection; closes them all, then returns nginx's connection number of
    // each request, in order (empty with a failure recorded when one did not open or log).
    QStringList connectionsOneAfterAnother(const QList<Sse::ClientOptions> &list)
    {
        const int logBefore = int(m_nginx->accessLog().size());
        std::vector<std::unique_ptr<Sse::Client>> clients;
        int open = 0;
        for (const Sse::ClientOptions &options : list) {
            auto client = std::make_unique<Sse::Client>();
            client->setOptions(options);
            QObject::connect(client.get(), &Sse::Client::stateChanged, client.get(),
                             [&open](State state) { open += state == State::Open ? 1 : 0; });
            client->open();
            Sse::Client *opening = client.get();
            clients.push_back(std::move(client));
            [&] {
                QTRY_VERIFY2_WITH_TIMEOUT(open == int(clients.size()),
                                          qPrintable(opening->failure().message), 10000);
                QVERIFY(opening->http2Used());
            }();
            if (QTest::currentTestFailed())
                return {};
        }
        clients.clear(); // each stream is reset: nginx logs it with its connection number
        QStringList connections;
        [&] {
            QTRY_VERIFY_WITH_TIMEOUT(m_nginx->accessLog().size() - logBefore >= list.size(), 10000);
        }();
        const QStringList lines = m_nginx->accessLog().mid(logBefore);
        for (const Sse::ClientOptions &options : list) {
            const QByteArray target =
                options.url.toEncoded(QUrl::RemoveScheme | QUrl::RemoveAuthority);
            for (const QString &line : lines) {
                if (line.section(QLatin1Char(' '), 2, 2) == QString::fromLatin1(target))
                    connections.append(line.section(QLatin1Char(' '), 0, 0));
            }
        }
        return connections;
    }
    // The verify result nginx logged for \a path (SUCCESS, NONE, FAILED:...).
    QString clientVerifyOf(const QString &path) const
    {
        for (const QString &line : m_nginx->accessLog()) {
            if (line.section(QLatin1Char(' '), 2, 2) == path)
                return line.section(QLatin1Char(' '), 3, 3);
        }
        return QString();
    }

    std::unique_ptr<TestServer> m_backend;
    std::unique_ptr<NginxServer> m_nginx;

private Q_SLOTS:
    void initTestCase()
    {
        QNetworkProxyFactory::setUseSystemConfiguration(false);
        m_backend = std::make_unique<TestServer>();
        QVERIFY(m_backend->isListening());
        if (NginxServer::executable().isEmpty())
            QFAIL("nginx not found: install nginx-light (scripts/deps.sh installs it)");
        QVERIFY(restartNginx({}));
    }
    void cleanupTestCase() { m_nginx.reset(); }
    void init()
    {
        m_backend->abortAll();
    }

    void negotiatesProtocol_data() { protocolRows(); }
    void negotiatesProtocol()
    {
        QFETCH(Protocol, protocol);
        m_backend->route("/stream", [](Exchange *exchange) {
            exchange->sseHead(Framing::Chunked);
            exchange->send(TestServer::formatEvent("hello"));
        });
        Sse::Client client;
        Collector collector(&client);
        client.setOptions(optionsFor(protocol));
        client.open();
        QTRY_COMPARE_WITH_TIMEOUT(collector.events.size(), 1, 10000);
        QCOMPARE(collector.data(), QByteArrayList{"hello"});
        QCOMPARE(client.state(), State::Open);
        QCOMPARE(client.http2Used(), protocol != Protocol::Http1Tls);
        QCOMPARE(client.httpStatus(), 200);
    }

    // Method, header fields and a request body (the DATA frames) reach the backend as sent.
    void requestHeadersAndBody_data() { protocolRows(); }
    void requestHeadersAndBody()
    {
        QFETCH(Protocol, protocol);
        m_backend->route("/stream", [](Exchange *exchange) {
            exchange->sseHead(Framing::Chunked);
            exchange->send(TestServer::formatEvent("got " + exchange->body()));
        });
        const int before = m_backend->requestCount("/stream");
        Sse::Client client;
        Collector collector(&client);
        Sse::ClientOptions options = optionsFor(protocol);
        options.method = "POST";
        options.headers = {{"Content-Type", "application/json"},
                           {"Authorization", "Bearer secret-token"},
                           {"X-Trace", "a b c"}};
        // Larger than one DATA frame (16 KiB) and than nghttp2's first window slice.
        const QByteArray body = "{\"prompt\":\"" + QByteArray(100000, 'p') + "\"}";
        options.body = body;
        client.setOptions(options);
        client.open();
        QTRY_COMPARE_WITH_TIMEOUT(collector.events.size(), 1, 10000);
        const TestServer::Request request = m_backend->requests("/stream").at(before);
        QCOMPARE(request.method, QByteArray("POST"));
        QCOMPARE(request.body, body);
        QCOMPARE(request.header("Content-Type"), QByteArray("application/json"));
        QCOMPARE(request.header("Authorization"), QByteArray("Bearer secret-token"));
        QCOMPARE(request.header("X-Trace"), QByteArray("a b c"));
        QCOMPARE(request.header("Accept"), QByteArray("text/event-stream"));
        QCOMPARE(collector.data().constFirst(), "got " + body);
        QCOMPARE(client.http2Used(), protocol != Protocol::Http1Tls);
    }

    // Event n+1 is sent only once event n has arrived: a proxy or client that held events
    // back would never see the next one.
    void eventsArriveUnbuffered_data() { protocolRows(); }
    void eventsArriveUnbuffered()
    {
        QFETCH(Protocol, protocol);
        QPointer<Exchange> stream;
        m_backend->route("/stream", [&stream](Exchange *exchange) {
            stream = exchange;
            exchange->sseHead(Framing::Chunked);
            exchange->send(TestServer::formatEvent("0"));
        });
        Sse::Client client;
        Collector collector(&client);
        QObject::connect(&client, &Sse::Client::eventsReceived, &collector.context,
                         [&](const Sse::EventBatch &) {
                             if (stream && collector.events.size() < 20)
                                 stream->send(TestServer::formatEvent(
                                     QByteArray::number(collector.events.size())));
                         });
        client.setOptions(optionsFor(protocol));
        client.open();
        QTRY_COMPARE_WITH_TIMEOUT(collector.events.size(), 20, 10000);
        QCOMPARE(collector.data().last(), QByteArray("19"));
    }

    void reconnectsWithLastEventId_data() { protocolRows(); }
    void reconnectsWithLastEventId()
    {
        QFETCH(Protocol, protocol);
        int served = 0;
        m_backend->route("/stream", [&served](Exchange *exchange) {
            const int n = ++served;
            exchange->sseHead(Framing::Chunked);
            exchange->send(TestServer::formatEvent("event " + QByteArray::number(n), {},
                                                   "id-" + QByteArray::number(n)));
            if (n == 1)
                exchange->finish(); // the server ends the body: the client comes back
        });
        const int before = m_backend->requestCount("/stream");
        Sse::Client client;
        Collector collector(&client);
        client.setOptions(optionsFor(protocol));
        client.open();
        QTRY_COMPARE_WITH_TIMEOUT(collector.events.size(), 2, 10000);
        const QList<TestServer::Request> requests = m_backend->requests("/stream").mid(before);
        QCOMPARE(requests.size(), 2);
        QVERIFY(!requests.at(0).hasHeader("Last-Event-ID"));
        QCOMPARE(requests.at(1).header("Last-Event-ID"), QByteArray("id-1"));
        QCOMPARE(collector.data(), (QByteArrayList{"event 1", "event 2"}));
        QVERIFY(collector.states.contains(State::Reconnecting));
        QCOMPARE(client.http2Used(), protocol != Protocol::Http1Tls);
    }

    // The backend gzips; nginx passes the coded body through; the client inflates it.
    void gzipBody_data() { protocolRows(); }
    void gzipBody()
    {
        QFETCH(Protocol, protocol);
        QPointer<Exchange> stream;
        m_backend->route("/stream", [&stream](Exchange *exchange) {
            stream = exchange;
            exchange->sseHead(Framing::Chunked, TestServer::Coding::Gzip);
            exchange->send(TestServer::formatEvent("compressed one"));
        });
        Sse::Client client;
        Collector collector(&client);
        client.setOptions(optionsFor(protocol));
        client.open();
        QTRY_COMPARE_WITH_TIMEOUT(collector.events.size(), 1, 10000);
        QVERIFY(stream);
        QCOMPARE(stream->request().header("Accept-Encoding"), QByteArray("gzip, deflate"));
        stream->send(TestServer::formatEvent(QByteArray(5000, 'z')));
        QTRY_COMPARE_WITH_TIMEOUT(collector.events.size(), 2, 10000);
        QCOMPARE(collector.data().at(0), QByteArray("compressed one"));
        QCOMPARE(collector.data().at(1), QByteArray(5000, 'z'));
        QVERIFY(stream->bytesWritten() < 1000); // it really was compressed
        QCOMPARE(client.http2Used(), protocol != Protocol::Http1Tls);
    }

    void followsRedirect_data() { protocolRows(); }
    void followsRedirect()
    {
        QFETCH(Protocol, protocol);
        m_backend->route("/old", [](Exchange *exchange) {
            exchange->respond(307, {{"Location", "/stream?moved=1"}});
        });
        m_backend->route("/stream", [](Exchange *exchange) {
            exchange->sseHead(Framing::Chunked);
            exchange->send(TestServer::formatEvent("after redirect " + exchange->path()));
        });
        Sse::Client client;
        Collector collector(&client);
        QSignalSpy redirected(&client, &Sse::Client::redirected);
        client.setOptions(optionsFor(protocol, QStringLiteral("/old")));
        client.open();
        QTRY_COMPARE_WITH_TIMEOUT(collector.events.size(), 1, 10000);
        QCOMPARE(redirected.size(), 1);
        QCOMPARE(redirected.at(0).at(0).toInt(), 307);
        QCOMPARE(collector.data(), QByteArrayList{"after redirect /stream?moved=1"});
        QCOMPARE(client.http2Used(), protocol != Protocol::Http1Tls);
    }

    // A stream that goes silent is dropped by the watchdog and opened again; over h2 the new
    // request is a new stream on the same (still healthy) connection.
    void idleWatchdog_data() { protocolRows(); }
    void idleWatchdog()
    {
        QFETCH(Protocol, protocol);
        m_backend->route("/stream", [](Exchange *exchange) {
            exchange->sseHead(Framing::Chunked);
            exchange->send(TestServer::formatEvent("then silence", {}, "s1"));
        });
        const int before = m_backend->requestCount("/stream");
        Sse::Client client;
        Collector collector(&client);
        Sse::ClientOptions options = optionsFor(protocol);
        options.idleTimeoutMs = 600;
        client.setOptions(options);
        client.open();
        QTRY_COMPARE_WITH_TIMEOUT(collector.events.size(), 2, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(m_backend->requestCount("/stream") - before >= 2, 5000);
        QVERIFY2(collector.errors.filter(QStringLiteral("idle timeout")).size() >= 1,
                 qPrintable(collector.errors.join(QLatin1Char('\n'))));
        QCOMPARE(m_backend->requests("/stream").at(before + 1).header("Last-Event-ID"),
                 QByteArray("s1"));
    }

    // 100 streams to one host: all open at once, over a single TCP connection with h2 (and
    // over 100 connections with HTTP/1.1, which never shares).
    void hundredStreamsShareOneConnection_data()
    {
        QTest::addColumn<Protocol>("protocol");
        QTest::addColumn<int>("expectedConnections");
        QTest::newRow("h2 over TLS (ALPN)") << Protocol::Http2Tls << 1;
        QTest::newRow("HTTP/1.1 over TLS") << Protocol::Http1Tls << 100;
    }
    void hundredStreamsShareOneConnection()
    {
        QFETCH(Protocol, protocol);
        QFETCH(int, expectedConnections);
        m_backend->route("/stream", [](Exchange *exchange) {
            exchange->sseHead(Framing::Chunked);
            exchange->send(TestServer::formatEvent("hi " + exchange->path()));
        });
        const int logBefore = int(m_nginx->accessLog().size());
        std::vector<std::unique_ptr<Sse::Client>> clients;
        int open = 0;
        QElapsedTimer clock;
        clock.start();
        for (int i = 0; i < 100; ++i) {
            auto client = std::make_unique<Sse::Client>();
            Sse::ClientOptions options =
                optionsFor(protocol, QStringLiteral("/stream?n=%1").arg(i));
            client->setOptions(options);
            QObject::connect(client.get(), &Sse::Client::stateChanged, client.get(),
                             [&open](State state) { open += state == State::Open ? 1 : 0; });
            client->open();
            clients.push_back(std::move(client));
        }
        QTRY_COMPARE_WITH_TIMEOUT(open, 100, 20000);
        qInfo("100 streams open after %lld ms", qint64(clock.elapsed()));
        for (const auto &client : clients)
            QCOMPARE(client->http2Used(), protocol == Protocol::Http2Tls);
        clients.clear(); // each stream is reset: nginx logs it with its connection number
        QTRY_VERIFY_WITH_TIMEOUT(m_nginx->accessLog().size() - logBefore >= 100, 10000);
        QSet<QString> connections;
        int streams = 0;
        for (const QString &line : m_nginx->accessLog().mid(logBefore)) {
            if (!line.contains(QLatin1String("/stream?n=")))
                continue;
            ++streams;
            connections.insert(line.section(QLatin1Char(' '), 0, 0));
        }
        QCOMPARE(streams, 100);
        QCOMPARE(connections.size(), expectedConnections);
    }

    // Streams share an h2 connection only when they trust the server alike: one that checks
    // the certificate never joins a connection made without checking it.
    void trustDecidesSharing_data()
    {
        QTest::addColumn<bool>("firstInsecure");
        QTest::addColumn<bool>("secondInsecure");
        QTest::addColumn<int>("expectedConnections");
        QTest::newRow("both check the certificate") << false << false << 1;
        QTest::newRow("unchecked, then checked") << true << false << 2;
        QTest::newRow("checked, then unchecked") << false << true << 2;
    }
    void trustDecidesSharing()
    {
        QFETCH(bool, firstInsecure);
        QFETCH(bool, secondInsecure);
        QFETCH(int, expectedConnections);
        m_backend->route("/trust", [](Exchange *exchange) {
            exchange->sseHead(Framing::Chunked);
            exchange->send(TestServer::formatEvent("hi " + exchange->path()));
        });
        QList<Sse::ClientOptions> list;
        for (const bool insecure : {firstInsecure, secondInsecure}) {
            list.append(
                optionsFor(Protocol::Http2Tls, QStringLiteral("/trust?n=%1").arg(list.size())));
            list.last().allowInsecureTls = insecure;
        }
        const QStringList connections = connectionsOneAfterAnother(list);
        QCOMPARE(connections.size(), 2);
        QCOMPARE(QSet<QString>(connections.cbegin(), connections.cend()).size(),
                 expectedConnections);
    }

    // Through a proxy (a CONNECT tunnel, SOCKS5) streams speak h2 too, and share one
    // connection through that proxy; a direct stream to the same origin takes its own.
    void throughProxy_data()
    {
        QTest::addColumn<QString>("daemon");
        QTest::addColumn<QString>("scheme");
        QTest::newRow("CONNECT tunnel (tinyproxy)") << "tinyproxy"
                                                    << "http";
        QTest::newRow("SOCKS5 (danted)") << "danted"
                                         << "socks5h";
        QTest::newRow("SOCKS5 with a password (microsocks)") << "microsocks"
                                                             << "socks5";
    }
    void throughProxy()
    {
        QFETCH(QString, daemon);
        QFETCH(QString, scheme);
        QVERIFY2(!findDaemon(daemon).isEmpty(),
                 qPrintable(daemon + u" missing: scripts/deps.sh installs it"_s));
        ProxyDaemon proxy;
        QString credentials;
        bool started = false;
        if (daemon == u"tinyproxy"_s) {
            started = proxy.startTinyproxy(quint16(m_nginx->tlsUrl().port()));
        } else if (daemon == u"danted"_s) {
            started = proxy.startDante();
        } else {
            started = proxy.startMicrosocks(u"user"_s, u"s3cret"_s);
            credentials = u"user:s3cret@"_s;
        }
        QVERIFY2(started, qPrintable(proxy.output()));
        m_backend->route("/via", [](Exchange *exchange) {
            exchange->sseHead(Framing::Chunked);
            exchange->send(TestServer::formatEvent("hi " + exchange->path()));
        });
        QList<Sse::ClientOptions> list;
        for (const QString &path : {u"/via?p=0"_s, u"/via?p=1"_s, u"/via?d=2"_s})
            list.append(optionsFor(Protocol::Http2Tls, path));
        const QString proxyUrl =
            scheme + u"://"_s + credentials + u"127.0.0.1:%1"_s.arg(proxy.port());
        list[0].proxy = proxyUrl;
        list[1].proxy = proxyUrl;
        const QStringList connections = connectionsOneAfterAnother(list);
        QVERIFY2(connections.size() == 3, qPrintable(proxy.output()));
        QCOMPARE(connections.at(0), connections.at(1)); // the proxied ones share one
        QVERIFY(connections.at(2) != connections.at(0)); // the direct one has its own
    }

    // A client certificate goes with h2 as with HTTP/1.1; streams with it share a connection,
    // and a stream without it never joins theirs (nor the other way round).
    void clientCertificateOverHttp2()
    {
        m_backend->route("/cert", [](Exchange *exchange) {
            exchange->sseHead(Framing::Chunked);
            exchange->send(TestServer::formatEvent("hi " + exchange->path()));
        });
        QList<Sse::ClientOptions> list;
        for (const QString &path : {u"/cert?c=0"_s, u"/cert?c=1"_s, u"/cert?n=2"_s})
            list.append(optionsFor(Protocol::Http2Tls, path));
        for (int i : {0, 1}) {
            list[i].clientCertificateFile = QStringLiteral(TLS_DATA_DIR "/client.pem");
            list[i].clientKeyFile = QStringLiteral(TLS_DATA_DIR "/client.key");
        }
        const QStringList connections = connectionsOneAfterAnother(list);
        QCOMPARE(connections.size(), 3);
        QCOMPARE(connections.at(0), connections.at(1)); // the ones with it share one
        QVERIFY(connections.at(2) != connections.at(0)); // the one without has its own
        QCOMPARE(clientVerifyOf(u"/cert?c=0"_s), u"SUCCESS"_s);
        QCOMPARE(clientVerifyOf(u"/cert?c=1"_s), u"SUCCESS"_s);
        QCOMPARE(clientVerifyOf(u"/cert?n=2"_s), u"NONE"_s);
    }

    // An https server without h2: ALPN offers it, the server chooses http/1.1, and every
    // stream goes on over HTTP/1.1 (the ones that waited for the first answer included).
    void serverWithoutHttp2GetsHttp1()
    {
        m_backend->route("/stream", [](Exchange *exchange) {
            exchange->sseHead(Framing::Chunked);
            exchange->send(TestServer::formatEvent("h1 " + exchange->path()));
        });
        const int logBefore = int(m_nginx->accessLog().size());
        std::vector<std::unique_ptr<Sse::Client>> clients;
        int open = 0;
        for (int i = 0; i < 10; ++i) {
            auto client = std::make_unique<Sse::Client>();
            Sse::ClientOptions options = optionsFor(Protocol::Http2Tls);
            options.url = m_nginx->tlsHttp1Url(QStringLiteral("/stream?h=%1").arg(i));
            client->setOptions(options);
            QObject::connect(client.get(), &Sse::Client::stateChanged, client.get(),
                             [&open](State state) { open += state == State::Open ? 1 : 0; });
            client->open();
            clients.push_back(std::move(client));
        }
        QTRY_COMPARE_WITH_TIMEOUT(open, 10, 10000);
        for (const auto &client : clients)
            QVERIFY(!client->http2Used());
        clients.clear();
        QTRY_VERIFY_WITH_TIMEOUT(m_nginx->accessLog().size() - logBefore >= 10, 10000);
        QSet<QString> connections;
        for (const QString &line : m_nginx->accessLog().mid(logBefore)) {
            if (line.contains(QLatin1String("/stream?h=")))
                connections.insert(line.section(QLatin1Char(' '), 0, 0));
        }
        QCOMPARE(connections.size(), 10); // HTTP/1.1: one connection per request
    }

    // The first request to an origin finds out whether it speaks h2 while the next ones wait;
    // when that first one is closed during its handshake, the others go on at once (not after
    // their connect timeout).
    void waitersGoOnWhenTheFirstRequestIsClosed()
    {
        QVERIFY(restartNginx({})); // no connection to this nginx in the pool yet
        m_backend->route("/stream", [](Exchange *exchange) {
            exchange->sseHead(Framing::Chunked);
            exchange->send(TestServer::formatEvent("in"));
        });
        Sse::ClientOptions options = optionsFor(Protocol::Http2Tls);
        options.connectTimeoutMs = 60000;
        Sse::Client first;
        Sse::Client second;
        first.setOptions(options);
        second.setOptions(options);
        first.open();
        second.open(); // waits for first's answer
        first.close();
        QElapsedTimer clock;
        clock.start();
        QTRY_COMPARE_WITH_TIMEOUT(second.state(), State::Open, 10000);
        QVERIFY(clock.elapsed() < 5000);
        QVERIFY(second.http2Used());
    }

    // Past SETTINGS_MAX_CONCURRENT_STREAMS requests wait; each ended stream lets one in.
    void queuesPastMaximumConcurrentStreams()
    {
        NginxServer::Settings settings;
        settings.maximumStreams = 4;
        QVERIFY(restartNginx(settings));
        m_backend->route("/stream", [](Exchange *exchange) {
            exchange->sseHead(Framing::Chunked);
            exchange->send(TestServer::formatEvent("in"));
        });
        std::vector<std::unique_ptr<Sse::Client>> clients;
        int open = 0;
        for (int i = 0; i < 6; ++i) {
            auto client = std::make_unique<Sse::Client>();
            client->setOptions(optionsFor(Protocol::Http2Tls));
            QObject::connect(client.get(), &Sse::Client::stateChanged, client.get(),
                             [&open](State state) { open += state == State::Open ? 1 : 0; });
            client->open();
            clients.push_back(std::move(client));
        }
        QTRY_COMPARE_WITH_TIMEOUT(open, 4, 10000);
        // Two wait in the queue, not refused: still connecting, no error.
        int connecting = 0;
        for (const auto &client : clients)
            connecting += client->state() == State::Connecting ? 1 : 0;
        QCOMPARE(connecting, 2);
        const int requestsBefore = m_backend->requestCount("/stream");
        // One waiting request is given up: it never reaches the server.
        for (auto &client : clients) {
            if (client->state() == State::Connecting) {
                client->close();
                break;
            }
        }
        for (auto &client : clients) {
            if (client->state() == State::Open) {
                client->close();
                break;
            }
        }
        QTRY_COMPARE_WITH_TIMEOUT(open, 5, 10000);
        QCOMPARE(m_backend->requestCount("/stream"), requestsBefore + 1);
        QVERIFY(restartNginx({}));
    }

    // nginx ends a connection after keepalive_requests streams with GOAWAY: the streams it
    // took keep running, the next request goes to a new connection.
    void goawayMovesNewStreamsToANewConnection()
    {
        NginxServer::Settings settings;
        settings.keepaliveRequests = 2;
        QVERIFY(restartNginx(settings));
        QPointer<Exchange> first;
        m_backend->route("/stream", [&first](Exchange *exchange) {
            if (!first)
                first = exchange;
            exchange->sseHead(Framing::Chunked);
            exchange->send(TestServer::formatEvent("open " + exchange->path()));
        });
        std::vector<std::unique_ptr<Sse::Client>> clients;
        std::vector<std::unique_ptr<Collector>> collectors;
        for (int i = 0; i < 4; ++i) {
            auto client = std::make_unique<Sse::Client>();
            collectors.push_back(std::make_unique<Collector>(client.get()));
            client->setOptions(optionsFor(Protocol::Http2Tls, QStringLiteral("/stream?g=%1").arg(i)));
            client->open();
            // One after the other, so that the GOAWAY has come before the next request.
            QTRY_COMPARE_WITH_TIMEOUT(collectors.back()->events.size(), 1, 10000);
            clients.push_back(std::move(client));
        }
        for (const auto &client : clients)
            QCOMPARE(client->state(), State::Open);
        // The first stream still delivers on its GOAWAY'd connection.
        QVERIFY(first);
        first->send(TestServer::formatEvent("still here"));
        QTRY_COMPARE_WITH_TIMEOUT(collectors.front()->events.size(), 2, 10000);
        const int logBefore = int(m_nginx->accessLog().size());
        clients.clear();
        QTRY_VERIFY_WITH_TIMEOUT(m_nginx->accessLog().size() - logBefore >= 4, 10000);
        QSet<QString> connections;
        for (const QString &line : m_nginx->accessLog().mid(logBefore)) {
            if (line.contains(QLatin1String("/stream?g=")))
                connections.insert(line.section(QLatin1Char(' '), 0, 0));
        }
        QCOMPARE(connections.size(), 2);
        QVERIFY(restartNginx({}));
    }

    // The upstream dies in the middle of a chunked body: nginx resets the h2 stream, and the
    // client treats it as a network error (the events before it kept, a reconnect follows).
    void upstreamResetResetsTheStream()
    {
        int served = 0;
        m_backend->route("/stream", [&served](Exchange *exchange) {
            exchange->sseHead(Framing::Chunked);
            exchange->send(TestServer::formatEvent("before reset", {}, "r" + QByteArray::number(++served)));
            if (served == 1)
                QTimer::singleShot(100, exchange, [exchange] { exchange->abort(); });
        });
        const int before = m_backend->requestCount("/stream");
        Sse::Client client;
        Collector collector(&client);
        client.setOptions(optionsFor(Protocol::Http2Tls));
        client.open();
        QTRY_COMPARE_WITH_TIMEOUT(collector.events.size(), 2, 10000);
        QVERIFY2(collector.errors.filter(QStringLiteral("reset the HTTP/2 stream")).size() == 1,
                 qPrintable(collector.errors.join(QLatin1Char('\n'))));
        QCOMPARE(m_backend->requests("/stream").at(before + 1).header("Last-Event-ID"),
                 QByteArray("r1"));
        QVERIFY(client.http2Used());
    }

    // `check` through nginx: with proxy_buffering on the events come in bursts and the
    // buffering finding fires; with it off they do not.
    void checkFindsProxyBuffering_data()
    {
        QTest::addColumn<bool>("buffering");
        QTest::newRow("proxy_buffering on") << true;
        QTest::newRow("proxy_buffering off") << false;
    }
    void checkFindsProxyBuffering()
    {
        QFETCH(bool, buffering);
        NginxServer::Settings settings;
        settings.proxyBuffering = buffering;
        QVERIFY(restartNginx(settings));
        // Small events every 20 ms, close-delimited: nginx holds a partly filled proxy buffer
        // (4 KiB, about 25 events) until it is full. (A chunked upstream body is passed on
        // chunk by chunk even with buffering on: nginx 1.22 hands a partial buffer to its
        // chunked parser at once.)
        m_backend->route("/stream", [](Exchange *exchange) {
            exchange->sseHead(Framing::CloseDelimited);
            auto *timer = new QTimer(exchange);
            auto count = std::make_shared<int>(0);
            QObject::connect(timer, &QTimer::timeout, exchange, [exchange, count] {
                ++*count;
                exchange->send(TestServer::formatEvent(QByteArray(150, 'x'), {},
                                                       QByteArray::number(*count)));
            });
            timer->start(20);
        });
        QByteArray output;
        const int exitCode = runCli({QStringLiteral("check"), m_nginx->tlsUrl().toString(),
                                     QStringLiteral("--insecure"), QStringLiteral("--duration"),
                                     QStringLiteral("4"), QStringLiteral("--no-resume-check"),
                                     QStringLiteral("--json")},
                                    &output);
        QVERIFY2(exitCode == 0, output.constData()); // warnings only, no failure
        const QJsonObject report = QJsonDocument::fromJson(output).object();
        QVERIFY2(!report.isEmpty(), output.constData());
        QString buffered;
        QString version;
        for (const QJsonValue &value : report.value(QLatin1String("findings")).toArray()) {
            const QJsonObject finding = value.toObject();
            if (finding.value(QLatin1String("id")).toString() == QLatin1String("delivery.buffering"))
                buffered = finding.value(QLatin1String("severity")).toString();
            if (finding.value(QLatin1String("id")).toString() == QLatin1String("response.http-version"))
                version = finding.value(QLatin1String("title")).toString();
        }
        QCOMPARE(buffered, buffering ? QStringLiteral("warning") : QStringLiteral("pass"));
        QVERIFY2(version.startsWith(QLatin1String("HTTP/2")), qPrintable(version));
        QVERIFY(restartNginx({}));
    }

    // The CLI's state records say which protocol was negotiated; --http1.1 turns h2 off.
    void cliRecordsProtocol_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<bool>("cleartext");
        QTest::addColumn<QString>("protocol");
        QTest::newRow("https") << QStringList{QStringLiteral("--insecure")} << false
                               << QStringLiteral("HTTP/2");
        QTest::newRow("https --http1.1")
            << QStringList{QStringLiteral("--insecure"), QStringLiteral("--http1.1")} << false
            << QStringLiteral("HTTP/1.1");
        QTest::newRow("http --http2-prior-knowledge")
            << QStringList{QStringLiteral("--http2-prior-knowledge")} << true
            << QStringLiteral("HTTP/2");
    }
    void cliRecordsProtocol()
    {
        QFETCH(QStringList, arguments);
        QFETCH(bool, cleartext);
        QFETCH(QString, protocol);
        m_backend->route("/stream", [](Exchange *exchange) {
            exchange->sseHead(Framing::Chunked);
            exchange->send(TestServer::formatEvent("one"));
        });
        const QUrl url = cleartext ? m_nginx->cleartextUrl() : m_nginx->tlsUrl();
        QByteArray output;
        QCOMPARE(runCli(arguments
                            + QStringList{url.toString(), QStringLiteral("--states"),
                                          QStringLiteral("--max-events"), QStringLiteral("1")},
                        &output),
                 0);
        QString seen;
        for (const QByteArray &line : output.split('\n')) {
            const QJsonObject record = QJsonDocument::fromJson(line).object();
            if (record.value(QLatin1String("state")).toString() == QLatin1String("open"))
                seen = record.value(QLatin1String("protocol")).toString();
        }
        QCOMPARE(seen, protocol);
    }

    // The switches live in profiles: a profile file with http2PriorKnowledge makes the CLI
    // speak h2c, one with http1Only keeps https on HTTP/1.1; defaults write neither key.
    void profilesCarryProtocolSwitches_data()
    {
        QTest::addColumn<bool>("cleartext");
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("protocol");
        QTest::newRow("http2PriorKnowledge") << true << QStringLiteral("http2PriorKnowledge")
                                             << QStringLiteral("HTTP/2");
        QTest::newRow("http1Only") << false << QStringLiteral("http1Only")
                                   << QStringLiteral("HTTP/1.1");
    }
    void profilesCarryProtocolSwitches()
    {
        QFETCH(bool, cleartext);
        QFETCH(QString, key);
        QFETCH(QString, protocol);
        m_backend->route("/stream", [](Exchange *exchange) {
            exchange->sseHead(Framing::Chunked);
            exchange->send(TestServer::formatEvent("profiled"));
        });
        Sse::ClientOptions options = optionsFor(cleartext ? Protocol::Http2PriorKnowledge
                                                          : Protocol::Http1Tls);
        QVERIFY(!Sse::profileToJson({QStringLiteral("plain"), Sse::ClientOptions()},
                                    Sse::SecretHandling::Include)
                     .contains(key));
        const QJsonObject object = Sse::profileToJson({QStringLiteral("via nginx"), options},
                                                      Sse::SecretHandling::Include);
        QCOMPARE(object.value(key).toBool(), true);
        QVERIFY(Sse::profileFromJson(object).options == options);
        QTemporaryFile file;
        QVERIFY(file.open());
        file.write(QJsonDocument(QJsonArray{object}).toJson());
        file.close();
        QByteArray output;
        QCOMPARE(runCli({QStringLiteral("--profiles-file"), file.fileName(),
                         QStringLiteral("--profile"), QStringLiteral("via nginx"),
                         QStringLiteral("--states"), QStringLiteral("--max-events"),
                         QStringLiteral("1")},
                        &output),
                 0);
        QVERIFY2(output.contains(QByteArray("\"protocol\":\"" + protocol.toUtf8() + '"')), output.constData());
        QVERIFY(output.contains("profiled"));
    }

    // Prior knowledge against a server that speaks only HTTP/1.1: a clear failure, no loop.
    void priorKnowledgeAgainstHttp1Fails()
    {
        m_backend->route("/stream", [](Exchange *exchange) {
            exchange->sseHead(Framing::Chunked);
        });
        Sse::Client client;
        Collector collector(&client);
        Sse::ClientOptions options;
        options.url = m_backend->url("/stream");
        options.http2PriorKnowledge = true;
        client.setOptions(options);
        client.open();
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), State::Failed, 10000);
        QVERIFY2(client.failure().message.contains(QLatin1String("prior knowledge")),
                 qPrintable(client.failure().message));
    }

    // A reader that stops taking events stops the server: the stream window closes, nginx
    // stops reading its upstream, and the backend's socket fills up.
    void slowReaderSlowsTheServer()
    {
        QPointer<Exchange> stream;
        m_backend->route("/stream", [&stream](Exchange *exchange) {
            stream = exchange;
            exchange->sseHead(Framing::Chunked);
        });
        auto flow = std::make_shared<Sse::FlowControl>(64 * 1024);
        Sse::Client client;
        client.setFlowControl(flow); // nobody releases: the client throttles past 64 KiB
        QSignalSpy throttled(&client, &Sse::Client::throttleChanged);
        client.setOptions(optionsFor(Protocol::Http2Tls));
        client.open();
        QTRY_VERIFY_WITH_TIMEOUT(stream, 10000);
        const QByteArray event = TestServer::formatEvent(QByteArray(1000, 'e'));
        constexpr qint64 Cap = 64 * 1024 * 1024;
        qint64 sent = 0;
        // The backend writes whenever its socket has room.
        auto feed = [&] {
            while (stream && stream->socket()->bytesToWrite() < 256 * 1024 && sent < Cap) {
                stream->send(event);
                sent += event.size();
            }
        };
        QVERIFY(QTest::qWaitFor([&] { feed(); return client.statistics().throttled; }, 10000));
        QVERIFY(!throttled.isEmpty());
        // Held back: in 3 s the backend cannot get 64 MiB out (loopback would take well
        // under a second without back-pressure).
        const bool floodedThrough = QTest::qWaitFor([&] { feed(); return sent >= Cap; }, 3000);
        const qint64 received = client.statistics().bytes;
        qInfo("throttled reader: the backend got %lld bytes out, the client took %lld", sent,
              received);
        QVERIFY(!floodedThrough);
        QVERIFY(received < 4 * 1024 * 1024);
        // Another stream on the same connection is not held back by the stalled one.
        m_backend->route("/other", [](Exchange *exchange) {
            exchange->sseHead(Framing::Chunked);
            for (int i = 0; i < 50; ++i)
                exchange->send(TestServer::formatEvent("other " + QByteArray::number(i)));
        });
        const int logBefore = int(m_nginx->accessLog().size());
        Sse::Client other;
        Collector otherEvents(&other);
        other.setOptions(optionsFor(Protocol::Http2Tls, QStringLiteral("/other")));
        other.open();
        QTRY_COMPARE_WITH_TIMEOUT(otherEvents.events.size(), 50, 10000);
        QVERIFY(client.statistics().throttled);
        other.close();
        // The reader catches up: every byte arrives, none was lost while it waited.
        QObject::connect(&client, &Sse::Client::eventsReceived, &client,
                         [flow](const Sse::EventBatch &batch) {
                             flow->release(Sse::FlowControl::cost(batch));
                         });
        flow->release(flow->pendingBytes());
        QTRY_COMPARE_WITH_TIMEOUT(client.statistics().bytes, sent, 30000);
        // Both streams went over one connection.
        client.close();
        QTRY_VERIFY_WITH_TIMEOUT(m_nginx->accessLog().size() - logBefore >= 2, 10000);
        const QStringList last = m_nginx->accessLog().mid(logBefore);
        QVERIFY2(last.size() >= 2 && last.at(0).section(QLatin1Char(' '), 0, 0)
                                         == last.at(1).section(QLatin1Char(' '), 0, 0),
                 qPrintable(last.join(QLatin1Char('\n'))));
    }
};

QTEST_GUILESS_MAIN(TestHttp2)
#include "tst_http2.moc"
