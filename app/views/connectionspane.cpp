#include "views/connectionspane.h"

#include "models/connectionlistmodel.h"
#include "models/typelistmodel.h"
#include "session/workspace.h"
#include "views/actions.h"

#include "sselib/curlcommand.h"

#include <QAction>
#include <QClipboard>
#include <QGuiApplication>
#include <QHeaderView>
#include <QLabel>
#include <QListView>
#include <QTableView>
#include <QVBoxLayout>

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
    connect(connections, &ConnectionManager::connectionAdded, this, [this] {
        if (!m_connectionView->currentIndex().isValid())
            m_connectionView->selectRow(0);
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
    m_removeAction = makeAction(this, tr("Re&move"), QKeySequence(tr("Ctrl+Del")),
                                tr("Remove the selected connection"),
                                [this, current] { m_workspace->removeConnection(current()); });
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
    m_connectionView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_connectionView->verticalHeader()->hide();
    m_connectionView->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_connectionView->verticalHeader()->setDefaultSectionSize(
        m_connectionView->fontMetrics().height() + 8);
    m_connectionView->horizontalHeader()->setStretchLastSection(true);
    m_connectionView->setWordWrap(false);
    m_connectionView->setTabKeyNavigation(false); // Tab leaves the table for the next pane
    m_connectionView->setContextMenuPolicy(Qt::ActionsContextMenu);
    m_connectionView->addActions({m_editAction, m_duplicateAction, m_connectAction,
                                  m_disconnectAction, m_reconnectAction, m_copyCurlAction,
                                  m_copyCurlSecretsAction, m_removeAction});
    m_connectionView->setColumnWidth(ConnectionListModel::NameColumn, 105);
    m_connectionView->setColumnWidth(ConnectionListModel::StateColumn, 235);
    m_connectionView->setColumnWidth(ConnectionListModel::HealthColumn, 230);
    m_connectionView->setColumnWidth(ConnectionListModel::EventsColumn, 70);
    m_connectionView->setColumnWidth(ConnectionListModel::RateColumn, 60);
    m_connectionView->setColumnWidth(ConnectionListModel::BytesColumn, 80);
    m_connectionView->setColumnWidth(ConnectionListModel::LastIdColumn, 70);
    connect(m_connectionView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this] {
                updateActions();
                emit currentConnectionChanged(currentConnection());
            });
    connect(m_connectionView, &QAbstractItemView::doubleClicked, this, &ConnectionsPane::activate);

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
    m_typeView->setToolTip(tr("Untick a type to hide its events"));
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

void ConnectionsPane::selectConnection(quint16 id)
{
    const int row = m_workspace->connections()->model()->rowOf(id);
    if (row >= 0)
        m_connectionView->selectRow(row);
}

QList<QAction *> ConnectionsPane::connectionActions() const
{
    return {m_editAction,      m_duplicateAction, nullptr, m_connectAction, m_disconnectAction,
            m_reconnectAction, m_checkAction,     nullptr, m_copyCurlAction,
            m_copyCurlSecretsAction, nullptr, m_removeAction};
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
