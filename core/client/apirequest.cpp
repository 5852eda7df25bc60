// SPDX-License-Identifier: MIT
#include "core/client/apirequest.h"

#include <QRandomGenerator>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace banata {

std::optional<std::chrono::milliseconds> RetryPolicy::delayFor(int retry, std::optional<int> retryAfterSeconds) const
{
    using std::chrono::milliseconds;
    const qint64 base = std::max<qint64>(0, baseDelay.count());
    const qint64 cap = std::max<qint64>(0, maxDelay.count());
    // 2^(retry-1) without overflow: past 2^30 the cap has long been reached.
    const int shift = std::clamp(retry - 1, 0, 30);
    const qint64 exponential = std::min(cap, base << shift);
    // "Equal jitter": half fixed, half random, so concurrent clients spread out but still back off.
    const qint64 half = exponential / 2;
    qint64 delay = half + (exponential - half > 0 ? qint64(QRandomGenerator::global()->bounded(exponential - half + 1)) : 0);
    if (retryAfterSeconds) {
        const qint64 requested = qint64(*retryAfterSeconds) * 1000;
        if (requested > cap)
            return std::nullopt;
        delay = std::max(delay, requested);
    }
    return milliseconds(delay);
}

ApiRequest::ApiRequest(QByteArray verb, QString path)
    : m_verb(std::move(verb))
    , m_path(std::move(path))
{}

ApiRequest ApiRequest::get(QString path)
{
    return ApiRequest("GET"_ba, std::move(path));
}

ApiRequest ApiRequest::post(QString path, const Json &body)
{
    ApiRequest request("POST"_ba, std::move(path));
    request.jsonBody(body);
    return request;
}

ApiRequest ApiRequest::put(QString path)
{
    return ApiRequest("PUT"_ba, std::move(path));
}

ApiRequest ApiRequest::del(QString path)
{
    return ApiRequest("DELETE"_ba, std::move(path));
}

ApiRequest ApiRequest::getUrl(const QUrl &url)
{
    ApiRequest request("GET"_ba, url.path());
    request.absoluteUrl(url);
    request.sendApiKey(false);
    return request;
}

ApiRequest &ApiRequest::query(const QString &key, const QString &value)
{
    m_query.append({key, value});
    return *this;
}

ApiRequest &ApiRequest::header(const QByteArray &name, const QByteArray &value)
{
    m_headers.append({name, value});
    return *this;
}

ApiRequest &ApiRequest::jsonBody(const Json &body)
{
    m_body = dumpJson(body);
    return header("Content-Type"_ba, "application/json"_ba);
}

ApiRequest &ApiRequest::timeout(std::chrono::milliseconds value)
{
    m_timeout = value;
    return *this;
}

ApiRequest &ApiRequest::maxResponseBytes(qint64 value)
{
    m_maxResponseBytes = value;
    return *this;
}

ApiRequest &ApiRequest::idempotent(bool value)
{
    m_idempotent = value;
    return *this;
}

ApiRequest &ApiRequest::absoluteUrl(const QUrl &url)
{
    m_absoluteUrl = url;
    m_path = url.path();
    return *this;
}

ApiRequest &ApiRequest::sendApiKey(bool value)
{
    m_sendApiKey = value;
    return *this;
}

bool ApiRequest::isIdempotent() const
{
    if (m_idempotent)
        return *m_idempotent;
    return m_verb == "GET" || m_verb == "HEAD" || m_verb == "PUT" || m_verb == "DELETE";
}

QUrl ApiRequest::url(const QUrl &baseUrl) const
{
    QUrl url;
    QByteArray encoded;
    if (m_absoluteUrl) {
        // Keep the given query byte for byte: a token must reach the server exactly as issued.
        url = *m_absoluteUrl;
        encoded = url.query(QUrl::FullyEncoded).toLatin1();
    } else {
        url = baseUrl;
        QString basePath = baseUrl.path();
        while (basePath.endsWith(u'/'))
            basePath.chop(1);
        url.setPath(basePath + m_path);
    }
    // Encode every reserved character ourselves: QUrlQuery would leave '+' and '%' ambiguous.
    for (const auto &[key, value] : m_query) {
        if (!encoded.isEmpty())
            encoded += '&';
        encoded += QUrl::toPercentEncoding(key) + '=' + QUrl::toPercentEncoding(value, "/"_ba);
    }
    if (encoded.isEmpty())
        url.setQuery(QString());
    else
        url.setQuery(QString::fromLatin1(encoded), QUrl::StrictMode);
    url.setFragment(QString());
    return url;
}

QNetworkRequest ApiRequest::toNetworkRequest(const ApiEndpoint &endpoint) const
{
    QNetworkRequest request(url(endpoint.baseUrl));
    if (m_sendApiKey)
        request.setRawHeader("Authorization"_ba, "Bearer "_ba + endpoint.apiKey.toUtf8());
    request.setRawHeader("Accept"_ba, "application/json"_ba);
    for (const auto &[name, value] : m_headers)
        request.setRawHeader(name, value);
    // Never follow a redirect to another origin: it would carry the API key there.
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::SameOriginRedirectPolicy);
    return request;
}

} // namespace banata
