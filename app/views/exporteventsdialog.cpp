#include "views/exporteventsdialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QCompleter>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QRegularExpression>

ExportEventsDialog::ExportEventsDialog(qint64 all, qint64 filtered, qint64 selected,
                                       QWidget *parent)
    : QDialog(parent)
{
    setWindowTitle(tr("Export Events"));
    auto *layout = new QFormLayout(this);
    m_scope = new QComboBox;
    m_scope->addItem(tr("All events (%1)").arg(all), int(Scope::All));
    m_scope->addItem(tr("Filtered events (%1)").arg(filtered), int(Scope::Filtered));
    m_scope->addItem(tr("Selected events (%1)").arg(selected), int(Scope::Selected));
    m_scope->setCurrentIndex(1);
    m_format = new QComboBox;
    m_format->addItem(tr("JSON Lines (.jsonl)"), int(ExportFormat::JsonLines));
    m_format->addItem(tr("CSV (.csv)"), int(ExportFormat::Csv));
    m_format->addItem(tr("SSE text (.txt)"), int(ExportFormat::SseText));
    m_format->addItem(tr("HTML table (.html)"), int(ExportFormat::Html));
    m_paths = new QLineEdit;
    m_paths->setObjectName(QStringLiteral("pathsEdit"));
    m_paths->setPlaceholderText(
        tr("CSV and HTML: JSON paths as extra columns, e.g. usage.output_tokens, price"));
    m_pathsHint = new QLabel;
    m_pathsHint->setObjectName(QStringLiteral("pathsHint"));
    m_pathsHint->setWordWrap(true);
    m_pathsHint->hide();
    connect(m_paths, &QLineEdit::textChanged, this, &ExportEventsDialog::checkPaths);
    layout->addRow(tr("&Events:"), m_scope);
    layout->addRow(tr("&Format:"), m_format);
    layout->addRow(tr("&Columns:"), m_paths);
    layout->addRow(QString(), m_pathsHint);
    m_ruleColumn = new QCheckBox(tr("Add a &rule column (the colouring rule each event matches)"));
    m_ruleColumn->setObjectName(QStringLiteral("ruleColumnCheck"));
    const auto enableCsvOptions = [this] {
        const bool html = format() == ExportFormat::Html;
        m_ruleColumn->setEnabled(format() == ExportFormat::Csv || html);
        // HTML also colours the rows, so the option says so.
        m_ruleColumn->setText(
            html ? tr("Colouring &rules: name column and row colours")
                 : tr("Add a &rule column (the colouring rule each event matches)"));
    };
    connect(m_format, &QComboBox::currentIndexChanged, this, enableCsvOptions);
    enableCsvOptions();
    layout->addRow(QString(), m_ruleColumn);
    // Wide enough for the title and a few paths.
    setMinimumWidth(fontMetrics().averageCharWidth() * 64);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addRow(buttons);
}

void ExportEventsDialog::setMarkedCount(qint64 marked)
{
    const int index = m_scope->findData(int(Scope::Marked));
    if (index >= 0)
        m_scope->removeItem(index);
    if (marked > 0)
        m_scope->addItem(tr("Marked events (%1)").arg(marked), int(Scope::Marked));
}

ExportEventsDialog::Scope ExportEventsDialog::scope() const
{
    return Scope(m_scope->currentData().toInt());
}

ExportFormat ExportEventsDialog::format() const
{
    return ExportFormat(m_format->currentData().toInt());
}

bool ExportEventsDialog::ruleColumn() const
{
    return m_ruleColumn->isEnabled() && m_ruleColumn->isChecked();
}

QList<QByteArray> ExportEventsDialog::jsonPaths() const
{
    static const QRegularExpression separators(QStringLiteral("[,\\s]+"));
    QList<QByteArray> paths;
    const QStringList words = m_paths->text().split(separators, Qt::SkipEmptyParts);
    for (const QString &word : words)
        paths.append(word.toUtf8());
    return paths;
}

void ExportEventsDialog::setKnownPaths(const QStringList &paths)
{
    m_knownPaths = paths;
    auto *completer = new QCompleter(paths, m_paths);
    completer->setCaseSensitivity(Qt::CaseInsensitive);
    m_paths->setCompleter(completer);
    checkPaths();
}

void ExportEventsDialog::checkPaths()
{
    QStringList unknown;
    if (!m_knownPaths.isEmpty()) {
        const QList<QByteArray> paths = jsonPaths();
        for (const QByteArray &path : paths) {
            if (!m_knownPaths.contains(QString::fromUtf8(path)))
                unknown.append(QString::fromUtf8(path));
        }
    }
    m_pathsHint->setText(tr("Not seen in the events so far (the column stays empty): %1")
                             .arg(unknown.join(QStringLiteral(", "))));
    m_pathsHint->setVisible(!unknown.isEmpty());
}

QString ExportEventsDialog::fileFilter() const
{
    const QString all = tr("All files (*)");
    switch (format()) {
    case ExportFormat::Csv:
        return tr("CSV (*.csv)") + QStringLiteral(";;") + all;
    case ExportFormat::SseText:
        return tr("SSE text (*.txt *.sse)") + QStringLiteral(";;") + all;
    case ExportFormat::Html:
        return tr("HTML (*.html *.htm)") + QStringLiteral(";;") + all;
    case ExportFormat::JsonLines:
        break;
    }
    return tr("JSON Lines (*.jsonl)") + QStringLiteral(";;") + all;
}

QString ExportEventsDialog::suffix() const
{
    switch (format()) {
    case ExportFormat::Csv:
        return QStringLiteral(".csv");
    case ExportFormat::SseText:
        return QStringLiteral(".txt");
    case ExportFormat::Html:
        return QStringLiteral(".html");
    case ExportFormat::JsonLines:
        break;
    }
    return QStringLiteral(".jsonl");
}
