#include "views/exporteventsdialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLineEdit>

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
    m_paths = new QLineEdit;
    m_paths->setPlaceholderText(
        tr("CSV only: JSON paths as extra columns, e.g. usage.output_tokens price"));
    layout->addRow(tr("&Events:"), m_scope);
    layout->addRow(tr("&Format:"), m_format);
    layout->addRow(tr("&Columns:"), m_paths);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addRow(buttons);
}

ExportEventsDialog::Scope ExportEventsDialog::scope() const
{
    return Scope(m_scope->currentData().toInt());
}

ExportFormat ExportEventsDialog::format() const
{
    return ExportFormat(m_format->currentData().toInt());
}

QList<QByteArray> ExportEventsDialog::jsonPaths() const
{
    QList<QByteArray> paths;
    const QStringList words = m_paths->text().split(QLatin1Char(' '), Qt::SkipEmptyParts);
    for (const QString &word : words)
        paths.append(word.toUtf8());
    return paths;
}

QString ExportEventsDialog::suffix() const
{
    switch (format()) {
    case ExportFormat::Csv:
        return QStringLiteral(".csv");
    case ExportFormat::SseText:
        return QStringLiteral(".txt");
    case ExportFormat::JsonLines:
        break;
    }
    return QStringLiteral(".jsonl");
}
