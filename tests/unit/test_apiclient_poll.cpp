// SPDX-License-Identifier: MIT
// The client jobs the app's inbox, timeline and list polling use, against a fake network: what
// each sends, and how a 304 becomes "not modified" for the poll job while other jobs still see
// it as an error.
#include "core/client/apiclient.h"
#include "support/apiclienttest.h"
#include "support/fakenetwork.h"

#include <QPointer>
#include <QTest>

using namespace banata;
using namespace banata::test;
using namespace Qt::StringLiterals;

namespace {
const QByteArray kEtag = "\"5f1c0ffee\""_ba;

QByteArray pageBody(const QList<Sandbox> &sandboxes)
{
    SandboxPage page;
    page.data = sandboxes;
    return dumpJson(page.toJson());
}

Handoff sampleHandoff(const QString &requestId, qint64 requestedAt)
{
    Handoff h;
    h.requestId = requestId;
    h.reason = u"mfa"_s;
    h.message = u"Enter the code"_s;
    h.requestedBy = u"agent"_s;
    h.requestedAt = h.updatedAt = requestedAt;
    return h;
}
} // namespace

class TestApiClientPoll : public QObject
{
    Q_OBJECT

private slots:
    void firstPollSendsNoValidatorAndKeepsTheEtag()
    {
        FakeNetworkAccessManager network;
        network.enqueue(FakeReplySpec::json(200, pageBody({sampleSandbox()})).header("ETag"_ba, kEtag));
        ApiClient client(&network, kBaseUrl, kApiKey);
        SandboxListQuery query;
        query.statuses = {SandboxStatus::Ready};
        query.limit = 50;
        QPointer<SandboxPollJob> job = client.pollSandboxes(query, {});
        auto outcome = watch<SandboxPagePoll>(job.data());
        QTRY_VERIFY(outcome->result);
        QVERIFY2(outcome->result->ok(), qPrintable(outcome->result->ok() ? QString() : outcome->result->error().displayText()));
        const SandboxPagePoll &poll = outcome->result->value();
        QVERIFY(!poll.notModified);
        QCOMPARE(poll.etag, kEtag);
        QCOMPARE(poll.page.data.size(), 1);
        QCOMPARE(poll.page.data.first(), sampleSandbox());

        const RecordedRequest sent = network.lastRequest();
        QCOMPARE(sent.url().path(), u"/v1/sandboxes"_s);
        QCOMPARE(sent.queryValue(u"status"_s), u"ready"_s);
        QCOMPARE(sent.queryValue(u"limit"_s), u"50"_s);
        QVERIFY(sent.header("If-None-Match"_ba).isEmpty());
        QTRY_VERIFY(!job);
        QCOMPARE(outcome->count, 1);
    }

    void notModifiedKeepsTheEtag()
    {
        FakeNetworkAccessManager network;
        network.enqueue(FakeReplySpec::raw(304, {}, {}).header("ETag"_ba, kEtag));
        ApiClient client(&network, kBaseUrl, kApiKey);
        auto outcome = watch<SandboxPagePoll>(client.pollSandboxes({}, kEtag));
        QTRY_VERIFY(outcome->result);
        QVERIFY2(outcome->result->ok(), qPrintable(outcome->result->ok() ? QString() : outcome->result->error().displayText()));
        QVERIFY(outcome->result->value().notModified);
        QCOMPARE(outcome->result->value().etag, kEtag);
        QVERIFY(outcome->result->value().page.data.isEmpty());
        QCOMPARE(network.lastRequest().header("If-None-Match"_ba), kEtag);

        // A 304 without an ETag header still means "what you have is current".
        network.enqueue(FakeReplySpec::raw(304, {}, {}));
        auto bare = watch<SandboxPagePoll>(client.pollSandboxes({}, kEtag));
        QTRY_VERIFY(bare->result);
        QVERIFY(bare->result->ok());
        QCOMPARE(bare->result->value().etag, kEtag);
    }

    void changedListBringsANewEtag()
    {
        FakeNetworkAccessManager network;
        network.enqueue(FakeReplySpec::json(200, pageBody({})).header("ETag"_ba, "\"new\""_ba));
        ApiClient client(&network, kBaseUrl, kApiKey);
        auto outcome = watch<SandboxPagePoll>(client.pollSandboxes({}, kEtag));
        QTRY_VERIFY(outcome->result);
        QVERIFY(outcome->result->ok());
        QVERIFY(!outcome->result->value().notModified);
        QCOMPARE(outcome->result->value().etag, "\"new\""_ba);
    }

