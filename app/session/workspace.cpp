#include "session/workspace.h"

#include "models/colouringrules.h"
#include "models/fieldcolumn.h"

#include "charts/seriescatalog.h"
#include "models/eventlogmodel.h"
#include "models/llmresponsemodel.h"
#include "models/typelistmodel.h"
#include "recording/exportjob.h"
#include "recording/logimporter.h"
#include "recording/recorder.h"
#include "recording/recorderoptions.h"
#include "recording/replayer.h"
#include "session/alertcenter.h"

#include "sselib/demoserver.h"
#include "sselib/diagnostics.h"
#include "sselib/staterecord.h"

#include "models/eventstore.h"

#include <QDateTime>
#include <QList>
#include <QDir>
#include <QFileInfo>
#include <QSettings>
#include <QUuid>

#include <algorithm>
#include <map>

namespace {

// Scanning back for an event's position among same-time events of its connection stops after
// this many events (they are normally a handful; only a stuck clock makes more).
constexpr qint64 EventIndexScanLimit = 100000;

// The event's event_index (recording/annotationrecord.h): how many earlier events of its
// connection in the store share its receive time.
int eventIndexOf(const EventStore &store, qint64 sequence)
{
    const quint16 connection = store.connection(sequence);
    const qint64 time = store.time(sequence);
    int index = 0;
    const qint64 stop = qMax(store.firstSequence(), sequence - EventIndexScanLimit);
    for (qint64 earlier = sequence - 1; earlier >= stop; --earlier) {
        if (store.connection(earlier) != connection || store.isMarker(earlier))
            continue;
        if (store.time(earlier) != time)
            break;
        ++index;
    }
    return index;
}

// Annotation records of an opened recording, applied to the events it loaded (the store range
// [begin, end)) in one pass once the import is done.
struct PendingAnnotations
{
    qint64 begin = -1;
    // (connection, event time) -> (event index -> record); the last record of an event wins.
    std::map<std::pair<quint16, qint64>, std::map<int, AnnotationRecord>> records;
};

int applyAnnotations(EventLogModel *log, const PendingAnnotations &pending)
{
    const EventStore &store = log->store();
    if (pending.records.empty() || pending.begin < 0)
        return 0;
    int applied = 0;
    QHash<quint16, std::pair<qint64, int>> runs; // connection -> (time, events at that time)
    for (qint64 sequence = qMax(pending.begin, store.firstSequence());
         sequence < store.endSequence(); ++sequence) {
        if (store.isMarker(sequence))
            continue;
        const quint16 connection = store.connection(sequence);
        const qint64 time = store.time(sequence);
        auto &run = runs[connection];
        run.second = run.first == time ? run.second + 1 : 0;
        run.first = time;
        const auto found = pending.records.find({connection, time});
        if (found == pending.records.end())
            continue;
        const auto record = found->second.find(run.second);
        if (record == found->second.end() || record->second.type != store.type(sequence))
            continue;
        bool ok = log->setMarked(sequence, record->second.marked);
        ok = log->setNote(sequence, record->second.note.left(EventAnnotations::MaximumNoteLength))
            && ok;
        applied += ok ? 1 : 0;
    }
    return applied;
}

// A connection to a server of its own: not an opened recording, a proxy or a proxy's exchange.
bool isStream(const ConnectionEntry &entry)
{
    return !entry.offline && !entry.proxyListener && entry.parentId == 0;
}

} // namespace

