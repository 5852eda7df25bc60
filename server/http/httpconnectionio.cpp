// SPDX-License-Identifier: MIT
// The output half of HttpConnection: writing responses, finishing exchanges, timeouts and closing.
#include "httpconnection.h"

#include "httpbodysender.h"

#include <QLoggingCategory>
#include <QTcpSocket>

#include <exception>

#include <sys/socket.h>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace banata::server {

Q_LOGGING_CATEGORY(lcHttpAccess, "banata.server.http.access", QtInfoMsg)

namespace {

// Bodies up to this size go out in the same write as the head (one segment, no Nagle stall).
constexpr qsizetype CoalesceBodyBytes = 64 * 1024;
// After the last response we keep reading (and dropping) input this long, so a client still
// sending its body sees our answer instead of a connection reset.
constexpr std::chrono::milliseconds LingerTime = 2s;

/// A consumer whose exchange is over, destroyed (and aborted if its body was incomplete) from the
/// event loop, never from inside one of its own calls.
struct RetiredConsumer
{
    std::unique_ptr<BodyConsumer> consumer;
    bool abort = false;
    ~RetiredConsumer()
    {
        if (!abort || !consumer)
            return;
        try {
            consumer->abort();
        } catch (...) {
            // Nothing sensible to do: the client is gone already.
        }
    }
};

} // namespace

void HttpConnection::respondInternal(HttpResponse response, bool close)
{
    if (m_closed)
        return;
    if (!m_slot)
        m_slot = std::make_shared<detail::ResponseSlot>();
    m_slot->responded = true;
    if (close)
        m_closeAfterResponse = true;
    if (m_userCallDepth > 0 || m_inFeed) {
        m_pendingResponse = std::move(response);
        return;
    }
    sendResponse(std::move(response));
}

void HttpConnection::flushPendingResponse()
{
    if (!m_pendingResponse || m_closed || m_responseStarted)
        return;
    HttpResponse response = std::move(*m_pendingResponse);
    m_pendingResponse.reset();
    sendResponse(std::move(response));
}

void HttpConnection::sendResponse(HttpResponse response)
{
    if (m_closed || !m_socket || m_responseStarted)
        return;
    m_responseStarted = true;
    if (!m_exchangeTimer.isValid())
        m_exchangeTimer.start();
    if (m_slot)
        m_slot->connection = nullptr; // spent: later respond() calls are no-ops
    // Unread body bytes would be taken for the next request, so we cannot keep the connection.
    if ((m_bodyExpected && !m_requestComplete) || !m_keepAlive)
        m_closeAfterResponse = true;
    m_status = response.status();
    const bool bodyAllowed = !statusForbidsBody(m_status);
    const bool http10KeepAlive = m_http10 && m_keepAlive;

    if (!response.isStream()) {
        const QByteArray &body = response.body();
        QByteArray head = serializeResponseHead(response, bodyAllowed ? BodyFraming::Length : BodyFraming::None,
                                                body.size(), m_closeAfterResponse, http10KeepAlive);
        if (!bodyAllowed || m_isHead || body.isEmpty()) {
            m_socket->write(head);
        } else if (body.size() <= CoalesceBodyBytes) {
            m_socket->write(head + body);
            m_bodyBytesSent = body.size();
        } else {
            m_socket->write(head);
            m_socket->write(body);
            m_bodyBytesSent = body.size();
        }
        onResponseDone();
        return;
    }

    std::shared_ptr<QIODevice> device = response.takeDevice();
    const qint64 length = response.streamLength();
    BodyFraming framing = BodyFraming::None;
    if (bodyAllowed)
        framing = length >= 0 ? BodyFraming::Length : (m_http10 ? BodyFraming::UntilClose : BodyFraming::Chunked);
    if (framing == BodyFraming::UntilClose && !m_isHead)
        m_closeAfterResponse = true;
    m_socket->write(serializeResponseHead(response, framing, length, m_closeAfterResponse, http10KeepAlive));
    if (framing == BodyFraming::None || m_isHead || (framing == BodyFraming::Length && length == 0)) {
        onResponseDone();
        return;
    }
    auto *sender = new HttpBodySender(m_socket, std::move(device), length, framing, this);
    m_sender = sender;
    connect(sender, &HttpBodySender::progressed, this, &HttpConnection::touch);
    connect(sender, &HttpBodySender::finished, this, &HttpConnection::onSenderFinished);
    connect(sender, &HttpBodySender::failed, this, &HttpConnection::onSenderFailed);
    arm(Timeout::Write, m_context->idleTimeout);
    sender->start();
}

