// SPDX-License-Identifier: MIT
// banata-sandboxd: runs as bwrap's command (PID 2 of the sandbox's PID namespace) and executes
// commands for the server over an inherited control socket. See server/runtime/protocol.h.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/prctl.h>
#include <unistd.h>

#include "daemon.h"

namespace {

int parseFd(const char *text)
{
    char *end = nullptr;
    const long fd = std::strtol(text, &end, 10);
    if (!end || *end != '\0' || fd < 3 || fd > 65535 || ::fcntl(static_cast<int>(fd), F_GETFD) < 0)
        return -1;
    return static_cast<int>(fd);
}

} // namespace

int main(int argc, char **argv)
{
    int controlFd = -1;
    int cgroupFd = -1; // directory fd of the cgroup every command starts in
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string flag = argv[i];
        if (flag == "--control-fd")
            controlFd = parseFd(argv[i + 1]);
        else if (flag == "--cgroup-fd")
            cgroupFd = parseFd(argv[i + 1]);
    }
    if (controlFd < 0) {
        std::fprintf(stderr, "usage: banata-sandboxd --control-fd N [--cgroup-fd N]\n");
        return 2;
    }
    // Commands must never inherit the control socket or the cgroup handle.
    ::fcntl(controlFd, F_SETFD, FD_CLOEXEC);
    if (cgroupFd >= 0)
        ::fcntl(cgroupFd, F_SETFD, FD_CLOEXEC);
    // Not dumpable: sandbox processes (same uid) cannot ptrace the daemon or take its fds
    // through /proc/2/fd.
    ::prctl(PR_SET_DUMPABLE, 0);
    std::signal(SIGPIPE, SIG_IGN);
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, nullptr);

    // Only needed where clone3(CLONE_INTO_CGROUP) is unavailable (see cgroupfork.h).
    const int cgroupProcsFd = cgroupFd >= 0 ? ::openat(cgroupFd, "cgroup.procs", O_WRONLY | O_CLOEXEC) : -1;
    banata::sandboxd::Daemon daemon(controlFd, {cgroupFd, cgroupProcsFd});
    return daemon.run();
}
