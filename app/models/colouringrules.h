#pragma once

#include "models/eventfilter.h"

#include <QColor>
#include <QHash>
#include <QList>
#include <QObject>
#include <QString>

class EventStore;

// One colouring rule: events the filter expression matches get its colours in the event log.
struct ColouringRule
{
    QString name;
    QString expression; // the filter language (Sse::FilterExpression)
    QColor background; // invalid: no background
    QColor foreground; // invalid: the palette's text colour
    bool enabled = true;

    friend bool operator==(const ColouringRule &a, const ColouringRule &b)
    {
        return a.name == b.name && a.expression == b.expression && a.background == b.background
            && a.foreground == b.foreground && a.enabled == b.enabled;
    }
};
using ColouringRuleList = QList<ColouringRule>;

// The ordered list of colouring rules (View > Colouring Rules…): the first enabled rule whose
// expression matches an event decides its colours. Invalid expressions never match.
//
// match() evaluates the rules at most once per event: the result (a small rule index) is cached
// per sequence number, at most CacheEntries of them (about 16 bytes each); the cache is dropped
// when it is full and whenever the rules change. Only rows that are drawn or exported ask, so
// the cost does not grow with the event rate. GUI thread only; no widgets.
class ColouringRules : public QObject
{
    Q_OBJECT
public:
    static constexpr int NoRule = -1;
    static constexpr qsizetype CacheEntries = 1 << 16;

    explicit ColouringRules(QObject *parent = nullptr);

    ColouringRuleList rules() const { return m_rules; }
    const ColouringRule &ruleAt(int index) const { return m_rules.at(index); }
    int count() const { return int(m_rules.size()); }
    void setRules(const ColouringRuleList &rules);
    static ColouringRuleList defaultRules();

    // Empty when rule \a index is valid, else the expression's error.
    QString errorString(int index) const;

    // The index of the first enabled rule matching event \a sequence, or NoRule.
    int match(const EventStore &store, qint64 sequence) const;
    void setConnectionNames(const QHash<quint16, QByteArray> &names);
    // Drops the cached results (the store was cleared: sequence numbers start again).
    void clearCache() const { m_cache.clear(); }
    qsizetype cachedCount() const { return m_cache.size(); }

    // The settings ("view/colouringRules"); defaultRules() when nothing was saved.
    void load();
    void save() const;

Q_SIGNALS:
    void rulesChanged();

private:
    void compile();

    ColouringRuleList m_rules;
    QList<EventFilter> m_filters; // one per rule; an invalid or disabled rule has none
    QList<bool> m_active;
    QHash<quint16, QByteArray> m_connectionNames;
    mutable QHash<qint64, qint8> m_cache;
};
