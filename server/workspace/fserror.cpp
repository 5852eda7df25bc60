// SPDX-License-Identifier: MIT
#include "fserror.h"

#include <QLoggingCategory>

#include <cerrno>
#include <cstring>

Q_LOGGING_CATEGORY(lcFsError, "banata.server.workspace.error", QtInfoMsg)

using namespace Qt::StringLiterals;

namespace banata::server {

FsError FsError::make(Kind kind, QString message)
{
    return FsError{kind, std::move(message)};
}

FsError FsError::fromErrno(int error, const QString &sandboxPath)
{
    switch (error) {
    case ENOENT:
        return make(Kind::NotFound, u"No such file or directory: "_s + sandboxPath);
    case ENOTDIR:
        return make(Kind::NotADirectory, u"Not a directory: "_s + sandboxPath);
    case EISDIR:
        return make(Kind::IsADirectory, u"Is a directory: "_s + sandboxPath);
    case EXDEV:
        // openat2(RESOLVE_BENEATH) reports every escape (.., absolute symlink) as EXDEV.
        return make(Kind::OutsideWorkspace, u"Path resolves outside /workspace: "_s + sandboxPath);
    case ELOOP:
        return make(Kind::InvalidPath, u"Too many levels of symbolic links: "_s + sandboxPath);
    case EEXIST:
    case ENOTEMPTY:
        return make(Kind::AlreadyExists, u"Already exists: "_s + sandboxPath);
    case ENOSPC:
    case EDQUOT:
        return make(Kind::NoSpace, u"No space left on the sandbox's disk"_s);
    case EFBIG:
        return make(Kind::TooLarge, u"File too large: "_s + sandboxPath);
    case ENAMETOOLONG:
        return make(Kind::InvalidPath, u"Path or file name too long"_s);
    case EACCES:
    case EPERM:
        return make(Kind::PermissionDenied, u"Permission denied: "_s + sandboxPath);
    default:
        break;
    }
    // strerrordesc_np returns a static, thread-safe description that never contains a path.
    const char *description = strerrordesc_np(error);
    qCWarning(lcFsError) << "unexpected errno" << error << "on" << sandboxPath;
    return make(Kind::Io, u"I/O error on "_s + sandboxPath + u": "_s
                              + QString::fromUtf8(description ? description : "unknown error"));
}

namespace {

/// The HTTP status and machine-readable code of each kind, side by side.
struct KindInfo
{
    int httpStatus;
    QString code;
};

KindInfo infoFor(FsError::Kind kind)
{
    switch (kind) {
    case FsError::Kind::InvalidPath:
        return {400, u"INVALID_PATH"_s};
    case FsError::Kind::OutsideWorkspace:
        return {403, u"PATH_OUTSIDE_WORKSPACE"_s};
    case FsError::Kind::NotFound:
        return {404, u"FILE_NOT_FOUND"_s};
    case FsError::Kind::NotADirectory:
        return {409, u"NOT_A_DIRECTORY"_s};
    case FsError::Kind::IsADirectory:
        return {409, u"IS_A_DIRECTORY"_s};
    case FsError::Kind::AlreadyExists:
        return {409, u"ALREADY_EXISTS"_s};
    case FsError::Kind::TooLarge:
        return {413, u"FILE_TOO_LARGE"_s};
    case FsError::Kind::NoSpace:
        return {507, u"NO_SPACE"_s};
    case FsError::Kind::Io:
        return {500, u"IO_ERROR"_s};
    case FsError::Kind::PermissionDenied:
        return {403, u"FILE_PERMISSION_DENIED"_s};
    }
    return {500, u"IO_ERROR"_s};
}

} // namespace

int httpStatusFor(FsError::Kind kind)
{
    return infoFor(kind).httpStatus;
}

QString errorCodeFor(FsError::Kind kind)
{
    return infoFor(kind).code;
}

} // namespace banata::server
