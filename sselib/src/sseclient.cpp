#include "sselib/sseclient.h"

#include "clientcertificate.h"
#include "httpstream.h"
#include "jsonstreamparser.h"
#include "sselib/proxy.h"
#include "sselib/profile.h"
#include "sselib/sseparser.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QLoggingCategory>
#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QPointer>
#include <QRandomGenerator>
#include <QTimer>

#include <climits>
#include <cmath>
#include <vector>

Q_LOGGING_CATEGORY(lcSseClient, "sse.client")

namespace Sse {

namespace {

// Failure and error reasons are shown to users: translated when the application has
// installed a translator (the GUI does; the CLI stays English).
struct ClientMessages
{
    Q_DECLARE_TR_FUNCTIONS(ClientMessages)
};

constexpr qsizetype BodyPreviewBytes = 1024;
constexpr int MaximumRedirects = 20;
constexpr qint64 QuickEndMs = 1000;   // a response shorter than this, with no event, "closed at once"
constexpr int QuickEndFloorMs = 100;
// Bytes parsed per read() call, and events per eventsReceived() at most: batches stay
// large enough to amortise the signal but small enough that their memory is reused
// from the allocator's cache instead of fresh pages on every read.
constexpr qint64 ReadSliceBytes = 256 * 1024;
constexpr qsizetype MaximumBatchEvents = 1024;
constexpr int FailurePreviewWaitMs = 1000;

bool isIdempotent(const QByteArray &method)
{
    const QByteArray upper = method.toUpper();
    return upper == "GET" || upper == "HEAD" || upper == "OPTIONS" || upper == "PUT"
        || upper == "DELETE";
}

QByteArray mimeEssence(const QByteArray &contentType)
{
    const qsizetype semicolon = contentType.indexOf(';');
    return (semicolon < 0 ? contentType : contentType.left(semicolon)).trimmed().toLower();
}

// scheme, host and port: what "another origin" means for credentials after a redirect.
bool sameOrigin(const QUrl &a, const QUrl &b)
{
    const auto defaultPort = [](const QUrl &url) {
        return url.port(url.scheme() == QLatin1String("https") ? 443 : 80);
    };
    return a.scheme() == b.scheme() && a.host().compare(b.host(), Qt::CaseInsensitive) == 0
        && defaultPort(a) == defaultPort(b);
}

void setHeader(QList<QPair<QByteArray, QByteArray>> *headers, const QByteArray &name,
               const QByteArray &value)
{
    headers->removeIf([&](const QPair<QByteArray, QByteArray> &header) {
        return header.first.compare(name, Qt::CaseInsensitive) == 0;
    });
    headers->append({name, value});
}

QString formatSeconds(qint64 ms)
{
    return QString::number(double(ms) / 1000.0, 'f', ms % 1000 == 0 ? 0 : 1);
}

} // namespace

bool ClientOptions::operator==(const ClientOptions &other) const
{
    return url == other.url && method == other.method && headers == other.headers
        && body == other.body && initialLastEventId == other.initialLastEventId
        && reconnectPolicy == other.reconnectPolicy && defaultRetryMs == other.defaultRetryMs
        && fixedDelayMs == other.fixedDelayMs && backoffMaximumMs == other.backoffMaximumMs
        && backoffJitter == other.backoffJitter
        && backoffResetAfterMs == other.backoffResetAfterMs
        && reconnectNonIdempotent == other.reconnectNonIdempotent
        && maximumAttempts == other.maximumAttempts && connectTimeoutMs == other.connectTimeoutMs
        && idleTimeoutMs == other.idleTimeoutMs && maximumEventSize == other.maximumEventSize
        && forwardCredentialsOnRedirect == other.forwardCredentialsOnRedirect
        && overflowPolicy == other.overflowPolicy
        && allowInsecureTls == other.allowInsecureTls
        && caCertificatesPem == other.caCertificatesPem
        && acceptedCertificatePem == other.acceptedCertificatePem
        && http1Only == other.http1Only && http2PriorKnowledge == other.http2PriorKnowledge
        && clientCertificateFile == other.clientCertificateFile
        && clientKeyFile == other.clientKeyFile
        && clientCertificateType == other.clientCertificateType
        && clientKeyPassphrase == other.clientKeyPassphrase && proxy == other.proxy
        && noProxy == other.noProxy && bodyFormat == other.bodyFormat;
}

QString stateName(Client::State state)
{
    switch (state) {
    case Client::State::Idle:
        return QStringLiteral("idle");
    case Client::State::Connecting:
        return QStringLiteral("connecting");
    case Client::State::Open:
        return QStringLiteral("open");
    case Client::State::Reconnecting:
        return QStringLiteral("reconnecting");
    case Client::State::Closed:
        return QStringLiteral("closed");
    case Client::State::Failed:
        return QStringLiteral("failed");
    }
    return QString();
}

// Why the current response is being torn down by us rather than by the server.
enum class AbortReason { UserClose, Reconnect, IdleTimeout, ConnectTimeout };

class Client::Private
{
public:
    explicit Private(Client *q) : q(q) {}

