// SPDX-License-Identifier: MIT
#include "session/sandboxsession.h"

#include "core/client/apiclient.h"
#include "models/operatorjournal.h"
#include "session/browsersession.h"
#include "session/checkpointssession.h"
#include "session/connection.h"
#include "session/filessession.h"
#include "session/handoffsession.h"

#include <QDateTime>
#include <QLoggingCategory>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcSandboxSession, "banata.session.sandboxsession")

namespace banata {

namespace {
constexpr int kHistoryPageSize = 200;
constexpr int kHistoryPages = 5; // the newest 1000 events; older ones stay on the server
constexpr qsizetype kMaxJournalDetail = 500;

int statusRank(TaskStatus status)
{
    switch (status) {
    case TaskStatus::Queued: return 0;
    case TaskStatus::Running: return 1;
    case TaskStatus::Completed:
    case TaskStatus::Failed: return 2;
    }
    return 0;
}
} // namespace

SandboxSession::SandboxSession(Connection *connection, QString sandboxId, OperatorJournal *journal,
                               QString operatorName, QObject *parent)
    : QObject(parent)
    , m_connection(connection)
    , m_connectionId(connection ? connection->id() : QString())
    , m_sandboxId(std::move(sandboxId))
    , m_journal(journal)
    , m_operatorName(std::move(operatorName))
    , m_browser(std::make_unique<BrowserSession>(connection, m_sandboxId))
    , m_handoff(std::make_unique<HandoffSession>(
          connection, m_sandboxId, m_operatorName,
          [this](const QString &action, const QString &detail, bool ok, const QString &result, qint64 timestamp) {
              record(action, detail, ok, result, timestamp);
          }))
    , m_files(std::make_unique<FilesSession>(connection, m_sandboxId))
    , m_checkpoints(std::make_unique<CheckpointsSession>(
          connection, m_sandboxId,
          [this](const QString &action, const QString &detail, bool ok, const QString &result, qint64 timestamp) {
              record(action, detail, ok, result, timestamp);
          }))
{
    if (m_connection)
        connect(m_connection, &Connection::eventReceived, this, &SandboxSession::onEvent);
    if (m_journal) {
        connect(m_journal, &OperatorJournal::recorded, this, [this](const OperatorAction &action) {
            if (action.key == key())
                m_timeline.addAction(action);
        });
    }
    refresh();
}

SandboxSession::~SandboxSession() = default;

SandboxKey SandboxSession::key() const
{
    return {m_connectionId, m_sandboxId};
}

void SandboxSession::refresh()
{
    const int generation = ++m_generation;
    m_loadErrors.clear();
    m_liveTasks.clear();
    m_timeline.clear();
    if (m_journal) {
        const QList<OperatorAction> actions = m_journal->actionsFor(key());
        for (const OperatorAction &action : actions)
            m_timeline.addAction(action);
    }
    if (!m_connection) {
        addLoadError(tr("Its connection was removed"));
        return;
    }
    if (!m_connection->isStarted()) {
        addLoadError(tr("%1 is not connected").arg(m_connection->name()));
        return;
    }
    const ApiClient &client = m_connection->client();
    TaskListJob *tasks = client.tasks(m_sandboxId);
    connect(tasks, &TaskListJob::finished, this, [this, generation](const ApiResult<QList<AgentTask>> &result) {
        if (generation != m_generation)
            return;
        if (!result) {
            if (result.error().httpStatus == 404 && result.error().code != u"SANDBOX_NOT_FOUND")
                return; // a server without the tasks route: the tab stays empty
            addLoadError(tr("Could not load the tasks: %1").arg(result.error().displayText()));
            return;
        }
        m_tasks.reset(result.value());
        // Events that came while the list was on its way may be newer than its copies.
        for (const AgentTask &task : std::as_const(m_liveTasks)) {
            const int row = m_tasks.rowOf(task.taskId);
            const AgentTask *listed = row >= 0 ? m_tasks.taskAt(row) : nullptr;
            if (!listed || statusRank(listed->status) <= statusRank(task.status))
                m_tasks.upsert(task);
        }
    });
    if (m_connection->supports(u"events.history"_s))
        loadHistory(std::nullopt, kHistoryPages, generation);
    if (m_loadError.isEmpty())
        return;
    m_loadError.clear();
    Q_EMIT loadErrorChanged(QString());
}

void SandboxSession::loadHistory(std::optional<qint64> before, int pagesLeft, int generation)
{
    if (!m_connection || !m_connection->isStarted())
        return;
    EventPageJob *job = m_connection->client().sandboxEvents(m_sandboxId, before, kHistoryPageSize);
    connect(job, &EventPageJob::finished, this, [this, pagesLeft, generation](const ApiResult<EventPage> &result) {
        if (generation != m_generation)
            return;
        if (!result) {
            addLoadError(tr("Could not load the history: %1").arg(result.error().displayText()));
            return;
        }
        for (const Event &event : result->data)
            m_timeline.addEvent(event);
        if (result->nextBefore && pagesLeft > 1)
            loadHistory(result->nextBefore, pagesLeft - 1, generation);
    });
}

void SandboxSession::onEvent(const Event &event)
{
    if (event.sandboxId != m_sandboxId)
        return;
    m_timeline.addEvent(event);
    if (!event.type.startsWith(u"sandbox.agent.task."_s) || !event.data.is_object())
        return;
    const auto it = event.data.find("task");
    if (it == event.data.end() || !it->is_object())
        return;
    Parsed<AgentTask> task = AgentTask::fromJson(*it);
    if (!task) {
        qCWarning(lcSandboxSession) << "skipped a malformed task in" << event.type << task.error();
        return;
    }
    m_liveTasks.insert(task->taskId, task.value());
    m_tasks.upsert(task.value());
}

void SandboxSession::runCommand(const QString &command, int timeoutMs)
{
    ConsoleEntry entry;
    entry.command = command;
    entry.startedAt = QDateTime::currentMSecsSinceEpoch();
    m_console.append(entry);
    const int index = int(m_console.size() - 1);
    Q_EMIT consoleEntryAdded(index);

    if (!m_connection || !m_connection->isStarted()) {
        ConsoleEntry &failed = m_console[index];
        failed.running = false;
        failed.error = m_connection ? tr("%1 is not connected").arg(m_connection->name()) : tr("Its connection was removed");
        Q_EMIT consoleEntryChanged(index);
        return;
    }
    ExecRequest request;
    request.id = m_sandboxId;
    request.command = command; // no args: the server runs it with sh -c
    if (timeoutMs > 0)
        request.timeoutMs = timeoutMs;
    ExecJob *job = m_connection->client().exec(request);
    connect(job, &ExecJob::finished, this, [this, index](const ApiResult<ExecResult> &result) {
        ConsoleEntry &done = m_console[index];
        done.running = false;
        done.ok = result.ok();
        QString summary;
        if (result) {
            done.stdoutText = result->stdoutText;
            done.stderrText = result->stderrText;
            done.exitCode = result->exitCode;
            done.durationMs = result->durationMs;
            summary = result->timedOut ? tr("timed out") : tr("exit %1").arg(result->exitCode);
        } else {
            done.error = result.error().displayText();
            summary = done.error;
        }
        Q_EMIT consoleEntryChanged(index);
        const bool succeeded = result && result->exitCode == 0 && !result->timedOut;
        record(u"exec"_s, done.command, succeeded, summary, done.startedAt);
    });
}

void SandboxSession::sendPrompt(const QString &prompt, const Json &metadata)
{
    const qint64 startedAt = QDateTime::currentMSecsSinceEpoch();
    if (!m_connection || !m_connection->isStarted()) {
        const QString error = m_connection ? tr("%1 is not connected").arg(m_connection->name()) : tr("Its connection was removed");
        QMetaObject::invokeMethod(this, [this, error] { Q_EMIT promptSent(QString(), error); }, Qt::QueuedConnection);
        return;
    }
    TaskJob *job = m_connection->client().promptAsync(m_sandboxId, prompt, metadata.is_object() ? metadata : Json::object());
    connect(job, &TaskJob::finished, this, [this, prompt, startedAt](const ApiResult<AgentTask> &result) {
        if (result) {
            m_tasks.upsert(result.value());
            record(u"prompt"_s, prompt, true, tr("Task %1 queued").arg(result->taskId), startedAt);
            Q_EMIT promptSent(result->taskId, QString());
            return;
        }
        const QString error = result.error().displayText();
        record(u"prompt"_s, prompt, false, error, startedAt);
        Q_EMIT promptSent(QString(), error);
    });
}

void SandboxSession::addLoadError(const QString &error)
{
    qCWarning(lcSandboxSession) << m_sandboxId << error;
    m_loadErrors.append(error);
    m_loadError = m_loadErrors.join(u'\n');
    Q_EMIT loadErrorChanged(m_loadError);
}

void SandboxSession::record(const QString &action, const QString &detail, bool ok, const QString &result, qint64 timestamp)
{
    OperatorAction entry;
    entry.timestamp = timestamp;
    entry.operatorName = m_operatorName;
    entry.key = key();
    entry.action = action;
    entry.detail = detail.size() > kMaxJournalDetail ? detail.left(kMaxJournalDetail) + u'…' : detail;
    entry.ok = ok;
    entry.result = result;
    if (m_journal)
        m_journal->record(entry); // comes back through recorded() into the timeline
    else
        m_timeline.addAction(entry);
}

Connection *SandboxSession::connection() const
{
    return m_connection.data();
}

} // namespace banata
