// SecretStore: secret header values in a keychain, the plain-text fallback only with consent,
// and the real QtKeychain library. SSE_MONITOR_KEYCHAIN says what the real keychain must do:
// "required" (a private, unlocked GNOME Keyring from scripts/with-test-keyring.sh),
// "absent" (no session bus: QtKeychain must report that no keychain is available), or unset
// (either outcome, checked for consistency; a test entry is deleted again).

#include "settingsfile.h"
#include "testserver.h"

#include "models/secretstore.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

using namespace Qt::StringLiterals;
using Headers = SecretStore::Headers;

namespace {

std::optional<SecretStore::LoadResult> loadNow(SecretStore &store, const QString &id)
{
    std::optional<SecretStore::LoadResult> loaded;
    store.load(id, &store, [&loaded](const SecretStore::LoadResult &result) { loaded = result; });
    if (!QTest::qWaitFor([&loaded] { return loaded.has_value(); }, 15000))
        return std::nullopt;
    return loaded;
}

QString keychainMode()
{
    return qEnvironmentVariable("SSE_MONITOR_KEYCHAIN");
}

} // namespace

class TestSecretStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void secretHeadersAreSelected();
    void roundTripThroughBackend();
    void unchangedSecretsAreNotRewritten();
    void noKeychainWithoutConsentSavesNothing();
    void noKeychainWithConsentUsesSettingsFile();
    void withdrawnConsentRemovesPlainCopies();
    void removeDeletesEverywhere();
    void realKeychain();
    void cliReadsSecretFromKeychain();
};

void TestSecretStore::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(u"SSE Monitor Tests"_s);
    QCoreApplication::setApplicationName(u"tst_secretstore"_s);
}

void TestSecretStore::init()
{
    QSettings().clear();
}

void TestSecretStore::secretHeadersAreSelected()
{
    const Headers all = {{"Authorization", "Bearer a"}, {"X-Team", "blue"},
                         {"X-API-Key", "k"}, {"Cookie", "c=1"}};
    const Headers secret = SecretStore::secretHeaders(all);
    QCOMPARE(secret.size(), 3);
    QCOMPARE(secret.at(0).first, QByteArray("Authorization"));
    bool ok = false;
    QCOMPARE(SecretStore::decode(SecretStore::encode(secret), &ok), secret);
    QVERIFY(ok);
    SecretStore::decode("{not json", &ok);
    QVERIFY(!ok);
}

void TestSecretStore::roundTripThroughBackend()
{
    auto backend = std::make_shared<MemorySecretBackend>();
    SecretStore store(backend);
    QSignalSpy saved(&store, &SecretStore::saveFinished);
    store.save(u"one"_s, {{"Authorization", "Bearer s3cret"}});
    QCOMPARE(store.pendingCount(), 1); // asynchronous, like the real keychain
    QVERIFY(saved.wait(5000));
    QCOMPARE(saved.at(0).at(1).value<SecretStore::Location>(), SecretStore::Location::Keychain);
    QCOMPARE(store.availability(), SecretStore::Availability::Available);
    QVERIFY(backend->entries().value(u"connection/one"_s).contains("Bearer s3cret"));
    QVERIFY(!settingsFileBytes().contains("s3cret"));

    SecretStore other(backend); // a later run of the application
    const auto loaded = loadNow(other, u"one"_s);
    QVERIFY(loaded);
    QVERIFY(loaded->found);
    QCOMPARE(loaded->location, SecretStore::Location::Keychain);
    QCOMPARE(loaded->headers, (Headers{{"Authorization", "Bearer s3cret"}}));

    const auto unknown = loadNow(other, u"two"_s);
    QVERIFY(unknown);
    QVERIFY(!unknown->found);
    QCOMPARE(unknown->errorString, u"not found in the keychain"_s);
}

void TestSecretStore::unchangedSecretsAreNotRewritten()
{
    auto backend = std::make_shared<MemorySecretBackend>();
    SecretStore store(backend);
    store.save(u"one"_s, {{"Authorization", "Bearer a"}});
    QVERIFY(store.waitForIdle(5000));
    store.save(u"one"_s, {{"Authorization", "Bearer a"}});
    QCOMPARE(store.pendingCount(), 0);
    QCOMPARE(backend->writeCount(), 1);
    store.save(u"one"_s, {{"Authorization", "Bearer b"}});
    QVERIFY(store.waitForIdle(5000));
    QCOMPARE(backend->writeCount(), 2);
}

