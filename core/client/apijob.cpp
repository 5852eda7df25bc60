// SPDX-License-Identifier: MIT
#include "core/client/apijob.h"

#include <QLoggingCategory>
#include <QNetworkAccessManager>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcApiJob, "banata.core.client.job")

namespace banata {

namespace {
constexpr qint64 kMaxErrorBodyBytes = 1024 * 1024; // far more than any {error, code} needs

// Failures of the connection that a later attempt may not see again.
bool isTransientNetworkError(QNetworkReply::NetworkError error)
{
    switch (error) {
    case QNetworkReply::ConnectionRefusedError:
    case QNetworkReply::RemoteHostClosedError:
    case QNetworkReply::HostNotFoundError:
    case QNetworkReply::TimeoutError:
    case QNetworkReply::TemporaryNetworkFailureError:
    case QNetworkReply::NetworkSessionFailedError:
    case QNetworkReply::UnknownNetworkError:
    case QNetworkReply::ProxyConnectionRefusedError:
    case QNetworkReply::ProxyConnectionClosedError:
    case QNetworkReply::ProxyTimeoutError:
    case QNetworkReply::ProtocolFailure: // e.g. a chunked body cut short by a crash
        return true;
    default:
        return false;
    }
}

QString seconds(std::chrono::milliseconds duration)
{
    return QString::number(double(duration.count()) / 1000.0, 'g', 3);
}
} // namespace

ApiJob::ApiJob(ApiEndpoint endpoint, ApiRequest request)
    : m_endpoint(std::move(endpoint))
    , m_request(std::move(request))
{
    m_timeoutTimer.setSingleShot(true);
    m_timeoutTimer.setInterval(m_request.timeout().value_or(m_endpoint.timeout));
    connect(&m_timeoutTimer, &QTimer::timeout, this, &ApiJob::onTimeout);
    m_retryTimer.setSingleShot(true);
    connect(&m_retryTimer, &QTimer::timeout, this, &ApiJob::send);
}

ApiJob::~ApiJob()
{
    dropReply();
}

void ApiJob::start()
{
    if (m_started)
        return;
    m_started = true;
    std::optional<ApiError> problem = precondition();
    if (!m_endpoint.network)
        problem = ApiError::network(u"No network access manager"_s);
    else if (const QUrl target = m_request.absoluteUrl().value_or(m_endpoint.baseUrl); !target.isValid() || target.isRelative())
        problem = ApiError::network(u"Invalid server URL"_s);
    if (problem) {
        // Report after the caller has connected to `finished`.
        QTimer::singleShot(0, this, [this, error = *problem] { finishWithError(error); });
        return;
    }
    send();
}

void ApiJob::abort()
{
    if (m_finished)
        return;
    finishWithError({ApiError::Kind::Aborted, 0, u"Aborted"_s, {}, {}});
}

void ApiJob::failWith(const ApiError &error)
{
    finishWithError(error);
}

QByteArray ApiJob::responseHeader(QByteArrayView name) const
{
    for (const auto &[key, value] : m_responseHeaders) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

void ApiJob::send()
{
    if (m_finished)
        return;
    QNetworkAccessManager *network = m_endpoint.network;
    if (!network) {
        finishWithError(ApiError::network(u"The network access manager is gone"_s));
        return;
    }
    ++m_attempts;
    m_buffer.clear();
    m_responseHeaders.clear();
    m_headersSeen = false;
    m_bodyStreaming = false;

    QNetworkRequest request = m_request.toNetworkRequest(m_endpoint);
    prepareRequest(request);
    const QByteArray &verb = m_request.verb();
    // A pre-authorised URL carries its credential in the query: never log that part.
    const QUrl::FormattingOptions shown = m_request.sendsApiKey() ? QUrl::None : QUrl::RemoveQuery;
    qCDebug(lcApiJob) << verb << request.url().toDisplayString(shown) << "attempt" << m_attempts;

    QNetworkReply *reply = nullptr;
    if (QIODevice *device = uploadDevice()) {
        if (verb == "PUT")
            reply = network->put(request, device);
        else if (verb == "POST")
            reply = network->post(request, device);
        else
            reply = network->sendCustomRequest(request, verb, device);
    } else if (verb == "GET") {
        reply = network->get(request);
    } else if (verb == "HEAD") {
        reply = network->head(request);
    } else if (verb == "DELETE") {
        reply = network->deleteResource(request);
    } else if (verb == "PUT") {
        reply = network->put(request, m_request.body());
    } else if (verb == "POST") {
        reply = network->post(request, m_request.body());
    } else {
        reply = network->sendCustomRequest(request, verb, m_request.body());
    }
    m_reply = reply;
    connect(reply, &QNetworkReply::metaDataChanged, this, &ApiJob::onMetaDataChanged);
    connect(reply, &QNetworkReply::readyRead, this, &ApiJob::onReadyRead);
    connect(reply, &QNetworkReply::finished, this, &ApiJob::onReplyFinished);
    connect(reply, &QNetworkReply::downloadProgress, this, [this] { m_timeoutTimer.start(); });
    connect(reply, &QNetworkReply::uploadProgress, this, [this] { m_timeoutTimer.start(); });
    connect(reply, &QObject::destroyed, this, &ApiJob::onReplyDestroyed);
    configureReply(reply);
    m_timeoutTimer.start();
}

int ApiJob::replyStatus() const
{
    return m_reply ? m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() : 0;
}

void ApiJob::onMetaDataChanged()
{
    const int status = replyStatus();
    // Redirects being followed announce their own status first; wait for the final response.
    if (m_headersSeen || status == 0 || (status >= 300 && status < 400 && m_reply->isRunning()))
        return;
    m_headersSeen = true;
    if (status < 200 || status >= 300)
        return; // an error body: buffered for ApiError
    if (streamsBody()) {
        m_bodyStreaming = true;
        beginBody(m_reply);
        return;
    }
    const QVariant length = m_reply->header(QNetworkRequest::ContentLengthHeader);
    if (length.isValid() && length.toLongLong() > m_request.maxResponseBytes())
        failWith(ApiError::protocol(u"The response is too large (%1 bytes, at most %2)"_s.arg(length.toLongLong()).arg(m_request.maxResponseBytes())));
}

void ApiJob::onReadyRead()
{
    if (!m_reply)
        return;
    if (!m_headersSeen)
        onMetaDataChanged();
    if (m_finished || !m_reply)
        return;
    const QByteArray chunk = m_reply->readAll();
    if (chunk.isEmpty())
        return;
    if (m_bodyStreaming)
        consume(chunk);
    else
        appendBuffered(chunk);
}

bool ApiJob::appendBuffered(const QByteArray &chunk)
{
    const qint64 size = qint64(m_buffer.size()) + chunk.size();
    const int status = replyStatus();
    if (status >= 300 && size > kMaxErrorBodyBytes) {
        // Keep the status, drop the flood: the error is what the caller needs.
        const QByteArray retryAfter = m_reply->rawHeader("Retry-After"_ba);
        dropReply();
        const ApiError error = ApiError::fromResponse(status, QByteArray(), retryAfter);
        handleFailure(error, error.isTransient());
        return false;
    }
    const qint64 limit = m_request.maxResponseBytes();
    if (size > limit) {
        // A hostile or broken server must not make us hold an endless body.
        failWith(ApiError::protocol(u"The response is too large (more than %1 bytes)"_s.arg(limit)));
        return false;
    }
    m_buffer.append(chunk);
    return true;
}

void ApiJob::onReplyFinished()
{
    QNetworkReply *reply = m_reply;
    if (!reply)
        return;
    onReadyRead(); // drain what arrived with the end of the body
    if (m_finished || m_reply != reply)
        return;
    const int status = replyStatus();
    const QNetworkReply::NetworkError error = reply->error();
    const QByteArray retryAfter = reply->rawHeader("Retry-After"_ba);
    const QString errorString = reply->errorString();
    m_responseHeaders = reply->rawHeaderPairs();
    dropReply();

    if (status >= 300 && !acceptsStatus(status)) {
        const ApiError apiError = ApiError::fromResponse(status, m_buffer, retryAfter);
        handleFailure(apiError, apiError.isTransient());
    } else if (error != QNetworkReply::NoError) {
        handleFailure(ApiError::network(errorString), isTransientNetworkError(error));
    } else if (status == 0) {
        handleFailure(ApiError::protocol(u"The server sent no HTTP status"_s), false);
    } else {
        finishWithSuccess(status);
    }
}

void ApiJob::onTimeout()
{
    const auto timeout = std::chrono::milliseconds(m_timeoutTimer.interval());
    dropReply();
    handleFailure({ApiError::Kind::Timeout, 0, u"No response from the server for %1 s"_s.arg(seconds(timeout)), {}, {}}, true);
}

void ApiJob::onReplyDestroyed()
{
    // Only someone else deletes a reply we still hold (e.g. the access manager going away).
    m_reply = nullptr;
    if (!m_finished)
        finishWithError(ApiError::network(u"The request was cancelled by the network layer"_s));
}

void ApiJob::handleFailure(const ApiError &error, bool transient)
{
    if (m_finished)
        return;
    // 429 means the server did nothing, so even a POST can go again; other transient failures
    // may have happened after the server acted, so only idempotent requests are repeated.
    const bool rejected = error.kind == ApiError::Kind::Http && error.httpStatus == 429;
    const bool retry = transient && (rejected || m_request.isIdempotent());
    if (retry && m_attempts <= m_endpoint.retry.maxRetries) {
        const auto delay = m_endpoint.retry.delayFor(m_attempts, error.retryAfterSeconds);
        if (delay && prepareRetry()) {
            qCInfo(lcApiJob) << m_request.verb() << m_request.path() << "failed:" << error.displayText()
                             << "- retrying in" << delay->count() << "ms";
            Q_EMIT retrying(m_attempts, delay->count(), error);
            if (!m_finished)
                m_retryTimer.start(*delay);
            return;
        }
    }
    finishWithError(error);
}

void ApiJob::finishWithError(const ApiError &error)
{
    if (m_finished)
        return;
    m_finished = true;
    m_retryTimer.stop();
    dropReply();
    if (error.kind != ApiError::Kind::Aborted)
        qCInfo(lcApiJob) << m_request.verb() << m_request.path() << "failed:" << error.displayText();
    const QPointer<ApiJob> self(this);
    fail(error);
    if (self)
        deleteLater();
}

void ApiJob::finishWithSuccess(int status)
{
    if (m_finished)
        return;
    m_finished = true;
    m_retryTimer.stop();
    qCDebug(lcApiJob) << m_request.verb() << m_request.path() << "->" << status;
    const QByteArray body = std::exchange(m_buffer, {});
    const QPointer<ApiJob> self(this);
    succeed(status, body);
    if (self)
        deleteLater();
}

void ApiJob::dropReply()
{
    m_timeoutTimer.stop();
    QNetworkReply *reply = m_reply;
    if (!reply)
        return;
    m_reply = nullptr;
    disconnect(reply, nullptr, this, nullptr);
    if (reply->isRunning())
        reply->abort();
    reply->deleteLater();
}

} // namespace banata