Workspace::Workspace(QObject *parent)
    : QObject(parent)
    , m_log(new EventLogModel(this))
    , m_types(new TypeListModel(this))
    , m_catalog(new SeriesCatalog(this))
    , m_llm(new LlmResponseModel(this))
    , m_recorder(new Recorder(this))
    , m_secrets(new SecretStore({}, this))
    , m_diagnostics(new Sse::StreamDiagnostics(this))
{
    // An id is not handed out again while the log still holds events filed under it.
    m_connections.setIdInUse(
        [this](quint16 id) { return m_log->store().connectionEventCount(id) > 0; });
    // Back-fill for the chart: a newly ticked series starts with the events already stored.
    m_catalog->setHistory([this](quint16 connection, const QByteArray &type, qint64 before,
                                 const SeriesCatalog::HistoryVisitor &visit) {
        const EventStore &store = m_log->store();
        const int typeIndex = store.findType(type);
        if (typeIndex < 0)
            return;
        for (qint64 sequence = qMin(before, store.endSequence()) - 1;
             sequence >= store.firstSequence(); --sequence) {
            if (store.connection(sequence) != connection || store.typeIndex(sequence) != typeIndex
                || store.isMarker(sequence)) {
                continue;
            }
            if (!visit({sequence, store.time(sequence), store.id(sequence), store.data(sequence)}))
                return;
        }
    });
    // The log inserts its rows on the tick that repaints the counters: one count on screen.
    m_log->setFlushMode(EventLogModel::FlushMode::WhenAsked);
    connect(&m_connections, &ConnectionManager::countersRefreshed, m_log, &EventLogModel::flush);
    routeConnectionSignals();
    routeRecorderSignals();
    setUpFieldTools();
    // After the routes above: a batch is in the log when the alerts look at it.
    m_alerts = new AlertCenter(&m_connections, this);
    m_alerts->setLogEnd([this] { return m_log->store().endSequence(); });
    connect(m_alerts, &AlertCenter::alertRaised, this, [this](const Alert &alert) {
        if (alert.eventSequence >= 0)
            m_log->markEvent(alert.eventSequence, alert.rule + QStringLiteral(": ") + alert.detail);
        if (m_recorder->isRecording() && isRecorded(alert.connection))
            m_recorder->recordAlert(alert.connection, alert);
    });
    connect(m_secrets, &SecretStore::saveFinished, this, &Workspace::reportSecretsSaved);
    connect(m_log, &EventLogModel::countsChanged, this,
            [this] { m_types->refresh(m_log->store()); });
    // A check is a separate run: its own client in the GUI thread, only while it runs.
    connect(m_diagnostics, &Sse::StreamDiagnostics::finished, this,
            [this] { emit diagnosticsFinished(m_diagnostics->report()); });
    connect(m_diagnostics, &Sse::StreamDiagnostics::eventsObserved, this,
            &Workspace::diagnosticsProgress);
}

Workspace::~Workspace()
{
    // Stop the event flow before the models go away.
    m_connections.disconnect(this);
}

void Workspace::routeConnectionSignals()
{
    connect(&m_connections, &ConnectionManager::eventsReceived, this,
            [this](quint16 id, const Sse::EventBatch &events) {
                m_log->ingest(id, events);
                // The log stores every event of the batch: they end the store.
                m_catalog->ingest(id, events, m_log->store().endSequence() - events.size());
                if (const ConnectionEntry *entry = m_connections.entry(id);
                    entry && entry->llmAnalysis) {
                    m_llm->ingest(id, events);
                }
                if (m_recorder->isRecording() && isRecorded(id))
                    m_recorder->recordEvents(id, events, m_connections.flowControl(id));
            });
    connect(&m_connections, &ConnectionManager::rawBytesReceived, this,
            [this](quint16 id, const QByteArray &bytes) {
                if (isRecorded(id))
                    m_recorder->recordRaw(id, bytes);
            });
    connect(&m_connections, &ConnectionManager::stateChanged, this, &Workspace::recordState);
    connect(&m_connections, &ConnectionManager::stateChanged, this, &Workspace::markReconnect);
    connect(m_llm, &LlmResponseModel::verdictChanged, this, [this](quint16 id) {
        ConnectionEntry *entry = m_connections.model()->entry(id);
        if (!entry)
            return;
        entry->llmVerdict = m_llm->lastVerdict(id);
        entry->llmVerdictKind = int(m_llm->lastVerdictKind(id));
        switch (m_llm->lastVerdictKind(id)) {
        case LlmResponseModel::Verdict::Streaming:
            entry->healthMonitor.setLlmOutcome(Sse::LlmOutcome::None);
            break;
        case LlmResponseModel::Verdict::Complete:
            entry->healthMonitor.setLlmOutcome(Sse::LlmOutcome::Complete);
            break;
        case LlmResponseModel::Verdict::Truncated:
            entry->healthMonitor.setLlmOutcome(Sse::LlmOutcome::Truncated, entry->llmVerdict);
            break;
        case LlmResponseModel::Verdict::Error:
            entry->healthMonitor.setLlmOutcome(Sse::LlmOutcome::Error, entry->llmVerdict);
            break;
        }
        m_connections.model()->touch(id);
    });
    connect(m_llm, &LlmResponseModel::responseFinished, this,
            [this](quint16 id, qint64 startedMs, const Sse::Llm::Summary &summary) {
                if (m_recorder->isRecording() && isRecorded(id))
                    m_recorder->recordLlm(id, startedMs, summary);
            });
    connect(&m_connections, &ConnectionManager::stateChanged, this,
            [this](quint16 id, Sse::Client::State state) {
                const ConnectionEntry *entry = m_connections.entry(id);
                const qint64 timeMs = entry && !entry->log.isEmpty()
                    ? entry->log.last().timeMs
                    : QDateTime::currentMSecsSinceEpoch();
                m_llm->setState(id, state, timeMs, entry && entry->bodyEnded);
            });
    connect(&m_connections, &ConnectionManager::connectionAdded, this, [this](quint16 id) {
        if (const ConnectionEntry *entry = m_connections.entry(id)) {
            m_log->setConnectionName(id, entry->name);
            m_types->setConnectionName(id, entry->name);
            // One that comes while a recording runs (a proxy's exchange) gets its header.
            if (m_recorder->isRecording() && !entry->offline && isRecorded(id)) {
                m_recorder->addConnection(id, entry->name, entry->options.url,
                                          entry->options.headers);
            }
        }
    });
    connect(&m_connections, &ConnectionManager::connectionRenamed, m_log,
            &EventLogModel::setConnectionName);
    connect(&m_connections, &ConnectionManager::connectionRenamed, m_types,
            &TypeListModel::setConnectionName);
    connect(&m_connections, &ConnectionManager::connectionRemoved, this, [this](quint16 id) {
        // Its secret store entry goes with the next save of the connections.
        m_secretIds.remove(id);
        m_llm->removeConnection(id);
        m_startWhenComplete.remove(id);
        m_openConnections.remove(id);
        m_droppedAtMs.remove(id);
        m_replayers.remove(id);
        if (id == m_demoConnection)
            m_demoConnection = 0;
    });
}

