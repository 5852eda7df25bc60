// SPDX-License-Identifier: MIT
#pragma once

#include <QHash>
#include <QPointer>
#include <QToolButton>

class QHBoxLayout;

namespace banata {

class Connection;
class ConnectionManager;

/// One connection in the status bar: a coloured dot, its name and what it is doing. Clicking it
/// while the connection is down retries at once instead of waiting for the back-off.
class ConnectionStatusWidget final : public QToolButton
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConnectionStatusWidget)

public:
    explicit ConnectionStatusWidget(Connection *connection, QWidget *parent = nullptr);

    Connection *connection() const;
    void updateStatus();

private:
    void retry();

    QPointer<Connection> m_connection;
};

/// Holds one ConnectionStatusWidget per connection of \a manager, following additions and removals.
class ConnectionStatusArea final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConnectionStatusArea)

public:
    explicit ConnectionStatusArea(ConnectionManager *manager, QWidget *parent = nullptr);

    ConnectionStatusWidget *widgetFor(const QString &connectionId) const;

private:
    void add(Connection *connection);

    QHBoxLayout *m_layout;
    QHash<QString, ConnectionStatusWidget *> m_widgets;
};

} // namespace banata
