#include "profilestore.h"

#include "cliarguments.h"

#include "models/secretstore.h"

#include <QEventLoop>
#include <QSettings>

namespace {

ProfileStore::Match matchFrom(const SavedConnection &saved)
{
    return {saved.profile(), saved.demo, saved.secretHeaders, saved.secretsId};
}

} // namespace

std::unique_ptr<QSettings> ProfileStore::guiSettings()
{
    // The organization and application names of the GUI (app/main.cpp).
    return std::make_unique<QSettings>(QStringLiteral("SSE Monitor"),
                                       QStringLiteral("sse-monitor"));
}

QString ProfileStore::loadSecrets(const QString &secretsId, QList<QByteArray> *missing,
                                  QList<QPair<QByteArray, QByteArray>> *headers)
{
    SecretStore secrets;
    secrets.setSettingsFactory(&ProfileStore::guiSettings);
    QEventLoop loop;
    SecretStore::LoadResult loaded;
    secrets.load(secretsId, &loop, [&](const SecretStore::LoadResult &result) {
        loaded = result;
        loop.quit();
    });
    loop.exec();
    for (const auto &header : std::as_const(loaded.headers)) {
        if (header.second.isEmpty() || !missing->removeIf([&](const QByteArray &name) {
                return header.first.compare(name, Qt::CaseInsensitive) == 0;
            })) {
            continue;
        }
        CliArguments::setHeader(headers, header);
    }
    return loaded.errorString;
}

void ProfileStore::loadSettings()
{
    const std::unique_ptr<QSettings> settings = guiSettings();
    m_source = settings->fileName();
    m_profiles = SavedConnections::load(*settings);
}

bool ProfileStore::loadFile(const QString &path)
{
    m_source = path;
    const SavedConnections::File file = SavedConnections::readFile(path);
    switch (file.error) {
    case SavedConnections::File::Error::None:
        break;
    case SavedConnections::File::Error::Unreadable:
        m_errorString = QStringLiteral("cannot read %1: %2").arg(path, file.errorDetail);
        return false;
    case SavedConnections::File::Error::InvalidJson:
        m_errorString = QStringLiteral("%1 is not valid JSON: %2 at offset %3")
                            .arg(path, file.errorDetail)
                            .arg(file.errorOffset);
        return false;
    case SavedConnections::File::Error::NotAnArray:
        m_errorString = QStringLiteral("%1 is not a JSON array of profiles").arg(path);
        return false;
    }
    m_profiles.clear();
    for (const std::optional<SavedConnection> &entry : file.entries) {
        if (entry)
            m_profiles.append(*entry);
    }
    return true;
}

QStringList ProfileStore::names() const
{
    QStringList result;
    for (const SavedConnection &saved : m_profiles) {
        if (!saved.name.isEmpty())
            result.append(saved.name);
    }
    return result;
}

QList<ProfileStore::Match> ProfileStore::matches() const
{
    QList<Match> result;
    for (const SavedConnection &saved : m_profiles)
        result.append(matchFrom(saved));
    return result;
}

std::optional<ProfileStore::Match> ProfileStore::find(const QString &name) const
{
    const SavedConnection *caseInsensitive = nullptr;
    int caseInsensitiveCount = 0;
    for (const SavedConnection &saved : m_profiles) {
        if (saved.name == name)
            return matchFrom(saved);
        if (saved.name.compare(name, Qt::CaseInsensitive) == 0) {
            ++caseInsensitiveCount;
            caseInsensitive = &saved;
        }
    }
    if (caseInsensitiveCount == 1)
        return matchFrom(*caseInsensitive);
    return std::nullopt;
}
