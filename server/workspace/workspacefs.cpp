// SPDX-License-Identifier: MIT
#include "workspacefs.h"

#include "beneath.h"
#include "fdutil.h"
#include "sandboxpath.h"
#include "uploadsink_p.h"

#include <QCryptographicHash>
#include <QFile>
#include <QLoggingCategory>

#include <algorithm>
#include <cerrno>

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcWorkspaceFs, "banata.server.workspace.fs", QtInfoMsg)

using namespace Qt::StringLiterals;

namespace banata::server {

using detail::openBeneath;
using detail::UniqueFd;

namespace {

template <typename T>
FsResult<T> failure(FsError error)
{
    return FsResult<T>::failure(std::move(error));
}

template <typename T>
FsResult<T> errnoFailure(int error, const QString &sandboxPath)
{
    return FsResult<T>::failure(FsError::fromErrno(error, sandboxPath));
}

QByteArray native(const QString &relative)
{
    return relative.isEmpty() ? QByteArrayLiteral(".") : relative.toUtf8();
}

/// Splits a non-empty relative path into its directory ("" for the top) and its last name.
std::pair<QString, QString> splitLast(const QString &relative)
{
    const qsizetype slash = relative.lastIndexOf(u'/');
    if (slash < 0)
        return {QString(), relative};
    return {relative.left(slash), relative.mid(slash + 1)};
}

qint64 epochMs(const timespec &ts)
{
    return qint64(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

banata::FileEntry entryFrom(const struct stat &st, QString name, QString path)
{
    banata::FileEntry entry;
    entry.name = std::move(name);
    entry.path = std::move(path);
    if (S_ISREG(st.st_mode))
        entry.type = banata::FileEntry::Type::File;
    else if (S_ISDIR(st.st_mode))
        entry.type = banata::FileEntry::Type::Directory;
    else if (S_ISLNK(st.st_mode))
        entry.type = banata::FileEntry::Type::Symlink;
    else
        entry.type = banata::FileEntry::Type::Other;
    entry.size = st.st_size;
    entry.mtime = epochMs(st.st_mtim);
    entry.mode = int(st.st_mode & 07777);
    return entry;
}

FsResult<UniqueFd> openWorkspace(const std::string &hostDir)
{
    UniqueFd root(detail::openTrustedDirectory(hostDir, O_PATH));
    if (!root.valid()) {
        qCWarning(lcWorkspaceFs) << "workspace unavailable:" << hostDir.c_str();
        return failure<UniqueFd>(FsError::make(FsError::Kind::Io, u"The sandbox's workspace is not available"_s));
    }
    return root;
}

/// What most operations start with: the request path made relative to the workspace ("" for
/// the workspace itself), that path as the sandbox sees it, and the workspace directory opened.
struct Target
{
    QString relative;
    QString shown;
    UniqueFd root;
};

FsResult<Target> openTarget(const std::string &hostDir, const QString &sandboxPath)
{
    auto relative = normalizeSandboxPath(sandboxPath);
    if (!relative)
        return failure<Target>(relative.error());
    QString shown = sandboxPathFor(*relative);
    auto root = openWorkspace(hostDir);
    if (!root)
        return failure<Target>(root.error());
    return Target{std::move(relative).value(), std::move(shown), std::move(root).value()};
}

/// Opens \a relative as a regular file for reading. O_NONBLOCK: opening a FIFO a sandbox process
/// planted must not block a worker thread forever.
FsResult<std::pair<UniqueFd, struct stat>> openRegular(int rootFd, const QString &relative)
{
    using Result = FsResult<std::pair<UniqueFd, struct stat>>;
    const QString shown = sandboxPathFor(relative);
    UniqueFd fd(openBeneath(rootFd, native(relative).constData(), O_RDONLY | O_NONBLOCK | O_NOCTTY));
    if (!fd.valid())
        return Result::failure(FsError::fromErrno(-fd.get(), shown));
    struct stat st;
    if (::fstat(fd.get(), &st) < 0)
        return Result::failure(FsError::fromErrno(errno, shown));
    if (S_ISDIR(st.st_mode))
        return Result::failure(FsError::fromErrno(EISDIR, shown));
    if (!S_ISREG(st.st_mode))
        return Result::failure(FsError::make(FsError::Kind::InvalidPath, u"Not a regular file: "_s + shown));
    return std::pair{std::move(fd), st};
}

/// Opens directory \a relative beneath the workspace, creating missing components (0755) with
/// mkdirat in the parent just opened; each step re-resolves through openBeneath so a racing
/// symlink cannot lead out.
FsResult<UniqueFd> ensureDirectory(int rootFd, const QString &relative)
{
    int fd = openBeneath(rootFd, native(relative).constData(), O_PATH | O_DIRECTORY);
    if (fd >= 0)
        return UniqueFd(fd);
    if (fd != -ENOENT)
        return errnoFailure<UniqueFd>(-fd, sandboxPathFor(relative));

    UniqueFd current(openBeneath(rootFd, ".", O_PATH | O_DIRECTORY));
    if (!current.valid())
        return errnoFailure<UniqueFd>(-current.get(), sandboxPathFor(QString()));
    QString prefix;
    for (const QStringView name : QStringView(relative).split(u'/')) {
        prefix = prefix.isEmpty() ? name.toString() : prefix + u'/' + name;
        const QByteArray nativePrefix = prefix.toUtf8();
        fd = openBeneath(rootFd, nativePrefix.constData(), O_PATH | O_DIRECTORY);
        if (fd == -ENOENT) {
            if (::mkdirat(current.get(), name.toUtf8().constData(), 0755) < 0 && errno != EEXIST)
                return errnoFailure<UniqueFd>(errno, sandboxPathFor(prefix));
            fd = openBeneath(rootFd, nativePrefix.constData(), O_PATH | O_DIRECTORY);
        }
        if (fd < 0)
            return errnoFailure<UniqueFd>(-fd, sandboxPathFor(prefix));
        current.reset(fd);
    }
    return current;
}

QByteArray etagFor(int fd, const struct stat &st)
{
    long generation = 0; // i_generation changes when an inode number is reused (ext4, xfs, btrfs)
    if (::ioctl(fd, FS_IOC_GETVERSION, &generation) < 0)
        generation = 0;
    const qint64 fields[] = {qint64(st.st_dev), qint64(st.st_ino), qint64(generation), qint64(st.st_size),
                             qint64(st.st_mtim.tv_sec), qint64(st.st_mtim.tv_nsec),
                             qint64(st.st_ctim.tv_sec), qint64(st.st_ctim.tv_nsec)};
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(QByteArrayView(reinterpret_cast<const char *>(fields), sizeof fields));
    return '"' + hash.result().left(16).toHex() + '"';
}

} // namespace

WorkspaceFs::WorkspaceFs(QString workspaceDir)
    : m_workspaceDir(std::move(workspaceDir))
    , m_workspaceDirNative(QFile::encodeName(m_workspaceDir).toStdString())
{}

FsResult<QString> WorkspaceFs::normalize(const QString &sandboxPath) const
{
    return normalizeSandboxPath(sandboxPath);
}

FsResult<banata::FileListing> WorkspaceFs::list(const QString &sandboxPath) const
{
    using Result = FsResult<banata::FileListing>;
    const auto target = openTarget(m_workspaceDirNative, sandboxPath);
    if (!target)
        return Result::failure(target.error());
    const auto &[relative, shown, root] = *target;

    const UniqueFd dir(openBeneath(root.get(), native(relative).constData(), O_RDONLY | O_DIRECTORY));
    if (!dir.valid())
        return errnoFailure<banata::FileListing>(-dir.get(), shown);
    std::vector<detail::DirEntry> names;
    if (const int error = detail::readDirectory(dir.get(), names))
        return errnoFailure<banata::FileListing>(error, shown);
    std::sort(names.begin(), names.end(),
              [](const detail::DirEntry &a, const detail::DirEntry &b) { return a.name < b.name; });

    banata::FileListing listing;
    listing.path = shown;
    listing.entries.reserve(qsizetype(names.size()));
    const QString prefix = relative.isEmpty() ? u"/workspace/"_s : shown + u'/';
    for (const detail::DirEntry &entry : names) {
        struct stat st;
        if (::fstatat(dir.get(), entry.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) {
            if (errno == ENOENT)
                continue; // deleted by a sandbox process since getdents
            return errnoFailure<banata::FileListing>(errno, shown);
        }
        // Invalid UTF-8 decodes to U+FFFD per bad sequence, so the JSON layer never sees it.
        QString name = QString::fromUtf8(entry.name.data(), qsizetype(entry.name.size()));
        QString path = prefix + name;
        listing.entries.append(entryFrom(st, std::move(name), std::move(path)));
    }
    return listing;
}

FsResult<banata::FileEntry> WorkspaceFs::stat(const QString &sandboxPath) const
{
    using Result = FsResult<banata::FileEntry>;
    const auto target = openTarget(m_workspaceDirNative, sandboxPath);
    if (!target)
        return Result::failure(target.error());
    const auto &[relative, shown, root] = *target;

    struct stat st;
    if (relative.isEmpty()) {
        if (::fstat(root.get(), &st) < 0)
            return errnoFailure<banata::FileEntry>(errno, shown);
        return entryFrom(st, u"workspace"_s, shown);
    }
    const auto [parentRelative, leaf] = splitLast(relative);
    const UniqueFd parent(openBeneath(root.get(), native(parentRelative).constData(), O_PATH | O_DIRECTORY));
    if (!parent.valid())
        return errnoFailure<banata::FileEntry>(-parent.get(), shown);
    if (::fstatat(parent.get(), leaf.toUtf8().constData(), &st, AT_SYMLINK_NOFOLLOW) < 0)
        return errnoFailure<banata::FileEntry>(errno, shown);
    return entryFrom(st, leaf, shown);
}

FsResult<QByteArray> WorkspaceFs::read(const QString &sandboxPath, qint64 maxBytes) const
{
    using Result = FsResult<QByteArray>;
    const auto target = openTarget(m_workspaceDirNative, sandboxPath);
    if (!target)
        return Result::failure(target.error());
    const QString &shown = target->shown;
    auto opened = openRegular(target->root.get(), target->relative);
    if (!opened)
        return Result::failure(opened.error());

    maxBytes = std::max<qint64>(maxBytes, 0);
    const auto tooLarge = [&] {
        return Result::failure(FsError::make(FsError::Kind::TooLarge, u"File is larger than "_s
                                                 + QString::number(maxBytes) + u" bytes: "_s + shown));
    };
    const int fd = opened->first.get();
    if (opened->second.st_size > maxBytes)
        return tooLarge();
    // The size may change while we read (a sandbox process appending): read to EOF, but never
    // more than maxBytes + 1 bytes.
    QByteArray data(qsizetype(std::min<qint64>(opened->second.st_size, maxBytes) + 1), Qt::Uninitialized);
    qsizetype filled = 0;
    for (;;) {
        if (filled == data.size()) {
            if (filled > maxBytes)
                return tooLarge();
            data.resize(qsizetype(std::min<qint64>(qint64(filled) * 2, maxBytes + 1)));
        }
        const ssize_t n = ::read(fd, data.data() + filled, size_t(data.size() - filled));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return errnoFailure<QByteArray>(errno, shown);
        }
        if (n == 0)
            break;
        filled += n;
    }
    if (filled > maxBytes)
        return tooLarge();
    data.truncate(filled);
    return data;
}

FsResult<qint64> WorkspaceFs::write(const QString &sandboxPath, QByteArrayView bytes) const
{
    auto sink = beginUpload(sandboxPath);
    if (!sink)
        return FsResult<qint64>::failure(sink.error());
    if (auto written = sink.value()->write(bytes); !written)
        return FsResult<qint64>::failure(written.error());
    return sink.value()->commit();
}

FsResult<WorkspaceFs::OpenedFile> WorkspaceFs::openForRead(const QString &sandboxPath) const
{
    using Result = FsResult<OpenedFile>;
    const auto target = openTarget(m_workspaceDirNative, sandboxPath);
    if (!target)
        return Result::failure(target.error());
    auto opened = openRegular(target->root.get(), target->relative);
    if (!opened)
        return Result::failure(opened.error());

    UniqueFd &fd = opened.value().first;
    const struct stat &st = opened->second;
    const int flags = ::fcntl(fd.get(), F_GETFL);
    if (flags < 0 || ::fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK) < 0)
        return errnoFailure<OpenedFile>(errno, target->shown);
    OpenedFile file;
    file.size = st.st_size;
    file.mtimeMs = epochMs(st.st_mtim);
    file.etag = etagFor(fd.get(), st);
    file.fd = fd.release();
    return file;
}

FsResult<std::unique_ptr<UploadSink>> WorkspaceFs::beginUpload(const QString &sandboxPath, qint64 maxBytes) const
{
    using Result = FsResult<std::unique_ptr<UploadSink>>;
    const auto relative = normalize(sandboxPath);
    if (!relative)
        return Result::failure(relative.error());
    const QString shown = sandboxPathFor(*relative);
    if (relative->isEmpty())
        return Result::failure(FsError::fromErrno(EISDIR, shown));
    auto root = openWorkspace(m_workspaceDirNative);
    if (!root)
        return Result::failure(root.error());

    const auto [parentRelative, leaf] = splitLast(*relative);
    auto parent = ensureDirectory(root->get(), parentRelative);
    if (!parent)
        return Result::failure(parent.error());
    const QByteArray nativeLeaf = leaf.toUtf8();

    auto state = std::make_unique<UploadSink::State>();
    struct stat st;
    if (::fstatat(parent->get(), nativeLeaf.constData(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
        if (S_ISDIR(st.st_mode))
            return Result::failure(FsError::fromErrno(EISDIR, shown));
        if (S_ISREG(st.st_mode))
            state->mode = st.st_mode & 0777; // keep +x; drop setuid/setgid as write(2) would
        if (S_ISLNK(st.st_mode)) {
            // The link itself gets replaced, but a link leading out is refused like any other
            // path resolving outside, and one onto a directory is a directory.
            const UniqueFd target(openBeneath(root->get(), native(*relative).constData(), O_PATH));
            struct stat targetSt;
            if (!target.valid() && target.get() != -ENOENT)
                return Result::failure(FsError::fromErrno(-target.get(), shown));
            if (target.valid() && ::fstat(target.get(), &targetSt) == 0 && S_ISDIR(targetSt.st_mode))
                return Result::failure(FsError::fromErrno(EISDIR, shown));
        }
    } else if (errno != ENOENT) {
        return Result::failure(FsError::fromErrno(errno, shown));
    }

    state->tempName = detail::temporaryName("upload");
    state->file.reset(::openat(parent->get(), state->tempName.c_str(),
                               O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!state->file.valid())
        return Result::failure(FsError::fromErrno(errno, shown));
    state->parent = std::move(parent.value());
    state->leaf = nativeLeaf.toStdString();
    state->sandboxPath = shown;
    state->maxBytes = maxBytes;
    return std::unique_ptr<UploadSink>(new UploadSink(std::move(state)));
}

} // namespace banata::server
