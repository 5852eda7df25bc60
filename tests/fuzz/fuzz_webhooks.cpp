// SPDX-License-Identifier: MIT
// Fuzz target `webhooks`: everything webhook-shaped that crosses the network. The whole input is
// read as JSON by the client (a webhook, a delivery, their lists) and by the server (the body of
// POST /v1/webhooks); its first line is also a `Banata-Webhook-Signature` header (the rest the
// delivery body it signs) and a receiver's `Retry-After`.
// Invariants: no crash or UB; rejections are short messages; accepted values read back the same;
// a registration the server accepts holds only valid patterns; a signature made for a body
// verifies and one header never verifies another body; Retry-After is never negative.
#include <limits>

#include <QTimeZone>

#include "core/webhook.h"
#include "fuzzcheck.h"
#include "server/webhooks/webhookrequest.h"

using namespace banata;
using namespace banata::server;
using namespace Qt::StringLiterals;

namespace {

constexpr qint64 kNow = 1775038321; // a fixed clock: the same input always does the same

template <typename T, typename Parse, typename Write>
void roundTrip(const Json &json, Parse parse, Write write)
{
    const Parsed<T> first = parse(json);
    if (!first) {
        fuzz::checkError(first.error());
        return;
    }
    const Json written = write(first.value());
    const Parsed<T> second = parse(fuzz::reparsed(written));
    FUZZ_CHECK_MSG(second.ok(), second.ok() ? QString() : second.error());
    FUZZ_CHECK(dumpJson(write(second.value())) == dumpJson(written));
}

void checkRegistration(const Json &json)
{
    const auto request = parseCreateWebhookRequest(json);
    if (!request) {
        fuzz::checkError(request.error());
        return;
    }
    FUZZ_CHECK(request->url.size() <= 2048);
    FUZZ_CHECK(request->eventTypes.size() <= 100);
    FUZZ_CHECK(!request->description || request->description->size() <= 500);
    for (const QString &pattern : request->eventTypes)
        FUZZ_CHECK_MSG(isWebhookEventTypePattern(pattern), pattern);
    // What the client sends for it is accepted again, unchanged.
    const auto again = parseCreateWebhookRequest(fuzz::reparsed(request->toJson()));
    FUZZ_CHECK_MSG(again.ok(), again.ok() ? QString() : again.error());
    FUZZ_CHECK(dumpJson(again->toJson()) == dumpJson(request->toJson()));
    // Selecting is total: every pattern list answers for every type.
    (void)webhookSelects(request->eventTypes, u"sandbox.ready");
}

void checkSignature(QByteArrayView header, QByteArrayView body)
{
    const QByteArray secret = "2ca3941580ae81eb9769c91b31770b2646acbf0c41538a01"_ba;
    (void)verifyWebhookSignature(secret, header, body, kNow);
    (void)verifyWebhookSignature(secret, header, body, std::numeric_limits<qint64>::max());
    (void)verifyWebhookSignature(secret, header, body, std::numeric_limits<qint64>::min());
    const QByteArray good = webhookSignatureHeader(secret, kNow, body);
    FUZZ_CHECK(verifyWebhookSignature(secret, good, body, kNow));
    FUZZ_CHECK(!verifyWebhookSignature(secret, good, QByteArray(body.toByteArray() + 'x'), kNow));
    FUZZ_CHECK(!verifyWebhookSignature(secret, good, body, kNow + 301));
    FUZZ_CHECK(!verifyWebhookSignature("another secret"_ba, good, body, kNow));
}

void checkRetryAfter(QByteArrayView value)
{
    const QDateTime now = QDateTime::fromSecsSinceEpoch(kNow, QTimeZone::utc());
    const auto delay = parseWebhookRetryAfter(value, now);
    if (delay)
        FUZZ_CHECK(delay->count() >= 0);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView input = fuzz::bytes(data, size);
    const qsizetype newline = input.indexOf('\n');
    const QByteArrayView firstLine = newline < 0 ? input : input.first(newline);
    const QByteArrayView rest = newline < 0 ? QByteArrayView() : input.sliced(newline + 1);
    checkSignature(firstLine, rest);
    checkRetryAfter(firstLine);

    const auto json = parseJson(input.toByteArray());
    if (!json)
        return 0;
    roundTrip<Webhook>(*json, &Webhook::fromJson, [](const Webhook &w) { return w.toJson(); });
    roundTrip<WebhookDelivery>(*json, &WebhookDelivery::fromJson,
                               [](const WebhookDelivery &d) { return d.toJson(); });
    roundTrip<QList<Webhook>>(*json, &webhookListFromJson, &webhookListToJson);
    roundTrip<QList<WebhookDelivery>>(*json, &webhookDeliveryListFromJson, &webhookDeliveryListToJson);
    checkRegistration(*json);
    return 0;
}
