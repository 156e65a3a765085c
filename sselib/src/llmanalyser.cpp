#include "sselib/llmanalyser.h"

#include "sselib/jsonlines.h"

#include "llmjson.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QJsonValue>

#include <algorithm>

namespace Sse::Llm {

namespace {

using namespace Qt::StringLiterals;

QByteArrayView trimmedView(QByteArrayView data)
{
    while (!data.isEmpty() && (data.front() == ' ' || data.front() == '\n' || data.front() == '\r'
                               || data.front() == '\t'))
        data = data.sliced(1);
    while (!data.isEmpty() && (data.back() == ' ' || data.back() == '\n' || data.back() == '\r'
                               || data.back() == '\t'))
        data.chop(1);
    return data;
}

bool isJson(const QString &text)
{
    QJsonParseError error;
    QJsonDocument::fromJson(text.toUtf8(), &error);
    return error.error == QJsonParseError::NoError;
}

// QJsonObject (records) or JsonRef (events).
template<typename Object>
std::optional<qint64> tokenCount(const Object &object, QLatin1StringView key)
{
    const auto value = object.value(key);
    if (!value.isDouble())
        return std::nullopt;
    return value.toInteger();
}

// A string member, or the text of a numeric one (error codes come as either).
QString stringOrNumber(const JsonRef &value)
{
    if (value.isString())
        return value.toString();
    if (value.isDouble())
        return QString::number(value.toInteger());
    return QString();
}

void setIfAbsent(std::optional<QString> &target, const JsonRef &value)
{
    if (target || !value.isString())
        return;
    const QString text = value.toString();
    if (!text.isEmpty())
        target = text;
}

// OpenAI's usage object: Chat Completions says prompt/completion where Responses says
// input/output; the members are otherwise the same.
void readOpenAiUsage(Usage &target, const JsonRef &usage, QByteArrayView in, QByteArrayView out)
{
    const QByteArray inTokens = in.toByteArray().append("_tokens");
    const QByteArray outTokens = out.toByteArray().append("_tokens");
    const QByteArray inDetails = in.toByteArray().append("_tokens_details");
    const QByteArray outDetails = out.toByteArray().append("_tokens_details");
    target.inputTokens = tokenCount(usage, QLatin1StringView(inTokens));
    target.outputTokens = tokenCount(usage, QLatin1StringView(outTokens));
    target.totalTokens = tokenCount(usage, "total_tokens"_L1);
    target.reasoningTokens = tokenCount(usage.value(QLatin1StringView(outDetails)).toObject(),
                                        "reasoning_tokens"_L1);
    target.cachedInputTokens =
        tokenCount(usage.value(QLatin1StringView(inDetails)).toObject(), "cached_tokens"_L1);
}

// The event's "type" member, or its SSE event type when the data has none.
QString eventKind(QByteArrayView type, const JsonRef &object)
{
    QString kind = object.value("type"_L1).toString();
    if (kind.isEmpty())
        kind = QString::fromUtf8(type);
    return kind;
}

} // namespace

QByteArray providerName(Provider provider)
{
    switch (provider) {
    case Provider::OpenAiChat:
        return QByteArrayLiteral("openai-chat");
    case Provider::OpenAiResponses:
        return QByteArrayLiteral("openai-responses");
    case Provider::Anthropic:
        return QByteArrayLiteral("anthropic");
    case Provider::Gemini:
        return QByteArrayLiteral("gemini");
    case Provider::None:
        break;
    }
    return QByteArray();
}

Provider providerFromName(QByteArrayView name)
{
    for (Provider provider : {Provider::OpenAiChat, Provider::OpenAiResponses,
                              Provider::Anthropic, Provider::Gemini}) {
        if (name == providerName(provider))
            return provider;
    }
    return Provider::None;
}

std::optional<double> Summary::outputTokensPerSecond() const
{
    if (!usage || !usage->outputTokens || !timing.ttftMs || !timing.durationMs)
        return std::nullopt;
    const double span = *timing.durationMs - *timing.ttftMs;
    if (span <= 0)
        return std::nullopt;
    return double(*usage->outputTokens) / (span / 1000.0);
}

class Analyser::Private
{
public:
    void detect(QByteArrayView type, QByteArrayView data);
    // Each returns true when the event carried text, reasoning or a tool-call fragment.
    bool handle(QByteArrayView type, const JsonRef &object);
    bool handleChat(const JsonRef &object);
    bool handleResponses(QByteArrayView type, const JsonRef &object);
    bool handleAnthropic(QByteArrayView type, const JsonRef &object);
    bool handleGemini(const JsonRef &object);
    JsonRef parseObject(QByteArrayView data)
    {
        return tokens.parse(data) ? tokens.root().toObject() : JsonRef();
    }
    Choice &choice(int index);
    ToolCall &toolCall(int index);
    // Appends \a piece unless the response's texts reached maximumCharacters (then clipped).
    void grow(QString &target, const QString &piece)
    {
        produced += piece.size();
        if (kept + piece.size() > maximumCharacters) {
            clipped = true;
            return;
        }
        target += piece;
        kept += piece.size();
    }
    Usage &usage()
    {
        if (!s.usage)
            s.usage = Usage();
        return *s.usage;
    }

