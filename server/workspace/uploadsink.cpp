// SPDX-License-Identifier: MIT
#include "uploadsink.h"

#include "fdutil.h"
#include "uploadsink_p.h"

#include <QFile>
#include <QLoggingCategory>

#include <algorithm>
#include <cerrno>
#include <string_view>
#include <vector>

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcUpload, "banata.server.workspace.upload", QtInfoMsg)

using namespace Qt::StringLiterals;

namespace banata::server {

namespace {
constexpr int kMaxSweepDepth = 128;

/// detail::temporaryName("upload"): ".banata-upload-" and 16 lowercase hex digits.
bool isUploadTemporary(std::string_view name)
{
    constexpr std::string_view prefix = ".banata-upload-";
    if (name.size() != prefix.size() + 16 || !name.starts_with(prefix))
        return false;
    return std::all_of(name.begin() + prefix.size(), name.end(),
                       [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

int removeAbandonedIn(int dirFd, qint64 changedBeforeNs, int depth)
{
    std::vector<detail::DirEntry> entries;
    if (detail::readDirectory(dirFd, entries) != 0)
        return 0;
    int removed = 0;
    for (const detail::DirEntry &entry : entries) {
        const char *name = entry.name.c_str();
        if (isUploadTemporary(entry.name)) {
            struct stat st;
            if (::fstatat(dirFd, name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode)
                || qint64(st.st_ctim.tv_sec) * 1000000000 + st.st_ctim.tv_nsec >= changedBeforeNs)
                continue; // not a file, or written since this server started: not abandoned
            // A live upload holds the lock; only a writer that died has let it go.
            const detail::UniqueFd file(::openat(dirFd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
            if (file.valid() && ::flock(file.get(), LOCK_EX | LOCK_NB) == 0 && ::unlinkat(dirFd, name, 0) == 0)
                ++removed;
            continue;
        }
        if (depth >= kMaxSweepDepth || (entry.type != DT_DIR && entry.type != DT_UNKNOWN))
            continue;
        const detail::UniqueFd sub(::openat(dirFd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (sub.valid())
            removed += removeAbandonedIn(sub.get(), changedBeforeNs, depth + 1);
    }
    return removed;
}
} // namespace

UploadSink::UploadSink() = default;

UploadSink::UploadSink(std::unique_ptr<State> state)
    : m_state(std::move(state))
{
    // Marks the temporary file as being written (see removeAbandoned()); released on close.
    if (m_state && m_state->file.valid() && ::flock(m_state->file.get(), LOCK_EX | LOCK_NB) < 0)
        qCWarning(lcUpload) << "could not lock the temporary file of" << m_state->sandboxPath;
}

int UploadSink::removeAbandoned(const QString &workspaceDir, qint64 changedBeforeNs)
{
    const detail::UniqueFd root(detail::openTrustedDirectory(QFile::encodeName(workspaceDir).toStdString(), O_RDONLY));
    if (!root.valid())
        return 0;
    const int removed = removeAbandonedIn(root.get(), changedBeforeNs, 0);
    if (removed > 0)
        qCInfo(lcUpload) << "removed" << removed << "upload(s) a stopped server left unfinished in" << workspaceDir;
    return removed;
}

UploadSink::~UploadSink()
{
    if (m_state && m_state->tempExists) {
        m_state->file.reset();
        if (::unlinkat(m_state->parent.get(), m_state->tempName.c_str(), 0) < 0 && errno != ENOENT)
            qCWarning(lcUpload) << "could not remove an abandoned upload for" << m_state->sandboxPath;
    }
}

qint64 UploadSink::bytesWritten() const
{
    return m_state ? m_state->written : 0;
}

FsResult<bool> UploadSink::fail(const FsError &error)
{
    // Give the space back at once; the caller may keep the sink around until the request ends.
    m_state->finished = true;
    m_state->file.reset();
    if (m_state->tempExists && ::unlinkat(m_state->parent.get(), m_state->tempName.c_str(), 0) == 0)
        m_state->tempExists = false;
    return FsResult<bool>::failure(error);
}

FsResult<bool> UploadSink::write(QByteArrayView chunk)
{
    if (!m_state || m_state->finished)
        return FsResult<bool>::failure(FsError::make(FsError::Kind::Io, u"Upload already finished"_s));
    if (m_state->maxBytes >= 0 && chunk.size() > m_state->maxBytes - m_state->written) {
        return fail(FsError::make(FsError::Kind::TooLarge, u"Upload is larger than "_s
                                      + QString::number(m_state->maxBytes) + u" bytes"_s));
    }
    if (const int error = detail::writeAll(m_state->file.get(), chunk.data(), size_t(chunk.size())))
        return fail(FsError::fromErrno(error, m_state->sandboxPath));
    m_state->written += chunk.size();
    return true;
}

FsResult<qint64> UploadSink::commit()
{
    using Result = FsResult<qint64>;
    if (!m_state || m_state->finished)
        return Result::failure(FsError::make(FsError::Kind::Io, u"Upload already finished"_s));
    State &s = *m_state;
    // fsync before rename: after a crash the target holds the old bytes or the new ones, never
    // an empty file.
    if (::fchmod(s.file.get(), s.mode) < 0 || ::fsync(s.file.get()) < 0)
        return Result::failure(fail(FsError::fromErrno(errno, s.sandboxPath)).error());
    const int fd = s.file.release();
    if (::close(fd) < 0 && errno != EINTR)
        return Result::failure(fail(FsError::fromErrno(errno, s.sandboxPath)).error());
    // rename() replaces a symlink or FIFO at the target as an entry; it never follows it.
    if (::renameat(s.parent.get(), s.tempName.c_str(), s.parent.get(), s.leaf.c_str()) < 0) {
        const int error = errno == ENOTEMPTY || errno == EEXIST ? EISDIR : errno;
        return Result::failure(fail(FsError::fromErrno(error, s.sandboxPath)).error());
    }
    s.tempExists = false;
    s.finished = true;
    qCDebug(lcUpload) << "wrote" << s.written << "bytes to" << s.sandboxPath;
    return s.written;
}

} // namespace banata::server
