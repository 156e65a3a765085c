// bench_suite: throughput, latency and scale figures for sselib and sse-monitor-cli, each
// next to a floor measured in the same run on the same bytes. A plain program, not a Qt
// Test: build it in Release and run it through scripts/bench.sh.
//
//   bench_suite --cli build-bench/app/sse-monitor-cli    # full run: 64 MiB bodies, 5 runs
//   bench_suite --smoke --cli .../sse-monitor-cli         # CTest: ~1 MiB, counts only
//   bench_suite --only T2 --shapes d --runs 3             # a subset (profiling)
//
// Figures: T1 Sse::Client end to end, T2 Sse::Parser in memory, T3 sse-monitor-cli to a
// JSON Lines file, T6 latency at 100 events/s, T7 100 concurrent streams, T8 the CLI printing
// JSON Lines to a pipe next to node + the npm eventsource package doing the same
// (--node, --eventsource; the node script eventsource_client.mjs is copied next to this
// program). Floors: a raw blocking-socket drain of the same response and a memchr newline
// scan of the same body.
//
// The load server is plain POSIX sockets on its own threads (one per connection), so the
// Qt event loop of this thread only carries the client under test.
//
// Exit code: 0 when every count matched, 1 when a count was wrong or a step failed, 2 on
// usage errors. A missed target never changes the exit code: this machine is shared, and
// timing is reported, not asserted.

#include "sselib/sseclient.h"
#include "sselib/sseparser.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QProcessEnvironment>
#include <QSet>
#include <QStandardPaths>
#include <QTimer>
#include <QUrl>

#include <algorithm>
#include <arpa/inet.h>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

constexpr qsizetype MiB = 1024 * 1024;
constexpr qsizetype ParserChunkBytes = 64 * 1024;
constexpr qsizetype DrainBufferBytes = 256 * 1024;
constexpr char ResponseHeader[] =
    "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n";
constexpr qsizetype ResponseHeaderBytes = sizeof ResponseHeader - 1;

// ---------------------------------------------------------------------------------------
// Small helpers

double secondsSince(Clock::time_point start)
{
    return std::chrono::duration<double>(Clock::now() - start).count();
}

// steady_clock is CLOCK_MONOTONIC on Linux: the server thread and the client share it.
qint64 monotonicNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               Clock::now().time_since_epoch())
        .count();
}

// CPU time of the calling thread: unlike the wall clock, it does not grow while other
// processes on this shared machine hold the CPU.
double threadCpuNow()
{
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return double(now.tv_sec) + double(now.tv_nsec) / 1e9;
}

template<typename... Args>
std::string format(const char *pattern, Args... args)
{
    char buffer[512];
    std::snprintf(buffer, sizeof buffer, pattern, args...);
    return buffer;
}

// "12.34 M ev/s" for busy shapes, "61 ev/s" for the 1 MiB one.
std::string eventRate(double eventsPerSecond)
{
    return eventsPerSecond >= 1e4 ? format("%.2f M ev/s", eventsPerSecond / 1e6)
                                  : format("%.0f ev/s", eventsPerSecond);
}

