// SPDX-License-Identifier: MIT
#include "checksumcache.h"

#include <cerrno>
#include <memory>
#include <unistd.h>

#include "core/sha256.h"

using namespace Qt::StringLiterals;

namespace banata::server {

namespace {
constexpr qsizetype kBlockSize = 1024 * 1024;
} // namespace

FsResult<QString> sha256OfFile(int fd, const QString &shownPath)
{
    banata::Sha256 hash;
    const auto buffer = std::make_unique<char[]>(size_t(kBlockSize));
    for (;;) {
        const ssize_t n = ::read(fd, buffer.get(), size_t(kBlockSize));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return FsResult<QString>::failure(FsError::fromErrno(errno, shownPath));
        }
        if (n == 0)
            break;
        hash.addData(QByteArrayView(buffer.get(), qsizetype(n)));
    }
    return hash.hexResult();
}

ChecksumCache::ChecksumCache(int capacity)
    : m_capacity(std::max(1, capacity))
{}

QString ChecksumCache::keyOf(const QString &sandboxId, const QString &relativePath, const QByteArray &etag)
{
    // NUL cannot occur in a sandbox id, a validated path or an ETag: the parts cannot run together.
    return sandboxId + QChar(u'\0') + relativePath + QChar(u'\0') + QString::fromLatin1(etag);
}

QString ChecksumCache::find(const QString &sandboxId, const QString &relativePath, const QByteArray &etag)
{
    const QMutexLocker lock(&m_mutex);
    const auto found = m_index.constFind(keyOf(sandboxId, relativePath, etag));
    if (found == m_index.constEnd())
        return {};
    m_order.splice(m_order.begin(), m_order, found.value());
    return m_order.front().sha256;
}

void ChecksumCache::insert(const QString &sandboxId, const QString &relativePath, const QByteArray &etag,
                           const QString &sha256)
{
    const QMutexLocker lock(&m_mutex);
    QString key = keyOf(sandboxId, relativePath, etag);
    if (const auto found = m_index.constFind(key); found != m_index.constEnd()) {
        found.value()->sha256 = sha256;
        m_order.splice(m_order.begin(), m_order, found.value());
        return;
    }
    m_order.push_front(Entry{key, sandboxId, sha256});
    m_index.insert(std::move(key), m_order.begin());
    while (int(m_order.size()) > m_capacity) {
        m_index.remove(m_order.back().key);
        m_order.pop_back();
    }
}

void ChecksumCache::forget(const QString &sandboxId)
{
    const QMutexLocker lock(&m_mutex);
    for (auto it = m_order.begin(); it != m_order.end();) {
        if (it->sandboxId == sandboxId) {
            m_index.remove(it->key);
            it = m_order.erase(it);
        } else {
            ++it;
        }
    }
}

int ChecksumCache::size() const
{
    const QMutexLocker lock(&m_mutex);
    return int(m_order.size());
}

} // namespace banata::server
