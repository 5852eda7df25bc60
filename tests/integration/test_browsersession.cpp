// SPDX-License-Identifier: MIT
// The Browser tab's session against a real banata-local and Chromium: activated, it knows the
// preview and hands the view a viewer URL that opens the page; it renews that URL before it
// expires without reloading the view; it navigates, refuses addresses the server would, resizes;
// it hands out a URL again on reconnect, after a crash and restart of the browser, and after the
// server itself restarted (whose old tokens are dead). While inactive it asks nothing.
#include <QFile>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTcpServer>
#include <QUrlQuery>

#include "session/browsersession.h"
#include "session/connection.h"
#include "support/fakebanata.h"
#include "support/servertestbase.h"

using namespace banata;
using namespace banata::test;
using namespace Qt::StringLiterals;

namespace {

constexpr int kWait = 30000;

/// The app's network, counting what the browser session asks for (preview routes only).
class CountingNetwork final : public QNetworkAccessManager
{
public:
    QStringList previewRequests;

protected:
    QNetworkReply *createRequest(Operation op, const QNetworkRequest &request, QIODevice *data) override
    {
        if (request.url().path().startsWith(u"/v1/sandboxes/preview"_s))
            previewRequests.append(request.url().path());
        return QNetworkAccessManager::createRequest(op, request, data);
    }
};

QUrl navigation(const QString &text)
{
    return BrowserSession::navigationUrl(text).value_or(QUrl());
}

const QByteArray kPage = "<!doctype html><html><head><title>Banata test page</title></head>"
                         "<body><h1>Hello from the sandbox</h1></body></html>";

} // namespace

class TestBrowserSession : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void inactiveSessionAsksNothing();
    void activationOpensTheViewer();
    void renewsTheUrlBeforeItExpires();
    void navigatesToASandboxPage();
    void refusesBadAddressesWithoutARequest();
    void resizesWithinLimits();
    void reconnectHandsOutAUrlAgain();
    void followsTheHandoffLease();
    void showsACrashAndRestarts();
    void freshTokenAfterTheServerRestarts();
    void inactiveAgainAsksNothing();
    void pollsOnlyWithoutAnEventStream();

private:
    int viewerStatus(const QUrl &url);
    QString tokenOf(const QUrl &url) const { return QUrlQuery(url).queryItemValue(u"token"_s); }

    QNetworkAccessManager m_plain; // the view's side: no API key
    CountingNetwork m_network;
    std::unique_ptr<ServerFixture> m_fixture;
    std::unique_ptr<Connection> m_connection;
    std::unique_ptr<BrowserSession> m_browser;
    QString m_id;
    QString m_pageUrl;
};

void TestBrowserSession::initTestCase()
{
    if (!QFile::exists(u"/usr/lib/chromium/chromium"_s))
        QSKIP("Chromium is not installed (scripts/deps.sh build installs it)");
    m_fixture = std::make_unique<ServerFixture>();
    QVERIFY2(m_fixture->start(), qPrintable(m_fixture->errorString()));
    CreateSandboxRequest request;
    Capabilities caps;
    caps.browser = BrowserCapability{Viewport{1280, 800}, false, std::nullopt};
    request.capabilities = caps;
    m_id = m_fixture->createReady(request);
    QVERIFY2(!m_id.isEmpty(), qPrintable(m_fixture->errorString()));
    QTRY_VERIFY_WITH_TIMEOUT(m_fixture->sawEvent(m_id, u"sandbox.browser.ready"_s), kWait);

    // A page served inside the sandbox (it shares the host's loopback).
    FileWriteRequest write;
    write.id = m_id;
    write.path = u"/workspace/site/index.html"_s;
    write.bytes = kPage;
    AWAIT_OK(written, m_fixture->client().writeFile(write));
    QTcpServer probe;
    QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
    const quint16 port = probe.serverPort();
    probe.close();
    ExecRequest serve;
    serve.id = m_id;
    serve.command =
        u"cd /workspace/site && setsid python3 -m http.server %1 --bind 127.0.0.1 >/dev/null 2>&1 </dev/null &"_s
            .arg(port);
    AWAIT_OK(served, m_fixture->client().exec(serve));
    m_pageUrl = u"http://127.0.0.1:%1/"_s.arg(port);
    QVERIFY(waitUntil(
        [this] {
            std::unique_ptr<QNetworkReply> reply(m_plain.get(QNetworkRequest(QUrl(m_pageUrl))));
            QSignalSpy done(reply.get(), &QNetworkReply::finished);
            done.wait(5000);
            return reply->error() == QNetworkReply::NoError;
        },
        kWait));

    m_connection = std::make_unique<Connection>(
        ConnectionConfig{u"local"_s, u"Local"_s, m_fixture->server().url(), ConnectionConfig::Kind::Local},
        &m_network);
    m_connection->start(m_fixture->server().apiKey());
    QTRY_COMPARE_WITH_TIMEOUT(m_connection->status(), Connection::Status::Online, kWait);
    m_browser = std::make_unique<BrowserSession>(m_connection.get(), m_id);
    QVERIFY(m_browser->isSupported());
    QVERIFY(m_browser->unsupportedReason().isEmpty());
}

