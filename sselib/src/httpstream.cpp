#include "httpstream.h"

#include "h2connection.h"

#include <QCoreApplication>
#include <QNetworkProxy>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslError>
#include <QSslSocket>
#include <QTcpSocket>
#include <QTimer>

#include <zlib.h>

#include <cstring>

namespace Sse {

namespace {

struct StreamMessages
{
    Q_DECLARE_TR_FUNCTIONS(StreamMessages)
};

// Qt's socket buffer: once it holds this much unread, Qt stops reading and TCP's
// window closes, so the server slows down to what we read.
constexpr qint64 SocketBufferBytes = 1024 * 1024;
constexpr qint64 RawSliceBytes = 64 * 1024;
constexpr qsizetype MaximumChunkLineBytes = 4096;
constexpr qsizetype InflateInputBytes = 64 * 1024;
constexpr qsizetype MaximumTunnelHeadBytes = 16 * 1024;

QByteArray trimmed(QByteArrayView text)
{
    return text.trimmed().toByteArray();
}

bool equalsIgnoringCase(QByteArrayView a, QByteArrayView b)
{
    return a.compare(b, Qt::CaseInsensitive) == 0;
}

} // namespace

// zlib inflation of a gzip or deflate body, straight into the caller's buffer.
struct HttpStream::Inflater
{
    z_stream stream{};
    bool initialised = false;
    bool rawDeflate = false;  // "deflate" sent without the zlib wrapper, as some servers do
    bool producedAny = false;
    bool ended = false;       // Z_STREAM_END of the last member
    QByteArray input;

