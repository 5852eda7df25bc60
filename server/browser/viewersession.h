// SPDX-License-Identifier: MIT
#pragma once

#include "core/json.h"

#include <QObject>
#include <QUrl>

QT_BEGIN_NAMESPACE
class QWebSocket;
QT_END_NAMESPACE

namespace banata::server {

class BrowserService;
class CdpConnection;
class ControlRegistry;

/// One open viewer page: streams the followed tab of a sandbox's Chromium as JPEG frames (CDP
/// screencast) and turns the page's mouse, wheel, keyboard and text messages into CDP input,
/// only while the handoff lease lets a viewer act. It speaks to nothing but that one browser.
///
/// Server → page: binary messages are JPEG frames; text messages are JSON
/// `{"type":"meta","url","title","controlMode","controller","viewport","mayAct"}`.
/// Page → server (text JSON): `{"type":"mouse","event":"move|down|up|wheel","x","y","button",
/// "buttons","clickCount","deltaX","deltaY","modifiers"}`, `{"type":"key","event":"down|up","key",
/// "code","text","modifiers"}`, `{"type":"text","text"}` (typed or pasted, any script).
class ViewerSession final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ViewerSession)

public:
    /// Takes ownership of \a socket; deletes itself when the page or the browser goes away.
    ViewerSession(QWebSocket *socket, const QString &sandboxId, BrowserService *browser, ControlRegistry *control,
                  QObject *parent = nullptr);
    ~ViewerSession() override;

private:
    void onCdpEvent(const QString &method, const banata::Json &params, const QString &sessionId);
    void follow(const QString &targetId);
    void fromPage(const QString &message);
    void sendMeta();
    void finish();

    QWebSocket *m_socket;
    QString m_sandboxId;
    BrowserService *m_browser;
    ControlRegistry *m_control;
    CdpConnection *m_cdp;
    QStringList m_pages;  // page targets, oldest first; the newest is followed
    QString m_target;
    QString m_session;
    qint64 m_frames = 0;
    bool m_finished = false;
    bool m_discovering = true; // until the existing tabs have been announced
};

} // namespace banata::server
