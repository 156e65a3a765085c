#include "sselib/sseclient.h"

#include "networkpool.h"
#include "sselib/sseparser.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPointer>
#include <QRandomGenerator>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslError>
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
constexpr qint64 ReadBufferBytes = 4 * 1024 * 1024;
// Bytes parsed per read() call, and events per eventsReceived() at most: batches stay
// large enough to amortise the signal but small enough that their memory is reused
// from the allocator's cache instead of fresh pages on every read.
constexpr qint64 ReadSliceBytes = 256 * 1024;
constexpr qsizetype MaximumBatchEvents = 8192;
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
        && allowInsecureTls == other.allowInsecureTls
        && caCertificatesPem == other.caCertificatesPem
        && acceptedCertificatePem == other.acceptedCertificatePem;
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

// Why the current reply is being torn down by us rather than by the server.
enum class AbortReason { None, UserClose, Reconnect, IdleTimeout, ConnectTimeout, Failure };

class Client::Private
{
public:
    explicit Private(Client *q) : q(q) {}

    void startRequest();
    void releaseReply();
    void onMetaDataChanged();
    void onReadyRead();
    void onFinished();
    void readBody();
    void beginFailure(FailureInfo::Kind kind, const QString &message);
    void finishFailure();
    void handleEndOfResponse(const QString &reason);
    void scheduleReconnect(const QString &reason);
    qint64 reconnectDelay() const;
    void setState(State state);
    void abortReply(AbortReason reason);
    void collectResponse();

    Client *q;
    ClientOptions options;
    State state = State::Idle;
    Parser parser;
    FailureInfo failure;
    ClientStatistics stats;
    std::shared_ptr<NetworkPool> pool;
    QNetworkAccessManager *manager = nullptr;
    bool privateManager = false; // manager is ours alone (custom TLS), not the pool's
    QUrl managerUrl;
    QPointer<QNetworkReply> reply;
    // Children of the client, so they follow it to its thread with moveToThread().
    QTimer *reconnectTimer = nullptr;
    QTimer *idleTimer = nullptr;
    QTimer *connectTimer = nullptr;
    QTimer *failureTimer = nullptr;
    QByteArray readBuffer;
    QByteArray lastEventIdOverride;
    bool lastEventIdOverridden = false;
    QStringList sslErrors;
    AbortReason abortReason = AbortReason::None;
    bool failing = false;      // the response was rejected; collecting its preview
    bool rawCapture = false;
    bool http2 = false;
    int httpStatus = 0;
    QList<QPair<QByteArray, QByteArray>> responseHeaders;
    int reconnectionTime = 3000;
    int attempt = 0;
    qint64 nextAttemptAt = 0;
    qint64 openedAt = 0;
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
    d->reconnectTimer->setSingleShot(true);
    d->idleTimer->setSingleShot(true);
    d->connectTimer->setSingleShot(true);
    d->failureTimer->setSingleShot(true);
    connect(d->reconnectTimer, &QTimer::timeout, this, [this] { d->startRequest(); });
    connect(d->idleTimer, &QTimer::timeout, this,
            [this] { d->abortReply(AbortReason::IdleTimeout); });
    connect(d->connectTimer, &QTimer::timeout, this,
            [this] { d->abortReply(AbortReason::ConnectTimeout); });
    connect(d->failureTimer, &QTimer::timeout, this, [this] { d->finishFailure(); });
}

Client::~Client()
{
    d->releaseReply();
}

