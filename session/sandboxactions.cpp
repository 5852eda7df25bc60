// SPDX-License-Identifier: MIT
#include "session/sandboxactions.h"

#include "core/lifecycle.h"
#include "models/operatorjournal.h"
#include "session/connectionmanager.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QLoggingCategory>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcActions, "banata.session.actions")

namespace banata {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("SandboxActions", text);
}

QString label(const Sandbox &sandbox)
{
    return sandbox.name && !sandbox.name->isEmpty() ? *sandbox.name : sandbox.id;
}

/// The extension a server must announce for \a action; empty when the documented API has it.
QString requiredExtension(SandboxAction action)
{
    switch (action) {
    case SandboxAction::Pause: return u"pause"_s;
    case SandboxAction::Resume: return u"resume"_s;
    case SandboxAction::Checkpoint: return u"checkpoints"_s;
    case SandboxAction::Kill: break;
    }
    return {};
}

QString unsupportedReason(SandboxAction action)
{
    switch (action) {
    case SandboxAction::Pause: return tr("This server cannot pause sandboxes");
    case SandboxAction::Resume: return tr("This server cannot resume sandboxes");
    case SandboxAction::Checkpoint: return tr("This server cannot make checkpoints");
    case SandboxAction::Kill: break;
    }
    return {};
}

/// Why \a status does not allow \a action; empty when it does.
QString stateReason(SandboxAction action, SandboxStatus status)
{
    switch (action) {
    case SandboxAction::Pause:
        if (canPause(status))
            return {};
        if (status == SandboxStatus::Paused || status == SandboxStatus::Pausing)
            return tr("Already paused");
        return tr("Only a ready or active sandbox can be paused");
    case SandboxAction::Resume:
        return canResume(status) ? QString() : tr("Only a paused sandbox can be resumed");
    case SandboxAction::Kill:
        if (isTerminal(status))
            return tr("Already ended");
        return status == SandboxStatus::Ending ? tr("Already ending") : QString();
    case SandboxAction::Checkpoint:
        if (acceptsWork(status) || status == SandboxStatus::Paused)
            return {};
        return tr("Only a ready, active or paused sandbox can be checkpointed");
    }
    return {};
}

QString actionKey(SandboxAction action)
{
    switch (action) {
    case SandboxAction::Pause: return u"pause"_s;
    case SandboxAction::Resume: return u"resume"_s;
    case SandboxAction::Kill: return u"kill"_s;
    case SandboxAction::Checkpoint: return u"checkpoint"_s;
    }
    return {};
}

QString doneText(SandboxAction action)
{
    switch (action) {
    case SandboxAction::Pause: return tr("Paused");
    case SandboxAction::Resume: return tr("Resumed");
    case SandboxAction::Kill: return tr("Killed");
    case SandboxAction::Checkpoint: return tr("Checkpoint created");
    }
    return {};
}

} // namespace

QString actionName(SandboxAction action)
{
    switch (action) {
    case SandboxAction::Pause: return tr("Pause");
    case SandboxAction::Resume: return tr("Resume");
    case SandboxAction::Kill: return tr("Kill");
    case SandboxAction::Checkpoint: return tr("Checkpoint");
    }
    return {};
}

ActionAvailability actionAvailability(SandboxAction action, const Sandbox &sandbox, const Connection *connection)
{
    if (!connection)
        return {false, tr("Its connection was removed")};
    if (!connection->isStarted())
        return {false, tr("%1 is not connected").arg(connection->name())};
    if (connection->status() == Connection::Status::Down)
        return {false, tr("%1 is unreachable").arg(connection->name())};
    const QString extension = requiredExtension(action);
    if (!extension.isEmpty() && connection->health() && !connection->supports(extension))
        return {false, unsupportedReason(action)};
    const QString reason = stateReason(action, sandbox.status);
    return {reason.isEmpty(), reason};
}

ActionAvailability actionAvailability(SandboxAction action, const QList<SandboxKey> &keys, const ConnectionManager &manager)
{
    if (keys.isEmpty())
        return {false, tr("No sandbox is selected")};
    QStringList reasons;
    for (const SandboxKey &key : keys) {
        const Connection *connection = manager.connection(key.connectionId);
        const std::optional<Sandbox> sandbox = connection ? connection->sandbox(key.sandboxId) : std::nullopt;
        ActionAvailability one = !connection ? actionAvailability(action, Sandbox{}, nullptr)
                                 : sandbox   ? actionAvailability(action, *sandbox, connection)
                                             : ActionAvailability{false, tr("No longer listed")};
        if (one.enabled)
            return one;
        if (!reasons.contains(one.reason))
            reasons.append(one.reason);
    }
    return {false, reasons.join(u"; "_s)};
}

// ---- BulkOperation --------------------------------------------------------------------------

BulkOperation::BulkOperation(SandboxAction action, QList<SandboxKey> keys, ConnectionManager *manager,
                             OperatorJournal *journal, QString operatorName, QObject *parent)
    : QObject(parent)
    , m_action(action)
    , m_keys(std::move(keys))
    , m_manager(manager)
    , m_journal(journal)
    , m_operatorName(std::move(operatorName))
    , m_checkpointLabel(tr("Checkpoint by %1").arg(m_operatorName))
{
}

BulkOperation::~BulkOperation() = default;

void BulkOperation::setCheckpointLabel(const QString &label)
{
    m_checkpointLabel = label;
}

void BulkOperation::start()
{
    qCInfo(lcActions) << actionKey(m_action) << "on" << m_keys.size() << "sandboxes";
    Q_EMIT progressChanged(0, total());
    startNext();
}

