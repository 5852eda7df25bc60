// SPDX-License-Identifier: MIT
// The Checkpoints tab against a real banata-local: a checkpoint created with a label (Enter in the
// field) is listed with its size while the buttons wait; a workspace file changed afterwards comes
// back byte for byte when the checkpoint is restored through the confirmation, which first saves
// the current state as "Before restoring: …"; the timeline shows both; the dialog remembers
// "save first" when it is turned off, and then restores without the extra checkpoint.
#include <QCheckBox>
#include <QDialog>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>

#include "core/client/apiclient.h"
#include "guitest.h"
#include "models/checkpointlistmodel.h"
#include "models/timelinemodel.h"
#include "session/appsettings.h"
#include "session/checkpointssession.h"
#include "session/sandboxsession.h"
#include "support/awaitjob.h"
#include "ui/checkpointspanel.h"
#include "ui/mainwindow.h"
#include "ui/sandboxdetailwidget.h"

using namespace banata;
using namespace banata::test;
using namespace Qt::StringLiterals;

namespace {
const QString kFile = u"/workspace/notes/plan.txt"_s;
const QByteArray kOriginal = QByteArray("first draft\n\x01\x02 binary tail\xff", 26);
const QByteArray kChanged = "rewritten by the agent\n";
} // namespace

class TestGuiCheckpoints : public QObject
{
    Q_OBJECT

private:
    QByteArray readFile()
    {
        const auto result = awaitJob(m_fixture.client().readFile(m_sandbox.id, kFile));
        return result && result->ok() ? result->value().bytes : QByteArray("<unreadable>");
    }

    bool writeFile(const QByteArray &bytes)
    {
        FileWriteRequest request;
        request.id = m_sandbox.id;
        request.path = kFile;
        request.bytes = bytes;
        const auto result = awaitJob(m_fixture.client().writeFile(request));
        return result && result->ok();
    }

    int rowLabelled(const QString &label) const
    {
        const QAbstractItemModel *model = m_table->model();
        for (int row = 0; model && row < model->rowCount(); ++row) {
            if (model->index(row, CheckpointListModel::LabelColumn).data().toString() == label)
                return row;
        }
        return -1;
    }

    /// Selects the row labelled \a label and opens the restore confirmation with the Restore button.
    QDialog *openRestoreDialog(const QString &label)
    {
        const int row = rowLabelled(label);
        if (row < 0)
            return nullptr;
        m_table->setFocus();
        m_table->setCurrentIndex(m_table->model()->index(row, 0));
        auto *restore = m_fixture.find<QPushButton>(u"restoreCheckpointButton"_s);
        if (!restore || !restore->isEnabled())
            return nullptr;
        QTest::mouseClick(restore, Qt::LeftButton);
        QDialog *dialog = nullptr;
        const bool shown = QTest::qWaitFor([&] {
            return (dialog = m_fixture.find<QDialog>(u"restoreConfirmDialog"_s)) && dialog->isVisible();
        });
        return shown ? dialog : nullptr;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(m_fixture.start(), qPrintable(m_fixture.errorString()));
        m_sandbox = m_fixture.createSandbox(u"checkpointed"_s);
        QVERIFY(!m_sandbox.id.isEmpty());
        QVERIFY(writeFile(kOriginal));
        MainWindow *window = m_fixture.window();
        window->openSandbox(m_fixture.keyOf(m_sandbox.id));
        window->detail()->showTab(SandboxDetailWidget::CheckpointsTab);
        m_panel = m_fixture.find<CheckpointsPanel>(u"checkpointsPanel"_s);
        QVERIFY(m_panel);
        QTRY_VERIFY(m_panel->isVisible());
        m_table = m_fixture.find<QTableView>(u"checkpointsView"_s);
        QVERIFY(m_table && m_table->model());
        QCOMPARE(m_table->model()->rowCount(), 0);
    }

