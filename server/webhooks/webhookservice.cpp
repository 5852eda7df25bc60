// SPDX-License-Identifier: MIT
#include "webhookservice.h"

#include "server/events/eventhub.h"
#include "server/sandboxmanager.h"
#include "server/store/store.h"

#include <QDateTime>
#include <QLoggingCategory>
#include <QRandomGenerator>

#include <limits>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcWebhooks, "banata.server.webhooks.service", QtInfoMsg)

namespace banata::server {

namespace {
constexpr int kCatchUpBatch = 500;

/// 24 random bytes as 48 lowercase hex characters, the documented secret format.
QString newSecret()
{
    QByteArray bytes(24, Qt::Uninitialized);
    QRandomGenerator::system()->generate(bytes.begin(), bytes.end());
    return QString::fromLatin1(bytes.toHex());
}

/// The body every attempt of a delivery sends, byte for byte.
QByteArray payloadFor(const QString &deliveryId, const Event &event)
{
    return dumpJson(Json{{"id", toStd(deliveryId)},
                         {"type", toStd(event.type)},
                         {"createdAt", event.timestamp},
                         {"sequence", event.seq},
                         {"sandboxId", event.sandboxId.isEmpty() ? Json(nullptr) : Json(toStd(event.sandboxId))},
                         {"data", event.data}});
}
} // namespace

ApiError webhookNotFound()
{
    return ApiError{ApiError::Kind::Http, 404, u"Webhook not found"_s, u"WEBHOOK_NOT_FOUND"_s, {}};
}

WebhookService::WebhookService(Store *store, EventHub *events, WebhookPolicy policy, QObject *parent)
    : QObject(parent)
    , m_store(store)
    , m_events(events)
    , m_webhooks(store)
    , m_dispatcher(new WebhookDispatcher(&m_webhooks, policy, this))
{
}

WebhookService::~WebhookService()
{
    // The dispatcher touches the tables while it unwinds: let it go while they are reachable.
    delete m_dispatcher;
}

std::optional<QString> WebhookService::start()
{
    if (auto error = m_webhooks.prepare())
        return error;
    reload();
    catchUp();
    // Direct: the rows must be written before publish() returns, inside its caller's transaction.
    connect(m_events, &EventHub::published, this, &WebhookService::onPublished, Qt::DirectConnection);
    m_dispatcher->wake();
    return std::nullopt;
}

void WebhookService::reload()
{
    m_records = m_webhooks.webhooks();
}

void WebhookService::catchUp()
{
    // An event stored just before a crash may not have reached the outbox; the cursor says how far
    // the outbox got. Webhooks never get events from before they existed (startSeq).
    if (m_records.isEmpty())
        return;
    qint64 oldestStart = std::numeric_limits<qint64>::max();
    for (const WebhookRecord &record : std::as_const(m_records))
        oldestStart = std::min(oldestStart, record.startSeq);
    qint64 cursor = std::max(m_webhooks.cursor(), oldestStart);
    int enqueued = 0;
    for (;;) {
        const QList<Event> batch = m_store->eventsAfter(cursor, kCatchUpBatch);
        m_store->begin();
        for (const Event &event : batch)
            enqueued += enqueue(event) ? 1 : 0;
        if (!batch.isEmpty())
            m_webhooks.setCursor(batch.last().seq);
        m_store->commit();
        if (batch.size() < kCatchUpBatch)
            break;
        cursor = batch.last().seq;
    }
    if (enqueued > 0)
        qCInfo(lcWebhooks) << "enqueued" << enqueued << "events the last run had not queued";
}

void WebhookService::onPublished(const Event &event)
{
    if (m_records.isEmpty())
        return;
    m_store->begin();
    const bool queued = enqueue(event);
    m_webhooks.setCursor(event.seq);
    m_store->commit();
    if (queued)
        m_dispatcher->wake();
}

bool WebhookService::enqueue(const Event &event)
{
    bool any = false;
    for (const WebhookRecord &record : std::as_const(m_records)) {
        const Webhook &w = record.webhook;
        if (!w.enabled || event.seq <= record.startSeq || !webhookSelects(w.eventTypes, event.type))
            continue;
        WebhookDelivery delivery;
        delivery.id = newId();
        delivery.webhookId = w.id;
        delivery.eventSeq = event.seq;
        delivery.eventType = event.type;
        delivery.createdAt = QDateTime::currentMSecsSinceEpoch();
        any = m_webhooks.enqueue(delivery, payloadFor(delivery.id, event)) || any;
    }
    return any;
}

Expected<Webhook, ApiError> WebhookService::create(const CreateWebhookRequest &request)
{
    if (m_records.size() >= kMaxWebhooks) {
        return Expected<Webhook, ApiError>::failure(
            ApiError{ApiError::Kind::Http, 409, u"At most %1 webhooks; delete one first"_s.arg(kMaxWebhooks),
                     u"WEBHOOK_LIMIT_EXCEEDED"_s, {}});
    }
    WebhookRecord record;
    Webhook &w = record.webhook;
    w.id = newId();
    w.url = request.url;
    w.description = request.description.value_or(QString());
    w.eventTypes = request.eventTypes;
    w.enabled = request.enabled.value_or(true);
    w.signingSecret = newSecret();
    w.createdAt = QDateTime::currentMSecsSinceEpoch();
    record.startSeq = m_events->lastSeq();
    if (!m_webhooks.insertWebhook(record)) {
        return Expected<Webhook, ApiError>::failure(
            ApiError{ApiError::Kind::Http, 500, u"Could not store the webhook"_s, u"INTERNAL"_s, {}});
    }
    if (m_records.isEmpty())
        m_webhooks.setCursor(record.startSeq); // nothing older can concern any webhook
    reload();
    qCInfo(lcWebhooks) << "webhook" << w.id << "created for" << (w.eventTypes.isEmpty() ? u"all"_s : w.eventTypes.join(u','));
    return w;
}

QList<Webhook> WebhookService::list() const
{
    QList<Webhook> out;
    out.reserve(m_records.size());
    for (const WebhookRecord &record : m_records) {
        Webhook w = record.webhook;
        w.signingSecret.reset();
        out.append(std::move(w));
    }
    return out;
}

std::optional<ApiError> WebhookService::remove(const QString &id)
{
    if (!m_webhooks.deleteWebhook(id))
        return webhookNotFound();
    m_dispatcher->forget(id);
    reload();
    qCInfo(lcWebhooks) << "webhook" << id << "deleted";
    return std::nullopt;
}

Expected<QList<WebhookDelivery>, ApiError> WebhookService::deliveries(const QString &id, int limit)
{
    const bool known = std::any_of(m_records.cbegin(), m_records.cend(),
                                   [&](const WebhookRecord &r) { return r.webhook.id == id; });
    if (!known)
        return Expected<QList<WebhookDelivery>, ApiError>::failure(webhookNotFound());
    return m_webhooks.deliveries(id, limit);
}

} // namespace banata::server
