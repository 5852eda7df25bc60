// SPDX-License-Identifier: MIT
// Sandboxes: create, get, list, delete (kill), pause, resume; and health.
#include "apiutil.h"
#include "routes.h"

#include "server/http/httpserver.h"
#include "server/sandboxmanager.h"

#include <QCryptographicHash>

using namespace Qt::StringLiterals;

namespace banata::server {

namespace {
/// If-None-Match as RFC 9110 §13.1.2 reads it: `*`, or a list of tags compared weakly (a `W/`
/// prefix, added by some proxies, does not stop a match).
bool noneMatchHits(const QByteArray &header, const QByteArray &etag)
{
    const QList<QByteArray> tags = header.split(',');
    for (const QByteArray &listed : tags) {
        const QByteArray tag = listed.trimmed();
        if (tag == "*" || tag == etag || (tag.startsWith("W/") && tag.sliced(2) == etag))
            return true;
    }
    return false;
}

/// A GET answer with a strong validator so pollers can ask "changed?" for the price of a 304.
HttpResponse cacheable(const HttpRequest &request, const Json &body)
{
    const QByteArray bytes = dumpJson(body);
    const QByteArray etag =
        '"' + QCryptographicHash::hash(bytes, QCryptographicHash::Sha1).toHex().left(32) + '"';
    HttpResponse response = noneMatchHits(request.header("if-none-match"), etag) ? HttpResponse::empty(304)
                                                                                 : HttpResponse::json(200, bytes);
    response.setHeader("ETag"_ba, etag);
    return response;
}

std::optional<SandboxListQuery> parseListQuery(const HttpRequest &request, QString *error)
{
    SandboxListQuery query;
    const QString statuses = request.queryValue(u"status"_s);
    if (!statuses.isEmpty()) {
        for (const QString &name : statuses.split(u',', Qt::SkipEmptyParts)) {
            const auto status = sandboxStatusFromString(name.trimmed());
            if (!status) {
                *error = u"Invalid status: '%1'. Must be one of: queued, assigning, ready, active, pausing, "
                         u"paused, ending, ended, failed"_s.arg(name.left(40));
                return std::nullopt;
            }
            query.statuses.append(*status);
        }
    }
    const QString limit = request.queryValue(u"limit"_s);
    if (!limit.isEmpty()) {
        bool ok = false;
        query.limit = limit.toInt(&ok);
        if (!ok || query.limit < 1 || query.limit > 1000) {
            *error = u"Invalid limit: must be an integer from 1 to 1000"_s;
            return std::nullopt;
        }
    }
    const QString cursor = request.queryValue(u"cursor"_s);
    if (!cursor.isEmpty())
        query.cursor = cursor;
    return query;
}

/// The `{id}` of a lifecycle verb's body; responds 400 itself when missing.
QString bodyId(const HttpRequest &request, HttpResponder &responder)
{
    const auto body = api::parseObject(request, responder);
    if (!body)
        return {};
    JsonReader r(*body, u"body"_s);
    const QString id = r.requiredString("id");
    if (!r.ok() || id.isEmpty()) {
        responder.respond(api::badRequest(r.ok() ? u"body.id: empty"_s : r.error()));
        return {};
    }
    return id;
}

void answer(HttpResponder responder, const ApiExpected<Sandbox> &result)
{
    responder.respond(result ? api::json(200, result->toJson()) : api::error(result.error()));
}
} // namespace

void registerSandboxRoutes(HttpServer &http, const ApiContext &ctx)
{
    http.route("GET"_ba, u"/v1/health"_s, [ctx](const HttpRequest &, HttpResponder responder) {
        responder.respond(api::json(200, ctx.health.toJson()));
    });

    http.route("POST"_ba, u"/v1/sandboxes"_s, [ctx](const HttpRequest &request, HttpResponder responder) {
        const auto body = api::parseObject(request, responder);
        if (!body)
            return;
        auto parsed = CreateSandboxRequest::fromJson(*body);
        if (!parsed)
            return responder.respond(api::badRequest(parsed.error()));
        // A capability the server cannot provide is refused now rather than failing every use later.
        if (const auto &caps = parsed->capabilities; caps && caps->documents && caps->documents->libreofficeHeadless &&
                                                      !ctx.health.supports(u"documents"_s))
            return responder.respond(api::badRequest(
                u"capabilities.documents.libreofficeHeadless: this server has no LibreOffice; install the Debian "
                u"package libreoffice-writer-nogui (or set BANATA_SOFFICE) and restart banata-local"_s,
                u"CAPABILITY_UNAVAILABLE"_s));
        const auto created = ctx.sandboxes->create(*parsed);
        responder.respond(created ? api::json(201, created->toJson()) : api::error(created.error()));
    }, 256 << 10);

    http.route("GET"_ba, u"/v1/sandboxes"_s, [ctx](const HttpRequest &request, HttpResponder responder) {
        const QString id = request.queryValue(u"id"_s);
        if (!id.isEmpty()) {
            const auto sandbox = ctx.sandboxes->find(id);
            return responder.respond(sandbox ? cacheable(request, sandbox->toJson()) : api::error(sandboxNotFound()));
        }
        QString error;
        const auto query = parseListQuery(request, &error);
        if (!query)
            return responder.respond(api::badRequest(error));
        responder.respond(cacheable(request, ctx.sandboxes->list(*query).toJson()));
    });

    http.route("DELETE"_ba, u"/v1/sandboxes"_s, [ctx](const HttpRequest &request, HttpResponder responder) {
        const QString id = api::requireQueryId(request, responder);
        if (id.isEmpty())
            return;
        ctx.sandboxes->kill(id, ctx.owner, [responder](const ApiExpected<Sandbox> &r) { answer(responder, r); });
    });

    http.route("POST"_ba, u"/v1/sandboxes/pause"_s, [ctx](const HttpRequest &request, HttpResponder responder) {
        const QString id = bodyId(request, responder);
        if (id.isEmpty())
            return;
        ctx.sandboxes->pause(id, ctx.owner, [responder](const ApiExpected<Sandbox> &r) { answer(responder, r); });
    });

    http.route("POST"_ba, u"/v1/sandboxes/resume"_s, [ctx](const HttpRequest &request, HttpResponder responder) {
        const QString id = bodyId(request, responder);
        if (id.isEmpty())
            return;
        ctx.sandboxes->resume(id, ctx.owner, [responder](const ApiExpected<Sandbox> &r) { answer(responder, r); });
    });
}

} // namespace banata::server
