// SPDX-License-Identifier: MIT
#pragma once

// Internal: deleting trees a sandbox may have booby-trapped (symlinks, unreadable or read-only
// directories, absurd nesting) without ever following a symlink.

#include <sys/types.h>

namespace banata::server::detail {

/**
 * Removes \a name in \a parentFd whatever it is; symlinks are removed, never followed. Directories
 * are emptied first, giving ourselves u+rwx on them where needed (they are going away). Nesting
 * of any depth works with a bounded number of fds: below 64 levels, subdirectories are moved up
 * to the top directory being removed and handled from there. Returns 0 or an errno (ENOENT if
 * there was nothing to remove).
 */
int removeEntryAt(int parentFd, const char *name);

/// Opens directory \a name in \a parentFd (O_RDONLY, never a symlink) and makes sure we may
/// list, enter and modify it (u+rwx), chmod-ing it if we are not root; \a originalMode receives
/// its permission bits before. Returns an fd or -errno.
int openDirectoryWritable(int parentFd, const char *name, mode_t *originalMode = nullptr);

} // namespace banata::server::detail
