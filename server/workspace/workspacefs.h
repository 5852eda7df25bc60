// SPDX-License-Identifier: MIT
#pragma once

#include "core/files.h"
#include "fserror.h"
#include "uploadsink.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <memory>
#include <string>

namespace banata::server {

/**
 * File operations confined to one sandbox's workspace directory. Every method is synchronous and
 * thread-safe (no mutable state; each call opens the workspace afresh, so a workspace created
 * after construction works). Paths are sandbox paths as the API receives them, see
 * normalizeSandboxPath(). Every access resolves through openat2(RESOLVE_BENEATH |
 * RESOLVE_NO_MAGICLINKS) from a dirfd of the workspace (a careful component walk when openat2 is
 * blocked, see beneath.h): symlinks that stay inside are followed, "..", absolute symlinks and
 * links climbing out give OutsideWorkspace. Error messages name sandbox paths only.
 *
 * File names that are not valid UTF-8 (possible on Linux) are listed with each invalid byte
 * replaced by U+FFFD, so JSON stays valid; such entries cannot be addressed by path afterwards.
 */
class WorkspaceFs
{
public:
    /// \a workspaceDir is the host path of <root>/workspace (trusted: it comes from the server).
    explicit WorkspaceFs(QString workspaceDir);

    /// Maps a sandbox path to a validated relative path ("" for /workspace); see sandboxpath.h.
    FsResult<QString> normalize(const QString &sandboxPath) const;

    /// Entries of a directory, sorted by name (byte order = code point order), with lstat
    /// semantics: symlinks are listed as symlinks. A symlink as the listed path itself is followed
    /// if it stays inside. Entries vanishing during the listing are skipped.
    FsResult<banata::FileListing> list(const QString &sandboxPath) const;
    /// lstat of the last component (parents are resolved, following inside symlinks).
    FsResult<banata::FileEntry> stat(const QString &sandboxPath) const;
    /// Whole regular file; TooLarge beyond \a maxBytes (checked on size and while reading).
    FsResult<QByteArray> read(const QString &sandboxPath, qint64 maxBytes) const;
    /// Atomic replace (temp file + fsync + rename), creating missing parent directories (0755).
    /// An existing file keeps its permission bits; new files get 0644. A symlink at the path is
    /// replaced by the file if it resolves inside (OutsideWorkspace otherwise), never written
    /// through. Returns the size written.
    FsResult<qint64> write(const QString &sandboxPath, QByteArrayView bytes) const;

    struct OpenedFile
    {
        int fd = -1;        // O_RDONLY | O_CLOEXEC, blocking; the caller owns and closes it
        qint64 size = 0;
        qint64 mtimeMs = 0;
        QByteArray etag;    // strong validator in HTTP form, quotes included: "\"3f…\""
    };
    /// Regular files only (IsADirectory for directories, InvalidPath for FIFOs, sockets, devices;
    /// FIFOs are opened non-blocking so they cannot hang a worker). The etag hashes device, inode,
    /// inode generation, size, mtime and ctime in ns: any write through this class creates a new
    /// inode, so it always changes; an in-place write by a sandbox process changes it unless it
    /// keeps the size within one filesystem timestamp tick (a few ms).
    FsResult<OpenedFile> openForRead(const QString &sandboxPath) const;

    /// Starts a streamed upload to \a sandboxPath with write()'s rules (parents created at once;
    /// the target's mode is kept). \a maxBytes < 0 means no limit.
    FsResult<std::unique_ptr<UploadSink>> beginUpload(const QString &sandboxPath, qint64 maxBytes = -1) const;

private:
    QString m_workspaceDir;
    std::string m_workspaceDirNative;
};

} // namespace banata::server
