// SPDX-License-Identifier: MIT
#pragma once

// Internal: a workspace folder as a zip, and the manifest that identifies a state of its tree.

#include <ctime>
#include <string>
#include <vector>

#include <QByteArray>
#include <QString>

#include "fserror.h"

namespace banata::server::detail {

/// One entry of a folder as the archive records it.
struct TreeEntry
{
    enum class Type : char
    {
        Directory = 'd',
        File = 'f',
        Symlink = 'l'
    };

    Type type = Type::File;
    std::string path; // relative to the folder, '/'-separated, raw bytes; "" for the folder itself
    qint64 size = 0;  // regular files
    timespec mtime{};
    unsigned mode = 0;    // permission bits
    std::string target;   // symlinks, raw bytes
    bool changed = false; // the file changed while it was archived (see writeTreeZip)
};

/// A folder's entries in a fixed order (depth first, names in byte order).
struct TreeManifest
{
    std::string topName; // the top directory inside the archive
    std::vector<TreeEntry> entries;
    qint64 totalBytes = 0; // sum of the regular files' sizes

    /// 32 hex digits over every field of every entry, the top name and the archive format's
    /// version: equal keys mean the same tree gives the same archive.
    QByteArray key() const;
};

/// Lists the tree under \a dirFd (an O_RDONLY directory fd) with lstat semantics: symlinks are
/// recorded with their targets and never followed, FIFOs, sockets and devices are left out,
/// entries vanishing meanwhile are skipped. \a shown is the folder's sandbox path, for messages.
FsResult<TreeManifest> scanTree(int dirFd, const QString &shown, std::string topName);

/// What writeTreeZip() wrote.
struct ZipOutcome
{
    TreeManifest archived; // the tree as it was read; its key() names the archive
    QString sha256;        // of the zip's bytes, lowercase hex
    qint64 size = 0;       // of the zip
};

/**
 * Writes the tree under \a dirFd as a zip (zip64 where sizes need it) to \a outFd, every entry
 * below a top directory called \a topName. Files are streamed in 1 MiB blocks; symlinks are
 * stored as links; names that are not valid UTF-8 get U+FFFD per invalid byte. The manifest it
 * returns is the tree as actually read: a file that changed while read (size, times or inode)
 * is marked changed, so that manifest matches no later scan and the archive is never served as
 * another tree state. NoSpace when the disk holding \a outFd is full.
 */
FsResult<ZipOutcome> writeTreeZip(int dirFd, const QString &shown, std::string topName, int outFd);

} // namespace banata::server::detail
