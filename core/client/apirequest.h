// SPDX-License-Identifier: MIT
#pragma once

#include "core/json.h"

#include <QByteArray>
#include <QList>
#include <QNetworkRequest>
#include <QPair>
#include <QPointer>
#include <QString>
#include <QUrl>
#include <QUrlQuery>

#include <chrono>
#include <optional>

class QNetworkAccessManager;

namespace banata {

/// How API jobs retry transient failures: exponential backoff with jitter, honouring Retry-After.
struct RetryPolicy
{
    int maxRetries = 3; // retries after the first attempt; 0 disables retrying
    std::chrono::milliseconds baseDelay{500};
    std::chrono::milliseconds maxDelay{10000};

    /// The wait before retry number \a retry (1-based): min(maxDelay, baseDelay * 2^(retry-1)),
    /// of which the upper half is random; never less than \a retryAfterSeconds. Returns nullopt
    /// when the server asks for a longer wait than maxDelay (the caller should give up and report).
    std::optional<std::chrono::milliseconds> delayFor(int retry, std::optional<int> retryAfterSeconds) const;
};

/// Where and as whom requests go; jobs copy it, so changing the client later never affects them.
struct ApiEndpoint
{
    QPointer<QNetworkAccessManager> network; // not owned
    QUrl baseUrl;                            // e.g. http://127.0.0.1:8787 (a path prefix is kept)
    QString apiKey;                          // sent as "Authorization: Bearer"; never logged
    RetryPolicy retry;
    std::chrono::milliseconds timeout{30000};
};

/**
 * One API call as a value: verb, path, query, body and per-request limits. Fluent setters keep
 * call sites short and let tests assert on what would be sent. Usage:
 *   ApiRequest::get(u"/v1/sandboxes/fs/list"_s).query(u"id"_s, id).query(u"path"_s, path)
 *   ApiRequest::post(u"/v1/sandboxes/pause"_s, Json{{"id", toStd(id)}}).timeout(5s)
 */
class ApiRequest
{
public:
    ApiRequest(QByteArray verb, QString path);
    static ApiRequest get(QString path);
    static ApiRequest post(QString path, const Json &body);
    static ApiRequest put(QString path);
    static ApiRequest del(QString path);
    /// A GET of an absolute, pre-authorised URL (e.g. an artifact's download URL): sent as is,
    /// without the endpoint's API key, so a token URL never carries the key to another host.
    static ApiRequest getUrl(const QUrl &url);

    ApiRequest &query(const QString &key, const QString &value);
    ApiRequest &header(const QByteArray &name, const QByteArray &value);
    ApiRequest &jsonBody(const Json &body);
    /// Replaces the endpoint's timeout for this request (a wait with no bytes moving).
    ApiRequest &timeout(std::chrono::milliseconds value);
    /// The most a buffered (JSON or error) body may hold; bigger bodies fail with a Protocol error.
    ApiRequest &maxResponseBytes(qint64 value);
    /// Overrides the verb's default (GET, HEAD, PUT and DELETE are idempotent).
    ApiRequest &idempotent(bool value);
    /// Sends to \a url instead of a path under the endpoint's base URL; query() items are appended.
    ApiRequest &absoluteUrl(const QUrl &url);
    /// Whether the Authorization header goes with the request (true by default).
    ApiRequest &sendApiKey(bool value);

    const QByteArray &verb() const { return m_verb; }
    const QString &path() const { return m_path; }
    const QList<QPair<QString, QString>> &query() const { return m_query; }
    const QByteArray &body() const { return m_body; }
    std::optional<std::chrono::milliseconds> timeout() const { return m_timeout; }
    qint64 maxResponseBytes() const { return m_maxResponseBytes; }
    bool isIdempotent() const;
    const std::optional<QUrl> &absoluteUrl() const { return m_absoluteUrl; }
    bool sendsApiKey() const { return m_sendApiKey; }

    /// The full URL under \a baseUrl (or the absolute URL, when set), with the query
    /// percent-encoded (so '+', '&', '%' survive).
    QUrl url(const QUrl &baseUrl) const;
    /// The network request: URL, auth (unless sendApiKey(false)), JSON headers, extra headers,
    /// same-origin redirects only.
    QNetworkRequest toNetworkRequest(const ApiEndpoint &endpoint) const;

    static constexpr qint64 kDefaultMaxResponseBytes = 64 * 1024 * 1024;

private:
    QByteArray m_verb;
    QString m_path;
    QList<QPair<QString, QString>> m_query;
    QList<QPair<QByteArray, QByteArray>> m_headers;
    QByteArray m_body;
    std::optional<std::chrono::milliseconds> m_timeout;
    qint64 m_maxResponseBytes = kDefaultMaxResponseBytes;
    std::optional<bool> m_idempotent;
    std::optional<QUrl> m_absoluteUrl;
    bool m_sendApiKey = true;
};

} // namespace banata
