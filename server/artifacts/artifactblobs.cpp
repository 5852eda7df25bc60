// SPDX-License-Identifier: MIT
#include "artifactblobs.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <QDir>
#include <QLoggingCategory>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcArtifactBlobs, "banata.server.artifacts.blobs", QtInfoMsg)

namespace banata::server {

namespace {
constexpr qsizetype kChunk = 256 << 10;
constexpr char kTempPrefix[] = "blob";

bool isBlobName(const QString &name)
{
    if (name.size() != 64)
        return false;
    return std::all_of(name.cbegin(), name.cend(),
                       [](QChar c) { return (c >= u'0' && c <= u'9') || (c >= u'a' && c <= u'f'); });
}
} // namespace

FsError artifactStoreError(int error)
{
    if (error == ENOSPC || error == EDQUOT)
        return FsError::make(FsError::Kind::NoSpace, u"No space left on the disk that keeps artifacts"_s);
    const char *description = strerrordesc_np(error);
    return FsError::make(FsError::Kind::Io,
                         u"Cannot store the artifact: "_s +
                             QString::fromUtf8(description ? description : "unknown error"));
}

BlobWriter::BlobWriter(detail::UniqueFd dirFd, detail::UniqueFd file, std::string tempName)
    : m_dirFd(std::move(dirFd))
    , m_file(std::move(file))
    , m_tempName(std::move(tempName))
{}

BlobWriter::~BlobWriter()
{
    if (!m_committed && m_dirFd.valid())
        ::unlinkat(m_dirFd.get(), m_tempName.c_str(), 0);
}

FsResult<std::unique_ptr<BlobWriter>> BlobWriter::create(const QString &dir)
{
    using Result = FsResult<std::unique_ptr<BlobWriter>>;
    if (!QDir().mkpath(dir))
        return Result::failure(artifactStoreError(EIO));
    detail::UniqueFd dirFd(detail::openTrustedDirectory(QFile::encodeName(dir).toStdString(), O_RDONLY));
    if (!dirFd.valid())
        return Result::failure(artifactStoreError(errno));
    std::string name = detail::temporaryName(kTempPrefix);
    detail::UniqueFd file(::openat(dirFd.get(), name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (!file.valid())
        return Result::failure(artifactStoreError(errno));
    return std::unique_ptr<BlobWriter>(new BlobWriter(std::move(dirFd), std::move(file), std::move(name)));
}

FsResult<bool> BlobWriter::write(QByteArrayView chunk)
{
    if (const int error = detail::writeAll(m_file.get(), chunk.data(), size_t(chunk.size())))
        return FsResult<bool>::failure(artifactStoreError(error));
    m_hash.addData(chunk);
    m_size += chunk.size();
    return true;
}

FsResult<BlobInfo> BlobWriter::commit()
{
    // fsync before rename and of the directory after it: a blob the database names survives a
    // crash complete, never as a prefix.
    if (::fchmod(m_file.get(), 0400) < 0 || ::fsync(m_file.get()) < 0)
        return FsResult<BlobInfo>::failure(artifactStoreError(errno));
    m_file.reset();
    BlobInfo info{m_hash.hexResult(), m_size};
    const QByteArray finalName = info.sha256.toLatin1();
    if (::renameat(m_dirFd.get(), m_tempName.c_str(), m_dirFd.get(), finalName.constData()) < 0)
        return FsResult<BlobInfo>::failure(artifactStoreError(errno));
    m_committed = true;
    ::fsync(m_dirFd.get());
    return info;
}

FsResult<qint64> pumpFile(int fd, const QString &sandboxPath,
                          const std::function<FsResult<bool>(QByteArrayView)> &sink)
{
    QByteArray buffer(kChunk, Qt::Uninitialized);
    qint64 total = 0;
    for (;;) {
        const ssize_t n = ::read(fd, buffer.data(), size_t(buffer.size()));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return FsResult<qint64>::failure(FsError::fromErrno(errno, sandboxPath));
        if (n == 0)
            return total;
        if (auto written = sink(QByteArrayView(buffer.constData(), n)); !written)
            return FsResult<qint64>::failure(written.error());
        total += n;
    }
}

std::unique_ptr<QFile> openBlob(const QString &dir, const QString &sha256)
{
    if (!isBlobName(sha256))
        return nullptr;
    auto file = std::make_unique<QFile>(dir + u'/' + sha256);
    if (!file->open(QIODevice::ReadOnly)) {
        qCWarning(lcArtifactBlobs) << "cannot open artifact blob" << file->fileName() << file->errorString();
        return nullptr;
    }
    return file;
}

void removeBlob(const QString &dir, const QString &sha256)
{
    if (isBlobName(sha256))
        QFile::remove(dir + u'/' + sha256);
}

int sweepBlobs(const QString &artifactsDir, const QSet<QString> &referenced)
{
    int removed = 0;
    const QDir root(artifactsDir);
    const QStringList sandboxes = root.entryList(QDir::Dirs | QDir::NoDotAndDotDot | QDir::Hidden);
    for (const QString &sandboxId : sandboxes) {
        QDir dir(root.filePath(sandboxId));
        const QStringList files = dir.entryList(QDir::Files | QDir::Hidden | QDir::System);
        for (const QString &name : files) {
            const bool leftover = name.startsWith(u".banata-"_s);
            if ((leftover || (isBlobName(name) && !referenced.contains(sandboxId + u'/' + name))) &&
                dir.remove(name))
                ++removed;
        }
        root.rmdir(sandboxId); // only when nothing is left
    }
    return removed;
}

} // namespace banata::server
