// Secrets in URLs (issue 20 item 8): EventSource cannot set headers, so tokens travel as
// user info or query parameters. They are masked wherever a URL is shown or written.

#include "sselib/profile.h"
#include "testserver.h"

#include <QProcess>
#include <QTest>

using namespace Qt::StringLiterals;

class TestRedaction : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void redactedUrl_data();
    void redactedUrl();
    void checkReportHidesUrlSecrets_data();
    void checkReportHidesUrlSecrets();
    void secretMissing_data();
    void secretMissing();
};

void TestRedaction::redactedUrl_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("shown");
    QTest::addColumn<bool>("secret");

    QTest::newRow("plain") << u"https://example.com/events?x=1"_s
                           << u"https://example.com/events?x=1"_s << false;
    QTest::newRow("user and password")
        << u"https://ann:hunter2@example.com/events"_s
        << u"https://ann:<redacted>@example.com/events"_s << true;
    QTest::newRow("a token as the user name")
        << u"https://tok123@example.com/events"_s << u"https://<redacted>@example.com/events"_s
        << true;
    QTest::newRow("access_token and others")
        << u"https://example.com/events?access_token=abc&since=5"_s
        << u"https://example.com/events?access_token=<redacted>&since=5"_s << true;
    QTest::newRow("api_key, escaped")
        << u"https://example.com/s?api_key=a%26b%3Dc"_s
        << u"https://example.com/s?api_key=<redacted>"_s << true;
    QTest::newRow("empty token value") << u"https://example.com/s?token="_s
                                       << u"https://example.com/s?token="_s << false;
    QTest::newRow("fragment dropped") << u"https://example.com/s#secret=1"_s
                                      << u"https://example.com/s"_s << false;
}

void TestRedaction::redactedUrl()
{
    QFETCH(QString, url);
    QFETCH(QString, shown);
    QFETCH(bool, secret);
    const QUrl parsed(url);
    QCOMPARE(Sse::redactedUrl(parsed), shown);
    QCOMPARE(Sse::urlHasSecrets(parsed), secret);
}

void TestRedaction::checkReportHidesUrlSecrets_data()
{
    QTest::addColumn<bool>("json");
    QTest::newRow("text") << false;
    QTest::newRow("--json") << true;
}

// `check` prints the URL it checked: the token must not be in its output.
void TestRedaction::checkReportHidesUrlSecrets()
{
    QFETCH(bool, json);
    const QString cli = qEnvironmentVariable("SSE_MONITOR_CLI");
    if (cli.isEmpty())
        QSKIP("SSE_MONITOR_CLI is not set");
    TestServer server;
    server.route("/stream", [](TestServer::Exchange *exchange) {
        exchange->sseHead();
        exchange->send("id: 1\ndata: x\n\n");
    });
    QUrl url = server.url("/stream");
    url.setQuery(u"access_token=SECRET-TOKEN-42&x=1"_s);
    QProcess process;
    QStringList arguments{u"check"_s, url.toString(), u"--duration"_s, u"1"_s};
    if (json)
        arguments.append(u"--json"_s);
    process.start(cli, arguments);
    QVERIFY(process.waitForStarted());
    QTRY_COMPARE_WITH_TIMEOUT(process.state(), QProcess::NotRunning, 20000);
    const QByteArray output = process.readAllStandardOutput() + process.readAllStandardError();
    QVERIFY2(!output.contains("SECRET-TOKEN-42"), output.constData());
    QVERIFY2(output.contains("access_token=<redacted>")
                 || output.contains("access_token=\\u003Credacted\\u003E")
                 || output.contains("access_token=%3Credacted%3E"),
             output.constData());
    // The request itself carried the real token.
    QVERIFY(server.requests("/stream").constFirst().path.contains("SECRET-TOKEN-42"));
}

// A connection whose secrets the keychain could not give waits until each is entered: the URL
// counts as given only once the mask that stood for its credentials is gone.
void TestRedaction::secretMissing_data()
{
    QTest::addColumn<QByteArray>("name");
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("proxy");
    QTest::addColumn<QByteArray>("passphrase");
    QTest::addColumn<QByteArray>("headerValue");
    QTest::addColumn<bool>("missing");

    const QString masked = u"http://user:<redacted>@h/s?x=1"_s;
    const QString maskedQuery = u"http://h/s?api_key=<redacted>&x=1"_s;
    const QString plain = u"http://user:pw@h/s?api_key=K&x=1"_s;
    QTest::newRow("URL still masked") << QByteArray(Sse::UrlSecret) << masked << QString()
                                      << QByteArray() << QByteArray() << true;
    QTest::newRow("URL query still masked") << QByteArray(Sse::UrlSecret) << maskedQuery
                                            << QString() << QByteArray() << QByteArray() << true;
    QTest::newRow("URL given") << QByteArray(Sse::UrlSecret) << plain << QString() << QByteArray()
                               << QByteArray() << false;
    QTest::newRow("URL without credentials now")
        << QByteArray(Sse::UrlSecret) << u"http://h/s"_s << QString() << QByteArray()
        << QByteArray() << false;
    QTest::newRow("proxy password empty")
        << QByteArray(Sse::ProxyPasswordSecret) << plain << u"http://u@proxy:3128"_s << QByteArray()
        << QByteArray() << true;
    QTest::newRow("proxy password given")
        << QByteArray(Sse::ProxyPasswordSecret) << plain << u"http://u:p@proxy:3128"_s
        << QByteArray() << QByteArray() << false;
    QTest::newRow("passphrase empty") << QByteArray(Sse::KeyPassphraseSecret) << plain << QString()
                                      << QByteArray() << QByteArray() << true;
    QTest::newRow("passphrase given") << QByteArray(Sse::KeyPassphraseSecret) << plain << QString()
                                      << QByteArray("pp") << QByteArray() << false;
    QTest::newRow("header empty") << QByteArray("authorization") << plain << QString()
                                  << QByteArray() << QByteArray() << true;
    QTest::newRow("header given") << QByteArray("authorization") << plain << QString()
                                  << QByteArray() << QByteArray("Bearer t") << false;
}

void TestRedaction::secretMissing()
{
    QFETCH(QByteArray, name);
    QFETCH(QString, url);
    QFETCH(QString, proxy);
    QFETCH(QByteArray, passphrase);
    QFETCH(QByteArray, headerValue);
    QFETCH(bool, missing);
    Sse::ClientOptions options;
    options.url = QUrl(url);
    options.proxy = proxy;
    options.clientKeyPassphrase = passphrase;
    options.headers = {{"Authorization", headerValue}, {"Accept", "text/event-stream"}};
    QCOMPARE(Sse::secretMissing(name, options), missing);
}

QTEST_GUILESS_MAIN(TestRedaction)
#include "tst_redaction.moc"
