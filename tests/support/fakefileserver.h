// SPDX-License-Identifier: MIT
#pragma once

#include <functional>

#include <QHash>

#include "core/client/apiclient.h"
#include "core/files.h"
#include "support/fakenetwork.h"

namespace banata::test {

/// One file FakeFileServer serves.
struct ServedFile
{
    ServedFile(QByteArray data = {}, QByteArray etag = QByteArrayLiteral("\"v1\""), bool reprDigest = false,
               QByteArray wrongDigestOf = {});

    QByteArray data;
    QByteArray etag;
    bool reprDigest = false;  ///< send `Repr-Digest` with the file's SHA-256
    QByteArray wrongDigestOf; ///< send the digest of these bytes instead (a corrupted transfer)
};

/**
 * The file routes of a Banata server for unit tests, played by a FakeNetworkAccessManager:
 * `fs/list` (the listing is the test's, hostile names included), `fs/download` and `fs/archive`
 * with ETag, Range and If-Range, `fs/checksum`, and artifacts with one-use download URLs
 * (`artifacts/download-url`, then `/v1/artifacts/download?token=`). Tests change the fields to
 * make it misbehave: go down, cut the next body short, change a file between requests.
 *
 * Usage:
 *   FakeFileServer server;
 *   server.files[u"/workspace/a.bin"_s] = {bytes};
 *   server.dropNextAfter(1024);            // the next body stops after 1 KiB
 *   ApiClient client = server.client();   // no retries of its own: the caller's logic shows
 */
class FakeFileServer
{
public:
    FakeNetworkAccessManager network;
    QHash<QString, ServedFile> files; ///< by workspace path; artifacts by key
    QList<FileEntry> listing;         ///< what fs/list answers, for any path
    bool down = false;                ///< every request fails: connection refused
    qsizetype chunkSize = 64 * 1024;  ///< bodies arrive in chunks of this size
    /// Called before each download is answered (numbered from 1); may change `files`.
    std::function<void(int request)> beforeDownload;
    /// The ETag fs/checksum reports for a path; default: the served file's.
    std::function<QByteArray(const QString &path)> checksumEtag;

    int downloads = 0; ///< fs/download, fs/archive and artifact download requests
    int checksums = 0;
    int urlRequests = 0;
    QList<RecordedRequest> downloadRequests;

    FakeFileServer();
    Q_DISABLE_COPY_MOVE(FakeFileServer)

    /// A client on this server; \a retries: the jobs' own retries of transient failures.
    ApiClient client(int retries = 0);
    /// The next download body stops after \a bytes with the connection closed.
    void dropNextAfter(qint64 bytes) { m_dropAfter = bytes; }

private:
    FakeReplySpec answer(const QNetworkRequest &request);
    FakeReplySpec serve(const QNetworkRequest &request, const QString &path);

    qint64 m_dropAfter = -1;
    QHash<QString, QString> m_tokens; // artifact download token → key
};

} // namespace banata::test
