// SPDX-License-Identifier: MIT
// Lifecycle actions from the keyboard: Ctrl+P pauses and Ctrl+R resumes the selected sandbox;
// Delete asks before killing (Cancel is the default and leaves them alone); disabled actions say
// why; a bulk action ends with one summary.
#include "guitest.h"

#include "ui/mainwindow.h"
#include "ui/messagebar.h"

#include <QAction>
#include <QApplication>
#include <QMessageBox>
#include <QPushButton>
#include <QTest>
#include <QTreeView>

using namespace banata;
using namespace banata::test;
using namespace Qt::StringLiterals;

class TestGuiActions : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(m_fixture.start(), qPrintable(m_fixture.errorString()));
        m_one = m_fixture.createSandbox(u"one"_s);
        m_two = m_fixture.createSandbox(u"two"_s);
        QVERIFY(!m_one.id.isEmpty() && !m_two.id.isEmpty());
    }

    void pauseAndResumeFromTheKeyboard()
    {
        MainWindow *window = m_fixture.window();
        QAction *resume = window->action(SandboxAction::Resume);
        QVERIFY(m_fixture.selectInList({m_one.id}));
        // A ready sandbox cannot be resumed, and the action says why.
        QTRY_VERIFY(!resume->isEnabled());
        QCOMPARE(resume->toolTip(), u"Only a paused sandbox can be resumed"_s);

        QTest::keyClick(m_fixture.listView(), Qt::Key_P, Qt::ControlModifier);
        QVERIFY(m_fixture.waitForStatus(m_one.id, SandboxStatus::Paused));
        QTRY_VERIFY(resume->isEnabled());
        QTRY_VERIFY(!window->action(SandboxAction::Pause)->isEnabled());
        QCOMPARE(window->action(SandboxAction::Pause)->toolTip(), u"Already paused"_s);

        QTest::keyClick(m_fixture.listView(), Qt::Key_R, Qt::ControlModifier);
        QVERIFY(m_fixture.waitForStatus(m_one.id, SandboxStatus::Ready));
        QTRY_VERIFY(window->messageBar()->isVisible());
    }

    void killAsksFirstAndCancelLeavesThem()
    {
        QVERIFY(m_fixture.selectInList({m_one.id, m_two.id}));
        QTest::keyClick(m_fixture.listView(), Qt::Key_Delete);
        QMessageBox *box = nullptr;
        QTRY_VERIFY((box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget())));
        QCOMPARE(box->objectName(), u"killConfirmation"_s);
        QVERIFY(box->text().contains(u"2"_s));
        QVERIFY(box->informativeText().contains(u"one"_s));
        QVERIFY(box->informativeText().contains(u"two"_s));
        // Cancel is the default: Enter must not kill.
        QCOMPARE(box->defaultButton()->objectName(), u"cancelKillButton"_s);
        QTest::mouseClick(box->findChild<QPushButton *>(u"cancelKillButton"_s), Qt::LeftButton);
        QTRY_VERIFY(!QApplication::activeModalWidget());
        QVERIFY(m_fixture.listedStatus(m_one.id) == SandboxStatus::Ready);
        QVERIFY(m_fixture.listedStatus(m_two.id) == SandboxStatus::Ready);
    }

    void killBothAfterConfirmation()
    {
        QVERIFY(m_fixture.selectInList({m_one.id, m_two.id}));
        QTest::keyClick(m_fixture.listView(), Qt::Key_Delete);
        QMessageBox *box = nullptr;
        QTRY_VERIFY((box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget())));
        QTest::mouseClick(box->findChild<QPushButton *>(u"confirmKillButton"_s), Qt::LeftButton);
        QVERIFY(m_fixture.waitForStatus(m_one.id, SandboxStatus::Ended));
        QVERIFY(m_fixture.waitForStatus(m_two.id, SandboxStatus::Ended));
        MessageBar *bar = m_fixture.window()->messageBar();
        QTRY_COMPARE(bar->text(), u"Killed 2"_s);
        QVERIFY(bar->details().contains(u"one"_s));
    }

    void bulkSummaryNamesWhatWasSkipped()
    {
        const Sandbox three = m_fixture.createSandbox(u"three"_s);
        const Sandbox four = m_fixture.createSandbox(u"four"_s);
        QVERIFY(m_fixture.selectInList({three.id}));
        QTest::keyClick(m_fixture.listView(), Qt::Key_P, Qt::ControlModifier);
        QVERIFY(m_fixture.waitForStatus(three.id, SandboxStatus::Paused));

        // One paused, one ready: Pause is still offered, for the one it applies to.
        QVERIFY(m_fixture.selectInList({three.id, four.id}));
        QTRY_VERIFY(m_fixture.window()->action(SandboxAction::Pause)->isEnabled());
        QTest::keyClick(m_fixture.listView(), Qt::Key_P, Qt::ControlModifier);
        QVERIFY(m_fixture.waitForStatus(four.id, SandboxStatus::Paused));
        QTRY_COMPARE(m_fixture.window()->messageBar()->text(), u"Paused 1; 1 skipped: Already paused"_s);
        QCOMPARE(m_fixture.window()->messageBar()->type(), MessageBar::Warning);
    }

private:
    GuiFixture m_fixture;
    Sandbox m_one;
    Sandbox m_two;
};

QTEST_MAIN(TestGuiActions)
#include "test_gui_actions.moc"
