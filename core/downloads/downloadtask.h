// SPDX-License-Identifier: MIT
#pragma once

#include <QElapsedTimer>
#include <QFile>
#include <QPointer>
#include <QTimer>

#include "core/downloads/downloadfolder.h"
#include "core/downloads/downloadmanager.h"
#include "core/downloads/transferrate.h"

namespace banata {

class PartHasher;

/**
 * One download of a DownloadManager, from Queued to Completed: its .part, the jobs that fill it,
 * the waits while the server is away, verification and the rename into place. The manager owns
 * it, decides when it starts and forwards the operator's choices (see DownloadManager).
 */
class DownloadTask final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DownloadTask)

public:
    DownloadTask(DownloadManager *manager, PartHasher *hasher, int id, const DownloadRequest &request);
    ~DownloadTask() override;

    const DownloadItem &item() const { return m_item; }
    /// Running or Waiting: counts against the manager's concurrency.
    bool occupiesSlot() const;

    /// Before the item is announced: Conflict when the name is taken, Failed when the folder is
    /// unusable, else it stays Queued. Emits nothing.
    void checkBeforeQueueing();
    /// Queued → Running (or Conflict, or straight to placing a file verified earlier).
    void start();
    void cancel();
    void retry();
    void resolveConflict(DownloadManager::ConflictChoice choice);

private:
    /// What a wait for the server retries.
    enum class Step
    {
        Download,
        Checksum
    };

    // The .part and its hash.
    bool openPart(QString *error);
    void startHashing();
    void restartPart();
    void removePart();
    void closeFiles();

    // Moving bytes.
    void beginAttempt();
    void requestArtifactUrl();
    void startJob(const QUrl &artifactUrl);
    void onProgress(qint64 received, qint64 total);
    void onRestarted();
    void onJobFinished(const ApiResult<DownloadInfo> &result);
    void handleFailure(const ApiError &error, Step step);
    void waitAndRetry(const ApiError &error, Step step);
    void enterWaiting(const ApiError &error, qint64 delayMs);
    void onRetryTimer();
    void onTick();

    // Verifying and placing.
    void beginVerify();
    void requestChecksum();
    void onChecksum(const ApiResult<FileChecksum> &result);
    void onHashed(int key, const QString &sha256, const QString &error);
    void maybeFinishVerify();
    void placeFile();
    void placeAsNumbered();
    void pickNumberedName();

    // State.
    void setState(DownloadItem::State state, const QString &error = {});
    void fail(const QString &message);
    void stopWork();
    void notify(bool force);
    QString waitingText() const;
    qint64 now() const { return m_clock.elapsed(); }

    DownloadManager *m_manager;
    QPointer<PartHasher> m_hasher; // a task cleared with deleteLater may outlive the manager
    DownloadRequest m_request;
    DownloadItem m_item;
    QString m_baseName; // the safe name before any "keep both" numbering

    DownloadFolder m_folder;
    QFile m_part;
    QString m_partName;
    int m_hashKey = 0;
    qint64 m_hashedTo = 0;

    QPointer<DownloadJob> m_job;
    QPointer<ArtifactUrlJob> m_urlJob;
    QPointer<ChecksumJob> m_checksumJob;
    QByteArray m_etag;              // of the bytes in the .part
    DownloadInfo m_lastInfo;        // of the job that brought the last byte
    bool m_downloaded = false;      // the .part holds the whole file (m_lastInfo)
    bool m_readyToPlace = false;    // ...and it is verified
    bool m_countResume = false;     // the next progress tells whether a Range was honoured
    bool m_replace = false;         // the operator chose to replace the existing file
    bool m_truncateOnStart = false; // the .part's bytes are known bad: start over
    bool m_restartedForChange = false;
    bool m_rangeRestarted = false;
    bool m_freshUrlRetried = false;

    QString m_expectedSha;
    QString m_localSha;
    QString m_hashError;
    bool m_awaitingHash = false;
    bool m_hashDone = false;
    bool m_checksumDone = false;

    QElapsedTimer m_clock;
    QElapsedTimer m_awaySince; // valid while the server has been unreachable
    QTimer m_retryTimer;
    QTimer m_tick; // countdown while Waiting, speed decay while Running
    qint64 m_retryDelayMs = 0;
    qint64 m_retryAtMs = 0;
    Step m_retryStep = Step::Download;
    QString m_waitReason;
    TransferRate m_rate;
    qint64 m_lastNotifyMs = -1000;
};

} // namespace banata
