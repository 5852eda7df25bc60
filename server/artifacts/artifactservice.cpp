// SPDX-License-Identifier: MIT
#include "artifactservice.h"

#include <QDateTime>
#include <QLoggingCategory>
#include <QMimeDatabase>

#include "server/async.h"
#include "server/events/eventhub.h"
#include "server/sandboxmanager.h"
#include "server/store/store.h"
#include "server/workspace/workspacefs.h"

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcArtifacts, "banata.server.artifacts", QtInfoMsg)

namespace banata::server {

namespace {
QString lastSegment(const QString &path)
{
    return path.section(u'/', -1, -1, QString::SectionSkipEmpty);
}
} // namespace

ApiError apiErrorFor(const FsError &error)
{
    return ApiError{
        ApiError::Kind::Http, httpStatusFor(error.kind), error.message, errorCodeFor(error.kind), {}};
}

ArtifactService::ArtifactService(QString artifactsDir, Store *store, EventHub *events,
                                 SandboxManager *sandboxes, QThreadPool *ioPool, QObject *parent)
    : QObject(parent)
    , m_artifactsDir(std::move(artifactsDir))
    , m_table(store)
    , m_store(store)
    , m_events(events)
    , m_sandboxes(sandboxes)
    , m_ioPool(ioPool)
{}

ArtifactService::~ArtifactService() = default;

std::optional<QString> ArtifactService::start()
{
    if (auto failure = m_table.prepare())
        return failure;
    // A crash between writing a blob and recording it, or between replacing a key and deleting
    // its old blob, leaves files no row names: nothing writes yet, so they can go now.
    if (const auto referenced = m_table.referencedBlobs()) {
        if (const int removed = sweepBlobs(m_artifactsDir, *referenced))
            qCInfo(lcArtifacts) << "removed" << removed << "unreferenced artifact files";
    }
    return std::nullopt;
}

QList<Artifact> ArtifactService::list(const QString &sandboxId)
{
    return m_table.list(sandboxId);
}

std::optional<Artifact> ArtifactService::find(const QString &sandboxId, const QString &key)
{
    return m_table.find(sandboxId, key);
}

QString ArtifactService::defaultKey(const Sandbox &sandbox, const QString &fileName)
{
    QString prefix;
    if (sandbox.capabilities && sandbox.capabilities->storage &&
        sandbox.capabilities->storage->artifactPrefix)
        prefix = *sandbox.capabilities->storage->artifactPrefix;
    while (prefix.endsWith(u'/'))
        prefix.chop(1);
    return prefix.isEmpty() ? fileName : prefix + u'/' + fileName;
}

std::optional<QString> ArtifactService::checkKey(const QString &key)
{
    if (key.isEmpty())
        return u"body.key: empty"_s;
    if (key.size() > kMaxKeyLength)
        return u"body.key: at most %1 characters"_s.arg(kMaxKeyLength);
    for (const QChar c : key) {
        if (c.category() == QChar::Other_Control || c.isSurrogate())
            return u"body.key: control characters are not allowed"_s;
    }
    if (lastSegment(key).isEmpty())
        return u"body.key: must end with a name"_s;
    return std::nullopt;
}

QString ArtifactService::blobDir(const QString &sandboxId) const
{
    return m_artifactsDir + u'/' + sandboxId;
}

void ArtifactService::holdBlobs(const QString &sandboxId)
{
    ++m_blobHolds[sandboxId];
}

void ArtifactService::releaseBlobs(const QString &sandboxId)
{
    if (--m_blobHolds[sandboxId] <= 0)
        m_blobHolds.remove(sandboxId);
}

void ArtifactService::publishFile(const QString &sandboxId, const QString &sandboxPath, const QString &key,
                                  Done done)
{
    const QString workspace = m_sandboxes->sandboxRoot(sandboxId) + u"/workspace"_s;
    m_sandboxes->retainFiles(
        sandboxId); // an ephemeral sandbox ending now keeps its files until the copy is done
    holdBlobs(sandboxId);
    runInPool(
        m_ioPool, this,
        [workspace, sandboxPath, dir = blobDir(sandboxId)]() -> FsResult<BlobInfo> {
            auto opened = WorkspaceFs(workspace).openForRead(sandboxPath);
            if (!opened)
                return FsResult<BlobInfo>::failure(opened.error());
            const detail::UniqueFd source(opened->fd);
            auto writer = BlobWriter::create(dir);
            if (!writer)
                return FsResult<BlobInfo>::failure(writer.error());
            BlobWriter &blob = *writer.value();
            const auto copied = pumpFile(source.get(), sandboxPath,
                                         [&blob](QByteArrayView chunk) { return blob.write(chunk); });
            if (!copied)
                return FsResult<BlobInfo>::failure(copied.error());
            return blob.commit();
        },
        [this, sandboxId, sandboxPath, key, done](const FsResult<BlobInfo> &blob) {
            m_sandboxes->releaseFiles(sandboxId);
            if (!blob) {
                releaseBlobs(sandboxId);
                return done(Expected<Artifact, ApiError>::failure(apiErrorFor(blob.error())));
            }
            // The row and its event in one transaction: webhooks see exactly what was recorded.
            m_store->begin();
            const auto kept = keep(sandboxId, key, *blob, sandboxPath, u"api"_s);
            if (kept)
                announce(*kept);
            m_store->commit();
            if (!kept)
                return done(Expected<Artifact, ApiError>::failure(kept.error()));
            done(kept->artifact);
        });
}

Expected<ArtifactService::Kept, ApiError> ArtifactService::keep(const QString &sandboxId, const QString &key,
                                                                const BlobInfo &blob,
                                                                const std::optional<QString> &sourcePath,
                                                                const QString &origin)
{
    releaseBlobs(sandboxId);
    Kept kept;
    const auto previous = m_table.find(sandboxId, key);
    kept.replaced = previous.has_value();
    Artifact &a = kept.artifact;
    a.key = key;
    a.sandboxId = sandboxId;
    a.name = lastSegment(key);
    a.contentType = QMimeDatabase().mimeTypeForFile(a.name, QMimeDatabase::MatchExtension).name();
    a.sizeBytes = blob.size;
    a.sha256 = blob.sha256;
    // Strictly increasing, so "newest first" is exact even for two artifacts in one millisecond.
    m_lastCreatedAt = std::max(QDateTime::currentMSecsSinceEpoch(), m_lastCreatedAt + 1);
    a.createdAt = m_lastCreatedAt;
    a.sourcePath = sourcePath;
    a.origin = origin;
    if (!m_table.save(a))
        return Expected<Kept, ApiError>::failure(
            ApiError{ApiError::Kind::Http, 500, u"Cannot record the artifact"_s, u"INTERNAL"_s, {}});
    // The replaced content goes unless another key keeps it, or a write in flight may be about to
    // (its blob can have the same name and is not recorded yet).
    if (previous && previous->sha256 != a.sha256 && !m_blobHolds.contains(sandboxId) &&
        !m_table.blobInUse(sandboxId, previous->sha256))
        removeBlob(blobDir(sandboxId), previous->sha256);
    qCDebug(lcArtifacts) << "kept" << key << "of" << sandboxId << blob.size << "bytes";
    return kept;
}

void ArtifactService::announce(const Kept &kept)
{
    m_events->publish(
        u"sandbox.artifacts.updated"_s, kept.artifact.sandboxId,
        Json{{"artifact", kept.artifact.toJson()}, {"action", kept.replaced ? "replaced" : "added"}});
}

std::unique_ptr<QFile> ArtifactService::open(const Artifact &artifact) const
{
    return openBlob(blobDir(artifact.sandboxId), artifact.sha256);
}

} // namespace banata::server
