#pragma once

#include <QAbstractTableModel>
#include <QByteArray>
#include <QList>

class ConnectionManager;
struct TypeStatistics;

/// The statistics of one connection: a total row, one row per event type for the most
/// frequent types, a row counting the other types, and the reconnects and id gaps.
///
/// refresh() updates the rows in place (dataChanged, and rows inserted or removed only where
/// the number of shown types changes). However many types a stream has, the model shows at
/// most MaximumTypeRows of them, chosen by count with a partial sort, so 200,000 distinct types
/// cost one pass over the counts per refresh, not 200,000 rows.
class StatisticsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        TypeColumn,
        EventsColumn,
        RateColumn,
        BytesColumn,
        MeanGapColumn,
        MaxGapColumn,
        LastColumn,
        ColumnCount
    };
    enum class RowKind { Total, Type, MoreTypes, Reconnects };
    static constexpr int MaximumTypeRows = 100;

    explicit StatisticsModel(const ConnectionManager *connections, QObject *parent = nullptr);

    void setConnection(quint16 id);
    quint16 connection() const { return m_connection; }
    /// Reads the connection's counters again.
    void refresh();

    RowKind rowKind(int row) const;
    /// Types not shown in a row of their own (the "N more" row).
    int hiddenTypeCount() const { return m_hiddenTypes; }

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    struct TypeRow
    {
        QByteArray name;
        qint64 count = 0;
    };
    QList<TypeRow> topTypes(int *hidden) const;
    QString totalText(int column) const;
    QString typeText(const TypeRow &row, int column) const;
    QString moreText(int column) const;
    QString reconnectsText(int column) const;
    int fixedRowCount() const;

    const ConnectionManager *m_connections = nullptr;
    quint16 m_connection = 0;
    QList<TypeRow> m_types; ///< shown, most frequent first
    int m_hiddenTypes = 0;
    qint64 m_hiddenEvents = 0;
    qint64 m_totalEvents = 0; ///< as of the last refresh(), like the type rows' counts
};
