// SPDX-License-Identifier: MIT
// Wire types of human handoffs and agent tasks: round trips, and strict parsing of the documented
// handoff response (banata-api.md §5).
#include "core/handoff.h"
#include "core/task.h"

#include <QTest>

using namespace banata;
using namespace Qt::StringLiterals;

namespace {
/// A response as banata-api.md §5 shows it, accepted by a person.
Json documentedResponse()
{
    return Json::parse(R"({
        "ok": true,
        "handoff": {"requestId": "hr_1", "status": "accepted", "reason": "approval",
                    "message": "Please review the page and continue manually.",
                    "requestedBy": "sdk", "controller": "dashboard-user",
                    "resumePrompt": "After the human finishes, continue.",
                    "requestedAt": 1772078705353, "acceptedAt": 1772078706000,
                    "expiresAt": 1772079605353, "updatedAt": 1772078706000},
        "preview": {"status": "running", "controlMode": "human", "controller": "dashboard-user",
                    "updatedAt": 1772078706000},
        "pairedBrowser": null})");
}
} // namespace

class TestHandoffWire : public QObject
{
    Q_OBJECT

private slots:
    void parsesTheDocumentedShape()
    {
        const auto parsed = HandoffResponse::fromJson(documentedResponse());
        QVERIFY2(parsed.ok(), qPrintable(parsed.ok() ? QString() : parsed.error()));
        QVERIFY(parsed->ok);
        QVERIFY(parsed->handoff.status == HandoffStatus::Accepted);
        QCOMPARE(parsed->handoff.reason, u"approval"_s);
        QCOMPARE(parsed->handoff.controller, std::optional(u"dashboard-user"_s));
        QCOMPARE(parsed->handoff.acceptedAt, std::optional<qint64>(1772078706000));
        QVERIFY(!parsed->handoff.completedAt);
        QVERIFY(parsed->preview.has_value());
        QCOMPARE(parsed->preview->controlMode, std::optional(u"human"_s));
        QVERIFY(parsed->pairedBrowser.is_null());
    }

    void roundTrips()
    {
        Handoff h;
        h.requestId = u"hr_2"_s;
        h.status = HandoffStatus::Completed;
        h.reason = u"mfa"_s;
        h.message = u"Enter the code"_s;
        h.requestedBy = u"agent"_s;
        h.controller = u"ops"_s;
        h.note = u"code was 1234"_s;
        h.outcome = u"done"_s;
        h.requestedAt = 1;
        h.acceptedAt = 2;
        h.completedAt = 3;
        h.expiresAt = 900001;
        h.updatedAt = 3;
        HandoffResponse response;
        response.handoff = h;
        response.preview = HandoffPreview{u"unknown"_s, u"ai"_s, std::nullopt, 3};
        const Json json = response.toJson();
        // Absent optionals are left out, as the documented type marks them `?:`.
        QVERIFY(!json["handoff"].contains("resumePrompt"));
        QVERIFY(json["pairedBrowser"].is_null());
        const auto back = HandoffResponse::fromJson(json);
        QVERIFY(back.ok());
        QCOMPARE(back->handoff, h);
        QCOMPARE(back->preview, response.preview);

        const auto list = handoffListFromJson(handoffListToJson({h, h}));
        QVERIFY(list.ok());
        QCOMPARE(list->size(), 2);
    }

    void rejectsWhatTheDocsDoNotAllow_data()
    {
        QTest::addColumn<QString>("pointer");
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("expected");
        QTest::newRow("status") << u"/handoff/status"_s << u"\"paused\""_s << u"response.handoff.status"_s;
        QTest::newRow("reason") << u"/handoff/reason"_s << u"\"bored\""_s << u"handoff.reason: must be one of"_s;
        QTest::newRow("requestedBy") << u"/handoff/requestedBy"_s << u"\"robot\""_s << u"handoff.requestedBy"_s;
        QTest::newRow("requestedAt type") << u"/handoff/requestedAt"_s << u"\"now\""_s << u"handoff.requestedAt"_s;
        QTest::newRow("controlMode") << u"/preview/controlMode"_s << u"\"robot\""_s << u"preview.controlMode"_s;
        QTest::newRow("ok type") << u"/ok"_s << u"1"_s << u"response.ok"_s;
        QTest::newRow("pairedBrowser type") << u"/pairedBrowser"_s << u"[]"_s << u"response.pairedBrowser"_s;
    }

    void rejectsWhatTheDocsDoNotAllow()
    {
        QFETCH(QString, pointer);
        QFETCH(QString, value);
        QFETCH(QString, expected);
        Json json = documentedResponse();
        json[Json::json_pointer(toStd(pointer))] = Json::parse(toStd(value));
        const auto parsed = HandoffResponse::fromJson(json);
        QVERIFY(!parsed.ok());
        QVERIFY2(parsed.error().contains(expected), qPrintable(parsed.error()));
    }

    void missingMembersAreErrors()
    {
        for (const char *key : {"requestId", "status", "reason", "message", "requestedBy", "requestedAt", "updatedAt"}) {
            Json json = documentedResponse();
            json["handoff"].erase(key);
            const auto parsed = HandoffResponse::fromJson(json);
            QVERIFY2(!parsed.ok(), key);
            QVERIFY2(parsed.error().contains(QLatin1StringView(key)), qPrintable(parsed.error()));
        }
        Json noHandoff = documentedResponse();
        noHandoff.erase("handoff");
        QVERIFY(!HandoffResponse::fromJson(noHandoff).ok());
    }

