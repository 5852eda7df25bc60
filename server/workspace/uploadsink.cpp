// SPDX-License-Identifier: MIT
#include "uploadsink.h"

#include "fdutil.h"
#include "uploadsink_p.h"

#include <QLoggingCategory>

#include <cerrno>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcUpload, "banata.server.workspace.upload", QtInfoMsg)

using namespace Qt::StringLiterals;

namespace banata::server {

UploadSink::UploadSink() = default;

UploadSink::UploadSink(std::unique_ptr<State> state)
    : m_state(std::move(state))
{}

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
