#include "replaycommand.h"

#include "cliarguments.h"

#include "recording/logreader.h"

#include "sselib/replayserver.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonParseError>

#include <algorithm>
#include <climits>
#include <csignal>
#include <cstdio>

namespace {

enum ExitCode {
    ExitUsage = 2,
    ExitInputError = 4, // the recording could not be read, or holds no events
    ExitListenError = 5,
};

void printError(const QString &message)
{
    std::fprintf(stderr, "sse-monitor-cli replay: %s\n", message.toLocal8Bit().constData());
}

// A recording line (one JSON Lines record) longer than this is skipped when loading.
constexpr qint64 MaximumRecordBytes = 64LL * 1024 * 1024;
constexpr qint64 ReadBlockBytes = 1024 * 1024;

// Byte ranges [first, second) of the lines of \a file longer than MaximumRecordBytes (line break
// excluded), found by reading it a block at a time; the file is left at its start.
QList<QPair<qint64, qint64>> oversizedLines(QFile &file)
{
    QList<QPair<qint64, qint64>> ranges;
    qint64 offset = 0;
    qint64 lineStart = 0;
    for (;;) {
        const QByteArray block = file.read(ReadBlockBytes);
        if (block.isEmpty())
            break;
        qsizetype from = 0;
        for (;;) {
            const qsizetype newline = block.indexOf('\n', from);
            if (newline < 0)
                break;
            const qint64 lineEnd = offset + newline;
            if (lineEnd - lineStart > MaximumRecordBytes)
                ranges.append({lineStart, lineEnd});
            lineStart = lineEnd + 1;
            from = newline + 1;
        }
        offset += block.size();
    }
    if (offset - lineStart > MaximumRecordBytes)
        ranges.append({lineStart, offset});
    file.seek(0);
    return ranges;
}

void printInfo(const QString &message)
{
    std::fprintf(stderr, "%s\n", message.toLocal8Bit().constData());
}

// The fault options given on the command line, as typed (for the start-up line).
QString faultSummary(const QStringList &arguments, const QList<QCommandLineOption> &options)
{
    QStringList given;
    for (qsizetype i = 0; i < arguments.size(); ++i) {
        const QString name = arguments.at(i).section(QLatin1Char('='), 0, 0);
        const auto option = std::find_if(options.cbegin(), options.cend(), [&](const auto &o) {
            return QStringLiteral("--") + o.names().constFirst() == name;
        });
        if (option == options.cend())
            continue;
        given.append(arguments.at(i));
        if (!option->valueName().isEmpty() && !arguments.at(i).contains(QLatin1Char('='))
            && i + 1 < arguments.size()) {
            given.append(arguments.at(++i));
        }
    }
    return given.join(QLatin1Char(' '));
}

// The fault options (`--drop-after-events` ... `--gzip`), added to a parser and read back.
struct FaultOptions
{
    QCommandLineOption dropAfterEvents {
        QStringLiteral("drop-after-events"),
        QStringLiteral("Fault: drop each connection after N events."), QStringLiteral("N")};
    QCommandLineOption dropAfterMs {QStringLiteral("drop-after-ms"),
                                    QStringLiteral("Fault: drop each connection T ms after its "
                                                   "stream started."),
                                    QStringLiteral("T")};
    QCommandLineOption dropMode {QStringLiteral("drop-mode"),
                                 QStringLiteral("How a connection is dropped: fin (orderly close, "
                                                "default), rst (TCP reset), mid-event (half an "
                                                "event, then close)."),
                                 QStringLiteral("MODE"), QStringLiteral("fin")};
    QCommandLineOption status {QStringLiteral("status"),
                               QStringLiteral("Fault: answer the first COUNT requests (all when "
                                              "no COUNT) with HTTP CODE, e.g. 429, 503, 529."),
                               QStringLiteral("CODE[:COUNT]")};
    QCommandLineOption retryAfter {QStringLiteral("retry-after"),
                                   QStringLiteral("With --status: send Retry-After: S."),
                                   QStringLiteral("S")};
    QCommandLineOption injectError {QStringLiteral("inject-error"),
                                    QStringLiteral("Fault: after N events send an `event: error` "
                                                   "frame with data EVENT_JSON, then end."),
                                    QStringLiteral("EVENT_JSON@N")};
    QCommandLineOption drip {QStringLiteral("drip"),
                             QStringLiteral("Fault: send at most BYTES_PER_S bytes per second."),
                             QStringLiteral("BYTES_PER_S")};
    QCommandLineOption jitter {QStringLiteral("jitter"),
                               QStringLiteral("Fault: delay each event by a further random 0 to "
                                              "MS ms."),
                               QStringLiteral("MS")};
    QCommandLineOption retry {
        QStringLiteral("retry"),
        QStringLiteral("Send a `retry: MS` line at the start of each stream."),
        QStringLiteral("MS")};
    QCommandLineOption noIds {QStringLiteral("no-ids"),
                              QStringLiteral("Fault: leave out every `id:` line.")};
    QCommandLineOption malformed {QStringLiteral("malformed"),
                                  QStringLiteral("Fault: after the first event, a misspelt field, "
                                                 "a line without a colon and an event with JSON "
                                                 "cut short.")};
    QCommandLineOption heartbeat {QStringLiteral("heartbeat"),
                                  QStringLiteral("Send a comment line every S seconds."),
                                  QStringLiteral("S")};
    QCommandLineOption gzip {QStringLiteral("gzip"),
                             QStringLiteral("Compress the stream (Content-Encoding: gzip), "
                                            "flushed after every write.")};

