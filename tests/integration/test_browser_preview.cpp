// SPDX-License-Identifier: MIT
// The live browser end to end: a real Chromium inside a sandbox, driven through the preview
// routes and the CDP proxy; crash, pause and kill; input held back while a human has control.
#include "support/servertestbase.h"

#include "core/preview.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QFile>
#include <QNetworkReply>
#include <QProcess>
#include <QSignalSpy>
#include <QTcpServer>
#include <QWebSocket>

using namespace banata;
using namespace banata::test;
using namespace Qt::StringLiterals;


namespace {
quint16 freePort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

/// A CDP client on the proxy: numbered commands, answers collected by id.
class CdpClient
{
public:
    explicit CdpClient(const QString &apiKey) : m_apiKey(apiKey)
    {
        QObject::connect(&m_socket, &QWebSocket::textMessageReceived, &m_socket, [this](const QString &text) {
            auto parsed = parseJson(text.toUtf8());
            if (parsed && parsed->contains("id"))
                m_answers.insert((*parsed)["id"].get<qint64>(), *parsed);
        });
    }
    bool open(const QString &url, bool withKey = true)
    {
        QNetworkRequest request{QUrl(url)};
        if (withKey)
            request.setRawHeader("Authorization"_ba, "Bearer "_ba + m_apiKey.toUtf8());
        QSignalSpy connected(&m_socket, &QWebSocket::connected);
        QSignalSpy disconnected(&m_socket, &QWebSocket::disconnected);
        QSignalSpy failed(&m_socket, QOverload<QAbstractSocket::SocketError>::of(&QWebSocket::error));
        m_socket.open(request);
        waitUntil([&] { return !connected.isEmpty() || !disconnected.isEmpty() || !failed.isEmpty(); }, 10000);
        return !connected.isEmpty();
    }
    qint64 send(const QString &method, Json params = Json::object(), const QString &sessionId = {})
    {
        const qint64 id = m_nextId++;
        Json message = {{"id", id}, {"method", toStd(method)}, {"params", std::move(params)}};
        if (!sessionId.isEmpty())
            message["sessionId"] = toStd(sessionId);
        m_socket.sendTextMessage(QString::fromUtf8(dumpJson(message)));
        return id;
    }
    std::optional<Json> answer(qint64 id, int timeoutMs = 10000)
    {
        if (!waitUntil([&] { return m_answers.contains(id); }, timeoutMs))
            return std::nullopt;
        return m_answers.value(id);
    }
    bool answered(qint64 id) const { return m_answers.contains(id); }

private:
    QString m_apiKey;
    QWebSocket m_socket;
    QHash<qint64, Json> m_answers;
    qint64 m_nextId = 1;
};
} // namespace


class TestBrowserPreview : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase() { m_fixture.reset(); }
    void startsWithTheCapability();
    void navigatesToAPageServedInside();
    void resizesAndRefusesBadInput();
    void cdpProxyRelaysAndAuthorises();
    void playwrightDrivesTheBrowser();
    void holdsBackAgentInputWhileHumanControls();
    void crashIsReportedAndStartWorksAgain();
    void pauseFreezesAndKillEnds();

private:
    RawAnswer call(const QByteArray &method, const QString &path, const Json &body = {})
    {
        return m_fixture->call(method, path, body);
    }
    PreviewState preview();
    std::optional<Json> runPlaywright(const QString &expect);

    std::unique_ptr<ServerFixture> m_fixture;
    QString m_id;
    quint16 m_pagePort = 0;
};

PreviewState TestBrowserPreview::preview()
{
    const RawAnswer answer = call("GET"_ba, u"/v1/sandboxes/preview?id="_s + m_id);
    auto parsed = PreviewState::fromJson(answer.body);
    return parsed ? *parsed : PreviewState{};
}

