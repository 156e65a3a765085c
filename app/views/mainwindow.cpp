#include "views/mainwindow.h"

#include "charts/chartpanel.h"
#include "charts/seriescatalog.h"
#include "models/eventlogmodel.h"
#include "models/eventstore.h"
#include "models/secretstore.h"
#include "models/typelistmodel.h"
#include "recording/exportjob.h"
#include "recording/logimporter.h"
#include "recording/recorder.h"
#include "recording/recorderoptions.h"
#include "recording/replayer.h"
#include "views/connectiondialog.h"
#include "views/diagnosticsview.h"
#include "views/eventdetailview.h"
#include "views/uilanguage.h"

#include "sselib/demoserver.h"
#include "sselib/diagnostics.h"
#include "sselib/profile.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QCloseEvent>
#include <QComboBox>
#include <QDateTime>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QProgressBar>
#include <QSaveFile>
#include <QUuid>
#include <QStandardPaths>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QFontDatabase>
#include <QSettings>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QToolBar>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace {

QString formatTime(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms).toString(QStringLiteral("HH:mm:ss.zzz"));
}

// The secret header names of \a headers, for the "secretHeaders" list of a saved profile.
QJsonArray secretNames(const QList<QPair<QByteArray, QByteArray>> &headers)
{
    QJsonArray names;
    for (const auto &header : headers) {
        if (Sse::isSecretHeader(header.first))
            names.append(QString::fromUtf8(header.first));
    }
    return names;
}

QList<QByteArray> secretNames(const QJsonObject &object)
{
    QList<QByteArray> names;
    for (const QJsonValue &value : object.value(QLatin1String("secretHeaders")).toArray()) {
        const QByteArray name = value.toString().toUtf8();
        if (!name.isEmpty() && !names.contains(name))
            names.append(name);
    }
    return names;
}

// The options without secret headers: what decides whether two connections are the same.
Sse::ClientOptions withoutSecrets(Sse::ClientOptions options)
{
    options.headers.removeIf([](const QPair<QByteArray, QByteArray> &header) {
        return Sse::isSecretHeader(header.first);
    });
    return options;
}

QString formatInterval(qint64 sum, qint64 count)
{
    return count > 0 ? QStringLiteral("%1 ms").arg(double(sum) / double(count), 0, 'f', 1)
                     : QStringLiteral("–");
}

} // namespace

MainWindow::MainWindow(QWidget *parent) : QMainWindow(parent)
{
    setWindowTitle(tr("SSE Monitor"));
    setObjectName(QStringLiteral("MainWindow"));
    m_log = new EventLogModel(this);
    m_connections.setIdInUse([this](quint16 id) { return m_log->store().connectionEventCount(id) > 0; });
    m_recorder = new Recorder(this);
    m_types = new TypeListModel(this);
    m_catalog = new SeriesCatalog(this);
    m_secrets = new SecretStore({}, this);
    connect(m_secrets, &SecretStore::saveFinished, this,
            [this](const QString &secretsId, SecretStore::Location location, const QString &error) {
                if (location == SecretStore::Location::Keychain)
                    return;
                const ConnectionEntry *entry = m_connections.entry(m_secretIds.key(secretsId));
                const QString name = entry ? entry->name : QString();
                statusBar()->showMessage(
                    location == SecretStore::Location::SettingsFile
                        ? tr("The secret headers of %1 were written to the settings file in plain "
                             "text: %2")
                              .arg(name, error)
                        : tr("The secret headers of %1 were not saved (%2); they will be asked "
                             "for next time. Connection > Store Secrets in Plain Text allows "
                             "keeping them in the settings file.")
                              .arg(name, error),
                    20000);
            });

    createActions();
    createWidgets();
    createMenus();

    connect(&m_connections, &ConnectionManager::eventsReceived, this, &MainWindow::onEvents);
    connect(&m_connections, &ConnectionManager::connectionAdded, this,
            &MainWindow::onConnectionAdded);
    connect(&m_connections, &ConnectionManager::connectionRemoved, this,
            &MainWindow::onConnectionRemoved);
    connect(&m_connections, &ConnectionManager::connectionRenamed, this,
            [this](quint16 id, const QString &name) {
                m_log->setConnectionName(id, name);
                m_chart->setConnectionName(id, name);
                const int index = m_connectionFilter->findData(int(id));
                if (index >= 0)
                    m_connectionFilter->setItemText(index, name);
            });
    connect(&m_connections, &ConnectionManager::stateChanged, this, &MainWindow::recordState);
    connect(&m_connections, &ConnectionManager::rawBytesReceived, this,
            [this](quint16 id, const QByteArray &bytes) {
                if (m_recordedConnections.isEmpty() || m_recordedConnections.contains(id))
                    m_recorder->recordRaw(id, bytes);
            });
    connect(m_recorder, &Recorder::statusChanged, this, &MainWindow::updateRecordingIndicator);
    connect(m_recorder, &Recorder::stopped, this, &MainWindow::updateRecordingIndicator);
    connect(m_recorder, &Recorder::errorOccurred, this, [this](const QString &message) {
        // Monitoring goes on; what was written stays on disk.
        m_recordingError = message;
        updateRecordingIndicator();
        statusBar()->showMessage(tr("Recording stopped: %1").arg(message), 15000);
    });
    connect(&m_connections, &ConnectionManager::stateChanged, this, [this](quint16 id) {
        if (id == currentConnection()) {
            updateActions();
            updateResponse();
        }
        updateStatusBar();
    });
    connect(&m_connections, &ConnectionManager::logAppended, this, [this](quint16 id) {
        if (id == currentConnection())
            updateConnectionLog();
    });

    connect(m_log, &EventLogModel::countsChanged, this, [this] {
        m_types->refresh(m_log->store());
        updateCounts();
    });
    connect(m_log, &EventLogModel::rescanProgress, this, [this](int percent) {
        m_countLabel->setText(tr("Filtering… %1%").arg(percent));
    });
    connect(m_log, &EventLogModel::rescanFinished, this, &MainWindow::updateCounts);
    connect(m_log, &EventLogModel::pausedChanged, this, [this](bool paused) {
        m_pauseAction->setChecked(paused);
        updateCounts();
    });
    connect(m_types, &TypeListModel::hiddenTypesChanged, this, &MainWindow::applyFilter);

    m_searchDebounce.setSingleShot(true);
    m_searchDebounce.setInterval(200);
    connect(&m_searchDebounce, &QTimer::timeout, this, &MainWindow::applyFilter);

    // Follow-tail scrolls on a timer, never per batch.
    m_tailTimer.setInterval(100);
    connect(&m_tailTimer, &QTimer::timeout, this, [this] {
        if (m_followAction->isChecked() && !m_log->isPaused())
            m_eventView->scrollToBottom();
    });
    m_tailTimer.start();

    m_uiTimer.setInterval(500);
    connect(&m_uiTimer, &QTimer::timeout, this, [this] {
        updateStatusBar();
        if (m_bottomTabs->currentWidget() == m_statistics)
            updateStatistics();
    });
    m_uiTimer.start();

    updateActions();
    updateCounts();
    resize(1280, 820);
}

MainWindow::~MainWindow()
{
    // Stop the event flow before the models go away.
    m_connections.disconnect(this);
}

