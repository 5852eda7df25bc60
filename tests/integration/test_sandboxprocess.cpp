// SPDX-License-Identifier: MIT
// Real sandbox trees (bwrap + banata-sandboxd) for both pause backends: exec semantics, isolation,
// pause/resume, stop and re-attach. Waits only on conditions (QSignalSpy::wait, QTRY_*), never
// on fixed delays.
#include <csignal>
#include <memory>

#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "server/runtime/freezer.h"
#include "server/runtime/runstate.h"
#include "server/runtime/sandboxprocess.h"

using namespace banata;
using namespace banata::server;
using namespace Qt::StringLiterals;

namespace {

using Outcome = Expected<ExecResult, QString>;

// A process counts as gone once it has exited: a zombie waiting for its reaper is gone too.
bool hostProcessAlive(qint64 pid)
{
    QFile stat(u"/proc/"_s + QString::number(pid) + u"/stat"_s);
    if (pid <= 0 || !stat.open(QIODevice::ReadOnly))
        return false;
    const QByteArray text = stat.readAll();
    const qsizetype close = text.lastIndexOf(')');
    return close > 0 && close + 2 < text.size() && text.at(close + 2) != 'Z' && text.at(close + 2) != 'X';
}

qint64 hostParentPid(qint64 pid)
{
    QFile stat(u"/proc/"_s + QString::number(pid) + u"/stat"_s);
    if (!stat.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray text = stat.readAll();
    const QList<QByteArray> fields = text.mid(text.lastIndexOf(')') + 2).split(' ');
    return fields.size() > 1 ? fields.at(1).toLongLong() : -1;
}

// Every live process below root (inclusive), from the host's /proc.
QList<qint64> hostTree(qint64 root)
{
    QList<qint64> tree = {root};
    const QStringList entries = QDir(u"/proc"_s).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (bool grew = true; grew;) {
        grew = false;
        for (const QString &entry : entries) {
            bool ok = false;
            const qint64 pid = entry.toLongLong(&ok);
            if (ok && !tree.contains(pid) && tree.contains(hostParentPid(pid)) && hostProcessAlive(pid)) {
                tree.append(pid);
                grew = true;
            }
        }
    }
    return tree;
}

// Live processes whose command line mentions text (bwrap's names the sandbox root).
int hostProcessesMentioning(const QString &text)
{
    int count = 0;
    const QStringList entries = QDir(u"/proc"_s).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &entry : entries) {
        bool ok = false;
        const qint64 pid = entry.toLongLong(&ok);
        QFile cmdline(u"/proc/"_s + entry + u"/cmdline"_s);
        if (ok && hostProcessAlive(pid) && cmdline.open(QIODevice::ReadOnly) &&
            cmdline.readAll().contains(text.toUtf8()))
            ++count;
    }
    return count;
}

qint64 readCounter(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return -1;
    bool ok = false;
    const qint64 value = file.readAll().trimmed().toLongLong(&ok);
    return ok ? value : -1;
}

ExecSpec shell(const QString &script, qint64 timeoutMs = 30000)
{
    ExecSpec spec;
    spec.argv = {u"/bin/sh"_s, u"-c"_s, script};
    spec.timeoutMs = timeoutMs;
    return spec;
}

// Ticks a counter file in /workspace about every 10 ms; atomic rename so readers never see a
// half-written number.
const QString kCounterLoop = u"i=0; while :; do i=$((i+1)); echo $i > /workspace/counter.tmp; "
                             "mv -f /workspace/counter.tmp /workspace/counter; sleep 0.01; done "
                             "> /dev/null 2>&1 &"_s;

} // namespace

// An operation's DoneCallback reported success; on failure the message shows its error.
#define QVERIFY_DONE(expr)                                                                                   \
    do {                                                                                                     \
        const std::optional<QString> error_ = (expr);                                                        \
        QVERIFY2(!error_, qPrintable(error_.value_or(QString())));                                           \
    } while (false)

class TestSandboxProcess : public QObject
{
    Q_OBJECT

private:
    Freezer *freezerFor(const QString &backend)
    {
        return backend == u"cgroup"_s ? m_cgroupFreezer.get() : m_signalFreezer.get();
    }

