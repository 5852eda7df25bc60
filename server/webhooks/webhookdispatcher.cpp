// SPDX-License-Identifier: MIT
#include "webhookdispatcher.h"

#include "webhookrequest.h"
#include "webhookstore.h"

#include "core/webhook.h"

#include <QDateTime>
#include <QLoggingCategory>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRandomGenerator>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

Q_LOGGING_CATEGORY(lcWebhookDispatch, "banata.server.webhooks.dispatch", QtInfoMsg)

namespace banata::server {

namespace {
// What a receiver says back is not ours to keep: read and drop it, and stop reading past this.
constexpr qint64 kMaxResponseBytes = 64 * 1024;
constexpr int kDueBatch = 64;
constexpr int kPruneEvery = 100;
// A Retry-After beyond this is treated as this, so a receiver cannot park deliveries forever.
constexpr std::chrono::milliseconds kMaxRetryAfter = 1h;

/// Retry-After as delta-seconds or an HTTP date; nullopt when absent or unreadable.
std::optional<std::chrono::milliseconds> retryAfter(const QNetworkReply *reply)
{
    return parseWebhookRetryAfter(reply->rawHeader("Retry-After"_ba), QDateTime::currentDateTimeUtc());
}
} // namespace

std::chrono::milliseconds webhookRetryDelay(const WebhookPolicy &policy, int failedAttempts,
                                            std::optional<std::chrono::milliseconds> retryAfterDelay, double jitter)
{
    const int exponent = std::clamp(failedAttempts - 1, 0, 30);
    const double raw = double(policy.retryBase.count()) * std::ldexp(1.0, exponent) * std::clamp(jitter, 0.75, 1.25);
    auto delay = std::chrono::milliseconds(qint64(std::min(raw, double(policy.maxDelay.count()))));
    if (retryAfterDelay)
        delay = std::max(delay, std::min(*retryAfterDelay, kMaxRetryAfter));
    return delay;
}

WebhookDispatcher::WebhookDispatcher(WebhookStore *store, WebhookPolicy policy, QObject *parent)
    : QObject(parent)
    , m_store(store)
    , m_policy(policy)
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &WebhookDispatcher::pump);
}

WebhookDispatcher::~WebhookDispatcher()
{
    // Attempts cut off here stay pending in the outbox and are sent again by the next process.
    const QList<QNetworkReply *> replies = m_flights.keys();
    m_flights.clear();
    for (QNetworkReply *reply : replies) {
        reply->disconnect(this);
        reply->abort();
        delete reply;
    }
}

void WebhookDispatcher::wake()
{
    m_timer.start(0);
}

void WebhookDispatcher::forget(const QString &webhookId)
{
    for (auto it = m_flights.begin(); it != m_flights.end();) {
        if (it->webhookId != webhookId) {
            ++it;
            continue;
        }
        QNetworkReply *reply = it.key();
        it = m_flights.erase(it);
        reply->disconnect(this);
        reply->abort();
        reply->deleteLater();
    }
    m_busyWebhooks.remove(webhookId);
    wake();
}

void WebhookDispatcher::pump()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (m_flights.size() < m_policy.maxInFlight) {
        const QList<OutboxItem> due = m_store->due(now, kDueBatch);
        for (const OutboxItem &item : due) {
            if (m_flights.size() >= m_policy.maxInFlight)
                break;
            if (!m_busyWebhooks.contains(item.webhookId))
                send(item);
        }
    }
    // Deliveries due now but held back (busy webhook, full pipe) go when a flight lands.
    if (const auto next = m_store->nextAttemptAfter(now))
        m_timer.start(std::chrono::milliseconds(std::max<qint64>(0, *next - now)));
}

