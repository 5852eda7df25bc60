// SPDX-License-Identifier: MIT
// A Connection against servers that misbehave (malformed or huge lists, unknown states, 500s,
// a refused key, a body cut short, no health route, malformed events, a dropped stream): it says
// what is wrong in statusText, retries by itself, recovers, and never blocks the event loop.
#include "session/connection.h"
#include "session/sandboxactions.h"

#include "support/apiclienttest.h"
#include "support/fakebanata.h"
#include "support/fakeeventserver.h"

#include <QSignalSpy>
#include <QTest>

using namespace banata;
using namespace banata::test;
using namespace Qt::StringLiterals;

namespace {

ConnectionConfig configFor(const QUrl &url)
{
    return {u"fake"_s, u"Fake server"_s, url, ConnectionConfig::Kind::Remote};
}

} // namespace

class TestConnectionBadInput : public QObject
{
    Q_OBJECT

private slots:
    void loadsAndPollsAWellBehavedServer()
    {
        FakeBanata fake;
        fake.sandboxes = {fakeSandbox(1), fakeSandbox(2, SandboxStatus::Paused)};
        Connection connection(configFor(kBaseUrl), &fake.network);
        QSignalSpy resets(&connection, &Connection::sandboxesReset);
        QCOMPARE(connection.status(), Connection::Status::Idle);
        connection.start(kApiKey);
        QCOMPARE(connection.status(), Connection::Status::Connecting);
        QTRY_COMPARE(connection.status(), Connection::Status::Polling);
        QCOMPARE(resets.count(), 1);
        QCOMPARE(connection.sandboxes().size(), 2);
        QVERIFY(connection.sandbox(u"sb_2"_s)->status == SandboxStatus::Paused);
        QVERIFY(connection.supports(u"pause"_s));
        QVERIFY(!connection.supports(u"events"_s));
        QVERIFY(connection.statusText().isEmpty());
        QCOMPARE(fake.network.requests().first().url().path(), u"/v1/health"_s);
        QCOMPARE(fake.network.requests().at(1).queryValue(u"limit"_s), u"1000"_s);
    }

    void unreachableServerIsDownAndRecoversByItself()
    {
        Heartbeat heartbeat;
        FakeBanata fake;
        fake.sandboxes = {fakeSandbox(1)};
        fake.health = FakeReplySpec::networkError();
        Connection connection(configFor(kBaseUrl), &fake.network);
        QSignalSpy statuses(&connection, &Connection::statusChanged);
        connection.start(kApiKey);
        QTRY_COMPARE(connection.status(), Connection::Status::Down);
        QVERIFY2(connection.statusText().startsWith(u"Connection refused — retrying in "_s), qPrintable(connection.statusText()));
        QVERIFY(connection.nextRetryAt().isValid());
        QVERIFY(QDateTime::currentDateTimeUtc().msecsTo(connection.nextRetryAt()) <= 1000);
        QVERIFY(connection.sandboxes().isEmpty());

        fake.health.reset();
        QTRY_COMPARE_WITH_TIMEOUT(connection.status(), Connection::Status::Polling, 5000);
        QCOMPARE(connection.sandboxes().size(), 1);
        QVERIFY(!connection.nextRetryAt().isValid());
        QVERIFY2(heartbeat.longestGapMs() < 1000, qPrintable(QString::number(heartbeat.longestGapMs())));
    }

    void serverErrorsBackOffThenRecover()
    {
        FakeBanata fake;
        fake.sandboxes = {fakeSandbox(1)};
        fake.health = FakeReplySpec::json(500, fakeErrorBody("Database is on fire", "INTERNAL"));
        Connection connection(configFor(kBaseUrl), &fake.network);
        connection.start(kApiKey);
        QTRY_COMPARE(connection.status(), Connection::Status::Down);
        QVERIFY2(connection.statusText().contains(u"Database is on fire (500)"_s), qPrintable(connection.statusText()));
        QVERIFY(connection.statusText().contains(u"retrying in 1 s"_s));
        // The second failure waits twice as long.
        QTRY_COMPARE_WITH_TIMEOUT(fake.healthRequests, 2, 3000);
        QTRY_VERIFY(connection.statusText().contains(u"retrying in 2 s"_s));
        fake.health.reset();
        QTRY_COMPARE_WITH_TIMEOUT(connection.status(), Connection::Status::Polling, 5000);
        QCOMPARE(connection.sandboxes().size(), 1);
    }