    void addBackends()
    {
        QTest::addColumn<QString>("backend");
        QTest::newRow("cgroup") << u"cgroup"_s;
        QTest::newRow("signals") << u"signals"_s;
    }

    // QSKIPs the cgroup rows where the host does not let this process use the freezer.
    bool backendAvailable(const QString &backend)
    {
        return backend != u"cgroup"_s || m_cgroupFreezer->name() == u"cgroup-freezer"_s;
    }

    SandboxProcess::Config config(const QString &name, QMap<QString, QString> env = {})
    {
        const QString id = name + u'-' + QString::number(++m_counter);
        return {id, m_dir.filePath(id), std::move(env), {}};
    }

    // Starts a tree and waits for started(); nullptr (with a test failure) otherwise.
    SandboxProcess *startTree(const QString &backend, SandboxProcess::Config cfg)
    {
        auto *sandbox = new SandboxProcess(cfg, freezerFor(backend), this);
        m_roots.append(cfg);
        QSignalSpy started(sandbox, &SandboxProcess::started);
        QSignalSpy failed(sandbox, &SandboxProcess::failed);
        sandbox->start();
        if (!QTest::qWaitFor([&] { return !started.isEmpty() || !failed.isEmpty(); }, 20000) ||
            started.isEmpty()) {
            qWarning() << "start failed:"
                       << (failed.isEmpty() ? u"timeout"_s : failed.first().first().toString());
            return nullptr;
        }
        m_pids.append({sandbox->bwrapPid(), sandbox->initPid()});
        return sandbox;
    }

    Outcome run(SandboxProcess *sandbox, const ExecSpec &spec)
    {
        auto result = std::make_shared<std::optional<Outcome>>();
        sandbox->exec(spec, this, [result](const Outcome &outcome) { *result = outcome; });
        if (!QTest::qWaitFor([&] { return result->has_value(); }, int(spec.timeoutMs) + 30000))
            return Outcome::failure(u"test: exec did not complete"_s);
        return **result;
    }

    ExecResult sh(SandboxProcess *sandbox, const QString &script, qint64 timeoutMs = 30000)
    {
        const Outcome outcome = run(sandbox, shell(script, timeoutMs));
        if (!outcome) {
            qWarning() << "exec failed:" << outcome.error();
            ExecResult failed;
            failed.exitCode = -1;
            return failed;
        }
        return *outcome;
    }

    using Operation = void (SandboxProcess::*)(QObject *, SandboxProcess::DoneCallback);
    std::optional<QString> wait(SandboxProcess *sandbox, Operation operation)
    {
        auto result = std::make_shared<std::optional<std::optional<QString>>>();
        (sandbox->*operation)(this, [result](const std::optional<QString> &error) { *result = error; });
        if (!QTest::qWaitFor([&] { return result->has_value(); }, 30000))
            return u"test: operation did not complete"_s;
        return **result;
    }

