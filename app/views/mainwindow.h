#pragma once

#include "models/connectionmanager.h"
#include "recording/exportformatter.h"

#include "sselib/profile.h"

#include <QMainWindow>
#include <QPointer>
#include <QSet>
#include <QTimer>

#include <memory>

QT_BEGIN_NAMESPACE
class QAction;
class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QListView;
class QPlainTextEdit;
class QSplitter;
class QStackedWidget;
class QTabWidget;
class QTableView;
class QToolButton;
class QTreeWidget;
QT_END_NAMESPACE

class ChartPanel;
class DiagnosticsView;
class EventDetailView;
class EventLogModel;
class SeriesCatalog;
class TypeListModel;
class Recorder;
class ExportJob;
class LogImporter;
class Replayer;
class SecretStore;
namespace Sse {
class DemoServer;
class StreamDiagnostics;
}

/// The window a user works in: connections on the left, the live event log in
/// the middle, details, charts, connection log and statistics below.
///
/// Event batches arrive from ConnectionManager (network thread → queued
/// signals) and go to the log model, the chart catalog and the recorder; the
/// window itself never parses bytes.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    /// Adds and opens a connection (from the command line, the dialog or a test).
    quint16 addConnection(const QString &name, const Sse::ClientOptions &options);
    /// Starts the built-in demo server (once) and connects to it.
    quint16 openDemo();
    /// Restores saved connections; returns how many.
    int restoreConnections();
    void saveSettings();
    void restoreLayout();

    ConnectionManager *connections() { return &m_connections; }
    EventLogModel *logModel() { return m_log; }
    TypeListModel *typeModel() { return m_types; }
    SeriesCatalog *seriesCatalog() { return m_catalog; }
    ChartPanel *chartPanel() { return m_chart; }
    EventDetailView *detailView() { return m_detail; }
    QTableView *eventView() { return m_eventView; }
    QTableView *connectionView() { return m_connectionView; }
    QLineEdit *searchEdit() { return m_search; }
    QLabel *countLabel() { return m_countLabel; }
    quint16 currentConnection() const;
    void selectConnection(quint16 id);
    QTabWidget *bottomTabs() { return m_bottomTabs; }
    DiagnosticsView *diagnosticsView() { return m_diagnosticsView; }
    /// Runs a stream check on the selected connection (a second, temporary connection).
    void runDiagnostics(int durationMs = 10000);

    /// Records every live connection (or only \a onlyConnection) to \a path.
    bool startRecording(const QString &path, quint16 onlyConnection = 0);
    void stopRecording();
    Recorder *recorder() { return m_recorder; }
    QAction *rawCaptureAction() { return m_rawCaptureAction; }

    enum class ExportScope { All, Filtered, Selected };
    /// Starts an export; progress shows in the status bar. Null when one is running.
    ExportJob *exportTo(ExportFormat format, const QString &path, ExportScope scope,
                        const QList<QByteArray> &jsonPaths = {});
    /// Opens a recording (JSON Lines or raw SSE) as offline connections.
    LogImporter *openRecordingFile(const QString &path);
    /// Loads a recording and replays it into a new offline connection.
    void replayFile(const QString &path, double speed);

    /// Secret header values of saved connections (keychain, or plain text with consent).
    SecretStore *secretStore() { return m_secrets; }
    /// Writes the live connections to \a path as a JSON array of profiles (the format of
    /// sse-monitor-cli --profiles-file). Secret values only with SecretHandling::Include.
    bool exportConnections(const QString &path, Sse::SecretHandling secrets,
                           QString *errorString = nullptr);
    struct ConnectionImport
    {
        int added = 0;
        int renamed = 0;            ///< added under a new name (the name was taken)
        int skipped = 0;            ///< identical to an existing connection, or the demo
        QString error;              ///< the file could not be used at all
        QStringList problems;       ///< entries that were not imported, and why
    };
    /// Adds the connections of an exported file, not started.
    ConnectionImport importConnections(const QString &path);

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void createActions();
    void createMenus();
    void createWidgets();
    void applyFilter();
    void updateCounts();
    void updateActions();
    void updateStatusBar();
    void updateConnectionLog();
    void updateStatistics();
    void updateResponse();
    void showCurrentEvent();
    void onEvents(quint16 id, const Sse::EventList &events);
    void onConnectionAdded(quint16 id);
    void onConnectionRemoved(quint16 id);
    void newConnection();
    void editConnection();
    void duplicateConnection();
    void removeConnection();
    void openRecording();
    void exportEvents();
    void toggleRecording();
    void recordSelected();
    void replayRecording();
    void updateRecordingIndicator();
    void recordState(quint16 id, Sse::Client::State state);
    void focusPane(QWidget *pane);
    void chooseLanguage(QAction *action);
    void showAbout();
    void saveConnections();
    void requestSecrets(quint16 id, const QString &secretsId, const QList<QByteArray> &names,
                        ConnectionManager::Start start);
    void exportConnectionsInteractively();
    void importConnectionsInteractively();
    void setPlainTextSecrets(bool enabled);

    ConnectionManager m_connections;
    EventLogModel *m_log = nullptr;
    TypeListModel *m_types = nullptr;
    SeriesCatalog *m_catalog = nullptr;
    std::unique_ptr<Sse::DemoServer> m_demo;
    Recorder *m_recorder = nullptr;

    QStackedWidget *m_centerStack = nullptr;
    QTableView *m_connectionView = nullptr;
    QListView *m_typeView = nullptr;
    QTableView *m_eventView = nullptr;
    QLineEdit *m_search = nullptr;
    QCheckBox *m_regex = nullptr;
    QCheckBox *m_caseSensitive = nullptr;
    QComboBox *m_connectionFilter = nullptr;
    QLabel *m_countLabel = nullptr;
    QLabel *m_filterError = nullptr;
    QToolButton *m_pauseButton = nullptr;
    QTabWidget *m_bottomTabs = nullptr;
    EventDetailView *m_detail = nullptr;
    ChartPanel *m_chart = nullptr;
    QTreeWidget *m_connectionLog = nullptr;
    QTreeWidget *m_statistics = nullptr;
    QPlainTextEdit *m_response = nullptr;
    DiagnosticsView *m_diagnosticsView = nullptr;
    Sse::StreamDiagnostics *m_diagnostics = nullptr;
    QSplitter *m_mainSplitter = nullptr;
    QSplitter *m_leftSplitter = nullptr;
    QSplitter *m_centerSplitter = nullptr;
    QLabel *m_statusState = nullptr;
    QLabel *m_statusEvents = nullptr;
    QLabel *m_statusRecording = nullptr;

    QAction *m_newAction = nullptr;
    QAction *m_openAction = nullptr;
    QAction *m_exportAction = nullptr;
    QAction *m_recordAction = nullptr;
    QAction *m_recordSelectedAction = nullptr;
    QAction *m_replayAction = nullptr;
    QAction *m_rawCaptureAction = nullptr;
    QAction *m_quitAction = nullptr;
    QAction *m_editAction = nullptr;
    QAction *m_duplicateAction = nullptr;
    QAction *m_connectAction = nullptr;
    QAction *m_disconnectAction = nullptr;
    QAction *m_reconnectAction = nullptr;
    QAction *m_removeAction = nullptr;
    QAction *m_checkAction = nullptr;
    QAction *m_pauseAction = nullptr;
    QAction *m_followAction = nullptr;
    QAction *m_clearAction = nullptr;
    QAction *m_findAction = nullptr;
    QAction *m_capacityAction = nullptr;
    QAction *m_byteBudgetAction = nullptr;
    QAction *m_copyAction = nullptr;
    QAction *m_demoAction = nullptr;
    QAction *m_aboutAction = nullptr;
    QAction *m_exportConnectionsAction = nullptr;
    QAction *m_importConnectionsAction = nullptr;
    QAction *m_plainSecretsAction = nullptr;

    SecretStore *m_secrets = nullptr;
    QHash<quint16, QString> m_secretIds;  ///< connection → its entry in the secret store
    QSet<quint16> m_startWhenComplete;    ///< to open once their secrets are known

    QPointer<ExportJob> m_exportJob;
    QPointer<LogImporter> m_importer;
    QSet<quint16> m_recordedConnections; ///< empty = all
    QString m_recordingError;

    QTimer m_searchDebounce;
    QTimer m_tailTimer;
    QTimer m_uiTimer;
    int m_lastLogConnection = -1;
    qint64 m_lastLogAppended = 0; // ConnectionEntry::logAppended when the view was last filled
};
