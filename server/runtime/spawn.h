// SPDX-License-Identifier: MIT
#pragma once

#include <sys/types.h>
#include <vector>

#include <QStringList>

#include "core/expected.h"
#include "fdutil.h"

namespace banata::server {

/// A process started detached from the server: own session, no parent-death signal, only the
/// listed descriptors inherited.
struct DetachedSpawn
{
    QString program; // absolute path, run with execve
    QStringList arguments;
    QStringList environment;     // KEY=VALUE, the complete environment
    std::vector<int> inheritFds; // stay open in the child (every other fd >= 3 is closed)
    int stdinFd = -1;
    int stdoutFd = -1;
    int stderrFd = -1;
    int cgroupDirFd = -1;   // the child starts in this cgroup (directory fd), or -1
    int cgroupProcsFd = -1; // its cgroup.procs, for kernels without CLONE_INTO_CGROUP
};

/**
 * Forks and execs. The process stays our child while this server lives (reap it through its
 * pidfd); once the server dies it is adopted by init and keeps running. The child is created
 * inside the cgroup (cgroupfork.h), so the program and everything it forks start there. Returns the
 * pid once exec succeeded, or why it failed.
 */
Expected<pid_t, QString> spawnDetached(const DetachedSpawn &spawn);

/// Reaps the process behind pidfd once it exits, if it is our child, so trees that outlive
/// their SandboxProcess do not linger as zombies of a long-running server. Needs a
/// QCoreApplication; without one the fd is just closed.
void reapWhenExited(UniqueFd pidfd);

} // namespace banata::server
