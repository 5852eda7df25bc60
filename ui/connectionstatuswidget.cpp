// SPDX-License-Identifier: MIT
#include "connectionstatuswidget.h"

#include "session/connectionmanager.h"
#include "ui/statestyle.h"

#include <QHBoxLayout>
#include <QLoggingCategory>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcConnectionStatus, "banata.ui.connectionstatus")

namespace banata {

namespace {
constexpr int kMaxTextChars = 48;

QColor colorFor(Connection::Status status)
{
    switch (status) {
    case Connection::Status::Online:
        return QColor(0x2e, 0x8b, 0x57);
    case Connection::Status::Polling:
        return QColor(0x3a, 0x9a, 0x8a);
    case Connection::Status::Connecting:
    case Connection::Status::Reconnecting:
        return QColor(0xc7, 0x86, 0x10);
    case Connection::Status::Down:
        return QColor(0xc6, 0x33, 0x33);
    case Connection::Status::Idle:
        break;
    }
    return QColor(0x90, 0x90, 0x90);
}

QString fallbackText(Connection::Status status)
{
    switch (status) {
    case Connection::Status::Idle:
        return ConnectionStatusWidget::tr("Not started");
    case Connection::Status::Connecting:
        return ConnectionStatusWidget::tr("Connecting…");
    case Connection::Status::Online:
        return ConnectionStatusWidget::tr("Live");
    case Connection::Status::Polling:
        return ConnectionStatusWidget::tr("Polling");
    case Connection::Status::Reconnecting:
        return ConnectionStatusWidget::tr("Reconnecting…");
    case Connection::Status::Down:
        return ConnectionStatusWidget::tr("Down");
    }
    return {};
}
} // namespace

ConnectionStatusWidget::ConnectionStatusWidget(Connection *connection, QWidget *parent)
    : QToolButton(parent)
    , m_connection(connection)
{
    setObjectName(u"connectionStatus_"_s + connection->id());
    setAutoRaise(true);
    setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    setFocusPolicy(Qt::NoFocus);
    connect(connection, &Connection::statusChanged, this, &ConnectionStatusWidget::updateStatus);
    connect(this, &QToolButton::clicked, this, &ConnectionStatusWidget::retry);
    updateStatus();
}

Connection *ConnectionStatusWidget::connection() const
{
    return m_connection;
}

void ConnectionStatusWidget::updateStatus()
{
    if (!m_connection)
        return;
    const Connection::Status status = m_connection->status();
    QString text = m_connection->statusText();
    if (text.isEmpty())
        text = fallbackText(status);
    const QString full = tr("%1: %2").arg(m_connection->name(), text);
    setIcon(StateStyle::dotIcon(colorFor(status)));
    setText(full.size() > kMaxTextChars ? full.left(kMaxTextChars - 1) + u'\u2026' : full);
    QString tip = full + u'\n' + m_connection->config().baseUrl.toDisplayString();
    if (status == Connection::Status::Down)
        tip += u'\n' + tr("Click to retry now");
    setToolTip(tip);
    setCursor(status == Connection::Status::Down ? Qt::PointingHandCursor : Qt::ArrowCursor);
}

void ConnectionStatusWidget::retry()
{
    if (!m_connection || m_connection->status() != Connection::Status::Down)
        return;
    qCDebug(lcConnectionStatus) << "retrying" << m_connection->id() << "on request";
    m_connection->refresh();
}

ConnectionStatusArea::ConnectionStatusArea(ConnectionManager *manager, QWidget *parent)
    : QWidget(parent)
    , m_layout(new QHBoxLayout(this))
{
    setObjectName(u"connectionStatusArea"_s);
    m_layout->setContentsMargins(0, 0, 0, 0);
    m_layout->setSpacing(2);
    for (Connection *connection : manager->connections())
        add(connection);
    connect(manager, &ConnectionManager::connectionAdded, this, &ConnectionStatusArea::add);
    connect(manager, &ConnectionManager::connectionAboutToBeRemoved, this, [this](Connection *connection) {
        delete m_widgets.take(connection->id());
    });
}

ConnectionStatusWidget *ConnectionStatusArea::widgetFor(const QString &connectionId) const
{
    return m_widgets.value(connectionId);
}

void ConnectionStatusArea::add(Connection *connection)
{
    // ConnectionManager::add replaces an existing id: replace its widget too.
    delete m_widgets.take(connection->id());
    auto *widget = new ConnectionStatusWidget(connection, this);
    m_layout->addWidget(widget);
    m_widgets.insert(connection->id(), widget);
}

} // namespace banata
