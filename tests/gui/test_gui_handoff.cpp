// SPDX-License-Identifier: MIT
// The Browser tab and the handoff controls against a real banata-local with a real Chromium,
// the real viewer plugin and Qt WebEngine under Xvfb: watch-only while the agent drives; accept
// with a checkpoint first; hand back with an outcome and a note; a request another operator took;
// take control and cancel; the address bar and Fit to view.
#include <QCheckBox>
#include <QDialog>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QTabBar>
#include <QTabWidget>
#include <QTest>

#include "guitest.h"
#include "webenginemain.h"
#include "session/appsettings.h"
#include "session/browsersession.h"
#include "session/sandboxsession.h"
#include "support/awaitjob.h"
#include "ui/browserpanel.h"
#include "ui/handoffbar.h"
#include "ui/mainwindow.h"
#include "ui/messagebar.h"
#include "ui/sandboxdetailwidget.h"

using namespace banata;
using namespace banata::test;
using namespace Qt::StringLiterals;

namespace {
// Whether this process has mapped Qt WebEngine (it must not before a Browser tab opens).
bool webEngineLoaded()
{
    QFile maps(u"/proc/self/maps"_s);
    return maps.open(QIODevice::ReadOnly) && maps.readAll().contains("libQt6WebEngineCore");
}
} // namespace

class TestGuiHandoff : public QObject
{
    Q_OBJECT

private:
    QString holderText() const
    {
        auto *label = m_fixture.find<QLabel>(u"holderLabel"_s);
        return label ? label->text() : QString();
    }
    QPushButton *button(const QString &name) const { return m_fixture.find<QPushButton>(name); }
    std::optional<Handoff> serverHandoff() const
    {
        auto result = awaitJob(m_fixture.client().handoff(m_sandbox.id));
        if (!result || !result->ok())
            return std::nullopt;
        return result->value().handoff;
    }
    bool requestHandoff(const QString &reason, const QString &message)
    {
        HandoffRequest request;
        request.id = m_sandbox.id;
        request.reason = reason;
        request.message = message;
        request.requestedBy = u"agent"_s;
        auto result = awaitJob(m_fixture.client().requestHandoff(request));
        return result && result->ok();
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (!QFile::exists(u"/usr/lib/chromium/chromium"_s))
            QSKIP("Chromium is not installed (scripts/deps.sh build installs it)");
        QVERIFY2(m_fixture.start(), qPrintable(m_fixture.errorString()));
        m_fixture.window()->resize(1400, 900);
        m_sandbox = m_fixture.createBrowserSandbox(u"portal"_s);
        QVERIFY(!m_sandbox.id.isEmpty());
    }

    void browserTabIsWatchOnlyWhileTheAgentDrives()
    {
        m_fixture.window()->openSandbox(m_fixture.keyOf(m_sandbox.id));
        auto *tabs = m_fixture.find<QTabWidget>(u"detailTabs"_s);
        QTRY_COMPARE(m_fixture.window()->detail()->key().sandboxId, m_sandbox.id);
        // Opening a sandbox does not load the browser: Tasks is the first tab shown.
        QCOMPARE(tabs->currentIndex(), int(SandboxDetailWidget::TasksTab));
        QVERIFY(!m_fixture.window()->detail()->browserPanel());
        QVERIFY(!webEngineLoaded());
        QTabBar *bar = tabs->tabBar();
        QTest::mouseClick(bar, Qt::LeftButton, {}, bar->tabRect(SandboxDetailWidget::BrowserTab).center());
        BrowserPanel *panel = m_fixture.window()->detail()->browserPanel();
        QVERIFY(panel);
        QTRY_COMPARE_WITH_TIMEOUT(int(panel->viewerState()), int(ViewerState::Live), 30000);
        QVERIFY(panel->surface());
        QVERIFY(webEngineLoaded());
        QCOMPARE(m_fixture.find<QLabel>(u"viewerStatusLabel"_s)->text(), u"● Live"_s);
        QCOMPARE(holderText(), u"The agent is driving — watch only"_s);
        QVERIFY(button(u"takeControlButton"_s)->isVisible());
        QVERIFY(!button(u"acceptHandoffButton"_s)->isVisible());
        QVERIFY(!button(u"handBackButton"_s)->isVisible());
    }

