// SPDX-License-Identifier: MIT
// A workspace folder as one zip: staged on disk by ArchiveStore, then served like any file, so it
// has an ETag, Range / If-Range, Content-Length and Repr-Digest.
#include <QFile>

#include "apiutil.h"
#include "fileresponse.h"
#include "routes.h"
#include "server/http/httpserver.h"
#include "server/sandboxmanager.h"
#include "server/workspace/archivestore.h"

using namespace Qt::StringLiterals;

namespace banata::server {

namespace {

void archive(const ApiContext &ctx, const HttpRequest &request, HttpResponder responder)
{
    const auto target = requireFileRead(ctx, request, responder);
    if (!target)
        return;
    const QString id = target->id;
    const QString path = target->path;

    // An ephemeral sandbox ending meanwhile keeps its files until the archive is built.
    auto *sandboxes = ctx.sandboxes;
    sandboxes->retainFiles(id);
    ctx.archives->archive(id, workspaceDir(ctx, id), path, ctx.owner,
                          [sandboxes, id, request, responder](const FsResult<ArchiveFile> &result) mutable {
                              sandboxes->releaseFiles(id);
                              if (!result)
                                  return responder.respond(api::fsError(result.error()));
                              auto file = std::make_unique<QFile>(result->filePath);
                              // A staged zip is only ever replaced by the same bytes under the same name.
                              if (!file->open(QIODevice::ReadOnly) || file->size() != result->size)
                                  return responder.respond(
                                      HttpResponse::error(500, u"Cannot open the archive"_s, u"INTERNAL"_s));
                              ServedFile served;
                              served.file = std::move(file);
                              served.size = result->size;
                              served.etag = result->etag;
                              served.mtimeMs = result->mtimeMs;
                              served.downloadName = result->name;
                              served.contentType = "application/zip"_ba;
                              served.sha256 = result->sha256;
                              serveFile(request, std::move(responder), std::move(served));
                          });
}

} // namespace

void registerArchiveRoutes(HttpServer &http, const ApiContext &ctx)
{
    http.route(
        "GET"_ba, u"/v1/sandboxes/fs/archive"_s,
        [ctx](const HttpRequest &request, HttpResponder responder) { archive(ctx, request, responder); });
}

} // namespace banata::server
