// Drives the real MainWindow (offscreen) against a real loopback SSE server.

#include "testserver.h"

#include "charts/chartpanel.h"
#include "charts/seriescatalog.h"
#include "models/connectionlogmodel.h"
#include "models/eventlogmodel.h"
#include "models/typelistmodel.h"
#include "views/eventdetailview.h"
#include "views/diagnosticsview.h"
#include "session/workspace.h"
#include "views/connectiondetailtabs.h"
#include "views/connectionspane.h"
#include "views/eventlogpane.h"
#include "views/mainwindow.h"
#include "views/uilanguage.h"
#include "sselib/diagnostics.h"
#include "recording/exportjob.h"
#include "recording/logimporter.h"
#include "recording/recorder.h"

#include <QSignalSpy>
#include <QTemporaryDir>

#include <QAbstractItemModelTester>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSettings>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTest>
#include <QTreeView>

class TestMainWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void eventsAppear();
    void typeFilterHidesOtherTypes();
    void searchNarrows();
    void detailShowsPrettyJson();
    void chartSeriesGetsPoints();
    void reconnectStateIsShown();
    void failureShowsResponse();
    void settingsAreRestored();
    void recordOpenAndExport();
    void llmPostStream();
    void wikimediaAndSensorStreams();
    void diagnosticsTab();
    void screenshot();

private:
    static QByteArray mixedEvents(int count);
    Sse::ClientOptions optionsFor(const QByteArray &path) const;

    TestServer m_server;
};

QByteArray TestMainWindow::mixedEvents(int count)
{
    QByteArray body = "retry: 60000\n\n";
    for (int i = 0; i < count; ++i) {
        const QByteArray n = QByteArray::number(i);
        if (i % 2 == 0) {
            body += "id: " + n + "\nevent: tick\ndata: {\"seq\":" + n
                + ",\"usage\":{\"output_tokens\":" + QByteArray::number(i * 3)
                + "},\"values\":[" + n + ",2]}\n\n";
        } else {
            body += "id: " + n + "\ndata: plain text number " + n + "\n\n";
        }
    }
    return body;
}

Sse::ClientOptions TestMainWindow::optionsFor(const QByteArray &path) const
{
    Sse::ClientOptions options;
    options.url = m_server.url(path);
    return options;
}

void TestMainWindow::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("SSE Monitor Tests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_mainwindow"));
    QVERIFY(m_server.isListening());
    // 20 events, then the stream stays open.
    m_server.route("/mixed", [](TestServer::Exchange *exchange) {
        exchange->sseHead();
        exchange->send(mixedEvents(20));
    });
    // Two events, then the server ends the stream; retry is long so the countdown shows.
    m_server.route("/drop", [](TestServer::Exchange *exchange) {
        exchange->sseHead();
        exchange->send("retry: 5000\nid: 1\ndata: one\n\nid: 2\ndata: two\n\n");
        exchange->finish();
    });
    m_server.route("/missing", [](TestServer::Exchange *exchange) {
        exchange->respond(404, {{"Content-Type", "text/html"}},
                          "<html><body>No stream here</body></html>");
    });
}

void TestMainWindow::init()
{
    QSettings().clear();
}

