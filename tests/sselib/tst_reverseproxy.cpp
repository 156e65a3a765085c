// Sse::ReverseProxy and `sse-monitor-cli proxy` (issue 17): a loopback upstream (TestServer,
// and a QSslServer for https), and real clients through the proxy: curl, node with the npm
// eventsource package, our own client and CLI.

#include "testserver.h"
#include "sselib/reverseproxy.h"
#include "sselib/sseclient.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkProxyFactory>
#include <QPointer>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslServer>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <algorithm>
#include <memory>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

QByteArray readTlsFile(const QString &name)
{
    QFile file(QStringLiteral(TLS_DATA_DIR "/") + name);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// \a request with `close` among its Connection tokens: the proxy keeps connections alive
// otherwise, and exchangeRaw() reads until the close.
QByteArray closing(const QByteArray &request)
{
    const qsizetype headEnd = request.indexOf("\r\n\r\n");
    const qsizetype lineEnd = request.indexOf("\r\n");
    if (headEnd < 0 || lineEnd < 0)
        return request;
    const QList<QByteArray> lines = request.left(headEnd).split('\n');
    QByteArray head;
    bool found = false;
    for (QByteArray line : lines) {
        if (line.endsWith('\r'))
            line.chop(1);
        if (line.toLower().startsWith("connection:")) {
            line += ", close";
            found = true;
        }
        head += line + "\r\n";
    }
    if (!found)
        head += "Connection: close\r\n";
    return head + "\r\n" + request.mid(headEnd + 4);
}

// Sends \a request on a fresh connection to \a port and returns everything until the close.
QByteArray exchangeRaw(quint16 port, const QByteArray &request, int timeoutMs = 10000)
{
    QTcpSocket socket;
    QByteArray response;
    QObject::connect(&socket, &QTcpSocket::readyRead, &socket,
                     [&] { response += socket.readAll(); });
    QSignalSpy closed(&socket, &QTcpSocket::disconnected);
    socket.connectToHost(QHostAddress::LocalHost, port);
    QSignalSpy connected(&socket, &QTcpSocket::connected);
    if (!connected.wait(5000))
        return {};
    socket.write(closing(request));
    closed.wait(timeoutMs);
    response += socket.readAll();
    return response;
}

// How much of \a bytes is one complete response (0 while it is incomplete), for a request
// with \a method.
qsizetype responseLength(const QByteArray &bytes, const QByteArray &method)
{
    const qsizetype headEnd = bytes.indexOf("\r\n\r\n");
    if (headEnd < 0)
        return 0;
    const qsizetype bodyStart = headEnd + 4;
    const QByteArray head = bytes.left(headEnd).toLower();
    const int status = bytes.mid(9, 3).toInt();
    if (method == "HEAD" || status == 204 || status == 304 || (status >= 100 && status < 200))
        return bodyStart;
    if (head.contains("transfer-encoding: chunked")) {
        qsizetype position = bodyStart;
        for (;;) {
            const qsizetype lineEnd = bytes.indexOf("\r\n", position);
            if (lineEnd < 0)
                return 0;
            const qint64 size = bytes.mid(position, lineEnd - position).toLongLong(nullptr, 16);
            if (size == 0)
                return bytes.size() >= lineEnd + 4 ? lineEnd + 4 : 0;
            position = lineEnd + 2 + size + 2;
            if (position > bytes.size())
                return 0;
        }
    }
    const qsizetype at = head.indexOf("content-length:");
    if (at < 0)
        return 0; // close-delimited: never complete on a persistent connection
    const qint64 length = head.mid(at + 15, head.indexOf('\r', at) - at - 15).trimmed().toLongLong();
    return bytes.size() >= bodyStart + length ? bodyStart + length : 0;
}

// Reads one whole response to a \a method request from \a socket (empty on a timeout).
QByteArray readResponse(QTcpSocket &socket, QByteArray &buffer, const QByteArray &method = "GET")
{
    qsizetype length = 0;
    // The proxy runs in this thread: wait with the event loop running.
    QTest::qWaitFor([&] {
        buffer += socket.readAll();
        length = responseLength(buffer, method);
        return length > 0 || socket.state() != QAbstractSocket::ConnectedState;
    }, 10000);
    if (length == 0)
        return {};
    const QByteArray response = buffer.left(length);
    buffer.remove(0, length);
    return response;
}

// The body of a raw response with chunked framing undone (or as it is without).
QByteArray bodyOf(const QByteArray &response)
{
    const qsizetype headEnd = response.indexOf("\r\n\r\n");
    if (headEnd < 0)
        return {};
    const QByteArray head = response.left(headEnd).toLower();
    QByteArray body = response.mid(headEnd + 4);
    if (!head.contains("transfer-encoding: chunked"))
        return body;
    QByteArray out;
    qsizetype position = 0;
    for (;;) {
        const qsizetype lineEnd = body.indexOf("\r\n", position);
        if (lineEnd < 0)
            return out;
        const qint64 size = body.mid(position, lineEnd - position).toLongLong(nullptr, 16);
        if (size == 0)
            return out;
        out += body.mid(lineEnd + 2, size);
        position = lineEnd + 2 + size + 2;
    }
}

QByteArray headerOf(const QByteArray &response, const QByteArray &name)
{
    const QList<QByteArray> lines = response.left(response.indexOf("\r\n\r\n")).split('\n');
    for (const QByteArray &line : lines) {
        const qsizetype colon = line.indexOf(':');
        if (colon > 0 && line.left(colon).trimmed().compare(name, Qt::CaseInsensitive) == 0)
            return line.mid(colon + 1).trimmed();
    }
    return {};
}

// \a proxy in front of \a upstream with the default options, on a free loopback port.
bool startProxy(Sse::ReverseProxy &proxy, const QUrl &upstream)
{
    Sse::ReverseProxyOptions options;
    options.upstream = upstream;
    proxy.setOptions(options);
    return proxy.listen();
}

// An event stream of \a count events \a gapMs apart on \a exchange; \a sentMs gets the time
// (of \a clock) at which each one was written.
void sendEvents(TestHttp::Exchange *exchange, int count, int gapMs, const QElapsedTimer *clock,
                QList<qint64> *sentMs, bool finishAtEnd = true)
{
    QPointer<TestHttp::Exchange> guard(exchange);
    for (int n = 1; n <= count; ++n) {
        QTimer::singleShot((n - 1) * gapMs, exchange, [=] {
            if (!guard)
                return;
            if (sentMs)
                sentMs->append(clock->elapsed());
            guard->send(TestServer::formatEvent("{\"n\":" + QByteArray::number(n) + '}', "tick",
                                                QByteArray::number(n)));
            if (n == count && finishAtEnd)
                guard->finish();
        });
    }
}

// A one-route HTTPS upstream: answers any request with a short event stream.
class TlsUpstream
{
public:
    bool listen()
    {
        const QList<QSslCertificate> certificates =
            QSslCertificate::fromData(readTlsFile(QStringLiteral("server.pem")), QSsl::Pem);
        const QSslKey key(readTlsFile(QStringLiteral("server.key")), QSsl::Rsa, QSsl::Pem);
        if (certificates.isEmpty() || key.isNull())
            return false;
        QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
        configuration.setLocalCertificate(certificates.first());
        configuration.setPrivateKey(key);
        configuration.setPeerVerifyMode(QSslSocket::VerifyNone);
        m_server.setSslConfiguration(configuration);
        QObject::connect(&m_server, &QSslServer::pendingConnectionAvailable, &m_server, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                auto request = std::make_shared<QByteArray>();
                auto answer = [socket, request] {
                    if (request->contains("\r\n\r\n"))
                        return;
                    request->append(socket->readAll());
                    if (!request->contains("\r\n\r\n"))
                        return;
                    socket->write(
                        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                        "Connection: close\r\n\r\ndata: over tls\n\nid: 2\ndata: two\n\n");
                    socket->disconnectFromHost();
                };
                QObject::connect(socket, &QTcpSocket::readyRead, socket, answer);
                if (socket->bytesAvailable() > 0)
                    answer();
            }
        });
        return m_server.listen(QHostAddress::LocalHost, 0);
    }
    QUrl url() const
    {
        return QUrl(QStringLiteral("https://127.0.0.1:%1").arg(m_server.serverPort()));
    }

private:
    QSslServer m_server;
};

} // namespace

class tst_ReverseProxy : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();

    void hopByHopHeaders_data();
    void hopByHopHeaders();
    void forwardsRequestsUnchanged_data();
    void forwardsRequestsUnchanged();
    void passesResponsesThrough_data();
    void passesResponsesThrough();
    void bodilessResponses_data();
    void bodilessResponses();
    void parsesEventStreams_data();
    void parsesEventStreams();
    void parsesLargeStreamsExactly_data();
    void parsesLargeStreamsExactly();
    void eventsArriveUnbuffered();
    void badGatewayWhenTheUpstreamFails_data();
    void badGatewayWhenTheUpstreamFails();
    void cutBodyStaysCut();
    void rejectsBadRequests_data();
    void rejectsBadRequests();
    void clientCloseAbortsTheUpstream();
    void slowClientSlowsTheUpstream();
    void connectionCap();
    void connectionCapClosesTheLongestIdle_data();
    void connectionCapClosesTheLongestIdle();
    void keepAlive_data();
    void keepAlive();
    void pipelinedRequestsInOrder();
    void idleConnectionCloses();
    void fiftyConcurrentStreams();
    void tlsUpstream_data();
    void tlsUpstream();

    void curlGetsIdenticalBytesUnbuffered_data();
    void curlGetsIdenticalBytesUnbuffered();
    void nodeEventSourceThroughTheProxy();
    void cliClientThroughTheProxy();
    void cliProxyPrintsAndRecords();
    void openAiSdkThroughTheCliProxy();
    void cliProxyTlsOptions_data();
    void cliProxyTlsOptions();
    void cliProxyUsageErrors_data();
    void cliProxyUsageErrors();

private:
    // Starts `sse-monitor-cli proxy ARGUMENTS --listen 127.0.0.1:0`; returns its URL.
    QUrl startCliProxy(QProcess &process, const QStringList &arguments);

    QString m_cli;
    QString m_curl;
};

