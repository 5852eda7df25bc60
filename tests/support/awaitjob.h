// SPDX-License-Identifier: MIT
#pragma once

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QEventLoop>
#include <QTimer>

#include <functional>
#include <optional>
#include <type_traits>

namespace banata::test {

template <typename>
struct FinishedArg;
template <typename Class, typename Arg>
struct FinishedArg<void (Class::*)(Arg)>
{
    using type = std::decay_t<Arg>;
};

/// Waits (running the event loop, no sleeping) for \a job's typed `finished` and returns its
/// result; nullopt if it did not finish within \a timeoutMs.
template <typename Job>
std::optional<typename FinishedArg<decltype(&Job::finished)>::type> awaitJob(Job *job, int timeoutMs = 60000)
{
    using Result = typename FinishedArg<decltype(&Job::finished)>::type;
    std::optional<Result> result;
    QEventLoop loop;
    QObject::connect(job, &Job::finished, &loop, [&](const Result &r) {
        result.emplace(r);
        loop.quit();
    });
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    loop.exec();
    return result;
}

/// Runs the event loop until \a done holds or \a timeoutMs passes; blocks on events, never sleeps.
inline bool waitUntil(const std::function<bool()> &done, int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (!done() && !deadline.hasExpired())
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 20);
    return done();
}

} // namespace banata::test

/// QVERIFY that a job finished successfully; leaves the value in \a var.
#define AWAIT_OK(var, jobExpr)                                                                                      \
    auto var##Opt = ::banata::test::awaitJob(jobExpr);                                                              \
    QVERIFY2(var##Opt.has_value(), "job did not finish in time");                                                   \
    QVERIFY2(var##Opt->ok(), qPrintable(var##Opt->ok() ? QString() : var##Opt->error().displayText()));              \
    [[maybe_unused]] const auto &var = var##Opt->value()

/// QVERIFY that a job failed with HTTP \a status and error code \a errorCode.
#define AWAIT_ERROR(jobExpr, status, errorCode)                                                                    \
    do {                                                                                                           \
        auto res_ = ::banata::test::awaitJob(jobExpr);                                                             \
        QVERIFY2(res_.has_value(), "job did not finish in time");                                                  \
        QVERIFY2(!res_->ok(), "expected an error, got success");                                                   \
        QCOMPARE(res_->error().httpStatus, status);                                                                \
        QCOMPARE(res_->error().code, QStringLiteral(errorCode));                                                   \
    } while (false)
