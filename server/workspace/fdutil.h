// SPDX-License-Identifier: MIT
#pragma once

// Internal helpers shared by the workspace and checkpoint code; not part of the public interface.

#include <string>
#include <string_view>
#include <vector>

#include <sys/types.h>

namespace banata::server::detail {

/// Owns one file descriptor and closes it on destruction. Negative values are held but never
/// closed, so `UniqueFd fd(openBeneath(...)); if (!fd.valid()) return -fd.get();` yields the errno.
class UniqueFd
{
public:
    UniqueFd() = default;
    explicit UniqueFd(int fd);
    UniqueFd(UniqueFd &&other) noexcept;
    UniqueFd &operator=(UniqueFd &&other) noexcept;
    UniqueFd(const UniqueFd &) = delete;
    UniqueFd &operator=(const UniqueFd &) = delete;
    ~UniqueFd();

    int get() const { return m_fd; }
    bool valid() const { return m_fd >= 0; }
    int release();
    void reset(int fd = -1);

private:
    int m_fd = -1;
};

/// One name from getdents64; type is a DT_* value (DT_UNKNOWN on filesystems that do not fill it).
struct DirEntry
{
    std::string name;
    unsigned char type;
};

/// Reads every entry of \a dirFd (an O_RDONLY directory fd) except "." and "..", from the start.
/// Returns 0 or an errno. Uses getdents64 directly: no per-entry allocation besides the name.
int readDirectory(int dirFd, std::vector<DirEntry> &entries);

/// write(2) until done; returns 0 or an errno.
int writeAll(int fd, const char *data, size_t size);

/// A random name like ".banata-<prefix>-1f3a9c0d8e7b6a54" for temporary entries.
std::string temporaryName(std::string_view prefix);

/// Opens a host directory given by a trusted path (from the server, never from a request).
int openTrustedDirectory(const std::string &hostPath, int flags);

} // namespace banata::server::detail
