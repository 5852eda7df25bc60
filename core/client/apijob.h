// SPDX-License-Identifier: MIT
#pragma once

#include "core/apierror.h"
#include "core/client/apirequest.h"

#include <QByteArray>
#include <QNetworkReply>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <optional>

class QIODevice;

namespace banata {

/**
 * Base of all Banata API jobs: sends one request, retries transient failures and reports once.
 *
 * Usage: jobs come from ApiClient already started, without a parent. Connect to the concrete
 * job's typed `finished` signal with a context object; the job emits it exactly once (also for
 * abort()) and then deletes itself with deleteLater(). Keep a QPointer to a job you may cancel.
 * Call abort() to cancel and get an Aborted result; `delete job` cancels silently (use that from
 * destructors). Never delete the job from a slot connected to its own signals.
 *
 * Retries: 429 is always retried (the server did no work); 502/503/504, network errors and
 * timeouts only for idempotent requests. The wait doubles from RetryPolicy::baseDelay with jitter
 * and is never shorter than Retry-After; a Retry-After longer than maxDelay ends the job with that
 * error (its retryAfterSeconds says when to try again). The timeout is the longest wait with no
 * bytes moving in either direction. Bodies are capped: JSON at ApiRequest::maxResponseBytes (64 MiB
 * by default; more is a Protocol error), error bodies at 1 MiB (the HTTP error is kept).
 */
class ApiJob : public QObject
{
    Q_OBJECT

public:
    ~ApiJob() override;

    /// Sends the request. Errors found synchronously are still reported asynchronously.
    void start();
    /// Cancels; emits `finished` with an Aborted error unless the job has already finished.
    void abort();

    bool isStarted() const { return m_started; }
    bool isFinished() const { return m_finished; }
    const ApiRequest &request() const { return m_request; }
    /// Number of times the request has been sent so far.
    int attempts() const { return m_attempts; }

Q_SIGNALS:
    /// A transient failure will be retried after \a delayMs; \a attempt is the one that failed.
    void retrying(int attempt, qint64 delayMs, const banata::ApiError &error);

protected:
    ApiJob(ApiEndpoint endpoint, ApiRequest request);

    /// A reason the job cannot run (checked by start(), reported asynchronously); nullopt when fine.
    virtual std::optional<ApiError> precondition() const { return std::nullopt; }
    /// The body to stream instead of request().body(); nullptr for none.
    virtual QIODevice *uploadDevice() { return nullptr; }
    /// Called before each send to add headers (Range, Content-Length).
    virtual void prepareRequest(QNetworkRequest &request) { Q_UNUSED(request) }
    /// Called once per reply after it is created (progress connections, read buffer size).
    virtual void configureReply(QNetworkReply *reply) { Q_UNUSED(reply) }
    /// Whether a retry can be sent again; rewinds upload devices. Default: always.
    virtual bool prepareRetry() { return true; }
    /// True when a 2xx body goes to consume() instead of being buffered for succeed().
    virtual bool streamsBody() const { return false; }
    /// Called when a 2xx status and its headers arrive; return false after calling failWith().
    virtual bool beginBody(QNetworkReply *reply) { Q_UNUSED(reply) return true; }
    /// Streaming jobs: one chunk of a 2xx body; return false after calling failWith().
    virtual bool consume(const QByteArray &chunk) { Q_UNUSED(chunk) return true; }
    /// A status outside 2xx that this job takes as an answer rather than an error, e.g. 304 to a
    /// conditional GET: succeed() then gets it with its (normally empty) buffered body.
    virtual bool acceptsStatus(int status) const { Q_UNUSED(status) return false; }

    /// The request succeeded with \a status; \a body is empty for streaming jobs. Emit `finished`.
    virtual void succeed(int status, const QByteArray &body) = 0;
    /// The job failed for good. Emit `finished`.
    virtual void fail(const ApiError &error) = 0;

    /// Stops the transfer and ends the job with \a error, without retrying.
    void failWith(const ApiError &error);
    /// Header \a name (case-insensitive) of the response the job ended with, empty when absent.
    /// Set before succeed() and before fail() for an error status; cleared for each attempt.
    QByteArray responseHeader(QByteArrayView name) const;

private:
    void send();
    void onMetaDataChanged();
    void onReadyRead();
    void onReplyFinished();
    void onTimeout();
    void onReplyDestroyed();
    void handleFailure(const ApiError &error, bool transient);
    void finishWithError(const ApiError &error);
    void finishWithSuccess(int status);
    void dropReply();
    bool appendBuffered(const QByteArray &chunk);
    int replyStatus() const;

    ApiEndpoint m_endpoint;
    ApiRequest m_request;
    QPointer<QNetworkReply> m_reply;
    QTimer m_timeoutTimer;
    QTimer m_retryTimer;
    QByteArray m_buffer;
    QList<QNetworkReply::RawHeaderPair> m_responseHeaders;
    bool m_headersSeen = false;
    bool m_bodyStreaming = false;
    bool m_started = false;
    bool m_finished = false;
    int m_attempts = 0;
};

} // namespace banata