    void pollErrorsStayErrors()
    {
        FakeNetworkAccessManager network;
        network.enqueue(FakeReplySpec::json(400, R"({"error":"Invalid limit: must be an integer from 1 to 1000","code":"INVALID_REQUEST"})"_ba));
        network.enqueue(FakeReplySpec::json(200, R"({"data": 5})"_ba));
        network.enqueue(FakeReplySpec::raw(304, {}, {}));
        ApiClient client(&network, kBaseUrl, kApiKey);
        auto refused = watch<SandboxPagePoll>(client.pollSandboxes({}, kEtag));
        QTRY_VERIFY(refused->result);
        QVERIFY(!refused->result->ok());
        QCOMPARE(refused->result->error().httpStatus, 400);
        QCOMPARE(refused->result->error().code, u"INVALID_REQUEST"_s);

        auto malformed = watch<SandboxPagePoll>(client.pollSandboxes({}, kEtag));
        QTRY_VERIFY(malformed->result);
        QVERIFY(!malformed->result->ok());
        QVERIFY(malformed->result->error().kind == ApiError::Kind::Protocol);
        QVERIFY2(malformed->result->error().message.contains(u"list.data"_s), qPrintable(malformed->result->error().message));

        // A 304 to a request that sent no validator is not an answer the job can use.
        auto unasked = watch<SandboxPagePoll>(client.pollSandboxes({}, {}));
        QTRY_VERIFY(unasked->result);
        QVERIFY(!unasked->result->ok());
        QCOMPARE(unasked->result->error().httpStatus, 304);
    }

    void otherJobsStillTreat304AsAnError()
    {
        FakeNetworkAccessManager network;
        network.enqueue(FakeReplySpec::raw(304, {}, {}).header("ETag"_ba, kEtag));
        ApiClient client(&network, kBaseUrl, kApiKey);
        auto outcome = watch<SandboxPage>(client.listSandboxes());
        QTRY_VERIFY(outcome->result);
        QVERIFY(!outcome->result->ok());
        QCOMPARE(outcome->result->error().httpStatus, 304);
    }

    void activeHandoffsAsksForTheActiveOnes()
    {
        FakeNetworkAccessManager network;
        const QList<PendingHandoff> inbox = {{u"sb_a"_s, sampleHandoff(u"hr_1"_s, 10)},
                                             {u"sb_b"_s, sampleHandoff(u"hr_2"_s, 20)}};
        network.enqueue(FakeReplySpec::json(200, dumpJson(pendingHandoffListToJson(inbox))));
        ApiClient client(&network, kBaseUrl, kApiKey);
        auto outcome = watch<QList<PendingHandoff>>(client.activeHandoffs());
        QTRY_VERIFY(outcome->result);
        QVERIFY(outcome->result->ok());
        QCOMPARE(outcome->result->value(), inbox);
        QCOMPARE(network.lastRequest().verb, "GET"_ba);
        QCOMPARE(network.lastRequest().url().path(), u"/v1/sandboxes/handoffs"_s);
        QCOMPARE(network.lastRequest().queryValue(u"status"_s), u"pending,accepted"_s);
    }

    void sandboxEventsSendsPaging()
    {
        FakeNetworkAccessManager network;
        EventPage page;
        page.data = {Event{12, u"sandbox.paused"_s, u"sb_1"_s, 5, Json::object()}};
        page.nextBefore = 12;
        network.setHandler([&](const QNetworkRequest &, const QByteArray &, const QByteArray &) {
            return FakeReplySpec::json(200, dumpJson(page.toJson()));
        });
        ApiClient client(&network, kBaseUrl, kApiKey);

        auto first = watch<EventPage>(client.sandboxEvents(u"sb_1"_s));
        QTRY_VERIFY(first->result);
        QVERIFY(first->result->ok());
        QCOMPARE(first->result->value().data.first().seq, 12);
        QCOMPARE(first->result->value().nextBefore, std::optional<qint64>(12));
        RecordedRequest sent = network.lastRequest();
        QCOMPARE(sent.url().path(), u"/v1/sandboxes/events"_s);
        QCOMPARE(sent.queryValue(u"id"_s), u"sb_1"_s);
        QCOMPARE(sent.queryValue(u"limit"_s), u"200"_s);
        QVERIFY(!sent.url().query().contains(u"before"_s));

        auto older = watch<EventPage>(client.sandboxEvents(u"sb_1"_s, 12, 5));
        QTRY_VERIFY(older->result);
        sent = network.lastRequest();
        QCOMPARE(sent.queryValue(u"before"_s), u"12"_s);
        QCOMPARE(sent.queryValue(u"limit"_s), u"5"_s);
    }
};

QTEST_GUILESS_MAIN(TestApiClientPoll)
#include "test_apiclient_poll.moc"
