// The LLM tab in the real MainWindow (offscreen) against a loopback server serving the
// provider streams of tests/data/llm: the response list, the verdict badge, the assembled
// text (Markdown and raw), reasoning, tool calls, usage and timing, live and at the end.

#include "testserver.h"

#include "models/connectionlistmodel.h"
#include "models/connectionmanager.h"
#include "models/llmresponsemodel.h"
#include "recording/recorder.h"
#include "session/workspace.h"
#include "charts/llmtimingchart.h"
#include "views/apptheme.h"
#include "views/connectiondetailtabs.h"
#include "views/connectionspane.h"
#include "views/elidedlabel.h"
#include "views/llmpane.h"
#include "views/mainwindow.h"

#include <QChart>
#include <QChartView>
#include <QApplication>
#include <QCheckBox>
#include <QFileDialog>
#include <QClipboard>
#include <QGuiApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QFile>
#include <QIcon>
#include <QStatusBar>
#include <QLabel>
#include <QMenu>
#include <QPlainTextEdit>
#include <QPointer>
#include <QScopeGuard>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>
#include <QTimer>
#include <QToolButton>
#include <QTreeView>

using namespace Qt::StringLiterals;
using Exchange = TestServer::Exchange;

namespace {

QByteArray stream(const QString &name)
{
    QFile file(QStringLiteral(LLM_DATA_DIR) + u'/' + name + u".sse"_s);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// \a wire at once, then the end of the body, for every request to \a path.
void serveWhole(TestServer &server, const QByteArray &path, const QByteArray &wire)
{
    server.route(path, [wire](Exchange *exchange) {
        exchange->sseHead();
        exchange->send(wire);
        exchange->finish();
    });
}

// The stream in two parts: the first at once, the rest after \a pauseMs (then the end).
void serveInTwoParts(Exchange *exchange, const QByteArray &wire, qsizetype split, int pauseMs)
{
    exchange->sseHead();
    exchange->send(wire.left(split));
    QPointer<Exchange> guard(exchange);
    QTimer::singleShot(pauseMs, exchange, [guard, rest = wire.mid(split)] {
        if (!guard)
            return;
        guard->send(rest);
        guard->finish();
    });
}

// The stream one event at a time, the k-th after a gap that varies from 20 to 80 ms.
void servePaced(Exchange *exchange, const QByteArray &wire)
{
    exchange->sseHead();
    QList<QByteArray> events = wire.split('\n');
    QByteArrayList blocks{QByteArray()};
    for (const QByteArray &line : events) {
        blocks.last() += line + '\n';
        if (line.isEmpty() || line == "\r") // LF or CRLF line ends
            blocks.append(QByteArray());
    }
    QPointer<Exchange> guard(exchange);
    int delay = 0;
    for (qsizetype i = 0; i < blocks.size(); ++i) {
        delay += 20 + int((i * 37) % 61);
        const bool last = i + 1 == blocks.size();
        QTimer::singleShot(delay, exchange, [guard, block = blocks.at(i), last] {
            if (!guard)
                return;
            guard->send(block);
            if (last)
                guard->finish();
        });
    }
}

} // namespace

class TestLlmPane : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init() { QSettings().clear(); }
    void finishedResponses_data();
    void finishedResponses();
    void textGrowsLive();
    void rawToggleShowsTheTextAsSent();
    void copyActions();
    void exportWritesSummaryAndText();
    void timingChartFollowsTheTheme();
    void openedRecordingShowsTheChart();
    void badgeFitsItsText_data();
    void badgeFitsItsText();
    void longModelNameKeepsTheHeadingOnOneLine();
    void screenshot();

private:
    // A window with one connection to \a path of \a server, the LLM tab shown.
    std::unique_ptr<MainWindow> openWindow(TestServer &server, const QByteArray &path);
    // openWindow() on the stream \a name served paced at \a path, once the response is
    // finished and shown Complete (the caller checks QTest::currentTestFailed()).
    void openPacedAndWait(TestServer &server, const QByteArray &path, const QString &name,
                          std::unique_ptr<MainWindow> &window);
};

