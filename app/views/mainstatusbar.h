#pragma once

#include <QStatusBar>

QT_BEGIN_NAMESPACE
class QLabel;
QT_END_NAMESPACE

class ExportJob;
class Workspace;

/// The status bar: the state of the current connection, the totals of all connections, the
/// recording indicator, the progress of a running export (with Cancel) and the workspace's
/// messages.
///
/// Every part is a permanent widget, so that QStatusBar::showMessage() (the workspace's
/// messages, the status tips) never paints over the connection state: the message goes to a
/// label of its own beside it, and disappears after its time-out.
class MainStatusBar : public QStatusBar
{
    Q_OBJECT
public:
    explicit MainStatusBar(Workspace *workspace, QWidget *parent = nullptr);

    void setConnection(quint16 id);
    /// The transient message on screen (empty when none).
    QString messageText() const;

private:
    void updateState();
    void updateTotals();
    void updateRecording();
    // What the REC indicator is about (recording to a file, failed, nothing), without its
    // counters: a change of it is shown at once, counters on the next tick.
    QString recordingKey() const;
    void showExport(ExportJob *job);
    void showMessageText(const QString &text);

    Workspace *m_workspace = nullptr;
    quint16 m_connection = 0;
    QLabel *m_state = nullptr;
    QLabel *m_message = nullptr;
    QLabel *m_totals = nullptr;
    QLabel *m_recording = nullptr;
    QString m_recordingShown;
};
