// SPDX-License-Identifier: MIT
// The download engine against a fake Banata file server: hostile names and planted symlinks never
// write outside the chosen folder; Range resumes after drops and outages; If-Range restarts;
// digests; conflicts; cancel; give-up; artifacts; throttled progress.
#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QSet>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "core/downloads/downloadmanager.h"
#include "core/downloads/safefilename.h"
#include "core/downloads/transferrate.h"
#include "support/awaitjob.h"
#include "support/fakefileserver.h"

using namespace banata;
using namespace banata::test;
using namespace Qt::StringLiterals;

using State = DownloadItem::State;
using Choice = DownloadManager::ConflictChoice;

namespace {

constexpr int kWaitMs = 15000;

QString stateName(State state)
{
    switch (state) {
    case State::Queued:
        return u"Queued"_s;
    case State::Running:
        return u"Running"_s;
    case State::Waiting:
        return u"Waiting"_s;
    case State::Verifying:
        return u"Verifying"_s;
    case State::Conflict:
        return u"Conflict"_s;
    case State::Completed:
        return u"Completed"_s;
    case State::Failed:
        return u"Failed"_s;
    case State::Cancelled:
        return u"Cancelled"_s;
    }
    return u"?"_s;
}

QString hexSha256(const QByteArray &data)
{
    return QString::fromLatin1(QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex());
}

QByteArray randomBytes(qsizetype size, quint32 seed)
{
    QByteArray data(size, Qt::Uninitialized);
    QRandomGenerator random(seed);
    for (qsizetype i = 0; i < size; ++i)
        data[i] = char(random.bounded(256));
    return data;
}

QByteArray contentOf(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

bool writeFile(const QString &path, const QByteArray &data)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(data) == data.size();
}

/// Every path under \a root, relative, symlinks marked and never followed.
QSet<QString> walk(const QString &root)
{
    QSet<QString> found;
    QDirIterator it(root, QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QFileInfo info(it.next());
        found.insert(QDir(root).relativeFilePath(info.filePath()) + (info.isSymLink() ? u"@"_s : QString()));
    }
    return found;
}

QStringList entriesOf(const QString &folder)
{
    return QDir(folder).entryList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot,
                                  QDir::Name);
}

} // namespace

class TestDownloadManager : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_root;
    QString m_dest;    // the folder the operator chose
    QString m_outside; // a neighbour nothing may touch
    std::unique_ptr<FakeFileServer> m_server;
    std::unique_ptr<DownloadManager> m_downloads;

    DownloadItem itemOf(int id) const { return m_downloads->item(id).value_or(DownloadItem{}); }
    State stateOf(int id) const { return itemOf(id).state; }
    mutable QByteArray m_description;
    /// For failure messages: valid until the next call.
    const char *describe(int id) const
    {
        const DownloadItem item = itemOf(id);
        m_description = u"%1 '%2' %3/%4 resumes=%5 error='%6'"_s.arg(stateName(item.state), item.fileName)
                            .arg(item.received)
                            .arg(item.total)
                            .arg(item.resumes)
                            .arg(item.error)
                            .toUtf8();
        return m_description.constData();
    }
    bool waitFor(int id, State state, int timeoutMs = kWaitMs)
    {
        return waitUntil([&] { return stateOf(id) == state; }, timeoutMs);
    }
    DownloadRequest fileRequest(const QString &remotePath, const QString &name = {}, int retries = 0) const
    {
        return DownloadRequest{.kind = DownloadRequest::Kind::File,
                               .client = m_server->client(retries),
                               .connectionName = u"Local"_s,
                               .sandboxId = u"sb_1"_s,
                               .sandboxName = u"demo"_s,
                               .remotePath = remotePath,
                               .artifactKey = {},
                               .suggestedName = name,
                               .folder = m_dest};
    }
    QList<State> statesSeen(QSignalSpy &spy) const
    {
        QList<State> states;
        for (const auto &args : spy) {
            const State state = args.at(0).value<DownloadItem>().state;
            if (states.isEmpty() || states.last() != state)
                states.append(state);
        }
        return states;
    }

