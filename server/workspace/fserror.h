// SPDX-License-Identifier: MIT
#pragma once

#include "core/expected.h"

#include <QString>

namespace banata::server {

/// Why a workspace or checkpoint operation failed, as data the HTTP layer can send back.
struct FsError
{
    enum class Kind {
        InvalidPath,      // 400 INVALID_PATH: empty, NUL/control characters, "..", too long
        OutsideWorkspace, // 403 PATH_OUTSIDE_WORKSPACE: absolute path elsewhere, or a symlink leading out
        NotFound,         // 404 FILE_NOT_FOUND (also used for unknown checkpoints)
        NotADirectory,    // 409 NOT_A_DIRECTORY: a path component or the listed path is not a directory
        IsADirectory,     // 409 IS_A_DIRECTORY: read/write/download of a directory
        AlreadyExists,    // 409 ALREADY_EXISTS
        TooLarge,         // 413 FILE_TOO_LARGE
        NoSpace,          // 507 NO_SPACE: ENOSPC or quota
        Io,               // 500 IO_ERROR: anything unexpected
        PermissionDenied, // 403 FILE_PERMISSION_DENIED: EACCES/EPERM from the host filesystem
    };

    Kind kind = Kind::Io;
    QString message; // safe to show to the API caller: names sandbox paths (/workspace/x) only

    static FsError make(Kind kind, QString message);
    /// Maps an errno to a kind and a message naming \a sandboxPath (never a host path).
    static FsError fromErrno(int error, const QString &sandboxPath);
};

template <typename T>
using FsResult = banata::Expected<T, FsError>;

/// HTTP status for a kind: 400, 403, 404, 409, 413, 507 or 500 (see the enum above).
int httpStatusFor(FsError::Kind kind);
/// Machine-readable code for a kind, e.g. "PATH_OUTSIDE_WORKSPACE" (see the enum above).
QString errorCodeFor(FsError::Kind kind);

} // namespace banata::server
