// SPDX-License-Identifier: MIT
#pragma once

#include <QElapsedTimer>
#include <QFile>
#include <QPointer>

#include "core/client/transferjobs.h"
#include "session/filessession.h"

namespace banata {

/// One running upload: the local file streamed and the job streaming it.
struct FilesSession::UploadTask
{
    QFile file;
    QPointer<UploadJob> job;
    QElapsedTimer sinceProgress;

    ~UploadTask() { delete job.data(); } // the job goes before the file it reads
};

} // namespace banata