    QList<QCommandLineOption> all() const
    {
        return {dropAfterEvents, dropAfterMs, dropMode, status,    retryAfter, injectError, drip,
                jitter,          retry,       noIds,    malformed, heartbeat,  gzip};
    }

    // Fills \a faults from \a parser; returns a usage error, or an empty string.
    QString read(const QCommandLineParser &parser, Sse::ReplayFaults *faults) const
    {
        constexpr qint64 MaximumMs = 24LL * 3600 * 1000;
        qint64 value = 0;
        auto integer = [&](const QCommandLineOption &option, qint64 minimum, qint64 maximum,
                           qint64 *out) {
            return CliArguments::parseInteger(parser.value(option), minimum, maximum, out);
        };
        if (parser.isSet(dropAfterEvents)) {
            if (!integer(dropAfterEvents, 0, INT_MAX, &value))
                return QStringLiteral("--drop-after-events takes a whole number, 0 or more");
            faults->dropAfterEvents = int(value);
        }
        if (parser.isSet(dropAfterMs)) {
            if (!integer(dropAfterMs, 0, MaximumMs, &value))
                return QStringLiteral("--drop-after-ms takes milliseconds, 0 to %1").arg(MaximumMs);
            faults->dropAfterMs = int(value);
        }
        const QString mode = parser.value(dropMode);
        if (mode == QLatin1String("fin"))
            faults->dropMode = Sse::ReplayFaults::DropMode::Fin;
        else if (mode == QLatin1String("rst"))
            faults->dropMode = Sse::ReplayFaults::DropMode::Reset;
        else if (mode == QLatin1String("mid-event"))
            faults->dropMode = Sse::ReplayFaults::DropMode::MidEvent;
        else
            return QStringLiteral("--drop-mode takes fin, rst or mid-event");
        if (parser.isSet(dropMode) && !parser.isSet(dropAfterEvents) && !parser.isSet(dropAfterMs))
            return QStringLiteral("--drop-mode needs --drop-after-events or --drop-after-ms");
        if (parser.isSet(status)) {
            const QStringList parts = parser.value(status).split(QLatin1Char(':'));
            qint64 code = 0;
            qint64 count = -1;
            if (parts.size() > 2 || !CliArguments::parseInteger(parts.first(), 200, 599, &code)
                || (parts.size() == 2
                    && !CliArguments::parseInteger(parts.last(), 1, INT_MAX, &count))) {
                return QStringLiteral("--status takes CODE[:COUNT], CODE from 200 to 599 and "
                                      "COUNT 1 or more, e.g. 503:2");
            }
            faults->status = int(code);
            faults->statusCount = int(count);
        }
        if (parser.isSet(retryAfter)) {
            if (!parser.isSet(status))
                return QStringLiteral("--retry-after needs --status");
            if (!integer(retryAfter, 0, INT_MAX, &value))
                return QStringLiteral("--retry-after takes whole seconds, 0 or more");
            faults->retryAfterSeconds = int(value);
        }
        if (parser.isSet(injectError)) {
            const QString text = parser.value(injectError);
            const qsizetype at = text.lastIndexOf(QLatin1Char('@'));
            qint64 after = 0;
            if (at < 0 || !CliArguments::parseInteger(text.mid(at + 1), 0, INT_MAX, &after))
                return QStringLiteral("--inject-error takes EVENT_JSON@N, e.g. "
                                      "'{\"type\":\"error\"}@5'");
            const QByteArray json = text.left(at).toUtf8();
            QJsonParseError error;
            QJsonDocument::fromJson(json, &error);
            if (error.error != QJsonParseError::NoError)
                return QStringLiteral("--inject-error: EVENT_JSON is not JSON (%1 at byte %2)")
                    .arg(error.errorString())
                    .arg(error.offset);
            faults->errorData = json.trimmed(); // as given: its key order is part of the test
            faults->errorAfterEvents = int(after);
        }
        if (parser.isSet(drip)) {
            if (!integer(drip, 1, qint64(1) << 40, &value))
                return QStringLiteral("--drip takes bytes per second, 1 or more");
            faults->dripBytesPerSecond = value;
        }
        if (parser.isSet(jitter)) {
            if (!integer(jitter, 0, MaximumMs, &value))
                return QStringLiteral("--jitter takes milliseconds, 0 to %1").arg(MaximumMs);
            faults->jitterMs = int(value);
        }
        if (parser.isSet(retry)) {
            if (!integer(retry, 0, INT_MAX, &value))
                return QStringLiteral("--retry takes milliseconds, 0 or more");
            faults->retryMs = int(value);
        }
        if (parser.isSet(heartbeat)) {
            if (!CliArguments::parseSeconds(parser.value(heartbeat), 0.001, 86400, &value))
                return QStringLiteral("--heartbeat takes seconds, from 0.001 to 86400");
            faults->heartbeatMs = int(value);
        }
        faults->noIds = parser.isSet(noIds);
        faults->malformed = parser.isSet(malformed);
        faults->gzip = parser.isSet(gzip);
        return {};
    }
};

} // namespace

