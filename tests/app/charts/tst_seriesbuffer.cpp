#include "charts/seriesbuffer.h"

#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTest>

#include <cmath>
#include <limits>

class TestSeriesBuffer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();

    void appendKeepsOrder();
    void ringWrapOverwritesOldest();
    void timesNeverGoBackwards();
    void nonFiniteValuesAreDropped();
    void boundsAcrossWrap();
    void setCapacityKeepsNewest();
    void valueRange();
    void smallWindowIsReturnedUnchanged();
    void windowIsInclusive();
    void emptyOrReversedWindow();
    void decimationKeepsExtremes_data();
    void decimationKeepsExtremes();
    void decimationWithEqualTimes();
};

namespace {

struct WindowFacts
{
    int count = 0;
    double minimum = std::numeric_limits<double>::infinity();
    double maximum = -std::numeric_limits<double>::infinity();
    QPointF first;
    QPointF last;
};

// Brute-force reference over the whole buffer.
WindowFacts windowFacts(const SeriesBuffer &buffer, qint64 fromMs, qint64 toMs)
{
    WindowFacts facts;
    for (int i = 0; i < buffer.size(); ++i) {
        const SeriesBuffer::Sample sample = buffer.at(i);
        if (sample.timeMs < fromMs || sample.timeMs > toMs)
            continue;
        const QPointF point(double(sample.timeMs), sample.value);
        if (facts.count == 0)
            facts.first = point;
        facts.last = point;
        ++facts.count;
        facts.minimum = qMin(facts.minimum, sample.value);
        facts.maximum = qMax(facts.maximum, sample.value);
    }
    return facts;
}

} // namespace

void TestSeriesBuffer::init()
{
    QTest::failOnWarning(QRegularExpression(QStringLiteral(".*")));
}

void TestSeriesBuffer::appendKeepsOrder()
{
    SeriesBuffer buffer(10);
    QVERIFY(buffer.isEmpty());
    for (int i = 0; i < 4; ++i)
        buffer.append(100 + i, i * 1.5);
    QCOMPARE(buffer.size(), 4);
    QCOMPARE(buffer.capacity(), 10);
    QCOMPARE(buffer.first().timeMs, 100);
    QCOMPARE(buffer.last().timeMs, 103);
    QCOMPARE(buffer.at(2).value, 3.0);
}

void TestSeriesBuffer::ringWrapOverwritesOldest()
{
    SeriesBuffer buffer(5);
    for (int i = 0; i < 12; ++i)
        buffer.append(i, -i);
    QCOMPARE(buffer.size(), 5);
    for (int i = 0; i < 5; ++i) {
        QCOMPARE(buffer.at(i).timeMs, 7 + i);
        QCOMPARE(buffer.at(i).value, double(-(7 + i)));
    }
}

void TestSeriesBuffer::timesNeverGoBackwards()
{
    SeriesBuffer buffer(10);
    buffer.append(1000, 1);
    buffer.append(900, 2); // wall clock stepped back
    buffer.append(1001, 3);
    QCOMPARE(buffer.at(1).timeMs, 1000);
    QCOMPARE(buffer.at(1).value, 2.0);
    QCOMPARE(buffer.at(2).timeMs, 1001);
}

void TestSeriesBuffer::nonFiniteValuesAreDropped()
{
    SeriesBuffer buffer(10);
    buffer.append(1, std::numeric_limits<double>::quiet_NaN());
    buffer.append(2, std::numeric_limits<double>::infinity());
    buffer.append(3, 4.0);
    QCOMPARE(buffer.size(), 1);
    QCOMPARE(buffer.first().value, 4.0);
}

void TestSeriesBuffer::boundsAcrossWrap()
{
    SeriesBuffer buffer(8);
    for (int i = 0; i < 13; ++i) // times 0..12, buffer holds 5..12, physically wrapped
        buffer.append(i * 10, i);
    QCOMPARE(buffer.lowerBound(0), 0);
    QCOMPARE(buffer.lowerBound(50), 0);
    QCOMPARE(buffer.lowerBound(51), 1);
    QCOMPARE(buffer.lowerBound(120), 7);
    QCOMPARE(buffer.lowerBound(121), 8);
    QCOMPARE(buffer.upperBound(49), 0);
    QCOMPARE(buffer.upperBound(50), 1);
    QCOMPARE(buffer.upperBound(119), 7);
    QCOMPARE(buffer.upperBound(120), 8);
}

