#include "assertions.h"

#include "cliarguments.h"

#include "sselib/healthwatcher.h"
#include "sselib/jsonlines.h"
#include "sselib/sseclient.h"

#include <QDateTime>
#include <QSaveFile>
#include <QTimer>
#include <QXmlStreamWriter>

#include <limits>

namespace {

// Seconds for people: 10, 0.25, 45.68.
QString seconds(qint64 ms)
{
    return QString::number(double(ms) / 1000.0, 'g', 4) + QStringLiteral(" s");
}

// "--name VALUE" or "--name=VALUE" at \a i; the value (and i moved past it) when it is one.
bool takeValue(const QStringList &arguments, qsizetype &i, const QString &name, QString *value,
               bool *missing)
{
    const QString &argument = arguments.at(i);
    const QString dashed = QStringLiteral("--") + name;
    if (argument == dashed) {
        if (i + 1 >= arguments.size()) {
            *missing = true;
            return true;
        }
        *value = arguments.at(++i);
        return true;
    }
    if (argument.startsWith(dashed + QLatin1Char('='))) {
        *value = argument.mid(dashed.size() + 1);
        return true;
    }
    return false;
}

} // namespace

Assertions::Assertions(QObject *parent) : QObject(parent) { }

Assertions::~Assertions() = default;

QList<QCommandLineOption> Assertions::options()
{
    return {
        {QStringLiteral("expect"),
         QStringLiteral("Assert that at least one event matches EXPR (the --filter language); "
                        "repeatable."),
         QStringLiteral("EXPR")},
        {QStringLiteral("within"),
         QStringLiteral("The --expect before it must match within SECONDS of the start."),
         QStringLiteral("SECONDS")},
        {QStringLiteral("expect-all"), QStringLiteral("Assert that every event matches EXPR."),
         QStringLiteral("EXPR")},
        {QStringLiteral("max-silence"),
         QStringLiteral("Assert that no data event gap (heartbeat comments do not count) is "
                        "longer than SECONDS, from the moment the stream opens."),
         QStringLiteral("SECONDS")},
        {QStringLiteral("expect-no-gaps"),
         QStringLiteral("Assert that numeric event ids never jump forward.")},
        {QStringLiteral("expect-complete"),
         QStringLiteral("Assert that an LLM response ends with its terminal marker (OpenAI, "
                        "Anthropic, Gemini streams) and reports no error.")},
        {QStringLiteral("expect-count"),
         QStringLiteral("Assert the number of (printed) events: N exactly, N:M, N: (at least) "
                        "or :M (at most)."),
         QStringLiteral("N[:M]")},
        {QStringLiteral("junit"),
         QStringLiteral("Write the assertions' results as a JUnit XML report to FILE."),
         QStringLiteral("FILE")},
    };
}

