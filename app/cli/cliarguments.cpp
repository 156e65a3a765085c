#include "cliarguments.h"

#include "sselib/curlcommand.h"
#include "sselib/profile.h"
#include "sselib/proxy.h"
#include "sselib/sseclient.h"

#include <QCommandLineParser>

#include <QFile>
#include <QFileInfo>

#include <cmath>

namespace CliArguments {

QString parseHeader(const QString &text, QPair<QByteArray, QByteArray> *header)
{
    const qsizetype colon = text.indexOf(QLatin1Char(':'));
    if (colon <= 0 || text.left(colon).trimmed().isEmpty())
        return QStringLiteral("header must look like 'Name: value': ") + text;
    const QByteArray bytes = text.toUtf8();
    if (Sse::hasLineBreakOrNul(bytes)) {
        QString name = text.left(colon);
        name.replace(QLatin1Char('\r'), QLatin1String("\\r"))
            .replace(QLatin1Char('\n'), QLatin1String("\\n"));
        return QStringLiteral("-H '%1: …' holds a line break (CR or LF) or NUL, which would "
                              "start another header line")
            .arg(name.left(80));
    }
    Sse::ClientOptions check;
    check.method.clear();
    check.headers.append({text.left(colon).trimmed().toUtf8(), text.mid(colon + 1).trimmed().toUtf8()});
    const QString error = Sse::requestFieldsError(check);
    if (!error.isEmpty())
        return QStringLiteral("-H: ") + error;
    *header = check.headers.first();
    return QString();
}

QString parseHeaders(const QStringList &texts, QList<Header> *headers)
{
    for (const QString &text : texts) {
        Header header;
        const QString error = parseHeader(text, &header);
        if (!error.isEmpty())
            return error;
        headers->append(header);
    }
    return QString();
}

void setHeader(QList<Header> *headers, const Header &header)
{
    headers->removeIf([&](const Header &existing) {
        return existing.first.compare(header.first, Qt::CaseInsensitive) == 0;
    });
    headers->append(header);
}

bool parseInteger(const QString &text, qint64 minimum, qint64 maximum, qint64 *value)
{
    bool ok = false;
    const qint64 number = text.trimmed().toLongLong(&ok);
    if (!ok || number < minimum || number > maximum)
        return false;
    *value = number;
    return true;
}

bool parseSeconds(const QString &text, double minimum, double maximum, qint64 *milliseconds)
{
    bool ok = false;
    const double seconds = text.toDouble(&ok);
    // NaN fails both comparisons, so it is refused with the out-of-range values.
    if (!ok || !(seconds >= minimum && seconds <= maximum))
        return false;
    *milliseconds = qint64(std::llround(seconds * 1000));
    return true;
}

QString readBodyFile(const QString &path, QByteArray *body)
{
    static const QString tooLarge =
        QStringLiteral("--data-file %1 is larger than 64 MiB, the largest request body");
    const QFileInfo info(path);
    if (info.isFile() && info.size() > MaximumBodyBytes)
        return tooLarge.arg(path);
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
    // A device or pipe has no size: read one byte past the bound to tell whether it ends.
    QByteArray bytes = file.read(MaximumBodyBytes + 1);
    if (file.error() != QFileDevice::NoError)
        return QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
    if (bytes.size() > MaximumBodyBytes)
        return tooLarge.arg(path);
    *body = std::move(bytes);
    return QString();
}

QString parseUrl(const QStringList &positional, QUrl *url)
{
    if (positional.size() != 1)
        return QStringLiteral("expected exactly one URL");
    *url = QUrl::fromUserInput(positional.first());
    if (!url->isValid())
        return QStringLiteral("invalid URL: ") + positional.first();
    return QString();
}

bool parseListen(const QString &text, QHostAddress *address, quint16 *port)
{
    QString host = QStringLiteral("127.0.0.1");
    QString portText = text;
    const qsizetype colon = text.lastIndexOf(QLatin1Char(':'));
    if (colon >= 0) {
        host = text.left(colon);
        portText = text.mid(colon + 1);
        if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
            host = host.mid(1, host.size() - 2);
    }
    bool ok = false;
    const uint number = portText.toUInt(&ok);
    if (!ok || number > 65535)
        return false;
    *port = quint16(number);
    if (host == QLatin1String("localhost"))
        host = QStringLiteral("127.0.0.1");
    return address->setAddress(host);
}

QString parseFilter(const QString &text, Sse::FilterExpression *filter)
{
    *filter = Sse::FilterExpression::parse(text);
    if (filter->isValid())
        return QString();
    return QStringLiteral("--filter: ") + filter->errorString();
}

TransportOptions::TransportOptions()
    : m_insecure(QStringLiteral("insecure"), QStringLiteral("Accept any TLS certificate."))
    , m_http11(QStringLiteral("http1.1"),
               QStringLiteral("Use HTTP/1.1 only (https: no h2 in ALPN)."))
    , m_priorKnowledge(QStringLiteral("http2-prior-knowledge"),
                       QStringLiteral("Speak HTTP/2 at once over http:// (cleartext h2c)."))
    , m_proxy(QStringLiteral("proxy"),
              QStringLiteral("Connect through PROXY: http://[user:password@]host:port, "
                             "socks5://host:port or socks5h://host:port; \"\" for none. Default: "
                             "http_proxy, https_proxy, ALL_PROXY as curl reads them."),
              QStringLiteral("URL"))
    , m_noProxy(QStringLiteral("noproxy"),
                QStringLiteral("Hosts reached without a proxy (comma-separated names, domains, "
                               "IPs, CIDR; '*' for all); replaces NO_PROXY."),
                QStringLiteral("LIST"))
    , m_cert(QStringLiteral("cert"),
             QStringLiteral("Client certificate (mutual TLS), PEM or PKCS#12, with the key's "
                            "password after a colon."),
             QStringLiteral("FILE[:PASSWORD]"))
    , m_key(QStringLiteral("key"), QStringLiteral("Private key (PEM) of --cert."),
            QStringLiteral("FILE"))
    , m_certType(QStringLiteral("cert-type"), QStringLiteral("PEM (default) or P12."),
                 QStringLiteral("TYPE"))
    , m_caCert(QStringLiteral("cacert"),
               QStringLiteral("Also trust the CA certificates in FILE (PEM)."),
               QStringLiteral("FILE"))
{
}

void TransportOptions::addTo(QCommandLineParser &parser) const
{
    parser.addOptions({m_insecure, m_http11, m_priorKnowledge, m_proxy, m_noProxy, m_cert, m_key,
                       m_certType, m_caCert});
}

QString TransportOptions::apply(const QCommandLineParser &parser, Sse::ClientOptions *options) const
{
    if (parser.isSet(m_insecure))
        options->allowInsecureTls = true;
    if (parser.isSet(m_http11) && parser.isSet(m_priorKnowledge))
        return QStringLiteral("--http1.1 and --http2-prior-knowledge exclude each other");
    if (parser.isSet(m_http11))
        options->http1Only = true;
    if (parser.isSet(m_priorKnowledge))
        options->http2PriorKnowledge = true;
    if (parser.isSet(m_proxy)) {
        const QString text = parser.value(m_proxy);
        Sse::Proxy proxy;
        QString error;
        if (text.isEmpty())
            options->noProxy = QStringLiteral("*");
        else if (!Sse::parseProxyUrl(text, &proxy, &error))
            return QStringLiteral("--proxy: ") + error;
        options->proxy = text;
    }
    if (parser.isSet(m_noProxy))
        options->noProxy = parser.value(m_noProxy);
    if (parser.isSet(m_cert))
        Sse::CurlCommand::splitCertificate(parser.value(m_cert), &options->clientCertificateFile,
                                           &options->clientKeyPassphrase);
    if (parser.isSet(m_key))
        options->clientKeyFile = parser.value(m_key);
    if (parser.isSet(m_certType)) {
        const QString type = parser.value(m_certType).toUpper();
        if (type != QLatin1String("PEM") && type != QLatin1String("P12"))
            return QStringLiteral("--cert-type takes PEM or P12");
        options->clientCertificateType = type == QLatin1String("P12")
                ? Sse::CertificateType::Pkcs12
                : Sse::CertificateType::Pem;
    }
    if (parser.isSet(m_caCert)) {
        QFile file(parser.value(m_caCert));
        if (!file.open(QIODevice::ReadOnly))
            return QStringLiteral("--cacert: cannot read %1: %2")
                    .arg(file.fileName(), file.errorString());
        options->caCertificatesPem += file.read(1024 * 1024);
    }
    return {};
}

} // namespace CliArguments
