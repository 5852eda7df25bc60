// SPDX-License-Identifier: MIT
// The live browser across a server restart (the Chromium inside a surviving sandbox is taken
// back, or replaced when it is gone) and a start that follows a crash at once.
#include <QFile>
#include <QTcpServer>
#include <QWebSocket>

#include "core/preview.h"
#include "support/servertestbase.h"

using namespace banata;
using namespace banata::test;
using namespace Qt::StringLiterals;

class TestBrowserRecovery : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase() { m_fixture.reset(); }
    void takesBackTheBrowserAfterAKill();
    void takesBackTheBrowserAfterATerminate();
    void takesBackAPausedBrowserOnResume();
    void replacesABrowserThatDiedMeanwhile();
    void startRightAfterACrashAlwaysWorks();
    void givesARestartedTreeANewBrowser();

private:
    PreviewState preview();
    QString chromiumPid();
    /// True once \a type arrived for the sandbox after the first \a mark events.
    bool sawEventSince(qsizetype mark, const QString &type) const;
    /// Stops the server with \a stop, starts a new one on the same data and waits for the browser.
    void restartServer(const std::function<void()> &stop);
    void expectViewerFrames();

    std::unique_ptr<ServerFixture> m_fixture;
    QString m_id;
    QString m_pageUrl;
};

PreviewState TestBrowserRecovery::preview()
{
    const RawAnswer answer = m_fixture->call("GET"_ba, u"/v1/sandboxes/preview?id="_s + m_id);
    auto parsed = PreviewState::fromJson(answer.body);
    return parsed ? *parsed : PreviewState{};
}

QString TestBrowserRecovery::chromiumPid()
{
    ExecRequest request;
    request.id = m_id;
    request.command = u"pgrep -o -x chromium"_s; // the oldest: the browser process, not its children
    auto result = awaitJob(m_fixture->client().exec(request));
    return result && result->ok() ? result->value().stdoutText.trimmed() : QString();
}

bool TestBrowserRecovery::sawEventSince(qsizetype mark, const QString &type) const
{
    const QList<Event> &events = m_fixture->received();
    for (qsizetype i = mark; i < events.size(); ++i)
        if (events.at(i).sandboxId == m_id && events.at(i).type == type)
            return true;
    return false;
}

void TestBrowserRecovery::initTestCase()
{
    if (!QFile::exists(u"/usr/lib/chromium/chromium"_s))
        QSKIP("Chromium is not installed (scripts/deps.sh build installs it)");
    m_fixture = std::make_unique<ServerFixture>();
    QVERIFY2(m_fixture->start(), qPrintable(m_fixture->errorString()));
    CreateSandboxRequest request;
    request.ephemeral = false;
    request.capabilities = Capabilities{};
    request.capabilities->browser = BrowserCapability{};
    m_id = m_fixture->createReady(request);
    QVERIFY2(!m_id.isEmpty(), qPrintable(m_fixture->errorString()));
    QTRY_VERIFY_WITH_TIMEOUT(m_fixture->sawEvent(m_id, u"sandbox.browser.ready"_s), 30000);

    // A page that changes all the time, so a viewer always has frames to receive.
    QFile page(m_fixture->workspaceOf(m_id) + u"/index.html"_s);
    QVERIFY(page.open(QIODevice::WriteOnly));
    page.write("<!doctype html><title>Recovery test</title><div id=n></div>"
               "<script>let i=0;setInterval(()=>{document.getElementById('n').textContent=i++},20)</script>");
    page.close();
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    const quint16 port = probe.serverPort();
    probe.close();
    ExecRequest serve;
    serve.id = m_id;
    serve.command =
        u"cd /workspace && (setsid python3 -m http.server %1 --bind 127.0.0.1 >/dev/null 2>&1 &) && "
        u"for i in $(seq 200); do python3 -c 'import socket; socket.create_connection((\"127.0.0.1\", %1))' "
        u"2>/dev/null && exit 0; sleep 0.05; done; exit 1"_s.arg(port);
    AWAIT_OK(served, m_fixture->client().exec(serve));
    QCOMPARE(served.exitCode, 0);
    m_pageUrl = u"http://127.0.0.1:%1/index.html"_s.arg(port);
    const RawAnswer navigated = m_fixture->call("POST"_ba, u"/v1/sandboxes/preview/navigate"_s,
                                                {{"id", toStd(m_id)}, {"url", toStd(m_pageUrl)}});
    QCOMPARE(navigated.status, 200);
    QTRY_COMPARE_WITH_TIMEOUT(preview().title, u"Recovery test"_s, 10000);
    AWAIT_OK(resized, m_fixture->client().resizePreview(m_id, 1024, 700));
}

void TestBrowserRecovery::restartServer(const std::function<void()> &stop)
{
    const qsizetype mark = m_fixture->received().size();
    stop();
    QVERIFY2(m_fixture->restart(), qPrintable(m_fixture->errorString()));
    QTRY_VERIFY_WITH_TIMEOUT(sawEventSince(mark, u"sandbox.browser.ready"_s), 30000);
    QVERIFY(sawEventSince(mark, u"sandbox.preview.updated"_s));
}

void TestBrowserRecovery::expectViewerFrames()
{
    AWAIT_OK(viewer, m_fixture->client().previewViewerUrl(m_id, 60000));
    QUrl socketUrl(viewer.url);
    QCOMPARE(socketUrl.port(), m_fixture->server().url().port()); // signed by the new server
    socketUrl.setScheme(u"ws"_s);
    socketUrl.setPath(u"/v1/viewer/socket"_s);
    QList<QByteArray> frames;
    QWebSocket socket;
    connect(&socket, &QWebSocket::binaryMessageReceived, &socket,
            [&frames](const QByteArray &m) { frames.append(m); });
    socket.open(socketUrl);
    QVERIFY(waitUntil([&] { return !frames.isEmpty(); }, 15000));
    QVERIFY(frames.constFirst().startsWith("\xff\xd8"_ba)); // JPEG
}

