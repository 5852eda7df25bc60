// SPDX-License-Identifier: MIT
#pragma once

#include "core/client/apijob.h"
#include "core/client/apiresult.h"
#include "core/event.h"
#include "core/exec.h"
#include "core/files.h"
#include "core/health.h"

namespace banata {

/**
 * A job whose 2xx body is one JSON value, parsed into the concrete job's result type. Malformed
 * JSON and wrong types end the job with an ApiError of kind Protocol carrying the parser's message.
 *
 * Usage (every job below): see ApiJob. Each concrete job emits its typed `finished` exactly once.
 */
class JsonJob : public ApiJob
{
    Q_OBJECT

protected:
    using ApiJob::ApiJob;
    void succeed(int status, const QByteArray &body) override;
    /// Parses \a json and emits `finished`.
    virtual void deliver(const Json &json) = 0;

    /// Emits \a job's typed `finished` with the value, or with a Protocol error on a parse error.
    template <typename T, typename Job>
    static void emitParsed(Job *job, Parsed<T> parsed)
    {
        if (parsed.ok())
            Q_EMIT job->finished(ApiResult<T>(std::move(parsed).value()));
        else
            Q_EMIT job->finished(ApiResult<T>::failure(protocolError(parsed.error())));
    }
    /// Logs and wraps a parser's message.
    static ApiError protocolError(const QString &message);
};

/// Defines a JsonJob subclass's constructor, deliver() and fail() in its .cpp: forward the
/// constructor, parse with the wire type's reader, emit errors.
#define BANATA_DEFINE_JSON_JOB(Job, Type, parse)                                                  \
    Job::Job(ApiEndpoint endpoint, ApiRequest request)                                            \
        : JsonJob(std::move(endpoint), std::move(request))                                        \
    {}                                                                                            \
    void Job::deliver(const Json &json) { emitParsed<Type>(this, parse(json)); }                  \
    void Job::fail(const ApiError &error) { Q_EMIT finished(ApiResult<Type>::failure(error)); }

/// `GET /v1/health`.
class HealthJob final : public JsonJob
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HealthJob)
public:
    HealthJob(ApiEndpoint endpoint, ApiRequest request);
Q_SIGNALS:
    void finished(const banata::ApiResult<banata::Health> &result);
private:
    void deliver(const Json &json) override;
    void fail(const ApiError &error) override;
};

/// Any route answering with one sandbox: create, get, kill, pause, resume.
class SandboxJob final : public JsonJob
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SandboxJob)
public:
    SandboxJob(ApiEndpoint endpoint, ApiRequest request);
Q_SIGNALS:
    void finished(const banata::ApiResult<banata::Sandbox> &result);
private:
    void deliver(const Json &json) override;
    void fail(const ApiError &error) override;
};

/// `GET /v1/sandboxes` (list): one page; ask again with `nextCursor` for the next.
class SandboxPageJob final : public JsonJob
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SandboxPageJob)
public:
    SandboxPageJob(ApiEndpoint endpoint, ApiRequest request);
Q_SIGNALS:
    void finished(const banata::ApiResult<banata::SandboxPage> &result);
private:
    void deliver(const Json &json) override;
    void fail(const ApiError &error) override;
};

/**
 * `GET /v1/sandboxes` (list) as a conditional request, for clients without an event stream: with a
 * non-empty ETag it sends `If-None-Match`, and a 304 is a success with notModified set and the
 * ETag kept. A 200 brings the page and its new ETag.
 */
class SandboxPollJob final : public JsonJob
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SandboxPollJob)
public:
    SandboxPollJob(ApiEndpoint endpoint, ApiRequest request, QByteArray etag);
Q_SIGNALS:
    void finished(const banata::ApiResult<banata::SandboxPagePoll> &result);
private:
    void prepareRequest(QNetworkRequest &request) override;
    bool acceptsStatus(int status) const override;
    void succeed(int status, const QByteArray &body) override;
    void deliver(const Json &json) override;
    void fail(const ApiError &error) override;

    QByteArray m_etag;
};

/// `GET /v1/sandboxes/events?id=`: one page of a sandbox's event history, newest first.
class EventPageJob final : public JsonJob
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EventPageJob)
public:
    EventPageJob(ApiEndpoint endpoint, ApiRequest request);
Q_SIGNALS:
    void finished(const banata::ApiResult<banata::EventPage> &result);
private:
    void deliver(const Json &json) override;
    void fail(const ApiError &error) override;
};

/// `POST /v1/sandboxes/exec` and `/code`. A command that ran and failed is a success with a
/// non-zero exitCode; only failures to run it at all are errors.
class ExecJob final : public JsonJob
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ExecJob)
public:
    ExecJob(ApiEndpoint endpoint, ApiRequest request);
Q_SIGNALS:
    void finished(const banata::ApiResult<banata::ExecResult> &result);
private:
    void deliver(const Json &json) override;
    void fail(const ApiError &error) override;
};

/// `GET /v1/sandboxes/fs/list`.
class FileListingJob final : public JsonJob
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FileListingJob)
public:
    FileListingJob(ApiEndpoint endpoint, ApiRequest request);
Q_SIGNALS:
    void finished(const banata::ApiResult<banata::FileListing> &result);
private:
    void deliver(const Json &json) override;
    void fail(const ApiError &error) override;
};

/// `GET /v1/sandboxes/fs/read`: small files in one JSON body (use DownloadJob for big ones).
class FileContentJob final : public JsonJob
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FileContentJob)
public:
    FileContentJob(ApiEndpoint endpoint, ApiRequest request);
Q_SIGNALS:
    void finished(const banata::ApiResult<banata::FileContent> &result);
private:
    void deliver(const Json &json) override;
    void fail(const ApiError &error) override;
};

/// `POST /v1/sandboxes/fs/write`.
class WriteJob final : public JsonJob
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WriteJob)
public:
    WriteJob(ApiEndpoint endpoint, ApiRequest request);
Q_SIGNALS:
    void finished(const banata::ApiResult<banata::WriteResult> &result);
private:
    void deliver(const Json &json) override;
    void fail(const ApiError &error) override;
};

/// `POST /v1/sandboxes/checkpoints` (create).
class CheckpointJob final : public JsonJob
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CheckpointJob)
public:
    CheckpointJob(ApiEndpoint endpoint, ApiRequest request);
Q_SIGNALS:
    void finished(const banata::ApiResult<banata::Checkpoint> &result);
private:
    void deliver(const Json &json) override;
    void fail(const ApiError &error) override;
};

/// `GET /v1/sandboxes/checkpoints?id=`: newest first.
class CheckpointListJob final : public JsonJob
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CheckpointListJob)
public:
    CheckpointListJob(ApiEndpoint endpoint, ApiRequest request);
Q_SIGNALS:
    void finished(const banata::ApiResult<QList<banata::Checkpoint>> &result);
private:
    void deliver(const Json &json) override;
    void fail(const ApiError &error) override;
};

/// `POST /v1/sandboxes/checkpoints/restore`.
class RestoreJob final : public JsonJob
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RestoreJob)
public:
    RestoreJob(ApiEndpoint endpoint, ApiRequest request);
Q_SIGNALS:
    void finished(const banata::ApiResult<banata::RestoreResult> &result);
private:
    void deliver(const Json &json) override;
    void fail(const ApiError &error) override;
};

} // namespace banata
