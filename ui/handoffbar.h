// SPDX-License-Identifier: MIT
#pragma once

#include <QFrame>
#include <QPointer>
#include <QTimer>

#include "session/handoffsession.h"

class QCheckBox;
class QLabel;
class QPushButton;

namespace banata {

class AppSettings;
class HandBackDialog;

/**
 * Who holds the sandbox's browser and what the operator can do about it, above the live view:
 * - agent: "The agent is driving — watch only" and Take control;
 * - a pending request: reason, message, how long it waited, when it expires (ticking), Accept
 *   with "Checkpoint first" (remembered in AppSettings), Cancel request;
 * - this operator: "You have control", the expiry, Hand back… (outcome and note), Cancel;
 * - another operator: "alice has control since 2 min".
 * Drives the sandbox's HandoffSession; results and errors go out as messageRequested for the
 * panel's inline bar. Named "handoffBar"; buttons "acceptHandoffButton", "takeControlButton",
 * "handBackButton", "cancelHandoffButton"; the checkbox "checkpointFirstCheck"; the holder text
 * "holderLabel".
 */
class HandoffBar final : public QFrame
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HandoffBar)

public:
    explicit HandoffBar(AppSettings *settings, QWidget *parent = nullptr);
    ~HandoffBar() override;

    /// Follows \a session (nullptr: nothing to show).
    void setSession(HandoffSession *session);
    HandoffSession::Holder holder() const;

    /// Keyboard entry points; each does nothing when the action is not available now.
    bool acceptRequest();
    bool handBack();
    bool takeControl();
    bool cancelRequest();

Q_SIGNALS:
    void messageRequested(const QString &text, bool error);
    /// The holder changed (the panel makes the view watch-only or focuses it).
    void holderChanged(banata::HandoffSession::Holder holder);

private:
    void refresh();
    void tick();
    void onFinished(HandoffSession::Operation operation, const QString &error);
    QString requestText(const Handoff &handoff) const;

    AppSettings *m_settings;
    QPointer<HandoffSession> m_session;
    QLabel *m_holder;
    QLabel *m_timing;
    QLabel *m_message;
    QCheckBox *m_checkpointFirst;
    QPushButton *m_accept;
    QPushButton *m_takeControl;
    QPushButton *m_handBack;
    QPushButton *m_cancel;
    QPointer<HandBackDialog> m_dialog;
    QTimer m_tick;
    HandoffSession::Holder m_lastHolder = HandoffSession::Holder::Agent;
};

} // namespace banata
