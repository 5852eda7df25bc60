// SPDX-License-Identifier: MIT
// Webhooks end to end: a real banata-local delivering to a receiver in this test that checks every
// signature, answers 500 or hangs on demand, and records what it accepted. Covers create
// validation, the secret shown once, ordering, retries with the same id, filtering, delete, the
// deliveries log, and a SIGKILL of the server with deliveries pending and in flight.
#include "support/servertestbase.h"

#include "server/http/httpserver.h"

#include <QDateTime>
#include <QMessageAuthenticationCode>
#include <QSet>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>

using namespace banata;
using namespace banata::server;
using namespace banata::test;
using namespace Qt::StringLiterals;

namespace {
/// What one path of the receiver does and saw.
struct Endpoint
{
    enum class Mode { Accept, Fail, Hang };
    struct Hit
    {
        QString deliveryId;
        qint64 seq = 0;
        QString type;
        QString sandboxId;
    };

    QByteArray secret; // until set (right after create), requests get 503 and are not recorded
    Mode mode = Mode::Accept;
    int failFirst = 0; // per delivery id: answer failStatus to this many attempts first
    int failStatus = 500;
    std::pair<QByteArray, QByteArray> failHeader; // e.g. Retry-After or Location
    int requests = 0;
    QHash<QString, int> attempts;
    QHash<QString, QByteArray> bodies;
    QList<Hit> accepted; // in arrival order, duplicates included
    QList<HttpResponder> held;
    QStringList heldIds;
    QStringList problems;

    QList<Hit> acceptedFor(const QString &sandboxId) const
    {
        QList<Hit> out;
        for (const Hit &hit : accepted) {
            if (hit.sandboxId == sandboxId)
                out.append(hit);
        }
        return out;
    }
    QSet<qint64> seqsFor(const QString &sandboxId) const
    {
        QSet<qint64> out;
        for (const Hit &hit : acceptedFor(sandboxId))
            out.insert(hit.seq);
        return out;
    }
};

/// A tiny webhook receiver on the project's own HTTP server, one Endpoint per path.
class Receiver
{
public:
    bool listen() { return m_http.listen(QHostAddress::LocalHost, 0); }

    std::shared_ptr<Endpoint> add(const QString &path)
    {
        auto endpoint = std::make_shared<Endpoint>();
        m_http.route("POST"_ba, path, [endpoint](const HttpRequest &request, HttpResponder responder) {
            handle(*endpoint, request, responder);
        });
        return endpoint;
    }
    QString url(const QString &path) const { return u"http://127.0.0.1:%1%2"_s.arg(m_http.port()).arg(path); }

private:
    static void handle(Endpoint &ep, const HttpRequest &request, HttpResponder &responder)
    {
        if (ep.secret.isEmpty())
            return responder.respond(HttpResponse::error(503, u"not ready"_s, u"NOT_READY"_s));
        ++ep.requests;
        const QByteArray id = request.header("banata-webhook-id");
        const QByteArray timestamp = request.header("banata-webhook-timestamp");
        const QByteArray expected = "t="_ba + timestamp + ",v1="_ba +
                                    QMessageAuthenticationCode::hash(timestamp + '.' + request.body, ep.secret,
                                                                     QCryptographicHash::Sha256)
                                        .toHex();
        if (request.header("banata-webhook-signature") != expected)
            ep.problems.append(u"bad signature on "_s + QString::fromLatin1(id));
        if (request.header("content-type") != "application/json")
            ep.problems.append(u"content type "_s + QString::fromLatin1(request.header("content-type")));
        const auto body = parseJson(request.body);
        if (!body || (*body)["id"].get<std::string>() != id.toStdString())
            ep.problems.append(u"body id differs from Banata-Webhook-Id "_s + QString::fromLatin1(id));
        const QString deliveryId = QString::fromLatin1(id);
        if (ep.bodies.contains(deliveryId) && ep.bodies.value(deliveryId) != request.body)
            ep.problems.append(u"body changed between attempts of "_s + deliveryId);
        ep.bodies.insert(deliveryId, request.body);
        const int attempt = ++ep.attempts[deliveryId];
        if (ep.mode == Endpoint::Mode::Hang) {
            ep.held.append(responder);
            ep.heldIds.append(deliveryId);
            return;
        }
        if (ep.mode == Endpoint::Mode::Fail || attempt <= ep.failFirst) {
            HttpResponse response = HttpResponse::error(ep.failStatus, u"try again"_s, u"FLAKY"_s);
            if (!ep.failHeader.first.isEmpty())
                response.setHeader(ep.failHeader.first, ep.failHeader.second);
            return responder.respond(response);
        }
        const Json &json = *body;
        ep.accepted.append({deliveryId, json["sequence"].get<qint64>(), fromStd(json["type"].get<std::string>()),
                            json["sandboxId"].is_string() ? fromStd(json["sandboxId"].get<std::string>()) : QString()});
        responder.respond(HttpResponse::json(200, "{}"_ba));
    }

