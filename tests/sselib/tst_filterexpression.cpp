// The filter language: parsing, error positions and messages, and the semantics of each
// operator over event fields and JSON paths.

#include "sselib/filterexpression.h"

#include <QTest>

using Sse::FilterExpression;
using Sse::FilterFields;

class TestFilterExpression : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void evaluates_data();
    void evaluates();
    void rejects_data();
    void rejects();
    void readsMarks_data();
    void readsMarks();
    void emptyMatchesEverything();
    void invalidMatchesNothing();
    void reportsFieldsUsed();
    void copiesShareTheProgram();
};

void TestFilterExpression::init()
{
    QTest::failOnWarning(QRegularExpression(QStringLiteral(".*")));
}

void TestFilterExpression::evaluates_data()
{
    QTest::addColumn<QString>("expression");
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<bool>("expected");

    const QByteArray trade = R"({"price": 101.5, "symbol": "ACME", "qty": 0, "ok": true,)"
                             R"( "none": null, "empty": "", "tags": ["a", "b"], "nested":)"
                             R"( {"deep": {"x": -3}}, "a b": 7, "num": "1500",)"
                             R"( "esc\"key": "q", "caf\u00e9": "é", "smile": "\ud83d\ude00",)"
                             R"( "text": "line\nnext", "dup": 1, "dup": 2,)"
                             R"( "x-request-id": "r-9"})";
    const QByteArray choices = R"({"choices":[{"delta":{"content":"Hello SSE world"}}],)"
                               R"("usage":{"output_tokens":512}})";

    // Fields of the event itself: type "trade", id "1042", connection "Demo stream",
    // time 1700000000000, seq 7.
    QTest::newRow("type ==") << "type == \"trade\"" << trade << true;
    QTest::newRow("type !=") << "type != \"trade\"" << trade << false;
    QTest::newRow("id numeric >") << "id > 1000" << trade << true;
    QTest::newRow("id numeric <") << "id < 1000" << trade << false;
    QTest::newRow("id as string") << "id == \"1042\"" << trade << true;
    QTest::newRow("connection") << "connection == \"Demo stream\"" << trade << true;
    QTest::newRow("connection contains") << "connection contains \"Demo\"" << trade << true;
    QTest::newRow("time") << "time >= 1700000000000" << trade << true;
    QTest::newRow("seq") << "seq == 7" << trade << true;
    QTest::newRow("size") << QStringLiteral("size == %1").arg(trade.size()) << trade << true;
    QTest::newRow("size <") << "size < 10" << trade << false;
    QTest::newRow("data contains") << "data contains \"ACME\"" << trade << true;
    QTest::newRow("data contains is case-sensitive") << "data contains \"acme\"" << trade << false;

    // Paths.
    QTest::newRow("number >") << "data.price > 100" << trade << true;
    QTest::newRow("number >=, exact") << "data.price >= 101.5" << trade << true;
    QTest::newRow("number <") << "data.price < 100" << trade << false;
    QTest::newRow("number == exponent") << "data.price == 1.015e2" << trade << true;
    QTest::newRow("string ==") << "data.symbol == \"ACME\"" << trade << true;
    QTest::newRow("string < by code point") << "data.symbol < \"ACMF\"" << trade << true;
    QTest::newRow("string > lower case") << "data.symbol > \"acme\"" << trade << false;
    QTest::newRow("nested") << "data.nested.deep.x == -3" << trade << true;
    QTest::newRow("dashed name") << "data.x-request-id == \"r-9\"" << trade << true;
    QTest::newRow("dashed name, no blank before a number")
        << "data.nested.deep.x==-3" << trade << true;
    QTest::newRow("array index") << "data.tags[1] == \"b\"" << trade << true;
    QTest::newRow("array index out of range") << "data.tags[2] == \"b\"" << trade << false;
    QTest::newRow("array index on object") << "data.nested[0]" << trade << false;
    QTest::newRow("quoted name") << "data[\"a b\"] == 7" << trade << true;
    QTest::newRow("quoted name with escape") << "data[\"esc\\\"key\"] == \"q\"" << trade << true;
    QTest::newRow("escaped key, unicode name") << "data.café == \"é\"" << trade << true;
    QTest::newRow("escaped key, quoted \\u name") << "data[\"caf\\u00e9\"] == \"\\u00e9\""
                                                  << trade << true;
    QTest::newRow("surrogate pair value") << "data.smile == \"😀\"" << trade << true;
    QTest::newRow("escaped newline value") << "data.text == \"line\\nnext\"" << trade << true;
    QTest::newRow("escaped value contains") << "data.text contains \"\\nne\"" << trade << true;
    QTest::newRow("duplicate key keeps the first") << "data.dup == 1" << trade << true;
    QTest::newRow("choices path") << "data.choices[0].delta.content contains \"SSE\""
                                  << choices << true;
    QTest::newRow("usage path") << "data.usage.output_tokens >= 500" << choices << true;
    QTest::newRow("two paths, one pass") << "data.usage.output_tokens == 512 && "
                                            "data.choices[0].delta.content matches \"^Hello\""
                                         << choices << true;
    QTest::newRow("prefix path and a longer one") << "data.usage && data.usage.output_tokens == 512"
                                                  << choices << true;
    QTest::newRow("container contains its JSON") << "data.usage contains \"output_tokens\""
                                                 << choices << true;

    // Missing paths make every comparison false.
    QTest::newRow("missing ==") << "data.missing == 1" << trade << false;
    QTest::newRow("missing !=") << "data.missing != 1" << trade << false;
    QTest::newRow("not of missing") << "!(data.missing == 1)" << trade << true;
    QTest::newRow("missing contains") << "data.missing contains \"\"" << trade << false;
    QTest::newRow("missing in") << "data.missing in {1, 2}" << trade << false;
    QTest::newRow("missing != null") << "data.missing != null" << trade << false;
    QTest::newRow("path into a string") << "data.symbol.x == 1" << trade << false;
    QTest::newRow("path into non-JSON") << "data.x == 1" << QByteArray("hello") << false;
    QTest::newRow("path before malformed") << "data.a == 1" << QByteArray("{\"a\":1,") << true;
    QTest::newRow("path after malformed") << "data.b == 1" << QByteArray("{\"a\":x,\"b\":1}")
                                          << false;

    // String and number mixing.
    QTest::newRow("numeric string vs number") << "data.num > 1000" << trade << true;
    QTest::newRow("numeric string == number") << "data.num == 1500" << trade << true;
    QTest::newRow("text vs number is false") << "data.symbol > 0" << trade << false;
    QTest::newRow("text != number is false too") << "data.symbol != 0" << trade << false;
    QTest::newRow("number vs numeric string literal") << "data.price == \"101.5\"" << trade << true;
    QTest::newRow("number vs text literal") << "data.price == \"cheap\"" << trade << false;
    QTest::newRow("partly numeric string") << "data.x > 1" << QByteArray(R"({"x":"12abc"})")
                                           << false;
    QTest::newRow("string with blanks is not a number") << "data.x == 12"
                                                        << QByteArray(R"({"x":" 12"})") << false;
    QTest::newRow("bool vs number") << "data.ok == 1" << trade << false;

    // true, false, null.
    QTest::newRow("== true") << "data.ok == true" << trade << true;
    QTest::newRow("!= false") << "data.ok != false" << trade << true;
    QTest::newRow("== null") << "data.none == null" << trade << true;
    QTest::newRow("number != null") << "data.price != null" << trade << true;
    QTest::newRow("null != null") << "data.none != null" << trade << false;

    // Truthiness of a bare field.
    QTest::newRow("bare number") << "data.price" << trade << true;
    QTest::newRow("bare zero") << "data.qty" << trade << false;
    QTest::newRow("bare true") << "data.ok" << trade << true;
    QTest::newRow("bare null") << "data.none" << trade << false;
    QTest::newRow("bare empty string") << "data.empty" << trade << false;
    QTest::newRow("bare string") << "data.symbol" << trade << true;
    QTest::newRow("bare container") << "data.tags" << trade << true;
    QTest::newRow("bare missing") << "data.sensor" << trade << false;
    QTest::newRow("bare id") << "id" << trade << true;
    QTest::newRow("bare data") << "data" << trade << true;
    QTest::newRow("bare empty data") << "data" << QByteArray() << false;

    // in, matches, logic, precedence.
    QTest::newRow("in strings") << "type in {\"error\", \"trade\"}" << trade << true;
    QTest::newRow("in misses") << "type in {\"error\", \"overloaded\"}" << trade << false;
    QTest::newRow("in mixed") << "data.price in {1, 101.5, \"x\"}" << trade << true;
    QTest::newRow("matches") << "id matches \"^10\\\\d+$\"" << trade << true;
    QTest::newRow("not matches") << "!(id matches \"^test-\")" << trade << true;
    QTest::newRow("matches unicode") << "data.café matches \"^.$\"" << trade << true;
    QTest::newRow("and") << "type == \"trade\" && data.price > 100" << trade << true;
    QTest::newRow("and word") << "type == \"trade\" and data.price > 200" << trade << false;
    QTest::newRow("or") << "data.price > 200 || type == \"trade\"" << trade << true;
    QTest::newRow("or word") << "data.price > 200 or type == \"x\"" << trade << false;
    QTest::newRow("not word") << "not data.sensor" << trade << true;
    QTest::newRow("double not") << "!!data.ok" << trade << true;
    QTest::newRow("and binds tighter") << "type == \"x\" && data.ok || data.price > 1" << trade
                                       << true;
    QTest::newRow("parentheses") << "type == \"x\" && (data.ok || data.price > 1)" << trade
                                 << false;
    QTest::newRow("issue example") << "data.sensor && size < 200 && connection == \"Demo stream\""
                                   << QByteArray(R"({"sensor":"t1"})") << true;
    QTest::newRow("blanks everywhere") << "  ( type==\"trade\" )&&!data.none  " << trade << true;
    QTest::newRow("unicode literal") << "data.x == \"日本\"" << QByteArray(R"({"x":"日本"})")
                                     << true;
    QTest::newRow("top-level array") << "data[1] == 2" << QByteArray("[1, 2, 3]") << true;
}