void HttpConnection::writeContinue()
{
    m_socket->write("HTTP/1.1 100 Continue\r\n\r\n"_ba);
}

void HttpConnection::onSenderFinished()
{
    if (!m_sender)
        return;
    m_bodyBytesSent = m_sender->bytesSent();
    m_sender->deleteLater();
    m_sender = nullptr;
    onResponseDone();
}

void HttpConnection::onSenderFailed(const QString &reason)
{
    if (m_sender) {
        m_bodyBytesSent = m_sender->bytesSent();
        m_sender->deleteLater();
        m_sender = nullptr;
    }
    qCDebug(lcHttpAccess) << "response body to" << m_peerAddress << "failed:" << reason;
    close();
}

void HttpConnection::onResponseDone()
{
    m_responseDone = true;
    logAccess();
    if (m_closeAfterResponse) {
        beginGracefulClose();
        return;
    }
    if (m_requestComplete) {
        finishExchange();
        return;
    }
    processInput(); // the rest of a body-less request (its final LF) is still unparsed
}

void HttpConnection::finishExchange()
{
    retireConsumer();
    m_slot.reset();
    m_request = HttpRequest();
    m_routeKind = RouteKind::None;
    m_handler = nullptr;
    m_bodyLimit = 0;
    m_pendingResponse.reset();
    m_exchangeTimer.invalidate();
    m_status = 0;
    m_bodyBytesSent = 0;
    m_requestStarted = false;
    m_headersDone = false;
    m_requestComplete = false;
    m_bodyExpected = false;
    m_isHead = false;
    m_consumerFinished = false;
    m_responseStarted = false;
    m_responseDone = false;
    m_parser.resume();
    if (!m_socket->isTransactionStarted())
        m_socket->startTransaction();
    arm(Timeout::Idle, m_context->idleTimeout);
    processInput();
}

void HttpConnection::retireConsumer()
{
    if (!m_consumer)
        return;
    auto retired = std::make_shared<RetiredConsumer>();
    retired->consumer = std::move(m_consumer);
    retired->abort = !m_consumerFinished;
    // If this connection dies first, the queued call is dropped and that still runs ~RetiredConsumer.
    QMetaObject::invokeMethod(this, [retired] {}, Qt::QueuedConnection);
}

void HttpConnection::beginGracefulClose()
{
    if (m_closing || m_closed)
        return;
    m_closing = true;
    if (m_socket->bytesToWrite() > 0) {
        arm(Timeout::Write, m_context->idleTimeout); // onBytesWritten() continues
        return;
    }
    startLinger();
}

void HttpConnection::startLinger()
{
    m_lingering = true;
    if (m_socket->isTransactionStarted())
        m_socket->commitTransaction();
    if (m_socket->state() != QAbstractSocket::ConnectedState) {
        close();
        return;
    }
    // Half-close: the client sees the end of our output while we drain what it still sends.
    ::shutdown(int(m_socket->socketDescriptor()), SHUT_WR);
    m_socket->skip(m_socket->bytesAvailable());
    arm(Timeout::Linger, std::min(LingerTime, m_context->idleTimeout));
}

void HttpConnection::onReadyRead()
{
    if (m_closed || m_handedOff)
        return;
    if (m_lingering) {
        m_socket->skip(m_socket->bytesAvailable());
        return;
    }
    processInput();
}

