// SPDX-License-Identifier: MIT
// Agent tasks: prompt (waits for the agent) or promptAsync (answers queued), list and get.
#include "apiutil.h"
#include "routes.h"

#include "core/task.h"
#include "server/http/httpserver.h"
#include "server/tasks/taskservice.h"

using namespace Qt::StringLiterals;

namespace banata::server {

namespace {
// Each task may carry 2 MiB of output: lists are bounded.
constexpr int kDefaultLimit = 100;
constexpr int kMaxLimit = 1000;
} // namespace

void registerTaskRoutes(HttpServer &http, const ApiContext &ctx, TaskService *tasks)
{
    http.route("POST"_ba, u"/v1/sandboxes/opencode/prompt"_s, [ctx, tasks](const HttpRequest &request, HttpResponder responder) {
        const auto body = api::parseObject(request, responder);
        if (!body)
            return;
        auto parsed = PromptRequest::fromJson(*body);
        if (!parsed)
            return responder.respond(api::badRequest(parsed.error()));
        const auto task = tasks->submit(*parsed);
        if (!task)
            return responder.respond(api::error(task.error()));
        if (parsed->async)
            return responder.respond(api::json(202, task->toJson()));
        tasks->whenFinished(task->taskId, ctx.owner, [responder](const AgentTask &finished) mutable {
            responder.respond(api::json(200, finished.toJson()));
        });
    }, 256 << 10);

    http.route("GET"_ba, u"/v1/sandboxes/tasks"_s, [tasks](const HttpRequest &request, HttpResponder responder) {
        const QString id = api::requireQueryId(request, responder);
        if (id.isEmpty())
            return;
        const QString taskId = request.queryValue(u"taskId"_s);
        if (!taskId.isEmpty()) {
            const auto task = tasks->task(id, taskId);
            return responder.respond(task ? api::json(200, task->toJson()) : api::error(task.error()));
        }
        int limit = kDefaultLimit;
        if (const QString text = request.queryValue(u"limit"_s); !text.isEmpty()) {
            bool ok = false;
            limit = text.toInt(&ok);
            if (!ok || limit < 1 || limit > kMaxLimit)
                return responder.respond(api::badRequest(u"query.limit: must be from 1 to %1"_s.arg(kMaxLimit)));
        }
        const auto list = tasks->tasks(id, limit);
        responder.respond(list ? api::json(200, taskListToJson(*list)) : api::error(list.error()));
    });
}

} // namespace banata::server
