// SPDX-License-Identifier: MIT
#pragma once

#include "httprequest.h"
#include "httpresponder.h"
#include "httpresponse.h"

#include <QByteArrayView>

#include <functional>
#include <memory>
#include <optional>

class QWebSocket;

namespace banata::server {

/// Answers a request whose body has been read into HttpRequest::body.
using Handler = std::function<void(const HttpRequest &, HttpResponder)>;

/// Receives a streamed request body chunk by chunk; owned by the connection until the exchange ends.
class BodyConsumer
{
public:
    virtual ~BodyConsumer() = default;
    /// false: stop reading; the consumer must already have responded (an error).
    virtual bool write(QByteArrayView chunk) = 0;
    /// The whole body has been received.
    virtual void finish(HttpResponder responder) = 0;
    /// The body is incomplete: the client vanished, the body was malformed, or a response was sent early.
    virtual void abort() = 0;
};

/// Called when headers are complete. Return nullptr after responding (e.g. 404/409); the server
/// then sends that response without reading the body and closes the connection.
using StreamHandler = std::function<std::unique_ptr<BodyConsumer>(const HttpRequest &, HttpResponder)>;
/// Decides on an upgrade: return a response to refuse it (e.g. 401), nullopt to accept.
using UpgradeCheck = std::function<std::optional<HttpResponse>(const HttpRequest &)>;
/// Receives an upgraded connection; the handler takes ownership of \a socket.
using WebSocketHandler = std::function<void(QWebSocket *socket, const HttpRequest &request)>;
/// Runs before every route; a returned response is sent instead of the route.
using Guard = std::function<std::optional<HttpResponse>(const HttpRequest &)>;

} // namespace banata::server
