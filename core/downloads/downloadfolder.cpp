// SPDX-License-Identifier: MIT
#include "core/downloads/downloadfolder.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcDownloadFolder, "banata.core.downloads.folder")

namespace banata {

namespace {
constexpr qsizetype kMaxNameBytes = 255;

// A single, non-special component: the last line of defence behind safeFileName.
bool isPlainName(const QString &name)
{
    return !name.isEmpty() && name != u"." && name != u".." && !name.contains(u'/') &&
           !name.contains(QChar(0));
}

int retryOnInterrupt(const auto &call)
{
    int result = 0;
    do {
        result = call();
    } while (result < 0 && errno == EINTR);
    return result;
}
} // namespace

DownloadFolder::~DownloadFolder()
{
    close();
}

bool DownloadFolder::open(const QString &path, QString *error)
{
    close();
    // The operator may have picked a symlink to a folder (a Downloads folder on another disk):
    // resolve that once, then hold the real folder so later swaps of the path do not matter.
    const QString canonical = QFileInfo(path).canonicalFilePath();
    if (canonical.isEmpty()) {
        *error =
            QCoreApplication::translate("banata::DownloadFolder", "The folder %1 does not exist").arg(path);
        return false;
    }
    const QByteArray encoded = QFile::encodeName(canonical);
    m_fd = retryOnInterrupt(
        [&] { return ::open(encoded.constData(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC); });
    if (m_fd < 0) {
        *error = QCoreApplication::translate("banata::DownloadFolder", "Cannot open the folder %1: %2")
                     .arg(path, errorText(errno));
        return false;
    }
    return true;
}

void DownloadFolder::close()
{
    if (m_fd >= 0)
        ::close(m_fd);
    m_fd = -1;
}

bool DownloadFolder::contains(const QString &name) const
{
    if (!isPlainName(name))
        return false;
    struct stat info = {};
    return ::fstatat(m_fd, QFile::encodeName(name).constData(), &info, AT_SYMLINK_NOFOLLOW) == 0 ||
           errno != ENOENT;
}

int DownloadFolder::createNew(const QString &name) const
{
    if (!isPlainName(name)) {
        errno = EINVAL;
        return -1;
    }
    const QByteArray encoded = QFile::encodeName(name);
    return retryOnInterrupt([&] {
        return ::openat(m_fd, encoded.constData(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    });
}

bool DownloadFolder::renameNoReplace(const QString &from, const QString &to) const
{
    if (!isPlainName(from) || !isPlainName(to)) {
        errno = EINVAL;
        return false;
    }
    const QByteArray source = QFile::encodeName(from);
    const QByteArray target = QFile::encodeName(to);
    if (::renameat2(m_fd, source.constData(), m_fd, target.constData(), RENAME_NOREPLACE) == 0)
        return true;
    if (errno != EINVAL && errno != ENOSYS)
        return false;
    // File systems without RENAME_NOREPLACE (some network and FUSE ones): a hard link fails
    // with EEXIST just as atomically; then the .part name goes.
    qCInfo(lcDownloadFolder) << "RENAME_NOREPLACE unsupported here; linking instead";
    if (::linkat(m_fd, source.constData(), m_fd, target.constData(), 0) != 0)
        return false;
    ::unlinkat(m_fd, source.constData(), 0);
    return true;
}

bool DownloadFolder::renameReplace(const QString &from, const QString &to) const
{
    if (!isPlainName(from) || !isPlainName(to)) {
        errno = EINVAL;
        return false;
    }
    return ::renameat(m_fd, QFile::encodeName(from).constData(), m_fd, QFile::encodeName(to).constData()) ==
           0;
}

bool DownloadFolder::remove(const QString &name) const
{
    if (!isPlainName(name)) {
        errno = EINVAL;
        return false;
    }
    return ::unlinkat(m_fd, QFile::encodeName(name).constData(), 0) == 0;
}

QString DownloadFolder::errorText(int error)
{
    return QString::fromLocal8Bit(std::strerror(error));
}

QString partFileName(const QString &fileName)
{
    const QString suffix = u".part"_s;
    QString base = fileName;
    // Cut whole UTF-16 units until "<name>.part" fits; never split a surrogate pair.
    while (QFile::encodeName(base).size() + suffix.size() > kMaxNameBytes) {
        base.chop(base.size() >= 2 && base.back().isLowSurrogate() ? 2 : 1);
    }
    return base + suffix;
}

} // namespace banata
