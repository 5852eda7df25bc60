// SPDX-License-Identifier: MIT
// What the desktop app reads without one request per sandbox or an event stream, against a real
// banata-local: the handoff inbox across sandboxes, a sandbox's event history paged backwards,
// and polling the sandbox list with its ETag.
#include "support/servertestbase.h"

#include "core/handoff.h"

#include <QDateTime>

#include <algorithm>

using namespace banata;
using namespace banata::test;
using namespace Qt::StringLiterals;

namespace {
HandoffRequest handoffRequest(const QString &id, const QString &reason)
{
    HandoffRequest request;
    request.id = id;
    request.reason = reason;
    request.message = u"Please sign in for me."_s;
    return request;
}

/// The inbox entries as "sandbox/requestId", in the order the server gave them.
QStringList entries(const QList<PendingHandoff> &inbox)
{
    QStringList out;
    for (const PendingHandoff &pending : inbox)
        out.append(pending.sandboxId + u'/' + pending.handoff.requestId);
    return out;
}

QList<qint64> seqs(const QList<Event> &events)
{
    QList<qint64> out;
    for (const Event &e : events)
        out.append(e.seq);
    return out;
}
} // namespace

class TestServerInboxHistory : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        m_fixture = std::make_unique<ServerFixture>();
        QVERIFY2(m_fixture->start(), qPrintable(m_fixture->errorString()));
        m_first = m_fixture->createReady();
        QVERIFY2(!m_first.isEmpty(), qPrintable(m_fixture->errorString()));
        m_second = m_fixture->createReady();
        QVERIFY2(!m_second.isEmpty(), qPrintable(m_fixture->errorString()));
    }
    void cleanupTestCase() { m_fixture.reset(); }

    void healthNamesTheExtensions()
    {
        AWAIT_OK(health, m_fixture->client().health());
        QVERIFY(health.supports(u"handoff.list"_s));
        QVERIFY(health.supports(u"events.history"_s));
    }

    void inboxListsActiveHandoffsOfEverySandboxOldestFirst()
    {
        ApiClient &client = m_fixture->client();
        AWAIT_OK(empty, client.activeHandoffs());
        QVERIFY(empty.isEmpty());

        // The second sandbox asks first, so it heads the inbox.
        AWAIT_OK(older, client.requestHandoff(handoffRequest(m_second, u"captcha"_s)));
        const qint64 olderAt = older.handoff.requestedAt;
        QVERIFY(waitUntil([olderAt] { return QDateTime::currentMSecsSinceEpoch() > olderAt; }, 1000));
        AWAIT_OK(newer, client.requestHandoff(handoffRequest(m_first, u"mfa"_s)));
        const QString olderId = older.handoff.requestId;
        const QString newerId = newer.handoff.requestId;

        AWAIT_OK(inbox, client.activeHandoffs());
        QCOMPARE(entries(inbox), (QStringList{m_second + u'/' + olderId, m_first + u'/' + newerId}));
        QCOMPARE(inbox.first().handoff, older.handoff);
        QCOMPARE(inbox.last().handoff.reason, u"mfa"_s);

        // Accepted is still active: the person is on it, but it stays in the inbox.
        AWAIT_OK(accepted, client.acceptHandoff(m_first, u"operator"_s));
        AWAIT_OK(withAccepted, client.activeHandoffs());
        QCOMPARE(withAccepted.size(), 2);
        QVERIFY(withAccepted.last().handoff.status == HandoffStatus::Accepted);
        QCOMPARE(withAccepted.last().handoff.controller, std::optional(u"operator"_s));

        AWAIT_OK(cancelled, client.cancelHandoff(m_second, u"no longer needed"_s));
        AWAIT_OK(afterCancel, client.activeHandoffs());
        QCOMPARE(entries(afterCancel), QStringList{m_first + u'/' + newerId});

        // The status filter reaches ended handoffs too.
        AWAIT_OK(ended, client.send<PendingHandoffListJob>(
                            ApiRequest::get(u"/v1/sandboxes/handoffs"_s).query(u"status"_s, u"cancelled"_s)));
        QCOMPARE(entries(ended), QStringList{m_second + u'/' + olderId});
        QCOMPARE(ended.first().handoff.note, std::optional(u"no longer needed"_s));
        AWAIT_OK(onlyPending, client.send<PendingHandoffListJob>(
                                  ApiRequest::get(u"/v1/sandboxes/handoffs"_s).query(u"status"_s, u"pending"_s)));
        QVERIFY(onlyPending.isEmpty());
        AWAIT_OK(several, client.send<PendingHandoffListJob>(ApiRequest::get(u"/v1/sandboxes/handoffs"_s)
                                                                 .query(u"status"_s, u"cancelled, accepted"_s)));
        QCOMPARE(entries(several), (QStringList{m_second + u'/' + olderId, m_first + u'/' + newerId}));
        AWAIT_ERROR(client.send<PendingHandoffListJob>(
                        ApiRequest::get(u"/v1/sandboxes/handoffs"_s).query(u"status"_s, u"pending,paused"_s)),
                    400, "INVALID_REQUEST");

        AWAIT_OK(completed, client.completeHandoff(m_first));
        AWAIT_OK(cleared, client.activeHandoffs());
        QVERIFY(cleared.isEmpty());
    }

    void historyIsNewestFirstAndPages()
    {
        ApiClient &client = m_fixture->client();
        // What the stream delivered for the sandbox is what the history keeps, in reverse.
        QTRY_VERIFY_WITH_TIMEOUT(m_fixture->sawEvent(m_first, u"sandbox.handoff.completed"_s), 5000);
        QList<qint64> streamed;
        for (const Event &e : m_fixture->received()) {
            if (e.sandboxId == m_first)
                streamed.prepend(e.seq);
        }
        QVERIFY(streamed.size() >= 5); // created, assigned, ready, handoff requested/accepted/completed

        AWAIT_OK(all, client.sandboxEvents(m_first));
        QCOMPARE(seqs(all.data), streamed);
        QCOMPARE(all.nextBefore, std::nullopt);
        QCOMPARE(all.data.first().type, u"sandbox.handoff.completed"_s);
        QCOMPARE(all.data.last().type, u"sandbox.created"_s);
        for (const Event &e : all.data)
            QCOMPARE(e.sandboxId, m_first);

        // Two at a time, following nextBefore, gives the same events and then says it is done.
        QList<qint64> paged;
        std::optional<qint64> before;
        for (int page = 0; page < 50; ++page) {
            AWAIT_OK(chunk, client.sandboxEvents(m_first, before, 2));
            QVERIFY(chunk.data.size() <= 2);
            paged += seqs(chunk.data);
            if (!chunk.nextBefore)
                break;
            QCOMPARE(*chunk.nextBefore, chunk.data.last().seq);
            before = chunk.nextBefore;
        }
        QCOMPARE(paged, streamed);

        AWAIT_OK(exact, client.sandboxEvents(m_first, std::nullopt, int(streamed.size())));
        QCOMPARE(exact.data.size(), streamed.size());
        QCOMPARE(exact.nextBefore, std::nullopt); // nothing older: no further page
        AWAIT_OK(oldestOnly, client.sandboxEvents(m_first, streamed.last() + 1, 1));
        QCOMPARE(seqs(oldestOnly.data), QList<qint64>{streamed.last()});
        AWAIT_OK(none, client.sandboxEvents(m_first, streamed.last()));
        QVERIFY(none.data.isEmpty());
        QCOMPARE(none.nextBefore, std::nullopt);
    }

    void historyRejectsBadQueries()
    {
        ApiClient &client = m_fixture->client();
        AWAIT_ERROR(client.sandboxEvents(u"nosuchsandbox"_s), 404, "SANDBOX_NOT_FOUND");
        auto missing = awaitJob(client.sandboxEvents(u"nosuchsandbox"_s));
        QCOMPARE(missing->error().message, u"Sandbox session not found"_s);
        AWAIT_ERROR(client.sandboxEvents(m_first, std::nullopt, 0), 400, "INVALID_REQUEST");
        AWAIT_ERROR(client.sandboxEvents(m_first, std::nullopt, 1001), 400, "INVALID_REQUEST");
        AWAIT_ERROR(client.sandboxEvents(m_first, -1), 400, "INVALID_REQUEST");
        AWAIT_ERROR(client.send<EventPageJob>(
                        ApiRequest::get(u"/v1/sandboxes/events"_s).query(u"id"_s, m_first).query(u"before"_s, u"soon"_s)),
                    400, "INVALID_REQUEST");
        AWAIT_ERROR(client.send<EventPageJob>(ApiRequest::get(u"/v1/sandboxes/events"_s)), 400, "INVALID_REQUEST");
    }

    void sandboxTokenCannotReadAcrossSandboxes()
    {
        ExecRequest echo;
        echo.id = m_first;
        echo.command = u"printf %s \"$BANATA_SANDBOX_TOKEN\""_s;
        AWAIT_OK(echoed, m_fixture->client().exec(echo));
        const QString token = echoed.stdoutText;
        QVERIFY2(token.startsWith(u"bst_"_s), qPrintable(token));

        QNetworkAccessManager network;
        ApiClient inside(&network, m_fixture->server().url(), token);
        AWAIT_ERROR(inside.activeHandoffs(), 403, "PERMISSION_DENIED");
        // The history stays with the API key too: a sandbox's token is for its own handoff only.
        AWAIT_ERROR(inside.sandboxEvents(m_second), 403, "PERMISSION_DENIED");
        AWAIT_ERROR(inside.sandboxEvents(m_first), 403, "PERMISSION_DENIED");
        AWAIT_OK(own, inside.handoff(m_first)); // what the token is for still works
    }

    void pollingAnswersNotModifiedUntilTheListChanges()
    {
        ApiClient &client = m_fixture->client();
        const SandboxListQuery query;
        AWAIT_OK(first, client.pollSandboxes(query, {}));
        QVERIFY(!first.notModified);
        QVERIFY(first.etag.startsWith('"'));
        QCOMPARE(first.page.data.size(), 2);

        AWAIT_OK(unchanged, client.pollSandboxes(query, first.etag));
        QVERIFY(unchanged.notModified);
        QCOMPARE(unchanged.etag, first.etag);
        QVERIFY(unchanged.page.data.isEmpty());

        // Lists of validators and weak ones (as proxies send them) match too.
        AWAIT_OK(listed, client.pollSandboxes(query, "\"stale\", W/"_ba + first.etag));
        QVERIFY(listed.notModified);
        QCOMPARE(listed.etag, first.etag);

        AWAIT_OK(paused, client.pauseSandbox(m_second));
        QVERIFY(paused.status == SandboxStatus::Paused);
        AWAIT_OK(changed, client.pollSandboxes(query, first.etag));
        QVERIFY(!changed.notModified);
        QVERIFY(changed.etag != first.etag);
        const auto it = std::find_if(changed.page.data.cbegin(), changed.page.data.cend(),
                                     [this](const Sandbox &s) { return s.id == m_second; });
        QVERIFY(it != changed.page.data.cend());
        QVERIFY(it->status == SandboxStatus::Paused);

        AWAIT_OK(again, client.pollSandboxes(query, changed.etag));
        QVERIFY(again.notModified);
    }

private:
    std::unique_ptr<ServerFixture> m_fixture;
    QString m_first;
    QString m_second;
};

QTEST_GUILESS_MAIN(TestServerInboxHistory)
#include "test_server_inbox_history.moc"
