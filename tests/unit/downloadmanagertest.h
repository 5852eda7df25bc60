// SPDX-License-Identifier: MIT
// The fixture of the download engine tests: a fake Banata file server, a chosen folder and a
// neighbour nothing may touch, and helpers to read what the manager did.
#pragma once

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

namespace banata::test {

inline constexpr int kWaitMs = 15000;

inline QString stateName(State state)
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

inline QString hexSha256(const QByteArray &data)
{
    return QString::fromLatin1(QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex());
}

inline QByteArray randomBytes(qsizetype size, quint32 seed)
{
    QByteArray data(size, Qt::Uninitialized);
    QRandomGenerator random(seed);
    for (qsizetype i = 0; i < size; ++i)
        data[i] = char(random.bounded(256));
    return data;
}

inline QByteArray contentOf(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

inline bool writeFile(const QString &path, const QByteArray &data)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(data) == data.size();
}

/// Every path under \a root, relative, symlinks marked and never followed.
inline QSet<QString> walk(const QString &root)
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

inline QStringList entriesOf(const QString &folder)
{
    return QDir(folder).entryList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot,
                                  QDir::Name);
}

/// Its initTestCase/init/cleanup slots prepare each test of the derived classes.
class DownloadManagerTest : public QObject
{
    Q_OBJECT

protected:
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
};

} // namespace banata::test
