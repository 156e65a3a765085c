#include "sselib/reverseproxy.h"

#include "httpstream.h"

#include "sselib/sseparser.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include <QScopeGuard>

#include <algorithm>
#include <cstring>

#include <zlib.h>

Q_LOGGING_CATEGORY(lcReverseProxy, "sse.reverseproxy")

namespace Sse {

namespace {

// The proxy's messages for people (ProxyExchange::error, the 502 body).
struct ProxyMessages
{
    Q_DECLARE_TR_FUNCTIONS(ProxyMessages)
};

constexpr qsizetype MaximumRequestHeadBytes = 64 * 1024;
// Body bytes read from the upstream at a time, and the client backlog past which reading
// pauses until the client has taken some (bytesWritten()).
constexpr qint64 ReadSliceBytes = 256 * 1024;
constexpr qint64 MaximumClientBacklog = 1024 * 1024;
constexpr qsizetype InflateSliceBytes = 1024 * 1024;

bool sameName(QByteArrayView a, QByteArrayView b)
{
    return a.compare(b, Qt::CaseInsensitive) == 0;
}

QByteArray fieldValue(const ProxyExchange::Headers &headers, QByteArrayView name)
{
    for (const auto &field : headers) {
        if (sameName(field.first, name))
            return field.second;
    }
    return {};
}

// Whether the comma-separated \a tokens hold \a token (case-insensitive).
bool hasToken(const QByteArray &tokens, QByteArrayView token)
{
    for (const QByteArray &item : tokens.split(',')) {
        if (sameName(item.trimmed(), token))
            return true;
    }
    return false;
}

// The Connection values of \a headers joined, for isHopByHopHeader().
QByteArray connectionTokens(const ProxyExchange::Headers &headers)
{
    QByteArray tokens;
    for (const auto &field : headers) {
        if (sameName(field.first, "connection"))
            tokens += field.second + ',';
    }
    return tokens;
}

// Inflates a copy of a gzip or deflate body for the parser; the wire bytes are not touched.
class BodyInflater
{
public:
    BodyInflater() = default;
    ~BodyInflater()
    {
        if (m_ready)
            inflateEnd(&m_stream);
    }
    Q_DISABLE_COPY(BodyInflater)

    bool start()
    {
        // 15 + 32: gzip or zlib wrapper, detected from the first bytes.
        m_ready = inflateInit2(&m_stream, 15 + 32) == Z_OK;
        return m_ready;
    }
    // Appends what \a size bytes of \a input inflate to; false once the stream is corrupt.
    bool inflateInto(const char *input, qsizetype size, QByteArray &out)
    {
        if (!m_ready || m_failed)
            return false;
        m_stream.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(input));
        m_stream.avail_in = uInt(size);
        while (m_stream.avail_in > 0) {
            const qsizetype old = out.size();
            out.resize(old + InflateSliceBytes);
            m_stream.next_out = reinterpret_cast<Bytef *>(out.data() + old);
            m_stream.avail_out = uInt(InflateSliceBytes);
            const int result = inflate(&m_stream, Z_NO_FLUSH);
            out.resize(out.size() - qsizetype(m_stream.avail_out));
            if (result == Z_STREAM_END) {
                inflateReset(&m_stream); // concatenated members make one body
            } else if (result != Z_OK && result != Z_BUF_ERROR) {
                m_failed = true;
                return false;
            }
        }
        return true;
    }

private:
    z_stream m_stream {};
    bool m_ready = false;
    bool m_failed = false;
};

} // namespace

bool isHopByHopHeader(QByteArrayView name, QByteArrayView connectionValue)
{
    static const char *const fixed[] = {"connection", "keep-alive",        "proxy-connection",
                                        "te",         "transfer-encoding", "upgrade"};
    for (const char *field : fixed) {
        if (sameName(name, field))
            return true;
    }
    for (const QByteArrayView token : QByteArray(connectionValue.toByteArray()).split(',')) {
        if (!token.trimmed().isEmpty() && sameName(name, token.trimmed()))
            return true;
    }
    return false;
}