void MainWindow::createActions()
{
    auto make = [this](const QString &text, const QKeySequence &shortcut, const QString &tip,
                       auto slot) {
        auto *action = new QAction(text, this);
        if (!shortcut.isEmpty())
            action->setShortcut(shortcut);
        action->setToolTip(tip);
        action->setStatusTip(tip);
        connect(action, &QAction::triggered, this, slot);
        return action;
    };
    m_newAction = make(tr("&New Connection…"), QKeySequence::New,
                       tr("Connect to a new SSE URL"), &MainWindow::newConnection);
    m_openAction = make(tr("&Open Recording…"), QKeySequence::Open,
                        tr("Open a JSON Lines recording or a raw SSE capture"),
                        &MainWindow::openRecording);
    m_exportAction = make(tr("&Export Events…"), QKeySequence(tr("Ctrl+E")),
                          tr("Export all, filtered or selected events"),
                          &MainWindow::exportEvents);
    m_recordAction = make(tr("&Record"), QKeySequence(tr("Ctrl+R")),
                          tr("Record every event and state change to a file"),
                          &MainWindow::toggleRecording);
    m_recordAction->setCheckable(true);
    m_recordSelectedAction = make(tr("Record &Selected Connection…"), QKeySequence(),
                                  tr("Record only the selected connection"),
                                  &MainWindow::recordSelected);
    m_rawCaptureAction = make(tr("Also Record &Raw Bytes"), QKeySequence(),
                              tr("Write the raw stream bytes beside the recording "
                                 "(FILE.raw.sse), for byte-exact replay"),
                              [](bool) {});
    m_rawCaptureAction->setCheckable(true);
    m_replayAction = make(tr("Re&play Recording…"), QKeySequence(tr("Ctrl+Shift+P")),
                          tr("Replay a recording into the window at its original timing or faster"),
                          &MainWindow::replayRecording);
    m_quitAction = make(tr("&Quit"), QKeySequence::Quit, tr("Quit SSE Monitor"),
                        &QWidget::close);
    m_demoAction = make(tr("Connect to the &Demo Stream"), QKeySequence(),
                        tr("Start the built-in demo server and connect to it"),
                        [this] { openDemo(); });
    m_editAction = make(tr("&Edit…"), QKeySequence(tr("Ctrl+Shift+E")),
                        tr("Edit the selected connection"), &MainWindow::editConnection);
    m_duplicateAction = make(tr("D&uplicate"), QKeySequence(tr("Ctrl+D")),
                             tr("Duplicate the selected connection"),
                             &MainWindow::duplicateConnection);
    m_connectAction = make(tr("&Connect"), QKeySequence(tr("Ctrl+Return")),
                           tr("Open the selected connection"),
                           [this] {
                               // A connection without its secrets asks for them first.
                               const quint16 id = currentConnection();
                               const ConnectionEntry *entry = m_connections.entry(id);
                               if (entry && !entry->missingSecrets.isEmpty()) {
                                   m_startWhenComplete.insert(id);
                                   editConnection();
                                   return;
                               }
                               m_connections.open(id);
                           });
    m_disconnectAction = make(tr("Dis&connect"), QKeySequence(tr("Ctrl+Shift+Return")),
                              tr("Close the selected connection"),
                              [this] { m_connections.close(currentConnection()); });
    m_reconnectAction = make(tr("&Reconnect Now"), QKeySequence(Qt::Key_F5),
                             tr("Skip the wait and reconnect the selected connection"),
                             [this] { m_connections.reconnectNow(currentConnection()); });
    m_checkAction = make(tr("C&heck Stream"), QKeySequence(tr("Ctrl+K")),
                         tr("Observe the selected stream for 10 s and report protocol problems"),
                         [this] { runDiagnostics(); });
    m_removeAction = make(tr("Re&move"), QKeySequence(tr("Ctrl+Del")),
                          tr("Remove the selected connection"), &MainWindow::removeConnection);
    m_pauseAction = make(tr("&Pause Display"), QKeySequence(Qt::Key_Space),
                         tr("Freeze the log while events keep arriving and being counted"),
                         [this](bool checked) { m_log->setPaused(checked); });
    m_pauseAction->setCheckable(true);
    m_followAction = make(tr("&Follow Tail"), QKeySequence(Qt::Key_End),
                          tr("Keep the newest event in view"), [this](bool checked) {
                              if (checked)
                                  m_eventView->scrollToBottom();
                          });
    m_followAction->setCheckable(true);
    m_followAction->setChecked(true);
    m_clearAction = make(tr("C&lear Log"), QKeySequence(tr("Ctrl+L")),
                         tr("Remove every event from the log"), [this] {
                             m_log->clear();
                             m_catalog->clear();
                             m_detail->clear();
                         });
    m_capacityAction = make(tr("Log &Capacity…"), QKeySequence(),
                            tr("How many events the log keeps before evicting the oldest"), [this] {
                                bool ok = false;
                                const int capacity = QInputDialog::getInt(
                                    this, tr("Log Capacity"),
                                    tr("Events kept in the log (oldest are evicted):"),
                                    int(m_log->capacity()), 1000, 50000000, 100000, &ok);
                                if (ok)
                                    m_log->setCapacity(capacity);
                            });
    m_byteBudgetAction = make(
        tr("Log &Memory Budget…"), QKeySequence(),
        tr("How many megabytes of events the log keeps before evicting the oldest"), [this] {
            bool ok = false;
            const int mebibytes = QInputDialog::getInt(
                this, tr("Log Memory Budget"), tr("MiB of events kept in the log (oldest are evicted):"),
                int(m_log->byteBudget() >> 20), 16, 1024 * 1024, 64, &ok);
            if (ok)
                m_log->setByteBudget(qsizetype(mebibytes) << 20);
        });
    m_findAction = make(tr("&Find…"), QKeySequence::Find, tr("Search the event log"), [this] {
        m_search->setFocus();
        m_search->selectAll();
    });
    m_copyAction = make(tr("&Copy Data"), QKeySequence::Copy,
                        tr("Copy the data of the selected events"), [this] {
                            QStringList parts;
                            const QModelIndexList rows =
                                m_eventView->selectionModel()->selectedRows();
                            for (const QModelIndex &row : rows) {
                                const qint64 seq = m_log->sequenceAt(row.row());
                                if (seq >= 0)
                                    parts.append(QString::fromUtf8(m_log->store().event(seq).data));
                            }
                            if (!parts.isEmpty())
                                QGuiApplication::clipboard()->setText(
                                    parts.join(QLatin1Char('\n')));
                        });
    m_copyAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_exportConnectionsAction = make(
        tr("E&xport Connections…"), QKeySequence(),
        tr("Save the connections as a JSON profiles file (also read by sse-monitor-cli)"),
        &MainWindow::exportConnectionsInteractively);
    m_importConnectionsAction = make(tr("&Import Connections…"), QKeySequence(),
                                     tr("Add the connections of a JSON profiles file"),
                                     &MainWindow::importConnectionsInteractively);
    m_plainSecretsAction =
        make(tr("Store Secrets in &Plain Text If No Keychain…"), QKeySequence(),
             tr("Without a system keychain, keep secret header values unencrypted in the "
                "settings file"),
             &MainWindow::setPlainTextSecrets);
    m_plainSecretsAction->setCheckable(true);
    m_plainSecretsAction->setChecked(m_secrets->plainTextFallback());
    m_aboutAction = make(tr("&About SSE Monitor"), QKeySequence(), tr("Version and credits"),
                         &MainWindow::showAbout);
}

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(m_newAction);
    file->addAction(m_demoAction);
    file->addAction(m_openAction);
    file->addAction(m_replayAction);
    file->addSeparator();
    file->addAction(m_recordAction);
    file->addAction(m_recordSelectedAction);
    file->addAction(m_rawCaptureAction);
    file->addAction(m_exportAction);
    file->addSeparator();
    file->addAction(m_importConnectionsAction);
    file->addAction(m_exportConnectionsAction);
    file->addSeparator();
    file->addAction(m_quitAction);

    QMenu *edit = menuBar()->addMenu(tr("&Edit"));
    edit->addAction(m_copyAction);
    edit->addAction(m_findAction);
    edit->addSeparator();
    edit->addAction(m_clearAction);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    view->addAction(m_pauseAction);
    view->addAction(m_followAction);
    view->addSeparator();
    view->addAction(m_capacityAction);
    view->addAction(m_byteBudgetAction);
    view->addSeparator();
    // Keyboard access to each pane (the search field has Ctrl+F).
    const struct
    {
        QString text;
        QKeySequence shortcut;
        QWidget *pane;
    } panes[] = {
        {tr("Go to &Connections"), QKeySequence(tr("Alt+1")), m_connectionView},
        {tr("Go to Event &Types"), QKeySequence(tr("Alt+2")), m_typeView},
        {tr("Go to Event &Log"), QKeySequence(tr("Alt+3")), m_eventView},
        {tr("Go to &Details"), QKeySequence(tr("Alt+4")), m_bottomTabs},
    };
    for (const auto &pane : panes) {
        QAction *action = view->addAction(pane.text);
        action->setShortcut(pane.shortcut);
        QWidget *target = pane.pane;
        connect(action, &QAction::triggered, this, [this, target] {
            focusPane(target == m_bottomTabs ? m_bottomTabs->currentWidget() : target);
        });
    }
    view->addSeparator();
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

    QMenu *connection = menuBar()->addMenu(tr("&Connection"));
    connection->addAction(m_newAction);
    connection->addAction(m_editAction);
    connection->addAction(m_duplicateAction);
    connection->addSeparator();
    connection->addAction(m_connectAction);
    connection->addAction(m_disconnectAction);
    connection->addAction(m_reconnectAction);
    connection->addAction(m_checkAction);
    connection->addSeparator();
    connection->addAction(m_removeAction);
    connection->addSeparator();
    connection->addAction(m_plainSecretsAction);

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(m_aboutAction);

    QToolBar *toolBar = addToolBar(tr("Main"));
    toolBar->setObjectName(QStringLiteral("MainToolBar"));
    toolBar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    toolBar->addAction(m_newAction);
    toolBar->addAction(m_connectAction);
    toolBar->addAction(m_disconnectAction);
    toolBar->addAction(m_reconnectAction);
    toolBar->addSeparator();
    toolBar->addAction(m_recordAction);
    toolBar->addAction(m_exportAction);
    toolBar->addSeparator();
    toolBar->addAction(m_pauseAction);
    toolBar->addAction(m_followAction);
    toolBar->addAction(m_clearAction);
}

