#include "probemetrics.h"

#include "probestream.h"

namespace ProbeMetrics {

namespace {

constexpr Sse::HealthVerdict AllVerdicts[] = {
    Sse::HealthVerdict::Healthy,
    Sse::HealthVerdict::Stalled,
    Sse::HealthVerdict::ReconnectingOften,
    Sse::HealthVerdict::Gaps,
    Sse::HealthVerdict::LlmTruncated,
    Sse::HealthVerdict::LlmError,
    Sse::HealthVerdict::Failed,
    Sse::HealthVerdict::Unknown,
};

// Seconds with millisecond precision (the clocks behind them count milliseconds).
QByteArray seconds(double value)
{
    return QByteArray::number(value, 'f', 3);
}

void family(QByteArray &out, const char *name, const char *type, const char *help)
{
    out += "# HELP ";
    out += name;
    out += ' ';
    out += help;
    out += "\n# TYPE ";
    out += name;
    out += ' ';
    out += type;
    out += '\n';
}

// `name{connection="..."` (the caller adds further labels, or closes the brace).
void sampleStart(QByteArray &out, const char *name, const QByteArray &connection)
{
    out += name;
    out += "{connection=\"";
    out += connection;
    out += '"';
}

void sample(QByteArray &out, const char *name, const QByteArray &connection,
            const QByteArray &value)
{
    sampleStart(out, name, connection);
    out += "} ";
    out += value;
    out += '\n';
}

} // namespace

QByteArray escapeLabelValue(const QByteArray &value)
{
    QByteArray out;
    out.reserve(value.size());
    for (const char c : value) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

QByteArray format(const QList<ProbeStream *> &streams)
{
    QList<QByteArray> labels;
    labels.reserve(streams.size());
    for (const ProbeStream *stream : streams)
        labels.append(escapeLabelValue(stream->name().toUtf8()));
    QByteArray out;
    out.reserve(streams.size() * 2048 + 2048);
    const qsizetype count = streams.size();

    family(out, "sse_up", "gauge", "1 while the stream is connected (response 200 received).");
    for (qsizetype i = 0; i < count; ++i)
        sample(out, "sse_up", labels.at(i), streams.at(i)->isUp() ? "1" : "0");

    family(out, "sse_events_total", "counter",
           "Data events received, by event type (types past the per-stream limit: other).");
    for (qsizetype i = 0; i < count; ++i) {
        for (const auto &[type, events] : streams.at(i)->eventsByType()) {
            sampleStart(out, "sse_events_total", labels.at(i));
            out += ",type=\"";
            out += escapeLabelValue(type);
            out += "\"} ";
            out += QByteArray::number(events);
            out += '\n';
        }
    }

    family(out, "sse_bytes_total", "counter", "Response body bytes received (comments too).");
    for (qsizetype i = 0; i < count; ++i)
        sample(out, "sse_bytes_total", labels.at(i), QByteArray::number(streams.at(i)->bytes()));

    family(out, "sse_reconnects_total", "counter", "Reconnections scheduled after a drop.");
    for (qsizetype i = 0; i < count; ++i)
        sample(out, "sse_reconnects_total", labels.at(i),
               QByteArray::number(streams.at(i)->reconnects()));

    family(out, "sse_id_gaps_total", "counter",
           "Numeric event ids that skipped forward (events missed).");
    for (qsizetype i = 0; i < count; ++i)
        sample(out, "sse_id_gaps_total", labels.at(i), QByteArray::number(streams.at(i)->idGaps()));

    family(out, "sse_last_event_timestamp_seconds", "gauge",
           "Unix time of the last data event (absent before the first).");
    for (qsizetype i = 0; i < count; ++i) {
        if (const qint64 ms = streams.at(i)->lastEventMs(); ms > 0)
            sample(out, "sse_last_event_timestamp_seconds", labels.at(i), seconds(ms / 1000.0));
    }

    family(out, "sse_stalled", "gauge",
           "1 while connected but no data event came for the stall threshold (heartbeats "
           "do not count).");
    for (qsizetype i = 0; i < count; ++i)
        sample(out, "sse_stalled", labels.at(i), streams.at(i)->isStalled() ? "1" : "0");

    family(out, "sse_stall_threshold_seconds", "gauge",
           "The stall threshold in force: --stall-after, or learnt from the stream (10 x the "
           "median interval between data events, at least 5 s; 60 s until 5 were seen).");
    for (qsizetype i = 0; i < count; ++i)
        sample(out, "sse_stall_threshold_seconds", labels.at(i),
               seconds(double(streams.at(i)->stallAfterMs()) / 1000.0));

    // A state set: one sample per verdict, 1 for the stream's current one, so that a query
    // (sse_health{verdict="stalled"} == 1) never meets a stale series.
    family(out, "sse_health", "gauge",
           "1 for the stream's health verdict (healthy, stalled, reconnecting-often, gaps, "
           "llm-truncated, llm-error, failed, unknown), 0 for the others.");
    for (qsizetype i = 0; i < count; ++i) {
        const Sse::HealthVerdict current = streams.at(i)->health().verdict;
        for (const Sse::HealthVerdict verdict : AllVerdicts) {
            sampleStart(out, "sse_health", labels.at(i));
            out += ",verdict=\"";
            out += Sse::healthVerdictName(verdict);
            out += verdict == current ? "\"} 1\n" : "\"} 0\n";
        }
    }

    family(out, "sse_time_to_first_event_seconds", "gauge",
           "From the start of the latest attempt that delivered events to its first event.");
    for (qsizetype i = 0; i < count; ++i) {
        if (const double value = streams.at(i)->timeToFirstEventSeconds(); value >= 0)
            sample(out, "sse_time_to_first_event_seconds", labels.at(i), seconds(value));
    }

    family(out, "sse_connect_duration_seconds", "histogram",
           "From sending the request to the response head of each successful attempt.");
    for (qsizetype i = 0; i < count; ++i) {
        const ProbeStream *stream = streams.at(i);
        qint64 cumulative = 0;
        for (size_t b = 0; b <= ProbeStream::ConnectBuckets.size(); ++b) {
            cumulative += stream->connectCounts()[b];
            sampleStart(out, "sse_connect_duration_seconds_bucket", labels.at(i));
            out += ",le=\"";
            out += b < ProbeStream::ConnectBuckets.size()
                ? QByteArray::number(ProbeStream::ConnectBuckets[b], 'g', 6)
                : QByteArrayLiteral("+Inf");
            out += "\"} ";
            out += QByteArray::number(cumulative);
            out += '\n';
        }
        sample(out, "sse_connect_duration_seconds_sum", labels.at(i),
               seconds(stream->connectSumSeconds()));
        sample(out, "sse_connect_duration_seconds_count", labels.at(i),
               QByteArray::number(cumulative));
    }
    return out;
}

} // namespace ProbeMetrics