void tst_ReverseProxy::initTestCase()
{
    QNetworkProxyFactory::setUseSystemConfiguration(false);
    m_cli = qEnvironmentVariable("SSE_MONITOR_CLI");
    m_curl = QStandardPaths::findExecutable(QStringLiteral("curl"));
}

void tst_ReverseProxy::init()
{
    QTest::failOnWarning(QRegularExpression(QStringLiteral(".*")));
}

QUrl tst_ReverseProxy::startCliProxy(QProcess &process, const QStringList &arguments)
{
    process.start(m_cli,
                  QStringList {QStringLiteral("proxy"), QStringLiteral("--listen"),
                               QStringLiteral("127.0.0.1:0")}
                      + arguments);
    if (!process.waitForStarted(10000))
        return {};
    // "sse-monitor-cli proxy: listening on http://127.0.0.1:PORT, forwarding to ..."
    static const QRegularExpression listening(QStringLiteral("listening on (http://[^,]+),"));
    QByteArray errors;
    QElapsedTimer clock;
    clock.start();
    while (clock.elapsed() < 20000 && process.state() == QProcess::Running) {
        process.waitForReadyRead(50);
        errors += process.readAllStandardError();
        const QRegularExpressionMatch match = listening.match(QString::fromUtf8(errors));
        if (match.hasMatch())
            return QUrl(match.captured(1));
    }
    qWarning("proxy did not start: %s", errors.constData());
    return {};
}

void tst_ReverseProxy::hopByHopHeaders_data()
{
    QTest::addColumn<QByteArray>("name");
    QTest::addColumn<QByteArray>("connection");
    QTest::addColumn<bool>("hopByHop");
    QTest::newRow("connection") << QByteArray("Connection") << QByteArray() << true;
    QTest::newRow("keep-alive") << QByteArray("keep-alive") << QByteArray() << true;
    QTest::newRow("te") << QByteArray("TE") << QByteArray() << true;
    QTest::newRow("transfer-encoding") << QByteArray("Transfer-Encoding") << QByteArray() << true;
    QTest::newRow("upgrade") << QByteArray("Upgrade") << QByteArray() << true;
    QTest::newRow("proxy-connection") << QByteArray("Proxy-Connection") << QByteArray() << true;
    QTest::newRow("named") << QByteArray("X-Hop") << QByteArray("close, x-hop") << true;
    QTest::newRow("not named") << QByteArray("X-Other") << QByteArray("close, x-hop") << false;
    QTest::newRow("authorization") << QByteArray("Authorization") << QByteArray() << false;
    QTest::newRow("content-type") << QByteArray("Content-Type") << QByteArray("keep-alive")
                                  << false;
}

void tst_ReverseProxy::hopByHopHeaders()
{
    QFETCH(QByteArray, name);
    QFETCH(QByteArray, connection);
    QFETCH(bool, hopByHop);
    QCOMPARE(Sse::isHopByHopHeader(name, connection), hopByHop);
}

void tst_ReverseProxy::forwardsRequestsUnchanged_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<QByteArray>("body");
    const QByteArray json =
        R"({"model":"m","stream":true,"messages":[{"role":"user","content":"é"}]})";
    QTest::newRow("GET with query")
        << QByteArray("GET /v1/models?limit=2&after=a%20b HTTP/1.1\r\nHost: proxy\r\n"
                      "X-Custom: one\r\nAccept: */*\r\n\r\n")
        << QByteArray("GET") << QByteArray("/v1/models?limit=2&after=a%20b") << QByteArray();
    QTest::newRow("POST with length")
        << QByteArray("POST /v1/chat/completions HTTP/1.1\r\nHost: proxy\r\n"
                      "Authorization: Bearer sk-test\r\nContent-Type: application/json\r\n"
                      "X-Custom: one\r\nContent-Length: "
                      + QByteArray::number(json.size()) + "\r\n\r\n" + json)
        << QByteArray("POST") << QByteArray("/v1/chat/completions") << json;
    QTest::newRow("POST chunked") << QByteArray(
        "POST /v1/messages HTTP/1.1\r\nHost: proxy\r\nX-Custom: one\r\n"
        "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;ext=1\r\n world"
        "\r\n0\r\nX-Trailer: t\r\n\r\n")
                                  << QByteArray("POST") << QByteArray("/v1/messages")
                                  << QByteArray("hello world");
    QTest::newRow("expect 100-continue")
        << QByteArray("PUT /items/7 HTTP/1.1\r\nHost: proxy\r\nX-Custom: one\r\n"
                      "Expect: 100-continue\r\nContent-Length: 4\r\n\r\nbody")
        << QByteArray("PUT") << QByteArray("/items/7") << QByteArray("body");
    QTest::newRow("hop-by-hop dropped")
        << QByteArray("DELETE /items/8 HTTP/1.1\r\nHost: proxy\r\nConnection: keep-alive, "
                      "X-Hop\r\nX-Hop: secret-to-the-proxy\r\nKeep-Alive: timeout=5\r\n"
                      "TE: trailers\r\nUpgrade: h2c\r\nX-Custom: one\r\n\r\n")
        << QByteArray("DELETE") << QByteArray("/items/8") << QByteArray();
}

// Method, target, body and end-to-end headers reach the upstream as the client sent them;
// Host names the upstream; hop-by-hop fields stay behind.
void tst_ReverseProxy::forwardsRequestsUnchanged()
{
    QFETCH(QByteArray, request);
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, target);
    QFETCH(QByteArray, body);
    TestServer upstream;
    const QByteArray routePath =
        target.left(target.indexOf('?') < 0 ? target.size() : target.indexOf('?'));
    upstream.route(routePath, [](TestHttp::Exchange *exchange) {
        exchange->respond(200, {{"Content-Type", "text/plain"}}, "ok");
    });
    Sse::ReverseProxy proxy;
    QVERIFY(startProxy(proxy, upstream.url()));
    QSignalSpy finished(&proxy, &Sse::ReverseProxy::exchangeFinished);

    const QByteArray response = exchangeRaw(proxy.port(), request);
    QVERIFY2(response.startsWith("HTTP/1.1 200 OK\r\n")
                 || response.contains("\r\n\r\nHTTP/1.1 200 OK\r\n"),
             response.constData());
    QCOMPARE(bodyOf(response.mid(response.lastIndexOf("HTTP/1.1 "))), QByteArray("ok"));
    if (request.contains("Expect: 100-continue"))
        QVERIFY(response.startsWith("HTTP/1.1 100 Continue\r\n\r\n"));
    QCOMPARE(upstream.requestCount(), 1);
    const TestHttp::Request seen = upstream.requests().first();
    QCOMPARE(seen.method, method);
    QCOMPARE(seen.path, target);
    QCOMPARE(seen.body, body);
    QCOMPARE(seen.header("host"), QByteArray("127.0.0.1:" + QByteArray::number(upstream.port())));
    QCOMPARE(seen.header("x-custom"), QByteArray("one"));
    if (request.contains("Authorization"))
        QCOMPARE(seen.header("authorization"), QByteArray("Bearer sk-test"));
    if (request.contains("Content-Type"))
        QCOMPARE(seen.header("content-type"), QByteArray("application/json"));
    for (const QByteArray &dropped :
         {QByteArray("connection"), QByteArray("keep-alive"), QByteArray("x-hop"), QByteArray("te"),
          QByteArray("upgrade"), QByteArray("expect"), QByteArray("transfer-encoding")}) {
        QVERIFY2(!seen.hasHeader(dropped), dropped.constData());
    }
    QCOMPARE(finished.size(), 1);
    const auto exchange = finished.first().first().value<Sse::ProxyExchange>();
    QCOMPARE(exchange.end, Sse::ProxyExchange::End::Complete);
    QCOMPARE(exchange.status, 200);
    QCOMPARE(exchange.responseBytes, 2);
    QCOMPARE(exchange.requestBodyBytes, body.size());
    QCOMPARE(exchange.name(), QString::fromUtf8(method + ' ' + routePath + " #1"));
}

void tst_ReverseProxy::passesResponsesThrough_data()
{
    QTest::addColumn<int>("framing");
    QTest::addColumn<bool>("gzip");
    QTest::addColumn<QByteArray>("clientFraming");
    QTest::newRow("content-length")
        << int(TestHttp::Framing::ContentLength) << false << QByteArray("content-length");
    QTest::newRow("chunked") << int(TestHttp::Framing::Chunked) << false << QByteArray("chunked");
    QTest::newRow("close-delimited")
        << int(TestHttp::Framing::CloseDelimited) << false << QByteArray("chunked");
    QTest::newRow("chunked gzip") << int(TestHttp::Framing::Chunked) << true
                                  << QByteArray("chunked");
}

