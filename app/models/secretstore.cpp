#include "models/secretstore.h"

#include "sselib/profile.h"

#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QPointer>
#include <QSettings>
#include <QStandardPaths>
#include <QTimer>

#include <qt6keychain/keychain.h>

Q_LOGGING_CATEGORY(lcSecrets, "sse.secrets")

namespace {

const QLatin1String plainGroup("plainSecrets");
const QLatin1String consentKey("secrets/storeInPlainText");

SecretBackend::Status statusOf(QKeychain::Error error)
{
    switch (error) {
    case QKeychain::NoError:
        return SecretBackend::Status::Ok;
    case QKeychain::EntryNotFound:
        return SecretBackend::Status::NotFound;
    case QKeychain::AccessDenied:
    case QKeychain::AccessDeniedByUser:
        return SecretBackend::Status::Denied;
    case QKeychain::NoBackendAvailable:
    case QKeychain::NotImplemented:
    // Without a session bus or a Secret Service QtKeychain reports OtherError ("Cannot
    // autolaunch D-Bus", "Object does not exist at path .../collection/login"): for the user
    // that is the same as having no keychain.
    case QKeychain::OtherError:
        return SecretBackend::Status::Unavailable;
    case QKeychain::CouldNotDeleteEntry:
        break;
    }
    return SecretBackend::Status::Failed;
}

// Runs \a job and hands its result to \a done while \a context lives. The job deletes itself.
void runJob(QKeychain::Job *job, QObject *context, SecretBackend::Callback done)
{
    QObject::connect(job, &QKeychain::Job::finished, context,
                     [done = std::move(done)](QKeychain::Job *finished) {
                         SecretBackend::Result result;
                         result.status = statusOf(finished->error());
                         result.errorString = finished->errorString();
                         if (auto *read = qobject_cast<QKeychain::ReadPasswordJob *>(finished);
                             read && result.status == SecretBackend::Status::Ok) {
                             result.data = read->binaryData();
                         }
                         done(result);
                     });
    job->start();
}

std::shared_ptr<SecretBackend> defaultBackend()
{
    if (QStandardPaths::isTestModeEnabled()) {
        static const auto testBackend = std::make_shared<MemorySecretBackend>();
        return testBackend;
    }
    return std::make_shared<KeychainSecretBackend>();
}

} // namespace

// --- KeychainSecretBackend ---

KeychainSecretBackend::KeychainSecretBackend(const QString &service) : m_service(service) { }

void KeychainSecretBackend::read(const QString &key, QObject *context, Callback done)
{
    auto *job = new QKeychain::ReadPasswordJob(m_service);
    job->setKey(key);
    runJob(job, context, std::move(done));
}

void KeychainSecretBackend::write(const QString &key, const QByteArray &data, QObject *context,
                                  Callback done)
{
    auto *job = new QKeychain::WritePasswordJob(m_service);
    job->setKey(key);
    job->setBinaryData(data);
    runJob(job, context, std::move(done));
}

void KeychainSecretBackend::remove(const QString &key, QObject *context, Callback done)
{
    auto *job = new QKeychain::DeletePasswordJob(m_service);
    job->setKey(key);
    runJob(job, context, std::move(done));
}

// --- MemorySecretBackend ---

void MemorySecretBackend::finish(QObject *context, Callback done, Result result)
{
    // Asynchronous like the real keychain, so callers cannot rely on synchronous answers.
    QTimer::singleShot(0, context, [done = std::move(done), result] { done(result); });
}

void MemorySecretBackend::read(const QString &key, QObject *context, Callback done)
{
    Result result;
    if (!m_available) {
        result = {Status::Unavailable, {}, QStringLiteral("No keychain (test backend)")};
    } else if (auto it = m_entries.constFind(key); it != m_entries.constEnd()) {
        result.data = *it;
    } else {
        result = {Status::NotFound, {}, QStringLiteral("Entry not found")};
    }
    finish(context, std::move(done), result);
}

void MemorySecretBackend::write(const QString &key, const QByteArray &data, QObject *context,
                                Callback done)
{
    Result result;
    if (m_available) {
        m_entries.insert(key, data);
        ++m_writes;
    } else {
        result = {Status::Unavailable, {}, QStringLiteral("No keychain (test backend)")};
    }
    finish(context, std::move(done), result);
}

void MemorySecretBackend::remove(const QString &key, QObject *context, Callback done)
{
    Result result;
    if (m_available)
        m_entries.remove(key);
    else
        result = {Status::Unavailable, {}, QStringLiteral("No keychain (test backend)")};
    finish(context, std::move(done), result);
}

// --- SecretStore ---

SecretStore::SecretStore(std::shared_ptr<SecretBackend> backend, QObject *parent)
    : QObject(parent), m_backend(backend ? std::move(backend) : defaultBackend())
{
}

SecretStore::~SecretStore() = default;

void SecretStore::setBackend(std::shared_ptr<SecretBackend> backend)
{
    m_backend = std::move(backend);
    m_stored.clear();
    m_availability = Availability::Unknown;
}

void SecretStore::setSettingsFactory(SettingsFactory factory)
{
    m_settingsFactory = std::move(factory);
}

std::unique_ptr<QSettings> SecretStore::settings() const
{
    return m_settingsFactory ? m_settingsFactory() : std::make_unique<QSettings>();
}

bool SecretStore::plainTextFallback() const
{
    return settings()->value(consentKey, false).toBool();
}

void SecretStore::setPlainTextFallback(bool enabled)
{
    const std::unique_ptr<QSettings> s = settings();
    s->setValue(consentKey, enabled);
    m_stored.clear(); // where things go has changed: the next save writes again
    if (!enabled) {
        // Withdrawn consent: no plain copy stays behind.
        s->remove(plainGroup);
    }
}

