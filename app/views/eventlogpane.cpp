#include "views/eventlogpane.h"

#include "models/eventlogmodel.h"
#include "models/eventstore.h"
#include "models/typelistmodel.h"
#include "recording/exportjob.h"
#include "session/workspace.h"
#include "views/actions.h"
#include "views/colouringrulesdialog.h"
#include "views/fieldcolumnsdialog.h"
#include "views/eventdiffdialog.h"
#include "views/filterbar.h"
#include "views/scopechip.h"
#include "models/colouringrules.h"
#include "models/connectionlistmodel.h"

#include <QAction>
#include <QActionGroup>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QFontDatabase>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QMenu>
#include <QSettings>
#include <QLineEdit>
#include <QScrollBar>
#include <QTableView>
#include <QToolButton>
#include <QStyle>
#include <QToolTip>
#include <QVBoxLayout>

#include <algorithm>

namespace {

constexpr auto TimeFormatKey = "log/timeFormat";

} // namespace

EventLogPane::EventLogPane(Workspace *workspace, QWidget *parent)
    : QWidget(parent)
    , m_workspace(workspace)
    , m_log(workspace->logModel())
{
    createActions();
    createFieldActions();
    createMarkActions();
    createTimeFormatMenu();
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(createFilterBar());
    // The display filter combines with the search, type ticks and connection by AND.
    m_displayFilter = new FilterBar(&m_log->store(), this);
    m_displayFilter->setMarks(Sse::FilterExpression::Marks::Available);
    connect(m_displayFilter, &FilterBar::expressionApplied, this, &EventLogPane::applyFilter);
    layout->addWidget(m_displayFilter);
    createEventView();
    layout->addWidget(m_eventView);
    followConnections();

    connect(m_log, &EventLogModel::countsChanged, this, &EventLogPane::updateCounts);
    connect(m_log, &EventLogModel::rescanProgress, this,
            [this](int percent) { m_countLabel->setText(tr("Filtering… %1%").arg(percent)); });
    connect(m_log, &EventLogModel::rescanFinished, this, &EventLogPane::updateCounts);
    connect(m_log, &EventLogModel::annotationsChanged, this, &EventLogPane::updateCounts);
    connect(m_log, &EventLogModel::annotationsChanged, this, &EventLogPane::updateMarkActions);
    connect(m_log, &EventLogModel::pausedChanged, this, [this](bool paused) {
        m_pauseAction->setChecked(paused);
        updateCounts();
    });
    connect(workspace->typeModel(), &TypeListModel::hiddenTypesChanged, this,
            &EventLogPane::applyFilter);

    m_searchDebounce.setSingleShot(true);
    m_searchDebounce.setInterval(200);
    connect(&m_searchDebounce, &QTimer::timeout, this, &EventLogPane::applyFilter);
    // Follow-tail scrolls on a timer, never per batch of the stream; and with the rows that the
    // counters' tick inserts (five times a second at most), so that a paint never shows new
    // rows with the view still where it was.
    m_tailTimer.setInterval(100);
    auto followTail = [this] {
        if (m_followAction->isChecked() && !m_log->isPaused())
            m_eventView->scrollToBottom();
    };
    connect(&m_tailTimer, &QTimer::timeout, this, followTail);
    connect(m_log, &QAbstractItemModel::rowsInserted, this, followTail);
    m_tailTimer.start();
    updateCounts();
    updateMarkActions();
}

