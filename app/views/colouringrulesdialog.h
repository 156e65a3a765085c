#pragma once

#include "models/colouringrules.h"

#include <QDialog>

QT_BEGIN_NAMESPACE
class QLabel;
class QTableWidgetItem;
QT_END_NAMESPACE

class TableEditor;

/// View > Colouring Rules…: the ordered rules (the first enabled match wins), each with a tick
/// to turn it on or off, a name, a filter expression, a background and a text colour. An
/// expression that does not parse is shown red with the error; such a rule never matches.
/// Double-click a colour to pick it; "Clear Colour" removes the current one.
class ColouringRulesDialog : public QDialog
{
    Q_OBJECT
public:
    enum EditorColumn { NameColumn, ExpressionColumn, BackgroundColumn, TextColumn };

    explicit ColouringRulesDialog(const ColouringRuleList &rules, QWidget *parent = nullptr);

    ColouringRuleList rules() const;
    void setRules(const ColouringRuleList &rules);
    TableEditor *editor() const { return m_editor; }
    /// The error shown for the first invalid expression, empty when all parse.
    QString errorText() const;

private:
    void addRule(const ColouringRule &rule);
    void setColour(QTableWidgetItem *item, const QColor &colour);
    void pickColour(int row, int column);
    void check();

    TableEditor *m_editor = nullptr;
    QLabel *m_error = nullptr;
};
