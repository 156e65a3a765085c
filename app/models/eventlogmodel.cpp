#include "models/eventlogmodel.h"

#include "models/colouringrules.h"
#include "models/eventstore.h"

#include "sselib/jsonscan.h"
#include "sselib/textpreview.h"

#include <QColor>
#include <QDateTime>
#include <QElapsedTimer>
#include <QIcon>
#include <QFont>
#include <QGuiApplication>
#include <QPalette>
#include <QLoggingCategory>
#include <QTextDocument>

#include <algorithm>
#include <climits>

Q_LOGGING_CATEGORY(lcEventLog, "ssemonitor.models.eventlog", QtInfoMsg)

namespace {

constexpr qint64 RescanSliceMilliseconds = 10;
// Events tested between two looks at the clock during a rescan slice.
constexpr qint64 RescanClockStride = 2048;
// Above this many reserved slots an emptied pending list gives its memory back.
constexpr size_t PendingKeepCapacity = 65536;

template<typename Container>
void eraseBelow(Container &sequences, qint64 first)
{
    const auto end = std::lower_bound(sequences.begin(), sequences.end(), first);
    sequences.erase(sequences.begin(), end);
}

} // namespace

QString EventLogModel::linePreview(QByteArrayView bytes, qsizetype maxCharacters)
{
    return Sse::linePreview(bytes, maxCharacters);
}

namespace {

QString toolTipText(QByteArrayView bytes, qsizetype maxBytes)
{
    bool truncated = false;
    QString text = Sse::utf8Prefix(bytes, maxBytes, &truncated);
    if (truncated)
        text.append(QChar(u'\u2026'));
    // Tool tips render anything that looks like markup as rich text; keep payloads literal.
    if (Qt::mightBeRichText(text)) {
        text = QLatin1String("<div style=\"white-space: pre-wrap\">") + text.toHtmlEscaped()
                + QLatin1String("</div>");
    }
    return text;
}

} // namespace

EventLogModel::EventLogModel(QObject *parent)
    : EventLogModel(std::make_unique<EventStore>(), parent)
{
}

EventLogModel::EventLogModel(std::unique_ptr<EventStore> store, QObject *parent)
    : QAbstractTableModel(parent)
    , m_store(store ? std::move(store) : std::make_unique<EventStore>())
{
    // The default filter accepts everything, so a prefilled store is shown in full.
    for (qint64 sequence = m_store->firstSequence(); sequence < m_store->endSequence(); ++sequence)
        m_rows.push_back(sequence);
    m_visibleEnd = m_store->endSequence();

    m_flushTimer.setSingleShot(true);
    m_flushTimer.setInterval(DefaultFlushInterval);
    connect(&m_flushTimer, &QTimer::timeout, this, &EventLogModel::flush);

    m_rescanTimer.setInterval(0);
    connect(&m_rescanTimer, &QTimer::timeout, this, &EventLogModel::rescanSlice);
    m_sortTimer.setInterval(0);
    connect(&m_sortTimer, &QTimer::timeout, this, &EventLogModel::sortSlice);
}

EventLogModel::~EventLogModel() = default;

qsizetype EventLogModel::capacity() const
{
    return m_store->capacity();
}

qsizetype EventLogModel::byteBudget() const
{
    return m_store->byteBudget();
}

void EventLogModel::setByteBudget(qsizetype bytes)
{
    if (m_store->setByteBudget(bytes) > 0)
        m_countsDirty = true;
    flush();
}

void EventLogModel::setCapacity(qsizetype events)
{
    // Rows are ints: leave room for the one-chunk overshoot and a pending batch.
    if (m_store->setCapacity(qMin(events, MaximumCapacity)) > 0)
        m_countsDirty = true;
    flush();
}

QString EventLogModel::connectionName(quint16 connection) const
{
    const auto found = m_connectionNames.constFind(connection);
    if (found != m_connectionNames.constEnd())
        return *found;
    return QStringLiteral("#%1").arg(connection);
}

void EventLogModel::setConnectionName(quint16 connection, const QString &name)
{
    m_connectionNames.insert(connection, name);
    // Events already decided keep their rows; the new name applies from the next event.
    m_filter.setConnectionNames(connectionNamesUtf8());
    if (m_colouringRules)
        m_colouringRules->setConnectionNames(connectionNamesUtf8());
    if (!m_rows.empty()) {
        emit dataChanged(index(0, ConnectionColumn), index(rowCount() - 1, ConnectionColumn),
                         {Qt::DisplayRole});
    }
}

void EventLogModel::setFlushInterval(int milliseconds)
{
    m_flushTimer.setInterval(qMax(0, milliseconds));
}

void EventLogModel::setFlushMode(FlushMode mode)
{
    m_flushMode = mode;
    if (mode == FlushMode::WhenAsked)
        m_flushTimer.stop();
    else if (!m_pending.empty() || m_countsDirty)
        m_flushTimer.start();
}

