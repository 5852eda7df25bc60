// SPDX-License-Identifier: MIT
#include "app/modelbinding.h"

#include "models/handoffinboxmodel.h"
#include "models/sandboxlistmodel.h"
#include "session/connectionmanager.h"

#include <QSet>

namespace banata {

namespace {

QString displayName(const Sandbox &sandbox)
{
    return sandbox.name.value_or(sandbox.id);
}

// After a full reload: rows follow the snapshot; the inbox keeps rows still pending (no second
// notification for them) and loses the rest.
void applySnapshot(Connection *connection, SandboxListModel *sandboxes, HandoffInboxModel *inbox)
{
    const QString connectionId = connection->id();
    sandboxes->resetConnection(connectionId, connection->sandboxes().values());

    QSet<QString> stillActive;
    for (auto it = connection->activeHandoffs().cbegin(); it != connection->activeHandoffs().cend(); ++it)
        stillActive.insert(it.key());
    for (int row = inbox->rowCount() - 1; row >= 0; --row) {
        const SandboxKey key = inbox->keyAt(row);
        if (key.connectionId == connectionId && !stillActive.contains(key.sandboxId))
            inbox->remove(key);
    }
    for (auto it = connection->activeHandoffs().cbegin(); it != connection->activeHandoffs().cend(); ++it) {
        const SandboxKey key{connectionId, it.key()};
        if (const auto sandbox = connection->sandbox(it.key()))
            inbox->setSandboxName(key, displayName(*sandbox));
        sandboxes->setHandoff(key, it.value());
        inbox->apply(key, it.value());
    }
    for (auto it = connection->currentTasks().cbegin(); it != connection->currentTasks().cend(); ++it)
        sandboxes->setCurrentTask({connectionId, it.key()}, it.value());
}

void bindConnection(Connection *connection, SandboxListModel *sandboxes, HandoffInboxModel *inbox)
{
    const QString connectionId = connection->id();
    sandboxes->setConnectionName(connectionId, connection->name());
    inbox->setConnectionName(connectionId, connection->name());

    QObject::connect(connection, &Connection::sandboxesReset, sandboxes,
                     [connection, sandboxes, inbox] { applySnapshot(connection, sandboxes, inbox); });
    QObject::connect(connection, &Connection::sandboxChanged, sandboxes,
                     [connectionId, sandboxes, inbox](const Sandbox &sandbox) {
                         sandboxes->upsert(connectionId, sandbox);
                         inbox->setSandboxName({connectionId, sandbox.id}, displayName(sandbox));
                     });
    QObject::connect(connection, &Connection::sandboxRemoved, sandboxes,
                     [connectionId, sandboxes, inbox](const QString &sandboxId) {
                         sandboxes->remove({connectionId, sandboxId});
                         inbox->remove({connectionId, sandboxId});
                     });
    QObject::connect(connection, &Connection::handoffChanged, sandboxes,
                     [connection, sandboxes, inbox](const QString &sandboxId, const Handoff &handoff) {
                         const SandboxKey key{connection->id(), sandboxId};
                         if (const auto sandbox = connection->sandbox(sandboxId))
                             inbox->setSandboxName(key, displayName(*sandbox));
                         sandboxes->setHandoff(key, handoff);
                         inbox->apply(key, handoff);
                     });
    QObject::connect(connection, &Connection::taskChanged, sandboxes,
                     [connection, sandboxes](const AgentTask &task) {
                         // The connection keeps the newest unfinished task per sandbox: show that
                         // one, so a task ending does not blank a newer one that is running.
                         const SandboxKey key{connection->id(), task.sandboxId};
                         const auto current = connection->currentTasks().constFind(task.sandboxId);
                         if (current != connection->currentTasks().cend())
                             sandboxes->setCurrentTask(key, *current);
                         else
                             sandboxes->setCurrentTask(key, isFinished(task.status) ? std::nullopt
                                                                                     : std::optional(task));
                     });
    if (!connection->sandboxes().isEmpty())
        applySnapshot(connection, sandboxes, inbox);
}

} // namespace

void bindModels(ConnectionManager *manager, SandboxListModel *sandboxes, HandoffInboxModel *inbox)
{
    for (Connection *connection : manager->connections())
        bindConnection(connection, sandboxes, inbox);
    QObject::connect(manager, &ConnectionManager::connectionAdded, sandboxes,
                     [sandboxes, inbox](Connection *connection) { bindConnection(connection, sandboxes, inbox); });
    QObject::connect(manager, &ConnectionManager::connectionAboutToBeRemoved, sandboxes,
                     [sandboxes, inbox](Connection *connection) {
                         sandboxes->removeConnection(connection->id());
                         inbox->removeConnection(connection->id());
                     });
}

} // namespace banata