void Workspace::markReconnect(quint16 id, Sse::Client::State state)
{
    const ConnectionEntry *entry = m_connections.entry(id);
    if (!entry || entry->offline || entry->proxyListener)
        return;
    const qint64 nowMs =
        entry->log.isEmpty() ? QDateTime::currentMSecsSinceEpoch() : entry->log.last().timeMs;
    if (state != Sse::Client::State::Open) {
        if (m_openConnections.remove(id))
            m_droppedAtMs.insert(id, nowMs);
        return;
    }
    m_openConnections.insert(id);
    const auto dropped = m_droppedAtMs.constFind(id);
    if (dropped == m_droppedAtMs.constEnd())
        return; // the first time open: no reconnect
    const qint64 afterMs = nowMs - *dropped;
    m_droppedAtMs.erase(dropped);
    // The id the request carried is in the newest Connecting entry of the connection log.
    QByteArray lastEventId;
    for (auto it = entry->log.crbegin(); it != entry->log.crend(); ++it) {
        if (it->state == Sse::Client::State::Connecting) {
            lastEventId = it->lastEventId;
            break;
        }
    }
    QString text = tr("reconnected");
    if (!lastEventId.isEmpty()) {
        text += tr(" · Last-Event-ID %1")
                    .arg(EventLogModel::linePreview(lastEventId, 64));
    }
    text += tr(" · after %1 s").arg(QString::number(afterMs / 1000.0, 'f', 1));
    m_log->addMarker(id, nowMs, text);
}

void Workspace::routeRecorderSignals()
{
    connect(m_recorder, &Recorder::statusChanged, this, &Workspace::recordingChanged);
    connect(m_recorder, &Recorder::stopped, this, &Workspace::recordingChanged);
    // Stopping confirms where the recording went (an error says so itself, below).
    connect(m_recorder, &Recorder::stopped, this, [this] {
        if (!m_recordingError.isEmpty() || m_recorder->fileName().isEmpty())
            return;
        emit message(tr("Recording saved to %1 (%Ln event(s))", nullptr,
                        int(qMin<qint64>(m_recorder->eventsWritten(), INT_MAX)))
                         .arg(QDir::toNativeSeparators(m_recorder->fileName())),
                     15000);
    });
    connect(m_recorder, &Recorder::errorOccurred, this, [this](const QString &error) {
        // Monitoring goes on; what was written stays on disk.
        m_recordingError = error;
        emit recordingChanged();
        emit message(tr("Recording stopped: %1").arg(error), 15000);
    });
}

quint16 Workspace::addConnection(const QString &name, const Sse::ClientOptions &options,
                                 ConnectionManager::Start start)
{
    return m_connections.add(name, options, start);
}

quint16 Workspace::addProxy(const QString &name, const ProxySettings &settings,
                            ConnectionManager::Start start)
{
    return m_connections.addProxy(name, settings, start);
}

void Workspace::updateProxy(quint16 id, const QString &name, const ProxySettings &settings)
{
    m_connections.updateProxy(id, name, settings);
    saveConnections();
}

QString Workspace::uniqueConnectionName(const QString &name) const
{
    QSet<QString> taken;
    for (const ConnectionEntry &entry : m_connections.model()->entries())
        taken.insert(entry.name);
    if (!taken.contains(name))
        return name;
    for (int number = 2;; ++number) {
        const QString candidate = QStringLiteral("%1 (%2)").arg(name).arg(number);
        if (!taken.contains(candidate))
            return candidate;
    }
}

