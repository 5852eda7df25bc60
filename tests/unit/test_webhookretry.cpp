// SPDX-License-Identifier: MIT
// The webhook back-off schedule: doubling from the base, jitter bounds, the cap, Retry-After.
#include "server/webhooks/webhookdispatcher.h"

#include <QTest>

using namespace banata::server;
using namespace std::chrono_literals;

class TestWebhookRetry : public QObject
{
    Q_OBJECT

private slots:
    void doublesFromTheBase()
    {
        const WebhookPolicy policy;
        QCOMPARE(webhookRetryDelay(policy, 1, std::nullopt, 1.0), 1000ms);
        QCOMPARE(webhookRetryDelay(policy, 2, std::nullopt, 1.0), 2000ms);
        QCOMPARE(webhookRetryDelay(policy, 4, std::nullopt, 1.0), 8000ms);
        QCOMPARE(webhookRetryDelay(policy, 7, std::nullopt, 1.0), 64000ms);
    }

    void jitterStaysWithinAQuarter()
    {
        const WebhookPolicy policy;
        QCOMPARE(webhookRetryDelay(policy, 3, std::nullopt, 0.75), 3000ms);
        QCOMPARE(webhookRetryDelay(policy, 3, std::nullopt, 1.25), 5000ms);
        QCOMPARE(webhookRetryDelay(policy, 3, std::nullopt, 0.0), 3000ms); // clamped
        QCOMPARE(webhookRetryDelay(policy, 3, std::nullopt, 9.0), 5000ms);
    }

    void cappedAtTenMinutes()
    {
        const WebhookPolicy policy;
        QCOMPARE(webhookRetryDelay(policy, 11, std::nullopt, 1.25), 600000ms);
        QCOMPARE(webhookRetryDelay(policy, 1000, std::nullopt, 1.0), 600000ms);
    }

    void retryAfterIsAFloorUpToAnHour()
    {
        WebhookPolicy policy;
        policy.retryBase = 20ms;
        QCOMPARE(webhookRetryDelay(policy, 1, 2000ms, 1.0), 2000ms);
        QCOMPARE(webhookRetryDelay(policy, 1, 0ms, 1.0), 20ms);
        QCOMPARE(webhookRetryDelay(policy, 1, std::chrono::milliseconds(86400000), 1.0), 3600000ms);
    }
};

QTEST_GUILESS_MAIN(TestWebhookRetry)
#include "test_webhookretry.moc"
