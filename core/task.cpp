// SPDX-License-Identifier: MIT
#include "task.h"

using namespace Qt::StringLiterals;

namespace banata {

namespace {
const QStringList kStatuses = {u"queued"_s, u"running"_s, u"completed"_s, u"failed"_s};
} // namespace

QString toString(TaskStatus status)
{
    return kStatuses.value(static_cast<int>(status));
}

std::optional<TaskStatus> taskStatusFromString(const QString &text)
{
    const qsizetype index = kStatuses.indexOf(text);
    return index < 0 ? std::nullopt : std::optional(static_cast<TaskStatus>(index));
}

Parsed<AgentTask> AgentTask::fromJson(const Json &json)
{
    JsonReader r(json, u"task"_s);
    AgentTask t;
    t.taskId = r.requiredString("taskId");
    t.sandboxId = r.requiredString("sandboxId");
    const QString status = r.requiredString("status");
    if (r.ok()) {
        if (auto parsed = taskStatusFromString(status))
            t.status = *parsed;
        else
            r.fail("status", u"unknown status '%1'"_s.arg(status));
    }
    t.prompt = r.requiredString("prompt");
    if (const Json *metadata = r.optionalObject("metadata"))
        t.metadata = *metadata;
    t.output = r.optionalString("output").value_or(QString());
    t.errorOutput = r.optionalString("stderr").value_or(QString());
    t.outputTruncated = r.optionalBool("outputTruncated").value_or(false);
    t.error = r.optionalString("error");
    if (const auto code = r.optionalInt("exitCode"))
        t.exitCode = static_cast<int>(*code);
    t.createdAt = r.requiredInt("createdAt");
    t.startedAt = r.optionalInt("startedAt");
    t.completedAt = r.optionalInt("completedAt");
    if (!r.ok())
        return Parsed<AgentTask>::failure(r.error());
    return t;
}

Json AgentTask::toJson() const
{
    auto orNull = [](const auto &value) { return value ? Json(*value) : Json(nullptr); };
    return Json{{"taskId", toStd(taskId)},
                {"sandboxId", toStd(sandboxId)},
                {"status", toStd(toString(status))},
                {"prompt", toStd(prompt)},
                {"metadata", metadata},
                {"output", toStd(output)},
                {"stderr", toStd(errorOutput)},
                {"outputTruncated", outputTruncated},
                {"error", error ? Json(toStd(*error)) : Json(nullptr)},
                {"exitCode", orNull(exitCode)},
                {"createdAt", createdAt},
                {"startedAt", orNull(startedAt)},
                {"completedAt", orNull(completedAt)}};
}

Parsed<QList<AgentTask>> taskListFromJson(const Json &json)
{
    using Result = Parsed<QList<AgentTask>>;
    JsonReader r(json, u"tasks"_s);
    const Json *data = r.optionalArray("data");
    if (r.ok() && !data)
        r.fail("data", u"missing"_s);
    if (!r.ok())
        return Result::failure(r.error());
    QList<AgentTask> out;
    for (const Json &item : *data) {
        auto t = AgentTask::fromJson(item);
        if (!t)
            return Result::failure(u"tasks.data[%1]: "_s.arg(out.size()) + t.error());
        out.append(*t);
    }
    return out;
}

Json taskListToJson(const QList<AgentTask> &tasks)
{
    Json items = Json::array();
    for (const AgentTask &t : tasks)
        items.push_back(t.toJson());
    return Json{{"data", std::move(items)}};
}

Parsed<PromptRequest> PromptRequest::fromJson(const Json &json)
{
    JsonReader r(json, u"body"_s);
    PromptRequest request;
    request.id = r.requiredString("id");
    request.prompt = r.requiredString("prompt");
    if (r.ok() && request.prompt.trimmed().isEmpty())
        r.fail("prompt", u"must not be empty"_s);
    request.async = r.optionalBool("async").value_or(false);
    if (const Json *metadata = r.optionalObject("metadata"))
        request.metadata = *metadata;
    if (!r.ok())
        return Parsed<PromptRequest>::failure(r.error());
    return request;
}

Json PromptRequest::toJson() const
{
    return Json{{"id", toStd(id)}, {"prompt", toStd(prompt)}, {"async", async}, {"metadata", metadata}};
}

} // namespace banata
