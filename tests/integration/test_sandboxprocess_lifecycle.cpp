// SPDX-License-Identifier: MIT
// Real sandbox trees (bwrap + banata-sandboxd) through their lifecycle, for both pause backends:
// pause/resume, stop, re-attach after a server restart, failures and crashes, callback contracts.
// Waits only on conditions (QSignalSpy::wait, QTRY_*), never on fixed delays.
#include "support/sandboxprocesstest.h"

#include "server/runtime/runstate.h"

#include <QFile>
#include <QSignalSpy>
#include <QTest>

#include <csignal>
#include <optional>

using namespace banata;
using namespace banata::server;
using namespace banata::test;
using namespace Qt::StringLiterals;

class TestSandboxProcessLifecycle : public SandboxProcessTest
{
    Q_OBJECT

private slots:
    void pauseStopsProcesses_data() { addBackends(); }
    void pauseStopsProcesses()
    {
        QFETCH(QString, backend);
        if (!backendAvailable(backend))
            QSKIP("cgroup v2 freezer not usable by this process on this host");
        SandboxProcess *paused = startTree(backend, config(u"paused"_s));
        QVERIFY(paused);
        const QString counter = m_roots.last().rootDir + u"/workspace/counter"_s;
        SandboxProcess *reference = startTree(backend, config(u"reference"_s));
        QVERIFY(reference);
        const QString referenceCounter = m_roots.last().rootDir + u"/workspace/counter"_s;
        QCOMPARE(sh(paused, kCounterLoop).exitCode, 0);
        QCOMPARE(sh(reference, kCounterLoop).exitCode, 0);
        QTRY_VERIFY_WITH_TIMEOUT(readCounter(counter) >= 3, 20000);

        QVERIFY_DONE(wait(paused, &SandboxProcess::pause));
        QVERIFY(paused->isPaused());
        const qint64 frozenAt = readCounter(counter);
        QVERIFY(frozenAt >= 3);
        const qint64 referenceAt = readCounter(referenceCounter);
        // The other sandbox keeps counting; ours must not move meanwhile.
        QTRY_VERIFY_WITH_TIMEOUT(readCounter(referenceCounter) >= referenceAt + 20, 30000);
        QCOMPARE(readCounter(counter), frozenAt);
        const Outcome rejected = run(paused, shell(u"true"_s));
        QVERIFY(!rejected);
        QVERIFY(rejected.error().contains(u"paused"_s));
        QVERIFY_DONE(wait(paused, &SandboxProcess::pause)); // idempotent

        QVERIFY_DONE(wait(paused, &SandboxProcess::resume));
        QVERIFY(!paused->isPaused());
        QTRY_VERIFY_WITH_TIMEOUT(readCounter(counter) > frozenAt + 2, 20000);
        QCOMPARE(sh(paused, u"echo alive"_s).stdoutText, u"alive\n"_s);
    }

    void pauseSuspendsTimeouts_data() { addBackends(); }
    void pauseSuspendsTimeouts()
    {
        QFETCH(QString, backend);
        if (!backendAvailable(backend))
            QSKIP("cgroup v2 freezer not usable by this process on this host");
        SandboxProcess *sandbox = startTree(backend, config(u"ptimeout"_s));
        QVERIFY(sandbox);
        std::optional<Outcome> result;
        QObject context; // declared after result: gone first, so no callback outlives it
        // Finishes once /workspace/go appears; its 1.5 s timeout must not run while paused.
        sandbox->exec(shell(u"while [ ! -e /workspace/go ]; do sleep 0.05; done; echo done"_s, 1500),
                      &context, [&result](const Outcome &o) { result = o; });
        QVERIFY_DONE(wait(sandbox, &SandboxProcess::pause));
        SandboxProcess *clock = startTree(backend, config(u"clock"_s));
        QVERIFY(clock);
        const QString ticks = m_roots.last().rootDir + u"/workspace/counter"_s;
        QCOMPARE(sh(clock, kCounterLoop).exitCode, 0);
        // ~2 s of wall time at about 10 ms per tick, well past the exec's timeout.
        QTRY_VERIFY_WITH_TIMEOUT(readCounter(ticks) >= 150, 60000);
        QVERIFY(!result.has_value());
        QFile go(m_roots.first().rootDir + u"/workspace/go"_s);
        QVERIFY(go.open(QIODevice::WriteOnly));
        go.close();
        QVERIFY_DONE(wait(sandbox, &SandboxProcess::resume));
        QTRY_VERIFY_WITH_TIMEOUT(result.has_value(), 20000);
        QVERIFY(*result);
        QCOMPARE((*result)->stdoutText, u"done\n"_s);
        QVERIFY(!(*result)->timedOut);
    }

