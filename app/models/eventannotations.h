#pragma once

#include <QString>

#include <map>

// The user's marks and notes on events of the log, keyed by the event's sequence number in the
// EventStore. Ordered by sequence, so next/previous mark are O(log n) and dropping what the
// store evicted is one erase from the front.
//
// Bounded in bytes: each entry counts EntryOverheadBytes plus its note (UTF-16, 2 bytes per
// unit); a change that would take heldBytes() past byteBudget() is refused (the call returns
// false and nothing changes), so a full table never drops a mark the user made. A note is at
// most MaximumNoteLength characters.
//
// Not a QObject: EventLogModel owns one and says what changed. GUI thread only.
class EventAnnotations
{
public:
    static constexpr qsizetype EntryOverheadBytes = 64;
    static constexpr qsizetype DefaultByteBudget = 4 * 1024 * 1024;
    static constexpr qsizetype MaximumNoteLength = 4096; // AnnotationRecord's too

    struct Entry
    {
        bool marked = false;
        QString note;
    };

    // False when the budget has no room for it; unmarking is always possible.
    bool setMarked(qint64 sequence, bool marked);
    // An empty note removes it. False when the budget has no room or the note is too long.
    bool setNote(qint64 sequence, const QString &note);

    bool isMarked(qint64 sequence) const;
    QString note(qint64 sequence) const;
    bool hasNote(qint64 sequence) const { return !note(sequence).isEmpty(); }
    bool isEmpty() const { return m_entries.empty(); }

    qsizetype markedCount() const { return m_markedCount; }
    qsizetype noteCount() const { return m_noteCount; }
    // The nearest marked sequence after / before \a sequence, -1 if none.
    qint64 nextMarked(qint64 sequence) const;
    qint64 previousMarked(qint64 sequence) const;
    // Every entry (marked or with a note), ascending by sequence.
    const std::map<qint64, Entry> &entries() const { return m_entries; }

    // Drops the entries of events below \a firstSequence (the store evicted them); returns how
    // many went.
    qsizetype dropBelow(qint64 firstSequence);
    void clear();

    qsizetype heldBytes() const { return m_heldBytes; }
    qsizetype byteBudget() const { return m_byteBudget; }
    // Shrinking below heldBytes() keeps what is held and refuses further additions.
    void setByteBudget(qsizetype bytes) { m_byteBudget = qMax<qsizetype>(0, bytes); }

private:
    static qsizetype cost(const Entry &entry);
    bool store(qint64 sequence, const Entry &entry);
    void count(const Entry &entry, int sign);

    std::map<qint64, Entry> m_entries;
    qsizetype m_heldBytes = 0;
    qsizetype m_byteBudget = DefaultByteBudget;
    qsizetype m_markedCount = 0;
    qsizetype m_noteCount = 0;
};
