#include "charts/jsonnumbers.h"

#include <QList>
#include <QRegularExpression>
#include <QTest>

#include <cmath>

namespace {

struct Found
{
    QByteArray path;
    double value = 0;

    friend bool operator==(const Found &left, const Found &right)
    {
        // Exact on purpose: a correctly rounded parse gives the same double as the
        // compiler does for the literal in the table. qFuzzyCompare would hide that.
        return left.path == right.path && left.value == right.value
                && std::signbit(left.value) == std::signbit(right.value);
    }
};

using FoundList = QList<Found>;

char *toString(const Found &found)
{
    return QTest::toString(found.path + '=' + QByteArray::number(found.value, 'g', 17));
}

FoundList collect(QByteArrayView data, bool *wellFormed)
{
    FoundList found;
    *wellFormed = JsonNumbers::forEachNumber(data, [&found](QByteArrayView path, double value) {
        found.append({ path.toByteArray(), value });
    });
    return found;
}

QByteArray nestedObjects(int depth, QByteArrayView innermost)
{
    QByteArray data;
    for (int i = 0; i < depth; ++i)
        data += "{\"a\":";
    data += innermost;
    data += QByteArray(depth, '}');
    return data;
}

QByteArray nestedPath(int depth)
{
    QByteArray path = "a";
    for (int i = 1; i < depth; ++i)
        path += ".a";
    return path;
}

} // namespace

Q_DECLARE_METATYPE(FoundList)

class TestJsonNumbers : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();

    void forEachNumber_data();
    void forEachNumber();
    void extractAgreesWithForEach_data();
    void extractAgreesWithForEach();
    void extractNumber_data();
    void extractNumber();
    void pathBufferIsReusedButCorrect();
    void nullValuePointerIsAccepted();
};

void TestJsonNumbers::init()
{
    QTest::failOnWarning(QRegularExpression(QStringLiteral(".*")));
}

