// Unit tests for Sse::Parser and Sse::sanitizeUtf8.
//
// Every expected value below was written by hand from the WHATWG HTML standard,
// section "Server-sent events" ("Parsing an event stream" and "Interpreting an
// event stream") and from the WHATWG Encoding standard's UTF-8 decoder (one
// U+FFFD per maximal ill-formed subpart). Nothing is derived from the parser.

#include "sselib/sseparser.h"

#include <QRegularExpression>
#include <QTest>

#include <climits>
#include <vector>

using namespace Qt::StringLiterals;

// Byte sequences used inside string literals. Keeping them as separate literals
// also stops a following hex digit from being swallowed by the \x escape.
#define BOM "\xEF\xBB\xBF"
#define FFFD "\xEF\xBF\xBD"

namespace Sse {

// Found by argument-dependent lookup, so QCOMPARE prints statuses by name.
char *toString(Parser::Status status)
{
    switch (status) {
    case Parser::Status::Ok:
        return qstrdup("Ok");
    case Parser::Status::EventTooLarge:
        return qstrdup("EventTooLarge");
    }
    return qstrdup("<unknown status>");
}

} // namespace Sse

namespace {

using Status = Sse::Parser::Status;

constexpr qint64 IntMax = INT_MAX;

// Feeds input in chunks of chunkSize bytes (0 means all at once). Each chunk is
// copied into a buffer of exactly its size, so a sanitizer build catches reads
// past the end of a chunk. Returns the first status that was not Ok.
Status feedInChunks(Sse::Parser &parser, const QByteArray &input, int chunkSize,
                    Sse::EventList &events)
{
    const qsizetype step = chunkSize > 0 ? chunkSize : qMax<qsizetype>(input.size(), 1);
    Status result = Status::Ok;
    for (qsizetype pos = 0; pos < input.size(); pos += step) {
        const qsizetype length = qMin(step, input.size() - pos);
        const std::vector<char> chunk(input.constData() + pos, input.constData() + pos + length);
        const Status status = parser.feed(chunk.data(), length, events);
        if (result == Status::Ok)
            result = status;
    }
    return result;
}

// "type|lastEventId|data", the compact form the tables use.
QByteArrayList flatten(const Sse::EventList &events)
{
    QByteArrayList result;
    result.reserve(events.size());
    for (const Sse::Event &event : events)
        result.append(event.type + '|' + event.lastEventId + '|' + event.data);
    return result;
}

// Printable ASCII as is, everything else as \xNN, so failures show exact bytes.
QByteArray escaped(const QByteArray &bytes)
{
    QByteArray result;
    for (const char c : bytes) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte >= 0x20 && byte < 0x7f && byte != '\\')
            result.append(c);
        else
            result.append("\\x" + QByteArray::number(byte, 16).rightJustified(2, '0'));
    }
    return result;
}

QByteArray describe(const QByteArrayList &list)
{
    QByteArray result = "[";
    for (qsizetype i = 0; i < list.size(); ++i) {
        if (i > 0)
            result += ", ";
        result += '"' + escaped(list.at(i)) + '"';
    }
    return result + ']';
}

QByteArray mismatch(const QByteArrayList &actual, const QByteArrayList &expected)
{
    return "events differ\n   Actual:   " + describe(actual)
            + "\n   Expected: " + describe(expected);
}

QByteArray repeated(char c, qsizetype count)
{
    return QByteArray(count, c);
}

} // namespace

// Compares dispatched events with a hand-written list and prints both in full on
// failure (QCOMPARE on lists only reports the sizes).
#define COMPARE_EVENTS(events, expected) \
    do { \
        const QByteArrayList dispatchedList = flatten(events); \
        const QByteArrayList wantedList = (expected); \
        QVERIFY2(dispatchedList == wantedList, \
                 mismatch(dispatchedList, wantedList).constData()); \
    } while (false)

class TestSseParser : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();

    // The WHATWG matrix, each case fed whole, in 1-byte and in 2-byte chunks.
    void parse_data();
    void parse();

    void initialLastEventIdIsUsed();
    void receiveTimeIsStamped();
    void eventCarriesRetryOfItsBlock();

    void resetKeepsLastEventIdAndRetry();
    void resetForgetsUnfinishedId();
    void resetDropsPendingEvent();
    void resetDropsPartialLine();
    void resetReenablesBomStripping();

    void finishDropsPartialLine();
    void finishDropsPendingEvent();

    void hugeLineIsRejected();
    void oversizedEventIsRejected_data();
    void oversizedEventIsRejected();
    void eventJustUnderLimitPasses_data();
    void eventJustUnderLimitPasses();
    void limitAppliesPerEvent();
    void errorPersistsUntilReset();

    void statistics_data();
    void statistics();

    void sanitizeUtf8_data();
    void sanitizeUtf8();

    // The batch the client delivers: same events as the list path, in any chunking.
    void batchMatchesList_data();
    void batchMatchesList();
    void batchCopySurvivesReuse();

private:
    static void addParseCase(const char *name, const QByteArray &input,
                             const QByteArrayList &events, const QByteArray &lastEventId = {},
                             qint64 retryMs = -1);
};

void TestSseParser::init()
{
    // Qt 6.4 has no argument-less form; this pattern matches every warning.
    QTest::failOnWarning(QRegularExpression(QStringLiteral(".*")));
}

void TestSseParser::addParseCase(const char *name, const QByteArray &input,
                                 const QByteArrayList &events, const QByteArray &lastEventId,
                                 qint64 retryMs)
{
    QTest::addRow("%s [whole]", name) << input << 0 << events << lastEventId << retryMs;
    QTest::addRow("%s [1-byte]", name) << input << 1 << events << lastEventId << retryMs;
    QTest::addRow("%s [2-byte]", name) << input << 2 << events << lastEventId << retryMs;
}

