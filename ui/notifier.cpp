// SPDX-License-Identifier: MIT
#include "notifier.h"

#include "models/handoffinboxmodel.h"
#include "session/appsettings.h"
#include "ui/icons.h"

#include <QApplication>
#include <QDBusConnection>
#include <QDBusError>
#include <QDBusMessage>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>
#include <QLoggingCategory>
#include <QSystemTrayIcon>
#include <QWidget>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcNotifier, "banata.ui.notifier")

namespace banata {

namespace {
/// Long enough to gather a start-up burst into one message, short enough to stay within the
/// one-second budget from request to notification.
constexpr int kCoalesceMs = 250;
constexpr int kListedSandboxes = 3;
const QString kService = u"org.freedesktop.Notifications"_s;
const QString kPath = u"/org/freedesktop/Notifications"_s;
} // namespace

Notifier::Notifier(HandoffInboxModel *inbox, AppSettings *settings, QWidget *window, QObject *parent)
    : QObject(parent)
    , m_inbox(inbox)
    , m_settings(settings)
    , m_window(window)
{
    m_coalesce.setSingleShot(true);
    m_coalesce.setInterval(kCoalesceMs);
    connect(&m_coalesce, &QTimer::timeout, this, &Notifier::flush);
    connect(m_inbox, &HandoffInboxModel::handoffArrived, this, &Notifier::arrived);
    connect(m_inbox, &HandoffInboxModel::pendingCountChanged, this, &Notifier::updateTray);

    if (QSystemTrayIcon::isSystemTrayAvailable()) {
        m_tray = new QSystemTrayIcon(this);
        m_tray->setToolTip(QApplication::applicationDisplayName());
        connect(m_tray, &QSystemTrayIcon::activated, this, [this](QSystemTrayIcon::ActivationReason reason) {
            if (reason == QSystemTrayIcon::Trigger || reason == QSystemTrayIcon::DoubleClick)
                raiseWindow();
        });
        connect(m_tray, &QSystemTrayIcon::messageClicked, this, [this] {
            raiseWindow();
            if (m_lastKey.isValid())
                Q_EMIT openRequested(m_lastKey);
        });
        m_tray->show();
    }
    updateTray(m_inbox->rowCount());
}

Notifier::~Notifier() = default;

void Notifier::arrived(const SandboxKey &key, const Handoff &handoff)
{
    if (!m_settings->notifyOnHandoff())
        return;
    for (const Pending &pending : std::as_const(m_pending)) {
        if (pending.key == key && pending.handoff.requestId == handoff.requestId)
            return;
    }
    m_pending.append({key, handoff});
    // Not restarted by later arrivals: the first one is never delayed by more than the window.
    if (!m_coalesce.isActive())
        m_coalesce.start();
}

void Notifier::flush()
{
    QList<Pending> pending;
    pending.swap(m_pending);
    // Handoffs that were taken or cancelled meanwhile are no news any more.
    pending.removeIf([this](const Pending &p) { return m_inbox->rowOf(p.key) < 0; });
    if (pending.isEmpty())
        return;

    QString title;
    QString body;
    if (pending.size() == 1) {
        const Pending &only = pending.constFirst();
        const int row = m_inbox->rowOf(only.key);
        const QString reason = m_inbox->index(row, HandoffInboxModel::ReasonColumn).data().toString();
        title = tr("%1 needs you").arg(sandboxLabel(only.key));
        body = only.handoff.message.isEmpty() ? reason : tr("%1: %2").arg(reason, only.handoff.message);
        m_lastKey = only.key;
    } else {
        title = tr("%n sandboxes need you", nullptr, int(pending.size()));
        QStringList names;
        for (qsizetype i = 0; i < pending.size() && i < kListedSandboxes; ++i)
            names.append(sandboxLabel(pending.at(i).key));
        body = names.join(u", "_s);
        if (pending.size() > kListedSandboxes)
            body += tr(" and %n more", nullptr, int(pending.size() - kListedSandboxes));
        m_lastKey = {};
    }

    if (!m_desktopUnavailable && QDBusConnection::sessionBus().isConnected())
        showDesktop(title, body);
    else
        showFallback(title, body);
}

void Notifier::showDesktop(const QString &title, const QString &body)
{
    QDBusMessage call = QDBusMessage::createMethodCall(kService, kPath, kService, u"Notify"_s);
    QVariantMap hints;
    hints.insert(u"desktop-entry"_s, u"dev.banata.Operator"_s); // installer/dev.banata.Operator.desktop
    hints.insert(u"category"_s, u"im.received"_s);
    hints.insert(u"urgency"_s, QVariant::fromValue(uchar(1)));
    call << QApplication::applicationDisplayName() << uint(0) << u"dev.banata.Operator"_s << title << body
         << QStringList() << hints << int(-1);
    auto *watcher = new QDBusPendingCallWatcher(QDBusConnection::sessionBus().asyncCall(call), this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this, [this, watcher, title, body] {
        watcher->deleteLater();
        const QDBusPendingReply<uint> reply = *watcher;
        if (!reply.isError()) {
            shown(Route::Desktop, title, body);
            return;
        }
        qCDebug(lcNotifier) << "desktop notification failed:" << reply.error().message();
        // No notification daemon on this bus: stop asking it.
        if (reply.error().type() == QDBusError::ServiceUnknown)
            m_desktopUnavailable = true;
        showFallback(title, body);
    });
}

void Notifier::showFallback(const QString &title, const QString &body)
{
    if (m_tray && m_tray->isVisible() && QSystemTrayIcon::supportsMessages()) {
        m_tray->showMessage(title, body, Icons::badgedAppIcon(m_inbox->rowCount()));
        shown(Route::Tray, title, body);
        return;
    }
    // Only the app itself: the inbox already shows the rows; ask the desktop to flag the window.
    if (m_window)
        QApplication::alert(m_window->window());
    shown(Route::InApp, title, body);
}

void Notifier::shown(Route route, const QString &title, const QString &body)
{
    m_lastRoute = route;
    qCDebug(lcNotifier) << "notified via" << route << title;
    Q_EMIT notificationShown(title, body);
}

void Notifier::updateTray(int count)
{
    if (!m_tray)
        return;
    m_tray->setIcon(Icons::badgedAppIcon(count));
    const QString app = QApplication::applicationDisplayName();
    if (count == 0)
        m_tray->setToolTip(app);
    else if (count == 1)
        m_tray->setToolTip(tr("%1 — 1 sandbox needs you").arg(app));
    else
        m_tray->setToolTip(tr("%1 — %n sandboxes need you", nullptr, count).arg(app));
}

void Notifier::raiseWindow()
{
    if (!m_window)
        return;
    QWidget *top = m_window->window();
    top->setWindowState(top->windowState() & ~Qt::WindowMinimized);
    top->show();
    top->raise();
    top->activateWindow();
}

QString Notifier::sandboxLabel(const SandboxKey &key) const
{
    const int row = m_inbox->rowOf(key);
    if (row >= 0) {
        const QString name = m_inbox->index(row, HandoffInboxModel::SandboxColumn).data().toString();
        if (!name.isEmpty())
            return name;
    }
    return key.sandboxId;
}

} // namespace banata
