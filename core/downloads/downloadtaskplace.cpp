// SPDX-License-Identifier: MIT
// DownloadTask: verifying the finished .part, renaming it into place, conflicts, the operator's
// cancel and retry, and how state changes reach the manager.
#include <cerrno>

#include <QDateTime>
#include <QLoggingCategory>

#include "core/downloads/downloadtask.h"
#include "core/downloads/parthasher.h"
#include "core/downloads/safefilename.h"

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcDownloadPlace, "banata.core.downloads.place")

namespace banata {

namespace {
constexpr qint64 kProgressIntervalMs = 100; // itemChanged at most ~10 times a second per download
constexpr int kMaxNumberedNames = 1000;

template <typename Job> void abandon(QPointer<Job> &job, QObject *receiver)
{
    if (Job *running = job.data()) {
        QObject::disconnect(running, nullptr, receiver, nullptr);
        running->abort(); // safe even inside the job's own signal: it deletes itself later
    }
    job = nullptr;
}
} // namespace

void DownloadTask::beginVerify()
{
    setState(DownloadItem::State::Verifying);
    m_localSha.clear();
    m_hashError.clear();
    m_hashDone = false;
    m_expectedSha = m_lastInfo.sha256;
    // Workspace files carry no digest (it would cost a full read before the first byte): ask the
    // server for the file's checksum instead. Archives and artifacts always carry one.
    m_checksumDone = !m_expectedSha.isEmpty() || m_request.kind != DownloadRequest::Kind::File;
    if (!m_hashKey)
        return fail(tr("Cannot read the downloaded file to verify it"));
    m_awaitingHash = true;
    m_hasher->finish(m_hashKey, m_lastInfo.totalSize);
    if (!m_checksumDone)
        requestChecksum();
}

void DownloadTask::requestChecksum()
{
    ChecksumJob *job = m_request.client.checksum(m_request.sandboxId, m_request.remotePath);
    m_checksumJob = job;
    connect(job, &ChecksumJob::finished, this, &DownloadTask::onChecksum);
}

void DownloadTask::onChecksum(const ApiResult<FileChecksum> &result)
{
    m_checksumJob = nullptr;
    if (!result)
        return handleFailure(result.error(), Step::Checksum);
    m_awaySince.invalidate();
    if (m_item.state == DownloadItem::State::Waiting)
        setState(DownloadItem::State::Verifying);
    const FileChecksum &sum = result.value();
    const bool etagsDiffer = !sum.etag.isEmpty() && !m_lastInfo.etag.isEmpty() && sum.etag != m_lastInfo.etag;
    if (etagsDiffer || sum.size != m_lastInfo.totalSize) {
        // The file changed on the server while it was downloading: these bytes mix two versions
        // or are simply outdated. Once more from zero; a file that keeps changing is an error.
        if (std::exchange(m_restartedForChange, true)) {
            m_truncateOnStart = true;
            return fail(tr("The file keeps changing on the server"));
        }
        qCInfo(lcDownloadPlace) << m_item.remotePath << "changed during the download; starting over";
        restartPart();
        setState(DownloadItem::State::Running);
        return beginAttempt();
    }
    m_expectedSha = sum.sha256;
    m_checksumDone = true;
    maybeFinishVerify();
}

void DownloadTask::onHashed(int key, const QString &sha256, const QString &error)
{
    if (key != m_hashKey || !m_awaitingHash)
        return;
    m_awaitingHash = false;
    m_hashDone = true;
    m_localSha = sha256;
    m_hashError = error;
    maybeFinishVerify();
}

void DownloadTask::maybeFinishVerify()
{
    if (!m_hashDone || !m_checksumDone || m_item.state != DownloadItem::State::Verifying)
        return;
    if (!m_hashError.isEmpty()) {
        m_truncateOnStart = true;
        return fail(m_hashError);
    }
    m_item.sha256 = m_localSha;
    m_item.verified = false;
    if (!m_expectedSha.isEmpty()) {
        if (m_expectedSha.compare(m_localSha, Qt::CaseInsensitive) != 0) {
            // The .part stays where it is (not renamed into place) for whoever wants to look.
            qCWarning(lcDownloadPlace)
                << m_item.fileName << "SHA-256" << m_localSha << "expected" << m_expectedSha;
            m_truncateOnStart = true;
            return fail(tr("The download is damaged: its SHA-256 differs from the server's"));
        }
        m_item.verified = true;
    }
    m_readyToPlace = true;
    placeFile();
}

void DownloadTask::placeFile()
{
    const bool placed = m_replace ? m_folder.renameReplace(m_partName, m_item.fileName)
                                  : m_folder.renameNoReplace(m_partName, m_item.fileName);
    if (!placed) {
        const int error = errno;
        if (error == EEXIST)
            return setState(DownloadItem::State::Conflict); // it appeared while downloading
        return fail(tr("Cannot move the download into place as %1: %2")
                        .arg(m_item.fileName, DownloadFolder::errorText(error)));
    }
    m_partName.clear();
    closeFiles();
    m_item.finishedAt = QDateTime::currentMSecsSinceEpoch();
    setState(DownloadItem::State::Completed);
}

void DownloadTask::placeAsNumbered()
{
    for (int n = 1; n <= kMaxNumberedNames; ++n) {
        const QString name = numberedFileName(m_baseName, n);
        if (m_folder.renameNoReplace(m_partName, name)) {
            m_item.fileName = name;
            m_partName.clear();
            closeFiles();
            m_item.finishedAt = QDateTime::currentMSecsSinceEpoch();
            return setState(DownloadItem::State::Completed);
        }
        if (errno != EEXIST)
            return fail(tr("Cannot move the download into place as %1: %2")
                            .arg(name, DownloadFolder::errorText(errno)));
    }
    fail(tr("Cannot find a free name for %1").arg(m_baseName));
}

void DownloadTask::pickNumberedName()
{
    for (int n = 1; n <= kMaxNumberedNames; ++n) {
        const QString name = numberedFileName(m_baseName, n);
        if (!m_folder.contains(name)) {
            m_item.fileName = name;
            return;
        }
    }
}

void DownloadTask::resolveConflict(DownloadManager::ConflictChoice choice)
{
    if (m_item.state != DownloadItem::State::Conflict)
        return;
    QString error;
    if (!m_folder.isOpen() && !m_folder.open(m_item.folder, &error))
        return fail(error);
    switch (choice) {
    case DownloadManager::ConflictChoice::Skip:
        removePart();
        closeFiles();
        m_item.received = 0;
        m_item.finishedAt = QDateTime::currentMSecsSinceEpoch();
        return setState(DownloadItem::State::Cancelled);
    case DownloadManager::ConflictChoice::Replace:
        m_replace = true;
        if (m_readyToPlace) {
            setState(DownloadItem::State::Verifying);
            return placeFile();
        }
        return setState(DownloadItem::State::Queued);
    case DownloadManager::ConflictChoice::KeepBoth:
        m_replace = false;
        if (m_readyToPlace) {
            setState(DownloadItem::State::Verifying);
            return placeAsNumbered();
        }
        // The final rename still refuses to replace, should the new name be taken by then.
        pickNumberedName();
        return setState(DownloadItem::State::Queued);
    }
}

void DownloadTask::cancel()
{
    if (m_item.isFinished())
        return;
    stopWork();
    removePart();
    closeFiles();
    m_item.received = 0;
    m_item.finishedAt = QDateTime::currentMSecsSinceEpoch();
    setState(DownloadItem::State::Cancelled);
}

void DownloadTask::retry()
{
    if (m_item.state != DownloadItem::State::Failed && m_item.state != DownloadItem::State::Cancelled)
        return;
    m_awaySince.invalidate();
    m_retryDelayMs = m_manager->m_retryDelayMs;
    m_restartedForChange = false;
    m_rangeRestarted = false;
    m_freshUrlRetried = false;
    m_item.finishedAt = 0;
    m_item.verified = false;
    m_item.sha256.clear();
    setState(DownloadItem::State::Queued);
}

void DownloadTask::fail(const QString &message)
{
    qCInfo(lcDownloadPlace) << m_item.fileName << "failed:" << message;
    stopWork();
    m_item.finishedAt = QDateTime::currentMSecsSinceEpoch();
    setState(DownloadItem::State::Failed, message);
}

void DownloadTask::stopWork()
{
    m_retryTimer.stop();
    abandon(m_job, this);
    abandon(m_urlJob, this);
    abandon(m_checksumJob, this);
    m_awaitingHash = false;
}

void DownloadTask::setState(DownloadItem::State state, const QString &error)
{
    const bool changed = m_item.state != state;
    m_item.state = state;
    m_item.error = error;
    if (state == DownloadItem::State::Running || state == DownloadItem::State::Waiting) {
        if (!m_tick.isActive())
            m_tick.start();
    } else {
        m_tick.stop();
    }
    notify(true);
    if (changed)
        m_manager->schedulePump();
}

void DownloadTask::notify(bool force)
{
    const qint64 at = now();
    if (!force && at - m_lastNotifyMs < kProgressIntervalMs)
        return;
    m_lastNotifyMs = at;
    if (m_item.state == DownloadItem::State::Running) {
        m_item.bytesPerSecond = m_rate.bytesPerSecond(at);
        m_item.remainingMs = m_item.total >= 0 ? m_rate.remainingMs(at, m_item.total - m_item.received) : -1;
    } else {
        m_item.bytesPerSecond = 0;
        m_item.remainingMs = -1;
    }
    m_manager->taskChanged(this);
}

} // namespace banata