    void refusedKeyRetriesSlowlyAndRefreshRetriesNow()
    {
        FakeBanata fake;
        fake.health = FakeReplySpec::json(401, fakeErrorBody("Invalid or missing API key", "UNAUTHORIZED"));
        Connection connection(configFor(kBaseUrl), &fake.network);
        connection.start(u"br_live_wrong"_s);
        QTRY_COMPARE(connection.status(), Connection::Status::Down);
        QVERIFY2(connection.statusText().startsWith(u"The API key was refused — retrying in "_s), qPrintable(connection.statusText()));
        QVERIFY(QDateTime::currentDateTimeUtc().msecsTo(connection.nextRetryAt()) > 10000);
        QCOMPARE(fake.healthRequests, 1); // a refused key is not hammered

        fake.health.reset();
        connection.refresh();
        QTRY_COMPARE_WITH_TIMEOUT(connection.status(), Connection::Status::Polling, 2000);
    }

    void malformedListIsReportedAndRetried_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("expected");
        QTest::newRow("truncated JSON") << QByteArray("{\"data\": [{\"id\": \"sb_1\", \"stat") << u"could not read"_s;
        QTest::newRow("not an object") << QByteArray("[1, 2, 3]") << u"could not read"_s;
        Json unknownState = fakeSandbox(1).toJson();
        unknownState["status"] = "hibernating";
        QTest::newRow("unknown state") << dumpJson(Json{{"data", Json::array({unknownState})}, {"nextCursor", nullptr}})
                                       << u"status"_s;
        Json missing = fakeSandbox(1).toJson();
        missing.erase("id");
        QTest::newRow("missing id") << dumpJson(Json{{"data", Json::array({missing})}, {"nextCursor", nullptr}})
                                    << u"id"_s;
        Json wrongType = fakeSandbox(1).toJson();
        wrongType["createdAt"] = "yesterday";
        QTest::newRow("wrong type") << dumpJson(Json{{"data", Json::array({wrongType})}, {"nextCursor", nullptr}})
                                    << u"createdAt"_s;
    }

    void malformedListIsReportedAndRetried()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, expected);
        Heartbeat heartbeat;
        FakeBanata fake;
        fake.sandboxes = {fakeSandbox(1), fakeSandbox(2)};
        fake.listAll = FakeReplySpec::json(200, body);
        Connection connection(configFor(kBaseUrl), &fake.network);
        connection.start(kApiKey);
        QTRY_COMPARE(connection.status(), Connection::Status::Down);
        const QString text = connection.statusText();
        QVERIFY2(text.startsWith(u"Could not load the sandbox list: The server sent an answer we could not read"_s), qPrintable(text));
        QVERIFY2(text.contains(expected), qPrintable(text));
        QVERIFY2(text.contains(u"— retrying in 1 s"_s), qPrintable(text));

        fake.listAll.reset(); // the server is fixed: the connection notices by itself
        QTRY_COMPARE_WITH_TIMEOUT(connection.status(), Connection::Status::Polling, 5000);
        QCOMPARE(connection.sandboxes().size(), 2);
        QVERIFY(heartbeat.longestGapMs() < 1000);
    }

    void hugeListIsReadPageByPage()
    {
        Heartbeat heartbeat;
        FakeBanata fake;
        for (int i = 0; i < 5000; ++i)
            fake.sandboxes.append(fakeSandbox(i, i % 3 ? SandboxStatus::Ready : SandboxStatus::Paused));
        Connection connection(configFor(kBaseUrl), &fake.network);
        QSignalSpy resets(&connection, &Connection::sandboxesReset);
        QSignalSpy changes(&connection, &Connection::sandboxChanged);
        connection.start(kApiKey);
        QTRY_COMPARE_WITH_TIMEOUT(connection.status(), Connection::Status::Polling, 20000);
        QCOMPARE(connection.sandboxes().size(), 5000);
        QCOMPARE(resets.count(), 1);  // one reset for the whole list, not one signal per row
        QCOMPARE(changes.count(), 0);
        QCOMPARE(fake.listRequests, 5);
        QStringList cursors;
        for (const RecordedRequest &request : fake.network.requests()) {
            if (request.url().path() == u"/v1/sandboxes")
                cursors.append(request.queryValue(u"cursor"_s));
        }
        QCOMPARE(cursors, (QStringList{QString(), u"1000"_s, u"2000"_s, u"3000"_s, u"4000"_s}));
        QVERIFY(connection.sandbox(u"sb_4999"_s).has_value());
        QVERIFY2(heartbeat.longestGapMs() < 1000, qPrintable(QString::number(heartbeat.longestGapMs())));
    }

    void pageClosingMidBodyIsDownThenRecovers()
    {
        Heartbeat heartbeat;
        FakeBanata fake;
        for (int i = 0; i < 2500; ++i)
            fake.sandboxes.append(fakeSandbox(i));
        const QByteArray partial = "{\"data\": [{\"id\": \"sb_1000\", \"status\": \"ready\", \"runt";
        bool cut = true;
        fake.onListPage = [&](int page) {
            if (page == 1 && cut)
                fake.listAll = FakeReplySpec::closeMidBody(200, partial, 100000);
            else
                fake.listAll.reset();
        };
        Connection connection(configFor(kBaseUrl), &fake.network);
        connection.start(kApiKey);
        QTRY_COMPARE_WITH_TIMEOUT(connection.status(), Connection::Status::Down, 10000);
        const QString text = connection.statusText();
        QVERIFY2(text.startsWith(u"Could not load the sandbox list: Remote host closed the connection — retrying in"_s),
                 qPrintable(text));
        QVERIFY(connection.sandboxes().isEmpty()); // half a list is never shown as the list

        cut = false;
        QTRY_COMPARE_WITH_TIMEOUT(connection.status(), Connection::Status::Polling, 5000);
        QCOMPARE(connection.sandboxes().size(), 2500);
        QVERIFY2(heartbeat.longestGapMs() < 1000, qPrintable(QString::number(heartbeat.longestGapMs())));
    }

    void serverWithoutHealthRouteIsPolledWithETags()
    {
        FakeBanata fake;
        fake.health = FakeReplySpec::json(404, fakeErrorBody("Not found", "NOT_FOUND"));
        fake.sandboxes = {fakeSandbox(1), fakeSandbox(2), fakeSandbox(3)};
        Connection connection(configFor(kBaseUrl), &fake.network);
        QSignalSpy changes(&connection, &Connection::sandboxChanged);
        QSignalSpy removals(&connection, &Connection::sandboxRemoved);
        connection.start(kApiKey);
        QTRY_COMPARE(connection.status(), Connection::Status::Polling);
        QVERIFY(!connection.health().has_value());
        QVERIFY(!connection.supports(u"pause"_s));
        QCOMPARE(connection.sandboxes().size(), 3);

        // The next poll asks If-None-Match and the 304 changes nothing.
        const auto conditional = [&fake] {
            for (const RecordedRequest &request : fake.network.requests()) {
                if (request.url().path() == u"/v1/sandboxes" && !request.header("If-None-Match").isEmpty())
                    return true;
            }
            return false;
        };
        QTRY_VERIFY_WITH_TIMEOUT(conditional(), 5000);
        QCOMPARE(changes.count(), 0);
        QCOMPARE(connection.status(), Connection::Status::Polling);

        fake.sandboxes[0].status = SandboxStatus::Paused;
        fake.sandboxes[0].updatedAt = 2000;
        fake.sandboxes.removeAt(2);
        QTRY_COMPARE_WITH_TIMEOUT(removals.count(), 1, 10000);
        QCOMPARE(removals.at(0).at(0).toString(), u"sb_3"_s);
        QCOMPARE(changes.count(), 1);
        QVERIFY(connection.sandbox(u"sb_1"_s)->status == SandboxStatus::Paused);
        QVERIFY(!connection.sandbox(u"sb_3"_s));
    }

    void featuresTheServerLacksAreDisabledWithAReason()
    {
        FakeBanata fake;
        fake.extensions = {u"health"_s, u"sandboxes.list"_s};
        fake.sandboxes = {fakeSandbox(1), fakeSandbox(2, SandboxStatus::Paused)};
        Connection connection(configFor(kBaseUrl), &fake.network);
        connection.start(kApiKey);
        QTRY_COMPARE(connection.status(), Connection::Status::Polling);
        const Sandbox ready = *connection.sandbox(u"sb_1"_s);
        const Sandbox paused = *connection.sandbox(u"sb_2"_s);
        QCOMPARE(actionAvailability(SandboxAction::Pause, ready, &connection).reason, u"This server cannot pause sandboxes"_s);
        QCOMPARE(actionAvailability(SandboxAction::Resume, paused, &connection).reason, u"This server cannot resume sandboxes"_s);
        QCOMPARE(actionAvailability(SandboxAction::Checkpoint, ready, &connection).reason,
                 u"This server cannot make checkpoints"_s);
        QVERIFY(actionAvailability(SandboxAction::Kill, ready, &connection).enabled); // documented for every server
        QVERIFY(connection.activeHandoffs().isEmpty()); // no handoff routes: not asked
        for (const RecordedRequest &request : fake.network.requests())
            QVERIFY(!request.url().path().contains(u"handoff"_s));
    }

    void aListOverTheCapIsCutWithANote()
    {
        FakeBanata fake;
        fake.extensions.removeAll(u"handoff.list"_s);
        fake.extensions.removeAll(u"handoff"_s);
        for (int i = 0; i < 100500; ++i)
            fake.sandboxes.append(fakeSandbox(i));
        Connection connection(configFor(kBaseUrl), &fake.network);
        connection.start(kApiKey);
        QTRY_COMPARE_WITH_TIMEOUT(connection.status(), Connection::Status::Polling, 60000);
        QCOMPARE(connection.sandboxes().size(), 100000);
        QCOMPARE(fake.listRequests, 100); // it stops asking once it has enough
        QVERIFY2(connection.statusText().startsWith(u"Showing the first"_s), qPrintable(connection.statusText()));
        QVERIFY(connection.statusText().contains(u"the server has more"_s));
    }

    void streamConnectsBeforeTheListAndEventsOvertakePages()
    {
        FakeEventServer events;
        QVERIFY(events.isListening());
        FakeBanata fake;
        fake.extensions.append(u"events"_s);
        fake.sandboxes = {fakeSandbox(1), fakeSandbox(2)};
        fake.pageChunkSize = 16;
        int streamsAtFirstPage = -1;
        Sandbox newer = fakeSandbox(1, SandboxStatus::Paused, 2000);
        fake.onListPage = [&](int) {
            if (streamsAtFirstPage < 0) {
                streamsAtFirstPage = events.connectionCount();
                // The change happens while the (older) page is on its way.
                events.sendEvent(u"sandbox.paused"_s, newer.id, Json{{"status", "paused"}, {"sandbox", newer.toJson()}});
            }
        };
        Connection connection(configFor(events.httpUrl()), &fake.network);
        QSignalSpy received(&connection, &Connection::eventReceived);
        QStringList order;
        connect(&connection, &Connection::sandboxChanged, this, [&order] { order.append(u"event"_s); });
        connect(&connection, &Connection::sandboxesReset, this, [&order] { order.append(u"list"_s); });
        connection.start(kApiKey);
        QTRY_COMPARE(connection.status(), Connection::Status::Online);
        QCOMPARE(streamsAtFirstPage, 1);
        QTRY_COMPARE(received.count(), 1);
        QCOMPARE(order, (QStringList{u"event"_s, u"list"_s})); // the event did overtake the page
        QCOMPARE(connection.sandboxes().size(), 2);
        QVERIFY(connection.sandbox(u"sb_1"_s)->status == SandboxStatus::Paused); // the event, not the page
        QCOMPARE(events.handshakes().first().query(), QString());
    }

    void malformedEventsAreSkippedAndTheStreamGoesOn()
    {
        FakeEventServer events;
        FakeBanata fake;
        fake.extensions.append(u"events"_s);
        fake.sandboxes = {fakeSandbox(1)};
        Connection connection(configFor(events.httpUrl()), &fake.network);
        QSignalSpy changes(&connection, &Connection::sandboxChanged);
        connection.start(kApiKey);
        QTRY_COMPARE(connection.status(), Connection::Status::Online);

        events.sendText(u"{not json"_s);
        QTRY_VERIFY(connection.statusText().startsWith(u"Skipped a malformed event from the server"_s));
        QCOMPARE(connection.status(), Connection::Status::Online);

        events.sendEvent(u"sandbox.handoff.requested"_s, u"sb_1"_s, Json{{"handoff", "not an object"}});
        Json broken = fakeSandbox(1).toJson();
        broken["status"] = 42;
        events.sendEvent(u"sandbox.ready"_s, u"sb_1"_s, Json{{"sandbox", broken}});
        const Sandbox paused = fakeSandbox(1, SandboxStatus::Paused, 3000);
        events.sendEvent(u"sandbox.paused"_s, u"sb_1"_s, Json{{"sandbox", paused.toJson()}});
        QTRY_COMPARE(changes.count(), 1);
        QVERIFY(connection.sandbox(u"sb_1"_s)->status == SandboxStatus::Paused);
        QCOMPARE(connection.status(), Connection::Status::Online);
        QVERIFY(connection.statusText().contains(u"status"_s));
    }

    void droppedStreamReconnectsAndResumes()
    {
        Heartbeat heartbeat;
        FakeEventServer events;
        FakeBanata fake;
        fake.extensions.append(u"events"_s);
        fake.sandboxes = {fakeSandbox(1)};
        Connection connection(configFor(events.httpUrl()), &fake.network);
        QSignalSpy resets(&connection, &Connection::sandboxesReset);
        connection.start(kApiKey);
        QTRY_COMPARE(connection.status(), Connection::Status::Online);
        events.setNextSeq(41);
        const Sandbox active = fakeSandbox(1, SandboxStatus::Active, 2000);
        events.sendEvent(u"sandbox.active"_s, u"sb_1"_s, Json{{"sandbox", active.toJson()}});
        QTRY_VERIFY(connection.sandbox(u"sb_1"_s)->status == SandboxStatus::Active);

        events.sendText(u"{\"seq\": 42, \"type\": \"sandbox.rea"_s);
        events.dropAll();
        QTRY_COMPARE(connection.status(), Connection::Status::Reconnecting);
        QVERIFY2(connection.statusText().startsWith(u"Event stream lost"_s), qPrintable(connection.statusText()));
        QTRY_COMPARE_WITH_TIMEOUT(connection.status(), Connection::Status::Online, 5000);
        QCOMPARE(events.handshakes().last().query(), u"since=41"_s); // resumes; nothing is missed
        QCOMPARE(resets.count(), 1); // and no refetch was needed

        // The server no longer has what we asked for: everything is read again.
        const int listsBefore = fake.listRequests;
        fake.sandboxes.append(fakeSandbox(2));
        events.sendText(QString::fromUtf8(dumpJson(Json{{"seq", 7}, {"type", "stream.reset"}, {"timestamp", 1},
                                                        {"data", {{"reason", "too old"}, {"lastSeq", 7}}}})));
        QTRY_COMPARE(resets.count(), 2);
        QCOMPARE(fake.listRequests, listsBefore + 1);
        QCOMPARE(connection.sandboxes().size(), 2);
        QTRY_COMPARE(connection.status(), Connection::Status::Online);
        QVERIFY(heartbeat.longestGapMs() < 1000);
    }

    void handoffAndTaskEventsUpdateTheirTables()
    {
        FakeEventServer events;
        FakeBanata fake;
        fake.extensions.append(u"events"_s);
        fake.sandboxes = {fakeSandbox(1), fakeSandbox(2)};
        Handoff waiting;
        waiting.requestId = u"hr_old"_s;
        waiting.reason = u"mfa"_s;
        waiting.message = u"Enter the code"_s;
        waiting.requestedBy = u"agent"_s;
        waiting.requestedAt = 900;
        waiting.updatedAt = 900;
        fake.pendingHandoffs = {{u"sb_2"_s, waiting}};
        Connection connection(configFor(events.httpUrl()), &fake.network);
        QSignalSpy handoffs(&connection, &Connection::handoffChanged);
        QSignalSpy tasks(&connection, &Connection::taskChanged);
        connection.start(kApiKey);
        QTRY_COMPARE(connection.status(), Connection::Status::Online);
        QCOMPARE(connection.activeHandoffs().value(u"sb_2"_s).requestId, u"hr_old"_s);
        QCOMPARE(handoffs.count(), 1);

        Handoff requested = waiting;
        requested.requestId = u"hr_1"_s;
        requested.updatedAt = 1000;
        events.sendEvent(u"sandbox.handoff.requested"_s, u"sb_1"_s, Json{{"handoff", requested.toJson()}, {"controlMode", "shared"}});
        QTRY_COMPARE(handoffs.count(), 2);
        QCOMPARE(connection.activeHandoffs().size(), 2);
        Handoff completed = requested;
        completed.status = HandoffStatus::Completed;
        completed.outcome = u"done"_s;
        completed.updatedAt = 1100;
        events.sendEvent(u"sandbox.handoff.completed"_s, u"sb_1"_s, Json{{"handoff", completed.toJson()}, {"controlMode", "ai"}});
        QTRY_COMPARE(handoffs.count(), 3);
        QVERIFY(!connection.activeHandoffs().contains(u"sb_1"_s));
        QVERIFY(handoffs.at(2).at(1).value<Handoff>().status == HandoffStatus::Completed);

        AgentTask task;
        task.taskId = u"task_1"_s;
        task.sandboxId = u"sb_1"_s;
        task.prompt = u"summarise"_s;
        task.status = TaskStatus::Running;
        task.createdAt = 1000;
        events.sendEvent(u"sandbox.agent.task.running"_s, u"sb_1"_s, Json{{"taskId", "task_1"}, {"status", "running"}, {"task", task.toJson()}});
        QTRY_COMPARE(tasks.count(), 1);
        QCOMPARE(connection.currentTasks().value(u"sb_1"_s).prompt, u"summarise"_s);
        task.status = TaskStatus::Completed;
        events.sendEvent(u"sandbox.agent.task.completed"_s, u"sb_1"_s, Json{{"taskId", "task_1"}, {"status", "completed"}, {"task", task.toJson()}});
        QTRY_COMPARE(tasks.count(), 2);
        QVERIFY(connection.currentTasks().isEmpty());
    }

    void stoppingEndsEverything()
    {
        FakeBanata fake;
        fake.health = FakeReplySpec::networkError();
        Connection connection(configFor(kBaseUrl), &fake.network);
        connection.start(kApiKey);
        QTRY_COMPARE(connection.status(), Connection::Status::Down);
        connection.stop();
        QCOMPARE(connection.status(), Connection::Status::Idle);
        QVERIFY(!connection.isStarted());
        QSignalSpy requests(&fake.network, &FakeNetworkAccessManager::requestReceived);
        QVERIFY(!requests.wait(2500)); // nothing may retry once stopped
    }
};

QTEST_GUILESS_MAIN(TestConnectionBadInput)
#include "test_connection_badinput.moc"
