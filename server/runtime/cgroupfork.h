// SPDX-License-Identifier: MIT
#pragma once

// fork(2) straight into a cgroup, shared by the server (bwrap into the sandbox's cgroup) and
// banata-sandboxd (each command into the freezable work cgroup). Plain C++, no Qt.
//
// Why not fork and then write "0" to cgroup.procs: migrating a live task takes the cgroup
// threadgroup lock for writing, which waits for an RCU grace period: 5-15 ms per spawn on a busy
// host. clone3(CLONE_INTO_CGROUP) (Linux 5.7) places the child at creation, at no extra cost.

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

namespace banata::cgroupfork {

/// Like fork(), but the child starts inside the cgroup directory cgroupDirFd refers to (-1: plain
/// fork). If the kernel (or a seccomp filter) lacks clone3 / CLONE_INTO_CGROUP, falls back to
/// fork() and sets *joinInChild: the child must then write "0" to the cgroup's cgroup.procs
/// itself before running anything else.
inline pid_t forkIntoCgroup(int cgroupDirFd, bool *joinInChild)
{
    *joinInChild = false;
#ifdef SYS_clone3
    if (cgroupDirFd >= 0) {
        // struct clone_args up to the cgroup field (CLONE_ARGS_SIZE_VER2).
        struct CloneArgs
        {
            uint64_t flags, pidfd, childTid, parentTid, exitSignal, stack, stackSize, tls, setTid, setTidSize,
                cgroup;
        } args = {};
        constexpr uint64_t kCloneIntoCgroup = 0x200000000ull;
        args.flags = kCloneIntoCgroup;
        args.exitSignal = SIGCHLD;
        args.cgroup = static_cast<uint64_t>(cgroupDirFd);
        const long pid = ::syscall(SYS_clone3, &args, sizeof args);
        if (pid >= 0 || (errno != ENOSYS && errno != EINVAL && errno != E2BIG))
            return static_cast<pid_t>(pid);
    }
#endif
    *joinInChild = cgroupDirFd >= 0;
    return ::fork();
}

} // namespace banata::cgroupfork
