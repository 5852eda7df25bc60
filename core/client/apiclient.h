// SPDX-License-Identifier: MIT
#pragma once

#include "core/client/apijobs.h"
#include "core/client/apirequest.h"
#include "core/client/artifactjobs.h"
#include "core/client/handoffjobs.h"
#include "core/client/previewjobs.h"
#include "core/client/transferjobs.h"
#include "core/client/webhookjobs.h"

#include <QUrl>

class QIODevice;
class QNetworkAccessManager;
class QObject;

namespace banata {

class EventStream;

/**
 * The Banata API (banata-local, or the documented subset of the cloud): one method per route.
 *
 * Usage:
 *   ApiClient client(&network, QUrl(u"http://127.0.0.1:8787"_s), apiKey);
 *   SandboxJob *job = client.pauseSandbox(id);
 *   connect(job, &SandboxJob::finished, this, [this](const ApiResult<Sandbox> &result) {
 *       if (!result)
 *           return showError(result.error().displayText());
 *       updateRow(*result);
 *   });
 *
 * Contract: every method returns a job that is already started, has no parent, emits its typed
 * `finished` exactly once (asynchronously, never from inside the call) and then deletes itself.
 * Always connect with a context object so a receiver that dies first is never called. Keep a
 * QPointer to cancel: abort() reports Aborted; `delete job` cancels silently. The client is a
 * cheap value: it only holds the endpoint; jobs copy it, and the access manager (not owned) must
 * outlive them or they fail with a Network error. The API key is never logged.
 */
class ApiClient final
{
public:
    /// \a network must not be null for requests to succeed; \a baseUrl is absolute.
    ApiClient(QNetworkAccessManager *network, QUrl baseUrl, QString apiKey, RetryPolicy retry = {});

    const ApiEndpoint &endpoint() const { return m_endpoint; }
    QUrl baseUrl() const { return m_endpoint.baseUrl; }
    /// The longest wait with no bytes moving, per attempt; 30 s by default.
    void setTimeout(std::chrono::milliseconds timeout) { m_endpoint.timeout = timeout; }
    std::chrono::milliseconds timeout() const { return m_endpoint.timeout; }
    void setRetryPolicy(const RetryPolicy &retry) { m_endpoint.retry = retry; }
    const RetryPolicy &retryPolicy() const { return m_endpoint.retry; }

    HealthJob *health() const;

    SandboxJob *createSandbox(const CreateSandboxRequest &request) const;
    SandboxJob *sandbox(const QString &id) const;
    SandboxPageJob *listSandboxes(const SandboxListQuery &query = {}) const;
    /// The list as a conditional GET: pass the ETag of the previous poll (empty for the first);
    /// an unchanged list answers notModified without a body.
    SandboxPollJob *pollSandboxes(const SandboxListQuery &query, const QByteArray &etag) const;
    SandboxJob *killSandbox(const QString &id) const;
    SandboxJob *pauseSandbox(const QString &id) const;
    SandboxJob *resumeSandbox(const QString &id) const;

    /// The job waits for the command: with timeoutMs, that long plus a margin; without, 5 min.
    ExecJob *exec(const ExecRequest &request) const;
    ExecJob *runCode(const CodeRequest &request) const;

    FileListingJob *listFiles(const QString &id, const QString &path) const;
    FileContentJob *readFile(const QString &id, const QString &path) const;
    WriteJob *writeFile(const FileWriteRequest &request) const;
    /// See DownloadJob for the device and resume contract.
    DownloadJob *download(const QString &id, const QString &path, QIODevice *sink,
                          const DownloadJob::Resume &resume = {}) const;
    /// See UploadJob for the device contract.
    UploadJob *upload(const QString &id, const QString &path, QIODevice *source) const;
    /// A folder as one zip (`GET /v1/sandboxes/fs/archive`): staged by the server, so it resumes
    /// like a file and carries Repr-Digest. Same device and resume contract as download().
    DownloadJob *downloadArchive(const QString &id, const QString &path, QIODevice *sink,
                                 const DownloadJob::Resume &resume = {}) const;
    /// A pre-authorised absolute URL (an artifact's download URL): sent without the API key.
    DownloadJob *downloadUrl(const QUrl &url, QIODevice *sink, const DownloadJob::Resume &resume = {}) const;
    /// The SHA-256 of a workspace file as it is now (verifying a download).
    ChecksumJob *checksum(const QString &id, const QString &path) const;

