// SPDX-License-Identifier: MIT
#pragma once

#include "json.h"

#include <QList>
#include <QStringList>

namespace banata {

/// A receiver of signed event deliveries (banata-api.md §6). `signingSecret` is only present in
/// the answer to `POST /v1/webhooks`; every later read omits it.
struct Webhook
{
    QString id;
    QString url;
    QString description;
    QStringList eventTypes; // exact names or "prefix.*"; empty = every event
    bool enabled = true;
    std::optional<QString> signingSecret; // 48 lowercase hex characters
    qint64 createdAt = 0;

    /// Accepts the v2 camelCase and the v1 snake_case spellings (`event_types`, `signing_secret`).
    static Parsed<Webhook> fromJson(const Json &json);
    Json toJson() const;
    friend bool operator==(const Webhook &, const Webhook &) = default;
};

/// The body of `POST /v1/webhooks`.
struct CreateWebhookRequest
{
    QString url;
    std::optional<QString> description;
    QStringList eventTypes;
    std::optional<bool> enabled;

    Json toJson() const;
};

enum class DeliveryStatus { Pending, Delivered, Failed };
QString toString(DeliveryStatus status);
std::optional<DeliveryStatus> deliveryStatusFromString(const QString &text);

/// One event sent (or to be sent) to one webhook; its id is the `Banata-Webhook-Id` of every attempt.
struct WebhookDelivery
{
    QString id;
    QString webhookId;
    qint64 eventSeq = 0;
    QString eventType;
    DeliveryStatus status = DeliveryStatus::Pending;
    int attempts = 0;
    std::optional<int> lastStatusCode;
    std::optional<QString> lastError;
    std::optional<qint64> nextAttemptAt; // pending only
    qint64 createdAt = 0;
    std::optional<qint64> deliveredAt;

    static Parsed<WebhookDelivery> fromJson(const Json &json);
    Json toJson() const;
    friend bool operator==(const WebhookDelivery &, const WebhookDelivery &) = default;
};

/// `GET /v1/webhooks` and `GET /v1/webhooks/deliveries?id=`: `{ "data": [...] }`.
Parsed<QList<Webhook>> webhookListFromJson(const Json &json);
Json webhookListToJson(const QList<Webhook> &webhooks);
Parsed<QList<WebhookDelivery>> webhookDeliveryListFromJson(const Json &json);
Json webhookDeliveryListToJson(const QList<WebhookDelivery> &deliveries);

/// True when \a eventType is selected by \a patterns: empty selects all; "a.b.*" selects every
/// type starting with "a.b."; "*" selects all; anything else must match exactly.
bool webhookSelects(const QStringList &patterns, QStringView eventType);

/// Lowercase hex HMAC-SHA256 of "<timestamp>.<body>" keyed with the UTF-8 bytes of \a secret:
/// the `v1=` part of `Banata-Webhook-Signature: t=<timestamp>,v1=<hex>`.
QByteArray webhookSignature(QByteArrayView secret, qint64 timestamp, QByteArrayView body);
/// The whole `Banata-Webhook-Signature` header value.
QByteArray webhookSignatureHeader(QByteArrayView secret, qint64 timestamp, QByteArrayView body);
/// For receivers: checks a `Banata-Webhook-Signature` header against \a body, with the timestamp
/// no further than \a toleranceSeconds from \a nowSeconds (replay protection).
bool verifyWebhookSignature(QByteArrayView secret, QByteArrayView header, QByteArrayView body, qint64 nowSeconds,
                            qint64 toleranceSeconds = 300);

} // namespace banata