QString ProxyExchange::name() const
{
    const qsizetype query = target.indexOf('?');
    return QString::fromUtf8(method) + QLatin1Char(' ')
        + QString::fromUtf8(query < 0 ? target : target.left(query)) + QStringLiteral(" #")
        + QString::number(number);
}

class ReverseProxy::Private
{
public:
    QTcpServer server;
    ReverseProxyOptions options;
    quint64 nextNumber = 1;
    int active = 0; // connections with a request or an exchange under way
    int connections = 0; // every accepted client socket not closed yet (the cap counts these)
    // Kept-alive connections between two requests, the longest idle first: at the cap, a new
    // client takes the place of the first quiet one (makeRoom()).
    QList<Connection *> idle;
};

// One client connection and the single exchange it carries. Owns the client socket and the
// upstream stream; deletes itself once both are done.
class ReverseProxy::Connection : public QObject
{
public:
    Connection(ReverseProxy *proxy, QTcpSocket *client)
        : QObject(proxy)
        , m_proxy(proxy)
        , m_client(client)
    {
        client->setParent(this);
        // Events are small writes: no Nagle delay between them.
        client->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        ++m_proxy->d->active;
        ++m_proxy->d->connections;
        m_requestTimer.setSingleShot(true);
        connect(&m_requestTimer, &QTimer::timeout, this, [this] {
            // A kept-alive connection that stays quiet is closed without a word (RFC 9112
            // §9.5: a client must be ready for that); a request begun and not finished is not.
            if (m_idle && m_in.isEmpty()) {
                m_client->disconnectFromHost();
                return;
            }
            reject(408, "Request Timeout",
                   QT_TRANSLATE_NOOP("ProxyMessages", "the request did not arrive in time"));
        });
        m_requestTimer.start(m_proxy->d->options.requestTimeoutMs);
        connect(client, &QTcpSocket::readyRead, this, &Connection::readRequest);
        connect(client, &QTcpSocket::bytesWritten, this, [this] {
            if (m_upstream && m_client->bytesToWrite() < MaximumClientBacklog / 2)
                pump();
        });
        connect(client, &QTcpSocket::disconnected, this, &Connection::clientGone);
        connect(client, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError) {
            if (m_client->state() == QAbstractSocket::UnconnectedState)
                clientGone();
        });
    }

    ~Connection() override
    {
        leaveIdle();
        uncount();
        if (m_upstream)
            m_upstream->abort();
    }

    // Idle between two requests with nothing on its way in or out: closing it loses nothing
    // (RFC 9112 §9.5: any side may close an idle connection, and clients recover from that).
    bool isQuiet() const
    {
        return m_idle && m_in.isEmpty() && m_client && m_client->bytesAvailable() == 0
            && m_client->bytesToWrite() == 0;
    }

    // Makes room for a new client at the cap, as nginx does with its keepalive connections.
    void closeIdle()
    {
        qCDebug(lcReverseProxy) << "at the connection cap: closing the longest-idle kept-alive"
                                << "connection for a new one";
        m_requestTimer.stop();
        m_phase = Phase::Done; // a request that comes now is not read
        leaveIdle();
        uncount(); // now, even if the socket reports its close later
        m_client->disconnectFromHost();
    }