quint16 Workspace::openDemo()
{
    if (!m_demo) {
        m_demo = std::make_unique<Sse::DemoServer>();
        if (!m_demo->listen()) {
            const QString error = m_demo->errorString();
            m_demo.reset();
            emit demoFailed(error);
            return 0;
        }
    }
    // Reuse the demo connection (its port changes between runs).
    if (const ConnectionEntry *entry = m_connections.entry(m_demoConnection)) {
        Sse::ClientOptions options = entry->options;
        options.url = m_demo->streamUrl();
        m_connections.update(entry->id, entry->name, options);
        m_connections.open(entry->id);
        return entry->id;
    }
    Sse::ClientOptions options;
    options.url = m_demo->streamUrl();
    m_demoConnection = m_connections.add(tr("Demo stream"), options);
    return m_demoConnection;
}

Workspace::OpenResult Workspace::openConnection(quint16 id)
{
    const ConnectionEntry *entry = m_connections.entry(id);
    if (!entry)
        return OpenResult::NotFound;
    if (!entry->missingSecrets.isEmpty()) {
        m_startWhenComplete.insert(id);
        return OpenResult::NeedsSecrets;
    }
    m_connections.open(id);
    return OpenResult::Opened;
}

void Workspace::updateConnection(quint16 id, const QString &name, const Sse::ClientOptions &options)
{
    const ConnectionEntry *entry = m_connections.entry(id);
    if (!entry || entry->offline)
        return;
    const QList<QByteArray> missing = entry->missingSecrets;
    QList<QByteArray> stillMissing;
    for (const QByteArray &secret : missing) {
        if (Sse::secretMissing(secret, options))
            stillMissing.append(secret);
    }
    if (isDemo(id) && m_demo && options.url != m_demo->streamUrl())
        m_demoConnection = 0; // pointed elsewhere, it is an ordinary connection now
    m_connections.setMissingSecrets(id, stillMissing);
    m_connections.update(id, name, options);
    if (!missing.isEmpty() && stillMissing.isEmpty() && m_startWhenComplete.remove(id))
        m_connections.open(id);
    saveConnections();
}

void Workspace::cancelPendingStart(quint16 id)
{
    m_startWhenComplete.remove(id);
}

quint16 Workspace::duplicateConnection(quint16 id)
{
    const ConnectionEntry *entry = m_connections.entry(id);
    if (!entry || !isStream(*entry))
        return 0; // a copy of a proxy could not listen on its port
    const QList<QByteArray> missing = entry->missingSecrets;
    const QString name = tr("%1 (copy)").arg(entry->name);
    // The copy of a connection without its secrets waits for them too.
    const quint16 copy = m_connections.add(name, entry->options,
                                           missing.isEmpty() ? ConnectionManager::Start::Now
                                                             : ConnectionManager::Start::Later);
    if (!missing.isEmpty())
        m_connections.setMissingSecrets(copy, missing);
    saveConnections();
    return copy;
}

void Workspace::removeConnection(quint16 id)
{
    if (!m_connections.entry(id))
        return;
    m_connections.remove(id);
    saveConnections();
}

bool Workspace::setEventsMarked(const QList<qint64> &sequences, bool marked)
{
    qsizetype refused = 0;
    const QList<qint64> changed = m_log->setMarked(sequences, marked, &refused);
    if (m_recorder->isRecording()) {
        for (qint64 sequence : changed)
            recordAnnotation(sequence);
    }
    return refused == 0;
}

bool Workspace::setEventNote(qint64 sequence, const QString &note)
{
    const EventStore &store = m_log->store();
    if (!store.contains(sequence) || store.isMarker(sequence))
        return false;
    if (m_log->annotations().note(sequence) == note)
        return true;
    if (!m_log->setNote(sequence, note))
        return false;
    recordAnnotation(sequence);
    return true;
}

void Workspace::recordAnnotation(qint64 sequence)
{
    const EventStore &store = m_log->store();
    const quint16 connection = store.connection(sequence);
    if (!m_recorder->isRecording() || !isRecorded(connection))
        return;
    AnnotationRecord record;
    record.timeMs = QDateTime::currentMSecsSinceEpoch();
    record.eventTimeMs = store.time(sequence);
    record.eventIndex = eventIndexOf(store, sequence);
    record.type = store.type(sequence);
    record.marked = m_log->annotations().isMarked(sequence);
    record.note = m_log->annotations().note(sequence);
    m_recorder->recordAnnotation(connection, record);
}

void Workspace::clearEvents()
{
    m_log->clear();
    m_catalog->clear();
    m_llm->clear();
}

void Workspace::setAlertRules(quint16 id, const QList<AlertRule> &rules)
{
    m_alerts->setRules(id, rules);
    saveConnections();
}

void Workspace::setStallAfter(quint16 id, qint64 seconds)
{
    ConnectionEntry *entry = m_connections.model()->entry(id);
    if (!entry)
        return;
    Sse::HealthSettings settings = entry->healthMonitor.settings();
    settings.stallAfterMs = qMax<qint64>(0, seconds) * 1000;
    entry->healthMonitor.setSettings(settings);
    m_connections.checkHealth(id);
    saveConnections();
}

