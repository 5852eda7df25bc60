// SPDX-License-Identifier: MIT
#include "support/fakefileserver.h"

#include <QCryptographicHash>
#include <QUrlQuery>

#include "core/artifact.h"
#include "support/apiclienttest.h"

using namespace Qt::StringLiterals;

namespace banata::test {

namespace {
QByteArray sha256(const QByteArray &data)
{
    return QCryptographicHash::hash(data, QCryptographicHash::Sha256);
}

FakeReplySpec notFound()
{
    return FakeReplySpec::json(404, R"({"error":"No such file","code":"NOT_FOUND"})"_ba);
}
} // namespace

ServedFile::ServedFile(QByteArray data, QByteArray etag, bool reprDigest, QByteArray wrongDigestOf)
    : data(std::move(data))
    , etag(std::move(etag))
    , reprDigest(reprDigest)
    , wrongDigestOf(std::move(wrongDigestOf))
{}

FakeFileServer::FakeFileServer()
{
    network.setHandler([this](const QNetworkRequest &request, const QByteArray &, const QByteArray &) {
        return answer(request);
    });
}

ApiClient FakeFileServer::client(int retries)
{
    return ApiClient(&network, kBaseUrl, kApiKey, fastRetry(retries));
}

FakeReplySpec FakeFileServer::answer(const QNetworkRequest &request)
{
    if (down)
        return FakeReplySpec::networkError();
    const QUrlQuery query(request.url());
    const QString route = request.url().path();
    const QString path = query.queryItemValue(u"path"_s, QUrl::FullyDecoded);
    if (route == u"/v1/sandboxes/fs/list")
        return FakeReplySpec::json(200, FileListing{path, listing}.toJsonBytes());
    if (route == u"/v1/sandboxes/fs/download" || route == u"/v1/sandboxes/fs/archive")
        return serve(request, path);
    if (route == u"/v1/sandboxes/fs/checksum") {
        ++checksums;
        if (!files.contains(path))
            return notFound();
        const ServedFile &file = files[path];
        const QByteArray etag = checksumEtag ? checksumEtag(path) : file.etag;
        const FileChecksum sum{path, QString::fromLatin1(sha256(file.data).toHex()), file.data.size(), etag};
        return FakeReplySpec::json(200, dumpJson(sum.toJson()));
    }
    if (route == u"/v1/sandboxes/artifacts/download-url") {
        const QString key = query.queryItemValue(u"key"_s, QUrl::FullyDecoded);
        const QString token = u"t%1"_s.arg(++urlRequests);
        m_tokens.insert(token, key);
        const ArtifactUrl url{key, u"http://banata.test:8787/v1/artifacts/download?token="_s + token, 0};
        return FakeReplySpec::json(200, dumpJson(url.toJson()));
    }
    if (route == u"/v1/artifacts/download") {
        const QString token = query.queryItemValue(u"token"_s);
        if (!m_tokens.contains(token))
            return FakeReplySpec::json(403,
                                       R"({"error":"The download link has expired","code":"FORBIDDEN"})"_ba);
        return serve(request, m_tokens.take(token)); // a token works once
    }
    return FakeReplySpec::json(404, R"({"error":"No route","code":"NOT_FOUND"})"_ba);
}

FakeReplySpec FakeFileServer::serve(const QNetworkRequest &request, const QString &path)
{
    ++downloads;
    downloadRequests.append({"GET"_ba, request, {}});
    if (beforeDownload)
        beforeDownload(downloads);
    if (!files.contains(path))
        return notFound();
    const ServedFile &file = files[path];
    const qint64 size = file.data.size();
    const QByteArray range = request.rawHeader("Range"_ba);
    const QByteArray ifRange = request.rawHeader("If-Range"_ba);
    qint64 from = 0;
    if (range.startsWith("bytes=") && range.endsWith('-') && (ifRange.isEmpty() || ifRange == file.etag))
        from = range.mid(6, range.size() - 7).toLongLong();
    if (from >= size && from > 0)
        return FakeReplySpec::raw(416, QByteArray())
            .header("Content-Range"_ba, "bytes */" + QByteArray::number(size));

    const QByteArray body = file.data.mid(from);
    const int status = from > 0 ? 206 : 200;
    const qint64 drop = std::exchange(m_dropAfter, -1);
    FakeReplySpec spec = drop >= 0 && drop < body.size()
                             ? FakeReplySpec::closeMidBody(status, body.left(drop), body.size())
                             : FakeReplySpec::raw(status, body);
    spec.chunkSize = chunkSize;
    spec.header("ETag"_ba, file.etag).header("Accept-Ranges"_ba, "bytes"_ba);
    if (status == 206)
        spec.header("Content-Range"_ba, "bytes %1-%2/%3"_ba.replace("%1", QByteArray::number(from))
                                            .replace("%2", QByteArray::number(size - 1))
                                            .replace("%3", QByteArray::number(size)));
    if (file.reprDigest || !file.wrongDigestOf.isEmpty()) {
        const QByteArray digested = file.wrongDigestOf.isEmpty() ? file.data : file.wrongDigestOf;
        spec.header("Repr-Digest"_ba, "sha-256=:" + sha256(digested).toBase64() + ':');
    }
    return spec;
}

} // namespace banata::test
