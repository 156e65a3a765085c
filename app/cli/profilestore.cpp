#include "profilestore.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSettings>

namespace {

ProfileStore::Match matchFrom(const QJsonObject &object)
{
    ProfileStore::Match match{Sse::profileFromJson(object),
                              object.value(QLatin1String("demo")).toBool(), {}, {}};
    for (const QJsonValue &value : object.value(QLatin1String("secretHeaders")).toArray()) {
        const QByteArray name = value.toString().toUtf8();
        if (!name.isEmpty())
            match.secretHeaders.append(name);
    }
    match.secretsId = object.value(QLatin1String("secretsId")).toString();
    return match;
}

} // namespace

std::unique_ptr<QSettings> ProfileStore::guiSettings()
{
    // The organization and application names of the GUI (app/main.cpp).
    return std::make_unique<QSettings>(QStringLiteral("SSE Monitor"),
                                       QStringLiteral("sse-monitor"));
}

void ProfileStore::loadSettings()
{
    const std::unique_ptr<QSettings> settings = guiSettings();
    m_source = settings->fileName();
    m_profiles =
        QJsonDocument::fromJson(settings->value(QStringLiteral("connections")).toByteArray())
            .array();
}

bool ProfileStore::loadFile(const QString &path)
{
    m_source = path;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        m_errorString = QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
        return false;
    }
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &error);
    if (error.error != QJsonParseError::NoError) {
        m_errorString = QStringLiteral("%1 is not valid JSON: %2 at offset %3")
                            .arg(path, error.errorString())
                            .arg(error.offset);
        return false;
    }
    if (!document.isArray()) {
        m_errorString = QStringLiteral("%1 is not a JSON array of profiles").arg(path);
        return false;
    }
    m_profiles = document.array();
    return true;
}

QStringList ProfileStore::names() const
{
    QStringList result;
    for (const QJsonValue &value : m_profiles) {
        const QString name = value.toObject().value(QLatin1String("name")).toString();
        if (!name.isEmpty())
            result.append(name);
    }
    return result;
}

std::optional<ProfileStore::Match> ProfileStore::find(const QString &name) const
{
    std::optional<QJsonObject> caseInsensitive;
    int caseInsensitiveCount = 0;
    for (const QJsonValue &value : m_profiles) {
        const QJsonObject object = value.toObject();
        const QString candidate = object.value(QLatin1String("name")).toString();
        if (candidate == name)
            return matchFrom(object);
        if (candidate.compare(name, Qt::CaseInsensitive) == 0) {
            ++caseInsensitiveCount;
            caseInsensitive = object;
        }
    }
    if (caseInsensitiveCount == 1)
        return matchFrom(*caseInsensitive);
    return std::nullopt;
}