void TestJsonNumbers::forEachNumber_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<FoundList>("expected");
    QTest::addColumn<bool>("wellFormed");

    // Plain numbers.
    QTest::newRow("plain integer") << QByteArray("42") << FoundList { { "", 42 } } << true;
    QTest::newRow("plain negative exponent")
            << QByteArray("-3.5e2") << FoundList { { "", -350 } } << true;
    QTest::newRow("plain with whitespace")
            << QByteArray(" \t 7.25 \r\n") << FoundList { { "", 7.25 } } << true;
    QTest::newRow("plain zero") << QByteArray("0") << FoundList { { "", 0 } } << true;
    QTest::newRow("plain negative zero") << QByteArray("-0") << FoundList { { "", -0.0 } } << true;
    QTest::newRow("plain long integer")
            << QByteArray("12345678901234567890") << FoundList { { "", 12345678901234567890.0 } }
            << true;
    QTest::newRow("plain followed by text") << QByteArray("42 apples") << FoundList {} << false;
    QTest::newRow("leading zero") << QByteArray("012") << FoundList {} << false;
    QTest::newRow("plus sign") << QByteArray("+5") << FoundList {} << false;
    QTest::newRow("bare decimal point") << QByteArray("1.") << FoundList {} << false;
    QTest::newRow("top-level string") << QByteArray("\"42\"") << FoundList {} << true;
    QTest::newRow("top-level literal") << QByteArray("true") << FoundList {} << true;

    // Objects and arrays.
    QTest::newRow("flat object") << QByteArray(R"({"bid": 101.5, "ask": 102})")
                                 << FoundList { { "bid", 101.5 }, { "ask", 102 } } << true;
    QTest::newRow("nested object")
            << QByteArray(R"({"length":{"old":3,"new":5}})")
            << FoundList { { "length.old", 3 }, { "length.new", 5 } } << true;
    QTest::newRow("llm usage")
            << QByteArray(R"({"id":"msg_1","usage":{"input_tokens":12,"output_tokens":345}})")
            << FoundList { { "usage.input_tokens", 12 }, { "usage.output_tokens", 345 } } << true;
    QTest::newRow("array member")
            << QByteArray(R"({"values":[1, 2.5 ,-3]})")
            << FoundList { { "values[0]", 1 }, { "values[1]", 2.5 }, { "values[2]", -3 } }
            << true;
    QTest::newRow("top-level array") << QByteArray(R"([10, {"x": 1}])")
                                     << FoundList { { "[0]", 10 }, { "[1].x", 1 } } << true;
    QTest::newRow("mixed path")
            << QByteArray(R"({"a":{"b":[0,1,{"c":7}]}})")
            << FoundList { { "a.b[0]", 0 }, { "a.b[1]", 1 }, { "a.b[2].c", 7 } } << true;
    QTest::newRow("array of arrays")
            << QByteArray(R"({"m":[[1,2],[3]]})")
            << FoundList { { "m[0][0]", 1 }, { "m[0][1]", 2 }, { "m[1][0]", 3 } } << true;
    QTest::newRow("index past nine")
            << QByteArray(R"([0,0,0,0,0,0,0,0,0,0,11])")
            << FoundList { { "[0]", 0 }, { "[1]", 0 }, { "[2]", 0 }, { "[3]", 0 }, { "[4]", 0 },
                           { "[5]", 0 }, { "[6]", 0 }, { "[7]", 0 }, { "[8]", 0 }, { "[9]", 0 },
                           { "[10]", 11 } }
            << true;
    QTest::newRow("exponent forms")
            << QByteArray(R"({"a":1E3,"b":-0.5e-2,"c":2e+2})")
            << FoundList { { "a", 1000 }, { "b", -0.005 }, { "c", 200 } } << true;
    QTest::newRow("empty containers") << QByteArray(R"({"a":{},"b":[],"c":3})")
                                      << FoundList { { "c", 3 } } << true;
    QTest::newRow("booleans and null")
            << QByteArray(R"({"t":true,"f":false,"n":null,"x":1,"l":[null,true]})")
            << FoundList { { "x", 1 } } << true;
    QTest::newRow("utf-8 key") << QByteArray(R"({"température":21.5})")
                               << FoundList { { "température", 21.5 } } << true;
    QTest::newRow("key with dot") << QByteArray(R"({"a.b":1})") << FoundList { { "a.b", 1 } }
                                  << true;
    QTest::newRow("empty keys")
            << QByteArray(R"({"":5,"x":{"":6,"a":[{"":7}]},"":{"b":8}})")
            << FoundList { { "", 5 }, { "x.", 6 }, { "x.a[0].", 7 }, { ".b", 8 } } << true;
    QTest::newRow("out of range") << QByteArray(R"({"a":1e400,"b":-1e-400,"c":2})")
                                  << FoundList { { "b", -0.0 }, { "c", 2 } } << true;

    // Strings are skipped, whatever they contain.
    QTest::newRow("number inside string")
            << QByteArray(R"({"name":"x 12 y","n":1})") << FoundList { { "n", 1 } } << true;
    QTest::newRow("escaped quotes and braces")
            << QByteArray(R"({"s":"he said \"{\\\"v\\\": 5}\" ok","v":6})")
            << FoundList { { "v", 6 } } << true;
    QTest::newRow("backslash before closing quote")
            << QByteArray(R"({"s":"C:\\","v":1})") << FoundList { { "v", 1 } } << true;
    QTest::newRow("structural characters in string")
            << QByteArray(R"({"s":"}]{[,:","v":2})") << FoundList { { "v", 2 } } << true;
    QTest::newRow("unicode escapes")
            << QByteArray(R"({"s":"\u00e9\u20AC \"3\"","k\u0031":4})")
            << FoundList { { "k\\u0031", 4 } } << true;
    QTest::newRow("all simple escapes")
            << QByteArray(R"({"s":"\b\f\n\r\t\/\\","v":3})") << FoundList { { "v", 3 } } << true;

    // Malformed input: what came before the problem, then stop.
    QTest::newRow("empty") << QByteArray() << FoundList {} << false;
    QTest::newRow("whitespace only") << QByteArray(" \n ") << FoundList {} << false;
    QTest::newRow("truncated object")
            << QByteArray(R"({"a":1,"b":2)") << FoundList { { "a", 1 }, { "b", 2 } } << false;
    QTest::newRow("truncated number") << QByteArray(R"({"a":1,"b":2.)") << FoundList { { "a", 1 } }
                                      << false;
    QTest::newRow("truncated string")
            << QByteArray(R"({"a":1,"s":"abc)") << FoundList { { "a", 1 } } << false;
    QTest::newRow("truncated escape") << QByteArray(R"({"s":"abc\)") << FoundList {} << false;
    QTest::newRow("missing colon") << QByteArray(R"({"a" 1})") << FoundList {} << false;
    QTest::newRow("trailing comma") << QByteArray(R"({"a":1,})") << FoundList { { "a", 1 } }
                                    << false;
    QTest::newRow("unquoted key") << QByteArray(R"({a:1})") << FoundList {} << false;
    QTest::newRow("bad escape")
            << QByteArray(R"({"a":1,"s":"\x","b":2})") << FoundList { { "a", 1 } } << false;
    QTest::newRow("bad unicode escape")
            << QByteArray(R"({"s":"\u12G4","b":2})") << FoundList {} << false;
    QTest::newRow("raw control character")
            << QByteArray("{\"s\":\"a\nb\",\"v\":1}") << FoundList {} << false;
    QTest::newRow("letters after number")
            << QByteArray(R"({"a":12abc,"b":1})") << FoundList {} << false;
    QTest::newRow("nan literal") << QByteArray(R"({"a":NaN,"b":1})") << FoundList {} << false;
    QTest::newRow("mismatched bracket")
            << QByteArray(R"({"a":[1,2},"b":3})")
            << FoundList { { "a[0]", 1 }, { "a[1]", 2 } } << false;
    QTest::newRow("two documents")
            << QByteArray("{\"a\":1}\n{\"b\":2}") << FoundList { { "a", 1 } } << false;
    QTest::newRow("misspelt literal")
            << QByteArray(R"({"a":1,"t":tru,"b":2})") << FoundList { { "a", 1 } } << false;

    // Depth limit.
    QTest::newRow("depth at limit")
            << nestedObjects(JsonNumbers::MaximumDepth, "9")
            << FoundList { { nestedPath(JsonNumbers::MaximumDepth), 9 } } << true;
    QTest::newRow("depth beyond limit")
            << QByteArray("{\"x\":1,\"d\":" + nestedObjects(JsonNumbers::MaximumDepth, "9")
                          + ",\"y\":2}")
            << FoundList { { "x", 1 } } << false;
    QTest::newRow("deep arrays")
            << QByteArray(100000, '[') << FoundList {} << false;
    QTest::newRow("deep arrays after a string")
            << QByteArray("{\"s\":\"x\",\"d\":[" + QByteArray(200, '[') + "]}")
            << FoundList {} << false;
}

