// SPDX-License-Identifier: MIT
#include "httpconnection.h"

#include "httpbodysender.h"

#include <QLoggingCategory>
#include <QTcpSocket>

#include <exception>

using namespace Qt::StringLiterals;

namespace banata::server {

Q_LOGGING_CATEGORY(lcHttpConnection, "banata.server.http.connection", QtInfoMsg)

namespace {

// Caps what Qt buffers per connection; also the backpressure for streamed uploads. It must stay
// well above the header limits because an open read transaction keeps the whole head buffered.
constexpr qint64 ReadBufferBytes = 256 * 1024;
constexpr qsizetype ParseChunkBytes = 64 * 1024;
// Never pre-allocate more than this for a declared Content-Length the client may not send.
constexpr qint64 MaxBodyReserveBytes = 8 * 1024 * 1024;

bool hasToken(const QByteArray &headerValue, QByteArrayView token)
{
    for (const QByteArray &part : headerValue.split(',')) {
        if (part.trimmed().compare(token, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

} // namespace

HttpConnection::HttpConnection(QTcpSocket *socket, HttpServerContext *context, QObject *parent)
    : QObject(parent)
    , m_socket(socket)
    , m_context(context)
    , m_peerAddress(socket->peerAddress())
    , m_peerPort(socket->peerPort())
{
    m_socket->setParent(this);
    m_socket->setReadBufferSize(ReadBufferBytes);
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    m_parser.setBodySink([this](QByteArrayView chunk) { return onBody(chunk); });
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &HttpConnection::onTimer);
    connect(m_socket, &QTcpSocket::readyRead, this, &HttpConnection::onReadyRead);
    connect(m_socket, &QTcpSocket::bytesWritten, this, &HttpConnection::onBytesWritten);
    connect(m_socket, &QTcpSocket::disconnected, this, &HttpConnection::onDisconnected);
    // Keeps the request's bytes restorable until we know whether it is a WebSocket handshake.
    m_socket->startTransaction();
    arm(Timeout::Header, m_context->headerTimeout);
    qCDebug(lcHttpConnection) << "connection from" << m_peerAddress << m_peerPort;
    if (m_socket->state() != QAbstractSocket::ConnectedState)
        close();
    else if (m_socket->bytesAvailable() > 0)
        QMetaObject::invokeMethod(this, &HttpConnection::processInput, Qt::QueuedConnection);
}

HttpConnection::~HttpConnection()
{
    // Our children die in creation order, the socket first; the sender must let go of it before.
    if (m_sender)
        m_sender->stop();
    if (m_slot)
        m_slot->connection = nullptr;
    if (m_consumer && !m_consumerFinished)
        m_consumer->abort();
}

bool HttpConnection::isClientConnected() const
{
    return !m_closed && !m_handedOff && !m_lingering && m_socket
        && m_socket->state() == QAbstractSocket::ConnectedState;
}

void HttpConnection::deliver(const detail::ResponseSlot *slot, HttpResponse response)
{
    if (m_closed || m_handedOff || !m_slot || slot != m_slot.get() || m_responseStarted)
        return;
    // Inside a handler or consumer call: send once that call has returned.
    if (m_userCallDepth > 0 || m_inFeed) {
        m_pendingResponse = std::move(response);
        return;
    }
    sendResponse(std::move(response));
}

template<typename Function>
void HttpConnection::callUser(const char *what, Function &&function)
{
    ++m_userCallDepth;
    QString failure;
    try {
        function();
    } catch (const std::exception &e) {
        failure = QString::fromLocal8Bit(e.what());
    } catch (...) {
        failure = u"unknown exception"_s;
    }
    --m_userCallDepth;
    if (failure.isNull())
        return;
    qCWarning(lcHttpConnection) << what << "threw for" << m_request.method << m_request.path << ":" << failure;
    if (m_slot && !m_slot->responded)
        respondInternal(HttpResponse::error(500, u"Internal server error"_s, u"INTERNAL"_s), true);
}

void HttpConnection::processInput()
{
    if (m_inProcess) {
        m_processAgain = true;
        return;
    }
    m_inProcess = true;
    do {
        m_processAgain = false;
        parseAvailable();
    } while (m_processAgain && wantsInput());
    m_inProcess = false;
}

bool HttpConnection::wantsInput() const
{
    return !m_closed && !m_handedOff && !m_closing && !m_requestComplete
        && !(m_responseStarted && m_closeAfterResponse);
}

void HttpConnection::parseAvailable()
{
    char buffer[ParseChunkBytes];
    while (wantsInput()) {
        if (m_socket->bytesAvailable() <= 0)
            return;
        if (!m_requestStarted) {
            m_requestStarted = true;
            if (m_timeout == Timeout::Idle)
                arm(Timeout::Header, m_context->headerTimeout);
        }
        if (m_headersDone)
            touch();
        // Peek, then skip only what the parser consumed: the rest belongs to the next step.
        const qint64 peeked = m_socket->peek(buffer, ParseChunkBytes);
        if (peeked <= 0)
            return;
        m_inFeed = true;
        const HttpRequestParser::Step step = m_parser.feed(QByteArrayView(buffer, peeked));
        m_inFeed = false;
        if (step.consumed > 0)
            m_socket->skip(step.consumed);
        switch (step.event) {
        case HttpRequestParser::Event::NeedMoreData:
            if (step.consumed == 0) {
                qCWarning(lcHttpConnection) << "parser made no progress; closing";
                close();
                return;
            }
            break;
        case HttpRequestParser::Event::HeadersComplete:
            onHeadersComplete();
            if (!m_closed && !m_handedOff)
                m_parser.resume();
            break;
        case HttpRequestParser::Event::MessageComplete:
            onMessageComplete();
            break;
        case HttpRequestParser::Event::BodyRejected:
            break; // the response queued by onBody() says why
        case HttpRequestParser::Event::Error:
            onParseError();
            break;
        }
        if (m_handedOff)
            return;
        flushPendingResponse();
    }
}

void HttpConnection::onHeadersComplete()
{
    m_headersDone = true;
    m_request = m_parser.takeRequest();
    m_request.peerAddress = m_peerAddress;
    m_isHead = m_request.method == "HEAD";
    m_keepAlive = m_parser.keepAlive();
    m_http10 = m_parser.isHttp10();
    m_bodyExpected = m_parser.hasBody();
    m_slot = std::make_shared<detail::ResponseSlot>();
    m_slot->connection = this;
    m_exchangeTimer.start();
    if (m_bodyExpected)
        arm(Timeout::Body, m_context->idleTimeout);
    else
        arm(Timeout::None, {});
    dispatchHeaders();
    if (!m_handedOff && m_socket && m_socket->isTransactionStarted())
        m_socket->commitTransaction();
}

void HttpConnection::dispatchHeaders()
{
    const bool wantsWebSocket = m_request.method == "GET" && hasToken(m_request.header("upgrade"), "websocket");
    if (m_context->guard) {
        std::optional<HttpResponse> refusal;
        callUser("guard", [&] { refusal = m_context->guard(m_request); });
        if (refusal) {
            respondInternal(std::move(*refusal), false);
            return;
        }
        if (m_slot->responded)
            return; // the guard threw
    }

    HttpRoutes::Match match = m_context->routes.match(m_request.method, m_request.path, wantsWebSocket);
    switch (match.kind) {
    case HttpRoutes::Match::Kind::NotFound:
        respondInternal(HttpResponse::error(404, u"Not found"_s, u"NOT_FOUND"_s), false);
        return;
    case HttpRoutes::Match::Kind::MethodNotAllowed:
        respondInternal(HttpResponse::error(405, u"Method not allowed"_s, u"METHOD_NOT_ALLOWED"_s)
                            .setHeader("Allow"_ba, match.allow),
                        false);
        return;
    case HttpRoutes::Match::Kind::UpgradeRequired:
        respondInternal(HttpResponse::error(426, u"WebSocket upgrade required"_s, u"UPGRADE_REQUIRED"_s)
                            .setHeader("Upgrade"_ba, "websocket"_ba),
                        false);
        return;
    case HttpRoutes::Match::Kind::WebSocket:
        dispatchWebSocket(match);
        return;
    case HttpRoutes::Match::Kind::Buffered: {
        const qint64 declared = m_parser.contentLength();
        if (declared > match.maxBodyBytes) {
            respondInternal(HttpResponse::error(413, u"Request body too large (limit %1 bytes)"_s.arg(match.maxBodyBytes),
                                                u"PAYLOAD_TOO_LARGE"_s),
                            true);
            return;
        }
        m_routeKind = RouteKind::Buffered;
        m_handler = std::move(match.handler);
        m_bodyLimit = match.maxBodyBytes;
        if (declared > 0)
            m_request.body.reserve(qsizetype(std::min(declared, MaxBodyReserveBytes)));
        if (m_bodyExpected && m_parser.expectsContinue())
            writeContinue();
        return;
    }
    case HttpRoutes::Match::Kind::Streamed: {
        m_routeKind = RouteKind::Streamed;
        const StreamHandler handler = std::move(match.streamHandler);
        std::unique_ptr<BodyConsumer> consumer;
        callUser("stream handler", [&] { consumer = handler(m_request, HttpResponder(m_slot)); });
        m_consumer = std::move(consumer);
        if (!m_consumer && !m_slot->responded) {
            qCWarning(lcHttpConnection) << "stream handler for" << m_request.path << "returned no consumer and no response";
            respondInternal(HttpResponse::error(500, u"Internal server error"_s, u"INTERNAL"_s), true);
            return;
        }
        if (!m_slot->responded && m_bodyExpected && m_parser.expectsContinue())
            writeContinue();
        return;
    }
    }
}

void HttpConnection::dispatchWebSocket(const HttpRoutes::Match &match)
{
    if (m_bodyExpected) {
        respondInternal(HttpResponse::error(400, u"An upgrade request cannot carry a body"_s, u"BAD_REQUEST"_s), true);
        return;
    }
    std::optional<HttpResponse> refusal;
    callUser("upgrade check", [&] {
        if (match.upgradeCheck)
            refusal = match.upgradeCheck(m_request);
    });
    if (refusal) {
        respondInternal(std::move(*refusal), false);
        return;
    }
    if (m_slot->responded)
        return; // the check threw
    handOffWebSocket(match.webSocketHandler);
}

void HttpConnection::handOffWebSocket(WebSocketHandler handler)
{
    m_handedOff = true;
    m_timer.stop();
    m_status = 101;
    logAccess();
    QTcpSocket *socket = std::exchange(m_socket, nullptr);
    disconnect(socket, nullptr, this, nullptr);
    // QWebSocketServer reads the handshake itself, so give back every byte of this request.
    socket->rollbackTransaction();
    socket->setReadBufferSize(0);
    socket->setParent(nullptr);
    if (m_slot)
        m_slot->connection = nullptr;
    m_context->handOffWebSocket(socket, std::move(m_request), std::move(handler));
    deleteLater();
}

void HttpConnection::onMessageComplete()
{
    m_requestComplete = true;
    arm(Timeout::None, {});
    if (m_responseStarted) {
        if (m_responseDone)
            finishExchange();
        return;
    }
    if (m_slot->responded)
        return; // queued; flushPendingResponse() sends it
    switch (m_routeKind) {
    case RouteKind::Buffered:
        callUser("handler", [&] { m_handler(m_request, HttpResponder(m_slot)); });
        break;
    case RouteKind::Streamed:
        m_consumerFinished = true;
        callUser("body consumer", [&] { m_consumer->finish(HttpResponder(m_slot)); });
        break;
    case RouteKind::None:
        respondInternal(HttpResponse::error(500, u"Internal server error"_s, u"INTERNAL"_s), true);
        break;
    }
}

bool HttpConnection::onBody(QByteArrayView chunk)
{
    if (!m_slot || m_slot->responded)
        return false; // answered early: stop reading
    if (m_routeKind == RouteKind::Buffered) {
        if (m_request.body.size() + chunk.size() > m_bodyLimit) {
            respondInternal(HttpResponse::error(413, u"Request body too large (limit %1 bytes)"_s.arg(m_bodyLimit),
                                                u"PAYLOAD_TOO_LARGE"_s),
                            true);
            return false;
        }
        m_request.body.append(chunk.data(), chunk.size());
        return true;
    }
    if (m_routeKind != RouteKind::Streamed || !m_consumer)
        return false;
    bool accepted = false;
    callUser("body consumer", [&] { accepted = m_consumer->write(chunk); });
    if (!accepted && !m_slot->responded) {
        qCWarning(lcHttpConnection) << "body consumer for" << m_request.path << "stopped without responding";
        respondInternal(HttpResponse::error(500, u"Internal server error"_s, u"INTERNAL"_s), true);
    }
    return accepted && !m_slot->responded;
}

void HttpConnection::onParseError()
{
    qCDebug(lcHttpConnection) << "bad request from" << m_peerAddress << ":" << m_parser.errorMessage();
    if (m_responseStarted || (m_slot && m_slot->responded)) {
        m_closeAfterResponse = true;
        if (m_responseDone)
            beginGracefulClose();
        return;
    }
    respondInternal(HttpResponse::error(m_parser.errorStatus(), m_parser.errorMessage(), m_parser.errorCode()), true);
}

} // namespace banata::server
