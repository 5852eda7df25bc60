// SPDX-License-Identifier: MIT
#pragma once

// Internal: kernel-enforced path resolution confined to a directory.

namespace banata::server::detail {

/// How openBeneath() resolves paths; tests force the fallback to exercise it on modern kernels.
enum class ResolveMode {
    Auto,          // openat2 when the kernel (and any seccomp filter) allows it, else the walk
    Openat2,       // openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS) only
    ComponentWalk, // the user-space walk only
};
void setResolveMode(ResolveMode mode);

/**
 * Opens \a relativePath ("." for the directory itself; no leading '/') beneath \a rootFd, like
 * openat(rootFd, relativePath, flags) except that resolution can never leave rootFd: "..", absolute
 * symlinks and symlinks climbing above rootFd fail with EXDEV. Symlinks that stay inside are
 * followed (the last one only without O_NOFOLLOW). Returns an fd (O_CLOEXEC added) or -errno.
 * O_CREAT is not supported: create entries with *at calls on a parent fd opened through this.
 *
 * Without openat2 (ENOSYS, or EPERM from a container's seccomp filter) it walks one component at
 * a time with O_PATH | O_NOFOLLOW, expanding symlinks itself and tracking depth on its own fd
 * stack; it never lets the kernel follow a symlink or "..", so concurrent renames cannot make it
 * escape either.
 */
int openBeneath(int rootFd, const char *relativePath, int flags);

} // namespace banata::server::detail
