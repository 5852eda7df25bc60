// SPDX-License-Identifier: MIT
#pragma once

// Internal: pieces shared by checkpointstore.cpp and checkpointrestore.cpp.

#include "fserror.h"

#include <QString>

#include <array>
#include <mutex>
#include <string_view>

#include <sys/types.h>

namespace banata::server::detail {

/// The directories of a sandbox root a checkpoint holds, and how the sandbox sees them.
inline constexpr std::array<const char *, 2> kCheckpointParts{"workspace", "home"};
QString sandboxNameOfPart(size_t index); // "/workspace", "/home/user"

/// 1–128 characters of [A-Za-z0-9_-]: safe as a directory name, never a leftover's name.
bool isValidCheckpointId(const QString &id);

/// Serialises checkpoint operations on one sandbox root within this process.
std::unique_lock<std::mutex> lockSandboxRoot(const QString &sandboxRoot);

/// mkdirat (an existing directory is fine) + open O_RDONLY | O_NOFOLLOW; an fd or -errno.
int openOrCreateDirectory(int parentFd, const char *name, mode_t mode);

/// Removes the entries of \a dirFd whose names start with \a prefix (leftovers of a crash).
void removeLeftovers(int dirFd, std::string_view prefix);

/// Finishes a restore the journal says was interrupted, then removes restore leftovers.
/// The caller holds the root's lock; \a rootFd is the sandbox root opened O_RDONLY.
FsResult<bool> recoverLocked(int rootFd);

inline constexpr std::string_view kRestoreLeftoverPrefix = ".banata-restore-";
inline constexpr std::string_view kCheckpointLeftoverPrefix = ".banata-";

} // namespace banata::server::detail