void BulkOperation::cancel()
{
    m_cancelled = true;
    if (m_inFlight == 0)
        finishItem({}); // nothing left to wait for
}

int BulkOperation::failedCount() const
{
    return int(std::count_if(m_results.cbegin(), m_results.cend(),
                             [](const BulkItemResult &result) { return !result.ok && !result.skipped; }));
}

void BulkOperation::startNext()
{
    constexpr int kMaxInFlight = 4;
    while (!m_cancelled && m_inFlight < kMaxInFlight && m_next < m_keys.size()) {
        const SandboxKey key = m_keys.at(m_next++);
        BulkItemResult result;
        result.key = key;
        result.label = key.sandboxId;
        Connection *connection = m_manager ? m_manager->connection(key.connectionId) : nullptr;
        const std::optional<Sandbox> sandbox = connection ? connection->sandbox(key.sandboxId) : std::nullopt;
        if (sandbox)
            result.label = label(*sandbox);
        const ActionAvailability availability = !connection ? actionAvailability(m_action, Sandbox{}, nullptr)
                                                : sandbox   ? actionAvailability(m_action, *sandbox, connection)
                                                            : ActionAvailability{false, tr("No longer listed")};
        if (!availability.enabled) {
            result.skipped = true;
            result.message = availability.reason;
            finishItem(std::move(result));
            continue;
        }
        ++m_inFlight;
        const ApiClient &client = connection->client();
        const QPointer<Connection> guard(connection);
        const auto onSandbox = [this, result, guard](const ApiResult<Sandbox> &answer) mutable {
            --m_inFlight;
            result.ok = answer.ok();
            result.message = answer ? doneText(m_action) : answer.error().displayText();
            if (answer && guard)
                guard->applySandbox(answer.value());
            finishItem(std::move(result));
            startNext();
        };
        switch (m_action) {
        case SandboxAction::Pause:
            connect(client.pauseSandbox(key.sandboxId), &SandboxJob::finished, this, onSandbox);
            break;
        case SandboxAction::Resume:
            connect(client.resumeSandbox(key.sandboxId), &SandboxJob::finished, this, onSandbox);
            break;
        case SandboxAction::Kill:
            connect(client.killSandbox(key.sandboxId), &SandboxJob::finished, this, onSandbox);
            break;
        case SandboxAction::Checkpoint:
            connect(client.createCheckpoint(key.sandboxId, m_checkpointLabel), &CheckpointJob::finished, this,
                    [this, result](const ApiResult<Checkpoint> &answer) mutable {
                        --m_inFlight;
                        result.ok = answer.ok();
                        result.message = answer ? tr("Checkpoint “%1” created").arg(answer->label.value_or(m_checkpointLabel))
                                                : answer.error().displayText();
                        finishItem(std::move(result));
                        startNext();
                    });
            break;
        }
    }
}

void BulkOperation::finishItem(BulkItemResult result)
{
    if (result.key.isValid()) {
        if (!result.skipped && m_journal) {
            OperatorAction action;
            action.timestamp = QDateTime::currentMSecsSinceEpoch();
            action.operatorName = m_operatorName;
            action.key = result.key;
            action.action = actionKey(m_action);
            if (m_action == SandboxAction::Checkpoint)
                action.detail = m_checkpointLabel;
            action.ok = result.ok;
            action.result = result.message;
            m_journal->record(action);
        }
        m_results.append(result);
        Q_EMIT itemFinished(result);
        Q_EMIT progressChanged(done(), total());
    }
    const bool allDone = done() == total() || (m_cancelled && m_inFlight == 0);
    if (allDone && !m_finished) {
        m_finished = true;
        qCInfo(lcActions) << actionKey(m_action) << "finished:" << done() << "of" << total() << "," << failedCount() << "failed";
        Q_EMIT finished();
    }
}

// ---- CreateSandboxOperation -----------------------------------------------------------------

CreateSandboxOperation::CreateSandboxOperation(Connection *connection, CreateSandboxRequest request,
                                               OperatorJournal *journal, QString operatorName, QObject *parent)
    : QObject(parent)
    , m_connection(connection)
    , m_request(std::move(request))
    , m_journal(journal)
    , m_operatorName(std::move(operatorName))
{
}

void CreateSandboxOperation::start()
{
    if (!m_connection || !m_connection->isStarted()) {
        const QString error = m_connection ? tr("%1 is not connected").arg(m_connection->name())
                                           : tr("Its connection was removed");
        // Answered later, like a request would be, so callers may connect after start().
        QMetaObject::invokeMethod(this, [this, error] { Q_EMIT finished({}, error); }, Qt::QueuedConnection);
        return;
    }
    const QString connectionId = m_connection->id();
    const QString detail = m_request.name.value_or(m_request.runtime);
    SandboxJob *job = m_connection->client().createSandbox(m_request);
    connect(job, &SandboxJob::finished, this, [this, connectionId, detail](const ApiResult<Sandbox> &result) {
        if (result && m_connection)
            m_connection->applySandbox(result.value());
        if (m_journal) {
            OperatorAction action;
            action.timestamp = QDateTime::currentMSecsSinceEpoch();
            action.operatorName = m_operatorName;
            action.key = {connectionId, result ? result->id : QString()};
            action.action = u"create"_s;
            action.detail = detail;
            action.ok = result.ok();
            action.result = result ? tr("Created") : result.error().displayText();
            if (action.key.isValid())
                m_journal->record(action);
        }
        if (result)
            Q_EMIT finished(result.value(), QString());
        else
            Q_EMIT finished({}, result.error().displayText());
    });
}

} // namespace banata
