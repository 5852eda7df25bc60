// SPDX-License-Identifier: MIT
// "New sandbox" (Ctrl+N): bad metadata is refused inline with the server's own message and the
// dialog stays open; a good request creates the sandbox, closes the dialog and opens the detail.
#include "guitest.h"

#include "models/sandboxlistmodel.h"
#include "ui/mainwindow.h"
#include "ui/sandboxdetailwidget.h"

#include <QApplication>
#include <QComboBox>
#include <QDialog>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTest>

using namespace banata;
using namespace banata::test;
using namespace Qt::StringLiterals;

class TestGuiCreate : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QVERIFY2(m_fixture.start(), qPrintable(m_fixture.errorString())); }

    void badMetadataKeepsTheDialogOpen()
    {
        QDialog *dialog = openDialog();
        QVERIFY(dialog);
        QTest::keyClicks(dialog->findChild<QLineEdit *>(u"nameEdit"_s), u"broken"_s);
        auto *metadata = dialog->findChild<QPlainTextEdit *>(u"metadataEdit"_s);
        QTest::keyClicks(metadata, u"[1, 2]"_s); // JSON, but not an object
        auto *validation = dialog->findChild<QLabel *>(u"createValidation"_s);
        QTRY_VERIFY(validation->isVisible());
        QVERIFY2(validation->text().contains(u"metadata"_s), qPrintable(validation->text()));

        QTest::mouseClick(dialog->findChild<QPushButton *>(u"createButton"_s), Qt::LeftButton);
        QVERIFY(dialog->isVisible());
        QCOMPARE(m_fixture.app()->sandboxes()->rowCount(), 0);

        metadata->clear();
        QTest::keyClicks(metadata, u"{\"ticket\": "_s); // not even JSON
        QTRY_VERIFY(validation->text().contains(u"not valid JSON"_s));
        QTest::keyClick(dialog->findChild<QPushButton *>(u"cancelButton"_s), Qt::Key_Space);
        QTRY_VERIFY(!QApplication::activeModalWidget());
    }

    void createsWithNameAndMetadata()
    {
        QDialog *dialog = openDialog();
        QVERIFY(dialog);
        QTest::keyClicks(dialog->findChild<QLineEdit *>(u"nameEdit"_s), u"from-the-dialog"_s);
        auto *runtime = dialog->findChild<QComboBox *>(u"runtimeCombo"_s);
        runtime->setCurrentIndex(runtime->findData(u"base"_s));
        QTest::keyClicks(dialog->findChild<QPlainTextEdit *>(u"metadataEdit"_s), u"{\"ticket\": \"OPS-12\"}"_s);
        QVERIFY(!dialog->findChild<QLabel *>(u"createValidation"_s)->isVisible());
        QTest::mouseClick(dialog->findChild<QPushButton *>(u"createButton"_s), Qt::LeftButton);
        QTRY_VERIFY(!QApplication::activeModalWidget());

        SandboxListModel *model = m_fixture.app()->sandboxes();
        QTRY_COMPARE(model->rowCount(), 1);
        const Sandbox *created = model->sandboxAt(0);
        QCOMPARE(created->name.value_or(QString()), u"from-the-dialog"_s);
        QCOMPARE(fromStd(created->metadata.value("ticket", std::string())), u"OPS-12"_s);
        QCOMPARE(created->runtime, u"base"_s);
        // The new sandbox opens in the detail pane.
        QTRY_COMPARE(m_fixture.window()->detail()->key().sandboxId, created->id);
        QTRY_COMPARE(m_fixture.find<QLabel>(u"detailName"_s)->text(), u"from-the-dialog"_s);
    }

private:
    QDialog *openDialog()
    {
        QTest::keyClick(m_fixture.window(), Qt::Key_N, Qt::ControlModifier);
        QDialog *dialog = nullptr;
        [&] { QTRY_VERIFY((dialog = qobject_cast<QDialog *>(QApplication::activeModalWidget()))); }();
        if (!dialog || dialog->objectName() != u"createSandboxDialog"_s)
            return nullptr;
        return dialog;
    }

    GuiFixture m_fixture;
};

QTEST_MAIN(TestGuiCreate)
#include "test_gui_create.moc"
