#pragma once

// Helpers shared by the recording, import, export and replay tests (header only).

#include "recording/logimporter.h"

#include "sselib/sseevent.h"

#include <QByteArrayList>
#include <QHash>
#include <QSignalSpy>
#include <QTest>

namespace RecordingTest {

enum class Content {
    WithCarriageReturns, // data may hold CR (fine for JSON Lines and CSV)
    ParserSafe,          // only what a spec parser can produce: no CR in data
};

// \a count events with awkward content: quotes, backslashes, commas, multi-line and empty data,
// UTF-8, control characters, ids that change every third event (the others inherit the id in
// force, as a parser reports them) and a retry on every seventh.
inline Sse::EventList sampleEvents(int count, int first = 0, qint64 startMs = 1'700'000'000'000,
                                   Content content = Content::ParserSafe)
{
    static const QByteArray types[] = {"message", "update", "tick.v2", "with space"};
    Sse::EventList events;
    QByteArray id;
    for (int n = first; n < first + count; ++n) {
        Sse::Event event;
        event.type = types[n % 4];
        switch (n % 9) {
        case 0:
            event.data = "plain " + QByteArray::number(n);
            break;
        case 1:
            event.data = "{\"n\":" + QByteArray::number(n) + ",\"s\":\"q\\\"uote\",\"ok\":true}";
            break;
        case 2:
            event.data = "line one\nline two\n\nline four " + QByteArray::number(n);
            break;
        case 3:
            event.data = QByteArray();
            break;
        case 4:
            event.data = "unicode \xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80 " + QByteArray::number(n);
            break;
        case 5:
            event.data = "tab\there \x01 ctrl \\ backslash";
            break;
        case 6:
            event.data = "comma, \"quoted\", " + QByteArray::number(n);
            break;
        case 7:
            event.data = content == Content::WithCarriageReturns ? "cr\rinside\r\nboth"
                                                                 : " leading space";
            break;
        default:
            event.data = "\n";
            break;
        }
        if (n % 3 == 0)
            id = "id-" + QByteArray::number(n) + (n % 6 == 0 ? " spaced" : "");
        event.lastEventId = id;
        event.receivedMs = startMs + qint64(n) * 13;
        event.retryMs = n % 7 == 0 ? 1000 + n : -1;
        events.append(event);
    }
    return events;
}

enum Field { Type = 1, Data = 2, Id = 4, Time = 8, Retry = 16, AllFields = 31 };

// One line per event naming the compared fields, so QCOMPARE shows the first difference.
inline QByteArrayList describe(const Sse::EventList &events, int fields = AllFields)
{
    QByteArrayList lines;
    for (const Sse::Event &event : events) {
        QByteArray line;
        if (fields & Type)
            line += "type=" + event.type;
        if (fields & Id)
            line += " id=" + event.lastEventId;
        if (fields & Time)
            line += " time=" + QByteArray::number(event.receivedMs);
        if (fields & Retry)
            line += " retry=" + QByteArray::number(event.retryMs);
        if (fields & Data)
            line += " data=" + event.data.toPercentEncoding(" ,.{}:\"");
        lines.append(line);
    }
    return lines;
}

struct Imported
{
    QStringList order; // connection names in the order they were found
    QHash<QString, QUrl> urls;
    QHash<QString, Sse::EventList> events;
    QHash<QString, QList<Sse::JsonLines::StateRecord>> states;
    QList<LogReader::Connection> connections;
    LogImporter::Statistics statistics;
};

// Imports \a path with LogImporter; check QTest::currentTestFailed() afterwards.
inline void importFile(const QString &path, Imported *result, int batchSize = 0)
{
    LogImporter importer;
    if (batchSize > 0)
        importer.setBatchSize(batchSize);
    QObject::connect(&importer, &LogImporter::connectionFound, &importer,
                     [result](const QString &name, const QUrl &url) {
                         result->order.append(name);
                         result->urls.insert(name, url);
                     });
    QObject::connect(&importer, &LogImporter::eventsLoaded, &importer,
                     [result](const QString &name, const Sse::EventList &events) {
                         result->events[name].append(events);
                     });
    QObject::connect(&importer, &LogImporter::statesLoaded, &importer,
                     [result](const QString &name,
                              const QList<Sse::JsonLines::StateRecord> &states) {
                         result->states[name].append(states);
                     });
    QSignalSpy finished(&importer, &LogImporter::finished);
    QVERIFY(importer.start(path));
    QVERIFY(finished.wait(60000));
    result->statistics = finished.first().first().value<LogImporter::Statistics>();
    result->connections = importer.connections();
}

} // namespace RecordingTest
