// SPDX-License-Identifier: MIT
#include "webhook.h"

#include <QMessageAuthenticationCode>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace banata {

namespace {
Json stringArray(const QStringList &list)
{
    Json out = Json::array();
    for (const QString &s : list)
        out.push_back(toStd(s));
    return out;
}

Json optionalText(const std::optional<QString> &text)
{
    return text ? Json(toStd(*text)) : Json(nullptr);
}

template <typename T>
Json optionalNumber(const std::optional<T> &value)
{
    return value ? Json(*value) : Json(nullptr);
}

template <typename T, typename Parse>
Parsed<QList<T>> listFromJson(const Json &json, const QString &context, Parse parse)
{
    using Result = Parsed<QList<T>>;
    JsonReader r(json, context);
    const Json *data = r.optionalArray("data");
    if (r.ok() && !data)
        r.fail("data", u"missing"_s);
    if (!r.ok())
        return Result::failure(r.error());
    QList<T> out;
    for (const Json &item : *data) {
        auto parsed = parse(item);
        if (!parsed)
            return Result::failure(u"%1.data[%2]: "_s.arg(context).arg(out.size()) + parsed.error());
        out.append(*parsed);
    }
    return out;
}
} // namespace

Parsed<Webhook> Webhook::fromJson(const Json &json)
{
    JsonReader r(json, u"webhook"_s);
    Webhook w;
    w.id = r.requiredString("id");
    w.url = r.requiredString("url");
    w.description = r.optionalString("description").value_or(QString());
    const char *typesKey = r.has("eventTypes") ? "eventTypes" : "event_types";
    w.eventTypes = r.optionalStringList(typesKey).value_or(QStringList());
    w.enabled = r.optionalBool("enabled").value_or(true);
    w.signingSecret = r.optionalString(r.has("signingSecret") ? "signingSecret" : "signing_secret");
    w.createdAt = r.optionalInt(r.has("createdAt") ? "createdAt" : "created_at").value_or(0);
    if (!r.ok())
        return Parsed<Webhook>::failure(r.error());
    return w;
}

Json Webhook::toJson() const
{
    Json out{{"id", toStd(id)},
             {"url", toStd(url)},
             {"description", toStd(description)},
             {"eventTypes", stringArray(eventTypes)},
             {"enabled", enabled}};
    if (signingSecret)
        out["signingSecret"] = toStd(*signingSecret);
    out["createdAt"] = createdAt;
    return out;
}

Json CreateWebhookRequest::toJson() const
{
    Json out{{"url", toStd(url)}, {"eventTypes", stringArray(eventTypes)}};
    if (description)
        out["description"] = toStd(*description);
    if (enabled)
        out["enabled"] = *enabled;
    return out;
}

QString toString(DeliveryStatus status)
{
    switch (status) {
    case DeliveryStatus::Pending:
        return u"pending"_s;
    case DeliveryStatus::Delivered:
        return u"delivered"_s;
    case DeliveryStatus::Failed:
        return u"failed"_s;
    }
    return u"pending"_s;
}

std::optional<DeliveryStatus> deliveryStatusFromString(const QString &text)
{
    for (DeliveryStatus s : {DeliveryStatus::Pending, DeliveryStatus::Delivered, DeliveryStatus::Failed}) {
        if (toString(s) == text)
            return s;
    }
    return std::nullopt;
}

Parsed<WebhookDelivery> WebhookDelivery::fromJson(const Json &json)
{
    JsonReader r(json, u"delivery"_s);
    WebhookDelivery d;
    d.id = r.requiredString("id");
    d.webhookId = r.requiredString("webhookId");
    d.eventSeq = r.requiredInt("eventSeq");
    d.eventType = r.requiredString("eventType");
    const QString status = r.requiredString("status");
    d.attempts = int(r.requiredInt("attempts"));
    if (const auto code = r.optionalInt("lastStatusCode"))
        d.lastStatusCode = int(*code);
    d.lastError = r.optionalString("lastError");
    d.nextAttemptAt = r.optionalInt("nextAttemptAt");
    d.createdAt = r.requiredInt("createdAt");
    d.deliveredAt = r.optionalInt("deliveredAt");
    if (!r.ok())
        return Parsed<WebhookDelivery>::failure(r.error());
    const auto parsedStatus = deliveryStatusFromString(status);
    if (!parsedStatus)
        return Parsed<WebhookDelivery>::failure(u"delivery.status: unknown value '%1'"_s.arg(status));
    d.status = *parsedStatus;
    return d;
}