void TestSecretStore::noKeychainWithoutConsentSavesNothing()
{
    auto backend = std::make_shared<MemorySecretBackend>();
    backend->setAvailable(false);
    SecretStore store(backend);
    QVERIFY(!store.plainTextFallback());
    QSignalSpy saved(&store, &SecretStore::saveFinished);
    store.save(u"one"_s, {{"Authorization", "Bearer s3cret"}});
    QVERIFY(saved.wait(5000));
    QCOMPARE(saved.at(0).at(1).value<SecretStore::Location>(), SecretStore::Location::NotSaved);
    QVERIFY(saved.at(0).at(2).toString().contains(u"no keychain"_s));
    QCOMPARE(store.availability(), SecretStore::Availability::Unavailable);
    QVERIFY(!settingsFileBytes().contains("s3cret"));

    const auto loaded = loadNow(store, u"one"_s);
    QVERIFY(loaded);
    QVERIFY(!loaded->found);
    QVERIFY(loaded->errorString.contains(u"no keychain"_s));
}

void TestSecretStore::noKeychainWithConsentUsesSettingsFile()
{
    auto backend = std::make_shared<MemorySecretBackend>();
    backend->setAvailable(false);
    SecretStore store(backend);
    store.setPlainTextFallback(true);
    QSignalSpy saved(&store, &SecretStore::saveFinished);
    store.save(u"one"_s, {{"Authorization", "Bearer s3cret"}});
    QVERIFY(saved.wait(5000));
    QCOMPARE(saved.at(0).at(1).value<SecretStore::Location>(),
             SecretStore::Location::SettingsFile);
    QVERIFY(settingsFileBytes().contains("s3cret"));

    SecretStore later(backend);
    const auto loaded = loadNow(later, u"one"_s);
    QVERIFY(loaded);
    QVERIFY(loaded->found);
    QCOMPARE(loaded->location, SecretStore::Location::SettingsFile);
    QCOMPARE(loaded->headers, (Headers{{"Authorization", "Bearer s3cret"}}));

    // Once a keychain is there, the secret moves into it and leaves the settings file.
    backend->setAvailable(true);
    SecretStore withKeychain(backend);
    QSignalSpy moved(&withKeychain, &SecretStore::saveFinished);
    withKeychain.save(u"one"_s, {{"Authorization", "Bearer s3cret"}});
    QVERIFY(moved.wait(5000));
    QCOMPARE(moved.at(0).at(1).value<SecretStore::Location>(), SecretStore::Location::Keychain);
    QVERIFY(!settingsFileBytes().contains("s3cret"));
}

void TestSecretStore::withdrawnConsentRemovesPlainCopies()
{
    auto backend = std::make_shared<MemorySecretBackend>();
    backend->setAvailable(false);
    SecretStore store(backend);
    store.setPlainTextFallback(true);
    store.save(u"one"_s, {{"Authorization", "Bearer s3cret"}});
    QVERIFY(store.waitForIdle(5000));
    QVERIFY(settingsFileBytes().contains("s3cret"));
    store.setPlainTextFallback(false);
    QVERIFY(!settingsFileBytes().contains("s3cret"));
    // The next save tries again rather than trusting what it wrote before.
    QSignalSpy saved(&store, &SecretStore::saveFinished);
    store.save(u"one"_s, {{"Authorization", "Bearer s3cret"}});
    QVERIFY(saved.wait(5000));
    QCOMPARE(saved.at(0).at(1).value<SecretStore::Location>(), SecretStore::Location::NotSaved);
    QVERIFY(!settingsFileBytes().contains("s3cret"));
}

void TestSecretStore::removeDeletesEverywhere()
{
    auto backend = std::make_shared<MemorySecretBackend>();
    SecretStore store(backend);
    store.save(u"one"_s, {{"Authorization", "Bearer a"}});
    QVERIFY(store.waitForIdle(5000));
    QVERIFY(backend->entries().contains(u"connection/one"_s));
    store.remove(u"one"_s);
    QVERIFY(store.waitForIdle(5000));
    QVERIFY(!backend->entries().contains(u"connection/one"_s));
    const auto loaded = loadNow(store, u"one"_s);
    QVERIFY(loaded);
    QVERIFY(!loaded->found);
}

