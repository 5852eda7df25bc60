// SPDX-License-Identifier: MIT
// SIGKILL of banata-local in the middle of moving bytes: an upload whose body is half received
// (the old file stays intact, no partial file or temporary leftover remains, the upload can be
// made again) and a download half sent (the app's download engine waits, resumes with Range after
// the restart and ends with identical bytes). Measurements are printed as `FAULT scenario=…`.
#include <QBuffer>
#include <QCryptographicHash>
#include <QFileInfo>
#include <QFileSystemWatcher>
#include <QRandomGenerator>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>

#include "core/downloads/downloadmanager.h"
#include "test_fault_kill_common.h"

using namespace banata;
using namespace banata::test;
using namespace Qt::StringLiterals;

namespace {

constexpr qint64 kUploadBytes = 32LL << 20;
constexpr qint64 kDownloadBytes = 256LL << 20; // large enough that the kill lands long before the end

QByteArray randomBytes(qint64 size)
{
    QByteArray bytes(size, Qt::Uninitialized);
    QRandomGenerator::global()->fillRange(reinterpret_cast<quint32 *>(bytes.data()),
                                          size_t(size) / sizeof(quint32));
    return bytes;
}

QString sha256Of(const QByteArray &bytes)
{
    return QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
}

} // namespace

class TestFaultKillTransfer : public QObject
{
    Q_OBJECT

private:
    KillFixture m_f;
    QString m_id;

    /// Opens a raw connection and sends a PUT of \a declared bytes with only \a part of them, the
    /// way a client whose disk or network is slow would: the server holds a partial body.
    std::unique_ptr<QTcpSocket> startUpload(const QString &path, qint64 declared, const QByteArray &part)
    {
        auto socket = std::make_unique<QTcpSocket>();
        socket->connectToHost(m_f.server().url().host(), quint16(m_f.server().url().port()));
        if (!socket->waitForConnected(5000))
            return nullptr;
        QUrlQuery query;
        query.addQueryItem(u"id"_s, m_id);
        query.addQueryItem(u"path"_s, path);
        const QByteArray head =
            "PUT /v1/sandboxes/fs/upload?" + query.toString(QUrl::FullyEncoded).toLatin1() +
            " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + m_f.server().apiKey().toLatin1() +
            "\r\nContent-Type: application/octet-stream\r\nContent-Length: " + QByteArray::number(declared) +
            "\r\n\r\n";
        socket->write(head);
        socket->write(part);
        return socket;
    }

private slots:
    void initTestCase()
    {
        QVERIFY2(m_f.start(), qPrintable(m_f.errorString()));
        m_id = m_f.createReady();
        QVERIFY2(!m_id.isEmpty(), qPrintable(m_f.errorString()));
    }

    void cleanupTestCase() { QVERIFY2(m_f.stop(), qPrintable(m_f.errorString())); }

    void killDuringUpload()
    {
        const QString folder = m_f.workspaceOf(m_id) + u"/up"_s;
        // An earlier version, acknowledged: it must come out of the crash unchanged.
        const QByteArray first = randomBytes(1 << 20);
        QBuffer firstSource;
        firstSource.setData(first);
        QVERIFY(firstSource.open(QIODevice::ReadOnly));
        AWAIT_OK(uploaded, m_f.client().upload(m_id, u"/workspace/up/data.bin"_s, &firstSource));
        QCOMPARE(uploaded.size, qint64(first.size()));

        // The new version: half of it is sent, and the server dies once it wrote at least a
        // quarter to its temporary file.
        const QByteArray second = randomBytes(kUploadBytes);
        auto socket = startUpload(u"/workspace/up/data.bin"_s, kUploadBytes, second.left(kUploadBytes / 2));
        QVERIFY(socket);
        QVERIFY(waitUntil(
            [&] {
                const QStringList temps = entriesNamed(folder, u".banata-upload-"_s);
                return temps.size() == 1 && QFileInfo(temps.first()).size() >= kUploadBytes / 4;
            },
            20000));
        QVERIFY2(m_f.crash(), qPrintable(m_f.errorString()));
        QVERIFY2(m_f.restart(), qPrintable(m_f.errorString()));

        // The old bytes, whole; no partial file and no temporary left anywhere in the data dir.
        QCOMPARE(fileSha256(folder + u"/data.bin"_s), sha256Of(first));
        QTRY_COMPARE_WITH_TIMEOUT(entriesNamed(m_f.server().dataDir(), u".banata-upload-"_s), QStringList(),
                                  10000);
        AWAIT_OK(listing, m_f.client().listFiles(m_id, u"/workspace/up"_s));
        QCOMPARE(listing.entries.size(), 1);
        QCOMPARE(listing.entries.first().name, u"data.bin"_s);
        QCOMPARE(listing.entries.first().size, qint64(first.size()));

        // And the upload simply works when made again.
        QBuffer secondSource;
        secondSource.setData(second);
        QVERIFY(secondSource.open(QIODevice::ReadOnly));
        AWAIT_OK(again, m_f.client().upload(m_id, u"/workspace/up/data.bin"_s, &secondSource));
        QCOMPARE(again.size, kUploadBytes);
        QCOMPARE(fileSha256(folder + u"/data.bin"_s), sha256Of(second));
        reportFigures("upload", u"old_file_intact=1,partial_visible=0,temp_leftovers=0,upload_again=ok"_s,
                      m_f.lastRecovery());
    }

