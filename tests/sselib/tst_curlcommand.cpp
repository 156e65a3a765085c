// Sse::CurlCommand: bash word splitting, curl's options as browsers' and API consoles' "Copy
// as cURL" write them, the command written back; and `sse-monitor-cli curl` end to end
// against a loopback TestServer.

#include "testserver.h"

#include "sselib/curlcommand.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

using Headers = QList<QPair<QByteArray, QByteArray>>;
Q_DECLARE_METATYPE(Headers)

namespace {

QByteArray headerValue(const Sse::ClientOptions &options, QByteArrayView name)
{
    for (const auto &header : options.headers) {
        if (header.first.compare(name, Qt::CaseInsensitive) == 0)
            return header.second;
    }
    return QByteArray();
}

} // namespace

class TestCurlCommand : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void words_data();
    void words();
    void pastedCommands_data();
    void pastedCommands();
    void options_data();
    void options();
    void errors_data();
    void errors();
    void dataFromFile();
    void formatRoundTrip();
    void formatHidesSecrets();
    void cliRunsTheStream();
    void cliNamesUnknownOption();
};

void TestCurlCommand::words_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QStringList>("words");
    QTest::newRow("blanks") << "curl  -s\t'x'\n" << QStringList{u"curl"_s, u"-s"_s, u"x"_s};
    QTest::newRow("single quotes keep everything") << R"('a "b" \n $X')"
                                                   << QStringList{uR"(a "b" \n $X)"_s};
    QTest::newRow("double quotes") << R"("a \"b\" \\ \$X \n")"
                                   << QStringList{uR"(a "b" \ $X \n)"_s};
    QTest::newRow("concatenated") << R"('a'"b"c\ d)" << QStringList{u"abc d"_s};
    QTest::newRow("empty quoted word") << "-d '' x" << QStringList{u"-d"_s, u""_s, u"x"_s};
    QTest::newRow("line continuation") << "curl 'u' \\\n  -H 'a: b'"
                                       << QStringList{u"curl"_s, u"u"_s, u"-H"_s, u"a: b"_s};
    QTest::newRow("CRLF continuation") << "curl 'u' \\\r\n  -N\r\n" << QStringList{u"curl"_s, u"u"_s, u"-N"_s};
    QTest::newRow("ansi-c escapes") << R"($'a\nb\tc\\d\'e\"f')"
                                    << QStringList{QStringLiteral("a\nb\tc\\d'e\"f")};
    QTest::newRow("ansi-c hex, octal, unicode") << R"($'\x41\101\u20ac\xe2\x82\xac')"
                                                << QStringList{QStringLiteral("AA\u20ac\u20ac")};
    QTest::newRow("ansi-c json body") << R"(--data-raw $'{"text":"it\'s\\n"}')"
                                      << QStringList{u"--data-raw"_s, uR"({"text":"it's\n"})"_s};
    QTest::newRow("comment") << "curl u # the stream\n-N" << QStringList{u"curl"_s, u"u"_s, u"-N"_s};
    QTest::newRow("hash inside a word") << "a#b" << QStringList{u"a#b"_s};
}

void TestCurlCommand::words()
{
    QFETCH(QString, text);
    QFETCH(QStringList, words);
    QStringList split;
    QString error;
    QVERIFY2(Sse::CurlCommand::splitWords(text, &split, &error), qPrintable(error));
    QCOMPARE(split, words);
}

