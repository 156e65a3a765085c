#pragma once

#include "models/connectionlistmodel.h"

#include "sselib/sseclient.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QThread>
#include <QTimer>

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>

/// Owns the live connections. Each Sse::Client lives in one shared network
/// thread (with its QNetworkAccessManager pool) and talks to the GUI thread
/// through queued signals only; this class turns those signals into the
/// ConnectionListModel's rows, the connection logs and statistics.
class ConnectionManager : public QObject
{
    Q_OBJECT
public:
    explicit ConnectionManager(QObject *parent = nullptr);
    ~ConnectionManager() override;

    ConnectionListModel *model() { return &m_model; }
    const ConnectionListModel *model() const { return &m_model; }
    const ConnectionEntry *entry(quint16 id) const { return m_model.entry(id); }
    /// The read budget of connection \a id's client (null without a client). A consumer
    /// that keeps a batch past eventsReceived() (the recorder, until it is written) holds
    /// its cost in it, so that the client stops reading while that consumer is behind.
    std::shared_ptr<Sse::FlowControl> flowControl(quint16 id) const;

    /// Bytes of event batches a connection may have on their way to the GUI thread before
    /// its client stops reading the socket.
    static constexpr qint64 FlowBudgetBytes = 4 * 1024 * 1024;
    /// The longest the GUI thread spends on one turn of draining the inboxes.
    static constexpr int DrainSliceMs = 8;
    /// What each connection may apply per round of the drain, in the bytes of
    /// Sse::FlowControl::cost(): the inboxes share the GUI thread by bytes, not by items, so a
    /// connection of small events is not held to one event per flood batch (deficit round
    /// robin).
    static constexpr qint64 DrainQuantumBytes = 256 * 1024;

    enum class Start { Now, Later };
    /// Ids are 16-bit and never handed out twice while they could be confused: an id is skipped
    /// while a connection has it or while setIdInUse()'s check says something (the event log)
    /// still holds data filed under it. When all 65,535 are taken, add() and addOffline() return
    /// 0 and add nothing: events are never filed under another connection.
    static constexpr int MaximumConnections = 65535;
    void setIdInUse(std::function<bool(quint16)> check) { m_idInUse = std::move(check); }
    quint16 add(const QString &name, const Sse::ClientOptions &options, Start start = Start::Now);
    /// A connection that only holds events from an opened recording.
    quint16 addOffline(const QString &name, const QUrl &source);
    void update(quint16 id, const QString &name, const Sse::ClientOptions &options);
    void remove(quint16 id);
    void removeAll();

    /// The connection waits for the keychain to hand its secret header values over.
    void setSecretsPending(quint16 id);
    /// Secret headers whose values are unknown; an empty list clears this and the pending
    /// state. While either is set the connection is not opened: it would go out without its
    /// credentials.
    void setMissingSecrets(quint16 id, const QList<QByteArray> &missing);

    void open(quint16 id);
    void close(quint16 id);
    void reconnectNow(quint16 id);

    /// Forward each client's raw body bytes (rawBytesReceived), for byte-exact recording.
    void setRawCapture(bool enabled);

    /// Re-evaluates every connection's health (the refresh timer calls it 5 times a second):
    /// rows whose health changed are repainted, a change of verdict that involves a problem
    /// goes into the connection log, and every change of verdict is signalled.
    void checkHealth();
    /// The same for one connection (after its state changed).
    void checkHealth(quint16 id);
    /// The monotonic milliseconds the health engines run on (tests inject theirs).
    void setHealthClock(std::function<qint64()> nowMs) { m_healthClock = std::move(nowMs); }
    qint64 healthNow() const { return m_healthClock(); }

    /// A proxy connection: a Sse::ReverseProxy in the network thread, listening as \a settings
    /// say while the connection is open. Every exchange it forwards is counted and logged on
    /// its row; one whose response is an event stream becomes a connection of its own, named
    /// like `POST /v1/chat/completions #3`, whose row sits under the proxy's (parentId) and
    /// whose events arrive like any connection's (parsed in the network thread).
    quint16 addProxy(const QString &name, const ProxySettings &settings, Start start = Start::Now);
    /// New settings: a listening proxy listens again with them.
    void updateProxy(quint16 id, const QString &name, const ProxySettings &settings);
    bool isProxy(quint16 id) const { return m_proxies.contains(id); }

