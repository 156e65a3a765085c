// bench_proxy: what the recording proxy (`sse-monitor-cli proxy`) costs a stream, side by
// side with the same stream fetched directly, interleaved run by run. A plain program, not a
// test; scripts/bench.sh runs it.
//
//   bench_proxy [--cli build-bench/app/sse-monitor-cli] [--mib 64] [--runs 3] [--events 500]
//
// P1 latency: the upstream writes `data: <seq>` every 5 ms (TCP_NODELAY) and notes when; a
// blocking client notes when each event is complete on its socket. Same process, same
// monotonic clock: delay = arrival - write, direct and through the proxy; the added latency is
// the proxy's percentile minus the direct one.
// P2 throughput: a 64 MiB event-stream body written as fast as the socket takes it, drained
// by a blocking client, direct and through the proxy (which parses every event, and prints
// them as JSON Lines to /dev/null, or with -q prints nothing). The clock stops at the end of
// the body: the close of the upstream's close-delimited one, the last chunk of the proxy's
// chunked one (the proxy keeps client connections alive, so its close would come only after
// its idle timeout).
//
// The upstream is plain POSIX sockets on a thread of its own; the proxy is the CLI in a child
// process. Exit code 0 when every byte and event arrived, 1 otherwise; timing is reported,
// never asserted (the machine is shared).

#include <QCoreApplication>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QStringList>

#include <algorithm>
#include <arpa/inet.h>
#include <atomic>
#include <chrono>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point start, Clock::time_point end)
{
    return std::chrono::duration<double, std::milli>(end - start).count();
}

double percentile(std::vector<double> values, double p)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    const size_t rank = size_t(std::max(1.0, std::ceil(p * double(values.size()))));
    return values[std::min(rank, values.size()) - 1];
}

int listenLoopback(quint16 *port)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in address {};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0
        || ::listen(fd, 64) != 0) {
        ::close(fd);
        return -1;
    }
    socklen_t length = sizeof address;
    ::getsockname(fd, reinterpret_cast<sockaddr *>(&address), &length);
    *port = ntohs(address.sin_port);
    return fd;
}

int connectLoopback(quint16 port)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address {};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0) {
        ::close(fd);
        return -1;
    }
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

bool writeAll(int fd, const char *data, size_t size)
{
    while (size > 0) {
        const ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
        if (n <= 0)
            return false;
        data += n;
        size -= size_t(n);
    }
    return true;
}

// Reads a request head (up to the blank line) from \a fd.
void readHead(int fd)
{
    std::string head;
    char buffer[4096];
    while (head.find("\r\n\r\n") == std::string::npos) {
        const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n <= 0)
            return;
        head.append(buffer, size_t(n));
    }
}

// The upstream: one connection at a time, each answered by \a serve.
class Upstream
{
public:
    enum class Mode { Paced, Bulk };

    bool start()
    {
        m_fd = listenLoopback(&m_port);
        if (m_fd < 0)
            return false;
        m_thread = std::thread([this] { run(); });
        return true;
    }
    ~Upstream() { stop(); }
    void stop()
    {
        if (m_stopping.exchange(true))
            return;
        ::shutdown(m_fd, SHUT_RDWR);
        ::close(m_fd);
        if (m_thread.joinable())
            m_thread.join();
    }
    quint16 port() const { return m_port; }

