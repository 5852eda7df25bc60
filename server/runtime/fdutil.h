// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <sys/types.h>

#include <QString>

#include "uniquefd.h"

namespace banata::server {

using posix::UniqueFd;

/// "<what>: <strerror(err)>".
QString errnoMessage(const QString &what, int err);

/// pidfd_open(2); an invalid fd if the process is gone or the kernel lacks pidfds (< 5.3).
UniqueFd openPidfd(pid_t pid);
/// Field 22 of /proc/<pid>/stat (start time in clock ticks since boot): tells a process apart
/// from a later one that reused its pid.
std::optional<qint64> processStartTime(pid_t pid);
/// Sends sig through the pidfd when there is one (immune to pid reuse), else by pid.
bool sendSignal(const UniqueFd &pidfd, pid_t pid, int sig);

/// A listening unix stream socket bound at path (a stale socket file is replaced), mode 0600.
/// Paths longer than sun_path are reached through /proc/self/fd/<dir>.
UniqueFd listenUnixSocket(const QString &path, QString *error);
/// A connected, blocking unix stream socket, or invalid with *error set.
UniqueFd connectUnixSocket(const QString &path, QString *error);

} // namespace banata::server
