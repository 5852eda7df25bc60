// SPDX-License-Identifier: MIT
#pragma once

#include "core/apierror.h"
#include "core/exec.h"
#include "core/expected.h"
#include "core/sandbox.h"
#include "core/task.h"

#include <QHash>
#include <QObject>
#include <QSet>

#include <functional>

namespace banata::server {

class EventHub;
class SandboxManager;
class Store;

/// Agent tasks (banata-api.md §2.3): each prompt runs the configured agent command inside the
/// sandbox, one task at a time per sandbox in order of arrival, persisted so that a restart runs
/// the queued ones again. Main thread only.
class TaskService final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TaskService)

public:
    template <typename T>
    using Result = banata::Expected<T, banata::ApiError>;

    struct Options
    {
        QString agentCommand;          // a shell command run with /bin/sh -c; empty: no agent
        qint64 timeoutMs = 30 * 60'000; // per task
        qint64 maxOutputBytes = 1 << 20; // per stream
    };

    /// Everything must outlive the service.
    TaskService(Options options, Store *store, EventHub *events, SandboxManager *sandboxes, QObject *parent = nullptr);
    ~TaskService() override;

    /// Loads every task; call after the sandboxes are recovered. Tasks that were running fail
    /// (their result died with the old server); queued ones run again.
    void recover();

    Result<banata::AgentTask> submit(const banata::PromptRequest &request);
    /// Calls \a done once the task has finished (at once if it has), unless \a context dies first.
    void whenFinished(const QString &taskId, QObject *context, std::function<void(const banata::AgentTask &)> done);

    /// Newest first, at most \a limit.
    Result<QList<banata::AgentTask>> tasks(const QString &sandboxId, int limit) const;
    Result<banata::AgentTask> task(const QString &sandboxId, const QString &taskId) const;

private:
    banata::AgentTask *find(const QString &sandboxId, const QString &taskId);
    /// A task as stored (finished ones live only there).
    std::optional<banata::AgentTask> load(const QString &sandboxId, const QString &taskId) const;
    /// Starts the sandbox's oldest queued task if none runs and the sandbox takes work.
    void pump(const QString &sandboxId);
    void onExecDone(const QString &sandboxId, const QString &taskId, const Result<banata::ExecResult> &result);
    /// Ends the unfinished task \a taskId: persists, publishes, answers waiters, forgets it.
    void finish(const QString &sandboxId, const QString &taskId, banata::TaskStatus status,
                std::optional<QString> error = std::nullopt);
    void save(const banata::AgentTask &task);
    void publish(const QString &type, const banata::AgentTask &task);
    void onSandboxStatusChanged(const banata::Sandbox &sandbox, banata::SandboxStatus previous);

    Options m_options;
    Store *m_store;
    EventHub *m_events;
    SandboxManager *m_sandboxes;
    QHash<QString, QList<banata::AgentTask>> m_tasks; // unfinished, per sandbox, oldest first
    QHash<QString, QString> m_running;                // sandbox -> running task id
    QSet<QString> m_retryScheduled;                   // sandboxes waiting to retry a start
    QHash<QString, QList<std::function<void(const banata::AgentTask &)>>> m_waiters; // per task id
};

} // namespace banata::server
