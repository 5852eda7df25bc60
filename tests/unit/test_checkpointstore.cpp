// SPDX-License-Identifier: MIT
// CheckpointStore: byte-identical create/restore (files, modes, times, symlinks, holes, FIFOs),
// the workspace inode kept, rollback and crash recovery, and deletion that never follows links.
#include "server/workspace/checkpointstore.h"
#include "server/workspace/treecopy.h"
#include "support/workspacetest.h"

#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QRandomGenerator>
#include <QTest>

#include <algorithm>
#include <cstdio>

#include <dirent.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace banata::server;
using namespace banata::test;
using namespace Qt::StringLiterals;
using Kind = FsError::Kind;

namespace {

QString hashFile(const QByteArray &path)
{
    QFile file(QFile::decodeName(path));
    if (!file.open(QIODevice::ReadOnly))
        return u"unreadable"_s;
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(&file);
    return QString::fromLatin1(hash.result().toHex());
}

/// One line per entry, recursively and without following links: path, type, permission bits,
/// mtime (ns), and for files size + sha256, for links the target. Directory sizes are left out
/// (ext4 never shrinks a directory).
void walk(const QByteArray &path, const QByteArray &relative, QStringList &out)
{
    struct stat st;
    if (::lstat(path.constData(), &st) < 0) {
        out << QString::fromUtf8(relative) + u" lstat failed"_s;
        return;
    }
    QString line = QString::fromUtf8(relative) + u' ' + QString::number(st.st_mode & 07777, 8) + u' '
        + QString::number(qint64(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec) + u' ';
    if (S_ISREG(st.st_mode)) {
        out << line + u"file "_s + QString::number(st.st_size) + u' ' + hashFile(path);
    } else if (S_ISLNK(st.st_mode)) {
        char target[4096];
        const ssize_t n = ::readlink(path.constData(), target, sizeof target);
        out << line + u"link "_s + QString::fromUtf8(target, qsizetype(std::max<ssize_t>(n, 0)));
    } else if (S_ISFIFO(st.st_mode)) {
        out << line + u"fifo"_s;
    } else if (S_ISDIR(st.st_mode)) {
        out << line + u"dir"_s;
        QList<QByteArray> names;
        if (DIR *dir = ::opendir(path.constData())) {
            while (const dirent *entry = ::readdir(dir)) {
                const QByteArray name(entry->d_name);
                if (name != "." && name != "..")
                    names << name;
            }
            ::closedir(dir);
        }
        std::sort(names.begin(), names.end());
        for (const QByteArray &name : names)
            walk(path + '/' + name, relative + '/' + name, out);
    } else {
        out << line + u"other"_s;
    }
}

QStringList manifest(const QString &dir)
{
    QStringList out;
    walk(nativePath(dir), ".", out);
    return out;
}

ino_t inodeOf(const QString &path)
{
    struct stat st;
    return ::lstat(nativePath(path).constData(), &st) == 0 ? st.st_ino : 0;
}

bool setImmutable(const QString &path, bool on)
{
    const int fd = ::open(nativePath(path).constData(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return false;
    int flags = 0;
    bool ok = ::ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0;
    flags = on ? flags | FS_IMMUTABLE_FL : flags & ~FS_IMMUTABLE_FL;
    ok = ok && ::ioctl(fd, FS_IOC_SETFLAGS, &flags) == 0;
    ::close(fd);
    return ok;
}

} // namespace

class TestCheckpointStore : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<ScratchTree> m_tmp;
    QString m_root;    // <tmp>/root with workspace/ and home/
    QString m_outside; // <tmp>/outside with canary.txt

    QString ws(const QString &relative) const { return m_root + u"/workspace/"_s + relative; }
    QString home(const QString &relative) const { return m_root + u"/home/"_s + relative; }

    void verifyOutsideUntouched() { m_tmp->verifyOutsideUntouched(); }

    void verifyNoLeftovers()
    {
        verifyNoTemporaries(m_root);
        if (!QTest::currentTestFailed())
            verifyNoTemporaries(m_root + u"/checkpoints"_s);
    }

    /// A tree with everything a checkpoint must reproduce.
    void populate()
    {
        QVERIFY(QDir().mkpath(ws(u"src/nested/deeper"_s)));
        QVERIFY(QDir().mkpath(ws(u"empty dir"_s)));
        QVERIFY(QDir().mkpath(ws(u"readonly"_s)));
        QVERIFY(QDir().mkpath(home(u".config/chromium/Default"_s)));
        QVERIFY(writeHostFile(ws(u"src/main.py"_s), "print('hi')\n"));
        QVERIFY(writeHostFile(ws(u"src/nested/deeper/ünïcødé 日本.txt"_s), "unicode"));
        QVERIFY(writeHostFile(ws(u"secret.key"_s), "0600"));
        QVERIFY(writeHostFile(ws(u"run.sh"_s), "#!/bin/sh\n"));
        QVERIFY(writeHostFile(ws(u"empty.txt"_s), QByteArray()));
        QVERIFY(writeHostFile(ws(u"readonly/inside.txt"_s), "ro"));
        QVERIFY(writeHostFile(home(u".config/chromium/Default/Cookies"_s), QByteArray(5000, 'c')));
        QCOMPARE(::chmod(nativePath(ws(u"secret.key"_s)).constData(), 0600), 0);
        QCOMPARE(::chmod(nativePath(ws(u"run.sh"_s)).constData(), 0755), 0);
        QCOMPARE(::symlink("src/main.py", nativePath(ws(u"link-inside"_s)).constData()), 0);
        QCOMPARE(::symlink(nativePath(m_outside + u"/canary.txt"_s).constData(),
                           nativePath(ws(u"link-outside"_s)).constData()), 0);
        QCOMPARE(::symlink("../../outside", nativePath(ws(u"src/link-up"_s)).constData()), 0);
        QCOMPARE(::symlink("dangling-target", nativePath(home(u"dangling"_s)).constData()), 0);
        QCOMPARE(::mkfifo(nativePath(ws(u"pipe"_s)).constData(), 0640), 0);

        // Sparse: 64 MiB with two 4 KiB data blocks.
        const int fd = ::open(nativePath(ws(u"sparse.img"_s)).constData(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
        QVERIFY(fd >= 0);
        const QByteArray block(4096, 'S');
        QCOMPARE(::pwrite(fd, block.constData(), block.size(), 0), block.size());
        QCOMPARE(::pwrite(fd, block.constData(), block.size(), 32 << 20), block.size());
        QCOMPARE(::ftruncate(fd, 64 << 20), 0);
        ::close(fd);

        QCOMPARE(::chmod(nativePath(ws(u"readonly"_s)).constData(), 0555), 0);
        QCOMPARE(::chmod(nativePath(ws(u"src/nested"_s)).constData(), 0700), 0);
        // Distinct, old mtimes so that "restored" cannot pass by accident.
        const timespec old[2] = {{1'600'000'000, 123456789}, {1'600'000'000, 123456789}};
        QCOMPARE(::utimensat(AT_FDCWD, nativePath(ws(u"src"_s)).constData(), old, 0), 0);
        QCOMPARE(::utimensat(AT_FDCWD, nativePath(ws(u"run.sh"_s)).constData(), old, 0), 0);
        QCOMPARE(::utimensat(AT_FDCWD, nativePath(ws(u"link-inside"_s)).constData(), old, AT_SYMLINK_NOFOLLOW), 0);
    }

    /// Changes everything populate() made, in every way a sandbox could.
    void mutate()
    {
        QCOMPARE(::chmod(nativePath(ws(u"readonly"_s)).constData(), 0755), 0);
        QVERIFY(QFile::remove(ws(u"readonly/inside.txt"_s)));
        QVERIFY(writeHostFile(ws(u"src/main.py"_s), "print('HI')\n")); // same size
        QVERIFY(writeHostFile(ws(u"src/new.py"_s), "new"));
        QVERIFY(QFile::remove(ws(u"secret.key"_s)));
        QVERIFY(QDir(ws(u"empty dir"_s)).removeRecursively());
        QVERIFY(writeHostFile(ws(u"empty dir"_s), "now a file"));
        QCOMPARE(::chmod(nativePath(ws(u"run.sh"_s)).constData(), 0644), 0);
        QVERIFY(QFile::remove(ws(u"link-inside"_s)));
        QCOMPARE(::symlink("run.sh", nativePath(ws(u"link-inside"_s)).constData()), 0);
        QCOMPARE(::symlink("/etc", nativePath(ws(u"new-link"_s)).constData()), 0);
        QVERIFY(QDir().mkpath(ws(u"added/dir/tree"_s)));
        QCOMPARE(::chmod(nativePath(ws(u"added/dir"_s)).constData(), 0500), 0);
        QVERIFY(writeHostFile(ws(u"sparse.img"_s), "no longer sparse"));
        QVERIFY(writeHostFile(home(u".config/chromium/Default/Cookies"_s), "logged out"));
        QVERIFY(writeHostFile(home(u"Downloads.txt"_s), "new in home"));
    }

private slots:
    void init()
    {
        m_tmp = std::make_unique<ScratchTree>();
        QVERIFY(m_tmp->isValid());
        m_root = m_tmp->root();
        m_outside = m_tmp->outside();
        QVERIFY(QDir().mkpath(m_root + u"/home"_s));
    }

    void cleanup() { m_tmp.reset(); }

    void createAndRestoreIsExact()
    {
        populate();
        const QStringList workspaceBefore = manifest(m_root + u"/workspace"_s);
        const QStringList homeBefore = manifest(m_root + u"/home"_s);
        const CheckpointStore store(m_root);

        const auto created = store.create(u"cp1"_s);
        VERIFY_OK(created);
        QCOMPARE(created->fileCount, 13); // workspace/: 7 files, 3 links, 1 FIFO; home/: 1 file, 1 link
        QCOMPARE(created->sizeBytes, qint64(12 + 7 + 4 + 10 + 0 + 2 + (64 << 20) + 5000));
        QCOMPARE(manifest(m_root + u"/checkpoints/cp1/workspace"_s), workspaceBefore);
        QCOMPARE(manifest(m_root + u"/checkpoints/cp1/home"_s), homeBefore);
        struct stat sparse;
        QCOMPARE(::stat(nativePath(m_root + u"/checkpoints/cp1/workspace/sparse.img"_s).constData(), &sparse), 0);
        QVERIFY2(sparse.st_blocks * 512 < (1 << 20), "the checkpoint copy of a sparse file must stay sparse");
        verifyNoLeftovers();

        mutate();
        QVERIFY(manifest(m_root + u"/workspace"_s) != workspaceBefore);
        const ino_t workspaceInode = inodeOf(m_root + u"/workspace"_s);
        const ino_t homeInode = inodeOf(m_root + u"/home"_s);
        // A bind mount holds the directory inode: an fd opened before must see the restored tree.
        const int heldFd = ::open(nativePath(m_root + u"/workspace"_s).constData(), O_PATH | O_DIRECTORY | O_CLOEXEC);
        QVERIFY(heldFd >= 0);

        const auto restored = store.restore(u"cp1"_s);
        VERIFY_OK(restored);
        QCOMPARE(restored->fileCount, created->fileCount);
        QCOMPARE(manifest(m_root + u"/workspace"_s), workspaceBefore);
        QCOMPARE(manifest(m_root + u"/home"_s), homeBefore);
        QCOMPARE(inodeOf(m_root + u"/workspace"_s), workspaceInode);
        QCOMPARE(inodeOf(m_root + u"/home"_s), homeInode);
        const int secret = ::openat(heldFd, "secret.key", O_RDONLY | O_CLOEXEC);
        QVERIFY(secret >= 0);
        char buffer[8] = {};
        QCOMPARE(::read(secret, buffer, sizeof buffer), 4);
        QCOMPARE(QByteArray(buffer), QByteArray("0600"));
        ::close(secret);
        ::close(heldFd);
        QVERIFY(::stat(nativePath(ws(u"sparse.img"_s)).constData(), &sparse) == 0 && sparse.st_blocks * 512 < (1 << 20));
        verifyNoLeftovers();
        verifyOutsideUntouched();

        // Restoring twice is fine, and the checkpoint itself is unchanged by restoring.
        VERIFY_OK(store.restore(u"cp1"_s));
        QCOMPARE(manifest(m_root + u"/workspace"_s), workspaceBefore);
        QCOMPARE(manifest(m_root + u"/checkpoints/cp1/workspace"_s), workspaceBefore);
    }

    void idsAndMissingCheckpoints()
    {
        const CheckpointStore store(m_root);
        for (const QString &id : {QString(), u"../x"_s, u"a/b"_s, u".hidden"_s, u"ü"_s, QString(129, u'a'), u"a b"_s})
            VERIFY_FAILS(store.create(id), Kind::InvalidPath);
        VERIFY_FAILS(store.restore(u"../../etc"_s), Kind::InvalidPath);
        VERIFY_FAILS(store.restore(u"nope"_s), Kind::NotFound);
        VERIFY_FAILS(store.remove(u"nope"_s), Kind::NotFound);
        VERIFY_OK(store.create(u"cp-1_A"_s));
        VERIFY_FAILS(store.create(u"cp-1_A"_s), Kind::AlreadyExists);
        VERIFY_OK(store.remove(u"cp-1_A"_s));
        QVERIFY(!QFileInfo::exists(m_root + u"/checkpoints/cp-1_A"_s));
        VERIFY_FAILS(store.remove(u"cp-1_A"_s), Kind::NotFound);
        VERIFY_FAILS(store.restore(u"cp-1_A"_s), Kind::NotFound);
        verifyNoLeftovers();
    }

    void createIsCompleteOrAbsent()
    {
        // 200 nested directories exceed the copy's depth limit: create fails and leaves nothing.
        QVERIFY(writeHostFile(ws(u"file"_s), "x"));
        int fd = ::open(nativePath(m_root + u"/workspace"_s).constData(), O_PATH | O_DIRECTORY | O_CLOEXEC);
        for (int i = 0; i < 200; ++i) {
            QCOMPARE(::mkdirat(fd, "d", 0755), 0);
            const int next = ::openat(fd, "d", O_PATH | O_DIRECTORY | O_CLOEXEC);
            ::close(fd);
            fd = next;
        }
        ::close(fd);
        const CheckpointStore store(m_root);
        VERIFY_FAILS(store.create(u"deep"_s), Kind::Io);
        QCOMPARE(allNames(m_root + u"/checkpoints"_s), QStringList());
        VERIFY_OK(CheckpointStore::removeTree(m_root + u"/workspace/d"_s));
        VERIFY_OK(store.create(u"deep"_s));
    }

    void leftoversAreCleanedUp()
    {
        QVERIFY(QDir().mkpath(m_root + u"/checkpoints/.banata-checkpoint-dead/workspace"_s));
        QVERIFY(QDir().mkpath(m_root + u"/.banata-restore-staging-dead/workspace/x"_s));
        const CheckpointStore store(m_root);
        VERIFY_OK(store.create(u"cp"_s));
        verifyNoLeftovers();
        QCOMPARE(allNames(m_root + u"/checkpoints"_s), QStringList{u"cp"_s});
    }

    void failedSwapIsRolledBack()
    {
        populate();
        const CheckpointStore store(m_root);
        VERIFY_OK(store.create(u"cp"_s));
        mutate();
        // An immutable entry in home/ cannot be renamed: workspace/ is swapped completely, then
        // home/ fails, and both must come back as they were.
        QVERIFY(QDir().mkpath(ws(u"ro-top/inner"_s)));
        QCOMPARE(::chmod(nativePath(ws(u"ro-top"_s)).constData(), 0555), 0); // gets u+w to move, then back
        QVERIFY(writeHostFile(home(u"pinned"_s), "pinned"));
        if (!setImmutable(home(u"pinned"_s), true))
            QSKIP("cannot set FS_IMMUTABLE_FL here (needs CAP_LINUX_IMMUTABLE and ext4/xfs/btrfs)");
        const QStringList workspaceBefore = manifest(m_root + u"/workspace"_s);
        const QStringList homeBefore = manifest(m_root + u"/home"_s);
        const auto restored = store.restore(u"cp"_s);
        setImmutable(home(u"pinned"_s), false);
        VERIFY_FAILS(restored, Kind::PermissionDenied);
        QVERIFY2(restored.error().message.contains(u"/home/user"_s), qPrintable(restored.error().message));
        QCOMPARE(manifest(m_root + u"/workspace"_s), workspaceBefore);
        QCOMPARE(manifest(m_root + u"/home"_s), homeBefore);
        verifyNoLeftovers();
        QVERIFY(!QFileInfo::exists(m_root + u"/.banata-journal"_s));
    }

    void interruptedRestoreIsFinished_data()
    {
        QTest::addColumn<int>("crashPart");
        QTest::addColumn<QString>("crashPhase");
        QTest::newRow("workspace, moving out") << 0 << u"out"_s;
        QTest::newRow("workspace, moving in") << 0 << u"in"_s;
        QTest::newRow("home, moving out") << 1 << u"out"_s;
        QTest::newRow("home, moving in") << 1 << u"in"_s;
    }

    void interruptedRestoreIsFinished()
    {
        // Rebuild, by hand, the state a crash in the middle of the swap leaves behind, and check
        // that the next operation completes the restore.
        QFETCH(int, crashPart);
        QFETCH(QString, crashPhase);
        populate();
        const QStringList workspaceWanted = manifest(m_root + u"/workspace"_s);
        const QStringList homeWanted = manifest(m_root + u"/home"_s);
        const CheckpointStore store(m_root);
        VERIFY_OK(store.create(u"cp"_s));
        mutate();

        const QString staging = u".banata-restore-staging-test"_s;
        const QString trash = u".banata-restore-trash-test"_s;
        const char *parts[] = {"workspace", "home"};
        for (int part = 0; part < 2; ++part) {
            const QString name = QString::fromLatin1(parts[part]);
            QVERIFY(QDir().mkpath(m_root + u'/' + staging + u'/' + name));
            QVERIFY(QDir().mkpath(m_root + u'/' + trash + u'/' + name));
            const int src = ::open(nativePath(m_root + u"/checkpoints/cp/"_s + name).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            const int dst = ::open(nativePath(m_root + u'/' + staging + u'/' + name).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            detail::CopyContext context;
            context.deferTopLevelModes = true;
            VERIFY_OK(detail::copyTree(src, dst, context));
            ::close(src);
            ::close(dst);
            if (part > crashPart)
                continue;
            const QString target = m_root + u'/' + name;
            const QString stagingDir = m_root + u'/' + staging + u'/' + name;
            const QString trashDir = m_root + u'/' + trash + u'/' + name;
            const QStringList old = allNames(target);
            const bool crashHere = part == crashPart;
            const qsizetype moveOut = crashHere && crashPhase == u"out" ? old.size() / 2 : old.size();
            for (qsizetype i = 0; i < moveOut; ++i) {
                QCOMPARE(::chmod(nativePath(target + u'/' + old[i]).constData(), 0755) == 0
                             || QFileInfo(target + u'/' + old[i]).isSymLink(), true);
                QCOMPARE(::rename(nativePath(target + u'/' + old[i]).constData(), nativePath(trashDir + u'/' + old[i]).constData()), 0);
            }
            if (crashHere && crashPhase == u"out")
                continue;
            const QStringList fresh = allNames(stagingDir);
            const qsizetype moveIn = crashHere ? fresh.size() / 2 : fresh.size();
            for (qsizetype i = 0; i < moveIn; ++i)
                QCOMPARE(::rename(nativePath(stagingDir + u'/' + fresh[i]).constData(), nativePath(target + u'/' + fresh[i]).constData()), 0);
        }
        const QByteArray journal = "checkpoint=cp\nstaging=" + staging.toUtf8() + "\ntrash=" + trash.toUtf8()
            + "\npart=" + QByteArray::number(crashPart) + "\nphase=" + crashPhase.toUtf8() + "\n";
        QVERIFY(writeHostFile(m_root + u"/.banata-journal"_s, journal));

        VERIFY_OK(store.recover());
        QCOMPARE(manifest(m_root + u"/workspace"_s), workspaceWanted);
        QCOMPARE(manifest(m_root + u"/home"_s), homeWanted);
        QVERIFY(!QFileInfo::exists(m_root + u"/.banata-journal"_s));
        verifyNoLeftovers();
        verifyOutsideUntouched();
    }

    void removeTreeNeverFollowsLinks()
    {
        const QString victim = m_tmp->path() + u"/victim"_s;
        QVERIFY(QDir().mkpath(victim + u"/a/b"_s));
        QVERIFY(QDir().mkpath(victim + u"/locked/inner"_s));
        QVERIFY(writeHostFile(victim + u"/locked/inner/f"_s, "f"));
        QCOMPARE(::symlink(nativePath(m_outside).constData(), nativePath(victim + u"/a/to-outside-dir"_s).constData()), 0);
        QCOMPARE(::symlink(nativePath(m_outside + u"/canary.txt"_s).constData(), nativePath(victim + u"/a/b/to-canary"_s).constData()), 0);
        QCOMPARE(::symlink("../../../outside", nativePath(victim + u"/a/b/relative-out"_s).constData()), 0);
        QCOMPARE(::chmod(nativePath(victim + u"/locked/inner"_s).constData(), 0), 0);
        QCOMPARE(::chmod(nativePath(victim + u"/locked"_s).constData(), 0500), 0);
        // Deeper than the removal's fd budget: exercised by moving subtrees up.
        int fd = ::open(nativePath(victim + u"/a"_s).constData(), O_PATH | O_DIRECTORY | O_CLOEXEC);
        for (int i = 0; i < 300; ++i) {
            QCOMPARE(::mkdirat(fd, "n", 0755), 0);
            if (i % 50 == 0)
                QCOMPARE(::symlinkat(nativePath(m_outside).constData(), fd, "out"), 0);
            const int next = ::openat(fd, "n", O_PATH | O_DIRECTORY | O_CLOEXEC);
            ::close(fd);
            fd = next;
        }
        ::close(fd);

        VERIFY_OK(CheckpointStore::removeTree(victim));
        QVERIFY(!QFileInfo::exists(victim));
        verifyOutsideUntouched();
        VERIFY_FAILS(CheckpointStore::removeTree(victim), Kind::NotFound);

        // A link as the tree itself: only the link goes.
        QCOMPARE(::symlink(nativePath(m_outside).constData(), nativePath(m_tmp->path() + u"/link-root"_s).constData()), 0);
        VERIFY_OK(CheckpointStore::removeTree(m_tmp->path() + u"/link-root"_s));
        verifyOutsideUntouched();
    }

    void checkpointTwoHundredMegabytes()
    {
        // Timing only, printed for the report: 100 files of 2 MiB of incompressible data.
        QByteArray chunk(2 << 20, Qt::Uninitialized);
        QVERIFY(QDir().mkpath(ws(u"data"_s)));
        for (int i = 0; i < 100; ++i) {
            QRandomGenerator::global()->fillRange(reinterpret_cast<quint32 *>(chunk.data()), chunk.size() / 4);
            QVERIFY(writeHostFile(ws(u"data/file-%1.bin"_s.arg(i)), chunk));
        }
        QVERIFY(writeHostFile(home(u"profile.db"_s), QByteArray(1 << 20, 'p')));
        ::sync();
        const CheckpointStore store(m_root);
        QElapsedTimer timer;
        timer.start();
        const auto created = store.create(u"big"_s);
        const qint64 createMs = timer.elapsed();
        VERIFY_OK(created);
        QVERIFY(created->sizeBytes >= 200 << 20);
        QVERIFY(CheckpointStore::removeTree(ws(u"data/file-7.bin"_s)).ok());
        timer.restart();
        VERIFY_OK(store.restore(u"big"_s));
        const qint64 restoreMs = timer.elapsed();
        QCOMPARE(allNames(ws(u"data"_s)).size(), 100);
        timer.restart();
        VERIFY_OK(store.remove(u"big"_s));
        qInfo() << "checkpoint of" << created->sizeBytes / (1 << 20) << "MiB in" << created->fileCount
                << "files: create" << createMs << "ms, restore" << restoreMs << "ms, remove" << timer.elapsed() << "ms";
    }
};

QTEST_GUILESS_MAIN(TestCheckpointStore)
#include "test_checkpointstore.moc"