int Workspace::restoreConnections()
{
    int restored = 0;
    const QList<SavedConnection> saved = SavedConnections::load(QSettings());
    for (const SavedConnection &connection : saved) {
        if (connection.demo) {
            openDemo();
            ++restored;
            continue;
        }
        if (!connection.options.url.isValid())
            continue;
        const auto start =
            connection.open ? ConnectionManager::Start::Now : ConnectionManager::Start::Later;
        if (connection.kind == SavedConnection::Kind::Proxy) {
            addProxy(connection.name, connection.proxy, start);
            ++restored;
            continue;
        }
        // Secret values are not in the settings: the connection waits for the secret store.
        const quint16 id = m_connections.add(
            connection.name, connection.options,
            connection.secretHeaders.isEmpty() ? start : ConnectionManager::Start::Later);
        m_alerts->setRules(id, connection.alerts);
        if (ConnectionEntry *entry = m_connections.model()->entry(id);
            entry && connection.stallAfterSeconds > 0) {
            Sse::HealthSettings settings;
            settings.stallAfterMs = connection.stallAfterSeconds * 1000;
            entry->healthMonitor.setSettings(settings);
        }
        if (!connection.secretHeaders.isEmpty())
            requestSecrets(id, connection, start);
        ++restored;
    }
    return restored;
}

void Workspace::saveConnections()
{
    QSettings settings;
    QSet<QString> previousIds;
    for (const SavedConnection &previous : SavedConnections::load(settings)) {
        if (!previous.secretsId.isEmpty())
            previousIds.insert(previous.secretsId);
    }
    QList<SavedConnection> connections;
    QSet<QString> currentIds;
    for (const ConnectionEntry &entry : m_connections.model()->entries()) {
        if (entry.offline || entry.parentId != 0)
            continue;
        if (entry.proxyListener) {
            SavedConnection saved;
            saved.name = entry.name;
            saved.kind = SavedConnection::Kind::Proxy;
            saved.proxy = *entry.proxyListener;
            saved.options.url = saved.proxy.upstream;
            saved.open = entry.state != Sse::Client::State::Closed
                && entry.state != Sse::Client::State::Idle;
            connections.append(saved);
            continue;
        }
        // Secret header values never go to the settings: only their names, and the id of
        // their entry in the secret store.
        SavedConnection saved =
            SavedConnection::fromOptions(entry.name, entry.options, Sse::SecretHandling::Exclude);
        saved.demo = isDemo(entry.id);
        saved.alerts = m_alerts->rules(entry.id);
        saved.stallAfterSeconds = entry.healthMonitor.settings().stallAfterMs / 1000;
        const bool active =
            entry.state != Sse::Client::State::Closed && entry.state != Sse::Client::State::Idle;
        saved.open = active || m_startWhenComplete.contains(entry.id);
        const SecretStore::Headers secrets = SecretStore::secretHeaders(entry.options.headers)
            + Sse::nonHeaderSecrets(entry.options);
        if (!secrets.isEmpty()) {
            QString &secretsId = m_secretIds[entry.id];
            if (secretsId.isEmpty())
                secretsId = QUuid::createUuid().toString(QUuid::WithoutBraces);
            saved.secretsId = secretsId;
            currentIds.insert(secretsId);
            // Values still unknown are not written over what the keychain may hold.
            if (!entry.secretsPending && entry.missingSecrets.isEmpty())
                m_secrets->save(secretsId, secrets);
        }
        connections.append(saved);
    }
    for (const QString &stale : std::as_const(previousIds)) {
        if (!currentIds.contains(stale))
            m_secrets->remove(stale);
    }
    SavedConnections::save(settings, connections);
}

void Workspace::requestSecrets(quint16 id, const SavedConnection &saved,
                               ConnectionManager::Start start)
{
    if (!saved.secretsId.isEmpty())
        m_secretIds.insert(id, saved.secretsId);
    // Start::Now: open it as soon as every secret is known.
    if (start == ConnectionManager::Start::Now)
        m_startWhenComplete.insert(id);
    m_connections.setSecretsPending(id);
    const QList<QByteArray> names = saved.secretHeaders;
    if (saved.secretsId.isEmpty()) {
        fillSecrets(id, names, {}); // nothing was ever stored for it (an imported profile)
        return;
    }
    m_secrets->load(saved.secretsId, this,
                    [this, id, names](const SecretStore::LoadResult &result) {
                        fillSecrets(id, names, result);
                    });
}

