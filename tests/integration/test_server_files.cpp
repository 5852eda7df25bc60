// SPDX-License-Identifier: MIT
// banata-local files end to end: list/read/write, confinement to /workspace, raw download with
// Range/ETag/If-Range, streamed upload, checkpoints restoring exact bytes, and the event stream
// replaying what a client missed.
#include "support/servertestbase.h"
#include "support/testdata.h"

#include <QBuffer>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryFile>

using namespace banata;
using namespace banata::test;
using namespace Qt::StringLiterals;

namespace {
ExecRequest shell(const QString &id, const QString &command)
{
    ExecRequest request;
    request.id = id;
    request.command = command;
    return request;
}
} // namespace

class TestServerFiles : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        m_fixture = std::make_unique<ServerFixture>();
        QVERIFY2(m_fixture->start(), qPrintable(m_fixture->errorString()));
        m_id = m_fixture->createReady();
        QVERIFY2(!m_id.isEmpty(), qPrintable(m_fixture->errorString()));
        // A canary outside the sandbox that no request may read or touch.
        m_canary = m_fixture->server().dataDir() + u"/canary.txt"_s;
        QFile canary(m_canary);
        QVERIFY(canary.open(QIODevice::WriteOnly));
        canary.write("secret");
    }
    void cleanupTestCase() { m_fixture.reset(); }

    void writeReadListRoundTrip()
    {
        FileWriteRequest write;
        write.id = m_id;
        write.path = u"/workspace/out/ünïcode report.txt"_s;
        write.bytes = "hello\nwörld\n"_ba;
        AWAIT_OK(written, m_fixture->client().writeFile(write));
        QCOMPARE(written.size, write.bytes.size());
        QTRY_VERIFY_WITH_TIMEOUT(m_fixture->sawEvent(m_id, u"sandbox.files.changed"_s), 5000);

        AWAIT_OK(content, m_fixture->client().readFile(m_id, u"out/ünïcode report.txt"_s));
        QCOMPARE(content.bytes, write.bytes);

        write.path = u"/workspace/out/blob.bin"_s;
        write.bytes = QByteArray("\x00\xff\x10\x80", 4);
        AWAIT_OK(binaryWritten, m_fixture->client().writeFile(write));
        AWAIT_OK(binary, m_fixture->client().readFile(m_id, u"/workspace/out/blob.bin"_s));
        QCOMPARE(binary.bytes, write.bytes);

        AWAIT_OK(listing, m_fixture->client().listFiles(m_id, u"/workspace/out"_s));
        QCOMPARE(listing.entries.size(), 2);
        QCOMPARE(listing.entries[0].name, u"blob.bin"_s);
        QCOMPARE(listing.entries[0].path, u"/workspace/out/blob.bin"_s);
        QCOMPARE(listing.entries[0].size, 4);
        QVERIFY(listing.entries[1].type == FileEntry::Type::File);

        // What the API wrote, the sandbox's processes see.
        AWAIT_OK(seen, m_fixture->client().exec(shell(m_id, u"cat '/workspace/out/ünïcode report.txt'"_s)));
        QCOMPARE(seen.stdoutText, u"hello\nwörld\n"_s);
    }

    void pathsCannotLeaveTheWorkspace_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<int>("status");
        QTest::newRow("dotdot") << u"../canary.txt"_s << 403;
        QTest::newRow("deep dotdot") << u"/workspace/a/../../../canary.txt"_s << 403;
        QTest::newRow("absolute elsewhere") << u"/etc/passwd"_s << 403;
        QTest::newRow("symlink out") << u"/workspace/escape/canary.txt"_s << 403;
        QTest::newRow("absolute symlink") << u"/workspace/passwd-link"_s << 403;
        QTest::newRow("nul") << (u"/workspace/a"_s + QChar(0) + u"b"_s) << 400;
    }
    void pathsCannotLeaveTheWorkspace()
    {
        QFETCH(QString, path);
        QFETCH(int, status);
        // Links made by a process in the sandbox, as an agent could.
        AWAIT_OK(links, m_fixture->client().exec(shell(
            m_id, u"ln -sfn ../../.. /workspace/escape; ln -sf /etc/passwd /workspace/passwd-link; echo done"_s)));
        QCOMPARE(links.stdoutText, u"done\n"_s);

        auto read = awaitJob(m_fixture->client().readFile(m_id, path));
        QVERIFY(read && !read->ok());
        QCOMPARE(read->error().httpStatus, status);

        FileWriteRequest write;
        write.id = m_id;
        write.path = path;
        write.bytes = "overwritten"_ba;
        auto written = awaitJob(m_fixture->client().writeFile(write));
        QVERIFY(written && !written->ok());
        QCOMPARE(written->error().httpStatus, status);

        QBuffer sink;
        sink.open(QIODevice::WriteOnly);
        auto downloaded = awaitJob(m_fixture->client().download(m_id, path, &sink));
        QVERIFY(downloaded && !downloaded->ok());
        QVERIFY(sink.data().isEmpty());

        QFile canary(m_canary);
        QVERIFY(canary.open(QIODevice::ReadOnly));
        QCOMPARE(canary.readAll(), "secret"_ba);
    }

    void downloadRangesAndValidators()
    {
        const QByteArray bytes = randomBytes(3 << 20);
        QTemporaryFile source;
        QVERIFY(source.open());
        source.write(bytes);
        source.seek(0);
        AWAIT_OK(uploaded, m_fixture->client().upload(m_id, u"/workspace/data/big.bin"_s, &source));
        QCOMPARE(uploaded.size, bytes.size());

        QBuffer whole;
        whole.open(QIODevice::WriteOnly);
        AWAIT_OK(full, m_fixture->client().download(m_id, u"/workspace/data/big.bin"_s, &whole));
        QCOMPARE(whole.data(), bytes);
        QVERIFY(!full.etag.isEmpty());

        // Resume from the middle with the ETag: the server continues (206).
        const qint64 half = bytes.size() / 2;
        QBuffer rest;
        rest.open(QIODevice::WriteOnly);
        auto *resumeJob = m_fixture->client().download(m_id, u"/workspace/data/big.bin"_s, &rest, {half, full.etag});
        AWAIT_OK(resumed, resumeJob);
        QCOMPARE(resumed.resumedFrom, half);
        QCOMPARE(rest.data(), bytes.mid(half));

        // The file changes: a resume with the old ETag must restart from zero, never splice.
        FileWriteRequest change;
        change.id = m_id;
        change.path = u"/workspace/data/big.bin"_s;
        change.bytes = "new contents"_ba;
        AWAIT_OK(changed, m_fixture->client().writeFile(change));
        QBuffer restarted;
        restarted.open(QIODevice::WriteOnly);
        AWAIT_OK(fresh, m_fixture->client().download(m_id, u"/workspace/data/big.bin"_s, &restarted, {half, full.etag}));
        QCOMPARE(fresh.resumedFrom, 0);
        QCOMPARE(restarted.data(), "new contents"_ba);
        QVERIFY(fresh.etag != full.etag);
    }

    void uploadIsAtomicAndStreams()
    {
        const QByteArray bytes = randomBytes(40 << 20);
        QTemporaryFile source;
        QVERIFY(source.open());
        source.write(bytes);
        source.seek(0);
        AWAIT_OK(uploaded, m_fixture->client().upload(m_id, u"/workspace/up/forty.bin"_s, &source));
        QCOMPARE(uploaded.size, bytes.size());
        QFile onHost(m_fixture->workspaceOf(m_id) + u"/up/forty.bin"_s);
        QVERIFY(onHost.open(QIODevice::ReadOnly));
        QCOMPARE(QCryptographicHash::hash(onHost.readAll(), QCryptographicHash::Sha256),
                 QCryptographicHash::hash(bytes, QCryptographicHash::Sha256));
        // No temporary files left next to it.
        QCOMPARE(QDir(m_fixture->workspaceOf(m_id) + u"/up"_s).entryList(QDir::Files | QDir::Hidden),
                 QStringList{u"forty.bin"_s});
    }

    void checkpointRestoresExactBytes()
    {
        AWAIT_OK(made, m_fixture->client().exec(shell(m_id,
            u"mkdir -p /workspace/cp/empty && head -c 1000000 /dev/urandom > /workspace/cp/random.bin && "
            u"echo one > /workspace/cp/a.txt && chmod 600 /workspace/cp/a.txt && ln -s a.txt /workspace/cp/link && "
            u"find /workspace/cp -exec stat -c '%n %s %a %F' {} + | sort && sha256sum /workspace/cp/random.bin"_s)));
        QCOMPARE(made.exitCode, 0);
        const QString manifest = made.stdoutText;

        AWAIT_OK(checkpoint, m_fixture->client().createCheckpoint(m_id, u"before changes"_s));
        QCOMPARE(checkpoint.label, u"before changes"_s);
        QVERIFY(checkpoint.fileCount > 0);
        QTRY_VERIFY_WITH_TIMEOUT(m_fixture->sawEvent(m_id, u"sandbox.checkpoint.created"_s), 5000);

        AWAIT_OK(changed, m_fixture->client().exec(shell(m_id,
            u"rm -r /workspace/cp/empty /workspace/cp/link && echo two >> /workspace/cp/a.txt && "
            u"head -c 10 /dev/zero > /workspace/cp/random.bin && touch /workspace/cp/new.txt"_s)));
        QCOMPARE(changed.exitCode, 0);

        AWAIT_OK(restored, m_fixture->client().restoreCheckpoint(m_id, checkpoint.id));
        QCOMPARE(restored.checkpoint.id, checkpoint.id);
        QTRY_VERIFY_WITH_TIMEOUT(m_fixture->sawEvent(m_id, u"sandbox.checkpoint.restored"_s), 5000);

        AWAIT_OK(after, m_fixture->client().exec(shell(m_id,
            u"find /workspace/cp -exec stat -c '%n %s %a %F' {} + | sort && sha256sum /workspace/cp/random.bin"_s)));
        QCOMPARE(after.stdoutText, manifest);

        AWAIT_OK(list, m_fixture->client().checkpoints(m_id));
        QCOMPARE(list.size(), 1);
        AWAIT_ERROR(m_fixture->client().restoreCheckpoint(m_id, u"nosuchcheckpoint"_s), 404, "CHECKPOINT_NOT_FOUND");
    }

    void eventStreamReplaysWhatWasMissed()
    {
        // A second client subscribes from an old sequence number and gets the same events, in order.
        EventStream late(m_fixture->server().url(), m_fixture->server().apiKey());
        QList<Event> replayed;
        connect(&late, &EventStream::eventReceived, this, [&](const Event &e) { replayed.append(e); });
        late.start(0);
        const QList<Event> &live = m_fixture->received();
        QVERIFY(!live.isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(!replayed.isEmpty() && replayed.last().seq >= live.last().seq, 10000);
        for (qsizetype i = 1; i < replayed.size(); ++i)
            QCOMPARE(replayed[i].seq, replayed[i - 1].seq + 1);
        const qint64 first = live.first().seq;
        const auto match = std::find_if(replayed.cbegin(), replayed.cend(), [&](const Event &e) { return e.seq == first; });
        QVERIFY(match != replayed.cend());
        QCOMPARE(match->type, live.first().type);
    }

private:
    std::unique_ptr<ServerFixture> m_fixture;
    QString m_id;
    QString m_canary;
};

QTEST_GUILESS_MAIN(TestServerFiles)
#include "test_server_files.moc"
