// SPDX-License-Identifier: MIT
#include "treeremove.h"

#include "fdutil.h"

#include <QLoggingCategory>

#include <cerrno>
#include <climits>
#include <string>
#include <vector>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcTreeRemove, "banata.server.workspace.remove", QtInfoMsg)

namespace banata::server::detail {

namespace {

constexpr int kMaxDepth = 64;
constexpr int kMaxPasses = 64; // per directory, against entries appearing while we delete

struct RemoveContext
{
    int topFd;
};

int emptyDirectory(int dirFd, RemoveContext &context, int depth)
{
    std::vector<DirEntry> entries;
    // The top directory may need a pass per 64 levels of a flattened chain, so it only stops
    // when a pass changes nothing.
    const int maxPasses = dirFd == context.topFd ? INT_MAX : kMaxPasses;
    for (int pass = 0; pass < maxPasses; ++pass) {
        if (const int error = readDirectory(dirFd, entries))
            return error;
        if (entries.empty())
            return 0;
        int firstError = 0;
        bool progress = false;
        for (const DirEntry &entry : entries) {
            const char *name = entry.name.c_str();
            if (entry.type != DT_DIR) {
                if (::unlinkat(dirFd, name, 0) == 0 || errno == ENOENT) {
                    progress = true;
                    continue;
                }
                if (errno != EISDIR) { // Linux says EISDIR when unlink() meets a directory
                    firstError = firstError ? firstError : errno;
                    continue;
                }
            }
            UniqueFd child(openDirectoryWritable(dirFd, name));
            if (!child.valid()) {
                if (child.get() == -ENOENT)
                    progress = true;
                else if (child.get() != -ENOTDIR) // replaced by a file meanwhile: next pass
                    firstError = firstError ? firstError : -child.get();
                continue;
            }
            if (depth + 1 >= kMaxDepth) {
                // Flatten instead of holding yet another fd: the top directory picks it up later.
                const std::string moved = temporaryName("deep");
                if (::renameat(dirFd, name, context.topFd, moved.c_str()) == 0)
                    progress = true;
                else
                    firstError = firstError ? firstError : errno;
                continue;
            }
            if (const int error = emptyDirectory(child.get(), context, depth + 1)) {
                firstError = firstError ? firstError : error;
                continue;
            }
            child.reset();
            if (::unlinkat(dirFd, name, AT_REMOVEDIR) == 0 || errno == ENOENT)
                progress = true;
            else
                firstError = firstError ? firstError : errno;
        }
        if (!progress)
            return firstError ? firstError : EBUSY;
    }
    return EBUSY;
}

} // namespace

int openDirectoryWritable(int parentFd, const char *name, mode_t *originalMode)
{
    UniqueFd dir(::openat(parentFd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!dir.valid() && errno == EACCES) {
        // Not root and the directory is unreadable (0000, 0300...). Pin it with O_PATH |
        // O_NOFOLLOW, so what we chmod is that very directory and never a symlink target, then
        // chmod it through its /proc/self/fd link and reopen it from the pinned fd.
        const UniqueFd pinned(::openat(parentFd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!pinned.valid())
            return -errno;
        struct stat st;
        if (::fstat(pinned.get(), &st) < 0)
            return -errno;
        if (originalMode) {
            *originalMode = st.st_mode & 07777;
            originalMode = nullptr;
        }
        const std::string procPath = "/proc/self/fd/" + std::to_string(pinned.get());
        if (::chmod(procPath.c_str(), (st.st_mode & 07777) | 0700) < 0)
            return -errno;
        dir.reset(::openat(pinned.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    }
    if (!dir.valid())
        return -errno;
    struct stat st;
    if (::fstat(dir.get(), &st) < 0)
        return -errno;
    if (originalMode)
        *originalMode = st.st_mode & 07777;
    if ((st.st_mode & 0700) != 0700 && ::fchmod(dir.get(), (st.st_mode & 07777) | 0700) < 0)
        return -errno;
    return dir.release();
}

int removeEntryAt(int parentFd, const char *name)
{
    if (::unlinkat(parentFd, name, 0) == 0)
        return 0;
    if (errno != EISDIR)
        return errno;
    UniqueFd dir(openDirectoryWritable(parentFd, name));
    if (!dir.valid())
        return -dir.get();
    RemoveContext context{dir.get()};
    if (const int error = emptyDirectory(dir.get(), context, 0)) {
        qCWarning(lcTreeRemove) << "could not empty a directory:" << strerrordesc_np(error);
        return error;
    }
    dir.reset();
    if (::unlinkat(parentFd, name, AT_REMOVEDIR) < 0)
        return errno;
    return 0;
}

} // namespace banata::server::detail
