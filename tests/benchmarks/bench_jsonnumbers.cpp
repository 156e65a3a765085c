#include "charts/jsonnumbers.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

// Cost per event of the two JsonNumbers entry points on a typical ~200-byte event,
// with a QJsonDocument parse of the same data for comparison. Run a release build:
//   bench_jsonnumbers -iterations 100000
class BenchJsonNumbers : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void forEachNumber();
    void extractNumberNested();
    void extractNumberLast();
    void extractNumberMissing();
    void qJsonDocumentForComparison();

private:
    QByteArray m_event;
};

void BenchJsonNumbers::initTestCase()
{
    m_event = R"({"type":"content_block_delta","index":3,"delta":{"type":"text_delta",)"
              R"("text":"Hello \"world\", {this} is a token."},"usage":{"input_tokens":1234,)"
              R"("output_tokens":567},"values":[0.25,1.5,-3.75e2],"ts":1700000000123})";
    qInfo("event: %d bytes", int(m_event.size()));
    int count = 0;
    QVERIFY(JsonNumbers::forEachNumber(m_event, [&count](QByteArrayView, double) { ++count; }));
    QCOMPARE(count, 7);
}

void BenchJsonNumbers::forEachNumber()
{
    double sum = 0;
    QBENCHMARK {
        JsonNumbers::forEachNumber(m_event, [&sum](QByteArrayView path, double value) {
            sum += value + double(path.size());
        });
    }
    QVERIFY(sum != 0);
}

void BenchJsonNumbers::extractNumberNested()
{
    double value = 0;
    QBENCHMARK {
        JsonNumbers::extractNumber(m_event, "usage.output_tokens", &value);
    }
    QCOMPARE(value, 567.0);
}

void BenchJsonNumbers::extractNumberLast()
{
    double value = 0;
    QBENCHMARK {
        JsonNumbers::extractNumber(m_event, "ts", &value);
    }
    QCOMPARE(value, 1700000000123.0);
}

void BenchJsonNumbers::extractNumberMissing()
{
    bool found = true;
    QBENCHMARK {
        found = JsonNumbers::extractNumber(m_event, "usage.total_tokens", nullptr);
    }
    QVERIFY(!found);
}

void BenchJsonNumbers::qJsonDocumentForComparison()
{
    double value = 0;
    QBENCHMARK {
        const QJsonDocument document = QJsonDocument::fromJson(m_event);
        value = document.object().value(QLatin1String("usage")).toObject()
                        .value(QLatin1String("output_tokens")).toDouble();
    }
    QCOMPARE(value, 567.0);
}

QTEST_GUILESS_MAIN(BenchJsonNumbers)
#include "bench_jsonnumbers.moc"
