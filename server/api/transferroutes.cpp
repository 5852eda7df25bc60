// SPDX-License-Identifier: MIT
// Raw bytes: download with Range / If-Range / ETag, and streamed upload. Neither holds a whole
// file in memory.
#include "apiutil.h"
#include "routes.h"

#include "server/async.h"
#include "server/http/httprange.h"
#include "server/http/httpserver.h"
#include "server/sandboxmanager.h"
#include "server/workspace/workspacefs.h"

#include <QDateTime>
#include <QFile>
#include <QLocale>
#include <QPointer>
#include <QUrl>

#include <unistd.h>

using namespace Qt::StringLiterals;

namespace banata::server {

namespace {
QByteArray httpDate(qint64 msecs)
{
    return QLocale::c()
        .toString(QDateTime::fromMSecsSinceEpoch(msecs, Qt::UTC), u"ddd, dd MMM yyyy HH:mm:ss 'GMT'"_s)
        .toLatin1();
}

QByteArray contentDisposition(const QString &path)
{
    const QString name = path.section(u'/', -1, -1, QString::SectionSkipEmpty);
    return "attachment; filename*=UTF-8''"_ba + QUrl::toPercentEncoding(name.isEmpty() ? u"download"_s : name);
}

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
    const QString id = api::requireQueryId(request, responder);
    if (id.isEmpty())
        return;
    const QString path = request.queryValue(u"path"_s);
    if (path.isEmpty())
        return responder.respond(api::badRequest(u"Missing required query parameter: path"_s));
    if (auto conflict = ctx.sandboxes->checkAcceptsFileReads(id))
        return responder.respond(api::error(*conflict));

    auto opened = WorkspaceFs(workspaceDir(ctx, id)).openForRead(path);
    if (!opened)
        return responder.respond(api::fsError(opened.error()));
    auto file = std::make_unique<QFile>();
    if (!file->open(opened->fd, QIODevice::ReadOnly, QFileDevice::AutoCloseHandle)) {
        ::close(opened->fd);
        return responder.respond(HttpResponse::error(500, u"Cannot open the file"_s, u"INTERNAL"_s));
    }
    const qint64 size = opened->size;
    const QByteArray etag = opened->etag;

    if (request.header("if-none-match") == etag) {
        HttpResponse notModified = HttpResponse::empty(304);
        notModified.setHeader("ETag"_ba, etag);
        return responder.respond(std::move(notModified));
    }

    qint64 first = 0;
    qint64 length = size;
    int status = 200;
    const QByteArray range = request.header("range");
    const QByteArray ifRange = request.header("if-range");
    // If-Range with another validator means "the file changed": send it whole from the start.
    if (!range.isEmpty() && (ifRange.isEmpty() || ifRange == etag)) {
        const auto parsed = parseRangeHeader(range, size);
        if (parsed && !parsed->satisfiable) {
            HttpResponse refused = HttpResponse::error(416, u"Requested range not satisfiable"_s,
                                                       u"RANGE_NOT_SATISFIABLE"_s);
            refused.setHeader("Content-Range"_ba, parsed->contentRange(size));
            return responder.respond(std::move(refused));
        }
        if (parsed) {
            first = parsed->first;
            length = parsed->length();
            status = 206;
        }
    }
    if (first > 0 && !file->seek(first))
        return responder.respond(HttpResponse::error(500, u"Cannot seek in the file"_s, u"INTERNAL"_s));

    HttpResponse response = HttpResponse::stream(status, std::move(file), length, "application/octet-stream"_ba);
    response.setHeader("ETag"_ba, etag);
    response.setHeader("Accept-Ranges"_ba, "bytes"_ba);
    response.setHeader("Last-Modified"_ba, httpDate(opened->mtimeMs));
    response.setHeader("Content-Disposition"_ba, contentDisposition(path));
    if (status == 206)
        response.setHeader("Content-Range"_ba, ByteRange{first, first + length - 1, true}.contentRange(size));
    responder.respond(std::move(response));
}
} // namespace

void registerTransferRoutes(HttpServer &http, const ApiContext &ctx)
{
    http.route("GET"_ba, u"/v1/sandboxes/fs/download"_s,
               [ctx](const HttpRequest &request, HttpResponder responder) { download(ctx, request, responder); });

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
