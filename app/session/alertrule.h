#pragma once

#include <QCoreApplication>
#include <QList>
#include <QString>

#include <optional>

QT_BEGIN_NAMESPACE
class QJsonArray;
class QJsonObject;
QT_END_NAMESPACE

/// One alert rule of a connection, saved with it (SavedConnection::alerts, JSON "alerts").
/// A plain value type; the AlertCenter evaluates it.
struct AlertRule
{
    Q_DECLARE_TR_FUNCTIONS(AlertRule)

public:
    enum class Kind {
        Match, ///< an event matches `expression` (the filter language)
        Stall, ///< connected, and no data event for `seconds`
        Reconnects, ///< more than `count` reconnects within `seconds`
        IdGap, ///< a numeric event id jumped forward
        Failed, ///< the connection failed
    };
    /// The rate limit when none is set: at most one alert per minute.
    static constexpr qint64 DefaultRateLimitSeconds = 60;

    Kind kind = Kind::Match;
    QString expression;
    qint64 seconds = 60;
    int count = 3;
    /// At most one alert of this rule (per connection) in this many seconds; 0: no limit.
    /// Saved as "rate_limit_seconds" when it is not the default.
    qint64 rateLimitSeconds = DefaultRateLimitSeconds;

    /// "match: type == \"alarm\"", "stall > 30 s", "reconnects > 3 in 60 s" (translated).
    QString label() const;
    /// "at most one alert per 60 s", "every occurrence" (translated).
    QString rateLimitText() const;
    /// An empty string when the rule can be used, else why not (translated).
    QString validationError() const;

    /// Stable names of the kinds ("match", "stall", "reconnects", "id-gap", "failed").
    static QString kindName(Kind kind);
    static std::optional<Kind> kindFromName(const QString &name);

    QJsonObject toJson() const;
    /// nullopt for an object that is not a usable rule (unknown kind, bad numbers).
    static std::optional<AlertRule> fromJson(const QJsonObject &object);
    static QJsonArray listToJson(const QList<AlertRule> &rules);
    static QList<AlertRule> listFromJson(const QJsonArray &array);

    bool operator==(const AlertRule &) const = default;
};