    /// Artifacts (banata-api.md §7): list (newest first), keep a workspace file as one, and a
    /// short-lived download URL (\a ttlMs 0: the server's default).
    ArtifactListJob *artifacts(const QString &id) const;
    ArtifactJob *publishArtifact(const PublishArtifactRequest &request) const;
    ArtifactUrlJob *artifactDownloadUrl(const QString &id, const QString &key, qint64 ttlMs = 0) const;
    /// Converts a workspace document to PDF with headless LibreOffice (`documents` capability);
    /// the job waits up to 3 minutes.
    DocumentJob *convertDocument(const ConvertDocumentRequest &request) const;

    CheckpointJob *createCheckpoint(const QString &id, const std::optional<QString> &label = std::nullopt) const;
    CheckpointListJob *checkpoints(const QString &id) const;
    RestoreJob *restoreCheckpoint(const QString &id, const QString &checkpointId) const;

    /// The browser preview (banata-api.md §3.3): state, start (answers once Chromium runs),
    /// navigate, resize, and a short-lived viewer URL (\a ttlMs 0: the server's default).
    PreviewJob *preview(const QString &id) const;
    PreviewJob *startPreview(const QString &id) const;
    PreviewJob *navigatePreview(const QString &id, const QString &url) const;
    PreviewJob *resizePreview(const QString &id, int width, int height) const;
    ViewerUrlJob *previewViewerUrl(const QString &id, qint64 ttlMs = 0) const;

    /// Human handoff (banata-api.md §5). For accept/complete/cancel, \a requestId (optional)
    /// must name the active handoff, so a late click never ends a newer one.
    HandoffJob *requestHandoff(const HandoffRequest &request) const;
    /// The active handoff, else the newest; \a requestId picks one.
    HandoffJob *handoff(const QString &id, const QString &requestId = {}) const;
    HandoffListJob *handoffs(const QString &id) const;
    /// The pending and accepted handoffs of every sandbox, oldest request first (the inbox).
    PendingHandoffListJob *activeHandoffs() const;
    HandoffJob *acceptHandoff(const QString &id, const QString &controller, const QString &requestId = {}) const;
    /// \a outcome: "done", "failed" or "needs_info".
    HandoffJob *completeHandoff(const QString &id, const QString &outcome = QStringLiteral("done"),
                                const std::optional<QString> &note = std::nullopt, const QString &requestId = {}) const;
    HandoffJob *cancelHandoff(const QString &id, const std::optional<QString> &reason = std::nullopt,
                              const QString &requestId = {}) const;

    /// Agent tasks: prompt waits for the task to end (up to \a wait), promptAsync answers queued.
    TaskJob *prompt(const QString &id, const QString &text, const Json &metadata = Json::object(),
                    std::chrono::milliseconds wait = std::chrono::minutes(35)) const;
    TaskJob *promptAsync(const QString &id, const QString &text, const Json &metadata = Json::object()) const;
    TaskListJob *tasks(const QString &id) const;
    TaskJob *task(const QString &id, const QString &taskId) const;

    /// Webhooks (banata-api.md §6); only createWebhook's result carries the signing secret.
    WebhookJob *createWebhook(const CreateWebhookRequest &request) const;
    WebhookListJob *webhooks() const;
    WebhookDeleteJob *deleteWebhook(const QString &webhookId) const;
    /// Newest first; \a limit 1..1000.
    WebhookDeliveryListJob *webhookDeliveries(const QString &webhookId, int limit = 100) const;

    /// A sandbox's event history, newest first: events with seq < \a before (all without), at
    /// most \a limit (1..1000). Ask again with the page's nextBefore for older ones.
    EventPageJob *sandboxEvents(const QString &id, std::optional<qint64> before = std::nullopt, int limit = 200) const;

    /// A stream of `/v1/events` on this endpoint, not yet started, owned by \a parent.
    EventStream *createEventStream(QObject *parent) const;

    /// Starts any JSON job for a request built by hand (routes this class does not cover yet).
    template <typename Job>
    Job *send(ApiRequest request) const
    {
        auto *job = new Job(m_endpoint, std::move(request));
        job->start();
        return job;
    }

private:
    ApiEndpoint m_endpoint;
};

} // namespace banata
