// SPDX-License-Identifier: MIT
#include "auth.h"

#include "server/sandboxmanager.h"

#include <QFile>
#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QSaveFile>

#include <cmath>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcAuth, "banata.server.auth", QtInfoMsg)

namespace banata::server {

namespace {
QByteArray generateKey()
{
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    QByteArray key = "br_local_"_ba;
    auto *rng = QRandomGenerator::system();
    for (int i = 0; i < 32; ++i)
        key.append(kAlphabet[rng->bounded(62)]);
    return key;
}
} // namespace

bool constantTimeEquals(QByteArrayView a, QByteArrayView b)
{
    if (a.size() != b.size())
        return false;
    unsigned char diff = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

std::optional<QByteArray> loadOrCreateApiKey(const QString &dataDir, QString *error)
{
    const QString path = dataDir + u"/api-key"_s;
    QFile existing(path);
    if (existing.exists()) {
        if (!existing.open(QIODevice::ReadOnly)) {
            *error = u"cannot read %1: %2"_s.arg(path, existing.errorString());
            return std::nullopt;
        }
        const QByteArray key = existing.readAll().trimmed();
        if (!key.startsWith("br_") || key.size() < 16) {
            *error = u"%1 does not hold a valid key (br_…); delete it to generate a new one"_s.arg(path);
            return std::nullopt;
        }
        if (existing.permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther))
            qCWarning(lcAuth) << path << "is readable by other users; it should be 0600";
        return key;
    }
    const QByteArray key = generateKey();
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || !file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner) ||
        file.write(key + '\n') < 0 || !file.commit()) {
        *error = u"cannot write %1: %2"_s.arg(path, file.errorString());
        return std::nullopt;
    }
    qCInfo(lcAuth) << "generated a new API key in" << path;
    return key;
}

RequestGuard::RequestGuard(QByteArray apiKey)
    : m_apiKey(std::move(apiKey))
{
    m_clock.start();
}

void RequestGuard::setRateLimit(int perMinute, int burst)
{
    m_perMinute = perMinute;
    m_burst = std::max(1, burst);
    m_tokens = m_burst;
    m_lastRefillMs = m_clock.elapsed();
}

std::optional<HttpResponse> RequestGuard::check(const HttpRequest &request)
{
    // The viewer page and its socket are opened by a browser that cannot send this header: those
    // routes (and only those) check the signed, short-lived viewer token in their URL themselves.
    if (request.path == u"/v1/viewer" || request.path.startsWith(u"/v1/viewer/"))
        return std::nullopt;
    // Likewise an artifact download URL, handed to a browser or a download manager: its route
    // checks the signed, short-lived token bound to one artifact.
    if (request.path == u"/v1/artifacts/download")
        return std::nullopt;
    const QByteArray header = request.header("authorization");
    const QByteArray prefix = "Bearer "_ba;
    const QByteArrayView token = header.startsWith(prefix) ? QByteArrayView(header).sliced(prefix.size()).trimmed()
                                                           : QByteArrayView();
    if (m_sandboxes && token.startsWith("bst_")) {
        if (auto refused = checkSandboxToken(request, token))
            return refused;
    } else if (!header.startsWith(prefix) || !constantTimeEquals(token, m_apiKey)) {
        return HttpResponse::error(401, u"Invalid or missing API key"_s, u"UNAUTHORIZED"_s);
    }

    if (m_perMinute > 0) {
        const qint64 nowMs = m_clock.elapsed();
        m_tokens = std::min(m_burst, m_tokens + double(nowMs - m_lastRefillMs) * m_perMinute / 60000.0);
        m_lastRefillMs = nowMs;
        if (m_tokens < 1.0) {
            const int retryAfter = int(std::ceil((1.0 - m_tokens) * 60.0 / m_perMinute));
            HttpResponse response =
                HttpResponse::error(429, u"Rate limit exceeded. Please try again later."_s, u"RATE_LIMITED"_s);
            response.setHeader("Retry-After"_ba, QByteArray::number(std::max(1, retryAfter)));
            return response;
        }
        m_tokens -= 1.0;
    }
    return std::nullopt;
}

std::optional<HttpResponse> RequestGuard::checkSandboxToken(const HttpRequest &request, QByteArrayView token) const
{
    const QString sandboxId = m_sandboxes->sandboxForToken(token);
    if (sandboxId.isEmpty())
        return HttpResponse::error(401, u"Invalid or missing API key"_s, u"UNAUTHORIZED"_s);
    // What a process inside a sandbox may do: ask for a human and follow that request, and keep
    // its outputs as artifacts. The id must be in the query because the guard runs before the
    // body is read (routes with a body check that the body names the same sandbox).
    struct Allowed
    {
        const char *method;
        QStringView path;
        bool needsId;
    };
    static constexpr Allowed kAllowed[] = {
        {"GET", u"/v1/health", false},
        {"GET", u"/v1/sandboxes/handoff", true},
        {"POST", u"/v1/sandboxes/handoff/request", true},
        {"POST", u"/v1/sandboxes/handoff/cancel", true},
        {"GET", u"/v1/sandboxes/artifacts", true},
        {"POST", u"/v1/sandboxes/artifacts", true},
        {"GET", u"/v1/sandboxes/artifacts/download-url", true},
    };
    for (const Allowed &allowed : kAllowed) {
        if (request.method == allowed.method && request.path == allowed.path &&
            (!allowed.needsId || request.queryValue(u"id"_s) == sandboxId))
            return std::nullopt;
    }
    return HttpResponse::error(403, u"This credential only allows a sandbox to manage its own handoff"_s,
                               u"PERMISSION_DENIED"_s);
}

} // namespace banata::server