int runReplay(QCoreApplication &app, QStringList arguments)
{
    Q_UNUSED(app);
    if (arguments.size() > 1)
        arguments.removeAt(1); // "replay"

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Serve a recording as a Server-Sent Events endpoint, for front-end development.\n"
        "\n"
        "Every client gets the recorded events from the start, at the recorded pace times\n"
        "--speed. A request with Last-Event-ID resumes right after that event. The stream\n"
        "URL is printed on stdout; the server runs until it is interrupted.\n"
        "\n"
        "Examples:\n"
        "  sse-monitor-cli replay session.jsonl\n"
        "  sse-monitor-cli replay session.jsonl --listen 127.0.0.1:8080 --speed 10 --loop\n"
        "  sse-monitor-cli replay session.jsonl --loop --drop-after-events 20 --retry 500\n"
        "  sse-monitor-cli replay session.jsonl --status 529:2 --retry-after 1\n"
        "\n"
        "Exit codes: 2 usage error, 4 the recording could not be read or has no events,\n"
        "5 cannot listen."));
    const QCommandLineOption helpOption = parser.addHelpOption();
    const QCommandLineOption listenOption(
            QStringLiteral("listen"),
            QStringLiteral("Address and port to listen on (default 127.0.0.1:0 = any free port)."),
            QStringLiteral("ADDRESS:PORT"), QStringLiteral("127.0.0.1:0"));
    const QCommandLineOption speedOption(QStringLiteral("speed"),
                                         QStringLiteral("Play X times faster than recorded."),
                                         QStringLiteral("X"), QStringLiteral("1"));
    const QCommandLineOption fastOption(QStringLiteral("fast"),
                                        QStringLiteral("Send every event as fast as possible."));
    const QCommandLineOption loopOption(QStringLiteral("loop"),
                                        QStringLiteral("Start over after the last event."));
    const QCommandLineOption connectionOption(
            QStringLiteral("connection"),
            QStringLiteral("Serve only the events of connection NAME (recordings of several)."),
            QStringLiteral("NAME"));
    const QCommandLineOption requestTimeoutOption(
            QStringLiteral("request-timeout"),
            QStringLiteral("Close a connection that has not sent its request after SECONDS "
                           "(default 10)."),
            QStringLiteral("SECONDS"), QStringLiteral("10"));
    const QCommandLineOption maxClientsOption(
            QStringLiteral("max-clients"),
            QStringLiteral("Serve at most N connections at a time; more get 503 (default 256)."),
            QStringLiteral("N"), QStringLiteral("256"));
    const QCommandLineOption filterOption(
            QStringLiteral("filter"),
            QStringLiteral("Serve only the events EXPR matches, e.g. 'data.price > 100' (the "
                           "language of the GUI's filter bar; seq is the event's place in FILE)."),
            QStringLiteral("EXPR"));
    parser.addOptions({listenOption, speedOption, fastOption, loopOption, connectionOption,
                       requestTimeoutOption, maxClientsOption, filterOption});
    const FaultOptions faultOptions;
    parser.addOptions(faultOptions.all());
    parser.addPositionalArgument(QStringLiteral("FILE"),
                                 QStringLiteral("A JSON Lines recording or a raw SSE capture."));
    auto usageError = [](const QString &message) {
        printError(message + QStringLiteral(" (see replay --help)"));
        return int(ExitUsage);
    };
    // parse() rather than process(): a usage error exits with ExitUsage, not 1.
    if (!parser.parse(arguments))
        return usageError(parser.errorText());
    if (parser.isSet(helpOption))
        parser.showHelp(0);
    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 1)
        return usageError(QStringLiteral("expected exactly one FILE"));
    if (parser.isSet(fastOption) && parser.isSet(speedOption))
        return usageError(QStringLiteral("--speed and --fast exclude each other"));
    double speed = 1.0;
    if (parser.isSet(fastOption)) {
        speed = Sse::ReplayServer::AsFastAsPossible;
    } else {
        bool ok = false;
        speed = parser.value(speedOption).toDouble(&ok);
        if (!ok || speed <= 0)
            return usageError(QStringLiteral("--speed takes a positive number"));
    }
    qint64 requestTimeoutMs = 0;
    if (!CliArguments::parseSeconds(parser.value(requestTimeoutOption), 0.001,
                                    CliArguments::MaximumSeconds, &requestTimeoutMs))
        return usageError(QStringLiteral("--request-timeout takes from 0.001 to %1 seconds")
                                  .arg(qint64(CliArguments::MaximumSeconds)));
    qint64 maximumClients = 0;
    if (!CliArguments::parseInteger(parser.value(maxClientsOption), 1, 100000, &maximumClients))
        return usageError(QStringLiteral("--max-clients takes a whole number from 1 to 100000"));
    Sse::FilterExpression filter;
    if (const QString error = CliArguments::parseFilter(parser.value(filterOption), &filter);
        !error.isEmpty()) {
        return usageError(error);
    }
    Sse::ReplayFaults faults;
    if (const QString error = faultOptions.read(parser, &faults); !error.isEmpty())
        return usageError(error);
    QHostAddress address;
    quint16 port = 0;
    if (!CliArguments::parseListen(parser.value(listenOption), &address, &port))
        return usageError(QStringLiteral("--listen takes ADDRESS:PORT, e.g. 127.0.0.1:8080"));

    // Load the whole recording; the server keeps the events in memory.
    const QString path = positional.first();
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        printError(QStringLiteral("cannot open %1: %2").arg(path, file.errorString()));
        return ExitInputError;
    }
    const QFileInfo info(path);
    LogReader reader;
    const qint64 lastMs = info.lastModified().toMSecsSinceEpoch();
    const QDateTime birth = info.birthTime();
    reader.setRawTimeSpan(birth.isValid() ? qMin(birth.toMSecsSinceEpoch(), lastMs) : lastMs,
                          lastMs, info.size());
    const QString wanted = parser.value(connectionOption);
    Sse::EventList events;
    QStringList names;
    qint64 read = 0; // events read from FILE, the filter's seq
    qint64 filteredOut = 0;
    auto collect = [&] {
        const QList<LogReader::ConnectionBatch> batches = reader.takeBatches();
        for (const LogReader::ConnectionBatch &batch : batches) {
            if (!names.contains(batch.connection))
                names.append(batch.connection);
            const bool take = wanted.isEmpty() || batch.connection == wanted;
            if (take && filter.isEmpty()) {
                events.append(batch.events);
                read += batch.events.size();
                continue;
            }
            const QByteArray connection = batch.connection.toUtf8();
            for (const Sse::Event &event : batch.events) {
                ++read;
                if (!take)
                    continue;
                if (filter.matches({event.type, event.lastEventId, event.data, connection,
                                    event.receivedMs, read})) {
                    events.append(event);
                } else {
                    ++filteredOut;
                }
            }
        }
    };
    // Lines over MaximumRecordBytes are left out (their line break stays, so line numbers in
    // warnings still match the file): a record that size is not worth holding in memory.
    const QList<QPair<qint64, qint64>> skipped =
            file.isSequential() ? QList<QPair<qint64, qint64>>() : oversizedLines(file);
    qsizetype nextSkip = 0;
    qint64 offset = 0;
    for (;;) {
        qint64 length = ReadBlockBytes;
        if (nextSkip < skipped.size()) {
            if (offset >= skipped.at(nextSkip).first) {
                offset = skipped.at(nextSkip).second;
                file.seek(offset);
                ++nextSkip;
                continue;
            }
            length = qMin(length, skipped.at(nextSkip).first - offset);
        }
        const QByteArray block = file.read(length);
        if (block.isEmpty())
            break;
        offset += block.size();
        reader.feed(block);
        collect();
    }
    if (!skipped.isEmpty()) {
        printInfo(QStringLiteral("%1: %2 record(s) over 64 MiB skipped")
                          .arg(path)
                          .arg(skipped.size()));
    }
    if (file.error() != QFileDevice::NoError) {
        printError(QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
        return ExitInputError;
    }
    reader.finish();
    collect();
    if (reader.warningCount() > 0) {
        printInfo(QStringLiteral("%1: %2 unreadable line(s) skipped, first: %3")
                          .arg(path)
                          .arg(reader.warningCount())
                          .arg(reader.warnings().value(0)));
    }
    if (!wanted.isEmpty() && !names.contains(wanted)) {
        printError(QStringLiteral("no events of connection \"%1\" in %2 (it has: %3)")
                           .arg(wanted, path, names.join(QStringLiteral(", "))));
        return ExitInputError;
    }
    if (events.isEmpty()) {
        printError(filteredOut > 0 ? QStringLiteral("%1 holds no events that --filter matches "
                                                    "(%2 left out)")
                                             .arg(path)
                                             .arg(filteredOut)
                                   : QStringLiteral("%1 holds no events").arg(path));
        return ExitInputError;
    }
    if (wanted.isEmpty() && names.size() > 1) {
        // Batches come per connection: put the merged stream back in time order.
        std::stable_sort(events.begin(), events.end(),
                         [](const Sse::Event &a, const Sse::Event &b) {
                             return a.receivedMs < b.receivedMs;
                         });
        printInfo(QStringLiteral("%1 holds %2 connections (%3); serving all of them merged in "
                                 "time order (use --connection NAME for one)")
                          .arg(path)
                          .arg(names.size())
                          .arg(names.join(QStringLiteral(", "))));
    }

    Sse::ReplayServer server;
    server.setEvents(events);
    if (server.skippedEventCount() > 0) {
        printInfo(QStringLiteral("%1: %2 event(s) left out: a type holding a line break, or an id "
                                 "holding a line break or NUL, cannot be sent as an SSE field")
                          .arg(path)
                          .arg(server.skippedEventCount()));
    }
    if (server.events().isEmpty()) {
        printError(QStringLiteral("%1 holds no events that can be sent").arg(path));
        return ExitInputError;
    }
    server.setRequestTimeout(int(requestTimeoutMs));
    server.setMaximumConnections(int(maximumClients));
    server.setSpeed(speed);
    server.setFaults(faults);
    server.setRepeat(parser.isSet(loopOption) ? Sse::ReplayServer::Repeat::Loop
                                              : Sse::ReplayServer::Repeat::Once);
    if (!server.listen(address, port)) {
        printError(QStringLiteral("cannot listen on %1: %2")
                           .arg(parser.value(listenOption), server.errorString()));
        return ExitListenError;
    }
    std::signal(SIGPIPE, SIG_IGN);
    std::printf("%s\n", server.streamUrl().toString().toUtf8().constData());
    std::fflush(stdout);
    printInfo(QStringLiteral("Serving %1 events from %2 at %3 (%4%5). Ctrl+C stops.")
                      .arg(events.size())
                      .arg(path, server.streamUrl().toString(),
                           speed > 0 ? QStringLiteral("speed %1x").arg(speed)
                                     : QStringLiteral("as fast as possible"),
                           parser.isSet(loopOption) ? QStringLiteral(", looping")
                                                    : QString()));
    if (!faults.isEmpty())
        printInfo(
            QStringLiteral("Faults injected: %1").arg(faultSummary(arguments, faultOptions.all())));
    return QCoreApplication::exec();
}
