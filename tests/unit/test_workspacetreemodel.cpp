// SPDX-License-Identifier: MIT
// The Files tab's lazy tree: folders are listed when the view asks, a Loading row appears only
// after a delay, a failed listing shows an error row, and a new listing is merged so that what the
// operator selected or expanded stays where it is — also with 100,000 entries in one folder.
#include <QAbstractItemModelTester>
#include <QElapsedTimer>
#include <QItemSelectionModel>
#include <QMimeData>
#include <QSignalSpy>
#include <QTest>
#include <QUrl>

#include "models/workspacetreemodel.h"

using namespace banata;
using namespace Qt::StringLiterals;

namespace {
const QString kRoot = u"/workspace"_s;

FileEntry file(const QString &folder, const QString &name, qint64 size = 10, qint64 mtime = 1000)
{
    FileEntry entry;
    entry.name = name;
    entry.path = folder + u'/' + name;
    entry.type = FileEntry::Type::File;
    entry.size = size;
    entry.mtime = mtime;
    entry.mode = 0644;
    return entry;
}

FileEntry dir(const QString &folder, const QString &name)
{
    FileEntry entry = file(folder, name, 4096);
    entry.type = FileEntry::Type::Directory;
    entry.mode = 0755;
    return entry;
}

FileListing listing(const QString &path, QList<FileEntry> entries)
{
    return FileListing{path, std::move(entries)};
}

QStringList names(const WorkspaceTreeModel &model, const QModelIndex &parent = {})
{
    QStringList out;
    for (int row = 0; row < model.rowCount(parent); ++row)
        out.append(model.index(row, 0, parent).data().toString());
    return out;
}

QStringList requested(const QSignalSpy &spy)
{
    QStringList out;
    for (const QList<QVariant> &args : spy)
        out.append(args.at(0).toString());
    return out;
}
} // namespace

