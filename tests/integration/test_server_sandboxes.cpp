// SPDX-License-Identifier: MIT
// banata-local end to end through the core client: sandbox lifecycle, exec, pause really
// stopping processes, kill, errors, and a SIGKILL of the server losing nothing.
#include "support/servertestbase.h"

#include <QDir>
#include <QFile>
#include <QNetworkReply>
#include <QSignalSpy>

using namespace banata;
using namespace banata::test;
using namespace Qt::StringLiterals;

namespace {
ExecRequest shell(const QString &id, const QString &command, std::optional<qint64> timeoutMs = std::nullopt)
{
    ExecRequest request;
    request.id = id;
    request.command = command;
    request.timeoutMs = timeoutMs;
    return request;
}

qint64 readCounter(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return -1;
    return file.readAll().trimmed().toLongLong();
}

/// A loop in the sandbox bumping a counter file about 100 times a second, in the background.
const QString kCounterLoop =
    u"(i=0; while true; do i=$((i+1)); echo $i > /workspace/counter.tmp; mv /workspace/counter.tmp "
    u"/workspace/counter; sleep 0.01; done) > /dev/null 2>&1 &"_s;

bool anyProcessMentions(const QString &marker)
{
    const QStringList pids = QDir(u"/proc"_s).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &pid : pids) {
        QFile cmdline(u"/proc/"_s + pid + u"/cmdline"_s);
        if (cmdline.open(QIODevice::ReadOnly) && cmdline.readAll().contains(marker.toUtf8()))
            return true;
    }
    return false;
}
} // namespace

