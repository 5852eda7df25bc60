// SPDX-License-Identifier: MIT
#pragma once

#include <QPointer>
#include <QWidget>

#include "core/sandbox.h"
#include "ui/viewersurface.h"

class QLabel;
class QPushButton;
class QStackedWidget;

namespace banata {

class AppSettings;
class BrowserToolBar;
class HandoffBar;
class MessageBar;
class SandboxSession;

/**
 * The Browser tab: the sandbox's live browser in a sandboxed web view (ui/viewer/, loaded as a
 * plugin the first time this tab is shown), who holds control and the handoff actions
 * (HandoffBar), the browser controls (BrowserToolBar), and what the view's policy refused.
 *
 * Each sandbox gets its own view and off-the-record profile; switching sandboxes drops the old
 * one. While the tab is active the BrowserSession keeps a viewer link; when the page says its
 * socket closed (server restart, browser restarted) a fresh link is loaded by itself. Where the
 * browser is not running, crashed, or the server has no preview, the view is replaced by a page
 * saying so, with Start browser where that helps. Named "browserPanel"; the status page
 * "browserStatusPage" with "browserStatusText"; the live-state text "viewerStatusLabel".
 */
class BrowserPanel final : public QWidget, private ViewerSurfaceObserver
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BrowserPanel)

public:
    explicit BrowserPanel(AppSettings *settings, QWidget *parent = nullptr);
    ~BrowserPanel() override;

    void setSession(SandboxSession *session);
    void setSandbox(const Sandbox &sandbox);
    /// The tab is shown (keeps a viewer link) or hidden (lets it go).
    void setActive(bool active);

    HandoffBar *handoffBar() const { return m_handoffBar; }
    /// The live view, once created (nullptr before the first viewer link, or without the plugin).
    ViewerSurface *surface() const { return m_surface; }
    ViewerState viewerState() const;

private:
    void viewerStateChanged(ViewerState state, const QString &detail) override;
    void viewerNotice(const ViewerNotice &notice) override;
    void openViewer(const QUrl &url);
    void dropSurface();
    void refresh();
    void fitToView();
    void showMessage(const QString &text, bool error);

    QPointer<SandboxSession> m_session;
    HandoffBar *m_handoffBar;
    BrowserToolBar *m_toolBar;
    QLabel *m_viewerStatus;
    MessageBar *m_messages;
    QStackedWidget *m_stack;
    QWidget *m_statusPage;
    QLabel *m_statusText;
    QPushButton *m_statusStart;
    QWidget *m_viewHost;
    ViewerSurface *m_surface = nullptr; // its widget is a child of m_viewHost
    ViewerState m_state = ViewerState::Empty;
    QString m_stateDetail;
    QString m_loaderError;
    bool m_active = false;
    bool m_paused = false;
};

} // namespace banata
