// SPDX-License-Identifier: MIT
#pragma once

#include "core/client/apiclient.h"

#include <QObject>
#include <QString>
#include <QUrl>

#include <memory>
#include <optional>

namespace banata::test {

/// Where the API client tests point their ApiClient (a FakeNetworkAccessManager answers), and the
/// key it sends.
inline const QUrl kBaseUrl(QStringLiteral("http://banata.test:8787/"));
inline const QString kApiKey = QStringLiteral("sk-test-0123456789");

/// Collects the one `finished` of a job; the job itself is the connection's context.
template <typename T>
struct Outcome
{
    std::optional<ApiResult<T>> result;
    int count = 0;
};

template <typename T, typename Job>
std::shared_ptr<Outcome<T>> watch(Job *job)
{
    auto outcome = std::make_shared<Outcome<T>>();
    QObject::connect(job, &Job::finished, job, [outcome](const ApiResult<T> &result) {
        outcome->result = result;
        ++outcome->count;
    });
    return outcome;
}

/// A sandbox as the server would describe it, with fixed timestamps.
Sandbox sampleSandbox(const QString &id = QStringLiteral("sb_1"), SandboxStatus status = SandboxStatus::Ready);

/// The default retry rules with millisecond delays, so tests of retries stay fast.
RetryPolicy fastRetry(int maxRetries = 3);

} // namespace banata::test
