#pragma once

#include <QAbstractTableModel>
#include <QList>
#include <QString>

/// One raised alert.
struct Alert
{
    qint64 timeMs = 0; ///< wall clock, ms since the epoch
    quint16 connection = 0;
    QString connectionName;
    QString rule; ///< the rule's label
    QString detail; ///< what happened: the event, the silence, the failure
    QByteArray eventId; ///< the event that matched (match rules), else the last id in force
    qint64 eventTimeMs = 0; ///< that event's receive time, 0 when no event is involved
    qint64 eventSequence = -1; ///< that event in the event log, -1 when none
};

/// The alert list: newest last, at most MaximumAlerts (the oldest leave at the top).
class AlertListModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        TimeColumn,
        ConnectionColumn,
        RuleColumn,
        DetailColumn,
        EventColumn,
        ColumnCount
    };
    static constexpr int MaximumAlerts = 1000;

    explicit AlertListModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    void append(const Alert &alert);
    void clear();
    const QList<Alert> &alerts() const { return m_alerts; }

private:
    QList<Alert> m_alerts;
};
