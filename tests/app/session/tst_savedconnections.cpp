// The saved-connections format without a window: the settings entry, profiles files and the
// rules for merging an imported file into the open connections.

#include "session/savedconnections.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

const QByteArray secretValue = "Bearer s3cret-token-42";

Sse::ClientOptions optionsFor(const QString &url)
{
    Sse::ClientOptions options;
    options.url = QUrl(url);
    return options;
}

Sse::ClientOptions secureOptions()
{
    Sse::ClientOptions options = optionsFor(u"https://api.example.com/events"_s);
    options.headers = {{"X-Team", "blue"}, {"Authorization", secretValue}};
    return options;
}

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

QByteArray fileBytes(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

class TestSavedConnections : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void settingsKeepNamesNotValues();
    void settingsRoundTrip();
    void includeKeepsKnownValues();
    void profileFileRoundTrip();
    void urlSecretsInProfileFiles_data();
    void urlSecretsInProfileFiles();
    void readFileErrors_data();
    void readFileErrors();
    void mergeSkipsAndRenames();
    void mergeReportsBadEntries();

private:
    QTemporaryDir m_directory;
};

void TestSavedConnections::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(u"SSE Monitor Tests"_s);
    QCoreApplication::setApplicationName(u"tst_savedconnections"_s);
    QVERIFY(m_directory.isValid());
}

void TestSavedConnections::init()
{
    QSettings().clear();
}

void TestSavedConnections::settingsKeepNamesNotValues()
{
    SavedConnection saved =
        SavedConnection::fromOptions(u"secure"_s, secureOptions(), Sse::SecretHandling::Exclude);
    QCOMPARE(saved.secretHeaders, QList<QByteArray> {"Authorization"});
    saved.secretsId = u"id-1"_s;
    const QJsonObject object =
        saved.toJson(SavedConnection::Target::Settings, Sse::SecretHandling::Include);
    // The settings never hold a secret value, whatever the caller asks.
    QVERIFY(!QJsonDocument(object).toJson().contains("s3cret"));
    QCOMPARE(object.value(u"secretHeaders"_s).toArray(), QJsonArray {u"Authorization"_s});
    QCOMPARE(object.value(u"secretsId"_s).toString(), u"id-1"_s);
    QVERIFY(object.value(u"open"_s).toBool());
    QVERIFY(!object.contains(u"demo"_s));
}

void TestSavedConnections::settingsRoundTrip()
{
    SavedConnection demo;
    demo.name = u"Demo stream"_s;
    demo.options = optionsFor(u"http://127.0.0.1:1/events"_s);
    demo.demo = true;
    Sse::ClientOptions secure = secureOptions();
    secure.overflowPolicy = Sse::OverflowPolicy::DropEvents;
    secure.forwardCredentialsOnRedirect = true;
    SavedConnection closed =
        SavedConnection::fromOptions(u"secure"_s, secure, Sse::SecretHandling::Exclude);
    closed.open = false;
    closed.secretsId = u"id-2"_s;
    {
        QSettings settings;
        SavedConnections::save(settings, {demo, closed});
    }
    const QList<SavedConnection> loaded = SavedConnections::load(QSettings());
    QCOMPARE(loaded.size(), 2);
    QVERIFY(loaded.at(0).demo);
    QVERIFY(loaded.at(0).open);
    QVERIFY(!loaded.at(1).demo);
    QVERIFY(!loaded.at(1).open);
    QCOMPARE(loaded.at(1).secretsId, u"id-2"_s);
    QCOMPARE(loaded.at(1).secretHeaders, QList<QByteArray> {"Authorization"});
    QCOMPARE(loaded.at(1).options.headers.size(), 1);
    QCOMPARE(loaded.at(1).options.headers.first().first, QByteArray("X-Team"));
    QCOMPARE(loaded.at(1).options.overflowPolicy, Sse::OverflowPolicy::DropEvents);
    QVERIFY(loaded.at(1).options.forwardCredentialsOnRedirect);
    QCOMPARE(loaded.at(0).options.overflowPolicy, Sse::OverflowPolicy::Throttle);
}

