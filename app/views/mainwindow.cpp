#include "views/mainwindow.h"

#include "session/alertcenter.h"
#include "session/desktopnotifier.h"
#include "views/alertspane.h"
#include "views/traynotifier.h"

#include "models/eventlogmodel.h"
#include "models/eventstore.h"
#include "models/secretstore.h"
#include "session/workspace.h"
#include "views/actions.h"
#include "views/apptheme.h"
#include "views/connectioncommands.h"
#include "views/connectiondetailtabs.h"
#include "views/connectionspane.h"
#include "views/eventdetailview.h"
#include "views/eventlogpane.h"
#include "views/helpdialogs.h"
#include "views/mainstatusbar.h"
#include "views/noticebar.h"
#include "views/recordingcommands.h"
#include "views/shortcutpassthrough.h"
#include "views/uilanguage.h"
#include "views/welcomepage.h"

#include <QActionGroup>
#include <QCloseEvent>
#include <QInputDialog>
#include <QListView>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QSplitter>
#include <QStackedWidget>
#include <QSystemTrayIcon>
#include <QTableView>
#include <QTimer>
#include <QToolBar>
#include <QVBoxLayout>

namespace {

// Adds \a actions to \a menu; a null action stands for a separator.
void fillMenu(QMenu *menu, const QList<QAction *> &actions)
{
    for (QAction *action : actions) {
        if (action)
            menu->addAction(action);
        else
            menu->addSeparator();
    }
}

} // namespace

MainWindow::MainWindow(QWidget *parent) : QMainWindow(parent)
{
    setWindowTitle(tr("SSE Monitor"));
    setObjectName(QStringLiteral("MainWindow"));
    m_workspace = new Workspace(this);
    createPanes();
    createActions();
    createMenus();
    createToolBar();
    connectPanes();
    new ShortcutPassThrough(this); // window shortcuts also work from the text fields
    resize(1280, 820);
}

MainWindow::~MainWindow()
{
    // The panes show the workspace's models and listen to it: they go before it, and the
    // window stops listening.
    m_workspace->connections()->disconnect(this);
    m_workspace->disconnect(this);
    m_workspace->disconnect(m_recordingCommands);
    m_workspace->disconnect(m_connectionCommands);
    delete takeCentralWidget();
    delete m_statusBar;
    delete m_workspace;
}

void MainWindow::createPanes()
{
    m_connectionsPane = new ConnectionsPane(m_workspace);
    m_eventLogPane = new EventLogPane(m_workspace);
    m_detailTabs = new ConnectionDetailTabs(m_workspace);
    m_alertsPane = new AlertsPane(m_workspace);
    m_detailTabs->addTab(m_alertsPane, tr("Alerts"));
    // Alerts reach the desktop: freedesktop notifications over D-Bus, else the tray.
    if (DesktopNotifier::isAvailable()) {
        m_notifier = std::make_unique<DesktopNotifier>();
    } else if (QSystemTrayIcon::isSystemTrayAvailable()) {
        auto *tray = new QSystemTrayIcon(windowIcon(), this);
        m_notifier = std::make_unique<TrayNotifier>(tray);
    }
    m_workspace->alerts()->setNotifier(m_notifier.get());

    m_centerSplitter = new QSplitter(Qt::Vertical);
    m_centerSplitter->setObjectName(QStringLiteral("centerSplitter"));
    m_centerSplitter->addWidget(m_eventLogPane);
    m_centerSplitter->addWidget(m_detailTabs);
    m_centerSplitter->setStretchFactor(0, 3);
    m_centerSplitter->setStretchFactor(1, 2);
    m_centerSplitter->setSizes({440, 330});

    // The welcome page while there is no connection.
    auto *welcome = new WelcomePage;
    connect(welcome, &WelcomePage::demoRequested, this, &MainWindow::openDemo);
    connect(welcome, &WelcomePage::newConnectionRequested, this,
            [this] { m_connectionCommands->newAction()->trigger(); });
    m_centerStack = new QStackedWidget;
    m_centerStack->addWidget(welcome);
    m_centerStack->addWidget(m_centerSplitter);

    // Notices for the whole session (no keychain) above the log or the welcome page.
    auto *notice = new NoticeBar;
    connect(m_workspace, &Workspace::keychainUnavailable, notice, [notice](const QString &details) {
        notice->showNotice(
            tr("Secrets can't be saved: no keychain service is running. They stay in memory "
               "for this session."),
            tr("The keychain said: %1\nConnection > Store Secrets in Plain Text If No Keychain "
               "keeps them in the settings file instead, unencrypted.")
                .arg(details));
    });
    auto *center = new QWidget;
    auto *centerLayout = new QVBoxLayout(center);
    centerLayout->setContentsMargins(0, 0, 0, 0);
    centerLayout->setSpacing(2);
    centerLayout->addWidget(notice);
    centerLayout->addWidget(m_centerStack, 1);

    m_mainSplitter = new QSplitter(Qt::Horizontal);
    m_mainSplitter->setObjectName(QStringLiteral("mainSplitter"));
    m_mainSplitter->addWidget(m_connectionsPane);
    m_mainSplitter->addWidget(center);
    m_mainSplitter->setStretchFactor(0, 2);
    m_mainSplitter->setStretchFactor(1, 5);
    m_mainSplitter->setSizes({480, 800});
    setCentralWidget(m_mainSplitter);

    m_statusBar = new MainStatusBar(m_workspace);
    setStatusBar(m_statusBar);
}