void TestBrowserSession::cleanupTestCase()
{
    m_browser.reset();
    m_connection.reset();
    m_fixture.reset();
}

int TestBrowserSession::viewerStatus(const QUrl &url)
{
    std::unique_ptr<QNetworkReply> reply(m_plain.get(QNetworkRequest(url)));
    QSignalSpy done(reply.get(), &QNetworkReply::finished);
    if (!done.wait(kWait))
        return -1;
    return reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
}

void TestBrowserSession::inactiveSessionAsksNothing()
{
    QSignalSpy previews(m_browser.get(), &BrowserSession::previewChanged);
    const QString file = u"file:///workspace/site/index.html"_s;
    AWAIT_OK(opened, m_fixture->client().navigatePreview(m_id, file));
    // It follows the events all the same, without asking for anything.
    QTRY_VERIFY_WITH_TIMEOUT(m_browser->preview() && m_browser->preview()->url == file, kWait);
    QVERIFY(previews.count() >= 1);
    QVERIFY2(m_network.previewRequests.isEmpty(), qPrintable(m_network.previewRequests.join(u", "_s)));
    QVERIFY(m_browser->viewerUrl().isEmpty());
}

void TestBrowserSession::activationOpensTheViewer()
{
    QSignalSpy opened(m_browser.get(), &BrowserSession::viewerUrlChanged);
    m_browser->setActive(true);
    QVERIFY(m_browser->isActive());
    QVERIFY(opened.wait(kWait));
    QCOMPARE(opened.count(), 1);
    QCOMPARE(m_browser->preview()->status, u"running"_s);
    const QUrl url = opened.first().at(0).toUrl();
    QCOMPARE(url, m_browser->viewerUrl());
    QVERIFY(!tokenOf(url).isEmpty());
    QVERIFY(m_browser->viewerExpiresAt() > QDateTime::currentMSecsSinceEpoch());
    QVERIFY(m_browser->viewerError().isEmpty());
    QCOMPARE(viewerStatus(url), 200);
}

void TestBrowserSession::renewsTheUrlBeforeItExpires()
{
    // A session of its own with short tokens, so that 80 % of a lifetime comes quickly.
    BrowserSession shortLived(m_connection.get(), m_id);
    shortLived.setViewerTtlMs(3000);
    QSignalSpy opened(&shortLived, &BrowserSession::viewerUrlChanged);
    shortLived.setActive(true);
    QVERIFY(opened.wait(kWait));
    const QUrl first = shortLived.viewerUrl();
    const qint64 firstExpiry = shortLived.viewerExpiresAt();
    // Renewed before the first expires; held, not emitted: the open page needs no new token.
    QTRY_VERIFY_WITH_TIMEOUT(shortLived.viewerUrl() != first, 10000);
    QVERIFY(shortLived.viewerExpiresAt() > firstExpiry);
    QVERIFY(QDateTime::currentMSecsSinceEpoch() < firstExpiry + 1000);
    QCOMPARE(opened.count(), 1);
    QCOMPARE(viewerStatus(shortLived.viewerUrl()), 200);
    shortLived.setActive(false);
}

