// SPDX-License-Identifier: MIT
// Checkpoints: create (label), list, restore. The sandbox's processes are frozen while its files
// are copied, so a checkpoint is one consistent moment and a restore is never half-seen.
#include "apiutil.h"
#include "routes.h"

#include "core/checkpoint.h"
#include "core/lifecycle.h"
#include "server/async.h"
#include "server/events/eventhub.h"
#include "server/http/httpserver.h"
#include "server/sandboxmanager.h"
#include "server/store/store.h"
#include "server/workspace/checkpointstore.h"

#include <QDateTime>

using namespace Qt::StringLiterals;

namespace banata::server {

namespace {
constexpr int kMaxLabelLength = 200;

/// Checkpoints need a sandbox whose files are settled: ready, active or paused.
std::optional<ApiError> checkCheckpointable(const ApiContext &ctx, const QString &id)
{
    const auto sandbox = ctx.sandboxes->find(id);
    if (!sandbox)
        return sandboxNotFound();
    if (!acceptsWork(sandbox->status) && sandbox->status != SandboxStatus::Paused)
        return stateConflict(*sandbox);
    return std::nullopt;
}

using CopyResult = FsResult<CheckpointStore::Stats>;

/// Freezes the sandbox, runs \a work on the heavy pool, thaws, then calls \a done.
void whileFrozen(const ApiContext &ctx, const QString &id, HttpResponder responder, std::function<CopyResult()> work,
                 std::function<void(const CopyResult &)> done)
{
    auto *sandboxes = ctx.sandboxes;
    sandboxes->holdFrozen(id, ctx.owner, [ctx, id, responder, sandboxes, work, done](const std::optional<ApiError> &error) mutable {
        if (error)
            return responder.respond(api::error(*error));
        sandboxes->retainFiles(id);
        runInPool(ctx.heavyPool, ctx.owner, work, [ctx, sandboxes, id, done](const CopyResult &result) {
            sandboxes->releaseFiles(id);
            // Answer once the processes run again, so the caller's next command finds them running.
            sandboxes->releaseFrozen(id, ctx.owner, [done, result](const std::optional<ApiError> &) { done(result); });
        });
    });
}

void create(const ApiContext &ctx, const HttpRequest &request, HttpResponder responder)
{
    const auto body = api::parseObject(request, responder);
    if (!body)
        return;
    JsonReader r(*body, u"body"_s);
    const QString id = r.requiredString("id");
    const auto label = r.optionalString("label");
    if (!r.ok())
        return responder.respond(api::badRequest(r.error()));
    if (label && label->size() > kMaxLabelLength)
        return responder.respond(api::badRequest(u"body.label: at most %1 characters"_s.arg(kMaxLabelLength)));
    if (auto conflict = checkCheckpointable(ctx, id))
        return responder.respond(api::error(*conflict));

    Checkpoint checkpoint;
    checkpoint.id = newId();
    checkpoint.sandboxId = id;
    checkpoint.label = label;
    checkpoint.createdAt = QDateTime::currentMSecsSinceEpoch();
    const QString root = ctx.sandboxes->sandboxRoot(id);
    whileFrozen(
        ctx, id, responder, [root, cpId = checkpoint.id] { return CheckpointStore(root).create(cpId); },
        [ctx, responder, checkpoint, root](const FsResult<CheckpointStore::Stats> &result) mutable {
            if (!result)
                return responder.respond(api::fsError(result.error()));
            checkpoint.sizeBytes = result->sizeBytes;
            checkpoint.fileCount = result->fileCount;
            if (!ctx.store->saveCheckpoint(checkpoint)) {
                // A copy nobody can list or restore would only take space (a full disk is the
                // usual reason): remove it, then say why.
                runInPool(
                    ctx.heavyPool, ctx.owner, [root, id = checkpoint.id] { return CheckpointStore(root).remove(id); },
                    [responder, failure = storeFailure(*ctx.store)](const FsResult<bool> &) mutable {
                        responder.respond(api::error(failure));
                    });
                return;
            }
            ctx.events->publish(u"sandbox.checkpoint.created"_s, checkpoint.sandboxId,
                                Json{{"checkpoint", checkpoint.toJson()}});
            responder.respond(api::json(201, checkpoint.toJson()));
        });
}

void restore(const ApiContext &ctx, const HttpRequest &request, HttpResponder responder)
{
    const auto body = api::parseObject(request, responder);
    if (!body)
        return;
    JsonReader r(*body, u"body"_s);
    const QString id = r.requiredString("id");
    const QString checkpointId = r.requiredString("checkpointId");
    if (!r.ok())
        return responder.respond(api::badRequest(r.error()));
    if (auto conflict = checkCheckpointable(ctx, id))
        return responder.respond(api::error(*conflict));
    const auto checkpoint = ctx.store->checkpoint(checkpointId);
    if (!checkpoint || checkpoint->sandboxId != id)
        return responder.respond(HttpResponse::error(404, u"Checkpoint not found"_s, u"CHECKPOINT_NOT_FOUND"_s));

    const QString root = ctx.sandboxes->sandboxRoot(id);
    whileFrozen(
        ctx, id, responder, [root, checkpointId] { return CheckpointStore(root).restore(checkpointId); },
        [ctx, responder, checkpoint = *checkpoint, id](const FsResult<CheckpointStore::Stats> &result) mutable {
            if (!result)
                return responder.respond(api::fsError(result.error()));
            ctx.events->publish(u"sandbox.checkpoint.restored"_s, id, Json{{"checkpoint", checkpoint.toJson()}});
            ctx.sandboxes->notifyFilesChanged(id, {u"/workspace"_s}, u"restore"_s);
            const auto sandbox = ctx.sandboxes->find(id);
            responder.respond(api::json(200, Json{{"ok", true},
                                                  {"checkpoint", checkpoint.toJson()},
                                                  {"sandbox", sandbox ? sandbox->toJson() : Json(nullptr)}}));
        });
}
} // namespace

void registerCheckpointRoutes(HttpServer &http, const ApiContext &ctx)
{
    http.route("POST"_ba, u"/v1/sandboxes/checkpoints"_s,
               [ctx](const HttpRequest &request, HttpResponder responder) { create(ctx, request, responder); });

    http.route("GET"_ba, u"/v1/sandboxes/checkpoints"_s, [ctx](const HttpRequest &request, HttpResponder responder) {
        const QString id = api::requireQueryId(request, responder);
        if (id.isEmpty())
            return;
        if (!ctx.sandboxes->find(id))
            return responder.respond(api::error(sandboxNotFound()));
        responder.respond(api::json(200, checkpointListToJson(ctx.store->checkpoints(id))));
    });

    http.route("POST"_ba, u"/v1/sandboxes/checkpoints/restore"_s,
               [ctx](const HttpRequest &request, HttpResponder responder) { restore(ctx, request, responder); });
}

} // namespace banata::server