    bool init(bool raw)
    {
        if (initialised)
            inflateEnd(&stream);
        stream = z_stream{};
        rawDeflate = raw;
        // 15 + 32: a gzip or zlib header, detected; -15: raw deflate.
        initialised = inflateInit2(&stream, raw ? -15 : 15 + 32) == Z_OK;
        return initialised;
    }
    ~Inflater()
    {
        if (initialised)
            inflateEnd(&stream);
    }
};

HttpStream::HttpStream(QObject *parent) : QObject(parent) {}

// A server that wants a client certificate ends the handshake with a TLS alert, which Qt
// reports as a read error ("... tlsv13 alert certificate required"): say what it means.
QString HttpStream::tlsAlertMessage(const QString &socketError) const
{
    const qsizetype at = socketError.indexOf(QLatin1String("alert "));
    if (at < 0)
        return QString();
    const QString lower = socketError.toLower();
    const bool haveCertificate = !m_request.clientCertificateChain.isEmpty();
    if (!haveCertificate
        && (lower.contains(QLatin1String("certificate required"))
            || lower.contains(QLatin1String("handshake failure")))) {
        return StreamMessages::tr("TLS: the server requires a client certificate and none is "
                                  "set (%1)").arg(socketError.mid(at));
    }
    for (const char *rejection : {"unknown ca", "bad certificate", "certificate unknown",
                                  "unsupported certificate", "certificate revoked",
                                  "certificate expired", "access denied", "decrypt error"}) {
        if (haveCertificate && lower.contains(QLatin1String(rejection)))
            return StreamMessages::tr("TLS: the server rejected the client certificate (%1)")
                .arg(socketError.mid(at));
    }
    return StreamMessages::tr("TLS: the server ended the handshake (%1)").arg(socketError.mid(at));
}

HttpStream::~HttpStream()
{
    abort();
}

QByteArray HttpStream::header(QByteArrayView name) const
{
    for (const auto &field : m_headers) {
        if (equalsIgnoringCase(field.first, name))
            return field.second;
    }
    return QByteArray();
}

void HttpStream::start(const Request &request)
{
    m_request = request;
    if (routeHttp2())
        return;
    const QUrl &url = request.url;
    const bool tls = url.scheme() == QLatin1String("https");
    const quint16 port = quint16(url.port(tls ? 443 : 80));
    const Proxy &proxy = request.proxy;
    const bool httpProxy = proxy.type == Proxy::Type::Http;
    if (tls) {
        auto *socket = new QSslSocket(this);
        QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
        if (!request.caCertificatesPem.isEmpty())
            configuration.addCaCertificates(
                QSslCertificate::fromData(request.caCertificatesPem, QSsl::Pem));
        configuration.setAllowedNextProtocols(alpnProtocols());
        if (!request.clientCertificateChain.isEmpty()) {
            configuration.setLocalCertificateChain(request.clientCertificateChain);
            configuration.setPrivateKey(request.clientKey);
        }
        socket->setSslConfiguration(configuration);
        // Through a CONNECT tunnel the socket connects to the proxy, but the certificate
        // must name the origin.
        if (httpProxy)
            socket->setPeerVerifyName(url.host());
        connect(socket, &QSslSocket::sslErrors, this, [this, socket](const QList<QSslError> &errors) {
            if (m_request.allowInsecureTls) {
                socket->ignoreSslErrors();
                return;
            }
            QList<QSslError> acceptable;
            if (!m_request.acceptedCertificatePem.isEmpty()) {
                const QList<QSslCertificate> accepted =
                    QSslCertificate::fromData(m_request.acceptedCertificatePem, QSsl::Pem);
                for (const QSslError &error : errors) {
                    if (!accepted.isEmpty() && error.certificate() == accepted.first())
                        acceptable.append(error);
                }
            }
            if (!errors.isEmpty() && acceptable.size() == errors.size()) {
                socket->ignoreSslErrors(acceptable);
                return;
            }
            for (const QSslError &error : errors)
                m_sslErrors.append(error.errorString());
        });
        connect(socket, &QSslSocket::encrypted, this, [this] {
            m_encrypted = true;
            onConnected();
        });
        if (httpProxy)
            connect(socket, &QSslSocket::connected, this, &HttpStream::onTcpConnected);
        m_socket = socket;
    } else {
        m_socket = new QTcpSocket(this);
        connect(m_socket, &QTcpSocket::connected, this, &HttpStream::onConnected);
    }
    // The proxy is decided by the client (its options and the environment), never by Qt's
    // application proxy or system configuration.
    if (proxy.type == Proxy::Type::Socks5 || proxy.type == Proxy::Type::Socks5Hostname) {
        QNetworkProxy socks(QNetworkProxy::Socks5Proxy, proxy.host, proxy.port, proxy.user,
                            proxy.password);
        // socks5://: the name is resolved here and the proxy gets an address (curl's rule).
        if (proxy.type == Proxy::Type::Socks5)
            socks.setCapabilities(socks.capabilities() & ~QNetworkProxy::HostNameLookupCapability);
        m_socket->setProxy(socks);
    } else {
        m_socket->setProxy(QNetworkProxy::NoProxy);
    }
    m_socket->setReadBufferSize(SocketBufferBytes);
    connect(m_socket, &QTcpSocket::readyRead, this, &HttpStream::onReadyRead);
    connect(m_socket, &QTcpSocket::errorOccurred, this, &HttpStream::onSocketError);
    connect(m_socket, &QTcpSocket::disconnected, this, [this] {
        m_disconnected = true;
        onSocketError();
    });

    const QString host = url.host();
    if (httpProxy)
        m_socket->connectToHost(proxy.host, proxy.port);
    else if (tls)
        static_cast<QSslSocket *>(m_socket)->connectToHostEncrypted(host, port);
    else
        m_socket->connectToHost(host, port);
}

namespace {

QByteArray proxyAuthorization(const Proxy &proxy)
{
    if (proxy.user.isEmpty())
        return QByteArray();
    const QByteArray credentials = proxy.user.toUtf8() + ':' + proxy.password.toUtf8();
    return "Basic " + credentials.toBase64();
}

QByteArray hostAndPort(const QUrl &url)
{
    QByteArray host = url.host(QUrl::FullyEncoded).toUtf8();
    if (host.contains(':'))
        host = '[' + host + ']';
    return host + ':' + QByteArray::number(url.port(url.scheme() == QLatin1String("https") ? 443 : 80));
}

} // namespace

// Connected to an HTTP proxy for an https:// URL: ask it for a tunnel to the origin.
void HttpStream::onTcpConnected()
{
    const QByteArray authority = hostAndPort(m_request.url);
    QByteArray head = "CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n";
    const QByteArray credentials = proxyAuthorization(m_request.proxy);
    if (!credentials.isEmpty())
        head += "Proxy-Authorization: " + credentials + "\r\n";
    head += "\r\n";
    m_tunnelPending = true;
    m_socket->write(head);
}

// The proxy's answer to CONNECT; false while it is incomplete or when it refused.
bool HttpStream::readTunnelResponse()
{
    m_raw += m_socket->read(MaximumTunnelHeadBytes + 4 - m_raw.size());
    const qsizetype end = m_raw.indexOf("\r\n\r\n");
    const QString where = m_request.proxy.address();
    if (end < 0) {
        if (m_raw.size() > MaximumTunnelHeadBytes) {
            setError(Error::Proxy, StreamMessages::tr("proxy %1 sent an oversized answer to "
                                                      "CONNECT").arg(where));
            m_socket->abort();
            scheduleFinished();
        }
        return false;
    }
    const QByteArray statusLine = m_raw.left(m_raw.indexOf("\r\n"));
    m_raw.clear();
    m_rawPosition = 0;
    const QList<QByteArray> parts = statusLine.split(' ');
    bool ok = false;
    const int status = parts.size() >= 2 && parts.first().startsWith("HTTP/1.")
        ? parts.at(1).toInt(&ok)
        : 0;
    if (!ok || status < 200 || status > 299) {
        const QString answer = ok ? QStringLiteral("HTTP %1 %2").arg(status).arg(
                                   QString::fromLatin1(statusLine.mid(statusLine.indexOf(' ', 9) + 1)
                                                           .trimmed()))
                                  : QString::fromLatin1(statusLine.left(80));
        setError(Error::Proxy, StreamMessages::tr("proxy %1 refused the tunnel to %2: %3")
                                   .arg(where, QString::fromUtf8(hostAndPort(m_request.url)),
                                        answer.trimmed()));
        m_socket->abort();
        scheduleFinished();
        return false;
    }
    m_tunnelPending = false;
    static_cast<QSslSocket *>(m_socket)->startClientEncryption();
    return true;
}

void HttpStream::abort()
{
    m_aborted = true;
    releaseHttp2();
    if (m_socket) {
        QTcpSocket *socket = m_socket;
        m_socket = nullptr;
        socket->disconnect(this);
        socket->abort();
        socket->deleteLater();
    }
}

void HttpStream::onConnected()
{
    if (adoptHttp2Socket())
        return;
    const QUrl &url = m_request.url;
    QByteArray head;
    head.reserve(512 + m_request.body.size());
    const bool forwardProxy = m_request.proxy.type == Proxy::Type::Http && !m_encrypted;
    // Through an HTTP proxy (without a tunnel) the request names the whole URL.
    QByteArray target = forwardProxy ? url.toEncoded(QUrl::RemoveUserInfo | QUrl::RemoveFragment)
                                     : originForm(url);
    if (forwardProxy && url.path().isEmpty())
        target += '/';
    head += m_request.method + ' ' + target + " HTTP/1.1\r\n";
    const QByteArray host = authority(url);
    bool hasHost = false;
    for (const auto &field : std::as_const(m_request.headers))
        hasHost = hasHost || equalsIgnoringCase(field.first, "host");
    if (!hasHost)
        head += "Host: " + host + "\r\n";
    for (const auto &field : std::as_const(m_request.headers)) {
        if (equalsIgnoringCase(field.first, "content-length"))
            continue; // framing is ours
        head += field.first + ": " + field.second + "\r\n";
    }
    if (forwardProxy) {
        const QByteArray credentials = proxyAuthorization(m_request.proxy);
        if (!credentials.isEmpty())
            head += "Proxy-Authorization: " + credentials + "\r\n";
    }
    if (m_request.sendBody)
        head += "Content-Length: " + QByteArray::number(m_request.body.size()) + "\r\n";
    head += "\r\n";
    if (m_request.sendBody)
        head += m_request.body;
    m_socket->write(head);
}

void HttpStream::setError(Error error, const QString &message)
{
    if (m_error != Error::None)
        return;
    m_error = error;
    m_errorString = message;
}

bool HttpStream::socketGone() const
{
    if (m_h2)
        return m_h2->isClosed();
    return !m_socket || m_disconnected || m_socket->state() == QAbstractSocket::UnconnectedState;
}

void HttpStream::onSocketError()
{
    if (!m_socket)
        return;
    const QAbstractSocket::SocketError code = m_socket->error();
    if (!m_headDone && reportProxyError(code)) {
        scheduleFinished();
        return;
    }
    if (!m_headDone && m_request.url.scheme() == QLatin1String("https")) {
        if (const QString alert = tlsAlertMessage(m_socket->errorString()); !alert.isEmpty()) {
            setError(Error::Tls, alert);
            scheduleFinished();
            return;
        }
    }
    if (!m_headDone) {
        // Whatever came before the head is complete cannot be a response.
        if (code == QAbstractSocket::SslHandshakeFailedError || !m_sslErrors.isEmpty()) {
            setError(Error::Tls, m_sslErrors.isEmpty()
                                     ? QStringLiteral("TLS: ") + m_socket->errorString()
                                     : QStringLiteral("TLS: ") + m_sslErrors.join(QStringLiteral("; ")));
        } else if (code == QAbstractSocket::RemoteHostClosedError || m_disconnected) {
            onReadyRead(); // a head that ended with the connection
            if (m_headDone)
                return;
            setError(Error::Closed,
                     m_raw.isEmpty()
                         ? StreamMessages::tr("The server closed the connection without a response")
                         : StreamMessages::tr("The server closed the connection in the middle of "
                                              "the response head"));
        } else {
            const QString where = m_request.url.host() + QLatin1Char(':')
                + QString::number(m_request.url.port(
                    m_request.url.scheme() == QLatin1String("https") ? 443 : 80));
            if (code == QAbstractSocket::HostNotFoundError)
                setError(Error::Connect,
                         StreamMessages::tr("Host %1 not found").arg(m_request.url.host()));
            else if (code == QAbstractSocket::ConnectionRefusedError)
                setError(Error::Connect, StreamMessages::tr("Connection refused by %1").arg(where));
            else
                setError(Error::Connect, m_socket->errorString() + QStringLiteral(" (") + where
                                             + QLatin1Char(')'));
        }
        scheduleFinished();
        return;
    }
    if (m_socket->state() != QAbstractSocket::UnconnectedState && !m_disconnected
        && code != QAbstractSocket::RemoteHostClosedError) {
        // A socket error that leaves the connection up (none expected here): report it.
        setError(Error::Closed, m_socket->errorString());
    }
    m_disconnected = true;
    // Bytes still buffered are handed out first; finished() comes when they are read.
    checkFinished();
    if (!m_finishScheduled && hasPendingBody())
        emit readyRead();
}

// A failure of the proxy itself, before the response head: true when it was one.
bool HttpStream::reportProxyError(QAbstractSocket::SocketError code)
{
    const Proxy &proxy = m_request.proxy;
    if (proxy.isNone() || m_encrypted)
        return false;
    const QString where = proxy.address();
    const bool socks = proxy.type != Proxy::Type::Http;
    // Before the proxy has connected us anywhere, a refused or lost connection is its own.
    const bool toProxy = socks ? code >= QAbstractSocket::ProxyAuthenticationRequiredError
                                     && code <= QAbstractSocket::ProxyProtocolError
                               : m_tunnelPending || !m_socket->isValid()
                                     || m_socket->state() != QAbstractSocket::ConnectedState;
    if (!socks && code == QAbstractSocket::RemoteHostClosedError && m_tunnelPending) {
        setError(Error::Proxy, StreamMessages::tr("proxy %1 closed the connection instead of "
                                                  "answering CONNECT").arg(where));
        return true;
    }
    if (!toProxy)
        return false;
    switch (code) {
    case QAbstractSocket::ConnectionRefusedError:
    case QAbstractSocket::ProxyConnectionRefusedError:
        setError(Error::Connect, StreamMessages::tr("Connection refused by proxy %1").arg(where));
        return true;
    case QAbstractSocket::HostNotFoundError:
    case QAbstractSocket::ProxyNotFoundError:
        setError(Error::Connect, StreamMessages::tr("Proxy host %1 not found").arg(proxy.host));
        return true;
    case QAbstractSocket::ProxyAuthenticationRequiredError:
        if (proxy.user.isEmpty()) {
            setError(Error::Proxy,
                     StreamMessages::tr("proxy %1 asks for a user name and password: give them "
                                        "in the proxy URL (socks5://user:password@host:port)")
                         .arg(where));
            return true;
        }
        setError(Error::Proxy, StreamMessages::tr("proxy %1 refused the credentials: SOCKS5 "
                                                  "authentication failed").arg(where));
        return true;
    case QAbstractSocket::ProxyConnectionClosedError:
    case QAbstractSocket::ProxyConnectionTimeoutError:
    case QAbstractSocket::ProxyProtocolError:
        setError(Error::Proxy, StreamMessages::tr("proxy %1 failed: %2")
                                   .arg(where, m_socket->errorString()));
        return true;
    default:
        break;
    }
    return false;
}

void HttpStream::onReadyRead()
{
    if ((!m_socket && !m_h2) || m_aborted)
        return;
    if (m_tunnelPending) {
        if (!readTunnelResponse())
            return;
    }
    if (!m_headDone) {
        if (!parseHead())
            return;
        if (m_aborted || m_finishScheduled)
            return;
        emit headReceived();
        if (m_aborted || (!m_socket && !m_h2))
            return;
        if (m_framing == Framing::None) {
            m_bodyDone = true;
            checkFinished();
            return;
        }
    }
    if (hasPendingBody())
        emit readyRead();
    else
        checkFinished();
}

// Reads the head into m_raw until its blank line; false while it is incomplete (or failed).
bool HttpStream::parseHead()
{
    if (m_h2)
        return takeHttp2Head();
    auto giveUp = [this] {
        if (m_socket)
            m_socket->abort();
        scheduleFinished();
        return false;
    };
    for (;;) {
        const qint64 available = m_socket ? m_socket->bytesAvailable() : 0;
        const qint64 room = MaximumHeadBytes + 4 - (m_raw.size() - m_rawPosition);
        if (available > 0 && room > 0) {
            const qsizetype old = m_raw.size();
            const qint64 want = qMin(available, room);
            m_raw.resize(old + want);
            const qint64 got = m_socket->read(m_raw.data() + old, want);
            m_raw.resize(old + qMax<qint64>(got, 0));
        }
        // The end of the head: CRLF CRLF, or bare LF LF as lenient parsers accept.
        const char *begin = m_raw.constData() + m_rawPosition;
        const qsizetype size = m_raw.size() - m_rawPosition;
        qsizetype end = -1;
        qsizetype next = -1;
        for (qsizetype i = 0; i < size; ++i) {
            if (begin[i] != '\n')
                continue;
            if (i + 1 < size && begin[i + 1] == '\n') {
                end = i;
                next = i + 2;
                break;
            }
            if (i + 2 < size && begin[i + 1] == '\r' && begin[i + 2] == '\n') {
                end = i;
                next = i + 3;
                break;
            }
        }
        if (end < 0) {
            if (size <= MaximumHeadBytes)
                return false;
            setError(Error::HeadTooLarge,
                     StreamMessages::tr("The response head is larger than %1 KiB: the server "
                                        "sent more header data than a client accepts")
                         .arg(MaximumHeadBytes / 1024));
            return giveUp();
        }
        if (!parseHeadBlock(m_rawPosition + end, m_rawPosition + next))
            return giveUp();
        if (m_headDone)
            return true;
        // An interim 1xx response: its head is skipped, the final one follows.
    }
}

// Parses the head in m_raw[m_rawPosition, end) and moves past it to next.
bool HttpStream::parseHeadBlock(qsizetype end, qsizetype next)
{
    const QByteArrayView block(m_raw.constData() + m_rawPosition, end - m_rawPosition);
    m_headers.clear();
    qsizetype lineStart = 0;
    bool first = true;
    while (lineStart <= block.size()) {
        qsizetype lineEnd = block.indexOf('\n', lineStart);
        if (lineEnd < 0)
            lineEnd = block.size();
        QByteArrayView line = block.sliced(lineStart, lineEnd - lineStart);
        if (line.endsWith('\r'))
            line.chop(1);
        lineStart = lineEnd + 1;
        if (first) {
            first = false;
            // HTTP/1.1 200 OK
            if (!line.startsWith("HTTP/1.") || line.size() < 12 || line[8] != ' ') {
                setError(Error::Protocol,
                         StreamMessages::tr("The server did not answer with HTTP/1.x (its first "
                                            "line: \"%1\")")
                             .arg(QString::fromLatin1(line.first(qMin<qsizetype>(80, line.size())).toByteArray())));
                return false;
            }
            m_version = line.first(8).toByteArray();
            bool ok = false;
            m_status = line.sliced(9, 3).toInt(&ok);
            if (!ok || m_status < 100 || m_status > 999) {
                setError(Error::Protocol, StreamMessages::tr("The response has no valid status code"));
                return false;
            }
            m_reason = line.size() > 13 ? trimmed(line.sliced(13)) : QByteArray();
            continue;
        }
        if (line.isEmpty())
            continue;
        if ((line[0] == ' ' || line[0] == '\t') && !m_headers.isEmpty()) {
            // Obsolete line folding: joined with a space, as RFC 9112 allows.
            m_headers.last().second += ' ' + trimmed(line);
            continue;
        }
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0) {
            setError(Error::Protocol, StreamMessages::tr("The response head has a malformed line"));
            return false;
        }
        if (m_headers.size() >= MaximumHeaderFields) {
            setError(Error::HeadTooLarge,
                     StreamMessages::tr("The response head has more than %1 header fields: the "
                                        "server sent more than a client accepts")
                         .arg(MaximumHeaderFields));
            return false;
        }
        m_headers.append(qMakePair(trimmed(line.first(colon)), trimmed(line.sliced(colon + 1))));
    }
    m_rawPosition = next;
    if (m_status >= 100 && m_status < 200 && m_status != 101)
        return true; // interim response: wait for the final one

