// SPDX-License-Identifier: MIT
#include "core/client/eventmessage.h"

#include "core/json.h"

namespace banata {

EventMessage readEventMessage(QByteArrayView utf8, qint64 lastSeq)
{
    EventMessage message;
    const auto json = parseJson(utf8.toByteArray());
    Parsed<Event> event = json ? Event::fromJson(*json) : Parsed<Event>::failure(json.error());
    if (!event) {
        message.error = event.error();
        return message;
    }
    message.event = std::move(event).value();
    if (message.event.type == QLatin1StringView(kStreamResetEvent))
        message.kind = EventMessage::Kind::Reset;
    else if (message.event.seq <= lastSeq)
        message.kind = EventMessage::Kind::Duplicate;
    else
        message.kind = EventMessage::Kind::Deliver;
    return message;
}

} // namespace banata
