// Sse::Client through real proxies from Debian: tinyproxy (HTTP forward proxy, CONNECT tunnel,
// Basic authentication) and dante-server (SOCKS5), each started here with its own config in
// a temporary directory, in front of loopback SSE servers (plain TestServer, TLS with the test
// CA). Also the proxy choice from curl's environment variables, without any process.

#include "proxydaemon.h"
#include "testserver.h"
#include "tlssseserver.h"

#include "sselib/proxy.h"
#include "sselib/sseclient.h"

#include <QElapsedTimer>
#include <QFile>
#include <QNetworkInterface>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;

namespace {

QString dataDirectory()
{
    return QStringLiteral(TLS_DATA_DIR);
}

QByteArray readData(const QString &name)
{
    QFile file(dataDirectory() + QLatin1Char('/') + name);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// Events with the time each arrived, on the test's monotonic clock.
struct Arrivals
{
    QList<QByteArray> data;
    QList<qint64> atMs;
};

void record(Sse::Client *client, Arrivals *arrivals, const QElapsedTimer *clock)
{
    QObject::connect(client, &Sse::Client::eventsReceived, client,
                     [arrivals, clock](const Sse::EventBatch &events) {
                         for (const Sse::EventView event : events) {
                             arrivals->data.append(event.data.toByteArray());
                             arrivals->atMs.append(clock->elapsed());
                         }
                     });
}

// Opens \a client, whose server writes "one" and, 300 ms later, "two": they must arrive about
// 300 ms apart, not together (a proxy that buffered the stream would hold the first).
void expectUnbuffered(Sse::Client &client)
{
    QElapsedTimer clock;
    clock.start();
    Arrivals arrivals;
    record(&client, &arrivals, &clock);
    client.open();
    QTRY_COMPARE_WITH_TIMEOUT(arrivals.data.size(), 2, 10000);
    QCOMPARE(arrivals.data, (QList<QByteArray>{"one", "two"}));
    // A proxy that held the first event would deliver both together (a gap near 0). On a busy
    // machine the first arrival can itself be late by tens of milliseconds, which shortens the
    // gap without anything being held, so the bound is half the spacing.
    const qint64 gap = arrivals.atMs.at(1) - arrivals.atMs.at(0);
    QVERIFY2(gap >= 150,
             qPrintable(QStringLiteral("gap %1 ms: the proxy held the first event").arg(gap)));
}

} // namespace

class TestProxy : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void environment_data();
    void environment();
    void noProxyList_data();
    void noProxyList();
    void proxyUrls_data();
    void proxyUrls();
    void httpForwardIsUnbuffered();
    void httpsTunnel();
    void tunnelRefused();
    void authentication_data();
    void authentication();
    void proxyRefusesConnection();
    void socks_data();
    void socks();
    void socksAuthentication_data();
    void socksAuthentication();
    void cliProxyOption_data();
    void cliProxyOption();
    void cliEnvironment_data();
    void cliEnvironment();
    void checkAndProbeThroughProxy_data();
    void checkAndProbeThroughProxy();
};

void TestProxy::initTestCase()
{
    if (findDaemon(QStringLiteral("tinyproxy")).isEmpty()
        || findDaemon(QStringLiteral("danted")).isEmpty()
        || findDaemon(QStringLiteral("microsocks")).isEmpty()) {
        const QByteArray message = "tinyproxy, danted or microsocks missing: install them with "
                                   "scripts/deps.sh (Debian packages tinyproxy, dante-server, "
                                   "microsocks)";
        if (qEnvironmentVariable("CI") == QLatin1String("true"))
            QFAIL(message.constData());
        QSKIP(message.constData());
    }
}

