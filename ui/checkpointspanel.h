// SPDX-License-Identifier: MIT
#pragma once

#include <QPointer>
#include <QTimer>
#include <QWidget>

class QAction;
class QDialog;
class QLineEdit;
class QPushButton;
class QTableView;

namespace banata {

class AppSettings;
class CheckpointsSession;
class MessageBar;
class SandboxSession;

/**
 * The Checkpoints tab: the sandbox's checkpoints (label, when, size, files; newest first), a label
 * field with Create, and Restore of the selected one after a confirmation that says what is
 * replaced and offers to save the current state first (remembered in AppSettings). The list is
 * loaded only while the tab is shown; results and load errors show inline.
 * Named "checkpointsPanel"; its parts "checkpointLabelEdit", "createCheckpointButton",
 * "checkpointsView", "restoreCheckpointButton", "checkpointsMessage", "checkpointsLoadError";
 * the dialog "restoreConfirmDialog" with "checkpointFirstCheck", "restoreConfirm", "restoreCancel".
 */
class CheckpointsPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CheckpointsPanel)

public:
    /// \a session may be null (nothing to show yet); \a settings must outlive the panel.
    CheckpointsPanel(SandboxSession *session, AppSettings *settings, QWidget *parent = nullptr);
    ~CheckpointsPanel() override;

    void setSession(SandboxSession *session);
    /// Creates a checkpoint labelled with the field's text.
    void createCheckpoint();
    /// Asks to restore the current row (Restore, double-click, Enter, the context menu); the
    /// dialog is window-modal and non-blocking. Returns it, or null when there is nothing to restore.
    QDialog *confirmRestore();

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    CheckpointsSession *checkpoints() const;
    void updateButtons();

    QPointer<SandboxSession> m_session;
    AppSettings *m_settings;
    MessageBar *m_message;
    MessageBar *m_loadError;
    QLineEdit *m_label;
    QPushButton *m_create;
    QTableView *m_table;
    QPushButton *m_restore;
    QAction *m_restoreAction;
    QPointer<QDialog> m_dialog;
    QTimer m_ageTimer; ///< repaints "3 min ago"
};

} // namespace banata
