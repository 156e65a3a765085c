#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <optional>

// An `annotation` record of a recording: the user's mark and note on one event, written when
// the user marks or annotates while recording (so after the event's own record), and read
// back when the recording is opened. The last record for an event wins.
//
//   {"kind":"annotation","time":"<when>","connection":"quotes",
//    "event_time":"2026-12-02T04:10:18.547Z","event_index":0,"type":"trade",
//    "marked":true,"note":"spike"}
//
// The event is named by its connection, its receive time (ms) and event_index, its position
// among the connection's events with that same receive time (0 for the first): event records
// carry no per-connection number that the window knows, and time order per connection is file
// order. `type` is a check: a record whose event has another type is not applied. A note is
// at most MaximumNoteLength characters (as EventAnnotations keeps them); "" means none.
struct AnnotationRecord
{
    // A longer note read from a file is cut to this many characters.
    static constexpr qsizetype MaximumNoteLength = 4096;

    qint64 timeMs = 0; // when the user made it
    QString connection;
    qint64 eventTimeMs = 0;
    int eventIndex = 0;
    QByteArray type;
    bool marked = false;
    QString note;

    // One line, with its line break.
    QByteArray toLine() const;
    // nullopt unless \a object text is an annotation record with the members above.
    static std::optional<AnnotationRecord> fromLine(QByteArrayView line);
};