void TestSavedConnections::includeKeepsKnownValues()
{
    Sse::ClientOptions options = secureOptions();
    options.headers.append({"X-Api-Key", QByteArray()}); // not known: listed by name
    const SavedConnection saved =
        SavedConnection::fromOptions(u"secure"_s, options, Sse::SecretHandling::Include);
    QCOMPARE(saved.secretHeaders, QList<QByteArray> {"X-Api-Key"});
    const QJsonObject object =
        saved.toJson(SavedConnection::Target::ProfileFile, Sse::SecretHandling::Include);
    QVERIFY(QJsonDocument(object).toJson().contains("s3cret-token-42"));
    QVERIFY(!object.contains(u"open"_s)); // a file does not say what was open
}

void TestSavedConnections::profileFileRoundTrip()
{
    const QString path = m_directory.filePath(u"profiles.json"_s);
    Sse::ClientOptions gamma = optionsFor(u"http://127.0.0.1:1/gamma"_s);
    gamma.reconnectPolicy = Sse::ReconnectPolicy::Fixed;
    gamma.fixedDelayMs = 1234;
    const QList<SavedConnection> written = {
        SavedConnection::fromOptions(u"secure"_s, secureOptions(), Sse::SecretHandling::Exclude),
        SavedConnection::fromOptions(u"gamma"_s, gamma, Sse::SecretHandling::Exclude)};
    QString error;
    QVERIFY2(SavedConnections::writeFile(path, written, Sse::SecretHandling::Exclude, &error),
             qPrintable(error));
    QVERIFY(!fileBytes(path).contains("s3cret"));
    const SavedConnections::File file = SavedConnections::readFile(path);
    QCOMPARE(file.error, SavedConnections::File::Error::None);
    QCOMPARE(file.entries.size(), 2);
    QCOMPARE(file.entries.at(0)->secretHeaders, QList<QByteArray> {"Authorization"});
    QCOMPARE(file.entries.at(1)->name, u"gamma"_s);
    QVERIFY(file.entries.at(1)->options == gamma);
}

void TestSavedConnections::urlSecretsInProfileFiles_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("masked");
    QTest::addRow("user and password")
        << u"https://user:pw@host.example/s?x=1"_s << u"https://user:<redacted>@host.example/s?x=1"_s;
    QTest::addRow("token as user name")
        << u"https://tok3n@host.example/s"_s << u"https://<redacted>@host.example/s"_s;
    QTest::addRow("api_key and access_token")
        << u"https://host.example/s?api_key=XYZ&x=1&access_token=T0K"_s
        << u"https://host.example/s?api_key=<redacted>&x=1&access_token=<redacted>"_s;
    QTest::addRow("everything")
        << u"https://user:pw@host.example/s?api_key=XYZ&x=1"_s
        << u"https://user:<redacted>@host.example/s?api_key=<redacted>&x=1"_s;
}

// Exported without secrets, a URL's credentials are masked and listed as a secret to ask
// for; with secrets the file holds the working URL; the settings never hold it.
void TestSavedConnections::urlSecretsInProfileFiles()
{
    QFETCH(QString, url);
    QFETCH(QString, masked);
    const Sse::ClientOptions options = optionsFor(url);
    const QString path = m_directory.filePath(u"url-secrets.json"_s);
    const SavedConnection excluded =
        SavedConnection::fromOptions(u"u"_s, options, Sse::SecretHandling::Exclude);
    QCOMPARE(excluded.secretHeaders, QList<QByteArray>{Sse::UrlSecret});
    QVERIFY(SavedConnections::writeFile(path, {excluded}, Sse::SecretHandling::Exclude));
    const QByteArray bytes = fileBytes(path);
    for (const char *secret : {"pw@", "tok3n", "XYZ", "T0K"})
        QVERIFY2(!bytes.contains(secret), bytes.constData());
    const SavedConnections::File file = SavedConnections::readFile(path);
    QCOMPARE(file.entries.size(), 1);
    QCOMPARE(Sse::redactedUrl(file.entries.first()->options.url), masked);
    // What the secret store gives back restores the working URL.
    Sse::ClientOptions restored = file.entries.first()->options;
    restored.headers = Sse::nonHeaderSecrets(options);
    Sse::applyNonHeaderSecrets(&restored);
    QCOMPARE(restored.url, options.url);
    QVERIFY(restored.headers.isEmpty());
    // With secrets, the file holds the URL as given.
    const SavedConnection included =
        SavedConnection::fromOptions(u"u"_s, options, Sse::SecretHandling::Include);
    QVERIFY(included.secretHeaders.isEmpty());
    QVERIFY(SavedConnections::writeFile(path, {included}, Sse::SecretHandling::Include));
    QCOMPARE(SavedConnections::readFile(path).entries.first()->options.url, options.url);
    // Secrets aside, the masked and the working connection are the same one.
    QVERIFY(SavedConnections::withoutSecrets(options)
            == SavedConnections::withoutSecrets(file.entries.first()->options));
}

