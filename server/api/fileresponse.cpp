// SPDX-License-Identifier: MIT
// The one way the API answers with a file: downloads, archives and artifacts all resume alike.
#include "fileresponse.h"

#include <QDateTime>
#include <QLocale>
#include <QUrl>

#include "server/http/httprange.h"
#include "server/http/httprequest.h"
#include "server/http/httpresponse.h"

using namespace Qt::StringLiterals;

namespace banata::server {

namespace {
QByteArray httpDate(qint64 msecs)
{
    return QLocale::c()
        .toString(QDateTime::fromMSecsSinceEpoch(msecs, Qt::UTC), u"ddd, dd MMM yyyy HH:mm:ss 'GMT'"_s)
        .toLatin1();
}

QByteArray contentDisposition(const QString &name)
{
    return "attachment; filename*=UTF-8''"_ba +
           QUrl::toPercentEncoding(name.isEmpty() ? u"download"_s : name);
}

/// `sha-256=:<base64>:` (RFC 9530) from lowercase hex, or empty when \a hex is not a SHA-256.
QByteArray reprDigest(const QString &hex)
{
    const QByteArray raw = QByteArray::fromHex(hex.toLatin1());
    if (raw.size() != 32)
        return {};
    return "sha-256=:"_ba + raw.toBase64() + ':';
}
} // namespace

void serveFile(const HttpRequest &request, HttpResponder responder, ServedFile served)
{
    const QByteArray &etag = served.etag;
    const QByteArray digest = served.sha256.isEmpty() ? QByteArray() : reprDigest(served.sha256);

    if (!etag.isEmpty() && request.header("if-none-match") == etag) {
        HttpResponse notModified = HttpResponse::empty(304);
        notModified.setHeader("ETag"_ba, etag);
        return responder.respond(std::move(notModified));
    }

    const qint64 size = served.size;
    qint64 first = 0;
    qint64 length = size;
    int status = 200;
    const QByteArray range = request.header("range");
    const QByteArray ifRange = request.header("if-range");
    // If-Range with another validator means "the file changed": send it whole from the start.
    if (!range.isEmpty() && (ifRange.isEmpty() || (!etag.isEmpty() && ifRange == etag))) {
        const auto parsed = parseRangeHeader(range, size);
        if (parsed && !parsed->satisfiable) {
            HttpResponse refused =
                HttpResponse::error(416, u"Requested range not satisfiable"_s, u"RANGE_NOT_SATISFIABLE"_s);
            refused.setHeader("Content-Range"_ba, parsed->contentRange(size));
            if (!etag.isEmpty())
                refused.setHeader("ETag"_ba, etag);
            return responder.respond(std::move(refused));
        }
        if (parsed) {
            first = parsed->first;
            length = parsed->length();
            status = 206;
        }
    }
    if (first > 0 && !served.file->seek(first))
        return responder.respond(HttpResponse::error(500, u"Cannot seek in the file"_s, u"INTERNAL"_s));

    HttpResponse response = HttpResponse::stream(status, std::move(served.file), length, served.contentType);
    if (!etag.isEmpty())
        response.setHeader("ETag"_ba, etag);
    response.setHeader("Accept-Ranges"_ba, "bytes"_ba);
    if (served.mtimeMs > 0)
        response.setHeader("Last-Modified"_ba, httpDate(served.mtimeMs));
    response.setHeader("Content-Disposition"_ba, contentDisposition(served.downloadName));
    // The digest of the whole representation, also on a 206: the client checks it at the end.
    if (!digest.isEmpty())
        response.setHeader("Repr-Digest"_ba, digest);
    if (status == 206)
        response.setHeader("Content-Range"_ba, ByteRange{first, first + length - 1, true}.contentRange(size));
    responder.respond(std::move(response));
}

} // namespace banata::server
