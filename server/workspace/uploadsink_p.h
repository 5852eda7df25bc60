// SPDX-License-Identifier: MIT
#pragma once

// Internal: what an UploadSink holds, filled in by WorkspaceFs::beginUpload().

#include "fdutil.h"
#include "uploadsink.h"

#include <QString>

#include <string>

#include <sys/types.h>

namespace banata::server {

struct UploadSink::State
{
    detail::UniqueFd parent; // the target's directory, resolved beneath the workspace
    std::string leaf;        // the target's name in parent
    std::string tempName;    // ".banata-upload-<random>" in parent
    detail::UniqueFd file;   // open on tempName
    mode_t mode = 0644;      // applied at commit
    QString sandboxPath;     // for messages
    qint64 maxBytes = -1;
    qint64 written = 0;
    bool tempExists = true;
    bool finished = false;
};

} // namespace banata::server
