// SPDX-License-Identifier: MIT
// Documents: convert a workspace document to PDF with headless LibreOffice inside the sandbox.
#include "apiutil.h"
#include "core/document.h"
#include "routes.h"
#include "server/documents/documentservice.h"
#include "server/http/httpserver.h"

using namespace Qt::StringLiterals;

namespace banata::server {

void registerDocumentRoutes(HttpServer &http, const ApiContext &ctx)
{
    http.route("POST"_ba, u"/v1/sandboxes/documents/convert"_s,
               [ctx](const HttpRequest &request, HttpResponder responder) {
                   const auto body = api::parseObject(request, responder);
                   if (!body)
                       return;
                   const auto parsed = ConvertDocumentRequest::fromJson(*body);
                   if (!parsed)
                       return responder.respond(api::badRequest(parsed.error()));
                   ctx.documents->convert(
                       *parsed, [responder](const Expected<DocumentConversion, ApiError> &result) mutable {
                           responder.respond(result ? api::json(200, result->toJson())
                                                    : api::error(result.error()));
                       });
               });
}

} // namespace banata::server