    void killDuringDownload()
    {
        const auto made =
            m_f.run(m_id, u"head -c %1 /dev/urandom > /workspace/big.bin"_s.arg(kDownloadBytes));
        QVERIFY2(made && made->exitCode == 0, qPrintable(m_f.errorString()));
        const QString expected = fileSha256(m_f.workspaceOf(m_id) + u"/big.bin"_s);
        QTemporaryDir destination;
        QVERIFY(destination.isValid());

        // The app's download engine with the app's settings (retry after 1 s, doubling).
        DownloadManager downloads;
        bool killed = false;
        const auto killOnce = [&] {
            if (!killed) {
                killed = true;
                m_f.server().kill();
            }
        };
        // Mid-body: the server dies once the first bytes reached the disk (inotify on the .part,
        // or the engine's first progress report, whichever comes first), with the rest in flight.
        const QString part = destination.path() + u"/big.bin.part"_s;
        QFileSystemWatcher watcher({destination.path()});
        QObject context;
        connect(&watcher, &QFileSystemWatcher::directoryChanged, &context, [&] {
            if (QFileInfo::exists(part) && !watcher.files().contains(part))
                watcher.addPath(part);
        });
        connect(&watcher, &QFileSystemWatcher::fileChanged, &context, [&] {
            if (QFileInfo(part).size() > 0)
                killOnce();
        });
        connect(&downloads, &DownloadManager::itemChanged, &context, [&](const DownloadItem &item) {
            if (item.state == DownloadItem::State::Running && item.received > 0)
                killOnce();
        });
        const int id = downloads.add(DownloadRequest{.kind = DownloadRequest::Kind::File,
                                                     .client = m_f.client(),
                                                     .connectionName = u"Local"_s,
                                                     .sandboxId = m_id,
                                                     .sandboxName = {},
                                                     .remotePath = u"/workspace/big.bin"_s,
                                                     .artifactKey = {},
                                                     .suggestedName = {},
                                                     .folder = destination.path()});
        const auto state = [&] {
            return downloads.item(id).value_or(DownloadItem{}).state;
        };
        QVERIFY(waitUntil(
            [&] { return state() != DownloadItem::State::Queued && state() != DownloadItem::State::Running; },
            60000));
        QVERIFY2(state() == DownloadItem::State::Waiting, "the download ended before the kill landed in it");
        QVERIFY(killed);
        const qint64 kept = downloads.item(id)->received;
        QVERIFY(kept > 0 && kept < kDownloadBytes);
        QVERIFY2(m_f.crash(), qPrintable(m_f.errorString()));

        QElapsedTimer sinceRestart;
        sinceRestart.start();
        QVERIFY2(m_f.restart(), qPrintable(m_f.errorString()));
        QVERIFY(waitUntil(
            [&] {
                return state() == DownloadItem::State::Completed || state() == DownloadItem::State::Failed;
            },
            120000));
        const qint64 completedMs = sinceRestart.elapsed();
        const DownloadItem item = *downloads.item(id);
        QVERIFY2(item.state == DownloadItem::State::Completed, qPrintable(item.error));
        QVERIFY(item.resumes >= 1); // continued from the .part with Range, not from zero
        QCOMPARE(item.sha256, expected);
        QVERIFY(item.verified);
        QCOMPARE(fileSha256(item.localPath()), expected);
        reportFigures("download",
                      u"resumed_with_range=1,identical_sha256=1,kept_before_kill_kib=%1"_s.arg(kept >> 10),
                      m_f.lastRecovery(), u"resume_to_complete_ms=%1"_s.arg(completedMs));
    }
};

QTEST_GUILESS_MAIN(TestFaultKillTransfer)
#include "test_fault_kill_transfer.moc"
