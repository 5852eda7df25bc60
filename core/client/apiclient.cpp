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

ApiRequest listRequest(const SandboxListQuery &query)
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
    return request;
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
    return send<SandboxPageJob>(listRequest(query));
}

SandboxPollJob *ApiClient::pollSandboxes(const SandboxListQuery &query, const QByteArray &etag) const
{
    auto *job = new SandboxPollJob(m_endpoint, listRequest(query), etag);
    job->start();
    return job;
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

DownloadJob *ApiClient::downloadArchive(const QString &id, const QString &path, QIODevice *sink,
                                        const DownloadJob::Resume &resume) const
{
    auto *job = new DownloadJob(m_endpoint,
                                ApiRequest::get(kSandboxes + u"/fs/archive"_s).query(u"id"_s, id).query(u"path"_s, path),
                                sink, resume);
    job->start();
    return job;
}

DownloadJob *ApiClient::downloadUrl(const QUrl &url, QIODevice *sink, const DownloadJob::Resume &resume) const
{
    auto *job = new DownloadJob(m_endpoint, ApiRequest::getUrl(url), sink, resume);
    job->start();
    return job;
}

ChecksumJob *ApiClient::checksum(const QString &id, const QString &path) const
{
    return send<ChecksumJob>(ApiRequest::get(kSandboxes + u"/fs/checksum"_s).query(u"id"_s, id).query(u"path"_s, path));
}

ArtifactListJob *ApiClient::artifacts(const QString &id) const
{
    return send<ArtifactListJob>(ApiRequest::get(kSandboxes + u"/artifacts"_s).query(u"id"_s, id));
}

ArtifactJob *ApiClient::publishArtifact(const PublishArtifactRequest &request) const
{
    return send<ArtifactJob>(ApiRequest::post(kSandboxes + u"/artifacts"_s, request.toJson()));
}

ArtifactUrlJob *ApiClient::artifactDownloadUrl(const QString &id, const QString &key, qint64 ttlMs) const
{
    ApiRequest request = ApiRequest::get(kSandboxes + u"/artifacts/download-url"_s).query(u"id"_s, id).query(u"key"_s, key);
    if (ttlMs > 0)
        request.query(u"ttlMs"_s, QString::number(ttlMs));
    return send<ArtifactUrlJob>(std::move(request));
}

DocumentJob *ApiClient::convertDocument(const ConvertDocumentRequest &request) const
{
    // The server answers only when LibreOffice is done; a cold start alone can take two minutes.
    constexpr auto kConversionWait = std::chrono::milliseconds(3min);
    return send<DocumentJob>(ApiRequest::post(kSandboxes + u"/documents/convert"_s, request.toJson())
                                 .timeout(std::max(m_endpoint.timeout, kConversionWait)));
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

PreviewJob *ApiClient::preview(const QString &id) const
{
    return send<PreviewJob>(ApiRequest::get(kSandboxes + u"/preview"_s).query(u"id"_s, id));
}

PreviewJob *ApiClient::startPreview(const QString &id) const
{
    return send<PreviewJob>(ApiRequest::post(kSandboxes + u"/preview/start"_s, idBody(id)));
}

PreviewJob *ApiClient::navigatePreview(const QString &id, const QString &url) const
{
    Json body = idBody(id);
    body["url"] = toStd(url);
    return send<PreviewJob>(ApiRequest::post(kSandboxes + u"/preview/navigate"_s, body));
}

PreviewJob *ApiClient::resizePreview(const QString &id, int width, int height) const
{
    Json body = idBody(id);
    body["width"] = width;
    body["height"] = height;
    return send<PreviewJob>(ApiRequest::post(kSandboxes + u"/preview/resize"_s, body));
}

ViewerUrlJob *ApiClient::previewViewerUrl(const QString &id, qint64 ttlMs) const
{
    ApiRequest request = ApiRequest::get(kSandboxes + u"/preview/viewer"_s).query(u"id"_s, id);
    if (ttlMs > 0)
        request.query(u"ttlMs"_s, QString::number(ttlMs));
    return send<ViewerUrlJob>(std::move(request));
}

HandoffJob *ApiClient::requestHandoff(const HandoffRequest &request) const
{
    return send<HandoffJob>(ApiRequest::post(kSandboxes + u"/handoff/request"_s, request.toJson()));
}

HandoffJob *ApiClient::handoff(const QString &id, const QString &requestId) const
{
    ApiRequest request = ApiRequest::get(kSandboxes + u"/handoff"_s).query(u"id"_s, id);
    if (!requestId.isEmpty())
        request.query(u"requestId"_s, requestId);
    return send<HandoffJob>(std::move(request));
}

HandoffListJob *ApiClient::handoffs(const QString &id) const
{
    return send<HandoffListJob>(ApiRequest::get(kSandboxes + u"/handoff"_s).query(u"id"_s, id).query(u"all"_s, u"1"_s));
}

PendingHandoffListJob *ApiClient::activeHandoffs() const
{
    return send<PendingHandoffListJob>(
        ApiRequest::get(kSandboxes + u"/handoffs"_s).query(u"status"_s, u"pending,accepted"_s));
}

HandoffJob *ApiClient::acceptHandoff(const QString &id, const QString &controller, const QString &requestId) const
{
    Json body = idBody(id);
    body["controller"] = toStd(controller);
    if (!requestId.isEmpty())
        body["requestId"] = toStd(requestId);
    return send<HandoffJob>(ApiRequest::post(kSandboxes + u"/handoff/accept"_s, body));
}

HandoffJob *ApiClient::completeHandoff(const QString &id, const QString &outcome, const std::optional<QString> &note,
                                       const QString &requestId) const
{
    Json body = idBody(id);
    body["outcome"] = toStd(outcome);
    if (note)
        body["note"] = toStd(*note);
    if (!requestId.isEmpty())
        body["requestId"] = toStd(requestId);
    return send<HandoffJob>(ApiRequest::post(kSandboxes + u"/handoff/complete"_s, body));
}

HandoffJob *ApiClient::cancelHandoff(const QString &id, const std::optional<QString> &reason,
                                     const QString &requestId) const
{
    Json body = idBody(id);
    if (reason)
        body["reason"] = toStd(*reason);
    if (!requestId.isEmpty())
        body["requestId"] = toStd(requestId);
    return send<HandoffJob>(ApiRequest::post(kSandboxes + u"/handoff/cancel"_s, body));
}

TaskJob *ApiClient::prompt(const QString &id, const QString &text, const Json &metadata,
                           std::chrono::milliseconds wait) const
{
    PromptRequest request{id, text, false, metadata};
    // The answer comes when the agent ends; a retry would run the prompt twice.
    return send<TaskJob>(ApiRequest::post(kSandboxes + u"/opencode/prompt"_s, request.toJson())
                             .timeout(std::max(m_endpoint.timeout, wait))
                             .idempotent(false));
}

TaskJob *ApiClient::promptAsync(const QString &id, const QString &text, const Json &metadata) const
{
    PromptRequest request{id, text, true, metadata};
    return send<TaskJob>(ApiRequest::post(kSandboxes + u"/opencode/prompt"_s, request.toJson()).idempotent(false));
}

TaskListJob *ApiClient::tasks(const QString &id) const
{
    return send<TaskListJob>(ApiRequest::get(kSandboxes + u"/tasks"_s).query(u"id"_s, id));
}

TaskJob *ApiClient::task(const QString &id, const QString &taskId) const
{
    return send<TaskJob>(ApiRequest::get(kSandboxes + u"/tasks"_s).query(u"id"_s, id).query(u"taskId"_s, taskId));
}

WebhookJob *ApiClient::createWebhook(const CreateWebhookRequest &request) const
{
    return send<WebhookJob>(ApiRequest::post(u"/v1/webhooks"_s, request.toJson()));
}

WebhookListJob *ApiClient::webhooks() const
{
    return send<WebhookListJob>(ApiRequest::get(u"/v1/webhooks"_s));
}

WebhookDeleteJob *ApiClient::deleteWebhook(const QString &webhookId) const
{
    return send<WebhookDeleteJob>(ApiRequest::del(u"/v1/webhooks"_s).query(u"id"_s, webhookId));
}

WebhookDeliveryListJob *ApiClient::webhookDeliveries(const QString &webhookId, int limit) const
{
    return send<WebhookDeliveryListJob>(ApiRequest::get(u"/v1/webhooks/deliveries"_s)
                                            .query(u"id"_s, webhookId)
                                            .query(u"limit"_s, QString::number(limit)));
}

EventPageJob *ApiClient::sandboxEvents(const QString &id, std::optional<qint64> before, int limit) const
{
    ApiRequest request = ApiRequest::get(kSandboxes + u"/events"_s).query(u"id"_s, id);
    if (before)
        request.query(u"before"_s, QString::number(*before));
    request.query(u"limit"_s, QString::number(limit));
    return send<EventPageJob>(std::move(request));
}

EventStream *ApiClient::createEventStream(QObject *parent) const
{
    return new EventStream(m_endpoint.baseUrl, m_endpoint.apiKey, parent);
}

} // namespace banata
