// SPDX-License-Identifier: MIT
#include "cgroup.h"

#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <QDir>
#include <QFile>
#include <QLoggingCategory>
#include <QSocketNotifier>
#include <QTimer>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcCgroup, "banata.server.runtime.cgroup")

namespace banata::server {

namespace cgroup {

QString mountPoint()
{
    QFile file(u"/proc/self/mountinfo"_s);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    // "36 25 0:31 / /sys/fs/cgroup rw,... - cgroup2 cgroup2 rw": mount point is field 5, the
    // filesystem type comes after the " - " separator.
    for (const QByteArray &line : file.readAll().split('\n')) {
        const qsizetype dash = line.indexOf(" - ");
        if (dash < 0 || !line.mid(dash + 3).startsWith("cgroup2 "))
            continue;
        const QList<QByteArray> fields = line.left(dash).split(' ');
        if (fields.size() >= 5) {
            // mountinfo escapes blanks as octal; cgroup mounts never have any in practice.
            return QFile::decodeName(fields.at(4));
        }
    }
    return {};
}

QString ownPath()
{
    QFile file(u"/proc/self/cgroup"_s);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    for (const QByteArray &line : file.readAll().split('\n')) {
        if (line.startsWith("0::"))
            return QFile::decodeName(line.mid(3));
    }
    return {};
}

bool writeFile(const QString &path, const QByteArray &value, QString *error)
{
    UniqueFd fd(::open(QFile::encodeName(path).constData(), O_WRONLY | O_CLOEXEC));
    if (!fd.valid() || ::write(fd.get(), value.constData(), size_t(value.size())) != value.size()) {
        if (error)
            *error = errnoMessage(path, errno);
        return false;
    }
    return true;
}

std::optional<bool> eventFlag(int eventsFd, const QByteArray &key)
{
    char buffer[512];
    const ssize_t n = ::pread(eventsFd, buffer, sizeof buffer - 1, 0);
    if (n <= 0)
        return std::nullopt;
    const QByteArray text(buffer, qsizetype(n));
    for (const QByteArray &line : text.split('\n')) {
        if (line.startsWith(key) && line.size() > key.size() && line.at(key.size()) == ' ')
            return line.mid(key.size() + 1).trimmed() == "1";
    }
    return std::nullopt;
}

std::optional<bool> eventFlag(const QString &eventsPath, const QByteArray &key)
{
    UniqueFd fd(::open(QFile::encodeName(eventsPath).constData(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid())
        return std::nullopt;
    return eventFlag(fd.get(), key);
}

} // namespace cgroup

SandboxCgroup::SandboxCgroup(QString dir)
    : m_dir(std::move(dir))
{}

std::optional<QString> SandboxCgroup::create(const QString &dir)
{
    const SandboxCgroup group(dir);
    if (group.exists() && group.isPopulated())
        return u"cgroup "_s + dir + u" still has processes"_s;
    for (const QString &path : {dir, group.workDir()}) {
        if (::mkdir(QFile::encodeName(path).constData(), 0755) != 0 && errno != EEXIST)
            return errnoMessage(u"mkdir "_s + path, errno);
    }
    // A reused directory may have been left frozen.
    QString error;
    if (!group.setFrozen(false, &error))
        return error;
    return std::nullopt;
}

QString SandboxCgroup::workDir() const
{
    return m_dir + u"/work"_s;
}

bool SandboxCgroup::exists() const
{
    return QFile::exists(m_dir + u"/cgroup.procs"_s);
}

bool SandboxCgroup::isFrozen() const
{
    return cgroup::eventFlag(workDir() + u"/cgroup.events"_s, "frozen").value_or(false);
}

bool SandboxCgroup::isPopulated() const
{
    return cgroup::eventFlag(m_dir + u"/cgroup.events"_s, "populated").value_or(false);
}

UniqueFd SandboxCgroup::openDir(bool work, QString *error) const
{
    const QString path = work ? workDir() : m_dir;
    UniqueFd fd(::open(QFile::encodeName(path).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd.valid() && error)
        *error = errnoMessage(path, errno);
    return fd;
}

UniqueFd SandboxCgroup::openProcs(bool work, QString *error) const
{
    const QString path = (work ? workDir() : m_dir) + u"/cgroup.procs"_s;
    UniqueFd fd(::open(QFile::encodeName(path).constData(), O_WRONLY | O_CLOEXEC));
    if (!fd.valid() && error)
        *error = errnoMessage(path, errno);
    return fd;
}

bool SandboxCgroup::setFrozen(bool frozen, QString *error) const
{
    return cgroup::writeFile(workDir() + u"/cgroup.freeze"_s, frozen ? "1" : "0", error);
}

bool SandboxCgroup::kill(QString *error) const
{
    return cgroup::writeFile(m_dir + u"/cgroup.kill"_s, "1", error);
}

bool SandboxCgroup::remove(QString *error) const
{
    for (const QString &path : {workDir(), m_dir}) {
        if (::rmdir(QFile::encodeName(path).constData()) != 0 && errno != ENOENT) {
            if (error)
                *error = errnoMessage(u"rmdir "_s + path, errno);
            return false;
        }
    }
    return true;
}

CgroupEventWaiter::CgroupEventWaiter(const QString &eventsPath, QByteArray key, bool wanted, int timeoutMs,
                                     Callback done, QObject *parent)
    : QObject(parent)
    , m_path(eventsPath)
    , m_key(std::move(key))
    , m_wanted(wanted)
    , m_timeoutMs(timeoutMs)
    , m_done(std::move(done))
{}

CgroupEventWaiter::~CgroupEventWaiter() = default;

void CgroupEventWaiter::start()
{
    m_fd.reset(::open(QFile::encodeName(m_path).constData(), O_RDONLY | O_CLOEXEC));
    if (!m_fd.valid())
        return finish(errnoMessage(m_path, errno));
    // Arm the notifier before the first read so a change in between is not missed.
    m_notifier = new QSocketNotifier(m_fd.get(), QSocketNotifier::Exception, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &CgroupEventWaiter::check);
    m_timer = new QTimer(this);
    m_timer->setSingleShot(true);
    connect(m_timer, &QTimer::timeout, this, [this] {
        qCWarning(lcCgroup) << "timed out waiting for" << m_key << "=" << m_wanted << "in" << m_path;
        finish(u"timed out waiting for "_s + QString::fromLatin1(m_key) + u" in "_s + m_path);
    });
    m_timer->start(m_timeoutMs);
    check();
}

void CgroupEventWaiter::check()
{
    const std::optional<bool> value = cgroup::eventFlag(m_fd.get(), m_key);
    // A removed cgroup (ENODEV) is certainly not populated any more.
    if (!value && m_key == "populated" && !m_wanted && !QFile::exists(m_path))
        return finish(std::nullopt);
    if (!value)
        return finish(u"cannot read "_s + m_path);
    if (*value == m_wanted)
        finish(std::nullopt);
}

void CgroupEventWaiter::finish(const std::optional<QString> &error)
{
    if (m_finished)
        return;
    m_finished = true;
    if (m_notifier)
        m_notifier->setEnabled(false);
    if (m_timer)
        m_timer->stop();
    deleteLater();
    // The callback may destroy our parent (and so this object): run it from a local copy.
    const Callback done = std::move(m_done);
    if (done)
        done(error);
}

} // namespace banata::server
