#pragma once

#include "sselib/sseclient.h"

#include <QList>
#include <QMainWindow>

#include <memory>

QT_BEGIN_NAMESPACE
class QAction;
class QMenu;
class QSplitter;
class QStackedWidget;
QT_END_NAMESPACE

class AlertsPane;
class ConnectionCommands;
class ConnectionDetailTabs;
class ConnectionsPane;
class EventLogPane;
class MainStatusBar;
class Notifier;
class RecordingCommands;
class Workspace;

/// The window a user works in. It assembles: the workspace (connections, log, recording and
/// the jobs on them), the panes that show it (connections and types on the left, the event
/// log in the middle, the detail tabs below, the status bar), the menus and the toolbar filled
/// from the panes' actions, the modal dialogs and the persistence of the layout.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    Workspace *workspace() const { return m_workspace; }
    ConnectionsPane *connectionsPane() const { return m_connectionsPane; }
    EventLogPane *eventLogPane() const { return m_eventLogPane; }
    ConnectionDetailTabs *detailTabs() const { return m_detailTabs; }
    AlertsPane *alertsPane() const { return m_alertsPane; }

    /// Adds, opens and selects a connection (from the command line, the dialog or a test).
    quint16 addConnection(const QString &name, const Sse::ClientOptions &options);
    /// Starts the built-in demo server (once), connects to it and selects the connection.
    quint16 openDemo();
    /// Restores saved connections; returns how many.
    int restoreConnections();
    void saveSettings();
    void restoreLayout();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void createPanes();
    void createActions();
    void createMenus();
    void addPaneShortcuts(QMenu *view);
    void addLanguageMenu(QMenu *view);
    void createToolBar();
    void connectPanes();
    /// The log shows the connections the user selected, a proxy's exchanges with the proxy.
    void scopeLogToSelection();
    /// An alert was activated: its event, selected and in view in the event log.
    void showAlertEvent(qint64 sequence);

    void chooseCapacity();
    void chooseByteBudget();
    void focusPane(QWidget *pane);
    void chooseLanguage(QAction *action);
    void showAbout();

    Workspace *m_workspace = nullptr;
    ConnectionsPane *m_connectionsPane = nullptr;
    AlertsPane *m_alertsPane = nullptr;
    std::unique_ptr<Notifier> m_notifier; // desktop notifications of the alerts
    EventLogPane *m_eventLogPane = nullptr;
    ConnectionDetailTabs *m_detailTabs = nullptr;
    MainStatusBar *m_statusBar = nullptr;
    QStackedWidget *m_centerStack = nullptr;
    QSplitter *m_mainSplitter = nullptr;
    QSplitter *m_centerSplitter = nullptr;
    ConnectionCommands *m_connectionCommands = nullptr;
    RecordingCommands *m_recordingCommands = nullptr;
    QList<quint16> m_scopeSelection; // what the user selected in the Connections pane

    QAction *m_quitAction = nullptr;
    QAction *m_capacityAction = nullptr;
    QAction *m_byteBudgetAction = nullptr;
    QAction *m_aboutAction = nullptr;
};
