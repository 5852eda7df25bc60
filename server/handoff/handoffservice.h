// SPDX-License-Identifier: MIT
#pragma once

#include <functional>

#include "core/apierror.h"
#include "core/expected.h"
#include "core/handoff.h"
#include "core/sandbox.h"

#include <QHash>
#include <QObject>
#include <QTimer>

#include <memory>

namespace banata::server {

class ControlRegistry;
class EventHub;
class SandboxManager;
class Store;

/// Human handoffs (banata-api.md §5): one active per sandbox, persisted with their history,
/// expired by a timer (also across restarts), and mirrored into the ControlRegistry lease:
/// request → shared, accept → human, complete/cancel/expire → ai. Main thread only.
class HandoffService final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HandoffService)

public:
    template <typename T>
    using Result = banata::Expected<T, banata::ApiError>;

    static constexpr qint64 kDefaultTimeoutMs = 15 * 60 * 1000;
    static constexpr qint64 kMaxTimeoutMs = 24 * 60 * 60 * 1000;

    /// Everything must outlive the service.
    HandoffService(Store *store, EventHub *events, SandboxManager *sandboxes, ControlRegistry *control,
                   QObject *parent = nullptr);
    /// Where preview.status comes from (the browser service); "unknown" until set.
    void setPreviewStatusSource(std::function<QString(const QString &sandboxId)> source)
    {
        m_previewStatus = std::move(source);
    }
    ~HandoffService() override;

    /// Loads every handoff; call after the sandboxes are recovered. Active handoffs of ended
    /// sandboxes are cancelled, overdue ones expire now, the others get their timers back.
    void recover();

    /// \a request.id names the sandbox; \a defaultRequester is used when requestedBy is absent.
    Result<banata::Handoff> request(const banata::HandoffRequest &request, const QString &defaultRequester);
    Result<banata::Handoff> accept(const QString &sandboxId, const QString &controller, const QString &requestId);
    Result<banata::Handoff> complete(const QString &sandboxId, const QString &outcome,
                                     const std::optional<QString> &note, const QString &requestId);
    Result<banata::Handoff> cancel(const QString &sandboxId, const std::optional<QString> &reason,
                                   const QString &requestId);

    /// The active handoff, else the newest; or the one named \a requestId.
    Result<banata::Handoff> current(const QString &sandboxId, const QString &requestId) const;
    /// Newest first.
    Result<QList<banata::Handoff>> history(const QString &sandboxId) const;
    /// The handoffs of every sandbox whose status is one of \a statuses, oldest requestedAt first.
    QList<banata::PendingHandoff> acrossSandboxes(const QList<banata::HandoffStatus> &statuses) const;
    /// The `preview` member of responses: the lease as the ControlRegistry has it.
    banata::HandoffPreview preview(const QString &sandboxId) const;

private:
    banata::Handoff *active(const QString &sandboxId);
    /// The active handoff an accept/complete/cancel acts on, or the error explaining why none is.
    Result<banata::Handoff *> target(const QString &sandboxId, const QString &requestId);
    /// Ends \a handoff in \a status, persists, releases the lease and publishes.
    void finish(const QString &sandboxId, banata::Handoff &handoff, banata::HandoffStatus status);
    bool save(const QString &sandboxId, const banata::Handoff &handoff);
    /// Saves a change to an existing handoff; one the store refuses (a full disk) is saved again
    /// by a timer until it takes it, so a restart does not bring back the older state.
    void saveOrRetry(const QString &sandboxId, const banata::Handoff &handoff);
    void resaveUnsaved();
    void publish(const QString &type, const QString &sandboxId, const banata::Handoff &handoff);
    void armTimer(const QString &sandboxId, const banata::Handoff &handoff);
    void onExpiry(const QString &sandboxId, const QString &requestId);
    void onSandboxStatusChanged(const banata::Sandbox &sandbox, banata::SandboxStatus previous);

    Store *m_store;
    EventHub *m_events;
    SandboxManager *m_sandboxes;
    ControlRegistry *m_control;
    QHash<QString, QList<banata::Handoff>> m_handoffs; // per sandbox, oldest first
    QHash<QString, std::shared_ptr<QTimer>> m_timers;  // per active request id
    std::function<QString(const QString &)> m_previewStatus;
    QHash<QString, QString> m_unsaved; // request id -> sandbox id, changed but not saved yet
    QTimer m_resaveTimer;
};

} // namespace banata::server
