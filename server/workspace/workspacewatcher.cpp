// SPDX-License-Identifier: MIT
#include "workspacewatcher.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#include <QFile>
#include <QLoggingCategory>
#include <QSocketNotifier>

#include "beneath.h"
#include "sandboxpath.h"

Q_LOGGING_CATEGORY(lcWorkspaceWatcher, "banata.server.workspace.watch", QtInfoMsg)

using namespace Qt::StringLiterals;

namespace banata::server {

using detail::UniqueFd;

namespace {

constexpr quint32 kWatchMask = IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_FROM |
                               IN_MOVED_TO | IN_ATTRIB | IN_ONLYDIR |
                               IN_EXCL_UNLINK; // no IN_DONT_FOLLOW: see procPath()
constexpr int kDefaultCoalesceMs = 250;
constexpr qint64 kAnnouncedForMs = 1000;
constexpr int kMaxDepth = 128;

/// detail::temporaryName(): ".banata-<kind>-<16 hex digits>", e.g. an upload being received.
bool isServerTemporary(QStringView name)
{
    constexpr QLatin1StringView prefix(".banata-");
    if (!name.startsWith(prefix) || name.size() < prefix.size() + 18)
        return false;
    const QStringView tail = name.right(17);
    if (tail.front() != u'-')
        return false;
    return std::all_of(tail.begin() + 1, tail.end(),
                       [](QChar c) { return (c >= u'0' && c <= u'9') || (c >= u'a' && c <= u'f'); });
}

QString join(const QString &folder, const QString &name)
{
    return folder.isEmpty() ? name : folder + u'/' + name;
}

/// True when \a path is \a folder or inside it ("" is the workspace root).
bool isWithin(const QString &path, const QString &folder)
{
    if (folder.isEmpty() || path == folder)
        return true;
    return path.size() > folder.size() && path.startsWith(folder) && path.at(folder.size()) == u'/';
}

QString parentOf(const QString &relative)
{
    const qsizetype slash = relative.lastIndexOf(u'/');
    return slash < 0 ? QString() : relative.left(slash);
}

int depthOf(const QString &relative)
{
    return relative.isEmpty() ? -1 : int(relative.count(u'/'));
}

QByteArray procPath(int fd)
{
    // Watching through the fd's magic link: the folder we opened without following symlinks,
    // not whatever the path names by the time inotify resolves it.
    return "/proc/self/fd/"_ba + QByteArray::number(fd);
}

} // namespace

WorkspaceWatcher::WorkspaceWatcher(QObject *parent)
    : QObject(parent)
{
    m_flushTimer.setSingleShot(true);
    m_flushTimer.setInterval(kDefaultCoalesceMs);
    connect(&m_flushTimer, &QTimer::timeout, this, &WorkspaceWatcher::flush);
    m_clock.start();
    m_fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (m_fd < 0) {
        qCWarning(lcWorkspaceWatcher) << "inotify unavailable:" << strerrordesc_np(errno)
                                      << "- changes made inside sandboxes are not announced live";
        return;
    }
    m_notifier = std::make_unique<QSocketNotifier>(m_fd, QSocketNotifier::Read);
    connect(m_notifier.get(), &QSocketNotifier::activated, this, &WorkspaceWatcher::readEvents);
}

WorkspaceWatcher::~WorkspaceWatcher()
{
    m_notifier.reset();
    if (m_fd >= 0)
        ::close(m_fd); // drops every watch with it
}

int WorkspaceWatcher::watchCount(const QString &sandboxId) const
{
    const auto sandbox = m_sandboxes.value(sandboxId);
    return sandbox ? int(sandbox->wds.size()) : 0;
}

void WorkspaceWatcher::watch(const QString &sandboxId, const QString &workspaceDir)
{
    if (m_fd < 0 || m_sandboxes.contains(sandboxId))
        return;
    auto sandbox = std::make_shared<Sandbox>();
    sandbox->root.reset(detail::openTrustedDirectory(QFile::encodeName(workspaceDir).toStdString(), O_PATH));
    if (!sandbox->root.valid()) {
        qCWarning(lcWorkspaceWatcher).noquote() << sandboxId << "has no workspace to watch";
        return;
    }
    m_sandboxes.insert(sandboxId, sandbox);
    const UniqueFd top(detail::openBeneath(sandbox->root.get(), ".", O_RDONLY | O_DIRECTORY));
    if (top.valid())
        addTree(sandboxId, *sandbox, top.get(), QString(), false, 0);
    qCDebug(lcWorkspaceWatcher).noquote()
        << "watching" << sandboxId << "with" << sandbox->wds.size() << "watches";
}

void WorkspaceWatcher::unwatch(const QString &sandboxId)
{
    const auto sandbox = m_sandboxes.take(sandboxId);
    if (!sandbox)
        return;
    for (auto it = sandbox->wds.cbegin(); it != sandbox->wds.cend(); ++it) {
        ::inotify_rm_watch(m_fd, it.value());
        m_watches.remove(it.value());
    }
}

void WorkspaceWatcher::noteAnnounced(const QString &sandboxId, const QStringList &paths)
{
    const auto sandbox = m_sandboxes.value(sandboxId);
    if (!sandbox)
        return;
    const qint64 now = m_clock.elapsed();
    for (const QString &path : paths) {
        if (auto relative = normalizeSandboxPath(path))
            sandbox->announced.append({*relative, now});
    }
}

void WorkspaceWatcher::addTree(const QString &sandboxId, Sandbox &sandbox, int dirFd, const QString &relative,
                               bool reportContents, int depth)
{
    if (depth > kMaxDepth)
        return;
    const int wd = ::inotify_add_watch(m_fd, procPath(dirFd).constData(), kWatchMask);
    if (wd < 0) {
        if (errno == ENOSPC && !std::exchange(m_limitLogged, true))
            qCWarning(lcWorkspaceWatcher).noquote()
                << "the inotify watch limit is reached (fs.inotify.max_user_watches): changes in folders"
                << "watched from now on are not announced live";
        else if (errno != ENOSPC)
            qCDebug(lcWorkspaceWatcher) << "cannot watch a folder:" << strerrordesc_np(errno);
        return;
    }
    // The same inode may come back under a new path (a move we saw only half of): re-map it.
    if (const auto previous = m_watches.constFind(wd); previous != m_watches.constEnd()) {
        if (const auto owner = m_sandboxes.value(previous->sandboxId);
            owner && owner->wds.value(previous->relative) == wd)
            owner->wds.remove(previous->relative);
    }
    m_watches.insert(wd, Watch{sandboxId, relative});
    sandbox.wds.insert(relative, wd);

    std::vector<detail::DirEntry> entries;
    if (detail::readDirectory(dirFd, entries) != 0)
        return;
    for (const detail::DirEntry &entry : entries) {
        const QString name = QString::fromUtf8(entry.name.data(), qsizetype(entry.name.size()));
        if (isServerTemporary(name))
            continue;
        const QString child = join(relative, name);
        if (reportContents)
            report(sandbox, child);
        bool isDirectory = entry.type == DT_DIR;
        if (entry.type == DT_UNKNOWN) {
            struct stat st;
            isDirectory =
                ::fstatat(dirFd, entry.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
        }
        if (!isDirectory)
            continue;
        const UniqueFd childFd(
            ::openat(dirFd, entry.name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (childFd.valid())
            addTree(sandboxId, sandbox, childFd.get(), child, reportContents, depth + 1);
    }
}

void WorkspaceWatcher::addDirectory(const QString &sandboxId, Sandbox &sandbox, const QString &relative)
{
    // Resolved beneath the workspace, the last component not followed: a folder swapped for a
    // symlink meanwhile is not entered.
    const QByteArray native = relative.toUtf8();
    const UniqueFd fd(
        detail::openBeneath(sandbox.root.get(), native.constData(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
    if (fd.valid())
        addTree(sandboxId, sandbox, fd.get(), relative, true, depthOf(relative));
}

void WorkspaceWatcher::dropSubtree(Sandbox &sandbox, const QString &relative)
{
    for (auto it = sandbox.wds.begin(); it != sandbox.wds.end();) {
        if (isWithin(it.key(), relative)) {
            ::inotify_rm_watch(m_fd, it.value());
            m_watches.remove(it.value());
            it = sandbox.wds.erase(it);
        } else {
            ++it;
        }
    }
}

void WorkspaceWatcher::report(Sandbox &sandbox, const QString &relative)
{
    sandbox.pending.insert(relative);
    if (!m_flushTimer.isActive())
        m_flushTimer.start();
}

void WorkspaceWatcher::readEvents()
{
    alignas(struct inotify_event) std::array<char, 64 * 1024> buffer;
    for (;;) {
        const ssize_t n = ::read(m_fd, buffer.data(), buffer.size());
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return; // EAGAIN: drained
        for (ssize_t offset = 0; offset < n;) {
            struct inotify_event event;
            std::memcpy(&event, buffer.data() + offset, sizeof event);
            const char *name = buffer.data() + offset + sizeof event;
            // The name is NUL-padded to len bytes.
            const QByteArray rawName =
                event.len ? QByteArray(name, qsizetype(::strnlen(name, event.len))) : QByteArray();
            handleEvent(event.wd, event.mask, QString::fromUtf8(rawName));
            offset += ssize_t(sizeof event + event.len);
        }
    }
}

void WorkspaceWatcher::handleEvent(int wd, quint32 mask, const QString &name)
{
    if (mask & IN_Q_OVERFLOW)
        return overflowed();
    const auto found = m_watches.constFind(wd);
    if (found == m_watches.constEnd())
        return;
    const Watch watch = found.value();
    const auto sandbox = m_sandboxes.value(watch.sandboxId);
    if (!sandbox)
        return;
    if (mask & IN_IGNORED) { // the folder is gone (or we removed the watch)
        if (sandbox->wds.value(watch.relative, -1) == wd)
            sandbox->wds.remove(watch.relative);
        m_watches.remove(wd);
        return;
    }
    // Events on a watched folder itself are reported by its parent's watch, with a name.
    if (name.isEmpty() || isServerTemporary(name))
        return;
    const QString relative = join(watch.relative, name);
    report(*sandbox, relative);
    if (mask & IN_ISDIR) {
        if (mask & (IN_MOVED_FROM | IN_DELETE))
            dropSubtree(*sandbox, relative); // its watches would report under a stale path
        if (mask & (IN_CREATE | IN_MOVED_TO))
            addDirectory(watch.sandboxId, *sandbox, relative);
    }
}

void WorkspaceWatcher::overflowed()
{
    qCWarning(lcWorkspaceWatcher) << "inotify queue overflowed: announcing whole workspaces as changed";
    for (auto it = m_sandboxes.cbegin(); it != m_sandboxes.cend(); ++it) {
        Sandbox &sandbox = *it.value();
        report(sandbox, QString());
        // Folders created while events were lost have no watch yet.
        const UniqueFd top(detail::openBeneath(sandbox.root.get(), ".", O_RDONLY | O_DIRECTORY));
        if (top.valid())
            addTree(it.key(), sandbox, top.get(), QString(), false, 0);
    }
}

QStringList WorkspaceWatcher::takeReportable(Sandbox &sandbox, bool *truncated)
{
    const qint64 now = m_clock.elapsed();
    sandbox.announced.removeIf(
        [now](const auto &announced) { return now - announced.second > kAnnouncedForMs; });
    QStringList relative;
    for (const QString &path : std::as_const(sandbox.pending)) {
        // The API's own change, the folders it created for it, or what a restore replaced.
        const bool announced =
            std::any_of(sandbox.announced.cbegin(), sandbox.announced.cend(), [&](const auto &a) {
                return isWithin(path, a.first) || (!path.isEmpty() && isWithin(a.first, path));
            });
        if (!announced)
            relative.append(path);
    }
    sandbox.pending.clear();

    // Too many: the deepest paths give way to their folders, a level at a time.
    *truncated = false;
    while (relative.size() > m_maxPaths) {
        *truncated = true;
        int deepest = -1;
        for (const QString &path : std::as_const(relative))
            deepest = std::max(deepest, depthOf(path));
        QSet<QString> folded;
        for (const QString &path : std::as_const(relative))
            folded.insert(depthOf(path) == deepest ? parentOf(path) : path);
        relative = QStringList(folded.cbegin(), folded.cend());
    }
    std::sort(relative.begin(), relative.end());
    QStringList paths;
    paths.reserve(relative.size());
    for (const QString &path : std::as_const(relative))
        paths.append(sandboxPathFor(path));
    return paths;
}

void WorkspaceWatcher::flush()
{
    QList<std::tuple<QString, QStringList, bool>> batches;
    for (auto it = m_sandboxes.cbegin(); it != m_sandboxes.cend(); ++it) {
        if (it.value()->pending.isEmpty())
            continue;
        bool truncated = false;
        QStringList paths = takeReportable(*it.value(), &truncated);
        if (!paths.isEmpty())
            batches.append({it.key(), std::move(paths), truncated});
    }
    // Emitted after the walk: a receiver may unwatch a sandbox.
    for (const auto &[sandboxId, paths, truncated] : std::as_const(batches))
        emit changed(sandboxId, paths, truncated);
}

} // namespace banata::server
