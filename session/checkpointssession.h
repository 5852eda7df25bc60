// SPDX-License-Identifier: MIT
#pragma once

#include <QObject>
#include <QPointer>

#include "models/checkpointlistmodel.h"
#include "session/actionrecorder.h"

namespace banata {

class Connection;
struct Event;

/**
 * The Checkpoints tab of one sandbox: the list (loaded on activation, kept current by
 * `sandbox.checkpoint.*` events), create with a label, and restore — by default after an
 * automatic checkpoint labelled "Before restoring: <label>", so a restore can itself be undone.
 * Every action is recorded (journal and timeline: "checkpoint", "checkpoint.restore").
 */
class CheckpointsSession final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CheckpointsSession)

public:
    /// \a recorder records each action (the SandboxSession's journal); may be empty.
    CheckpointsSession(Connection *connection, QString sandboxId, ActionRecorder recorder,
                       QObject *parent = nullptr);
    ~CheckpointsSession() override;

    CheckpointListModel *model() { return &m_model; }
    void setActive(bool active);
    void refresh();

    /// Creates a checkpoint labelled \a label (may be empty).
    void create(const QString &label);
    /// Restores \a checkpointId, first checkpointing the current state when \a checkpointFirst.
    void restore(const QString &checkpointId, bool checkpointFirst = true);
    /// True while a create or restore runs (the tab disables its buttons).
    bool isBusy() const { return m_busy; }

Q_SIGNALS:
    void busyChanged(bool busy);
    /// The outcome of create / restore for the operator: "Checkpoint “x” created (12 files, 3 MB)",
    /// "Restored “x” — the state before is kept as “Before restoring: x”", or the error.
    void message(const QString &text, bool isError);
    /// Loading the list failed (empty when it recovered).
    void loadErrorChanged(const QString &error);

private:
    void onEvent(const Event &event);
    void setBusy(bool busy);
    /// Why an action cannot start now (busy, not connected); empty when it can.
    QString whyNotNow() const;
    void doRestore(const QString &checkpointId, const QString &label, const QString &savedLabel);
    void record(const QString &action, const QString &detail, bool ok, const QString &result);

    QPointer<Connection> m_connection;
    QString m_sandboxId;
    ActionRecorder m_recorder;
    CheckpointListModel m_model;
    bool m_active = false;
    bool m_loaded = false;
    bool m_busy = false;
};

} // namespace banata