Json WebhookDelivery::toJson() const
{
    return Json{{"id", toStd(id)},
                {"webhookId", toStd(webhookId)},
                {"eventSeq", eventSeq},
                {"eventType", toStd(eventType)},
                {"status", toStd(toString(status))},
                {"attempts", attempts},
                {"lastStatusCode", optionalNumber(lastStatusCode)},
                {"lastError", optionalText(lastError)},
                {"nextAttemptAt", optionalNumber(nextAttemptAt)},
                {"createdAt", createdAt},
                {"deliveredAt", optionalNumber(deliveredAt)}};
}

Parsed<QList<Webhook>> webhookListFromJson(const Json &json)
{
    return listFromJson<Webhook>(json, u"webhooks"_s, &Webhook::fromJson);
}

Json webhookListToJson(const QList<Webhook> &webhooks)
{
    Json items = Json::array();
    for (const Webhook &w : webhooks)
        items.push_back(w.toJson());
    return Json{{"data", std::move(items)}};
}

Parsed<QList<WebhookDelivery>> webhookDeliveryListFromJson(const Json &json)
{
    return listFromJson<WebhookDelivery>(json, u"deliveries"_s, &WebhookDelivery::fromJson);
}

Json webhookDeliveryListToJson(const QList<WebhookDelivery> &deliveries)
{
    Json items = Json::array();
    for (const WebhookDelivery &d : deliveries)
        items.push_back(d.toJson());
    return Json{{"data", std::move(items)}};
}

bool webhookSelects(const QStringList &patterns, QStringView eventType)
{
    if (patterns.isEmpty())
        return true;
    for (const QString &pattern : patterns) {
        if (pattern == u"*" || pattern == eventType)
            return true;
        // "sandbox.handoff.*" keeps its dot so it never selects "sandbox.handoffs.x".
        if (pattern.endsWith(u".*") && eventType.startsWith(QStringView(pattern).chopped(1)))
            return true;
    }
    return false;
}

QByteArray webhookSignature(QByteArrayView secret, qint64 timestamp, QByteArrayView body)
{
    QMessageAuthenticationCode mac(QCryptographicHash::Sha256, secret.toByteArray());
    mac.addData(QByteArray::number(timestamp));
    mac.addData("."_ba);
    mac.addData(body.data(), body.size());
    return mac.result().toHex();
}

QByteArray webhookSignatureHeader(QByteArrayView secret, qint64 timestamp, QByteArrayView body)
{
    return "t="_ba + QByteArray::number(timestamp) + ",v1="_ba + webhookSignature(secret, timestamp, body);
}

bool verifyWebhookSignature(QByteArrayView secret, QByteArrayView header, QByteArrayView body, qint64 nowSeconds,
                            qint64 toleranceSeconds)
{
    std::optional<qint64> timestamp;
    QList<QByteArray> signatures;
    for (const QByteArray &part : header.toByteArray().split(',')) {
        const QByteArray item = part.trimmed();
        if (item.startsWith("t=")) {
            bool ok = false;
            const qint64 t = item.mid(2).toLongLong(&ok);
            if (ok)
                timestamp = t;
        } else if (item.startsWith("v1=")) {
            signatures.append(item.mid(3));
        }
    }
    if (!timestamp || signatures.isEmpty())
        return false;
    // |now - t| in unsigned arithmetic: a hostile t near the qint64 limits must not overflow.
    const quint64 distance = *timestamp >= nowSeconds ? quint64(*timestamp) - quint64(nowSeconds)
                                                      : quint64(nowSeconds) - quint64(*timestamp);
    if (distance > quint64(std::max<qint64>(0, toleranceSeconds)))
        return false;
    const QByteArray expected = webhookSignature(secret, *timestamp, body);
    for (const QByteArray &candidate : std::as_const(signatures)) {
        // Constant-time compare: the length is public, the content is not.
        if (candidate.size() != expected.size())
            continue;
        unsigned char diff = 0;
        for (qsizetype i = 0; i < expected.size(); ++i)
            diff |= static_cast<unsigned char>(candidate[i] ^ expected[i]);
        if (diff == 0)
            return true;
    }
    return false;
}

} // namespace banata
