#include "models/typelistmodel.h"

#include "models/eventlogmodel.h"
#include "models/eventstore.h"

TypeListModel::TypeListModel(QObject *parent)
    : QAbstractListModel(parent)
{
}

void TypeListModel::refresh(const EventStore &store)
{
    const qsizetype known = m_names.size();
    const qsizetype interned = store.internedTypeCount();
    const bool otherStore = m_store != &store;
    m_store = &store;

    if (interned < known || (otherStore && known > 0)) {
        // The interning table never shrinks, so this is a different store: start over.
        beginResetModel();
        m_names.clear();
        for (qsizetype i = 0; i < interned; ++i)
            m_names.append(EventLogModel::linePreview(store.typeName(quint16(i))));
        m_seenFirst = store.firstSequence();
        m_seenEnd = store.endSequence();
        endResetModel();
        return;
    }

    const bool countsChanged =
        store.firstSequence() != m_seenFirst || store.endSequence() != m_seenEnd;
    m_seenFirst = store.firstSequence();
    m_seenEnd = store.endSequence();
    if (countsChanged && known > 0)
        emit dataChanged(index(0), index(int(known) - 1), {Qt::DisplayRole, CountRole});

    if (interned > known) {
        beginInsertRows(QModelIndex(), int(known), int(interned) - 1);
        for (qsizetype i = known; i < interned; ++i)
            m_names.append(EventLogModel::linePreview(store.typeName(quint16(i))));
        endInsertRows();
    }
}

qint64 TypeListModel::countOf(int row) const
{
    return m_store ? m_store->typeCount(quint16(row)) : 0;
}

void TypeListModel::setHiddenTypes(const QSet<quint16> &typeIndexes)
{
    if (typeIndexes == m_hiddenTypes)
        return;
    m_hiddenTypes = typeIndexes;
    if (!m_names.isEmpty())
        emit dataChanged(index(0), index(rowCount() - 1), {Qt::CheckStateRole});
    emit hiddenTypesChanged(m_hiddenTypes);
}

int TypeListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_names.size());
}

QVariant TypeListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return QVariant();
    const int row = index.row();
    switch (role) {
    case Qt::DisplayRole:
        return QStringLiteral("%1 (%2)").arg(m_names.at(row)).arg(countOf(row));
    case Qt::CheckStateRole:
        return m_hiddenTypes.contains(quint16(row)) ? Qt::Unchecked : Qt::Checked;
    case TypeIndexRole:
        return QVariant::fromValue(quint16(row));
    case CountRole:
        return countOf(row);
    case TypeNameRole:
        return m_names.at(row);
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
    const quint16 typeIndex = quint16(index.row());
    const bool shown = Qt::CheckState(value.toInt()) == Qt::Checked;
    if (shown != m_hiddenTypes.contains(typeIndex))
        return true; // already in that state
    if (shown)
        m_hiddenTypes.remove(typeIndex);
    else
        m_hiddenTypes.insert(typeIndex);
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