    std::unique_ptr<Freezer> m_cgroupFreezer;
    std::unique_ptr<Freezer> m_signalFreezer;
    QTemporaryDir m_dir;
    int m_counter = 0;
    QList<SandboxProcess::Config> m_roots; // every tree started by the current test
    QList<qint64> m_pids;                  // their bwrap and init pids

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_cgroupFreezer = Freezer::detect(u"cgroup"_s);
        m_signalFreezer = Freezer::detect(u"signals"_s);
        QCOMPARE(m_signalFreezer->name(), u"signals"_s);
        qInfo() << "cgroup row runs with:" << m_cgroupFreezer->name();
    }

    // Ends every tree the test started, through a fresh handle (as a restarted server would),
    // and checks that none of their processes outlive it.
    void cleanup()
    {
        qDeleteAll(findChildren<SandboxProcess *>(Qt::FindDirectChildrenOnly));
        for (const SandboxProcess::Config &cfg : std::as_const(m_roots)) {
            SandboxProcess stopper(cfg, m_signalFreezer.get());
            QVERIFY_DONE(wait(&stopper, &SandboxProcess::stop));
        }
        for (qint64 pid : std::as_const(m_pids))
            QTRY_VERIFY2_WITH_TIMEOUT(!hostProcessAlive(pid), qPrintable(QString::number(pid)), 10000);
        m_roots.clear();
        m_pids.clear();
    }

    void execBasics_data() { addBackends(); }
    void execBasics()
    {
        QFETCH(QString, backend);
        if (!backendAvailable(backend))
            QSKIP("cgroup v2 freezer not usable by this process on this host");
        SandboxProcess *sandbox =
            startTree(backend, config(u"basics"_s, {{u"SANDBOX_VAR"_s, u"from-create"_s}}));
        QVERIFY(sandbox);
        QVERIFY(sandbox->isConnected());
        // The sandbox env reaches commands through the environment, never through bwrap's
        // world-readable command line.
        QFile cmdline(u"/proc/"_s + QString::number(sandbox->bwrapPid()) + u"/cmdline"_s);
        QVERIFY(cmdline.open(QIODevice::ReadOnly));
        QVERIFY(!cmdline.readAll().contains("from-create"));

        ExecResult r = sh(sandbox, u"echo out; echo err >&2; exit 3"_s);
        QCOMPARE(r.stdoutText, u"out\n"_s);
        QCOMPARE(r.stderrText, u"err\n"_s);
        QCOMPARE(r.exitCode, 3);
        QVERIFY(!r.timedOut && !r.stdoutTruncated && !r.stderrTruncated);

        ExecSpec echo;
        echo.argv = {u"echo"_s, u"hi there"_s}; // argv[0] through PATH
        Outcome o = run(sandbox, echo);
        QVERIFY(o);
        QCOMPARE(o->stdoutText, u"hi there\n"_s);

        ExecSpec env = shell(u"echo \"$FOO $SANDBOX_VAR $HOME $USER $LANG\"; pwd"_s);
        env.env = {{u"FOO"_s, u"bar"_s}};
        env.cwd = u"/tmp"_s;
        o = run(sandbox, env);
        QVERIFY(o);
        QCOMPARE(o->stdoutText, u"bar from-create /home/user user C.UTF-8\n/tmp\n"_s);

        ExecSpec missing;
        missing.argv = {u"no-such-program-xyz"_s};
        o = run(sandbox, missing);
        QVERIFY(o);
        QCOMPARE(o->exitCode, 127);
        QVERIFY(o->stderrText.contains(u"no-such-program-xyz"_s));

        QCOMPARE(sh(sandbox, u"kill -TERM $$"_s).exitCode, 128 + SIGTERM);
        // Invalid UTF-8 arrives replaced, not as an error.
        QCOMPARE(sh(sandbox, u"printf 'a\\377b'"_s).stdoutText, u"a\uFFFDb"_s);
        // Commands never inherit the control socket or the cgroup handle.
        r = sh(sandbox, u"ls -l /proc/$$/fd"_s);
        QVERIFY2(!r.stdoutText.contains(u"socket:"_s) && !r.stdoutText.contains(u"cgroup"_s),
                 qPrintable(r.stdoutText));
    }

    void concurrentExecs_data() { addBackends(); }
    void concurrentExecs()
    {
        QFETCH(QString, backend);
        if (!backendAvailable(backend))
            QSKIP("cgroup v2 freezer not usable by this process on this host");
        SandboxProcess *sandbox = startTree(backend, config(u"concurrent"_s));
        QVERIFY(sandbox);
        QMap<int, QString> outputs;
        QObject context; // declared after outputs: gone first, so no callback outlives them
        for (int i = 0; i < 8; ++i) {
            // Later commands finish first: replies are matched by id, not order.
            sandbox->exec(shell(u"sleep 0.%1; echo %2"_s.arg(8 - i).arg(i)), &context,
                          [&outputs, i](const Outcome &o) { outputs[i] = o ? o->stdoutText : o.error(); });
        }
        QTRY_COMPARE_WITH_TIMEOUT(outputs.size(), 8, 20000);
        for (int i = 0; i < 8; ++i)
            QCOMPARE(outputs.value(i), QString::number(i) + u'\n');
    }

    void largeOutput_data() { addBackends(); }
    void largeOutput()
    {
        QFETCH(QString, backend);
        if (!backendAvailable(backend))
            QSKIP("cgroup v2 freezer not usable by this process on this host");
        SandboxProcess *sandbox = startTree(backend, config(u"large"_s));
        QVERIFY(sandbox);
        // Far beyond a pipe buffer, on both streams at once: only concurrent reading finishes.
        const ExecResult r = sh(sandbox, u"head -c 5000000 /dev/zero | tr '\\0' a & "
                                         "head -c 5000000 /dev/zero | tr '\\0' b >&2; wait"_s);
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.stdoutText.size(), 5000000);
        QCOMPARE(r.stderrText.size(), 5000000);
        QVERIFY(r.stdoutText.startsWith(u"aaaa"_s) && r.stderrText.endsWith(u"bbbb"_s));
        QVERIFY(!r.stdoutTruncated && !r.stderrTruncated);
    }

    void truncation_data() { addBackends(); }
    void truncation()
    {
        QFETCH(QString, backend);
        if (!backendAvailable(backend))
            QSKIP("cgroup v2 freezer not usable by this process on this host");
        SandboxProcess *sandbox = startTree(backend, config(u"trunc"_s));
        QVERIFY(sandbox);
        ExecSpec spec = shell(u"head -c 100000 /dev/zero | tr '\\0' x; echo small >&2"_s);
        spec.maxOutputBytes = 1000;
        const Outcome o = run(sandbox, spec);
        QVERIFY(o);
        QCOMPARE(o->stdoutText, QString(1000, u'x'));
        QVERIFY(o->stdoutTruncated);
        QCOMPARE(o->stderrText, u"small\n"_s);
        QVERIFY(!o->stderrTruncated);
        QCOMPARE(o->exitCode, 0);
    }

    void timeoutKillsGroup_data() { addBackends(); }
    void timeoutKillsGroup()
    {
        QFETCH(QString, backend);
        if (!backendAvailable(backend))
            QSKIP("cgroup v2 freezer not usable by this process on this host");
        SandboxProcess *sandbox = startTree(backend, config(u"timeout"_s));
        QVERIFY(sandbox);
        const ExecResult r =
            sh(sandbox, u"sleep 100 & echo $! > /workspace/child.pid; echo started; sleep 100"_s, 500);
        QVERIFY(r.timedOut);
        QCOMPARE(r.exitCode, 124);
        QCOMPARE(r.stdoutText, u"started\n"_s);
        QVERIFY2(r.durationMs >= 400 && r.durationMs < 20000, qPrintable(QString::number(r.durationMs)));
        // The background sleep was in the same process group: gone as well (or a zombie about
        // to be reaped by the namespace's init).
        QTRY_COMPARE_WITH_TIMEOUT(sh(sandbox, u"p=$(cat /workspace/child.pid); "
                                              "s=$(cut -d' ' -f3 /proc/$p/stat 2>/dev/null); "
                                              "[ -z \"$s\" ] || [ \"$s\" = Z ]"_s)
                                      .exitCode,
                                  0, 10000);
    }

    void backgroundProcesses_data() { addBackends(); }
    void backgroundProcesses()
    {
        QFETCH(QString, backend);
        if (!backendAvailable(backend))
            QSKIP("cgroup v2 freezer not usable by this process on this host");
        SandboxProcess *sandbox = startTree(backend, config(u"background"_s));
        QVERIFY(sandbox);
        ExecResult r = sh(sandbox, u"sleep 1000 > /dev/null 2>&1 & echo $!"_s);
        QCOMPARE(r.exitCode, 0);
        const QString detached = r.stdoutText.trimmed();
        // This one keeps stdout and stderr open: the reply must not wait for it.
        r = sh(sandbox, u"sleep 1000 & echo $!"_s);
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.durationMs < 10000, qPrintable(QString::number(r.durationMs)));
        const QString holding = r.stdoutText.trimmed();
        // Writes after the reply land in the drained pipe: no SIGPIPE, echo succeeds.
        // The background writer blocks on a FIFO until the next exec opens it.
        r = sh(sandbox, u"mkfifo /workspace/go; (cat /workspace/go > /dev/null; echo late; "
                        "echo $? > /workspace/late.rc) & echo early"_s);
        QCOMPARE(r.stdoutText, u"early\n"_s);
        QCOMPARE(sh(sandbox, u"echo go > /workspace/go"_s).exitCode, 0);
        const QString rcFile = m_roots.last().rootDir + u"/workspace/late.rc"_s;
        QTRY_COMPARE_WITH_TIMEOUT(readCounter(rcFile), 0, 10000);

        r = sh(sandbox,
               u"kill -0 "_s + detached + u" && kill -0 "_s + holding + u" && ps -e -o pid=,comm="_s);
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.stdoutText.count(u"sleep"_s) >= 2, qPrintable(r.stdoutText));
    }

    void pidNamespace_data() { addBackends(); }
    void pidNamespace()
    {
        QFETCH(QString, backend);
        if (!backendAvailable(backend))
            QSKIP("cgroup v2 freezer not usable by this process on this host");
        SandboxProcess *sandbox = startTree(backend, config(u"pidns"_s));
        QVERIFY(sandbox);
        QCOMPARE(sh(sandbox, u"cat /proc/1/comm"_s).stdoutText, u"bwrap\n"_s);
        const ExecResult r = sh(sandbox, u"for p in /proc/[0-9]*; do cat $p/comm; done"_s);
        QCOMPARE(r.exitCode, 0);
        const QStringList seen = r.stdoutText.split(u'\n', Qt::SkipEmptyParts);
        const QStringList allowed = {u"bwrap"_s, u"sandboxd"_s, u"sh"_s, u"cat"_s};
        for (const QString &comm : seen)
            QVERIFY2(allowed.contains(comm), qPrintable(u"unexpected process visible: "_s + comm));
        QVERIFY(seen.contains(u"sandboxd"_s));
        QVERIFY(seen.size() <= 5);
        QVERIFY(sh(sandbox, u"hostname"_s).stdoutText.trimmed().startsWith(u"pidns"_s));
    }

    void filesystemLayout_data() { addBackends(); }
    void filesystemLayout()
    {
        QFETCH(QString, backend);
        if (!backendAvailable(backend))
            QSKIP("cgroup v2 freezer not usable by this process on this host");
        SandboxProcess *sandbox = startTree(backend, config(u"fs"_s));
        QVERIFY(sandbox);
        const QString root = m_roots.last().rootDir;
        QCOMPARE(
            sh(sandbox, u"echo data > /workspace/hello.txt && echo home > ~/h && echo t > /tmp/t"_s).exitCode,
            0);
        QFile hello(root + u"/workspace/hello.txt"_s);
        QVERIFY(hello.open(QIODevice::ReadOnly));
        QCOMPARE(hello.readAll(), QByteArray("data\n"));
        QVERIFY(QFile::exists(root + u"/home/h"_s));
        QVERIFY(QFile::exists(root + u"/tmp/t"_s));

        QCOMPARE(sh(sandbox, u"id -un; id -u; echo $HOME"_s).stdoutText, u"user\n1000\n/home/user\n"_s);
        QVERIFY(sh(sandbox, u"touch /usr/banata-test"_s).exitCode != 0);
        QVERIFY(sh(sandbox, u"touch /banata-test"_s).exitCode != 0);
        QVERIFY(sh(sandbox, u"touch /etc/banata-test"_s).exitCode != 0);
        QCOMPARE(sh(sandbox, u"ls -A /home"_s).stdoutText, u"user\n"_s);
        for (const QString &hidden : {u"/root"_s, u"/etc/shadow"_s, u"/etc/gshadow"_s, u"/etc/ssl/private"_s,
                                      u"/media"_s, u"/mnt"_s, u"/run/user"_s, u"/var/lib"_s, u"/var/log"_s}) {
            QVERIFY2(sh(sandbox, u"test -e "_s + hidden).exitCode == 1, qPrintable(hidden));
        }
        QVERIFY(sh(sandbox, u"cat /etc/shadow"_s).exitCode != 0);
        // The operator's home directory is not reachable under its host path.
        if (QDir::homePath() != u"/"_s)
            QCOMPARE(sh(sandbox, u"test -e '"_s + QDir::homePath() + u"'"_s).exitCode, 1);
        QCOMPARE(sh(sandbox, u"test -r /etc/ssl/certs -a -r /etc/resolv.conf -a -x /usr/bin/env"_s).exitCode,
                 0);
    }

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

QTEST_GUILESS_MAIN(TestSandboxProcess)
#include "test_sandboxprocess.moc"
