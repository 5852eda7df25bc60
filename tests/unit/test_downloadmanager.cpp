// SPDX-License-Identifier: MIT
// The download engine against a fake Banata file server: Range resumes after drops and outages;
// If-Range restarts; digests; cancel; give-up; artifacts; throttled progress.
#include "downloadmanagertest.h"

using namespace banata;
using namespace banata::test;
using namespace Qt::StringLiterals;

class TestDownloadManager : public DownloadManagerTest
{
    Q_OBJECT

private slots:
    void downloadsVerifiesAndPlacesAFile()
    {
        const QByteArray data = randomBytes(300 * 1024 + 7, 1);
        m_server->files[u"/workspace/out/report.bin"_s] = {data};
        QSignalSpy changed(m_downloads.get(), &DownloadManager::itemChanged);
        QSignalSpy added(m_downloads.get(), &DownloadManager::itemAdded);
        const int id = m_downloads->add(fileRequest(u"/workspace/out/report.bin"_s));
        QCOMPARE(added.size(), 1);
        QCOMPARE(added.first().at(0).value<DownloadItem>().state, State::Queued);
        QVERIFY2(waitFor(id, State::Completed), describe(id));
        const DownloadItem item = itemOf(id);
        QCOMPARE(item.fileName, u"report.bin"_s);
        QCOMPARE(item.localPath(), m_dest + u"/report.bin"_s);
        QCOMPARE(item.received, qint64(data.size()));
        QCOMPARE(item.total, qint64(data.size()));
        QCOMPARE(item.sha256, hexSha256(data));
        QVERIFY(item.verified); // by fs/checksum: a workspace file carries no Repr-Digest here
        QCOMPARE(m_server->checksums, 1);
        QVERIFY(item.startedAt > 0 && item.finishedAt >= item.startedAt);
        QCOMPARE(contentOf(item.localPath()), data);
        QCOMPARE(entriesOf(m_dest), QStringList{u"report.bin"_s}); // no .part left behind
        QCOMPARE(statesSeen(changed), (QList<State>{State::Running, State::Verifying, State::Completed}));
        QCOMPARE(m_downloads->activeCount(), 0);
    }

    void resumesWithRangeAfterTheServerDropsMidBody()
    {
        const QByteArray data = randomBytes(3 * 1024 * 1024 + 11, 3);
        m_server->files[u"/workspace/big.bin"_s] = {data, "\"e1\""_ba};
        m_server->dropNextAfter(1024 * 1024);
        QSignalSpy changed(m_downloads.get(), &DownloadManager::itemChanged);
        const int id = m_downloads->add(fileRequest(u"/workspace/big.bin"_s));
        QVERIFY2(waitFor(id, State::Completed), describe(id));
        QCOMPARE(contentOf(m_dest + u"/big.bin"_s), data);
        QCOMPARE(itemOf(id).resumes, 1);
        QVERIFY(itemOf(id).verified);
        QCOMPARE(m_server->downloadRequests.size(), 2);
        const RecordedRequest &second = m_server->downloadRequests.at(1);
        QCOMPARE(second.header("Range"_ba), "bytes=1048576-"_ba);
        QCOMPARE(second.header("If-Range"_ba), "\"e1\""_ba);
        QVERIFY(statesSeen(changed).contains(State::Waiting));
    }

    void jobLevelRetriesCountAsResumes()
    {
        // With the client's own retries (the app's default), a drop resumes inside one job.
        const QByteArray data = randomBytes(2 * 1024 * 1024, 4);
        m_server->files[u"/workspace/big.bin"_s] = {data};
        m_server->dropNextAfter(512 * 1024);
        const int id = m_downloads->add(fileRequest(u"/workspace/big.bin"_s, {}, 3));
        QVERIFY2(waitFor(id, State::Completed), describe(id));
        QCOMPARE(contentOf(m_dest + u"/big.bin"_s), data);
        QCOMPARE(itemOf(id).resumes, 1);
        QCOMPARE(m_server->downloadRequests.at(1).header("Range"_ba), "bytes=524288-"_ba);
    }

