// SPDX-License-Identifier: MIT
// The API client against a fake network when things go wrong: which failures are retried and
// how long it waits, timeouts, aborts, and bodies that never end.
#include "core/client/apiclient.h"
#include "support/apiclienttest.h"
#include "support/fakenetwork.h"

#include <QElapsedTimer>
#include <QPointer>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace banata;
using namespace banata::test;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

class TestApiClientRetries : public QObject
{
    Q_OBJECT

private slots:
    // --- retries ----------------------------------------------------------------------------
    void retryDelayHasJitterAndHonoursRetryAfter()
    {
        const RetryPolicy policy{3, 500ms, 10000ms};
        for (int i = 0; i < 50; ++i) {
            const auto first = policy.delayFor(1, std::nullopt);
            QVERIFY(first && *first >= 250ms && *first <= 500ms);
            const auto third = policy.delayFor(3, std::nullopt);
            QVERIFY(third && *third >= 1000ms && *third <= 2000ms);
            const auto late = policy.delayFor(20, std::nullopt);
            QVERIFY(late && *late >= 5000ms && *late <= 10000ms);
        }
        QCOMPARE(policy.delayFor(1, 3).value(), 3000ms);
        QVERIFY(!policy.delayFor(1, 60)); // longer than maxDelay: give up and report
    }

    void rateLimitedPostWaitsForRetryAfter()
    {
        FakeNetworkAccessManager network;
        network.enqueue(FakeReplySpec::json(429, R"({"error":"Rate limit exceeded. Please try again later."})"_ba)
                            .header("Retry-After"_ba, "1"_ba));
        network.enqueue(FakeReplySpec::json(200, dumpJson(sampleSandbox().toJson())));
        ApiClient client(&network, kBaseUrl, kApiKey); // default policy: 500 ms base, 10 s max
        QElapsedTimer clock;
        clock.start();
        SandboxJob *job = client.pauseSandbox(u"sb_1"_s); // a POST: 429 is safe to repeat
        QSignalSpy retrying(job, &ApiJob::retrying);
        auto outcome = watch<Sandbox>(job);
        QTRY_VERIFY_WITH_TIMEOUT(outcome->result, 5000);
        QVERIFY(outcome->result->ok());
        QVERIFY2(clock.elapsed() >= 950, qPrintable(QString::number(clock.elapsed())));
        QCOMPARE(network.requests().size(), 2);
        QCOMPARE(retrying.size(), 1);
        QVERIFY(retrying.at(0).at(1).toLongLong() >= 1000);
        QCOMPARE(network.requests().at(1).body, network.requests().at(0).body);
    }

    void serviceUnavailableRetriedOnlyWhenIdempotent()
    {
        FakeNetworkAccessManager network;
        network.enqueue(FakeReplySpec::json(503, R"({"error":"busy"})"_ba));
        network.enqueue(FakeReplySpec::json(200, dumpJson(sampleSandbox().toJson())));
        ApiClient client(&network, kBaseUrl, kApiKey, fastRetry());
        auto got = watch<Sandbox>(client.sandbox(u"sb_1"_s));
        QTRY_VERIFY(got->result);
        QVERIFY(got->result->ok());
        QCOMPARE(network.requests().size(), 2);

        network.clearRequests();
        network.enqueue(FakeReplySpec::json(503, R"({"error":"busy"})"_ba));
        network.enqueue(FakeReplySpec::json(200, dumpJson(sampleSandbox().toJson())));
        auto paused = watch<Sandbox>(client.pauseSandbox(u"sb_1"_s));
        QTRY_VERIFY(paused->result);
        QVERIFY(!paused->result->ok());
        QCOMPARE(paused->result->error().httpStatus, 503);
        QCOMPARE(network.requests().size(), 1);
    }

    void networkErrorRetriedOnlyWhenIdempotent()
    {
        FakeNetworkAccessManager network;
        network.enqueue(FakeReplySpec::networkError());
        network.enqueue(FakeReplySpec::json(200, dumpJson(sampleSandbox().toJson())));
        ApiClient client(&network, kBaseUrl, kApiKey, fastRetry());
        auto killed = watch<Sandbox>(client.killSandbox(u"sb_1"_s)); // DELETE is idempotent
        QTRY_VERIFY(killed->result);
        QVERIFY(killed->result->ok());
        QCOMPARE(network.requests().size(), 2);

        network.clearRequests();
        network.enqueue(FakeReplySpec::networkError(QNetworkReply::RemoteHostClosedError, u"closed"_s));
        ExecRequest exec;
        exec.id = u"sb_1"_s;
        exec.command = u"true"_s;
        auto ran = watch<ExecResult>(client.exec(exec));
        QTRY_VERIFY(ran->result);
        QVERIFY(!ran->result->ok());
        QVERIFY(ran->result->error().kind == ApiError::Kind::Network);
        QCOMPARE(ran->result->error().message, u"closed"_s);
        QCOMPARE(network.requests().size(), 1);
    }