void EventLogPane::createActions()
{
    m_pauseAction = makeAction(this, tr("&Pause Display"), QKeySequence(Qt::Key_Space),
                               tr("Freeze the log while events keep arriving and being counted"),
                               [this](bool checked) { m_log->setPaused(checked); });
    m_pauseAction->setCheckable(true);
    m_followAction = makeAction(this, tr("&Follow Tail"), QKeySequence(Qt::Key_End),
                                tr("Keep the newest event in view"), [this](bool checked) {
                                    if (checked)
                                        m_eventView->scrollToBottom();
                                });
    m_followAction->setCheckable(true);
    m_followAction->setChecked(true);
    m_clearAction = makeAction(this, tr("C&lear Log"), QKeySequence(tr("Ctrl+L")),
                               tr("Remove every event from the log"), [this] {
                                   m_workspace->clearEvents();
                                   emit currentEventChanged(-1);
                               });
    m_findAction =
        makeAction(this, tr("&Find…"), QKeySequence::Find, tr("Search the event log"), [this] {
            m_search->setFocus();
            m_search->selectAll();
        });
    m_copyAction =
        makeAction(this, tr("&Copy Data"), QKeySequence::Copy,
                   tr("Copy the data of the selected events"), [this] {
                       QStringList parts;
                       for (qint64 sequence : selectedSequences()) {
                           parts.append(QString::fromUtf8(m_log->store().event(sequence).data));
                       }
                       if (!parts.isEmpty())
                           QGuiApplication::clipboard()->setText(parts.join(QLatin1Char('\n')));
                   });
    m_copyAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
}

QLayout *EventLogPane::createFilterBar()
{
    m_search = new QLineEdit;
    m_search->setObjectName(QStringLiteral("searchEdit"));
    m_search->setPlaceholderText(tr("Search data, type and id (Ctrl+F)"));
    m_search->setAccessibleName(tr("Search"));
    m_search->setAccessibleDescription(
        tr("Filters the event log as you type; Enter applies the filter at once"));
    m_search->setClearButtonEnabled(true);
    // Room for a real query also while the connection chip is shown.
    m_search->setMinimumWidth(m_search->fontMetrics().averageCharWidth() * 32);
    m_searchError = m_search->addAction(style()->standardIcon(QStyle::SP_MessageBoxWarning),
                                        QLineEdit::TrailingPosition);
    m_searchError->setObjectName(QStringLiteral("searchError"));
    m_searchError->setVisible(false);
    connect(m_search, &QLineEdit::textChanged, this, [this] { m_searchDebounce.start(); });
    connect(m_search, &QLineEdit::returnPressed, this, [this] {
        m_searchDebounce.stop();
        applyFilter();
    });
    m_regex = new QCheckBox(tr("Re&gex"));
    m_regex->setToolTip(tr("Treat the search text as a regular expression"));
    connect(m_regex, &QCheckBox::toggled, this, &EventLogPane::applyFilter);
    m_caseSensitive = new QCheckBox(tr("&Aa"));
    m_caseSensitive->setToolTip(tr("Case sensitive search"));
    m_caseSensitive->setAccessibleName(tr("Case sensitive"));
    connect(m_caseSensitive, &QCheckBox::toggled, this, &EventLogPane::applyFilter);
    m_scopeChip = new ScopeChip;
    m_scopeChip->setObjectName(QStringLiteral("scopeChip"));
    m_scopeChip->setAccessibleName(tr("Connection filter"));
    // A rounded, tinted chip: visibly a filter, not a plain label.
    m_scopeChip->setStyleSheet(QStringLiteral(
        "QToolButton#scopeChip { border: 1px solid palette(highlight); border-radius: 9px;"
        " padding: 1px 8px; background: palette(alternate-base); }"));
    m_scopeChip->hide();
    connect(m_scopeChip, &QToolButton::clicked, this, &EventLogPane::scopeDismissRequested);
    m_countLabel = new QLabel;
    m_countLabel->setObjectName(QStringLiteral("countLabel"));
    m_countLabel->setMinimumWidth(220);
    m_countLabel->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    m_pauseButton = new QToolButton;
    m_pauseButton->setDefaultAction(m_pauseAction);
    m_pauseButton->setToolButtonStyle(Qt::ToolButtonTextOnly);

    auto *bar = new QHBoxLayout;
    bar->addWidget(m_search, 3);
    bar->addWidget(m_regex);
    bar->addWidget(m_caseSensitive);
    bar->addWidget(m_scopeChip);
    bar->addStretch(1);
    bar->addWidget(m_countLabel);
    bar->addWidget(m_pauseButton);
    return bar;
}

