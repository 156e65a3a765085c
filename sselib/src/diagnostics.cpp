#include "sselib/diagnostics.h"
#include "sselib/profile.h"

#include "sselib/sseparser.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QHash>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QLoggingCategory>
#include <QMap>
#include <QSet>
#include <QTimer>

#include <algorithm>

Q_LOGGING_CATEGORY(lcDiagnostics, "sse.diagnostics", QtInfoMsg)

namespace Sse {

namespace {

using Headers = QList<QPair<QByteArray, QByteArray>>;

// Bounds on what one observation keeps, so a long check of a busy stream stays small.
constexpr qsizetype MaximumSamples = 1000000;
constexpr qsizetype MaximumSeenIds = 100000; // kept as 64-bit hashes: about 3 MB at most
// The type table: at most this many names of at most MaximumTypeBytes each (256 KB of names);
// other events are counted in one overflow bucket.
constexpr qsizetype MaximumTypes = 1000;
constexpr qsizetype MaximumTypeBytes = 256;
constexpr qsizetype MaximumLinePrefix = 256; // enough for the field name and the colon
constexpr int MaximumUnknownNames = 20;

QByteArray headerValue(const Headers &headers, const QByteArray &name)
{
    for (const auto &header : headers) {
        if (header.first.compare(name, Qt::CaseInsensitive) == 0)
            return header.second;
    }
    return {};
}

bool hasHeader(const Headers &headers, const QByteArray &name)
{
    for (const auto &header : headers) {
        if (header.first.compare(name, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

qint64 percentile(QList<qint64> values, double fraction)
{
    if (values.isEmpty())
        return -1;
    std::sort(values.begin(), values.end());
    qsizetype index = qsizetype(fraction * double(values.size()) + 0.999999) - 1;
    index = qBound<qsizetype>(0, index, values.size() - 1);
    return values.at(index);
}

QString bytesText(qint64 bytes)
{
    if (bytes < 0)
        return QStringLiteral("-");
    if (bytes < 10 * 1024)
        return QStringLiteral("%1 B").arg(bytes);
    if (bytes < 10 * 1024 * 1024)
        return QStringLiteral("%1 KiB").arg(double(bytes) / 1024.0, 0, 'f', 1);
    return QStringLiteral("%1 MiB").arg(double(bytes) / (1024.0 * 1024.0), 0, 'f', 1);
}

QString msText(qint64 ms)
{
    if (ms < 0)
        return QStringLiteral("-");
    if (ms < 10000)
        return QStringLiteral("%1 ms").arg(ms);
    return QStringLiteral("%1 s").arg(double(ms) / 1000.0, 0, 'f', 1);
}

QString quoted(const QByteArray &bytes)
{
    return QLatin1Char('"') + QString::fromUtf8(bytes.left(80)) + QLatin1Char('"');
}

bool isLoopbackHost(const QUrl &url)
{
    const QString host = url.host();
    if (host == QLatin1String("localhost"))
        return true;
    const QHostAddress address(host);
    return !address.isNull() && address.isLoopback();
}

// The texts of the findings, translated when the application has installed a translator
// (the GUI does; the CLI stays English).
struct StreamCheck
{
    Q_DECLARE_TR_FUNCTIONS(StreamCheck)
};

} // namespace

QString severityName(Finding::Severity severity)
{
    switch (severity) {
    case Finding::Pass:
        return QStringLiteral("pass");
    case Finding::Info:
        return QStringLiteral("info");
    case Finding::Warning:
        return QStringLiteral("warning");
    case Finding::Failure:
        return QStringLiteral("failure");
    }
    return {};
}

int DiagnosticsReport::count(Finding::Severity severity) const
{
    return int(std::count_if(findings.cbegin(), findings.cend(),
                             [severity](const Finding &f) { return f.severity == severity; }));
}

const Finding *DiagnosticsReport::find(const QString &id) const
{
    for (const Finding &finding : findings) {
        if (finding.id == id)
            return &finding;
    }
    return nullptr;
}

QString DiagnosticsReport::toText() const
{
    const DiagnosticsStatistics &s = statistics;
    QString text = StreamCheck::tr("SSE stream check: %1\n").arg(redactedUrl(url));
    text += StreamCheck::tr("Observed %1 s: %2 events, %3, %4 response(s)\n")
                .arg(double(s.durationMs) / 1000.0, 0, 'f', 1)
                .arg(s.events)
                .arg(bytesText(s.bytes))
                .arg(s.responses);
    QString category;
    for (const Finding &finding : findings) {
        if (finding.category != category) {
            category = finding.category;
            text += QLatin1Char('\n') + category + QLatin1Char('\n');
        }
        static const char *const tags[] = {"PASS", "INFO", "WARN", "FAIL"};
        text += QStringLiteral("  [%1] %2  (%3)\n")
                    .arg(QLatin1String(tags[finding.severity]), finding.title, finding.id);
        if (!finding.detail.isEmpty())
            text += QStringLiteral("         ") + finding.detail + QLatin1Char('\n');
        if (!finding.advice.isEmpty())
            text += StreamCheck::tr("         Fix: %1\n").arg(finding.advice);
    }

    text += QLatin1Char('\n') + statisticsText();
    text += StreamCheck::tr("\nResult: %1 failure(s), %2 warning(s), %3 passed\n")
                .arg(count(Finding::Failure))
                .arg(count(Finding::Warning))
                .arg(count(Finding::Pass));
    return text;
}

QString DiagnosticsReport::statisticsText() const
{
    const DiagnosticsStatistics &s = statistics;
    QString text = StreamCheck::tr("Statistics\n");
    QStringList types;
    for (const auto &entry : s.eventsByType)
        types += QString::fromUtf8(entry.first) + QLatin1Char(' ') + QString::number(entry.second);
    if (s.eventsOfOtherTypes > 0)
        types += StreamCheck::tr("other types %1").arg(s.eventsOfOtherTypes);
    text += StreamCheck::tr("  events by type:   %1\n")
                .arg(types.isEmpty() ? QStringLiteral("-") : types.join(QStringLiteral(", ")));
    text += StreamCheck::tr("  rate:             %1 events/s\n").arg(s.eventsPerSecond, 0, 'f', 2);
    text += StreamCheck::tr("  event size:       min %1, median %2, max %3\n")
                .arg(bytesText(s.minimumSize), bytesText(s.medianSize), bytesText(s.maximumSize));
    text += StreamCheck::tr("  inter-arrival:    p50 %1, p99 %2\n")
                .arg(msText(s.interArrivalP50Ms), msText(s.interArrivalP99Ms));
    text += StreamCheck::tr("  longest silence:  %1\n").arg(msText(s.longestSilenceMs));
    text += StreamCheck::tr("  headers / first byte / first event: %1 / %2 / %3\n")
                .arg(msText(s.timeToHeadersMs), msText(s.timeToFirstByteMs),
                     msText(s.timeToFirstEventMs));
    text += StreamCheck::tr("  comments:         %1\n").arg(s.comments);
    return text;
}

QJsonObject DiagnosticsReport::toJson() const
{
    QJsonArray list;
    for (const Finding &finding : findings) {
        list.append(QJsonObject{{QStringLiteral("id"), finding.id},
                                {QStringLiteral("severity"), severityName(finding.severity)},
                                {QStringLiteral("category"), finding.category},
                                {QStringLiteral("title"), finding.title},
                                {QStringLiteral("detail"), finding.detail},
                                {QStringLiteral("advice"), finding.advice}});
    }
    const DiagnosticsStatistics &s = statistics;
    QJsonObject types;
    for (const auto &entry : s.eventsByType)
        types.insert(QString::fromUtf8(entry.first), double(entry.second));
    const QJsonObject stats{
        {QStringLiteral("durationMs"), double(s.durationMs)},
        {QStringLiteral("events"), double(s.events)},
        {QStringLiteral("bytes"), double(s.bytes)},
        {QStringLiteral("comments"), double(s.comments)},
        {QStringLiteral("responses"), double(s.responses)},
        {QStringLiteral("eventsPerSecond"), s.eventsPerSecond},
        {QStringLiteral("eventsByType"), types},
        {QStringLiteral("eventsOfOtherTypes"), double(s.eventsOfOtherTypes)},
        {QStringLiteral("minimumSize"), double(s.minimumSize)},
        {QStringLiteral("medianSize"), double(s.medianSize)},
        {QStringLiteral("maximumSize"), double(s.maximumSize)},
        {QStringLiteral("interArrivalP50Ms"), double(s.interArrivalP50Ms)},
        {QStringLiteral("interArrivalP99Ms"), double(s.interArrivalP99Ms)},
        {QStringLiteral("longestSilenceMs"), double(s.longestSilenceMs)},
        {QStringLiteral("timeToHeadersMs"), double(s.timeToHeadersMs)},
        {QStringLiteral("timeToFirstByteMs"), double(s.timeToFirstByteMs)},
        {QStringLiteral("timeToFirstEventMs"), double(s.timeToFirstEventMs)},
    };
    return QJsonObject{{QStringLiteral("url"), redactedUrl(url)},
                       {QStringLiteral("failures"), count(Finding::Failure)},
                       {QStringLiteral("warnings"), count(Finding::Warning)},
                       {QStringLiteral("findings"), list},
                       {QStringLiteral("statistics"), stats}};
}

namespace {

// add(severity, category, id, title, detail, advice) for the check functions: appends a finding
// to \a report under its translated category.
auto findingAdder(DiagnosticsReport *report)
{
    return [report](Finding::Severity severity, const char *category, const char *id,
                    const QString &title, const QString &detail = {}, const QString &advice = {}) {
        report->findings.append({severity, QLatin1String(id), StreamCheck::tr(category), title,
                                 detail, advice});
    };
}

// The categories passed to add(), for lupdate.
[[maybe_unused]] const char *const findingCategories[] = {
    QT_TRANSLATE_NOOP("StreamCheck", "Response"),
    QT_TRANSLATE_NOOP("StreamCheck", "Delivery"),
    QT_TRANSLATE_NOOP("StreamCheck", "Resumability"),
    QT_TRANSLATE_NOOP("StreamCheck", "Keep-alive"),
    QT_TRANSLATE_NOOP("StreamCheck", "Format"),
};

} // namespace

class StreamDiagnostics::Private
{
public:
    explicit Private(StreamDiagnostics *owner) : q(owner) { clock.start(); }

    void reset();
    qint64 now() const { return clock.elapsed(); }
    void consumeLine(const QByteArray &prefix, qsizetype length);
    void processEvent(const Event &event, qint64 nowMs);
    void closeRead();
    void evaluateResume(const QByteArray &after);
    void maybeForceResume();
    bool resendsRequest() const
    {
        const ClientOptions options = client->options();
        return options.method == "GET" || options.reconnectNonIdempotent;
    }
    DiagnosticsReport buildReport() const;
    // buildReport()'s parts: the figures, then one function per family of checks.
    DiagnosticsStatistics statistics() const;
    bool checkResponse(DiagnosticsReport *report) const; ///< false: the body is not a stream
    bool checkStatusAndType(DiagnosticsReport *report) const; ///< part of checkResponse()
    void checkResponseHeaders(DiagnosticsReport *report) const; ///< caching, proxies, HTTP/2
    void checkDelivery(DiagnosticsReport *report) const;
    void checkResumability(DiagnosticsReport *report) const;
    void checkKeepAlive(DiagnosticsReport *report) const;
    void checkFormat(DiagnosticsReport *report) const;

    StreamDiagnostics *q;
    Settings settings;
    QElapsedTimer clock;

    // Attachment and run().
    QPointer<Client> client;
    QList<QMetaObject::Connection> connections;
    Client *ownClient = nullptr; // child of q while run() is active
    QTimer *runTimer = nullptr;
    bool running = false;

    // Wire: our own parser, fed line by line, and the line scanner's state.
    Parser parser;
    QByteArray linePrefix;       // first MaximumLinePrefix bytes of the current line
    qsizetype lineLength = 0;    // full length of the current line so far
    bool lastWasCr = false;      // the previous byte ended a line with CR
    bool atResponseStart = true; // BOM check pending for the scanner
    bool blockHasId = false;     // the pending event block has a non-empty id field
    bool resyncing = false;      // attached mid-stream: skip bytes up to the first blank line
    bool skipLineFeed = false;   // resync ended at a CR: a following LF belongs to it

    // Response.
    QUrl url;
    qint64 beginMs = -1;
    qint64 endMs = -1;
    qint64 headersMs = -1;
    qint64 firstByteMs = -1;
    qint64 firstEventMs = -1;
    qint64 lastActivityMs = -1;
    qint64 longestSilenceMs = -1;
    int responses = 0;
    int firstStatus = 0;
    Headers firstHeaders;
    bool http2 = false;
    QStringList errors;

    // Delivery.
    qint64 bytes = 0;
    qint64 events = 0;
    QHash<QByteArray, qint64> eventsByType;
    qint64 eventsOfOtherTypes = 0;
    QList<qint64> sizes;
    QList<qint64> gaps;
    qint64 lastEventMs = -1;
    bool readOpen = false;
    bool readIsFirst = true; // the current read is the first of its response
    qint64 readMs = -1;
    qint64 readGapMs = 0;
    int readEvents = 0;
    int burstReads = 0;
    qint64 burstEvents = 0;
    int largestBurst = 0;

    // Resumability.
    qint64 eventsWithId = 0;
    qint64 eventsWithoutId = 0;
    bool retrySeen = false;
    bool resumeForced = false;
    bool resumeSkipped = false; // the request is not idempotent: no forced reconnect
    bool awaitingResume = false;
    QByteArray resumeFromId;
    QSet<size_t> seenIds; // hashes of the ids seen: a 64 KiB id costs as little as a short one
    static size_t idHash(const QByteArray &id) { return qHashBits(id.constData(), size_t(id.size())); }
    int resumeChecks = 0;
    int resumeDuplicates = 0;
    int resumeGaps = 0;
    QString resumeDetail;

    // Format.
    QMap<QByteArray, int> unknownFields;
    qint64 dataWithoutSpace = 0;
    QByteArray dataWithoutSpaceSample;
    qint64 jsonLooking = 0;
    qint64 invalidJson = 0;
    QByteArray invalidJsonSample;
    qint64 largeEvents = 0;
};

void StreamDiagnostics::Private::reset()
{
    parser = Parser();
    linePrefix.clear();
    lineLength = 0;
    lastWasCr = false;
    atResponseStart = true;
    blockHasId = false;
    resyncing = false;
    skipLineFeed = false;
    url = QUrl();
    beginMs = endMs = headersMs = firstByteMs = firstEventMs = lastActivityMs = -1;
    longestSilenceMs = -1;
    responses = 0;
    firstStatus = 0;
    firstHeaders.clear();
    http2 = false;
    errors.clear();
    bytes = events = 0;
    eventsByType.clear();
    eventsOfOtherTypes = 0;
    sizes.clear();
    gaps.clear();
    lastEventMs = -1;
    readOpen = false;
    readIsFirst = true;
    readMs = -1;
    readGapMs = 0;
    readEvents = 0;
    burstReads = 0;
    burstEvents = 0;
    largestBurst = 0;
    eventsWithId = eventsWithoutId = 0;
    retrySeen = false;
    resumeForced = false;
    resumeSkipped = false;
    awaitingResume = false;
    resumeFromId.clear();
    seenIds.clear();
    resumeChecks = resumeDuplicates = resumeGaps = 0;
    resumeDetail.clear();
    unknownFields.clear();
    dataWithoutSpace = 0;
    dataWithoutSpaceSample.clear();
    jsonLooking = invalidJson = 0;
    invalidJsonSample.clear();
    largeEvents = 0;
}

// One complete line of the body (terminator excluded), as far as the scanner kept it.
void StreamDiagnostics::Private::consumeLine(const QByteArray &prefix, qsizetype length)
{
    QByteArray line = prefix;
    if (atResponseStart) {
        atResponseStart = false;
        if (line.startsWith("\xEF\xBB\xBF")) {
            line.remove(0, 3);
            length -= 3;
        }
    }
    if (length == 0 || line.isEmpty() || line.startsWith(':'))
        return;
    const qsizetype colon = line.indexOf(':');
    const QByteArray name = colon < 0 ? line : line.left(colon);
    if (name == "data") {
        const bool hasValue = colon >= 0 && colon + 1 < length && colon + 1 < line.size();
        if (hasValue && line.at(colon + 1) != ' ') {
            ++dataWithoutSpace;
            if (dataWithoutSpaceSample.isEmpty())
                dataWithoutSpaceSample = line.left(40);
        }
    } else if (name == "id") {
        const qsizetype valueStart = colon < 0 ? line.size()
                                     : (colon + 1 < line.size() && line.at(colon + 1) == ' ')
                                         ? colon + 2
                                         : colon + 1;
        blockHasId = colon >= 0 && valueStart < length;
    } else if (name != "event" && name != "retry") {
        if (unknownFields.contains(name) || unknownFields.size() < MaximumUnknownNames)
            ++unknownFields[name];
    }
}

void StreamDiagnostics::Private::processEvent(const Event &event, qint64 nowMs)
{
    ++events;
    ++readEvents;
    if (const auto type = eventsByType.find(event.type); type != eventsByType.end())
        ++*type;
    else if (eventsByType.size() < MaximumTypes && event.type.size() <= MaximumTypeBytes)
        eventsByType.insert(event.type, 1);
    else
        ++eventsOfOtherTypes;
    if (sizes.size() < MaximumSamples)
        sizes.append(event.data.size());
    if (firstEventMs < 0)
        firstEventMs = nowMs;
    if (lastEventMs >= 0 && gaps.size() < MaximumSamples)
        gaps.append(nowMs - lastEventMs);
    lastEventMs = nowMs;
    if (event.retryMs >= 0)
        retrySeen = true;

    if (blockHasId) {
        ++eventsWithId;
        if (awaitingResume) {
            awaitingResume = false;
            evaluateResume(event.lastEventId);
        }
        if (seenIds.size() < MaximumSeenIds)
            seenIds.insert(idHash(event.lastEventId));
    } else {
        ++eventsWithoutId;
    }

    const QByteArray trimmed = event.data.trimmed();
    if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
        ++jsonLooking;
        QJsonParseError error;
        QJsonDocument::fromJson(event.data, &error);
        if (error.error != QJsonParseError::NoError) {
            ++invalidJson;
            if (invalidJsonSample.isEmpty())
                invalidJsonSample = event.data.left(60);
        }
    }
    if (event.data.size() > settings.largeEventBytes)
        ++largeEvents;
}

void StreamDiagnostics::Private::evaluateResume(const QByteArray &after)
{
    ++resumeChecks;
    bool beforeOk = false;
    bool afterOk = false;
    const qint64 before = resumeFromId.toLongLong(&beforeOk);
    const qint64 first = after.toLongLong(&afterOk);
    if (beforeOk && afterOk) {
        if (first <= before) {
            ++resumeDuplicates;
            resumeDetail = StreamCheck::tr("Reconnected with Last-Event-ID %1; the first event "
                                           "after it had id %2 (already delivered).")
                               .arg(before)
                               .arg(first);
        } else if (first > before + 1) {
            ++resumeGaps;
            resumeDetail = StreamCheck::tr("Reconnected with Last-Event-ID %1; the first event "
                                           "after it had id %2: %3 id(s) skipped.")
                               .arg(before)
                               .arg(first)
                               .arg(first - before - 1);
        } else if (resumeDetail.isEmpty()) {
            resumeDetail = StreamCheck::tr("Reconnected with Last-Event-ID %1; the stream "
                                           "resumed at id %2.")
                               .arg(before)
                               .arg(first);
        }
        return;
    }
    if (after == resumeFromId || seenIds.contains(idHash(after))) {
        ++resumeDuplicates;
        resumeDetail = StreamCheck::tr("Reconnected with Last-Event-ID %1; the first event after "
                                       "it had id %2, which was already delivered.")
                           .arg(quoted(resumeFromId), quoted(after));
    } else if (resumeDetail.isEmpty()) {
        resumeDetail = StreamCheck::tr("Reconnected with Last-Event-ID %1; the stream continued "
                                       "with new id %2 (ids are not numeric: gaps not checked).")
                           .arg(quoted(resumeFromId), quoted(after));
    }
}

void StreamDiagnostics::Private::maybeForceResume()
{
    if (!settings.resumeCheck || resumeForced || !client
        || eventsWithId < settings.resumeAfterEvents) {
        return;
    }
    if (!resendsRequest()) {
        resumeSkipped = true; // re-sending a POST may start a new (costly) job on the server
        return;
    }
    resumeForced = true;
    // Not from inside the client's signal: reconnectNow() drops the reply being read.
    QTimer::singleShot(0, q, [this] {
        if (client && client->state() == Client::State::Open) {
            qCDebug(lcDiagnostics) << "forcing a reconnect to check Last-Event-ID";
            client->reconnectNow();
        }
    });
}

void StreamDiagnostics::Private::closeRead()
{
    if (!readOpen)
        return;
    readOpen = false;
    if (!readIsFirst && readEvents >= settings.burstMinimumEvents
        && readGapMs >= settings.burstMinimumGapMs) {
        ++burstReads;
        burstEvents += readEvents;
        largestBurst = qMax(largestBurst, readEvents);
    }
    readIsFirst = false;
}

StreamDiagnostics::StreamDiagnostics(QObject *parent)
    : QObject(parent), d(std::make_unique<Private>(this))
{
}

StreamDiagnostics::~StreamDiagnostics()
{
    detach();
}

void StreamDiagnostics::setSettings(const Settings &settings) { d->settings = settings; }
StreamDiagnostics::Settings StreamDiagnostics::settings() const { return d->settings; }

void StreamDiagnostics::attach(Client *client)
{
    detach();
    d->client = client;
    if (!client)
        return;
    client->setRawCapture(true);
    d->connections << connect(client, &Client::stateChanged, this, [this](Client::State state) {
        if (state == Client::State::Connecting && d->beginMs < 0 && d->client)
            begin(d->client->options().url, d->now());
    });
    d->connections << connect(client, &Client::responseStarted, this,
                              [this](int status, const Headers &headers) {
                                  addResponse(status, headers,
                                              d->client && d->client->http2Used(), d->now());
                              });
    d->connections << connect(client, &Client::rawBytesReceived, this,
                              [this](const QByteArray &bytes) { addBytes(bytes, d->now()); });
    d->connections << connect(client, &Client::errorOccurred, this,
                              [this](const QString &message, bool) { addError(message); });
    if (client->state() != Client::State::Idle && d->beginMs < 0)
        begin(client->options().url, d->now());
    if (client->state() == Client::State::Open && d->responses == 0) {
        // Mid-stream: take the response as it is and start at the next event boundary.
        addResponse(client->httpStatus(), client->responseHeaders(), client->http2Used(),
                    d->now());
        d->resyncing = true;
    }
}

void StreamDiagnostics::detach()
{
    for (const QMetaObject::Connection &connection : std::as_const(d->connections))
        disconnect(connection);
    d->connections.clear();
    d->client = nullptr;
}

void StreamDiagnostics::run(const ClientOptions &options, int durationMs)
{
    stop();
    d->reset();
    d->running = true;
    d->ownClient = new Client(this);
    d->ownClient->setOptions(options);
    attach(d->ownClient);
    connect(d->ownClient, &Client::stateChanged, this, [this](Client::State state) {
        // A failed or closed connection has nothing more to show.
        if (state == Client::State::Failed || state == Client::State::Closed)
            QTimer::singleShot(0, this, &StreamDiagnostics::stop);
    });
    if (!d->runTimer) {
        d->runTimer = new QTimer(this);
        d->runTimer->setSingleShot(true);
        d->runTimer->setTimerType(Qt::PreciseTimer);
        connect(d->runTimer, &QTimer::timeout, this, &StreamDiagnostics::stop);
    }
    d->runTimer->start(durationMs);
    begin(options.url, d->now());
    d->ownClient->open();
}

bool StreamDiagnostics::isRunning() const { return d->running; }

void StreamDiagnostics::stop()
{
    if (!d->running)
        return;
    d->running = false;
    d->runTimer->stop();
    end(d->now());
    detach();
    if (d->ownClient) {
        Client *client = d->ownClient;
        d->ownClient = nullptr;
        client->close();
        client->deleteLater();
    }
    emit finished();
}

void StreamDiagnostics::begin(const QUrl &url, qint64 nowMs)
{
    d->url = url;
    d->beginMs = nowMs;
    d->endMs = -1;
}

void StreamDiagnostics::addResponse(int status, const Headers &headers, bool http2, qint64 nowMs)
{
    d->closeRead();
    if (d->responses == 0) {
        d->firstStatus = status;
        d->firstHeaders = headers;
        d->http2 = http2;
        d->headersMs = nowMs;
    } else {
        // A reconnect: what the client sends as Last-Event-ID is the last id we saw.
        d->parser.reset();
        d->resumeFromId = d->parser.lastEventId();
        d->awaitingResume = !d->resumeFromId.isEmpty();
    }
    ++d->responses;
    d->resyncing = false;
    d->skipLineFeed = false;
    d->linePrefix.clear();
    d->lineLength = 0;
    d->lastWasCr = false;
    d->atResponseStart = true;
    d->blockHasId = false;
    d->readIsFirst = true;
    d->lastActivityMs = nowMs;
}

void StreamDiagnostics::addBytes(const QByteArray &bytes, qint64 nowMs)
{
    if (bytes.isEmpty())
        return;
    if (d->firstByteMs < 0)
        d->firstByteMs = nowMs;
    if (d->lastActivityMs >= 0)
        d->longestSilenceMs = qMax(d->longestSilenceMs, nowMs - d->lastActivityMs);
    // Chunks with the same time stamp come from one network read.
    if (!d->readOpen || d->readMs != nowMs) {
        d->closeRead();
        d->readOpen = true;
        d->readMs = nowMs;
        d->readGapMs = d->lastActivityMs >= 0 ? nowMs - d->lastActivityMs : 0;
        d->readEvents = 0;
    }
    d->lastActivityMs = nowMs;
    d->bytes += bytes.size();
    d->parser.setReceiveTime(nowMs);

    // Feed the parser one line at a time, so each dispatched event can be matched
    // with the lines of its block (the scanner knows whether it carried an id).
    const char *data = bytes.constData();
    const qsizetype size = bytes.size();
    qsizetype pieceStart = 0;
    EventList events;
    for (qsizetype i = 0; i < size; ++i) {
        const char c = data[i];
        if (c == '\n' && d->lastWasCr) {
            d->lastWasCr = false;
            if (d->skipLineFeed)
                pieceStart = i + 1;
            d->skipLineFeed = false;
            continue; // second half of CRLF: the line was already handled at the CR
        }
        d->lastWasCr = false;
        d->skipLineFeed = false;
        if (c != '\n' && c != '\r') {
            if (d->linePrefix.size() < MaximumLinePrefix)
                d->linePrefix.append(c);
            ++d->lineLength;
            continue;
        }
        d->lastWasCr = c == '\r';
        if (d->resyncing) {
            // Bytes before the first blank line may be the tail of an event: not ours.
            const bool blank = d->lineLength == 0;
            d->linePrefix.clear();
            d->lineLength = 0;
            pieceStart = i + 1;
            if (blank) {
                d->resyncing = false;
                d->skipLineFeed = d->lastWasCr; // the LF of this CRLF is not the parser's
            }
            continue;
        }
        // Let the parser see everything up to this terminator (a CRLF split is its business).
        d->parser.feed(data + pieceStart, i + 1 - pieceStart, events);
        pieceStart = i + 1;
        d->consumeLine(d->linePrefix, d->lineLength);
        const bool blank = d->lineLength == 0;
        d->linePrefix.clear();
        d->lineLength = 0;
        for (const Event &event : std::as_const(events))
            d->processEvent(event, nowMs);
        events.clear();
        if (blank)
            d->blockHasId = false;
    }
    if (pieceStart < size && !d->resyncing)
        d->parser.feed(data + pieceStart, size - pieceStart, events);
    for (const Event &event : std::as_const(events))
        d->processEvent(event, nowMs);
    if (d->parser.retryMs() >= 0)
        d->retrySeen = true;
    if (d->events > 0)
        emit eventsObserved(d->events);
    d->maybeForceResume();
}

void StreamDiagnostics::addError(const QString &message)
{
    if (!d->errors.contains(message) && d->errors.size() < 10)
        d->errors.append(message);
}

void StreamDiagnostics::end(qint64 nowMs)
{
    d->closeRead();
    if (d->lastActivityMs >= 0)
        d->longestSilenceMs = qMax(d->longestSilenceMs, nowMs - d->lastActivityMs);
    d->endMs = nowMs;
}

DiagnosticsReport StreamDiagnostics::report() const
{
    return d->buildReport();
}

DiagnosticsReport StreamDiagnostics::Private::buildReport() const
{
    DiagnosticsReport report;
    report.url = url;
    report.statistics = statistics();
    // Without a usable stream body (no response, a wrong status or content type) the checks of
    // what the body carries would only repeat that failure.
    if (!checkResponse(&report))
        return report;
    checkDelivery(&report);
    checkResumability(&report);
    checkKeepAlive(&report);
    checkFormat(&report);
    return report;
}

DiagnosticsStatistics StreamDiagnostics::Private::statistics() const
{
    DiagnosticsStatistics s;
    const qint64 endTime = endMs >= 0 ? endMs : now();
    s.durationMs = beginMs >= 0 ? endTime - beginMs : 0;
    s.events = events;
    s.bytes = bytes;
    s.comments = parser.statistics().comments;
    s.responses = responses;
    s.eventsPerSecond = s.durationMs > 0 ? double(events) * 1000.0 / double(s.durationMs) : 0;
    for (auto it = eventsByType.cbegin(); it != eventsByType.cend(); ++it)
        s.eventsByType.append({it.key(), it.value()});
    s.eventsOfOtherTypes = eventsOfOtherTypes;
    std::sort(s.eventsByType.begin(), s.eventsByType.end(), [](const auto &a, const auto &b) {
        return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    if (!sizes.isEmpty()) {
        s.minimumSize = *std::min_element(sizes.cbegin(), sizes.cend());
        s.maximumSize = *std::max_element(sizes.cbegin(), sizes.cend());
        s.medianSize = percentile(sizes, 0.5);
    }
    s.interArrivalP50Ms = percentile(gaps, 0.5);
    s.interArrivalP99Ms = percentile(gaps, 0.99);
    // The silence still running at the end counts too.
    s.longestSilenceMs = longestSilenceMs;
    if (endMs < 0 && lastActivityMs >= 0)
        s.longestSilenceMs = qMax(s.longestSilenceMs, endTime - lastActivityMs);
    if (beginMs >= 0) {
        s.timeToHeadersMs = headersMs >= 0 ? headersMs - beginMs : -1;
        s.timeToFirstByteMs = firstByteMs >= 0 ? firstByteMs - beginMs : -1;
        s.timeToFirstEventMs = firstEventMs >= 0 ? firstEventMs - beginMs : -1;
    }
    return s;
}

bool StreamDiagnostics::Private::checkResponse(DiagnosticsReport *report) const
{
    const auto add = findingAdder(report);
    // --- Response ---
    if (responses == 0) {
        add(Finding::Failure, "Response", "response.connect", StreamCheck::tr("No response"),
            errors.isEmpty() ? StreamCheck::tr("The server sent no response headers.")
                             : errors.join(QStringLiteral("; ")),
            StreamCheck::tr("Check the URL, that the server is running and reachable, and TLS."));
        return false;
    }
    const bool bodyUsable = checkStatusAndType(report);
    checkResponseHeaders(report);
    return bodyUsable;
}

bool StreamDiagnostics::Private::checkStatusAndType(DiagnosticsReport *report) const
{
    const auto add = findingAdder(report);
    bool bodyUsable = true;
    if (firstStatus == 200) {
        add(Finding::Pass, "Response", "response.status", StreamCheck::tr("Status 200 OK"));
    } else {
        bodyUsable = false;
        add(Finding::Failure, "Response", "response.status",
            StreamCheck::tr("Status %1 instead of 200").arg(firstStatus),
            firstStatus == 204
                ? StreamCheck::tr("204 No Content tells EventSource to stop reconnecting.")
                : StreamCheck::tr("EventSource fails the connection on any status but 200."),
            StreamCheck::tr("Answer the stream request with 200 OK."));
    }

    const QByteArray contentType = headerValue(firstHeaders, "Content-Type");
    const QList<QByteArray> typeParts = contentType.split(';');
    const QByteArray essence = typeParts.value(0).trimmed().toLower();
    QByteArray charset;
    for (qsizetype i = 1; i < typeParts.size(); ++i) {
        const QByteArray part = typeParts.at(i).trimmed();
        if (part.toLower().startsWith("charset="))
            charset = part.mid(8).trimmed().toLower().replace('"', QByteArray());
    }
    const bool jsonStream = essence == "application/x-ndjson" || essence == "application/jsonl"
        || essence == "application/json" || essence == "application/x-jsonlines";
    if (jsonStream) {
        bodyUsable = false;
        add(Finding::Failure, "Response", "response.content-type",
            StreamCheck::tr("This endpoint streams NDJSON or JSON, not SSE"),
            StreamCheck::tr("Content-Type: %1: e.g. Ollama's native API, or Gemini without "
                            "alt=sse. An EventSource fails the connection.")
                .arg(QString::fromUtf8(contentType)),
            StreamCheck::tr("Read it with the NDJSON mode (sse-monitor-cli --ndjson, or the "
                            "connection's \"Also read NDJSON / JSON streams\" switch), or ask the API for "
                            "SSE (Gemini: ?alt=sse; Ollama: its OpenAI-compatible /v1 endpoints)."));
    } else if (essence != "text/event-stream") {
        bodyUsable = false;
        add(Finding::Failure, "Response", "response.content-type",
            StreamCheck::tr("Content-Type is not text/event-stream"),
            StreamCheck::tr("Content-Type: %1; EventSource fails the connection.")
                .arg(contentType.isEmpty() ? StreamCheck::tr("(none)")
                                           : QString::fromUtf8(contentType)),
            StreamCheck::tr("Send \"Content-Type: text/event-stream\"."));
    } else if (!charset.isEmpty() && charset != "utf-8" && charset != "utf8") {
        add(Finding::Warning, "Response", "response.content-type",
            StreamCheck::tr("Content-Type declares charset %1").arg(QString::fromUtf8(charset)),
            StreamCheck::tr("Event streams are always decoded as UTF-8; the charset is ignored."),
            StreamCheck::tr("Send \"Content-Type: text/event-stream\" (or charset=utf-8) and "
                            "encode the body as UTF-8."));
    } else {
        add(Finding::Pass, "Response", "response.content-type",
            StreamCheck::tr("Content-Type is text/event-stream"),
            QString::fromUtf8(contentType));
    }
    return bodyUsable;
}

void StreamDiagnostics::Private::checkResponseHeaders(DiagnosticsReport *report) const
{
    const auto add = findingAdder(report);
    const QByteArray cacheControl = headerValue(firstHeaders, "Cache-Control").toLower();
    if (cacheControl.contains("no-cache") || cacheControl.contains("no-store")) {
        add(Finding::Pass, "Response", "response.cache-control",
            StreamCheck::tr("Cache-Control forbids caching"), QString::fromUtf8(cacheControl));
    } else {
        add(Finding::Warning, "Response", "response.cache-control",
            StreamCheck::tr("Cache-Control: no-cache is missing"),
            cacheControl.isEmpty()
                ? StreamCheck::tr("No Cache-Control header: caches and proxies may store or "
                                  "hold back the stream.")
                : StreamCheck::tr("Cache-Control: %1").arg(QString::fromUtf8(cacheControl)),
            StreamCheck::tr("Send \"Cache-Control: no-cache\"."));
    }

    const QByteArray encoding = headerValue(firstHeaders, "Content-Encoding").trimmed().toLower();
    if (!encoding.isEmpty() && encoding != "identity") {
        add(Finding::Warning, "Response", "response.compression",
            StreamCheck::tr("The stream is compressed (%1)").arg(QString::fromUtf8(encoding)),
            StreamCheck::tr("Compressors and proxies often buffer compressed output, delaying "
                            "events until a block fills."),
            StreamCheck::tr("Do not compress text/event-stream, or flush the compressor after "
                            "every event."));
    } else {
        add(Finding::Pass, "Response", "response.compression",
            StreamCheck::tr("The stream is not compressed"));
    }

    const QByteArray accel = headerValue(firstHeaders, "X-Accel-Buffering").trimmed().toLower();
    const QByteArray server = headerValue(firstHeaders, "Server").toLower();
    const bool proxySeen = hasHeader(firstHeaders, "Via") || hasHeader(firstHeaders, "X-Cache")
        || hasHeader(firstHeaders, "CF-Ray") || hasHeader(firstHeaders, "X-Served-By")
        || server.contains("nginx") || server.contains("cloudflare") || server.contains("envoy");
    if (accel == "no") {
        add(Finding::Pass, "Response", "response.proxy-buffering",
            StreamCheck::tr("X-Accel-Buffering: no disables proxy buffering"));
    } else if (proxySeen) {
        add(Finding::Warning, "Response", "response.proxy-buffering",
            StreamCheck::tr("Behind a proxy without X-Accel-Buffering: no"),
            StreamCheck::tr("The response passed a proxy (Via/Server headers); it may buffer "
                            "events."),
            StreamCheck::tr("Send \"X-Accel-Buffering: no\" (nginx) or disable response "
                            "buffering for this route in the proxy."));
    } else {
        add(Finding::Info, "Response", "response.proxy-buffering",
            StreamCheck::tr("No X-Accel-Buffering header"),
            StreamCheck::tr("No proxy detected."),
            StreamCheck::tr("If the server sits behind nginx, send \"X-Accel-Buffering: no\"."));
    }

    if (http2) {
        add(Finding::Pass, "Response", "response.http-version",
            StreamCheck::tr("HTTP/2: streams share one connection"));
    } else {
        const QString detail = StreamCheck::tr(
            "Over HTTP/1.1 browsers allow only six connections per host, shared by all tabs: "
            "a seventh EventSource or fetch stalls.");
        const QString advice =
            StreamCheck::tr("Serve the stream over HTTP/2 (HTTPS), or use one stream per page.");
        if (isLoopbackHost(url)) {
            add(Finding::Info, "Response", "response.http-version",
                StreamCheck::tr("HTTP/1.1 (local server)"), detail, advice);
        } else {
            add(Finding::Warning, "Response", "response.http-version",
                StreamCheck::tr("HTTP/1.1: six connections per host in browsers"), detail,
                advice);
        }
    }
}

void StreamDiagnostics::Private::checkDelivery(DiagnosticsReport *report) const
{
    const auto add = findingAdder(report);
    const DiagnosticsStatistics &s = report->statistics;
    // --- Delivery ---
    if (events == 0) {
        add(Finding::Warning, "Delivery", "delivery.first-event",
            StreamCheck::tr("No event in %1").arg(msText(s.durationMs)),
            firstByteMs < 0 ? StreamCheck::tr("Not a single body byte arrived.")
                            : StreamCheck::tr("%1 arrived, but no complete event (a blank line "
                                              "ends each event).")
                                  .arg(bytesText(bytes)),
            StreamCheck::tr("Flush after each event and end every event with a blank line."));
    } else {
        add(Finding::Pass, "Delivery", "delivery.first-event",
            StreamCheck::tr("First event after %1").arg(msText(s.timeToFirstEventMs)),
            StreamCheck::tr("Headers after %1, first byte after %2.")
                .arg(msText(s.timeToHeadersMs), msText(s.timeToFirstByteMs)));
    }
    const bool bursty = burstReads >= 2 || (burstReads == 1 && burstEvents * 2 >= events);
    if (bursty) {
        add(Finding::Warning, "Delivery", "delivery.buffering",
            StreamCheck::tr("Events arrive in bursts"),
            StreamCheck::tr("%1 read(s) delivered %2 events at once (up to %3) after %4 ms or more "
                            "of silence: something between the application and the client "
                            "buffers.")
                .arg(burstReads)
                .arg(burstEvents)
                .arg(largestBurst)
                .arg(settings.burstMinimumGapMs),
            StreamCheck::tr("Flush the response after each event; disable proxy buffering "
                            "(X-Accel-Buffering: no) and compression."));
    } else if (events > 0) {
        add(Finding::Pass, "Delivery", "delivery.buffering",
            StreamCheck::tr("Events arrive as they are sent (no bursts)"));
    }
}

void StreamDiagnostics::Private::checkResumability(DiagnosticsReport *report) const
{
    const auto add = findingAdder(report);
    // --- Resumability ---
    if (events > 0) {
        if (eventsWithId == 0) {
            add(Finding::Warning, "Resumability", "resume.ids",
                StreamCheck::tr("Events carry no id"),
                StreamCheck::tr("Without ids a reconnecting client cannot send Last-Event-ID, so "
                                "events sent during a drop are lost."),
                StreamCheck::tr("Send \"id: <sequence>\" with each event and resume from "
                                "Last-Event-ID."));
        } else if (eventsWithoutId > 0) {
            add(Finding::Info, "Resumability", "resume.ids",
                StreamCheck::tr("Some events carry no id"),
                StreamCheck::tr("%1 of %2 events had their own id field.")
                    .arg(eventsWithId)
                    .arg(events));
        } else {
            add(Finding::Pass, "Resumability", "resume.ids",
                StreamCheck::tr("Every event carries an id"));
        }
    }
    if (retrySeen) {
        add(Finding::Pass, "Resumability", "resume.retry",
            StreamCheck::tr("retry: sets the reconnection time (%1 ms)").arg(parser.retryMs()));
    } else {
        add(Finding::Info, "Resumability", "resume.retry", StreamCheck::tr("No retry: field"),
            StreamCheck::tr("Browsers wait about 3 s (their default) before reconnecting."),
            StreamCheck::tr("Send \"retry: <ms>\" once to choose the reconnection delay."));
    }
    if (resumeDuplicates > 0) {
        add(Finding::Failure, "Resumability", "resume.last-event-id",
            StreamCheck::tr("Resume replays events already delivered"), resumeDetail,
            StreamCheck::tr("Honour the Last-Event-ID request header: continue after that id."));
    } else if (resumeGaps > 0) {
        add(Finding::Warning, "Resumability", "resume.last-event-id",
            StreamCheck::tr("Resume skips events"), resumeDetail,
            StreamCheck::tr("Keep a replay buffer and send every event after Last-Event-ID."));
    } else if (resumeChecks > 0) {
        add(Finding::Pass, "Resumability", "resume.last-event-id",
            StreamCheck::tr("Resume honours Last-Event-ID"), resumeDetail);
    } else {
        QString why = StreamCheck::tr("No reconnect with a Last-Event-ID was observed.");
        if (eventsWithId == 0)
            why = StreamCheck::tr("Not checked: the events carry no id.");
        else if (!settings.resumeCheck)
            why = StreamCheck::tr("Not checked (resume check disabled).");
        else if (resumeSkipped)
            why = StreamCheck::tr("Not checked: the request is not a GET, so it is not re-sent.");
        else if (awaitingResume)
            why = StreamCheck::tr("Reconnected, but no event with an id arrived afterwards.");
        add(Finding::Info, "Resumability", "resume.last-event-id",
            StreamCheck::tr("Last-Event-ID resume not verified"), why);
    }
}

void StreamDiagnostics::Private::checkKeepAlive(DiagnosticsReport *report) const
{
    const auto add = findingAdder(report);
    const DiagnosticsStatistics &s = report->statistics;
    // --- Keep-alive ---
    if (s.longestSilenceMs > settings.silenceThresholdMs) {
        add(Finding::Warning, "Keep-alive", "keepalive.silence",
            StreamCheck::tr("Silent for %1").arg(msText(s.longestSilenceMs)),
            s.comments == 0
                ? StreamCheck::tr("No heartbeat comments were seen; proxies and load balancers "
                                  "close idle connections (often after 30-60 s).")
                : StreamCheck::tr("Heartbeat comments were seen, but not often enough."),
            StreamCheck::tr("Send a comment line (\": ping\") every %1 s or less.")
                .arg(qMax(1, settings.silenceThresholdMs / 2000)));
    } else if (s.comments > 0) {
        add(Finding::Pass, "Keep-alive", "keepalive.silence",
            StreamCheck::tr("Heartbeat comments seen; longest silence %1")
                .arg(msText(s.longestSilenceMs)));
    } else {
        add(Finding::Info, "Keep-alive", "keepalive.silence",
            StreamCheck::tr("No heartbeat comments; longest silence %1")
                .arg(msText(s.longestSilenceMs)),
            StreamCheck::tr("Fine while events flow; an idle stream needs heartbeats."),
            StreamCheck::tr("Send a comment line (\": ping\") every 15 s when idle."));
    }
}

void StreamDiagnostics::Private::checkFormat(DiagnosticsReport *report) const
{
    const auto add = findingAdder(report);
    const DiagnosticsStatistics &s = report->statistics;
    // --- Format ---
    const Parser::Statistics &wire = parser.statistics();
    const int endingKinds = int(wire.crlfLineEnds > 0) + int(wire.lfLineEnds > 0)
        + int(wire.crLineEnds > 0);
    if (endingKinds > 1) {
        add(Finding::Warning, "Format", "format.line-endings",
            StreamCheck::tr("Mixed line endings"),
            StreamCheck::tr("CRLF %1, LF %2, CR %3 lines.")
                .arg(wire.crlfLineEnds)
                .arg(wire.lfLineEnds)
                .arg(wire.crLineEnds),
            StreamCheck::tr("Use one line ending (LF) throughout: hand-written parsers split on "
                            "one kind only."));
    } else if (wire.lines > 0) {
        add(Finding::Pass, "Format", "format.line-endings",
            StreamCheck::tr("Consistent line endings (%1)")
                .arg(wire.crlfLineEnds > 0 ? QStringLiteral("CRLF")
                     : wire.crLineEnds > 0 ? QStringLiteral("CR")
                                           : QStringLiteral("LF")));
    }
    if (!unknownFields.isEmpty()) {
        QStringList names;
        for (auto it = unknownFields.cbegin(); it != unknownFields.cend(); ++it)
            names += QStringLiteral("\"%1\" (%2x)")
                         .arg(QString::fromUtf8(it.key()))
                         .arg(it.value());
        add(Finding::Warning, "Format", "format.unknown-fields",
            StreamCheck::tr("Fields the spec ignores"),
            StreamCheck::tr("Ignored field names: %1.").arg(names.join(QStringLiteral(", "))),
            StreamCheck::tr("Field names are lowercase and exact: data, event, id, retry. "
                            "Put other values inside data."));
    } else if (wire.lines > 0) {
        add(Finding::Pass, "Format", "format.unknown-fields",
            StreamCheck::tr("Only known field names"));
    }
    if (dataWithoutSpace > 0) {
        add(Finding::Warning, "Format", "format.data-space",
            StreamCheck::tr("data: lines without a space after the colon"),
            StreamCheck::tr("%1 line(s), e.g. %2. Valid, but some clients strip the first "
                            "character.")
                .arg(dataWithoutSpace)
                .arg(quoted(dataWithoutSpaceSample)),
            StreamCheck::tr("Write \"data: value\" with one space after the colon."));
    }
    if (wire.bomSeen) {
        add(Finding::Warning, "Format", "format.bom", StreamCheck::tr("Byte order mark"),
            StreamCheck::tr("The body starts with a UTF-8 BOM; EventSource strips it, other "
                            "clients may not."),
            StreamCheck::tr("Do not write a BOM."));
    }
    if (wire.invalidUtf8 > 0) {
        add(Finding::Warning, "Format", "format.invalid-utf8", StreamCheck::tr("Invalid UTF-8"),
            StreamCheck::tr("%1 invalid sequence(s) were replaced by U+FFFD.")
                .arg(wire.invalidUtf8),
            StreamCheck::tr("Encode event data as UTF-8."));
    }
    if (invalidJson > 0) {
        add(Finding::Warning, "Format", "format.json",
            StreamCheck::tr("Data that looks like JSON does not parse"),
            StreamCheck::tr("%1 of %2 JSON-looking events failed to parse, e.g. %3.")
                .arg(invalidJson)
                .arg(jsonLooking)
                .arg(quoted(invalidJsonSample)),
            StreamCheck::tr("Serialize data with a JSON encoder; a multi-line value needs one "
                            "data: line per line."));
    } else if (jsonLooking > 0) {
        add(Finding::Pass, "Format", "format.json",
            StreamCheck::tr("JSON data parses (%1 events)").arg(jsonLooking));
    }
    if (largeEvents > 0) {
        add(Finding::Warning, "Format", "format.event-size", StreamCheck::tr("Very large events"),
            StreamCheck::tr("%1 event(s) above %2, largest %3.")
                .arg(largeEvents)
                .arg(bytesText(settings.largeEventBytes), bytesText(s.maximumSize)),
            StreamCheck::tr("Send a reference (URL or id) and fetch large payloads separately."));
    }
}

} // namespace Sse
