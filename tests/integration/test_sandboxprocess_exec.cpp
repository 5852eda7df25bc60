// SPDX-License-Identifier: MIT
// Real sandbox trees (bwrap + banata-sandboxd) running commands, for both pause backends: exec
// semantics, output and timeouts, background processes, and isolation (PID namespace, filesystem).
// Waits only on conditions (QSignalSpy::wait, QTRY_*), never on fixed delays.
#include "support/sandboxprocesstest.h"

#include <QDir>
#include <QFile>
#include <QTest>

#include <csignal>

using namespace banata;
using namespace banata::server;
using namespace banata::test;
using namespace Qt::StringLiterals;

class TestSandboxProcessExec : public SandboxProcessTest
{
    Q_OBJECT

private slots:
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
};

QTEST_GUILESS_MAIN(TestSandboxProcessExec)
#include "test_sandboxprocess_exec.moc"
