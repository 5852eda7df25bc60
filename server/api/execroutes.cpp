// SPDX-License-Identifier: MIT
// Commands: exec (a shell command or a program with arguments) and code (a snippet run by the
// interpreter of the sandbox's runtime).
#include "apiutil.h"
#include "routes.h"

#include "core/exec.h"
#include "server/http/httpserver.h"
#include "server/sandboxmanager.h"

#include <QFileInfo>

using namespace Qt::StringLiterals;

namespace banata::server {

namespace {
constexpr qint64 kDefaultTimeoutMs = 60'000;
constexpr qint64 kMaxTimeoutMs = 3'600'000;
// One argv string is limited by the kernel (MAX_ARG_STRLEN, 128 KiB); stay clear of it.
constexpr qsizetype kMaxCodeBytes = 100 << 10;

std::optional<qint64> timeoutFrom(std::optional<qint64> requested, HttpResponder &responder)
{
    const qint64 timeout = requested.value_or(kDefaultTimeoutMs);
    if (timeout > kMaxTimeoutMs) {
        responder.respond(api::badRequest(u"body.timeout: at most %1 ms"_s.arg(kMaxTimeoutMs)));
        return std::nullopt;
    }
    return timeout;
}

/// The interpreter argv prefix for \a language; the sandbox sees the host's /usr read-only.
std::optional<QStringList> interpreterFor(const QString &language)
{
    // The sandbox's PATH covers /usr/local/bin and /usr/bin of the host's read-only /usr.
    auto has = [](const char *program) {
        const QLatin1StringView name(program);
        return QFileInfo::exists(u"/usr/bin/"_s + name) || QFileInfo::exists(u"/usr/local/bin/"_s + name);
    };
    if (language == u"python")
        return has("python3") ? std::optional(QStringList{u"python3"_s, u"-c"_s}) : std::nullopt;
    if (language == u"javascript") {
        if (has("bun"))
            return QStringList{u"bun"_s, u"-e"_s};
        return has("node") ? std::optional(QStringList{u"node"_s, u"-e"_s}) : std::nullopt;
    }
    if (language == u"typescript")
        return has("bun") ? std::optional(QStringList{u"bun"_s, u"-e"_s}) : std::nullopt;
    if (language == u"bash")
        return QStringList{u"bash"_s, u"-c"_s};
    if (language == u"sh")
        return QStringList{u"sh"_s, u"-c"_s};
    return std::nullopt;
}

QString defaultLanguage(const QString &runtime)
{
    if (runtime == u"python")
        return u"python"_s;
    if (runtime == u"bun")
        return u"javascript"_s;
    return u"bash"_s;
}

void runAndAnswer(const ApiContext &ctx, const QString &id, const ExecSpec &spec, HttpResponder responder)
{
    ctx.sandboxes->exec(id, spec, ctx.owner, [responder](const ApiExpected<ExecResult> &result) mutable {
        responder.respond(result ? api::json(200, result->toJson()) : api::error(result.error()));
    });
}
} // namespace

void registerExecRoutes(HttpServer &http, const ApiContext &ctx)
{
    http.route("POST"_ba, u"/v1/sandboxes/exec"_s, [ctx](const HttpRequest &request, HttpResponder responder) {
        const auto body = api::parseObject(request, responder);
        if (!body)
            return;
        auto parsed = ExecRequest::fromJson(*body);
        if (!parsed)
            return responder.respond(api::badRequest(parsed.error()));
        const auto timeout = timeoutFrom(parsed->timeoutMs, responder);
        if (!timeout)
            return;
        ExecSpec spec;
        spec.argv = parsed->args ? QStringList{parsed->command} + *parsed->args
                                 : QStringList{u"/bin/sh"_s, u"-c"_s, parsed->command};
        spec.env = parsed->env;
        if (parsed->cwd)
            spec.cwd = *parsed->cwd;
        spec.timeoutMs = *timeout;
        runAndAnswer(ctx, parsed->id, spec, responder);
    });

    http.route("POST"_ba, u"/v1/sandboxes/code"_s, [ctx](const HttpRequest &request, HttpResponder responder) {
        const auto body = api::parseObject(request, responder);
        if (!body)
            return;
        auto parsed = CodeRequest::fromJson(*body);
        if (!parsed)
            return responder.respond(api::badRequest(parsed.error()));
        const auto sandbox = ctx.sandboxes->find(parsed->id);
        if (!sandbox)
            return responder.respond(api::error(sandboxNotFound()));
        if (parsed->code.toUtf8().size() > kMaxCodeBytes)
            return responder.respond(HttpResponse::error(
                413, u"Code is too large (at most %1 bytes); write it to a file and exec it"_s.arg(kMaxCodeBytes),
                u"PAYLOAD_TOO_LARGE"_s));
        const QString language = parsed->language.value_or(defaultLanguage(sandbox->runtime));
        const auto interpreter = interpreterFor(language);
        if (!interpreter)
            return responder.respond(api::badRequest(
                u"No interpreter for '%1' in this sandbox (python, javascript, typescript, bash, sh; "
                u"javascript needs bun or node, typescript needs bun)"_s.arg(language.left(40)),
                u"RUNTIME_UNAVAILABLE"_s));
        const auto timeout = timeoutFrom(parsed->timeoutMs, responder);
        if (!timeout)
            return;
        ExecSpec spec;
        spec.argv = *interpreter + QStringList{parsed->code};
        spec.timeoutMs = *timeout;
        runAndAnswer(ctx, parsed->id, spec, responder);
    }, 512 << 10);
}

} // namespace banata::server