void TestLlmPane::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(u"SSE Monitor Tests"_s);
    QCoreApplication::setApplicationName(u"tst_llmpane"_s);
}

std::unique_ptr<MainWindow> TestLlmPane::openWindow(TestServer &server, const QByteArray &path)
{
    auto window = std::make_unique<MainWindow>();
    window->resize(1280, 900);
    window->show();
    if (!QTest::qWaitForWindowExposed(window.get()))
        return nullptr;
    Sse::ClientOptions options;
    options.url = server.url(path);
    options.reconnectPolicy = Sse::ReconnectPolicy::Never;
    window->addConnection(u"llm"_s, options);
    ConnectionDetailTabs *tabs = window->detailTabs();
    tabs->setCurrentWidget(tabs->llmPane());
    return window;
}

void TestLlmPane::openPacedAndWait(TestServer &server, const QByteArray &path,
                                   const QString &name, std::unique_ptr<MainWindow> &window)
{
    const QByteArray wire = stream(name);
    server.route(path, [wire](Exchange *exchange) { servePaced(exchange, wire); });
    window = openWindow(server, path);
    QVERIFY(window);
    // isLive() of a row not there yet is false too: first the row, then its end.
    QTRY_COMPARE(window->workspace()->llmModel()->rowCount(), 1);
    QTRY_VERIFY(!window->workspace()->llmModel()->isLive(0));
    QTRY_COMPARE(window->detailTabs()->llmPane()->badge()->text(), u"Complete"_s);
}

void TestLlmPane::finishedResponses_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("verdict");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QStringList>("toolText");
    QTest::addColumn<QString>("usage");
    QTest::newRow("chat tools") << u"chat-tools"_s << u"Complete"_s << QString()
                                << QStringList{u"get_weather"_s, u"call_Wx81"_s,
                                               u"\"city\": \"Paris\""_s, u"get_time"_s}
                                << u"input 88 (cached 64)"_s;
    QTest::newRow("anthropic tools") << u"anthropic-tools"_s << u"Complete"_s
                                     << u"Checking both."_s
                                     << QStringList{u"toolu_01B"_s, u"\"city\": \"Naples\""_s}
                                     << u"output 120"_s;
    QTest::newRow("anthropic error") << u"anthropic-error"_s
                                     << u"Error mid-stream: overloaded_error \"Overloaded\""_s
                                     << u"Let me think"_s << QStringList() << u"input 30"_s;
    QTest::newRow("chat cut arguments") << u"chat-tools-cut"_s
                                        << u"Truncated: no [DONE] after 4 chunks"_s << QString()
                                        << QStringList{u"search"_s, u"not valid JSON"_s}
                                        << u"sent no usage"_s;
    QTest::newRow("gemini") << u"gemini-tools"_s << u"Complete"_s << u"Calling tools."_s
                            << QStringList{u"get_time"_s, u"America/Lima"_s}
                            << u"reasoning 30"_s;
    QTest::newRow("responses") << u"responses-text"_s << u"Complete"_s
                               << u"Two plus two is four."_s << QStringList() << u"total 19"_s;
}

