#pragma once

#include <QAbstractTableModel>

class ConnectionManager;
struct ConnectionLogEntry;

/// The connection log of one connection (every state change with its context), oldest first.
///
/// The log itself lives in the connection's entry, capped at
/// ConnectionListModel::MaximumLogEntries. The model follows it incrementally: new entries
/// become rows at the bottom, and the rows of entries the cap dropped leave at the top, so a
/// connection that reconnects ten times a second costs a few rows per change, not a rebuild.
class ConnectionLogModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        TimeColumn,
        StateColumn,
        DetailColumn,
        StatusColumn,
        RetryColumn,
        LastEventIdColumn,
        ColumnCount
    };

    explicit ConnectionLogModel(const ConnectionManager *connections, QObject *parent = nullptr);

    /// Shows the log of \a id (0: none).
    void setConnection(quint16 id);
    quint16 connection() const { return m_connection; }

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    void follow(quint16 id);
    const ConnectionLogEntry *logEntry(int row) const;

    const ConnectionManager *m_connections = nullptr;
    quint16 m_connection = 0;
    int m_rows = 0;
    qint64 m_appended = 0; ///< the entry's logAppended when the rows were last brought up to date
};