// The body reaches the client byte for byte (still compressed when it was), with the
// upstream's status and end-to-end headers.
void tst_ReverseProxy::passesResponsesThrough()
{
    QFETCH(int, framing);
    QFETCH(bool, gzip);
    QFETCH(QByteArray, clientFraming);
    QByteArray payload;
    for (int i = 0; i < 5000; ++i)
        payload += "line " + QByteArray::number(i) + " of a larger JSON-ish body\n";
    TestServer upstream;
    QByteArray wireBody;
    upstream.route("/data", [&](TestHttp::Exchange *exchange) {
        TestHttp::Headers headers {{"Content-Type", "application/x-ndjson"},
                                   {"X-Request-Id", "req-42"},
                                   {"Connection", "close, X-Hop"},
                                   {"X-Hop", "drop me"}};
        const QByteArray body = gzip ? GzipEncoder::gzip(payload) : payload;
        wireBody = body;
        switch (TestHttp::Framing(framing)) {
        case TestHttp::Framing::ContentLength:
            headers.append(
                qMakePair(QByteArray("Content-Length"), QByteArray::number(body.size())));
            break;
        case TestHttp::Framing::Chunked:
            headers.append(qMakePair(QByteArray("Transfer-Encoding"), QByteArray("chunked")));
            break;
        case TestHttp::Framing::CloseDelimited:
            break;
        }
        if (gzip)
            headers.append(qMakePair(QByteArray("Content-Encoding"), QByteArray("gzip")));
        exchange->writeHead(201, headers, "Created");
        // Raw bytes: the gzip member as made above, framed by hand.
        if (TestHttp::Framing(framing) == TestHttp::Framing::Chunked) {
            exchange->writeChunk(body.left(1000));
            exchange->writeChunk(body.mid(1000));
            exchange->endChunked();
        } else {
            exchange->writeRaw(body);
            if (TestHttp::Framing(framing) == TestHttp::Framing::CloseDelimited)
                exchange->close();
        }
    });
    Sse::ReverseProxy proxy;
    QVERIFY(startProxy(proxy, upstream.url()));

    const QByteArray response = exchangeRaw(proxy.port(), "GET /data HTTP/1.1\r\nHost: p\r\n\r\n");
    QVERIFY2(response.startsWith("HTTP/1.1 201 Created\r\n"), response.left(200).constData());
    QCOMPARE(bodyOf(response), wireBody);
    QCOMPARE(headerOf(response, "x-request-id"), QByteArray("req-42"));
    QCOMPARE(headerOf(response, "x-hop"), QByteArray());
    QCOMPARE(headerOf(response, "connection"), QByteArray("close"));
    QCOMPARE(headerOf(response, "content-encoding"), gzip ? QByteArray("gzip") : QByteArray());
    if (clientFraming == "chunked") {
        QCOMPARE(headerOf(response, "transfer-encoding"), QByteArray("chunked"));
        QCOMPARE(headerOf(response, "content-length"), QByteArray());
    } else {
        QCOMPARE(headerOf(response, "content-length"), QByteArray::number(wireBody.size()));
        QCOMPARE(headerOf(response, "transfer-encoding"), QByteArray());
    }
}

void tst_ReverseProxy::bodilessResponses_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<int>("status");
    QTest::newRow("HEAD 200") << QByteArray("HEAD") << 200;
    QTest::newRow("GET 204") << QByteArray("GET") << 204;
    QTest::newRow("GET 304") << QByteArray("GET") << 304;
}

// Responses without a body keep their head as it is (a HEAD's Content-Length included) and
// get no chunked framing; the exchange completes.
void tst_ReverseProxy::bodilessResponses()
{
    QFETCH(QByteArray, method);
    QFETCH(int, status);
    TestServer upstream;
    upstream.route("/thing", [status](TestHttp::Exchange *exchange) {
        QByteArray head = "HTTP/1.1 " + QByteArray::number(status) + ' '
            + TestServer::reasonPhrase(status) + "\r\nETag: \"v1\"\r\n";
        if (status == 200)
            head += "Content-Type: application/json\r\nContent-Length: 5\r\n";
        exchange->writeRaw(head + "\r\n");
    });
    Sse::ReverseProxy proxy;
    QVERIFY(startProxy(proxy, upstream.url()));
    QSignalSpy finished(&proxy, &Sse::ReverseProxy::exchangeFinished);
    const QByteArray response =
        exchangeRaw(proxy.port(), method + " /thing HTTP/1.1\r\nHost: p\r\n\r\n");
    QVERIFY2(response.startsWith(QByteArray("HTTP/1.1 " + QByteArray::number(status) + ' ')),
             response.constData());
    QVERIFY2(response.endsWith("\r\n\r\n"), response.constData()); // nothing after the head
    QCOMPARE(headerOf(response, "etag"), QByteArray("\"v1\""));
    QCOMPARE(headerOf(response, "transfer-encoding"), QByteArray());
    QCOMPARE(headerOf(response, "content-length"), status == 200 ? QByteArray("5") : QByteArray());
    QTRY_COMPARE(finished.size(), 1);
    const auto exchange = finished.first().first().value<Sse::ProxyExchange>();
    QCOMPARE(exchange.end, Sse::ProxyExchange::End::Complete);
    QCOMPARE(exchange.responseBytes, 0);
}

void tst_ReverseProxy::parsesEventStreams_data()
{
    QTest::addColumn<int>("coding");
    QTest::newRow("identity") << int(TestHttp::Coding::Identity);
    QTest::newRow("gzip") << int(TestHttp::Coding::Gzip);
}

// An event stream is read as it passes: the events of each exchange come out of the proxy,
// gzip or not, and the client gets the body untouched.
void tst_ReverseProxy::parsesEventStreams()
{
    QFETCH(int, coding);
    TestServer upstream;
    upstream.route("/v1/chat/completions", [&](TestHttp::Exchange *exchange) {
        exchange->sseHead(TestHttp::Framing::Chunked, TestHttp::Coding(coding));
        sendEvents(exchange, 5, 5, nullptr, nullptr);
    });
    Sse::ReverseProxy proxy;
    QVERIFY(startProxy(proxy, upstream.url()));
    Sse::EventList events;
    QStringList names;
    connect(&proxy, &Sse::ReverseProxy::eventsReceived, this,
            [&](const Sse::ProxyExchange &exchange, const Sse::EventBatch &batch) {
                batch.appendTo(events);
                names.append(exchange.name());
            });
    QSignalSpy finished(&proxy, &Sse::ReverseProxy::exchangeFinished);

    Sse::ClientOptions clientOptions;
    clientOptions.url = proxy.url().resolved(QUrl(QStringLiteral("/v1/chat/completions")));
    clientOptions.method = "POST";
    clientOptions.body = R"({"stream":true})";
    clientOptions.reconnectPolicy = Sse::ReconnectPolicy::Never;
    Sse::Client client;
    client.setOptions(clientOptions);
    Sse::EventList clientEvents;
    connect(&client, &Sse::Client::eventsReceived, this,
            [&](const Sse::EventBatch &batch) { batch.appendTo(clientEvents); });
    client.open();
    QVERIFY(finished.wait(10000));
    QCOMPARE(events.size(), 5);
    QCOMPARE(events.at(4).data, QByteArray(R"({"n":5})"));
    QCOMPARE(events.at(4).lastEventId, QByteArray("5"));
    QCOMPARE(events.at(2).type, QByteArray("tick"));
    names.removeDuplicates();
    QCOMPARE(names, QStringList {QStringLiteral("POST /v1/chat/completions #1")});
    const auto exchange = finished.first().first().value<Sse::ProxyExchange>();
    QVERIFY(exchange.eventStream);
    QCOMPARE(exchange.events, 5);
    QCOMPARE(exchange.end, Sse::ProxyExchange::End::Complete);
    QTRY_COMPARE(clientEvents.size(), 5);
}

void tst_ReverseProxy::parsesLargeStreamsExactly_data()
{
    QTest::addColumn<int>("coding");
    QTest::newRow("identity") << int(TestHttp::Coding::Identity);
    QTest::newRow("gzip") << int(TestHttp::Coding::Gzip);
}

// 100,000 events sent as fast as loopback carries them: the proxy parses each one once, in
// order. (The parser's copy once skipped and repeated bytes: flush() re-entered the pump,
// which read the next slice over the one not yet parsed; 99,797 events with 25,204 ids
// repeated, while the client got every byte.)
void tst_ReverseProxy::parsesLargeStreamsExactly()
{
    QFETCH(int, coding);
    constexpr int Events = 100000;
    TestServer upstream;
    upstream.route("/flood", [&](TestHttp::Exchange *exchange) {
        exchange->sseHead(TestHttp::Framing::Chunked, TestHttp::Coding(coding));
        QByteArray block;
        for (int n = 0; n < Events; ++n) {
            block += "id: " + QByteArray::number(n) + "\ndata: {\"n\":" + QByteArray::number(n)
                    + ",\"pad\":\"abcdefghijklmnop\"}\n\n";
            if (block.size() >= 256 * 1024 || n == Events - 1) {
                exchange->send(block);
                block.clear();
            }
        }
        exchange->finish();
    });
    Sse::ReverseProxy proxy;
    QVERIFY(startProxy(proxy, upstream.url()));
    qint64 count = 0;
    qint64 wrong = -1; // the first position whose id is not its number
    connect(&proxy, &Sse::ReverseProxy::eventsReceived, this,
            [&](const Sse::ProxyExchange &, const Sse::EventBatch &batch) {
                for (const Sse::EventView event : batch) {
                    if (wrong < 0 && event.lastEventId != QByteArray::number(count))
                        wrong = count;
                    ++count;
                }
            });
    QSignalSpy finished(&proxy, &Sse::ReverseProxy::exchangeFinished);

    Sse::ClientOptions clientOptions;
    clientOptions.url = proxy.url().resolved(QUrl(QStringLiteral("/flood")));
    clientOptions.reconnectPolicy = Sse::ReconnectPolicy::Never;
    Sse::Client client;
    client.setOptions(clientOptions);
    qint64 clientCount = 0;
    connect(&client, &Sse::Client::eventsReceived, this,
            [&](const Sse::EventBatch &batch) { clientCount += batch.size(); });
    client.open();
    QVERIFY(finished.wait(30000));
    QCOMPARE(wrong, -1);
    QCOMPARE(count, qint64(Events));
    QCOMPARE(finished.first().first().value<Sse::ProxyExchange>().events, qint64(Events));
    QTRY_COMPARE(clientCount, qint64(Events));
}

// Events sent 300 ms apart reach our client through the proxy within a few ms each: nothing
// waits for the next event or for a buffer to fill.
void tst_ReverseProxy::eventsArriveUnbuffered()
{
    TestServer upstream;
    QElapsedTimer clock;
    clock.start();
    QList<qint64> sentMs;
    upstream.route("/stream", [&](TestHttp::Exchange *exchange) {
        exchange->sseHead(TestHttp::Framing::Chunked);
        sendEvents(exchange, 5, 300, &clock, &sentMs);
    });
    Sse::ReverseProxy proxy;
    QVERIFY(startProxy(proxy, upstream.url()));

    Sse::ClientOptions clientOptions;
    clientOptions.url = proxy.url().resolved(QUrl(QStringLiteral("/stream")));
    clientOptions.reconnectPolicy = Sse::ReconnectPolicy::Never;
    Sse::Client client;
    client.setOptions(clientOptions);
    QList<qint64> arrivedMs;
    connect(&client, &Sse::Client::eventsReceived, this, [&](const Sse::EventBatch &batch) {
        for (qsizetype i = 0; i < batch.size(); ++i)
            arrivedMs.append(clock.elapsed());
    });
    QSignalSpy state(&client, &Sse::Client::stateChanged);
    client.open();
    while (client.state() != Sse::Client::State::Closed && state.wait(5000)) { }
    QCOMPARE(arrivedMs.size(), 5);
    QCOMPARE(sentMs.size(), 5);
    for (int i = 0; i < 5; ++i) {
        const qint64 delay = arrivedMs.at(i) - sentMs.at(i);
        QVERIFY2(delay >= 0 && delay < 100,
                 qPrintable(QStringLiteral("event %1: %2 ms after it was sent").arg(i).arg(delay)));
    }
}

