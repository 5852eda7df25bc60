// SPDX-License-Identifier: MIT
// The detail pane's session against a real banata-local with a scripted agent: the console runs
// shell commands (stdout, stderr, exit status), the timeline holds the sandbox's history, live
// events and the operator's own actions, and a prompt's task appears with its metadata.
#include "session/connection.h"
#include "session/sandboxsession.h"

#include "models/operatorjournal.h"
#include "support/servertestbase.h"

#include <QAbstractItemModelTester>
#include <QNetworkAccessManager>
#include <QSignalSpy>

using namespace banata;
using namespace banata::test;
using namespace Qt::StringLiterals;

namespace {

constexpr int kWait = 20000;

/// Runs inside the sandbox: answers with what it was given.
const QString kAgent = uR"(echo "agent got: $BANATA_PROMPT"
echo "meta $BANATA_TASK_METADATA")"_s;

int countOf(const TimelineModel &timeline, const QString &what, TimelineEntry::Source source)
{
    int count = 0;
    for (int row = 0; row < timeline.rowCount(); ++row) {
        const TimelineEntry &entry = timeline.entryAt(row);
        count += entry.what == what && entry.source == source ? 1 : 0;
    }
    return count;
}

int countEvents(const TimelineModel &timeline, const QString &type)
{
    return countOf(timeline, type, TimelineEntry::Source::Server);
}

} // namespace

