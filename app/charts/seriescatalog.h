#pragma once

#include "seriesbuffer.h"

#include "sselib/filterexpression.h"
#include "sselib/sseevent.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QMetaType>
#include <QObject>
#include <QSet>
#include <QString>
#include <QTimer>

#include <functional>
#include <limits>
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
// Chart filter: setFilter() limits which events feed the plotted series (a filter language
// expression, Sse::FilterExpression; empty = every event). Discovery still sees every event, so
// the list keeps offering the series the filter leaves empty. Live events of a plotted type are
// tested with the compiled expression (one copy per batch, no parse per event). Changing the
// filter rebuilds every plotted series from the stored events in slices on the event loop (at
// most RebuildSliceMs of work per turn, newest first as the back-fill); live events arriving
// meanwhile go into the emptied buffers and the rebuilt older samples are put in front of them
// when the walk ends, so none is lost or counted twice.
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

    static constexpr int RebuildSliceMs = 8;

    /// One stored event as the history walk hands it over; the views live for the call.
    struct HistoryEvent
    {
        qint64 sequence = 0;
        qint64 timeMs = 0;
        QByteArrayView id;
        QByteArrayView data;
    };
    /// Called with one stored event, newest first; returns false to stop the walk.
    using HistoryVisitor = std::function<bool(const HistoryEvent &event)>;
    /// Walks the stored events of `connection` and `type` whose sequence number is below
    /// `before`, from the newest back, calling `visit` for each until it returns false.
    using History = std::function<void(quint16 connection, const QByteArray &type, qint64 before,
                                       const HistoryVisitor &visit)>;

    explicit SeriesCatalog(QObject *parent = nullptr);
    ~SeriesCatalog() override;

    /// Feeds one batch of events from `connection`. Emits seriesDiscovered() and
    /// samplesAppended() at most once each. `firstSequence` is the store's sequence number of
    /// the first event (for the filter's `seq` field and the rebuild); -1 when not stored.
    void ingest(quint16 connection, const Sse::EventList &events, qint64 firstSequence = -1);
    void ingest(quint16 connection, const Sse::EventBatch &events, qint64 firstSequence = -1);

    /// Only events \a expression matches feed the plotted series (an invalid expression is
    /// ignored: the filter in force stays). A change rebuilds the plotted series (see above).
    void setFilter(const Sse::FilterExpression &expression);
    Sse::FilterExpression filter() const { return m_filter; }
    /// The name the filter's `connection` field reads for `connection`.
    void setConnectionName(quint16 connection, const QString &name);
    /// True while a filter change is being applied to the stored events.
    bool isRebuilding() const { return m_rebuildTimer.isActive(); }

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
    /// A filter change started (true) or finished (false) rebuilding the plotted series.
    void rebuildingChanged(bool rebuilding);

private:
    template<typename Events>
    void ingestEvents(quint16 connection, const Events &events, qint64 firstSequence);

    struct PlottedSeries
    {
        SeriesKey key;
        SeriesBuffer buffer;
        // While a filter change is rebuilding the series: where the walk goes on (it reads
        // sequences below this), how far back it goes, and the samples found, newest first.
        bool rebuilding = false;
        qint64 rebuildBefore = 0;
        qint64 rebuildFromMs = 0;
        std::vector<SeriesBuffer::Sample> rebuilt;
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
    /// Walks the history of `series` on from where it stopped, for at most `budgetMs` (no
    /// limit when negative); true when the walk is complete.
    bool walkHistory(PlottedSeries *series, qint64 budgetMs);
    /// Puts the samples the walk found in front of those in the buffer.
    static void finishRebuild(PlottedSeries *series);
    void rebuildSlice();
    /// True when the filter lets the event through (the fields it reads only are filled).
    bool passesFilter(Sse::FilterExpression::Fields fields, quint16 connection, QByteArrayView type,
                      QByteArrayView id, QByteArrayView data, qint64 timeMs, qint64 sequence) const;

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
    Sse::FilterExpression m_filter; // valid; empty = every event
    QHash<quint16, QByteArray> m_connectionNames; // UTF-8, for the filter's connection field
    QTimer m_rebuildTimer;
    // The first stored event ingested live since the rebuild started: the walk leaves it and
    // the later ones alone (they are in the buffers already).
    qint64 m_rebuildLiveFrom = std::numeric_limits<qint64>::max();
};