void EventLogPane::createEventView()
{
    m_eventView = new QTableView;
    m_eventView->setObjectName(QStringLiteral("eventView"));
    m_eventView->setAccessibleName(tr("Event log"));
    m_eventView->setAccessibleDescription(
        tr("Newest events at the bottom; the selected event is shown in the Detail tab (Alt+4)"));
    m_eventView->setModel(m_log);
    m_eventView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_eventView->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_eventView->setWordWrap(false);
    m_eventView->setTabKeyNavigation(false);
    m_eventView->verticalHeader()->hide();
    m_eventView->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_eventView->horizontalHeader()->setStretchLastSection(true);
    m_eventView->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_eventView->setColumnWidth(EventLogModel::TimeColumn, 100);
    m_eventView->setColumnWidth(EventLogModel::ConnectionColumn, 110);
    m_eventView->setColumnWidth(EventLogModel::TypeColumn, 90);
    m_eventView->setColumnWidth(EventLogModel::IdColumn, 70);
    m_eventView->setColumnWidth(EventLogModel::SizeColumn, 60);
    m_eventView->addAction(m_copyAction);
    // Field columns sort (a click on one of them); any other header restores arrival order.
    m_eventView->horizontalHeader()->setSectionsClickable(true);
    connect(m_eventView->horizontalHeader(), &QHeaderView::sectionClicked, this,
            &EventLogPane::sortBySection);
    m_eventView->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_eventView, &QWidget::customContextMenuRequested, this,
            &EventLogPane::showContextMenu);
    m_eventView->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_eventView->verticalHeader()->setDefaultSectionSize(m_eventView->fontMetrics().height() + 6);
    connect(m_eventView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                emit currentEventChanged(m_log->sequenceAt(current.row()));
            });
    connect(m_eventView->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &EventLogPane::updateMarkActions);
    // Picking a row stops following, so the row stays under the pointer; "Jump to latest"
    // (over the table's bottom right corner while not following) resumes it.
    connect(m_eventView, &QAbstractItemView::pressed, this,
            [this] { m_followAction->setChecked(false); });
    connect(m_eventView->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this] {
        if (m_eventView->hasFocus())
            m_followAction->setChecked(false);
    });
    // A child of the view, not of its viewport: the viewport scrolls its children along.
    m_jumpButton = new QToolButton(m_eventView);
    m_jumpButton->setObjectName(QStringLiteral("jumpToLatest"));
    m_jumpButton->setText(tr("Jump to latest \u2193"));
    m_jumpButton->setToolTip(tr("Show the newest event and follow the tail again (End)"));
    m_jumpButton->setCursor(Qt::PointingHandCursor);
    m_jumpButton->setFont(font()); // not the table's fixed-width font
    m_jumpButton->hide();
    m_eventView->viewport()->installEventFilter(this);
    // Empty states: what the empty table means, centred over it.
    m_emptyHint = new QLabel(m_eventView);
    m_emptyHint->setObjectName(QStringLiteral("logEmptyHint"));
    m_emptyHint->setAlignment(Qt::AlignCenter);
    m_emptyHint->setWordWrap(true);
    m_emptyHint->setAttribute(Qt::WA_TransparentForMouseEvents);
    m_emptyHint->setForegroundRole(QPalette::PlaceholderText);
    m_emptyHint->setFont(font()); // not the table's fixed-width font
    m_emptyHint->hide();
    connect(m_jumpButton, &QToolButton::clicked, this,
            [this] { m_followAction->setChecked(true); });
    connect(m_followAction, &QAction::toggled, m_jumpButton, [this](bool following) {
        m_jumpButton->setVisible(!following);
        placeJumpButton();
    });
    // Scrolling up by hand stops following; reaching the bottom resumes it.
    connect(m_eventView->verticalScrollBar(), &QScrollBar::valueChanged, this, [this](int value) {
        auto *bar = m_eventView->verticalScrollBar();
        if (bar->isSliderDown())
            m_followAction->setChecked(value >= bar->maximum());
    });
}