void TestBrowserSession::navigatesToASandboxPage()
{
    QSignalSpy finished(m_browser.get(), &BrowserSession::operationFinished);
    QSignalSpy busy(m_browser.get(), &BrowserSession::busyChanged);
    m_browser->navigate(m_pageUrl);
    QVERIFY(m_browser->isBusy(BrowserSession::Operation::Navigate));
    QVERIFY(finished.wait(kWait));
    QCOMPARE(finished.first().at(0).value<BrowserSession::Operation>(), BrowserSession::Operation::Navigate);
    QVERIFY2(finished.first().at(1).toString().isEmpty(), qPrintable(finished.first().at(1).toString()));
    QVERIFY(!m_browser->isBusy(BrowserSession::Operation::Navigate));
    QCOMPARE(busy.count(), 2);
    QTRY_COMPARE_WITH_TIMEOUT(m_browser->preview()->url, m_pageUrl, kWait);
    QTRY_COMPARE_WITH_TIMEOUT(m_browser->preview()->title, u"Banata test page"_s, kWait);

    finished.clear();
    m_browser->reload();
    QVERIFY(finished.wait(kWait));
    QCOMPARE(finished.first().at(0).value<BrowserSession::Operation>(), BrowserSession::Operation::Reload);
    QVERIFY2(finished.first().at(1).toString().isEmpty(), qPrintable(finished.first().at(1).toString()));
    QCOMPARE(m_browser->preview()->url, m_pageUrl);
}

void TestBrowserSession::refusesBadAddressesWithoutARequest()
{
    QString error;
    QCOMPARE(navigation(u"  example.com/a?b=1 "_s), QUrl(u"https://example.com/a?b=1"_s));
    QCOMPARE(navigation(u"localhost:8000/x"_s), QUrl(u"https://localhost:8000/x"_s));
    QCOMPARE(navigation(u"http://127.0.0.1:8000/"_s), QUrl(u"http://127.0.0.1:8000/"_s));
    QCOMPARE(navigation(u"file:///workspace/report.html"_s), QUrl(u"file:///workspace/report.html"_s));
    QCOMPARE(navigation(u"about:blank"_s), QUrl(u"about:blank"_s));
    for (const QString &bad : {u""_s, u"   "_s, u"javascript:alert(1)"_s, u"data:text/html,hi"_s,
                               u"chrome://settings"_s, u"http://"_s, u"ftp://example.com/"_s,
                               u"about:config"_s, u"file://host/etc/passwd"_s, u"hello world"_s}) {
        error.clear();
        QVERIFY2(!BrowserSession::navigationUrl(bad, &error), qPrintable(bad));
        QVERIFY2(!error.isEmpty(), qPrintable(bad));
    }

    const qsizetype before = m_network.previewRequests.size();
    QSignalSpy finished(m_browser.get(), &BrowserSession::operationFinished);
    m_browser->navigate(u"javascript:alert(1)"_s);
    QVERIFY(finished.wait(kWait));
    const QString shown = finished.first().at(1).toString();
    QVERIFY2(shown.contains(u"http"_s), qPrintable(shown)); // says what is allowed
    QCOMPARE(m_network.previewRequests.size(), before);
    QCOMPARE(m_browser->preview()->url, m_pageUrl);
}

void TestBrowserSession::resizesWithinLimits()
{
    QSignalSpy finished(m_browser.get(), &BrowserSession::operationFinished);
    m_browser->resize(QSize(1024, 700));
    QVERIFY(finished.wait(kWait));
    QVERIFY2(finished.first().at(1).toString().isEmpty(), qPrintable(finished.first().at(1).toString()));
    QCOMPARE(m_browser->preview()->viewport.width, 1024);
    QCOMPARE(m_browser->preview()->viewport.height, 700);

    finished.clear();
    m_browser->resize(QSize(50, 9000)); // clamped, not refused
    QVERIFY(finished.wait(kWait));
    QVERIFY2(finished.first().at(1).toString().isEmpty(), qPrintable(finished.first().at(1).toString()));
    QCOMPARE(m_browser->preview()->viewport.width, 200);
    QCOMPARE(m_browser->preview()->viewport.height, 2160);

    finished.clear();
    m_browser->resize(QSize(1280, 800));
    QVERIFY(finished.wait(kWait));
}

void TestBrowserSession::reconnectHandsOutAUrlAgain()
{
    QSignalSpy opened(m_browser.get(), &BrowserSession::viewerUrlChanged);
    m_browser->reconnect();
    QVERIFY(opened.wait(kWait));
    QCOMPARE(opened.count(), 1);
    const QUrl url = opened.first().at(0).toUrl();
    QVERIFY(m_browser->viewerExpiresAt() - QDateTime::currentMSecsSinceEpoch() >=
            BrowserSession::kMinViewerLeftMs);
    QCOMPARE(viewerStatus(url), 200);
}

