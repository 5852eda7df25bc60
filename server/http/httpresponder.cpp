// SPDX-License-Identifier: MIT
#include "httpresponder.h"

#include "httpconnection.h"

#include <QLoggingCategory>

namespace banata::server {

Q_LOGGING_CATEGORY(lcHttpResponder, "banata.server.http.responder", QtInfoMsg)

HttpResponder::HttpResponder(std::shared_ptr<detail::ResponseSlot> slot)
    : m_slot(std::move(slot))
{
}

void HttpResponder::respond(HttpResponse response)
{
    if (!m_slot) {
        qCWarning(lcHttpResponder) << "respond() on an unbound HttpResponder";
        return;
    }
    if (m_slot->responded) {
        qCWarning(lcHttpResponder) << "Ignoring a second response with status" << response.status();
        return;
    }
    m_slot->responded = true;
    if (HttpConnection *connection = m_slot->connection.data())
        connection->deliver(m_slot.get(), std::move(response));
}

bool HttpResponder::isConnected() const
{
    const HttpConnection *connection = m_slot ? m_slot->connection.data() : nullptr;
    return connection && !m_slot->responded && connection->isClientConnected();
}

bool HttpResponder::hasResponded() const
{
    return m_slot && m_slot->responded;
}

} // namespace banata::server
