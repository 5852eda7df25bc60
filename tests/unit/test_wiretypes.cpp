// SPDX-License-Identifier: MIT
// Wire types: strict parsing (wrong types and missing required fields are errors), and every type
// survives a round trip through its own JSON.
#include "core/apierror.h"
#include "core/checkpoint.h"
#include "core/event.h"
#include "core/exec.h"
#include "core/files.h"
#include "core/health.h"
#include "core/sandbox.h"

#include <QTest>

using namespace banata;
using namespace Qt::StringLiterals;

class TestWireTypes : public QObject
{
    Q_OBJECT

private slots:
    void sandboxRoundTrip()
    {
        Sandbox s;
        s.id = u"k82g51hl3on646lel50o9f162t92xu7z"_s;
        s.status = SandboxStatus::Paused;
        s.runtime = u"python"_s;
        s.size = u"standard"_s;
        s.name = u"report – ünïcode"_s;
        s.region = u"iad"_s;
        Capabilities caps;
        caps.browser = BrowserCapability{Viewport{1440, 900}, false, std::nullopt};
        caps.agent = AgentCapability{true, u"build"_s};
        s.capabilities = caps;
        s.metadata = Json{{"jobId", "42"}};
        s.createdAt = 1772078705353;
        s.updatedAt = 1772078705999;
        s.pausedAt = 1772078705999;
        s.statusReason = u"paused by operator"_s;
        auto parsed = Sandbox::fromJson(s.toJson());
        QVERIFY2(parsed.ok(), qPrintable(parsed.ok() ? QString() : parsed.error()));
        QCOMPARE(*parsed, s);
    }

