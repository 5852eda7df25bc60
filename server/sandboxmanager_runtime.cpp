// SPDX-License-Identifier: MIT
// The half of SandboxManager that drives process trees: start, re-attach, freeze holds, exec,
// kill, and recovery after a server restart.
#include "sandboxmanager.h"
#include "sandboxmanager_p.h"

#include "core/lifecycle.h"
#include "server/runtime/sandboxprocess.h"
#include "server/workspace/checkpointstore.h"
#include "server/workspace/uploadsink.h"

#include <QLoggingCategory>
#include <QThreadPool>

#include <ctime>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcSandboxRuntime, "banata.server.sandboxes.runtime", QtInfoMsg)

namespace banata::server {

using S = SandboxStatus;

namespace {
const QString kLostOnRestart = u"banata-local restarted and found this sandbox's processes gone (host reboot "
                               u"or crash); they were started again with the workspace intact"_s;
const QString kLostWhilePaused = u"banata-local restarted and found this paused sandbox's processes gone "
                                 u"(host reboot or crash); resume starts them again with the workspace intact"_s;
} // namespace

SandboxProcess *SandboxManager::createProcess(Entry &e)
{
    SandboxProcess::Config config;
    config.sandboxId = e.id();
    config.rootDir = sandboxRoot(e.id());
    config.env = e.record.env;
    config.env.insert(u"BANATA_SANDBOX_ID"_s, e.id());
    if (!m_options.apiUrl.isEmpty())
        config.env.insert(u"BANATA_API_URL"_s, m_options.apiUrl);
    config.hostname = u"sb-"_s + e.id().left(8);
    auto *process = new SandboxProcess(std::move(config), m_freezer, this);
    const QString id = e.id();
    connect(process, &SandboxProcess::lost, this, [this, id](const QString &reason) { onLost(id, reason); });
    return process;
}

void SandboxManager::enqueueStart(Entry &e)
{
    m_startQueue.append(e.id());
    pumpStartQueue();
}

void SandboxManager::pumpStartQueue()
{
    while (m_starting < m_options.maxConcurrentStarts && !m_startQueue.isEmpty()) {
        Entry *e = entry(m_startQueue.takeFirst());
        if (!e || e->status() != S::Queued)
            continue;
        transition(*e, S::Assigning);
        startProcess(*e, /*attach=*/false);
    }
}

void SandboxManager::startProcess(Entry &e, bool attach)
{
    if (!e.process)
        e.process = createProcess(e);
    e.starting = true;
    ++m_starting;
    const QString id = e.id();
    SandboxProcess *process = e.process;
    // One-shot: the process object emits started/failed once per start() or attach().
    auto connections = std::make_shared<QList<QMetaObject::Connection>>();
    auto disconnectAll = [connections] {
        for (const auto &c : std::as_const(*connections))
            QObject::disconnect(c);
    };
    connections->append(connect(process, &SandboxProcess::started, this, [this, id, attach, disconnectAll] {
        disconnectAll();
        onStarted(id, attach);
    }));
    connections->append(connect(process, &SandboxProcess::failed, this, [this, id, attach, disconnectAll](const QString &reason) {
        disconnectAll();
        onStartFailed(id, attach, reason);
    }));
    if (attach)
        process->attach();
    else
        process->start();
}

void SandboxManager::onStarted(const QString &id, bool attached)
{
    --m_starting;
    pumpStartQueue();
    Entry *e = entry(id);
    if (!e)
        return;
    e->starting = false;
    if (e->killRequested) {
        e->killRequested = false;
        finishKill(id);
        return;
    }
    if (acceptsWork(e->status()) && e->process && e->process->isPaused()) {
        // The previous server died between freezing (a checkpoint copy) and thawing: the record
        // says running, so running it is.
        e->process->resume(this, [id](const std::optional<QString> &error) {
            if (error)
                qCWarning(lcSandboxRuntime).noquote() << id << "could not thaw after re-attach:" << *error;
        });
    }
    switch (e->status()) {
    case S::Queued:
    case S::Assigning:
        if (e->status() == S::Queued)
            transition(*e, S::Assigning);
        transition(*e, S::Ready, e->record.sandbox.statusReason);
        break;
    case S::Active:
        transition(*e, S::Ready, u"banata-local restarted; commands that were running when it stopped were not "
                                 u"reported"_s);
        break;
    case S::Pausing:
    case S::Paused:
        // A re-attached tree that was paused is still frozen; freeze again to be sure (idempotent).
        e->freezeHolds = 0;
        e->frozen = e->thawing = false;
        freeze(*e, this, [this, id](const std::optional<ApiError> &error) {
            Entry *en = entry(id);
            if (!en)
                return;
            if (error)
                transition(*en, S::Failed, error->message);
            else if (en->status() == S::Pausing)
                transition(*en, S::Paused);
        });
        break;
    case S::Ending:
        finishKill(id);
        break;
    default:
        break;
    }
    answerReadyWaiters(*e, {});
    // Services take back what ran inside (the browser) once the state has settled.
    const Entry *settled = entry(id);
    if (attached && settled && !isTerminal(settled->status()) && settled->status() != S::Ending)
        emit reattached(settled->record.sandbox);
}

void SandboxManager::onStartFailed(const QString &id, bool attached, const QString &reason)
{
    --m_starting;
    Entry *e = entry(id);
    if (!e) {
        pumpStartQueue();
        return;
    }
    e->starting = false;
    qCWarning(lcSandboxRuntime).noquote() << id << (attached ? "re-attach failed:" : "start failed:") << reason;
    if (e->killRequested || e->status() == S::Ending) {
        e->killRequested = false;
        finishKill(id);
    } else if (!attached) {
        if (e->process) {
            e->process->deleteLater();
            e->process = nullptr;
        }
        transition(*e, S::Failed, u"Could not start the sandbox: "_s + reason);
    } else {
        // Whatever is left of the old tree (a dead daemon, processes nobody reaps) goes first, so
        // a fresh start never races it.
        e->starting = true;
        ++m_starting;
        SandboxProcess *remains = e->process;
        remains->stop(this, [this, id, remains](const std::optional<QString> &) {
            remains->deleteLater();
            --m_starting;
            if (Entry *en = entry(id)) {
                if (en->process == remains)
                    en->process = nullptr;
                en->starting = false;
                recoverWithoutTree(*en);
            }
            pumpStartQueue();
        });
        return;
    }
    pumpStartQueue();
    answerReadyWaiters(*e, reason);
}

void SandboxManager::recoverWithoutTree(Entry &e)
{
    if (e.killRequested || e.status() == S::Ending) {
        e.killRequested = false;
        finishKill(e.id());
        return;
    }
    switch (e.status()) {
    case S::Queued:
    case S::Assigning:
        startProcess(e, false);
        return;
    case S::Ready:
    case S::Active:
        transition(e, S::Assigning, kLostOnRestart);
        startProcess(e, false);
        return;
    case S::Pausing:
        transition(e, S::Paused, kLostWhilePaused);
        break;
    case S::Paused:
        e.record.sandbox.statusReason = kLostWhilePaused;
        persist(e);
        break;
    default:
        break;
    }
    answerReadyWaiters(e, kLostWhilePaused);
}

void SandboxManager::answerReadyWaiters(Entry &e, const QString &reason)
{
    const auto waiters = std::exchange(e.readyWaiters, {});
    for (const auto &waiter : waiters) {
        if (e.status() == S::Failed)
            waiter(ApiExpected<Sandbox>::failure(internalError(e.record.sandbox.statusReason.value_or(reason))));
        else
            waiter(e.record.sandbox);
    }
}

void SandboxManager::onLost(const QString &id, const QString &reason)
{
    Entry *e = entry(id);
    if (!e || e->starting)
        return;
    if (e->process) {
        e->process->deleteLater();
        e->process = nullptr;
    }
    e->frozen = e->thawing = false;
    e->freezeHolds = 0;
    if (e->status() == S::Ending) {
        finishKill(id);
        return;
    }
    if (!isTerminal(e->status()))
        transition(*e, S::Failed, u"The sandbox's processes ended unexpectedly: "_s + reason);
}

void SandboxManager::recover()
{
    const QList<SandboxRecord> records = m_store->loadSandboxes();
    for (const SandboxRecord &record : records) {
        auto e = std::make_shared<Entry>();
        e->record = record;
        m_entries.insert(record.sandbox.id, e);
    }
    // File times use the coarse clock: anything changed before this moment predates this server.
    struct timespec startedAt = {};
    ::clock_gettime(CLOCK_REALTIME_COARSE, &startedAt);
    const qint64 startedAtNs = qint64(startedAt.tv_sec) * 1000000000 + startedAt.tv_nsec;
    int attaching = 0;
    for (const auto &e : std::as_const(m_entries)) {
        if (isTerminal(e->status()))
            continue;
        ++attaching;
        const QString root = sandboxRoot(e->id());
        const CheckpointStore checkpoints(root);
        // Finishes a checkpoint restore the previous server died in the middle of.
        if (auto recovered = checkpoints.recover(); !recovered)
            qCWarning(lcSandboxRuntime).noquote() << e->id() << "checkpoint recovery:" << recovered.error().message;
        // Now, before any request can start a new checkpoint: a copy the previous server renamed
        // into place but never recorded (it died in between) is not a checkpoint.
        QStringList recorded;
        for (const Checkpoint &checkpoint : m_store->checkpoints(e->id()))
            recorded.append(checkpoint.id);
        if (auto discarded = checkpoints.discardUnrecorded(recorded); !discarded)
            qCWarning(lcSandboxRuntime).noquote() << e->id() << "checkpoint recovery:" << discarded.error().message;
        // What a killed server left half-written (partial checkpoint copies, uploads) goes in the
        // background: walking a large workspace or deleting a large copy takes a while.
        QThreadPool::globalInstance()->start([root, startedAtNs] {
            CheckpointStore(root).removeLeftovers();
            UploadSink::removeAbandoned(root + u"/workspace"_s, startedAtNs);
        });
        startProcess(*e, /*attach=*/true);
    }
    qCInfo(lcSandboxRuntime) << "recovered" << m_entries.size() << "sandboxes," << attaching << "live";
}

void SandboxManager::kill(const QString &id, QObject *context, SandboxCallback done)
{
    Entry *e = entry(id);
    if (!e)
        return done(ApiExpected<Sandbox>::failure(sandboxNotFound()));
    if (e->status() == S::Ending) {
        e->killWaiters.append(guarded(context, std::move(done)));
        return;
    }
    if (isTerminal(e->status()))
        return done(e->record.sandbox); // killing what has ended is a no-op, as DELETE should be
    e->killWaiters.append(guarded(context, std::move(done)));
    m_startQueue.removeAll(id);
    transition(*e, S::Ending);
    if (e->starting) {
        e->killRequested = true; // stopped once the start completes
        return;
    }
    finishKill(id);
}

void SandboxManager::finishKill(const QString &id)
{
    Entry *e = entry(id);
    if (!e)
        return;
    auto complete = [this, id] {
        Entry *en = entry(id);
        if (!en)
            return;
        if (en->process) {
            en->process->deleteLater();
            en->process = nullptr;
        }
        en->frozen = en->thawing = false;
        en->freezeHolds = 0;
        if (en->status() == S::Ending)
            transition(*en, S::Ended);
        removeFilesIfEphemeral(*en);
        const auto deferred = std::exchange(en->afterThaw, {}); // they now get "Sandbox has ended"
        for (const auto &run : deferred)
            run();
        const auto waiters = std::exchange(en->killWaiters, {});
        for (const auto &waiter : waiters)
            waiter(en->record.sandbox);
    };
    if (!e->process) {
        // No tree known (never started, or lost): make sure nothing is left behind anyway.
        e->process = createProcess(*e);
    }
    e->process->stop(this, [complete, id](const std::optional<QString> &error) {
        if (error)
            qCWarning(lcSandboxRuntime).noquote() << id << "stop reported:" << *error;
        complete();
    });
}

void SandboxManager::removeFilesIfEphemeral(Entry &e)
{
    if (!e.record.sandbox.ephemeral)
        return;
    if (e.fileHolds > 0) {
        e.removeFilesWhenFree = true;
        return;
    }
    e.removeFilesWhenFree = false;
    m_store->deleteCheckpoints(e.id());
    const QString root = sandboxRoot(e.id());
    QThreadPool::globalInstance()->start([root] { CheckpointStore::removeTree(root); });
}

void SandboxManager::retainFiles(const QString &id)
{
    if (Entry *e = entry(id))
        ++e->fileHolds;
}

void SandboxManager::releaseFiles(const QString &id)
{
    Entry *e = entry(id);
    if (e && --e->fileHolds == 0 && e->removeFilesWhenFree)
        removeFilesIfEphemeral(*e);
}

void SandboxManager::pause(const QString &id, QObject *context, SandboxCallback done)
{
    Entry *e = entry(id);
    if (!e)
        return done(ApiExpected<Sandbox>::failure(sandboxNotFound()));
    if (e->status() == S::Paused)
        return done(e->record.sandbox); // already there: pausing twice is harmless
    if (!canPause(e->status()))
        return done(ApiExpected<Sandbox>::failure(stateConflict(e->record.sandbox)));
    transition(*e, S::Pausing);
    // The manager, not the caller, is the context: the state must move on even if the caller left.
    freeze(*e, this, [this, id, done = guarded(context, std::move(done))](const std::optional<ApiError> &error) {
        Entry *en = entry(id);
        if (!en)
            return;
        if (error) {
            if (!isTerminal(en->status()) && en->status() != S::Ending)
                transition(*en, S::Failed, u"Pause failed: "_s + error->message);
            return done(ApiExpected<Sandbox>::failure(*error));
        }
        if (en->status() == S::Pausing)
            transition(*en, S::Paused);
        done(en->record.sandbox);
    });
}

void SandboxManager::resume(const QString &id, QObject *context, SandboxCallback done)
{
    Entry *e = entry(id);
    if (!e)
        return done(ApiExpected<Sandbox>::failure(sandboxNotFound()));
    if (acceptsWork(e->status()))
        return done(e->record.sandbox);
    if (!canResume(e->status()))
        return done(ApiExpected<Sandbox>::failure(stateConflict(e->record.sandbox)));
    if (!e->process || !e->process->isConnected()) {
        // The tree is gone (host reboot): start a fresh one on the same workspace.
        e->freezeHolds = 0;
        e->frozen = e->thawing = false;
        e->readyWaiters.append(guarded(context, std::move(done)));
        transition(*e, S::Assigning, e->record.sandbox.statusReason);
        startProcess(*e, false);
        return;
    }
    thaw(*e, this, [this, id, done = guarded(context, std::move(done))](const std::optional<ApiError> &error) {
        Entry *en = entry(id);
        if (!en)
            return;
        if (error) {
            transition(*en, S::Failed, u"Resume failed: "_s + error->message);
            return done(ApiExpected<Sandbox>::failure(*error));
        }
        if (en->status() == S::Paused) {
            transition(*en, S::Ready);
            if (en->work > 0)
                transition(*en, S::Active);
        }
        done(en->record.sandbox);
    });
}

void SandboxManager::holdFrozen(const QString &id, QObject *context, DoneCallback done)
{
    Entry *e = entry(id);
    if (!e)
        return done(sandboxNotFound());
    if (!e->process || !e->process->isConnected()) {
        if (e->status() == S::Paused)
            return done(std::nullopt); // nothing runs: already consistent
        return done(stateConflict(e->record.sandbox));
    }
    freeze(*e, this, [this, id, ctx = QPointer<QObject>(context), done = std::move(done)](const std::optional<ApiError> &error) {
        if (!ctx) {
            if (!error)
                releaseFrozen(id, this, {}); // the holder is gone: nobody would release it
            return;
        }
        done(error);
    });
}

void SandboxManager::releaseFrozen(const QString &id, QObject *context, DoneCallback done)
{
    Entry *e = entry(id);
    if (!e || e->freezeHolds == 0)
        return done ? done(std::nullopt) : void();
    thaw(*e, this, [done = done ? guarded(context, std::move(done)) : DoneCallback()](const std::optional<ApiError> &error) {
        if (done)
            done(error);
    });
}

void SandboxManager::freeze(Entry &e, QObject *context, DoneCallback done)
{
    ++e.freezeHolds;
    if (e.frozen && !e.thawing)
        return done(std::nullopt);
    e.freezeWaiters.append(guarded(context, std::move(done)));
    // While freezing, the waiter joins; while thawing, the thaw's end freezes again for it.
    if (!e.freezing && !e.thawing)
        startFreezing(e);
}

void SandboxManager::startFreezing(Entry &e)
{
    e.freezing = true;
    const QString id = e.id();
    e.process->pause(this, [this, id](const std::optional<QString> &error) {
        Entry *en = entry(id);
        if (!en)
            return;
        en->freezing = false;
        const auto waiters = std::exchange(en->freezeWaiters, {});
        if (error)
            en->freezeHolds = std::max(0, en->freezeHolds - int(waiters.size()));
        else
            en->frozen = true;
        const std::optional<ApiError> result =
            error ? std::optional<ApiError>(internalError(*error)) : std::nullopt;
        for (const auto &waiter : waiters)
            waiter(result);
    });
}

void SandboxManager::thaw(Entry &e, QObject *context, DoneCallback done)
{
    e.freezeHolds = std::max(0, e.freezeHolds - 1);
    if (e.freezeHolds > 0 || !e.frozen || e.thawing || !e.process)
        return done(std::nullopt);
    // Stays "frozen" until the processes really run again, so no command slips in before that.
    e.thawing = true;
    const QString id = e.id();
    e.process->resume(context, [this, id, done = std::move(done)](const std::optional<QString> &error) {
        done(error ? std::optional<ApiError>(internalError(*error)) : std::nullopt);
        Entry *en = entry(id);
        if (!en)
            return;
        en->thawing = false;
        en->frozen = false;
        if (en->freezeHolds > 0 && en->process) {
            startFreezing(*en); // a hold arrived while thawing
            return;
        }
        const auto deferred = std::exchange(en->afterThaw, {});
        for (const auto &run : deferred)
            run();
    });
}

void SandboxManager::exec(const QString &id, const ExecSpec &spec, QObject *context, ExecCallback done)
{
    if (auto conflict = checkAcceptsWork(id))
        return done(ApiExpected<ExecResult>::failure(*conflict));
    Entry *e = entry(id);
    if (!e->process || !e->process->isConnected())
        return done(ApiExpected<ExecResult>::failure(internalError(u"The sandbox's processes are unreachable"_s)));
    if (e->frozen || e->freezing || e->thawing) {
        // Frozen for a checkpoint copy, not paused: the command waits the copy out.
        e->afterThaw.append([this, id, spec, done = guarded(context, std::move(done))] { exec(id, spec, this, done); });
        return;
    }
    beginWork(*e);
    e->process->exec(spec, this, [this, id, done = guarded(context, std::move(done))](const Expected<ExecResult, QString> &result) {
        endWork(id);
        if (!result)
            return done(ApiExpected<ExecResult>::failure(internalError(result.error())));
        done(result.value());
    });
}

void SandboxManager::beginWork(Entry &e)
{
    if (e.work++ == 0 && e.status() == S::Ready)
        transition(e, S::Active);
}

void SandboxManager::endWork(const QString &id)
{
    Entry *e = entry(id);
    if (e && --e->work == 0 && e->status() == S::Active)
        transition(*e, S::Ready);
}

} // namespace banata::server
