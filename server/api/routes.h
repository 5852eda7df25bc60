// SPDX-License-Identifier: MIT
#pragma once

#include "core/health.h"

#include <QString>

QT_BEGIN_NAMESPACE
class QObject;
class QThreadPool;
QT_END_NAMESPACE

namespace banata::server {

class ControlRegistry;
class EventHub;
class HttpServer;
class SandboxManager;
class Store;

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

} // namespace banata::server
