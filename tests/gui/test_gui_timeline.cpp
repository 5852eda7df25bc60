// SPDX-License-Identifier: MIT
// The Timeline tab: a pause done from the app shows with the operator's name next to the
// server's own events, the selected entry's detail shows below, and Export writes a CSV with
// those rows.
#include "guitest.h"

#include "models/timelinemodel.h"
#include "ui/mainwindow.h"
#include "ui/messagebar.h"
#include "ui/sandboxdetailwidget.h"
#include "ui/timelinepanel.h"

#include <QApplication>
#include <QFile>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTabWidget>
#include <QTableView>
#include <QTest>
#include <QTreeView>

using namespace banata;
using namespace banata::test;
using namespace Qt::StringLiterals;

class TestGuiTimeline : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(m_fixture.start(), qPrintable(m_fixture.errorString()));
        m_sandbox = m_fixture.createSandbox(u"audited"_s);
        QVERIFY(!m_sandbox.id.isEmpty());
    }

    void pauseShowsWithTheOperatorsName()
    {
        QVERIFY(m_fixture.selectInList({m_sandbox.id}));
        QTest::keyClick(m_fixture.listView(), Qt::Key_P, Qt::ControlModifier);
        QVERIFY(m_fixture.waitForStatus(m_sandbox.id, SandboxStatus::Paused));

        QTest::keyClick(m_fixture.listView(), Qt::Key_Return);
        QTRY_COMPARE(m_fixture.window()->detail()->key().sandboxId, m_sandbox.id);
        QTabWidget *tabs = m_fixture.window()->detail()->tabs();
        QTest::keyClick(tabs, Qt::Key_M, Qt::AltModifier); // "Ti&meline"
        QTRY_COMPARE(tabs->currentIndex(), int(SandboxDetailWidget::TimelineTab));

        auto *table = m_fixture.find<QTableView>(u"timelineTable"_s);
        QVERIFY(table);
        QTRY_VERIFY(operatorRow(table) >= 0);
        const int row = operatorRow(table);
        QVERIFY(table->model()->index(row, TimelineModel::WhatColumn).data().toString().contains(u"pause"_s));

        table->setFocus();
        table->setCurrentIndex(table->model()->index(row, 0));
        auto *detail = m_fixture.find<QPlainTextEdit>(u"timelineDetail"_s);
        QTRY_VERIFY(detail->toPlainText().contains(u"ana"_s));
    }

    void exportsCsv()
    {
        auto *table = m_fixture.find<QTableView>(u"timelineTable"_s);
        const int rows = table->model()->rowCount();
        QVERIFY(rows > 0);
        const QString path = m_fixture.tempPath(u"timeline.csv"_s);

        QTest::mouseClick(m_fixture.find<QPushButton>(u"exportTimelineButton"_s), Qt::LeftButton);
        QFileDialog *dialog = nullptr;
        QTRY_VERIFY((dialog = qobject_cast<QFileDialog *>(QApplication::activeModalWidget())));
        QCOMPARE(dialog->objectName(), u"exportTimelineDialog"_s);
        // Pick the file and press Save, as a person would (typing would open the completer).
        dialog->selectFile(path);
        auto *buttons = dialog->findChild<QDialogButtonBox *>(u"buttonBox"_s);
        QVERIFY(buttons && buttons->button(QDialogButtonBox::Save));
        QTest::mouseClick(buttons->button(QDialogButtonBox::Save), Qt::LeftButton);
        QTRY_VERIFY(QFile::exists(path));

        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QString csv = QString::fromUtf8(file.readAll());
        QVERIFY2(csv.startsWith(u"time,source,who,what,summary,detail"_s), qPrintable(csv.left(80)));
        QVERIFY(csv.contains(u"ana"_s));
        QVERIFY(csv.contains(u"pause"_s));
        // RFC 4180 records end in CRLF: a header and one record per row shown.
        QCOMPARE(csv.count(u"\r\n"_s), rows + 1);
    }

    void exportErrorShowsInline()
    {
        auto *panel = m_fixture.find<TimelinePanel>(u"timelinePanel"_s);
        QVERIFY(panel);
        const QString error = panel->exportTo(m_fixture.tempPath(u"no/such/dir/timeline.json"_s), TimelinePanel::Format::Json);
        QVERIFY(!error.isEmpty());
        auto *message = m_fixture.find<MessageBar>(u"timelineMessage"_s);
        QTRY_VERIFY(message->isVisible());
        QCOMPARE(message->type(), MessageBar::Error);
        QVERIFY(message->text().contains(error));
    }

private:
    static int operatorRow(const QTableView *table)
    {
        for (int row = 0; row < table->model()->rowCount(); ++row) {
            if (table->model()->index(row, TimelineModel::WhoColumn).data().toString() == u"ana"_s)
                return row;
        }
        return -1;
    }

    GuiFixture m_fixture;
    Sandbox m_sandbox;
};

QTEST_MAIN(TestGuiTimeline)
#include "test_gui_timeline.moc"
