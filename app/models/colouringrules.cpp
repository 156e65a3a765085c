#include "models/colouringrules.h"

#include "models/eventstore.h"

#include "sselib/filterexpression.h"

#include <QSettings>

namespace {
const QString SettingsKey = QStringLiteral("view/colouringRules");
// More rules than a cached qint8 index can name are ignored.
constexpr int MaximumRules = 100;
} // namespace

ColouringRules::ColouringRules(QObject *parent) : QObject(parent), m_rules(defaultRules())
{
    compile();
}

ColouringRuleList ColouringRules::defaultRules()
{
    // Saturated colours: the log blends them with the palette's base, so they tint rows in the
    // light and the dark theme alike.
    return {
        {tr("Errors"), QStringLiteral("type in {\"error\", \"overloaded\"} || data.error"),
         QColor(0xe5, 0x3e, 0x3e), QColor(), true},
        {tr("Warnings"), QStringLiteral("type == \"warning\""), QColor(0xf0, 0xa0, 0x20), QColor(),
         true},
        {tr("Heartbeats"), QStringLiteral("type in {\"ping\", \"heartbeat\", \"keepalive\"}"),
         QColor(), QColor(0x8a, 0x8a, 0x8a), true},
    };
}

void ColouringRules::setRules(const ColouringRuleList &rules)
{
    if (rules == m_rules)
        return;
    m_rules = rules.mid(0, MaximumRules);
    compile();
    emit rulesChanged();
}

void ColouringRules::compile()
{
    m_cache.clear();
    m_filters.clear();
    m_active.clear();
    for (const ColouringRule &rule : std::as_const(m_rules)) {
        EventFilter filter;
        const Sse::FilterExpression expression = Sse::FilterExpression::parse(rule.expression);
        const bool usable = rule.enabled && expression.isValid() && !expression.isEmpty();
        if (usable) {
            filter.setExpression(expression);
            filter.setConnectionNames(m_connectionNames);
        }
        m_filters.append(filter);
        m_active.append(usable);
    }
}

QString ColouringRules::errorString(int index) const
{
    if (index < 0 || index >= m_rules.size())
        return QString();
    const Sse::FilterExpression expression =
        Sse::FilterExpression::parse(m_rules.at(index).expression);
    if (expression.isEmpty() && expression.isValid())
        return tr("empty expression");
    return expression.errorString();
}

void ColouringRules::setConnectionNames(const QHash<quint16, QByteArray> &names)
{
    if (names == m_connectionNames)
        return;
    m_connectionNames = names;
    for (EventFilter &filter : m_filters)
        filter.setConnectionNames(names);
    m_cache.clear();
}

int ColouringRules::match(const EventStore &store, qint64 sequence) const
{
    const auto cached = m_cache.constFind(sequence);
    if (cached != m_cache.constEnd())
        return *cached;
    int found = NoRule;
    if (!store.isMarker(sequence)) {
        for (int i = 0; i < m_filters.size(); ++i) {
            if (m_active.at(i) && m_filters.at(i).accepts(store, sequence)) {
                found = i;
                break;
            }
        }
    }
    if (m_cache.size() >= CacheEntries)
        m_cache.clear();
    m_cache.insert(sequence, qint8(found));
    return found;
}

void ColouringRules::load()
{
    QSettings settings;
    if (!settings.contains(SettingsKey + QStringLiteral("/size"))) {
        setRules(defaultRules());
        return;
    }
    ColouringRuleList rules;
    const int count = settings.beginReadArray(SettingsKey);
    for (int i = 0; i < qMin(count, MaximumRules); ++i) {
        settings.setArrayIndex(i);
        ColouringRule rule;
        rule.name = settings.value(QStringLiteral("name")).toString();
        rule.expression = settings.value(QStringLiteral("expression")).toString();
        rule.background =
            QColor::fromString(settings.value(QStringLiteral("background")).toString());
        rule.foreground =
            QColor::fromString(settings.value(QStringLiteral("foreground")).toString());
        rule.enabled = settings.value(QStringLiteral("enabled"), true).toBool();
        rules.append(rule);
    }
    settings.endArray();
    setRules(rules);
}

void ColouringRules::save() const
{
    QSettings settings;
    settings.remove(SettingsKey);
    settings.beginWriteArray(SettingsKey, int(m_rules.size()));
    for (int i = 0; i < m_rules.size(); ++i) {
        const ColouringRule &rule = m_rules.at(i);
        settings.setArrayIndex(i);
        settings.setValue(QStringLiteral("name"), rule.name);
        settings.setValue(QStringLiteral("expression"), rule.expression);
        settings.setValue(QStringLiteral("background"),
                          rule.background.isValid() ? rule.background.name() : QString());
        settings.setValue(QStringLiteral("foreground"),
                          rule.foreground.isValid() ? rule.foreground.name() : QString());
        settings.setValue(QStringLiteral("enabled"), rule.enabled);
    }
    settings.endArray();
}
