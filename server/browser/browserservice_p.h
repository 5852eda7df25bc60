// SPDX-License-Identifier: MIT
#pragma once

#include "browserservice.h"

#include <QPointer>
#include <QStringList>
#include <QTimer>

namespace banata::server {

/// What BrowserService knows about one sandbox's Chromium; shared by its .cpp files.
struct BrowserService::Instance
{
    QString id;
    quint64 generation = 0; // a restart makes callbacks of the previous Chromium stale
    PreviewState state;
    CdpConnection *cdp = nullptr;
    QUrl endpoint;
    QString activeTarget;  // the page the preview follows: the newest page target
    QString activeSession; // flat CDP session attached to activeTarget
    QStringList pages;     // page targets, oldest first
    QList<StateCallback> waiters;
    QPointer<QTimer> deadline;
    bool adopting = false;           // connecting to a Chromium a previous server started
    bool launchAfterCleanup = false; // a launch waits for the crash cleanup, which would kill it
    int crashes = 0;                 // crashes in a row without a stable run; survives relaunches
    qint64 runningSince = 0;         // epoch ms it became running; 0 while it is not
    QPointer<QTimer> restartTimer;   // the automatic restart after a crash, while it waits
};

} // namespace banata::server
