// SPDX-License-Identifier: MIT
#pragma once

#include "core/client/apiclient.h"
#include "core/client/eventstream.h"
#include "session/handoffloader.h"
#include "session/sandboxlistloader.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <chrono>

namespace banata {

class Connection;

/**
 * The machinery behind one Connection (private to it): start-up (health → list → handoffs),
 * live updates by event stream or by polling, and the retries while the server is down. It
 * writes the Connection's state directly and emits the Connection's signals.
 *
 * With an event stream, the stream is connected before the list is read, so a change made while
 * the list loads arrives as an event; events and action answers seen during a load are kept and
 * win over older copies in the pages (by updatedAt).
 */
class ConnectionSync final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConnectionSync)

public:
    /// \a connection must have its client (it was started) and outlive this.
    explicit ConnectionSync(Connection *connection);
    ~ConnectionSync() override;

    void start();
    void refresh();
    /// A sandbox the Connection is about to apply (event or action answer): a load in progress
    /// must not undo it.
    void noteSandbox(const Sandbox &sandbox);
    /// The same for a handoff of \a sandboxId: a handoff load in progress must not undo it.
    void noteHandoff(const QString &sandboxId, const Handoff &handoff);

private:
    enum class Phase {
        Health,     ///< asking /v1/health
        WaitStream, ///< the event stream must connect before the list is read
        Loading,    ///< reading the list (and then the handoffs)
        Live,       ///< streaming or polling
        Down,       ///< waiting to retry
    };

    void begin();
    void onHealth(const ApiResult<Health> &result, bool probe);
    void afterHealth();
    void probeHealth();
    void startLoad();
    void onListLoaded(SandboxListLoader::Result result);
    bool applyPolledList(const QHash<QString, Sandbox> &fresh);
    void startHandoffLoad(bool fromPoll);
    void onHandoffsLoaded(HandoffLoader::Result result, bool fromPoll);
    void fetchEndedHandoff(const QString &sandboxId, const Handoff &last);
    void refreshCurrentTasks();
    void goLive();
    void goDown(const QString &reason, bool keyRefused);
    void updateDownText();

    bool streaming() const;
    void ensureStream();
    void onStreamState(EventStream::State state, const QString &reason);
    void onEvent(const Event &event);
    void applyTask(const AgentTask &task);
    void addNote(const QString &note);
    QString liveText() const;

    QString describe(const ApiError &error) const;

    Connection *m_connection;
    ApiClient m_client; // the connection's endpoint with short retries: the sync retries itself
    Phase m_phase = Phase::Health;
    QPointer<HealthJob> m_healthJob;
    SandboxListLoader m_list;
    HandoffLoader m_handoffs;
    EventStream *m_stream = nullptr; // child; only with the `events` extension
    QTimer m_retryTimer;
    QTimer m_countdownTimer;
    QTimer m_pollTimer;
    std::chrono::milliseconds m_retryDelay;
    std::chrono::milliseconds m_keyRetryDelay;
    std::chrono::milliseconds m_pollInterval;
    QString m_downReason;
    QString m_streamReason;
    QString m_note; // the latest non-fatal problem, shown while live
    QHash<QString, Sandbox> m_sandboxOverlay; // applied while the list loads
    QHash<QString, Handoff> m_handoffOverlay; // applied while the handoffs load
    bool m_loadedOnce = false;
    bool m_forceReload = false;
    bool m_truncated = false;
    bool m_changed = false; // the last poll found a change
};

} // namespace banata
