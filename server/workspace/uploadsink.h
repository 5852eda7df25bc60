// SPDX-License-Identifier: MIT
#pragma once

#include "fserror.h"

#include <QByteArrayView>
#include <QString>

#include <memory>

namespace banata::server {

/**
 * A streamed upload into a temporary file next to the target (".banata-upload-<random>" in the
 * same directory); commit() fsyncs and renames it over the target atomically, and destruction
 * without commit removes the temporary file. Readers see the old file or the complete new one.
 * Created by WorkspaceFs::beginUpload(). One thread at a time; after a failed write() or commit()
 * the sink is finished and only destruction remains.
 *
 * The temporary file is flock()ed while the sink lives. A server killed mid-upload cannot remove
 * it, but the lock dies with the process: removeAbandoned() at the next start tells such files
 * from uploads in flight.
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

    /// Deletes, anywhere below \a workspaceDir (never through a symlink, at most 128 levels deep),
    /// the temporary files of uploads whose server died: named like ours, unlocked, and last
    /// changed before \a changedBeforeNs (CLOCK_REALTIME_COARSE, the clock of file times; the
    /// start of the current server). Returns how many; for a worker thread, as it reads the tree.
    static int removeAbandoned(const QString &workspaceDir, qint64 changedBeforeNs);

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