void tst_ReverseProxy::badGatewayWhenTheUpstreamFails_data()
{
    QTest::addColumn<QByteArray>("failure");
    QTest::newRow("refused") << QByteArray("refused");
    QTest::newRow("closed before the head") << QByteArray("closed");
    QTest::newRow("not http") << QByteArray("garbage");
}

void tst_ReverseProxy::badGatewayWhenTheUpstreamFails()
{
    QFETCH(QByteArray, failure);
    // A port that was free a moment ago refuses; a server that closes or talks nonsense fails.
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    const quint16 port = server.serverPort();
    if (failure == "refused") {
        server.close();
    } else {
        connect(&server, &QTcpServer::newConnection, this, [&] {
            QTcpSocket *socket = server.nextPendingConnection();
            connect(socket, &QTcpSocket::readyRead, socket, [socket, failure] {
                socket->readAll();
                if (failure == "garbage")
                    socket->write("SSH-2.0-OpenSSH_9.2\r\n\r\n");
                socket->disconnectFromHost();
            });
        });
    }
    Sse::ReverseProxy proxy;
    Sse::ReverseProxyOptions options;
    options.upstream = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port));
    proxy.setOptions(options);
    QVERIFY(proxy.listen());
    QSignalSpy finished(&proxy, &Sse::ReverseProxy::exchangeFinished);

    const QByteArray response =
        exchangeRaw(proxy.port(), "GET /v1/models HTTP/1.1\r\nHost: p\r\n\r\n");
    QVERIFY2(response.startsWith("HTTP/1.1 502 Bad Gateway\r\n"), response.constData());
    QCOMPARE(headerOf(response, "content-type"), QByteArray("text/plain; charset=utf-8"));
    const QByteArray body = bodyOf(response);
    QVERIFY2(body.startsWith("upstream http://127.0.0.1:") && body.endsWith("\n")
                 && body.count('\n') == 1,
             body.constData());
    QTRY_COMPARE(finished.size(), 1);
    const auto exchange = finished.first().first().value<Sse::ProxyExchange>();
    QCOMPARE(exchange.end, Sse::ProxyExchange::End::UpstreamFailed);
    QCOMPARE(exchange.status, 502);
    QVERIFY(!exchange.error.isEmpty());
}

// The upstream resets the connection in the middle of a chunked stream: the client gets what
// came, without the last chunk, so it sees the cut too; the exchange says the upstream failed.
void tst_ReverseProxy::cutBodyStaysCut()
{
    TestServer upstream;
    upstream.route("/stream", [](TestHttp::Exchange *exchange) {
        exchange->sseHead(TestHttp::Framing::Chunked);
        exchange->send(TestServer::formatEvent("before the cut"));
        QPointer<TestHttp::Exchange> guard(exchange);
        QTimer::singleShot(50, exchange, [guard] {
            if (guard)
                guard->abort();
        });
    });
    Sse::ReverseProxy proxy;
    QVERIFY(startProxy(proxy, upstream.url()));
    QSignalSpy finished(&proxy, &Sse::ReverseProxy::exchangeFinished);
    const QByteArray response =
        exchangeRaw(proxy.port(), "GET /stream HTTP/1.1\r\nHost: p\r\n\r\n");
    QVERIFY2(response.contains("data: before the cut\n\n"), response.constData());
    QVERIFY2(!response.endsWith("0\r\n\r\n"), response.constData());
    QTRY_COMPARE(finished.size(), 1);
    const auto exchange = finished.first().first().value<Sse::ProxyExchange>();
    QCOMPARE(exchange.end, Sse::ProxyExchange::End::UpstreamFailed);
    QCOMPARE(exchange.status, 200);
    QCOMPARE(exchange.events, 1);
    QVERIFY(exchange.error.contains(QStringLiteral("cut")));
}

void tst_ReverseProxy::rejectsBadRequests_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<int>("status");
    QTest::newRow("forward-proxy form")
        << QByteArray("GET http://example.org/ HTTP/1.1\r\n\r\n") << 400;
    QTest::newRow("not http") << QByteArray("HELLO\r\n\r\n") << 400;
    QTest::newRow("folded header")
        << QByteArray("GET / HTTP/1.1\r\nX-A: 1\r\n  folded\r\n\r\n") << 400;
    QTest::newRow("both lengths") << QByteArray(
        "POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked"
        "\r\n\r\n0\r\n\r\n") << 400;
    QTest::newRow("too large") << QByteArray("POST / HTTP/1.1\r\nContent-Length: 2000\r\n\r\n")
                               << 413;
}

void tst_ReverseProxy::rejectsBadRequests()
{
    QFETCH(QByteArray, request);
    QFETCH(int, status);
    TestServer upstream;
    Sse::ReverseProxy proxy;
    Sse::ReverseProxyOptions options;
    options.upstream = upstream.url();
    options.maximumRequestBodyBytes = 1000;
    proxy.setOptions(options);
    QVERIFY(proxy.listen());
    const QByteArray response = exchangeRaw(proxy.port(), request);
    QVERIFY2(response.startsWith(QByteArray("HTTP/1.1 " + QByteArray::number(status) + ' ')),
             response.constData());
    QVERIFY(bodyOf(response).startsWith("sse-monitor proxy: "));
    QCOMPARE(upstream.requestCount(), 0);
}

// The client goes away in the middle of a stream: the upstream sees its connection close.
void tst_ReverseProxy::clientCloseAbortsTheUpstream()
{
    TestServer upstream;
    QPointer<TestHttp::Exchange> upstreamExchange;
    upstream.route("/stream", [&](TestHttp::Exchange *exchange) {
        upstreamExchange = exchange;
        exchange->sseHead(TestHttp::Framing::Chunked);
        exchange->send(TestServer::formatEvent("first"));
        // ... and nothing more for a long time.
    });
    Sse::ReverseProxy proxy;
    QVERIFY(startProxy(proxy, upstream.url()));
    QSignalSpy events(&proxy, &Sse::ReverseProxy::eventsReceived);
    QSignalSpy finished(&proxy, &Sse::ReverseProxy::exchangeFinished);

    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, proxy.port());
    QVERIFY(client.waitForConnected(5000));
    client.write("GET /stream HTTP/1.1\r\nHost: p\r\n\r\n");
    QVERIFY(events.wait(5000));
    QVERIFY(upstreamExchange);
    QSignalSpy upstreamClosed(upstreamExchange.data(), &TestHttp::Exchange::disconnected);
    QCOMPARE(proxy.activeExchanges(), 1);
    client.abort();
    QVERIFY(upstreamClosed.wait(5000));
    QTRY_COMPARE(finished.size(), 1);
    const auto exchange = finished.first().first().value<Sse::ProxyExchange>();
    QCOMPARE(exchange.end, Sse::ProxyExchange::End::ClientGone);
    QCOMPARE(exchange.events, 1);
    QCOMPARE(proxy.activeExchanges(), 0);
}

// A client that stops reading: the proxy stops reading the upstream too (about 1 MiB waits
// for the client, 1 MiB in the upstream socket's buffer), so the upstream's own send queue
// keeps most of a 32 MiB body and the proxy's memory stays bounded.
void tst_ReverseProxy::slowClientSlowsTheUpstream()
{
    constexpr qint64 BodyBytes = 32LL * 1024 * 1024;
    TestServer upstream;
    QPointer<TestHttp::Exchange> upstreamExchange;
    upstream.route("/big", [&](TestHttp::Exchange *exchange) {
        upstreamExchange = exchange;
        exchange->sseHead(TestHttp::Framing::Chunked);
        const QByteArray event = TestServer::formatEvent(QByteArray(1000, 'x'));
        QByteArray block;
        while (block.size() < 1024 * 1024)
            block += event;
        for (qint64 sent = 0; sent < BodyBytes; sent += block.size())
            exchange->send(block);
    });
    Sse::ReverseProxy proxy;
    QVERIFY(startProxy(proxy, upstream.url()));

    // A plain socket with a small receive buffer that never reads.
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    QVERIFY(fd >= 0);
    const int small = 16 * 1024;
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    sockaddr_in address {};
    address.sin_family = AF_INET;
    address.sin_port = htons(proxy.port());
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    QCOMPARE(::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address), 0);
    const QByteArray request = "GET /big HTTP/1.1\r\nHost: p\r\n\r\n";
    QCOMPARE(::send(fd, request.constData(), size_t(request.size()), 0), ssize_t(request.size()));

    QTRY_VERIFY_WITH_TIMEOUT(upstreamExchange && upstreamExchange->socket()
                                 && upstreamExchange->socket()->bytesToWrite() < BodyBytes,
                             10000);
    // Time for everything that can flow to flow: the upstream's queue no longer shrinks.
    qint64 left = upstreamExchange->socket()->bytesToWrite();
    for (int round = 0; round < 20; ++round) {
        QTest::qWait(100);
        left = upstreamExchange->socket()->bytesToWrite();
    }
    qInfo() << "upstream still holds" << left / (1024 * 1024) << "MiB of"
            << BodyBytes / (1024 * 1024);
    // What left the upstream sits in the kernel's socket buffers and at most about 2 MiB in the
    // proxy; without back-pressure the proxy would have read all of it.
    QVERIFY2(left > BodyBytes / 4, QByteArray::number(left).constData());
    QCOMPARE(proxy.activeExchanges(), 1);

    QSignalSpy upstreamClosed(upstreamExchange.data(), &TestHttp::Exchange::disconnected);
    ::close(fd);
    QVERIFY(upstreamClosed.wait(10000));
    QTRY_COMPARE(proxy.activeExchanges(), 0);
}

