// SPDX-License-Identifier: MIT
// A Chromium that dies: SIGKILL of a sandbox's browser process (found through /proc) while an
// agent's CDP connection, a viewer and a pending handoff use it. The server notices, starts the
// browser again by itself, the handoff survives, and new CDP and viewer connections work. Killed
// over and over, it backs off between restarts, then stops trying and says so, without spinning.
#include <csignal>

#include <QElapsedTimer>
#include <QFile>
#include <QWebSocket>

#include "core/preview.h"
#include "support/procinfo.h"
#include "support/servertestbase.h"

using namespace banata;
using namespace banata::test;
using namespace Qt::StringLiterals;

namespace {
constexpr int kMaxRestarts = 5;                                    // server/browser/browserrecovery.cpp
const QList<int> kRestartDelaysMs = {500, 1000, 2000, 4000, 8000}; // the same file's back-off

/// A CDP client on the server's proxy, as an agent's automation library would hold it.
class CdpClient
{
public:
    explicit CdpClient(const QString &url, const QString &apiKey)
    {
        QObject::connect(&m_socket, &QWebSocket::textMessageReceived, &m_socket,
                         [this](const QString &message) { m_messages.append(message); });
        QNetworkRequest request{QUrl(url)};
        request.setRawHeader("Authorization", "Bearer " + apiKey.toUtf8());
        m_socket.open(request);
    }
    bool connected() const { return m_socket.state() == QAbstractSocket::ConnectedState; }
    bool closed() const { return m_socket.state() == QAbstractSocket::UnconnectedState; }
    /// Sends a command and waits for its answer; an empty object when none came.
    Json call(const QString &method, int id)
    {
        if (!waitUntil([this] { return connected(); }, 10000))
            return Json::object();
        m_socket.sendTextMessage(
            QString::fromUtf8(dumpJson(Json{{"id", id}, {"method", method.toStdString()}})));
        Json answer = Json::object();
        waitUntil(
            [&] {
                for (const QString &message : std::as_const(m_messages)) {
                    const auto parsed = parseJson(message.toUtf8());
                    if (parsed && parsed->is_object() && parsed->value("id", -1) == id) {
                        answer = *parsed;
                        return true;
                    }
                }
                return false;
            },
            10000);
        return answer;
    }

private:
    QWebSocket m_socket;
    QStringList m_messages;
};

/// The viewer page's socket: counts the JPEG frames it is sent.
class ViewerClient
{
public:
    explicit ViewerClient(const QUrl &socketUrl)
    {
        QObject::connect(&m_socket, &QWebSocket::binaryMessageReceived, &m_socket,
                         [this](const QByteArray &frame) {
                             if (frame.startsWith("\xff\xd8"))
                                 ++m_frames;
                         });
        m_socket.open(socketUrl);
    }
    int frames() const { return m_frames; }
    bool closed() const { return m_socket.state() == QAbstractSocket::UnconnectedState; }

private:
    QWebSocket m_socket;
    int m_frames = 0;
};
} // namespace

class TestFaultChromium : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase() { m_fixture.reset(); }
    void browserKilledInUseComesBackByItself();
    void crashLoopBacksOffThenStopsAndSaysSo();

private:
    QString createBrowserSandbox();
    PreviewState preview(const QString &id);
    /// The browser process (not a renderer or zygote) of \a id's Chromium, by its host pid.
    qint64 browserPid(const QString &id) const;
    const Event *eventSince(qsizetype mark, const QString &id, const QString &type) const;
    std::unique_ptr<ViewerClient> openViewer(const QString &id);

    std::unique_ptr<ServerFixture> m_fixture;
};

void TestFaultChromium::initTestCase()
{
    if (!QFile::exists(u"/usr/lib/chromium/chromium"_s))
        QSKIP("Chromium is not installed (scripts/deps.sh build installs it)");
    m_fixture = std::make_unique<ServerFixture>();
    QVERIFY2(m_fixture->start(), qPrintable(m_fixture->errorString()));
}

QString TestFaultChromium::createBrowserSandbox()
{
    CreateSandboxRequest request;
    request.capabilities = Capabilities{};
    request.capabilities->browser = BrowserCapability{};
    const QString id = m_fixture->createReady(request);
    if (id.isEmpty())
        return {};
    if (!waitUntil([&] { return eventSince(0, id, u"sandbox.browser.ready"_s) != nullptr; }, 30000))
        return {};
    // A page that changes all the time, so a viewer always has frames to receive.
    QFile page(m_fixture->workspaceOf(id) + u"/index.html"_s);
    if (!page.open(QIODevice::WriteOnly))
        return {};
    page.write("<!doctype html><title>Crash test</title><div id=n></div>"
               "<script>let i=0;setInterval(()=>{document.getElementById('n').textContent=i++},20)</script>");
    page.close();
    auto navigated = awaitJob(m_fixture->client().navigatePreview(id, u"file:///workspace/index.html"_s));
    return navigated && navigated->ok() ? id : QString();
}

