#include "models/statisticsmodel.h"

#include "models/connectionmanager.h"

#include <QDateTime>
#include <QFont>
#include <QLocale>

#include <algorithm>

namespace {

QString formatInterval(qint64 sum, qint64 count)
{
    return count > 0 ? QStringLiteral("%1 ms").arg(double(sum) / double(count), 0, 'f', 1)
                     : QStringLiteral("–");
}

QString formatMaximum(qint64 maximum, qint64 count)
{
    return count > 0 ? QStringLiteral("%1 ms").arg(maximum) : QStringLiteral("–");
}

} // namespace

StatisticsModel::StatisticsModel(const ConnectionManager *connections, QObject *parent)
    : QAbstractTableModel(parent)
    , m_connections(connections)
{
    connect(connections, &ConnectionManager::connectionRemoved, this, [this](quint16 id) {
        if (id == m_connection)
            setConnection(0);
    });
}

void StatisticsModel::setConnection(quint16 id)
{
    beginResetModel();
    m_connection = m_connections->entry(id) ? id : 0;
    m_types.clear();
    m_hiddenTypes = 0;
    m_hiddenEvents = 0;
    m_totalEvents = 0;
    if (m_connection != 0) {
        m_types = topTypes(&m_hiddenTypes);
        m_totalEvents = m_connections->entry(id)->events;
    }
    endResetModel();
}

QList<StatisticsModel::TypeRow> StatisticsModel::topTypes(int *hidden) const
{
    const ConnectionEntry *entry = m_connections->entry(m_connection);
    QList<TypeRow> rows;
    if (!entry)
        return rows;
    rows.reserve(entry->types.size());
    for (auto it = entry->types.constBegin(); it != entry->types.constEnd(); ++it)
        rows.append({it.key(), it.value().count});
    // Most frequent first; equal counts by name, so that rows do not swap between refreshes.
    auto before = [](const TypeRow &a, const TypeRow &b) {
        return a.count != b.count ? a.count > b.count : a.name < b.name;
    };
    const qsizetype shown = qMin<qsizetype>(rows.size(), MaximumTypeRows);
    std::partial_sort(rows.begin(), rows.begin() + shown, rows.end(), before);
    *hidden = int(rows.size() - shown);
    rows.resize(shown);
    return rows;
}

void StatisticsModel::refresh()
{
    const ConnectionEntry *entry = m_connections->entry(m_connection);
    if (!entry)
        return;
    int hidden = 0;
    QList<TypeRow> types = topTypes(&hidden);
    m_totalEvents = entry->events;
    const bool hadMore = m_hiddenTypes > 0;
    // The type rows start at row 1; the "more" row, if any, follows them.
    const int oldTypes = int(m_types.size());
    const int newTypes = int(types.size());
    if (newTypes > oldTypes) {
        beginInsertRows({}, 1 + oldTypes, newTypes);
        m_types = types;
        endInsertRows();
    } else if (newTypes < oldTypes) {
        beginRemoveRows({}, 1 + newTypes, oldTypes);
        m_types = types;
        endRemoveRows();
    } else {
        m_types = types;
    }
    if (hidden > 0 && !hadMore) {
        beginInsertRows({}, 1 + newTypes, 1 + newTypes);
        m_hiddenTypes = hidden;
        endInsertRows();
    } else if (hidden == 0 && hadMore) {
        beginRemoveRows({}, 1 + newTypes, 1 + newTypes);
        m_hiddenTypes = 0;
        endRemoveRows();
    }
    m_hiddenTypes = hidden;
    m_hiddenEvents = 0;
    if (hidden > 0) {
        qint64 shownEvents = 0;
        for (const TypeRow &row : std::as_const(m_types))
            shownEvents += row.count;
        qint64 allEvents = 0;
        for (const TypeStatistics &stats : entry->types)
            allEvents += stats.count;
        m_hiddenEvents = allEvents - shownEvents;
    }
    if (rowCount() > 0)
        emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1), {Qt::DisplayRole});
}

int StatisticsModel::fixedRowCount() const
{
    return 2 + (m_hiddenTypes > 0 ? 1 : 0); // total, reconnects, and "more"
}

