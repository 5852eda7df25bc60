// SPDX-License-Identifier: MIT
#include "viewersession.h"

#include "browserservice.h"
#include "cdpconnection.h"

#include "server/control/controlregistry.h"

#include <QLoggingCategory>
#include <QWebSocket>

#include <algorithm>
#include <map>
#include <set>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcViewer, "banata.server.browser.viewer", QtInfoMsg)

namespace banata::server {

ViewerSession::ViewerSession(QWebSocket *socket, const QString &sandboxId, BrowserService *browser,
                             ControlRegistry *control, QObject *parent)
    : QObject(parent)
    , m_socket(socket)
    , m_sandboxId(sandboxId)
    , m_browser(browser)
    , m_control(control)
    , m_cdp(new CdpConnection(this))
{
    m_socket->setParent(this);
    connect(m_socket, &QWebSocket::textMessageReceived, this, &ViewerSession::fromPage);
    connect(m_socket, &QWebSocket::disconnected, this, &ViewerSession::finish);
    connect(m_cdp, &CdpConnection::closed, this, &ViewerSession::finish);
    connect(m_cdp, &CdpConnection::event, this, &ViewerSession::onCdpEvent);
    connect(m_cdp, &CdpConnection::opened, this,
            [this] {
                // Chromium announces the tabs that already exist before it answers, in no useful
                // order: follow the one the browser service shows (else the newest), not the last
                // announced, or input would go to a tab nobody is looking at.
                m_cdp->send(u"Target.setDiscoverTargets"_s, {{"discover", true}}, [this](bool, const Json &) {
                    m_discovering = false;
                    if (m_target.isEmpty() && !m_pages.isEmpty())
                        follow(m_pages.constLast());
                });
            });
    connect(m_browser, &BrowserService::stateChanged, this, [this](const QString &id, const PreviewState &) {
        if (id == m_sandboxId)
            sendMeta();
    });
    connect(m_control, &ControlRegistry::changed, this, [this](const QString &id, const ControlRegistry::State &) {
        if (id == m_sandboxId)
            sendMeta();
    });
    m_cdp->open(m_browser->browserEndpoint(m_sandboxId));
    qCInfo(lcViewer).noquote() << m_sandboxId << "viewer opened";
    sendMeta();
}

ViewerSession::~ViewerSession()
{
    m_socket->disconnect(this);
}

void ViewerSession::onCdpEvent(const QString &method, const Json &params, const QString &sessionId)
{
    const Json info = params.value("targetInfo", Json::object());
    const QString targetId = fromStd(info.value("targetId", params.value("targetId", std::string())));
    if (method == u"Page.screencastFrame" && sessionId == m_session) {
        // Ack first: Chromium sends the next frame only after the previous one is acknowledged.
        m_cdp->send(u"Page.screencastFrameAck"_s, {{"sessionId", params.value("sessionId", 0)}}, {}, m_session);
        // Don't queue frames behind a slow page: drop while the socket still has a backlog.
        if (m_socket->bytesToWrite() < (4 << 20)) {
            m_socket->sendBinaryMessage(QByteArray::fromBase64(QByteArray::fromStdString(params.value("data", std::string()))));
            ++m_frames;
        }
    } else if (method == u"Target.targetCreated" && info.value("type", std::string()) == "page") {
        m_pages.removeAll(targetId);
        m_pages.append(targetId);
        // A tab opened while watching is what the person wants to see (Skyvern's about:blank
        // pitfall); among the tabs found at connect, the one the preview shows.
        if (!m_discovering || fromStd(info.value("url", std::string())) == m_browser->state(m_sandboxId).url)
            follow(targetId);
    } else if (method == u"Target.targetDestroyed") {
        m_pages.removeAll(targetId);
        if (targetId == m_target && !m_pages.isEmpty())
            follow(m_pages.constLast());
    } else if (method == u"Target.targetInfoChanged" && targetId == m_target) {
        sendMeta();
    }
}

void ViewerSession::follow(const QString &targetId)
{
    if (targetId == m_target)
        return;
    if (!m_session.isEmpty()) {
        m_cdp->send(u"Page.stopScreencast"_s, Json::object(), {}, m_session);
        m_cdp->send(u"Target.detachFromTarget"_s, {{"sessionId", toStd(m_session)}});
    }
    m_target = targetId;
    m_session.clear();
    m_cdp->send(u"Target.attachToTarget"_s, {{"targetId", toStd(targetId)}, {"flatten", true}},
                [this, targetId](bool ok, const Json &result) {
                    if (!ok || targetId != m_target)
                        return;
                    m_session = fromStd(result.value("sessionId", std::string()));
                    const Viewport viewport = m_browser->state(m_sandboxId).viewport;
                    m_cdp->send(u"Page.enable"_s, Json::object(), {}, m_session);
                    m_cdp->send(u"Page.startScreencast"_s,
                                {{"format", "jpeg"}, {"quality", 75}, {"maxWidth", viewport.width},
                                 {"maxHeight", viewport.height}, {"everyNthFrame", 1}},
                                {}, m_session);
                    sendMeta();
                });
}

void ViewerSession::fromPage(const QString &message)
{
    const auto parsed = parseJson(message.toUtf8());
    if (!parsed || !parsed->is_object() || m_session.isEmpty())
        return;
    // Only a person the lease lets act drives the browser; otherwise the page is watch-only.
    if (!m_control->viewerMayAct(m_sandboxId))
        return;
    const Json &m = *parsed;
    const std::string type = m.value("type", std::string());
    const int modifiers = m.value("modifiers", 0) & 0xF;
    if (type == "mouse") {
        static const std::map<std::string, std::string> kEvents = {
            {"move", "mouseMoved"}, {"down", "mousePressed"}, {"up", "mouseReleased"}, {"wheel", "mouseWheel"}};
        static const std::set<std::string> kButtons = {"none", "left", "middle", "right", "back", "forward"};
        const auto event = kEvents.find(m.value("event", std::string()));
        const std::string button = m.value("button", std::string("none"));
        if (event == kEvents.end() || !kButtons.contains(button))
            return;
        Json params = {{"type", event->second}, {"x", m.value("x", 0.0)}, {"y", m.value("y", 0.0)},
                       {"button", button}, {"buttons", m.value("buttons", 0) & 0x1F},
                       {"clickCount", std::clamp(m.value("clickCount", 0), 0, 3)}, {"modifiers", modifiers}};
        if (event->second == "mouseWheel") {
            params["deltaX"] = m.value("deltaX", 0.0);
            params["deltaY"] = m.value("deltaY", 0.0);
        }
        m_cdp->send(u"Input.dispatchMouseEvent"_s, std::move(params), {}, m_session);
    } else if (type == "key") {
        const std::string event = m.value("event", std::string());
        if (event != "down" && event != "up")
            return;
        const std::string text = m.value("text", std::string());
        Json params = {{"type", event == "up" ? "keyUp" : (text.empty() ? "rawKeyDown" : "keyDown")},
                       {"key", m.value("key", std::string())}, {"code", m.value("code", std::string())},
                       {"windowsVirtualKeyCode", m.value("keyCode", 0)}, {"modifiers", modifiers}};
        if (!text.empty() && event == "down")
            params["text"] = text;
        m_cdp->send(u"Input.dispatchKeyEvent"_s, std::move(params), {}, m_session);
    } else if (type == "text") {
        const std::string text = m.value("text", std::string());
        if (!text.empty() && text.size() <= 64 * 1024)
            m_cdp->send(u"Input.insertText"_s, {{"text", text}}, {}, m_session);
    }
}

void ViewerSession::sendMeta()
{
    const PreviewState state = m_browser->state(m_sandboxId);
    Json meta = state.toJson();
    meta.erase("cdpUrl"); // the page has no business with the agent's endpoint
    meta["type"] = "meta";
    meta["mayAct"] = m_control->viewerMayAct(m_sandboxId);
    m_socket->sendTextMessage(QString::fromUtf8(dumpJson(meta)));
}

void ViewerSession::finish()
{
    if (m_finished)
        return;
    m_finished = true;
    qCInfo(lcViewer).noquote() << m_sandboxId << "viewer closed after" << m_frames << "frames";
    m_socket->close();
    deleteLater();
}

} // namespace banata::server
