#include "h2connection.h"

#include "sselib/profile.h"

#include <QCoreApplication>
#include <QLoggingCategory>
#include <QTcpSocket>
#include <QTimer>

#include <nghttp2/nghttp2.h>

#include <cstring>
#include <vector>

Q_LOGGING_CATEGORY(lcHttp2, "sse.http2", QtInfoMsg)

namespace Sse {

namespace {

struct Http2Messages
{
    Q_DECLARE_TR_FUNCTIONS(Http2Messages)
};

// The connection window is handed back at once (see the class comment), so it only needs to
// be large enough not to limit throughput.
constexpr int ConnectionWindowBytes = 16 * 1024 * 1024;
constexpr int IdleCloseMs = 30000;     // a connection without streams stays this long for reuse
constexpr qint64 PingAfterSilenceMs = 5000;
constexpr int PingTimeoutMs = 10000;
constexpr qint64 SocketReadBytes = 64 * 1024;

// Connection-specific fields have no meaning in HTTP/2 (RFC 9113 section 8.2.2); Host
// becomes :authority and Content-Length is ours.
bool droppedRequestField(const QByteArray &lowerName)
{
    return lowerName == "connection" || lowerName == "keep-alive"
        || lowerName == "proxy-connection" || lowerName == "transfer-encoding"
        || lowerName == "upgrade" || lowerName == "host" || lowerName == "content-length"
        || lowerName == "te" || lowerName == "http2-settings";
}

// Secret fields (Authorization, cookies, keys) are sent "never indexed" (RFC 7541 section
// 7.1.3): no HPACK table on the way keeps them, and they are not guessable by compression.
nghttp2_nv field(const QByteArray &name, const QByteArray &value, bool secret = false)
{
    return nghttp2_nv{reinterpret_cast<uint8_t *>(const_cast<char *>(name.constData())),
                      reinterpret_cast<uint8_t *>(const_cast<char *>(value.constData())),
                      size_t(name.size()), size_t(value.size()),
                      uint8_t(secret ? NGHTTP2_NV_FLAG_NO_INDEX : NGHTTP2_NV_FLAG_NONE)};
}

QString errorCodeText(uint32_t code)
{
    return QString::fromLatin1(nghttp2_http2_strerror(code));
}

} // namespace

// nghttp2 calls these with the connection as user data, from inside mem_recv/mem_send.
struct H2Connection::Callbacks
{
    static H2Stream *stream(void *user, int32_t id)
    {
        return static_cast<H2Connection *>(user)->m_streams.value(id).data();
    }

    static int onHeader(nghttp2_session *, const nghttp2_frame *frame, const uint8_t *name,
                        size_t nameLength, const uint8_t *value, size_t valueLength, uint8_t,
                        void *user)
    {
        if (frame->hd.type != NGHTTP2_HEADERS)
            return 0;
        H2Stream *s = stream(user, frame->hd.stream_id);
        if (!s || s->m_headDone)
            return 0; // trailers are not part of an event stream
        const QByteArray fieldName(reinterpret_cast<const char *>(name), qsizetype(nameLength));
        const QByteArray fieldValue(reinterpret_cast<const char *>(value), qsizetype(valueLength));
        s->m_headBytes += fieldName.size() + fieldValue.size() + 4;
        if (fieldName == ":status") {
            bool ok = false;
            s->m_status = fieldValue.toInt(&ok);
            if (!ok || s->m_status < 100 || s->m_status > 999) {
                s->fail(HttpStream::Error::Protocol,
                        Http2Messages::tr("The response has no valid status code"));
                return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
            }
            return 0;
        }
        if (fieldName.startsWith(':'))
            return 0;
        if (s->m_headers.size() >= HttpStream::MaximumHeaderFields
            || s->m_headBytes > HttpStream::MaximumHeadBytes) {
            s->fail(HttpStream::Error::HeadTooLarge,
                    Http2Messages::tr("The response head is larger than the client accepts "
                                      "(%1 KiB or %2 header fields)")
                        .arg(HttpStream::MaximumHeadBytes / 1024)
                        .arg(HttpStream::MaximumHeaderFields));
            return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE; // nghttp2 resets the stream
        }
        s->m_headers.append(qMakePair(fieldName, fieldValue));
        return 0;
    }