void TestLlmPane::finishedResponses()
{
    QFETCH(QString, name);
    QFETCH(QString, verdict);
    QFETCH(QString, text);
    QFETCH(QStringList, toolText);
    QFETCH(QString, usage);
    TestServer server;
    serveWhole(server, "/llm", stream(name));
    const std::unique_ptr<MainWindow> window = openWindow(server, "/llm");
    QVERIFY(window);
    LlmPane *pane = window->detailTabs()->llmPane();
    QVERIFY(pane->isVisible());
    QTRY_COMPARE(pane->list()->model()->rowCount(), 1);
    QTRY_COMPARE(pane->badge()->text(), verdict);
    QTRY_VERIFY(!window->workspace()->llmModel()->isLive(0));
    // The end of the response is shown too: its duration, after the first event.
    auto *timing = pane->findChild<QLabel *>(u"llmTiming"_s);
    QTRY_VERIFY2(timing->text().contains(u"duration "_s)
                     && !timing->text().contains(u"duration –"_s),
                 qPrintable(timing->text()));
    const Sse::Llm::Timing t = window->workspace()->llmModel()->summary(0).timing;
    QVERIFY(t.ttfbMs && t.firstEventMs && t.durationMs);
    QVERIFY(*t.ttfbMs <= *t.firstEventMs && *t.firstEventMs <= *t.durationMs);
    QCOMPARE(pane->currentResponse(), 0);
    // The verdict in the connections list (a dot and the tool tip) and in the status bar.
    const QModelIndex nameIndex = window->workspace()->connections()->model()->index(
        0, ConnectionListModel::NameColumn);
    QTRY_VERIFY(nameIndex.data(Qt::ToolTipRole).toString().contains(u"LLM: "_s + verdict));
    QVERIFY(!nameIndex.data(Qt::DecorationRole).value<QIcon>().isNull());
    auto statusHasVerdict = [&] {
        const auto labels = window->statusBar()->findChildren<QLabel *>();
        return std::any_of(labels.cbegin(), labels.cend(), [&](const QLabel *label) {
            return label->text().contains(u"LLM: "_s + verdict);
        });
    };
    QTRY_VERIFY(statusHasVerdict());
    QCOMPARE(pane->textView()->toPlainText().trimmed(), text);
    const QString tools = pane->findChild<QTextBrowser *>(u"llmToolCalls"_s)->toPlainText();
    for (const QString &part : toolText)
        QVERIFY2(tools.contains(part), qPrintable(tools));
    QVERIFY2(pane->findChild<QLabel *>(u"llmUsage"_s)->text().contains(usage),
             qPrintable(pane->findChild<QLabel *>(u"llmUsage"_s)->text()));
    QVERIFY(pane->findChild<QLabel *>(u"llmTiming"_s)->text().startsWith(u"TTFB "_s));
    const QImage shot = window->grab().toImage();
    QVERIFY(!shot.isNull());
    shot.save(u"/tmp/llm-pane-%1.png"_s.arg(name));
}

void TestLlmPane::textGrowsLive()
{
    // chat-paced's text arrives after its pause: the badge says Streaming with part of it.
    TestServer server;
    const QByteArray wire = stream(u"chat-text"_s);
    const qsizetype split = wire.indexOf("\" twice\"");
    QVERIFY(split > 0);
    server.route("/llm", [&](Exchange *exchange) {
        serveInTwoParts(exchange, wire, wire.lastIndexOf("\n\ndata:", split) + 2, 1500);
    });
    const std::unique_ptr<MainWindow> window = openWindow(server, "/llm");
    QVERIFY(window);
    LlmPane *pane = window->detailTabs()->llmPane();
    QTRY_COMPARE(pane->textView()->toPlainText(), u"Tides rise"_s);
    QVERIFY(pane->badge()->text().startsWith(u"Streaming: "_s));
    // The timing chart follows too: the first part's chunks are drawn before the rest comes.
    LlmTimingChart *chart = pane->timingChart();
    QVERIFY(chart->isVisible());
    const int early = chart->pointCount();
    QVERIFY(early > 0);
    QTRY_COMPARE(pane->badge()->text(), u"Complete"_s);
    QVERIFY(pane->textView()->toPlainText().startsWith(u"Tides rise twice a day."_s));
    QTRY_VERIFY(chart->pointCount() > early);
    // Chat sends no per-chunk usage: the rate is an estimate, and the chart says so.
    QVERIFY(chart->isRateEstimated());
    QVERIFY(chart->rateAxisTitle().contains(u"est."_s));
    QVERIFY(chart->chartView()->toolTip().contains(u"estimate"_s));
}

