// SPDX-License-Identifier: MIT
// The app's download engine against `curl -o` on the same URL, in the same run: a file in a
// banata-local sandbox (1 GiB by default) downloaded to disk by curl and by DownloadManager,
// alternating, N rounds. Reports median throughput, the ratio app / curl (budget >= 0.80) and the
// RSS growth of this process while the app downloads (budget <= 32 MB). The app's time runs from
// add() to Completed, so it includes verifying the SHA-256 and the rename into place.
// Usage: bench_download [rounds] [size-MiB] [folder]   (defaults 5, 1024, the current directory).
// Needs curl.
#include <algorithm>
#include <cstdio>

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTimer>

#include "core/downloads/downloadmanager.h"
#include "support/servertestbase.h"

using namespace banata;
using namespace banata::test;
using namespace Qt::StringLiterals;

namespace {

struct Memory
{
    qint64 rssKiB = 0;
    qint64 hwmKiB = 0;
};

Memory memory()
{
    Memory m;
    QFile status(u"/proc/self/status"_s);
    if (!status.open(QIODevice::ReadOnly))
        return m;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            m.rssKiB = line.mid(6).trimmed().split(' ').first().toLongLong();
        else if (line.startsWith("VmHWM:"))
            m.hwmKiB = line.mid(6).trimmed().split(' ').first().toLongLong();
    }
    return m;
}

