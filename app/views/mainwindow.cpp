#include "views/mainwindow.h"

#include "session/alertcenter.h"
#include "session/desktopnotifier.h"
#include "views/alertspane.h"
#include "views/traynotifier.h"

#include "charts/seriescatalog.h"
#include "models/eventlogmodel.h"
#include "models/eventstore.h"
#include "models/secretstore.h"
#include "recording/exportjob.h"
#include "recording/replayer.h"
#include "session/workspace.h"
#include "views/actions.h"
#include "views/apptheme.h"
#include "views/connectiondetailtabs.h"
#include "views/connectiondialog.h"
#include "views/mockserverdialog.h"
#include "views/connectionspane.h"
#include "views/eventdetailview.h"
#include "views/eventlogpane.h"
#include "views/exportconnectionsdialog.h"
#include "views/exporteventsdialog.h"
#include "views/helpdialogs.h"
#include "views/mainstatusbar.h"
#include "views/noticebar.h"
#include "views/shortcutpassthrough.h"
#include "views/uilanguage.h"
#include "views/welcomepage.h"

#include <QActionGroup>
#include <QCloseEvent>
#include <QDateTime>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QInputDialog>
#include <QListView>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QSplitter>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QSystemTrayIcon>
#include <QTableView>
#include <QTimer>
#include <QToolBar>
#include <QVBoxLayout>

