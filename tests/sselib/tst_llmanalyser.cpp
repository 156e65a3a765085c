// Sse::Llm::Analyser against the provider streams in tests/data/llm: each stream, parsed
// by Sse::Parser in several chunkings, must give the summary in its .expected.json file.

#include "sselib/llmanalyser.h"
#include "sselib/sseparser.h"

#include "llmjson.h" // sselib/src: the analyser's JSON reader

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

QString dataDir()
{
    return QStringLiteral(LLM_DATA_DIR);
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return QByteArray();
    return file.readAll();
}

// The stream fed to the analyser in chunks of \a chunk bytes (0: whole); events are given
// consecutive times 10 ms apart, headers at 5 ms.
QByteArray analyse(const QByteArray &wire, qsizetype chunk, Sse::Llm::Analyser::End end,
                   Sse::Llm::Summary *summaryOut = nullptr)
{
    Sse::Parser parser;
    Sse::Llm::Analyser analyser;
    analyser.setHeadersReceived(5);
    double now = 5;
    const qsizetype step = chunk > 0 ? chunk : wire.size();
    for (qsizetype offset = 0; offset < wire.size(); offset += step) {
        Sse::EventBatch batch;
        parser.feed(wire.constData() + offset, qMin(step, wire.size() - offset), batch);
        for (const Sse::EventView event : batch) {
            now += 10;
            analyser.addEvent(event.type, event.data, now);
        }
    }
    analyser.finish(now + 10, end);
    const Sse::Llm::Summary summary = analyser.summary();
    if (summaryOut)
        *summaryOut = summary;
    QByteArray record;
    Sse::Llm::appendRecord(record, summary);
    return record;
}

// The record without timing figures (they depend on the run), chunks kept.
QJsonObject comparable(const QByteArray &record)
{
    QJsonObject object = QJsonDocument::fromJson(record).object();
    if (object.value("timing"_L1).isObject()) {
        object.insert("chunks"_L1, object.value("timing"_L1).toObject().value("chunks"_L1));
        object.remove("timing"_L1);
    }
    return object;
}

} // namespace

class TestLlmAnalyser : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init() { QTest::failOnWarning(QRegularExpression(u".*"_s)); }

    void streams_data();
    void streams();
    void detectionStopsEarly();
    void timing();
    void geminiNeedsANormalEnd();
    void recordRoundTrip();
    void timelineKeepsEveryEventOfAShortResponse();
    void timelineIsDecimatedEvenly();
    void timelineRates();
    void recordWithoutTimeline();
    void nonLlmRecord();
    void clipsPastTheBound();
    void jsonReader_data();
    void jsonReader();
    void jsonReaderValues();
};

void TestLlmAnalyser::streams_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<qsizetype>("chunk");
    const QStringList names =
        QDir(dataDir()).entryList({u"*.sse"_s}, QDir::Files, QDir::Name);
    QVERIFY(names.size() >= 20);
    for (const QString &file : names) {
        const QString name = file.chopped(4);
        for (const qsizetype chunk : {qsizetype(0), qsizetype(1), qsizetype(7)})
            QTest::addRow("%s/%lld", qPrintable(name), qlonglong(chunk)) << name << chunk;
    }
}

void TestLlmAnalyser::streams()
{
    QFETCH(QString, name);
    QFETCH(qsizetype, chunk);
    const QByteArray wire = readFile(dataDir() + u'/' + name + u".sse"_s);
    QVERIFY(!wire.isEmpty());
    const QString expectedPath = dataDir() + u'/' + name + u".expected.json"_s;
    if (chunk == 0 && qEnvironmentVariableIsSet("LLM_WRITE_EXPECTED")) {
        // Regenerates the expected files (review every change before committing it).
        QFile out(expectedPath);
        QVERIFY(out.open(QIODevice::WriteOnly | QIODevice::Truncate));
        out.write(QJsonDocument(comparable(analyse(wire, 0, Sse::Llm::Analyser::End::ServerEnded)))
                      .toJson(QJsonDocument::Indented));
    }
    const QByteArray expectedBytes = readFile(expectedPath);
    QVERIFY2(!expectedBytes.isEmpty(), qPrintable(u"no expected file for "_s + name));
    const QJsonObject expected = QJsonDocument::fromJson(expectedBytes).object();
    const QByteArray record = analyse(wire, chunk, Sse::Llm::Analyser::End::ServerEnded);
    QVERIFY(record.endsWith('\n'));
    QCOMPARE(record.count('\n'), 1);
    const QJsonObject actual = comparable(record);
    QVERIFY2(actual == expected,
             QJsonDocument(actual).toJson(QJsonDocument::Compact).constData());
}

