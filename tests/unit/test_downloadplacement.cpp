// SPDX-License-Identifier: MIT
// Where downloads land: hostile names and planted symlinks never write outside the chosen folder,
// .part names that are not ours are left alone, and existing files are never overwritten unasked.
#include "downloadmanagertest.h"

using namespace banata;
using namespace banata::test;
using namespace Qt::StringLiterals;

class TestDownloadPlacement : public DownloadManagerTest
{
    Q_OBJECT

private slots:
    void hostileNamesStayInsideTheFolder()
    {
        // The listing is the server's: every name in it is an attack on the local disk.
        const QStringList hostile = {
            u".."_s,
            u"."_s,
            u"../../outside/pwned.txt"_s,
            u"/etc/passwd"_s,
            u"a/b/../../../escape.txt"_s,
            u"..\\..\\outside\\win.txt"_s,
            u"ctl\u0001\n.txt"_s,
            QStringView(u"nul\0byte.txt", 12).toString(),
            u"bad\uFFFD.txt"_s,
            u"CON"_s,
            u"nul.txt"_s,
            u"COM1.tar.gz"_s,
            u" .hidden"_s,
            u"trailing. . "_s,
            QString(300, u'x') + u".txt"_s,
            QString(),
            u"~"_s,
            u"invoice\u202Efdp.exe"_s,
            u"../"_s,
        };
        QList<FileEntry> entries;
        for (qsizetype i = 0; i < hostile.size(); ++i) {
            const QString path = u"/workspace/f%1"_s.arg(i);
            entries.append({hostile.at(i), path, FileEntry::Type::File, 10, 0, 0644});
            m_server->files[path] = {u"content %1"_s.arg(i).toUtf8()};
        }
        m_server->listing = entries;
        // ...and a remote path that is an attack on its own, with no name given.
        m_server->files[u"/workspace/../../../outside/by-path"_s] = {"by path"_ba};

        AWAIT_OK(listing, m_server->client().listFiles(u"sb_1"_s, u"/workspace"_s));
        QCOMPARE(listing.entries.size(), hostile.size());
        QVERIFY(QFile::link(m_outside, m_dest + u"/linked-out"_s)); // a symlink already in the folder
        const QSet<QString> before = walk(m_root.path());

        QList<int> ids;
        for (const FileEntry &entry : listing.entries)
            ids.append(m_downloads->add(fileRequest(entry.path, entry.name)));
        ids.append(m_downloads->add(fileRequest(u"/workspace/../../../outside/by-path"_s)));
        // Names that collide ("." and ".." both become "download") ask; keep both.
        QVERIFY(waitUntil(
            [&] {
                bool allDone = true;
                for (int id : std::as_const(ids)) {
                    if (stateOf(id) == State::Conflict)
                        m_downloads->resolveConflict(id, Choice::KeepBoth);
                    allDone = allDone && itemOf(id).isFinished();
                }
                return allDone;
            },
            kWaitMs));

        for (qsizetype i = 0; i < ids.size(); ++i) {
            const DownloadItem item = itemOf(ids.at(i));
            QVERIFY2(item.state == State::Completed, describe(ids.at(i)));
            const QString remote =
                i < hostile.size() ? listing.entries.at(i).path : u"/workspace/../../../outside/by-path"_s;
            const QString name = i < hostile.size() ? listing.entries.at(i).name : QString();
            const QString expected = safeFileName(name.isEmpty() ? remote : name);
            QStringList acceptable{expected};
            for (int n = 1; n <= 3; ++n)
                acceptable.append(numberedFileName(expected, n)); // collisions were kept both
            QVERIFY2(acceptable.contains(item.fileName), describe(ids.at(i)));
            QCOMPARE(contentOf(item.localPath()), m_server->files.value(remote).data);
            QCOMPARE(QFileInfo(item.localPath()).absolutePath(), QFileInfo(m_dest).absoluteFilePath());
        }

        // Walk the whole temporary tree: everything new is a plain file directly in dest.
        const QSet<QString> after = walk(m_root.path());
        QVERIFY(before.isEmpty() || after.contains(before)); // nothing removed or replaced
        const QSet<QString> added = after - before;
        QCOMPARE(added.size(), ids.size());
        for (const QString &path : added) {
            QVERIFY2(path.startsWith(u"dest/"_s) && !path.mid(5).contains(u'/') && !path.endsWith(u'@'),
                     qPrintable(path));
            QVERIFY2(!path.endsWith(u".part"_s), qPrintable(path));
        }
        QCOMPARE(entriesOf(m_outside), QStringList());
    }

    void symlinkAtTheTargetIsNotFollowed()
    {
        m_server->files[u"/workspace/report.txt"_s] = {"new report"_ba};
        const QString victim = m_outside + u"/victim.txt"_s;
        QVERIFY(writeFile(victim, "original"_ba));
        QVERIFY(QFile::link(victim, m_dest + u"/report.txt"_s));

        QSignalSpy added(m_downloads.get(), &DownloadManager::itemAdded);
        const int id = m_downloads->add(fileRequest(u"/workspace/report.txt"_s));
        // A dangling-or-not symlink is a taken name: ask before any byte moves.
        QCOMPARE(added.first().at(0).value<DownloadItem>().state, State::Conflict);
        QCOMPARE(stateOf(id), State::Conflict);
        QCOMPARE(m_server->downloads, 0);

        m_downloads->resolveConflict(id, Choice::Replace);
        QVERIFY2(waitFor(id, State::Completed), describe(id));
        QCOMPARE(contentOf(victim), "original"_ba); // the link's target is untouched
        const QFileInfo placed(m_dest + u"/report.txt"_s);
        QVERIFY(!placed.isSymLink()); // the link itself was replaced
        QCOMPARE(contentOf(placed.filePath()), "new report"_ba);
    }

