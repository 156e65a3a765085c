// The user guide (docs/USER-GUIDE.md), step by step, on the real window against real loopback
// streams. Each step checks what the guide promises; with SSE_MONITOR_SCREENSHOT_DIR set it also
// saves the guide's pictures (guide-*.png).

#include "testserver.h"

#include "charts/chartpanel.h"
#include "charts/llmtimingchart.h"
#include "charts/seriescatalog.h"
#include "models/connectionlistmodel.h"
#include "models/connectionmanager.h"
#include "models/eventlogmodel.h"
#include "models/typelistmodel.h"
#include "recording/exportjob.h"
#include "recording/recorder.h"
#include "session/workspace.h"
#include "views/connectiondetailtabs.h"
#include "views/connectiondialog.h"
#include "views/connectionspane.h"
#include "views/eventlogpane.h"
#include "views/llmpane.h"
#include "views/mainwindow.h"
#include "views/uilanguage.h"

#include <QLabel>
#include <QLineEdit>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QPointer>
#include <QTest>
#include <QTimer>

#include <cmath>

class TestGuide : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void connectToUrl();
    void llmPostStream();
    void filterAndSearch();
    void chartAField();
    void recordExportReplay();

private:
    void save(QWidget *widget, const char *name);
    Sse::ClientOptions optionsFor(const QByteArray &path) const;

    TestServer m_server;
    QTemporaryDir m_directory;
};

namespace {

// Readings of three sensors with a slowly varying temperature, plus status messages.
QByteArray sensorEvents(int count)
{
    QByteArray body;
    for (int i = 0; i < count; ++i) {
        const QByteArray n = QByteArray::number(i);
        if (i % 5 == 4) {
            body += "id: " + n + "\nevent: status\ndata: {\"state\":\"ok\",\"uptime_s\":" + n
                + "}\n\n";
        } else {
            const double temperature = 21.0 + 2.0 * std::sin(i / 6.0);
            body += "id: " + n + "\nevent: reading\ndata: {\"sensor\":\"sensor-0"
                + QByteArray::number(i % 3 + 1) + "\",\"temperature\":"
                + QByteArray::number(temperature, 'f', 2) + ",\"humidity\":"
                + QByteArray::number(40 + i % 7) + "}\n\n";
        }
    }
    return body;
}

// The streamed answer, one word per event.
QList<QByteArray> answerWords()
{
    return QByteArray("Server-sent events are plain HTTP: one response, many events, in order.")
        .split(' ');
}

} // namespace

void TestGuide::save(QWidget *widget, const char *name)
{
    const QPixmap pixmap = widget->grab();
    QVERIFY(!pixmap.isNull());
    const QString directory = qEnvironmentVariable("SSE_MONITOR_SCREENSHOT_DIR");
    if (!directory.isEmpty())
        QVERIFY(pixmap.save(directory + QLatin1Char('/') + QLatin1String(name)));
}

Sse::ClientOptions TestGuide::optionsFor(const QByteArray &path) const
{
    Sse::ClientOptions options;
    options.url = m_server.url(path);
    return options;
}

void TestGuide::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("SSE Monitor Tests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_guide"));
    // The guide's pictures read as the app does: with its English catalogue ("60 events", not
    // the source text's "60 event(s)").
    if (!qEnvironmentVariableIsEmpty("SSE_MONITOR_SCREENSHOT_DIR"))
        QVERIFY(UiLanguage::install(QStringLiteral("en")));
    QVERIFY(m_server.isListening());
    QVERIFY(m_directory.isValid());
    m_server.route("/sensors", [](TestServer::Exchange *exchange) {
        exchange->sseHead();
        exchange->send(sensorEvents(60));
    });
    m_server.route("/v1/chat/completions", [](TestServer::Exchange *exchange) {
        if (exchange->method() != "POST" || !exchange->body().contains("\"stream\":true")) {
            exchange->respond(400, {{"Content-Type", "application/json"}}, "{\"error\":\"bad\"}");
            return;
        }
        exchange->sseHead(TestServer::Framing::Chunked);
        const QList<QByteArray> words = answerWords();
        int index = 0;
        // Paced like a model (15 to 55 ms a word), so the timing chart has a shape.
        int delay = 0;
        for (const QByteArray &word : words) {
            delay += 15 + (index * 17) % 41;
            exchange->sendLater(delay,
                                "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\","
                                "\"choices\":[{\"index\":0,\"delta\":{\"content\":\""
                                    + (index++ ? " " + word : word) + "\"}}]}\n\n");
        }
        exchange->sendLater(delay + 10,
                            "data: {\"id\":\"chatcmpl-1\",\"choices\":[],\"usage\":{"
                            "\"prompt_tokens\":12,\"completion_tokens\":12,\"total_tokens\":24}}"
                            "\n\ndata: [DONE]\n\n");
        QPointer<TestServer::Exchange> guard(exchange);
        QTimer::singleShot(delay + 30, exchange, [guard] {
            if (guard)
                guard->finish();
        });
    });
}