void TestSseParser::parse_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<int>("chunkSize");
    QTest::addColumn<QByteArrayList>("expectedEvents"); // "type|lastEventId|data"
    QTest::addColumn<QByteArray>("expectedLastEventId");
    QTest::addColumn<qint64>("expectedRetryMs");

    const QByteArrayList none;

    // Basics
    addParseCase("single event", "data: hello\n\n"_ba, {"message||hello"});
    addParseCase("two events", "data: a\n\ndata: b\n\n"_ba, {"message||a", "message||b"});
    addParseCase("empty input", ""_ba, none);
    addParseCase("blank lines only", "\n\n\n"_ba, none);
    addParseCase("leading blank line", "\ndata: a\n\n"_ba, {"message||a"});

    // Byte order mark: the UTF-8 decoder strips one, at the very start only.
    addParseCase("bom stripped at start", BOM "data: 1\n\n"_ba, {"message||1"});
    addParseCase("bom then blank line", BOM "\ndata: 1\n\n"_ba, {"message||1"});
    addParseCase("bom only", BOM ""_ba, none);
    addParseCase("second bom is part of field name", BOM BOM "data: 1\n\n"_ba, none);
    addParseCase("second bom then valid block", BOM BOM "data: 1\n\ndata: 2\n\n"_ba,
                 {"message||2"});
    addParseCase("bom at start of later line", "data: 1\n\n" BOM "data: 2\n\n"_ba,
                 {"message||1"});
    addParseCase("bom inside value kept", "data: " BOM "x\n\n"_ba, {"message||" BOM "x"});
    // EF BB followed by 'd' is one ill-formed subpart: U+FFFD, then "data".
    addParseCase("partial bom is not stripped", "\xEF\xBB" "data: 1\n\n"_ba, none);

    // Line endings
    addParseCase("crlf", "data: a\r\n\r\n"_ba, {"message||a"});
    addParseCase("lone cr", "data: a\r\r"_ba, {"message||a"});
    addParseCase("crlf multi-line", "data: a\r\ndata: b\r\n\r\n"_ba, {"message||a\nb"});
    addParseCase("cr multi-line", "data: a\rdata: b\r\r"_ba, {"message||a\nb"});
    addParseCase("mixed line ends", "data: a\rdata: b\ndata: c\r\n\n"_ba, {"message||a\nb\nc"});
    addParseCase("cr then crlf", "data: a\r\r\ndata: b\n\n"_ba, {"message||a", "message||b"});
    addParseCase("lf then cr", "data: a\n\rdata: b\r\n\r\n"_ba, {"message||a", "message||b"});
    addParseCase("crlf then cr", "data: a\r\n\rdata: b\r\r"_ba, {"message||a", "message||b"});
    addParseCase("cr as final blank line", "data: a\n\r"_ba, {"message||a"});
    addParseCase("lone cr splits a line", "data: a\rb\n\n"_ba, {"message||a"});
    addParseCase("crlf between events", "data: a\r\n\r\ndata: b\r\n\r\n"_ba,
                 {"message||a", "message||b"});
    addParseCase("blank lines of every kind", "\r\n\r\n\r\r\n\n"_ba, none);

    // Comments
    addParseCase("comment", ": hello\ndata: a\n\n"_ba, {"message||a"});
    addParseCase("comment only block", ": hello\n\n"_ba, none);
    addParseCase("bare colon", ":\n\ndata: a\n\n"_ba, {"message||a"});
    addParseCase("comment between data lines", "data: a\n: note\ndata: b\n\n"_ba,
                 {"message||a\nb"});
    addParseCase("comment that looks like a field", ":data: x\n\n"_ba, none);

    // Splitting a line into field name and value
    addParseCase("no space after colon", "data:x\n\n"_ba, {"message||x"});
    addParseCase("only one space removed", "data:  x\n\n"_ba, {"message|| x"});
    addParseCase("tab after colon kept", "data:\tx\n\n"_ba, {"message||\tx"});
    addParseCase("trailing space kept", "data: x \n\n"_ba, {"message||x "});
    addParseCase("colon inside value", "data: a:b\n\n"_ba, {"message||a:b"});
    addParseCase("value starting with colon", "data::x\n\n"_ba, {"message||:x"});
    addParseCase("data without colon", "data\n\n"_ba, {"message||"});
    addParseCase("data with empty value", "data:\n\n"_ba, {"message||"});
    addParseCase("data with single space", "data: \n\n"_ba, {"message||"});
    addParseCase("two bare data lines", "data\ndata\n\n"_ba, {"message||\n"});
    addParseCase("bare data between lines", "data: a\ndata\ndata: b\n\n"_ba,
                 {"message||a\n\nb"});
    addParseCase("only one trailing lf removed", "data: a\ndata:\n\n"_ba, {"message||a\n"});
    addParseCase("space before colon", "data : x\n\n"_ba, none);
    addParseCase("leading space in name", " data: x\n\n"_ba, none);
    addParseCase("name with suffix", "datax: y\n\n"_ba, none);
    addParseCase("unknown field", "foo: bar\ndata: x\n\n"_ba, {"message||x"});
    addParseCase("unknown field alone", "foo: bar\n\n"_ba, none);
    addParseCase("unknown field between data", "data: a\nfoo: b\ndata: c\n\n"_ba,
                 {"message||a\nc"});
    addParseCase("capitalised Data ignored", "Data: x\n\n"_ba, none);
    addParseCase("upper case DATA ignored", "DATA: x\n\n"_ba, none);
    addParseCase("upper case EVENT ignored", "EVENT: foo\ndata: x\n\n"_ba, {"message||x"});
    addParseCase("upper case ID ignored", "ID: 5\ndata: x\n\n"_ba, {"message||x"});
    addParseCase("capitalised Retry ignored", "Retry: 5\n\n"_ba, none);

    // Data buffer and dispatch
    addParseCase("multi-line data", "data: a\ndata: b\ndata: c\n\n"_ba, {"message||a\nb\nc"});
    addParseCase("event field alone dispatches nothing", "event: a\n\n"_ba, none);
    addParseCase("id field alone dispatches nothing", "id: 5\n\n"_ba, none, "5");
    addParseCase("empty block resets event type", "event: foo\n\ndata: b\n\n"_ba,
                 {"message||b"});

    // Event type
    addParseCase("event type", "event: add\ndata: x\n\n"_ba, {"add||x"});
    addParseCase("event type for one event only", "event: add\ndata: a\n\ndata: b\n\n"_ba,
                 {"add||a", "message||b"});
    addParseCase("empty event value", "event:\ndata: x\n\n"_ba, {"message||x"});
    addParseCase("bare event", "event\ndata: x\n\n"_ba, {"message||x"});
    addParseCase("event cleared by empty value", "event: foo\nevent:\ndata: x\n\n"_ba,
                 {"message||x"});
    addParseCase("last event field wins", "event: a\nevent: b\ndata: x\n\n"_ba, {"b||x"});
    addParseCase("event after data", "data: x\nevent: late\n\n"_ba, {"late||x"});
    addParseCase("event type keeps inner spaces", "event:  sp ace\ndata: x\n\n"_ba,
                 {" sp ace||x"});

    // Last event id
    addParseCase("id", "id: 1\ndata: x\n\n"_ba, {"message|1|x"}, "1");
    addParseCase("id persists", "id: 7\ndata: a\n\ndata: b\n\n"_ba,
                 {"message|7|a", "message|7|b"}, "7");
    addParseCase("id after data in the same block", "data: a\nid: 1\n\n"_ba, {"message|1|a"},
                 "1");
    addParseCase("id after a dispatched event", "data: a\n\nid: 2\n\n"_ba, {"message||a"}, "2");
    addParseCase("id changes", "id: 1\ndata: a\n\nid: 2\ndata: b\n\n"_ba,
                 {"message|1|a", "message|2|b"}, "2");
    addParseCase("id with nul ignored", "id: 1\ndata: a\n\nid: a\0b\ndata: b\n\n"_ba,
                 {"message|1|a", "message|1|b"}, "1");
    addParseCase("id of only nul ignored", "id: \0\ndata: x\n\n"_ba, {"message||x"});
    addParseCase("id with nul after valid id", "id: 1\nid: \0\ndata: x\n\n"_ba,
                 {"message|1|x"}, "1");
    addParseCase("bare id resets", "id: 1\ndata: a\n\nid\ndata: b\n\n"_ba,
                 {"message|1|a", "message||b"}, "");
    addParseCase("empty id resets", "id: 1\ndata: a\n\nid:\ndata: b\n\n"_ba,
                 {"message|1|a", "message||b"}, "");
    addParseCase("id of single space resets", "id: 1\n\nid: \n\n"_ba, none, "");
    addParseCase("id keeps colon", "id: a:b\ndata: x\n\n"_ba, {"message|a:b|x"}, "a:b");
    addParseCase("id keeps second space", "id:  a\ndata: x\n\n"_ba, {"message| a|x"}, " a");
    addParseCase("last id field wins", "id: 1\nid: 2\ndata: x\n\n"_ba, {"message|2|x"}, "2");
    addParseCase("id from empty block applies later", "id: 3\n\ndata: x\n\n"_ba,
                 {"message|3|x"}, "3");

    // Reconnection time: ASCII digits only, applied as soon as the field is seen,
    // clamped to INT_MAX.
    addParseCase("retry", "retry: 1000\n\n"_ba, none, "", 1000);
    addParseCase("retry without space", "retry:1000\n\n"_ba, none, "", 1000);
    addParseCase("retry without blank line", "retry: 1000\n"_ba, none, "", 1000);
    addParseCase("retry with crlf", "retry: 1000\r\n"_ba, none, "", 1000);
    addParseCase("retry zero", "retry: 0\n\n"_ba, none, "", 0);
    addParseCase("retry leading zeros", "retry: 007\n\n"_ba, none, "", 7);
    addParseCase("retry many leading zeros", "retry: 000000000000000000000000001\n\n"_ba, none,
                 "", 1);
    addParseCase("retry with suffix ignored", "retry: 1000x\n\n"_ba, none, "", -1);
    addParseCase("retry negative ignored", "retry: -1\n\n"_ba, none, "", -1);
    addParseCase("retry decimal ignored", "retry: 1.5\n\n"_ba, none, "", -1);
    addParseCase("retry empty ignored", "retry:\n\n"_ba, none, "", -1);
    addParseCase("bare retry ignored", "retry\n\n"_ba, none, "", -1);
    addParseCase("retry second space ignored", "retry:  10\n\n"_ba, none, "", -1);
    addParseCase("retry trailing space ignored", "retry: 10 \n\n"_ba, none, "", -1);
    addParseCase("retry plus sign ignored", "retry: +5\n\n"_ba, none, "", -1);
    addParseCase("retry with nul ignored", "retry: 1\0\n"_ba, none, "", -1);
    addParseCase("retry fullwidth digit ignored", "retry: \xEF\xBC\x91\n\n"_ba, none, "", -1);
    addParseCase("retry int max", "retry: 2147483647\n\n"_ba, none, "", IntMax);
    addParseCase("retry int max plus one", "retry: 2147483648\n\n"_ba, none, "", IntMax);
    addParseCase("retry 2^32", "retry: 4294967296\n\n"_ba, none, "", IntMax);
    addParseCase("retry 2^32 plus one", "retry: 4294967297\n\n"_ba, none, "", IntMax);
    addParseCase("retry 2^63", "retry: 9223372036854775808\n\n"_ba, none, "", IntMax);
    addParseCase("retry 2^64", "retry: 18446744073709551616\n\n"_ba, none, "", IntMax);
    addParseCase("retry 2^64 plus one", "retry: 18446744073709551617\n\n"_ba, none, "", IntMax);
    addParseCase("retry huge", "retry: 99999999999999999999999\n\n"_ba, none, "", IntMax);
    addParseCase("invalid retry keeps previous", "retry: 500\nretry: x\n\n"_ba, none, "", 500);
    addParseCase("later retry wins", "retry: 500\n\nretry: 300\n\n"_ba, none, "", 300);
    addParseCase("retry inside event", "retry: 5\ndata: x\n\n"_ba, {"message||x"}, "", 5);

    // End of stream: an unterminated event or line is discarded.
    addParseCase("unterminated event discarded", "data: x\n"_ba, none);
    addParseCase("final line without line end", "data: x"_ba, none);
    addParseCase("unterminated event after event", "data: a\n\ndata: b\n"_ba, {"message||a"});
    addParseCase("unterminated line after event", "data: a\n\ndata: b"_ba, {"message||a"});
    addParseCase("single cr at end", "data: a\r"_ba, none);
    addParseCase("unterminated event field", "data: a\nevent: x"_ba, none);
    addParseCase("unterminated comment", ": c"_ba, none);
    // The last event id string only changes when a blank line dispatches.
    addParseCase("unterminated id not applied", "data: a\n\nid: 9\n"_ba, {"message||a"}, "");
    addParseCase("unterminated id keeps previous", "id: 1\n\nid: 2\n"_ba, none, "1");

    // NUL bytes
    addParseCase("nul in data", "data: a\0b\n\n"_ba, {"message||a\0b"_ba});
    addParseCase("nul only data", "data: \0\n\n"_ba, {"message||\0"_ba});
    addParseCase("nul in event type", "event: a\0b\ndata: x\n\n"_ba, {"a\0b||x"_ba});
    addParseCase("nul in field name", "da\0ta: x\n\n"_ba, none);
    addParseCase("nul in comment", ":\0\ndata: x\n\n"_ba, {"message||x"});

    // UTF-8: valid text untouched, one U+FFFD per maximal ill-formed subpart.
    addParseCase("valid multi-byte", "data: \xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\n\n"_ba,
                 {"message||\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"});
    addParseCase("euro sign", "data: \xE2\x82\xAC\n\n"_ba, {"message||\xE2\x82\xAC"});
    addParseCase("boundary code points",
                 "data: \xC2\x80\xED\x9F\xBF\xEE\x80\x80\xEF\xBF\xBF\xF4\x8F\xBF\xBF\n\n"_ba,
                 {"message||\xC2\x80\xED\x9F\xBF\xEE\x80\x80\xEF\xBF\xBF\xF4\x8F\xBF\xBF"});
    addParseCase("truncated before lf", "data: \xE2\x82\n\n"_ba, {"message||" FFFD});
    addParseCase("truncated 4-byte before lf", "data: \xF0\x9F\x98\n\n"_ba, {"message||" FFFD});
    addParseCase("truncated before cr", "data: \xE2\x82\r\r"_ba, {"message||" FFFD});
    addParseCase("truncated before crlf", "data: \xC3\r\n\r\n"_ba, {"message||" FFFD});
    addParseCase("truncated keeps line end", "data: \xF0\x9F\n\ndata: b\n\n"_ba,
                 {"message||" FFFD, "message||b"});
    addParseCase("truncated then ascii", "data: \xE2\x82" "A\n\n"_ba, {"message||" FFFD "A"});
    addParseCase("truncated then complete", "data: \xE2\x82\xE2\x82\xAC\n\n"_ba,
                 {"message||" FFFD "\xE2\x82\xAC"});
    addParseCase("lone continuation byte", "data: \x80\n\n"_ba, {"message||" FFFD});
    addParseCase("two continuation bytes", "data: a\x80\xBF" "b\n\n"_ba,
                 {"message||a" FFFD FFFD "b"});
    addParseCase("overlong C0", "data: \xC0\xAF\n\n"_ba, {"message||" FFFD FFFD});
    addParseCase("overlong C1", "data: \xC1\xBF\n\n"_ba, {"message||" FFFD FFFD});
    addParseCase("overlong 3-byte", "data: \xE0\x80\xAF\n\n"_ba, {"message||" FFFD FFFD FFFD});
    addParseCase("overlong 4-byte prefix", "data: \xF0\x80\x80\n\n"_ba,
                 {"message||" FFFD FFFD FFFD});
    addParseCase("overlong 4-byte", "data: \xF0\x8F\xBF\xBF\n\n"_ba,
                 {"message||" FFFD FFFD FFFD FFFD});
    addParseCase("high surrogate", "data: \xED\xA0\x80\n\n"_ba, {"message||" FFFD FFFD FFFD});
    addParseCase("low surrogate", "data: \xED\xBF\xBF\n\n"_ba, {"message||" FFFD FFFD FFFD});
    addParseCase("above U+10FFFF", "data: \xF4\x90\x80\x80\n\n"_ba,
                 {"message||" FFFD FFFD FFFD FFFD});
    addParseCase("byte F5", "data: \xF5\n\n"_ba, {"message||" FFFD});
    addParseCase("byte F5 with continuations", "data: \xF5\x80\x80\x80\n\n"_ba,
                 {"message||" FFFD FFFD FFFD FFFD});
    addParseCase("byte FF", "data: a\xFF" "b\n\n"_ba, {"message||a" FFFD "b"});
    addParseCase("bytes FE FF", "data: \xFE\xFF\n\n"_ba, {"message||" FFFD FFFD});
    addParseCase("five-byte form", "data: \xF8\x88\x80\x80\x80\n\n"_ba,
                 {"message||" FFFD FFFD FFFD FFFD FFFD});
    addParseCase("invalid in id", "id: \xFF\ndata: x\n\n"_ba, {"message|" FFFD "|x"}, FFFD);
    addParseCase("invalid in event type", "event: \xC3\ndata: x\n\n"_ba, {FFFD "||x"});
    addParseCase("invalid in field name", "\xFF" "data: x\n\n"_ba, none);
    addParseCase("invalid in retry", "retry: 1\xFF\n"_ba, none, "", -1);
    addParseCase("invalid in comment", ":\xFF\ndata: x\n\n"_ba, {"message||x"});
}

