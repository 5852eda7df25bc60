// SPDX-License-Identifier: MIT
// Agent tasks end to end with a scripted agent (--agent-command): prompt and promptAsync, the
// caller's metadata in events, failures, one task at a time in order, a killed sandbox, a server
// restart, and the clear error when no agent is configured.
#include "support/servertestbase.h"

#include "core/task.h"

#include <QFile>

using namespace banata;
using namespace banata::test;
using namespace Qt::StringLiterals;

namespace {
/// The scripted agent: runs inside the sandbox, so it only uses what the sandbox has.
const QString kAgent = uR"(echo "did: $BANATA_PROMPT" >> /workspace/result.txt
echo "task $BANATA_TASK_ID meta $BANATA_TASK_METADATA"
case "$BANATA_PROMPT" in
  fail*) echo oops >&2; exit 3 ;;
  slow*) while [ ! -e /workspace/go ]; do sleep 0.05; done ;;
esac)"_s;

Event lastEvent(const ServerFixture &fixture, const QString &sandboxId, const QString &type, const QString &taskId)
{
    const QList<Event> &events = fixture.received();
    for (auto it = events.crbegin(); it != events.crend(); ++it) {
        if (it->sandboxId == sandboxId && it->type == type && it->data.value("taskId", std::string()) == toStd(taskId))
            return *it;
    }
    return {};
}

bool sawTaskEvent(const ServerFixture &fixture, const QString &sandboxId, const QString &type, const QString &taskId)
{
    return lastEvent(fixture, sandboxId, type, taskId).seq > 0;
}

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}
} // namespace

