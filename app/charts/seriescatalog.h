#pragma once

#include "seriesbuffer.h"

#include "sselib/sseevent.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QMetaType>
#include <QObject>
#include <QSet>
#include <QString>

#include <functional>
#include <memory>
#include <vector>

/// Names one numeric series: the number at `path` in the data of events of type
/// `eventType` on connection `connection`. An empty path is data that is a plain number.
/// A split series takes only the events whose top-level string member `splitField` is
/// `splitValue` (raw JSON string content, as sent); both are empty for the whole series.
struct SeriesKey
{
    quint16 connection = 0;
    QByteArray eventType;
    QByteArray path;
    QByteArray splitField;
    QByteArray splitValue;

    bool isSplit() const { return !splitField.isEmpty(); }

    /// "conn / tick / usage.output_tokens" ("conn / tick" for a plain number), and for a
    /// split series "conn / quote / price · symbol = BTC". An empty connection name falls
    /// back to "#<connection>".
    QString displayName(const QString &connectionName) const;

    friend bool operator==(const SeriesKey &left, const SeriesKey &right)
    {
        return left.connection == right.connection && left.eventType == right.eventType
                && left.path == right.path && left.splitField == right.splitField
                && left.splitValue == right.splitValue;
    }
    friend bool operator!=(const SeriesKey &left, const SeriesKey &right)
    {
        return !(left == right);
    }
};

size_t qHash(const SeriesKey &key, size_t seed = 0) noexcept;

Q_DECLARE_METATYPE(SeriesKey)

// Finds numeric series in the event stream and records the ones selected for plotting.
//
// Split by: while discovering, the catalog also watches the top-level string members of each
// type. A member that every sampled event carries, with between 2 and MaximumSplitValues
// distinct values that repeat (at most half as many values as samples, after at least
// MinimumSplitSamples samples), becomes the type's split field: from then on each numeric
// path is also discovered once per value (`price · symbol = BTC`), so five symbols in one
// stream give five series instead of one zig-zag line. setSplitField() overrides the choice.
//
// Back-fill: a series that starts being plotted is first filled from the events already
// stored, through the History callback (setHistory()), newest first back to
// backfillSpanMs() before the newest stored event and at most bufferCapacity() samples.
//
// Discovery scans only a sample of the events: at most discoveryEventsPerSecond() events
// per (connection, type) and per second of event time (Sse::Event::receivedMs), so its
// cost does not grow with the event rate. Plotted series read every event of their
// connection and type with JsonNumbers::extractNumber() into a SeriesBuffer.
// Memory is bounded: at most maximumSeriesPerConnection() discovered series and
// MaximumTypesPerConnection event types per connection, and paths longer than
// MaximumPathLength bytes are ignored.
//
// Lives in the GUI thread; ingest() takes the batches the client delivers there.
class SeriesCatalog : public QObject
{
    Q_OBJECT

public:
    static constexpr int DefaultDiscoveryEventsPerSecond = 20;
    static constexpr int DefaultMaximumSeriesPerConnection = 500;
    static constexpr int MaximumTypesPerConnection = 1000;
    static constexpr int MaximumPathLength = 256;
    static constexpr int MaximumSplitValues = 16;
    static constexpr int MinimumSplitSamples = 10;
    static constexpr qint64 DefaultBackfillSpanMs = 15 * 60 * 1000;

    /// Called with one stored event, newest first; returns false to stop the walk.
    using HistoryVisitor = std::function<bool(qint64 timeMs, QByteArrayView data)>;
    /// Walks the stored events of `connection` and `type` from the newest back, calling
    /// `visit` for each until it returns false.
    using History = std::function<void(quint16 connection, const QByteArray &type,
                                       const HistoryVisitor &visit)>;

    explicit SeriesCatalog(QObject *parent = nullptr);
    ~SeriesCatalog() override;

    /// Feeds one batch of events from `connection`. Emits seriesDiscovered() and
    /// samplesAppended() at most once each.
    void ingest(quint16 connection, const Sse::EventList &events);
    void ingest(quint16 connection, const Sse::EventBatch &events);

    /// All discovered series, in discovery order.
    QList<SeriesKey> discoveredSeries() const { return m_discovered; }
    bool isDiscovered(const SeriesKey &key) const;