void MainWindow::showAlertEvent(qint64 sequence)
{
    const EventLogModel *log = m_workspace->logModel();
    if (!log->store().contains(sequence)) {
        m_alertsPane->setJumpMessage(tr("The event of this alert is no longer in the log: it "
                                        "was evicted to stay within the log's memory limit"));
        return;
    }
    const int row = log->rowOfSequence(sequence);
    if (row < 0) {
        m_alertsPane->setJumpMessage(tr("The event of this alert is not shown: the log's "
                                        "filter, search or connection scope hides it, or the "
                                        "display is paused"));
        return;
    }
    // Not following the tail any more, or the next batch would scroll it away.
    m_eventLogPane->followAction()->setChecked(false);
    QTableView *view = m_eventLogPane->eventView();
    const QModelIndex index = log->index(row, 0);
    view->setCurrentIndex(index);
    view->scrollTo(index, QAbstractItemView::PositionAtCenter);
    view->setFocus();
}

void MainWindow::connectPanes()
{
    connect(m_connectionsPane, &ConnectionsPane::currentConnectionChanged, m_detailTabs,
            &ConnectionDetailTabs::setConnection);
    connect(m_connectionsPane, &ConnectionsPane::currentConnectionChanged, m_statusBar,
            &MainStatusBar::setConnection);
    connect(m_connectionsPane, &ConnectionsPane::currentConnectionChanged, m_alertsPane,
            &AlertsPane::setConnection);
    // An opened recording is its own view: the log shows its connections, under the chip.
    connect(m_workspace, &Workspace::recordingOpened, m_connectionsPane,
            [this](const QString &, const QList<quint16> &ids) {
                m_connectionsPane->selectConnections(ids);
            });
    // One notion of "current": the selection in the Connections pane scopes the log.
    connect(m_connectionsPane, &ConnectionsPane::selectedConnectionsChanged, m_eventLogPane,
            [this](const QList<quint16> &ids) {
                m_scopeSelection = ids;
                scopeLogToSelection();
            });
    // An exchange that starts under a selected proxy joins the scope as it appears, and the
    // selection stays where the user put it (a removed one leaves: the pane reports the
    // selection again).
    connect(m_workspace->connections(), &ConnectionManager::connectionAdded, m_eventLogPane,
            [this](quint16 id) {
                const ConnectionEntry *entry = m_workspace->connections()->entry(id);
                if (entry && entry->parentId != 0 && m_scopeSelection.contains(entry->parentId))
                    m_eventLogPane->addToConnectionScope(id);
            });
    connect(m_eventLogPane, &EventLogPane::scopeDismissRequested, m_connectionsPane,
            &ConnectionsPane::clearConnectionSelection);
    connect(m_connectionsPane, &ConnectionsPane::responseRequested, m_detailTabs,
            &ConnectionDetailTabs::showResponse);
    connect(m_detailTabs->detailView(), &EventDetailView::applyAsColumnRequested, m_eventLogPane,
            &EventLogPane::applyAsColumn);
    connect(m_eventLogPane, &EventLogPane::currentEventChanged, m_detailTabs,
            &ConnectionDetailTabs::setEvent);
    connect(m_alertsPane, &AlertsPane::eventRequested, this, &MainWindow::showAlertEvent);

    const ConnectionListModel *connections = m_workspace->connections()->model();
    auto showPage = [this, connections] {
        m_centerStack->setCurrentIndex(connections->rowCount() > 0 ? 1 : 0);
    };
    connect(m_workspace->connections(), &ConnectionManager::connectionAdded, this, showPage);
    connect(m_workspace->connections(), &ConnectionManager::connectionRemoved, this, showPage);
    connect(m_workspace, &Workspace::demoFailed, this, [this](const QString &error) {
        QMessageBox::warning(this, tr("Demo stream"),
                             tr("The demo server could not start: %1").arg(error));
    });
}