bool EventLogPane::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_eventView->viewport() && event->type() == QEvent::Resize) {
        placeJumpButton();
        updateEmptyHint();
    }
    return QWidget::eventFilter(watched, event);
}

void EventLogPane::updateEmptyHint()
{
    QString text;
    if (!m_log->isRescanning() && m_log->acceptedCount() == 0) {
        text = m_log->totalCount() == 0
            ? tr("No events yet. They appear here as the connections receive them.")
            : tr("No event matches the search, the display filter, the ticked types or the "
                 "selected connections (%1 stored).")
                  .arg(QLocale().toString(qint64(m_log->totalCount())));
    }
    m_emptyHint->setText(text);
    m_emptyHint->setVisible(!text.isEmpty());
    m_emptyHint->setGeometry(m_eventView->viewport()->geometry().adjusted(24, 24, -24, -24));
}

void EventLogPane::placeJumpButton()
{
    // Bottom right corner of the viewport, 8 pixels in.
    const QRect viewport = m_eventView->viewport()->geometry();
    const QSize size = m_jumpButton->sizeHint();
    m_jumpButton->setGeometry(viewport.right() - size.width() - 8,
                              viewport.bottom() - size.height() - 8, size.width(), size.height());
    m_jumpButton->raise();
}

void EventLogPane::followConnections()
{
    // The chip names the connections in scope and counts what the scope hides.
    ConnectionManager *connections = m_workspace->connections();
    connect(connections, &ConnectionManager::connectionRenamed, this,
            &EventLogPane::updateScopeChip);
    connect(connections, &ConnectionManager::connectionRemoved, this, [this](quint16 id) {
        if (m_scope.removeAll(id) > 0)
            setConnectionScope(m_scope);
    });
}

void EventLogPane::setConnectionScope(const QList<quint16> &connections)
{
    m_scope = connections;
    std::sort(m_scope.begin(), m_scope.end());
    applyFilter();
    updateScopeChip();
}

void EventLogPane::addToConnectionScope(quint16 connection)
{
    if (m_scope.isEmpty() || m_scope.contains(connection))
        return;
    m_scope.insert(std::lower_bound(m_scope.begin(), m_scope.end(), connection), connection);
    m_log->addFilterConnection(connection);
    updateScopeChip();
}

QList<quint16> EventLogPane::connectionScope() const
{
    return m_scope;
}

QString EventLogPane::scopeChipText() const
{
    return m_scopeChip->isVisibleTo(this) ? m_scopeChip->text() : QString();
}

void EventLogPane::updateScopeChip()
{
    const ConnectionManager *connections = m_workspace->connections();
    const int total = connections->model()->rowCount();
    if (m_scope.isEmpty() || m_scope.size() >= total) {
        m_scopeChip->hide();
        return;
    }
    QStringList names;
    qint64 inScope = 0;
    for (quint16 id : std::as_const(m_scope)) {
        if (const ConnectionEntry *entry = connections->entry(id))
            names.append(entry->name);
        inScope += m_log->store().connectionEventCount(id);
    }
    // The chip cuts long names to the room it gets (it never widens the pane); the tool tip
    // has them whole.
    const QString joined = names.join(QStringLiteral(", "));
    const qint64 hidden = qint64(m_log->store().size() - m_log->store().markerCount()) - inScope;
    const QString after =
        (hidden > 0 ? tr(" · %1 hidden").arg(QLocale().toString(hidden)) : QString())
        + QStringLiteral("  \u2715");
    if (names.size() <= 2) {
        // "Only %1", split around the names.
        const QStringList around = tr("Only %1").split(QStringLiteral("%1"));
        m_scopeChip->setParts(around.value(0), joined, around.value(1) + after);
    } else {
        m_scopeChip->setParts(tr("Only %n connection(s)", nullptr, int(names.size())), QString(),
                              after);
    }
    m_scopeChip->setToolTip(tr("The log shows only %1, selected in the Connections pane. Click "
                               "to show all connections.")
                                .arg(joined));
    m_scopeChip->show();
}