// Past maximumConnections a new client gets 503 at once; the others are not disturbed.
void tst_ReverseProxy::connectionCap()
{
    TestServer upstream;
    Sse::ReverseProxy proxy;
    Sse::ReverseProxyOptions options;
    options.upstream = upstream.url();
    options.maximumConnections = 2;
    proxy.setOptions(options);
    QVERIFY(proxy.listen());
    // Two clients that send half a request head and wait.
    QTcpSocket first;
    QTcpSocket second;
    for (QTcpSocket *socket : {&first, &second}) {
        socket->connectToHost(QHostAddress::LocalHost, proxy.port());
        QVERIFY(socket->waitForConnected(5000));
        socket->write("GET /slow HTTP/1.1\r\n");
    }
    QTRY_COMPARE(proxy.activeExchanges(), 2);
    const QByteArray refused = exchangeRaw(proxy.port(), "GET / HTTP/1.1\r\nHost: p\r\n\r\n");
    QVERIFY2(refused.startsWith("HTTP/1.1 503 Service Unavailable\r\n"), refused.constData());
    QCOMPARE(headerOf(refused, "retry-after"), QByteArray("1"));
    QCOMPARE(first.state(), QAbstractSocket::ConnectedState);
    QCOMPARE(upstream.requestCount(), 0);
    first.abort();
    QTRY_COMPARE(proxy.activeExchanges(), 1);
}

void tst_ReverseProxy::connectionCapClosesTheLongestIdle_data()
{
    QTest::addColumn<int>("busy");
    QTest::addColumn<QByteArray>("busyRequest"); // what each busy client sent
    QTest::addColumn<int>("idle");
    const QByteArray halfHead = "GET /json HTTP/1.1\r\n";
    const QByteArray stream = "GET /open HTTP/1.1\r\nHost: p\r\n\r\n";
    QTest::newRow("3 idle") << 0 << QByteArray() << 3;
    QTest::newRow("2 half-sent requests, 1 idle") << 2 << halfHead << 1;
    QTest::newRow("1 open stream, 2 idle") << 1 << stream << 2;
    QTest::newRow("3 half-sent requests") << 3 << halfHead << 0;
    QTest::newRow("3 open streams") << 3 << stream << 0;
}

// Idle kept-alive connections count against maximumConnections. At the cap a new client closes
// the longest-idle one and is served (nginx does the same with its keepalive connections);
// only when every connection is busy does it get 503.
void tst_ReverseProxy::connectionCapClosesTheLongestIdle()
{
    QFETCH(int, busy);
    QFETCH(QByteArray, busyRequest);
    QFETCH(int, idle);
    const int cap = busy + idle;
    TestServer upstream;
    upstream.route("/json", [](TestHttp::Exchange *exchange) {
        exchange->respond(200, {{"Content-Type", "application/json"}}, "{}");
    });
    upstream.route("/open", [](TestHttp::Exchange *exchange) {
        exchange->sseHead(TestHttp::Framing::Chunked);
        exchange->send("data: first\n\n"); // and stays open
    });
    Sse::ReverseProxy proxy;
    Sse::ReverseProxyOptions options;
    options.upstream = upstream.url();
    options.maximumConnections = cap;
    proxy.setOptions(options);
    QVERIFY(proxy.listen());
    const QByteArray json = "GET /json HTTP/1.1\r\nHost: p\r\n\r\n";

    std::vector<std::unique_ptr<QTcpSocket>> busySockets;
    for (int n = 0; n < busy; ++n) {
        auto &socket = busySockets.emplace_back(std::make_unique<QTcpSocket>());
        socket->connectToHost(QHostAddress::LocalHost, proxy.port());
        QVERIFY(socket->waitForConnected(5000));
        socket->write(busyRequest);
        QTRY_COMPARE(proxy.openConnections(), n + 1);
    }
    if (busyRequest.endsWith("\r\n\r\n")) { // streams: under way once their event came
        for (const auto &socket : busySockets)
            QTRY_VERIFY(socket->bytesAvailable() > 0);
    }
    // One request each, one after the other: the first is the longest idle.
    std::vector<std::unique_ptr<QTcpSocket>> idleSockets;
    std::vector<QByteArray> buffers(static_cast<size_t>(idle));
    for (int n = 0; n < idle; ++n) {
        auto &socket = idleSockets.emplace_back(std::make_unique<QTcpSocket>());
        socket->connectToHost(QHostAddress::LocalHost, proxy.port());
        QVERIFY(socket->waitForConnected(5000));
        socket->write(json);
        QCOMPARE(bodyOf(readResponse(*socket, buffers[size_t(n)])), QByteArray("{}"));
    }
    QTRY_COMPARE(proxy.openConnections(), cap);
    QTRY_COMPARE(proxy.activeExchanges(), busy);
    const int requestsBefore = upstream.requestCount();

    const QByteArray response = exchangeRaw(proxy.port(), json);
    if (idle == 0) {
        QVERIFY2(response.startsWith("HTTP/1.1 503 Service Unavailable\r\n"),
                 response.constData());
        QCOMPARE(headerOf(response, "retry-after"), QByteArray("1"));
        QCOMPARE(upstream.requestCount(), requestsBefore);
        for (const auto &socket : busySockets)
            QCOMPARE(socket->state(), QAbstractSocket::ConnectedState);
        QCOMPARE(proxy.openConnections(), cap);
        return;
    }
    QVERIFY2(response.startsWith("HTTP/1.1 200 OK\r\n"), response.constData());
    QCOMPARE(bodyOf(response), QByteArray("{}"));
    // The longest-idle one was closed, without a word; the others stay and still work.
    QTRY_COMPARE(idleSockets.front()->state(), QAbstractSocket::UnconnectedState);
    QCOMPARE(buffers.front() + idleSockets.front()->readAll(), QByteArray());
    for (const auto &socket : busySockets)
        QCOMPARE(socket->state(), QAbstractSocket::ConnectedState);
    for (int n = 1; n < idle; ++n) {
        QTcpSocket &socket = *idleSockets[size_t(n)];
        QCOMPARE(socket.state(), QAbstractSocket::ConnectedState);
        socket.write(json);
        QCOMPARE(bodyOf(readResponse(socket, buffers[size_t(n)])), QByteArray("{}"));
    }
    // The newcomer asked for close: one place is free again.
    QTRY_COMPARE(proxy.openConnections(), cap - 1);
}

// 50 streams at once through one proxy, 20 events each 20 ms apart: every client gets every
// event, and the whole run takes about as long as one stream.
void tst_ReverseProxy::keepAlive_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QByteArray>("body"); // what the client gets
    QTest::newRow("content-length") << QByteArray("GET") << QByteArray("/json")
                                    << QByteArray(R"({"ok":true})");
    QTest::newRow("chunked") << QByteArray("GET") << QByteArray("/chunked")
                             << QByteArray("one two");
    QTest::newRow("close-delimited upstream") << QByteArray("GET") << QByteArray("/close")
                                              << QByteArray("until the end");
    QTest::newRow("event stream") << QByteArray("POST") << QByteArray("/sse")
                                  << QByteArray("data: a\n\ndata: b\n\n");
    QTest::newRow("HEAD") << QByteArray("HEAD") << QByteArray("/json") << QByteArray();
    QTest::newRow("204") << QByteArray("GET") << QByteArray("/empty") << QByteArray();
}

// Several requests one after the other on one client connection, as SDKs send them: each
// response is framed so that the next one can follow, and the connection stays until the
// client says close.
void tst_ReverseProxy::keepAlive()
{
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, path);
    QFETCH(QByteArray, body);
    TestServer upstream;
    upstream.route("/json", [](TestHttp::Exchange *exchange) {
        exchange->respond(200, {{"Content-Type", "application/json"}}, R"({"ok":true})");
    });
    upstream.route("/chunked", [](TestHttp::Exchange *exchange) {
        exchange->writeHead(200, {{"Transfer-Encoding", "chunked"}});
        exchange->writeChunk("one ");
        exchange->writeChunk("two");
        exchange->endChunked();
    });
    upstream.route("/close", [](TestHttp::Exchange *exchange) {
        exchange->writeHead(200, {{"Content-Type", "text/plain"}});
        exchange->writeRaw("until the end");
        exchange->close();
    });
    upstream.route("/sse", [](TestHttp::Exchange *exchange) {
        exchange->sseHead(TestHttp::Framing::CloseDelimited);
        exchange->send("data: a\n\ndata: b\n\n");
        exchange->finish();
    });
    upstream.route("/empty", [](TestHttp::Exchange *exchange) { exchange->respond(204); });
    Sse::ReverseProxy proxy;
    QVERIFY(startProxy(proxy, upstream.url()));
    QSignalSpy finished(&proxy, &Sse::ReverseProxy::exchangeFinished);

    QTcpSocket socket;
    QSignalSpy connected(&socket, &QTcpSocket::connected);
    socket.connectToHost(QHostAddress::LocalHost, proxy.port());
    QVERIFY(connected.wait(5000));
    QByteArray buffer;
    const QByteArray request = method + ' ' + path + " HTTP/1.1\r\nHost: p\r\n"
        + (method == "POST" ? QByteArray("Content-Length: 2\r\n\r\n{}") : QByteArray("\r\n"));
    for (int round = 1; round <= 3; ++round) {
        socket.write(request);
        const QByteArray response = readResponse(socket, buffer, method);
        QVERIFY2(!response.isEmpty(), qPrintable(QStringLiteral("round %1").arg(round)));
        QCOMPARE(bodyOf(response), body);
        QCOMPARE(headerOf(response, "connection"), QByteArray());
        QTRY_COMPARE(finished.size(), round);
        const auto exchange = finished.last().first().value<Sse::ProxyExchange>();
        QCOMPARE(exchange.number, quint64(round));
        QCOMPARE(exchange.end, Sse::ProxyExchange::End::Complete);
        QCOMPARE(socket.state(), QAbstractSocket::ConnectedState);
        QTRY_COMPARE(proxy.activeExchanges(), 0);
    }
    QVERIFY(buffer.isEmpty()); // nothing after the responses
    QCOMPARE(upstream.requests().size(), 3);
    if (method == "POST")
        QCOMPARE(upstream.requests().last().body, QByteArray("{}"));

    // "Connection: close": the last response says so and the proxy closes.
    QSignalSpy closed(&socket, &QTcpSocket::disconnected);
    socket.write(method + ' ' + path + " HTTP/1.1\r\nHost: p\r\nConnection: close\r\n"
                 + (method == "POST" ? QByteArray("Content-Length: 2\r\n\r\n{}")
                                     : QByteArray("\r\n")));
    const QByteArray last = readResponse(socket, buffer, method);
    QCOMPARE(headerOf(last, "connection"), QByteArray("close"));
    QVERIFY(closed.wait(5000));
}