void TestFilterExpression::evaluates()
{
    QFETCH(QString, expression);
    QFETCH(QByteArray, data);
    QFETCH(bool, expected);

    const FilterExpression filter = FilterExpression::parse(expression);
    QVERIFY2(filter.isValid(), qPrintable(filter.errorString()));
    FilterFields event;
    event.type = "trade";
    event.id = "1042";
    event.connection = "Demo stream";
    event.data = data;
    event.timeMs = 1700000000000;
    event.sequence = 7;
    QCOMPARE(filter.matches(event), expected);
}

void TestFilterExpression::rejects_data()
{
    QTest::addColumn<QString>("expression");
    QTest::addColumn<int>("column");
    QTest::addColumn<QString>("message");

    QTest::newRow("value after >") << "type == \"trade\" && data.price >" << 32
                                   << "column 32: expected a value after '>'";
    QTest::newRow("value after > with more") << "data.price > && type" << 14
                                             << "column 14: expected a value after '>', found '&'";
    QTest::newRow("unknown field") << "price > 1" << 1
                                   << "column 1: unknown field 'price' (fields: type, id, data, "
                                      "size, connection, time, seq)";
    QTest::newRow("nothing after &&") << "type == \"a\" &&" << 15
                                      << "column 15: expected a field after '&&', found the end "
                                         "of the filter";
    QTest::newRow("starts with an operator") << "== 1" << 1
                                             << "column 1: expected a field (type, id, data, "
                                                "size, connection, time or seq), found '='";
    QTest::newRow("unclosed parenthesis") << "(type == \"a\"" << 13
                                          << "column 13: expected ')' to close the '(' at "
                                             "column 1, found the end of the filter";
    QTest::newRow("unterminated string") << "type == \"abc" << 9
                                         << "column 9: unterminated string";
    QTest::newRow("bad escape") << "type == \"a\\qb\"" << 11
                                << "column 11: invalid escape '\\q' in a string";
    QTest::newRow("single =") << "type = \"a\"" << 6 << "column 6: expected '==' instead of '='";
    QTest::newRow("contains needs a string") << "data contains 5" << 15
                                             << "column 15: expected a string after 'contains'";
    QTest::newRow("bad regex") << "id matches \"(\"" << 12
                               << "column 12: invalid regular expression: missing closing "
                                  "parenthesis";
    QTest::newRow("in needs a brace") << "type in \"a\"" << 9
                                      << "column 9: expected '{' after 'in'";
    QTest::newRow("in needs , or }") << "type in {\"a\" \"b\"}" << 14
                                     << "column 14: expected ',' or '}' after '\"a\"', "
                                        "found '\"'";
    QTest::newRow("empty set") << "type in {}" << 10
                               << "column 10: expected a value after '{', found '}'";
    QTest::newRow("path on type") << "type.x == 1" << 5
                                  << "column 5: only data has a path, 'type' has none";
    QTest::newRow("empty step") << "data. == 1" << 6 << "column 6: expected a name after '.'";
    QTest::newRow("bad index") << "data[x] == 1" << 6
                               << "column 6: expected an index or a quoted name after '['";
    QTest::newRow("unclosed index") << "data[1 == 1" << 8
                                    << "column 8: expected ']' after the index, found '='";
    QTest::newRow("bad number") << "size > 01" << 8 << "column 8: invalid number '01'";
    QTest::newRow("number glued to a name") << "size > 10kb" << 8
                                            << "column 8: invalid number '10kb'";
    QTest::newRow("ordering with a boolean") << "data.x < true" << 10
                                             << "column 10: expected a number or a string "
                                                "after '<'";
    QTest::newRow("two fields") << "type id" << 6
                                << "column 6: expected an operator, '&&', '||' or the end "
                                   "after 'type', found 'id'";
    QTest::newRow("trailing )") << "type == \"a\")" << 12
                                << "column 12: expected '&&', '||' or the end of the filter "
                                   "after '\"a\"'";
    // Columns count characters, a character outside the BMP as one.
    // Parsed without marks (the default: the command line, alert rules, the chart).
    QTest::newRow("marked without marks") << "type == \"a\" && marked" << 16
                                          << "column 16: 'marked' is not available here: only "
                                             "the events of the event log can be marked";
    QTest::newRow("column after emoji") << "data.x == \"😀\" &&" << 17
                                        << "column 17: expected a field after '&&', found the "
                                           "end of the filter";
}

