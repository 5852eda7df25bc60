// SPDX-License-Identifier: MIT
#include "preview.h"

using namespace Qt::StringLiterals;

namespace banata {

Parsed<PreviewState> PreviewState::fromJson(const Json &json)
{
    JsonReader r(json, u"preview"_s);
    PreviewState p;
    p.status = r.requiredString("status");
    p.controlMode = r.optionalString("controlMode").value_or(u"ai"_s);
    p.controller = r.optionalString("controller");
    p.url = r.optionalString("url").value_or(QString());
    p.title = r.optionalString("title").value_or(QString());
    if (const Json *viewport = r.optionalObject("viewport")) {
        JsonReader v(*viewport, r.path("viewport"));
        p.viewport.width = int(v.requiredInt("width"));
        p.viewport.height = int(v.requiredInt("height"));
        if (!v.ok())
            return Parsed<PreviewState>::failure(v.error());
    }
    p.cdpUrl = r.optionalString("cdpUrl");
    p.updatedAt = r.optionalInt("updatedAt").value_or(0);
    p.error = r.optionalString("error");
    if (!r.ok())
        return Parsed<PreviewState>::failure(r.error());
    return p;
}

Json PreviewState::toJson() const
{
    Json out = {{"status", toStd(status)},
                {"controlMode", toStd(controlMode)},
                {"url", toStd(url)},
                {"title", toStd(title)},
                {"viewport", {{"width", viewport.width}, {"height", viewport.height}}},
                {"updatedAt", updatedAt}};
    if (controller)
        out["controller"] = toStd(*controller);
    if (cdpUrl)
        out["cdpUrl"] = toStd(*cdpUrl);
    if (error)
        out["error"] = toStd(*error);
    return out;
}

Parsed<ViewerUrl> ViewerUrl::fromJson(const Json &json)
{
    JsonReader r(json, u"viewer"_s);
    ViewerUrl v;
    v.url = r.requiredString("url");
    v.expiresAt = r.requiredInt("expiresAt");
    if (!r.ok())
        return Parsed<ViewerUrl>::failure(r.error());
    return v;
}

Json ViewerUrl::toJson() const
{
    return {{"url", toStd(url)}, {"expiresAt", expiresAt}};
}

} // namespace banata