void MainWindow::createWidgets()
{
    // Left: connections above event types.
    m_connectionView = new QTableView;
    m_connectionView->setObjectName(QStringLiteral("connectionView"));
    m_connectionView->setAccessibleName(tr("Connections"));
    m_connectionView->setAccessibleDescription(
        tr("Ctrl+Shift+E or a double-click edits the selected connection; the other "
           "commands are in the Connection menu"));
    m_connectionView->setModel(m_connections.model());
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
                                  m_disconnectAction, m_reconnectAction, m_removeAction});
    m_connectionView->setColumnWidth(ConnectionListModel::NameColumn, 105);
    m_connectionView->setColumnWidth(ConnectionListModel::StateColumn, 235);
    m_connectionView->setColumnWidth(ConnectionListModel::EventsColumn, 70);
    m_connectionView->setColumnWidth(ConnectionListModel::RateColumn, 60);
    m_connectionView->setColumnWidth(ConnectionListModel::BytesColumn, 80);
    m_connectionView->setColumnWidth(ConnectionListModel::LastIdColumn, 70);
    connect(m_connectionView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this] {
                updateActions();
                updateStatusBar();
                updateConnectionLog();
                updateStatistics();
                updateResponse();
            });
    connect(m_connectionView, &QAbstractItemView::doubleClicked, this, [this] {
        const ConnectionEntry *entry = m_connections.entry(currentConnection());
        if (entry && entry->state == Sse::Client::State::Failed)
            m_bottomTabs->setCurrentWidget(m_response);
        else
            editConnection();
    });

    auto *connectionsLabel = new QLabel(tr("<b>Connections</b>"));
    auto *connectionsBox = new QWidget;
    auto *connectionsLayout = new QVBoxLayout(connectionsBox);
    connectionsLayout->setContentsMargins(0, 0, 0, 0);
    connectionsLayout->addWidget(connectionsLabel);
    connectionsLayout->addWidget(m_connectionView);

    m_typeView = new QListView;
    m_typeView->setObjectName(QStringLiteral("typeView"));
    m_typeView->setAccessibleName(tr("Event types"));
    m_typeView->setAccessibleDescription(tr("Space ticks or unticks the selected type"));
    m_typeView->setModel(m_types);
    m_typeView->setUniformItemSizes(true);
    m_typeView->setToolTip(tr("Untick a type to hide its events"));
    auto *typesBox = new QWidget;
    auto *typesLayout = new QVBoxLayout(typesBox);
    typesLayout->setContentsMargins(0, 0, 0, 0);
    typesLayout->addWidget(new QLabel(tr("<b>Event types</b>")));
    typesLayout->addWidget(m_typeView);

    m_leftSplitter = new QSplitter(Qt::Vertical);
    m_leftSplitter->setObjectName(QStringLiteral("leftSplitter"));
    m_leftSplitter->addWidget(connectionsBox);
    m_leftSplitter->addWidget(typesBox);
    m_leftSplitter->setStretchFactor(0, 3);
    m_leftSplitter->setStretchFactor(1, 2);

    // Center: filter bar and the event log.
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
    connect(m_regex, &QCheckBox::toggled, this, &MainWindow::applyFilter);
    m_caseSensitive = new QCheckBox(tr("&Aa"));
    m_caseSensitive->setToolTip(tr("Case sensitive search"));
    m_caseSensitive->setAccessibleName(tr("Case sensitive"));
    connect(m_caseSensitive, &QCheckBox::toggled, this, &MainWindow::applyFilter);
    m_connectionFilter = new QComboBox;
    m_connectionFilter->setAccessibleName(tr("Connection filter"));
    m_connectionFilter->addItem(tr("All connections"), -1);
    m_connectionFilter->setMinimumContentsLength(14);
    connect(m_connectionFilter, &QComboBox::currentIndexChanged, this, &MainWindow::applyFilter);
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

    auto *filterBar = new QHBoxLayout;
    filterBar->addWidget(m_search, 3);
    filterBar->addWidget(m_regex);
    filterBar->addWidget(m_caseSensitive);
    filterBar->addWidget(m_connectionFilter, 1);
    filterBar->addWidget(m_filterError);
    filterBar->addWidget(m_countLabel);
    filterBar->addWidget(m_pauseButton);

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
    m_eventView->verticalHeader()->setDefaultSectionSize(m_eventView->fontMetrics().height() + 6);
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
            &MainWindow::showCurrentEvent);
    // Scrolling up by hand stops following; reaching the bottom resumes it.
    connect(m_eventView->verticalScrollBar(), &QScrollBar::valueChanged, this, [this](int value) {
        auto *bar = m_eventView->verticalScrollBar();
        if (bar->isSliderDown())
            m_followAction->setChecked(value >= bar->maximum());
    });

    auto *logBox = new QWidget;
    auto *logLayout = new QVBoxLayout(logBox);
    logLayout->setContentsMargins(0, 0, 0, 0);
    logLayout->addLayout(filterBar);
    logLayout->addWidget(m_eventView);

    // Bottom tabs.
    m_detail = new EventDetailView;
    m_chart = new ChartPanel(m_catalog);
    m_connectionLog = new QTreeWidget;
    m_connectionLog->setObjectName(QStringLiteral("connectionLog"));
    m_connectionLog->setAccessibleName(tr("Connection log"));
    m_connectionLog->setRootIsDecorated(false);
    m_connectionLog->setUniformRowHeights(true);
    m_connectionLog->setHeaderLabels(
        {tr("Time"), tr("State"), tr("Detail"), tr("Status"), tr("Retry"), tr("Last-Event-ID")});
    m_connectionLog->setColumnWidth(0, 110);
    m_connectionLog->setColumnWidth(1, 110);
    m_connectionLog->setColumnWidth(2, 420);
    m_statistics = new QTreeWidget;
    m_statistics->setObjectName(QStringLiteral("statistics"));
    m_statistics->setAccessibleName(tr("Statistics"));
    m_statistics->setHeaderLabels({tr("Type"), tr("Events"), tr("Rate /s"), tr("Bytes"),
                                   tr("Mean gap"), tr("Max gap"), tr("Last")});
    m_statistics->setRootIsDecorated(false);
    m_statistics->setColumnWidth(0, 180);
    m_response = new QPlainTextEdit;
    m_response->setObjectName(QStringLiteral("response"));
    m_response->setReadOnly(true);
    m_response->setAccessibleName(tr("Response"));
    m_response->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));

    m_bottomTabs = new QTabWidget;
    m_bottomTabs->setObjectName(QStringLiteral("bottomTabs"));
    m_bottomTabs->setAccessibleName(tr("Details"));
    m_bottomTabs->addTab(m_detail, tr("Detail"));
    m_bottomTabs->addTab(m_chart, tr("Chart"));
    m_bottomTabs->addTab(m_connectionLog, tr("Connection Log"));
    m_bottomTabs->addTab(m_statistics, tr("Statistics"));
    m_bottomTabs->addTab(m_response, tr("Response"));
    m_diagnosticsView = new DiagnosticsView;
    m_diagnosticsView->setObjectName(QStringLiteral("diagnostics"));
    m_bottomTabs->addTab(m_diagnosticsView, tr("Diagnostics"));
    // A check is a separate run: its own client in the GUI thread, only while it runs.
    m_diagnostics = new Sse::StreamDiagnostics(this);
    connect(m_diagnosticsView, &DiagnosticsView::runRequested, this, [this] { runDiagnostics(); });
    connect(m_diagnostics, &Sse::StreamDiagnostics::finished, this, [this] {
        m_diagnosticsView->setRunning(false);
        m_diagnosticsView->setReport(m_diagnostics->report());
    });
    connect(m_bottomTabs, &QTabWidget::currentChanged, this, [this] { updateStatistics(); });

    m_centerSplitter = new QSplitter(Qt::Vertical);
    m_centerSplitter->setObjectName(QStringLiteral("centerSplitter"));
    m_centerSplitter->addWidget(logBox);
    m_centerSplitter->addWidget(m_bottomTabs);
    m_centerSplitter->setStretchFactor(0, 3);
    m_centerSplitter->setStretchFactor(1, 2);
    m_centerSplitter->setSizes({440, 330});

    // Welcome page while there is no connection.
    auto *welcome = new QWidget;
    auto *welcomeLayout = new QVBoxLayout(welcome);
    welcomeLayout->addStretch();
    auto *welcomeText = new QLabel(
        tr("<h2>SSE Monitor</h2><p>Watch, filter, chart and record Server-Sent Events.</p>"
           "<p>Connect to any <tt>text/event-stream</tt> URL, or try the built-in demo "
           "stream first.</p>"));
    welcomeText->setAlignment(Qt::AlignCenter);
    welcomeText->setTextFormat(Qt::RichText);
    welcomeLayout->addWidget(welcomeText);
    auto *welcomeButtons = new QHBoxLayout;
    auto *demoButton = new QPushButton(tr("Open the &demo stream"));
    demoButton->setObjectName(QStringLiteral("demoButton"));
    connect(demoButton, &QPushButton::clicked, this, [this] { openDemo(); });
    auto *newButton = new QPushButton(tr("&New connection…"));
    connect(newButton, &QPushButton::clicked, this, &MainWindow::newConnection);
    welcomeButtons->addStretch();
    welcomeButtons->addWidget(demoButton);
    welcomeButtons->addWidget(newButton);
    welcomeButtons->addStretch();
    welcomeLayout->addLayout(welcomeButtons);
    welcomeLayout->addStretch();

    m_centerStack = new QStackedWidget;
    m_centerStack->addWidget(welcome);
    m_centerStack->addWidget(m_centerSplitter);

    m_mainSplitter = new QSplitter(Qt::Horizontal);
    m_mainSplitter->setObjectName(QStringLiteral("mainSplitter"));
    m_mainSplitter->addWidget(m_leftSplitter);
    m_mainSplitter->addWidget(m_centerStack);
    m_mainSplitter->setStretchFactor(0, 2);
    m_mainSplitter->setStretchFactor(1, 5);
    m_mainSplitter->setSizes({440, 840});
    setCentralWidget(m_mainSplitter);

    m_statusState = new QLabel;
    m_statusEvents = new QLabel;
    m_statusRecording = new QLabel;
    m_statusRecording->setObjectName(QStringLiteral("recordingIndicator"));
    // These show server texts (reason phrases) and file names: never as rich text.
    for (QLabel *label : {m_statusState, m_statusEvents, m_statusRecording})
        label->setTextFormat(Qt::PlainText);
    statusBar()->addWidget(m_statusState, 1);
    statusBar()->addPermanentWidget(m_statusRecording);
    statusBar()->addPermanentWidget(m_statusEvents);
}

