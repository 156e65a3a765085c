#pragma once

#include "session/alertrule.h"
#include "session/proxysettings.h"

#include "sselib/profile.h"

#include <QCoreApplication>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

QT_BEGIN_NAMESPACE
class QJsonObject;
class QSettings;
QT_END_NAMESPACE

/// One saved connection: what the GUI keeps in its settings (key "connections") and what a
/// profiles file (File > Export Connections, sse-monitor-cli --profiles-file) holds.
struct SavedConnection
{
    /// Where an entry goes: the settings never hold secret values and remember whether the
    /// connection was open; a profiles file holds the values when asked to.
    enum class Target { Settings, ProfileFile };

    QString name;
    Sse::ClientOptions options;
    /// Secret headers whose values this entry does not hold (the settings, or an export
    /// without secrets); they are asked for, or fetched from the secret store.
    QList<QByteArray> secretHeaders;
    /// The connection's entry in the secret store; empty in profiles files.
    QString secretsId;
    bool open = true;
    /// The GUI's built-in demo stream, whose saved URL points at a server that no longer runs.
    bool demo = false;
    /// The connection's alert rules (JSON "alerts"; absent when there are none).
    QList<AlertRule> alerts;
    /// The health engine's stall threshold set by the user (JSON "stallAfterSeconds"); 0 =
    /// learnt from the stream.
    qint64 stallAfterSeconds = 0;
    /// What the entry is (JSON "kind": absent or "stream", "proxy"); files without it hold
    /// streams.
    enum class Kind { Stream, Proxy };
    Kind kind = Kind::Stream;
    /// Kind::Proxy: the listener and its upstream (JSON "proxy"; options.url is the upstream).
    ProxySettings proxy;

    /// The entry for a live connection. With SecretHandling::Exclude every secret header goes
    /// to secretHeaders; with Include only those whose value is unknown (empty).
    static SavedConnection fromOptions(const QString &name, const Sse::ClientOptions &options,
                                       Sse::SecretHandling secrets);
    static SavedConnection fromJson(const QJsonObject &object);
    QJsonObject toJson(Target target, Sse::SecretHandling secrets) const;
    Sse::Profile profile() const { return {name, options}; }
};

/// The one owner of the saved-connections format: reading and writing the settings entry and
/// profiles files, and the rules for merging an imported file into the open connections.
/// Qt Core only: the GUI and sse-monitor-cli share it.
class SavedConnections
{
    Q_DECLARE_TR_FUNCTIONS(SavedConnections)
public:
    static QString settingsKey();
    static QList<SavedConnection> load(const QSettings &settings);
    static void save(QSettings &settings, const QList<SavedConnection> &connections);

    /// A profiles file as read: a JSON array whose entries are connections (nullopt: an entry
    /// that is not an object).
    struct File
    {
        enum class Error { None, Unreadable, InvalidJson, NotAnArray };
        Error error = Error::None;
        QString errorDetail; ///< the file's or the JSON parser's error text
        qint64 errorOffset = 0; ///< where the JSON parser stopped (InvalidJson)
        QList<std::optional<SavedConnection>> entries;
    };
    static File readFile(const QString &path);
    /// Writes \a connections as an indented JSON array; false with \a errorString on failure.
    static bool writeFile(const QString &path, const QList<SavedConnection> &connections,
                          Sse::SecretHandling secrets, QString *errorString = nullptr);

    struct Import
    {
        QList<SavedConnection> added; ///< to add, not started, under the names to use
        int renamed = 0; ///< added under a new name (the name was taken)
        int skipped = 0; ///< identical to an existing connection, or the demo
        QString error; ///< the file could not be used at all
        QStringList problems; ///< entries that were not imported, and why
    };
    /// The import rules: the demo and a connection identical (secrets aside) to an existing
    /// one of the same name are skipped; another one under a taken name becomes "name (2)";
    /// entries without an http or https URL are reported. \a existing: the names and options
    /// of the connections already there.
    static Import merge(const QList<Sse::Profile> &existing, const File &file,
                        const QString &fileName);
    /// Reads and merges \a path.
    static Import import(const QString &path, const QList<Sse::Profile> &existing);

    /// How a secret of secretHeaders is named to the user: a header by its name, the secrets
    /// that are not headers (Sse::UrlSecret, ...) by what they are.
    static QString secretLabel(const QByteArray &name);

    /// \a options without secret headers: what decides whether two connections are the same.
    static Sse::ClientOptions withoutSecrets(Sse::ClientOptions options);
};