void TestLlmAnalyser::detectionStopsEarly()
{
    // A JSON stream that looks like nothing for DetectionEvents events is not looked at
    // again, even when a later event would look like an LLM chunk.
    Sse::Llm::Analyser analyser;
    for (int i = 0; i < Sse::Llm::Analyser::DetectionEvents; ++i)
        analyser.addEvent("message", R"({"n":1})", i);
    analyser.addEvent("message", R"({"object":"chat.completion.chunk","choices":[]})", 9);
    QCOMPARE(analyser.provider(), Sse::Llm::Provider::None);

    Sse::Llm::Analyser late;
    for (int i = 0; i < Sse::Llm::Analyser::DetectionEvents - 1; ++i)
        late.addEvent("message", "not json", i);
    late.addEvent("message", R"({"object":"chat.completion.chunk","choices":[]})", 9);
    QCOMPARE(late.provider(), Sse::Llm::Provider::OpenAiChat);
}

void TestLlmAnalyser::timing()
{
    // chat-paced: the role chunk carries no text; the first text is event 2.
    Sse::Llm::Summary summary;
    analyse(readFile(dataDir() + u"/chat-paced.sse"_s), 0,
            Sse::Llm::Analyser::End::ServerEnded, &summary);
    QCOMPARE(summary.timing.ttfbMs, 5.0);
    QCOMPARE(summary.timing.firstEventMs, 15.0);
    QCOMPARE(summary.timing.ttftMs, 25.0);
    QCOMPARE(summary.timing.chunks, 6);
    QCOMPARE(summary.timing.durationMs, 75.0);
    // 20 output tokens over (75 - 25) ms.
    QCOMPARE(summary.outputTokensPerSecond(), 400.0);

    Sse::Llm::Summary noUsage;
    analyse(readFile(dataDir() + u"/chat-reasoning.sse"_s), 0,
            Sse::Llm::Analyser::End::ServerEnded, &noUsage);
    QVERIFY(!noUsage.usage);
    QVERIFY(!noUsage.outputTokensPerSecond());
    // The reasoning counts as the first token: the first chunk's is empty, the second's not.
    QCOMPARE(noUsage.timing.ttftMs, 25.0);
}

void TestLlmAnalyser::geminiNeedsANormalEnd()
{
    Sse::Llm::Summary cut;
    analyse(readFile(dataDir() + u"/gemini-text.sse"_s), 0, Sse::Llm::Analyser::End::Cut, &cut);
    QCOMPARE(cut.finishReason, u"STOP"_s);
    QVERIFY(!cut.complete);
    Sse::Llm::Summary ended;
    analyse(readFile(dataDir() + u"/gemini-text.sse"_s), 0,
            Sse::Llm::Analyser::End::ServerEnded, &ended);
    QVERIFY(ended.complete);
    // The other providers' verdict is their end marker, however the body ended.
    Sse::Llm::Summary chat;
    analyse(readFile(dataDir() + u"/chat-text.sse"_s), 0, Sse::Llm::Analyser::End::Cut, &chat);
    QVERIFY(chat.complete);
}

void TestLlmAnalyser::recordRoundTrip()
{
    for (const QString &name : {u"chat-tools"_s, u"anthropic-error"_s, u"gemini-candidates"_s,
                                u"responses-incomplete"_s}) {
        Sse::Llm::Summary summary;
        const QByteArray record = analyse(readFile(dataDir() + u'/' + name + u".sse"_s), 0,
                                          Sse::Llm::Analyser::End::ServerEnded, &summary);
        const std::optional<Sse::Llm::Summary> back =
            Sse::Llm::summaryFromRecord(QJsonDocument::fromJson(record).object());
        QVERIFY2(back, qPrintable(name));
        // The CLI's line has no timeline; the recording's form keeps it too.
        QVERIFY(!record.contains("\"timeline\""));
        Sse::Llm::Summary withoutTimeline = summary;
        withoutTimeline.timing.points.clear();
        QCOMPARE(*back, withoutTimeline);
        QByteArray recorded;
        Sse::Llm::appendRecord(recorded, summary, 1767225600000, "c",
                               Sse::Llm::RecordTimeline::Include);
        const std::optional<Sse::Llm::Summary> full =
            Sse::Llm::summaryFromRecord(QJsonDocument::fromJson(recorded).object());
        QVERIFY2(full, recorded.constData());
        QVERIFY(!full->timing.points.isEmpty());
        QCOMPARE(*full, summary);
    }
    QVERIFY(!Sse::Llm::summaryFromRecord(QJsonObject{{u"kind"_s, u"event"_s}}));
}