    JsonTokens tokens; // of the event being handled, reused
    Summary s;       // texts of choices and tool calls; the rest is filled by summary()
    int looked = 0;  // events looked at while detecting
    bool decided = false;
    bool finished = false;
    bool terminal = false;          // the provider's end marker
    bool finishReasonSeen = false;  // Gemini: complete needs one
    quint64 revision = 0;
    qsizetype kept = 0; // characters of text, reasoning and arguments held
    qsizetype maximumCharacters = Analyser::DefaultMaximumCharacters;
    bool clipped = false;
    qsizetype produced = 0; // characters of text, reasoning and arguments sent, kept or not
    // The timeline: s.timing.points holds the full intervals, pending the one being filled;
    // an interval takes `stride` events, doubled each time the points are halved.
    void notePoint(double ms, qsizetype characters);
    void handleEvent(QByteArrayView type, QByteArrayView data, double ms);
    TimingPoint pending;
    qint32 stride = 1;
    QList<QPair<int, QByteArray>> anthropicBlocks; // block index -> content_block.type
};

Choice &Analyser::Private::choice(int index)
{
    auto it = std::find_if(s.choices.begin(), s.choices.end(),
                           [index](const Choice &c) { return c.index >= index; });
    if (it == s.choices.end() || it->index != index) {
        Choice added;
        added.index = index;
        it = s.choices.insert(it, added);
    }
    return *it;
}

ToolCall &Analyser::Private::toolCall(int index)
{
    auto it = std::find_if(s.toolCalls.begin(), s.toolCalls.end(),
                           [index](const ToolCall &c) { return c.index >= index; });
    if (it == s.toolCalls.end() || it->index != index) {
        ToolCall added;
        added.index = index;
        it = s.toolCalls.insert(it, added);
    }
    return *it;
}

// Called for the first events only: decides the provider from what the event looks like.
void Analyser::Private::detect(QByteArrayView type, QByteArrayView data)
{
    ++looked;
    const QByteArrayView body = trimmedView(data);
    if (body == "[DONE]") {
        s.provider = Provider::OpenAiChat;
        decided = true;
        terminal = true;
        return;
    }
    if (body.isEmpty() || body.front() != '{') {
        decided = looked >= DetectionEvents;
        return;
    }
    const JsonRef object = parseObject(body);
    const QString kind = object.value("type"_L1).toString();
    const JsonRef error = object.value("error"_L1);
    Provider provider = Provider::None;
    if (kind.startsWith("response."_L1) || type.startsWith("response."))
        provider = Provider::OpenAiResponses;
    else if (kind == "message_start"_L1)
        provider = Provider::Anthropic;
    else if (kind == "error"_L1)
        provider = error.isObject() ? Provider::Anthropic : Provider::OpenAiResponses;
    else if (object.value("object"_L1).toString() == "chat.completion.chunk"_L1
             || object.value("choices"_L1).isArray())
        provider = Provider::OpenAiChat;
    else if (object.contains("candidates"_L1) || object.contains("promptFeedback"_L1)
             || object.contains("usageMetadata"_L1))
        provider = Provider::Gemini;
    else if (error.isObject())
        provider = error.toObject().value("status"_L1).isString() ? Provider::Gemini
                                                                  : Provider::OpenAiChat;
    if (provider == Provider::None) {
        decided = looked >= DetectionEvents;
        return;
    }
    s.provider = provider;
    decided = true;
    handle(type, object);
}

bool Analyser::Private::handle(QByteArrayView type, const JsonRef &object)
{
    switch (s.provider) {
    case Provider::OpenAiChat:
        return handleChat(object);
    case Provider::OpenAiResponses:
        return handleResponses(type, object);
    case Provider::Anthropic:
        return handleAnthropic(type, object);
    case Provider::Gemini:
        return handleGemini(object);
    case Provider::None:
        break;
    }
    return false;
}

bool Analyser::Private::handleChat(const JsonRef &object)
{
    const JsonRef error = object.value("error"_L1);
    if (error.isObject()) {
        const JsonRef e = error.toObject();
        QString errorType = stringOrNumber(e.value("type"_L1));
        if (errorType.isEmpty())
            errorType = stringOrNumber(e.value("code"_L1));
        s.error = Error{errorType, e.value("message"_L1).toString()};
        return false;
    }
    setIfAbsent(s.responseId, object.value("id"_L1));
    setIfAbsent(s.model, object.value("model"_L1));
    bool content = false;
    const JsonRef choices = object.value("choices"_L1).toArray();
    int position = 0;
    for (const JsonRef c : choices) {
        const int i = position++;
        const int index = c.value("index"_L1).toInt(int(i));
        Choice &ch = choice(index);
        const JsonRef delta = c.value("delta"_L1).toObject();
        const QString text = delta.value("content"_L1).toString();
        if (!text.isEmpty()) {
            grow(ch.text, text);
            content = true;
        }
        const JsonRef finish = c.value("finish_reason"_L1);
        if (finish.isString()) {
            ch.finishReason = finish.toString();
            if (index == 0)
                s.finishReason = ch.finishReason;
        }
        if (index != 0)
            continue;
        QString reasoning = delta.value("reasoning_content"_L1).toString();
        if (reasoning.isEmpty())
            reasoning = delta.value("reasoning"_L1).toString();
        if (!reasoning.isEmpty()) {
            grow(s.reasoning, reasoning);
            content = true;
        }
        const JsonRef calls = delta.value("tool_calls"_L1).toArray();
        int callPosition = 0;
        for (const JsonRef fragment : calls) {
            const int j = callPosition++;
            ToolCall &call = toolCall(fragment.value("index"_L1).toInt(int(j)));
            const QString id = fragment.value("id"_L1).toString();
            if (!id.isEmpty())
                call.id = id;
            const JsonRef function = fragment.value("function"_L1).toObject();
            const QString name = function.value("name"_L1).toString();
            if (!name.isEmpty())
                call.name = name;
            grow(call.arguments, function.value("arguments"_L1).toString());
            content = true;
        }
    }
    const JsonRef usageValue = object.value("usage"_L1);
    if (usageValue.isObject())
        readOpenAiUsage(usage(), usageValue, "prompt", "completion");
    return content;
}

bool Analyser::Private::handleResponses(QByteArrayView type, const JsonRef &object)
{
    const QString kind = eventKind(type, object);
    const JsonRef response = object.value("response"_L1).toObject();
    if (!response.isEmpty()) {
        setIfAbsent(s.responseId, response.value("id"_L1));
        setIfAbsent(s.model, response.value("model"_L1));
    }
    const int outputIndex = object.value("output_index"_L1).toInt();
    if (kind == "response.output_text.delta"_L1) {
        const QString delta = object.value("delta"_L1).toString();
        grow(choice(0).text, delta);
        return !delta.isEmpty();
    }
    if (kind == "response.reasoning_summary_text.delta"_L1
        || kind == "response.reasoning_text.delta"_L1) {
        const QString delta = object.value("delta"_L1).toString();
        grow(s.reasoning, delta);
        return !delta.isEmpty();
    }
    if (kind == "response.output_item.added"_L1) {
        const JsonRef item = object.value("item"_L1).toObject();
        if (item.value("type"_L1).toString() != "function_call"_L1)
            return false;
        ToolCall &call = toolCall(outputIndex);
        call.id = item.value("call_id"_L1).toString();
        call.name = item.value("name"_L1).toString();
        call.arguments = item.value("arguments"_L1).toString();
        return true;
    }
    if (kind == "response.function_call_arguments.delta"_L1) {
        const QString delta = object.value("delta"_L1).toString();
        grow(toolCall(outputIndex).arguments, delta);
        return !delta.isEmpty();
    }
    if (kind == "response.function_call_arguments.done"_L1) {
        const JsonRef arguments = object.value("arguments"_L1);
        if (arguments.isString())
            toolCall(outputIndex).arguments = arguments.toString();
        return false;
    }
    if (kind == "error"_L1) {
        // The event carries code and message itself; some servers nest them in "error".
        const bool nested = object.value("error"_L1).isObject();
        const JsonRef e = nested ? object.value("error"_L1).toObject() : object;
        QString errorType = stringOrNumber(e.value("code"_L1));
        if (errorType.isEmpty() && nested)
            errorType = e.value("type"_L1).toString();
        if (errorType.isEmpty())
            errorType = kind;
        s.error = Error{errorType, e.value("message"_L1).toString()};
        return false;
    }
    const bool completed = kind == "response.completed"_L1;
    const bool incomplete = kind == "response.incomplete"_L1;
    const bool failed = kind == "response.failed"_L1;
    if (!completed && !incomplete && !failed)
        return false;
    terminal = true;
    if (completed) {
        s.finishReason = u"completed"_s;
    } else if (incomplete) {
        s.finishReason = "incomplete:"_L1
            + response.value("incomplete_details"_L1).toObject().value("reason"_L1).toString();
    } else {
        s.finishReason = u"failed"_s;
        const JsonRef error = response.value("error"_L1);
        if (error.isObject()) {
            const JsonRef e = error.toObject();
            QString errorType = stringOrNumber(e.value("code"_L1));
            if (errorType.isEmpty())
                errorType = e.value("type"_L1).toString();
            s.error = Error{errorType, e.value("message"_L1).toString()};
        }
    }
    const JsonRef usageValue = response.value("usage"_L1);
    if (usageValue.isObject())
        readOpenAiUsage(usage(), usageValue, "input", "output");
    return false;
}

bool Analyser::Private::handleAnthropic(QByteArrayView type, const JsonRef &object)
{
    const QString kind = eventKind(type, object);
    const int index = object.value("index"_L1).toInt();
    auto blockType = [this](int block) -> QByteArray {
        for (const auto &entry : std::as_const(anthropicBlocks)) {
            if (entry.first == block)
                return entry.second;
        }
        return QByteArray();
    };
    if (kind == "content_block_delta"_L1) {
        const JsonRef delta = object.value("delta"_L1).toObject();
        const QString deltaType = delta.value("type"_L1).toString();
        const QByteArray block = blockType(index);
        if (deltaType == "text_delta"_L1 && (block.isEmpty() || block == "text")) {
            const QString text = delta.value("text"_L1).toString();
            grow(choice(0).text, text);
            return !text.isEmpty();
        }
        if (deltaType == "thinking_delta"_L1) {
            const QString thinking = delta.value("thinking"_L1).toString();
            grow(s.reasoning, thinking);
            return !thinking.isEmpty();
        }
        if (deltaType == "input_json_delta"_L1 && block == "tool_use") {
            const QString json = delta.value("partial_json"_L1).toString();
            grow(toolCall(index).arguments, json);
            return !json.isEmpty();
        }
        return false;
    }
    if (kind == "content_block_start"_L1) {
        const JsonRef block = object.value("content_block"_L1).toObject();
        const QByteArray blockKind = block.value("type"_L1).toString().toUtf8();
        anthropicBlocks.append({index, blockKind});
        if (blockKind == "tool_use") {
            ToolCall &call = toolCall(index);
            call.id = block.value("id"_L1).toString();
            call.name = block.value("name"_L1).toString();
            return true;
        }
        if (blockKind == "text") {
            const QString text = block.value("text"_L1).toString();
            grow(choice(0).text, text);
            return !text.isEmpty();
        }
        if (blockKind == "thinking") {
            const QString thinking = block.value("thinking"_L1).toString();
            grow(s.reasoning, thinking);
            return !thinking.isEmpty();
        }
        return false;
    }
    if (kind == "message_start"_L1) {
        const JsonRef message = object.value("message"_L1).toObject();
        setIfAbsent(s.responseId, message.value("id"_L1));
        setIfAbsent(s.model, message.value("model"_L1));
        const JsonRef u = message.value("usage"_L1).toObject();
        Usage &target = usage();
        target.inputTokens = tokenCount(u, "input_tokens"_L1);
        target.cachedInputTokens = tokenCount(u, "cache_read_input_tokens"_L1);
        return false;
    }
    if (kind == "message_delta"_L1) {
        const JsonRef stop = object.value("delta"_L1).toObject().value("stop_reason"_L1);
        if (stop.isString())
            s.finishReason = stop.toString();
        const JsonRef u = object.value("usage"_L1).toObject();
        Usage &target = usage();
        if (const auto value = tokenCount(u, "input_tokens"_L1))
            target.inputTokens = value;
        if (const auto value = tokenCount(u, "cache_read_input_tokens"_L1))
            target.cachedInputTokens = value;
        if (const auto value = tokenCount(u, "output_tokens"_L1))
            target.outputTokens = value;
        return false;
    }
    if (kind == "message_stop"_L1) {
        terminal = true;
        return false;
    }
    if (kind == "error"_L1) {
        const JsonRef e = object.value("error"_L1).toObject();
        s.error = Error{e.value("type"_L1).toString(), e.value("message"_L1).toString()};
    }
    return false;
}

bool Analyser::Private::handleGemini(const JsonRef &object)
{
    const JsonRef error = object.value("error"_L1);
    if (error.isObject()) {
        const JsonRef e = error.toObject();
        s.error = Error{stringOrNumber(e.value("status"_L1)), e.value("message"_L1).toString()};
        return false;
    }
    setIfAbsent(s.responseId, object.value("responseId"_L1));
    setIfAbsent(s.model, object.value("modelVersion"_L1));
    bool content = false;
    const JsonRef candidates = object.value("candidates"_L1).toArray();
    int position = 0;
    for (const JsonRef candidate : candidates) {
        const int i = position++;
        const int index = candidate.value("index"_L1).toInt(int(i));
        Choice &ch = choice(index);
        const JsonRef parts =
            candidate.value("content"_L1).toObject().value("parts"_L1).toArray();
        for (const JsonRef &partValue : parts) {
            const JsonRef part = partValue.toObject();
            const JsonRef call = part.value("functionCall"_L1);
            if (call.isObject()) {
                if (index != 0)
                    continue;
                const JsonRef function = call.toObject();
                ToolCall &added = toolCall(int(s.toolCalls.size()));
                added.id = function.value("id"_L1).toString();
                added.name = function.value("name"_L1).toString();
                const JsonRef args = function.value("args"_L1);
                added.arguments = args.isUndefined() ? u"{}"_s
                                                     : QString::fromUtf8(args.compactJson());
                content = true;
                continue;
            }
            const QString text = part.value("text"_L1).toString();
            if (text.isEmpty())
                continue;
            content = true;
            if (part.value("thought"_L1).toBool()) {
                if (index == 0)
                    grow(s.reasoning, text);
            } else {
                grow(ch.text, text);
            }
        }
        const JsonRef finish = candidate.value("finishReason"_L1);
        if (finish.isString() && !finish.toString().isEmpty()) {
            ch.finishReason = finish.toString();
            if (index == 0) {
                s.finishReason = ch.finishReason;
                finishReasonSeen = true;
            }
        }
    }
    const JsonRef feedback = object.value("promptFeedback"_L1);
    if (candidates.isEmpty() && feedback.isObject()) {
        const QString reason = feedback.toObject().value("blockReason"_L1).toString();
        if (!reason.isEmpty()) {
            s.finishReason = "blocked:"_L1 + reason;
            finishReasonSeen = true;
        }
    }
    const JsonRef usageValue = object.value("usageMetadata"_L1);
    if (usageValue.isObject()) {
        const JsonRef u = usageValue.toObject();
        Usage &target = usage();
        target.inputTokens = tokenCount(u, "promptTokenCount"_L1);
        target.outputTokens = tokenCount(u, "candidatesTokenCount"_L1);
        target.reasoningTokens = tokenCount(u, "thoughtsTokenCount"_L1);
        target.cachedInputTokens = tokenCount(u, "cachedContentTokenCount"_L1);
        target.totalTokens = tokenCount(u, "totalTokenCount"_L1);
    }
    return content;
}

Analyser::Analyser() : d(std::make_unique<Private>()) {}

Analyser::~Analyser() = default;

void Analyser::setHeadersReceived(double ms)
{
    d->s.timing.ttfbMs = ms;
    ++d->revision;
}

void Analyser::Private::notePoint(double ms, qsizetype characters)
{
    pending.ms = ms;
    ++pending.events;
    pending.outputCharacters += qint32(characters);
    pending.outputTokens = s.usage && s.usage->outputTokens ? *s.usage->outputTokens : -1;
    if (pending.events < stride)
        return;
    QList<TimingPoint> &points = s.timing.points;
    points.append(pending);
    pending = TimingPoint();
    if (points.size() < Timing::MaximumPoints)
        return;
    // Full: each pair of neighbours becomes one point, and later points take twice the events.
    for (qsizetype i = 0; i < points.size() / 2; ++i) {
        const TimingPoint &first = points.at(2 * i);
        const TimingPoint &second = points.at(2 * i + 1);
        points[i] = TimingPoint{second.ms, first.events + second.events,
                                first.outputCharacters + second.outputCharacters,
                                second.outputTokens};
    }
    points.resize(points.size() / 2);
    stride *= 2;
}

void Analyser::addEvent(QByteArrayView type, QByteArrayView data, double ms)
{
    if (d->finished)
        return;
    const qsizetype before = d->produced;
    d->handleEvent(type, data, ms);
    if (d->s.provider != Provider::None)
        d->notePoint(ms, d->produced - before);
}

void Analyser::Private::handleEvent(QByteArrayView type, QByteArrayView data, double ms)
{
    Timing &timing = s.timing;
    if (timing.chunks++ == 0)
        timing.firstEventMs = ms;
    if (!decided) {
        detect(type, data);
        ++revision;
    } else if (s.provider != Provider::None) {
        ++revision;
        if (s.provider == Provider::OpenAiChat && trimmedView(data) == "[DONE]") {
            terminal = true;
            return;
        }
        const QByteArrayView body = trimmedView(data);
        if (body.isEmpty() || body.front() != '{')
            return;
        if (handle(type, parseObject(body)) && !timing.ttftMs)
            timing.ttftMs = ms;
        return;
    }
    // Detection handled the event: it may have carried the first text.
    if (s.provider != Provider::None && !timing.ttftMs
        && (!s.reasoning.isEmpty() || !s.toolCalls.isEmpty()
            || std::any_of(s.choices.cbegin(), s.choices.cend(),
                           [](const Choice &c) { return !c.text.isEmpty(); }))) {
        timing.ttftMs = ms;
    }
}

void Analyser::finish(double ms, End how)
{
    if (d->finished)
        return;
    d->finished = true;
    d->s.timing.durationMs = ms;
    if (d->s.provider == Provider::Gemini)
        d->terminal = d->finishReasonSeen && how == End::ServerEnded;
    ++d->revision;
}

void Analyser::setMaximumCharacters(qsizetype characters)
{
    d->maximumCharacters = characters;
}

bool Analyser::isClipped() const { return d->clipped; }

Provider Analyser::provider() const { return d->s.provider; }

bool Analyser::isFinished() const { return d->finished; }

quint64 Analyser::revision() const { return d->revision; }

Summary Analyser::summary() const
{
    if (d->s.provider == Provider::None) {
        Summary none;
        none.timing = d->s.timing;
        return none;
    }
    Summary summary = d->s;
    if (summary.provider == Provider::Anthropic || summary.provider == Provider::OpenAiResponses) {
        Choice first;
        for (const Choice &c : std::as_const(summary.choices)) {
            if (c.index == 0)
                first = c;
        }
        first.finishReason = summary.finishReason;
        summary.choices = {first};
    }
    for (const Choice &c : std::as_const(summary.choices)) {
        if (c.index == 0)
            summary.text = c.text;
    }
    for (ToolCall &call : summary.toolCalls)
        call.argumentsValid = isJson(call.arguments);
    if (summary.provider == Provider::Anthropic && summary.usage && summary.usage->inputTokens
        && summary.usage->outputTokens) {
        summary.usage->totalTokens = *summary.usage->inputTokens + *summary.usage->outputTokens;
    }
    summary.complete = d->terminal;
    if (d->pending.events > 0)
        summary.timing.points.append(d->pending);
    return summary;
}

// --- the `llm` record ------------------------------------------------------------------

namespace {

void appendKey(QByteArray &out, const char *key)
{
    out += '"';
    out += key;
    out += "\":";
}

void appendDouble(QByteArray &out, double value)
{
    QByteArray text = QByteArray::number(value, 'f', 3);
    while (text.endsWith('0') && !text.endsWith(".0"))
        text.chop(1);
    out += text;
}

void appendOptional(QByteArray &out, const std::optional<double> &value)
{
    if (value)
        appendDouble(out, *value);
    else
        out += "null";
}

void appendOptional(QByteArray &out, const std::optional<qint64> &value)
{
    if (value)
        out += QByteArray::number(*value);
    else
        out += "null";
}

void appendOptional(QByteArray &out, const std::optional<QString> &value)
{
    if (value)
        JsonLines::appendString(out, *value);
    else
        out += "null";
}

void appendNullableString(QByteArray &out, const QString &value)
{
    if (value.isNull())
        out += "null";
    else
        JsonLines::appendString(out, value);
}

} // namespace

void appendRecord(QByteArray &out, const Summary &summary)
{
    appendRecord(out, summary, 0, {});
}

void appendRecord(QByteArray &out, const Summary &summary, qint64 timeMs,
                  QByteArrayView connection, RecordTimeline timeline)
{
    const bool llm = summary.provider != Provider::None;
    out += "{\"kind\":\"llm\",";
    if (timeMs > 0) {
        out += "\"time\":";
        QByteArray time;
        JsonLines::TimeFormatter().append(time, timeMs);
        JsonLines::appendString(out, QByteArrayView(time));
        out += ',';
    }
    if (!connection.isEmpty()) {
        out += "\"connection\":";
        JsonLines::appendString(out, connection);
        out += ',';
    }
    appendKey(out, "provider");
    if (llm)
        JsonLines::appendString(out, QByteArrayView(providerName(summary.provider)));
    else
        out += "null";
    out += ',';
    appendKey(out, "model");
    appendOptional(out, llm ? summary.model : std::nullopt);
    out += ',';
    appendKey(out, "response_id");
    appendOptional(out, llm ? summary.responseId : std::nullopt);
    out += ',';
    appendKey(out, "text");
    JsonLines::appendString(out, llm ? summary.text : QString());
    out += ',';
    appendKey(out, "reasoning");
    JsonLines::appendString(out, llm ? summary.reasoning : QString());
    out += ',';
    appendKey(out, "choices");
    out += '[';
    for (qsizetype i = 0; llm && i < summary.choices.size(); ++i) {
        const Choice &c = summary.choices.at(i);
        if (i > 0)
            out += ',';
        out += "{\"index\":" + QByteArray::number(c.index) + ",\"text\":";
        JsonLines::appendString(out, c.text);
        out += ",\"finish_reason\":";
        appendOptional(out, c.finishReason);
        out += '}';
    }
    out += "],";
    appendKey(out, "tool_calls");
    out += '[';
    for (qsizetype i = 0; llm && i < summary.toolCalls.size(); ++i) {
        const ToolCall &call = summary.toolCalls.at(i);
        if (i > 0)
            out += ',';
        out += "{\"index\":" + QByteArray::number(call.index) + ",\"id\":";
        JsonLines::appendString(out, call.id);
        out += ",\"name\":";
        JsonLines::appendString(out, call.name);
        out += ",\"arguments\":";
        JsonLines::appendString(out, call.arguments);
        out += call.argumentsValid ? ",\"arguments_valid\":true}" : ",\"arguments_valid\":false}";
    }
    out += "],";
    appendKey(out, "finish_reason");
    appendOptional(out, llm ? summary.finishReason : std::nullopt);
    out += ',';
    appendKey(out, "usage");
    if (llm && summary.usage) {
        const Usage &u = *summary.usage;
        out += "{\"input_tokens\":";
        appendOptional(out, u.inputTokens);
        out += ",\"output_tokens\":";
        appendOptional(out, u.outputTokens);
        out += ",\"reasoning_tokens\":";
        appendOptional(out, u.reasoningTokens);
        out += ",\"cached_input_tokens\":";
        appendOptional(out, u.cachedInputTokens);
        out += ",\"total_tokens\":";
        appendOptional(out, u.totalTokens);
        out += '}';
    } else {
        out += "null";
    }
    out += ',';
    appendKey(out, "complete");
    out += !llm ? "null" : summary.complete ? "true" : "false";
    out += ',';
    appendKey(out, "error");
    if (llm && summary.error) {
        out += "{\"type\":";
        appendNullableString(out, summary.error->type.isEmpty() ? QString() : summary.error->type);
        out += ",\"message\":";
        JsonLines::appendString(out, summary.error->message);
        out += '}';
    } else {
        out += "null";
    }
    out += ',';
    appendKey(out, "timing");
    if (llm) {
        const Timing &t = summary.timing;
        out += "{\"ttfb_ms\":";
        appendOptional(out, t.ttfbMs);
        out += ",\"first_event_ms\":";
        appendOptional(out, t.firstEventMs);
        out += ",\"ttft_ms\":";
        appendOptional(out, t.ttftMs);
        out += ",\"duration_ms\":";
        appendOptional(out, t.durationMs);
        out += ",\"chunks\":" + QByteArray::number(t.chunks) + ",\"output_tokens_per_s\":";
        appendOptional(out, summary.outputTokensPerSecond());
        out += '}';
    } else {
        out += "null";
    }
    if (llm && timeline == RecordTimeline::Include) {
        // Compact: [ms, events, characters, output tokens or null] per point.
        out += ",\"timeline\":[";
        for (qsizetype i = 0; i < summary.timing.points.size(); ++i) {
            const TimingPoint &point = summary.timing.points.at(i);
            if (i > 0)
                out += ',';
            out += '[';
            appendDouble(out, point.ms);
            out += ',' + QByteArray::number(point.events) + ','
                + QByteArray::number(point.outputCharacters) + ',';
            appendOptional(out, point.outputTokens >= 0 ? std::optional<qint64>(point.outputTokens)
                                                        : std::nullopt);
            out += ']';
        }
        out += ']';
    }
    out += "}\n";
}

namespace {

std::optional<QString> optionalString(const QJsonValue &value)
{
    if (!value.isString())
        return std::nullopt;
    return value.toString();
}

std::optional<double> optionalDouble(const QJsonValue &value)
{
    if (!value.isDouble())
        return std::nullopt;
    return value.toDouble();
}

} // namespace

std::optional<Summary> summaryFromRecord(const QJsonObject &record)
{
    if (record.value("kind"_L1).toString() != "llm"_L1)
        return std::nullopt;
    Summary s;
    s.provider = providerFromName(record.value("provider"_L1).toString().toUtf8());
    s.model = optionalString(record.value("model"_L1));
    s.responseId = optionalString(record.value("response_id"_L1));
    s.text = record.value("text"_L1).toString();
    s.reasoning = record.value("reasoning"_L1).toString();
    for (const QJsonValue &value : record.value("choices"_L1).toArray()) {
        const QJsonObject c = value.toObject();
        s.choices.append(Choice{c.value("index"_L1).toInt(), c.value("text"_L1).toString(),
                                optionalString(c.value("finish_reason"_L1))});
    }
    for (const QJsonValue &value : record.value("tool_calls"_L1).toArray()) {
        const QJsonObject c = value.toObject();
        s.toolCalls.append(ToolCall{c.value("index"_L1).toInt(), c.value("id"_L1).toString(),
                                    c.value("name"_L1).toString(),
                                    c.value("arguments"_L1).toString(),
                                    c.value("arguments_valid"_L1).toBool()});
    }
    s.finishReason = optionalString(record.value("finish_reason"_L1));
    if (record.value("usage"_L1).isObject()) {
        const QJsonObject u = record.value("usage"_L1).toObject();
        s.usage = Usage{tokenCount(u, "input_tokens"_L1), tokenCount(u, "output_tokens"_L1),
                        tokenCount(u, "reasoning_tokens"_L1),
                        tokenCount(u, "cached_input_tokens"_L1),
                        tokenCount(u, "total_tokens"_L1)};
    }
    s.complete = record.value("complete"_L1).toBool();
    if (record.value("error"_L1).isObject()) {
        const QJsonObject e = record.value("error"_L1).toObject();
        s.error = Error{e.value("type"_L1).toString(), e.value("message"_L1).toString()};
    }
    const QJsonObject t = record.value("timing"_L1).toObject();
    s.timing.ttfbMs = optionalDouble(t.value("ttfb_ms"_L1));
    s.timing.firstEventMs = optionalDouble(t.value("first_event_ms"_L1));
    s.timing.ttftMs = optionalDouble(t.value("ttft_ms"_L1));
    s.timing.durationMs = optionalDouble(t.value("duration_ms"_L1));
    s.timing.chunks = t.value("chunks"_L1).toInteger();
    // Recordings before the timeline have none; a malformed point ends it, and no more than
    // a live timeline holds is read.
    const QJsonArray timeline = record.value("timeline"_L1).toArray();
    for (const QJsonValue &value : timeline) {
        const QJsonArray point = value.toArray();
        if (point.size() < 4 || !point.at(0).isDouble() || !point.at(1).isDouble()
            || !point.at(2).isDouble() || s.timing.points.size() >= Timing::MaximumPoints) {
            break;
        }
        s.timing.points.append(TimingPoint{point.at(0).toDouble(), qint32(point.at(1).toInteger()),
                                           qint32(point.at(2).toInteger()),
                                           point.at(3).isDouble() ? point.at(3).toInteger() : -1});
    }
    return s;
}

QList<TimelineRate> timelineRates(const Summary &summary, bool *estimated)
{
    const QList<TimingPoint> &points = summary.timing.points;
    // Per-chunk counts: the stream's output token count moved more than once.
    int changes = 0;
    qint64 lastCount = -1;
    qint64 characters = 0;
    for (const TimingPoint &point : points) {
        if (point.outputTokens >= 0 && point.outputTokens != lastCount) {
            ++changes;
            lastCount = point.outputTokens;
        }
        characters += point.outputCharacters;
    }
    const bool reported = changes > 1;
    double tokensPerCharacter = 0.25;
    if (!reported && summary.usage && summary.usage->outputTokens && characters > 0)
        tokensPerCharacter = double(*summary.usage->outputTokens) / double(characters);
    if (estimated)
        *estimated = !reported;

    QList<TimelineRate> rates;
    rates.reserve(points.size());
    double startMs = summary.timing.ttfbMs.value_or(0);
    // Intervals shorter than a hundredth of the response join the next one: a rate over a
    // millisecond or two says little, and one such spike would flatten the rest of the chart.
    const double shortestMs =
        points.isEmpty() ? 0.0 : std::max(0.0, (points.constLast().ms - startMs) / 100.0);
    qint64 countBefore = 0;
    double tokens = 0;
    qint64 events = 0;
    for (const TimingPoint &point : points) {
        events += point.events;
        if (reported) {
            if (point.outputTokens >= 0) {
                tokens += double(point.outputTokens - countBefore);
                countBefore = point.outputTokens;
            }
        } else {
            tokens += point.outputCharacters * tokensPerCharacter;
        }
        const double span = point.ms - startMs;
        if (span <= 0 || span < shortestMs)
            continue; // events of the same instant: they count in the next interval
        rates.append(TimelineRate{point.ms, span / double(qMax<qint64>(events, 1)),
                                  qMax(0.0, tokens) / (span / 1000.0)});
        startMs = point.ms;
        tokens = 0;
        events = 0;
    }
    // The last events did not make an interval of their own (or are all there is so far):
    // their mean gap as it is, at the rate before them (none: 0).
    if (events > 0) {
        const double span = std::max(0.0, points.constLast().ms - startMs);
        rates.append(TimelineRate{points.constLast().ms, span / double(events),
                                  rates.isEmpty() ? 0.0 : rates.constLast().tokensPerSecond});
    }
    return rates;
}

} // namespace Sse::Llm
