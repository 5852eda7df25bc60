// SPDX-License-Identifier: MIT
#include "treecopy.h"

#include "fdutil.h"

#include <QLoggingCategory>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <memory>

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcTreeCopy, "banata.server.workspace.copy", QtInfoMsg)

using namespace Qt::StringLiterals;

namespace banata::server::detail {

namespace {

constexpr int kMaxDepth = 128;
constexpr size_t kFallbackBufferSize = 1024 * 1024;

FsResult<bool> failAt(const CopyContext &context, int error)
{
    QString shown = context.displayRoot;
    for (const std::string &name : context.path)
        shown += u'/' + QString::fromUtf8(name.data(), qsizetype(name.size()));
    qCWarning(lcTreeCopy) << "copy failed at" << shown << strerrordesc_np(error);
    return FsResult<bool>::failure(FsError::fromErrno(error, shown));
}

bool vanished(int error)
{
    // The sandbox deleted or replaced the entry since we listed it: not an error for a snapshot.
    return error == ENOENT || error == ELOOP || error == ENOTDIR;
}

int copyRangeByHand(int in, int out, off_t offset, off_t length)
{
    thread_local std::unique_ptr<char[]> buffer(new char[kFallbackBufferSize]);
    while (length > 0) {
        const ssize_t n = ::pread(in, buffer.get(), size_t(std::min<off_t>(length, kFallbackBufferSize)), offset);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return errno;
        }
        if (n == 0)
            return 0; // the file shrank meanwhile
        for (ssize_t done = 0; done < n;) {
            const ssize_t w = ::pwrite(out, buffer.get() + done, size_t(n - done), offset + done);
            if (w < 0) {
                if (errno == EINTR)
                    continue;
                return errno;
            }
            done += w;
        }
        offset += n;
        length -= n;
    }
    return 0;
}

int copyRange(int in, int out, off_t offset, off_t length)
{
    loff_t inOffset = offset;
    loff_t outOffset = offset;
    while (length > 0) {
        const ssize_t n = ::copy_file_range(in, &inOffset, out, &outOffset, size_t(length), 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EXDEV || errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP || errno == EBADF)
                return copyRangeByHand(in, out, inOffset, length);
            return errno;
        }
        if (n == 0)
            return 0;
        length -= n;
    }
    return 0;
}

/// Copies [0, size) of \a in, skipping holes found with SEEK_DATA/SEEK_HOLE.
int copyData(int in, int out, off_t size)
{
    off_t position = 0;
    while (position < size) {
        off_t dataStart = ::lseek(in, position, SEEK_DATA);
        off_t dataEnd = size;
        if (dataStart < 0) {
            if (errno == ENXIO)
                return 0; // nothing but a hole up to EOF
            if (errno != EINVAL && errno != EOPNOTSUPP)
                return errno;
            dataStart = position; // no hole support: copy everything
        } else {
            if (dataStart >= size)
                return 0;
            const off_t hole = ::lseek(in, dataStart, SEEK_HOLE);
            if (hole < 0)
                return errno;
            dataEnd = std::min(hole, size);
        }
        if (const int error = copyRange(in, out, dataStart, dataEnd - dataStart))
            return error;
        position = dataEnd;
    }
    return 0;
}

