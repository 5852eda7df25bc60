// SPDX-License-Identifier: MIT
// Human handoff (banata-api.md §5): request, get, accept, complete, cancel, and the handoffs of
// every sandbox (the app's inbox). Processes inside a sandbox call request/get/cancel with their
// sandbox token, which the guard only lets through with `?id=<their sandbox>`; so every route
// takes the id from the query or the body.
#include "apiutil.h"
#include "routes.h"

#include "core/handoff.h"
#include "server/handoff/handoffservice.h"
#include "server/http/httpserver.h"

using namespace Qt::StringLiterals;

namespace banata::server {

namespace {
/// The sandbox id from `?id=` or the body's "id"; both may be given only if they agree.
std::optional<QString> sandboxIdOf(const HttpRequest &request, const Json &body, HttpResponder &responder)
{
    const QString fromQuery = request.queryValue(u"id"_s);
    JsonReader r(body, u"body"_s);
    const QString fromBody = r.optionalString("id").value_or(QString());
    if (!r.ok()) {
        responder.respond(api::badRequest(r.error()));
        return std::nullopt;
    }
    if (!fromQuery.isEmpty() && !fromBody.isEmpty() && fromQuery != fromBody) {
        responder.respond(api::badRequest(u"The id in the query and the id in the body differ"_s));
        return std::nullopt;
    }
    const QString id = fromQuery.isEmpty() ? fromBody : fromQuery;
    if (id.isEmpty()) {
        responder.respond(api::badRequest(u"body.id: missing"_s));
        return std::nullopt;
    }
    return id;
}

/// `?status=a,b` of the cross-sandbox list; empty means the active ones (pending, accepted).
std::optional<QList<HandoffStatus>> parseStatuses(const QString &text, QString *error)
{
    QList<HandoffStatus> statuses;
    for (const QString &name : text.split(u',', Qt::SkipEmptyParts)) {
        const auto status = handoffStatusFromString(name.trimmed());
        if (!status) {
            *error = u"Invalid status: '%1'. Must be one of: pending, accepted, completed, cancelled, expired"_s.arg(
                name.left(40));
            return std::nullopt;
        }
        if (!statuses.contains(*status))
            statuses.append(*status);
    }
    if (statuses.isEmpty())
        statuses = {HandoffStatus::Pending, HandoffStatus::Accepted};
    return statuses;
}

/// Callers holding a sandbox token are the agent (or a script) inside that sandbox.
QString defaultRequester(const HttpRequest &request)
{
    return request.header("authorization").startsWith("Bearer bst_") ? u"agent"_s : u"sdk"_s;
}

HttpResponse answer(HandoffService *handoffs, const QString &sandboxId, const HandoffService::Result<Handoff> &result,
                    int successStatus = 200)
{
    if (!result)
        return api::error(result.error());
    HandoffResponse response;
    response.handoff = *result;
    response.preview = handoffs->preview(sandboxId);
    return api::json(successStatus, response.toJson());
}

using BodyHandler = std::function<HttpResponse(const QString &sandboxId, const Json &body, const HttpRequest &request)>;

/// A POST route: parse the body and resolve the id, then \a handle.
Handler postRoute(BodyHandler handle)
{
    return [handle](const HttpRequest &request, HttpResponder responder) {
        const auto body = api::parseObject(request, responder);
        if (!body)
            return;
        const auto id = sandboxIdOf(request, *body, responder);
        if (!id)
            return;
        responder.respond(handle(*id, *body, request));
    };
}
} // namespace

void registerHandoffRoutes(HttpServer &http, const ApiContext &ctx, HandoffService *handoffs)
{
    Q_UNUSED(ctx)
    http.route("POST"_ba, u"/v1/sandboxes/handoff/request"_s, postRoute([handoffs](const QString &id, const Json &body, const HttpRequest &request) {
        auto parsed = HandoffRequest::fromJson(body);
        if (!parsed)
            return api::badRequest(parsed.error());
        HandoffRequest handoff = std::move(parsed).value();
        handoff.id = id;
        return answer(handoffs, id, handoffs->request(handoff, defaultRequester(request)), 201);
    }), 64 << 10);

    http.route("GET"_ba, u"/v1/sandboxes/handoff"_s, [handoffs](const HttpRequest &request, HttpResponder responder) {
        const QString id = api::requireQueryId(request, responder);
        if (id.isEmpty())
            return;
        const QString all = request.queryValue(u"all"_s);
        if (all == u"1" || all == u"true") {
            const auto list = handoffs->history(id);
            return responder.respond(list ? api::json(200, handoffListToJson(*list)) : api::error(list.error()));
        }
        responder.respond(answer(handoffs, id, handoffs->current(id, request.queryValue(u"requestId"_s))));
    });

    // The inbox of the desktop app: one request instead of one per sandbox. API key only (a
    // sandbox token must not see other sandboxes), which the guard's allowlist already enforces.
    http.route("GET"_ba, u"/v1/sandboxes/handoffs"_s, [handoffs](const HttpRequest &request, HttpResponder responder) {
        QString error;
        const auto statuses = parseStatuses(request.queryValue(u"status"_s), &error);
        if (!statuses)
            return responder.respond(api::badRequest(error));
        responder.respond(api::json(200, pendingHandoffListToJson(handoffs->acrossSandboxes(*statuses))));
    });

    http.route("POST"_ba, u"/v1/sandboxes/handoff/accept"_s, postRoute([handoffs](const QString &id, const Json &body, const HttpRequest &) {
        JsonReader r(body, u"body"_s);
        const QString controller = r.requiredString("controller");
        const QString requestId = r.optionalString("requestId").value_or(QString());
        if (!r.ok())
            return api::badRequest(r.error());
        return answer(handoffs, id, handoffs->accept(id, controller, requestId));
    }), 64 << 10);

    http.route("POST"_ba, u"/v1/sandboxes/handoff/complete"_s, postRoute([handoffs](const QString &id, const Json &body, const HttpRequest &) {
        JsonReader r(body, u"body"_s);
        const QString outcome = r.optionalString("outcome").value_or(u"done"_s);
        const auto note = r.optionalString("note");
        const QString requestId = r.optionalString("requestId").value_or(QString());
        if (!r.ok())
            return api::badRequest(r.error());
        return answer(handoffs, id, handoffs->complete(id, outcome, note, requestId));
    }), 64 << 10);

    http.route("POST"_ba, u"/v1/sandboxes/handoff/cancel"_s, postRoute([handoffs](const QString &id, const Json &body, const HttpRequest &) {
        JsonReader r(body, u"body"_s);
        const auto reason = r.optionalString("reason");
        const QString requestId = r.optionalString("requestId").value_or(QString());
        if (!r.ok())
            return api::badRequest(r.error());
        return answer(handoffs, id, handoffs->cancel(id, reason, requestId));
    }), 64 << 10);
}

} // namespace banata::server
