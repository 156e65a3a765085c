#pragma once

#include <QAbstractListModel>
#include <QList>
#include <QSet>
#include <QString>

class EventStore;

// Checkable list of the event types an EventStore has seen, one row per interned type in the
// order they first appeared, shown as "type (count)". Checked means shown. Unchecking or checking
// a row emits hiddenTypesChanged() with the full set of hidden type indexes, ready for
// EventFilter::setHiddenTypes().
//
// Names are one-line previews (EventLogModel::linePreview): a type can be megabytes long, and
// the list never decodes or lays out more than a preview of it. The full name stays in the store.
//
// Counts are read from the store, their one owner; the model keeps only the name previews.
// refresh() tells the views (meant to be called once per EventLogModel flush, e.g. from
// EventLogModel::countsChanged): new types with one beginInsertRows, changed counts with one
// dataChanged over all rows, nothing when the store has not changed. The store must outlive
// the model or the next refresh() with another store.
class TypeListModel : public QAbstractListModel
{
    Q_OBJECT

public:
    enum Role {
        TypeIndexRole = Qt::UserRole + 1, // quint16 type index in the store
        CountRole,                        // qint64 events of this type currently stored
        TypeNameRole,                     // QString type name preview without the count
    };
    Q_ENUM(Role)

    explicit TypeListModel(QObject *parent = nullptr);

    void refresh(const EventStore &store);

    QSet<quint16> hiddenTypes() const { return m_hiddenTypes; }
    void setHiddenTypes(const QSet<quint16> &typeIndexes);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role = Qt::EditRole) override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;

Q_SIGNALS:
    void hiddenTypesChanged(const QSet<quint16> &hiddenTypes);

private:
    qint64 countOf(int row) const;

    // Row i is type index i.
    QList<QString> m_names;
    const EventStore *m_store = nullptr;
    // The store's held range at the last refresh(): counts change only when it moves.
    qint64 m_seenFirst = -1;
    qint64 m_seenEnd = -1;
    QSet<quint16> m_hiddenTypes;
};