class TestServerSandboxes : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        m_fixture = std::make_unique<ServerFixture>();
        QVERIFY2(m_fixture->start(), qPrintable(m_fixture->errorString()));
    }
    void cleanupTestCase() { m_fixture.reset(); }

    void everyRouteNeedsTheKey()
    {
        QNetworkAccessManager network;
        ApiClient stranger(&network, m_fixture->server().url(), u"br_local_wrong"_s);
        AWAIT_ERROR(stranger.health(), 401, "UNAUTHORIZED");
        AWAIT_ERROR(stranger.listSandboxes(), 401, "UNAUTHORIZED");
        auto result = awaitJob(stranger.exec(shell(u"x"_s, u"true"_s)));
        QVERIFY(result && !result->ok());
        QCOMPARE(result->error().message, u"Invalid or missing API key"_s);
    }

    void healthNamesTheExtensions()
    {
        AWAIT_OK(health, m_fixture->client().health());
        QCOMPARE(health.server, u"banata-local"_s);
        QVERIFY(health.supports(u"pause"_s));
        QVERIFY(health.supports(u"checkpoints"_s));
        QVERIFY(health.pauseMethod.has_value());
    }

    void createGoesQueuedAssigningReady()
    {
        CreateSandboxRequest request;
        request.name = u"lifecycle"_s;
        request.metadata = Json{{"jobId", "42"}};
        request.env.insert(u"GREETING"_s, u"hello from env"_s);
        AWAIT_OK(created, m_fixture->client().createSandbox(request));
        QVERIFY(created.status == SandboxStatus::Queued);
        QCOMPARE(created.name, u"lifecycle"_s);
        QTRY_VERIFY_WITH_TIMEOUT(m_fixture->sawEvent(created.id, u"sandbox.ready"_s), 20000);
        QVERIFY(m_fixture->sawEvent(created.id, u"sandbox.created"_s));
        QVERIFY(m_fixture->sawEvent(created.id, u"sandbox.assigned"_s));
        AWAIT_OK(fetched, m_fixture->client().sandbox(created.id));
        QVERIFY(fetched.status == SandboxStatus::Ready);
        QCOMPARE(fetched.metadata["jobId"].get<std::string>(), std::string("42"));
        QVERIFY(fetched.readyAt.has_value());

        AWAIT_OK(env, m_fixture->client().exec(shell(created.id, u"echo $GREETING; pwd; id -u"_s)));
        QCOMPARE(env.stdoutText, u"hello from env\n/workspace\n1000\n"_s);
    }

    void createRejectsBadInput()
    {
        CreateSandboxRequest bad;
        bad.runtime = u"ruby"_s;
        auto result = awaitJob(m_fixture->client().createSandbox(bad));
        QVERIFY(result && !result->ok());
        QCOMPARE(result->error().httpStatus, 400);
        QCOMPARE(result->error().message, u"Invalid runtime: 'ruby'. Must be one of: bun, python, base"_s);
    }

    void unknownIdIsDocumented404()
    {
        auto result = awaitJob(m_fixture->client().sandbox(u"doesnotexist"_s));
        QVERIFY(result && !result->ok());
        QCOMPARE(result->error().httpStatus, 404);
        QCOMPARE(result->error().message, u"Sandbox session not found"_s);
        AWAIT_ERROR(m_fixture->client().pauseSandbox(u"nope"_s), 404, "SANDBOX_NOT_FOUND");
        AWAIT_ERROR(m_fixture->client().exec(shell(u"nope"_s, u"true"_s)), 404, "SANDBOX_NOT_FOUND");
    }

    void execResultsTimeoutsAndArgs()
    {
        const QString id = m_fixture->createReady();
        QVERIFY2(!id.isEmpty(), qPrintable(m_fixture->errorString()));

        AWAIT_OK(failed, m_fixture->client().exec(shell(id, u"echo out; echo err >&2; exit 3"_s)));
        QCOMPARE(failed.stdoutText, u"out\n"_s);
        QCOMPARE(failed.stderrText, u"err\n"_s);
        QCOMPARE(failed.exitCode, 3);

        ExecRequest direct;
        direct.id = id;
        direct.command = u"printf"_s;
        direct.args = QStringList{u"%s|%s"_s, u"a b"_s, u"$HOME"_s}; // no shell: nothing expands
        AWAIT_OK(printed, m_fixture->client().exec(direct));
        QCOMPARE(printed.stdoutText, u"a b|$HOME"_s);

        AWAIT_OK(slow, m_fixture->client().exec(shell(id, u"sleep 30"_s, 300)));
        QVERIFY(slow.timedOut);
        QCOMPARE(slow.exitCode, 124);

        // A background process outlives the exec that started it, and a later exec sees it.
        AWAIT_OK(started, m_fixture->client().exec(shell(id, u"sleep 1000 & echo $!"_s)));
        QVERIFY(started.durationMs < 5000);
        const QString pid = started.stdoutText.trimmed();
        AWAIT_OK(seen, m_fixture->client().exec(shell(id, u"cat /proc/%1/cmdline | tr '\\0' ' '"_s.arg(pid))));
        QCOMPARE(seen.stdoutText.trimmed(), u"sleep 1000"_s);

        // The sandbox sees neither the operator's home nor a writable host.
        AWAIT_OK(isolation, m_fixture->client().exec(shell(id, u"ls /root 2>&1; touch /usr/x 2>&1; ls /workspace"_s)));
        QVERIFY(isolation.stdoutText.contains(u"No such file"_s));
        QVERIFY(isolation.stdoutText.contains(u"Read-only file system"_s));
    }

    void execRefusedWhenNotRunnable()
    {
        // Right after create the sandbox is queued or assigning: not ready (or already ready).
        AWAIT_OK(created, m_fixture->client().createSandbox({}));
        auto early = awaitJob(m_fixture->client().exec(shell(created.id, u"true"_s)));
        QVERIFY(early.has_value());
        if (!early->ok()) {
            QCOMPARE(early->error().httpStatus, 409);
            QCOMPARE(early->error().message, u"Sandbox is not ready"_s);
        }
        QTRY_VERIFY_WITH_TIMEOUT(m_fixture->sawEvent(created.id, u"sandbox.ready"_s), 20000);

        AWAIT_OK(paused, m_fixture->client().pauseSandbox(created.id));
        QVERIFY(paused.status == SandboxStatus::Paused);
        AWAIT_ERROR(m_fixture->client().exec(shell(created.id, u"true"_s)), 409, "SANDBOX_PAUSED");
        AWAIT_OK(again, m_fixture->client().pauseSandbox(created.id)); // pausing twice is harmless
        QVERIFY(again.status == SandboxStatus::Paused);
        AWAIT_OK(resumed, m_fixture->client().resumeSandbox(created.id));
        QVERIFY(resumed.status == SandboxStatus::Ready);

        AWAIT_OK(ended, m_fixture->client().killSandbox(created.id));
        QVERIFY(ended.status == SandboxStatus::Ended);
        AWAIT_ERROR(m_fixture->client().exec(shell(created.id, u"true"_s)), 409, "SANDBOX_ENDED");
        AWAIT_ERROR(m_fixture->client().resumeSandbox(created.id), 409, "SANDBOX_ENDED");
    }

    void pauseReallyStopsProcesses()
    {
        const QString paused = m_fixture->createReady();
        const QString reference = m_fixture->createReady();
        QVERIFY(!paused.isEmpty() && !reference.isEmpty());
        for (const QString &id : {paused, reference}) {
            AWAIT_OK(loop, m_fixture->client().exec(shell(id, kCounterLoop)));
            QCOMPARE(loop.exitCode, 0);
        }
        const QString pausedCounter = m_fixture->workspaceOf(paused) + u"/counter"_s;
        const QString referenceCounter = m_fixture->workspaceOf(reference) + u"/counter"_s;
        QTRY_VERIFY_WITH_TIMEOUT(readCounter(pausedCounter) > 5, 10000);

        AWAIT_OK(frozen, m_fixture->client().pauseSandbox(paused));
        QVERIFY(frozen.status == SandboxStatus::Paused);
        QVERIFY(m_fixture->sawEvent(paused, u"sandbox.pausing"_s));
        const qint64 atPause = readCounter(pausedCounter);
        // The clock of this test is the other sandbox's counter: when it has moved on by 30
        // steps (about 0.3 s), a running loop would have too.
        const qint64 referenceStart = readCounter(referenceCounter);
        QTRY_VERIFY_WITH_TIMEOUT(readCounter(referenceCounter) > referenceStart + 30, 10000);
        QCOMPARE(readCounter(pausedCounter), atPause);

        // Files of a paused sandbox can still be read.
        AWAIT_OK(listing, m_fixture->client().listFiles(paused, u"/workspace"_s));
        QVERIFY(!listing.entries.isEmpty());

        AWAIT_OK(thawed, m_fixture->client().resumeSandbox(paused));
        QVERIFY(thawed.status == SandboxStatus::Ready);
        QVERIFY(m_fixture->sawEvent(paused, u"sandbox.resumed"_s));
        QTRY_VERIFY_WITH_TIMEOUT(readCounter(pausedCounter) > atPause + 5, 10000);

        for (const QString &id : {paused, reference}) {
            AWAIT_OK(ended, m_fixture->client().killSandbox(id));
            QVERIFY(ended.status == SandboxStatus::Ended);
        }
        // Kill ends every process and (ephemeral by default) frees the files.
        QTRY_VERIFY_WITH_TIMEOUT(!anyProcessMentions(m_fixture->workspaceOf(paused)), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(!QFile::exists(m_fixture->workspaceOf(paused)), 10000);
    }

    void listFiltersAndPages()
    {
        QStringList ids;
        for (int i = 0; i < 3; ++i) {
            CreateSandboxRequest request;
            request.name = u"page-%1"_s.arg(i);
            AWAIT_OK(created, m_fixture->client().createSandbox(request));
            ids.prepend(created.id); // newest first
        }
        for (const QString &id : std::as_const(ids))
            QTRY_VERIFY_WITH_TIMEOUT(m_fixture->sawEvent(id, u"sandbox.ready"_s), 20000);

        SandboxListQuery query;
        query.statuses = {SandboxStatus::Ready};
        query.limit = 2;
        AWAIT_OK(first, m_fixture->client().listSandboxes(query));
        QCOMPARE(first.data.size(), 2);
        QCOMPARE(first.data[0].id, ids[0]);
        QCOMPARE(first.data[1].id, ids[1]);
        QVERIFY(first.nextCursor.has_value());
        query.cursor = first.nextCursor;
        AWAIT_OK(second, m_fixture->client().listSandboxes(query));
        QVERIFY(!second.data.isEmpty());
        QCOMPARE(second.data[0].id, ids[2]);
        for (const Sandbox &s : second.data)
            QVERIFY(s.status == SandboxStatus::Ready);

        SandboxListQuery ended;
        ended.statuses = {SandboxStatus::Ended};
        AWAIT_OK(endedPage, m_fixture->client().listSandboxes(ended));
        for (const Sandbox &s : endedPage.data)
            QVERIFY(s.status == SandboxStatus::Ended);
    }

    void serverSigkillLosesNothing()
    {
        ServerFixture fixture;
        QVERIFY2(fixture.start(), qPrintable(fixture.errorString()));
        CreateSandboxRequest keep;
        keep.ephemeral = false;
        keep.name = u"survivor"_s;
        const QString running = fixture.createReady(keep);
        const QString paused = fixture.createReady(keep);
        QVERIFY(!running.isEmpty() && !paused.isEmpty());
        AWAIT_OK(background, fixture.client().exec(shell(running, u"sleep 1000 & echo $!"_s)));
        const QString pid = background.stdoutText.trimmed();
        FileWriteRequest write;
        write.id = running;
        write.path = u"/workspace/notes.txt"_s;
        write.bytes = "written before the crash"_ba;
        AWAIT_OK(written, fixture.client().writeFile(write));
        AWAIT_OK(checkpoint, fixture.client().createCheckpoint(running, u"before crash"_s));
        AWAIT_OK(frozen, fixture.client().pauseSandbox(paused));
        const qint64 lastSeq = fixture.events().lastSeq();

        fixture.crash();
        QVERIFY2(fixture.restart(), qPrintable(fixture.errorString()));

        AWAIT_OK(again, fixture.client().sandbox(running));
        QVERIFY(again.status == SandboxStatus::Ready);
        QCOMPARE(again.name, u"survivor"_s);
        AWAIT_OK(stillPaused, fixture.client().sandbox(paused));
        QVERIFY(stillPaused.status == SandboxStatus::Paused);
        AWAIT_OK(notes, fixture.client().readFile(running, u"/workspace/notes.txt"_s));
        QCOMPARE(notes.bytes, "written before the crash"_ba);
        // The sandbox's processes lived through the server's death.
        AWAIT_OK(alive, fixture.client().exec(shell(running, u"cat /proc/%1/cmdline | tr '\\0' ' '"_s.arg(pid))));
        QCOMPARE(alive.stdoutText.trimmed(), u"sleep 1000"_s);
        AWAIT_OK(checkpoints, fixture.client().checkpoints(running));
        QCOMPARE(checkpoints.size(), 1);
        QCOMPARE(checkpoints.first().id, checkpoint.id);
        AWAIT_OK(resumed, fixture.client().resumeSandbox(paused));
        QVERIFY(resumed.status == SandboxStatus::Ready);
        // Sequence numbers carry on from before the crash.
        QTRY_VERIFY_WITH_TIMEOUT(fixture.sawEvent(paused, u"sandbox.resumed"_s), 10000);
        QVERIFY(fixture.received().last().seq > lastSeq);

        for (const QString &id : {running, paused}) {
            AWAIT_OK(gone, fixture.client().killSandbox(id));
        }
    }

    void processesGoneAfterRestartAreStartedAgainHonestly()
    {
        ServerFixture fixture;
        QVERIFY2(fixture.start(), qPrintable(fixture.errorString()));
        CreateSandboxRequest keep;
        keep.ephemeral = false;
        const QString id = fixture.createReady(keep);
        QVERIFY(!id.isEmpty());
        const qint64 beforeCrash = fixture.events().lastSeq();
        fixture.crash();
        fixture.server().killSandboxProcesses(); // as a host reboot would
        QVERIFY2(fixture.restart(), qPrintable(fixture.errorString()));
        auto readyAgain = [&] {
            return std::any_of(fixture.received().cbegin(), fixture.received().cend(), [&](const Event &e) {
                return e.sandboxId == id && e.type == u"sandbox.ready" && e.seq > beforeCrash;
            });
        };
        QTRY_VERIFY_WITH_TIMEOUT(readyAgain(), 20000);
        AWAIT_OK(ready, fixture.client().sandbox(id));
        QVERIFY(ready.status == SandboxStatus::Ready);
        QVERIFY(ready.statusReason.has_value());
        QVERIFY2(ready.statusReason->contains(u"restarted"_s), qPrintable(*ready.statusReason));
        AWAIT_OK(works, fixture.client().exec(shell(id, u"echo ok"_s)));
        QCOMPARE(works.stdoutText, u"ok\n"_s);
        AWAIT_OK(gone, fixture.client().killSandbox(id));
    }

    void codeRunsSnippets()
    {
        CreateSandboxRequest python;
        python.runtime = u"python"_s;
        const QString id = m_fixture->createReady(python);
        QVERIFY(!id.isEmpty());
        CodeRequest code;
        code.id = id;
        code.code = u"import os\nprint(sum(range(10)), os.getcwd())"_s;
        AWAIT_OK(ran, m_fixture->client().runCode(code));
        QCOMPARE(ran.stdoutText, u"45 /workspace\n"_s);
        code.language = u"bash"_s;
        code.code = u"echo $((6 * 7))"_s;
        AWAIT_OK(bash, m_fixture->client().runCode(code));
        QCOMPARE(bash.stdoutText, u"42\n"_s);
        code.language = u"cobol"_s;
        AWAIT_ERROR(m_fixture->client().runCode(code), 400, "RUNTIME_UNAVAILABLE");
        AWAIT_OK(gone, m_fixture->client().killSandbox(id));
    }

    void badRequestsGetClearErrors_data()
    {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("message");
        QTest::newRow("malformed") << "POST"_ba << u"/v1/sandboxes"_s << "{"_ba << 400 << u"INVALID_JSON"_s
                                   << u"Malformed JSON body"_s;
        QTest::newRow("not an object") << "POST"_ba << u"/v1/sandboxes"_s << "[1]"_ba << 400 << u"INVALID_JSON"_s
                                       << u"The request body must be a JSON object"_s;
        QTest::newRow("wrong type") << "POST"_ba << u"/v1/sandboxes"_s << R"({"runtime": 5})"_ba << 400
                                    << u"INVALID_REQUEST"_s << u"body.runtime: expected a string, got number"_s;
        QTest::newRow("exec id type") << "POST"_ba << u"/v1/sandboxes/exec"_s << R"({"id": 5, "command": "true"})"_ba
                                      << 400 << u"INVALID_REQUEST"_s << u"body.id: expected a string, got number"_s;
        QTest::newRow("exec no command") << "POST"_ba << u"/v1/sandboxes/exec"_s << R"({"id": "x"})"_ba << 400
                                         << u"INVALID_REQUEST"_s << u"body.command: missing"_s;
        QTest::newRow("oversized") << "POST"_ba << u"/v1/sandboxes"_s << QByteArray(300 << 10, ' ') << 413
                                   << u"PAYLOAD_TOO_LARGE"_s << QString();
        QTest::newRow("bad status") << "GET"_ba << u"/v1/sandboxes?status=sleeping"_s << QByteArray() << 400
                                    << u"INVALID_REQUEST"_s << QString();
        QTest::newRow("bad limit") << "GET"_ba << u"/v1/sandboxes?limit=0"_s << QByteArray() << 400
                                   << u"INVALID_REQUEST"_s << u"Invalid limit: must be an integer from 1 to 1000"_s;
        QTest::newRow("delete without id") << "DELETE"_ba << u"/v1/sandboxes"_s << QByteArray() << 400
                                           << u"INVALID_REQUEST"_s << u"Missing required query parameter: id"_s;
        QTest::newRow("unknown route") << "GET"_ba << u"/v1/nothing"_s << QByteArray() << 404 << u"NOT_FOUND"_s
                                       << QString();
        QTest::newRow("wrong method") << "PUT"_ba << u"/v1/sandboxes/exec"_s << QByteArray() << 405
                                      << u"METHOD_NOT_ALLOWED"_s << QString();
        QTest::newRow("events without upgrade") << "GET"_ba << u"/v1/events?since=3"_s << QByteArray() << 426
                                   << u"UPGRADE_REQUIRED"_s << QString();
    }
    void badRequestsGetClearErrors()
    {
        QFETCH(QByteArray, method);
        QFETCH(QString, path);
        QFETCH(QByteArray, body);
        QFETCH(int, status);
        QFETCH(QString, code);
        QFETCH(QString, message);
        QNetworkAccessManager network;
        QNetworkRequest request(QUrl(m_fixture->server().url().toString() + path));
        request.setRawHeader("Authorization", "Bearer " + m_fixture->server().apiKey().toLatin1());
        request.setHeader(QNetworkRequest::ContentTypeHeader, u"application/json"_s);
        QNetworkReply *reply = network.sendCustomRequest(request, method, body);
        QSignalSpy finished(reply, &QNetworkReply::finished);
        QVERIFY(finished.wait(10000));
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), status);
        const auto json = parseJson(reply->readAll());
        QVERIFY(json.ok());
        QCOMPARE(fromStd((*json)["code"].get<std::string>()), code);
        if (!message.isEmpty())
            QCOMPARE(fromStd((*json)["error"].get<std::string>()), message);
        reply->deleteLater();
    }

    void rateLimitAnswers429AndTheClientWaits()
    {
        ServerFixture limited;
        QVERIFY2(limited.start({u"--rate-limit"_s, u"60"_s}), qPrintable(limited.errorString()));
        QNetworkAccessManager network;
        ApiClient impatient(&network, limited.server().url(), limited.server().apiKey(), RetryPolicy{0, {}, {}});
        std::optional<ApiError> refused;
        for (int i = 0; i < 40 && !refused; ++i) {
            auto result = awaitJob(impatient.health());
            QVERIFY(result.has_value());
            if (!result->ok())
                refused = result->error();
        }
        QVERIFY(refused.has_value());
        QCOMPARE(refused->httpStatus, 429);
        QCOMPARE(refused->message, u"Rate limit exceeded. Please try again later."_s);
        QVERIFY(refused->retryAfterSeconds.has_value() && *refused->retryAfterSeconds >= 1);
        // The default client honours Retry-After and gets through.
        AWAIT_OK(health, limited.client().health());
        QCOMPARE(health.status, u"ok"_s);
    }

private:
    std::unique_ptr<ServerFixture> m_fixture;
};

QTEST_GUILESS_MAIN(TestServerSandboxes)
#include "test_server_sandboxes.moc"
