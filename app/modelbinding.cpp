// SPDX-License-Identifier: MIT
#include "app/modelbinding.h"

#include "models/handoffinboxmodel.h"
#include "models/sandboxlistmodel.h"
#include "session/connectionmanager.h"

#include <QSet>
#include <QTimer>

#include <utility>

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

// Throttles sandbox changes to one model update per frame: a lone change applies at once (no added
// latency); changes that follow within a frame are applied together when it ends, so a burst of
// hundreds of events a second repaints the list ~60 times a second, not once per event.
class ChangeThrottle final : public QObject
{
public:
    ChangeThrottle(Connection *connection, SandboxListModel *sandboxes, HandoffInboxModel *inbox)
        : QObject(connection)
        , m_connectionId(connection->id())
        , m_sandboxes(sandboxes)
        , m_inbox(inbox)
    {
        m_frame.setSingleShot(true);
        m_frame.setInterval(16);
        connect(&m_frame, &QTimer::timeout, this, [this] {
            if (!m_pending.isEmpty()) {
                flush();
                m_frame.start();
            }
        });
    }

    void change(const Sandbox &sandbox)
    {
        if (!m_frame.isActive()) {
            apply(sandbox);
            m_frame.start();
            return;
        }
        if (!m_pending.contains(sandbox.id))
            m_order.append(sandbox.id);
        m_pending.insert(sandbox.id, sandbox);
    }

    /// Applies what is queued; called before anything that must see the rows up to date.
    void flush()
    {
        const QStringList order = std::exchange(m_order, {});
        const QHash<QString, Sandbox> pending = std::exchange(m_pending, {});
        for (const QString &id : order)
            apply(pending.value(id));
    }

    void drop()
    {
        m_order.clear();
        m_pending.clear();
    }

private:
    void apply(const Sandbox &sandbox)
    {
        m_sandboxes->upsert(m_connectionId, sandbox);
        m_inbox->setSandboxName({m_connectionId, sandbox.id}, displayName(sandbox));
    }

    QString m_connectionId;
    SandboxListModel *m_sandboxes;
    HandoffInboxModel *m_inbox;
    QTimer m_frame;
    QStringList m_order;
    QHash<QString, Sandbox> m_pending;
};

void bindConnection(Connection *connection, SandboxListModel *sandboxes, HandoffInboxModel *inbox)
{
    const QString connectionId = connection->id();
    auto *throttle = new ChangeThrottle(connection, sandboxes, inbox);
    sandboxes->setConnectionName(connectionId, connection->name());
    inbox->setConnectionName(connectionId, connection->name());

    QObject::connect(connection, &Connection::sandboxesReset, sandboxes, [connection, sandboxes, inbox, throttle] {
        throttle->drop(); // the snapshot is newer than anything queued
        applySnapshot(connection, sandboxes, inbox);
    });
    QObject::connect(connection, &Connection::sandboxChanged, throttle,
                     [throttle](const Sandbox &sandbox) { throttle->change(sandbox); });
    QObject::connect(connection, &Connection::sandboxRemoved, sandboxes,
                     [connectionId, sandboxes, inbox, throttle](const QString &sandboxId) {
                         throttle->flush();
                         sandboxes->remove({connectionId, sandboxId});
                         inbox->remove({connectionId, sandboxId});
                     });
    QObject::connect(connection, &Connection::handoffChanged, sandboxes,
                     [connection, sandboxes, inbox, throttle](const QString &sandboxId, const Handoff &handoff) {
                         throttle->flush();
                         const SandboxKey key{connection->id(), sandboxId};
                         if (const auto sandbox = connection->sandbox(sandboxId))
                             inbox->setSandboxName(key, displayName(*sandbox));
                         sandboxes->setHandoff(key, handoff);
                         inbox->apply(key, handoff);
                     });
    QObject::connect(connection, &Connection::taskChanged, sandboxes,
                     [connection, sandboxes, throttle](const AgentTask &task) {
                         throttle->flush();
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
