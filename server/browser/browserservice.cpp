// SPDX-License-Identifier: MIT
#include "browserservice.h"

#include "browserservice_p.h"
#include "cdpconnection.h"
#include "cdpjson.h"

#include "server/control/controlregistry.h"
#include "server/events/eventhub.h"
#include "server/sandboxmanager.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QLoggingCategory>
#include <QPointer>
#include <QTimer>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcBrowser, "banata.server.browser.service", QtInfoMsg)

namespace banata::server {

namespace {
// Inside the sandbox: the profile lives in its home, so checkpoints capture cookies and storage.
constexpr auto kProfileInside = "/home/user/.config/banata-browser";
constexpr int kPortPollMs = 15;
constexpr int kStartTimeoutMs = 20000;

using Result = Expected<PreviewState, ApiError>;

ApiError browserError(int status, const QString &message, const QString &code)
{
    return {ApiError::Kind::Http, status, message, code, {}};
}

bool sandboxRuns(SandboxStatus status)
{
    return status == SandboxStatus::Ready || status == SandboxStatus::Active || status == SandboxStatus::Pausing ||
           status == SandboxStatus::Paused;
}
} // namespace

BrowserService::BrowserService(SandboxManager *sandboxes, EventHub *events, ControlRegistry *control,
                               QString baseUrl, QObject *parent)
    : QObject(parent)
    , m_sandboxes(sandboxes)
    , m_events(events)
    , m_control(control)
    , m_baseUrl(std::move(baseUrl))
{
    connect(m_sandboxes, &SandboxManager::statusChanged, this, &BrowserService::onSandboxStatus);
    connect(m_sandboxes, &SandboxManager::reattached, this, &BrowserService::onSandboxReattached);
    connect(m_control, &ControlRegistry::changed, this, [this](const QString &id, const ControlRegistry::State &) {
        if (Instance *inst = instance(id))
            changed(*inst);
    });
}

BrowserService::~BrowserService()
{
    for (const auto &inst : std::as_const(m_instances))
        delete inst->cdp;
}

BrowserService::Instance *BrowserService::instance(const QString &sandboxId) const
{
    const auto it = m_instances.constFind(sandboxId);
    return it == m_instances.cend() ? nullptr : it->get();
}

PreviewState BrowserService::state(const QString &sandboxId) const
{
    PreviewState state;
    if (const Instance *inst = instance(sandboxId))
        state = inst->state;
    else if (const auto sandbox = m_sandboxes->find(sandboxId);
             sandbox && sandbox->capabilities && sandbox->capabilities->browser &&
             sandbox->capabilities->browser->viewport)
        state.viewport = *sandbox->capabilities->browser->viewport;
    const ControlRegistry::State control = m_control->state(sandboxId);
    state.controlMode = ControlRegistry::toString(control.mode);
    state.controller = control.controller.isEmpty() ? std::nullopt : std::optional(control.controller);
    return state;
}

QUrl BrowserService::browserEndpoint(const QString &sandboxId) const
{
    const Instance *inst = instance(sandboxId);
    return inst && inst->state.status == u"running" ? inst->endpoint : QUrl();
}

QString BrowserService::profileDir(const QString &sandboxId) const
{
    return m_sandboxes->sandboxRoot(sandboxId) + u"/home/.config/banata-browser"_s;
}

bool BrowserService::hasBrowserCapability(const QString &sandboxId) const
{
    const auto sandbox = m_sandboxes->find(sandboxId);
    return sandbox && sandbox->capabilities && sandbox->capabilities->browser;
}

void BrowserService::onSandboxStatus(const Sandbox &sandbox, SandboxStatus previous)
{
    if (!sandboxRuns(sandbox.status)) {
        m_adoptOnResume.remove(sandbox.id);
        m_restartOnResume.remove(sandbox.id);
        stop(sandbox.id);
        return;
    }
    // Resumed after a server restart found it paused: its Chromium can answer now.
    const bool thawed = sandbox.status == SandboxStatus::Ready || sandbox.status == SandboxStatus::Active;
    if (thawed && m_restartOnResume.remove(sandbox.id)) {
        if (Instance *inst = instance(sandbox.id); inst && inst->state.status == u"crashed")
            startInstance(sandbox.id, {}, inst->crashes);
        return;
    }
    if (thawed && m_adoptOnResume.remove(sandbox.id) && !instance(sandbox.id)) {
        adopt(sandbox.id);
        return;
    }
    // Only the first readiness: Ready <-> Active flips with every command.
    const bool becameReady = sandbox.status == SandboxStatus::Ready &&
                             (previous == SandboxStatus::Queued || previous == SandboxStatus::Assigning);
    if (becameReady && sandbox.capabilities && sandbox.capabilities->browser && !instance(sandbox.id))
        start(sandbox.id, this, {});
}

void BrowserService::start(const QString &sandboxId, QObject *context, StateCallback done)
{
    if (auto refusal = m_sandboxes->checkAcceptsWork(sandboxId)) {
        if (done)
            done(Result::failure(*refusal));
        return;
    }
    StateCallback answer = [context = QPointer<QObject>(context), done](const auto &result) {
        if (context && done)
            done(result);
    };
    // Asked for: a browser that gave up after crashing gets a fresh count of restarts.
    m_restartOnResume.remove(sandboxId);
    startInstance(sandboxId, std::move(answer), 0);
}

void BrowserService::startInstance(const QString &sandboxId, StateCallback answer, int crashes)
{
    auto &slot = m_instances[sandboxId];
    if (slot && slot->state.status == u"running") {
        if (answer)
            answer(state(sandboxId));
        return;
    }
    if (slot && slot->state.status == u"starting") {
        if (answer)
            slot->waiters.append(std::move(answer));
        return;
    }
    // A restart after a crash keeps the size the window was given.
    const bool restarting = slot != nullptr;
    const Viewport previousViewport = restarting ? slot->state.viewport : Viewport{};
    if (slot) {
        delete slot->cdp;
        if (slot->restartTimer)
            slot->restartTimer->deleteLater();
    }
    slot = std::make_shared<Instance>();
    Instance &inst = *slot;
    inst.id = sandboxId;
    inst.generation = m_nextGeneration++;
    inst.crashes = crashes;
    inst.state = state(sandboxId);
    if (restarting)
        inst.state.viewport = previousViewport;
    inst.state.status = u"starting"_s;
    if (answer)
        inst.waiters.append(std::move(answer));
    changed(inst);
    launch(inst);
}

void BrowserService::launch(Instance &inst)
{
    armDeadline(inst, kStartTimeoutMs);
    // The cleanup after a crash kills every process that names the profile, this launch's shell
    // included: launch once it is done.
    if (m_cleanups.value(inst.id) > 0) {
        inst.launchAfterCleanup = true;
        return;
    }
    runLaunch(inst);
}

void BrowserService::runLaunch(Instance &inst)
{
    inst.launchAfterCleanup = false;
    // A profile left by a crashed Chromium keeps its singleton lock (a pid of another PID
    // namespace generation) and a stale port file: clear both, keep everything else.
    const QString profile = profileDir(inst.id);
    for (const char *stale : {"DevToolsActivePort", "SingletonLock", "SingletonSocket", "SingletonCookie"})
        QFile::remove(profile + u'/' + QLatin1StringView(stale));

    const Viewport viewport = inst.state.viewport;
    const QString profileInside = QLatin1StringView(kProfileInside);
    // The binary, not Debian's /usr/bin/chromium wrapper: that sources /etc/chromium.d, which the
    // sandbox's own /etc does not have. --no-sandbox: bubblewrap is the sandbox; Chromium's own
    // needs user namespaces bwrap has already used. setsid + & detaches it from the exec.
    // A Chromium that is still dying (after a crash or kill) would hand the new one over to
    // itself through the profile: end it first. By process name: the PID namespace holds only
    // this sandbox's processes, and this shell's own command line must not match.
    const QString command =
        u"pkill -KILL -x chromium; for i in $(seq 40); do pgrep -x chromium >/dev/null || break; sleep 0.05; done; "
        u"mkdir -p %1 && setsid /usr/lib/chromium/chromium --headless --no-sandbox --user-data-dir=%1 --remote-debugging-port=0 "
        u"--remote-allow-origins=* --window-size=%2,%3 --no-first-run --no-default-browser-check "
        u"--disable-dev-shm-usage --disable-gpu --mute-audio --password-store=basic --disable-extensions "
        u"--disable-background-networking --disable-component-update --disable-sync about:blank "
        u"> %1.log 2>&1 < /dev/null &"_s.arg(profileInside)
            .arg(viewport.width)
            .arg(viewport.height);
    ExecSpec spec;
    spec.argv = {u"sh"_s, u"-c"_s, command};
    spec.cwd = u"/home/user"_s;
    spec.timeoutMs = 10000;
    const QString id = inst.id;
    const quint64 generation = inst.generation;
    m_sandboxes->exec(id, spec, this, [this, id, generation](const ApiExpected<ExecResult> &result) {
        Instance *current = instance(id);
        if (!current || current->generation != generation)
            return;
        if (!result) {
            fail(*current, u"cannot start Chromium: "_s + result.error().message);
            return;
        }
        if (result->exitCode != 0) {
            fail(*current, u"cannot start Chromium (exit %1): %2"_s.arg(result->exitCode).arg(result->stderrText.left(500)));
            return;
        }
        pollPortFile(id, generation);
    });
}

void BrowserService::armDeadline(Instance &inst, int timeoutMs)
{
    if (inst.deadline) {
        inst.deadline->stop();
        inst.deadline->deleteLater();
    }
    auto *deadline = new QTimer(this);
    deadline->setSingleShot(true);
    inst.deadline = deadline;
    const QString id = inst.id;
    const quint64 generation = inst.generation;
    connect(deadline, &QTimer::timeout, this, [this, id, generation, timeoutMs, deadline] {
        deadline->deleteLater();
        Instance *current = instance(id);
        if (!current || current->generation != generation || current->state.status != u"starting")
            return;
        if (current->adopting) {
            abandonAdoption(*current, u"it did not answer within %1 s"_s.arg(timeoutMs / 1000));
            return;
        }
        QFile log(profileDir(id) + u".log"_s);
        const QString tail = log.open(QIODevice::ReadOnly) ? QString::fromUtf8(log.readAll().right(400)) : QString();
        fail(*current, u"Chromium did not start within %1 s. %2"_s.arg(timeoutMs / 1000).arg(tail.trimmed()));
    });
    deadline->start(timeoutMs);
}

QUrl BrowserService::devToolsEndpoint(const QString &sandboxId) const
{
    // Chromium writes "<port>\n<browser path>" once DevTools listens; the sandbox shares the
    // host's loopback, so the host reaches it directly.
    QFile file(profileDir(sandboxId) + u"/DevToolsActivePort"_s);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const QList<QByteArray> lines = file.readAll().split('\n');
    const int port = lines.value(0).trimmed().toInt();
    const QByteArray path = lines.value(1).trimmed();
    if (port <= 0 || !path.startsWith("/devtools/browser/"))
        return {};
    return QUrl(u"ws://127.0.0.1:%1%2"_s.arg(port).arg(QString::fromLatin1(path)));
}

void BrowserService::pollPortFile(const QString &sandboxId, quint64 generation)
{
    Instance *inst = instance(sandboxId);
    if (!inst || inst->generation != generation || inst->state.status != u"starting")
        return;
    if (const QUrl endpoint = devToolsEndpoint(sandboxId); endpoint.isValid()) {
        inst->endpoint = endpoint;
        connectCdp(*inst);
        return;
    }
    QTimer::singleShot(kPortPollMs, this, [this, sandboxId, generation] { pollPortFile(sandboxId, generation); });
}

void BrowserService::connectCdp(Instance &inst)
{
    inst.cdp = new CdpConnection(this);
    const QString id = inst.id;
    connect(inst.cdp, &CdpConnection::event, this,
            [this, id](const QString &method, const Json &params, const QString &sessionId) {
                onCdpEvent(id, method, params, sessionId);
            });
    connect(inst.cdp, &CdpConnection::closed, this, [this, id, cdp = inst.cdp](const QString &reason) {
        Instance *current = instance(id);
        if (!current || current->cdp != cdp)
            return;
        if (current->adopting) {
            abandonAdoption(*current, reason.isEmpty() ? u"connection closed"_s : reason);
            return;
        }
        const auto sandbox = m_sandboxes->find(id);
        if (sandbox && sandboxRuns(sandbox->status))
            fail(*current, u"Chromium exited or closed DevTools (%1)"_s.arg(reason.isEmpty() ? u"connection closed"_s : reason));
        else
            stop(id);
    });
    connect(inst.cdp, &CdpConnection::opened, this, [this, id, cdp = inst.cdp] {
        Instance *current = instance(id);
        if (!current || current->cdp != cdp)
            return;
        cdp->send(u"Target.setDiscoverTargets"_s, {{"discover", true}}, [this, id, cdp](bool, const Json &) {
            Instance *again = instance(id);
            if (again && again->cdp == cdp)
                attachActivePage(*again);
        });
    });
    inst.cdp->open(inst.endpoint);
}

void BrowserService::attachActivePage(Instance &inst)
{
    const QString id = inst.id;
    CdpConnection *cdp = inst.cdp;
    if (inst.pages.isEmpty()) {
        // Discovery reports existing targets before answering; none means no tab: open one.
        cdp->send(u"Target.createTarget"_s, {{"url", "about:blank"}}, {});
        return; // targetCreated brings us back here
    }
    const QString target = inst.pages.constLast();
    if (target == inst.activeTarget && !inst.activeSession.isEmpty())
        return;
    inst.activeTarget = target;
    inst.activeSession.clear();
    cdp->send(u"Target.attachToTarget"_s, {{"targetId", toStd(target)}, {"flatten", true}},
              [this, id, cdp, target](bool ok, const Json &result) {
                  Instance *current = instance(id);
                  if (!current || current->cdp != cdp || current->activeTarget != target)
                      return;
                  if (!ok) {
                      qCWarning(lcBrowser).noquote() << id << "cannot attach to page" << target;
                      return;
                  }
                  current->activeSession = fromStd(cdpString(result, "sessionId"));
                  // Page events tell when a load finished: the moment the title is final.
                  cdp->send(u"Page.enable"_s, Json::object(), {}, current->activeSession);
                  if (current->state.status == u"starting" && current->adopting)
                      finishAdoption(*current);
                  else if (current->state.status == u"starting")
                      becomeRunning(*current);
              });
}

void BrowserService::onCdpEvent(const QString &sandboxId, const QString &method, const Json &params,
                                const QString &sessionId)
{
    Instance *inst = instance(sandboxId);
    if (!inst)
        return;
    const Json &info = cdpObject(params, "targetInfo");
    const std::string infoTarget = cdpString(info, "targetId");
    const QString targetId = fromStd(infoTarget.empty() ? cdpString(params, "targetId") : infoTarget);
    const bool isPage = cdpString(info, "type") == "page";
    if (method == u"Target.targetCreated" && isPage) {
        // A new tab becomes the active one: that is what a person watching expects to see.
        inst->pages.removeAll(targetId);
        inst->pages.append(targetId);
        attachActivePage(*inst);
    } else if (method == u"Target.targetDestroyed") {
        inst->pages.removeAll(targetId);
        if (targetId == inst->activeTarget) {
            inst->activeTarget.clear();
            inst->activeSession.clear();
            if (inst->cdp)
                attachActivePage(*inst);
        }
    }
    if ((method == u"Page.loadEventFired" || method == u"Page.domContentEventFired" ||
         method == u"Page.navigatedWithinDocument") &&
        sessionId == inst->activeSession && inst->cdp) {
        // targetInfoChanged does not always follow a title set while parsing: ask.
        inst->cdp->send(u"Target.getTargetInfo"_s, {{"targetId", toStd(inst->activeTarget)}},
                        [this, sandboxId](bool ok, const Json &result) {
                            if (ok)
                                onCdpEvent(sandboxId, u"Target.targetInfoChanged"_s, result, {});
                        });
        return;
    }
    if ((method == u"Target.targetCreated" || method == u"Target.targetInfoChanged") && isPage &&
        targetId == inst->activeTarget) {
        const QString url = fromStd(cdpString(info, "url"));
        const QString title = fromStd(cdpString(info, "title"));
        if (url != inst->state.url || title != inst->state.title) {
            inst->state.url = url;
            inst->state.title = title;
            changed(*inst);
        }
    }
}

void BrowserService::becomeRunning(Instance &inst)
{
    if (inst.deadline)
        inst.deadline->deleteLater();
    inst.adopting = false;
    inst.runningSince = QDateTime::currentMSecsSinceEpoch();
    inst.state.status = u"running"_s;
    inst.state.error.reset();
    inst.state.cdpUrl = QString(m_baseUrl).replace(u"http://"_s, u"ws://"_s) + u"/v1/sandboxes/cdp?id="_s + inst.id;
    qCInfo(lcBrowser).noquote() << inst.id << "Chromium runs at" << inst.endpoint.toString();
    m_events->publish(u"sandbox.browser.ready"_s, inst.id, {{"cdpUrl", toStd(*inst.state.cdpUrl)}});
    changed(inst);
    const PreviewState current = state(inst.id);
    for (const StateCallback &waiter : std::exchange(inst.waiters, {}))
        waiter(current);
}

void BrowserService::fail(Instance &inst, const QString &reason)
{
    qCWarning(lcBrowser).noquote() << inst.id << reason;
    if (inst.deadline)
        inst.deadline->deleteLater();
    if (inst.cdp) {
        inst.cdp->deleteLater();
        inst.cdp = nullptr;
    }
    cleanUpAfterCrash(inst.id);
    inst.adopting = false;
    inst.launchAfterCleanup = false;
    inst.generation = m_nextGeneration++;
    // A browser that ran (or that we were bringing back) was wanted: start it again by itself,
    // backing off while it keeps crashing. One that never came up is the caller's to retry.
    QString shown = reason;
    Json failure = {{"reason", toStd(reason)}};
    if (inst.runningSince > 0 || inst.crashes > 0) {
        const int delayMs = scheduleRestart(inst);
        if (delayMs >= 0) {
            shown += u"; starting it again in %1 s"_s.arg(double(delayMs) / 1000.0);
            failure["restartInMs"] = delayMs;
        } else {
            shown += u"; it crashed %1 times in a row, so it is not started again by itself (preview/start starts it)"_s
                         .arg(inst.crashes);
        }
        failure["crashes"] = inst.crashes;
        failure["reason"] = toStd(shown);
    }
    inst.runningSince = 0;
    inst.state.status = u"crashed"_s;
    inst.state.error = shown;
    inst.state.cdpUrl.reset();
    inst.endpoint.clear();
    inst.pages.clear();
    inst.activeTarget.clear();
    inst.activeSession.clear();
    m_events->publish(u"sandbox.browser.failed"_s, inst.id, failure);
    changed(inst);
    const ApiError error = browserError(502, reason, u"BROWSER_FAILED"_s);
    for (const StateCallback &waiter : std::exchange(inst.waiters, {}))
        waiter(Result::failure(error));
}

void BrowserService::stop(const QString &sandboxId)
{
    const auto inst = m_instances.take(sandboxId);
    if (!inst)
        return;
    delete inst->cdp;
    inst->cdp = nullptr;
    if (inst->deadline)
        inst->deadline->deleteLater();
    if (inst->restartTimer)
        inst->restartTimer->deleteLater();
    const ApiError error = browserError(409, u"The sandbox stopped before its browser started"_s, u"SANDBOX_NOT_READY"_s);
    for (const StateCallback &waiter : std::exchange(inst->waiters, {}))
        waiter(Result::failure(error));
    emit stateChanged(sandboxId, state(sandboxId));
}

void BrowserService::changed(Instance &inst)
{
    inst.state.updatedAt = QDateTime::currentMSecsSinceEpoch();
    const PreviewState current = state(inst.id);
    m_events->publish(u"sandbox.preview.updated"_s, inst.id, current.toJson());
    emit stateChanged(inst.id, current);
}

} // namespace banata::server