    if (m_status == 407 && m_request.proxy.type == Proxy::Type::Http && !m_encrypted) {
        setError(Error::Proxy, StreamMessages::tr("proxy %1 wants other credentials: HTTP 407 %2")
                                   .arg(m_request.proxy.address(), QString::fromLatin1(m_reason)));
        return false;
    }
    return prepareBody();
}

// Framing and content coding of the body, from the final head's fields.
bool HttpStream::prepareBody()
{
    m_headDone = true;
    const bool noBody = m_request.method == "HEAD" || m_status == 204 || m_status == 304
        || (m_status >= 100 && m_status < 200);
    const QByteArray transferEncoding = header("Transfer-Encoding").toLower();
    const QByteArray contentLength = header("Content-Length");
    if (noBody) {
        m_framing = Framing::None;
    } else if (!transferEncoding.isEmpty()) {
        m_framing = transferEncoding.trimmed().endsWith("chunked") ? Framing::Chunked
                                                                   : Framing::UntilClose;
    } else if (!contentLength.isEmpty()) {
        bool ok = false;
        m_remaining = contentLength.split(',').constFirst().trimmed().toLongLong(&ok);
        if (!ok || m_remaining < 0) {
            setError(Error::Protocol, StreamMessages::tr("The response has an invalid Content-Length"));
            return false;
        }
        m_framing = Framing::Length;
    } else {
        m_framing = Framing::UntilClose;
    }
    const QByteArray coding = header("Content-Encoding").trimmed().toLower();
    if (m_framing != Framing::None && !coding.isEmpty() && coding != "identity"
        && m_request.decodeContent) {
        if (coding == "gzip" || coding == "x-gzip" || coding == "deflate") {
            m_inflater = std::make_unique<Inflater>();
            m_inflater->init(false);
        } else {
            setError(Error::Decoding,
                     StreamMessages::tr("The response uses the content encoding \"%1\", which "
                                        "the client cannot decode")
                         .arg(QString::fromLatin1(coding)));
            return false;
        }
    }
    return true;
}