void TestSseParser::parse()
{
    QFETCH(QByteArray, input);
    QFETCH(int, chunkSize);
    QFETCH(QByteArrayList, expectedEvents);
    QFETCH(QByteArray, expectedLastEventId);
    QFETCH(qint64, expectedRetryMs);

    Sse::Parser parser;
    Sse::EventList events;
    QCOMPARE(feedInChunks(parser, input, chunkSize, events), Status::Ok);
    parser.finish();

    COMPARE_EVENTS(events, expectedEvents);
    QCOMPARE(parser.lastEventId(), expectedLastEventId);
    QCOMPARE(parser.retryMs(), expectedRetryMs);
}

void TestSseParser::initialLastEventIdIsUsed()
{
    // A reconnecting client seeds the parser with the id it already had.
    Sse::Parser parser;
    parser.setLastEventId("42");
    Sse::EventList events;
    QCOMPARE(parser.feed("data: x\n\n"_ba, events), Status::Ok);

    COMPARE_EVENTS(events, QByteArrayList({"message|42|x"}));
    QCOMPARE(parser.lastEventId(), "42"_ba);
}

void TestSseParser::receiveTimeIsStamped()
{
    Sse::Parser parser;
    Sse::EventList events;
    parser.setReceiveTime(1000);
    QCOMPARE(parser.feed("data: a\n\ndata: b\n"_ba, events), Status::Ok);
    parser.setReceiveTime(2000);
    QCOMPARE(parser.feed("\n"_ba, events), Status::Ok);

    QCOMPARE(events.size(), 2);
    QCOMPARE(events.at(0).receivedMs, 1000);
    QCOMPARE(events.at(1).receivedMs, 2000); // completed by the second read
}