void TestLlmPane::rawToggleShowsTheTextAsSent()
{
    TestServer server;
    serveWhole(server, "/llm", stream(u"chat-reasoning"_s));
    const std::unique_ptr<MainWindow> window = openWindow(server, "/llm");
    QVERIFY(window);
    LlmPane *pane = window->detailTabs()->llmPane();
    QTRY_COMPARE(pane->badge()->text(), u"Complete"_s);
    auto *reasoning = pane->findChild<QPlainTextEdit *>(u"llmReasoning"_s);
    auto *toggle = pane->findChild<QToolButton *>(u"llmReasoningToggle"_s);
    QVERIFY(!reasoning->isVisible());
    QVERIFY(toggle->isEnabled());
    toggle->click();
    QVERIFY(reasoning->isVisible());
    QCOMPARE(reasoning->toPlainText(), u"Nine is odd, and 9 = 3 × 3."_s);

    // Markdown: "**four**" in the Responses stream renders bold; raw shows the asterisks.
    TestServer second;
    serveWhole(second, "/llm", stream(u"responses-text"_s));
    const std::unique_ptr<MainWindow> other = openWindow(second, "/llm");
    QVERIFY(other);
    LlmPane *markdownPane = other->detailTabs()->llmPane();
    QTRY_COMPARE(markdownPane->badge()->text(), u"Complete"_s);
    QCOMPARE(markdownPane->textView()->toPlainText().trimmed(), u"Two plus two is four."_s);
    markdownPane->rawToggle()->setChecked(true);
    QCOMPARE(markdownPane->textView()->toPlainText(), u"Two plus two is **four**."_s);
}

void TestLlmPane::copyActions()
{
    TestServer server;
    serveWhole(server, "/llm", stream(u"chat-tools"_s));
    const std::unique_ptr<MainWindow> window = openWindow(server, "/llm");
    QVERIFY(window);
    LlmPane *pane = window->detailTabs()->llmPane();
    QTRY_COMPARE(pane->badge()->text(), u"Complete"_s);
    QVERIFY(!pane->copyReasoningAction()->isEnabled()); // chat-tools has none
    pane->copyArgumentsAction()->trigger();
    QCOMPARE(QGuiApplication::clipboard()->text(),
             uR"({"city":"Paris","unit":"c"})"_s + u'\n' + uR"({"tz":"Europe/Paris"})"_s);
    pane->copySummaryAction()->trigger();
    const QJsonObject record =
        QJsonDocument::fromJson(QGuiApplication::clipboard()->text().toUtf8()).object();
    QCOMPARE(record.value(u"provider"_s).toString(), u"openai-chat"_s);
    QCOMPARE(record.value(u"tool_calls"_s).toArray().size(), 2);
    QVERIFY(record.value(u"complete"_s).toBool());
}

