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
// The model keeps its own copy of the names and counts; refresh() brings them up to date (meant to
// be called once per EventLogModel flush, e.g. from EventLogModel::countsChanged). It appends
// new types with one beginInsertRows and reports changed counts with one dataChanged over all
// rows.
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
    // Row i is type index i.
    QList<QString> m_names;
    QList<qint64> m_counts;
    QSet<quint16> m_hiddenTypes;
};
