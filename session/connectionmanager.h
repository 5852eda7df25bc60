// SPDX-License-Identifier: MIT
#pragma once

#include "session/connection.h"

#include <QList>
#include <QObject>

class QNetworkAccessManager;

namespace banata {

/// Owns every Connection of the app; models attach to it and follow connections coming and going.
class ConnectionManager final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConnectionManager)

public:
    /// \a network must outlive the manager.
    explicit ConnectionManager(QNetworkAccessManager *network, QObject *parent = nullptr);
    ~ConnectionManager() override;

    /// Adds a connection (not started); an existing id is replaced.
    Connection *add(const ConnectionConfig &config);
    void remove(const QString &id);
    Connection *connection(const QString &id) const;
    const QList<Connection *> &connections() const { return m_connections; }
    QNetworkAccessManager *network() const { return m_network; }

Q_SIGNALS:
    void connectionAdded(banata::Connection *connection);
    /// Emitted before \a connection is deleted; its sandboxes leave the models.
    void connectionAboutToBeRemoved(banata::Connection *connection);

private:
    QNetworkAccessManager *m_network;
    QList<Connection *> m_connections;
};

} // namespace banata
