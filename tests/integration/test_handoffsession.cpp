// SPDX-License-Identifier: MIT
// The operator's side of the human-handoff loop against a real banata-local: an agent's request
// shows as shared, accepting makes this operator the controller at once, handing back reaches the
// agent with outcome and note, a checkpoint can come first, another operator's claim is shown and
// refused with their name, taking control without a request works, cancelling ends it, and every
// action lands in the journal. A server without the extension says so instead of trying.
#include <QRegularExpression>
#include <QSignalSpy>

#include "models/operatorjournal.h"
#include "session/connection.h"
#include "session/handoffsession.h"
#include "session/sandboxsession.h"
#include "support/fakebanata.h"
#include "support/servertestbase.h"

using namespace banata;
using namespace banata::test;
using namespace Qt::StringLiterals;

namespace {

constexpr int kWait = 20000;

struct Recorded
{
    QString action;
    QString detail;
    bool ok = false;
    QString result;
    qint64 timestamp = 0;
};

/// The error of the one operation that finished, after waiting for it.
QString finishedError(QSignalSpy &finished)
{
    if (finished.isEmpty() && !finished.wait(kWait))
        return u"<did not finish>"_s;
    return finished.takeFirst().at(1).toString();
}

} // namespace

class TestHandoffSession : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        m_fixture = std::make_unique<ServerFixture>();
        QVERIFY2(m_fixture->start(), qPrintable(m_fixture->errorString()));
        m_id = m_fixture->createReady();
        QVERIFY2(!m_id.isEmpty(), qPrintable(m_fixture->errorString()));
        m_connection =
            std::make_unique<Connection>(ConnectionConfig{u"local"_s, u"Local"_s, m_fixture->server().url(),
                                                          ConnectionConfig::Kind::Local},
                                         &m_network);
        m_connection->start(m_fixture->server().apiKey());
        QTRY_COMPARE_WITH_TIMEOUT(m_connection->status(), Connection::Status::Online, kWait);
        m_session =
            std::make_unique<HandoffSession>(m_connection.get(), m_id, u"ana"_s,
                                             [this](const QString &action, const QString &detail, bool ok,
                                                    const QString &result, qint64 timestamp) {
                                                 m_recorded.append({action, detail, ok, result, timestamp});
                                             });
        QVERIFY(m_session->isSupported());
        QCOMPARE(m_session->holder(), HandoffSession::Holder::Agent);
        QVERIFY(!m_session->active());
    }

    void cleanupTestCase()
    {
        m_session.reset();
        m_connection.reset();
        m_fixture.reset();
    }

    void agentRequestIsShared()
    {
        QSignalSpy changed(m_session.get(), &HandoffSession::changed);
        const QString requestId = requestAsAgent(u"mfa"_s, u"Enter the code from the phone"_s);
        QVERIFY(!requestId.isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(m_session->holder(), HandoffSession::Holder::Shared, kWait);
        QVERIFY(changed.count() >= 1);
        QCOMPARE(m_session->active()->requestId, requestId);
        QCOMPARE(m_session->active()->message, u"Enter the code from the phone"_s);
        QVERIFY(m_session->controller().isEmpty());
    }

    void acceptMakesMeTheControllerAtOnce()
    {
        const QString requestId = m_session->active()->requestId;
        QSignalSpy finished(m_session.get(), &HandoffSession::operationFinished);
        QSignalSpy busy(m_session.get(), &HandoffSession::busyChanged);
        // What the inbox and every other view see the moment the answer is in.
        std::optional<Handoff> seenByConnection;
        QObject guard; // the lambda below must not outlive this function
        connect(m_session.get(), &HandoffSession::operationFinished, &guard, [this, &seenByConnection] {
            if (m_connection->activeHandoffs().contains(m_id))
                seenByConnection = m_connection->activeHandoffs().value(m_id);
        });
        const qint64 before = QDateTime::currentMSecsSinceEpoch();
        m_session->accept(false);
        QVERIFY(m_session->isBusy());
        const QString error = finishedError(finished);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY(!m_session->isBusy());
        QCOMPARE(busy.count(), 2);
        QVERIFY(seenByConnection.has_value());
        QVERIFY(seenByConnection->status == HandoffStatus::Accepted);
        QCOMPARE(seenByConnection->controller, std::optional<QString>(u"ana"_s));
        QCOMPARE(m_session->holder(), HandoffSession::Holder::Me);
        QCOMPARE(m_session->controller(), u"ana"_s);
        QCOMPARE(m_session->active()->requestId, requestId);

        QCOMPARE(m_recorded.size(), 1);
        QCOMPARE(m_recorded.last().action, u"handoff.accept"_s);
        QVERIFY(m_recorded.last().ok);
        QCOMPARE(m_recorded.last().result, u"accepted"_s);
        QVERIFY(m_recorded.last().detail.contains(u"Enter the code from the phone"_s));
        QVERIFY(m_recorded.last().timestamp >= before);

        // A late copy of the request (its event overtaken by the answer) cannot undo the accept.
        Handoff late = *seenByConnection;
        late.status = HandoffStatus::Pending;
        late.controller.reset();
        late.acceptedAt.reset();
        late.updatedAt = late.requestedAt;
        m_connection->applyHandoff(m_id, late);
        QVERIFY(m_connection->activeHandoffs().value(m_id).status == HandoffStatus::Accepted);
        QCOMPARE(m_session->holder(), HandoffSession::Holder::Me);
    }

    void handBackReachesTheAgent()
    {
        const Handoff accepted = *m_session->active();
        QSignalSpy finished(m_session.get(), &HandoffSession::operationFinished);
        m_session->handBack(u"needs_info"_s, u"Which account should I use?"_s);
        const QString error = finishedError(finished);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(m_session->holder(), HandoffSession::Holder::Agent);
        QVERIFY(!m_session->active());
        QVERIFY(!m_connection->activeHandoffs().contains(m_id));

        // What the agent reads.
        AWAIT_OK(answer, m_fixture->client().handoff(m_id, accepted.requestId));
        QVERIFY(answer.handoff.status == HandoffStatus::Completed);
        QCOMPARE(answer.handoff.outcome, std::optional<QString>(u"needs_info"_s));
        QCOMPARE(answer.handoff.note, std::optional<QString>(u"Which account should I use?"_s));

        QCOMPARE(m_recorded.last().action, u"handoff.hand-back"_s);
        QVERIFY(m_recorded.last().ok);
        QCOMPARE(m_recorded.last().result, u"completed: needs_info"_s);
        QVERIFY(m_recorded.last().detail.contains(u"Which account should I use?"_s));

        // The accepted event arriving late changes nothing either.
        m_connection->applyHandoff(m_id, accepted);
        QVERIFY(!m_connection->activeHandoffs().contains(m_id));
        QCOMPARE(m_session->holder(), HandoffSession::Holder::Agent);
    }

    void acceptCanTakeACheckpointFirst()
    {
        QVERIFY(!requestAsAgent(u"approval"_s, u"Approve the payment"_s).isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(m_session->holder(), HandoffSession::Holder::Shared, kWait);
        QSignalSpy finished(m_session.get(), &HandoffSession::operationFinished);
        m_session->accept(true);
        const QString error = finishedError(finished);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(m_session->holder(), HandoffSession::Holder::Me);

        AWAIT_OK(checkpoints, m_fixture->client().checkpoints(m_id));
        QVERIFY(!checkpoints.isEmpty());
        const QString label = checkpoints.first().label.value_or(QString());
        QVERIFY2(label.startsWith(u"Before handoff: "_s), qPrintable(label));
        QVERIFY2(label.contains(u"Approve the payment"_s), qPrintable(label));
        QVERIFY(m_recorded.last().ok);
        QVERIFY(m_recorded.last().detail.contains(u"checkpoint"_s));

        m_session->handBack(u"done"_s, u"Approved"_s);
        QVERIFY2(finishedError(finished).isEmpty(), "hand back failed");
        QCOMPARE(m_session->holder(), HandoffSession::Holder::Agent);
        QCOMPARE(m_recorded.last().result, u"completed: done"_s);
    }

    void anotherOperatorHoldsIt()
    {
        QVERIFY(!requestAsAgent(u"captcha"_s, u"Solve the puzzle"_s).isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(m_session->holder(), HandoffSession::Holder::Shared, kWait);
        AWAIT_OK(bobs, m_fixture->client().acceptHandoff(m_id, u"bob"_s));
        QTRY_COMPARE_WITH_TIMEOUT(m_session->holder(), HandoffSession::Holder::OtherOperator, kWait);
        QCOMPARE(m_session->controller(), u"bob"_s);

        const qsizetype recordedBefore = m_recorded.size();
        QSignalSpy finished(m_session.get(), &HandoffSession::operationFinished);
        m_session->accept(false);
        const QString error = finishedError(finished);
        QVERIFY2(error.contains(u"bob"_s), qPrintable(error));
        QVERIFY2(!error.contains(u"409"_s), qPrintable(error)); // reads as a sentence, not a status
        QCOMPARE(m_session->holder(), HandoffSession::Holder::OtherOperator);
        QCOMPARE(m_recorded.size(), recordedBefore + 1);
        QCOMPARE(m_recorded.last().action, u"handoff.accept"_s);
        QVERIFY(!m_recorded.last().ok);
        QCOMPARE(m_recorded.last().result, error);

        AWAIT_OK(done, m_fixture->client().completeHandoff(m_id, u"done"_s, u"solved"_s));
        QTRY_COMPARE_WITH_TIMEOUT(m_session->holder(), HandoffSession::Holder::Agent, kWait);
    }

    void takeControlWithoutARequestThenCancel()
    {
        // Through the detail pane's session: its actions reach the journal and the timeline.
        OperatorJournal journal(QString{});
        SandboxSession pane(m_connection.get(), m_id, &journal, u"ana"_s);
        HandoffSession *handoff = pane.handoff();
        QCOMPARE(handoff->operatorName(), u"ana"_s);
        QCOMPARE(handoff->holder(), HandoffSession::Holder::Agent);

        QSignalSpy finished(handoff, &HandoffSession::operationFinished);
        handoff->takeControl(u"Checking the checkout page"_s);
        // One action at a time: a second one while busy is ignored.
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"ignored"_s));
        handoff->cancel(u"too soon"_s);
        QString error = finishedError(finished);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY(finished.isEmpty()); // the cancel never ran
        QCOMPARE(handoff->holder(), HandoffSession::Holder::Me);
        QCOMPARE(m_session->holder(), HandoffSession::Holder::Me); // every session of the sandbox sees it
        QCOMPARE(handoff->active()->requestedBy, u"dashboard"_s);
        QCOMPARE(handoff->active()->reason, u"custom"_s);
        QCOMPARE(handoff->active()->message, u"Checking the checkout page"_s);
        const QString requestId = handoff->active()->requestId;

        handoff->cancel(u"Nothing to do after all"_s);
        error = finishedError(finished);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(handoff->holder(), HandoffSession::Holder::Agent);
        AWAIT_OK(answer, m_fixture->client().handoff(m_id, requestId));
        QVERIFY(answer.handoff.status == HandoffStatus::Cancelled);
        QCOMPARE(answer.handoff.note, std::optional<QString>(u"Nothing to do after all"_s));

        const QList<OperatorAction> actions = journal.actionsFor(pane.key());
        QCOMPARE(actions.size(), 2);
        QCOMPARE(actions.at(0).action, u"handoff.take-control"_s);
        QVERIFY(actions.at(0).ok);
        QCOMPARE(actions.at(0).result, u"accepted"_s);
        QCOMPARE(actions.at(0).detail, u"Checking the checkout page"_s);
        QCOMPARE(actions.at(0).operatorName, u"ana"_s);
        QCOMPARE(actions.at(1).action, u"handoff.cancel"_s);
        QVERIFY(actions.at(1).ok);
        QCOMPARE(actions.at(1).result, u"cancelled"_s);
        QCOMPARE(actions.at(1).detail, u"Nothing to do after all"_s);
        int onTimeline = 0;
        for (int row = 0; row < pane.timeline()->rowCount(); ++row)
            onTimeline += pane.timeline()->entryAt(row).what.startsWith(u"handoff."_s) ? 1 : 0;
        QCOMPARE(onTimeline, 2);
    }

    void nothingToHandBackOrCancel()
    {
        QSignalSpy finished(m_session.get(), &HandoffSession::operationFinished);
        m_session->handBack(u"done"_s, {});
        QVERIFY(!finishedError(finished).isEmpty());
        m_session->cancel({});
        QVERIFY(!finishedError(finished).isEmpty());
        m_session->accept(false);
        QVERIFY(!finishedError(finished).isEmpty());
        QCOMPARE(m_session->holder(), HandoffSession::Holder::Agent);
    }

    void failedCheckpointStopsTheAccept()
    {
        // A server whose checkpoint route fails (played by a fake: the real one would succeed).
        FakeBanata fake;
        fake.sandboxes = {fakeSandbox(1)};
        Handoff waiting;
        waiting.requestId = u"hr_1"_s;
        waiting.reason = u"mfa"_s;
        waiting.message = u"Enter the code"_s;
        waiting.requestedBy = u"agent"_s;
        waiting.requestedAt = waiting.updatedAt = 900;
        fake.pendingHandoffs = {{u"sb_1"_s, waiting}};
        Connection connection(
            {u"fake"_s, u"Fake"_s, QUrl(u"http://banata.test:8787/"_s), ConnectionConfig::Kind::Remote},
            &fake.network);
        connection.start(u"br_live_test"_s);
        QTRY_COMPARE(connection.status(), Connection::Status::Polling);
        HandoffSession session(&connection, u"sb_1"_s, u"ana"_s, {});
        QCOMPARE(session.holder(), HandoffSession::Holder::Shared);
        QSignalSpy finished(&session, &HandoffSession::operationFinished);
        session.accept(true);
        const QString error = finishedError(finished);
        QVERIFY2(error.startsWith(u"The checkpoint failed, so the handoff was not accepted"_s),
                 qPrintable(error));
        QCOMPARE(session.holder(), HandoffSession::Holder::Shared);
        bool checkpointAsked = false;
        for (const RecordedRequest &request : fake.network.requests()) {
            checkpointAsked = checkpointAsked || request.url().path() == u"/v1/sandboxes/checkpoints";
            QVERIFY(request.url().path() != u"/v1/sandboxes/handoff/accept");
        }
        QVERIFY(checkpointAsked);
    }

    void serverWithoutHandoffSaysSo()
    {
        FakeBanata fake;
        fake.sandboxes = {fakeSandbox(1)};
        fake.extensions.removeAll(u"handoff"_s);
        fake.extensions.removeAll(u"handoff.list"_s);
        Connection connection(
            {u"fake"_s, u"Fake"_s, QUrl(u"http://banata.test:8787/"_s), ConnectionConfig::Kind::Remote},
            &fake.network);
        connection.start(u"br_live_test"_s);
        QTRY_COMPARE(connection.status(), Connection::Status::Polling);
        QList<Recorded> recorded;
        HandoffSession session(&connection, u"sb_1"_s, u"ana"_s,
                               [&recorded](const QString &action, const QString &detail, bool ok,
                                           const QString &result, qint64 timestamp) {
                                   recorded.append({action, detail, ok, result, timestamp});
                               });
        QVERIFY(!session.isSupported());
        const qsizetype requestsBefore = fake.network.requests().size();
        QSignalSpy finished(&session, &HandoffSession::operationFinished);
        session.takeControl(u"look"_s);
        const QString error = finishedError(finished);
        QCOMPARE(error, u"This server has no human handoff (extension 'handoff')"_s);
        QVERIFY(!session.isBusy());
        QCOMPARE(recorded.size(), 1);
        QVERIFY(!recorded.first().ok);
        QCOMPARE(recorded.first().action, u"handoff.take-control"_s);
        for (qsizetype i = requestsBefore; i < fake.network.requests().size(); ++i)
            QVERIFY(!fake.network.requests().at(i).url().path().contains(u"handoff"_s));
    }

private:
    QString requestAsAgent(const QString &reason, const QString &message)
    {
        HandoffRequest request;
        request.id = m_id;
        request.reason = reason;
        request.message = message;
        request.requestedBy = u"agent"_s;
        const auto answer = awaitJob(m_fixture->client().requestHandoff(request));
        return answer && answer->ok() ? answer->value().handoff.requestId : QString();
    }

    QNetworkAccessManager m_network;
    std::unique_ptr<ServerFixture> m_fixture;
    std::unique_ptr<Connection> m_connection;
    std::unique_ptr<HandoffSession> m_session;
    QList<Recorded> m_recorded;
    QString m_id;
};

QTEST_GUILESS_MAIN(TestHandoffSession)
#include "test_handoffsession.moc"
