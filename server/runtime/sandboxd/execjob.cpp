// SPDX-License-Identifier: MIT
#include "execjob.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <sys/wait.h>
#include <time.h>

#include "server/runtime/cgroupfork.h"
#include "server/runtime/forkexec.h"

extern char **environ;

namespace banata::sandboxd {

namespace {

enum class Stage : int
{
    Cgroup = 1,
    Chdir,
    Stdio,
    Exec
};

std::vector<char *> cStrings(std::vector<std::string> &strings)
{
    std::vector<char *> out;
    out.reserve(strings.size() + 1);
    for (std::string &s : strings)
        out.push_back(s.data());
    out.push_back(nullptr);
    return out;
}

// Runs in the forked child: only async-signal-safe calls until exec.
[[noreturn]] void runChild(char **argv, char **envp, const char *cwd, bool join, int procsFd, int devNullFd,
                           int outFd, int errFd, int reportFd)
{
    const auto fail = [reportFd](Stage stage) { forkexec::reportExecFailure(reportFd, stage); };
    forkexec::resetSignals(); // the daemon ignores SIGPIPE, commands must not
    setsid(); // own session and process group: a timeout kills the whole group
    // Fallback only (no CLONE_INTO_CGROUP): join the freezable cgroup before running any
    // command code, so nothing can escape a pause.
    if (join && ::write(procsFd, "0", 1) != 1)
        fail(Stage::Cgroup);
    if (::chdir(cwd) != 0)
        fail(Stage::Chdir);
    if (::dup2(devNullFd, 0) < 0 || ::dup2(outFd, 1) < 0 || ::dup2(errFd, 2) < 0)
        fail(Stage::Stdio);
    environ = envp; // execvp resolves argv[0] with the command's own PATH
    ::execvp(argv[0], argv);
    fail(Stage::Exec);
    _exit(127);
}

} // namespace

void OutputStream::readAvailable(size_t cap, size_t budget)
{
    char buffer[65536];
    while (fd.valid() && budget > 0) {
        const ssize_t n = ::read(fd.get(), buffer, std::min(sizeof buffer, budget));
        if (n > 0) {
            const size_t got = static_cast<size_t>(n);
            budget -= got;
            const size_t room = data.size() < cap ? cap - data.size() : 0;
            data.append(buffer, std::min(room, got));
            if (got > room)
                truncated = true;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return;
        fd.reset(); // EOF or error
    }
}

ExecJob::ExecJob(nlohmann::json requestId, uint64_t generation, ExecParams params)
    : m_requestId(std::move(requestId))
    , m_generation(generation)
    , m_params(std::move(params))
{}

void ExecJob::start(const CgroupTarget &cgroup, int devNullFd)
{
    m_startMs = monotonicMs();
    int outPipe[2];
    int errPipe[2];
    int reportPipe[2];
    if (::pipe2(outPipe, O_CLOEXEC) != 0)
        return failBeforeExec("pipe", errno);
    UniqueFd outRead(outPipe[0]), outWrite(outPipe[1]);
    if (::pipe2(errPipe, O_CLOEXEC) != 0)
        return failBeforeExec("pipe", errno);
    UniqueFd errRead(errPipe[0]), errWrite(errPipe[1]);
    if (::pipe2(reportPipe, O_CLOEXEC) != 0)
        return failBeforeExec("pipe", errno);
    UniqueFd reportRead(reportPipe[0]), reportWrite(reportPipe[1]);

    std::vector<char *> argv = cStrings(m_params.argv);
    std::vector<char *> envp = cStrings(m_params.env);
    bool joinInChild = false;
    const pid_t pid = cgroupfork::forkIntoCgroup(cgroup.dirFd, &joinInChild);
    if (pid < 0)
        return failBeforeExec("fork", errno);
    if (pid == 0)
        runChild(argv.data(), envp.data(), m_params.cwd.c_str(), joinInChild, cgroup.procsFd, devNullFd,
                 outWrite.get(), errWrite.get(), reportWrite.get());

    m_pid = pid;
    outWrite.reset();
    errWrite.reset();
    reportWrite.reset();
    // This blocks only for the fork-to-exec window of a tiny child.
    if (const auto failure = forkexec::awaitExec<Stage>(reportRead.get(), pid)) {
        m_pid = -1;
        static constexpr const char *kStages[] = {"", "join cgroup", "cwd", "stdio", "exec"};
        const std::string what =
            failure->stage == Stage::Chdir
                ? std::string("cwd ") + m_params.cwd
                : std::string(kStages[static_cast<int>(failure->stage)]) + " " + m_params.argv.front();
        return failBeforeExec(what.c_str(), failure->err);
    }
    ::fcntl(outRead.get(), F_SETFL, O_NONBLOCK);
    ::fcntl(errRead.get(), F_SETFL, O_NONBLOCK);
    m_out.fd = std::move(outRead);
    m_err.fd = std::move(errRead);
    m_deadline = m_startMs + m_params.timeoutMs;
}

void ExecJob::failBeforeExec(const char *what, int err)
{
    m_err.data = std::string("banata-sandboxd: ") + what + ": " + errnoText(err) + "\n";
    m_exitCode = (err == ENOENT || err == ENOTDIR) ? 127 : 126;
    m_durationMs = monotonicMs() - m_startMs;
    m_finished = true;
}

void ExecJob::exited(int status)
{
    m_durationMs = monotonicMs() - m_startMs;
    if (m_timedOut)
        m_exitCode = 124;
    else if (WIFEXITED(status))
        m_exitCode = WEXITSTATUS(status);
    else if (WIFSIGNALED(status))
        m_exitCode = 128 + WTERMSIG(status);
    // What the main process wrote is already in the pipes. Background processes may still hold
    // them and keep writing: read a bounded amount so they cannot delay the reply forever.
    const size_t budget = m_params.maxOutputBytes + (2u << 20);
    m_out.readAvailable(m_params.maxOutputBytes, budget);
    m_err.readAvailable(m_params.maxOutputBytes, budget);
    m_finished = true;
    m_deadline = -1;
}

void ExecJob::killForTimeout()
{
    if (m_pid > 0 && !m_timedOut) {
        m_timedOut = true;
        ::kill(-m_pid, SIGKILL);
    }
    m_deadline = -1;
}

void ExecJob::suspendDeadline(int64_t now)
{
    if (m_deadline >= 0) {
        m_remainingMs = std::max<int64_t>(m_deadline - now, 0);
        m_deadline = -1;
    } else {
        m_remainingMs = -1;
    }
}

void ExecJob::resumeDeadline(int64_t now)
{
    if (!m_finished && !m_timedOut && m_remainingMs >= 0)
        m_deadline = now + m_remainingMs;
}

nlohmann::json ExecJob::result() const
{
    return {{"stdout", m_out.data},
            {"stderr", m_err.data},
            {"exitCode", m_exitCode},
            {"durationMs", m_durationMs},
            {"timedOut", m_timedOut},
            {"stdoutTruncated", m_out.truncated},
            {"stderrTruncated", m_err.truncated}};
}

int64_t monotonicMs()
{
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

std::string errnoText(int err)
{
    return std::strerror(err);
}

} // namespace banata::sandboxd