    // What the next connection gets.
    void setPaced(int events, int gapMs)
    {
        m_mode = Mode::Paced;
        m_events = events;
        m_gapMs = gapMs;
        m_sent.assign(size_t(events), Clock::time_point());
    }
    void setBulk(const std::string *body)
    {
        m_mode = Mode::Bulk;
        m_body = body;
    }
    const std::vector<Clock::time_point> &sentTimes() const { return m_sent; }

private:
    void run()
    {
        while (!m_stopping) {
            const int client = ::accept(m_fd, nullptr, nullptr);
            if (client < 0)
                return;
            const int one = 1;
            ::setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            readHead(client);
            static const char head[] = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                                       "Cache-Control: no-cache\r\nConnection: close\r\n\r\n";
            writeAll(client, head, sizeof head - 1);
            if (m_mode == Mode::Bulk) {
                writeAll(client, m_body->data(), m_body->size());
            } else {
                const auto start = Clock::now();
                for (int i = 0; i < m_events; ++i) {
                    std::this_thread::sleep_until(start + std::chrono::milliseconds(i * m_gapMs));
                    const std::string event = "data: " + std::to_string(i) + "\n\n";
                    m_sent[size_t(i)] = Clock::now();
                    if (!writeAll(client, event.data(), event.size()))
                        break;
                }
            }
            ::shutdown(client, SHUT_WR);
            char sink[4096];
            while (::recv(client, sink, sizeof sink, 0) > 0) { }
            ::close(client);
        }
    }

    int m_fd = -1;
    quint16 m_port = 0;
    std::thread m_thread;
    std::atomic<bool> m_stopping {false};
    Mode m_mode = Mode::Bulk;
    int m_events = 0;
    int m_gapMs = 0;
    const std::string *m_body = nullptr;
    std::vector<Clock::time_point> m_sent;
};

const char RequestHead[] =
    "GET /stream HTTP/1.1\r\nHost: bench\r\nAccept: text/event-stream\r\n\r\n";

// Reads the paced stream; notes when `data: <seq>\n\n` is complete for each seq (chunk framing
// from the proxy sits between events, never inside one: each event is one upstream write).
bool readPaced(quint16 port, int events, std::vector<Clock::time_point> *arrivals)
{
    arrivals->assign(size_t(events), Clock::time_point());
    const int fd = connectLoopback(port);
    if (fd < 0 || !writeAll(fd, RequestHead, sizeof RequestHead - 1))
        return false;
    std::string buffer;
    size_t scanned = 0;
    int seen = 0;
    char chunk[65536];
    while (seen < events) {
        const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
        if (n <= 0)
            break;
        const auto now = Clock::now();
        buffer.append(chunk, size_t(n));
        for (;;) {
            const size_t data = buffer.find("data: ", scanned);
            if (data == std::string::npos)
                break;
            const size_t end = buffer.find("\n\n", data);
            if (end == std::string::npos)
                break;
            const int seq = std::atoi(buffer.c_str() + data + 6);
            if (seq >= 0 && seq < events && (*arrivals)[size_t(seq)] == Clock::time_point()) {
                (*arrivals)[size_t(seq)] = now;
                ++seen;
            }
            scanned = end + 2;
        }
    }
    ::close(fd);
    return seen == events;
}

