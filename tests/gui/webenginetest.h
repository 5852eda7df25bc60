// SPDX-License-Identifier: MIT
#pragma once

// What every Qt WebEngine test shares: a main() that prepares WebEngine before QApplication
// exists, and a blocking runJavaScript for reading back what a page observed.

#include <optional>
#include <unistd.h>

#include <QApplication>
#include <QByteArray>
#include <QDeadlineTimer>
#include <QEventLoop>
#include <QTest>
#include <QTimer>
#include <QVariant>
#include <QWebEnginePage>
#include <QWebEngineView>

namespace banata::test {

/**
 * Call before QApplication: WebEngine needs shared GL contexts set first, and Chromium's
 * sandbox cannot run as root (as in CI containers), so it is turned off there unless the
 * environment already said what to do. \a extraChromiumFlags are appended to
 * QTWEBENGINE_CHROMIUM_FLAGS (e.g. "--use-fake-device-for-media-stream").
 */
inline void prepareWebEngine(const QByteArray &extraChromiumFlags = {})
{
    QCoreApplication::setAttribute(Qt::AA_ShareOpenGLContexts);
    QByteArray flags = qgetenv("QTWEBENGINE_CHROMIUM_FLAGS");
    if (::geteuid() == 0 && !qEnvironmentVariableIsSet("QTWEBENGINE_DISABLE_SANDBOX") &&
        !flags.contains("--no-sandbox"))
        qputenv("QTWEBENGINE_DISABLE_SANDBOX", "1");
    if (!extraChromiumFlags.isEmpty()) {
        flags += (flags.isEmpty() ? QByteArray() : QByteArray(" ")) + extraChromiumFlags;
        qputenv("QTWEBENGINE_CHROMIUM_FLAGS", flags);
    }
}

/// Runs \a script in \a page's main world and waits (event loop) for its result; nullopt when
/// no answer came within \a timeoutMs. Promises are not awaited: return plain values.
inline std::optional<QVariant> evaluate(QWebEnginePage *page, const QString &script, int timeoutMs = 10000)
{
    std::optional<QVariant> result;
    QEventLoop loop;
    page->runJavaScript(script, [&](const QVariant &value) {
        result = value;
        loop.quit();
    });
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    if (!result)
        loop.exec();
    return result;
}

/// evaluate() as a QVariant (invalid when there was no answer), for QTRY_COMPARE.
inline QVariant js(QWebEnginePage *page, const QString &script, int timeoutMs = 10000)
{
    return evaluate(page, script, timeoutMs).value_or(QVariant());
}

/**
 * Waits until \a view's page takes clicks and keys: Chromium drops the first mouse presses (and
 * keys) a freshly loaded page gets for a moment, so a harmless spot is clicked until the page
 * has seen a press there. Test instrumentation only: the listener is added by runJavaScript.
 * Pick \a harmless where a click does nothing (it moves the focus to the page's body).
 */
inline bool waitForInput(QWebEngineView *view, QPoint harmless, int timeoutMs = 15000)
{
    QWebEnginePage *page = view->page();
    if (!evaluate(
            page,
            QStringLiteral(
                "window.addEventListener('mousedown', () => { window.__testSawPress = true; }, true); true")))
        return false;
    QWidget *target = view->focusProxy() ? view->focusProxy() : view;
    QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        QTest::mouseClick(target, Qt::LeftButton, {}, harmless);
        // The round trip through the renderer paces the attempts.
        if (evaluate(page, QStringLiteral("window.__testSawPress === true")).value_or(false).toBool())
            return true;
    }
    return false;
}

} // namespace banata::test

/// QTEST_MAIN for WebEngine tests: prepareWebEngine(\a chromiumFlags) (may be empty), then a
/// QApplication and the test object.
#define BANATA_WEBENGINE_TEST_MAIN_WITH_FLAGS(TestObject, chromiumFlags)                                     \
    int main(int argc, char *argv[])                                                                         \
    {                                                                                                        \
        ::banata::test::prepareWebEngine(chromiumFlags);                                                     \
        QApplication app(argc, argv);                                                                        \
        app.setAttribute(Qt::AA_Use96Dpi, true);                                                             \
        TestObject tc;                                                                                       \
        QTEST_SET_MAIN_SOURCE_PATH                                                                           \
        return QTest::qExec(&tc, argc, argv);                                                                \
    }

#define BANATA_WEBENGINE_TEST_MAIN(TestObject) BANATA_WEBENGINE_TEST_MAIN_WITH_FLAGS(TestObject, QByteArray())
