// SPDX-License-Identifier: MIT
#pragma once

#include "core/sandbox.h"
#include "models/sandboxkey.h"

#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>

namespace banata {

class Connection;
class ConnectionManager;
class OperatorJournal;

/// The lifecycle actions of the list, for one sandbox or a selection.
enum class SandboxAction { Pause, Resume, Kill, Checkpoint };

/// Whether an action can be taken now, and if not, why (shown as the tooltip of a disabled action).
struct ActionAvailability
{
    bool enabled = false;
    QString reason; ///< empty when enabled: "Already paused", "This server cannot pause sandboxes"
};

/// \a connection may be null (gone): then disabled with a reason.
ActionAvailability actionAvailability(SandboxAction action, const Sandbox &sandbox, const Connection *connection);
/// For a selection: enabled when at least one sandbox allows it; the reason lists why not otherwise.
ActionAvailability actionAvailability(SandboxAction action, const QList<SandboxKey> &keys,
                                      const ConnectionManager &manager);
QString actionName(SandboxAction action); ///< "Pause", translated

/// What became of one sandbox in a bulk action.
struct BulkItemResult
{
    SandboxKey key;
    QString label; ///< the sandbox name or id
    bool ok = false;
    bool skipped = false; ///< not attempted: the state did not allow it (message says why)
    QString message;      ///< "Paused", or the server's error text
};

/**
 * Runs one action over a selection, at most 4 requests at a time, reporting progress once and a
 * result per sandbox. Each answer is applied to its Connection at once (no waiting for the event)
 * and recorded in the journal. Usage:
 *   auto *op = new BulkOperation(SandboxAction::Pause, keys, &manager, &journal, operatorName, this);
 *   connect(op, &BulkOperation::finished, this, [op] { showResults(op->results()); op->deleteLater(); });
 *   op->start();
 */
class BulkOperation final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BulkOperation)

public:
    BulkOperation(SandboxAction action, QList<SandboxKey> keys, ConnectionManager *manager,
                  OperatorJournal *journal, QString operatorName, QObject *parent = nullptr);
    ~BulkOperation() override;

    /// Label for checkpoints made by this operation (default: "Checkpoint by <operator>").
    void setCheckpointLabel(const QString &label);
    void start();
    /// Stops sending new requests; those in flight finish and are reported.
    void cancel();

    SandboxAction action() const { return m_action; }
    int total() const { return int(m_keys.size()); }
    int done() const { return int(m_results.size()); }
    const QList<BulkItemResult> &results() const { return m_results; }
    int failedCount() const;

Q_SIGNALS:
    void progressChanged(int done, int total);
    void itemFinished(const banata::BulkItemResult &result);
    void finished();

private:
    void startNext();
    void finishItem(BulkItemResult result);

    SandboxAction m_action;
    QList<SandboxKey> m_keys;
    QPointer<ConnectionManager> m_manager;
    QPointer<OperatorJournal> m_journal;
    QString m_operatorName;
    QString m_checkpointLabel;
    QList<BulkItemResult> m_results;
    int m_next = 0;
    int m_inFlight = 0;
    bool m_cancelled = false;
    bool m_finished = false;
};

} // namespace banata

namespace banata {

/// Creates one sandbox on a connection and records it in the journal; the new row arrives by
/// the connection's usual updates (applied at once from the answer).
class CreateSandboxOperation final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CreateSandboxOperation)

public:
    CreateSandboxOperation(Connection *connection, CreateSandboxRequest request, OperatorJournal *journal,
                           QString operatorName, QObject *parent = nullptr);
    void start();

Q_SIGNALS:
    /// \a error is empty on success; then \a sandbox is the created one (status queued).
    void finished(const banata::Sandbox &sandbox, const QString &error);

private:
    QPointer<Connection> m_connection;
    CreateSandboxRequest m_request;
    QPointer<OperatorJournal> m_journal;
    QString m_operatorName;
};

} // namespace banata