    void stopEndsEverything_data() { addBackends(); }
    void stopEndsEverything()
    {
        QFETCH(QString, backend);
        if (!backendAvailable(backend))
            QSKIP("cgroup v2 freezer not usable by this process on this host");
        SandboxProcess *sandbox = startTree(backend, config(u"stop"_s));
        QVERIFY(sandbox);
        QCOMPARE(sh(sandbox, u"sleep 1000 > /dev/null 2>&1 & sleep 1000 &"_s).exitCode, 0);
        const QList<qint64> pids = hostTree(sandbox->bwrapPid());
        QVERIFY2(pids.size() >= 5,
                 qPrintable(QString::number(pids.size()))); // bwrap, init, sandboxd, 2x sleep
        const QString cgroupDir = sandbox->cgroupDir();
        QCOMPARE(cgroupDir.isEmpty(), backend == u"signals"_s);
        QCOMPARE(sandbox->backend(), backend == u"signals"_s ? u"signals"_s : u"cgroup-freezer"_s);

        // Stopping a paused sandbox must work too (frozen or SIGSTOPped processes still die).
        QVERIFY_DONE(wait(sandbox, &SandboxProcess::pause));
        QVERIFY_DONE(wait(sandbox, &SandboxProcess::stop));
        for (qint64 pid : pids)
            QVERIFY2(!hostProcessAlive(pid), qPrintable(QString::number(pid)));
        if (!cgroupDir.isEmpty())
            QVERIFY(!QFile::exists(cgroupDir));
        QVERIFY(!QFile::exists(RunState::path(m_roots.last().rootDir)));
        QVERIFY(!sandbox->isConnected());
        QVERIFY(!run(sandbox, shell(u"true"_s)));
        QVERIFY_DONE(wait(sandbox, &SandboxProcess::stop)); // idempotent
    }