// The body of one response as it arrives: through a chunked framing (what the proxy sends
// for a body without a length) or until the close (what the upstream sends).
class BodyReader
{
public:
    // Feeds received bytes; true once the body is complete (the last chunk was read).
    bool feed(const char *data, size_t size)
    {
        while (size > 0) {
            if (m_inHead) {
                m_head.append(data, size);
                const size_t end = m_head.find("\r\n\r\n");
                if (end == std::string::npos)
                    return false;
                std::string head = m_head.substr(0, end);
                std::transform(head.begin(), head.end(), head.begin(),
                               [](unsigned char c) { return char(std::tolower(c)); });
                m_chunked = head.find("\r\ntransfer-encoding: chunked") != std::string::npos;
                m_inHead = false;
                const std::string rest = m_head.substr(end + 4);
                m_head.clear();
                return feed(rest.data(), rest.size());
            }
            if (!m_chunked) {
                m_bodyBytes += qint64(size);
                return false;
            }
            if (m_chunkLeft > 0) { // chunk data, then its CRLF
                const size_t take = size_t(std::min<qint64>(m_chunkLeft, qint64(size)));
                if (m_chunkLeft > 2) // the last two are the CRLF after the data
                    m_bodyBytes += std::min<qint64>(qint64(take), m_chunkLeft - 2);
                m_chunkLeft -= qint64(take);
                data += take;
                size -= take;
                continue;
            }
            const char *newline = static_cast<const char *>(std::memchr(data, '\n', size));
            const size_t take = newline ? size_t(newline - data) + 1 : size;
            m_sizeLine.append(data, take);
            data += take;
            size -= take;
            if (!newline)
                continue;
            const qint64 chunk = std::strtoll(m_sizeLine.c_str(), nullptr, 16);
            m_sizeLine.clear();
            if (chunk == 0)
                return true; // the last chunk: the body is complete ("\r\n" follows)
            m_chunkLeft = chunk + 2;
        }
        return false;
    }
    // Body bytes without the framing.
    qint64 bodyBytes() const { return m_bodyBytes; }
    bool chunked() const { return m_chunked; }

private:
    bool m_inHead = true;
    bool m_chunked = false;
    std::string m_head;
    std::string m_sizeLine;
    qint64 m_chunkLeft = 0; // chunk data + CRLF still to come
    qint64 m_bodyBytes = 0;
};

// Drains the bulk stream; returns its body bytes, -1 on failure. The clock stops when the
// body is complete: at the close for the upstream's close-delimited body, at the last chunk
// for the proxy's chunked one (the proxy keeps the connection open for the next request, as
// HTTP/1.1 has it, so waiting for its close would time its idle timeout, not the stream).
qint64 drain(quint16 port, double *ms)
{
    const auto start = Clock::now();
    const int fd = connectLoopback(port);
    if (fd < 0 || !writeAll(fd, RequestHead, sizeof RequestHead - 1))
        return -1;
    std::vector<char> buffer(1 << 20);
    BodyReader body;
    bool complete = false;
    for (;;) {
        const ssize_t n = ::recv(fd, buffer.data(), buffer.size(), 0);
        if (n <= 0) {
            complete = !body.chunked(); // a chunked body cut before its last chunk is not
            break;
        }
        if (body.feed(buffer.data(), size_t(n))) {
            complete = true;
            break;
        }
    }
    *ms = msSince(start, Clock::now());
    ::close(fd);
    return complete ? body.bodyBytes() : -1;
}

// CPU time (user + system) of process \a pid so far, in seconds.
double cpuSeconds(qint64 pid)
{
    FILE *file = std::fopen(("/proc/" + std::to_string(pid) + "/stat").c_str(), "r");
    if (!file)
        return 0;
    char text[4096] = {};
    const size_t n = std::fread(text, 1, sizeof text - 1, file);
    std::fclose(file);
    const char *fields = std::strrchr(text, ')'); // the command name may hold spaces
    if (!fields || n == 0)
        return 0;
    unsigned long long utime = 0;
    unsigned long long stime = 0;
    // After ") ": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
    std::sscanf(fields + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime,
                &stime);
    return double(utime + stime) / double(sysconf(_SC_CLK_TCK));
}

// The first three fields of /proc/loadavg (1, 5 and 15 minutes): the machine is shared.
std::string loadAverage()
{
    FILE *file = std::fopen("/proc/loadavg", "r");
    if (!file)
        return "?";
    double one = 0;
    double five = 0;
    double fifteen = 0;
    const int read = std::fscanf(file, "%lf %lf %lf", &one, &five, &fifteen);
    std::fclose(file);
    if (read != 3)
        return "?";
    char text[64];
    std::snprintf(text, sizeof text, "%.2f %.2f %.2f", one, five, fifteen);
    return text;
}

