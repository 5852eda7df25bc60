// SPDX-License-Identifier: MIT
// The viewer end to end: a signed short-lived URL, the page, and its socket streaming JPEG frames
// of a real Chromium and carrying input only while the handoff lease lets a viewer act.
#include "support/servertestbase.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDeadlineTimer>
#include <QFile>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTcpServer>
#include <QUrlQuery>
#include <QWebSocket>

using namespace banata;
using namespace banata::test;
using namespace Qt::StringLiterals;

namespace {
/// A WebSocket that keeps everything it receives.
struct Socket
{
    QWebSocket socket;
    QList<QByteArray> binary;
    QList<Json> text;
    bool failed = false;

    Socket()
    {
        QObject::connect(&socket, &QWebSocket::binaryMessageReceived, &socket, [this](const QByteArray &m) { binary.append(m); });
        QObject::connect(&socket, &QWebSocket::textMessageReceived, &socket, [this](const QString &m) {
            auto parsed = parseJson(m.toUtf8());
            if (parsed)
                text.append(*parsed);
        });
        QObject::connect(&socket, QOverload<QAbstractSocket::SocketError>::of(&QWebSocket::error), &socket,
                         [this](QAbstractSocket::SocketError) { failed = true; });
        QObject::connect(&socket, &QWebSocket::disconnected, &socket, [this] { failed = true; });
    }
    bool open(const QNetworkRequest &request)
    {
        socket.open(request);
        waitUntil([this] { return socket.state() == QAbstractSocket::ConnectedState || failed; }, 10000);
        return socket.state() == QAbstractSocket::ConnectedState;
    }
    std::optional<Json> answer(qint64 id, int timeoutMs = 10000)
    {
        const auto find = [&]() -> std::optional<Json> {
            for (const Json &m : text)
                if (m.value("id", qint64(-1)) == id)
                    return m;
            return std::nullopt;
        };
        waitUntil([&] { return find().has_value(); }, timeoutMs);
        return find();
    }
    /// Everything sent before has been handled by the server once the pong comes back.
    bool roundTrip()
    {
        QSignalSpy pong(&socket, &QWebSocket::pong);
        socket.ping();
        return pong.wait(10000);
    }
    std::optional<Json> lastMeta() const
    {
        for (auto it = text.crbegin(); it != text.crend(); ++it)
            if (it->value("type", std::string()) == "meta")
                return *it;
        return std::nullopt;
    }
};
} // namespace

class TestBrowserViewer : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase() { m_fixture.reset(); }
    void refusesBadTokens();
    void servesThePage();
    void streamsFramesAndGatesInput();

private:
    RawAnswer call(const QByteArray &method, const QString &path, const Json &body = {}, bool withKey = true)
    {
        return m_fixture->call(method, path, body, withKey);
    }
    QString viewerUrl(qint64 ttlMs = 0);
    Json evaluate(const QString &expression);

    std::unique_ptr<ServerFixture> m_fixture;
    QString m_id;
    Socket m_cdp;
    qint64 m_cdpId = 1;
    QString m_cdpSession;
};

QString TestBrowserViewer::viewerUrl(qint64 ttlMs)
{
    const RawAnswer answer = call("GET"_ba, u"/v1/sandboxes/preview/viewer?id="_s + m_id +
                                             (ttlMs ? u"&ttlMs=%1"_s.arg(ttlMs) : QString()));
    return answer.status == 200 ? fromStd(answer.body.value("url", std::string())) : QString();
}

Json TestBrowserViewer::evaluate(const QString &expression)
{
    const qint64 id = m_cdpId++;
    m_cdp.socket.sendTextMessage(QString::fromUtf8(dumpJson(
        {{"id", id}, {"method", "Runtime.evaluate"}, {"sessionId", toStd(m_cdpSession)},
         {"params", {{"expression", toStd(expression)}, {"returnByValue", true}}}})));
    const auto answer = m_cdp.answer(id);
    return answer ? (*answer)["result"]["result"].value("value", Json()) : Json();
}

