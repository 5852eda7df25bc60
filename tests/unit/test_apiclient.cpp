// SPDX-License-Identifier: MIT
// The API client against a fake network: what each job sends, what it makes of the answer, and
// how it retries, times out, aborts and streams. The event stream runs against a local WebSocket server.
#include "core/client/apiclient.h"
#include "core/client/eventstream.h"
#include "support/fakenetwork.h"

#include <QBuffer>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>
#include <QWebSocket>
#include <QWebSocketServer>

#include <memory>

using namespace banata;
using namespace banata::test;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

const QUrl kBaseUrl(u"http://banata.test:8787/"_s);
const QString kApiKey = u"sk-test-0123456789"_s;

/// Collects the one `finished` of a job; the job itself is the connection's context.
template <typename T>
struct Outcome
{
    std::optional<ApiResult<T>> result;
    int count = 0;
};

template <typename T, typename Job>
std::shared_ptr<Outcome<T>> watch(Job *job)
{
    auto outcome = std::make_shared<Outcome<T>>();
    QObject::connect(job, &Job::finished, job, [outcome](const ApiResult<T> &result) {
        outcome->result = result;
        ++outcome->count;
    });
    return outcome;
}

Sandbox sampleSandbox(const QString &id = u"sb_1"_s, SandboxStatus status = SandboxStatus::Ready)
{
    Sandbox s;
    s.id = id;
    s.status = status;
    s.runtime = u"python"_s;
    s.size = u"standard"_s;
    s.createdAt = 1772078705353;
    s.updatedAt = 1772078705999;
    s.readyAt = 1772078705999;
    return s;
}

Checkpoint sampleCheckpoint()
{
    return Checkpoint{u"cp_1"_s, u"sb_1"_s, u"before upgrade"_s, 1772078706000, 4096, 12};
}

Json parsedBody(const RecordedRequest &request)
{
    auto json = parseJson(request.body);
    return json ? *json : Json();
}

#define QCOMPARE_JSON(actual, expected)                                                                    \
    QVERIFY2((actual) == (expected), qPrintable(fromStd((actual).dump()) + u" != "_s + fromStd((expected).dump())))

template <typename T>
QString errorText(const ApiResult<T> &result)
{
    return result.ok() ? QString() : result.error().displayText();
}

RetryPolicy fastRetry(int maxRetries = 3)
{
    return RetryPolicy{maxRetries, 1ms, 5ms};
}

QByteArray eventJson(qint64 seq, const QString &type = u"sandbox.ready"_s)
{
    Event event;
    event.seq = seq;
    event.type = type;
    event.sandboxId = u"sb_1"_s;
    event.timestamp = 1772078706000 + seq;
    return dumpJson(event.toJson());
}

/// A WebSocket server on a free local port that records who connected and how.
struct EventServer
{
    QWebSocketServer server{u"banata-test"_s, QWebSocketServer::NonSecureMode};
    QObject context;
    QList<QPointer<QWebSocket>> sockets;
    QList<QUrl> urls;
    QList<QByteArray> auth;

    EventServer()
    {
        QObject::connect(&server, &QWebSocketServer::newConnection, &context, [this] {
            while (QWebSocket *socket = server.nextPendingConnection()) {
                sockets.append(socket);
                urls.append(socket->requestUrl());
                auth.append(socket->request().rawHeader("Authorization"_ba));
            }
        });
        server.listen(QHostAddress::LocalHost, 0);
    }
    ~EventServer()
    {
        for (const QPointer<QWebSocket> &socket : std::as_const(sockets))
            delete socket.data();
    }
    QUrl baseUrl() const { return QUrl(u"http://127.0.0.1:%1"_s.arg(server.serverPort())); }
    void send(const QByteArray &text) { sockets.last()->sendTextMessage(QString::fromUtf8(text)); }
};

} // namespace

