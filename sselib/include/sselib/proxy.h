#pragma once

#include <QProcessEnvironment>
#include <QString>
#include <QUrl>

namespace Sse {

/// A proxy a request goes through, or none.
struct Proxy
{
    enum class Type {
        None,
        Http,           ///< absolute-form requests for http://, a CONNECT tunnel for https://
        Socks5,         ///< SOCKS5, the target's name resolved here
        Socks5Hostname, ///< SOCKS5, the name resolved by the proxy (socks5h://)
    };
    Type type = Type::None;
    QString host;
    quint16 port = 0;
    QString user;     ///< percent-decoded
    QString password; ///< percent-decoded; never shown, logged or saved by this struct
    /// Where the choice came from: "connection" (the per-connection setting or --proxy), or the
    /// environment variable ("https_proxy", "ALL_PROXY", ...).
    QString source;

    bool isNone() const { return type == Type::None; }
    /// "http://user@127.0.0.1:8888": the scheme, the user and the address, never the password.
    QString displayUrl() const;
    /// "127.0.0.1:8888", for messages.
    QString address() const;
    bool operator==(const Proxy &other) const;
};

/// Parses a proxy URL as curl reads one: `http://[user[:password]@]host[:port]`, `socks5://`,
/// `socks5h://`, or `host[:port]` alone (HTTP); the port defaults to 1080. Returns false with
/// a message in \a error for anything else (an https:// proxy, a path, no host).
bool parseProxyUrl(const QString &text, Proxy *proxy, QString *error);

/// Whether \a host is excluded from proxying by \a list, curl's NO_PROXY syntax: names and IP
/// addresses separated by commas or spaces; a name matches itself and its subdomains
/// ("example.com" and ".example.com" both match "api.example.com"); "*" matches every host;
/// an IP address matches exactly, or a CIDR range ("10.0.0.0/8") the addresses in it.
bool noProxyMatches(const QString &list, const QString &host);

/// The proxy a request to \a url uses. \a configuredProxy (the connection's setting or
/// --proxy) comes first; otherwise the environment as curl reads it: `http_proxy` (lower case
/// only) for http://, `https_proxy` or `HTTPS_PROXY` for https://, then `all_proxy` or
/// `ALL_PROXY`. \a noProxy replaces the environment's `no_proxy`/`NO_PROXY` when it is not
/// empty; it applies to a configured proxy too. Unlike curl, loopback hosts (localhost,
/// 127.0.0.0/8, ::1) never use a proxy from the environment, so a CI machine's proxy variables
/// do not send local test traffic away. Returns a None proxy and sets \a error when the proxy
/// URL in force cannot be parsed.
Proxy proxyForUrl(const QUrl &url, const QString &configuredProxy, const QString &noProxy,
                  const QProcessEnvironment &environment, QString *error);

/// \a proxyUrl with its password removed (for settings, exports and logs).
QString proxyUrlWithoutPassword(const QString &proxyUrl);
/// The password in \a proxyUrl (percent-decoded), or an empty string.
QString proxyUrlPassword(const QString &proxyUrl);
/// \a proxyUrl with \a password put in (replacing one it has); unchanged when it has no user.
QString proxyUrlWithPassword(const QString &proxyUrl, const QString &password);

} // namespace Sse