void TestBrowserSession::followsTheHandoffLease()
{
    const qsizetype before = m_network.previewRequests.size();
    HandoffRequest request;
    request.id = m_id;
    request.reason = u"mfa"_s;
    request.message = u"Enter the code"_s;
    AWAIT_OK(requested, m_fixture->client().requestHandoff(request));
    QTRY_COMPARE_WITH_TIMEOUT(m_browser->preview()->controlMode, u"shared"_s, kWait);
    AWAIT_OK(accepted, m_fixture->client().acceptHandoff(m_id, u"ana"_s));
    QTRY_COMPARE_WITH_TIMEOUT(m_browser->preview()->controlMode, u"human"_s, kWait);
    QCOMPARE(m_browser->preview()->controller, std::optional<QString>(u"ana"_s));
    AWAIT_OK(completed, m_fixture->client().completeHandoff(m_id, u"done"_s));
    QTRY_COMPARE_WITH_TIMEOUT(m_browser->preview()->controlMode, u"ai"_s, kWait);
    QVERIFY(!m_browser->preview()->controller);
    QCOMPARE(m_network.previewRequests.size(), before); // from the events, not by asking
}

void TestBrowserSession::showsACrashAndRestarts()
{
    QSignalSpy opened(m_browser.get(), &BrowserSession::viewerUrlChanged);
    ExecRequest kill;
    kill.id = m_id;
    kill.command = u"pkill -KILL -x chromium; true"_s;
    AWAIT_OK(killed, m_fixture->client().exec(kill));
    QTRY_VERIFY2_WITH_TIMEOUT(m_browser->viewerError().contains(u"crashed"_s),
                              qPrintable(m_browser->viewerError()), kWait);
    QCOMPARE(m_browser->preview()->status, u"crashed"_s);
    QCOMPARE(opened.count(), 0);
    // The server cleans up after a crash with a command of its own, and a start racing it is
    // killed by it (a server issue, reported): start once the sandbox is idle again.
    QTRY_VERIFY_WITH_TIMEOUT(m_connection->sandbox(m_id)->status == SandboxStatus::Ready, kWait);

    QSignalSpy finished(m_browser.get(), &BrowserSession::operationFinished);
    m_browser->start();
    QVERIFY(m_browser->isBusy(BrowserSession::Operation::Start));
    QVERIFY(finished.wait(kWait));
    QVERIFY2(finished.first().at(1).toString().isEmpty(), qPrintable(finished.first().at(1).toString()));
    QCOMPARE(m_browser->preview()->status, u"running"_s);
    // Running again: the view must load afresh, its old socket died with the browser.
    QTRY_COMPARE_WITH_TIMEOUT(opened.count(), 1, kWait);
    QTRY_VERIFY_WITH_TIMEOUT(m_browser->viewerError().isEmpty(), kWait);
    QCOMPARE(viewerStatus(opened.first().at(0).toUrl()), 200);
}

void TestBrowserSession::freshTokenAfterTheServerRestarts()
{
    const QUrl before = m_browser->viewerUrl();
    QVERIFY(!before.isEmpty());
    const quint16 port = quint16(m_fixture->server().url().port());
    QSignalSpy opened(m_browser.get(), &BrowserSession::viewerUrlChanged);
    m_fixture->crash();
    QTRY_VERIFY_WITH_TIMEOUT(m_connection->status() == Connection::Status::Reconnecting ||
                                 m_connection->status() == Connection::Status::Down,
                             kWait);
    QVERIFY2(m_fixture->restart({u"--port"_s, QString::number(port)}), qPrintable(m_fixture->errorString()));
    QTRY_COMPARE_WITH_TIMEOUT(m_connection->status(), Connection::Status::Online, 70000);
    // A restarted server may not have the browser running yet; the session says so, and the
    // operator starts it.
    QTRY_VERIFY_WITH_TIMEOUT(
        opened.count() > 0 || m_browser->viewerError() == u"The browser is not running"_s, kWait);
    if (opened.isEmpty()) {
        QSignalSpy finished(m_browser.get(), &BrowserSession::operationFinished);
        m_browser->start();
        QVERIFY(finished.wait(kWait));
        QVERIFY2(finished.first().at(1).toString().isEmpty(), qPrintable(finished.first().at(1).toString()));
    }
    QTRY_COMPARE_WITH_TIMEOUT(opened.count(), 1, kWait);
    const QUrl after = opened.first().at(0).toUrl();
    QVERIFY(tokenOf(after) != tokenOf(before));
    QCOMPARE(viewerStatus(after), 200);
    QCOMPARE(viewerStatus(before), 401); // tokens die with the server that signed them
}

