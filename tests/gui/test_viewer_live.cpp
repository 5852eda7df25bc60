// SPDX-License-Identifier: MIT
// The live-browser view on the real thing: banata-local's viewer page for a sandbox whose real
// Chromium shows a page; the view goes live and draws it, and with the handoff lease held by a
// human, clicks, typed keys (any script) and the operator's clipboard reach that page.
#include <QClipboard>
#include <QFile>
#include <QImage>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpServer>

#include "core/handoff.h"
#include "core/preview.h"
#include "support/servertestbase.h"
#include "ui/viewer/viewerwidget.h"
#include "webenginetest.h"

using namespace banata;
using namespace banata::test;
using namespace Qt::StringLiterals;

namespace {
constexpr int kViewportWidth = 1280;
constexpr int kViewportHeight = 800;

/// How many pixels of \a image are the page's orange (#ff8000, give or take JPEG).
int orangePixels(const QImage &image)
{
    int count = 0;
    for (int y = 0; y < image.height(); y += 4)
        for (int x = 0; x < image.width(); x += 4) {
            const QColor c = image.pixelColor(x, y);
            if (c.red() > 220 && c.green() > 90 && c.green() < 170 && c.blue() < 60)
                ++count;
        }
    return count;
}
} // namespace

class TestViewerLive : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void pageWorksInAnyBrowser();
    void goesLiveAndDraws();
    void typesIntoTheRemotePage();
    void disconnectsWhenTheSandboxEnds();

private:
    /// Where the remote page's CSS point \a remote is in the view (the frame is scaled to fit);
    /// (-1, -1) when the page does not say.
    QPoint viewPointOf(QPointF remote);
    QString previewTitle();
    QByteArray accessLog() const;

    std::unique_ptr<ServerFixture> m_fixture;
    QString m_id;
    ViewerWidget *m_view = nullptr;
    QList<ViewerState> m_states;
};

void TestViewerLive::initTestCase()
{
    if (!QFile::exists(u"/usr/lib/chromium/chromium"_s))
        QSKIP("Chromium is not installed (scripts/deps.sh build installs it)");
    m_fixture = std::make_unique<ServerFixture>();
    QVERIFY2(m_fixture->start(), qPrintable(m_fixture->errorString()));
    CreateSandboxRequest request;
    Capabilities caps;
    caps.browser = BrowserCapability{Viewport{kViewportWidth, kViewportHeight}, false, std::nullopt};
    request.capabilities = caps;
    m_id = m_fixture->createReady(request);
    QVERIFY2(!m_id.isEmpty(), qPrintable(m_fixture->errorString()));
    QTRY_VERIFY_WITH_TIMEOUT(m_fixture->sawEvent(m_id, u"sandbox.browser.ready"_s), 30000);

    QFile source(QStringLiteral(BANATA_TEST_DATA_DIR) + u"/viewer/live.html"_s);
    QVERIFY(source.open(QIODevice::ReadOnly));
    QFile page(m_fixture->workspaceOf(m_id) + u"/live.html"_s);
    QVERIFY(page.open(QIODevice::WriteOnly));
    page.write(source.readAll());
    page.close();
    // Served from inside the sandbox by a server that logs every request (stderr, line by line).
    QTcpServer probe;
    QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
    const quint16 port = probe.serverPort();
    probe.close();
    ExecRequest serve;
    serve.id = m_id;
    serve.command =
        u"cd /workspace && (python3 -m http.server %1 --bind 127.0.0.1 >/dev/null 2>access.log &) && "
        u"for i in $(seq 200); do python3 -c 'import socket; socket.create_connection((\"127.0.0.1\", %1))' "
        u"2>/dev/null && exit 0; sleep 0.05; done; exit 1"_s.arg(port);
    AWAIT_OK(served, m_fixture->client().exec(serve));
    QCOMPARE(served.exitCode, 0);
    const RawAnswer navigated =
        m_fixture->call("POST"_ba, u"/v1/sandboxes/preview/navigate"_s,
                        {{"id", toStd(m_id)}, {"url", toStd(u"http://127.0.0.1:%1/live.html"_s.arg(port))}});
    QCOMPARE(navigated.status, 200);
    QTRY_COMPARE_WITH_TIMEOUT(previewTitle(), u"live test"_s, 10000);

    m_view = new ViewerWidget(nullptr);
    connect(m_view, &ViewerWidget::stateChanged, this, [this](ViewerState state) { m_states.append(state); });
    m_view->resize(1000, 700); // not the remote viewport: the frame is scaled to fit
    m_view->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_view));
    m_view->activateWindow(); // no window manager on the test's X server
    QVERIFY(QTest::qWaitForWindowActive(m_view));
}