void TestSseParser::eventCarriesRetryOfItsBlock()
{
    Sse::Parser parser;
    Sse::EventList events;
    QCOMPARE(parser.feed("retry: 5\ndata: a\n\ndata: b\n\n"_ba, events), Status::Ok);

    QCOMPARE(events.size(), 2);
    QCOMPARE(events.at(0).retryMs, 5);
    QCOMPARE(events.at(1).retryMs, -1);
    QCOMPARE(parser.retryMs(), 5);
}

void TestSseParser::resetKeepsLastEventIdAndRetry()
{
    Sse::Parser parser;
    Sse::EventList events;
    QCOMPARE(parser.feed("id: 1\nretry: 3000\ndata: x\n\n"_ba, events), Status::Ok);
    parser.reset();
    QCOMPARE(parser.lastEventId(), "1"_ba);
    QCOMPARE(parser.retryMs(), 3000);

    events.clear();
    QCOMPARE(parser.feed("data: y\n\n"_ba, events), Status::Ok);
    COMPARE_EVENTS(events, QByteArrayList({"message|1|y"}));
}

void TestSseParser::resetForgetsUnfinishedId()
{
    Sse::Parser parser;
    Sse::EventList events;
    QCOMPARE(parser.feed("id: 1\n\nid: 2\n"_ba, events), Status::Ok);
    parser.reset();

    // The id of the block that never completed is not used by the new body.
    QCOMPARE(parser.feed("data: x\n\n"_ba, events), Status::Ok);
    COMPARE_EVENTS(events, QByteArrayList({"message|1|x"}));
    QCOMPARE(parser.lastEventId(), "1"_ba);
}