    void reattach_data() { addBackends(); }
    void reattach()
    {
        QFETCH(QString, backend);
        if (!backendAvailable(backend))
            QSKIP("cgroup v2 freezer not usable by this process on this host");
        const SandboxProcess::Config cfg = config(u"attach"_s);
        SandboxProcess *first = startTree(backend, cfg);
        QVERIFY(first);
        const qint64 initPid = first->initPid();
        const QString sleeper = sh(first, u"sleep 1000 > /dev/null 2>&1 & echo $!"_s).stdoutText.trimmed();
        QVERIFY(!sleeper.isEmpty());
        // A server dying with a paused sandbox: the next one must see it paused.
        QVERIFY_DONE(wait(first, &SandboxProcess::pause));
        delete first;
        QVERIFY(hostProcessAlive(initPid));

        // start() on a root whose tree runs refuses, and leaves that tree alone.
        {
            SandboxProcess duplicate(cfg, freezerFor(backend));
            QSignalSpy duplicateFailed(&duplicate, &SandboxProcess::failed);
            duplicate.start();
            QVERIFY(duplicateFailed.wait(10000));
            QVERIFY(duplicateFailed.first().first().toString().contains(u"already running"_s));
            QVERIFY(QFile::exists(RunState::path(cfg.rootDir)));
        }

        // The other freezer: a re-attached tree keeps the backend it was started with.
        auto *second =
            new SandboxProcess(cfg, freezerFor(backend == u"cgroup"_s ? u"signals"_s : u"cgroup"_s), this);
        QSignalSpy started(second, &SandboxProcess::started);
        QSignalSpy failed(second, &SandboxProcess::failed);
        second->attach();
        QVERIFY(started.wait(10000));
        QVERIFY(failed.isEmpty());
        QCOMPARE(second->initPid(), initPid);
        QVERIFY(second->isPaused());
        QCOMPARE(second->backend(), backend == u"signals"_s ? u"signals"_s : u"cgroup-freezer"_s);
        QVERIFY_DONE(wait(second, &SandboxProcess::resume));
        const ExecResult r = sh(second, u"kill -0 "_s + sleeper + u" && echo still-here"_s);
        QCOMPARE(r.stdoutText, u"still-here\n"_s);
        QCOMPARE(r.exitCode, 0);

        // A second attach replaces the first controller; the first one loses its connection.
        QSignalSpy lost(second, &SandboxProcess::lost);
        auto *third = new SandboxProcess(cfg, freezerFor(backend), this);
        QSignalSpy thirdStarted(third, &SandboxProcess::started);
        third->attach();
        QVERIFY(thirdStarted.wait(10000));
        QTRY_COMPARE_WITH_TIMEOUT(lost.size(), 1, 10000);
        QCOMPARE(sh(third, u"echo ok"_s).stdoutText, u"ok\n"_s);
    }

    void callbackContracts()
    {
        const SandboxProcess::Config cfg = config(u"callbacks"_s);
        SandboxProcess *sandbox = startTree(u"signals"_s, cfg);
        QVERIFY(sandbox);
        // A callback whose context is gone never runs.
        bool fired = false;
        {
            QObject shortLived;
            sandbox->exec(shell(u"echo x"_s), &shortLived, [&fired](const Outcome &) { fired = true; });
        }
        QCOMPARE(sh(sandbox, u"echo after"_s).stdoutText, u"after\n"_s);
        QVERIFY(!fired);

        // Rejections are delivered later, never from inside the call.
        std::optional<Outcome> rejected;
        QObject context;
        ExecSpec empty;
        sandbox->exec(empty, &context, [&rejected](const Outcome &o) { rejected = o; });
        QVERIFY(!rejected.has_value());
        QTRY_VERIFY_WITH_TIMEOUT(rejected.has_value(), 5000);
        QVERIFY(!*rejected);

        // Destroying the handle fails what is outstanding, and leaves the tree (and what runs
        // in it) alone. Whether the in-flight command still started is up to timing.
        QCOMPARE(sh(sandbox, u"sleep 1000 > /dev/null 2>&1 &"_s).exitCode, 0);
        std::optional<Outcome> pending;
        sandbox->exec(shell(u"sleep 1000"_s), &context, [&pending](const Outcome &o) { pending = o; });
        delete sandbox;
        QTRY_VERIFY_WITH_TIMEOUT(pending.has_value(), 5000);
        QVERIFY(!*pending);
        SandboxProcess again(cfg, m_signalFreezer.get());
        QSignalSpy started(&again, &SandboxProcess::started);
        again.attach();
        QVERIFY(started.wait(10000));
        QVERIFY(sh(&again, u"ps -e -o comm= | grep -c '^sleep$'"_s).stdoutText.toInt() >= 1);
    }

    void startFailure()
    {
        // bwrap that fails at once: failed() with a reason, nothing left behind.
        qputenv("BANATA_BWRAP", "/bin/false");
        SandboxProcess sandbox(config(u"nobwrap"_s), m_signalFreezer.get());
        QSignalSpy failed(&sandbox, &SandboxProcess::failed);
        sandbox.start();
        qunsetenv("BANATA_BWRAP");
        QVERIFY(failed.wait(10000));
        QVERIFY(!sandbox.isConnected());
        QVERIFY(!run(&sandbox, shell(u"true"_s)));
        QVERIFY_DONE(wait(&sandbox, &SandboxProcess::stop));
    }

