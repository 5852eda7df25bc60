// SPDX-License-Identifier: MIT
#pragma once

#include "fserror.h"

#include <QByteArrayView>

#include <memory>

namespace banata::server {

/**
 * A streamed upload into a temporary file next to the target (".banata-upload-<random>" in the
 * same directory); commit() fsyncs and renames it over the target atomically, and destruction
 * without commit removes the temporary file. Readers see the old file or the complete new one.
 * Created by WorkspaceFs::beginUpload(). One thread at a time; after a failed write() or commit()
 * the sink is finished and only destruction remains.
 */
class UploadSink
{
public:
    virtual ~UploadSink();
    UploadSink(const UploadSink &) = delete;
    UploadSink &operator=(const UploadSink &) = delete;

    /// Appends; NoSpace on ENOSPC/quota, TooLarge past the limit given to beginUpload().
    virtual FsResult<bool> write(QByteArrayView chunk);
    /// fsync + rename over the target; returns the file's size. A symlink at the target is
    /// replaced by the file, never written through; a directory there gives IsADirectory.
    virtual FsResult<qint64> commit();

    qint64 bytesWritten() const;

protected:
    UploadSink();

private:
    friend class WorkspaceFs;
    struct State;
    explicit UploadSink(std::unique_ptr<State> state);
    FsResult<bool> fail(const FsError &error);

    std::unique_ptr<State> m_state;
};

} // namespace banata::server