void TestSavedConnections::readFileErrors_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<int>("error");
    QTest::newRow("missing") << QByteArray() << int(SavedConnections::File::Error::Unreadable);
    QTest::newRow("broken") << QByteArray("[{\"name\": ")
                            << int(SavedConnections::File::Error::InvalidJson);
    QTest::newRow("object") << QByteArray("{\"name\":\"x\",\"url\":\"http://127.0.0.1:1/\"}")
                            << int(SavedConnections::File::Error::NotAnArray);
}

void TestSavedConnections::readFileErrors()
{
    QFETCH(QByteArray, content);
    QFETCH(int, error);
    const QString path = m_directory.filePath(QString::fromLatin1(QTest::currentDataTag()));
    if (!content.isEmpty())
        QVERIFY(writeFile(path, content));
    const SavedConnections::File file = SavedConnections::readFile(path);
    QCOMPARE(int(file.error), error);
    const SavedConnections::Import result = SavedConnections::merge({}, file, u"f.json"_s);
    QVERIFY2(result.error.contains(u"f.json"_s), qPrintable(result.error));
    QVERIFY(result.added.isEmpty());
}

void TestSavedConnections::mergeSkipsAndRenames()
{
    SavedConnections::File file;
    SavedConnection same =
        SavedConnection::fromOptions(u"alpha"_s, secureOptions(), Sse::SecretHandling::Exclude);
    SavedConnection other;
    other.name = u"alpha"_s;
    other.options = optionsFor(u"http://127.0.0.1:1/other"_s);
    SavedConnection demo;
    demo.name = u"anything"_s;
    demo.options = optionsFor(u"http://127.0.0.1:1/demo"_s);
    demo.demo = true;
    SavedConnection unnamed;
    unnamed.options = optionsFor(u"https://stream.example.org/x"_s);
    file.entries = {same, other, other, demo, unnamed};
    // The existing "alpha" has the same options, secrets aside.
    Sse::ClientOptions existing = secureOptions();
    existing.headers.removeLast();
    const SavedConnections::Import result =
        SavedConnections::merge({{u"alpha"_s, existing}}, file, u"f.json"_s);
    QVERIFY(result.error.isEmpty());
    QCOMPARE(result.skipped, 2); // the same alpha, the demo
    QCOMPARE(result.renamed, 2);
    QCOMPARE(result.added.size(), 3);
    QCOMPARE(result.added.at(0).name, u"alpha (2)"_s);
    QCOMPARE(result.added.at(1).name, u"alpha (3)"_s);
    QCOMPARE(result.added.at(2).name, u"stream.example.org"_s);
    for (const SavedConnection &added : result.added)
        QVERIFY(!added.open);
}

void TestSavedConnections::mergeReportsBadEntries()
{
    const QString path = m_directory.filePath(u"mixed.json"_s);
    const QByteArray entries = "[{\"name\":\"no url\"},"
                               "{\"name\":\"ok\",\"url\":\"http://127.0.0.1:1/e\"},3,"
                               "{\"name\":\"ftp\",\"url\":\"ftp://example.org/\"}]";
    QVERIFY(writeFile(path, entries));
    const SavedConnections::Import result = SavedConnections::import(path, {});
    QVERIFY(result.error.isEmpty());
    QCOMPARE(result.added.size(), 1);
    QCOMPARE(result.problems.size(), 3);
    QVERIFY2(result.problems.at(0).contains(u"entry 1 (no url)"_s),
             qPrintable(result.problems.at(0)));
    QVERIFY2(result.problems.at(1).contains(u"entry 3"_s), qPrintable(result.problems.at(1)));
    QVERIFY2(result.problems.at(2).contains(u"entry 4 (ftp)"_s), qPrintable(result.problems.at(2)));
}

QTEST_GUILESS_MAIN(TestSavedConnections)
#include "tst_savedconnections.moc"