private:
    enum class Phase { Head, Body, Upstream, Streaming, Done };
    enum class ChunkPart { Size, Data, DataEnd, Trailer };

    void readRequest()
    {
        // The next request on a persistent connection waits in the socket until this
        // exchange is over (nextRequest()); a client that keeps sending past the bound while
        // it waits is not read from until then.
        if (m_phase != Phase::Head && m_phase != Phase::Body)
            return;
        if (m_idle) {
            // A new request on a kept-alive connection: it counts again.
            leaveIdle();
            m_released = false;
            ++m_proxy->d->active;
        }
        m_in.append(m_client->readAll());
        if (m_phase == Phase::Head && !parseHead())
            return;
        if (m_phase == Phase::Body)
            readBody();
    }

    // False while the head is incomplete or after it was rejected.
    bool parseHead()
    {
        qsizetype end = m_in.indexOf("\r\n\r\n");
        qsizetype next = end + 4;
        if (end < 0) {
            end = m_in.indexOf("\n\n");
            next = end + 2;
        }
        if (end < 0) {
            if (m_in.size() > MaximumRequestHeadBytes)
                reject(431, "Request Header Fields Too Large",
                       QT_TRANSLATE_NOOP("ProxyMessages", "the request head is too large"));
            return false;
        }
        if (end > MaximumRequestHeadBytes) {
            reject(431, "Request Header Fields Too Large",
                   QT_TRANSLATE_NOOP("ProxyMessages", "the request head is too large"));
            return false;
        }
        const QList<QByteArray> lines = m_in.left(end).split('\n');
        m_in.remove(0, next);
        const QList<QByteArray> requestLine = lines.first().trimmed().split(' ');
        if (requestLine.size() != 3 || !requestLine.at(2).startsWith("HTTP/1.")
            || requestLine.at(0).isEmpty()) {
            reject(400, "Bad Request",
                   QT_TRANSLATE_NOOP("ProxyMessages", "not an HTTP/1.1 request line"));
            return false;
        }
        m_exchange.method = requestLine.at(0);
        m_exchange.target = requestLine.at(1);
        m_http10 = requestLine.at(2) == "HTTP/1.0";
        if (!m_exchange.target.startsWith('/')) {
            reject(400, "Bad Request",
                   QT_TRANSLATE_NOOP(
                       "ProxyMessages",
                       "this is a reverse proxy: use it as the base URL, not as a forward proxy"));
            return false;
        }
        for (qsizetype i = 1; i < lines.size(); ++i) {
            QByteArray line = lines.at(i);
            if (line.endsWith('\r'))
                line.chop(1);
            const qsizetype colon = line.indexOf(':');
            if (colon <= 0 || line.startsWith(' ') || line.startsWith('\t')) {
                reject(400, "Bad Request",
                       QT_TRANSLATE_NOOP("ProxyMessages", "a malformed header line"));
                return false;
            }
            m_clientHeaders.append({line.left(colon).trimmed(), line.mid(colon + 1).trimmed()});
        }
        const QByteArray transferEncoding = fieldValue(m_clientHeaders, "transfer-encoding");
        const QByteArray contentLength = fieldValue(m_clientHeaders, "content-length");
        if (!transferEncoding.isEmpty() && !contentLength.isEmpty()) {
            reject(400, "Bad Request",
                   QT_TRANSLATE_NOOP("ProxyMessages", "both Transfer-Encoding and Content-Length"));
            return false;
        }
        const qint64 maximum = m_proxy->d->options.maximumRequestBodyBytes;
        if (!transferEncoding.isEmpty()) {
            if (!transferEncoding.trimmed().toLower().endsWith("chunked")) {
                reject(400, "Bad Request",
                       QT_TRANSLATE_NOOP("ProxyMessages", "a request body of unknown length"));
                return false;
            }
            m_chunked = true;
            m_hasBody = true;
        } else if (!contentLength.isEmpty()) {
            bool ok = false;
            m_bodyRemaining = contentLength.toLongLong(&ok);
            if (!ok || m_bodyRemaining < 0) {
                reject(400, "Bad Request",
                       QT_TRANSLATE_NOOP("ProxyMessages", "an invalid Content-Length"));
                return false;
            }
            if (m_bodyRemaining > maximum) {
                reject(413, "Content Too Large",
                       QT_TRANSLATE_NOOP("ProxyMessages",
                                         "the request body is larger than the proxy takes"));
                return false;
            }
            m_hasBody = true;
        }
        if (m_hasBody && sameName(fieldValue(m_clientHeaders, "expect"), "100-continue"))
            m_client->write("HTTP/1.1 100 Continue\r\n\r\n");
        m_phase = Phase::Body;
        return true;
    }

    void readBody()
    {
        const qint64 maximum = m_proxy->d->options.maximumRequestBodyBytes;
        if (!m_chunked) {
            const qint64 take = qMin<qint64>(m_bodyRemaining, m_in.size());
            m_body.append(m_in.constData(), take);
            m_in.remove(0, take);
            m_bodyRemaining -= take;
            if (m_bodyRemaining == 0)
                forward();
            return;
        }
        // Chunked: size line, data, CRLF ... a zero size, then trailer lines up to a blank one.
        for (;;) {
            if (m_chunkPart == ChunkPart::Data) {
                const qint64 take = qMin<qint64>(m_bodyRemaining, m_in.size());
                m_body.append(m_in.constData(), take);
                m_in.remove(0, take);
                m_bodyRemaining -= take;
                if (m_bodyRemaining > 0)
                    return;
                m_chunkPart = ChunkPart::DataEnd;
                continue;
            }
            const qsizetype newline = m_in.indexOf('\n');
            if (newline < 0) {
                if (m_in.size() > 4096)
                    reject(400, "Bad Request",
                           QT_TRANSLATE_NOOP("ProxyMessages", "a malformed chunked request body"));
                return;
            }
            QByteArray line = m_in.left(newline).trimmed();
            m_in.remove(0, newline + 1);
            if (m_chunkPart == ChunkPart::DataEnd) {
                m_chunkPart = ChunkPart::Size;
                continue;
            }
            if (m_chunkPart == ChunkPart::Trailer) {
                if (line.isEmpty()) {
                    forward();
                    return;
                }
                continue; // trailer fields are not forwarded
            }
            const qsizetype semicolon = line.indexOf(';');
            bool ok = false;
            m_bodyRemaining = (semicolon < 0 ? line : line.left(semicolon)).toLongLong(&ok, 16);
            if (!ok || m_bodyRemaining < 0) {
                reject(400, "Bad Request",
                       QT_TRANSLATE_NOOP("ProxyMessages", "a malformed chunked request body"));
                return;
            }
            if (m_body.size() + m_bodyRemaining > maximum) {
                reject(413, "Content Too Large",
                       QT_TRANSLATE_NOOP("ProxyMessages",
                                         "the request body is larger than the proxy takes"));
                return;
            }
            m_chunkPart = m_bodyRemaining == 0 ? ChunkPart::Trailer : ChunkPart::Data;
        }
    }

    void forward()
    {
        m_requestTimer.stop();
        m_phase = Phase::Upstream;
        const ReverseProxyOptions &options = m_proxy->d->options;
        QByteArray base = options.upstream.toEncoded(QUrl::RemoveQuery | QUrl::RemoveFragment);
        while (base.endsWith('/'))
            base.chop(1);
        m_exchange.upstreamUrl = QUrl::fromEncoded(base + m_exchange.target);
        m_exchange.number = m_proxy->d->nextNumber++;
        m_exchange.requestBodyBytes = m_body.size();
        m_exchange.startedMs = QDateTime::currentMSecsSinceEpoch();

        HttpStream::Request request;
        request.url = m_exchange.upstreamUrl;
        request.method = m_exchange.method;
        const QByteArray connection = connectionTokens(m_clientHeaders);
        for (const auto &field : std::as_const(m_clientHeaders)) {
            // Host names the upstream (the transport writes it); the transport frames the body.
            if (isHopByHopHeader(field.first, connection) || sameName(field.first, "host")
                || sameName(field.first, "content-length") || sameName(field.first, "expect")) {
                continue;
            }
            request.headers.append(field);
        }
        m_exchange.requestHeaders = request.headers;
        request.body = m_body;
        request.sendBody = m_hasBody;
        request.caCertificatesPem = options.caCertificatesPem;
        request.allowInsecureTls = options.allowInsecureTls;
        request.decodeContent = false;
        // Downstream is HTTP/1.1, and the HTTP/2 path always decodes: the upstream too.
        request.http1Only = true;
        m_body.clear();

        m_upstream = new HttpStream(this);
        connect(m_upstream, &HttpStream::headReceived, this, &Connection::passHead);
        connect(m_upstream, &HttpStream::readyRead, this, &Connection::pump);
        connect(m_upstream, &HttpStream::finished, this, &Connection::upstreamFinished);
        m_clock.start();
        emit m_proxy->exchangeStarted(m_exchange);
        m_upstream->start(request);
    }

    void passHead()
    {
        m_phase = Phase::Streaming;
        m_exchange.status = m_upstream->status();
        const HttpStream::Headers &upstreamHeaders = m_upstream->headers();
        const QByteArray connection = connectionTokens(upstreamHeaders);
        m_chunkedOut = m_upstream->hasBody() && !m_upstream->hasContentLength();
        QByteArray head = "HTTP/1.1 " + QByteArray::number(m_exchange.status) + ' '
            + m_upstream->reasonPhrase() + "\r\n";
        for (const auto &field : upstreamHeaders) {
            if (isHopByHopHeader(field.first, connection))
                continue;
            if (m_chunkedOut && sameName(field.first, "content-length"))
                continue;
            m_exchange.responseHeaders.append(field);
            head += field.first + ": " + field.second + "\r\n";
        }
        if (m_chunkedOut)
            head += "Transfer-Encoding: chunked\r\n";
        // Persistent unless the client asked otherwise (HTTP/1.1 is by default): every
        // response to it is framed, by its length, by chunks or by having no body.
        m_keepAlive = !m_http10 && !hasToken(connectionTokens(m_clientHeaders), "close");
        head += m_keepAlive ? QByteArray("\r\n") : QByteArray("Connection: close\r\n\r\n");
        m_client->write(head);

        const QByteArray contentType = fieldValue(upstreamHeaders, "content-type");
        const qsizetype semicolon = contentType.indexOf(';');
        m_exchange.eventStream =
            sameName((semicolon < 0 ? contentType : contentType.left(semicolon)).trimmed(),
                     "text/event-stream");
        if (m_exchange.eventStream && m_proxy->d->options.readEventStreams) {
            const QByteArray coding = fieldValue(upstreamHeaders, "content-encoding").trimmed();
            if (coding.isEmpty() || sameName(coding, "identity")) {
                m_parse = true;
            } else if (sameName(coding, "gzip") || sameName(coding, "x-gzip")
                       || sameName(coding, "deflate")) {
                m_inflater = std::make_unique<BodyInflater>();
                m_parse = m_inflater->start();
            } else {
                m_parseNote = ProxyMessages::tr("events not read: content encoding %1")
                                  .arg(QString::fromLatin1(coding));
            }
        }
        emit m_proxy->responseStarted(m_exchange);
        pump();
    }

    // Body bytes from the upstream to the client, as they come, while the client keeps up.
    void pump()
    {
        // flush() below may emit bytesWritten() at once, which calls pump() again: that inner
        // call would read the next slice into m_slice before this one has parsed the slice it
        // just sent, so the copy the parser reads would skip and repeat bytes (the client's
        // bytes stay right). The loop here goes on anyway: the inner call has nothing to do.
        if (m_pumping || !m_upstream || m_phase != Phase::Streaming || !m_client
            || m_client->state() != QAbstractSocket::ConnectedState) {
            return;
        }
        m_pumping = true;
        const auto done = qScopeGuard([this] { m_pumping = false; });
        // flush() may also report the client gone: check before every slice.
        while (m_upstream && m_client && m_client->bytesToWrite() < MaximumClientBacklog) {
            m_slice.resize(ReadSliceBytes + 32);
            // Room in front for the chunk size line: one write per slice.
            constexpr qsizetype Front = 16;
            const qint64 got = m_upstream->read(m_slice.data() + Front, ReadSliceBytes);
            if (got <= 0)
                break;
            const char *body = m_slice.constData() + Front;
            if (m_chunkedOut) {
                const QByteArray size = QByteArray::number(got, 16) + "\r\n";
                char *start = m_slice.data() + Front - size.size();
                std::memcpy(start, size.constData(), size_t(size.size()));
                std::memcpy(m_slice.data() + Front + got, "\r\n", 2);
                m_client->write(start, size.size() + got + 2);
            } else {
                m_client->write(body, got);
            }
            // Hand it to the kernel now rather than on the next turn of the event loop, where
            // other work (formatting the events just parsed) may come first.
            m_client->flush();
            m_exchange.responseBytes += got;
            if (m_parse)
                parse(body, got);
        }
    }

    void parse(const char *bytes, qint64 size)
    {
        // One batch reused slice after slice: a fresh one per 256 KiB slice cost an arena
        // allocation and a page fault per 4 KiB written into it (a receiver that keeps a copy,
        // like the GUI's inbox, keeps the old buffers; clear() then starts new ones).
        EventBatch &batch = m_batch;
        batch.clear();
        m_parser.setReceiveTime(QDateTime::currentMSecsSinceEpoch());
        Parser::Status status = Parser::Status::Ok;
        if (m_inflater) {
            m_inflated.clear();
            if (!m_inflater->inflateInto(bytes, size, m_inflated)) {
                m_parse = false;
                m_parseNote = ProxyMessages::tr("events not read further: the compressed body "
                                                "does not inflate");
                return;
            }
            status = m_parser.feed(m_inflated.constData(), m_inflated.size(), batch);
        } else {
            status = m_parser.feed(bytes, size, batch);
        }
        if (status != Parser::Status::Ok) {
            m_parse = false;
            m_parseNote = ProxyMessages::tr("events not read further: an event larger than %1 MiB")
                              .arg(m_parser.maximumEventSize() / (1024 * 1024));
        }
        if (!batch.isEmpty()) {
            m_exchange.events += batch.size();
            emit m_proxy->eventsReceived(m_exchange, batch);
        }
    }

    void upstreamFinished()
    {
        HttpStream *upstream = m_upstream;
        m_upstream = nullptr;
        upstream->deleteLater();
        if (m_phase == Phase::Done)
            return;
        m_exchange.elapsedMs = double(m_clock.nsecsElapsed()) / 1e6;
        if (m_phase == Phase::Upstream) {
            // No response head: the client gets a 502 of ours.
            const QString reason = upstream->errorString().isEmpty()
                ? ProxyMessages::tr("no response")
                : upstream->errorString();
            m_exchange.status = 502;
            m_exchange.end = ProxyExchange::End::UpstreamFailed;
            m_exchange.error =
                ProxyMessages::tr("upstream %1 failed: %2")
                    .arg(m_proxy->d->options.upstream.toDisplayString(
                             QUrl::RemoveUserInfo | QUrl::RemovePath | QUrl::RemoveQuery),
                         reason);
            // Done before the close: disconnectFromHost() may report the client gone at once.
            finish();
            writeSmallResponse(502, "Bad Gateway", m_exchange.error.toUtf8());
            return;
        }
        if (m_parse)
            m_parser.finish();
        if (upstream->error() != HttpStream::Error::None) {
            // The body was cut: the client sees it cut too (no last chunk, or a short body).
            m_exchange.end = ProxyExchange::End::UpstreamFailed;
            m_exchange.error =
                ProxyMessages::tr("the upstream response was cut: %1").arg(upstream->errorString());
        } else if (m_chunkedOut && m_client) {
            m_client->write("0\r\n\r\n");
        }
        if (m_exchange.error.isEmpty() && !m_parseNote.isEmpty())
            m_exchange.error = m_parseNote;
        const bool again = m_keepAlive && upstream->error() == HttpStream::Error::None;
        finish(); // before the close, which may report the client gone at once
        if (again)
            nextRequest();
        else if (m_client)
            m_client->disconnectFromHost();
    }

    // The exchange is over and the connection stays: back to reading a request head, with
    // the request timeout as the idle timeout.
    void nextRequest()
    {
        if (!m_client || m_client->state() != QAbstractSocket::ConnectedState)
            return;
        m_phase = Phase::Head;
        m_idle = true;
        m_proxy->d->idle.append(this);
        m_exchange = ProxyExchange();
        m_clientHeaders.clear();
        m_body.clear();
        m_bodyRemaining = 0;
        m_hasBody = false;
        m_chunked = false;
        m_chunkPart = ChunkPart::Size;
        m_chunkedOut = false;
        m_keepAlive = false;
        m_http10 = false;
        m_parse = false;
        m_parseNote.clear();
        m_parser.reset();
        m_inflater.reset();
        m_requestTimer.start(m_proxy->d->options.requestTimeoutMs);
        if (!m_in.isEmpty() || m_client->bytesAvailable() > 0)
            readRequest(); // pipelined: it came while the previous response went out
    }

    void clientGone()
    {
        leaveIdle();
        uncount();
        if (m_phase == Phase::Done) {
            deleteLater();
            return;
        }
        if (m_phase == Phase::Head || m_phase == Phase::Body) {
            // Nothing was forwarded: no exchange to report.
            m_phase = Phase::Done;
            release();
            deleteLater();
            return;
        }
        if (m_upstream) {
            m_upstream->abort();
            m_upstream->deleteLater();
            m_upstream = nullptr;
        }
        m_exchange.elapsedMs = double(m_clock.nsecsElapsed()) / 1e6;
        m_exchange.end = ProxyExchange::End::ClientGone;
        m_exchange.error =
            ProxyMessages::tr("the client closed the connection; upstream request aborted");
        finish();
        deleteLater();
    }

    // The proxy answers itself (bad request, timeout, too large): no upstream request.
    // \a message (English, QT_TRANSLATE_NOOP) goes to the client as it is and into the
    // exchange translated.
    void reject(int status, const QByteArray &reason, const char *message)
    {
        if (m_phase == Phase::Done)
            return;
        m_requestTimer.stop();
        qCDebug(lcReverseProxy) << "rejected:" << status << message;
        m_exchange.status = status;
        m_exchange.end = ProxyExchange::End::Rejected;
        m_exchange.error = ProxyMessages::tr(message);
        m_phase = Phase::Done;
        release();
        writeSmallResponse(status, reason, QByteArray("sse-monitor proxy: ") + message);
    }

    void writeSmallResponse(int status, const QByteArray &reason, const QByteArray &text)
    {
        if (!m_client)
            return;
        const QByteArray body = text + '\n';
        m_client->write("HTTP/1.1 " + QByteArray::number(status) + ' ' + reason
                        + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: "
                        + QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
        m_client->disconnectFromHost();
    }

    void finish()
    {
        m_phase = Phase::Done;
        release();
        emit m_proxy->exchangeFinished(m_exchange);
    }

    void release()
    {
        if (m_released)
            return;
        m_released = true;
        --m_proxy->d->active;
    }

    void leaveIdle()
    {
        if (!m_idle)
            return;
        m_idle = false;
        m_proxy->d->idle.removeOne(this);
    }

    // The socket no longer counts against maximumConnections.
    void uncount()
    {
        if (!m_counted)
            return;
        m_counted = false;
        --m_proxy->d->connections;
    }

    ReverseProxy *m_proxy;
    QPointer<QTcpSocket> m_client;
    HttpStream *m_upstream = nullptr; // child; deleted when its response is over
    Phase m_phase = Phase::Head;
    QByteArray m_in; // request bytes not parsed yet
    ProxyExchange::Headers m_clientHeaders;
    QByteArray m_body;
    qint64 m_bodyRemaining = 0; // Content-Length left, or of the current chunk
    bool m_hasBody = false;
    bool m_chunked = false;
    ChunkPart m_chunkPart = ChunkPart::Size;
    bool m_chunkedOut = false; // the response goes to the client chunked
    ProxyExchange m_exchange;
    QTimer m_requestTimer;
    QElapsedTimer m_clock;
    QByteArray m_slice; // reused read buffer
    bool m_pumping = false; // in pump(): see there
    bool m_parse = false;
    QString m_parseNote; // why an event stream is not (or no longer) parsed
    Parser m_parser;
    EventBatch m_batch; // parse()'s, reused
    std::unique_ptr<BodyInflater> m_inflater;
    QByteArray m_inflated;
    bool m_released = false;
    bool m_http10 = false; // the request said HTTP/1.0: its connection closes after it
    bool m_keepAlive = false; // the connection carries another request after this one
    bool m_idle = false; // between two requests on a persistent connection (in d->idle)
    bool m_counted = true; // in d->connections
};

