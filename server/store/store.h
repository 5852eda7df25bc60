// SPDX-License-Identifier: MIT
#pragma once

#include "core/checkpoint.h"
#include "core/event.h"
#include "core/sandbox.h"

#include <QMap>
#include <QSqlDatabase>
#include <QString>

namespace banata::server {

/// What the server keeps about one sandbox: the wire object plus what never leaves the server.
struct SandboxRecord
{
    banata::Sandbox sandbox;
    QMap<QString, QString> env; // may hold secrets: stored, never returned by the API
};

/// The server's durable state in SQLite: sandboxes, checkpoints and the event log.
/// WAL with synchronous=NORMAL: a SIGKILL of the server loses nothing committed; a power cut may
/// lose the last transactions. Not thread-safe: used from the main thread only.
class Store final
{
public:
    Store();
    ~Store();
    Q_DISABLE_COPY_MOVE(Store)

    /// Opens (creating or migrating) the database; returns an error message on failure.
    std::optional<QString> open(const QString &path);

    QList<SandboxRecord> loadSandboxes();
    bool saveSandbox(const SandboxRecord &record);
    bool deleteSandbox(const QString &id);

    bool saveCheckpoint(const banata::Checkpoint &checkpoint);
    QList<banata::Checkpoint> checkpoints(const QString &sandboxId); // newest first
    std::optional<banata::Checkpoint> checkpoint(const QString &checkpointId);
    bool deleteCheckpoints(const QString &sandboxId);

    /// Appends \a event under its event.seq, or, when that is 0, the next number (then set).
    bool appendEvent(banata::Event &event);
    QList<banata::Event> eventsAfter(qint64 seq, int limit);
    /// The retained events of one sandbox with seq < \a before (all when nullopt), newest first,
    /// at most \a limit; served by the events_sandbox index.
    QList<banata::Event> sandboxEventsBefore(const QString &sandboxId, std::optional<qint64> before, int limit);
    qint64 firstEventSeq(); // 0 when empty
    qint64 lastEventSeq();
    /// Keeps the newest \a keep events.
    void pruneEvents(qint64 keep);

    /// Groups writes into one transaction (one fsync) until commit(); nests.
    void begin();
    /// False when the outermost commit failed; the transaction is then rolled back, so nothing
    /// of it is kept and later writes do not pile up in a transaction that never ends.
    bool commit();

    QString lastError() const { return m_lastError; }
    /// True when the last failure was SQLite's "database or disk is full" (ENOSPC, quota).
    bool lastErrorIsNoSpace() const { return m_noSpace; }
    /// Records the failure of a query a service ran on database(), for lastError() and the above.
    void noteError(const QSqlError &error);
    /// For services that keep their own tables (CREATE TABLE IF NOT EXISTS in their own file);
    /// use begin()/commit() around multi-statement writes.
    QSqlDatabase &database() { return m_db; }

private:
    bool exec(const QString &sql);
    bool migrate();

    QString m_connectionName;
    QSqlDatabase m_db;
    QString m_lastError;
    int m_transactionDepth = 0;
    bool m_noSpace = false;
};

} // namespace banata::server