QString Assertions::parse(const QStringList &arguments)
{
    const QString secondsRange =
        QStringLiteral("from 0.001 to %1 seconds").arg(qint64(CliArguments::MaximumSeconds));
    for (qsizetype i = 1; i < arguments.size(); ++i) {
        if (arguments.at(i) == QStringLiteral("--"))
            break;
        QString value;
        bool missing = false;
        auto taken = [&](const QString &name) {
            return takeValue(arguments, i, name, &value, &missing);
        };
        Item item;
        if (taken(QStringLiteral("expect"))) {
            item.kind = Item::Kind::Expect;
        } else if (taken(QStringLiteral("expect-all"))) {
            item.kind = Item::Kind::ExpectAll;
        } else if (taken(QStringLiteral("within"))) {
            if (missing)
                return QStringLiteral("--within needs SECONDS");
            if (m_items.isEmpty() || m_items.last().kind != Item::Kind::Expect
                || m_items.last().withinMs > 0)
                return QStringLiteral("--within follows the --expect it applies to");
            if (!CliArguments::parseSeconds(value, 0.001, CliArguments::MaximumSeconds,
                                            &m_items.last().withinMs))
                return QStringLiteral("--within takes %1").arg(secondsRange);
            m_items.last().name += QStringLiteral(" within ") + value + QStringLiteral(" s");
            continue;
        } else if (taken(QStringLiteral("max-silence"))) {
            if (missing)
                return QStringLiteral("--max-silence needs SECONDS");
            item.kind = Item::Kind::MaxSilence;
            if (!CliArguments::parseSeconds(value, 0.001, CliArguments::MaximumSeconds,
                                            &item.silenceMs))
                return QStringLiteral("--max-silence takes %1").arg(secondsRange);
            item.name = QStringLiteral("max-silence: ") + value + QStringLiteral(" s");
            m_items.append(item);
            continue;
        } else if (taken(QStringLiteral("expect-count"))) {
            if (missing)
                return QStringLiteral("--expect-count needs N[:M]");
            item.kind = Item::Kind::Count;
            const qint64 maximum = std::numeric_limits<qint64>::max();
            const qsizetype colon = value.indexOf(QLatin1Char(':'));
            bool ok = false;
            if (colon < 0) {
                ok = CliArguments::parseInteger(value, 0, maximum, &item.minimum);
                item.maximum = item.minimum;
            } else {
                const QString low = value.left(colon);
                const QString high = value.mid(colon + 1);
                ok = !(low.isEmpty() && high.isEmpty())
                    && (low.isEmpty() || CliArguments::parseInteger(low, 0, maximum, &item.minimum))
                    && (high.isEmpty()
                        || CliArguments::parseInteger(high, 0, maximum, &item.maximum));
            }
            if (!ok || (item.maximum >= 0 && item.minimum > item.maximum))
                return QStringLiteral("--expect-count takes N, N:M, N: or :M (whole numbers, "
                                      "N <= M), not \"%1\"")
                    .arg(value);
            item.name = QStringLiteral("expect-count: ") + value;
            m_items.append(item);
            continue;
        } else if (arguments.at(i) == QStringLiteral("--expect-no-gaps")) {
            item.kind = Item::Kind::NoGaps;
            item.name = QStringLiteral("expect-no-gaps");
            m_items.append(item);
            continue;
        } else if (arguments.at(i) == QStringLiteral("--expect-complete")) {
            item.kind = Item::Kind::Complete;
            item.name = QStringLiteral("expect-complete");
            m_items.append(item);
            continue;
        } else if (taken(QStringLiteral("junit"))) {
            if (missing || value.isEmpty())
                return QStringLiteral("--junit needs FILE");
            m_junitPath = value;
            continue;
        } else {
            continue;
        }
        // --expect and --expect-all: an expression.
        const QString option = item.kind == Item::Kind::Expect ? QStringLiteral("--expect")
                                                               : QStringLiteral("--expect-all");
        if (missing)
            return option + QStringLiteral(" needs EXPR");
        item.expression = Sse::FilterExpression::parse(value);
        if (!item.expression.isValid())
            return option + QStringLiteral(": ") + item.expression.errorString();
        item.name = option.mid(2) + QStringLiteral(": ") + value;
        m_items.append(item);
    }
    if (!m_junitPath.isEmpty() && m_items.isEmpty())
        return QStringLiteral("--junit needs at least one assertion (--expect, --expect-all, "
                              "--max-silence, --expect-no-gaps, --expect-complete, "
                              "--expect-count)");
    return QString();
}

bool Assertions::needsLlm() const
{
    return std::any_of(m_items.cbegin(), m_items.cend(),
                       [](const Item &item) { return item.kind == Item::Kind::Complete; });
}

Sse::HealthSettings Assertions::healthSettings(Sse::HealthSettings base) const
{
    for (const Item &item : m_items) {
        if (item.kind == Item::Kind::MaxSilence) {
            base.stallAfterMs =
                base.stallAfterMs > 0 ? qMin(base.stallAfterMs, item.silenceMs) : item.silenceMs;
        }
    }
    return base;
}

qint64 Assertions::elapsedMs() const
{
    return m_watcher ? m_watcher->now() - m_startMs : 0;
}

