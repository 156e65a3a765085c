#pragma once

#include <QList>
#include <QSplitter>

QT_BEGIN_NAMESPACE
class QAction;
class QListView;
class QMenu;
class QTableView;
QT_END_NAMESPACE

class Workspace;

/// The left pane: the connections table above the event types, with the actions on the
/// selected connection (edit, duplicate, connect, disconnect, reconnect, check, remove).
/// The actions are enabled from the signals that change what they act on: the current row
/// and the state of its connection.
class ConnectionsPane : public QSplitter
{
    Q_OBJECT
public:
    explicit ConnectionsPane(Workspace *workspace, QWidget *parent = nullptr);

    quint16 currentConnection() const;
    /// Makes `id` current and highlights it (after an add, a duplicate, a replay start). This
    /// is not a choice of the user, so it does not narrow the log: it shows everything again.
    void selectConnection(quint16 id);
    /// Selects `ids` as if the user had: the log shows only them, under the scope chip (an
    /// opened recording, shown apart from the live streams).
    void selectConnections(const QList<quint16> &ids);
    /// The selected connections, in row order; they decide what the event log shows.
    QList<quint16> selectedConnections() const;
    /// Drops the selection (the log then shows every connection); the current row stays.
    void clearConnectionSelection();

    /// The connection actions, in menu order; a null entry stands for a separator.
    QList<QAction *> connectionActions() const;
    /// The actions of the toolbar's connection group.
    QList<QAction *> toolBarActions() const;

    QTableView *connectionView() const { return m_connectionView; }
    QListView *typeView() const { return m_typeView; }

Q_SIGNALS:
    void currentConnectionChanged(quint16 id);
    void selectedConnectionsChanged(const QList<quint16> &ids);
    /// The user wants to edit \a id (the dialog belongs to the window).
    void editRequested(quint16 id);
    /// A double-click on a failed connection: its response says why.
    void responseRequested(quint16 id);

private:
    void createActions();
    QWidget *createConnectionsBox();
    QWidget *createTypesBox();
    void updateActions();
    void activate();
    void showTypeMenu(const QPoint &position);
    /// Asks first when the connection is live or has events in the log.
    void removeConnection(quint16 id);

    Workspace *m_workspace = nullptr;
    QTableView *m_connectionView = nullptr;
    QListView *m_typeView = nullptr;

    QAction *m_editAction = nullptr;
    QAction *m_duplicateAction = nullptr;
    QAction *m_connectAction = nullptr;
    QAction *m_disconnectAction = nullptr;
    QAction *m_reconnectAction = nullptr;
    QAction *m_checkAction = nullptr;
    QAction *m_copyCurlAction = nullptr;
    QAction *m_copyCurlSecretsAction = nullptr;
    QAction *m_removeAction = nullptr;
    QAction *m_pauseReplayAction = nullptr;
    QAction *m_stopReplayAction = nullptr;
    QMenu *m_replaySpeedMenu = nullptr;
    bool m_selectingForProgram = false; // selectConnection() is running
};
