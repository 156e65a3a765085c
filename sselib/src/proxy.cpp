#include "sselib/proxy.h"

#include <QCoreApplication>
#include <QHostAddress>
#include <QRegularExpression>

namespace Sse {

namespace {

struct ProxyMessages
{
    Q_DECLARE_TR_FUNCTIONS(ProxyMessages)
};

constexpr quint16 DefaultProxyPort = 1080; // curl's default for every proxy scheme

QString schemeName(Proxy::Type type)
{
    switch (type) {
    case Proxy::Type::Http:
        return QStringLiteral("http");
    case Proxy::Type::Socks5:
        return QStringLiteral("socks5");
    case Proxy::Type::Socks5Hostname:
        return QStringLiteral("socks5h");
    case Proxy::Type::None:
        break;
    }
    return QString();
}

QUrl proxyUrl(const QString &text)
{
    const QString trimmed = text.trimmed();
    return QUrl(trimmed.contains(QLatin1String("://")) ? trimmed
                                                       : QStringLiteral("http://") + trimmed,
                QUrl::StrictMode);
}

bool isLoopback(const QString &host)
{
    const QString lower = host.toLower();
    if (lower == QLatin1String("localhost") || lower.endsWith(QLatin1String(".localhost")))
        return true;
    const QHostAddress address(host);
    return !address.isNull() && address.isLoopback();
}

QString environmentValue(const QProcessEnvironment &environment, const QString &name)
{
    return environment.value(name).trimmed();
}

} // namespace

QString Proxy::address() const
{
    const QString shownHost = host.contains(QLatin1Char(':')) ? QLatin1Char('[') + host
            + QLatin1Char(']')
                                                              : host;
    return shownHost + QLatin1Char(':') + QString::number(port);
}

QString Proxy::displayUrl() const
{
    if (isNone())
        return QString();
    QString url = schemeName(type) + QLatin1String("://");
    if (!user.isEmpty())
        url += QString::fromUtf8(QUrl::toPercentEncoding(user)) + QLatin1Char('@');
    return url + address();
}

bool Proxy::operator==(const Proxy &other) const
{
    return type == other.type && host == other.host && port == other.port && user == other.user
        && password == other.password && source == other.source;
}

bool parseProxyUrl(const QString &text, Proxy *proxy, QString *error)
{
    *proxy = Proxy();
    const QUrl url = proxyUrl(text);
    const QString scheme = url.scheme().toLower();
    Proxy result;
    if (scheme == QLatin1String("http"))
        result.type = Proxy::Type::Http;
    else if (scheme == QLatin1String("socks5"))
        result.type = Proxy::Type::Socks5;
    else if (scheme == QLatin1String("socks5h"))
        result.type = Proxy::Type::Socks5Hostname;
    if (!url.isValid() || url.host().isEmpty()) {
        *error = ProxyMessages::tr("the proxy \"%1\" is not a valid URL (expected "
                                   "http://host:port, socks5://host:port or socks5h://host:port)")
                     .arg(proxyUrlWithoutPassword(text));
        return false;
    }
    if (result.type == Proxy::Type::None) {
        *error = ProxyMessages::tr("the proxy scheme \"%1\" is not supported: use http, socks5 "
                                   "or socks5h")
                     .arg(url.scheme());
        return false;
    }
    if (!url.path().isEmpty() && url.path() != QLatin1String("/")) {
        *error = ProxyMessages::tr("a proxy URL has no path (\"%1\")").arg(url.path());
        return false;
    }
    result.host = url.host();
    result.port = quint16(url.port(DefaultProxyPort));
    result.user = url.userName(QUrl::FullyDecoded);
    result.password = url.password(QUrl::FullyDecoded);
    *proxy = result;
    return true;
}

bool noProxyMatches(const QString &list, const QString &host)
{
    QString name = host.toLower();
    if (name.startsWith(QLatin1Char('[')) && name.endsWith(QLatin1Char(']')))
        name = name.mid(1, name.size() - 2);
    while (name.endsWith(QLatin1Char('.')))
        name.chop(1);
    const QHostAddress address(name);
    static const QRegularExpression separators(QStringLiteral("[,\\s]+"));
    const QStringList entries = list.split(separators, Qt::SkipEmptyParts);
    for (QString entry : entries) {
        entry = entry.toLower();
        if (entry == QLatin1String("*"))
            return true;
        if (entry.startsWith(QLatin1String("*.")))
            entry.remove(0, 1);
        if (entry.startsWith(QLatin1Char('.')))
            entry.remove(0, 1);
        if (entry.startsWith(QLatin1Char('[')) && entry.endsWith(QLatin1Char(']')))
            entry = entry.mid(1, entry.size() - 2);
        while (entry.endsWith(QLatin1Char('.')))
            entry.chop(1);
        if (entry.isEmpty())
            continue;
        if (!address.isNull()) {
            if (entry.contains(QLatin1Char('/'))) {
                const QPair<QHostAddress, int> subnet = QHostAddress::parseSubnet(entry);
                if (!subnet.first.isNull() && address.isInSubnet(subnet))
                    return true;
                continue;
            }
            const QHostAddress entryAddress(entry);
            if (!entryAddress.isNull() && entryAddress.isEqual(address))
                return true;
            continue;
        }
        if (name == entry || name.endsWith(QLatin1Char('.') + entry))
            return true;
    }
    return false;
}

Proxy proxyForUrl(const QUrl &url, const QString &configuredProxy, const QString &noProxy,
                  const QProcessEnvironment &environment, QString *error)
{
    const QString host = url.host();
    const bool https = url.scheme() == QLatin1String("https");
    QString exclusions = noProxy.trimmed();
    QString text = configuredProxy.trimmed();
    QString source = QStringLiteral("connection");
    if (text.isEmpty()) {
        if (isLoopback(host))
            return Proxy();
        const QStringList names = https
            ? QStringList{QStringLiteral("https_proxy"), QStringLiteral("HTTPS_PROXY"),
                          QStringLiteral("all_proxy"), QStringLiteral("ALL_PROXY")}
            // curl reads http_proxy in lower case only: HTTP_PROXY can be set by a CGI request.
            : QStringList{QStringLiteral("http_proxy"), QStringLiteral("all_proxy"),
                          QStringLiteral("ALL_PROXY")};
        for (const QString &name : names) {
            text = environmentValue(environment, name);
            if (!text.isEmpty()) {
                source = name;
                break;
            }
        }
        if (text.isEmpty())
            return Proxy();
        if (exclusions.isEmpty()) {
            exclusions = environmentValue(environment, QStringLiteral("no_proxy"));
            if (exclusions.isEmpty())
                exclusions = environmentValue(environment, QStringLiteral("NO_PROXY"));
        }
    }
    if (!exclusions.isEmpty() && noProxyMatches(exclusions, host))
        return Proxy();
    Proxy proxy;
    QString parseError;
    if (!parseProxyUrl(text, &proxy, &parseError)) {
        if (error)
            *error = source == QLatin1String("connection")
                ? parseError
                : ProxyMessages::tr("%1 (from the environment variable %2)").arg(parseError, source);
        return Proxy();
    }
    proxy.source = source;
    return proxy;
}

QString proxyUrlWithoutPassword(const QString &proxyUrlText)
{
    const QUrl url = proxyUrl(proxyUrlText);
    if (!url.isValid() || url.password().isEmpty())
        return proxyUrlText.trimmed();
    const bool hadScheme = proxyUrlText.contains(QLatin1String("://"));
    QString text = url.toString(QUrl::RemovePassword | QUrl::FullyEncoded);
    if (!hadScheme && text.startsWith(QLatin1String("http://")))
        text.remove(0, 7);
    return text;
}

QString proxyUrlPassword(const QString &proxyUrlText)
{
    const QUrl url = proxyUrl(proxyUrlText);
    return url.isValid() ? url.password(QUrl::FullyDecoded) : QString();
}

QString proxyUrlWithPassword(const QString &proxyUrlText, const QString &password)
{
    QUrl url = proxyUrl(proxyUrlText);
    if (!url.isValid() || url.userName().isEmpty())
        return proxyUrlText.trimmed();
    url.setPassword(password, QUrl::DecodedMode);
    const bool hadScheme = proxyUrlText.contains(QLatin1String("://"));
    QString text = url.toString(QUrl::FullyEncoded);
    if (!hadScheme && text.startsWith(QLatin1String("http://")))
        text.remove(0, 7);
    return text;
}

} // namespace Sse
