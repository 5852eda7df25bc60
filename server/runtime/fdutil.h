// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <sys/types.h>
#include <utility>

#include <QString>

namespace banata::server {

/// An owned POSIX file descriptor, closed on destruction.
class UniqueFd
{
public:
    UniqueFd() = default;
    explicit UniqueFd(int fd)
        : m_fd(fd)
    {}
    UniqueFd(UniqueFd &&other) noexcept
        : m_fd(std::exchange(other.m_fd, -1))
    {}
    UniqueFd &operator=(UniqueFd &&other) noexcept;
    UniqueFd(const UniqueFd &) = delete;
    UniqueFd &operator=(const UniqueFd &) = delete;
    ~UniqueFd() { reset(); }

    int get() const { return m_fd; }
    bool valid() const { return m_fd >= 0; }
    void reset(int fd = -1);
    int release() { return std::exchange(m_fd, -1); }

private:
    int m_fd = -1;
};

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
