// SPDX-License-Identifier: MIT
// The "Needs you" inbox: a handoff an agent requests through the API appears in the inbox with
// a notification; Enter on it opens its sandbox; when another operator takes it, it leaves the
// inbox and the message bar says who took it.
#include "guitest.h"

#include "models/handoffinboxmodel.h"
#include "support/awaitjob.h"
#include "ui/inboxview.h"
#include "ui/mainwindow.h"
#include "ui/messagebar.h"
#include "ui/notifier.h"
#include "ui/sandboxdetailwidget.h"

#include <QSignalSpy>
#include <QTableView>
#include <QTest>
#include <QTreeView>
#include <QToolButton>

using namespace banata;
using namespace banata::test;
using namespace Qt::StringLiterals;

class TestGuiInbox : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(m_fixture.start(), qPrintable(m_fixture.errorString()));
        m_quiet = m_fixture.createSandbox(u"quiet"_s);
        m_waiting = m_fixture.createSandbox(u"needs-mfa"_s);
        QVERIFY(!m_quiet.id.isEmpty() && !m_waiting.id.isEmpty());
    }

    void hiddenWhileEmpty()
    {
        auto *inbox = m_fixture.find<InboxView>(u"inboxView"_s);
        QVERIFY(inbox);
        QVERIFY(!inbox->isVisible());
    }

    void handoffArrivesWithANotification()
    {
        QSignalSpy shown(m_fixture.window()->notifier(), &Notifier::notificationShown);
        HandoffRequest request;
        request.id = m_waiting.id;
        request.reason = u"mfa"_s;
        request.message = u"Enter the code sent to the phone"_s;
        AWAIT_OK(requested, m_fixture.client().requestHandoff(request));

        auto *table = m_fixture.find<QTableView>(u"inboxTable"_s);
        QVERIFY(table);
        QTRY_COMPARE(table->model()->rowCount(), 1);
        QTRY_VERIFY(table->isVisible());
        QCOMPARE(table->model()->index(0, HandoffInboxModel::SandboxColumn).data().toString(), u"needs-mfa"_s);
        QCOMPARE(table->model()->index(0, HandoffInboxModel::MessageColumn).data().toString(),
                 u"Enter the code sent to the phone"_s);
        QTRY_COMPARE(m_fixture.find<QToolButton>(u"inboxTitle"_s)->text(), u"Needs you (1)"_s);

        QVERIFY(shown.wait(5000) || shown.count() > 0);
        QCOMPARE(shown.count(), 1);
        QCOMPARE(shown.at(0).at(0).toString(), u"needs-mfa needs you"_s);
        QVERIFY(shown.at(0).at(1).toString().contains(u"Enter the code"_s));
    }

    void enterOpensTheSandbox()
    {
        // Look at another sandbox first, then jump with Ctrl+1 and Enter.
        QVERIFY(m_fixture.selectInList({m_quiet.id}));
        QTRY_COMPARE(m_fixture.window()->detail()->key().sandboxId, m_quiet.id);
        QTest::keyClick(m_fixture.window(), Qt::Key_1, Qt::ControlModifier);
        auto *table = m_fixture.find<QTableView>(u"inboxTable"_s);
        QTRY_VERIFY(table->hasFocus());
        QTest::keyClick(table, Qt::Key_Return);
        QTRY_COMPARE(m_fixture.window()->detail()->key().sandboxId, m_waiting.id);
        QCOMPARE(m_fixture.window()->sandboxList() ? m_fixture.window()->selectedSandboxes().value(0).sandboxId : QString(),
                 m_waiting.id);
    }

    void takenByAnotherOperatorLeavesTheInbox()
    {
        AWAIT_OK(accepted, m_fixture.client().acceptHandoff(m_waiting.id, u"bruno"_s));
        auto *table = m_fixture.find<QTableView>(u"inboxTable"_s);
        QTRY_COMPARE(table->model()->rowCount(), 0);
        QTRY_VERIFY(!m_fixture.find<InboxView>(u"inboxView"_s)->isVisible());
        QTRY_COMPARE(m_fixture.window()->messageBar()->text(), u"needs-mfa: taken by bruno"_s);
    }

private:
    GuiFixture m_fixture;
    Sandbox m_quiet;
    Sandbox m_waiting;
};

QTEST_MAIN(TestGuiInbox)
#include "test_gui_inbox.moc"
