// SPDX-License-Identifier: MIT
#include "event.h"

using namespace Qt::StringLiterals;

namespace banata {

Parsed<Event> Event::fromJson(const Json &json)
{
    JsonReader r(json, u"event"_s);
    Event e;
    e.seq = r.requiredInt("seq");
    e.type = r.requiredString("type");
    e.sandboxId = r.optionalString("sandboxId").value_or(QString());
    e.timestamp = r.requiredInt("timestamp");
    if (const Json *data = r.optionalObject("data"))
        e.data = *data;
    if (!r.ok())
        return Parsed<Event>::failure(r.error());
    if (e.seq < 0)
        return Parsed<Event>::failure(u"event.seq: negative"_s);
    return e;
}

Json Event::toJson() const
{
    return Json{{"seq", seq},
                {"type", toStd(type)},
                {"sandboxId", sandboxId.isEmpty() ? Json(nullptr) : Json(toStd(sandboxId))},
                {"timestamp", timestamp},
                {"data", data}};
}

} // namespace banata