FsResult<bool> copyFile(int srcDir, const char *name, int dstDir, CopyContext &context)
{
    // O_NONBLOCK: a FIFO swapped in after the lstat must not block us.
    UniqueFd in(::openat(srcDir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
    if (!in.valid())
        return vanished(errno) ? FsResult<bool>(true) : failAt(context, errno);
    struct stat st;
    if (::fstat(in.get(), &st) < 0)
        return failAt(context, errno);
    if (!S_ISREG(st.st_mode))
        return true;
    UniqueFd out(::openat(dstDir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!out.valid())
        return failAt(context, errno);

    bool cloned = false;
    if (context.tryReflink && st.st_size > 0) {
        if (::ioctl(out.get(), FICLONE, in.get()) == 0) {
            cloned = true;
            ++context.reflinked;
        } else if (errno == EOPNOTSUPP || errno == ENOTTY || errno == EXDEV) {
            context.tryReflink = false; // ext4, tmpfs, ...: no need to ask again for every file
        }
    }
    if (!cloned) {
        if (const int error = copyData(in.get(), out.get(), st.st_size))
            return failAt(context, error);
        // Trailing holes: copyData stops at the last data byte.
        if (::ftruncate(out.get(), st.st_size) < 0)
            return failAt(context, errno);
    }
    const timespec times[2] = {st.st_atim, st.st_mtim};
    if (::fchmod(out.get(), st.st_mode & 07777) < 0 || ::futimens(out.get(), times) < 0)
        return failAt(context, errno);
    context.sizeBytes += st.st_size;
    ++context.fileCount;
    return true;
}

FsResult<bool> copySymlink(int srcDir, const char *name, const struct stat &st, int dstDir, CopyContext &context)
{
    std::string target(PATH_MAX, '\0');
    const ssize_t n = ::readlinkat(srcDir, name, target.data(), target.size());
    if (n < 0)
        return vanished(errno) || errno == EINVAL ? FsResult<bool>(true) : failAt(context, errno);
    target.resize(size_t(n));
    const timespec times[2] = {st.st_atim, st.st_mtim};
    if (::symlinkat(target.c_str(), dstDir, name) < 0 || ::utimensat(dstDir, name, times, AT_SYMLINK_NOFOLLOW) < 0)
        return failAt(context, errno);
    ++context.fileCount;
    return true;
}

FsResult<bool> copyDirectory(int srcDir, int dstDir, CopyContext &context, int depth);

FsResult<bool> copySubdirectory(int srcDir, const char *name, const struct stat &st, int dstDir,
                                CopyContext &context, int depth)
{
    if (depth + 1 > kMaxDepth) {
        return FsResult<bool>::failure(FsError::make(
            FsError::Kind::Io, u"Directories nest deeper than %1 levels under %2"_s.arg(kMaxDepth).arg(context.displayRoot)));
    }
    UniqueFd in(::openat(srcDir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!in.valid())
        return vanished(errno) ? FsResult<bool>(true) : failAt(context, errno);
    if (::mkdirat(dstDir, name, 0700) < 0)
        return failAt(context, errno);
    UniqueFd out(::openat(dstDir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!out.valid())
        return failAt(context, errno);
    if (auto copied = copyDirectory(in.get(), out.get(), context, depth + 1); !copied)
        return copied;
    // Only now: a read-only directory must be filled before it gets its real mode, and filling
    // it changed its mtime.
    if (!(context.deferTopLevelModes && depth == 0)) {
        if (const int error = applyDirectoryAttributes(out.get(), st))
            return failAt(context, error);
    }
    return true;
}

FsResult<bool> copyDirectory(int srcDir, int dstDir, CopyContext &context, int depth)
{
    std::vector<DirEntry> entries;
    if (const int error = readDirectory(srcDir, entries))
        return failAt(context, error);
    for (const DirEntry &entry : entries) {
        context.path.push_back(entry.name);
        const char *name = entry.name.c_str();
        struct stat st;
        FsResult<bool> result = true;
        if (::fstatat(srcDir, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
            if (!vanished(errno))
                result = failAt(context, errno);
        } else if (S_ISDIR(st.st_mode)) {
            result = copySubdirectory(srcDir, name, st, dstDir, context, depth);
        } else if (S_ISREG(st.st_mode)) {
            result = copyFile(srcDir, name, dstDir, context);
        } else if (S_ISLNK(st.st_mode)) {
            result = copySymlink(srcDir, name, st, dstDir, context);
        } else if (S_ISFIFO(st.st_mode)) {
            const timespec times[2] = {st.st_atim, st.st_mtim};
            if (::mkfifoat(dstDir, name, st.st_mode & 07777) < 0
                || ::utimensat(dstDir, name, times, AT_SYMLINK_NOFOLLOW) < 0)
                result = failAt(context, errno);
            ++context.fileCount;
        } else {
            qCDebug(lcTreeCopy) << "skipping a socket or device node";
        }
        context.path.pop_back();
        if (!result)
            return result;
    }
    return true;
}

} // namespace

FsResult<bool> copyTree(int srcDirFd, int dstDirFd, CopyContext &context)
{
    context.path.clear();
    return copyDirectory(srcDirFd, dstDirFd, context, 0);
}

int applyDirectoryAttributes(int dirFd, const struct stat &source)
{
    const timespec times[2] = {source.st_atim, source.st_mtim};
    if (::fchmod(dirFd, source.st_mode & 07777) < 0 || ::futimens(dirFd, times) < 0)
        return errno;
    return 0;
}

} // namespace banata::server::detail
