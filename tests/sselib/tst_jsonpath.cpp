// Sse::JsonPath: the one path syntax (parsing, resolving, one pass for several paths) and the
// one rule for writing a step, which the filter language must read back.

#include "sselib/filterexpression.h"
#include "sselib/jsonpath.h"

#include <QTest>

using namespace Qt::StringLiterals;
using Sse::JsonPath;
using Sse::JsonPathSet;

Q_DECLARE_METATYPE(JsonPath::Kind)

class TestJsonPath : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void resolves_data();
    void resolves();
    void rejects_data();
    void rejects();
    void setResolvesInOnePass();
    void writtenKeysReadBack_data();
    void writtenKeysReadBack();
    void writesIndices();
};

namespace {

const QByteArray Document = R"({"usage": {"output_tokens": 512, "ratio": -1.5e3},
    "choices": [{"delta": {"content": "SSE!"}}, 2, 3], "a b": {"c": true}, "n": null,
    "esc\u0041ped": "x\ny", "名前": "München", "q\"": 1, "first": 1, "first": 2,
    "x-request-id": "r-1"})";

} // namespace

void TestJsonPath::resolves_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QString>("path");
    QTest::addColumn<JsonPath::Kind>("kind");
    QTest::addColumn<QByteArray>("token");

    using Kind = JsonPath::Kind;
    QTest::newRow("number") << Document << u"data.usage.output_tokens"_s << Kind::Number
                            << "512"_ba;
    QTest::newRow("no data prefix") << Document << u"usage.ratio"_s << Kind::Number << "-1.5e3"_ba;
    QTest::newRow("element") << Document << u"data.choices[0].delta.content"_s << Kind::String
                             << "SSE!"_ba;
    QTest::newRow("blanks in brackets")
        << Document << u"data.choices[ 1 ]"_s << Kind::Number << "2"_ba;
    QTest::newRow("array") << Document << u"choices[2]"_s << Kind::Number << "3"_ba;
    QTest::newRow("object") << Document << u"data[\"a b\"]"_s << Kind::Object
                            << R"({"c": true})"_ba;
    QTest::newRow("quoted then name")
        << Document << u"data[\"a b\"].c"_s << Kind::Boolean << "true"_ba;
    QTest::newRow("null") << Document << u"n"_s << Kind::Null << "null"_ba;
    QTest::newRow("escaped key") << Document << u"data.escAped"_s << Kind::String << R"(x\ny)"_ba;
    QTest::newRow("dashed names") << Document << u"data.x-request-id"_s << Kind::String
                                  << "r-1"_ba;
    QTest::newRow("dashed first name") << Document << u"x-request-id"_s << Kind::String
                                       << "r-1"_ba;
    QTest::newRow("unicode name") << Document << u"data.名前"_s << Kind::String << "München"_ba;
    QTest::newRow("quote in a name") << Document << uR"(data["q\""])"_s << Kind::Number << "1"_ba;
    QTest::newRow("repeated name: the first") << Document << u"first"_s << Kind::Number << "1"_ba;
    QTest::newRow("missing") << Document << u"data.usage.input_tokens"_s << Kind::Missing
                             << QByteArray();
    QTest::newRow("index past the end")
        << Document << u"choices[7]"_s << Kind::Missing << QByteArray();
    QTest::newRow("index into an object")
        << Document << u"usage[0]"_s << Kind::Missing << QByteArray();
    QTest::newRow("not JSON") << "usage 512"_ba << u"usage"_s << Kind::Missing << QByteArray();
    QTest::newRow("broken before the value")
        << R"({"a" 5})"_ba << u"a"_s << Kind::Missing << QByteArray();
    QTest::newRow("whole data") << " 42 "_ba << u"data"_s << Kind::Number << "42"_ba;
    QTest::newRow("whole data, empty path") << "[1]"_ba << QString() << Kind::Array << "[1]"_ba;
    QTest::newRow("whole data, trailing text")
        << "42 x"_ba << u"data"_s << Kind::Missing << QByteArray();
    QTest::newRow("top-level array") << "[1, [2, 3]]"_ba << u"[1][0]"_s << Kind::Number << "2"_ba;
    QTest::newRow("invalid path") << Document << u"data..usage"_s << Kind::Missing << QByteArray();
}

void TestJsonPath::resolves()
{
    QFETCH(QByteArray, data);
    QFETCH(QString, path);
    QFETCH(JsonPath::Kind, kind);
    QFETCH(QByteArray, token);

    const JsonPath::Value value = JsonPath::parse(path).resolve(data);
    QCOMPARE(value.kind, kind);
    QCOMPARE(value.token.toByteArray(), token);
}