void TestProxy::environment_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QStringList>("variables"); // NAME=value
    QTest::addColumn<QString>("configured");
    QTest::addColumn<QString>("noProxy");
    QTest::addColumn<QString>("expected"); // displayUrl, or "" for none
    QTest::addColumn<QString>("source");

    const QString http = QStringLiteral("http://api.example.com/events");
    const QString https = QStringLiteral("https://api.example.com/events");
    QTest::newRow("nothing set") << http << QStringList() << QString() << QString() << QString()
                                 << QString();
    QTest::newRow("http_proxy for http")
        << http << QStringList{QStringLiteral("http_proxy=http://proxy:3128")} << QString()
        << QString() << QStringLiteral("http://proxy:3128") << QStringLiteral("http_proxy");
    QTest::newRow("upper-case HTTP_PROXY ignored, as curl does")
        << http << QStringList{QStringLiteral("HTTP_PROXY=http://proxy:3128")} << QString()
        << QString() << QString() << QString();
    QTest::newRow("http_proxy not for https")
        << https << QStringList{QStringLiteral("http_proxy=http://proxy:3128")} << QString()
        << QString() << QString() << QString();
    QTest::newRow("HTTPS_PROXY for https")
        << https << QStringList{QStringLiteral("HTTPS_PROXY=proxy:8080")} << QString() << QString()
        << QStringLiteral("http://proxy:8080") << QStringLiteral("HTTPS_PROXY");
    QTest::newRow("lower case first")
        << https
        << QStringList{QStringLiteral("HTTPS_PROXY=http://upper:1"),
                       QStringLiteral("https_proxy=http://lower:2")}
        << QString() << QString() << QStringLiteral("http://lower:2") << QStringLiteral("https_proxy");
    QTest::newRow("ALL_PROXY as the fallback")
        << https << QStringList{QStringLiteral("ALL_PROXY=socks5h://s:1080")} << QString()
        << QString() << QStringLiteral("socks5h://s:1080") << QStringLiteral("ALL_PROXY");
    QTest::newRow("default port 1080, user kept, password hidden")
        << http << QStringList{QStringLiteral("http_proxy=http://me:secret@proxy")} << QString()
        << QString() << QStringLiteral("http://me@proxy:1080") << QStringLiteral("http_proxy");
    QTest::newRow("NO_PROXY suffix")
        << http
        << QStringList{QStringLiteral("http_proxy=http://proxy:3128"),
                       QStringLiteral("NO_PROXY=example.com")}
        << QString() << QString() << QString() << QString();
    QTest::newRow("no_proxy leading dot")
        << http
        << QStringList{QStringLiteral("http_proxy=http://proxy:3128"),
                       QStringLiteral("no_proxy=.example.com")}
        << QString() << QString() << QString() << QString();
    QTest::newRow("NO_PROXY other domain")
        << http
        << QStringList{QStringLiteral("http_proxy=http://proxy:3128"),
                       QStringLiteral("NO_PROXY=ample.com,other.org")}
        << QString() << QString() << QStringLiteral("http://proxy:3128")
        << QStringLiteral("http_proxy");
    QTest::newRow("NO_PROXY star")
        << https
        << QStringList{QStringLiteral("https_proxy=http://proxy:3128"), QStringLiteral("NO_PROXY=*")}
        << QString() << QString() << QString() << QString();
    QTest::newRow("loopback never through an environment proxy")
        << QStringLiteral("http://127.0.0.1:8080/")
        << QStringList{QStringLiteral("http_proxy=http://proxy:3128")} << QString() << QString()
        << QString() << QString();
    QTest::newRow("configured proxy wins over the environment")
        << http << QStringList{QStringLiteral("http_proxy=http://proxy:3128")}
        << QStringLiteral("socks5://127.0.0.1:9050") << QString()
        << QStringLiteral("socks5://127.0.0.1:9050") << QStringLiteral("connection");
    QTest::newRow("configured proxy also for loopback")
        << QStringLiteral("http://127.0.0.1:8080/") << QStringList()
        << QStringLiteral("http://127.0.0.1:8888") << QString()
        << QStringLiteral("http://127.0.0.1:8888") << QStringLiteral("connection");
    QTest::newRow("--noproxy applies to the configured proxy")
        << http << QStringList() << QStringLiteral("http://127.0.0.1:8888")
        << QStringLiteral("example.com") << QString() << QString();
    QTest::newRow("--noproxy replaces NO_PROXY")
        << http
        << QStringList{QStringLiteral("http_proxy=http://proxy:3128"),
                       QStringLiteral("NO_PROXY=example.com")}
        << QString() << QStringLiteral("other.org") << QStringLiteral("http://proxy:3128")
        << QStringLiteral("http_proxy");
}