// Commands as the tools write them (Chrome 131 "Copy as cURL (bash)", Firefox 133 "Copy as
// cURL (POSIX)", Postman's code snippet, Insomnia's), with made-up hosts and tokens.
void TestCurlCommand::pastedCommands_data()
{
    QTest::addColumn<QString>("command");
    QTest::addColumn<QString>("url");
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<Headers>("someHeaders");
    QTest::addColumn<QByteArray>("body");

    QTest::newRow("Chrome GET") << QStringLiteral(
        "curl 'https://stream.example.org/v2/stream/recentchange?since=1' \\\n"
        "  -H 'accept: text/event-stream' \\\n"
        "  -H 'accept-language: en-US,en;q=0.9' \\\n"
        "  -H 'cache-control: no-cache' \\\n"
        "  -b 'session=abc123; theme=dark' \\\n"
        "  -H 'referer: https://app.example.org/' \\\n"
        "  -H 'sec-fetch-mode: cors' \\\n"
        "  -H 'user-agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Safari/537.36'")
        << "https://stream.example.org/v2/stream/recentchange?since=1" << QByteArray("GET")
        << Headers{{"accept", "text/event-stream"}, {"Cookie", "session=abc123; theme=dark"},
                   {"referer", "https://app.example.org/"}}
        << QByteArray();
    QTest::newRow("Chrome POST with $'...'") << QStringLiteral(
        "curl 'https://api.example.com/v1/chat/completions' \\\n"
        "  -H 'accept: text/event-stream' \\\n"
        "  -H 'authorization: Bearer sk-test' \\\n"
        "  -H 'content-type: application/json' \\\n"
        "  --data-raw $'{\"messages\":[{\"role\":\"user\",\"content\":\"it\\'s\\\\n\"}],\"stream\":true}'")
        << "https://api.example.com/v1/chat/completions" << QByteArray("POST")
        << Headers{{"authorization", "Bearer sk-test"}, {"content-type", "application/json"}}
        << QByteArray(R"({"messages":[{"role":"user","content":"it's\n"}],"stream":true})");
    QTest::newRow("Firefox") << QStringLiteral(
        "curl 'https://api.example.com/events' --compressed -X POST -H 'User-Agent: Mozilla/5.0 "
        "(X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0' -H 'Accept: text/event-stream' "
        "-H 'Accept-Language: en-US,en;q=0.5' -H 'Accept-Encoding: gzip, deflate, br, zstd' "
        "-H 'Content-Type: application/json' -H 'Origin: https://app.example.com' "
        "-H 'Connection: keep-alive' -H 'Sec-Fetch-Dest: empty' --data-raw '{\"q\":1}'")
        << "https://api.example.com/events" << QByteArray("POST")
        << Headers{{"User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 "
                                  "Firefox/133.0"},
                   {"Accept", "text/event-stream"}, {"Content-Type", "application/json"}}
        << QByteArray(R"({"q":1})");
    QTest::newRow("Postman") << QStringLiteral(
        "curl --location 'https://api.example.com/v1/messages' \\\n"
        "--header 'x-api-key: test-key' \\\n"
        "--header 'anthropic-version: 2023-06-01' \\\n"
        "--header 'Content-Type: application/json' \\\n"
        "--data '{\n    \"model\": \"m\",\n    \"stream\": true\n}'")
        << "https://api.example.com/v1/messages" << QByteArray("POST")
        << Headers{{"x-api-key", "test-key"}, {"anthropic-version", "2023-06-01"}}
        << QByteArray("{\n    \"model\": \"m\",\n    \"stream\": true\n}");
    QTest::newRow("Insomnia") << QStringLiteral(
        "curl --request GET \\\n  --url 'https://api.example.com/sse?x=1' \\\n"
        "  --header 'Accept: text/event-stream' \\\n  --user 'me:pa ss'")
        << "https://api.example.com/sse?x=1" << QByteArray("GET")
        << Headers{{"Authorization", "Basic " + QByteArray("me:pa ss").toBase64()}} << QByteArray();
}

void TestCurlCommand::pastedCommands()
{
    QFETCH(QString, command);
    QFETCH(QString, url);
    QFETCH(QByteArray, method);
    QFETCH(Headers, someHeaders);
    QFETCH(QByteArray, body);
    QVERIFY(Sse::CurlCommand::looksLikeCommand(command));
    Sse::CurlCommand parsed;
    QString error;
    QVERIFY2(Sse::CurlCommand::parse(command, &parsed, &error), qPrintable(error));
    QCOMPARE(parsed.options.url.toString(QUrl::FullyEncoded), url);
    QCOMPARE(parsed.options.method, method);
    for (const auto &header : std::as_const(someHeaders))
        QCOMPARE(headerValue(parsed.options, header.first), header.second);
    QCOMPARE(parsed.options.body, body);
    // The client asks for the encodings it decodes itself.
    QVERIFY(headerValue(parsed.options, "Accept-Encoding").isEmpty());
}

void TestCurlCommand::options_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("check"); // what to look at
    QTest::addColumn<QString>("expected");
    const QString u = QStringLiteral("http://h/s");
    QTest::newRow("-XPOST attached") << QStringList{u"-XPOST"_s, u} << "method" << "POST";
    QTest::newRow("--request") << QStringList{u"--request"_s, u"put"_s, u} << "method" << "PUT";
    QTest::newRow("-d implies POST") << QStringList{u"-d"_s, u"a=1"_s, u"-d"_s, u"b=2"_s, u} << "body"
                                     << "a=1&b=2";
    QTest::newRow("--data=x") << QStringList{u"--data=x"_s, u} << "body" << "x";
    QTest::newRow("-d form type") << QStringList{u"-d"_s, u"a=1"_s, u} << "header:content-type"
                                  << "application/x-www-form-urlencoded";
    QTest::newRow("--json") << QStringList{u"--json"_s, uR"({"a":1})"_s, u} << "header:content-type"
                            << "application/json";
    QTest::newRow("-X GET keeps GET with -d") << QStringList{u"-X"_s, u"GET"_s, u"-d"_s, u"x"_s, u}
                                              << "method" << "GET";
    QTest::newRow("-A") << QStringList{u"-A"_s, u"agent/1"_s, u} << "header:user-agent" << "agent/1";
    QTest::newRow("--user-agent") << QStringList{u"--user-agent"_s, u"a/2"_s, u} << "header:user-agent"
                                  << "a/2";
    QTest::newRow("-e") << QStringList{u"-e"_s, u"https://r/"_s, u} << "header:referer" << "https://r/";
    QTest::newRow("-b") << QStringList{u"-b"_s, u"a=b"_s, u} << "header:cookie" << "a=b";
    QTest::newRow("-u") << QStringList{u"-u"_s, u"a:b"_s, u} << "header:authorization" << "Basic YTpi";
    QTest::newRow("-H Name; empty") << QStringList{u"-H"_s, u"X-Empty;"_s, u} << "header:x-empty" << "";
    QTest::newRow("-k") << QStringList{u"-k"_s, u} << "insecure" << "true";
    QTest::newRow("--insecure") << QStringList{u"--insecure"_s, u} << "insecure" << "true";
    QTest::newRow("combined -sNk") << QStringList{u"-sNk"_s, u} << "insecure" << "true";
    QTest::newRow("-x") << QStringList{u"-x"_s, u"socks5h://p:1080"_s, u} << "proxy"
                        << "socks5h://p:1080";
    QTest::newRow("--proxy with -U") << QStringList{u"--proxy"_s, u"http://p:3128"_s, u"-U"_s, u"me:pw"_s, u}
                                     << "proxy" << "http://me:pw@p:3128";
    QTest::newRow("-x empty: no proxy") << QStringList{u"-x"_s, u""_s, u} << "noproxy" << "*";
    QTest::newRow("--noproxy") << QStringList{u"--noproxy"_s, u"a.com,b.com"_s, u} << "noproxy"
                               << "a.com,b.com";
    QTest::newRow("--cert with password") << QStringList{u"--cert"_s, u"/c.pem:pw"_s, u} << "cert"
                                          << "/c.pem|pw|pem";
    QTest::newRow("-E p12") << QStringList{u"-E"_s, u"/c.p12:pw"_s, u"--cert-type"_s, u"P12"_s, u} << "cert"
                            << "/c.p12|pw|p12";
    QTest::newRow("--key") << QStringList{u"--cert"_s, u"/c.pem"_s, u"--key"_s, u"/k.pem"_s, u} << "key"
                           << "/k.pem";
    QTest::newRow("-m") << QStringList{u"-m"_s, u"2.5"_s, u} << "maxtime" << "2500";
    QTest::newRow("--max-time") << QStringList{u"--max-time"_s, u"3"_s, u} << "maxtime" << "3000";
    QTest::newRow("--connect-timeout") << QStringList{u"--connect-timeout"_s, u"4"_s, u} << "connect"
                                       << "4000";
    QTest::newRow("-v -s -S -L --http2")
        << QStringList{u"-v"_s, u"-s"_s, u"-S"_s, u"-L"_s, u"--http2"_s, u} << "flags" << "v s S L h2";
    QTest::newRow("--http1.1") << QStringList{u"--http1.1"_s, u} << "flags" << "h1";
    QTest::newRow("--compressed -N no-ops") << QStringList{u"--compressed"_s, u"-N"_s, u"--no-buffer"_s, u}
                                            << "method" << "GET";
}

