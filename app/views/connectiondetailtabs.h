#pragma once

#include <QTabWidget>

QT_BEGIN_NAMESPACE
class QPlainTextEdit;
class QTreeView;
QT_END_NAMESPACE

class ChartPanel;
class ConnectionLogModel;
class DiagnosticsView;
class EventDetailView;
class LlmPane;
class StatisticsModel;
class Workspace;

/// The tabs below the event log: the current event (Detail), the chart, and for the current
/// connection its LLM responses, log, statistics, last response and stream check (Diagnostics).
class ConnectionDetailTabs : public QTabWidget
{
    Q_OBJECT
public:
    explicit ConnectionDetailTabs(Workspace *workspace, QWidget *parent = nullptr);

    /// The connection whose log, statistics, response and check the tabs show (0: none).
    void setConnection(quint16 id);
    quint16 connection() const { return m_connection; }
    /// Shows the event \a sequence of the log in the Detail tab (-1: none).
    void setEvent(qint64 sequence);
    void showResponse();

    EventDetailView *detailView() const { return m_detail; }
    ChartPanel *chartPanel() const { return m_chart; }
    LlmPane *llmPane() const { return m_llm; }
    DiagnosticsView *diagnosticsView() const { return m_diagnosticsView; }

private:
    QTreeView *createConnectionLog();
    QTreeView *createStatistics();
    void createDiagnostics();
    void updateResponse();
    void showAnnotations();
    void comparePrevious();

    Workspace *m_workspace = nullptr;
    quint16 m_connection = 0;
    qint64 m_event = -1; // the event the Detail tab shows
    EventDetailView *m_detail = nullptr;
    ChartPanel *m_chart = nullptr;
    LlmPane *m_llm = nullptr;
    ConnectionLogModel *m_logModel = nullptr;
    QTreeView *m_connectionLog = nullptr;
    StatisticsModel *m_statisticsModel = nullptr;
    QTreeView *m_statistics = nullptr;
    QPlainTextEdit *m_response = nullptr;
    DiagnosticsView *m_diagnosticsView = nullptr;
};
