// SPDX-License-Identifier: MIT
#pragma once

#include "server/workspace/fserror.h"

#include <QByteArray>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

namespace banata::test {

/// An FsResult for a failure message: "ok", or "<CODE>: <message>".
template <typename T>
QString describe(const server::FsResult<T> &result)
{
    return result.ok() ? QStringLiteral("ok")
                       : server::errorCodeFor(result.error().kind) + QStringLiteral(": ") + result.error().message;
}

QByteArray nativePath(const QString &path);
/// Creates or truncates a host file; false if it could not be written completely.
bool writeHostFile(const QString &path, const QByteArray &bytes);
/// A host file's bytes, or "<missing>" if it cannot be read.
QByteArray readHostFile(const QString &path);
/// Every name in a host directory, hidden and special ones too, sorted.
QStringList allNames(const QString &dir);
/// symlink(2), as a test failure if it cannot be made.
void makeSymlink(const QByteArray &target, const QString &linkPath);
/// Fails the test if \a dir still holds a temporary ".banata-*" entry.
void verifyNoTemporaries(const QString &dir);

/// A temporary host tree laid out like a sandbox's: root()/workspace, and outside() holding
/// canary.txt, which nothing done inside the root may touch. The destructor removes it with
/// CheckpointStore::removeTree, which copes with read-only directories and names that are not
/// valid UTF-8 (QTemporaryDir does not).
class ScratchTree
{
public:
    ScratchTree();
    ~ScratchTree();
    Q_DISABLE_COPY_MOVE(ScratchTree)

    /// False if any part of the tree could not be created.
    bool isValid() const { return m_valid; }
    QString path() const { return m_dir.path(); }
    QString root() const;
    QString workspace() const;
    QString outside() const;

    /// Fails the test unless outside() holds exactly the canary, unchanged.
    void verifyOutsideUntouched() const;

private:
    QTemporaryDir m_dir;
    bool m_valid = false;
};

/// Base of the WorkspaceFs tests: a fresh ScratchTree for every test function, with the path
/// resolution mode back on Auto before and after each.
class WorkspaceFsTest : public QObject
{
    Q_OBJECT

protected:
    std::unique_ptr<ScratchTree> m_tmp;
    QString m_ws;      // <tmp>/root/workspace
    QString m_outside; // <tmp>/outside, holding canary.txt

    QString ws(const QString &relative) const { return m_ws + u'/' + relative; }
    void verifyOutsideUntouched() { m_tmp->verifyOutsideUntouched(); }

private slots:
    void init();
    void cleanup();
};

} // namespace banata::test

/// QVERIFY that an FsResult succeeded; on failure the message says why.
#define VERIFY_OK(expr)                                                                                      \
    do {                                                                                                     \
        const auto &result_ = (expr);                                                                        \
        QVERIFY2(result_.ok(), qPrintable(::banata::test::describe(result_)));                              \
    } while (false)

/// QVERIFY that an FsResult failed with \a expectedKind, and that its message does not leak the
/// host path of the test's ScratchTree, which the test class holds as `m_tmp`.
#define VERIFY_FAILS(expr, expectedKind)                                                                     \
    do {                                                                                                     \
        const auto &result_ = (expr);                                                                        \
        QVERIFY2(!result_.ok() && result_.error().kind == (expectedKind),                                   \
                 qPrintable(QStringLiteral(#expr " -> ") + ::banata::test::describe(result_)));             \
        QVERIFY2(!result_.error().message.contains(m_tmp->path()), qPrintable(result_.error().message));    \
    } while (false)