void Assertions::start(Sse::Client *client, Sse::HealthWatcher *watcher,
                       const QByteArray &connection)
{
    m_client = client;
    m_watcher = watcher;
    m_connection = connection;
    m_startMs = watcher->now();
    // The watcher already watches the client: its slots run first, so the monitor and the
    // LLM summary are up to date when these run.
    connect(watcher, &Sse::HealthWatcher::healthChanged, this, [this] {
        checkHealth();
        afterDecision();
    });
    connect(watcher, &Sse::HealthWatcher::eventsCounted, this, [this] {
        checkHealth();
        checkLlm(false);
        afterDecision();
    });
    connect(client, &Sse::Client::stateChanged, this, [this](Sse::Client::State state) {
        if (state == Sse::Client::State::Open || state == Sse::Client::State::Connecting)
            return;
        checkLlm(true);
        afterDecision();
    });
    for (qsizetype i = 0; i < m_items.size(); ++i) {
        if (m_items.at(i).kind != Item::Kind::Expect || m_items.at(i).withinMs <= 0)
            continue;
        QTimer::singleShot(m_items.at(i).withinMs, this, [this, i] {
            Item &item = m_items[i];
            if (item.status != Item::Status::Open)
                return;
            decide(item, Item::Status::Failed,
                   QStringLiteral("no matching event within %1 (%2 events)")
                       .arg(seconds(item.withinMs))
                       .arg(m_events));
            afterDecision();
        });
    }
}

void Assertions::decide(Item &item, Item::Status status, const QString &detail)
{
    if (item.status != Item::Status::Open)
        return;
    item.status = status;
    item.detail = detail;
    item.decidedAtMs = elapsedMs();
}

void Assertions::afterDecision()
{
    if (!m_resolved && isSettled() && m_settled)
        m_settled();
}

void Assertions::addEvent(const Sse::EventView &event, qint64 seq, bool printed)
{
    ++m_events;
    const Sse::FilterFields fields {event.type,   event.lastEventId, event.data,
                                    m_connection, event.receivedMs,  seq};
    for (Item &item : m_items) {
        if (item.status != Item::Status::Open)
            continue;
        switch (item.kind) {
        case Item::Kind::Expect:
            if (item.withinMs > 0 && elapsedMs() > item.withinMs) {
                decide(item, Item::Status::Failed,
                       QStringLiteral("no matching event within %1 (%2 events)")
                           .arg(seconds(item.withinMs))
                           .arg(m_events - 1));
            } else if (item.expression.matches(fields)) {
                decide(
                    item, Item::Status::Passed,
                    QStringLiteral("event %1 matched after %2").arg(seq).arg(seconds(elapsedMs())));
            }
            break;
        case Item::Kind::ExpectAll:
            ++item.seen;
            if (!item.expression.matches(fields)) {
                decide(
                    item, Item::Status::Failed,
                    QStringLiteral("event %1 (type \"%2\", id \"%3\") does not match")
                        .arg(seq)
                        .arg(QString::fromUtf8(event.type), QString::fromUtf8(event.lastEventId)));
            }
            break;
        case Item::Kind::Count:
            if (!printed)
                break;
            ++item.seen;
            if (item.maximum >= 0 && item.seen > item.maximum) {
                decide(item, Item::Status::Failed,
                       QStringLiteral("more than %1 events").arg(item.maximum));
            } else if (item.maximum < 0 && item.seen >= item.minimum) {
                decide(item, Item::Status::Passed, QStringLiteral("%1 events").arg(item.seen));
            }
            break;
        case Item::Kind::MaxSilence:
        case Item::Kind::NoGaps:
        case Item::Kind::Complete:
            break; // from the health engine, after the batch
        }
    }
}

void Assertions::checkHealth()
{
    if (!m_watcher)
        return;
    const Sse::HealthMonitor &monitor = m_watcher->monitor();
    const Sse::Health health = m_watcher->health();
    for (Item &item : m_items) {
        if (item.status != Item::Status::Open)
            continue;
        if (item.kind == Item::Kind::MaxSilence) {
            const QString limit = QStringLiteral(" (limit %1)").arg(seconds(item.silenceMs));
            if (monitor.longestSilenceMs() > item.silenceMs) {
                decide(
                    item, Item::Status::Failed,
                    QStringLiteral("no data event for %1").arg(seconds(monitor.longestSilenceMs()))
                        + limit);
            } else if (health.verdict == Sse::HealthVerdict::Stalled
                       && health.silentForMs >= item.silenceMs) {
                decide(item, Item::Status::Failed, health.detail + limit);
            }
        } else if (item.kind == Item::Kind::NoGaps && monitor.idGaps() > 0) {
            const QPair<qint64, qint64> gap = monitor.lastGap();
            decide(item, Item::Status::Failed,
                   QStringLiteral("id %1 followed id %2 (%3 missing)")
                       .arg(gap.second)
                       .arg(gap.first)
                       .arg(gap.second - gap.first - 1));
        }
    }
}

