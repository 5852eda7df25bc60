// SPDX-License-Identifier: MIT
#pragma once

#include "core/client/apijobs.h"
#include "core/document.h"
#include "core/files.h"

namespace banata {

/// `GET /v1/sandboxes/artifacts?id=`.
class ArtifactListJob final : public JsonJob
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ArtifactListJob)
public:
    ArtifactListJob(ApiEndpoint endpoint, ApiRequest request);
Q_SIGNALS:
    void finished(const banata::ApiResult<QList<banata::Artifact>> &result);

private:
    void deliver(const Json &json) override;
    void fail(const ApiError &error) override;
};

/// `POST /v1/sandboxes/artifacts`: the artifact kept.
class ArtifactJob final : public JsonJob
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ArtifactJob)
public:
    ArtifactJob(ApiEndpoint endpoint, ApiRequest request);
Q_SIGNALS:
    void finished(const banata::ApiResult<banata::Artifact> &result);

private:
    void deliver(const Json &json) override;
    void fail(const ApiError &error) override;
};

/// `GET /v1/sandboxes/artifacts/download-url?id=&key=`.
class ArtifactUrlJob final : public JsonJob
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ArtifactUrlJob)
public:
    ArtifactUrlJob(ApiEndpoint endpoint, ApiRequest request);
Q_SIGNALS:
    void finished(const banata::ApiResult<banata::ArtifactUrl> &result);

private:
    void deliver(const Json &json) override;
    void fail(const ApiError &error) override;
};

/// `POST /v1/sandboxes/documents/convert`: answers when LibreOffice is done (seconds).
class DocumentJob final : public JsonJob
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DocumentJob)
public:
    DocumentJob(ApiEndpoint endpoint, ApiRequest request);
Q_SIGNALS:
    void finished(const banata::ApiResult<banata::DocumentConversion> &result);

private:
    void deliver(const Json &json) override;
    void fail(const ApiError &error) override;
};

/// `GET /v1/sandboxes/fs/checksum?id=&path=`.
class ChecksumJob final : public JsonJob
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ChecksumJob)
public:
    ChecksumJob(ApiEndpoint endpoint, ApiRequest request);
Q_SIGNALS:
    void finished(const banata::ApiResult<banata::FileChecksum> &result);

private:
    void deliver(const Json &json) override;
    void fail(const ApiError &error) override;
};

} // namespace banata