// Requests written back to back before any answer are answered one by one, in order.
void tst_ReverseProxy::pipelinedRequestsInOrder()
{
    TestServer upstream;
    upstream.route("/n", [](TestHttp::Exchange *exchange) {
        const QByteArray n = exchange->path().mid(exchange->path().indexOf('=') + 1);
        exchange->respond(200, {{"Content-Type", "text/plain"}}, "answer " + n);
    });
    Sse::ReverseProxy proxy;
    QVERIFY(startProxy(proxy, upstream.url()));
    QTcpSocket socket;
    QSignalSpy connected(&socket, &QTcpSocket::connected);
    socket.connectToHost(QHostAddress::LocalHost, proxy.port());
    QVERIFY(connected.wait(5000));
    QByteArray requests;
    for (int n = 1; n <= 4; ++n)
        requests += "GET /n?i=" + QByteArray::number(n) + " HTTP/1.1\r\nHost: p\r\n\r\n";
    socket.write(requests);
    QByteArray buffer;
    for (int n = 1; n <= 4; ++n)
        QCOMPARE(bodyOf(readResponse(socket, buffer)), "answer " + QByteArray::number(n));
    QCOMPARE(upstream.requests().size(), 4);
}

// HTTP/1.0 closes after one response; a kept-alive connection that stays quiet is closed
// after the request timeout, without a response (no 408 to a client that sent nothing).
void tst_ReverseProxy::idleConnectionCloses()
{
    TestServer upstream;
    upstream.route("/json", [](TestHttp::Exchange *exchange) {
        exchange->respond(200, {{"Content-Type", "application/json"}}, "{}");
    });
    Sse::ReverseProxy proxy;
    Sse::ReverseProxyOptions options;
    options.upstream = upstream.url();
    options.requestTimeoutMs = 300;
    proxy.setOptions(options);
    QVERIFY(proxy.listen());

    {
        QTcpSocket socket;
        QSignalSpy connected(&socket, &QTcpSocket::connected);
        QSignalSpy closed(&socket, &QTcpSocket::disconnected);
        socket.connectToHost(QHostAddress::LocalHost, proxy.port());
        QVERIFY(connected.wait(5000));
        socket.write("GET /json HTTP/1.0\r\nHost: p\r\n\r\n");
        QByteArray buffer;
        const QByteArray response = readResponse(socket, buffer);
        QCOMPARE(headerOf(response, "connection"), QByteArray("close"));
        QVERIFY(closed.wait(5000));
    }
    QTcpSocket socket;
    QSignalSpy connected(&socket, &QTcpSocket::connected);
    QSignalSpy closed(&socket, &QTcpSocket::disconnected);
    socket.connectToHost(QHostAddress::LocalHost, proxy.port());
    QVERIFY(connected.wait(5000));
    socket.write("GET /json HTTP/1.1\r\nHost: p\r\n\r\n");
    QByteArray buffer;
    QCOMPARE(bodyOf(readResponse(socket, buffer)), QByteArray("{}"));
    QVERIFY(closed.wait(5000));
    buffer += socket.readAll();
    QCOMPARE(buffer, QByteArray()); // closed without a 408
    QCOMPARE(proxy.activeExchanges(), 0);
}

void tst_ReverseProxy::fiftyConcurrentStreams()
{
    constexpr int Streams = 50;
    constexpr int Events = 20;
    TestServer upstream;
    upstream.route("/stream", [&](TestHttp::Exchange *exchange) {
        exchange->sseHead(TestHttp::Framing::Chunked);
        sendEvents(exchange, Events, 20, nullptr, nullptr);
    });
    Sse::ReverseProxy proxy;
    QVERIFY(startProxy(proxy, upstream.url()));
    int maximumActive = 0;
    connect(&proxy, &Sse::ReverseProxy::exchangeStarted, this,
            [&] { maximumActive = qMax(maximumActive, proxy.activeExchanges()); });

    std::vector<std::unique_ptr<Sse::Client>> clients;
    QList<int> received(Streams, 0);
    QElapsedTimer clock;
    clock.start();
    for (int i = 0; i < Streams; ++i) {
        Sse::ClientOptions clientOptions;
        clientOptions.url = proxy.url().resolved(QUrl(QStringLiteral("/stream?client=%1").arg(i)));
        clientOptions.reconnectPolicy = Sse::ReconnectPolicy::Never;
        auto client = std::make_unique<Sse::Client>();
        client->setOptions(clientOptions);
        connect(client.get(), &Sse::Client::eventsReceived, this,
                [&received, i](const Sse::EventBatch &batch) { received[i] += int(batch.size()); });
        client->open();
        clients.push_back(std::move(client));
    }
    QTRY_VERIFY_WITH_TIMEOUT(std::all_of(clients.cbegin(), clients.cend(),
                                         [](const auto &client) {
                                             return client->state() == Sse::Client::State::Closed;
                                         }),
                             20000);
    const qint64 elapsed = clock.elapsed();
    QCOMPARE(received, QList<int>(Streams, Events));
    QCOMPARE(upstream.requestCount(), Streams);
    QVERIFY2(maximumActive >= Streams / 2, QByteArray::number(maximumActive).constData());
    // One stream alone takes 19 x 20 ms = 380 ms.
    QVERIFY2(elapsed < 5000, QByteArray::number(elapsed).constData());
}

void tst_ReverseProxy::tlsUpstream_data()
{
    QTest::addColumn<QString>("trust");
    QTest::addColumn<bool>("works");
    QTest::newRow("test CA") << QStringLiteral("ca") << true;
    QTest::newRow("insecure") << QStringLiteral("insecure") << true;
    QTest::newRow("untrusted") << QString() << false;
}

void tst_ReverseProxy::tlsUpstream()
{
    QFETCH(QString, trust);
    QFETCH(bool, works);
    TlsUpstream upstream;
    QVERIFY(upstream.listen());
    Sse::ReverseProxy proxy;
    Sse::ReverseProxyOptions options;
    options.upstream = upstream.url();
    if (trust == QLatin1String("ca"))
        options.caCertificatesPem = readTlsFile(QStringLiteral("ca.pem"));
    options.allowInsecureTls = trust == QLatin1String("insecure");
    proxy.setOptions(options);
    QVERIFY(proxy.listen());
    QSignalSpy finished(&proxy, &Sse::ReverseProxy::exchangeFinished);
    Sse::EventList events;
    connect(
        &proxy, &Sse::ReverseProxy::eventsReceived, this,
        [&](const Sse::ProxyExchange &, const Sse::EventBatch &batch) { batch.appendTo(events); });

    const QByteArray response = exchangeRaw(proxy.port(), "GET /s HTTP/1.1\r\nHost: p\r\n\r\n");
    QTRY_COMPARE(finished.size(), 1);
    const auto exchange = finished.first().first().value<Sse::ProxyExchange>();
    if (works) {
        QVERIFY2(response.startsWith("HTTP/1.1 200 OK\r\n"), response.constData());
        QCOMPARE(bodyOf(response), QByteArray("data: over tls\n\nid: 2\ndata: two\n\n"));
        QCOMPARE(events.size(), 2);
        QCOMPARE(events.at(1).lastEventId, QByteArray("2"));
        QCOMPARE(exchange.end, Sse::ProxyExchange::End::Complete);
    } else {
        QVERIFY2(response.startsWith("HTTP/1.1 502 Bad Gateway\r\n"), response.constData());
        QVERIFY2(bodyOf(response).contains("TLS"), response.constData());
        QCOMPARE(exchange.end, Sse::ProxyExchange::End::UpstreamFailed);
    }
}

void tst_ReverseProxy::curlGetsIdenticalBytesUnbuffered_data()
{
    QTest::addColumn<int>("framing");
    QTest::addColumn<int>("coding");
    QTest::newRow("chunked") << int(TestHttp::Framing::Chunked) << int(TestHttp::Coding::Identity);
    QTest::newRow("close-delimited")
        << int(TestHttp::Framing::CloseDelimited) << int(TestHttp::Coding::Identity);
    QTest::newRow("chunked gzip") << int(TestHttp::Framing::Chunked) << int(TestHttp::Coding::Gzip);
}

