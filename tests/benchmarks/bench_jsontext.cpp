#include "views/jsontext.h"

#include <QTest>

// Cost of the detail view's JSON helpers (app/views/jsontext): the validating scan, the pretty
// text's size and text, and the tree's walk, on a typical ~250-byte event, a 1 MiB document of
// short records and a 2 MB document nested 1,000 levels deep. Run a release build:
//   bench_jsontext
class BenchJsonText : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void validateSmall();
    void validateRecords();
    void validateDeep();
    void prettySizeRecords();
    void prettyPrintRecords();
    void prettyPrintDeepBounded();
    void membersRecords();

private:
    QByteArray m_small;
    QByteArray m_records;
    QByteArray m_deep;
};

void BenchJsonText::initTestCase()
{
    m_small = R"({"type":"content_block_delta","index":3,"delta":{"type":"text_delta",)"
              R"("text":"Hello \"world\", {this} is a token.\u00e9"},"usage":{"input_tokens":1234,)"
              R"("output_tokens":567},"values":[0.25,1.5,-3.75e2,true,null],"ts":1700000000123})";
    m_records = "[";
    for (int i = 0; m_records.size() < 1024 * 1024; ++i) {
        if (i > 0)
            m_records += ',';
        m_records += R"({"id":)" + QByteArray::number(i) + R"(,"name":"item \")"
            + QByteArray::number(i) + R"(\"","price":)" + QByteArray::number(i * 0.25)
            + R"(,"tags":["a","b"],"ok":true})";
    }
    m_records += ']';
    // 1,000 levels of arrays around a million small numbers, about 2 MB.
    m_deep = QByteArray(1000, '[');
    for (int i = 0; i < 1000000; ++i)
        m_deep += i == 0 ? "0" : ",0";
    m_deep += QByteArray(1000, ']');
    qInfo("small %d bytes, records %d bytes, deep %d bytes", int(m_small.size()),
          int(m_records.size()), int(m_deep.size()));
    QVERIFY(JsonText::validate(m_small));
    QVERIFY(JsonText::validate(m_records));
    QVERIFY(JsonText::validate(m_deep));
}

void BenchJsonText::validateSmall()
{
    bool valid = false;
    QBENCHMARK {
        valid = JsonText::validate(m_small);
    }
    QVERIFY(valid);
}

void BenchJsonText::validateRecords()
{
    bool valid = false;
    QBENCHMARK {
        valid = JsonText::validate(m_records);
    }
    QVERIFY(valid);
}

void BenchJsonText::validateDeep()
{
    bool valid = false;
    QBENCHMARK {
        valid = JsonText::validate(m_deep);
    }
    QVERIFY(valid);
}

void BenchJsonText::prettySizeRecords()
{
    qsizetype size = 0;
    QBENCHMARK {
        size = JsonText::prettySize(m_records);
    }
    QVERIFY(size > m_records.size());
}

void BenchJsonText::prettyPrintRecords()
{
    QByteArray text;
    QBENCHMARK {
        text = JsonText::prettyPrint(m_records);
    }
    QCOMPARE(text.size(), JsonText::prettySize(m_records));
}

// What the detail view builds for the deep document: the first 1 MiB.
void BenchJsonText::prettyPrintDeepBounded()
{
    QByteArray text;
    bool truncated = false;
    QBENCHMARK {
        text = JsonText::prettyPrint(m_deep, 4, 1024 * 1024, &truncated);
    }
    QVERIFY(truncated);
}

void BenchJsonText::membersRecords()
{
    qsizetype total = 0;
    QBENCHMARK {
        JsonText::members(m_records, JsonText::root(m_records), 1000, &total);
    }
    QVERIFY(total > 10000);
}

QTEST_GUILESS_MAIN(BenchJsonText)
#include "bench_jsontext.moc"