void TestSseParser::resetDropsPendingEvent()
{
    Sse::Parser parser;
    Sse::EventList events;
    QCOMPARE(parser.feed("event: old\ndata: partial\n"_ba, events), Status::Ok);
    QVERIFY(events.isEmpty());
    parser.reset();
    QCOMPARE(parser.bufferedBytes(), 0);

    QCOMPARE(parser.feed("data: y\n\n"_ba, events), Status::Ok);
    // Neither the old data nor the old event type survive the reset.
    COMPARE_EVENTS(events, QByteArrayList({"message||y"}));
}

void TestSseParser::resetDropsPartialLine()
{
    Sse::Parser parser;
    Sse::EventList events;
    QCOMPARE(parser.feed("da"_ba, events), Status::Ok);
    parser.reset();
    QCOMPARE(parser.bufferedBytes(), 0);

    // Had "da" survived, this would complete "data: y" and dispatch it.
    QCOMPARE(parser.feed("ta: y\n\n"_ba, events), Status::Ok);
    QVERIFY2(events.isEmpty(), describe(flatten(events)).constData());
}

void TestSseParser::resetReenablesBomStripping()
{
    Sse::Parser parser;
    Sse::EventList events;
    QCOMPARE(parser.feed(BOM "data: a\n\n"_ba, events), Status::Ok);
    parser.reset();
    QCOMPARE(parser.feed(BOM "data: b\n\n"_ba, events), Status::Ok);

    COMPARE_EVENTS(events, QByteArrayList({"message||a", "message||b"}));
}

void TestSseParser::finishDropsPartialLine()
{
    Sse::Parser parser;
    Sse::EventList events;
    QCOMPARE(parser.feed("data: a\n\ndata: b"_ba, events), Status::Ok);
    parser.finish();
    QCOMPARE(parser.bufferedBytes(), 0);

    QCOMPARE(parser.feed("\n\n"_ba, events), Status::Ok);
    COMPARE_EVENTS(events, QByteArrayList({"message||a"}));
}

void TestSseParser::finishDropsPendingEvent()
{
    Sse::Parser parser;
    Sse::EventList events;
    QCOMPARE(parser.feed("data: b\n"_ba, events), Status::Ok);
    parser.finish();
    QCOMPARE(parser.bufferedBytes(), 0);

    QCOMPARE(parser.feed("\n"_ba, events), Status::Ok);
    QVERIFY2(events.isEmpty(), describe(flatten(events)).constData());
}

