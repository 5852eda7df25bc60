// SPDX-License-Identifier: MIT
// The event stream: a WebSocket at /v1/events; `since=<seq>` replays what the client missed. And
// one sandbox's history: GET /v1/sandboxes/events, paged backwards from the newest event.
#include "apiutil.h"
#include "routes.h"

#include "server/events/eventhub.h"
#include "server/http/httpserver.h"
#include "server/sandboxmanager.h"
#include "server/store/store.h"

#include <QWebSocket>

#include <limits>

using namespace Qt::StringLiterals;

namespace banata::server {

namespace {
/// `?name=` as an integer in [\a min, \a max]; nullopt when absent; *valid false when malformed.
std::optional<qint64> boundedQueryInt(const HttpRequest &request, const QString &name, qint64 min, qint64 max,
                                      bool *valid)
{
    const QString text = request.queryValue(name);
    *valid = true;
    if (text.isEmpty())
        return std::nullopt;
    bool ok = false;
    const qint64 value = text.toLongLong(&ok);
    if (!ok || value < min || value > max) {
        *valid = false;
        return std::nullopt;
    }
    return value;
}

std::optional<qint64> sinceFrom(const HttpRequest &request, bool *valid)
{
    return boundedQueryInt(request, u"since"_s, 0, std::numeric_limits<qint64>::max(), valid);
}

/// `GET /v1/sandboxes/events?id=[&before=][&limit=]`: one page of a sandbox's retained events,
/// newest first, for the app's timeline (the stream only carries what happens from now on).
void eventHistory(const ApiContext &ctx, const HttpRequest &request, HttpResponder responder)
{
    constexpr qint64 kDefaultLimit = 200;
    constexpr qint64 kMaxLimit = 1000;
    const QString id = api::requireQueryId(request, responder);
    if (id.isEmpty())
        return;
    bool valid = false;
    const auto before = boundedQueryInt(request, u"before"_s, 0, std::numeric_limits<qint64>::max(), &valid);
    if (!valid)
        return responder.respond(api::badRequest(u"Invalid before: must be a non-negative event sequence number"_s));
    const int limit = int(boundedQueryInt(request, u"limit"_s, 1, kMaxLimit, &valid).value_or(kDefaultLimit));
    if (!valid)
        return responder.respond(api::badRequest(u"Invalid limit: must be an integer from 1 to 1000"_s));
    if (!ctx.sandboxes->find(id))
        return responder.respond(api::error(sandboxNotFound()));
    // One row more than asked tells whether an older page exists without a second query.
    EventPage page;
    page.data = ctx.store->sandboxEventsBefore(id, before, limit + 1);
    if (page.data.size() > limit) {
        page.data.resize(limit);
        page.nextBefore = page.data.last().seq;
    }
    responder.respond(api::json(200, page.toJson()));
}
} // namespace

void registerEventRoutes(HttpServer &http, const ApiContext &ctx)
{
    http.route("GET"_ba, u"/v1/sandboxes/events"_s, [ctx](const HttpRequest &request, HttpResponder responder) {
        eventHistory(ctx, request, std::move(responder));
    });

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
