// SPDX-License-Identifier: MIT
#include "core/client/artifactjobs.h"

namespace banata {

BANATA_DEFINE_JSON_JOB(ArtifactListJob, QList<Artifact>, artifactListFromJson)
BANATA_DEFINE_JSON_JOB(ArtifactJob, Artifact, Artifact::fromJson)
BANATA_DEFINE_JSON_JOB(ArtifactUrlJob, ArtifactUrl, ArtifactUrl::fromJson)
BANATA_DEFINE_JSON_JOB(DocumentJob, DocumentConversion, DocumentConversion::fromJson)
BANATA_DEFINE_JSON_JOB(ChecksumJob, FileChecksum, FileChecksum::fromJson)

#undef BANATA_DEFINE_JSON_JOB

} // namespace banata