void EventLogModel::ingest(quint16 connection, const Sse::EventList &events)
{
    if (events.isEmpty())
        return;
    const qint64 begin = m_store->endSequence();
    m_store->append(connection, events);
    queueAppended(begin);
}

void EventLogModel::ingest(quint16 connection, const Sse::EventBatch &events)
{
    if (events.isEmpty())
        return;
    const qint64 begin = m_store->endSequence();
    m_store->append(connection, events);
    queueAppended(begin);
}

void EventLogModel::addMarker(quint16 connection, qint64 timeMs, const QString &text)
{
    const qint64 begin = m_store->endSequence();
    m_store->appendMarker(connection, timeMs, text.toUtf8());
    queueAppended(begin);
}

void EventLogModel::queueAppended(qint64 begin)
{
    // Part of the batch may already be gone if it was larger than the capacity.
    const qint64 from = qMax(begin, m_store->firstSequence());
    const qint64 end = m_store->endSequence();

    if (m_filter.acceptsEverything()) {
        for (qint64 sequence = from; sequence < end; ++sequence)
            m_pending.push_back(sequence);
    } else {
        for (qint64 sequence = from; sequence < end; ++sequence) {
            if (m_filter.accepts(*m_store, sequence))
                m_pending.push_back(sequence);
        }
    }

    m_countsDirty = true;
    if (m_flushMode == FlushMode::OnTimer && !m_flushTimer.isActive())
        m_flushTimer.start();
}

void EventLogModel::flush()
{
    m_flushTimer.stop();
    if (m_sorted) {
        flushSorted();
        return;
    }

    const qint64 first = m_store->firstSequence();
    dropEvictedAnnotations();
    eraseBelow(m_pending, first);
    const auto evictedEnd = std::lower_bound(m_rows.begin(), m_rows.end(), first);
    if (evictedEnd != m_rows.begin()) {
        const int count = int(evictedEnd - m_rows.begin());
        beginRemoveRows(QModelIndex(), 0, count - 1);
        m_rows.erase(m_rows.begin(), evictedEnd);
        endRemoveRows();
        m_countsDirty = true;
    }

    // During a rescan the rows still belong to the old filter: new rows wait for the swap.
    if (!m_paused && !m_rescanning) {
        if (!m_pending.empty()) {
            const int firstRow = int(m_rows.size());
            beginInsertRows(QModelIndex(), firstRow, firstRow + int(m_pending.size()) - 1);
            m_rows.insert(m_rows.end(), m_pending.cbegin(), m_pending.cend());
            m_pending.clear();
            endInsertRows();
            if (m_pending.capacity() > PendingKeepCapacity)
                std::vector<qint64>().swap(m_pending);
            m_countsDirty = true;
        }
        m_visibleEnd = m_store->endSequence();
    }

    emitCountsIfDirty();
}

void EventLogModel::setPaused(bool paused)
{
    if (paused == m_paused)
        return;
    if (paused) {
        flush();
        m_paused = true;
        // Whatever arrived before the pause belongs to the frozen view, even if a running
        // rescan has kept it from being inserted yet.
        m_visibleEnd = m_store->endSequence();
    } else {
        m_paused = false;
        flush();
    }
    emit pausedChanged(m_paused);
}

QHash<quint16, QByteArray> EventLogModel::connectionNamesUtf8() const
{
    QHash<quint16, QByteArray> names;
    for (auto it = m_connectionNames.cbegin(); it != m_connectionNames.cend(); ++it)
        names.insert(it.key(), it.value().toUtf8());
    return names;
}

void EventLogModel::setFilter(const EventFilter &filter)
{
    m_filter = filter;
    m_filter.setConnectionNames(connectionNamesUtf8());
    m_filter.setMarks(&m_annotations);
    // Queued events were accepted by the old filter; they lie inside the rescanned range.
    m_pending.clear();
    m_rescanRows.clear();
    m_rescanBegin = m_store->firstSequence();
    m_rescanNext = m_rescanBegin;
    m_rescanEnd = m_store->endSequence();
    m_rescanPercent = -1;
    m_rescanning = true;
    m_countsDirty = true;
    qCDebug(lcEventLog) << "rescanning" << (m_rescanEnd - m_rescanBegin) << "events";
    m_rescanTimer.start();
}

void EventLogModel::refilterForMarks()
{
    // A filter on `marked` decides again: the marked events come and the unmarked go.
    if (m_filter.readsMarks())
        setFilter(EventFilter(m_filter));
}

void EventLogModel::addFilterConnection(quint16 connection)
{
    QSet<quint16> connections = m_filter.connections();
    if (connections.isEmpty() || connections.contains(connection))
        return; // every connection shown, or this one already
    connections.insert(connection);
    EventFilter filter = m_filter;
    filter.setConnections(connections);
    if (m_store->connectionEventCount(connection) > 0) {
        setFilter(filter);
        return;
    }
    // Nothing stored is decided differently: the rows stay (no reset), a rescan under way
    // goes on with the wider filter, and the connection's events pass from now on.
    m_filter = filter;
}

