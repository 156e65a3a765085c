#pragma once

#include "recording/exportformatter.h"

#include <QDialog>

QT_BEGIN_NAMESPACE
class QComboBox;
class QLineEdit;
QT_END_NAMESPACE

/// File > Export Events: which events (all, filtered, selected, with their counts), the format
/// and, for CSV, JSON paths as extra columns.
class ExportEventsDialog : public QDialog
{
    Q_OBJECT
public:
    enum class Scope { All, Filtered, Selected };

    ExportEventsDialog(qint64 all, qint64 filtered, qint64 selected, QWidget *parent = nullptr);

    Scope scope() const;
    ExportFormat format() const;
    QList<QByteArray> jsonPaths() const;
    /// A file name suffix for the chosen format (".csv").
    QString suffix() const;

private:
    QComboBox *m_scope = nullptr;
    QComboBox *m_format = nullptr;
    QLineEdit *m_paths = nullptr;
};
