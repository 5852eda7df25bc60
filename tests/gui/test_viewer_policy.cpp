// SPDX-License-Identifier: MIT
// The live-browser view's policy against hostile "viewer pages" served on a loopback origin: for
// every attempt the notice the operator sees AND what the page itself observed, read back from
// the page. Also the state the view derives from the page's URL fragment, the loader and plugin.
#include <csignal>

#include <QClipboard>
#include <QFile>
#include <QMimeData>
#include <QPluginLoader>
#include <QSignalSpy>
#include <QSslKey>
#include <QSslServer>
#include <QSslSocket>
#include <QUrlQuery>
#include <QWebEngineProfile>
#include <QWebEngineSettings>

#include "server/http/httpresponder.h"
#include "server/http/httpresponse.h"
#include "server/http/httpserver.h"
#include "support/awaitjob.h"
#include "ui/viewer/viewerpage.h"
#include "ui/viewer/viewerwidget.h"
#include "ui/viewersurfaceloader.h"
#include "webenginetest.h"

using namespace banata;
using namespace banata::server;
using namespace banata::test;
using namespace Qt::StringLiterals;

namespace {
QByteArray testData(const QString &name)
{
    QFile file(QStringLiteral(BANATA_TEST_DATA_DIR) + u"/viewer/"_s + name);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

/// Keeps what a surface reports, as the app's Browser tab would receive it.
class Recorder final : public ViewerSurfaceObserver
{
public:
    void viewerStateChanged(ViewerState state, const QString &detail) override
    {
        states.append({state, detail});
    }
    void viewerNotice(const ViewerNotice &notice) override { notices.append(notice); }

    int count(ViewerNotice::Kind kind) const
    {
        return int(std::count_if(notices.cbegin(), notices.cend(),
                                 [kind](const ViewerNotice &n) { return n.kind == kind; }));
    }
    bool has(ViewerNotice::Kind kind, const QString &textPart = {}) const
    {
        return std::any_of(notices.cbegin(), notices.cend(), [&](const ViewerNotice &n) {
            return n.kind == kind && n.text.contains(textPart);
        });
    }
    QList<ViewerState> stateSequence() const
    {
        QList<ViewerState> sequence;
        for (const auto &[state, detail] : states)
            sequence.append(state);
        return sequence;
    }

    void clear()
    {
        states.clear();
        notices.clear();
    }

    QList<std::pair<ViewerState, QString>> states;
    QList<ViewerNotice> notices;
};

/// An HTTP server that records every request (path and query) it receives.
struct Origin
{
    HttpServer http;
    QStringList requests;

    bool start()
    {
        http.setGuard([this](const HttpRequest &request) -> std::optional<HttpResponse> {
            requests.append(request.path + u'?' + request.query.toString(QUrl::FullyDecoded));
            return std::nullopt;
        });
        return http.listen(QHostAddress::LocalHost, 0);
    }
    QString base() const { return u"http://127.0.0.1:%1"_s.arg(http.port()); }
};
} // namespace

class TestViewerPolicy : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();
    void followsThePageFragment();
    void reportsARefusedLink();
    void refusesWhatIsNotAViewerUrl();
    void failsWhenTheRendererDies();
    void refusesLocation();
    void refusesCamera();
    void refusesNotifications();
    void refusesTheFilePicker();
    void refusesPopups();
    void blocksNavigationAway_data();
    void blocksNavigationAway();
    void blocksFileNavigation();
    void blocksRequestsToOtherOrigins();
    void refusesDownloads();
    void suppressesDialogs();
    void hasNoBridgeIntoTheApp();
    void pastesOnlyWhenTheOperatorDoes();
    void dropsNeverNavigate();
    void refusesBadCertificates();
    void loaderFindsThePlugin();

private:
    QUrl caseUrl(const QString &name) const;
    bool openCase(const QString &name);
    QVariant observed(const QString &key)
    {
        return js(m_view->page(), u"window.observed && window.observed['%1']"_s.arg(key));
    }
    QPoint targetCentre() const { return QPoint(200, 150); } // #target is 400×300 CSS px at the top left

    Origin m_viewerOrigin;
    Origin m_otherOrigin;
    Recorder m_recorder;
    ViewerWidget *m_view = nullptr;
};

