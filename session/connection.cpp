// SPDX-License-Identifier: MIT
#include "session/connection.h"

#include "session/connectionsync.h"

#include <QLoggingCategory>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcConnection, "banata.session.connection")

namespace banata {

Connection::Connection(ConnectionConfig config, QNetworkAccessManager *network, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
    , m_network(network)
{
}

Connection::~Connection()
{
    // The sync holds jobs and a stream whose callbacks point back here: end them first.
    m_sync.reset();
}

void Connection::setName(const QString &name)
{
    m_config.name = name;
}

void Connection::start(const QString &apiKey)
{
    stop();
    qCInfo(lcConnection) << "starting" << m_config.id << m_config.baseUrl.toDisplayString();
    m_client = std::make_unique<ApiClient>(m_network, m_config.baseUrl, apiKey);
    m_sync = std::make_unique<ConnectionSync>(this);
    m_sync->start();
}

void Connection::stop()
{
    if (!m_client)
        return;
    qCInfo(lcConnection) << "stopping" << m_config.id;
    m_sync.reset();
    m_client.reset();
    m_nextRetryAt = {};
    setStatus(Status::Idle, QString());
}

void Connection::refresh()
{
    if (m_sync)
        m_sync->refresh();
}

const ApiClient &Connection::client() const
{
    Q_ASSERT_X(m_client, "Connection::client", "only valid after start()");
    return *m_client;
}

bool Connection::supports(const QString &extension) const
{
    return m_health && m_health->supports(extension);
}

std::optional<Sandbox> Connection::sandbox(const QString &id) const
{
    const auto it = m_sandboxes.constFind(id);
    if (it == m_sandboxes.cend())
        return std::nullopt;
    return *it;
}

void Connection::applySandbox(const Sandbox &sandbox)
{
    if (sandbox.id.isEmpty())
        return;
    if (m_sync)
        m_sync->noteSandbox(sandbox); // a load in progress must not undo it
    upsertSandbox(sandbox);
}

bool Connection::upsertSandbox(const Sandbox &sandbox)
{
    auto it = m_sandboxes.find(sandbox.id);
    if (it != m_sandboxes.end()) {
        // Newer wins: a late list page or action answer never undoes what an event told us.
        if (sandbox.updatedAt < it->updatedAt || *it == sandbox)
            return false;
        *it = sandbox;
    } else {
        m_sandboxes.insert(sandbox.id, sandbox);
    }
    Q_EMIT sandboxChanged(sandbox);
    return true;
}

void Connection::applyHandoff(const QString &sandboxId, const Handoff &handoff)
{
    if (sandboxId.isEmpty() || handoff.requestId.isEmpty())
        return;
    if (m_sync)
        m_sync->noteHandoff(sandboxId, handoff); // a load in progress must not undo it
    upsertHandoff(sandboxId, handoff);
}

namespace {
// The order a handoff's statuses follow: a copy never moves back along it.
int handoffRank(HandoffStatus status)
{
    switch (status) {
    case HandoffStatus::Pending: return 0;
    case HandoffStatus::Accepted: return 1;
    case HandoffStatus::Completed:
    case HandoffStatus::Cancelled:
    case HandoffStatus::Expired: return 2;
    }
    return 0;
}
} // namespace

bool Connection::isStaleHandoff(const QString &sandboxId, const Handoff &handoff) const
{
    const auto it = m_latestHandoffs.constFind(sandboxId);
    if (it == m_latestHandoffs.cend())
        return false;
    if (it->requestId != handoff.requestId)
        return handoff.requestedAt < it->requestedAt; // a newer request replaced it
    if (handoff.updatedAt != it->updatedAt)
        return handoff.updatedAt < it->updatedAt;
    // Two changes in the same millisecond: the later status wins; a repeat changes nothing.
    const int rank = handoffRank(handoff.status);
    const int known = handoffRank(it->status);
    return rank < known || (rank == known && *it == handoff);
}

bool Connection::upsertHandoff(const QString &sandboxId, const Handoff &handoff)
{
    if (isStaleHandoff(sandboxId, handoff))
        return false;
    m_latestHandoffs.insert(sandboxId, handoff);
    if (isActive(handoff.status)) {
        m_activeHandoffs.insert(sandboxId, handoff);
    } else {
        const auto it = m_activeHandoffs.constFind(sandboxId);
        if (it != m_activeHandoffs.cend() && it->requestId == handoff.requestId)
            m_activeHandoffs.remove(sandboxId);
    }
    Q_EMIT handoffChanged(sandboxId, handoff);
    return true;
}

void Connection::setStatus(Status status, const QString &text)
{
    if (status == m_status && text == m_statusText)
        return;
    if (status != m_status)
        qCInfo(lcConnection) << m_config.id << status << text;
    m_status = status;
    m_statusText = text;
    Q_EMIT statusChanged(status, text);
}

} // namespace banata