QList<qint64> EventLogPane::selectedSequences() const
{
    QList<int> rows;
    const QModelIndexList selected = m_eventView->selectionModel()->selectedRows();
    for (const QModelIndex &index : selected)
        rows.append(index.row());
    return ExportJob::sequencesOfRows(*m_log, rows);
}

int EventLogPane::selectedCount() const
{
    return int(m_eventView->selectionModel()->selectedRows().size());
}

QList<QAction *> EventLogPane::editActions() const
{
    return {m_copyAction, m_findAction, nullptr, m_clearAction};
}

QList<QAction *> EventLogPane::displayActions() const
{
    return {m_pauseAction, m_followAction};
}

QByteArray EventLogPane::headerState() const
{
    return m_eventView->horizontalHeader()->saveState();
}

void EventLogPane::restoreHeaderState(const QByteArray &state)
{
    m_eventView->horizontalHeader()->restoreState(state);
}

void EventLogPane::applyFilter()
{
    EventFilter filter;
    filter.setConnections(QSet<quint16>(m_scope.cbegin(), m_scope.cend()));
    filter.setHiddenConnectionTypes(m_workspace->typeModel()->hiddenTypes());
    filter.setMatchMode(m_regex->isChecked() ? EventFilter::MatchMode::RegularExpression
                                             : EventFilter::MatchMode::Substring);
    filter.setCaseSensitivity(m_caseSensitive->isChecked() ? Qt::CaseSensitive
                                                           : Qt::CaseInsensitive);
    filter.setText(m_search->text());
    filter.setExpression(m_displayFilter->appliedExpression());
    if (!filter.isValid()) {
        showFilterError(filter.errorString());
        return;
    }
    showFilterError(QString());
    m_log->setFilter(filter);
}

void EventLogPane::showFilterError(const QString &error)
{
    // A tinted field, a warning icon inside it and a tooltip: no label appears beside it and
    // no style sheet changes its frame, so the bar and the splitter keep their geometry while
    // the user is still typing.
    if (error.isEmpty()) {
        if (m_searchError->isVisible()) {
            m_searchError->setVisible(false);
            m_search->setPalette(QPalette());
            m_search->setToolTip(QString());
            QToolTip::hideText();
        }
        return;
    }
    QPalette tinted = m_search->palette();
    const QColor base = palette().color(QPalette::Base);
    const QColor red(0xd9, 0x35, 0x35);
    tinted.setColor(QPalette::Base,
                    QColor::fromRgbF(base.redF() * 0.8f + red.redF() * 0.2f,
                                     base.greenF() * 0.8f + red.greenF() * 0.2f,
                                     base.blueF() * 0.8f + red.blueF() * 0.2f));
    m_search->setPalette(tinted);
    const QString tip = tr("Invalid regular expression: %1").arg(error);
    m_searchError->setToolTip(tip);
    m_searchError->setVisible(true);
    m_search->setToolTip(tip);
    if (m_search->hasFocus())
        QToolTip::showText(m_search->mapToGlobal(QPoint(0, m_search->height())), tip, m_search);
}

