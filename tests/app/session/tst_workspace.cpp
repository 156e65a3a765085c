// The Workspace without a window, against a loopback SSE server: events routed to the log,
// the chart series and the recorder; the recorded-connection scope; opening and replaying a
// recording; exporting chosen sequences; saved connections with their secrets.

#include "testserver.h"

#include "charts/seriescatalog.h"
#include "models/eventlogmodel.h"
#include "models/eventstore.h"
#include "models/secretstore.h"
#include "models/typelistmodel.h"
#include "recording/exportjob.h"
#include "recording/logimporter.h"
#include "recording/recorder.h"
#include "session/workspace.h"

#include <QFile>
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
    void demoIsAFlagNotAName();

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

QTEST_GUILESS_MAIN(TestWorkspace)
#include "tst_workspace.moc"
