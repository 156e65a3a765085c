#include "probecommand.h"

#include "cliarguments.h"
#include "metricsserver.h"
#include "probemetrics.h"
#include "probestream.h"
#include "profilestore.h"

#include "sselib/demoserver.h"
#include "sselib/profile.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QSet>
#include <QUrlQuery>

#include <cstdio>
#include <memory>

#include <sys/resource.h>

namespace {

enum ExitCode {
    ExitUsage = 2,
    ExitListenError = 5,
};

// One stream's descriptor each: far more than a probe watches is refused up front.
constexpr qint64 MaximumStreams = 10000;

void printError(const QString &message)
{
    std::fprintf(stderr, "sse-monitor-cli probe: %s\n", message.toLocal8Bit().constData());
}

// Each stream holds a socket: the soft descriptor limit goes up to the hard one.
void raiseDescriptorLimit()
{
    rlimit limit {};
    if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &limit);
    }
}

struct Target
{
    QString name;
    Sse::ClientOptions options;
    bool demo = false;
};

} // namespace

int runProbe(QCoreApplication &app, QStringList arguments)
{
    Q_UNUSED(app);
    if (arguments.size() > 1)
        arguments.removeAt(1); // "probe"

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Keep many Server-Sent Events streams connected and serve their health as Prometheus\n"
        "metrics (text exposition format 0.0.4) on /metrics, for a Prometheus to scrape.\n"
        "\n"
        "Streams: each URL argument, each --profile NAME (from the GUI's saved connections,\n"
        "or from --profiles-file), or every profile of --profiles-file when no --profile is\n"
        "given. Each series carries a connection label: the profile name, or the URL without\n"
        "user info and with secret-looking query values masked.\n"
        "\n"
        "Metrics: sse_up, sse_events_total{type}, sse_bytes_total, sse_reconnects_total,\n"
        "sse_id_gaps_total, sse_last_event_timestamp_seconds, sse_health{verdict}, sse_stalled\n"
        "(connected, but no data event for the stall threshold; heartbeat comments do not\n"
        "count), sse_stall_threshold_seconds (--stall-after, else learnt per stream: 10 x the\n"
        "median interval between data events, at least 5 s, 60 s until 5 were seen),\n"
        "sse_time_to_first_event_seconds, sse_connect_duration_seconds (histogram).\n"
        "\n"
        "Nothing is printed but errors (one line per new problem of a stream), and the URL of\n"
        "a listener given port 0. A stream that fails (404, not an event stream) is tried again\n"
        "after --retry-failed seconds. Runs until it is killed.\n"
        "\n"
        "Examples:\n"
        "  sse-monitor-cli probe --listen-metrics 127.0.0.1:9464 https://a.example/events\n"
        "  sse-monitor-cli probe --listen-metrics 0.0.0.0:9464 --listen-health 0.0.0.0:9465 \\\n"
        "      --profiles-file fleet.json --stall-after 120\n"
        "\n"
        "Exit codes: 2 usage error, 5 cannot listen."));
    const QCommandLineOption helpOption = parser.addHelpOption();
    const QCommandLineOption metricsOption(
        QStringLiteral("listen-metrics"),
        QStringLiteral("Serve /metrics on ADDRESS:PORT (required; port 0 = any free port)."),
        QStringLiteral("ADDRESS:PORT"));
    const QCommandLineOption healthOption(
        QStringLiteral("listen-health"),
        QStringLiteral("Serve /healthz on ADDRESS:PORT (may equal --listen-metrics)."),
        QStringLiteral("ADDRESS:PORT"));
    const QCommandLineOption profileOption(
        QStringLiteral("profile"), QStringLiteral("Watch the saved connection NAME (repeatable)."),
        QStringLiteral("NAME"));
    const QCommandLineOption profilesFileOption(
        QStringLiteral("profiles-file"),
        QStringLiteral("Profiles from FILE (a JSON array); without --profile, all of them."),
        QStringLiteral("FILE"));
    const QCommandLineOption demoOption(QStringLiteral("demo"),
                                        QStringLiteral("Also serve and watch the demo stream."));
    const QCommandLineOption headerOption({QStringLiteral("H"), QStringLiteral("header")},
                                          QStringLiteral("Request header for the URL streams "
                                                         "(repeatable)."),
                                          QStringLiteral("Name: value"));
    const QCommandLineOption stallOption(
        QStringLiteral("stall-after"),
        QStringLiteral("A connected stream with no data event for SECONDS is stalled (default: "
                       "learnt per stream, 10 x its median interval, at least 5 s)."),
        QStringLiteral("SECONDS"));
    const QCommandLineOption maxTypesOption(
        QStringLiteral("max-types"),
        QStringLiteral("Event types counted apart per stream; later ones count as \"other\" "
                       "(default 20)."),
        QStringLiteral("N"), QStringLiteral("20"));
    const QCommandLineOption maxSizeOption(
        QStringLiteral("max-event-size"),
        QStringLiteral("Largest accepted event (default 1 MiB): bounds each stream's memory."),
        QStringLiteral("BYTES"), QStringLiteral("1048576"));
    const QCommandLineOption idleOption(QStringLiteral("idle-timeout"),
                                        QStringLiteral("Reconnect after SECONDS with no bytes."),
                                        QStringLiteral("SECONDS"));
    const QCommandLineOption retryFailedOption(
        QStringLiteral("retry-failed"),
        QStringLiteral("Try a failed stream again after SECONDS (default 30)."),
        QStringLiteral("SECONDS"), QStringLiteral("30"));
    parser.addOptions({metricsOption, healthOption, profileOption, profilesFileOption, demoOption,
                       headerOption, stallOption, maxTypesOption, maxSizeOption, idleOption,
                       retryFailedOption});
    const CliArguments::TransportOptions transport;
    transport.addTo(parser);
    parser.addPositionalArgument(QStringLiteral("URL"),
                                 QStringLiteral("Event stream URLs to watch."),
                                 QStringLiteral("[URL...]"));
    auto usageError = [](const QString &message) {
        printError(message + QStringLiteral(" (see probe --help)"));
        return int(ExitUsage);
    };
    // parse() rather than process(): a usage error exits with ExitUsage, not 1.
    if (!parser.parse(arguments))
        return usageError(parser.errorText());
    if (parser.isSet(helpOption))
        parser.showHelp(0);

    if (!parser.isSet(metricsOption))
        return usageError(QStringLiteral("--listen-metrics ADDRESS:PORT is required"));
    QHostAddress metricsAddress;
    quint16 metricsPort = 0;
    if (!CliArguments::parseListen(parser.value(metricsOption), &metricsAddress, &metricsPort))
        return usageError(QStringLiteral("--listen-metrics takes ADDRESS:PORT, e.g. "
                                         "127.0.0.1:9464"));
    QHostAddress healthAddress;
    quint16 healthPort = 0;
    if (parser.isSet(healthOption)
        && !CliArguments::parseListen(parser.value(healthOption), &healthAddress, &healthPort))
        return usageError(QStringLiteral("--listen-health takes ADDRESS:PORT, e.g. "
                                         "127.0.0.1:9465"));

    ProbeStream::Settings settings;
    const QString secondsRange =
        QStringLiteral("from 0.001 to %1 seconds").arg(qint64(CliArguments::MaximumSeconds));
    if (parser.isSet(stallOption)) {
        qint64 stallMs = 0;
        if (!CliArguments::parseSeconds(parser.value(stallOption), 0.001,
                                        CliArguments::MaximumSeconds, &stallMs))
            return usageError(QStringLiteral("--stall-after takes %1").arg(secondsRange));
        settings.stallAfterMs = stallMs;
    }
    qint64 retryFailedMs = 0;
    if (!CliArguments::parseSeconds(parser.value(retryFailedOption), 0.001,
                                    CliArguments::MaximumSeconds, &retryFailedMs))
        return usageError(QStringLiteral("--retry-failed takes %1").arg(secondsRange));
    settings.reopenFailedAfterMs = int(retryFailedMs);
    qint64 maximumTypes = 0;
    if (!CliArguments::parseInteger(parser.value(maxTypesOption), 1, 1000, &maximumTypes))
        return usageError(QStringLiteral("--max-types takes a whole number from 1 to 1000"));
    settings.maximumTypes = int(maximumTypes);
    qint64 maximumEventSize = 0;
    if (!CliArguments::parseInteger(parser.value(maxSizeOption), 1, 1LL << 30, &maximumEventSize))
        return usageError(QStringLiteral("--max-event-size takes a whole number of bytes from 1 "
                                         "to 1073741824 (1 GiB)"));
    qint64 idleMs = 0;
    if (parser.isSet(idleOption)
        && !CliArguments::parseSeconds(parser.value(idleOption), 0.001,
                                       CliArguments::MaximumSeconds, &idleMs))
        return usageError(QStringLiteral("--idle-timeout takes %1").arg(secondsRange));
    QList<CliArguments::Header> headers;
    const QString headerError = CliArguments::parseHeaders(parser.values(headerOption), &headers);
    if (!headerError.isEmpty())
        return usageError(headerError);

    // The streams: profiles first (in the order named), then URLs, then the demo.
    QList<Target> targets;
    const QStringList profileNames = parser.values(profileOption);
    if (parser.isSet(profilesFileOption) || !profileNames.isEmpty()) {
        ProfileStore store;
        if (!parser.isSet(profilesFileOption))
            store.loadSettings();
        else if (!store.loadFile(parser.value(profilesFileOption)))
            return usageError(store.errorString());
        QList<ProfileStore::Match> matches;
        if (profileNames.isEmpty()) {
            matches = store.matches();
            if (matches.isEmpty())
                return usageError(QStringLiteral("%1 holds no profiles").arg(store.source()));
        }
        for (const QString &name : profileNames) {
            const std::optional<ProfileStore::Match> match = store.find(name);
            if (!match) {
                const QStringList names = store.names();
                return usageError(QStringLiteral("no profile named \"%1\" in %2; available: %3")
                                      .arg(name, store.source(),
                                           names.isEmpty() ? QStringLiteral("none")
                                                           : names.join(QStringLiteral(", "))));
            }
            matches.append(*match);
        }
        for (ProfileStore::Match &match : matches) {
            const QString name = match.profile.name;
            QList<QByteArray> missing = match.secretHeaders;
            QString reason = QStringLiteral("not in %1").arg(store.source());
            if (!missing.isEmpty() && !match.secretsId.isEmpty())
                reason = ProfileStore::loadSecrets(match.secretsId, &missing,
                                                   &match.profile.options.headers);
            if (!missing.isEmpty())
                return usageError(QStringLiteral("profile \"%1\" needs the secret header %2, "
                                                 "whose value is not available (%3)")
                                      .arg(name, QString::fromUtf8(missing.first()), reason));
            const QString fieldsError = Sse::requestFieldsError(match.profile.options);
            if (!fieldsError.isEmpty())
                return usageError(QStringLiteral("profile \"%1\" in %2 cannot be used: %3")
                                      .arg(name, store.source(), fieldsError));
            if (!match.isDemo && !match.profile.options.url.isValid())
                return usageError(QStringLiteral("profile \"%1\" has no valid URL").arg(name));
            targets.append({name, match.profile.options, match.isDemo});
        }
    }
    for (const QString &text : parser.positionalArguments()) {
        Target target;
        const QString urlError = CliArguments::parseUrl({text}, &target.options.url);
        if (!urlError.isEmpty())
            return usageError(urlError);
        for (const CliArguments::Header &header : std::as_const(headers))
            CliArguments::setHeader(&target.options.headers, header);
        target.name = Sse::redactedUrl(target.options.url);
        targets.append(target);
    }
    if (parser.isSet(demoOption))
        targets.append({QStringLiteral("demo"), {}, true});
    if (targets.isEmpty())
        return usageError(QStringLiteral("no stream to watch: give URLs, --profile or "
                                         "--profiles-file"));
    if (targets.size() > MaximumStreams)
        return usageError(QStringLiteral("at most %1 streams per probe").arg(MaximumStreams));
    for (Target &target : targets) {
        if (const QString error = transport.apply(parser, &target.options); !error.isEmpty())
            return usageError(error);
    }

    raiseDescriptorLimit();
    std::unique_ptr<Sse::DemoServer> demo;
    QObject streamsOwner;
    QList<ProbeStream *> streams;
    QSet<QString> names;
    for (Target &target : targets) {
        if (target.demo) {
            if (!demo) {
                demo = std::make_unique<Sse::DemoServer>();
                if (!demo->listen()) {
                    printError(QStringLiteral("cannot start the demo server: ")
                               + demo->errorString());
                    return ExitListenError;
                }
            }
            target.options.url = demo->streamUrl();
        }
        if (parser.isSet(idleOption))
            target.options.idleTimeoutMs = int(idleMs);
        target.options.maximumEventSize = qsizetype(maximumEventSize);
        // Two streams with one label would be one series: the later ones get a number.
        QString name = target.name;
        for (int n = 2; names.contains(name); ++n)
            name = target.name + QStringLiteral(" #") + QString::number(n);
        names.insert(name);
        streams.append(new ProbeStream(name, target.options, settings, &streamsOwner));
    }

    MetricsServer metrics;
    metrics.route("/metrics", [&streams] {
        return MetricsServer::Response {200, ProbeMetrics::ContentType,
                                        ProbeMetrics::format(streams)};
    });
    const auto health = [&streams] {
        const qsizetype up = std::count_if(streams.cbegin(), streams.cend(),
                                           [](const ProbeStream *s) { return s->isUp(); });
        return MetricsServer::Response {200, QByteArrayLiteral("text/plain; charset=utf-8"),
                                        "ok: " + QByteArray::number(up) + " of "
                                            + QByteArray::number(streams.size()) + " streams up\n"};
    };
    const bool healthOnMetrics = parser.isSet(healthOption) && healthAddress == metricsAddress
        && healthPort == metricsPort && metricsPort != 0;
    if (healthOnMetrics)
        metrics.route("/healthz", health);
    if (!metrics.listen(metricsAddress, metricsPort)) {
        printError(QStringLiteral("cannot listen on %1: %2")
                       .arg(parser.value(metricsOption), metrics.errorString()));
        return ExitListenError;
    }
    if (metricsPort == 0)
        std::printf("metrics: %s/metrics\n", metrics.baseUrl().constData());
    MetricsServer healthServer;
    if (parser.isSet(healthOption) && !healthOnMetrics) {
        healthServer.route("/healthz", health);
        if (!healthServer.listen(healthAddress, healthPort)) {
            printError(QStringLiteral("cannot listen on %1: %2")
                           .arg(parser.value(healthOption), healthServer.errorString()));
            return ExitListenError;
        }
        if (healthPort == 0)
            std::printf("health: %s/healthz\n", healthServer.baseUrl().constData());
    }
    std::fflush(stdout);
    for (ProbeStream *stream : std::as_const(streams))
        stream->open();
    return QCoreApplication::exec();
}
