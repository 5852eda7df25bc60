// SPDX-License-Identifier: MIT
#include "session/connectionmanager.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcConnectionManager, "banata.session.connectionmanager")

namespace banata {

ConnectionManager::ConnectionManager(QNetworkAccessManager *network, QObject *parent)
    : QObject(parent)
    , m_network(network)
{
}

ConnectionManager::~ConnectionManager()
{
    // Children would go anyway; stopping first ends their jobs and streams before the list does.
    const QList<Connection *> connections = std::exchange(m_connections, {});
    for (Connection *connection : connections)
        delete connection;
}

Connection *ConnectionManager::add(const ConnectionConfig &config)
{
    if (connection(config.id))
        remove(config.id);
    auto *connection = new Connection(config, m_network, this);
    m_connections.append(connection);
    qCDebug(lcConnectionManager) << "added" << config.id;
    Q_EMIT connectionAdded(connection);
    return connection;
}

void ConnectionManager::remove(const QString &id)
{
    Connection *gone = connection(id);
    if (!gone)
        return;
    Q_EMIT connectionAboutToBeRemoved(gone);
    m_connections.removeOne(gone);
    qCDebug(lcConnectionManager) << "removed" << id;
    delete gone;
}

Connection *ConnectionManager::connection(const QString &id) const
{
    for (Connection *connection : m_connections) {
        if (connection->id() == id)
            return connection;
    }
    return nullptr;
}

} // namespace banata