namespace {

QString documentsDirectory()
{
    const QString directory = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    return directory.isEmpty() ? QDir::homePath() : directory;
}

QString defaultRecordingPath()
{
    return documentsDirectory() + QStringLiteral("/sse-monitor-")
        + QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss"))
        + QStringLiteral(".jsonl");
}

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
    connect(welcome, &WelcomePage::newConnectionRequested, this, &MainWindow::newConnection);
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
    connect(m_connectionsPane, &ConnectionsPane::editRequested, this, &MainWindow::editConnection);
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
    connect(m_workspace, &Workspace::recordingChanged, this,
            [this] {
                const bool recording = m_workspace->isRecording();
                m_recordAction->setChecked(recording);
                // Red while recording: the bundled icon, whatever the desktop theme has.
                m_recordAction->setIcon(recording
                                            ? QIcon(QStringLiteral(":/icons/recording.svg"))
                                            : AppTheme::icon("media-record", "record"));
            });
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
    m_newAction = makeAction(this, tr("&New Connection…"), QKeySequence::New,
                             tr("Connect to a new SSE URL"), &MainWindow::newConnection);
    m_openAction = makeAction(this, tr("&Open Recording…"), QKeySequence::Open,
                              tr("Open a JSON Lines recording or a raw SSE capture"),
                              &MainWindow::openRecording);
    m_exportAction =
        makeAction(this, tr("&Export Events…"), QKeySequence(tr("Ctrl+E")),
                   tr("Export all, filtered or selected events"), &MainWindow::exportEvents);
    m_recordAction = makeAction(this, tr("&Record"), QKeySequence(tr("Ctrl+R")),
                                tr("Record every event and state change to a file"),
                                &MainWindow::toggleRecording);
    m_recordAction->setCheckable(true);
    m_recordSelectedAction =
        makeAction(this, tr("Record &Selected Connection…"), QKeySequence(),
                   tr("Record only the selected connection"), &MainWindow::recordSelected);
    m_rawCaptureAction = makeAction(this, tr("Also Record &Raw Bytes"), QKeySequence(),
                                    tr("Write the raw stream bytes beside the recording "
                                       "(FILE.raw.sse), for byte-exact replay"),
                                    [](bool) {});
    m_rawCaptureAction->setCheckable(true);
    m_replayAction =
        makeAction(this, tr("Re&play Recording…"), QKeySequence(tr("Ctrl+Shift+P")),
                   tr("Replay a recording into the window at its original timing or faster"),
                   &MainWindow::replayRecording);
    m_mockServerAction =
        makeAction(this, tr("&Mock Server…"), QKeySequence(),
                   tr("Serve an SSE endpoint on loopback and send events to its clients by hand"),
                   &MainWindow::openMockServer);
    m_quitAction =
        makeAction(this, tr("&Quit"), QKeySequence::Quit, tr("Quit SSE Monitor"), &QWidget::close);
    m_demoAction =
        makeAction(this, tr("Connect to the &Demo Stream"), QKeySequence(),
                   tr("Start the built-in demo server and connect to it"), &MainWindow::openDemo);
    m_capacityAction = makeAction(this, tr("Log &Capacity…"), QKeySequence(),
                                  tr("How many events the log keeps before evicting the oldest"),
                                  &MainWindow::chooseCapacity);
    m_byteBudgetAction = makeAction(
        this, tr("Log &Memory Budget…"), QKeySequence(),
        tr("How many megabytes of events the log keeps before evicting the oldest"),
        &MainWindow::chooseByteBudget);
    m_exportConnectionsAction = makeAction(
        this, tr("E&xport Connections…"), QKeySequence(),
        tr("Save the connections as a JSON profiles file (also read by sse-monitor-cli)"),
        &MainWindow::exportConnections);
    m_importConnectionsAction = makeAction(this, tr("&Import Connections…"), QKeySequence(),
                                           tr("Add the connections of a JSON profiles file"),
                                           &MainWindow::importConnections);
    m_plainSecretsAction =
        makeAction(this, tr("Store Secrets in &Plain Text If No Keychain…"), QKeySequence(),
                   tr("Without a system keychain, keep secret header values unencrypted in "
                      "the settings file"),
                   &MainWindow::setPlainTextSecrets);
    m_plainSecretsAction->setCheckable(true);
    m_plainSecretsAction->setChecked(m_workspace->secretStore()->plainTextFallback());
    m_aboutAction = makeAction(this, tr("&About SSE Monitor"), QKeySequence(),
                               tr("Version and credits"), &MainWindow::showAbout);
}

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    fillMenu(file,
             {m_newAction, m_demoAction, m_openAction, m_replayAction, m_mockServerAction,
              nullptr, m_recordAction,
              m_recordSelectedAction, m_rawCaptureAction, m_exportAction, nullptr,
              m_importConnectionsAction, m_exportConnectionsAction, nullptr, m_quitAction});

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
    connection->addAction(m_newAction);
    fillMenu(connection, m_connectionsPane->connectionActions());
    connection->addSeparator();
    connection->addAction(m_plainSecretsAction);

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
    m_newAction->setIcon(AppTheme::icon("list-add", "new-connection"));
    m_recordAction->setIcon(AppTheme::icon("media-record", "record"));
    m_exportAction->setIcon(AppTheme::icon("document-save-as", "export"));
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
    toolBar->addAction(m_newAction);
    toolBar->addActions(m_connectionsPane->toolBarActions());
    toolBar->addSeparator();
    toolBar->addAction(m_recordAction);
    toolBar->addAction(m_exportAction);
    toolBar->addSeparator();
    toolBar->addActions(m_eventLogPane->displayActions());
    toolBar->addAction(m_eventLogPane->clearAction());
}

quint16 MainWindow::addConnection(const QString &name, const Sse::ClientOptions &options)
{
    const quint16 id = m_workspace->addConnection(name, options);
    m_connectionsPane->selectConnection(id);
    return id;
}

quint16 MainWindow::openDemo()
{
    const quint16 id = m_workspace->openDemo();
    m_connectionsPane->selectConnection(id);
    return id;
}

int MainWindow::restoreConnections()
{
    return m_workspace->restoreConnections();
}

void MainWindow::newConnection()
{
    ConnectionDialog dialog(this);
    dialog.setWindowTitle(tr("New Connection"));
    if (dialog.exec() == QDialog::Accepted) {
        // A default name (host and path) gets a number when another connection has it.
        const QString name = dialog.hasTypedName()
            ? dialog.name()
            : m_workspace->uniqueConnectionName(dialog.name());
        if (dialog.kind() == ConnectionDialog::Kind::Proxy)
            m_connectionsPane->selectConnection(m_workspace->addProxy(name, dialog.proxySettings()));
        else
            addConnection(name, dialog.options());
        m_workspace->saveConnections(); // secrets reach the keychain now, not only at exit
    }
}