private slots:
    void initTestCase()
    {
        qRegisterMetaType<DownloadItem>();
        QVERIFY(m_root.isValid());
    }

    void init()
    {
        m_dest = m_root.path() + u"/dest"_s;
        m_outside = m_root.path() + u"/outside"_s;
        QDir(m_dest).removeRecursively();
        QDir(m_outside).removeRecursively();
        QVERIFY(QDir().mkpath(m_dest));
        QVERIFY(QDir().mkpath(m_outside));
        m_server = std::make_unique<FakeFileServer>();
        m_downloads = std::make_unique<DownloadManager>();
        m_downloads->setRetryDelayMs(10);
    }

    void cleanup()
    {
        m_downloads.reset();
        m_server.reset();
    }

    void downloadsVerifiesAndPlacesAFile()
    {
        const QByteArray data = randomBytes(300 * 1024 + 7, 1);
        m_server->files[u"/workspace/out/report.bin"_s] = {data};
        QSignalSpy changed(m_downloads.get(), &DownloadManager::itemChanged);
        QSignalSpy added(m_downloads.get(), &DownloadManager::itemAdded);
        const int id = m_downloads->add(fileRequest(u"/workspace/out/report.bin"_s));
        QCOMPARE(added.size(), 1);
        QCOMPARE(added.first().at(0).value<DownloadItem>().state, State::Queued);
        QVERIFY2(waitFor(id, State::Completed), describe(id));
        const DownloadItem item = itemOf(id);
        QCOMPARE(item.fileName, u"report.bin"_s);
        QCOMPARE(item.localPath(), m_dest + u"/report.bin"_s);
        QCOMPARE(item.received, qint64(data.size()));
        QCOMPARE(item.total, qint64(data.size()));
        QCOMPARE(item.sha256, hexSha256(data));
        QVERIFY(item.verified); // by fs/checksum: a workspace file carries no Repr-Digest here
        QCOMPARE(m_server->checksums, 1);
        QVERIFY(item.startedAt > 0 && item.finishedAt >= item.startedAt);
        QCOMPARE(contentOf(item.localPath()), data);
        QCOMPARE(entriesOf(m_dest), QStringList{u"report.bin"_s}); // no .part left behind
        QCOMPARE(statesSeen(changed), (QList<State>{State::Running, State::Verifying, State::Completed}));
        QCOMPARE(m_downloads->activeCount(), 0);
    }

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

    void resumesWithRangeAfterTheServerDropsMidBody()
    {
        const QByteArray data = randomBytes(3 * 1024 * 1024 + 11, 3);
        m_server->files[u"/workspace/big.bin"_s] = {data, "\"e1\""_ba};
        m_server->dropNextAfter(1024 * 1024);
        QSignalSpy changed(m_downloads.get(), &DownloadManager::itemChanged);
        const int id = m_downloads->add(fileRequest(u"/workspace/big.bin"_s));
        QVERIFY2(waitFor(id, State::Completed), describe(id));
        QCOMPARE(contentOf(m_dest + u"/big.bin"_s), data);
        QCOMPARE(itemOf(id).resumes, 1);
        QVERIFY(itemOf(id).verified);
        QCOMPARE(m_server->downloadRequests.size(), 2);
        const RecordedRequest &second = m_server->downloadRequests.at(1);
        QCOMPARE(second.header("Range"_ba), "bytes=1048576-"_ba);
        QCOMPARE(second.header("If-Range"_ba), "\"e1\""_ba);
        QVERIFY(statesSeen(changed).contains(State::Waiting));
    }

    void jobLevelRetriesCountAsResumes()
    {
        // With the client's own retries (the app's default), a drop resumes inside one job.
        const QByteArray data = randomBytes(2 * 1024 * 1024, 4);
        m_server->files[u"/workspace/big.bin"_s] = {data};
        m_server->dropNextAfter(512 * 1024);
        const int id = m_downloads->add(fileRequest(u"/workspace/big.bin"_s, {}, 3));
        QVERIFY2(waitFor(id, State::Completed), describe(id));
        QCOMPARE(contentOf(m_dest + u"/big.bin"_s), data);
        QCOMPARE(itemOf(id).resumes, 1);
        QCOMPARE(m_server->downloadRequests.at(1).header("Range"_ba), "bytes=524288-"_ba);
    }

    void ifRangeMismatchRestartsFromZero()
    {
        const QByteArray first = randomBytes(1024 * 1024, 5);
        const QByteArray second = randomBytes(700 * 1024, 6);
        m_server->files[u"/workspace/f.bin"_s] = {first, "\"one\""_ba};
        m_server->dropNextAfter(400 * 1024);
        m_server->beforeDownload = [this, second](int request) {
            if (request == 2) // the file changed while we were away
                m_server->files[u"/workspace/f.bin"_s] = {second, "\"two\""_ba};
        };
        const int id = m_downloads->add(fileRequest(u"/workspace/f.bin"_s));
        QVERIFY2(waitFor(id, State::Completed), describe(id));
        QCOMPARE(m_server->downloadRequests.at(1).header("If-Range"_ba), "\"one\""_ba);
        QCOMPARE(contentOf(m_dest + u"/f.bin"_s), second);
        QCOMPARE(itemOf(id).resumes, 0);
        QCOMPARE(itemOf(id).sha256, hexSha256(second));
        QVERIFY(itemOf(id).verified);
    }

    void reprDigestMismatchFails()
    {
        const QByteArray data = randomBytes(200 * 1024, 7);
        m_server->files[u"/workspace/corrupt.bin"_s] = {data, "\"c\""_ba, false, "something else"_ba};
        const int id = m_downloads->add(fileRequest(u"/workspace/corrupt.bin"_s));
        QVERIFY2(waitFor(id, State::Failed), describe(id));
        QVERIFY2(itemOf(id).error.contains(u"SHA-256"_s), describe(id));
        QVERIFY(!itemOf(id).verified);
        QCOMPARE(m_server->checksums, 0);                        // the response's digest is what counts
        QVERIFY(!QFileInfo::exists(m_dest + u"/corrupt.bin"_s)); // never renamed into place
        QCOMPARE(entriesOf(m_dest), QStringList{u"corrupt.bin.part"_s});
    }

    void reprDigestMatchVerifiesAFolderArchive()
    {
        const QByteArray zip = randomBytes(150 * 1024, 8);
        m_server->files[u"/workspace/out"_s] = {zip, "\"z\""_ba, true};
        DownloadRequest request = fileRequest(u"/workspace/out"_s);
        request.kind = DownloadRequest::Kind::Folder;
        const int id = m_downloads->add(request);
        QCOMPARE(itemOf(id).fileName, u"out.zip"_s);
        QVERIFY2(waitFor(id, State::Completed), describe(id));
        QVERIFY(itemOf(id).verified);
        QCOMPARE(m_server->checksums, 0);
        QCOMPARE(m_server->downloadRequests.first().url().path(), u"/v1/sandboxes/fs/archive"_s);
        QCOMPARE(contentOf(m_dest + u"/out.zip"_s), zip);
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

    void cancelRemovesThePart()
    {
        // A body that never ends: the download runs until the operator cancels it.
        m_server->network.setHandler([](const QNetworkRequest &, const QByteArray &, const QByteArray &) {
            return FakeReplySpec::endless().header("ETag"_ba, "\"x\""_ba);
        });
        const int id = m_downloads->add(fileRequest(u"/workspace/endless"_s));
        QVERIFY2(waitUntil([&] { return itemOf(id).received > 256 * 1024; }, kWaitMs), describe(id));
        QCOMPARE(stateOf(id), State::Running);
        QCOMPARE(entriesOf(m_dest), QStringList{u"endless.part"_s});
        m_downloads->cancel(id);
        QCOMPARE(stateOf(id), State::Cancelled);
        QCOMPARE(entriesOf(m_dest), QStringList());
        QTRY_COMPARE(m_server->network.openReplies(), 0);
        m_downloads->cancel(id); // finished: no-op
        QCOMPARE(stateOf(id), State::Cancelled);
    }

    void waitsWhileTheServerIsAwayThenResumes()
    {
        const QByteArray data = randomBytes(2 * 1024 * 1024, 9);
        m_server->files[u"/workspace/big.bin"_s] = {data};
        m_server->dropNextAfter(600 * 1024);
        m_server->beforeDownload = [this](int request) {
            if (request == 1)
                m_server->down = true; // the first body is cut and the server goes away
        };
        m_downloads->setRetryDelayMs(50);
        const int id = m_downloads->add(fileRequest(u"/workspace/big.bin"_s));
        QVERIFY2(waitFor(id, State::Waiting), describe(id));
        QVERIFY2(itemOf(id).error.startsWith(u"Server not reachable — retrying in "_s), describe(id));
        QCOMPARE(itemOf(id).bytesPerSecond, 0.0);
        QVERIFY(QFileInfo::exists(m_dest + u"/big.bin.part"_s));
        const int attemptsBefore = m_server->network.requests().size();
        QVERIFY(waitUntil([&] { return m_server->network.requests().size() >= attemptsBefore + 2; },
                          kWaitMs)); // still trying
        QCOMPARE(stateOf(id), State::Waiting);

        m_server->down = false;
        QVERIFY2(waitFor(id, State::Completed), describe(id));
        QCOMPARE(contentOf(m_dest + u"/big.bin"_s), data);
        QCOMPARE(itemOf(id).resumes, 1);
        QVERIFY(itemOf(id).error.isEmpty());
    }

    void givesUpWhenTheServerStaysAway()
    {
        m_server->down = true;
        m_downloads->setGiveUpAfterMs(200);
        const int id = m_downloads->add(fileRequest(u"/workspace/x"_s));
        QVERIFY2(waitFor(id, State::Failed), describe(id));
        QVERIFY2(itemOf(id).error.contains(u"gave up"_s), describe(id));
        QVERIFY(m_server->network.requests().size() >= 2);
    }

    void clientErrorFailsWithTheServersMessage()
    {
        const int id = m_downloads->add(fileRequest(u"/workspace/missing.txt"_s));
        QVERIFY2(waitFor(id, State::Failed), describe(id));
        QVERIFY2(itemOf(id).error.contains(u"No such file"_s), describe(id));
        QCOMPARE(m_server->downloads, 1); // a 404 is not retried
        QCOMPARE(entriesOf(m_dest), QStringList{u"missing.txt.part"_s});

        // retry() starts again once the file is there.
        m_server->files[u"/workspace/missing.txt"_s] = {"here now"_ba};
        m_downloads->retry(id);
        QVERIFY2(waitFor(id, State::Completed), describe(id));
        QCOMPARE(contentOf(m_dest + u"/missing.txt"_s), "here now"_ba);
    }

    void fileChangedDuringTheDownloadRestartsOnce()
    {
        const QByteArray data = randomBytes(64 * 1024, 10);
        m_server->files[u"/workspace/busy.log"_s] = {data, "\"a\""_ba};
        int checks = 0;
        m_server->checksumEtag = [&checks](const QString &) {
            return ++checks == 1 ? "\"changed\""_ba : "\"a\""_ba;
        };
        const int id = m_downloads->add(fileRequest(u"/workspace/busy.log"_s));
        QVERIFY2(waitFor(id, State::Completed), describe(id));
        QCOMPARE(m_server->downloads, 2);
        QCOMPARE(m_server->downloadRequests.at(1).header("Range"_ba), QByteArray()); // from zero
        QVERIFY(itemOf(id).verified);
    }

    void fileThatKeepsChangingFails()
    {
        m_server->files[u"/workspace/busy.log"_s] = {"x"_ba, "\"a\""_ba};
        m_server->checksumEtag = [](const QString &) {
            return "\"always-different\""_ba;
        };
        const int id = m_downloads->add(fileRequest(u"/workspace/busy.log"_s));
        QVERIFY2(waitFor(id, State::Failed), describe(id));
        QCOMPARE(itemOf(id).error, u"The file keeps changing on the server"_s);
        QCOMPARE(m_server->downloads, 2);
        QVERIFY(!QFileInfo::exists(m_dest + u"/busy.log"_s));
    }

    void artifactAsksForAFreshUrlOnEveryAttempt()
    {
        const QByteArray pdf = randomBytes(900 * 1024, 11);
        m_server->files[u"customer-a/report.pdf"_s] = {pdf, "\"art\""_ba, true};
        m_server->dropNextAfter(300 * 1024);
        DownloadRequest request = fileRequest({});
        request.kind = DownloadRequest::Kind::Artifact;
        request.artifactKey = u"customer-a/report.pdf"_s;
        const int id = m_downloads->add(request);
        QCOMPARE(itemOf(id).fileName, u"report.pdf"_s);
        QCOMPARE(itemOf(id).remotePath, u"customer-a/report.pdf"_s);
        QVERIFY2(waitFor(id, State::Completed), describe(id));
        QCOMPARE(contentOf(m_dest + u"/report.pdf"_s), pdf);
        QCOMPARE(m_server->urlRequests, 2); // tokens are single-use here, as they may expire
        QCOMPARE(itemOf(id).resumes, 1);
        QVERIFY(itemOf(id).verified);
        for (const RecordedRequest &sent : std::as_const(m_server->downloadRequests)) {
            QCOMPARE(sent.url().path(), u"/v1/artifacts/download"_s);
            QVERIFY(sent.header("Authorization"_ba).isEmpty()); // the URL is the credential
        }
    }

    void progressIsThrottledAndConcurrencyLimited()
    {
        const QByteArray data = randomBytes(4 * 1024 * 1024, 12);
        m_server->files[u"/workspace/a.bin"_s] = {data};
        m_server->files[u"/workspace/b.bin"_s] = {data};
        m_server->chunkSize = 4 * 1024; // 1024 chunks, each a progress report of the job
        m_downloads->setMaxConcurrent(1);
        QSignalSpy changed(m_downloads.get(), &DownloadManager::itemChanged);
        QHash<int, State> states;
        int mostAtOnce = 0;
        QObject context;
        connect(m_downloads.get(), &DownloadManager::itemChanged, &context, [&](const DownloadItem &item) {
            states[item.id] = item.state;
            mostAtOnce =
                std::max(mostAtOnce, int(std::count_if(states.cbegin(), states.cend(), [](State state) {
                             return state == State::Running || state == State::Waiting;
                         })));
        });
        QElapsedTimer clock;
        clock.start();
        const int a = m_downloads->add(fileRequest(u"/workspace/a.bin"_s));
        const int b = m_downloads->add(fileRequest(u"/workspace/b.bin"_s));
        QVERIFY2(waitFor(b, State::Completed), describe(b));
        QCOMPARE(stateOf(a), State::Completed);
        QCOMPARE(mostAtOnce, 1); // one at a time
        // At most ~10 progress reports a second per download, plus its state changes.
        const qint64 allowed = 2 * (clock.elapsed() / 100 + 2) + 2 * 6;
        QVERIFY2(changed.size() <= allowed,
                 qPrintable(u"%1 changes in %2 ms"_s.arg(changed.size()).arg(clock.elapsed())));
    }

    void transferRateIsSmoothedAndFalls()
    {
        TransferRate rate(3000);
        QCOMPARE(rate.bytesPerSecond(0), 0.0);
        for (qint64 t = 0; t <= 2000; t += 50)
            rate.add(t, t * 1000); // 1 MB/s
        QVERIFY(qAbs(rate.bytesPerSecond(2000) - 1e6) < 1e4);
        QCOMPARE(rate.remainingMs(2000, 500000), 500);
        rate.add(2100, 2000000 + 10000000); // one burst barely moves the average
        QVERIFY(rate.bytesPerSecond(2100) < 6e6);
        QCOMPARE(rate.bytesPerSecond(6000), 0.0); // nothing for a whole window
        QCOMPARE(rate.remainingMs(6000, 100), -1);
        rate.reset();
        QCOMPARE(rate.bytesPerSecond(6000), 0.0);
    }

    void clearFinishedForgetsOnlyFinished()
    {
        m_server->files[u"/workspace/a"_s] = {"a"_ba};
        QVERIFY(writeFile(m_dest + u"/b"_s, "exists"_ba));
        const int a = m_downloads->add(fileRequest(u"/workspace/a"_s));
        const int b = m_downloads->add(fileRequest(u"/workspace/b"_s));
        QVERIFY(waitFor(a, State::Completed));
        QSignalSpy removed(m_downloads.get(), &DownloadManager::itemRemoved);
        m_downloads->clearFinished();
        QCOMPARE(removed.size(), 1);
        QCOMPARE(removed.first().at(0).toInt(), a);
        QCOMPARE(m_downloads->items().size(), 1);
        QCOMPARE(m_downloads->items().first().id, b);
        QVERIFY(QFileInfo::exists(m_dest + u"/a"_s)); // the files stay
    }
};

QTEST_GUILESS_MAIN(TestDownloadManager)
#include "test_downloadmanager.moc"