    static int onFrameReceived(nghttp2_session *, const nghttp2_frame *frame, void *user)
    {
        auto *connection = static_cast<H2Connection *>(user);
        connection->m_receivedFrame = true;
        switch (frame->hd.type) {
        case NGHTTP2_HEADERS: {
            H2Stream *s = stream(user, frame->hd.stream_id);
            if (!s || s->m_headDone || !(frame->hd.flags & NGHTTP2_FLAG_END_HEADERS))
                break;
            if (s->m_status >= 100 && s->m_status < 200) {
                // An interim response: the final head follows.
                s->m_status = 0;
                s->m_headers.clear();
                s->m_headBytes = 0;
                break;
            }
            s->m_headDone = true;
            s->m_headPending = true;
            connection->notify(s);
            break;
        }
        case NGHTTP2_GOAWAY:
            qCDebug(lcHttp2) << "GOAWAY" << errorCodeText(frame->goaway.error_code)
                             << "last stream" << frame->goaway.last_stream_id;
            connection->m_goingAway = true;
            break;
        default:
            break;
        }
        return 0;
    }

    static int onDataChunk(nghttp2_session *session, uint8_t, int32_t id, const uint8_t *data,
                           size_t length, void *user)
    {
        nghttp2_session_consume_connection(session, length);
        H2Stream *s = stream(user, id);
        if (!s || s->m_cancelled) {
            nghttp2_session_consume_stream(session, id, length);
            return 0;
        }
        if (s->m_position > 0 && s->m_position == s->m_buffer.size()) {
            s->m_buffer.resize(0);
            s->m_position = 0;
        }
        s->m_buffer.append(reinterpret_cast<const char *>(data), qsizetype(length));
        s->m_dataPending = true;
        static_cast<H2Connection *>(user)->notify(s);
        return 0;
    }

    static int onStreamClose(nghttp2_session *, int32_t id, uint32_t errorCode, void *user)
    {
        auto *connection = static_cast<H2Connection *>(user);
        H2Stream *s = connection->m_streams.take(id).data();
        connection->updateIdleTimer();
        if (!s || s->m_cancelled)
            return 0;
        if (errorCode == NGHTTP2_REFUSED_STREAM) {
            s->fail(HttpStream::Error::Closed,
                    connection->m_goingAway
                        ? Http2Messages::tr("The server is closing the HTTP/2 connection "
                                            "(GOAWAY) and did not take the request")
                        : Http2Messages::tr("The server refused the HTTP/2 stream"));
        } else if (errorCode != NGHTTP2_NO_ERROR) {
            s->fail(HttpStream::Error::Closed,
                    Http2Messages::tr("The server reset the HTTP/2 stream (%1)")
                        .arg(errorCodeText(errorCode)));
        }
        s->m_closed = true;
        s->m_closePending = true;
        connection->notify(s);
        return 0;
    }