void TestBrowserRecovery::takesBackTheBrowserAfterAKill()
{
    const QString pid = chromiumPid();
    QVERIFY(!pid.isEmpty());
    restartServer([this] { m_fixture->crash(); });
    const PreviewState state = preview();
    QCOMPARE(state.status, u"running"_s);
    QVERIFY(state.updatedAt > 0);
    QVERIFY(state.cdpUrl && state.cdpUrl->contains(QString::number(m_fixture->server().url().port())));
    QCOMPARE(chromiumPid(), pid); // the same Chromium, not a new one
    QCOMPARE(state.title, u"Recovery test"_s);
    QCOMPARE(state.url, m_pageUrl);
    QCOMPARE(state.viewport, (Viewport{1024, 700}));
    expectViewerFrames();
    // Commands reach it again.
    AWAIT_OK(resized, m_fixture->client().resizePreview(m_id, 1100, 720));
    QCOMPARE(resized.viewport, (Viewport{1100, 720}));
}

void TestBrowserRecovery::takesBackTheBrowserAfterATerminate()
{
    const QString pid = chromiumPid();
    QVERIFY(!pid.isEmpty());
    restartServer([this] { QVERIFY(m_fixture->server().terminate()); });
    QCOMPARE(preview().status, u"running"_s);
    QCOMPARE(chromiumPid(), pid);
    QCOMPARE(preview().viewport, (Viewport{1100, 720}));
    expectViewerFrames();
}

void TestBrowserRecovery::takesBackAPausedBrowserOnResume()
{
    const QString pid = chromiumPid();
    QVERIFY(!pid.isEmpty());
    AWAIT_OK(paused, m_fixture->client().pauseSandbox(m_id));
    const qsizetype mark = m_fixture->received().size();
    m_fixture->crash();
    QVERIFY2(m_fixture->restart(), qPrintable(m_fixture->errorString()));
    AWAIT_OK(stillPaused, m_fixture->client().sandbox(m_id));
    QVERIFY(stillPaused.status == SandboxStatus::Paused);
    AWAIT_OK(resumed, m_fixture->client().resumeSandbox(m_id));
    QTRY_VERIFY_WITH_TIMEOUT(sawEventSince(mark, u"sandbox.browser.ready"_s), 30000);
    QCOMPARE(preview().status, u"running"_s);
    QCOMPARE(chromiumPid(), pid);
    expectViewerFrames();
}

void TestBrowserRecovery::replacesABrowserThatDiedMeanwhile()
{
    const QString pid = chromiumPid();
    ExecRequest crash;
    crash.id = m_id;
    crash.command = u"pkill -KILL -x chromium"_s;
    AWAIT_OK(killed, m_fixture->client().exec(crash));
    QTRY_COMPARE_WITH_TIMEOUT(preview().status, u"crashed"_s, 10000);
    // Its port file stays behind, naming a port nobody listens on.
    QVERIFY(QFile::exists(m_fixture->server().dataDir() + u"/sandboxes/"_s + m_id +
                          u"/home/.config/banata-browser/DevToolsActivePort"_s));
    restartServer([this] { m_fixture->crash(); });
    QCOMPARE(preview().status, u"running"_s);
    const QString fresh = chromiumPid();
    QVERIFY(!fresh.isEmpty());
    QVERIFY(fresh != pid);
    expectViewerFrames();
}

void TestBrowserRecovery::startRightAfterACrashAlwaysWorks()
{
    for (int round = 0; round < 20; ++round) {
        ExecRequest crash;
        crash.id = m_id;
        crash.command = u"pkill chromium"_s;
        AWAIT_OK(killed, m_fixture->client().exec(crash));
        QCOMPARE(killed.exitCode, 0);
        QTRY_COMPARE_WITH_TIMEOUT(preview().status, u"crashed"_s, 10000);
        const RawAnswer started =
            m_fixture->call("POST"_ba, u"/v1/sandboxes/preview/start"_s, {{"id", toStd(m_id)}});
        QVERIFY2(started.status == 200,
                 qPrintable(u"round %1: %2"_s.arg(round).arg(QString::fromUtf8(started.bytes))));
        QCOMPARE(started.body.value("status", std::string()), "running");
    }
    expectViewerFrames();
}

void TestBrowserRecovery::givesARestartedTreeANewBrowser()
{
    const qsizetype mark = m_fixture->received().size();
    restartServer([this] {
        m_fixture->crash();
        m_fixture->server().killSandboxProcesses(); // as a host reboot would
    });
    // The tree was started again, and said so when it became ready.
    const QList<Event> &events = m_fixture->received();
    const bool restartedTree = std::any_of(events.cbegin() + mark, events.cend(), [this](const Event &e) {
        return e.sandboxId == m_id && e.type == u"sandbox.ready" &&
               fromStd(e.data.value("reason", std::string())).contains(u"restarted"_s);
    });
    QVERIFY(restartedTree);
    QCOMPARE(preview().status, u"running"_s);
    QVERIFY(!chromiumPid().isEmpty());
    AWAIT_OK(ended, m_fixture->client().killSandbox(m_id));
}

QTEST_GUILESS_MAIN(TestBrowserRecovery)
#include "test_browser_recovery.moc"
