// SPDX-License-Identifier: MIT
#pragma once

#include "core/health.h"

#include <QString>

#include <optional>

QT_BEGIN_NAMESPACE
class QObject;
class QThreadPool;
QT_END_NAMESPACE

namespace banata::server {

class ArchiveStore;
class ArtifactService;
class BrowserService;
class ChecksumCache;
class ControlRegistry;
class DocumentService;
class EventHub;
class HandoffService;
class HttpResponder;
class HttpServer;
struct HttpRequest;
class SandboxManager;
class Store;
class WebhookService;
class TaskService;

/// What the route handlers work with; everything outlives the HTTP server.
struct ApiContext
{
    SandboxManager *sandboxes = nullptr;
    EventHub *events = nullptr;
    Store *store = nullptr;
    QThreadPool *ioPool = nullptr;    // file operations (listing, reading, writing)
    QThreadPool *heavyPool = nullptr; // checkpoint copies, so they never starve file requests
    QObject *owner = nullptr;         // context of asynchronous completions
    ControlRegistry *control = nullptr; // the handoff lease per sandbox (who may drive the browser)
    QString baseUrl;                    // this server's URL, e.g. http://127.0.0.1:8787
    BrowserService *browser = nullptr;  // Chromium per sandbox: preview, CDP proxy, viewer
    ArtifactService *artifacts = nullptr; // durable outputs kept outside the workspaces
    DocumentService *documents = nullptr; // headless LibreOffice conversions inside sandboxes
    ChecksumCache *checksums = nullptr;   // SHA-256 of workspace files by (sandbox, path, ETag)
    ArchiveStore *archives = nullptr;     // folder zips staged under <data>/archives
    banata::Health health;
};

/// Host directory of a sandbox's /workspace.
QString workspaceDir(const ApiContext &ctx, const QString &sandboxId);

/// `?id=&path=` of a route that reads a sandbox's files.
struct FileReadTarget
{
    QString id;
    QString path;
};
/// Both parameters present and the sandbox in a state that allows reads; otherwise responds
/// (400, 404, 409) and returns nullopt.
std::optional<FileReadTarget> requireFileRead(const ApiContext &ctx, const HttpRequest &request,
                                              HttpResponder &responder);

void registerSandboxRoutes(HttpServer &http, const ApiContext &ctx);
void registerExecRoutes(HttpServer &http, const ApiContext &ctx);
void registerFsRoutes(HttpServer &http, const ApiContext &ctx);
void registerTransferRoutes(HttpServer &http, const ApiContext &ctx);
void registerCheckpointRoutes(HttpServer &http, const ApiContext &ctx);
void registerEventRoutes(HttpServer &http, const ApiContext &ctx);
void registerWebhookRoutes(HttpServer &http, const ApiContext &ctx, WebhookService *webhooks);
void registerPreviewRoutes(HttpServer &http, const ApiContext &ctx);
void registerViewerRoutes(HttpServer &http, const ApiContext &ctx);
void registerHandoffRoutes(HttpServer &http, const ApiContext &ctx, HandoffService *handoffs);
void registerTaskRoutes(HttpServer &http, const ApiContext &ctx, TaskService *tasks);
void registerArtifactRoutes(HttpServer &http, const ApiContext &ctx);
void registerDocumentRoutes(HttpServer &http, const ApiContext &ctx);
void registerArchiveRoutes(HttpServer &http, const ApiContext &ctx);

} // namespace banata::server
