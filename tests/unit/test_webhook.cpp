// SPDX-License-Identifier: MIT
// Webhook wire types, event type selection and the signature scheme, against a vector computed
// independently with Python's hmac module.
#include "core/webhook.h"

#include <QTest>

#include <limits>

using namespace banata;
using namespace Qt::StringLiterals;

namespace {
const QByteArray kSecret = "2ca3941580ae81eb9769c91b31770b2646acbf0c41538a01"_ba;
const QByteArray kBody =
    R"({"id":"d1","type":"sandbox.ready","createdAt":1775038321611,"sequence":7,"sandboxId":"sb1","data":{}})"_ba;
constexpr qint64 kTimestamp = 1775038321;
// python3 -c 'import hmac,hashlib; print(hmac.new(SECRET, b"1775038321." + BODY, hashlib.sha256).hexdigest())'
const QByteArray kExpected = "a1481180c870d337534ef60b3b59c7e88510054b12d018f029ae645b20e29744"_ba;
} // namespace

class TestWebhook : public QObject
{
    Q_OBJECT

private slots:
    void signatureMatchesKnownVector()
    {
        QCOMPARE(webhookSignature(kSecret, kTimestamp, kBody), kExpected);
        QCOMPARE(webhookSignatureHeader(kSecret, kTimestamp, kBody), QByteArray("t=1775038321,v1="_ba + kExpected));
    }

    void verifyAcceptsOnlyTheRightBodySecretAndTime()
    {
        const QByteArray header = webhookSignatureHeader(kSecret, kTimestamp, kBody);
        QVERIFY(verifyWebhookSignature(kSecret, header, kBody, kTimestamp + 10));
        QVERIFY(!verifyWebhookSignature(kSecret, header, QByteArray(kBody + " "_ba), kTimestamp));
        QVERIFY(!verifyWebhookSignature(QByteArray("0"_ba + kSecret.mid(1)), header, kBody, kTimestamp));
        QVERIFY(!verifyWebhookSignature(kSecret, header, kBody, kTimestamp + 301)); // replayed later
        QVERIFY(!verifyWebhookSignature(kSecret, QByteArray("v1="_ba + kExpected), kBody, kTimestamp)); // no t=
        QVERIFY(!verifyWebhookSignature(kSecret, "t=1775038321,v1=00"_ba, kBody, kTimestamp));
        // Several v1 values (secret rotation on the sender's side): any one matching is enough.
        QVERIFY(verifyWebhookSignature(kSecret, QByteArray("t=1775038321,v1=abcd,v1="_ba + kExpected), kBody, kTimestamp));
    }

    void verifyRejectsTimestampsAtTheLimitsWithoutOverflow()
    {
        // Found by fuzzing (tests/fuzz/regressions/webhooks): |now - t| overflowed for t near
        // the qint64 limits (undefined behaviour); such a header is simply too old or too new.
        const QByteArray body = "{}"_ba;
        QVERIFY(!verifyWebhookSignature(kSecret, "t=-9223372036854775808,v1=00"_ba, body, 1775038321));
        QVERIFY(!verifyWebhookSignature(kSecret, "t=9223372036854775807,v1=00"_ba, body, -1775038321));
        QVERIFY(!verifyWebhookSignature(kSecret, "t=2,v1="_ba, body, std::numeric_limits<qint64>::min()));
        const QByteArray good = webhookSignatureHeader(kSecret, std::numeric_limits<qint64>::max(), body);
        QVERIFY(verifyWebhookSignature(kSecret, good, body, std::numeric_limits<qint64>::max()));
        QVERIFY(!verifyWebhookSignature(kSecret, good, body, std::numeric_limits<qint64>::min()));
    }

