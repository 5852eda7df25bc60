// SPDX-License-Identifier: MIT
#pragma once

#include <list>

#include <QByteArray>
#include <QHash>
#include <QMutex>
#include <QString>

#include "fserror.h"

namespace banata::server {

/// The SHA-256 of whole file contents, as lowercase hex, read from \a fd in 1 MiB blocks from
/// its current position to the end; \a shownPath names the file in error messages.
FsResult<QString> sha256OfFile(int fd, const QString &shownPath);

/// Recently computed SHA-256 digests of workspace files, keyed by (sandbox, path, ETag), so a
/// second checksum request, or a download of the same bytes, needs no second read. The ETag of a
/// workspace file changes with any change to it, so an entry never outlives its bytes. Bounded
/// (least recently used entries go first); thread-safe.
class ChecksumCache
{
public:
    explicit ChecksumCache(int capacity = 4096);
    Q_DISABLE_COPY_MOVE(ChecksumCache)

    /// The digest for \a relativePath (as normalizeSandboxPath() gives it) with \a etag, or empty.
    QString find(const QString &sandboxId, const QString &relativePath, const QByteArray &etag);
    void insert(const QString &sandboxId, const QString &relativePath, const QByteArray &etag,
                const QString &sha256);
    /// Drops every entry of \a sandboxId (it ended).
    void forget(const QString &sandboxId);
    int size() const;

private:
    /// One remembered digest.
    struct Entry
    {
        QString key;
        QString sandboxId;
        QString sha256;
    };
    static QString keyOf(const QString &sandboxId, const QString &relativePath, const QByteArray &etag);

    const int m_capacity;
    mutable QMutex m_mutex;
    std::list<Entry> m_order; // most recently used first
    QHash<QString, std::list<Entry>::iterator> m_index;
};

} // namespace banata::server
