#include "views/llmpane.h"

#include "charts/llmtimingchart.h"
#include "models/llmresponsemodel.h"
#include "views/elidedlabel.h"

#include <QCheckBox>
#include <QClipboard>
#include <QFileDialog>
#include <QMessageBox>
#include <QSaveFile>
#include <QGuiApplication>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QJsonDocument>
#include <QLabel>
#include <QMenu>
#include <QPlainTextEdit>
#include <QRegularExpression>
#include <QScrollBar>
#include <QSplitter>
#include <QStackedWidget>
#include <QTextBrowser>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

#include <numeric>

namespace {

QString milliseconds(const std::optional<double> &ms)
{
    return ms ? QLocale().toString(*ms, 'f', 1) + QStringLiteral(" ms") : QStringLiteral("–");
}

QString tokens(const std::optional<qint64> &count)
{
    return count ? QLocale().toString(*count) : QStringLiteral("–");
}

QString badgeStyle(LlmResponseModel::Verdict verdict)
{
    return QStringLiteral("QLabel { background: %1; color: white; border-radius: 3px;"
                          " padding: 2px 8px; font-weight: bold; }")
        .arg(LlmResponseModel::verdictColour(verdict).name());
}

} // namespace

LlmPane::LlmPane(LlmResponseModel *model, QWidget *parent) : QWidget(parent), m_model(model)
{
    setObjectName(QStringLiteral("llmPane"));
    m_list = new QTreeView;
    m_list->setObjectName(QStringLiteral("llmResponses"));
    m_list->setAccessibleName(tr("LLM responses"));
    m_list->setRootIsDecorated(false);
    m_list->setUniformRowHeights(true);
    m_list->setModel(model);
    m_list->setMinimumWidth(240); // time and provider stay readable in a narrow window
    m_list->setColumnWidth(LlmResponseModel::TimeColumn, 95);
    m_list->setColumnWidth(LlmResponseModel::ProviderColumn, 105);
    m_list->setColumnWidth(LlmResponseModel::ModelColumn, 150);
    m_list->setColumnWidth(LlmResponseModel::VerdictColumn, 200);

    m_badge = new QLabel;
    m_badge->setObjectName(QStringLiteral("llmVerdict"));
    m_badge->setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Fixed);
    // One line whatever the model's name: cut rather than wrap or widen the pane.
    m_heading = new ElidedLabel;
    m_heading->setObjectName(QStringLiteral("llmHeading"));
    m_heading->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_timing = new QLabel;
    m_timing->setObjectName(QStringLiteral("llmTiming"));
    m_timing->setWordWrap(true);
    m_timing->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_timingChart = new LlmTimingChart;
    // 190 px when there is room; below 170 px Qt Charts elides the axis labels.
    m_timingChart->setMinimumHeight(170);
    m_timingChart->setMaximumHeight(190);
    m_usage = new QLabel;
    m_usage->setObjectName(QStringLiteral("llmUsage"));
    m_usage->setWordWrap(true);
    m_usage->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_raw = new QCheckBox(tr("Raw text"));
    m_raw->setObjectName(QStringLiteral("llmRawText"));
    m_raw->setToolTip(tr("Show the assembled text as sent instead of rendering it as Markdown"));
    m_text = new QTextBrowser;
    m_text->setObjectName(QStringLiteral("llmText"));
    m_text->setAccessibleName(tr("Assembled text"));
    m_text->setPlaceholderText(tr("No text in this response"));
    m_text->setOpenLinks(false); // a link in model output is text, never followed
    m_reasoningToggle = new QToolButton;
    m_reasoningToggle->setObjectName(QStringLiteral("llmReasoningToggle"));
    m_reasoningToggle->setCheckable(true);
    m_reasoningToggle->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_reasoningToggle->setArrowType(Qt::RightArrow);
    m_reasoningToggle->setAutoRaise(true);
    m_reasoning = new QPlainTextEdit;
    m_reasoning->setObjectName(QStringLiteral("llmReasoning"));
    m_reasoning->setAccessibleName(tr("Reasoning"));
    m_reasoning->setReadOnly(true);
    m_reasoning->setVisible(false);
    m_toolsHeading = new QLabel;
    m_tools = new QTextBrowser;
    m_tools->setObjectName(QStringLiteral("llmToolCalls"));
    m_tools->setAccessibleName(tr("Tool calls"));

    m_copyText = new QAction(tr("Copy Text (Markdown)"), this);
    m_copyReasoning = new QAction(tr("Copy Reasoning"), this);
    m_copyArguments = new QAction(tr("Copy Tool Call Arguments"), this);
    m_copySummary = new QAction(tr("Copy Summary (JSON)"), this);
    auto copy = [](const QString &text) { QGuiApplication::clipboard()->setText(text); };
    connect(m_copyText, &QAction::triggered, this, [this, copy] { copy(m_shown.text); });
    connect(m_copyReasoning, &QAction::triggered, this, [this, copy] { copy(m_shown.reasoning); });
    connect(m_copyArguments, &QAction::triggered, this, [this, copy] {
        QStringList arguments;
        for (const Sse::Llm::ToolCall &call : std::as_const(m_shown.toolCalls))
            arguments.append(call.arguments);
        copy(arguments.join(u'\n'));
    });
    connect(m_copySummary, &QAction::triggered, this, [this, copy] {
        QByteArray record;
        Sse::Llm::appendRecord(record, m_shown);
        copy(QString::fromUtf8(record).trimmed());
    });
    auto *copyMenu = new QMenu(this);
    copyMenu->addActions({m_copyText, m_copyReasoning, m_copyArguments, m_copySummary});
    m_copyButton = new QToolButton;
    m_copyButton->setObjectName(QStringLiteral("llmCopy"));
    m_copyButton->setText(tr("Copy"));
    m_copyButton->setPopupMode(QToolButton::InstantPopup);
    m_copyButton->setMenu(copyMenu);
    m_copyButton->setEnabled(false);

    m_exportSummary = new QAction(tr("Export Summary (JSON)…"), this);
    m_exportText = new QAction(tr("Export Text (Markdown)…"), this);
    connect(m_exportSummary, &QAction::triggered, this,
            [this] { exportWithDialog(ExportKind::Summary); });
    connect(m_exportText, &QAction::triggered, this,
            [this] { exportWithDialog(ExportKind::Text); });
    auto *exportMenu = new QMenu(this);
    exportMenu->addActions({m_exportSummary, m_exportText});
    m_exportButton = new QToolButton;
    m_exportButton->setObjectName(QStringLiteral("llmExport"));
    m_exportButton->setText(tr("Export"));
    m_exportButton->setPopupMode(QToolButton::InstantPopup);
    m_exportButton->setMenu(exportMenu);
    m_exportButton->setEnabled(false);

    auto *top = new QHBoxLayout;
    top->addWidget(m_badge);
    top->addWidget(m_heading, 1);
    top->addWidget(m_raw);
    top->addWidget(m_copyButton);
    top->addWidget(m_exportButton);
    auto *reasoningBox = new QWidget;
    auto *reasoningLayout = new QVBoxLayout(reasoningBox);
    reasoningLayout->setContentsMargins(0, 0, 0, 0);
    reasoningLayout->addWidget(m_reasoningToggle);
    reasoningLayout->addWidget(m_reasoning, 1);
    m_toolsBox = new QWidget;
    auto *toolsLayout = new QVBoxLayout(m_toolsBox);
    toolsLayout->setContentsMargins(0, 0, 0, 0);
    toolsLayout->addWidget(m_toolsHeading);
    toolsLayout->addWidget(m_tools, 1);
    m_parts = new QSplitter(Qt::Vertical);
    m_parts->setChildrenCollapsible(false);
    m_parts->addWidget(m_text);
    m_parts->addWidget(reasoningBox);
    m_parts->addWidget(m_toolsBox);
    m_parts->setStretchFactor(0, 3);
    m_parts->setStretchFactor(1, 1);
    m_parts->setStretchFactor(2, 1);
    auto *detail = new QWidget;
    auto *detailLayout = new QVBoxLayout(detail);
    detailLayout->setContentsMargins(0, 0, 0, 0);
    detailLayout->addLayout(top);
    detailLayout->addWidget(m_timing);
    detailLayout->addWidget(m_timingChart);
    detailLayout->addWidget(m_usage);
    detailLayout->addWidget(m_parts, 1);

    auto *split = new QSplitter(Qt::Horizontal);
    split->addWidget(m_list);
    split->addWidget(detail);
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 3);
    split->setSizes({400, 600}); // in proportion once laid out

    auto *empty = new QLabel(tr("No LLM response on this connection yet. OpenAI Chat Completions "
                                "and Responses, Anthropic Messages and Gemini streams (and "
                                "compatible servers) are recognised by their events."));
    empty->setObjectName(QStringLiteral("llmEmpty"));
    empty->setWordWrap(true);
    empty->setAlignment(Qt::AlignCenter);
    m_stack = new QStackedWidget;
    m_stack->addWidget(empty);
    m_stack->addWidget(split);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_stack);

    connect(m_list->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                m_row = current.isValid() ? current.row() : -1;
                m_followNewest = m_row == m_model->rowCount() - 1;
                m_shownRevision = 0;
                refresh();
            });
    connect(model, &QAbstractItemModel::rowsInserted, this, [this] {
        m_stack->setCurrentIndex(1);
        if (m_followNewest || m_row < 0)
            selectResponse(m_model->rowCount() - 1);
    });
    connect(model, &QAbstractItemModel::rowsRemoved, this, [this] {
        m_row = m_list->currentIndex().isValid() ? m_list->currentIndex().row() : -1;
        m_shownRevision = 0;
    });
    connect(model, &QAbstractItemModel::modelReset, this, [this] {
        m_row = -1;
        m_shownRevision = 0;
        m_stack->setCurrentIndex(m_model->rowCount() > 0 ? 1 : 0);
        if (m_model->rowCount() > 0)
            selectResponse(m_model->rowCount() - 1);
    });
    connect(m_raw, &QCheckBox::toggled, this, [this] {
        m_shownRevision = 0;
        refresh();
    });
    connect(m_reasoningToggle, &QToolButton::toggled, this, [this](bool open) {
        m_reasoningToggle->setArrowType(open ? Qt::DownArrow : Qt::RightArrow);
        m_reasoning->setVisible(open);
        // Opened: the reasoning gets a third of the room, the text keeps the rest.
        QList<int> sizes = m_parts->sizes();
        const int total = std::accumulate(sizes.cbegin(), sizes.cend(), 0);
        if (open && sizes.size() == 3 && sizes[1] < total / 4) {
            sizes[1] = total / 3;
            sizes[0] = qMax(0, total - sizes[1] - sizes[2]);
            m_parts->setSizes(sizes);
        }
    });
    // A running response changes with every batch: look at it ten times a second.
    m_liveTimer.setInterval(100);
    connect(&m_liveTimer, &QTimer::timeout, this, &LlmPane::refresh);
    m_liveTimer.start();
}

