#include "views/diagnosticsview.h"

#include "sselib/profile.h"

#include <QApplication>
#include <QClipboard>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QStyle>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>

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

// The order of the sections: what to fix first on top.
constexpr Sse::Finding::Severity sectionOrder[] = {
    Sse::Finding::Failure, Sse::Finding::Warning, Sse::Finding::Info, Sse::Finding::Pass};

} // namespace

DiagnosticsView::DiagnosticsView(QWidget *parent)
    : QWidget(parent),
      m_runButton(new QPushButton(tr("Run check"), this)),
      m_copyButton(new QPushButton(tr("Copy report"), this)),
      m_progress(new QProgressBar(this)),
      m_statusLabel(new QLabel(this)),
      m_table(new QTableWidget(0, ColumnCount, this)),
      m_statistics(new QPlainTextEdit(this))
{
    m_runButton->setToolTip(tr("Observe the selected connection's stream for a few seconds "
                               "and report what the server should change"));
    connect(m_runButton, &QPushButton::clicked, this, &DiagnosticsView::runRequested);
    m_copyButton->setObjectName(QStringLiteral("copyReport"));
    m_copyButton->setToolTip(tr("Copy the findings and statistics as text"));
    connect(m_copyButton, &QPushButton::clicked, this,
            [this] { QGuiApplication::clipboard()->setText(reportText()); });
    m_progress->setObjectName(QStringLiteral("diagnosticsProgress"));
    m_progress->setMaximumWidth(220);
    m_progress->hide();
    m_progressTimer.setInterval(100);
    connect(&m_progressTimer, &QTimer::timeout, this, &DiagnosticsView::updateProgress);

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
    top->addWidget(m_progress);
    top->addWidget(m_statusLabel, 1);
    top->addWidget(m_copyButton);

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
    m_rowFindings.clear();
    m_table->clearSpans();
    m_table->setRowCount(0);
    for (const Sse::Finding::Severity severity : sectionOrder) {
        const int count = report.count(severity);
        if (count == 0)
            continue;
        addSection(severity, count);
        for (int index = 0; index < report.findings.size(); ++index) {
            const Sse::Finding &finding = report.findings.at(index);
            if (finding.severity != severity)
                continue;
            const int row = m_table->rowCount();
            m_table->insertRow(row);
            m_rowFindings.append(index);
            auto *item = new QTableWidgetItem(severityIcon(finding.severity),
                                              severityText(finding.severity));
            item->setForeground(severityColor(finding.severity));
            QFont bold = item->font();
            bold.setBold(finding.severity >= Sse::Finding::Warning);
            item->setFont(bold);
            item->setData(Qt::UserRole, finding.id);
            m_table->setItem(row, SeverityColumn, item);
            auto *title = new QTableWidgetItem(finding.title);
            title->setToolTip(finding.category + QStringLiteral(" · ") + finding.id);
            m_table->setItem(row, TitleColumn, title);
            auto *detail = new QTableWidgetItem(finding.detail);
            detail->setToolTip(finding.detail);
            m_table->setItem(row, DetailColumn, detail);
            auto *advice = new QTableWidgetItem(finding.advice);
            advice->setToolTip(finding.advice);
            m_table->setItem(row, AdviceColumn, advice);
        }
    }
    m_table->resizeRowsToContents();
    m_statistics->setPlainText(report.statisticsText());
    m_copyButton->setEnabled(true);
    m_statusLabel->setText(tr("%1: %2 failure(s), %3 warning(s), %4 passed")
                               .arg(Sse::redactedUrl(report.url))
                               .arg(report.count(Sse::Finding::Failure))
                               .arg(report.count(Sse::Finding::Warning))
                               .arg(report.count(Sse::Finding::Pass)));
}

