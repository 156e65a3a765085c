#include "sselib/profile.h"

#include "sselib/proxy.h"

#include <QUrlQuery>

#include <algorithm>

#include <QJsonArray>

namespace Sse {

namespace {
const QByteArray redactedValue(RedactedMask);
}

bool isSecretHeader(QByteArrayView name)
{
    const QByteArray lower = name.toByteArray().toLower();
    return lower == "authorization" || lower == "proxy-authorization" || lower == "cookie"
        || lower == "set-cookie" || lower == "x-api-key" || lower.contains("token")
        || lower.contains("secret") || lower.contains("key") || lower.contains("password");
}

QString redactedUrl(const QUrl &url)
{
    QUrl shown = url.adjusted(QUrl::RemoveFragment);
    const QString mask = QString::fromLatin1(redactedValue);
    if (!shown.password().isEmpty())
        shown.setPassword(mask);
    else if (!shown.userName().isEmpty())
        shown.setUserName(mask);
    if (shown.hasQuery()) {
        QUrlQuery query(shown);
        QList<QPair<QString, QString>> items = query.queryItems(QUrl::FullyDecoded);
        bool masked = false;
        for (auto &item : items) {
            if (isSecretHeader(item.first.toUtf8()) && !item.second.isEmpty()) {
                item.second = mask;
                masked = true;
            }
        }
        if (masked) {
            QUrlQuery rebuilt;
            rebuilt.setQueryItems(items);
            shown.setQuery(rebuilt);
        }
    }
    // toDisplayString() would drop the password part (and so the sign that there was one).
    return urlText(shown);
}

QString urlText(const QUrl &url)
{
    return url.toString(QUrl::PrettyDecoded)
        .replace(QLatin1String("%3Credacted%3E"), QLatin1String(redactedValue),
                 Qt::CaseInsensitive);
}

bool urlHasSecrets(const QUrl &url)
{
    return redactedUrl(url) != url.adjusted(QUrl::RemoveFragment).toString(QUrl::PrettyDecoded);
}

QList<QPair<QByteArray, QByteArray>> redactHeaders(const QList<QPair<QByteArray, QByteArray>> &headers)
{
    QList<QPair<QByteArray, QByteArray>> result = headers;
    for (auto &header : result) {
        if (isSecretHeader(header.first))
            header.second = redactedValue;
    }
    return result;
}

bool hasLineBreakOrNul(QByteArrayView value)
{
    for (const char c : value) {
        if (c == '\r' || c == '\n' || c == '\0')
            return true;
    }
    return false;
}

namespace {

// RFC 9110 token characters (header names, methods).
bool isToken(QByteArrayView text)
{
    if (text.isEmpty())
        return false;
    for (const char c : text) {
        const bool alphanumeric =
            (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
        if (!alphanumeric && !QByteArrayView("!#$%&'*+-.^_`|~").contains(c))
            return false;
    }
    return true;
}

QString printable(QByteArrayView text)
{
    QString result = QString::fromUtf8(text.first(qMin<qsizetype>(text.size(), 80)));
    result.replace(QLatin1Char('\r'), QLatin1String("\\r"));
    result.replace(QLatin1Char('\n'), QLatin1String("\\n"));
    result.replace(QChar(u'\0'), QLatin1String("\\0"));
    return result;
}

} // namespace

QString requestFieldsError(const ClientOptions &options)
{
    static const QString lineBreak = QStringLiteral("a line break (CR or LF) or NUL");
    if (!options.method.isEmpty() && !isToken(options.method)) {
        return QStringLiteral("the method \"%1\" is not an HTTP token%2")
            .arg(printable(options.method),
                 hasLineBreakOrNul(options.method) ? QStringLiteral(" (it holds %1)").arg(lineBreak)
                                                   : QString());
    }
    for (const auto &header : options.headers) {
        if (!isToken(header.first)) {
            return QStringLiteral("the header name \"%1\" is not an HTTP token%2")
                .arg(printable(header.first),
                     hasLineBreakOrNul(header.first)
                         ? QStringLiteral(" (it holds %1)").arg(lineBreak)
                         : QString());
        }
        if (hasLineBreakOrNul(header.second)) {
            return QStringLiteral("the value of header %1 holds %2")
                .arg(QString::fromUtf8(header.first), lineBreak);
        }
    }
    if (hasLineBreakOrNul(options.initialLastEventId))
        return QStringLiteral("the Last-Event-ID holds %1").arg(lineBreak);
    return QString();
}

QString reconnectPolicyName(ReconnectPolicy policy)
{
    switch (policy) {
    case ReconnectPolicy::ServerRetry:
        return QStringLiteral("server-retry");
    case ReconnectPolicy::Fixed:
        return QStringLiteral("fixed");
    case ReconnectPolicy::ExponentialBackoff:
        return QStringLiteral("exponential");
    case ReconnectPolicy::Never:
        return QStringLiteral("never");
    }
    return QString();
}

ReconnectPolicy reconnectPolicyFromName(const QString &name)
{
    if (name == QLatin1String("fixed"))
        return ReconnectPolicy::Fixed;
    if (name == QLatin1String("exponential"))
        return ReconnectPolicy::ExponentialBackoff;
    if (name == QLatin1String("never"))
        return ReconnectPolicy::Never;
    return ReconnectPolicy::ServerRetry;
}

QList<QPair<QByteArray, QByteArray>> nonHeaderSecrets(const ClientOptions &options)
{
    QList<QPair<QByteArray, QByteArray>> secrets;
    const QString password = proxyUrlPassword(options.proxy);
    if (!password.isEmpty())
        secrets.append({QByteArray(ProxyPasswordSecret), password.toUtf8()});
    if (!options.clientKeyPassphrase.isEmpty())
        secrets.append({QByteArray(KeyPassphraseSecret), options.clientKeyPassphrase});
    if (urlHasSecrets(options.url))
        secrets.append({QByteArray(UrlSecret), options.url.toEncoded()});
    return secrets;
}

ClientOptions withoutNonHeaderSecrets(ClientOptions options)
{
    options.proxy = proxyUrlWithoutPassword(options.proxy);
    options.clientKeyPassphrase.clear();
    if (urlHasSecrets(options.url))
        options.url = QUrl(redactedUrl(options.url));
    return options;
}

bool secretMissing(QByteArrayView name, const ClientOptions &options)
{
    if (name == UrlSecret) {
        const QLatin1String mask(redactedValue);
        return options.url.userName(QUrl::FullyDecoded).contains(mask)
            || options.url.password(QUrl::FullyDecoded).contains(mask)
            || options.url.query(QUrl::FullyDecoded).contains(mask);
    }
    if (name == ProxyPasswordSecret)
        return proxyUrlPassword(options.proxy).isEmpty();
    if (name == KeyPassphraseSecret)
        return options.clientKeyPassphrase.isEmpty();
    return std::any_of(options.headers.cbegin(), options.headers.cend(),
                       [name](const QPair<QByteArray, QByteArray> &header) {
                           return header.second.isEmpty()
                               && QByteArrayView(header.first).compare(name, Qt::CaseInsensitive)
                               == 0;
                       });
}

void applyNonHeaderSecrets(ClientOptions *options)
{
    options->headers.removeIf([options](const QPair<QByteArray, QByteArray> &header) {
        if (header.first == ProxyPasswordSecret) {
            options->proxy = proxyUrlWithPassword(options->proxy, QString::fromUtf8(header.second));
            return true;
        }
        if (header.first == KeyPassphraseSecret) {
            options->clientKeyPassphrase = header.second;
            return true;
        }
        if (header.first == UrlSecret) {
            if (!header.second.isEmpty())
                options->url = QUrl::fromEncoded(header.second);
            return true;
        }
        return false;
    });
}

QJsonObject profileToJson(const Profile &profile, SecretHandling secrets)
{
    const ClientOptions &o = profile.options;
    QJsonArray headers;
    for (const auto &header : o.headers) {
        if (secrets == SecretHandling::Exclude && isSecretHeader(header.first))
            continue;
        headers.append(QJsonArray{QString::fromUtf8(header.first),
                                  QString::fromUtf8(header.second)});
    }
    QJsonObject object{
        {QStringLiteral("name"), profile.name},
        // Without secrets, credentials in the URL leave the mask behind (see nonHeaderSecrets).
        {QStringLiteral("url"), secrets == SecretHandling::Include || !urlHasSecrets(o.url)
                                    ? o.url.toString()
                                    : redactedUrl(o.url)},
        {QStringLiteral("method"), QString::fromUtf8(o.method)},
        {QStringLiteral("headers"), headers},
        {QStringLiteral("body"), QString::fromUtf8(o.body)},
        {QStringLiteral("initialLastEventId"), QString::fromUtf8(o.initialLastEventId)},
        {QStringLiteral("reconnectPolicy"), reconnectPolicyName(o.reconnectPolicy)},
        {QStringLiteral("defaultRetryMs"), o.defaultRetryMs},
        {QStringLiteral("fixedDelayMs"), o.fixedDelayMs},
        {QStringLiteral("backoffMaximumMs"), o.backoffMaximumMs},
        {QStringLiteral("reconnectNonIdempotent"), o.reconnectNonIdempotent},
        {QStringLiteral("maximumAttempts"), o.maximumAttempts},
        {QStringLiteral("connectTimeoutMs"), o.connectTimeoutMs},
        {QStringLiteral("idleTimeoutMs"), o.idleTimeoutMs},
        {QStringLiteral("maximumEventSize"), double(o.maximumEventSize)},
        {QStringLiteral("allowInsecureTls"), o.allowInsecureTls},
        {QStringLiteral("overflow"), o.overflowPolicy == OverflowPolicy::DropEvents
                                         ? QStringLiteral("drop")
                                         : QStringLiteral("throttle")},
        {QStringLiteral("forwardCredentialsOnRedirect"), o.forwardCredentialsOnRedirect},
    };
    if (o.http1Only)
        object.insert(QStringLiteral("http1Only"), true);
    if (o.http2PriorKnowledge)
        object.insert(QStringLiteral("http2PriorKnowledge"), true);
    if (!o.caCertificatesPem.isEmpty())
        object.insert(QStringLiteral("caCertificatesPem"), QString::fromLatin1(o.caCertificatesPem));
    if (!o.acceptedCertificatePem.isEmpty())
        object.insert(QStringLiteral("acceptedCertificatePem"),
                      QString::fromLatin1(o.acceptedCertificatePem));
    // The proxy's password and the key's passphrase are secrets like the secret headers.
    const bool withSecrets = secrets == SecretHandling::Include;
    if (!o.proxy.isEmpty())
        object.insert(QStringLiteral("proxy"),
                      withSecrets ? o.proxy : proxyUrlWithoutPassword(o.proxy));
    if (!o.noProxy.isEmpty())
        object.insert(QStringLiteral("noProxy"), o.noProxy);
    if (!o.clientCertificateFile.isEmpty()) {
        object.insert(QStringLiteral("clientCertificateFile"), o.clientCertificateFile);
        object.insert(QStringLiteral("clientCertificateType"),
                      o.clientCertificateType == CertificateType::Pkcs12 ? QStringLiteral("p12")
                                                                          : QStringLiteral("pem"));
    }
    if (!o.clientKeyFile.isEmpty())
        object.insert(QStringLiteral("clientKeyFile"), o.clientKeyFile);
    if (withSecrets && !o.clientKeyPassphrase.isEmpty())
        object.insert(QStringLiteral("clientKeyPassphrase"), QString::fromUtf8(o.clientKeyPassphrase));
    if (o.bodyFormat == BodyFormat::NdJson)
        object.insert(QStringLiteral("bodyFormat"), QStringLiteral("ndjson"));
    return object;
}

Profile profileFromJson(const QJsonObject &object)
{
    Profile profile;
    ClientOptions defaults;
    ClientOptions &o = profile.options;
    profile.name = object.value(QLatin1String("name")).toString();
    o.url = QUrl(object.value(QLatin1String("url")).toString());
    o.method = object.value(QLatin1String("method")).toString(QStringLiteral("GET")).toUtf8();
    for (const QJsonValue &value : object.value(QLatin1String("headers")).toArray()) {
        const QJsonArray pair = value.toArray();
        if (pair.size() == 2)
            o.headers.append({pair.at(0).toString().toUtf8(), pair.at(1).toString().toUtf8()});
    }
    o.body = object.value(QLatin1String("body")).toString().toUtf8();
    o.initialLastEventId = object.value(QLatin1String("initialLastEventId")).toString().toUtf8();
    o.reconnectPolicy =
        reconnectPolicyFromName(object.value(QLatin1String("reconnectPolicy")).toString());
    auto integer = [&](const char *key, int fallback) {
        return object.value(QLatin1String(key)).toInt(fallback);
    };
    o.defaultRetryMs = integer("defaultRetryMs", defaults.defaultRetryMs);
    o.fixedDelayMs = integer("fixedDelayMs", defaults.fixedDelayMs);
    o.backoffMaximumMs = integer("backoffMaximumMs", defaults.backoffMaximumMs);
    o.reconnectNonIdempotent = object.value(QLatin1String("reconnectNonIdempotent")).toBool();
    o.maximumAttempts = integer("maximumAttempts", 0);
    o.connectTimeoutMs = integer("connectTimeoutMs", defaults.connectTimeoutMs);
    o.idleTimeoutMs = integer("idleTimeoutMs", 0);
    o.maximumEventSize = qsizetype(object.value(QLatin1String("maximumEventSize"))
                                       .toDouble(double(defaults.maximumEventSize)));
    o.allowInsecureTls = object.value(QLatin1String("allowInsecureTls")).toBool();
    o.overflowPolicy = object.value(QLatin1String("overflow")).toString() == QLatin1String("drop")
        ? OverflowPolicy::DropEvents
        : OverflowPolicy::Throttle;
    o.forwardCredentialsOnRedirect =
        object.value(QLatin1String("forwardCredentialsOnRedirect")).toBool();
    o.caCertificatesPem = object.value(QLatin1String("caCertificatesPem")).toString().toLatin1();
    o.http1Only = object.value(QLatin1String("http1Only")).toBool();
    o.http2PriorKnowledge = object.value(QLatin1String("http2PriorKnowledge")).toBool();
    o.acceptedCertificatePem =
        object.value(QLatin1String("acceptedCertificatePem")).toString().toLatin1();
    o.proxy = object.value(QLatin1String("proxy")).toString();
    o.noProxy = object.value(QLatin1String("noProxy")).toString();
    o.clientCertificateFile = object.value(QLatin1String("clientCertificateFile")).toString();
    o.clientCertificateType =
        object.value(QLatin1String("clientCertificateType")).toString() == QLatin1String("p12")
        ? CertificateType::Pkcs12
        : CertificateType::Pem;
    o.clientKeyFile = object.value(QLatin1String("clientKeyFile")).toString();
    o.clientKeyPassphrase = object.value(QLatin1String("clientKeyPassphrase")).toString().toUtf8();
    o.bodyFormat = object.value(QLatin1String("bodyFormat")).toString() == QLatin1String("ndjson")
        ? BodyFormat::NdJson
        : BodyFormat::EventStream;
    return profile;
}

} // namespace Sse
