// LlmResponseModel: one response per HTTP response, rows for recognised LLM streams only,
// verdicts, bounds; checked with QAbstractItemModelTester.

#include "models/llmresponsemodel.h"
#include "recording/logreader.h"
#include "recording/recorder.h"

#include "sselib/sseparser.h"

#include <QAbstractItemModelTester>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using State = Sse::Client::State;

namespace {

Sse::EventList eventsOf(const QString &name, qint64 receivedMs)
{
    QFile file(QStringLiteral(LLM_DATA_DIR) + u'/' + name + u".sse"_s);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    Sse::Parser parser;
    parser.setReceiveTime(receivedMs);
    Sse::EventList events;
    parser.feed(file.readAll(), events);
    return events;
}

} // namespace

class TestLlmResponseModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void responsesFollowTheConnection();
    void nonLlmStreamsGetNoRow();
    void verdicts_data();
    void verdicts();
    void replayWithoutStatesStartsAResponse();
    void oldestResponsesGo();
    void summaryFromARecording();
    void recordedSummariesReplaceRebuiltOnes();
    void recorderWritesAndReaderReadsLlmRecords();
};

void TestLlmResponseModel::responsesFollowTheConnection()
{
    LlmResponseModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy finished(&model, &LlmResponseModel::responseFinished);
    model.setConnection(1);
    model.setState(1, State::Connecting, 1000, false);
    model.setState(1, State::Open, 1012, false);
    QCOMPARE(model.rowCount(), 0); // nothing recognised yet
    model.ingest(1, eventsOf(u"chat-truncated"_s, 1100));
    QCOMPARE(model.rowCount(), 1);
    QVERIFY(model.isLive(0));
    QCOMPARE(model.summary(0).text, u"Once upon a time"_s);
    QCOMPARE(model.summary(0).timing.ttfbMs, 12.0);
    QCOMPARE(model.summary(0).timing.firstEventMs, 100.0);
    QCOMPARE(model.index(0, LlmResponseModel::VerdictColumn).data().toString(),
             u"Streaming: 4 chunks"_s);
    // The server drops the connection: a reconnection is the next response.
    model.setState(1, State::Reconnecting, 1300, false);
    QCOMPARE(finished.size(), 1);
    QVERIFY(!model.isLive(0));
    QCOMPARE(model.index(0, LlmResponseModel::VerdictColumn).data().toString(),
             u"Truncated: no [DONE] after 4 chunks"_s);
    QCOMPARE(model.summary(0).timing.durationMs, 300.0);
    model.setState(1, State::Connecting, 2000, false);
    model.setState(1, State::Open, 2010, false);
    model.ingest(1, eventsOf(u"chat-text"_s, 2050));
    model.setState(1, State::Closed, 2100, true);
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.index(1, LlmResponseModel::VerdictColumn).data().toString(), u"Complete"_s);
    QCOMPARE(model.index(1, LlmResponseModel::TokensColumn).data().toString(), u"21 → 12"_s);
    QCOMPARE(model.lastVerdict(1), u"Complete"_s);
    // Another connection's responses are not rows of this one.
    model.setState(2, State::Open, 2000, false);
    model.ingest(2, eventsOf(u"anthropic-text"_s, 2050));
    QCOMPARE(model.rowCount(), 2);
    model.setConnection(2);
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.index(0, LlmResponseModel::ProviderColumn).data().toString(), u"anthropic"_s);
    model.removeConnection(2);
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.lastVerdict(2), QString());
}

void TestLlmResponseModel::nonLlmStreamsGetNoRow()
{
    LlmResponseModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy finished(&model, &LlmResponseModel::responseFinished);
    model.setConnection(1);
    model.setState(1, State::Open, 1000, false);
    model.ingest(1, eventsOf(u"plain-json"_s, 1010));
    model.setState(1, State::Closed, 1100, true);
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(finished.size(), 0);
    QCOMPARE(model.lastVerdict(1), QString());
}

void TestLlmResponseModel::verdicts_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("endedByServer");
    QTest::addColumn<QString>("verdict");
    QTest::newRow("anthropic error") << u"anthropic-error"_s << true
                                     << u"Error mid-stream: overloaded_error \"Overloaded\""_s;
    QTest::newRow("anthropic cut") << u"anthropic-truncated"_s << true
                                   << u"Truncated: no message_stop after 4 chunks"_s;
    QTest::newRow("responses cut") << u"responses-truncated"_s << true
                                   << u"Truncated: no response.completed after 4 chunks"_s;
    QTest::newRow("gemini ended") << u"gemini-text"_s << true << u"Complete"_s;
    QTest::newRow("gemini cut") << u"gemini-text"_s << false
                                << u"Truncated: no finishReason after 3 chunks"_s;
    QTest::newRow("chat error") << u"chat-error"_s << true
                                << u"Error mid-stream: server_error \"The server had an error "
                                   u"while processing your request.\""_s;
}

