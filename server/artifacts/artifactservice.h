// SPDX-License-Identifier: MIT
#pragma once

#include <functional>

#include <QHash>
#include <QObject>

#include "artifactblobs.h"
#include "artifactstore.h"
#include "artifacttokens.h"
#include "core/apierror.h"
#include "core/artifact.h"
#include "core/expected.h"
#include "core/sandbox.h"

QT_BEGIN_NAMESPACE
class QThreadPool;
QT_END_NAMESPACE

namespace banata::server {

class EventHub;
class SandboxManager;
class Store;

/// An FsError as the API reports it (status and code of fserror.h).
banata::ApiError apiErrorFor(const FsError &error);

/**
 * Artifacts (banata-api.md §7): durable outputs of a sandbox, kept by the server outside the
 * sandbox's files — `<artifacts dir>/<sandbox id>/<sha256>`, one row per (sandbox, key) in
 * SQLite — so they outlive restores, server restarts and the sandbox itself. A key names one
 * artifact per sandbox; keeping the same key again replaces its content. Main thread only; file
 * copies run on the I/O pool.
 */
class ArtifactService final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ArtifactService)

public:
    static constexpr qsizetype kMaxKeyLength = 1024;

    /// \a store, \a events, \a sandboxes and \a ioPool must outlive the service.
    ArtifactService(QString artifactsDir, Store *store, EventHub *events, SandboxManager *sandboxes,
                    QThreadPool *ioPool, QObject *parent = nullptr);
    ~ArtifactService() override;

    /// Prepares the table and removes blobs a crash left unreferenced; an error message on failure.
    std::optional<QString> start();

    QList<banata::Artifact> list(const QString &sandboxId);
    std::optional<banata::Artifact> find(const QString &sandboxId, const QString &key);

    /// \a fileName after the sandbox's `capabilities.storage.artifactPrefix`
    /// ("customer-a/job-42/report.pdf").
    static QString defaultKey(const banata::Sandbox &sandbox, const QString &fileName);
    /// Why \a key cannot name an artifact (the 400 message), or nullopt.
    static std::optional<QString> checkKey(const QString &key);

    using Done = std::function<void(const Expected<banata::Artifact, banata::ApiError> &)>;
    /// Copies the workspace file \a sandboxPath of \a sandboxId into the store as \a key (origin
    /// "api"), hashing it on the way, then announces it. The caller checked that the sandbox's
    /// files may be read.
    void publishFile(const QString &sandboxId, const QString &sandboxPath, const QString &key, Done done);

    /// Where producers write blobs of \a sandboxId (BlobWriter::create). Take holdBlobs() before
    /// writing one: a replaced blob is only deleted while no other write for the sandbox runs.
    QString blobDir(const QString &sandboxId) const;
    void holdBlobs(const QString &sandboxId);
    /// Ends a hold whose blob will not be kept (keep() ends the hold of a blob that is).
    void releaseBlobs(const QString &sandboxId);

    struct Kept
    {
        banata::Artifact artifact;
        bool replaced = false;
    };
    /// Records \a blob as \a key of \a sandboxId, ending the caller's hold. Announce with announce().
    Expected<Kept, banata::ApiError> keep(const QString &sandboxId, const QString &key, const BlobInfo &blob,
                                          const std::optional<QString> &sourcePath, const QString &origin);
    /// Publishes `sandbox.artifacts.updated` {"artifact", "action": "added" | "replaced"}.
    void announce(const Kept &kept);

    /// Opens an artifact's content for a response; nullptr when the blob is missing.
    std::unique_ptr<QFile> open(const banata::Artifact &artifact) const;
    const ArtifactTokens &tokens() const { return m_tokens; }

private:
    QString m_artifactsDir;
    ArtifactStore m_table;
    Store *m_store;
    EventHub *m_events;
    SandboxManager *m_sandboxes;
    QThreadPool *m_ioPool;
    ArtifactTokens m_tokens;
    QHash<QString, int> m_blobHolds;
    qint64 m_lastCreatedAt = 0;
};

} // namespace banata::server