StatisticsModel::RowKind StatisticsModel::rowKind(int row) const
{
    if (row == 0)
        return RowKind::Total;
    if (row <= m_types.size())
        return RowKind::Type;
    if (m_hiddenTypes > 0 && row == m_types.size() + 1)
        return RowKind::MoreTypes;
    return RowKind::Reconnects;
}

int StatisticsModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid() || m_connection == 0)
        return 0;
    return int(m_types.size()) + fixedRowCount();
}

int StatisticsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant StatisticsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount())
        return {};
    const RowKind kind = rowKind(index.row());
    if (role == Qt::FontRole && kind == RowKind::Total) {
        QFont bold;
        bold.setBold(true);
        return bold;
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (kind) {
    case RowKind::Total:
        return totalText(index.column());
    case RowKind::Type:
        return typeText(m_types.at(index.row() - 1), index.column());
    case RowKind::MoreTypes:
        return moreText(index.column());
    case RowKind::Reconnects:
        return reconnectsText(index.column());
    }
    return {};
}

QString StatisticsModel::totalText(int column) const
{
    const ConnectionEntry *entry = m_connections->entry(m_connection);
    if (!entry)
        return {};
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    switch (column) {
    case TypeColumn:
        return tr("All types");
    case EventsColumn:
        // As of the last refresh(), which the window runs on the tick that refreshes the
        // connection list and the status bar beside it: the same numbers at the same moment.
        return QLocale().toString(m_totalEvents);
    case RateColumn:
        return QString::number(entry->rate, 'f', 1);
    case BytesColumn:
        return formatBytes(entry->bytes);
    case MeanGapColumn:
        return formatInterval(entry->intervalSumMs, entry->intervals);
    case MaxGapColumn:
        return formatMaximum(entry->maxIntervalMs, entry->intervals);
    case LastColumn:
        return entry->lastByteMs > 0
            ? tr("byte %1 s ago").arg(QString::number((now - entry->lastByteMs) / 1000.0, 'f', 1))
            : QStringLiteral("–");
    }
    return {};
}

QString StatisticsModel::typeText(const TypeRow &row, int column) const
{
    const QByteArray &type = row.name;
    const ConnectionEntry *entry = m_connections->entry(m_connection);
    const auto it =
        entry ? entry->types.constFind(type) : QHash<QByteArray, TypeStatistics>::const_iterator();
    if (!entry || it == entry->types.constEnd())
        return {};
    const TypeStatistics &stats = it.value();
    switch (column) {
    case TypeColumn:
        return QString::fromUtf8(type);
    case EventsColumn:
        return QLocale().toString(row.count); // as of the last refresh(), on the tick
    case BytesColumn:
        return formatBytes(stats.bytes);
    case MeanGapColumn:
        return formatInterval(stats.intervalSumMs, stats.intervals);
    case MaxGapColumn:
        return formatMaximum(stats.maxIntervalMs, stats.intervals);
    case LastColumn:
        return stats.lastMs > 0 ? formatTime(stats.lastMs) : QStringLiteral("–");
    }
    return {};
}

QString StatisticsModel::moreText(int column) const
{
    switch (column) {
    case TypeColumn:
        return tr("%n more type(s)", nullptr, m_hiddenTypes);
    case EventsColumn:
        return QLocale().toString(m_hiddenEvents);
    }
    return {};
}

QString StatisticsModel::reconnectsText(int column) const
{
    const ConnectionEntry *entry = m_connections->entry(m_connection);
    if (!entry)
        return {};
    switch (column) {
    case TypeColumn:
        return tr("Reconnects / id gaps");
    case EventsColumn:
        return QStringLiteral("%1 / %2").arg(entry->reconnects).arg(entry->idGaps);
    }
    return {};
}

QVariant StatisticsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case TypeColumn:
        return tr("Type");
    case EventsColumn:
        return tr("Events");
    case RateColumn:
        return tr("Rate /s");
    case BytesColumn:
        return tr("Bytes");
    case MeanGapColumn:
        return tr("Mean gap");
    case MaxGapColumn:
        return tr("Max gap");
    case LastColumn:
        return tr("Last");
    }
    return {};
}
