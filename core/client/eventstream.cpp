// SPDX-License-Identifier: MIT
#include "core/client/eventstream.h"

#include "core/client/eventmessage.h"

#include <QLoggingCategory>
#include <QNetworkRequest>
#include <QWebSocket>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

Q_LOGGING_CATEGORY(lcEvents, "banata.core.client.events")

namespace banata {

namespace {
constexpr quint64 kMaxMessageSize = 16 * 1024 * 1024; // one event is small; refuse a flood
constexpr auto kKeepAliveInterval = 30s;
} // namespace

EventStream::EventStream(QUrl baseUrl, QString apiKey, QObject *parent)
    : QObject(parent)
    , m_baseUrl(std::move(baseUrl))
    , m_apiKey(std::move(apiKey))
{
    m_reconnectTimer.setSingleShot(true);
    connect(&m_reconnectTimer, &QTimer::timeout, this, &EventStream::connectNow);
    m_keepAliveTimer.setInterval(kKeepAliveInterval);
    connect(&m_keepAliveTimer, &QTimer::timeout, this, &EventStream::onKeepAlive);
}

EventStream::~EventStream()
{
    m_running = false;
    dropSocket();
}

QUrl EventStream::streamUrl() const
{
    QUrl url = m_baseUrl;
    url.setScheme(m_baseUrl.scheme() == u"https" || m_baseUrl.scheme() == u"wss" ? u"wss"_s : u"ws"_s);
    QString basePath = m_baseUrl.path();
    while (basePath.endsWith(u'/'))
        basePath.chop(1);
    url.setPath(basePath + u"/v1/events"_s);
    url.setQuery(m_lastSeq >= 0 ? u"since="_s + QString::number(m_lastSeq) : QString());
    url.setFragment(QString());
    return url;
}

void EventStream::setReconnectDelays(std::chrono::milliseconds initial, std::chrono::milliseconds maximum)
{
    m_initialDelay = std::max(initial, std::chrono::milliseconds(1));
    m_maxDelay = std::max(maximum, m_initialDelay);
    m_nextDelay = m_initialDelay;
}

void EventStream::setKeepAliveInterval(std::chrono::milliseconds interval)
{
    if (interval.count() <= 0) {
        m_keepAliveTimer.stop();
        m_keepAliveTimer.setInterval(0ms);
        return;
    }
    m_keepAliveTimer.setInterval(interval);
    if (m_state == State::Connected)
        m_keepAliveTimer.start();
}

void EventStream::start(qint64 since)
{
    m_reconnectTimer.stop();
    dropSocket();
    m_running = true;
    m_lastSeq = since >= 0 ? since : -1;
    m_nextDelay = m_initialDelay;
    connectNow();
}

void EventStream::stop()
{
    m_running = false;
    m_reconnectTimer.stop();
    dropSocket();
    setState(State::Disconnected, u"Stopped"_s);
}

void EventStream::connectNow()
{
    if (!m_running)
        return;
    dropSocket();
    auto *socket = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
    m_socket = socket;
    m_lastError.clear();
    socket->setMaxAllowedIncomingMessageSize(kMaxMessageSize);
    connect(socket, &QWebSocket::connected, this, &EventStream::onConnected);
    connect(socket, &QWebSocket::textMessageReceived, this, &EventStream::onTextMessage);
    connect(socket, &QWebSocket::binaryMessageReceived, this,
            [this] { Q_EMIT protocolError(u"Skipped a binary message"_s); });
    connect(socket, &QWebSocket::pong, this, [this] { m_awaitingPong = false; });
    connect(socket, &QWebSocket::disconnected, this, [this, socket] { onSocketGone(socket); });
    connect(socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this, [this, socket](QAbstractSocket::SocketError) {
        m_lastError = socket->errorString();
        // Not every failure is followed by `disconnected` (a refused handshake, say); make sure.
        QTimer::singleShot(0, this, [this, guard = QPointer<QWebSocket>(socket)] { onSocketGone(guard); });
    });

    QNetworkRequest request(streamUrl());
    request.setRawHeader("Authorization"_ba, "Bearer "_ba + m_apiKey.toUtf8());
    qCDebug(lcEvents) << "connecting to" << request.url().toDisplayString();
    setState(State::Connecting, QString());
    if (m_socket == socket) // a slot may have stopped us
        socket->open(request);
}

void EventStream::onConnected()
{
    qCInfo(lcEvents) << "connected, since" << m_lastSeq;
    m_nextDelay = m_initialDelay;
    m_awaitingPong = false;
    if (m_keepAliveTimer.interval() > 0)
        m_keepAliveTimer.start();
    setState(State::Connected, QString());
}

void EventStream::onTextMessage(const QString &message)
{
    m_awaitingPong = false; // anything received proves the connection alive
    const EventMessage read = readEventMessage(message.toUtf8(), m_lastSeq);
    switch (read.kind) {
    case EventMessage::Kind::Malformed:
        qCWarning(lcEvents) << "skipped a malformed event:" << read.error;
        Q_EMIT protocolError(u"Skipped a malformed event: "_s + read.error);
        return;
    case EventMessage::Kind::Reset:
        qCInfo(lcEvents) << "stream reset at seq" << read.event.seq << "(had" << m_lastSeq << ")";
        m_lastSeq = read.event.seq; // may go down: the server's numbering is what counts now
        Q_EMIT resetRequired();
        return;
    case EventMessage::Kind::Duplicate:
        qCDebug(lcEvents) << "dropped duplicate event" << read.event.seq;
        return;
    case EventMessage::Kind::Deliver:
        m_lastSeq = read.event.seq;
        Q_EMIT eventReceived(read.event);
        return;
    }
}

void EventStream::onSocketGone(QWebSocket *socket)
{
    if (!socket || socket != m_socket)
        return; // already handled, or an old connection
    QString reason = socket->closeReason();
    if (reason.isEmpty())
        reason = m_lastError;
    if (reason.isEmpty())
        reason = socket->errorString();
    dropSocket();
    qCInfo(lcEvents) << "disconnected:" << reason;
    setState(State::Disconnected, reason);
    if (!m_running)
        return;
    m_reconnectTimer.start(m_nextDelay);
    m_nextDelay = std::min(m_nextDelay * 2, m_maxDelay);
}

void EventStream::onKeepAlive()
{
    if (!m_socket)
        return;
    if (m_awaitingPong) {
        m_lastError = u"The server stopped answering pings"_s;
        onSocketGone(m_socket);
        return;
    }
    m_awaitingPong = true;
    m_socket->ping();
}

void EventStream::dropSocket()
{
    m_keepAliveTimer.stop();
    m_awaitingPong = false;
    QWebSocket *socket = m_socket;
    if (!socket)
        return;
    m_socket = nullptr;
    disconnect(socket, nullptr, this, nullptr);
    socket->abort();
    socket->deleteLater();
}

void EventStream::setState(State state, const QString &reason)
{
    if (state == m_state)
        return;
    m_state = state;
    Q_EMIT connectionStateChanged(state, reason);
}

} // namespace banata
