// SPDX-License-Identifier: MIT
// The download engine against a real banata-local: a 256 MiB file survives the server being
// SIGKILLed mid-way and restarted (it waits, resumes with Range and ends byte-identical), a folder
// arrives as a verified zip, an artifact through its download URL, and names a sandbox made up
// never write outside the chosen folder.
#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include "core/downloads/downloadmanager.h"
#include "core/downloads/safefilename.h"
#include "support/servertestbase.h"

using namespace banata;
using namespace banata::test;
using namespace Qt::StringLiterals;

using State = DownloadItem::State;

namespace {

constexpr qint64 kBigFileBytes = 256LL * 1024 * 1024;

QString fileSha256(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(&file);
    return QString::fromLatin1(hash.result().toHex());
}

QSet<QString> walk(const QString &root)
{
    QSet<QString> found;
    QDirIterator it(root, QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    while (it.hasNext())
        found.insert(QDir(root).relativeFilePath(it.next()));
    return found;
}

ExecRequest shell(const QString &id, const QString &command)
{
    ExecRequest request;
    request.id = id;
    request.command = command;
    request.timeoutMs = 300000;
    return request;
}

} // namespace

class TestDownloads : public QObject
{
    Q_OBJECT

private:
    ServerFixture m_fixture;
    QString m_id;
    Health m_health;
    QTemporaryDir m_root;
    QString m_dest;
    std::unique_ptr<DownloadManager> m_downloads;

    DownloadItem itemOf(int id) const { return m_downloads->item(id).value_or(DownloadItem{}); }
    mutable QByteArray m_description;
    /// For failure messages: valid until the next call.
    const char *describe(int id) const
    {
        const DownloadItem item = itemOf(id);
        m_description = u"state=%1 '%2' %3/%4 resumes=%5 error='%6'"_s.arg(int(item.state))
                            .arg(item.fileName)
                            .arg(item.received)
                            .arg(item.total)
                            .arg(item.resumes)
                            .arg(item.error)
                            .toUtf8();
        return m_description.constData();
    }
    bool waitFor(int id, State state, int timeoutMs)
    {
        return waitUntil(
                   [&] {
                       return itemOf(id).state == state ||
                              (state != State::Failed && itemOf(id).state == State::Failed);
                   },
                   timeoutMs) &&
               itemOf(id).state == state;
    }
    DownloadRequest request(DownloadRequest::Kind kind, const QString &remotePath)
    {
        return DownloadRequest{.kind = kind,
                               .client = m_fixture.client(),
                               .connectionName = u"Local"_s,
                               .sandboxId = m_id,
                               .sandboxName = {},
                               .remotePath = remotePath,
                               .artifactKey = {},
                               .suggestedName = {},
                               .folder = m_dest};
    }
    void run(const QString &command)
    {
        auto result = awaitJob(m_fixture.client().exec(shell(m_id, command)), 300000);
        QVERIFY2(result && result->ok(),
                 result ? qPrintable(result->ok() ? QString() : result->error().displayText()) : "timeout");
        QVERIFY2(result->value().exitCode == 0, qPrintable(result->value().stderrText));
    }

private slots:
    void initTestCase()
    {
        QVERIFY2(m_fixture.start(), qPrintable(m_fixture.errorString()));
        m_id = m_fixture.createReady();
        QVERIFY2(!m_id.isEmpty(), qPrintable(m_fixture.errorString()));
        auto health = awaitJob(m_fixture.client().health());
        QVERIFY(health && health->ok());
        m_health = health->value();
        QVERIFY(m_root.isValid());
    }

    void init()
    {
        m_dest = m_root.path() + u"/dest"_s;
        QDir(m_dest).removeRecursively();
        QVERIFY(QDir().mkpath(m_dest));
        m_downloads = std::make_unique<DownloadManager>();
        m_downloads->setRetryDelayMs(100);
    }

    void cleanup() { m_downloads.reset(); }

    void cleanupTestCase()
    {
        // Qt cannot delete a file whose name is not UTF-8: let the sandbox remove its own.
        if (!m_id.isEmpty())
            awaitJob(m_fixture.client().exec(shell(m_id, u"rm -rf /workspace/hostile"_s)));
    }

    void bigFileSurvivesAServerCrash()
    {
        run(u"head -c %1 /dev/urandom > /workspace/big.bin"_s.arg(kBigFileBytes));
        const QString expected = fileSha256(m_fixture.workspaceOf(m_id) + u"/big.bin"_s);
        QCOMPARE(expected.size(), 64);

        bool killed = false;
        QList<State> states;
        QObject context; // disconnects before the locals go
        connect(m_downloads.get(), &DownloadManager::itemChanged, &context, [&](const DownloadItem &item) {
            if (states.isEmpty() || states.last() != item.state)
                states.append(item.state);
            // Mid-body, from inside the progress report: the server dies with bytes in flight.
            if (!killed && item.state == State::Running && item.received > 0) {
                killed = true;
                QVERIFY(item.received < kBigFileBytes);
                m_fixture.server().kill();
            }
        });
        const int id = m_downloads->add(request(DownloadRequest::Kind::File, u"/workspace/big.bin"_s));
        QVERIFY2(waitFor(id, State::Waiting, 60000), describe(id));
        QVERIFY(killed);
        QVERIFY2(!itemOf(id).error.isEmpty(), describe(id));
        const qint64 kept = itemOf(id).received;
        QVERIFY2(kept > 0 && kept < kBigFileBytes, describe(id));
        QVERIFY(QFileInfo::exists(m_dest + u"/big.bin.part"_s));

        QVERIFY2(m_fixture.server().restart(), qPrintable(m_fixture.server().errorString()));
        QVERIFY2(waitFor(id, State::Completed, 240000), describe(id));
        const DownloadItem item = itemOf(id);
        QVERIFY2(item.resumes >= 1, describe(id));
        QCOMPARE(item.total, kBigFileBytes);
        QCOMPARE(item.sha256, expected);
        QCOMPARE(fileSha256(m_dest + u"/big.bin"_s), expected);
        if (m_health.supports(u"fs.checksum"_s))
            QVERIFY(item.verified);
        QVERIFY(states.contains(State::Waiting) && states.contains(State::Verifying));
        QCOMPARE(QDir(m_dest).entryList(QDir::Files | QDir::Hidden), QStringList{u"big.bin"_s});
        run(u"rm /workspace/big.bin"_s);
    }

