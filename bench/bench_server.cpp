// SPDX-License-Identifier: MIT
// banata-local against the product.md §6 budgets: create → ready, exec `true` round trip, pause,
// resume, listing a folder of 100,000 files, and idle RSS. Starts its own server in a temp dir.
// Usage: bench_server [iterations]   (default 30)
#include "support/servertestbase.h"

#include "core/handoff.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>

#include <algorithm>
#include <cstdio>

using namespace banata;
using namespace banata::test;
using namespace Qt::StringLiterals;

namespace {
struct Stats
{
    double p50 = 0, p95 = 0, min = 0, max = 0;
};

Stats stats(QList<double> samples)
{
    std::sort(samples.begin(), samples.end());
    auto at = [&](double q) { return samples[qsizetype(q * double(samples.size() - 1) + 0.5)]; };
    return {at(0.5), at(0.95), samples.first(), samples.last()};
}

void report(const char *what, const QList<double> &samples, double budgetMs)
{
    const Stats s = stats(samples);
    std::printf("| %-34s | %5lld | %8.2f | %8.2f | %8.2f | %8.2f | %s %.0f ms |\n", what, qlonglong(samples.size()), s.p50,
                s.p95, s.min, s.max, s.p50 <= budgetMs ? "meets" : "MISSES", budgetMs);
}

double ms(const QElapsedTimer &t)
{
    return double(t.nsecsElapsed()) / 1e6;
}

qint64 rssKiB(qint64 pid)
{
    QFile status(u"/proc/%1/status"_s.arg(pid));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toLongLong();
    }
    return -1;
}

ExecRequest shell(const QString &id, const QString &command)
{
    ExecRequest r;
    r.id = id;
    r.command = command;
    r.timeoutMs = 120000;
    return r;
}
} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const int iterations = argc > 1 ? std::max(5, QByteArray(argv[1]).toInt()) : 30;
    ServerFixture fixture;
    if (!fixture.start()) {
        std::fprintf(stderr, "cannot start banata-local: %s\n", qPrintable(fixture.errorString()));
        return 1;
    }
    ApiClient &client = fixture.client();
    std::printf("idle RSS right after start: %lld KiB\n\n", qlonglong(rssKiB(fixture.server().pid())));
    std::printf("| what | n | p50 ms | p95 ms | min ms | max ms | budget (p50) |\n|---|---|---|---|---|---|---|\n");

    QList<double> createReady, execTrue, pause, resume;
    QStringList ids;
    for (int i = 0; i < iterations; ++i) {
        QElapsedTimer t;
        t.start();
        const QString id = fixture.createReady();
        if (id.isEmpty()) {
            std::fprintf(stderr, "create failed: %s\n", qPrintable(fixture.errorString()));
            return 1;
        }
        createReady.append(ms(t));
        ids.append(id);
    }
    report("create → ready (no browser)", createReady, 150);

    const QString id = ids.first();
    for (int i = 0; i < iterations * 5; ++i) {
        QElapsedTimer t;
        t.start();
        auto r = awaitJob(client.exec(shell(id, u"true"_s)));
        if (!r || !r->ok())
            return 1;
        execTrue.append(ms(t));
    }
    report("exec `true` round trip", execTrue, 20);

    for (int i = 0; i < iterations; ++i) {
        QElapsedTimer t;
        t.start();
        auto p = awaitJob(client.pauseSandbox(id));
        pause.append(ms(t));
        t.restart();
        auto r = awaitJob(client.resumeSandbox(id));
        resume.append(ms(t));
        if (!p || !p->ok() || !r || !r->ok())
            return 1;
    }
    report("pause", pause, 50);
    report("resume", resume, 50);

    // Handoff requested → its event delivered to a subscriber (what the desktop app's
    // notification waits on).
    QList<double> handoffEvent;
    for (int i = 0; i < iterations; ++i) {
        const qint64 before = fixture.received().isEmpty() ? 0 : fixture.received().last().seq;
        HandoffRequest request;
        request.id = id;
        request.reason = u"mfa"_s;
        request.message = u"bench"_s;
        QElapsedTimer t;
        t.start();
        client.requestHandoff(request);
        const bool seen = waitUntil([&] {
            for (auto it = fixture.received().crbegin(); it != fixture.received().crend() && it->seq > before; ++it) {
                if (it->type == u"sandbox.handoff.requested")
                    return true;
            }
            return false;
        }, 10000);
        if (!seen)
            return 1;
        handoffEvent.append(ms(t));
        awaitJob(client.cancelHandoff(id));
    }
    report("handoff requested → event delivered", handoffEvent, 1000);

    auto made = awaitJob(client.exec(shell(id, u"mkdir -p /workspace/many && cd /workspace/many && "
                                               u"seq -f 'file-%06g.txt' 100000 | xargs touch"_s)),
                         300000);
    if (!made || !made->ok() || made->value().exitCode != 0)
        return 1;
    QList<double> listing;
    for (int i = 0; i < std::min(iterations, 10); ++i) {
        QElapsedTimer t;
        t.start();
        auto l = awaitJob(client.listFiles(id, u"/workspace/many"_s));
        if (!l || !l->ok() || l->value().entries.size() != 100000)
            return 1;
        listing.append(ms(t));
    }
    report("list a folder of 100,000 files", listing, 1000);

    std::printf("\nserver RSS with %lld idle sandboxes: %lld KiB\n", qlonglong(ids.size()),
                qlonglong(rssKiB(fixture.server().pid())));
    for (const QString &sandbox : std::as_const(ids))
        awaitJob(client.killSandbox(sandbox));
    std::printf("server RSS after killing them: %lld KiB\n", qlonglong(rssKiB(fixture.server().pid())));
    return 0;
}