void TestViewerLive::cleanupTestCase()
{
    delete m_view;
    m_view = nullptr;
    m_fixture.reset();
}

QString TestViewerLive::previewTitle()
{
    const RawAnswer answer = m_fixture->call("GET"_ba, u"/v1/sandboxes/preview?id="_s + m_id);
    return answer.status == 200 ? fromStd(answer.body.value("title", std::string())) : QString();
}

QByteArray TestViewerLive::accessLog() const
{
    QFile log(m_fixture->workspaceOf(m_id) + u"/access.log"_s);
    return log.open(QIODevice::ReadOnly) ? log.readAll() : QByteArray();
}

QPoint TestViewerLive::viewPointOf(QPointF remote)
{
    // A frame pixel is a CSS pixel of the remote page; the canvas shows the frame scaled to fit.
    const QJsonObject at =
        QJsonDocument::fromJson(
            js(m_view->page(),
               u"(() => { const c = document.getElementById('screen'); const r = c.getBoundingClientRect();"
               u"return JSON.stringify({left: r.left, top: r.top, scale: r.width / c.width}); })()"_s)
                .toString()
                .toUtf8())
            .object();
    const double scale = at.value(u"scale"_s).toDouble();
    if (!(scale > 0))
        return QPoint(-1, -1); // never a null point: QTest would click the centre instead
    const QPointF css(at.value(u"left"_s).toDouble() + remote.x() * scale,
                      at.value(u"top"_s).toDouble() + remote.y() * scale);
    return (css * m_view->zoomFactor()).toPoint();
}

void TestViewerLive::pageWorksInAnyBrowser()
{
    // A plain web view (default profile, no policy, no embed=1): the page looks as it always did.
    AWAIT_OK(viewer, m_fixture->client().previewViewerUrl(m_id, 60000));
    QWebEngineView plain;
    plain.resize(1000, 700);
    plain.show();
    QVERIFY(QTest::qWaitForWindowExposed(&plain));
    plain.load(QUrl(viewer.url));
    QTRY_COMPARE_WITH_TIMEOUT(plain.url().fragment(), u"live"_s, 20000);
    QCOMPARE(js(plain.page(), u"getComputedStyle(document.querySelector('header')).display"_s).toString(),
             u"flex"_s);
    QCOMPARE(js(plain.page(), u"getComputedStyle(document.body).backgroundColor"_s).toString(),
             u"rgb(30, 31, 34)"_s);
    QTRY_COMPARE(js(plain.page(), u"document.getElementById('control').textContent"_s).toString(),
                 u"agent — watch only"_s);
    // Scaled down to fit (never up, as a plain image would be): the frame is wider than the window.
    QTRY_COMPARE(
        js(plain.page(), u"document.getElementById('screen').getBoundingClientRect().width"_s).toInt(), 1000);
}

void TestViewerLive::goesLiveAndDraws()
{
    AWAIT_OK(viewer, m_fixture->client().previewViewerUrl(m_id, 600000));
    m_view->open(QUrl(viewer.url));
    QTRY_COMPARE_WITH_TIMEOUT(m_view->state(), ViewerState::Live, 20000);
    QCOMPARE(m_states,
             (QList<ViewerState>{ViewerState::Loading, ViewerState::Connecting, ViewerState::Live}));
    QCOMPARE(m_view->url().fragment(), u"live"_s);

    // Embedded: no header bar, and the frame fills the view's width (scaled, aspect kept).
    QCOMPARE(js(m_view->page(), u"getComputedStyle(document.querySelector('header')).display"_s).toString(),
             u"none"_s);
    QTRY_COMPARE(
        js(m_view->page(), u"document.getElementById('screen').getBoundingClientRect().width"_s).toInt(),
        m_view->cssViewportSize().width());
    QVERIFY(js(m_view->page(), u"window.banataViewerStats.frames"_s).toInt() > 0);

    // Really drawn: the remote page's orange is on screen, below its input field.
    QTRY_VERIFY_WITH_TIMEOUT(orangePixels(m_view->grab().toImage()) > 2000, 10000);
}

