// The Workspace without a window, against a loopback SSE server: events routed to the log,
// the chart series and the recorder; the recorded-connection scope; opening and replaying a
// recording; exporting chosen sequences; saved connections with their secrets.

#include "settingsfile.h"
#include "testserver.h"

#include "charts/seriescatalog.h"
#include "models/connectionlistmodel.h"
#include "models/eventlogmodel.h"
#include "models/eventstore.h"
#include "models/secretstore.h"
#include "models/typelistmodel.h"
#include "recording/exportjob.h"
#include "recording/logimporter.h"
#include "recording/recorder.h"
#include "session/workspace.h"

#include "sselib/jsonlines.h"

#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

QByteArray numberedEvents(const QByteArray &type, int count)
{
    QByteArray body;
    for (int i = 0; i < count; ++i) {
        const QByteArray n = QByteArray::number(i);
        body += "id: " + n + "\nevent: " + type + "\ndata: {\"n\":" + n + "}\n\n";
    }
    return body;
}

/// The state records of a JSON Lines file, time left out, one line of text each.
QStringList stateRecords(const QString &path)
{
    QStringList records;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return records;
    for (const QByteArray &line : file.readAll().split('\n')) {
        const Sse::JsonLines::Record record = Sse::JsonLines::parseRecord(line);
        if (record.kind != Sse::JsonLines::Record::Kind::State)
            continue;
        const Sse::JsonLines::StateRecord &state = record.state;
        records.append(u"%1 retry=%2 attempt=%3 status=%4 id=%5 error=%6"_s.arg(
            state.state, QString::number(state.retryMs), QString::number(state.attempt),
            QString::number(state.status), QString::fromUtf8(state.lastEventId), state.error));
    }
    return records;
}

QList<QByteArray> lines(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll().split('\n') : QList<QByteArray>();
}

int countContaining(const QList<QByteArray> &lines, const QByteArray &text)
{
    return int(std::count_if(lines.cbegin(), lines.cend(),
                             [&text](const QByteArray &line) { return line.contains(text); }));
}

bool stopAndWait(Workspace &workspace)
{
    QSignalSpy stopped(workspace.recorder(), &Recorder::stopped);
    workspace.stopRecording();
    return stopped.wait(5000);
}

} // namespace

class TestWorkspace : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void eventsReachLogSeriesAndTypes();
    void recordingKeepsToItsConnection();
    void openAndReplayRecording();
    void exportsTheGivenSequences();
    void secretsComeBackFromTheStore();
    void urlSecretsStayInTheKeychain();
    void urlSecretsWithoutKeychain();
    void urlSecretsGivenBackByEditing();
    void demoIsAFlagNotAName();
    void exportKeepsTypesPastTheTypeTable();
    void stateRecordsMatchTheCli_data();
    void stateRecordsMatchTheCli();

private:
    Sse::ClientOptions optionsFor(const QByteArray &path) const;

    TestServer m_server;
    QTemporaryDir m_directory;
};

void TestWorkspace::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(u"SSE Monitor Tests"_s);
    QCoreApplication::setApplicationName(u"tst_workspace"_s);
    QVERIFY(m_server.isListening());
    QVERIFY(m_directory.isValid());
    for (const QByteArray type : {"alpha", "beta"}) {
        m_server.route("/" + type, [type](TestServer::Exchange *exchange) {
            exchange->sseHead();
            exchange->send("retry: 60000\n\n" + numberedEvents(type, 10));
        });
    }
    m_server.route("/secure", [](TestServer::Exchange *exchange) {
        exchange->sseHead();
        exchange->send(TestServer::formatEvent("{\"n\":1}", "tick", "1"));
    });
}

void TestWorkspace::init()
{
    QSettings().clear();
}

Sse::ClientOptions TestWorkspace::optionsFor(const QByteArray &path) const
{
    Sse::ClientOptions options;
    options.url = m_server.url(path);
    return options;
}

