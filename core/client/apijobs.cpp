// SPDX-License-Identifier: MIT
#include "core/client/apijobs.h"

#include <QLoggingCategory>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcApiJobs, "banata.core.client.jobs")

namespace banata {

ApiError JsonJob::protocolError(const QString &message)
{
    qCWarning(lcApiJobs) << "unexpected response:" << message;
    return ApiError::protocol(message);
}

void JsonJob::succeed(int status, const QByteArray &body)
{
    Q_UNUSED(status)
    auto json = parseJson(body);
    if (!json) {
        // fail() is the concrete job's typed emit; the base has already marked the job finished.
        fail(protocolError(u"Malformed JSON in the response"_s));
        return;
    }
    deliver(*json);
}

SandboxPollJob::SandboxPollJob(ApiEndpoint endpoint, ApiRequest request, QByteArray etag)
    : JsonJob(std::move(endpoint), std::move(request))
    , m_etag(std::move(etag))
{}

void SandboxPollJob::prepareRequest(QNetworkRequest &request)
{
    if (!m_etag.isEmpty())
        request.setRawHeader("If-None-Match"_ba, m_etag);
}

bool SandboxPollJob::acceptsStatus(int status) const
{
    // A 304 only answers a conditional request; without an ETag it would be a broken server.
    return status == 304 && !m_etag.isEmpty();
}

void SandboxPollJob::succeed(int status, const QByteArray &body)
{
    if (status != 304) {
        JsonJob::succeed(status, body);
        return;
    }
    const QByteArray etag = responseHeader("ETag"_ba);
    Q_EMIT finished(SandboxPagePoll{{}, etag.isEmpty() ? m_etag : etag, true});
}

void SandboxPollJob::deliver(const Json &json)
{
    auto page = SandboxPage::fromJson(json);
    if (!page) {
        Q_EMIT finished(ApiResult<SandboxPagePoll>::failure(protocolError(page.error())));
        return;
    }
    Q_EMIT finished(SandboxPagePoll{std::move(page).value(), responseHeader("ETag"_ba), false});
}

void SandboxPollJob::fail(const ApiError &error)
{
    Q_EMIT finished(ApiResult<SandboxPagePoll>::failure(error));
}

BANATA_DEFINE_JSON_JOB(HealthJob, Health, Health::fromJson)
BANATA_DEFINE_JSON_JOB(SandboxJob, Sandbox, Sandbox::fromJson)
BANATA_DEFINE_JSON_JOB(SandboxPageJob, SandboxPage, SandboxPage::fromJson)
BANATA_DEFINE_JSON_JOB(EventPageJob, EventPage, EventPage::fromJson)
BANATA_DEFINE_JSON_JOB(ExecJob, ExecResult, ExecResult::fromJson)
BANATA_DEFINE_JSON_JOB(FileListingJob, FileListing, FileListing::fromJson)
BANATA_DEFINE_JSON_JOB(FileContentJob, FileContent, FileContent::fromJson)
BANATA_DEFINE_JSON_JOB(WriteJob, WriteResult, WriteResult::fromJson)
BANATA_DEFINE_JSON_JOB(CheckpointJob, Checkpoint, Checkpoint::fromJson)
BANATA_DEFINE_JSON_JOB(CheckpointListJob, QList<Checkpoint>, checkpointListFromJson)
BANATA_DEFINE_JSON_JOB(RestoreJob, RestoreResult, RestoreResult::fromJson)

#undef BANATA_DEFINE_JSON_JOB

} // namespace banata
