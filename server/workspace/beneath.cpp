// SPDX-License-Identifier: MIT
#include "beneath.h"

#include "fdutil.h"

#include <QLoggingCategory>

#include <atomic>
#include <cerrno>
#include <climits>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcBeneath, "banata.server.workspace.resolve", QtInfoMsg)

namespace banata::server::detail {

namespace {

std::atomic<ResolveMode> g_mode{ResolveMode::Auto};
enum class Openat2State { Unknown, Usable, Unusable };
std::atomic<Openat2State> g_openat2State{Openat2State::Unknown};

constexpr int kMaxSymlinks = 40;   // the kernel's MAXSYMLINKS
constexpr int kEagainRetries = 16; // RESOLVE_BENEATH gives EAGAIN when a rename races the lookup

int openat2Beneath(int dirFd, const char *path, int flags)
{
    open_how how{};
    how.flags = static_cast<__u64>(flags | O_CLOEXEC);
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
    const long fd = ::syscall(SYS_openat2, dirFd, path, &how, sizeof how);
    return fd < 0 ? -errno : static_cast<int>(fd);
}

bool openat2Usable()
{
    Openat2State state = g_openat2State.load(std::memory_order_relaxed);
    if (state == Openat2State::Unknown) {
        const int fd = openat2Beneath(AT_FDCWD, ".", O_PATH);
        // ENOSYS: kernel < 5.6; EPERM: a seccomp profile that predates openat2 (older Docker).
        const bool unusable = fd == -ENOSYS || fd == -EPERM;
        if (fd >= 0)
            ::close(fd);
        state = unusable ? Openat2State::Unusable : Openat2State::Usable;
        g_openat2State.store(state, std::memory_order_relaxed);
        if (unusable)
            qCWarning(lcBeneath) << "openat2 is unavailable; confining paths with a component walk";
    }
    return state == Openat2State::Usable;
}

void appendComponents(std::string_view path, std::deque<std::string> &out, bool front)
{
    std::vector<std::string> parts;
    size_t start = 0;
    while (start <= path.size()) {
        const size_t slash = path.find('/', start);
        const size_t end = slash == std::string_view::npos ? path.size() : slash;
        if (end > start)
            parts.emplace_back(path.substr(start, end - start));
        start = end + 1;
    }
    if (front)
        out.insert(out.begin(), parts.begin(), parts.end());
    else
        out.insert(out.end(), parts.begin(), parts.end());
}

int openFinal(int dirFd, const char *name, int flags)
{
    const int fd = ::openat(dirFd, name, flags | O_CLOEXEC);
    return fd < 0 ? -errno : fd;
}

// Re-derives the directory for a canonical list of real (non-symlink) directory names. Used after
// "..", so the walk keeps two fds open instead of one per level.
int reopenCanonical(int rootFd, const std::vector<std::string> &names)
{
    UniqueFd current(::fcntl(rootFd, F_DUPFD_CLOEXEC, 0));
    if (!current.valid())
        return -errno;
    for (const std::string &name : names) {
        UniqueFd next(::openat(current.get(), name.c_str(), O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC));
        if (!next.valid())
            return -errno;
        current = std::move(next);
    }
    return current.release();
}

int walkBeneath(int rootFd, std::string_view relativePath, int flags)
{
    UniqueFd current(::fcntl(rootFd, F_DUPFD_CLOEXEC, 0));
    if (!current.valid())
        return -errno;
    std::vector<std::string> canonical; // names from rootFd to current, all real directories
    std::deque<std::string> todo;
    appendComponents(relativePath, todo, false);
    const bool followLast = !(flags & O_NOFOLLOW);
    int symlinks = 0;

    while (!todo.empty()) {
        std::string name = std::move(todo.front());
        todo.pop_front();
        const bool last = todo.empty();
        if (name == ".")
            continue;
        if (name == "..") {
            if (canonical.empty())
                return -EXDEV;
            canonical.pop_back();
            const int parent = reopenCanonical(rootFd, canonical);
            if (parent < 0)
                return parent;
            current.reset(parent);
            continue;
        }
        if (last && !followLast)
            return openFinal(current.get(), name.c_str(), flags);

        UniqueFd fd(::openat(current.get(), name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
        if (!fd.valid())
            return -errno;
        struct stat st;
        if (::fstat(fd.get(), &st) < 0)
            return -errno;
        if (S_ISLNK(st.st_mode)) {
            if (++symlinks > kMaxSymlinks)
                return -ELOOP;
            std::string target(PATH_MAX, '\0');
            const ssize_t n = ::readlinkat(fd.get(), "", target.data(), target.size());
            if (n < 0)
                return -errno;
            if (size_t(n) >= target.size())
                return -ENAMETOOLONG;
            target.resize(size_t(n));
            if (target.empty())
                return -ENOENT;
            if (target.front() == '/')
                return -EXDEV; // absolute symlinks would resolve against the host's root
            appendComponents(target, todo, true);
            continue;
        }
        if (last) {
            // Open by name again with O_NOFOLLOW: if a symlink was raced into place we get ELOOP
            // (or, for O_PATH, the link itself, which cannot be read or written through).
            return openFinal(current.get(), name.c_str(), flags | O_NOFOLLOW);
        }
        if (!S_ISDIR(st.st_mode))
            return -ENOTDIR;
        canonical.push_back(std::move(name));
        current = std::move(fd);
    }
    // The path ended on a directory: ".", after "..", or through a symlink to a directory.
    return openFinal(current.get(), ".", flags);
}

} // namespace

void setResolveMode(ResolveMode mode)
{
    g_mode.store(mode, std::memory_order_relaxed);
}

int openBeneath(int rootFd, const char *relativePath, int flags)
{
    flags &= ~O_CREAT; // creation always goes through a parent fd and a single name
    const ResolveMode mode = g_mode.load(std::memory_order_relaxed);
    if (mode != ResolveMode::ComponentWalk && (mode == ResolveMode::Openat2 || openat2Usable())) {
        for (int attempt = 0; attempt < kEagainRetries; ++attempt) {
            const int fd = openat2Beneath(rootFd, relativePath, flags);
            if (fd != -EAGAIN)
                return fd;
        }
        if (mode == ResolveMode::Openat2)
            return -EAGAIN;
        // A sandbox process renaming in a loop must not make us fail: the walk needs no retries.
        qCDebug(lcBeneath) << "openat2 kept returning EAGAIN; using the component walk";
    }
    return walkBeneath(rootFd, relativePath, flags);
}

} // namespace banata::server::detail