void EventLogPane::updateCounts()
{
    if (m_log->isRescanning())
        return;
    const QLocale locale;
    QString text = tr("Showing %1 of %2")
                       .arg(locale.toString(qint64(m_log->acceptedCount())),
                            locale.toString(qint64(m_log->totalCount())));
    if (m_log->evictedCount() > 0)
        text += tr(" · %1 evicted").arg(locale.toString(m_log->evictedCount()));
    if (m_log->isPaused())
        text += tr(" · %1 new").arg(locale.toString(qint64(m_log->pendingCount())));
    if (const qsizetype marked = m_log->annotations().markedCount(); marked > 0)
        text += tr(" · %1 marked").arg(locale.toString(qint64(marked)));
    m_countLabel->setText(text);
    if (!m_scope.isEmpty())
        updateScopeChip();
    updateEmptyHint();
    m_pauseButton->setText(m_log->isPaused() ? tr("Resume (%1 new)").arg(m_log->pendingCount())
                                             : tr("Pause"));
}

void EventLogPane::createFieldActions()
{
    m_columnsAction = makeAction(this, tr("Columns from &Fields…"), QKeySequence(),
                                 tr("Add, remove and order JSON-path columns of the event log"),
                                 [this] { editFieldColumns(); });
    m_columnsAction->setObjectName(QStringLiteral("fieldColumnsAction"));
    m_rulesAction = makeAction(this, tr("Colouring &Rules…"), QKeySequence(),
                               tr("Colour the rows of the event log by filter expressions"),
                               [this] { editColouringRules(); });
    m_rulesAction->setObjectName(QStringLiteral("colouringRulesAction"));
}

void EventLogPane::applyAsColumn(const QString &path, const QByteArray &type)
{
    // The last step names the column: `data.usage.output_tokens` -> "output_tokens".
    QString title = path;
    const qsizetype dot = path.lastIndexOf(QLatin1Char('.'));
    if (dot >= 0 && !path.endsWith(QLatin1Char(']')))
        title = path.mid(dot + 1);
    m_log->addFieldColumn({title, path, type});
    const int column = m_log->columnCount() - 1;
    m_eventView->setColumnWidth(column, 110);
    m_eventView->scrollTo(m_eventView->model()->index(qMax(0, m_eventView->rowAt(0)), column));
}

void EventLogPane::editFieldColumns()
{
    FieldColumnsDialog dialog(m_log->fieldColumns(), this);
    if (dialog.exec() == QDialog::Accepted)
        m_log->setFieldColumns(dialog.columns());
}

void EventLogPane::editColouringRules()
{
    ColouringRules *rules = m_workspace->colouringRules();
    ColouringRulesDialog dialog(rules->rules(), this);
    if (dialog.exec() == QDialog::Accepted)
        rules->setRules(dialog.rules());
}

void EventLogPane::sortBySection(int section)
{
    QHeaderView *header = m_eventView->horizontalHeader();
    if (section < EventLogModel::ColumnCount) {
        header->setSortIndicatorShown(false);
        if (m_log->sortColumn() >= 0)
            m_log->sort(-1);
        return;
    }
    // A second click on the sorted column turns the order round.
    const Qt::SortOrder order = m_log->sortColumn() == section
                    && m_log->sortOrder() == Qt::AscendingOrder
            ? Qt::DescendingOrder
            : Qt::AscendingOrder;
    header->setSortIndicatorShown(true);
    header->setSortIndicator(section, order);
    m_followAction->setChecked(false); // a sorted log has no tail to follow
    m_log->sort(section, order);
}

// --- Marks, notes, time reference, compare ---

