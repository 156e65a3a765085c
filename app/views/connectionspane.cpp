#include "views/connectionspane.h"

#include "models/connectionlistmodel.h"
#include "models/eventlogmodel.h"
#include "models/eventstore.h"
#include "models/typelistmodel.h"
#include "recording/replayer.h"
#include "session/workspace.h"
#include "views/actions.h"

#include "sselib/curlcommand.h"

#include <QAction>
#include <QClipboard>
#include <QGuiApplication>
#include <QActionGroup>
#include <QFontMetrics>
#include <QHeaderView>
#include <QLabel>
#include <QListView>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>

ConnectionsPane::ConnectionsPane(Workspace *workspace, QWidget *parent)
    : QSplitter(Qt::Vertical, parent)
    , m_workspace(workspace)
{
    setObjectName(QStringLiteral("leftSplitter"));
    createActions();
    addWidget(createConnectionsBox());
    addWidget(createTypesBox());
    setStretchFactor(0, 3);
    setStretchFactor(1, 2);

    ConnectionManager *connections = workspace->connections();
    connect(connections, &ConnectionManager::stateChanged, this, [this](quint16 id) {
        if (id == currentConnection())
            updateActions();
    });
    // Restored and imported connections: the first one is current until the user picks one.
    // Current, not selected: a selection narrows the log, and a restore must not do that.
    connect(connections, &ConnectionManager::connectionAdded, this, [this] {
        if (!m_connectionView->currentIndex().isValid()) {
            m_connectionView->selectionModel()->setCurrentIndex(
                    m_connectionView->model()->index(0, 0), QItemSelectionModel::NoUpdate);
        }
    });
    connect(workspace, &Workspace::replayStarted, this, &ConnectionsPane::selectConnection);
    updateActions();
}

void ConnectionsPane::createActions()
{
    auto current = [this] { return currentConnection(); };
    m_editAction = makeAction(this, tr("&Edit…"), QKeySequence(tr("Ctrl+Shift+E")),
                              tr("Edit the selected connection"),
                              [this, current] { emit editRequested(current()); });
    m_duplicateAction = makeAction(
        this, tr("D&uplicate"), QKeySequence(tr("Ctrl+D")), tr("Duplicate the selected connection"),
        [this, current] { selectConnection(m_workspace->duplicateConnection(current())); });
    m_connectAction = makeAction(this, tr("&Connect"), QKeySequence(tr("Ctrl+Return")),
                                 tr("Open the selected connection"), [this, current] {
                                     // A connection without its secrets asks for them first.
                                     if (m_workspace->openConnection(current())
                                         == Workspace::OpenResult::NeedsSecrets) {
                                         emit editRequested(current());
                                     }
                                 });
    m_disconnectAction = makeAction(this, tr("Dis&connect"), QKeySequence(tr("Ctrl+Shift+Return")),
                                    tr("Close the selected connection"), [this, current] {
                                        m_workspace->connections()->close(current());
                                    });
    m_reconnectAction =
        makeAction(this, tr("&Reconnect Now"), QKeySequence(Qt::Key_F5),
                   tr("Skip the wait and reconnect the selected connection"),
                   [this, current] { m_workspace->connections()->reconnectNow(current()); });
    m_checkAction =
        makeAction(this, tr("C&heck Stream"), QKeySequence(tr("Ctrl+K")),
                   tr("Observe the selected stream for 10 s and report protocol problems"),
                   [this, current] { m_workspace->runDiagnostics(current()); });
    // Secrets only when asked: a copied command ends up in chats and tickets.
    auto copyAsCurl = [this, current](Sse::SecretHandling secrets) {
        if (const ConnectionEntry *entry = m_workspace->connections()->entry(current()))
            QGuiApplication::clipboard()->setText(Sse::CurlCommand::format(entry->options, secrets));
    };
    m_copyCurlAction = makeAction(this, tr("Copy as c&URL"), QKeySequence(),
                                  tr("Copy a curl command for the selected connection, without "
                                     "its secrets"),
                                  [copyAsCurl] { copyAsCurl(Sse::SecretHandling::Exclude); });
    m_copyCurlSecretsAction = makeAction(
        this, tr("Copy as cURL with &Secrets"), QKeySequence(),
        tr("Copy a curl command for the selected connection, including tokens and passwords"),
        [copyAsCurl] { copyAsCurl(Sse::SecretHandling::Include); });
    // Replay transport: on the selected replay, enabled while one runs (updateActions()).
    m_pauseReplayAction = makeAction(this, tr("&Pause Replay"), QKeySequence(),
                                     tr("Pause or resume the selected replay"),
                                     [this, current](bool paused) {
                                         if (paused)
                                             m_workspace->pauseReplay(current());
                                         else
                                             m_workspace->resumeReplay(current());
                                     });
    m_pauseReplayAction->setCheckable(true);
    m_stopReplayAction = makeAction(this, tr("S&top Replay"), QKeySequence(),
                                    tr("Stop the selected replay; what was played stays"),
                                    [this, current] { m_workspace->stopReplay(current()); });
    m_replaySpeedMenu = new QMenu(tr("Replay &Speed"), this);
    auto *speeds = new QActionGroup(m_replaySpeedMenu);
    const struct
    {
        const char *label;
        double speed;
    } speedChoices[] = {
        { QT_TR_NOOP("1\u00d7 (original timing)"), 1.0 },
        { QT_TR_NOOP("2\u00d7"), 2.0 },
        { QT_TR_NOOP("10\u00d7"), 10.0 },
        { QT_TR_NOOP("As fast as possible"), 0.0 },
    };
    for (const auto &choice : speedChoices) {
        QAction *action = m_replaySpeedMenu->addAction(tr(choice.label));
        action->setCheckable(true);
        action->setData(choice.speed);
        speeds->addAction(action);
        connect(action, &QAction::triggered, this, [this, current, speed = choice.speed] {
            m_workspace->setReplaySpeed(current(), speed);
        });
    }
    m_removeAction = makeAction(this, tr("Re&move"), QKeySequence(tr("Ctrl+Del")),
                                tr("Remove the selected connection"),
                                [this, current] { removeConnection(current()); });
}

