// SPDX-License-Identifier: MIT
// The API client's JSON jobs against a fake network: what each one sends, what it makes of the
// answer, and how error bodies and malformed JSON come back.
#include "core/client/apiclient.h"
#include "support/apiclienttest.h"
#include "support/fakenetwork.h"

#include <QPointer>
#include <QTest>
#include <QUrlQuery>

#include <memory>

using namespace banata;
using namespace banata::test;
using namespace Qt::StringLiterals;

namespace {

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

} // namespace

class TestApiClientJobs : public QObject
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
};

QTEST_GUILESS_MAIN(TestApiClientJobs)
#include "test_apiclient_jobs.moc"