    void ifRangeMismatchRestartsFromZero()
    {
        const QByteArray first = randomBytes(1024 * 1024, 5);
        const QByteArray second = randomBytes(700 * 1024, 6);
        m_server->files[u"/workspace/f.bin"_s] = {first, "\"one\""_ba};
        m_server->dropNextAfter(400 * 1024);
        m_server->beforeDownload = [this, second](int request) {
            if (request == 2) // the file changed while we were away
                m_server->files[u"/workspace/f.bin"_s] = {second, "\"two\""_ba};
        };
        const int id = m_downloads->add(fileRequest(u"/workspace/f.bin"_s));
        QVERIFY2(waitFor(id, State::Completed), describe(id));
        QCOMPARE(m_server->downloadRequests.at(1).header("If-Range"_ba), "\"one\""_ba);
        QCOMPARE(contentOf(m_dest + u"/f.bin"_s), second);
        QCOMPARE(itemOf(id).resumes, 0);
        QCOMPARE(itemOf(id).sha256, hexSha256(second));
        QVERIFY(itemOf(id).verified);
    }

    void reprDigestMismatchFails()
    {
        const QByteArray data = randomBytes(200 * 1024, 7);
        m_server->files[u"/workspace/corrupt.bin"_s] = {data, "\"c\""_ba, false, "something else"_ba};
        const int id = m_downloads->add(fileRequest(u"/workspace/corrupt.bin"_s));
        QVERIFY2(waitFor(id, State::Failed), describe(id));
        QVERIFY2(itemOf(id).error.contains(u"SHA-256"_s), describe(id));
        QVERIFY(!itemOf(id).verified);
        QCOMPARE(m_server->checksums, 0);                        // the response's digest is what counts
        QVERIFY(!QFileInfo::exists(m_dest + u"/corrupt.bin"_s)); // never renamed into place
        QCOMPARE(entriesOf(m_dest), QStringList{u"corrupt.bin.part"_s});
    }

    void reprDigestMatchVerifiesAFolderArchive()
    {
        const QByteArray zip = randomBytes(150 * 1024, 8);
        m_server->files[u"/workspace/out"_s] = {zip, "\"z\""_ba, true};
        DownloadRequest request = fileRequest(u"/workspace/out"_s);
        request.kind = DownloadRequest::Kind::Folder;
        const int id = m_downloads->add(request);
        QCOMPARE(itemOf(id).fileName, u"out.zip"_s);
        QVERIFY2(waitFor(id, State::Completed), describe(id));
        QVERIFY(itemOf(id).verified);
        QCOMPARE(m_server->checksums, 0);
        QCOMPARE(m_server->downloadRequests.first().url().path(), u"/v1/sandboxes/fs/archive"_s);
        QCOMPARE(contentOf(m_dest + u"/out.zip"_s), zip);
    }

    void cancelRemovesThePart()
    {
        // A body that never ends: the download runs until the operator cancels it.
        m_server->network.setHandler([](const QNetworkRequest &, const QByteArray &, const QByteArray &) {
            return FakeReplySpec::endless().header("ETag"_ba, "\"x\""_ba);
        });
        const int id = m_downloads->add(fileRequest(u"/workspace/endless"_s));
        QVERIFY2(waitUntil([&] { return itemOf(id).received > 256 * 1024; }, kWaitMs), describe(id));
        QCOMPARE(stateOf(id), State::Running);
        QCOMPARE(entriesOf(m_dest), QStringList{u"endless.part"_s});
        m_downloads->cancel(id);
        QCOMPARE(stateOf(id), State::Cancelled);
        QCOMPARE(entriesOf(m_dest), QStringList());
        QTRY_COMPARE(m_server->network.openReplies(), 0);
        m_downloads->cancel(id); // finished: no-op
        QCOMPARE(stateOf(id), State::Cancelled);
    }

