// SPDX-License-Identifier: MIT
// SandboxProcess: pause, resume and stop, serialized through one operation queue.
#include <csignal>

#include <QCoreApplication>
#include <QFile>
#include <QLoggingCategory>
#include <QSocketNotifier>

#include "controlchannel.h"
#include "sandboxprocess.h"
#include "sandboxprocess_p.h"

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcSandboxOps, "banata.server.runtime.sandboxops")

namespace banata::server {

namespace {
constexpr int kFreezeTimeoutMs = 10000;
constexpr int kKillTimeoutMs = 10000;
} // namespace

void SandboxProcess::pause(QObject *context, DoneCallback done)
{
    enqueue(OpKind::Pause, context, std::move(done));
}

void SandboxProcess::resume(QObject *context, DoneCallback done)
{
    enqueue(OpKind::Resume, context, std::move(done));
}

void SandboxProcess::stop(QObject *context, DoneCallback done)
{
    enqueue(OpKind::Stop, context, std::move(done));
}

void SandboxProcess::enqueue(OpKind kind, QObject *context, DoneCallback done)
{
    m_ops.push_back(Op{kind, QPointer<QObject>(context ? context : this), std::move(done)});
    runNextOp();
}

void SandboxProcess::runNextOp()
{
    // While starting, wait: the outcome of start/attach decides what an operation means.
    if (m_destroying || m_opRunning || m_ops.empty() || m_state == State::Starting)
        return;
    m_opRunning = true;
    switch (m_ops.front().kind) {
    case OpKind::Pause:
        return runPause();
    case OpKind::Resume:
        return runResume();
    case OpKind::Stop:
        return runStop();
    }
}

void SandboxProcess::finishOp(const std::optional<QString> &error)
{
    if (m_destroying || !m_opRunning || m_ops.empty())
        return;
    Op op = std::move(m_ops.front());
    m_ops.pop_front();
    m_opRunning = false;
    postToContext(op.context, std::move(op.done), error);
    runNextOp();
}

void SandboxProcess::waitCgroup(const QString &eventsFile, const char *key, bool wanted,
                                std::function<void(const std::optional<QString> &)> then)
{
    const int timeout = QByteArrayView(key) == "frozen" ? kFreezeTimeoutMs : kKillTimeoutMs;
    // The waiter is our child: it dies with us and never calls back into a destroyed object.
    auto *waiter = new CgroupEventWaiter(eventsFile, QByteArray(key), wanted, timeout, std::move(then), this);
    waiter->start();
}

void SandboxProcess::runPause()
{
    if (m_state != State::Running || !m_channel->isOpen())
        return finishOp(u"sandbox is not running"_s);
    if (m_paused)
        return finishOp(std::nullopt);
    // The daemon learns about every pause: it rejects exec and stops exec timeouts meanwhile.
    // Without a cgroup it also does the stopping (SIGSTOP from inside the PID namespace).
    const bool useSignals = !m_cgroup;
    m_channel->request({{"op", "pause"}, {"signals", useSignals}}, [this](
                                                                       const ControlChannel::Reply &reply) {
        if (m_destroying)
            return;
        if (!reply)
            return finishOp(u"pause: "_s + reply.error());
        if (!m_cgroup) {
            m_paused = true;
            return finishOp(std::nullopt);
        }
        auto undo = [this] {
            m_cgroup->setFrozen(false, nullptr);
            m_channel->request({{"op", "resume"}, {"signals", false}}, [](const ControlChannel::Reply &) {});
        };
        QString error;
        if (!m_cgroup->setFrozen(true, &error)) {
            undo();
            return finishOp(u"pause: "_s + error);
        }
        // Freezing is asynchronous; cgroup.events says when every task is frozen.
        waitCgroup(m_cgroup->workDir() + u"/cgroup.events"_s, "frozen", true,
                   [this, undo](const std::optional<QString> &waitError) {
                       if (m_destroying)
                           return;
                       if (waitError) {
                           undo();
                           return finishOp(u"pause: "_s + *waitError);
                       }
                       m_paused = true;
                       finishOp(std::nullopt);
                   });
    });
}

void SandboxProcess::runResume()
{
    if (m_state != State::Running || !m_channel->isOpen())
        return finishOp(u"sandbox is not running"_s);
    if (!m_paused)
        return finishOp(std::nullopt);
    auto tellDaemon = [this] {
        m_channel->request({{"op", "resume"}, {"signals", !m_cgroup}},
                           [this](const ControlChannel::Reply &reply) {
                               if (m_destroying)
                                   return;
                               if (!reply)
                                   return finishOp(u"resume: "_s + reply.error());
                               m_paused = false;
                               finishOp(std::nullopt);
                           });
    };
    if (!m_cgroup)
        return tellDaemon();
    QString error;
    if (!m_cgroup->setFrozen(false, &error))
        return finishOp(u"resume: "_s + error);
    waitCgroup(m_cgroup->workDir() + u"/cgroup.events"_s, "frozen", false,
               [this, tellDaemon](const std::optional<QString> &waitError) {
                   if (m_destroying)
                       return;
                   if (waitError)
                       return finishOp(u"resume: "_s + *waitError);
                   tellDaemon();
               });
}

void SandboxProcess::runStop()
{
    if (m_state == State::Stopped)
        return finishOp(std::nullopt);
    if (m_state == State::Idle || (m_state == State::Failed && m_run.initPid == 0)) {
        // Never started here: end whatever tree <root>/run/ records (a previous server's).
        const Expected<RunState, QString> recorded = RunState::load(m_config.rootDir);
        if (!recorded) {
            m_state = State::Stopped;
            return finishOp(std::nullopt);
        }
        m_run = *recorded;
        if (!m_run.cgroupDir.isEmpty() && SandboxCgroup(m_run.cgroupDir).exists())
            m_cgroup.emplace(m_run.cgroupDir);
        adoptInit();
        adoptBwrap();
    }
    m_state = State::Stopping;
    m_paused = false;
    killTree();
    if (m_cgroup && m_cgroup->exists()) {
        // populated 0: every process of the tree, bwrap included, has exited.
        waitCgroup(m_cgroup->dir() + u"/cgroup.events"_s, "populated", false,
                   [this](const std::optional<QString> &error) {
                       if (m_destroying || m_state != State::Stopping)
                           return;
                       if (error) {
                           qCWarning(lcSandboxOps) << "stop" << m_config.sandboxId << ":" << *error;
                           m_cgroup.reset(); // given up on: finish without it (it could not be removed)
                       }
                       m_initGone = m_bwrapGone = true;
                       maybeFinishStop();
                   });
        return;
    }
    maybeFinishStop();
}

void SandboxProcess::killTree()
{
    if (m_cgroup && m_cgroup->exists()) {
        QString error;
        if (m_cgroup->kill(&error))
            return;
        qCWarning(lcSandboxOps) << "cgroup.kill failed, signalling instead:" << error;
    }
    // SIGKILL to the namespace's init takes every process of the namespace with it.
    if (!m_initGone && m_run.initPid > 0)
        sendSignal(m_initPidfd, m_initPidfd.valid() ? 0 : pid_t(m_run.initPid), SIGKILL);
    // Only when starting failed before bwrap reported its child, here or in a server that died
    // then. Killing the outer bwrap alone would leave the namespace running, so find its child
    // first (bwrap is our own unreaped child, or its pidfd was checked against the recorded start
    // time: either way its pid was not reused). A kill racing bwrap's clone() could still miss it.
    if (!m_bwrapGone && (m_spawnedHere || m_bwrapPidfd.valid()) && m_run.bwrapPid > 0 && m_run.initPid == 0) {
        QFile children(u"/proc/%1/task/%1/children"_s.arg(m_run.bwrapPid));
        if (children.open(QIODevice::ReadOnly)) {
            for (const QByteArray &child : children.readAll().split(' ')) {
                if (const qint64 pid = child.trimmed().toLongLong(); pid > 0)
                    ::kill(pid_t(pid), SIGKILL);
            }
        }
        sendSignal(m_bwrapPidfd, pid_t(m_run.bwrapPid), SIGKILL);
    }
}

void SandboxProcess::maybeFinishStop()
{
    if (m_state != State::Stopping)
        return;
    // Without pidfds (kernel < 5.3) there is nothing to wait on: trust the SIGKILL.
    const bool initGone = m_initGone || !m_initPidfd.valid();
    const bool bwrapGone = m_bwrapGone || !m_bwrapPidfd.valid();
    if (!initGone || !bwrapGone)
        return;
    // Every process of the cgroup must be gone too, not only bwrap and init: a start of the same
    // sandbox reuses the cgroup and must neither find it populated nor see it removed under
    // itself by removeLeftovers(). runStop()'s cgroup waiter calls again once it is empty.
    if (m_cgroup && m_cgroup->exists() && m_cgroup->isPopulated())
        return;
    m_channel->close(u"sandbox stopped"_s);
    removeLeftovers();
    m_state = State::Stopped;
    qCDebug(lcSandboxOps) << "sandbox" << m_config.sandboxId << "stopped";
    finishOp(std::nullopt);
}

void SandboxProcess::removeLeftovers()
{
    RunState::remove(m_config.rootDir);
    QFile::remove(runDir() + u"/ctl.sock"_s);
    if (!m_cgroup || !m_cgroup->exists())
        return;
    if (!m_cgroup->isPopulated()) {
        QString error;
        if (!m_cgroup->remove(&error))
            qCWarning(lcSandboxOps) << "cannot remove cgroup:" << error;
        return;
    }
    // Not our child: the removal must still happen if this object is destroyed meanwhile.
    const SandboxCgroup group = *m_cgroup;
    QObject *owner = QCoreApplication::instance();
    if (!owner)
        owner = this;
    auto *waiter = new CgroupEventWaiter(
        group.dir() + u"/cgroup.events"_s, "populated", false, kKillTimeoutMs,
        [group](const std::optional<QString> &error) {
            QString removeError;
            if (error || !group.remove(&removeError))
                qCWarning(lcSandboxOps)
                    << "cannot remove cgroup" << group.dir() << error.value_or(removeError);
        },
        owner);
    waiter->start();
}

} // namespace banata::server
