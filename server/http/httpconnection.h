// SPDX-License-Identifier: MIT
#pragma once

#include "httphandlers.h"
#include "httprequestparser.h"
#include "httproutes.h"

#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <chrono>
#include <memory>
#include <optional>

class QTcpSocket;

namespace banata::server {

class HttpBodySender;

/// One client connection: parses requests one at a time, dispatches them to routes and writes the
/// responses in order, then either waits for the next request or closes.
///
/// It never acts from inside user code: a response given during a handler or consumer call is
/// queued and sent once the call has returned. It deletes itself (deleteLater) when done.
class HttpConnection final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpConnection)

public:
    /// Takes ownership of \a socket (connected); \a context must outlive the connection.
    HttpConnection(QTcpSocket *socket, HttpServerContext *context, QObject *parent = nullptr);
    ~HttpConnection() override;

    /// The response for the request owning \a slot (from HttpResponder); stale slots are ignored.
    void deliver(const detail::ResponseSlot *slot, HttpResponse response);
    bool isClientConnected() const;

private:
    enum class Timeout { None, Header, Idle, Body, Write, Linger };
    enum class RouteKind { None, Buffered, Streamed };

    // Input side (httpconnection.cpp)
    void processInput();
    void parseAvailable();
    bool wantsInput() const;
    void onHeadersComplete();
    void dispatchHeaders();
    void dispatchWebSocket(const HttpRoutes::Match &match);
    void onMessageComplete();
    bool onBody(QByteArrayView chunk);
    void onParseError();
    void handOffWebSocket(WebSocketHandler handler);
    template<typename Function>
    void callUser(const char *what, Function &&function);

    // Output side and lifetime (httpconnectionio.cpp)
    void respondInternal(HttpResponse response, bool close);
    void flushPendingResponse();
    void sendResponse(HttpResponse response);
    void writeContinue();
    void onSenderFinished();
    void onSenderFailed(const QString &reason);
    void onResponseDone();
    void finishExchange();
    void retireConsumer();
    void beginGracefulClose();
    void startLinger();
    void onBytesWritten();
    void onReadyRead();
    void onDisconnected();
    void close();
    void teardown();
    void arm(Timeout kind, std::chrono::milliseconds after);
    void touch();
    void onTimer();
    void logAccess() const;

    QTcpSocket *m_socket;
    HttpServerContext *m_context;
    HttpRequestParser m_parser;
    QTimer m_timer;
    QDeadlineTimer m_deadline;
    Timeout m_timeout = Timeout::None;
    std::chrono::milliseconds m_timeoutLength{0};
    QHostAddress m_peerAddress;
    quint16 m_peerPort = 0;

    // The current exchange.
    HttpRequest m_request;
    std::shared_ptr<detail::ResponseSlot> m_slot;
    RouteKind m_routeKind = RouteKind::None;
    Handler m_handler;
    qint64 m_bodyLimit = 0;
    std::unique_ptr<BodyConsumer> m_consumer;
    std::optional<HttpResponse> m_pendingResponse;
    QPointer<HttpBodySender> m_sender;
    QElapsedTimer m_exchangeTimer;
    int m_status = 0;
    qint64 m_bodyBytesSent = 0;
    bool m_requestStarted = false;
    bool m_headersDone = false;
    bool m_requestComplete = false;
    bool m_bodyExpected = false;
    bool m_isHead = false;
    bool m_keepAlive = true;
    bool m_http10 = false;
    bool m_consumerFinished = false;
    bool m_responseStarted = false;
    bool m_responseDone = false;
    bool m_closeAfterResponse = false;

    // Re-entrancy and lifetime.
    int m_userCallDepth = 0;
    bool m_inFeed = false;
    bool m_inProcess = false;
    bool m_processAgain = false;
    bool m_closing = false;
    bool m_lingering = false;
    bool m_closed = false;
    bool m_handedOff = false;
};

} // namespace banata::server