    void waitsWhileTheServerIsAwayThenResumes()
    {
        const QByteArray data = randomBytes(2 * 1024 * 1024, 9);
        m_server->files[u"/workspace/big.bin"_s] = {data};
        m_server->dropNextAfter(600 * 1024);
        m_server->beforeDownload = [this](int request) {
            if (request == 1)
                m_server->down = true; // the first body is cut and the server goes away
        };
        m_downloads->setRetryDelayMs(50);
        const int id = m_downloads->add(fileRequest(u"/workspace/big.bin"_s));
        QVERIFY2(waitFor(id, State::Waiting), describe(id));
        QVERIFY2(itemOf(id).error.startsWith(u"Server not reachable — retrying in "_s), describe(id));
        QCOMPARE(itemOf(id).bytesPerSecond, 0.0);
        QVERIFY(QFileInfo::exists(m_dest + u"/big.bin.part"_s));
        const int attemptsBefore = m_server->network.requests().size();
        QVERIFY(waitUntil([&] { return m_server->network.requests().size() >= attemptsBefore + 2; },
                          kWaitMs)); // still trying
        QCOMPARE(stateOf(id), State::Waiting);

        m_server->down = false;
        QVERIFY2(waitFor(id, State::Completed), describe(id));
        QCOMPARE(contentOf(m_dest + u"/big.bin"_s), data);
        QCOMPARE(itemOf(id).resumes, 1);
        QVERIFY(itemOf(id).error.isEmpty());
    }

    void givesUpWhenTheServerStaysAway()
    {
        m_server->down = true;
        m_downloads->setGiveUpAfterMs(200);
        const int id = m_downloads->add(fileRequest(u"/workspace/x"_s));
        QVERIFY2(waitFor(id, State::Failed), describe(id));
        QVERIFY2(itemOf(id).error.contains(u"gave up"_s), describe(id));
        QVERIFY(m_server->network.requests().size() >= 2);
    }

    void clientErrorFailsWithTheServersMessage()
    {
        const int id = m_downloads->add(fileRequest(u"/workspace/missing.txt"_s));
        QVERIFY2(waitFor(id, State::Failed), describe(id));
        QVERIFY2(itemOf(id).error.contains(u"No such file"_s), describe(id));
        QCOMPARE(m_server->downloads, 1); // a 404 is not retried
        QCOMPARE(entriesOf(m_dest), QStringList{u"missing.txt.part"_s});

        // retry() starts again once the file is there.
        m_server->files[u"/workspace/missing.txt"_s] = {"here now"_ba};
        m_downloads->retry(id);
        QVERIFY2(waitFor(id, State::Completed), describe(id));
        QCOMPARE(contentOf(m_dest + u"/missing.txt"_s), "here now"_ba);
    }

    void fileChangedDuringTheDownloadRestartsOnce()
    {
        const QByteArray data = randomBytes(64 * 1024, 10);
        m_server->files[u"/workspace/busy.log"_s] = {data, "\"a\""_ba};
        int checks = 0;
        m_server->checksumEtag = [&checks](const QString &) {
            return ++checks == 1 ? "\"changed\""_ba : "\"a\""_ba;
        };
        const int id = m_downloads->add(fileRequest(u"/workspace/busy.log"_s));
        QVERIFY2(waitFor(id, State::Completed), describe(id));
        QCOMPARE(m_server->downloads, 2);
        QCOMPARE(m_server->downloadRequests.at(1).header("Range"_ba), QByteArray()); // from zero
        QVERIFY(itemOf(id).verified);
    }

    void fileThatKeepsChangingFails()
    {
        m_server->files[u"/workspace/busy.log"_s] = {"x"_ba, "\"a\""_ba};
        m_server->checksumEtag = [](const QString &) {
            return "\"always-different\""_ba;
        };
        const int id = m_downloads->add(fileRequest(u"/workspace/busy.log"_s));
        QVERIFY2(waitFor(id, State::Failed), describe(id));
        QCOMPARE(itemOf(id).error, u"The file keeps changing on the server"_s);
        QCOMPARE(m_server->downloads, 2);
        QVERIFY(!QFileInfo::exists(m_dest + u"/busy.log"_s));
    }

    void artifactAsksForAFreshUrlOnEveryAttempt()
    {
        const QByteArray pdf = randomBytes(900 * 1024, 11);
        m_server->files[u"customer-a/report.pdf"_s] = {pdf, "\"art\""_ba, true};
        m_server->dropNextAfter(300 * 1024);
        DownloadRequest request = fileRequest({});
        request.kind = DownloadRequest::Kind::Artifact;
        request.artifactKey = u"customer-a/report.pdf"_s;
        const int id = m_downloads->add(request);
        QCOMPARE(itemOf(id).fileName, u"report.pdf"_s);
        QCOMPARE(itemOf(id).remotePath, u"customer-a/report.pdf"_s);
        QVERIFY2(waitFor(id, State::Completed), describe(id));
        QCOMPARE(contentOf(m_dest + u"/report.pdf"_s), pdf);
        QCOMPARE(m_server->urlRequests, 2); // tokens are single-use here, as they may expire
        QCOMPARE(itemOf(id).resumes, 1);
        QVERIFY(itemOf(id).verified);
        for (const RecordedRequest &sent : std::as_const(m_server->downloadRequests)) {
            QCOMPARE(sent.url().path(), u"/v1/artifacts/download"_s);
            QVERIFY(sent.header("Authorization"_ba).isEmpty()); // the URL is the credential
        }
    }

