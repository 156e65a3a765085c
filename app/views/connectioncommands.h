#pragma once

#include "sselib/sseclient.h"

#include <QObject>

QT_BEGIN_NAMESPACE
class QAction;
class QWidget;
QT_END_NAMESPACE

class ConnectionsPane;
class MainStatusBar;
class Workspace;

/// The commands that add and edit connections: New Connection, the demo stream, Edit (from
/// the connections pane), export and import of connection profiles, and the plain-text
/// secrets fallback. It owns their actions and asks through modal dialogs on \a window; the
/// connections themselves are the workspace's.
class ConnectionCommands : public QObject
{
    Q_OBJECT
public:
    ConnectionCommands(Workspace *workspace, ConnectionsPane *connections,
                       MainStatusBar *statusBar, QWidget *window);

    QAction *newAction() const { return m_newAction; }
    QAction *demoAction() const { return m_demoAction; }
    QAction *exportConnectionsAction() const { return m_exportConnectionsAction; }
    QAction *importConnectionsAction() const { return m_importConnectionsAction; }
    QAction *plainSecretsAction() const { return m_plainSecretsAction; }

    /// Adds, opens and selects a connection.
    quint16 addConnection(const QString &name, const Sse::ClientOptions &options);
    /// Starts the built-in demo server (once), connects to it and selects the connection.
    quint16 openDemo();
    void editConnection(quint16 id);

private:
    void createActions();
    void newConnection();
    void exportConnections();
    void importConnections();
    void setPlainTextSecrets(bool enabled);

    Workspace *m_workspace;
    ConnectionsPane *m_connectionsPane;
    MainStatusBar *m_statusBar;
    QWidget *m_window;
    QAction *m_newAction = nullptr;
    QAction *m_demoAction = nullptr;
    QAction *m_exportConnectionsAction = nullptr;
    QAction *m_importConnectionsAction = nullptr;
    QAction *m_plainSecretsAction = nullptr;
};