void TestMainWindow::eventsAppear()
{
    MainWindow window;
    QAbstractItemModelTester logTester(window.workspace()->logModel(),
                                       QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester connectionTester(
        window.workspace()->connections()->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    window.show();
    window.addConnection(QStringLiteral("mixed"), optionsFor("/mixed"));
    QTRY_COMPARE(window.workspace()->logModel()->rowCount(), 20);
    QCOMPARE(window.workspace()->logModel()->index(0, EventLogModel::TypeColumn).data().toString(),
             QStringLiteral("tick"));
    QCOMPARE(window.workspace()->logModel()->index(1, EventLogModel::TypeColumn).data().toString(),
             QStringLiteral("message"));
    QCOMPARE(window.workspace()->logModel()->index(19, EventLogModel::IdColumn).data().toString(),
             QStringLiteral("19"));
    QTRY_VERIFY(window.findChild<QLabel *>(QStringLiteral("countLabel"))->text().contains(QStringLiteral("20 of 20")));
    const QModelIndex state = window.workspace()->connections()->model()->index(0, ConnectionListModel::StateColumn);
    QTRY_COMPARE(state.data().toString(), QStringLiteral("Open"));
}

void TestMainWindow::typeFilterHidesOtherTypes()
{
    MainWindow window;
    window.show();
    window.addConnection(QStringLiteral("mixed"), optionsFor("/mixed"));
    QTRY_COMPARE(window.workspace()->logModel()->rowCount(), 20);
    TypeListModel *types = window.workspace()->typeModel();
    QTRY_COMPARE(types->rowCount(), 2);
    int messageRow = -1;
    for (int row = 0; row < types->rowCount(); ++row) {
        if (types->index(row).data(TypeListModel::TypeNameRole).toString() == QLatin1String("message"))
            messageRow = row;
    }
    QVERIFY(messageRow >= 0);
    QVERIFY(types->index(messageRow).data().toString().contains(QStringLiteral("10")));
    QVERIFY(types->setData(types->index(messageRow), Qt::Unchecked, Qt::CheckStateRole));
    QTRY_COMPARE(window.workspace()->logModel()->rowCount(), 10);
    for (int row = 0; row < 10; ++row) {
        QCOMPARE(window.workspace()->logModel()->index(row, EventLogModel::TypeColumn).data().toString(),
                 QStringLiteral("tick"));
    }
    QTRY_VERIFY(window.findChild<QLabel *>(QStringLiteral("countLabel"))->text().contains(QStringLiteral("10 of 20")));
}

void TestMainWindow::searchNarrows()
{
    MainWindow window;
    window.show();
    window.addConnection(QStringLiteral("mixed"), optionsFor("/mixed"));
    QTRY_COMPARE(window.workspace()->logModel()->rowCount(), 20);
    QTest::keyClicks(window.eventLogPane()->searchEdit(), QStringLiteral("number 1"));
    QTest::keyClick(window.eventLogPane()->searchEdit(), Qt::Key_Return);
    // "number 1", "number 11", ..., "number 19": odd numbers 1, 11, 13, 15, 17, 19.
    QTRY_COMPARE(window.workspace()->logModel()->rowCount(), 6);
    QTRY_VERIFY(window.findChild<QLabel *>(QStringLiteral("countLabel"))->text().contains(QStringLiteral("6 of 20")));
}

void TestMainWindow::detailShowsPrettyJson()
{
    MainWindow window;
    window.show();
    window.addConnection(QStringLiteral("mixed"), optionsFor("/mixed"));
    QTRY_COMPARE(window.workspace()->logModel()->rowCount(), 20);
    window.eventLogPane()->eventView()->setCurrentIndex(window.workspace()->logModel()->index(2, 0));
    // The pretty text is indented: "output_tokens" on its own line below "usage".
    bool found = false;
    const auto editors = window.detailTabs()->detailView()->findChildren<QPlainTextEdit *>();
    for (const QPlainTextEdit *editor : editors) {
        const QString text = editor->toPlainText();
        if (text.contains(QStringLiteral("\"usage\": {"))
            && text.contains(QStringLiteral("\n        \"output_tokens\": 6"))) {
            found = true;
        }
    }
    QVERIFY2(found, "no pretty-printed JSON of event 2 in the detail view");
}

void TestMainWindow::chartSeriesGetsPoints()
{
    MainWindow window;
    window.show();
    const quint16 id = window.addConnection(QStringLiteral("mixed"), optionsFor("/mixed"));
    QTRY_COMPARE(window.workspace()->logModel()->rowCount(), 20);
    SeriesCatalog *catalog = window.workspace()->seriesCatalog();
    SeriesKey wanted;
    QTRY_VERIFY([&] {
        for (const SeriesKey &key : catalog->discoveredSeries()) {
            if (key.connection == id && key.path == "usage.output_tokens")
                wanted = key;
        }
        return wanted.path == "usage.output_tokens";
    }());
    window.detailTabs()->setCurrentWidget(window.detailTabs()->chartPanel());
    window.detailTabs()->chartPanel()->setPlotted(wanted, true);
    // Points come from events that arrive after the series is plotted.
    window.workspace()->connections()->reconnectNow(id);
    QTRY_VERIFY(window.detailTabs()->chartPanel()->pointCount(wanted) > 0);
}

void TestMainWindow::reconnectStateIsShown()
{
    MainWindow window;
    window.show();
    window.addConnection(QStringLiteral("drop"), optionsFor("/drop"));
    const QModelIndex state =
        window.workspace()->connections()->model()->index(0, ConnectionListModel::StateColumn);
    QTRY_VERIFY(state.data().toString().startsWith(QStringLiteral("Reconnecting in")));
    const QString first = state.data().toString();
    QVERIFY2(first.contains(QStringLiteral("(attempt 1)")), qPrintable(first));
    // The countdown moves.
    QTRY_VERIFY(state.data().toString() != first);
    auto *view = window.findChild<QTreeView *>(QStringLiteral("connectionLog"));
    QVERIFY(view);
    QAbstractItemModel *log = view->model();
    QAbstractItemModelTester tester(log, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QTRY_VERIFY(log->rowCount() >= 3); // connecting, open, reconnecting
    const int last = log->rowCount() - 1;
    QCOMPARE(log->index(last, ConnectionLogModel::StateColumn).data().toString(),
             QStringLiteral("reconnecting"));
    QVERIFY(log->index(last, ConnectionLogModel::RetryColumn)
                .data()
                .toString()
                .startsWith(QStringLiteral("5000 ms")));
}

void TestMainWindow::failureShowsResponse()
{
    MainWindow window;
    window.show();
    window.addConnection(QStringLiteral("missing"), optionsFor("/missing"));
    const QModelIndex state =
        window.workspace()->connections()->model()->index(0, ConnectionListModel::StateColumn);
    QTRY_COMPARE(state.data().toString(), QStringLiteral("Failed: HTTP 404 Not Found"));
    auto *response = window.findChild<QPlainTextEdit *>(QStringLiteral("response"));
    QVERIFY(response);
    QTRY_VERIFY(response->toPlainText().contains(QStringLiteral("No stream here")));
    QVERIFY(response->toPlainText().contains(QStringLiteral("Content-Type: text/html")));
}

void TestMainWindow::settingsAreRestored()
{
    {
        MainWindow window;
        window.show();
        window.addConnection(QStringLiteral("first"), optionsFor("/mixed"));
        Sse::ClientOptions post = optionsFor("/mixed");
        post.method = "POST";
        post.body = "{\"stream\":true}";
        post.headers = {{"Authorization", "Bearer secret-value"}, {"X-Trace", "on"}};
        window.addConnection(QStringLiteral("second"), post);
        window.saveSettings();
    }
    QVERIFY(!QSettings().value(QStringLiteral("connections")).toByteArray().contains("secret-value"));
    MainWindow restored;
    QCOMPARE(restored.restoreConnections(), 2);
    const auto &entries = restored.workspace()->connections()->model()->entries();
    QCOMPARE(entries.size(), 2);
    QCOMPARE(entries.at(0).name, QStringLiteral("first"));
    QCOMPARE(entries.at(1).name, QStringLiteral("second"));
    QCOMPARE(entries.at(1).options.method, QByteArray("POST"));
    QCOMPARE(entries.at(1).options.body, QByteArray("{\"stream\":true}"));
    QCOMPARE(entries.at(1).options.headers.size(), 1);
    QCOMPARE(entries.at(1).options.headers.first().first, QByteArray("X-Trace"));
}

void TestMainWindow::recordOpenAndExport()
{
    QTemporaryDir directory;
    QVERIFY(directory.isValid());
    const QString recording = directory.filePath(QStringLiteral("rec.jsonl"));
    MainWindow window;
    window.show();
    QVERIFY(window.workspace()->startRecording(recording, Workspace::RawCapture::On));
    window.addConnection(QStringLiteral("mixed"), optionsFor("/mixed"));
    QTRY_COMPARE(window.workspace()->logModel()->rowCount(), 20);
    QTRY_COMPARE(window.workspace()->recorder()->eventsWritten(), 20);
    auto *indicator = window.findChild<QLabel *>(QStringLiteral("recordingIndicator"));
    QVERIFY(indicator);
    QTRY_VERIFY(indicator->text().contains(QStringLiteral("REC rec.jsonl")));
    QSignalSpy stopped(window.workspace()->recorder(), &Recorder::stopped);
    window.workspace()->stopRecording();
    QVERIFY(stopped.wait(5000));

    QFile file(recording);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = file.readAll().split('\n');
    int events = 0;
    for (const QByteArray &line : lines) {
        if (line.contains("\"kind\":\"event\""))
            ++events;
    }
    QCOMPARE(events, 20);
    // The raw bytes, byte for byte, beside the recording.
    QFile raw(directory.filePath(QStringLiteral("rec.raw.sse")));
    QVERIFY2(raw.open(QIODevice::ReadOnly), qPrintable(raw.fileName()));
    QCOMPARE(raw.readAll(), mixedEvents(20));

    // Open it again: an offline connection with the same 20 events.
    MainWindow reader;
    reader.show();
    LogImporter *importer = reader.workspace()->openRecording(recording);
    QVERIFY(importer);
    QTRY_COMPARE(reader.workspace()->logModel()->rowCount(), 20);
    QCOMPARE(reader.workspace()->logModel()->index(19, EventLogModel::IdColumn).data().toString(),
             QStringLiteral("19"));
    QVERIFY(reader.workspace()->connections()->model()->entries().first().offline);

    // Export the filtered view as CSV: header row plus 20 rows.
    const QString csv = directory.filePath(QStringLiteral("out.csv"));
    ExportJob *job = reader.workspace()->exportEvents(
        ExportFormat::Csv, csv, ExportJob::visibleSequences(*reader.workspace()->logModel()));
    QVERIFY(job);
    QSignalSpy finished(job, &ExportJob::finished);
    QVERIFY(finished.wait(10000));
    QVERIFY(finished.first().at(0).toBool());
    QFile csvFile(csv);
    QVERIFY(csvFile.open(QIODevice::ReadOnly));
    const QByteArray content = csvFile.readAll();
    QVERIFY(content.startsWith("time,connection,type,id,data\r\n"));
    QCOMPARE(content.count("\r\n"), 21);
}

void TestMainWindow::llmPostStream()
{
    // An OpenAI-style chat completion stream: POST with a JSON body, deltas, then [DONE]
    // and the end of the body. The POST must not be re-sent.
    m_server.route("/v1/chat/completions", [](TestServer::Exchange *exchange) {
        if (exchange->method() != "POST" || !exchange->body().contains("\"stream\":true")) {
            exchange->respond(400, {{"Content-Type", "application/json"}}, "{\"error\":\"bad\"}");
            return;
        }
        exchange->sseHead(TestServer::Framing::Chunked);
        for (const char *word : {"Hel", "lo", "!"}) {
            exchange->send(QByteArray("data: {\"choices\":[{\"delta\":{\"content\":\"") + word
                           + "\"}}],\"usage\":{\"output_tokens\":3}}\n\n");
        }
        exchange->send("data: [DONE]\n\n");
        exchange->finish();
    });
    MainWindow window;
    window.show();
    Sse::ClientOptions options = optionsFor("/v1/chat/completions");
    options.method = "POST";
    options.body = "{\"model\":\"m\",\"stream\":true}";
    options.headers = {{"Authorization", "Bearer sk-test"}, {"Content-Type", "application/json"}};
    window.addConnection(QStringLiteral("chat"), options);
    QTRY_COMPARE(window.workspace()->logModel()->rowCount(), 4);
    QCOMPARE(window.workspace()->logModel()->index(3, EventLogModel::DataColumn).data().toString(),
             QStringLiteral("[DONE]"));
    const QModelIndex state =
        window.workspace()->connections()->model()->index(0, ConnectionListModel::StateColumn);
    QTRY_VERIFY(state.data().toString().startsWith(QStringLiteral("Closed")));
    QCOMPARE(m_server.requestCount("/v1/chat/completions"), 1);
    QCOMPARE(m_server.requests("/v1/chat/completions").first().header("Authorization"),
             QByteArray("Bearer sk-test"));
}

void TestMainWindow::wikimediaAndSensorStreams()
{
    m_server.route("/v2/stream/recentchange", [](TestServer::Exchange *exchange) {
        exchange->sseHead();
        for (int i = 0; i < 5; ++i) {
            const QByteArray n = QByteArray::number(i);
            exchange->send("event: message\nid: [{\"topic\":\"eqiad.mediawiki.recentchange\","
                           "\"partition\":0,\"offset\":" + n + "}]\ndata: {\"$schema\":"
                           "\"/mediawiki/recentchange/1.0.0\",\"type\":\"edit\",\"title\":\"Page "
                           + n + "\",\"length\":{\"old\":100,\"new\":" + QByteArray::number(100 + i)
                           + "},\"bot\":false}\n\n");
        }
    });
    m_server.route("/sensor", [](TestServer::Exchange *exchange) {
        exchange->sseHead();
        exchange->send("data: 21.5\n\ndata: 21.7\n\ndata: 21.6\n\n");
    });
    MainWindow window;
    window.show();
    const quint16 wiki = window.addConnection(QStringLiteral("wiki"), optionsFor("/v2/stream/recentchange"));
    const quint16 sensor = window.addConnection(QStringLiteral("sensor"), optionsFor("/sensor"));
    QTRY_COMPARE(window.workspace()->logModel()->rowCount(), 8);
    bool lengthNew = false;
    bool plainNumber = false;
    QTRY_VERIFY([&] {
        for (const SeriesKey &key : window.workspace()->seriesCatalog()->discoveredSeries()) {
            lengthNew |= key.connection == wiki && key.path == "length.new";
            plainNumber |= key.connection == sensor && key.path.isEmpty();
        }
        return lengthNew && plainNumber;
    }());
    const ConnectionEntry *entry = window.workspace()->connections()->entry(wiki);
    QVERIFY(entry);
    QCOMPARE(entry->lastEventId,
             QByteArray("[{\"topic\":\"eqiad.mediawiki.recentchange\",\"partition\":0,\"offset\":4}]"));
}

void TestMainWindow::diagnosticsTab()
{
    // A stream without Cache-Control: the check names it, other response checks pass.
    m_server.route("/nocache", [](TestServer::Exchange *exchange) {
        exchange->writeHead(200, {{"Content-Type", "text/event-stream"}});
        for (int i = 0; i < 5; ++i) {
            exchange->sendLater(50 * i, "id: " + QByteArray::number(i) + "\ndata: "
                                        + QByteArray::number(i) + "\n\n");
        }
    });
    MainWindow window;
    window.show();
    window.addConnection(QStringLiteral("nocache"), optionsFor("/nocache"));
    QTRY_COMPARE(window.workspace()->logModel()->rowCount(), 5);
    window.workspace()->runDiagnostics(window.connectionsPane()->currentConnection(), 1200);
    QCOMPARE(window.detailTabs()->currentWidget(), window.detailTabs()->diagnosticsView());
    QTRY_VERIFY_WITH_TIMEOUT(!window.detailTabs()->diagnosticsView()->report().findings.isEmpty(), 10000);
    const Sse::DiagnosticsReport report = window.detailTabs()->diagnosticsView()->report();
    const Sse::Finding *cacheControl = report.find(QStringLiteral("response.cache-control"));
    QVERIFY(cacheControl);
    QVERIFY(cacheControl->severity != Sse::Finding::Pass);
    const Sse::Finding *status = report.find(QStringLiteral("response.status"));
    QVERIFY(status);
    QCOMPARE(status->severity, Sse::Finding::Pass);
}

void TestMainWindow::screenshot()
{
    const QByteArray directory = qgetenv("SSE_MONITOR_SCREENSHOT_DIR");
    // The README's pictures read as the app does: with its English catalogue ("380 events",
    // not the source text's "380 event(s)").
    if (!directory.isEmpty())
        QVERIFY(UiLanguage::install(QStringLiteral("en")));
    MainWindow window;
    window.resize(1280, 820);
    window.show();
    window.addConnection(QStringLiteral("mixed"), optionsFor("/mixed"));
    window.addConnection(QStringLiteral("drop"), optionsFor("/drop"));
    window.addConnection(QStringLiteral("missing"), optionsFor("/missing"));
    QTRY_COMPARE(window.workspace()->logModel()->rowCount(), 22);
    window.connectionsPane()->selectConnection(1);
    window.eventLogPane()->eventView()->setCurrentIndex(window.workspace()->logModel()->index(2, 0));
    const QPixmap pixmap = window.grab();
    QVERIFY(!pixmap.isNull());
    if (directory.isEmpty())
        return;
    QVERIFY(pixmap.save(QString::fromLocal8Bit(directory) + QStringLiteral("/screenshot-states.png")));

    // With a directory given, also a picture of the chart over the live demo stream.
    MainWindow demo;
    demo.resize(1280, 820);
    demo.show();
    const quint16 id = demo.openDemo();
    QVERIFY(id != 0);
    demo.detailTabs()->setCurrentWidget(demo.detailTabs()->chartPanel());
    QList<SeriesKey> plotted;
    QTRY_VERIFY_WITH_TIMEOUT([&] {
        for (const SeriesKey &key : demo.workspace()->seriesCatalog()->discoveredSeries()) {
            if ((key.eventType == "trade" && key.path == "price")
                || (key.eventType == "latency" && key.path == "latency.p99_ms")) {
                if (!plotted.contains(key)) {
                    demo.detailTabs()->chartPanel()->setPlotted(key, true);
                    plotted.append(key);
                }
            }
        }
        return plotted.size() == 2;
    }(), 10000);
    QTRY_VERIFY_WITH_TIMEOUT(demo.detailTabs()->chartPanel()->pointCount(plotted.first()) > 40, 15000);
    QVERIFY(demo.grab().save(QString::fromLocal8Bit(directory) + QStringLiteral("/screenshot-chart.png")));

    demo.workspace()->runDiagnostics(demo.connectionsPane()->currentConnection(), 4000);
    QTRY_VERIFY_WITH_TIMEOUT(!demo.detailTabs()->diagnosticsView()->report().findings.isEmpty(), 15000);
    QVERIFY(demo.grab().save(QString::fromLocal8Bit(directory)
                             + QStringLiteral("/screenshot-diagnostics.png")));
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