void MainWindow::scopeLogToSelection()
{
    // A selected proxy stands for its exchanges.
    QList<quint16> scope = m_scopeSelection;
    for (const ConnectionEntry &entry : m_workspace->connections()->model()->entries()) {
        if (entry.parentId != 0 && m_scopeSelection.contains(entry.parentId)
            && !scope.contains(entry.id)) {
            scope.append(entry.id);
        }
    }
    m_eventLogPane->setConnectionScope(scope);
}

void MainWindow::createActions()
{
    m_connectionCommands = new ConnectionCommands(m_workspace, m_connectionsPane, m_statusBar, this);
    m_recordingCommands = new RecordingCommands(m_workspace, m_connectionsPane, m_eventLogPane, this);
    m_quitAction =
        makeAction(this, tr("&Quit"), QKeySequence::Quit, tr("Quit SSE Monitor"), &QWidget::close);
    m_capacityAction = makeAction(this, tr("Log &Capacity…"), QKeySequence(),
                                  tr("How many events the log keeps before evicting the oldest"),
                                  &MainWindow::chooseCapacity);
    m_byteBudgetAction = makeAction(
        this, tr("Log &Memory Budget…"), QKeySequence(),
        tr("How many megabytes of events the log keeps before evicting the oldest"),
        &MainWindow::chooseByteBudget);
    m_aboutAction = makeAction(this, tr("&About SSE Monitor"), QKeySequence(),
                               tr("Version and credits"), &MainWindow::showAbout);
}

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    const ConnectionCommands *connections = m_connectionCommands;
    const RecordingCommands *recordings = m_recordingCommands;
    fillMenu(file,
             {connections->newAction(), connections->demoAction(), recordings->openAction(),
              recordings->replayAction(), recordings->mockServerAction(), nullptr,
              recordings->recordAction(), recordings->recordSelectedAction(),
              recordings->rawCaptureAction(), recordings->exportAction(), nullptr,
              connections->importConnectionsAction(), connections->exportConnectionsAction(),
              nullptr, m_quitAction});

    QMenu *edit = menuBar()->addMenu(tr("&Edit"));
    fillMenu(edit, m_eventLogPane->editActions());
    edit->addSeparator();
    fillMenu(edit, m_eventLogPane->markActions());

    QMenu *view = menuBar()->addMenu(tr("&View"));
    fillMenu(view, m_eventLogPane->displayActions());
    view->addMenu(m_eventLogPane->timeFormatMenu());
    view->addSeparator();
    fillMenu(view, m_eventLogPane->fieldActions());
    view->addSeparator();
    view->addAction(m_capacityAction);
    view->addAction(m_byteBudgetAction);
    view->addSeparator();
    addPaneShortcuts(view);
    view->addSeparator();
    addLanguageMenu(view);
    view->addMenu(AppTheme::createMenu(view));

    QMenu *connection = menuBar()->addMenu(tr("&Connection"));
    connection->addAction(m_connectionCommands->newAction());
    fillMenu(connection, m_connectionsPane->connectionActions());
    connection->addSeparator();
    connection->addAction(m_connectionCommands->plainSecretsAction());

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&User Guide"), QKeySequence::HelpContents, this,
                    [this] { HelpDialogs::showUserGuide(this); });
    help->addAction(tr("&Keyboard Shortcuts"), this,
                    [this] { HelpDialogs::showShortcuts(this, findChildren<QAction *>()); });
    help->addSeparator();
    help->addAction(m_aboutAction);
}