    static ssize_t readBody(nghttp2_session *, int32_t id, uint8_t *buffer, size_t length,
                            uint32_t *flags, nghttp2_data_source *, void *user)
    {
        H2Stream *s = stream(user, id);
        if (!s)
            return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
        const qsizetype n = qMin<qsizetype>(qsizetype(length), s->m_body.size() - s->m_bodySent);
        std::memcpy(buffer, s->m_body.constData() + s->m_bodySent, size_t(n));
        s->m_bodySent += n;
        if (s->m_bodySent == s->m_body.size())
            *flags |= NGHTTP2_DATA_FLAG_EOF;
        return ssize_t(n);
    }
};

H2Connection::H2Connection(QTcpSocket *socket, bool encrypted, bool priorKnowledge,
                           QObject *parent)
    : QObject(parent), m_socket(socket), m_encrypted(encrypted), m_priorKnowledge(priorKnowledge)
{
    m_socket->setParent(this);
    m_socket->setReadBufferSize(0); // drained on every readyRead; windows bound the bytes
    m_idleTimer = new QTimer(this);
    m_idleTimer->setSingleShot(true);
    m_idleTimer->setInterval(IdleCloseMs);
    connect(m_idleTimer, &QTimer::timeout, this, &H2Connection::retire);
    m_pingTimer = new QTimer(this);
    m_pingTimer->setSingleShot(true);
    m_pingTimer->setInterval(PingTimeoutMs);
    connect(m_pingTimer, &QTimer::timeout, this, [this] {
        failAll(HttpStream::Error::Closed,
                Http2Messages::tr("The HTTP/2 connection did not answer a PING within %1 s")
                    .arg(PingTimeoutMs / 1000));
    });
    m_lastReceive.start();

    nghttp2_session_callbacks *callbacks = nullptr;
    nghttp2_session_callbacks_new(&callbacks);
    nghttp2_session_callbacks_set_on_header_callback(callbacks, &Callbacks::onHeader);
    nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, &Callbacks::onFrameReceived);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, &Callbacks::onDataChunk);
    nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, &Callbacks::onStreamClose);
    nghttp2_option *option = nullptr;
    nghttp2_option_new(&option);
    nghttp2_option_set_no_auto_window_update(option, 1);
    // Until the server's SETTINGS say how many streams it takes, send one request: the
    // others wait in nghttp2's queue instead of being refused for going past a limit the
    // server had not told yet.
    nghttp2_option_set_peer_max_concurrent_streams(option, 1);
    nghttp2_session_client_new2(&m_session, callbacks, this, option);
    nghttp2_option_del(option);
    nghttp2_session_callbacks_del(callbacks);

    const nghttp2_settings_entry settings[] = {
        {NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
        {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, uint32_t(StreamWindowBytes)},
        {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, uint32_t(HttpStream::MaximumHeadBytes)},
    };
    nghttp2_submit_settings(m_session, NGHTTP2_FLAG_NONE, settings, std::size(settings));
    nghttp2_session_set_local_window_size(m_session, NGHTTP2_FLAG_NONE, 0, ConnectionWindowBytes);

    connect(m_socket, &QTcpSocket::readyRead, this, &H2Connection::onReadyRead);
    connect(m_socket, &QTcpSocket::disconnected, this, &H2Connection::onSocketGone);
    connect(m_socket, &QTcpSocket::errorOccurred, this, &H2Connection::onSocketGone);
    flush();
    // The server's SETTINGS may have come with the TLS handshake.
    if (m_socket->bytesAvailable() > 0)
        QMetaObject::invokeMethod(this, &H2Connection::onReadyRead, Qt::QueuedConnection);
    updateIdleTimer();
}

H2Connection::~H2Connection()
{
    for (const QPointer<H2Stream> &stream : std::as_const(m_streams)) {
        if (stream)
            stream->m_connection = nullptr;
    }
    nghttp2_session_del(m_session);
}

bool H2Connection::acceptsStreams() const
{
    return !m_dead && !m_goingAway && !m_retired
        && nghttp2_session_check_request_allowed(m_session) != 0;
}

quint32 H2Connection::remoteMaximumStreams() const
{
    return nghttp2_session_get_remote_settings(m_session,
                                               NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS);
}