void TestFilterExpression::rejects()
{
    QFETCH(QString, expression);
    QFETCH(int, column);
    QFETCH(QString, message);

    const FilterExpression filter = FilterExpression::parse(expression);
    QVERIFY(!filter.isValid());
    QVERIFY(!filter.isEmpty());
    QCOMPARE(filter.errorString(), message);
    QCOMPARE(filter.errorColumn(), column);
}

void TestFilterExpression::readsMarks_data()
{
    QTest::addColumn<QString>("expression");
    QTest::addColumn<bool>("marked");
    QTest::addColumn<bool>("expected");

    QTest::newRow("bare, marked") << "marked" << true << true;
    QTest::newRow("bare, not marked") << "marked" << false << false;
    QTest::newRow("negated, marked") << "!marked" << true << false;
    QTest::newRow("negated, not marked") << "!marked" << false << true;
    QTest::newRow("not word") << "not marked" << false << true;
    QTest::newRow("== true") << "marked == true" << true << true;
    QTest::newRow("== true, not marked") << "marked == true" << false << false;
    QTest::newRow("== false") << "marked == false" << false << true;
    QTest::newRow("!= true") << "marked != true" << true << false;
    QTest::newRow("with a path") << "marked && data.x > 1" << true << true;
    QTest::newRow("with a path, not marked") << "marked || data.x > 5" << false << false;
    QTest::newRow("in") << "marked in {true}" << true << true;
    QTest::newRow("not a number") << "marked == 1" << true << false;
}