void TestBrowserPreview::initTestCase()
{
    if (!QFile::exists(u"/usr/lib/chromium/chromium"_s))
        QSKIP("Chromium is not installed (scripts/deps.sh build installs it)");
    m_fixture = std::make_unique<ServerFixture>();
    QVERIFY2(m_fixture->start(), qPrintable(m_fixture->errorString()));
}

void TestBrowserPreview::startsWithTheCapability()
{
    CreateSandboxRequest request;
    request.capabilities = Capabilities{};
    request.capabilities->browser = BrowserCapability{};
    m_id = m_fixture->createReady(request);
    QVERIFY2(!m_id.isEmpty(), qPrintable(m_fixture->errorString()));
    QTRY_VERIFY_WITH_TIMEOUT(m_fixture->sawEvent(m_id, u"sandbox.browser.ready"_s), 30000);
    const PreviewState state = preview();
    QCOMPARE(state.status, u"running"_s);
    QCOMPARE(state.controlMode, u"ai"_s);
    QCOMPARE(state.viewport, (Viewport{1280, 800}));
    QVERIFY(state.cdpUrl && state.cdpUrl->startsWith(u"ws://127.0.0.1:"_s));
    // Through the core client too. Not the whole state: the first tab's title may still settle
    // ("" -> "about:blank") between the two reads.
    AWAIT_OK(viaClient, m_fixture->client().preview(m_id));
    QCOMPARE(viaClient.status, state.status);
    QCOMPARE(viaClient.cdpUrl, state.cdpUrl);
    QCOMPARE(viaClient.viewport, state.viewport);
    QCOMPARE(viaClient.controlMode, state.controlMode);
    // Starting a running browser is a no-op answering its state.
    const RawAnswer again = call("POST"_ba, u"/v1/sandboxes/preview/start"_s, {{"id", toStd(m_id)}});
    QCOMPARE(again.status, 200);
    QCOMPARE(again.body.value("status", std::string()), "running");
}

void TestBrowserPreview::navigatesToAPageServedInside()
{
    QFile page(m_fixture->workspaceOf(m_id) + u"/index.html"_s);
    QVERIFY(page.open(QIODevice::WriteOnly));
    page.write("<!doctype html><title>Banata preview test</title><input id=q autofocus>");
    page.close();
    m_pagePort = freePort();
    ExecRequest serve;
    serve.id = m_id;
    // The loop waits (inside the sandbox) until the server accepts connections.
    serve.command = u"cd /workspace && (python3 -m http.server %1 --bind 127.0.0.1 >/dev/null 2>&1 &) && "
                    u"for i in $(seq 200); do python3 -c 'import socket; socket.create_connection((\"127.0.0.1\", %1))' "
                    u"2>/dev/null && exit 0; sleep 0.05; done; exit 1"_s.arg(m_pagePort);
    AWAIT_OK(served, m_fixture->client().exec(serve));
    QCOMPARE(served.exitCode, 0);

    const QString url = u"http://127.0.0.1:%1/index.html"_s.arg(m_pagePort);
    const RawAnswer navigated = call("POST"_ba, u"/v1/sandboxes/preview/navigate"_s, {{"id", toStd(m_id)}, {"url", toStd(url)}});
    QCOMPARE(navigated.status, 200);
    QTRY_COMPARE_WITH_TIMEOUT(preview().title, u"Banata preview test"_s, 10000);
    QCOMPARE(preview().url, url);
    QVERIFY(m_fixture->sawEvent(m_id, u"sandbox.preview.updated"_s));
}

