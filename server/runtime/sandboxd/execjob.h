// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <sys/types.h>
#include <vector>

#include "fd.h"

namespace banata::sandboxd {

/// What an exec request asks for, already validated.
struct ExecParams
{
    std::vector<std::string> argv;
    std::vector<std::string> env; // KEY=VALUE, complete environment of the command
    std::string cwd = "/workspace";
    int64_t timeoutMs = 60000;
    size_t maxOutputBytes = 8u << 20;
};

/// The cgroup commands start in: its directory and (for kernels without CLONE_INTO_CGROUP) its
/// cgroup.procs; -1 without a cgroup.
struct CgroupTarget
{
    int dirFd = -1;
    int procsFd = -1;
};

/// One captured output stream of a command: a non-blocking pipe read end and what was kept.
struct OutputStream
{
    UniqueFd fd;
    std::string data;
    bool truncated = false;

    /// Reads what is available now (at most budget bytes); closes fd on EOF or error.
    void readAvailable(size_t cap, size_t budget);
};

/// One exec: the main process (own session and process group), its two pipes and its deadline.
class ExecJob
{
public:
    ExecJob(nlohmann::json requestId, uint64_t generation, ExecParams params);

    /// Forks and execs the main process; if that fails the job is finished at once (126/127).
    void start(const CgroupTarget &cgroup, int devNullFd);

    pid_t pid() const { return m_pid; }
    bool finished() const { return m_finished; }
    const nlohmann::json &requestId() const { return m_requestId; }
    uint64_t generation() const { return m_generation; }
    OutputStream &out() { return m_out; }
    OutputStream &err() { return m_err; }
    size_t cap() const { return m_params.maxOutputBytes; }

    /// The main process was reaped with wait status `status`: drain what the pipes already hold.
    void exited(int status);
    /// Absolute CLOCK_MONOTONIC deadline in ms; -1 while suspended or already timed out.
    int64_t deadline() const { return m_deadline; }
    void killForTimeout();
    void suspendDeadline(int64_t now);
    void resumeDeadline(int64_t now);

    nlohmann::json result() const;

private:
    void failBeforeExec(const char *what, int err);

    nlohmann::json m_requestId;
    uint64_t m_generation;
    ExecParams m_params;
    pid_t m_pid = -1;
    OutputStream m_out;
    OutputStream m_err;
    int64_t m_startMs = 0;
    int64_t m_durationMs = 0;
    int64_t m_deadline = -1;
    int64_t m_remainingMs = 0;
    int m_exitCode = 0;
    bool m_timedOut = false;
    bool m_finished = false;
};

} // namespace banata::sandboxd
