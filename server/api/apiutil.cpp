// SPDX-License-Identifier: MIT
#include "apiutil.h"

#include "server/workspace/fserror.h"

using namespace Qt::StringLiterals;

namespace banata::server::api {

HttpResponse json(int status, const Json &body)
{
    return HttpResponse::json(status, dumpJson(body));
}

HttpResponse error(const ApiError &error)
{
    HttpResponse response = HttpResponse::error(error.httpStatus ? error.httpStatus : 500, error.message, error.code);
    if (error.retryAfterSeconds)
        response.setHeader("Retry-After"_ba, QByteArray::number(*error.retryAfterSeconds));
    return response;
}

HttpResponse badRequest(const QString &message, const QString &code)
{
    return HttpResponse::error(400, message, code);
}

HttpResponse fsError(const FsError &error)
{
    return HttpResponse::error(httpStatusFor(error.kind), error.message, errorCodeFor(error.kind));
}

std::optional<Json> parseObject(const HttpRequest &request, HttpResponder &responder)
{
    auto parsed = parseJson(request.body);
    if (!parsed) {
        responder.respond(badRequest(u"Malformed JSON body"_s, u"INVALID_JSON"_s));
        return std::nullopt;
    }
    if (!parsed->is_object()) {
        responder.respond(badRequest(u"The request body must be a JSON object"_s, u"INVALID_JSON"_s));
        return std::nullopt;
    }
    return std::move(parsed).value();
}

QString requireQueryId(const HttpRequest &request, HttpResponder &responder)
{
    const QString id = request.queryValue(u"id"_s);
    if (id.isEmpty())
        responder.respond(badRequest(u"Missing required query parameter: id"_s));
    return id;
}

} // namespace banata::server::api
