// SPDX-License-Identifier: MIT
#include "apiclienttest.h"

using namespace std::chrono_literals;

namespace banata::test {

Sandbox sampleSandbox(const QString &id, SandboxStatus status)
{
    Sandbox s;
    s.id = id;
    s.status = status;
    s.runtime = QStringLiteral("python");
    s.size = QStringLiteral("standard");
    s.createdAt = 1772078705353;
    s.updatedAt = 1772078705999;
    s.readyAt = 1772078705999;
    return s;
}

RetryPolicy fastRetry(int maxRetries)
{
    return RetryPolicy{maxRetries, 1ms, 5ms};
}

} // namespace banata::test
