// SPDX-License-Identifier: MIT
#pragma once

#include "core/apierror.h"
#include "core/json.h"
#include "server/http/httprequest.h"
#include "server/http/httpresponder.h"
#include "server/http/httpresponse.h"

namespace banata::server {

struct FsError;

/// Small helpers shared by the route files: Banata-shaped responses and request parsing.
namespace api {

HttpResponse json(int status, const banata::Json &body);
HttpResponse error(const banata::ApiError &error);
HttpResponse badRequest(const QString &message, const QString &code = QStringLiteral("INVALID_REQUEST"));
HttpResponse fsError(const FsError &error);

/// Parses the body as a JSON object; on failure responds 400 and returns nullopt.
std::optional<banata::Json> parseObject(const HttpRequest &request, HttpResponder &responder);
/// The sandbox id from `?id=` (GET/DELETE); on failure responds 400 and returns an empty string.
QString requireQueryId(const HttpRequest &request, HttpResponder &responder);

} // namespace api
} // namespace banata::server
