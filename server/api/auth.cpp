// SPDX-License-Identifier: MIT
#include "auth.h"

#include <QFile>
#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QSaveFile>

#include <cmath>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcAuth, "banata.server.auth", QtInfoMsg)

namespace banata::server {

namespace {
bool constantTimeEquals(QByteArrayView a, QByteArrayView b)
{
    if (a.size() != b.size())
        return false;
    unsigned char diff = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

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
    const QByteArray header = request.header("authorization");
    const QByteArray prefix = "Bearer "_ba;
    if (!header.startsWith(prefix) || !constantTimeEquals(QByteArrayView(header).sliced(prefix.size()).trimmed(), m_apiKey))
        return HttpResponse::error(401, u"Invalid or missing API key"_s, u"UNAUTHORIZED"_s);

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

} // namespace banata::server