void TestCurlCommand::options()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, check);
    QFETCH(QString, expected);
    Sse::CurlCommand command;
    QString error;
    QVERIFY2(Sse::CurlCommand::parseArguments(arguments, &command, &error), qPrintable(error));
    const Sse::ClientOptions &o = command.options;
    QString actual;
    if (check == QLatin1String("method")) {
        actual = QString::fromLatin1(o.method);
    } else if (check == QLatin1String("body")) {
        actual = QString::fromUtf8(o.body);
    } else if (check.startsWith(QLatin1String("header:"))) {
        actual = QString::fromUtf8(headerValue(o, check.mid(7).toLatin1()));
    } else if (check == QLatin1String("insecure")) {
        actual = o.allowInsecureTls ? QStringLiteral("true") : QStringLiteral("false");
    } else if (check == QLatin1String("proxy")) {
        actual = o.proxy;
    } else if (check == QLatin1String("noproxy")) {
        actual = o.noProxy;
    } else if (check == QLatin1String("cert")) {
        actual = o.clientCertificateFile + QLatin1Char('|') + QString::fromUtf8(o.clientKeyPassphrase)
            + (o.clientCertificateType == Sse::CertificateType::Pkcs12 ? QStringLiteral("|p12")
                                                                       : QStringLiteral("|pem"));
    } else if (check == QLatin1String("key")) {
        actual = o.clientKeyFile;
    } else if (check == QLatin1String("maxtime")) {
        actual = QString::number(command.maxTimeMs);
    } else if (check == QLatin1String("connect")) {
        actual = QString::number(o.connectTimeoutMs);
    } else if (check == QLatin1String("flags")) {
        QStringList flags;
        if (command.verbose)
            flags << QStringLiteral("v");
        if (command.silent)
            flags << QStringLiteral("s");
        if (command.showError)
            flags << QStringLiteral("S");
        if (command.followRedirects)
            flags << QStringLiteral("L");
        if (command.http2)
            flags << QStringLiteral("h2");
        if (command.http11)
            flags << QStringLiteral("h1");
        actual = flags.join(QLatin1Char(' '));
    }
    QCOMPARE(actual, expected);
}