void Client::setOptions(const ClientOptions &options)
{
    d->options = options;
    d->reconnectionTime = qBound(0, options.defaultRetryMs, INT_MAX);
    d->parser.setMaximumEventSize(options.maximumEventSize);
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
void Client::setRawCapture(bool enabled) { d->rawCapture = enabled; }

ClientStatistics Client::statistics() const
{
    ClientStatistics result = d->stats;
    result.comments = d->parser.statistics().comments;
    return result;
}

void Client::setClock(std::function<qint64()> msSinceEpoch) { d->clock = std::move(msSinceEpoch); }
void Client::setRandom(std::function<double()> random) { d->random = std::move(random); }

void Client::setLastEventId(const QByteArray &id)
{
    d->parser.setLastEventId(id);
    d->lastEventIdOverridden = true;
}

void Client::open()
{
    if (d->state == State::Connecting || d->state == State::Open)
        return;
    d->reconnectTimer->stop();
    d->attempt = 0;
    d->failure = FailureInfo();
    d->startRequest();
}

void Client::close()
{
    d->reconnectTimer->stop();
    d->abortReply(AbortReason::UserClose);
    d->setState(State::Closed);
}

void Client::reconnectNow()
{
    if (d->state == State::Reconnecting) {
        d->reconnectTimer->stop();
        d->startRequest();
    } else if (d->state == State::Open || d->state == State::Connecting) {
        d->abortReply(AbortReason::Reconnect);
        d->startRequest();
    } else {
        d->attempt = 0;
        d->failure = FailureInfo();
        d->startRequest();
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

void Client::Private::startRequest()
{
    releaseReply();
    failing = false;
    abortReason = AbortReason::None;
    sslErrors.clear();
    httpStatus = 0;
    http2 = false;
    responseHeaders.clear();
    parser.reset();

    const QUrl &url = options.url;
    if (!url.isValid() || (url.scheme() != QLatin1String("http")
                           && url.scheme() != QLatin1String("https"))) {
        failure = FailureInfo();
        failure.kind = FailureInfo::Kind::InvalidRequest;
        failure.message = url.isValid()
            ? ClientMessages::tr("Unsupported URL scheme \"%1\": use http or https")
                  .arg(url.scheme())
            : ClientMessages::tr("Invalid URL: %1").arg(url.errorString());
        setState(State::Failed);
        emit q->errorOccurred(failure.message, true);
        return;
    }

    QNetworkRequest request(url);
    request.setRawHeader("Accept", "text/event-stream");
    request.setRawHeader("Cache-Control", "no-cache");
    request.setAttribute(QNetworkRequest::CacheLoadControlAttribute,
                         QNetworkRequest::AlwaysNetwork);
    request.setAttribute(QNetworkRequest::CacheSaveControlAttribute, false);
    // Long streams of repetitive events compress far beyond Qt's bomb ratio.
    request.setDecompressedSafetyCheckThreshold(-1);
    request.setMaximumRedirectsAllowed(20);
    bool hasContentType = false;
    for (const auto &header : std::as_const(options.headers)) {
        request.setRawHeader(header.first, header.second);
        if (header.first.compare("content-type", Qt::CaseInsensitive) == 0)
            hasContentType = true;
    }
    const QByteArray lastId = parser.lastEventId();
    if (!lastId.isEmpty())
        request.setRawHeader("Last-Event-ID", lastId);
    if (!options.body.isEmpty() && !hasContentType) {
        const QByteArray trimmed = options.body.trimmed();
        const bool json = trimmed.startsWith('{') || trimmed.startsWith('[');
        request.setHeader(QNetworkRequest::ContentTypeHeader,
                          json ? QByteArrayLiteral("application/json")
                               : QByteArrayLiteral("text/plain; charset=utf-8"));
    }
    if (url.scheme() == QLatin1String("https") && !options.caCertificatesPem.isEmpty()) {
        QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
        ssl.addCaCertificates(QSslCertificate::fromData(options.caCertificatesPem, QSsl::Pem));
        request.setSslConfiguration(ssl);
    }

    // QNAM caches connections per host:port whatever their TLS configuration, and
    // ignoreSslErrors() applies to every channel of such a connection: a request
    // with custom TLS settings on a shared manager would let later default
    // requests to that host skip verification (or use its extra CAs). Custom TLS
    // gets a manager of its own for this request.
    privateManager = options.allowInsecureTls || !options.caCertificatesPem.isEmpty()
        || !options.acceptedCertificatePem.isEmpty();
    if (privateManager) {
        manager = new QNetworkAccessManager(q);
        manager->setRedirectPolicy(QNetworkRequest::NoLessSafeRedirectPolicy);
    } else {
        if (!pool)
            pool = NetworkPool::forCurrentThread();
        manager = pool->acquire(url);
    }
    managerUrl = url;

    const QByteArray method = options.method.isEmpty() ? QByteArrayLiteral("GET")
                                                       : options.method.toUpper();
    if (method == "GET" && options.body.isEmpty())
        reply = manager->get(request);
    else if (method == "POST")
        reply = manager->post(request, options.body);
    else
        reply = manager->sendCustomRequest(request, method, options.body);
    reply->setReadBufferSize(ReadBufferBytes);

    QNetworkReply *r = reply.data();
    QObject::connect(r, &QNetworkReply::metaDataChanged, q, [this, r] {
        if (r == reply)
            onMetaDataChanged();
    });
    QObject::connect(r, &QNetworkReply::readyRead, q, [this, r] {
        if (r == reply)
            onReadyRead();
    });
    QObject::connect(r, &QNetworkReply::finished, q, [this, r] {
        if (r == reply)
            onFinished();
    });
    QObject::connect(r, &QNetworkReply::sslErrors, q, [this, r](const QList<QSslError> &errors) {
        if (r != reply)
            return;
        if (options.allowInsecureTls) {
            r->ignoreSslErrors();
            return;
        }
        QList<QSslError> acceptable;
        if (!options.acceptedCertificatePem.isEmpty()) {
            const QList<QSslCertificate> accepted =
                QSslCertificate::fromData(options.acceptedCertificatePem, QSsl::Pem);
            for (const QSslError &error : errors) {
                if (!accepted.isEmpty() && error.certificate() == accepted.first())
                    acceptable.append(error);
            }
        }
        if (acceptable.size() == errors.size()) {
            r->ignoreSslErrors(acceptable);
            return;
        }
        for (const QSslError &error : errors)
            sslErrors.append(error.errorString());
    });

    if (options.connectTimeoutMs > 0)
        connectTimer->start(options.connectTimeoutMs);
    setState(State::Connecting);
}

void Client::Private::releaseReply()
{
    idleTimer->stop();
    connectTimer->stop();
    failureTimer->stop();
    if (reply) {
        QNetworkReply *r = reply.data();
        reply = nullptr;
        r->disconnect(q);
        // A rejected response (failing) has an HTTP error status that Qt reports
        // by itself when the body ends; abort() on top of it makes Qt warn
        // "error: ... must only be called once". Deleting the reply cancels the
        // transfer without a second error.
        if (!r->isFinished() && !failing)
            r->abort(); // synchronous: emits finished, which no longer reaches us
        r->deleteLater();
    }
    if (manager) {
        if (privateManager)
            manager->deleteLater(); // after the reply, its child
        else
            pool->release(manager, managerUrl);
        manager = nullptr;
    }
}

void Client::Private::abortReply(AbortReason reason)
{
    if (!reply)
        return;
    if (reason == AbortReason::UserClose || reason == AbortReason::Reconnect) {
        if (state == State::Open)
            readBody(); // deliver what already arrived
        releaseReply();
        return;
    }
    // Timeouts go through finished() like any network error.
    abortReason = reason;
    reply->abort();
}

void Client::Private::collectResponse()
{
    httpStatus = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    http2 = reply->attribute(QNetworkRequest::Http2WasUsedAttribute).toBool();
    responseHeaders = reply->rawHeaderPairs();
}

void Client::Private::onMetaDataChanged()
{
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    // A 3xx that Qt is about to follow: the final response comes later. Qt 6.4
    // sets RedirectionTargetAttribute only after this signal, so look at the
    // status codes Qt follows and the Location header instead.
    const bool followedRedirect = status == 301 || status == 302 || status == 303
        || status == 305 || status == 307 || status == 308;
    if (followedRedirect && reply->hasRawHeader("Location"))
        return;
    connectTimer->stop();
    collectResponse();
    emit q->responseStarted(httpStatus, responseHeaders);

    const QByteArray contentType = reply->rawHeader("Content-Type");
    if (status == 204) {
        // "No Content": the server asks the client to stop reconnecting.
        releaseReply();
        emit q->errorOccurred(ClientMessages::tr("Server answered 204 No Content: stream closed"),
                              false);
        setState(State::Closed);
        return;
    }
    if (status != 200) {
        const QByteArray reason =
            reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toByteArray();
        QString message = QStringLiteral("HTTP %1").arg(status);
        if (!reason.isEmpty())
            message += QLatin1Char(' ') + QString::fromUtf8(reason);
        beginFailure(FailureInfo::Kind::HttpStatus, message);
        return;
    }
    if (mimeEssence(contentType) != "text/event-stream") {
        const QString type = contentType.isEmpty() ? ClientMessages::tr("(none)")
                                                   : QString::fromUtf8(contentType);
        beginFailure(FailureInfo::Kind::ContentType,
                     ClientMessages::tr("content type %1 is not text/event-stream").arg(type));
        return;
    }
    openedAt = clock();
    if (options.idleTimeoutMs > 0)
        idleTimer->start(options.idleTimeoutMs);
    setState(State::Open);
}

void Client::Private::beginFailure(FailureInfo::Kind kind, const QString &message)
{
    failure = FailureInfo();
    failure.kind = kind;
    failure.message = message;
    failure.httpStatus = httpStatus;
    failure.reasonPhrase = reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute)
                               .toByteArray();
    failure.contentType = reply->rawHeader("Content-Type");
    failure.responseHeaders = responseHeaders;
    failing = true;
    // Keep reading until the first KiB of the body is in, the body ends, or a
    // short wait passes: never read a large non-SSE body into memory.
    failureTimer->start(FailurePreviewWaitMs);
    if (reply->bytesAvailable() > 0)
        onReadyRead();
}

void Client::Private::finishFailure()
{
    if (!failing)
        return;
    releaseReply();
    failing = false;
    setState(State::Failed);
    emit q->errorOccurred(failure.message, true);
}

void Client::Private::onReadyRead()
{
    if (failing) {
        const qsizetype wanted = BodyPreviewBytes - failure.bodyPreview.size();
        if (wanted > 0)
            failure.bodyPreview += reply->read(wanted);
        if (failure.bodyPreview.size() >= BodyPreviewBytes)
            finishFailure();
        return;
    }
    if (state != State::Open)
        return;
    readBody();
}

void Client::Private::readBody()
{
    if (!reply)
        return;
    qint64 available = reply->bytesAvailable();
    if (available <= 0)
        return;
    if (options.idleTimeoutMs > 0)
        idleTimer->start(options.idleTimeoutMs);

    const qint64 now = clock();
    stats.lastByteMs = now;
    parser.setReceiveTime(now);
    EventBatch &events = batch;
    auto deliver = [this, &events] {
        if (events.isEmpty())
            return;
        stats.events += events.size();
        // Types are interned per batch: count per type index, hash once per type.
        typeCounts.assign(events.types().size(), 0);
        for (qsizetype i = 0; i < events.size(); ++i)
            ++typeCounts[events.typeIndex(i)];
        for (qsizetype t = 0; t < events.types().size(); ++t)
            stats.eventsByType[events.types().at(t)] += typeCounts[t];
        emit q->eventsReceived(events);
        events.clear();
    };
    qint64 total = 0;
    Parser::Status status = Parser::Status::Ok;
    while (available > 0 && status == Parser::Status::Ok && reply) {
        readBuffer.resize(qMin<qint64>(available, ReadSliceBytes));
        const qint64 got = reply->read(readBuffer.data(), readBuffer.size());
        if (got <= 0)
            break;
        total += got;
        if (rawCapture)
            emit q->rawBytesReceived(QByteArray(readBuffer.constData(), got));
        if (events.isEmpty()) // data and ids take at most the bytes read: one allocation
            events.reserve(0, got + 256);
        status = parser.feed(readBuffer.constData(), got, events);
        if (events.size() >= MaximumBatchEvents)
            deliver(); // a receiver may close() us here: the loop checks reply
        available = reply ? reply->bytesAvailable() : 0;
    }
    deliver();
    stats.bytes += total;
    const int previousRetry = reconnectionTime;
    if (parser.retryMs() >= 0)
        reconnectionTime = int(parser.retryMs());

    emit q->bytesReceived(total);
    if (reconnectionTime != previousRetry)
        emit q->reconnectionTimeChanged(reconnectionTime);

    if (status == Parser::Status::EventTooLarge && reply) {
        failure = FailureInfo();
        failure.kind = FailureInfo::Kind::EventTooLarge;
        failure.httpStatus = httpStatus;
        failure.responseHeaders = responseHeaders;
        failure.message = ClientMessages::tr(
                              "An event exceeded the maximum event size of %1 bytes; "
                              "if such events are expected, raise the limit (connection settings, "
                              "or --max-event-size)")
                              .arg(options.maximumEventSize);
        releaseReply();
        setState(State::Failed);
        emit q->errorOccurred(failure.message, true);
    }
}

void Client::Private::onFinished()
{
    if (failing) {
        finishFailure();
        return;
    }
    if (state == State::Open)
        readBody(); // finished may come with bytes still unread
    if (!reply)
        return; // readBody() failed the connection

    const QNetworkReply::NetworkError error = reply->error();
    const QString errorText = reply->errorString();
    const AbortReason reason = abortReason;
    const bool wasOpen = state == State::Open;
    if (!wasOpen && httpStatus == 0 && reason == AbortReason::None)
        collectResponse();
    releaseReply();
    parser.finish();

    if (reason == AbortReason::IdleTimeout) {
        handleEndOfResponse(ClientMessages::tr("No data for %1 s (idle timeout)")
                                .arg(formatSeconds(options.idleTimeoutMs)));
        return;
    }
    if (reason == AbortReason::ConnectTimeout) {
        handleEndOfResponse(ClientMessages::tr("No response headers within %1 s (connect timeout)")
                                .arg(formatSeconds(options.connectTimeoutMs)));
        return;
    }

    const bool fatal = error == QNetworkReply::SslHandshakeFailedError
        || error == QNetworkReply::TooManyRedirectsError
        || error == QNetworkReply::InsecureRedirectError
        || error == QNetworkReply::ProtocolUnknownError;
    if (fatal) {
        failure = FailureInfo();
        failure.kind = error == QNetworkReply::SslHandshakeFailedError
            ? FailureInfo::Kind::Tls
            : FailureInfo::Kind::Network;
        failure.message = errorText;
        if (!sslErrors.isEmpty())
            failure.message = QStringLiteral("TLS: ") + sslErrors.join(QStringLiteral("; "));
        setState(State::Failed);
        emit q->errorOccurred(failure.message, true);
        return;
    }
    if (!wasOpen && error == QNetworkReply::NoError) {
        // Finished before any final response was accepted (should not happen).
        handleEndOfResponse(ClientMessages::tr("Response ended before it started"));
        return;
    }
    if (error == QNetworkReply::NoError)
        handleEndOfResponse(ClientMessages::tr("Server ended the stream"));
    else
        handleEndOfResponse(errorText);
}

void Client::Private::handleEndOfResponse(const QString &reason)
{
    const bool stable = openedAt > 0 && clock() - openedAt >= options.backoffResetAfterMs;
    if (stable)
        attempt = 0;
    openedAt = 0;
    scheduleReconnect(reason);
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
    const qint64 delay = reconnectDelay();
    nextAttemptAt = clock() + delay;
    emit q->errorOccurred(reason, false);
    setState(State::Reconnecting);
    emit q->reconnectScheduled(delay, attempt, reason);
    reconnectTimer->start(int(qMin<qint64>(delay, INT_MAX)));
}

} // namespace Sse
