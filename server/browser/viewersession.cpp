// SPDX-License-Identifier: MIT
#include "viewersession.h"

#include "browserservice.h"
#include "cdpconnection.h"
#include "cdpjson.h"
#include "viewerinput.h"

#include "server/control/controlregistry.h"

#include <QLoggingCategory>
#include <QWebSocket>

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
    const Json &info = cdpObject(params, "targetInfo");
    const std::string target = cdpString(info, "targetId");
    const QString targetId = fromStd(target.empty() ? cdpString(params, "targetId") : target);
    if (method == u"Page.screencastFrame" && sessionId == m_session) {
        // Ack first: Chromium sends the next frame only after the previous one is acknowledged.
        const Json frameSession = params.is_object() ? params.value("sessionId", Json(0)) : Json(0);
        m_cdp->send(u"Page.screencastFrameAck"_s, {{"sessionId", frameSession.is_number_integer() ? frameSession : Json(0)}},
                    {}, m_session);
        // Don't queue frames behind a slow page: drop while the socket still has a backlog.
        if (m_socket->bytesToWrite() < (4 << 20)) {
            m_socket->sendBinaryMessage(QByteArray::fromBase64(QByteArray::fromStdString(cdpString(params, "data"))));
            ++m_frames;
        }
    } else if (method == u"Target.targetCreated" && cdpString(info, "type") == "page") {
        m_pages.removeAll(targetId);
        m_pages.append(targetId);
        // A tab opened while watching is what the person wants to see (Skyvern's about:blank
        // pitfall); among the tabs found at connect, the one the preview shows.
        if (!m_discovering || fromStd(cdpString(info, "url")) == m_browser->state(m_sandboxId).url)
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
                    m_session = fromStd(cdpString(result, "sessionId"));
                    const Viewport viewport = m_browser->state(m_sandboxId).viewport;
                    m_cdp->send(u"Page.enable"_s, Json::object(), {}, m_session);
                    // Headless Chromium paints (and so screencasts) only the tab in front.
                    m_cdp->send(u"Page.bringToFront"_s, Json::object(), {}, m_session);
                    m_cdp->send(u"Page.startScreencast"_s,
                                {{"format", "jpeg"}, {"quality", 75}, {"maxWidth", viewport.width},
                                 {"maxHeight", viewport.height}, {"everyNthFrame", 1}},
                                {}, m_session);
                    sendMeta();
                });
}

void ViewerSession::fromPage(const QString &message)
{
    if (m_session.isEmpty())
        return;
    const auto input = parseViewerInput(message.toUtf8());
    if (!input) {
        qCDebug(lcViewer).noquote() << m_sandboxId << "dropped a viewer message:" << input.error();
        return;
    }
    // Only a person the lease lets act drives the browser; otherwise the page is watch-only.
    if (!m_control->viewerMayAct(m_sandboxId))
        return;
    m_cdp->send(input->method, input->params, {}, m_session);
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
