// Cost of Sse::Llm::Analyser per event, next to the ingest floor (Sse::Parser alone on the
// same bytes) measured in the same run. A plain program: prints one line per stream shape.

#include "sselib/llmanalyser.h"
#include "sselib/sseparser.h"

#include <QByteArray>
#include <QElapsedTimer>

#include <algorithm>
#include <cstdio>
#include <vector>

namespace {

constexpr int Events = 200000;
constexpr qsizetype Slice = 64 * 1024;

QByteArray chatStream()
{
    QByteArray wire;
    for (int i = 0; i < Events - 1; ++i) {
        wire += "data: {\"id\":\"chatcmpl-B1\",\"object\":\"chat.completion.chunk\",\"created\":"
                "1767225600,\"model\":\"gpt-4o-mini\",\"system_fingerprint\":\"fp_1\",\"choices\":"
                "[{\"index\":0,\"delta\":{\"content\":\" word\"},\"logprobs\":null,"
                "\"finish_reason\":null}]}\n\n";
    }
    wire += "data: [DONE]\n\n";
    return wire;
}

QByteArray anthropicStream()
{
    QByteArray wire =
        "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\","
        "\"model\":\"claude\",\"usage\":{\"input_tokens\":5}}}\n\n"
        "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
        "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n";
    for (int i = 0; i < Events - 2; ++i) {
        wire += "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
                "\"delta\":{\"type\":\"text_delta\",\"text\":\" word\"}}\n\n";
    }
    return wire;
}

QByteArray plainStream()
{
    QByteArray wire;
    for (int i = 0; i < Events; ++i) {
        wire += "event: change\ndata: {\"title\":\"Tide\",\"user\":\"alice\",\"bytes\":1234,"
                "\"type\":\"edit\",\"comment\":\"fixed a typo in the second paragraph\"}\n\n";
    }
    return wire;
}

// Nanoseconds per event to parse the stream, and to parse and analyse it.
std::pair<double, double> measure(const QByteArray &wire, bool analyse)
{
    QElapsedTimer timer;
    timer.start();
    Sse::Parser parser;
    Sse::Llm::Analyser analyser;
    qint64 events = 0;
    Sse::EventBatch batch;
    for (qsizetype offset = 0; offset < wire.size(); offset += Slice) {
        batch.clear();
        parser.feed(wire.constData() + offset, qMin(Slice, wire.size() - offset), batch);
        events += batch.size();
        if (analyse) {
            for (const Sse::EventView event : batch)
                analyser.addEvent(event.type, event.data, double(events));
        }
    }
    analyser.finish(double(events), Sse::Llm::Analyser::End::ServerEnded);
    const double ns = double(timer.nsecsElapsed()) / double(events);
    // Keep the summary alive so nothing is optimised away.
    return {ns, double(analyser.summary().timing.chunks)};
}

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

} // namespace

int main()
{
    const struct
    {
        const char *name;
        QByteArray wire;
    } shapes[] = {{"openai-chat", chatStream()},
                  {"anthropic", anthropicStream()},
                  {"not an LLM stream (JSON)", plainStream()}};
    std::printf("%-26s %14s %16s %14s\n", "stream", "floor ns/ev", "+analyser ns/ev",
                "on top ns/ev");
    for (const auto &shape : shapes) {
        std::vector<double> floor, with;
        for (int run = 0; run < 7; ++run) { // interleaved, median of 7
            floor.push_back(measure(shape.wire, false).first);
            with.push_back(measure(shape.wire, true).first);
        }
        const double f = median(floor);
        const double w = median(with);
        std::printf("%-26s %14.1f %16.1f %14.1f\n", shape.name, f, w, w - f);
    }
    return 0;
}