QWidget *ConnectionsPane::createConnectionsBox()
{
    m_connectionView = new QTableView;
    m_connectionView->setObjectName(QStringLiteral("connectionView"));
    m_connectionView->setAccessibleName(tr("Connections"));
    m_connectionView->setAccessibleDescription(
        tr("Ctrl+Shift+E or a double-click edits the selected connection; the other "
           "commands are in the Connection menu"));
    m_connectionView->setModel(m_workspace->connections()->model());
    m_connectionView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_connectionView->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_connectionView->verticalHeader()->hide();
    m_connectionView->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_connectionView->verticalHeader()->setDefaultSectionSize(
        m_connectionView->fontMetrics().height() + 8);
    m_connectionView->setWordWrap(false);
    m_connectionView->setTabKeyNavigation(false); // Tab leaves the table for the next pane
    m_connectionView->setContextMenuPolicy(Qt::ActionsContextMenu);
    m_connectionView->addActions({m_editAction, m_duplicateAction, m_connectAction,
                                  m_disconnectAction, m_reconnectAction, m_copyCurlAction,
                                  m_copyCurlSecretsAction, m_pauseReplayAction,
                                  m_stopReplayAction, m_replaySpeedMenu->menuAction(),
                                  m_removeAction});
    // A replay's progress and state arrive as row updates.
    connect(m_connectionView->model(), &QAbstractItemModel::dataChanged, this,
            &ConnectionsPane::updateActions);
    // Name and State share the room the pane has; Health is as wide as its dot and "Healthy"
    // (longer verdicts are elided, the whole text is in the tooltip and the status bar) and
    // the number columns as their title or a typical
    // value, from the font, so there is no horizontal scroll bar at common widths.
    QHeaderView *header = m_connectionView->horizontalHeader();
    header->setStretchLastSection(false);
    header->setSectionResizeMode(ConnectionListModel::NameColumn, QHeaderView::Stretch);
    header->setSectionResizeMode(ConnectionListModel::StateColumn, QHeaderView::Stretch);
    // The URL is in the Name column's tooltip (redacted); as a column it needed a scroll bar.
    m_connectionView->setColumnHidden(ConnectionListModel::UrlColumn, true);
    const QFontMetrics metrics = m_connectionView->fontMetrics();
    const struct
    {
        int column;
        QString sample;
    } numberColumns[] = {
        { ConnectionListModel::EventsColumn, QStringLiteral("00,000") },
        { ConnectionListModel::RateColumn, QStringLiteral("000.0") },
        { ConnectionListModel::BytesColumn, QStringLiteral("00.0 MB") },
        { ConnectionListModel::LastIdColumn, QStringLiteral("00000") },
    };
    for (const auto &number : numberColumns) {
        const QString title = m_connectionView->model()
                                      ->headerData(number.column, Qt::Horizontal)
                                      .toString();
        const int width = qMax(metrics.horizontalAdvance(title), metrics.horizontalAdvance(number.sample));
        m_connectionView->setColumnWidth(number.column, width + 2 * metrics.averageCharWidth());
    }
    const int verdictWidth = metrics.horizontalAdvance(
            Sse::healthVerdictLabel(Sse::HealthVerdict::Healthy));
    m_connectionView->setColumnWidth(ConnectionListModel::HealthColumn,
                                     verdictWidth + metrics.height() + 3 * metrics.averageCharWidth());
    connect(m_connectionView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this] {
                updateActions();
                emit currentConnectionChanged(currentConnection());
            });
    connect(m_connectionView, &QAbstractItemView::doubleClicked, this, &ConnectionsPane::activate);
    // Removed rows leave the selection without a selectionChanged for them.
    auto reportSelection = [this] {
        emit selectedConnectionsChanged(m_selectingForProgram ? QList<quint16>()
                                                              : selectedConnections());
    };
    connect(m_connectionView->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            reportSelection);
    connect(m_connectionView->model(), &QAbstractItemModel::rowsRemoved, this, reportSelection);

    auto *box = new QWidget;
    auto *layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(new QLabel(tr("<b>Connections</b>")));
    layout->addWidget(m_connectionView);
    return box;
}

