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

/// The answer to a request made by hand (routes, headers or bodies the client does not cover).
struct RawAnswer
{
    int status = 0;
    QByteArray bytes;
    Json body; // null when the body is not JSON
};

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
    /// Sends \a method \a path (with query) and a JSON \a body, with the API key unless \a withKey is false.
    RawAnswer call(const QByteArray &method, const QString &path, const Json &body = {}, bool withKey = true);
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