void TestProxy::environment()
{
    QFETCH(QString, url);
    QFETCH(QStringList, variables);
    QFETCH(QString, configured);
    QFETCH(QString, noProxy);
    QFETCH(QString, expected);
    QFETCH(QString, source);
    QProcessEnvironment environment;
    for (const QString &variable : std::as_const(variables)) {
        const qsizetype equals = variable.indexOf(QLatin1Char('='));
        environment.insert(variable.left(equals), variable.mid(equals + 1));
    }
    QString error;
    const Sse::Proxy proxy = Sse::proxyForUrl(QUrl(url), configured, noProxy, environment, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(proxy.displayUrl(), expected);
    QCOMPARE(proxy.isNone() ? QString() : proxy.source, source);
}

void TestProxy::noProxyList_data()
{
    QTest::addColumn<QString>("list");
    QTest::addColumn<QString>("host");
    QTest::addColumn<bool>("matches");
    QTest::newRow("exact") << "example.com" << "example.com" << true;
    QTest::newRow("subdomain") << "example.com" << "a.b.example.com" << true;
    QTest::newRow("not a suffix of a label") << "example.com" << "badexample.com" << false;
    QTest::newRow("case") << "Example.COM" << "api.example.com" << true;
    QTest::newRow("star dot") << "*.example.com" << "api.example.com" << true;
    QTest::newRow("list with spaces") << "foo.org, example.com" << "example.com" << true;
    QTest::newRow("ip") << "10.1.2.3" << "10.1.2.3" << true;
    QTest::newRow("other ip") << "10.1.2.3" << "10.1.2.4" << false;
    QTest::newRow("cidr") << "10.0.0.0/8" << "10.20.30.40" << true;
    QTest::newRow("cidr outside") << "10.0.0.0/8" << "11.0.0.1" << false;
    QTest::newRow("ipv6") << "::1" << "[::1]" << true;
    QTest::newRow("star") << "*" << "anything.example" << true;
    QTest::newRow("empty") << "" << "example.com" << false;
}

void TestProxy::noProxyList()
{
    QFETCH(QString, list);
    QFETCH(QString, host);
    QFETCH(bool, matches);
    QCOMPARE(Sse::noProxyMatches(list, host), matches);
}

void TestProxy::proxyUrls_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QString>("shown");
    QTest::newRow("http") << "http://127.0.0.1:8888" << true << "http://127.0.0.1:8888";
    QTest::newRow("bare host:port") << "proxy.local:3128" << true << "http://proxy.local:3128";
    QTest::newRow("socks5h with user") << "socks5h://u%40x:p@h:1" << true << "socks5h://u%40x@h:1";
    QTest::newRow("https proxy unsupported") << "https://proxy:443" << false << "";
    QTest::newRow("path") << "http://proxy:3128/path" << false << "";
    QTest::newRow("no host") << "http://:3128" << false << "";
}

void TestProxy::proxyUrls()
{
    QFETCH(QString, text);
    QFETCH(bool, valid);
    QFETCH(QString, shown);
    Sse::Proxy proxy;
    QString error;
    QCOMPARE(Sse::parseProxyUrl(text, &proxy, &error), valid);
    QCOMPARE(proxy.displayUrl(), shown);
    QCOMPARE(error.isEmpty(), valid);
    QVERIFY(!Sse::proxyUrlWithoutPassword(text).contains(QLatin1String(":p@")));
}

