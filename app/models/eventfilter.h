#pragma once

#include "sselib/filterexpression.h"

#include <QCoreApplication>
#include <QHash>
#include <QSet>
#include <QString>

#include <memory>
#include <vector>

class EventAnnotations;
class EventStore;

// Value type describing which stored events the event log shows: one connection or all, the
// hidden event types, and a search text matched against each event's data, type name and id.
//
// Setters compile the search text at once (a Boyer-Moore-Horspool searcher over the UTF-8
// bytes, or a QRegularExpression), so accepts() does no per-call setup. Copies share the compiled
// matcher; it is immutable, so sharing is safe.
//
// An invalid regular expression makes isValid() false and errorString() explain it; accepts()
// then ignores the text and applies only the connection and type criteria.
//
// A display filter expression (Sse::FilterExpression) combines with the other criteria by AND.
// An invalid expression is ignored like an invalid regular expression (the filter bar keeps the
// previous valid one). Its `connection` field reads the names given by setConnectionNames().
class EventFilter
{
    Q_DECLARE_TR_FUNCTIONS(EventFilter)

public:
    enum class MatchMode { Substring, RegularExpression };

    EventFilter();

    int connection() const { return m_connection; }
    void setConnection(int connection); // -1 = all connections
    /// Several connections at once (the selection in the Connections pane); empty = all.
    /// Replaces setConnection()'s single connection.
    QSet<quint16> connections() const { return m_connections; }
    void setConnections(const QSet<quint16> &connections);

    /// Types hidden on one connection only, as connectionTypeKey() values, so that unticking
    /// a type for one stream does not hide another stream's events of the same name.
    static quint32 connectionTypeKey(quint16 connection, quint16 typeIndex)
    {
        return (quint32(connection) << 16) | typeIndex;
    }
    QSet<quint32> hiddenConnectionTypes() const { return m_hiddenConnectionTypes; }
    void setHiddenConnectionTypes(const QSet<quint32> &keys);

    QSet<quint16> hiddenTypes() const { return m_hiddenTypes; }
    void setHiddenTypes(const QSet<quint16> &typeIndexes);
    bool isTypeHidden(quint16 typeIndex) const
    {
        return typeIndex < m_hiddenMask.size() && m_hiddenMask[typeIndex];
    }

    QString text() const { return m_text; }
    void setText(const QString &text);
    MatchMode matchMode() const { return m_matchMode; }
    void setMatchMode(MatchMode mode);
    Qt::CaseSensitivity caseSensitivity() const { return m_caseSensitivity; }
    void setCaseSensitivity(Qt::CaseSensitivity sensitivity);

    Sse::FilterExpression expression() const { return m_expression; }
    void setExpression(const Sse::FilterExpression &expression);
    // UTF-8 names by connection index, for the expression's `connection` field. Context, not a
    // criterion: operator== ignores them.
    void setConnectionNames(const QHash<quint16, QByteArray> &names) { m_connectionNames = names; }
    // The user's marks, for the expression's `marked` field (none: nothing is marked). Context
    // like the names; the annotations must outlive the filter's use.
    void setMarks(const EventAnnotations *marks) { m_marks = marks; }
    // True when the expression reads `marked`, so a change of marks changes what passes.
    bool readsMarks() const
    {
        return m_expressionFields.testFlag(Sse::FilterExpression::Field::Marked);
    }

    bool isValid() const { return m_errorString.isEmpty(); }
    QString errorString() const { return m_errorString; }

    // True when no criterion is active, so every event passes.
    bool acceptsEverything() const;
    // Tests one stored event; `sequence` must be in the store's range.
    bool accepts(const EventStore &store, qint64 sequence) const;

    friend bool operator==(const EventFilter &lhs, const EventFilter &rhs);
    friend bool operator!=(const EventFilter &lhs, const EventFilter &rhs)
    {
        return !(lhs == rhs);
    }

    // Compiled search text; an implementation detail defined in eventfilter.cpp.
    class TextMatcher;

private:
    void compile();

    int m_connection = -1;
    QSet<quint16> m_connections;
    std::vector<bool> m_connectionMask; // indexed by connection, when m_connections is set
    QSet<quint32> m_hiddenConnectionTypes;
    QSet<quint16> m_hiddenTypes;
    std::vector<bool> m_hiddenMask; // indexed by type index, for the per-event test
    QString m_text;
    MatchMode m_matchMode = MatchMode::Substring;
    Qt::CaseSensitivity m_caseSensitivity = Qt::CaseInsensitive;
    std::shared_ptr<const TextMatcher> m_matcher; // null when the text does not filter
    QString m_errorString;
    Sse::FilterExpression m_expression; // only a valid, non-empty one is kept
    Sse::FilterExpression::Fields m_expressionFields;
    QHash<quint16, QByteArray> m_connectionNames;
    const EventAnnotations *m_marks = nullptr;
};
