// SPDX-License-Identifier: MIT
// WorkspaceFs: path validation, confinement against hostile symlinks (with openat2 and with the
// fallback walk), atomic writes and uploads, listings of odd and huge directories.
#include "core/files.h"
#include "server/workspace/beneath.h"
#include "server/workspace/checkpointstore.h"
#include "server/workspace/workspacefs.h"

#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <cstdio>
#include <thread>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace banata;
using namespace banata::server;
using namespace Qt::StringLiterals;
using Kind = FsError::Kind;

Q_DECLARE_METATYPE(banata::server::FsError::Kind)
Q_DECLARE_METATYPE(banata::server::detail::ResolveMode)

namespace {

template <typename T>
QString describe(const FsResult<T> &result)
{
    return result.ok() ? u"ok"_s : errorCodeFor(result.error().kind) + u": "_s + result.error().message;
}

QByteArray nativePath(const QString &path)
{
    return QFile::encodeName(path);
}

void writeHostFile(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QCOMPARE(file.write(bytes), bytes.size());
}

QByteArray readHostFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray("<missing>");
}

void makeSymlink(const QByteArray &target, const QString &linkPath)
{
    QVERIFY2(::symlink(target.constData(), nativePath(linkPath).constData()) == 0, qPrintable(linkPath));
}

QStringList allNames(const QString &dir)
{
    return QDir(dir).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System, QDir::Name);
}

} // namespace

#define VERIFY_OK(expr)                                                                                      \
    do {                                                                                                     \
        const auto &result_ = (expr);                                                                        \
        QVERIFY2(result_.ok(), qPrintable(describe(result_)));                                               \
    } while (false)

