// SPDX-License-Identifier: MIT
#pragma once

#include "webhookdispatcher.h"
#include "webhookstore.h"

#include "core/apierror.h"
#include "core/event.h"
#include "core/expected.h"
#include "core/webhook.h"

#include <QObject>

namespace banata::server {

class EventHub;
class Store;

/// Webhooks: keeps the subscriptions, turns every published event into durable outbox rows for
/// the webhooks that select it (synchronously, inside the publisher's transaction), and lets the
/// dispatcher send them. Main thread only.
class WebhookService final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WebhookService)

public:
    static constexpr int kMaxWebhooks = 100;

    /// \a store and \a events must outlive the service.
    WebhookService(Store *store, EventHub *events, WebhookPolicy policy, QObject *parent = nullptr);
    ~WebhookService() override;

    /// Prepares the tables, enqueues events a crash kept from the outbox, starts sending.
    std::optional<QString> start();

    /// Stores a webhook for an already validated \a request; the result carries the new secret.
    /// Fails with 409 WEBHOOK_LIMIT_EXCEEDED beyond kMaxWebhooks.
    banata::Expected<banata::Webhook, banata::ApiError> create(const banata::CreateWebhookRequest &request);
    /// Every webhook, oldest first, without secrets.
    QList<banata::Webhook> list() const;
    /// Deletes the webhook with its pending deliveries and log.
    std::optional<banata::ApiError> remove(const QString &id);
    /// The newest \a limit deliveries of a webhook; WEBHOOK_NOT_FOUND when there is none.
    banata::Expected<QList<banata::WebhookDelivery>, banata::ApiError> deliveries(const QString &id, int limit);

private:
    void onPublished(const banata::Event &event);
    /// Writes the outbox rows for \a event; true when at least one was written.
    bool enqueue(const banata::Event &event);
    void catchUp();
    void reload();

    Store *m_store;
    EventHub *m_events;
    WebhookStore m_webhooks;
    WebhookDispatcher *m_dispatcher;
    QList<WebhookRecord> m_records; // cached: consulted on every event
};

banata::ApiError webhookNotFound();

} // namespace banata::server
