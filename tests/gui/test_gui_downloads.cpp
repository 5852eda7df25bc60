// SPDX-License-Identifier: MIT
// The Downloads dock against a real banata-local: hidden until a download starts from a sandbox's
// files, then one row per download that reaches "Verified" with the file byte-identical; a second
// download of the same name asks (Keep both → "report (1).csv", Skip leaves the file alone); a
// download cancelled while the server is frozen mid-file leaves no .part; closing the window with
// downloads running asks first; "Clear finished" empties the list; the folder opens through the
// panel's opener; Settings takes another download folder only if it exists.
#include <csignal>

#include <QAbstractButton>
#include <QAction>
#include <QCheckBox>
#include <QDialog>
#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMessageBox>
#include <QRandomGenerator>
#include <QScopeGuard>
#include <QTest>

#include "core/client/apiclient.h"
#include "core/downloads/downloadmanager.h"
#include "guitest.h"
#include "models/downloadlistmodel.h"
#include "session/appsettings.h"
#include "session/filessession.h"
#include "session/sandboxsession.h"
#include "support/awaitjob.h"
#include "ui/downloads/downloadspanel.h"
#include "ui/mainwindow.h"
#include "ui/messagebar.h"
#include "ui/sandboxdetailwidget.h"

using namespace banata;
using namespace banata::test;
using namespace Qt::StringLiterals;

namespace {

const QString kReport = u"/workspace/out/report.csv"_s;
const QString kData = u"/workspace/out/data.json"_s;
const QString kBig = u"/workspace/big.bin"_s;

QByteArray randomBytes(qsizetype size)
{
    QByteArray bytes(size, Qt::Uninitialized);
    for (qsizetype i = 0; i < size; ++i)
        bytes[i] = char(QRandomGenerator::global()->bounded(256));
    return bytes;
}

QByteArray fileBytes(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray("<missing>");
}

QStringList partFiles(const QString &folder)
{
    return QDir(folder).entryList({u"*.part"_s}, QDir::Files | QDir::Hidden);
}

} // namespace

class TestGuiDownloads : public QObject
{
    Q_OBJECT

private:
    DownloadListModel *model() const { return qobject_cast<DownloadListModel *>(m_view->model()); }

    /// Starts a download of \a remotePath straight through the app's engine; returns its id.
    int add(const QString &remotePath)
    {
        return m_fixture.downloads()->add({DownloadRequest::Kind::File,
                                           m_fixture.client(),
                                           u"Local"_s,
                                           m_sandbox.id,
                                           m_sandbox.name.value_or(QString()),
                                           remotePath,
                                           {},
                                           {},
                                           m_fixture.downloadFolder()});
    }

    DownloadItem::State state(int id) const
    {
        const auto item = m_fixture.downloads()->item(id);
        return item ? item->state : DownloadItem::State::Cancelled;
    }

    void selectRowOf(int id)
    {
        m_view->setFocus();
        m_view->setCurrentIndex(model()->index(model()->rowOf(id), 0));
    }

    QString downloadsActionText() const
    {
        return m_fixture.window()->action(MainWindow::Action::Downloads)->text();
    }

