#pragma once

#include "sselib/filterexpression.h"

#include <QStringList>
#include <QTimer>
#include <QWidget>

QT_BEGIN_NAMESPACE
class QCompleter;
class QLabel;
class QLineEdit;
class QMenu;
class QStringListModel;
class QToolButton;
QT_END_NAMESPACE

class EventStore;

/// The display filter row of the event log: an entry for the filter language
/// (Sse::FilterExpression), green while the text is a valid filter and red with the error in a
/// fixed-width label (and its tooltip) while it is not, so nothing moves as the user types.
/// Completes field names and the JSON paths of the newest stored events; keeps the recent
/// filters and named saved filters in the settings (keys below).
///
/// A valid text is applied after a short pause in typing, or at once with Enter (which also
/// puts it first in the history). An invalid text leaves the applied filter as it was.
class FilterBar : public QWidget
{
    Q_OBJECT

public:
    static constexpr int MaximumRecent = 10;
    static constexpr int PathSampleEvents = 200; // newest events read for completion

    explicit FilterBar(const EventStore *store, QWidget *parent = nullptr);

    /// The filter in force: the last valid text applied (empty matches everything).
    Sse::FilterExpression appliedExpression() const { return m_applied; }
    /// Sets the text and applies it at once when valid.
    void setText(const QString &text);

    /// Whether `marked` may be used: the event log's bar tests stored events, which can be
    /// marked; the chart's tests events as they arrive, so it rejects `marked`. Unavailable by
    /// default.
    void setMarks(Sse::FilterExpression::Marks marks);

    QLineEdit *edit() const { return m_edit; }
    QLabel *statusLabel() const { return m_status; }
    QToolButton *filtersButton() const { return m_filtersButton; }

    QStringList recentFilters() const;
    /// Saved filters, name → expression, in name order.
    QList<QPair<QString, QString>> savedFilters() const;
    void saveFilter(const QString &name, const QString &text);
    void removeSavedFilter(const QString &name);

    /// What completion offers: field names and `data.` paths of the newest events.
    QStringList completionCandidates() const;

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

Q_SIGNALS:
    /// The filter in force changed (after typing stopped, or Enter).
    void expressionApplied(const Sse::FilterExpression &expression);

private:
    void validate();
    void apply(bool remember);
    void remember(const QString &text);
    void showCompletions(bool always);
    void insertCompletion(const QString &completion);
    void rebuildMenu();
    QString tokenBeforeCursor() const;

    const EventStore *m_store = nullptr;
    QLineEdit *m_edit = nullptr;
    QLabel *m_status = nullptr;
    QToolButton *m_filtersButton = nullptr;
    QMenu *m_menu = nullptr;
    QCompleter *m_completer = nullptr;
    QStringListModel *m_completions = nullptr;
    Sse::FilterExpression m_current; // what the text compiles to now
    Sse::FilterExpression::Marks m_marks = Sse::FilterExpression::Marks::Unavailable;
    Sse::FilterExpression m_applied;
    QTimer m_applyDelay;
};