void Assertions::checkLlm(bool responseEnded)
{
    if (!m_watcher)
        return;
    const std::optional<Sse::Llm::Summary> summary = m_watcher->llmSummary();
    if (!summary)
        return;
    for (Item &item : m_items) {
        if (item.kind != Item::Kind::Complete || item.status != Item::Status::Open)
            continue;
        if (summary->error) {
            decide(item, Item::Status::Failed,
                   QStringLiteral("the provider reported an error: ") + summary->error->message);
        } else if (summary->complete) {
            decide(item, Item::Status::Passed,
                   QStringLiteral("%1 response complete after %2 chunks")
                       .arg(QString::fromLatin1(Sse::Llm::providerName(summary->provider)))
                       .arg(summary->timing.chunks));
        } else if (responseEnded) {
            decide(item, Item::Status::Failed,
                   QStringLiteral("the response ended without its terminal marker"));
        }
    }
}

void Assertions::resolve(const QString &connectionError)
{
    if (m_resolved)
        return;
    checkHealth();
    checkLlm(false);
    m_resolved = true;
    const QString failure = connectionError.isEmpty()
        ? QString()
        : QStringLiteral("; the connection failed: ") + connectionError;
    const Sse::Health health = m_watcher ? m_watcher->health() : Sse::Health();
    for (Item &item : m_items) {
        if (item.status != Item::Status::Open)
            continue;
        switch (item.kind) {
        case Item::Kind::Expect:
            decide(item, Item::Status::Failed,
                   QStringLiteral("no matching event in %1 events").arg(m_events) + failure);
            break;
        case Item::Kind::ExpectAll:
            if (item.seen == 0)
                decide(item, Item::Status::Failed, QStringLiteral("no event arrived") + failure);
            else
                decide(item, Item::Status::Passed,
                       QStringLiteral("all %1 events matched").arg(item.seen));
            break;
        case Item::Kind::MaxSilence: {
            const qint64 longest =
                qMax(health.silentForMs, m_watcher ? m_watcher->monitor().longestSilenceMs() : 0);
            if (!connectionError.isEmpty())
                decide(item, Item::Status::Failed, failure.mid(2));
            else if (longest > item.silenceMs)
                decide(item, Item::Status::Failed,
                       QStringLiteral("no data event for %1 (limit %2)")
                           .arg(seconds(longest), seconds(item.silenceMs)));
            else
                decide(item, Item::Status::Passed,
                       QStringLiteral("longest silence %1").arg(seconds(longest)));
            break;
        }
        case Item::Kind::NoGaps:
            decide(item, Item::Status::Passed,
                   QStringLiteral("no id gaps in %1 events").arg(m_events));
            break;
        case Item::Kind::Complete: {
            const std::optional<Sse::Llm::Summary> summary =
                m_watcher ? m_watcher->llmSummary() : std::nullopt;
            decide(item, Item::Status::Failed,
                   (summary ? QStringLiteral("the run ended before the terminal marker")
                            : QStringLiteral("no LLM response was recognised"))
                       + failure);
            break;
        }
        case Item::Kind::Count: {
            const bool inRange =
                item.seen >= item.minimum && (item.maximum < 0 || item.seen <= item.maximum);
            decide(item, inRange ? Item::Status::Passed : Item::Status::Failed,
                   QStringLiteral("%1 events").arg(item.seen) + (inRange ? QString() : failure));
            break;
        }
        }
    }
}

bool Assertions::isSettled() const
{
    bool allDecided = true;
    for (const Item &item : m_items) {
        if (item.status == Item::Status::Failed)
            return true;
        allDecided = allDecided && item.status != Item::Status::Open;
    }
    return allDecided && !m_items.isEmpty();
}

bool Assertions::anyFailed() const
{
    return std::any_of(m_items.cbegin(), m_items.cend(),
                       [](const Item &item) { return item.status == Item::Status::Failed; });
}

