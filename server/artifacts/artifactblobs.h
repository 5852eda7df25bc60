// SPDX-License-Identifier: MIT
#pragma once

#include <functional>
#include <memory>

#include <QByteArrayView>
#include <QFile>
#include <QSet>
#include <QString>

#include "core/sha256.h"
#include "server/workspace/fdutil.h"
#include "server/workspace/fserror.h"

namespace banata::server {

/// The bytes of one artifact as kept: `<artifacts dir>/<sandbox id>/<sha256>`.
struct BlobInfo
{
    QString sha256; // lowercase hex
    qint64 size = 0;
};

/**
 * Writes one artifact's content into a sandbox's artifact directory, hashing it on the way: a
 * temporary file (".banata-blob-<random>") that commit() fsyncs and renames to its SHA-256, so a
 * blob is always complete and named by its content. Destruction without commit removes the
 * temporary file. Runs on a worker thread; one thread at a time.
 */
class BlobWriter final
{
public:
    /// \a dir is trusted (from the server) and created when missing.
    static FsResult<std::unique_ptr<BlobWriter>> create(const QString &dir);
    ~BlobWriter();
    Q_DISABLE_COPY_MOVE(BlobWriter)

    FsResult<bool> write(QByteArrayView chunk);
    FsResult<BlobInfo> commit();

private:
    BlobWriter(detail::UniqueFd dirFd, detail::UniqueFd file, std::string tempName);

    detail::UniqueFd m_dirFd;
    detail::UniqueFd m_file;
    std::string m_tempName;
    banata::Sha256 m_hash;
    qint64 m_size = 0;
    bool m_committed = false;
};

/// The error for a failure of the artifact store itself (never names a host path).
FsError artifactStoreError(int error);

/// Reads \a fd to its end in chunks and hands each to \a sink; returns the byte count. Read
/// errors are reported against \a sandboxPath.
FsResult<qint64> pumpFile(int fd, const QString &sandboxPath,
                          const std::function<FsResult<bool>(QByteArrayView)> &sink);

/// Opens a kept blob for reading; nullptr when it is missing.
std::unique_ptr<QFile> openBlob(const QString &dir, const QString &sha256);
/// Removes one blob (no error when it is already gone).
void removeBlob(const QString &dir, const QString &sha256);
/// Removes, under \a artifactsDir, every blob that \a referenced ("<sandbox id>/<sha256>") does
/// not name, and temporary files a crash left behind; returns how many files went.
int sweepBlobs(const QString &artifactsDir, const QSet<QString> &referenced);

} // namespace banata::server
