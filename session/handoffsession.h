// SPDX-License-Identifier: MIT
#pragma once

#include <functional>
#include <optional>

#include <QObject>
#include <QPointer>

#include "core/apierror.h"
#include "core/handoff.h"
#include "session/actionrecorder.h"
#include "models/metatypes.h"

namespace banata {

class Connection;

/**
 * The human-handoff loop of one sandbox from this operator's side: who holds the browser, and
 * accept / take control / hand back / cancel.
 *
 * Usage:
 *   auto *handoff = new HandoffSession(connection, sandboxId, settings.operatorName(), recorder, this);
 *   handoff->accept(true);                       // checkpoint first, then accept as the operator
 *   handoff->handBack(u"done"_s, u"Code entered"_s);
 *
 * The active handoff comes from the connection (loaded with the list, then live by events); the
 * holder follows from it exactly as the server's lease does: none → Agent, pending → Shared,
 * accepted → Me when the controller is this operator's name, else OtherOperator. "Take control"
 * without a request from the agent is a handoff the operator requests (`requestedBy: dashboard`,
 * reason `custom`) and accepts at once. Every action is recorded through \a recorder for the
 * timeline; errors are data (operationFinished).
 */
class HandoffSession final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HandoffSession)

public:
    enum class Holder
    {
        Agent,         ///< no handoff: the agent drives, the view is watch-only
        Shared,        ///< a request is pending: agent and operators may act
        Me,            ///< this operator accepted
        OtherOperator, ///< someone else accepted (controller() says who)
    };
    Q_ENUM(Holder)

    enum class Operation
    {
        Accept,
        TakeControl,
        HandBack,
        Cancel
    };
    Q_ENUM(Operation)

    using Recorder = ActionRecorder;

    HandoffSession(Connection *connection, QString sandboxId, QString operatorName, Recorder recorder,
                   QObject *parent = nullptr);
    ~HandoffSession() override;

    QString sandboxId() const { return m_sandboxId; }
    QString operatorName() const { return m_operatorName; }
    /// False where the server lacks the `handoff` extension.
    bool isSupported() const;

    /// The pending or accepted handoff, if any.
    std::optional<Handoff> active() const;
    Holder holder() const;
    /// Who accepted (the operator's name), when someone did.
    QString controller() const;
    bool isBusy() const { return m_busy; }

    /// Accepts the pending request as operatorName(); with \a checkpointFirst a checkpoint
    /// ("Before handoff: <reason>") is taken first and a failed checkpoint stops there.
    void accept(bool checkpointFirst);
    /// Takes control without a request: requests a handoff as `dashboard` with \a message, then
    /// accepts it.
    void takeControl(const QString &message);
    /// Completes the accepted handoff with \a outcome (done, failed, needs_info) and \a note,
    /// which the agent receives.
    void handBack(const QString &outcome, const QString &note);
    /// Cancels the active handoff; \a reason becomes its note.
    void cancel(const QString &reason);

Q_SIGNALS:
    /// The active handoff or the holder changed.
    void changed();
    void busyChanged(bool busy);
    /// An action ended: \a error empty on success, else ready to show.
    void operationFinished(banata::HandoffSession::Operation operation, const QString &error);

private:
    void onHandoffChanged(const QString &sandboxId, const Handoff &handoff);
    /// Why no action can reach the server now (no connection, not started, no extension).
    std::optional<QString> unavailable() const;
    /// Marks the session busy for \a operation; false when it must not go on (busy already, or
    /// unavailable: then it finishes with the reason).
    bool begin(Operation operation, const QString &detail, qint64 startedAt);
    void failLater(Operation operation, const QString &detail, const QString &error, qint64 startedAt);
    /// Asks the server for the current handoff (after a conflict) and applies it.
    void refetch();
    QString errorText(const ApiError &error) const;
    void acceptNow(const QString &requestId, qint64 startedAt, const QString &detail, Operation operation);
    void apply(const Handoff &handoff);
    void setBusy(bool busy);
    void finish(Operation operation, const QString &action, const QString &detail, const QString &error,
                const QString &result, qint64 startedAt);

    QPointer<Connection> m_connection;
    QString m_sandboxId;
    QString m_operatorName;
    Recorder m_recorder;
    std::optional<Handoff> m_active;
    QString m_ownRequestId; // the last request takeControl() made: ours to cancel if accepting it fails
    bool m_busy = false;
};

} // namespace banata
