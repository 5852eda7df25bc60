// SPDX-License-Identifier: MIT
// Latency of real sandbox trees: start() -> started(), exec `true` round trip, pause, resume.
// Usage: bench_sandboxprocess [iterations=50] [auto|cgroup|signals]
#include <algorithm>
#include <cstdio>

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QTemporaryDir>

#include "server/runtime/freezer.h"
#include "server/runtime/sandboxprocess.h"

using namespace banata::server;
using namespace Qt::StringLiterals;

namespace {

double percentile(QList<double> samples, double p)
{
    std::sort(samples.begin(), samples.end());
    return samples.isEmpty() ? 0 : samples.at(qsizetype(p * double(samples.size() - 1)));
}

void report(const char *what, const QList<double> &samples)
{
    std::printf("%-14s p50 %7.2f ms   p90 %7.2f ms   max %7.2f ms   (n=%lld)\n", what,
                percentile(samples, 0.5), percentile(samples, 0.9), percentile(samples, 1.0),
                static_cast<long long>(samples.size()));
}

// Runs op(done) and spins the event loop until done() is called; returns elapsed ms.
template <typename Op> double timed(Op op)
{
    QEventLoop loop;
    bool finished = false;
    QElapsedTimer timer;
    timer.start();
    op([&] {
        finished = true;
        loop.quit();
    });
    if (!finished)
        loop.exec();
    return double(timer.nsecsElapsed()) / 1e6;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const int iterations = argc > 1 ? std::max(1, atoi(argv[1])) : 50;
    const auto freezer = Freezer::detect(argc > 2 ? QString::fromLocal8Bit(argv[2]) : u"auto"_s);
    std::printf("backend: %s, %d iterations\n", qPrintable(freezer->name()), iterations);
    QTemporaryDir tmp;
    QList<double> starts, execs, pauses, resumes, stops;
    for (int i = 0; i < iterations; ++i) {
        SandboxProcess sandbox({u"bench"_s + QString::number(i), tmp.filePath(QString::number(i)), {}, {}},
                               freezer.get());
        QString failure;
        starts.append(timed([&](auto done) {
            QObject::connect(&sandbox, &SandboxProcess::started, &app, done);
            QObject::connect(&sandbox, &SandboxProcess::failed, &app, [&, done](const QString &why) {
                failure = why;
                done();
            });
            sandbox.start();
        }));
        if (!failure.isEmpty()) {
            std::fprintf(stderr, "start failed: %s\n", qPrintable(failure));
            return 1;
        }
        ExecSpec spec;
        spec.argv = {u"true"_s};
        execs.append(timed([&](auto done) { sandbox.exec(spec, &app, [done](const auto &) { done(); }); }));
        pauses.append(timed([&](auto done) { sandbox.pause(&app, [done](const auto &) { done(); }); }));
        resumes.append(timed([&](auto done) { sandbox.resume(&app, [done](const auto &) { done(); }); }));
        stops.append(timed([&](auto done) { sandbox.stop(&app, [done](const auto &) { done(); }); }));
    }
    // Exec round trips on one warm tree, the steady state of an API server.
    SandboxProcess warm({u"warm"_s, tmp.filePath(u"warm"_s), {}, {}}, freezer.get());
    timed([&](auto done) {
        QObject::connect(&warm, &SandboxProcess::started, &app, done);
        QObject::connect(&warm, &SandboxProcess::failed, &app, [done](const QString &why) {
            std::fprintf(stderr, "warm start failed: %s\n", qPrintable(why));
            done();
        });
        warm.start();
    });
    QList<double> warmExecs;
    ExecSpec spec;
    spec.argv = {u"true"_s};
    for (int i = 0; i < iterations; ++i)
        warmExecs.append(timed([&](auto done) { warm.exec(spec, &app, [done](const auto &) { done(); }); }));
    // Pause and resume with work to stop: a busy loop and a shell loop forking sleeps.
    ExecSpec busy;
    busy.argv = {
        u"/bin/sh"_s, u"-c"_s,
        u"(while :; do :; done) >/dev/null 2>&1 & (while :; do sleep 0.01; done) >/dev/null 2>&1 &"_s};
    timed([&](auto done) { warm.exec(busy, &app, [done](const auto &) { done(); }); });
    QList<double> busyPauses, busyResumes;
    auto check = [](const std::optional<QString> &error) {
        if (error)
            std::fprintf(stderr, "operation failed: %s\n", qPrintable(*error));
    };
    for (int i = 0; i < iterations; ++i) {
        busyPauses.append(timed([&](auto done) {
            warm.pause(&app, [=](const auto &e) {
                check(e);
                done();
            });
        }));
        if (!warm.isPaused())
            std::fprintf(stderr, "not paused after pause()\n");
        busyResumes.append(timed([&](auto done) {
            warm.resume(&app, [=](const auto &e) {
                check(e);
                done();
            });
        }));
        if (warm.isPaused())
            std::fprintf(stderr, "still paused after resume()\n");
    }
    timed([&](auto done) { warm.stop(&app, [done](const auto &) { done(); }); });

    report("start", starts);
    report("exec true", execs);
    report("exec (warm)", warmExecs);
    report("pause", pauses);
    report("resume", resumes);
    report("stop", stops);
    report("pause (busy)", busyPauses);
    report("resume (busy)", busyResumes);
    return 0;
}