// curl -N through the proxy and straight from the upstream: the same bytes; through the
// proxy each event is on curl's stdout well before the next one is sent (300 ms later).
void tst_ReverseProxy::curlGetsIdenticalBytesUnbuffered()
{
    QFETCH(int, framing);
    QFETCH(int, coding);
    QVERIFY2(!m_curl.isEmpty(), "curl is not installed (scripts/deps.sh installs it)");
    constexpr int Events = 5;
    TestServer upstream;
    QElapsedTimer clock;
    clock.start();
    QList<qint64> sentMs;
    bool measure = false;
    upstream.route("/stream", [&](TestHttp::Exchange *exchange) {
        exchange->sseHead(TestHttp::Framing(framing), TestHttp::Coding(coding));
        sendEvents(exchange, Events, measure ? 300 : 1, &clock, measure ? &sentMs : nullptr);
    });
    Sse::ReverseProxy proxy;
    QVERIFY(startProxy(proxy, upstream.url()));
    QSignalSpy events(&proxy, &Sse::ReverseProxy::eventsReceived);

    auto runCurl = [&](const QUrl &url, QList<qint64> *arrivalsMs) {
        QProcess curl;
        QByteArray out;
        connect(&curl, &QProcess::readyReadStandardOutput, &curl, [&] {
            const QByteArray bytes = curl.readAllStandardOutput();
            out += bytes;
            if (arrivalsMs) {
                // One arrival per event end ("\n\n" in plain text) seen so far.
                const qsizetype ends = coding == int(TestHttp::Coding::Gzip)
                    ? 0
                    : out.count("\n\n") - arrivalsMs->size();
                for (qsizetype i = 0; i < ends; ++i)
                    arrivalsMs->append(clock.elapsed());
            }
        });
        QSignalSpy done(&curl, &QProcess::finished);
        curl.start(m_curl,
                   {QStringLiteral("-sSN"), QStringLiteral("--max-time"), QStringLiteral("20"),
                    url.toString()});
        done.wait(30000);
        return out;
    };
    const QByteArray direct = runCurl(upstream.url("/stream"), nullptr);
    const QByteArray proxied =
        runCurl(proxy.url().resolved(QUrl(QStringLiteral("/stream"))), nullptr);
    QVERIFY(!direct.isEmpty());
    QCOMPARE(proxied, direct);
    if (coding == int(TestHttp::Coding::Gzip))
        QVERIFY(proxied.startsWith("\x1f\x8b")); // passed on compressed
    QCOMPARE(events.size() > 0, true); // and read by the proxy all the same

    if (coding == int(TestHttp::Coding::Gzip))
        return; // the timing needs plain text on curl's stdout
    measure = true;
    QList<qint64> arrivalsMs;
    runCurl(proxy.url().resolved(QUrl(QStringLiteral("/stream"))), &arrivalsMs);
    QCOMPARE(sentMs.size(), Events);
    QCOMPARE(arrivalsMs.size(), Events);
    QList<qint64> delays;
    for (int i = 0; i < Events; ++i)
        delays.append(arrivalsMs.at(i) - sentMs.at(i));
    qInfo() << "curl through the proxy, per-event delay (ms):" << delays;
    for (qint64 delay : std::as_const(delays))
        QVERIFY2(delay >= 0 && delay < 100, QByteArray::number(delay).constData());
}

// The npm eventsource package under node, through the proxy: every event, in order, each
// well before the next one is sent.
void tst_ReverseProxy::nodeEventSourceThroughTheProxy()
{
    const QString node = qEnvironmentVariable("SSE_NODE");
    const QString package = qEnvironmentVariable("SSE_EVENTSOURCE_DIR");
    const QString script = qEnvironmentVariable("SSE_EVENTSOURCE_CLIENT");
    QVERIFY2(!node.isEmpty() && QFile::exists(package + QStringLiteral("/package.json"))
                 && QFile::exists(script),
             "node and the npm eventsource package are needed: ctest runs the fixture "
             "reverseproxy_eventsource_setup (npm install into the build directory) first");
    constexpr int Events = 4;
    TestServer upstream;
    QElapsedTimer clock;
    clock.start();
    QList<qint64> sentMs;
    upstream.route("/events", [&](TestHttp::Exchange *exchange) {
        exchange->sseHead(TestHttp::Framing::Chunked);
        // The stream stays open after the last event: the client exits once it has all.
        sendEvents(exchange, Events, 300, &clock, &sentMs, false);
    });
    Sse::ReverseProxy proxy;
    QVERIFY(startProxy(proxy, upstream.url()));

    QProcess client;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("SSE_BENCH_EVENTSOURCE"), package);
    client.setProcessEnvironment(environment);
    QByteArray out;
    QList<qint64> arrivalsMs;
    connect(&client, &QProcess::readyReadStandardOutput, &client, [&] {
        out += client.readAllStandardOutput();
        while (arrivalsMs.size() < out.count('\n'))
            arrivalsMs.append(clock.elapsed());
    });
    QSignalSpy done(&client, &QProcess::finished);
    client.start(node,
                 {script, proxy.url().resolved(QUrl(QStringLiteral("/events"))).toString(),
                  QString::number(Events), QStringLiteral("tick")});
    QVERIFY(done.wait(30000));
    QCOMPARE(client.exitCode(), 0);
    const QList<QByteArray> lines = out.trimmed().split('\n');
    QCOMPARE(lines.size(), Events);
    for (int i = 0; i < Events; ++i) {
        const QJsonObject event = QJsonDocument::fromJson(lines.at(i)).object();
        QCOMPARE(event.value(QStringLiteral("type")).toString(), QStringLiteral("tick"));
        QCOMPARE(event.value(QStringLiteral("data")).toString(),
                 QStringLiteral("{\"n\":%1}").arg(i + 1));
        QCOMPARE(event.value(QStringLiteral("lastEventId")).toString(), QString::number(i + 1));
    }
    QList<qint64> delays;
    for (int i = 0; i < Events; ++i)
        delays.append(arrivalsMs.value(i) - sentMs.value(i));
    qInfo() << "node eventsource through the proxy, per-event delay (ms):" << delays;
    for (qint64 delay : std::as_const(delays))
        QVERIFY2(delay >= 0 && delay < 150, QByteArray::number(delay).constData());
}

// Our CLI as the client: the events it prints through the proxy are the ones it prints
// straight from the upstream.
void tst_ReverseProxy::cliClientThroughTheProxy()
{
    QVERIFY2(!m_cli.isEmpty(), "SSE_MONITOR_CLI is not set");
    TestServer upstream;
    upstream.route("/stream", [&](TestHttp::Exchange *exchange) {
        exchange->sseHead(TestHttp::Framing::Chunked, TestHttp::Coding::Gzip);
        sendEvents(exchange, 50, 1, nullptr, nullptr);
    });
    Sse::ReverseProxy proxy;
    QVERIFY(startProxy(proxy, upstream.url()));

    auto run = [&](const QUrl &url) {
        QProcess cli;
        QSignalSpy done(&cli, &QProcess::finished);
        cli.start(m_cli, {url.toString(), QStringLiteral("--max-events"), QStringLiteral("50")});
        done.wait(30000);
        QList<QByteArray> fields;
        for (const QByteArray &line : cli.readAllStandardOutput().split('\n')) {
            const QJsonObject record = QJsonDocument::fromJson(line).object();
            if (record.value(QStringLiteral("kind")) == QStringLiteral("event"))
                fields.append((record.value(QStringLiteral("type")).toString() + QLatin1Char('|')
                               + record.value(QStringLiteral("id")).toString() + QLatin1Char('|')
                               + record.value(QStringLiteral("data")).toString())
                                  .toUtf8());
        }
        return fields;
    };
    const QList<QByteArray> direct = run(upstream.url("/stream"));
    const QList<QByteArray> proxied = run(proxy.url().resolved(QUrl(QStringLiteral("/stream"))));
    QCOMPARE(direct.size(), 50);
    QCOMPARE(proxied, direct);
}

// `sse-monitor-cli proxy`: JSON Lines on stdout per exchange, the -o recording with the
// credentials masked, an llm record with --llm, an exchange record for a non-SSE response.
void tst_ReverseProxy::cliProxyPrintsAndRecords()
{
    QVERIFY2(!m_cli.isEmpty(), "SSE_MONITOR_CLI is not set");
    QVERIFY2(!m_curl.isEmpty(), "curl is not installed (scripts/deps.sh installs it)");
    TestServer upstream;
    upstream.route("/v1/chat/completions", [&](TestHttp::Exchange *exchange) {
        exchange->sseHead(TestHttp::Framing::Chunked);
        exchange->send(TestServer::formatEvent(
            R"({"id":"c1","object":"chat.completion.chunk","model":"gpt-x","choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"}}]})"));
        exchange->send(TestServer::formatEvent(
            R"({"id":"c1","object":"chat.completion.chunk","model":"gpt-x","choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":"stop"}]})"));
        exchange->send(TestServer::formatEvent("[DONE]"));
        exchange->finish();
    });
    upstream.route("/v1/models", [](TestHttp::Exchange *exchange) {
        exchange->respond(200, {{"Content-Type", "application/json"}}, R"({"data":[]})");
    });
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString recording = dir.filePath(QStringLiteral("proxy.jsonl"));
    QProcess proxy;
    const QUrl url = startCliProxy(proxy,
                                   {QStringLiteral("--upstream"), upstream.url().toString(),
                                    QStringLiteral("-o"), recording, QStringLiteral("--llm")});
    QVERIFY(url.isValid());

    auto curl = [&](const QStringList &arguments) {
        QProcess process;
        QSignalSpy done(&process, &QProcess::finished);
        process.start(m_curl, QStringList {QStringLiteral("-sSN")} + arguments);
        done.wait(30000);
        return process.readAllStandardOutput();
    };
    const QByteArray stream =
        curl({QStringLiteral("-H"), QStringLiteral("Authorization: Bearer sk-very-secret"),
              QStringLiteral("-H"), QStringLiteral("Content-Type: application/json"),
              QStringLiteral("-d"), QStringLiteral(R"({"stream":true})"),
              url.resolved(QUrl(QStringLiteral("/v1/chat/completions"))).toString()});
    QVERIFY2(stream.endsWith("data: [DONE]\n\n"), stream.constData());
    QCOMPARE(curl({url.resolved(QUrl(QStringLiteral("/v1/models?api_key=hidden"))).toString()}),
             QByteArray(R"({"data":[]})"));
    QCOMPARE(upstream.requests().first().header("authorization"),
             QByteArray("Bearer sk-very-secret"));

    // stdout: 3 events, an llm record, an exchange record; then the models exchange.
    QByteArray out;
    QTRY_VERIFY_WITH_TIMEOUT((out += proxy.readAllStandardOutput()).count('\n') >= 6, 10000);
    proxy.terminate();
    QVERIFY(proxy.waitForFinished(10000));
    out += proxy.readAllStandardOutput();
    QList<QJsonObject> records;
    for (const QByteArray &line : out.trimmed().split('\n'))
        records.append(QJsonDocument::fromJson(line).object());
    QCOMPARE(records.size(), 6);
    const QString chat = QStringLiteral("POST /v1/chat/completions #1");
    for (int i = 0; i < 3; ++i) {
        QCOMPARE(records.at(i).value(QStringLiteral("kind")).toString(), QStringLiteral("event"));
        QCOMPARE(records.at(i).value(QStringLiteral("connection")).toString(), chat);
        QCOMPARE(records.at(i).value(QStringLiteral("seq")).toInt(), i + 1);
    }
    QCOMPARE(records.at(2).value(QStringLiteral("data")).toString(), QStringLiteral("[DONE]"));
    QCOMPARE(records.at(3).value(QStringLiteral("kind")).toString(), QStringLiteral("llm"));
    QCOMPARE(records.at(3).value(QStringLiteral("connection")).toString(), chat);
    QCOMPARE(records.at(3).value(QStringLiteral("text")).toString(), QStringLiteral("Hello"));
    const QJsonObject chatExchange = records.at(4);
    QCOMPARE(chatExchange.value(QStringLiteral("kind")).toString(), QStringLiteral("exchange"));
    QCOMPARE(chatExchange.value(QStringLiteral("method")).toString(), QStringLiteral("POST"));
    QCOMPARE(chatExchange.value(QStringLiteral("status")).toInt(), 200);
    QCOMPARE(chatExchange.value(QStringLiteral("events")).toInt(), 3);
    QCOMPARE(chatExchange.value(QStringLiteral("bytes")).toInt(), stream.size());
    QCOMPARE(chatExchange.value(QStringLiteral("end")).toString(), QStringLiteral("complete"));
    const QJsonObject models = records.at(5);
    QCOMPARE(models.value(QStringLiteral("connection")).toString(),
             QStringLiteral("GET /v1/models #2"));
    QCOMPARE(models.value(QStringLiteral("path")).toString(),
             QStringLiteral("/v1/models?api_key=<redacted>"));
    QCOMPARE(models.value(QStringLiteral("bytes")).toInt(), 11);
    QVERIFY(!models.contains(QStringLiteral("events")));
    QVERIFY(models.value(QStringLiteral("ms")).toDouble() >= 0);

    // The recording: a header per exchange, the same records, no secret in the clear.
    QFile file(recording);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray recorded = file.readAll();
    QVERIFY(!recorded.contains("sk-very-secret"));
    QVERIFY(!recorded.contains("hidden"));
    QVERIFY2(recorded.contains(R"(["Authorization","<redacted>"])"), recorded.constData());
    QCOMPARE(recorded.count("\"kind\":\"header\""), 2);
    QCOMPARE(recorded.count("\"kind\":\"event\""), 3);
    QCOMPARE(recorded.count("\"kind\":\"exchange\""), 2);
}