    QAbstractButton *button(const QString &name) const { return m_fixture.find<QAbstractButton>(name); }

private Q_SLOTS:
    void initTestCase()
    {
        // Closing the window in a test must not end the test's event loops.
        QApplication::setQuitOnLastWindowClosed(false);
        QVERIFY2(m_fixture.start(), qPrintable(m_fixture.errorString()));
        m_sandbox = m_fixture.createSandbox(u"exports"_s);
        QVERIFY(!m_sandbox.id.isEmpty());
        m_report = randomBytes(300 * 1024);
        for (const auto &[path, bytes] :
             {std::pair{kReport, m_report}, std::pair{kData, QByteArray("{\"rows\": 3}\n")}}) {
            FileWriteRequest write;
            write.id = m_sandbox.id;
            write.path = path;
            write.bytes = bytes;
            AWAIT_OK(written, m_fixture.client().writeFile(write));
        }
        // Sparse: a large file that costs the server no disk.
        ExecRequest exec;
        exec.id = m_sandbox.id;
        exec.command = u"truncate -s 1G "_s + kBig;
        AWAIT_OK(made, m_fixture.client().exec(exec));
        QCOMPARE(made.exitCode, 0);

        m_dock = m_fixture.window()->downloadsDock();
        m_panel = m_fixture.window()->downloadsPanel();
        m_view = m_fixture.find<QListView>(u"downloadsView"_s);
        QVERIFY(m_dock && m_panel && m_view);
        QCOMPARE(m_dock->objectName(), u"downloadsDock"_s);
        m_panel->setUrlOpener([this](const QUrl &url) {
            m_opened.append(url);
            return true;
        });
    }

    void downloadFromTheFilesOfASandbox()
    {
        QVERIFY(!m_dock->isVisible()); // nothing downloaded yet
        QCOMPARE(downloadsActionText(), u"Downloads"_s);
        MainWindow *window = m_fixture.window();
        window->openSandbox(m_fixture.keyOf(m_sandbox.id));
        QTRY_VERIFY(window->detail()->session());
        window->detail()->session()->files()->download({kReport}, m_fixture.downloadFolder());

        QTRY_VERIFY(m_dock->isVisible());
        QTRY_COMPARE(model()->rowCount(), 1);
        const QModelIndex row = model()->index(0, 0);
        QCOMPARE(row.data(DownloadListModel::FileNameRole).toString(), u"report.csv"_s);
        QVERIFY2(row.data(DownloadListModel::SourceRole).toString().contains(kReport),
                 qPrintable(row.data(DownloadListModel::SourceRole).toString()));
        QTRY_COMPARE_WITH_TIMEOUT(row.data(DownloadListModel::StateRole).toInt(),
                                  int(DownloadItem::State::Completed), 30000);
        QCOMPARE(row.data(DownloadListModel::ProgressRole).toInt(), 1000);
        QVERIFY2(row.data(DownloadListModel::StateTextRole).toString().contains(u"Verified"_s),
                 qPrintable(row.data(DownloadListModel::StateTextRole).toString()));
        QCOMPARE(fileBytes(m_fixture.downloadFolder() + u"/report.csv"_s), m_report);
        QVERIFY(partFiles(m_fixture.downloadFolder()).isEmpty());
        QCOMPARE(downloadsActionText(), u"Downloads"_s); // none running

        // Its folder and the file open through the desktop (here: the test's opener).
        m_view->setFocus();
        m_view->setCurrentIndex(row);
        QTRY_VERIFY(button(u"openDownloadFolderButton"_s)->isEnabled());
        QTest::mouseClick(button(u"openDownloadFolderButton"_s), Qt::LeftButton);
        QCOMPARE(m_opened.value(0), QUrl::fromLocalFile(m_fixture.downloadFolder()));
        QTest::keyClick(m_view, Qt::Key_Return);
        QCOMPARE(m_opened.value(1), QUrl::fromLocalFile(m_fixture.downloadFolder() + u"/report.csv"_s));

        // Ctrl+Shift+J hides and shows the dock.
        QVERIFY(m_fixture.activate());
        QTest::keyClick(window, Qt::Key_J, Qt::ControlModifier | Qt::ShiftModifier);
        QTRY_VERIFY(!m_dock->isVisible());
        QTest::keyClick(window, Qt::Key_J, Qt::ControlModifier | Qt::ShiftModifier);
        QTRY_VERIFY(m_dock->isVisible());
    }