quint16 MainWindow::addConnection(const QString &name, const Sse::ClientOptions &options)
{
    const quint16 id = m_connections.add(name, options);
    selectConnection(id);
    return id;
}

quint16 MainWindow::openDemo()
{
    if (!m_demo) {
        m_demo = std::make_unique<Sse::DemoServer>();
        if (!m_demo->listen()) {
            QMessageBox::warning(this, tr("Demo stream"),
                                 tr("The demo server could not start: %1")
                                     .arg(m_demo->errorString()));
            m_demo.reset();
            return 0;
        }
    }
    // Reuse an existing demo connection (its port changes between runs).
    for (const ConnectionEntry &entry : m_connections.model()->entries()) {
        if (entry.name == tr("Demo stream")) {
            Sse::ClientOptions options = entry.options;
            options.url = m_demo->streamUrl();
            m_connections.update(entry.id, entry.name, options);
            m_connections.open(entry.id);
            selectConnection(entry.id);
            return entry.id;
        }
    }
    Sse::ClientOptions options;
    options.url = m_demo->streamUrl();
    return addConnection(tr("Demo stream"), options);
}

quint16 MainWindow::currentConnection() const
{
    const QModelIndex index = m_connectionView->currentIndex();
    return index.isValid() ? m_connections.model()->idAt(index.row()) : quint16(0);
}

void MainWindow::selectConnection(quint16 id)
{
    const int row = m_connections.model()->rowOf(id);
    if (row >= 0)
        m_connectionView->selectRow(row);
}

void MainWindow::onConnectionAdded(quint16 id)
{
    const ConnectionEntry *entry = m_connections.entry(id);
    if (!entry)
        return;
    m_log->setConnectionName(id, entry->name);
    m_chart->setConnectionName(id, entry->name);
    m_connectionFilter->addItem(entry->name, int(id));
    m_centerStack->setCurrentIndex(1);
    updateActions();
}

void MainWindow::onConnectionRemoved(quint16 id)
{
    // Its keychain entry goes with the next save of the connections.
    m_secretIds.remove(id);
    m_startWhenComplete.remove(id);
    const int index = m_connectionFilter->findData(int(id));
    if (index > 0) {
        if (m_connectionFilter->currentIndex() == index)
            m_connectionFilter->setCurrentIndex(0);
        m_connectionFilter->removeItem(index);
    }
    if (m_connections.model()->rowCount() == 0)
        m_centerStack->setCurrentIndex(0);
    updateActions();
}

void MainWindow::onEvents(quint16 id, const Sse::EventList &events)
{
    m_log->ingest(id, events);
    m_catalog->ingest(id, events);
    if (m_recorder->isRecording()
        && (m_recordedConnections.isEmpty() || m_recordedConnections.contains(id))) {
        m_recorder->recordEvents(id, events);
    }
}

