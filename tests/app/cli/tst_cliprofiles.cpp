// sse-monitor-cli --profile and --profiles-file: the connections saved by the GUI (or an
// exported file) drive the built CLI against a loopback TestServer.

#include "testserver.h"

#include "sselib/profile.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using Exchange = TestServer::Exchange;

namespace {

constexpr int ExitTimeoutMs = 10000;
constexpr int ExitUsage = 2;

QJsonObject profileObject(const QString &name, const Sse::ClientOptions &options)
{
    return Sse::profileToJson({name, options}, Sse::SecretHandling::Include);
}

// Three events, then the stream stays open: the CLI ends on --max-events.
void serveThreeEvents(Exchange *exchange)
{
    exchange->sseHead();
    for (int i = 1; i <= 3; ++i) {
        exchange->send(TestServer::formatEvent("{\"n\":" + QByteArray::number(i) + '}',
                                               "tick", QByteArray::number(i)));
    }
}

} // namespace

class TestCliProfiles : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();

    void savedProfileStreams();
    void commandLineOverridesProfile();
    void profileNameIgnoresCase();
    void demoProfileStartsDemo();
    void unknownProfileListsNames();
    void profilesFileStreams();
    void urlCredentialsMissing();
    void unknownProfileInFile();
    void unreadableProfilesFile();
    void profilesFileNeedsProfile();

private:
    /// Writes \a profiles where the GUI keeps them, under m_config.
    void writeSettings(const QJsonArray &profiles);
    QString writeProfilesFile(const QJsonArray &profiles);
    /// Runs the CLI with XDG_CONFIG_HOME = m_config; false on a timeout.
    bool run(const QStringList &arguments);
    QByteArray describe() const;
    int eventLines() const;

    std::unique_ptr<QTemporaryDir> m_config;
    QByteArray m_out;
    QByteArray m_err;
    int m_exitCode = -1;
};

void TestCliProfiles::init()
{
    // Qt 6.4 has only the pattern form.
    QTest::failOnWarning(QRegularExpression(u".*"_s));
    m_config = std::make_unique<QTemporaryDir>();
    QVERIFY(m_config->isValid());
    QVERIFY2(!qEnvironmentVariable("SSE_MONITOR_CLI").isEmpty(), "SSE_MONITOR_CLI is not set");
}

void TestCliProfiles::writeSettings(const QJsonArray &profiles)
{
    // The file QSettings("SSE Monitor", "sse-monitor") uses with XDG_CONFIG_HOME set; the GUI
    // stores the array as compact JSON bytes (MainWindow::saveSettings).
    QSettings settings(m_config->filePath(u"SSE Monitor/sse-monitor.conf"_s),
                       QSettings::IniFormat);
    settings.setValue(u"connections"_s, QJsonDocument(profiles).toJson(QJsonDocument::Compact));
    settings.sync();
    QCOMPARE(settings.status(), QSettings::NoError);
}

QString TestCliProfiles::writeProfilesFile(const QJsonArray &profiles)
{
    const QString path = m_config->filePath(u"exported-profiles.json"_s);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return {};
    file.write(QJsonDocument(profiles).toJson());
    return path;
}

bool TestCliProfiles::run(const QStringList &arguments)
{
    QProcess process;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    for (const QString &name : {u"http_proxy"_s, u"HTTP_PROXY"_s, u"https_proxy"_s,
                                u"HTTPS_PROXY"_s, u"all_proxy"_s, u"ALL_PROXY"_s}) {
        environment.remove(name);
    }
    environment.insert(u"XDG_CONFIG_HOME"_s, m_config->path());
    process.setProcessEnvironment(environment);
    process.setProgram(qEnvironmentVariable("SSE_MONITOR_CLI"));
    process.setArguments(arguments);
    // The server answers from this thread's event loop: wait by spinning it.
    QSignalSpy finished(&process, &QProcess::finished);
    process.start();
    const bool exited = process.waitForStarted(5000) && finished.wait(ExitTimeoutMs);
    if (!exited) {
        process.kill();
        process.waitForFinished(5000);
    }
    m_out = process.readAllStandardOutput();
    m_err = process.readAllStandardError();
    m_exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    return exited;
}

QByteArray TestCliProfiles::describe() const
{
    return "exit code " + QByteArray::number(m_exitCode) + "\nstderr: " + m_err.left(2000)
        + "\nstdout: " + m_out.left(2000);
}