void MainWindow::addPaneShortcuts(QMenu *view)
{
    // Keyboard access to each pane (the search field has Ctrl+F).
    const struct
    {
        QString text;
        QKeySequence shortcut;
        QWidget *pane;
    } panes[] = {
        {tr("Go to &Connections"), QKeySequence(tr("Alt+1")), m_connectionsPane->connectionView()},
        {tr("Go to Event &Types"), QKeySequence(tr("Alt+2")), m_connectionsPane->typeView()},
        {tr("Go to Event &Log"), QKeySequence(tr("Alt+3")), m_eventLogPane->eventView()},
        {tr("Go to &Details"), QKeySequence(tr("Alt+4")), m_detailTabs},
    };
    for (const auto &pane : panes) {
        QAction *action = view->addAction(pane.text);
        action->setShortcut(pane.shortcut);
        QWidget *target = pane.pane;
        connect(action, &QAction::triggered, this, [this, target] {
            focusPane(target == m_detailTabs ? m_detailTabs->currentWidget() : target);
        });
    }
}

void MainWindow::addLanguageMenu(QMenu *view)
{
    QMenu *language = view->addMenu(tr("&Language"));
    language->setObjectName(QStringLiteral("languageMenu"));
    auto *languages = new QActionGroup(language);
    const QString savedLanguage = UiLanguage::saved();
    for (const UiLanguage::Choice &choice : UiLanguage::choices()) {
        QAction *action = language->addAction(choice.name);
        action->setObjectName(QStringLiteral("language-") + choice.code);
        action->setData(choice.code);
        action->setCheckable(true);
        action->setChecked(choice.code == savedLanguage);
        languages->addAction(action);
    }
    connect(languages, &QActionGroup::triggered, this, &MainWindow::chooseLanguage);
}

void MainWindow::createToolBar()
{
    QToolBar *toolBar = addToolBar(tr("Main"));
    toolBar->setObjectName(QStringLiteral("MainToolBar"));
    toolBar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    // Icons from the desktop theme, with bundled SVGs where it has none.
    m_eventLogPane->clearAction()->setIcon(AppTheme::icon("edit-clear", "clear"));
    const QList<QAction *> display = m_eventLogPane->displayActions();
    display.at(0)->setIcon(AppTheme::icon("media-playback-pause", "pause"));
    display.at(1)->setIcon(AppTheme::icon("go-bottom", "follow-tail"));
    const QList<QAction *> connectionActions = m_connectionsPane->toolBarActions();
    const char *const connectionIcons[][2] = {
        { "network-connect", "connect" },
        { "network-disconnect", "disconnect" },
        { "view-refresh", "reconnect" },
    };
    for (int i = 0; i < connectionActions.size() && i < 3; ++i)
        connectionActions.at(i)->setIcon(AppTheme::icon(connectionIcons[i][0], connectionIcons[i][1]));
    toolBar->addAction(m_connectionCommands->newAction());
    toolBar->addActions(m_connectionsPane->toolBarActions());
    toolBar->addSeparator();
    toolBar->addAction(m_recordingCommands->recordAction());
    toolBar->addAction(m_recordingCommands->exportAction());
    toolBar->addSeparator();
    toolBar->addActions(m_eventLogPane->displayActions());
    toolBar->addAction(m_eventLogPane->clearAction());
}

quint16 MainWindow::addConnection(const QString &name, const Sse::ClientOptions &options)
{
    return m_connectionCommands->addConnection(name, options);
}

quint16 MainWindow::openDemo()
{
    return m_connectionCommands->openDemo();
}

int MainWindow::restoreConnections()
{
    return m_workspace->restoreConnections();
}

void MainWindow::chooseCapacity()
{
    EventLogModel *log = m_workspace->logModel();
    bool ok = false;
    const int capacity = QInputDialog::getInt(this, tr("Log Capacity"),
                                              tr("Events kept in the log (oldest are evicted):"),
                                              int(log->capacity()), 1000, 50000000, 100000, &ok);
    if (ok)
        log->setCapacity(capacity);
}

void MainWindow::chooseByteBudget()
{
    EventLogModel *log = m_workspace->logModel();
    bool ok = false;
    const int mebibytes = QInputDialog::getInt(
        this, tr("Log Memory Budget"), tr("MiB of events kept in the log (oldest are evicted):"),
        int(log->byteBudget() >> 20), 16, 1024 * 1024, 64, &ok);
    if (ok)
        log->setByteBudget(qsizetype(mebibytes) << 20);
}