    void selectsByNameAndPrefix_data()
    {
        QTest::addColumn<QStringList>("patterns");
        QTest::addColumn<QString>("type");
        QTest::addColumn<bool>("selected");
        QTest::newRow("empty is all") << QStringList() << u"sandbox.ready"_s << true;
        QTest::newRow("star is all") << QStringList{u"*"_s} << u"sandbox.files.changed"_s << true;
        QTest::newRow("exact") << QStringList{u"sandbox.ready"_s} << u"sandbox.ready"_s << true;
        QTest::newRow("exact other") << QStringList{u"sandbox.ready"_s} << u"sandbox.paused"_s << false;
        QTest::newRow("exact is not prefix") << QStringList{u"sandbox.ready"_s} << u"sandbox.ready.x"_s << false;
        QTest::newRow("wildcard") << QStringList{u"sandbox.handoff.*"_s} << u"sandbox.handoff.requested"_s << true;
        QTest::newRow("wildcard deep") << QStringList{u"sandbox.*"_s} << u"sandbox.agent.task.completed"_s << true;
        QTest::newRow("wildcard needs the dot") << QStringList{u"sandbox.handoff.*"_s} << u"sandbox.handoffs.x"_s << false;
        QTest::newRow("wildcard not the bare prefix") << QStringList{u"sandbox.handoff.*"_s} << u"sandbox.handoff"_s << false;
        QTest::newRow("any of several") << QStringList{u"a.b"_s, u"sandbox.checkpoint.*"_s}
                                        << u"sandbox.checkpoint.restored"_s << true;
    }
    void selectsByNameAndPrefix()
    {
        QFETCH(QStringList, patterns);
        QFETCH(QString, type);
        QFETCH(bool, selected);
        QCOMPARE(webhookSelects(patterns, type), selected);
    }

    void webhookJsonShapeAndSpellings()
    {
        Webhook w;
        w.id = u"kh7ev9z670rc9fk1gx7mqtdm09841zrj"_s;
        w.url = u"https://your-app.example.com/banata/webhook"_s;
        w.description = u"Task completion receiver"_s;
        w.eventTypes = {u"sandbox.agent.task.completed"_s};
        w.signingSecret = QString::fromLatin1(kSecret);
        w.createdAt = 1775038321611;
        const Json json = w.toJson();
        QCOMPARE(json.size(), size_t(7));
        QCOMPARE(json["signingSecret"].get<std::string>(), kSecret.toStdString());
        QCOMPARE(Webhook::fromJson(json).value(), w);

        w.signingSecret.reset();
        QVERIFY(!w.toJson().contains("signingSecret"));

        const Json v1 = {{"id", "x"}, {"url", "http://h/"}, {"event_types", {"sandbox.ready"}},
                         {"signing_secret", "s"}, {"created_at", 5}};
        const auto parsed = Webhook::fromJson(v1);
        QVERIFY2(parsed.ok(), qPrintable(parsed.ok() ? QString() : parsed.error()));
        QCOMPARE(parsed->eventTypes, QStringList{u"sandbox.ready"_s});
        QCOMPARE(parsed->signingSecret, std::optional<QString>(u"s"_s));
        QCOMPARE(parsed->createdAt, 5);
        QVERIFY(!Webhook::fromJson(Json{{"id", "x"}}).ok());
    }

    void deliveryRoundTripsAndRejectsUnknownStatus()
    {
        WebhookDelivery d;
        d.id = u"d"_s;
        d.webhookId = u"w"_s;
        d.eventSeq = 9;
        d.eventType = u"sandbox.ready"_s;
        d.status = DeliveryStatus::Delivered;
        d.attempts = 3;
        d.lastStatusCode = 200;
        d.createdAt = 1;
        d.deliveredAt = 2;
        QCOMPARE(WebhookDelivery::fromJson(d.toJson()).value(), d);
        const auto list = webhookDeliveryListFromJson(webhookDeliveryListToJson({d, d}));
        QVERIFY(list.ok());
        QCOMPARE(list->size(), 2);
        Json bad = d.toJson();
        bad["status"] = "lost";
        QVERIFY(!WebhookDelivery::fromJson(bad).ok());
    }
};

QTEST_GUILESS_MAIN(TestWebhook)
#include "test_webhook.moc"