class TestApiClient : public QObject
{
    Q_OBJECT

private slots:
    // --- requests and parsing -------------------------------------------------------------
    void requestEncodesQueryAndJoinsBasePath()
    {
        const ApiRequest request = ApiRequest::get(u"/v1/sandboxes/fs/read"_s)
                                       .query(u"id"_s, u"sb_1"_s)
                                       .query(u"path"_s, u"/workspace/a b+c&d=%e ü.txt"_s);
        const QUrl url = request.url(QUrl(u"https://api.example/prefix/"_s));
        QCOMPARE(url.path(), u"/prefix/v1/sandboxes/fs/read"_s);
        const QString encoded = url.query(QUrl::FullyEncoded);
        QVERIFY2(encoded.contains(u"%2B"_s) && encoded.contains(u"%26"_s) && encoded.contains(u"%25"_s), qPrintable(encoded));
        QCOMPARE(QUrlQuery(url).queryItemValue(u"path"_s, QUrl::FullyDecoded), u"/workspace/a b+c&d=%e ü.txt"_s);
        QVERIFY(request.isIdempotent());
        QVERIFY(!ApiRequest::post(u"/x"_s, Json::object()).isIdempotent());
        QVERIFY(ApiRequest::del(u"/x"_s).isIdempotent());
    }

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

    void healthSendsAuthAndParses()
    {
        FakeNetworkAccessManager network;
        network.enqueue(FakeReplySpec::json(200, R"({"status":"ok","server":"banata-local","version":"0.1.0",
            "extensions":["fs.download","events"],"pauseMethod":"signals"})"_ba));
        ApiClient client(&network, kBaseUrl, kApiKey);
        QPointer<HealthJob> job = client.health();
        auto outcome = watch<Health>(job.data());
        QTRY_VERIFY(outcome->result);
        QVERIFY(outcome->result->ok());
        QCOMPARE(outcome->result->value().server, u"banata-local"_s);
        QVERIFY(outcome->result->value().supports(u"events"_s));
        QCOMPARE(network.requests().size(), 1);
        const RecordedRequest sent = network.lastRequest();
        QCOMPARE(sent.verb, "GET"_ba);
        QCOMPARE(sent.url().toString(), u"http://banata.test:8787/v1/health"_s);
        QCOMPARE(sent.header("Authorization"_ba), "Bearer sk-test-0123456789"_ba);
        QTRY_VERIFY(!job); // deletes itself after finishing
        QCOMPARE(outcome->count, 1);
    }

    void sandboxRoutes()
    {
        FakeNetworkAccessManager network;
        const Sandbox sandbox = sampleSandbox();
        network.setHandler([&](const QNetworkRequest &, const QByteArray &verb, const QByteArray &) {
            return FakeReplySpec::json(verb == "POST" ? 201 : 200, dumpJson(sandbox.toJson()));
        });
        ApiClient client(&network, kBaseUrl, kApiKey);

        CreateSandboxRequest create;
        create.runtime = u"python"_s;
        create.name = u"report"_s;
        auto created = watch<Sandbox>(client.createSandbox(create));
        QTRY_VERIFY(created->result);
        QVERIFY(created->result->ok());
        QCOMPARE(created->result->value(), sandbox);
        QCOMPARE(network.lastRequest().verb, "POST"_ba);
        QCOMPARE(network.lastRequest().url().path(), u"/v1/sandboxes"_s);
        QCOMPARE(network.lastRequest().header("Content-Type"_ba), "application/json"_ba);
        QCOMPARE_JSON(parsedBody(network.lastRequest()), create.toJson());

        struct Case
        {
            std::shared_ptr<Outcome<Sandbox>> outcome;
            QByteArray verb;
            QString path;
            QString idInQuery;
            Json body;
        };
        // Watch each job as it is made: the ones finishing first delete themselves meanwhile.
        const Case cases[] = {
            {watch<Sandbox>(client.sandbox(u"sb_1"_s)), "GET"_ba, u"/v1/sandboxes"_s, u"sb_1"_s, Json()},
            {watch<Sandbox>(client.killSandbox(u"sb_2"_s)), "DELETE"_ba, u"/v1/sandboxes"_s, u"sb_2"_s, Json()},
            {watch<Sandbox>(client.pauseSandbox(u"sb_3"_s)), "POST"_ba, u"/v1/sandboxes/pause"_s, QString(), Json{{"id", "sb_3"}}},
            {watch<Sandbox>(client.resumeSandbox(u"sb_4"_s)), "POST"_ba, u"/v1/sandboxes/resume"_s, QString(), Json{{"id", "sb_4"}}},
        };
        QCOMPARE(network.requests().size(), 5);
        for (int i = 0; i < 4; ++i) {
            const Case &c = cases[i];
            QTRY_VERIFY(c.outcome->result);
            QVERIFY(c.outcome->result->ok());
            const RecordedRequest &sent = network.requests().at(i + 1);
            QCOMPARE(sent.verb, c.verb);
            QCOMPARE(sent.url().path(), c.path);
            QCOMPARE(sent.queryValue(u"id"_s), c.idInQuery);
            QCOMPARE(sent.header("Authorization"_ba), "Bearer "_ba + kApiKey.toUtf8());
            if (!c.body.is_null())
                QCOMPARE_JSON(parsedBody(sent), c.body);
        }
    }