void EventLogModel::rescanSlice()
{
    QElapsedTimer clock;
    clock.start();

    m_rescanNext = qMax(m_rescanNext, m_store->firstSequence()); // skip what was evicted
    const qint64 sliceEnd = m_rescanSliceLimit > 0
            ? qMin(m_rescanEnd, m_rescanNext + m_rescanSliceLimit)
            : m_rescanEnd;
    const bool acceptsEverything = m_filter.acceptsEverything();
    while (m_rescanNext < sliceEnd) {
        const qint64 stop = qMin(sliceEnd, m_rescanNext + RescanClockStride);
        for (qint64 sequence = m_rescanNext; sequence < stop; ++sequence) {
            if (acceptsEverything || m_filter.accepts(*m_store, sequence))
                m_rescanRows.push_back(sequence);
        }
        m_rescanNext = stop;
        if (clock.elapsed() >= RescanSliceMilliseconds)
            break;
    }

    if (m_rescanNext >= m_rescanEnd) {
        finishRescan();
        return;
    }
    const qint64 total = qMax<qint64>(1, m_rescanEnd - m_rescanBegin);
    const int percent = int(qMin((m_rescanNext - m_rescanBegin) * 100 / total, qint64(99)));
    if (percent != m_rescanPercent) {
        m_rescanPercent = percent;
        emit rescanProgress(percent);
    }
}

void EventLogModel::finishRescan()
{
    m_rescanTimer.stop();
    m_rescanning = false;

    const qint64 first = m_store->firstSequence();
    eraseBelow(m_rescanRows, first);
    eraseBelow(m_pending, first);

    beginResetModel();
    stopSort(); // the sorted order belongs to the old rows; sorted again below
    if (m_paused || m_flushMode == FlushMode::WhenAsked) {
        // Keep the frozen boundary: accepted events after it go back to pending, ahead of those
        // queued during the rescan (which all have larger sequence numbers). Without a pause,
        // in FlushMode::WhenAsked the boundary is the last flush: what came since waits for the
        // next one, as it would have without the rescan.
        const auto split = std::lower_bound(m_rescanRows.begin(), m_rescanRows.end(), m_visibleEnd);
        std::vector<qint64> pending(split, m_rescanRows.end());
        pending.insert(pending.end(), m_pending.cbegin(), m_pending.cend());
        m_rescanRows.erase(split, m_rescanRows.end());
        m_pending = std::move(pending);
    } else {
        m_rescanRows.insert(m_rescanRows.end(), m_pending.cbegin(), m_pending.cend());
        m_pending.clear();
        m_visibleEnd = m_store->endSequence();
    }
    m_rows.swap(m_rescanRows);
    std::deque<qint64>().swap(m_rescanRows);
    endResetModel();

    qCDebug(lcEventLog) << "rescan done:" << m_rows.size() << "rows," << m_pending.size()
                        << "pending";
    m_countsDirty = true;
    if (m_rescanPercent != 100) {
        m_rescanPercent = 100;
        emit rescanProgress(100);
    }
    emit rescanFinished();
    emitCountsIfDirty();
    if (m_sortColumn >= 0)
        startSort();
}

void EventLogModel::stopRescan()
{
    m_rescanTimer.stop();
    m_rescanning = false;
    std::deque<qint64>().swap(m_rescanRows);
}

void EventLogModel::clear()
{
    const bool wasRescanning = m_rescanning;
    stopRescan();
    m_flushTimer.stop();

    beginResetModel();
    stopSort();
    m_fieldCache.clear();
    if (m_colouringRules)
        m_colouringRules->clearCache();
    m_store->clear();
    m_marks.clear();
    m_markOrder.clear();
    const bool hadAnnotations = !m_annotations.isEmpty();
    m_annotations.clear();
    const bool hadReference = m_timeReference >= 0;
    m_timeReference = -1;
    m_rows.clear();
    m_pending.clear();
    m_visibleEnd = m_store->endSequence();
    endResetModel();

    m_countsDirty = true;
    if (hadAnnotations)
        emit annotationsChanged();
    if (hadReference)
        emit timeReferenceChanged(-1);
    if (wasRescanning)
        emit rescanFinished();
    emitCountsIfDirty();
    if (m_sortColumn >= 0)
        startSort();
}

void EventLogModel::emitCountsIfDirty()
{
    if (!m_countsDirty)
        return;
    m_countsDirty = false;
    emit countsChanged();
}

qsizetype EventLogModel::acceptedCount() const
{
    const size_t decided = m_rescanning ? m_rescanRows.size() : m_rows.size();
    return qsizetype(decided + m_pending.size());
}

qsizetype EventLogModel::totalCount() const
{
    return m_store->size();
}

qint64 EventLogModel::evictedCount() const
{
    return m_store->evictedTotal();
}