// The second event is written 300 ms after the first: through the proxy, the first must
// arrive before the second is sent, not together with it.
void TestProxy::httpForwardIsUnbuffered()
{
    TestServer server;
    server.route("/events", [](TestServer::Exchange *exchange) {
        exchange->sseHead(TestServer::Framing::Chunked);
        exchange->send(TestServer::formatEvent("one"));
        exchange->sendLater(300, TestServer::formatEvent("two"));
    });
    ProxyDaemon proxy;
    QVERIFY2(proxy.startTinyproxy(443), qPrintable(proxy.output()));

    Sse::ClientOptions options;
    options.url = server.url("/events");
    options.proxy = proxy.url();
    Sse::Client client;
    client.setOptions(options);
    expectUnbuffered(client);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(client.proxyUsed(), proxy.url());
    // The request reached the server through tinyproxy, which adds its Via header.
    QCOMPARE(server.requestCount("/events"), 1);
    QVERIFY2(server.requests("/events").first().header("Via").contains("tinyproxy"),
             server.requests("/events").first().header("Via").constData());
}

void TestProxy::httpsTunnel()
{
    TlsSseServer server;
    QVERIFY(server.listen(dataDirectory(), TlsSseServer::ClientCertificates::NotAsked));
    server.setScript({{0, "data: one\n\n"}, {300, "data: two\n\n"}});
    ProxyDaemon proxy;
    QVERIFY2(proxy.startTinyproxy(server.port()), qPrintable(proxy.output()));

    Sse::ClientOptions options;
    options.url = server.url();
    options.proxy = proxy.url();
    options.caCertificatesPem = readData(QStringLiteral("ca.pem"));
    Sse::Client client;
    client.setOptions(options);
    expectUnbuffered(client);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(client.state(), Sse::Client::State::Open);
    QTRY_VERIFY(proxy.output().contains(QStringLiteral("CONNECT 127.0.0.1:%1").arg(server.port())));
}

void TestProxy::tunnelRefused()
{
    TlsSseServer server;
    QVERIFY(server.listen(dataDirectory(), TlsSseServer::ClientCertificates::NotAsked));
    ProxyDaemon proxy;
    // CONNECT is allowed to port 443 only.
    QVERIFY2(proxy.startTinyproxy(443), qPrintable(proxy.output()));
    Sse::ClientOptions options;
    options.url = server.url();
    options.proxy = proxy.url();
    options.caCertificatesPem = readData(QStringLiteral("ca.pem"));
    Sse::Client client;
    client.setOptions(options);
    client.open();
    QTRY_COMPARE_WITH_TIMEOUT(client.state(), Sse::Client::State::Failed, 10000);
    const QString expected = QStringLiteral("proxy 127.0.0.1:%1 refused the tunnel to 127.0.0.1:%2: "
                                            "HTTP 403")
                                 .arg(proxy.port())
                                 .arg(server.port());
    QVERIFY2(client.failure().message.startsWith(expected), qPrintable(client.failure().message));
    QCOMPARE(server.responses(), 0);
}

void TestProxy::authentication_data()
{
    QTest::addColumn<bool>("tls");
    QTest::addColumn<QString>("credentials"); // user:password@ or empty
    QTest::addColumn<bool>("opens");
    QTest::addColumn<QString>("expected"); // in the failure; %1 = the proxy's port
    QTest::newRow("http, none") << false << "" << false
                                << "proxy 127.0.0.1:%1 wants other credentials: HTTP 407";
    // tinyproxy answers wrong credentials with 401, as if it were the origin server.
    QTest::newRow("http, wrong") << false << "user:wrong@" << false << "HTTP 401 Unauthorized";
    QTest::newRow("http, right") << false << "user:s%33cret@" << true << "";
    QTest::newRow("https, none") << true << "" << false
                                 << "proxy 127.0.0.1:%1 refused the tunnel to 127.0.0.1:%2: "
                                    "HTTP 407 Proxy Authentication Required";
    QTest::newRow("https, wrong") << true << "user:wrong@" << false
                                  << "proxy 127.0.0.1:%1 refused the tunnel to 127.0.0.1:%2: "
                                     "HTTP 401 Unauthorized";
    QTest::newRow("https, right") << true << "user:s%33cret@" << true << "";
}

