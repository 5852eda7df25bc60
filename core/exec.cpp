// SPDX-License-Identifier: MIT
#include "exec.h"

using namespace Qt::StringLiterals;

namespace banata {

Parsed<ExecRequest> ExecRequest::fromJson(const Json &json)
{
    JsonReader r(json, u"body"_s);
    ExecRequest req;
    req.id = r.requiredString("id");
    req.command = r.requiredString("command");
    req.args = r.optionalStringList("args");
    req.timeoutMs = r.optionalInt("timeout");
    req.cwd = r.optionalString("cwd");
    if (const Json *env = r.optionalObject("env")) {
        for (auto it = env->begin(); it != env->end(); ++it) {
            if (!it.value().is_string()) {
                r.fail("env", u"values must be strings"_s);
                break;
            }
            req.env.insert(fromStd(it.key()), fromStd(it.value().get_ref<const std::string &>()));
        }
    }
    if (!r.ok())
        return Parsed<ExecRequest>::failure(r.error());
    if (req.command.isEmpty())
        return Parsed<ExecRequest>::failure(u"body.command: empty"_s);
    if (req.timeoutMs && *req.timeoutMs <= 0)
        return Parsed<ExecRequest>::failure(u"body.timeout: must be a positive number of milliseconds"_s);
    return req;
}

Json ExecRequest::toJson() const
{
    Json out = {{"id", toStd(id)}, {"command", toStd(command)}};
    if (args) {
        Json a = Json::array();
        for (const QString &arg : *args)
            a.push_back(toStd(arg));
        out["args"] = std::move(a);
    }
    if (timeoutMs)
        out["timeout"] = *timeoutMs;
    if (cwd)
        out["cwd"] = toStd(*cwd);
    if (!env.isEmpty())
        out["env"] = toJsonObject(env);
    return out;
}

Parsed<CodeRequest> CodeRequest::fromJson(const Json &json)
{
    JsonReader r(json, u"body"_s);
    CodeRequest req;
    req.id = r.requiredString("id");
    req.code = r.requiredString("code");
    req.language = r.optionalString("language");
    req.timeoutMs = r.optionalInt("timeout");
    if (!r.ok())
        return Parsed<CodeRequest>::failure(r.error());
    if (req.timeoutMs && *req.timeoutMs <= 0)
        return Parsed<CodeRequest>::failure(u"body.timeout: must be a positive number of milliseconds"_s);
    return req;
}

Json CodeRequest::toJson() const
{
    Json out = {{"id", toStd(id)}, {"code", toStd(code)}};
    if (language)
        out["language"] = toStd(*language);
    if (timeoutMs)
        out["timeout"] = *timeoutMs;
    return out;
}

Parsed<ExecResult> ExecResult::fromJson(const Json &json)
{
    JsonReader r(json, u"exec"_s);
    ExecResult res;
    res.stdoutText = r.requiredString("stdout");
    res.stderrText = r.optionalString("stderr").value_or(QString());
    res.exitCode = int(r.requiredInt("exitCode"));
    res.durationMs = r.optionalInt("durationMs").value_or(0);
    res.timedOut = r.optionalBool("timedOut").value_or(false);
    res.stdoutTruncated = r.optionalBool("stdoutTruncated").value_or(false);
    res.stderrTruncated = r.optionalBool("stderrTruncated").value_or(false);
    if (!r.ok())
        return Parsed<ExecResult>::failure(r.error());
    return res;
}

Json ExecResult::toJson() const
{
    return Json{
        {"stdout", toStd(stdoutText)},
        {"stderr", toStd(stderrText)},
        {"exitCode", exitCode},
        {"durationMs", durationMs},
        {"timedOut", timedOut},
        {"stdoutTruncated", stdoutTruncated},
        {"stderrTruncated", stderrTruncated},
    };
}

} // namespace banata
