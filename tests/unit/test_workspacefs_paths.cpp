// SPDX-License-Identifier: MIT
// WorkspaceFs confinement: path validation, and symlinks that stay inside followed while those
// leading out are refused, with openat2 and with the fallback walk, even against a racing swap.
#include "core/files.h"
#include "server/workspace/beneath.h"
#include "server/workspace/workspacefs.h"
#include "support/workspacetest.h"

#include <QDir>
#include <QFile>
#include <QTest>

#include <atomic>
#include <cstdio>
#include <thread>

#include <fcntl.h>
#include <unistd.h>

using namespace banata;
using namespace banata::server;
using namespace banata::test;
using namespace Qt::StringLiterals;
using Kind = FsError::Kind;

Q_DECLARE_METATYPE(banata::server::FsError::Kind)
Q_DECLARE_METATYPE(banata::server::detail::ResolveMode)

class TestWorkspaceFsPaths : public WorkspaceFsTest
{
    Q_OBJECT

private slots:
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
};

QTEST_GUILESS_MAIN(TestWorkspaceFsPaths)
#include "test_workspacefs_paths.moc"
