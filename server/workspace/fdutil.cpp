// SPDX-License-Identifier: MIT
#include "fdutil.h"

#include <QLoggingCategory>
#include <QRandomGenerator>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcFdUtil, "banata.server.workspace.fdutil", QtInfoMsg)

namespace banata::server::detail {

UniqueFd::UniqueFd(int fd)
    : m_fd(fd)
{}

UniqueFd::UniqueFd(UniqueFd &&other) noexcept
    : m_fd(std::exchange(other.m_fd, -1))
{}

UniqueFd &UniqueFd::operator=(UniqueFd &&other) noexcept
{
    if (this != &other)
        reset(std::exchange(other.m_fd, -1));
    return *this;
}

UniqueFd::~UniqueFd()
{
    reset();
}

int UniqueFd::release()
{
    return std::exchange(m_fd, -1);
}

void UniqueFd::reset(int fd)
{
    // close() must not be retried on EINTR on Linux: the descriptor is gone either way.
    if (m_fd >= 0)
        ::close(m_fd);
    m_fd = fd;
}

int readDirectory(int dirFd, std::vector<DirEntry> &entries)
{
    // One buffer per thread: recursive copies and the worker pool never allocate one per directory.
    // 64 KiB holds ~2,000 names per syscall.
    thread_local std::array<char, 64 * 1024> buffer;
    entries.clear();
    if (::lseek(dirFd, 0, SEEK_SET) < 0)
        return errno;
    for (;;) {
        const ssize_t n = ::getdents64(dirFd, buffer.data(), buffer.size());
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return errno;
        }
        if (n == 0)
            return 0;
        for (ssize_t offset = 0; offset < n;) {
            dirent64 entry;
            // The kernel packs records without caring for alignment; copy the fixed header out.
            std::memcpy(&entry, buffer.data() + offset, offsetof(dirent64, d_name));
            const char *name = buffer.data() + offset + offsetof(dirent64, d_name);
            offset += entry.d_reclen;
            if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0')))
                continue;
            entries.push_back(DirEntry{std::string(name), entry.d_type});
        }
    }
}

int writeAll(int fd, const char *data, size_t size)
{
    while (size > 0) {
        const ssize_t n = ::write(fd, data, size);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return errno;
        }
        data += n;
        size -= size_t(n);
    }
    return 0;
}

std::string temporaryName(std::string_view prefix)
{
    char suffix[17];
    std::snprintf(suffix, sizeof suffix, "%016llx",
                  static_cast<unsigned long long>(QRandomGenerator::system()->generate64()));
    std::string name = ".banata-";
    name.append(prefix);
    name.push_back('-');
    name.append(suffix);
    return name;
}

int openTrustedDirectory(const std::string &hostPath, int flags)
{
    const int fd = ::open(hostPath.c_str(), flags | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        qCDebug(lcFdUtil) << "cannot open" << hostPath.c_str() << strerrordesc_np(errno);
    return fd;
}

} // namespace banata::server::detail