void TestWorkspace::eventsReachLogSeriesAndTypes()
{
    Workspace workspace;
    const quint16 id = workspace.addConnection(u"alpha"_s, optionsFor("/alpha"));
    QTRY_COMPARE(workspace.logModel()->rowCount(), 10);
    QCOMPARE(workspace.logModel()->connectionName(id), u"alpha"_s);
    QTRY_COMPARE(workspace.typeModel()->rowCount(), 1);
    QTRY_VERIFY([&] {
        const QList<SeriesKey> keys = workspace.seriesCatalog()->discoveredSeries();
        return std::any_of(keys.cbegin(), keys.cend(), [id](const SeriesKey &key) {
            return key.connection == id && key.path == "n";
        });
    }());
    workspace.clearEvents();
    QCOMPARE(workspace.logModel()->rowCount(), 0);
    QVERIFY(workspace.seriesCatalog()->discoveredSeries().isEmpty());
}

void TestWorkspace::recordingKeepsToItsConnection()
{
    const QString path = m_directory.filePath(u"one.jsonl"_s);
    Workspace workspace;
    const quint16 alpha =
        workspace.addConnection(u"alpha"_s, optionsFor("/alpha"), ConnectionManager::Start::Later);
    const quint16 beta =
        workspace.addConnection(u"beta"_s, optionsFor("/beta"), ConnectionManager::Start::Later);
    QSignalSpy changed(&workspace, &Workspace::recordingChanged);
    QVERIFY(workspace.startRecording(path, Workspace::RawCapture::On, beta));
    QVERIFY(!changed.isEmpty());
    QVERIFY(workspace.isRecording());
    workspace.connections()->open(alpha);
    workspace.connections()->open(beta);
    QTRY_COMPARE(workspace.logModel()->totalCount(), 20);
    QTRY_COMPARE(workspace.recorder()->eventsWritten(), 10);
    QVERIFY(stopAndWait(workspace));
    const QList<QByteArray> recorded = lines(path);
    QCOMPARE(countContaining(recorded, "\"kind\":\"event\""), 10);
    QCOMPARE(countContaining(recorded, "\"type\":\"alpha\""), 0);
    QVERIFY(countContaining(recorded, "\"kind\":\"state\"") > 0);
    // The raw bytes of the recorded connection only.
    QFile raw(m_directory.filePath(u"one.raw.sse"_s));
    QVERIFY(raw.open(QIODevice::ReadOnly));
    const QByteArray bytes = raw.readAll();
    QVERIFY(bytes.contains("event: beta"));
    QVERIFY(!bytes.contains("event: alpha"));
}

void TestWorkspace::openAndReplayRecording()
{
    const QString path = m_directory.filePath(u"replay.jsonl"_s);
    {
        Workspace recording;
        QVERIFY(recording.startRecording(path));
        recording.addConnection(u"alpha"_s, optionsFor("/alpha"));
        QTRY_COMPARE(recording.recorder()->eventsWritten(), 10);
        QVERIFY(stopAndWait(recording));
    }
    Workspace reader;
    LogImporter *importer = reader.openRecording(path);
    QVERIFY(importer);
    QSignalSpy messages(&reader, &Workspace::message);
    QTRY_COMPARE(reader.logModel()->rowCount(), 10);
    const ConnectionEntry &offline = reader.connections()->model()->entries().first();
    QVERIFY(offline.offline);
    QTRY_VERIFY(std::any_of(messages.cbegin(), messages.cend(), [](const QList<QVariant> &m) {
        return m.first().toString().startsWith(u"Opened replay.jsonl"_s);
    }));

    QSignalSpy started(&reader, &Workspace::replayStarted);
    reader.replayRecording(path, 0.0);
    QVERIFY(started.wait(5000));
    const auto replayed = started.first().first().value<quint16>();
    QVERIFY(reader.connections()->entry(replayed)->offline);
    QTRY_COMPARE(reader.logModel()->rowCount(), 20);
    QTRY_COMPARE(reader.connections()->entry(replayed)->events, 10);
}