// `sse-monitor-cli proxy --listen 127.0.0.1:0 --upstream ... [EXTRA]`, stdout to /dev/null.
struct ProxyProcess
{
    bool start(const QString &cli, quint16 upstreamPort, const QStringList &extra)
    {
        process.setStandardOutputFile(QProcess::nullDevice());
        process.setReadChannel(QProcess::StandardError);
        process.start(cli,
                      QStringList {QStringLiteral("proxy"), QStringLiteral("--listen"),
                                   QStringLiteral("127.0.0.1:0"), QStringLiteral("--upstream"),
                                   QStringLiteral("http://127.0.0.1:%1").arg(upstreamPort)}
                          + extra);
        if (!process.waitForStarted(10000))
            return false;
        static const QRegularExpression listening(
            QStringLiteral("listening on http://[^:]+:(\\d+)"));
        QByteArray errors;
        while (process.waitForReadyRead(10000)) {
            errors += process.readAllStandardError();
            const QRegularExpressionMatch match = listening.match(QString::fromUtf8(errors));
            if (match.hasMatch()) {
                port = quint16(match.captured(1).toUInt());
                return true;
            }
        }
        return false;
    }
    ~ProxyProcess()
    {
        process.terminate();
        process.waitForFinished(5000);
    }
    QProcess process;
    quint16 port = 0;
};

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QStringList arguments = QCoreApplication::arguments();
    auto value = [&](const QString &name, const QString &fallback) {
        const qsizetype at = arguments.indexOf(name);
        return at >= 0 && at + 1 < arguments.size() ? arguments.at(at + 1) : fallback;
    };
    // Default: the CLI of the same build tree (bench.sh runs this program without arguments).
    const QString cli = value(QStringLiteral("--cli"),
                              QCoreApplication::applicationDirPath()
                                  + QStringLiteral("/../../app/sse-monitor-cli"));
    const int mib = value(QStringLiteral("--mib"), QStringLiteral("64")).toInt();
    const int runs = value(QStringLiteral("--runs"), QStringLiteral("3")).toInt();
    const int events = value(QStringLiteral("--events"), QStringLiteral("500")).toInt();
    if (!QFileInfo(cli).isExecutable() || mib <= 0 || runs <= 0 || events <= 0) {
        std::fprintf(stderr,
                     "usage: bench_proxy --cli PATH/sse-monitor-cli [--mib 64] "
                     "[--runs 3] [--events 500]\n");
        return 2;
    }
    Upstream upstream;
    if (!upstream.start()) {
        std::fprintf(stderr, "bench_proxy: cannot listen\n");
        return 1;
    }
    int status = 0;
    std::printf("load average at the start: %s\n", loadAverage().c_str());

    // --- P1: latency, 5 ms apart ---
    std::printf("P1: added latency per event, %d events 5 ms apart, direct vs through "
                "sse-monitor-cli proxy (stdout to /dev/null)\n",
                events);
    {
        ProxyProcess proxy;
        if (!proxy.start(cli, upstream.port(), {})) {
            std::fprintf(stderr, "bench_proxy: the proxy did not start\n");
            return 1;
        }
        std::vector<double> direct;
        std::vector<double> proxied;
        for (int round = 0; round < 2; ++round) {
            for (const bool through : {false, true}) {
                upstream.setPaced(events, 5);
                std::vector<Clock::time_point> arrivals;
                if (!readPaced(through ? proxy.port : upstream.port(), events, &arrivals)) {
                    std::fprintf(stderr, "bench_proxy: P1 %s: events missing\n",
                                 through ? "proxy" : "direct");
                    status = 1;
                    continue;
                }
                for (int i = 0; i < events; ++i)
                    (through ? proxied : direct)
                        .push_back(msSince(upstream.sentTimes()[size_t(i)], arrivals[size_t(i)]));
            }
        }
        const double directP50 = percentile(direct, 0.5);
        const double directP99 = percentile(direct, 0.99);
        const double proxyP50 = percentile(proxied, 0.5);
        const double proxyP99 = percentile(proxied, 0.99);
        std::printf("direct: %zu events, p50 %.3f ms, p99 %.3f ms, max %.3f ms\n", direct.size(),
                    directP50, directP99, percentile(direct, 1.0));
        std::printf("proxy:  %zu events, p50 %.3f ms, p99 %.3f ms, max %.3f ms\n", proxied.size(),
                    proxyP50, proxyP99, percentile(proxied, 1.0));
        // The difference of two percentiles is noisy (it can come out negative); the whole
        // delay through the proxy, loopback hops included, bounds what the proxy adds.
        std::printf("| P1 added latency p50 (proxy p50 - direct p50) | %.3f ms | target - |\n",
                    proxyP50 - directP50);
        std::printf("| P1 added latency p99 (proxy p99 - direct p99) | %.3f ms | - |\n",
                    proxyP99 - directP99);
        std::printf("| P1 delay through the proxy p99 (bounds the added latency) | %.3f ms | "
                    "target <= 1 ms: %s |\n",
                    proxyP99, proxyP99 <= 1.0 ? "met" : "NOT met");
    }

    // --- P2: throughput of a large body ---
    std::string body;
    size_t eventBytes = 0;
    {
        const std::string payload =
            R"({"id":"chatcmpl-1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"token"}}]})";
        const std::string event = "data: " + payload + "\n\n";
        const size_t target = size_t(mib) * 1024 * 1024;
        eventBytes = event.size();
        body.reserve(target + event.size());
        while (body.size() < target)
            body += event;
    }
    upstream.setBulk(&body);
    std::printf("\nP2: %d MiB event stream (%zu bytes, events of %zu bytes), blocking drain, "
                "%d interleaved runs\n",
                mib, body.size(), eventBytes, runs);
    for (const QStringList &extra : {QStringList {}, QStringList {QStringLiteral("-q")}}) {
        ProxyProcess proxy;
        if (!proxy.start(cli, upstream.port(), extra)) {
            std::fprintf(stderr, "bench_proxy: the proxy did not start\n");
            return 1;
        }
        std::vector<double> directMiBs;
        std::vector<double> proxyMiBs;
        double proxyCpu = 0;
        for (int run = 0; run < runs; ++run) {
            for (const bool through : {false, true}) {
                double ms = 0;
                const double cpuBefore = cpuSeconds(proxy.process.processId());
                const qint64 bytes = drain(through ? proxy.port : upstream.port(), &ms);
                if (through)
                    proxyCpu += cpuSeconds(proxy.process.processId()) - cpuBefore;
                if (bytes != qint64(body.size())) {
                    std::fprintf(stderr, "bench_proxy: P2 %s: %lld body bytes, expected %zu\n",
                                 through ? "proxy" : "direct", static_cast<long long>(bytes),
                                 body.size());
                    status = 1;
                    continue;
                }
                (through ? proxyMiBs : directMiBs)
                    .push_back(double(body.size()) / 1048576.0 / (ms / 1000.0));
            }
        }
        const double direct = percentile(directMiBs, 0.5);
        const double proxied = percentile(proxyMiBs, 0.5);
        const QString mode = extra.isEmpty() ? QStringLiteral("proxy, JSON Lines to /dev/null")
                                             : QStringLiteral("proxy -q");
        std::printf("| P2 %s | %.0f MiB/s | direct %.0f MiB/s | %.2fx | target >= 0.5x: %s |\n",
                    qPrintable(mode), proxied, direct, direct > 0 ? proxied / direct : 0.0,
                    direct > 0 && proxied / direct >= 0.5 ? "met" : "NOT met");
        // What the proxy alone could do on one free core: body bytes per CPU second.
        std::printf("  proxy CPU: %.3f s per %d MiB run = %.0f MiB per CPU second\n",
                    proxyCpu / runs, mib, proxyCpu > 0 ? double(mib) * runs / proxyCpu : 0.0);
    }
    std::printf("load average at the end: %s\n", loadAverage().c_str());
    return status;
}