double median(std::vector<double> values)
{
    if (values.empty())
        return std::nan("");
    std::sort(values.begin(), values.end());
    const size_t middle = values.size() / 2;
    return values.size() % 2 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

// Nearest-rank percentile, p in (0, 1].
double percentile(std::vector<double> values, double p)
{
    if (values.empty())
        return std::nan("");
    std::sort(values.begin(), values.end());
    const size_t rank = size_t(std::ceil(p * double(values.size())));
    return values[std::clamp<size_t>(rank, 1, values.size()) - 1];
}

std::string joinRuns(const std::vector<double> &values, const char *pattern)
{
    std::string text;
    for (double value : values)
        text += format(pattern, value) + ' ';
    return text;
}

qint64 residentBytes()
{
    std::ifstream statm("/proc/self/statm");
    long long sizePages = 0;
    long long residentPages = 0;
    if (!(statm >> sizePages >> residentPages))
        return -1;
    return residentPages * sysconf(_SC_PAGESIZE);
}

double cpuSeconds(int who)
{
    rusage usage{};
    getrusage(who, &usage);
    return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

// From /proc/.../schedstat: time on a CPU and time runnable but waiting for one.
struct SchedStat
{
    double runSeconds = 0;
    double waitSeconds = 0;
};

SchedStat readSchedStat(const std::string &path)
{
    std::ifstream file(path);
    long long runNs = 0;
    long long waitNs = 0;
    SchedStat stat;
    if (file >> runNs >> waitNs)
        stat = {double(runNs) / 1e9, double(waitNs) / 1e9};
    return stat;
}

// All live threads of this process whose name starts with \a prefix.
SchedStat threadsSchedStat(const QByteArray &prefix)
{
    SchedStat total;
    const QDir tasks(QStringLiteral("/proc/self/task"));
    for (const QString &tid : tasks.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        const std::string dir = "/proc/self/task/" + tid.toStdString();
        std::ifstream comm(dir + "/comm");
        std::string name;
        std::getline(comm, name);
        if (name.rfind(prefix.constData(), 0) != 0)
            continue;
        const SchedStat stat = readSchedStat(dir + "/schedstat");
        total.runSeconds += stat.runSeconds;
        total.waitSeconds += stat.waitSeconds;
    }
    return total;
}

std::string readFirstLine(const char *path)
{
    std::ifstream file(path);
    std::string line;
    std::getline(file, line);
    return line;
}

std::string cpuModel()
{
    std::ifstream cpuinfo("/proc/cpuinfo");
    std::string line;
    while (std::getline(cpuinfo, line)) {
        if (line.rfind("model name", 0) == 0) {
            const size_t colon = line.find(':');
            return colon == std::string::npos ? line : line.substr(colon + 2);
        }
    }
    return "unknown";
}

// ---------------------------------------------------------------------------------------
// Stream bodies

struct Body
{
    const char *name = "";
    QByteArray bytes;
    qint64 events = 0;
};

// (a) about 50 bytes per event, data only.
Body makeSmallBody(qsizetype target)
{
    Body body{"(a) small", {}, 0};
    body.bytes.reserve(target + 128);
    char event[128];
    while (body.bytes.size() < target) {
        const int length = std::snprintf(
            event, sizeof event, "data: {\"seq\":%lld,\"value\":12.345,\"name\":\"sensor-07\"}\n\n",
            static_cast<long long>(body.events));
        body.bytes.append(event, length);
        ++body.events;
    }
    return body;
}

// The event type of every event of shape (b); a client listening by type (T8) needs it.
constexpr char TypedBodyEventType[] = "tick";

// (b) id, event type and a ~50-byte JSON data line.
Body makeTypedBody(qsizetype target)
{
    Body body{"(b) typed", {}, 0};
    body.bytes.reserve(target + 192);
    char event[192];
    while (body.bytes.size() < target) {
        const long long n = body.events;
        const int length = std::snprintf(
            event, sizeof event,
            "id: %lld\nevent: %s\n"
            "data: {\"seq\":%lld,\"value\":12.345,\"unit\":\"C\",\"ok\":true}\n\n",
            n, TypedBodyEventType, n);
        body.bytes.append(event, length);
        ++body.events;
    }
    return body;
}

// (c) exactly 1024 bytes per event: id, event type, 15 data lines.
Body makeKibibyteBody(qsizetype target)
{
    Body body{"(c) 1 KiB", {}, 0};
    body.bytes.reserve(target + 1024);
    const QByteArray line =
        "data: \"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVW\",\n";
    while (body.bytes.size() < target) {
        const qsizetype start = body.bytes.size();
        body.bytes += "id: " + QByteArray::number(body.events) + "\nevent: blob\n";
        for (int i = 0; i < 14; ++i)
            body.bytes += line;
        const qsizetype used = body.bytes.size() - start;
        // Last data line padded so that the event, blank line included, is 1024 bytes.
        const qsizetype padding = 1024 - used - 8; // "data: " and "\n\n"
        body.bytes += "data: " + QByteArray(padding, 'x') + "\n\n";
        ++body.events;
    }
    return body;
}

// (d) exactly 1 MiB per event, one data line.
Body makeMebibyteBody(qsizetype target)
{
    Body body{"(d) 1 MiB", {}, 0};
    const qint64 events = qMax<qint64>(2, target / MiB);
    body.bytes.reserve(events * MiB);
    QByteArray payload(MiB - 8, Qt::Uninitialized);
    for (qsizetype i = 0; i < payload.size(); ++i)
        payload[i] = "0123456789abcdef{}\":,"[i % 21];
    for (qint64 n = 0; n < events; ++n) {
        body.bytes += "data: ";
        body.bytes += payload;
        body.bytes += "\n\n";
    }
    body.events = events;
    return body;
}

// ---------------------------------------------------------------------------------------
// Loopback load server: blocking POSIX sockets, one thread per connection

bool sendAll(int fd, const char *data, qsizetype size)
{
    while (size > 0) {
        const ssize_t sent = ::send(fd, data, size_t(size), MSG_NOSIGNAL);
        if (sent < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        data += sent;
        size -= sent;
    }
    return true;
}

int connectLoopback(quint16 port)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

class LoadServer
{
public:
    /// Writes one response body to \a fd; runs on that connection's own thread. The
    /// status line and headers are already sent. \a index counts accepted connections.
    using Handler = std::function<void(int fd, int index, const std::atomic<bool> &stopping)>;

    explicit LoadServer(Handler handler) : m_handler(std::move(handler)) {}
    ~LoadServer() { stop(); }
    LoadServer(const LoadServer &) = delete;
    LoadServer &operator=(const LoadServer &) = delete;

    bool listen()
    {
        m_listenFd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (m_listenFd < 0)
            return false;
        const int one = 1;
        ::setsockopt(m_listenFd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = 0;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t length = sizeof address;
        if (::bind(m_listenFd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0
            || ::listen(m_listenFd, 512) != 0
            || ::getsockname(m_listenFd, reinterpret_cast<sockaddr *>(&address), &length) != 0) {
            return false;
        }
        m_port = ntohs(address.sin_port);
        m_acceptor = std::thread([this] { acceptLoop(); });
        return true;
    }

    /// Stops accepting, tells paced handlers to stop and joins every thread.
    void stop()
    {
        if (m_listenFd < 0)
            return;
        m_stopping = true;
        ::shutdown(m_listenFd, SHUT_RDWR); // wakes accept() with EINVAL
        if (m_acceptor.joinable())
            m_acceptor.join();
        ::close(m_listenFd);
        m_listenFd = -1;
        std::vector<std::thread> connections;
        {
            std::lock_guard lock(m_mutex);
            connections.swap(m_connections);
        }
        for (std::thread &connection : connections)
            connection.join();
    }

    quint16 port() const { return m_port; }
    QUrl url() const { return QUrl(QStringLiteral("http://127.0.0.1:%1/stream").arg(m_port)); }

private:
    void acceptLoop()
    {
        int index = 0;
        for (;;) {
            const int fd = ::accept4(m_listenFd, nullptr, nullptr, SOCK_CLOEXEC);
            if (fd < 0) {
                if (errno == EINTR || errno == ECONNABORTED)
                    continue;
                return; // stop() shut the socket down
            }
            if (m_stopping) {
                ::close(fd);
                return;
            }
            std::lock_guard lock(m_mutex);
            m_connections.emplace_back([this, fd, index] { serve(fd, index); });
            ++index;
        }
    }

    void serve(int fd, int index)
    {
        // The request has no body: read up to the blank line, then answer.
        std::string request;
        char buffer[4096];
        while (request.find("\r\n\r\n") == std::string::npos && request.size() < 65536) {
            const ssize_t got = ::recv(fd, buffer, sizeof buffer, 0);
            if (got < 0 && errno == EINTR)
                continue;
            if (got <= 0) {
                ::close(fd);
                return;
            }
            request.append(buffer, size_t(got));
        }
        // Events must not wait for Nagle (T6); bulk writes are large anyway.
        const int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (sendAll(fd, ResponseHeader, ResponseHeaderBytes))
            m_handler(fd, index, m_stopping);
        ::shutdown(fd, SHUT_WR);
        ::close(fd);
    }

    Handler m_handler;
    int m_listenFd = -1;
    quint16 m_port = 0;
    std::atomic<bool> m_stopping{false};
    std::thread m_acceptor;
    std::mutex m_mutex;
    std::vector<std::thread> m_connections;
};

// The whole pre-generated body in one send(): the kernel takes it as fast as the
// receiver drains the socket.
LoadServer::Handler bodyHandler(const QByteArray &body)
{
    return [&body](int fd, int, const std::atomic<bool> &) {
        sendAll(fd, body.constData(), body.size());
    };
}

// ---------------------------------------------------------------------------------------
// Floors

/// Raw drain: blocking socket in this thread reads and discards the whole response.
/// Returns the seconds from connect() to EOF, or -1 if fewer bytes than expected arrived.
Q_NEVER_INLINE double drainOnce(quint16 port, qint64 bodyBytes, SchedStat *thread = nullptr)
{
    const SchedStat before = readSchedStat("/proc/thread-self/schedstat");
    const auto start = Clock::now();
    const int fd = connectLoopback(port);
    if (fd < 0)
        return -1;
    static const char request[] =
        "GET /stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n";
    if (!sendAll(fd, request, sizeof request - 1)) {
        ::close(fd);
        return -1;
    }
    std::vector<char> buffer(DrainBufferBytes);
    qint64 total = 0;
    for (;;) {
        const ssize_t got = ::recv(fd, buffer.data(), buffer.size(), 0);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        total += got;
    }
    ::close(fd);
    const double seconds = secondsSince(start);
    if (thread) {
        const SchedStat after = readSchedStat("/proc/thread-self/schedstat");
        *thread = {after.runSeconds - before.runSeconds, after.waitSeconds - before.waitSeconds};
    }
    return total == bodyBytes + ResponseHeaderBytes ? seconds : -1;
}

volatile qint64 g_sink = 0; // keeps the memchr loop from being optimised away

/// memchr newline scan, one call per line, as a line splitter does. Returns seconds.
Q_NEVER_INLINE double memchrOnce(const QByteArray &body, double *cpuSeconds = nullptr)
{
    const double cpuStart = threadCpuNow();
    const auto start = Clock::now();
    const char *p = body.constData();
    const char *end = p + body.size();
    qint64 lines = 0;
    while (p < end) {
        const char *newline = static_cast<const char *>(std::memchr(p, '\n', size_t(end - p)));
        if (!newline)
            break;
        ++lines;
        p = newline + 1;
    }
    const double seconds = secondsSince(start);
    if (cpuSeconds)
        *cpuSeconds = threadCpuNow() - cpuStart;
    g_sink = g_sink + lines;
    return seconds;
}

// ---------------------------------------------------------------------------------------
// Figures

struct ClientRun
{
    double seconds = 0;
    double threadCpuSeconds = 0; // this thread only: parsing, signal delivery, Qt's reply side
    double processCpuSeconds = 0; // also the manager's network thread and the server thread
    double threadWaitSeconds = 0; // this thread runnable but not running (other load)
    SchedStat networkThread;      // the QNetworkAccessManager thread(s) of this run
    qint64 reads = 0;             // eventsReceived/bytesReceived batches (one per network read)
    qint64 events = 0;
    qint64 bytes = 0;
    bool closed = false; // reached Closed (not Failed, not timed out)
    QString error;
};

/// T1: one Sse::Client (GET, no reconnect) reads the whole stream; only counts events.
ClientRun runClient(const QUrl &url, int timeoutMs)
{
    ClientRun run;
    Sse::Client client;
    Sse::ClientOptions options;
    options.url = url;
    options.reconnectPolicy = Sse::ReconnectPolicy::Never;
    client.setOptions(options);

    QEventLoop loop;
    bool done = false;
    QObject::connect(&client, &Sse::Client::eventsReceived, &loop,
                     [&run](const Sse::EventBatch &events) { run.events += events.size(); });
    QObject::connect(&client, &Sse::Client::errorOccurred, &loop,
                     [&run](const QString &message, bool) { run.error = message; });
    QObject::connect(&client, &Sse::Client::bytesReceived, &loop, [&run] { ++run.reads; });
    QObject::connect(&client, &Sse::Client::stateChanged, &loop,
                     [&](Sse::Client::State state) {
                         if (state == Sse::Client::State::Closed
                             || state == Sse::Client::State::Failed) {
                             done = true;
                             run.closed = state == Sse::Client::State::Closed;
                             loop.quit();
                         }
                     });
    QTimer timeout;
    timeout.setSingleShot(true);
    QObject::connect(&timeout, &QTimer::timeout, &loop, &QEventLoop::quit);
    timeout.start(timeoutMs);

    const SchedStat threadBefore = readSchedStat("/proc/thread-self/schedstat");
    const double threadCpuBefore = cpuSeconds(RUSAGE_THREAD);
    const double processCpuBefore = cpuSeconds(RUSAGE_SELF);
    const auto start = Clock::now();
    client.open();
    if (!done)
        loop.exec();
    run.seconds = secondsSince(start);
    run.threadCpuSeconds = cpuSeconds(RUSAGE_THREAD) - threadCpuBefore;
    run.processCpuSeconds = cpuSeconds(RUSAGE_SELF) - processCpuBefore;
    run.threadWaitSeconds =
        readSchedStat("/proc/thread-self/schedstat").waitSeconds - threadBefore.waitSeconds;
    // The manager's thread was started by this run (the pool dies with the last client).
    run.networkThread = threadsSchedStat("QNetworkAccess");
    run.bytes = client.statistics().bytes;
    if (!done)
        run.error = QStringLiteral("timed out");
    return run;
}

struct ParseRun
{
    double seconds = 0;
    double cpuSeconds = 0;
    qint64 events = 0;
};

/// T2: the parser alone, fed in 64 KiB chunks into one batch reused like a read loop would.
Q_NEVER_INLINE ParseRun parseOnce(const QByteArray &body)
{
    ParseRun run;
    Sse::Parser parser;
    Sse::EventBatch events;
    const double cpuStart = threadCpuNow();
    const auto start = Clock::now();
    for (qsizetype offset = 0; offset < body.size(); offset += ParserChunkBytes) {
        parser.feed(body.constData() + offset, qMin(ParserChunkBytes, body.size() - offset),
                    events);
        run.events += events.size();
        events.clear();
    }
    run.seconds = secondsSince(start);
    run.cpuSeconds = threadCpuNow() - cpuStart;
    return run;
}

struct CliRun
{
    double seconds = 0;
    double childCpuSeconds = 0; // user + system CPU of the CLI process
    double readerCpuSeconds = 0; // T8: this thread reading the child's stdout pipe
    qint64 lines = 0;
    bool ok = false;
    QString error;
};

qint64 countLines(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return -1;
    qint64 lines = 0;
    QByteArray chunk;
    while (!(chunk = file.read(MiB)).isEmpty())
        lines += std::count(chunk.cbegin(), chunk.cend(), '\n');
    return lines;
}

/// T3: sse-monitor-cli writing JSON Lines to a file, timed from start to exit.
CliRun runCli(const QString &cli, const QUrl &url, qint64 events, const QString &output,
              int timeoutMs)
{
    CliRun run;
    QFile::remove(output); // the CLI appends
    QProcess process;
    process.setProgram(cli);
    process.setArguments({url.toString(), QStringLiteral("-q"), QStringLiteral("-o"), output,
                          QStringLiteral("--max-events"), QString::number(events),
                          QStringLiteral("--no-reconnect")});
    const double childCpuBefore = cpuSeconds(RUSAGE_CHILDREN);
    const auto start = Clock::now();
    process.start();
    if (!process.waitForStarted(10000)) {
        run.error = QStringLiteral("cannot start: ") + process.errorString();
        return run;
    }
    const bool finished = process.waitForFinished(timeoutMs);
    run.seconds = secondsSince(start);
    if (!finished) {
        process.kill();
        process.waitForFinished();
        run.error = QStringLiteral("timed out");
        return run;
    }
    if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0) {
        run.error = QStringLiteral("exit code %1: %2")
                        .arg(process.exitCode())
                        .arg(QString::fromLocal8Bit(process.readAllStandardError().trimmed()));
        return run;
    }
    run.childCpuSeconds = cpuSeconds(RUSAGE_CHILDREN) - childCpuBefore;
    run.lines = countLines(output);
    run.ok = true;
    return run;
}

/// T8: one run of a child whose stdout is a pipe this process reads and discards as the
/// data comes, counting newlines, timed from start to exit. Whatever the child writes on
/// stderr is kept for the error message.
CliRun runPiped(const QString &program, const QStringList &arguments,
                const QProcessEnvironment &environment, int timeoutMs, qint64 *outputBytes)
{
    CliRun run;
    QProcess process;
    process.setProgram(program);
    process.setArguments(arguments);
    process.setProcessEnvironment(environment);
    process.setReadChannel(QProcess::StandardOutput);
    std::vector<char> buffer(DrainBufferBytes);
    qint64 lines = 0;
    qint64 bytes = 0;
    auto drainStdout = [&] {
        for (;;) {
            const qint64 got = process.read(buffer.data(), qint64(buffer.size()));
            if (got <= 0)
                return;
            bytes += got;
            lines += std::count(buffer.data(), buffer.data() + got, '\n');
        }
    };
    QEventLoop loop;
    QTimer timeout;
    timeout.setSingleShot(true);
    bool timedOut = false;
    QObject::connect(&process, &QProcess::readyReadStandardOutput, &loop, drainStdout);
    QObject::connect(&process, &QProcess::finished, &loop, &QEventLoop::quit);
    QObject::connect(&process, &QProcess::errorOccurred, &loop, [&](QProcess::ProcessError e) {
        if (e == QProcess::FailedToStart)
            loop.quit();
    });
    QObject::connect(&timeout, &QTimer::timeout, &loop, [&] {
        timedOut = true;
        loop.quit();
    });
    const double childCpuBefore = cpuSeconds(RUSAGE_CHILDREN);
    const double readerCpuBefore = threadCpuNow();
    const auto start = Clock::now();
    process.start();
    timeout.start(timeoutMs);
    loop.exec();
    run.seconds = secondsSince(start);
    run.readerCpuSeconds = threadCpuNow() - readerCpuBefore;
    if (process.error() == QProcess::FailedToStart) {
        run.error = QStringLiteral("cannot start: ") + process.errorString();
        return run;
    }
    if (timedOut) {
        process.kill();
        process.waitForFinished();
        run.error = QStringLiteral("timed out");
        return run;
    }
    drainStdout(); // whatever arrived between the last readyRead and the exit
    run.lines = lines;
    *outputBytes = bytes;
    if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0) {
        run.error = QStringLiteral("exit code %1: %2")
                        .arg(process.exitCode())
                        .arg(QString::fromLocal8Bit(process.readAllStandardError().trimmed()));
        return run;
    }
    run.childCpuSeconds = cpuSeconds(RUSAGE_CHILDREN) - childCpuBefore;
    run.ok = true;
    return run;
}

// ---------------------------------------------------------------------------------------
// Report

struct Row
{
    std::string figure;
    std::string value;
    std::string floor;
    std::string ratio;
    std::string target;
    std::string met;
};

const char *yesNo(bool met)
{
    return met ? "yes" : "NO";
}

void printTable(const std::vector<Row> &rows)
{
    const std::vector<std::string> header = {"figure", "value", "floor", "ratio", "target",
                                             "met?"};
    std::vector<size_t> widths(header.size());
    auto cells = [](const Row &row) {
        return std::vector<std::string>{row.figure, row.value, row.floor,
                                        row.ratio,  row.target, row.met};
    };
    for (size_t i = 0; i < header.size(); ++i)
        widths[i] = header[i].size();
    for (const Row &row : rows) {
        const auto values = cells(row);
        for (size_t i = 0; i < values.size(); ++i)
            widths[i] = std::max(widths[i], values[i].size());
    }
    auto printLine = [&](const std::vector<std::string> &values) {
        std::string line = "|";
        for (size_t i = 0; i < values.size(); ++i)
            line += ' ' + values[i] + std::string(widths[i] - values[i].size(), ' ') + " |";
        std::printf("%s\n", line.c_str());
    };
    printLine(header);
    std::vector<std::string> rule;
    for (size_t width : widths)
        rule.push_back(std::string(width, '-'));
    printLine(rule);
    for (const Row &row : rows)
        printLine(cells(row));
}

struct Settings
{
    bool smoke = false;
    int runs = 5;
    qsizetype bodyBytes = 64 * MiB;
    QString cli;
    QString node;        // T8: the node executable
    QString eventsource; // T8: the npm eventsource package directory (holds package.json)
    QSet<QString> only; // empty = all
    QByteArray shapes = "abcd";
    int latencyEvents = 300;
    int scaleConnections = 100;
    int scaleSeconds = 5;
    int scaleRate = 100; // events per second per connection
    int timeoutMs = 180000;

    bool wants(const char *figure) const
    {
        return only.isEmpty() || only.contains(QString::fromLatin1(figure));
    }
    bool wantsShape(char shape) const { return shapes.contains(shape); }
};

class Suite
{
public:
    explicit Suite(const Settings &settings) : m_settings(settings) {}

    int run()
    {
        printMachine();
        if (m_settings.wants("T6"))
            runLatency();
        if (m_settings.wants("T7"))
            runScale();
        if (m_settings.wants("T1") || m_settings.wants("T2") || m_settings.wants("T3")
            || m_settings.wants("T8")) {
            generateBodies();
            if (m_settings.wants("T2"))
                runParser();
            if (m_settings.wants("T1") || m_settings.wants("T3"))
                runEndToEnd();
            if (m_settings.wants("T3"))
                runCliFigure();
            if (m_settings.wants("T8"))
                runPrintPath();
        }

        std::printf("\nload average at end: %s\n", readFirstLine("/proc/loadavg").c_str());
        std::printf("\nResults (medians of %d runs for throughput; MB = 10^6 bytes, GB = 10^9 "
                    "bytes):\n\n",
                    m_settings.runs);
        printTable(m_rows);
        std::printf("\n%s\n", m_countsOk ? "counts: all event counts matched"
                                         : "counts: MISMATCH (see FAIL lines above)");
        std::fflush(stdout);
        return m_countsOk ? 0 : 1;
    }

private:
    void fail(const std::string &message)
    {
        m_countsOk = false;
        std::printf("FAIL: %s\n", message.c_str());
        std::fflush(stdout);
    }

    void section(const char *title)
    {
        std::printf("\n== %s\n", title);
        std::fflush(stdout);
    }

    void printMachine()
    {
        utsname name{};
        uname(&name);
        std::printf("bench_suite%s\n",
                    m_settings.smoke ? " --smoke (counts only, tiny sizes)" : "");
        std::printf("machine: %ld CPUs online, %s\n", sysconf(_SC_NPROCESSORS_ONLN),
                    cpuModel().c_str());
        std::printf("kernel: %s %s %s\n", name.sysname, name.release, name.machine);
        std::printf("Qt: %s at run time, built against %s\n", qVersion(), QT_VERSION_STR);
#ifdef NDEBUG
        const char *build = "NDEBUG (release)";
#else
        const char *build = "assertions on: NOT a release build, figures are not meaningful";
#endif
        std::printf("compiler: GCC %s, %s\n", __VERSION__, build);
        std::printf("load average at start: %s\n", readFirstLine("/proc/loadavg").c_str());
        std::fflush(stdout);
    }

    void generateBodies()
    {
        section("bodies");
        // Shapes left out by --shapes keep an empty body and are skipped everywhere.
        const qsizetype size = m_settings.bodyBytes;
        m_bodies.push_back(m_settings.wantsShape('a') ? makeSmallBody(size)
                                                      : Body{"(a) small", {}, 0});
        m_bodies.push_back(m_settings.wantsShape('b') ? makeTypedBody(size)
                                                      : Body{"(b) typed", {}, 0});
        m_bodies.push_back(m_settings.wantsShape('c') ? makeKibibyteBody(size)
                                                      : Body{"(c) 1 KiB", {}, 0});
        m_bodies.push_back(m_settings.wantsShape('d') ? makeMebibyteBody(size)
                                                      : Body{"(d) 1 MiB", {}, 0});
        for (const Body &body : m_bodies) {
            if (body.bytes.isEmpty())
                continue;
            std::printf("%-10s %8.2f MiB, %9lld events, %7.1f bytes/event\n", body.name,
                        double(body.bytes.size()) / MiB, static_cast<long long>(body.events),
                        double(body.bytes.size()) / double(body.events));
        }
    }

    // T2 with the memchr floor, interleaved run by run on the same body.
    void runParser()
    {
        section("T2: Sse::Parser in memory, 64 KiB chunks (floor: memchr newline scan)");
        for (size_t shape = 0; shape < m_bodies.size(); ++shape) {
            const Body &body = m_bodies[shape];
            if (body.bytes.isEmpty())
                continue;
            std::vector<double> parserRates;
            std::vector<double> eventRates;
            std::vector<double> memchrRates;
            std::vector<double> cpuEventRates; // on thread CPU time
            std::vector<double> cpuParserRates;
            std::vector<double> cpuMemchrRates;
            for (int run = 0; run < m_settings.runs; ++run) {
                double memchrCpu = 0;
                memchrRates.push_back(double(body.bytes.size()) / memchrOnce(body.bytes, &memchrCpu)
                                      / 1e9);
                cpuMemchrRates.push_back(double(body.bytes.size()) / memchrCpu / 1e9);
                const ParseRun parsed = parseOnce(body.bytes);
                if (parsed.events != body.events) {
                    fail(format("T2 %s: parser produced %lld events, body has %lld", body.name,
                                static_cast<long long>(parsed.events),
                                static_cast<long long>(body.events)));
                }
                parserRates.push_back(double(body.bytes.size()) / parsed.seconds / 1e9);
                eventRates.push_back(double(parsed.events) / parsed.seconds);
                cpuParserRates.push_back(double(body.bytes.size()) / parsed.cpuSeconds / 1e9);
                cpuEventRates.push_back(double(parsed.events) / parsed.cpuSeconds);
            }
            const double gbps = median(parserRates);
            const double eventsPerSecond = median(eventRates);
            const double floor = median(memchrRates);
            std::printf("%-10s parser GB/s: %s| M events/s: %s| memchr GB/s: %s\n", body.name,
                        joinRuns(parserRates, "%.3f").c_str(),
                        joinRuns(scaled(eventRates, 1e-6), "%.4g").c_str(),
                        joinRuns(memchrRates, "%.2f").c_str());
            std::printf("%-10s   on thread CPU time: parser GB/s %s| M events/s: %s| memchr GB/s: "
                        "%s\n",
                        body.name, joinRuns(cpuParserRates, "%.3f").c_str(),
                        joinRuns(scaled(cpuEventRates, 1e-6), "%.4g").c_str(),
                        joinRuns(cpuMemchrRates, "%.2f").c_str());
            Row row;
            row.figure = format("T2 parser %s", body.name);
            row.value = format("%s, %.3f GB/s (CPU time: %s, %.3f GB/s)",
                               eventRate(eventsPerSecond).c_str(), gbps,
                               eventRate(median(cpuEventRates)).c_str(), median(cpuParserRates));
            row.floor = format("memchr %.2f GB/s", floor);
            row.ratio = format("%.2f", gbps / floor);
            row.target = "-";
            row.met = "-";
            if (shape == 0) {
                row.target = ">= 10 M ev/s";
                row.met = yesNo(eventsPerSecond >= 10e6);
            } else if (shape == 3) {
                row.target = ">= 1.5 GB/s";
                row.met = yesNo(gbps >= 1.5);
            }
            m_rows.push_back(row);
        }
    }

    static std::vector<double> scaled(std::vector<double> values, double factor)
    {
        for (double &value : values)
            value *= factor;
        return values;
    }

    // T1 with the raw drain floor, interleaved run by run against the same server.
    void runEndToEnd()
    {
        section("T1: Sse::Client end to end (floor: raw blocking-socket drain)");
        const bool clientFigure = m_settings.wants("T1");
        // Without T1 only the floor of shape (a) is needed (for T3).
        const size_t shapes = clientFigure ? m_bodies.size() : 1;
        for (size_t shape = 0; shape < shapes; ++shape) {
            const Body &body = m_bodies[shape];
            if (body.bytes.isEmpty()) {
                m_drainMBps.push_back(std::nan(""));
                continue;
            }
            LoadServer server(bodyHandler(body.bytes));
            if (!server.listen()) {
                fail("cannot start the load server");
                return;
            }
            std::vector<double> drainRates;
            std::vector<double> clientRates;
            std::vector<double> eventRates;
            std::vector<double> busy;      // client thread CPU / wall
            std::vector<double> processCpu; // process CPU / wall (2.0 = both cores)
            std::vector<double> readSizes; // KiB per read
            std::vector<double> drainRun;  // draining thread CPU / wall
            std::vector<double> drainWait; // draining thread run-queue wait / wall
            std::vector<double> waits;     // client thread run-queue wait / wall
            std::vector<double> networkRun;  // network thread CPU / wall
            std::vector<double> networkWait; // network thread run-queue wait / wall
            for (int run = 0; run < m_settings.runs; ++run) {
                SchedStat drainThread;
                const double drain = drainOnce(server.port(), body.bytes.size(), &drainThread);
                if (drain < 0) {
                    fail(format("raw drain %s: short read", body.name));
                } else {
                    drainRates.push_back(double(body.bytes.size()) / drain / 1e6);
                    drainRun.push_back(drainThread.runSeconds / drain);
                    drainWait.push_back(drainThread.waitSeconds / drain);
                }
                if (!clientFigure)
                    continue;
                const ClientRun client = runClient(server.url(), m_settings.timeoutMs);
                QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
                if (!client.closed || client.events != body.events
                    || client.bytes != body.bytes.size()) {
                    fail(format("T1 %s: %lld events / %lld bytes received, expected %lld / %lld"
                                " (%s)",
                                body.name, static_cast<long long>(client.events),
                                static_cast<long long>(client.bytes),
                                static_cast<long long>(body.events),
                                static_cast<long long>(body.bytes.size()),
                                client.error.toLocal8Bit().constData()));
                    continue;
                }
                clientRates.push_back(double(body.bytes.size()) / client.seconds / 1e6);
                eventRates.push_back(double(client.events) / client.seconds);
                busy.push_back(client.threadCpuSeconds / client.seconds);
                waits.push_back(client.threadWaitSeconds / client.seconds);
                networkRun.push_back(client.networkThread.runSeconds / client.seconds);
                networkWait.push_back(client.networkThread.waitSeconds / client.seconds);
                processCpu.push_back(client.processCpuSeconds / client.seconds);
                readSizes.push_back(double(client.bytes) / double(qMax<qint64>(1, client.reads))
                                    / 1024.0);
            }
            const double floor = median(drainRates);
            m_drainMBps.push_back(floor);
            std::printf("%-10s raw drain MB/s: %s\n", body.name,
                        joinRuns(drainRates, "%.0f").c_str());
            std::printf("%-10s   per wall second: drain thread CPU %s| run-queue wait %s\n",
                        body.name, joinRuns(drainRun, "%.2f").c_str(),
                        joinRuns(drainWait, "%.2f").c_str());
            m_rows.push_back({format("floor: raw socket drain %s", body.name),
                              format("%.0f MB/s", floor), "-", "-", "-", "-"});
            if (!clientFigure)
                continue;
            const double mbps = median(clientRates);
            const double eventsPerSecond = median(eventRates);
            std::printf("%-10s Sse::Client MB/s: %s| M events/s: %s\n", body.name,
                        joinRuns(clientRates, "%.1f").c_str(),
                        joinRuns(scaled(eventRates, 1e-6), "%.4g").c_str());
            std::printf("%-10s   per wall second: client thread CPU %s| run-queue wait %s\n",
                        body.name, joinRuns(busy, "%.2f").c_str(), joinRuns(waits, "%.2f").c_str());
            std::printf("%-10s   network thread CPU %s| run-queue wait %s| process CPU %s\n",
                        body.name, joinRuns(networkRun, "%.2f").c_str(),
                        joinRuns(networkWait, "%.2f").c_str(),
                        joinRuns(processCpu, "%.2f").c_str());
            std::printf("%-10s   KiB per read: %s\n", body.name,
                        joinRuns(readSizes, "%.0f").c_str());
            Row row;
            row.figure = format("T1 Sse::Client %s", body.name);
            row.value = format("%.1f MB/s, %s", mbps, eventRate(eventsPerSecond).c_str());
            row.floor = format("drain %.0f MB/s", floor);
            row.ratio = format("%.3f", mbps / floor);
            row.target = "-";
            row.met = "-";
            if (shape == 0 || shape == 2) {
                const double target = shape == 0 ? 0.4 : 0.6;
                row.target = format(">= %.1f x drain", target);
                row.met = yesNo(mbps / floor >= target);
            }
            m_rows.push_back(row);
        }
    }

    void runCliFigure()
    {
        section("T3: sse-monitor-cli -q -o FILE, shape (a) (floor: raw drain of (a))");
        if (m_settings.cli.isEmpty()) {
            std::printf("skipped: no --cli given\n");
            m_rows.push_back({"T3 sse-monitor-cli (a)", "skipped (no --cli)", "-", "-",
                              ">= 0.1 x drain", "-"});
            return;
        }
        if (!QFileInfo(m_settings.cli).isExecutable()) {
            fail(format("--cli %s is not an executable", qPrintable(m_settings.cli)));
            return;
        }
        const Body &body = m_bodies[0];
        if (body.bytes.isEmpty()) {
            std::printf("skipped: shape (a) not selected\n");
            return;
        }
        const QString output =
            QStringLiteral("/tmp/bench-suite-%1.jsonl").arg(QCoreApplication::applicationPid());
        LoadServer server(bodyHandler(body.bytes));
        if (!server.listen()) {
            fail("cannot start the load server");
            return;
        }
        std::vector<double> rates;
        std::vector<double> eventRates;
        std::vector<double> childCpu; // CLI CPU seconds per wall second
        std::vector<double> cpuNsPerEvent;
        for (int run = 0; run < m_settings.runs; ++run) {
            const CliRun cli =
                runCli(m_settings.cli, server.url(), body.events, output, m_settings.timeoutMs);
            if (!cli.ok || cli.lines != body.events) {
                fail(format("T3: %lld output lines, expected %lld (%s)",
                            static_cast<long long>(cli.lines),
                            static_cast<long long>(body.events),
                            cli.error.toLocal8Bit().constData()));
                continue;
            }
            rates.push_back(double(body.bytes.size()) / cli.seconds / 1e6);
            eventRates.push_back(double(body.events) / cli.seconds);
            childCpu.push_back(cli.childCpuSeconds / cli.seconds);
            cpuNsPerEvent.push_back(cli.childCpuSeconds * 1e9 / double(body.events));
        }
        const qint64 outputBytes = QFileInfo(output).size();
        QFile::remove(output);
        const double mbps = median(rates);
        const double floor = m_drainMBps.empty() ? std::nan("") : m_drainMBps[0];
        std::printf("CLI MB/s (input): %s| M events/s: %s| output %.1f MiB of JSON Lines\n",
                    joinRuns(rates, "%.1f").c_str(),
                    joinRuns(scaled(eventRates, 1e-6), "%.4g").c_str(),
                    double(outputBytes) / MiB);
        std::printf("  CLI process CPU per wall second: %s| CPU ns per event: %s\n",
                    joinRuns(childCpu, "%.2f").c_str(), joinRuns(cpuNsPerEvent, "%.0f").c_str());
        m_rows.push_back({"T3 sse-monitor-cli -o file (a)",
                          format("%.1f MB/s, %s", mbps, eventRate(median(eventRates)).c_str()),
                          format("drain %.0f MB/s", floor), format("%.3f", mbps / floor),
                          ">= 0.1 x drain", yesNo(mbps / floor >= 0.1)});
    }

    // T8: the CLI printing JSON Lines to a pipe next to node + npm eventsource printing the
    // same, and the raw drain, interleaved run by run against one server per shape.
    void runPrintPath()
    {
        section("T8: sse-monitor-cli | pipe vs node eventsource | pipe, shapes (a) (b) "
                "(floor: raw drain)");
        const QString script =
            QCoreApplication::applicationDirPath() + QStringLiteral("/eventsource_client.mjs");
        if (m_settings.cli.isEmpty() || !QFileInfo(m_settings.cli).isExecutable()) {
            std::printf("skipped: no --cli given\n");
            m_rows.push_back({"T8 CLI | pipe", "skipped (no --cli)", "-", "-", "-", "-"});
            return;
        }
        if (m_settings.node.isEmpty() || !QFileInfo(m_settings.node).isExecutable()
            || m_settings.eventsource.isEmpty() || !QFileInfo::exists(script)) {
            std::printf("skipped: node or eventsource not found (--node '%s', --eventsource "
                        "'%s', %s)\n",
                        qPrintable(m_settings.node), qPrintable(m_settings.eventsource),
                        qPrintable(script));
            m_rows.push_back({"T8 CLI | pipe vs node", "skipped: node or eventsource not found",
                              "-", "-", "-", "-"});
            return;
        }
        QProcessEnvironment nodeEnvironment = QProcessEnvironment::systemEnvironment();
        nodeEnvironment.insert(QStringLiteral("SSE_BENCH_EVENTSOURCE"), m_settings.eventsource);
        const QProcessEnvironment cliEnvironment = QProcessEnvironment::systemEnvironment();
        std::printf("node: %s, eventsource: %s\n", qPrintable(m_settings.node),
                    qPrintable(m_settings.eventsource));

        for (size_t shape = 0; shape < 2 && shape < m_bodies.size(); ++shape) {
            const Body &body = m_bodies[shape];
            if (body.bytes.isEmpty())
                continue;
            const QString type = shape == 0 ? QStringLiteral("message")
                                            : QString::fromLatin1(TypedBodyEventType);
            LoadServer server(bodyHandler(body.bytes));
            if (!server.listen()) {
                fail("cannot start the load server");
                return;
            }
            const QString url = server.url().toString();
            const QString events = QString::number(body.events);
            std::vector<double> drainRates;
            std::vector<double> cliRates, cliEventRates, cliNs;
            std::vector<double> nodeRates, nodeEventRates, nodeNs;
            std::vector<double> readerBusy; // reading the CLI's pipe: CPU per wall second
            std::vector<double> cliOverNode, cliOverDrain;
            qint64 cliOutput = 0;
            qint64 nodeOutput = 0;
            auto piped = [&](const char *who, const QString &program, const QStringList &args,
                             const QProcessEnvironment &environment, qint64 *output,
                             std::vector<double> &rates, std::vector<double> &eventRates,
                             std::vector<double> &nsPerEvent) {
                const CliRun child =
                    runPiped(program, args, environment, m_settings.timeoutMs, output);
                if (!child.ok || child.lines != body.events) {
                    fail(format("T8 %s %s: %lld lines on stdout, expected %lld (%s)", who,
                                body.name, static_cast<long long>(child.lines),
                                static_cast<long long>(body.events),
                                child.error.toLocal8Bit().constData()));
                    return std::nan("");
                }
                rates.push_back(double(body.bytes.size()) / child.seconds / 1e6);
                eventRates.push_back(double(body.events) / child.seconds);
                nsPerEvent.push_back(child.childCpuSeconds * 1e9 / double(body.events));
                if (&rates == &cliRates)
                    readerBusy.push_back(child.readerCpuSeconds / child.seconds);
                return rates.back();
            };
            for (int run = 0; run < m_settings.runs; ++run) {
                const double drain = drainOnce(server.port(), body.bytes.size());
                double drainRate = std::nan("");
                if (drain < 0) {
                    fail(format("T8 raw drain %s: short read", body.name));
                } else {
                    drainRate = double(body.bytes.size()) / drain / 1e6;
                    drainRates.push_back(drainRate);
                }
                const double cli = piped("sse-monitor-cli", m_settings.cli,
                                         {url, QStringLiteral("--no-reconnect"),
                                          QStringLiteral("--max-events"), events},
                                         cliEnvironment, &cliOutput, cliRates, cliEventRates,
                                         cliNs);
                const double node = piped("node eventsource", m_settings.node,
                                          {script, url, events, type}, nodeEnvironment,
                                          &nodeOutput, nodeRates, nodeEventRates, nodeNs);
                if (!std::isnan(cli) && !std::isnan(node))
                    cliOverNode.push_back(cli / node);
                if (!std::isnan(cli) && !std::isnan(drainRate))
                    cliOverDrain.push_back(cli / drainRate);
            }
            const double floor = median(drainRates);
            const double cliMBps = median(cliRates);
            const double nodeMBps = median(nodeRates);
            std::printf("%-10s raw drain MB/s: %s\n", body.name,
                        joinRuns(drainRates, "%.0f").c_str());
            std::printf("%-10s CLI | pipe MB/s (input): %s| M events/s: %s| CPU ns/event: %s| "
                        "stdout %.1f MiB\n",
                        body.name, joinRuns(cliRates, "%.1f").c_str(),
                        joinRuns(scaled(cliEventRates, 1e-6), "%.4g").c_str(),
                        joinRuns(cliNs, "%.0f").c_str(), double(cliOutput) / MiB);
            std::printf("%-10s   reading the CLI's pipe (this thread): CPU per wall second %s\n",
                        body.name, joinRuns(readerBusy, "%.2f").c_str());
            std::printf("%-10s node eventsource | pipe MB/s: %s| M events/s: %s| CPU ns/event: "
                        "%s| stdout %.1f MiB\n",
                        body.name, joinRuns(nodeRates, "%.1f").c_str(),
                        joinRuns(scaled(nodeEventRates, 1e-6), "%.4g").c_str(),
                        joinRuns(nodeNs, "%.0f").c_str(), double(nodeOutput) / MiB);
            std::printf("%-10s per run: CLI/node %s| CLI/drain %s\n", body.name,
                        joinRuns(cliOverNode, "%.2f").c_str(),
                        joinRuns(cliOverDrain, "%.3f").c_str());
            m_rows.push_back({format("T8 floor: raw socket drain %s", body.name),
                              format("%.0f MB/s", floor), "-", "-", "-", "-"});
            m_rows.push_back({format("T8 node eventsource | pipe %s", body.name),
                              format("%.1f MB/s, %s", nodeMBps,
                                     eventRate(median(nodeEventRates)).c_str()),
                              format("drain %.0f MB/s", floor), format("%.3f", nodeMBps / floor),
                              "-", "-"});
            m_rows.push_back({format("T8 sse-monitor-cli | pipe %s", body.name),
                              format("%.1f MB/s, %s", cliMBps,
                                     eventRate(median(cliEventRates)).c_str()),
                              format("drain %.0f MB/s", floor), format("%.3f", cliMBps / floor),
                              ">= 0.1 x drain", yesNo(cliMBps / floor >= 0.1)});
            m_rows.push_back({format("T8 CLI / node eventsource %s", body.name),
                              format("%.2f x", cliMBps / nodeMBps),
                              format("node %.1f MB/s", nodeMBps),
                              format("%.2f", cliMBps / nodeMBps), ">= 3 x node",
                              yesNo(cliMBps / nodeMBps >= 3)});
        }
    }

    // T6: one event every 10 ms carrying the server's CLOCK_MONOTONIC time.
    void runLatency()
    {
        section("T6: latency at 100 events/s (floor: raw blocking-socket read)");
        const int count = m_settings.latencyEvents;
        const auto interval = std::chrono::milliseconds(10);
        LoadServer server([count, interval](int fd, int, const std::atomic<bool> &stopping) {
            const auto start = Clock::now();
            char event[64];
            for (int i = 0; i < count && !stopping; ++i) {
                std::this_thread::sleep_until(start + (i + 1) * interval);
                const int length = std::snprintf(event, sizeof event, "data: %lld\n\n",
                                                 static_cast<long long>(monotonicNs()));
                if (!sendAll(fd, event, length))
                    return;
            }
        });
        if (!server.listen()) {
            fail("cannot start the load server");
            return;
        }

        // Floor first: the same stream read by a blocking socket in this thread.
        const std::vector<double> raw = rawLatencies(server.port());
        if (qsizetype(raw.size()) != count)
            fail(format("T6 floor: %zu events, expected %d", raw.size(), count));

        std::vector<double> latencies;
        latencies.reserve(count);
        Sse::Client client;
        Sse::ClientOptions options;
        options.url = server.url();
        options.reconnectPolicy = Sse::ReconnectPolicy::Never;
        client.setOptions(options);
        QEventLoop loop;
        QObject::connect(&client, &Sse::Client::eventsReceived, &loop,
                         [&latencies](const Sse::EventBatch &events) {
                             const qint64 now = monotonicNs();
                             for (const Sse::Event &event : events.toList())
                                 latencies.push_back(double(now - event.data.toLongLong()) / 1e6);
                         });
        QObject::connect(&client, &Sse::Client::stateChanged, &loop,
                         [&loop](Sse::Client::State state) {
                             if (state == Sse::Client::State::Closed
                                 || state == Sse::Client::State::Failed) {
                                 loop.quit();
                             }
                         });
        QTimer::singleShot(count * 10 + 30000, &loop, &QEventLoop::quit);
        const SchedStat threadBefore = readSchedStat("/proc/thread-self/schedstat");
        client.open();
        loop.exec();
        const SchedStat threadAfter = readSchedStat("/proc/thread-self/schedstat");
        const SchedStat network = threadsSchedStat("QNetworkAccess");
        if (qsizetype(latencies.size()) != count)
            fail(format("T6: %zu events received, expected %d", latencies.size(), count));

        const double p50 = percentile(latencies, 0.50);
        const double p99 = percentile(latencies, 0.99);
        const double rawP50 = percentile(raw, 0.50);
        const double rawP99 = percentile(raw, 0.99);
        std::printf("Sse::Client: %zu events, p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, max %.3f ms\n",
                    latencies.size(), p50, percentile(latencies, 0.9), p99,
                    percentile(latencies, 1.0));
        std::printf("raw socket:  %zu events, p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, max %.3f ms\n",
                    raw.size(), rawP50, percentile(raw, 0.9), rawP99, percentile(raw, 1.0));
        // A stall of the client shows as consecutive slow events 10 ms apart (60, 50, 40 ..).
        std::string slow;
        for (size_t i = 0; i < latencies.size(); ++i) {
            if (latencies[i] > 2.0)
                slow += format(" #%zu:%.1f", i, latencies[i]);
        }
        std::printf("Sse::Client events over 2 ms (index:ms):%s\n",
                    slow.empty() ? " none" : slow.c_str());
        std::printf("run-queue wait during the Sse::Client run: this thread %.1f ms (on CPU %.1f "
                    "ms), network thread %.1f ms (on CPU %.1f ms)\n",
                    (threadAfter.waitSeconds - threadBefore.waitSeconds) * 1e3,
                    (threadAfter.runSeconds - threadBefore.runSeconds) * 1e3,
                    network.waitSeconds * 1e3, network.runSeconds * 1e3);
        m_rows.push_back({"T6 latency p50 (100 ev/s)", format("%.3f ms", p50),
                          format("raw %.3f ms", rawP50), format("%.1fx", p50 / rawP50),
                          "<= 0.5 ms", yesNo(p50 <= 0.5)});
        m_rows.push_back({"T6 latency p99 (100 ev/s)", format("%.3f ms", p99),
                          format("raw %.3f ms", rawP99), format("%.1fx", p99 / rawP99),
                          "<= 2 ms", yesNo(p99 <= 2.0)});
    }

    static std::vector<double> rawLatencies(quint16 port)
    {
        std::vector<double> latencies;
        const int fd = connectLoopback(port);
        if (fd < 0)
            return latencies;
        static const char request[] = "GET /stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
        sendAll(fd, request, sizeof request - 1);
        std::string pending;
        bool headerDone = false;
        char buffer[4096];
        for (;;) {
            const ssize_t got = ::recv(fd, buffer, sizeof buffer, 0);
            if (got < 0 && errno == EINTR)
                continue;
            if (got <= 0)
                break;
            const qint64 now = monotonicNs();
            pending.append(buffer, size_t(got));
            if (!headerDone) {
                const size_t end = pending.find("\r\n\r\n");
                if (end == std::string::npos)
                    continue;
                pending.erase(0, end + 4);
                headerDone = true;
            }
            size_t end;
            while ((end = pending.find("\n\n")) != std::string::npos) {
                const qint64 sent = std::stoll(pending.substr(6, end - 6)); // after "data: "
                latencies.push_back(double(now - sent) / 1e6);
                pending.erase(0, end + 2);
            }
        }
        ::close(fd);
        return latencies;
    }

    // T7: many concurrent Sse::Clients in this thread, each stream paced by its own server thread.
    void runScale()
    {
        const int connections = m_settings.scaleConnections;
        const int perConnection = m_settings.scaleRate * m_settings.scaleSeconds;
        section(format("T7: %d concurrent Sse::Client streams, %d events/s each for %d s",
                       connections, m_settings.scaleRate, m_settings.scaleSeconds)
                    .c_str());
        std::atomic<qint64> sent{0};
        std::atomic<qint64> serverCpuMicroseconds{0};
        const auto interval = std::chrono::microseconds(1000000 / m_settings.scaleRate);
        LoadServer server([&, perConnection, interval](int fd, int index,
                                                        const std::atomic<bool> &stopping) {
            const auto start = Clock::now();
            char event[128];
            for (int i = 0; i < perConnection && !stopping; ++i) {
                std::this_thread::sleep_until(start + i * interval);
                const int length = std::snprintf(
                    event, sizeof event,
                    "id: %d\ndata: {\"connection\":%d,\"seq\":%d,\"value\":12.345}\n\n", i, index,
                    i);
                if (!sendAll(fd, event, length))
                    break;
                ++sent;
            }
            // Server threads share this process: their CPU is subtracted from the total.
            rusage usage{};
            getrusage(RUSAGE_THREAD, &usage);
            serverCpuMicroseconds += qint64(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000000
                + usage.ru_utime.tv_usec + usage.ru_stime.tv_usec;
        });
        if (!server.listen()) {
            fail("cannot start the load server");
            return;
        }

        const qint64 rssBefore = residentBytes();
        const double cpuBefore = cpuSeconds(RUSAGE_SELF);
        const double mainCpuBefore = cpuSeconds(RUSAGE_THREAD);
        const auto start = Clock::now();

        std::vector<std::unique_ptr<Sse::Client>> clients;
        qint64 received = 0;
        qint64 reads = 0;
        int opened = 0;
        int openNow = 0;
        int peakOpen = 0;
        int ended = 0;
        int failed = 0;
        qint64 peakRss = rssBefore;
        QEventLoop loop;
        for (int i = 0; i < connections; ++i) {
            auto client = std::make_unique<Sse::Client>();
            Sse::ClientOptions options;
            options.url = server.url();
            options.reconnectPolicy = Sse::ReconnectPolicy::Never;
            client->setOptions(options);
            QObject::connect(client.get(), &Sse::Client::eventsReceived, &loop,
                             [&received, &reads](const Sse::EventBatch &events) {
                                 received += events.size();
                                 ++reads;
                             });
            QObject::connect(client.get(), &Sse::Client::stateChanged, &loop,
                             [&, wasOpen = false](Sse::Client::State state) mutable {
                                 if (state == Sse::Client::State::Open) {
                                     wasOpen = true;
                                     ++opened;
                                     peakOpen = std::max(peakOpen, ++openNow);
                                 } else if (state == Sse::Client::State::Closed
                                            || state == Sse::Client::State::Failed) {
                                     if (wasOpen)
                                         --openNow;
                                     failed += state == Sse::Client::State::Failed;
                                     if (++ended == connections)
                                         loop.quit();
                                 }
                             });
            clients.push_back(std::move(client));
        }
        QTimer sampler;
        QObject::connect(&sampler, &QTimer::timeout, &loop,
                         [&peakRss] { peakRss = std::max(peakRss, residentBytes()); });
        sampler.start(200);
        QTimer::singleShot(m_settings.scaleSeconds * 1000 + 30000, &loop, &QEventLoop::quit);
        for (const auto &client : clients)
            client->open();
        loop.exec();
        sampler.stop();

        const double wall = secondsSince(start);
        const double cpuTotal = cpuSeconds(RUSAGE_SELF) - cpuBefore;
        const double cpuServer = double(serverCpuMicroseconds.load()) / 1e6;
        const double cpuClient = cpuTotal - cpuServer;
        const double cpuMain = cpuSeconds(RUSAGE_THREAD) - mainCpuBefore;
        // The managers' threads live as long as the pool, that is until the clients go.
        const SchedStat network = threadsSchedStat("QNetworkAccess");
        clients.clear();
        QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);

        const qint64 expected = qint64(connections) * perConnection;
        std::printf("opened %d/%d (peak %d open at once), failed %d, ended %d\n", opened,
                    connections, peakOpen, failed, ended);
        std::printf("events: sent %lld, received %lld, expected %lld\n",
                    static_cast<long long>(sent.load()), static_cast<long long>(received),
                    static_cast<long long>(expected));
        std::printf("wall %.2f s; process CPU %.2f s = server threads %.2f s + client %.2f s "
                    "(%.1f%% of one core)\n",
                    wall, cpuTotal, cpuServer, cpuClient, 100.0 * cpuClient / wall);
        std::printf("client CPU split: this thread %.2f s, network threads %.2f s; "
                    "%.1f events per eventsReceived, %.1f us client CPU per event\n",
                    cpuMain, network.runSeconds, double(received) / double(qMax<qint64>(1, reads)),
                    cpuClient * 1e6 / double(qMax<qint64>(1, received)));
        std::printf("RSS before %.1f MiB, peak %.1f MiB (+%.1f MiB)\n", double(rssBefore) / MiB,
                    double(peakRss) / MiB, double(peakRss - rssBefore) / MiB);
        if (opened != connections)
            fail(format("T7: %d of %d clients opened", opened, connections));
        if (sent.load() != expected || received != expected)
            fail(format("T7: sent %lld, received %lld, expected %lld",
                        static_cast<long long>(sent.load()), static_cast<long long>(received),
                        static_cast<long long>(expected)));

        m_rows.push_back({format("T7 streams opened (%d)", connections),
                          format("%d/%d, peak %d at once", opened, connections, peakOpen), "-",
                          "-", format("all %d", connections), yesNo(opened == connections)});
        m_rows.push_back({"T7 events received / sent",
                          format("%lld / %lld", static_cast<long long>(received),
                                 static_cast<long long>(sent.load())),
                          "-", "-", "all", yesNo(received == expected && sent == expected)});
        m_rows.push_back({format("T7 client CPU (%d x %d ev/s)", connections,
                                 m_settings.scaleRate),
                          format("%.2f s over %.1f s = %.1f%% of a core", cpuClient, wall,
                                 100.0 * cpuClient / wall),
                          "-", "-", "-", "-"});
        m_rows.push_back({"T7 RSS", format("peak %.1f MiB (+%.1f MiB)", double(peakRss) / MiB,
                                           double(peakRss - rssBefore) / MiB),
                          "-", "-", "-", "-"});
    }

    Settings m_settings;
    std::vector<Body> m_bodies;
    std::vector<double> m_drainMBps; // per shape, for T3
    std::vector<Row> m_rows;
    bool m_countsOk = true;
};

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("bench_suite"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "SSE Monitor benchmark suite: throughput, latency and scale against a loopback server."));
    parser.addHelpOption();
    const QCommandLineOption smokeOption(
        QStringLiteral("smoke"),
        QStringLiteral("Tiny sizes, one run: only checks that counts match."));
    const QCommandLineOption cliOption(QStringLiteral("cli"),
                                       QStringLiteral("Path of sse-monitor-cli (for T3)."),
                                       QStringLiteral("PATH"));
    const QCommandLineOption runsOption(QStringLiteral("runs"),
                                        QStringLiteral("Runs per throughput figure (default 5)."),
                                        QStringLiteral("N"));
    const QCommandLineOption sizeOption(QStringLiteral("size-mib"),
                                        QStringLiteral("Body size per shape (default 64)."),
                                        QStringLiteral("MIB"));
    const QCommandLineOption onlyOption(QStringLiteral("only"),
                                        QStringLiteral("Comma-separated figures: T1,T2,T3,T6,T7,T8."),
                                        QStringLiteral("LIST"));
    const QCommandLineOption shapesOption(
        QStringLiteral("shapes"), QStringLiteral("Stream shapes for T1/T2/T3 (default abcd)."),
        QStringLiteral("LETTERS"));
    const QCommandLineOption nodeOption(
        QStringLiteral("node"),
        QStringLiteral("The node executable for T8 (default: node on PATH)."),
        QStringLiteral("PATH"));
    const QCommandLineOption eventsourceOption(
        QStringLiteral("eventsource"),
        QStringLiteral("For T8: the npm eventsource package, or a directory with "
                       "node_modules/eventsource in it."),
        QStringLiteral("DIR"));
    parser.addOptions({smokeOption, cliOption, runsOption, sizeOption, onlyOption, shapesOption,
                       nodeOption, eventsourceOption});
    parser.process(app);

    Settings settings;
    if (parser.isSet(smokeOption)) {
        settings.smoke = true;
        settings.runs = 1;
        settings.bodyBytes = 1 * MiB;
        settings.latencyEvents = 30;
        settings.scaleConnections = 12; // more than one manager's 6 connections
        settings.scaleSeconds = 1;
        settings.timeoutMs = 30000;
    }
    settings.cli = parser.value(cliOption);
    settings.node = parser.isSet(nodeOption) ? parser.value(nodeOption)
                                             : QStandardPaths::findExecutable(QStringLiteral("node"));
    if (parser.isSet(eventsourceOption)) {
        const QDir given(parser.value(eventsourceOption));
        // Either the package itself or the prefix npm installed it under.
        settings.eventsource = QFileInfo::exists(given.filePath(QStringLiteral("package.json")))
                                       && !given.exists(QStringLiteral("node_modules/eventsource"))
                                   ? given.absolutePath()
                                   : given.absoluteFilePath(QStringLiteral("node_modules/eventsource"));
        if (!QFileInfo::exists(settings.eventsource + QStringLiteral("/package.json")))
            settings.eventsource.clear(); // T8 reports it as not found
    }
    if (parser.isSet(runsOption)) {
        bool ok = false;
        settings.runs = parser.value(runsOption).toInt(&ok);
        if (!ok || settings.runs < 1) {
            std::fprintf(stderr, "bench_suite: --runs takes a positive number\n");
            return 2;
        }
    }
    if (parser.isSet(sizeOption)) {
        bool ok = false;
        const int mib = parser.value(sizeOption).toInt(&ok);
        if (!ok || mib < 1) {
            std::fprintf(stderr, "bench_suite: --size-mib takes a positive number\n");
            return 2;
        }
        settings.bodyBytes = mib * MiB;
    }
    if (parser.isSet(onlyOption)) {
        const QStringList figures = parser.value(onlyOption).toUpper().split(QLatin1Char(','));
        for (const QString &figure : figures)
            settings.only.insert(figure.trimmed());
    }

    if (parser.isSet(shapesOption))
        settings.shapes = parser.value(shapesOption).toLatin1().toLower();

    Suite suite(settings);
    return suite.run();
}