class TestServerTasks : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        m_fixture = std::make_unique<ServerFixture>();
        QVERIFY2(m_fixture->start({u"--agent-command"_s, kAgent}), qPrintable(m_fixture->errorString()));
        m_id = m_fixture->createReady();
        QVERIFY2(!m_id.isEmpty(), qPrintable(m_fixture->errorString()));
    }
    void cleanupTestCase() { m_fixture.reset(); }

    void promptWaitsForTheAgent()
    {
        AWAIT_OK(task, m_fixture->client().prompt(m_id, u"hello world"_s));
        QVERIFY(task.status == TaskStatus::Completed);
        QCOMPARE(task.sandboxId, m_id);
        QCOMPARE(task.prompt, u"hello world"_s);
        QCOMPARE(task.exitCode, std::optional(0));
        QCOMPARE(task.output, u"task %1 meta {}\n"_s.arg(task.taskId));
        QVERIFY(task.startedAt && task.completedAt && *task.completedAt >= *task.startedAt);
        QVERIFY(readAll(m_fixture->workspaceOf(m_id) + u"/result.txt"_s).contains("did: hello world\n"));
        QTRY_VERIFY_WITH_TIMEOUT(sawTaskEvent(*m_fixture, m_id, u"sandbox.agent.task.completed"_s, task.taskId), 5000);
        QVERIFY(sawTaskEvent(*m_fixture, m_id, u"sandbox.agent.task.queued"_s, task.taskId));
        QVERIFY(sawTaskEvent(*m_fixture, m_id, u"sandbox.agent.task.running"_s, task.taskId));
    }

    void promptAsyncEchoesMetadata()
    {
        const Json metadata = {{"userId", "u-7"}, {"jobId", 42}};
        AWAIT_OK(queued, m_fixture->client().promptAsync(m_id, u"summarise"_s, metadata));
        QVERIFY(queued.status == TaskStatus::Queued || queued.status == TaskStatus::Running);
        QVERIFY(queued.taskId.startsWith(u"task_"_s));
        QVERIFY(queued.metadata == metadata);
        QTRY_VERIFY_WITH_TIMEOUT(sawTaskEvent(*m_fixture, m_id, u"sandbox.agent.task.completed"_s, queued.taskId), 20000);
        const Event completed = lastEvent(*m_fixture, m_id, u"sandbox.agent.task.completed"_s, queued.taskId);
        QVERIFY(completed.data["metadata"] == metadata);
        QVERIFY(completed.data["task"]["metadata"] == metadata);
        QCOMPARE(completed.data["status"].get<std::string>(), std::string("completed"));

        AWAIT_OK(fetched, m_fixture->client().task(m_id, queued.taskId));
        QVERIFY(fetched.status == TaskStatus::Completed);
        QVERIFY(fetched.output.contains(u"meta {\"jobId\":42,\"userId\":\"u-7\"}"_s));
        AWAIT_OK(all, m_fixture->client().tasks(m_id));
        QVERIFY(all.size() >= 2);
        QCOMPARE(all.first().taskId, queued.taskId); // newest first
        AWAIT_ERROR(m_fixture->client().task(m_id, u"task_nope"_s), 404, "TASK_NOT_FOUND");
        auto listRequest = [this](const QString &limit) {
            return ApiRequest::get(u"/v1/sandboxes/tasks"_s).query(u"id"_s, m_id).query(u"limit"_s, limit);
        };
        AWAIT_OK(one, m_fixture->client().send<TaskListJob>(listRequest(u"1"_s)));
        QCOMPARE(one.size(), 1);
        QCOMPARE(one.first().taskId, queued.taskId);
        AWAIT_ERROR(m_fixture->client().send<TaskListJob>(listRequest(u"0"_s)), 400, "INVALID_REQUEST");
    }

    void aFailingAgentFailsTheTask()
    {
        AWAIT_OK(task, m_fixture->client().prompt(m_id, u"fail please"_s, Json{{"jobId", "f"}}));
        QVERIFY(task.status == TaskStatus::Failed);
        QCOMPARE(task.exitCode, std::optional(3));
        QCOMPARE(task.errorOutput, u"oops\n"_s);
        QCOMPARE(task.error, std::optional(u"The agent exited with status 3"_s));
        QTRY_VERIFY_WITH_TIMEOUT(sawTaskEvent(*m_fixture, m_id, u"sandbox.agent.task.failed"_s, task.taskId), 5000);
        QVERIFY(lastEvent(*m_fixture, m_id, u"sandbox.agent.task.failed"_s, task.taskId).data["metadata"]["jobId"] == "f");
    }

    void oneTaskAtATimeInOrder()
    {
        QFile::remove(m_fixture->workspaceOf(m_id) + u"/go"_s);
        AWAIT_OK(first, m_fixture->client().promptAsync(m_id, u"slow one"_s));
        AWAIT_OK(second, m_fixture->client().promptAsync(m_id, u"second"_s));
        AWAIT_OK(third, m_fixture->client().promptAsync(m_id, u"third"_s));
        QTRY_VERIFY_WITH_TIMEOUT(sawTaskEvent(*m_fixture, m_id, u"sandbox.agent.task.running"_s, first.taskId), 10000);
        AWAIT_OK(waiting, m_fixture->client().task(m_id, second.taskId));
        QVERIFY(waiting.status == TaskStatus::Queued);

        QFile go(m_fixture->workspaceOf(m_id) + u"/go"_s);
        QVERIFY(go.open(QIODevice::WriteOnly));
        go.close();
        QTRY_VERIFY_WITH_TIMEOUT(sawTaskEvent(*m_fixture, m_id, u"sandbox.agent.task.completed"_s, third.taskId), 20000);
        AWAIT_OK(a, m_fixture->client().task(m_id, first.taskId));
        AWAIT_OK(b, m_fixture->client().task(m_id, second.taskId));
        AWAIT_OK(c, m_fixture->client().task(m_id, third.taskId));
        QVERIFY(*b.startedAt >= *a.completedAt);
        QVERIFY(*c.startedAt >= *b.completedAt);
        QVERIFY(readAll(m_fixture->workspaceOf(m_id) + u"/result.txt"_s).contains("did: slow one\ndid: second\ndid: third\n"));
    }

    void badRequests()
    {
        AWAIT_ERROR(m_fixture->client().promptAsync(u"doesnotexist"_s, u"x"_s), 404, "SANDBOX_NOT_FOUND");
        AWAIT_ERROR(m_fixture->client().promptAsync(m_id, u"  "_s), 400, "INVALID_REQUEST");
        AWAIT_ERROR(m_fixture->client().tasks(u"doesnotexist"_s), 404, "SANDBOX_NOT_FOUND");
    }

    void killingTheSandboxFailsItsTasks()
    {
        const QString id = m_fixture->createReady();
        QVERIFY(!id.isEmpty());
        AWAIT_OK(running, m_fixture->client().promptAsync(id, u"slow forever"_s));
        AWAIT_OK(queued, m_fixture->client().promptAsync(id, u"never runs"_s));
        QTRY_VERIFY_WITH_TIMEOUT(sawTaskEvent(*m_fixture, id, u"sandbox.agent.task.running"_s, running.taskId), 10000);
        AWAIT_OK(killed, m_fixture->client().killSandbox(id));
        QTRY_VERIFY_WITH_TIMEOUT(sawTaskEvent(*m_fixture, id, u"sandbox.agent.task.failed"_s, running.taskId) &&
                                     sawTaskEvent(*m_fixture, id, u"sandbox.agent.task.failed"_s, queued.taskId),
                                 20000);
        AWAIT_OK(never, m_fixture->client().task(id, queued.taskId));
        QCOMPARE(never.error, std::optional(u"The sandbox ended"_s));
        QVERIFY(!never.startedAt);
        AWAIT_ERROR(m_fixture->client().promptAsync(id, u"x"_s), 409, "SANDBOX_ENDED");
    }

    void restartFailsRunningAndRunsQueued()
    {
        ServerFixture fixture;
        QVERIFY2(fixture.start({u"--agent-command"_s, kAgent}), qPrintable(fixture.errorString()));
        const QString id = fixture.createReady();
        QVERIFY(!id.isEmpty());
        AWAIT_OK(running, fixture.client().promptAsync(id, u"slow across a restart"_s));
        AWAIT_OK(queued, fixture.client().promptAsync(id, u"after restart"_s, Json{{"n", 1}}));
        QTRY_VERIFY_WITH_TIMEOUT(sawTaskEvent(fixture, id, u"sandbox.agent.task.running"_s, running.taskId), 10000);

        fixture.crash();
        QFile go(fixture.workspaceOf(id) + u"/go"_s); // lets the orphaned agent process end
        QVERIFY(go.open(QIODevice::WriteOnly));
        go.close();
        QVERIFY2(fixture.restart({u"--agent-command"_s, kAgent}), qPrintable(fixture.errorString()));
        QTRY_VERIFY_WITH_TIMEOUT(sawTaskEvent(fixture, id, u"sandbox.agent.task.completed"_s, queued.taskId), 20000);
        AWAIT_OK(lost, fixture.client().task(id, running.taskId));
        QVERIFY(lost.status == TaskStatus::Failed);
        QVERIFY2(lost.error && lost.error->contains(u"restarted"_s), qPrintable(lost.error.value_or(QString())));
        AWAIT_OK(ran, fixture.client().task(id, queued.taskId));
        QVERIFY(ran.metadata == (Json{{"n", 1}}));
    }

    void withoutAnAgentPromptsFailClearly()
    {
        ServerFixture fixture;
        QVERIFY2(fixture.start(), qPrintable(fixture.errorString()));
        const QString id = fixture.createReady();
        QVERIFY(!id.isEmpty());
        auto result = awaitJob(fixture.client().prompt(id, u"hello"_s));
        QVERIFY(result && !result->ok());
        QCOMPARE(result->error().httpStatus, 409);
        QCOMPARE(result->error().code, u"AGENT_NOT_CONFIGURED"_s);
        QCOMPARE(result->error().message, u"No agent is configured: start banata-local with --agent-command"_s);
        AWAIT_OK(none, fixture.client().tasks(id));
        QVERIFY(none.isEmpty());
    }

private:
    std::unique_ptr<ServerFixture> m_fixture;
    QString m_id;
};

QTEST_GUILESS_MAIN(TestServerTasks)
#include "test_server_tasks.moc"