void TestProxy::authentication()
{
    QFETCH(bool, tls);
    QFETCH(QString, credentials);
    QFETCH(bool, opens);
    QFETCH(QString, expected);
    TestServer plain;
    plain.route("/events", [](TestServer::Exchange *exchange) {
        exchange->sseHead();
        exchange->send(TestServer::formatEvent("one"));
    });
    TlsSseServer secure;
    QVERIFY(secure.listen(dataDirectory(), TlsSseServer::ClientCertificates::NotAsked));
    secure.setScript({{0, "data: one\n\n"}});
    ProxyDaemon proxy;
    QVERIFY2(proxy.startTinyproxy(secure.port(), "user", "s3cret"), qPrintable(proxy.output()));

    Sse::ClientOptions options;
    options.url = tls ? secure.url() : plain.url("/events");
    options.proxy = QStringLiteral("http://") + credentials
        + QStringLiteral("127.0.0.1:%1").arg(proxy.port());
    options.caCertificatesPem = readData(QStringLiteral("ca.pem"));
    Sse::Client client;
    client.setOptions(options);
    QSignalSpy events(&client, &Sse::Client::eventsReceived);
    client.open();
    if (opens) {
        QTRY_COMPARE_WITH_TIMEOUT(events.size(), 1, 10000);
        QCOMPARE(client.proxyUsed(), QStringLiteral("http://user@127.0.0.1:%1").arg(proxy.port()));
        return;
    }
    QTRY_COMPARE_WITH_TIMEOUT(client.state(), Sse::Client::State::Failed, 10000);
    const QString message = client.failure().message;
    if (expected.contains(QLatin1String("%1")))
        expected = expected.arg(proxy.port()).arg(secure.port());
    QVERIFY2(message.startsWith(expected), qPrintable(message));
    QVERIFY(!message.contains(QLatin1String("cret")));
    QCOMPARE(plain.requestCount(), 0);
}

void TestProxy::proxyRefusesConnection()
{
    TestServer server;
    Sse::ClientOptions options;
    options.url = server.url("/events");
    const quint16 closedPort = freePort();
    options.proxy = QStringLiteral("http://127.0.0.1:%1").arg(closedPort);
    options.reconnectPolicy = Sse::ReconnectPolicy::Never;
    Sse::Client client;
    client.setOptions(options);
    QSignalSpy errors(&client, &Sse::Client::errorOccurred);
    client.open();
    QTRY_COMPARE_WITH_TIMEOUT(client.state(), Sse::Client::State::Closed, 10000);
    QVERIFY(!errors.isEmpty());
    QVERIFY2(errors.first().first().toString().startsWith(
                 QStringLiteral("Connection refused by proxy 127.0.0.1:%1").arg(closedPort)),
             qPrintable(errors.first().first().toString()));
    QCOMPARE(server.requestCount(), 0);
}

void TestProxy::socks_data()
{
    QTest::addColumn<QString>("scheme");
    QTest::addColumn<bool>("tls");
    QTest::newRow("socks5, http") << "socks5" << false;
    QTest::newRow("socks5h, http") << "socks5h" << false;
    QTest::newRow("socks5, https") << "socks5" << true;
    QTest::newRow("socks5h, https") << "socks5h" << true;
}

void TestProxy::socks()
{
    QFETCH(QString, scheme);
    QFETCH(bool, tls);
    TestServer plain;
    plain.route("/events", [](TestServer::Exchange *exchange) {
        exchange->sseHead(TestServer::Framing::Chunked);
        exchange->send(TestServer::formatEvent("one"));
        exchange->sendLater(300, TestServer::formatEvent("two"));
    });
    TlsSseServer secure;
    QVERIFY(secure.listen(dataDirectory(), TlsSseServer::ClientCertificates::NotAsked));
    secure.setScript({{0, "data: one\n\n"}, {300, "data: two\n\n"}});
    ProxyDaemon proxy;
    QVERIFY2(proxy.startDante(), qPrintable(proxy.output()));

    Sse::ClientOptions options;
    // localhost: with socks5h the proxy resolves it, with socks5 the client does.
    options.url = tls ? secure.url() : plain.url("/events");
    options.url.setHost(QStringLiteral("localhost"));
    options.proxy = proxy.url(scheme);
    options.caCertificatesPem = readData(QStringLiteral("ca.pem"));
    Sse::Client client;
    client.setOptions(options);
    expectUnbuffered(client);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(client.proxyUsed(), proxy.url(scheme));
    // dante logs every connection it passed on.
    QTRY_VERIFY2(proxy.output().contains(QLatin1String("pass(1): tcp/connect")),
                 qPrintable(proxy.output()));
}

