// SPDX-License-Identifier: MIT
#include "handoff.h"

using namespace Qt::StringLiterals;

namespace banata {

namespace {
const QStringList kStatuses = {u"pending"_s, u"accepted"_s, u"completed"_s, u"cancelled"_s, u"expired"_s};

void putOptional(Json &out, const char *key, const std::optional<QString> &value)
{
    if (value)
        out[key] = toStd(*value);
}

void putOptional(Json &out, const char *key, const std::optional<qint64> &value)
{
    if (value)
        out[key] = *value;
}

/// A required string that must be one of \a allowed; the message lists them.
QString requiredEnum(JsonReader &r, const char *key, const QStringList &allowed)
{
    const QString value = r.requiredString(key);
    if (r.ok() && !allowed.contains(value))
        r.fail(key, u"must be one of %1"_s.arg(allowed.join(u", "_s)));
    return value;
}
} // namespace

QString toString(HandoffStatus status)
{
    return kStatuses.value(static_cast<int>(status));
}

std::optional<HandoffStatus> handoffStatusFromString(const QString &text)
{
    const qsizetype index = kStatuses.indexOf(text);
    return index < 0 ? std::nullopt : std::optional(static_cast<HandoffStatus>(index));
}

const QStringList &handoffReasons()
{
    static const QStringList reasons = {u"mfa"_s,          u"captcha"_s,       u"approval"_s, u"login_failed"_s,
                                        u"ambiguous_ui"_s, u"file_download"_s, u"custom"_s};
    return reasons;
}

const QStringList &handoffRequesters()
{
    static const QStringList requesters = {u"agent"_s, u"worker"_s, u"sdk"_s, u"dashboard"_s};
    return requesters;
}

const QStringList &handoffOutcomes()
{
    static const QStringList outcomes = {u"done"_s, u"failed"_s, u"needs_info"_s};
    return outcomes;
}

Parsed<Handoff> Handoff::fromJson(const Json &json)
{
    JsonReader r(json, u"handoff"_s);
    Handoff h;
    h.requestId = r.requiredString("requestId");
    const QString status = r.requiredString("status");
    if (r.ok()) {
        if (auto parsed = handoffStatusFromString(status))
            h.status = *parsed;
        else
            r.fail("status", u"unknown status '%1'"_s.arg(status));
    }
    h.reason = requiredEnum(r, "reason", handoffReasons());
    h.message = r.requiredString("message");
    h.requestedBy = requiredEnum(r, "requestedBy", handoffRequesters());
    h.controller = r.optionalString("controller");
    h.resumePrompt = r.optionalString("resumePrompt");
    h.note = r.optionalString("note");
    h.outcome = r.optionalString("outcome");
    h.requestedAt = r.requiredInt("requestedAt");
    h.acceptedAt = r.optionalInt("acceptedAt");
    h.completedAt = r.optionalInt("completedAt");
    h.expiresAt = r.optionalInt("expiresAt");
    h.updatedAt = r.requiredInt("updatedAt");
    if (!r.ok())
        return Parsed<Handoff>::failure(r.error());
    return h;
}

Json Handoff::toJson() const
{
    // Optional members are left out rather than null, as the documented shape types them `?:`.
    Json out = {{"requestId", toStd(requestId)}, {"status", toStd(toString(status))},
                {"reason", toStd(reason)},       {"message", toStd(message)},
                {"requestedBy", toStd(requestedBy)}};
    putOptional(out, "controller", controller);
    putOptional(out, "resumePrompt", resumePrompt);
    putOptional(out, "note", note);
    putOptional(out, "outcome", outcome);
    out["requestedAt"] = requestedAt;
    putOptional(out, "acceptedAt", acceptedAt);
    putOptional(out, "completedAt", completedAt);
    putOptional(out, "expiresAt", expiresAt);
    out["updatedAt"] = updatedAt;
    return out;
}

Parsed<HandoffPreview> HandoffPreview::fromJson(const Json &json)
{
    JsonReader r(json, u"preview"_s);
    HandoffPreview p;
    p.status = r.requiredString("status");
    p.controlMode = r.optionalString("controlMode");
    if (r.ok() && p.controlMode && !QStringList{u"ai"_s, u"shared"_s, u"human"_s}.contains(*p.controlMode))
        r.fail("controlMode", u"must be one of ai, shared, human"_s);
    p.controller = r.optionalString("controller");
    p.updatedAt = r.optionalInt("updatedAt");
    if (!r.ok())
        return Parsed<HandoffPreview>::failure(r.error());
    return p;
}

Json HandoffPreview::toJson() const
{
    Json out = {{"status", toStd(status)}};
    putOptional(out, "controlMode", controlMode);
    putOptional(out, "controller", controller);
    putOptional(out, "updatedAt", updatedAt);
    return out;
}

Parsed<HandoffResponse> HandoffResponse::fromJson(const Json &json)
{
    using Result = Parsed<HandoffResponse>;
    JsonReader r(json, u"response"_s);
    HandoffResponse response;
    response.ok = r.requiredBool("ok");
    const Json *handoff = r.optionalObject("handoff");
    if (r.ok() && !handoff)
        r.fail("handoff", u"missing"_s);
    const Json *preview = r.optionalObject("preview");
    if (r.has("pairedBrowser")) {
        const Json &paired = json.at("pairedBrowser");
        if (!paired.is_null() && !paired.is_object())
            r.fail("pairedBrowser", u"must be an object or null"_s);
        else
            response.pairedBrowser = paired;
    }
    if (!r.ok())
        return Result::failure(r.error());
    auto parsedHandoff = Handoff::fromJson(*handoff);
    if (!parsedHandoff)
        return Result::failure(u"response."_s + parsedHandoff.error());
    response.handoff = std::move(parsedHandoff).value();
    if (preview) {
        auto parsedPreview = HandoffPreview::fromJson(*preview);
        if (!parsedPreview)
            return Result::failure(u"response."_s + parsedPreview.error());
        response.preview = std::move(parsedPreview).value();
    }
    return response;
}

Json HandoffResponse::toJson() const
{
    return Json{{"ok", ok},
                {"handoff", handoff.toJson()},
                {"preview", preview ? preview->toJson() : Json(nullptr)},
                {"pairedBrowser", pairedBrowser}};
}

Parsed<QList<Handoff>> handoffListFromJson(const Json &json)
{
    using Result = Parsed<QList<Handoff>>;
    JsonReader r(json, u"handoffs"_s);
    const Json *data = r.optionalArray("data");
    if (r.ok() && !data)
        r.fail("data", u"missing"_s);
    if (!r.ok())
        return Result::failure(r.error());
    QList<Handoff> out;
    for (const Json &item : *data) {
        auto h = Handoff::fromJson(item);
        if (!h)
            return Result::failure(u"handoffs.data[%1]: "_s.arg(out.size()) + h.error());
        out.append(*h);
    }
    return out;
}

Json handoffListToJson(const QList<Handoff> &handoffs)
{
    Json items = Json::array();
    for (const Handoff &h : handoffs)
        items.push_back(h.toJson());
    return Json{{"data", std::move(items)}};
}

Parsed<PendingHandoff> PendingHandoff::fromJson(const Json &json)
{
    using Result = Parsed<PendingHandoff>;
    JsonReader r(json, u"pendingHandoff"_s);
    PendingHandoff pending;
    pending.sandboxId = r.requiredString("sandboxId");
    if (r.ok() && pending.sandboxId.isEmpty())
        r.fail("sandboxId", u"must not be empty"_s);
    const Json *handoff = r.optionalObject("handoff");
    if (r.ok() && !handoff)
        r.fail("handoff", u"missing"_s);
    if (!r.ok())
        return Result::failure(r.error());
    auto parsed = Handoff::fromJson(*handoff);
    if (!parsed)
        return Result::failure(u"pendingHandoff."_s + parsed.error());
    pending.handoff = std::move(parsed).value();
    return pending;
}

Json PendingHandoff::toJson() const
{
    return Json{{"sandboxId", toStd(sandboxId)}, {"handoff", handoff.toJson()}};
}

Parsed<QList<PendingHandoff>> pendingHandoffListFromJson(const Json &json)
{
    using Result = Parsed<QList<PendingHandoff>>;
    JsonReader r(json, u"pendingHandoffs"_s);
    const Json *data = r.optionalArray("data");
    if (r.ok() && !data)
        r.fail("data", u"missing"_s);
    if (!r.ok())
        return Result::failure(r.error());
    QList<PendingHandoff> out;
    out.reserve(qsizetype(data->size()));
    for (const Json &item : *data) {
        auto pending = PendingHandoff::fromJson(item);
        if (!pending)
            return Result::failure(u"pendingHandoffs.data[%1]: "_s.arg(out.size()) + pending.error());
        out.append(std::move(pending).value());
    }
    return out;
}

Json pendingHandoffListToJson(const QList<PendingHandoff> &handoffs)
{
    Json items = Json::array();
    for (const PendingHandoff &pending : handoffs)
        items.push_back(pending.toJson());
    return Json{{"data", std::move(items)}};
}

Parsed<HandoffRequest> HandoffRequest::fromJson(const Json &json)
{
    JsonReader r(json, u"body"_s);
    HandoffRequest request;
    request.id = r.optionalString("id").value_or(QString()); // may come from ?id= instead
    request.reason = requiredEnum(r, "reason", handoffReasons());
    request.message = r.requiredString("message");
    request.resumePrompt = r.optionalString("resumePrompt");
    request.timeoutMs = r.optionalInt("timeoutMs");
    request.requestedBy = r.optionalString("requestedBy");
    if (r.ok() && request.requestedBy && !handoffRequesters().contains(*request.requestedBy))
        r.fail("requestedBy", u"must be one of %1"_s.arg(handoffRequesters().join(u", "_s)));
    if (!r.ok())
        return Parsed<HandoffRequest>::failure(r.error());
    return request;
}

Json HandoffRequest::toJson() const
{
    Json out = {{"id", toStd(id)}, {"reason", toStd(reason)}, {"message", toStd(message)}};
    putOptional(out, "resumePrompt", resumePrompt);
    putOptional(out, "timeoutMs", timeoutMs);
    putOptional(out, "requestedBy", requestedBy);
    return out;
}

} // namespace banata