void TestWorkspace::exportsTheGivenSequences()
{
    Workspace workspace;
    workspace.addConnection(u"alpha"_s, optionsFor("/alpha"));
    QTRY_COMPARE(workspace.logModel()->rowCount(), 10);
    const QList<qint64> all = ExportJob::allSequences(workspace.logModel()->store());
    QCOMPARE(all.size(), 10);
    const QString path = m_directory.filePath(u"three.csv"_s);
    QSignalSpy started(&workspace, &Workspace::exportStarted);
    ExportJob *job =
        workspace.exportEvents(ExportFormat::Csv, path, {all.at(1), all.at(4), all.at(7)}, {"n"});
    QVERIFY(job);
    QCOMPARE(started.size(), 1);
    // One export at a time.
    QVERIFY(!workspace.exportEvents(ExportFormat::Csv, path, all));
    QSignalSpy finished(job, &ExportJob::finished);
    QVERIFY(finished.wait(10000));
    QVERIFY(finished.first().first().toBool());
    const QList<QByteArray> rows = lines(path);
    QCOMPARE(countContaining(rows, "alpha"), 3);
    QVERIFY(rows.first().startsWith("time,connection,type,id,data,n"));
    QCOMPARE(countContaining(rows, ",4,"), 1);
}

void TestWorkspace::secretsComeBackFromTheStore()
{
    auto keychain = std::make_shared<MemorySecretBackend>();
    Sse::ClientOptions options = optionsFor("/secure");
    options.headers = {{"Authorization", "Bearer s3cret"}};
    const int before = m_server.requestCount("/secure");
    {
        Workspace workspace;
        workspace.secretStore()->setBackend(keychain);
        workspace.addConnection(u"secure"_s, options);
        QTRY_COMPARE(m_server.requestCount("/secure"), before + 1);
        workspace.saveConnections();
        QVERIFY(workspace.secretStore()->waitForIdle(5000));
    }
    QVERIFY(!QSettings().value(u"connections"_s).toByteArray().contains("s3cret"));
    Workspace restored;
    restored.secretStore()->setBackend(keychain);
    QCOMPARE(restored.restoreConnections(), 1);
    QTRY_COMPARE(m_server.requestCount("/secure"), before + 2);
    QCOMPARE(m_server.requests("/secure").last().header("Authorization"),
             QByteArray("Bearer s3cret"));
}

// Issue 20 item 8: credentials in the URL (user info, ?api_key=) go to the keychain with the
// secret headers; the settings file and the recording hold the URL with the mask instead.
void TestWorkspace::urlSecretsStayInTheKeychain()
{
    auto keychain = std::make_shared<MemorySecretBackend>();
    QUrl url = m_server.url("/secure");
    url.setQuery(u"api_key=XYZ&x=1"_s);
    url.setUserName(u"user"_s);
    url.setPassword(u"pw"_s);
    const QByteArray basic = "Basic " + QByteArray("user:pw").toBase64();
    const QString recording = m_directory.filePath(u"urlsecrets.jsonl"_s);
    const int before = m_server.requestCount("/secure");
    {
        Workspace workspace;
        workspace.secretStore()->setBackend(keychain);
        QVERIFY(workspace.startRecording(recording));
        Sse::ClientOptions options;
        options.url = url;
        workspace.addConnection(u"secure"_s, options);
        QTRY_COMPARE(workspace.recorder()->eventsWritten(), 1);
        QCOMPARE(m_server.requests("/secure").last().header("Authorization"), basic);
        workspace.saveConnections();
        QVERIFY(workspace.secretStore()->waitForIdle(5000));
        QVERIFY(stopAndWait(workspace));
    }
    const QByteArray settings = settingsFileBytes();
    QVERIFY(settings.contains("secure"));
    QVERIFY2(!settings.contains("pw") && !settings.contains("XYZ"), settings.constData());
    QVERIFY(settings.contains("x=1")); // the rest of the URL stays readable
    QFile file(recording);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray recorded = file.readAll();
    QVERIFY(recorded.contains("\"kind\":\"event\""));
    QVERIFY2(!recorded.contains(":pw@") && !recorded.contains("XYZ")
                 && !recorded.contains(QByteArray("user:pw").toBase64()),
             recorded.constData());
    QVERIFY(std::any_of(keychain->entries().cbegin(), keychain->entries().cend(),
                        [](const QByteArray &entry) { return entry.contains("XYZ"); }));

    // Reopened, the connection goes to the working URL again.
    Workspace restored;
    restored.secretStore()->setBackend(keychain);
    QCOMPARE(restored.restoreConnections(), 1);
    QTRY_COMPARE(m_server.requestCount("/secure"), before + 2);
    const TestHttp::Request last = m_server.requests("/secure").last();
    QCOMPARE(last.header("Authorization"), basic);
    QVERIFY2(last.path.contains("api_key=XYZ&x=1"), last.path.constData());
    QCOMPARE(restored.connections()->model()->entries().first().options.url, url);
}

