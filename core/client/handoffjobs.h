// SPDX-License-Identifier: MIT
#pragma once

#include "core/client/apijobs.h"
#include "core/handoff.h"
#include "core/task.h"

namespace banata {

/// Every `/v1/sandboxes/handoff…` route answering with one handoff: request, get, accept,
/// complete, cancel.
class HandoffJob final : public JsonJob
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HandoffJob)
public:
    HandoffJob(ApiEndpoint endpoint, ApiRequest request);
Q_SIGNALS:
    void finished(const banata::ApiResult<banata::HandoffResponse> &result);
private:
    void deliver(const Json &json) override;
    void fail(const ApiError &error) override;
};

/// `GET /v1/sandboxes/handoff?id=&all=1`: every handoff of a sandbox, newest first.
class HandoffListJob final : public JsonJob
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HandoffListJob)
public:
    HandoffListJob(ApiEndpoint endpoint, ApiRequest request);
Q_SIGNALS:
    void finished(const banata::ApiResult<QList<banata::Handoff>> &result);
private:
    void deliver(const Json &json) override;
    void fail(const ApiError &error) override;
};

/// `GET /v1/sandboxes/handoffs[?status=]`: the handoffs of every sandbox (by default the active
/// ones), oldest requestedAt first.
class PendingHandoffListJob final : public JsonJob
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PendingHandoffListJob)
public:
    PendingHandoffListJob(ApiEndpoint endpoint, ApiRequest request);
Q_SIGNALS:
    void finished(const banata::ApiResult<QList<banata::PendingHandoff>> &result);
private:
    void deliver(const Json &json) override;
    void fail(const ApiError &error) override;
};

/// `POST /v1/sandboxes/opencode/prompt` and `GET /v1/sandboxes/tasks?id=&taskId=`: one task.
class TaskJob final : public JsonJob
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TaskJob)
public:
    TaskJob(ApiEndpoint endpoint, ApiRequest request);
Q_SIGNALS:
    void finished(const banata::ApiResult<banata::AgentTask> &result);
private:
    void deliver(const Json &json) override;
    void fail(const ApiError &error) override;
};

/// `GET /v1/sandboxes/tasks?id=`: newest first.
class TaskListJob final : public JsonJob
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TaskListJob)
public:
    TaskListJob(ApiEndpoint endpoint, ApiRequest request);
Q_SIGNALS:
    void finished(const banata::ApiResult<QList<banata::AgentTask>> &result);
private:
    void deliver(const Json &json) override;
    void fail(const ApiError &error) override;
};

} // namespace banata
