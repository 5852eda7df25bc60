// SPDX-License-Identifier: MIT
#pragma once

#include <QHostAddress>
#include <QLockFile>
#include <QObject>
#include <QThreadPool>

#include <memory>

namespace banata::server {

class ControlRegistry;
class EventHub;
class Freezer;
class HttpServer;
class RequestGuard;
class SandboxManager;
class Store;

/// What banata-local is started with (its command line).
struct ServerOptions
{
    QString dataDir;
    QHostAddress address = QHostAddress::LocalHost;
    quint16 port = 8787;
    QString pauseMethod = QStringLiteral("auto"); // auto | cgroup | signals
    int rateLimitPerMinute = 0;                   // 0: no limit
    int rateLimitBurst = 20;
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
    HttpServer *m_http = nullptr;
};

} // namespace banata::server
