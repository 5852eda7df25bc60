// SPDX-License-Identifier: MIT
#include "serverapp.h"

#include "api/auth.h"
#include "api/routes.h"
#include "artifacts/artifactservice.h"
#include "browser/browserservice.h"
#include "control/controlregistry.h"
#include "documents/documentservice.h"
#include "events/eventhub.h"
#include "handoff/handoffservice.h"
#include "http/httpserver.h"
#include "runtime/freezer.h"
#include "sandboxmanager.h"
#include "store/store.h"
#include "tasks/taskservice.h"
#include "webhooks/webhookservice.h"
#include "workspace/archivestore.h"
#include "workspace/checksumcache.h"
#include "workspace/workspacewatcher.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QLoggingCategory>
#include <QSaveFile>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcServerApp, "banata.server.app", QtInfoMsg)

namespace banata::server {

namespace {
const QStringList kExtensions = {
    u"pause"_s,    u"resume"_s,         u"fs.download"_s, u"fs.upload"_s, u"checkpoints"_s,
    u"events"_s,   u"events.history"_s, u"sandboxes.list"_s, u"health"_s,
    u"handoff"_s,  u"handoff.list"_s,   u"tasks"_s,
    u"preview"_s,  u"cdp"_s,            u"viewer"_s,
    u"webhooks"_s, u"fs.archive"_s,     u"fs.checksum"_s,
};
} // namespace

ServerApp::ServerApp(ServerOptions options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
{
    m_ioPool.setMaxThreadCount(std::max(2, QThread::idealThreadCount()));
    m_heavyPool.setMaxThreadCount(2);
}

ServerApp::~ServerApp()
{
    // Routes hold raw pointers into the manager and hub: stop serving before they go.
    delete m_http;
    // The browser service follows the manager's signals and owns CDP connections: before it.
    delete m_browser;
    m_ioPool.waitForDone();
    m_heavyPool.waitForDone();
    delete m_sandboxes;
    // Writes to the store while it unwinds and listens to the hub: before both.
    delete m_webhooks;
    delete m_events;
}

bool ServerApp::prepareDataDir(QString *error)
{
    QDir dir;
    if (!dir.mkpath(m_options.dataDir)) {
        *error = u"cannot create the data directory %1"_s.arg(m_options.dataDir);
        return false;
    }
    // The directory holds the API key, sandbox env (secrets) and workspaces: owner only.
    QFile::setPermissions(m_options.dataDir, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    m_lock = std::make_unique<QLockFile>(m_options.dataDir + u"/server.lock"_s);
    m_lock->setStaleLockTime(0);
    if (!m_lock->tryLock(0)) {
        qint64 pid = 0;
        QString host, app;
        m_lock->getLockInfo(&pid, &host, &app);
        *error = u"another banata-local (pid %1) is already using %2"_s.arg(pid).arg(m_options.dataDir);
        return false;
    }
    return true;
}

bool ServerApp::start(QString *error)
{
    if (!prepareDataDir(error))
        return false;
    auto key = loadOrCreateApiKey(m_options.dataDir, error);
    if (!key)
        return false;
    m_guard = std::make_unique<RequestGuard>(*key);
    m_guard->setRateLimit(m_options.rateLimitPerMinute, m_options.rateLimitBurst);

    m_store = std::make_unique<Store>();
    if (auto failure = m_store->open(m_options.dataDir + u"/banata.db"_s)) {
        *error = *failure;
        return false;
    }
    m_freezer = Freezer::detect(m_options.pauseMethod);
    if (!m_freezer) {
        *error = u"unknown pause method '%1' (auto, cgroup, signals)"_s.arg(m_options.pauseMethod);
        return false;
    }
    m_events = new EventHub(m_store.get());
    m_control = new ControlRegistry(this);
    // Listen first: sandboxes started during recovery are told the API's URL.
    m_http = new HttpServer();
    m_http->setGuard([guard = m_guard.get()](const HttpRequest &request) { return guard->check(request); });
    if (!m_http->listen(m_options.address, m_options.port)) {
        *error = u"cannot listen on %1:%2: %3"_s.arg(m_options.address.toString()).arg(m_options.port).arg(m_http->errorString());
        return false;
    }
    SandboxManager::Options managerOptions;
    managerOptions.sandboxesDir = m_options.dataDir + u"/sandboxes"_s;
    managerOptions.apiUrl = baseUrl();
    m_sandboxes = new SandboxManager(managerOptions, m_store.get(), m_events, m_freezer.get());
    m_guard->setSandboxes(m_sandboxes);
    m_browser = new BrowserService(m_sandboxes, m_events, m_control, baseUrl());
    m_handoffs = new HandoffService(m_store.get(), m_events, m_sandboxes, m_control, this);
    m_handoffs->setPreviewStatusSource([browser = m_browser](const QString &id) { return browser->state(id).status; });
    TaskService::Options taskOptions;
    taskOptions.agentCommand = m_options.agentCommand;
    taskOptions.timeoutMs = m_options.agentTimeoutMs;
    m_tasks = new TaskService(taskOptions, m_store.get(), m_events, m_sandboxes, this);
    WebhookPolicy webhookPolicy;
    webhookPolicy.retryBase = std::chrono::milliseconds(m_options.webhookRetryBaseMs);
    webhookPolicy.maxAttempts = m_options.webhookMaxAttempts;
    m_webhooks = new WebhookService(m_store.get(), m_events, webhookPolicy);
    // Before recovery publishes anything: every event from here on reaches the outbox.
    if (auto failure = m_webhooks->start()) {
        *error = *failure;
        return false;
    }
    // Kept outside every sandbox's directory: artifacts outlive restores and the sandbox itself.
    m_artifacts = new ArtifactService(m_options.dataDir + u"/artifacts"_s, m_store.get(), m_events, m_sandboxes,
                                      &m_ioPool, this);
    if (auto failure = m_artifacts->start()) {
        *error = *failure;
        return false;
    }
    m_documents = new DocumentService(DocumentService::locateSoffice(), m_sandboxes, m_artifacts, m_events,
                                      m_store.get(), &m_ioPool, this);
    m_checksums = std::make_unique<ChecksumCache>();
    // Staged folder zips, outside every sandbox's directory: a restore or a checkpoint never sees them.
    m_archives = new ArchiveStore(m_options.dataDir + u"/archives"_s, &m_ioPool, &m_heavyPool, this);
    m_watcher = new WorkspaceWatcher(this);
    followWorkspaces(); // before recover(): it brings sandboxes back through their states

    ApiContext ctx;
    ctx.sandboxes = m_sandboxes;
    ctx.events = m_events;
    ctx.store = m_store.get();
    ctx.ioPool = &m_ioPool;
    ctx.heavyPool = &m_heavyPool;
    ctx.owner = this;
    ctx.control = m_control;
    ctx.baseUrl = baseUrl();
    ctx.browser = m_browser;
    ctx.artifacts = m_artifacts;
    ctx.documents = m_documents;
    ctx.checksums = m_checksums.get();
    ctx.archives = m_archives;
    ctx.health.status = u"ok"_s;
    ctx.health.server = u"banata-local"_s;
    ctx.health.version = QStringLiteral(BANATA_VERSION);
    ctx.health.extensions = kExtensions;
    ctx.health.extensions.append(u"artifacts"_s);
    if (m_documents->available()) // only with LibreOffice on this host
        ctx.health.extensions.append(u"documents"_s);
    if (m_watcher->isAvailable())
        ctx.health.extensions.append(u"fs.watch"_s);
    ctx.health.pauseMethod = m_freezer->name();
    ctx.health.startedAt = QDateTime::currentMSecsSinceEpoch();
    registerSandboxRoutes(*m_http, ctx);
    registerExecRoutes(*m_http, ctx);
    registerFsRoutes(*m_http, ctx);
    registerTransferRoutes(*m_http, ctx);
    registerCheckpointRoutes(*m_http, ctx);
    registerEventRoutes(*m_http, ctx);
    registerPreviewRoutes(*m_http, ctx);
    registerViewerRoutes(*m_http, ctx);
    registerHandoffRoutes(*m_http, ctx, m_handoffs);
    registerTaskRoutes(*m_http, ctx, m_tasks);
    registerWebhookRoutes(*m_http, ctx, m_webhooks);
    registerArtifactRoutes(*m_http, ctx);
    registerDocumentRoutes(*m_http, ctx);
    registerArchiveRoutes(*m_http, ctx);
    // No request is served before the event loop runs, so routes are in place by then.
    m_sandboxes->recover();
    m_handoffs->recover();
    m_tasks->recover();
    writeServerInfo();
    qCInfo(lcServerApp).noquote() << "serving" << baseUrl() << "with pause method" << m_freezer->name();
    return true;
}

quint16 ServerApp::port() const
{
    return m_http ? m_http->port() : 0;
}

QString ServerApp::baseUrl() const
{
    const QString host = m_options.address.protocol() == QAbstractSocket::IPv6Protocol
                             ? u'[' + m_options.address.toString() + u']'
                             : m_options.address.toString();
    return u"http://%1:%2"_s.arg(host).arg(port());
}

void ServerApp::followWorkspaces()
{
    // Running sandboxes have their workspace watched; an ended one loses its staged archives.
    const auto follow = [this](const banata::Sandbox &sandbox) {
        switch (sandbox.status) {
        case SandboxStatus::Ready:
        case SandboxStatus::Active:
        case SandboxStatus::Pausing:
        case SandboxStatus::Paused:
            m_watcher->watch(sandbox.id, m_sandboxes->sandboxRoot(sandbox.id) + u"/workspace"_s);
            break;
        case SandboxStatus::Ended:
            m_archives->removeSandbox(sandbox.id);
            m_checksums->forget(sandbox.id);
            m_watcher->unwatch(sandbox.id);
            break;
        default:
            m_watcher->unwatch(sandbox.id);
            break;
        }
    };
    connect(m_sandboxes, &SandboxManager::statusChanged, m_watcher,
            [follow](const banata::Sandbox &sandbox, SandboxStatus) { follow(sandbox); });
    connect(m_sandboxes, &SandboxManager::reattached, m_watcher, follow);
    // What the API announced itself is not announced again by the watcher.
    connect(m_events, &EventHub::published, m_watcher, [watcher = m_watcher](const banata::Event &event) {
        if (event.type != u"sandbox.files.changed"_s || !event.data.is_object()
            || event.data.value("origin", std::string()) == "sandbox" || !event.data.contains("paths"))
            return;
        QStringList paths;
        for (const Json &path : event.data["paths"]) {
            if (path.is_string())
                paths.append(fromStd(path.get<std::string>()));
        }
        watcher->noteAnnounced(event.sandboxId, paths);
    });
    connect(m_watcher, &WorkspaceWatcher::changed, m_events,
            [events = m_events](const QString &id, const QStringList &paths, bool truncated) {
                Json list = Json::array();
                for (const QString &path : paths)
                    list.push_back(toStd(path));
                Json data = {{"paths", std::move(list)}, {"origin", "sandbox"}};
                if (truncated)
                    data["truncated"] = true;
                events->publish(u"sandbox.files.changed"_s, id, std::move(data));
            });
}

void ServerApp::writeServerInfo()
{
    // Lets a client (the desktop app, scripts) find a running server from its data directory.
    QSaveFile file(m_options.dataDir + u"/server.json"_s);
    if (!file.open(QIODevice::WriteOnly))
        return;
    const Json info = {{"url", toStd(baseUrl())},
                       {"pid", QCoreApplication::applicationPid()},
                       {"version", BANATA_VERSION},
                       {"apiKeyFile", toStd(m_options.dataDir + u"/api-key"_s)}};
    file.write(dumpJson(info) + '\n');
    file.commit();
}

} // namespace banata::server
