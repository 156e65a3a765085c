#include "views/recordingcommands.h"

#include "charts/seriescatalog.h"
#include "models/eventlogmodel.h"
#include "recording/exportjob.h"
#include "recording/replayer.h"
#include "session/workspace.h"
#include "views/actions.h"
#include "views/apptheme.h"
#include "views/connectionspane.h"
#include "views/eventlogpane.h"
#include "views/exporteventsdialog.h"
#include "views/filelocations.h"
#include "views/mockserverdialog.h"

#include <QAction>
#include <QFileDialog>
#include <QInputDialog>
#include <QMessageBox>

RecordingCommands::RecordingCommands(Workspace *workspace, ConnectionsPane *connections,
                                     EventLogPane *log, QWidget *window)
    : QObject(window),
      m_workspace(workspace),
      m_connectionsPane(connections),
      m_eventLogPane(log),
      m_window(window)
{
    createActions();
    connect(m_workspace, &Workspace::recordingChanged, this, [this] {
        const bool recording = m_workspace->isRecording();
        m_recordAction->setChecked(recording);
        // Red while recording: the bundled icon, whatever the desktop theme has.
        m_recordAction->setIcon(recording ? QIcon(QStringLiteral(":/icons/recording.svg"))
                                          : AppTheme::icon("media-record", "record"));
    });
}

void RecordingCommands::createActions()
{
    m_openAction = makeAction(this, tr("&Open Recording…"), QKeySequence::Open,
                              tr("Open a JSON Lines recording or a raw SSE capture"),
                              &RecordingCommands::openRecording);
    m_exportAction = makeAction(this, tr("&Export Events…"), QKeySequence(tr("Ctrl+E")),
                                tr("Export all, filtered or selected events"),
                                &RecordingCommands::exportEvents);
    m_exportAction->setIcon(AppTheme::icon("document-save-as", "export"));
    m_recordAction = makeAction(this, tr("&Record"), QKeySequence(tr("Ctrl+R")),
                                tr("Record every event and state change to a file"),
                                &RecordingCommands::toggleRecording);
    m_recordAction->setCheckable(true);
    m_recordAction->setIcon(AppTheme::icon("media-record", "record"));
    m_recordSelectedAction = makeAction(this, tr("Record &Selected Connection…"), QKeySequence(),
                                        tr("Record only the selected connection"),
                                        &RecordingCommands::recordSelected);
    m_rawCaptureAction = makeAction(this, tr("Also Record &Raw Bytes"), QKeySequence(),
                                    tr("Write the raw stream bytes beside the recording "
                                       "(FILE.raw.sse), for byte-exact replay"),
                                    [](bool) {});
    m_rawCaptureAction->setCheckable(true);
    m_replayAction =
        makeAction(this, tr("Re&play Recording…"), QKeySequence(tr("Ctrl+Shift+P")),
                   tr("Replay a recording into the window at its original timing or faster"),
                   &RecordingCommands::replayRecording);
    m_mockServerAction =
        makeAction(this, tr("&Mock Server…"), QKeySequence(),
                   tr("Serve an SSE endpoint on loopback and send events to its clients by hand"),
                   &RecordingCommands::openMockServer);
}

void RecordingCommands::toggleRecording()
{
    if (m_workspace->isRecording()) {
        m_workspace->stopRecording();
        return;
    }
    m_recordAction->setChecked(false);
    recordTo(0);
}

void RecordingCommands::recordSelected()
{
    const quint16 id = m_connectionsPane->currentConnection();
    if (id != 0)
        recordTo(id);
}

void RecordingCommands::recordTo(quint16 onlyConnection)
{
    const QString path =
        QFileDialog::getSaveFileName(m_window, tr("Record to"),
                                     FileLocations::timestampedRecordingPath(),
                                     tr("JSON Lines (*.jsonl);;All files (*)"));
    if (path.isEmpty())
        return;
    const auto raw =
        m_rawCaptureAction->isChecked() ? Workspace::RawCapture::On : Workspace::RawCapture::Off;
    if (!m_workspace->startRecording(path, raw, onlyConnection)) {
        QMessageBox::warning(
            m_window, tr("Record"),
            tr("Cannot record to %1: %2").arg(path, m_workspace->recordingError()));
    }
}

void RecordingCommands::exportEvents()
{
    const EventLogModel *log = m_workspace->logModel();
    ExportEventsDialog dialog(log->totalCount(), log->visibleCount(),
                              m_eventLogPane->selectedCount(), m_window);
    dialog.setMarkedCount(log->annotations().markedCount());
    QStringList knownPaths;
    for (const SeriesKey &key : m_workspace->seriesCatalog()->discoveredSeries()) {
        if (!key.path.isEmpty() && !key.isSplit())
            knownPaths.append(QString::fromUtf8(key.path));
    }
    knownPaths.removeDuplicates();
    dialog.setKnownPaths(knownPaths);
    if (dialog.exec() != QDialog::Accepted)
        return;
    QString suggested = FileLocations::timestampedRecordingPath();
    suggested.replace(QStringLiteral(".jsonl"), dialog.suffix());
    const QString path =
        QFileDialog::getSaveFileName(m_window, tr("Export to"), suggested, dialog.fileFilter());
    if (path.isEmpty())
        return;
    QList<qint64> sequences;
    switch (dialog.scope()) {
    case ExportEventsDialog::Scope::All:
        sequences = ExportJob::allSequences(log->store());
        break;
    case ExportEventsDialog::Scope::Filtered:
        sequences = ExportJob::visibleSequences(*log);
        break;
    case ExportEventsDialog::Scope::Selected:
        sequences = m_eventLogPane->selectedSequences();
        break;
    case ExportEventsDialog::Scope::Marked:
        sequences = ExportJob::markedSequences(*log);
        break;
    }
    const auto rules = dialog.ruleColumn() ? Workspace::RuleColumn::With
                                           : Workspace::RuleColumn::Without;
    if (!m_workspace->exportEvents(dialog.format(), path, sequences, dialog.jsonPaths(), rules))
        QMessageBox::information(m_window, tr("Export"), tr("An export is already running."));
}

void RecordingCommands::openRecording()
{
    const QString path = QFileDialog::getOpenFileName(
        m_window, tr("Open Recording"), QString(),
        tr("Recordings (*.jsonl *.ndjson *.txt *.sse);;All files (*)"));
    if (!path.isEmpty())
        m_workspace->openRecording(path);
}

void RecordingCommands::replayRecording()
{
    const QString path = QFileDialog::getOpenFileName(
        m_window, tr("Replay Recording"), QString(),
        tr("Recordings (*.jsonl *.ndjson *.txt *.sse);;All files (*)"));
    if (path.isEmpty())
        return;
    const QStringList speeds = {tr("Original timing (1×)"), tr("2×"), tr("10×"),
                                tr("As fast as possible")};
    bool ok = false;
    const QString choice =
        QInputDialog::getItem(m_window, tr("Replay speed"), tr("Speed:"), speeds, 0, false, &ok);
    if (!ok)
        return;
    const double speed = choice == speeds.at(1) ? 2.0
        : choice == speeds.at(2)                ? 10.0
        : choice == speeds.at(3)                ? Replayer::AsFastAsPossible
                                                : 1.0;
    m_workspace->replayRecording(path, speed);
}

void RecordingCommands::openMockServer()
{
    // One dialog, kept (with its server) until the window closes.
    auto *dialog = m_window->findChild<MockServerDialog *>();
    if (!dialog)
        dialog = new MockServerDialog(m_window);
    dialog->show();
    dialog->raise();
    dialog->activateWindow();
}