void Assertions::appendRecords(QByteArray &out) const
{
    for (const Item &item : m_items) {
        out.append("{\"kind\":\"assertion\",\"name\":");
        Sse::JsonLines::appendString(out, item.name);
        out.append(item.status == Item::Status::Passed ? ",\"passed\":true" : ",\"passed\":false");
        out.append(",\"detail\":");
        Sse::JsonLines::appendString(
            out, item.status == Item::Status::Open ? QStringLiteral("not decided") : item.detail);
        out.append("}\n");
    }
}

QString Assertions::writeJUnit(const QString &suite, const QString &connectionError) const
{
    if (m_junitPath.isEmpty())
        return QString();
    QSaveFile file(m_junitPath);
    if (!file.open(QIODevice::WriteOnly))
        return QStringLiteral("cannot write %1: %2").arg(m_junitPath, file.errorString());
    const qint64 failures = std::count_if(m_items.cbegin(), m_items.cend(), [](const Item &item) {
        return item.status != Item::Status::Passed;
    });
    const int errors = connectionError.isEmpty() ? 0 : 1;
    const QString tests = QString::number(m_items.size() + errors);
    const QString time = QString::number(double(elapsedMs()) / 1000.0, 'f', 3);
    QXmlStreamWriter xml(&file);
    xml.setAutoFormatting(true);
    xml.writeStartDocument();
    xml.writeStartElement(QStringLiteral("testsuites"));
    xml.writeAttribute(QStringLiteral("name"), QStringLiteral("sse-monitor-cli"));
    xml.writeAttribute(QStringLiteral("tests"), tests);
    xml.writeAttribute(QStringLiteral("failures"), QString::number(failures));
    xml.writeAttribute(QStringLiteral("errors"), QString::number(errors));
    xml.writeAttribute(QStringLiteral("time"), time);
    xml.writeStartElement(QStringLiteral("testsuite"));
    xml.writeAttribute(QStringLiteral("name"), suite);
    xml.writeAttribute(QStringLiteral("tests"), tests);
    xml.writeAttribute(QStringLiteral("failures"), QString::number(failures));
    xml.writeAttribute(QStringLiteral("errors"), QString::number(errors));
    xml.writeAttribute(QStringLiteral("time"), time);
    xml.writeAttribute(
        QStringLiteral("timestamp"),
        QDateTime::currentDateTimeUtc().addMSecs(-elapsedMs()).toString(Qt::ISODate));
    auto testcase = [&](const QString &name, qint64 ms) {
        xml.writeStartElement(QStringLiteral("testcase"));
        xml.writeAttribute(QStringLiteral("classname"), QStringLiteral("sse-monitor-cli"));
        xml.writeAttribute(QStringLiteral("name"), name);
        xml.writeAttribute(QStringLiteral("time"), QString::number(double(ms) / 1000.0, 'f', 3));
    };
    for (const Item &item : m_items) {
        testcase(item.name, item.decidedAtMs);
        if (item.status != Item::Status::Passed) {
            xml.writeStartElement(QStringLiteral("failure"));
            xml.writeAttribute(QStringLiteral("type"), QStringLiteral("assertion"));
            xml.writeAttribute(QStringLiteral("message"), item.detail);
            xml.writeCharacters(item.detail);
            xml.writeEndElement();
        } else {
            xml.writeTextElement(QStringLiteral("system-out"), item.detail);
        }
        xml.writeEndElement();
    }
    if (errors > 0) {
        testcase(QStringLiteral("connection"), elapsedMs());
        xml.writeStartElement(QStringLiteral("error"));
        xml.writeAttribute(QStringLiteral("type"), QStringLiteral("connection"));
        xml.writeAttribute(QStringLiteral("message"), connectionError);
        xml.writeCharacters(connectionError);
        xml.writeEndElement();
        xml.writeEndElement();
    }
    xml.writeEndElement(); // testsuite
    xml.writeEndElement(); // testsuites
    xml.writeEndDocument();
    if (xml.hasError() || !file.commit())
        return QStringLiteral("cannot write %1: %2").arg(m_junitPath, file.errorString());
    return QString();
}