void TestProxy::socksAuthentication_data()
{
    QTest::addColumn<QString>("scheme");
    QTest::addColumn<QString>("credentials"); // user info of the proxy URL, "" for none
    QTest::addColumn<bool>("opens");
    QTest::addColumn<QString>("expected"); // the failure message, %1 the proxy's port
    QTest::newRow("socks5, right password") << "socks5"
                                            << "user:s3cret@" << true << QString();
    QTest::newRow("socks5h, right password") << "socks5h"
                                             << "user:s3cret@" << true << QString();
    QTest::newRow("wrong password")
        << "socks5"
        << "user:wrong@" << false
        << "proxy 127.0.0.1:%1 refused the credentials: SOCKS5 authentication failed";
    QTest::newRow("no credentials")
        << "socks5h"
        << "" << false
        << "proxy 127.0.0.1:%1 asks for a user name and password: give them in the proxy URL "
           "(socks5://user:password@host:port)";
}

// SOCKS5 with a user name and password (RFC 1929) against a real server, microsocks: the right
// ones pass, wrong or missing ones fail before any request, naming the proxy, never the password.
void TestProxy::socksAuthentication()
{
    QFETCH(QString, scheme);
    QFETCH(QString, credentials);
    QFETCH(bool, opens);
    QFETCH(QString, expected);
    TestServer server;
    server.route("/events", [](TestServer::Exchange *exchange) {
        exchange->sseHead();
        exchange->send(TestServer::formatEvent("one"));
    });
    ProxyDaemon proxy;
    QVERIFY2(proxy.startMicrosocks(u"user"_s, u"s3cret"_s), qPrintable(proxy.output()));

    Sse::ClientOptions options;
    options.url = server.url("/events");
    options.proxy = scheme + u"://"_s + credentials + u"127.0.0.1:%1"_s.arg(proxy.port());
    Sse::Client client;
    client.setOptions(options);
    QSignalSpy events(&client, &Sse::Client::eventsReceived);
    client.open();
    if (opens) {
        QTRY_COMPARE_WITH_TIMEOUT(events.size(), 1, 10000);
        QCOMPARE(client.proxyUsed(), u"%1://user@127.0.0.1:%2"_s.arg(scheme).arg(proxy.port()));
        QCOMPARE(server.requestCount("/events"), 1);
        return;
    }
    QTRY_COMPARE_WITH_TIMEOUT(client.state(), Sse::Client::State::Failed, 10000);
    const QString message = client.failure().message;
    QCOMPARE(message, expected.arg(proxy.port()));
    QCOMPARE(server.requestCount("/events"), 0);
}

void TestProxy::cliProxyOption_data()
{
    QTest::addColumn<QStringList>("arguments"); // @PORT@: tinyproxy's port
    QTest::addColumn<QString>("named");        // the open record's proxy, or empty: direct
    QTest::newRow("--proxy with credentials")
        << QStringList{u"--proxy"_s, u"http://user:s3cret@127.0.0.1:@PORT@"_s}
        << u"http://user@127.0.0.1:@PORT@"_s;
    QTest::newRow("--noproxy for the host")
        << QStringList{u"--proxy"_s, u"http://user:s3cret@127.0.0.1:@PORT@"_s, u"--noproxy"_s,
                       u"localhost,127.0.0.1"_s}
        << QString();
}