// With no keychain the credentials stay in memory for the session, the user is told, and the
// settings file still holds only the mask; next time the connection waits for them.
void TestWorkspace::urlSecretsWithoutKeychain()
{
    auto keychain = std::make_shared<MemorySecretBackend>();
    keychain->setAvailable(false);
    QUrl url = m_server.url("/secure");
    url.setQuery(u"access_token=XYZ"_s);
    url.setUserName(u"user"_s);
    url.setPassword(u"pw"_s);
    const int before = m_server.requestCount("/secure");
    {
        Workspace workspace;
        workspace.secretStore()->setBackend(keychain);
        // The user is told once per session, by the window's notice bar (keychainUnavailable).
        QSignalSpy unavailable(&workspace, &Workspace::keychainUnavailable);
        Sse::ClientOptions options;
        options.url = url;
        const quint16 id = workspace.addConnection(u"secure"_s, options);
        QTRY_COMPARE(m_server.requestCount("/secure"), before + 1);
        workspace.saveConnections();
        QVERIFY(workspace.secretStore()->waitForIdle(5000));
        QTRY_COMPARE(unavailable.count(), 1);
        QCOMPARE(workspace.connections()->entry(id)->options.url, url); // still working
        QVERIFY(!settingsFileBytes().contains("XYZ"));
    }
    QVERIFY(!settingsFileBytes().contains("pw"));
    Workspace restored;
    restored.secretStore()->setBackend(keychain);
    QSignalSpy messages(&restored, &Workspace::message);
    QCOMPARE(restored.restoreConnections(), 1);
    QTRY_VERIFY(std::any_of(messages.cbegin(), messages.cend(), [](const QList<QVariant> &m) {
        return m.first().toString().contains(u"the credentials in the URL"_s);
    }));
    const ConnectionEntry &entry = restored.connections()->model()->entries().first();
    QCOMPARE(entry.missingSecrets, QList<QByteArray>{Sse::UrlSecret});
    QVERIFY(!entry.options.url.toString().contains(u"XYZ"_s));
    QCOMPARE(restored.connections()->model()
                 ->index(0, ConnectionListModel::StateColumn)
                 .data()
                 .toString(),
             u"Secret missing: the credentials in the URL (Edit to enter it)"_s);
    QCOMPARE(m_server.requestCount("/secure"), before + 1); // not started without them
}

