// SPDX-License-Identifier: MIT
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include <QList>
#include <QObject>

#include "core/downloads/downloaditem.h"

namespace banata {

class DownloadTask;
class PartHasher;

/**
 * The app's download engine: every download of every connection, a few at a time.
 *
 * Each download streams into `<name>.part` in its folder (created with O_EXCL | O_NOFOLLOW
 * relative to the folder's descriptor, so no name and no symlink can write elsewhere), resumes
 * with `Range` + `If-Range` after a dropped connection or a server restart (retrying by itself
 * with back-off: 1 s doubling to 30 s, giving up after 10 minutes away), then verifies the
 * SHA-256 (the response's Repr-Digest, else `fs/checksum`) and renames the .part into place with
 * RENAME_NOREPLACE: an existing file is never overwritten unless the operator says so
 * (resolveConflict). A download that finds a file of its name before starting goes to Conflict
 * straight away. The SHA-256 is computed on a worker thread while the bytes arrive (PartHasher), so
 * verifying costs little after the last byte; nothing holds the file in memory.
 *
 * Usage:
 *   DownloadManager downloads;
 *   int id = downloads.add({DownloadRequest::Kind::File, client, u"Local"_s, sandboxId, u"demo"_s,
 *                           u"/workspace/out/report.pdf"_s, {}, {}, u"/home/ana/Downloads"_s});
 *   connect(&downloads, &DownloadManager::itemChanged, this, [](const DownloadItem &item) { ... });
 */
class DownloadManager final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DownloadManager)

public:
    enum class ConflictChoice
    {
        Replace,
        KeepBoth,
        Skip
    };
    Q_ENUM(ConflictChoice)

    explicit DownloadManager(QObject *parent = nullptr);
    ~DownloadManager() override;

    /// How many run at once (default 3).
    void setMaxConcurrent(int count);
    int maxConcurrent() const { return m_maxConcurrent; }
    /// Test seam: how long a server may stay away before a download fails (default 10 min).
    void setGiveUpAfterMs(qint64 ms);
    /// Test seam: the first retry delay (default 1000 ms; doubles up to 30 s).
    void setRetryDelayMs(qint64 ms);

    /// Queues a download; returns its id. The name is made safe (safeFileName) at once.
    int add(const DownloadRequest &request);
    /// Stops and removes the .part (Cancelled). No-op when finished.
    void cancel(int id);
    /// Starts a Failed or Cancelled download again (continuing from a kept .part).
    void retry(int id);
    /// Answers a Conflict: replace the existing file, keep both (numbered name), or skip (Cancelled).
    void resolveConflict(int id, ConflictChoice choice);
    /// Forgets finished downloads (the files stay).
    void clearFinished();

    QList<DownloadItem> items() const; // in the order added
    std::optional<DownloadItem> item(int id) const;
    int activeCount() const;

Q_SIGNALS:
    void itemAdded(const banata::DownloadItem &item);
    /// Any change of state or progress (progress at most ~10 times a second per download).
    void itemChanged(const banata::DownloadItem &item);
    void itemRemoved(int id);

private:
    friend class DownloadTask;
    void taskChanged(DownloadTask *task);
    /// Starts queued downloads into free slots, once the current event is done.
    void schedulePump();
    void pump();
    DownloadTask *task(int id) const;

    std::unique_ptr<PartHasher> m_hasher; // one thread hashing every .part as it grows
    std::vector<std::unique_ptr<DownloadTask>> m_tasks;
    bool m_pumpScheduled = false;
    int m_nextId = 1;
    int m_maxConcurrent = 3;
    qint64 m_giveUpAfterMs = 10 * 60 * 1000;
    qint64 m_retryDelayMs = 1000;
};

} // namespace banata
