// SPDX-License-Identifier: MIT
// SIGKILL of banata-local while it takes a checkpoint: once in the middle of the copy (the
// sandbox is frozen for it), once the moment the finished copy is renamed into place (before the
// server recorded it). After the restart the checkpoint is either listed and restores the exact
// bytes of that moment, or absent with nothing of it left on disk; the earlier checkpoint still
// restores byte for byte, the sandbox runs again, and a new checkpoint works.
#include <functional>

#include <QDir>
#include <QFileSystemWatcher>
#include <QTest>

#include "test_fault_kill_common.h"

using namespace banata;
using namespace banata::test;
using namespace Qt::StringLiterals;

namespace {

constexpr int kSmallFiles = 300;

} // namespace

class TestFaultKillCheckpoint : public QObject
{
    Q_OBJECT

private:
    KillFixture m_f;
    QString m_id;
    QString m_beforeId;
    QMap<QString, QString> m_before; // the workspace when m_beforeId was taken

    QString checkpointsDir() const { return m_f.rootOf(m_id) + u"/checkpoints"_s; }

    QStringList onDisk() const
    {
        QStringList entries =
            QDir(checkpointsDir())
                .entryList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot);
        entries.sort();
        return entries;
    }

    QStringList listed()
    {
        QStringList ids;
        const auto list = awaitJob(m_f.client().checkpoints(m_id));
        if (list && list->ok()) {
            for (const Checkpoint &checkpoint : list->value())
                ids.append(checkpoint.id);
        }
        ids.sort();
        return ids;
    }

    /// Starts a checkpoint and SIGKILLs the server as soon as the checkpoints folder looks the
    /// way \a killNow wants (watched with inotify, so the kill lands inside the operation). True
    /// once killed; \a acknowledged receives the checkpoint if the answer still came first.
    bool checkpointKilledWhen(const std::function<bool(const QStringList &)> &killNow,
                              std::optional<Checkpoint> *acknowledged)
    {
        QFileSystemWatcher watcher({checkpointsDir()});
        bool killed = false;
        bool answered = false;
        connect(&watcher, &QFileSystemWatcher::directoryChanged, &watcher, [&] {
            if (!killed && killNow(onDisk())) {
                killed = true;
                m_f.server().kill();
            }
        });
        connect(m_f.client().createCheckpoint(m_id, u"during"_s), &CheckpointJob::finished, &watcher,
                [&](const ApiResult<Checkpoint> &result) {
                    answered = true;
                    if (result.ok())
                        *acknowledged = result.value();
                });
        return waitUntil([&] { return answered && killed; }, 60000);
    }

    /// What the crash left in the checkpoints folder besides the checkpoints listed before it.
    QStringList leftBehind(const QStringList &listedBefore) const
    {
        QStringList entries = onDisk();
        for (const QString &id : listedBefore)
            entries.removeAll(id);
        return entries;
    }

    /// What a user checks after the crash; \a atKill is the workspace the lost checkpoint saw,
    /// \a crashLeft what leftBehind() found before the restart.
    void checkAfterRestart(const char *scenario, const QStringList &listedBefore,
                           const QMap<QString, QString> &atKill, const QString &crashLeft,
                           const std::optional<Checkpoint> &acknowledged)
    {
        // The sandbox was frozen for the copy: it must run again.
        QVERIFY2(m_f.waitStatus(m_id, SandboxStatus::Ready), qPrintable(m_f.errorString()));
        const auto echo = m_f.run(m_id, u"echo ok"_s);
        QVERIFY2(echo && echo->stdoutText == u"ok\n"_s, qPrintable(m_f.errorString()));

        // Listed means complete: it restores exactly what the workspace held at that moment.
        const QStringList now = listed();
        QVERIFY(now.contains(m_beforeId));
        QStringList added = now;
        for (const QString &id : listedBefore)
            added.removeAll(id);
        QVERIFY(added.size() <= 1);
        if (acknowledged) // answered before the kill: it must have survived it
            QCOMPARE(added, QStringList{acknowledged->id});
        if (!added.isEmpty()) {
            AWAIT_OK(restored, m_f.client().restoreCheckpoint(m_id, added.first()));
            QCOMPARE(treeManifest(m_f.workspaceOf(m_id)), atKill);
        }
        // On disk: the listed checkpoints and nothing else (no partial copy, nothing unrecorded).
        QTRY_COMPARE_WITH_TIMEOUT(onDisk(), now, 10000);

        // The earlier checkpoint restores byte for byte, and a new one can be taken.
        AWAIT_OK(restored, m_f.client().restoreCheckpoint(m_id, m_beforeId));
        QCOMPARE(treeManifest(m_f.workspaceOf(m_id)), m_before);
        AWAIT_OK(next, m_f.client().createCheckpoint(m_id, u"after"_s));
        QVERIFY(listed().contains(next.id));
        reportFigures(
            scenario,
            u"checkpoint=%1,on_disk_at_crash=%2,earlier_restored_exact=1,leftovers_after=0,sandbox_thawed=1"_s
                .arg(added.isEmpty() ? u"absent"_s
                     : acknowledged  ? u"complete-acknowledged"_s
                                     : u"complete"_s,
                     crashLeft),
            m_f.lastRecovery());
    }

    /// Changes the workspace after m_beforeId; returns the new manifest.
    QMap<QString, QString> changeWorkspace(const QString &tag)
    {
        const auto changed =
            m_f.run(m_id, u"rm -f /workspace/tree/f1*; echo %1 > /workspace/changed.txt; "
                          u"head -c 100000 /dev/urandom > /workspace/tree/%1.bin"_s.arg(tag));
        return changed && changed->exitCode == 0 ? treeManifest(m_f.workspaceOf(m_id))
                                                 : QMap<QString, QString>();
    }

