// SPDX-License-Identifier: MIT
#pragma once

#include <deque>
#include <functional>
#include <optional>

#include <QMap>
#include <QObject>
#include <QPointer>

#include "cgroup.h"
#include "core/exec.h"
#include "core/expected.h"
#include "execspec.h"
#include "fdutil.h"
#include "runstate.h"

class QSocketNotifier;
class QTimer;

namespace banata::server {

class ControlChannel;
class Freezer;

/**
 * The process tree of one sandbox: bwrap + banata-sandboxd, detached from the server.
 *
 * The tree outlives this object and the server process: a later server re-attaches through
 * <root>/run/ (state.json, ctl.sock). Usage:
 *   auto *sandbox = new SandboxProcess({id, root, env, hostname}, freezer, parent);
 *   connect(sandbox, &SandboxProcess::started, ...); connect(..., &SandboxProcess::failed, ...);
 *   sandbox->start();  // or attach() after a server restart
 *   sandbox->exec(spec, context, [](const auto &result) { ... });
 *
 * Callbacks are always delivered from the event loop (never from inside the call that takes
 * them) and never after their context is destroyed. Pause, resume and stop run one at a time,
 * in call order. exec is rejected while paused. Destroying the object fails its outstanding
 * callbacks with an error but leaves the tree running.
 */
class SandboxProcess final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SandboxProcess)

public:
    struct Config
    {
        QString sandboxId;
        QString rootDir;            // <root>: workspace/, home/, tmp/, run/ are created if missing
        QMap<QString, QString> env; // sandbox env from the create request
        QString hostname;
    };

    /// freezer: shared, outlives this object (detected once per server).
    SandboxProcess(Config config, Freezer *freezer, QObject *parent = nullptr);
    ~SandboxProcess() override; // does NOT kill the tree: sandboxes outlive this object and the server

    void start();  // fresh tree → started() or failed(reason)
    void attach(); // re-attach to a tree left by a previous server → started() or failed(reason)
    using ExecCallback = std::function<void(const banata::Expected<banata::ExecResult, QString> &)>;
    void exec(const ExecSpec &spec, QObject *context,
              ExecCallback done); // error text if the tree is unreachable
    using DoneCallback = std::function<void(const std::optional<QString> &error)>;
    void pause(QObject *context, DoneCallback done); // done when every process is frozen/stopped
    void resume(QObject *context, DoneCallback done);
    /// Kills every process and removes the cgroup; done when all are gone. Also works on an
    /// object that was never started: it then ends the tree recorded in <root>/run/, if any.
    void stop(QObject *context, DoneCallback done);
    bool isConnected() const;

    bool isPaused() const { return m_paused; }
    /// "cgroup-freezer" or "signals": what pauses this tree (recorded at start, kept on attach).
    QString backend() const { return m_run.backend; }
    /// Host pids of the outer bwrap (known once start() returns) and of the PID namespace's init
    /// (known at started()); 0 before.
    qint64 bwrapPid() const { return m_run.bwrapPid; }
    qint64 initPid() const { return m_run.initPid; }
    QString cgroupDir() const { return m_run.cgroupDir; }

signals:
    void started();
    void failed(const QString &reason);
    void lost(const QString &reason); // the tree died or became unreachable on its own

private:
    enum class State
    {
        Idle,
        Starting,
        Running,
        Stopping,
        Stopped,
        Lost,
        Failed
    };
    enum class OpKind
    {
        Pause,
        Resume,
        Stop
    };
    struct Op
    {
        OpKind kind;
        QPointer<QObject> context;
        DoneCallback done;
    };

    // sandboxprocess.cpp: starting, attaching, watching
    void spawnTree();
    void onInfoReadable();
    void connectControl();
    void maybeStarted();
    void failStart(const QString &reason);
    void adoptInit();
    void adoptBwrap();
    void onBwrapExited();
    void onInitExited();
    void markLost(const QString &reason);
    QString logTail() const;
    QString runDir() const;

    // sandboxprocess_ops.cpp: pause, resume, stop
    void enqueue(OpKind kind, QObject *context, DoneCallback done);
    void runNextOp();
    void finishOp(const std::optional<QString> &error);
    void runPause();
    void runResume();
    void runStop();
    void killTree();
    void maybeFinishStop();
    void removeLeftovers();
    void waitCgroup(const QString &eventsFile, const char *key, bool wanted,
                    std::function<void(const std::optional<QString> &)> then);

    Config m_config;
    Freezer *m_freezer;
    State m_state = State::Idle;
    bool m_spawnedHere = false; // started (not attached) by this object: bwrap is our child
    bool m_ownsRoot = false;    // start() found no live tree in <root>: failures clean up run/
    bool m_destroying = false;
    bool m_paused = false;
    bool m_helloDone = false;
    bool m_infoDone = false;
    bool m_initGone = false;
    bool m_bwrapGone = false;
    RunState m_run;
    std::optional<SandboxCgroup> m_cgroup;
    ControlChannel *m_channel = nullptr;
    UniqueFd m_infoPipe;
    QByteArray m_info;
    UniqueFd m_bwrapPidfd;
    UniqueFd m_initPidfd;
    QSocketNotifier *m_infoNotifier = nullptr;
    QSocketNotifier *m_bwrapNotifier = nullptr;
    QSocketNotifier *m_initNotifier = nullptr;
    QTimer *m_startTimer = nullptr;
    std::deque<Op> m_ops;
    bool m_opRunning = false;
};

} // namespace banata::server
