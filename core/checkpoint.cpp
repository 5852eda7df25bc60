// SPDX-License-Identifier: MIT
#include "checkpoint.h"

using namespace Qt::StringLiterals;

namespace banata {

Parsed<Checkpoint> Checkpoint::fromJson(const Json &json)
{
    JsonReader r(json, u"checkpoint"_s);
    Checkpoint c;
    c.id = r.requiredString("id");
    c.sandboxId = r.requiredString("sandboxId");
    c.label = r.optionalString("label");
    c.createdAt = r.requiredInt("createdAt");
    c.sizeBytes = r.optionalInt("sizeBytes").value_or(0);
    c.fileCount = r.optionalInt("fileCount").value_or(0);
    if (!r.ok())
        return Parsed<Checkpoint>::failure(r.error());
    return c;
}

Json Checkpoint::toJson() const
{
    return Json{{"id", toStd(id)},
                {"sandboxId", toStd(sandboxId)},
                {"label", label ? Json(toStd(*label)) : Json(nullptr)},
                {"createdAt", createdAt},
                {"sizeBytes", sizeBytes},
                {"fileCount", fileCount}};
}

Parsed<QList<Checkpoint>> checkpointListFromJson(const Json &json)
{
    using Result = Parsed<QList<Checkpoint>>;
    JsonReader r(json, u"checkpoints"_s);
    const Json *data = r.optionalArray("data");
    if (r.ok() && !data)
        r.fail("data", u"missing"_s);
    if (!r.ok())
        return Result::failure(r.error());
    QList<Checkpoint> out;
    for (const Json &item : *data) {
        auto c = Checkpoint::fromJson(item);
        if (!c)
            return Result::failure(u"checkpoints.data[%1]: "_s.arg(out.size()) + c.error());
        out.append(*c);
    }
    return out;
}

Json checkpointListToJson(const QList<Checkpoint> &checkpoints)
{
    Json items = Json::array();
    for (const Checkpoint &c : checkpoints)
        items.push_back(c.toJson());
    return Json{{"data", std::move(items)}};
}

} // namespace banata
