// SPDX-License-Identifier: MIT
// Human handoff end to end: the documented cycle with controlMode at each step and every event,
// the conflicts, expiry by timer and across a restart, the sandbox token's limits, and the
// in-sandbox banata-handoff command blocking until a person completes the handoff.
#include "support/servertestbase.h"

#include "core/handoff.h"

#include <QDateTime>
#include <QFile>

using namespace banata;
using namespace banata::test;
using namespace Qt::StringLiterals;

namespace {
HandoffRequest handoffRequest(const QString &id, std::optional<qint64> timeoutMs = std::nullopt)
{
    HandoffRequest request;
    request.id = id;
    request.reason = u"approval"_s;
    request.message = u"Please review the page and continue manually."_s;
    request.resumePrompt = u"Continue from the current page."_s;
    request.timeoutMs = timeoutMs;
    return request;
}

ExecRequest shell(const QString &id, const QString &command)
{
    ExecRequest request;
    request.id = id;
    request.command = command;
    return request;
}

/// The newest event of \a type for \a sandboxId, or an empty one.
Event lastEvent(const ServerFixture &fixture, const QString &sandboxId, const QString &type)
{
    const QList<Event> &events = fixture.received();
    for (auto it = events.crbegin(); it != events.crend(); ++it) {
        if (it->sandboxId == sandboxId && it->type == type)
            return *it;
    }
    return {};
}

QString controlModeOf(const Event &event)
{
    return event.data.contains("controlMode") ? fromStd(event.data["controlMode"].get<std::string>()) : QString();
}

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}
} // namespace

