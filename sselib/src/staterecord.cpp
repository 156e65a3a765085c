#include "sselib/staterecord.h"

namespace Sse {

StateChange stateChange(const Client &client, qint64 timeMs, const QString &lastError)
{
    StateChange change;
    change.state = client.state();
    change.timeMs = timeMs;
    change.lastEventId = client.lastEventId();
    change.attempt = client.attempt();
    change.httpStatus =
        client.state() == Client::State::Failed ? client.failure().httpStatus : client.httpStatus();
    change.http2 = client.http2Used();
    change.retryMs = qMax<qint64>(0, client.nextAttemptAtMs() - timeMs);
    change.reason = client.state() == Client::State::Failed ? client.failure().message : lastError;
    change.proxy = client.proxyUsed();
    return change;
}

StateChange reconnectChange(qint64 timeMs, qint64 delayMs, int attempt, const QString &reason)
{
    StateChange change;
    change.state = Client::State::Reconnecting;
    change.timeMs = timeMs;
    change.retryMs = delayMs;
    change.attempt = attempt;
    change.reason = reason;
    return change;
}

namespace JsonLines {

StateRecord stateRecord(const StateChange &change)
{
    StateRecord record;
    record.timeMs = change.timeMs;
    record.state = stateName(change.state);
    switch (change.state) {
    case Client::State::Connecting:
        record.attempt = change.attempt;
        record.lastEventId = change.lastEventId;
        record.proxy = change.proxy;
        break;
    case Client::State::Open:
        record.status = change.httpStatus;
        record.protocol = change.http2 ? QStringLiteral("HTTP/2") : QStringLiteral("HTTP/1.1");
        record.proxy = change.proxy;
        break;
    case Client::State::Reconnecting:
        record.retryMs = change.retryMs;
        record.attempt = change.attempt;
        record.error = change.reason;
        break;
    case Client::State::Failed:
        record.status = change.httpStatus;
        record.error = change.reason;
        break;
    case Client::State::Closed:
        record.error = change.reason;
        break;
    case Client::State::Idle:
        break;
    }
    return record;
}

} // namespace JsonLines
} // namespace Sse
