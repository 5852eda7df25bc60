// SPDX-License-Identifier: MIT
#include "sandbox.h"

#include <QRegularExpression>
#include <QStringList>

#include <array>

using namespace Qt::StringLiterals;

namespace banata {

namespace {
constexpr std::array<QStringView, SandboxStatusCount> kStatusNames = {
    u"queued", u"assigning", u"ready", u"active", u"pausing", u"paused", u"ending", u"ended", u"failed",
};
const QStringList kRuntimes = {u"bun"_s, u"python"_s, u"base"_s};
const QStringList kSizes = {u"standard"_s};
constexpr int kMaxNameLength = 128;
constexpr size_t kMaxMetadataBytes = 16 * 1024;
constexpr int kMaxEnvEntries = 256;

Parsed<Viewport> viewportFromJson(const Json &json, const QString &context)
{
    JsonReader r(json, context);
    Viewport v;
    v.width = int(r.requiredInt("width"));
    v.height = int(r.requiredInt("height"));
    if (!r.ok())
        return Parsed<Viewport>::failure(r.error());
    if (v.width < 100 || v.width > 7680 || v.height < 100 || v.height > 4320)
        return Parsed<Viewport>::failure(context + u": must be between 100×100 and 7680×4320"_s);
    return v;
}
} // namespace

QString toString(SandboxStatus status)
{
    return kStatusNames[size_t(status)].toString();
}

std::optional<SandboxStatus> sandboxStatusFromString(const QString &text)
{
    for (size_t i = 0; i < kStatusNames.size(); ++i) {
        if (kStatusNames[i] == text)
            return SandboxStatus(i);
    }
    return std::nullopt;
}

bool isTransitional(SandboxStatus status)
{
    switch (status) {
    case SandboxStatus::Queued:
    case SandboxStatus::Assigning:
    case SandboxStatus::Pausing:
    case SandboxStatus::Ending:
        return true;
    default:
        return false;
    }
}

bool isTerminal(SandboxStatus status)
{
    return status == SandboxStatus::Ended || status == SandboxStatus::Failed;
}

Parsed<Capabilities> Capabilities::fromJson(const Json &json)
{
    JsonReader r(json, u"capabilities"_s);
    Capabilities caps;
    if (const Json *browser = r.optionalObject("browser")) {
        JsonReader b(*browser, u"capabilities.browser"_s);
        BrowserCapability cap;
        if (const Json *viewport = b.optionalObject("viewport")) {
            auto v = viewportFromJson(*viewport, u"capabilities.browser.viewport"_s);
            if (!v)
                return Parsed<Capabilities>::failure(v.error());
            cap.viewport = *v;
        }
        cap.recording = b.optionalBool("recording").value_or(false);
        cap.byoProxyUrl = b.optionalString("byoProxyUrl");
        if (!b.ok())
            return Parsed<Capabilities>::failure(b.error());
        caps.browser = cap;
    }
    if (const Json *agent = r.optionalObject("agent")) {
        JsonReader a(*agent, u"capabilities.agent"_s);
        AgentCapability cap;
        cap.enabled = a.optionalBool("enabled").value_or(true);
        cap.defaultAgent = a.optionalString("defaultAgent");
        if (!a.ok())
            return Parsed<Capabilities>::failure(a.error());
        caps.agent = cap;
    }
    if (const Json *documents = r.optionalObject("documents")) {
        JsonReader d(*documents, u"capabilities.documents"_s);
        DocumentsCapability cap;
        cap.libreofficeHeadless = d.optionalBool("libreofficeHeadless").value_or(true);
        if (!d.ok())
            return Parsed<Capabilities>::failure(d.error());
        caps.documents = cap;
    }
    if (const Json *storage = r.optionalObject("storage")) {
        JsonReader s(*storage, u"capabilities.storage"_s);
        StorageCapability cap;
        cap.artifactPrefix = s.optionalString("artifactPrefix");
        if (!s.ok())
            return Parsed<Capabilities>::failure(s.error());
        caps.storage = cap;
    }
    if (!r.ok())
        return Parsed<Capabilities>::failure(r.error());
    return caps;
}

Json Capabilities::toJson() const
{
    Json out = Json::object();
    if (browser) {
        Json b = Json::object();
        if (browser->viewport)
            b["viewport"] = {{"width", browser->viewport->width}, {"height", browser->viewport->height}};
        b["recording"] = browser->recording;
        if (browser->byoProxyUrl)
            b["byoProxyUrl"] = toStd(*browser->byoProxyUrl);
        out["browser"] = std::move(b);
    }
    if (agent) {
        Json a = {{"enabled", agent->enabled}};
        if (agent->defaultAgent)
            a["defaultAgent"] = toStd(*agent->defaultAgent);
        out["agent"] = std::move(a);
    }
    if (documents)
        out["documents"] = {{"libreofficeHeadless", documents->libreofficeHeadless}};
    if (storage) {
        Json s = Json::object();
        if (storage->artifactPrefix)
            s["artifactPrefix"] = toStd(*storage->artifactPrefix);
        out["storage"] = std::move(s);
    }
    return out;
}

Parsed<Sandbox> Sandbox::fromJson(const Json &json)
{
    JsonReader r(json, u"sandbox"_s);
    Sandbox s;
    s.id = r.requiredString("id");
    const QString status = r.requiredString("status");
    s.runtime = r.optionalString("runtime").value_or(QString());
    s.size = r.optionalString("size").value_or(QString());
    s.name = r.optionalString("name");
    s.region = r.optionalString("region");
    if (const Json *caps = r.optionalObject("capabilities")) {
        auto parsed = Capabilities::fromJson(*caps);
        if (!parsed)
            return Parsed<Sandbox>::failure(u"sandbox."_s + parsed.error());
        s.capabilities = *parsed;
    }
    if (const Json *metadata = r.optionalObject("metadata"))
        s.metadata = *metadata;
    s.ephemeral = r.optionalBool("ephemeral").value_or(true);
    s.createdAt = r.optionalInt("createdAt").value_or(0);
    s.updatedAt = r.optionalInt("updatedAt").value_or(s.createdAt);
    s.readyAt = r.optionalInt("readyAt");
    s.pausedAt = r.optionalInt("pausedAt");
    s.endedAt = r.optionalInt("endedAt");
    s.statusReason = r.optionalString("statusReason");
    if (!r.ok())
        return Parsed<Sandbox>::failure(r.error());
    if (s.id.isEmpty())
        return Parsed<Sandbox>::failure(u"sandbox.id: empty"_s);
    const auto known = sandboxStatusFromString(status);
    if (!known)
        return Parsed<Sandbox>::failure(u"sandbox.status: unknown state '%1'"_s.arg(status.left(40)));
    s.status = *known;
    return s;
}

Json Sandbox::toJson() const
{
    auto optionalString = [](const std::optional<QString> &v) { return v ? Json(toStd(*v)) : Json(nullptr); };
    auto optionalInt = [](const std::optional<qint64> &v) { return v ? Json(*v) : Json(nullptr); };
    return Json{
        {"id", toStd(id)},
        {"status", toStd(toString(status))},
        {"runtime", toStd(runtime)},
        {"size", toStd(size)},
        {"name", optionalString(name)},
        {"region", optionalString(region)},
        {"capabilities", capabilities ? capabilities->toJson() : Json(nullptr)},
        {"metadata", metadata},
        {"ephemeral", ephemeral},
        {"createdAt", createdAt},
        {"updatedAt", updatedAt},
        {"readyAt", optionalInt(readyAt)},
        {"pausedAt", optionalInt(pausedAt)},
        {"endedAt", optionalInt(endedAt)},
        {"statusReason", optionalString(statusReason)},
    };
}

Parsed<SandboxPage> SandboxPage::fromJson(const Json &json)
{
    JsonReader r(json, u"list"_s);
    const Json *data = r.optionalArray("data");
    if (r.ok() && !data)
        r.fail("data", u"missing"_s);
    SandboxPage page;
    page.nextCursor = r.optionalString("nextCursor");
    if (!r.ok())
        return Parsed<SandboxPage>::failure(r.error());
    page.data.reserve(qsizetype(data->size()));
    for (const Json &item : *data) {
        auto sandbox = Sandbox::fromJson(item);
        if (!sandbox)
            return Parsed<SandboxPage>::failure(u"list.data[%1]: "_s.arg(page.data.size()) + sandbox.error());
        page.data.append(std::move(sandbox).value());
    }
    return page;
}

Json SandboxPage::toJson() const
{
    Json items = Json::array();
    for (const Sandbox &s : data)
        items.push_back(s.toJson());
    return Json{{"data", std::move(items)}, {"nextCursor", nextCursor ? Json(toStd(*nextCursor)) : Json(nullptr)}};
}

Parsed<CreateSandboxRequest> CreateSandboxRequest::fromJson(const Json &json)
{
    using Result = Parsed<CreateSandboxRequest>;
    JsonReader r(json, u"body"_s);
    CreateSandboxRequest req;
    if (auto runtime = r.optionalString("runtime"))
        req.runtime = *runtime;
    if (auto size = r.optionalString("size"))
        req.size = *size;
    if (const Json *env = r.optionalObject("env")) {
        if (env->size() > size_t(kMaxEnvEntries))
            return Result::failure(u"Too many env entries (at most %1)"_s.arg(kMaxEnvEntries));
        static const QRegularExpression kEnvName(u"^[A-Za-z_][A-Za-z0-9_]*$"_s);
        for (auto it = env->begin(); it != env->end(); ++it) {
            const QString key = fromStd(it.key());
            if (!it.value().is_string())
                return Result::failure(u"Invalid env value for '%1': must be a string"_s.arg(key.left(64)));
            if (!kEnvName.match(key).hasMatch())
                return Result::failure(u"Invalid env name '%1'"_s.arg(key.left(64)));
            req.env.insert(key, fromStd(it.value().get_ref<const std::string &>()));
        }
    }
    if (const Json *caps = r.optionalObject("capabilities")) {
        auto parsed = Capabilities::fromJson(*caps);
        if (!parsed)
            return Result::failure(parsed.error());
        req.capabilities = *parsed;
    }
    req.region = r.optionalString("region");
    req.name = r.optionalString("name");
    if (const Json *metadata = r.optionalObject("metadata"))
        req.metadata = *metadata;
    req.ephemeral = r.optionalBool("ephemeral").value_or(true);
    if (!r.ok())
        return Result::failure(r.error());

    if (!kRuntimes.contains(req.runtime))
        return Result::failure(u"Invalid runtime: '%1'. Must be one of: %2"_s.arg(req.runtime.left(64), kRuntimes.join(u", "_s)));
    if (!kSizes.contains(req.size))
        return Result::failure(u"Invalid size: '%1'. Must be one of: %2"_s.arg(req.size.left(64), kSizes.join(u", "_s)));
    static const QRegularExpression kRegion(u"^[a-z]{3}$"_s);
    if (req.region && !kRegion.match(*req.region).hasMatch())
        return Result::failure(u"Invalid region: '%1'. Must be 3 lowercase letters"_s.arg(req.region->left(64)));
    if (req.name && req.name->size() > kMaxNameLength)
        return Result::failure(u"Invalid name: at most %1 characters"_s.arg(kMaxNameLength));
    if (req.metadata.dump().size() > kMaxMetadataBytes)
        return Result::failure(u"Invalid metadata: at most %1 bytes of JSON"_s.arg(kMaxMetadataBytes));
    return req;
}

Json CreateSandboxRequest::toJson() const
{
    Json out = {{"runtime", toStd(runtime)}, {"size", toStd(size)}, {"ephemeral", ephemeral}, {"metadata", metadata}};
    if (!env.isEmpty())
        out["env"] = toJsonObject(env);
    if (capabilities)
        out["capabilities"] = capabilities->toJson();
    if (region)
        out["region"] = toStd(*region);
    if (name)
        out["name"] = toStd(*name);
    return out;
}

} // namespace banata
