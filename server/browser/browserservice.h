// SPDX-License-Identifier: MIT
#pragma once

#include "core/apierror.h"
#include "core/expected.h"
#include "core/preview.h"
#include "core/sandbox.h"
#include "viewertokens.h"

#include <QHash>
#include <QObject>
#include <QSet>
#include <QUrl>

#include <functional>
#include <memory>

namespace banata::server {

class CdpConnection;
class ControlRegistry;
class EventHub;
class SandboxManager;

/// One headless Chromium per sandbox, started inside the sandbox (so pause freezes it and kill
/// ends it), driven over CDP; the preview state (banata-api.md §3.3) follows its targets.
class BrowserService final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BrowserService)

public:
    using StateCallback = std::function<void(const banata::Expected<banata::PreviewState, banata::ApiError> &)>;

    /// Everything given must outlive the service. \a baseUrl is this server's http:// URL (for cdpUrl).
    BrowserService(SandboxManager *sandboxes, EventHub *events, ControlRegistry *control, QString baseUrl,
                   QObject *parent = nullptr);
    ~BrowserService() override;

    banata::PreviewState state(const QString &sandboxId) const;
    /// Starts Chromium unless it runs; answers once it runs (or failed to start).
    void start(const QString &sandboxId, QObject *context, StateCallback done);
    void navigate(const QString &sandboxId, const QUrl &url, QObject *context, StateCallback done);
    void resize(const QString &sandboxId, int width, int height, QObject *context, StateCallback done);

    /// Chromium's browser-level DevTools WebSocket, or an empty URL when it does not run.
    QUrl browserEndpoint(const QString &sandboxId) const;
    /// Signs and checks the viewer page's short-lived tokens.
    const ViewerTokens &viewerTokens() const { return m_tokens; }

signals:
    void stateChanged(const QString &sandboxId, const banata::PreviewState &state);

private:
    struct Instance;

    Instance *instance(const QString &sandboxId) const;
    std::optional<banata::ApiError> checkRunning(const QString &sandboxId) const;
    void onSandboxStatus(const banata::Sandbox &sandbox, banata::SandboxStatus previous);
    bool hasBrowserCapability(const QString &sandboxId) const;
    void launch(Instance &inst);
    void runLaunch(Instance &inst);
    void armDeadline(Instance &inst, int timeoutMs);
    /// The DevTools endpoint Chromium's port file names, or an empty URL when it names none.
    QUrl devToolsEndpoint(const QString &sandboxId) const;
    void pollPortFile(const QString &sandboxId, quint64 generation);
    void connectCdp(Instance &inst);
    void onCdpEvent(const QString &sandboxId, const QString &method, const banata::Json &params,
                    const QString &sessionId);
    void attachActivePage(Instance &inst);
    void becomeRunning(Instance &inst);
    void fail(Instance &inst, const QString &reason);
    /// Starts a new Chromium for \a sandboxId; \a crashes carries the count of an automatic restart.
    void startInstance(const QString &sandboxId, StateCallback answer, int crashes);
    // browserrecovery.cpp: a Chromium a previous server started, and the cleanup after a crash.
    void onSandboxReattached(const banata::Sandbox &sandbox);
    void adopt(const QString &sandboxId);
    void finishAdoption(Instance &inst);
    void abandonAdoption(Instance &inst, const QString &reason);
    void cleanUpAfterCrash(const QString &sandboxId);
    /// After a crash of a browser that was wanted: a new one in a while, later with every crash.
    /// Returns the delay, or -1 when it crashed too often in a row to try again by itself.
    int scheduleRestart(Instance &inst);
    void stop(const QString &sandboxId);
    void changed(Instance &inst);
    QString profileDir(const QString &sandboxId) const;

    SandboxManager *m_sandboxes;
    EventHub *m_events;
    ControlRegistry *m_control;
    QString m_baseUrl;
    ViewerTokens m_tokens;
    QHash<QString, std::shared_ptr<Instance>> m_instances;
    quint64 m_nextGeneration = 1;
    QSet<QString> m_adoptOnResume;  // re-attached while paused: a frozen Chromium cannot answer
    QHash<QString, int> m_cleanups; // crash cleanups in flight per sandbox; launches wait for them
    QSet<QString> m_restartOnResume; // crashed, and its automatic restart came while it was paused
};

} // namespace banata::server