void EventLogModel::markEvent(qint64 sequence, const QString &note)
{
    if (!m_store->contains(sequence))
        return;
    if (!m_marks.contains(sequence))
        m_markOrder.push_back(sequence);
    m_marks.insert(sequence, note);
    while (m_markOrder.size() > size_t(MaximumMarks)) {
        m_marks.remove(m_markOrder.front());
        m_markOrder.pop_front();
    }
    if (const int row = rowOfSequence(sequence); row >= 0)
        emit dataChanged(index(row, TimeColumn), index(row, TimeColumn));
}

qint64 EventLogModel::sequenceAt(int row) const
{
    if (row < 0 || size_t(row) >= m_rows.size())
        return -1;
    if (m_sorted)
        return m_sortKeys[size_t(row)].sequence;
    return m_rows[size_t(row)];
}

int EventLogModel::rowOfSequence(qint64 sequence) const
{
    if (m_sorted) {
        const auto found = std::find_if(m_sortKeys.cbegin(), m_sortKeys.cend(),
                                        [sequence](const SortKey &key) {
                                            return key.sequence == sequence;
                                        });
        return found == m_sortKeys.cend() ? -1 : int(found - m_sortKeys.cbegin());
    }
    const auto found = std::lower_bound(m_rows.cbegin(), m_rows.cend(), sequence);
    if (found == m_rows.cend() || *found != sequence)
        return -1;
    return int(found - m_rows.cbegin());
}

int EventLogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int EventLogModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount + int(m_fieldColumns.size());
}

QVariant EventLogModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return QVariant();
    const qint64 sequence = sequenceAt(index.row());
    if (role == SequenceRole)
        return sequence;
    // Evicted from the store but not yet removed by the next flush(): nothing left to show.
    if (!m_store->contains(sequence))
        return QVariant();
    if (role == MarkerRole)
        return m_store->isMarker(sequence);
    if (role == Qt::DisplayRole && index.column() == TimeColumn)
        return timeText(index.row());
    if (role == UserMarkRole)
        return m_annotations.isMarked(sequence);
    if (role == NoteRole)
        return m_annotations.note(sequence);
    if (m_store->isMarker(sequence))
        return markerData(sequence, index.column(), role);
    if (role == Qt::BackgroundRole || role == Qt::ForegroundRole || role == RuleRole)
        return ruleData(sequence, role);
    if (index.column() >= ColumnCount)
        return fieldData(sequence, index.column() - ColumnCount, role);

    if (index.column() == TimeColumn && !m_marks.isEmpty()
        && (role == Qt::DecorationRole || role == Qt::ToolTipRole)) {
        const auto mark = m_marks.constFind(sequence);
        if (mark != m_marks.constEnd()) {
            if (role == Qt::ToolTipRole)
                return *mark;
            static const QIcon bell = QIcon::fromTheme(QStringLiteral("dialog-warning"));
            return bell.isNull() ? QVariant(QColor(0xd9, 0x35, 0x35)) : QVariant(bell);
        }
    }
    if (!m_annotations.isEmpty()) {
        const QVariant annotation = annotationData(sequence, index.column(), role);
        if (annotation.isValid())
            return annotation;
    }
    switch (role) {
    case Qt::DisplayRole:
        return displayData(sequence, index.column());
    case Qt::ToolTipRole:
        if (index.column() == DataColumn)
            return toolTipText(m_store->data(sequence), ToolTipBytes);
        if (index.column() == TypeColumn)
            return toolTipText(m_store->type(sequence), ToolTipBytes);
        if (index.column() == IdColumn)
            return toolTipText(m_store->id(sequence), ToolTipBytes);
        break;
    case Qt::TextAlignmentRole:
        if (index.column() == SizeColumn)
            return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
        break;
    default:
        break;
    }
    return QVariant();
}

QVariant EventLogModel::markerData(qint64 sequence, int column, int role) const
{
    switch (role) {
    case Qt::DisplayRole:
        if (column == TimeColumn || column == ConnectionColumn)
            return displayData(sequence, column);
        if (column == TypeColumn)
            return QStringLiteral("\u21bb"); // a reconnect arrow instead of a type
        if (column == DataColumn)
            return QString::fromUtf8(m_store->data(sequence));
        return QVariant();
    case Qt::ToolTipRole:
        return QString::fromUtf8(m_store->data(sequence));
    case Qt::FontRole: {
        QFont font;
        font.setItalic(true);
        return font;
    }
    case Qt::ForegroundRole:
        return QColor(0x2f, 0x80, 0xc8); // readable on light and dark bases
    default:
        return QVariant();
    }
}

QVariant EventLogModel::displayData(qint64 sequence, int column) const
{
    switch (column) {
    case TimeColumn:
        return QDateTime::fromMSecsSinceEpoch(m_store->time(sequence))
                .toString(QStringLiteral("hh:mm:ss.zzz"));
    case ConnectionColumn:
        return connectionName(m_store->connection(sequence));
    case TypeColumn:
        return linePreview(m_store->type(sequence), PreviewLength);
    case IdColumn:
        return linePreview(m_store->id(sequence), PreviewLength);
    case SizeColumn:
        return qlonglong(m_store->dataSize(sequence));
    case DataColumn:
        return linePreview(m_store->data(sequence), PreviewLength);
    default:
        return QVariant();
    }
}

