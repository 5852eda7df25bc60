// SPDX-License-Identifier: MIT
// The window over models with no server behind them: a remote connection added in the settings
// dialog puts its key in the secret store and only its name and URL in the settings file; the
// local connection cannot be removed; the window comes back with the layout it was closed with;
// a connection that is down shows so in the status bar and a click retries it at once.
#include "models/handoffinboxmodel.h"
#include "models/operatorjournal.h"
#include "models/sandboxlistmodel.h"
#include "session/appsettings.h"
#include "session/connectionmanager.h"
#include "session/secretstore.h"
#include "ui/mainwindow.h"

#include <QApplication>
#include <QCheckBox>
#include <QDateTime>
#include <QDialog>
#include <QFile>
#include <QLineEdit>
#include <QNetworkAccessManager>
#include <QPushButton>
#include <QSignalSpy>
#include <QSplitter>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>
#include <QTreeWidget>

#include <memory>

using namespace banata;
using namespace Qt::StringLiterals;

namespace {
const QString kKey = u"br_live_secret_never_in_settings"_s;
}

class TestGuiWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        m_settings = std::make_unique<AppSettings>(m_dir.filePath(u"settings.ini"_s));
        m_settings->setOperatorName(u"ana"_s);
        m_window = std::make_unique<MainWindow>(context());
        m_window->show();
        m_window->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    }

    void cleanup()
    {
        m_window.reset();
        m_settings.reset();
    }

    void addAndRemoveARemoteConnection()
    {
        QDialog *dialog = openSettings();
        QVERIFY(dialog);
        QTest::keyClicks(dialog->findChild<QLineEdit *>(u"connectionNameEdit"_s), u"Cloud"_s);
        QTest::keyClicks(dialog->findChild<QLineEdit *>(u"connectionUrlEdit"_s), u"https://api.boxes.banata.dev"_s);
        auto *keyEdit = dialog->findChild<QLineEdit *>(u"connectionKeyEdit"_s);
        QCOMPARE(keyEdit->echoMode(), QLineEdit::Password);
        QTest::keyClicks(keyEdit, kKey);
        QTest::mouseClick(dialog->findChild<QPushButton *>(u"addConnectionButton"_s), Qt::LeftButton);

        QTRY_COMPARE(m_settings->connections().size(), 1);
        const ConnectionConfig saved = m_settings->connections().constFirst();
        QCOMPARE(saved.name, u"Cloud"_s);
        QCOMPARE(saved.baseUrl, QUrl(u"https://api.boxes.banata.dev"_s));
        QVERIFY(keyEdit->text().isEmpty());

        // The key is in the secret store under the connection's id, and nowhere in the settings.
        QSignalSpy read(&m_secrets, &SecretStore::readFinished);
        m_secrets.read(saved.id);
        QTRY_COMPARE(read.count(), 1);
        QCOMPARE(read.at(0).at(1).toString(), kKey);
        m_settings->sync();
        QFile file(m_settings->fileName());
        QVERIFY(file.open(QIODevice::ReadOnly));
        QVERIFY(!file.readAll().contains(kKey.toUtf8()));

        auto *list = dialog->findChild<QTreeWidget *>(u"connectionsList"_s);
        auto *remove = dialog->findChild<QPushButton *>(u"removeConnectionButton"_s);
        QTRY_COMPARE(list->topLevelItemCount(), 2);
        list->setCurrentItem(list->topLevelItem(0)); // Local
        QVERIFY(!remove->isEnabled());
        list->setCurrentItem(list->topLevelItem(1));
        QVERIFY(remove->isEnabled());
        QTest::mouseClick(remove, Qt::LeftButton);
        QTRY_VERIFY(m_settings->connections().isEmpty());
        QTRY_COMPARE(list->topLevelItemCount(), 1);
        dialog->close();
    }

    void namesAndSwitchesApplyAtOnce()
    {
        QDialog *dialog = openSettings();
        QVERIFY(dialog);
        auto *name = dialog->findChild<QLineEdit *>(u"operatorNameEdit"_s);
        QCOMPARE(name->text(), u"ana"_s);
        name->selectAll();
        QTest::keyClicks(name, u"bruno"_s);
        QTest::keyClick(name, Qt::Key_Return);
        QCOMPARE(m_settings->operatorName(), u"bruno"_s);
        auto *notify = dialog->findChild<QCheckBox *>(u"notifyCheck"_s);
        QVERIFY(notify->isChecked());
        QTest::keyClick(notify, Qt::Key_Space);
        QVERIFY(!m_settings->notifyOnHandoff());
        auto *local = dialog->findChild<QCheckBox *>(u"localEnabledCheck"_s);
        QTest::keyClick(local, Qt::Key_Space);
        QVERIFY(!m_settings->localEnabled());
        dialog->close();
    }

    void layoutComesBack()
    {
        auto *splitter = m_window->findChild<QSplitter *>(u"mainSplitter"_s);
        m_window->resize(1100, 700);
        splitter->setSizes({300, 780});
        QTRY_COMPARE(m_window->size(), QSize(1100, 700));
        const QList<int> sizes = splitter->sizes();
        m_window->close();
        m_window.reset();

        m_window = std::make_unique<MainWindow>(context());
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
        QTRY_COMPARE(m_window->size(), QSize(1100, 700));
        QCOMPARE(m_window->findChild<QSplitter *>(u"mainSplitter"_s)->sizes(), sizes);
    }

    void downConnectionRetriesOnClick()
    {
        // Nothing listens on port 1: the connection goes down and retries with back-off.
        Connection *connection = m_connections.add({u"nowhere"_s, u"Nowhere"_s, QUrl(u"http://127.0.0.1:1"_s),
                                                    ConnectionConfig::Kind::Remote});
        connection->start(u"key"_s);
        auto *status = m_window->findChild<QToolButton *>(u"connectionStatus_nowhere"_s);
        QVERIFY(status);
        // Wait for a moment when the next automatic retry is well ahead, so a retry seen right
        // after the click can only come from the click.
        QTRY_VERIFY_WITH_TIMEOUT(connection->status() == Connection::Status::Down
                                     && QDateTime::currentDateTime().msecsTo(connection->nextRetryAt()) > 1500,
                                 15000);
        QVERIFY2(status->text().startsWith(u"Nowhere: "_s), qPrintable(status->text()));
        QVERIFY(status->toolTip().contains(u"retry"_s));

        QSignalSpy changed(connection, &Connection::statusChanged);
        QTest::mouseClick(status, Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!changed.isEmpty(), 1000);
        // A retry of a down connection says so while it stays down (session's wording).
        QVERIFY2(changed.constFirst().at(1).toString().contains(u"retrying now"_s),
                 qPrintable(changed.constFirst().at(1).toString()));
        m_connections.remove(u"nowhere"_s);
        QVERIFY(!m_window->findChild<QToolButton *>(u"connectionStatus_nowhere"_s));
    }

private:
    MainWindowContext context()
    {
        return {&m_connections, &m_sandboxes, &m_inbox, &m_journal, m_settings.get(), &m_secrets};
    }

    QDialog *openSettings()
    {
        QTest::keyClick(m_window.get(), Qt::Key_Comma, Qt::ControlModifier);
        QDialog *dialog = nullptr;
        [&] { QTRY_VERIFY((dialog = qobject_cast<QDialog *>(QApplication::activeModalWidget()))); }();
        return dialog && dialog->objectName() == u"settingsDialog"_s ? dialog : nullptr;
    }

    QTemporaryDir m_dir;
    QNetworkAccessManager m_network;
    ConnectionManager m_connections{&m_network};
    SandboxListModel m_sandboxes;
    HandoffInboxModel m_inbox;
    OperatorJournal m_journal{QString()};
    MemorySecretStore m_secrets;
    std::unique_ptr<AppSettings> m_settings;
    std::unique_ptr<MainWindow> m_window;
};

QTEST_MAIN(TestGuiWindow)
#include "test_gui_window.moc"