// A connection waiting for the credentials of its URL starts only once they are typed in: a
// save that keeps the mask (a changed name, say) leaves it waiting, and nothing is sent.
void TestWorkspace::urlSecretsGivenBackByEditing()
{
    auto keychain = std::make_shared<MemorySecretBackend>();
    keychain->setAvailable(false);
    QUrl url = m_server.url("/secure");
    url.setQuery(u"access_token=XYZ"_s);
    const int before = m_server.requestCount("/secure");
    {
        Workspace workspace;
        workspace.secretStore()->setBackend(keychain);
        Sse::ClientOptions options;
        options.url = url;
        workspace.addConnection(u"secure"_s, options);
        QTRY_COMPARE(m_server.requestCount("/secure"), before + 1);
        workspace.saveConnections();
        QVERIFY(workspace.secretStore()->waitForIdle(5000));
    }
    Workspace restored;
    restored.secretStore()->setBackend(keychain);
    QCOMPARE(restored.restoreConnections(), 1);
    QTRY_COMPARE(restored.connections()->model()->entries().first().missingSecrets,
                 QList<QByteArray> {Sse::UrlSecret});
    const ConnectionEntry &entry = restored.connections()->model()->entries().first();
    const quint16 id = entry.id;
    Sse::ClientOptions masked = entry.options;
    QVERIFY(masked.url.query(QUrl::FullyDecoded).contains(u"<redacted>"_s));

    restored.updateConnection(id, u"renamed"_s, masked);
    const ConnectionEntry *edited = restored.connections()->entry(id);
    QCOMPARE(edited->missingSecrets, QList<QByteArray> {Sse::UrlSecret});
    QCOMPARE(edited->state, Sse::Client::State::Idle);

    Sse::ClientOptions given = masked;
    given.url = url;
    restored.updateConnection(id, u"renamed"_s, given);
    QVERIFY(restored.connections()->entry(id)->missingSecrets.isEmpty());
    QTRY_COMPARE(m_server.requestCount("/secure"), before + 2);
    const QByteArray path = m_server.requests("/secure").last().path;
    QVERIFY2(path.contains("access_token=XYZ"), path.constData());
}

void TestWorkspace::demoIsAFlagNotAName()
{
    {
        Workspace workspace;
        const quint16 demo = workspace.openDemo();
        QVERIFY(demo != 0);
        QVERIFY(workspace.isDemo(demo));
        // Renamed, it is still the demo.
        const ConnectionEntry *entry = workspace.connections()->entry(demo);
        workspace.updateConnection(demo, u"My demo"_s, entry->options);
        QVERIFY(workspace.isDemo(demo));
        const quint16 other = workspace.addConnection(u"Demo stream"_s, optionsFor("/alpha"));
        QVERIFY(!workspace.isDemo(other));
        workspace.saveConnections();
    }
    const QList<SavedConnection> saved = SavedConnections::load(QSettings());
    QCOMPARE(saved.size(), 2);
    QVERIFY(saved.at(0).demo);
    QVERIFY(!saved.at(1).demo);
    Workspace restored;
    QCOMPARE(restored.restoreConnections(), 2);
    const auto &entries = restored.connections()->model()->entries();
    QVERIFY(restored.isDemo(entries.at(0).id));
    QVERIFY(!restored.isDemo(entries.at(1).id));
}

// The store interns 65,535 type names; later ones share an "(other)" index for counting and
// hiding, but an export must still write the type each event came with.
void TestWorkspace::exportKeepsTypesPastTheTypeTable()
{
    constexpr int Types = 70000;
    Workspace workspace;
    const quint16 id = workspace.connections()->addOffline(u"types"_s, QUrl(u"file:///t"_s));
    Sse::EventList events;
    for (int i = 0; i < Types; ++i) {
        Sse::Event event;
        event.type = "type-" + QByteArray::number(i);
        event.data = QByteArray::number(i);
        event.receivedMs = 1'700'000'000'000 + i;
        events.append(event);
    }
    workspace.connections()->ingestOffline(id, events);
    QCOMPARE(workspace.logModel()->store().size(), Types);
    const QList<qint64> all = ExportJob::allSequences(workspace.logModel()->store());
    const QString path = m_directory.filePath(u"types.jsonl"_s);
    ExportJob *job = workspace.exportEvents(ExportFormat::JsonLines, path, all);
    QVERIFY(job);
    QSignalSpy finished(job, &ExportJob::finished);
    QVERIFY(finished.wait(30000));
    QVERIFY(finished.first().first().toBool());
    int checked = 0;
    for (const QByteArray &line : lines(path)) {
        const Sse::JsonLines::Record record = Sse::JsonLines::parseRecord(line);
        if (record.kind != Sse::JsonLines::Record::Kind::Event)
            continue;
        QCOMPARE(record.event.type, "type-" + record.event.data);
        ++checked;
    }
    QCOMPARE(checked, Types);
}