QVariant EventLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation == Qt::Horizontal && role == Qt::ToolTipRole && section >= ColumnCount
        && section < columnCount()) {
        const FieldColumn &column = m_fieldColumns.at(section - ColumnCount);
        return column.type.isEmpty()
                ? column.path
                : tr("%1 (only \u201c%2\u201d events)").arg(column.path, QString::fromUtf8(column.type));
    }
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    if (section >= ColumnCount && section < columnCount())
        return m_fieldColumns.at(section - ColumnCount).displayTitle();
    switch (section) {
    case TimeColumn:
        return tr("Time");
    case ConnectionColumn:
        return tr("Connection");
    case TypeColumn:
        return tr("Type");
    case IdColumn:
        return tr("Id");
    case SizeColumn:
        return tr("Size");
    case DataColumn:
        return tr("Data");
    default:
        return QVariant();
    }
}

// --- columns from fields, colouring rules, sorting ---

namespace {
// Rule colours are tints: this much of the rule's colour over the palette's base, so the text
// colour of the light and the dark palette stays readable on them.
constexpr float RuleTint = 0.35f;
constexpr qint64 SortSliceMilliseconds = 10;
constexpr size_t SortClockStride = 2048;
// Characters of a string value kept as its sort key.
constexpr int SortTextCharacters = 200;

QColor tinted(const QColor &base, const QColor &colour)
{
    return QColor::fromRgbF(base.redF() * (1 - RuleTint) + colour.redF() * RuleTint,
                            base.greenF() * (1 - RuleTint) + colour.greenF() * RuleTint,
                            base.blueF() * (1 - RuleTint) + colour.blueF() * RuleTint);
}
} // namespace

void EventLogModel::setFieldColumns(const FieldColumnList &columns)
{
    const FieldColumnList limited = columns.mid(0, FieldColumns::MaximumColumns);
    if (limited == m_fieldColumns)
        return;
    if (m_sortColumn >= ColumnCount)
        sort(-1);
    m_fieldCache.clear();
    // Remove and insert columns (not a reset): the header keeps the built-in columns' widths.
    if (!m_fieldColumns.isEmpty()) {
        beginRemoveColumns(QModelIndex(), ColumnCount, ColumnCount + int(m_fieldColumns.size()) - 1);
        m_fieldColumns.clear();
        m_fieldPaths.clear();
        endRemoveColumns();
    }
    if (!limited.isEmpty()) {
        beginInsertColumns(QModelIndex(), ColumnCount, ColumnCount + int(limited.size()) - 1);
        m_fieldColumns = limited;
        for (const FieldColumn &column : limited)
            m_fieldPaths.push_back(Sse::JsonPath::parse(column.path));
        endInsertColumns();
    }
    emit fieldColumnsChanged();
}

void EventLogModel::addFieldColumn(const FieldColumn &column)
{
    FieldColumnList columns = m_fieldColumns;
    columns.append(column);
    setFieldColumns(columns);
}

Sse::JsonPath::Value EventLogModel::fieldValue(qint64 sequence, int fieldIndex) const
{
    if (fieldIndex < 0 || size_t(fieldIndex) >= m_fieldPaths.size()
        || !m_store->contains(sequence) || m_store->isMarker(sequence)) {
        return {};
    }
    const QByteArray &type = m_fieldColumns.at(fieldIndex).type;
    if (!type.isEmpty() && m_store->type(sequence) != type)
        return {};
    return m_fieldPaths[size_t(fieldIndex)].resolve(m_store->data(sequence));
}

QVariant EventLogModel::fieldData(qint64 sequence, int fieldIndex, int role) const
{
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole && role != Qt::TextAlignmentRole)
        return QVariant();
    if (role == Qt::TextAlignmentRole) {
        const Sse::JsonPath::Value value = fieldValue(sequence, fieldIndex);
        if (value.kind == Sse::JsonPath::Kind::Number)
            return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
        return QVariant();
    }
    if (role == Qt::ToolTipRole) {
        const Sse::JsonPath::Value value = fieldValue(sequence, fieldIndex);
        if (value.kind == Sse::JsonPath::Kind::Missing)
            return QVariant();
        return toolTipText(value.token, ToolTipBytes);
    }
    // Sequence numbers stay below 2^58; the low bits name the column.
    const quint64 key = (quint64(sequence) << 5) | quint64(fieldIndex);
    if (const QString *cached = m_fieldCache.object(key))
        return *cached;
    auto *text = new QString(Sse::JsonPath::compactText(fieldValue(sequence, fieldIndex)));
    const QString result = *text;
    m_fieldCache.insert(key, text, qsizetype(sizeof(QString)) + text->size() * 2 + 32);
    return result;
}

