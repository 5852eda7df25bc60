// SPDX-License-Identifier: MIT
// The whole human-handoff loop through the app, end to end: a scripted agent in a real
// banata-local sandbox serves a login form, opens it in the sandbox's Chromium and asks for a
// person (banata-handoff). The operator accepts it from the app's inbox with the keyboard,
// types the password into the live WebEngine view with real key events (and pastes the rest from
// the clipboard, non-ASCII included), hands back with a note; the agent reads the note and
// finishes, and the app shows the task completed and the handoff in the timeline. Each step's
// screenshot is saved in <build>/screenshots/e2e-handoff/.
#include <QApplication>
#include <QClipboard>
#include <QDialog>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QScreen>
#include <QSignalSpy>
#include <QTabBar>
#include <QTabWidget>
#include <QTableView>
#include <QTest>

#include "guitest.h"
#include "webenginemain.h"
#include "models/handoffinboxmodel.h"
#include "models/taskmodel.h"
#include "models/timelinemodel.h"
#include "session/browsersession.h"
#include "session/sandboxsession.h"
#include "support/awaitjob.h"
#include "ui/browserpanel.h"
#include "ui/mainwindow.h"
#include "ui/notifier.h"
#include "ui/sandboxdetailwidget.h"

using namespace banata;
using namespace banata::test;
using namespace Qt::StringLiterals;

namespace {
QByteArray testData(const QString &name)
{
    QFile file(QStringLiteral(BANATA_TEST_DATA_DIR) + u"/handoff/"_s + name);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}
} // namespace

class TestE2eHandoff : public QObject
{
    Q_OBJECT

private:
    void screenshot(const QString &name)
    {
        // The screen, not the window: open dialogs are in the picture as the operator sees them.
        QApplication::processEvents();
        const QString path = m_shots.filePath(name + u".png"_s);
        const QRect frame = m_fixture.window()->frameGeometry();
        QScreen *screen = m_fixture.window()->screen();
        const QPixmap shot = screen->grabWindow(0, frame.x(), frame.y(), frame.width(), frame.height());
        QVERIFY2(!shot.isNull() && shot.save(path), qPrintable(path));
    }
    QByteArray workspaceFile(const QString &path) const
    {
        auto read = awaitJob(m_fixture.client().readFile(m_sandbox.id, path));
        return read && read->ok() ? read->value().bytes : QByteArray();
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (!QFile::exists(u"/usr/lib/chromium/chromium"_s))
            QSKIP("Chromium is not installed (scripts/deps.sh build installs it)");
        m_shots.setPath(QStringLiteral(BANATA_SCREENSHOT_DIR) + u"/e2e-handoff"_s);
        QVERIFY(m_shots.mkpath(u"."_s));
        QVERIFY2(m_fixture.start({u"--agent-command"_s, u"python3 /workspace/agent.py"_s}),
                 qPrintable(m_fixture.errorString()));
        m_fixture.window()->resize(1440, 900);
        m_sandbox = m_fixture.createBrowserSandbox(u"bank-portal"_s);
        QVERIFY(!m_sandbox.id.isEmpty());
        for (const auto &[path, bytes] :
             {std::pair{u"/workspace/site/index.html"_s, testData(u"login.html"_s)},
              std::pair{u"/workspace/agent.py"_s, testData(u"agent.py"_s)}}) {
            QVERIFY(!bytes.isEmpty());
            FileWriteRequest write;
            write.id = m_sandbox.id;
            write.path = path;
            write.bytes = bytes;
            AWAIT_OK(written, m_fixture.client().writeFile(write));
        }
    }

    void theAgentAsksForAPerson()
    {
        QSignalSpy notified(m_fixture.window()->notifier(), &Notifier::notificationShown);
        AWAIT_OK(task, m_fixture.client().promptAsync(m_sandbox.id, u"log in to the bank portal"_s,
                                                      Json{{"job", "e2e"}}));
        m_taskId = task.taskId;
        auto *inbox = m_fixture.find<QTableView>(u"inboxTable"_s);
        QTRY_COMPARE_WITH_TIMEOUT(inbox->model()->rowCount(), 1, 30000);
        QCOMPARE(inbox->model()->index(0, HandoffInboxModel::MessageColumn).data().toString(),
                 u"Please type the password"_s);
        QTRY_VERIFY(notified.count() > 0);
        screenshot(u"1-needs-you"_s);
    }

    void acceptFromTheInboxWithTheKeyboard()
    {
        QVERIFY(m_fixture.activate());
        QTest::keyClick(m_fixture.window(), Qt::Key_1, Qt::ControlModifier);
        auto *inbox = m_fixture.find<QTableView>(u"inboxTable"_s);
        QTRY_VERIFY(inbox->hasFocus());
        QTest::keyClick(inbox, Qt::Key_A, Qt::ControlModifier | Qt::ShiftModifier);
        QTRY_COMPARE(m_fixture.window()->detail()->key().sandboxId, m_sandbox.id);
        QCOMPARE(m_fixture.find<QTabWidget>(u"detailTabs"_s)->currentIndex(),
                 int(SandboxDetailWidget::BrowserTab));
        QTRY_COMPARE_WITH_TIMEOUT(m_fixture.find<QLabel>(u"holderLabel"_s)->text(), u"You have control"_s,
                                  15000);
        // Accepted, it left the inbox.
        QTRY_COMPARE(inbox->model()->rowCount(), 0);
        BrowserPanel *panel = m_fixture.window()->detail()->browserPanel();
        QTRY_COMPARE_WITH_TIMEOUT(int(panel->viewerState()), int(ViewerState::Live), 30000);
        // The view follows the agent's tab: the login page it opened.
        const BrowserSession *browser = m_fixture.window()->detail()->session()->browser();
        QTRY_VERIFY_WITH_TIMEOUT(
            browser->preview() && browser->preview()->url.startsWith(u"http://127.0.0.1:"_s), 15000);
        screenshot(u"2-you-have-control"_s);
    }