void TestViewerPolicy::initTestCase()
{
    const QByteArray page = testData(u"hostile.html"_s);
    QVERIFY(!page.isEmpty());
    m_viewerOrigin.http.route(
        "GET"_ba, u"/v1/viewer"_s, [page](const HttpRequest &request, HttpResponder responder) {
            if (request.queryValue(u"token"_s) == u"expired")
                return responder.respond(
                    HttpResponse::error(401, u"Invalid or expired viewer token"_s, u"UNAUTHORIZED"_s));
            responder.respond(HttpResponse::bytes(200, page, "text/html; charset=utf-8"_ba));
        });
    m_viewerOrigin.http.route(
        "GET"_ba, u"/v1/viewer/download.bin"_s, [](const HttpRequest &, HttpResponder responder) {
            HttpResponse response =
                HttpResponse::bytes(200, QByteArray(4096, 'x'), "application/octet-stream"_ba);
            response.setHeader("Content-Disposition"_ba, "attachment; filename=\"secret.bin\""_ba);
            responder.respond(std::move(response));
        });
    QVERIFY(m_viewerOrigin.start());
    for (const QString &path : {u"/v1/viewer"_s, u"/data"_s, u"/pixel.png"_s})
        m_otherOrigin.http.route("GET"_ba, path, [](const HttpRequest &, HttpResponder responder) {
            responder.respond(HttpResponse::bytes(200, "reached"_ba, "text/plain"_ba));
        });
    QVERIFY(m_otherOrigin.start());
}

void TestViewerPolicy::init()
{
    m_recorder.clear();
    m_viewerOrigin.requests.clear();
    m_otherOrigin.requests.clear();
    m_view = new ViewerWidget(&m_recorder);
    m_view->resize(1000, 700);
    m_view->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_view));
    // No window manager on the test's X server: make it the active window by hand, so that the
    // keyboard focus (and Chromium's) is where an operator's would be.
    m_view->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_view));
}

void TestViewerPolicy::cleanup()
{
    if (QTest::currentTestFailed()) { // what the page saw, for the log
        qWarning() << "page" << m_view->url() << "state" << int(m_view->state()) << m_view->stateDetail()
                   << "observed" << js(m_view->page(), u"JSON.stringify(window.observed)"_s).toString();
        for (const ViewerNotice &notice : std::as_const(m_recorder.notices))
            qWarning() << "notice" << int(notice.kind) << notice.text;
    }
    delete m_view;
    m_view = nullptr;
}

QUrl TestViewerPolicy::caseUrl(const QString &name) const
{
    QUrl url(m_viewerOrigin.base() + u"/v1/viewer"_s);
    QUrlQuery query;
    query.addQueryItem(u"token"_s, u"t0k3n.1"_s);
    query.addQueryItem(u"case"_s, name);
    query.addQueryItem(u"other"_s, m_otherOrigin.base());
    url.setQuery(query);
    return url;
}

bool TestViewerPolicy::openCase(const QString &name)
{
    m_view->open(caseUrl(name));
    return waitUntil(
               [this] { return m_view->state() == ViewerState::Connecting && observed(u"ready"_s).toBool(); },
               15000) &&
           waitForInput(m_view, QPoint(600, 600)); // outside #target and #box: nothing there
}

void TestViewerPolicy::followsThePageFragment()
{
    QSignalSpy states(m_view, &ViewerWidget::stateChanged);
    QVERIFY(openCase(u"none"_s));
    // embed=1 reaches the server; the token keeps its encoding.
    QVERIFY(m_viewerOrigin.requests.first().contains(u"embed=1"_s));
    QVERIFY(m_viewerOrigin.requests.first().contains(u"token=t0k3n.1"_s));
    QCOMPARE(QUrlQuery(m_view->url()).queryItemValue(u"embed"_s), u"1"_s);

    QVERIFY(evaluate(m_view->page(), u"history.replaceState(null, '', '#live')"_s));
    QTRY_COMPARE(m_view->state(), ViewerState::Live);
    QVERIFY(evaluate(m_view->page(), u"history.replaceState(null, '', '#disconnected')"_s));
    QTRY_COMPARE(m_view->state(), ViewerState::Disconnected);
    QVERIFY(evaluate(m_view->page(), u"history.replaceState(null, '', '#whatever')"_s));
    // Each change reported once, to the observer and as a signal.
    QCOMPARE(m_recorder.stateSequence(), (QList<ViewerState>{ViewerState::Loading, ViewerState::Connecting,
                                                             ViewerState::Live, ViewerState::Disconnected}));
    QCOMPARE(states.size(), 4);

    // A fresh token replaces the page.
    QUrl fresh = caseUrl(u"none"_s);
    fresh.setQuery(fresh.query().replace(u"t0k3n.1"_s, u"t0k3n.2"_s));
    m_view->open(fresh);
    QTRY_COMPARE(m_view->state(), ViewerState::Connecting);
    QCOMPARE(QUrlQuery(m_view->url()).queryItemValue(u"token"_s), u"t0k3n.2"_s);

    QCOMPARE(m_view->cssViewportSize(), m_view->size());
    m_view->setZoomFactor(2.0);
    QCOMPARE(m_view->cssViewportSize(), m_view->size() / 2);

    m_view->close();
    QCOMPARE(m_view->state(), ViewerState::Empty);
    QTRY_COMPARE(m_view->url(), QUrl(u"about:blank"_s));
    QCOMPARE(m_view->contextMenuPolicy(), Qt::NoContextMenu);
}

