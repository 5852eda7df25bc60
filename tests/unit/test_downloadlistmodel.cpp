// SPDX-License-Identifier: MIT
// The downloads panel's list: it follows the app's DownloadManager (rows added, changed in place,
// removed when cleared) and says in words where each download stands.
#include <QAbstractItemModelTester>
#include <QFile>
#include <QNetworkAccessManager>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "models/downloadlistmodel.h"
#include "models/metatypes.h"

using namespace banata;
using namespace Qt::StringLiterals;

namespace {
DownloadItem item(DownloadItem::State state)
{
    DownloadItem d;
    d.id = 1;
    d.fileName = u"report.pdf"_s;
    d.folder = u"/home/ana/Downloads"_s;
    d.state = state;
    d.received = 3 * 1024 * 1024 + 200 * 1024;
    d.total = 10 * 1024 * 1024;
    d.bytesPerSecond = 12.4 * 1024 * 1024;
    d.remainingMs = 1200;
    return d;
}
} // namespace

class TestDownloadListModel : public QObject
{
    Q_OBJECT

private slots:
    void stateTexts()
    {
        QCOMPARE(downloadStateText(item(DownloadItem::State::Running)),
                 u"3.2 MB of 10 MB · 12 MB/s · 1 s left"_s);
        DownloadItem unknown = item(DownloadItem::State::Running);
        unknown.total = -1;
        unknown.bytesPerSecond = 0;
        unknown.remainingMs = -1;
        QCOMPARE(downloadStateText(unknown), u"3.2 MB"_s);
        QCOMPARE(downloadStateText(item(DownloadItem::State::Queued)), u"Queued"_s);
        DownloadItem waiting = item(DownloadItem::State::Waiting);
        waiting.error = u"Waiting for the server — retrying in 4 s"_s;
        QCOMPARE(downloadStateText(waiting), u"Waiting for the server — retrying in 4 s · 3.2 MB of 10 MB"_s);
        DownloadItem done = item(DownloadItem::State::Completed);
        done.verified = true;
        QCOMPARE(downloadStateText(done), u"Verified · 10 MB"_s);
        done.verified = false;
        QVERIFY(downloadStateText(done).contains(u"no checksum"_s));
        DownloadItem failed = item(DownloadItem::State::Failed);
        failed.error = u"Disk full"_s;
        QCOMPARE(downloadStateText(failed), u"Failed: Disk full"_s);
        QCOMPARE(downloadStateText(item(DownloadItem::State::Cancelled)), u"Cancelled"_s);
        QVERIFY(downloadStateText(item(DownloadItem::State::Conflict))
                    .contains(u"“report.pdf” already exists"_s));
        QVERIFY(downloadStateText(item(DownloadItem::State::Verifying)).startsWith(u"Verifying…"_s));
    }

    void followsTheManager()
    {
        QTemporaryDir folder;
        QVERIFY(folder.isValid());
        QFile existing(folder.filePath(u"taken.txt"_s));
        QVERIFY(existing.open(QIODevice::WriteOnly));
        existing.close();

        QNetworkAccessManager network;
        // Nothing listens on port 1: downloads there wait for the server, retrying.
        const ApiClient client(&network, QUrl(u"http://127.0.0.1:1"_s), u"key"_s);
        DownloadManager manager;
        manager.setRetryDelayMs(60000);
        const auto request = [&](const QString &path) {
            return DownloadRequest{DownloadRequest::Kind::File,
                                   client,
                                   u"Staging"_s,
                                   u"sb1"_s,
                                   u"demo"_s,
                                   path,
                                   {},
                                   {},
                                   folder.path()};
        };
        const int first = manager.add(request(u"/workspace/taken.txt"_s)); // before the model: listed too

        DownloadListModel model(&manager);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.manager(), &manager);
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.rowOf(first), 0);
        QCOMPARE(model.index(0).data(DownloadListModel::StateRole).toInt(),
                 int(DownloadItem::State::Conflict));
        QCOMPARE(model.index(0).data(DownloadListModel::SourceRole).toString(),
                 u"Staging · demo · /workspace/taken.txt"_s);

        const int second = manager.add(request(u"/workspace/out/report.pdf"_s));
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.rowOf(second), 1);
        const QModelIndex row = model.index(1);
        QCOMPARE(row.data(DownloadListModel::FileNameRole).toString(), u"report.pdf"_s);
        QCOMPARE(row.data(DownloadListModel::LocalPathRole).toString(), folder.filePath(u"report.pdf"_s));
        QTRY_COMPARE(row.data(DownloadListModel::StateRole).toInt(), int(DownloadItem::State::Waiting));
        QVERIFY(!row.data(DownloadListModel::StateTextRole).toString().isEmpty());
        QCOMPARE(row.data(DownloadListModel::ProgressRole).toInt(), -1);

        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        manager.cancel(second);
        QTRY_COMPARE(row.data(DownloadListModel::StateRole).toInt(), int(DownloadItem::State::Cancelled));
        QCOMPARE(row.data(DownloadListModel::StateTextRole).toString(), u"Cancelled"_s);
        QVERIFY(changed.count() >= 1);
        QCOMPARE(changed.first().at(0).value<QModelIndex>().row(), 1); // only its row

        manager.resolveConflict(first, DownloadManager::ConflictChoice::Skip);
        QTRY_COMPARE(model.index(0).data(DownloadListModel::StateRole).toInt(),
                     int(DownloadItem::State::Cancelled));
        manager.clearFinished();
        QCOMPARE(model.rowCount(), 0);
        QCOMPARE(model.roleNames().value(DownloadListModel::StateTextRole), "stateText"_ba);
    }
};

QTEST_GUILESS_MAIN(TestDownloadListModel)
#include "test_downloadlistmodel.moc"
