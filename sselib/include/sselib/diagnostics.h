#pragma once

#include "sselib/sseclient.h"
#include "sselib/sseevent.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPair>
#include <QPointer>
#include <QString>
#include <QUrl>

#include <memory>

namespace Sse {

/// One result of a stream check: what was seen and what to change on the server.
struct Finding
{
    enum Severity {
        Pass,    ///< the check succeeded
        Info,    ///< worth knowing, not a problem by itself
        Warning, ///< works, but some clients or proxies will misbehave
        Failure, ///< browsers' EventSource will not work as intended
    };
    Severity severity = Pass;
    QString id;       ///< stable, machine-readable: "response.cache-control"
    QString category; ///< "Response", "Delivery", "Resumability", "Keep-alive", "Format"
    QString title;    ///< one line: what was checked and the verdict
    QString detail;   ///< what was observed
    QString advice;   ///< what to change on the server; empty for a pass
};

QString severityName(Finding::Severity severity);

/// Figures about the observed stream. Times in ms, sizes in bytes of event data;
/// -1 means "not observed".
struct DiagnosticsStatistics
{
    qint64 durationMs = 0;
    qint64 events = 0;
    qint64 bytes = 0; ///< body bytes (after decompression)
    qint64 comments = 0;
    qint64 responses = 0; ///< 1 + reconnects
    double eventsPerSecond = 0;
    QList<QPair<QByteArray, qint64>> eventsByType; ///< most frequent first
    /// Events whose type is not in eventsByType: the table keeps at most 1,000 types of at
    /// most 256 bytes (so a stream of ever new or huge types cannot grow the check's memory).
    qint64 eventsOfOtherTypes = 0;
    qint64 minimumSize = -1;
    qint64 medianSize = -1;
    qint64 maximumSize = -1;
    qint64 interArrivalP50Ms = -1;
    qint64 interArrivalP99Ms = -1;
    qint64 longestSilenceMs = -1;
    qint64 timeToHeadersMs = -1;
    qint64 timeToFirstByteMs = -1;
    qint64 timeToFirstEventMs = -1;
};

struct DiagnosticsReport
{
    QUrl url;
    QList<Finding> findings;
    DiagnosticsStatistics statistics;

    bool hasFailures() const { return count(Finding::Failure) > 0; }
    int count(Finding::Severity severity) const;
    /// The finding with \a id, or nullptr.
    const Finding *find(const QString &id) const;
    /// A readable multi-line report, for a terminal.
    QString toText() const;
    /// The statistics block of toText() (from its "Statistics" heading on).
    QString statisticsText() const;
    QJsonObject toJson() const;
};

/// Observes a live stream and reports findings about the server's behaviour.
///
/// Either attach() it to a Client (it turns on the client's raw capture), use
/// run() to let it open its own client for a while, or feed it directly with
/// begin(), addResponse(), addBytes() and end() (tests, recordings). It runs its
/// own Parser over the raw body bytes and scans the lines itself, so it sees
/// line-level facts the client does not report. Lives in its creator's thread.
class StreamDiagnostics : public QObject
{
    Q_OBJECT
public:
    struct Settings
    {
        int silenceThresholdMs = 30000;      ///< a longer silence is a keep-alive warning
        qsizetype largeEventBytes = 1 << 20; ///< larger event data is a warning
        int burstMinimumEvents = 5;          ///< events in one read that make a burst...
        int burstMinimumGapMs = 250;         ///< ...after at least this much silence
        bool resumeCheck = true;             ///< force one reconnect to test Last-Event-ID
        int resumeAfterEvents = 3;           ///< events with ids before the forced reconnect
    };

    explicit StreamDiagnostics(QObject *parent = nullptr);
    ~StreamDiagnostics() override;
    Q_DISABLE_COPY(StreamDiagnostics)

    void setSettings(const Settings &settings);
    Settings settings() const;

    /// Observe \a client from now on (raw capture is enabled on it). The client
    /// must live in this object's thread. With Settings::resumeCheck the
    /// diagnostics call client->reconnectNow() once.
    void attach(Client *client);
    void detach();

    /// Opens a client of its own with \a options, observes it for \a durationMs,
    /// closes it and emits finished(). Ends early if the connection fails.
    void run(const ClientOptions &options, int durationMs);
    bool isRunning() const;
    /// Ends a run() now (emits finished()).
    void stop();

    /// Direct feeding. Times are ms on any monotonic-enough clock (wall clock by default).
    void begin(const QUrl &url, qint64 nowMs);
    void addResponse(int status, const QList<QPair<QByteArray, QByteArray>> &headers,
                     bool http2, qint64 nowMs);
    void addBytes(const QByteArray &bytes, qint64 nowMs);
    void addError(const QString &message);
    void end(qint64 nowMs);

    /// Findings and statistics for what was observed so far.
    DiagnosticsReport report() const;
    QString toText() const { return report().toText(); }
    bool hasFailures() const { return report().hasFailures(); }

Q_SIGNALS:
    /// A run() ended; report() holds the result.
    void finished();
    /// Events were observed (for a progress display).
    void eventsObserved(qint64 total);

private:
    class Private;
    std::unique_ptr<Private> d;
};

} // namespace Sse

Q_DECLARE_METATYPE(Sse::Finding)
Q_DECLARE_METATYPE(Sse::DiagnosticsReport)
