// SPDX-License-Identifier: MIT
// Webhooks: create (the only answer with the signing secret), list, delete, deliveries log.
// Delivery itself lives in server/webhooks/.
#include "apiutil.h"
#include "routes.h"

#include "server/http/httpserver.h"
#include "server/webhooks/webhookservice.h"

#include <QRegularExpression>
#include <QUrl>

using namespace Qt::StringLiterals;

namespace banata::server {

namespace {
constexpr int kMaxUrlLength = 2048;
constexpr int kMaxDescriptionLength = 500;
constexpr int kMaxEventTypes = 100;
constexpr int kDefaultDeliveries = 100;
constexpr int kMaxDeliveries = 1000;

/// "sandbox.ready", "sandbox.handoff.*" or "*": lowercase dotted names, a wildcard only at the end.
bool isEventTypePattern(const QString &pattern)
{
    static const QRegularExpression re(u"^(\\*|[a-z0-9_-]+(\\.[a-z0-9_-]+)*(\\.\\*)?)$"_s);
    return pattern.size() <= 200 && re.match(pattern).hasMatch();
}

/// Parses and validates the body of `POST /v1/webhooks`; a message for a 400 on failure.
Expected<CreateWebhookRequest, QString> parseCreate(const Json &body)
{
    using Result = Expected<CreateWebhookRequest, QString>;
    JsonReader r(body, u"body"_s);
    CreateWebhookRequest request;
    request.url = r.requiredString("url");
    request.description = r.optionalString("description");
    if (r.has("eventTypes") && r.has("event_types"))
        return Result::failure(u"body: give either eventTypes or event_types, not both"_s);
    request.eventTypes = r.optionalStringList(r.has("event_types") ? "event_types" : "eventTypes").value_or(QStringList());
    request.enabled = r.optionalBool("enabled");
    if (!r.ok())
        return Result::failure(r.error());

    const QUrl url(request.url, QUrl::StrictMode);
    const QString scheme = url.scheme();
    if (request.url.size() > kMaxUrlLength || !url.isValid() || url.isRelative() || url.host().isEmpty() ||
        (scheme != u"http" && scheme != u"https")) {
        return Result::failure(u"Invalid url: '%1'. Must be an absolute http or https URL"_s.arg(request.url.left(200)));
    }
    if (request.description && request.description->size() > kMaxDescriptionLength)
        return Result::failure(u"body.description: at most %1 characters"_s.arg(kMaxDescriptionLength));
    if (request.eventTypes.size() > kMaxEventTypes)
        return Result::failure(u"body.eventTypes: at most %1 entries"_s.arg(kMaxEventTypes));
    for (const QString &pattern : std::as_const(request.eventTypes)) {
        if (!isEventTypePattern(pattern)) {
            return Result::failure(u"Invalid event type: '%1'. Use a name like sandbox.ready, a prefix like "
                                   u"sandbox.handoff.* or *"_s.arg(pattern.left(200)));
        }
    }
    request.eventTypes.removeDuplicates();
    return request;
}
} // namespace

void registerWebhookRoutes(HttpServer &http, const ApiContext &ctx, WebhookService *webhooks)
{
    Q_UNUSED(ctx)
    http.route("POST"_ba, u"/v1/webhooks"_s, [webhooks](const HttpRequest &request, HttpResponder responder) {
        const auto body = api::parseObject(request, responder);
        if (!body)
            return;
        const auto parsed = parseCreate(*body);
        if (!parsed)
            return responder.respond(api::badRequest(parsed.error()));
        const auto created = webhooks->create(*parsed);
        if (!created)
            return responder.respond(api::error(created.error()));
        responder.respond(api::json(201, created->toJson()));
    });

    http.route("GET"_ba, u"/v1/webhooks"_s, [webhooks](const HttpRequest &, HttpResponder responder) {
        responder.respond(api::json(200, webhookListToJson(webhooks->list())));
    });

    http.route("DELETE"_ba, u"/v1/webhooks"_s, [webhooks](const HttpRequest &request, HttpResponder responder) {
        const QString id = api::requireQueryId(request, responder);
        if (id.isEmpty())
            return;
        if (const auto error = webhooks->remove(id))
            return responder.respond(api::error(*error));
        responder.respond(api::json(200, Json{{"ok", true}}));
    });

    http.route("GET"_ba, u"/v1/webhooks/deliveries"_s, [webhooks](const HttpRequest &request, HttpResponder responder) {
        const QString id = api::requireQueryId(request, responder);
        if (id.isEmpty())
            return;
        int limit = kDefaultDeliveries;
        if (const QString text = request.queryValue(u"limit"_s); !text.isEmpty()) {
            bool ok = false;
            limit = text.toInt(&ok);
            if (!ok || limit < 1 || limit > kMaxDeliveries)
                return responder.respond(api::badRequest(u"Invalid limit: '%1'. Must be 1 to %2"_s.arg(text).arg(kMaxDeliveries)));
        }
        const auto deliveries = webhooks->deliveries(id, limit);
        if (!deliveries)
            return responder.respond(api::error(deliveries.error()));
        responder.respond(api::json(200, webhookDeliveryListToJson(*deliveries)));
    });
}

} // namespace banata::server
