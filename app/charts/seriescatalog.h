#pragma once

#include "seriesbuffer.h"

#include <sselib/sseevent.h>

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QMetaType>
#include <QObject>
#include <QSet>
#include <QString>

#include <memory>
#include <vector>

/// Names one numeric series: the number at `path` in the data of events of type
/// `eventType` on connection `connection`. An empty path is data that is a plain number.
struct SeriesKey
{
    quint16 connection = 0;
    QByteArray eventType;
    QByteArray path;

    /// "conn / tick / usage.output_tokens" ("conn / tick" for a plain number). An empty
    /// connection name falls back to "#<connection>".
    QString displayName(const QString &connectionName) const;

    friend bool operator==(const SeriesKey &left, const SeriesKey &right)
    {
        return left.connection == right.connection && left.eventType == right.eventType
                && left.path == right.path;
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

    explicit SeriesCatalog(QObject *parent = nullptr);
    ~SeriesCatalog() override;

    /// Feeds one batch of events from `connection`. Emits seriesDiscovered() and
    /// samplesAppended() at most once each.
    void ingest(quint16 connection, const Sse::EventList &events);
    void ingest(quint16 connection, const Sse::EventBatch &events);

    /// All discovered series, in discovery order.
    QList<SeriesKey> discoveredSeries() const { return m_discovered; }
    bool isDiscovered(const SeriesKey &key) const;

    /// Starts or stops recording a series. A key need not be discovered first (for
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
        SeriesBuffer *buffer = nullptr;
    };

    struct TypeState
    {
        qint64 second = -1;  // event-time second the scan counter belongs to
        int scannedThisSecond = 0;
        QSet<QByteArray> knownPaths;
        QList<PlottedPath> plotted;
    };

    struct ConnectionState
    {
        QHash<QByteArray, TypeState> types;
        int seriesCount = 0;
    };

    enum class TypeLookup { CreateBounded, CreateAlways };

    TypeState *typeState(quint16 connection, const QByteArray &type, TypeLookup lookup);
    void rebuildPlottedPaths(quint16 connection, const QByteArray &type);

    QHash<quint16, ConnectionState> m_connections;
    QList<SeriesKey> m_discovered;
    std::vector<std::unique_ptr<PlottedSeries>> m_plotted;
    int m_discoveryEventsPerSecond = DefaultDiscoveryEventsPerSecond;
    int m_maximumSeriesPerConnection = DefaultMaximumSeriesPerConnection;
    int m_bufferCapacity = SeriesBuffer::DefaultCapacity;
};
