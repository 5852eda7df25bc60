// SPDX-License-Identifier: MIT
#pragma once

// What Qt WebEngine tests that drive a page directly share: a blocking runJavaScript for reading
// back what a page observed, and waiting until a fresh page takes input (main(): webenginemain.h).

#include <optional>

#include <QApplication>
#include <QByteArray>
#include <QDeadlineTimer>
#include <QEventLoop>
#include <QTest>
#include <QTimer>
#include <QVariant>
#include <QWebEnginePage>
#include <QWebEngineView>

#include "webenginemain.h"

namespace banata::test {

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
