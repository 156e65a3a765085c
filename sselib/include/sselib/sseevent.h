#pragma once

#include <QByteArray>
#include <QList>
#include <QMetaType>

namespace Sse {

/// One dispatched event, as the WHATWG "dispatch the event" step produces it.
/// All text is UTF-8: invalid input bytes have already been replaced by U+FFFD.
struct Event
{
    QByteArray type;        ///< event type; "message" unless an `event:` field set it
    QByteArray data;        ///< data buffer with the trailing LF removed
    QByteArray lastEventId; ///< the last event id in force when the event was dispatched
    qint64 receivedMs = 0;  ///< wall clock (ms since the Unix epoch) of the read that completed it
    qint64 retryMs = -1;    ///< reconnection time set inside this event block, or -1
};

using EventList = QList<Event>;

} // namespace Sse

// QByteArray and qint64 members only: QList may move events with memcpy/realloc.
Q_DECLARE_TYPEINFO(Sse::Event, Q_RELOCATABLE_TYPE);

Q_DECLARE_METATYPE(Sse::Event)
Q_DECLARE_METATYPE(Sse::EventList)
