// SPDX-License-Identifier: MIT
#pragma once

#include "json.h"

#include <QList>

namespace banata {

/// Where an agent task stands (banata-api.md §2.3).
enum class TaskStatus { Queued, Running, Completed, Failed };

QString toString(TaskStatus status);
std::optional<TaskStatus> taskStatusFromString(const QString &text);
inline bool isFinished(TaskStatus status)
{
    return status == TaskStatus::Completed || status == TaskStatus::Failed;
}

/// One prompt given to a sandbox's agent, and what came of it.
struct AgentTask
{
    QString taskId;
    QString sandboxId;
    TaskStatus status = TaskStatus::Queued;
    QString prompt;
    Json metadata = Json::object(); // the caller's, echoed in events and webhooks
    QString output;                 // the agent's stdout (capped; see outputTruncated)
    QString errorOutput;            // its stderr ("stderr" on the wire)
    bool outputTruncated = false;
    std::optional<QString> error; // why it failed
    std::optional<int> exitCode;
    qint64 createdAt = 0;
    std::optional<qint64> startedAt;
    std::optional<qint64> completedAt;

    static Parsed<AgentTask> fromJson(const Json &json);
    Json toJson() const;
    friend bool operator==(const AgentTask &, const AgentTask &) = default;
};

/// `GET /v1/sandboxes/tasks?id=`: `{ "data": [...] }`, newest first.
Parsed<QList<AgentTask>> taskListFromJson(const Json &json);
Json taskListToJson(const QList<AgentTask> &tasks);

/// The body of `POST /v1/sandboxes/opencode/prompt`.
struct PromptRequest
{
    QString id; // the sandbox
    QString prompt;
    bool async = false;
    Json metadata = Json::object();

    static Parsed<PromptRequest> fromJson(const Json &json);
    Json toJson() const;
};

} // namespace banata
