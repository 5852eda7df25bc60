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
};

} // namespace banata::server
