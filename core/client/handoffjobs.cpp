// SPDX-License-Identifier: MIT
#include "core/client/handoffjobs.h"

namespace banata {


BANATA_DEFINE_JSON_JOB(HandoffJob, HandoffResponse, HandoffResponse::fromJson)
BANATA_DEFINE_JSON_JOB(HandoffListJob, QList<Handoff>, handoffListFromJson)
BANATA_DEFINE_JSON_JOB(PendingHandoffListJob, QList<PendingHandoff>, pendingHandoffListFromJson)
BANATA_DEFINE_JSON_JOB(TaskJob, AgentTask, AgentTask::fromJson)
BANATA_DEFINE_JSON_JOB(TaskListJob, QList<AgentTask>, taskListFromJson)

#undef BANATA_DEFINE_JSON_JOB

} // namespace banata
