#pragma once

#include <sselib/diagnostics.h>

#include <QWidget>

QT_BEGIN_NAMESPACE
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTableWidget;
QT_END_NAMESPACE

// Shows a stream check report: one row per finding (severity, title, detail, advice),
// then the statistics. The table holds a few dozen rows, so plain QTableWidget items are fine.
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
    /// While running the button is disabled and the status says so.
    void setRunning(bool running, const QString &target = {});
    void clear();

    Sse::DiagnosticsReport report() const { return m_report; }
    QTableWidget *table() const { return m_table; }
    /// The translated word for \a severity ("pass", "warning"...).
    static QString severityText(Sse::Finding::Severity severity);

Q_SIGNALS:
    void runRequested();

private:
    Sse::DiagnosticsReport m_report;
    QPushButton *m_runButton = nullptr;
    QLabel *m_statusLabel = nullptr;
    QTableWidget *m_table = nullptr;
    QPlainTextEdit *m_statistics = nullptr;
};
