#include "views/diagnosticsview.h"

#include "sselib/profile.h"

#include <QApplication>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QStyle>
#include <QTableWidget>
#include <QVBoxLayout>

namespace {

QColor severityColor(Sse::Finding::Severity severity)
{
    switch (severity) {
    case Sse::Finding::Pass:
        return QColor(0x2e, 0x7d, 0x32);
    case Sse::Finding::Info:
        return QColor(0x15, 0x65, 0xc0);
    case Sse::Finding::Warning:
        return QColor(0xc7, 0x7c, 0x02);
    case Sse::Finding::Failure:
        return QColor(0xc6, 0x28, 0x28);
    }
    return {};
}

QIcon severityIcon(Sse::Finding::Severity severity)
{
    QStyle *style = QApplication::style();
    switch (severity) {
    case Sse::Finding::Pass:
        return style->standardIcon(QStyle::SP_DialogApplyButton);
    case Sse::Finding::Info:
        return style->standardIcon(QStyle::SP_MessageBoxInformation);
    case Sse::Finding::Warning:
        return style->standardIcon(QStyle::SP_MessageBoxWarning);
    case Sse::Finding::Failure:
        return style->standardIcon(QStyle::SP_MessageBoxCritical);
    }
    return {};
}

} // namespace

DiagnosticsView::DiagnosticsView(QWidget *parent)
    : QWidget(parent),
      m_runButton(new QPushButton(tr("Run check"), this)),
      m_statusLabel(new QLabel(this)),
      m_table(new QTableWidget(0, ColumnCount, this)),
      m_statistics(new QPlainTextEdit(this))
{
    m_runButton->setToolTip(tr("Observe the selected connection's stream for a few seconds "
                               "and report what the server should change"));
    connect(m_runButton, &QPushButton::clicked, this, &DiagnosticsView::runRequested);

    m_table->setAccessibleName(tr("Findings"));
    m_table->setTabKeyNavigation(false);
    m_table->setHorizontalHeaderLabels({tr("Result"), tr("Check"), tr("Observed"), tr("Advice")});
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setWordWrap(true);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(SeverityColumn,
                                                      QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(TitleColumn, QHeaderView::Interactive);
    m_table->horizontalHeader()->setSectionResizeMode(DetailColumn, QHeaderView::Stretch);
    m_table->horizontalHeader()->setSectionResizeMode(AdviceColumn, QHeaderView::Stretch);
    m_table->setColumnWidth(TitleColumn, 260);

    m_statistics->setReadOnly(true);
    m_statistics->setAccessibleName(tr("Check statistics"));
    m_statistics->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_statistics->setPlaceholderText(tr("Statistics appear after a check."));

    auto *top = new QHBoxLayout;
    top->addWidget(m_runButton);
    top->addWidget(m_statusLabel, 1);

    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_table);
    splitter->addWidget(m_statistics);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 1);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(splitter, 1);
    clear();
}

void DiagnosticsView::setReport(const Sse::DiagnosticsReport &report)
{
    m_report = report;
    m_table->setRowCount(0);
    m_table->setRowCount(int(report.findings.size()));
    int row = 0;
    for (const Sse::Finding &finding : report.findings) {
        auto *severity = new QTableWidgetItem(severityIcon(finding.severity),
                                              severityText(finding.severity));
        severity->setForeground(severityColor(finding.severity));
        QFont bold = severity->font();
        bold.setBold(finding.severity >= Sse::Finding::Warning);
        severity->setFont(bold);
        severity->setData(Qt::UserRole, finding.id);
        m_table->setItem(row, SeverityColumn, severity);
        auto *title = new QTableWidgetItem(finding.title);
        title->setToolTip(finding.category + QStringLiteral(" · ") + finding.id);
        m_table->setItem(row, TitleColumn, title);
        auto *detail = new QTableWidgetItem(finding.detail);
        detail->setToolTip(finding.detail);
        m_table->setItem(row, DetailColumn, detail);
        auto *advice = new QTableWidgetItem(finding.advice);
        advice->setToolTip(finding.advice);
        m_table->setItem(row, AdviceColumn, advice);
        ++row;
    }
    m_table->resizeRowsToContents();
    m_statistics->setPlainText(report.statisticsText());
    m_statusLabel->setText(tr("%1: %2 failure(s), %3 warning(s), %4 passed")
                               .arg(Sse::redactedUrl(report.url))
                               .arg(report.count(Sse::Finding::Failure))
                               .arg(report.count(Sse::Finding::Warning))
                               .arg(report.count(Sse::Finding::Pass)));
}

QString DiagnosticsView::severityText(Sse::Finding::Severity severity)
{
    switch (severity) {
    case Sse::Finding::Pass:
        return tr("pass", "check result");
    case Sse::Finding::Info:
        return tr("info", "check result");
    case Sse::Finding::Warning:
        return tr("warning", "check result");
    case Sse::Finding::Failure:
        return tr("failure", "check result");
    }
    return {};
}

void DiagnosticsView::setRunning(bool running, const QString &target)
{
    m_runButton->setEnabled(!running);
    if (running)
        m_statusLabel->setText(tr("Checking %1…").arg(target));
}

void DiagnosticsView::clear()
{
    m_report = {};
    m_table->setRowCount(0);
    m_statistics->clear();
    m_statusLabel->setText(tr("Select a connection and run a check."));
}