void DiagnosticsView::addSection(Sse::Finding::Severity severity, int count)
{
    const int row = m_table->rowCount();
    m_table->insertRow(row);
    m_rowFindings.append(-1);
    auto *item = new QTableWidgetItem(sectionTitle(severity, count));
    item->setFlags(Qt::ItemIsEnabled); // a heading: not selectable
    QFont bold = item->font();
    bold.setBold(true);
    item->setFont(bold);
    item->setBackground(palette().alternateBase());
    m_table->setItem(row, SeverityColumn, item);
    m_table->setSpan(row, SeverityColumn, 1, ColumnCount);
}

QString DiagnosticsView::sectionTitle(Sse::Finding::Severity severity, int count)
{
    switch (severity) {
    case Sse::Finding::Failure:
        return tr("Failures (%1): browsers' EventSource will not work as intended").arg(count);
    case Sse::Finding::Warning:
        return tr("Warnings (%1): works, but some clients or proxies will misbehave").arg(count);
    case Sse::Finding::Info:
        return tr("Worth knowing (%1)").arg(count);
    case Sse::Finding::Pass:
        return tr("Passed (%1)").arg(count);
    }
    return {};
}

const Sse::Finding *DiagnosticsView::findingAt(int row) const
{
    const int index = m_rowFindings.value(row, -1);
    return index < 0 ? nullptr : &m_report.findings.at(index);
}

QString DiagnosticsView::reportText() const
{
    if (m_report.findings.isEmpty())
        return {};
    QString text = tr("Stream check of %1").arg(m_report.url.toDisplayString())
        + QLatin1Char('\n');
    for (const Sse::Finding::Severity severity : sectionOrder) {
        const int count = m_report.count(severity);
        if (count == 0)
            continue;
        text += QLatin1Char('\n') + sectionTitle(severity, count) + QLatin1Char('\n');
        for (const Sse::Finding &finding : m_report.findings) {
            if (finding.severity != severity)
                continue;
            text += QStringLiteral("- ") + finding.title + QLatin1Char('\n');
            if (!finding.detail.isEmpty())
                text += QStringLiteral("    ") + tr("Observed: %1").arg(finding.detail)
                    + QLatin1Char('\n');
            if (!finding.advice.isEmpty())
                text += QStringLiteral("    ") + tr("Advice: %1").arg(finding.advice)
                    + QLatin1Char('\n');
        }
    }
    return text + QLatin1Char('\n') + m_report.statisticsText();
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

void DiagnosticsView::setRunning(bool running, const QString &target, int durationMs)
{
    m_runButton->setEnabled(!running);
    m_progress->setVisible(running);
    if (!running) {
        m_progressTimer.stop();
        return;
    }
    m_target = target;
    m_observedEvents = 0;
    m_durationMs = durationMs;
    m_copyButton->setEnabled(false);
    // Without a duration the bar is busy (0..0) until the report comes.
    m_progress->setRange(0, qMax(0, durationMs));
    m_progress->setValue(0);
    m_runClock.start();
    m_progressTimer.start();
    updateProgress();
}

void DiagnosticsView::setObservedEvents(qint64 events)
{
    m_observedEvents = events;
    if (m_progressTimer.isActive())
        updateProgress();
}

void DiagnosticsView::updateProgress()
{
    const qint64 elapsed = m_runClock.elapsed();
    if (m_durationMs > 0) {
        m_progress->setValue(int(qMin<qint64>(elapsed, m_durationMs)));
        const qint64 left = qMax<qint64>(0, m_durationMs - elapsed);
        m_progress->setFormat(tr("%1 s left").arg((left + 999) / 1000));
    }
    m_statusLabel->setText(tr("Checking %1… %Ln event(s) seen", nullptr,
                              int(qMin<qint64>(m_observedEvents, INT_MAX)))
                               .arg(m_target));
}

void DiagnosticsView::clear()
{
    m_report = {};
    m_rowFindings.clear();
    m_table->clearSpans();
    m_table->setRowCount(0);
    m_statistics->clear();
    m_copyButton->setEnabled(false);
    m_statusLabel->setText(tr("Select a connection and run a check."));
}