void TestLlmAnalyser::timelineKeepsEveryEventOfAShortResponse()
{
    // chat-paced: six events 10 ms apart; "[DONE]" adds nothing, the role chunk neither.
    Sse::Llm::Summary summary;
    analyse(readFile(dataDir() + u"/chat-paced.sse"_s), 0,
            Sse::Llm::Analyser::End::ServerEnded, &summary);
    const QList<Sse::Llm::TimingPoint> &points = summary.timing.points;
    QCOMPARE(points.size(), 6);
    qint64 characters = 0;
    for (qsizetype i = 0; i < points.size(); ++i) {
        QCOMPARE(points.at(i).ms, 15.0 + 10.0 * double(i));
        QCOMPARE(points.at(i).events, 1);
        characters += points.at(i).outputCharacters;
    }
    QCOMPARE(points.first().outputCharacters, 0);
    QCOMPARE(characters, summary.text.size() + summary.reasoning.size());
    // Usage came with the last chunk before [DONE]: known from there on only.
    QCOMPARE(points.first().outputTokens, -1);
    QCOMPARE(points.last().outputTokens, 20);
}

void TestLlmAnalyser::timelineIsDecimatedEvenly()
{
    // 10 000 one-character chunks 1 ms apart: the timeline stays within its bound, every
    // point covers the same number of events (the last one possibly fewer), nothing is lost.
    Sse::Llm::Analyser analyser;
    analyser.setHeadersReceived(0);
    const int events = 10000;
    for (int i = 1; i <= events; ++i) {
        analyser.addEvent("message",
                          R"({"object":"chat.completion.chunk","choices":[{"index":0,)"
                          R"("delta":{"content":"x"}}]})",
                          double(i));
    }
    const Sse::Llm::Summary summary = analyser.summary();
    const QList<Sse::Llm::TimingPoint> &points = summary.timing.points;
    QVERIFY(points.size() <= Sse::Llm::Timing::MaximumPoints);
    QVERIFY(points.size() > Sse::Llm::Timing::MaximumPoints / 2);
    const qint32 stride = points.first().events;
    QCOMPARE(stride, 64); // 10 000 events in at most 256 points: doubled six times
    qint64 sumEvents = 0;
    qint64 sumCharacters = 0;
    for (qsizetype i = 0; i < points.size(); ++i) {
        const Sse::Llm::TimingPoint &point = points.at(i);
        if (i + 1 < points.size())
            QCOMPARE(point.events, stride);
        QVERIFY(point.events <= stride);
        sumEvents += point.events;
        sumCharacters += point.outputCharacters;
        QCOMPARE(point.ms, double(sumEvents)); // the interval's last event
    }
    QCOMPARE(sumEvents, events);
    QCOMPARE(sumCharacters, events);
}