void LlmPane::setConnection(quint16 id)
{
    m_model->setConnection(id);
}

void LlmPane::selectResponse(int row)
{
    if (row < 0 || row >= m_model->rowCount())
        return;
    m_list->setCurrentIndex(m_model->index(row, 0));
}

void LlmPane::refresh()
{
    if (m_row < 0 || m_row >= m_model->rowCount()) {
        if (m_model->rowCount() == 0)
            m_stack->setCurrentIndex(0);
        return;
    }
    const quint64 revision = m_model->revision(m_row);
    if (revision == m_shownRevision || !isVisible())
        return;
    m_shownRevision = revision;
    showSummary(m_model->summary(m_row), m_model->isLive(m_row));
}

void LlmPane::setText(QTextBrowser *view, const QString &text, bool markdown)
{
    // Keep the reader's place while the text grows, unless they were following its end.
    QScrollBar *bar = view->verticalScrollBar();
    const bool atEnd = bar->value() >= bar->maximum() - 4;
    const int value = bar->value();
    if (markdown)
        view->setMarkdown(text);
    else
        view->setPlainText(text);
    bar->setValue(atEnd ? bar->maximum() : value);
}

void LlmPane::showSummary(const Sse::Llm::Summary &summary, bool live)
{
    m_shown = summary;
    m_copyButton->setEnabled(true);
    m_exportButton->setEnabled(true);
    m_copyReasoning->setEnabled(!summary.reasoning.isEmpty());
    m_copyArguments->setEnabled(!summary.toolCalls.isEmpty());
    const LlmResponseModel::Verdict verdict = LlmResponseModel::verdictOf(summary, live);
    m_badge->setText(LlmResponseModel::verdictText(summary, live));
    m_badge->setStyleSheet(badgeStyle(verdict));
    QStringList heading{QString::fromLatin1(Sse::Llm::providerName(summary.provider))};
    if (summary.model)
        heading.append(*summary.model);
    if (summary.responseId)
        heading.append(*summary.responseId);
    heading.append(tr("finish reason: %1")
                       .arg(summary.finishReason ? *summary.finishReason : tr("none")));
    m_heading->setFullText(heading.join(QStringLiteral(" · ")));

    const Sse::Llm::Timing &t = summary.timing;
    const std::optional<double> rate = summary.outputTokensPerSecond();
    m_timing->setText(tr("TTFB %1 · first event %2 · TTFT %3 · duration %4 · %5 chunks · %6")
                          .arg(milliseconds(t.ttfbMs), milliseconds(t.firstEventMs),
                               milliseconds(t.ttftMs), milliseconds(t.durationMs))
                          .arg(t.chunks)
                          .arg(rate ? tr("%1 tokens/s").arg(QLocale().toString(*rate, 'f', 1))
                                    : tr("tokens/s unknown")));
    m_timingChart->setSummary(summary);
    if (summary.usage) {
        const Sse::Llm::Usage &u = *summary.usage;
        m_usage->setText(tr("Tokens: input %1 (cached %2) · output %3 (reasoning %4) · total %5")
                             .arg(tokens(u.inputTokens), tokens(u.cachedInputTokens),
                                  tokens(u.outputTokens), tokens(u.reasoningTokens),
                                  tokens(u.totalTokens)));
    } else {
        m_usage->setText(tr("Tokens: the stream sent no usage (OpenAI: set "
                            "stream_options.include_usage)"));
    }

    setText(m_text, summary.text, !m_raw->isChecked());
    const qsizetype reasoningChars = summary.reasoning.size();
    m_reasoningToggle->setText(reasoningChars > 0
                                   ? tr("Reasoning (%1 characters)").arg(reasoningChars)
                                   : tr("Reasoning (none)"));
    m_reasoningToggle->setEnabled(reasoningChars > 0);
    if (m_reasoning->toPlainText().size() != reasoningChars)
        m_reasoning->setPlainText(summary.reasoning);
    m_toolsHeading->setText(tr("Tool calls: %1").arg(summary.toolCalls.size()));
    m_toolsBox->setVisible(!summary.toolCalls.isEmpty());
    m_tools->setHtml(toolCallsHtml(summary));
}

