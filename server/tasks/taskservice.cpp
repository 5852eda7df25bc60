// SPDX-License-Identifier: MIT
#include "taskservice.h"

#include "core/lifecycle.h"
#include "server/events/eventhub.h"
#include "server/runtime/execspec.h"
#include "server/sandboxmanager.h"
#include "server/store/store.h"

#include <QDateTime>
#include <QLoggingCategory>
#include <QPointer>
#include <QSqlError>
#include <QSqlQuery>
#include <QTimer>

#include <algorithm>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcTasks, "banata.server.tasks", QtInfoMsg)

namespace banata::server {

using TS = TaskStatus;

namespace {
// The prompt travels in the environment, where one string may not exceed 128 KiB (MAX_ARG_STRLEN).
constexpr qsizetype kMaxPromptBytes = 100 << 10;
constexpr qsizetype kMaxMetadataBytes = 16 << 10;
// A sandbox just re-attached after a restart reports "unreachable" for a moment.
constexpr int kRetryDelayMs = 500;

qint64 now()
{
    return QDateTime::currentMSecsSinceEpoch();
}

ApiError httpError(int status, const QString &message, const QString &code)
{
    return ApiError{ApiError::Kind::Http, status, message, code, {}};
}
} // namespace

TaskService::TaskService(Options options, Store *store, EventHub *events, SandboxManager *sandboxes, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_store(store)
    , m_events(events)
    , m_sandboxes(sandboxes)
{
    QSqlQuery query(m_store->database());
    if (!query.exec(u"CREATE TABLE IF NOT EXISTS agent_tasks (task_id TEXT PRIMARY KEY, sandbox_id TEXT NOT NULL, "
                    u"created_at INTEGER NOT NULL, status TEXT NOT NULL, body TEXT NOT NULL)"_s) ||
        !query.exec(u"CREATE INDEX IF NOT EXISTS agent_tasks_by_sandbox ON agent_tasks (sandbox_id, created_at)"_s))
        qCWarning(lcTasks) << "cannot create the agent_tasks table:" << query.lastError().text();
    connect(m_sandboxes, &SandboxManager::statusChanged, this, &TaskService::onSandboxStatusChanged);
}

TaskService::~TaskService() = default;

void TaskService::recover()
{
    // Only unfinished tasks are kept in memory; finished ones (with their output) stay in SQLite.
    QSqlQuery query(m_store->database());
    if (!query.exec(u"SELECT body FROM agent_tasks WHERE status IN ('queued', 'running') ORDER BY created_at, rowid"_s)) {
        qCWarning(lcTasks) << "cannot load tasks:" << query.lastError().text();
        return;
    }
    while (query.next()) {
        const auto json = parseJson(query.value(0).toString().toUtf8());
        auto task = json ? AgentTask::fromJson(*json) : Parsed<AgentTask>::failure(u"malformed JSON"_s);
        if (!task) {
            qCWarning(lcTasks) << "skipping a stored task:" << task.error();
            continue;
        }
        m_tasks[task->sandboxId].append(std::move(task).value());
    }
    const QStringList sandboxIds = m_tasks.keys();
    for (const QString &sandboxId : sandboxIds) {
        const auto sandbox = m_sandboxes->find(sandboxId);
        const bool ended = !sandbox || isTerminal(sandbox->status);
        QStringList running, orphaned;
        for (const AgentTask &task : std::as_const(m_tasks[sandboxId])) {
            if (task.status == TS::Running)
                running.append(task.taskId);
            else if (ended)
                orphaned.append(task.taskId);
        }
        for (const QString &taskId : std::as_const(running))
            finish(sandboxId, taskId, TS::Failed, u"banata-local restarted while the agent was running; its result is lost"_s);
        for (const QString &taskId : std::as_const(orphaned))
            finish(sandboxId, taskId, TS::Failed, u"The sandbox ended before the task could run"_s);
        pump(sandboxId);
    }
}

AgentTask *TaskService::find(const QString &sandboxId, const QString &taskId)
{
    auto it = m_tasks.find(sandboxId);
    if (it == m_tasks.end())
        return nullptr;
    auto task = std::find_if(it->begin(), it->end(), [&](const AgentTask &t) { return t.taskId == taskId; });
    return task == it->end() ? nullptr : &*task;
}

std::optional<AgentTask> TaskService::load(const QString &sandboxId, const QString &taskId) const
{
    QSqlQuery query(m_store->database());
    query.prepare(u"SELECT body FROM agent_tasks WHERE task_id = ? AND sandbox_id = ?"_s);
    query.addBindValue(taskId);
    query.addBindValue(sandboxId);
    if (!query.exec() || !query.next())
        return std::nullopt;
    const auto json = parseJson(query.value(0).toString().toUtf8());
    auto task = json ? AgentTask::fromJson(*json) : Parsed<AgentTask>::failure(u"malformed JSON"_s);
    return task ? std::optional(std::move(task).value()) : std::nullopt;
}

TaskService::Result<AgentTask> TaskService::submit(const PromptRequest &request)
{
    const auto sandbox = m_sandboxes->find(request.id);
    if (!sandbox)
        return Result<AgentTask>::failure(sandboxNotFound());
    if (isTerminal(sandbox->status) || sandbox->status == SandboxStatus::Ending)
        return Result<AgentTask>::failure(stateConflict(*sandbox));
    if (m_options.agentCommand.isEmpty())
        return Result<AgentTask>::failure(httpError(
            409, u"No agent is configured: start banata-local with --agent-command"_s, u"AGENT_NOT_CONFIGURED"_s));
    if (request.prompt.toUtf8().size() > kMaxPromptBytes)
        return Result<AgentTask>::failure(
            httpError(413, u"body.prompt: at most %1 bytes"_s.arg(kMaxPromptBytes), u"PAYLOAD_TOO_LARGE"_s));
    if (dumpJson(request.metadata).size() > kMaxMetadataBytes)
        return Result<AgentTask>::failure(
            httpError(413, u"body.metadata: at most %1 bytes of JSON"_s.arg(kMaxMetadataBytes), u"PAYLOAD_TOO_LARGE"_s));

    AgentTask task;
    task.taskId = u"task_"_s + newId();
    task.sandboxId = request.id;
    task.prompt = request.prompt;
    task.metadata = request.metadata;
    task.createdAt = now();
    m_tasks[request.id].append(task);
    save(task);
    publish(u"sandbox.agent.task.queued"_s, task);
    pump(request.id);
    // pump() may have started it: answer with the task as it is now.
    if (const AgentTask *current = find(request.id, task.taskId))
        return *current;
    return load(request.id, task.taskId).value_or(task);
}

void TaskService::whenFinished(const QString &taskId, QObject *context, std::function<void(const AgentTask &)> done)
{
    for (const auto &list : std::as_const(m_tasks)) {
        for (const AgentTask &t : list) {
            if (t.taskId != taskId)
                continue;
            QPointer<QObject> guard(context);
            m_waiters[taskId].append([guard, done = std::move(done)](const AgentTask &finished) {
                if (guard)
                    done(finished);
            });
            return;
        }
    }
    // Not in memory: it has finished already.
    QSqlQuery query(m_store->database());
    query.prepare(u"SELECT sandbox_id FROM agent_tasks WHERE task_id = ?"_s);
    query.addBindValue(taskId);
    if (query.exec() && query.next()) {
        if (const auto task = load(query.value(0).toString(), taskId))
            done(*task);
    }
}

TaskService::Result<QList<AgentTask>> TaskService::tasks(const QString &sandboxId, int limit) const
{
    if (!m_sandboxes->find(sandboxId))
        return Result<QList<AgentTask>>::failure(sandboxNotFound());
    QSqlQuery query(m_store->database());
    query.prepare(u"SELECT body FROM agent_tasks WHERE sandbox_id = ? ORDER BY created_at DESC, rowid DESC LIMIT ?"_s);
    query.addBindValue(sandboxId);
    query.addBindValue(limit);
    QList<AgentTask> list;
    if (!query.exec())
        return Result<QList<AgentTask>>::failure(
            httpError(500, u"Cannot read tasks: "_s + query.lastError().text(), u"INTERNAL"_s));
    while (query.next()) {
        const auto json = parseJson(query.value(0).toString().toUtf8());
        if (auto task = json ? AgentTask::fromJson(*json) : Parsed<AgentTask>::failure(u"malformed JSON"_s))
            list.append(std::move(task).value());
    }
    return list;
}

TaskService::Result<AgentTask> TaskService::task(const QString &sandboxId, const QString &taskId) const
{
    if (!m_sandboxes->find(sandboxId))
        return Result<AgentTask>::failure(sandboxNotFound());
    if (auto stored = load(sandboxId, taskId))
        return *stored;
    return Result<AgentTask>::failure(httpError(404, u"Task not found"_s, u"TASK_NOT_FOUND"_s));
}

void TaskService::pump(const QString &sandboxId)
{
    if (m_running.contains(sandboxId) || m_options.agentCommand.isEmpty())
        return;
    auto it = m_tasks.find(sandboxId);
    if (it == m_tasks.end())
        return;
    auto next = std::find_if(it->begin(), it->end(), [](const AgentTask &t) { return t.status == TS::Queued; });
    if (next == it->end())
        return;
    // Paused or still starting: the task waits for the sandbox to become ready (statusChanged).
    if (m_sandboxes->checkAcceptsWork(sandboxId))
        return;

    const QString taskId = next->taskId;
    ExecSpec spec;
    spec.argv = {u"/bin/sh"_s, u"-c"_s, m_options.agentCommand};
    spec.env.insert(u"BANATA_PROMPT"_s, next->prompt);
    spec.env.insert(u"BANATA_TASK_ID"_s, taskId);
    spec.env.insert(u"BANATA_TASK_METADATA"_s, QString::fromUtf8(dumpJson(next->metadata)));
    spec.cwd = u"/workspace"_s;
    spec.timeoutMs = m_options.timeoutMs;
    spec.maxOutputBytes = m_options.maxOutputBytes;

    // An exec refused on the spot (the sandbox is not reachable yet) leaves the task queued.
    struct Start
    {
        bool calling = true;
        std::optional<ApiError> refused;
    };
    auto start = std::make_shared<Start>();
    m_running.insert(sandboxId, taskId);
    m_sandboxes->exec(sandboxId, spec, this, [this, sandboxId, taskId, start](const ApiExpected<ExecResult> &result) {
        if (start->calling && !result)
            start->refused = result.error();
        else
            onExecDone(sandboxId, taskId, result);
    });
    start->calling = false;
    if (start->refused) {
        m_running.remove(sandboxId);
        qCInfo(lcTasks).noquote() << sandboxId << "cannot start task" << taskId << "yet:" << start->refused->message;
        if (!m_retryScheduled.contains(sandboxId)) {
            m_retryScheduled.insert(sandboxId);
            QTimer::singleShot(kRetryDelayMs, this, [this, sandboxId] {
                m_retryScheduled.remove(sandboxId);
                pump(sandboxId);
            });
        }
        return;
    }
    AgentTask *task = find(sandboxId, taskId);
    if (!task || task->status != TS::Queued)
        return; // it finished synchronously
    task->status = TS::Running;
    task->startedAt = now();
    save(*task);
    publish(u"sandbox.agent.task.running"_s, *task);
}

void TaskService::onExecDone(const QString &sandboxId, const QString &taskId, const Result<ExecResult> &result)
{
    if (m_running.value(sandboxId) == taskId)
        m_running.remove(sandboxId);
    AgentTask *task = find(sandboxId, taskId);
    if (!task) {
        pump(sandboxId);
        return; // already failed, e.g. the sandbox was killed meanwhile
    }
    if (!task->startedAt)
        task->startedAt = now();
    if (!result) {
        finish(sandboxId, taskId, TS::Failed, u"The agent could not run: "_s + result.error().message);
    } else {
        task->output = result->stdoutText;
        task->errorOutput = result->stderrText;
        task->outputTruncated = result->stdoutTruncated || result->stderrTruncated;
        task->exitCode = result->exitCode;
        if (result->timedOut)
            finish(sandboxId, taskId, TS::Failed, u"The agent did not finish within %1 ms"_s.arg(m_options.timeoutMs));
        else if (result->exitCode != 0)
            finish(sandboxId, taskId, TS::Failed, u"The agent exited with status %1"_s.arg(result->exitCode));
        else
            finish(sandboxId, taskId, TS::Completed);
    }
    pump(sandboxId);
}

void TaskService::finish(const QString &sandboxId, const QString &taskId, TaskStatus status, std::optional<QString> error)
{
    auto list = m_tasks.find(sandboxId);
    if (list == m_tasks.end())
        return;
    const auto it = std::find_if(list->begin(), list->end(), [&](const AgentTask &t) { return t.taskId == taskId; });
    if (it == list->end())
        return;
    AgentTask task = std::move(*it);
    list->erase(it);
    if (list->isEmpty())
        m_tasks.erase(list);
    task.status = status;
    task.error = std::move(error);
    task.completedAt = now();
    save(task);
    publish(status == TS::Completed ? u"sandbox.agent.task.completed"_s : u"sandbox.agent.task.failed"_s, task);
    qCInfo(lcTasks).noquote() << task.sandboxId << "task" << task.taskId << toString(status)
                              << task.error.value_or(QString());
    const auto waiters = m_waiters.take(task.taskId);
    for (const auto &waiter : waiters)
        waiter(task);
}

void TaskService::save(const AgentTask &task)
{
    QSqlQuery query(m_store->database());
    query.prepare(u"INSERT OR REPLACE INTO agent_tasks (task_id, sandbox_id, created_at, status, body) "
                  u"VALUES (?, ?, ?, ?, ?)"_s);
    query.addBindValue(task.taskId);
    query.addBindValue(task.sandboxId);
    query.addBindValue(task.createdAt);
    query.addBindValue(toString(task.status));
    query.addBindValue(QString::fromUtf8(dumpJson(task.toJson())));
    if (!query.exec())
        qCWarning(lcTasks) << "cannot persist task" << task.taskId << query.lastError().text();
}

void TaskService::publish(const QString &type, const AgentTask &task)
{
    // Webhook receivers map events to their jobs with the metadata (banata-api.md §6), so it is
    // carried at the top level as well as in the task.
    m_events->publish(type, task.sandboxId,
                      Json{{"taskId", toStd(task.taskId)},
                           {"status", toStd(toString(task.status))},
                           {"metadata", task.metadata},
                           {"task", task.toJson()}});
}

void TaskService::onSandboxStatusChanged(const Sandbox &sandbox, SandboxStatus previous)
{
    Q_UNUSED(previous)
    if (sandbox.status == SandboxStatus::Ready || sandbox.status == SandboxStatus::Active) {
        pump(sandbox.id);
        return;
    }
    if (sandbox.status != SandboxStatus::Ending && !isTerminal(sandbox.status))
        return;
    m_running.remove(sandbox.id);
    QStringList unfinished;
    for (const AgentTask &task : m_tasks.value(sandbox.id))
        unfinished.append(task.taskId);
    for (const QString &taskId : std::as_const(unfinished))
        finish(sandbox.id, taskId, TS::Failed, u"The sandbox ended"_s);
}

} // namespace banata::server
