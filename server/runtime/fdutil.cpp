// SPDX-License-Identifier: MIT
#include "fdutil.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include <QFile>
#include <QFileInfo>

using namespace Qt::StringLiterals;

namespace banata::server {

QString errnoMessage(const QString &what, int err)
{
    return what % u": "_s % QString::fromLocal8Bit(std::strerror(err));
}

UniqueFd openPidfd(pid_t pid)
{
#ifdef SYS_pidfd_open
    const long fd = ::syscall(SYS_pidfd_open, pid, 0);
    if (fd >= 0) {
        ::fcntl(static_cast<int>(fd), F_SETFD, FD_CLOEXEC);
        return UniqueFd(static_cast<int>(fd));
    }
#else
    Q_UNUSED(pid)
#endif
    return UniqueFd();
}

std::optional<qint64> processStartTime(pid_t pid)
{
    QFile file(u"/proc/"_s + QString::number(pid) + u"/stat"_s);
    if (!file.open(QIODevice::ReadOnly))
        return std::nullopt;
    const QByteArray stat = file.readAll();
    // Fields after "(comm)": state is field 3, starttime field 22.
    const qsizetype close = stat.lastIndexOf(')');
    if (close < 0)
        return std::nullopt;
    const QList<QByteArray> fields = stat.mid(close + 2).split(' ');
    if (fields.size() < 20)
        return std::nullopt;
    bool ok = false;
    const qint64 start = fields.at(19).toLongLong(&ok);
    return ok ? std::optional<qint64>(start) : std::nullopt;
}

bool sendSignal(const UniqueFd &pidfd, pid_t pid, int sig)
{
#ifdef SYS_pidfd_send_signal
    if (pidfd.valid())
        return ::syscall(SYS_pidfd_send_signal, pidfd.get(), sig, nullptr, 0) == 0;
#endif
    return pid > 0 && ::kill(pid, sig) == 0;
}

namespace {

/// A sockaddr_un for path; long paths go through an O_PATH fd of the directory.
struct UnixAddress
{
    sockaddr_un addr = {};
    UniqueFd dir;

    bool set(const QString &path, QString *error)
    {
        addr.sun_family = AF_UNIX;
        QByteArray native = QFile::encodeName(path);
        if (native.size() >= qsizetype(sizeof addr.sun_path)) {
            const QFileInfo info(path);
            dir.reset(::open(QFile::encodeName(info.path()).constData(), O_PATH | O_DIRECTORY | O_CLOEXEC));
            if (!dir.valid()) {
                *error = errnoMessage(info.path(), errno);
                return false;
            }
            native =
                "/proc/self/fd/" + QByteArray::number(dir.get()) + '/' + QFile::encodeName(info.fileName());
            if (native.size() >= qsizetype(sizeof addr.sun_path)) {
                *error = u"socket name too long: "_s + path;
                return false;
            }
        }
        std::memcpy(addr.sun_path, native.constData(), size_t(native.size()) + 1);
        return true;
    }
    const sockaddr *raw() const { return reinterpret_cast<const sockaddr *>(&addr); }
};

/// Resolves path into address and creates the (blocking, close-on-exec) socket for it; invalid
/// with *error set on failure.
UniqueFd unixSocketFor(UnixAddress &address, const QString &path, QString *error)
{
    if (!address.set(path, error))
        return UniqueFd();
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd.valid())
        *error = errnoMessage(u"socket"_s, errno);
    return fd;
}

} // namespace

UniqueFd listenUnixSocket(const QString &path, QString *error)
{
    UnixAddress address;
    UniqueFd fd = unixSocketFor(address, path, error);
    if (!fd.valid())
        return fd;
    ::unlink(address.addr.sun_path); // a socket left by a dead tree
    if (::bind(fd.get(), address.raw(), sizeof address.addr) != 0 ||
        ::chmod(address.addr.sun_path, 0600) != 0 || ::listen(fd.get(), 8) != 0) {
        *error = errnoMessage(u"listen on "_s + path, errno);
        return UniqueFd();
    }
    return fd;
}

UniqueFd connectUnixSocket(const QString &path, QString *error)
{
    UnixAddress address;
    UniqueFd fd = unixSocketFor(address, path, error);
    if (!fd.valid())
        return fd;
    int rc;
    do {
        rc = ::connect(fd.get(), address.raw(), sizeof address.addr);
    } while (rc != 0 && errno == EINTR);
    if (rc != 0) {
        *error = errnoMessage(u"connect to "_s + path, errno);
        return UniqueFd();
    }
    return fd;
}

} // namespace banata::server
