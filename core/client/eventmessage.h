// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArrayView>
#include <QString>

#include "core/event.h"

namespace banata {

/// What one text message of the `/v1/events` stream means to a client that has delivered every
/// event up to \a lastSeq: kept apart from EventStream so that it can be tested and fuzzed without
/// a socket.
struct EventMessage
{
    enum class Kind
    {
        Deliver,   // a new event: deliver it, it becomes the last seq
        Reset,     // stream.reset: refetch all state; its seq becomes the last seq (may go down)
        Duplicate, // seq <= lastSeq: already delivered, drop it
        Malformed, // not an event: skip it, see error
    };

    Kind kind = Kind::Malformed;
    Event event;   // all kinds but Malformed
    QString error; // Malformed: the parser's message
};

/// Reads one message (UTF-8 JSON) of the event stream. Never throws; anything that is not an
/// event is Malformed with the parser's message.
EventMessage readEventMessage(QByteArrayView utf8, qint64 lastSeq);

} // namespace banata