    HttpServer m_http;
};

const QStringList kFastRetries = {u"--webhook-retry-base-ms"_s, u"20"_s, u"--webhook-max-attempts"_s, u"4"_s};

/// Seqs of every event the fixture's stream saw for \a sandboxId, in order.
QList<qint64> eventSeqs(const ServerFixture &fixture, const QString &sandboxId)
{
    QList<qint64> out;
    for (const Event &e : fixture.received()) {
        if (e.sandboxId == sandboxId)
            out.append(e.seq);
    }
    return out;
}
} // namespace

class TestServerWebhooks : public QObject
{
    Q_OBJECT

private:
    /// Creates a webhook for \a endpoint and hands it the secret.
    Webhook createFor(ServerFixture &fixture, const std::shared_ptr<Endpoint> &endpoint, const QString &path,
                      const QStringList &types, std::optional<bool> enabled = std::nullopt)
    {
        CreateWebhookRequest request;
        request.url = m_receiver.url(path);
        request.eventTypes = types;
        request.enabled = enabled;
        auto result = awaitJob(fixture.client().createWebhook(request));
        if (!result || !result->ok()) {
            QTest::qFail("create webhook failed", __FILE__, __LINE__);
            return {};
        }
        endpoint->secret = result->value().signingSecret.value_or(QString()).toLatin1();
        return result->value();
    }

    bool waitFor(ServerFixture &fixture, const QString &id, const QString &type)
    {
        QSignalSpy spy(&fixture.events(), &EventStream::eventReceived);
        for (int i = 0; i < 150 && !fixture.sawEvent(id, type); ++i)
            spy.wait(200);
        return fixture.sawEvent(id, type);
    }

    Receiver m_receiver;
    std::unique_ptr<ServerFixture> m_fixture;

private slots:
    void initTestCase()
    {
        QVERIFY(m_receiver.listen());
        m_fixture = std::make_unique<ServerFixture>();
        QVERIFY2(m_fixture->start(kFastRetries), qPrintable(m_fixture->errorString()));
    }
    void cleanupTestCase() { m_fixture.reset(); }

    void healthListsWebhooks()
    {
        AWAIT_OK(health, m_fixture->client().health());
        QVERIFY(health.supports(u"webhooks"_s));
    }

