// SPDX-License-Identifier: MIT
#pragma once

#include <memory>

#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QObject>
#include <QSet>
#include <QString>
#include <QStringList>
#include <QTimer>

#include "fdutil.h"

QT_BEGIN_NAMESPACE
class QSocketNotifier;
QT_END_NAMESPACE

namespace banata::server {

/**
 * Watches sandbox workspaces with one inotify instance, recursively (folders created or moved
 * in get watches, removed ones lose them), and reports what changed there in bursts coalesced
 * over coalesceMs(), so files written by commands and agents show up live.
 *
 * Not reported: the server's own temporary entries (".banata-<kind>-<16 hex>", e.g. uploads in
 * flight), and paths the API announced itself within the last second (noteAnnounced()), equal
 * to, inside or above a changed path. A change the API makes that takes longer than the
 * coalescing window may still be reported by both. An inotify queue overflow reports the
 * workspace root and re-walks it; reaching the kernel's watch limit is logged once and leaves
 * the folders beyond it unwatched. Directory walks run on the watcher's thread.
 */
class WorkspaceWatcher final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WorkspaceWatcher)

public:
    explicit WorkspaceWatcher(QObject *parent = nullptr);
    ~WorkspaceWatcher() override;

    /// False when inotify could not be initialised (then watch() does nothing).
    bool isAvailable() const { return m_fd >= 0; }

    /// Starts watching \a workspaceDir (a trusted host path) for \a sandboxId; no-op if watched.
    void watch(const QString &sandboxId, const QString &workspaceDir);
    void unwatch(const QString &sandboxId);
    bool isWatching(const QString &sandboxId) const { return m_sandboxes.contains(sandboxId); }
    /// Number of watched directories of \a sandboxId.
    int watchCount(const QString &sandboxId) const;

    /// Paths (as the API received them) that the API announced as changed itself.
    void noteAnnounced(const QString &sandboxId, const QStringList &paths);

    void setCoalesceMs(int ms) { m_flushTimer.setInterval(ms); }
    int coalesceMs() const { return m_flushTimer.interval(); }
    void setMaxPaths(int count) { m_maxPaths = count; }

signals:
    /// \a paths are sandbox paths ("/workspace/…"), sorted. With \a truncated, more than the
    /// maximum changed and \a paths are the folders holding them.
    void changed(const QString &sandboxId, const QStringList &paths, bool truncated);

private:
    /// One watched workspace and what changed in it since the last flush.
    struct Sandbox
    {
        detail::UniqueFd root;                       // O_PATH on the workspace
        QHash<QString, int> wds;                     // relative folder ("" for the root) -> watch descriptor
        QSet<QString> pending;                       // relative paths changed since the last flush
        QList<std::pair<QString, qint64>> announced; // relative path, when (m_clock ms)
    };
    /// The folder an inotify watch descriptor stands for.
    struct Watch
    {
        QString sandboxId;
        QString relative;
    };

    void readEvents();
    void handleEvent(int wd, quint32 mask, const QString &name);
    void addTree(const QString &sandboxId, Sandbox &sandbox, int dirFd, const QString &relative,
                 bool reportContents, int depth);
    void addDirectory(const QString &sandboxId, Sandbox &sandbox, const QString &relative);
    void dropSubtree(Sandbox &sandbox, const QString &relative);
    void report(Sandbox &sandbox, const QString &relative);
    void overflowed();
    void flush();
    QStringList takeReportable(Sandbox &sandbox, bool *truncated);

    int m_fd = -1;
    std::unique_ptr<QSocketNotifier> m_notifier;
    QHash<QString, std::shared_ptr<Sandbox>> m_sandboxes;
    QHash<int, Watch> m_watches;
    QTimer m_flushTimer;
    QElapsedTimer m_clock;
    int m_maxPaths = 1000;
    bool m_limitLogged = false;
};

} // namespace banata::server