class TestServerHandoff : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        m_fixture = std::make_unique<ServerFixture>();
        QVERIFY2(m_fixture->start(), qPrintable(m_fixture->errorString()));
        m_id = m_fixture->createReady();
        QVERIFY2(!m_id.isEmpty(), qPrintable(m_fixture->errorString()));
    }
    void cleanupTestCase() { m_fixture.reset(); }

    void healthNamesTheExtension()
    {
        AWAIT_OK(health, m_fixture->client().health());
        QVERIFY(health.supports(u"handoff"_s));
    }

    void fullCycle()
    {
        ApiClient &client = m_fixture->client();
        AWAIT_ERROR(client.handoff(m_id), 404, "HANDOFF_NOT_FOUND");

        AWAIT_OK(requested, client.requestHandoff(handoffRequest(m_id)));
        QVERIFY(requested.ok);
        QVERIFY(requested.handoff.status == HandoffStatus::Pending);
        QCOMPARE(requested.handoff.reason, u"approval"_s);
        QCOMPARE(requested.handoff.requestedBy, u"sdk"_s);
        QCOMPARE(requested.handoff.resumePrompt, std::optional(u"Continue from the current page."_s));
        QCOMPARE(requested.handoff.expiresAt, std::optional(requested.handoff.requestedAt + 15 * 60 * 1000));
        QVERIFY(!requested.handoff.controller);
        QVERIFY(requested.preview.has_value());
        QCOMPARE(requested.preview->controlMode, std::optional(u"shared"_s));
        QVERIFY(requested.pairedBrowser.is_null());
        const QString requestId = requested.handoff.requestId;
        QTRY_VERIFY_WITH_TIMEOUT(m_fixture->sawEvent(m_id, u"sandbox.handoff.requested"_s), 5000);
        const Event requestedEvent = lastEvent(*m_fixture, m_id, u"sandbox.handoff.requested"_s);
        QCOMPARE(controlModeOf(requestedEvent), u"shared"_s);
        QCOMPARE(fromStd(requestedEvent.data["handoff"]["requestId"].get<std::string>()), requestId);

        AWAIT_OK(fetched, client.handoff(m_id));
        QCOMPARE(fetched.handoff, requested.handoff);

        // One active handoff per sandbox.
        AWAIT_ERROR(client.requestHandoff(handoffRequest(m_id)), 409, "HANDOFF_ACTIVE");
        // Completing before anyone accepted is refused.
        AWAIT_ERROR(client.completeHandoff(m_id), 409, "HANDOFF_NOT_ACCEPTED");

        AWAIT_OK(accepted, client.acceptHandoff(m_id, u"dashboard-user"_s));
        QVERIFY(accepted.handoff.status == HandoffStatus::Accepted);
        QCOMPARE(accepted.handoff.controller, std::optional(u"dashboard-user"_s));
        QVERIFY(accepted.handoff.acceptedAt.has_value());
        QCOMPARE(accepted.preview->controlMode, std::optional(u"human"_s));
        QCOMPARE(accepted.preview->controller, std::optional(u"dashboard-user"_s));
        QTRY_VERIFY_WITH_TIMEOUT(m_fixture->sawEvent(m_id, u"sandbox.handoff.accepted"_s), 5000);
        QCOMPARE(controlModeOf(lastEvent(*m_fixture, m_id, u"sandbox.handoff.accepted"_s)), u"human"_s);

        // A second accept, by anyone, names who holds it.
        for (const QString &who : {u"dashboard-user"_s, u"someone-else"_s}) {
            auto again = awaitJob(client.acceptHandoff(m_id, who));
            QVERIFY(again && !again->ok());
            QCOMPARE(again->error().httpStatus, 409);
            QCOMPARE(again->error().code, u"HANDOFF_ALREADY_ACCEPTED"_s);
            QVERIFY2(again->error().message.contains(u"dashboard-user"_s), qPrintable(again->error().message));
        }
        AWAIT_ERROR(client.completeHandoff(m_id, u"maybe"_s), 400, "INVALID_REQUEST");

        AWAIT_OK(completed, client.completeHandoff(m_id, u"done"_s, u"Approved the order"_s, requestId));
        QVERIFY(completed.handoff.status == HandoffStatus::Completed);
        QCOMPARE(completed.handoff.outcome, std::optional(u"done"_s));
        QCOMPARE(completed.handoff.note, std::optional(u"Approved the order"_s));
        QVERIFY(completed.handoff.completedAt.has_value());
        QCOMPARE(completed.preview->controlMode, std::optional(u"ai"_s));
        QTRY_VERIFY_WITH_TIMEOUT(m_fixture->sawEvent(m_id, u"sandbox.handoff.completed"_s), 5000);
        QCOMPARE(controlModeOf(lastEvent(*m_fixture, m_id, u"sandbox.handoff.completed"_s)), u"ai"_s);

        AWAIT_ERROR(client.completeHandoff(m_id), 409, "HANDOFF_NOT_ACTIVE");
        AWAIT_ERROR(client.cancelHandoff(m_id), 409, "HANDOFF_NOT_ACTIVE");
        AWAIT_OK(after, client.handoff(m_id));
        QVERIFY(after.handoff.status == HandoffStatus::Completed);
    }

    void cancelEndsIt()
    {
        ApiClient &client = m_fixture->client();
        AWAIT_OK(requested, client.requestHandoff(handoffRequest(m_id)));
        AWAIT_ERROR(client.cancelHandoff(m_id, std::nullopt, u"hr_other"_s), 404, "HANDOFF_NOT_FOUND");
        AWAIT_OK(cancelled, client.cancelHandoff(m_id, u"not needed any more"_s));
        QVERIFY(cancelled.handoff.status == HandoffStatus::Cancelled);
        QCOMPARE(cancelled.handoff.note, std::optional(u"not needed any more"_s));
        QCOMPARE(cancelled.preview->controlMode, std::optional(u"ai"_s));
        QTRY_VERIFY_WITH_TIMEOUT(m_fixture->sawEvent(m_id, u"sandbox.handoff.cancelled"_s), 5000);
        AWAIT_ERROR(client.acceptHandoff(m_id, u"late"_s), 409, "HANDOFF_NOT_ACTIVE");
        AWAIT_ERROR(client.cancelHandoff(m_id), 409, "HANDOFF_NOT_ACTIVE");

        AWAIT_OK(history, client.handoffs(m_id));
        QVERIFY(history.size() >= 2);
        QCOMPARE(history.first().requestId, requested.handoff.requestId); // newest first
    }

    void expiresByTimer()
    {
        ApiClient &client = m_fixture->client();
        AWAIT_OK(requested, client.requestHandoff(handoffRequest(m_id, 300)));
        QTRY_VERIFY_WITH_TIMEOUT(m_fixture->sawEvent(m_id, u"sandbox.handoff.expired"_s), 10000);
        const Event expired = lastEvent(*m_fixture, m_id, u"sandbox.handoff.expired"_s);
        QCOMPARE(controlModeOf(expired), u"ai"_s);
        AWAIT_OK(fetched, client.handoff(m_id, requested.handoff.requestId));
        QVERIFY(fetched.handoff.status == HandoffStatus::Expired);
        QVERIFY(*fetched.handoff.completedAt >= *requested.handoff.expiresAt);
        AWAIT_ERROR(client.acceptHandoff(m_id, u"late"_s), 409, "HANDOFF_NOT_ACTIVE");
        AWAIT_ERROR(client.completeHandoff(m_id), 409, "HANDOFF_NOT_ACTIVE");
    }

    void validation()
    {
        ApiClient &client = m_fixture->client();
        HandoffRequest bad = handoffRequest(m_id);
        bad.reason = u"bored"_s;
        AWAIT_ERROR(client.requestHandoff(bad), 400, "INVALID_REQUEST");
        AWAIT_ERROR(client.requestHandoff(handoffRequest(m_id, 0)), 400, "INVALID_REQUEST");
        AWAIT_ERROR(client.requestHandoff(handoffRequest(m_id, 25LL * 3600 * 1000)), 400, "INVALID_REQUEST");
        AWAIT_ERROR(client.requestHandoff(handoffRequest(u"doesnotexist"_s)), 404, "SANDBOX_NOT_FOUND");
        AWAIT_ERROR(client.handoff(u"doesnotexist"_s), 404, "SANDBOX_NOT_FOUND");
        AWAIT_ERROR(client.acceptHandoff(m_id, QString()), 400, "INVALID_REQUEST");
    }

    void sandboxTokenIsLimitedToItsOwnHandoff()
    {
        const QString other = m_fixture->createReady();
        QVERIFY(!other.isEmpty());
        AWAIT_OK(echoed, m_fixture->client().exec(shell(m_id, u"printf %s \"$BANATA_SANDBOX_TOKEN\""_s)));
        const QString token = echoed.stdoutText;
        QVERIFY2(token.startsWith(u"bst_"_s), qPrintable(token));

        QNetworkAccessManager network;
        ApiClient inside(&network, m_fixture->server().url(), token);
        AWAIT_OK(health, inside.health());
        AWAIT_ERROR(inside.listSandboxes(), 403, "PERMISSION_DENIED");
        AWAIT_ERROR(inside.exec(shell(m_id, u"true"_s)), 403, "PERMISSION_DENIED");
        AWAIT_ERROR(inside.handoff(other), 403, "PERMISSION_DENIED");
        AWAIT_ERROR(inside.acceptHandoff(m_id, u"me"_s), 403, "PERMISSION_DENIED");
        // The id must be in the query: the guard decides before the body is read.
        AWAIT_ERROR(inside.requestHandoff(handoffRequest(m_id)), 403, "PERMISSION_DENIED");
        auto refused = awaitJob(inside.listSandboxes());
        QCOMPARE(refused->error().message, u"This credential only allows a sandbox to manage its own handoff"_s);

        // Query and body disagreeing is a 400, not a way around the guard.
        AWAIT_ERROR(inside.send<HandoffJob>(ApiRequest::post(u"/v1/sandboxes/handoff/request"_s,
                                                             handoffRequest(other).toJson())
                                                .query(u"id"_s, m_id)),
                    400, "INVALID_REQUEST");
        Json body = handoffRequest(m_id).toJson();
        body.erase("id");
        AWAIT_OK(requested, inside.send<HandoffJob>(ApiRequest::post(u"/v1/sandboxes/handoff/request"_s, body)
                                                        .query(u"id"_s, m_id)));
        QCOMPARE(requested.handoff.requestedBy, u"agent"_s);
        AWAIT_OK(fetched, inside.handoff(m_id));
        QCOMPARE(fetched.handoff.requestId, requested.handoff.requestId);
        AWAIT_OK(cancelled, inside.send<HandoffJob>(ApiRequest::post(u"/v1/sandboxes/handoff/cancel"_s, Json::object())
                                                        .query(u"id"_s, m_id)));
        QVERIFY(cancelled.handoff.status == HandoffStatus::Cancelled);

        AWAIT_ERROR(ApiClient(&network, m_fixture->server().url(), u"bst_forged"_s).health(), 401, "UNAUTHORIZED");
    }

    void inSandboxCommandBlocksUntilCompleted()
    {
        ApiClient &client = m_fixture->client();
        AWAIT_OK(started,
                 client.exec(shell(m_id, u"(banata-handoff --reason mfa --message 'Enter the code' > /workspace/h.out "
                                         u"2> /workspace/h.err; echo $? > /workspace/h.exit) > /dev/null 2>&1 &"_s)));
        QCOMPARE(started.exitCode, 0);
        QTRY_VERIFY_WITH_TIMEOUT(m_fixture->sawEvent(m_id, u"sandbox.handoff.requested"_s) &&
                                     lastEvent(*m_fixture, m_id, u"sandbox.handoff.requested"_s).data["handoff"]["reason"] == "mfa",
                                 20000);
        AWAIT_OK(pending, client.handoff(m_id));
        QCOMPARE(pending.handoff.requestedBy, u"agent"_s);
        QCOMPARE(pending.handoff.message, u"Enter the code"_s);
        const QString workspace = m_fixture->workspaceOf(m_id);
        QVERIFY(!QFile::exists(workspace + u"/h.exit"_s)); // still waiting for a person

        AWAIT_OK(accepted, client.acceptHandoff(m_id, u"ops"_s));
        AWAIT_OK(completed, client.completeHandoff(m_id, u"done"_s, u"code 123456 entered"_s));
        QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(workspace + u"/h.exit"_s), 20000);
        QTRY_COMPARE_WITH_TIMEOUT(readAll(workspace + u"/h.exit"_s).trimmed(), "0"_ba, 5000);
        const auto printed = parseJson(readAll(workspace + u"/h.out"_s));
        QVERIFY2(printed.ok(), readAll(workspace + u"/h.out"_s).constData());
        QCOMPARE((*printed)["outcome"].get<std::string>(), std::string("done"));
        QCOMPARE((*printed)["note"].get<std::string>(), std::string("code 123456 entered"));
        const QByteArray err = readAll(workspace + u"/h.err"_s);
        QVERIFY2(err.contains("outcome: done") && err.contains("note: code 123456 entered"), err.constData());
    }

    void inSandboxCommandReportsNeedsInfo()
    {
        ApiClient &client = m_fixture->client();
        AWAIT_OK(started, client.exec(shell(m_id, u"(banata-handoff --reason login_failed --message 'Log in' > /dev/null "
                                                  u"2>&1; echo $? > /workspace/n.exit) > /dev/null 2>&1 &"_s)));
        QTRY_VERIFY_WITH_TIMEOUT(lastEvent(*m_fixture, m_id, u"sandbox.handoff.requested"_s).data["handoff"]["reason"] ==
                                     "login_failed",
                                 20000);
        AWAIT_OK(accepted, client.acceptHandoff(m_id, u"ops"_s));
        AWAIT_OK(completed, client.completeHandoff(m_id, u"needs_info"_s, u"which account?"_s));
        const QString exitFile = m_fixture->workspaceOf(m_id) + u"/n.exit"_s;
        QTRY_COMPARE_WITH_TIMEOUT(readAll(exitFile).trimmed(), "3"_ba, 20000);
    }

    void killingTheSandboxCancels()
    {
        const QString id = m_fixture->createReady();
        QVERIFY(!id.isEmpty());
        AWAIT_OK(requested, m_fixture->client().requestHandoff(handoffRequest(id)));
        AWAIT_OK(killed, m_fixture->client().killSandbox(id));
        QTRY_VERIFY_WITH_TIMEOUT(m_fixture->sawEvent(id, u"sandbox.handoff.cancelled"_s), 20000);
        AWAIT_OK(fetched, m_fixture->client().handoff(id));
        QVERIFY(fetched.handoff.status == HandoffStatus::Cancelled);
        AWAIT_ERROR(m_fixture->client().requestHandoff(handoffRequest(id)), 409, "SANDBOX_ENDED");
    }

    void restartKeepsPendingHandoffsAndTheirExpiry()
    {
        ServerFixture fixture;
        QVERIFY2(fixture.start(), qPrintable(fixture.errorString()));
        const QString keeps = fixture.createReady();
        const QString lapses = fixture.createReady();
        QVERIFY(!keeps.isEmpty() && !lapses.isEmpty());
        AWAIT_OK(pending, fixture.client().requestHandoff(handoffRequest(keeps)));
        AWAIT_OK(short_, fixture.client().requestHandoff(handoffRequest(lapses, 1500)));

        fixture.crash();
        // Let the short one's deadline pass while no server runs: it must expire at startup.
        const qint64 deadline = *short_.handoff.expiresAt;
        QTRY_VERIFY_WITH_TIMEOUT(QDateTime::currentMSecsSinceEpoch() > deadline, 5000);
        QVERIFY2(fixture.restart(), qPrintable(fixture.errorString()));

        QTRY_VERIFY_WITH_TIMEOUT(fixture.sawEvent(lapses, u"sandbox.handoff.expired"_s), 10000);
        AWAIT_OK(lapsed, fixture.client().handoff(lapses));
        QVERIFY(lapsed.handoff.status == HandoffStatus::Expired);

        AWAIT_OK(kept, fixture.client().handoff(keeps));
        QCOMPARE(kept.handoff, pending.handoff);
        QCOMPARE(kept.preview->controlMode, std::optional(u"shared"_s));
        AWAIT_OK(accepted, fixture.client().acceptHandoff(keeps, u"after-restart"_s));
        QCOMPARE(accepted.preview->controlMode, std::optional(u"human"_s));

        // An accepted one keeps its controller across a restart too, and its timer runs on.
        fixture.crash();
        QVERIFY2(fixture.restart(), qPrintable(fixture.errorString()));
        AWAIT_OK(still, fixture.client().handoff(keeps));
        QVERIFY(still.handoff.status == HandoffStatus::Accepted);
        QCOMPARE(still.preview->controller, std::optional(u"after-restart"_s));
        AWAIT_OK(renewed, fixture.client().completeHandoff(keeps, u"done"_s));
        AWAIT_OK(again, fixture.client().requestHandoff(handoffRequest(keeps, 500)));
        fixture.crash();
        QVERIFY2(fixture.restart(), qPrintable(fixture.errorString()));
        QTRY_VERIFY_WITH_TIMEOUT(fixture.sawEvent(keeps, u"sandbox.handoff.expired"_s), 10000);
        AWAIT_OK(expired, fixture.client().handoff(keeps));
        QCOMPARE(expired.handoff.requestId, again.handoff.requestId);
        QVERIFY(expired.handoff.status == HandoffStatus::Expired);
    }

private:
    std::unique_ptr<ServerFixture> m_fixture;
    QString m_id;
};

QTEST_GUILESS_MAIN(TestServerHandoff)
#include "test_server_handoff.moc"
