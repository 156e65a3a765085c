#pragma once

#include <QAbstractListModel>
#include <QHash>
#include <QList>
#include <QSet>
#include <QString>

class EventStore;

// Checkable list of the event types an EventStore has seen, grouped per connection: one row per
// (connection, type) pair, the rows of one connection together in the order their types first
// appeared there, shown as "type (count)" - "connection · type (count)" once more than one
// connection has events. Checked means shown. Hiding is per pair, so unticking `trade` on one
// stream never hides another stream's `trade` events, also not those that arrive later.
// Changes emit hiddenTypesChanged() with the full set of hidden pairs (as
// EventFilter::connectionTypeKey() values), ready for EventFilter::setHiddenConnectionTypes().
//
// Names are one-line previews (EventLogModel::linePreview): a type can be megabytes long, and
// the list never decodes or lays out more than a preview of it. The full name stays in the store.
//
// Counts are read from the store, their one owner; the model keeps only the name previews.
// refresh() tells the views (meant to be called once per EventLogModel flush, e.g. from
// EventLogModel::countsChanged): new pairs with one beginInsertRows each (new pairs are rare),
// changed counts with one dataChanged over all rows, nothing when the store has not changed.
// The store must outlive the model or the next refresh() with another store.
class TypeListModel : public QAbstractListModel
{
    Q_OBJECT

public:
    enum Role {
        TypeIndexRole = Qt::UserRole + 1, // quint16 type index in the store
        CountRole,                        // qint64 events of this pair currently stored
        TypeNameRole,                     // QString type name preview without the count
        ConnectionRole,                   // quint16 connection id
        KeyRole,                          // quint32 EventFilter::connectionTypeKey()
    };
    Q_ENUM(Role)

    explicit TypeListModel(QObject *parent = nullptr);

    void refresh(const EventStore &store);

    /// Name shown before the type once several connections have events.
    void setConnectionName(quint16 connection, const QString &name);

    QSet<quint32> hiddenTypes() const { return m_hiddenTypes; }
    void setHiddenTypes(const QSet<quint32> &keys);
    /// Shows only the pair in `row` ("only this type"); every other pair is hidden.
    void showOnly(int row);
    /// Shows every pair ("show all").
    void showAll() { setHiddenTypes({}); }
    /// Row of a pair, -1 if it has not been seen.
    int rowOf(quint16 connection, quint16 typeIndex) const;

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role = Qt::EditRole) override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;

Q_SIGNALS:
    void hiddenTypesChanged(const QSet<quint32> &hiddenTypes);

private:
    struct Row
    {
        quint32 key = 0;
        QString name;
        // The count as of the last refresh(): what the list shows, taken when the log
        // inserts its rows, so that the list and the log agree at every paint.
        qint64 count = 0;
    };

    enum class Notify { No, Yes }; // No inside a model reset
    void insertPair(quint32 key, Notify notify);
    qint64 countOf(int row) const;
    QString labelOf(int row) const;

    QList<Row> m_rows;
    const EventStore *m_store = nullptr;
    size_t m_pairsSeen = 0; // pairs of the store's list already in m_rows
    QSet<quint16> m_connections; // connections with rows
    bool m_prefixed = false;     // labels name the connection (more than one has rows)
    QHash<quint16, QString> m_connectionNames;
    // The store's held range at the last refresh(): counts change only when it moves.
    qint64 m_seenFirst = -1;
    qint64 m_seenEnd = -1;
    QSet<quint32> m_hiddenTypes;
};
