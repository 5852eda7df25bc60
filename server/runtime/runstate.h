// SPDX-License-Identifier: MIT
#pragma once

#include <QString>

#include "core/expected.h"

namespace banata::server {

/// What a later server needs to re-attach to a running tree: <root>/run/state.json.
struct RunState
{
    QString sandboxId;
    qint64 bwrapPid = 0;       // the outer bwrap process (host PID namespace)
    qint64 bwrapStartTime = 0; // /proc/<pid>/stat starttime: guards against pid reuse
    qint64 initPid = 0;        // host pid of the sandbox PID namespace's init (inner bwrap)
    qint64 initStartTime = 0;
    QString backend;   // "cgroup-freezer" | "signals"
    QString cgroupDir; // empty without a cgroup

    static QString path(const QString &rootDir);
    static Expected<RunState, QString> load(const QString &rootDir);
    std::optional<QString> save(const QString &rootDir) const; // atomic replace
    static void remove(const QString &rootDir);
};

} // namespace banata::server
