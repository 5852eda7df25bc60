// SPDX-License-Identifier: MIT
#include "core/client/apiclient.h"

#include "core/client/eventstream.h"

#include <QLoggingCategory>
#include <QNetworkAccessManager>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

Q_LOGGING_CATEGORY(lcApiClient, "banata.core.client.api")

namespace banata {

namespace {
const QString kSandboxes = u"/v1/sandboxes"_s;

Json idBody(const QString &id)
{
    return Json{{"id", toStd(id)}};
}

// Exec answers only when the command ends, so the wait must cover the command itself.
std::chrono::milliseconds execWait(std::chrono::milliseconds timeout, std::optional<qint64> commandTimeoutMs)
{
    constexpr auto kMargin = 15s;
    constexpr auto kWithoutCommandTimeout = std::chrono::milliseconds(5min);
    if (commandTimeoutMs && *commandTimeoutMs > 0)
        return std::max(timeout, std::chrono::milliseconds(*commandTimeoutMs) + kMargin);
    return std::max(timeout, kWithoutCommandTimeout);
}
} // namespace

ApiClient::ApiClient(QNetworkAccessManager *network, QUrl baseUrl, QString apiKey, RetryPolicy retry)
    : m_endpoint{network, std::move(baseUrl), std::move(apiKey), retry, 30s}
{
    if (!network)
        qCWarning(lcApiClient) << "created without a network access manager; every request will fail";
}

HealthJob *ApiClient::health() const
{
    return send<HealthJob>(ApiRequest::get(u"/v1/health"_s));
}

SandboxJob *ApiClient::createSandbox(const CreateSandboxRequest &request) const
{
    return send<SandboxJob>(ApiRequest::post(kSandboxes, request.toJson()));
}

SandboxJob *ApiClient::sandbox(const QString &id) const
{
    return send<SandboxJob>(ApiRequest::get(kSandboxes).query(u"id"_s, id));
}

SandboxPageJob *ApiClient::listSandboxes(const SandboxListQuery &query) const
{
    ApiRequest request = ApiRequest::get(kSandboxes);
    if (!query.statuses.isEmpty()) {
        QStringList statuses;
        for (SandboxStatus status : query.statuses)
            statuses.append(toString(status));
        request.query(u"status"_s, statuses.join(u','));
    }
    request.query(u"limit"_s, QString::number(query.limit));
    if (query.cursor)
        request.query(u"cursor"_s, *query.cursor);
    return send<SandboxPageJob>(std::move(request));
}

SandboxJob *ApiClient::killSandbox(const QString &id) const
{
    return send<SandboxJob>(ApiRequest::del(kSandboxes).query(u"id"_s, id));
}

SandboxJob *ApiClient::pauseSandbox(const QString &id) const
{
    return send<SandboxJob>(ApiRequest::post(kSandboxes + u"/pause"_s, idBody(id)));
}

SandboxJob *ApiClient::resumeSandbox(const QString &id) const
{
    return send<SandboxJob>(ApiRequest::post(kSandboxes + u"/resume"_s, idBody(id)));
}

ExecJob *ApiClient::exec(const ExecRequest &request) const
{
    return send<ExecJob>(ApiRequest::post(kSandboxes + u"/exec"_s, request.toJson())
                             .timeout(execWait(m_endpoint.timeout, request.timeoutMs)));
}

ExecJob *ApiClient::runCode(const CodeRequest &request) const
{
    return send<ExecJob>(ApiRequest::post(kSandboxes + u"/code"_s, request.toJson())
                             .timeout(execWait(m_endpoint.timeout, request.timeoutMs)));
}

FileListingJob *ApiClient::listFiles(const QString &id, const QString &path) const
{
    return send<FileListingJob>(ApiRequest::get(kSandboxes + u"/fs/list"_s).query(u"id"_s, id).query(u"path"_s, path));
}

FileContentJob *ApiClient::readFile(const QString &id, const QString &path) const
{
    return send<FileContentJob>(ApiRequest::get(kSandboxes + u"/fs/read"_s).query(u"id"_s, id).query(u"path"_s, path));
}

WriteJob *ApiClient::writeFile(const FileWriteRequest &request) const
{
    return send<WriteJob>(ApiRequest::post(kSandboxes + u"/fs/write"_s, request.toJson()));
}

DownloadJob *ApiClient::download(const QString &id, const QString &path, QIODevice *sink,
                                 const DownloadJob::Resume &resume) const
{
    auto *job = new DownloadJob(m_endpoint,
                                ApiRequest::get(kSandboxes + u"/fs/download"_s).query(u"id"_s, id).query(u"path"_s, path),
                                sink, resume);
    job->start();
    return job;
}

UploadJob *ApiClient::upload(const QString &id, const QString &path, QIODevice *source) const
{
    auto *job = new UploadJob(m_endpoint,
                              ApiRequest::put(kSandboxes + u"/fs/upload"_s).query(u"id"_s, id).query(u"path"_s, path),
                              source);
    job->start();
    return job;
}

CheckpointJob *ApiClient::createCheckpoint(const QString &id, const std::optional<QString> &label) const
{
    Json body = idBody(id);
    if (label)
        body["label"] = toStd(*label);
    return send<CheckpointJob>(ApiRequest::post(kSandboxes + u"/checkpoints"_s, body));
}

CheckpointListJob *ApiClient::checkpoints(const QString &id) const
{
    return send<CheckpointListJob>(ApiRequest::get(kSandboxes + u"/checkpoints"_s).query(u"id"_s, id));
}

RestoreJob *ApiClient::restoreCheckpoint(const QString &id, const QString &checkpointId) const
{
    Json body = idBody(id);
    body["checkpointId"] = toStd(checkpointId);
    return send<RestoreJob>(ApiRequest::post(kSandboxes + u"/checkpoints/restore"_s, body));
}

EventStream *ApiClient::createEventStream(QObject *parent) const
{
    return new EventStream(m_endpoint.baseUrl, m_endpoint.apiKey, parent);
}

} // namespace banata