void MainWindow::editConnection(quint16 id)
{
    const ConnectionEntry *entry = m_workspace->connections()->entry(id);
    if (!entry || entry->offline)
        return;
    const QList<QByteArray> missing = entry->missingSecrets;
    ConnectionDialog dialog(this);
    dialog.setWindowTitle(tr("Edit Connection"));
    dialog.setAcceptText(tr("&Save"));
    dialog.setKindEditable(false);
    if (entry->proxyListener) {
        dialog.setProxy(entry->name, *entry->proxyListener);
        if (dialog.exec() == QDialog::Accepted)
            m_workspace->updateProxy(id, dialog.name(), dialog.proxySettings());
        return;
    }
    if (entry->parentId != 0)
        return; // an exchange is what the application sent: nothing to edit
    dialog.setConnection(entry->name, entry->options);
    if (!missing.isEmpty()) {
        // Straight to the value the keychain could not give, once the dialog shows.
        const QString first = QString::fromUtf8(missing.first());
        QTimer::singleShot(0, &dialog, [&dialog, first] { dialog.focusHeaderValue(first); });
    }
    if (dialog.exec() == QDialog::Accepted)
        m_workspace->updateConnection(id, dialog.name(), dialog.options());
    else
        m_workspace->cancelPendingStart(id);
}

void MainWindow::toggleRecording()
{
    if (m_workspace->isRecording()) {
        m_workspace->stopRecording();
        return;
    }
    m_recordAction->setChecked(false);
    recordTo(0);
}

void MainWindow::recordSelected()
{
    const quint16 id = m_connectionsPane->currentConnection();
    if (id != 0)
        recordTo(id);
}

void MainWindow::recordTo(quint16 onlyConnection)
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Record to"), defaultRecordingPath(),
                                                      tr("JSON Lines (*.jsonl);;All files (*)"));
    if (path.isEmpty())
        return;
    const auto raw =
        m_rawCaptureAction->isChecked() ? Workspace::RawCapture::On : Workspace::RawCapture::Off;
    if (!m_workspace->startRecording(path, raw, onlyConnection)) {
        QMessageBox::warning(
            this, tr("Record"),
            tr("Cannot record to %1: %2").arg(path, m_workspace->recordingError()));
    }
}

void MainWindow::exportEvents()
{
    const EventLogModel *log = m_workspace->logModel();
    ExportEventsDialog dialog(log->totalCount(), log->visibleCount(),
                              m_eventLogPane->selectedCount(), this);
    dialog.setMarkedCount(log->annotations().markedCount());
    QStringList knownPaths;
    for (const SeriesKey &key : m_workspace->seriesCatalog()->discoveredSeries()) {
        if (!key.path.isEmpty() && !key.isSplit())
            knownPaths.append(QString::fromUtf8(key.path));
    }
    knownPaths.removeDuplicates();
    dialog.setKnownPaths(knownPaths);
    if (dialog.exec() != QDialog::Accepted)
        return;
    QString suggested = defaultRecordingPath();
    suggested.replace(QStringLiteral(".jsonl"), dialog.suffix());
    const QString path =
        QFileDialog::getSaveFileName(this, tr("Export to"), suggested, dialog.fileFilter());
    if (path.isEmpty())
        return;
    QList<qint64> sequences;
    switch (dialog.scope()) {
    case ExportEventsDialog::Scope::All:
        sequences = ExportJob::allSequences(log->store());
        break;
    case ExportEventsDialog::Scope::Filtered:
        sequences = ExportJob::visibleSequences(*log);
        break;
    case ExportEventsDialog::Scope::Selected:
        sequences = m_eventLogPane->selectedSequences();
        break;
    case ExportEventsDialog::Scope::Marked:
        sequences = ExportJob::markedSequences(*log);
        break;
    }
    const auto rules = dialog.ruleColumn() ? Workspace::RuleColumn::With
                                           : Workspace::RuleColumn::Without;
    if (!m_workspace->exportEvents(dialog.format(), path, sequences, dialog.jsonPaths(), rules))
        QMessageBox::information(this, tr("Export"), tr("An export is already running."));
}

