// SPDX-License-Identifier: MIT
#include "httproutes.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace banata::server {

void HttpRoutes::addBuffered(const QByteArray &method, const QString &path, Handler handler,
                             qint64 maxBodyBytes)
{
    Route &route = m_paths[path].methods[method.toUpper()];
    route = Route{std::move(handler), {}, std::max<qint64>(0, maxBodyBytes)};
}

void HttpRoutes::addStreamed(const QByteArray &method, const QString &path, StreamHandler handler)
{
    Route &route = m_paths[path].methods[method.toUpper()];
    route = Route{{}, std::move(handler), 0};
}

void HttpRoutes::addWebSocket(const QString &path, UpgradeCheck check, WebSocketHandler handler)
{
    m_paths[path].webSocket = WebSocketRoute{std::move(check), std::move(handler)};
}

HttpRoutes::Match HttpRoutes::match(const QByteArray &method, const QString &path, bool wantsWebSocket) const
{
    Match match;
    const auto pathIt = m_paths.constFind(path);
    if (pathIt == m_paths.cend())
        return match;
    const PathRoutes &routes = *pathIt;

    if (wantsWebSocket && routes.webSocket && method == "GET") {
        match.kind = Match::Kind::WebSocket;
        match.upgradeCheck = routes.webSocket->check;
        match.webSocketHandler = routes.webSocket->handler;
        return match;
    }

    auto routeIt = routes.methods.constFind(method);
    if (routeIt == routes.methods.cend() && method == "HEAD")
        routeIt = routes.methods.constFind("GET"_ba);
    if (routeIt != routes.methods.cend()) {
        if (routeIt->streamHandler) {
            match.kind = Match::Kind::Streamed;
            match.streamHandler = routeIt->streamHandler;
        } else {
            match.kind = Match::Kind::Buffered;
            match.handler = routeIt->handler;
            match.maxBodyBytes = routeIt->maxBodyBytes;
        }
        return match;
    }

    if (routes.methods.isEmpty() && routes.webSocket && method == "GET") {
        match.kind = Match::Kind::UpgradeRequired;
        return match;
    }

    QList<QByteArray> allowed = routes.methods.keys();
    if (routes.methods.contains("GET"_ba) && !routes.methods.contains("HEAD"_ba))
        allowed.append("HEAD"_ba);
    if (routes.webSocket && !allowed.contains("GET"_ba))
        allowed.append("GET"_ba);
    std::sort(allowed.begin(), allowed.end());
    match.kind = Match::Kind::MethodNotAllowed;
    match.allow = allowed.join(", ");
    return match;
}

} // namespace banata::server
