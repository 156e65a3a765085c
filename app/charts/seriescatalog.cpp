#include "seriescatalog.h"

#include "jsonnumbers.h"

#include <QHashFunctions>

#include <algorithm>

QString SeriesKey::displayName(const QString &connectionName) const
{
    const QString connectionPart = connectionName.isEmpty()
            ? QStringLiteral("#") + QString::number(connection)
            : connectionName;
    QString name = connectionPart + QLatin1String(" / ") + QString::fromUtf8(eventType);
    if (!path.isEmpty())
        name += QLatin1String(" / ") + QString::fromUtf8(path);
    return name;
}

size_t qHash(const SeriesKey &key, size_t seed) noexcept
{
    return qHashMulti(seed, key.connection, key.eventType, key.path);
}

SeriesCatalog::SeriesCatalog(QObject *parent)
    : QObject(parent)
{
}

SeriesCatalog::~SeriesCatalog() = default;

SeriesCatalog::TypeState *SeriesCatalog::typeState(quint16 connection, const QByteArray &type,
                                                    TypeLookup lookup)
{
    ConnectionState &state = m_connections[connection];
    auto it = state.types.find(type);
    if (it != state.types.end())
        return &it.value();
    if (lookup == TypeLookup::CreateBounded
        && (state.types.size() >= MaximumTypesPerConnection
            || type.size() > MaximumPathLength)) {
        return nullptr;
    }
    return &state.types.insert(type, TypeState()).value();
}

void SeriesCatalog::ingest(quint16 connection, const Sse::EventList &events)
{
    ingestEvents(connection, events);
}

void SeriesCatalog::ingest(quint16 connection, const Sse::EventBatch &events)
{
    ingestEvents(connection, events);
}

// Events are Sse::Event (QByteArray fields) or Sse::EventView (read in place in a batch).
template<typename Events>
void SeriesCatalog::ingestEvents(quint16 connection, const Events &events)
{
    if (events.isEmpty())
        return;

    ConnectionState &connectionState = m_connections[connection];
    QList<SeriesKey> discovered;
    bool appended = false;

    // Consecutive events usually share a type, so the hash lookup is only repeated when
    // the type changes. `state` stays valid until the next insertion into the type hash,
    // which only typeState() does.
    QByteArray currentType;
    TypeState *state = nullptr;
    bool looked = false;

    auto discover = [&](QByteArrayView path, double) {
        if (path.size() > MaximumPathLength
            || connectionState.seriesCount >= m_maximumSeriesPerConnection) {
            return;
        }
        // A raw-data view makes the lookup allocation-free; only new paths are copied.
        if (state->knownPaths.contains(QByteArray::fromRawData(path.data(), path.size())))
            return;
        const QByteArray copy(path.data(), path.size());
        state->knownPaths.insert(copy);
        ++connectionState.seriesCount;
        SeriesKey key { connection, currentType, copy };
        m_discovered.append(key);
        discovered.append(std::move(key));
    };

    for (const auto &event : events) {
        const QByteArrayView type(event.type);
        if (!looked || type.size() != currentType.size()
            || std::memcmp(type.data(), currentType.constData(), size_t(type.size())) != 0) {
            currentType = type.toByteArray();
            state = typeState(connection, currentType, TypeLookup::CreateBounded);
            looked = true;
        }
        if (!state)
            continue;

        for (const PlottedPath &plotted : std::as_const(state->plotted)) {
            double value = 0;
            if (JsonNumbers::extractNumber(event.data, plotted.path, &value)) {
                plotted.buffer->append(event.receivedMs, value);
                appended = true;
            }
        }

        if (connectionState.seriesCount >= m_maximumSeriesPerConnection)
            continue;
        const qint64 second = event.receivedMs / 1000;
        if (second != state->second) {
            state->second = second;
            state->scannedThisSecond = 0;
        }
        if (state->scannedThisSecond >= m_discoveryEventsPerSecond)
            continue;
        ++state->scannedThisSecond;
        JsonNumbers::forEachNumber(event.data, discover);
    }

    if (!discovered.isEmpty())
        emit seriesDiscovered(discovered);
    if (appended)
        emit samplesAppended();
}

bool SeriesCatalog::isDiscovered(const SeriesKey &key) const
{
    const auto connection = m_connections.constFind(key.connection);
    if (connection == m_connections.cend())
        return false;
    const auto type = connection->types.constFind(key.eventType);
    return type != connection->types.cend() && type->knownPaths.contains(key.path);
}

void SeriesCatalog::setPlotted(const SeriesKey &key, bool plotted)
{
    if (isPlotted(key) == plotted)
        return;
    if (plotted) {
        auto series = std::make_unique<PlottedSeries>();
        series->key = key;
        series->buffer.setCapacity(m_bufferCapacity);
        m_plotted.push_back(std::move(series));
        // Plotted types bypass the per-connection type limit: the user asked for them.
        typeState(key.connection, key.eventType, TypeLookup::CreateAlways);
    } else {
        m_plotted.erase(std::find_if(m_plotted.begin(), m_plotted.end(),
                                     [&key](const auto &series) { return series->key == key; }));
    }
    rebuildPlottedPaths(key.connection, key.eventType);
    emit plottedChanged(key, plotted);
}

bool SeriesCatalog::isPlotted(const SeriesKey &key) const
{
    return buffer(key) != nullptr;
}

QList<SeriesKey> SeriesCatalog::plottedSeries() const
{
    QList<SeriesKey> keys;
    keys.reserve(qsizetype(m_plotted.size()));
    for (const auto &series : m_plotted)
        keys.append(series->key);
    return keys;
}

const SeriesBuffer *SeriesCatalog::buffer(const SeriesKey &key) const
{
    for (const auto &series : m_plotted) {
        if (series->key == key)
            return &series->buffer;
    }
    return nullptr;
}

void SeriesCatalog::setDiscoveryEventsPerSecond(int count)
{
    m_discoveryEventsPerSecond = qMax(0, count);
}

void SeriesCatalog::setMaximumSeriesPerConnection(int count)
{
    m_maximumSeriesPerConnection = qMax(0, count);
}

void SeriesCatalog::setBufferCapacity(int samples)
{
    m_bufferCapacity = qMax(1, samples);
}

void SeriesCatalog::clear()
{
    m_connections.clear();
    m_discovered.clear();
    m_plotted.clear();
    emit cleared();
}

void SeriesCatalog::rebuildPlottedPaths(quint16 connection, const QByteArray &type)
{
    TypeState *state = typeState(connection, type, TypeLookup::CreateAlways);
    state->plotted.clear();
    for (const auto &series : m_plotted) {
        if (series->key.connection == connection && series->key.eventType == type)
            state->plotted.append({ series->key.path, &series->buffer });
    }
}
