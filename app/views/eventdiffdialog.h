#pragma once

#include "models/jsondiff.h"

#include <QDialog>

QT_BEGIN_NAMESPACE
class QLabel;
class QTreeWidget;
QT_END_NAMESPACE

class EventLogModel;

/// Compare: the structural difference between two events of the log (JsonDiff), one row per
/// added, removed or changed path with its old and new value; a line diff when either data is
/// not JSON. Modeless, deleted on close.
class EventDiffDialog : public QDialog
{
    Q_OBJECT
public:
    enum Column { PathColumn, ChangeColumn, OldColumn, NewColumn };
    Q_ENUM(Column)

    /// Compares the events \a older and \a newer of \a log (sequences held by its store).
    EventDiffDialog(const EventLogModel &log, qint64 older, qint64 newer,
                    QWidget *parent = nullptr);

    /// Opens one for the two events and returns it.
    static EventDiffDialog *open(const EventLogModel &log, qint64 older, qint64 newer,
                                 QWidget *parent);

    const JsonDiff::Result &result() const { return m_result; }
    QTreeWidget *changesView() const { return m_changes; }

private:
    QString describe(const EventLogModel &log, qint64 sequence) const;

    JsonDiff::Result m_result;
    QLabel *m_summary = nullptr;
    QTreeWidget *m_changes = nullptr;
};
