// SPDX-License-Identifier: MIT
// Files as JSON: list, read, write. Work runs on the I/O pool so that a 100,000-entry listing
// never stalls other requests.
#include "apiutil.h"
#include "routes.h"

#include "core/files.h"
#include "server/async.h"
#include "server/http/httpserver.h"
#include "server/sandboxmanager.h"
#include "server/workspace/workspacefs.h"

using namespace Qt::StringLiterals;

namespace banata::server {

namespace {
constexpr qint64 kMaxReadBytes = 16 << 20;
// Base64 in JSON costs a third more than the bytes it carries.
constexpr qint64 kMaxWriteBodyBytes = 24 << 20;

QString pathParam(const HttpRequest &request)
{
    const QString path = request.queryValue(u"path"_s);
    return path.isEmpty() ? u"/workspace"_s : path;
}
} // namespace

QString workspaceDir(const ApiContext &ctx, const QString &id)
{
    return ctx.sandboxes->sandboxRoot(id) + u"/workspace"_s;
}

std::optional<FileReadTarget> requireFileRead(const ApiContext &ctx, const HttpRequest &request,
                                              HttpResponder &responder)
{
    const QString id = api::requireQueryId(request, responder);
    if (id.isEmpty())
        return std::nullopt;
    const QString path = request.queryValue(u"path"_s);
    if (path.isEmpty()) {
        responder.respond(api::badRequest(u"Missing required query parameter: path"_s));
        return std::nullopt;
    }
    if (auto conflict = ctx.sandboxes->checkAcceptsFileReads(id)) {
        responder.respond(api::error(*conflict));
        return std::nullopt;
    }
    return FileReadTarget{id, path};
}

void registerFsRoutes(HttpServer &http, const ApiContext &ctx)
{
    http.route("GET"_ba, u"/v1/sandboxes/fs/list"_s, [ctx](const HttpRequest &request, HttpResponder responder) {
        const QString id = api::requireQueryId(request, responder);
        if (id.isEmpty())
            return;
        if (auto conflict = ctx.sandboxes->checkAcceptsFileReads(id))
            return responder.respond(api::error(*conflict));
        const QString path = pathParam(request);
        const QString dir = workspaceDir(ctx, id);
        runInPool(
            ctx.ioPool, ctx.owner,
            [dir, path] {
                auto listing = WorkspaceFs(dir).list(path);
                // Serialise on the worker too: for 100,000 entries it is the larger half of the work.
                return listing ? FsResult<QByteArray>(listing->toJsonBytes())
                               : FsResult<QByteArray>::failure(listing.error());
            },
            [responder](const FsResult<QByteArray> &result) mutable {
                responder.respond(result ? HttpResponse::json(200, result.value()) : api::fsError(result.error()));
            });
    });

    http.route("GET"_ba, u"/v1/sandboxes/fs/read"_s, [ctx](const HttpRequest &request, HttpResponder responder) {
        const auto target = requireFileRead(ctx, request, responder);
        if (!target)
            return;
        const QString id = target->id;
        const QString path = target->path;
        const QString dir = workspaceDir(ctx, id);
        runInPool(
            ctx.ioPool, ctx.owner,
            [dir, path]() -> FsResult<QByteArray> {
                WorkspaceFs fs(dir);
                auto bytes = fs.read(path, kMaxReadBytes);
                if (!bytes)
                    return FsResult<QByteArray>::failure(bytes.error());
                auto normalized = fs.normalize(path);
                const QString shown = normalized ? u"/workspace/"_s + *normalized : path;
                FileContent content{shown.endsWith(u'/') ? shown.chopped(1) : shown, *bytes, bytes->size()};
                return dumpJson(content.toJson());
            },
            [responder](const FsResult<QByteArray> &result) mutable {
                responder.respond(result ? HttpResponse::json(200, result.value()) : api::fsError(result.error()));
            });
    });

    http.route("POST"_ba, u"/v1/sandboxes/fs/write"_s, [ctx](const HttpRequest &request, HttpResponder responder) {
        const auto body = api::parseObject(request, responder);
        if (!body)
            return;
        auto parsed = FileWriteRequest::fromJson(*body);
        if (!parsed)
            return responder.respond(api::badRequest(parsed.error()));
        if (auto conflict = ctx.sandboxes->checkAcceptsWork(parsed->id))
            return responder.respond(api::error(*conflict));
        const QString dir = workspaceDir(ctx, parsed->id);
        const QString id = parsed->id;
        const QString path = parsed->path;
        auto *sandboxes = ctx.sandboxes;
        sandboxes->retainFiles(id);
        runInPool(
            ctx.ioPool, ctx.owner, [dir, path, bytes = parsed->bytes] { return WorkspaceFs(dir).write(path, bytes); },
            [responder, sandboxes, id, path](const FsResult<qint64> &result) mutable {
                sandboxes->releaseFiles(id);
                if (!result)
                    return responder.respond(api::fsError(result.error()));
                sandboxes->notifyFilesChanged(id, {path}, u"api"_s);
                responder.respond(api::json(200, Json{{"ok", true}, {"path", toStd(path)}, {"size", result.value()}}));
            });
    }, kMaxWriteBodyBytes);
}

} // namespace banata::server