    void listSandboxesSendsFiltersAndParsesPage()
    {
        FakeNetworkAccessManager network;
        SandboxPage page;
        page.data = {sampleSandbox(u"a"_s), sampleSandbox(u"b"_s, SandboxStatus::Paused)};
        page.nextCursor = u"c2"_s;
        network.enqueue(FakeReplySpec::json(200, dumpJson(page.toJson())));
        ApiClient client(&network, kBaseUrl, kApiKey);
        SandboxListQuery query;
        query.statuses = {SandboxStatus::Ready, SandboxStatus::Paused};
        query.limit = 50;
        query.cursor = u"c1"_s;
        auto outcome = watch<SandboxPage>(client.listSandboxes(query));
        QTRY_VERIFY(outcome->result);
        QVERIFY(outcome->result->ok());
        QCOMPARE(outcome->result->value().data.size(), 2);
        QVERIFY(outcome->result->value().data.at(1).status == SandboxStatus::Paused);
        QCOMPARE(outcome->result->value().nextCursor, std::optional<QString>(u"c2"_s));
        const RecordedRequest sent = network.lastRequest();
        QCOMPARE(sent.queryValue(u"status"_s), u"ready,paused"_s);
        QCOMPARE(sent.queryValue(u"limit"_s), u"50"_s);
        QCOMPARE(sent.queryValue(u"cursor"_s), u"c1"_s);
    }

    void execAndCode()
    {
        FakeNetworkAccessManager network;
        network.setHandler([](const QNetworkRequest &, const QByteArray &, const QByteArray &) {
            return FakeReplySpec::json(200, R"({"stdout":"hi\n","stderr":"","exitCode":3,"durationMs":12})"_ba);
        });
        ApiClient client(&network, kBaseUrl, kApiKey);
        ExecRequest exec;
        exec.id = u"sb_1"_s;
        exec.command = u"echo hi; exit 3"_s;
        exec.timeoutMs = 5000;
        auto ran = watch<ExecResult>(client.exec(exec));
        QTRY_VERIFY(ran->result);
        QVERIFY(ran->result->ok());
        QCOMPARE(ran->result->value().exitCode, 3);
        QCOMPARE(ran->result->value().stdoutText, u"hi\n"_s);
        QCOMPARE(network.lastRequest().url().path(), u"/v1/sandboxes/exec"_s);
        QCOMPARE_JSON(parsedBody(network.lastRequest()), exec.toJson());

        CodeRequest code;
        code.id = u"sb_1"_s;
        code.code = u"print(1)"_s;
        code.language = u"python"_s;
        auto coded = watch<ExecResult>(client.runCode(code));
        QTRY_VERIFY(coded->result);
        QVERIFY(coded->result->ok());
        QCOMPARE(network.lastRequest().url().path(), u"/v1/sandboxes/code"_s);
        QCOMPARE_JSON(parsedBody(network.lastRequest()), code.toJson());
    }

