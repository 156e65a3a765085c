#include "seriesbuffer.h"

#include <algorithm>
#include <cmath>

SeriesBuffer::SeriesBuffer(int capacity)
    : m_capacity(qMax(1, capacity))
{
}

void SeriesBuffer::setCapacity(int capacity)
{
    capacity = qMax(1, capacity);
    if (capacity == m_capacity)
        return;
    const int kept = qMin(size(), capacity);
    std::vector<Sample> samples;
    samples.reserve(size_t(kept));
    for (int i = size() - kept; i < size(); ++i)
        samples.push_back(at(i));
    m_samples = std::move(samples);
    m_capacity = capacity;
    m_head = 0;
}

void SeriesBuffer::clear()
{
    m_samples.clear();
    m_head = 0;
}

void SeriesBuffer::append(qint64 timeMs, double value)
{
    if (!std::isfinite(value))
        return;
    if (!m_samples.empty())
        timeMs = qMax(timeMs, last().timeMs);

    if (int(m_samples.size()) < m_capacity) {
        // Grow geometrically but never past the capacity, so a series that only ever
        // sees a few samples stays small and a full one uses exactly m_capacity slots.
        if (m_samples.size() == m_samples.capacity()) {
            const size_t wanted = qMax<size_t>(1024, m_samples.size() * 2);
            m_samples.reserve(qMin(wanted, size_t(m_capacity)));
        }
        m_samples.push_back({ timeMs, value });
        return;
    }
    m_samples[size_t(m_head)] = { timeMs, value };
    if (++m_head == m_capacity)
        m_head = 0;
}

int SeriesBuffer::lowerBound(qint64 timeMs) const
{
    int low = 0;
    int high = size();
    while (low < high) {
        const int middle = low + (high - low) / 2;
        if (at(middle).timeMs < timeMs)
            low = middle + 1;
        else
            high = middle;
    }
    return low;
}

int SeriesBuffer::upperBound(qint64 timeMs) const
{
    int low = 0;
    int high = size();
    while (low < high) {
        const int middle = low + (high - low) / 2;
        if (at(middle).timeMs <= timeMs)
            low = middle + 1;
        else
            high = middle;
    }
    return low;
}

SeriesBuffer::ValueRange SeriesBuffer::valueRange(qint64 fromMs, qint64 toMs) const
{
    ValueRange range;
    if (fromMs > toMs)
        return range;
    const int begin = lowerBound(fromMs);
    const int end = upperBound(toMs);
    for (int i = begin; i < end; ++i) {
        const double value = at(i).value;
        if (!range.valid) {
            range.minimum = range.maximum = value;
            range.valid = true;
        } else {
            range.minimum = qMin(range.minimum, value);
            range.maximum = qMax(range.maximum, value);
        }
    }
    return range;
}

QList<QPointF> SeriesBuffer::decimate(qint64 fromMs, qint64 toMs, int buckets) const
{
    QList<QPointF> points;
    if (fromMs > toMs)
        return points;
    buckets = qMax(1, buckets);
    const int begin = lowerBound(fromMs);
    const int end = upperBound(toMs);
    const int count = end - begin;
    if (count <= 0)
        return points;

    auto pointAt = [this](int index) {
        const Sample sample = at(index);
        return QPointF(double(sample.timeMs), sample.value);
    };

    if (count <= 2 * buckets) {
        points.reserve(count);
        for (int i = begin; i < end; ++i)
            points.append(pointAt(i));
        return points;
    }

    points.reserve(2 * buckets + 2);
    // Emitted indices only ever increase, so comparing with the last one removes the
    // duplicates where a bucket extreme is also the window's first or last sample.
    int lastEmitted = -1;
    auto emitIndex = [&](int index) {
        if (index > lastEmitted) {
            points.append(pointAt(index));
            lastEmitted = index;
        }
    };

    // Doubles avoid overflow for wide windows; a bucket index is only ever clamped down.
    const double scale = double(buckets) / (double(toMs) - double(fromMs) + 1.0);
    int bucket = -1;
    int minimumIndex = begin;
    int maximumIndex = begin;
    double minimum = 0;
    double maximum = 0;
    auto flush = [&] {
        emitIndex(qMin(minimumIndex, maximumIndex));
        emitIndex(qMax(minimumIndex, maximumIndex));
    };

    emitIndex(begin);
    int physical = physicalIndex(begin);
    const int stored = size();
    for (int i = begin; i < end; ++i) {
        const Sample &sample = m_samples[size_t(physical)];
        if (++physical == stored)
            physical = 0;
        const int sampleBucket = qMin(int((double(sample.timeMs) - double(fromMs)) * scale),
                                      buckets - 1);
        if (sampleBucket != bucket) {
            if (bucket >= 0)
                flush();
            bucket = sampleBucket;
            minimumIndex = maximumIndex = i;
            minimum = maximum = sample.value;
            continue;
        }
        if (sample.value < minimum) {
            minimum = sample.value;
            minimumIndex = i;
        } else if (sample.value > maximum) {
            maximum = sample.value;
            maximumIndex = i;
        }
    }
    flush();
    emitIndex(end - 1);
    return points;
}