#define VERIFY_FAILS(expr, expectedKind)                                                                     \
    do {                                                                                                     \
        const auto &result_ = (expr);                                                                        \
        QVERIFY2(!result_.ok() && result_.error().kind == (expectedKind), qPrintable(u"" #expr u" -> "_s + describe(result_))); \
        QVERIFY2(!result_.error().message.contains(m_tmp->path()), qPrintable(result_.error().message));    \
    } while (false)

class TestWorkspaceFs : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<QTemporaryDir> m_tmp;
    QString m_ws;      // <tmp>/root/workspace
    QString m_outside; // <tmp>/outside, holding canary.txt

    QString ws(const QString &relative) const { return m_ws + u'/' + relative; }

    void verifyOutsideUntouched()
    {
        QCOMPARE(allNames(m_outside), QStringList{u"canary.txt"_s});
        QCOMPARE(readHostFile(m_outside + u"/canary.txt"_s), QByteArray("canary"));
    }

    void verifyNoTemporaries(const QString &dir)
    {
        for (const QString &name : allNames(dir))
            QVERIFY2(!name.startsWith(u".banata-"_s), qPrintable(name));
    }

private slots:
    void init()
    {
        m_tmp = std::make_unique<QTemporaryDir>();
        QVERIFY(m_tmp->isValid());
        m_ws = m_tmp->path() + u"/root/workspace"_s;
        m_outside = m_tmp->path() + u"/outside"_s;
        QVERIFY(QDir().mkpath(m_ws));
        QVERIFY(QDir().mkpath(m_outside));
        writeHostFile(m_outside + u"/canary.txt"_s, "canary");
        detail::setResolveMode(detail::ResolveMode::Auto);
    }

    void cleanup()
    {
        detail::setResolveMode(detail::ResolveMode::Auto);
        // QDir cannot delete names that are not valid UTF-8; removeTree works on bytes.
        if (m_tmp)
            CheckpointStore::removeTree(m_tmp->path());
        m_tmp.reset();
    }

    void normalize_data()
    {
        QTest::addColumn<QString>("input");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<QString>("expected");
        QTest::addColumn<Kind>("kind");
        const Kind none = Kind::Io;
        QTest::newRow("workspace") << u"/workspace"_s << true << QString() << none;
        QTest::newRow("workspace slash") << u"/workspace/"_s << true << QString() << none;
        QTest::newRow("dot") << u"."_s << true << QString() << none;
        QTest::newRow("relative") << u"a/b"_s << true << u"a/b"_s << none;
        QTest::newRow("absolute") << u"/workspace/a/b.txt"_s << true << u"a/b.txt"_s << none;
        QTest::newRow("collapsed") << u"/workspace//a/./b///c/"_s << true << u"a/b/c"_s << none;
        QTest::newRow("dot prefix") << u"./a"_s << true << u"a"_s << none;
        QTest::newRow("unicode") << u"ünï/日本 😀.txt"_s << true << u"ünï/日本 😀.txt"_s << none;
        QTest::newRow("backslash is a name") << u"a\\..\\b"_s << true << u"a\\..\\b"_s << none;
        QTest::newRow("empty") << QString() << false << QString() << Kind::InvalidPath;
        QTest::newRow("nul") << u"a\0b"_s << false << QString() << Kind::InvalidPath;
        QTest::newRow("newline") << u"a\nb"_s << false << QString() << Kind::InvalidPath;
        QTest::newRow("del") << u"a\x7f"_s << false << QString() << Kind::InvalidPath;
        QTest::newRow("lone surrogate") << (u"a"_s + QChar(0xd800)) << false << QString() << Kind::InvalidPath;
        QTest::newRow("dotdot inside") << u"a/../b"_s << false << QString() << Kind::InvalidPath;
        QTest::newRow("name too long") << QString(256, u'x') << false << QString() << Kind::InvalidPath;
        QTest::newRow("path too long") << QString(200, u'x').append(u'/').repeated(40) << false << QString() << Kind::InvalidPath;
        QTest::newRow("dotdot x") << u"../x"_s << false << QString() << Kind::OutsideWorkspace;
        QTest::newRow("etc passwd") << u"/etc/passwd"_s << false << QString() << Kind::OutsideWorkspace;
        QTest::newRow("workspace dotdot etc") << u"/workspace/../etc"_s << false << QString() << Kind::OutsideWorkspace;
        QTest::newRow("climbs out later") << u"a/../../x"_s << false << QString() << Kind::OutsideWorkspace;
        QTest::newRow("root") << u"/"_s << false << QString() << Kind::OutsideWorkspace;
        QTest::newRow("prefix lookalike") << u"/workspacefoo/x"_s << false << QString() << Kind::OutsideWorkspace;
        QTest::newRow("home") << u"/home/user/x"_s << false << QString() << Kind::OutsideWorkspace;
    }

    void normalize()
    {
        QFETCH(QString, input);
        QFETCH(bool, ok);
        QFETCH(QString, expected);
        QFETCH(Kind, kind);
        const WorkspaceFs fs(m_ws);
        const auto result = fs.normalize(input);
        QCOMPARE(result.ok(), ok);
        if (ok)
            QCOMPARE(*result, expected);
        else
            QVERIFY2(result.error().kind == kind, qPrintable(describe(result)));
    }

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

        writeHostFile(ws(u"run.sh"_s), "#!/bin/sh\n");
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

    void symlinksInsideAreFollowed_data()
    {
        QTest::addColumn<detail::ResolveMode>("mode");
        QTest::newRow("openat2") << detail::ResolveMode::Openat2;
        QTest::newRow("component walk") << detail::ResolveMode::ComponentWalk;
    }

    void symlinksInsideAreFollowed()
    {
        QFETCH(detail::ResolveMode, mode);
        detail::setResolveMode(mode);
        const WorkspaceFs fs(m_ws);
        VERIFY_OK(fs.write(u"real/data.txt"_s, "data"));
        makeSymlink("real", ws(u"dirlink"_s));
        makeSymlink("real/data.txt", ws(u"filelink"_s));
        QVERIFY(QDir().mkpath(ws(u"sub/deeper"_s)));
        makeSymlink("../real", ws(u"sub/up"_s));
        makeSymlink("../../filelink", ws(u"sub/deeper/chain"_s));
        makeSymlink("loop", ws(u"loop"_s));

        QCOMPARE(*fs.read(u"dirlink/data.txt"_s, 100), QByteArray("data"));
        QCOMPARE(*fs.read(u"filelink"_s, 100), QByteArray("data"));
        QCOMPARE(*fs.read(u"sub/up/data.txt"_s, 100), QByteArray("data"));
        QCOMPARE(*fs.read(u"sub/deeper/chain"_s, 100), QByteArray("data"));
        QCOMPARE(fs.list(u"dirlink"_s)->entries.size(), 1);
        QCOMPARE(fs.list(u"sub/up"_s)->entries.first().path, u"/workspace/sub/up/data.txt"_s);
        VERIFY_FAILS(fs.read(u"loop"_s, 100), Kind::InvalidPath);

        const auto opened = fs.openForRead(u"sub/deeper/chain"_s);
        VERIFY_OK(opened);
        QCOMPARE(opened->size, 4);
        ::close(opened->fd);

        const auto st = fs.stat(u"filelink"_s);
        QVERIFY(st->type == FileEntry::Type::Symlink);
        const auto top = fs.list(u"/workspace"_s);
        VERIFY_OK(top);
        QStringList names;
        for (const FileEntry &entry : top->entries)
            names << entry.name + u':' + toString(entry.type);
        QCOMPARE(names, (QStringList{u"dirlink:symlink"_s, u"filelink:symlink"_s, u"loop:symlink"_s,
                                     u"real:directory"_s, u"sub:directory"_s}));

        // Writing through a parent symlink that stays inside lands in its target.
        VERIFY_OK(fs.write(u"dirlink/new/x.txt"_s, "x"));
        QCOMPARE(readHostFile(ws(u"real/new/x.txt"_s)), QByteArray("x"));
    }

    void writeReplacesInsideSymlink()
    {
        const WorkspaceFs fs(m_ws);
        VERIFY_OK(fs.write(u"target.txt"_s, "original"));
        makeSymlink("target.txt", ws(u"link"_s));
        VERIFY_OK(fs.write(u"link"_s, "replaced"));
        QVERIFY(!QFileInfo(ws(u"link"_s)).isSymLink());
        QCOMPARE(readHostFile(ws(u"link"_s)), QByteArray("replaced"));
        QCOMPARE(readHostFile(ws(u"target.txt"_s)), QByteArray("original"));

        QVERIFY(QDir().mkpath(ws(u"d"_s)));
        makeSymlink("d", ws(u"dlink"_s));
        VERIFY_FAILS(fs.write(u"dlink"_s, "x"), Kind::IsADirectory);
    }

    void escapingSymlinksAreRefused_data()
    {
        QTest::addColumn<detail::ResolveMode>("mode");
        QTest::addColumn<QByteArray>("target");
        QTest::addColumn<bool>("isDirectory");
        const QByteArray outsideAbs = "@OUTSIDE@";
        for (const auto &[modeName, mode] : {std::pair{"openat2", detail::ResolveMode::Openat2},
                                             std::pair{"walk", detail::ResolveMode::ComponentWalk}}) {
            const auto row = [&](const char *name) -> QTestData & { return QTest::addRow("%s %s", modeName, name); };
            row("etc passwd") << mode << QByteArray("/etc/passwd") << false;
            row("absolute canary") << mode << QByteArray("@OUTSIDE@/canary.txt") << false;
            row("dotdot canary") << mode << QByteArray("../../outside/canary.txt") << false;
            row("dotdot dangling") << mode << QByteArray("../../outside/created.txt") << false;
            row("absolute dangling") << mode << QByteArray("@OUTSIDE@/created.txt") << false;
            row("dotdot root") << mode << QByteArray("../../") << true;
            row("absolute dir") << mode << outsideAbs << true;
            row("dotdot dir") << mode << QByteArray("../../outside") << true;
            row("chain to dir") << mode << QByteArray("hop") << true; // hop -> ../../outside
            row("proc link") << mode << QByteArray("/proc/self/cwd") << true;
        }
    }

    void escapingSymlinksAreRefused()
    {
        QFETCH(detail::ResolveMode, mode);
        QFETCH(QByteArray, target);
        QFETCH(bool, isDirectory);
        detail::setResolveMode(mode);
        target.replace("@OUTSIDE@", nativePath(m_outside));
        makeSymlink("../../outside", ws(u"hop"_s));
        makeSymlink(target, ws(u"evil"_s));
        const WorkspaceFs fs(m_ws);
        const Kind out = Kind::OutsideWorkspace;

        VERIFY_FAILS(fs.read(u"evil"_s, 1 << 20), out);
        VERIFY_FAILS(fs.openForRead(u"/workspace/evil"_s), out);
        VERIFY_FAILS(fs.list(u"evil"_s), out);
        VERIFY_FAILS(fs.write(u"evil"_s, "pwned"), out);
        VERIFY_FAILS(fs.beginUpload(u"evil"_s), out);
        if (isDirectory) {
            VERIFY_FAILS(fs.read(u"evil/canary.txt"_s, 100), out);
            VERIFY_FAILS(fs.openForRead(u"evil/canary.txt"_s), out);
            VERIFY_FAILS(fs.stat(u"evil/canary.txt"_s), out);
            VERIFY_FAILS(fs.list(u"evil/"_s), out);
            VERIFY_FAILS(fs.write(u"evil/canary.txt"_s, "pwned"), out);
            VERIFY_FAILS(fs.write(u"evil/new.txt"_s, "pwned"), out);
            VERIFY_FAILS(fs.write(u"evil/sub/dir/new.txt"_s, "pwned"), out);
            VERIFY_FAILS(fs.beginUpload(u"evil/up.bin"_s), out);
        }
        // stat and list describe the link itself, without following it.
        QVERIFY(fs.stat(u"evil"_s)->type == FileEntry::Type::Symlink);
        verifyOutsideUntouched();
        QCOMPARE(QFile::symLinkTarget(ws(u"evil"_s)).isEmpty(), false);
        verifyNoTemporaries(m_ws);
    }

    void racingSymlinkSwapNeverEscapes_data()
    {
        symlinksInsideAreFollowed_data();
    }

    void racingSymlinkSwapNeverEscapes()
    {
        // A sandbox process flips "flip" between a real directory and a link to the outside
        // while we write and read through it: every success must have landed inside.
        QFETCH(detail::ResolveMode, mode);
        detail::setResolveMode(mode);
        const WorkspaceFs fs(m_ws);
        QVERIFY(QDir().mkpath(ws(u"flip"_s)));
        makeSymlink(nativePath(m_outside), ws(u"other"_s));
        const QByteArray wsNative = nativePath(m_ws);
        const int wsFd = ::open(wsNative.constData(), O_PATH | O_DIRECTORY | O_CLOEXEC);
        QVERIFY(wsFd >= 0);
        std::atomic<bool> stop{false};
        std::thread racer([&] {
            while (!stop.load(std::memory_order_relaxed))
                ::renameat2(wsFd, "flip", wsFd, "other", RENAME_EXCHANGE);
        });
        int succeeded = 0;
        for (int i = 0; i < 3000; ++i) {
            if (fs.write(u"flip/x.txt"_s, "x").ok())
                ++succeeded;
            QVERIFY(!fs.read(u"flip/canary.txt"_s, 100).ok());
            if (auto opened = fs.openForRead(u"flip/canary.txt"_s); opened.ok()) {
                ::close(opened->fd);
                QFAIL("opened the outside canary through a racing symlink");
            }
        }
        stop = true;
        racer.join();
        ::close(wsFd);
        qInfo() << "writes that won the race:" << succeeded << "of 3000";
        verifyOutsideUntouched();
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

QTEST_GUILESS_MAIN(TestWorkspaceFs)
#include "test_workspacefs.moc"
