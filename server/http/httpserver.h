// SPDX-License-Identifier: MIT
#pragma once

#include "httphandlers.h"
#include "httprange.h"
#include "httprequest.h"
#include "httpresponder.h"
#include "httpresponse.h"

#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QSet>
#include <QString>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>

class QTcpServer;
class QTcpSocket;
class QWebSocketServer;

namespace banata::server {

class HttpConnection;
struct HttpServerContext;

/// An HTTP/1.1 server on QTcpServer with exact-path routes, streamed bodies and WebSocket upgrades.
///
/// Usage: register routes, optionally a guard and timeouts, then listen(). Everything runs on the
/// thread the server lives in; handlers are called there and must not block.
class HttpServer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpServer)

public:
    explicit HttpServer(QObject *parent = nullptr);
    ~HttpServer() override;

    bool listen(const QHostAddress &address, quint16 port); // port 0 = random
    quint16 port() const;
    QString errorString() const;

    /// A route whose body is read into HttpRequest::body first; larger bodies get 413.
    void route(const QByteArray &method, const QString &path, Handler handler, qint64 maxBodyBytes = 1 << 20);
    /// A route whose body is handed to a BodyConsumer as it arrives.
    void streamRoute(const QByteArray &method, const QString &path, StreamHandler handler);
    /// GET requests carrying `Upgrade: websocket` on \a path; \a check may refuse with a response.
    void webSocketRoute(const QString &path, UpgradeCheck check, WebSocketHandler handler);
    /// Runs after headers are parsed, before any route (buffered, streamed or websocket), e.g. auth.
    /// A returned response is sent instead of the route. It also runs for unknown paths, so
    /// unauthenticated clients cannot probe which routes exist.
    void setGuard(std::function<std::optional<HttpResponse>(const HttpRequest &)> guard);
    /// Header timeout: from connection (or first byte of a request) to its complete head; idle
    /// timeout: keep-alive wait and stalled bodies in either direction. Defaults 30 s / 60 s.
    void setTimeouts(std::chrono::milliseconds headerTimeout, std::chrono::milliseconds idleTimeout);
    /// Connections beyond \a maximum (default 1024) are answered 503 and closed.
    void setMaxConnections(int maximum);
    int connectionCount() const;

private:
    void acceptConnections();
    void rejectConnection(QTcpSocket *socket);
    void handOffWebSocket(QTcpSocket *socket, HttpRequest request, WebSocketHandler handler);
    void takeWebSockets();

    /// A socket handed to QWebSocketServer whose handshake is not complete yet.
    struct PendingUpgrade
    {
        const QTcpSocket *socket = nullptr; // identity only; QWebSocketServer owns it
        QHostAddress address;
        quint16 port = 0;
        HttpRequest request;
        WebSocketHandler handler;
    };

    std::unique_ptr<HttpServerContext> m_context;
    QTcpServer *m_tcpServer;
    QWebSocketServer *m_webSocketServer;
    QSet<HttpConnection *> m_connections;
    QList<PendingUpgrade> m_pendingUpgrades;
    int m_maxConnections = 1024;
    quint64 m_rejectedConnections = 0;
};

} // namespace banata::server