void TestLlmAnalyser::timelineRates()
{
    // Chat sends usage once, at the end: the rate is estimated from the text, scaled to it.
    Sse::Llm::Summary chat;
    analyse(readFile(dataDir() + u"/chat-paced.sse"_s), 0,
            Sse::Llm::Analyser::End::ServerEnded, &chat);
    bool estimated = false;
    const QList<Sse::Llm::TimelineRate> rates = Sse::Llm::timelineRates(chat, &estimated);
    QVERIFY(estimated);
    QCOMPARE(rates.size(), 6);
    double tokens = 0;
    for (const Sse::Llm::TimelineRate &rate : rates) {
        QCOMPARE(rate.gapMs, 10.0);
        tokens += rate.tokensPerSecond * 10.0 / 1000.0;
    }
    QVERIFY2(qAbs(tokens - 20.0) < 1e-9, qPrintable(QString::number(tokens)));

    // A stream that counts its output per chunk (Gemini's cumulative usageMetadata).
    Sse::Llm::Analyser gemini;
    gemini.setHeadersReceived(0);
    const int counts[] = {3, 7, 12};
    for (int i = 0; i < 3; ++i) {
        const QByteArray data =
            QByteArray(R"({"candidates":[{"content":{"parts":[{"text":"abc"}]}}],)"
                       R"("usageMetadata":{"candidatesTokenCount":)")
            + QByteArray::number(counts[i]) + "}}";
        gemini.addEvent("message", data, 100.0 * (i + 1));
    }
    const QList<Sse::Llm::TimelineRate> reported =
        Sse::Llm::timelineRates(gemini.summary(), &estimated);
    QVERIFY(!estimated);
    QCOMPARE(reported.size(), 3);
    QCOMPARE(reported.at(0).tokensPerSecond, 30.0);
    QCOMPARE(reported.at(1).tokensPerSecond, 40.0);
    QCOMPARE(reported.at(2).tokensPerSecond, 50.0);
    QCOMPARE(reported.at(2).gapMs, 100.0);

    // An interval shorter than a hundredth of the response joins the next one; the last
    // events, too short for an interval, keep the rate before them.
    Sse::Llm::Summary spans;
    spans.timing.ttfbMs = 0.0;
    spans.timing.points = {{100, 1, 10, -1}, {101, 1, 10, -1}, {200, 1, 10, -1},
                           {300, 1, 10, -1}, {301, 2, 40, -1}};
    const QList<Sse::Llm::TimelineRate> merged = Sse::Llm::timelineRates(spans, &estimated);
    QVERIFY(estimated);
    QCOMPARE(merged.size(), 4);
    QCOMPARE(merged.at(0).gapMs, 100.0);
    QCOMPARE(merged.at(0).tokensPerSecond, 25.0); // 10 characters, 4 a token, in 0.1 s
    QCOMPARE(merged.at(1).ms, 200.0);
    QCOMPARE(merged.at(1).gapMs, 50.0);
    QCOMPARE(merged.at(1).tokensPerSecond, 50.0);
    QCOMPARE(merged.at(2).tokensPerSecond, 25.0);
    QCOMPARE(merged.at(3).ms, 301.0);
    QCOMPARE(merged.at(3).gapMs, 0.5);
    QCOMPARE(merged.at(3).tokensPerSecond, 25.0);
}

void TestLlmAnalyser::recordWithoutTimeline()
{
    // A recording made before timelines were kept reads back with none; a broken one is
    // read up to its first malformed point.
    QByteArray record;
    Sse::Llm::Summary summary;
    analyse(readFile(dataDir() + u"/chat-text.sse"_s), 0, Sse::Llm::Analyser::End::ServerEnded,
            &summary);
    Sse::Llm::appendRecord(record, summary, 1767225600000, "c");
    QVERIFY(!record.contains("timeline"));
    const std::optional<Sse::Llm::Summary> old =
        Sse::Llm::summaryFromRecord(QJsonDocument::fromJson(record).object());
    QVERIFY(old);
    QVERIFY(old->timing.points.isEmpty());
    QCOMPARE(old->text, summary.text);

    QJsonObject broken = QJsonDocument::fromJson(record).object();
    broken.insert(u"timeline"_s,
                  QJsonArray{QJsonArray{15, 1, 0, QJsonValue()}, QJsonArray{u"x"_s, 1, 2, 3},
                             QJsonArray{35, 1, 5, 4}});
    const std::optional<Sse::Llm::Summary> partial = Sse::Llm::summaryFromRecord(broken);
    QVERIFY(partial);
    QCOMPARE(partial->timing.points.size(), 1);
    QCOMPARE(partial->timing.points.first().outputTokens, -1);
}

void TestLlmAnalyser::nonLlmRecord()
{
    const QByteArray record = analyse(readFile(dataDir() + u"/plain-json.sse"_s), 0,
                                      Sse::Llm::Analyser::End::ServerEnded);
    QCOMPARE(record,
             R"({"kind":"llm","provider":null,"model":null,"response_id":null,"text":"",)"
             R"("reasoning":"","choices":[],"tool_calls":[],"finish_reason":null,"usage":null,)"
             R"("complete":null,"error":null,"timing":null})"
             "\n");
}