void TestFilterExpression::readsMarks()
{
    QFETCH(QString, expression);
    QFETCH(bool, marked);
    QFETCH(bool, expected);

    const FilterExpression filter =
        FilterExpression::parse(expression, FilterExpression::Marks::Available);
    QVERIFY2(filter.isValid(), qPrintable(filter.errorString()));
    QVERIFY(filter.fields().testFlag(FilterExpression::Field::Marked));
    FilterFields event;
    event.data = R"({"x": 2})";
    event.marked = marked;
    QCOMPARE(filter.matches(event), expected);
}

void TestFilterExpression::emptyMatchesEverything()
{
    for (const QString &text : {QString(), QStringLiteral("   ")}) {
        const FilterExpression filter = FilterExpression::parse(text);
        QVERIFY(filter.isValid());
        QVERIFY(filter.isEmpty());
        QVERIFY(filter.matches(FilterFields()));
    }
    QVERIFY(FilterExpression().matches(FilterFields()));
}

void TestFilterExpression::invalidMatchesNothing()
{
    const FilterExpression filter = FilterExpression::parse(QStringLiteral("type =="));
    FilterFields event;
    event.type = "message";
    QVERIFY(!filter.matches(event));
}

void TestFilterExpression::reportsFieldsUsed()
{
    using Field = FilterExpression::Field;
    const FilterExpression filter = FilterExpression::parse(
            QStringLiteral("connection == \"a\" || data.x > 1 || seq == 1"));
    QCOMPARE(filter.fields(), FilterExpression::Fields(Field::Connection) | Field::Data
                     | Field::Sequence);
    QCOMPARE(FilterExpression::parse(QStringLiteral("size > 1")).fields(),
             FilterExpression::Fields(Field::Data));
}

void TestFilterExpression::copiesShareTheProgram()
{
    const FilterExpression original = FilterExpression::parse(QStringLiteral("data.a == 1"));
    FilterExpression copy = original;
    QCOMPARE(copy, original);
    FilterFields event;
    event.data = R"({"a":1})";
    QVERIFY(copy.matches(event));
    copy = FilterExpression::parse(QStringLiteral("data.a == 2"));
    QVERIFY(!copy.matches(event));
    QVERIFY(original.matches(event));
}

QTEST_GUILESS_MAIN(TestFilterExpression)
#include "tst_filterexpression.moc"
