// SPDX-License-Identifier: MIT
#pragma once

// The fork-to-exec window, shared by the server (spawnDetached: bwrap) and banata-sandboxd
// (ExecJob: each command). Plain C++, no Qt.
//
// A child that cannot exec tells its parent why over a close-on-exec pipe: it writes
// ExecFailure{stage, errno} and exits 127. EOF on the pipe means exec succeeded.

#include <cerrno>
#include <csignal>
#include <optional>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

namespace banata::forkexec {

/// Where the child gave up (a caller-defined enum) and the errno it got there.
template <typename Stage>
struct ExecFailure
{
    Stage stage;
    int err;
};

/// In the forked child: unblocks every signal and restores default dispositions. Ignored ones
/// survive exec, and a parent that ignores SIGPIPE must not pass that on. Async-signal-safe.
inline void resetSignals()
{
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    struct sigaction dfl = {};
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; ++sig) {
        if (sig != SIGKILL && sig != SIGSTOP)
            sigaction(sig, &dfl, nullptr);
    }
}

/// In the forked child: reports \a stage with the current errno on \a reportFd and exits 127.
/// Async-signal-safe.
template <typename Stage>
[[noreturn]] void reportExecFailure(int reportFd, Stage stage)
{
    const ExecFailure<Stage> failure{stage, errno};
    [[maybe_unused]] ssize_t n = ::write(reportFd, &failure, sizeof failure);
    _exit(127);
}

/// In the parent, with its copy of the pipe's write end closed: blocks until the child \a pid has
/// exec'd (nullopt) or reported an ExecFailure, in which case it has also been reaped. Blocks only
/// for the fork-to-exec window.
template <typename Stage>
std::optional<ExecFailure<Stage>> awaitExec(int reportFd, pid_t pid)
{
    ExecFailure<Stage> failure{};
    ssize_t n;
    do {
        n = ::read(reportFd, &failure, sizeof failure);
    } while (n < 0 && errno == EINTR);
    if (n != static_cast<ssize_t>(sizeof failure))
        return std::nullopt;
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return failure;
}

} // namespace banata::forkexec