class TestSandboxSession : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        m_fixture = std::make_unique<ServerFixture>();
        QVERIFY2(m_fixture->start({u"--agent-command"_s, kAgent}), qPrintable(m_fixture->errorString()));
        m_id = m_fixture->createReady();
        QVERIFY2(!m_id.isEmpty(), qPrintable(m_fixture->errorString()));
        m_connection = std::make_unique<Connection>(
            ConnectionConfig{u"local"_s, u"Local"_s, m_fixture->server().url(), ConnectionConfig::Kind::Local}, &m_network);
        m_connection->start(m_fixture->server().apiKey());
        QTRY_COMPARE_WITH_TIMEOUT(m_connection->status(), Connection::Status::Online, kWait);

        m_session = std::make_unique<SandboxSession>(m_connection.get(), m_id, &m_journal, u"ana"_s);
        m_tasksTester = std::make_unique<QAbstractItemModelTester>(m_session->tasks());
        m_timelineTester = std::make_unique<QAbstractItemModelTester>(m_session->timeline());
    }

    void cleanupTestCase()
    {
        m_timelineTester.reset();
        m_tasksTester.reset();
        m_session.reset();
        m_connection.reset();
        m_fixture.reset();
    }

    void loadsTheHistory()
    {
        QCOMPARE(m_session->key(), (SandboxKey{u"local"_s, m_id}));
        TimelineModel *timeline = m_session->timeline();
        QTRY_VERIFY_WITH_TIMEOUT(countEvents(*timeline, u"sandbox.ready"_s) == 1, kWait);
        QCOMPARE(countEvents(*timeline, u"sandbox.created"_s), 1);
        // Oldest first.
        int created = -1;
        int ready = -1;
        for (int row = 0; row < timeline->rowCount(); ++row) {
            const QString what = timeline->entryAt(row).what;
            created = what == u"sandbox.created" ? row : created;
            ready = what == u"sandbox.ready" ? row : ready;
        }
        QVERIFY(created < ready);
    }

    void consoleRunsShellCommands()
    {
        QSignalSpy added(m_session.get(), &SandboxSession::consoleEntryAdded);
        QSignalSpy changed(m_session.get(), &SandboxSession::consoleEntryChanged);
        m_session->runCommand(u"echo hi; echo err >&2; exit 3"_s);
        QCOMPARE(added.count(), 1);
        const int index = added.first().at(0).toInt();
        QVERIFY(m_session->console().at(index).running);
        QVERIFY(changed.wait(kWait));
        const ConsoleEntry &entry = m_session->console().at(index);
        QVERIFY(!entry.running);
        QVERIFY2(entry.ok, qPrintable(entry.error));
        QCOMPARE(entry.stdoutText, u"hi\n"_s);
        QCOMPARE(entry.stderrText, u"err\n"_s);
        QCOMPARE(entry.exitCode, 3);
        QVERIFY(entry.durationMs >= 0);
        QCOMPARE(entry.command, u"echo hi; echo err >&2; exit 3"_s);

        // The operator's action is in the journal and on the timeline, with who did it.
        const QList<OperatorAction> recorded = m_journal.actionsFor(m_session->key());
        QCOMPARE(recorded.size(), 1);
        QCOMPARE(recorded.first().action, u"exec"_s);
        QCOMPARE(recorded.first().detail, u"echo hi; echo err >&2; exit 3"_s);
        QCOMPARE(recorded.first().result, u"exit 3"_s);
        QVERIFY(!recorded.first().ok);
        QCOMPARE(countOf(*m_session->timeline(), u"exec"_s, TimelineEntry::Source::Operator), 1);
        for (int row = 0; row < m_session->timeline()->rowCount(); ++row) {
            const TimelineEntry &e = m_session->timeline()->entryAt(row);
            if (e.source == TimelineEntry::Source::Operator)
                QCOMPARE(e.who, u"ana"_s);
        }
    }

    void liveEventsReachTheTimeline()
    {
        AWAIT_OK(paused, m_fixture->client().pauseSandbox(m_id));
        QTRY_VERIFY_WITH_TIMEOUT(countEvents(*m_session->timeline(), u"sandbox.paused"_s) == 1, kWait);

        // A command in a paused sandbox is refused by the server; the console says why.
        QSignalSpy changed(m_session.get(), &SandboxSession::consoleEntryChanged);
        m_session->runCommand(u"true"_s);
        QVERIFY(changed.wait(kWait));
        const ConsoleEntry &refused = m_session->console().last();
        QVERIFY(!refused.ok);
        QVERIFY2(refused.error.contains(u"409"_s), qPrintable(refused.error));

        AWAIT_OK(resumed, m_fixture->client().resumeSandbox(m_id));
        QTRY_VERIFY_WITH_TIMEOUT(countEvents(*m_session->timeline(), u"sandbox.resumed"_s) == 1, kWait);
    }

    void promptCompletesWithItsTask()
    {
        QSignalSpy sent(m_session.get(), &SandboxSession::promptSent);
        m_session->sendPrompt(u"summarise the report"_s, Json{{"jobId", 42}});
        QVERIFY(sent.wait(kWait));
        const QString taskId = sent.first().at(0).toString();
        QVERIFY2(sent.first().at(1).toString().isEmpty(), qPrintable(sent.first().at(1).toString()));
        QVERIFY(taskId.startsWith(u"task_"_s));

        TaskModel *tasks = m_session->tasks();
        QVERIFY(tasks->rowOf(taskId) >= 0);
        QTRY_VERIFY_WITH_TIMEOUT(tasks->taskAt(tasks->rowOf(taskId))->status == TaskStatus::Completed, kWait);
        const AgentTask task = *tasks->taskAt(tasks->rowOf(taskId));
        QVERIFY(task.metadata == (Json{{"jobId", 42}}));
        QCOMPARE(task.prompt, u"summarise the report"_s);
        QVERIFY2(task.output.contains(u"agent got: summarise the report"_s), qPrintable(task.output));
        QVERIFY(tasks->data(tasks->index(tasks->rowOf(taskId), 0), TaskModel::MetadataRole).toString().contains(u"jobId"_s));

        QTRY_VERIFY_WITH_TIMEOUT(countEvents(*m_session->timeline(), u"sandbox.agent.task.completed"_s) == 1, kWait);
        QCOMPARE(countOf(*m_session->timeline(), u"prompt"_s, TimelineEntry::Source::Operator), 1);
        QCOMPARE(m_journal.actionsFor(m_session->key()).last().action, u"prompt"_s);
    }

    void refreshReloadsWithoutDuplicates()
    {
        const int rows = m_session->timeline()->rowCount();
        const int readies = countEvents(*m_session->timeline(), u"sandbox.ready"_s);
        QVERIFY(readies >= 2); // started, and back from every command
        QSignalSpy errors(m_session.get(), &SandboxSession::loadErrorChanged);
        m_session->refresh();
        QTRY_COMPARE_WITH_TIMEOUT(m_session->timeline()->rowCount(), rows, kWait);
        QTRY_VERIFY_WITH_TIMEOUT(m_session->tasks()->rowCount() == 1, kWait);
        QCOMPARE(countEvents(*m_session->timeline(), u"sandbox.ready"_s), readies);
        QCOMPARE(countOf(*m_session->timeline(), u"exec"_s, TimelineEntry::Source::Operator), 2);
        QCOMPARE(errors.count(), 0);
    }

    void aMissingSandboxSaysSo()
    {
        SandboxSession missing(m_connection.get(), u"doesnotexist00000000000000000000"_s, &m_journal, u"ana"_s);
        QSignalSpy errors(&missing, &SandboxSession::loadErrorChanged);
        QVERIFY(errors.wait(kWait));
        QVERIFY2(errors.last().at(0).toString().contains(u"Sandbox session not found"_s),
                 qPrintable(errors.last().at(0).toString()));
        QSignalSpy sent(&missing, &SandboxSession::promptSent);
        missing.sendPrompt(u"hello"_s, Json::object());
        QVERIFY(sent.wait(kWait));
        QVERIFY(!sent.first().at(1).toString().isEmpty());
    }

private:
    QNetworkAccessManager m_network;
    std::unique_ptr<ServerFixture> m_fixture;
    std::unique_ptr<Connection> m_connection;
    OperatorJournal m_journal{QString()};
    std::unique_ptr<SandboxSession> m_session;
    std::unique_ptr<QAbstractItemModelTester> m_tasksTester;
    std::unique_ptr<QAbstractItemModelTester> m_timelineTester;
    QString m_id;
};

QTEST_GUILESS_MAIN(TestSandboxSession)
#include "test_sandboxsession.moc"
