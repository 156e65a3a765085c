#pragma once

#include "sselib/filterexpression.h"
#include "sselib/healthmonitor.h"
#include "sselib/sseevent.h"

#include <QCommandLineOption>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>

#include <functional>

namespace Sse {
class Client;
class HealthWatcher;
} // namespace Sse

/// The stream command's assertions for CI (--expect, --within, --expect-all, --max-silence,
/// --expect-no-gaps, --expect-complete, --expect-count) and their report (the `assertion`
/// records and --junit). Each assertion is open until the stream decides it; the run can end
/// as soon as every assertion is decided, or one failed (isSettled()); resolve() decides the
/// rest when the run ends for another reason (--timeout, --max-events, the stream closed).
///
/// Silence, id gaps and the LLM verdict come from the shared health engine (the
/// Sse::HealthWatcher of the run); the expressions are the --filter language.
class Assertions : public QObject
{
public:
    explicit Assertions(QObject *parent = nullptr);
    ~Assertions() override;

    /// The options, for the command's QCommandLineParser (values are read by parse()).
    static QList<QCommandLineOption> options();

    /// Reads the assertion options from the raw command line \a arguments, in order, so that
    /// each --within belongs to the --expect before it. Returns a usage error, or empty.
    QString parse(const QStringList &arguments);
    bool isEmpty() const { return m_items.isEmpty(); }
    QString junitPath() const { return m_junitPath; }
    bool needsLlm() const;
    /// \a base with the stall threshold of --max-silence, when given.
    Sse::HealthSettings healthSettings(Sse::HealthSettings base) const;

    /// The run starts now: deadlines of --within run from here. \a watcher watches \a client
    /// and outlives the run; \a connection is what an expression's `connection` reads.
    void start(Sse::Client *client, Sse::HealthWatcher *watcher, const QByteArray &connection);
    /// Called once the outcome is known (after a decision; not from resolve()).
    void setSettledHandler(std::function<void()> handler) { m_settled = std::move(handler); }

    /// One event of the stream; \a printed = it passed --filter (what --expect-count counts).
    void addEvent(const Sse::EventView &event, qint64 seq, bool printed);

    /// The run ends: every open assertion is decided now. \a connectionError (when the
    /// connection failed) goes into the details of those that failed for want of events.
    void resolve(const QString &connectionError);
    bool isSettled() const;
    bool anyFailed() const;

    /// One `{"kind":"assertion","name":..,"passed":..,"detail":..}` line per assertion.
    void appendRecords(QByteArray &out) const;
    /// The JUnit XML report, one testcase per assertion, in a testsuite named \a suite (plus
    /// a testcase "connection" with an error when \a connectionError is not empty). Returns
    /// an error message, or empty.
    QString writeJUnit(const QString &suite, const QString &connectionError) const;

private:
    struct Item
    {
        enum class Kind { Expect, ExpectAll, MaxSilence, NoGaps, Complete, Count };
        enum class Status { Open, Passed, Failed };
        Kind kind = Kind::Expect;
        QString name;
        Sse::FilterExpression expression;
        qint64 withinMs = 0; // Expect: 0 = any time during the run
        qint64 silenceMs = 0; // MaxSilence
        qint64 minimum = 0; // Count
        qint64 maximum = -1; // Count: -1 = no upper bound
        qint64 seen = 0; // events looked at (ExpectAll) or counted (Count)
        Status status = Status::Open;
        QString detail;
        qint64 decidedAtMs = 0; // since the start of the run
    };

    void decide(Item &item, Item::Status status, const QString &detail);
    void afterDecision();
    void checkHealth();
    void checkLlm(bool responseEnded);
    qint64 elapsedMs() const;

    QList<Item> m_items;
    QString m_junitPath;
    QPointer<Sse::HealthWatcher> m_watcher;
    QPointer<Sse::Client> m_client;
    QByteArray m_connection;
    qint64 m_events = 0;
    qint64 m_startMs = 0;
    std::function<void()> m_settled;
    bool m_resolved = false;
};
