#include "models/typelistmodel.h"

#include "models/eventfilter.h"
#include "models/eventlogmodel.h"
#include "models/eventstore.h"

namespace {

quint16 connectionOf(quint32 key)
{
    return quint16(key >> 16);
}

quint16 typeOf(quint32 key)
{
    return quint16(key & 0xffff);
}

} // namespace

TypeListModel::TypeListModel(QObject *parent)
    : QAbstractListModel(parent)
{
}

void TypeListModel::refresh(const EventStore &store)
{
    const std::vector<quint32> &pairs = store.connectionTypePairs();
    const bool otherStore = m_store != &store;
    m_store = &store;

    if (pairs.size() < m_pairsSeen || (otherStore && !m_rows.isEmpty())) {
        // The pair list never shrinks, so this is a different store: start over.
        beginResetModel();
        m_rows.clear();
        m_connections.clear();
        m_pairsSeen = 0;
        for (quint32 key : pairs)
            insertPair(key, Notify::No);
        m_pairsSeen = pairs.size();
        m_prefixed = m_connections.size() > 1;
        m_seenFirst = store.firstSequence();
        m_seenEnd = store.endSequence();
        endResetModel();
        return;
    }

    const bool countsChanged =
        store.firstSequence() != m_seenFirst || store.endSequence() != m_seenEnd;
    m_seenFirst = store.firstSequence();
    m_seenEnd = store.endSequence();
    if (countsChanged && !m_rows.isEmpty()) {
        for (Row &row : m_rows)
            row.count = store.connectionTypeCount(connectionOf(row.key), typeOf(row.key));
        emit dataChanged(index(0), index(rowCount() - 1), {Qt::DisplayRole, CountRole});
    }

    for (size_t i = m_pairsSeen; i < pairs.size(); ++i)
        insertPair(pairs[i], Notify::Yes);
    m_pairsSeen = pairs.size();
    // The second connection brings the connection names into every label, after the
    // insertions (labels do not change while rows go in).
    if (!m_prefixed && m_connections.size() > 1) {
        m_prefixed = true;
        emit dataChanged(index(0), index(rowCount() - 1), {Qt::DisplayRole});
    }
}

void TypeListModel::insertPair(quint32 key, Notify notify)
{
    // After the last row of the same connection, or at the end for a new connection.
    int row = int(m_rows.size());
    if (m_connections.contains(connectionOf(key))) {
        for (int i = int(m_rows.size()) - 1; i >= 0; --i) {
            if (connectionOf(m_rows.at(i).key) == connectionOf(key)) {
                row = i + 1;
                break;
            }
        }
    }
    Row entry {key, EventLogModel::linePreview(m_store->typeName(typeOf(key))),
               m_store->connectionTypeCount(connectionOf(key), typeOf(key))};
    if (notify == Notify::Yes)
        beginInsertRows(QModelIndex(), row, row);
    m_rows.insert(row, entry);
    m_connections.insert(connectionOf(key));
    if (notify == Notify::Yes)
        endInsertRows();
}

void TypeListModel::setConnectionName(quint16 connection, const QString &name)
{
    if (m_connectionNames.value(connection) == name)
        return;
    m_connectionNames.insert(connection, name);
    if (m_connections.contains(connection) && m_prefixed)
        emit dataChanged(index(0), index(rowCount() - 1), {Qt::DisplayRole});
}

qint64 TypeListModel::countOf(int row) const
{
    return m_rows.at(row).count;
}

QString TypeListModel::labelOf(int row) const
{
    const Row &entry = m_rows.at(row);
    const QString counted = QStringLiteral("%1 (%2)").arg(entry.name).arg(countOf(row));
    if (!m_prefixed)
        return counted;
    QString connection = m_connectionNames.value(connectionOf(entry.key));
    if (connection.isEmpty())
        connection = QLatin1Char('#') + QString::number(connectionOf(entry.key));
    return connection + QStringLiteral(" \u00b7 ") + counted;
}

int TypeListModel::rowOf(quint16 connection, quint16 typeIndex) const
{
    const quint32 key = EventFilter::connectionTypeKey(connection, typeIndex);
    for (int row = 0; row < m_rows.size(); ++row) {
        if (m_rows.at(row).key == key)
            return row;
    }
    return -1;
}

void TypeListModel::setHiddenTypes(const QSet<quint32> &keys)
{
    if (keys == m_hiddenTypes)
        return;
    m_hiddenTypes = keys;
    if (!m_rows.isEmpty())
        emit dataChanged(index(0), index(rowCount() - 1), {Qt::CheckStateRole});
    emit hiddenTypesChanged(m_hiddenTypes);
}

void TypeListModel::showOnly(int row)
{
    if (row < 0 || row >= m_rows.size())
        return;
    QSet<quint32> hidden;
    for (int i = 0; i < m_rows.size(); ++i) {
        if (i != row)
            hidden.insert(m_rows.at(i).key);
    }
    setHiddenTypes(hidden);
}

int TypeListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant TypeListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return QVariant();
    const int row = index.row();
    const quint32 key = m_rows.at(row).key;
    switch (role) {
    case Qt::DisplayRole:
        return labelOf(row);
    case Qt::CheckStateRole:
        return m_hiddenTypes.contains(key) ? Qt::Unchecked : Qt::Checked;
    case TypeIndexRole:
        return QVariant::fromValue(typeOf(key));
    case ConnectionRole:
        return QVariant::fromValue(connectionOf(key));
    case KeyRole:
        return QVariant::fromValue(key);
    case CountRole:
        return countOf(row);
    case TypeNameRole:
        return m_rows.at(row).name;
    default:
        return QVariant();
    }
}

bool TypeListModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (role != Qt::CheckStateRole
        || !checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return false;
    }
    const quint32 key = m_rows.at(index.row()).key;
    const bool shown = Qt::CheckState(value.toInt()) == Qt::Checked;
    if (shown != m_hiddenTypes.contains(key))
        return true; // already in that state
    if (shown)
        m_hiddenTypes.remove(key);
    else
        m_hiddenTypes.insert(key);
    emit dataChanged(index, index, {Qt::CheckStateRole});
    emit hiddenTypesChanged(m_hiddenTypes);
    return true;
}

Qt::ItemFlags TypeListModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    return Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsUserCheckable
            | Qt::ItemNeverHasChildren;
}
