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

/// A copy of \a headers with secret values replaced by a fixed mask.
QList<QPair<QByteArray, QByteArray>> redactHeaders(const QList<QPair<QByteArray, QByteArray>> &headers);

QJsonObject profileToJson(const Profile &profile, SecretHandling secrets);
Profile profileFromJson(const QJsonObject &object);

QString reconnectPolicyName(ReconnectPolicy policy);
ReconnectPolicy reconnectPolicyFromName(const QString &name);

} // namespace Sse
