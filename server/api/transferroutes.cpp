// SPDX-License-Identifier: MIT
// Raw bytes: download with Range / If-Range / ETag, checksum, and streamed upload. None holds a
// whole file in memory.
#include "apiutil.h"
#include "fileresponse.h"
#include "routes.h"

#include "server/async.h"
#include "server/http/httpserver.h"
#include "server/sandboxmanager.h"
#include "server/workspace/checksumcache.h"
#include "server/workspace/fdutil.h"
#include "server/workspace/sandboxpath.h"
#include "server/workspace/workspacefs.h"

#include <QFile>
#include <QPointer>

#include <cerrno>

#include <sys/stat.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace banata::server {

namespace {
/// Writes an upload into the workspace as it arrives; the file appears (atomically) only once
/// the whole body is in.
class UploadConsumer final : public BodyConsumer
{
public:
    UploadConsumer(const ApiContext &ctx, QString id, QString path, std::unique_ptr<UploadSink> sink,
                   HttpResponder responder)
        : m_ctx(ctx)
        , m_id(std::move(id))
        , m_path(std::move(path))
        , m_sink(std::move(sink))
        , m_responder(std::move(responder))
    {
        m_ctx.sandboxes->retainFiles(m_id);
    }
    ~UploadConsumer() override
    {
        if (m_sink)
            m_ctx.sandboxes->releaseFiles(m_id);
    }

    bool write(QByteArrayView chunk) override
    {
        auto written = m_sink->write(chunk);
        if (!written) {
            // The contract of write(): respond before refusing the rest of the body.
            m_responder.respond(api::fsError(written.error()));
            return false;
        }
        return true;
    }

    void finish(HttpResponder responder) override
    {
        // fsync and rename can take a while for a large file: off the event loop.
        auto sink = std::shared_ptr<UploadSink>(std::move(m_sink));
        auto *sandboxes = m_ctx.sandboxes;
        runInPool(
            m_ctx.ioPool, m_ctx.owner, [sink] { return sink->commit(); },
            [responder, sandboxes, id = m_id, path = m_path](const FsResult<qint64> &result) mutable {
                sandboxes->releaseFiles(id);
                if (!result)
                    return responder.respond(api::fsError(result.error()));
                sandboxes->notifyFilesChanged(id, {path}, u"api"_s);
                responder.respond(api::json(201, Json{{"ok", true}, {"path", toStd(path)}, {"size", result.value()}}));
            });
    }

