// SPDX-License-Identifier: MIT
// The Files tab's transfers: uploads streamed from local files (a few at a time), and downloads
// handed to the app's DownloadManager.
#include <algorithm>

#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QLoggingCategory>

#include "core/client/apiclient.h"
#include "session/connection.h"
#include "session/filessession.h"
#include "session/filessession_p.h"

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcFilesTransfers, "banata.session.files.transfers")

namespace banata {

namespace {
/// Uploads running at once; the rest wait their turn (the link is shared anyway).
constexpr size_t kParallelUploads = 2;
/// Progress reported at most this often per upload.
constexpr qint64 kProgressIntervalMs = 100;

QString joinPath(const QString &folder, const QString &relative)
{
    if (folder.endsWith(u'/'))
        return folder + relative;
    return folder + u'/' + relative;
}
} // namespace

QList<int> FilesSession::upload(const QStringList &localPaths, const QString &remoteFolder)
{
    QList<int> ids;
    for (const QString &localPath : localPaths) {
        const QFileInfo info(localPath);
        if (!info.isDir()) {
            ids.append(addUpload(info.absoluteFilePath(), joinPath(remoteFolder, info.fileName())));
            continue;
        }
        // A folder arrives with its contents, under its own name.
        const QDir base(info.absoluteFilePath());
        QStringList files;
        QDirIterator it(base.path(), QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot,
                        QDirIterator::Subdirectories);
        while (it.hasNext())
            files.append(it.next());
        files.sort();
        if (files.isEmpty()) {
            Q_EMIT message(tr("“%1” holds no files to upload").arg(info.fileName()), true);
            continue;
        }
        for (const QString &file : std::as_const(files))
            ids.append(addUpload(
                file, joinPath(remoteFolder, info.fileName() + u'/' + base.relativeFilePath(file))));
    }
    pumpUploads();
    return ids;
}

int FilesSession::addUpload(const QString &localPath, const QString &remotePath)
{
    UploadItem item;
    item.id = m_nextUploadId++;
    item.localPath = localPath;
    item.remotePath = remotePath;
    item.total = QFileInfo(localPath).size();
    m_uploads.insert(item.id, item);
    m_queuedUploads.append(item.id);
    Q_EMIT uploadChanged(item);
    return item.id;
}

void FilesSession::pumpUploads()
{
    while (m_runningUploads.size() < kParallelUploads && !m_queuedUploads.isEmpty())
        startUpload(m_queuedUploads.takeFirst());
}

void FilesSession::startUpload(int id)
{
    const auto found = m_uploads.find(id);
    if (found == m_uploads.end())
        return;
    if (const auto reason = unavailable()) {
        finishUpload(id, UploadItem::State::Failed, *reason);
        return;
    }
    auto task = std::make_unique<UploadTask>();
    task->file.setFileName(found->localPath);
    if (!task->file.open(QIODevice::ReadOnly)) {
        finishUpload(id, UploadItem::State::Failed,
                     tr("Could not read %1: %2").arg(found->localPath, task->file.errorString()));
        return;
    }
    found->total = task->file.size();
    UploadJob *job = m_connection->client().upload(m_sandboxId, found->remotePath, &task->file);
    task->job = job;
    task->sinceProgress.start();
    UploadTask *running = task.get();
    m_runningUploads.emplace(id, std::move(task));
    connect(job, &UploadJob::uploadProgress, this, [this, id, running](qint64 sent, qint64 total) {
        const auto it = m_uploads.find(id);
        if (it == m_uploads.end())
            return;
        it->sent = sent;
        if (total > 0)
            it->total = total;
        if (running->sinceProgress.elapsed() < kProgressIntervalMs && sent < it->total)
            return;
        running->sinceProgress.restart();
        Q_EMIT uploadChanged(*it);
    });
    connect(job, &UploadJob::finished, this, [this, id](const ApiResult<WriteResult> &result) {
        const auto it = m_uploads.find(id);
        if (it == m_uploads.end())
            return;
        if (!result) {
            finishUpload(id, UploadItem::State::Failed, result.error().displayText());
            return;
        }
        it->sent = result->size;
        it->total = result->size;
        const QString remotePath = it->remotePath;
        finishUpload(id, UploadItem::State::Completed, QString());
        m_tree.refreshPaths({remotePath}); // the event says so too; polling servers send none
    });
}

void FilesSession::finishUpload(int id, UploadItem::State state, const QString &error)
{
    const auto it = m_uploads.find(id);
    if (it == m_uploads.end())
        return;
    it->state = state;
    it->error = error;
    if (!error.isEmpty())
        qCInfo(lcFilesTransfers) << "upload to" << it->remotePath << "failed:" << error;
    const auto running = m_runningUploads.find(id);
    if (running != m_runningUploads.end()) {
        // Not destroyed here: this may run inside the job's own signal.
        std::shared_ptr<UploadTask> done(std::move(running->second));
        m_runningUploads.erase(running);
        QMetaObject::invokeMethod(
            this, [done] {}, Qt::QueuedConnection);
    }
    Q_EMIT uploadChanged(*it);
    pumpUploads();
}

void FilesSession::cancelUpload(int id)
{
    const auto it = m_uploads.find(id);
    if (it == m_uploads.end() || it->state != UploadItem::State::Running)
        return;
    m_queuedUploads.removeAll(id);
    const auto running = m_runningUploads.find(id);
    if (running != m_runningUploads.end())
        delete running->second->job.data(); // silently: the server keeps nothing of a cut upload
    finishUpload(id, UploadItem::State::Cancelled, QString());
}

QList<UploadItem> FilesSession::uploads() const
{
    QList<UploadItem> items = m_uploads.values();
    std::sort(items.begin(), items.end(),
              [](const UploadItem &a, const UploadItem &b) { return a.id < b.id; });
    return items;
}

void FilesSession::download(const QStringList &paths, const QString &folder)
{
    if (!m_downloads) {
        Q_EMIT message(tr("Downloads are not available here"), true);
        return;
    }
    if (const auto reason = unavailable()) {
        Q_EMIT message(tr("Could not download: %1").arg(*reason), true);
        return;
    }
    const std::optional<Sandbox> sandbox = m_connection->sandbox(m_sandboxId);
    for (const QString &path : paths) {
        const std::optional<FileEntry> entry = m_tree.entryAt(m_tree.indexForPath(path));
        const bool isFolder =
            path == m_tree.rootPath() || (entry && entry->type == FileEntry::Type::Directory);
        m_downloads->add(DownloadRequest{
            .kind = isFolder ? DownloadRequest::Kind::Folder : DownloadRequest::Kind::File,
            .client = m_connection->client(),
            .connectionName = m_connection->name(),
            .sandboxId = m_sandboxId,
            .sandboxName = sandbox ? sandbox->name.value_or(QString()) : QString(),
            .remotePath = path,
            .artifactKey = {},
            .suggestedName = {},
            .folder = folder,
        });
    }
}

void FilesSession::downloadArtifact(const QString &key, const QString &folder)
{
    if (!m_downloads) {
        Q_EMIT message(tr("Downloads are not available here"), true);
        return;
    }
    if (const auto reason = unavailable()) {
        Q_EMIT message(tr("Could not download: %1").arg(*reason), true);
        return;
    }
    const std::optional<Sandbox> sandbox = m_connection->sandbox(m_sandboxId);
    const std::optional<Artifact> artifact = m_artifacts.artifactAt(m_artifacts.rowOf(key));
    m_downloads->add(DownloadRequest{
        .kind = DownloadRequest::Kind::Artifact,
        .client = m_connection->client(),
        .connectionName = m_connection->name(),
        .sandboxId = m_sandboxId,
        .sandboxName = sandbox ? sandbox->name.value_or(QString()) : QString(),
        .remotePath = {},
        .artifactKey = key,
        .suggestedName = artifact ? artifact->name : QString(),
        .folder = folder,
    });
}

} // namespace banata