int TestCliProfiles::eventLines() const
{
    int count = 0;
    for (const QByteArray &line : m_out.split('\n')) {
        const QJsonObject record = QJsonDocument::fromJson(line).object();
        if (record.value(u"kind"_s).toString() == u"event"_s)
            ++count;
    }
    return count;
}

void TestCliProfiles::savedProfileStreams()
{
    TestServer server;
    server.route("/events", serveThreeEvents);
    Sse::ClientOptions staging;
    staging.url = server.url("/events?channel=staging");
    staging.method = "POST";
    staging.body = R"({"subscribe":"all"})";
    staging.headers = {{"X-Team", "blue"}, {"Accept-Language", "en"}};
    Sse::ClientOptions other;
    other.url = QUrl(u"http://127.0.0.1:1/other"_s);
    writeSettings({profileObject(u"other"_s, other), profileObject(u"staging"_s, staging)});

    QVERIFY2(run({u"--profile"_s, u"staging"_s, u"--max-events"_s, u"3"_s}), describe());
    QVERIFY2(m_exitCode == 0, describe());
    QCOMPARE(eventLines(), 3);
    QCOMPARE(server.requestCount("/events"), 1);
    const TestServer::Request request = server.requests("/events").first();
    QCOMPARE(request.path, QByteArray("/events?channel=staging"));
    QCOMPARE(request.method, QByteArray("POST"));
    QCOMPARE(request.body, QByteArray(R"({"subscribe":"all"})"));
    QCOMPARE(request.header("X-Team"), QByteArray("blue"));
    QCOMPARE(request.header("Accept-Language"), QByteArray("en"));
}

void TestCliProfiles::commandLineOverridesProfile()
{
    TestServer server;
    server.route("/events", serveThreeEvents);
    server.route("/other", serveThreeEvents);
    Sse::ClientOptions staging;
    staging.url = server.url("/events");
    staging.headers = {{"X-Team", "blue"}, {"X-Keep", "yes"}};
    staging.initialLastEventId = "1";
    writeSettings({profileObject(u"staging"_s, staging)});

    // A secret the GUI does not save comes from -H; -H replaces a header of the same name;
    // a URL argument replaces the profile's URL.
    QVERIFY2(run({u"--profile"_s, u"staging"_s, u"-H"_s, u"x-team: red"_s, u"-H"_s,
                  u"Authorization: Bearer abc"_s, u"--last-event-id"_s, u"7"_s,
                  u"--max-events"_s, u"2"_s, server.url("/other").toString()}),
             describe());
    QVERIFY2(m_exitCode == 0, describe());
    QCOMPARE(eventLines(), 2);
    QCOMPARE(server.requestCount("/events"), 0);
    QCOMPARE(server.requestCount("/other"), 1);
    const TestServer::Request request = server.requests("/other").first();
    QCOMPARE(request.method, QByteArray("GET"));
    QCOMPARE(request.header("X-Team"), QByteArray("red"));
    int teamHeaders = 0;
    for (const auto &header : request.headers)
        teamHeaders += header.first.compare("x-team", Qt::CaseInsensitive) == 0 ? 1 : 0;
    QCOMPARE(teamHeaders, 1);
    QCOMPARE(request.header("X-Keep"), QByteArray("yes"));
    QCOMPARE(request.header("Authorization"), QByteArray("Bearer abc"));
    QCOMPARE(request.header("Last-Event-ID"), QByteArray("7"));
}

void TestCliProfiles::profileNameIgnoresCase()
{
    TestServer server;
    server.route("/events", serveThreeEvents);
    Sse::ClientOptions options;
    options.url = server.url("/events");
    writeSettings({profileObject(u"Staging"_s, options)});

    QVERIFY2(run({u"--profile"_s, u"staging"_s, u"--max-events"_s, u"1"_s}), describe());
    QVERIFY2(m_exitCode == 0, describe());
    QCOMPARE(eventLines(), 1);
}

void TestCliProfiles::demoProfileStartsDemo()
{
    // The GUI saves its demo entry with the port of a server that is gone.
    Sse::ClientOptions options;
    options.url = QUrl(u"http://127.0.0.1:1/events"_s);
    QJsonObject demo = profileObject(u"Demo stream"_s, options);
    demo.insert(u"demo"_s, true);
    writeSettings({demo});

    QVERIFY2(run({u"--profile"_s, u"Demo stream"_s, u"--max-events"_s, u"2"_s}), describe());
    QVERIFY2(m_exitCode == 0, describe());
    QCOMPARE(eventLines(), 2);
}