QWidget *ConnectionsPane::createTypesBox()
{
    m_typeView = new QListView;
    m_typeView->setObjectName(QStringLiteral("typeView"));
    m_typeView->setAccessibleName(tr("Event types"));
    m_typeView->setAccessibleDescription(tr("Space ticks or unticks the selected type"));
    m_typeView->setModel(m_workspace->typeModel());
    m_typeView->setUniformItemSizes(true);
    m_typeView->setToolTip(tr("Untick a type to hide its events on that connection; "
                              "right-click for \"only this type\" and \"show all\""));
    m_typeView->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_typeView, &QWidget::customContextMenuRequested, this,
            &ConnectionsPane::showTypeMenu);
    auto *box = new QWidget;
    auto *layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(new QLabel(tr("<b>Event types</b>")));
    layout->addWidget(m_typeView);
    return box;
}

quint16 ConnectionsPane::currentConnection() const
{
    const QModelIndex index = m_connectionView->currentIndex();
    return index.isValid() ? m_workspace->connections()->model()->idAt(index.row()) : quint16(0);
}

void ConnectionsPane::removeConnection(quint16 id)
{
    const ConnectionEntry *entry = m_workspace->connections()->entry(id);
    if (!entry)
        return;
    // A live connection or one with events in the log is not removed on one key press.
    const qint64 events = m_workspace->logModel()->store().connectionEventCount(id);
    const bool live = entry->state == Sse::Client::State::Open
            || entry->state == Sse::Client::State::Connecting
            || entry->state == Sse::Client::State::Reconnecting;
    if (live || events > 0) {
        QMessageBox question(QMessageBox::Warning, tr("Remove Connection"),
                             tr("Remove \u201c%1\u201d?").arg(entry->name),
                             QMessageBox::Cancel, this);
        question.setObjectName(QStringLiteral("removeQuestion"));
        QStringList details;
        if (live)
            details.append(tr("It is connected and will be closed."));
        if (events > 0) {
            details.append(tr("Its %Ln event(s) leave the log; recordings on disk stay.", nullptr,
                              int(qMin<qint64>(events, INT_MAX))));
        }
        question.setInformativeText(details.join(QLatin1Char(' ')));
        QPushButton *remove = question.addButton(tr("&Remove"), QMessageBox::DestructiveRole);
        remove->setObjectName(QStringLiteral("removeButton"));
        question.setDefaultButton(QMessageBox::Cancel);
        question.exec();
        if (question.clickedButton() != remove)
            return;
    }
    m_workspace->removeConnection(id);
}

QList<quint16> ConnectionsPane::selectedConnections() const
{
    QList<int> rows;
    const QModelIndexList selected = m_connectionView->selectionModel()->selectedRows();
    for (const QModelIndex &index : selected)
        rows.append(index.row());
    std::sort(rows.begin(), rows.end());
    QList<quint16> ids;
    for (int row : std::as_const(rows))
        ids.append(m_workspace->connections()->model()->idAt(row));
    return ids;
}

