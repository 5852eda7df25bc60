// SPDX-License-Identifier: MIT
// DownloadTask: the .part and moving bytes into it (attempts, resumes, waits for the server).
// Verifying, placing and conflicts are in downloadtaskplace.cpp.
#include "core/downloads/downloadtask.h"

#include <cerrno>
#include <cmath>
#include <fcntl.h>
#include <unistd.h>

#include <QDateTime>
#include <QLoggingCategory>

#include "core/downloads/parthasher.h"
#include "core/downloads/safefilename.h"

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcDownloadTask, "banata.core.downloads.task")

namespace banata {

namespace {
constexpr qint64 kMaxRetryDelayMs = 30000;
constexpr qint64 kHashStepBytes = 4 * 1024 * 1024; // how far the writer gets before the hasher is told
constexpr int kMaxPartNames = 100;

QString initialName(const DownloadRequest &request)
{
    QString name = request.suggestedName;
    if (name.isEmpty())
        name = request.kind == DownloadRequest::Kind::Artifact ? request.artifactKey : request.remotePath;
    QString safe = safeFileName(name);
    if (request.kind == DownloadRequest::Kind::Folder && !safe.endsWith(u".zip"_s, Qt::CaseInsensitive))
        safe = safeFileName(QString(safe + u".zip"_s));
    return safe;
}

// The server is away or overloaded: wait and try again rather than give up.
bool isServerAway(const ApiError &error)
{
    switch (error.kind) {
    case ApiError::Kind::Network:
    case ApiError::Kind::Timeout:
        return true;
    case ApiError::Kind::Http:
        return error.httpStatus >= 500 || error.httpStatus == 429;
    default:
        return false;
    }
}
} // namespace

DownloadTask::DownloadTask(DownloadManager *manager, PartHasher *hasher, int id,
                           const DownloadRequest &request)
    : m_manager(manager)
    , m_hasher(hasher)
    , m_request(request)
    , m_retryDelayMs(manager->m_retryDelayMs)
{
    m_item.id = id;
    m_item.kind = request.kind;
    m_item.connectionName = request.connectionName;
    m_item.sandboxId = request.sandboxId;
    m_item.sandboxName = request.sandboxName;
    m_item.remotePath =
        request.kind == DownloadRequest::Kind::Artifact ? request.artifactKey : request.remotePath;
    m_item.fileName = initialName(request);
    m_item.folder = request.folder;
    m_baseName = m_item.fileName;
    m_clock.start();
    m_retryTimer.setSingleShot(true);
    connect(&m_retryTimer, &QTimer::timeout, this, &DownloadTask::onRetryTimer);
    m_tick.setInterval(1000);
    connect(&m_tick, &QTimer::timeout, this, &DownloadTask::onTick);
    connect(m_hasher, &PartHasher::finished, this, &DownloadTask::onHashed);
}

DownloadTask::~DownloadTask()
{
    stopWork();
    if (m_hashKey && m_hasher)
        m_hasher->close(m_hashKey);
    // An unfinished .part stays: a download interrupted by quitting is not the operator's cancel.
}

bool DownloadTask::occupiesSlot() const
{
    return m_item.state == DownloadItem::State::Running || m_item.state == DownloadItem::State::Waiting;
}

void DownloadTask::checkBeforeQueueing()
{
    QString error;
    if (!m_folder.open(m_item.folder, &error)) {
        m_item.state = DownloadItem::State::Failed;
        m_item.error = error;
        m_item.finishedAt = QDateTime::currentMSecsSinceEpoch();
        return;
    }
    // Ask before spending any bandwidth.
    if (m_folder.contains(m_item.fileName))
        m_item.state = DownloadItem::State::Conflict;
    m_folder.close();
}

void DownloadTask::start()
{
    if (m_item.state != DownloadItem::State::Queued)
        return;
    if (m_item.startedAt == 0)
        m_item.startedAt = QDateTime::currentMSecsSinceEpoch();
    QString error;
    if (!m_folder.isOpen() && !m_folder.open(m_item.folder, &error))
        return fail(error);
    if (!m_replace && m_folder.contains(m_item.fileName))
        return setState(DownloadItem::State::Conflict);
    if (m_readyToPlace) {
        setState(DownloadItem::State::Verifying);
        return placeFile();
    }
    if (!openPart(&error))
        return fail(error);
    if (std::exchange(m_truncateOnStart, false))
        restartPart();
    m_item.received = m_part.size();
    setState(DownloadItem::State::Running);
    if (m_downloaded)
        return beginVerify(); // every byte arrived before; only verifying failed
    beginAttempt();
}

bool DownloadTask::openPart(QString *error)
{
    if (m_part.isOpen())
        return true;
    const QString base = partFileName(m_item.fileName);
    for (int n = 0; n < kMaxPartNames; ++n) {
        // A .part we did not create (another program's, or a planted symlink) is left alone.
        const QString name = n == 0 ? base : numberedFileName(base, n);
        const int fd = m_folder.createNew(name);
        if (fd < 0 && errno == EEXIST)
            continue;
        if (fd < 0) {
            *error =
                tr("Cannot create %1 in %2: %3").arg(name, m_item.folder, DownloadFolder::errorText(errno));
            return false;
        }
        if (!m_part.open(fd, QIODevice::ReadWrite | QIODevice::Unbuffered, QFileDevice::AutoCloseHandle)) {
            ::close(fd);
            m_folder.remove(name);
            *error = tr("Cannot open %1: %2").arg(name, m_part.errorString());
            return false;
        }
        m_partName = name;
        m_downloaded = false;
        m_readyToPlace = false;
        m_etag.clear();
        startHashing();
        return true;
    }
    *error = tr("Cannot create a partial file for %1 in %2: too many names are taken")
                 .arg(m_item.fileName, m_item.folder);
    return false;
}

void DownloadTask::startHashing()
{
    if (m_hashKey)
        m_hasher->close(m_hashKey);
    m_hashKey = 0;
    m_hashedTo = 0;
    m_awaitingHash = false;
    // A descriptor of its own: the hasher reads with pread while the job writes through m_part.
    const int fd = ::fcntl(m_part.handle(), F_DUPFD_CLOEXEC, 0);
    if (fd >= 0)
        m_hashKey = m_hasher->open(fd);
    else
        qCWarning(lcDownloadTask) << "cannot duplicate the .part descriptor:"
                                  << DownloadFolder::errorText(errno);
}

void DownloadTask::restartPart()
{
    m_part.resize(0);
    m_part.seek(0);
    startHashing();
    m_item.received = 0;
    m_downloaded = false;
    m_readyToPlace = false;
    m_lastInfo = {};
    m_etag.clear();
    m_rate.reset();
}

void DownloadTask::removePart()
{
    if (!m_partName.isEmpty() && m_folder.isOpen() && !m_folder.remove(m_partName) && errno != ENOENT)
        qCWarning(lcDownloadTask) << "cannot remove" << m_partName << DownloadFolder::errorText(errno);
    m_partName.clear();
}

void DownloadTask::closeFiles()
{
    if (m_hashKey)
        m_hasher->close(m_hashKey);
    m_hashKey = 0;
    m_awaitingHash = false;
    m_part.close();
    m_partName.clear();
    m_folder.close();
    m_downloaded = false;
    m_readyToPlace = false;
    m_lastInfo = {};
    m_etag.clear();
}

void DownloadTask::beginAttempt()
{
    if (m_request.kind == DownloadRequest::Kind::Artifact)
        requestArtifactUrl(); // download URLs are short-lived: a fresh one for every attempt
    else
        startJob({});
}

void DownloadTask::requestArtifactUrl()
{
    ArtifactUrlJob *job = m_request.client.artifactDownloadUrl(m_request.sandboxId, m_request.artifactKey);
    m_urlJob = job;
    connect(job, &ArtifactUrlJob::finished, this, [this](const ApiResult<ArtifactUrl> &result) {
        m_urlJob = nullptr;
        if (!result)
            return handleFailure(result.error(), Step::Download);
        startJob(m_request.client.baseUrl().resolved(QUrl(result->url)));
    });
}

void DownloadTask::startJob(const QUrl &artifactUrl)
{
    qint64 offset = m_part.size();
    if (offset > 0 && m_etag.isEmpty()) {
        // Without an ETag nothing guards the bytes already here against a changed file.
        qCInfo(lcDownloadTask) << "no ETag for the partial file; starting" << m_item.fileName << "over";
        restartPart();
        offset = 0;
    }
    m_part.seek(offset);
    m_item.received = offset;
    m_countResume = offset > 0;
    const DownloadJob::Resume resume{offset, m_etag};
    const ApiClient &client = m_request.client;
    DownloadJob *job = nullptr;
    switch (m_request.kind) {
    case DownloadRequest::Kind::File:
        job = client.download(m_request.sandboxId, m_request.remotePath, &m_part, resume);
        break;
    case DownloadRequest::Kind::Folder:
        job = client.downloadArchive(m_request.sandboxId, m_request.remotePath, &m_part, resume);
        break;
    case DownloadRequest::Kind::Artifact:
        job = client.downloadUrl(artifactUrl, &m_part, resume);
        break;
    }
    m_job = job;
    connect(job, &DownloadJob::progress, this, &DownloadTask::onProgress);
    connect(job, &DownloadJob::restarted, this, &DownloadTask::onRestarted);
    connect(job, &DownloadJob::finished, this, &DownloadTask::onJobFinished);
    connect(job, &ApiJob::retrying, this, [this](int, qint64 delayMs, const ApiError &error) {
        // The job retries by itself first; show that the server is away meanwhile.
        if (!m_awaySince.isValid())
            m_awaySince.start();
        m_countResume = m_job && m_job->position() > 0;
        enterWaiting(error, delayMs);
    });
}

void DownloadTask::onProgress(qint64 received, qint64 total)
{
    if (!m_job)
        return;
    if (std::exchange(m_countResume, false) && m_job->rangeHonoured())
        ++m_item.resumes;
    m_etag = m_job->etag();
    m_awaySince.invalidate(); // the server answers again
    m_retryDelayMs = m_manager->m_retryDelayMs;
    if (received > m_item.received)
        m_freshUrlRetried = false;
    m_item.received = received;
    m_item.total = total;
    if (received - m_hashedTo >= kHashStepBytes && m_hashKey) {
        m_hasher->grow(m_hashKey, received);
        m_hashedTo = received;
    }
    m_rate.add(now(), received);
    if (m_item.state == DownloadItem::State::Waiting)
        return setState(DownloadItem::State::Running);
    notify(false);
}

void DownloadTask::onRestarted()
{
    // The server sent the whole file (it changed, or ignores ranges): the job rewinds to 0.
    qCInfo(lcDownloadTask) << m_item.fileName << "restarts from byte 0";
    m_countResume = false;
    restartPart();
}

void DownloadTask::onJobFinished(const ApiResult<DownloadInfo> &result)
{
    m_job = nullptr;
    if (!result)
        return handleFailure(result.error(), Step::Download);
    m_lastInfo = result.value();
    m_etag = m_lastInfo.etag;
    m_item.received = m_lastInfo.totalSize;
    m_item.total = m_lastInfo.totalSize;
    m_downloaded = true;
    beginVerify();
}

void DownloadTask::handleFailure(const ApiError &error, Step step)
{
    if (error.kind == ApiError::Kind::Aborted)
        return fail(error.message); // the .part refused a write (disk full, ...)
    if (isServerAway(error))
        return waitAndRetry(error, step);
    if (step == Step::Checksum) {
        // The server cannot vouch for the bytes (an older server, or the file is gone now): keep
        // them unverified rather than throw away a complete download.
        qCWarning(lcDownloadTask) << "no checksum for" << m_item.remotePath << error.displayText();
        m_checksumDone = true;
        return maybeFinishVerify();
    }
    if (error.kind == ApiError::Kind::Http && error.httpStatus == 416 &&
        !std::exchange(m_rangeRestarted, true)) {
        qCInfo(lcDownloadTask) << "the server refused the range; starting" << m_item.fileName << "over";
        restartPart();
        return beginAttempt();
    }
    const bool denied =
        error.kind == ApiError::Kind::Http && (error.httpStatus == 401 || error.httpStatus == 403);
    if (denied && m_request.kind == DownloadRequest::Kind::Artifact && !m_urlJob &&
        !std::exchange(m_freshUrlRetried, true))
        return beginAttempt(); // the download URL expired between asking and using it
    fail(error.displayText());
}

void DownloadTask::waitAndRetry(const ApiError &error, Step step)
{
    if (!m_awaySince.isValid())
        m_awaySince.start();
    const qint64 away = m_awaySince.elapsed();
    if (away >= m_manager->m_giveUpAfterMs) {
        const QString reason =
            error.kind == ApiError::Kind::Http ? error.displayText() : tr("Server not reachable");
        const qint64 seconds = (away + 500) / 1000;
        return fail(seconds < 120 ? tr("%1 — gave up after %n s", nullptr, int(seconds)).arg(reason)
                                  : tr("%1 — gave up after %n min", nullptr, int(seconds / 60)).arg(reason));
    }
    const qint64 delay = m_retryDelayMs;
    m_retryDelayMs = std::min(m_retryDelayMs * 2, std::max(kMaxRetryDelayMs, m_manager->m_retryDelayMs));
    m_retryStep = step;
    enterWaiting(error, delay);
    m_retryTimer.start(int(delay));
}

void DownloadTask::enterWaiting(const ApiError &error, qint64 delayMs)
{
    m_waitReason = error.kind == ApiError::Kind::Http ? error.displayText() : tr("Server not reachable");
    m_retryAtMs = now() + delayMs;
    m_rate.reset();
    setState(DownloadItem::State::Waiting, waitingText());
}

QString DownloadTask::waitingText() const
{
    const qint64 left = m_retryAtMs - now();
    if (left <= 0)
        return tr("%1 — reconnecting…").arg(m_waitReason);
    return tr("%1 — retrying in %n s", nullptr, int(std::ceil(double(left) / 1000.0))).arg(m_waitReason);
}

void DownloadTask::onRetryTimer()
{
    m_item.error = waitingText();
    notify(true);
    if (m_retryStep == Step::Checksum)
        requestChecksum();
    else
        beginAttempt();
}

void DownloadTask::onTick()
{
    if (m_item.state == DownloadItem::State::Waiting)
        m_item.error = waitingText();
    notify(true); // a countdown, or a speed that falls when the bytes stop
}

} // namespace banata