    void sameNameAsks()
    {
        auto *bar = m_fixture.find<QWidget>(u"downloadConflictBar"_s);
        QVERIFY(bar && !bar->isVisible());
        const int keepBoth = add(kReport);
        QTRY_COMPARE_WITH_TIMEOUT(state(keepBoth), DownloadItem::State::Conflict, 20000);
        QTRY_VERIFY(bar->isVisible());
        QCOMPARE(m_panel->conflictId(), keepBoth);
        QVERIFY(m_fixture.find<QLabel>(u"downloadConflictText"_s)->text().contains(u"report.csv"_s));
        QTest::mouseClick(button(u"conflictKeepBoth"_s), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(state(keepBoth), DownloadItem::State::Completed, 30000);
        QTRY_VERIFY(!bar->isVisible());
        QCOMPARE(m_fixture.downloads()->item(keepBoth)->fileName, u"report (1).csv"_s);
        QCOMPARE(fileBytes(m_fixture.downloadFolder() + u"/report (1).csv"_s), m_report);
        QCOMPARE(fileBytes(m_fixture.downloadFolder() + u"/report.csv"_s), m_report);

        // Skip leaves the existing file as it is.
        const int skip = add(kReport);
        QTRY_COMPARE_WITH_TIMEOUT(state(skip), DownloadItem::State::Conflict, 20000);
        QTRY_COMPARE(m_panel->conflictId(), skip);
        QTest::mouseClick(button(u"conflictSkip"_s), Qt::LeftButton);
        QTRY_COMPARE(state(skip), DownloadItem::State::Cancelled);
        QTRY_VERIFY(!bar->isVisible());
        QCOMPARE(QDir(m_fixture.downloadFolder()).entryList(QDir::Files).size(), 2);
    }

    void cancelAndCloseWhileTheServerIsFrozen()
    {
        const QString folder = m_fixture.downloadFolder();
        const pid_t server = pid_t(m_fixture.server().pid());
        bool frozen = false;
        QMetaObject::Connection freezer;
        auto thaw = qScopeGuard([&] {
            disconnect(freezer);
            if (frozen)
                ::kill(server, SIGCONT);
        });
        // Freeze the server as soon as the first bytes are in: the download stays mid-file.
        const int big = add(kBig);
        freezer = connect(m_fixture.downloads(), &DownloadManager::itemChanged, this,
                          [&](const DownloadItem &item) {
                              if (!frozen && item.id == big && item.received > 0)
                                  frozen = ::kill(server, SIGSTOP) == 0;
                          });
        QTRY_VERIFY_WITH_TIMEOUT(frozen, 60000);
        QTRY_COMPARE(partFiles(folder), QStringList{u"big.bin.part"_s});
        const DownloadItem running = *m_fixture.downloads()->item(big);
        QVERIFY(running.state == DownloadItem::State::Running ||
                running.state == DownloadItem::State::Waiting);
        QVERIFY(running.received < running.total);

        const int data = add(kData);
        QTRY_COMPARE(downloadsActionText(), u"Downloads (2)"_s);

        selectRowOf(big);
        QTRY_VERIFY(button(u"cancelDownloadButton"_s)->isEnabled());
        QTest::mouseClick(button(u"cancelDownloadButton"_s), Qt::LeftButton);
        QTRY_COMPARE(state(big), DownloadItem::State::Cancelled);
        QVERIFY(partFiles(folder).filter(u"big.bin"_s).isEmpty());
        QVERIFY(!QFile::exists(folder + u"/big.bin"_s));
        QTRY_COMPARE(downloadsActionText(), u"Downloads (1)"_s);
        QVERIFY(button(u"retryDownloadButton"_s)->isEnabled()); // a cancelled one can start again

        // Closing asks while one runs; "Keep downloading" keeps the window and the download.
        MainWindow *window = m_fixture.window();
        window->close();
        QMessageBox *question = nullptr;
        QTRY_VERIFY((question = m_fixture.find<QMessageBox>(u"closeWithDownloadsConfirmation"_s)) &&
                    question->isVisible());
        QTest::mouseClick(question->findChild<QAbstractButton *>(u"keepDownloadingButton"_s), Qt::LeftButton);
        QTRY_VERIFY(!m_fixture.find<QMessageBox>(u"closeWithDownloadsConfirmation"_s));
        QVERIFY(window->isVisible());
        QVERIFY(!m_fixture.downloads()->item(data)->isFinished());

        // "Quit and stop them" closes and stops it, leaving no partial file.
        window->close();
        QTRY_VERIFY((question = m_fixture.find<QMessageBox>(u"closeWithDownloadsConfirmation"_s)) &&
                    question->isVisible());
        QTest::mouseClick(question->findChild<QAbstractButton *>(u"closeAnywayButton"_s), Qt::LeftButton);
        QTRY_VERIFY(!window->isVisible());
        QCOMPARE(state(data), DownloadItem::State::Cancelled);
        QTRY_VERIFY(partFiles(folder).isEmpty());

        ::kill(server, SIGCONT);
        frozen = false;
        window->show();
        QVERIFY(m_fixture.activate());
        QCOMPARE(downloadsActionText(), u"Downloads"_s);
    }

    void clearFinished()
    {
        QVERIFY(model()->rowCount() >= 4);
        QTRY_VERIFY(button(u"clearDownloadsButton"_s)->isEnabled());
        QTest::mouseClick(button(u"clearDownloadsButton"_s), Qt::LeftButton);
        QTRY_COMPARE(model()->rowCount(), 0);
        // The files stay.
        QCOMPARE(fileBytes(m_fixture.downloadFolder() + u"/report.csv"_s), m_report);
        QVERIFY(!button(u"clearDownloadsButton"_s)->isEnabled());
    }

    void downloadFolderInSettings()
    {
        AppSettings *settings = m_fixture.app()->settings();
        m_fixture.window()->showSettingsDialog();
        QDialog *dialog = nullptr;
        QTRY_VERIFY((dialog = m_fixture.find<QDialog>(u"settingsDialog"_s)) && dialog->isVisible());
        auto *edit = dialog->findChild<QLineEdit *>(u"downloadFolderEdit"_s);
        QVERIFY(edit && dialog->findChild<QAbstractButton *>(u"browseDownloadFolderButton"_s));
        QCOMPARE(edit->text(), QDir::toNativeSeparators(m_fixture.downloadFolder()));

        // A folder that does not exist is refused (nothing is created); an existing one is taken.
        const QString missing = m_fixture.tempPath(u"no/such/folder"_s);
        edit->clear();
        QTest::keyClicks(edit, missing);
        QTest::keyClick(edit, Qt::Key_Return);
        QCOMPARE(settings->downloadFolder(), m_fixture.downloadFolder());
        QVERIFY(!QFileInfo::exists(missing));
        auto *message = dialog->findChild<MessageBar *>(u"settingsMessage"_s);
        QTRY_VERIFY(message->isVisible());
        QCOMPARE(message->type(), MessageBar::Warning);

        const QString other = m_fixture.tempPath(u"elsewhere"_s);
        QVERIFY(QDir().mkpath(other));
        edit->clear();
        QTest::keyClicks(edit, other);
        QTest::keyClick(edit, Qt::Key_Return);
        QCOMPARE(settings->downloadFolder(), other);

        // "Checkpoint before restoring" is the same setting the restore dialog remembers.
        auto *checkFirst = dialog->findChild<QCheckBox *>(u"checkpointBeforeRestoreCheck"_s);
        QVERIFY(checkFirst && checkFirst->isChecked());
        settings->setCheckpointBeforeRestore(false);
        QVERIFY(!checkFirst->isChecked());
        checkFirst->click();
        QVERIFY(settings->checkpointBeforeRestore());
        dialog->close();
    }

private:
    GuiFixture m_fixture;
    Sandbox m_sandbox;
    QByteArray m_report;
    QDockWidget *m_dock = nullptr;
    DownloadsPanel *m_panel = nullptr;
    QListView *m_view = nullptr;
    QList<QUrl> m_opened;
};

QTEST_MAIN(TestGuiDownloads)
#include "test_gui_downloads.moc"
