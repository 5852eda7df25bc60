// SPDX-License-Identifier: MIT
#pragma once

#include "models/sandboxkey.h"
#include "session/sandboxactions.h"

#include <QList>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <array>

class QAction;
class QWidget;

namespace banata {

class AppSettings;
class ConnectionManager;
class OperatorJournal;
class SandboxListModel;

/**
 * The lifecycle actions (Pause Ctrl+P, Resume Ctrl+R, Kill Delete, Checkpoint Ctrl+K) over the
 * current selection. Each is enabled from actionAvailability; a disabled one says why in its
 * tooltip and status tip. Triggering runs one BulkOperation over the whole selection (Kill asks
 * first); the window shows its progress and results.
 */
class SandboxActionSet final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SandboxActionSet)

public:
    /// \a dialogParent parents the kill confirmation.
    SandboxActionSet(ConnectionManager *connections, SandboxListModel *sandboxes, OperatorJournal *journal,
                     AppSettings *settings, QWidget *dialogParent);

    QAction *action(SandboxAction action) const { return m_actions[size_t(action)]; }
    QList<QAction *> actions() const;

    void setSelection(const QList<SandboxKey> &keys);
    const QList<SandboxKey> &selection() const { return m_selection; }
    /// Re-evaluates availability soon (coalesced): states or connections changed.
    void scheduleUpdate();

    /// Runs \a action over the selection; Kill asks for confirmation first.
    void run(SandboxAction action);

Q_SIGNALS:
    void operationStarted(banata::BulkOperation *operation);
    /// \a operation is deleted after this returns.
    void operationFinished(banata::BulkOperation *operation);

private:
    void updateAvailability();
    void start(SandboxAction action, const QList<SandboxKey> &keys);
    QString labelOf(const SandboxKey &key) const;
    QString enabledTip(SandboxAction action) const;

    ConnectionManager *m_connections;
    SandboxListModel *m_sandboxes;
    OperatorJournal *m_journal;
    AppSettings *m_settings;
    QPointer<QWidget> m_dialogParent;
    std::array<QAction *, 4> m_actions{};
    QList<SandboxKey> m_selection;
    QTimer m_update;
};

} // namespace banata
