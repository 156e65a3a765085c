#include "session/alertrule.h"

#include "sselib/filterexpression.h"

#include <QJsonArray>
#include <QJsonObject>

#include <algorithm>

namespace {

constexpr qint64 MaximumSeconds = 7 * 24 * 3600;
constexpr int MaximumCount = 1000000;

struct KindName
{
    AlertRule::Kind kind;
    const char *name;
};
constexpr KindName KindNames[] = {
    {AlertRule::Kind::Match, "match"},           {AlertRule::Kind::Stall, "stall"},
    {AlertRule::Kind::Reconnects, "reconnects"}, {AlertRule::Kind::IdGap, "id-gap"},
    {AlertRule::Kind::Failed, "failed"},
};

} // namespace

QString AlertRule::kindName(Kind kind)
{
    for (const KindName &entry : KindNames) {
        if (entry.kind == kind)
            return QString::fromLatin1(entry.name);
    }
    return QString();
}

std::optional<AlertRule::Kind> AlertRule::kindFromName(const QString &name)
{
    for (const KindName &entry : KindNames) {
        if (name == QLatin1String(entry.name))
            return entry.kind;
    }
    return std::nullopt;
}

QString AlertRule::label() const
{
    switch (kind) {
    case Kind::Match:
        return tr("match: %1").arg(expression);
    case Kind::Stall:
        return tr("stall > %1 s").arg(seconds);
    case Kind::Reconnects:
        return tr("reconnects > %1 in %2 s").arg(count).arg(seconds);
    case Kind::IdGap:
        return tr("id gap");
    case Kind::Failed:
        return tr("connection failed");
    }
    return QString();
}

QString AlertRule::rateLimitText() const
{
    return rateLimitSeconds > 0 ? tr("at most one alert per %1 s").arg(rateLimitSeconds)
                                : tr("every occurrence");
}

QString AlertRule::validationError() const
{
    if (rateLimitSeconds < 0 || rateLimitSeconds > MaximumSeconds)
        return tr("the rate limit must be from 0 to %1 seconds").arg(MaximumSeconds);
    switch (kind) {
    case Kind::Match: {
        if (expression.trimmed().isEmpty())
            return tr("a match rule needs a filter expression");
        const Sse::FilterExpression filter = Sse::FilterExpression::parse(expression);
        return filter.isValid() ? QString() : filter.errorString();
    }
    case Kind::Stall:
    case Kind::Reconnects:
        if (seconds < 1 || seconds > MaximumSeconds)
            return tr("seconds must be from 1 to %1").arg(MaximumSeconds);
        if (kind == Kind::Reconnects && (count < 0 || count > MaximumCount))
            return tr("the count must be from 0 to %1").arg(MaximumCount);
        return QString();
    case Kind::IdGap:
    case Kind::Failed:
        return QString();
    }
    return QString();
}

QJsonObject AlertRule::toJson() const
{
    QJsonObject object {{QStringLiteral("kind"), kindName(kind)}};
    if (kind == Kind::Match)
        object.insert(QStringLiteral("expression"), expression);
    if (kind == Kind::Stall || kind == Kind::Reconnects)
        object.insert(QStringLiteral("seconds"), seconds);
    if (kind == Kind::Reconnects)
        object.insert(QStringLiteral("count"), count);
    if (rateLimitSeconds != DefaultRateLimitSeconds)
        object.insert(QStringLiteral("rate_limit_seconds"), rateLimitSeconds);
    return object;
}

std::optional<AlertRule> AlertRule::fromJson(const QJsonObject &object)
{
    const std::optional<Kind> kind = kindFromName(object.value(QLatin1String("kind")).toString());
    if (!kind)
        return std::nullopt;
    AlertRule rule;
    rule.kind = *kind;
    rule.expression = object.value(QLatin1String("expression")).toString();
    rule.seconds = object.value(QLatin1String("seconds")).toInteger(rule.seconds);
    const qint64 count = object.value(QLatin1String("count")).toInteger(rule.count);
    rule.count = int(std::clamp<qint64>(count, -1, qint64(MaximumCount) + 1));
    // Rules saved before the setting existed have the limit they had: the default.
    rule.rateLimitSeconds =
        object.value(QLatin1String("rate_limit_seconds")).toInteger(DefaultRateLimitSeconds);
    if (!rule.validationError().isEmpty())
        return std::nullopt;
    return rule;
}

QJsonArray AlertRule::listToJson(const QList<AlertRule> &rules)
{
    QJsonArray array;
    for (const AlertRule &rule : rules)
        array.append(rule.toJson());
    return array;
}

QList<AlertRule> AlertRule::listFromJson(const QJsonArray &array)
{
    QList<AlertRule> rules;
    for (const QJsonValue &value : array) {
        if (const std::optional<AlertRule> rule = fromJson(value.toObject()))
            rules.append(*rule);
    }
    return rules;
}
