// SPDX-License-Identifier: MIT
#include "stopall.h"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <dirent.h>
#include <fcntl.h>
#include <string>

#include "fd.h"

namespace banata::sandboxd {

namespace {

bool isNumber(const char *name)
{
    if (*name == '\0')
        return false;
    for (; *name; ++name) {
        if (*name < '0' || *name > '9')
            return false;
    }
    return true;
}

// State letter from /proc/<pid>/task/<tid>/stat: the field after the last ')' of "(comm)".
char threadState(int taskDirFd, const char *tid)
{
    std::string path = std::string(tid) + "/stat";
    UniqueFd fd(::openat(taskDirFd, path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid())
        return 'X'; // exited meanwhile
    char buffer[512];
    const ssize_t n = ::read(fd.get(), buffer, sizeof buffer - 1);
    if (n <= 0)
        return 'X';
    buffer[n] = '\0';
    const std::string stat(buffer, static_cast<size_t>(n));
    const size_t close = stat.rfind(')');
    if (close == std::string::npos || close + 2 >= stat.size())
        return '?';
    return stat[close + 2];
}

bool isStoppedState(char state)
{
    return state == 'T' || state == 't' || state == 'Z' || state == 'X' || state == 'x';
}

// Whether SIGSTOP is queued for the whole process (ShdPnd of /proc/<pid>/status).
bool stopPending(const std::string &pid)
{
    UniqueFd fd(::open(("/proc/" + pid + "/status").c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid())
        return false;
    char buffer[4096];
    const ssize_t n = ::read(fd.get(), buffer, sizeof buffer - 1);
    if (n <= 0)
        return false;
    const std::string status(buffer, static_cast<size_t>(n));
    const size_t at = status.find("ShdPnd:");
    if (at == std::string::npos)
        return false;
    const unsigned long long mask = std::strtoull(status.c_str() + at + 7, nullptr, 16);
    return (mask >> (SIGSTOP - 1)) & 1u;
}

} // namespace

void signalSandbox(int sig)
{
    ::kill(-1, sig);
}

StopCheck checkStopped()
{
    StopCheck check;
    const pid_t self = ::getpid();
    DIR *proc = ::opendir("/proc");
    if (!proc)
        return check;
    while (dirent *entry = ::readdir(proc)) {
        if (!isNumber(entry->d_name))
            continue;
        const pid_t pid = static_cast<pid_t>(std::atol(entry->d_name));
        if (pid == 1 || pid == self)
            continue;
        const std::string taskPath = std::string("/proc/") + entry->d_name + "/task";
        UniqueFd taskFd(::open(taskPath.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!taskFd.valid())
            continue; // exited meanwhile
        DIR *tasks = ::fdopendir(taskFd.release());
        if (!tasks)
            continue;
        bool allStopped = true;
        bool anyStopped = false;
        bool anyUninterruptible = false;
        char badState = 0;
        while (dirent *task = ::readdir(tasks)) {
            if (!isNumber(task->d_name))
                continue;
            const char state = threadState(::dirfd(tasks), task->d_name);
            if (state == 'D') {
                anyUninterruptible = true;
                continue;
            }
            if (!isStoppedState(state)) {
                allStopped = false;
                badState = state;
                break;
            }
            anyStopped = true;
        }
        ::closedir(tasks);
        // A thread in uninterruptible sleep runs no user code and enters the stop on its way
        // back to user space, as long as the stop is under way: SIGSTOP still queued, or a
        // sibling thread already stopped. The common case is a shell waiting in vfork() for a
        // child that was stopped before it could exec; it would stay in D until resumed.
        if (allStopped && anyUninterruptible && !anyStopped && !stopPending(entry->d_name)) {
            allStopped = false;
            badState = 'D';
        }
        if (allStopped) {
            ++check.stopped;
        } else if (check.runningPid == 0) {
            check.runningPid = pid;
            check.runningState = std::string(1, badState);
        }
    }
    ::closedir(proc);
    return check;
}

} // namespace banata::sandboxd
