// SPDX-License-Identifier: MIT
#pragma once

#include "server/http/httprequest.h"
#include "server/http/httpresponse.h"

#include <QByteArray>
#include <QElapsedTimer>

#include <optional>

namespace banata::server {

class SandboxManager;

/// Compares secrets without leaking, through timing, how much of them matched.
bool constantTimeEquals(QByteArrayView a, QByteArrayView b);

/// Loads the server's API key from `<data>/api-key`, creating it (0600, `br_local_` + 32
/// alphanumerics) on first start.
std::optional<QByteArray> loadOrCreateApiKey(const QString &dataDir, QString *error);

/// Authorises every request (`Authorization: Bearer <key>`, compared in constant time) and, when
/// enabled, rate-limits with a token bucket answering 429 with Retry-After.
class RequestGuard final
{
public:
    explicit RequestGuard(QByteArray apiKey);
    /// \a perMinute <= 0 disables limiting.
    void setRateLimit(int perMinute, int burst);
    std::optional<HttpResponse> check(const HttpRequest &request);
    /// Also accepts sandbox tokens (`bst_…`), each only for its own sandbox's handoff routes;
    /// \a sandboxes must outlive the guard.
    void setSandboxes(const SandboxManager *sandboxes) { m_sandboxes = sandboxes; }

private:
    std::optional<HttpResponse> checkSandboxToken(const HttpRequest &request, QByteArrayView token) const;

    const SandboxManager *m_sandboxes = nullptr;
    QByteArray m_apiKey;
    int m_perMinute = 0;
    double m_burst = 0;
    double m_tokens = 0;
    QElapsedTimer m_clock;
    qint64 m_lastRefillMs = 0;
};

} // namespace banata::server