// sse-monitor-cli --proxy: the connecting and open records name the proxy, never its password;
// --noproxy goes direct.
void TestProxy::cliProxyOption()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, named);
    const QString cli = qEnvironmentVariable("SSE_MONITOR_CLI");
    QVERIFY2(!cli.isEmpty(), "SSE_MONITOR_CLI is not set (run through CTest)");
    TestServer server;
    server.route("/events", [](TestServer::Exchange *exchange) {
        exchange->sseHead();
        exchange->send(TestServer::formatEvent("one"));
    });
    ProxyDaemon proxy;
    QVERIFY2(proxy.startTinyproxy(443, "user", "s3cret"), qPrintable(proxy.output()));
    const QString port = QString::number(proxy.port());
    arguments.replaceInStrings(u"@PORT@"_s, port);
    named.replace(u"@PORT@"_s, port);
    QProcess process;
    process.start(cli, arguments + QStringList{u"--states"_s, u"--max-events"_s, u"1"_s,
                                               server.url("/events").toString()});
    // The server answers from this thread's event loop: wait on it, never block it.
    QTRY_COMPARE_WITH_TIMEOUT(process.state(), QProcess::NotRunning, 15000);
    const QByteArray output = process.readAllStandardOutput();
    QCOMPARE(process.exitCode(), 0);
    QVERIFY(!output.contains("s3cret"));
    const QByteArray via = server.requests("/events").first().header("Via");
    if (named.isEmpty()) {
        QVERIFY2(!output.contains("\"proxy\""), output.constData());
        QVERIFY(via.isEmpty());
        return;
    }
    const QByteArray openRecord = "\"state\":\"open\",\"status\":200,\"protocol\":\"HTTP/1.1\",\"proxy\":\""
            + named.toUtf8() + '"';
    QVERIFY2(output.contains(openRecord), output.constData());
    QVERIFY(via.contains("tinyproxy"));
}

void TestProxy::cliEnvironment_data()
{
    QTest::addColumn<QStringList>("variables"); // NAME=value; @PROXY@ is tinyproxy's URL
    QTest::addColumn<bool>("proxied");
    QTest::newRow("http_proxy") << QStringList{u"http_proxy=@PROXY@"_s} << true;
    QTest::newRow("HTTP_PROXY ignored") << QStringList{u"HTTP_PROXY=@PROXY@"_s} << false;
    QTest::newRow("ALL_PROXY") << QStringList{u"ALL_PROXY=@PROXY@"_s} << true;
    QTest::newRow("NO_PROXY names the host")
        << QStringList{u"http_proxy=@PROXY@"_s, u"NO_PROXY=example.org,@HOST@"_s} << false;
    QTest::newRow("no_proxy CIDR")
        << QStringList{u"http_proxy=@PROXY@"_s, u"no_proxy=@HOST@/24"_s} << false;
}

// curl's environment variables, end to end: the CLI against a server on this machine's
// non-loopback address (loopback never uses an environment proxy).
void TestProxy::cliEnvironment()
{
    QFETCH(QStringList, variables);
    QFETCH(bool, proxied);
    const QString cli = qEnvironmentVariable("SSE_MONITOR_CLI");
    QVERIFY2(!cli.isEmpty(), "SSE_MONITOR_CLI is not set (run through CTest)");
    QHostAddress address;
    for (const QHostAddress &candidate : QNetworkInterface::allAddresses()) {
        if (candidate.protocol() == QAbstractSocket::IPv4Protocol && !candidate.isLoopback()) {
            address = candidate;
            break;
        }
    }
    if (address.isNull())
        QSKIP("no non-loopback IPv4 address on this machine");
    // A one-response SSE server on that address; it keeps the request head it got.
    QTcpServer server;
    QVERIFY(server.listen(address, 0));
    QByteArray head;
    connect(&server, &QTcpServer::newConnection, this, [&server, &head] {
        QTcpSocket *socket = server.nextPendingConnection();
        connect(socket, &QTcpSocket::readyRead, socket, [socket, &head] {
            head += socket->readAll();
            if (head.contains("\r\n\r\n"))
                socket->write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n"
                              "data: one\n\n");
        });
    });
    ProxyDaemon proxy;
    QVERIFY2(proxy.startTinyproxy(443), qPrintable(proxy.output()));
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    for (const QString &name : {u"http_proxy"_s, u"HTTP_PROXY"_s, u"https_proxy"_s,
                                u"HTTPS_PROXY"_s, u"all_proxy"_s, u"ALL_PROXY"_s, u"no_proxy"_s,
                                u"NO_PROXY"_s})
        environment.remove(name);
    for (QString variable : std::as_const(variables)) {
        variable.replace(u"@PROXY@"_s, proxy.url()).replace(u"@HOST@"_s, address.toString());
        const qsizetype equals = variable.indexOf(QLatin1Char('='));
        environment.insert(variable.left(equals), variable.mid(equals + 1));
    }
    QProcess process;
    process.setProcessEnvironment(environment);
    process.start(cli, {u"--states"_s, u"--max-events"_s, u"1"_s,
                        u"http://%1:%2/events"_s.arg(address.toString()).arg(server.serverPort())});
    QTRY_COMPARE_WITH_TIMEOUT(process.state(), QProcess::NotRunning, 15000);
    const QByteArray output = process.readAllStandardOutput();
    QCOMPARE(process.exitCode(), 0);
    QCOMPARE(head.contains("tinyproxy"), proxied); // tinyproxy's Via header
    const QByteArray named = "\"proxy\":\"" + proxy.url().toUtf8() + '"';
    QCOMPARE(output.contains(named), proxied);
}

