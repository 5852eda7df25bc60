// SPDX-License-Identifier: MIT
#pragma once

#include "core/handoff.h"
#include "models/sandboxkey.h"

#include <QList>
#include <QObject>
#include <QPointer>
#include <QTimer>

class QSystemTrayIcon;
class QWidget;

namespace banata {

class AppSettings;
class HandoffInboxModel;

/**
 * Tells the operator when an agent asks for a person. Arrivals within a short window are
 * coalesced ("10 sandboxes need you") and shown by the best route available: a freedesktop
 * notification over D-Bus, else the tray's balloon, else only in the app (the inbox and its
 * count). Also keeps the tray icon, whose badge shows the pending count and whose click raises
 * the window. Off when AppSettings::notifyOnHandoff is false (the tray badge stays).
 */
class Notifier final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Notifier)

public:
    enum class Route { None, Desktop, Tray, InApp };
    Q_ENUM(Route)

    /// \a window is raised on a tray click.
    Notifier(HandoffInboxModel *inbox, AppSettings *settings, QWidget *window, QObject *parent = nullptr);
    ~Notifier() override;

    /// How the last notification was shown.
    Route lastRoute() const { return m_lastRoute; }
    /// The tray icon, when the platform has a tray.
    QSystemTrayIcon *trayIcon() const { return m_tray; }

Q_SIGNALS:
    /// A notification was shown (by any route, in-app included): tests and benchmarks wait on it.
    void notificationShown(const QString &title, const QString &body);
    /// The operator clicked a notification about \a key (the window should open it).
    void openRequested(const banata::SandboxKey &key);

private:
    struct Pending
    {
        SandboxKey key;
        Handoff handoff;
    };

    void arrived(const SandboxKey &key, const Handoff &handoff);
    void flush();
    void showDesktop(const QString &title, const QString &body);
    void showFallback(const QString &title, const QString &body);
    void shown(Route route, const QString &title, const QString &body);
    void updateTray(int count);
    void raiseWindow();
    QString sandboxLabel(const SandboxKey &key) const;

    HandoffInboxModel *m_inbox;
    AppSettings *m_settings;
    QPointer<QWidget> m_window;
    QSystemTrayIcon *m_tray = nullptr;
    QTimer m_coalesce;
    QList<Pending> m_pending;
    SandboxKey m_lastKey; ///< the sandbox of a single-item notification, for its click
    Route m_lastRoute = Route::None;
    bool m_desktopUnavailable = false;
};

} // namespace banata