void Workspace::fillSecrets(quint16 id, const QList<QByteArray> &names,
                            const SecretStore::LoadResult &result)
{
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
        const auto found = std::find_if(result.headers.cbegin(), result.headers.cend(), sameName);
        const QByteArray value = found != result.headers.cend() ? found->second : QByteArray();
        // An unknown value stays as an empty row, for the dialog to ask for it.
        options.headers.append({header, value});
        if (value.isEmpty())
            missing.append(header);
    }
    Sse::applyNonHeaderSecrets(&options);
    m_connections.setMissingSecrets(id, missing);
    m_connections.update(id, name, options);
    if (missing.isEmpty()) {
        if (m_startWhenComplete.remove(id))
            m_connections.open(id);
        return;
    }
    QStringList list;
    for (const QByteArray &header : std::as_const(missing))
        list.append(SavedConnections::secretLabel(header));
    if (noteKeychainUnavailable(result.errorString)) {
        emit message(tr("%1: no value for %2. Edit the connection to enter it.")
                         .arg(name, list.join(QStringLiteral(", "))),
                     20000);
        return;
    }
    emit message(tr("%1: no value for %2 (%3). Edit the connection to enter it.")
                     .arg(name, list.join(QStringLiteral(", ")),
                          result.errorString.isEmpty() ? tr("not saved") : result.errorString),
                 20000);
}

bool Workspace::noteKeychainUnavailable(const QString &details)
{
    if (m_secrets->availability() != SecretStore::Availability::Unavailable)
        return false;
    if (!m_keychainReported) {
        m_keychainReported = true;
        emit keychainUnavailable(details);
    }
    return true;
}

void Workspace::reportSecretsSaved(const QString &secretsId, SecretStore::Location location,
                                   const QString &error)
{
    if (location == SecretStore::Location::Keychain)
        return;
    // Without a keychain the banner says it once, not a message per save.
    if (location == SecretStore::Location::NotSaved && noteKeychainUnavailable(error))
        return;
    const ConnectionEntry *entry = m_connections.entry(m_secretIds.key(secretsId));
    const QString name = entry ? entry->name : QString();
    emit message(location == SecretStore::Location::SettingsFile
                     ? tr("The secret headers of %1 were written to the settings file in plain "
                          "text: %2")
                           .arg(name, error)
                     : tr("The secret headers of %1 were not saved (%2); they will be asked "
                          "for next time. Connection > Store Secrets in Plain Text allows "
                          "keeping them in the settings file.")
                           .arg(name, error),
                 20000);
}

QList<Sse::Profile> Workspace::liveProfiles() const
{
    QList<Sse::Profile> profiles;
    for (const ConnectionEntry &entry : m_connections.model()->entries()) {
        if (isStream(entry))
            profiles.append({entry.name, entry.options});
    }
    return profiles;
}

bool Workspace::exportConnections(const QString &path, Sse::SecretHandling secrets,
                                  QString *errorString)
{
    QList<SavedConnection> connections;
    for (const ConnectionEntry &entry : m_connections.model()->entries()) {
        if (!isStream(entry))
            continue; // profiles files are for streams (sse-monitor-cli --profile)
        // Secrets that are not written (excluded, or unknown) are listed by name, so that an
        // import and sse-monitor-cli know what to ask for.
        SavedConnection saved = SavedConnection::fromOptions(entry.name, entry.options, secrets);
        saved.demo = isDemo(entry.id);
        saved.alerts = m_alerts->rules(entry.id);
        connections.append(saved);
    }
    return SavedConnections::writeFile(path, connections, secrets, errorString);
}

SavedConnections::Import Workspace::importConnections(const QString &path)
{
    SavedConnections::Import result = SavedConnections::import(path, liveProfiles());
    for (const SavedConnection &connection : std::as_const(result.added)) {
        const quint16 id =
            m_connections.add(connection.name, connection.options, ConnectionManager::Start::Later);
        m_alerts->setRules(id, connection.alerts);
        if (!connection.secretHeaders.isEmpty())
            requestSecrets(id, connection, ConnectionManager::Start::Later);
    }
    if (!result.added.isEmpty())
        saveConnections();
    return result;
}

void Workspace::setPlainTextSecrets(bool enabled)
{
    m_secrets->setPlainTextFallback(enabled);
    saveConnections();
}

bool Workspace::isRecorded(quint16 id) const
{
    if (m_recordedConnections.isEmpty() || m_recordedConnections.contains(id))
        return true;
    // Recording a proxy records its exchanges.
    const ConnectionEntry *entry = m_connections.entry(id);
    return entry && entry->parentId != 0 && m_recordedConnections.contains(entry->parentId);
}

bool Workspace::isRecording() const
{
    return m_recorder->isRecording();
}