// The README's example: an OpenAI SDK application (node, the npm openai package) pointed at
// the proxy with OPENAI_BASE_URL gets its answer, and the proxy shows the stream.
void tst_ReverseProxy::openAiSdkThroughTheCliProxy()
{
    QVERIFY2(!m_cli.isEmpty(), "SSE_MONITOR_CLI is not set");
    const QString node = qEnvironmentVariable("SSE_NODE");
    const QString modules = qEnvironmentVariable("SSE_NODE_MODULES");
    const QString app = qEnvironmentVariable("SSE_OPENAI_APP");
    QVERIFY2(!node.isEmpty() && QFile::exists(modules + QStringLiteral("/openai/package.json"))
                 && QFile::exists(app),
             "node and the npm openai package are needed: ctest runs the fixture "
             "reverseproxy_eventsource_setup (npm install into the build directory) first");
    // ES modules resolve packages from the script's folder: the script goes next to them.
    const QString script = modules + QStringLiteral("/../openai_app.mjs");
    QFile::remove(script);
    QVERIFY(QFile::copy(app, script));

    TestServer upstream;
    upstream.route("/v1/models", [](TestHttp::Exchange *exchange) {
        exchange->respond(
            200, {{"Content-Type", "application/json"}},
            R"({"object":"list","data":[{"id":"gpt-test","object":"model","created":1,"owned_by":"t"}]})");
    });
    upstream.route("/v1/chat/completions", [](TestHttp::Exchange *exchange) {
        exchange->sseHead(TestHttp::Framing::Chunked);
        const QList<QByteArray> pieces = {"Hel", "lo", "!"};
        for (qsizetype i = 0; i < pieces.size(); ++i) {
            exchange->sendLater(
                int(i) * 20,
                TestServer::formatEvent(
                    R"({"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-test","choices":[{"index":0,"delta":{"content":")"
                    + pieces.at(i) + R"("},"finish_reason":)"
                    + (i + 1 == pieces.size() ? "\"stop\"" : "null") + "}]}"));
        }
        QPointer<TestHttp::Exchange> guard(exchange);
        QTimer::singleShot(80, exchange, [guard] {
            if (guard) {
                guard->send(TestServer::formatEvent("[DONE]"));
                guard->finish();
            }
        });
    });
    QProcess proxy;
    const QUrl url = startCliProxy(
        proxy, {QStringLiteral("--upstream"), upstream.url().toString(), QStringLiteral("--llm")});
    QVERIFY(url.isValid());

    QProcess client;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("OPENAI_BASE_URL"), url.toString() + QStringLiteral("/v1"));
    environment.insert(QStringLiteral("OPENAI_API_KEY"), QStringLiteral("sk-test-key"));
    client.setProcessEnvironment(environment);
    QSignalSpy done(&client, &QProcess::finished);
    client.start(node, {script});
    QVERIFY(done.wait(60000));
    const QByteArray printed = client.readAllStandardOutput();
    QVERIFY2(client.exitCode() == 0, client.readAllStandardError().constData());
    QCOMPARE(printed, QByteArray("models: gpt-test\ntext: Hello!\n"));
    QCOMPARE(upstream.requests("/v1/chat/completions").first().header("authorization"),
             QByteArray("Bearer sk-test-key"));

    QByteArray out;
    QTRY_VERIFY_WITH_TIMEOUT(
        (out += proxy.readAllStandardOutput()).count("\"kind\":\"exchange\"") == 2, 10000);
    proxy.terminate();
    QVERIFY(proxy.waitForFinished(10000));
    QCOMPARE(out.count("\"connection\":\"POST /v1/chat/completions #2\""), 4 + 1 + 1);
    QVERIFY2(out.contains(R"("provider":"openai-chat")") && out.contains(R"("text":"Hello!")"),
             out.constData());
}

void tst_ReverseProxy::cliProxyTlsOptions_data()
{
    QTest::addColumn<QStringList>("options");
    QTest::addColumn<bool>("works");
    QTest::newRow("--cacert") << QStringList {QStringLiteral("--cacert"),
                                              QStringLiteral(TLS_DATA_DIR "/ca.pem")}
                              << true;
    QTest::newRow("--insecure") << QStringList {QStringLiteral("--insecure")} << true;
    QTest::newRow("untrusted") << QStringList {} << false;
}

// `proxy --upstream https://...` with the test CA, with --insecure, and with neither (502).
void tst_ReverseProxy::cliProxyTlsOptions()
{
    QFETCH(QStringList, options);
    QFETCH(bool, works);
    QVERIFY2(!m_cli.isEmpty(), "SSE_MONITOR_CLI is not set");
    TlsUpstream upstream;
    QVERIFY(upstream.listen());
    QProcess proxy;
    const QUrl url = startCliProxy(
        proxy, QStringList {QStringLiteral("--upstream"), upstream.url().toString()} + options);
    QVERIFY(url.isValid());
    const QByteArray response =
        exchangeRaw(quint16(url.port()), "GET /s HTTP/1.1\r\nHost: p\r\n\r\n");
    if (works) {
        QVERIFY2(response.startsWith("HTTP/1.1 200 OK\r\n"), response.constData());
        QCOMPARE(bodyOf(response), QByteArray("data: over tls\n\nid: 2\ndata: two\n\n"));
    } else {
        QVERIFY2(response.startsWith("HTTP/1.1 502 Bad Gateway\r\n"), response.constData());
    }
    QByteArray out;
    QTRY_VERIFY_WITH_TIMEOUT(
        (out += proxy.readAllStandardOutput()).contains("\"kind\":\"exchange\""), 10000);
    QCOMPARE(out.count("\"kind\":\"event\""), works ? 2 : 0);
    proxy.terminate();
    QVERIFY(proxy.waitForFinished(10000));
    if (!works)
        QVERIFY(proxy.readAllStandardError().contains("(answered 502)"));
}

void tst_ReverseProxy::cliProxyUsageErrors_data()
{
    QTest::addColumn<QByteArray>("arguments");
    QTest::addColumn<QByteArray>("message");
    QTest::newRow("no upstream") << QByteArray("--listen 127.0.0.1:0")
                                 << QByteArray("--upstream URL is required");
    QTest::newRow("bad scheme") << QByteArray("--upstream ftp://example.org")
                                << QByteArray("--upstream takes an http:// or https:// URL");
    QTest::newRow("query") << QByteArray("--upstream http://127.0.0.1:1/?a=b")
                           << QByteArray("--upstream takes no query");
    QTest::newRow("remote") << QByteArray("--upstream http://127.0.0.1:1 --listen 0.0.0.0:0")
                            << QByteArray("is not a loopback address");
    QTest::newRow("listen") << QByteArray("--upstream http://127.0.0.1:1 --listen nowhere:x")
                            << QByteArray("--listen takes ADDRESS:PORT");
    QTest::newRow("cacert") << QByteArray("--upstream https://127.0.0.1:1 --cacert /nonexistent")
                            << QByteArray("--cacert: cannot read");
    QTest::newRow("positional") << QByteArray("--upstream http://127.0.0.1:1 extra")
                                << QByteArray("unexpected argument extra");
}

void tst_ReverseProxy::cliProxyUsageErrors()
{
    QFETCH(QByteArray, arguments);
    QFETCH(QByteArray, message);
    QVERIFY2(!m_cli.isEmpty(), "SSE_MONITOR_CLI is not set");
    QProcess process;
    process.start(m_cli,
                  QStringList {QStringLiteral("proxy")}
                      + QString::fromUtf8(arguments).split(QLatin1Char(' ')));
    QVERIFY(process.waitForFinished(10000));
    QCOMPARE(process.exitCode(), 2);
    const QByteArray errors = process.readAllStandardError();
    QVERIFY2(errors.contains(message), errors.constData());
}

QTEST_MAIN(tst_ReverseProxy)
#include "tst_reverseproxy.moc"
