// SPDX-License-Identifier: MIT
#pragma once

#include "core/json.h"

#include <QList>
#include <QObject>
#include <QPointer>
#include <QUrl>
#include <QWebSocketServer>

class QWebSocket;

namespace banata::test {

/**
 * A `/v1/events` WebSocket endpoint on a free loopback port for unit tests: records every
 * handshake (with its `since=`), sends events with growing sequence numbers, and drops clients on
 * demand. Pair it with a FakeNetworkAccessManager for the HTTP routes: point the client at
 * httpUrl(); the fake answers the HTTP requests and this server the WebSocket.
 */
class FakeEventServer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FakeEventServer)

public:
    explicit FakeEventServer(QObject *parent = nullptr);
    ~FakeEventServer() override;

    bool isListening() const { return m_server.isListening(); }
    /// http://127.0.0.1:<port>/: the base URL for an ApiClient whose stream should land here.
    QUrl httpUrl() const;
    /// Clients connected right now.
    int connectionCount() const;
    /// Every handshake's URL, oldest first (query `since=N` when the client resumed).
    const QList<QUrl> &handshakes() const { return m_handshakes; }

    /// Sends an event to every client; returns its seq.
    qint64 sendEvent(const QString &type, const QString &sandboxId, const Json &data = Json::object());
    /// Sends any text (malformed events, resets).
    void sendText(const QString &text);
    /// The seq the next event gets.
    void setNextSeq(qint64 seq) { m_nextSeq = seq; }
    qint64 lastSeq() const { return m_nextSeq - 1; }
    /// Aborts every connection, as a crash or a network drop would.
    void dropAll();

Q_SIGNALS:
    void clientConnected(const QUrl &url);

private:
    QWebSocketServer m_server;
    QList<QPointer<QWebSocket>> m_sockets;
    QList<QUrl> m_handshakes;
    qint64 m_nextSeq = 1;
};

} // namespace banata::test
