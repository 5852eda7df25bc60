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


BANATA_DEFINE_JSON_JOB(HealthJob, Health, Health::fromJson)
BANATA_DEFINE_JSON_JOB(SandboxJob, Sandbox, Sandbox::fromJson)
BANATA_DEFINE_JSON_JOB(SandboxPageJob, SandboxPage, SandboxPage::fromJson)
BANATA_DEFINE_JSON_JOB(ExecJob, ExecResult, ExecResult::fromJson)
BANATA_DEFINE_JSON_JOB(FileListingJob, FileListing, FileListing::fromJson)
BANATA_DEFINE_JSON_JOB(FileContentJob, FileContent, FileContent::fromJson)
BANATA_DEFINE_JSON_JOB(WriteJob, WriteResult, WriteResult::fromJson)
BANATA_DEFINE_JSON_JOB(CheckpointJob, Checkpoint, Checkpoint::fromJson)
BANATA_DEFINE_JSON_JOB(CheckpointListJob, QList<Checkpoint>, checkpointListFromJson)
BANATA_DEFINE_JSON_JOB(RestoreJob, RestoreResult, RestoreResult::fromJson)

#undef BANATA_DEFINE_JSON_JOB

} // namespace banata