void TestBrowserViewer::initTestCase()
{
    if (!QFile::exists(u"/usr/lib/chromium/chromium"_s))
        QSKIP("Chromium is not installed (scripts/deps.sh build installs it)");
    m_fixture = std::make_unique<ServerFixture>();
    QVERIFY2(m_fixture->start(), qPrintable(m_fixture->errorString()));
    CreateSandboxRequest request;
    request.capabilities = Capabilities{};
    request.capabilities->browser = BrowserCapability{};
    m_id = m_fixture->createReady(request);
    QVERIFY2(!m_id.isEmpty(), qPrintable(m_fixture->errorString()));
    QTRY_VERIFY_WITH_TIMEOUT(m_fixture->sawEvent(m_id, u"sandbox.browser.ready"_s), 30000);

    // A page that changes all the time (so the screencast has frames to send) with an input.
    QFile page(m_fixture->workspaceOf(m_id) + u"/index.html"_s);
    QVERIFY(page.open(QIODevice::WriteOnly));
    page.write("<!doctype html><meta charset=utf-8><title>Viewer test</title>"
               "<input id=q style='position:absolute;left:100px;top:100px;width:300px;height:40px'>"
               "<div id=n style='position:absolute;top:300px'></div>"
               "<script>let i=0;setInterval(()=>{document.getElementById('n').textContent=i++},20)</script>");
    page.close();
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    const quint16 port = probe.serverPort();
    probe.close();
    ExecRequest serve;
    serve.id = m_id;
    serve.command = u"cd /workspace && (python3 -m http.server %1 --bind 127.0.0.1 >/dev/null 2>&1 &) && "
                    u"for i in $(seq 200); do python3 -c 'import socket; socket.create_connection((\"127.0.0.1\", %1))' "
                    u"2>/dev/null && exit 0; sleep 0.05; done; exit 1"_s.arg(port);
    AWAIT_OK(served, m_fixture->client().exec(serve));
    QCOMPARE(served.exitCode, 0);
    const RawAnswer navigated = call("POST"_ba, u"/v1/sandboxes/preview/navigate"_s,
                                  {{"id", toStd(m_id)}, {"url", toStd(u"http://127.0.0.1:%1/index.html"_s.arg(port))}});
    QCOMPARE(navigated.status, 200);

    // A CDP client (the test's eyes) attached to the same page.
    const RawAnswer preview = call("GET"_ba, u"/v1/sandboxes/preview?id="_s + m_id);
    QNetworkRequest cdpRequest{QUrl(fromStd(preview.body.value("cdpUrl", std::string())))};
    cdpRequest.setRawHeader("Authorization"_ba, "Bearer "_ba + m_fixture->server().apiKey().toUtf8());
    QVERIFY(m_cdp.open(cdpRequest));
    m_cdp.socket.sendTextMessage(u"{\"id\":1000,\"method\":\"Target.getTargets\"}"_s);
    const auto targets = m_cdp.answer(1000);
    QVERIFY(targets);
    QString target;
    for (const Json &info : (*targets)["result"]["targetInfos"])
        if (info.value("type", std::string()) == "page")
            target = fromStd(info.value("targetId", std::string()));
    m_cdp.socket.sendTextMessage(QString::fromUtf8(dumpJson(
        {{"id", 1001}, {"method", "Target.attachToTarget"}, {"params", {{"targetId", toStd(target)}, {"flatten", true}}}})));
    const auto attached = m_cdp.answer(1001);
    QVERIFY(attached);
    m_cdpSession = fromStd((*attached)["result"].value("sessionId", std::string()));
    QTRY_VERIFY_WITH_TIMEOUT(evaluate(u"document.title"_s) == Json("Viewer test"), 10000);
}

void TestBrowserViewer::refusesBadTokens()
{
    const QString url = viewerUrl();
    QVERIFY(!url.isEmpty());
    QString forged = url;
    forged[forged.size() - 2] = forged.at(forged.size() - 2) == u'A' ? u'B' : u'A';
    QCOMPARE(call("GET"_ba, QUrl(forged).toString(QUrl::RemoveScheme | QUrl::RemoveAuthority), {}, false).status, 401);
    QCOMPARE(call("GET"_ba, u"/v1/viewer?token=garbage"_s, {}, false).status, 401);
    QCOMPARE(call("GET"_ba, u"/v1/viewer"_s, {}, false).status, 401);

    // A token for one sandbox cannot be re-signed for another: the id is inside the signature.
    QString otherSandbox = url;
    // (a different first character: an id that already starts with 'x' must still change)
    otherSandbox.replace(m_id, (m_id.startsWith(u'x') ? u"y"_s : u"x"_s) + m_id.mid(1));
    QCOMPARE(call("GET"_ba, QUrl(otherSandbox).toString(QUrl::RemoveScheme | QUrl::RemoveAuthority), {}, false).status, 401);

    const QString expired = viewerUrl(1);
    QVERIFY(!expired.isEmpty());
    const qint64 expiresAt = QUrlQuery(QUrl(expired)).queryItemValue(u"token"_s).section(u'.', -2, -2).toLongLong();
    QVERIFY(expiresAt > 0);
    QVERIFY(waitUntil([&] { return QDateTime::currentMSecsSinceEpoch() > expiresAt; }, 1000));
    QCOMPARE(call("GET"_ba, QUrl(expired).toString(QUrl::RemoveScheme | QUrl::RemoveAuthority), {}, false).status, 401);

    Socket socket;
    QUrl socketUrl(forged);
    socketUrl.setScheme(u"ws"_s);
    socketUrl.setPath(u"/v1/viewer/socket"_s);
    QVERIFY(!socket.open(QNetworkRequest(socketUrl)));
    QCOMPARE(call("GET"_ba, u"/v1/sandboxes/preview/viewer?id="_s + m_id, {}, false).status, 401);
}

