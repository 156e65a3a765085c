#pragma once

#include "session/savedconnections.h"

#include <QString>
#include <QStringList>

#include <memory>
#include <optional>

QT_BEGIN_NAMESPACE
class QSettings;
QT_END_NAMESPACE

/// The saved connections that `sse-monitor-cli --profile NAME` can use: those of the GUI's
/// settings or those of an exported profiles file, both read by SavedConnections (the owner of
/// the format); this class only adds the lookup by name. Secret header values are not in the
/// GUI's settings: their names are, with the id of the connection's keychain entry.
class ProfileStore
{
public:
    /// A profile found by name. isDemo: the GUI's entry for its built-in demo stream, whose
    /// saved URL points at a server that no longer runs.
    struct Match
    {
        Sse::Profile profile;
        bool isDemo = false;
        /// Secret headers whose values the profile does not hold.
        QList<QByteArray> secretHeaders;
        /// The profile's entry in the secret store (saved by the GUI); empty for exported files.
        QString secretsId;
    };

    /// The GUI's settings (QSettings "SSE Monitor"/"sse-monitor").
    static std::unique_ptr<QSettings> guiSettings();

    /// Looks the secret headers named in \a missing up in the GUI's secret store entry
    /// \a secretsId (the keychain, or the plain-text copy the user allowed), waiting for the
    /// answer. Each one found is set in \a headers and removed from \a missing. Returns why the
    /// others are not available.
    static QString loadSecrets(const QString &secretsId, QList<QByteArray> *missing,
                               QList<QPair<QByteArray, QByteArray>> *headers);

    /// Reads the GUI's settings. Never fails: no settings means no profiles.
    void loadSettings();
    /// Reads \a path; false, with errorString(), when it is unreadable or not a JSON array.
    bool loadFile(const QString &path);
    QString errorString() const { return m_errorString; }
    /// Where the profiles came from, for messages.
    QString source() const { return m_source; }

    QStringList names() const;
    /// Every profile, in order (the probe watches all of a file's).
    QList<Match> matches() const;
    /// The first profile named exactly \a name, else the only one named so ignoring case.
    std::optional<Match> find(const QString &name) const;

private:
    QList<SavedConnection> m_profiles;
    QString m_source;
    QString m_errorString;
};