    void destroyWhileStarting_data() { addBackends(); }
    void destroyWhileStarting()
    {
        QFETCH(QString, backend);
        if (!backendAvailable(backend))
            QSKIP("cgroup v2 freezer not usable by this process on this host");
        // Nobody could ever attach to a tree without state.json: destroying it mid-start kills it.
        const SandboxProcess::Config cfg = config(u"midstart"_s);
        auto *sandbox = new SandboxProcess(cfg, freezerFor(backend));
        sandbox->start();
        QVERIFY(sandbox->bwrapPid() > 0);
        const QString cgroupDir = sandbox->cgroupDir();
        delete sandbox;
        QTRY_COMPARE_WITH_TIMEOUT(hostProcessesMentioning(cfg.rootDir + u"/workspace"_s), 0, 10000);
        QVERIFY(!QFile::exists(RunState::path(cfg.rootDir)));
        if (!cgroupDir.isEmpty())
            QTRY_VERIFY_WITH_TIMEOUT(!QFile::exists(cgroupDir), 10000);
    }

    void attachDeadTree_data() { addBackends(); }
    void attachDeadTree()
    {
        QFETCH(QString, backend);
        if (!backendAvailable(backend))
            QSKIP("cgroup v2 freezer not usable by this process on this host");
        // Nothing recorded at all.
        SandboxProcess nothing(config(u"empty"_s), freezerFor(backend));
        QSignalSpy nothingFailed(&nothing, &SandboxProcess::failed);
        nothing.attach();
        QVERIFY(nothingFailed.wait(10000));

        // A tree dies on its own (a crash) while watched: lost(), and its leftovers are cleared.
        SandboxProcess *watched = startTree(backend, config(u"crash"_s));
        QVERIFY(watched);
        QSignalSpy lost(watched, &SandboxProcess::lost);
        QCOMPARE(::kill(pid_t(watched->initPid()), SIGKILL), 0);
        QVERIFY(lost.wait(10000));
        QVERIFY(!watched->isConnected());
        QVERIFY(!run(watched, shell(u"true"_s)));
        const QString crashState = RunState::path(m_roots.last().rootDir);
        QTRY_VERIFY_WITH_TIMEOUT(!QFile::exists(crashState), 10000);

        // A tree dies while no server watches it: attach() fails and clears what it left.
        const SandboxProcess::Config cfg = config(u"dead"_s);
        SandboxProcess *sandbox = startTree(backend, cfg);
        QVERIFY(sandbox);
        const qint64 initPid = sandbox->initPid();
        const QString cgroupDir = sandbox->cgroupDir();
        delete sandbox;
        QCOMPARE(::kill(pid_t(initPid), SIGKILL), 0);
        QTRY_VERIFY_WITH_TIMEOUT(!hostProcessAlive(initPid), 10000);

        SandboxProcess again(cfg, freezerFor(backend));
        QSignalSpy started(&again, &SandboxProcess::started);
        QSignalSpy failed(&again, &SandboxProcess::failed);
        again.attach();
        QVERIFY(failed.wait(10000));
        QVERIFY2(failed.first().first().toString().contains(u"not running"_s),
                 qPrintable(failed.first().first().toString()));
        QVERIFY(started.isEmpty());
        QVERIFY(!QFile::exists(RunState::path(cfg.rootDir)));
        if (!cgroupDir.isEmpty())
            QTRY_VERIFY_WITH_TIMEOUT(!QFile::exists(cgroupDir), 10000);
    }
};

QTEST_GUILESS_MAIN(TestSandboxProcessLifecycle)
#include "test_sandboxprocess_lifecycle.moc"
