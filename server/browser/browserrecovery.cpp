// SPDX-License-Identifier: MIT
// BrowserService's recovery half: taking back the Chromium a previous server started in a
// sandbox that outlived it, ordering a new launch after the cleanup that follows a crash, and
// starting a crashed browser again by itself, backing off while it keeps crashing.
#include <QDateTime>
#include <QLoggingCategory>
#include <QTimer>

#include "browserservice.h"
#include "browserservice_p.h"
#include "cdpconnection.h"
#include "cdpjson.h"
#include "server/sandboxmanager.h"

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcBrowserRecovery, "banata.server.browser.recovery", QtInfoMsg)

namespace banata::server {

namespace {
// A live Chromium answers the handshake at once; one that does not is replaced.
constexpr int kAdoptTimeoutMs = 10000;
// A browser that crashes is started again by itself after 0.5 s, then 1, 2, 4 and 8 s while it
// keeps crashing; after that many crashes in a row it stays down (preview/start starts it).
// One that ran for a minute counts as healthy again.
constexpr int kFirstRestartDelayMs = 500;
constexpr int kMaxRestarts = 5;
constexpr qint64 kStableRunMs = 60000;
} // namespace

void BrowserService::onSandboxReattached(const Sandbox &sandbox)
{
    if (instance(sandbox.id))
        return; // already starting (the tree was restarted and became ready again)
    if (sandbox.status == SandboxStatus::Ready || sandbox.status == SandboxStatus::Active)
        adopt(sandbox.id);
    else if (sandbox.status == SandboxStatus::Paused || sandbox.status == SandboxStatus::Pausing)
        m_adoptOnResume.insert(sandbox.id); // a frozen Chromium would never finish the handshake
}

void BrowserService::adopt(const QString &sandboxId)
{
    // The port file of a Chromium that still runs names its DevTools endpoint; the browser path
    // carries that Chromium's own id, so a port reused by another process cannot be mistaken for it.
    const QUrl endpoint = devToolsEndpoint(sandboxId);
    if (!endpoint.isValid()) {
        if (hasBrowserCapability(sandboxId))
            start(sandboxId, this, {});
        return;
    }
    auto &slot = m_instances[sandboxId];
    slot = std::make_shared<Instance>();
    Instance &inst = *slot;
    inst.id = sandboxId;
    inst.generation = m_nextGeneration++;
    inst.state = state(sandboxId);
    inst.state.status = u"starting"_s;
    inst.adopting = true;
    inst.endpoint = endpoint;
    qCInfo(lcBrowserRecovery).noquote() << sandboxId << "taking back Chromium at" << endpoint.toString();
    changed(inst);
    armDeadline(inst, kAdoptTimeoutMs);
    connectCdp(inst);
}

void BrowserService::finishAdoption(Instance &inst)
{
    // The window keeps the size a previous server gave it; report that, not the default.
    const QString id = inst.id;
    CdpConnection *cdp = inst.cdp;
    cdp->send(u"Browser.getWindowForTarget"_s, {{"targetId", toStd(inst.activeTarget)}},
              [this, id, cdp](bool ok, const Json &result) {
                  Instance *current = instance(id);
                  if (!current || current->cdp != cdp || !current->adopting)
                      return;
                  const Json bounds = ok ? cdpObject(result, "bounds") : Json::object();
                  const int width = cdpInt(bounds, "width");
                  const int height = cdpInt(bounds, "height");
                  if (width > 0 && height > 0)
                      current->state.viewport = {width, height};
                  becomeRunning(*current);
              });
}

void BrowserService::abandonAdoption(Instance &inst, const QString &reason)
{
    qCInfo(lcBrowserRecovery).noquote() << inst.id << "cannot take back Chromium:" << reason;
    inst.adopting = false;
    if (inst.cdp) {
        inst.cdp->deleteLater();
        inst.cdp = nullptr;
    }
    inst.generation = m_nextGeneration++;
    inst.endpoint.clear();
    inst.pages.clear();
    inst.activeTarget.clear();
    inst.activeSession.clear();
    // Gone: a sandbox made with a browser (or a caller waiting for one) gets a new one, as at
    // its first start; otherwise nobody asked for a browser and it simply no longer runs.
    if (hasBrowserCapability(inst.id) || !inst.waiters.isEmpty()) {
        launch(inst);
        return;
    }
    if (inst.deadline)
        inst.deadline->deleteLater();
    inst.state.status = u"stopped"_s;
    inst.state.cdpUrl.reset();
    changed(inst);
}

void BrowserService::cleanUpAfterCrash(const QString &sandboxId)
{
    // Make sure no half-started Chromium lingers to hold the profile; a crash already ended it.
    // A start that comes meanwhile waits (launch()): this pattern matches its shell too.
    ++m_cleanups[sandboxId];
    ExecSpec spec;
    // The bracket keeps the pattern from matching this very shell's command line.
    spec.argv = {u"sh"_s, u"-c"_s,
                 u"pkill -KILL -f -- '--user-data-dir=/home/user/.config/banata-browse[r]' || true"_s};
    m_sandboxes->exec(sandboxId, spec, this, [this, sandboxId](const ApiExpected<ExecResult> &result) {
        if (!result)
            qCInfo(lcBrowserRecovery).noquote() << sandboxId << "crash cleanup:" << result.error().message;
        if (--m_cleanups[sandboxId] > 0)
            return;
        m_cleanups.remove(sandboxId);
        Instance *inst = instance(sandboxId);
        if (inst && inst->launchAfterCleanup && inst->state.status == u"starting")
            runLaunch(*inst);
    });
}

int BrowserService::scheduleRestart(Instance &inst)
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const bool ranLong = inst.runningSince > 0 && now - inst.runningSince >= kStableRunMs;
    inst.crashes = ranLong ? 1 : inst.crashes + 1;
    if (inst.crashes > kMaxRestarts) {
        qCWarning(lcBrowserRecovery).noquote() << inst.id << "Chromium crashed" << inst.crashes
                                               << "times in a row; not starting it again by itself";
        return -1;
    }
    const int delayMs = kFirstRestartDelayMs << (inst.crashes - 1);
    auto *timer = new QTimer(this);
    timer->setSingleShot(true);
    timer->setTimerType(Qt::PreciseTimer); // a coarse one may fire 5 % early: no sooner than said
    inst.restartTimer = timer;
    const QString id = inst.id;
    const quint64 generation = inst.generation;
    connect(timer, &QTimer::timeout, this, [this, id, generation, timer] {
        timer->deleteLater();
        Instance *current = instance(id);
        if (!current || current->generation != generation || current->state.status != u"crashed")
            return;
        const auto sandbox = m_sandboxes->find(id);
        if (!sandbox)
            return;
        if (sandbox->status == SandboxStatus::Paused || sandbox->status == SandboxStatus::Pausing) {
            m_restartOnResume.insert(id); // nothing can start in a frozen sandbox
            return;
        }
        if (m_sandboxes->checkAcceptsWork(id))
            return; // ending or ended: the browser goes with it
        qCInfo(lcBrowserRecovery).noquote() << id << "starting Chromium again after crash" << current->crashes;
        startInstance(id, {}, current->crashes);
    });
    timer->start(delayMs);
    return delayMs;
}

} // namespace banata::server
