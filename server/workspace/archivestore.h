// SPDX-License-Identifier: MIT
#pragma once

#include <functional>

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QTimer>

#include "fserror.h"

QT_BEGIN_NAMESPACE
class QThreadPool;
QT_END_NAMESPACE

namespace banata::server {

/// A folder's zip, staged on disk and ready to serve.
struct ArchiveFile
{
    QString filePath; // host path of the zip (in the data directory)
    QString name;     // "<folder>.zip", for Content-Disposition
    qint64 size = 0;
    QByteArray etag;    // strong, quotes included: the tree's key and the zip's digest
    QString sha256;     // of the zip, lowercase hex
    qint64 mtimeMs = 0; // newest modification in the tree (Last-Modified)
};

/**
 * Zips of workspace folders, staged under `<archivesDir>/<sandboxId>/<key>.zip` so a download
 * resumes like a file: the key hashes a manifest of the tree (paths, types, sizes, mtimes,
 * modes, symlink targets), so the same tree finds the same file again, across network drops and
 * server restarts alike, and a changed tree gets a new key and a new ETag.
 *
 * The manifest is scanned on \a scanPool; a missing archive is built on \a buildPool, once per
 * key however many requests ask for it meanwhile. Archives unused for maxAge() are removed at
 * start and every hour, a sandbox's archives when it ends. Lives on the thread that serves
 * requests; callbacks arrive there.
 */
class ArchiveStore final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ArchiveStore)

public:
    using Callback = std::function<void(const FsResult<ArchiveFile> &)>;

    /// The pools must outlive the store's pending work (the server waits for them at exit).
    ArchiveStore(QString archivesDir, QThreadPool *scanPool, QThreadPool *buildPool,
                 QObject *parent = nullptr);
    ~ArchiveStore() override;

    /// The zip of \a sandboxPath (a directory, resolved beneath \a workspaceDir like every
    /// workspace access), for \a done on \a context's thread; dropped if \a context dies first.
    void archive(const QString &sandboxId, const QString &workspaceDir, const QString &sandboxPath,
                 QObject *context, Callback done);
    /// Removes every archive of \a sandboxId (it ended), in the background.
    void removeSandbox(const QString &sandboxId);
    /// Removes archives unused for longer than maxAge() and build leftovers, in the background.
    void removeExpired();

    qint64 maxAgeMs() const { return m_maxAgeMs; }
    void setMaxAgeMs(qint64 ms) { m_maxAgeMs = ms; }
    QString directory() const { return m_dir; }

private:
    /// A request waiting for a build.
    struct Waiter
    {
        QPointer<QObject> context;
        Callback done;
    };
    void build(const QString &buildKey, const QString &sandboxId, const QString &workspaceDir,
               const QString &sandboxPath);
    void finish(const QString &buildKey, const FsResult<ArchiveFile> &result);

    QString m_dir;
    QThreadPool *m_scanPool;
    QThreadPool *m_buildPool;
    qint64 m_maxAgeMs = 60 * 60 * 1000;
    bool m_startedCleanup = false;
    QTimer m_cleanupTimer;
    QHash<QString, QList<Waiter>> m_building; // "<sandboxId>/<key>" -> who waits for that build
};

} // namespace banata::server
