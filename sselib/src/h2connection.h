#pragma once

#include "httpstream.h"

#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QObject>
#include <QPointer>

#include <cstdint>

class QTcpSocket;
class QTimer;
struct nghttp2_session;

namespace Sse {

class H2Stream;

/// One HTTP/2 connection (libnghttp2) on a socket that is already connected: TLS with ALPN
/// "h2", or cleartext with prior knowledge. It multiplexes the streams of many HttpStreams.
///
/// Flow control is back-pressure: the connection window is handed back as soon as DATA
/// arrives, a stream's window only as its reader takes the bytes (H2Stream::read()). So a
/// slow reader holds at most one stream window (StreamWindowBytes) and slows down its own
/// stream, never the others on the connection.
///
/// Lives in the thread of its socket; H2Pool keeps one per origin and thread.
class H2Connection : public QObject
{
    Q_OBJECT
public:
    /// What the stream window lets a server send ahead of the reader (bytes).
    static constexpr int StreamWindowBytes = 1024 * 1024;

    /// Takes over \a socket (reparented to the connection) and sends the connection preface.
    H2Connection(QTcpSocket *socket, bool encrypted, bool priorKnowledge, QObject *parent);
    ~H2Connection() override;

    /// A new stream for \a request, owned by \a owner (its parent). The request waits in
    /// nghttp2's queue while the server's SETTINGS_MAX_CONCURRENT_STREAMS are in use.
    H2Stream *openStream(const HttpStream::Request &request, QObject *owner);

    /// No GOAWAY, no failure: new streams may go here.
    bool acceptsStreams() const;
    bool encrypted() const { return m_encrypted; }
    int streamCount() const { return int(m_streams.size()); }
    /// Streams the server allows at once (SETTINGS_MAX_CONCURRENT_STREAMS as received).
    quint32 remoteMaximumStreams() const;

Q_SIGNALS:
    /// The connection takes no more streams (GOAWAY, failure, or closed when idle).
    void retired();

private:
    friend class H2Stream;
    struct Callbacks;

    void onReadyRead();
    void onSocketGone();
    void flush();
    void deliverNotifications();
    void notify(H2Stream *stream);
    void failAll(HttpStream::Error error, QString message);
    void retire();
    void consumeStream(std::int32_t id, qint64 bytes);
    void cancelStream(std::int32_t id);
    void updateIdleTimer();

    QTcpSocket *m_socket = nullptr;
    nghttp2_session *m_session = nullptr;
    QHash<std::int32_t, QPointer<H2Stream>> m_streams;
    QList<QPointer<H2Stream>> m_notifications; // streams with news, told after a receive
    QTimer *m_idleTimer = nullptr;  // no stream for a while: close
    QTimer *m_pingTimer = nullptr;  // a PING sent after silence: no answer means dead
    QElapsedTimer m_lastReceive;
    bool m_encrypted = false;
    bool m_priorKnowledge = false;
    bool m_receivedFrame = false;   // anything valid from the server yet
    bool m_inReceive = false;       // inside nghttp2_session_mem_recv: no sending now
    bool m_goingAway = false;
    bool m_dead = false;
    bool m_retired = false;
};

/// One request and its response on an H2Connection: the HttpStream side of HTTP/2.
/// Response DATA waits here (at most one stream window) until read() takes it.
class H2Stream : public QObject
{
    Q_OBJECT
public:
    int status() const { return m_status; }
    const HttpStream::Headers &headers() const { return m_headers; }
    bool headDone() const { return m_headDone; }
    qint64 bytesAvailable() const { return m_buffer.size() - m_position; }
    /// Takes buffered body bytes and opens the stream window by as many.
    qint64 read(char *data, qint64 maximum);
    /// The stream ended (completely or not): no more bytes will come.
    bool isClosed() const { return m_closed; }
    HttpStream::Error error() const { return m_error; }
    QString errorString() const { return m_errorString; }
    /// RST_STREAM(CANCEL) unless the stream has ended; no signal follows.
    void cancel();

Q_SIGNALS:
    void headReceived();
    void readyRead();
    void closed();

private:
    friend class H2Connection;
    friend struct H2Connection::Callbacks;
    H2Stream(H2Connection *connection, QObject *owner) : QObject(owner), m_connection(connection) {}
    void fail(HttpStream::Error error, const QString &message);
    void deliver();

    QPointer<H2Connection> m_connection;
    std::int32_t m_id = -1;
    int m_status = 0;
    HttpStream::Headers m_headers;
    qsizetype m_headBytes = 0;
    bool m_headDone = false;
    QByteArray m_buffer;        // DATA not yet read
    qsizetype m_position = 0;
    QByteArray m_body;          // the request body, sent from the DATA provider
    qsizetype m_bodySent = 0;
    bool m_closed = false;
    bool m_cancelled = false;
    bool m_headPending = false;  // signals owed, emitted by deliver()
    bool m_dataPending = false;
    bool m_closePending = false;
    HttpStream::Error m_error = HttpStream::Error::None;
    QString m_errorString;
};

} // namespace Sse
