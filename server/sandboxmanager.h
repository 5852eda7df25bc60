// SPDX-License-Identifier: MIT
#pragma once

#include "core/apierror.h"
#include "core/exec.h"
#include "core/sandbox.h"
#include "server/runtime/execspec.h"
#include "server/store/store.h"

#include <QHash>
#include <QObject>
#include <QSet>
#include <QTimer>

#include <functional>
#include <memory>

namespace banata::server {

class EventHub;
class Freezer;
class SandboxProcess;

template <typename T>
using ApiExpected = banata::Expected<T, banata::ApiError>;

/// The sandboxes of this server and their lifecycle (product.md §4.2): creates process trees,
/// moves sandboxes through the documented states, persists every transition and announces it
/// as an event. Operations that take time report through callbacks bound to a context object.
class SandboxManager final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SandboxManager)

public:
    struct Options
    {
        QString sandboxesDir;      // <data>/sandboxes
        int maxConcurrentStarts = 8;
        QString apiUrl;            // given to sandbox processes as BANATA_API_URL
    };

    /// \a store, \a events and \a freezer must outlive the manager.
    SandboxManager(Options options, Store *store, EventHub *events, Freezer *freezer, QObject *parent = nullptr);
    ~SandboxManager() override;

    /// Loads every sandbox and brings the live ones back (re-attach, or restart honestly).
    void recover();

    using SandboxCallback = std::function<void(const ApiExpected<banata::Sandbox> &)>;
    using ExecCallback = std::function<void(const ApiExpected<banata::ExecResult> &)>;
    using DoneCallback = std::function<void(const std::optional<banata::ApiError> &)>;

    /// Saved and queued to start; fails (507 on a full disk) when the store cannot keep it.
    ApiExpected<banata::Sandbox> create(const banata::CreateSandboxRequest &request);
    std::optional<banata::Sandbox> find(const QString &id) const;
    banata::SandboxPage list(const banata::SandboxListQuery &query) const;
    QString sandboxRoot(const QString &id) const;

    void kill(const QString &id, QObject *context, SandboxCallback done);
    void pause(const QString &id, QObject *context, SandboxCallback done);
    void resume(const QString &id, QObject *context, SandboxCallback done);
    void exec(const QString &id, const ExecSpec &spec, QObject *context, ExecCallback done);

    /// Freezes the sandbox's processes without changing its state (a consistent checkpoint copy);
    /// holds nest with pause(). Every successful hold must be released.
    void holdFrozen(const QString &id, QObject *context, DoneCallback done);
    /// \a done (optional) runs once the processes run again.
    void releaseFrozen(const QString &id, QObject *context = nullptr, DoneCallback done = {});
    /// Keeps an ephemeral sandbox's files until background work on them ends.
    void retainFiles(const QString &id);
    void releaseFiles(const QString &id);

    /// The error a request gets when the sandbox's state does not allow it; nullopt if it does.
    std::optional<banata::ApiError> checkAcceptsWork(const QString &id) const;
    std::optional<banata::ApiError> checkAcceptsFileReads(const QString &id) const;

    /// Announces changed workspace paths ("sandbox.files.changed").
    void notifyFilesChanged(const QString &id, const QStringList &paths, const QString &origin);

    int count() const { return int(m_entries.size()); }
    /// The sandbox's own credential (env BANATA_SANDBOX_TOKEN inside it), or empty.
    QString sandboxToken(const QString &id) const;
    /// The sandbox a token belongs to, or empty.
    QString sandboxForToken(QByteArrayView token) const;

signals:
    /// After every persisted transition; services (browser, handoff, tasks) follow sandboxes here.
    void statusChanged(const banata::Sandbox &sandbox, banata::SandboxStatus previous);
    /// After recover() took back a process tree a previous server left running, once per sandbox
    /// and after the transitions that brings; what ran inside the tree (a browser) may still run.
    void reattached(const banata::Sandbox &sandbox);

private:
    struct Entry;

    Entry *entry(const QString &id) const;
    bool transition(Entry &e, banata::SandboxStatus to, std::optional<QString> reason = std::nullopt);
    void persist(Entry &e);
    /// A record whose save failed (a full disk) is saved again, whole, once the store takes it.
    void resaveLater(const QString &id);
    void resaveUnsaved();
    void enqueueStart(Entry &e);
    void pumpStartQueue();
    void startProcess(Entry &e, bool attach);
    void onStarted(const QString &id, bool attached);
    void onStartFailed(const QString &id, bool attached, const QString &reason);
    void recoverWithoutTree(Entry &e);
    void answerReadyWaiters(Entry &e, const QString &reason);
    void onLost(const QString &id, const QString &reason);
    void finishKill(const QString &id);
    void removeFilesIfEphemeral(Entry &e);
    void freeze(Entry &e, QObject *context, DoneCallback done);
    void startFreezing(Entry &e);
    void thaw(Entry &e, QObject *context, DoneCallback done);
    void beginWork(Entry &e);
    void endWork(const QString &id);
    SandboxProcess *createProcess(Entry &e);

    Options m_options;
    Store *m_store;
    EventHub *m_events;
    Freezer *m_freezer;
    QHash<QString, std::shared_ptr<Entry>> m_entries;
    QList<QString> m_startQueue;
    int m_starting = 0;
    QSet<QString> m_unsaved; // what happened to them is not in the store yet
    QTimer m_resaveTimer;
};

/// The 409 a request gets in \a status, e.g. "Sandbox is not ready" (SANDBOX_NOT_READY).
banata::ApiError stateConflict(const banata::Sandbox &sandbox);
banata::ApiError sandboxNotFound();
/// The error for a write the store could not make: 507 NO_SPACE on a full disk, else 500.
banata::ApiError storeFailure(const Store &store);
QString newId();

} // namespace banata::server