QString LlmPane::toolCallsHtml(const Sse::Llm::Summary &summary) const
{
    QString html;
    for (const Sse::Llm::ToolCall &call : summary.toolCalls) {
        html += QStringLiteral("<p><b>%1</b> <span style=\"color:gray\">%2 · #%3</span>")
                    .arg(call.name.toHtmlEscaped(), call.id.toHtmlEscaped())
                    .arg(call.index);
        QString arguments = call.arguments;
        if (call.argumentsValid) {
            arguments = QString::fromUtf8(
                QJsonDocument::fromJson(call.arguments.toUtf8()).toJson(QJsonDocument::Indented));
        } else {
            html += QStringLiteral(" <span style=\"color:#c62828\"><b>%1</b></span>")
                        .arg(tr("not valid JSON").toHtmlEscaped());
        }
        html += QStringLiteral("</p><pre>%1</pre>").arg(arguments.toHtmlEscaped());
    }
    return html;
}

bool LlmPane::exportTo(ExportKind kind, const QString &path, QString *error) const
{
    QByteArray bytes;
    if (kind == ExportKind::Summary) {
        Sse::Llm::appendRecord(bytes, m_shown); // one line with its LF, as the CLI prints it
    } else {
        bytes = m_shown.text.toUtf8();
        if (!bytes.isEmpty() && !bytes.endsWith('\n'))
            bytes += '\n';
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit()) {
        if (error)
            *error = file.errorString();
        return false;
    }
    return true;
}

void LlmPane::exportWithDialog(ExportKind kind)
{
    const bool summary = kind == ExportKind::Summary;
    // The response id names the file; it comes from the stream, so only safe characters.
    QString name = m_shown.responseId.value_or(QStringLiteral("llm-response"));
    static const QRegularExpression unsafe(QStringLiteral("[^A-Za-z0-9._-]"));
    name.replace(unsafe, QStringLiteral("_"));
    const QString suggested = name + (summary ? QStringLiteral(".json") : QStringLiteral(".md"));
    const QString path = QFileDialog::getSaveFileName(
        this, summary ? tr("Export Summary") : tr("Export Text"), suggested,
        summary ? tr("JSON (*.json);;All files (*)") : tr("Markdown (*.md);;All files (*)"));
    if (path.isEmpty())
        return;
    QString error;
    if (!exportTo(kind, path, &error)) {
        QMessageBox::warning(this, tr("Export failed"),
                             tr("Could not write %1: %2").arg(path, error));
    }
}
