// SPDX-License-Identifier: MIT
// The event stream: a WebSocket at /v1/events; `since=<seq>` replays what the client missed.
#include "apiutil.h"
#include "routes.h"

#include "server/events/eventhub.h"
#include "server/http/httpserver.h"

#include <QWebSocket>

using namespace Qt::StringLiterals;

namespace banata::server {

namespace {
std::optional<qint64> sinceFrom(const HttpRequest &request, bool *valid)
{
    const QString since = request.queryValue(u"since"_s);
    *valid = true;
    if (since.isEmpty())
        return std::nullopt;
    bool ok = false;
    const qint64 value = since.toLongLong(&ok);
    if (!ok || value < 0) {
        *valid = false;
        return std::nullopt;
    }
    return value;
}
} // namespace

void registerEventRoutes(HttpServer &http, const ApiContext &ctx)
{
    http.webSocketRoute(
        u"/v1/events"_s,
        [](const HttpRequest &request) -> std::optional<HttpResponse> {
            bool valid = false;
            sinceFrom(request, &valid);
            if (!valid)
                return api::badRequest(u"Invalid since: must be a non-negative event sequence number"_s);
            return std::nullopt;
        },
        [ctx](QWebSocket *socket, const HttpRequest &request) {
            bool valid = false;
            const auto since = sinceFrom(request, &valid);
            ctx.events->subscribe(socket, since.value_or(-1));
        });
}

} // namespace banata::server