void TestViewerPolicy::reportsARefusedLink()
{
    QUrl url = caseUrl(u"none"_s);
    url.setQuery(u"token=expired"_s);
    m_view->open(url);
    QTRY_COMPARE_WITH_TIMEOUT(m_view->state(), ViewerState::Failed, 15000);
    QVERIFY2(m_view->stateDetail().contains(u"401"_s), qPrintable(m_view->stateDetail()));
}

void TestViewerPolicy::refusesWhatIsNotAViewerUrl()
{
    m_view->open(QUrl(m_otherOrigin.base() + u"/data"_s));
    QCOMPARE(m_view->state(), ViewerState::Failed);
    QVERIFY(m_view->stateDetail().contains(u"/data"_s));
    m_view->open(QUrl(u"file:///etc/passwd"_s));
    QCOMPARE(m_view->state(), ViewerState::Failed);
    QVERIFY(m_view->stateDetail().contains(u"file:///etc/passwd"_s));
    QCOMPARE(m_recorder.states.size(), 2);     // both failures reported
    QVERIFY(evaluate(m_view->page(), u"1"_s)); // a round trip: nothing was requested meanwhile
    QVERIFY(m_otherOrigin.requests.isEmpty());
    QVERIFY(m_view->url().isEmpty() || m_view->url() == QUrl(u"about:blank"_s));
}

void TestViewerPolicy::failsWhenTheRendererDies()
{
    QVERIFY(openCase(u"none"_s));
    const qint64 pid = m_view->page()->renderProcessPid();
    QVERIFY(pid > 0);
    QVERIFY(::kill(pid_t(pid), SIGKILL) == 0);
    QTRY_COMPARE_WITH_TIMEOUT(m_view->state(), ViewerState::Failed, 10000);
    QVERIFY2(m_view->stateDetail().contains(u"renderer"_s), qPrintable(m_view->stateDetail()));
    // A fresh open brings it back.
    QVERIFY(openCase(u"none"_s));
}

void TestViewerPolicy::refusesLocation()
{
    QVERIFY(openCase(u"geolocation"_s));
    QTRY_COMPARE_WITH_TIMEOUT(observed(u"result"_s).toString(), u"denied:1"_s, 10000); // PERMISSION_DENIED
    QVERIFY(m_recorder.has(ViewerNotice::Kind::PermissionRefused, u"location"_s));
}

void TestViewerPolicy::refusesCamera()
{
    QVERIFY(openCase(u"camera"_s));
    QTRY_COMPARE_WITH_TIMEOUT(observed(u"result"_s).toString(), u"rejected:NotAllowedError"_s, 10000);
    QVERIFY(m_recorder.has(ViewerNotice::Kind::PermissionRefused, u"camera"_s));
}

void TestViewerPolicy::refusesNotifications()
{
    QVERIFY(openCase(u"notifications"_s));
    QTRY_COMPARE_WITH_TIMEOUT(observed(u"result"_s).toString(), u"denied"_s, 10000);
    QVERIFY(m_recorder.has(ViewerNotice::Kind::PermissionRefused, u"notifications"_s));
}

void TestViewerPolicy::refusesTheFilePicker()
{
    QVERIFY(openCase(u"picker"_s));
    QTest::mouseClick(m_view->focusProxy(), Qt::LeftButton, {}, targetCentre());
    QTRY_VERIFY_WITH_TIMEOUT(m_recorder.has(ViewerNotice::Kind::FilePickerRefused), 10000);
    QVERIFY(observed(u"clicked"_s).toBool()); // the click did reach the input
    QVERIFY(QApplication::activeModalWidget() == nullptr);
    QCOMPARE(QApplication::topLevelWidgets().size(), 1); // no file dialog
    QCOMPARE(observed(u"result"_s), QVariant());         // no file was picked
}