void TestLlmPane::exportWritesSummaryAndText()
{
    TestServer server;
    serveWhole(server, "/llm", stream(u"responses-text"_s));
    const std::unique_ptr<MainWindow> window = openWindow(server, "/llm");
    QVERIFY(window);
    LlmPane *pane = window->detailTabs()->llmPane();
    QTRY_COMPARE(pane->badge()->text(), u"Complete"_s);
    QTRY_VERIFY(!window->workspace()->llmModel()->isLive(0));
    auto *button = pane->findChild<QToolButton *>(u"llmExport"_s);
    QVERIFY(button && button->isEnabled());
    QVERIFY(button->menu()->actions().contains(pane->exportSummaryAction()));
    QVERIFY(button->menu()->actions().contains(pane->exportTextAction()));

    QTemporaryDir dir;
    const QString jsonPath = dir.filePath(u"summary.json"_s);
    QString error;
    QVERIFY2(pane->exportTo(LlmPane::ExportKind::Summary, jsonPath, &error), qPrintable(error));
    QFile json(jsonPath);
    QVERIFY(json.open(QIODevice::ReadOnly));
    const QByteArray line = json.readAll();
    // The CLI's line: one JSON object and its LF, no recording members, no timeline.
    QCOMPARE(line.count('\n'), 1);
    QVERIFY(line.endsWith('\n'));
    const QJsonObject record = QJsonDocument::fromJson(line).object();
    QCOMPARE(record.value(u"kind"_s).toString(), u"llm"_s);
    QCOMPARE(record.value(u"provider"_s).toString(), u"openai-responses"_s);
    QCOMPARE(record.value(u"text"_s).toString(), u"Two plus two is **four**."_s);
    QVERIFY(record.value(u"complete"_s).toBool());
    QVERIFY(!record.contains(u"time"_s) && !record.contains(u"timeline"_s));
    const std::optional<Sse::Llm::Summary> back = Sse::Llm::summaryFromRecord(record);
    QVERIFY(back);
    QCOMPARE(back->usage, window->workspace()->llmModel()->summary(0).usage);

    const QString markdownPath = dir.filePath(u"text.md"_s);
    QVERIFY2(pane->exportTo(LlmPane::ExportKind::Text, markdownPath, &error), qPrintable(error));
    QFile markdown(markdownPath);
    QVERIFY(markdown.open(QIODevice::ReadOnly));
    QCOMPARE(markdown.readAll(), QByteArray("Two plus two is **four**.\n"));

    // A place that cannot be written: an error.
    QVERIFY(!pane->exportTo(LlmPane::ExportKind::Text, dir.filePath(u"no/such/dir/x.md"_s),
                            &error));
    QVERIFY(!error.isEmpty());

    // Through the menu: the file dialog, driven offscreen, then the same write.
    const QString viaDialog = dir.filePath(u"dialog.md"_s);
    bool dialogSeen = false;
    QTimer::singleShot(0, this, [&] {
        auto *dialog = qobject_cast<QFileDialog *>(QApplication::activeModalWidget());
        if (!dialog)
            return;
        dialogSeen = true;
        QCOMPARE(dialog->selectedFiles().value(0).section(u'/', -1), u"resp_68a1.md"_s);
        dialog->selectFile(viaDialog);
        QMetaObject::invokeMethod(dialog, "accept", Qt::QueuedConnection);
    });
    pane->exportTextAction()->trigger();
    QVERIFY(dialogSeen);
    QFile dialogFile(viaDialog);
    QVERIFY(dialogFile.open(QIODevice::ReadOnly));
    QCOMPARE(dialogFile.readAll(), QByteArray("Two plus two is **four**.\n"));
}

void TestLlmPane::timingChartFollowsTheTheme()
{
    TestServer server;
    std::unique_ptr<MainWindow> window;
    openPacedAndWait(server, "/llm", u"gemini-text"_s, window);
    if (QTest::currentTestFailed())
        return;
    LlmPane *pane = window->detailTabs()->llmPane();
    LlmTimingChart *chart = pane->timingChart();
    QTRY_VERIFY(chart->isChartShown());
    // Gemini counts its output with every chunk: the rate is measured, not estimated.
    QVERIFY(!chart->isRateEstimated());
    QCOMPARE(chart->rateAxisTitle(), u"Tokens/s"_s);
    for (const AppTheme::Theme theme : {AppTheme::Theme::Dark, AppTheme::Theme::Light}) {
        AppTheme::apply(theme);
        QCoreApplication::processEvents(); // the palette change reaches the widgets
        const QChart *drawn = chart->chartView()->chart();
        QCOMPARE(drawn->backgroundBrush().color(), chart->palette().color(QPalette::Base));
        QCOMPARE(drawn->theme(), theme == AppTheme::Theme::Dark ? QChart::ChartThemeDark
                                                                : QChart::ChartThemeLight);
        if (theme == AppTheme::Theme::Dark)
            QVERIFY(window->grab().save(u"/tmp/llm-pane-dark.png"_s));
    }
    AppTheme::apply(AppTheme::Theme::System);
}