void TestGuide::init()
{
    QSettings().clear();
}

void TestGuide::connectToUrl()
{
    // Connection > New Connection: a URL is all it takes.
    ConnectionDialog dialog;
    Sse::ClientOptions options = optionsFor("/sensors");
    dialog.setConnection(QStringLiteral("Sensors"), options);
    dialog.show();
    QCOMPARE(dialog.options().url, options.url);
    QCOMPARE(dialog.name(), QStringLiteral("Sensors"));
    save(&dialog, "guide-connect-dialog.png");

    MainWindow window;
    window.resize(1280, 820);
    window.show();
    window.addConnection(dialog.name(), dialog.options());
    QTRY_COMPARE(window.workspace()->logModel()->rowCount(), 60);
    const QModelIndex state =
        window.workspace()->connections()->model()->index(0, ConnectionListModel::StateColumn);
    QTRY_COMPARE(state.data().toString(), QStringLiteral("Open"));
    window.eventLogPane()->eventView()->setCurrentIndex(window.workspace()->logModel()->index(7, 0));
    save(&window, "guide-connect.png");
}

void TestGuide::llmPostStream()
{
    // The OpenAI preset fills method, body and headers; only the URL and key change.
    ConnectionDialog dialog;
    dialog.applyPreset(ConnectionDialog::Preset::OpenAiChat);
    Sse::ClientOptions options = dialog.options();
    QCOMPARE(options.method, QByteArray("POST"));
    QVERIFY(options.body.contains("\"stream\""));
    options.url = m_server.url("/v1/chat/completions");
    dialog.setConnection(QStringLiteral("Chat completion"), options);
    dialog.show();
    save(&dialog, "guide-llm-dialog.png");

    MainWindow window;
    window.resize(1280, 820);
    window.show();
    options = dialog.options();
    options.body = "{\"model\":\"demo\",\"stream\":true,\"messages\":[{\"role\":\"user\","
                   "\"content\":\"What is SSE?\"}]}";
    window.addConnection(dialog.name(), options);
    const int events = int(answerWords().size()) + 2; // the words, usage, [DONE]
    QTRY_COMPARE(window.workspace()->logModel()->rowCount(), events);
    QCOMPARE(window.workspace()->logModel()->index(events - 1, EventLogModel::DataColumn).data().toString(),
             QStringLiteral("[DONE]"));
    const QModelIndex state =
        window.workspace()->connections()->model()->index(0, ConnectionListModel::StateColumn);
    QTRY_VERIFY(state.data().toString().startsWith(QStringLiteral("Closed")));
    QCOMPARE(m_server.requestCount("/v1/chat/completions"), 1); // a POST is not re-sent
    window.eventLogPane()->eventView()->setCurrentIndex(window.workspace()->logModel()->index(events - 2, 0));
    save(&window, "guide-llm.png");
    // The LLM tab: the answer assembled, usage, timing and the verdict.
    window.detailTabs()->setCurrentWidget(window.detailTabs()->llmPane());
    QTRY_COMPARE(window.detailTabs()->llmPane()->badge()->text(), QStringLiteral("Complete"));
    // The words came paced: the timing chart draws their gaps and rate.
    QTRY_VERIFY(window.detailTabs()->llmPane()->timingChart()->isChartShown());
    save(&window, "guide-llm-lens.png");
}

