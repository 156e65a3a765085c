#pragma once

#include "sselib/sseclient.h"

#include <QJsonObject>
#include <QString>

namespace Sse {

/// A named, saved connection: what the GUI keeps in its settings and what
/// sse-monitor-cli --profile loads.
struct Profile
{
    QString name;
    ClientOptions options;
};

enum class SecretHandling { Exclude, Include };

/// Header names whose values are credentials (Authorization, Cookie,
/// Proxy-Authorization, X-API-Key, and names containing token, secret or key).
bool isSecretHeader(QByteArrayView name);

/// \a url as people and files see it: the password of its user info (or the user name when
/// it stands alone, as tokens do) and the values of query parameters whose names the secret
/// rule matches (access_token, api_key, ...) replaced by the mask; no fragment. EventSource
/// cannot set headers, so credentials often travel in the URL.
QString redactedUrl(const QUrl &url);
/// What stands where a secret was: in URLs, redacted headers and the curl command.
inline constexpr char RedactedMask[] = "<redacted>";
/// \a url as text for a person to read or edit: where the mask of redactedUrl() stands, its
/// angle brackets stay readable instead of percent-encoded.
QString urlText(const QUrl &url);
/// Whether redactedUrl() would mask anything in \a url.
bool urlHasSecrets(const QUrl &url);

/// A copy of \a headers with secret values replaced by a fixed mask.
QList<QPair<QByteArray, QByteArray>> redactHeaders(const QList<QPair<QByteArray, QByteArray>> &headers);

/// True when \a value holds CR, LF or NUL: such a value cannot be one HTTP header field (a
/// line break would end the field and start another one, "header injection").
bool hasLineBreakOrNul(QByteArrayView value);

/// Why \a options cannot go onto the wire as they are, or an empty string: a header name that
/// is not an HTTP token, a header value, Last-Event-ID or method holding CR, LF or NUL.
/// The message names the field ("header X-A", "Last-Event-ID", "method").
QString requestFieldsError(const ClientOptions &options);

/// Names under which the secrets of a connection that are not headers (the proxy's password,
/// the client key's passphrase, the stream URL when its user info or query holds credentials)
/// travel with its secret headers: in the secret store, and in a saved connection's list of
/// secrets it does not hold. Never sent as headers.
inline constexpr char ProxyPasswordSecret[] = ":proxy-password";
inline constexpr char KeyPassphraseSecret[] = ":key-passphrase";
inline constexpr char UrlSecret[] = ":url";

/// The proxy password, key passphrase and (when urlHasSecrets()) the full stream URL of
/// \a options under the names above (those set).
QList<QPair<QByteArray, QByteArray>> nonHeaderSecrets(const ClientOptions &options);
/// \a options without its proxy password and key passphrase, and with the stream URL as
/// redactedUrl() shows it (the mask stands where the credentials were).
ClientOptions withoutNonHeaderSecrets(ClientOptions options);
/// Whether the secret named \a name (a header name or one of the names above) still has no
/// value in \a options: a header present with an empty value, a proxy URL without its password,
/// no key passphrase, or a stream URL that still shows the mask where its credentials were.
/// A header the user removed is no longer asked for.
bool secretMissing(QByteArrayView name, const ClientOptions &options);
/// Moves entries named ProxyPasswordSecret, KeyPassphraseSecret or UrlSecret out of
/// \a options->headers into the proxy URL, the passphrase and the stream URL (where secrets
/// were restored as headers). An empty UrlSecret leaves the masked URL as it is.
void applyNonHeaderSecrets(ClientOptions *options);

QJsonObject profileToJson(const Profile &profile, SecretHandling secrets);
Profile profileFromJson(const QJsonObject &object);

QString reconnectPolicyName(ReconnectPolicy policy);
ReconnectPolicy reconnectPolicyFromName(const QString &name);

} // namespace Sse
