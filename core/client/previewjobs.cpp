// SPDX-License-Identifier: MIT
#include "core/client/previewjobs.h"

namespace banata {


BANATA_DEFINE_JSON_JOB(PreviewJob, PreviewState, PreviewState::fromJson)
BANATA_DEFINE_JSON_JOB(ViewerUrlJob, ViewerUrl, ViewerUrl::fromJson)

#undef BANATA_DEFINE_JSON_JOB

} // namespace banata