bool HttpStream::hasPendingBody() const
{
    if (!m_headDone || m_finished)
        return false;
    if (bufferedRaw())
        return true;
    if (m_inflater && (m_inflater->stream.avail_in > 0))
        return true;
    if (m_h2)
        return m_h2->bytesAvailable() > 0;
    return m_socket && m_socket->bytesAvailable() > 0;
}

qint64 HttpStream::takeRaw(char *data, qint64 maximum)
{
    if (bufferedRaw()) {
        const qint64 n = qMin<qint64>(maximum, m_raw.size() - m_rawPosition);
        std::memcpy(data, m_raw.constData() + m_rawPosition, size_t(n));
        m_rawPosition += n;
        if (m_rawPosition == m_raw.size()) {
            m_raw.resize(0);
            m_rawPosition = 0;
        }
        return n;
    }
    if (m_h2)
        return m_h2->read(data, maximum);
    if (!m_socket)
        return 0;
    const qint64 got = m_socket->read(data, maximum);
    return qMax<qint64>(got, 0);
}

// One CRLF- or LF-terminated line of chunked framing; false until it is complete.
bool HttpStream::takeLine(QByteArray *line)
{
    for (;;) {
        if (!bufferedRaw()) {
            if (!m_socket || m_socket->bytesAvailable() <= 0)
                return false;
            m_raw.resize(RawSliceBytes);
            const qint64 got = m_socket->read(m_raw.data(), RawSliceBytes);
            m_raw.resize(qMax<qint64>(got, 0));
            m_rawPosition = 0;
            if (got <= 0)
                return false;
        }
        const char *begin = m_raw.constData() + m_rawPosition;
        const qsizetype size = m_raw.size() - m_rawPosition;
        const void *newline = std::memchr(begin, '\n', size_t(size));
        const qsizetype take = newline ? static_cast<const char *>(newline) - begin + 1 : size;
        m_line.append(begin, take);
        m_rawPosition += take;
        if (m_line.size() > MaximumChunkLineBytes) {
            setError(Error::Protocol, StreamMessages::tr("The chunked response has a malformed "
                                                         "chunk header"));
            return false;
        }
        if (newline) {
            *line = m_line;
            m_line.clear();
            line->chop(line->endsWith("\r\n") ? 2 : 1);
            return true;
        }
    }
}

