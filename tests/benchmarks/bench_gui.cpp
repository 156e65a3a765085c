// GUI ingest benchmark: the real MainWindow (log, type filter, statistics and
// one chart series live) fed by a loopback server at a fixed event rate.
// Measures event-loop stalls with a timer inside the process and checks that
// no event is dropped.
//
//   bench_gui [--rate EVENTS_PER_S] [--seconds S] [--fields off|on|compare]
//
// --fields on adds a live display filter, three JSON-path columns and five colouring rules
// (issue 15); compare runs without them, then with them, in one process.
//
// Run it under the offscreen platform or Xvfb. Prints one table row per figure.

#include "charts/chartpanel.h"
#include "charts/seriescatalog.h"
#include "models/eventlogmodel.h"
#include "session/workspace.h"
#include "views/connectiondetailtabs.h"
#include "views/connectionspane.h"
#include "views/eventlogpane.h"
#include "views/filterbar.h"
#include "views/mainwindow.h"
#include "models/colouringrules.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QTabWidget>
#include <QTimer>

#include <algorithm>
#include <ctime>
#include <arpa/inet.h>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

// Streams shape (b) events (id, event: tick, ~48 B JSON) at `rate` events/s for
// `seconds`, in 5 ms slices, then closes. One client.
class PacedServer
{
public:
    PacedServer(int rate, double seconds) : m_rate(rate), m_seconds(seconds)
    {
        m_listener = ::socket(AF_INET, SOCK_STREAM, 0);
        int one = 1;
        ::setsockopt(m_listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::bind(m_listener, reinterpret_cast<sockaddr *>(&address), sizeof address);
        ::listen(m_listener, 4);
        socklen_t length = sizeof address;
        ::getsockname(m_listener, reinterpret_cast<sockaddr *>(&address), &length);
        m_port = ntohs(address.sin_port);
        m_thread = std::thread([this] { run(); });
    }
    ~PacedServer()
    {
        m_thread.join();
        ::close(m_listener);
    }
    quint16 port() const { return m_port; }
    qint64 sent() const { return m_sent.load(); }
    bool done() const { return m_done.load(); }

private:
    void run()
    {
        const int client = ::accept(m_listener, nullptr, nullptr);
        char request[4096];
        std::string header;
        while (header.find("\r\n\r\n") == std::string::npos) {
            const ssize_t got = ::read(client, request, sizeof request);
            if (got <= 0)
                break;
            header.append(request, size_t(got));
        }
        const char head[] = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                            "Cache-Control: no-cache\r\nConnection: close\r\n\r\n";
        ::write(client, head, sizeof head - 1);
        using Clock = std::chrono::steady_clock;
        const auto start = Clock::now();
        const auto end = start + std::chrono::duration<double>(m_seconds);
        qint64 n = 0;
        std::string buffer;
        while (Clock::now() < end) {
            const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
            const qint64 due = qint64(elapsed * m_rate);
            buffer.clear();
            for (; n < due; ++n) {
                char event[160];
                const int length = std::snprintf(
                    event, sizeof event,
                    "id: %lld\nevent: tick\ndata: {\"seq\":%lld,\"value\":%.3f,\"name\":\"s-07\"}\n\n",
                    static_cast<long long>(n), static_cast<long long>(n), double(n % 1000) * 0.5);
                buffer.append(event, size_t(length));
            }
            const char *p = buffer.data();
            size_t left = buffer.size();
            while (left > 0) {
                const ssize_t written = ::write(client, p, left);
                if (written <= 0)
                    break;
                p += written;
                left -= size_t(written);
            }
            m_sent = n;
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        ::shutdown(client, SHUT_WR);
        ::close(client);
        m_done = true;
    }

    int m_rate;
    double m_seconds;
    int m_listener = -1;
    quint16 m_port = 0;
    std::atomic<qint64> m_sent{0};
    std::atomic<bool> m_done{false};
    std::thread m_thread;
};

double threadCpuSeconds()
{
    timespec now{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return double(now.tv_sec) + double(now.tv_nsec) / 1e9;
}

double percentile(std::vector<double> values, double p)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    return values[std::min(values.size() - 1, size_t(p * double(values.size())))];
}

struct Figures
{
    qint64 sent = 0;
    qint64 received = 0;
    qint64 logged = 0;
    double p50 = 0;
    double p99 = 0;
    double max = 0;
    double processCpu = 0;
    double guiCpu = 0;
    bool dropped() const { return !(sent == received && received == logged); }
};

// Issue 15's load: a live display filter (accepting every event, so every row is drawn), three
// JSON-path columns and five colouring rules (one matches a row in 20).
void addFieldFeatures(MainWindow &window)
{
    window.eventLogPane()->displayFilterBar()->setText(
            QStringLiteral("type == \"tick\" && data.value >= 0"));
    window.workspace()->logModel()->setFieldColumns(
            {{QStringLiteral("seq"), QStringLiteral("data.seq"), {}},
             {QStringLiteral("value"), QStringLiteral("data.value"), QByteArray("tick")},
             {QStringLiteral("name"), QStringLiteral("data.name"), {}}});
    window.workspace()->colouringRules()->setRules(
            {{QStringLiteral("errors"), QStringLiteral("type == \"error\""), Qt::red, {}, true},
             {QStringLiteral("high"), QStringLiteral("data.value >= 475"), QColor(0xf0, 0xa0, 0x20), {}, true},
             {QStringLiteral("other sensor"), QStringLiteral("data.name != \"s-07\""), Qt::blue, {}, true},
             {QStringLiteral("test ids"), QStringLiteral("id matches \"^test-\""), Qt::green, {}, true},
             {QStringLiteral("zero"), QStringLiteral("data.value == 0"), {}, Qt::gray, true}});
}

Figures measure(QApplication &app, int rate, double seconds, bool features)
{
    MainWindow window;
    window.resize(1280, 820);
    window.show();
    // Settings of an earlier run must not leak into this one.
    window.workspace()->logModel()->setFieldColumns({});
    window.workspace()->colouringRules()->setRules({});
    if (features)
        addFieldFeatures(window);
    PacedServer server(rate, seconds);
    Sse::ClientOptions options;
    options.url = QUrl(QStringLiteral("http://127.0.0.1:%1/bench").arg(server.port()));
    options.reconnectPolicy = Sse::ReconnectPolicy::Never;
    const quint16 id = window.addConnection(QStringLiteral("bench"), options);

    // One chart series live: tick / value, plotted as soon as it is discovered.
    window.detailTabs()->setCurrentWidget(window.detailTabs()->chartPanel());
    QObject::connect(window.workspace()->seriesCatalog(), &SeriesCatalog::seriesDiscovered, &window,
                     [&](const QList<SeriesKey> &keys) {
                         for (const SeriesKey &key : keys) {
                             if (key.connection == id && key.path == "value")
                                 window.detailTabs()->chartPanel()->setPlotted(key, true);
                         }
                     });

    // Stall probe: a 2 ms timer; any gap beyond that is time the loop was busy.
    std::vector<double> stalls;
    QElapsedTimer probeClock;
    probeClock.start();
    qint64 lastProbe = 0;
    QTimer probe;
    probe.setTimerType(Qt::PreciseTimer);
    probe.setInterval(2);
    QObject::connect(&probe, &QTimer::timeout, &window, [&] {
        const qint64 now = probeClock.nsecsElapsed();
        if (lastProbe > 0)
            stalls.push_back(double(now - lastProbe) / 1e6 - 2.0);
        lastProbe = now;
    });
    probe.start();

    rusage before{};
    ::getrusage(RUSAGE_SELF, &before);
    // The GUI thread's own CPU time: what the window spends per event (the network thread,
    // the server thread and the recorder are not in it).
    const double guiBefore = threadCpuSeconds();
    QElapsedTimer wall;
    wall.start();
    QTimer finish;
    finish.setInterval(50);
    QObject::connect(&finish, &QTimer::timeout, &window, [&] {
        const ConnectionEntry *entry = window.workspace()->connections()->entry(id);
        const bool closed = entry && entry->state == Sse::Client::State::Closed;
        if ((server.done() && closed) || wall.elapsed() > qint64(seconds * 1000) + 20000)
            app.quit();
    });
    finish.start();
    app.exec();
    probe.stop();

    Figures figures;
    figures.guiCpu = threadCpuSeconds() - guiBefore;
    rusage after{};
    ::getrusage(RUSAGE_SELF, &after);
    auto cpu = [](const rusage &r) {
        return double(r.ru_utime.tv_sec + r.ru_stime.tv_sec)
            + double(r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e6;
    };
    figures.processCpu = cpu(after) - cpu(before);
    const ConnectionEntry *entry = window.workspace()->connections()->entry(id);
    figures.received = entry ? entry->events : 0;
    figures.sent = server.sent();
    EventLogModel *log = window.workspace()->logModel();
    log->flush();
    figures.logged = log->totalCount() + log->evictedCount();
    figures.p50 = percentile(stalls, 0.50);
    figures.p99 = percentile(stalls, 0.99);
    figures.max = percentile(stalls, 1.0);
    return figures;
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("SSE Monitor Bench"));
    int rate = 200000;
    double seconds = 10;
    QString fields = QStringLiteral("off");
    const QStringList args = app.arguments();
    for (int i = 1; i + 1 < args.size(); ++i) {
        if (args.at(i) == QLatin1String("--rate"))
            rate = args.at(i + 1).toInt();
        else if (args.at(i) == QLatin1String("--seconds"))
            seconds = args.at(i + 1).toDouble();
        else if (args.at(i) == QLatin1String("--fields"))
            fields = args.at(i + 1);
    }

    // --fields off (default), on, or compare: without, then with the filter, columns and rules.
    QList<bool> runs;
    if (fields == QLatin1String("compare"))
        runs = {false, true};
    else
        runs = {fields == QLatin1String("on")};
    QList<Figures> results;
    for (bool features : std::as_const(runs))
        results.append(measure(app, rate, seconds, features));

    double load[3] = {};
    ::getloadavg(load, 3);
    std::printf("bench_gui: shape (b), %d events/s requested for %.0f s, window shown (%s), "
                "load average %.2f %.2f %.2f\n",
                rate, seconds, qPrintable(QGuiApplication::platformName()), load[0], load[1],
                load[2]);
    std::printf("%-34s", "figure");
    for (bool features : std::as_const(runs))
        std::printf(" %14s", features ? "with fields" : "without");
    std::printf("\n");
    const auto row = [&](const char *name, auto value, const char *format) {
        std::printf("%-34s", name);
        for (const Figures &figures : std::as_const(results))
            std::printf(format, value(figures));
        std::printf("\n");
    };
    row("events sent by the server", [](const Figures &f) { return static_cast<long long>(f.sent); }, " %14lld");
    row("events received by the client", [](const Figures &f) { return static_cast<long long>(f.received); }, " %14lld");
    row("events in the log (incl. evicted)", [](const Figures &f) { return static_cast<long long>(f.logged); }, " %14lld");
    row("sustained rate (events/s)", [&](const Figures &f) { return double(f.received) / std::max(1.0, seconds); }, " %14.0f");
    row("stall p50 (ms)", [](const Figures &f) { return f.p50; }, " %14.1f");
    row("stall p99 (ms)", [](const Figures &f) { return f.p99; }, " %14.1f");
    row("stall max (ms)", [](const Figures &f) { return f.max; }, " %14.1f");
    row("process CPU (s)", [](const Figures &f) { return f.processCpu; }, " %14.1f");
    row("GUI-thread CPU (s)", [](const Figures &f) { return f.guiCpu; }, " %14.1f");
    row("GUI-thread CPU per event (us)", [](const Figures &f) {
        return f.received > 0 ? f.guiCpu * 1e6 / double(f.received) : 0.0;
    }, " %14.2f");
    row("nothing dropped", [](const Figures &f) { return f.dropped() ? "NO" : "yes"; }, " %14s");
    bool ok = true;
    for (const Figures &figures : std::as_const(results))
        ok = ok && !figures.dropped();
    return ok ? 0 : 1;
}