void TestSseParser::hugeLineIsRejected()
{
    constexpr qsizetype limit = 1024;
    constexpr qsizetype chunkSize = 64 * 1024;
    constexpr int chunkCount = 160; // 10 MiB in total, never a newline

    Sse::Parser parser;
    parser.setMaximumEventSize(limit);
    Sse::EventList events;

    const QByteArray first = "data: " + repeated('x', chunkSize - 6);
    const QByteArray chunk = repeated('x', chunkSize);
    int firstFailure = -1;
    for (int i = 0; i < chunkCount; ++i) {
        const Status status = parser.feed(i == 0 ? first : chunk, events);
        if (status == Status::EventTooLarge && firstFailure < 0)
            firstFailure = i;
        if (firstFailure >= 0)
            QCOMPARE(status, Status::EventTooLarge); // stays failed
        QVERIFY2(parser.bufferedBytes() <= limit + chunkSize,
                 QByteArray("buffered " + QByteArray::number(parser.bufferedBytes())
                            + " bytes after chunk " + QByteArray::number(i)).constData());
    }

    // The first chunk alone is 64 times the limit, so it must be refused at once
    // or, at the latest, on the next call.
    QVERIFY2(firstFailure == 0 || firstFailure == 1,
             QByteArray("first failure at chunk " + QByteArray::number(firstFailure)).constData());
    QVERIFY(events.isEmpty());
}

void TestSseParser::oversizedEventIsRejected_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<int>("chunkSize");

    // 100 lines, each adding 21 bytes to the data buffer: 2100 in total.
    QByteArray manyLines;
    for (int i = 0; i < 100; ++i)
        manyLines += "data: " + repeated('y', 20) + '\n';
    manyLines += '\n';
    // One line whose value alone is over the limit.
    const QByteArray longLine = "data: " + repeated('z', 1100) + "\n\n";

    QTest::newRow("many lines [whole]") << manyLines << 0;
    QTest::newRow("many lines [1-byte]") << manyLines << 1;
    QTest::newRow("many lines [2-byte]") << manyLines << 2;
    QTest::newRow("many lines [100-byte]") << manyLines << 100;
    QTest::newRow("long line [whole]") << longLine << 0;
    QTest::newRow("long line [1-byte]") << longLine << 1;
    QTest::newRow("long line [2-byte]") << longLine << 2;
}

void TestSseParser::oversizedEventIsRejected()
{
    QFETCH(QByteArray, input);
    QFETCH(int, chunkSize);

    Sse::Parser parser;
    parser.setMaximumEventSize(1024);
    Sse::EventList events;
    QCOMPARE(feedInChunks(parser, input, chunkSize, events), Status::EventTooLarge);
    QVERIFY2(events.isEmpty(), describe(flatten(events)).constData());
}

void TestSseParser::eventJustUnderLimitPasses_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<int>("chunkSize");
    QTest::addColumn<QByteArray>("expectedData");

    // Line of 1006 bytes, data buffer of 1001 bytes: both under 1024.
    const QByteArray value = repeated('x', 1000);
    const QByteArray oneLine = "data: " + value + "\n\n";
    // Four lines of 256 bytes; the data buffer peaks at 4 * 251 = 1004 bytes.
    const QByteArray part = repeated('y', 250);
    const QByteArray fourLines = "data: " + part + "\ndata: " + part + "\ndata: " + part
            + "\ndata: " + part + "\n\n";
    const QByteArray fourLinesData = part + '\n' + part + '\n' + part + '\n' + part;

    QTest::newRow("one line [whole]") << oneLine << 0 << value;
    QTest::newRow("one line [1-byte]") << oneLine << 1 << value;
    QTest::newRow("one line [2-byte]") << oneLine << 2 << value;
    QTest::newRow("four lines [whole]") << fourLines << 0 << fourLinesData;
    QTest::newRow("four lines [1-byte]") << fourLines << 1 << fourLinesData;
    QTest::newRow("four lines [2-byte]") << fourLines << 2 << fourLinesData;
}

void TestSseParser::eventJustUnderLimitPasses()
{
    QFETCH(QByteArray, input);
    QFETCH(int, chunkSize);
    QFETCH(QByteArray, expectedData);

    Sse::Parser parser;
    parser.setMaximumEventSize(1024);
    Sse::EventList events;
    QCOMPARE(feedInChunks(parser, input, chunkSize, events), Status::Ok);

    QCOMPARE(events.size(), 1);
    QCOMPARE(events.at(0).data, expectedData);
}

void TestSseParser::limitAppliesPerEvent()
{
    // 50 events of 500 bytes: 25 000 bytes in all, but each event is small.
    QByteArray input;
    for (int i = 0; i < 50; ++i)
        input += "data: " + repeated('e', 500) + "\n\n";

    Sse::Parser parser;
    parser.setMaximumEventSize(1024);
    Sse::EventList events;
    QCOMPARE(feedInChunks(parser, input, 0, events), Status::Ok);
    QCOMPARE(events.size(), 50);

    Sse::Parser chunkedParser;
    chunkedParser.setMaximumEventSize(1024);
    Sse::EventList chunkedEvents;
    QCOMPARE(feedInChunks(chunkedParser, input, 1, chunkedEvents), Status::Ok);
    QCOMPARE(chunkedEvents.size(), 50);
}

void TestSseParser::errorPersistsUntilReset()
{
    Sse::Parser parser;
    parser.setMaximumEventSize(16);
    Sse::EventList events;
    QCOMPARE(parser.feed("data: " + repeated('x', 100) + '\n', events), Status::EventTooLarge);

    // Still failed: even a small, complete event is refused.
    QCOMPARE(parser.feed("\ndata: ok\n\n"_ba, events), Status::EventTooLarge);
    QVERIFY(events.isEmpty());

    parser.reset();
    QCOMPARE(parser.feed("data: ok\n\n"_ba, events), Status::Ok);
    COMPARE_EVENTS(events, QByteArrayList({"message||ok"}));
}