H2Stream *H2Connection::openStream(const HttpStream::Request &request, QObject *owner)
{
    auto *stream = new H2Stream(this, owner);
    const QByteArray path = HttpStream::originForm(request.url);
    QByteArray authority = HttpStream::authority(request.url);
    QList<QByteArray> storage; // nghttp2 copies the fields; they live until the submit
    storage.reserve(2 * request.headers.size() + 12);
    auto keep = [&storage](QByteArray bytes) -> const QByteArray & {
        storage.append(std::move(bytes));
        return storage.constLast();
    };
    for (const auto &header : request.headers) {
        if (header.first.compare("host", Qt::CaseInsensitive) == 0)
            authority = header.second.trimmed();
    }
    std::vector<nghttp2_nv> fields;
    fields.push_back(field(keep(":method"), keep(request.method)));
    fields.push_back(field(keep(":scheme"), keep(m_encrypted ? "https" : "http")));
    fields.push_back(field(keep(":authority"), keep(authority)));
    fields.push_back(field(keep(":path"), keep(path)));
    for (const auto &header : request.headers) {
        const QByteArray name = header.first.trimmed().toLower();
        if (name.isEmpty() || droppedRequestField(name))
            continue;
        fields.push_back(field(keep(name), keep(header.second), isSecretHeader(name)));
    }
    if (request.sendBody)
        fields.push_back(field(keep("content-length"),
                               keep(QByteArray::number(request.body.size()))));

    nghttp2_data_provider provider{};
    provider.read_callback = &Callbacks::readBody;
    if (request.sendBody)
        stream->m_body = request.body;
    const int32_t id = nghttp2_submit_request(m_session, nullptr, fields.data(), fields.size(),
                                              request.sendBody ? &provider : nullptr, nullptr);
    if (id < 0) {
        stream->fail(HttpStream::Error::Closed,
                     Http2Messages::tr("The HTTP/2 request could not be sent (%1)")
                         .arg(QString::fromLatin1(nghttp2_strerror(id))));
        stream->m_closed = true;
        stream->m_closePending = true;
        QMetaObject::invokeMethod(
            stream, [stream] { stream->deliver(); }, Qt::QueuedConnection);
        return stream;
    }
    stream->m_id = id;
    m_streams.insert(id, stream);
    m_idleTimer->stop();
    // A connection that has been silent for a while may be gone (NAT, suspend): ask.
    if (m_lastReceive.elapsed() > PingAfterSilenceMs && !m_pingTimer->isActive()) {
        nghttp2_submit_ping(m_session, NGHTTP2_FLAG_NONE, nullptr);
        m_pingTimer->start();
    }
    flush();
    return stream;
}

void H2Connection::onReadyRead()
{
    if (m_dead)
        return;
    char buffer[SocketReadBytes];
    for (;;) {
        const qint64 got = m_socket->read(buffer, SocketReadBytes);
        if (got <= 0)
            break;
        m_lastReceive.start();
        m_pingTimer->stop();
        m_inReceive = true;
        const ssize_t result = nghttp2_session_mem_recv(
            m_session, reinterpret_cast<const uint8_t *>(buffer), size_t(got));
        m_inReceive = false;
        if (result < 0) {
            failAll(HttpStream::Error::Protocol,
                    Http2Messages::tr("The server broke the HTTP/2 protocol (%1)")
                        .arg(QString::fromLatin1(nghttp2_strerror(int(result)))));
            return;
        }
    }
    flush();
    deliverNotifications();
    if (!m_dead && nghttp2_session_want_read(m_session) == 0
        && nghttp2_session_want_write(m_session) == 0) {
        failAll(HttpStream::Error::Closed,
                Http2Messages::tr("The server closed the HTTP/2 connection"));
    }
}

void H2Connection::onSocketGone()
{
    if (m_dead)
        return;
    onReadyRead(); // frames that came with the close
    if (m_dead)
        return;
    const QString reason = m_socket->error() == QAbstractSocket::RemoteHostClosedError
            || m_socket->state() == QAbstractSocket::UnconnectedState
        ? Http2Messages::tr("The server closed the HTTP/2 connection")
        : Http2Messages::tr("The HTTP/2 connection failed: %1").arg(m_socket->errorString());
    failAll(HttpStream::Error::Closed, reason);
}

void H2Connection::flush()
{
    if (m_inReceive || m_dead)
        return;
    for (;;) {
        const uint8_t *data = nullptr;
        const ssize_t length = nghttp2_session_mem_send(m_session, &data);
        if (length <= 0)
            break;
        m_socket->write(reinterpret_cast<const char *>(data), qint64(length));
    }
}

void H2Connection::notify(H2Stream *stream)
{
    if (!m_notifications.contains(stream))
        m_notifications.append(stream);
}