void TestJsonNumbers::forEachNumber()
{
    QFETCH(QByteArray, data);
    QFETCH(FoundList, expected);
    QFETCH(bool, wellFormed);

    bool parsed = !wellFormed;
    const FoundList found = collect(data, &parsed);
    QCOMPARE(found, expected);
    QCOMPARE(parsed, wellFormed);
}

void TestJsonNumbers::extractAgreesWithForEach_data()
{
    forEachNumber_data();
}

void TestJsonNumbers::extractAgreesWithForEach()
{
    QFETCH(QByteArray, data);
    QFETCH(FoundList, expected);

    // Every number forEachNumber() reports must be found again by its path.
    for (const Found &found : std::as_const(expected)) {
        double value = 12345.678;
        QVERIFY2(JsonNumbers::extractNumber(data, found.path, &value), found.path.constData());
        QCOMPARE(value, found.value);
    }
}

void TestJsonNumbers::extractNumber_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<bool>("found");
    QTest::addColumn<double>("value");

    const QByteArray event = R"({"model":"m {1}","usage":{"input_tokens":12,"output_tokens":345},)"
                             R"("values":[1.5,[2,3],{"k":4}],"ok":true,"s":"x"})";
    QTest::newRow("nested key") << event << QByteArray("usage.output_tokens") << true << 345.0;
    QTest::newRow("first array element") << event << QByteArray("values[0]") << true << 1.5;
    QTest::newRow("nested array element") << event << QByteArray("values[1][1]") << true << 3.0;
    QTest::newRow("object in array") << event << QByteArray("values[2].k") << true << 4.0;
    QTest::newRow("missing key") << event << QByteArray("usage.total") << false << 0.0;
    QTest::newRow("index out of range") << event << QByteArray("values[3]") << false << 0.0;
    QTest::newRow("path to object") << event << QByteArray("usage") << false << 0.0;
    QTest::newRow("path to array") << event << QByteArray("values[1]") << false << 0.0;
    QTest::newRow("path to boolean") << event << QByteArray("ok") << false << 0.0;
    QTest::newRow("path to string") << event << QByteArray("s") << false << 0.0;
    QTest::newRow("key prefix only") << event << QByteArray("usage.output") << false << 0.0;
    QTest::newRow("longer than key") << event << QByteArray("okay") << false << 0.0;
    QTest::newRow("index on object") << event << QByteArray("usage[0]") << false << 0.0;
    QTest::newRow("key on array") << event << QByteArray("values.k") << false << 0.0;
    QTest::newRow("leading zero index") << event << QByteArray("values[00]") << false << 0.0;
    QTest::newRow("unterminated index") << event << QByteArray("values[0") << false << 0.0;
    QTest::newRow("junk after index") << event << QByteArray("values[0]x") << false << 0.0;
    QTest::newRow("empty path on object") << event << QByteArray() << false << 0.0;
    QTest::newRow("plain number") << QByteArray(" 17.5\n") << QByteArray() << true << 17.5;
    QTest::newRow("plain number, path given") << QByteArray("17.5") << QByteArray("a") << false
                                              << 0.0;
    QTest::newRow("plain number with text") << QByteArray("17 x") << QByteArray() << false << 0.0;
    QTest::newRow("duplicate key, first wins")
            << QByteArray(R"({"a":1,"a":2})") << QByteArray("a") << true << 1.0;
    QTest::newRow("duplicate object, second has it")
            << QByteArray(R"({"a":{"x":1},"a":{"b":2}})") << QByteArray("a.b") << true << 2.0;
    QTest::newRow("dotted key before nested")
            << QByteArray(R"({"a.b":1,"a":{"b":2}})") << QByteArray("a.b") << true << 1.0;
    QTest::newRow("nested before dotted key")
            << QByteArray(R"({"a":{"b":2},"a.b":1})") << QByteArray("a.b") << true << 2.0;
    QTest::newRow("found before malformed tail")
            << QByteArray(R"({"a":1,"b":)") << QByteArray("a") << true << 1.0;
    QTest::newRow("malformed before target")
            << QByteArray(R"({"x":[1,,2],"a":5})") << QByteArray("a") << false << 0.0;
    QTest::newRow("escaped string before target")
            << QByteArray(R"({"s":"\"a\":9, \\","a":5})") << QByteArray("a") << true << 5.0;
    QTest::newRow("too deep before target")
            << QByteArray("{\"d\":" + nestedObjects(JsonNumbers::MaximumDepth, "1") + ",\"a\":5}")
            << QByteArray("a") << false << 0.0;
    QTest::newRow("at depth limit")
            << nestedObjects(JsonNumbers::MaximumDepth, "9")
            << nestedPath(JsonNumbers::MaximumDepth) << true << 9.0;
    QTest::newRow("empty data") << QByteArray() << QByteArray() << false << 0.0;
}