void TestWorkspace::stateRecordsMatchTheCli_data()
{
    // The status of each response in turn: 200 sends one event and an id and ends the body.
    QTest::addColumn<QList<int>>("responses");
    QTest::newRow("reconnect, then 204") << QList<int>{200, 200, 204};
    QTest::newRow("reconnect, then 503") << QList<int>{200, 503};
}

void TestWorkspace::stateRecordsMatchTheCli()
{
    // One scripted stream recorded by `sse-monitor-cli --states -o` and by the workspace: the
    // state records are the same, times aside.
    QFETCH(QList<int>, responses);
    const QString cli = qEnvironmentVariable("SSE_MONITOR_CLI");
    QVERIFY2(QFileInfo(cli).isExecutable(), "SSE_MONITOR_CLI must name the CLI (run via ctest)");
    const QByteArray tag = QByteArray(QTest::currentDataTag()).toPercentEncoding();
    const auto script = [responses](const std::shared_ptr<int> &served) {
        return [responses, served](TestServer::Exchange *exchange) {
            const int status = responses.value((*served)++, 204);
            if (status != 200) {
                exchange->respond(status);
                return;
            }
            exchange->sseHead();
            // The last id comes in a block with no data: it changes the id the next request
            // sends without any event.
            const QByteArray n = QByteArray::number(*served);
            exchange->send("retry: 150\nid: e" + n + "\ndata: x\n\nid: e" + n + "-bare\n\n");
            exchange->finish();
        };
    };
    m_server.route("/cli-" + tag, script(std::make_shared<int>(0)));
    m_server.route("/gui-" + tag, script(std::make_shared<int>(0)));

    const QString cliPath = m_directory.filePath(u"cli-states.jsonl"_s);
    QFile::remove(cliPath);
    QProcess process;
    process.start(cli, {u"--states"_s, u"-q"_s, u"-o"_s, cliPath,
                        m_server.url("/cli-" + tag).toString()});
    QSignalSpy finished(&process, &QProcess::finished);
    QVERIFY(finished.wait(20000));

    const QString guiPath = m_directory.filePath(u"gui-states.jsonl"_s);
    QFile::remove(guiPath);
    {
        Workspace workspace;
        const quint16 id = workspace.addConnection(u"gui"_s, optionsFor("/gui-" + tag),
                                                   ConnectionManager::Start::Later);
        QVERIFY(workspace.startRecording(guiPath, Workspace::RawCapture::Off, id));
        workspace.connections()->open(id);
        QTRY_COMPARE_WITH_TIMEOUT(workspace.connections()->entry(id)->state,
                                  Sse::Client::State::Failed, 20000);
        QVERIFY(stopAndWait(workspace));
    }
    const QStringList fromCli = stateRecords(cliPath);
    const QStringList fromGui = stateRecords(guiPath);
    // Connecting, open and reconnecting per stream; connecting and failed for the last.
    QCOMPARE(fromCli.size(), 3 * int(responses.size() - 1) + 2);
    QVERIFY(fromCli.first().startsWith(u"connecting "_s));
    QVERIFY(fromCli.last().startsWith(u"failed "_s));
    QCOMPARE(fromGui, fromCli);
    QVERIFY2(fromGui.at(3).contains(u" id=e1-bare "_s), qPrintable(fromGui.at(3)));
    QCOMPARE(m_server.requests("/gui-" + tag).at(1).header("Last-Event-ID"), "e1-bare");
}

QTEST_GUILESS_MAIN(TestWorkspace)
#include "tst_workspace.moc"
