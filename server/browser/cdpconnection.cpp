// SPDX-License-Identifier: MIT
#include "cdpconnection.h"
#include "cdpjson.h"

#include <QLoggingCategory>
#include <QWebSocket>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcCdp, "banata.server.browser.cdp", QtInfoMsg)

namespace banata::server {

CdpConnection::CdpConnection(QObject *parent)
    : QObject(parent)
    , m_socket(new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this))
{
    // Screencast frames are large JSON text messages; the default limits are generous enough.
    connect(m_socket, &QWebSocket::connected, this, [this] {
        m_open = true;
        emit opened();
    });
    connect(m_socket, &QWebSocket::disconnected, this, [this] {
        const bool wasOpen = m_open;
        m_open = false;
        const QString reason = m_socket->closeReason().isEmpty() ? m_socket->errorString() : m_socket->closeReason();
        failPending(reason);
        if (wasOpen || !reason.isEmpty())
            emit closed(reason);
    });
    connect(m_socket, &QWebSocket::textMessageReceived, this, &CdpConnection::onMessage);
    // Qt 6.4 names it error(); a refused connection may never report disconnected().
    connect(m_socket, QOverload<QAbstractSocket::SocketError>::of(&QWebSocket::error), this, [this](QAbstractSocket::SocketError) {
        if (!m_open && m_socket->state() != QAbstractSocket::ConnectedState)
            emit closed(m_socket->errorString());
    });
}

CdpConnection::~CdpConnection()
{
    // Callbacks may capture objects that are going away with us: never call them from here.
    m_pending.clear();
    m_socket->disconnect(this);
    m_socket->abort();
}

void CdpConnection::open(const QUrl &url)
{
    m_socket->open(url);
}

void CdpConnection::send(const QString &method, Json params, Reply reply, const QString &sessionId)
{
    if (!m_open) {
        if (reply)
            reply(false, Json{{"code", -32000}, {"message", "the browser is not connected"}});
        return;
    }
    const qint64 id = m_nextId++;
    Json message = {{"id", id}, {"method", toStd(method)}, {"params", params.is_null() ? Json::object() : std::move(params)}};
    if (!sessionId.isEmpty())
        message["sessionId"] = toStd(sessionId);
    if (reply)
        m_pending.insert(id, std::move(reply));
    m_socket->sendTextMessage(QString::fromUtf8(dumpJson(message)));
}

void CdpConnection::onMessage(const QString &text)
{
    auto parsed = parseJson(text.toUtf8());
    if (!parsed || !parsed->is_object()) {
        qCWarning(lcCdp) << "unparseable CDP message from the browser";
        return;
    }
    // Only objects go on as results, errors and params (see cdpjson.h: Chromium is untrusted).
    const Json &message = *parsed;
    const QString sessionId = fromStd(cdpString(message, "sessionId"));
    if (message.contains("id") && message["id"].is_number_integer()) {
        const Reply reply = m_pending.take(message["id"].get<qint64>());
        if (!reply)
            return;
        if (message.contains("error"))
            reply(false, cdpObject(message, "error"));
        else
            reply(true, cdpObject(message, "result"));
        return;
    }
    if (const std::string method = cdpString(message, "method"); !method.empty())
        emit event(fromStd(method), cdpObject(message, "params"), sessionId);
}

void CdpConnection::failPending(const QString &reason)
{
    const auto pending = std::exchange(m_pending, {});
    for (const Reply &reply : pending)
        reply(false, Json{{"code", -32000}, {"message", toStd(u"the browser connection closed: "_s + reason)}});
}

} // namespace banata::server