void TestSseParser::statistics_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<int>("chunkSize");
    QTest::addColumn<QByteArrayList>("expectedEvents");
    QTest::addColumn<qint64>("comments");
    QTest::addColumn<qint64>("crlfLineEnds");
    QTest::addColumn<qint64>("lfLineEnds");
    QTest::addColumn<qint64>("crLineEnds");
    QTest::addColumn<qint64>("lines");
    QTest::addColumn<qint64>("ignoredFields");
    QTest::addColumn<qint64>("invalidUtf8");
    QTest::addColumn<qint64>("emptyDispatches");
    QTest::addColumn<bool>("bomSeen");

    const QByteArray mixed = BOM ": comment\r\n"     // comment, CRLF
            "data: a\xFF\n"                          // 1 replacement, LF
            "foo: bar\r"                             // unknown field, CR
            "retry: x\n"                             // bad retry, LF
            "id: a\0b\n"                             // id with NUL, LF
            "Data: y\n"                              // unknown field, LF
            "\n"                                     // dispatch, LF
            ":c2\r\n"                                // comment, CRLF
            "\r\n"                                   // empty dispatch, CRLF
            "data: \xF0\x80\x80\r"                   // 3 replacements, CR
            "\r"_ba;                                 // dispatch, CR
    const QByteArrayList mixedEvents = {"message||a" FFFD, "message||" FFFD FFFD FFFD};
    for (int chunkSize : {0, 1, 2}) {
        QTest::addRow("mixed [%d-byte]", chunkSize)
                << mixed << chunkSize << mixedEvents << qint64(2) << qint64(3) << qint64(5)
                << qint64(3) << qint64(11) << qint64(4) << qint64(4) << qint64(1) << true;
    }

    QTest::newRow("no bom") << "data: x\n\n\n"_ba << 1 << QByteArrayList({"message||x"})
                            << qint64(0) << qint64(0) << qint64(3) << qint64(0) << qint64(3)
                            << qint64(0) << qint64(0) << qint64(1) << false;
    QTest::newRow("double bom") << BOM BOM "data: 1\n\n"_ba << 1 << QByteArrayList()
                                << qint64(0) << qint64(0) << qint64(2) << qint64(0) << qint64(2)
                                << qint64(1) << qint64(0) << qint64(1) << true;
}

void TestSseParser::statistics()
{
    QFETCH(QByteArray, input);
    QFETCH(int, chunkSize);
    QFETCH(QByteArrayList, expectedEvents);
    QFETCH(qint64, comments);
    QFETCH(qint64, crlfLineEnds);
    QFETCH(qint64, lfLineEnds);
    QFETCH(qint64, crLineEnds);
    QFETCH(qint64, lines);
    QFETCH(qint64, ignoredFields);
    QFETCH(qint64, invalidUtf8);
    QFETCH(qint64, emptyDispatches);
    QFETCH(bool, bomSeen);

    Sse::Parser parser;
    Sse::EventList events;
    QCOMPARE(feedInChunks(parser, input, chunkSize, events), Status::Ok);
    COMPARE_EVENTS(events, expectedEvents);

    const Sse::Parser::Statistics &stats = parser.statistics();
    QCOMPARE(stats.bytes, qint64(input.size()));
    QCOMPARE(stats.comments, comments);
    QCOMPARE(stats.crlfLineEnds, crlfLineEnds);
    QCOMPARE(stats.lfLineEnds, lfLineEnds);
    QCOMPARE(stats.crLineEnds, crLineEnds);
    QCOMPARE(stats.lines, lines);
    QCOMPARE(stats.ignoredFields, ignoredFields);
    QCOMPARE(stats.invalidUtf8, invalidUtf8);
    QCOMPARE(stats.emptyDispatches, emptyDispatches);
    QCOMPARE(stats.bomSeen, bomSeen);
}

void TestSseParser::sanitizeUtf8_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QByteArray>("expected");
    QTest::addColumn<int>("replacements");

    // Valid input comes back unchanged.
    QTest::newRow("empty") << ""_ba << ""_ba << 0;
    QTest::newRow("ascii") << "hello"_ba << "hello"_ba << 0;
    QTest::newRow("nul") << "a\0b"_ba << "a\0b"_ba << 0;
    QTest::newRow("multi-byte") << "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"_ba
                                << "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"_ba << 0;
    QTest::newRow("bom kept") << BOM "x"_ba << BOM "x"_ba << 0;
    QTest::newRow("boundaries") << "\xC2\x80\xDF\xBF\xE0\xA0\x80\xED\x9F\xBF\xEE\x80\x80"_ba
                                << "\xC2\x80\xDF\xBF\xE0\xA0\x80\xED\x9F\xBF\xEE\x80\x80"_ba
                                << 0;
    QTest::newRow("max code points") << "\xEF\xBF\xBE\xEF\xBF\xBF\xF0\x90\x80\x80\xF4\x8F\xBF\xBF"_ba
                                     << "\xEF\xBF\xBE\xEF\xBF\xBF\xF0\x90\x80\x80\xF4\x8F\xBF\xBF"_ba
                                     << 0;
    QTest::newRow("replacement char kept") << FFFD ""_ba << FFFD ""_ba << 0;

    // Ill-formed input: one U+FFFD per maximal ill-formed subpart.
    QTest::newRow("byte FF") << "\xFF"_ba << FFFD ""_ba << 1;
    QTest::newRow("byte F5") << "\xF5"_ba << FFFD ""_ba << 1;
    QTest::newRow("lone continuation") << "\x80"_ba << FFFD ""_ba << 1;
    QTest::newRow("F5 then continuation") << "\xF5\x80"_ba << FFFD FFFD ""_ba << 2;
    QTest::newRow("truncated at end") << "\xE2\x82"_ba << FFFD ""_ba << 1;
    QTest::newRow("truncated 2-byte at end") << "a\xC3"_ba << "a" FFFD ""_ba << 1;
    QTest::newRow("truncated E0 A0 at end") << "\xE0\xA0"_ba << FFFD ""_ba << 1;
    QTest::newRow("truncated 4-byte at end") << "\xF0\x9F\x98"_ba << FFFD ""_ba << 1;
    QTest::newRow("truncated then ascii") << "\xE2\x82" "A"_ba << FFFD "A"_ba << 1;
    QTest::newRow("truncated 4-byte then ascii") << "\xF0\x9F\x98" "A"_ba << FFFD "A"_ba << 1;
    QTest::newRow("truncated then complete") << "\xE2\x82\xE2\x82\xAC"_ba
                                             << FFFD "\xE2\x82\xAC"_ba << 1;
    QTest::newRow("C2 then C2 80") << "\xC2\xC2\x80"_ba << FFFD "\xC2\x80"_ba << 1;
    QTest::newRow("overlong C0 AF") << "\xC0\xAF"_ba << FFFD FFFD ""_ba << 2;
    QTest::newRow("overlong C1 81") << "\xC1\x81"_ba << FFFD FFFD ""_ba << 2;
    QTest::newRow("overlong E0 80 AF") << "\xE0\x80\xAF"_ba << FFFD FFFD FFFD ""_ba << 3;
    QTest::newRow("overlong E0 9F 80") << "\xE0\x9F\x80"_ba << FFFD FFFD FFFD ""_ba << 3;
    QTest::newRow("overlong F0 80 80") << "\xF0\x80\x80"_ba << FFFD FFFD FFFD ""_ba << 3;
    QTest::newRow("overlong F0 8F BF BF") << "\xF0\x8F\xBF\xBF"_ba
                                          << FFFD FFFD FFFD FFFD ""_ba << 4;
    QTest::newRow("surrogate ED A0 80") << "\xED\xA0\x80"_ba << FFFD FFFD FFFD ""_ba << 3;
    QTest::newRow("surrogate ED BF BF") << "\xED\xBF\xBF"_ba << FFFD FFFD FFFD ""_ba << 3;
    QTest::newRow("above U+10FFFF") << "\xF4\x90\x80\x80"_ba << FFFD FFFD FFFD FFFD ""_ba << 4;
    QTest::newRow("five-byte form") << "\xF8\x88\x80\x80\x80"_ba
                                    << FFFD FFFD FFFD FFFD FFFD ""_ba << 5;
    QTest::newRow("six-byte form") << "\xFC\x84\x80\x80\x80\x80"_ba
                                   << FFFD FFFD FFFD FFFD FFFD FFFD ""_ba << 6;
    QTest::newRow("mixed") << "x\xF0\x9F\x98\x80y\xE2z\xFF"_ba
                           << "x\xF0\x9F\x98\x80y" FFFD "z" FFFD ""_ba << 2;
    QTest::newRow("invalid between ascii") << "a\xFF" "b\xFE" "c"_ba << "a" FFFD "b" FFFD "c"_ba
                                           << 2;
}