void MainWindow::focusPane(QWidget *pane)
{
    // A container pane (a detail tab) hands the focus to its first focusable child.
    QWidget *target = pane;
    if (!(pane->focusPolicy() & Qt::TabFocus)) {
        for (QWidget *next = pane->nextInFocusChain(); next != pane;
             next = next->nextInFocusChain()) {
            if (pane->isAncestorOf(next) && next->isVisible() && next->isEnabled()
                && (next->focusPolicy() & Qt::TabFocus)) {
                target = next;
                break;
            }
        }
    }
    target->setFocus(Qt::ShortcutFocusReason);
}

void MainWindow::chooseLanguage(QAction *action)
{
    const QString code = action->data().toString();
    if (code == UiLanguage::saved())
        return;
    UiLanguage::save(code);
    // Window-modal but not blocking: the choice is saved already.
    auto *box = new QMessageBox(QMessageBox::Information, tr("Language"),
                                tr("The new language takes effect when SSE Monitor is "
                                   "restarted."),
                                QMessageBox::Ok, this);
    box->setObjectName(QStringLiteral("languageNotice"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

void MainWindow::showAbout()
{
    QMessageBox::about(
        this, tr("About SSE Monitor"),
        tr("<h3>SSE Monitor %1</h3><p>A monitor for Server-Sent Events streams: live event "
           "log, type filters, search, JSON detail, numeric charts, reconnect state, "
           "recording and export.</p><p>Built with Qt %2.</p>")
            .arg(QStringLiteral(SSE_MONITOR_VERSION), QString::fromLatin1(qVersion())));
}

void MainWindow::saveSettings()
{
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    settings.setValue(QStringLiteral("window/mainSplitter"), m_mainSplitter->saveState());
    settings.setValue(QStringLiteral("window/leftSplitter"), m_connectionsPane->saveState());
    settings.setValue(QStringLiteral("window/centerSplitter"), m_centerSplitter->saveState());
    settings.setValue(QStringLiteral("window/eventColumns"), m_eventLogPane->headerState());
    settings.setValue(QStringLiteral("window/bottomTab"), m_detailTabs->currentIndex());
    settings.setValue(QStringLiteral("view/follow"), m_eventLogPane->followAction()->isChecked());
    settings.setValue(QStringLiteral("record/raw"), m_recordingCommands->rawCaptureAction()->isChecked());
    settings.setValue(QStringLiteral("view/capacity"), qint64(m_workspace->logModel()->capacity()));
    settings.setValue(QStringLiteral("view/byteBudget"),
                      qint64(m_workspace->logModel()->byteBudget()));
    m_workspace->saveConnections();
}

void MainWindow::restoreLayout()
{
    QSettings settings;
    auto bytes = [&settings](const char *key) {
        return settings.value(QLatin1String(key)).toByteArray();
    };
    restoreGeometry(bytes("window/geometry"));
    restoreState(bytes("window/state"));
    m_mainSplitter->restoreState(bytes("window/mainSplitter"));
    m_connectionsPane->restoreState(bytes("window/leftSplitter"));
    m_centerSplitter->restoreState(bytes("window/centerSplitter"));
    m_eventLogPane->restoreHeaderState(bytes("window/eventColumns"));
    m_detailTabs->setCurrentIndex(settings.value(QStringLiteral("window/bottomTab"), 0).toInt());
    m_eventLogPane->followAction()->setChecked(
        settings.value(QStringLiteral("view/follow"), true).toBool());
    m_recordingCommands->rawCaptureAction()->setChecked(settings.value(QStringLiteral("record/raw"), false).toBool());
    const qint64 capacity = settings.value(QStringLiteral("view/capacity"), 0).toLongLong();
    if (capacity > 0)
        m_workspace->logModel()->setCapacity(capacity);
    const qint64 byteBudget = settings.value(QStringLiteral("view/byteBudget"), 0).toLongLong();
    if (byteBudget > 0)
        m_workspace->logModel()->setByteBudget(byteBudget);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveSettings();
    // Keychain writes finish asynchronously; give them a moment before the application quits.
    m_workspace->secretStore()->waitForIdle(5000);
    event->accept();
}
