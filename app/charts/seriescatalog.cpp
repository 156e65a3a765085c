#include "seriescatalog.h"

#include "jsonnumbers.h"

#include <QElapsedTimer>
#include <QHashFunctions>

#include <algorithm>
#include <limits>

QString SeriesKey::displayName(const QString &connectionName) const
{
    const QString connectionPart = connectionName.isEmpty()
            ? QStringLiteral("#") + QString::number(connection)
            : connectionName;
    QString name = connectionPart + QLatin1String(" / ") + QString::fromUtf8(eventType);
    if (!path.isEmpty())
        name += QLatin1String(" / ") + QString::fromUtf8(path);
    if (isSplit()) {
        name += QStringLiteral(" \u00b7 ") + QString::fromUtf8(splitField) + QLatin1String(" = ")
                + QString::fromUtf8(splitValue);
    }
    return name;
}

size_t qHash(const SeriesKey &key, size_t seed) noexcept
{
    return qHashMulti(seed, key.connection, key.eventType, key.path, key.splitField,
                      key.splitValue);
}

namespace {

// Split values longer than this are not treated as keys (they are text, not a symbol).
constexpr qsizetype MaximumSplitValueLength = 64;
// At most this many string members per type are watched for a split field.
constexpr int MaximumWatchedFields = 32;
// A type whose sampled events gave no split field after this many samples is never split.
constexpr int SplitDecisionSamples = 200;
// The history walk looks at the clock once per this many events.
constexpr int ClockStride = 256;
constexpr qint64 NoTime = std::numeric_limits<qint64>::min();
constexpr qint64 NoSequence = std::numeric_limits<qint64>::max();

bool matchesSplit(QByteArrayView data, const QByteArray &field, const QByteArray &value)
{
    if (field.isEmpty())
        return true;
    QByteArrayView found;
    return JsonNumbers::extractTopLevelString(data, field, &found) && found == value;
}

} // namespace

