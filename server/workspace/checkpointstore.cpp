// SPDX-License-Identifier: MIT
#include "checkpointstore.h"

#include "checkpointstore_p.h"
#include "fdutil.h"
#include "treecopy.h"
#include "treeremove.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QScopeGuard>

#include <algorithm>
#include <cerrno>
#include <map>
#include <memory>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcCheckpoint, "banata.server.workspace.checkpoint", QtInfoMsg)

using namespace Qt::StringLiterals;

namespace banata::server {

using detail::UniqueFd;

namespace detail {

QString sandboxNameOfPart(size_t index)
{
    return index == 0 ? u"/workspace"_s : u"/home/user"_s;
}

namespace {
QString lockKey(const QString &path)
{
    return QDir::cleanPath(QFileInfo(path).absoluteFilePath());
}
} // namespace

std::unique_lock<std::mutex> lockSandboxRoot(const QString &sandboxRoot)
{
    static std::mutex registryMutex;
    static std::map<QString, std::unique_ptr<std::mutex>> locks; // one per root; never shrinks
    std::mutex *lock = nullptr;
    {
        const std::lock_guard guard(registryMutex);
        auto &slot = locks[lockKey(sandboxRoot)];
        if (!slot)
            slot = std::make_unique<std::mutex>();
        lock = slot.get();
    }
    return std::unique_lock(*lock);
}

int openOrCreateDirectory(int parentFd, const char *name, mode_t mode)
{
    if (::mkdirat(parentFd, name, mode) < 0 && errno != EEXIST)
        return -errno;
    const int fd = ::openat(parentFd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    return fd < 0 ? -errno : fd;
}

void removeLeftovers(int dirFd, std::string_view prefix)
{
    std::vector<DirEntry> entries;
    if (readDirectory(dirFd, entries) != 0)
        return;
    for (const DirEntry &entry : entries) {
        if (!std::string_view(entry.name).starts_with(prefix))
            continue;
        qCInfo(lcCheckpoint) << "removing leftover of an interrupted operation:" << entry.name.c_str();
        if (const int error = removeEntryAt(dirFd, entry.name.c_str()); error && error != ENOENT)
            qCWarning(lcCheckpoint) << "could not remove leftover" << entry.name.c_str() << strerrordesc_np(error);
    }
}

bool isValidCheckpointId(const QString &id)
{
    if (id.isEmpty() || id.size() > 128)
        return false;
    return std::all_of(id.cbegin(), id.cend(), [](QChar c) {
        return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9') || c == u'-'
            || c == u'_';
    });
}

} // namespace detail

namespace {

FsError invalidId()
{
    return FsError::make(FsError::Kind::InvalidPath, u"Invalid checkpoint id"_s);
}

FsError notFound(const QString &id)
{
    return FsError::make(FsError::Kind::NotFound, u"Checkpoint not found: "_s + id);
}

FsError rootUnavailable()
{
    return FsError::make(FsError::Kind::Io, u"The sandbox's files are not available"_s);
}

} // namespace

CheckpointStore::CheckpointStore(QString sandboxRoot)
    : m_sandboxRoot(std::move(sandboxRoot))
    , m_sandboxRootNative(QFile::encodeName(m_sandboxRoot).toStdString())
{}

FsResult<CheckpointStore::Stats> CheckpointStore::create(const QString &checkpointId) const
{
    using Result = FsResult<Stats>;
    if (!detail::isValidCheckpointId(checkpointId))
        return Result::failure(invalidId());
    const auto lock = detail::lockSandboxRoot(m_sandboxRoot);
    QElapsedTimer timer;
    timer.start();
    const UniqueFd root(detail::openTrustedDirectory(m_sandboxRootNative, O_RDONLY));
    if (!root.valid())
        return Result::failure(rootUnavailable());
    if (auto recovered = detail::recoverLocked(root.get()); !recovered)
        return Result::failure(recovered.error());
    const UniqueFd checkpoints(detail::openOrCreateDirectory(root.get(), "checkpoints", 0700));
    if (!checkpoints.valid())
        return Result::failure(FsError::fromErrno(-checkpoints.get(), u"checkpoints"_s));
    detail::removeLeftovers(checkpoints.get(), detail::kCheckpointLeftoverPrefix);

    const std::string id = checkpointId.toStdString();
    struct stat st;
    if (::fstatat(checkpoints.get(), id.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0)
        return Result::failure(FsError::make(FsError::Kind::AlreadyExists, u"Checkpoint already exists: "_s + checkpointId));

    // Build under a temporary name and rename at the end: a checkpoint is complete or absent.
    const std::string temp = detail::temporaryName("checkpoint");
    const UniqueFd tempDir(detail::openOrCreateDirectory(checkpoints.get(), temp.c_str(), 0700));
    if (!tempDir.valid())
        return Result::failure(FsError::fromErrno(-tempDir.get(), u"checkpoints"_s));
    bool committed = false;
    const auto cleanup = qScopeGuard([&] {
        if (!committed)
            detail::removeEntryAt(checkpoints.get(), temp.c_str());
    });

    Stats stats;
    qint64 reflinked = 0;
    for (size_t i = 0; i < detail::kCheckpointParts.size(); ++i) {
        const char *part = detail::kCheckpointParts[i];
        const UniqueFd dst(detail::openOrCreateDirectory(tempDir.get(), part, 0700));
        if (!dst.valid())
            return Result::failure(FsError::fromErrno(-dst.get(), u"checkpoints"_s));
        const UniqueFd src(::openat(root.get(), part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!src.valid()) {
            if (errno == ENOENT)
                continue; // no home/ yet: the checkpoint holds an empty one
            return Result::failure(FsError::fromErrno(errno, detail::sandboxNameOfPart(i)));
        }
        detail::CopyContext context;
        context.displayRoot = detail::sandboxNameOfPart(i);
        if (auto copied = detail::copyTree(src.get(), dst.get(), context); !copied)
            return Result::failure(copied.error());
        if (::fstat(src.get(), &st) < 0 || detail::applyDirectoryAttributes(dst.get(), st) != 0)
            return Result::failure(FsError::fromErrno(errno, context.displayRoot));
        stats.sizeBytes += context.sizeBytes;
        stats.fileCount += context.fileCount;
        reflinked += context.reflinked;
    }
    // One syncfs instead of an fsync per file; without it a power cut after the rename could
    // leave a "complete" checkpoint with empty files.
    if (::syncfs(tempDir.get()) < 0)
        return Result::failure(FsError::fromErrno(errno, u"checkpoints"_s));
    if (::renameat2(checkpoints.get(), temp.c_str(), checkpoints.get(), id.c_str(), RENAME_NOREPLACE) < 0) {
        if (errno == EEXIST)
            return Result::failure(FsError::make(FsError::Kind::AlreadyExists, u"Checkpoint already exists: "_s + checkpointId));
        return Result::failure(FsError::fromErrno(errno, u"checkpoints"_s));
    }
    committed = true;
    ::fsync(checkpoints.get());
    qCInfo(lcCheckpoint).nospace() << "checkpoint " << checkpointId << ": " << stats.fileCount << " files, "
                                   << stats.sizeBytes << " bytes (" << reflinked << " reflinked) in "
                                   << timer.elapsed() << " ms";
    return stats;
}

FsResult<bool> CheckpointStore::remove(const QString &checkpointId) const
{
    using Result = FsResult<bool>;
    if (!detail::isValidCheckpointId(checkpointId))
        return Result::failure(invalidId());
    const auto lock = detail::lockSandboxRoot(m_sandboxRoot);
    const UniqueFd root(detail::openTrustedDirectory(m_sandboxRootNative, O_RDONLY));
    if (!root.valid())
        return Result::failure(rootUnavailable());
    if (auto recovered = detail::recoverLocked(root.get()); !recovered)
        return Result::failure(recovered.error());
    const UniqueFd checkpoints(::openat(root.get(), "checkpoints", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!checkpoints.valid())
        return Result::failure(errno == ENOENT ? notFound(checkpointId) : FsError::fromErrno(errno, u"checkpoints"_s));

    // Rename first: the checkpoint disappears atomically, and a crash while deleting only leaves
    // a leftover that the next call removes.
    const std::string id = checkpointId.toStdString();
    const std::string trash = detail::temporaryName("trash");
    if (::renameat2(checkpoints.get(), id.c_str(), checkpoints.get(), trash.c_str(), RENAME_NOREPLACE) < 0)
        return Result::failure(errno == ENOENT ? notFound(checkpointId) : FsError::fromErrno(errno, u"checkpoints"_s));
    if (const int error = detail::removeEntryAt(checkpoints.get(), trash.c_str()))
        qCWarning(lcCheckpoint) << "checkpoint" << checkpointId << "removed but not fully deleted:" << strerrordesc_np(error);
    return true;
}

FsResult<bool> CheckpointStore::recover() const
{
    const auto lock = detail::lockSandboxRoot(m_sandboxRoot);
    const UniqueFd root(detail::openTrustedDirectory(m_sandboxRootNative, O_RDONLY));
    if (!root.valid())
        return FsResult<bool>::failure(rootUnavailable());
    return detail::recoverLocked(root.get());
}

FsResult<int> CheckpointStore::discardUnrecorded(const QStringList &recorded) const
{
    using Result = FsResult<int>;
    const auto lock = detail::lockSandboxRoot(m_sandboxRoot);
    const UniqueFd root(detail::openTrustedDirectory(m_sandboxRootNative, O_RDONLY));
    if (!root.valid())
        return Result::failure(rootUnavailable());
    const UniqueFd checkpoints(::openat(root.get(), "checkpoints", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!checkpoints.valid())
        return errno == ENOENT ? Result(0) : Result::failure(FsError::fromErrno(errno, u"checkpoints"_s));
    std::vector<detail::DirEntry> entries;
    if (const int error = detail::readDirectory(checkpoints.get(), entries))
        return Result::failure(FsError::fromErrno(error, u"checkpoints"_s));
    int discarded = 0;
    for (const detail::DirEntry &entry : entries) {
        const QString id = QString::fromStdString(entry.name);
        // Leftovers start with '.', which no id does; they go with removeLeftovers().
        if (!detail::isValidCheckpointId(id) || recorded.contains(id))
            continue;
        const std::string trash = detail::temporaryName("unrecorded");
        if (::renameat2(checkpoints.get(), entry.name.c_str(), checkpoints.get(), trash.c_str(), RENAME_NOREPLACE) < 0) {
            qCWarning(lcCheckpoint) << "could not set aside unrecorded checkpoint" << id << strerrordesc_np(errno);
            continue;
        }
        qCInfo(lcCheckpoint) << "discarding checkpoint" << id << "of" << m_sandboxRoot
                             << ": its copy was finished but the server stopped before recording it";
        ++discarded;
    }
    if (discarded > 0)
        ::fsync(checkpoints.get());
    return discarded;
}

void CheckpointStore::removeLeftovers() const
{
    const auto lock = detail::lockSandboxRoot(m_sandboxRoot);
    const UniqueFd root(detail::openTrustedDirectory(m_sandboxRootNative, O_RDONLY));
    if (!root.valid())
        return;
    const UniqueFd checkpoints(::openat(root.get(), "checkpoints", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (checkpoints.valid())
        detail::removeLeftovers(checkpoints.get(), detail::kCheckpointLeftoverPrefix);
}

FsResult<bool> CheckpointStore::removeTree(const QString &hostDir)
{
    using Result = FsResult<bool>;
    const QString clean = QDir::cleanPath(QFileInfo(hostDir).absoluteFilePath());
    const qsizetype slash = clean.lastIndexOf(u'/');
    const QString name = clean.mid(slash + 1);
    if (hostDir.isEmpty() || name.isEmpty() || name == u"." || name == u"..")
        return Result::failure(FsError::make(FsError::Kind::InvalidPath, u"Refusing to remove this directory"_s));
    const QString parentPath = slash <= 0 ? u"/"_s : clean.left(slash);
    const auto lock = detail::lockSandboxRoot(clean); // not while a checkpoint of it is running

    // The parent is the server's own directory; from there on nothing is followed.
    const UniqueFd parent(detail::openTrustedDirectory(QFile::encodeName(parentPath).toStdString(), O_PATH));
    if (!parent.valid())
        return Result::failure(FsError::make(FsError::Kind::NotFound, u"Nothing to remove"_s));
    const int error = detail::removeEntryAt(parent.get(), QFile::encodeName(name).constData());
    if (error == ENOENT)
        return Result::failure(FsError::make(FsError::Kind::NotFound, u"Nothing to remove"_s));
    if (error) {
        FsError failure = FsError::fromErrno(error, u"sandbox files"_s);
        failure.message = u"Could not delete the sandbox's files: "_s + QString::fromUtf8(strerrordesc_np(error));
        return Result::failure(failure);
    }
    return true;
}

} // namespace banata::server