void TestLlmAnalyser::clipsPastTheBound()
{
    Sse::Parser parser;
    Sse::EventBatch batch;
    parser.feed(readFile(dataDir() + u"/chat-text.sse"_s), batch);
    Sse::Llm::Analyser analyser;
    analyser.setMaximumCharacters(12);
    for (const Sse::EventView event : batch)
        analyser.addEvent(event.type, event.data, 1);
    analyser.finish(2, Sse::Llm::Analyser::End::ServerEnded);
    QVERIFY(analyser.isClipped());
    const Sse::Llm::Summary summary = analyser.summary();
    // "Tides" and " rise" fit in 12 characters, " twice" does not: later pieces are dropped.
    QCOMPARE(summary.text, u"Tides rise"_s);
    QVERIFY(summary.complete);
    QCOMPARE(summary.usage->outputTokens, 12);

    Sse::Llm::Analyser unbounded;
    for (const Sse::EventView event : batch)
        unbounded.addEvent(event.type, event.data, 1);
    QVERIFY(!unbounded.isClipped());
}

void TestLlmAnalyser::jsonReader_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<bool>("valid");
    QTest::newRow("object") << QByteArray(R"( {"a":[1,-2.5e3,true,false,null,{"b":"c"}]} )") << true;
    QTest::newRow("empty containers") << QByteArray(R"({"a":{},"b":[]})") << true;
    QTest::newRow("escapes") << QByteArray("{\"a\":\"\\\"\\\\\\/\\n\\u00e9\"}") << true;
    QTest::newRow("scalar") << QByteArray("42") << true;
    QTest::newRow("unterminated object") << QByteArray(R"({"a":1)") << false;
    QTest::newRow("unterminated string") << QByteArray(R"({"a":"b)") << false;
    QTest::newRow("missing colon") << QByteArray(R"({"a" 1})") << false;
    QTest::newRow("trailing garbage") << QByteArray(R"({"a":1} x)") << false;
    QTest::newRow("bare word") << QByteArray("hello") << false;
    QTest::newRow("control in string") << QByteArray("{\"a\":\"\x01\"}") << false;
    QTest::newRow("two values") << QByteArray("{}{}") << false;
    QTest::newRow("empty") << QByteArray() << false;
    QTest::newRow("too deep") << QByteArray(200, '[') + QByteArray(200, ']') << false;
}

void TestLlmAnalyser::jsonReader()
{
    QFETCH(QByteArray, text);
    QFETCH(bool, valid);
    Sse::Llm::JsonTokens tokens;
    QCOMPARE(tokens.parse(text), valid);
    QCOMPARE(tokens.root().isUndefined(), !valid);
}

void TestLlmAnalyser::jsonReaderValues()
{
    const QByteArray text = "{\"s\":\"caf\\u00e9 \\\"q\\\" \\ud83d\\ude00 ü\",\"n\":-12,"
                            "\"f\":3.0,\"big\":1e3,\"t\":true,\"a\":[ {\"k\" : \"v\"} , 2 ],"
                            "\"e\\u0041\":1}";
    Sse::Llm::JsonTokens tokens;
    QVERIFY(tokens.parse(text));
    const Sse::Llm::JsonRef root = tokens.root();
    QCOMPARE(root.value("s"_L1).toString(), u"café \"q\" 😀 ü"_s);
    QCOMPARE(root.value("n"_L1).toInteger(), -12);
    QCOMPARE(root.value("f"_L1).toInteger(), 3);
    QCOMPARE(root.value("big"_L1).toInteger(), 1000);
    QVERIFY(root.value("t"_L1).toBool());
    QVERIFY(root.value("missing"_L1).isUndefined());
    QCOMPARE(root.value("missing"_L1).toInt(7), 7);
    int elements = 0;
    for (const Sse::Llm::JsonRef element : root.value("a"_L1).toArray()) {
        if (elements++ == 0)
            QCOMPARE(element.value("k"_L1).toString(), u"v"_s);
    }
    QCOMPARE(elements, 2);
    QCOMPARE(root.value("a"_L1).compactJson(), QByteArray(R"([{"k":"v"},2])"));
    QCOMPARE(root.value("s"_L1).compactJson(),
             QByteArray("\"caf\\u00e9 \\\"q\\\" \\ud83d\\ude00 ü\""));
    // Keys are compared as sent: an escaped key is not matched.
    QVERIFY(root.value("eA"_L1).isUndefined());
}

QTEST_GUILESS_MAIN(TestLlmAnalyser)
#include "tst_llmanalyser.moc"
