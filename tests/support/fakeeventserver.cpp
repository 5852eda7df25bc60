// SPDX-License-Identifier: MIT
#include "support/fakeeventserver.h"

#include <QDateTime>
#include <QWebSocket>

using namespace Qt::StringLiterals;

namespace banata::test {

FakeEventServer::FakeEventServer(QObject *parent)
    : QObject(parent)
    , m_server(u"banata-fake-events"_s, QWebSocketServer::NonSecureMode)
{
    connect(&m_server, &QWebSocketServer::newConnection, this, [this] {
        while (QWebSocket *socket = m_server.nextPendingConnection()) {
            socket->setParent(this);
            m_sockets.append(socket);
            m_handshakes.append(socket->requestUrl());
            connect(socket, &QWebSocket::disconnected, socket, &QObject::deleteLater);
            Q_EMIT clientConnected(socket->requestUrl());
        }
    });
    m_server.listen(QHostAddress::LocalHost, 0);
}

FakeEventServer::~FakeEventServer()
{
    for (const QPointer<QWebSocket> &socket : std::as_const(m_sockets))
        delete socket.data();
}

QUrl FakeEventServer::httpUrl() const
{
    return QUrl(u"http://127.0.0.1:%1/"_s.arg(m_server.serverPort()));
}

int FakeEventServer::connectionCount() const
{
    int count = 0;
    for (const QPointer<QWebSocket> &socket : m_sockets)
        count += socket && socket->state() == QAbstractSocket::ConnectedState ? 1 : 0;
    return count;
}

qint64 FakeEventServer::sendEvent(const QString &type, const QString &sandboxId, const Json &data)
{
    const qint64 seq = m_nextSeq++;
    Json event = {{"seq", seq},
                  {"type", toStd(type)},
                  {"sandboxId", sandboxId.isEmpty() ? Json(nullptr) : Json(toStd(sandboxId))},
                  {"timestamp", QDateTime::currentMSecsSinceEpoch()},
                  {"data", data}};
    sendText(QString::fromUtf8(dumpJson(event)));
    return seq;
}

void FakeEventServer::sendText(const QString &text)
{
    for (const QPointer<QWebSocket> &socket : std::as_const(m_sockets)) {
        if (socket && socket->state() == QAbstractSocket::ConnectedState)
            socket->sendTextMessage(text);
    }
}

void FakeEventServer::dropAll()
{
    for (const QPointer<QWebSocket> &socket : std::as_const(m_sockets)) {
        if (socket)
            socket->abort();
    }
}

} // namespace banata::test
