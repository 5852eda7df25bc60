// SPDX-License-Identifier: MIT
#pragma once

#include "httpresponse.h"

#include <QPointer>

#include <memory>

namespace banata::server {

class HttpConnection;

namespace detail {
/// The response slot of one request, shared by every copy of its HttpResponder.
struct ResponseSlot
{
    QPointer<HttpConnection> connection; // null once the client is gone or the exchange is over
    bool responded = false;
};
} // namespace detail

/// A cheap copyable handle to the response slot of one request; handlers may respond later.
///
/// Use it from the server's thread only. It is safe to keep after the connection is gone: respond()
/// then does nothing.
class HttpResponder
{
public:
    HttpResponder() = default; // unbound: respond() only warns
    explicit HttpResponder(std::shared_ptr<detail::ResponseSlot> slot);

    /// Sends \a response. A second call is ignored with a warning; no-op if the client went away.
    void respond(HttpResponse response);
    /// True while a response can still reach the client.
    bool isConnected() const;
    bool hasResponded() const;

private:
    std::shared_ptr<detail::ResponseSlot> m_slot;
};

} // namespace banata::server
