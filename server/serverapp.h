// SPDX-License-Identifier: MIT
#pragma once

#include <QHostAddress>
#include <QLockFile>
#include <QObject>
#include <QThreadPool>

#include <memory>

namespace banata::server {

class ArchiveStore;
class ArtifactService;
class BrowserService;
class ChecksumCache;
class ControlRegistry;
class DocumentService;
class EventHub;
class Freezer;
class HandoffService;
class HttpServer;
class RequestGuard;
class SandboxManager;
class Store;
class TaskService;
class WebhookService;
class WorkspaceWatcher;

/// What banata-local is started with (its command line).
struct ServerOptions
{
    QString dataDir;
    QHostAddress address = QHostAddress::LocalHost;
    quint16 port = 8787;
    QString pauseMethod = QStringLiteral("auto"); // auto | cgroup | signals
    int rateLimitPerMinute = 0;                   // 0: no limit
    int rateLimitBurst = 20;
    QString agentCommand;                // run inside the sandbox per prompt; empty: none
    qint64 agentTimeoutMs = 30 * 60'000; // per agent task
    int webhookRetryBaseMs = 1000;       // first webhook retry wait; doubles per attempt
    int webhookMaxAttempts = 8;          // then a delivery is `failed`
};

/// The composition root of banata-local: data directory, store, sandboxes, events and routes.
class ServerApp final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ServerApp)

public:
    explicit ServerApp(ServerOptions options, QObject *parent = nullptr);
    ~ServerApp() override;

    /// Opens the data directory (one server per directory), recovers sandboxes and listens.
    bool start(QString *error);
    quint16 port() const;
    QString baseUrl() const;

private:
    bool prepareDataDir(QString *error);
    void writeServerInfo();
    void followWorkspaces();

    ServerOptions m_options;
    std::unique_ptr<QLockFile> m_lock;
    std::unique_ptr<Store> m_store;
    std::unique_ptr<Freezer> m_freezer;
    std::unique_ptr<RequestGuard> m_guard;
    QThreadPool m_ioPool;
    QThreadPool m_heavyPool;
    EventHub *m_events = nullptr;
    ControlRegistry *m_control = nullptr;
    SandboxManager *m_sandboxes = nullptr;
    BrowserService *m_browser = nullptr;
    HandoffService *m_handoffs = nullptr;
    TaskService *m_tasks = nullptr;
    WebhookService *m_webhooks = nullptr;
    ArtifactService *m_artifacts = nullptr; // children: deleted after the pools are drained
    DocumentService *m_documents = nullptr;
    ArchiveStore *m_archives = nullptr;      // children as well
    WorkspaceWatcher *m_watcher = nullptr;
    std::unique_ptr<ChecksumCache> m_checksums;
    HttpServer *m_http = nullptr;
};

} // namespace banata::server