void MainWindow::openRecording()
{
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open Recording"), QString(),
        tr("Recordings (*.jsonl *.ndjson *.txt *.sse);;All files (*)"));
    if (!path.isEmpty())
        m_workspace->openRecording(path);
}

void MainWindow::replayRecording()
{
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Replay Recording"), QString(),
        tr("Recordings (*.jsonl *.ndjson *.txt *.sse);;All files (*)"));
    if (path.isEmpty())
        return;
    const QStringList speeds = {tr("Original timing (1×)"), tr("2×"), tr("10×"),
                                tr("As fast as possible")};
    bool ok = false;
    const QString choice =
        QInputDialog::getItem(this, tr("Replay speed"), tr("Speed:"), speeds, 0, false, &ok);
    if (!ok)
        return;
    const double speed = choice == speeds.at(1) ? 2.0
        : choice == speeds.at(2)                ? 10.0
        : choice == speeds.at(3)                ? Replayer::AsFastAsPossible
                                                : 1.0;
    m_workspace->replayRecording(path, speed);
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

void MainWindow::exportConnections()
{
    ExportConnectionsDialog dialog(this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export Connections"),
        documentsDirectory() + QStringLiteral("/sse-monitor-connections.json"),
        tr("JSON profiles (*.json);;All files (*)"));
    if (path.isEmpty())
        return;
    QString error;
    if (m_workspace->exportConnections(path, dialog.secretHandling(), &error))
        m_statusBar->showMessage(tr("Connections exported to %1").arg(path), 10000);
    else
        QMessageBox::warning(this, tr("Export Connections"), error);
}

void MainWindow::importConnections()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Import Connections"), QString(),
                                                      tr("JSON profiles (*.json);;All files (*)"));
    if (path.isEmpty())
        return;
    const SavedConnections::Import result = m_workspace->importConnections(path);
    if (!result.error.isEmpty()) {
        QMessageBox::warning(this, tr("Import Connections"), result.error);
        return;
    }
    QString text = tr("%1: %2 connections added (not started), %3 renamed, %4 skipped.")
                       .arg(QFileInfo(path).fileName())
                       .arg(result.added.size())
                       .arg(result.renamed)
                       .arg(result.skipped);
    if (result.problems.isEmpty()) {
        m_statusBar->showMessage(text, 15000);
        return;
    }
    text += QLatin1Char('\n') + tr("Not imported:") + QLatin1Char('\n')
        + result.problems.join(QLatin1Char('\n'));
    QMessageBox::warning(this, tr("Import Connections"), text);
}

void MainWindow::setPlainTextSecrets(bool enabled)
{
    if (enabled) {
        const auto answer = QMessageBox::warning(
            this, tr("Store Secrets in Plain Text"),
            tr("When no system keychain is available, secret header values (tokens, "
               "passwords, cookies) will be written unencrypted to %1. Anyone who can read "
               "that file can use them.\n\nStore them in plain text?")
                .arg(QSettings().fileName()),
            QMessageBox::Yes | QMessageBox::No, QMessageBox::No);
        if (answer != QMessageBox::Yes) {
            m_plainSecretsAction->setChecked(false);
            return;
        }
    }
    m_workspace->setPlainTextSecrets(enabled);
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

void MainWindow::openMockServer()
{
    // One dialog, kept (with its server) until the window closes.
    auto *dialog = findChild<MockServerDialog *>();
    if (!dialog)
        dialog = new MockServerDialog(this);
    dialog->show();
    dialog->raise();
    dialog->activateWindow();
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
    settings.setValue(QStringLiteral("record/raw"), m_rawCaptureAction->isChecked());
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
    m_rawCaptureAction->setChecked(settings.value(QStringLiteral("record/raw"), false).toBool());
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