void TestSeriesBuffer::setCapacityKeepsNewest()
{
    SeriesBuffer buffer(6);
    for (int i = 0; i < 9; ++i)
        buffer.append(i, i);
    buffer.setCapacity(3);
    QCOMPARE(buffer.size(), 3);
    QCOMPARE(buffer.first().timeMs, 6);
    QCOMPARE(buffer.last().timeMs, 8);
    buffer.append(9, 9);
    QCOMPARE(buffer.size(), 3);
    QCOMPARE(buffer.first().timeMs, 7);
    buffer.setCapacity(10);
    buffer.append(10, 10);
    QCOMPARE(buffer.size(), 4);
    QCOMPARE(buffer.first().timeMs, 7);
    QCOMPARE(buffer.last().timeMs, 10);
}

void TestSeriesBuffer::valueRange()
{
    SeriesBuffer buffer(100);
    const double values[] = { 3, -2, 8, 5, 1 };
    for (int i = 0; i < 5; ++i)
        buffer.append(i * 100, values[i]);
    SeriesBuffer::ValueRange range = buffer.valueRange(100, 300);
    QVERIFY(range.valid);
    QCOMPARE(range.minimum, -2.0);
    QCOMPARE(range.maximum, 8.0);
    range = buffer.valueRange(301, 399);
    QVERIFY(!range.valid);
    range = buffer.valueRange(400, 400);
    QVERIFY(range.valid);
    QCOMPARE(range.minimum, 1.0);
    QCOMPARE(range.maximum, 1.0);
}

void TestSeriesBuffer::smallWindowIsReturnedUnchanged()
{
    SeriesBuffer buffer(100);
    for (int i = 0; i < 20; ++i)
        buffer.append(i, i % 3);
    const QList<QPointF> points = buffer.decimate(0, 19, 10); // 20 samples <= 2 * 10
    QCOMPARE(points.size(), 20);
    for (int i = 0; i < 20; ++i)
        QCOMPARE(points.at(i), QPointF(i, i % 3));
}

void TestSeriesBuffer::windowIsInclusive()
{
    SeriesBuffer buffer(100);
    for (int i = 0; i < 50; ++i)
        buffer.append(1'700'000'000'000 + i * 10, i);
    const QList<QPointF> points = buffer.decimate(1'700'000'000'100, 1'700'000'000'200, 100);
    QCOMPARE(points.size(), 11);
    QCOMPARE(points.constFirst().x(), 1'700'000'000'100.0);
    QCOMPARE(points.constLast().x(), 1'700'000'000'200.0);
}

void TestSeriesBuffer::emptyOrReversedWindow()
{
    SeriesBuffer buffer(100);
    QVERIFY(buffer.decimate(0, 100, 10).isEmpty());
    for (int i = 0; i < 10; ++i)
        buffer.append(i, i);
    QVERIFY(buffer.decimate(5, 4, 10).isEmpty());
    QVERIFY(buffer.decimate(20, 30, 10).isEmpty());
    QVERIFY(!buffer.valueRange(5, 4).valid);
}

void TestSeriesBuffer::decimationKeepsExtremes_data()
{
    QTest::addColumn<int>("capacity");
    QTest::addColumn<int>("samples");
    QTest::addColumn<int>("buckets");
    QTest::addColumn<qint64>("fromOffset"); // window relative to the first stored time
    QTest::addColumn<qint64>("toOffset");

    QTest::newRow("one bucket") << 1000 << 1000 << 1 << qint64(0) << qint64(999);
    QTest::newRow("seven buckets") << 1000 << 1000 << 7 << qint64(0) << qint64(999);
    QTest::newRow("plot width, full buffer") << 100000 << 100000 << 800 << qint64(0)
                                             << qint64(99999);
    QTest::newRow("plot width, wrapped ring") << 50000 << 120000 << 800 << qint64(0)
                                              << qint64(49999);
    QTest::newRow("window inside the ring") << 50000 << 120000 << 640 << qint64(12345)
                                            << qint64(40000);
    QTest::newRow("window wider than data") << 10000 << 10000 << 300 << qint64(-5000)
                                            << qint64(50000);
}

