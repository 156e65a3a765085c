#include "views/colouringrulesdialog.h"

#include "views/tableeditor.h"

#include "sselib/filterexpression.h"

#include <QColorDialog>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace {
constexpr int ColourRole = Qt::UserRole + 1;
const QColor ErrorColour(0xd9, 0x35, 0x35);
} // namespace

ColouringRulesDialog::ColouringRulesDialog(const ColouringRuleList &rules, QWidget *parent)
    : QDialog(parent)
{
    setObjectName(QStringLiteral("colouringRulesDialog"));
    setWindowTitle(tr("Colouring Rules"));
    auto *layout = new QVBoxLayout(this);
    auto *intro = new QLabel(tr("Rows of the event log take the colours of the first ticked rule "
                                "whose filter matches, e.g. type == \"error\" or "
                                "data.usage.output_tokens > 500."));
    intro->setWordWrap(true);
    layout->addWidget(intro);
    m_editor = new TableEditor({tr("Name"), tr("Filter"), tr("Background"), tr("Text")}, this);
    QHeaderView *header = m_editor->table()->horizontalHeader();
    header->resizeSection(NameColumn, 130);
    header->resizeSection(ExpressionColumn, 320);
    header->resizeSection(BackgroundColumn, 90);
    auto *clearColour = new QPushButton(tr("&Clear Colour"), this);
    clearColour->setObjectName(QStringLiteral("clearColourButton"));
    auto *defaults = new QPushButton(tr("De&faults"), this);
    defaults->setObjectName(QStringLiteral("defaultsButton"));
    m_editor->addButton(clearColour);
    m_editor->addButton(defaults);
    layout->addWidget(m_editor, 1);
    m_error = new QLabel;
    m_error->setObjectName(QStringLiteral("ruleError"));
    m_error->setWordWrap(true);
    QPalette errorPalette = m_error->palette();
    errorPalette.setColor(QPalette::WindowText, ErrorColour);
    m_error->setPalette(errorPalette);
    layout->addWidget(m_error);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);

    connect(m_editor, &TableEditor::addRequested, this, [this] {
        addRule({tr("New rule"), QStringLiteral("type == \"\""), QColor(0x3e, 0x8e, 0xe5), QColor(),
                 true});
        m_editor->table()->editItem(
            m_editor->table()->item(m_editor->table()->rowCount() - 1, ExpressionColumn));
    });
    connect(m_editor, &TableEditor::rowsChanged, this, &ColouringRulesDialog::check);
    connect(m_editor->table(), &QTableWidget::itemChanged, this, &ColouringRulesDialog::check);
    connect(m_editor->table(), &QTableWidget::cellDoubleClicked, this,
            &ColouringRulesDialog::pickColour);
    connect(clearColour, &QPushButton::clicked, this, [this] {
        QTableWidget *table = m_editor->table();
        const int column = table->currentColumn();
        if (column == BackgroundColumn || column == TextColumn)
            setColour(table->item(table->currentRow(), column), QColor());
    });
    connect(defaults, &QPushButton::clicked, this,
            [this] { setRules(ColouringRules::defaultRules()); });
    setRules(rules);
    resize(780, 380);
}

void ColouringRulesDialog::setRules(const ColouringRuleList &rules)
{
    m_editor->table()->setRowCount(0);
    for (const ColouringRule &rule : rules)
        addRule(rule);
    check();
}

void ColouringRulesDialog::addRule(const ColouringRule &rule)
{
    QTableWidget *table = m_editor->table();
    const QSignalBlocker blocker(table);
    const int row = m_editor->appendRow();
    auto *name = new QTableWidgetItem(rule.name);
    name->setFlags(name->flags() | Qt::ItemIsUserCheckable);
    name->setCheckState(rule.enabled ? Qt::Checked : Qt::Unchecked);
    name->setToolTip(tr("Tick to use this rule"));
    table->setItem(row, NameColumn, name);
    table->setItem(row, ExpressionColumn, new QTableWidgetItem(rule.expression));
    for (int column : {int(BackgroundColumn), int(TextColumn)}) {
        auto *item = new QTableWidgetItem;
        item->setFlags(item->flags() & ~Qt::ItemIsEditable);
        table->setItem(row, column, item);
        setColour(item, column == BackgroundColumn ? rule.background : rule.foreground);
    }
    check();
}

void ColouringRulesDialog::setColour(QTableWidgetItem *item, const QColor &colour)
{
    if (!item)
        return;
    item->setData(ColourRole, colour);
    item->setText(colour.isValid() ? colour.name() : tr("none"));
    item->setBackground(colour.isValid() ? QBrush(colour) : QBrush());
    // Readable on the swatch itself.
    item->setForeground(
        colour.isValid() ? QBrush(colour.lightnessF() > 0.55 ? Qt::black : Qt::white) : QBrush());
}

void ColouringRulesDialog::pickColour(int row, int column)
{
    if (column != BackgroundColumn && column != TextColumn)
        return;
    QTableWidgetItem *item = m_editor->table()->item(row, column);
    const QColor current = item->data(ColourRole).value<QColor>();
    const QColor picked =
        QColorDialog::getColor(current.isValid() ? current : Qt::white, this, tr("Rule Colour"));
    if (picked.isValid())
        setColour(item, picked);
}

ColouringRuleList ColouringRulesDialog::rules() const
{
    const QTableWidget *table = m_editor->table();
    ColouringRuleList rules;
    for (int row = 0; row < table->rowCount(); ++row) {
        const QTableWidgetItem *name = table->item(row, NameColumn);
        const QTableWidgetItem *expression = table->item(row, ExpressionColumn);
        ColouringRule rule;
        rule.name = name ? name->text().trimmed() : QString();
        rule.enabled = name && name->checkState() == Qt::Checked;
        rule.expression = expression ? expression->text().trimmed() : QString();
        rule.background = table->item(row, BackgroundColumn)->data(ColourRole).value<QColor>();
        rule.foreground = table->item(row, TextColumn)->data(ColourRole).value<QColor>();
        rules.append(rule);
    }
    return rules;
}

QString ColouringRulesDialog::errorText() const
{
    return m_error->text();
}

void ColouringRulesDialog::check()
{
    QTableWidget *table = m_editor->table();
    const QSignalBlocker blocker(table);
    QString firstError;
    for (int row = 0; row < table->rowCount(); ++row) {
        QTableWidgetItem *item = table->item(row, ExpressionColumn);
        if (!item)
            continue;
        const Sse::FilterExpression expression = Sse::FilterExpression::parse(item->text());
        QString error = expression.errorString();
        if (expression.isValid() && expression.isEmpty())
            error = tr("empty filter");
        item->setForeground(error.isEmpty() ? palette().brush(QPalette::Text)
                                            : QBrush(ErrorColour));
        item->setToolTip(error);
        if (!error.isEmpty() && firstError.isEmpty())
            firstError = tr("Rule %1 never matches: %2").arg(row + 1).arg(error);
    }
    m_error->setText(firstError);
    m_error->setVisible(!firstError.isEmpty());
}