void TestCurlCommand::errors_data()
{
    QTest::addColumn<QString>("command");
    QTest::addColumn<QString>("error");
    QTest::newRow("unknown long option") << "curl --frobnicate http://h/" << "--frobnicate";
    QTest::newRow("unknown short option") << "curl -Z http://h/" << "-Z";
    QTest::newRow("unknown inside combined") << "curl -sNq http://h/" << "-q";
    QTest::newRow("missing value") << "curl http://h/ -H" << "-H needs a value";
    QTest::newRow("value on a flag") << "curl --insecure=1 http://h/" << "takes no value";
    QTest::newRow("no URL") << "curl -N" << "no URL";
    QTest::newRow("two URLs") << "curl http://a/ http://b/" << "more than one URL";
    QTest::newRow("cookie file") << "curl -b cookies.txt http://h/" << "cookie files";
    QTest::newRow("bad header") << "curl -H nocolon http://h/" << "Name: value";
    QTest::newRow("unclosed quote") << "curl 'http://h/" << "single quote";
    QTest::newRow("unclosed $ quote") << "curl $'http://h/" << "$'...'";
    QTest::newRow("unclosed double quote") << "curl \"http://h/" << "double quote";
    QTest::newRow("not curl") << "wget http://h/" << "not a curl command";
    QTest::newRow("bad max time") << "curl -m soon http://h/" << "takes seconds";
    QTest::newRow("bad cert type") << "curl --cert-type DER http://h/" << "PEM or P12";
    QTest::newRow("bad proxy") << "curl -x ftp://p:21 http://h/" << "not supported";
    QTest::newRow("missing data file") << "curl -d @/no/such/file http://h/" << "cannot read";
}

