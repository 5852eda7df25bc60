// SPDX-License-Identifier: MIT
#include "serverapp.h"

#include "api/auth.h"
#include "api/routes.h"
#include "browser/browserservice.h"
#include "control/controlregistry.h"
#include "events/eventhub.h"
#include "handoff/handoffservice.h"
#include "http/httpserver.h"
#include "runtime/freezer.h"
#include "sandboxmanager.h"
#include "store/store.h"
#include "tasks/taskservice.h"
#include "webhooks/webhookservice.h"

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
    u"webhooks"_s,
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
    ctx.health.status = u"ok"_s;
    ctx.health.server = u"banata-local"_s;
    ctx.health.version = QStringLiteral(BANATA_VERSION);
    ctx.health.extensions = kExtensions;
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
