// SPDX-License-Identifier: MIT
#include "core/client/apiresult.h"

using namespace Qt::StringLiterals;

namespace banata {

namespace {
// Both write-like routes answer {"ok": true, ...}; anything else is not a success body.
bool requireOk(JsonReader &r)
{
    const bool ok = r.requiredBool("ok");
    if (r.ok() && !ok)
        r.fail("ok", u"expected true"_s);
    return r.ok();
}
} // namespace

Parsed<WriteResult> WriteResult::fromJson(const Json &json)
{
    JsonReader r(json, u"write"_s);
    WriteResult result;
    requireOk(r);
    result.path = r.requiredString("path");
    result.size = r.requiredInt("size");
    if (!r.ok())
        return Parsed<WriteResult>::failure(r.error());
    if (result.size < 0)
        return Parsed<WriteResult>::failure(u"write.size: negative"_s);
    return result;
}

Json WriteResult::toJson() const
{
    return Json{{"ok", true}, {"path", toStd(path)}, {"size", size}};
}

Parsed<RestoreResult> RestoreResult::fromJson(const Json &json)
{
    using Result = Parsed<RestoreResult>;
    JsonReader r(json, u"restore"_s);
    requireOk(r);
    const Json *checkpoint = r.optionalObject("checkpoint");
    const Json *sandbox = r.optionalObject("sandbox");
    if (r.ok() && !checkpoint)
        r.fail("checkpoint", u"missing"_s);
    if (r.ok() && !sandbox)
        r.fail("sandbox", u"missing"_s);
    if (!r.ok())
        return Result::failure(r.error());
    auto parsedCheckpoint = Checkpoint::fromJson(*checkpoint);
    if (!parsedCheckpoint)
        return Result::failure(u"restore."_s + parsedCheckpoint.error());
    auto parsedSandbox = Sandbox::fromJson(*sandbox);
    if (!parsedSandbox)
        return Result::failure(u"restore."_s + parsedSandbox.error());
    return RestoreResult{std::move(parsedCheckpoint).value(), std::move(parsedSandbox).value()};
}

Json RestoreResult::toJson() const
{
    return Json{{"ok", true}, {"checkpoint", checkpoint.toJson()}, {"sandbox", sandbox.toJson()}};
}

} // namespace banata