    void acceptWithACheckpointFirst()
    {
        QVERIFY(requestHandoff(u"mfa"_s, u"Enter the code sent to the phone"_s));
        QTRY_COMPARE(holderText(), u"Needs you: MFA"_s);
        QVERIFY(m_fixture.find<QLabel>(u"handoffMessage"_s)
                    ->text()
                    .contains(u"Enter the code sent to the phone"_s));
        QTRY_VERIFY(m_fixture.find<QLabel>(u"handoffTiming"_s)->text().contains(u"expires in"_s));
        auto *checkpointFirst = m_fixture.find<QCheckBox>(u"checkpointFirstCheck"_s);
        QVERIFY(checkpointFirst->isVisible());
        QTest::mouseClick(checkpointFirst, Qt::LeftButton, {}, QPoint(8, checkpointFirst->height() / 2));
        QVERIFY(checkpointFirst->isChecked());
        QVERIFY(m_fixture.app()->settings()->checkpointBeforeHandoff());

        QTest::mouseClick(button(u"acceptHandoffButton"_s), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(holderText(), u"You have control"_s, 15000);
        const auto accepted = serverHandoff();
        QVERIFY(accepted);
        QVERIFY(accepted->status == HandoffStatus::Accepted);
        QCOMPARE(accepted->controller.value_or(QString()), u"ana"_s);
        AWAIT_OK(checkpoints, m_fixture.client().checkpoints(m_sandbox.id));
        QCOMPARE(checkpoints.size(), 1);
        QVERIFY(checkpoints.constFirst().label.value_or(QString()).startsWith(u"Before handoff"_s));
        QVERIFY(button(u"handBackButton"_s)->isVisible());
    }

    void handBackWithAnOutcomeAndANote()
    {
        QVERIFY(m_fixture.activate());
        QTest::keyClick(m_fixture.window(), Qt::Key_H, Qt::ControlModifier | Qt::ShiftModifier);
        QDialog *dialog = nullptr;
        QTRY_VERIFY((dialog = m_fixture.find<QDialog>(u"handBackDialog"_s)) && dialog->isVisible());
        auto *needsInfo = dialog->findChild<QRadioButton *>(u"outcome_needs_info"_s);
        QTest::mouseClick(needsInfo, Qt::LeftButton, {}, QPoint(8, needsInfo->height() / 2));
        QVERIFY(needsInfo->isChecked());
        auto *note = dialog->findChild<QPlainTextEdit *>(u"handBackNote"_s);
        QTest::keyClicks(note, u"The code expired; ask for a new one"_s);
        QTest::mouseClick(dialog->findChild<QPushButton *>(u"handBackConfirm"_s), Qt::LeftButton);

        QTRY_COMPARE_WITH_TIMEOUT(holderText(), u"The agent is driving — watch only"_s, 15000);
        const auto completed = serverHandoff();
        QVERIFY(completed);
        QVERIFY(completed->status == HandoffStatus::Completed);
        QCOMPARE(completed->outcome.value_or(QString()), u"needs_info"_s);
        QCOMPARE(completed->note.value_or(QString()), u"The code expired; ask for a new one"_s);
        QTRY_COMPARE(m_fixture.find<MessageBar>(u"browserMessages"_s)->text(),
                     u"Handed back to the agent."_s);
    }

    void aRequestAnotherOperatorTookShowsWhoHasIt()
    {
        QVERIFY(requestHandoff(u"captcha"_s, u"Solve the puzzle"_s));
        QTRY_COMPARE(holderText(), u"Needs you: CAPTCHA"_s);
        AWAIT_OK(taken, m_fixture.client().acceptHandoff(m_sandbox.id, u"bob"_s));
        QTRY_COMPARE(holderText(), u"bob has control"_s);
        QVERIFY(!button(u"acceptHandoffButton"_s)->isVisible());
        QVERIFY(!button(u"cancelHandoffButton"_s)->isVisible());
        QTRY_VERIFY(m_fixture.window()->messageBar()->text().contains(u"taken by bob"_s));
        // Ctrl+Shift+A has nothing to accept now, and says so.
        QVERIFY(m_fixture.activate());
        QTest::keyClick(m_fixture.window(), Qt::Key_A, Qt::ControlModifier | Qt::ShiftModifier);
        QCOMPARE(serverHandoff()->controller.value_or(QString()), u"bob"_s);
        AWAIT_OK(done, m_fixture.client().completeHandoff(m_sandbox.id, u"done"_s, u"solved"_s));
        QTRY_COMPARE(holderText(), u"The agent is driving — watch only"_s);
    }

    void takeControlThenCancel()
    {
        QTest::mouseClick(button(u"takeControlButton"_s), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(holderText(), u"You have control"_s, 15000);
        const auto mine = serverHandoff();
        QVERIFY(mine && mine->status == HandoffStatus::Accepted);
        QCOMPARE(mine->requestedBy, u"dashboard"_s);
        QCOMPARE(mine->controller.value_or(QString()), u"ana"_s);

        QTest::mouseClick(button(u"cancelHandoffButton"_s), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(holderText(), u"The agent is driving — watch only"_s, 15000);
        QVERIFY(serverHandoff()->status == HandoffStatus::Cancelled);
    }

    void addressBarNavigatesAndFitResizes()
    {
        FileWriteRequest write;
        write.id = m_sandbox.id;
        write.path = u"/workspace/hello.html"_s;
        write.bytes = "<!doctype html><title>Hello from the sandbox</title><h1>hello</h1>";
        AWAIT_OK(written, m_fixture.client().writeFile(write));

        auto *address = m_fixture.find<QLineEdit>(u"addressEdit"_s);
        address->setFocus();
        address->selectAll();
        QTest::keyClicks(address, u"javascript:alert(1)"_s);
        QTest::keyClick(address, Qt::Key_Return);
        QTRY_VERIFY(!m_fixture.find<MessageBar>(u"browserMessages"_s)->text().isEmpty());
        QCOMPARE(m_fixture.find<MessageBar>(u"browserMessages"_s)->type(), MessageBar::Error);

        address->selectAll();
        QTest::keyClicks(address, u"file:///workspace/hello.html"_s);
        QTest::keyClick(address, Qt::Key_Return);
        QTRY_COMPARE_WITH_TIMEOUT(m_fixture.find<QLabel>(u"pageTitleLabel"_s)->toolTip(),
                                  u"Hello from the sandbox"_s, 15000);
        AWAIT_OK(preview, m_fixture.client().preview(m_sandbox.id));
        QCOMPARE(preview.url, u"file:///workspace/hello.html"_s);

        BrowserPanel *panel = m_fixture.window()->detail()->browserPanel();
        const QSize wanted = panel->surface()->cssViewportSize();
        QVERIFY(wanted.width() >= 200 && wanted.height() >= 200);
        QTest::mouseClick(m_fixture.find<QWidget>(u"fitButton"_s), Qt::LeftButton);
        // The app's own view of the preview follows the server's event.
        const BrowserSession *browser = m_fixture.window()->detail()->session()->browser();
        QTRY_VERIFY_WITH_TIMEOUT(browser->preview() && browser->preview()->viewport.width == wanted.width() &&
                                     browser->preview()->viewport.height == wanted.height(),
                                 15000);
        AWAIT_OK(resized, m_fixture.client().preview(m_sandbox.id));
        QCOMPARE(resized.viewport.width, wanted.width());
    }

private:
    GuiFixture m_fixture;
    Sandbox m_sandbox;
};

BANATA_WEBENGINE_TEST_MAIN(TestGuiHandoff)
#include "test_gui_handoff.moc"
