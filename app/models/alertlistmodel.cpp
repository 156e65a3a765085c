#include "models/alertlistmodel.h"

#include "models/connectionlistmodel.h"

AlertListModel::AlertListModel(QObject *parent) : QAbstractTableModel(parent) { }

int AlertListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_alerts.size());
}

int AlertListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant AlertListModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_alerts.size())
        return {};
    const Alert &alert = m_alerts.at(index.row());
    if (role == Qt::ToolTipRole && index.column() == DetailColumn)
        return QString(QLatin1String("<div style=\"white-space: pre-wrap\">")
                       + alert.detail.toHtmlEscaped() + QLatin1String("</div>"));
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case TimeColumn:
        return formatTime(alert.timeMs);
    case ConnectionColumn:
        return alert.connectionName;
    case RuleColumn:
        return alert.rule;
    case DetailColumn:
        return alert.detail;
    case EventColumn:
        if (alert.eventTimeMs <= 0)
            return QString();
        return alert.eventId.isEmpty()
            ? tr("event at %1").arg(formatTime(alert.eventTimeMs))
            : tr("id %1 at %2")
                  .arg(QString::fromUtf8(alert.eventId.left(64)), formatTime(alert.eventTimeMs));
    }
    return {};
}

QVariant AlertListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case TimeColumn:
        return tr("Time");
    case ConnectionColumn:
        return tr("Connection");
    case RuleColumn:
        return tr("Rule");
    case DetailColumn:
        return tr("Detail");
    case EventColumn:
        return tr("Event");
    }
    return {};
}

void AlertListModel::append(const Alert &alert)
{
    if (m_alerts.size() >= MaximumAlerts) {
        beginRemoveRows(QModelIndex(), 0, 0);
        m_alerts.removeFirst();
        endRemoveRows();
    }
    const int row = int(m_alerts.size());
    beginInsertRows(QModelIndex(), row, row);
    m_alerts.append(alert);
    endInsertRows();
}

void AlertListModel::clear()
{
    beginResetModel();
    m_alerts.clear();
    endResetModel();
}
