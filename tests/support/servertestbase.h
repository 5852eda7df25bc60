// SPDX-License-Identifier: MIT
#pragma once

#include "support/awaitjob.h"
#include "support/localserver.h"

#include "core/client/apiclient.h"
#include "core/client/eventstream.h"

#include <QNetworkAccessManager>
#include <QTest>

#include <memory>

namespace banata::test {

/// Shared plumbing of the integration tests: a real banata-local, a client on it, and every
/// event it emits, so tests can wait on "sandbox X became ready" instead of sleeping.
class ServerFixture
{
public:
    explicit ServerFixture(QString dataDir = {});
    ~ServerFixture();

    /// Starts the server and an event stream connected to it.
    bool start(const QStringList &extraArgs = {});
    /// SIGKILLs the server (the event stream notices and keeps trying).
    void crash();
    /// Starts a new server process on the same data directory and points the client at it.
    bool restart(const QStringList &extraArgs = {});

    ApiClient &client() { return *m_client; }
    LocalServer &server() { return *m_server; }
    EventStream &events() { return *m_events; }
    const QList<Event> &received() const { return m_received; }

    /// True once an event of \a type for \a sandboxId has been received.
    bool sawEvent(const QString &sandboxId, const QString &type) const;
    /// Creates a sandbox and waits until it is ready; returns its id (empty on failure).
    QString createReady(CreateSandboxRequest request = {});
    /// Host path of a sandbox's /workspace.
    QString workspaceOf(const QString &id) const;
    QString errorString() const { return m_error; }

private:
    bool connectEvents(qint64 since);

    QNetworkAccessManager m_network;
    std::unique_ptr<LocalServer> m_server;
    std::unique_ptr<ApiClient> m_client;
    std::unique_ptr<EventStream> m_events;
    QList<Event> m_received;
    QString m_error;
};

} // namespace banata::test