    void startAttempt();
    void sendRequest();
    void releaseStream();
    void onHead();
    void deliverBatch();
    void followRedirect(int status, const QByteArray &location);
    void onReadyRead();
    void onFinished();
    void readBody();
    void fail(FailureInfo::Kind kind, const QString &message);
    void beginFailure(FailureInfo::Kind kind, const QString &message);
    void finishFailure();
    void handleEndOfResponse(const QString &reason);
    void scheduleReconnect(const QString &reason);
    void onReconnectTimer();
    qint64 reconnectDelay() const;
    void setState(State state);
    void abortResponse(AbortReason reason);
    void collectResponse();
    bool flowBlocked();
    void setThrottled(bool throttled);

    Client *q;
    ClientOptions options;
    State state = State::Idle;
    Parser parser;
    JsonStreamParser jsonParser;
    bool jsonBody = false; // this response is read by jsonParser
    QString proxyUsed;
    FailureInfo failure;
    ClientStatistics stats;
    HttpStream *stream = nullptr;
    // The request of this attempt's current hop: redirects change it, a new attempt starts
    // again from the options.
    QUrl requestUrl;
    QByteArray requestMethod;
    QByteArray requestBody;
    bool requestSendsBody = false;
    QList<QPair<QByteArray, QByteArray>> requestHeaders;
    int redirects = 0;
    // Children of the client, so they follow it to its thread with moveToThread().
    QTimer *reconnectTimer = nullptr;
    QTimer *idleTimer = nullptr;
    QTimer *connectTimer = nullptr;
    QTimer *failureTimer = nullptr;
    QTimer *throttleTimer = nullptr; // while throttled: look at the consumers again
    QDeadlineTimer reconnectDeadline;
    QByteArray readBuffer;
    bool lastEventIdOverridden = false;
    bool failing = false;      // the response was rejected; collecting its preview
    bool rawCapture = false;
    int httpStatus = 0;
    QList<QPair<QByteArray, QByteArray>> responseHeaders;
    bool http2 = false; // the response of httpStatus came over HTTP/2
    int reconnectionTime = 3000;
    int attempt = 0;
    qint64 nextAttemptAt = 0;
    qint64 openedAt = 0;
    qint64 eventsAtOpen = 0;
    bool endedByServer = false; // the Open response's body ended normally
    int quickEmptyEnds = 0;    // responses in a row that opened, sent no event, ended within 1 s
    qint64 lastEventAtMs = 0;
    std::shared_ptr<FlowControl> flow;
    bool throttled = false;
    QElapsedTimer throttledSince;
    std::function<qint64()> clock = [] { return QDateTime::currentMSecsSinceEpoch(); };
    std::function<double()> random = [] { return QRandomGenerator::global()->generateDouble(); };
    std::vector<qint64> typeCounts; // per type of one batch, reused
    EventBatch batch;               // reused between reads once receivers let go of it
};

Client::Client(QObject *parent) : QObject(parent), d(std::make_unique<Private>(this))
{
    qRegisterMetaType<Sse::EventList>();
    qRegisterMetaType<Sse::EventBatch>();
    qRegisterMetaType<Sse::Client::State>();
    qRegisterMetaType<Sse::ClientOptions>();
    qRegisterMetaType<Sse::FailureInfo>();

    d->reconnectTimer = new QTimer(this);
    d->idleTimer = new QTimer(this);
    d->connectTimer = new QTimer(this);
    d->failureTimer = new QTimer(this);
    d->throttleTimer = new QTimer(this);
    d->throttleTimer->setInterval(5);
    connect(d->throttleTimer, &QTimer::timeout, this, [this] { d->readBody(); });
    // The standard says wait the reconnection time: a coarse timer may fire 5 % early.
    d->reconnectTimer->setTimerType(Qt::PreciseTimer);
    d->reconnectTimer->setSingleShot(true);
    d->idleTimer->setSingleShot(true);
    d->connectTimer->setSingleShot(true);
    d->failureTimer->setSingleShot(true);
    connect(d->reconnectTimer, &QTimer::timeout, this, [this] { d->onReconnectTimer(); });
    connect(d->idleTimer, &QTimer::timeout, this,
            [this] { d->abortResponse(AbortReason::IdleTimeout); });
    connect(d->connectTimer, &QTimer::timeout, this,
            [this] { d->abortResponse(AbortReason::ConnectTimeout); });
    connect(d->failureTimer, &QTimer::timeout, this, [this] { d->finishFailure(); });
}

Client::~Client()
{
    d->releaseStream();
}

void Client::setOptions(const ClientOptions &options)
{
    d->options = options;
    d->reconnectionTime = qBound(0, options.defaultRetryMs, INT_MAX);
    d->parser.setMaximumEventSize(options.maximumEventSize);
    d->jsonParser.setMaximumEventSize(options.maximumEventSize);
    if (!d->lastEventIdOverridden)
        d->parser.setLastEventId(options.initialLastEventId);
}

ClientOptions Client::options() const { return d->options; }
Client::State Client::state() const { return d->state; }
FailureInfo Client::failure() const { return d->failure; }
QByteArray Client::lastEventId() const { return d->parser.lastEventId(); }
int Client::reconnectionTimeMs() const { return d->reconnectionTime; }
int Client::attempt() const { return d->attempt; }
qint64 Client::nextAttemptAtMs() const { return d->nextAttemptAt; }
int Client::httpStatus() const { return d->httpStatus; }
QList<QPair<QByteArray, QByteArray>> Client::responseHeaders() const { return d->responseHeaders; }
bool Client::http2Used() const { return d->http2; }
QString Client::proxyUsed() const { return d->proxyUsed; }
bool Client::responseEndedByServer() const { return d->endedByServer; }
void Client::setRawCapture(bool enabled) { d->rawCapture = enabled; }

ClientStatistics Client::statistics() const
{
    ClientStatistics result = d->stats;
    result.comments = d->parser.statistics().comments;
    result.throttled = d->throttled;
    if (d->throttled)
        result.throttledMs += d->throttledSince.elapsed();
    return result;
}

void Client::setClock(std::function<qint64()> msSinceEpoch) { d->clock = std::move(msSinceEpoch); }
void Client::setRandom(std::function<double()> random) { d->random = std::move(random); }

void Client::setLastEventId(const QByteArray &id)
{
    d->parser.setLastEventId(id);
    d->lastEventIdOverridden = true;
}

void Client::setFlowControl(std::shared_ptr<FlowControl> flow)
{
    d->flow = std::move(flow);
}

std::shared_ptr<FlowControl> Client::flowControl() const { return d->flow; }

void Client::open()
{
    if (d->state == State::Connecting || d->state == State::Open)
        return;
    d->reconnectTimer->stop();
    d->attempt = 0;
    d->failure = FailureInfo();
    d->startAttempt();
}

void Client::close()
{
    d->reconnectTimer->stop();
    d->abortResponse(AbortReason::UserClose);
    d->setState(State::Closed);
}

void Client::reconnectNow()
{
    if (d->state == State::Reconnecting) {
        d->reconnectTimer->stop();
        d->startAttempt();
    } else if (d->state == State::Open || d->state == State::Connecting) {
        d->abortResponse(AbortReason::Reconnect);
        d->startAttempt();
    } else {
        d->attempt = 0;
        d->failure = FailureInfo();
        d->startAttempt();
    }
}

void Client::Private::setState(State newState)
{
    if (state == newState)
        return;
    if (newState == State::Failed)
        emit q->failed(failure);
    state = newState;
    emit q->stateChanged(newState);
}

void Client::Private::startAttempt()
{
    requestUrl = options.url;
    requestMethod = options.method.isEmpty() ? QByteArrayLiteral("GET") : options.method.toUpper();
    requestBody = options.body;
    requestSendsBody = !(requestMethod == "GET" && options.body.isEmpty());
    redirects = 0;

    requestHeaders = {{QByteArrayLiteral("Accept"), QByteArrayLiteral("text/event-stream")},
                      {QByteArrayLiteral("Cache-Control"), QByteArrayLiteral("no-cache")}};
    bool hasContentType = false;
    bool hasAuthorization = false;
    for (const auto &header : std::as_const(options.headers)) {
        setHeader(&requestHeaders, header.first, header.second);
        hasContentType = hasContentType
            || header.first.compare("content-type", Qt::CaseInsensitive) == 0;
        hasAuthorization = hasAuthorization
            || header.first.compare("authorization", Qt::CaseInsensitive) == 0;
    }
    const auto has = [this](QByteArrayView name) {
        return std::any_of(requestHeaders.cbegin(), requestHeaders.cend(), [&](const auto &h) {
            return h.first.compare(name, Qt::CaseInsensitive) == 0;
        });
    };
    if (!has("Accept-Encoding"))
        requestHeaders.append({QByteArrayLiteral("Accept-Encoding"), QByteArrayLiteral("gzip, deflate")});
    if (!has("User-Agent"))
        requestHeaders.append(
            {QByteArrayLiteral("User-Agent"), QByteArrayLiteral("sse-monitor/" SSE_MONITOR_VERSION)});
    if (!options.body.isEmpty() && !hasContentType) {
        const QByteArray trimmed = options.body.trimmed();
        const bool json = trimmed.startsWith('{') || trimmed.startsWith('[');
        requestHeaders.append({QByteArrayLiteral("Content-Type"), json ? QByteArrayLiteral("application/json")
                                                    : QByteArrayLiteral("text/plain; charset=utf-8")});
    }
    // user:password@host means Basic authentication, as browsers and curl read it.
    if (!hasAuthorization && !requestUrl.userName().isEmpty()) {
        const QByteArray credentials = requestUrl.userName(QUrl::FullyDecoded).toUtf8() + ':'
            + requestUrl.password(QUrl::FullyDecoded).toUtf8();
        requestHeaders.append({QByteArrayLiteral("Authorization"), "Basic " + credentials.toBase64()});
    }
    sendRequest();
}

void Client::Private::sendRequest()
{
    releaseStream();
    failing = false;
    httpStatus = 0;
    responseHeaders.clear();
    parser.reset();
    jsonParser.reset();
    jsonBody = false;

    const QUrl &url = requestUrl;
    if (!url.isValid() || url.host().isEmpty()
        || (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https"))) {
        const QString message = !url.isValid() ? ClientMessages::tr("Invalid URL: %1").arg(url.errorString())
            : url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https")
            ? ClientMessages::tr("Unsupported URL scheme \"%1\": use http or https").arg(url.scheme())
            : ClientMessages::tr("Invalid URL: %1").arg(ClientMessages::tr("no host"));
        fail(FailureInfo::Kind::InvalidRequest, message);
        return;
    }

    HttpStream::Request request;
    request.url = url;
    request.method = requestMethod;
    request.headers = requestHeaders;
    // Last-Event-ID is read now, when this request is written: the last event id string at
    // the moment of sending, never an earlier attempt's.
    const QByteArray lastId = parser.lastEventId();
    if (!lastId.isEmpty())
        setHeader(&request.headers, "Last-Event-ID", lastId);
    request.body = requestBody;
    request.sendBody = requestSendsBody;
    request.caCertificatesPem = options.caCertificatesPem;
    request.acceptedCertificatePem = options.acceptedCertificatePem;
    request.allowInsecureTls = options.allowInsecureTls;
    request.http1Only = options.http1Only;
    request.http2PriorKnowledge = options.http2PriorKnowledge;
    QString setupError;
    request.proxy = proxyForUrl(url, options.proxy, options.noProxy,
                                QProcessEnvironment::systemEnvironment(), &setupError);
    proxyUsed = request.proxy.displayUrl();
    if (setupError.isEmpty() && url.scheme() == QLatin1String("https"))
        setupError = loadClientCertificate(options, &request.clientCertificateChain,
                                           &request.clientKey);
    if (!setupError.isEmpty()) {
        fail(FailureInfo::Kind::InvalidRequest, setupError);
        return;
    }

    stream = new HttpStream(q);
    HttpStream *s = stream;
    QObject::connect(s, &HttpStream::headReceived, q, [this, s] {
        if (s == stream)
            onHead();
    });
    QObject::connect(s, &HttpStream::readyRead, q, [this, s] {
        if (s == stream)
            onReadyRead();
    });
    QObject::connect(s, &HttpStream::finished, q, [this, s] {
        if (s == stream)
            onFinished();
    });
    s->start(request);

    if (options.connectTimeoutMs > 0)
        connectTimer->start(options.connectTimeoutMs);
    setState(State::Connecting);
}

void Client::Private::releaseStream()
{
    idleTimer->stop();
    connectTimer->stop();
    failureTimer->stop();
    if (stream) {
        HttpStream *s = stream;
        stream = nullptr;
        s->disconnect(q);
        s->abort();
        s->deleteLater();
    }
    setThrottled(false);
}

void Client::Private::abortResponse(AbortReason reason)
{
    if (!stream)
        return;
    if (state == State::Open)
        readBody(); // deliver what already arrived
    if (!stream)
        return; // readBody() failed the connection or a receiver closed us
    releaseStream();
    if (reason == AbortReason::UserClose || reason == AbortReason::Reconnect)
        return;
    parser.finish();
    if (reason == AbortReason::IdleTimeout) {
        handleEndOfResponse(ClientMessages::tr("No data for %1 s (idle timeout)")
                                .arg(formatSeconds(options.idleTimeoutMs)));
    } else {
        handleEndOfResponse(ClientMessages::tr("No response headers within %1 s (connect timeout)")
                                .arg(formatSeconds(options.connectTimeoutMs)));
    }
}

void Client::Private::collectResponse()
{
    httpStatus = stream->status();
    responseHeaders = stream->headers();
    http2 = stream->httpVersion() == "HTTP/2";
}

void Client::Private::fail(FailureInfo::Kind kind, const QString &message)
{
    failure = FailureInfo();
    failure.kind = kind;
    failure.message = message;
    failure.httpStatus = httpStatus;
    failure.responseHeaders = responseHeaders;
    if (stream && stream->status() > 0) {
        failure.reasonPhrase = stream->reasonPhrase();
        failure.contentType = stream->header("Content-Type");
    }
    releaseStream();
    setState(State::Failed);
    emit q->errorOccurred(failure.message, true);
}

void Client::Private::onHead()
{
    const int status = stream->status();
    const QByteArray location = stream->header("Location");
    const bool redirect = status == 301 || status == 302 || status == 303 || status == 307
        || status == 308;
    if (redirect && !location.isEmpty()) {
        followRedirect(status, location);
        return;
    }
    connectTimer->stop();
    collectResponse();
    emit q->responseStarted(httpStatus, responseHeaders);

    if (status == 204) {
        // WHATWG: a 204 fails the connection; it is how a server says "stop reconnecting".
        fail(FailureInfo::Kind::HttpStatus,
             ClientMessages::tr("HTTP 204 No Content: the server asks the client to stop "
                                "(no reconnection)"));
        return;
    }
    const QByteArray contentType = stream->header("Content-Type");
    if (status != 200) {
        const QByteArray reason = stream->reasonPhrase();
        QString message = QStringLiteral("HTTP %1").arg(status);
        if (!reason.isEmpty())
            message += QLatin1Char(' ') + QString::fromUtf8(reason);
        beginFailure(FailureInfo::Kind::HttpStatus, message);
        return;
    }
    const QByteArray essence = mimeEssence(contentType);
    const bool jsonStream = essence == "application/x-ndjson" || essence == "application/jsonl"
        || essence == "application/json" || essence == "application/json-seq"
        || essence == "application/x-jsonlines" || essence == "application/stream+json";
    if (essence != "text/event-stream" && !(jsonStream && options.bodyFormat == BodyFormat::NdJson)) {
        const QString type = contentType.isEmpty() ? ClientMessages::tr("(none)")
                                                   : QString::fromUtf8(contentType);
        QString message = ClientMessages::tr("content type %1 is not text/event-stream").arg(type);
        if (jsonStream)
            message += ClientMessages::tr(": this endpoint streams NDJSON or JSON, not SSE (e.g. "
                                          "Ollama's native API, Gemini without alt=sse); read it "
                                          "with the connection's NDJSON mode (--ndjson)");
        beginFailure(FailureInfo::Kind::ContentType, message);
        return;
    }
    jsonBody = jsonStream;
    openedAt = clock();
    eventsAtOpen = stats.events;
    endedByServer = false;
    if (options.idleTimeoutMs > 0)
        idleTimer->start(options.idleTimeoutMs);
    setState(State::Open);
}

// One request per hop, decided here: Last-Event-ID and the headers go along, except
// credentials to another origin.
void Client::Private::followRedirect(int status, const QByteArray &location)
{
    const QUrl target = requestUrl.resolved(QUrl::fromEncoded(location.trimmed()));
    collectResponse();
    if (++redirects > MaximumRedirects) {
        fail(FailureInfo::Kind::Network,
             ClientMessages::tr("Too many redirects (more than %1)").arg(MaximumRedirects));
        return;
    }
    if (requestUrl.scheme() == QLatin1String("https") && target.scheme() == QLatin1String("http")) {
        fail(FailureInfo::Kind::Network,
             ClientMessages::tr("Redirect from https to http refused: %1")
                 .arg(target.toDisplayString(QUrl::RemoveUserInfo)));
        return;
    }
    if ((status == 303 && requestMethod != "HEAD")
        || ((status == 301 || status == 302) && requestMethod == "POST")) {
        requestMethod = "GET";
        requestBody.clear();
        requestSendsBody = false;
        requestHeaders.removeIf([](const QPair<QByteArray, QByteArray> &header) {
            return header.first.compare("content-type", Qt::CaseInsensitive) == 0;
        });
    }
    QList<QByteArray> dropped;
    if (!sameOrigin(requestUrl, target) && !options.forwardCredentialsOnRedirect) {
        if (requestSendsBody && !requestBody.isEmpty()) {
            fail(FailureInfo::Kind::Network,
                 ClientMessages::tr("HTTP %1 redirect to another origin (%2) would send the "
                                    "request body there: not followed. Allow it with the "
                                    "connection's \"send credentials to redirect targets\" option")
                     .arg(status)
                     .arg(target.toDisplayString(QUrl::RemoveUserInfo | QUrl::RemovePath
                                                 | QUrl::RemoveQuery)));
            return;
        }
        requestHeaders.removeIf([&](const QPair<QByteArray, QByteArray> &header) {
            if (!isSecretHeader(header.first))
                return false;
            dropped.append(header.first);
            return true;
        });
    }
    requestUrl = target;
    emit q->redirected(status, target, dropped);
    if (state == State::Connecting)
        sendRequest();
}

void Client::Private::beginFailure(FailureInfo::Kind kind, const QString &message)
{
    failure = FailureInfo();
    failure.kind = kind;
    failure.message = message;
    failure.httpStatus = httpStatus;
    failure.reasonPhrase = stream->reasonPhrase();
    failure.contentType = stream->header("Content-Type");
    failure.responseHeaders = responseHeaders;
    failing = true;
    // Keep reading until the first KiB of the body is in, the body ends, or a
    // short wait passes: never read a large non-SSE body into memory.
    failureTimer->start(FailurePreviewWaitMs);
    onReadyRead();
}

void Client::Private::finishFailure()
{
    if (!failing)
        return;
    failing = false;
    releaseStream();
    setState(State::Failed);
    emit q->errorOccurred(failure.message, true);
}

void Client::Private::onReadyRead()
{
    if (!stream)
        return;
    if (failing) {
        char preview[BodyPreviewBytes];
        for (;;) {
            const qsizetype wanted = BodyPreviewBytes - failure.bodyPreview.size();
            if (wanted <= 0)
                break;
            const qint64 got = stream->read(preview, wanted);
            if (got <= 0)
                break;
            failure.bodyPreview.append(preview, got);
        }
        if (failure.bodyPreview.size() >= BodyPreviewBytes)
            finishFailure();
        return;
    }
    if (state != State::Open)
        return;
    readBody();
}

// True when the consumers are too far behind to take another batch now: above the limit,
// and once throttled until they are down to half of it.
bool Client::Private::flowBlocked()
{
    if (!flow || options.overflowPolicy != OverflowPolicy::Throttle)
        return false;
    return throttled ? !flow->belowResume() : flow->overLimit();
}

void Client::Private::setThrottled(bool value)
{
    if (throttled == value)
        return;
    throttled = value;
    if (value) {
        throttledSince.start();
        throttleTimer->start();
        // Bytes wait in the socket: that is not the server's silence.
        idleTimer->stop();
    } else {
        stats.throttledMs += throttledSince.elapsed();
        throttleTimer->stop();
        if (stream && state == State::Open && options.idleTimeoutMs > 0)
            idleTimer->start(options.idleTimeoutMs);
    }
    emit q->throttleChanged(value);
}

// Hands the parsed events of `batch` to the receivers (or drops them, see OverflowPolicy).
void Client::Private::deliverBatch()
{
    EventBatch &events = batch;
    const bool dropping = flow && options.overflowPolicy == OverflowPolicy::DropEvents;
    if (events.isEmpty())
        return;
    if (dropping && flow->overLimit()) {
        stats.dropped += events.size();
        events.clear();
        emit q->eventsDropped(stats.dropped);
        return;
    }
    stats.events += events.size();
    lastEventAtMs = clock();
    // Types are interned per batch: count per type index, hash once per type.
    typeCounts.assign(events.types().size(), 0);
    for (qsizetype i = 0; i < events.size(); ++i)
        ++typeCounts[events.typeIndex(i)];
    for (qsizetype t = 0; t < events.types().size(); ++t) {
        const QByteArray &type = events.types().at(t);
        auto it = stats.eventsByType.find(type);
        if (it == stats.eventsByType.end()) {
            // Bounded: a server inventing a type per event must not grow the table (one
            // more entry, the overflow bucket, may exceed MaximumTypes).
            const bool fits = stats.eventsByType.size() < ClientStatistics::MaximumTypes
                && type.size() <= ClientStatistics::MaximumTypeBytes;
            const QByteArray key = fits ? type : QByteArray(ClientStatistics::OtherTypes);
            it = stats.eventsByType.find(key);
            if (it == stats.eventsByType.end())
                it = stats.eventsByType.insert(key, 0);
        }
        *it += typeCounts[t];
    }
    if (flow)
        flow->acquire(FlowControl::cost(events));
    emit q->eventsReceived(events);
    events.clear();
}

void Client::Private::readBody()
{
    if (!stream || state != State::Open)
        return;
    if (flowBlocked()) {
        setThrottled(true);
        return;
    }
    setThrottled(false);
    const qint64 now = clock();
    parser.setReceiveTime(now);
    EventBatch &events = batch;
    auto deliver = [this] { deliverBatch(); };
    qint64 total = 0;
    Parser::Status status = Parser::Status::Ok;
    while (status == Parser::Status::Ok && stream) {
        if (readBuffer.size() != ReadSliceBytes)
            readBuffer.resize(ReadSliceBytes);
        const qint64 got = stream->read(readBuffer.data(), readBuffer.size());
        if (got <= 0)
            break;
        total += got;
        if (rawCapture)
            emit q->rawBytesReceived(QByteArray(readBuffer.constData(), got));
        if (events.isEmpty()) // data and ids take at most the bytes read: one allocation
            events.reserve(0, got + 256);
        if (jsonBody)
            status = jsonParser.feed(readBuffer.constData(), got, events, now)
                    == JsonStreamParser::Status::Ok
                ? Parser::Status::Ok
                : Parser::Status::EventTooLarge;
        else
            status = parser.feed(readBuffer.constData(), got, events);
        if (events.size() >= MaximumBatchEvents || events.dataBytes() >= ReadSliceBytes) {
            deliver(); // a receiver may close() us here: the loop checks stream
            if (stream && flowBlocked())
                break;
        }
    }
    deliver();
    if (total > 0) {
        stats.bytes += total;
        stats.lastByteMs = now;
        if (stream && options.idleTimeoutMs > 0)
            idleTimer->start(options.idleTimeoutMs);
    }
    const int previousRetry = reconnectionTime;
    if (parser.retryMs() >= 0)
        reconnectionTime = int(parser.retryMs());

    if (total > 0)
        emit q->bytesReceived(total);
    if (reconnectionTime != previousRetry)
        emit q->reconnectionTimeChanged(reconnectionTime);

    if (status == Parser::Status::EventTooLarge && stream) {
        fail(FailureInfo::Kind::EventTooLarge,
             ClientMessages::tr("An event exceeded the maximum event size of %1 bytes; "
                                "if such events are expected, raise the limit (connection "
                                "settings, or --max-event-size)")
                 .arg(options.maximumEventSize));
        return;
    }
    if (stream && flowBlocked())
        setThrottled(true);
}

void Client::Private::onFinished()
{
    if (failing) {
        finishFailure();
        return;
    }
    if (state == State::Open)
        readBody(); // finished() comes after the last byte was read: nothing is left behind
    if (!stream)
        return; // readBody() failed the connection
    if (jsonBody && state == State::Open && stream->error() == HttpStream::Error::None) {
        jsonParser.finish(batch, clock()); // a last line without its newline
        deliverBatch();
        if (!stream)
            return;
    }

    const HttpStream::Error error = stream->error();
    const QString errorText = stream->errorString();
    const bool wasOpen = state == State::Open;
    if (!wasOpen && httpStatus == 0 && stream->status() > 0)
        collectResponse();
    switch (error) {
    case HttpStream::Error::Tls:
        fail(FailureInfo::Kind::Tls, errorText);
        return;
    case HttpStream::Error::Protocol:
    case HttpStream::Error::Proxy:
    case HttpStream::Error::HeadTooLarge:
    case HttpStream::Error::Decoding:
        // The same request would get the same answer: no reconnection.
        fail(FailureInfo::Kind::Network, errorText);
        return;
    case HttpStream::Error::None:
    case HttpStream::Error::Connect:
    case HttpStream::Error::Closed:
        break;
    }
    releaseStream();
    parser.finish();
    endedByServer = wasOpen && error == HttpStream::Error::None;
    if (endedByServer)
        emit q->bodyEnded();
    if (error == HttpStream::Error::None)
        handleEndOfResponse(wasOpen ? ClientMessages::tr("Server ended the stream")
                                    : ClientMessages::tr("Response ended before it started"));
    else
        handleEndOfResponse(errorText);
}

void Client::Private::handleEndOfResponse(const QString &reason)
{
    const qint64 now = clock();
    const bool stable = openedAt > 0 && now - openedAt >= options.backoffResetAfterMs;
    if (stable)
        attempt = 0;
    QString why = reason;
    if (openedAt > 0) {
        if (stats.events > eventsAtOpen) {
            quickEmptyEnds = 0;
        } else if (now - openedAt < QuickEndMs) {
            ++quickEmptyEnds;
            if (quickEmptyEnds >= 2) {
                why = ClientMessages::tr("%1: the server closes right after connecting (%2 times "
                                         "in a row, no events%3); backing off")
                          .arg(reason)
                          .arg(quickEmptyEnds)
                          .arg(lastEventAtMs > 0
                                   ? ClientMessages::tr(" since %1").arg(
                                         QDateTime::fromMSecsSinceEpoch(lastEventAtMs)
                                             .toString(QStringLiteral("HH:mm:ss")))
                                   : QString());
            }
        }
    }
    openedAt = 0;
    scheduleReconnect(why);
}

qint64 Client::Private::reconnectDelay() const
{
    switch (options.reconnectPolicy) {
    case ReconnectPolicy::Fixed:
        return options.fixedDelayMs;
    case ReconnectPolicy::ExponentialBackoff: {
        const double base = qMax(1, reconnectionTime);
        const double factor = std::pow(2.0, qBound(0, attempt - 1, 30));
        double delay = qMin(base * factor, double(options.backoffMaximumMs));
        delay *= 1.0 + options.backoffJitter * (2.0 * random() - 1.0);
        return qBound<qint64>(0, qint64(delay), qint64(INT_MAX));
    }
    case ReconnectPolicy::ServerRetry:
    case ReconnectPolicy::Never:
        break;
    }
    return reconnectionTime;
}

void Client::Private::scheduleReconnect(const QString &reason)
{
    if (options.reconnectPolicy == ReconnectPolicy::Never) {
        emit q->errorOccurred(ClientMessages::tr("%1 (reconnect disabled)").arg(reason), false);
        setState(State::Closed);
        return;
    }
    if (!options.reconnectNonIdempotent && !isIdempotent(options.method.isEmpty()
                                                            ? QByteArrayLiteral("GET")
                                                            : options.method)) {
        emit q->errorOccurred(ClientMessages::tr("%1 (%2 requests are not re-sent)")
                                  .arg(reason, QString::fromLatin1(options.method.toUpper())),
                              false);
        setState(State::Closed);
        return;
    }
    if (options.maximumAttempts > 0 && attempt >= options.maximumAttempts) {
        failure = FailureInfo();
        failure.kind = FailureInfo::Kind::Network;
        failure.message = ClientMessages::tr("%1 (gave up after %2 attempts)")
                              .arg(reason)
                              .arg(attempt);
        setState(State::Failed);
        emit q->errorOccurred(failure.message, true);
        return;
    }
    ++attempt;
    ++stats.reconnects;
    qint64 delay = reconnectDelay();
    // A server that opens and closes at once (retry: 0 makes it a busy loop) is not hammered:
    // from the second such response in a row the wait doubles from 100 ms up to the cap.
    if (quickEmptyEnds >= 2) {
        const int doublings = qMin(quickEmptyEnds - 2, 20);
        delay = qMax<qint64>(delay, qMin<qint64>(qint64(QuickEndFloorMs) << doublings,
                                                 qMax(options.backoffMaximumMs, QuickEndFloorMs)));
    }
    nextAttemptAt = clock() + delay;
    reconnectDeadline = QDeadlineTimer(delay, Qt::PreciseTimer);
    emit q->errorOccurred(reason, false);
    setState(State::Reconnecting);
    emit q->reconnectScheduled(delay, attempt, reason);
    reconnectTimer->start(int(qMin<qint64>(delay, INT_MAX)));
}

void Client::Private::onReconnectTimer()
{
    // Never before the reconnection time has passed on the monotonic clock.
    const qint64 left = reconnectDeadline.remainingTime();
    if (left > 0) {
        reconnectTimer->start(int(qMin<qint64>(left, INT_MAX)));
        return;
    }
    startAttempt();
}

} // namespace Sse