private slots:
    void initTestCase()
    {
        QVERIFY2(m_f.start(), qPrintable(m_f.errorString()));
        m_id = m_f.createReady();
        QVERIFY2(!m_id.isEmpty(), qPrintable(m_f.errorString()));
        // Many files and a large one: copying and syncing them takes long enough to be killed inside.
        const auto filled = m_f.run(
            m_id,
            u"mkdir -p /workspace/tree && cd /workspace/tree && "
            u"python3 -c 'import sys\nfor i in range(%1): open(\"f%d\" % i, \"w\").write(str(i) * 50)' && "
            u"head -c 16777216 /dev/urandom > /workspace/big.bin && ln -s tree/f7 /workspace/link"_s.arg(
                kSmallFiles));
        QVERIFY2(filled && filled->exitCode == 0,
                 filled ? qPrintable(filled->stderrText) : qPrintable(m_f.errorString()));
        AWAIT_OK(before, m_f.client().createCheckpoint(m_id, u"before"_s));
        m_beforeId = before.id;
        m_before = treeManifest(m_f.workspaceOf(m_id));
        QVERIFY(m_before.size() > kSmallFiles);
    }

    void cleanupTestCase() { QVERIFY2(m_f.stop(), qPrintable(m_f.errorString())); }

    void killDuringTheCopy()
    {
        const QMap<QString, QString> atKill = changeWorkspace(u"one"_s);
        QVERIFY(!atKill.isEmpty() && atKill != m_before);
        const QStringList listedBefore = listed();
        std::optional<Checkpoint> acknowledged;
        QVERIFY(checkpointKilledWhen(
            [](const QStringList &entries) {
                return std::any_of(entries.cbegin(), entries.cend(), [](const QString &name) {
                    return name.startsWith(u".banata-checkpoint-"_s);
                });
            },
            &acknowledged));
        QVERIFY(!acknowledged); // killed with the copy under way
        QVERIFY2(m_f.crash(), qPrintable(m_f.errorString()));
        // The partial copy is there: the restart has to clear it away.
        const QStringList crashLeft = leftBehind(listedBefore);
        QCOMPARE(crashLeft.size(), 1);
        QVERIFY(crashLeft.first().startsWith(u".banata-checkpoint-"_s));
        QVERIFY2(m_f.restart(), qPrintable(m_f.errorString()));
        checkAfterRestart("checkpoint.copying", listedBefore, atKill, u"partial-copy"_s, acknowledged);
    }

    void killWhenTheCopyIsRenamedIntoPlace()
    {
        const QMap<QString, QString> atKill = changeWorkspace(u"two"_s);
        QVERIFY(!atKill.isEmpty() && atKill != m_before);
        const QStringList listedBefore = listed();
        // The record is stored a moment after the rename: the kill may land before it or after
        // the answer; either way the checkpoint must come out listed and whole, or not at all.
        std::optional<Checkpoint> acknowledged;
        QVERIFY(checkpointKilledWhen(
            [&listedBefore](const QStringList &entries) {
                return std::any_of(entries.cbegin(), entries.cend(), [&](const QString &name) {
                    return !name.startsWith(u'.') && !listedBefore.contains(name);
                });
            },
            &acknowledged));
        QVERIFY2(m_f.crash(), qPrintable(m_f.errorString()));
        // The finished copy is there, recorded or not: the restart lists it or clears it away.
        const QStringList crashLeft = leftBehind(listedBefore);
        QCOMPARE(crashLeft.size(), 1);
        QVERIFY(!crashLeft.first().startsWith(u'.'));
        QVERIFY2(m_f.restart(), qPrintable(m_f.errorString()));
        checkAfterRestart("checkpoint.renamed", listedBefore, atKill, u"finished-copy"_s, acknowledged);
    }
};

QTEST_GUILESS_MAIN(TestFaultKillCheckpoint)
#include "test_fault_kill_checkpoint.moc"
