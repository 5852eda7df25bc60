// SPDX-License-Identifier: MIT
// Webhooks: create (the only answer with the signing secret), list, delete, deliveries log.
// Delivery itself lives in server/webhooks/.
#include "apiutil.h"
#include "routes.h"

#include "server/http/httpserver.h"
#include "server/webhooks/webhookrequest.h"
#include "server/webhooks/webhookservice.h"

using namespace Qt::StringLiterals;

namespace banata::server {

namespace {
constexpr int kDefaultDeliveries = 100;
constexpr int kMaxDeliveries = 1000;
} // namespace

void registerWebhookRoutes(HttpServer &http, const ApiContext &ctx, WebhookService *webhooks)
{
    Q_UNUSED(ctx)
    http.route("POST"_ba, u"/v1/webhooks"_s, [webhooks](const HttpRequest &request, HttpResponder responder) {
        const auto body = api::parseObject(request, responder);
        if (!body)
            return;
        const auto parsed = parseCreateWebhookRequest(*body);
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
