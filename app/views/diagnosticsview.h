#pragma once

#include "sselib/diagnostics.h"

#include <QElapsedTimer>
#include <QTimer>
#include <QWidget>

QT_BEGIN_NAMESPACE
class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QTableWidget;
QT_END_NAMESPACE

// Shows a stream check report: the findings by severity (failures first), each severity under
// a section row with its count, one row per finding (severity, title, detail, advice), then
// the statistics. "Copy report" puts the same, as text, on the clipboard. The table holds a few dozen rows, so plain QTableWidget items are fine.
// "Run check" only emits runRequested(): whoever owns the Sse::StreamDiagnostics runs it
// and calls setRunning() and setReport().
class DiagnosticsView : public QWidget
{
    Q_OBJECT

public:
    enum Column { SeverityColumn, TitleColumn, DetailColumn, AdviceColumn, ColumnCount };
    Q_ENUM(Column)

    explicit DiagnosticsView(QWidget *parent = nullptr);

    void setReport(const Sse::DiagnosticsReport &report);
    /// While running the button is disabled, the status says so and a bar shows the time
    /// passed of \a durationMs (a busy bar without it).
    void setRunning(bool running, const QString &target = {}, int durationMs = 0);
    /// The events the running check has seen so far.
    void setObservedEvents(qint64 events);
    void clear();
    /// The report as the clipboard gets it: findings by severity, then the statistics.
    QString reportText() const;
    /// The finding shown in \a row, or nullptr for a section row.
    const Sse::Finding *findingAt(int row) const;

    Sse::DiagnosticsReport report() const { return m_report; }
    QTableWidget *table() const { return m_table; }
    /// The translated word for \a severity ("pass", "warning"...).
    static QString severityText(Sse::Finding::Severity severity);

Q_SIGNALS:
    void runRequested();

private:
    void updateProgress();
    void addSection(Sse::Finding::Severity severity, int count);
    static QString sectionTitle(Sse::Finding::Severity severity, int count);

    Sse::DiagnosticsReport m_report;
    QList<int> m_rowFindings; ///< table row → index in m_report.findings, -1 for a section
    QString m_target;
    qint64 m_observedEvents = 0;
    int m_durationMs = 0;
    QElapsedTimer m_runClock;
    QTimer m_progressTimer;
    QPushButton *m_runButton = nullptr;
    QPushButton *m_copyButton = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_statusLabel = nullptr;
    QTableWidget *m_table = nullptr;
    QPlainTextEdit *m_statistics = nullptr;
};
