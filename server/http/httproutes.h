// SPDX-License-Identifier: MIT
#pragma once

#include "httphandlers.h"

#include <QByteArray>
#include <QHash>
#include <QString>

#include <chrono>
#include <optional>

class QTcpSocket;

namespace banata::server {

/// The route table of one HttpServer: exact paths, each with per-method routes and an optional
/// WebSocket route.
class HttpRoutes
{
public:
    /// What a request resolves to; handlers are copies so later registrations cannot invalidate them.
    struct Match
    {
        enum class Kind { NotFound, MethodNotAllowed, UpgradeRequired, Buffered, Streamed, WebSocket };
        Kind kind = Kind::NotFound;
        Handler handler;
        qint64 maxBodyBytes = 0;
        StreamHandler streamHandler;
        UpgradeCheck upgradeCheck;
        WebSocketHandler webSocketHandler;
        QByteArray allow; // for MethodNotAllowed, e.g. "GET, HEAD"
    };

    void addBuffered(const QByteArray &method, const QString &path, Handler handler, qint64 maxBodyBytes);
    void addStreamed(const QByteArray &method, const QString &path, StreamHandler handler);
    void addWebSocket(const QString &path, UpgradeCheck check, WebSocketHandler handler);
    /// HEAD falls back to the GET route; \a wantsWebSocket selects the WebSocket route of a path.
    Match match(const QByteArray &method, const QString &path, bool wantsWebSocket) const;

private:
    /// One method on one path: exactly one of the two handlers is set.
    struct Route
    {
        Handler handler;             // set for buffered routes
        StreamHandler streamHandler; // set for streamed routes
        qint64 maxBodyBytes = 0;
    };
    /// The upgrade decision and the receiver of accepted sockets for one path.
    struct WebSocketRoute
    {
        UpgradeCheck check;
        WebSocketHandler handler;
    };
    /// Everything registered for one exact path.
    struct PathRoutes
    {
        QHash<QByteArray, Route> methods;
        std::optional<WebSocketRoute> webSocket;
    };
    QHash<QString, PathRoutes> m_paths;
};

/// Everything an HttpServer shares with its connections.
struct HttpServerContext
{
    HttpRoutes routes;
    Guard guard;
    std::chrono::milliseconds headerTimeout{30'000};
    std::chrono::milliseconds idleTimeout{60'000};
    /// Takes over a socket whose upgrade was accepted; its handshake bytes are still unread.
    std::function<void(QTcpSocket *, HttpRequest, WebSocketHandler)> handOffWebSocket;
};

} // namespace banata::server
