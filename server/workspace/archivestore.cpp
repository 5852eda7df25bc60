// SPDX-License-Identifier: MIT
#include "archivestore.h"

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <optional>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QSaveFile>

#include "beneath.h"
#include "core/json.h"
#include "fdutil.h"
#include "sandboxpath.h"
#include "server/async.h"
#include "treearchive.h"

Q_LOGGING_CATEGORY(lcArchiveStore, "banata.server.workspace.archives", QtInfoMsg)

using namespace Qt::StringLiterals;

namespace banata::server {

namespace {

using detail::UniqueFd;

constexpr int kCleanupIntervalMs = 60 * 60 * 1000;
const QString kBuildPrefix = u".build-"_s;

/// The folder to archive, opened beneath the workspace.
struct Folder
{
    UniqueFd fd;
    QString shown;
    std::string topName;
};

FsResult<Folder> openFolder(const QString &workspaceDir, const QString &sandboxPath)
{
    auto relative = normalizeSandboxPath(sandboxPath);
    if (!relative)
        return FsResult<Folder>::failure(relative.error());
    Folder folder;
    folder.shown = sandboxPathFor(*relative);
    const UniqueFd root(detail::openTrustedDirectory(QFile::encodeName(workspaceDir).toStdString(), O_PATH));
    if (!root.valid())
        return FsResult<Folder>::failure(
            FsError::make(FsError::Kind::Io, u"The sandbox's workspace is not available"_s));
    const QByteArray native = relative->isEmpty() ? QByteArrayLiteral(".") : relative->toUtf8();
    folder.fd.reset(detail::openBeneath(root.get(), native.constData(), O_RDONLY | O_DIRECTORY));
    if (!folder.fd.valid())
        return FsResult<Folder>::failure(FsError::fromErrno(-folder.fd.get(), folder.shown));
    folder.topName =
        relative->isEmpty() ? std::string("workspace") : relative->section(u'/', -1).toStdString();
    return folder;
}

QString sidecarPath(const QString &sandboxDir, const QString &key)
{
    return sandboxDir + u'/' + key + u".json"_s;
}

QString zipPath(const QString &sandboxDir, const QString &key)
{
    return sandboxDir + u'/' + key + u".zip"_s;
}

void touch(const QString &path)
{
    // Expiry counts from the last use: an archive someone is resuming stays.
    ::utimensat(AT_FDCWD, QFile::encodeName(path).constData(), nullptr, 0);
}

/// The archive staged for \a key, if it is complete (a sidecar and a zip of the size it names).
std::optional<ArchiveFile> openStaged(const QString &sandboxDir, const QString &key)
{
    QFile sidecar(sidecarPath(sandboxDir, key));
    if (!sidecar.open(QIODevice::ReadOnly))
        return std::nullopt;
    const auto json = parseJson(sidecar.read(64 * 1024));
    if (!json || !json->is_object())
        return std::nullopt;
    JsonReader reader(*json, u"archive"_s);
    ArchiveFile file;
    file.filePath = zipPath(sandboxDir, key);
    file.sha256 = reader.requiredString("sha256");
    file.size = reader.requiredInt("size");
    file.name = reader.requiredString("name");
    file.mtimeMs = reader.requiredInt("mtimeMs");
    if (!reader.ok() || QFileInfo(file.filePath).size() != file.size)
        return std::nullopt;
    file.etag = '"' + key.toLatin1() + '-' + file.sha256.left(16).toLatin1() + '"';
    touch(file.filePath);
    touch(sidecar.fileName());
    return file;
}

/// What the scan found: the tree's key, and the archive when it is already staged.
struct Located
{
    QString key;
    std::optional<ArchiveFile> staged;
};

FsResult<Located> locate(const QString &sandboxDir, const QString &workspaceDir, const QString &sandboxPath)
{
    auto folder = openFolder(workspaceDir, sandboxPath);
    if (!folder)
        return FsResult<Located>::failure(folder.error());
    auto manifest = detail::scanTree(folder->fd.get(), folder->shown, folder->topName);
    if (!manifest)
        return FsResult<Located>::failure(manifest.error());
    Located located;
    located.key = QString::fromLatin1(manifest->key());
    located.staged = openStaged(sandboxDir, located.key);
    return located;
}

qint64 newestMtimeMs(const detail::TreeManifest &manifest)
{
    qint64 newest = 0;
    for (const detail::TreeEntry &entry : manifest.entries)
        newest = std::max(newest, qint64(entry.mtime.tv_sec) * 1000 + entry.mtime.tv_nsec / 1000000);
    return newest;
}

/// Runs on the build pool: writes the zip under a temporary name, then its sidecar, then renames
/// it into place, so a staged zip is always complete.
FsResult<ArchiveFile> buildArchive(const QString &sandboxDir, const QString &workspaceDir,
                                   const QString &sandboxPath, const QString &scanKey)
{
    if (auto staged = openStaged(sandboxDir, scanKey))
        return *staged; // a build that finished between our scan and now
    auto folder = openFolder(workspaceDir, sandboxPath);
    if (!folder)
        return FsResult<ArchiveFile>::failure(folder.error());
    const auto ioFailure = [](const char *what) {
        const int error = errno;
        qCWarning(lcArchiveStore) << "archive staging failed:" << what << strerrordesc_np(error);
        const bool full = error == ENOSPC || error == EDQUOT;
        return FsResult<ArchiveFile>::failure(
            full ? FsError::make(FsError::Kind::NoSpace,
                                 u"No space left on the server's disk for the archive"_s)
                 : FsError::make(FsError::Kind::Io, u"Cannot stage the archive"_s));
    };
    if (!QDir().mkpath(sandboxDir))
        return ioFailure("mkdir");
    const QString tempPath = sandboxDir + u'/' + kBuildPrefix +
                             QString::fromStdString(detail::temporaryName("archive")) + u".zip"_s;
    const QByteArray nativeTemp = QFile::encodeName(tempPath);
    UniqueFd out(::open(nativeTemp.constData(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (!out.valid())
        return ioFailure("create");
    auto zip = detail::writeTreeZip(folder->fd.get(), folder->shown, folder->topName, out.get());
    out.reset();
    if (!zip) {
        ::unlink(nativeTemp.constData());
        return FsResult<ArchiveFile>::failure(zip.error());
    }
    // The key of what was read: equal to the scan's unless the tree changed meanwhile.
    const QString key = QString::fromLatin1(zip->archived.key());
    const Json info = {{"sha256", toStd(zip->sha256)},
                       {"size", zip->size},
                       {"name", toStd(QString::fromUtf8(folder->topName) + u".zip"_s)},
                       {"mtimeMs", newestMtimeMs(zip->archived)}};
    QSaveFile sidecar(sidecarPath(sandboxDir, key));
    if (!sidecar.open(QIODevice::WriteOnly) || sidecar.write(dumpJson(info)) < 0 || !sidecar.commit()) {
        ::unlink(nativeTemp.constData());
        return ioFailure("sidecar");
    }
    if (::rename(nativeTemp.constData(), QFile::encodeName(zipPath(sandboxDir, key)).constData()) < 0) {
        ::unlink(nativeTemp.constData());
        return ioFailure("rename");
    }
    qCDebug(lcArchiveStore) << "staged" << folder->shown << "as" << key << zip->size << "bytes";
    if (auto staged = openStaged(sandboxDir, key))
        return *staged;
    return ioFailure("reopen");
}

/// Removes zips and sidecars unused for \a maxAgeMs, build leftovers (all of them at start, when
/// no build can be running; else those idle as long), and directories left empty.
void removeOld(const QString &archivesDir, qint64 maxAgeMs, bool atStart)
{
    const QDateTime cutoff = QDateTime::currentDateTimeUtc().addMSecs(-maxAgeMs);
    int removed = 0;
    const QStringList sandboxes = QDir(archivesDir).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &sandbox : sandboxes) {
        QDir dir(archivesDir + u'/' + sandbox);
        const QFileInfoList files = dir.entryInfoList(QDir::Files | QDir::Hidden | QDir::System);
        for (const QFileInfo &file : files) {
            const bool temp = file.fileName().startsWith(kBuildPrefix);
            if ((temp && atStart) || file.lastModified() < cutoff)
                removed += QFile::remove(file.filePath()) ? 1 : 0;
        }
        dir.rmdir(dir.path()); // only when empty
    }
    if (removed > 0)
        qCInfo(lcArchiveStore) << "removed" << removed << "expired archive files";
}

} // namespace

ArchiveStore::ArchiveStore(QString archivesDir, QThreadPool *scanPool, QThreadPool *buildPool,
                           QObject *parent)
    : QObject(parent)
    , m_dir(std::move(archivesDir))
    , m_scanPool(scanPool)
    , m_buildPool(buildPool)
{
    m_cleanupTimer.setInterval(kCleanupIntervalMs);
    connect(&m_cleanupTimer, &QTimer::timeout, this, &ArchiveStore::removeExpired);
    m_cleanupTimer.start();
    removeExpired();
}

ArchiveStore::~ArchiveStore() = default;

void ArchiveStore::archive(const QString &sandboxId, const QString &workspaceDir, const QString &sandboxPath,
                           QObject *context, Callback done)
{
    const QString sandboxDir = m_dir + u'/' + sandboxId;
    runInPool(
        m_scanPool, this,
        [sandboxDir, workspaceDir, sandboxPath] { return locate(sandboxDir, workspaceDir, sandboxPath); },
        [this, sandboxId, workspaceDir, sandboxPath, context = QPointer<QObject>(context),
         done = std::move(done)](const FsResult<Located> &located) {
            if (!context)
                return;
            if (!located)
                return done(FsResult<ArchiveFile>::failure(located.error()));
            if (located->staged)
                return done(*located->staged);
            const QString buildKey = sandboxId + u'/' + located->key;
            auto &waiters = m_building[buildKey];
            waiters.append(Waiter{context, done});
            if (waiters.size() == 1)
                build(buildKey, sandboxId, workspaceDir, sandboxPath);
        });
}

void ArchiveStore::build(const QString &buildKey, const QString &sandboxId, const QString &workspaceDir,
                         const QString &sandboxPath)
{
    const QString sandboxDir = m_dir + u'/' + sandboxId;
    const QString scanKey = buildKey.section(u'/', -1);
    runInPool(
        m_buildPool, this,
        [sandboxDir, workspaceDir, sandboxPath, scanKey] {
            return buildArchive(sandboxDir, workspaceDir, sandboxPath, scanKey);
        },
        [this, buildKey](const FsResult<ArchiveFile> &result) { finish(buildKey, result); });
}

void ArchiveStore::finish(const QString &buildKey, const FsResult<ArchiveFile> &result)
{
    const QList<Waiter> waiters = m_building.take(buildKey);
    for (const Waiter &waiter : waiters) {
        if (waiter.context)
            waiter.done(result);
    }
}

void ArchiveStore::removeSandbox(const QString &sandboxId)
{
    if (sandboxId.isEmpty() || sandboxId.contains(u'/') || sandboxId.startsWith(u'.'))
        return;
    const QString sandboxDir = m_dir + u'/' + sandboxId;
    runInPool(
        m_buildPool, this, [sandboxDir] { return QDir(sandboxDir).removeRecursively(); }, [](bool) {});
}

void ArchiveStore::removeExpired()
{
    const bool atStart = !std::exchange(m_startedCleanup, true);
    runInPool(
        m_buildPool, this, [dir = m_dir, maxAge = m_maxAgeMs, atStart] { removeOld(dir, maxAge, atStart); },
        [] {});
}

} // namespace banata::server
