// SPDX-License-Identifier: MIT
#pragma once

#include "core/apierror.h"
#include "core/checkpoint.h"
#include "core/expected.h"
#include "core/json.h"
#include "core/sandbox.h"

#include <QByteArray>
#include <QString>

namespace banata {

/// What every API job delivers: the typed value, or an ApiError.
template <typename T>
using ApiResult = Expected<T, ApiError>;

/// `POST /v1/sandboxes/fs/write` and `PUT /v1/sandboxes/fs/upload`: `{"ok":true,"path":...,"size":N}`.
struct WriteResult
{
    QString path;
    qint64 size = 0;

    static Parsed<WriteResult> fromJson(const Json &json);
    Json toJson() const;
    friend bool operator==(const WriteResult &, const WriteResult &) = default;
};

/// `POST /v1/sandboxes/checkpoints/restore`: the checkpoint restored and the sandbox afterwards.
struct RestoreResult
{
    Checkpoint checkpoint;
    Sandbox sandbox;

    static Parsed<RestoreResult> fromJson(const Json &json);
    Json toJson() const;
};

/// One poll of `GET /v1/sandboxes` with If-None-Match: the page and its ETag, or notModified when
/// the list is unchanged since the ETag sent (page is then empty; keep the one you have).
struct SandboxPagePoll
{
    SandboxPage page;
    QByteArray etag; // the list's ETag (quotes included); send it with the next poll
    bool notModified = false;
};

/// How a raw `fs/download` ended. Sizes are in bytes of the remote file.
struct DownloadInfo
{
    QByteArray etag;       // the response's ETag (quotes included); pass it back to resume
    qint64 totalSize = -1; // size of the whole remote file; -1 when the server did not say
    qint64 bytesWritten = 0; // written to the device by this job (all attempts together)
    qint64 resumedFrom = 0;  // offset the body started at; 0 when the server sent the whole file
    QString sha256; // lowercase hex from the response's `Repr-Digest: sha-256=:…:`; empty when absent

    friend bool operator==(const DownloadInfo &, const DownloadInfo &) = default;
};

} // namespace banata
