// SPDX-License-Identifier: MIT
#include "httpserver.h"

#include "httpconnection.h"
#include "httproutes.h"

#include <QLoggingCategory>
#include <QTcpServer>
#include <QTcpSocket>
#include <QWebSocket>
#include <QWebSocketServer>

using namespace Qt::StringLiterals;

namespace banata::server {

Q_LOGGING_CATEGORY(lcHttpServer, "banata.server.http.server", QtInfoMsg)

HttpServer::HttpServer(QObject *parent)
    : QObject(parent)
    , m_context(std::make_unique<HttpServerContext>())
    , m_tcpServer(new QTcpServer(this))
    , m_webSocketServer(new QWebSocketServer(u"banata-local"_s, QWebSocketServer::NonSecureMode, this))
{
    m_context->handOffWebSocket = [this](QTcpSocket *socket, HttpRequest request, WebSocketHandler handler) {
        handOffWebSocket(socket, std::move(request), std::move(handler));
    };
    connect(m_tcpServer, &QTcpServer::newConnection, this, &HttpServer::acceptConnections);
    connect(m_webSocketServer, &QWebSocketServer::newConnection, this, &HttpServer::takeWebSockets);
}

HttpServer::~HttpServer()
{
    m_tcpServer->close();
    // Connections refer to m_context, which dies before QObject deletes our children.
    const QSet<HttpConnection *> connections = std::exchange(m_connections, {});
    qDeleteAll(connections);
}

bool HttpServer::listen(const QHostAddress &address, quint16 port)
{
    if (!m_tcpServer->listen(address, port)) {
        qCWarning(lcHttpServer) << "cannot listen on" << address << port << ":" << m_tcpServer->errorString();
        return false;
    }
    qCDebug(lcHttpServer) << "listening on" << m_tcpServer->serverAddress() << m_tcpServer->serverPort();
    return true;
}

quint16 HttpServer::port() const
{
    return m_tcpServer->serverPort();
}

QString HttpServer::errorString() const
{
    return m_tcpServer->errorString();
}

void HttpServer::route(const QByteArray &method, const QString &path, Handler handler, qint64 maxBodyBytes)
{
    m_context->routes.addBuffered(method, path, std::move(handler), maxBodyBytes);
}

void HttpServer::streamRoute(const QByteArray &method, const QString &path, StreamHandler handler)
{
    m_context->routes.addStreamed(method, path, std::move(handler));
}

void HttpServer::webSocketRoute(const QString &path, UpgradeCheck check, WebSocketHandler handler)
{
    m_context->routes.addWebSocket(path, std::move(check), std::move(handler));
}

void HttpServer::setGuard(std::function<std::optional<HttpResponse>(const HttpRequest &)> guard)
{
    m_context->guard = std::move(guard);
}

void HttpServer::setTimeouts(std::chrono::milliseconds headerTimeout, std::chrono::milliseconds idleTimeout)
{
    m_context->headerTimeout = std::max(headerTimeout, std::chrono::milliseconds(1));
    m_context->idleTimeout = std::max(idleTimeout, std::chrono::milliseconds(1));
}

void HttpServer::setMaxConnections(int maximum)
{
    m_maxConnections = std::max(1, maximum);
}

int HttpServer::connectionCount() const
{
    return int(m_connections.size());
}

void HttpServer::acceptConnections()
{
    while (m_tcpServer->hasPendingConnections()) {
        QTcpSocket *socket = m_tcpServer->nextPendingConnection();
        if (!socket)
            break;
        if (m_connections.size() >= m_maxConnections) {
            rejectConnection(socket);
            continue;
        }
        auto *connection = new HttpConnection(socket, m_context.get(), this);
        m_connections.insert(connection);
        connect(connection, &QObject::destroyed, this, [this, connection] { m_connections.remove(connection); });
    }
}

void HttpServer::rejectConnection(QTcpSocket *socket)
{
    // Rate-limited: a connection flood must not also flood the log.
    if (m_rejectedConnections++ % 100 == 0)
        qCWarning(lcHttpServer) << "connection limit" << m_maxConnections << "reached; refused"
                                << m_rejectedConnections << "connection(s) so far";
    HttpResponse response = HttpResponse::error(503, u"Too many connections"_s, u"SERVICE_UNAVAILABLE"_s);
    response.setHeader("Retry-After"_ba, "1"_ba);
    socket->write(serializeResponseHead(response, BodyFraming::Length, response.body().size(), true, false)
                  + response.body());
    connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    socket->disconnectFromHost();
}

void HttpServer::handOffWebSocket(QTcpSocket *socket, HttpRequest request, WebSocketHandler handler)
{
    m_pendingUpgrades.append(PendingUpgrade{socket, socket->peerAddress(), socket->peerPort(),
                                            std::move(request), std::move(handler)});
    // A failed handshake deletes the socket without a newConnection; forget it then.
    connect(socket, &QObject::destroyed, this, [this, socket] {
        m_pendingUpgrades.removeIf([socket](const PendingUpgrade &p) { return p.socket == socket; });
    });
    m_webSocketServer->handleConnection(socket);
}

void HttpServer::takeWebSockets()
{
    while (QWebSocket *webSocket = m_webSocketServer->nextPendingConnection()) {
        // QWebSocket does not expose its QTcpSocket; the peer address and port identify it.
        const auto it = std::find_if(m_pendingUpgrades.begin(), m_pendingUpgrades.end(), [&](const PendingUpgrade &p) {
            return p.port == webSocket->peerPort() && p.address == webSocket->peerAddress();
        });
        if (it == m_pendingUpgrades.end()) {
            qCWarning(lcHttpServer) << "unexpected WebSocket from" << webSocket->peerAddress() << webSocket->peerPort();
            webSocket->abort();
            webSocket->deleteLater();
            continue;
        }
        PendingUpgrade upgrade = std::move(*it);
        m_pendingUpgrades.erase(it);
        if (upgrade.handler) {
            upgrade.handler(webSocket, upgrade.request);
        } else {
            webSocket->close();
            webSocket->deleteLater();
        }
    }
}

} // namespace banata::server
