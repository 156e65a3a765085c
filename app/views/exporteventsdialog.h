#pragma once

#include "recording/exportformatter.h"

#include <QDialog>

QT_BEGIN_NAMESPACE
class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
QT_END_NAMESPACE

/// File > Export Events: which events (all, filtered, selected, with their counts), the format
/// and, for CSV and HTML, JSON paths as extra columns and the colouring rules.
class ExportEventsDialog : public QDialog
{
    Q_OBJECT
public:
    enum class Scope { All, Filtered, Selected, Marked };

    ExportEventsDialog(qint64 all, qint64 filtered, qint64 selected, QWidget *parent = nullptr);

    /// Offers "Marked events (N)" as well when \a marked > 0.
    void setMarkedCount(qint64 marked);
    Scope scope() const;
    ExportFormat format() const;
    /// The Columns field, split at commas and spaces ("temperature, humidity").
    QList<QByteArray> jsonPaths() const;
    /// CSV and HTML: a "rule" column with the name of each event's colouring rule (HTML: and
    /// its colours on the row).
    bool ruleColumn() const;
    /// Paths seen in the events: offered while typing, and a path not among them is pointed
    /// out (still exported: the column is then empty).
    void setKnownPaths(const QStringList &paths);
    /// A file name suffix for the chosen format (".csv").
    QString suffix() const;
    /// The save dialog's file filter for the chosen format ("CSV (*.csv);;All files (*)").
    QString fileFilter() const;

private:
    void checkPaths();

    QComboBox *m_scope = nullptr;
    QComboBox *m_format = nullptr;
    QLineEdit *m_paths = nullptr;
    QLabel *m_pathsHint = nullptr;
    QCheckBox *m_ruleColumn = nullptr;
    QStringList m_knownPaths;
};