bool Workspace::startRecording(const QString &path, RawCapture raw, quint16 onlyConnection)
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
    if (raw == RawCapture::On) {
        QString rawPath = path;
        if (rawPath.endsWith(QLatin1String(".jsonl")))
            rawPath.chop(6);
        options.rawCapturePath = rawPath + QStringLiteral(".raw.sse");
    }
    m_connections.setRawCapture(raw == RawCapture::On);
    if (!m_recorder->start(path, options)) {
        m_recordingError = m_recorder->errorString();
        m_connections.setRawCapture(false);
        emit recordingChanged();
        return false;
    }
    for (const ConnectionEntry &entry : m_connections.model()->entries()) {
        if (entry.offline || !isRecorded(entry.id))
            continue;
        m_recorder->addConnection(entry.id, entry.name, entry.options.url, entry.options.headers);
    }
    emit recordingChanged();
    return true;
}

void Workspace::stopRecording()
{
    m_connections.setRawCapture(false);
    m_recorder->stop();
    emit recordingChanged();
}

void Workspace::recordState(quint16 id, Sse::Client::State state)
{
    if (!m_recorder->isRecording() || !isRecorded(id))
        return;
    const ConnectionEntry *entry = m_connections.entry(id);
    if (!entry || entry->lastChange.state != state)
        return;
    const Sse::JsonLines::StateRecord record = Sse::JsonLines::stateRecord(entry->lastChange);
    m_recorder->recordState(id, record);
}

ExportJob *Workspace::exportEvents(ExportFormat format, const QString &path,
                                   const QList<qint64> &sequences,
                                   const QList<QByteArray> &jsonPaths, RuleColumn ruleColumn)
{
    if (m_exportJob && m_exportJob->isRunning())
        return nullptr;
    ExportOptions options;
    options.jsonPaths = jsonPaths;
    if (ruleColumn == RuleColumn::With) {
        options.ruleColumn = true;
        for (const ColouringRule &rule : m_colouringRules->rules()) {
            const Sse::FilterExpression expression = Sse::FilterExpression::parse(rule.expression);
            if (rule.enabled && expression.isValid() && !expression.isEmpty())
                options.rules.append({rule.name, expression, rule.background, rule.foreground});
        }
    }
    for (const ConnectionEntry &entry : m_connections.model()->entries()) {
        options.connectionNames.insert(entry.id, entry.name);
        options.connectionUrls.insert(entry.id, entry.options.url);
    }
    auto *job = new ExportJob(m_log, this);
    connect(job, &ExportJob::finished, this, [this, job, path](bool ok, const QString &error) {
        emit message(ok ? tr("Exported to %1").arg(path) : tr("Export failed: %1").arg(error),
                     10000);
        job->deleteLater();
    });
    if (!job->start(format, path, sequences, options)) {
        job->deleteLater();
        return nullptr;
    }
    m_exportJob = job;
    emit exportStarted(job);
    return job;
}

LogImporter *Workspace::openRecording(const QString &path)
{
    auto *importer = new LogImporter(this);
    const QString base = QFileInfo(path).fileName();
    importer->setDefaultConnectionName(base);
    auto ids = std::make_shared<QHash<QString, quint16>>();
    auto idFor = [this, ids, path, base](const QString &name) {
        auto it = ids->constFind(name);
        if (it != ids->constEnd())
            return *it;
        const QString shown = name == base ? base : name + QStringLiteral(" · ") + base;
        const quint16 id = m_connections.addOffline(shown, QUrl::fromLocalFile(path));
        ids->insert(name, id);
        return id;
    };
    // A connection of the recording appears with its first event: one that has none (a
    // recorded stream that never sent anything) is skipped.
    auto annotations = std::make_shared<PendingAnnotations>();
    connect(importer, &LogImporter::eventsLoaded, this,
            [this, idFor, annotations](const QString &name, const Sse::EventList &events) {
                if (annotations->begin < 0)
                    annotations->begin = m_log->store().endSequence();
                m_connections.ingestOffline(idFor(name), events);
            });
    connect(importer, &LogImporter::llmLoaded, this,
            [this, idFor](const QString &name, const QList<LogReader::LlmRecord> &records) {
                for (const LogReader::LlmRecord &record : records)
                    m_llm->addSummary(idFor(name), record.timeMs, record.summary);
            });
    connect(importer, &LogImporter::annotationsLoaded, this,
            [idFor, annotations](const QString &name, const QList<AnnotationRecord> &records) {
                const quint16 id = idFor(name);
                for (const AnnotationRecord &record : records)
                    annotations->records[{id, record.eventTimeMs}][record.eventIndex] = record;
            });
    connect(importer, &LogImporter::progress, this, [this, base](int percent) {
        emit message(tr("Opening %1… %2%").arg(base).arg(percent), 0);
    });
    connect(importer, &LogImporter::finished, this,
            [this, importer, base, ids, annotations](const LogImporter::Statistics &stats) {
                applyAnnotations(m_log, *annotations);
                QString text = stats.error.isEmpty()
                    ? tr("Opened %1: %Ln event(s)", nullptr,
                         int(qMin<qint64>(stats.events, INT_MAX)))
                          .arg(base)
                    : tr("Could not open %1: %2").arg(base, stats.error);
                if (stats.skippedLines > 0)
                    text += tr(" (%n unreadable line(s) skipped, e.g. %1)", nullptr,
                               int(stats.skippedLines))
                                .arg(stats.warnings.value(0));
                emit message(text, 15000);
                if (stats.error.isEmpty() && !ids->isEmpty()) {
                    QList<quint16> opened = ids->values();
                    std::sort(opened.begin(), opened.end());
                    emit recordingOpened(base, opened);
                }
                importer->deleteLater();
            });
    if (!importer->start(path)) {
        importer->deleteLater();
        return nullptr;
    }
    return importer;
}