    /// Events from a non-network source (replay, import) counted like live ones.
    void ingestOffline(quint16 id, const Sse::EventList &events);

Q_SIGNALS:
    /// A batch as the client delivered it (or built from an offline source); the receivers
    /// read it in place and keep a copy only if they need one (copies share its buffers).
    void eventsReceived(quint16 id, const Sse::EventBatch &events);
    void stateChanged(quint16 id, Sse::Client::State state);
    void connectionAdded(quint16 id);
    void connectionRemoved(quint16 id);
    void connectionRenamed(quint16 id, const QString &name);
    void logAppended(quint16 id);
    void rawBytesReceived(quint16 id, const QByteArray &bytes);
    void healthChanged(quint16 id, const Sse::Health &health);
    /// The 5 Hz tick: counters, rates and countdowns in the list were just repainted. Every
    /// other view of the counters (status bar, statistics) reads them here, so that all
    /// totals on screen move at the same moment.
    void countersRefreshed();

private:
    void createClient(quint16 id, const Sse::ClientOptions &options);
    void destroyClient(quint16 id);
    void applyStateChange(quint16 id, Sse::StateChange change);
    void applyThrottle(quint16 id, bool throttled);
    void logRedirect(quint16 id, int status, const QUrl &target,
                     const QList<QByteArray> &dropped);
    void applyReconnect(quint16 id, qint64 now, qint64 delayMs, int attempt,
                        const QString &reason);
    void drainInboxes();
    void appendLog(ConnectionEntry *entry, ConnectionLogEntry log);
    /// The entry's new health when it changed what the row shows (logged when the verdict
    /// changed to or from a problem), else nullopt.
    std::optional<Sse::Health> updateHealth(ConnectionEntry *entry, qint64 now);
    void countEvents(ConnectionEntry *entry, const Sse::EventBatch &events);
    /// The entry's row for \a type, or its overflow row once the table is full.
    static TypeStatistics *typeStatistics(ConnectionEntry *entry, const QByteArray &type);
    quint16 allocateId(); // 0 when none is free

    struct Inbox;
    /// Queues \a item for the GUI thread (any thread may call it).
    void post(Inbox &inbox, std::function<void()> item, qint64 cost);
    // Proxy connections (connectionmanagerproxy.cpp).
    struct ProxyHandle;
    enum class ExchangeStage { Started, Responded, Finished };
    void openProxy(quint16 id);
    void closeProxy(quint16 id, const QString &reason);
    void applyListening(quint16 id, quint64 serial, bool listening, const QString &detail);
    void applyExchange(quint16 id, quint64 serial, ExchangeStage stage,
                       const Sse::ProxyExchange &exchange);
    void applyExchangeEvents(quint16 id, quint64 serial, const Sse::ProxyExchange &exchange,
                             const Sse::EventBatch &events);
    void setProxyState(ConnectionEntry *entry, Sse::Client::State state, const QString &detail);
    void skipEvents(quint16 id, quint64 serial, const std::shared_ptr<ProxyHandle> &handle,
                    Inbox &inbox, quint64 exchange, qsizetype count);

    ConnectionListModel m_model;
    QThread m_thread;
    QObject *m_threadContext = nullptr; // lives in m_thread; used to run code there
    QHash<quint16, Sse::Client *> m_clients;
    // Which client a connection has now: a state change of a client already replaced by
    // update() may still be on its way to the GUI thread.
    QHash<quint16, quint64> m_clientSerials;
    // What a client reported, in order, waiting for the GUI thread (see createClient).
    struct Item
    {
        std::function<void()> apply;
        qint64 cost = 0; ///< bytes, as Sse::FlowControl::cost() counts them
    };
    struct Inbox
    {
        std::mutex mutex;
        std::deque<Item> items;
        qint64 deficit = 0; ///< GUI thread only: what this inbox may still apply this round
        std::shared_ptr<Sse::FlowControl> flow; ///< the client's read budget
    };
    QHash<quint16, std::shared_ptr<Inbox>> m_inboxes; // GUI thread only
    // A proxy connection's listener (only its network-thread side touches the proxy itself).
    QHash<quint16, std::shared_ptr<ProxyHandle>> m_proxies;
    // A proxy's exchanges that became connections: proxy id -> exchange number -> id.
    QHash<quint16, QHash<quint64, quint16>> m_exchangeConnections;
    quint16 m_drainResumeAfter = 0; // the round of the next slice starts after this id
    std::atomic<bool> m_drainScheduled{false};
    quint64 m_lastClientSerial = 0;
    QTimer m_refreshTimer;
    QElapsedTimer m_rateClock;
    qint64 m_lastRateTick = 0;
    quint16 m_nextId = 1;
    std::function<bool(quint16)> m_idInUse;
    std::function<qint64()> m_healthClock;
    bool m_rawCapture = false;
};