void TestViewerPolicy::refusesPopups()
{
    QVERIFY(openCase(u"popup"_s));
    QCOMPARE(observed(u"withoutGesture"_s).toString(), u"null"_s); // Chromium's popup blocker
    QTest::mouseClick(m_view->focusProxy(), Qt::LeftButton, {}, targetCentre());
    QTRY_VERIFY_WITH_TIMEOUT(m_recorder.has(ViewerNotice::Kind::PopupRefused), 10000);
    // window.open hands the page a window that is closed at once, with nothing in it.
    QTRY_COMPARE_WITH_TIMEOUT(observed(u"result"_s).toString(), u"closed"_s, 10000);
    QCOMPARE(QApplication::topLevelWidgets().size(), 1);
    QCOMPARE(m_viewerOrigin.requests.size(), 1); // the popup's page was never requested
}

void TestViewerPolicy::blocksNavigationAway_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("target");
    QTest::newRow("another origin") << u"navigateOther"_s << u"/v1/viewer?case=none"_s;
    QTest::newRow("another path") << u"navigateOtherPath"_s << u"/v1/sandboxes"_s;
}

void TestViewerPolicy::blocksNavigationAway()
{
    QFETCH(QString, name);
    QFETCH(QString, target);
    QVERIFY(openCase(name));
    QTRY_VERIFY_WITH_TIMEOUT(m_recorder.has(ViewerNotice::Kind::NavigationBlocked), 10000);
    const ViewerNotice notice = m_recorder.notices.first();
    QVERIFY2(notice.url.toString().endsWith(target), qPrintable(notice.url.toString()));
    // Still the viewer page, still alive, and the other origin never heard of it.
    QCOMPARE(m_view->url().path(), u"/v1/viewer"_s);
    QCOMPARE(QUrlQuery(m_view->url()).queryItemValue(u"case"_s), name);
    QVERIFY(observed(u"ready"_s).toBool());
    QVERIFY(m_otherOrigin.requests.isEmpty());
    QCOMPARE(m_view->state(), ViewerState::Connecting);
}

void TestViewerPolicy::blocksFileNavigation()
{
    QVERIFY(openCase(u"navigateFile"_s));
    // Chromium itself refuses a web page's navigation to file: (it never reaches the policy)…
    QCOMPARE(m_view->url().path(), u"/v1/viewer"_s);
    QVERIFY(observed(u"ready"_s).toBool());
    // …and the policy refuses one from anywhere else, e.g. a load started outside the page.
    const QUrl file(u"file:///etc/passwd"_s);
    m_view->page()->load(file);
    QTRY_VERIFY_WITH_TIMEOUT(m_recorder.has(ViewerNotice::Kind::NavigationBlocked), 10000);
    QCOMPARE(m_recorder.notices.last().url, file);
    QVERIFY(m_recorder.notices.last().text.contains(u"file:///etc/passwd"_s));
    QCOMPARE(m_view->url().path(), u"/v1/viewer"_s);
    QVERIFY(observed(u"ready"_s).toBool()); // the same document, still running
    QCOMPARE(m_view->state(), ViewerState::Connecting);
}

