#include "models/eventannotations.h"

qsizetype EventAnnotations::cost(const Entry &entry)
{
    return EntryOverheadBytes + entry.note.size() * qsizetype(sizeof(QChar));
}

void EventAnnotations::count(const Entry &entry, int sign)
{
    m_heldBytes += sign * cost(entry);
    m_markedCount += entry.marked ? sign : 0;
    m_noteCount += entry.note.isEmpty() ? 0 : sign;
}

bool EventAnnotations::store(qint64 sequence, const Entry &entry)
{
    const auto found = m_entries.find(sequence);
    const qsizetype before = found == m_entries.end() ? 0 : cost(found->second);
    const bool keep = entry.marked || !entry.note.isEmpty();
    const qsizetype after = keep ? cost(entry) : 0;
    if (after > before && m_heldBytes - before + after > m_byteBudget)
        return false;
    if (found != m_entries.end()) {
        count(found->second, -1);
        if (keep) {
            found->second = entry;
            count(entry, 1);
        } else {
            m_entries.erase(found);
        }
    } else if (keep) {
        m_entries.emplace(sequence, entry);
        count(entry, 1);
    }
    return true;
}

bool EventAnnotations::setMarked(qint64 sequence, bool marked)
{
    const auto found = m_entries.find(sequence);
    Entry entry = found == m_entries.end() ? Entry() : found->second;
    if (entry.marked == marked)
        return true;
    entry.marked = marked;
    return store(sequence, entry);
}

bool EventAnnotations::setNote(qint64 sequence, const QString &note)
{
    if (note.size() > MaximumNoteLength)
        return false;
    const auto found = m_entries.find(sequence);
    Entry entry = found == m_entries.end() ? Entry() : found->second;
    entry.note = note;
    return store(sequence, entry);
}

bool EventAnnotations::isMarked(qint64 sequence) const
{
    const auto found = m_entries.find(sequence);
    return found != m_entries.end() && found->second.marked;
}

QString EventAnnotations::note(qint64 sequence) const
{
    const auto found = m_entries.find(sequence);
    return found == m_entries.end() ? QString() : found->second.note;
}

qint64 EventAnnotations::nextMarked(qint64 sequence) const
{
    for (auto it = m_entries.upper_bound(sequence); it != m_entries.end(); ++it) {
        if (it->second.marked)
            return it->first;
    }
    return -1;
}

qint64 EventAnnotations::previousMarked(qint64 sequence) const
{
    auto it = m_entries.lower_bound(sequence);
    while (it != m_entries.begin()) {
        --it;
        if (it->second.marked)
            return it->first;
    }
    return -1;
}

qsizetype EventAnnotations::dropBelow(qint64 firstSequence)
{
    const auto end = m_entries.lower_bound(firstSequence);
    qsizetype dropped = 0;
    for (auto it = m_entries.begin(); it != end; ++it, ++dropped)
        count(it->second, -1);
    m_entries.erase(m_entries.begin(), end);
    return dropped;
}

void EventAnnotations::clear()
{
    m_entries.clear();
    m_heldBytes = 0;
    m_markedCount = 0;
    m_noteCount = 0;
}
