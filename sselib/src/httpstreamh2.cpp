// HttpStream's HTTP/2 side: routing a request to a shared h2 connection (H2Pool), finding
// out by ALPN or prior knowledge whether the server speaks h2, and taking the response head
// and body from an H2Stream. The framing, decoding and finishing rules of httpstream.cpp
// apply unchanged: an HTTP/2 body is read like a close-delimited one that ends with its stream.

#include "h2connection.h"
#include "h2pool.h"
#include "httpstream.h"

#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslSocket>
#include <QTimer>

namespace Sse {

QByteArray HttpStream::originForm(const QUrl &url)
{
    const QByteArray target =
        url.toEncoded(QUrl::RemoveScheme | QUrl::RemoveAuthority | QUrl::RemoveFragment);
    return target.isEmpty() ? QByteArrayLiteral("/") : target;
}

QByteArray HttpStream::authority(const QUrl &url)
{
    QByteArray host = url.host(QUrl::FullyEncoded).toUtf8();
    if (host.contains(':'))
        host = '[' + host + ']';
    const int port = url.port();
    if (port >= 0 && port != (url.scheme() == QLatin1String("https") ? 443 : 80))
        host += ':' + QByteArray::number(port);
    return host;
}

// True when the request went to HTTP/2 (attached, or waiting for another request's answer);
// false: connect as usual (offering h2 when m_h2Probing).
bool HttpStream::routeHttp2()
{
    m_h2Probing = false;
    const bool tls = m_request.url.scheme() == QLatin1String("https");
    if (m_h2Declined || (tls && m_request.http1Only) || (!tls && !m_request.http2PriorKnowledge))
        return false;
    const Proxy &proxy = m_request.proxy;
    // Cleartext through an HTTP proxy goes as absolute-form HTTP/1.1 requests to the proxy.
    if (!tls && proxy.type == Proxy::Type::Http)
        return false;
    // Streams share a connection only when everything that shaped it is the same: the trust
    // settings, the client certificate and key, and the route (the proxy and its credentials).
    // A literal "\0insecure" would end at its NUL and add nothing, so each part is appended on
    // its own after a NUL separator.
    QByteArray shape;
    const auto part = [&shape](const QByteArray &bytes) {
        shape += '\0';
        shape += bytes;
    };
    if (tls) {
        part(m_request.caCertificatesPem);
        part(m_request.acceptedCertificatePem);
        part(m_request.allowInsecureTls ? QByteArrayLiteral("insecure") : QByteArray());
        for (const QSslCertificate &certificate : m_request.clientCertificateChain)
            part(certificate.toDer());
        if (!m_request.clientKey.isNull())
            part(m_request.clientKey.toDer());
    }
    if (!proxy.isNone()) {
        part(QByteArray::number(int(proxy.type)));
        part(proxy.host.toUtf8());
        part(QByteArray::number(proxy.port));
        part(proxy.user.toUtf8());
        part(proxy.password.toUtf8());
    }
    m_h2Key = H2Pool::key(m_request.url, shape, !tls);
    H2Connection *connection = nullptr;
    switch (H2Pool::forThread().route(m_h2Key, this, &connection)) {
    case H2Pool::Route::Attach:
        attachHttp2(connection);
        return true;
    case H2Pool::Route::Wait:
        return true;
    case H2Pool::Route::Probe:
        m_h2Probing = true;
        return false;
    }
    return false;
}

QList<QByteArray> HttpStream::alpnProtocols() const
{
    if (!m_h2Probing)
        return {};
    return {QByteArray(QSslConfiguration::ALPNProtocolHTTP2),
            QByteArray(QSslConfiguration::NextProtocolHttp1_1)};
}

// At connect: true when the socket became an HTTP/2 connection and this request a stream on it.
bool HttpStream::adoptHttp2Socket()
{
    if (!m_h2Probing || !m_socket)
        return false;
    m_h2Probing = false;
    auto *tlsSocket = qobject_cast<QSslSocket *>(m_socket);
    const bool h2 = tlsSocket ? tlsSocket->sslConfiguration().nextNegotiatedProtocol()
                                    == QSslConfiguration::ALPNProtocolHTTP2
                              : m_request.http2PriorKnowledge;
    H2Pool &pool = H2Pool::forThread();
    if (!h2) {
        m_h2Declined = true;
        pool.probeEndedWithHttp1(m_h2Key, this);
        return false;
    }
    QTcpSocket *socket = m_socket;
    m_socket = nullptr;
    socket->disconnect(this);
    auto *connection = new H2Connection(socket, tlsSocket != nullptr, tlsSocket == nullptr, &pool);
    attachHttp2(connection);
    pool.probeSucceeded(m_h2Key, connection, this);
    return true;
}

void HttpStream::attachHttp2(H2Connection *connection)
{
    m_encrypted = connection->encrypted();
    m_version = QByteArrayLiteral("HTTP/2");
    m_h2 = connection->openStream(m_request, this);
    connect(m_h2, &H2Stream::headReceived, this, &HttpStream::onReadyRead);
    connect(m_h2, &H2Stream::readyRead, this, &HttpStream::onReadyRead);
    connect(m_h2, &H2Stream::closed, this, &HttpStream::onHttp2Closed);
}

// The request that found out for this origin has its answer: join its h2 connection, go on
// with HTTP/1.1, or (it was lost before it knew) route again.
void HttpStream::resumeAfterProbe(H2Connection *connection, bool http1)
{
    if (m_aborted || m_h2 || m_socket)
        return;
    if (connection && connection->acceptsStreams()) {
        attachHttp2(connection);
        return;
    }
    m_h2Declined = http1;
    start(m_request);
}

bool HttpStream::takeHttp2Head()
{
    if (!m_h2->headDone())
        return false;
    m_status = m_h2->status();
    m_headers = m_h2->headers();
    m_reason.clear(); // HTTP/2 has no reason phrase
    if (!prepareBody()) {
        releaseHttp2();
        scheduleFinished();
        return false;
    }
    // HTTP/2 ends a body with its stream; a Content-Length is only a check.
    if (m_framing != Framing::None && m_framing != Framing::Length)
        m_framing = Framing::UntilClose;
    return true;
}

void HttpStream::onHttp2Closed()
{
    if (!m_h2 || m_aborted)
        return;
    m_disconnected = true;
    if (!m_headDone) {
        const Error error = m_h2->error() == Error::None ? Error::Closed : m_h2->error();
        setError(error, m_h2->errorString().isEmpty()
                            ? tr("The server ended the HTTP/2 stream without a response")
                            : m_h2->errorString());
        scheduleFinished();
        return;
    }
    // Bytes still buffered are handed out first; finished() comes when they are read.
    checkFinished();
    if (!m_finishScheduled && hasPendingBody())
        emit readyRead();
}

void HttpStream::releaseHttp2()
{
    if (m_h2Probing) {
        // Aborted before it knew: the requests waiting for this answer find out themselves.
        m_h2Probing = false;
        H2Pool::forThread().probeAbandoned(m_h2Key, this);
    }
    if (!m_h2)
        return;
    H2Stream *stream = std::exchange(m_h2, nullptr);
    stream->disconnect(this);
    stream->cancel();
    stream->deleteLater();
}

} // namespace Sse
