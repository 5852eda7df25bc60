// SPDX-License-Identifier: MIT
// WorkspaceFs reads and writes: round trips with Unicode names, atomic writes and uploads, errors
// and size limits, ETags, and listings of odd, huge and concurrently changing directories.
#include "core/files.h"
#include "server/workspace/workspacefs.h"
#include "support/workspacetest.h"

#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QTest>

#include <atomic>
#include <cstdio>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace banata;
using namespace banata::server;
using namespace banata::test;
using namespace Qt::StringLiterals;
using Kind = FsError::Kind;

class TestWorkspaceFsIo : public WorkspaceFsTest
{
    Q_OBJECT

private slots:
    void errorMapping()
    {
        QCOMPARE(httpStatusFor(Kind::InvalidPath), 400);
        QCOMPARE(httpStatusFor(Kind::OutsideWorkspace), 403);
        QCOMPARE(httpStatusFor(Kind::NotFound), 404);
        QCOMPARE(httpStatusFor(Kind::TooLarge), 413);
        QCOMPARE(httpStatusFor(Kind::NoSpace), 507);
        QCOMPARE(errorCodeFor(Kind::OutsideWorkspace), u"PATH_OUTSIDE_WORKSPACE"_s);
        QCOMPARE(errorCodeFor(Kind::NotFound), u"FILE_NOT_FOUND"_s);
    }

