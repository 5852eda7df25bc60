// SPDX-License-Identifier: MIT
#include "conversionstaging.h"

#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <QFile>
#include <QLoggingCategory>

#include "server/artifacts/artifactblobs.h"
#include "server/workspace/treeremove.h"

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcStaging, "banata.server.documents.staging", QtInfoMsg)

namespace banata::server {

namespace {
FsError stagingError(int error)
{
    if (error == ENOSPC || error == EDQUOT)
        return FsError::make(FsError::Kind::NoSpace,
                             u"No space left in the sandbox's /tmp for the conversion"_s);
    return FsError::make(FsError::Kind::Io, u"Cannot prepare the conversion in the sandbox's /tmp: "_s +
                                                QString::fromUtf8(strerrordesc_np(error)));
}

/// Opens subdirectory \a name of \a dirFd, refusing a symlink put in its place.
detail::UniqueFd openSubdirectory(int dirFd, const char *name)
{
    return detail::UniqueFd(::openat(dirFd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
}
} // namespace

ConversionStaging::ConversionStaging(detail::UniqueFd tmpFd, detail::UniqueFd dirFd, std::string name)
    : m_tmpFd(std::move(tmpFd))
    , m_dirFd(std::move(dirFd))
    , m_name(std::move(name))
{}

ConversionStaging::~ConversionStaging()
{
    remove();
}

FsResult<std::unique_ptr<ConversionStaging>> ConversionStaging::create(const QString &hostTmpDir)
{
    using Result = FsResult<std::unique_ptr<ConversionStaging>>;
    detail::UniqueFd tmpFd(
        detail::openTrustedDirectory(QFile::encodeName(hostTmpDir).toStdString(), O_RDONLY));
    if (!tmpFd.valid())
        return Result::failure(stagingError(errno));
    // temporaryName() gives ".banata-convert-<hex>"; visible, so a curious user sees what it is.
    std::string name = detail::temporaryName("convert").substr(1);
    // mkdirat never follows a symlink at the name: a pre-planted one makes it fail (EEXIST).
    if (::mkdirat(tmpFd.get(), name.c_str(), 0700) < 0)
        return Result::failure(stagingError(errno));
    detail::UniqueFd dirFd = openSubdirectory(tmpFd.get(), name.c_str());
    if (!dirFd.valid())
        return Result::failure(stagingError(errno));
    std::unique_ptr<ConversionStaging> staging(
        new ConversionStaging(std::move(tmpFd), std::move(dirFd), std::move(name)));
    for (const char *sub : {"in", "out", "profile"}) {
        if (::mkdirat(staging->m_dirFd.get(), sub, 0700) < 0)
            return Result::failure(stagingError(errno));
    }
    return staging;
}

QString ConversionStaging::insideDir() const
{
    return u"/tmp/"_s + QString::fromStdString(m_name);
}

FsResult<detail::UniqueFd> ConversionStaging::createInput(const QString &name)
{
    using Result = FsResult<detail::UniqueFd>;
    const detail::UniqueFd in = openSubdirectory(m_dirFd.get(), "in");
    if (!in.valid())
        return Result::failure(stagingError(errno));
    // O_EXCL: never opens what someone else put there, symlink or file.
    detail::UniqueFd file(::openat(in.get(), QFile::encodeName(name).constData(),
                                   O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!file.valid())
        return Result::failure(stagingError(errno));
    return file;
}

FsResult<bool> ConversionStaging::writeInput(const QString &name, QByteArrayView bytes)
{
    auto file = createInput(name);
    if (!file)
        return FsResult<bool>::failure(file.error());
    if (const int error = detail::writeAll(file.value().get(), bytes.data(), size_t(bytes.size())))
        return FsResult<bool>::failure(stagingError(error));
    return true;
}

FsResult<qint64> ConversionStaging::copyInput(const QString &name, int fd, const QString &sandboxPath)
{
    auto file = createInput(name);
    if (!file)
        return FsResult<qint64>::failure(file.error());
    const int target = file.value().get();
    return pumpFile(fd, sandboxPath, [target](QByteArrayView chunk) -> FsResult<bool> {
        if (const int error = detail::writeAll(target, chunk.data(), size_t(chunk.size())))
            return FsResult<bool>::failure(stagingError(error));
        return true;
    });
}

FsResult<detail::UniqueFd> ConversionStaging::openOutput(const QString &name) const
{
    using Result = FsResult<detail::UniqueFd>;
    const auto missing = [] {
        return Result::failure(FsError::make(FsError::Kind::NotFound, u"The converter wrote no PDF"_s));
    };
    const detail::UniqueFd out = openSubdirectory(m_dirFd.get(), "out");
    if (!out.valid())
        return missing();
    // O_NONBLOCK: a FIFO put there cannot hang a worker; it is refused below anyway.
    detail::UniqueFd file(::openat(out.get(), QFile::encodeName(name).constData(),
                                   O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    struct stat st = {};
    if (!file.valid() || ::fstat(file.get(), &st) < 0 || !S_ISREG(st.st_mode))
        return missing();
    const int flags = ::fcntl(file.get(), F_GETFL);
    ::fcntl(file.get(), F_SETFL, flags & ~O_NONBLOCK);
    return file;
}

void ConversionStaging::remove()
{
    if (m_removed || !m_tmpFd.valid())
        return;
    m_removed = true;
    m_dirFd.reset();
    if (const int error = detail::removeEntryAt(m_tmpFd.get(), m_name.c_str()); error && error != ENOENT)
        qCWarning(lcStaging) << "cannot remove the conversion directory" << m_name.c_str()
                             << strerrordesc_np(error);
}

} // namespace banata::server