void TestGuide::filterAndSearch()
{
    MainWindow window;
    window.resize(1280, 820);
    window.show();
    window.addConnection(QStringLiteral("Sensors"), optionsFor("/sensors"));
    QTRY_COMPARE(window.workspace()->logModel()->rowCount(), 60);
    TypeListModel *types = window.workspace()->typeModel();
    QTRY_COMPARE(types->rowCount(), 2);
    for (int row = 0; row < types->rowCount(); ++row) {
        const QModelIndex index = types->index(row);
        if (index.data(TypeListModel::TypeNameRole).toString() == QLatin1String("status"))
            QVERIFY(types->setData(index, Qt::Unchecked, Qt::CheckStateRole));
    }
    QTRY_COMPARE(window.workspace()->logModel()->rowCount(), 48);
    // 48 readings, one sensor in three.
    QTest::keyClicks(window.eventLogPane()->searchEdit(), QStringLiteral("sensor-02"));
    QTest::keyClick(window.eventLogPane()->searchEdit(), Qt::Key_Return);
    QTRY_COMPARE(window.workspace()->logModel()->rowCount(), 16);
    for (int row = 0; row < 16; ++row) {
        QVERIFY(window.workspace()->logModel()->index(row, EventLogModel::DataColumn).data().toString().contains(
            QStringLiteral("sensor-02")));
    }
    QTRY_VERIFY(window.findChild<QLabel *>(QStringLiteral("countLabel"))->text().contains(QStringLiteral("16 of 60")));
    window.eventLogPane()->eventView()->setCurrentIndex(window.workspace()->logModel()->index(0, 0));
    save(&window, "guide-filter.png");
}

void TestGuide::chartAField()
{
    // The demo stream sends numbers over time; tick a discovered series to plot it.
    MainWindow window;
    window.resize(1280, 820);
    window.show();
    QVERIFY(window.openDemo() != 0);
    window.detailTabs()->setCurrentWidget(window.detailTabs()->chartPanel());
    SeriesKey wanted;
    QTRY_VERIFY_WITH_TIMEOUT([&] {
        for (const SeriesKey &key : window.workspace()->seriesCatalog()->discoveredSeries()) {
            if (key.eventType == "sensor" && key.path == "temperature")
                wanted = key;
        }
        return !wanted.path.isEmpty();
    }(), 10000);
    window.detailTabs()->chartPanel()->setPlotted(wanted, true);
    QTRY_VERIFY_WITH_TIMEOUT(window.detailTabs()->chartPanel()->pointCount(wanted) > 30, 20000);
    save(&window, "guide-chart.png");
}

void TestGuide::recordExportReplay()
{
    const QString recording = m_directory.filePath(QStringLiteral("sensors.jsonl"));
    {
        MainWindow window;
        window.resize(1280, 820);
        window.show();
        QVERIFY(window.workspace()->startRecording(recording));
        window.addConnection(QStringLiteral("Sensors"), optionsFor("/sensors"));
        QTRY_COMPARE(window.workspace()->recorder()->eventsWritten(), 60);
        auto *indicator = window.findChild<QLabel *>(QStringLiteral("recordingIndicator"));
        QVERIFY(indicator);
        QTRY_VERIFY(indicator->text().contains(QStringLiteral("sensors.jsonl")));
        // The indicator, the log and the counters move together, on the counters' tick.
        QTRY_VERIFY2(indicator->text().contains(QStringLiteral(" 60 event")),
                     qPrintable(indicator->text()));
        QTRY_COMPARE(window.workspace()->logModel()->rowCount(), 60);
        save(&window, "guide-record.png");

        // Export what the filter shows, as CSV with a JSON path column.
        const QString csv = m_directory.filePath(QStringLiteral("sensors.csv"));
        ExportJob *job = window.workspace()->exportEvents(ExportFormat::Csv, csv, ExportJob::allSequences(window.workspace()->logModel()->store()),
                                         {QByteArrayLiteral("temperature")});
        QVERIFY(job);
        QSignalSpy finished(job, &ExportJob::finished);
        QVERIFY(finished.wait(10000));
        QVERIFY(finished.first().at(0).toBool());
        QFile file(csv);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray content = file.readAll();
        QVERIFY2(content.startsWith("time,connection,type,id,data,temperature\r\n"),
                 content.left(80).constData());
        QCOMPARE(content.count("\r\n"), 61);
        QSignalSpy stopped(window.workspace()->recorder(), &Recorder::stopped);
        window.workspace()->stopRecording();
        QVERIFY(stopped.wait(5000));
    }

    // File > Replay Recording: the events come back into a new offline connection.
    MainWindow window;
    window.resize(1280, 820);
    window.show();
    window.workspace()->replayRecording(recording, 10.0);
    QTRY_COMPARE_WITH_TIMEOUT(window.workspace()->logModel()->rowCount(), 60, 20000);
    QCOMPARE(window.workspace()->logModel()->index(59, EventLogModel::IdColumn).data().toString(),
             QStringLiteral("59"));
    window.eventLogPane()->eventView()->setCurrentIndex(window.workspace()->logModel()->index(59, 0));
    save(&window, "guide-replay.png");
}

QTEST_MAIN(TestGuide)
#include "tst_guide.moc"
