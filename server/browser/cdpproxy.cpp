// SPDX-License-Identifier: MIT
#include "cdpproxy.h"

#include "core/json.h"
#include "server/control/controlregistry.h"
#include "server/events/eventhub.h"

#include <QLoggingCategory>
#include <QWebSocket>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcCdpProxy, "banata.server.browser.cdpproxy", QtInfoMsg)

namespace banata::server {

namespace {
constexpr auto kHeldBack = "Held back: a human holds control of this browser (banata handoff)";
}

CdpProxy::CdpProxy(QWebSocket *client, const QUrl &browserEndpoint, const QString &sandboxId,
                   ControlRegistry *control, EventHub *events, QObject *parent)
    : QObject(parent)
    , m_client(client)
    , m_browser(new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this))
    , m_sandboxId(sandboxId)
    , m_control(control)
    , m_events(events)
{
    m_client->setParent(this);
    connect(m_client, &QWebSocket::textMessageReceived, this, &CdpProxy::fromClient);
    connect(m_client, &QWebSocket::disconnected, this, [this] { finish(u"client closed"_s); });
    connect(m_browser, &QWebSocket::textMessageReceived, this,
            [this](const QString &message) { m_client->sendTextMessage(message); });
    connect(m_browser, &QWebSocket::connected, this, [this] {
        for (const QString &message : std::exchange(m_queued, {}))
            fromClient(message);
    });
    connect(m_browser, &QWebSocket::disconnected, this, [this] { finish(u"browser closed"_s); });
    // Qt 6.4 names it error(); a refused connection may never report disconnected().
    connect(m_browser, QOverload<QAbstractSocket::SocketError>::of(&QWebSocket::error), this, [this](QAbstractSocket::SocketError) {
        if (m_browser->state() != QAbstractSocket::ConnectedState)
            finish(u"browser unreachable: "_s + m_browser->errorString());
    });
    m_browser->open(browserEndpoint);
    qCInfo(lcCdpProxy).noquote() << m_sandboxId << "CDP client connected from" << m_client->peerAddress().toString();
    m_events->publish(u"sandbox.browser.cdp.connected"_s, m_sandboxId,
                      {{"peer", toStd(m_client->peerAddress().toString())}});
}

CdpProxy::~CdpProxy()
{
    m_client->disconnect(this);
    m_browser->disconnect(this);
}

bool CdpProxy::isInputMethod(const QString &method)
{
    return method.startsWith(u"Input."_s);
}

void CdpProxy::fromClient(const QString &message)
{
    if (m_browser->state() != QAbstractSocket::ConnectedState) {
        m_queued.append(message);
        return;
    }
    if (!m_control->agentMayAct(m_sandboxId)) {
        // Only messages that parse as commands can be input; anything else goes through as is.
        const auto parsed = parseJson(message.toUtf8());
        if (parsed && parsed->is_object() && parsed->contains("method") && (*parsed)["method"].is_string() &&
            isInputMethod(fromStd((*parsed)["method"].get<std::string>()))) {
            Json answer = {{"id", parsed->value("id", Json())}, {"error", {{"code", -32000}, {"message", kHeldBack}}}};
            if (parsed->contains("sessionId"))
                answer["sessionId"] = (*parsed)["sessionId"];
            ++m_heldBack;
            m_client->sendTextMessage(QString::fromUtf8(dumpJson(answer)));
            return;
        }
    }
    ++m_forwarded;
    m_browser->sendTextMessage(message);
}

void CdpProxy::finish(const QString &reason)
{
    if (m_finished)
        return;
    m_finished = true;
    qCInfo(lcCdpProxy).noquote() << m_sandboxId << "CDP client disconnected:" << reason << "forwarded" << m_forwarded
                                 << "held back" << m_heldBack;
    m_events->publish(u"sandbox.browser.cdp.disconnected"_s, m_sandboxId,
                      {{"reason", toStd(reason)}, {"forwarded", m_forwarded}, {"heldBack", m_heldBack}});
    m_client->close();
    m_browser->close();
    deleteLater();
}

} // namespace banata::server