void MainWindow::applyFilter()
{
    EventFilter filter;
    filter.setConnection(m_connectionFilter->currentData().toInt());
    filter.setHiddenTypes(m_types->hiddenTypes());
    filter.setMatchMode(m_regex->isChecked() ? EventFilter::MatchMode::RegularExpression
                                             : EventFilter::MatchMode::Substring);
    filter.setCaseSensitivity(m_caseSensitive->isChecked() ? Qt::CaseSensitive
                                                           : Qt::CaseInsensitive);
    filter.setText(m_search->text());
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

void MainWindow::updateCounts()
{
    if (m_log->isRescanning())
        return;
    const QLocale locale;
    QString text = tr("Showing %1 of %2").arg(locale.toString(qint64(m_log->acceptedCount())),
                                              locale.toString(qint64(m_log->totalCount())));
    if (m_log->evictedCount() > 0)
        text += tr(" · %1 evicted").arg(locale.toString(m_log->evictedCount()));
    if (m_log->isPaused())
        text += tr(" · %1 new").arg(locale.toString(qint64(m_log->pendingCount())));
    m_countLabel->setText(text);
    m_pauseButton->setText(m_log->isPaused() ? tr("Resume (%1 new)").arg(m_log->pendingCount())
                                             : tr("Pause"));
}

void MainWindow::updateActions()
{
    const ConnectionEntry *entry = m_connections.entry(currentConnection());
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
}

void MainWindow::updateStatusBar()
{
    const ConnectionEntry *entry = m_connections.entry(currentConnection());
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (entry) {
        QString text = entry->name + QStringLiteral(": ")
            + ConnectionListModel::stateText(*entry, now);
        if (entry->state == Sse::Client::State::Open || entry->state == Sse::Client::State::Reconnecting)
            text += tr(" · retry %1 ms").arg(entry->reconnectionTimeMs);
        if (entry->lastByteMs > 0)
            text += tr(" · last byte %1 s ago")
                        .arg(QString::number((now - entry->lastByteMs) / 1000.0, 'f', 1));
        m_statusState->setText(text);
    } else {
        m_statusState->setText(tr("No connection selected"));
    }
    qint64 events = 0;
    double rate = 0;
    int open = 0;
    for (const ConnectionEntry &e : m_connections.model()->entries()) {
        events += e.events;
        rate += e.rate;
        if (e.state == Sse::Client::State::Open)
            ++open;
    }
    m_statusEvents->setText(tr("%1 open · %Ln event(s) · %2/s", nullptr,
                               int(qMin<qint64>(events, INT_MAX)))
                                .arg(open)
                                .arg(QString::number(rate, 'f', rate >= 100 ? 0 : 1)));
}

void MainWindow::updateConnectionLog()
{
    const ConnectionEntry *entry = m_connections.entry(currentConnection());
    if (!entry) {
        m_connectionLog->clear();
        m_lastLogConnection = -1;
        return;
    }
    // Another connection, or more new entries than the capped log holds: fill from scratch.
    // Otherwise only the new entries become rows, and as many rows go at the top as the log
    // dropped: a connection that reconnects ten times a second costs a few rows per update,
    // not a rebuild of the whole (full) log.
    const qint64 fresh = entry->logAppended - m_lastLogAppended;
    if (m_lastLogConnection != entry->id || fresh < 0 || fresh > entry->log.size()) {
        m_connectionLog->clear();
        m_lastLogConnection = entry->id;
        m_lastLogAppended = entry->logAppended - entry->log.size();
    }
    QList<QTreeWidgetItem *> items;
    for (qsizetype i = entry->log.size() - (entry->logAppended - m_lastLogAppended);
         i < entry->log.size(); ++i) {
        const ConnectionLogEntry &log = entry->log.at(i);
        auto *item = new QTreeWidgetItem;
        item->setText(0, formatTime(log.timeMs));
        item->setText(1, log.gap ? tr("id gap") : ConnectionListModel::stateWord(log.state));
        item->setText(2, log.detail);
        // The detail may carry the server's text; a tool tip would render markup in it.
        item->setToolTip(2, QLatin1String("<div style=\"white-space: pre-wrap\">")
                                + log.detail.toHtmlEscaped() + QLatin1String("</div>"));
        if (log.httpStatus > 0)
            item->setText(3, QString::number(log.httpStatus));
        if (log.retryMs >= 0)
            item->setText(4, tr("%1 ms (attempt %2)").arg(log.retryMs).arg(log.attempt));
        item->setText(5, QString::fromUtf8(log.lastEventId));
        if (log.gap || log.state == Sse::Client::State::Failed)
            item->setForeground(2, QColor(0xd9, 0x35, 0x35));
        items.append(item);
    }
    const qsizetype excess =
        m_connectionLog->topLevelItemCount() + items.size() - entry->log.size();
    for (qsizetype i = 0; i < excess; ++i)
        delete m_connectionLog->takeTopLevelItem(0);
    m_connectionLog->addTopLevelItems(items);
    m_lastLogAppended = entry->logAppended;
    if (!items.isEmpty())
        m_connectionLog->scrollToBottom();
}

void MainWindow::updateStatistics()
{
    if (m_bottomTabs->currentWidget() != m_statistics)
        return;
    const ConnectionEntry *entry = m_connections.entry(currentConnection());
    m_statistics->clear();
    if (!entry)
        return;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    auto *total = new QTreeWidgetItem(m_statistics);
    total->setText(0, tr("All types"));
    total->setText(1, QLocale().toString(entry->events));
    total->setText(2, QString::number(entry->rate, 'f', 1));
    total->setText(3, formatBytes(entry->bytes));
    total->setText(4, formatInterval(entry->intervalSumMs, entry->intervals));
    total->setText(5, entry->intervals > 0 ? QStringLiteral("%1 ms").arg(entry->maxIntervalMs)
                                           : QStringLiteral("–"));
    total->setText(6, entry->lastByteMs > 0
                          ? tr("byte %1 s ago").arg(QString::number((now - entry->lastByteMs) / 1000.0, 'f', 1))
                          : QStringLiteral("–"));
    QFont bold = total->font(0);
    bold.setBold(true);
    for (int column = 0; column < 7; ++column)
        total->setFont(column, bold);
    for (auto it = entry->types.constBegin(); it != entry->types.constEnd(); ++it) {
        const TypeStatistics &stats = it.value();
        auto *item = new QTreeWidgetItem(m_statistics);
        item->setText(0, QString::fromUtf8(it.key()));
        item->setText(1, QLocale().toString(stats.count));
        item->setText(2, QString());
        item->setText(3, formatBytes(stats.bytes));
        item->setText(4, formatInterval(stats.intervalSumMs, stats.intervals));
        item->setText(5, stats.intervals > 0 ? QStringLiteral("%1 ms").arg(stats.maxIntervalMs)
                                             : QStringLiteral("–"));
        item->setText(6, stats.lastMs > 0 ? formatTime(stats.lastMs) : QStringLiteral("–"));
    }
    auto *reconnects = new QTreeWidgetItem(m_statistics);
    reconnects->setText(0, tr("Reconnects / id gaps"));
    reconnects->setText(1, QStringLiteral("%1 / %2").arg(entry->reconnects).arg(entry->idGaps));
}

void MainWindow::updateResponse()
{
    const ConnectionEntry *entry = m_connections.entry(currentConnection());
    if (!entry) {
        m_response->clear();
        return;
    }
    QString text;
    const bool failed = entry->state == Sse::Client::State::Failed;
    const int status = failed && entry->failure.httpStatus > 0 ? entry->failure.httpStatus
                                                               : entry->httpStatus;
    const auto &headers = failed && !entry->failure.responseHeaders.isEmpty()
        ? entry->failure.responseHeaders
        : entry->responseHeaders;
    text += tr("Request: %1 %2\n").arg(QString::fromLatin1(entry->options.method),
                                        entry->options.url.toString());
    if (failed)
        text += tr("Failed: %1\n").arg(entry->failure.message);
    if (status > 0) {
        text += QStringLiteral("\nHTTP %1 %2\n")
                    .arg(status)
                    .arg(QString::fromUtf8(entry->failure.reasonPhrase));
        for (const auto &header : headers)
            text += QString::fromUtf8(header.first) + QStringLiteral(": ")
                + QString::fromUtf8(header.second) + QLatin1Char('\n');
    } else {
        text += tr("\nNo response received yet.\n");
    }
    if (failed && !entry->failure.bodyPreview.isEmpty()) {
        text += tr("\nFirst %1 bytes of the body:\n").arg(entry->failure.bodyPreview.size());
        text += QString::fromUtf8(entry->failure.bodyPreview);
    }
    m_response->setPlainText(text);
}

void MainWindow::showCurrentEvent()
{
    const qint64 seq = m_log->sequenceAt(m_eventView->currentIndex().row());
    if (seq < 0) {
        m_detail->clear();
        return;
    }
    const EventStore &store = m_log->store();
    m_detail->setEvent(store.event(seq), m_log->connectionName(store.connection(seq)));
}

void MainWindow::newConnection()
{
    ConnectionDialog dialog(this);
    dialog.setWindowTitle(tr("New Connection"));
    if (dialog.exec() == QDialog::Accepted) {
        addConnection(dialog.name(), dialog.options());
        saveConnections(); // secrets reach the keychain now, not only at exit
    }
}

void MainWindow::editConnection()
{
    const ConnectionEntry *entry = m_connections.entry(currentConnection());
    if (!entry || entry->offline)
        return;
    const quint16 id = entry->id;
    const QList<QByteArray> missing = entry->missingSecrets;
    ConnectionDialog dialog(this);
    dialog.setWindowTitle(tr("Edit Connection"));
    dialog.setConnection(entry->name, entry->options);
    if (!missing.isEmpty()) {
        // Straight to the value the keychain could not give, once the dialog shows.
        const QString first = QString::fromUtf8(missing.first());
        QTimer::singleShot(0, &dialog, [&dialog, first] { dialog.focusHeaderValue(first); });
    }
    if (dialog.exec() != QDialog::Accepted) {
        m_startWhenComplete.remove(id);
        return;
    }
    const Sse::ClientOptions options = dialog.options();
    QList<QByteArray> stillMissing;
    for (const QByteArray &name : missing) {
        for (const auto &header : options.headers) {
            if (header.first.compare(name, Qt::CaseInsensitive) == 0 && header.second.isEmpty())
                stillMissing.append(name);
        }
    }
    m_connections.setMissingSecrets(id, stillMissing);
    m_connections.update(id, dialog.name(), options);
    if (!missing.isEmpty() && stillMissing.isEmpty() && m_startWhenComplete.remove(id))
        m_connections.open(id);
    updateActions();
    saveConnections();
}

void MainWindow::duplicateConnection()
{
    const ConnectionEntry *entry = m_connections.entry(currentConnection());
    if (!entry || entry->offline)
        return;
    if (!entry->missingSecrets.isEmpty()) {
        // The copy lacks the same secrets: it waits for them too.
        const QList<QByteArray> missing = entry->missingSecrets;
        const quint16 id = m_connections.add(tr("%1 (copy)").arg(entry->name), entry->options,
                                             ConnectionManager::Start::Later);
        m_connections.setMissingSecrets(id, missing);
        selectConnection(id);
    } else {
        addConnection(tr("%1 (copy)").arg(entry->name), entry->options);
    }
    saveConnections();
}

void MainWindow::removeConnection()
{
    const quint16 id = currentConnection();
    if (id != 0) {
        m_connections.remove(id);
        saveConnections();
    }
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

int MainWindow::restoreConnections()
{
    QSettings settings;
    const QJsonArray saved =
        QJsonDocument::fromJson(settings.value(QStringLiteral("connections")).toByteArray())
            .array();
    int restored = 0;
    for (const QJsonValue &value : saved) {
        const QJsonObject object = value.toObject();
        const Sse::Profile profile = Sse::profileFromJson(object);
        if (object.value(QLatin1String("demo")).toBool()) {
            openDemo();
            ++restored;
            continue;
        }
        if (!profile.options.url.isValid())
            continue;
        const bool wasOpen = object.value(QLatin1String("open")).toBool(true);
        // Secret values are not in the settings: the connection waits for the keychain.
        const QList<QByteArray> secrets = secretNames(object);
        const quint16 id = m_connections.add(profile.name, profile.options,
                                             wasOpen && secrets.isEmpty()
                                                 ? ConnectionManager::Start::Now
                                                 : ConnectionManager::Start::Later);
        if (!secrets.isEmpty())
            requestSecrets(id, object.value(QLatin1String("secretsId")).toString(), secrets,
                           wasOpen ? ConnectionManager::Start::Now
                                   : ConnectionManager::Start::Later);
        ++restored;
    }
    if (m_connections.model()->rowCount() > 0)
        m_connectionView->selectRow(0);
    return restored;
}

void MainWindow::saveSettings()
{
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    settings.setValue(QStringLiteral("window/mainSplitter"), m_mainSplitter->saveState());
    settings.setValue(QStringLiteral("window/leftSplitter"), m_leftSplitter->saveState());
    settings.setValue(QStringLiteral("window/centerSplitter"), m_centerSplitter->saveState());
    settings.setValue(QStringLiteral("window/eventColumns"),
                      m_eventView->horizontalHeader()->saveState());
    settings.setValue(QStringLiteral("window/bottomTab"), m_bottomTabs->currentIndex());
    settings.setValue(QStringLiteral("view/follow"), m_followAction->isChecked());
    settings.setValue(QStringLiteral("record/raw"), m_rawCaptureAction->isChecked());
    settings.setValue(QStringLiteral("view/capacity"), qint64(m_log->capacity()));
    settings.setValue(QStringLiteral("view/byteBudget"), qint64(m_log->byteBudget()));
    saveConnections();
}

void MainWindow::saveConnections()
{
    QSettings settings;
    QSet<QString> previousIds;
    const QJsonArray previous =
        QJsonDocument::fromJson(settings.value(QStringLiteral("connections")).toByteArray())
            .array();
    for (const QJsonValue &value : previous) {
        const QString secretsId = value.toObject().value(QLatin1String("secretsId")).toString();
        if (!secretsId.isEmpty())
            previousIds.insert(secretsId);
    }

    QJsonArray connections;
    QSet<QString> currentIds;
    for (const ConnectionEntry &entry : m_connections.model()->entries()) {
        if (entry.offline)
            continue;
        // Secret header values never go to the settings here: only their names, and the id of
        // their entry in the secret store.
        QJsonObject object =
            Sse::profileToJson({entry.name, entry.options}, Sse::SecretHandling::Exclude);
        if (entry.name == tr("Demo stream") && m_demo
            && entry.options.url.port() == m_demo->port()) {
            object.insert(QStringLiteral("demo"), true);
        }
        const bool active =
            entry.state != Sse::Client::State::Closed && entry.state != Sse::Client::State::Idle;
        object.insert(QStringLiteral("open"), active || m_startWhenComplete.contains(entry.id));
        const SecretStore::Headers secrets = SecretStore::secretHeaders(entry.options.headers);
        if (!secrets.isEmpty()) {
            QString &secretsId = m_secretIds[entry.id];
            if (secretsId.isEmpty())
                secretsId = QUuid::createUuid().toString(QUuid::WithoutBraces);
            object.insert(QStringLiteral("secretsId"), secretsId);
            object.insert(QStringLiteral("secretHeaders"), secretNames(entry.options.headers));
            currentIds.insert(secretsId);
            // Values still unknown are not written over what the keychain may hold.
            if (!entry.secretsPending && entry.missingSecrets.isEmpty())
                m_secrets->save(secretsId, secrets);
        }
        connections.append(object);
    }
    for (const QString &stale : std::as_const(previousIds)) {
        if (!currentIds.contains(stale))
            m_secrets->remove(stale);
    }
    settings.setValue(QStringLiteral("connections"),
                      QJsonDocument(connections).toJson(QJsonDocument::Compact));
}

void MainWindow::requestSecrets(quint16 id, const QString &secretsId,
                                const QList<QByteArray> &names, ConnectionManager::Start start)
{
    if (!secretsId.isEmpty())
        m_secretIds.insert(id, secretsId);
    // Start::Now: open it as soon as every secret is known.
    if (start == ConnectionManager::Start::Now)
        m_startWhenComplete.insert(id);
    m_connections.setSecretsPending(id);
    auto fill = [this, id, names](const SecretStore::LoadResult &result) {
        const ConnectionEntry *entry = m_connections.entry(id);
        if (!entry)
            return;
        const QString name = entry->name;
        Sse::ClientOptions options = entry->options;
        QList<QByteArray> missing;
        for (const QByteArray &header : names) {
            auto sameName = [&header](const QPair<QByteArray, QByteArray> &candidate) {
                return candidate.first.compare(header, Qt::CaseInsensitive) == 0;
            };
            if (std::any_of(options.headers.cbegin(), options.headers.cend(), sameName))
                continue; // the user entered it meanwhile
            const auto found =
                std::find_if(result.headers.cbegin(), result.headers.cend(), sameName);
            const QByteArray value = found != result.headers.cend() ? found->second : QByteArray();
            // An unknown value stays as an empty row, for the dialog to ask for it.
            options.headers.append({header, value});
            if (value.isEmpty())
                missing.append(header);
        }
        m_connections.setMissingSecrets(id, missing);
        m_connections.update(id, name, options);
        if (missing.isEmpty()) {
            if (m_startWhenComplete.remove(id))
                m_connections.open(id);
        } else {
            QStringList list;
            for (const QByteArray &header : std::as_const(missing))
                list.append(QString::fromUtf8(header));
            statusBar()->showMessage(
                tr("%1: no value for %2 (%3). Edit the connection to enter it.")
                    .arg(name, list.join(QStringLiteral(", ")),
                         result.errorString.isEmpty() ? tr("not saved") : result.errorString),
                20000);
        }
        updateActions();
    };
    if (secretsId.isEmpty())
        fill({}); // nothing was ever stored for it (e.g. an imported profile)
    else
        m_secrets->load(secretsId, this, fill);
}

bool MainWindow::exportConnections(const QString &path, Sse::SecretHandling secrets,
                                   QString *errorString)
{
    QJsonArray profiles;
    for (const ConnectionEntry &entry : m_connections.model()->entries()) {
        if (entry.offline)
            continue;
        Sse::ClientOptions options = entry.options;
        // Secrets that are not written (excluded, or unknown) are listed by name, so that
        // an import and sse-monitor-cli know what to ask for.
        QJsonArray omitted;
        options.headers.removeIf([&](const QPair<QByteArray, QByteArray> &header) {
            const bool omit = Sse::isSecretHeader(header.first)
                && (secrets == Sse::SecretHandling::Exclude || header.second.isEmpty());
            if (omit)
                omitted.append(QString::fromUtf8(header.first));
            return omit;
        });
        QJsonObject object = Sse::profileToJson({entry.name, options}, secrets);
        if (!omitted.isEmpty())
            object.insert(QStringLiteral("secretHeaders"), omitted);
        if (entry.name == tr("Demo stream") && m_demo
            && entry.options.url.port() == m_demo->port()) {
            object.insert(QStringLiteral("demo"), true);
        }
        profiles.append(object);
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        if (errorString)
            *errorString = tr("Cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    file.write(QJsonDocument(profiles).toJson(QJsonDocument::Indented));
    if (!file.commit()) {
        if (errorString)
            *errorString = tr("Cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

MainWindow::ConnectionImport MainWindow::importConnections(const QString &path)
{
    ConnectionImport result;
    const QString fileName = QFileInfo(path).fileName();
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        result.error = tr("Cannot import %1: %2").arg(fileName, file.errorString());
        return result;
    }
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        result.error = tr("Cannot import %1: not valid JSON (%2 at offset %3)")
                           .arg(fileName, parseError.errorString())
                           .arg(parseError.offset);
        return result;
    }
    if (!document.isArray()) {
        result.error = tr("Cannot import %1: the file is not a JSON array of connections")
                           .arg(fileName);
        return result;
    }
    const QJsonArray profiles = document.array();
    for (qsizetype i = 0; i < profiles.size(); ++i) {
        const QJsonObject object = profiles.at(i).toObject();
        if (object.isEmpty()) {
            result.problems.append(tr("entry %1 is not a connection object").arg(i + 1));
            continue;
        }
        if (object.value(QLatin1String("demo")).toBool()) {
            ++result.skipped; // File > Connect to the Demo Stream starts a fresh one
            continue;
        }
        Sse::Profile profile = Sse::profileFromJson(object);
        const QUrl &url = profile.options.url;
        if (!url.isValid() || url.host().isEmpty()
            || (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https"))) {
            result.problems.append(tr("entry %1 (%2) has no valid http or https URL")
                                       .arg(i + 1)
                                       .arg(profile.name));
            continue;
        }
        if (profile.name.isEmpty())
            profile.name = url.host();
        // The same connection again is skipped; another one with a taken name is renamed.
        const auto &entries = m_connections.model()->entries();
        auto named = [&entries](const QString &name) {
            return std::find_if(entries.cbegin(), entries.cend(),
                                [&name](const ConnectionEntry &e) {
                                    return !e.offline && e.name == name;
                                });
        };
        if (auto existing = named(profile.name); existing != entries.cend()) {
            if (withoutSecrets(existing->options) == withoutSecrets(profile.options)) {
                ++result.skipped;
                continue;
            }
            const QString base = profile.name;
            for (int n = 2; named(profile.name) != entries.cend(); ++n)
                profile.name = QStringLiteral("%1 (%2)").arg(base).arg(n);
            ++result.renamed;
        }
        const quint16 id =
            m_connections.add(profile.name, profile.options, ConnectionManager::Start::Later);
        const QList<QByteArray> secrets = secretNames(object);
        if (!secrets.isEmpty())
            requestSecrets(id, QString(), secrets, ConnectionManager::Start::Later);
        ++result.added;
    }
    if (result.added > 0) {
        saveConnections();
        if (currentConnection() == 0)
            m_connectionView->selectRow(0);
    }
    return result;
}

void MainWindow::exportConnectionsInteractively()
{
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Export Connections"));
    auto *layout = new QVBoxLayout(&dialog);
    layout->addWidget(new QLabel(tr("Writes every connection to a JSON file that SSE Monitor "
                                    "can import and sse-monitor-cli --profiles-file can use.")));
    auto *include = new QCheckBox(tr("&Include secret header values"));
    include->setObjectName(QStringLiteral("includeSecrets"));
    auto *warning = new QLabel(tr("The file will hold tokens, passwords and cookies in plain "
                                  "text. Keep it private."));
    warning->setStyleSheet(QStringLiteral("color: #d93535"));
    warning->setWordWrap(true);
    warning->hide();
    connect(include, &QCheckBox::toggled, warning, &QWidget::setVisible);
    layout->addWidget(include);
    layout->addWidget(warning);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    layout->addWidget(buttons);
    if (dialog.exec() != QDialog::Accepted)
        return;
    QString directory = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    if (directory.isEmpty())
        directory = QDir::homePath();
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export Connections"), directory + QStringLiteral("/sse-monitor-connections.json"),
        tr("JSON profiles (*.json);;All files (*)"));
    if (path.isEmpty())
        return;
    QString error;
    if (exportConnections(path, include->isChecked() ? Sse::SecretHandling::Include
                                                     : Sse::SecretHandling::Exclude,
                          &error)) {
        statusBar()->showMessage(tr("Connections exported to %1").arg(path), 10000);
    } else {
        QMessageBox::warning(this, tr("Export Connections"), error);
    }
}

void MainWindow::importConnectionsInteractively()
{
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Import Connections"), QString(), tr("JSON profiles (*.json);;All files (*)"));
    if (path.isEmpty())
        return;
    const ConnectionImport result = importConnections(path);
    if (!result.error.isEmpty()) {
        QMessageBox::warning(this, tr("Import Connections"), result.error);
        return;
    }
    QString text = tr("%1: %2 connections added (not started), %3 renamed, %4 skipped.")
                       .arg(QFileInfo(path).fileName())
                       .arg(result.added)
                       .arg(result.renamed)
                       .arg(result.skipped);
    if (!result.problems.isEmpty())
        text += QLatin1Char('\n') + tr("Not imported:") + QLatin1Char('\n')
            + result.problems.join(QLatin1Char('\n'));
    if (result.problems.isEmpty())
        statusBar()->showMessage(text, 15000);
    else
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
    m_secrets->setPlainTextFallback(enabled);
    saveConnections();
}

void MainWindow::restoreLayout()
{
    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    m_mainSplitter->restoreState(settings.value(QStringLiteral("window/mainSplitter")).toByteArray());
    m_leftSplitter->restoreState(settings.value(QStringLiteral("window/leftSplitter")).toByteArray());
    m_centerSplitter->restoreState(
        settings.value(QStringLiteral("window/centerSplitter")).toByteArray());
    m_eventView->horizontalHeader()->restoreState(
        settings.value(QStringLiteral("window/eventColumns")).toByteArray());
    m_bottomTabs->setCurrentIndex(settings.value(QStringLiteral("window/bottomTab"), 0).toInt());
    m_followAction->setChecked(settings.value(QStringLiteral("view/follow"), true).toBool());
    m_rawCaptureAction->setChecked(settings.value(QStringLiteral("record/raw"), false).toBool());
    const qint64 capacity = settings.value(QStringLiteral("view/capacity"), 0).toLongLong();
    if (capacity > 0)
        m_log->setCapacity(capacity);
    const qint64 byteBudget = settings.value(QStringLiteral("view/byteBudget"), 0).toLongLong();
    if (byteBudget > 0)
        m_log->setByteBudget(byteBudget);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveSettings();
    // Keychain writes finish asynchronously; give them a moment before the application quits.
    m_secrets->waitForIdle(5000);
    event->accept();
}


bool MainWindow::startRecording(const QString &path, quint16 onlyConnection)
{
    if (m_recorder->isRecording())
        stopRecording();
    m_recordingError.clear();
    m_recordedConnections.clear();
    if (onlyConnection != 0)
        m_recordedConnections.insert(onlyConnection);
    RecorderOptions options;
    // Large recordings are split into parts (FILE.1.jsonl, ...) that open on their own.
    options.rotateBytes = 1024LL * 1024 * 1024;
    if (m_rawCaptureAction->isChecked()) {
        QString raw = path;
        if (raw.endsWith(QLatin1String(".jsonl")))
            raw.chop(6);
        options.rawCapturePath = raw + QStringLiteral(".raw.sse");
    }
    m_connections.setRawCapture(!options.rawCapturePath.isEmpty());
    if (!m_recorder->start(path, options)) {
        m_recordingError = m_recorder->errorString();
        QMessageBox::warning(this, tr("Record"),
                             tr("Cannot record to %1: %2").arg(path, m_recordingError));
        updateRecordingIndicator();
        return false;
    }
    for (const ConnectionEntry &entry : m_connections.model()->entries()) {
        if (entry.offline || (onlyConnection != 0 && entry.id != onlyConnection))
            continue;
        m_recorder->addConnection(entry.id, entry.name, entry.options.url, entry.options.headers);
    }
    updateRecordingIndicator();
    return true;
}

void MainWindow::stopRecording()
{
    m_connections.setRawCapture(false);
    m_recorder->stop();
    updateRecordingIndicator();
}

void MainWindow::recordState(quint16 id, Sse::Client::State state)
{
    if (!m_recorder->isRecording()
        || (!m_recordedConnections.isEmpty() && !m_recordedConnections.contains(id))) {
        return;
    }
    const ConnectionEntry *entry = m_connections.entry(id);
    if (!entry || entry->log.isEmpty())
        return;
    const ConnectionLogEntry &log = entry->log.last();
    Sse::JsonLines::StateRecord record;
    record.timeMs = log.timeMs;
    record.state = Sse::stateName(state);
    record.retryMs = log.retryMs;
    record.attempt = log.attempt;
    record.status = log.httpStatus;
    record.error = state == Sse::Client::State::Open ? QString() : log.detail;
    record.lastEventId = log.lastEventId;
    if (state == Sse::Client::State::Connecting)
        record.error.clear();
    m_recorder->recordState(id, record);
}

void MainWindow::updateRecordingIndicator()
{
    const bool recording = m_recorder->isRecording();
    m_recordAction->setChecked(recording);
    if (recording) {
        m_statusRecording->setStyleSheet(QStringLiteral("color: #d93535; font-weight: bold"));
        m_statusRecording->setText(
            tr("● REC %1 · %2 · %Ln event(s)", nullptr,
               int(qMin<qint64>(m_recorder->eventsWritten(), INT_MAX)))
                .arg(QFileInfo(m_recorder->fileName()).fileName(),
                     formatBytes(m_recorder->bytesWritten())));
        m_statusRecording->setToolTip(m_recorder->fileName());
    } else if (!m_recordingError.isEmpty()) {
        m_statusRecording->setStyleSheet(QStringLiteral("color: #d93535"));
        m_statusRecording->setText(tr("Recording failed"));
        m_statusRecording->setToolTip(m_recordingError);
    } else {
        m_statusRecording->clear();
        m_statusRecording->setToolTip(QString());
    }
}

static QString defaultRecordingPath()
{
    QString directory = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    if (directory.isEmpty())
        directory = QDir::homePath();
    return directory + QStringLiteral("/sse-monitor-")
        + QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss"))
        + QStringLiteral(".jsonl");
}

void MainWindow::toggleRecording()
{
    if (m_recorder->isRecording()) {
        stopRecording();
        return;
    }
    m_recordAction->setChecked(false);
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Record to"), defaultRecordingPath(), tr("JSON Lines (*.jsonl);;All files (*)"));
    if (!path.isEmpty())
        startRecording(path);
}

void MainWindow::recordSelected()
{
    const quint16 id = currentConnection();
    if (id == 0)
        return;
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Record to"), defaultRecordingPath(), tr("JSON Lines (*.jsonl);;All files (*)"));
    if (!path.isEmpty())
        startRecording(path, id);
}

ExportJob *MainWindow::exportTo(ExportFormat format, const QString &path, ExportScope scope,
                                const QList<QByteArray> &jsonPaths)
{
    if (m_exportJob && m_exportJob->isRunning())
        return nullptr;
    QList<qint64> sequences;
    switch (scope) {
    case ExportScope::All:
        sequences = ExportJob::allSequences(m_log->store());
        break;
    case ExportScope::Filtered:
        sequences = ExportJob::visibleSequences(*m_log);
        break;
    case ExportScope::Selected: {
        QList<int> rows;
        const QModelIndexList selected = m_eventView->selectionModel()->selectedRows();
        for (const QModelIndex &index : selected)
            rows.append(index.row());
        sequences = ExportJob::sequencesOfRows(*m_log, rows);
        break;
    }
    }
    ExportOptions options;
    options.jsonPaths = jsonPaths;
    for (const ConnectionEntry &entry : m_connections.model()->entries()) {
        options.connectionNames.insert(entry.id, entry.name);
        options.connectionUrls.insert(entry.id, entry.options.url);
    }
    auto *job = new ExportJob(m_log, this);
    m_exportJob = job;
    auto *progress = new QProgressBar;
    progress->setRange(0, 100);
    progress->setMaximumWidth(160);
    auto *cancel = new QToolButton;
    cancel->setText(tr("Cancel export"));
    statusBar()->addPermanentWidget(progress);
    statusBar()->addPermanentWidget(cancel);
    connect(cancel, &QToolButton::clicked, job, &ExportJob::cancel);
    connect(job, &ExportJob::progress, progress, &QProgressBar::setValue);
    connect(job, &ExportJob::finished, this,
            [this, job, progress, cancel, path](bool ok, const QString &message) {
                progress->deleteLater();
                cancel->deleteLater();
                statusBar()->showMessage(ok ? tr("Exported to %1").arg(path)
                                            : tr("Export failed: %1").arg(message),
                                         10000);
                job->deleteLater();
            });
    if (!job->start(format, path, sequences, options)) {
        progress->deleteLater();
        cancel->deleteLater();
        job->deleteLater();
        return nullptr;
    }
    return job;
}

void MainWindow::exportEvents()
{
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Export Events"));
    auto *layout = new QFormLayout(&dialog);
    auto *scope = new QComboBox;
    scope->addItem(tr("All events (%1)").arg(m_log->totalCount()), int(ExportScope::All));
    scope->addItem(tr("Filtered events (%1)").arg(m_log->visibleCount()),
                   int(ExportScope::Filtered));
    scope->addItem(tr("Selected events (%1)")
                       .arg(m_eventView->selectionModel()->selectedRows().size()),
                   int(ExportScope::Selected));
    scope->setCurrentIndex(1);
    auto *format = new QComboBox;
    format->addItem(tr("JSON Lines (.jsonl)"), int(ExportFormat::JsonLines));
    format->addItem(tr("CSV (.csv)"), int(ExportFormat::Csv));
    format->addItem(tr("SSE text (.txt)"), int(ExportFormat::SseText));
    auto *paths = new QLineEdit;
    paths->setPlaceholderText(tr("CSV only: JSON paths as extra columns, e.g. usage.output_tokens price"));
    layout->addRow(tr("&Events:"), scope);
    layout->addRow(tr("&Format:"), format);
    layout->addRow(tr("&Columns:"), paths);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    layout->addRow(buttons);
    if (dialog.exec() != QDialog::Accepted)
        return;
    const auto chosenFormat = ExportFormat(format->currentData().toInt());
    const QString suffix = chosenFormat == ExportFormat::Csv        ? QStringLiteral(".csv")
                           : chosenFormat == ExportFormat::SseText ? QStringLiteral(".txt")
                                                                   : QStringLiteral(".jsonl");
    QString suggested = defaultRecordingPath();
    suggested.replace(QStringLiteral(".jsonl"), suffix);
    const QString path = QFileDialog::getSaveFileName(this, tr("Export to"), suggested);
    if (path.isEmpty())
        return;
    QList<QByteArray> jsonPaths;
    const QStringList words = paths->text().split(QLatin1Char(' '), Qt::SkipEmptyParts);
    for (const QString &word : words)
        jsonPaths.append(word.toUtf8());
    if (!exportTo(chosenFormat, path, ExportScope(scope->currentData().toInt()), jsonPaths))
        QMessageBox::information(this, tr("Export"), tr("An export is already running."));
}

LogImporter *MainWindow::openRecordingFile(const QString &path)
{
    auto *importer = new LogImporter(this);
    m_importer = importer;
    const QString base = QFileInfo(path).fileName();
    importer->setDefaultConnectionName(base);
    auto ids = std::make_shared<QHash<QString, quint16>>();
    auto idFor = [this, ids, path, base](const QString &name) {
        auto it = ids->constFind(name);
        if (it != ids->constEnd())
            return *it;
        const quint16 id = m_connections.addOffline(name == base ? base : name + QStringLiteral(" · ") + base,
                                                    QUrl::fromLocalFile(path));
        ids->insert(name, id);
        return id;
    };
    connect(importer, &LogImporter::connectionFound, this,
            [idFor](const QString &name, const QUrl &) { idFor(name); });
    connect(importer, &LogImporter::eventsLoaded, this,
            [this, idFor](const QString &name, const Sse::EventList &events) {
                m_connections.ingestOffline(idFor(name), events);
            });
    connect(importer, &LogImporter::progress, this, [this, base](int percent) {
        statusBar()->showMessage(tr("Opening %1… %2%").arg(base).arg(percent));
    });
    connect(importer, &LogImporter::finished, this,
            [this, importer, base](const LogImporter::Statistics &stats) {
                QString message = stats.error.isEmpty()
                    ? tr("Opened %1: %Ln event(s)", nullptr,
                         int(qMin<qint64>(stats.events, INT_MAX)))
                          .arg(base)
                    : tr("Could not open %1: %2").arg(base, stats.error);
                if (stats.skippedLines > 0)
                    message += tr(" (%n unreadable line(s) skipped, e.g. %1)", nullptr,
                                  int(stats.skippedLines))
                                   .arg(stats.warnings.value(0));
                statusBar()->showMessage(message, 15000);
                importer->deleteLater();
            });
    if (!importer->start(path)) {
        importer->deleteLater();
        return nullptr;
    }
    return importer;
}

void MainWindow::openRecording()
{
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open Recording"), QString(),
        tr("Recordings (*.jsonl *.ndjson *.txt *.sse);;All files (*)"));
    if (!path.isEmpty())
        openRecordingFile(path);
}

void MainWindow::replayFile(const QString &path, double speed)
{
    auto *importer = new LogImporter(this);
    auto events = std::make_shared<Sse::EventList>();
    connect(importer, &LogImporter::eventsLoaded, this,
            [events](const QString &, const Sse::EventList &batch) { events->append(batch); });
    connect(importer, &LogImporter::finished, this,
            [this, importer, events, path, speed](const LogImporter::Statistics &) {
                importer->deleteLater();
                const quint16 id = m_connections.addOffline(
                    tr("%1 (replay)").arg(QFileInfo(path).fileName()), QUrl::fromLocalFile(path));
                auto *replayer = new Replayer(this);
                replayer->setEvents(*events);
                replayer->setSpeed(speed);
                connect(replayer, &Replayer::eventsReplayed, this,
                        [this, id](const Sse::EventList &batch) {
                            m_connections.ingestOffline(id, batch);
                        });
                connect(replayer, &Replayer::finished, replayer, &QObject::deleteLater);
                connect(&m_connections, &ConnectionManager::connectionRemoved, replayer,
                        [replayer, id](quint16 removed) {
                            if (removed == id)
                                replayer->deleteLater();
                        });
                replayer->play();
                selectConnection(id);
            });
    if (!importer->start(path))
        importer->deleteLater();
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
    const QString choice = QInputDialog::getItem(this, tr("Replay speed"), tr("Speed:"), speeds,
                                                 0, false, &ok);
    if (!ok)
        return;
    const double speed = choice == speeds.at(1)   ? 2.0
                         : choice == speeds.at(2) ? 10.0
                         : choice == speeds.at(3) ? Replayer::AsFastAsPossible
                                                  : 1.0;
    replayFile(path, speed);
}

void MainWindow::runDiagnostics(int durationMs)
{
    const ConnectionEntry *entry = m_connections.entry(currentConnection());
    if (!entry || entry->offline)
        return; // nothing live to check
    m_bottomTabs->setCurrentWidget(m_diagnosticsView);
    m_diagnosticsView->setRunning(true, entry->name);
    m_diagnostics->run(entry->options, durationMs);
}