void Workspace::replayRecording(const QString &path, double speed)
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
                m_replayers.insert(id, replayer);
                connect(replayer, &Replayer::eventsReplayed, this,
                        [this, id](const Sse::EventList &batch) {
                            m_connections.ingestOffline(id, batch);
                            updateReplayStatus(id);
                        });
                connect(replayer, &Replayer::stateChanged, this,
                        [this, id] { updateReplayStatus(id); });
                connect(replayer, &Replayer::finished, replayer, &QObject::deleteLater);
                connect(&m_connections, &ConnectionManager::connectionRemoved, replayer,
                        [replayer, id](quint16 removed) {
                            if (removed == id)
                                replayer->deleteLater();
                        });
                replayer->play();
                emit replayStarted(id);
            });
    if (!importer->start(path))
        importer->deleteLater();
}

Replayer *Workspace::replayer(quint16 id) const
{
    return m_replayers.value(id);
}

void Workspace::updateReplayStatus(quint16 id)
{
    ConnectionEntry *entry = m_connections.model()->entry(id);
    const Replayer *replayer = m_replayers.value(id);
    if (!entry || !replayer)
        return;
    const QString progress = QStringLiteral("%1/%2").arg(replayer->position()).arg(replayer->count());
    const QString speed = replayer->speed() <= 0
        ? tr("as fast as possible")
        : QStringLiteral("%1\u00d7").arg(replayer->speed());
    switch (replayer->state()) {
    case Replayer::State::Playing:
        entry->replayStatus = tr("Replaying %1 \u00b7 %2").arg(speed, progress);
        break;
    case Replayer::State::Paused:
        entry->replayStatus = tr("Replay paused \u00b7 %1").arg(progress);
        break;
    case Replayer::State::Stopped:
        entry->replayStatus = tr("Replay stopped \u00b7 %1").arg(progress);
        break;
    case Replayer::State::Finished:
        entry->replayStatus = tr("Replayed \u00b7 %1").arg(progress);
        break;
    }
    m_connections.model()->touch(id);
}

void Workspace::pauseReplay(quint16 id)
{
    if (Replayer *replayer = m_replayers.value(id))
        replayer->pause();
}

void Workspace::resumeReplay(quint16 id)
{
    if (Replayer *replayer = m_replayers.value(id))
        replayer->resume();
}

void Workspace::stopReplay(quint16 id)
{
    if (Replayer *replayer = m_replayers.value(id)) {
        // The position is what was played; stop() rewinds it, so report first.
        replayer->pause();
        ConnectionEntry *entry = m_connections.model()->entry(id);
        if (entry) {
            entry->replayStatus = tr("Replay stopped \u00b7 %1/%2")
                                      .arg(replayer->position())
                                      .arg(replayer->count());
            m_connections.model()->touch(id);
        }
        m_replayers.remove(id);
        replayer->disconnect(this);
        replayer->stop();
        replayer->deleteLater();
    }
}

void Workspace::setReplaySpeed(quint16 id, double speed)
{
    if (Replayer *replayer = m_replayers.value(id)) {
        replayer->setSpeed(speed);
        updateReplayStatus(id);
    }
}

bool Workspace::runDiagnostics(quint16 id, int durationMs)
{
    const ConnectionEntry *entry = m_connections.entry(id);
    if (!entry || !isStream(*entry))
        return false; // nothing live to check (a proxy's exchange is not sent again)
    emit diagnosticsStarted(id, entry->name, durationMs);
    m_diagnostics->run(entry->options, durationMs);
    return true;
}

void Workspace::setUpFieldTools()
{
    m_colouringRules = new ColouringRules(this);
    m_colouringRules->load();
    connect(m_colouringRules, &ColouringRules::rulesChanged, this,
            [this] { m_colouringRules->save(); });
    m_log->setColouringRules(m_colouringRules);
    m_log->setFieldColumns(FieldColumns::load());
    connect(m_log, &EventLogModel::fieldColumnsChanged, this,
            [this] { FieldColumns::save(m_log->fieldColumns()); });
}