void TestSeriesBuffer::decimationKeepsExtremes()
{
    QFETCH(int, capacity);
    QFETCH(int, samples);
    QFETCH(int, buckets);
    QFETCH(qint64, fromOffset);
    QFETCH(qint64, toOffset);

    // A noisy sine with a few isolated spikes that a naive every-nth decimation loses.
    SeriesBuffer buffer(capacity);
    QRandomGenerator random(1234);
    for (int i = 0; i < samples; ++i) {
        double value = std::sin(i / 500.0) * 100 + random.bounded(10.0);
        if (i % 9973 == 4321)
            value = 1e4;
        if (i % 7919 == 17)
            value = -1e4;
        buffer.append(1'000'000 + i, value);
    }

    const qint64 base = buffer.first().timeMs;
    const qint64 fromMs = base + fromOffset;
    const qint64 toMs = base + toOffset;
    const QList<QPointF> points = buffer.decimate(fromMs, toMs, buckets);
    const WindowFacts facts = windowFacts(buffer, fromMs, toMs);
    QVERIFY(facts.count > 2 * buckets); // otherwise this would test the pass-through

    QVERIFY2(points.size() <= 2 * buckets + 2, QByteArray::number(points.size()).constData());
    QCOMPARE(points.constFirst(), facts.first);
    QCOMPARE(points.constLast(), facts.last);

    double minimum = points.constFirst().y();
    double maximum = minimum;
    QList<int> perBucket(buckets, 0);
    // Same bucket arithmetic as SeriesBuffer::decimate().
    const double scale = double(buckets) / (double(toMs) - double(fromMs) + 1.0);
    for (int i = 0; i < points.size(); ++i) {
        const QPointF &point = points.at(i);
        if (i > 0)
            QVERIFY(point.x() >= points.at(i - 1).x());
        QVERIFY(point.x() >= double(fromMs) && point.x() <= double(toMs));
        minimum = qMin(minimum, point.y());
        maximum = qMax(maximum, point.y());
        ++perBucket[qMin(int((point.x() - double(fromMs)) * scale), buckets - 1)];
    }
    QCOMPARE(minimum, facts.minimum);
    QCOMPARE(maximum, facts.maximum);
    // Two extremes per bucket, plus the window's first and last sample in their buckets.
    const int firstBucket = qMin(int((facts.first.x() - double(fromMs)) * scale), buckets - 1);
    const int lastBucket = qMin(int((facts.last.x() - double(fromMs)) * scale), buckets - 1);
    for (int bucket = 0; bucket < buckets; ++bucket) {
        const int allowed = 2 + (bucket == firstBucket ? 1 : 0) + (bucket == lastBucket ? 1 : 0);
        QVERIFY2(perBucket.at(bucket) <= allowed, QByteArray::number(bucket).constData());
    }
}

void TestSeriesBuffer::decimationWithEqualTimes()
{
    // A burst read delivers many events with the same receivedMs.
    SeriesBuffer buffer(10000);
    for (int i = 0; i < 5000; ++i)
        buffer.append(1000 + i / 1000, (i % 1000 == 500) ? 99.0 : (i % 7));
    const QList<QPointF> points = buffer.decimate(1000, 1004, 5);
    QVERIFY(points.size() <= 12);
    int spikes = 0;
    for (const QPointF &point : points)
        spikes += point.y() == 99.0 ? 1 : 0;
    QCOMPARE(spikes, 5);
}

QTEST_GUILESS_MAIN(TestSeriesBuffer)
#include "tst_seriesbuffer.moc"