    void folderArrivesAsAVerifiedZip()
    {
        QVERIFY(m_health.supports(u"fs.archive"_s));
        run(u"mkdir -p /workspace/out/sub && echo hello > /workspace/out/a.txt && "
            u"head -c 300000 /dev/urandom > /workspace/out/sub/b.bin"_s);
        const int id = m_downloads->add(request(DownloadRequest::Kind::Folder, u"/workspace/out"_s));
        QCOMPARE(itemOf(id).fileName, u"out.zip"_s);
        QVERIFY2(waitFor(id, State::Completed, 60000), describe(id));
        QVERIFY(itemOf(id).verified); // Repr-Digest of the staged zip
        QFile zip(m_dest + u"/out.zip"_s);
        QVERIFY(zip.open(QIODevice::ReadOnly));
        const QByteArray bytes = zip.readAll();
        QVERIFY(bytes.startsWith("PK\x03\x04"));
        QVERIFY(bytes.contains("a.txt") && bytes.contains("sub/b.bin")); // the central directory
    }

    void artifactDownloadsThroughItsUrl()
    {
        QVERIFY(m_health.supports(u"artifacts"_s));
        run(u"head -c 500000 /dev/urandom > /workspace/report.bin"_s);
        const QString expected = fileSha256(m_fixture.workspaceOf(m_id) + u"/report.bin"_s);
        PublishArtifactRequest publish;
        publish.id = m_id;
        publish.path = u"/workspace/report.bin"_s;
        AWAIT_OK(artifact, m_fixture.client().publishArtifact(publish));
        DownloadRequest r = request(DownloadRequest::Kind::Artifact, {});
        r.artifactKey = artifact.key;
        r.suggestedName = artifact.name;
        const int id = m_downloads->add(r);
        QVERIFY2(waitFor(id, State::Completed, 60000), describe(id));
        QCOMPARE(itemOf(id).fileName, safeFileName(artifact.name));
        QCOMPARE(itemOf(id).sha256, expected);
        QVERIFY(itemOf(id).verified);
        QCOMPARE(fileSha256(itemOf(id).localPath()), expected);
    }

    void namesFromTheSandboxStayInsideTheFolder()
    {
        // Names an agent can create on Linux: controls, a newline, invalid UTF-8, device names,
        // dots, spaces, and one at NAME_MAX.
        run(u"mkdir -p /workspace/hostile && cd /workspace/hostile && "
            u"touch \"$(printf 'a\\001b')\" \"$(printf 'new\\nline')\" \"$(printf 'bad\\377name')\" .hidden "
            u"CON nul.txt "
            u"COM1.tar.gz 'trailing...' ' spaced ' \"$(printf '%0250d.txt' 0)\" && "
            u"for f in * .hidden; do printf '%s' \"$f\" > \"$f\"; done"_s);
        AWAIT_OK(listing, m_fixture.client().listFiles(m_id, u"/workspace/hostile"_s));
        QVERIFY(listing.entries.size() >= 10);
        const QSet<QString> before = walk(m_root.path());
        QList<int> ids;
        for (const FileEntry &entry : listing.entries) {
            DownloadRequest r = request(DownloadRequest::Kind::File, entry.path);
            r.suggestedName = entry.name;
            ids.append(m_downloads->add(r));
        }
        QVERIFY(waitUntil(
            [&] {
                return std::all_of(ids.cbegin(), ids.cend(), [&](int id) {
                    return itemOf(id).isFinished() || itemOf(id).state == State::Conflict;
                });
            },
            60000));
        for (qsizetype i = 0; i < ids.size(); ++i) {
            const FileEntry &entry = listing.entries.at(i);
            const DownloadItem item = itemOf(ids.at(i));
            // banata-local refuses paths with control characters, and a name that was invalid
            // UTF-8 does not map back to the file: those fail with the server's message. Every
            // other name arrives, made safe.
            const bool unreachable = std::any_of(entry.name.cbegin(), entry.name.cend(), [](QChar c) {
                return c.unicode() < 0x20 || c.unicode() == 0xFFFD;
            });
            if (unreachable) {
                QVERIFY2(item.state == State::Failed && !item.error.isEmpty(), describe(ids.at(i)));
                continue;
            }
            QVERIFY2(item.state == State::Completed, describe(ids.at(i)));
            QCOMPARE(item.fileName, safeFileName(entry.name));
            QCOMPARE(QFile(item.localPath()).size(),
                     QFileInfo(m_fixture.workspaceOf(m_id) + u"/hostile/"_s + entry.name).size());
        }
        const QSet<QString> added = walk(m_root.path()) - before;
        QVERIFY(!added.isEmpty());
        for (const QString &path : added)
            QVERIFY2(path.startsWith(u"dest/"_s) && !path.mid(5).contains(u'/'), qPrintable(path));
    }
};

QTEST_GUILESS_MAIN(TestDownloads)
#include "test_downloads.moc"
