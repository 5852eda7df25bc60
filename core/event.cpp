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

Parsed<EventPage> EventPage::fromJson(const Json &json)
{
    using Result = Parsed<EventPage>;
    JsonReader r(json, u"events"_s);
    const Json *data = r.optionalArray("data");
    if (r.ok() && !data)
        r.fail("data", u"missing"_s);
    EventPage page;
    page.nextBefore = r.optionalInt("nextBefore");
    if (r.ok() && page.nextBefore && *page.nextBefore < 0)
        r.fail("nextBefore", u"negative"_s);
    if (!r.ok())
        return Result::failure(r.error());
    page.data.reserve(qsizetype(data->size()));
    for (const Json &item : *data) {
        auto event = Event::fromJson(item);
        if (!event)
            return Result::failure(u"events.data[%1]: "_s.arg(page.data.size()) + event.error());
        page.data.append(std::move(event).value());
    }
    return page;
}

Json EventPage::toJson() const
{
    Json items = Json::array();
    for (const Event &event : data)
        items.push_back(event.toJson());
    return Json{{"data", std::move(items)}, {"nextBefore", nextBefore ? Json(*nextBefore) : Json(nullptr)}};
}

} // namespace banata