void ConnectionsPane::clearConnectionSelection()
{
    m_connectionView->selectionModel()->clearSelection();
}

void ConnectionsPane::showTypeMenu(const QPoint &position)
{
    TypeListModel *types = m_workspace->typeModel();
    const QModelIndex index = m_typeView->indexAt(position);
    QMenu menu(this);
    if (index.isValid()) {
        menu.addAction(tr("Only This Type"), this, [types, row = index.row()] {
            types->showOnly(row);
        });
    }
    menu.addAction(tr("Show All Types"), this, [types] { types->showAll(); })
            ->setEnabled(!types->hiddenTypes().isEmpty());
    menu.exec(m_typeView->viewport()->mapToGlobal(position));
}

void ConnectionsPane::selectConnection(quint16 id)
{
    const int row = m_workspace->connections()->model()->rowOf(id);
    if (row >= 0) {
        m_selectingForProgram = true;
        m_connectionView->selectRow(row);
        m_selectingForProgram = false;
    }
}

void ConnectionsPane::selectConnections(const QList<quint16> &ids)
{
    const ConnectionListModel *model = m_workspace->connections()->model();
    QItemSelection selection;
    for (const quint16 id : ids) {
        const int row = model->rowOf(id);
        if (row >= 0)
            selection.select(model->index(row, 0), model->index(row, model->columnCount() - 1));
    }
    if (selection.isEmpty())
        return;
    m_connectionView->selectionModel()->setCurrentIndex(selection.indexes().constFirst(),
                                                        QItemSelectionModel::NoUpdate);
    m_connectionView->selectionModel()->select(selection, QItemSelectionModel::ClearAndSelect
                                                                  | QItemSelectionModel::Rows);
}

QList<QAction *> ConnectionsPane::connectionActions() const
{
    return {m_editAction,      m_duplicateAction, nullptr, m_connectAction, m_disconnectAction,
            m_reconnectAction, m_checkAction,     nullptr, m_copyCurlAction,
            m_copyCurlSecretsAction, nullptr, m_pauseReplayAction,
            m_stopReplayAction, m_replaySpeedMenu->menuAction(), nullptr, m_removeAction};
}

QList<QAction *> ConnectionsPane::toolBarActions() const
{
    return {m_connectAction, m_disconnectAction, m_reconnectAction};
}

void ConnectionsPane::updateActions()
{
    const ConnectionEntry *entry = m_workspace->connections()->entry(currentConnection());
    const bool live = entry && !entry->offline;
    using State = Sse::Client::State;
    const bool active = live
        && (entry->state == State::Open || entry->state == State::Connecting
            || entry->state == State::Reconnecting);
    m_editAction->setEnabled(live);
    m_duplicateAction->setEnabled(live);
    m_removeAction->setEnabled(entry != nullptr);
    m_connectAction->setEnabled(live && !active);
    m_disconnectAction->setEnabled(active);
    m_reconnectAction->setEnabled(live);
    m_checkAction->setEnabled(live);
    m_copyCurlAction->setEnabled(entry != nullptr);
    m_copyCurlSecretsAction->setEnabled(entry != nullptr);
    const Replayer *replayer = m_workspace->replayer(currentConnection());
    const bool replaying = replayer
        && (replayer->state() == Replayer::State::Playing
            || replayer->state() == Replayer::State::Paused);
    m_pauseReplayAction->setEnabled(replaying);
    m_pauseReplayAction->setChecked(replaying && replayer->state() == Replayer::State::Paused);
    m_stopReplayAction->setEnabled(replaying);
    m_replaySpeedMenu->setEnabled(replaying);
    if (replaying) {
        const QList<QAction *> speeds = m_replaySpeedMenu->actions();
        for (QAction *speed : speeds)
            speed->setChecked(qFuzzyCompare(speed->data().toDouble() + 1, replayer->speed() + 1));
    }
}

void ConnectionsPane::activate()
{
    const quint16 id = currentConnection();
    const ConnectionEntry *entry = m_workspace->connections()->entry(id);
    if (entry && entry->state == Sse::Client::State::Failed)
        emit responseRequested(id);
    else
        emit editRequested(id);
}
