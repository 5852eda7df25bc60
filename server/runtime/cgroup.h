// SPDX-License-Identifier: MIT
#pragma once

#include <functional>
#include <optional>

#include <QObject>
#include <QString>

#include "fdutil.h"

class QSocketNotifier;
class QTimer;

namespace banata::server {

namespace cgroup {
/// Where the cgroup v2 hierarchy is mounted (from /proc/self/mountinfo); empty if nowhere.
QString mountPoint();
/// This process's cgroup v2 path, the "0::<path>" line of /proc/self/cgroup; empty if none.
QString ownPath();
bool writeFile(const QString &path, const QByteArray &value, QString *error);
/// The value of key in a cgroup.events file ("populated", "frozen"), read from offset 0.
std::optional<bool> eventFlag(int eventsFd, const QByteArray &key);
std::optional<bool> eventFlag(const QString &eventsPath, const QByteArray &key);
} // namespace cgroup

/// The cgroup of one sandbox tree: the directory holds bwrap and banata-sandboxd, its `work`
/// child every command, so a freeze stops the commands while the daemon keeps answering.
class SandboxCgroup
{
public:
    explicit SandboxCgroup(QString dir);

    /// Creates dir and dir/work; reuses them if a dead tree left them behind, fails if populated.
    static std::optional<QString> create(const QString &dir);

    QString dir() const { return m_dir; }
    QString workDir() const;
    bool exists() const;
    bool isFrozen() const;
    bool isPopulated() const;
    /// The directory fd of dir (work=false) or dir/work (work=true), for CLONE_INTO_CGROUP.
    UniqueFd openDir(bool work, QString *error) const;
    /// O_WRONLY cgroup.procs of dir or dir/work, for kernels without CLONE_INTO_CGROUP.
    UniqueFd openProcs(bool work, QString *error) const;
    bool setFrozen(bool frozen, QString *error) const;
    /// cgroup.kill: SIGKILL to every process of the tree, atomically with respect to fork.
    bool kill(QString *error) const;
    /// rmdir of work and dir; only succeeds once they are empty.
    bool remove(QString *error) const;

private:
    QString m_dir;
};

/// Waits, without polling in a loop, until a flag in a cgroup.events file has a value:
/// the kernel signals POLLPRI on each change (QSocketNotifier::Exception).
class CgroupEventWaiter final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CgroupEventWaiter)

public:
    using Callback = std::function<void(const std::optional<QString> &error)>;
    /// done runs once (with an error on timeout or if the file cannot be read); the waiter then
    /// deletes itself.
    CgroupEventWaiter(const QString &eventsPath, QByteArray key, bool wanted, int timeoutMs, Callback done,
                      QObject *parent);
    ~CgroupEventWaiter() override;

    void start();

private:
    void check();
    void finish(const std::optional<QString> &error);

    QString m_path;
    QByteArray m_key;
    bool m_wanted;
    int m_timeoutMs;
    Callback m_done;
    UniqueFd m_fd;
    QSocketNotifier *m_notifier = nullptr;
    QTimer *m_timer = nullptr;
    bool m_finished = false;
};

} // namespace banata::server