void TestSecretStore::realKeychain()
{
    // Its own service name and a unique key: nothing of the user's is read or changed.
    auto backend = std::make_shared<KeychainSecretBackend>(u"sse-monitor-test"_s);
    SecretStore store(backend);
    const QString id = u"test-"_s + QUuid::createUuid().toString(QUuid::WithoutBraces);
    const Headers secrets = {{"Authorization", "Bearer real-keychain-test"}};
    QSignalSpy saved(&store, &SecretStore::saveFinished);
    store.save(id, secrets);
    QVERIFY(saved.wait(15000));
    const auto location = saved.at(0).at(1).value<SecretStore::Location>();
    const QString mode = keychainMode();
    qInfo("real keychain: %s (%s)",
          location == SecretStore::Location::Keychain ? "stored" : "unavailable",
          qPrintable(saved.at(0).at(2).toString()));
    if (mode == u"required"_s)
        QCOMPARE(location, SecretStore::Location::Keychain);
    else if (mode == u"absent"_s)
        QCOMPARE(location, SecretStore::Location::NotSaved);

    if (location == SecretStore::Location::Keychain) {
        QCOMPARE(store.availability(), SecretStore::Availability::Available);
        SecretStore reader(std::make_shared<KeychainSecretBackend>(u"sse-monitor-test"_s));
        const auto loaded = loadNow(reader, id);
        QVERIFY(loaded);
        QVERIFY(loaded->found);
        QCOMPARE(loaded->headers, secrets);
        store.remove(id);
        QVERIFY(store.waitForIdle(15000));
        const auto gone = loadNow(reader, id);
        QVERIFY(gone);
        QVERIFY(!gone->found);
        QCOMPARE(gone->errorString, u"not found in the keychain"_s);
    } else {
        // The fallback path with the real library: nothing stored, nothing in plain text,
        // and reading says why.
        QCOMPARE(location, SecretStore::Location::NotSaved);
        QCOMPARE(store.availability(), SecretStore::Availability::Unavailable);
        QVERIFY(!settingsFileBytes().contains("real-keychain-test"));
        const auto loaded = loadNow(store, id);
        QVERIFY(loaded);
        QVERIFY(!loaded->found);
        QVERIFY2(loaded->errorString.contains(u"no keychain"_s), qPrintable(loaded->errorString));
    }
}

void TestSecretStore::cliReadsSecretFromKeychain()
{
    if (keychainMode() != u"required"_s)
        QSKIP("needs the private keyring of scripts/with-test-keyring.sh (ctest: "
              "tst_secretstore_keyring)");
    // Here HOME and the keyring are private to this run, so the application's own service
    // name is safe to use.
    QTemporaryDir config;
    QVERIFY(config.isValid());
    TestServer server;
    server.route("/secure", [](TestServer::Exchange *exchange) {
        exchange->sseHead();
        exchange->send(TestServer::formatEvent("{}", "tick", "1"));
    });
    const QString id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    SecretStore store(std::make_shared<KeychainSecretBackend>());
    store.save(id, {{"Authorization", "Bearer from-keychain"}});
    QVERIFY(store.waitForIdle(15000));

    // What MainWindow::saveSettings writes: the names and the keychain id, not the value.
    QJsonObject profile{{u"name"_s, u"secure"_s},
                        {u"url"_s, server.url("/secure").toString()},
                        {u"headers"_s, QJsonArray{QJsonArray{u"X-Team"_s, u"blue"_s}}},
                        {u"secretHeaders"_s, QJsonArray{u"Authorization"_s}},
                        {u"secretsId"_s, id}};
    {
        QSettings settings(config.filePath(u"SSE Monitor/sse-monitor.conf"_s),
                           QSettings::IniFormat);
        settings.setValue(u"connections"_s,
                          QJsonDocument(QJsonArray{profile}).toJson(QJsonDocument::Compact));
    }
    QProcess process;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(u"XDG_CONFIG_HOME"_s, config.path());
    process.setProcessEnvironment(environment);
    process.setProgram(qEnvironmentVariable("SSE_MONITOR_CLI"));
    process.setArguments({u"--profile"_s, u"secure"_s, u"--max-events"_s, u"1"_s});
    QSignalSpy finished(&process, &QProcess::finished);
    process.start();
    QVERIFY(finished.wait(15000));
    const QByteArray err = process.readAllStandardError();
    QVERIFY2(process.exitCode() == 0, err.constData());
    QCOMPARE(server.requestCount("/secure"), 1);
    QCOMPARE(server.requests("/secure").first().header("Authorization"),
             QByteArray("Bearer from-keychain"));
    QCOMPARE(server.requests("/secure").first().header("X-Team"), QByteArray("blue"));

    store.remove(id);
    QVERIFY(store.waitForIdle(15000));
}

QTEST_GUILESS_MAIN(TestSecretStore)
#include "tst_secretstore.moc"