// Body bytes with the transfer framing removed (still content-encoded).
qint64 HttpStream::readFramed(char *data, qint64 maximum)
{
    qint64 produced = 0;
    while (produced < maximum && !m_bodyDone && m_error == Error::None) {
        switch (m_framing) {
        case Framing::None:
            m_bodyDone = true;
            break;
        case Framing::Length: {
            if (m_remaining == 0) {
                m_bodyDone = true;
                break;
            }
            const qint64 n = takeRaw(data + produced, qMin(maximum - produced, m_remaining));
            if (n <= 0)
                return produced;
            m_remaining -= n;
            produced += n;
            break;
        }
        case Framing::UntilClose: {
            const qint64 n = takeRaw(data + produced, maximum - produced);
            if (n <= 0)
                return produced;
            produced += n;
            break;
        }
        case Framing::Chunked: {
            QByteArray line;
            switch (m_chunkState) {
            case ChunkState::Size: {
                if (!takeLine(&line))
                    return produced;
                const qsizetype semicolon = line.indexOf(';');
                bool ok = false;
                const QByteArray digits = (semicolon < 0 ? line : line.left(semicolon)).trimmed();
                m_remaining = digits.toLongLong(&ok, 16);
                if (!ok || m_remaining < 0 || digits.isEmpty()) {
                    setError(Error::Protocol, StreamMessages::tr("The chunked response has a "
                                                                 "malformed chunk header"));
                    return produced;
                }
                m_chunkState = m_remaining == 0 ? ChunkState::Trailer : ChunkState::Data;
                break;
            }
            case ChunkState::Data: {
                const qint64 n = takeRaw(data + produced, qMin(maximum - produced, m_remaining));
                if (n <= 0)
                    return produced;
                m_remaining -= n;
                produced += n;
                if (m_remaining == 0)
                    m_chunkState = ChunkState::DataEnd;
                break;
            }
            case ChunkState::DataEnd:
                if (!takeLine(&line))
                    return produced;
                m_chunkState = ChunkState::Size;
                break;
            case ChunkState::Trailer:
                if (!takeLine(&line))
                    return produced;
                if (line.isEmpty()) {
                    m_chunkState = ChunkState::Done;
                    m_bodyDone = true;
                }
                break;
            case ChunkState::Done:
                m_bodyDone = true;
                break;
            }
            break;
        }
        }
    }
    return produced;
}