void TestSseParser::sanitizeUtf8()
{
    QFETCH(QByteArray, input);
    QFETCH(QByteArray, expected);
    QFETCH(int, replacements);

    QByteArray bytes = input;
    QCOMPARE(Sse::sanitizeUtf8(bytes), replacements);
    QCOMPARE(bytes, expected);
}

void TestSseParser::batchMatchesList_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<int>("chunk");

    const QByteArray large(100 * 1024, 'L'); // above EventBatch::LargeDataBytes
    const QByteArray mixed = "retry: 50\nid: 1\nevent: tick\ndata: a\n\n"
                             "data: b\ndata: c\n\n"
                             "id\nevent: other\ndata:\n\n"
                             "id: 2\ndata: " + large + "\n\n"
                             "event: tick\ndata: " + large + "\ndata: tail\n\n"
                             ": comment\r\ndata: \xff\xfe bad\r\n\r\n"
                             "data: unterminated";
    for (int chunk : {1, 3, 7, 4096, int(mixed.size())}) {
        QTest::addRow("mixed/%d", chunk) << mixed << chunk;
    }
    QByteArray many;
    for (int i = 0; i < 5000; ++i)
        many += "id: " + QByteArray::number(i / 3) + "\ndata: {\"seq\":" + QByteArray::number(i)
            + "}\n\n";
    QTest::addRow("many/5") << many << 5;
    QTest::addRow("many/65536") << many << 65536;
}

void TestSseParser::batchMatchesList()
{
    QFETCH(QByteArray, input);
    QFETCH(int, chunk);

    Sse::Parser listParser;
    Sse::EventList expected;
    listParser.feed(input, expected);

    Sse::Parser batchParser;
    Sse::EventBatch batch;
    for (qsizetype offset = 0; offset < input.size(); offset += chunk)
        batchParser.feed(input.constData() + offset, qMin<qsizetype>(chunk, input.size() - offset),
                         batch);

    QCOMPARE(batch.size(), expected.size());
    qsizetype dataBytes = 0;
    for (qsizetype i = 0; i < batch.size(); ++i) {
        const Sse::EventView view = batch.at(i);
        const Sse::Event &want = expected.at(i);
        QCOMPARE(view.type.toByteArray(), want.type);
        QCOMPARE(view.data.toByteArray(), want.data);
        QCOMPARE(view.lastEventId.toByteArray(), want.lastEventId);
        QCOMPARE(view.retryMs, want.retryMs);
        QCOMPARE(batch.types().at(batch.typeIndex(i)), want.type);
        dataBytes += want.data.size();
    }
    QCOMPARE(batch.dataBytes(), dataBytes);
    COMPARE_EVENTS(batch.toList(), flatten(expected));
    QCOMPARE(batchParser.lastEventId(), listParser.lastEventId());
}

void TestSseParser::batchCopySurvivesReuse()
{
    // A queued signal keeps a copy while the client clears and refills its batch.
    Sse::Parser parser;
    Sse::EventBatch batch;
    const QByteArray large(70 * 1024, 'x');
    parser.feed("event: a\ndata: first\n\ndata: " + large + "\n\n", batch);
    const Sse::EventBatch copy = batch;
    batch.clear();
    QVERIFY(batch.isEmpty());
    parser.feed("event: b\ndata: second, and longer than the first\n\n", batch);

    QCOMPARE(copy.size(), 2);
    QCOMPARE(copy.at(0).type, "a");
    QCOMPARE(copy.at(0).data, "first");
    QCOMPARE(copy.at(1).data.size(), large.size());
    QCOMPARE(batch.size(), 1);
    QCOMPARE(batch.at(0).type, "b");
    QCOMPARE(batch.at(0).data, "second, and longer than the first");
    // Large data is shared with the materialised event, not copied.
    QCOMPARE(copy.event(1).data.constData(), copy.at(1).data.data());
}

QTEST_GUILESS_MAIN(TestSseParser)

#include "tst_sseparser.moc"