    void sandboxDocumentedCreateResponseParses()
    {
        // The exact create response shown in the public docs (banata-api.md §4.2).
        auto json = parseJson(R"({ "id": "k82g51hl3on646lel50o9f162t92xu7z", "status": "queued", "runtime": "bun",
            "size": "standard", "capabilities": null })");
        QVERIFY(json.ok());
        auto parsed = Sandbox::fromJson(*json);
        QVERIFY(parsed.ok());
        QVERIFY(parsed->status == SandboxStatus::Queued);
        QVERIFY(!parsed->capabilities);
    }

    void sandboxRejectsBadInput_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("errorPart");
        QTest::newRow("not an object") << QByteArray("[1,2]") << u"expected an object"_s;
        QTest::newRow("missing id") << QByteArray(R"({"status":"ready"})") << u"sandbox.id: missing"_s;
        QTest::newRow("id wrong type") << QByteArray(R"({"id":5,"status":"ready"})") << u"sandbox.id: expected a string"_s;
        QTest::newRow("unknown state") << QByteArray(R"({"id":"a","status":"sleeping"})") << u"unknown state 'sleeping'"_s;
        QTest::newRow("createdAt string") << QByteArray(R"({"id":"a","status":"ready","createdAt":"yesterday"})")
                                          << u"sandbox.createdAt: expected an integer"_s;
        QTest::newRow("fractional time") << QByteArray(R"({"id":"a","status":"ready","createdAt":1.5})")
                                         << u"expected an integer"_s;
        // Found by fuzzing (tests/fuzz/regressions): numbers outside qint64 are errors, never a
        // wrapped or undefined value.
        QTest::newRow("time past qint64 as a double") << QByteArray(R"({"id":"a","status":"ready","createdAt":1e300})")
                                                      << u"sandbox.createdAt: expected an integer, got 1e+300"_s;
        QTest::newRow("time past uint64") << QByteArray(R"({"id":"a","status":"ready","createdAt":20787053952078705395})")
                                          << u"sandbox.createdAt: expected an integer, got 2.07871e+19"_s;
        QTest::newRow("time past qint64 as unsigned")
            << QByteArray(R"({"id":"a","status":"ready","createdAt":18446744073709551615})")
            << u"sandbox.createdAt: expected an integer, got 18446744073709551615 (out of range)"_s;
        QTest::newRow("caps wrong type") << QByteArray(R"({"id":"a","status":"ready","capabilities":{"browser":true}})")
                                         << u"capabilities.browser: expected an object"_s;
    }
    void sandboxRejectsBadInput()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, errorPart);
        auto json = parseJson(body);
        QVERIFY(json.ok());
        auto parsed = Sandbox::fromJson(*json);
        QVERIFY(!parsed.ok());
        QVERIFY2(parsed.error().contains(errorPart), qPrintable(parsed.error()));
    }

    void malformedJsonIsAnErrorNotAThrow()
    {
        for (const QByteArray &bad : {QByteArray("{"), QByteArray(""), QByteArray("\xff\xfe"), QByteArray("{\"a\":}")})
            QVERIFY(!parseJson(bad).ok());
    }

    void createRequestValidation_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("error");
        QTest::newRow("runtime") << QByteArray(R"({"runtime":"ruby"})")
                                 << u"Invalid runtime: 'ruby'. Must be one of: bun, python, base"_s;
        QTest::newRow("size") << QByteArray(R"({"size":"huge"})") << u"Invalid size: 'huge'. Must be one of: standard"_s;
        QTest::newRow("region") << QByteArray(R"({"region":"IAD1"})") << u"Invalid region: 'IAD1'. Must be 3 lowercase letters"_s;
        QTest::newRow("env value") << QByteArray(R"({"env":{"A":1}})") << u"Invalid env value for 'A': must be a string"_s;
        QTest::newRow("env name") << QByteArray(R"({"env":{"A=B":"x"}})") << u"Invalid env name 'A=B'"_s;
        QTest::newRow("viewport") << QByteArray(R"({"capabilities":{"browser":{"viewport":{"width":5,"height":5}}}})")
                                  << u"capabilities.browser.viewport: must be between 100×100 and 7680×4320"_s;
    }
    void createRequestValidation()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, error);
        auto parsed = CreateSandboxRequest::fromJson(*parseJson(body));
        QVERIFY(!parsed.ok());
        QCOMPARE(parsed.error(), error);
    }

    void createRequestDefaults()
    {
        auto parsed = CreateSandboxRequest::fromJson(Json::object());
        QVERIFY(parsed.ok());
        QCOMPARE(parsed->runtime, u"bun"_s);
        QCOMPARE(parsed->size, u"standard"_s);
        QVERIFY(parsed->ephemeral);
        auto again = CreateSandboxRequest::fromJson(parsed->toJson());
        QVERIFY(again.ok());
    }

    void execRoundTrip()
    {
        ExecResult r;
        r.stdoutText = u"hello\n"_s;
        r.stderrText = u"warn"_s;
        r.exitCode = 3;
        r.durationMs = 12;
        auto parsed = ExecResult::fromJson(r.toJson());
        QVERIFY(parsed.ok());
        QCOMPARE(parsed->exitCode, 3);
        QCOMPARE(parsed->stdoutText, r.stdoutText);
        QVERIFY(!ExecResult::fromJson(Json{{"stdout", "x"}}).ok()); // exitCode is required

        ExecRequest req;
        req.id = u"s"_s;
        req.command = u"sh"_s;
        req.args = QStringList{u"-c"_s, u"true"_s};
        req.timeoutMs = 5000;
        auto back = ExecRequest::fromJson(req.toJson());
        QVERIFY(back.ok());
        QCOMPARE(*back->args, *req.args);
        QVERIFY(!ExecRequest::fromJson(Json{{"id", "s"}, {"command", "x"}, {"timeout", -1}}).ok());
        QVERIFY(!ExecRequest::fromJson(Json{{"id", "s"}, {"command", "x"}, {"args", {1, 2}}}).ok());
    }

    void fileContentPicksEncoding()
    {
        FileContent text{u"/workspace/a.txt"_s, "héllo"_ba, 6};
        QCOMPARE(fromStd(text.toJson()["encoding"].get<std::string>()), u"utf-8"_s);
        const QByteArray binary("\x00\xff\xfe\x01", 4);
        FileContent bin{u"/workspace/b.bin"_s, binary, 4};
        const Json json = bin.toJson();
        QCOMPARE(fromStd(json["encoding"].get<std::string>()), u"base64"_s);
        auto back = FileContent::fromJson(json);
        QVERIFY(back.ok());
        QCOMPARE(back->bytes, binary);
        QVERIFY(!FileWriteRequest::fromJson(Json{{"id", "s"}, {"path", "/w"}, {"content", "!!"}, {"encoding", "base64"}}).ok());
        QVERIFY(!FileWriteRequest::fromJson(Json{{"id", "s"}, {"path", "/w"}, {"content", "x"}, {"encoding", "rot13"}}).ok());
    }

    void fileListingRoundTrip()
    {
        FileListing listing;
        listing.path = u"/workspace"_s;
        listing.entries.append(FileEntry{u"a"_s, u"/workspace/a"_s, FileEntry::Type::Directory, 4096, 1, 0755});
        listing.entries.append(FileEntry{u"b"_s, u"/workspace/b"_s, FileEntry::Type::Symlink, 3, 2, 0777});
        auto back = FileListing::fromJson(listing.toJson());
        QVERIFY(back.ok());
        QCOMPARE(back->entries, listing.entries);
        Json bad = listing.toJson();
        bad["entries"][1]["type"] = "socket-ish";
        QVERIFY(!FileListing::fromJson(bad).ok());
    }

    void listingFastWriterMatchesTheTree()
    {
        FileListing listing;
        listing.path = u"/workspace/d\"q"_s;
        const QString hostile = u"tab\there \"quoted\" back\\slash \u00e9\u4e2d\U0001F600 ctl"_s + QChar(0x01) + QChar(0x1f);
        listing.entries.append(FileEntry{hostile, u"/workspace/"_s + hostile, FileEntry::Type::File, 5, 7, 0644});
        listing.entries.append(FileEntry{u"x"_s, u"/workspace/x"_s, FileEntry::Type::Other, 0, -1, 0});
        auto viaWriter = parseJson(listing.toJsonBytes());
        QVERIFY(viaWriter.ok());
        QCOMPARE(fromStd(viaWriter->dump()), fromStd(listing.toJson().dump()));
        FileListing empty;
        empty.path = u"/workspace"_s;
        QCOMPARE(fromStd(parseJson(empty.toJsonBytes())->dump()), fromStd(empty.toJson().dump()));
    }

    void checkpointEventHealthRoundTrip()
    {
        Checkpoint c{u"c1"_s, u"s1"_s, u"before login"_s, 100, 2048, 3};
        auto list = checkpointListFromJson(checkpointListToJson({c}));
        QVERIFY(list.ok());
        QCOMPARE(list->first(), c);

        Event e{7, u"sandbox.ready"_s, u"s1"_s, 123, Json{{"status", "ready"}}};
        auto ev = Event::fromJson(e.toJson());
        QVERIFY(ev.ok());
        QCOMPARE(ev->seq, 7);
        QCOMPARE(ev->sandboxId, u"s1"_s);
        QVERIFY(!Event::fromJson(Json{{"type", "x"}, {"timestamp", 1}}).ok());

        Health h{u"ok"_s, u"banata-local"_s, u"0.1.0"_s, {u"pause"_s}, u"signals"_s, 5};
        auto hb = Health::fromJson(h.toJson());
        QVERIFY(hb.ok());
        QVERIFY(hb->supports(u"pause"_s));
    }

    void eventPageRoundTrips()
    {
        EventPage page;
        page.data = {Event{9, u"sandbox.paused"_s, u"s1"_s, 200, Json{{"status", "paused"}}},
                     Event{4, u"sandbox.ready"_s, u"s1"_s, 100, Json::object()}};
        page.nextBefore = 4;
        const Json json = page.toJson();
        QCOMPARE(json["nextBefore"].get<qint64>(), 4);
        auto back = EventPage::fromJson(json);
        QVERIFY2(back.ok(), qPrintable(back.ok() ? QString() : back.error()));
        QCOMPARE(back->data.size(), 2);
        QCOMPARE(back->data.first().seq, 9);
        QCOMPARE(back->data.last().type, u"sandbox.ready"_s);
        QCOMPARE(back->nextBefore, std::optional<qint64>(4));

        // The last page says so with null; an absent member reads the same.
        page.nextBefore.reset();
        QVERIFY(page.toJson()["nextBefore"].is_null());
        QCOMPARE(EventPage::fromJson(page.toJson())->nextBefore, std::nullopt);
        QCOMPARE(EventPage::fromJson(Json{{"data", Json::array()}})->nextBefore, std::nullopt);
    }

    void eventPageRejectsBadInput_data()
    {
        QTest::addColumn<QString>("json");
        QTest::addColumn<QString>("expected");
        QTest::newRow("not an object") << u"[]"_s << u"events: expected an object"_s;
        QTest::newRow("no data") << u"{\"nextBefore\": null}"_s << u"events.data: missing"_s;
        QTest::newRow("data type") << u"{\"data\": {}}"_s << u"events.data: expected an array"_s;
        QTest::newRow("nextBefore type") << u"{\"data\": [], \"nextBefore\": \"5\"}"_s
                                         << u"events.nextBefore: expected an integer"_s;
        QTest::newRow("nextBefore negative") << u"{\"data\": [], \"nextBefore\": -1}"_s << u"events.nextBefore: negative"_s;
        QTest::newRow("bad event") << u"{\"data\": [{\"seq\": 1, \"type\": \"x\"}]}"_s
                                   << u"events.data[0]: event.timestamp: missing"_s;
    }

    void eventPageRejectsBadInput()
    {
        QFETCH(QString, json);
        QFETCH(QString, expected);
        const auto parsed = EventPage::fromJson(Json::parse(toStd(json)));
        QVERIFY(!parsed.ok());
        QVERIFY2(parsed.error().contains(expected), qPrintable(parsed.error()));
    }

    void apiErrorFromResponse()
    {
        auto e = ApiError::fromResponse(409, R"({"error":"Sandbox is not ready","code":"SANDBOX_NOT_READY"})", {});
        QCOMPARE(e.message, u"Sandbox is not ready"_s);
        QCOMPARE(e.code, u"SANDBOX_NOT_READY"_s);
        QVERIFY(!e.isTransient());
        auto limited = ApiError::fromResponse(429, R"({"error":"Rate limit exceeded. Please try again later."})", "7");
        QCOMPARE(limited.retryAfterSeconds, 7);
        QVERIFY(limited.isTransient());
        auto html = ApiError::fromResponse(502, "<html>bad gateway</html>", {});
        QCOMPARE(html.message, u"HTTP 502"_s);
        QCOMPARE(parseRetryAfter("soon"), std::nullopt);
        QVERIFY(parseRetryAfter("Wed, 21 Oct 2099 07:28:00 GMT").has_value());
    }
};

QTEST_GUILESS_MAIN(TestWireTypes)
#include "test_wiretypes.moc"
