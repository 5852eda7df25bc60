// SPDX-License-Identifier: MIT
// Sorting and filtering the workspace tree as the Files tab shows it: folders first in either
// order, names in natural order ("file2" before "file10"), a filter that keeps the folders leading
// to a match and what a matching folder holds, and Loading / Error rows that never disappear.
#include <QAbstractItemModelTester>
#include <QElapsedTimer>
#include <QTest>

#include "models/workspacesortproxy.h"
#include "models/workspacetreemodel.h"

using namespace banata;
using namespace Qt::StringLiterals;

namespace {
const QString kRoot = u"/workspace"_s;

FileEntry entry(const QString &folder, const QString &name, FileEntry::Type type, qint64 size = 0,
                qint64 mtime = 0)
{
    FileEntry e;
    e.name = name;
    e.path = folder + u'/' + name;
    e.type = type;
    e.size = size;
    e.mtime = mtime;
    return e;
}

FileEntry file(const QString &folder, const QString &name, qint64 size = 0, qint64 mtime = 0)
{
    return entry(folder, name, FileEntry::Type::File, size, mtime);
}

FileEntry dir(const QString &folder, const QString &name)
{
    return entry(folder, name, FileEntry::Type::Directory);
}

QStringList names(const QAbstractItemModel &model, const QModelIndex &parent = {})
{
    QStringList out;
    for (int row = 0; row < model.rowCount(parent); ++row)
        out.append(model.index(row, 0, parent).data().toString());
    return out;
}
} // namespace

class TestWorkspaceSortProxy : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<WorkspaceTreeModel> m_model;
    std::unique_ptr<WorkspaceSortProxy> m_proxy;
    std::unique_ptr<QAbstractItemModelTester> m_tester;

    void load()
    {
        m_model->reset(kRoot);
        m_model->setListing({kRoot,
                             {file(kRoot, u"file10.txt"_s, 5, 300), file(kRoot, u"File2.txt"_s, 50, 100),
                              file(kRoot, u"file1.txt"_s, 500, 200), dir(kRoot, u"b_dir"_s),
                              dir(kRoot, u"A_dir"_s), file(kRoot, u"data.json"_s, 1, 50)}});
        const QString b = u"/workspace/b_dir"_s;
        m_model->fetchMore(m_model->indexForPath(b));
        m_model->setListing({b, {file(b, u"needle.log"_s), file(b, u"hay.txt"_s)}});
    }

