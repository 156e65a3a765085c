#include "views/eventlogpane.h"

#include "models/eventlogmodel.h"
#include "models/eventstore.h"
#include "models/typelistmodel.h"
#include "recording/exportjob.h"
#include "session/workspace.h"
#include "views/actions.h"
#include "views/filterbar.h"

#include <QAction>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QFontDatabase>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QScrollBar>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

EventLogPane::EventLogPane(Workspace *workspace, QWidget *parent)
    : QWidget(parent)
    , m_workspace(workspace)
    , m_log(workspace->logModel())
{
    createActions();
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(createFilterBar());
    // The display filter combines with the search, type ticks and connection by AND.
    m_displayFilter = new FilterBar(&m_log->store(), this);
    connect(m_displayFilter, &FilterBar::expressionApplied, this, &EventLogPane::applyFilter);
    layout->addWidget(m_displayFilter);
    createEventView();
    layout->addWidget(m_eventView);
    followConnections();

    connect(m_log, &EventLogModel::countsChanged, this, &EventLogPane::updateCounts);
    connect(m_log, &EventLogModel::rescanProgress, this,
            [this](int percent) { m_countLabel->setText(tr("Filtering… %1%").arg(percent)); });
    connect(m_log, &EventLogModel::rescanFinished, this, &EventLogPane::updateCounts);
    connect(m_log, &EventLogModel::pausedChanged, this, [this](bool paused) {
        m_pauseAction->setChecked(paused);
        updateCounts();
    });
    connect(workspace->typeModel(), &TypeListModel::hiddenTypesChanged, this,
            &EventLogPane::applyFilter);

    m_searchDebounce.setSingleShot(true);
    m_searchDebounce.setInterval(200);
    connect(&m_searchDebounce, &QTimer::timeout, this, &EventLogPane::applyFilter);
    // Follow-tail scrolls on a timer, never per batch.
    m_tailTimer.setInterval(100);
    connect(&m_tailTimer, &QTimer::timeout, this, [this] {
        if (m_followAction->isChecked() && !m_log->isPaused())
            m_eventView->scrollToBottom();
    });
    m_tailTimer.start();
    updateCounts();
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
    m_connectionFilter = new QComboBox;
    m_connectionFilter->setAccessibleName(tr("Connection filter"));
    m_connectionFilter->addItem(tr("All connections"), -1);
    m_connectionFilter->setMinimumContentsLength(14);
    connect(m_connectionFilter, &QComboBox::currentIndexChanged, this, &EventLogPane::applyFilter);
    m_countLabel = new QLabel;
    m_countLabel->setObjectName(QStringLiteral("countLabel"));
    m_countLabel->setMinimumWidth(220);
    m_countLabel->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    m_filterError = new QLabel;
    m_filterError->setStyleSheet(QStringLiteral("color: #d93535"));
    m_filterError->hide();
    m_pauseButton = new QToolButton;
    m_pauseButton->setDefaultAction(m_pauseAction);
    m_pauseButton->setToolButtonStyle(Qt::ToolButtonTextOnly);

    auto *bar = new QHBoxLayout;
    bar->addWidget(m_search, 3);
    bar->addWidget(m_regex);
    bar->addWidget(m_caseSensitive);
    bar->addWidget(m_connectionFilter, 1);
    bar->addWidget(m_filterError);
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
    m_eventView->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_eventView->verticalHeader()->setDefaultSectionSize(m_eventView->fontMetrics().height() + 6);
    connect(m_eventView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                emit currentEventChanged(m_log->sequenceAt(current.row()));
            });
    // Scrolling up by hand stops following; reaching the bottom resumes it.
    connect(m_eventView->verticalScrollBar(), &QScrollBar::valueChanged, this, [this](int value) {
        auto *bar = m_eventView->verticalScrollBar();
        if (bar->isSliderDown())
            m_followAction->setChecked(value >= bar->maximum());
    });
}

void EventLogPane::followConnections()
{
    ConnectionManager *connections = m_workspace->connections();
    connect(connections, &ConnectionManager::connectionAdded, this,
            [this, connections](quint16 id) {
                if (const ConnectionEntry *entry = connections->entry(id))
                    m_connectionFilter->addItem(entry->name, int(id));
            });
    connect(connections, &ConnectionManager::connectionRenamed, this,
            [this](quint16 id, const QString &name) {
                const int index = m_connectionFilter->findData(int(id));
                if (index >= 0)
                    m_connectionFilter->setItemText(index, name);
            });
    connect(connections, &ConnectionManager::connectionRemoved, this, [this](quint16 id) {
        const int index = m_connectionFilter->findData(int(id));
        if (index > 0) {
            if (m_connectionFilter->currentIndex() == index)
                m_connectionFilter->setCurrentIndex(0);
            m_connectionFilter->removeItem(index);
        }
    });
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
    filter.setConnection(m_connectionFilter->currentData().toInt());
    filter.setHiddenTypes(m_workspace->typeModel()->hiddenTypes());
    filter.setMatchMode(m_regex->isChecked() ? EventFilter::MatchMode::RegularExpression
                                             : EventFilter::MatchMode::Substring);
    filter.setCaseSensitivity(m_caseSensitive->isChecked() ? Qt::CaseSensitive
                                                           : Qt::CaseInsensitive);
    filter.setText(m_search->text());
    filter.setExpression(m_displayFilter->appliedExpression());
    if (!filter.isValid()) {
        m_filterError->setText(filter.errorString());
        m_filterError->show();
        m_search->setStyleSheet(QStringLiteral("QLineEdit { border: 1px solid #d93535; }"));
        return;
    }
    m_filterError->hide();
    m_search->setStyleSheet(QString());
    m_log->setFilter(filter);
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
    m_countLabel->setText(text);
    m_pauseButton->setText(m_log->isPaused() ? tr("Resume (%1 new)").arg(m_log->pendingCount())
                                             : tr("Pause"));
}