SeriesCatalog::SeriesCatalog(QObject *parent)
    : QObject(parent)
{
    m_rebuildTimer.setInterval(0);
    connect(&m_rebuildTimer, &QTimer::timeout, this, &SeriesCatalog::rebuildSlice);
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

void SeriesCatalog::ingest(quint16 connection, const Sse::EventList &events, qint64 firstSequence)
{
    ingestEvents(connection, events, firstSequence);
}

void SeriesCatalog::ingest(quint16 connection, const Sse::EventBatch &events, qint64 firstSequence)
{
    ingestEvents(connection, events, firstSequence);
}

void SeriesCatalog::setConnectionName(quint16 connection, const QString &name)
{
    m_connectionNames.insert(connection, name.toUtf8());
}

bool SeriesCatalog::passesFilter(Sse::FilterExpression::Fields fields, quint16 connection,
                                 QByteArrayView type, QByteArrayView id, QByteArrayView data,
                                 qint64 timeMs, qint64 sequence) const
{
    using Field = Sse::FilterExpression::Field;
    Sse::FilterFields event;
    event.type = type;
    if (fields & Field::Id)
        event.id = id;
    if (fields & Field::Data)
        event.data = data;
    if (fields & Field::Connection) {
        const auto name = m_connectionNames.constFind(connection);
        if (name != m_connectionNames.cend())
            event.connection = *name;
    }
    event.timeMs = timeMs;
    event.sequence = sequence;
    return m_filter.matches(event);
}

// Events are Sse::Event (QByteArray fields) or Sse::EventView (read in place in a batch).
template<typename Events>
void SeriesCatalog::ingestEvents(quint16 connection, const Events &events, qint64 firstSequence)
{
    if (events.isEmpty())
        return;
    if (isRebuilding() && firstSequence >= 0 && m_rebuildLiveFrom == NoSequence)
        m_rebuildLiveFrom = firstSequence;
    // The compiled filter is looked at once per batch; per event only matches() runs, and
    // only for events of a plotted type.
    const bool filtered = !m_filter.isEmpty();
    const Sse::FilterExpression::Fields filterFields = m_filter.fields();
    qint64 index = -1;

    ConnectionState &connectionState = m_connections[connection];
    QList<SeriesKey> discovered;
    bool appended = false;

    // Consecutive events usually share a type, so the hash lookup is only repeated when
    // the type changes. `state` stays valid until the next insertion into the type hash,
    // which only typeState() does.
    QByteArray currentType;
    TypeState *state = nullptr;
    bool looked = false;

    QByteArrayView splitValue; // the current event's value of the type's split field
    auto discover = [&](QByteArrayView path, double) {
        if (path.size() > MaximumPathLength
            || connectionState.seriesCount >= m_maximumSeriesPerConnection) {
            return;
        }
        // A raw-data view makes the lookup allocation-free; only new paths are copied.
        if (!state->knownPaths.contains(QByteArray::fromRawData(path.data(), path.size()))) {
            const QByteArray copy(path.data(), path.size());
            state->knownPaths.insert(copy);
            ++connectionState.seriesCount;
            SeriesKey key { connection, currentType, copy, {}, {} };
            m_discovered.append(key);
            discovered.append(std::move(key));
        }
        if (splitValue.isEmpty() || connectionState.seriesCount >= m_maximumSeriesPerConnection)
            return;
        QByteArray splitKey(path.data(), path.size());
        splitKey.append('\0');
        splitKey.append(splitValue.data(), splitValue.size());
        if (state->knownSplitSeries.contains(splitKey))
            return;
        state->knownSplitSeries.insert(splitKey);
        ++connectionState.seriesCount;
        SeriesKey key { connection, currentType, QByteArray(path.data(), path.size()),
                        state->splitField, splitValue.toByteArray() };
        m_discovered.append(key);
        discovered.append(std::move(key));
    };

    for (const auto &event : events) {
        ++index;
        const QByteArrayView type(event.type);
        if (!looked || type.size() != currentType.size()
            || std::memcmp(type.data(), currentType.constData(), size_t(type.size())) != 0) {
            currentType = type.toByteArray();
            state = typeState(connection, currentType, TypeLookup::CreateBounded);
            looked = true;
        }
        if (!state)
            continue;

        const bool plot = !state->plotted.isEmpty()
            && (!filtered
                || passesFilter(filterFields, connection, type, event.lastEventId, event.data,
                                event.receivedMs, firstSequence >= 0 ? firstSequence + index : 0));
        for (const PlottedPath &plotted : std::as_const(state->plotted)) {
            if (!plot)
                break;
            double value = 0;
            if (matchesSplit(event.data, plotted.splitField, plotted.splitValue)
                && JsonNumbers::extractNumber(event.data, plotted.path, &value)) {
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
        if (state->splitChoice == SplitChoice::Undecided)
            sampleStringFields(state, event.data);
        splitValue = QByteArrayView();
        if (state->splitChoice == SplitChoice::Chosen) {
            QByteArrayView found;
            if (JsonNumbers::extractTopLevelString(event.data, state->splitField, &found)
                && !found.isEmpty() && found.size() <= MaximumSplitValueLength) {
                splitValue = found;
            }
        }
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

void SeriesCatalog::sampleStringFields(TypeState *state, QByteArrayView data)
{
    ++state->splitSamples;
    JsonNumbers::forEachTopLevelString(data, [state](QByteArrayView key, QByteArrayView value) {
        if (key.isEmpty() || key.size() > MaximumPathLength)
            return;
        auto it = state->fields.find(QByteArray::fromRawData(key.data(), key.size()));
        if (it == state->fields.end()) {
            // Only fields present from the first sample on can be in every event.
            if (state->splitSamples > 1 || state->fields.size() >= MaximumWatchedFields)
                return;
            it = state->fields.insert(key.toByteArray(), StringField());
        }
        ++it->seen;
        if (it->values.size() <= MaximumSplitValues && value.size() <= MaximumSplitValueLength)
            it->values.insert(value.toByteArray());
        else
            it->values.insert(QByteArray()); // marks the field as no key
    });

    if (state->splitSamples < MinimumSplitSamples)
        return;
    // Fields in document order of the first event would be nicer; the hash order is not
    // stable, so the choice is the qualifying field with the fewest values, then by name.
    QByteArray best;
    qsizetype bestValues = 0;
    for (auto it = state->fields.cbegin(); it != state->fields.cend(); ++it) {
        const qsizetype values = it->values.size();
        if (it->seen != state->splitSamples || it->values.contains(QByteArray()) || values < 2
            || values > MaximumSplitValues || values * 2 > state->splitSamples) {
            continue;
        }
        if (best.isEmpty() || values < bestValues || (values == bestValues && it.key() < best)) {
            best = it.key();
            bestValues = values;
        }
    }
    if (!best.isEmpty()) {
        state->splitChoice = SplitChoice::Chosen;
        state->splitField = best;
    } else if (state->splitSamples >= SplitDecisionSamples) {
        state->splitChoice = SplitChoice::Never;
    }
    if (state->splitChoice != SplitChoice::Undecided)
        state->fields.clear();
}

QByteArray SeriesCatalog::splitField(quint16 connection, const QByteArray &type) const
{
    const auto it = m_connections.constFind(connection);
    if (it == m_connections.cend())
        return {};
    const auto typeIt = it->types.constFind(type);
    return typeIt == it->types.cend() ? QByteArray() : typeIt->splitField;
}

void SeriesCatalog::setSplitField(quint16 connection, const QByteArray &type,
                                  const QByteArray &field)
{
    TypeState *state = typeState(connection, type, TypeLookup::CreateAlways);
    state->splitChoice = field.isEmpty() ? SplitChoice::Never : SplitChoice::Chosen;
    state->splitField = field;
    state->fields.clear();
}

void SeriesCatalog::backfill(PlottedSeries *series)
{
    if (!m_history)
        return;
    series->rebuildBefore = NoSequence;
    series->rebuildFromMs = NoTime;
    walkHistory(series, -1);
    finishRebuild(series);
}

bool SeriesCatalog::walkHistory(PlottedSeries *series, qint64 budgetMs)
{
    const SeriesKey &key = series->key;
    const size_t capacity = size_t(series->buffer.capacity());
    const bool filtered = !m_filter.isEmpty();
    const Sse::FilterExpression::Fields filterFields = m_filter.fields();
    // Events ingested live since a filter change are in the buffer already.
    const qint64 liveFrom = series->rebuilding ? m_rebuildLiveFrom : NoSequence;
    QElapsedTimer clock;
    clock.start();
    int sinceClock = 0;
    bool complete = true;
    m_history(key.connection, key.eventType, series->rebuildBefore, [&](const HistoryEvent &event) {
        if (budgetMs >= 0 && ++sinceClock >= ClockStride) {
            sinceClock = 0;
            if (clock.elapsed() >= budgetMs) {
                complete = false; // this event is read again by the next slice
                return false;
            }
        }
        series->rebuildBefore = event.sequence;
        // The span counts back from the newest stored event of the type, not from
        // now, so a stream that stopped a while ago still shows its last window.
        if (series->rebuildFromMs == NoTime && m_backfillSpanMs > 0)
            series->rebuildFromMs = event.timeMs - m_backfillSpanMs;
        if (event.timeMs < series->rebuildFromMs)
            return false;
        if (event.sequence >= liveFrom)
            return true;
        double value = 0;
        if (matchesSplit(event.data, key.splitField, key.splitValue)
            && (!filtered
                || passesFilter(filterFields, key.connection, key.eventType, event.id, event.data,
                                event.timeMs, event.sequence))
            && JsonNumbers::extractNumber(event.data, key.path, &value)) {
            series->rebuilt.push_back({event.timeMs, value});
        }
        return series->rebuilt.size() < capacity;
    });
    return complete;
}

void SeriesCatalog::finishRebuild(PlottedSeries *series)
{
    SeriesBuffer buffer(series->buffer.capacity());
    for (auto it = series->rebuilt.crbegin(); it != series->rebuilt.crend(); ++it)
        buffer.append(it->timeMs, it->value);
    for (int i = 0; i < series->buffer.size(); ++i) {
        const SeriesBuffer::Sample sample = series->buffer.at(i);
        buffer.append(sample.timeMs, sample.value);
    }
    series->buffer = std::move(buffer); // same address: the plotted paths point at it
    std::vector<SeriesBuffer::Sample>().swap(series->rebuilt);
    series->rebuilding = false;
}

void SeriesCatalog::setFilter(const Sse::FilterExpression &expression)
{
    if (!expression.isValid() || expression == m_filter)
        return;
    m_filter = expression;
    for (const auto &series : m_plotted) {
        series->buffer.clear();
        std::vector<SeriesBuffer::Sample>().swap(series->rebuilt);
        series->rebuilding = bool(m_history);
        series->rebuildBefore = NoSequence;
        series->rebuildFromMs = NoTime;
    }
    m_rebuildLiveFrom = NoSequence;
    if (!m_history || m_plotted.empty()) {
        emit samplesAppended(); // the buffers are empty now
        return;
    }
    const bool wasRebuilding = isRebuilding();
    m_rebuildTimer.start();
    if (!wasRebuilding)
        emit rebuildingChanged(true);
}

void SeriesCatalog::rebuildSlice()
{
    QElapsedTimer clock;
    clock.start();
    bool finished = false;
    for (const auto &series : m_plotted) {
        if (!series->rebuilding)
            continue;
        const qint64 left = RebuildSliceMs - clock.elapsed();
        if (left <= 0 || !walkHistory(series.get(), left)) {
            if (finished)
                emit samplesAppended();
            return; // the next slice goes on
        }
        finishRebuild(series.get());
        finished = true;
    }
    m_rebuildTimer.stop();
    m_rebuildLiveFrom = NoSequence;
    emit samplesAppended();
    emit rebuildingChanged(false);
}

void SeriesCatalog::setPlotted(const SeriesKey &key, bool plotted)
{
    if (isPlotted(key) == plotted)
        return;
    if (plotted) {
        auto series = std::make_unique<PlottedSeries>();
        series->key = key;
        series->buffer.setCapacity(m_bufferCapacity);
        backfill(series.get());
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
    const bool wasRebuilding = isRebuilding();
    m_rebuildTimer.stop();
    m_rebuildLiveFrom = NoSequence;
    m_connections.clear();
    m_discovered.clear();
    m_plotted.clear();
    emit cleared();
    if (wasRebuilding)
        emit rebuildingChanged(false);
}

void SeriesCatalog::rebuildPlottedPaths(quint16 connection, const QByteArray &type)
{
    TypeState *state = typeState(connection, type, TypeLookup::CreateAlways);
    state->plotted.clear();
    for (const auto &series : m_plotted) {
        if (series->key.connection == connection && series->key.eventType == type) {
            state->plotted.append({ series->key.path, series->key.splitField,
                                    series->key.splitValue, &series->buffer });
        }
    }
}