class TestWorkspaceTreeModel : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<WorkspaceTreeModel> m_model;
    std::unique_ptr<QAbstractItemModelTester> m_tester;

    void attachTester()
    {
        m_tester = std::make_unique<QAbstractItemModelTester>(
            m_model.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    }

    /// /workspace with folders a (x.txt, y.txt) and b (not listed), and files c.txt, d.txt.
    void loadSmallTree()
    {
        m_model->reset(kRoot);
        m_model->setListing(listing(kRoot, {dir(kRoot, u"a"_s), dir(kRoot, u"b"_s), file(kRoot, u"c.txt"_s),
                                            file(kRoot, u"d.txt"_s)}));
        const QModelIndex a = m_model->indexForPath(u"/workspace/a"_s);
        QVERIFY(a.isValid());
        if (m_model->canFetchMore(a))
            m_model->fetchMore(a);
        const QString aPath = u"/workspace/a"_s;
        m_model->setListing(listing(aPath, {file(aPath, u"x.txt"_s), file(aPath, u"y.txt"_s)}));
        QCOMPARE(m_model->rowCount(a), 2);
    }

private slots:
    void init()
    {
        m_model = std::make_unique<WorkspaceTreeModel>();
        m_model->setLoadingRowDelay(0);
    }

    void cleanup()
    {
        m_tester.reset();
        m_model.reset();
    }

    void listsFoldersOnlyWhenAsked()
    {
        QSignalSpy asked(m_model.get(), &WorkspaceTreeModel::listingRequested);
        QSignalSpy loaded(m_model.get(), &WorkspaceTreeModel::folderLoaded);
        m_model->reset(kRoot);
        QCOMPARE(requested(asked), QStringList{kRoot});
        QVERIFY(m_model->isLoading(kRoot));

        m_model->setListing(listing(kRoot, {dir(kRoot, u"a"_s), file(kRoot, u"c.txt"_s)}));
        QCOMPARE(names(*m_model), (QStringList{u"a"_s, u"c.txt"_s}));
        QCOMPARE(loaded.count(), 1);
        QVERIFY(!m_model->isLoading(kRoot));
        QCOMPARE(asked.count(), 1); // the subfolder waits until it is expanded

        const QModelIndex a = m_model->indexForPath(u"/workspace/a"_s);
        const QModelIndex c = m_model->indexForPath(u"/workspace/c.txt"_s);
        QVERIFY(m_model->hasChildren(a)); // an expander before anything is known
        QVERIFY(!m_model->hasChildren(c));
        QVERIFY(m_model->canFetchMore(a));
        QVERIFY(!m_model->canFetchMore(c));
        m_model->fetchMore(a);
        QCOMPARE(asked.last().at(0).toString(), u"/workspace/a"_s);
        QVERIFY(!m_model->canFetchMore(a)); // asked once, not again while it is on its way
        m_model->setListing(listing(u"/workspace/a"_s, {}));
        QVERIFY(!m_model->hasChildren(a)); // listed and empty: no expander
        QCOMPARE(m_model->entryCount(u"/workspace/a"_s), 0);
        QCOMPARE(m_model->loadedFolders(), (QStringList{kRoot, u"/workspace/a"_s}));
    }

    void showsTheLoadingRowOnlyAfterTheDelay()
    {
        attachTester();
        m_model->setLoadingRowDelay(150);
        QElapsedTimer timer;
        timer.start();
        m_model->reset(kRoot);
        QCOMPARE(m_model->rowCount(), 0); // a quick answer never flashes a Loading row
        QTRY_COMPARE(m_model->rowCount(), 1);
        QVERIFY(timer.elapsed() >= 140);
        const QModelIndex loading = m_model->index(0, 0);
        QCOMPARE(loading.data(WorkspaceTreeModel::RowKindRole).toInt(),
                 int(WorkspaceTreeModel::RowKind::Loading));
        QCOMPARE(loading.data().toString(), u"Loading…"_s);
        QVERIFY(!(m_model->flags(loading) & Qt::ItemIsSelectable));

        m_model->setListing(listing(kRoot, {file(kRoot, u"c.txt"_s)}));
        QCOMPARE(names(*m_model), QStringList{u"c.txt"_s});
    }

    void loadingRowWithoutDelayStillComesFromTheEventLoop()
    {
        attachTester();
        m_model->reset(kRoot);
        QCOMPARE(m_model->rowCount(), 0); // never from inside fetchMore()
        QTRY_COMPARE(m_model->rowCount(), 1);
        QCOMPARE(m_model->index(0, 0).data(WorkspaceTreeModel::RowKindRole).toInt(),
                 int(WorkspaceTreeModel::RowKind::Loading));
    }

    void aFailedListingShowsAnErrorRow()
    {
        attachTester();
        QSignalSpy asked(m_model.get(), &WorkspaceTreeModel::listingRequested);
        m_model->reset(kRoot);
        m_model->setListingError(kRoot, u"Sandbox is not ready (409)"_s);
        QCOMPARE(m_model->rowCount(), 1);
        const QModelIndex error = m_model->index(0, 0);
        QCOMPARE(error.data(WorkspaceTreeModel::RowKindRole).toInt(),
                 int(WorkspaceTreeModel::RowKind::Error));
        QCOMPARE(error.data(WorkspaceTreeModel::ErrorRole).toString(), u"Sandbox is not ready (409)"_s);
        QVERIFY(error.data().toString().contains(u"Sandbox is not ready (409)"_s));
        QVERIFY(!m_model->canFetchMore({})); // no retry storm from views: F5 retries
        QVERIFY(!m_model->isLoading(kRoot));

        m_model->refreshAll();
        QCOMPARE(asked.count(), 2);
        m_model->setListing(listing(kRoot, {file(kRoot, u"c.txt"_s)}));
        QCOMPARE(names(*m_model), QStringList{u"c.txt"_s});
    }

    void aFailedRefreshKeepsWhatIsShown()
    {
        attachTester();
        loadSmallTree();
        const QPersistentModelIndex x(m_model->indexForPath(u"/workspace/a/x.txt"_s));
        m_model->refreshAll();
        m_model->setListingError(kRoot, u"Connection refused"_s);
        QCOMPARE(m_model->rowCount(), 5); // four entries and the error row after them
        QCOMPARE(m_model->index(4, 0).data(WorkspaceTreeModel::ErrorRole).toString(),
                 u"Connection refused"_s);
        QVERIFY(x.isValid());
        m_model->setListing(listing(kRoot, {dir(kRoot, u"a"_s), dir(kRoot, u"b"_s), file(kRoot, u"c.txt"_s),
                                            file(kRoot, u"d.txt"_s)}));
        QCOMPARE(m_model->rowCount(), 4);
    }

    void mergeKeepsSelectionAndExpandedFolders()
    {
        attachTester();
        loadSmallTree();
        QItemSelectionModel selection(m_model.get());
        const QModelIndex c = m_model->indexForPath(u"/workspace/c.txt"_s);
        selection.select(c, QItemSelectionModel::Select | QItemSelectionModel::Rows);
        selection.setCurrentIndex(c, QItemSelectionModel::NoUpdate);
        const QPersistentModelIndex pc(c);
        const QPersistentModelIndex pa(m_model->indexForPath(u"/workspace/a"_s)); // "expanded"
        const QPersistentModelIndex px(m_model->indexForPath(u"/workspace/a/x.txt"_s));
        const QPersistentModelIndex pd(m_model->indexForPath(u"/workspace/d.txt"_s));
        QSignalSpy inserted(m_model.get(), &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(m_model.get(), &QAbstractItemModel::rowsRemoved);
        QSignalSpy changed(m_model.get(), &QAbstractItemModel::dataChanged);
        QSignalSpy reset(m_model.get(), &QAbstractItemModel::modelReset);
        QSignalSpy layout(m_model.get(), &QAbstractItemModel::layoutChanged);

        // 0.txt and e.txt are new, b and d.txt went away, c.txt grew.
        m_model->setListing(listing(kRoot, {file(kRoot, u"0.txt"_s), dir(kRoot, u"a"_s),
                                            file(kRoot, u"c.txt"_s, 99), file(kRoot, u"e.txt"_s)}));
        QCOMPARE(names(*m_model), (QStringList{u"0.txt"_s, u"a"_s, u"c.txt"_s, u"e.txt"_s}));
        QCOMPARE(reset.count(), 0);
        QCOMPARE(layout.count(), 0);
        QCOMPARE(inserted.count(), 2);
        QCOMPARE(removed.count(), 2);
        QVERIFY(changed.count() >= 1);

        QVERIFY(pc.isValid());
        QCOMPARE(pc.row(), 2);
        QCOMPARE(pc.data(WorkspaceTreeModel::SizeRole).toLongLong(), 99);
        QVERIFY(selection.isRowSelected(2, {}));
        QCOMPARE(selection.currentIndex(), QModelIndex(pc));
        QVERIFY(pa.isValid());
        QCOMPARE(pa.row(), 1);
        QVERIFY(px.isValid()); // the loaded subfolder kept its rows
        QCOMPARE(px.parent(), QModelIndex(pa));
        QCOMPARE(px.data(WorkspaceTreeModel::PathRole).toString(), u"/workspace/a/x.txt"_s);
        QVERIFY(!pd.isValid());
        QCOMPARE(m_model->indexForPath(u"/workspace/a/y.txt"_s).parent(), QModelIndex(pa));
    }

    void bigChangesBecomeOneLayoutChange()
    {
        attachTester();
        m_model->reset(kRoot);
        QList<FileEntry> entries;
        for (int i = 0; i < 400; ++i)
            entries.append(i == 101 ? dir(kRoot, u"f%1"_s.arg(i, 4, 10, QChar(u'0')))
                                    : file(kRoot, u"f%1"_s.arg(i, 4, 10, QChar(u'0'))));
        m_model->setListing(listing(kRoot, entries));
        const QModelIndex folder = m_model->indexForPath(u"/workspace/f0101"_s);
        m_model->fetchMore(folder);
        m_model->setListing(listing(u"/workspace/f0101"_s, {file(u"/workspace/f0101"_s, u"inner"_s)}));
        const QPersistentModelIndex even(m_model->indexForPath(u"/workspace/f0300"_s));
        const QPersistentModelIndex gone(m_model->indexForPath(u"/workspace/f0100"_s));
        const QPersistentModelIndex inner(m_model->indexForPath(u"/workspace/f0101/inner"_s));
        QSignalSpy layout(m_model.get(), &QAbstractItemModel::layoutChanged);

        // Every even entry goes away: 200 separate runs.
        QList<FileEntry> odd;
        for (int i = 1; i < 400; i += 2)
            odd.append(entries.at(i));
        m_model->setListing(listing(kRoot, odd));
        QCOMPARE(layout.count(), 1);
        QCOMPARE(m_model->rowCount(), 200);
        QVERIFY(!gone.isValid());
        QVERIFY(!even.isValid());
        QVERIFY(inner.isValid());
        QCOMPARE(inner.parent().data(WorkspaceTreeModel::PathRole).toString(), u"/workspace/f0101"_s);
        QCOMPARE(inner.parent().row(), 50);
        QCOMPARE(m_model->index(50, 0).data().toString(), u"f0101"_s);
    }

    void aFolderThatBecameAFileLosesItsRows()
    {
        attachTester();
        loadSmallTree();
        const QPersistentModelIndex px(m_model->indexForPath(u"/workspace/a/x.txt"_s));
        m_model->setListing(listing(kRoot, {file(kRoot, u"a"_s), dir(kRoot, u"b"_s), file(kRoot, u"c.txt"_s),
                                            file(kRoot, u"d.txt"_s)}));
        QVERIFY(!px.isValid());
        const QModelIndex a = m_model->indexForPath(u"/workspace/a"_s);
        QVERIFY(!m_model->hasChildren(a));
        QCOMPARE(m_model->rowCount(a), 0);
        QVERIFY(!m_model->loadedFolders().contains(u"/workspace/a"_s));
    }

    void refreshPathsListsTheFoldersThatShowTheChange()
    {
        loadSmallTree();
        QSignalSpy asked(m_model.get(), &WorkspaceTreeModel::listingRequested);

        m_model->refreshPaths({u"/workspace/a/x.txt"_s}); // a changed file: its folder
        QCOMPARE(requested(asked), QStringList{u"/workspace/a"_s});
        m_model->setListing(listing(u"/workspace/a"_s, {file(u"/workspace/a"_s, u"x.txt"_s)}));

        asked.clear();
        m_model->refreshPaths({u"/workspace/a/"_s}); // a listed folder: it and its parent
        QCOMPARE(requested(asked), (QStringList{u"/workspace/a"_s, kRoot}));
        m_model->setListing(listing(u"/workspace/a"_s, {}));
        m_model->setListing(listing(kRoot, {dir(kRoot, u"a"_s), dir(kRoot, u"b"_s)}));

        asked.clear();
        m_model->refreshPaths({u"/workspace/new/deep/file.txt"_s}); // the nearest listed folder
        QCOMPARE(requested(asked), QStringList{kRoot});
        m_model->setListing(listing(kRoot, {dir(kRoot, u"a"_s), dir(kRoot, u"b"_s)}));

        asked.clear();
        m_model->refreshPaths({u"a/x.txt"_s}); // relative to the workspace, as the API allows
        QCOMPARE(requested(asked), QStringList{u"/workspace/a"_s});
        m_model->setListing(listing(u"/workspace/a"_s, {}));

        asked.clear();
        m_model->refreshPaths({u"/etc/passwd"_s, u"/workspace/b/z.txt"_s}); // outside; b never listed → root
        QCOMPARE(requested(asked), QStringList{kRoot});
    }

    void aChangeDuringALoadListsAgainAfterIt()
    {
        loadSmallTree();
        QSignalSpy asked(m_model.get(), &WorkspaceTreeModel::listingRequested);
        m_model->refreshPaths({u"/workspace/c.txt"_s});
        m_model->refreshPaths({u"/workspace/d.txt"_s}); // the first answer may predate this one
        QCOMPARE(asked.count(), 1);
        m_model->setListing(listing(kRoot, {dir(kRoot, u"a"_s)}));
        QCOMPARE(asked.count(), 2);
        QVERIFY(m_model->isLoading(kRoot));
        m_model->setListing(listing(kRoot, {dir(kRoot, u"a"_s)}));
        QCOMPARE(asked.count(), 2);
    }

    void answersForFoldersNoLongerShownAreIgnored()
    {
        attachTester();
        loadSmallTree();
        m_model->setListing(listing(u"/workspace/b/unasked"_s, {file(u"/workspace/b/unasked"_s, u"q"_s)}));
        m_model->setListingError(u"/nowhere"_s, u"x"_s);
        QCOMPARE(m_model->rowCount(), 4);
    }

    void rowsSayWhatTheyAre()
    {
        attachTester();
        loadSmallTree();
        m_model->setListing(
            listing(kRoot, {dir(kRoot, u"a"_s), file(kRoot, u"data.json"_s, 2048, 1772078705353),
                            file(kRoot, u"notes.txt"_s, 3 * 1024 * 1024 + 200 * 1024)}));
        const QModelIndex a = m_model->indexForPath(u"/workspace/a"_s);
        const QModelIndex json = m_model->indexForPath(u"/workspace/data.json"_s);
        const QModelIndex notes = m_model->indexForPath(u"/workspace/notes.txt"_s);
        QCOMPARE(json.data(WorkspaceTreeModel::MimeTypeRole).toString(), u"application/json"_s);
        QCOMPARE(a.data(WorkspaceTreeModel::MimeTypeRole).toString(), u"inode/directory"_s);
        QCOMPARE(notes.data(WorkspaceTreeModel::MimeTypeRole).toString(), u"text/plain"_s);
        QCOMPARE(a.siblingAtColumn(WorkspaceTreeModel::TypeColumn).data().toString(), u"Folder"_s);
        QVERIFY(!json.siblingAtColumn(WorkspaceTreeModel::TypeColumn).data().toString().isEmpty());
        QCOMPARE(json.siblingAtColumn(WorkspaceTreeModel::SizeColumn).data().toString(), u"2.0 KB"_s);
        QCOMPARE(notes.siblingAtColumn(WorkspaceTreeModel::SizeColumn).data().toString(), u"3.2 MB"_s);
        QCOMPARE(a.siblingAtColumn(WorkspaceTreeModel::SizeColumn).data().toString(), u"2 items"_s);
        QVERIFY(json.siblingAtColumn(WorkspaceTreeModel::ModifiedColumn)
                    .data()
                    .toString()
                    .startsWith(u"2026-02-2"_s));
        QCOMPARE(json.data(WorkspaceTreeModel::PathRole).toString(), u"/workspace/data.json"_s);
        QCOMPARE(json.data(WorkspaceTreeModel::IsDirectoryRole).toBool(), false);
        QCOMPARE(a.data(WorkspaceTreeModel::IsDirectoryRole).toBool(), true);
        QCOMPARE(m_model->pathAt(json), u"/workspace/data.json"_s);
        QCOMPARE(m_model->entryAt(json)->size, 2048);
        QCOMPARE(m_model->headerData(WorkspaceTreeModel::ModifiedColumn, Qt::Horizontal).toString(),
                 u"Modified"_s);
    }

    void dragsCarrySandboxPathsNotUrls()
    {
        loadSmallTree();
        const QModelIndex c = m_model->indexForPath(u"/workspace/c.txt"_s);
        const QModelIndex x = m_model->indexForPath(u"/workspace/a/x.txt"_s);
        std::unique_ptr<QMimeData> data(m_model->mimeData({c, c.siblingAtColumn(1), x}));
        QVERIFY(data);
        QVERIFY(data->hasFormat(QLatin1StringView(WorkspaceTreeModel::kPathsMimeType)));
        QVERIFY(!data->hasUrls());
        QCOMPARE(WorkspaceTreeModel::pathsFromMimeData(data.get()),
                 (QStringList{u"/workspace/c.txt"_s, u"/workspace/a/x.txt"_s}));
    }

    void droppedLocalFilesBecomeUploadsIntoTheFolder()
    {
        loadSmallTree();
        QSignalSpy dropped(m_model.get(), &WorkspaceTreeModel::filesDropped);
        QMimeData data;
        data.setUrls({QUrl::fromLocalFile(u"/tmp/report.md"_s), QUrl(u"https://example.com/x"_s)});
        const QModelIndex a = m_model->indexForPath(u"/workspace/a"_s);
        const QModelIndex c = m_model->indexForPath(u"/workspace/c.txt"_s);
        QVERIFY(m_model->canDropMimeData(&data, Qt::CopyAction, -1, -1, a));
        QVERIFY(!m_model->canDropMimeData(&data, Qt::MoveAction, -1, -1, a)); // never a move
        QVERIFY(m_model->dropMimeData(&data, Qt::CopyAction, -1, -1, a));
        QVERIFY(m_model->dropMimeData(&data, Qt::CopyAction, -1, -1, c)); // on a file: into its folder
        QVERIFY(m_model->dropMimeData(&data, Qt::CopyAction, -1, -1, {}));
        QCOMPARE(dropped.count(), 3);
        QCOMPARE(dropped.at(0).at(0).toStringList(), QStringList{u"/tmp/report.md"_s});
        QCOMPARE(dropped.at(0).at(1).toString(), u"/workspace/a"_s);
        QCOMPARE(dropped.at(1).at(1).toString(), kRoot);
        QCOMPARE(dropped.at(2).at(1).toString(), kRoot);
    }

    void hundredThousandEntriesLoadAndMergeFast()
    {
        // No tester here: it walks every row on every signal.
        constexpr int kCount = 100000;
        const QString big = u"/workspace/big"_s;
        m_model->reset(kRoot);
        m_model->setListing(listing(kRoot, {dir(kRoot, u"big"_s)}));
        m_model->fetchMore(m_model->indexForPath(big));
        QList<FileEntry> entries;
        entries.reserve(kCount);
        for (int i = 0; i < kCount; ++i)
            entries.append(file(big, u"file-%1.dat"_s.arg(i, 6, 10, QChar(u'0')), i));

        QElapsedTimer timer;
        timer.start();
        m_model->setListing(listing(big, entries));
        const qint64 loadMs = timer.elapsed();
        const QModelIndex folder = m_model->indexForPath(big);
        QCOMPARE(m_model->rowCount(folder), kCount);
        const QPersistentModelIndex survivor(m_model->indexForPath(big + u"/file-050000.dat"_s));
        QVERIFY(survivor.isValid());

        // A refresh where a few files went, a few came and a few changed: a few row signals.
        QList<FileEntry> next = entries;
        next.removeAt(70000);
        next.removeAt(10);
        next.insert(20000, file(big, u"file-019999a.dat"_s)); // out of order: the model sorts
        for (FileEntry &entry : next) {
            if (entry.name == u"file-050000.dat")
                entry.size = 7;
        }
        QSignalSpy layout(m_model.get(), &QAbstractItemModel::layoutChanged);
        timer.restart();
        m_model->setListing(listing(big, next));
        const qint64 smallMergeMs = timer.elapsed();
        QCOMPARE(layout.count(), 0);
        QCOMPARE(m_model->rowCount(folder), kCount - 1);
        QVERIFY(survivor.isValid());
        QCOMPARE(survivor.data(WorkspaceTreeModel::PathRole).toString(), big + u"/file-050000.dat"_s);
        QCOMPARE(survivor.data(WorkspaceTreeModel::SizeRole).toLongLong(), 7);

        // Half of them replaced: one layout change, still one pass.
        QList<FileEntry> half;
        half.reserve(kCount);
        for (int i = 0; i < kCount; ++i)
            half.append(file(big, u"file-%1.dat"_s.arg(i % 2 ? i : i + kCount, 6, 10, QChar(u'0')), i));
        timer.restart();
        m_model->setListing(listing(big, half));
        const qint64 bigMergeMs = timer.elapsed();
        QCOMPARE(m_model->rowCount(folder), kCount);
        QVERIFY(!survivor.isValid()); // 50000 is even: replaced
        qInfo("100k entries: load %lld ms, small merge %lld ms, half replaced %lld ms", loadMs, smallMergeMs,
              bigMergeMs);
        // Generous: the bench measures; this catches an accidental O(n²), which takes minutes.
        QVERIFY2(loadMs < 3000 && smallMergeMs < 3000 && bigMergeMs < 5000, "100k merge too slow");
    }
};

QTEST_GUILESS_MAIN(TestWorkspaceTreeModel)
#include "test_workspacetreemodel.moc"