double median(QList<double> values)
{
    std::sort(values.begin(), values.end());
    const qsizetype n = values.size();
    return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

double mibPerSecond(qint64 bytes, qint64 nsecs)
{
    return double(bytes) / 1048576.0 / (double(nsecs) / 1e9);
}

QString runs(const QList<double> &values)
{
    QStringList parts;
    for (double v : values)
        parts.append(QString::number(v, 'f', 0));
    return parts.join(u' ');
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const int rounds = argc > 1 ? std::max(1, QByteArray(argv[1]).toInt()) : 5;
    const qint64 sizeMiB = argc > 2 ? std::max(1, QByteArray(argv[2]).toInt()) : 1024;
    const qint64 size = sizeMiB * 1024 * 1024;

    ServerFixture fixture;
    if (!fixture.start()) {
        std::fprintf(stderr, "cannot start banata-local: %s\n", qPrintable(fixture.errorString()));
        return 1;
    }
    ApiClient &client = fixture.client();
    const QString id = fixture.createReady();
    if (id.isEmpty())
        return 1;
    ExecRequest make;
    make.id = id;
    make.command = u"head -c %1 /dev/urandom > /workspace/big.bin"_s.arg(size);
    make.timeoutMs = 600000;
    auto made = awaitJob(client.exec(make), 700000);
    if (!made || !made->ok() || made->value().exitCode != 0) {
        std::fprintf(stderr, "cannot create the file in the sandbox\n");
        return 1;
    }
    // The server hashes a file once per version and then sends Repr-Digest with it: warm that up
    // so every round, the first included, measures the download and not the server's first hash.
    QElapsedTimer warm;
    warm.start();
    auto sum = awaitJob(client.checksum(id, u"/workspace/big.bin"_s), 600000);
    if (!sum || !sum->ok()) {
        std::fprintf(stderr, "fs/checksum failed\n");
        return 1;
    }
    const qint64 warmMs = warm.elapsed();
    const QString expected = sum->value().sha256;

    const QString parent = argc > 3 ? QString::fromLocal8Bit(argv[3]) : QDir::currentPath();
    QTemporaryDir out(parent + u"/bench-download-XXXXXX"_s);
    const QString curlFile = out.path() + u"/curl.bin"_s;
    const QString url = client.baseUrl().toString(QUrl::StripTrailingSlash) +
                        u"/v1/sandboxes/fs/download?id="_s + id + u"&path=/workspace/big.bin"_s;
    const QStringList curlArgs{
        u"-sf"_s, u"-o"_s, curlFile, u"-H"_s, u"Authorization: Bearer "_s + fixture.server().apiKey(), url};

    DownloadManager downloads;
    QList<double> curlRates, appRates, transferRates, rssGrowth, hwmGrowth;
    for (int round = 0; round < rounds; ++round) {
        QElapsedTimer t;
        t.start();
        if (QProcess::execute(u"curl"_s, curlArgs) != 0) {
            std::fprintf(stderr, "curl failed\n");
            return 1;
        }
        curlRates.append(mibPerSecond(size, t.nsecsElapsed()));
        QFile::remove(curlFile);

        const Memory before = memory();
        qint64 peakKiB = before.rssKiB;
        QTimer sampler;
        QObject::connect(&sampler, &QTimer::timeout, &sampler,
                         [&] { peakKiB = std::max(peakKiB, memory().rssKiB); });
        sampler.start(20);
        const DownloadRequest request{.kind = DownloadRequest::Kind::File,
                                      .client = client,
                                      .connectionName = u"Local"_s,
                                      .sandboxId = id,
                                      .sandboxName = {},
                                      .remotePath = u"/workspace/big.bin"_s,
                                      .artifactKey = {},
                                      .suggestedName = {},
                                      .folder = out.path()};
        qint64 transferNs = 0;
        t.restart();
        const int download = downloads.add(request);
        QObject::connect(&downloads, &DownloadManager::itemChanged, &sampler, [&](const DownloadItem &item) {
            if (item.id == download && item.state == DownloadItem::State::Verifying && transferNs == 0)
                transferNs = t.nsecsElapsed();
        });
        const bool done = waitUntil([&] { return downloads.item(download)->isFinished(); }, 600000);
        const qint64 elapsed = t.nsecsElapsed();
        sampler.stop();
        peakKiB = std::max(peakKiB, memory().rssKiB);
        const DownloadItem item = *downloads.item(download);
        if (!done || item.state != DownloadItem::State::Completed || item.sha256 != expected ||
            !item.verified) {
            std::fprintf(stderr, "app download failed: %s\n", qPrintable(item.error));
            return 1;
        }
        appRates.append(mibPerSecond(size, elapsed));
        transferRates.append(mibPerSecond(size, transferNs > 0 ? transferNs : elapsed));
        rssGrowth.append(double(peakKiB - before.rssKiB) / 1024.0);
        hwmGrowth.append(double(memory().hwmKiB - before.hwmKiB) / 1024.0);
        QFile::remove(item.localPath());
        downloads.clearFinished();
        std::fprintf(stderr,
                     "round %d: curl %.0f MiB/s, app %.0f MiB/s (%.0f before verifying), RSS +%.1f MiB\n",
                     round + 1, curlRates.last(), appRates.last(), transferRates.last(), rssGrowth.last());
    }

    const double curl = median(curlRates);
    const double appRate = median(appRates);
    const double transfer = median(transferRates);
    std::printf("file: %lld MiB, rounds: %d (alternating), loopback, both writing to %s\n",
                qlonglong(sizeMiB), rounds, qPrintable(out.path().section(u'/', 0, -2)));
    std::printf("server's first SHA-256 of the file (fs/checksum, cached afterwards): %lld ms\n\n",
                qlonglong(warmMs));
    std::printf("| client | median MiB/s | all rounds MiB/s |\n|---|---|---|\n");
    std::printf("| curl -o | %.0f | %s |\n", curl, qPrintable(runs(curlRates)));
    std::printf("| DownloadManager, add → Completed (verified, renamed) | %.0f | %s |\n", appRate,
                qPrintable(runs(appRates)));
    std::printf("| DownloadManager, add → last byte (before verifying) | %.0f | %s |\n\n", transfer,
                qPrintable(runs(transferRates)));
    std::printf("ratio app / curl: %.2f end to end, %.2f bytes only (budget >= 0.80): %s\n", appRate / curl,
                transfer / curl, appRate / curl >= 0.80 ? "meets" : "MISSES");
    const double rss = *std::max_element(rssGrowth.cbegin(), rssGrowth.cend());
    const double hwm = *std::max_element(hwmGrowth.cbegin(), hwmGrowth.cend());
    std::printf("RSS growth during an app download: max %.1f MB (VmRSS sampled every 20 ms), VmHWM growth "
                "max %.1f MB "
                "(budget <= 32 MB): %s\n",
                rss * 1.048576, hwm * 1.048576, std::max(rss, hwm) * 1.048576 <= 32 ? "meets" : "MISSES");
    return 0;
}
