// SPDX-License-Identifier: MIT
// The whole human-handoff loop against real Chromium: a scripted agent inside the sandbox opens
// a page served inside it and asks for a human with banata-handoff; the test (the operator)
// accepts, types through the viewer's input path, hands back with a note; the agent resumes,
// reads the note and writes its result file.
#include "support/servertestbase.h"

#include "core/preview.h"

#include <QFile>
#include <QWebSocket>

using namespace banata;
using namespace banata::test;
using namespace Qt::StringLiterals;

namespace {
QByteArray testData(const QString &name)
{
    QFile file(QStringLiteral(BANATA_TEST_DATA_DIR) + u"/handoff/"_s + name);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}
} // namespace

class TestHandoffFlow : public QObject
{
    Q_OBJECT

private slots:
    void agentAsksAHumanAndResumes();
};

void TestHandoffFlow::agentAsksAHumanAndResumes()
{
    if (!QFile::exists(u"/usr/lib/chromium/chromium"_s))
        QSKIP("Chromium is not installed (scripts/deps.sh build installs it)");
    ServerFixture fixture;
    QVERIFY2(fixture.start({u"--agent-command"_s, u"python3 /workspace/agent.py"_s}), qPrintable(fixture.errorString()));
    CreateSandboxRequest request;
    Capabilities caps;
    caps.browser = BrowserCapability{Viewport{1280, 800}, false, std::nullopt};
    request.capabilities = caps;
    const QString id = fixture.createReady(request);
    QVERIFY2(!id.isEmpty(), qPrintable(fixture.errorString()));
    QTRY_VERIFY_WITH_TIMEOUT(fixture.sawEvent(id, u"sandbox.browser.ready"_s), 30000);
    for (const auto &[path, bytes] : {std::pair{u"/workspace/site/index.html"_s, testData(u"login.html"_s)},
                                      std::pair{u"/workspace/agent.py"_s, testData(u"agent.py"_s)}}) {
        QVERIFY(!bytes.isEmpty());
        FileWriteRequest write;
        write.id = id;
        write.path = path;
        write.bytes = bytes;
        AWAIT_OK(written, fixture.client().writeFile(write));
    }

    AWAIT_OK(task, fixture.client().promptAsync(id, u"log in to the portal"_s, Json{{"job", "e2e-42"}}));
    QTRY_VERIFY_WITH_TIMEOUT(fixture.sawEvent(id, u"sandbox.handoff.requested"_s), 30000);
    // The page's own server logs every request: the page loaded, and later what was typed.
    auto accessLog = [&] {
        QFile log(fixture.workspaceOf(id) + u"/access.log"_s);
        return log.open(QIODevice::ReadOnly) ? log.readAll() : QByteArray();
    };
    QTRY_VERIFY_WITH_TIMEOUT(accessLog().contains("GET / HTTP"), 15000);

    AWAIT_OK(accepted, fixture.client().acceptHandoff(id, u"operator-e2e"_s));
    QCOMPARE(accepted.preview->controlMode, u"human"_s);

    AWAIT_OK(viewer, fixture.client().previewViewerUrl(id));
    QUrl socketUrl(viewer.url);
    socketUrl.setScheme(u"ws"_s);
    socketUrl.setPath(u"/v1/viewer/socket"_s);
    QWebSocket socket;
    bool mayAct = false;
    QString followedUrl;
    int framesOfPage = 0;
    connect(&socket, &QWebSocket::textMessageReceived, this, [&](const QString &message) {
        const auto meta = parseJson(message.toUtf8());
        if (meta && meta->value("type", std::string()) == "meta") {
            mayAct = meta->value("mayAct", false);
            followedUrl = fromStd(meta->value("url", std::string()));
        }
    });
    connect(&socket, &QWebSocket::binaryMessageReceived, this, [&](const QByteArray &) {
        if (followedUrl.startsWith(u"http://127.0.0.1:"_s))
            ++framesOfPage;
    });
    socket.open(socketUrl);
    // Input goes to the tab the viewer follows: wait until that is the agent's page.
    QTRY_VERIFY_WITH_TIMEOUT(mayAct && framesOfPage > 0, 15000);

    for (const char *kind : {"down", "up"}) {
        socket.sendTextMessage(QString::fromUtf8(dumpJson(
            {{"type", "mouse"}, {"event", kind}, {"x", 640}, {"y", 400}, {"button", "left"}, {"buttons", 1}, {"clickCount", 1}})));
    }
    socket.sendTextMessage(QString::fromUtf8(dumpJson({{"type", "text"}, {"text", "hunter2 ✓ пароль"}})));
    // Typed into the page the agent opened (the viewer follows the newest tab), non-ASCII intact.
    const QByteArray typed = QByteArray("GET /typed?v=") + QUrl::toPercentEncoding(u"hunter2 ✓ пароль"_s) + " HTTP";
    QTRY_VERIFY2_WITH_TIMEOUT(accessLog().contains(typed), accessLog().right(600).constData(), 15000);

    AWAIT_OK(completed, fixture.client().completeHandoff(id, u"done"_s, u"password entered, you are logged in"_s));
    QVERIFY(completed.handoff.status == HandoffStatus::Completed);
    QCOMPARE(completed.preview->controlMode, u"ai"_s);

    // The agent resumed, read the note and wrote its result; its task completed.
    const QString resultPath = fixture.workspaceOf(id) + u"/result.json"_s;
    QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(resultPath), 20000);
    QFile resultFile(resultPath);
    QVERIFY(resultFile.open(QIODevice::ReadOnly));
    const auto result = parseJson(resultFile.readAll());
    QVERIFY(result.ok());
    QCOMPARE((*result)["exit"].get<int>(), 0);
    QCOMPARE(fromStd((*result)["outcome"].get<std::string>()), u"done"_s);
    QCOMPARE(fromStd((*result)["note"].get<std::string>()), u"password entered, you are logged in"_s);
    QTRY_VERIFY_WITH_TIMEOUT(fixture.sawEvent(id, u"sandbox.agent.task.completed"_s), 20000);
    AWAIT_OK(finished, fixture.client().task(id, task.taskId));
    QVERIFY(finished.output.contains(u"agent finished after the handoff"_s));
    for (const char *type : {"sandbox.handoff.accepted", "sandbox.handoff.completed"})
        QVERIFY(fixture.sawEvent(id, QString::fromLatin1(type)));
    AWAIT_OK(gone, fixture.client().killSandbox(id));
}

QTEST_GUILESS_MAIN(TestHandoffFlow)
#include "test_handoff_flow.moc"