void EventLogModel::setColouringRules(ColouringRules *rules)
{
    if (m_colouringRules)
        disconnect(m_colouringRules, nullptr, this, nullptr);
    m_colouringRules = rules;
    if (rules) {
        rules->setConnectionNames(connectionNamesUtf8());
        rules->clearCache();
        connect(rules, &ColouringRules::rulesChanged, this, [this] {
            if (!m_rows.empty()) {
                emit dataChanged(index(0, 0), index(rowCount() - 1, columnCount() - 1),
                                 {Qt::BackgroundRole, Qt::ForegroundRole, RuleRole});
            }
        });
        connect(rules, &QObject::destroyed, this, [this] { m_colouringRules = nullptr; });
    }
    if (!m_rows.empty())
        emit dataChanged(index(0, 0), index(rowCount() - 1, columnCount() - 1));
}

QVariant EventLogModel::ruleData(qint64 sequence, int role) const
{
    const int rule = m_colouringRules ? m_colouringRules->match(*m_store, sequence)
                                      : ColouringRules::NoRule;
    if (role == RuleRole)
        return rule;
    if (rule == ColouringRules::NoRule)
        return QVariant();
    const ColouringRule &colours = m_colouringRules->ruleAt(rule);
    if (role == Qt::BackgroundRole && colours.background.isValid())
        return tinted(QGuiApplication::palette().color(QPalette::Base), colours.background);
    if (role == Qt::ForegroundRole && colours.foreground.isValid())
        return colours.foreground;
    return QVariant();
}

void EventLogModel::sort(int column, Qt::SortOrder order)
{
    // Back to arrival order first, as a layout change, so selections follow their events.
    if (m_sorted)
        changeLayout([this] { stopSort(); });
    stopSort();
    const bool byField = column >= ColumnCount && column < columnCount();
    m_sortColumn = byField ? column : -1;
    m_sortOrder = order;
    if (byField)
        startSort();
    else
        emit sortFinished();
}

EventLogModel::SortKey EventLogModel::sortKey(qint64 sequence) const
{
    SortKey key;
    key.sequence = sequence;
    key.rank = 3;
    const Sse::JsonPath::Value value = fieldValue(sequence, m_sortColumn - ColumnCount);
    switch (value.kind) {
    case Sse::JsonPath::Kind::Missing:
        break;
    case Sse::JsonPath::Kind::Number:
        if (Sse::JsonScan::convertNumber(value.token, &key.number))
            key.rank = 0;
        break;
    case Sse::JsonPath::Kind::String:
        key.rank = 1;
        key.text = Sse::JsonPath::compactText(value, SortTextCharacters);
        break;
    default:
        key.rank = 2;
        key.text = Sse::JsonPath::compactText(value, SortTextCharacters);
        break;
    }
    return key;
}

bool EventLogModel::sortLess(const SortKey &a, const SortKey &b) const
{
    // Missing values stay last in both orders; equal keys keep arrival order.
    if (a.rank != b.rank)
        return a.rank < b.rank;
    const bool descending = m_sortOrder == Qt::DescendingOrder;
    if (a.rank == 0 && a.number != b.number)
        return descending ? b.number < a.number : a.number < b.number;
    if (a.rank != 0 && a.rank != 3) {
        const int order = a.text.compare(b.text);
        if (order != 0)
            return descending ? order > 0 : order < 0;
    }
    return a.sequence < b.sequence;
}

void EventLogModel::startSort()
{
    stopSort();
    m_sortSnapshot.assign(m_rows.cbegin(), m_rows.cend());
    m_sortKeys.reserve(m_sortSnapshot.size());
    m_sortNext = 0;
    m_sortTimer.start();
}

void EventLogModel::sortSlice()
{
    QElapsedTimer clock;
    clock.start();
    while (m_sortNext < m_sortSnapshot.size()) {
        const size_t stop = qMin(m_sortSnapshot.size(), m_sortNext + SortClockStride);
        for (size_t i = m_sortNext; i < stop; ++i)
            m_sortKeys.push_back(sortKey(m_sortSnapshot[i]));
        m_sortNext = stop;
        if (clock.elapsed() >= SortSliceMilliseconds)
            return;
    }
    finishSort();
}

void EventLogModel::finishSort()
{
    m_sortTimer.stop();
    // The keys must name exactly the rows: flushes since the snapshot evicted a prefix and
    // appended a tail.
    const qint64 firstRow = m_rows.empty() ? std::numeric_limits<qint64>::max() : m_rows.front();
    m_sortKeys.erase(std::remove_if(m_sortKeys.begin(), m_sortKeys.end(),
                                    [firstRow](const SortKey &key) {
                                        return key.sequence < firstRow;
                                    }),
                     m_sortKeys.end());
    const qint64 last = m_sortSnapshot.empty() ? -1 : m_sortSnapshot.back();
    for (auto it = std::upper_bound(m_rows.cbegin(), m_rows.cend(), last); it != m_rows.cend();
         ++it) {
        m_sortKeys.push_back(sortKey(*it));
    }
    std::vector<qint64>().swap(m_sortSnapshot);
    std::sort(m_sortKeys.begin(), m_sortKeys.end(),
              [this](const SortKey &a, const SortKey &b) { return sortLess(a, b); });
    changeLayout([this] { m_sorted = true; });
    qCDebug(lcEventLog) << "sorted" << m_sortKeys.size() << "rows by column" << m_sortColumn;
    emit sortFinished();
}