void TestViewerLive::typesIntoTheRemotePage()
{
    QCOMPARE(m_view->state(), ViewerState::Live);
    HandoffRequest request;
    request.id = m_id;
    request.reason = u"login_failed"_s;
    request.message = u"type the password"_s;
    AWAIT_OK(requested, m_fixture->client().requestHandoff(request));
    AWAIT_OK(accepted, m_fixture->client().acceptHandoff(m_id, u"operator-gui"_s));
    QCOMPARE(accepted.preview->controlMode, u"human"_s);
    // The page learns that it may act (its canvas loses the watch-only cursor).
    QTRY_COMPARE_WITH_TIMEOUT(
        js(m_view->page(), u"document.getElementById('screen').classList.contains('watch')"_s),
        QVariant(false), 10000);

    // Click into the remote field like an operator, once the page takes clicks (the field covers
    // the top half of the remote page; clicks below it land on the empty orange).
    const QSize frame(js(m_view->page(), u"document.getElementById('screen').width"_s).toInt(),
                      js(m_view->page(), u"document.getElementById('screen').height"_s).toInt());
    QVERIFY(frame.width() > 0 && frame.height() > 0);
    const QPoint orange = viewPointOf({frame.width() / 2.0, frame.height() * 0.9});
    QVERIFY(orange.x() > 0);
    QVERIFY(waitForInput(m_view, orange));
    m_view->focusPage();
    QTRY_VERIFY(m_view->focusProxy()->hasFocus());
    const QPoint field(frame.width() / 2, frame.height() / 4);
    const QPoint intoField = viewPointOf(field);
    QVERIFY(intoField.x() > 0);
    QTest::mouseClick(m_view->focusProxy(), Qt::LeftButton, {}, intoField);
    // The click landed where the operator clicked on the scaled frame (give or take rounding).
    const auto landedNear = [&] {
        const QByteArray log = accessLog();
        for (int dx = -2; dx <= 2; ++dx)
            for (int dy = -2; dy <= 2; ++dy) {
                const QByteArray line = "GET /clicked?x="_ba + QByteArray::number(field.x() + dx) + "&y="_ba +
                                        QByteArray::number(field.y() + dy) + " HTTP"_ba;
                if (log.contains(line))
                    return true;
            }
        return false;
    };
    QTRY_VERIFY2_WITH_TIMEOUT(landedNear(), accessLog().right(600).constData(), 10000);

    QTest::keyClicks(m_view->focusProxy(), u"hunter2"_s);
    // Characters no key of the test's keymap makes: key events that carry only text.
    typeText(m_view->focusProxy(), u"пароль ✓"_s);
    QApplication::clipboard()->setText(u"пасте ✓"_s);
    QTest::keyClick(m_view->focusProxy(), Qt::Key_V, Qt::ControlModifier);

    // The page's own server logs what the field holds after each change: all of it arrived.
    const QByteArray typed =
        "GET /typed?v="_ba + QUrl::toPercentEncoding(u"hunter2пароль ✓пасте ✓"_s) + " HTTP"_ba;
    QTRY_VERIFY2_WITH_TIMEOUT(accessLog().contains(typed), accessLog().right(600).constData(), 20000);
    // Every input that went out was answered by a frame, for the benchmarks.
    QTRY_VERIFY(js(m_view->page(), u"window.banataViewerStats.inputToFrameMs.length"_s).toInt() > 0);
}

void TestViewerLive::disconnectsWhenTheSandboxEnds()
{
    QCOMPARE(m_view->state(), ViewerState::Live);
    AWAIT_OK(killed, m_fixture->client().killSandbox(m_id));
    QTRY_COMPARE_WITH_TIMEOUT(m_view->state(), ViewerState::Disconnected, 30000);
    QCOMPARE(m_view->url().fragment(), u"disconnected"_s);
    QCOMPARE(m_states.last(), ViewerState::Disconnected);
}

BANATA_WEBENGINE_TEST_MAIN(TestViewerLive)
#include "test_viewer_live.moc"
