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
class QMenu;
class QTableView;
class QToolButton;
QT_END_NAMESPACE

class EventLogModel;
class FilterBar;
class ScopeChip;
class Workspace;

/// The middle pane: the filter bar (search, regex, case, connection scope chip, counts, pause)
/// above the event table. It owns the follow-tail timer, the search debounce and the log
/// actions (pause, follow tail, clear, find, copy), and reports the event the user is on.
///
/// What the log shows of which connection is decided in one place: the connections selected
/// in the Connections pane (setConnectionScope()). A scope that leaves any connection out shows
/// as a chip ("Only quotes · 120 hidden ✕"); the chip's button asks to drop the scope
/// (scopeDismissRequested()), and the window clears the selection, which shows everything.
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
    /// Edit menu and the log's context menu: mark (Ctrl+M), next and previous mark, time
    /// reference (Ctrl+T), note, compare; a null action stands for a separator.
    QList<QAction *> markActions() const;
    /// View > Time Display Format: the formats of EventLogModel::TimeFormat, exclusive; the
    /// choice is saved and the saved one applied when the pane is made.
    QMenu *timeFormatMenu() const { return m_timeFormatMenu; }
    QAction *clearAction() const { return m_clearAction; }
    /// View menu: Columns from Fields…, Colouring Rules….
    QList<QAction *> fieldActions() const { return {m_columnsAction, m_rulesAction}; }
    QAction *columnsAction() const { return m_columnsAction; }
    QAction *rulesAction() const { return m_rulesAction; }
    /// Adds a field column for \a path (only for events of \a type when not empty).
    void applyAsColumn(const QString &path, const QByteArray &type);
    /// Opens the column editor / the colouring rules dialog (modal).
    void editFieldColumns();
    void editColouringRules();
    QAction *followAction() const { return m_followAction; }

    QByteArray headerState() const;
    void restoreHeaderState(const QByteArray &state);

    QTableView *eventView() const { return m_eventView; }
    QLineEdit *searchEdit() const { return m_search; }
    FilterBar *displayFilterBar() const { return m_displayFilter; }

    /// Shows only the events of `connections` (empty: all connections).
    void setConnectionScope(const QList<quint16> &connections);
    /// Adds a connection just created (a selected proxy's new exchange) to a scope that is
    /// set, without rescanning the log: the rows and the current event stay.
    void addToConnectionScope(quint16 connection);
    QList<quint16> connectionScope() const;
    /// The chip's text, empty while it is hidden (all connections shown).
    QString scopeChipText() const;

Q_SIGNALS:
    /// The current event changed; -1 when there is none.
    void currentEventChanged(qint64 sequence);
    /// The user closed the connection chip.
    void scopeDismissRequested();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void createActions();
    void placeJumpButton();
    void updateEmptyHint();
    QLayout *createFilterBar();
    void createEventView();
    void followConnections();
    void applyFilter();
    void updateCounts();
    void updateScopeChip();
    void showFilterError(const QString &error);
    void createFieldActions();
    void sortBySection(int section);
    void createMarkActions();
    void createTimeFormatMenu();
    void toggleMarks();
    void goToMark(bool forward);
    void toggleTimeReference();
    void editNote();
    void compareSelected();
    void showContextMenu(const QPoint &position);
    void updateMarkActions();
    void refuse(const QString &message);
    qint64 currentSequence() const;

    Workspace *m_workspace = nullptr;
    EventLogModel *m_log = nullptr;
    QLineEdit *m_search = nullptr;
    QAction *m_searchError = nullptr; // warning icon inside the search field
    FilterBar *m_displayFilter = nullptr;
    QCheckBox *m_regex = nullptr;
    QCheckBox *m_caseSensitive = nullptr;
    ScopeChip *m_scopeChip = nullptr;
    QList<quint16> m_scope;
    QLabel *m_countLabel = nullptr;
    QToolButton *m_pauseButton = nullptr;
    QToolButton *m_jumpButton = nullptr; // "Jump to latest", over the table while not following
    QLabel *m_emptyHint = nullptr;       // over the table while it shows no row
    QTableView *m_eventView = nullptr;

    QAction *m_pauseAction = nullptr;
    QAction *m_followAction = nullptr;
    QAction *m_clearAction = nullptr;
    QAction *m_findAction = nullptr;
    QAction *m_copyAction = nullptr;
    QAction *m_columnsAction = nullptr;
    QAction *m_rulesAction = nullptr;
    QAction *m_markAction = nullptr;
    QAction *m_nextMarkAction = nullptr;
    QAction *m_previousMarkAction = nullptr;
    QAction *m_referenceAction = nullptr;
    QAction *m_noteAction = nullptr;
    QAction *m_compareAction = nullptr;
    QMenu *m_timeFormatMenu = nullptr;

    QTimer m_searchDebounce;
    QTimer m_tailTimer;
};
