#pragma once

#include <QObject>

QT_BEGIN_NAMESPACE
class QAction;
class QWidget;
QT_END_NAMESPACE

class ConnectionsPane;
class EventLogPane;
class Workspace;

/// The File menu's commands on recordings and exports: record (all connections or the
/// selected one, optionally with the raw bytes), export events, open and replay a recording,
/// and the mock server. It owns their actions and asks through modal dialogs on \a window;
/// the work itself is the workspace's. The window puts the actions in its menus and toolbar.
class RecordingCommands : public QObject
{
    Q_OBJECT
public:
    RecordingCommands(Workspace *workspace, ConnectionsPane *connections, EventLogPane *log,
                      QWidget *window);

    QAction *openAction() const { return m_openAction; }
    QAction *replayAction() const { return m_replayAction; }
    QAction *mockServerAction() const { return m_mockServerAction; }
    QAction *recordAction() const { return m_recordAction; }
    QAction *recordSelectedAction() const { return m_recordSelectedAction; }
    /// Checked: recordings also get FILE.raw.sse (remembered by the window's settings).
    QAction *rawCaptureAction() const { return m_rawCaptureAction; }
    QAction *exportAction() const { return m_exportAction; }

private:
    void createActions();
    void toggleRecording();
    void recordSelected();
    void recordTo(quint16 onlyConnection);
    void exportEvents();
    void openRecording();
    void replayRecording();
    void openMockServer();

    Workspace *m_workspace;
    ConnectionsPane *m_connectionsPane;
    EventLogPane *m_eventLogPane;
    QWidget *m_window;
    QAction *m_openAction = nullptr;
    QAction *m_replayAction = nullptr;
    QAction *m_mockServerAction = nullptr;
    QAction *m_recordAction = nullptr;
    QAction *m_recordSelectedAction = nullptr;
    QAction *m_rawCaptureAction = nullptr;
    QAction *m_exportAction = nullptr;
};
