// SPDX-License-Identifier: MIT
#include "core/client/webhookjobs.h"

using namespace Qt::StringLiterals;

namespace banata {

namespace {
Parsed<bool> okFromJson(const Json &json)
{
    JsonReader r(json, u"response"_s);
    const bool ok = r.requiredBool("ok");
    if (!r.ok())
        return Parsed<bool>::failure(r.error());
    return ok;
}
} // namespace

// Each job: forward the constructor, parse with the wire type's reader, emit errors.
#define BANATA_DEFINE_WEBHOOK_JOB(Job, Type, parse)                                               \
    Job::Job(ApiEndpoint endpoint, ApiRequest request)                                            \
        : JsonJob(std::move(endpoint), std::move(request))                                        \
    {}                                                                                            \
    void Job::deliver(const Json &json) { emitParsed<Type>(this, parse(json)); }                  \
    void Job::fail(const ApiError &error) { Q_EMIT finished(ApiResult<Type>::failure(error)); }

BANATA_DEFINE_WEBHOOK_JOB(WebhookJob, Webhook, Webhook::fromJson)
BANATA_DEFINE_WEBHOOK_JOB(WebhookListJob, QList<Webhook>, webhookListFromJson)
BANATA_DEFINE_WEBHOOK_JOB(WebhookDeleteJob, bool, okFromJson)
BANATA_DEFINE_WEBHOOK_JOB(WebhookDeliveryListJob, QList<WebhookDelivery>, webhookDeliveryListFromJson)

#undef BANATA_DEFINE_WEBHOOK_JOB

} // namespace banata