    void symlinkAtThePartNameIsNotFollowed()
    {
        m_server->files[u"/workspace/data.bin"_s] = {randomBytes(100 * 1024, 2)};
        const QString target = m_outside + u"/would-be-created"_s;
        QVERIFY(QFile::link(target, m_dest + u"/data.bin.part"_s));
        const int id = m_downloads->add(fileRequest(u"/workspace/data.bin"_s));
        QVERIFY2(waitFor(id, State::Completed), describe(id));
        QVERIFY(!QFileInfo::exists(target));
        QVERIFY(QFileInfo(m_dest + u"/data.bin.part"_s).isSymLink()); // not ours: left alone
        QCOMPARE(contentOf(m_dest + u"/data.bin"_s), m_server->files[u"/workspace/data.bin"_s].data);
        QCOMPARE(entriesOf(m_dest), (QStringList{u"data.bin"_s, u"data.bin.part"_s}));
    }

    void partNotOursGetsANumberedName()
    {
        const QByteArray theirs = "someone else's partial file"_ba;
        QVERIFY(writeFile(m_dest + u"/log.txt.part"_s, theirs));
        m_server->files[u"/workspace/log.txt"_s] = {"log"_ba};
        m_server->beforeDownload = [this](int) {
            // While the body streams, our part is the numbered one.
            QVERIFY(QFileInfo::exists(m_dest + u"/log.txt (1).part"_s));
        };
        const int id = m_downloads->add(fileRequest(u"/workspace/log.txt"_s));
        QVERIFY2(waitFor(id, State::Completed), describe(id));
        QCOMPARE(contentOf(m_dest + u"/log.txt.part"_s), theirs);
        QCOMPARE(contentOf(m_dest + u"/log.txt"_s), "log"_ba);
    }

    void conflictChoices_data()
    {
        QTest::addColumn<int>("choice");
        QTest::newRow("replace") << int(Choice::Replace);
        QTest::newRow("keep both") << int(Choice::KeepBoth);
        QTest::newRow("skip") << int(Choice::Skip);
    }

    void conflictChoices()
    {
        QFETCH(int, choice);
        QVERIFY(writeFile(m_dest + u"/report.pdf"_s, "old"_ba));
        QVERIFY(writeFile(m_dest + u"/report (1).pdf"_s, "older"_ba));
        m_server->files[u"/workspace/report.pdf"_s] = {"new"_ba};
        const int id = m_downloads->add(fileRequest(u"/workspace/report.pdf"_s));
        QCOMPARE(stateOf(id), State::Conflict);
        m_downloads->resolveConflict(id, Choice(choice));
        switch (Choice(choice)) {
        case Choice::Replace:
            QVERIFY2(waitFor(id, State::Completed), describe(id));
            QCOMPARE(contentOf(m_dest + u"/report.pdf"_s), "new"_ba);
            QCOMPARE(entriesOf(m_dest), (QStringList{u"report (1).pdf"_s, u"report.pdf"_s}));
            break;
        case Choice::KeepBoth:
            QVERIFY2(waitFor(id, State::Completed), describe(id));
            QCOMPARE(itemOf(id).fileName, u"report (2).pdf"_s);
            QCOMPARE(contentOf(m_dest + u"/report.pdf"_s), "old"_ba);
            QCOMPARE(contentOf(m_dest + u"/report (1).pdf"_s), "older"_ba);
            QCOMPARE(contentOf(m_dest + u"/report (2).pdf"_s), "new"_ba);
            break;
        case Choice::Skip:
            QCOMPARE(stateOf(id), State::Cancelled);
            QCOMPARE(m_server->downloads, 0); // no bandwidth spent
            QCOMPARE(contentOf(m_dest + u"/report.pdf"_s), "old"_ba);
            QCOMPARE(entriesOf(m_dest), (QStringList{u"report (1).pdf"_s, u"report.pdf"_s}));
            break;
        }
    }

    void fileAppearingDuringTheDownloadIsAConflict()
    {
        m_server->files[u"/workspace/late.txt"_s] = {"from the server"_ba};
        m_server->beforeDownload = [this](int) {
            QVERIFY(writeFile(m_dest + u"/late.txt"_s, "made meanwhile"_ba));
        };
        const int id = m_downloads->add(fileRequest(u"/workspace/late.txt"_s));
        QVERIFY2(waitFor(id, State::Conflict), describe(id));
        QCOMPARE(contentOf(m_dest + u"/late.txt"_s), "made meanwhile"_ba); // RENAME_NOREPLACE held
        m_downloads->resolveConflict(id, Choice::KeepBoth);
        QVERIFY2(waitFor(id, State::Completed), describe(id));
        QCOMPARE(itemOf(id).fileName, u"late (1).txt"_s);
        QCOMPARE(contentOf(m_dest + u"/late (1).txt"_s), "from the server"_ba);
        QCOMPARE(m_server->downloads, 1); // verified bytes were placed, not fetched again
    }
};

QTEST_GUILESS_MAIN(TestDownloadPlacement)
#include "test_downloadplacement.moc"