    void roundTripWithUnicodeNames()
    {
        const WorkspaceFs fs(m_ws);
        const QString path = u"/workspace/dïr/ünïcødé 日本 😀.txt"_s;
        const QByteArray content("héllo\0world\n", 13);
        const auto written = fs.write(path, content);
        VERIFY_OK(written);
        QCOMPARE(*written, content.size());
        QCOMPARE(readHostFile(ws(u"dïr/ünïcødé 日本 😀.txt"_s)), content);

        const auto read = fs.read(path, 1024);
        VERIFY_OK(read);
        QCOMPARE(*read, content);

        const auto st = fs.stat(path);
        VERIFY_OK(st);
        QCOMPARE(st->name, u"ünïcødé 日本 😀.txt"_s);
        QCOMPARE(st->path, path);
        QVERIFY(st->type == FileEntry::Type::File);
        QCOMPARE(st->size, content.size());
        QCOMPARE(st->mode, 0644); // explicit, not the server's umask
        QVERIFY(qAbs(st->mtime - QDateTime::currentMSecsSinceEpoch()) < 60'000);

        VERIFY_OK(fs.write(u"dïr/b.txt"_s, "b"));
        VERIFY_OK(fs.write(u"dïr/A.txt"_s, "a"));
        const auto listing = fs.list(u"/workspace/dïr"_s);
        VERIFY_OK(listing);
        QCOMPARE(listing->path, u"/workspace/dïr"_s);
        QCOMPARE(listing->entries.size(), 3);
        QCOMPARE(listing->entries[0].name, u"A.txt"_s); // byte order: uppercase first
        QCOMPARE(listing->entries[1].name, u"b.txt"_s);
        QCOMPARE(listing->entries[2].path, path);

        const auto top = fs.list(u"/workspace"_s);
        VERIFY_OK(top);
        QCOMPARE(top->path, u"/workspace"_s);
        QCOMPARE(top->entries.size(), 1);
        QCOMPARE(top->entries[0].path, u"/workspace/dïr"_s);
        QVERIFY(top->entries[0].type == FileEntry::Type::Directory);

        const auto root = fs.stat(u"/workspace"_s);
        VERIFY_OK(root);
        QVERIFY(root->type == FileEntry::Type::Directory);
        verifyNoTemporaries(ws(u"dïr"_s));
    }

    void writeCreatesParentsAndKeepsMode()
    {
        const WorkspaceFs fs(m_ws);
        VERIFY_OK(fs.write(u"a/b/c/d.txt"_s, "deep"));
        QCOMPARE(readHostFile(ws(u"a/b/c/d.txt"_s)), QByteArray("deep"));
        QVERIFY(QFileInfo(ws(u"a/b/c"_s)).isDir());

        QVERIFY(writeHostFile(ws(u"run.sh"_s), "#!/bin/sh\n"));
        QCOMPARE(::chmod(nativePath(ws(u"run.sh"_s)).constData(), 0750), 0);
        VERIFY_OK(fs.write(u"run.sh"_s, "#!/bin/sh\necho hi\n"));
        QCOMPARE(fs.stat(u"run.sh"_s)->mode, 0750);
    }

    void writeErrors()
    {
        const WorkspaceFs fs(m_ws);
        VERIFY_OK(fs.write(u"file.txt"_s, "x"));
        QVERIFY(QDir().mkpath(ws(u"dir"_s)));
        VERIFY_FAILS(fs.write(u"/workspace"_s, "x"), Kind::IsADirectory);
        VERIFY_FAILS(fs.write(u"dir"_s, "x"), Kind::IsADirectory);
        VERIFY_FAILS(fs.write(u"file.txt/x"_s, "x"), Kind::NotADirectory);
        VERIFY_FAILS(fs.write(u"file.txt/a/b"_s, "x"), Kind::NotADirectory);
        VERIFY_FAILS(fs.read(u"dir"_s, 10), Kind::IsADirectory);
        VERIFY_FAILS(fs.read(u"missing"_s, 10), Kind::NotFound);
        VERIFY_FAILS(fs.stat(u"missing"_s), Kind::NotFound);
        VERIFY_FAILS(fs.list(u"file.txt"_s), Kind::NotADirectory);
        VERIFY_FAILS(fs.list(u"missing"_s), Kind::NotFound);
        VERIFY_FAILS(fs.openForRead(u"dir"_s), Kind::IsADirectory);
        VERIFY_FAILS(fs.write(u"../escape.txt"_s, "x"), Kind::OutsideWorkspace);
        VERIFY_FAILS(fs.read(u"/etc/passwd"_s, 1 << 20), Kind::OutsideWorkspace);
        verifyOutsideUntouched();

        const WorkspaceFs gone(m_tmp->path() + u"/nonexistent"_s);
        VERIFY_FAILS(gone.list(u"/workspace"_s), Kind::Io);
    }

    void tooLarge()
    {
        const WorkspaceFs fs(m_ws);
        VERIFY_OK(fs.write(u"k.bin"_s, QByteArray(1000, 'k')));
        VERIFY_FAILS(fs.read(u"k.bin"_s, 999), Kind::TooLarge);
        QCOMPARE(fs.read(u"k.bin"_s, 1000)->size(), 1000);
        QCOMPARE(fs.read(u"k.bin"_s, 0).ok(), false);
        VERIFY_OK(fs.write(u"empty"_s, QByteArray()));
        QCOMPARE(fs.read(u"empty"_s, 0)->size(), 0);

        auto sink = fs.beginUpload(u"up.bin"_s, 10);
        VERIFY_OK(sink);
        VERIFY_OK(sink.value()->write("12345"));
        VERIFY_FAILS(sink.value()->write("678901"), Kind::TooLarge);
        VERIFY_FAILS(sink.value()->commit(), Kind::Io);
        verifyNoTemporaries(m_ws);
        QVERIFY(!QFileInfo::exists(ws(u"up.bin"_s)));
    }

    void fifoDoesNotHang()
    {
        QCOMPARE(::mkfifo(nativePath(ws(u"pipe"_s)).constData(), 0644), 0);
        const WorkspaceFs fs(m_ws);
        VERIFY_FAILS(fs.read(u"pipe"_s, 100), Kind::InvalidPath);
        VERIFY_FAILS(fs.openForRead(u"pipe"_s), Kind::InvalidPath);
        QVERIFY(fs.stat(u"pipe"_s)->type == FileEntry::Type::Other);
    }

    void permissionDeniedIsReported()
    {
        if (::geteuid() == 0)
            QSKIP("root reads anything; run the suite as an unprivileged user to cover this");
        const WorkspaceFs fs(m_ws);
        VERIFY_OK(fs.write(u"locked.txt"_s, "x"));
        QCOMPARE(::chmod(nativePath(ws(u"locked.txt"_s)).constData(), 0), 0);
        VERIFY_FAILS(fs.read(u"locked.txt"_s, 10), Kind::PermissionDenied);
        VERIFY_FAILS(fs.openForRead(u"locked.txt"_s), Kind::PermissionDenied);
        QVERIFY(QDir().mkpath(ws(u"closed"_s)));
        QCOMPARE(::chmod(nativePath(ws(u"closed"_s)).constData(), 0), 0);
        VERIFY_FAILS(fs.list(u"closed"_s), Kind::PermissionDenied);
        VERIFY_FAILS(fs.write(u"closed/x.txt"_s, "x"), Kind::PermissionDenied);
        QCOMPARE(httpStatusFor(Kind::PermissionDenied), 403);
    }

    void uploadCommitAndAbort()
    {
        const WorkspaceFs fs(m_ws);
        {
            auto sink = fs.beginUpload(u"/workspace/up/big.bin"_s);
            VERIFY_OK(sink);
            for (int i = 0; i < 16; ++i)
                VERIFY_OK(sink.value()->write(QByteArray(64 * 1024, char('a' + i))));
            QVERIFY(!QFileInfo::exists(ws(u"up/big.bin"_s))); // invisible until commit
            const auto size = sink.value()->commit();
            VERIFY_OK(size);
            QCOMPARE(*size, 16 * 64 * 1024);
            VERIFY_FAILS(sink.value()->write("more"), Kind::Io);
        }
        const QByteArray bytes = readHostFile(ws(u"up/big.bin"_s));
        QCOMPARE(bytes.size(), 16 * 64 * 1024);
        QCOMPARE(bytes.at(15 * 64 * 1024), 'p');
        {
            auto sink = fs.beginUpload(u"up/big.bin"_s);
            VERIFY_OK(sink);
            VERIFY_OK(sink.value()->write("partial"));
            QCOMPARE(allNames(ws(u"up"_s)).size(), 2); // target + temporary
        } // destroyed without commit
        QCOMPARE(allNames(ws(u"up"_s)), QStringList{u"big.bin"_s});
        QCOMPARE(readHostFile(ws(u"up/big.bin"_s)).size(), 16 * 64 * 1024);

        QVERIFY(QDir().mkpath(ws(u"up/dir"_s)));
        VERIFY_FAILS(fs.beginUpload(u"up/dir"_s), Kind::IsADirectory);
        verifyNoTemporaries(ws(u"up"_s));
    }

    void etagChangesOnWrite()
    {
        const WorkspaceFs fs(m_ws);
        VERIFY_OK(fs.write(u"e.txt"_s, "aaaa"));
        const auto etagOf = [&] {
            auto opened = fs.openForRead(u"e.txt"_s);
            if (!opened.ok())
                return QByteArray();
            ::close(opened->fd);
            return opened->etag;
        };
        const QByteArray first = etagOf();
        QVERIFY(first.startsWith('"') && first.endsWith('"') && first.size() > 10);
        QCOMPARE(etagOf(), first);
        VERIFY_OK(fs.write(u"e.txt"_s, "bbbb")); // same size, same second
        const QByteArray second = etagOf();
        QVERIFY(second != first);
        VERIFY_OK(fs.write(u"e.txt"_s, "aaaa")); // same bytes as the first time
        QVERIFY(etagOf() != second);
        QVERIFY(etagOf() != first);

        auto opened = fs.openForRead(u"e.txt"_s);
        VERIFY_OK(opened);
        char buffer[8];
        QCOMPARE(::read(opened->fd, buffer, sizeof buffer), 4); // blocking fd, positioned at 0
        QCOMPARE(opened->size, 4);
        QVERIFY(opened->mtimeMs > 0);
        ::close(opened->fd);
    }

    void oddFileNames()
    {
        // Names a sandbox process can create but the API cannot express: invalid UTF-8 and
        // control characters. They must list without breaking JSON.
        const QByteArray dir = nativePath(m_ws);
        for (const QByteArray &name : {QByteArray("bad\xff\xfe.txt"), QByteArray("line\nbreak"), QByteArray("tab\there"),
                                      QByteArray("\xc3\x28"), QByteArray("ok.txt")}) {
            const int fd = ::open(QByteArray(dir + '/' + name).constData(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
            QVERIFY(fd >= 0);
            ::close(fd);
        }
        const WorkspaceFs fs(m_ws);
        const auto listing = fs.list(u"/workspace"_s);
        VERIFY_OK(listing);
        QCOMPARE(listing->entries.size(), 5);
        QStringList names;
        for (const FileEntry &entry : listing->entries)
            names << entry.name;
        QVERIFY(names.contains(u"bad\ufffd\ufffd.txt"_s));
        QVERIFY(names.contains(u"line\nbreak"_s));
        const QByteArray json = dumpJson(listing->toJson());
        const auto parsed = parseJson(json);
        QVERIFY(parsed.ok());
        const auto back = FileListing::fromJson(*parsed);
        QVERIFY(back.ok());
        QCOMPARE(back->entries.size(), 5);
        VERIFY_FAILS(fs.read(u"bad\ufffd\ufffd.txt"_s, 10), Kind::NotFound); // lossy: not addressable
        VERIFY_FAILS(fs.read(u"line\nbreak"_s, 10), Kind::InvalidPath);
    }

    void concurrentUse()
    {
        const WorkspaceFs fs(m_ws);
        std::atomic<int> failures{0};
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t) {
            threads.emplace_back([&, t] {
                for (int i = 0; i < 200; ++i) {
                    const QString path = u"t%1/f%2.txt"_s.arg(t).arg(i % 10);
                    const QByteArray bytes = QByteArray::number(i);
                    const auto written = fs.write(path, bytes);
                    const auto read = fs.read(path, 100);
                    if (!written.ok() || !read.ok() || *read != bytes || !fs.list(u"/workspace"_s).ok())
                        ++failures;
                }
            });
        }
        for (std::thread &thread : threads)
            thread.join();
        QCOMPARE(failures.load(), 0);
    }

    void listHundredThousandEntries()
    {
        QVERIFY(QDir().mkpath(ws(u"big"_s)));
        const int dirFd = ::open(nativePath(ws(u"big"_s)).constData(), O_PATH | O_DIRECTORY | O_CLOEXEC);
        QVERIFY(dirFd >= 0);
        constexpr int count = 100'000;
        for (int i = 0; i < count; ++i) {
            char name[32];
            std::snprintf(name, sizeof name, "file-%06d.txt", i);
            const int fd = ::openat(dirFd, name, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
            QVERIFY(fd >= 0);
            ::close(fd);
        }
        ::close(dirFd);

        const WorkspaceFs fs(m_ws);
        fs.list(u"/workspace/big"_s); // warm the dentry cache as a server would be after the first listing
        QElapsedTimer timer;
        timer.start();
        const auto listing = fs.list(u"/workspace/big"_s);
        const qint64 elapsed = timer.elapsed();
        VERIFY_OK(listing);
        QCOMPARE(listing->entries.size(), count);
        QCOMPARE(listing->entries.first().path, u"/workspace/big/file-000000.txt"_s);
        QCOMPARE(listing->entries.last().name, u"file-099999.txt"_s);
        timer.restart();
        const QByteArray json = dumpJson(listing->toJson());
        qInfo() << "listing 100,000 entries took" << elapsed << "ms; serialising it to JSON took"
                << timer.elapsed() << "ms (" << json.size() / 1024 << "KiB)";
    }
};

QTEST_GUILESS_MAIN(TestWorkspaceFsIo)
#include "test_workspacefs_io.moc"
