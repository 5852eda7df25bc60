// SPDX-License-Identifier: MIT
#include "core/client/previewjobs.h"

namespace banata {

// As in apijobs.cpp: forward the constructor, parse with the wire type's reader, emit errors.
#define BANATA_DEFINE_JSON_JOB(Job, Type, parse)                                                  \
    Job::Job(ApiEndpoint endpoint, ApiRequest request)                                            \
        : JsonJob(std::move(endpoint), std::move(request))                                        \
    {}                                                                                            \
    void Job::deliver(const Json &json) { emitParsed<Type>(this, parse(json)); }                  \
    void Job::fail(const ApiError &error) { Q_EMIT finished(ApiResult<Type>::failure(error)); }

BANATA_DEFINE_JSON_JOB(PreviewJob, PreviewState, PreviewState::fromJson)
BANATA_DEFINE_JSON_JOB(ViewerUrlJob, ViewerUrl, ViewerUrl::fromJson)

#undef BANATA_DEFINE_JSON_JOB

} // namespace banata
