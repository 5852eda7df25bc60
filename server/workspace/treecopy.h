// SPDX-License-Identifier: MIT
#pragma once

// Internal: copying a directory tree between two fds without ever following a symlink.

#include "fserror.h"

#include <QString>

#include <string>
#include <vector>

#include <sys/stat.h>

namespace banata::server::detail {

/// Options and running totals of one copyTree() call.
struct CopyContext
{
    QString displayRoot;             // "/workspace" or "/home/user": error messages name paths under it
    bool deferTopLevelModes = false; // leave top-level directories 0700 (see copyTree)
    qint64 sizeBytes = 0;            // apparent size of the regular files copied
    qint64 fileCount = 0;            // entries that are not directories
    qint64 reflinked = 0;            // files cloned with FICLONE instead of copied
    bool tryReflink = true;          // cleared once the filesystem says it cannot clone
    std::vector<std::string> path;   // names from the root to the entry being copied
};

/**
 * Copies the contents of \a srcDirFd into the empty \a dstDirFd: regular files (bytes, holes kept,
 * FICLONE when the filesystem can, else copy_file_range, else read/write), directories, symlinks
 * as links, FIFOs; permission bits and atime/mtime. Sockets and device nodes are skipped, hard
 * links become separate files, ownership and xattrs are not copied. Entries vanishing or changing
 * type while we copy are skipped. Directories nest at most 128 deep (two fds per level).
 *
 * With deferTopLevelModes, top-level directories stay 0700 so they can be renamed into another
 * parent afterwards (moving a directory needs write permission on it); the caller applies their
 * mode later. The attributes of dstDirFd itself are the caller's business too.
 */
FsResult<bool> copyTree(int srcDirFd, int dstDirFd, CopyContext &context);

/// Gives \a dirFd the permission bits and times of \a source.
int applyDirectoryAttributes(int dirFd, const struct stat &source);

} // namespace banata::server::detail