void TestCliProfiles::unknownProfileListsNames()
{
    TestServer server;
    Sse::ClientOptions options;
    options.url = server.url("/events");
    writeSettings({profileObject(u"staging"_s, options), profileObject(u"production"_s, options)});

    QVERIFY2(run({u"--profile"_s, u"nightly"_s, u"--max-events"_s, u"1"_s}), describe());
    QVERIFY2(m_exitCode == ExitUsage, describe());
    QVERIFY2(m_err.contains("nightly"), describe());
    QVERIFY2(m_err.contains("staging, production"), describe());
    QVERIFY(m_out.isEmpty());
    QCOMPARE(server.requestCount(), 0);
}

void TestCliProfiles::profilesFileStreams()
{
    TestServer server;
    server.route("/events", serveThreeEvents);
    Sse::ClientOptions options;
    options.url = server.url("/events");
    options.headers = {{"X-Source", "file"}};
    // The saved settings hold another profile of the same name: the file wins.
    Sse::ClientOptions saved;
    saved.url = QUrl(u"http://127.0.0.1:1/saved"_s);
    writeSettings({profileObject(u"shared"_s, saved)});
    const QString path = writeProfilesFile({profileObject(u"shared"_s, options)});
    QVERIFY(!path.isEmpty());

    QVERIFY2(run({u"--profiles-file"_s, path, u"--profile"_s, u"shared"_s, u"--max-events"_s,
                  u"3"_s}),
             describe());
    QVERIFY2(m_exitCode == 0, describe());
    QCOMPARE(eventLines(), 3);
    QCOMPARE(server.requestCount("/events"), 1);
    QCOMPARE(server.requests("/events").first().header("X-Source"), QByteArray("file"));
}

// A profile exported without secrets whose URL held credentials (issue 20 item 8): the CLI
// names what is missing and does not suggest -H for it, nor connects to the masked URL.
void TestCliProfiles::urlCredentialsMissing()
{
    TestServer server;
    server.route("/events", serveThreeEvents);
    QUrl url = server.url("/events");
    url.setQuery(u"api_key=XYZ"_s);
    Sse::ClientOptions options;
    options.url = url;
    QJsonObject object = profileObject(u"keyed"_s, Sse::withoutNonHeaderSecrets(options));
    object.insert(u"secretHeaders"_s, QJsonArray{QString::fromLatin1(Sse::UrlSecret)});
    const QString path = writeProfilesFile({object});
    QVERIFY(!path.isEmpty());
    QVERIFY2(run({u"--profiles-file"_s, path, u"--profile"_s, u"keyed"_s}), describe());
    QVERIFY2(m_exitCode == ExitUsage, describe());
    QVERIFY2(m_err.contains("credentials of its URL"), describe());
    // (the message names the profiles file, whose random directory name may hold "-H")
    QVERIFY2(!m_err.contains("pass it with -H"), describe());
    QCOMPARE(server.requestCount("/events"), 0);
}

void TestCliProfiles::unknownProfileInFile()
{
    Sse::ClientOptions options;
    options.url = QUrl(u"http://127.0.0.1:1/events"_s);
    const QString path = writeProfilesFile({profileObject(u"alpha"_s, options),
                                            profileObject(u"beta"_s, options)});
    QVERIFY(!path.isEmpty());

    QVERIFY2(run({u"--profiles-file"_s, path, u"--profile"_s, u"gamma"_s}), describe());
    QVERIFY2(m_exitCode == ExitUsage, describe());
    QVERIFY2(m_err.contains("alpha, beta"), describe());
}

void TestCliProfiles::unreadableProfilesFile()
{
    QVERIFY2(run({u"--profiles-file"_s, m_config->filePath(u"missing.json"_s), u"--profile"_s,
                  u"alpha"_s}),
             describe());
    QVERIFY2(m_exitCode == ExitUsage, describe());
    QVERIFY2(m_err.contains("missing.json"), describe());
}

void TestCliProfiles::profilesFileNeedsProfile()
{
    const QString path = writeProfilesFile({});
    QVERIFY(!path.isEmpty());
    QVERIFY2(run({u"--profiles-file"_s, path, u"http://127.0.0.1:1/events"_s}), describe());
    QVERIFY2(m_exitCode == ExitUsage, describe());
}

QTEST_GUILESS_MAIN(TestCliProfiles)
#include "tst_cliprofiles.moc"
