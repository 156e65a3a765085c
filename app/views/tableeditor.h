#pragma once

#include <QWidget>

QT_BEGIN_NAMESPACE
class QPushButton;
class QTableWidget;
class QVBoxLayout;
QT_END_NAMESPACE

/// A table of rows the user edits in place, with Add, Remove, Move Up and Move Down buttons
/// beside it: the body of the column editor and of the colouring rules dialog. Add emits
/// addRequested(); the owner appends the row (appendRow() gives its index).
class TableEditor : public QWidget
{
    Q_OBJECT
public:
    explicit TableEditor(const QStringList &headers, QWidget *parent = nullptr);

    QTableWidget *table() const { return m_table; }
    /// Appends an empty row, makes it current and returns its index.
    int appendRow();
    /// Moves the current row by \a offset (-1 up, +1 down), keeping it current.
    void moveCurrentRow(int offset);
    void addButton(QPushButton *button);

Q_SIGNALS:
    void addRequested();
    void rowsChanged();

private:
    void updateButtons();

    QTableWidget *m_table = nullptr;
    QPushButton *m_remove = nullptr;
    QPushButton *m_up = nullptr;
    QPushButton *m_down = nullptr;
    QVBoxLayout *m_buttons = nullptr;
};