void TestBrowserViewer::servesThePage()
{
    AWAIT_OK(viewer, m_fixture->client().previewViewerUrl(m_id, 60000));
    QVERIFY(viewer.expiresAt > QDateTime::currentMSecsSinceEpoch());
    const QString url = viewer.url;
    const RawAnswer page = call("GET"_ba, QUrl(url).toString(QUrl::RemoveScheme | QUrl::RemoveAuthority), {}, false);
    QCOMPARE(page.status, 200);
    QVERIFY(page.bytes.contains("<canvas id=\"screen\""));
    const RawAnswer script = call("GET"_ba, u"/v1/viewer/viewer.js"_s, {}, false);
    QCOMPARE(script.status, 200);
    QVERIFY(script.bytes.contains("/v1/viewer/socket"));
    QCOMPARE(call("GET"_ba, u"/v1/viewer/../api-key"_s, {}, false).status == 200, false);
}

void TestBrowserViewer::streamsFramesAndGatesInput()
{
    QUrl socketUrl(viewerUrl());
    socketUrl.setScheme(u"ws"_s);
    socketUrl.setPath(u"/v1/viewer/socket"_s);
    Socket viewer;
    QVERIFY(viewer.open(QNetworkRequest(socketUrl)));
    QVERIFY(waitUntil([&] { return viewer.binary.size() >= 5; }, 15000));
    for (const QByteArray &frame : std::as_const(viewer.binary))
        QVERIFY(frame.startsWith("\xff\xd8"_ba)); // JPEG
    QVERIFY(waitUntil([&] { return viewer.lastMeta().has_value(); }, 5000));
    QVERIFY(viewer.lastMeta()->value("controlMode", std::string()) == "ai");
    QVERIFY(!viewer.lastMeta()->value("mayAct", true));
    QVERIFY(!viewer.lastMeta()->contains("cdpUrl"));

    // Watch only: the click and the text are dropped.
    const auto click = [&](double x, double y) {
        for (const char *kind : {"down", "up"})
            viewer.socket.sendTextMessage(QString::fromUtf8(dumpJson(
                {{"type", "mouse"}, {"event", kind}, {"x", x}, {"y", y}, {"button", "left"}, {"buttons", 1}, {"clickCount", 1}})));
    };
    click(200, 120);
    viewer.socket.sendTextMessage(u"{\"type\":\"text\",\"text\":\"dropped\"}"_s);
    QVERIFY(viewer.roundTrip());
    QVERIFY(evaluate(u"document.getElementById('q').value"_s) == Json(""));

    // A handoff makes the lease shared: the viewer may act.
    QCOMPARE(call("POST"_ba, u"/v1/sandboxes/handoff/request"_s, {{"id", toStd(m_id)}, {"reason", "mfa"}, {"message", "type the code"}}).status, 201);
    QVERIFY(waitUntil([&] { return viewer.lastMeta() && viewer.lastMeta()->value("mayAct", false); }, 5000));
    QVERIFY(viewer.lastMeta()->value("controlMode", std::string()) == "shared");
    click(200, 120);
    viewer.socket.sendTextMessage(QString::fromUtf8(dumpJson({{"type", "text"}, {"text", "héllo ✓ 日本"}})));
    QTRY_VERIFY_WITH_TIMEOUT(evaluate(u"document.getElementById('q').value"_s) == Json("héllo ✓ 日本"), 10000);
    const qsizetype frames = viewer.binary.size();
    QVERIFY(waitUntil([&] { return viewer.binary.size() >= frames + 3; }, 10000)); // still streaming

    QCOMPARE(call("POST"_ba, u"/v1/sandboxes/handoff/cancel"_s, {{"id", toStd(m_id)}}).status, 200);
}

QTEST_GUILESS_MAIN(TestBrowserViewer)
#include "test_browser_viewer.moc"