PreviewState TestFaultChromium::preview(const QString &id)
{
    auto state = awaitJob(m_fixture->client().preview(id));
    return state && state->ok() ? state->value() : PreviewState{};
}

qint64 TestFaultChromium::browserPid(const QString &id) const
{
    const QByteArray root = (m_fixture->server().dataDir() + u"/sandboxes/"_s + id).toUtf8();
    for (const qint64 pid : proc::processesBelow(root)) {
        const QByteArray command = proc::commandLine(pid);
        if (command.startsWith("/usr/lib/chromium/chromium") && !command.contains("--type="))
            return pid;
    }
    return 0;
}

const Event *TestFaultChromium::eventSince(qsizetype mark, const QString &id, const QString &type) const
{
    const QList<Event> &events = m_fixture->received();
    for (qsizetype i = mark; i < events.size(); ++i)
        if (events.at(i).sandboxId == id && events.at(i).type == type)
            return &events.at(i);
    return nullptr;
}

std::unique_ptr<ViewerClient> TestFaultChromium::openViewer(const QString &id)
{
    auto viewer = awaitJob(m_fixture->client().previewViewerUrl(id, 60000));
    if (!viewer || !viewer->ok())
        return nullptr;
    QUrl socketUrl(viewer->value().url);
    socketUrl.setScheme(u"ws"_s);
    socketUrl.setPath(u"/v1/viewer/socket"_s);
    return std::make_unique<ViewerClient>(socketUrl);
}

void TestFaultChromium::browserKilledInUseComesBackByItself()
{
    const QString id = createBrowserSandbox();
    QVERIFY(!id.isEmpty());
    const PreviewState before = preview(id);
    QCOMPARE(before.status, u"running"_s);
    QVERIFY(before.cdpUrl);

    // In use: an agent on CDP, a person watching, and a handoff waiting for that person.
    CdpClient agent(*before.cdpUrl, m_fixture->server().apiKey());
    QCOMPARE(agent.call(u"Browser.getVersion"_s, 1).value("result", Json::object()).contains("product"),
             true);
    auto viewer = openViewer(id);
    QVERIFY(viewer);
    QVERIFY2(waitUntil([&] { return viewer->frames() > 0; }, 15000),
             viewer->closed() ? "the viewer socket was closed without a frame" : "no frame in 15 s");
    HandoffRequest request;
    request.id = id;
    request.reason = u"mfa"_s;
    request.message = u"Type the code from the phone"_s;
    AWAIT_OK(handoff, m_fixture->client().requestHandoff(request));

    const qint64 pid = browserPid(id);
    QVERIFY2(pid > 0, "no Chromium browser process found under the sandbox");
    const qsizetype mark = m_fixture->received().size();
    QElapsedTimer clock;
    clock.start();
    QCOMPARE(::kill(pid_t(pid), SIGKILL), 0);

    // The server notices, tells everyone, and lets go of the dead browser's connections.
    QTRY_VERIFY_WITH_TIMEOUT(eventSince(mark, id, u"sandbox.browser.failed"_s), 10000);
    const qint64 noticedMs = clock.elapsed();
    const Event *failed = eventSince(mark, id, u"sandbox.browser.failed"_s);
    const QString reason = fromStd(failed->data.value("reason", std::string()));
    QVERIFY2(reason.contains(u"starting it again"_s), qPrintable(reason));
    QCOMPARE(failed->data.value("crashes", 0), 1);
    QTRY_VERIFY_WITH_TIMEOUT(agent.closed(), 5000);
    QTRY_VERIFY_WITH_TIMEOUT(viewer->closed(), 5000);
    const PreviewState during = preview(id);
    QVERIFY2(during.status == u"crashed" || during.status == u"starting" || during.status == u"running",
             qPrintable(during.status));
    if (during.status == u"crashed")
        QVERIFY(during.error && during.error->contains(u"starting it again"_s));

    // Back by itself, on the same profile and page.
    QTRY_VERIFY_WITH_TIMEOUT(eventSince(mark, id, u"sandbox.browser.ready"_s), 30000);
    const qint64 backMs = clock.elapsed();
    qInfo() << "Chromium SIGKILLed in use: noticed after" << noticedMs << "ms, running again after" << backMs
            << "ms";
    const PreviewState after = preview(id);
    QCOMPARE(after.status, u"running"_s);
    QVERIFY(!after.error);
    const qint64 newPid = browserPid(id);
    QVERIFY(newPid > 0 && newPid != pid);

    // The handoff is still waiting for its person, with the browser shared with them.
    AWAIT_OK(pending, m_fixture->client().handoff(id));
    QVERIFY(pending.handoff.status == HandoffStatus::Pending);
    QCOMPARE(pending.handoff.requestId, handoff.handoff.requestId);
    QCOMPARE(after.controlMode, u"shared"_s);

    // New connections work: the agent reconnects, a new viewer gets frames, the person acts.
    CdpClient again(*after.cdpUrl, m_fixture->server().apiKey());
    QVERIFY(again.call(u"Browser.getVersion"_s, 1).value("result", Json::object()).contains("product"));
    const Json targets = again.call(u"Target.getTargets"_s, 2).value("result", Json::object());
    QVERIFY(!targets.value("targetInfos", Json::array()).empty());
    auto secondViewer = openViewer(id);
    QVERIFY(secondViewer);
    QVERIFY(waitUntil([&] { return secondViewer->frames() > 0; }, 15000));
    AWAIT_OK(accepted, m_fixture->client().acceptHandoff(id, u"operator"_s));
    AWAIT_OK(completed, m_fixture->client().completeHandoff(id, u"done"_s, u"typed it"_s));
    QVERIFY(completed.handoff.status == HandoffStatus::Completed);
}

