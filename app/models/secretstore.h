#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QObject>
#include <QPair>
#include <QString>

#include <functional>
#include <memory>

QT_BEGIN_NAMESPACE
class QSettings;
QT_END_NAMESPACE

/// Where secret values are kept. Every call completes later (never inside the call), in the
/// caller's thread, through \a done; nothing is called once \a context is destroyed.
class SecretBackend
{
public:
    enum class Status {
        Ok,
        NotFound,    ///< the keychain works but holds no such entry
        Unavailable, ///< no keychain service (no Secret Service on D-Bus, no D-Bus at all, ...)
        Denied,      ///< the keychain refused (locked, or the user said no)
        Failed,      ///< anything else
    };
    struct Result
    {
        Status status = Status::Ok;
        QByteArray data;
        QString errorString;
    };
    using Callback = std::function<void(const Result &)>;

    virtual ~SecretBackend() = default;
    virtual void read(const QString &key, QObject *context, Callback done) = 0;
    virtual void write(const QString &key, const QByteArray &data, QObject *context,
                       Callback done) = 0;
    virtual void remove(const QString &key, QObject *context, Callback done) = 0;
};

/// The system keychain through QtKeychain (Secret Service/libsecret or KWallet on Linux,
/// Keychain on macOS, Credential Store on Windows), one entry per key under \a service.
class KeychainSecretBackend : public SecretBackend
{
public:
    explicit KeychainSecretBackend(const QString &service = QStringLiteral("sse-monitor"));
    void read(const QString &key, QObject *context, Callback done) override;
    void write(const QString &key, const QByteArray &data, QObject *context,
               Callback done) override;
    void remove(const QString &key, QObject *context, Callback done) override;
    QString service() const { return m_service; }

private:
    QString m_service;
};

/// Entries in memory, for tests and for runs in QStandardPaths test mode. With
/// setAvailable(false) every call reports Status::Unavailable, like a machine with no keychain.
class MemorySecretBackend : public SecretBackend
{
public:
    void read(const QString &key, QObject *context, Callback done) override;
    void write(const QString &key, const QByteArray &data, QObject *context,
               Callback done) override;
    void remove(const QString &key, QObject *context, Callback done) override;

    void setAvailable(bool available) { m_available = available; }
    QHash<QString, QByteArray> entries() const { return m_entries; }
    int writeCount() const { return m_writes; }

private:
    void finish(QObject *context, Callback done, Result result);

    QHash<QString, QByteArray> m_entries;
    bool m_available = true;
    int m_writes = 0;
};

/// The secret request headers of saved connections, one entry per connection id (a UUID kept
/// in the connection's settings), in the keychain under "connection/<id>" as a JSON array of
/// [name, value] pairs.
///
/// When the keychain cannot be used, the values are not saved, unless the user consented to
/// plain-text storage (setPlainTextFallback): then they go to the settings file under
/// "plainSecrets/<id>". Reading tries the keychain first, then such a plain copy.
class SecretStore : public QObject
{
    Q_OBJECT
public:
    using Headers = QList<QPair<QByteArray, QByteArray>>;
    using SettingsFactory = std::function<std::unique_ptr<QSettings>()>;

    enum class Location { Keychain, SettingsFile, NotSaved };
    Q_ENUM(Location)
    enum class Availability { Unknown, Available, Unavailable };
    Q_ENUM(Availability)

    struct LoadResult
    {
        bool found = false;
        Headers headers;
        Location location = Location::NotSaved;
        QString errorString; ///< why nothing was found, for the user
    };
    using LoadCallback = std::function<void(const LoadResult &)>;

    /// Without \a backend: the system keychain, except in QStandardPaths test mode, where a
    /// process-wide in-memory backend keeps tests away from the user's keychain.
    explicit SecretStore(std::shared_ptr<SecretBackend> backend = {}, QObject *parent = nullptr);
    ~SecretStore() override;

    void setBackend(std::shared_ptr<SecretBackend> backend);
    std::shared_ptr<SecretBackend> backend() const { return m_backend; }
    /// Where the plain-text copies and the consent live; the default is QSettings().
    void setSettingsFactory(SettingsFactory factory);

    /// What the last keychain call showed.
    Availability availability() const { return m_availability; }

    /// The user's consent to keep secrets in the settings file when there is no keychain.
    bool plainTextFallback() const;
    void setPlainTextFallback(bool enabled);

    void load(const QString &id, QObject *context, LoadCallback done);
    /// Stores \a secrets (unchanged values already stored are not written again);
    /// saveFinished() tells where they went.
    void save(const QString &id, const Headers &secrets);
    void remove(const QString &id);

    int pendingCount() const { return m_pending; }
    /// Runs a local event loop until every save and remove has finished, for the last save
    /// before the application quits. False on a time-out.
    bool waitForIdle(int timeoutMs);

    static QString keychainKey(const QString &id);
    static QByteArray encode(const Headers &headers);
    static Headers decode(const QByteArray &data, bool *ok = nullptr);
    /// The headers of \a headers that Sse::isSecretHeader() calls secret.
    static Headers secretHeaders(const Headers &headers);
    /// A message for a failed call, e.g. "no keychain is available (…)".
    static QString describe(const SecretBackend::Result &result);

Q_SIGNALS:
    void availabilityChanged(SecretStore::Availability availability);
    void saveFinished(const QString &id, SecretStore::Location location, const QString &error);
    void idle();

private:
    std::unique_ptr<QSettings> settings() const;
    void noteResult(const SecretBackend::Result &result);
    void finishOne();

    std::shared_ptr<SecretBackend> m_backend;
    SettingsFactory m_settingsFactory;
    Availability m_availability = Availability::Unknown;
    QHash<QString, QByteArray> m_stored; ///< id → what is known to be stored
    int m_pending = 0;
};
