#pragma once

#include "session/proxysettings.h"

#include "sselib/healthmonitor.h"
#include "sselib/sseclient.h"
#include "sselib/staterecord.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QList>
#include <QSet>

#include <optional>

QT_BEGIN_NAMESPACE
class QIcon;
QT_END_NAMESPACE

/// One line of a connection's log: every state change with its context.
struct ConnectionLogEntry
{
    qint64 timeMs = 0;
    Sse::Client::State state = Sse::Client::State::Idle;
    QString detail;           ///< reason, error or HTTP status text
    int httpStatus = 0;
    qint64 retryMs = -1;      ///< delay of a scheduled reconnect
    int attempt = 0;
    QByteArray lastEventId;   ///< sent with the request (Connecting entries)
    bool gap = false;         ///< a gap in numeric ids was seen after a resume
    /// A change of the health verdict (state is the connection's state at that moment).
    bool healthChange = false;
    Sse::HealthVerdict verdict = Sse::HealthVerdict::Unknown;
};

/// Per event type statistics of one connection.
struct TypeStatistics
{
    qint64 count = 0;
    qint64 bytes = 0;
    qint64 lastMs = 0;
    qint64 intervalSumMs = 0;
    qint64 intervals = 0;
    qint64 maxIntervalMs = 0;
};

/// Everything the GUI knows about one connection; updated from the client's
/// signals on the GUI thread (the client itself lives in the network thread).
struct ConnectionEntry
{
    quint16 id = 0;
    QString name;
    Sse::ClientOptions options;
    bool offline = false;     ///< an opened recording, not a live stream
    /// What a replay is doing ("Replaying 10× · 288/725"); empty for an opened recording.
    QString replayStatus;
    /// Secret headers whose values are not known (not in the keychain, or no keychain): the
    /// connection does not start until the user enters them.
    QList<QByteArray> missingSecrets;
    bool secretsPending = false; ///< waiting for the keychain to hand the secrets over

    Sse::Client::State state = Sse::Client::State::Idle;
    /// The details of the last state change, as the client knew them (what recordings write).
    Sse::StateChange lastChange;
    int attempt = 0;
    qint64 nextAttemptAtMs = 0;
    int reconnectionTimeMs = 3000;
    QString lastError;
    Sse::FailureInfo failure;
    int httpStatus = 0;
    bool http2 = false;       ///< the response of httpStatus came over HTTP/2
    QString proxy; ///< the proxy of the last request ("http://user@host:port"), empty: none
    QList<QPair<QByteArray, QByteArray>> responseHeaders;
    bool bodyEnded = false;   ///< the server ended the current response's body normally
    /// The newest LLM response's verdict (LlmResponseModel::verdictText), empty when none;
    /// llmVerdictKind is its LlmResponseModel::Verdict.
    QString llmVerdict;
    int llmVerdictKind = 0;

    qint64 events = 0;
    /// events as of the last refresh(): the count every view paints (the list, the status
    /// bar), taken on the tick that also inserts the event log's rows, so that they agree.
    qint64 shownEvents = 0;
    qint64 bytes = 0;
    qint64 reconnects = 0;
    bool throttled = false;       ///< the client stopped reading: the window is behind
    qint64 throttleEpisodes = 0;
    qint64 lastThrottleLogMs = 0;
    qint64 throttleEndedMs = 0;   ///< when the last throttled episode ended (wall clock)
    qint64 dropped = 0;           ///< events dropped by the "drop newest" overflow policy
    double rate = 0.0;        ///< events per second over the last second
    qint64 eventsAtLastTick = 0;
    QByteArray lastEventId;
    QByteArray shownLastEventId; ///< lastEventId as of the last refresh(), like shownEvents
    qint64 lastByteMs = 0;
    qint64 lastEventMs = 0;
    qint64 intervalSumMs = 0;
    qint64 intervals = 0;
    qint64 maxIntervalMs = 0;
    /// Received events per type, bounded like Sse::ClientStatistics::eventsByType (overflow row
    /// Sse::ClientStatistics::OtherTypes).
    QHash<QByteArray, TypeStatistics> types;

    // Numeric id tracking, to flag gaps after a resume.
    bool numericIds = true;
    qint64 lastNumericId = -1;
    bool resumed = false;     ///< the next event is the first after a reconnect
    qint64 idGaps = 0;

    /// The health engine of the connection, fed by ConnectionManager on a monotonic clock,
    /// and its verdict as of the last ConnectionManager::checkHealth().
    Sse::HealthMonitor healthMonitor;
    Sse::Health health;

    QList<ConnectionLogEntry> log; ///< capped, oldest dropped
    qint64 logAppended = 0;        ///< entries ever appended to log, dropped ones included

    /// Set for a proxy connection (its row is the listener; state Open = listening).
    std::optional<ProxySettings> proxyListener;
    QString listeningOn;      ///< a proxy: "127.0.0.1:8787" while it listens
    qint64 exchanges = 0;     ///< a proxy: requests it forwarded
    int activeExchanges = 0;  ///< a proxy: exchanges under way
    /// An exchange of the proxy connection with this id (its row sits under the proxy's).
    quint16 parentId = 0;
    bool llmAnalysis = true;  ///< false: the LLM model does not analyse this connection
};

/// The connections panel: one row per connection.
class ConnectionListModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        NameColumn,
        StateColumn,
        HealthColumn,
        EventsColumn,
        RateColumn,
        BytesColumn,
        LastIdColumn,
        UrlColumn,
        ColumnCount
    };
    enum Role { ConnectionIdRole = Qt::UserRole + 1 };
    static constexpr int MaximumLogEntries = 2000;

    explicit ConnectionListModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    ConnectionEntry *add(ConnectionEntry entry);
    void remove(quint16 id);
    ConnectionEntry *entry(quint16 id);
    const ConnectionEntry *entry(quint16 id) const;
    int rowOf(quint16 id) const;
    quint16 idAt(int row) const;
    QList<quint16> ids() const;
    const QList<ConnectionEntry> &entries() const { return m_entries; }

    /// Marks a row for repaint; repaints are coalesced by refresh().
    void touch(quint16 id);
    /// Emits dataChanged for touched rows and for rows counting down; takes the counts the
    /// views show (ConnectionEntry::shownEvents).
    void refresh();
    /// Rates over the time since the previous call.
    void updateRates(qint64 elapsedMs);

    /// "Open", "Reconnecting in 2.4 s (attempt 3)", "Failed: HTTP 404 Not Found", ...
    static QString stateText(const ConnectionEntry &entry, qint64 nowMs);
    static QString stateIconName(Sse::Client::State state);
    /// The state as one translated word ("open", "reconnecting"), for logs.
    static QString stateWord(Sse::Client::State state);
    /// "Stalled: heartbeats only for 45 s", "Healthy" (translated).
    static QString healthText(const Sse::Health &health);
    /// A dot in the verdict's colour (green, orange, red; grey when unknown).
    static QIcon healthIcon(Sse::HealthVerdict verdict);

private:
    QList<ConnectionEntry> m_entries;
    QHash<quint16, int> m_rows; // id -> row: lookups stay O(1) with 100,000 connections
    QSet<quint16> m_touched;
};

/// A byte count for display ("512 bytes", "1.5 KiB"), in the user's locale: the one byte
/// formatter of the GUI.
QString formatBytes(qint64 bytes);
/// A time of day with milliseconds ("14:03:07.125"), for logs and statistics.
QString formatTime(qint64 msSinceEpoch);
