// SPDX-License-Identifier: MIT
// CheckpointStore::restore() and crash recovery: stage a copy, then swap directory entries.
#include "checkpointstore.h"

#include "checkpointstore_p.h"
#include "fdutil.h"
#include "treecopy.h"
#include "treeremove.h"

#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QScopeGuard>

#include <cerrno>
#include <string>
#include <vector>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcRestore, "banata.server.workspace.restore", QtInfoMsg)

using namespace Qt::StringLiterals;

namespace banata::server {

using detail::UniqueFd;

namespace {

constexpr size_t kParts = detail::kCheckpointParts.size();
constexpr const char *kJournal = ".banata-journal";
constexpr const char *kJournalTemp = ".banata-journal.tmp";
constexpr int kMaxPasses = 64; // moving out while sandbox processes keep creating entries

enum class Phase { Out, In };

/// What the journal file records: enough to finish an interrupted swap from the staged copy.
struct Journal
{
    std::string checkpointId;
    std::string staging; // directory names in the sandbox root
    std::string trash;
    size_t part = 0;
    Phase phase = Phase::Out;
};

/// One rename done during the swap, so that it can be undone.
struct Move
{
    int fromDir;
    std::string fromName;
    int toDir;
    std::string toName;
    bool modeChanged = false;
    mode_t originalMode = 0;
};

/// The directories of one swap; fds stay open for its whole duration.
struct SwapDirs
{
    UniqueFd root;
    UniqueFd staging;
    UniqueFd trash;
    UniqueFd checkpointParts[kParts]; // may be invalid during recovery (checkpoint deleted)
    UniqueFd stagingParts[kParts];
    UniqueFd trashParts[kParts];
    UniqueFd targets[kParts];
};

int writeJournal(int rootFd, const Journal &journal)
{
    const std::string text = "checkpoint=" + journal.checkpointId + "\nstaging=" + journal.staging
        + "\ntrash=" + journal.trash + "\npart=" + std::to_string(journal.part)
        + "\nphase=" + (journal.phase == Phase::Out ? "out" : "in") + "\n";
    const UniqueFd fd(::openat(rootFd, kJournalTemp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!fd.valid())
        return errno;
    if (const int error = detail::writeAll(fd.get(), text.data(), text.size()))
        return error;
    // The renames of a phase must not become durable before the journal announcing it, nor
    // the next phase's journal before them: fsync the file, rename it, fsync the directory.
    if (::fsync(fd.get()) < 0 || ::renameat(rootFd, kJournalTemp, rootFd, kJournal) < 0 || ::fsync(rootFd) < 0)
        return errno;
    return 0;
}

int readJournal(int rootFd, Journal &journal)
{
    const UniqueFd fd(::openat(rootFd, kJournal, O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd.valid())
        return errno;
    char buffer[1024];
    const ssize_t n = ::read(fd.get(), buffer, sizeof buffer - 1);
    if (n < 0)
        return errno;
    const QByteArray text(buffer, n);
    bool partOk = false;
    bool phaseOk = false;
    for (const QByteArray &line : text.split('\n')) {
        const qsizetype eq = line.indexOf('=');
        if (eq < 0)
            continue;
        const QByteArray key = line.left(eq);
        const QByteArray value = line.mid(eq + 1);
        if (key == "checkpoint")
            journal.checkpointId = value.toStdString();
        else if (key == "staging")
            journal.staging = value.toStdString();
        else if (key == "trash")
            journal.trash = value.toStdString();
        else if (key == "part")
            journal.part = value.toULong(&partOk);
        else if (key == "phase") {
            phaseOk = value == "out" || value == "in";
            journal.phase = value == "in" ? Phase::In : Phase::Out;
        }
    }
    const auto ours = [](const std::string &name) {
        return name.starts_with(detail::kRestoreLeftoverPrefix) && name.find('/') == std::string::npos;
    };
    if (!partOk || !phaseOk || journal.part >= kParts || !ours(journal.staging) || !ours(journal.trash)
        || journal.checkpointId.find('/') != std::string::npos)
        return EINVAL;
    return 0;
}

/// Moves every entry of \a target into \a trash. Directories without u+w get it first: moving
/// a directory to another parent rewrites its ".." entry, which needs write permission on it.
int moveOut(int target, int trash, std::vector<Move> *log)
{
    std::vector<detail::DirEntry> entries;
    for (int pass = 0; pass < kMaxPasses; ++pass) {
        if (const int error = detail::readDirectory(target, entries))
            return error;
        if (entries.empty())
            return 0;
        for (const detail::DirEntry &entry : entries) {
            Move move{target, entry.name, trash, entry.name};
            struct stat st;
            if ((entry.type == DT_DIR || entry.type == DT_UNKNOWN)
                && ::fstatat(target, entry.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)
                && !(st.st_mode & S_IWUSR)) {
                const UniqueFd dir(detail::openDirectoryWritable(target, entry.name.c_str(), &move.originalMode));
                move.modeChanged = dir.valid();
            }
            if (::renameat2(target, move.fromName.c_str(), trash, move.toName.c_str(), RENAME_NOREPLACE) < 0) {
                if (errno == ENOENT)
                    continue;
                if (errno != EEXIST) // a name recreated by the sandbox after we moved it: rename it
                    return errno;
                move.toName = detail::temporaryName("restore-dup");
                if (::renameat2(target, move.fromName.c_str(), trash, move.toName.c_str(), RENAME_NOREPLACE) < 0)
                    return errno;
            }
            if (log)
                log->push_back(std::move(move));
        }
    }
    return EBUSY;
}

/// Moves every staged entry into \a target; a name a sandbox process created meanwhile is
/// moved to the trash first.
int moveIn(int staging, int target, int trash, std::vector<Move> *log)
{
    std::vector<detail::DirEntry> entries;
    if (const int error = detail::readDirectory(staging, entries))
        return error;
    for (const detail::DirEntry &entry : entries) {
        const char *name = entry.name.c_str();
        int attempt = 0;
        while (::renameat2(staging, name, target, name, RENAME_NOREPLACE) < 0) {
            if (errno != EEXIST || ++attempt > 8)
                return errno;
            Move intruder{target, entry.name, trash, detail::temporaryName("restore-intruder")};
            if (::renameat2(target, name, trash, intruder.toName.c_str(), RENAME_NOREPLACE) < 0 && errno != ENOENT)
                return errno;
            if (log)
                log->push_back(std::move(intruder));
        }
        if (log)
            log->push_back(Move{staging, entry.name, target, entry.name});
    }
    return 0;
}

/// Gives the swapped-in top-level directories and \a target itself the checkpoint's modes and
/// times (staging left top-level directories 0700 so they could be moved, and the renames
/// changed the mtimes). Failures only cost metadata, so they are logged, not returned.
void applyTopLevelAttributes(int checkpointPart, int target)
{
    if (checkpointPart < 0)
        return;
    std::vector<detail::DirEntry> entries;
    if (detail::readDirectory(checkpointPart, entries) == 0) {
        for (const detail::DirEntry &entry : entries) {
            struct stat st;
            if (entry.type != DT_DIR && entry.type != DT_UNKNOWN)
                continue;
            if (::fstatat(checkpointPart, entry.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode))
                continue;
            const UniqueFd dir(::openat(target, entry.name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
            if (!dir.valid() || detail::applyDirectoryAttributes(dir.get(), st) != 0)
                qCWarning(lcRestore) << "could not set the attributes of" << entry.name.c_str();
        }
    }
    struct stat st;
    if (::fstat(checkpointPart, &st) < 0 || detail::applyDirectoryAttributes(target, st) != 0)
        qCWarning(lcRestore) << "could not set the attributes of a restored directory";
}

/// Runs the swap from (startPart, startPhase) on, journaling each phase before starting it.
int runSwap(SwapDirs &dirs, Journal &journal, size_t startPart, Phase startPhase, std::vector<Move> *log)
{
    for (size_t part = startPart; part < kParts; ++part) {
        const int target = dirs.targets[part].get();
        if (part != startPart || startPhase == Phase::Out) {
            journal.part = part;
            journal.phase = Phase::Out;
            if (const int error = writeJournal(dirs.root.get(), journal))
                return error;
            if (const int error = moveOut(target, dirs.trashParts[part].get(), log))
                return error;
        }
        journal.part = part;
        journal.phase = Phase::In;
        if (const int error = writeJournal(dirs.root.get(), journal))
            return error;
        if (const int error = moveIn(dirs.stagingParts[part].get(), target, dirs.trashParts[part].get(), log))
            return error;
        applyTopLevelAttributes(dirs.checkpointParts[part].get(), target);
    }
    return 0;
}

/// Undoes \a log in reverse order; returns 0 or the first errno.
int rollback(std::vector<Move> &log)
{
    int firstError = 0;
    for (auto it = log.rbegin(); it != log.rend(); ++it) {
        if (::renameat2(it->toDir, it->toName.c_str(), it->fromDir, it->fromName.c_str(), RENAME_NOREPLACE) < 0) {
            firstError = firstError ? firstError : errno;
            qCCritical(lcRestore) << "rollback: could not move back" << it->fromName.c_str() << strerrordesc_np(errno);
            continue;
        }
        if (it->modeChanged) {
            const UniqueFd dir(::openat(it->fromDir, it->fromName.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
            if (dir.valid())
                ::fchmod(dir.get(), it->originalMode);
        }
    }
    return firstError;
}

/// Opens the directories of a swap: staging and trash (created unless \a createScratch is
/// false), their per-part subdirectories, and the live targets (created if missing).
int openSwapDirs(SwapDirs &dirs, const Journal &journal, bool createScratch)
{
    const auto openDir = [&](int parent, const std::string &name, UniqueFd &out) {
        out.reset(createScratch ? detail::openOrCreateDirectory(parent, name.c_str(), 0700)
                                : ::openat(parent, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        return out.valid() ? 0 : (createScratch ? -out.get() : errno);
    };
    if (const int error = openDir(dirs.root.get(), journal.staging, dirs.staging))
        return error;
    if (const int error = openDir(dirs.root.get(), journal.trash, dirs.trash))
        return error;
    for (size_t i = 0; i < kParts; ++i) {
        const char *part = detail::kCheckpointParts[i];
        if (const int error = openDir(dirs.staging.get(), part, dirs.stagingParts[i]))
            return error;
        dirs.trashParts[i].reset(detail::openOrCreateDirectory(dirs.trash.get(), part, 0700));
        dirs.targets[i].reset(detail::openOrCreateDirectory(dirs.root.get(), part, 0755));
        if (!dirs.trashParts[i].valid())
            return -dirs.trashParts[i].get();
        if (!dirs.targets[i].valid())
            return -dirs.targets[i].get();
    }
    return 0;
}

void openCheckpointParts(SwapDirs &dirs, const std::string &checkpointId)
{
    const UniqueFd checkpoint(::openat(dirs.root.get(), ("checkpoints/" + checkpointId).c_str(),
                                       O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    for (size_t i = 0; i < kParts && checkpoint.valid(); ++i) {
        dirs.checkpointParts[i].reset(::openat(checkpoint.get(), detail::kCheckpointParts[i],
                                               O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    }
}

} // namespace

namespace detail {

FsResult<bool> recoverLocked(int rootFd)
{
    Journal journal;
    const int error = readJournal(rootFd, journal);
    if (error && error != ENOENT) {
        qCCritical(lcRestore) << "unreadable restore journal:" << strerrordesc_np(error);
        return FsResult<bool>::failure(FsError::make(FsError::Kind::Io, u"An interrupted restore cannot be completed"_s));
    }
    if (!error) {
        qCWarning(lcRestore) << "completing a restore of checkpoint" << journal.checkpointId.c_str()
                             << "interrupted in part" << journal.part;
        SwapDirs dirs;
        dirs.root.reset(::fcntl(rootFd, F_DUPFD_CLOEXEC, 0));
        if (const int openError = openSwapDirs(dirs, journal, false)) {
            // Without the staged copy there is nothing to finish from; keeping the journal would
            // block every later operation.
            qCCritical(lcRestore) << "interrupted restore has no staging left:" << strerrordesc_np(openError);
        } else {
            openCheckpointParts(dirs, journal.checkpointId);
            const size_t crashedPart = journal.part;
            if (const int swapError = runSwap(dirs, journal, crashedPart, journal.phase, nullptr))
                return FsResult<bool>::failure(FsError::fromErrno(swapError, sandboxNameOfPart(journal.part)));
            // Cheap and idempotent: redo the attributes of the parts finished before the crash.
            for (size_t part = 0; part < crashedPart; ++part)
                applyTopLevelAttributes(dirs.checkpointParts[part].get(), dirs.targets[part].get());
        }
        ::unlinkat(rootFd, kJournal, 0);
        ::fsync(rootFd);
    }
    removeLeftovers(rootFd, kRestoreLeftoverPrefix);
    return true;
}

} // namespace detail

FsResult<CheckpointStore::Stats> CheckpointStore::restore(const QString &checkpointId) const
{
    using Result = FsResult<Stats>;
    if (!detail::isValidCheckpointId(checkpointId))
        return Result::failure(FsError::make(FsError::Kind::InvalidPath, u"Invalid checkpoint id"_s));
    const auto lock = detail::lockSandboxRoot(m_sandboxRoot);
    QElapsedTimer timer;
    timer.start();
    SwapDirs dirs;
    dirs.root.reset(detail::openTrustedDirectory(m_sandboxRootNative, O_RDONLY));
    if (!dirs.root.valid())
        return Result::failure(FsError::make(FsError::Kind::Io, u"The sandbox's files are not available"_s));
    if (auto recovered = detail::recoverLocked(dirs.root.get()); !recovered)
        return Result::failure(recovered.error());

    Journal journal;
    journal.checkpointId = checkpointId.toStdString();
    openCheckpointParts(dirs, journal.checkpointId);
    for (const UniqueFd &part : dirs.checkpointParts) {
        if (!part.valid())
            return Result::failure(FsError::make(FsError::Kind::NotFound, u"Checkpoint not found: "_s + checkpointId));
    }

    // 1. Stage a full copy next to the live directories. Nothing live changes yet.
    journal.staging = detail::temporaryName("restore-staging");
    journal.trash = detail::temporaryName("restore-trash");
    bool keepScratch = false;
    const auto cleanup = qScopeGuard([&] {
        if (keepScratch)
            return;
        detail::removeEntryAt(dirs.root.get(), journal.staging.c_str());
        detail::removeEntryAt(dirs.root.get(), journal.trash.c_str());
    });
    if (const int error = openSwapDirs(dirs, journal, true))
        return Result::failure(FsError::fromErrno(error, u"sandbox files"_s));
    Stats stats;
    for (size_t i = 0; i < kParts; ++i) {
        detail::CopyContext context;
        context.displayRoot = detail::sandboxNameOfPart(i);
        context.deferTopLevelModes = true;
        if (auto copied = detail::copyTree(dirs.checkpointParts[i].get(), dirs.stagingParts[i].get(), context); !copied)
            return Result::failure(copied.error());
        stats.sizeBytes += context.sizeBytes;
        stats.fileCount += context.fileCount;
    }
    struct stat stagingSt;
    struct stat targetSt;
    for (const UniqueFd &target : dirs.targets) {
        // Renames cannot cross filesystems; find out now rather than halfway through.
        if (::fstat(dirs.staging.get(), &stagingSt) < 0 || ::fstat(target.get(), &targetSt) < 0)
            return Result::failure(FsError::fromErrno(errno, u"sandbox files"_s));
        if (stagingSt.st_dev != targetSt.st_dev)
            return Result::failure(FsError::make(FsError::Kind::Io, u"The workspace is on another filesystem than its sandbox"_s));
    }
    // The staged bytes must be on disk before the renames that make them live become durable.
    if (::syncfs(dirs.staging.get()) < 0)
        return Result::failure(FsError::fromErrno(errno, u"sandbox files"_s));
    const qint64 stagedMs = timer.elapsed();

    // 2. Swap entries by renames, journaled so a crash can be finished from the staged copy.
    struct stat originalTargets[kParts];
    for (size_t i = 0; i < kParts; ++i) {
        if (::fstat(dirs.targets[i].get(), &originalTargets[i]) < 0)
            return Result::failure(FsError::fromErrno(errno, detail::sandboxNameOfPart(i)));
    }
    std::vector<Move> log;
    if (const int error = runSwap(dirs, journal, 0, Phase::Out, &log)) {
        const FsError failure = FsError::fromErrno(error, detail::sandboxNameOfPart(journal.part));
        const int rollbackError = rollback(log);
        // The renames (ours and the undoing ones) changed the live directories' mtimes.
        for (size_t i = 0; i < kParts; ++i)
            detail::applyDirectoryAttributes(dirs.targets[i].get(), originalTargets[i]);
        if (rollbackError) {
            // The journal would finish a swap that is now half undone: drop it, keep the scratch
            // directories for inspection; restoring again gives a clean result.
            qCCritical(lcRestore) << "restore failed and could not be undone:" << strerrordesc_np(rollbackError);
            ::unlinkat(dirs.root.get(), kJournal, 0);
            keepScratch = true;
            return Result::failure(FsError::make(FsError::Kind::Io,
                                                 u"Restore failed and the sandbox's files may be inconsistent; "
                                                 u"restore the checkpoint again"_s));
        }
        ::unlinkat(dirs.root.get(), kJournal, 0);
        ::fsync(dirs.root.get());
        qCWarning(lcRestore) << "restore of" << checkpointId << "failed and was undone:" << failure.message;
        return Result::failure(failure);
    }
    if (::unlinkat(dirs.root.get(), kJournal, 0) == 0)
        ::fsync(dirs.root.get());
    const qint64 swappedMs = timer.elapsed();

    // 3. The guard deletes the old entries; leftovers of a crash are removed by the next call.
    qCInfo(lcRestore).nospace() << "restored checkpoint " << checkpointId << ": " << stats.fileCount << " files, "
                                << stats.sizeBytes << " bytes; staged in " << stagedMs << " ms, swapped in "
                                << swappedMs - stagedMs << " ms";
    return stats;
}

} // namespace banata::server