void EventLogModel::stopSort()
{
    m_sortTimer.stop();
    m_sorted = false;
    std::vector<SortKey>().swap(m_sortKeys);
    std::vector<qint64>().swap(m_sortSnapshot);
    m_sortNext = 0;
}

void EventLogModel::flushSorted()
{
    const qint64 first = m_store->firstSequence();
    eraseBelow(m_pending, first);
    const bool evict = !m_rows.empty() && m_rows.front() < first;
    const bool insert = !m_paused && !m_rescanning && !m_pending.empty();
    if (evict || insert) {
        const auto less = [this](const SortKey &a, const SortKey &b) { return sortLess(a, b); };
        // Keys only for the arrivals; they are merged into the sorted rows.
        std::vector<SortKey> arrivals;
        if (insert) {
            arrivals.reserve(m_pending.size());
            for (qint64 sequence : m_pending)
                arrivals.push_back(sortKey(sequence));
            std::sort(arrivals.begin(), arrivals.end(), less);
        }
        changeLayout([&] {
            if (evict) {
                eraseBelow(m_rows, first);
                m_sortKeys.erase(std::remove_if(m_sortKeys.begin(), m_sortKeys.end(),
                                                [first](const SortKey &key) {
                                                    return key.sequence < first;
                                                }),
                                 m_sortKeys.end());
            }
            if (insert) {
                m_rows.insert(m_rows.end(), m_pending.cbegin(), m_pending.cend());
                m_pending.clear();
                const auto middle = std::ptrdiff_t(m_sortKeys.size());
                m_sortKeys.insert(m_sortKeys.end(), std::make_move_iterator(arrivals.begin()),
                                  std::make_move_iterator(arrivals.end()));
                std::inplace_merge(m_sortKeys.begin(), m_sortKeys.begin() + middle,
                                   m_sortKeys.end(), less);
            }
        });
        m_countsDirty = true;
    }
    if (!m_paused && !m_rescanning)
        m_visibleEnd = m_store->endSequence();
    emitCountsIfDirty();
}

template<typename Change>
void EventLogModel::changeLayout(Change &&change)
{
    emit layoutAboutToBeChanged({}, QAbstractItemModel::VerticalSortHint);
    const QModelIndexList before = persistentIndexList();
    QList<qint64> sequences;
    sequences.reserve(before.size());
    for (const QModelIndex &index : before)
        sequences.append(sequenceAt(index.row()));
    change();
    QHash<qint64, int> rows; // the selection holds a few persistent indexes per row
    QModelIndexList after;
    after.reserve(before.size());
    for (qsizetype i = 0; i < before.size(); ++i) {
        auto row = rows.constFind(sequences.at(i));
        if (row == rows.constEnd())
            row = rows.insert(sequences.at(i), rowOfSequence(sequences.at(i)));
        after.append(*row >= 0 ? index(*row, before.at(i).column()) : QModelIndex());
    }
    changePersistentIndexList(before, after);
    emit layoutChanged({}, QAbstractItemModel::VerticalSortHint);
}

// --- User marks, notes, time reference and time formats ---

namespace {

// A saturated amber that stands out on light and dark bases alike, and is neither the alert
// red nor the selection blue.
const QColor MarkColour(0xf0, 0x9a, 0x00);
const QChar NoteSign(u'\u270e'); // pencil, before the data preview of an event with a note

QString secondsText(qint64 milliseconds)
{
    const QString sign = milliseconds < 0 ? QStringLiteral("-") : QString();
    const qint64 magnitude = qAbs(milliseconds);
    return sign + QString::number(magnitude / 1000) + QLatin1Char('.')
        + QStringLiteral("%1").arg(magnitude % 1000, 3, 10, QLatin1Char('0'));
}

} // namespace

QVariant EventLogModel::annotationData(qint64 sequence, int column, int role) const
{
    if (column == TimeColumn && role == Qt::DecorationRole && m_annotations.isMarked(sequence))
        return MarkColour;
    const QString note = m_annotations.note(sequence);
    if (note.isEmpty())
        return QVariant();
    if (column == DataColumn && role == Qt::DisplayRole)
        return QString(NoteSign + QLatin1Char(' ')
                       + displayData(sequence, DataColumn).toString());
    if ((column == TimeColumn || column == DataColumn) && role == Qt::ToolTipRole)
        return tr("Note: %1").arg(note);
    return QVariant();
}

bool EventLogModel::setMarked(qint64 sequence, bool marked)
{
    if (!m_store->contains(sequence) || m_store->isMarker(sequence))
        return false;
    if (m_annotations.isMarked(sequence) == marked)
        return true;
    if (!m_annotations.setMarked(sequence, marked))
        return false;
    emitRowChanged(sequence);
    emit annotationsChanged();
    refilterForMarks();
    return true;
}

