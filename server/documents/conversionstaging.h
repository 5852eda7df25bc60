// SPDX-License-Identifier: MIT
#pragma once

#include <memory>

#include <QByteArrayView>
#include <QString>

#include "server/workspace/fdutil.h"
#include "server/workspace/fserror.h"

namespace banata::server {

/**
 * One conversion's private directory in the sandbox's /tmp (`<root>/tmp` on the host, bound at
 * /tmp inside): `/tmp/banata-convert-<random>/{in,out,profile}`, so nothing but the result ever
 * appears in /workspace. The sandbox's processes run as the server's user and may tamper with
 * it meanwhile, so the host side works only through descriptors it opened itself and never
 * follows a symlink there. Worker threads; one at a time.
 */
class ConversionStaging final
{
public:
    /// \a hostTmpDir is the sandbox's `<root>/tmp` (trusted: from the server).
    static FsResult<std::unique_ptr<ConversionStaging>> create(const QString &hostTmpDir);
    /// Removes the directory if remove() has not.
    ~ConversionStaging();
    Q_DISABLE_COPY_MOVE(ConversionStaging)

    /// The directory as the sandbox sees it, e.g. "/tmp/banata-convert-1f3a9c0d8e7b6a54".
    QString insideDir() const;

    /// Creates in/<name> with \a bytes (a new file, never through a symlink).
    FsResult<bool> writeInput(const QString &name, QByteArrayView bytes);
    /// Creates in/<name> with everything readable from \a fd (read errors name \a sandboxPath).
    FsResult<qint64> copyInput(const QString &name, int fd, const QString &sandboxPath);
    /// Opens out/<name> for reading: a regular file reached without following any symlink.
    /// NotFound when the converter wrote nothing there.
    FsResult<detail::UniqueFd> openOutput(const QString &name) const;
    /// Deletes the directory and everything in it (without following symlinks).
    void remove();

private:
    ConversionStaging(detail::UniqueFd tmpFd, detail::UniqueFd dirFd, std::string name);
    FsResult<detail::UniqueFd> createInput(const QString &name);

    detail::UniqueFd m_tmpFd;
    detail::UniqueFd m_dirFd;
    std::string m_name;
    bool m_removed = false;
};

} // namespace banata::server
