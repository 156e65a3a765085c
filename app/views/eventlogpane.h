#pragma once

#include <QList>
#include <QTimer>
#include <QWidget>

QT_BEGIN_NAMESPACE
class QAction;
class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QTableView;
class QToolButton;
QT_END_NAMESPACE

class EventLogModel;
class FilterBar;
class Workspace;

/// The middle pane: the filter bar (search, regex, case, connection, counts, pause) above the
/// event table. It owns the follow-tail timer, the search debounce and the log actions
/// (pause, follow tail, clear, find, copy), and reports the event the user is on.
class EventLogPane : public QWidget
{
    Q_OBJECT
public:
    explicit EventLogPane(Workspace *workspace, QWidget *parent = nullptr);

    /// The sequences of the selected events, in log order.
    QList<qint64> selectedSequences() const;
    int selectedCount() const;

    /// Edit menu: copy, find, and after a separator (null), clear.
    QList<QAction *> editActions() const;
    /// View menu and toolbar: pause, follow tail.
    QList<QAction *> displayActions() const;
    QAction *clearAction() const { return m_clearAction; }
    QAction *followAction() const { return m_followAction; }

    QByteArray headerState() const;
    void restoreHeaderState(const QByteArray &state);

    QTableView *eventView() const { return m_eventView; }
    QLineEdit *searchEdit() const { return m_search; }
    FilterBar *displayFilterBar() const { return m_displayFilter; }

Q_SIGNALS:
    /// The current event changed; -1 when there is none.
    void currentEventChanged(qint64 sequence);

private:
    void createActions();
    QLayout *createFilterBar();
    void createEventView();
    void followConnections();
    void applyFilter();
    void updateCounts();

    Workspace *m_workspace = nullptr;
    EventLogModel *m_log = nullptr;
    QLineEdit *m_search = nullptr;
    FilterBar *m_displayFilter = nullptr;
    QCheckBox *m_regex = nullptr;
    QCheckBox *m_caseSensitive = nullptr;
    QComboBox *m_connectionFilter = nullptr;
    QLabel *m_countLabel = nullptr;
    QLabel *m_filterError = nullptr;
    QToolButton *m_pauseButton = nullptr;
    QTableView *m_eventView = nullptr;

    QAction *m_pauseAction = nullptr;
    QAction *m_followAction = nullptr;
    QAction *m_clearAction = nullptr;
    QAction *m_findAction = nullptr;
    QAction *m_copyAction = nullptr;

    QTimer m_searchDebounce;
    QTimer m_tailTimer;
};
