// SPDX-License-Identifier: MIT
// The Console tab: Enter runs a command in the sandbox and the output shows it with its exit
// code; Up brings the last command back; a paused sandbox refuses commands with the reason.
#include "guitest.h"

#include "ui/mainwindow.h"
#include "ui/sandboxdetailwidget.h"

#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTabWidget>
#include <QTest>
#include <QTreeView>

using namespace banata;
using namespace banata::test;
using namespace Qt::StringLiterals;

class TestGuiConsole : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(m_fixture.start(), qPrintable(m_fixture.errorString()));
        m_sandbox = m_fixture.createSandbox(u"shell"_s);
        QVERIFY(!m_sandbox.id.isEmpty());
    }

    void runsACommand()
    {
        QVERIFY(m_fixture.selectInList({m_sandbox.id}));
        QTest::keyClick(m_fixture.listView(), Qt::Key_Return); // opens the detail
        QTRY_COMPARE(m_fixture.window()->detail()->key().sandboxId, m_sandbox.id);
        QTabWidget *tabs = m_fixture.window()->detail()->tabs();
        QTest::keyClick(tabs, Qt::Key_O, Qt::AltModifier); // "C&onsole"
        QTRY_COMPARE(tabs->currentIndex(), int(SandboxDetailWidget::ConsoleTab));

        auto *command = m_fixture.find<QLineEdit>(u"consoleCommandEdit"_s);
        auto *output = m_fixture.find<QPlainTextEdit>(u"consoleOutput"_s);
        QVERIFY(command && output);
        QTRY_VERIFY(command->isEnabled());
        QTest::mouseClick(command, Qt::LeftButton);
        QTest::keyClicks(command, u"echo hello"_s);
        QTest::keyClick(command, Qt::Key_Return);
        QVERIFY(command->text().isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(output->toPlainText().contains(u"exit 0"_s), 15000);
        const QString text = output->toPlainText();
        QVERIFY2(text.contains(u"$ echo hello\nhello\n"_s), qPrintable(text));

        QTest::keyClicks(command, u"echo oops >&2; exit 3"_s);
        QTest::mouseClick(m_fixture.find<QPushButton>(u"runCommandButton"_s), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(output->toPlainText().contains(u"exit 3"_s), 15000);
        QVERIFY(output->toPlainText().contains(u"oops"_s));

        QTest::keyClick(command, Qt::Key_Up);
        QCOMPARE(command->text(), u"echo oops >&2; exit 3"_s);
        QTest::keyClick(command, Qt::Key_Up);
        QCOMPARE(command->text(), u"echo hello"_s);
        QTest::keyClick(command, Qt::Key_Down);
        QTest::keyClick(command, Qt::Key_Down);
        QCOMPARE(command->text(), QString());
    }

    void pausedSandboxRefusesCommands()
    {
        QVERIFY(m_fixture.selectInList({m_sandbox.id}));
        QTest::keyClick(m_fixture.listView(), Qt::Key_P, Qt::ControlModifier);
        QVERIFY(m_fixture.waitForStatus(m_sandbox.id, SandboxStatus::Paused));
        auto *command = m_fixture.find<QLineEdit>(u"consoleCommandEdit"_s);
        QTRY_VERIFY(!command->isEnabled());
        auto *reason = m_fixture.find<QLabel>(u"consoleDisabledReason"_s);
        QVERIFY(reason->isVisible());
        QVERIFY2(reason->text().contains(u"paused"_s), qPrintable(reason->text()));
    }

private:
    GuiFixture m_fixture;
    Sandbox m_sandbox;
};

QTEST_MAIN(TestGuiConsole)
#include "test_gui_console.moc"
