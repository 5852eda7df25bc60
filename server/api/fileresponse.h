// SPDX-License-Identifier: MIT
#pragma once

#include <memory>

#include <QByteArray>
#include <QFile>
#include <QString>

#include "server/http/httpresponder.h"

namespace banata::server {

struct HttpRequest;

/// A file opened for one response and what the response says about it.
struct ServedFile
{
    std::unique_ptr<QFile> file; // open for reading
    qint64 size = 0;
    QByteArray etag;      // strong, quotes included
    qint64 mtimeMs = 0;   // Last-Modified
    QString downloadName; // Content-Disposition: attachment; filename*=UTF-8''…
    QByteArray contentType = QByteArrayLiteral("application/octet-stream");
    QString sha256; // lowercase hex; when set, sent as `Repr-Digest: sha-256=:<base64>:`
};

/// Answers \a request with \a served the way `fs/download` is documented: 200 / 206 with
/// Content-Range for `Range`, If-Range (a different validator sends the whole file), 304 for
/// If-None-Match, 416 beyond the end; ETag, Accept-Ranges, Last-Modified, Content-Disposition.
/// Streams; never holds the file in memory.
void serveFile(const HttpRequest &request, HttpResponder responder, ServedFile served);

} // namespace banata::server