    void pendingHandoffListRoundTrips()
    {
        const auto handoff = HandoffResponse::fromJson(documentedResponse());
        QVERIFY(handoff.ok());
        const QList<PendingHandoff> inbox = {{u"sb_a"_s, handoff->handoff}, {u"sb_b"_s, handoff->handoff}};
        const Json json = pendingHandoffListToJson(inbox);
        QCOMPARE(fromStd(json["data"][1]["sandboxId"].get<std::string>()), u"sb_b"_s);
        QCOMPARE(fromStd(json["data"][0]["handoff"]["requestId"].get<std::string>()), u"hr_1"_s);
        const auto back = pendingHandoffListFromJson(json);
        QVERIFY2(back.ok(), qPrintable(back.ok() ? QString() : back.error()));
        QCOMPARE(*back, inbox);
        const auto empty = pendingHandoffListFromJson(Json{{"data", Json::array()}});
        QVERIFY(empty.ok());
        QVERIFY(empty->isEmpty());
    }

    void pendingHandoffListRejectsBadInput_data()
    {
        QTest::addColumn<QString>("pointer");
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("expected");
        QTest::newRow("data type") << u"/data"_s << u"{}"_s << u"pendingHandoffs.data: expected an array"_s;
        QTest::newRow("entry type") << u"/data/0"_s << u"\"sb_a\""_s
                                    << u"pendingHandoffs.data[0]: pendingHandoff: expected an object"_s;
        QTest::newRow("sandboxId type") << u"/data/1/sandboxId"_s << u"7"_s
                                        << u"pendingHandoffs.data[1]: pendingHandoff.sandboxId: expected a string"_s;
        QTest::newRow("sandboxId empty") << u"/data/0/sandboxId"_s << u"\"\""_s
                                         << u"pendingHandoff.sandboxId: must not be empty"_s;
        QTest::newRow("handoff missing") << u"/data/0/handoff"_s << u"null"_s << u"pendingHandoff.handoff: missing"_s;
        QTest::newRow("handoff status") << u"/data/0/handoff/status"_s << u"\"paused\""_s
                                        << u"pendingHandoff.handoff.status: unknown status 'paused'"_s;
    }

    void pendingHandoffListRejectsBadInput()
    {
        QFETCH(QString, pointer);
        QFETCH(QString, value);
        QFETCH(QString, expected);
        const auto handoff = HandoffResponse::fromJson(documentedResponse());
        QVERIFY(handoff.ok());
        Json json = pendingHandoffListToJson({{u"sb_a"_s, handoff->handoff}, {u"sb_b"_s, handoff->handoff}});
        json[Json::json_pointer(toStd(pointer))] = Json::parse(toStd(value));
        const auto parsed = pendingHandoffListFromJson(json);
        QVERIFY(!parsed.ok());
        QVERIFY2(parsed.error().contains(expected), qPrintable(parsed.error()));
        QVERIFY(!pendingHandoffListFromJson(Json::object()).ok());
        QVERIFY(!pendingHandoffListFromJson(Json::array()).ok());
    }

    void handoffRequestValidates()
    {
        const auto good = HandoffRequest::fromJson(Json{{"id", "s"}, {"reason", "mfa"}, {"message", "m"}, {"timeoutMs", 500}});
        QVERIFY(good.ok());
        QCOMPARE(good->timeoutMs, std::optional<qint64>(500));
        QCOMPARE(HandoffRequest::fromJson(good->toJson())->message, u"m"_s);
        QVERIFY(!HandoffRequest::fromJson(Json{{"reason", "nope"}, {"message", "m"}}).ok());
        QVERIFY(!HandoffRequest::fromJson(Json{{"reason", "mfa"}}).ok());
        QVERIFY(!HandoffRequest::fromJson(Json{{"reason", "mfa"}, {"message", "m"}, {"requestedBy", "x"}}).ok());
    }

    void taskRoundTrips()
    {
        AgentTask t;
        t.taskId = u"task_1"_s;
        t.sandboxId = u"s1"_s;
        t.status = TaskStatus::Failed;
        t.prompt = u"do it"_s;
        t.metadata = Json{{"jobId", "42"}};
        t.output = u"out"_s;
        t.errorOutput = u"err"_s;
        t.error = u"The agent exited with status 3"_s;
        t.exitCode = 3;
        t.createdAt = 1;
        t.startedAt = 2;
        t.completedAt = 3;
        const auto back = AgentTask::fromJson(t.toJson());
        QVERIFY(back.ok());
        QCOMPARE(*back, t);
        const auto list = taskListFromJson(taskListToJson({t}));
        QVERIFY(list.ok());
        QCOMPARE(list->first(), t);

        Json bad = t.toJson();
        bad["status"] = "done";
        QVERIFY(!AgentTask::fromJson(bad).ok());
        bad = t.toJson();
        bad["metadata"] = "x";
        QVERIFY(!AgentTask::fromJson(bad).ok());
    }

    void promptRequestValidates()
    {
        const auto parsed = PromptRequest::fromJson(Json{{"id", "s"}, {"prompt", "p"}, {"async", true}, {"metadata", {{"a", 1}}}});
        QVERIFY(parsed.ok());
        QVERIFY(parsed->async);
        QCOMPARE(parsed->metadata["a"].get<int>(), 1);
        QVERIFY(!PromptRequest::fromJson(Json{{"id", "s"}, {"prompt", "  "}}).ok());
        QVERIFY(!PromptRequest::fromJson(Json{{"id", "s"}, {"prompt", "p"}, {"metadata", "x"}}).ok());
        QVERIFY(!PromptRequest::fromJson(Json{{"prompt", "p"}}).ok());
    }
};

QTEST_GUILESS_MAIN(TestHandoffWire)
#include "test_handoffwire.moc"