QString SecretStore::keychainKey(const QString &id)
{
    return QStringLiteral("connection/") + id;
}

QByteArray SecretStore::encode(const Headers &headers)
{
    QJsonArray array;
    for (const auto &header : headers)
        array.append(QJsonArray{QString::fromUtf8(header.first), QString::fromUtf8(header.second)});
    return QJsonDocument(array).toJson(QJsonDocument::Compact);
}

SecretStore::Headers SecretStore::decode(const QByteArray &data, bool *ok)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(data, &error);
    if (ok)
        *ok = error.error == QJsonParseError::NoError && document.isArray();
    Headers headers;
    for (const QJsonValue &value : document.array()) {
        const QJsonArray pair = value.toArray();
        if (pair.size() == 2)
            headers.append({pair.at(0).toString().toUtf8(), pair.at(1).toString().toUtf8()});
    }
    return headers;
}

SecretStore::Headers SecretStore::secretHeaders(const Headers &headers)
{
    Headers result;
    for (const auto &header : headers) {
        if (Sse::isSecretHeader(header.first))
            result.append(header);
    }
    return result;
}

QString SecretStore::describe(const SecretBackend::Result &result)
{
    switch (result.status) {
    case SecretBackend::Status::Ok:
        return QString();
    case SecretBackend::Status::NotFound:
        return tr("not found in the keychain");
    case SecretBackend::Status::Unavailable:
        return tr("no keychain is available (%1)").arg(result.errorString);
    case SecretBackend::Status::Denied:
        return tr("the keychain refused access (%1)").arg(result.errorString);
    case SecretBackend::Status::Failed:
        break;
    }
    return tr("keychain error: %1").arg(result.errorString);
}

void SecretStore::noteResult(const SecretBackend::Result &result)
{
    Availability availability = m_availability;
    if (result.status == SecretBackend::Status::Ok
        || result.status == SecretBackend::Status::NotFound) {
        availability = Availability::Available;
    } else if (result.status == SecretBackend::Status::Unavailable) {
        availability = Availability::Unavailable;
    }
    if (availability != m_availability) {
        m_availability = availability;
        emit availabilityChanged(availability);
    }
}

void SecretStore::finishOne()
{
    if (--m_pending == 0)
        emit idle();
}

void SecretStore::load(const QString &id, QObject *context, LoadCallback done)
{
    QPointer<SecretStore> self(this);
    m_backend->read(keychainKey(id), context ? context : this,
                    [self, id, done = std::move(done)](const SecretBackend::Result &result) {
                        LoadResult loaded;
                        if (self)
                            self->noteResult(result);
                        if (result.status == SecretBackend::Status::Ok) {
                            bool ok = false;
                            loaded.headers = decode(result.data, &ok);
                            loaded.found = ok;
                            loaded.location = Location::Keychain;
                            if (ok && self)
                                self->m_stored.insert(id, result.data);
                            if (!ok)
                                loaded.errorString = tr("the keychain entry is unreadable");
                        } else {
                            loaded.errorString = describe(result);
                            if (result.status != SecretBackend::Status::NotFound)
                                qCInfo(lcSecrets) << "keychain read failed:" << result.errorString;
                        }
                        // A copy the user allowed in the settings file (no keychain then).
                        if (!loaded.found && self) {
                            const QByteArray plain = self->settings()
                                                         ->value(plainGroup + u'/' + id)
                                                         .toByteArray();
                            bool ok = false;
                            const Headers headers = decode(plain, &ok);
                            if (!plain.isEmpty() && ok) {
                                loaded = {true, headers, Location::SettingsFile, QString()};
                            }
                        }
                        done(loaded);
                    });
}

void SecretStore::save(const QString &id, const Headers &secrets)
{
    const QByteArray blob = encode(secrets);
    if (m_stored.value(id) == blob)
        return;
    ++m_pending;
    m_backend->write(keychainKey(id), blob, this,
                     [this, id, blob](const SecretBackend::Result &result) {
                         noteResult(result);
                         const std::unique_ptr<QSettings> s = settings();
                         const QString plainKey = plainGroup + u'/' + id;
                         if (result.status == SecretBackend::Status::Ok) {
                             m_stored.insert(id, blob);
                             s->remove(plainKey); // the keychain has it now
                             emit saveFinished(id, Location::Keychain, QString());
                         } else if (plainTextFallback()) {
                             s->setValue(plainKey, blob);
                             m_stored.insert(id, blob);
                             emit saveFinished(id, Location::SettingsFile, describe(result));
                         } else {
                             s->remove(plainKey);
                             m_stored.remove(id);
                             qCInfo(lcSecrets) << "secrets not saved:" << result.errorString;
                             emit saveFinished(id, Location::NotSaved, describe(result));
                         }
                         finishOne();
                     });
}

void SecretStore::remove(const QString &id)
{
    m_stored.remove(id);
    settings()->remove(plainGroup + u'/' + id);
    ++m_pending;
    m_backend->remove(keychainKey(id), this, [this](const SecretBackend::Result &result) {
        noteResult(result);
        finishOne();
    });
}

bool SecretStore::waitForIdle(int timeoutMs)
{
    if (m_pending == 0)
        return true;
    QEventLoop loop;
    QTimer timer;
    timer.setSingleShot(true);
    connect(&timer, &QTimer::timeout, &loop, &QEventLoop::quit);
    connect(this, &SecretStore::idle, &loop, &QEventLoop::quit);
    timer.start(timeoutMs);
    loop.exec();
    return m_pending == 0;
}
