// SPDX-License-Identifier: MIT
#include "health.h"

using namespace Qt::StringLiterals;

namespace banata {

Parsed<Health> Health::fromJson(const Json &json)
{
    JsonReader r(json, u"health"_s);
    Health h;
    h.status = r.requiredString("status");
    h.server = r.optionalString("server").value_or(QString());
    h.version = r.optionalString("version").value_or(QString());
    h.extensions = r.optionalStringList("extensions").value_or(QStringList());
    h.pauseMethod = r.optionalString("pauseMethod");
    h.startedAt = r.optionalInt("startedAt");
    if (!r.ok())
        return Parsed<Health>::failure(r.error());
    return h;
}

Json Health::toJson() const
{
    Json ext = Json::array();
    for (const QString &e : extensions)
        ext.push_back(toStd(e));
    Json out = {{"status", toStd(status)}, {"server", toStd(server)}, {"version", toStd(version)},
                {"extensions", std::move(ext)}};
    if (pauseMethod)
        out["pauseMethod"] = toStd(*pauseMethod);
    if (startedAt)
        out["startedAt"] = *startedAt;
    return out;
}

} // namespace banata
