// SPDX-License-Identifier: MIT
// The Tasks tab: metadata that is not a JSON object is caught as it is typed; a prompt sent to a
// scripted agent becomes a task whose output and metadata show when selected; a server with no
// agent refuses and the refusal shows inline.
#include "guitest.h"

#include "models/taskmodel.h"
#include "ui/mainwindow.h"
#include "ui/messagebar.h"
#include "ui/sandboxdetailwidget.h"

#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTabWidget>
#include <QTableView>
#include <QTest>
#include <QTreeView>

using namespace banata;
using namespace banata::test;
using namespace Qt::StringLiterals;

namespace {
const QString kAgent = u"echo \"agent says: $BANATA_PROMPT\""_s;

/// Opens \a sandboxId's detail from the list with Enter and returns the prompt box's parts.
bool openTasks(GuiFixture &fixture, const QString &sandboxId)
{
    if (!fixture.selectInList({sandboxId}))
        return false;
    QTest::keyClick(fixture.listView(), Qt::Key_Return);
    if (!QTest::qWaitFor([&] { return fixture.window()->detail()->key().sandboxId == sandboxId; }))
        return false;
    QTabWidget *tabs = fixture.window()->detail()->tabs();
    QTest::keyClick(tabs, Qt::Key_T, Qt::AltModifier); // "&Tasks"
    return tabs->currentIndex() == SandboxDetailWidget::TasksTab;
}
} // namespace

class TestGuiTasks : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(m_fixture.start({u"--agent-command"_s, kAgent}), qPrintable(m_fixture.errorString()));
        m_sandbox = m_fixture.createSandbox(u"with-agent"_s);
        QVERIFY(!m_sandbox.id.isEmpty());
    }

    void metadataIsCheckedAsTyped()
    {
        QVERIFY(openTasks(m_fixture, m_sandbox.id));
        auto *prompt = m_fixture.find<QPlainTextEdit>(u"promptEdit"_s);
        auto *metadata = m_fixture.find<QLineEdit>(u"promptMetadataEdit"_s);
        auto *send = m_fixture.find<QPushButton>(u"sendPromptButton"_s);
        auto *error = m_fixture.find<QLabel>(u"promptMetadataError"_s);
        QVERIFY(prompt && metadata && send && error);
        QVERIFY(!send->isEnabled()); // nothing written yet
        QTest::keyClicks(prompt, u"summarise the report"_s);
        QTRY_VERIFY(send->isEnabled());
        QTest::keyClicks(metadata, u"[\"not\", \"an object\"]"_s);
        QTRY_VERIFY(error->isVisible());
        QVERIFY(error->text().contains(u"JSON object"_s));
        QVERIFY(!send->isEnabled());
        metadata->clear();
        QTest::keyClicks(metadata, u"{\"ticket\": \"OPS-12\"}"_s);
        QTRY_VERIFY(!error->isVisible());
        QVERIFY(send->isEnabled());
    }

    void promptBecomesATaskWithItsOutput()
    {
        auto *prompt = m_fixture.find<QPlainTextEdit>(u"promptEdit"_s);
        QTest::keyClick(prompt, Qt::Key_Return, Qt::ControlModifier); // Ctrl+Enter sends
        auto *table = m_fixture.find<QTableView>(u"taskTable"_s);
        QTRY_COMPARE(table->model()->rowCount(), 1);
        QTRY_VERIFY(table->currentIndex().isValid()); // the new task is selected
        QVERIFY(prompt->toPlainText().isEmpty());
        auto *output = m_fixture.find<QPlainTextEdit>(u"taskOutput"_s);
        QTRY_VERIFY_WITH_TIMEOUT(output->toPlainText().contains(u"agent says: summarise the report"_s), 20000);
        QVERIFY(output->toPlainText().contains(u"OPS-12"_s));
        QTRY_COMPARE(table->model()->index(0, TaskModel::StatusColumn).data(TaskModel::StatusRole).toInt(),
                     int(TaskStatus::Completed));
    }

    void refusalShowsInline()
    {
        GuiFixture noAgent;
        QVERIFY2(noAgent.start(), qPrintable(noAgent.errorString()));
        const Sandbox sandbox = noAgent.createSandbox(u"no-agent"_s);
        QVERIFY(openTasks(noAgent, sandbox.id));
        QTest::keyClicks(noAgent.find<QPlainTextEdit>(u"promptEdit"_s), u"do something"_s);
        QTest::mouseClick(noAgent.find<QPushButton>(u"sendPromptButton"_s), Qt::LeftButton);
        auto *message = noAgent.find<MessageBar>(u"tasksMessage"_s);
        QTRY_VERIFY(message->isVisible());
        QCOMPARE(message->type(), MessageBar::Error);
        QVERIFY2(message->text().contains(u"agent"_s), qPrintable(message->text()));
        // The prompt stays, to send again once the server has an agent.
        QCOMPARE(noAgent.find<QPlainTextEdit>(u"promptEdit"_s)->toPlainText(), u"do something"_s);
    }

private:
    GuiFixture m_fixture;
    Sandbox m_sandbox;
};

QTEST_MAIN(TestGuiTasks)
#include "test_gui_tasks.moc"