void TestLlmResponseModel::verdicts()
{
    QFETCH(QString, name);
    QFETCH(bool, endedByServer);
    QFETCH(QString, verdict);
    LlmResponseModel model;
    model.setConnection(7);
    model.setState(7, State::Connecting, 100, false);
    model.setState(7, State::Open, 110, false);
    model.ingest(7, eventsOf(name, 150));
    model.setState(7, State::Closed, 200, endedByServer);
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.index(0, LlmResponseModel::VerdictColumn).data().toString(), verdict);
}

void TestLlmResponseModel::replayWithoutStatesStartsAResponse()
{
    LlmResponseModel model;
    model.setConnection(3);
    model.ingest(3, eventsOf(u"chat-tools"_s, 5000));
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.summary(0).toolCalls.size(), 2);
    QVERIFY(model.summary(0).complete);
    QCOMPARE(model.startedMs(0), 5000);
}

void TestLlmResponseModel::oldestResponsesGo()
{
    LlmResponseModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setConnection(1);
    const Sse::EventList events = eventsOf(u"chat-text"_s, 0);
    for (int i = 0; i < LlmResponseModel::MaximumResponses + 5; ++i) {
        model.setState(1, State::Connecting, i * 10, false);
        model.setState(1, State::Open, i * 10 + 1, false);
        model.ingest(1, events);
        model.setState(1, State::Reconnecting, i * 10 + 5, true);
    }
    QCOMPARE(model.rowCount(), LlmResponseModel::MaximumResponses);
    QCOMPARE(model.startedMs(0), 50);
}

void TestLlmResponseModel::summaryFromARecording()
{
    LlmResponseModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setConnection(4);
    Sse::Llm::Summary summary;
    summary.provider = Sse::Llm::Provider::Gemini;
    summary.model = u"gemini-2.5-flash"_s;
    summary.complete = true;
    model.addSummary(4, 1234, summary);
    Sse::Llm::Summary none;
    model.addSummary(4, 1300, none); // not an LLM stream: no row
    QCOMPARE(model.rowCount(), 1);
    QVERIFY(!model.isLive(0));
    QCOMPARE(model.index(0, LlmResponseModel::ModelColumn).data().toString(),
             u"gemini-2.5-flash"_s);
    QCOMPARE(model.summary(0), summary);
}

void TestLlmResponseModel::recordedSummariesReplaceRebuiltOnes()
{
    // An opened recording delivers its events, then the llm record that summarises them: the
    // record wins, and the events that follow are not analysed again.
    LlmResponseModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setConnection(5);
    model.ingest(5, eventsOf(u"chat-text"_s, 1000));
    QCOMPARE(model.rowCount(), 1);
    Sse::Llm::Summary recorded = model.summary(0);
    recorded.timing.ttfbMs = 42.0;
    model.addSummary(5, 900, recorded);
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.summary(0).timing.ttfbMs, 42.0);
    QCOMPARE(model.startedMs(0), 900);
    model.ingest(5, eventsOf(u"anthropic-text"_s, 2000));
    QCOMPARE(model.rowCount(), 1);
}

void TestLlmResponseModel::recorderWritesAndReaderReadsLlmRecords()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"llm.jsonl"_s);
    LlmResponseModel model;
    model.setConnection(1);
    model.setState(1, State::Connecting, 1767225600000, false);
    model.setState(1, State::Open, 1767225600020, false);
    model.ingest(1, eventsOf(u"anthropic-tools"_s, 1767225600100));
    Recorder recorder;
    recorder.addConnection(1, u"claude"_s, QUrl(u"https://api.example/v1/messages"_s));
    QSignalSpy stopped(&recorder, &Recorder::stopped);
    QVERIFY(recorder.start(path));
    connect(&model, &LlmResponseModel::responseFinished, &recorder, &Recorder::recordLlm);
    model.setState(1, State::Closed, 1767225600500, true);
    recorder.stop();
    QVERIFY(stopped.wait(10000));

    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray bytes = file.readAll();
    QVERIFY2(bytes.contains(R"({"kind":"llm","time":"2026-01-01T00:00:00.000Z","connection":"claude",)"),
             bytes.constData());
    LogReader reader;
    reader.feed(bytes);
    reader.finish();
    QList<LogReader::LlmRecord> records;
    for (const LogReader::ConnectionBatch &batch : reader.takeBatches()) {
        QCOMPARE(batch.connection, u"claude"_s);
        records += batch.llm;
    }
    QCOMPARE(records.size(), 1);
    QCOMPARE(records.first().timeMs, 1767225600000);
    QCOMPARE(records.first().summary, model.summary(0));
    QCOMPARE(records.first().summary.toolCalls.size(), 2);
    // The timeline is kept with the summary, so an opened recording draws the timing chart.
    QCOMPARE(records.first().summary.timing.points.size(), model.summary(0).timing.chunks);
}

QTEST_GUILESS_MAIN(TestLlmResponseModel)
#include "tst_llmresponsemodel.moc"