void HttpConnection::onBytesWritten()
{
    if (m_closed)
        return;
    if (m_timeout == Timeout::Write)
        touch();
    if (m_closing && !m_lingering && !m_sender && m_socket->bytesToWrite() == 0)
        startLinger();
}

void HttpConnection::onDisconnected()
{
    if (m_closed || m_handedOff)
        return;
    qCDebug(lcHttpAccess) << "client" << m_peerAddress << m_peerPort << "disconnected";
    close();
}

void HttpConnection::close()
{
    if (m_closed)
        return;
    m_closed = true;
    m_timer.stop();
    if (m_sender)
        m_sender->stop();
    if (m_slot)
        m_slot->connection = nullptr;
    // Callers may be deep inside a socket signal or our own parse loop; finish from the event loop.
    QMetaObject::invokeMethod(this, &HttpConnection::teardown, Qt::QueuedConnection);
}

void HttpConnection::teardown()
{
    if (m_sender) {
        m_sender->deleteLater();
        m_sender = nullptr;
    }
    retireConsumer();
    if (m_socket) {
        disconnect(m_socket, nullptr, this, nullptr);
        m_socket->abort();
    }
    deleteLater();
}

void HttpConnection::arm(Timeout kind, std::chrono::milliseconds after)
{
    m_timeout = kind;
    if (kind == Timeout::None) {
        m_timer.stop();
        return;
    }
    m_timeoutLength = after;
    m_deadline.setRemainingTime(after);
    m_timer.start(after);
}

void HttpConnection::touch()
{
    // Cheap on purpose: called per received or sent chunk. onTimer() re-checks the deadline.
    if (m_timeout == Timeout::Body || m_timeout == Timeout::Write)
        m_deadline.setRemainingTime(m_timeoutLength);
}

void HttpConnection::onTimer()
{
    if (m_closed || m_timeout == Timeout::None)
        return;
    if (!m_deadline.hasExpired()) {
        m_timer.start(std::chrono::milliseconds(std::max<qint64>(1, m_deadline.remainingTime())));
        return;
    }
    switch (m_timeout) {
    case Timeout::None:
        return;
    case Timeout::Header:
        qCDebug(lcHttpAccess) << "header timeout for" << m_peerAddress << m_peerPort;
        if (m_requestStarted && !m_responseStarted && !(m_slot && m_slot->responded))
            respondInternal(HttpResponse::error(408, u"Request header timeout"_s, u"REQUEST_TIMEOUT"_s), true);
        else
            close();
        return;
    case Timeout::Idle:
        beginGracefulClose();
        return;
    case Timeout::Body:
        qCDebug(lcHttpAccess) << "body timeout for" << m_peerAddress << m_peerPort;
        if (!m_responseStarted && !m_slot->responded)
            respondInternal(HttpResponse::error(408, u"Request body timeout"_s, u"REQUEST_TIMEOUT"_s), true);
        else
            close();
        return;
    case Timeout::Write:
        // A live stream may be silent for long; only a client that stops reading is timed out.
        if (m_sender && !m_sender->isWaitingForClient()) {
            arm(Timeout::Write, m_timeoutLength);
            return;
        }
        close();
        return;
    case Timeout::Linger:
        close();
        return;
    }
}

void HttpConnection::logAccess() const
{
    const double elapsedMs = m_exchangeTimer.isValid() ? double(m_exchangeTimer.nsecsElapsed()) / 1e6 : 0.0;
    qCDebug(lcHttpAccess).noquote().nospace()
        << m_peerAddress.toString() << ':' << m_peerPort << ' '
        << (m_request.method.isEmpty() ? "-"_ba : m_request.method) << ' '
        << (m_request.path.isEmpty() ? u"-"_s : m_request.path) << ' ' << m_status << ' '
        << m_bodyBytesSent << "B " << elapsedMs << "ms";
}

} // namespace banata::server
