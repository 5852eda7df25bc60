// SPDX-License-Identifier: MIT
#pragma once

#include <QHash>
#include <QNetworkAccessManager>
#include <QObject>
#include <QSet>
#include <QTimer>

#include <chrono>
#include <optional>

QT_BEGIN_NAMESPACE
class QNetworkReply;
QT_END_NAMESPACE

namespace banata::server {

class WebhookStore;
struct OutboxItem;

/// How hard the dispatcher tries: exponential back-off from retryBase, doubling per failed
/// attempt with ±25 % jitter, capped at maxDelay; after maxAttempts the delivery is `failed`.
struct WebhookPolicy
{
    std::chrono::milliseconds retryBase{1000};
    std::chrono::milliseconds maxDelay{10 * 60 * 1000};
    std::chrono::milliseconds timeout{10000}; // one attempt, connect to last byte
    int maxAttempts = 8;
    int maxInFlight = 8;      // over all webhooks; one at a time per webhook keeps them in order
    int keepPerWebhook = 1000; // finished deliveries kept in the log
};

/// The wait before attempt \a failedAttempts + 1: base·2^(failed−1) scaled by \a jitter (0.75…1.25),
/// never less than \a retryAfter (from a 429/503), never more than the policy's maximum.
std::chrono::milliseconds webhookRetryDelay(const WebhookPolicy &policy, int failedAttempts,
                                            std::optional<std::chrono::milliseconds> retryAfter, double jitter);

/// Sends pending outbox rows: signs each attempt, POSTs it, records the result and schedules the
/// retry. Runs on the main thread; the outbox in SQLite is the only queue, so a restart carries on
/// where the last process stopped (an attempt cut off by a crash is simply sent again).
class WebhookDispatcher final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WebhookDispatcher)

public:
    /// \a store must outlive the dispatcher.
    WebhookDispatcher(WebhookStore *store, WebhookPolicy policy, QObject *parent = nullptr);
    ~WebhookDispatcher() override;

    /// Looks for due deliveries soon (after the current call stack, so a transaction around the
    /// enqueue has committed before anything is sent).
    void wake();
    /// Abandons attempts in flight for a deleted webhook.
    void forget(const QString &webhookId);

private:
    struct Flight
    {
        QString deliveryId;
        QString webhookId;
        int attempts = 0; // including this one
        qint64 bytesRead = 0;
        bool timedOut = false;
        bool tooLarge = false;
    };

    void pump();
    void send(const OutboxItem &item);
    void onReadyRead(QNetworkReply *reply);
    void onFinished(QNetworkReply *reply);

    WebhookStore *m_store;
    WebhookPolicy m_policy;
    QNetworkAccessManager m_network;
    QTimer m_timer;
    QHash<QNetworkReply *, Flight> m_flights;
    QSet<QString> m_busyWebhooks;
    int m_finishedSincePrune = 0;
};

} // namespace banata::server
