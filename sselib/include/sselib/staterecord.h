#pragma once

#include "sselib/jsonlines.h"
#include "sselib/sseclient.h"

#include <QByteArray>
#include <QString>

namespace Sse {

/// The details of one state change as whoever saw it knows them: the client itself (the CLI)
/// or the fields the GUI keeps per connection. Fill in what is known; stateRecord() keeps
/// what a record of that state carries, so two recordings of one stream say the same.
struct StateChange
{
    Client::State state = Client::State::Idle;
    qint64 timeMs = 0;
    QByteArray lastEventId; ///< Connecting: the id the request sends
    int attempt = 0; ///< Connecting and Reconnecting: the attempt number
    int httpStatus = 0; ///< Open: the response's status; Failed: the failure's (0 if none)
    bool http2 = false; ///< Open: the response came over HTTP/2 (else HTTP/1.1)
    qint64 retryMs = -1; ///< Reconnecting: the delay before the next attempt
    QString reason; ///< Reconnecting: why; Failed: the failure; Closed: the last error
    QString proxy; ///< Connecting and Open: the proxy of the request (no password), or empty
};

/// The change \a client has just made to its current state, at \a timeMs. \a lastError is the
/// last errorOccurred() message since the connection was last open (the reason of a close).
/// For Reconnecting, retryMs is the time left until the next attempt; where the exact delay is
/// at hand, use reconnectChange() with reconnectScheduled()'s arguments instead.
StateChange stateChange(const Client &client, qint64 timeMs, const QString &lastError);

/// A Reconnecting change from reconnectScheduled(\a delayMs, \a attempt, \a reason).
StateChange reconnectChange(qint64 timeMs, qint64 delayMs, int attempt, const QString &reason);

namespace JsonLines {

/// The one rule for what a state record holds:
///   connecting: attempt, lastEventId, proxy;  open: status, protocol, proxy;
///   reconnecting: retry, attempt, error;  failed: status, error;  closed: error.
StateRecord stateRecord(const StateChange &change);

} // namespace JsonLines
} // namespace Sse