void TestLlmPane::openedRecordingShowsTheChart()
{
    // Recorded while it streams, then opened in another window: the same chart.
    QTemporaryDir dir;
    const QString path = dir.filePath(u"llm.jsonl"_s);
    TestServer server;
    const QByteArray wire = stream(u"chat-paced"_s);
    server.route("/llm", [wire](Exchange *exchange) { servePaced(exchange, wire); });
    const std::unique_ptr<MainWindow> window = openWindow(server, "/llm");
    QVERIFY(window);
    QVERIFY(window->workspace()->startRecording(path));
    LlmPane *pane = window->detailTabs()->llmPane();
    QTRY_COMPARE(window->workspace()->llmModel()->rowCount(), 1);
    QTRY_VERIFY(!window->workspace()->llmModel()->isLive(0));
    QTRY_COMPARE(pane->badge()->text(), u"Complete"_s);
    const Sse::Llm::Summary live = window->workspace()->llmModel()->summary(0);
    const int points = int(Sse::Llm::timelineRates(live).size());
    QVERIFY(points >= 2);
    // The pane redraws on its 100 ms timer: the finished response's chart, once drawn.
    QTRY_COMPARE(pane->timingChart()->pointCount(), points);
    QVERIFY(pane->timingChart()->isChartShown());
    // Closed: the state that ended the response is recorded before the recording stops.
    const QModelIndex state = window->workspace()->connections()->model()->index(
        0, ConnectionListModel::StateColumn);
    QTRY_VERIFY(state.data().toString().startsWith(u"Closed"_s));
    QSignalSpy stopped(window->workspace()->recorder(), &Recorder::stopped);
    window->workspace()->stopRecording();
    QVERIFY(stopped.wait(5000));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll().count("\"kind\":\"llm\""), 1);

    MainWindow reader;
    reader.resize(1280, 900);
    reader.show();
    QVERIFY(reader.workspace()->openRecording(path));
    QTRY_COMPARE(reader.workspace()->connections()->model()->rowCount(), 1);
    reader.connectionsPane()->selectConnection(
        reader.workspace()->connections()->model()->entries().first().id);
    reader.detailTabs()->setCurrentWidget(reader.detailTabs()->llmPane());
    LlmPane *opened = reader.detailTabs()->llmPane();
    QTRY_COMPARE(opened->list()->model()->rowCount(), 1);
    QTRY_COMPARE(opened->timingChart()->pointCount(), points);
    QVERIFY(opened->timingChart()->isChartShown());
    QCOMPARE(reader.workspace()->llmModel()->summary(0).timing.points, live.timing.points);
}

void TestLlmPane::badgeFitsItsText_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<int>("pointSize");
    const QString streams[] = {u"anthropic-tools"_s, u"anthropic-error"_s, u"chat-tools-cut"_s};
    for (const QString &name : streams) {
        for (int pointSize : {8, 10, 12, 16})
            QTest::addRow("%s %dpt", qPrintable(name), pointSize) << name << pointSize;
    }
}

// The verdict badge is as wide and as high as its bold text and padding, at any font size.
void TestLlmPane::badgeFitsItsText()
{
    QFETCH(QString, name);
    QFETCH(int, pointSize);
    const QFont before = QApplication::font();
    QFont font = before;
    font.setPointSize(pointSize);
    QApplication::setFont(font);
    const auto restore = qScopeGuard([&before] { QApplication::setFont(before); });
    TestServer server;
    serveWhole(server, "/llm", stream(name));
    const std::unique_ptr<MainWindow> window = openWindow(server, "/llm");
    QVERIFY(window);
    LlmPane *pane = window->detailTabs()->llmPane();
    QTRY_COMPARE(pane->list()->model()->rowCount(), 1);
    QTRY_VERIFY(!window->workspace()->llmModel()->isLive(0));
    QLabel *badge = pane->badge();
    QTRY_VERIFY(!badge->text().isEmpty() && !badge->text().startsWith(u"Streaming"_s));
    // The layout after the last text: on a busy machine the last update of the badge (and so
    // the layout it asks for) can come a tick after the text first changed.
    QTRY_VERIFY2(
        badge->width() >= badge->sizeHint().width(),
        qPrintable(u"%1 px wide, %2 wanted"_s.arg(badge->width()).arg(badge->sizeHint().width())));
    QVERIFY(badge->isVisible());
    QVERIFY(badge->font().bold());
    const QFontMetrics metrics(badge->font());
    const QRect text = badge->contentsRect();
    QVERIFY2(text.width() >= metrics.horizontalAdvance(badge->text()),
             qPrintable(u"%1 px for %2 px of \"%3\""_s.arg(text.width())
                            .arg(metrics.horizontalAdvance(badge->text()))
                            .arg(badge->text())));
    QVERIFY2(text.height() >= metrics.height(),
             qPrintable(u"%1 px high for %2"_s.arg(text.height()).arg(metrics.height())));
    // Padding on both sides, and the whole badge inside the pane.
    QVERIFY(text.left() > 0 && text.right() < badge->width() - 1);
    QVERIFY(badge->width() >= badge->sizeHint().width());
    QVERIFY(pane->rect().contains(QRect(badge->mapTo(pane, QPoint(0, 0)), badge->size())));
}

