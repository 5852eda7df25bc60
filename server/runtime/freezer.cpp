// SPDX-License-Identifier: MIT
#include "freezer.h"

#include <cerrno>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <QDir>
#include <QFile>
#include <QLoggingCategory>

#include "cgroup.h"
#include "cgroupfork.h"

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcFreezer, "banata.server.runtime.freezer")

namespace banata::server {

namespace {

/// SIGSTOP/SIGCONT through banata-sandboxd: needs nothing from the host.
class SignalFreezer final : public Freezer
{
public:
    QString name() const override { return u"signals"_s; }
    Expected<QString, QString> createGroup(const QString &) override { return QString(); }
};

/// One cgroup per sandbox under a base directory this server proved it can use.
class CgroupFreezer final : public Freezer
{
public:
    explicit CgroupFreezer(QString base)
        : m_base(std::move(base))
    {}
    QString name() const override { return u"cgroup-freezer"_s; }
    Expected<QString, QString> createGroup(const QString &key) override
    {
        const QString dir = m_base + u'/' + key;
        if (const std::optional<QString> error = SandboxCgroup::create(dir))
            return Expected<QString, QString>::failure(*error);
        return dir;
    }

private:
    QString m_base;
};

// Whether a child process may move itself into dir: what every tree start does. Permission
// depends on the common ancestor of source and destination, so only trying tells.
bool canMoveInto(const QString &dir, QString *why)
{
    QString error;
    const SandboxCgroup group(dir);
    UniqueFd dirFd = group.openDir(false, &error);
    UniqueFd procs = group.openProcs(false, &error);
    if (!dirFd.valid() || !procs.valid()) {
        *why = error;
        return false;
    }
    bool joinInChild = false;
    const pid_t pid = cgroupfork::forkIntoCgroup(dirFd.get(), &joinInChild);
    if (pid < 0) {
        *why = errnoMessage(u"cannot start a process in "_s + dir, errno);
        return false;
    }
    if (pid == 0)
        _exit(!joinInChild || ::write(procs.get(), "0", 1) == 1 ? 0 : 1);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        *why = u"cannot move a process into "_s + dir;
        return false;
    }
    return true;
}

bool probeBase(const QString &base, QString *why)
{
    if (::mkdir(QFile::encodeName(base).constData(), 0755) != 0 && errno != EEXIST) {
        *why = errnoMessage(u"mkdir "_s + base, errno);
        return false;
    }
    const QString probe = base + u"/probe-"_s + QString::number(::getpid());
    if (::mkdir(QFile::encodeName(probe).constData(), 0755) != 0 && errno != EEXIST) {
        *why = errnoMessage(u"mkdir "_s + probe, errno);
        return false;
    }
    bool ok = true;
    for (const QString &file : {u"cgroup.freeze"_s, u"cgroup.kill"_s, u"cgroup.events"_s}) {
        if (ok && !QFile::exists(probe + u'/' + file)) {
            *why = file + u" missing (kernel too old?)"_s;
            ok = false;
        }
    }
    ok = ok && canMoveInto(probe, why);
    ::rmdir(QFile::encodeName(probe + u"/work"_s).constData());
    ::rmdir(QFile::encodeName(probe).constData());
    return ok;
}

std::optional<QString> findCgroupBase(QString *why)
{
    const QString mount = cgroup::mountPoint();
    const QString own = cgroup::ownPath();
    if (mount.isEmpty() || own.isEmpty()) {
        *why = u"no cgroup v2 hierarchy"_s;
        return std::nullopt;
    }
    // Below our own cgroup first (a delegated user scope allows it), then as a sibling.
    QStringList candidates = {QDir::cleanPath(mount + u'/' + own + u"/banata-local"_s)};
    if (own != u"/"_s)
        candidates.append(QDir::cleanPath(mount + u'/' + own + u"/../banata-local"_s));
    QStringList reasons;
    for (const QString &base : candidates) {
        QString reason;
        if (probeBase(base, &reason))
            return base;
        reasons.append(base + u": "_s + reason);
    }
    *why = reasons.join(u"; "_s);
    return std::nullopt;
}

} // namespace

Freezer::~Freezer() = default;

std::unique_ptr<Freezer> Freezer::detect(const QString &preference)
{
    QString wanted = preference;
    if (wanted == u"auto"_s && qEnvironmentVariableIsSet("BANATA_FREEZER"))
        wanted = qEnvironmentVariable("BANATA_FREEZER");
    if (wanted == u"signals"_s) {
        qCInfo(lcFreezer) << "pause backend: signals (forced)";
        return std::make_unique<SignalFreezer>();
    }
    if (wanted != u"auto"_s && wanted != u"cgroup"_s) {
        qCWarning(lcFreezer) << "unknown pause backend" << wanted;
        return nullptr;
    }
    QString why;
    if (const std::optional<QString> base = findCgroupBase(&why)) {
        qCInfo(lcFreezer) << "pause backend: cgroup-freezer under" << *base;
        return std::make_unique<CgroupFreezer>(*base);
    }
    if (wanted == u"cgroup"_s)
        qCWarning(lcFreezer) << "cgroup freezer requested but unavailable:" << why;
    else
        qCInfo(lcFreezer) << "cgroup freezer unavailable:" << why;
    qCInfo(lcFreezer) << "pause backend: signals";
    return std::make_unique<SignalFreezer>();
}

} // namespace banata::server