void TestCurlCommand::errors()
{
    QFETCH(QString, command);
    QFETCH(QString, error);
    Sse::CurlCommand parsed;
    QString message;
    QVERIFY(!Sse::CurlCommand::parse(command, &parsed, &message));
    QVERIFY2(message.contains(error), qPrintable(message));
}

void TestCurlCommand::dataFromFile()
{
    QTemporaryDir directory;
    QFile file(directory.filePath(QStringLiteral("body.json")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("{\"a\":\r\n1}\n");
    file.close();
    Sse::CurlCommand command;
    QString error;
    QVERIFY(Sse::CurlCommand::parseArguments({u"-d"_s, u"@body.json"_s, u"http://h/"_s}, &command, &error,
                                             directory.path()));
    QCOMPARE(command.options.body, QByteArray("{\"a\":1}")); // -d drops line breaks
    QVERIFY(Sse::CurlCommand::parseArguments({u"--data-binary"_s, u"@body.json"_s, u"http://h/"_s}, &command,
                                             &error, directory.path()));
    QCOMPARE(command.options.body, QByteArray("{\"a\":\r\n1}\n"));
    QVERIFY(Sse::CurlCommand::parseArguments({u"--data-raw"_s, u"@body.json"_s, u"http://h/"_s}, &command,
                                             &error, directory.path()));
    QCOMPARE(command.options.body, QByteArray("@body.json"));
}

void TestCurlCommand::formatRoundTrip()
{
    Sse::ClientOptions options;
    options.url = QUrl(QStringLiteral("https://api.example.com/v1/chat?x=1&y='2'"));
    options.method = "POST";
    options.headers = {{"Authorization", "Bearer sk-1"}, {"X-Note", "it's \"quoted\""}};
    options.body = "{\"text\":\"line 1\nline 2\"}";
    options.allowInsecureTls = true;
    options.proxy = QStringLiteral("http://me:pw@proxy:3128");
    options.noProxy = QStringLiteral("internal.example");
    options.clientCertificateFile = QStringLiteral("/etc/c:1.p12");
    options.clientCertificateType = Sse::CertificateType::Pkcs12;
    options.clientKeyPassphrase = "p:w";
    options.connectTimeoutMs = 5000;
    const QString text = Sse::CurlCommand::format(options, Sse::SecretHandling::Include);
    Sse::CurlCommand parsed;
    QString error;
    QVERIFY2(Sse::CurlCommand::parse(text, &parsed, &error), qPrintable(error + u'\n' + text));
    QCOMPARE(parsed.options.url, options.url);
    QCOMPARE(parsed.options.method, options.method);
    QCOMPARE(headerValue(parsed.options, "Authorization"), QByteArray("Bearer sk-1"));
    QCOMPARE(headerValue(parsed.options, "X-Note"), QByteArray("it's \"quoted\""));
    QCOMPARE(parsed.options.body, options.body);
    QCOMPARE(parsed.options.allowInsecureTls, true);
    QCOMPARE(parsed.options.proxy, options.proxy);
    QCOMPARE(parsed.options.noProxy, options.noProxy);
    QCOMPARE(parsed.options.clientCertificateFile, options.clientCertificateFile);
    QCOMPARE(parsed.options.clientCertificateType, options.clientCertificateType);
    QCOMPARE(parsed.options.clientKeyPassphrase, options.clientKeyPassphrase);
    QCOMPARE(parsed.options.connectTimeoutMs, 5000);
}

void TestCurlCommand::formatHidesSecrets()
{
    Sse::ClientOptions options;
    options.url = QUrl(QStringLiteral("https://user:urlpass@api.example.com/s?access_token=tok9"));
    options.headers = {{"Authorization", "Bearer sk-secret"}, {"Accept", "text/event-stream"}};
    options.proxy = QStringLiteral("http://me:proxypass@proxy:3128");
    options.clientCertificateFile = QStringLiteral("/c.pem");
    options.clientKeyPassphrase = "keypass";
    const QString text = Sse::CurlCommand::format(options, Sse::SecretHandling::Exclude);
    for (const char *secret : {"urlpass", "tok9", "sk-secret", "proxypass", "keypass"})
        QVERIFY2(!text.contains(QLatin1String(secret)), qPrintable(text));
    QVERIFY(text.contains(QLatin1String("text/event-stream")));
    QVERIFY(text.contains(QLatin1String("<redacted>")));
}

void TestCurlCommand::cliRunsTheStream()
{
    const QString cli = qEnvironmentVariable("SSE_MONITOR_CLI");
    QVERIFY2(!cli.isEmpty(), "SSE_MONITOR_CLI is not set (run through CTest)");
    TestServer server;
    server.route("/chat", [](TestServer::Exchange *exchange) {
        exchange->sseHead();
        exchange->send(TestServer::formatEvent("hello", "delta"));
    });
    QProcess process;
    process.start(cli, {QStringLiteral("curl"), QStringLiteral("-sN"), QStringLiteral("-XPOST"),
                        server.url("/chat").toString(), QStringLiteral("-H"),
                        QStringLiteral("authorization: Bearer t1"), QStringLiteral("--data=ping"),
                        QStringLiteral("-v"), QStringLiteral("-m"), QStringLiteral("1.5")});
    QVERIFY(process.waitForStarted());
    QTRY_COMPARE_WITH_TIMEOUT(process.state(), QProcess::NotRunning, 15000);
    const QByteArray output = process.readAllStandardOutput();
    QCOMPARE(process.exitCode(), 0);
    QVERIFY2(output.contains("\"type\":\"delta\",\"data\":\"hello\""), output.constData());
    QVERIFY2(output.contains("\"state\":\"open\""), output.constData()); // -v: state records
    QVERIFY(server.requestCount("/chat") >= 1);
    const TestServer::Request request = server.requests("/chat").first();
    QCOMPARE(request.method, QByteArray("POST"));
    QCOMPARE(request.body, QByteArray("ping"));
    QCOMPARE(request.header("Authorization"), QByteArray("Bearer t1"));
}

void TestCurlCommand::cliNamesUnknownOption()
{
    const QString cli = qEnvironmentVariable("SSE_MONITOR_CLI");
    QVERIFY2(!cli.isEmpty(), "SSE_MONITOR_CLI is not set (run through CTest)");
    QProcess process;
    process.start(cli, {QStringLiteral("curl"), QStringLiteral("--trace-ascii"),
                        QStringLiteral("x"), QStringLiteral("http://127.0.0.1:1/")});
    QVERIFY(process.waitForFinished(10000));
    QCOMPARE(process.exitCode(), 2);
    QVERIFY2(process.readAllStandardError().contains("unknown curl option --trace-ascii"),
             "stderr does not name the option");
}

QTEST_GUILESS_MAIN(TestCurlCommand)
#include "tst_curlcommand.moc"