void TestJsonNumbers::extractNumber()
{
    QFETCH(QByteArray, data);
    QFETCH(QByteArray, path);
    QFETCH(bool, found);
    QFETCH(double, value);

    double result = -1;
    QCOMPARE(JsonNumbers::extractNumber(data, path, &result), found);
    if (found)
        QCOMPARE(result, value);
    else
        QCOMPARE(result, -1.0); // untouched on failure
}

void TestJsonNumbers::pathBufferIsReusedButCorrect()
{
    // Long keys overflow the inline path buffer; the paths must still be intact and
    // shrink back correctly when the walk leaves a member.
    const QByteArray longKey(300, 'k');
    const QByteArray data = "{\"" + longKey + "\":{\"x\":1},\"y\":2}";
    bool wellFormed = false;
    const FoundList found = collect(data, &wellFormed);
    QVERIFY(wellFormed);
    QCOMPARE(found, (FoundList { { longKey + ".x", 1 }, { "y", 2 } }));
}

void TestJsonNumbers::nullValuePointerIsAccepted()
{
    QVERIFY(JsonNumbers::extractNumber("{\"a\":1}", "a", nullptr));
    QVERIFY(!JsonNumbers::extractNumber("{\"a\":1}", "b", nullptr));
}

QTEST_GUILESS_MAIN(TestJsonNumbers)
#include "tst_jsonnumbers.moc"