void EventLogPane::createMarkActions()
{
    m_markAction = makeAction(this, tr("&Mark/Unmark Event"), QKeySequence(tr("Ctrl+M")),
                              tr("Mark the selected events, or unmark them if all are marked"),
                              &EventLogPane::toggleMarks);
    m_nextMarkAction = makeAction(this, tr("Next Mar&k"), QKeySequence(tr("Ctrl+Shift+N")),
                                  tr("Go to the next marked event"),
                                  [this] { goToMark(true); });
    m_previousMarkAction =
        makeAction(this, tr("Previous Mark"), QKeySequence(tr("Ctrl+Shift+B")),
                   tr("Go to the previous marked event"), [this] { goToMark(false); });
    m_referenceAction = makeAction(
        this, tr("Set/Unset &Time Reference"), QKeySequence(tr("Ctrl+T")),
        tr("Count the times of the other events from this one (it shows *REF*)"),
        &EventLogPane::toggleTimeReference);
    m_noteAction = makeAction(this, tr("Add &Note…"), QKeySequence(),
                              tr("Write a note on the event; it is saved in the recording"),
                              &EventLogPane::editNote);
    m_compareAction = makeAction(this, tr("Co&mpare"), QKeySequence(),
                                 tr("Show what differs between the two selected events"),
                                 &EventLogPane::compareSelected);
    m_markAction->setObjectName(QStringLiteral("markAction"));
    m_nextMarkAction->setObjectName(QStringLiteral("nextMarkAction"));
    m_previousMarkAction->setObjectName(QStringLiteral("previousMarkAction"));
    m_referenceAction->setObjectName(QStringLiteral("timeReferenceAction"));
    m_noteAction->setObjectName(QStringLiteral("noteAction"));
    m_compareAction->setObjectName(QStringLiteral("compareAction"));
}

void EventLogPane::createTimeFormatMenu()
{
    using Format = EventLogModel::TimeFormat;
    const struct
    {
        Format format;
        const char *id;
        QString text;
    } formats[] = {
        {Format::TimeOfDay, "time-of-day", tr("&Time of Day")},
        {Format::DateAndTime, "date-and-time", tr("&Date and Time of Day")},
        {Format::SinceFirst, "since-first", tr("Seconds Since &First Event")},
        {Format::SincePrevious, "since-previous", tr("Seconds Since &Previous Shown Event")},
        {Format::SinceReference, "since-reference", tr("Seconds Since Time &Reference")},
    };
    const QString saved = QSettings().value(QLatin1String(TimeFormatKey)).toString();
    m_timeFormatMenu = new QMenu(tr("Time Display &Format"), this);
    m_timeFormatMenu->setObjectName(QStringLiteral("timeFormatMenu"));
    auto *group = new QActionGroup(m_timeFormatMenu);
    for (const auto &entry : formats) {
        QAction *action = m_timeFormatMenu->addAction(entry.text);
        const QString id = QLatin1String(entry.id);
        action->setObjectName(QStringLiteral("timeFormat-") + id);
        action->setCheckable(true);
        group->addAction(action);
        const Format format = entry.format;
        if (id == saved)
            m_log->setTimeFormat(format);
        action->setChecked(m_log->timeFormat() == format);
        connect(action, &QAction::triggered, this, [this, format, id] {
            m_log->setTimeFormat(format);
            QSettings().setValue(QLatin1String(TimeFormatKey), id);
        });
    }
}

QList<QAction *> EventLogPane::markActions() const
{
    return {m_markAction,      m_nextMarkAction, m_previousMarkAction, nullptr,
            m_referenceAction, m_noteAction,     m_compareAction};
}

qint64 EventLogPane::currentSequence() const
{
    const QModelIndex current = m_eventView->currentIndex();
    return current.isValid() ? m_log->sequenceAt(current.row()) : -1;
}

void EventLogPane::updateMarkActions()
{
    // Counted from the selection's ranges: a selection of a million rows costs no more.
    qsizetype selected = 0;
    const QItemSelection selection = m_eventView->selectionModel()->selection();
    for (const QItemSelectionRange &range : selection)
        selected += range.left() == 0 ? range.height() : 0;
    const qint64 current = currentSequence();
    m_markAction->setEnabled(selected > 0);
    m_noteAction->setEnabled(selected == 1);
    m_noteAction->setText(selected == 1 && m_log->annotations().hasNote(current)
                              ? tr("Edit &Note…")
                              : tr("Add &Note…"));
    m_referenceAction->setEnabled(current >= 0);
    m_compareAction->setEnabled(selected == 2);
    const bool anyMark = m_log->annotations().markedCount() > 0;
    m_nextMarkAction->setEnabled(anyMark);
    m_previousMarkAction->setEnabled(anyMark);
}