    /// Where back-fill reads the events already received (none by default).
    void setHistory(History history) { m_history = std::move(history); }
    /// How far back a newly plotted series is back-filled; 0 is as far as the store reaches.
    void setBackfillSpanMs(qint64 spanMs) { m_backfillSpanMs = qMax<qint64>(0, spanMs); }
    qint64 backfillSpanMs() const { return m_backfillSpanMs; }

    /// The split field chosen for `type` on `connection` (empty when there is none yet).
    QByteArray splitField(quint16 connection, const QByteArray &type) const;
    /// Splits `type` by `field` from now on (an empty field: never split); replaces the
    /// automatic choice.
    void setSplitField(quint16 connection, const QByteArray &type, const QByteArray &field);

    /// Starts or stops recording a series. Starting back-fills it (see above). A key need not be discovered first (for
    /// example when restoring a saved selection). Emits plottedChanged() on a change.
    void setPlotted(const SeriesKey &key, bool plotted);
    bool isPlotted(const SeriesKey &key) const;
    /// Plotted series in the order they were selected.
    QList<SeriesKey> plottedSeries() const;
    /// The samples of a plotted series, or nullptr if it is not plotted. Valid until the
    /// series is unplotted or the catalog is cleared.
    const SeriesBuffer *buffer(const SeriesKey &key) const;

    int discoveryEventsPerSecond() const { return m_discoveryEventsPerSecond; }
    void setDiscoveryEventsPerSecond(int count);
    int maximumSeriesPerConnection() const { return m_maximumSeriesPerConnection; }
    void setMaximumSeriesPerConnection(int count);
    /// Capacity of the buffers of series plotted from now on.
    int bufferCapacity() const { return m_bufferCapacity; }
    void setBufferCapacity(int samples);

    /// Forgets every discovered and plotted series.
    void clear();

Q_SIGNALS:
    void seriesDiscovered(const QList<SeriesKey> &keys);
    void plottedChanged(const SeriesKey &key, bool plotted);
    /// At least one plotted series received samples during the last ingest().
    void samplesAppended();
    void cleared();

private:
    template<typename Events>
    void ingestEvents(quint16 connection, const Events &events);

    struct PlottedSeries
    {
        SeriesKey key;
        SeriesBuffer buffer;
    };

    struct PlottedPath
    {
        QByteArray path;
        QByteArray splitField;
        QByteArray splitValue;
        SeriesBuffer *buffer = nullptr;
    };

    // Distinct values of one top-level string member among the sampled events.
    struct StringField
    {
        QSet<QByteArray> values;
        int seen = 0; // sampled events that carried it
    };

    enum class SplitChoice { Undecided, Chosen, Never };

    struct TypeState
    {
        qint64 second = -1;  // event-time second the scan counter belongs to
        int scannedThisSecond = 0;
        QSet<QByteArray> knownPaths;
        QList<PlottedPath> plotted;
        // Split-field discovery; `fields` is dropped once the choice is made.
        SplitChoice splitChoice = SplitChoice::Undecided;
        QByteArray splitField;
        int splitSamples = 0;
        QHash<QByteArray, StringField> fields;
        QSet<QByteArray> knownSplitSeries; // path + '\0' + value
    };

    struct ConnectionState
    {
        QHash<QByteArray, TypeState> types;
        int seriesCount = 0;
    };

    enum class TypeLookup { CreateBounded, CreateAlways };

    void sampleStringFields(TypeState *state, QByteArrayView data);
    void backfill(PlottedSeries *series);

    TypeState *typeState(quint16 connection, const QByteArray &type, TypeLookup lookup);
    void rebuildPlottedPaths(quint16 connection, const QByteArray &type);

    QHash<quint16, ConnectionState> m_connections;
    QList<SeriesKey> m_discovered;
    std::vector<std::unique_ptr<PlottedSeries>> m_plotted;
    int m_discoveryEventsPerSecond = DefaultDiscoveryEventsPerSecond;
    int m_maximumSeriesPerConnection = DefaultMaximumSeriesPerConnection;
    int m_bufferCapacity = SeriesBuffer::DefaultCapacity;
    History m_history;
    qint64 m_backfillSpanMs = DefaultBackfillSpanMs;
};