    void createWithALabel()
    {
        auto *label = m_fixture.find<QLineEdit>(u"checkpointLabelEdit"_s);
        auto *create = m_fixture.find<QPushButton>(u"createCheckpointButton"_s);
        QVERIFY(label && create);
        QVERIFY(create->isEnabled());
        CheckpointsSession *session = m_fixture.window()->detail()->session()->checkpoints();
        QList<bool> createEnabledWhileBusy;
        QObject watching; // ends the connection with this function
        connect(session, &CheckpointsSession::busyChanged, &watching, [&](bool busy) {
            if (busy)
                createEnabledWhileBusy.append(create->isEnabled());
        });
        QTest::keyClicks(label, u"clean plan"_s);
        QTest::keyClick(label, Qt::Key_Return);

        QTRY_COMPARE_WITH_TIMEOUT(rowLabelled(u"clean plan"_s), 0, 20000);
        QCOMPARE(createEnabledWhileBusy, QList<bool>{false}); // busy: no second create meanwhile
        QTRY_VERIFY(create->isEnabled());
        QVERIFY(label->text().isEmpty());
        const QModelIndex row = m_table->model()->index(0, 0);
        QVERIFY(row.data(CheckpointListModel::SizeRole).toLongLong() > 0);
        QVERIFY(!m_table->model()->index(0, CheckpointListModel::SizeColumn).data().toString().isEmpty());
        auto *message = m_fixture.find<QWidget>(u"checkpointsMessage"_s);
        QTRY_VERIFY(message->isVisible()); // "Checkpoint “clean plan” created (…)"
    }

    void restoreBringsTheFileBackAfterSavingTheCurrentState()
    {
        QVERIFY(writeFile(kChanged));
        QCOMPARE(readFile(), kChanged);

        QDialog *dialog = openRestoreDialog(u"clean plan"_s);
        QVERIFY(dialog);
        QCOMPARE(dialog->windowModality(), Qt::WindowModal); // open(), not exec(): the app keeps running
        const QString text = dialog->findChild<QLabel *>(u"restoreConfirmText"_s)->text();
        QVERIFY2(text.contains(u"clean plan"_s) && text.contains(u"just now"_s), qPrintable(text));
        auto *first = dialog->findChild<QCheckBox *>(u"checkpointFirstCheck"_s);
        QVERIFY(first);
        QVERIFY(first->isChecked()); // the default: save first
        QTest::mouseClick(dialog->findChild<QPushButton *>(u"restoreConfirm"_s), Qt::LeftButton);

        QTRY_COMPARE_WITH_TIMEOUT(readFile(), kOriginal, 20000);
        QTRY_VERIFY_WITH_TIMEOUT(rowLabelled(u"Before restoring: clean plan"_s) >= 0, 20000);
        QCOMPARE(m_table->model()->rowCount(), 2);
        QTRY_VERIFY(m_fixture.find<QPushButton>(u"restoreCheckpointButton"_s)->isEnabled());
        QVERIFY(m_fixture.app()->settings()->checkpointBeforeRestore());

        // The timeline has the server's record of both.
        TimelineModel *timeline = m_fixture.window()->detail()->session()->timeline();
        auto has = [timeline](const QString &what) {
            for (int row = 0; row < timeline->rowCount(); ++row) {
                if (timeline->entryAt(row).what == what)
                    return true;
            }
            return false;
        };
        QTRY_VERIFY_WITH_TIMEOUT(has(u"sandbox.checkpoint.created"_s), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(has(u"sandbox.checkpoint.restored"_s), 10000);
    }

    void savingFirstIsRememberedWhenTurnedOff()
    {
        QVERIFY(writeFile(kChanged));
        QDialog *dialog = openRestoreDialog(u"clean plan"_s);
        QVERIFY(dialog);
        dialog->findChild<QCheckBox *>(u"checkpointFirstCheck"_s)->setChecked(false);
        QTest::mouseClick(dialog->findChild<QPushButton *>(u"restoreConfirm"_s), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(readFile(), kOriginal, 20000);
        QTRY_VERIFY(m_fixture.find<QPushButton>(u"restoreCheckpointButton"_s)->isEnabled());
        QCOMPARE(m_table->model()->rowCount(), 2); // no second "Before restoring"
        QVERIFY(!m_fixture.app()->settings()->checkpointBeforeRestore());

        // Next time the box starts off; Cancel changes nothing.
        dialog = openRestoreDialog(u"clean plan"_s);
        QVERIFY(dialog);
        QVERIFY(!dialog->findChild<QCheckBox *>(u"checkpointFirstCheck"_s)->isChecked());
        QTest::mouseClick(dialog->findChild<QPushButton *>(u"restoreCancel"_s), Qt::LeftButton);
        QTRY_VERIFY(!m_fixture.find<QDialog>(u"restoreConfirmDialog"_s));
        QCOMPARE(m_table->model()->rowCount(), 2);
    }

private:
    GuiFixture m_fixture;
    Sandbox m_sandbox;
    CheckpointsPanel *m_panel = nullptr;
    QTableView *m_table = nullptr;
};

QTEST_MAIN(TestGuiCheckpoints)
#include "test_gui_checkpoints.moc"