    void abort() override {} // the sink's destructor removes the partial temp file

private:
    ApiContext m_ctx;
    QString m_id;
    QString m_path;
    std::unique_ptr<UploadSink> m_sink;
    HttpResponder m_responder;
};

void download(const ApiContext &ctx, const HttpRequest &request, HttpResponder responder)
{
    const auto target = requireFileRead(ctx, request, responder);
    if (!target)
        return;
    const QString id = target->id;
    const QString path = target->path;

    auto opened = WorkspaceFs(workspaceDir(ctx, id)).openForRead(path);
    if (!opened)
        return responder.respond(api::fsError(opened.error()));
    auto file = std::make_unique<QFile>();
    if (!file->open(opened->fd, QIODevice::ReadOnly, QFileDevice::AutoCloseHandle)) {
        ::close(opened->fd);
        return responder.respond(HttpResponse::error(500, u"Cannot open the file"_s, u"INTERNAL"_s));
    }
    ServedFile served;
    served.file = std::move(file);
    served.size = opened->size;
    served.etag = opened->etag;
    served.mtimeMs = opened->mtimeMs;
    served.downloadName = path.section(u'/', -1, -1, QString::SectionSkipEmpty);
    // Repr-Digest only when already known (a checksum request computed it): hashing a large file
    // before the first byte goes out would stall the download.
    if (const auto relative = normalizeSandboxPath(path); relative && ctx.checksums)
        served.sha256 = ctx.checksums->find(id, *relative, served.etag);
    serveFile(request, std::move(responder), std::move(served));
}

bool sameVersion(const struct stat &a, const struct stat &b)
{
    return a.st_ino == b.st_ino && a.st_size == b.st_size && a.st_mtim.tv_sec == b.st_mtim.tv_sec
        && a.st_mtim.tv_nsec == b.st_mtim.tv_nsec && a.st_ctim.tv_sec == b.st_ctim.tv_sec
        && a.st_ctim.tv_nsec == b.st_ctim.tv_nsec;
}

/// Runs on a worker: the digest of \a path, from the cache when its ETag is known. A file
/// written in place while we read is read again (a few times), and such a digest is not cached:
/// it may belong to no version of the file.
FsResult<Json> computeChecksum(const QString &dir, const QString &id, const QString &path, ChecksumCache *cache)
{
    const WorkspaceFs fs(dir);
    const auto relative = fs.normalize(path);
    if (!relative)
        return FsResult<Json>::failure(relative.error());
    const QString shown = sandboxPathFor(*relative);
    for (int attempt = 0;; ++attempt) {
        auto opened = fs.openForRead(path);
        if (!opened)
            return FsResult<Json>::failure(opened.error());
        const detail::UniqueFd fd(opened->fd);
        const auto answer = [&](const QString &sha256) {
            // The shape of banata::FileChecksum (core/files.h).
            return Json{{"path", toStd(shown)},
                        {"sha256", toStd(sha256)},
                        {"size", opened->size},
                        {"etag", opened->etag.toStdString()}};
        };
        if (QString known = cache->find(id, *relative, opened->etag); !known.isEmpty())
            return answer(known);
        struct stat before;
        struct stat after;
        if (::fstat(fd.get(), &before) < 0)
            return FsResult<Json>::failure(FsError::fromErrno(errno, shown));
        auto digest = sha256OfFile(fd.get(), shown);
        if (!digest)
            return FsResult<Json>::failure(digest.error());
        if (::fstat(fd.get(), &after) < 0)
            return FsResult<Json>::failure(FsError::fromErrno(errno, shown));
        const bool stable = sameVersion(before, after) && before.st_size == opened->size;
        if (stable)
            cache->insert(id, *relative, opened->etag, *digest);
        if (stable || attempt == 2)
            return answer(*digest);
    }
}

/// `fs/checksum`: the SHA-256 of a file as it is now, read off the event loop and remembered per
/// ETag, so asking again (or verifying a download of the same bytes) is instant.
void checksum(const ApiContext &ctx, const HttpRequest &request, HttpResponder responder)
{
    const auto target = requireFileRead(ctx, request, responder);
    if (!target)
        return;
    const QString id = target->id;
    const QString path = target->path;
    runInPool(
        ctx.ioPool, ctx.owner,
        [dir = workspaceDir(ctx, id), id, path, cache = ctx.checksums] { return computeChecksum(dir, id, path, cache); },
        [responder](const FsResult<Json> &result) mutable {
            responder.respond(result ? api::json(200, *result) : api::fsError(result.error()));
        });
}
} // namespace

void registerTransferRoutes(HttpServer &http, const ApiContext &ctx)
{
    http.route("GET"_ba, u"/v1/sandboxes/fs/download"_s,
               [ctx](const HttpRequest &request, HttpResponder responder) { download(ctx, request, responder); });
    http.route("GET"_ba, u"/v1/sandboxes/fs/checksum"_s,
               [ctx](const HttpRequest &request, HttpResponder responder) { checksum(ctx, request, responder); });

    http.streamRoute("PUT"_ba, u"/v1/sandboxes/fs/upload"_s,
                     [ctx](const HttpRequest &request, HttpResponder responder) -> std::unique_ptr<BodyConsumer> {
                         const QString id = request.queryValue(u"id"_s);
                         const QString path = request.queryValue(u"path"_s);
                         if (id.isEmpty() || path.isEmpty()) {
                             responder.respond(api::badRequest(u"Missing required query parameters: id and path"_s));
                             return nullptr;
                         }
                         if (auto conflict = ctx.sandboxes->checkAcceptsWork(id)) {
                             responder.respond(api::error(*conflict));
                             return nullptr;
                         }
                         auto sink = WorkspaceFs(workspaceDir(ctx, id)).beginUpload(path);
                         if (!sink) {
                             responder.respond(api::fsError(sink.error()));
                             return nullptr;
                         }
                         return std::make_unique<UploadConsumer>(ctx, id, path, std::move(sink).value(), responder);
                     });
}

} // namespace banata::server
