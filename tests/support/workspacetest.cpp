// SPDX-License-Identifier: MIT
#include "workspacetest.h"

#include "server/workspace/beneath.h"
#include "server/workspace/checkpointstore.h"

#include <QDir>
#include <QFile>

#include <unistd.h>

using namespace Qt::StringLiterals;

namespace banata::test {

QByteArray nativePath(const QString &path)
{
    return QFile::encodeName(path);
}

bool writeHostFile(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(bytes) == bytes.size();
}

QByteArray readHostFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray("<missing>");
}

QStringList allNames(const QString &dir)
{
    return QDir(dir).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System, QDir::Name);
}

void makeSymlink(const QByteArray &target, const QString &linkPath)
{
    QVERIFY2(::symlink(target.constData(), nativePath(linkPath).constData()) == 0, qPrintable(linkPath));
}

void verifyNoTemporaries(const QString &dir)
{
    for (const QString &name : allNames(dir))
        QVERIFY2(!name.startsWith(u".banata-"_s), qPrintable(name));
}

ScratchTree::ScratchTree()
{
    m_valid = m_dir.isValid() && QDir().mkpath(workspace()) && QDir().mkpath(outside())
        && writeHostFile(outside() + u"/canary.txt"_s, "canary");
}

ScratchTree::~ScratchTree()
{
    if (m_dir.isValid())
        server::CheckpointStore::removeTree(m_dir.path());
}

QString ScratchTree::root() const
{
    return path() + u"/root"_s;
}

QString ScratchTree::workspace() const
{
    return root() + u"/workspace"_s;
}

QString ScratchTree::outside() const
{
    return path() + u"/outside"_s;
}

void ScratchTree::verifyOutsideUntouched() const
{
    QCOMPARE(allNames(outside()), QStringList{u"canary.txt"_s});
    QCOMPARE(readHostFile(outside() + u"/canary.txt"_s), QByteArray("canary"));
}

void WorkspaceFsTest::init()
{
    m_tmp = std::make_unique<ScratchTree>();
    QVERIFY(m_tmp->isValid());
    m_ws = m_tmp->workspace();
    m_outside = m_tmp->outside();
    server::detail::setResolveMode(server::detail::ResolveMode::Auto);
}

void WorkspaceFsTest::cleanup()
{
    server::detail::setResolveMode(server::detail::ResolveMode::Auto);
    m_tmp.reset();
}

} // namespace banata::test