    void progressIsThrottledAndConcurrencyLimited()
    {
        const QByteArray data = randomBytes(4 * 1024 * 1024, 12);
        m_server->files[u"/workspace/a.bin"_s] = {data};
        m_server->files[u"/workspace/b.bin"_s] = {data};
        m_server->chunkSize = 4 * 1024; // 1024 chunks, each a progress report of the job
        m_downloads->setMaxConcurrent(1);
        QSignalSpy changed(m_downloads.get(), &DownloadManager::itemChanged);
        QHash<int, State> states;
        int mostAtOnce = 0;
        QObject context;
        connect(m_downloads.get(), &DownloadManager::itemChanged, &context, [&](const DownloadItem &item) {
            states[item.id] = item.state;
            mostAtOnce =
                std::max(mostAtOnce, int(std::count_if(states.cbegin(), states.cend(), [](State state) {
                             return state == State::Running || state == State::Waiting;
                         })));
        });
        QElapsedTimer clock;
        clock.start();
        const int a = m_downloads->add(fileRequest(u"/workspace/a.bin"_s));
        const int b = m_downloads->add(fileRequest(u"/workspace/b.bin"_s));
        QVERIFY2(waitFor(b, State::Completed), describe(b));
        QCOMPARE(stateOf(a), State::Completed);
        QCOMPARE(mostAtOnce, 1); // one at a time
        // At most ~10 progress reports a second per download, plus its state changes.
        const qint64 allowed = 2 * (clock.elapsed() / 100 + 2) + 2 * 6;
        QVERIFY2(changed.size() <= allowed,
                 qPrintable(u"%1 changes in %2 ms"_s.arg(changed.size()).arg(clock.elapsed())));
    }

    void transferRateIsSmoothedAndFalls()
    {
        TransferRate rate(3000);
        QCOMPARE(rate.bytesPerSecond(0), 0.0);
        for (qint64 t = 0; t <= 2000; t += 50)
            rate.add(t, t * 1000); // 1 MB/s
        QVERIFY(qAbs(rate.bytesPerSecond(2000) - 1e6) < 1e4);
        QCOMPARE(rate.remainingMs(2000, 500000), 500);
        rate.add(2100, 2000000 + 10000000); // one burst barely moves the average
        QVERIFY(rate.bytesPerSecond(2100) < 6e6);
        QCOMPARE(rate.bytesPerSecond(6000), 0.0); // nothing for a whole window
        QCOMPARE(rate.remainingMs(6000, 100), -1);
        rate.reset();
        QCOMPARE(rate.bytesPerSecond(6000), 0.0);
    }

    void clearFinishedForgetsOnlyFinished()
    {
        m_server->files[u"/workspace/a"_s] = {"a"_ba};
        QVERIFY(writeFile(m_dest + u"/b"_s, "exists"_ba));
        const int a = m_downloads->add(fileRequest(u"/workspace/a"_s));
        const int b = m_downloads->add(fileRequest(u"/workspace/b"_s));
        QVERIFY(waitFor(a, State::Completed));
        QSignalSpy removed(m_downloads.get(), &DownloadManager::itemRemoved);
        m_downloads->clearFinished();
        QCOMPARE(removed.size(), 1);
        QCOMPARE(removed.first().at(0).toInt(), a);
        QCOMPARE(m_downloads->items().size(), 1);
        QCOMPARE(m_downloads->items().first().id, b);
        QVERIFY(QFileInfo::exists(m_dest + u"/a"_s)); // the files stay
    }
};

QTEST_GUILESS_MAIN(TestDownloadManager)
#include "test_downloadmanager.moc"
