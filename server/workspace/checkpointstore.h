// SPDX-License-Identifier: MIT
#pragma once

#include "fserror.h"

#include <QString>
#include <QStringList>

#include <string>

namespace banata::server {

/**
 * Checkpoints of a sandbox's <root>/workspace and <root>/home, kept as plain trees in
 * <root>/checkpoints/<checkpointId>/{workspace,home} (reflinked where the filesystem can clone).
 * Operations on one sandbox root are serialised by a process-wide lock; different sandboxes run
 * in parallel. Nothing is ever followed through a symlink, and messages name sandbox paths only.
 *
 * The sandbox should be frozen (or at least idle) during create() and restore(): files are copied
 * one by one, so a process writing meanwhile gives a checkpoint mixing before and after, and a
 * process holding a directory open during restore() keeps seeing the old, deleted tree. Workspace
 * operations through WorkspaceFs are not locked against restore() either.
 *
 * Restore guarantees:
 *  - The checkpoint is first copied into a staging directory next to workspace/ (same
 *    filesystem) and synced; any failure there (ENOSPC...) leaves workspace/ and home/ untouched.
 *  - Then, per directory, every old entry is renamed into a trash directory and every staged
 *    entry renamed in (milliseconds even for large trees). The workspace and home directory
 *    inodes stay the same, so bind mounts into a running sandbox keep working; their own mode
 *    and mtime are set from the checkpoint.
 *  - If a rename fails, the renames done so far are undone in reverse order and the error is
 *    returned: workspace/ and home/ are as before. (If even undoing fails, which needs the
 *    filesystem to fail a rename it just did, the error says so and the server log has details.)
 *  - If the process dies during the renames, a journal file (<root>/.banata-restore-journal,
 *    fsynced at each phase) lets the next call on this sandbox (or recover()) finish the restore
 *    from the staged copy: the result is the checkpoint, never a mix.
 *  - Old entries are deleted after the swap; leftovers after a crash are deleted by the next call.
 */
class CheckpointStore
{
public:
    /// \a sandboxRoot is the host path holding workspace/ and home/ (trusted: from the server).
    explicit CheckpointStore(QString sandboxRoot);

    struct Stats
    {
        qint64 sizeBytes = 0; // apparent size of the regular files
        qint64 fileCount = 0; // entries that are not directories (files, symlinks, FIFOs)
    };

    /// Exact copy (see detail::copyTree for what "exact" covers), built in a temporary directory,
    /// synced and renamed into place: the checkpoint is complete or absent. AlreadyExists if the
    /// id is taken; InvalidPath unless the id is 1–128 of [A-Za-z0-9_-]. When the server does not
    /// run as root, a file or directory the sandbox made unreadable (chmod 000) fails the
    /// checkpoint with PermissionDenied naming it; so does nesting deeper than 128 directories (Io).
    FsResult<Stats> create(const QString &checkpointId) const;
    /// Replaces the contents of workspace/ and home/ with the checkpoint; see the guarantees above.
    FsResult<Stats> restore(const QString &checkpointId) const;
    /// NotFound if there is no such checkpoint.
    FsResult<bool> remove(const QString &checkpointId) const;
    /// Finishes a restore interrupted by a crash and deletes leftovers of interrupted operations.
    /// Every other method calls it first; call it at startup before starting the sandbox.
    FsResult<bool> recover() const;
    /// At startup, before any request: sets aside (renames to a leftover name) every checkpoint
    /// on disk that is not in \a recorded, i.e. one whose copy was renamed into place by a server
    /// killed before it stored the record. Such a checkpoint was never confirmed to anyone and
    /// could never be listed. Renames only; returns how many. removeLeftovers() deletes them.
    FsResult<int> discardUnrecorded(const QStringList &recorded) const;
    /// Deletes what interrupted operations left in checkpoints/ (partial copies, set-aside
    /// checkpoints); may take a while: for a worker thread. create() does it as well.
    void removeLeftovers() const;

    /// Deletes a host directory tree (e.g. a sandbox root); symlinks inside are removed, never
    /// followed, and \a hostDir itself is removed as a link if it is one. NotFound if absent.
    static FsResult<bool> removeTree(const QString &hostDir);

private:
    QString m_sandboxRoot;
    std::string m_sandboxRootNative;
};

} // namespace banata::server
