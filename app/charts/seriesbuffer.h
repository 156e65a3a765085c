#pragma once

#include <QList>
#include <QPointF>
#include <QtGlobal>

#include <vector>

// A fixed-capacity ring of (time, value) samples for one plotted series. Appending is
// O(1); once the buffer is full the oldest sample is overwritten.
//
// Times are milliseconds since the Unix epoch. They are kept non-decreasing: a sample
// older than the newest one (wall clock stepped back) is stored at the newest time, so
// window lookups can binary-search. Points returned by decimate() use the same unit as
// x (ms since epoch as a double), which is what QDateTimeAxis expects.
//
// Not a QObject and not thread-safe; it lives with its SeriesCatalog in the GUI thread.
class SeriesBuffer
{
public:
    struct Sample
    {
        qint64 timeMs = 0;
        double value = 0;
    };

    struct ValueRange
    {
        double minimum = 0;
        double maximum = 0;
        bool valid = false;
    };

    static constexpr int DefaultCapacity = 100000;

    explicit SeriesBuffer(int capacity = DefaultCapacity);

    int capacity() const { return m_capacity; }
    int size() const { return int(m_samples.size()); }
    bool isEmpty() const { return m_samples.empty(); }

    /// Changes the capacity, keeping the newest samples that still fit.
    void setCapacity(int capacity);
    void clear();

    /// Adds a sample; non-finite values are dropped.
    void append(qint64 timeMs, double value);

    /// Sample by age: 0 is the oldest, size() - 1 the newest. `index` must be valid.
    Sample at(int index) const { return m_samples[physicalIndex(index)]; }
    Sample first() const { return at(0); }
    Sample last() const { return at(size() - 1); }

    /// Index of the first sample with time >= timeMs (size() if none).
    int lowerBound(qint64 timeMs) const;
    /// Index of the first sample with time > timeMs (size() if none).
    int upperBound(qint64 timeMs) const;

    /// Smallest and largest value among the samples with fromMs <= time <= toMs.
    ValueRange valueRange(qint64 fromMs, qint64 toMs) const;

    /// Min/max downsampling of the samples with fromMs <= time <= toMs. The window is cut
    /// into `buckets` equal time slices (use the plot width in pixels); each slice
    /// contributes its smallest and largest sample, in time order, and the first and last
    /// samples of the window are always included. The result therefore has at most
    /// 2 * buckets + 2 points and the same extremes as the window. When the window holds
    /// no more than 2 * buckets samples they are returned unchanged.
    QList<QPointF> decimate(qint64 fromMs, qint64 toMs, int buckets) const;

private:
    int physicalIndex(int index) const
    {
        int physical = m_head + index;
        if (physical >= int(m_samples.size()))
            physical -= int(m_samples.size());
        return physical;
    }

    // Grows to m_capacity, then wraps; m_head is the oldest sample once full (0 before).
    std::vector<Sample> m_samples;
    int m_capacity = DefaultCapacity;
    int m_head = 0;
};