void EventLogPane::toggleMarks()
{
    QList<qint64> selected = selectedSequences();
    if (selected.isEmpty())
        return;
    const bool allMarked = std::all_of(selected.cbegin(), selected.cend(), [this](qint64 sequence) {
        return m_log->annotations().isMarked(sequence) || m_log->store().isMarker(sequence);
    });
    if (!m_workspace->setEventsMarked(selected, !allMarked))
        refuse(tr("Not every event could be marked: the marks and notes are using all the "
                  "memory set aside for them. Unmark some events first."));
}

void EventLogPane::goToMark(bool forward)
{
    const EventAnnotations &annotations = m_log->annotations();
    qint64 from = currentSequence();
    if (from < 0)
        from = forward ? -1 : m_log->store().endSequence();
    // Marks of events the filter hides are passed over.
    for (qint64 sequence = forward ? annotations.nextMarked(from) : annotations.previousMarked(from);
         sequence >= 0;
         sequence = forward ? annotations.nextMarked(sequence)
                            : annotations.previousMarked(sequence)) {
        const int row = m_log->rowOfSequence(sequence);
        if (row < 0)
            continue;
        m_followAction->setChecked(false);
        const QModelIndex index = m_log->index(row, EventLogModel::TimeColumn);
        m_eventView->selectionModel()->setCurrentIndex(
            index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        m_eventView->scrollTo(index);
        return;
    }
}

void EventLogPane::toggleTimeReference()
{
    const qint64 sequence = currentSequence();
    if (sequence < 0 || m_log->store().isMarker(sequence))
        return;
    m_log->setTimeReference(m_log->timeReference() == sequence ? -1 : sequence);
}

void EventLogPane::editNote()
{
    const QList<qint64> selected = selectedSequences();
    if (selected.size() != 1 || m_log->store().isMarker(selected.first()))
        return;
    const qint64 sequence = selected.first();
    bool ok = false;
    const QString note = QInputDialog::getMultiLineText(
        this, tr("Note on Event"),
        tr("Note (saved with the event in the recording; empty removes it):"),
        m_log->annotations().note(sequence), &ok);
    if (!ok)
        return;
    if (note.size() > EventAnnotations::MaximumNoteLength) {
        refuse(tr("The note is too long: at most %1 characters.")
                   .arg(EventAnnotations::MaximumNoteLength));
        return;
    }
    if (!m_workspace->setEventNote(sequence, note.trimmed()))
        refuse(tr("The note could not be kept: the marks and notes are using all the memory "
                  "set aside for them."));
}

void EventLogPane::compareSelected()
{
    const QList<qint64> selected = selectedSequences();
    if (selected.size() != 2)
        return;
    EventDiffDialog::open(*m_log, selected.at(0), selected.at(1), window());
}

void EventLogPane::showContextMenu(const QPoint &position)
{
    const QModelIndex index = m_eventView->indexAt(position);
    if (index.isValid()
        && !m_eventView->selectionModel()->isRowSelected(index.row(), QModelIndex())) {
        m_eventView->selectionModel()->setCurrentIndex(
            index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    }
    updateMarkActions();
    QMenu menu(this);
    menu.addAction(m_copyAction);
    menu.addSeparator();
    for (QAction *action : markActions()) {
        if (action)
            menu.addAction(action);
        else
            menu.addSeparator();
    }
    menu.exec(m_eventView->viewport()->mapToGlobal(position));
}

void EventLogPane::refuse(const QString &message)
{
    QToolTip::showText(m_eventView->mapToGlobal(QPoint(8, 8)), message, m_eventView);
}