private slots:
    void init()
    {
        m_model = std::make_unique<WorkspaceTreeModel>();
        m_model->setLoadingRowDelay(0);
        m_proxy = std::make_unique<WorkspaceSortProxy>();
        m_proxy->setSourceModel(m_model.get());
        m_tester = std::make_unique<QAbstractItemModelTester>(
            m_proxy.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    }

    void cleanup()
    {
        m_tester.reset();
        m_proxy.reset();
        m_model.reset();
    }

    void naturalCompare()
    {
        QVERIFY(WorkspaceSortProxy::naturalCompare(u"file2", u"file10") < 0);
        QVERIFY(WorkspaceSortProxy::naturalCompare(u"File2", u"file10") < 0);
        QVERIFY(WorkspaceSortProxy::naturalCompare(u"a", u"B") < 0);
        QCOMPARE(WorkspaceSortProxy::naturalCompare(u"ABC", u"abc"), 0);
        QCOMPARE(WorkspaceSortProxy::naturalCompare(u"a01", u"a1"), 0);
        QVERIFY(WorkspaceSortProxy::naturalCompare(u"a1", u"a1b") < 0);
        QVERIFY(WorkspaceSortProxy::naturalCompare(u"x99999999999999999999", u"x100000000000000000000") < 0);
        QVERIFY(WorkspaceSortProxy::naturalCompare(u"Ärger", u"ärger") == 0);
    }

    void foldersFirstThenNamesNaturally()
    {
        load();
        m_proxy->sort(WorkspaceTreeModel::NameColumn, Qt::AscendingOrder);
        QCOMPARE(names(*m_proxy), (QStringList{u"A_dir"_s, u"b_dir"_s, u"data.json"_s, u"file1.txt"_s,
                                               u"File2.txt"_s, u"file10.txt"_s}));
        m_proxy->sort(WorkspaceTreeModel::NameColumn, Qt::DescendingOrder);
        QCOMPARE(names(*m_proxy), (QStringList{u"b_dir"_s, u"A_dir"_s, u"file10.txt"_s, u"File2.txt"_s,
                                               u"file1.txt"_s, u"data.json"_s}));
    }

    void bySizeAndTime()
    {
        load();
        m_proxy->sort(WorkspaceTreeModel::SizeColumn, Qt::AscendingOrder);
        QCOMPARE(names(*m_proxy), (QStringList{u"A_dir"_s, u"b_dir"_s, u"data.json"_s, u"file10.txt"_s,
                                               u"File2.txt"_s, u"file1.txt"_s}));
        m_proxy->sort(WorkspaceTreeModel::ModifiedColumn, Qt::DescendingOrder);
        QCOMPARE(names(*m_proxy).mid(2),
                 (QStringList{u"file10.txt"_s, u"file1.txt"_s, u"File2.txt"_s, u"data.json"_s}));
        m_proxy->sort(WorkspaceTreeModel::TypeColumn, Qt::AscendingOrder);
        QCOMPARE(names(*m_proxy).mid(0, 2), (QStringList{u"A_dir"_s, u"b_dir"_s}));
    }

    void staysSortedWhileTheListingChanges()
    {
        load();
        m_proxy->sort(WorkspaceTreeModel::NameColumn, Qt::AscendingOrder);
        m_model->setListing({kRoot,
                             {file(kRoot, u"file3.txt"_s), file(kRoot, u"file10.txt"_s),
                              dir(kRoot, u"b_dir"_s), dir(kRoot, u"z_dir"_s)}});
        QCOMPARE(names(*m_proxy), (QStringList{u"b_dir"_s, u"z_dir"_s, u"file3.txt"_s, u"file10.txt"_s}));
    }

    void filterKeepsTheWayToAMatch()
    {
        load();
        m_proxy->sort(WorkspaceTreeModel::NameColumn, Qt::AscendingOrder);
        m_proxy->setNameFilter(u"NEEDLE"_s);
        QCOMPARE(m_proxy->nameFilter(), u"NEEDLE"_s);
        QCOMPARE(names(*m_proxy), QStringList{u"b_dir"_s}); // only the folder leading to it
        QCOMPARE(names(*m_proxy, m_proxy->index(0, 0)), QStringList{u"needle.log"_s});

        m_proxy->setNameFilter(u"b_d"_s); // a matching folder shows what it holds
        QCOMPARE(names(*m_proxy), QStringList{u"b_dir"_s});
        QCOMPARE(names(*m_proxy, m_proxy->index(0, 0)), (QStringList{u"hay.txt"_s, u"needle.log"_s}));

        m_proxy->setNameFilter(u"file"_s);
        QCOMPARE(names(*m_proxy), (QStringList{u"file1.txt"_s, u"File2.txt"_s, u"file10.txt"_s}));
        m_proxy->setNameFilter(QString());
        QCOMPARE(m_proxy->rowCount(), 6);
    }

    void loadingAndErrorRowsAlwaysStay()
    {
        m_model->reset(kRoot);
        m_proxy->setNameFilter(u"nothing-matches"_s);
        QTRY_COMPARE(m_proxy->rowCount(), 1); // Loading
        m_model->setListingError(kRoot, u"Connection refused"_s);
        QCOMPARE(m_proxy->rowCount(), 1);
        QCOMPARE(m_proxy->index(0, 0).data(WorkspaceTreeModel::RowKindRole).toInt(),
                 int(WorkspaceTreeModel::RowKind::Error));
        m_model->setListing({kRoot, {file(kRoot, u"a.txt"_s), file(kRoot, u"nothing-matches.txt"_s)}});
        QCOMPARE(names(*m_proxy), QStringList{u"nothing-matches.txt"_s});
        m_model->refreshAll();
        m_model->setListingError(kRoot, u"Connection refused"_s);
        m_proxy->sort(WorkspaceTreeModel::NameColumn, Qt::DescendingOrder);
        QCOMPARE(m_proxy->rowCount(), 2);
        QCOMPARE(m_proxy->index(0, 0).data(WorkspaceTreeModel::RowKindRole).toInt(),
                 int(WorkspaceTreeModel::RowKind::Error)); // first, in either order
    }

    void hundredThousandSortAndFilter()
    {
        m_tester.reset(); // it walks every row on every signal
        constexpr int kCount = 100000;
        m_model->reset(kRoot);
        QList<FileEntry> entries;
        entries.reserve(kCount);
        for (int i = 0; i < kCount; ++i)
            entries.append(file(kRoot, u"item %1.bin"_s.arg(i), i % 977));
        m_proxy->sort(WorkspaceTreeModel::NameColumn, Qt::AscendingOrder);
        QElapsedTimer timer;
        timer.start();
        m_model->setListing({kRoot, entries});
        QCOMPARE(m_proxy->rowCount(), kCount);
        const qint64 sortMs = timer.elapsed();
        QCOMPARE(m_proxy->index(0, 0).data().toString(), u"item 0.bin"_s);
        QCOMPARE(m_proxy->index(10, 0).data().toString(), u"item 10.bin"_s);
        QCOMPARE(m_proxy->index(kCount - 1, 0).data().toString(), u"item 99999.bin"_s);
        timer.restart();
        m_proxy->setNameFilter(u"9999"_s);
        const qint64 filterMs = timer.elapsed();
        QCOMPARE(
            names(*m_proxy),
            (QStringList{u"item 9999.bin"_s, u"item 19999.bin"_s, u"item 29999.bin"_s, u"item 39999.bin"_s,
                         u"item 49999.bin"_s, u"item 59999.bin"_s, u"item 69999.bin"_s, u"item 79999.bin"_s,
                         u"item 89999.bin"_s, u"item 99990.bin"_s, u"item 99991.bin"_s, u"item 99992.bin"_s,
                         u"item 99993.bin"_s, u"item 99994.bin"_s, u"item 99995.bin"_s, u"item 99996.bin"_s,
                         u"item 99997.bin"_s, u"item 99998.bin"_s, u"item 99999.bin"_s}));
        qInfo("100k rows: listed and sorted %lld ms, filtered %lld ms", sortMs, filterMs);
        QVERIFY2(sortMs < 5000 && filterMs < 3000, "100k sort or filter too slow");
    }
};

QTEST_GUILESS_MAIN(TestWorkspaceSortProxy)
#include "test_workspacesortproxy.moc"
