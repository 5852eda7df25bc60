// SPDX-License-Identifier: MIT
#pragma once

#include <QSet>

#include "core/artifact.h"

namespace banata::server {

class Store;

/// The artifacts table in the server's SQLite database: one row per (sandbox, key), the wire
/// object as JSON plus the columns queries need. Main thread only, like Store.
class ArtifactStore final
{
public:
    /// \a store must outlive this object.
    explicit ArtifactStore(Store *store);

    /// Creates the table and index when missing; returns an error message on failure.
    std::optional<QString> prepare();

    /// Inserts or replaces the row of (artifact.sandboxId, artifact.key).
    bool save(const banata::Artifact &artifact);
    QList<banata::Artifact> list(const QString &sandboxId); // newest first
    std::optional<banata::Artifact> find(const QString &sandboxId, const QString &key);
    /// True while some row of \a sandboxId keeps the blob \a sha256.
    bool blobInUse(const QString &sandboxId, const QString &sha256);
    /// Every kept blob as "<sandbox id>/<sha256>"; nullopt when the query failed.
    std::optional<QSet<QString>> referencedBlobs();

private:
    Store *m_store;
};

} // namespace banata::server