// Signals go out after nghttp2 has returned: a receiver may open or cancel streams.
void H2Connection::deliverNotifications()
{
    while (!m_notifications.isEmpty()) {
        const QList<QPointer<H2Stream>> streams = std::exchange(m_notifications, {});
        for (const QPointer<H2Stream> &stream : streams) {
            if (stream)
                stream->deliver();
        }
    }
}

void H2Connection::failAll(HttpStream::Error error, QString message)
{
    if (m_dead)
        return;
    if (m_priorKnowledge && !m_receivedFrame) {
        // Not one HTTP/2 frame: the same request would get the same answer.
        error = HttpStream::Error::Protocol;
        message = Http2Messages::tr("The server does not speak HTTP/2 with prior knowledge "
                                    "(%1); try without --http2-prior-knowledge")
                      .arg(message);
    }
    qCDebug(lcHttp2) << "connection failed:" << message;
    m_dead = true;
    m_pingTimer->stop();
    const QList<QPointer<H2Stream>> streams = m_streams.values();
    m_streams.clear();
    for (const QPointer<H2Stream> &stream : streams) {
        if (!stream || stream->m_cancelled)
            continue;
        stream->fail(error, message);
        stream->m_closed = true;
        stream->m_closePending = true;
        notify(stream);
    }
    m_socket->disconnect(this);
    m_socket->abort();
    retire();
    deliverNotifications();
}

void H2Connection::retire()
{
    if (!m_retired) {
        m_retired = true;
        emit retired();
    }
    if (m_streams.isEmpty()) {
        if (!m_dead) {
            nghttp2_session_terminate_session(m_session, NGHTTP2_NO_ERROR);
            flush();
            m_dead = true;
            m_socket->disconnect(this);
            m_socket->disconnectFromHost();
        }
        deleteLater();
    }
}

void H2Connection::updateIdleTimer()
{
    if (!m_streams.isEmpty() || m_dead)
        return;
    if (m_retired || m_goingAway)
        QMetaObject::invokeMethod(this, &H2Connection::retire, Qt::QueuedConnection);
    else
        m_idleTimer->start();
}

void H2Connection::consumeStream(std::int32_t id, qint64 bytes)
{
    if (m_dead)
        return;
    nghttp2_session_consume_stream(m_session, id, size_t(bytes));
    flush();
}

void H2Connection::cancelStream(std::int32_t id)
{
    if (m_dead || !m_streams.contains(id))
        return;
    m_streams.remove(id);
    nghttp2_submit_rst_stream(m_session, NGHTTP2_FLAG_NONE, id, NGHTTP2_CANCEL);
    flush();
    updateIdleTimer();
}

qint64 H2Stream::read(char *data, qint64 maximum)
{
    const qint64 n = qMin(maximum, bytesAvailable());
    if (n <= 0)
        return 0;
    std::memcpy(data, m_buffer.constData() + m_position, size_t(n));
    m_position += n;
    if (m_position == m_buffer.size()) {
        m_buffer.resize(0);
        m_position = 0;
    }
    if (m_connection && !m_closed)
        m_connection->consumeStream(m_id, n);
    return n;
}

void H2Stream::cancel()
{
    if (m_cancelled)
        return;
    m_cancelled = true;
    if (m_connection && !m_closed && m_id > 0)
        m_connection->cancelStream(m_id);
}

void H2Stream::fail(HttpStream::Error error, const QString &message)
{
    if (m_error != HttpStream::Error::None)
        return;
    m_error = error;
    m_errorString = message;
}

void H2Stream::deliver()
{
    QPointer<H2Stream> self(this);
    if (m_headPending && !m_cancelled) {
        m_headPending = false;
        emit headReceived();
    }
    if (!self || m_cancelled)
        return;
    if (m_dataPending) {
        m_dataPending = false;
        if (bytesAvailable() > 0)
            emit readyRead();
    }
    if (!self || m_cancelled)
        return;
    if (m_closePending) {
        m_closePending = false;
        emit closed();
    }
}

} // namespace Sse
