#pragma once

#include "sselib/llmanalyser.h"

#include <QTimer>
#include <QWidget>

QT_BEGIN_NAMESPACE
class QAction;
class QCheckBox;
class QLabel;
class QPlainTextEdit;
class QSplitter;
class QStackedWidget;
class QTextBrowser;
class QToolButton;
class QTreeView;
QT_END_NAMESPACE

class ElidedLabel;
class LlmResponseModel;
class LlmTimingChart;

/// The LLM tab: the recognised LLM responses of the current connection (time, provider,
/// model, verdict, tokens) and, for the chosen one, its verdict badge, timing strip, usage,
/// the assembled text (Markdown, or raw), the reasoning (collapsible) and the tool calls with
/// their arguments pretty-printed. A running response is redrawn at most every 100 ms and
/// only when it changed; the text keeps its scroll position unless it was at the end.
class LlmPane : public QWidget
{
    Q_OBJECT
public:
    explicit LlmPane(LlmResponseModel *model, QWidget *parent = nullptr);

    /// The connection whose responses are listed (0: none).
    void setConnection(quint16 id);
    /// The response shown (a row of the model), -1 when none.
    int currentResponse() const { return m_row; }
    void selectResponse(int row);

    QTreeView *list() const { return m_list; }
    QLabel *badge() const { return m_badge; }
    /// Provider · model · response id · finish reason, on one line (cut, with a tool tip).
    ElidedLabel *heading() const { return m_heading; }
    QTextBrowser *textView() const { return m_text; }
    QCheckBox *rawToggle() const { return m_raw; }
    LlmTimingChart *timingChart() const { return m_timingChart; }
    /// Copy the chosen response's text (as sent: Markdown), its reasoning, its tool calls'
    /// arguments (one per line), or its summary as the `llm` JSON record.
    QAction *copyTextAction() const { return m_copyText; }
    QAction *copyReasoningAction() const { return m_copyReasoning; }
    QAction *copyArgumentsAction() const { return m_copyArguments; }
    QAction *copySummaryAction() const { return m_copySummary; }
    /// Export the chosen response's summary (the `llm` JSON record, as the CLI prints it) or
    /// its text (Markdown, as sent) to a file the user picks.
    QAction *exportSummaryAction() const { return m_exportSummary; }
    QAction *exportTextAction() const { return m_exportText; }

    enum class ExportKind { Summary, Text };
    /// Writes what \a kind names of the chosen response to \a path (atomically: a failed
    /// write leaves an existing file as it was). False with \a error set when it cannot.
    bool exportTo(ExportKind kind, const QString &path, QString *error = nullptr) const;

private:
    void refresh();
    void showSummary(const Sse::Llm::Summary &summary, bool live);
    void setText(QTextBrowser *view, const QString &text, bool markdown);
    QString toolCallsHtml(const Sse::Llm::Summary &summary) const;
    void exportWithDialog(ExportKind kind);

    LlmResponseModel *m_model;
    QStackedWidget *m_stack = nullptr;
    QTreeView *m_list = nullptr;
    QLabel *m_badge = nullptr;
    ElidedLabel *m_heading = nullptr;
    QLabel *m_timing = nullptr;
    LlmTimingChart *m_timingChart = nullptr;
    QLabel *m_usage = nullptr;
    QCheckBox *m_raw = nullptr;
    QTextBrowser *m_text = nullptr;
    QToolButton *m_reasoningToggle = nullptr;
    QPlainTextEdit *m_reasoning = nullptr;
    QSplitter *m_parts = nullptr; // text, reasoning, tool calls
    QWidget *m_toolsBox = nullptr;
    QLabel *m_toolsHeading = nullptr;
    QTextBrowser *m_tools = nullptr;
    QToolButton *m_copyButton = nullptr;
    QAction *m_copyText = nullptr;
    QAction *m_copyReasoning = nullptr;
    QAction *m_copyArguments = nullptr;
    QAction *m_copySummary = nullptr;
    QToolButton *m_exportButton = nullptr;
    QAction *m_exportSummary = nullptr;
    QAction *m_exportText = nullptr;
    Sse::Llm::Summary m_shown; // what the copy actions copy
    QTimer m_liveTimer;
    int m_row = -1;
    quint64 m_shownRevision = 0;
    bool m_followNewest = true; // select each new response while the newest is selected
};
