#include "views/mainstatusbar.h"

#include "models/llmresponsemodel.h"

#include "recording/exportjob.h"
#include "recording/recorder.h"
#include "session/workspace.h"

#include <QDateTime>
#include <QFileInfo>
#include <QLabel>
#include <QProgressBar>
#include <QToolButton>

MainStatusBar::MainStatusBar(Workspace *workspace, QWidget *parent)
    : QStatusBar(parent)
    , m_workspace(workspace)
{
    m_state = new QLabel;
    m_state->setObjectName(QStringLiteral("connectionState"));
    m_message = new QLabel;
    m_message->setObjectName(QStringLiteral("statusMessage"));
    m_message->hide();
    m_totals = new QLabel;
    m_recording = new QLabel;
    m_recording->setObjectName(QStringLiteral("recordingIndicator"));
    // These show server texts (reason phrases) and file names: never as rich text.
    for (QLabel *label : {m_state, m_message, m_totals, m_recording})
        label->setTextFormat(Qt::PlainText);
    // Long texts are cut at the label's edge (the tool tip has them whole) rather than
    // widening the window.
    for (QLabel *label : {m_state, m_message})
        label->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    // All permanent: QStatusBar keeps no room of its own for the message it would paint.
    addPermanentWidget(m_state, 3);
    addPermanentWidget(m_message, 2);
    addPermanentWidget(m_recording);
    addPermanentWidget(m_totals);

    // QStatusBar keeps the text and its time-out; the label shows it.
    connect(this, &QStatusBar::messageChanged, this, &MainStatusBar::showMessageText);
    connect(workspace, &Workspace::message, this, &QStatusBar::showMessage);
    // The REC indicator changes at once when a recording starts, stops, fails or moves to a new
    // file; its counters move on the tick below, with every other counter on screen.
    connect(workspace, &Workspace::recordingChanged, this, [this] {
        if (recordingKey() != m_recordingShown)
            updateRecording();
    });
    connect(workspace, &Workspace::exportStarted, this, &MainStatusBar::showExport);
    connect(workspace->connections(), &ConnectionManager::stateChanged, this, [this](quint16 id) {
        if (id == m_connection)
            updateState();
        updateTotals();
    });
    connect(workspace->connections(), &ConnectionManager::healthChanged, this, [this](quint16 id) {
        if (id == m_connection)
            updateState();
        updateTotals();
    });
    // Counters, countdowns, rates and "last byte" ages: on the tick that repaints the
    // connections list, so that the totals here and there never differ.
    connect(workspace->connections(), &ConnectionManager::countersRefreshed, this, [this] {
        updateState();
        updateTotals();
        if (m_workspace->recorder()->isRecording())
            updateRecording();
    });
    updateState();
    updateTotals();
}

void MainStatusBar::setConnection(quint16 id)
{
    m_connection = id;
    updateState();
}

QString MainStatusBar::messageText() const
{
    return m_message->isHidden() ? QString() : m_message->text();
}

void MainStatusBar::showMessageText(const QString &text)
{
    m_message->setText(text);
    m_message->setToolTip(text);
    m_message->setVisible(!text.isEmpty());
}

void MainStatusBar::updateState()
{
    const ConnectionEntry *entry = m_workspace->connections()->entry(m_connection);
    if (!entry) {
        m_state->setText(tr("No connection selected"));
        return;
    }
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    QString text = entry->name + QStringLiteral(": ") + ConnectionListModel::stateText(*entry, now);
    if (entry->state == Sse::Client::State::Open
        || entry->state == Sse::Client::State::Reconnecting)
        text += tr(" · retry %1 ms").arg(entry->reconnectionTimeMs);
    if (entry->lastByteMs > 0)
        text += tr(" · last byte %1 s ago")
                    .arg(QString::number((now - entry->lastByteMs) / 1000.0, 'f', 1));
    if (!entry->offline)
        text += tr(" · health: %1").arg(ConnectionListModel::healthText(entry->health));
    const QString verdict = m_workspace->llmModel()->lastVerdict(m_connection);
    if (!verdict.isEmpty())
        text += tr(" · LLM: %1").arg(verdict);
    m_state->setText(text);
    m_state->setToolTip(text);
}

void MainStatusBar::updateTotals()
{
    qint64 events = 0;
    double rate = 0;
    int open = 0;
    int unhealthy = 0;
    for (const ConnectionEntry &entry : m_workspace->connections()->model()->entries()) {
        events += entry.shownEvents; // the list's count, as of the same tick
        rate += entry.rate;
        if (entry.state == Sse::Client::State::Open)
            ++open;
        if (entry.health.verdict != Sse::HealthVerdict::Healthy
            && entry.health.verdict != Sse::HealthVerdict::Unknown)
            ++unhealthy;
    }
    QString text = tr("%1 open · %Ln event(s) · %2/s", nullptr, int(qMin<qint64>(events, INT_MAX)))
                       .arg(open)
                       .arg(QString::number(rate, 'f', rate >= 100 ? 0 : 1));
    if (unhealthy > 0)
        text += tr(" · %1 unhealthy").arg(unhealthy);
    m_totals->setText(text);
}

QString MainStatusBar::recordingKey() const
{
    const Recorder *recorder = m_workspace->recorder();
    if (recorder->isRecording())
        return QStringLiteral("recording:") + recorder->fileName();
    return m_workspace->recordingError().isEmpty()
        ? QString()
        : QStringLiteral("failed:") + m_workspace->recordingError();
}

void MainStatusBar::updateRecording()
{
    m_recordingShown = recordingKey();
    const Recorder *recorder = m_workspace->recorder();
    if (recorder->isRecording()) {
        m_recording->setStyleSheet(QStringLiteral("color: #d93535; font-weight: bold"));
        m_recording->setText(tr("● REC %1 · %2 · %Ln event(s)", nullptr,
                                int(qMin<qint64>(recorder->eventsWritten(), INT_MAX)))
                                 .arg(QFileInfo(recorder->fileName()).fileName(),
                                      formatBytes(recorder->bytesWritten())));
        m_recording->setToolTip(recorder->fileName());
    } else if (!m_workspace->recordingError().isEmpty()) {
        m_recording->setStyleSheet(QStringLiteral("color: #d93535"));
        m_recording->setText(tr("Recording failed"));
        m_recording->setToolTip(m_workspace->recordingError());
    } else {
        m_recording->clear();
        m_recording->setToolTip(QString());
    }
}

void MainStatusBar::showExport(ExportJob *job)
{
    auto *progress = new QProgressBar;
    progress->setRange(0, 100);
    progress->setMaximumWidth(160);
    auto *cancel = new QToolButton;
    cancel->setText(tr("Cancel export"));
    addPermanentWidget(progress);
    addPermanentWidget(cancel);
    connect(cancel, &QToolButton::clicked, job, &ExportJob::cancel);
    connect(job, &ExportJob::progress, progress, &QProgressBar::setValue);
    // The job is deleted after it finished: the widgets go with it.
    connect(job, &QObject::destroyed, progress, &QObject::deleteLater);
    connect(job, &QObject::destroyed, cancel, &QObject::deleteLater);
}
