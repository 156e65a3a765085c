#pragma once

#include "sselib/profile.h"
#include "sselib/sseclient.h"

#include <QString>
#include <QStringList>

namespace Sse {

/// A stream described as a curl command line, as API consoles and browsers' "Copy as cURL"
/// write them, read into ClientOptions; and ClientOptions written back as such a command.
struct CurlCommand
{
    ClientOptions options;
    // curl options with no ClientOptions counterpart, for whoever runs the command.
    bool verbose = false;   ///< -v
    bool silent = false;    ///< -s
    bool showError = false; ///< -S
    bool followRedirects = false; ///< -L (redirects are always followed; kept for format())
    bool http2 = false;     ///< --http2
    bool http11 = false;    ///< --http1.1
    qint64 maxTimeMs = 0;   ///< -m: the whole run ends after this long; 0 = no limit

    /// Splits \a text into words as bash does: blanks separate words; '...' keeps everything;
    /// "..." keeps everything except \" \\ \$ \` and a line continuation; $'...' decodes the
    /// ANSI-C escapes (\n, \t, \xHH, \uHHHH, \nnn, ...); a backslash outside quotes takes the
    /// next character literally, and before a line break joins the lines; # starts a comment.
    /// Variables ($KEY) are not expanded. Returns false with \a error for an unclosed quote.
    static bool splitWords(const QString &text, QStringList *words, QString *error);

    /// Reads curl's arguments (the words after "curl"). Files named by --data @FILE,
    /// --cacert and --cert are resolved against \a directory when relative (the data and CA
    /// files are read now). Returns false with \a error naming an unknown option, a missing
    /// value or a bad one.
    static bool parseArguments(const QStringList &arguments, CurlCommand *command,
                               QString *error, const QString &directory = QString());

    /// A whole pasted command line ("curl 'https://…' -H 'accept: text/event-stream' …").
    static bool parse(const QString &commandLine, CurlCommand *command, QString *error);

    /// Whether \a text looks like a pasted curl command (its first word is curl).
    static bool looksLikeCommand(const QString &text);

    /// Splits curl's `--cert FILE[:PASSWORD]` (a colon escaped as "\:" belongs to the name).
    static void splitCertificate(const QString &value, QString *file, QByteArray *password);

    /// A curl command for \a options. With SecretHandling::Exclude, secret header values, the
    /// URL's credentials, the proxy password and the key passphrase are left out (shown as
    /// <redacted>). Options curl has no flag for (a CA given inline, reconnection) are left out.
    static QString format(const ClientOptions &options, SecretHandling secrets);
};

} // namespace Sse
