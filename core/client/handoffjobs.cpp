// SPDX-License-Identifier: MIT
#include "core/client/handoffjobs.h"

namespace banata {

// As in apijobs.cpp: forward the constructor, parse with the wire type's reader, emit errors.
#define BANATA_DEFINE_JSON_JOB(Job, Type, parse)                                                  \
    Job::Job(ApiEndpoint endpoint, ApiRequest request)                                            \
        : JsonJob(std::move(endpoint), std::move(request))                                        \
    {}                                                                                            \
    void Job::deliver(const Json &json) { emitParsed<Type>(this, parse(json)); }                  \
    void Job::fail(const ApiError &error) { Q_EMIT finished(ApiResult<Type>::failure(error)); }

BANATA_DEFINE_JSON_JOB(HandoffJob, HandoffResponse, HandoffResponse::fromJson)
BANATA_DEFINE_JSON_JOB(HandoffListJob, QList<Handoff>, handoffListFromJson)
BANATA_DEFINE_JSON_JOB(TaskJob, AgentTask, AgentTask::fromJson)
BANATA_DEFINE_JSON_JOB(TaskListJob, QList<AgentTask>, taskListFromJson)

#undef BANATA_DEFINE_JSON_JOB

} // namespace banata
