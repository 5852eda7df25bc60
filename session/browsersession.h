// SPDX-License-Identifier: MIT
#pragma once

#include <optional>

#include <QObject>
#include <QPointer>
#include <QSize>
#include <QTimer>
#include <QUrl>

#include "core/handoff.h"
#include "core/preview.h"

namespace banata {

class Connection;
class PreviewJob;
struct Event;

/**
 * One sandbox's live browser as the Browser tab works with it: the preview state (status, page,
 * who holds control), a viewer URL kept fresh, and the browser controls.
 *
 * Usage:
 *   auto *browser = new BrowserSession(connection, sandboxId, this);
 *   connect(browser, &BrowserSession::viewerUrlChanged, view, &View::open);
 *   browser->setActive(true);          // the Browser tab is shown
 *   ...
 *   browser->reconnect();              // the page said its socket closed
 *
 * The preview follows the connection's events (`sandbox.preview.updated`, `sandbox.browser.*`,
 * and the `controlMode` of handoff events); without an event stream it is polled every 2 s while
 * active. While active and the browser runs, a viewer URL (token lifetime viewerTtlMs) is held
 * and renewed at 80 % of its lifetime, so reconnecting never waits on an expired token; it is
 * emitted as viewerUrlChanged when the view must (re)load: on activation, on reconnect(), when
 * the browser becomes running again, and when the connection comes back online after being down
 * (a restarted server forgets its tokens). Failures to get one retry 1 s doubling to 30 s.
 * Nothing here blocks; errors are data.
 */
class BrowserSession final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BrowserSession)

public:
    enum class Operation
    {
        Start,
        Navigate,
        Resize,
        Reload
    };
    Q_ENUM(Operation)

    /// Default lifetime asked for viewer tokens: short, since an open page needs none.
    static constexpr qint64 kViewerTtlMs = 120000;
    /// The least a held URL must have left to be (re)used rather than replaced.
    static constexpr qint64 kMinViewerLeftMs = 10000;

    BrowserSession(Connection *connection, QString sandboxId, QObject *parent = nullptr);
    ~BrowserSession() override;

    QString sandboxId() const { return m_sandboxId; }
    /// False where the server lacks the `preview`/`viewer` extensions (unsupportedReason() says so,
    /// or that the connection is not up yet; empty while supported).
    bool isSupported() const;
    QString unsupportedReason() const;

    /// The last known preview state; nullopt until the first answer.
    const std::optional<PreviewState> &preview() const { return m_preview; }
    /// The viewer URL the view should show; empty until one was fetched.
    QUrl viewerUrl() const { return m_viewerUrl; }
    qint64 viewerExpiresAt() const { return m_viewerExpiresAt; }
    /// The lifetime asked for new viewer tokens (kViewerTtlMs unless changed; tests use short ones).
    void setViewerTtlMs(qint64 ttlMs);
    qint64 viewerTtlMs() const { return m_viewerTtlMs; }
    /// Why there is no viewer URL now (fetch failed, browser not running), for the tab; empty when fine.
    QString viewerError() const { return m_viewerError; }
    /// An operation is under way (its buttons are disabled).
    bool isBusy(Operation operation) const;

    /// Active while the Browser tab is shown: loads the preview, gets and renews viewer URLs.
    void setActive(bool active);
    bool isActive() const { return m_active; }
    /// The page lost its socket (or the operator asked): emits a fresh viewerUrlChanged as soon as
    /// the browser runs and a URL is at hand.
    void reconnect();

    /// `preview/start`.
    void start();
    /// `preview/navigate`; \a text may lack a scheme ("example.com" → https://example.com).
    void navigate(const QString &text);
    /// `preview/resize`, clamped to what the server accepts (200…3840 × 200…2160).
    void resize(const QSize &size);
    /// Reloads the remote page (navigates to its current URL).
    void reload();

    /// The URL navigate() would go to for \a text, or an error; exposed for the address bar.
    static std::optional<QUrl> navigationUrl(const QString &text, QString *error = nullptr);

Q_SIGNALS:
    void previewChanged(const banata::PreviewState &preview);
    /// Load this in the view (a fresh token).
    void viewerUrlChanged(const QUrl &url);
    /// viewerError() changed (empty: recovered).
    void viewerErrorChanged(const QString &error);
    void busyChanged(banata::BrowserSession::Operation operation, bool busy);
    /// An operation ended: \a error empty on success, else ready to show.
    void operationFinished(banata::BrowserSession::Operation operation, const QString &error);

private:
    void onEvent(const Event &event);
    void onConnectionStatus();
    void onHandoffChanged(const QString &sandboxId, const Handoff &handoff);
    /// The connection can serve our requests now (started, extensions present).
    bool canRequest() const;
    /// Why canRequest() is false, for an operation's error.
    QString unavailableReason() const;
    void loadPreview();
    void setPreview(const PreviewState &preview);
    /// Only the lease (controlMode, controller) changed, as handoffs tell.
    void setControl(const QString &controlMode, const std::optional<QString> &controller);
    /// While active and running: emits a held URL when the view must load, else fetches one.
    void updateViewer();
    void fetchViewerUrl();
    void forgetViewerUrl();
    void retry();
    void updatePolling();
    void run(Operation operation, PreviewJob *job);
    void navigateTo(Operation operation, const QString &url);
    void failLater(Operation operation, const QString &error);
    void scheduleRenewal();
    void scheduleRetry(const QString &error);
    void setViewerError(const QString &error);
    void setBusy(Operation operation, bool busy);
    void finishOperation(Operation operation, const QString &error);

    QPointer<Connection> m_connection;
    QString m_sandboxId;
    bool m_active = false;
    std::optional<PreviewState> m_preview;
    QUrl m_viewerUrl;
    qint64 m_viewerExpiresAt = 0;
    qint64 m_viewerDeadline = 0; // local clock: when the held URL stops opening the page
    qint64 m_renewAt = 0;        // local clock: 80 % of its lifetime
    qint64 m_viewerTtlMs = kViewerTtlMs;
    bool m_statusError = false; // viewerError comes from the preview's status, not a failure
    QString m_viewerError;
    bool m_fetchingUrl = false;
    bool m_wantsLoad = false; // emit viewerUrlChanged when the next URL arrives
    bool m_wasDown = false;
    int m_retryDelayMs = 1000;
    QTimer m_renew;       // renews the held URL before it expires
    QTimer m_retry;       // after a failed fetch
    QTimer m_poll;        // preview polling without an event stream
    quint32 m_busy = 0;   // bit per Operation
    int m_generation = 0; // answers for an older activation are dropped
};

} // namespace banata
