#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

#include <memory>
#include <optional>

QT_BEGIN_NAMESPACE
class QJsonObject;
QT_END_NAMESPACE

namespace Sse::Llm {

/// The streaming API an event stream speaks, recognised by the content of its events.
enum class Provider { None, OpenAiChat, OpenAiResponses, Anthropic, Gemini };

/// "openai-chat", "openai-responses", "anthropic", "gemini"; empty for None.
QByteArray providerName(Provider provider);
Provider providerFromName(QByteArrayView name);

/// Token counts; a member the stream never gave stays empty.
struct Usage
{
    std::optional<qint64> inputTokens;
    std::optional<qint64> outputTokens;
    std::optional<qint64> reasoningTokens;
    std::optional<qint64> cachedInputTokens;
    std::optional<qint64> totalTokens;

    bool isEmpty() const
    {
        return !inputTokens && !outputTokens && !reasoningTokens && !cachedInputTokens
            && !totalTokens;
    }
    bool operator==(const Usage &) const = default;
};

/// One generated alternative (OpenAI `n`, Gemini candidates); index 0 is the answer.
struct Choice
{
    int index = 0;
    QString text;
    std::optional<QString> finishReason;
    bool operator==(const Choice &) const = default;
};

/// A function call assembled from its fragments.
struct ToolCall
{
    int index = 0;
    QString id;
    QString name;
    QString arguments; ///< as sent, joined in order (Gemini: compact JSON of `args`)
    bool argumentsValid = false; ///< the arguments parse as one JSON value
    bool operator==(const ToolCall &) const = default;
};

/// An error the provider reported inside the stream.
struct Error
{
    QString type; ///< null when the provider gave no type or code
    QString message;
    bool operator==(const Error &) const = default;
};

/// One point of a response's timeline: the events that arrived since the previous point.
/// While a response is short every event is a point; a longer one is decimated evenly (two
/// neighbours merge into one), so a timeline never holds more than Timing::MaximumPoints.
struct TimingPoint
{
    double ms = 0;               ///< the interval's last event, since the request was sent
    qint32 events = 0;           ///< events in the interval
    qint32 outputCharacters = 0; ///< characters of text, reasoning and arguments they added
    qint64 outputTokens = -1;    ///< usage.output_tokens as the stream stood then; -1: unknown
    bool operator==(const TimingPoint &) const = default;
};

/// Milliseconds since the request was sent; empty when the moment never came.
struct Timing
{
    /// Points a timeline keeps (24 bytes each: 6 KiB per response at most).
    static constexpr qsizetype MaximumPoints = 256;

    std::optional<double> ttfbMs;       ///< response headers
    std::optional<double> firstEventMs; ///< first dispatched event
    std::optional<double> ttftMs;       ///< first event with text, reasoning or a tool call
    std::optional<double> durationMs;   ///< end of the response
    qint64 chunks = 0;                  ///< events of the response
    QList<TimingPoint> points;          ///< the timeline, oldest first (see TimingPoint)
    bool operator==(const Timing &) const = default;
};

/// What one HTTP response of an LLM stream amounted to. A plain value type.
struct Summary
{
    Provider provider = Provider::None;
    std::optional<QString> model;
    std::optional<QString> responseId;
    QString text;      ///< choice 0's text
    QString reasoning; ///< reasoning or thinking text
    QList<Choice> choices;
    QList<ToolCall> toolCalls;
    std::optional<QString> finishReason;
    std::optional<Usage> usage; ///< empty when the stream gave no usage at all
    bool complete = false;      ///< the terminal marker was seen (see the README per provider)
    std::optional<Error> error;
    Timing timing;

    /// usage.output_tokens per second between the first token and the end, when both are
    /// known and that span is positive.
    std::optional<double> outputTokensPerSecond() const;
    bool operator==(const Summary &) const = default;
};

/// One interval of a timeline as a chart draws it.
struct TimelineRate
{
    double ms = 0;              ///< the interval's end, since the request was sent
    double gapMs = 0;           ///< mean time between the interval's events
    double tokensPerSecond = 0; ///< output tokens in the interval over its length
};
/// The gaps and token rates of \a summary's timeline. Where the stream reported its output
/// token count as it went (Gemini's usageMetadata), the rate comes from those counts;
/// otherwise it is an estimate from the characters each interval added, scaled to the final
/// usage.output_tokens when the stream gave one (else four characters a token), and
/// \a estimated is set. Events of one millisecond count in one interval, and so do intervals
/// shorter than a hundredth of the response with the one after them; trailing events that
/// did not make an interval of their own give a last point at the rate before them.
QList<TimelineRate> timelineRates(const Summary &summary, bool *estimated = nullptr);

/// Whether a record carries the response's timeline ("timeline"; recordings do, the CLI's
/// `llm` line does not).
enum class RecordTimeline { Omit, Include };

/// Appends the `llm` JSON Lines record of \a summary (one line, with its LF). A stream that
/// is not an LLM stream gives provider null, empty texts and lists, the rest null.
void appendRecord(QByteArray &out, const Summary &summary);
/// The same with "time" (when the request was sent, \a timeMs since the epoch) and
/// "connection" (when not empty) after "kind": the form a GUI recording holds, which also
/// keeps the timeline with RecordTimeline::Include.
void appendRecord(QByteArray &out, const Summary &summary, qint64 timeMs,
                  QByteArrayView connection, RecordTimeline timeline = RecordTimeline::Omit);
/// Reads an `llm` record back (as written by appendRecord); nullopt when it is not one.
std::optional<Summary> summaryFromRecord(const QJsonObject &record);

/// Builds the Summary of one HTTP response from its events, incrementally: each event is
/// looked at once, nothing is re-scanned. Until the provider is known, the first few events
/// are looked at cheaply (a JSON object, or a typed event); a stream that is not recognised
/// by then costs one branch per event. Not thread-safe; one analyser per response.
class Analyser
{
public:
    /// Events looked at before a stream is taken as not an LLM stream.
    static constexpr int DetectionEvents = 4;

    /// Characters of text, reasoning and tool-call arguments one response keeps (64 MiB).
    static constexpr qsizetype DefaultMaximumCharacters = 32 * 1024 * 1024;

    Analyser();
    ~Analyser();
    Q_DISABLE_COPY(Analyser)

    /// Memory bound: fragments past \a characters (all texts together) are not kept, and
    /// isClipped() says so. Everything else (usage, verdict, timing) is still followed.
    void setMaximumCharacters(qsizetype characters);
    bool isClipped() const;

    /// Response headers arrived, \a ms after the request was sent.
    void setHeadersReceived(double ms);
    /// One dispatched event, \a ms after the request was sent.
    void addEvent(QByteArrayView type, QByteArrayView data, double ms);

    enum class End {
        ServerEnded, ///< the server ended the body normally
        Cut,         ///< a network error, a timeout, or the client stopped reading
    };
    /// The response ended \a ms after the request was sent.
    void finish(double ms, End how);

    Provider provider() const;
    bool isFinished() const;
    /// Incremented by every event that changed the summary (views poll it).
    quint64 revision() const;
    /// A snapshot; cheap (the texts are shared).
    Summary summary() const;

private:
    class Private;
    std::unique_ptr<Private> d;
};

} // namespace Sse::Llm