void TestBrowserPreview::resizesAndRefusesBadInput()
{
    AWAIT_OK(resized, m_fixture->client().resizePreview(m_id, 1024, 700));
    QCOMPARE(resized.viewport, (Viewport{1024, 700}));
    AWAIT_ERROR(m_fixture->client().navigatePreview(m_id, u"javascript:alert(1)"_s), 400, "INVALID_REQUEST");
    QCOMPARE(preview().viewport, (Viewport{1024, 700}));

    for (const char *bad : {"javascript:alert(1)", "not a url", "data:text/html,hi", "chrome://settings", "http://"}) {
        const RawAnswer refused = call("POST"_ba, u"/v1/sandboxes/preview/navigate"_s, {{"id", toStd(m_id)}, {"url", bad}});
        QVERIFY2(refused.status == 400, bad);
    }
    const RawAnswer tiny = call("POST"_ba, u"/v1/sandboxes/preview/resize"_s, {{"id", toStd(m_id)}, {"width", 10}, {"height", 700}});
    QCOMPARE(tiny.status, 400);
    const RawAnswer huge = call("POST"_ba, u"/v1/sandboxes/preview/resize"_s, {{"id", toStd(m_id)}, {"width", 1024}, {"height", 100000}});
    QCOMPARE(huge.status, 400);
    QCOMPARE(call("GET"_ba, u"/v1/sandboxes/preview?id=nope"_s).status, 404);
}

void TestBrowserPreview::cdpProxyRelaysAndAuthorises()
{
    const QString cdpUrl = *preview().cdpUrl;
    CdpClient anonymous(m_fixture->server().apiKey());
    QVERIFY(!anonymous.open(cdpUrl, /*withKey=*/false));

    CdpClient cdp(m_fixture->server().apiKey());
    QVERIFY(cdp.open(cdpUrl));
    const auto targets = cdp.answer(cdp.send(u"Target.getTargets"_s));
    QVERIFY(targets);
    bool sawPage = false;
    for (const Json &info : (*targets)["result"]["targetInfos"])
        sawPage = sawPage || info.value("title", std::string()) == "Banata preview test";
    QVERIFY(sawPage);
    QTRY_VERIFY_WITH_TIMEOUT(m_fixture->sawEvent(m_id, u"sandbox.browser.cdp.connected"_s), 5000);
}

std::optional<Json> TestBrowserPreview::runPlaywright(const QString &expect)
{
    QProcess node;
    node.setWorkingDirectory(QStringLiteral(BANATA_E2E_DIR));
    node.start(u"node"_s, {u"cdp_playwright.mjs"_s, *preview().cdpUrl, m_fixture->server().apiKey(),
                           u"http://127.0.0.1:%1/index.html"_s.arg(m_pagePort), expect});
    if (!node.waitForFinished(60000) || node.exitCode() != 0) {
        qWarning().noquote() << "playwright failed:" << node.readAllStandardError();
        return std::nullopt;
    }
    const QByteArray out = node.readAllStandardOutput().trimmed();
    auto parsed = parseJson(out.mid(out.lastIndexOf('\n') + 1));
    return parsed ? std::optional(*parsed) : std::nullopt;
}

void TestBrowserPreview::playwrightDrivesTheBrowser()
{
    if (!QFile::exists(QStringLiteral(BANATA_E2E_DIR) + u"/node_modules/playwright-core/package.json"_s))
        QSKIP("playwright-core is not installed (scripts/e2e-deps.sh installs it)");
    const auto result = runPlaywright(u"typed"_s);
    QVERIFY(result);
    QCOMPARE(fromStd(result->value("title", std::string())), u"Banata preview test"_s);
    QCOMPARE(fromStd(result->value("value", std::string())), u"typed by playwright"_s);
    QCOMPARE(fromStd(result->value("heldBack", std::string())), QString());
    // Playwright opened a new tab: the preview follows it.
    QTRY_COMPARE_WITH_TIMEOUT(preview().title, u"Banata preview test"_s, 5000);
}