void TestProxy::checkAndProbeThroughProxy_data()
{
    QTest::addColumn<QStringList>("arguments"); // @PORT@: tinyproxy's, @URL@: the stream
    QTest::newRow("check")
        << QStringList{u"check"_s, u"--proxy"_s, u"http://user:s3cret@127.0.0.1:@PORT@"_s,
                       u"--duration"_s, u"1"_s, u"--no-resume-check"_s, u"@URL@"_s};
    QTest::newRow("check --json")
        << QStringList{u"check"_s, u"--json"_s, u"--proxy"_s,
                       u"http://user:s3cret@127.0.0.1:@PORT@"_s, u"--duration"_s, u"1"_s,
                       u"--no-resume-check"_s, u"@URL@"_s};
    QTest::newRow("probe")
        << QStringList{u"probe"_s, u"--listen-metrics"_s, u"127.0.0.1:0"_s, u"--proxy"_s,
                       u"http://user:s3cret@127.0.0.1:@PORT@"_s, u"@URL@"_s};
}

// `check` and `probe` take the stream command's transport options (--proxy here): the request
// reaches the server through tinyproxy, and the proxy's password is printed nowhere.
void TestProxy::checkAndProbeThroughProxy()
{
    QFETCH(QStringList, arguments);
    const QString cli = qEnvironmentVariable("SSE_MONITOR_CLI");
    QVERIFY2(!cli.isEmpty(), "SSE_MONITOR_CLI is not set (run through CTest)");
    TestServer server;
    server.route("/events", [](TestServer::Exchange *exchange) {
        exchange->sseHead();
        exchange->send(TestServer::formatEvent("one"));
    });
    ProxyDaemon proxy;
    QVERIFY2(proxy.startTinyproxy(443, "user", "s3cret"), qPrintable(proxy.output()));
    arguments.replaceInStrings(u"@PORT@"_s, QString::number(proxy.port()));
    arguments.replaceInStrings(u"@URL@"_s, server.url("/events").toString());
    QProcess process;
    process.start(cli, arguments);
    QTRY_VERIFY_WITH_TIMEOUT(!server.requests("/events").isEmpty(), 15000);
    QVERIFY(server.requests("/events").first().header("Via").contains("tinyproxy"));
    if (arguments.first() == u"probe"_s) {
        process.terminate(); // the probe runs until it is stopped
        QTRY_COMPARE_WITH_TIMEOUT(process.state(), QProcess::NotRunning, 15000);
    } else {
        QTRY_COMPARE_WITH_TIMEOUT(process.state(), QProcess::NotRunning, 15000);
        QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    }
    const QByteArray output = process.readAllStandardOutput() + process.readAllStandardError();
    QVERIFY2(!output.contains("s3cret"), output.constData());
}

QTEST_GUILESS_MAIN(TestProxy)
#include "tst_proxy.moc"
