// SPDX-License-Identifier: MIT
// Artifacts: list, publish a workspace file, a short-lived download URL, and the download itself
// (authorised by the signed token in its URL, not the API key: the guard lets it through).
#include <QDateTime>
#include <QUrlQuery>

#include "apiutil.h"
#include "core/artifact.h"
#include "fileresponse.h"
#include "routes.h"
#include "server/artifacts/artifactservice.h"
#include "server/http/httpserver.h"
#include "server/sandboxmanager.h"
#include "server/workspace/workspacefs.h"

using namespace Qt::StringLiterals;

namespace banata::server {

namespace {
constexpr qint64 kDefaultTtlMs = 5 * 60'000;
constexpr qint64 kMinTtlMs = 1'000;
constexpr qint64 kMaxTtlMs = 60 * 60'000;

HttpResponse artifactNotFound()
{
    return HttpResponse::error(404, u"Artifact not found"_s, u"ARTIFACT_NOT_FOUND"_s);
}

void publish(const ApiContext &ctx, const HttpRequest &request, HttpResponder responder)
{
    auto body = api::parseObject(request, responder);
    if (!body)
        return;
    // A sandbox token is checked against ?id= before the body is read: the body may leave the id
    // out, and must not name another sandbox.
    const QString queryId = request.queryValue(u"id"_s);
    if (!queryId.isEmpty() && !body->contains("id"))
        (*body)["id"] = toStd(queryId);
    const auto parsed = PublishArtifactRequest::fromJson(*body);
    if (!parsed)
        return responder.respond(api::badRequest(parsed.error()));
    const PublishArtifactRequest &publish = *parsed;
    if (!queryId.isEmpty() && queryId != publish.id)
        return responder.respond(api::badRequest(u"body.id: differs from ?id="_s));
    const auto sandbox = ctx.sandboxes->find(publish.id);
    if (!sandbox)
        return responder.respond(api::error(sandboxNotFound()));
    if (auto conflict = ctx.sandboxes->checkAcceptsFileReads(publish.id))
        return responder.respond(api::error(*conflict));
    const auto relative = WorkspaceFs(workspaceDir(ctx, publish.id)).normalize(publish.path);
    if (!relative)
        return responder.respond(api::fsError(relative.error()));
    if (relative->isEmpty())
        return responder.respond(
            api::fsError(FsError::make(FsError::Kind::IsADirectory, u"Is a directory: /workspace"_s)));
    const QString sandboxPath = u"/workspace/"_s + *relative;
    const QString key = publish.key.value_or(
        ArtifactService::defaultKey(*sandbox, sandboxPath.section(u'/', -1, -1, QString::SectionSkipEmpty)));
    if (auto invalid = ArtifactService::checkKey(key))
        return responder.respond(api::badRequest(*invalid));
    ctx.artifacts->publishFile(
        publish.id, sandboxPath, key, [responder](const Expected<Artifact, ApiError> &result) mutable {
            responder.respond(result ? api::json(201, result->toJson()) : api::error(result.error()));
        });
}

void downloadUrl(const ApiContext &ctx, const HttpRequest &request, HttpResponder responder)
{
    const QString id = api::requireQueryId(request, responder);
    if (id.isEmpty())
        return;
    const QString key = request.queryValue(u"key"_s);
    if (key.isEmpty())
        return responder.respond(api::badRequest(u"Missing required query parameter: key"_s));
    qint64 ttl = kDefaultTtlMs;
    if (const QString text = request.queryValue(u"ttlMs"_s); !text.isEmpty()) {
        bool ok = false;
        ttl = text.toLongLong(&ok);
        if (!ok || ttl < kMinTtlMs || ttl > kMaxTtlMs)
            return responder.respond(
                api::badRequest(u"ttlMs: from %1 to %2"_s.arg(kMinTtlMs).arg(kMaxTtlMs)));
    }
    if (!ctx.sandboxes->find(id))
        return responder.respond(api::error(sandboxNotFound()));
    if (!ctx.artifacts->find(id, key))
        return responder.respond(artifactNotFound());
    ArtifactUrl url;
    url.key = key;
    url.expiresAt = QDateTime::currentMSecsSinceEpoch() + ttl;
    QUrlQuery query;
    query.addQueryItem(u"token"_s, ctx.artifacts->tokens().issue(id, key, url.expiresAt));
    url.url = ctx.baseUrl + u"/v1/artifacts/download?"_s + query.toString(QUrl::FullyEncoded);
    responder.respond(api::json(200, url.toJson()));
}

void download(const ApiContext &ctx, const HttpRequest &request, HttpResponder responder)
{
    const auto grant =
        ctx.artifacts->tokens().verify(request.queryValue(u"token"_s), QDateTime::currentMSecsSinceEpoch());
    if (!grant)
        return responder.respond(HttpResponse::error(
            401, u"Invalid or expired artifact download token; fetch a new download URL"_s,
            u"UNAUTHORIZED"_s));
    const auto artifact = ctx.artifacts->find(grant->sandboxId, grant->key);
    if (!artifact)
        return responder.respond(artifactNotFound());
    ServedFile served;
    served.file = ctx.artifacts->open(*artifact);
    if (!served.file)
        return responder.respond(
            HttpResponse::error(500, u"The artifact's content is missing"_s, u"IO_ERROR"_s));
    served.size = served.file->size();
    served.etag = '"' + artifact->sha256.toLatin1() + '"'; // content-addressed: strong by construction
    served.mtimeMs = artifact->createdAt;
    served.downloadName = artifact->name;
    if (!artifact->contentType.isEmpty())
        served.contentType = artifact->contentType.toLatin1();
    served.sha256 = artifact->sha256;
    serveFile(request, std::move(responder), std::move(served));
}
} // namespace

void registerArtifactRoutes(HttpServer &http, const ApiContext &ctx)
{
    http.route("GET"_ba, u"/v1/sandboxes/artifacts"_s,
               [ctx](const HttpRequest &request, HttpResponder responder) {
                   const QString id = api::requireQueryId(request, responder);
                   if (id.isEmpty())
                       return;
                   if (!ctx.sandboxes->find(id))
                       return responder.respond(api::error(sandboxNotFound()));
                   responder.respond(api::json(200, artifactListToJson(ctx.artifacts->list(id))));
               });
    http.route(
        "POST"_ba, u"/v1/sandboxes/artifacts"_s,
        [ctx](const HttpRequest &request, HttpResponder responder) { publish(ctx, request, responder); });
    http.route(
        "GET"_ba, u"/v1/sandboxes/artifacts/download-url"_s,
        [ctx](const HttpRequest &request, HttpResponder responder) { downloadUrl(ctx, request, responder); });
    http.route(
        "GET"_ba, u"/v1/artifacts/download"_s,
        [ctx](const HttpRequest &request, HttpResponder responder) { download(ctx, request, responder); });
}

} // namespace banata::server
