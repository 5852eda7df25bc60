// SPDX-License-Identifier: MIT
#pragma once

#include "fserror.h"

#include <QString>

namespace banata::server {

/**
 * Lexical validation of paths as the API caller writes them. Accepted: "/workspace",
 * "/workspace/a/b", "a/b" (relative to /workspace), with "." and repeated or trailing slashes
 * collapsed. Result: the relative path ("" for /workspace itself, else "a/b").
 *
 * Refused with InvalidPath: empty, NUL, other C0 control characters and DEL (they end up in
 * headers and logs), unpaired UTF-16 surrogates, a component over 255 UTF-8 bytes, a path over
 * 4095 bytes, and any ".." even when it would stay inside (under a symlinked directory ".." means
 * something else to the kernel than to string logic). Refused with OutsideWorkspace: absolute
 * paths not under /workspace ("/etc/passwd", "/home/user/x"), and ".." climbing above /workspace.
 * This is only the first line: confinement itself is enforced by openat2 on every access.
 */
FsResult<QString> normalizeSandboxPath(const QString &sandboxPath);

/// "/workspace" for "", "/workspace/a/b" for "a/b".
QString sandboxPathFor(const QString &relativePath);

} // namespace banata::server