qint64 HttpStream::readInflated(char *data, qint64 maximum)
{
    Inflater &inflater = *m_inflater;
    qint64 produced = 0;
    while (produced < maximum && !inflater.ended && m_error == Error::None) {
        if (inflater.stream.avail_in == 0) {
            inflater.input.resize(InflateInputBytes);
            const qint64 got = readFramed(inflater.input.data(), InflateInputBytes);
            if (got <= 0)
                break;
            inflater.input.resize(got);
            inflater.stream.next_in = reinterpret_cast<Bytef *>(inflater.input.data());
            inflater.stream.avail_in = uInt(got);
        }
        inflater.stream.next_out = reinterpret_cast<Bytef *>(data + produced);
        inflater.stream.avail_out = uInt(qMin<qint64>(maximum - produced, 1 << 30));
        const uInt before = inflater.stream.avail_out;
        const int result = inflate(&inflater.stream, Z_NO_FLUSH);
        const qint64 out = qint64(before - inflater.stream.avail_out);
        produced += out;
        if (out > 0)
            inflater.producedAny = true;
        if (result == Z_STREAM_END) {
            // Another gzip member may follow (concatenated members are one body).
            if (inflater.stream.avail_in > 0 || hasPendingBody()) {
                inflateReset(&inflater.stream);
            } else {
                inflater.ended = true;
            }
        } else if (result == Z_DATA_ERROR && !inflater.producedAny && !inflater.rawDeflate
                   && header("Content-Encoding").trimmed().toLower() == "deflate") {
            // "deflate" without its zlib wrapper: start again as raw deflate.
            const QByteArray input = QByteArray(reinterpret_cast<const char *>(
                                                    inflater.input.constData()),
                                                inflater.input.size());
            inflater.init(true);
            inflater.input = input;
            inflater.stream.next_in = reinterpret_cast<Bytef *>(inflater.input.data());
            inflater.stream.avail_in = uInt(inflater.input.size());
        } else if (result != Z_OK && result != Z_BUF_ERROR) {
            setError(Error::Decoding, StreamMessages::tr("The compressed response body is "
                                                         "corrupt (%1)")
                                          .arg(QString::fromLatin1(inflater.stream.msg
                                                                       ? inflater.stream.msg
                                                                       : "zlib")));
            break;
        } else if (out == 0 && inflater.stream.avail_in > 0) {
            break; // needs more output room than 0 bytes: cannot happen; stay safe
        }
    }
    if (inflater.ended)
        m_bodyDone = true;
    return produced;
}

