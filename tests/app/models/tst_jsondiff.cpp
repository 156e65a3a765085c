// JsonDiff: the structural comparison behind Compare (app/models/jsondiff.h).

#include "models/jsondiff.h"

#include <QTest>

using namespace Qt::StringLiterals;

class TestJsonDiff : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void compares_data();
    void compares();
    void capsTheChangesReported();
    void capsTheLinesCompared();
    void cutsLongValues();
};

namespace {

// "kind path old new", one per change.
QStringList describe(const JsonDiff::Result &result)
{
    QStringList lines;
    for (const JsonDiff::Change &change : result.changes) {
        const char *kind = change.kind == JsonDiff::ChangeKind::Added ? "+"
            : change.kind == JsonDiff::ChangeKind::Removed            ? "-"
                                                                      : "~";
        lines.append(QLatin1String(kind) + u' ' + change.path + u' ' + change.oldValue + u' '
                     + change.newValue);
    }
    return lines;
}

} // namespace

void TestJsonDiff::compares_data()
{
    QTest::addColumn<QByteArray>("oldData");
    QTest::addColumn<QByteArray>("newData");
    QTest::addColumn<bool>("structural");
    QTest::addColumn<QStringList>("changes");

    QTest::newRow("equal documents") << "{\"a\":1,\"b\":[1,2]}"_ba
                                     << "{ \"b\": [1, 2], \"a\": 1 }"_ba << true << QStringList();
    QTest::newRow("changed member") << "{\"price\":100,\"symbol\":\"ACME\"}"_ba
                                    << "{\"price\":101.5,\"symbol\":\"ACME\"}"_ba << true
                                    << QStringList {u"~ data.price 100 101.5"_s};
    QTest::newRow("added and removed")
        << "{\"a\":1,\"gone\":true}"_ba
        << "{\"a\":1,\"new\":null}"_ba << true
        << QStringList {u"- data.gone true "_s, u"+ data.new  null"_s};
    QTest::newRow("nested objects") << "{\"usage\":{\"input\":{\"tokens\":5},\"output\":7}}"_ba
                                    << "{\"usage\":{\"input\":{\"tokens\":6},\"output\":7}}"_ba
                                    << true << QStringList {u"~ data.usage.input.tokens 5 6"_s};
    QTest::newRow("arrays by position")
        << "{\"choices\":[{\"text\":\"a\"},{\"text\":\"b\"}]}"_ba
        << "{\"choices\":[{\"text\":\"a\"},{\"text\":\"c\"},{\"text\":\"d\"}]}"_ba << true
        << QStringList {u"~ data.choices[1].text \"b\" \"c\""_s,
                        u"+ data.choices[2]  {\"text\":\"d\"}"_s};
    QTest::newRow("shorter array")
        << "[1,2,3]"_ba
        << "[1]"_ba << true << QStringList {u"- data[1] 2 "_s, u"- data[2] 3 "_s};
    QTest::newRow("type change") << "{\"v\":\"1\"}"_ba
                                 << "{\"v\":1}"_ba << true << QStringList {u"~ data.v \"1\" 1"_s};
    QTest::newRow("object to array")
        << "{\"v\":{\"x\":1}}"_ba
        << "{\"v\":[1]}"_ba << true << QStringList {u"~ data.v {\"x\":1} [1]"_s};
    QTest::newRow("scalar documents") << "42"_ba
                                      << "\"42\""_ba << true << QStringList {u"~ data 42 \"42\""_s};
    QTest::newRow("unicode values and names")
        << "{\"名前\":\"München\",\"emoji\":\"😀\"}"_ba
        << "{\"名前\":\"Zürich\",\"emoji\":\"😀\"}"_ba << true
        // Paths are written as the filter language reads them: a name may hold any letter.
        << QStringList {u"~ data.名前 \"München\" \"Zürich\""_s};
    QTest::newRow("names that need quoting")
        << "{\"a b\":1,\"q\\\"\":2}"_ba
        << "{\"a b\":2,\"q\\\"\":3}"_ba << true
        << QStringList {u"~ data[\"a b\"] 1 2"_s, u"~ data[\"q\\\"\"] 2 3"_s};
    QTest::newRow("invalid JSON: lines")
        << "line one\nline two\nline three"_ba
        << "line one\nline 2\nline three"_ba << false
        << QStringList {u"+ line 2  line 2"_s, u"- line 2 line two "_s};
    QTest::newRow("one side JSON: lines")
        << "{\"a\":1}"_ba
        << "{\"a\":1"_ba << false
        << QStringList {u"+ line 1  {\"a\":1"_s, u"- line 1 {\"a\":1} "_s};
    QTest::newRow("equal text") << "plain\ntext"_ba
                                << "plain\r\ntext"_ba << false << QStringList();
    QTest::newRow("empty against text") << QByteArray() << "added"_ba << false
                                        << QStringList {u"+ line 1  added"_s, u"- line 1  "_s};
}

void TestJsonDiff::compares()
{
    QFETCH(QByteArray, oldData);
    QFETCH(QByteArray, newData);
    QFETCH(bool, structural);
    QFETCH(QStringList, changes);

    const JsonDiff::Result result = JsonDiff::compare(oldData, newData);
    QCOMPARE(result.structural, structural);
    QCOMPARE(describe(result), changes);
    QVERIFY(!result.truncated);
    QCOMPARE(result.isEqual(), changes.isEmpty());
}

void TestJsonDiff::capsTheChangesReported()
{
    QByteArray a = "{";
    QByteArray b = "{";
    for (int i = 0; i < 5000; ++i) {
        const QByteArray name = "\"k" + QByteArray::number(i) + "\":";
        a += (i ? "," : "") + name + QByteArray::number(i);
        b += (i ? "," : "") + name + QByteArray::number(i + 1);
    }
    a += '}';
    b += '}';
    const JsonDiff::Result result = JsonDiff::compare(a, b, 100);
    QVERIFY(result.structural);
    QCOMPARE(result.changes.size(), 100);
    QVERIFY(result.truncated);
    QVERIFY(!result.isEqual());
}

void TestJsonDiff::capsTheLinesCompared()
{
    QByteArray a;
    for (int i = 0; i < JsonDiff::MaximumLines + 10; ++i)
        a += "line " + QByteArray::number(i) + '\n';
    QByteArray b = a;
    b.replace("line 3\n", "line three\n");
    const JsonDiff::Result result = JsonDiff::compare(a, b);
    QVERIFY(!result.structural);
    QCOMPARE(describe(result), (QStringList {u"+ line 4  line three"_s, u"- line 4 line 3 "_s}));
    QVERIFY(result.truncated); // the lines past MaximumLines were not looked at
}

void TestJsonDiff::cutsLongValues()
{
    const QByteArray big(100000, 'x');
    const QByteArray a = "{\"v\":\"" + big + "\"}";
    const QByteArray b = "{\"v\":\"" + big + "y\"}";
    const JsonDiff::Result result = JsonDiff::compare(a, b);
    QCOMPARE(result.changes.size(), 1);
    QCOMPARE(result.changes.first().oldValue.size(), JsonDiff::MaximumValueLength + 1);
    QVERIFY(result.changes.first().oldValue.endsWith(QChar(u'\u2026')));
}

QTEST_GUILESS_MAIN(TestJsonDiff)
#include "tst_jsondiff.moc"
