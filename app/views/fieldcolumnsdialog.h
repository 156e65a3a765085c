#pragma once

#include "models/fieldcolumn.h"

#include <QDialog>

QT_BEGIN_NAMESPACE
class QLabel;
class QPushButton;
class QTableWidgetItem;
QT_END_NAMESPACE

class TableEditor;

/// View > Columns from Fields…: the event log's JSON-path columns, in order, each with a title,
/// a path (`data.usage.output_tokens`) and an optional event type it is limited to. A path that
/// does not parse is shown red and keeps OK disabled.
class FieldColumnsDialog : public QDialog
{
    Q_OBJECT
public:
    explicit FieldColumnsDialog(const FieldColumnList &columns, QWidget *parent = nullptr);

    FieldColumnList columns() const;
    TableEditor *editor() const { return m_editor; }
    void addColumn(const FieldColumn &column);

private:
    enum EditorColumn { TitleColumn, PathColumn, TypeColumn };
    void check();

    TableEditor *m_editor = nullptr;
    QLabel *m_error = nullptr;
    QPushButton *m_ok = nullptr;
};
