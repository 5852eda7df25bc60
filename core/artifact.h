// SPDX-License-Identifier: MIT
#pragma once

#include <QList>

#include "json.h"

namespace banata {

/// The longest artifact key (in UTF-16 code units) the API accepts.
constexpr qsizetype kMaxArtifactKeyLength = 1024;

/// Why \a key cannot name an artifact (empty, too long, contains NUL), or an empty string when it
/// can. The one rule both the server and the client apply.
QString artifactKeyProblem(QStringView key);

/**
 * A durable output of a sandbox (banata-api.md §7): a PDF, a packaged folder, a recording. Kept by
 * the server outside the workspace, so it outlives restores and the sandbox itself; downloaded
 * through a short-lived URL (`artifacts/download-url`).
 */
struct Artifact
{
    QString key; // unique per sandbox, e.g. "customer-a/job-42/report.pdf" (storage.artifactPrefix first)
    QString sandboxId;
    QString name;        // the file name a download should get, e.g. "report.pdf"
    QString contentType; // e.g. "application/pdf"
    qint64 sizeBytes = 0;
    QString sha256;                    // lowercase hex of the content
    qint64 createdAt = 0;              // epoch ms
    std::optional<QString> sourcePath; // the workspace file it came from, when it came from one
    QString origin;                    // "document" (a conversion) or "api" (published through the API)

    static Parsed<Artifact> fromJson(const Json &json);
    Json toJson() const;
    friend bool operator==(const Artifact &, const Artifact &) = default;
};

/// `GET /v1/sandboxes/artifacts?id=`: `{ "data": [...] }`, newest first.
Parsed<QList<Artifact>> artifactListFromJson(const Json &json);
Json artifactListToJson(const QList<Artifact> &artifacts);

/// `GET /v1/sandboxes/artifacts/download-url?id=&key=`: a URL that needs no API key, valid until
/// `expiresAt` (epoch ms). It answers like `fs/download` (Range, ETag, Repr-Digest).
struct ArtifactUrl
{
    QString key;
    QString url;
    qint64 expiresAt = 0;

    static Parsed<ArtifactUrl> fromJson(const Json &json);
    Json toJson() const;
    friend bool operator==(const ArtifactUrl &, const ArtifactUrl &) = default;
};

/// Body of `POST /v1/sandboxes/artifacts`: keep a workspace file as an artifact.
struct PublishArtifactRequest
{
    QString id;                 // sandbox
    QString path;               // workspace file
    std::optional<QString> key; // default: the file name, after the sandbox's storage.artifactPrefix

    static Parsed<PublishArtifactRequest> fromJson(const Json &json);
    Json toJson() const;
};

} // namespace banata
