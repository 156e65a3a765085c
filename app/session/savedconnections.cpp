#include "session/savedconnections.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QSettings>

namespace {

QList<QByteArray> namesFromJson(const QJsonObject &object)
{
    QList<QByteArray> names;
    for (const QJsonValue &value : object.value(QLatin1String("secretHeaders")).toArray()) {
        const QByteArray name = value.toString().toUtf8();
        if (!name.isEmpty() && !names.contains(name))
            names.append(name);
    }
    return names;
}

QJsonArray namesToJson(const QList<QByteArray> &names)
{
    QJsonArray array;
    for (const QByteArray &name : names)
        array.append(QString::fromUtf8(name));
    return array;
}

bool isUsableUrl(const QUrl &url)
{
    return url.isValid() && !url.host().isEmpty()
        && (url.scheme() == QLatin1String("http") || url.scheme() == QLatin1String("https"));
}

QJsonObject proxyToJson(const ProxySettings &proxy)
{
    QJsonObject object;
    object.insert(QStringLiteral("address"), proxy.listenAddress);
    object.insert(QStringLiteral("port"), int(proxy.listenPort));
    object.insert(QStringLiteral("upstream"), proxy.upstream.toString());
    if (proxy.allowRemote)
        object.insert(QStringLiteral("allowRemote"), true);
    if (!proxy.caCertificatesPem.isEmpty())
        object.insert(QStringLiteral("caCertificates"), QString::fromLatin1(proxy.caCertificatesPem));
    if (proxy.allowInsecureTls)
        object.insert(QStringLiteral("insecure"), true);
    object.insert(QStringLiteral("llm"), proxy.llmAnalysis);
    return object;
}

ProxySettings proxyFromJson(const QJsonObject &object)
{
    ProxySettings proxy;
    proxy.listenAddress =
        object.value(QLatin1String("address")).toString(proxy.listenAddress);
    const int port = object.value(QLatin1String("port")).toInt(ProxySettings::DefaultPort);
    proxy.listenPort = quint16(qBound(0, port, 65535));
    proxy.upstream = QUrl(object.value(QLatin1String("upstream")).toString());
    proxy.allowRemote = object.value(QLatin1String("allowRemote")).toBool();
    proxy.caCertificatesPem =
        object.value(QLatin1String("caCertificates")).toString().toLatin1();
    proxy.allowInsecureTls = object.value(QLatin1String("insecure")).toBool();
    proxy.llmAnalysis = object.value(QLatin1String("llm")).toBool(true);
    return proxy;
}

} // namespace

SavedConnection SavedConnection::fromOptions(const QString &name, const Sse::ClientOptions &options,
                                             Sse::SecretHandling secrets)
{
    SavedConnection saved;
    saved.name = name;
    saved.options = options;
    saved.options.headers.removeIf([&](const QPair<QByteArray, QByteArray> &header) {
        if (!Sse::isSecretHeader(header.first))
            return false;
        const bool omitted = secrets == Sse::SecretHandling::Exclude || header.second.isEmpty();
        if (omitted && !saved.secretHeaders.contains(header.first))
            saved.secretHeaders.append(header.first);
        return omitted;
    });
    // The proxy password and key passphrase follow the same rule, under their own names.
    if (secrets == Sse::SecretHandling::Exclude) {
        for (const auto &secret : Sse::nonHeaderSecrets(options))
            saved.secretHeaders.append(secret.first);
        saved.options = Sse::withoutNonHeaderSecrets(saved.options);
    }
    return saved;
}

SavedConnection SavedConnection::fromJson(const QJsonObject &object)
{
    SavedConnection saved;
    const Sse::Profile profile = Sse::profileFromJson(object);
    saved.name = profile.name;
    saved.options = profile.options;
    saved.secretHeaders = namesFromJson(object);
    saved.secretsId = object.value(QLatin1String("secretsId")).toString();
    saved.open = object.value(QLatin1String("open")).toBool(true);
    saved.demo = object.value(QLatin1String("demo")).toBool();
    saved.alerts = AlertRule::listFromJson(object.value(QLatin1String("alerts")).toArray());
    saved.stallAfterSeconds =
        qBound(qint64(0), object.value(QLatin1String("stallAfterSeconds")).toInteger(),
               qint64(7 * 24 * 3600));
    if (object.value(QLatin1String("kind")).toString() == QLatin1String("proxy")) {
        saved.kind = Kind::Proxy;
        saved.proxy = proxyFromJson(object.value(QLatin1String("proxy")).toObject());
        saved.options.url = saved.proxy.upstream;
    }
    return saved;
}

QJsonObject SavedConnection::toJson(Target target, Sse::SecretHandling secrets) const
{
    if (target == Target::Settings)
        secrets = Sse::SecretHandling::Exclude; // values live in the secret store only
    QJsonObject object = Sse::profileToJson(profile(), secrets);
    if (!secretHeaders.isEmpty())
        object.insert(QStringLiteral("secretHeaders"), namesToJson(secretHeaders));
    if (demo)
        object.insert(QStringLiteral("demo"), true);
    if (!alerts.isEmpty())
        object.insert(QStringLiteral("alerts"), AlertRule::listToJson(alerts));
    if (stallAfterSeconds > 0)
        object.insert(QStringLiteral("stallAfterSeconds"), stallAfterSeconds);
    if (kind == Kind::Proxy) {
        object.insert(QStringLiteral("kind"), QStringLiteral("proxy"));
        object.insert(QStringLiteral("proxy"), proxyToJson(proxy));
    }
    if (target == Target::Settings) {
        object.insert(QStringLiteral("open"), open);
        if (!secretsId.isEmpty())
            object.insert(QStringLiteral("secretsId"), secretsId);
    }
    return object;
}

