#include "views/fieldcolumnsdialog.h"

#include "views/tableeditor.h"

#include "sselib/jsonpath.h"

#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

FieldColumnsDialog::FieldColumnsDialog(const FieldColumnList &columns, QWidget *parent)
    : QDialog(parent)
{
    setObjectName(QStringLiteral("fieldColumnsDialog"));
    setWindowTitle(tr("Columns from Fields"));
    auto *layout = new QVBoxLayout(this);
    auto *intro = new QLabel(tr("Each column shows a JSON path of the event data, e.g. "
                                "data.usage.output_tokens or choices[0].delta.content. Leave the "
                                "type empty to show it for every event type."));
    intro->setWordWrap(true);
    layout->addWidget(intro);
    m_editor = new TableEditor({tr("Title"), tr("JSON path"), tr("Event type")}, this);
    m_editor->table()->horizontalHeader()->resizeSection(TitleColumn, 140);
    m_editor->table()->horizontalHeader()->resizeSection(PathColumn, 260);
    layout->addWidget(m_editor, 1);
    m_error = new QLabel;
    m_error->setObjectName(QStringLiteral("columnError"));
    m_error->setWordWrap(true);
    layout->addWidget(m_error);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    m_ok = buttons->button(QDialogButtonBox::Ok);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);

    connect(m_editor, &TableEditor::addRequested, this, [this] {
        addColumn({QString(), QStringLiteral("data."), QByteArray()});
    });
    connect(m_editor, &TableEditor::rowsChanged, this, &FieldColumnsDialog::check);
    connect(m_editor->table(), &QTableWidget::itemChanged, this, &FieldColumnsDialog::check);
    for (const FieldColumn &column : columns)
        addColumn(column);
    resize(640, 360);
    check();
}

void FieldColumnsDialog::addColumn(const FieldColumn &column)
{
    QTableWidget *table = m_editor->table();
    const QSignalBlocker blocker(table);
    const int row = m_editor->appendRow();
    table->setItem(row, TitleColumn, new QTableWidgetItem(column.title));
    table->setItem(row, PathColumn, new QTableWidgetItem(column.path));
    table->setItem(row, TypeColumn, new QTableWidgetItem(QString::fromUtf8(column.type)));
    check();
}

FieldColumnList FieldColumnsDialog::columns() const
{
    const QTableWidget *table = m_editor->table();
    FieldColumnList columns;
    const auto text = [table](int row, int column) {
        const QTableWidgetItem *item = table->item(row, column);
        return item ? item->text().trimmed() : QString();
    };
    for (int row = 0; row < table->rowCount(); ++row)
        columns.append(
            {text(row, TitleColumn), text(row, PathColumn), text(row, TypeColumn).toUtf8()});
    return columns;
}

void FieldColumnsDialog::check()
{
    QTableWidget *table = m_editor->table();
    const QSignalBlocker blocker(table);
    QString error;
    for (int row = 0; row < table->rowCount(); ++row) {
        QTableWidgetItem *item = table->item(row, PathColumn);
        if (!item)
            continue;
        const bool valid = Sse::JsonPath::parse(item->text()).isValid();
        item->setForeground(valid ? palette().brush(QPalette::Text)
                                  : QBrush(QColor(0xd9, 0x35, 0x35)));
        item->setToolTip(valid ? QString()
                               : tr("Not a JSON path: use .name, [n] or [\"name\"] steps"));
        if (!valid && error.isEmpty())
            error = tr("Row %1: \"%2\" is not a JSON path.").arg(row + 1).arg(item->text());
    }
    if (table->rowCount() > FieldColumns::MaximumColumns && error.isEmpty())
        error = tr("At most %1 columns.").arg(FieldColumns::MaximumColumns);
    m_error->setText(error);
    m_error->setVisible(!error.isEmpty());
    m_ok->setEnabled(error.isEmpty());
}
