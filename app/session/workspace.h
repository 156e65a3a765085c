#pragma once

#include "models/connectionmanager.h"
#include "models/secretstore.h"
#include "recording/exportformatter.h"
#include "session/savedconnections.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QSet>

#include <memory>

class EventLogModel;
class LlmResponseModel;
class ExportJob;
class LogImporter;
class Recorder;
class AlertCenter;
class ColouringRules;
struct AlertRule;
class Replayer;
class SeriesCatalog;
class TypeListModel;
namespace Sse {
class DemoServer;
class StreamDiagnostics;
struct DiagnosticsReport;
} // namespace Sse

/// What the user works on, without a window: the connections, the event log and its type
/// list, the chart series, the recorder, the secret store and the demo server, and the jobs
/// that run on them (recording, export, opening and replaying recordings, stream checks,
/// saving and importing connections).
///
/// Events, raw bytes and state changes arrive from ConnectionManager (queued from the network
/// thread) and are routed here to the log model, the series catalogue and the recorder. The
/// workspace takes connection ids and event sequences as parameters and reports through
/// signals: it never asks a view what is current or selected. Qt Core, Gui and Network only.
class Workspace : public QObject
{
    Q_OBJECT
public:
    explicit Workspace(QObject *parent = nullptr);
    ~Workspace() override;

    ConnectionManager *connections() { return &m_connections; }
    const ConnectionManager *connections() const { return &m_connections; }
    EventLogModel *logModel() const { return m_log; }
    TypeListModel *typeModel() const { return m_types; }
    SeriesCatalog *seriesCatalog() const { return m_catalog; }
    /// The LLM responses of every connection (the LLM tab).
    LlmResponseModel *llmModel() const { return m_llm; }
    Recorder *recorder() const { return m_recorder; }
    AlertCenter *alerts() const { return m_alerts; }
    /// Replaces the alert rules of \a id and saves them with the connection.
    void setAlertRules(quint16 id, const QList<AlertRule> &rules);
    /// The stall threshold of \a id's health engine (0 = learn it), saved with it.
    void setStallAfter(quint16 id, qint64 seconds);
    SecretStore *secretStore() const { return m_secrets; }
    /// View > Colouring Rules; the log colours its rows by them. Saved in the settings.
    ColouringRules *colouringRules() const { return m_colouringRules; }

    // --- connections ---
    quint16 addConnection(const QString &name, const Sse::ClientOptions &options,
                          ConnectionManager::Start start = ConnectionManager::Start::Now);
    /// A proxy connection (ConnectionManager::addProxy), saved with the others.
    quint16 addProxy(const QString &name, const ProxySettings &settings,
                     ConnectionManager::Start start = ConnectionManager::Start::Now);
    /// New name and settings of proxy \a id; saves the connections.
    void updateProxy(quint16 id, const QString &name, const ProxySettings &settings);
    /// Starts the built-in demo server (once) and opens its connection; 0 when the server
    /// cannot start (demoFailed()).
    /// `name`, or "name (2)", "name (3)"... when a connection already has it.
    QString uniqueConnectionName(const QString &name) const;
    quint16 openDemo();
    bool isDemo(quint16 id) const { return id != 0 && id == m_demoConnection; }
    enum class OpenResult { Opened, NeedsSecrets, NotFound };
    /// Opens \a id; a connection without its secrets is not opened but starts as soon as
    /// updateConnection() completes them (NeedsSecrets: ask the user for them).
    OpenResult openConnection(quint16 id);
    /// New name and options from the user; a connection waiting for its secrets starts once
    /// they are all there. Saves the connections.
    void updateConnection(quint16 id, const QString &name, const Sse::ClientOptions &options);
    /// The user gave up entering the secrets: the connection no longer waits to start.
    void cancelPendingStart(quint16 id);
    /// A copy named "NAME (copy)"; a copy of a connection without its secrets waits too.
    quint16 duplicateConnection(quint16 id);
    void removeConnection(quint16 id);
    /// Clears the event log and the chart series.
    void clearEvents();

    /// Marks or unmarks the log's events \a sequences (marker rows and evicted events are
    /// passed over); while recording, each change is written as an `annotation` record.
    /// False when the annotation budget had no room for some of them (those stay unmarked).
    bool setEventsMarked(const QList<qint64> &sequences, bool marked);
    /// Sets the note of one event ("" removes it), recorded as setEventsMarked() does. False
    /// when the note is too long or the annotation budget is full.
    bool setEventNote(qint64 sequence, const QString &note);

    // --- saved connections ---
    /// Adds the connections saved in the settings; returns how many.
    int restoreConnections();
    /// Writes the connections to the settings and their secret values to the secret store.
    void saveConnections();
    /// Writes the live connections to \a path as a profiles file (the format of
    /// sse-monitor-cli --profiles-file). Secret values only with SecretHandling::Include.
    bool exportConnections(const QString &path, Sse::SecretHandling secrets,
                           QString *errorString = nullptr);
    /// Adds the connections of a profiles file, not started.
    SavedConnections::Import importConnections(const QString &path);
    void setPlainTextSecrets(bool enabled);