    void fileRoutes()
    {
        FakeNetworkAccessManager network;
        const QString odd = u"/workspace/out/a b+c&d%.txt"_s;
        network.setHandler([&](const QNetworkRequest &request, const QByteArray &, const QByteArray &) {
            const QString path = request.url().path();
            if (path.endsWith(u"/fs/list"_s))
                return FakeReplySpec::json(200, R"({"path":"/workspace","entries":[{"name":"out","path":"/workspace/out",
                    "type":"directory","size":0,"mtime":1772078706000,"mode":493}]})"_ba);
            if (path.endsWith(u"/fs/read"_s))
                return FakeReplySpec::json(200, R"({"path":"/workspace/x.txt","content":"aGVsbG8=","encoding":"base64","size":5})"_ba);
            return FakeReplySpec::json(200, R"({"ok":true,"path":"/workspace/x.txt","size":5})"_ba);
        });
        ApiClient client(&network, kBaseUrl, kApiKey);

        auto listed = watch<FileListing>(client.listFiles(u"sb_1"_s, odd));
        QTRY_VERIFY(listed->result);
        QVERIFY(listed->result->ok());
        QCOMPARE(listed->result->value().entries.size(), 1);
        QVERIFY(listed->result->value().entries.at(0).type == FileEntry::Type::Directory);
        QCOMPARE(network.lastRequest().verb, "GET"_ba);
        QCOMPARE(network.lastRequest().queryValue(u"path"_s), odd);
        QCOMPARE(network.lastRequest().queryValue(u"id"_s), u"sb_1"_s);

        auto read = watch<FileContent>(client.readFile(u"sb_1"_s, u"/workspace/x.txt"_s));
        QTRY_VERIFY(read->result);
        QVERIFY(read->result->ok());
        QCOMPARE(read->result->value().bytes, "hello"_ba);
        QCOMPARE(network.lastRequest().url().path(), u"/v1/sandboxes/fs/read"_s);

        FileWriteRequest write{u"sb_1"_s, u"/workspace/x.txt"_s, "hello"_ba};
        auto written = watch<WriteResult>(client.writeFile(write));
        QTRY_VERIFY(written->result);
        QVERIFY(written->result->ok());
        QCOMPARE(written->result->value(), (WriteResult{u"/workspace/x.txt"_s, 5}));
        QCOMPARE(network.lastRequest().verb, "POST"_ba);
        QCOMPARE_JSON(parsedBody(network.lastRequest()), write.toJson());
    }

    void checkpointRoutes()
    {
        FakeNetworkAccessManager network;
        const Checkpoint checkpoint = sampleCheckpoint();
        const Sandbox sandbox = sampleSandbox();
        network.setHandler([&](const QNetworkRequest &request, const QByteArray &verb, const QByteArray &) {
            if (request.url().path().endsWith(u"/restore"_s))
                return FakeReplySpec::json(200, dumpJson(Json{{"ok", true}, {"checkpoint", checkpoint.toJson()},
                                                              {"sandbox", sandbox.toJson()}}));
            if (verb == "POST")
                return FakeReplySpec::json(201, dumpJson(checkpoint.toJson()));
            return FakeReplySpec::json(200, dumpJson(checkpointListToJson({checkpoint, checkpoint})));
        });
        ApiClient client(&network, kBaseUrl, kApiKey);

        auto created = watch<Checkpoint>(client.createCheckpoint(u"sb_1"_s, u"before upgrade"_s));
        QTRY_VERIFY(created->result);
        QVERIFY(created->result->ok());
        QCOMPARE(created->result->value(), checkpoint);
        QCOMPARE(network.lastRequest().url().path(), u"/v1/sandboxes/checkpoints"_s);
        QCOMPARE_JSON(parsedBody(network.lastRequest()), (Json{{"id", "sb_1"}, {"label", "before upgrade"}}));

        auto listed = watch<QList<Checkpoint>>(client.checkpoints(u"sb_1"_s));
        QTRY_VERIFY(listed->result);
        QVERIFY(listed->result->ok());
        QCOMPARE(listed->result->value().size(), 2);
        QCOMPARE(network.lastRequest().verb, "GET"_ba);
        QCOMPARE(network.lastRequest().queryValue(u"id"_s), u"sb_1"_s);

        auto restored = watch<RestoreResult>(client.restoreCheckpoint(u"sb_1"_s, u"cp_1"_s));
        QTRY_VERIFY(restored->result);
        QVERIFY(restored->result->ok());
        QCOMPARE(restored->result->value().checkpoint, checkpoint);
        QCOMPARE(restored->result->value().sandbox, sandbox);
        QCOMPARE(network.lastRequest().url().path(), u"/v1/sandboxes/checkpoints/restore"_s);
        QCOMPARE_JSON(parsedBody(network.lastRequest()), (Json{{"id", "sb_1"}, {"checkpointId", "cp_1"}}));
    }

    // --- errors -----------------------------------------------------------------------------
    void errorBodyBecomesApiError()
    {
        FakeNetworkAccessManager network;
        network.enqueue(FakeReplySpec::json(409, R"({"error":"Sandbox is not ready","code":"SANDBOX_NOT_READY"})"_ba));
        ApiClient client(&network, kBaseUrl, kApiKey, fastRetry());
        auto outcome = watch<Sandbox>(client.pauseSandbox(u"sb_1"_s));
        QTRY_VERIFY(outcome->result);
        QVERIFY(!outcome->result->ok());
        const ApiError &error = outcome->result->error();
        QVERIFY(error.kind == ApiError::Kind::Http);
        QCOMPARE(error.httpStatus, 409);
        QCOMPARE(error.message, u"Sandbox is not ready"_s);
        QCOMPARE(error.code, u"SANDBOX_NOT_READY"_s);
        QCOMPARE(network.requests().size(), 1); // 409 is not transient
    }

    void nonJsonErrorPage()
    {
        FakeNetworkAccessManager network;
        network.enqueue(FakeReplySpec::raw(502, "<html><body>Bad gateway</body></html>"_ba, "text/html"_ba));
        ApiClient client(&network, kBaseUrl, kApiKey, fastRetry());
        auto outcome = watch<Sandbox>(client.pauseSandbox(u"sb_1"_s)); // POST: 502 not retried
        QTRY_VERIFY(outcome->result);
        QVERIFY(!outcome->result->ok());
        QVERIFY(outcome->result->error().kind == ApiError::Kind::Http);
        QCOMPARE(outcome->result->error().httpStatus, 502);
        QCOMPARE(outcome->result->error().message, u"HTTP 502"_s);
        QVERIFY(outcome->result->error().code.isEmpty());
        QCOMPARE(network.requests().size(), 1);
    }

    void malformedOrWrongTypedJsonIsProtocolError_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("message");
        QTest::newRow("not json") << "{\"id\": "_ba << u"Malformed JSON"_s;
        QTest::newRow("array") << "[1,2]"_ba << u"sandbox: expected an object"_s;
        QTest::newRow("unknown state") << R"({"id":"sb_1","status":"x"})"_ba << u"sandbox.status: unknown state 'x'"_s;
        QTest::newRow("wrong type") << R"({"id":42,"status":"ready"})"_ba << u"sandbox.id"_s;
    }

    void malformedOrWrongTypedJsonIsProtocolError()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, message);
        FakeNetworkAccessManager network;
        network.enqueue(FakeReplySpec::json(200, body));
        ApiClient client(&network, kBaseUrl, kApiKey, fastRetry());
        auto outcome = watch<Sandbox>(client.sandbox(u"sb_1"_s));
        QTRY_VERIFY(outcome->result);
        QVERIFY(!outcome->result->ok());
        QVERIFY(outcome->result->error().kind == ApiError::Kind::Protocol);
        QVERIFY2(outcome->result->error().message.contains(message), qPrintable(outcome->result->error().message));
        QCOMPARE(network.requests().size(), 1); // never retried
    }

    // --- retries ----------------------------------------------------------------------------
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

    // --- raw transfers ----------------------------------------------------------------------
    void downloadResumesWithRange()
    {
        FakeNetworkAccessManager network;
        network.enqueue(FakeReplySpec::raw(206, "56789"_ba)
                            .header("ETag"_ba, "\"v1\""_ba)
                            .header("Accept-Ranges"_ba, "bytes"_ba)
                            .header("Content-Range"_ba, "bytes 5-9/10"_ba));
        ApiClient client(&network, kBaseUrl, kApiKey);
        QBuffer file;
        file.setData("01234"_ba);
        QVERIFY(file.open(QIODevice::ReadWrite));
        QVERIFY(file.seek(5));
        DownloadJob *job = client.download(u"sb_1"_s, u"/workspace/out.bin"_s, &file, {5, "\"v1\""_ba});
        QSignalSpy progress(job, &DownloadJob::progress);
        QSignalSpy restarted(job, &DownloadJob::restarted);
        auto outcome = watch<DownloadInfo>(job);
        QTRY_VERIFY(outcome->result);
        QVERIFY2(outcome->result->ok(), qPrintable(errorText(*outcome->result)));
        QCOMPARE(outcome->result->value(), (DownloadInfo{"\"v1\""_ba, 10, 5, 5}));
        QCOMPARE(file.data(), "0123456789"_ba);
        QCOMPARE(restarted.size(), 0);
        QVERIFY(!progress.isEmpty());
        QCOMPARE(progress.last().at(0).toLongLong(), 10);
        QCOMPARE(progress.last().at(1).toLongLong(), 10);
        const RecordedRequest sent = network.lastRequest();
        QCOMPARE(sent.verb, "GET"_ba);
        QCOMPARE(sent.url().path(), u"/v1/sandboxes/fs/download"_s);
        QCOMPARE(sent.queryValue(u"path"_s), u"/workspace/out.bin"_s);
        QCOMPARE(sent.header("Range"_ba), "bytes=5-"_ba);
        QCOMPARE(sent.header("If-Range"_ba), "\"v1\""_ba);
        QCOMPARE(sent.header("Authorization"_ba), "Bearer "_ba + kApiKey.toUtf8());
    }

    void downloadRestartsWhenFileChanged()
    {
        FakeNetworkAccessManager network;
        network.enqueue(FakeReplySpec::raw(200, "ABCDEFGHIJKL"_ba).header("ETag"_ba, "\"v2\""_ba));
        ApiClient client(&network, kBaseUrl, kApiKey);
        QBuffer file;
        file.setData("01234"_ba);
        QVERIFY(file.open(QIODevice::ReadWrite));
        QVERIFY(file.seek(5));
        QPointer<DownloadJob> job = client.download(u"sb_1"_s, u"/workspace/out.bin"_s, &file, {5, "\"v1\""_ba});
        QObject receiver;
        connect(job.data(), &DownloadJob::restarted, &receiver, [&file] { file.buffer().clear(); });
        auto outcome = watch<DownloadInfo>(job.data());
        QTRY_VERIFY(outcome->result);
        QVERIFY(outcome->result->ok());
        QCOMPARE(outcome->result->value(), (DownloadInfo{"\"v2\""_ba, 12, 12, 0}));
        QCOMPARE(file.data(), "ABCDEFGHIJKL"_ba);
        QCOMPARE(network.lastRequest().header("Range"_ba), "bytes=5-"_ba);
    }

    void downloadRetryContinuesWhereTheBodyStopped()
    {
        FakeNetworkAccessManager network;
        network.enqueue(FakeReplySpec::closeMidBody(200, "01234"_ba, 10).header("ETag"_ba, "\"v1\""_ba));
        network.enqueue(FakeReplySpec::raw(206, "56789"_ba).header("ETag"_ba, "\"v1\""_ba).header("Content-Range"_ba, "bytes 5-9/10"_ba));
        ApiClient client(&network, kBaseUrl, kApiKey, fastRetry());
        QBuffer file;
        QVERIFY(file.open(QIODevice::ReadWrite));
        auto outcome = watch<DownloadInfo>(client.download(u"sb_1"_s, u"/workspace/out.bin"_s, &file));
        QTRY_VERIFY(outcome->result);
        QVERIFY2(outcome->result->ok(), qPrintable(errorText(*outcome->result)));
        QCOMPARE(outcome->result->value(), (DownloadInfo{"\"v1\""_ba, 10, 10, 0}));
        QCOMPARE(file.data(), "0123456789"_ba);
        QCOMPARE(network.requests().size(), 2);
        QVERIFY(network.requests().at(0).header("Range"_ba).isEmpty());
        QCOMPARE(network.requests().at(1).header("Range"_ba), "bytes=5-"_ba);
        QCOMPARE(network.requests().at(1).header("If-Range"_ba), "\"v1\""_ba);
    }

    void downloadErrorsLeaveTheDeviceAlone()
    {
        FakeNetworkAccessManager network;
        network.enqueue(FakeReplySpec::json(404, R"({"error":"No such file","code":"NOT_FOUND"})"_ba));
        network.enqueue(FakeReplySpec::raw(416, QByteArray()).header("Content-Range"_ba, "bytes */10"_ba));
        ApiClient client(&network, kBaseUrl, kApiKey, fastRetry());
        QBuffer file;
        QVERIFY(file.open(QIODevice::ReadWrite));
        auto missing = watch<DownloadInfo>(client.download(u"sb_1"_s, u"/nope"_s, &file));
        QTRY_VERIFY(missing->result);
        QCOMPARE(missing->result->error().httpStatus, 404);
        QCOMPARE(missing->result->error().code, u"NOT_FOUND"_s);
        QVERIFY(file.data().isEmpty());

        auto beyond = watch<DownloadInfo>(client.download(u"sb_1"_s, u"/x"_s, &file, {10, "\"v1\""_ba}));
        QTRY_VERIFY(beyond->result);
        QCOMPARE(beyond->result->error().httpStatus, 416);

        QBuffer closed;
        auto unwritable = watch<DownloadInfo>(client.download(u"sb_1"_s, u"/x"_s, &closed));
        QTRY_VERIFY(unwritable->result);
        QVERIFY(unwritable->result->error().kind == ApiError::Kind::Aborted);
        QCOMPARE(network.requests().size(), 2);
    }

    void uploadStreamsTheDevice()
    {
        FakeNetworkAccessManager network;
        network.enqueue(FakeReplySpec::json(503, R"({"error":"busy"})"_ba));
        network.enqueue(FakeReplySpec::json(201, R"({"ok":true,"path":"/workspace/in/data.bin","size":200000})"_ba));
        ApiClient client(&network, kBaseUrl, kApiKey, fastRetry());
        QByteArray data(200000, '\0');
        for (int i = 0; i < data.size(); ++i)
            data[i] = char(i % 251);
        QBuffer source(&data);
        QVERIFY(source.open(QIODevice::ReadOnly));
        UploadJob *job = client.upload(u"sb_1"_s, u"/workspace/in/data.bin"_s, &source);
        QSignalSpy progress(job, &UploadJob::uploadProgress);
        auto outcome = watch<WriteResult>(job);
        QTRY_VERIFY(outcome->result);
        QVERIFY2(outcome->result->ok(), qPrintable(errorText(*outcome->result)));
        QCOMPARE(outcome->result->value(), (WriteResult{u"/workspace/in/data.bin"_s, 200000}));
        QCOMPARE(network.requests().size(), 2); // PUT of a rewindable device is retried
        for (const RecordedRequest &sent : network.requests()) {
            QCOMPARE(sent.verb, "PUT"_ba);
            QCOMPARE(sent.url().path(), u"/v1/sandboxes/fs/upload"_s);
            QCOMPARE(sent.queryValue(u"path"_s), u"/workspace/in/data.bin"_s);
            QCOMPARE(sent.request.header(QNetworkRequest::ContentLengthHeader).toLongLong(), 200000);
            QCOMPARE(sent.body, data);
        }
        QVERIFY(!progress.isEmpty());
        QCOMPARE(progress.last().at(0).toLongLong(), 200000);
    }

    // --- event stream -----------------------------------------------------------------------
    void eventStreamDeliversInOrderAndResumes()
    {
        EventServer server;
        QVERIFY(server.server.isListening());
        EventStream stream(server.baseUrl(), kApiKey);
        stream.setReconnectDelays(10ms, 40ms);
        stream.setKeepAliveInterval(0ms);
        QList<qint64> seqs;
        QList<EventStream::State> states;
        connect(&stream, &EventStream::eventReceived, this, [&seqs](const Event &event) { seqs.append(event.seq); });
        connect(&stream, &EventStream::connectionStateChanged, this,
                [&states](EventStream::State state, const QString &) { states.append(state); });
        QSignalSpy errors(&stream, &EventStream::protocolError);
        QSignalSpy resets(&stream, &EventStream::resetRequired);

        stream.start(5);
        QTRY_COMPARE(server.sockets.size(), 1);
        QCOMPARE(server.urls.at(0).path(), u"/v1/events"_s);
        QCOMPARE(server.urls.at(0).query(), u"since=5"_s);
        QCOMPARE(server.auth.at(0), "Bearer "_ba + kApiKey.toUtf8());
        QTRY_COMPARE(stream.state(), EventStream::State::Connected);

        for (qint64 seq : {6, 7, 7, 5})
            server.send(eventJson(seq));
        server.send("not json at all"_ba);
        server.send(R"({"seq":"eight","type":"sandbox.ready","timestamp":1})"_ba);
        server.send(eventJson(8));
        QTRY_COMPARE(seqs, (QList<qint64>{6, 7, 8}));
        QCOMPARE(errors.size(), 2);
        QCOMPARE(stream.lastSeq(), 8);

        // The server drops the connection: the stream comes back on its own, after seq 8.
        server.sockets.last()->close();
        QTRY_COMPARE(server.sockets.size(), 2);
        QCOMPARE(server.urls.at(1).query(), u"since=8"_s);
        QTRY_COMPARE(stream.state(), EventStream::State::Connected);
        server.send(eventJson(8));
        server.send(eventJson(9));
        QTRY_COMPARE(seqs, (QList<qint64>{6, 7, 8, 9}));
        QCOMPARE(states, (QList<EventStream::State>{EventStream::State::Connecting, EventStream::State::Connected,
                                                    EventStream::State::Disconnected, EventStream::State::Connecting,
                                                    EventStream::State::Connected}));

        // The server no longer has what we missed: refetch, then carry on from its numbering.
        server.send(eventJson(3, u"stream.reset"_s));
        QTRY_COMPARE(resets.size(), 1);
        QCOMPARE(stream.lastSeq(), 3);
        server.send(eventJson(4));
        QTRY_COMPARE(seqs, (QList<qint64>{6, 7, 8, 9, 4}));

        QSignalSpy connections(&server.server, &QWebSocketServer::newConnection);
        stream.stop();
        QCOMPARE(stream.state(), EventStream::State::Disconnected);
        QVERIFY(!connections.wait(200)); // no reconnection after stop()
    }

    void eventStreamRetriesWhenNobodyListens()
    {
        quint16 port = 0;
        {
            EventServer probe; // find a free port, then free it again
            port = probe.server.serverPort();
        }
        EventStream stream(QUrl(u"http://127.0.0.1:%1"_s.arg(port)), kApiKey);
        stream.setReconnectDelays(5ms, 20ms);
        int connecting = 0;
        QString reason;
        connect(&stream, &EventStream::connectionStateChanged, this, [&](EventStream::State state, const QString &why) {
            if (state == EventStream::State::Connecting)
                ++connecting;
            else if (state == EventStream::State::Disconnected)
                reason = why;
        });
        stream.start();
        QCOMPARE(stream.streamUrl().toString(), u"ws://127.0.0.1:%1/v1/events"_s.arg(port));
        QTRY_VERIFY(connecting >= 3);
        QVERIFY(!reason.isEmpty());
        stream.stop();
    }
};

QTEST_GUILESS_MAIN(TestApiClient)
#include "test_apiclient.moc"