void TestViewerPolicy::blocksRequestsToOtherOrigins()
{
    QVERIFY(openCase(u"requestOther"_s));
    QTRY_COMPARE_WITH_TIMEOUT(observed(u"fetch"_s).toString(), u"failed:TypeError,failed:TypeError"_s, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(observed(u"image"_s).toString(), u"failed"_s, 10000);
    QVERIFY(m_otherOrigin.requests.isEmpty());
    QVERIFY(m_recorder.has(ViewerNotice::Kind::RequestBlocked));
    // The same URL twice is reported once.
    QCOMPARE(m_recorder.count(ViewerNotice::Kind::RequestBlocked), 2);
    for (const ViewerNotice &notice : std::as_const(m_recorder.notices))
        QVERIFY(notice.url.toString().startsWith(m_otherOrigin.base()));
}

void TestViewerPolicy::refusesDownloads()
{
    QVERIFY(openCase(u"download"_s));
    QTest::mouseClick(m_view->focusProxy(), Qt::LeftButton, {}, QPoint(20, 8)); // the link's text
    QTRY_VERIFY_WITH_TIMEOUT(m_recorder.has(ViewerNotice::Kind::DownloadRefused, u"secret.bin"_s), 10000);
    QCOMPARE(m_view->url().path(), u"/v1/viewer"_s);
    QVERIFY(observed(u"ready"_s).toBool());
}

void TestViewerPolicy::suppressesDialogs()
{
    QVERIFY(openCase(u"dialogs"_s));
    QTRY_COMPARE(observed(u"result"_s).toString(), u"returned"_s);
    QCOMPARE(observed(u"confirm"_s), QVariant(false));
    QCOMPARE(observed(u"prompt"_s), QVariant()); // null
    QVERIFY(QApplication::activeModalWidget() == nullptr);
    QCOMPARE(m_recorder.count(ViewerNotice::Kind::DialogSuppressed), 3);
    QVERIFY(m_recorder.has(ViewerNotice::Kind::DialogSuppressed, u"hello from the page"_s));
}

void TestViewerPolicy::hasNoBridgeIntoTheApp()
{
    QVERIFY(openCase(u"bridge"_s));
    QCOMPARE(observed(u"qt"_s).toString(), u"undefined"_s);
    QCOMPARE(observed(u"transport"_s).toString(), u"undefined"_s);
    QCOMPARE(observed(u"chrome"_s).toString(), u"undefined"_s);
    QVERIFY(m_view->page()->webChannel() == nullptr);
    QVERIFY(m_view->profile()->isOffTheRecord());
    QVERIFY(m_view->profile()->storageName().isEmpty());
    QCOMPARE(m_view->profile()->persistentCookiesPolicy(), QWebEngineProfile::NoPersistentCookies);
    QCOMPARE(m_view->profile()->httpCacheType(), QWebEngineProfile::MemoryHttpCache);
    QVERIFY(!m_view->profile()->isSpellCheckEnabled());
    const QWebEngineSettings *settings = m_view->page()->settings();
    for (const auto off :
         {QWebEngineSettings::JavascriptCanOpenWindows, QWebEngineSettings::JavascriptCanAccessClipboard,
          QWebEngineSettings::JavascriptCanPaste, QWebEngineSettings::LocalContentCanAccessFileUrls,
          QWebEngineSettings::LocalContentCanAccessRemoteUrls, QWebEngineSettings::NavigateOnDropEnabled,
          QWebEngineSettings::PluginsEnabled, QWebEngineSettings::PdfViewerEnabled,
          QWebEngineSettings::ScreenCaptureEnabled, QWebEngineSettings::FullScreenSupportEnabled,
          QWebEngineSettings::AllowGeolocationOnInsecureOrigins, QWebEngineSettings::DnsPrefetchEnabled,
          QWebEngineSettings::AllowWindowActivationFromJavaScript})
        QVERIFY2(!settings->testAttribute(off), QByteArray::number(int(off)).constData());
    QVERIFY(settings->testAttribute(QWebEngineSettings::WebRTCPublicInterfacesOnly));
}

void TestViewerPolicy::pastesOnlyWhenTheOperatorDoes()
{
    QApplication::clipboard()->setText(u"operator's clipboard ✓ пасте"_s);
    QVERIFY(openCase(u"paste"_s));
    // Scripts can read nothing by themselves…
    QCOMPARE(observed(u"execPaste"_s), QVariant(false));
    QTRY_VERIFY(observed(u"readText"_s).toString().startsWith(u"rejected:"_s) ||
                observed(u"readText"_s) == u"unavailable"_s);
    QCOMPARE(observed(u"paste"_s), QVariant());
    // …but the operator's Ctrl+V reaches the page's own paste handler.
    m_view->focusPage();
    QTRY_VERIFY(m_view->focusProxy()->hasFocus());
    QTest::mouseClick(m_view->focusProxy(), Qt::LeftButton, {}, QPoint(150, 350)); // into #box
    QTRY_VERIFY(js(m_view->page(), u"document.activeElement.id"_s) == u"box"_s);
    QTest::keyClick(m_view->focusProxy(), Qt::Key_V, Qt::ControlModifier);
    QTRY_COMPARE(observed(u"paste"_s).toString(), u"operator's clipboard ✓ пасте"_s);
}

void TestViewerPolicy::dropsNeverNavigate()
{
    QVERIFY(openCase(u"drop"_s));
    QVERIFY(!m_view->acceptDrops());
    QMimeData mime;
    mime.setUrls({QUrl(u"file:///etc/passwd"_s)});
    const QPoint at = targetCentre();
    for (QWidget *widget : {static_cast<QWidget *>(m_view), m_view->focusProxy()}) {
        QDragEnterEvent enter(at, Qt::CopyAction | Qt::LinkAction, &mime, Qt::LeftButton, {});
        QApplication::sendEvent(widget, &enter);
        QDragMoveEvent move(at, Qt::CopyAction | Qt::LinkAction, &mime, Qt::LeftButton, {});
        QApplication::sendEvent(widget, &move);
        QDropEvent drop(QPointF(at), Qt::CopyAction | Qt::LinkAction, &mime, Qt::LeftButton, {});
        QApplication::sendEvent(widget, &drop);
        QVERIFY(!drop.isAccepted());
    }
    // A round trip through the renderer: anything the drop started has happened by now.
    QVERIFY(evaluate(m_view->page(), u"1"_s));
    QCOMPARE(m_view->url().path(), u"/v1/viewer"_s);
    QCOMPARE(observed(u"drop"_s), QVariant());
    QCOMPARE(observed(u"dragenter"_s), QVariant());
    QVERIFY(observed(u"ready"_s).toBool());
    QVERIFY(!m_recorder.has(ViewerNotice::Kind::NavigationBlocked)); // nothing even tried
}

void TestViewerPolicy::refusesBadCertificates()
{
    QSslServer tls;
    QSslConfiguration config = QSslConfiguration::defaultConfiguration();
    config.setLocalCertificate(QSslCertificate(testData(u"selfsigned.crt"_s)));
    config.setPrivateKey(QSslKey(testData(u"selfsigned.key"_s), QSsl::Rsa));
    QVERIFY(!config.localCertificate().isNull());
    QVERIFY(!config.privateKey().isNull());
    tls.setSslConfiguration(config);
    QVERIFY(tls.listen(QHostAddress::LocalHost, 0));
    int handshakes = 0;
    int established = 0;
    connect(&tls, &QSslServer::startedEncryptionHandshake, this, [&handshakes] { ++handshakes; });
    connect(&tls, &QTcpServer::pendingConnectionAvailable, this, [&] {
        while (QTcpSocket *socket = tls.nextPendingConnection()) {
            ++established;
            socket->deleteLater();
        }
    });

    const QUrl url(u"https://127.0.0.1:%1/v1/viewer?token=t"_s.arg(tls.serverPort()));
    m_view->open(url);
    QTRY_COMPARE_WITH_TIMEOUT(m_view->state(), ViewerState::Failed, 15000);
    QVERIFY(m_recorder.has(ViewerNotice::Kind::CertificateError));
    QCOMPARE(m_recorder.notices.first().url.host(), u"127.0.0.1"_s);
    QVERIFY(!m_view->stateDetail().isEmpty());
    QCOMPARE(m_recorder.states.last().first, ViewerState::Failed);
    QVERIFY(handshakes > 0);  // Chromium did reach the server…
    QCOMPARE(established, 0); // …and refused the certificate: no request was ever sent
    QCOMPARE(js(m_view->page(), u"document.title"_s).toString(), QString());
}

void TestViewerPolicy::loaderFindsThePlugin()
{
    qputenv("BANATA_VIEWER_PLUGIN", "/nonexistent/banata-viewer.so");
    QVERIFY(ViewerSurfaceLoader::factory() == nullptr);
    QVERIFY2(ViewerSurfaceLoader::errorString().contains(u"/nonexistent/banata-viewer.so"_s),
             qPrintable(ViewerSurfaceLoader::errorString()));
    QCOMPARE(ViewerSurfaceLoader::searchPaths().size(), 3);

    qputenv("BANATA_VIEWER_PLUGIN", BANATA_VIEWER_PLUGIN_FILE);
    ViewerSurfaceFactory *factory = ViewerSurfaceLoader::factory();
    QVERIFY2(factory, qPrintable(ViewerSurfaceLoader::errorString()));
    Recorder recorder;
    QWidget parent;
    ViewerSurface *surface = factory->createSurface(&recorder, &parent);
    QVERIFY(surface);
    QCOMPARE(surface->widget()->parentWidget(), &parent);
    surface->open(caseUrl(u"none"_s));
    QTRY_VERIFY_WITH_TIMEOUT(surface->state() == ViewerState::Connecting, 15000);
    QCOMPARE(recorder.stateSequence(), (QList<ViewerState>{ViewerState::Loading, ViewerState::Connecting}));
    delete surface;
    QVERIFY(parent.findChildren<QWidget *>().isEmpty());
}

BANATA_WEBENGINE_TEST_MAIN_WITH_FLAGS(TestViewerPolicy, "--use-fake-device-for-media-stream")
#include "test_viewer_policy.moc"