void WebhookDispatcher::send(const OutboxItem &item)
{
    QNetworkRequest request{QUrl(item.url)};
    const qint64 timestamp = QDateTime::currentSecsSinceEpoch();
    request.setHeader(QNetworkRequest::ContentTypeHeader, "application/json"_ba);
    request.setHeader(QNetworkRequest::UserAgentHeader, "banata-local-webhooks"_ba);
    request.setRawHeader("Banata-Webhook-Id"_ba, item.deliveryId.toUtf8());
    request.setRawHeader("Banata-Webhook-Timestamp"_ba, QByteArray::number(timestamp));
    request.setRawHeader("Banata-Webhook-Signature"_ba,
                         webhookSignatureHeader(item.secret.toUtf8(), timestamp, item.payload));
    // A redirect is an answer, not a delivery: never follow one to another host (or at all).
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    request.setAttribute(QNetworkRequest::CacheSaveControlAttribute, false);
    request.setAttribute(QNetworkRequest::CookieSaveControlAttribute, QNetworkRequest::Manual);
    request.setAttribute(QNetworkRequest::CookieLoadControlAttribute, QNetworkRequest::Manual);

    QNetworkReply *reply = m_network.post(request, item.payload);
    reply->setReadBufferSize(kMaxResponseBytes);
    m_flights.insert(reply, Flight{item.deliveryId, item.webhookId, item.attempts + 1, 0, false, false});
    m_busyWebhooks.insert(item.webhookId);
    connect(reply, &QNetworkReply::readyRead, this, [this, reply] { onReadyRead(reply); });
    connect(reply, &QNetworkReply::finished, this, [this, reply] { onFinished(reply); });
    auto *timer = new QTimer(reply);
    timer->setSingleShot(true);
    connect(timer, &QTimer::timeout, this, [this, reply] {
        if (auto it = m_flights.find(reply); it != m_flights.end()) {
            it->timedOut = true;
            reply->abort();
        }
    });
    timer->start(m_policy.timeout);
    qCDebug(lcWebhookDispatch) << "sending delivery" << item.deliveryId << "attempt" << item.attempts + 1;
}

void WebhookDispatcher::onReadyRead(QNetworkReply *reply)
{
    auto it = m_flights.find(reply);
    if (it == m_flights.end())
        return;
    it->bytesRead += reply->skip(reply->bytesAvailable());
    if (it->bytesRead > kMaxResponseBytes) {
        it->tooLarge = true;
        reply->abort();
    }
}

void WebhookDispatcher::onFinished(QNetworkReply *reply)
{
    reply->deleteLater();
    const auto it = m_flights.find(reply);
    if (it == m_flights.end())
        return;
    const Flight flight = *it;
    m_flights.erase(it);
    m_busyWebhooks.remove(flight.webhookId);

    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const QVariant statusAttribute = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    AttemptResult result;
    result.attempts = flight.attempts;
    if (statusAttribute.isValid())
        result.statusCode = statusAttribute.toInt();
    const int status = result.statusCode.value_or(0);
    if (status >= 200 && status < 300) {
        // The receiver said yes; a body we cut short or a slow tail does not change that.
        result.status = DeliveryStatus::Delivered;
        result.deliveredAt = now;
    } else {
        if (flight.timedOut)
            result.error = u"no answer within %1 ms"_s.arg(m_policy.timeout.count());
        else if (status >= 300 && status < 400)
            result.error = u"HTTP %1: redirects are not followed"_s.arg(status);
        else if (status != 0)
            result.error = u"HTTP %1"_s.arg(status);
        else
            result.error = reply->errorString();
        if (flight.attempts >= m_policy.maxAttempts) {
            result.status = DeliveryStatus::Failed;
        } else {
            const auto hint = (status == 429 || status == 503) ? retryAfter(reply) : std::nullopt;
            const double jitter = 0.75 + 0.5 * QRandomGenerator::global()->generateDouble();
            result.nextAttemptAt = now + webhookRetryDelay(m_policy, flight.attempts, hint, jitter).count();
        }
    }
    m_store->recordAttempt(flight.deliveryId, result);
    qCDebug(lcWebhookDispatch) << "delivery" << flight.deliveryId << "attempt" << flight.attempts << "->"
                               << toString(result.status) << status;
    if (result.status != DeliveryStatus::Pending && ++m_finishedSincePrune >= kPruneEvery) {
        m_finishedSincePrune = 0;
        m_store->prune(flight.webhookId, m_policy.keepPerWebhook);
    }
    wake();
}

} // namespace banata::server
