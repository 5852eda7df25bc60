// SPDX-License-Identifier: MIT
#include "spawn.h"

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <linux/close_range.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <QCoreApplication>
#include <QSocketNotifier>

#include "cgroupfork.h"
#include "fdutil.h"
#include "forkexec.h"

using namespace Qt::StringLiterals;

namespace banata::server {

namespace {

enum class Stage : int
{
    Cgroup = 1,
    Session,
    Stdio,
    Fds,
    Exec
};

// Pointers into bytes, null-terminated, built before fork: the child may not allocate.
struct CStrings
{
    std::vector<QByteArray> bytes;
    std::vector<char *> pointers;

    explicit CStrings(const QStringList &strings)
    {
        bytes.reserve(size_t(strings.size()));
        for (const QString &s : strings)
            bytes.push_back(s.toLocal8Bit());
        for (QByteArray &b : bytes)
            pointers.push_back(b.data());
        pointers.push_back(nullptr);
    }
};

void closeOtherFds(const std::vector<int> &keep)
{
#ifdef SYS_close_range
    if (::syscall(SYS_close_range, 3u, ~0u, CLOSE_RANGE_CLOEXEC) != 0)
#endif
    {
        for (int fd = 3; fd < 4096; ++fd)
            ::fcntl(fd, F_SETFD, FD_CLOEXEC);
    }
    for (int fd : keep)
        ::fcntl(fd, F_SETFD, 0);
}

// Runs in the forked child of a multi-threaded process: async-signal-safe calls only.
[[noreturn]] void runChild(const DetachedSpawn &spawn, bool joinCgroup, char **argv, char **envp,
                           int reportFd)
{
    const auto fail = [reportFd](Stage stage) { forkexec::reportExecFailure(reportFd, stage); };
    forkexec::resetSignals();
    if (joinCgroup && ::write(spawn.cgroupProcsFd, "0", 1) != 1)
        fail(Stage::Cgroup);
    if (::setsid() < 0)
        fail(Stage::Session);
    if (::dup2(spawn.stdinFd, 0) < 0 || ::dup2(spawn.stdoutFd, 1) < 0 || ::dup2(spawn.stderrFd, 2) < 0)
        fail(Stage::Stdio);
    closeOtherFds(spawn.inheritFds);
    ::execve(argv[0], argv, envp);
    fail(Stage::Exec);
    _exit(127);
}

} // namespace

Expected<pid_t, QString> spawnDetached(const DetachedSpawn &spawn)
{
    using Result = Expected<pid_t, QString>;
    CStrings argv(QStringList{spawn.program} + spawn.arguments);
    CStrings envp(spawn.environment);
    int report[2];
    if (::pipe2(report, O_CLOEXEC) != 0)
        return Result::failure(errnoMessage(u"pipe"_s, errno));
    UniqueFd reportRead(report[0]);
    UniqueFd reportWrite(report[1]);

    bool joinInChild = false;
    const pid_t pid = cgroupfork::forkIntoCgroup(spawn.cgroupDirFd, &joinInChild);
    if (pid < 0)
        return Result::failure(errnoMessage(u"fork"_s, errno));
    if (pid == 0)
        runChild(spawn, joinInChild, argv.pointers.data(), envp.pointers.data(), reportWrite.get());
    reportWrite.reset();

    // Exec follows the fork within a millisecond, so blocking here is cheaper than another round
    // through the event loop.
    const auto failure = forkexec::awaitExec<Stage>(reportRead.get(), pid);
    if (!failure)
        return pid;
    static const char *const stages[] = {"", "join cgroup", "setsid", "stdio", "fds", "exec"};
    return Result::failure(errnoMessage(
        QString::fromLatin1(stages[static_cast<int>(failure->stage)]) + u' ' + spawn.program, failure->err));
}

void reapWhenExited(UniqueFd pidfd)
{
    QCoreApplication *app = QCoreApplication::instance();
    if (!app || !pidfd.valid())
        return;
    const int fd = pidfd.release();
    auto *notifier = new QSocketNotifier(fd, QSocketNotifier::Read, app);
    QObject::connect(notifier, &QSocketNotifier::activated, app, [notifier, fd] {
        siginfo_t info = {};
        ::waitid(P_PIDFD, id_t(fd), &info, WEXITED | WNOHANG); // ECHILD if not ours: fine
        notifier->setEnabled(false);
        notifier->deleteLater();
        ::close(fd);
    });
}

} // namespace banata::server
