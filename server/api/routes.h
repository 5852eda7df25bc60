// SPDX-License-Identifier: MIT
#pragma once

#include "core/health.h"

#include <QString>

QT_BEGIN_NAMESPACE
class QObject;
class QThreadPool;
QT_END_NAMESPACE

namespace banata::server {

class BrowserService;
class ControlRegistry;
class EventHub;
class HandoffService;
class HttpServer;
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
    banata::Health health;
};

/// Host directory of a sandbox's /workspace.
QString workspaceDir(const ApiContext &ctx, const QString &sandboxId);

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

} // namespace banata::server
