// SPDX-License-Identifier: MIT
#pragma once

// main() and input helpers of the tests that show Qt WebEngine, without linking it: the app's
// GUI tests load WebEngine only through the viewer plugin and check it is not mapped before.

#include <unistd.h>

#include <QApplication>
#include <QByteArray>
#include <QString>
#include <QTest>

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

/// Types \a text into \a target with real key events. QTest::keyClicks only knows ASCII; other
/// characters go as key events that carry only their text, as an input method would send them.
inline void typeText(QWidget *target, const QString &text)
{
    for (const QChar ch : text) {
        if (ch.unicode() < 0x80) {
            QTest::keyClicks(target, QString(ch));
            continue;
        }
        QTest::sendKeyEvent(QTest::Press, target, Qt::Key_unknown, QString(ch), Qt::NoModifier);
        QTest::sendKeyEvent(QTest::Release, target, Qt::Key_unknown, QString(ch), Qt::NoModifier);
    }
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