qint64 HttpStream::read(char *data, qint64 maximum)
{
    if (!m_headDone || m_finished || maximum <= 0)
        return 0;
    const qint64 produced = m_inflater ? readInflated(data, maximum) : readFramed(data, maximum);
    if (produced == 0 || m_bodyDone || m_error != Error::None)
        checkFinished();
    return produced;
}

void HttpStream::checkFinished()
{
    if (m_finishScheduled || !m_headDone)
        return;
    if (m_error != Error::None) {
        scheduleFinished();
        return;
    }
    if (m_bodyDone) {
        scheduleFinished();
        return;
    }
    if (!socketGone() || hasPendingBody())
        return;
    // The connection is gone and every byte is read.
    if (m_h2 && m_h2->error() != Error::None)
        setError(m_h2->error(), m_h2->errorString());
    if (m_framing == Framing::Length && m_remaining > 0)
        setError(Error::Closed, StreamMessages::tr("The connection closed %1 bytes before the "
                                                   "end of the response")
                                    .arg(m_remaining));
    else if (m_framing == Framing::Chunked)
        setError(Error::Closed, StreamMessages::tr("The connection closed before the last chunk "
                                                   "of the response"));
    m_bodyDone = true;
    scheduleFinished();
}

void HttpStream::scheduleFinished()
{
    if (m_finishScheduled)
        return;
    m_finishScheduled = true;
    // Never from inside read() or a socket signal: the caller may be in the middle of its
    // own loop over the body.
    QTimer::singleShot(0, this, [this] {
        if (m_aborted)
            return;
        m_finished = true;
        releaseHttp2();
        if (m_socket) {
            QTcpSocket *socket = m_socket;
            m_socket = nullptr;
            socket->disconnect(this);
            socket->abort();
            socket->deleteLater();
        }
        emit finished();
    });
}

} // namespace Sse