void TestBrowserSession::inactiveAgainAsksNothing()
{
    m_browser->setActive(false);
    QVERIFY(!m_browser->isActive());
    const qsizetype before = m_network.previewRequests.size();
    QSignalSpy opened(m_browser.get(), &BrowserSession::viewerUrlChanged);
    AWAIT_OK(blank, m_fixture->client().navigatePreview(m_id, u"about:blank"_s));
    QTRY_VERIFY_WITH_TIMEOUT(m_browser->preview()->url == u"about:blank"_s, kWait);
    // Crashes bring no refetch either while nobody looks.
    ExecRequest kill;
    kill.id = m_id;
    kill.command = u"pkill -KILL -x chromium; true"_s;
    AWAIT_OK(killed, m_fixture->client().exec(kill));
    QTRY_COMPARE_WITH_TIMEOUT(m_browser->preview()->status, u"crashed"_s, kWait);
    QCOMPARE(m_network.previewRequests.size(), before);
    QCOMPARE(opened.count(), 0);
}

void TestBrowserSession::pollsOnlyWithoutAnEventStream()
{
    // A server without `events` (played by a fake: banata-local always streams).
    FakeNetworkAccessManager network;
    int previewGets = 0;
    int viewerGets = 0;
    network.setHandler([&](const QNetworkRequest &request, const QByteArray &, const QByteArray &) {
        const QString path = request.url().path();
        if (path == u"/v1/health")
            return FakeReplySpec::json(200, dumpJson(Json{{"status", "ok"},
                                                          {"server", "fake"},
                                                          {"version", "0.1"},
                                                          {"extensions", {"preview", "viewer"}}}));
        if (path == u"/v1/sandboxes")
            return FakeReplySpec::json(200, dumpJson(SandboxPage{{fakeSandbox(1)}, std::nullopt}.toJson()));
        if (path == u"/v1/sandboxes/preview") {
            ++previewGets;
            PreviewState preview;
            preview.status = u"running"_s;
            preview.updatedAt = 1;
            return FakeReplySpec::json(200, dumpJson(preview.toJson()));
        }
        if (path == u"/v1/sandboxes/preview/viewer") {
            ++viewerGets;
            const ViewerUrl url{u"http://banata.test/v1/viewer?token=t%1"_s.arg(viewerGets),
                                QDateTime::currentMSecsSinceEpoch() + BrowserSession::kViewerTtlMs};
            return FakeReplySpec::json(200, dumpJson(url.toJson()));
        }
        return FakeReplySpec::json(404, fakeErrorBody("Not found", "NOT_FOUND"));
    });
    Connection connection(
        {u"fake"_s, u"Fake"_s, QUrl(u"http://banata.test:8787/"_s), ConnectionConfig::Kind::Remote},
        &network);
    connection.start(u"br_live_test"_s);
    QTRY_COMPARE(connection.status(), Connection::Status::Polling);
    BrowserSession browser(&connection, fakeSandbox(1).id);
    QVERIFY(browser.isSupported());
    QCOMPARE(previewGets, 0);

    QSignalSpy opened(&browser, &BrowserSession::viewerUrlChanged);
    browser.setActive(true);
    QVERIFY(opened.wait(kWait));
    QCOMPARE(opened.first().at(0).toUrl(), QUrl(u"http://banata.test/v1/viewer?token=t1"_s));
    // Every 2 s while active; the held URL is neither refetched nor emitted again.
    QTRY_VERIFY_WITH_TIMEOUT(previewGets >= 3, 7000);
    QCOMPARE(viewerGets, 1);
    QCOMPARE(opened.count(), 1);

    browser.setActive(false);
    const int asked = previewGets;
    QVERIFY(!waitUntil([&] { return previewGets > asked; }, 4500));
}

QTEST_GUILESS_MAIN(TestBrowserSession)
#include "test_browsersession.moc"
