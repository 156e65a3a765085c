#include "models/connectionlogmodel.h"

#include "models/connectionmanager.h"

#include <QColor>
#include <QDateTime>
#include <QIcon>

ConnectionLogModel::ConnectionLogModel(const ConnectionManager *connections, QObject *parent)
    : QAbstractTableModel(parent)
    , m_connections(connections)
{
    connect(connections, &ConnectionManager::logAppended, this, &ConnectionLogModel::follow);
    connect(connections, &ConnectionManager::connectionRemoved, this, [this](quint16 id) {
        if (id == m_connection)
            setConnection(0);
    });
}

void ConnectionLogModel::setConnection(quint16 id)
{
    const ConnectionEntry *entry = m_connections->entry(id);
    beginResetModel();
    m_connection = entry ? id : 0;
    m_rows = entry ? int(entry->log.size()) : 0;
    m_appended = entry ? entry->logAppended : 0;
    endResetModel();
}

void ConnectionLogModel::follow(quint16 id)
{
    if (id != m_connection)
        return;
    const ConnectionEntry *entry = m_connections->entry(id);
    const qint64 fresh = entry->logAppended - m_appended;
    const int size = int(entry->log.size());
    if (fresh <= 0)
        return;
    if (fresh > size) { // more new entries than the capped log holds
        setConnection(id);
        return;
    }
    const int dropped = m_rows + int(fresh) - size;
    if (dropped > 0) {
        beginRemoveRows({}, 0, dropped - 1);
        m_rows -= dropped;
        endRemoveRows();
    }
    beginInsertRows({}, m_rows, m_rows + int(fresh) - 1);
    m_rows += int(fresh);
    m_appended = entry->logAppended;
    endInsertRows();
}

const ConnectionLogEntry *ConnectionLogModel::logEntry(int row) const
{
    const ConnectionEntry *entry = m_connections->entry(m_connection);
    if (!entry)
        return nullptr;
    // The rows are the m_rows entries appended up to m_appended, counted over everything ever
    // appended; the log holds the last log.size() of those. Counting from m_appended, not from
    // the end of the log, keeps each row on its entry while an entry is already in the log but
    // not yet a row (views read the rows between beginInsertRows and endInsertRows).
    const qint64 first = entry->logAppended - entry->log.size(); // number of log.at(0)
    const qint64 index = m_appended - m_rows + row - first;
    return index >= 0 && index < entry->log.size() ? &entry->log.at(index) : nullptr;
}

int ConnectionLogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_rows;
}

int ConnectionLogModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ConnectionLogModel::data(const QModelIndex &index, int role) const
{
    const ConnectionLogEntry *log = index.isValid() ? logEntry(index.row()) : nullptr;
    if (!log)
        return {};
    const int column = index.column();
    if (role == Qt::ToolTipRole && column == DetailColumn) {
        // The detail may carry the server's text; a tool tip would render markup in it.
        return QString(QLatin1String("<div style=\"white-space: pre-wrap\">")
                       + log->detail.toHtmlEscaped() + QLatin1String("</div>"));
    }
    if (role == Qt::ForegroundRole && column == DetailColumn
        && (log->gap || log->state == Sse::Client::State::Failed
            || (log->healthChange && log->verdict != Sse::HealthVerdict::Healthy
                && log->verdict != Sse::HealthVerdict::Unknown))) {
        return QColor(0xd9, 0x35, 0x35);
    }
    if (role == Qt::DecorationRole && column == StateColumn && log->healthChange)
        return ConnectionListModel::healthIcon(log->verdict);
    if (role != Qt::DisplayRole)
        return {};
    switch (column) {
    case TimeColumn:
        return formatTime(log->timeMs);
    case StateColumn:
        if (log->healthChange)
            return tr("health: %1").arg(Sse::healthVerdictLabel(log->verdict));
        return log->gap ? tr("id gap") : ConnectionListModel::stateWord(log->state);
    case DetailColumn:
        return log->detail;
    case StatusColumn:
        return log->httpStatus > 0 ? QString::number(log->httpStatus) : QString();
    case RetryColumn:
        return log->retryMs >= 0 ? tr("%1 ms (attempt %2)").arg(log->retryMs).arg(log->attempt)
                                 : QString();
    case LastEventIdColumn:
        return QString::fromUtf8(log->lastEventId);
    }
    return {};
}

QVariant ConnectionLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case TimeColumn:
        return tr("Time");
    case StateColumn:
        return tr("State");
    case DetailColumn:
        return tr("Detail");
    case StatusColumn:
        return tr("Status");
    case RetryColumn:
        return tr("Retry");
    case LastEventIdColumn:
        return tr("Last-Event-ID");
    }
    return {};
}