    void typeThePasswordIntoTheLiveView()
    {
        ViewerSurface *surface = m_fixture.window()->detail()->browserPanel()->surface();
        QVERIFY(surface);
        QWidget *view = surface->widget()->focusProxy() ? surface->widget()->focusProxy() : surface->widget();
        // The login field fills the page: a click anywhere in the view focuses it.
        QTest::mouseClick(view, Qt::LeftButton, {}, QRect(QPoint(), view->size()).center());
        typeText(view, u"hunter2 ✓"_s);
        const QByteArray typed = "GET /typed?v=" + QUrl::toPercentEncoding(u"hunter2 ✓"_s) + " HTTP";
        QTRY_VERIFY2_WITH_TIMEOUT(workspaceFile(u"/workspace/access.log"_s).contains(typed),
                                  workspaceFile(u"/workspace/access.log"_s).right(400).constData(), 20000);

        QApplication::clipboard()->setText(u" пароль"_s);
        QTest::keyClick(view, Qt::Key_V, Qt::ControlModifier);
        const QByteArray pasted = "GET /typed?v=" + QUrl::toPercentEncoding(u"hunter2 ✓ пароль"_s) + " HTTP";
        QTRY_VERIFY2_WITH_TIMEOUT(workspaceFile(u"/workspace/access.log"_s).contains(pasted),
                                  workspaceFile(u"/workspace/access.log"_s).right(400).constData(), 20000);
        screenshot(u"3-password-typed"_s);
    }

    void handBackWithANote()
    {
        QVERIFY(m_fixture.activate());
        QTest::keyClick(m_fixture.window(), Qt::Key_H, Qt::ControlModifier | Qt::ShiftModifier);
        QDialog *dialog = nullptr;
        QTRY_VERIFY((dialog = m_fixture.find<QDialog>(u"handBackDialog"_s)) && dialog->isVisible());
        QVERIFY(dialog->findChild<QRadioButton *>(u"outcome_done"_s)->isChecked());
        QTest::keyClicks(dialog->findChild<QPlainTextEdit *>(u"handBackNote"_s),
                         u"Password entered, you are logged in"_s);
        screenshot(u"4-hand-back"_s);
        QTest::mouseClick(dialog->findChild<QPushButton *>(u"handBackConfirm"_s), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(m_fixture.find<QLabel>(u"holderLabel"_s)->text(),
                                  u"The agent is driving — watch only"_s, 15000);
    }

    void theAgentFinishesAndTheAppShowsIt()
    {
        // The agent read the outcome and the note.
        QTRY_VERIFY_WITH_TIMEOUT(!workspaceFile(u"/workspace/result.json"_s).isEmpty(), 30000);
        const auto result = parseJson(workspaceFile(u"/workspace/result.json"_s));
        QVERIFY(result.ok());
        QCOMPARE(fromStd((*result)["outcome"].get<std::string>()), u"done"_s);
        QCOMPARE(fromStd((*result)["note"].get<std::string>()), u"Password entered, you are logged in"_s);

        auto *tabs = m_fixture.find<QTabWidget>(u"detailTabs"_s);
        QTest::mouseClick(tabs->tabBar(), Qt::LeftButton, {},
                          tabs->tabBar()->tabRect(SandboxDetailWidget::TasksTab).center());
        auto *tasks = m_fixture.find<QTableView>(u"taskTable"_s);
        QVERIFY(tasks);
        QTRY_VERIFY_WITH_TIMEOUT(tasks->model()->rowCount() == 1 &&
                                     tasks->model()->index(0, TaskModel::StatusColumn).data().toString() ==
                                         u"Completed"_s,
                                 30000);
        screenshot(u"5-task-completed"_s);

        QTest::mouseClick(tabs->tabBar(), Qt::LeftButton, {},
                          tabs->tabBar()->tabRect(SandboxDetailWidget::TimelineTab).center());
        auto *timeline = m_fixture.find<QTableView>(u"timelineTable"_s);
        QVERIFY(timeline);
        const auto timelineHas = [&](const QString &text) {
            for (int row = 0; row < timeline->model()->rowCount(); ++row) {
                if (timeline->model()
                        ->index(row, TimelineModel::SummaryColumn)
                        .data()
                        .toString()
                        .contains(text))
                    return true;
            }
            return false;
        };
        QTRY_VERIFY_WITH_TIMEOUT(timelineHas(u"Handoff requested"_s) &&
                                     timelineHas(u"Handoff accepted by ana"_s) &&
                                     timelineHas(u"Handoff completed by ana"_s),
                                 15000);
        screenshot(u"6-timeline"_s);
    }

private:
    GuiFixture m_fixture;
    Sandbox m_sandbox;
    QString m_taskId;
    QDir m_shots;
};

BANATA_WEBENGINE_TEST_MAIN(TestE2eHandoff)
#include "test_e2e_handoff.moc"
