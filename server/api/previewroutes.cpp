// SPDX-License-Identifier: MIT
// The browser preview (banata-api.md §3.3): state, start, navigate, resize, and the CDP proxy.
#include "apiutil.h"
#include "routes.h"

#include "server/browser/browserservice.h"
#include "server/browser/cdpproxy.h"
#include "server/http/httpserver.h"
#include "server/sandboxmanager.h"

#include <QUrl>

using namespace Qt::StringLiterals;

namespace banata::server {

namespace {
constexpr int kMinWidth = 200, kMaxWidth = 3840, kMinHeight = 200, kMaxHeight = 2160;

void answer(HttpResponder &responder, const Expected<PreviewState, ApiError> &result)
{
    responder.respond(result ? api::json(200, result->toJson()) : api::error(result.error()));
}

/// The sandbox id of a body `{id, ...}`; responds 400 (or 404) itself and returns empty.
QString bodyId(const ApiContext &ctx, const Json &body, HttpResponder &responder)
{
    JsonReader r(body, u"body"_s);
    const QString id = r.requiredString("id");
    if (!r.ok() || id.isEmpty()) {
        responder.respond(api::badRequest(r.ok() ? u"body.id: empty"_s : r.error()));
        return {};
    }
    if (!ctx.sandboxes->find(id)) {
        responder.respond(api::error(sandboxNotFound()));
        return {};
    }
    return id;
}

/// Where the browser may be sent: web pages and files of the sandbox itself. javascript: would
/// run script in whatever page is open; other schemes (chrome:, data:, view-source:) are refused.
std::optional<QUrl> navigableUrl(const QString &text, QString *error)
{
    const QUrl url(text, QUrl::StrictMode);
    const QString scheme = url.scheme().toLower();
    if (!url.isValid() || text.size() > 8192) {
        *error = u"body.url: not a valid URL"_s;
        return std::nullopt;
    }
    if ((scheme == u"http" || scheme == u"https") && !url.host().isEmpty())
        return url;
    if (scheme == u"file" && url.path().startsWith(u'/'))
        return url;
    if (scheme == u"about" && url.path() == u"blank")
        return url;
    *error = u"body.url: must be an http(s) URL with a host, a file:/// path or about:blank"_s;
    return std::nullopt;
}
} // namespace

void registerPreviewRoutes(HttpServer &http, const ApiContext &ctx)
{
    http.route("GET"_ba, u"/v1/sandboxes/preview"_s, [ctx](const HttpRequest &request, HttpResponder responder) {
        const QString id = api::requireQueryId(request, responder);
        if (id.isEmpty())
            return;
        if (!ctx.sandboxes->find(id))
            return responder.respond(api::error(sandboxNotFound()));
        responder.respond(api::json(200, ctx.browser->state(id).toJson()));
    });

    http.route("POST"_ba, u"/v1/sandboxes/preview/start"_s, [ctx](const HttpRequest &request, HttpResponder responder) {
        const auto body = api::parseObject(request, responder);
        const QString id = body ? bodyId(ctx, *body, responder) : QString();
        if (id.isEmpty())
            return;
        ctx.browser->start(id, ctx.owner, [responder](const auto &result) mutable { answer(responder, result); });
    });

    http.route("POST"_ba, u"/v1/sandboxes/preview/navigate"_s, [ctx](const HttpRequest &request, HttpResponder responder) {
        const auto body = api::parseObject(request, responder);
        const QString id = body ? bodyId(ctx, *body, responder) : QString();
        if (id.isEmpty())
            return;
        JsonReader r(*body, u"body"_s);
        const QString text = r.requiredString("url");
        if (!r.ok())
            return responder.respond(api::badRequest(r.error()));
        QString error;
        const auto url = navigableUrl(text, &error);
        if (!url)
            return responder.respond(api::badRequest(error));
        ctx.browser->navigate(id, *url, ctx.owner, [responder](const auto &result) mutable { answer(responder, result); });
    });

    http.route("POST"_ba, u"/v1/sandboxes/preview/resize"_s, [ctx](const HttpRequest &request, HttpResponder responder) {
        const auto body = api::parseObject(request, responder);
        const QString id = body ? bodyId(ctx, *body, responder) : QString();
        if (id.isEmpty())
            return;
        JsonReader r(*body, u"body"_s);
        const qint64 width = r.requiredInt("width");
        const qint64 height = r.requiredInt("height");
        if (!r.ok())
            return responder.respond(api::badRequest(r.error()));
        if (width < kMinWidth || width > kMaxWidth || height < kMinHeight || height > kMaxHeight)
            return responder.respond(api::badRequest(u"body.width/height: from %1×%2 to %3×%4"_s.arg(kMinWidth)
                                                         .arg(kMinHeight)
                                                         .arg(kMaxWidth)
                                                         .arg(kMaxHeight)));
        ctx.browser->resize(id, int(width), int(height), ctx.owner,
                            [responder](const auto &result) mutable { answer(responder, result); });
    });

    // The CDP proxy: authorised by the guard like every route (Authorization: Bearer <API key>;
    // playwright's connectOverCDP and puppeteer.connect both send headers).
    http.webSocketRoute(
        u"/v1/sandboxes/cdp"_s,
        [ctx](const HttpRequest &request) -> std::optional<HttpResponse> {
            const QString id = request.queryValue(u"id"_s);
            if (id.isEmpty())
                return api::badRequest(u"Missing required query parameter: id"_s);
            if (!ctx.sandboxes->find(id))
                return api::error(sandboxNotFound());
            if (ctx.browser->browserEndpoint(id).isEmpty())
                return api::error({ApiError::Kind::Http, 409, u"The browser is not running; start it with preview/start"_s,
                                   u"BROWSER_NOT_RUNNING"_s, {}});
            return std::nullopt;
        },
        [ctx](QWebSocket *socket, const HttpRequest &request) {
            const QString id = request.queryValue(u"id"_s);
            new CdpProxy(socket, ctx.browser->browserEndpoint(id), id, ctx.control, ctx.events, ctx.owner);
        });
}

} // namespace banata::server