// A model name of a hundred characters: the heading stays one line, cut, with the whole
// text in its tool tip, and the pane is no wider than the window.
void TestLlmPane::longModelNameKeepsTheHeadingOnOneLine()
{
    const QByteArray longModel = "gpt-4o-mini-2024-07-18-" + QByteArray(100, 'x') + "-preview";
    QByteArray wire = stream(u"chat-text"_s);
    QVERIFY(!wire.isEmpty());
    wire.replace("gpt-4o-mini-2024-07-18", longModel);
    TestServer server;
    serveWhole(server, "/llm", wire);
    const std::unique_ptr<MainWindow> window = openWindow(server, "/llm");
    QVERIFY(window);
    LlmPane *pane = window->detailTabs()->llmPane();
    QTRY_COMPARE(pane->badge()->text(), u"Complete"_s);
    ElidedLabel *heading = pane->heading();
    QVERIFY(heading->fullText().contains(QString::fromLatin1(longModel)));
    QCoreApplication::processEvents();
    QVERIFY(heading->isElided());
    QVERIFY(heading->text().endsWith(u"\u2026"_s));
    QCOMPARE(heading->toolTip(), heading->fullText());
    QVERIFY(!heading->wordWrap());
    // One line: as high as one line of its font, and the text on screen fits its width.
    const QFontMetrics metrics(heading->font());
    QVERIFY2(heading->contentsRect().height() < 2 * metrics.lineSpacing(),
             qPrintable(QString::number(heading->height())));
    QVERIFY(metrics.horizontalAdvance(heading->text()) <= heading->contentsRect().width());
    QVERIFY(pane->width() <= window->width());
    QVERIFY(window->width() == 1280);
    // The badge and the buttons beside it keep their room.
    QVERIFY(pane->badge()->width() >= pane->badge()->sizeHint().width());
    QVERIFY(pane->rawToggle()->isVisible());
    QVERIFY(pane->rawToggle()->width() >= pane->rawToggle()->minimumSizeHint().width());
}

void TestLlmPane::screenshot()
{
    // The README's picture (saved when SSE_MONITOR_SCREENSHOT_DIR is set): thinking, text and
    // two tool calls from Anthropic, the reasoning open, paced so that the chart has a shape.
    TestServer server;
    std::unique_ptr<MainWindow> window;
    openPacedAndWait(server, "/v1/messages", u"anthropic-tools"_s, window);
    if (QTest::currentTestFailed())
        return;
    LlmPane *pane = window->detailTabs()->llmPane();
    auto *timing = pane->findChild<QLabel *>(u"llmTiming"_s);
    QTRY_VERIFY(timing->text().contains(u"duration "_s)
                && !timing->text().contains(u"duration –"_s));
    pane->findChild<QToolButton *>(u"llmReasoningToggle"_s)->click();
    QVERIFY(pane->findChild<QPlainTextEdit *>(u"llmReasoning"_s)->isVisible());
    // One point per event that did not share its millisecond with the one before.
    QVERIFY2(pane->timingChart()->pointCount() > 5,
             qPrintable(QString::number(pane->timingChart()->pointCount())));
    QVERIFY(pane->timingChart()->isChartShown());
    const QPixmap shot = window->grab();
    QVERIFY(!shot.isNull());
    const QString directory = qEnvironmentVariable("SSE_MONITOR_SCREENSHOT_DIR");
    if (!directory.isEmpty())
        QVERIFY(shot.save(directory + u"/screenshot-llm.png"_s));
}

QTEST_MAIN(TestLlmPane)
#include "tst_llmpane.moc"
