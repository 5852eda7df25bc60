// SPDX-License-Identifier: MIT
#pragma once

#include "core/client/apiclient.h"
#include "core/handoff.h"
#include "core/health.h"
#include "core/sandbox.h"
#include "core/task.h"
#include "models/metatypes.h" // before the signals below use Handoff and AgentTask
#include "session/connectionconfig.h"

#include <QDateTime>
#include <QHash>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <memory>
#include <optional>

class QNetworkAccessManager;

namespace banata {

class EventStream;
struct Event;

/**
 * One live Banata endpoint as the app sees it: the sandboxes it has, their active handoffs and
 * current tasks, kept up to date by the event stream (or by polling where a server has none).
 *
 * Usage:
 *   auto *connection = manager.add(config);
 *   connect(connection, &Connection::sandboxChanged, model, ...);
 *   connection->start(apiKey);
 *
 * Start-up: health → every page of the list → the active handoffs → live updates. With the
 * `events` extension, live updates come from `/v1/events` (resuming with `since=` after a drop; a
 * `stream.reset` refetches everything); without it, the list is polled with `If-None-Match`,
 * every 2 s after a change, backing off to 30 s while nothing changes. A connection that cannot
 * be reached is Down with the reason and retries by itself (1 s doubling to 60 s); the others are
 * unaffected. Sandboxes newer by `updatedAt` win over older copies, so an event that overtakes a
 * list page is never undone by it. Nothing here blocks or shows UI; errors are data
 * (statusText()).
 */
class Connection final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Connection)

public:
    enum class Status {
        Idle,       ///< not started
        Connecting, ///< first contact, or loading the list
        Online,     ///< live by event stream
        Polling,    ///< live by polling (the server has no event stream)
        Reconnecting, ///< was online, the stream dropped; state shown may be a moment old
        Down,       ///< unreachable or refusing; statusText() says why, retrying
    };
    Q_ENUM(Status)

    /// \a network must outlive the connection.
    Connection(ConnectionConfig config, QNetworkAccessManager *network, QObject *parent = nullptr);
    ~Connection() override;

    const ConnectionConfig &config() const { return m_config; }
    QString id() const { return m_config.id; }
    QString name() const { return m_config.name; }
    void setName(const QString &name);

    /// Connects with \a apiKey (never logged) and keeps retrying until stop().
    void start(const QString &apiKey);
    void stop();
    /// Refetches everything now (F5, or after the operator fixed a problem).
    void refresh();

    Status status() const { return m_status; }
    /// Why the connection is in its status, for people: "Connection refused — retrying in 8 s".
    QString statusText() const { return m_statusText; }
    /// When Down: when the next attempt is due.
    QDateTime nextRetryAt() const { return m_nextRetryAt; }

    /// The client for this endpoint; only valid after start().
    const ApiClient &client() const;
    bool isStarted() const { return m_client != nullptr; }
    /// The server's /v1/health answer; nullopt until known or where the server has no health route.
    const std::optional<Health> &health() const { return m_health; }
    /// True when the server announced \a extension ("pause", "checkpoints", "handoff", ...).
    bool supports(const QString &extension) const;

    const QHash<QString, Sandbox> &sandboxes() const { return m_sandboxes; }
    std::optional<Sandbox> sandbox(const QString &id) const;
    /// Active (pending or accepted) handoffs, by sandbox id.
    const QHash<QString, Handoff> &activeHandoffs() const { return m_activeHandoffs; }
    /// The newest running or queued agent task per sandbox id (from events since start).
    const QHash<QString, AgentTask> &currentTasks() const { return m_currentTasks; }

    /// Applies a sandbox an action answered with (pause, resume, kill) at once, with the same
    /// newer-wins rule as events.
    void applySandbox(const Sandbox &sandbox);
    /// Applies a handoff an action answered with (accept, complete, cancel, request) at once, so
    /// the inbox and every session see it before the event; newest `updatedAt` wins, as for
    /// events, so a late event never undoes it. Updates activeHandoffs() and emits handoffChanged.
    void applyHandoff(const QString &sandboxId, const Handoff &handoff);

Q_SIGNALS:
    void statusChanged(banata::Connection::Status status, const QString &text);
    /// The whole snapshot was replaced (first load, stream reset, reconnect after Down).
    void sandboxesReset();
    /// One sandbox is new or changed.
    void sandboxChanged(const banata::Sandbox &sandbox);
    /// A sandbox is gone from the server (only a full refetch or polling can tell).
    void sandboxRemoved(const QString &sandboxId);
    /// A handoff changed; \a handoff.status says whether it is still active.
    void handoffChanged(const QString &sandboxId, const banata::Handoff &handoff);
    /// An agent task changed (from the event stream).
    void taskChanged(const banata::AgentTask &task);
    /// Every event as it arrives, for timelines; never emitted for polling.
    void eventReceived(const banata::Event &event);

private:
    friend class ConnectionSync;
    void setStatus(Status status, const QString &text);
    /// Newer-wins insert or update; emits sandboxChanged and returns true when something changed.
    bool upsertSandbox(const Sandbox &sandbox);
    /// True when \a handoff is older than what we know of \a sandboxId's newest request (or a
    /// repeat of it): an older request, an older copy, or an ended one coming back as active.
    bool isStaleHandoff(const QString &sandboxId, const Handoff &handoff) const;
    /// Newer-wins update of the handoff tables; emits handoffChanged and returns true when applied.
    bool upsertHandoff(const QString &sandboxId, const Handoff &handoff);

    ConnectionConfig m_config;
    QNetworkAccessManager *m_network = nullptr;
    std::unique_ptr<ApiClient> m_client;
    std::unique_ptr<class ConnectionSync> m_sync; // start-up, stream, polling, retries
    std::optional<Health> m_health;
    QHash<QString, Sandbox> m_sandboxes;
    QHash<QString, Handoff> m_activeHandoffs;
    QHash<QString, Handoff> m_latestHandoffs; // newest known of each sandbox, ended ones too
    QHash<QString, AgentTask> m_currentTasks;
    Status m_status = Status::Idle;
    QString m_statusText;
    QDateTime m_nextRetryAt;
};

} // namespace banata