    // --- recording ---
    enum class RawCapture { Off, On };
    /// Records every live connection, or only \a onlyConnection, to \a path; with
    /// RawCapture::On the raw stream bytes go beside it (FILE.raw.sse). False with
    /// recordingError() when the file cannot be written.
    bool startRecording(const QString &path, RawCapture raw = RawCapture::Off,
                        quint16 onlyConnection = 0);
    void stopRecording();
    bool isRecording() const;
    /// Why the last recording failed; empty while it is fine.
    QString recordingError() const { return m_recordingError; }

    // --- export, open, replay, check ---
    /// With: CSV and HTML get a "rule" column naming the colouring rule each event matches;
    /// HTML rows also get that rule's colours.
    enum class RuleColumn { Without, With };
    /// Exports the events \a sequences of the log; null while another export runs.
    ExportJob *exportEvents(ExportFormat format, const QString &path,
                            const QList<qint64> &sequences,
                            const QList<QByteArray> &jsonPaths = {},
                            RuleColumn ruleColumn = RuleColumn::Without);
    /// Opens a recording (JSON Lines or raw SSE) as offline connections.
    LogImporter *openRecording(const QString &path);
    /// Loads a recording and replays it into a new offline connection (replayStarted()).
    void replayRecording(const QString &path, double speed);
    /// The replay feeding connection `id`, or nullptr (none, or it finished and went).
    Replayer *replayer(quint16 id) const;
    /// Transport for the replay of `id`: pause, resume, stop (keeps what was played), speed
    /// (Replayer::setSpeed; 0 is as fast as possible). No-ops without a replay.
    void pauseReplay(quint16 id);
    void resumeReplay(quint16 id);
    void stopReplay(quint16 id);
    void setReplaySpeed(quint16 id, double speed);
    /// Checks the stream of \a id with a second, temporary connection; false when \a id is
    /// not a live connection.
    bool runDiagnostics(quint16 id, int durationMs = 10000);

Q_SIGNALS:
    /// A message for the user, shown for \a timeoutMs (0: until the next one).
    void message(const QString &text, int timeoutMs);
    /// The keychain cannot be used and a secret went unsaved or unfound; once per session
    /// (the per-connection messages leave the keychain out after that). \a details is the
    /// keychain's own error, for those who ask.
    void keychainUnavailable(const QString &details);
    void demoFailed(const QString &error);
    void recordingChanged();
    void exportStarted(ExportJob *job);
    void replayStarted(quint16 id);
    /// A recording was opened: its connections that hold events (ones without are skipped),
    /// for the window to show them apart from the live streams.
    void recordingOpened(const QString &fileName, const QList<quint16> &ids);
    /// A check of \a id runs for \a durationMs; diagnosticsProgress() counts its events.
    void diagnosticsStarted(quint16 id, const QString &name, int durationMs);
    void diagnosticsProgress(qint64 events);
    void diagnosticsFinished(const Sse::DiagnosticsReport &report);

private:
    /// Field columns and colouring rules from the settings, saved again when they change.
    void setUpFieldTools();
    void routeConnectionSignals();
    void routeRecorderSignals();
    bool isRecorded(quint16 id) const;
    void recordAnnotation(qint64 sequence);
    void recordState(quint16 id, Sse::Client::State state);
    /// Puts a "reconnected · Last-Event-ID … · after … s" marker in the log when a connection
    /// that was open opens again.
    void markReconnect(quint16 id, Sse::Client::State state);
    /// Writes the replay's state and progress into the connection's entry.
    void updateReplayStatus(quint16 id);
    void requestSecrets(quint16 id, const SavedConnection &saved, ConnectionManager::Start start);
    void fillSecrets(quint16 id, const QList<QByteArray> &names,
                     const SecretStore::LoadResult &result);
    /// True when the secret store found no keychain; reports it once per session.
    bool noteKeychainUnavailable(const QString &details);
    void reportSecretsSaved(const QString &secretsId, SecretStore::Location location,
                            const QString &error);
    QList<Sse::Profile> liveProfiles() const;

    ConnectionManager m_connections;
    EventLogModel *m_log = nullptr;
    ColouringRules *m_colouringRules = nullptr;
    TypeListModel *m_types = nullptr;
    SeriesCatalog *m_catalog = nullptr;
    LlmResponseModel *m_llm = nullptr;
    Recorder *m_recorder = nullptr;
    AlertCenter *m_alerts = nullptr;
    SecretStore *m_secrets = nullptr;
    Sse::StreamDiagnostics *m_diagnostics = nullptr;
    std::unique_ptr<Sse::DemoServer> m_demo;
    quint16 m_demoConnection = 0;

    QHash<quint16, QString> m_secretIds; ///< connection → its entry in the secret store
    bool m_keychainReported = false; ///< keychainUnavailable() was emitted
    QSet<quint16> m_startWhenComplete; ///< to open once their secrets are known
    QHash<quint16, QPointer<Replayer>> m_replayers;
    QSet<quint16> m_openConnections;   ///< open now (for reconnect markers)
    QHash<quint16, qint64> m_droppedAtMs; ///< when an open connection last stopped being open
    QPointer<ExportJob> m_exportJob;
    QSet<quint16> m_recordedConnections; ///< empty = all
    QString m_recordingError;
};