QString SavedConnections::settingsKey()
{
    return QStringLiteral("connections");
}

QList<SavedConnection> SavedConnections::load(const QSettings &settings)
{
    QList<SavedConnection> connections;
    const QJsonArray array =
        QJsonDocument::fromJson(settings.value(settingsKey()).toByteArray()).array();
    for (const QJsonValue &value : array)
        connections.append(SavedConnection::fromJson(value.toObject()));
    return connections;
}

void SavedConnections::save(QSettings &settings, const QList<SavedConnection> &connections)
{
    QJsonArray array;
    for (const SavedConnection &connection : connections)
        array.append(
            connection.toJson(SavedConnection::Target::Settings, Sse::SecretHandling::Exclude));
    settings.setValue(settingsKey(), QJsonDocument(array).toJson(QJsonDocument::Compact));
}

SavedConnections::File SavedConnections::readFile(const QString &path)
{
    File result;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        result.error = File::Error::Unreadable;
        result.errorDetail = file.errorString();
        return result;
    }
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        result.error = File::Error::InvalidJson;
        result.errorDetail = parseError.errorString();
        result.errorOffset = parseError.offset;
        return result;
    }
    if (!document.isArray()) {
        result.error = File::Error::NotAnArray;
        return result;
    }
    const QJsonArray array = document.array();
    for (const QJsonValue &value : array) {
        const QJsonObject object = value.toObject();
        if (object.isEmpty())
            result.entries.append(std::nullopt);
        else
            result.entries.append(SavedConnection::fromJson(object));
    }
    return result;
}

bool SavedConnections::writeFile(const QString &path, const QList<SavedConnection> &connections,
                                 Sse::SecretHandling secrets, QString *errorString)
{
    QJsonArray array;
    for (const SavedConnection &connection : connections)
        array.append(connection.toJson(SavedConnection::Target::ProfileFile, secrets));
    QSaveFile file(path);
    const bool written = file.open(QIODevice::WriteOnly)
        && file.write(QJsonDocument(array).toJson(QJsonDocument::Indented)) >= 0 && file.commit();
    if (!written && errorString)
        *errorString = tr("Cannot write %1: %2").arg(path, file.errorString());
    return written;
}

SavedConnections::Import SavedConnections::merge(const QList<Sse::Profile> &existing,
                                                 const File &file, const QString &fileName)
{
    Import result;
    switch (file.error) {
    case File::Error::None:
        break;
    case File::Error::Unreadable:
        result.error = tr("Cannot import %1: %2").arg(fileName, file.errorDetail);
        return result;
    case File::Error::InvalidJson:
        result.error = tr("Cannot import %1: not valid JSON (%2 at offset %3)")
                           .arg(fileName, file.errorDetail)
                           .arg(file.errorOffset);
        return result;
    case File::Error::NotAnArray:
        result.error =
            tr("Cannot import %1: the file is not a JSON array of connections").arg(fileName);
        return result;
    }
    // Names already taken, by the existing connections and by those added before.
    QList<Sse::Profile> taken = existing;
    auto named = [&taken](const QString &name) {
        return std::find_if(taken.cbegin(), taken.cend(),
                            [&name](const Sse::Profile &profile) { return profile.name == name; });
    };
    for (qsizetype i = 0; i < file.entries.size(); ++i) {
        if (!file.entries.at(i)) {
            result.problems.append(tr("entry %1 is not a connection object").arg(i + 1));
            continue;
        }
        SavedConnection connection = *file.entries.at(i);
        if (connection.demo) {
            ++result.skipped; // File > Connect to the Demo Stream starts a fresh one
            continue;
        }
        if (!isUsableUrl(connection.options.url)) {
            result.problems.append(
                tr("entry %1 (%2) has no valid http or https URL").arg(i + 1).arg(connection.name));
            continue;
        }
        if (connection.name.isEmpty())
            connection.name = connection.options.url.host();
        if (auto same = named(connection.name); same != taken.cend()) {
            if (withoutSecrets(same->options) == withoutSecrets(connection.options)) {
                ++result.skipped;
                continue;
            }
            const QString base = connection.name;
            for (int n = 2; named(connection.name) != taken.cend(); ++n)
                connection.name = QStringLiteral("%1 (%2)").arg(base).arg(n);
            ++result.renamed;
        }
        connection.secretsId.clear(); // nothing of it is in this machine's secret store
        connection.open = false;
        taken.append(connection.profile());
        result.added.append(connection);
    }
    return result;
}

SavedConnections::Import SavedConnections::import(const QString &path,
                                                  const QList<Sse::Profile> &existing)
{
    return merge(existing, readFile(path), QFileInfo(path).fileName());
}

QString SavedConnections::secretLabel(const QByteArray &name)
{
    if (name == Sse::UrlSecret)
        return tr("the credentials in the URL");
    if (name == Sse::ProxyPasswordSecret)
        return tr("the proxy password");
    if (name == Sse::KeyPassphraseSecret)
        return tr("the client key's passphrase");
    return QString::fromUtf8(name);
}

Sse::ClientOptions SavedConnections::withoutSecrets(Sse::ClientOptions options)
{
    options.headers.removeIf([](const QPair<QByteArray, QByteArray> &header) {
        return Sse::isSecretHeader(header.first);
    });
    return Sse::withoutNonHeaderSecrets(options);
}
