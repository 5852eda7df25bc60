// SPDX-License-Identifier: MIT
#pragma once

#include <atomic>
#include <memory>

#include <QObject>
#include <QThread>

namespace banata {

class PartHashWorker;

/**
 * SHA-256 of growing .part files on a worker thread: each download reports how far its file is
 * written and the thread hashes behind it (the bytes are still in the page cache), so verifying a
 * finished download only reads its last chunk. Uses OpenSSL's libcrypto, which runs several
 * times faster than Qt 6.4's own SHA-256 where the CPU has SHA instructions.
 *
 * Usage:
 *   int key = hasher.open(::fcntl(fd, F_DUPFD_CLOEXEC, 0)); // the hasher owns that descriptor
 *   hasher.grow(key, bytesWritten);                          // as the download goes
 *   hasher.finish(key, size);                                // then `finished(key, hex, {})`
 *   hasher.close(key);                                       // always, also after finished
 * A file truncated to restart is a new key (close the old one). Keys of closed files never
 * deliver a result; a result may still be queued when close() is called, so compare keys.
 */
class PartHasher final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PartHasher)

public:
    explicit PartHasher(QObject *parent = nullptr);
    ~PartHasher() override;

    /// Starts hashing the file behind \a fd from byte 0; takes over the descriptor.
    int open(int fd);
    /// Bytes [0, \a size) are written: hash them when the thread gets there.
    void grow(int key, qint64 size);
    /// The file is complete at \a size: hash the rest and emit `finished`.
    void finish(int key, qint64 size);
    /// Forgets the file and closes its descriptor.
    void close(int key);

Q_SIGNALS:
    /// \a sha256: lowercase hex of the file's first size bytes; empty with \a error if unreadable.
    void finished(int key, const QString &sha256, const QString &error);

private:
    QThread m_thread;
    std::unique_ptr<PartHashWorker> m_worker; // lives in m_thread
    std::shared_ptr<std::atomic_bool> m_stopping;
    int m_nextKey = 1;
};

} // namespace banata
