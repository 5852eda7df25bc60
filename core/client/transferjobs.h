// SPDX-License-Identifier: MIT
#pragma once

#include "core/client/apijobs.h"
#include "core/client/transferheaders.h"

#include <QPointer>

class QIODevice;

namespace banata {

/// Where a previous download stopped.
struct DownloadResume
{
    qint64 offset = 0; // bytes already on disk
    QByteArray etag;   // the ETag they came with; empty: resume without a guard
};

/**
 * `GET /v1/sandboxes/fs/download`: streams a file's raw bytes into a caller-owned device as they
 * arrive (never buffering the file), optionally resuming a partial download.
 *
 * Usage:
 *   QFile part(path + u".part"_s); part.open(QIODevice::ReadWrite); part.seek(part.size());
 *   auto *job = client.download(id, remotePath, &part, {part.size(), savedEtag});
 *   connect(job, &DownloadJob::restarted, this, [&part] { part.resize(0); });
 *   connect(job, &DownloadJob::finished, this, [](const ApiResult<DownloadInfo> &r) { ... });
 * The device must be open for writing, positioned at the resume offset, and outlive the job.
 * With an offset the job sends `Range: bytes=N-` plus `If-Range: <etag>` when an ETag is given.
 * A 206 continues the file; a 200 (file changed, or ranges unsupported) restarts it: `restarted`
 * is emitted before the first byte is written, and the job then seeks a random-access device to
 * 0 - the caller must discard the old content (resize(0)). Transient failures mid-body are retried
 * from where the body stopped, guarded by the response's ETag. A device that refuses a write
 * ends the job with an error of kind Aborted naming the device's error. When the response carries
 * `Repr-Digest: sha-256=…` (the digest of the whole file, also on a 206), DownloadInfo::sha256
 * holds it so the caller can verify what it assembled.
 */
class DownloadJob final : public ApiJob
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DownloadJob)

public:
    using Resume = DownloadResume;

    DownloadJob(ApiEndpoint endpoint, ApiRequest request, QIODevice *sink, Resume resume = {});

    /// The ETag of the latest response (or the one given to resume until a response arrives).
    QByteArray etag() const { return m_etag; }
    /// True once a 206 continued at the resume offset.
    bool rangeHonoured() const { return m_rangeHonoured; }
    /// True once the server sent the whole file although the device already held bytes.
    bool restartedFromZero() const { return m_restarted; }
    /// Bytes of the remote file that the device now holds (offset + written).
    qint64 position() const { return m_position; }
    qint64 totalSize() const { return m_total; }

Q_SIGNALS:
    /// \a received and \a total are positions in the whole remote file; \a total is -1 if unknown.
    void progress(qint64 received, qint64 total);
    /// The server ignored the range: discard what the device holds now (direct connection).
    void restarted();
    void finished(const banata::ApiResult<banata::DownloadInfo> &result);

private:
    std::optional<ApiError> precondition() const override;
    void prepareRequest(QNetworkRequest &request) override;
    void configureReply(QNetworkReply *reply) override;
    bool streamsBody() const override { return true; }
    bool beginBody(QNetworkReply *reply) override;
    bool consume(const QByteArray &chunk) override;
    void succeed(int status, const QByteArray &body) override;
    void fail(const ApiError &error) override;

    QPointer<QIODevice> m_sink;
    QByteArray m_etag;
    QString m_sha256;
    qint64 m_resumedFrom = 0;
    qint64 m_position = 0;
    qint64 m_total = -1;
    qint64 m_written = 0;
    bool m_firstAttempt = true;
    bool m_rangeHonoured = false;
    bool m_restarted = false;
};

/**
 * `PUT /v1/sandboxes/fs/upload`: streams a caller-owned device (normally a QFile) as the body.
 *
 * Usage:
 *   auto *job = client.upload(id, u"/workspace/in/data.csv"_s, file); // file open for reading
 *   connect(job, &UploadJob::uploadProgress, bar, [bar](qint64 sent, qint64 total) { ... });
 *   connect(job, &UploadJob::finished, this, [](const ApiResult<WriteResult> &r) { ... });
 * The body starts at the device's current position; the device must outlive the job. Retries
 * happen only when the device is random-access, so it can be rewound to that position.
 */
class UploadJob final : public JsonJob
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UploadJob)

public:
    UploadJob(ApiEndpoint endpoint, ApiRequest request, QIODevice *source);

Q_SIGNALS:
    /// Bytes of the body sent so far and its size (-1 when unknown).
    void uploadProgress(qint64 sent, qint64 total);
    void finished(const banata::ApiResult<banata::WriteResult> &result);

private:
    std::optional<ApiError> precondition() const override;
    QIODevice *uploadDevice() override;
    void prepareRequest(QNetworkRequest &request) override;
    void configureReply(QNetworkReply *reply) override;
    bool prepareRetry() override;
    void deliver(const Json &json) override;
    void fail(const ApiError &error) override;

    QPointer<QIODevice> m_source;
    qint64 m_startPosition = 0;
};

} // namespace banata
