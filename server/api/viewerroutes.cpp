// SPDX-License-Identifier: MIT
// The viewer: a short-lived URL (Bearer-authorised), the page it opens and the page's socket
// (both authorised by the signed token in their URL; the guard lets /v1/viewer* through).
#include "apiutil.h"
#include "routes.h"

#include "server/browser/browserservice.h"
#include "server/browser/viewersession.h"
#include "server/browser/viewertokens.h"
#include "server/http/httpserver.h"
#include "server/sandboxmanager.h"

#include <QDateTime>
#include <QFile>
#include <QUrlQuery>

using namespace Qt::StringLiterals;

namespace banata::server {

namespace {
constexpr qint64 kDefaultTtlMs = 5 * 60'000;
constexpr qint64 kMaxTtlMs = 60 * 60'000;

HttpResponse asset(const QString &name, const QByteArray &contentType)
{
    QFile file(u":/viewer/"_s + name);
    if (!file.open(QIODevice::ReadOnly))
        return HttpResponse::error(500, u"viewer asset %1 is missing from this build"_s.arg(name), u"INTERNAL"_s);
    HttpResponse response = HttpResponse::bytes(200, file.readAll(), contentType);
    // The page may load only its own script and style and talk only to this server.
    response.setHeader("Content-Security-Policy"_ba,
                       "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:; "
                       "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"_ba);
    response.setHeader("X-Content-Type-Options"_ba, "nosniff"_ba);
    response.setHeader("Referrer-Policy"_ba, "no-referrer"_ba); // the token is in the URL
    response.setHeader("Cache-Control"_ba, "no-store"_ba);
    return response;
}

/// The sandbox of a valid token whose browser runs, or the refusal.
Expected<QString, HttpResponse> authorise(const ApiContext &ctx, const HttpRequest &request)
{
    const auto id = ctx.browser->viewerTokens().verify(request.queryValue(u"token"_s), QDateTime::currentMSecsSinceEpoch());
    if (!id)
        return Expected<QString, HttpResponse>::failure(
            HttpResponse::error(401, u"Invalid or expired viewer token; fetch a new viewer URL"_s, u"UNAUTHORIZED"_s));
    if (ctx.browser->browserEndpoint(*id).isEmpty())
        return Expected<QString, HttpResponse>::failure(HttpResponse::error(
            409, u"The browser is not running; start it with preview/start"_s, u"BROWSER_NOT_RUNNING"_s));
    return *id;
}
} // namespace

void registerViewerRoutes(HttpServer &http, const ApiContext &ctx)
{
    http.route("GET"_ba, u"/v1/sandboxes/preview/viewer"_s, [ctx](const HttpRequest &request, HttpResponder responder) {
        const QString id = api::requireQueryId(request, responder);
        if (id.isEmpty())
            return;
        if (!ctx.sandboxes->find(id))
            return responder.respond(api::error(sandboxNotFound()));
        qint64 ttl = kDefaultTtlMs;
        if (const QString text = request.queryValue(u"ttlMs"_s); !text.isEmpty()) {
            bool ok = false;
            ttl = text.toLongLong(&ok);
            if (!ok || ttl < 1 || ttl > kMaxTtlMs)
                return responder.respond(api::badRequest(u"ttlMs: from 1 to %1"_s.arg(kMaxTtlMs)));
        }
        ViewerUrl viewer;
        viewer.expiresAt = QDateTime::currentMSecsSinceEpoch() + ttl;
        QUrlQuery query;
        query.addQueryItem(u"token"_s, ctx.browser->viewerTokens().issue(id, viewer.expiresAt));
        viewer.url = ctx.baseUrl + u"/v1/viewer?"_s + query.toString(QUrl::FullyEncoded);
        responder.respond(api::json(200, viewer.toJson()));
    });

    http.route("GET"_ba, u"/v1/viewer"_s, [ctx](const HttpRequest &request, HttpResponder responder) {
        const auto id = authorise(ctx, request);
        responder.respond(id ? asset(u"index.html"_s, "text/html; charset=utf-8"_ba) : id.error());
    });
    http.route("GET"_ba, u"/v1/viewer/viewer.js"_s, [](const HttpRequest &, HttpResponder responder) {
        responder.respond(asset(u"viewer.js"_s, "text/javascript; charset=utf-8"_ba));
    });
    http.route("GET"_ba, u"/v1/viewer/viewer.css"_s, [](const HttpRequest &, HttpResponder responder) {
        responder.respond(asset(u"viewer.css"_s, "text/css; charset=utf-8"_ba));
    });

    http.webSocketRoute(
        u"/v1/viewer/socket"_s,
        [ctx](const HttpRequest &request) -> std::optional<HttpResponse> {
            const auto id = authorise(ctx, request);
            return id ? std::nullopt : std::optional(id.error());
        },
        [ctx](QWebSocket *socket, const HttpRequest &request) {
            const auto id = ctx.browser->viewerTokens().verify(request.queryValue(u"token"_s),
                                                               QDateTime::currentMSecsSinceEpoch());
            new ViewerSession(socket, id.value_or(QString()), ctx.browser, ctx.control, ctx.owner);
        });
}

} // namespace banata::server