void TestFaultChromium::crashLoopBacksOffThenStopsAndSaysSo()
{
    const QString id = createBrowserSandbox();
    QVERIFY(!id.isEmpty());
    const qint64 server = m_fixture->server().pid();
    QList<qint64> restartGapsMs;
    for (int crash = 1; crash <= kMaxRestarts + 1; ++crash) {
        QTRY_VERIFY_WITH_TIMEOUT(browserPid(id) > 0 && preview(id).status == u"running", 30000);
        const qsizetype mark = m_fixture->received().size();
        QCOMPARE(::kill(pid_t(browserPid(id)), SIGKILL), 0);
        QTRY_VERIFY_WITH_TIMEOUT(eventSince(mark, id, u"sandbox.browser.failed"_s), 10000);
        const Event failed = *eventSince(mark, id, u"sandbox.browser.failed"_s);
        QCOMPARE(failed.data.value("crashes", 0), crash);
        if (crash > kMaxRestarts)
            break;
        QCOMPARE(failed.data.value("restartInMs", 0), kRestartDelaysMs.at(crash - 1));
        QTRY_VERIFY_WITH_TIMEOUT(eventSince(mark, id, u"sandbox.browser.ready"_s), 40000);
        const qint64 gap = eventSince(mark, id, u"sandbox.browser.ready"_s)->timestamp - failed.timestamp;
        restartGapsMs.append(gap);
        // Backs off: never sooner than its announced delay (event times are whole milliseconds).
        QVERIFY2(gap >= kRestartDelaysMs.at(crash - 1) - 2,
                 qPrintable(u"crash %1: back after %2 ms"_s.arg(crash).arg(gap)));
    }
    qInfo() << "crash loop: restarted after (ms)" << restartGapsMs;

    // Gave up, says so, and stays quiet: no new browser, no busy server.
    const PreviewState state = preview(id);
    QCOMPARE(state.status, u"crashed"_s);
    QVERIFY(state.error);
    QVERIFY2(state.error->contains(u"6 times in a row"_s) && state.error->contains(u"preview/start"_s),
             qPrintable(*state.error));
    const qsizetype mark = m_fixture->received().size();
    const qint64 cpuBefore = proc::cpuMs(server);
    QVERIFY(!waitUntil([&] { return eventSince(mark, id, u"sandbox.browser.ready"_s) != nullptr; }, 3000));
    const qint64 cpuQuiet = proc::cpuMs(server) - cpuBefore;
    qInfo() << "after giving up: server used" << cpuQuiet << "ms CPU in 3 s; browser pid" << browserPid(id);
    QVERIFY2(cpuQuiet < 300, qPrintable(QString::number(cpuQuiet)));
    QCOMPARE(browserPid(id), 0);
    QCOMPARE(preview(id).status, u"crashed"_s);

    // Asking for it starts it, with a fresh count.
    AWAIT_OK(started, m_fixture->client().startPreview(id));
    QCOMPARE(started.status, u"running"_s);
    const qsizetype restartMark = m_fixture->received().size();
    QCOMPARE(::kill(pid_t(browserPid(id)), SIGKILL), 0);
    QTRY_VERIFY_WITH_TIMEOUT(eventSince(restartMark, id, u"sandbox.browser.ready"_s), 30000);
    QCOMPARE(eventSince(restartMark, id, u"sandbox.browser.failed"_s)->data.value("crashes", 0), 1);
}

QTEST_GUILESS_MAIN(TestFaultChromium)
#include "test_fault_chromium.moc"