    void retriesExhausted()
    {
        FakeNetworkAccessManager network;
        network.setHandler([](const QNetworkRequest &, const QByteArray &, const QByteArray &) {
            return FakeReplySpec::json(503, R"({"error":"still busy","code":"BUSY"})"_ba);
        });
        ApiClient client(&network, kBaseUrl, kApiKey, fastRetry(2));
        HealthJob *job = client.health();
        QSignalSpy retrying(job, &ApiJob::retrying);
        auto outcome = watch<Health>(job);
        QTRY_VERIFY(outcome->result);
        QVERIFY(!outcome->result->ok());
        QCOMPARE(outcome->result->error().httpStatus, 503);
        QCOMPARE(outcome->result->error().code, u"BUSY"_s);
        QCOMPARE(network.requests().size(), 3); // first attempt + 2 retries
        QCOMPARE(retrying.size(), 2);
        QCOMPARE(outcome->count, 1);
    }

    void retryAfterLongerThanMaxDelayGivesUp()
    {
        FakeNetworkAccessManager network;
        network.enqueue(FakeReplySpec::json(429, R"({"error":"slow down"})"_ba).header("Retry-After"_ba, "120"_ba));
        ApiClient client(&network, kBaseUrl, kApiKey);
        auto outcome = watch<Health>(client.health());
        QTRY_VERIFY(outcome->result);
        QVERIFY(!outcome->result->ok());
        QCOMPARE(outcome->result->error().retryAfterSeconds, std::optional<int>(120));
        QCOMPARE(network.requests().size(), 1);
    }

    // --- timeout, abort, limits -------------------------------------------------------------
    void hangingReplyTimesOut()
    {
        FakeNetworkAccessManager network;
        network.setHandler([](const QNetworkRequest &, const QByteArray &, const QByteArray &) { return FakeReplySpec::hang(); });
        ApiClient client(&network, kBaseUrl, kApiKey, fastRetry(1));
        client.setTimeout(100ms);
        auto outcome = watch<Health>(client.health());
        QTRY_VERIFY(outcome->result);
        QVERIFY(!outcome->result->ok());
        QVERIFY(outcome->result->error().kind == ApiError::Kind::Timeout);
        QCOMPARE(network.requests().size(), 2); // a GET that timed out is retried once
        QTRY_COMPARE(network.openReplies(), 0); // both hanging replies were aborted
    }

    void abortReportsAbortedOnceAndStopsTheReply()
    {
        FakeNetworkAccessManager network;
        network.setHandler([](const QNetworkRequest &, const QByteArray &, const QByteArray &) { return FakeReplySpec::hang(); });
        ApiClient client(&network, kBaseUrl, kApiKey);
        QPointer<SandboxJob> job = client.sandbox(u"sb_1"_s);
        auto outcome = watch<Sandbox>(job.data());
        QCOMPARE(network.openReplies(), 1);
        job->abort();
        QVERIFY(outcome->result); // synchronously
        QVERIFY(outcome->result->error().kind == ApiError::Kind::Aborted);
        QCOMPARE(network.openReplies(), 0);
        job->abort(); // harmless
        QCOMPARE(outcome->count, 1);
        QTRY_VERIFY(!job);

        QPointer<SandboxJob> deleted = client.sandbox(u"sb_2"_s);
        auto silent = watch<Sandbox>(deleted.data());
        delete deleted.data();
        QCOMPARE(network.openReplies(), 0);
        QCOMPARE(silent->count, 0);
    }

    void endlessBodyIsCut()
    {
        FakeNetworkAccessManager network;
        network.enqueue(FakeReplySpec::endless());
        ApiClient client(&network, kBaseUrl, kApiKey, fastRetry());
        auto outcome = watch<SandboxPage>(client.send<SandboxPageJob>(ApiRequest::get(u"/v1/sandboxes"_s).maxResponseBytes(4 * 1024 * 1024)));
        QTRY_VERIFY(outcome->result);
        QVERIFY(!outcome->result->ok());
        QVERIFY(outcome->result->error().kind == ApiError::Kind::Protocol);
        QVERIFY(outcome->result->error().message.contains(u"too large"_s));
        QCOMPARE(network.requests().size(), 1);
        QTRY_COMPARE(network.openReplies(), 0);

        // An announced length over the cap fails before the body is read.
        network.enqueue(FakeReplySpec::json(200, "{}"_ba).header("Content-Length"_ba, "999999999999"_ba));
        auto announced = watch<SandboxPage>(client.listSandboxes());
        QTRY_VERIFY(announced->result);
        QVERIFY(announced->result->error().kind == ApiError::Kind::Protocol);

        // An endless error page keeps its status and is cut at 1 MiB.
        network.clearRequests();
        network.enqueue(FakeReplySpec::endless(500));
        auto flooded = watch<Sandbox>(client.pauseSandbox(u"sb_1"_s));
        QTRY_VERIFY(flooded->result);
        QVERIFY(flooded->result->error().kind == ApiError::Kind::Http);
        QCOMPARE(flooded->result->error().httpStatus, 500);
        QCOMPARE(network.requests().size(), 1);
        QTRY_COMPARE(network.openReplies(), 0);
    }
};

QTEST_GUILESS_MAIN(TestApiClientRetries)
#include "test_apiclient_retries.moc"
