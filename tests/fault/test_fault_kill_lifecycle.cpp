// SPDX-License-Identifier: MIT
// SIGKILL of banata-local in the middle of sandbox lifecycle work — a create being started, a
// command running, a handoff an agent waits on — then a restart on the same data and port. After
// each: what was acknowledged is there and usable, nothing is stuck in a transitional state, the
// process trees were taken back (not duplicated), and the app's Connection came back live by
// itself with the server's list. Measurements are printed as `FAULT scenario=…` lines.
#include <fcntl.h>
#include <unistd.h>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTest>

#include "test_fault_kill_common.h"

using namespace banata;
using namespace banata::test;
using namespace Qt::StringLiterals;

namespace {

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

/// Writes \a line into the FIFO at \a path, failing (not blocking) when nobody reads it.
bool releaseGate(const QString &path, const QByteArray &line)
{
    const int fd = ::open(QFile::encodeName(path).constData(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return false;
    const bool ok = ::write(fd, line.constData(), size_t(line.size())) == line.size();
    ::close(fd);
    return ok;
}

} // namespace

class TestFaultKillLifecycle : public QObject
{
    Q_OBJECT

private:
    KillFixture m_f;

private slots:
    void initTestCase() { QVERIFY2(m_f.start(), qPrintable(m_f.errorString())); }

    void cleanupTestCase() { QVERIFY2(m_f.stop(), qPrintable(m_f.errorString())); }

    void killDuringCreate()
    {
        // A sandbox from before, with a background process: the very same process must still
        // run after the crash (the tree was taken back, not started again).
        const QString before = m_f.createReady();
        QVERIFY2(!before.isEmpty(), qPrintable(m_f.errorString()));
        const auto background =
            m_f.run(before, u"sleep 600 > /dev/null 2>&1 & echo $! > /workspace/bg.pid"_s);
        QVERIFY2(background && background->exitCode == 0, qPrintable(m_f.errorString()));

        // Four creates at once; the server dies the moment it acknowledges the first, while that
        // sandbox's process tree is being spawned.
        QStringList acknowledged;
        int answered = 0;
        QObject context;
        for (int i = 0; i < 4; ++i) {
            SandboxJob *job = m_f.client().createSandbox({});
            connect(job, &SandboxJob::finished, &context, [&](const ApiResult<Sandbox> &result) {
                ++answered;
                if (!result.ok())
                    return;
                QVERIFY(result.value().status == SandboxStatus::Queued ||
                        result.value().status == SandboxStatus::Assigning);
                acknowledged.append(result.value().id);
                if (acknowledged.size() == 1)
                    m_f.server().kill();
            });
        }
        QVERIFY(waitUntil([&] { return answered == 4; }, 30000));
        QVERIFY(!acknowledged.isEmpty());
        QVERIFY2(m_f.crash(), qPrintable(m_f.errorString()));
        // For the figures: how many trees the crash caught before their init was known.
        int halfStarted = 0;
        for (const QString &root :
             QDir(m_f.server().dataDir() + u"/sandboxes"_s).entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
            const auto state = parseJson(readAll(m_f.rootOf(root) + u"/run/state.json"_s));
            halfStarted += state && state->is_object() && state->value("initPid", 0) == 0 ? 1 : 0;
        }
        QVERIFY2(m_f.restart(), qPrintable(m_f.errorString()));

        // Acknowledged: there and usable, with one process tree each.
        for (const QString &id : std::as_const(acknowledged)) {
            QVERIFY2(m_f.waitStatus(id, SandboxStatus::Ready), qPrintable(m_f.errorString()));
            const auto echo = m_f.run(id, u"echo ok"_s);
            QVERIFY2(echo && echo->stdoutText == u"ok\n"_s, qPrintable(m_f.errorString()));
            QCOMPARE(m_f.processTrees(id), 1);
        }
        // Not acknowledged: there and usable, or not there at all; never stuck half-created.
        const auto all = awaitJob(m_f.client().listSandboxes());
        QVERIFY(all && all->ok());
        int unacknowledged = 0;
        for (const Sandbox &sandbox : all->value().data) {
            if (sandbox.id == before || acknowledged.contains(sandbox.id))
                continue;
            ++unacknowledged;
            QVERIFY2(m_f.waitStatus(sandbox.id, SandboxStatus::Ready), qPrintable(m_f.errorString()));
            QCOMPARE(m_f.processTrees(sandbox.id), 1);
        }

        // The one from before: same tree, same background process, still answering.
        QVERIFY2(m_f.waitStatus(before, SandboxStatus::Ready), qPrintable(m_f.errorString()));
        const auto alive = m_f.run(before, u"kill -0 \"$(cat /workspace/bg.pid)\" && echo alive"_s);
        QVERIFY2(alive, qPrintable(m_f.errorString()));
        QCOMPARE(alive->stdoutText, u"alive\n"_s);
        QCOMPARE(m_f.processTrees(before), 1);
        QVERIFY(m_f.appMatchesServer());
        reportFigures("create",
                      u"acknowledged=%1/4,ready=%1,unacknowledged_present=%2,half_started_at_kill=%3,stuck=0,"
                      u"earlier_tree_kept=1"_s.arg(acknowledged.size())
                          .arg(unacknowledged)
                          .arg(halfStarted),
                      m_f.lastRecovery());
    }

    void killDuringExec()
    {
        const QString id = m_f.createReady();
        QVERIFY2(!id.isEmpty(), qPrintable(m_f.errorString()));
        QVERIFY2(m_f.run(id, u"mkfifo /workspace/gate"_s), qPrintable(m_f.errorString()));
        const QString workspace = m_f.workspaceOf(id);

        // The command writes a first line, then blocks reading the FIFO: killed in between.
        ExecRequest request;
        request.id = id;
        request.command = u"echo started > /workspace/started; read line < /workspace/gate; "
                          u"echo \"$line\" > /workspace/after"_s;
        request.timeoutMs = 120000;
        std::optional<ApiResult<ExecResult>> answer;
        QObject context;
        connect(m_f.client().exec(request), &ExecJob::finished, &context,
                [&answer](const ApiResult<ExecResult> &result) { answer.emplace(result); });
        QVERIFY(waitUntil([&] { return QFileInfo::exists(workspace + u"/started"_s); }, 20000));
        QVERIFY(m_f.fetch(id)->status == SandboxStatus::Active);
        QVERIFY2(m_f.crash(), qPrintable(m_f.errorString()));
        // The request died with the server: an error, never an invented result.
        QVERIFY(waitUntil([&] { return answer.has_value(); }, 10000));
        QVERIFY(!answer->ok());
        QVERIFY2(m_f.restart(), qPrintable(m_f.errorString()));

        // Documented (docs/api.md, Restarts): back to ready, saying the command was not reported.
        QVERIFY2(m_f.waitStatus(id, SandboxStatus::Ready), qPrintable(m_f.errorString()));
        const QString reason = m_f.fetch(id)->statusReason.value_or(QString());
        QVERIFY2(reason.contains(u"restarted"_s), qPrintable(reason));
        // The command itself kept running inside: released now, it finishes its work.
        QVERIFY2(releaseGate(workspace + u"/gate"_s, "go\n"),
                 "nobody reads the gate: the command died with the server");
        QTRY_COMPARE_WITH_TIMEOUT(readAll(workspace + u"/after"_s), "go\n"_ba, 10000);
        const auto echo = m_f.run(id, u"echo ok"_s);
        QVERIFY2(echo && echo->stdoutText == u"ok\n"_s, qPrintable(m_f.errorString()));
        QVERIFY2(m_f.waitStatus(id, SandboxStatus::Ready), qPrintable(m_f.errorString()));
        QCOMPARE(m_f.processTrees(id), 1);
        reportFigures("exec", u"request_failed=1,command_survived=1,sandbox=ready,new_exec=ok"_s,
                      m_f.lastRecovery());
    }

    void killWhileAnAgentWaitsForAHandoff()
    {
        const QString id = m_f.createReady();
        QVERIFY2(!id.isEmpty(), qPrintable(m_f.errorString()));
        const QString workspace = m_f.workspaceOf(id);
        const auto started =
            m_f.run(id, u"(banata-handoff --reason mfa --message 'Enter the code' > /workspace/h.out "
                        u"2> /workspace/h.err; echo $? > /workspace/h.exit) > /dev/null 2>&1 &"_s);
        QVERIFY2(started && started->exitCode == 0, qPrintable(m_f.errorString()));
        // The agent waits, and the operator's inbox (the app) shows it.
        QTRY_VERIFY_WITH_TIMEOUT(m_f.connection().activeHandoffs().contains(id), 20000);
        const QString requestId = m_f.connection().activeHandoffs().value(id).requestId;

        // Crash while it is pending: still pending afterwards, in the server and in the inbox.
        QVERIFY2(m_f.crash(), qPrintable(m_f.errorString()));
        QVERIFY2(m_f.restart(), qPrintable(m_f.errorString()));
        const Recovery whilePending = m_f.lastRecovery();
        AWAIT_OK(pending, m_f.client().handoff(id));
        QCOMPARE(pending.handoff.requestId, requestId);
        QVERIFY(pending.handoff.status == HandoffStatus::Pending);
        QTRY_COMPARE_WITH_TIMEOUT(m_f.connection().activeHandoffs().value(id).requestId, requestId, 10000);
        QVERIFY(!QFileInfo::exists(workspace + u"/h.exit"_s)); // the agent still waits

        // Accepted by the operator, then another crash: still theirs afterwards.
        AWAIT_OK(accepted, m_f.client().acceptHandoff(id, u"ops"_s));
        QVERIFY2(m_f.crash(), qPrintable(m_f.errorString()));
        QVERIFY2(m_f.restart(), qPrintable(m_f.errorString()));
        AWAIT_OK(stillAccepted, m_f.client().handoff(id));
        QCOMPARE(stillAccepted.handoff.requestId, requestId);
        QVERIFY(stillAccepted.handoff.status == HandoffStatus::Accepted);
        QCOMPARE(stillAccepted.handoff.controller, std::optional<QString>(u"ops"_s));
        QVERIFY(stillAccepted.preview);
        QCOMPARE(stillAccepted.preview->controlMode, std::optional<QString>(u"human"_s));
        QTRY_VERIFY_WITH_TIMEOUT(
            m_f.connection().activeHandoffs().value(id).status == HandoffStatus::Accepted, 10000);

        // Handed back: the waiting command gets the outcome and the note.
        AWAIT_OK(completed, m_f.client().completeHandoff(id, u"done"_s, u"code 123456 entered"_s));
        QTRY_COMPARE_WITH_TIMEOUT(readAll(workspace + u"/h.exit"_s).trimmed(), "0"_ba, 20000);
        const auto printed = parseJson(readAll(workspace + u"/h.out"_s));
        QVERIFY2(printed.ok(), readAll(workspace + u"/h.err"_s).constData());
        QCOMPARE((*printed)["requestId"].get<std::string>(), requestId.toStdString());
        QCOMPARE((*printed)["note"].get<std::string>(), std::string("code 123456 entered"));
        QTRY_VERIFY_WITH_TIMEOUT(!m_f.connection().activeHandoffs().contains(id), 10000);
        reportFigures("handoff.pending", u"still_pending=1,inbox_restored=1"_s, whilePending);
        reportFigures("handoff.accepted", u"still_accepted=1,control=human,agent_got_outcome=done"_s,
                      m_f.lastRecovery());
    }
};

QTEST_GUILESS_MAIN(TestFaultKillLifecycle)
#include "test_fault_kill_lifecycle.moc"
