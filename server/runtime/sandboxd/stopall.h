// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <sys/types.h>

namespace banata::sandboxd {

/// Sends sig to every process of the PID namespace except its init (bwrap) and this daemon:
/// kill(-1) from inside the namespace, atomic with respect to concurrent fork.
void signalSandbox(int sig);

/// Result of scanning /proc of the sandbox for processes that are not stopped yet.
struct StopCheck
{
    int stopped = 0;      // processes (other than init and the daemon) found stopped
    pid_t runningPid = 0; // first process with a thread not in state T/t/Z/X, 0 if none
    std::string runningState;
};

/// Scans every thread of every process except PID 1 and self.
StopCheck checkStopped();

} // namespace banata::sandboxd