ReverseProxy::ReverseProxy(QObject *parent) : QObject(parent), d(std::make_unique<Private>())
{
    // At the cap, the longest-idle quiet kept-alive connection is closed for the newcomer;
    // false when every connection is busy.
    const auto makeRoom = [this] {
        const auto quiet = std::find_if(d->idle.cbegin(), d->idle.cend(),
                                        [](const Connection *idle) { return idle->isQuiet(); });
        if (quiet == d->idle.cend())
            return false;
        (*quiet)->closeIdle();
        return true;
    };
    connect(&d->server, &QTcpServer::newConnection, this, [this, makeRoom] {
        while (QTcpSocket *socket = d->server.nextPendingConnection()) {
            if (d->connections >= d->options.maximumConnections && !makeRoom()) {
                qCDebug(lcReverseProxy) << "connection cap reached, every connection busy - 503";
                socket->setParent(this);
                connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
                socket->write("HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\n"
                              "Content-Length: 0\r\nConnection: close\r\n\r\n");
                socket->disconnectFromHost();
                continue;
            }
            new Connection(this, socket); // owned by the proxy, deletes itself when done
        }
    });
}

ReverseProxy::~ReverseProxy()
{
    // Connections are children: they go before d.
    const QList<Connection *> connections = findChildren<Connection *>(Qt::FindDirectChildrenOnly);
    for (Connection *connection : connections) {
        connection->disconnect();
        delete connection;
    }
}

void ReverseProxy::setOptions(const ReverseProxyOptions &options)
{
    d->options = options;
}
ReverseProxyOptions ReverseProxy::options() const
{
    return d->options;
}

bool ReverseProxy::listen(const QHostAddress &address, quint16 port)
{
    return d->server.listen(address, port);
}

QString ReverseProxy::errorString() const
{
    return d->server.errorString();
}
QHostAddress ReverseProxy::serverAddress() const
{
    return d->server.serverAddress();
}
quint16 ReverseProxy::port() const
{
    return d->server.serverPort();
}
int ReverseProxy::activeExchanges() const
{
    return d->active;
}
int ReverseProxy::openConnections() const
{
    return d->connections;
}

QUrl ReverseProxy::url() const
{
    QUrl url;
    url.setScheme(QStringLiteral("http"));
    url.setHost(d->server.serverAddress().toString());
    url.setPort(d->server.serverPort());
    return url;
}

} // namespace Sse
