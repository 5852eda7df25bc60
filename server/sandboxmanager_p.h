// SPDX-License-Identifier: MIT
// Private to SandboxManager's two source files.
#pragma once

#include "sandboxmanager.h"

#include <QPointer>

namespace banata::server {

/// What the manager tracks per sandbox beyond its record.
struct SandboxManager::Entry
{
    SandboxRecord record;
    SandboxProcess *process = nullptr; // child of the manager; null when no tree is known
    bool starting = false;
    bool killRequested = false;
    int work = 0;        // execs in flight
    int freezeHolds = 0; // a pause and checkpoint copies
    bool frozen = false;
    bool freezing = false;
    bool thawing = false;
    QList<DoneCallback> freezeWaiters;
    QList<std::function<void()>> afterThaw; // execs that arrived while a checkpoint held the sandbox frozen
    QList<SandboxCallback> readyWaiters;
    QList<SandboxCallback> killWaiters;
    int fileHolds = 0;
    bool removeFilesWhenFree = false;

    const QString &id() const { return record.sandbox.id; }
    banata::SandboxStatus status() const { return record.sandbox.status; }
};

/// Wraps \a f so that it runs only while \a context is alive.
template <typename F>
auto guarded(QObject *context, F f)
{
    return [ctx = QPointer<QObject>(context), f = std::move(f)](auto &&...args) {
        if (ctx)
            f(std::forward<decltype(args)>(args)...);
    };
}

inline banata::ApiError internalError(const QString &message)
{
    return banata::ApiError{banata::ApiError::Kind::Http, 500, message, QStringLiteral("INTERNAL"), {}};
}

} // namespace banata::server
