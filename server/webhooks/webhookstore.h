// SPDX-License-Identifier: MIT
#pragma once

#include "core/webhook.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>

namespace banata::server {

class Store;

/// What the server keeps about one webhook: the wire object (secret included) plus the last
/// event sequence number that existed when it was created (it only gets later events).
struct WebhookRecord
{
    banata::Webhook webhook;
    qint64 startSeq = 0;
};

/// A pending delivery ready to be sent: everything one attempt needs.
struct OutboxItem
{
    QString deliveryId;
    QString webhookId;
    QString url;
    QString secret;
    QByteArray payload; // fixed at enqueue time, so every retry sends the same bytes
    int attempts = 0;
};

/// How one attempt ended, as written back to the outbox row.
struct AttemptResult
{
    banata::DeliveryStatus status = banata::DeliveryStatus::Pending;
    int attempts = 0;
    std::optional<int> statusCode;
    std::optional<QString> error;
    std::optional<qint64> nextAttemptAt;
    std::optional<qint64> deliveredAt;
};

/// The webhook tables in the server's SQLite database: webhooks, the delivery outbox (which is
/// also the deliveries log) and the event cursor. Main thread only, like Store.
class WebhookStore final
{
public:
    /// \a store must be open and outlive this object.
    explicit WebhookStore(Store *store);
    Q_DISABLE_COPY_MOVE(WebhookStore)

    /// Creates the tables if needed; an error message on failure.
    std::optional<QString> prepare();

    bool insertWebhook(const WebhookRecord &record);
    QList<WebhookRecord> webhooks(); // oldest first, secrets included
    /// Removes the webhook and all its deliveries; false when there was none.
    bool deleteWebhook(const QString &id);

    /// Adds a pending delivery due now; a second one for the same webhook and event is ignored.
    bool enqueue(const banata::WebhookDelivery &delivery, const QByteArray &payload);
    /// Pending deliveries due at \a now, lowest event first.
    QList<OutboxItem> due(qint64 now, int limit);
    /// The earliest next attempt after \a now among pending deliveries.
    std::optional<qint64> nextAttemptAfter(qint64 now);
    bool recordAttempt(const QString &deliveryId, const AttemptResult &result);
    /// The newest \a limit deliveries of a webhook.
    QList<banata::WebhookDelivery> deliveries(const QString &webhookId, int limit);
    /// Keeps the newest \a keep finished deliveries of a webhook; pending ones are never pruned.
    void prune(const QString &webhookId, int keep);

    /// The last event already turned into deliveries (0 when unknown).
    qint64 cursor();
    bool setCursor(qint64 seq);

private:
    Store *m_store;
};

} // namespace banata::server