void TestJsonPath::rejects_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("message");

    QTest::newRow("empty step") << u"data..a"_s << u"expected a name after '.'"_s;
    QTest::newRow("bad index") << u"a[x]"_s << u"expected an index or a quoted name after '['"_s;
    QTest::newRow("unclosed") << u"a[1"_s
                              << u"expected ']' after the index, found the end of "
                                 "the text"_s;
    QTest::newRow("unterminated name") << u"a[\"b]"_s << u"unterminated string"_s;
    // A dash goes on a name but does not start one.
    QTest::newRow("dash first") << u"a.-b"_s << u"expected a name after '.'"_s;
    QTest::newRow("blank") << u"a b"_s << u"unexpected ' ' in the path"_s;
}

void TestJsonPath::rejects()
{
    QFETCH(QString, path);
    QFETCH(QString, message);

    const JsonPath parsed = JsonPath::parse(path);
    QVERIFY(!parsed.isValid());
    QCOMPARE(parsed.errorString(), message);
    QCOMPARE(parsed.resolve(R"({"a": [1]})").kind, JsonPath::Kind::Missing);
}

// The paths share their steps and come out of one walk, each in its slot.
void TestJsonPath::setResolvesInOnePass()
{
    JsonPathSet set;
    const int tokens = set.add(JsonPath::parse(u"usage.output_tokens"));
    const int ratio = set.add(JsonPath::parse(u"data.usage.ratio"));
    const int usage = set.add(JsonPath::parse(u"usage"));
    const int content = set.add(JsonPath::parse(u"choices[0].delta.content"));
    const int missing = set.add(JsonPath::parse(u"choices[9]"));
    QCOMPARE(set.add(JsonPath::parse(u"data.usage.output_tokens")), tokens);
    QCOMPARE(set.size(), 5);

    std::vector<JsonPath::Value> values(size_t(set.size()));
    set.resolve(Document, values.data());
    QCOMPARE(values[size_t(tokens)].token, "512");
    QCOMPARE(values[size_t(ratio)].token, "-1.5e3");
    QCOMPARE(values[size_t(usage)].kind, JsonPath::Kind::Object);
    QCOMPARE(values[size_t(usage)].token, R"({"output_tokens": 512, "ratio": -1.5e3})");
    QCOMPARE(values[size_t(content)].token, "SSE!");
    QCOMPARE(values[size_t(missing)].kind, JsonPath::Kind::Missing);
}

void TestJsonPath::writtenKeysReadBack_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("step");

    QTest::newRow("plain") << u"output_tokens"_s << u".output_tokens"_s;
    QTest::newRow("dollar") << u"$ref"_s << u".$ref"_s;
    QTest::newRow("digits first") << u"0abc"_s << u".0abc"_s;
    QTest::newRow("unicode letters") << u"名前"_s << u".名前"_s;
    QTest::newRow("dash") << u"content-type"_s << u".content-type"_s;
    QTest::newRow("dash first") << u"-x"_s << uR"(["-x"])"_s;
    QTest::newRow("blank") << u"a b"_s << uR"(["a b"])"_s;
    QTest::newRow("quote") << u"q\""_s << uR"(["q\""])"_s;
    QTest::newRow("backslash") << u"a\\b"_s << uR"(["a\\b"])"_s;
    QTest::newRow("line break") << u"a\nb"_s << uR"(["a\nb"])"_s;
    QTest::newRow("control") << u"a\u0001"_s << uR"(["a\u0001"])"_s;
    QTest::newRow("empty") << QString() << uR"([""])"_s;
}

// What "Copy Path", "Apply as Column", the diff and completion write, the filter language reads
// back as the same member.
void TestJsonPath::writtenKeysReadBack()
{
    QFETCH(QString, key);
    QFETCH(QString, step);

    QString path = u"data"_s;
    JsonPath::appendKey(path, key);
    QCOMPARE(path, u"data"_s + step);

    const Sse::FilterExpression filter = Sse::FilterExpression::parse(path + u" == 7"_s);
    QVERIFY2(filter.isValid(), qPrintable(filter.errorString()));
    QString json = u"{"_s;
    QString quotedKey;
    // The key as a JSON string, written by hand: the writer under test must not check itself.
    for (QChar c : key) {
        if (c == u'"' || c == u'\\')
            quotedKey += u'\\';
        if (c.unicode() < 0x20)
            quotedKey += QStringLiteral("\\u%1").arg(c.unicode(), 4, 16, QLatin1Char('0'));
        else
            quotedKey += c;
    }
    json += u'"' + quotedKey + u"\": 7}"_s;
    const QByteArray data = json.toUtf8();
    Sse::FilterFields event;
    event.data = data;
    QVERIFY(filter.matches(event));
    QCOMPARE(JsonPath::parse(path).resolve(data).token, "7");
}

void TestJsonPath::writesIndices()
{
    QString path = u"data"_s;
    JsonPath::appendKey(path, u"choices");
    JsonPath::appendIndex(path, 12);
    QCOMPARE(path, u"data.choices[12]"_s);
}

QTEST_GUILESS_MAIN(TestJsonPath)
#include "tst_jsonpath.moc"
