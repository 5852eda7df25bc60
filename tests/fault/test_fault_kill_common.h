// SPDX-License-Identifier: MIT
#pragma once

#include <memory>

#include <QElapsedTimer>
#include <QHash>
#include <QNetworkAccessManager>

#include "core/client/apiclient.h"
#include "core/client/eventstream.h"
#include "session/connection.h"
#include "support/awaitjob.h"
#include "support/localserver.h"

namespace banata::test {

/// How long one crash took to heal, from the moment the new server process was launched.
struct Recovery
{
    qint64 listeningMs = -1; // it printed "Listening on"
    qint64 healthMs = -1;    // GET /v1/health answered 200
    qint64 liveMs = -1;      // the app's Connection was Online again
};

/// A real banata-local that a test SIGKILLs inside an operation and starts again on the same
/// data directory and port, followed all along by the app's own Connection (what the sandbox
/// list and the inbox show) and by an event stream that records what the server acknowledged.
/// Every crash checks the database as the crash left it; every restart waits until the server
/// answers and the app is live again by itself, and checks nothing acknowledged was lost.
class KillFixture final
{
public:
    KillFixture();
    ~KillFixture();
    Q_DISABLE_COPY_MOVE(KillFixture)

    /// Starts the server, the recording event stream and the app's Connection (until Online).
    bool start();
    /// SIGKILLs the server, then checks `PRAGMA integrity_check` on a copy of its database files
    /// and that the app noticed (its Connection is no longer Online).
    bool crash();
    /// Starts a new process on the same data directory and port; waits for health and for the
    /// app's Connection to be Online with the server's list; checks that no temporary entry of an
    /// interrupted operation stays in the data directory and that every event received before
    /// the crash is still in the server's log. Fills lastRecovery().
    bool restart();
    /// SIGTERM and a last integrity check.
    bool stop();

    ApiClient &client() { return *m_client; }
    LocalServer &server() { return m_server; }
    Connection &connection() { return *m_connection; }
    const Recovery &lastRecovery() const { return m_recovery; }
    QString errorString() const { return m_error; }

    /// Creates a sandbox and waits until it is ready; empty on failure (see errorString()).
    QString createReady(const CreateSandboxRequest &request = {});
    /// The sandbox as the server has it now.
    std::optional<Sandbox> fetch(const QString &id);
    /// Waits until the server reports \a id in \a status (false on timeout or another end state).
    bool waitStatus(const QString &id, SandboxStatus status, int timeoutMs = 20000);
    /// Runs a shell command; nullopt when the request failed (errorString() says why).
    std::optional<ExecResult> run(const QString &id, const QString &command, int timeoutMs = 60000);
    QString rootOf(const QString &id) const;
    QString workspaceOf(const QString &id) const;

    /// "ok", or what `PRAGMA integrity_check` (or opening the copy) said.
    QString checkDatabase();
    /// True once the app's sandbox list holds exactly the server's sandboxes with the same states.
    bool appMatchesServer(int timeoutMs = 15000);
    /// Outermost processes of the sandbox's tree (its bwrap): 1 for a healthy live sandbox.
    int processTrees(const QString &id) const;

private:
    bool fail(const QString &error);
    bool eventsKept();
    QHash<QString, SandboxStatus> serverStatuses();

    QNetworkAccessManager m_network;
    LocalServer m_server;
    std::unique_ptr<ApiClient> m_client;
    std::unique_ptr<EventStream> m_events;
    std::unique_ptr<Connection> m_connection;
    QList<Event> m_received;
    QList<Event> m_ackedBeforeCrash;
    QElapsedTimer m_sinceRestart;
    Recovery m_recovery;
    QString m_error;
};

/// SHA-256 of a host file as hex; empty if unreadable.
QString fileSha256(const QString &path);
/// Every entry below \a dir (relative path → type, mode, size and SHA-256 of files, link target):
/// equal manifests mean byte-for-byte equal trees.
QMap<QString, QString> treeManifest(const QString &dir);
/// Paths below \a dir (recursively, hidden included) whose file name starts with \a prefix.
QStringList entriesNamed(const QString &dir, const QString &prefix);
/// Prints one measurement line (`FAULT scenario=… key=value …`) for the figures.
void reportFigures(const char *scenario, const QString &outcome, const Recovery &recovery,
                   const QString &extra = {});

} // namespace banata::test