QList<qint64> EventLogModel::setMarked(const QList<qint64> &sequences, bool marked,
                                       qsizetype *refused)
{
    QList<qint64> changed;
    qsizetype notStored = 0;
    int firstRow = INT_MAX;
    int lastRow = -1;
    for (qint64 sequence : sequences) {
        if (!m_store->contains(sequence) || m_store->isMarker(sequence)
            || m_annotations.isMarked(sequence) == marked) {
            continue;
        }
        if (!m_annotations.setMarked(sequence, marked)) {
            ++notStored;
            continue;
        }
        changed.append(sequence);
        if (const int row = rowOfSequence(sequence); row >= 0) {
            firstRow = qMin(firstRow, row);
            lastRow = qMax(lastRow, row);
        }
    }
    if (refused)
        *refused = notStored;
    if (lastRow >= 0)
        emit dataChanged(index(firstRow, 0), index(lastRow, ColumnCount - 1));
    if (!changed.isEmpty()) {
        emit annotationsChanged();
        refilterForMarks();
    }
    return changed;
}

bool EventLogModel::setNote(qint64 sequence, const QString &note)
{
    if (!m_store->contains(sequence) || m_store->isMarker(sequence))
        return false;
    if (m_annotations.note(sequence) == note)
        return true;
    if (!m_annotations.setNote(sequence, note))
        return false;
    emitRowChanged(sequence);
    emit annotationsChanged();
    return true;
}

void EventLogModel::emitRowChanged(qint64 sequence)
{
    if (const int row = rowOfSequence(sequence); row >= 0)
        emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

void EventLogModel::dropEvictedAnnotations()
{
    const qint64 first = m_store->firstSequence();
    if (m_annotations.dropBelow(first) > 0)
        emit annotationsChanged();
    if (m_timeReference >= 0 && m_timeReference < first) {
        m_timeReference = -1;
        emit timeReferenceChanged(-1);
        if (!m_rows.empty())
            emit dataChanged(index(0, TimeColumn), index(rowCount() - 1, TimeColumn));
    }
}

void EventLogModel::setTimeReference(qint64 sequence)
{
    if (sequence >= 0 && !m_store->contains(sequence))
        return;
    sequence = qMax<qint64>(-1, sequence);
    if (sequence == m_timeReference)
        return;
    m_timeReference = sequence;
    // Every row's relative time may change, and the *REF* moves.
    if (!m_rows.empty())
        emit dataChanged(index(0, TimeColumn), index(rowCount() - 1, TimeColumn));
    emit timeReferenceChanged(sequence);
}

void EventLogModel::setTimeFormat(TimeFormat format)
{
    if (format == m_timeFormat)
        return;
    m_timeFormat = format;
    if (!m_rows.empty())
        emit dataChanged(index(0, TimeColumn), index(rowCount() - 1, TimeColumn));
    emit timeFormatChanged(format);
}

QString EventLogModel::timeText(int row) const
{
    const qint64 sequence = sequenceAt(row);
    if (sequence < 0 || !m_store->contains(sequence))
        return QString();
    if (sequence == m_timeReference)
        return QStringLiteral("*REF*");
    const qint64 time = m_store->time(sequence);
    auto since = [this, time](qint64 base) {
        return m_store->contains(base) ? secondsText(time - m_store->time(base)) : QString();
    };
    switch (m_timeFormat) {
    case TimeFormat::TimeOfDay:
        break;
    case TimeFormat::DateAndTime:
        return QDateTime::fromMSecsSinceEpoch(time).toString(
            QStringLiteral("yyyy-MM-dd hh:mm:ss.zzz"));
    case TimeFormat::SinceFirst:
        return since(m_rows.front());
    case TimeFormat::SincePrevious:
        return row == 0 ? secondsText(0) : since(m_rows[size_t(row - 1)]);
    case TimeFormat::SinceReference:
        return since(m_timeReference >= 0 ? m_timeReference : m_rows.front());
    }
    return QDateTime::fromMSecsSinceEpoch(time).toString(QStringLiteral("hh:mm:ss.zzz"));
}

qint64 EventLogModel::previousOfSameType(qint64 sequence, qint64 maximumSteps) const
{
    if (!m_store->contains(sequence) || m_store->isMarker(sequence))
        return -1;
    const quint16 connection = m_store->connection(sequence);
    const quint16 typeIndex = m_store->typeIndex(sequence);
    const QByteArray type = m_store->type(sequence);
    const qint64 stop = qMax(m_store->firstSequence(), sequence - qMax<qint64>(1, maximumSteps));
    for (qint64 earlier = sequence - 1; earlier >= stop; --earlier) {
        if (m_store->connection(earlier) == connection && m_store->typeIndex(earlier) == typeIndex
            && !m_store->isMarker(earlier) && m_store->type(earlier) == type) {
            return earlier;
        }
    }
    return -1;
}