    void createValidatesTheBody_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::newRow("no url") << R"({"eventTypes":[]})"_ba;
        QTest::newRow("url not a string") << R"({"url":5})"_ba;
        QTest::newRow("relative") << R"({"url":"/hook"})"_ba;
        QTest::newRow("not http") << R"({"url":"ftp://example.com/hook"})"_ba;
        QTest::newRow("no host") << R"({"url":"http:///hook"})"_ba;
        QTest::newRow("garbage") << R"({"url":"not a url"})"_ba;
        QTest::newRow("types not strings") << R"({"url":"http://h/","eventTypes":[1]})"_ba;
        QTest::newRow("inner wildcard") << R"({"url":"http://h/","eventTypes":["sandbox.*.ready"]})"_ba;
        QTest::newRow("both spellings") << R"({"url":"http://h/","eventTypes":[],"event_types":[]})"_ba;
        QTest::newRow("enabled not bool") << R"({"url":"http://h/","enabled":"yes"})"_ba;
    }
    void createValidatesTheBody()
    {
        QFETCH(QByteArray, body);
        const auto json = parseJson(body);
        QVERIFY(json.ok());
        AWAIT_ERROR(m_fixture->client().send<WebhookJob>(ApiRequest::post(u"/v1/webhooks"_s, *json)), 400,
                    "INVALID_REQUEST");
    }

    void badUrlMessageIsClear()
    {
        CreateWebhookRequest request;
        request.url = u"ftp://example.com/x"_s;
        auto result = awaitJob(m_fixture->client().createWebhook(request));
        QVERIFY(result && !result->ok());
        QCOMPARE(result->error().message, u"Invalid url: 'ftp://example.com/x'. Must be an absolute http or https URL"_s);
    }

    void secretIsShownOnlyOnCreate()
    {
        // The v1 snake_case spelling is accepted too.
        const Json body = {{"url", "https://example.com/hook"}, {"description", "d"}, {"event_types", {"sandbox.ready"}}};
        AWAIT_OK(created, m_fixture->client().send<WebhookJob>(ApiRequest::post(u"/v1/webhooks"_s, body)));
        QVERIFY(created.signingSecret.has_value());
        QVERIFY(QRegularExpression(u"^[0-9a-f]{48}$"_s).match(*created.signingSecret).hasMatch());
        QCOMPARE(created.eventTypes, QStringList{u"sandbox.ready"_s});
        QCOMPARE(created.description, u"d"_s);
        QVERIFY(created.enabled);
        QVERIFY(created.createdAt > 0);

        AWAIT_OK(listed, m_fixture->client().webhooks());
        const auto it = std::find_if(listed.cbegin(), listed.cend(), [&](const Webhook &w) { return w.id == created.id; });
        QVERIFY(it != listed.cend());
        QVERIFY(!it->signingSecret.has_value());
        QCOMPARE(it->url, u"https://example.com/hook"_s);
        for (const Webhook &w : listed)
            QVERIFY(!w.signingSecret.has_value());

        AWAIT_OK(deleted, m_fixture->client().deleteWebhook(created.id));
        QVERIFY(deleted);
        AWAIT_ERROR(m_fixture->client().deleteWebhook(created.id), 404, "WEBHOOK_NOT_FOUND");
        AWAIT_ERROR(m_fixture->client().webhookDeliveries(u"nope"_s), 404, "WEBHOOK_NOT_FOUND");
    }

    void deliversEachEventOnceInOrder()
    {
        auto all = m_receiver.add(u"/all"_s);
        const Webhook hook = createFor(*m_fixture, all, u"/all"_s, {u"sandbox.*"_s});
        const QString id = m_fixture->createReady();
        QVERIFY2(!id.isEmpty(), qPrintable(m_fixture->errorString()));
        AWAIT_OK(paused, m_fixture->client().pauseSandbox(id));
        QVERIFY(waitFor(*m_fixture, id, u"sandbox.paused"_s));
        AWAIT_OK(killed, m_fixture->client().killSandbox(id));
        QVERIFY(waitFor(*m_fixture, id, u"sandbox.ended"_s));

        const QList<qint64> expected = eventSeqs(*m_fixture, id);
        QVERIFY(expected.size() >= 7); // created assigned ready pausing paused ending ended
        QTRY_VERIFY_WITH_TIMEOUT(all->seqsFor(id) == QSet<qint64>(expected.cbegin(), expected.cend()), 20000);
        QVERIFY2(all->problems.isEmpty(), qPrintable(all->problems.join(u"; "_s)));
        const auto hits = all->acceptedFor(id);
        QCOMPARE(hits.size(), expected.size()); // a receiver that always answers gets no duplicates
        for (qsizetype i = 0; i < hits.size(); ++i)
            QCOMPARE(hits[i].seq, expected[i]);
        QCOMPARE(hits.first().type, u"sandbox.created"_s);
        QCOMPARE(hits.last().type, u"sandbox.ended"_s);

        AWAIT_OK(log, m_fixture->client().webhookDeliveries(hook.id));
        QVERIFY(log.size() >= expected.size());
        QVERIFY(log.first().eventSeq > log.last().eventSeq); // newest first
        for (const WebhookDelivery &d : log) {
            QVERIFY(d.status == DeliveryStatus::Delivered);
            QCOMPARE(d.attempts, 1);
            QCOMPARE(d.lastStatusCode, std::optional<int>(200));
            QVERIFY(d.deliveredAt.has_value());
            QVERIFY(!d.nextAttemptAt.has_value());
        }
        AWAIT_OK(limited, m_fixture->client().webhookDeliveries(hook.id, 2));
        QCOMPARE(limited.size(), 2);
        AWAIT_OK(deleted, m_fixture->client().deleteWebhook(hook.id));
        QVERIFY(deleted);
    }

    void retriesWithTheSameIdThenFails()
    {
        auto flaky = m_receiver.add(u"/flaky"_s);
        flaky->failFirst = 2;
        auto failing = m_receiver.add(u"/failing"_s);
        failing->mode = Endpoint::Mode::Fail;
        const Webhook flakyHook = createFor(*m_fixture, flaky, u"/flaky"_s, {u"sandbox.paused"_s});
        const Webhook failingHook = createFor(*m_fixture, failing, u"/failing"_s, {u"sandbox.paused"_s});
        const QString id = m_fixture->createReady();
        QVERIFY2(!id.isEmpty(), qPrintable(m_fixture->errorString()));
        AWAIT_OK(paused, m_fixture->client().pauseSandbox(id));

        QTRY_COMPARE_WITH_TIMEOUT(flaky->acceptedFor(id).size(), 1, 20000);
        const QString deliveryId = flaky->acceptedFor(id).first().deliveryId;
        QCOMPARE(flaky->attempts.value(deliveryId), 3); // 500, 500, then 200: always the same id
        QVERIFY2(flaky->problems.isEmpty(), qPrintable(flaky->problems.join(u"; "_s)));
        AWAIT_OK(flakyLog, m_fixture->client().webhookDeliveries(flakyHook.id));
        QCOMPARE(flakyLog.size(), 1);
        QCOMPARE(flakyLog.first().id, deliveryId);
        QCOMPARE(flakyLog.first().attempts, 3);
        QCOMPARE(flakyLog.first().eventType, u"sandbox.paused"_s);
        QVERIFY(flakyLog.first().status == DeliveryStatus::Delivered);

        // --webhook-max-attempts 4: then failed, with what the receiver said last.
        auto failedLog = [&] {
            auto result = awaitJob(m_fixture->client().webhookDeliveries(failingHook.id));
            return result && result->ok() && result->value().size() == 1 &&
                   result->value().first().status == DeliveryStatus::Failed;
        };
        QTRY_VERIFY_WITH_TIMEOUT(failedLog(), 20000);
        AWAIT_OK(log, m_fixture->client().webhookDeliveries(failingHook.id));
        QCOMPARE(log.first().attempts, 4);
        QCOMPARE(log.first().lastStatusCode, std::optional<int>(500));
        QCOMPARE(log.first().lastError, std::optional<QString>(u"HTTP 500"_s));
        QVERIFY(!log.first().nextAttemptAt.has_value());
        QCOMPARE(failing->requests, 4);
        AWAIT_OK(deletedFlaky, m_fixture->client().deleteWebhook(flakyHook.id));
        AWAIT_OK(deletedFailing, m_fixture->client().deleteWebhook(failingHook.id));
        m_sandbox = id;
    }

    void filtersByTypeAndWildcard()
    {
        QVERIFY(!m_sandbox.isEmpty());
        auto resumed = m_receiver.add(u"/resumed"_s);
        auto checkpoints = m_receiver.add(u"/checkpoints"_s);
        auto disabled = m_receiver.add(u"/disabled"_s);
        createFor(*m_fixture, resumed, u"/resumed"_s, {u"sandbox.resumed"_s});
        createFor(*m_fixture, checkpoints, u"/checkpoints"_s, {u"sandbox.checkpoint.*"_s});
        const Webhook off = createFor(*m_fixture, disabled, u"/disabled"_s, {}, false);
        QVERIFY(!off.enabled);

        AWAIT_OK(resumedSandbox, m_fixture->client().resumeSandbox(m_sandbox));
        QVERIFY(waitFor(*m_fixture, m_sandbox, u"sandbox.resumed"_s));
        AWAIT_OK(checkpoint, m_fixture->client().createCheckpoint(m_sandbox, u"c1"_s));

        QTRY_COMPARE_WITH_TIMEOUT(checkpoints->acceptedFor(m_sandbox).size(), 1, 20000);
        QTRY_COMPARE_WITH_TIMEOUT(resumed->acceptedFor(m_sandbox).size(), 1, 20000);
        QCOMPARE(checkpoints->acceptedFor(m_sandbox).first().type, u"sandbox.checkpoint.created"_s);
        QCOMPARE(resumed->acceptedFor(m_sandbox).first().type, u"sandbox.resumed"_s);
        // The checkpoint was delivered after the resume, so a stray extra would have shown by now.
        QCOMPARE(resumed->requests, 1);
        QCOMPARE(disabled->requests, 0);
        AWAIT_OK(offLog, m_fixture->client().webhookDeliveries(off.id));
        QVERIFY(offLog.isEmpty());
    }

    void deleteStopsDeliveries()
    {
        auto doomed = m_receiver.add(u"/doomed"_s);
        doomed->mode = Endpoint::Mode::Fail;
        auto barrier = m_receiver.add(u"/barrier"_s);
        const Webhook hook = createFor(*m_fixture, doomed, u"/doomed"_s, {u"sandbox.checkpoint.created"_s});
        createFor(*m_fixture, barrier, u"/barrier"_s, {u"sandbox.checkpoint.created"_s});
        AWAIT_OK(first, m_fixture->client().createCheckpoint(m_sandbox, u"c2"_s));
        QTRY_VERIFY_WITH_TIMEOUT(doomed->requests >= 1, 20000);
        AWAIT_OK(deleted, m_fixture->client().deleteWebhook(hook.id));
        const int before = doomed->requests;

        // Two more events fully delivered elsewhere: the deleted webhook's retries (20 ms apart)
        // would have shown up meanwhile.
        AWAIT_OK(second, m_fixture->client().createCheckpoint(m_sandbox, u"c3"_s));
        QTRY_COMPARE_WITH_TIMEOUT(barrier->acceptedFor(m_sandbox).size(), 2, 20000);
        AWAIT_OK(third, m_fixture->client().createCheckpoint(m_sandbox, u"c4"_s));
        QTRY_COMPARE_WITH_TIMEOUT(barrier->acceptedFor(m_sandbox).size(), 3, 20000);
        QCOMPARE(doomed->requests, before);
        AWAIT_ERROR(m_fixture->client().webhookDeliveries(hook.id), 404, "WEBHOOK_NOT_FOUND");
    }

    void honoursRetryAfterAndRefusesRedirects()
    {
        auto busy = m_receiver.add(u"/busy"_s);
        busy->failFirst = 1;
        busy->failStatus = 503;
        busy->failHeader = {"Retry-After"_ba, "2"_ba};
        auto moved = m_receiver.add(u"/moved"_s);
        moved->mode = Endpoint::Mode::Fail;
        moved->failStatus = 302;
        auto target = m_receiver.add(u"/target"_s);
        moved->failHeader = {"Location"_ba, m_receiver.url(u"/target"_s).toLatin1()};
        const Webhook busyHook = createFor(*m_fixture, busy, u"/busy"_s, {u"sandbox.checkpoint.created"_s});
        const Webhook movedHook = createFor(*m_fixture, moved, u"/moved"_s, {u"sandbox.checkpoint.created"_s});
        createFor(*m_fixture, target, u"/target"_s, {u"no.such.event"_s});
        AWAIT_OK(checkpoint, m_fixture->client().createCheckpoint(m_sandbox, u"c5"_s));

        // 503 + Retry-After: 2 wins over the 20 ms back-off.
        QTRY_COMPARE_WITH_TIMEOUT(busy->requests, 1, 20000);
        auto firstAttempt = [&]() -> std::optional<WebhookDelivery> {
            auto result = awaitJob(m_fixture->client().webhookDeliveries(busyHook.id));
            if (result && result->ok() && result->value().size() == 1 && result->value().first().attempts == 1)
                return result->value().first();
            return std::nullopt;
        };
        QTRY_VERIFY_WITH_TIMEOUT(firstAttempt().has_value(), 20000);
        const WebhookDelivery pending = *firstAttempt();
        QVERIFY(pending.status == DeliveryStatus::Pending);
        QCOMPARE(pending.lastStatusCode, std::optional<int>(503));
        QVERIFY(pending.nextAttemptAt.has_value());
        QVERIFY2(*pending.nextAttemptAt - QDateTime::currentMSecsSinceEpoch() > 1000,
                 qPrintable(QString::number(*pending.nextAttemptAt - QDateTime::currentMSecsSinceEpoch())));
        QTRY_COMPARE_WITH_TIMEOUT(busy->acceptedFor(m_sandbox).size(), 1, 20000);

        // A redirect is a failed attempt; the Location is never visited.
        auto movedFailed = [&] {
            auto result = awaitJob(m_fixture->client().webhookDeliveries(movedHook.id));
            return result && result->ok() && result->value().size() == 1 &&
                   result->value().first().status == DeliveryStatus::Failed;
        };
        QTRY_VERIFY_WITH_TIMEOUT(movedFailed(), 20000);
        AWAIT_OK(log, m_fixture->client().webhookDeliveries(movedHook.id));
        QCOMPARE(log.first().lastStatusCode, std::optional<int>(302));
        QCOMPARE(log.first().lastError, std::optional<QString>(u"HTTP 302: redirects are not followed"_s));
        QCOMPARE(target->requests, 0);
    }

    void survivesSigkillWithDeliveriesPendingAndInFlight()
    {
        ServerFixture fixture;
        const QStringList args = {u"--webhook-retry-base-ms"_s, u"50"_s, u"--webhook-max-attempts"_s, u"50"_s};
        QVERIFY2(fixture.start(args), qPrintable(fixture.errorString()));
        auto crash = m_receiver.add(u"/crash"_s);
        crash->mode = Endpoint::Mode::Fail;
        const Webhook hook = createFor(fixture, crash, u"/crash"_s, {u"sandbox.*"_s});
        const QString id = fixture.createReady();
        QVERIFY2(!id.isEmpty(), qPrintable(fixture.errorString()));
        AWAIT_OK(paused, fixture.client().pauseSandbox(id));
        QVERIFY(waitFor(fixture, id, u"sandbox.paused"_s));
        QTRY_VERIFY_WITH_TIMEOUT(crash->requests >= 3, 20000); // some attempts failed

        // Hold the next attempt unanswered, then kill the server while it waits for the answer.
        crash->mode = Endpoint::Mode::Hang;
        QTRY_VERIFY_WITH_TIMEOUT(!crash->held.isEmpty(), 20000);
        fixture.crash();
        crash->held.clear();
        crash->mode = Endpoint::Mode::Accept;
        QVERIFY2(fixture.restart(args), qPrintable(fixture.errorString()));

        AWAIT_OK(killed, fixture.client().killSandbox(id));
        QVERIFY(waitFor(fixture, id, u"sandbox.ended"_s));
        const QList<qint64> expected = eventSeqs(fixture, id);
        QVERIFY(expected.size() >= 7);
        const QSet<qint64> expectedSet(expected.cbegin(), expected.cend());
        QTRY_VERIFY_WITH_TIMEOUT(crash->seqsFor(id) == expectedSet, 30000);
        QVERIFY2(crash->problems.isEmpty(), qPrintable(crash->problems.join(u"; "_s)));

        // After dedupe by delivery id every event is there exactly once: one id per event, and
        // the server never sent a different event under an id it had used.
        QHash<qint64, QString> idOfSeq;
        QHash<QString, qint64> seqOfId;
        for (const Endpoint::Hit &hit : crash->acceptedFor(id)) {
            QVERIFY(idOfSeq.value(hit.seq, hit.deliveryId) == hit.deliveryId);
            QVERIFY(seqOfId.value(hit.deliveryId, hit.seq) == hit.seq);
            idOfSeq.insert(hit.seq, hit.deliveryId);
            seqOfId.insert(hit.deliveryId, hit.seq);
        }
        QCOMPARE(idOfSeq.size(), expected.size());
        // The attempt that was in flight when the server died was sent again, with its id.
        QVERIFY(!crash->heldIds.isEmpty());
        QVERIFY(seqOfId.contains(crash->heldIds.first()));

        AWAIT_OK(log, fixture.client().webhookDeliveries(hook.id, 1000));
        QCOMPARE(log.size(), expected.size());
        int retried = 0;
        for (const WebhookDelivery &d : log) {
            QVERIFY(d.status == DeliveryStatus::Delivered);
            QCOMPARE(d.lastStatusCode, std::optional<int>(200));
            retried += d.attempts > 1 ? 1 : 0;
        }
        QVERIFY(retried >= 1);

        // An event stored just before a crash, with the outbox row not yet written (simulated by
        // writing the event row ourselves while the server is down), is queued on restart.
        fixture.crash();
        qint64 injectedSeq = 0;
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"inject"_s);
            db.setDatabaseName(fixture.server().dataDir() + u"/banata.db"_s);
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec(u"SELECT MAX(seq) FROM events"_s) && q.next());
            injectedSeq = q.value(0).toLongLong() + 1;
            q.prepare(u"INSERT INTO events (seq, type, sandbox_id, timestamp, data) VALUES (?, ?, ?, ?, '{}')"_s);
            q.addBindValue(injectedSeq);
            q.addBindValue(u"sandbox.injected"_s);
            q.addBindValue(id);
            q.addBindValue(QDateTime::currentMSecsSinceEpoch());
            QVERIFY(q.exec());
            db.close();
        }
        QSqlDatabase::removeDatabase(u"inject"_s);
        QVERIFY2(fixture.restart(args), qPrintable(fixture.errorString()));
        QTRY_VERIFY_WITH_TIMEOUT(crash->seqsFor(id).contains(injectedSeq), 20000);
        QCOMPARE(crash->acceptedFor(id).last().type, u"sandbox.injected"_s);
    }

private:
    QString m_sandbox; // paused by retriesWithTheSameIdThenFails, used by the later tests
};

QTEST_GUILESS_MAIN(TestServerWebhooks)
#include "test_server_webhooks.moc"
