// SPDX-License-Identifier: MIT
#include "core/client/transferjobs.h"

#include <QIODevice>
#include <QLoggingCategory>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcTransfer, "banata.core.client.transfer")

namespace banata {

namespace {
constexpr qint64 kReadBufferSize = 1024 * 1024; // bounds memory when the disk is slower than the network

ApiError badResponse(const QString &message)
{
    qCWarning(lcTransfer) << "unexpected download response:" << message;
    return ApiError::protocol(message);
}

ApiError deviceError(const QString &message)
{
    return {ApiError::Kind::Aborted, 0, message, {}, {}};
}
} // namespace

DownloadJob::DownloadJob(ApiEndpoint endpoint, ApiRequest request, QIODevice *sink, Resume resume)
    : ApiJob(std::move(endpoint), std::move(request))
    , m_sink(sink)
    , m_etag(std::move(resume.etag))
    , m_resumedFrom(std::max<qint64>(0, resume.offset))
    , m_position(m_resumedFrom)
{}

std::optional<ApiError> DownloadJob::precondition() const
{
    if (!m_sink || !m_sink->isWritable())
        return deviceError(u"The download destination is not open for writing"_s);
    return std::nullopt;
}

void DownloadJob::prepareRequest(QNetworkRequest &request)
{
    request.setRawHeader("Accept"_ba, "*/*"_ba);
    // Byte ranges must count bytes of the file, not of a compressed encoding of it.
    request.setRawHeader("Accept-Encoding"_ba, "identity"_ba);
    // Without an ETag a retry cannot tell whether the file changed, so only the caller's first
    // request may resume unguarded; later attempts then restart from zero.
    if (m_position > 0 && (!m_etag.isEmpty() || m_firstAttempt)) {
        request.setRawHeader("Range"_ba, "bytes="_ba + QByteArray::number(m_position) + '-');
        if (!m_etag.isEmpty())
            request.setRawHeader("If-Range"_ba, m_etag);
    }
    m_firstAttempt = false;
}

void DownloadJob::configureReply(QNetworkReply *reply)
{
    reply->setReadBufferSize(kReadBufferSize);
}

bool DownloadJob::beginBody(QNetworkReply *reply)
{
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QByteArray etag = reply->rawHeader("ETag"_ba);
    if (status == 206) {
        const auto range = parseContentRange(reply->rawHeader("Content-Range"_ba));
        if (!range) {
            failWith(badResponse(u"Malformed Content-Range in a partial response"_s));
            return false;
        }
        if (range->first != m_position) {
            failWith(badResponse(u"The server resumed at byte %1 instead of %2"_s.arg(range->first).arg(m_position)));
            return false;
        }
        m_total = range->total;
        m_rangeHonoured = true;
    } else {
        if (m_position > 0) {
            qCInfo(lcTransfer) << "server sent the whole file; restarting from byte 0";
            m_restarted = true;
            m_rangeHonoured = false;
            m_resumedFrom = 0;
            m_position = 0;
            const QPointer<DownloadJob> self(this);
            Q_EMIT restarted();
            if (!self || isFinished())
                return false;
            if (m_sink && !m_sink->isSequential())
                m_sink->seek(0);
        }
        const QVariant length = reply->header(QNetworkRequest::ContentLengthHeader);
        m_total = length.isValid() ? length.toLongLong() : -1;
    }
    m_etag = etag;
    m_sha256 = sha256FromReprDigest(reply->rawHeader("Repr-Digest"_ba));
    Q_EMIT progress(m_position, m_total);
    return true;
}

bool DownloadJob::consume(const QByteArray &chunk)
{
    if (!m_sink) {
        failWith(deviceError(u"The download destination was deleted"_s));
        return false;
    }
    const qint64 written = m_sink->write(chunk);
    if (written != chunk.size()) {
        failWith(deviceError(u"Could not write the download: "_s + m_sink->errorString()));
        return false;
    }
    m_position += written;
    m_written += written;
    if (m_total >= 0 && m_position > m_total) {
        failWith(badResponse(u"The server sent more than the %1 bytes it announced"_s.arg(m_total)));
        return false;
    }
    Q_EMIT progress(m_position, m_total);
    return true;
}

void DownloadJob::succeed(int status, const QByteArray &body)
{
    Q_UNUSED(status)
    Q_UNUSED(body)
    if (m_total >= 0 && m_position != m_total) {
        fail(badResponse(u"The download ended at byte %1 of %2"_s.arg(m_position).arg(m_total)));
        return;
    }
    if (m_total < 0)
        m_total = m_position;
    Q_EMIT finished(DownloadInfo{m_etag, m_total, m_written, m_resumedFrom, m_sha256});
}

void DownloadJob::fail(const ApiError &error)
{
    Q_EMIT finished(ApiResult<DownloadInfo>::failure(error));
}

UploadJob::UploadJob(ApiEndpoint endpoint, ApiRequest request, QIODevice *source)
    : JsonJob(std::move(endpoint), std::move(request))
    , m_source(source)
    , m_startPosition(source && !source->isSequential() ? source->pos() : 0)
{}

std::optional<ApiError> UploadJob::precondition() const
{
    if (!m_source || !m_source->isReadable())
        return deviceError(u"The upload source is not open for reading"_s);
    return std::nullopt;
}

QIODevice *UploadJob::uploadDevice()
{
    return m_source;
}

void UploadJob::prepareRequest(QNetworkRequest &request)
{
    request.setHeader(QNetworkRequest::ContentTypeHeader, u"application/octet-stream"_s);
    if (m_source && !m_source->isSequential())
        request.setHeader(QNetworkRequest::ContentLengthHeader, m_source->size() - m_startPosition);
}

void UploadJob::configureReply(QNetworkReply *reply)
{
    connect(reply, &QNetworkReply::uploadProgress, this, [this](qint64 sent, qint64 total) {
        // Qt reports (0, 0) once more when the reply finishes; that is not progress.
        if (sent != 0 || total != 0)
            Q_EMIT uploadProgress(sent, total);
    });
}

bool UploadJob::prepareRetry()
{
    // A consumed stream cannot be sent again; a file can, from where the body started.
    if (!m_source || m_source->isSequential())
        return false;
    return m_source->seek(m_startPosition);
}

void UploadJob::deliver(const Json &json)
{
    emitParsed<WriteResult>(this, WriteResult::fromJson(json));
}

void UploadJob::fail(const ApiError &error)
{
    Q_EMIT finished(ApiResult<WriteResult>::failure(error));
}

} // namespace banata