void TestBrowserPreview::holdsBackAgentInputWhileHumanControls()
{
    CdpClient cdp(m_fixture->server().apiKey());
    QVERIFY(cdp.open(*preview().cdpUrl));
    const auto version = cdp.answer(cdp.send(u"Browser.getVersion"_s));
    QVERIFY(version && version->contains("result"));

    QCOMPARE(call("POST"_ba, u"/v1/sandboxes/handoff/request"_s, {{"id", toStd(m_id)}, {"reason", "mfa"}, {"message", "log in please"}}).status, 201);
    QCOMPARE(call("POST"_ba, u"/v1/sandboxes/handoff/accept"_s, {{"id", toStd(m_id)}, {"controller", "dashboard-user"}}).status, 200);
    QTRY_COMPARE_WITH_TIMEOUT(preview().controlMode, u"human"_s, 5000);
    QCOMPARE(preview().controller.value_or(QString()), u"dashboard-user"_s);

    const auto held = cdp.answer(cdp.send(u"Input.dispatchKeyEvent"_s, {{"type", "char"}, {"text", "x"}}));
    QVERIFY(held);
    QVERIFY(held->contains("error"));
    QVERIFY(QString::fromStdString((*held)["error"].value("message", std::string())).startsWith(u"Held back"_s));
    // Everything else still goes through.
    QVERIFY(cdp.answer(cdp.send(u"Browser.getVersion"_s))->contains("result"));
    if (QFile::exists(QStringLiteral(BANATA_E2E_DIR) + u"/node_modules/playwright-core/package.json"_s)) {
        const auto result = runPlaywright(u"held"_s);
        QVERIFY(result);
        QVERIFY2(fromStd(result->value("heldBack", std::string())).contains(u"Held back"_s),
                 result->dump().c_str());
        QCOMPARE(fromStd(result->value("value", std::string())), QString());
    }

    QCOMPARE(call("POST"_ba, u"/v1/sandboxes/handoff/complete"_s, {{"id", toStd(m_id)}}).status, 200);
    QTRY_COMPARE_WITH_TIMEOUT(preview().controlMode, u"ai"_s, 5000);
}

void TestBrowserPreview::crashIsReportedAndStartWorksAgain()
{
    ExecRequest crash;
    crash.id = m_id;
    crash.command = u"pkill -KILL -x chromium"_s;
    AWAIT_OK(killed, m_fixture->client().exec(crash));
    QCOMPARE(killed.exitCode, 0);
    QTRY_COMPARE_WITH_TIMEOUT(preview().status, u"crashed"_s, 10000);
    QVERIFY(preview().error.has_value());
    QVERIFY(!preview().cdpUrl.has_value());
    QTRY_VERIFY_WITH_TIMEOUT(m_fixture->sawEvent(m_id, u"sandbox.browser.failed"_s), 5000);

    const RawAnswer started = call("POST"_ba, u"/v1/sandboxes/preview/start"_s, {{"id", toStd(m_id)}});
    QVERIFY2(started.status == 200, started.body.dump().c_str());
    QCOMPARE(preview().status, u"running"_s);
    QCOMPARE(preview().viewport, (Viewport{1024, 700})); // the size survives a restart
}

void TestBrowserPreview::pauseFreezesAndKillEnds()
{
    CdpClient cdp(m_fixture->server().apiKey());
    QVERIFY(cdp.open(*preview().cdpUrl));
    QVERIFY(cdp.answer(cdp.send(u"Browser.getVersion"_s)));

    AWAIT_OK(paused, m_fixture->client().pauseSandbox(m_id));
    const qint64 whilePaused = cdp.send(u"Browser.getVersion"_s);
    // A frozen Chromium cannot answer; one second of silence is the evidence (bounded wait).
    QVERIFY(!cdp.answer(whilePaused, 1000));
    QCOMPARE(preview().status, u"running"_s);
    AWAIT_OK(resumed, m_fixture->client().resumeSandbox(m_id));
    QVERIFY(cdp.answer(whilePaused));

    AWAIT_OK(ended, m_fixture->client().killSandbox(m_id));
    QTRY_COMPARE_WITH_TIMEOUT(preview().status, u"stopped"_s, 10000);
    QCOMPARE(call("POST"_ba, u"/v1/sandboxes/preview/start"_s, {{"id", toStd(m_id)}}).status, 409);
}

QTEST_GUILESS_MAIN(TestBrowserPreview)
#include "test_browser_preview.moc"
