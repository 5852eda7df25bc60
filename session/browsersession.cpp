// SPDX-License-Identifier: MIT
#include "session/browsersession.h"

#include <QDateTime>
#include <QLoggingCategory>

#include "core/client/apiclient.h"
#include "core/event.h"
#include "session/connection.h"

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcBrowserSession, "banata.session.browser")

namespace banata {

namespace {
constexpr int kPollMs = 2000;
constexpr int kFirstRetryMs = 1000;
constexpr int kMaxRetryMs = 30000;
constexpr qint64 kMaxTtlMs = 3600000; // the server's limit

const QString kRunning = u"running"_s;

qint64 now()
{
    return QDateTime::currentMSecsSinceEpoch();
}
} // namespace

BrowserSession::BrowserSession(Connection *connection, QString sandboxId, QObject *parent)
    : QObject(parent)
    , m_connection(connection)
    , m_sandboxId(std::move(sandboxId))
{
    m_renew.setSingleShot(true);
    connect(&m_renew, &QTimer::timeout, this, &BrowserSession::fetchViewerUrl);
    m_retry.setSingleShot(true);
    connect(&m_retry, &QTimer::timeout, this, &BrowserSession::retry);
    m_poll.setInterval(kPollMs);
    connect(&m_poll, &QTimer::timeout, this, &BrowserSession::loadPreview);
    if (!m_connection)
        return;
    const Connection::Status status = m_connection->status();
    m_wasDown = status == Connection::Status::Down || status == Connection::Status::Reconnecting;
    connect(m_connection, &Connection::eventReceived, this, &BrowserSession::onEvent);
    connect(m_connection, &Connection::statusChanged, this, &BrowserSession::onConnectionStatus);
    connect(m_connection, &Connection::handoffChanged, this, &BrowserSession::onHandoffChanged);
}

BrowserSession::~BrowserSession() = default;

bool BrowserSession::isSupported() const
{
    return m_connection && m_connection->supports(u"preview"_s) && m_connection->supports(u"viewer"_s);
}

QString BrowserSession::unsupportedReason() const
{
    if (!m_connection)
        return tr("Its connection was removed");
    if (isSupported())
        return {};
    if (!m_connection->health() && m_connection->status() != Connection::Status::Online &&
        m_connection->status() != Connection::Status::Polling)
        return tr("Connecting to %1…").arg(m_connection->name());
    if (!m_connection->supports(u"preview"_s))
        return tr("This server has no live browser (extension 'preview')");
    if (!m_connection->supports(u"viewer"_s))
        return tr("This server has no live browser viewer (extension 'viewer')");
    return {};
}

bool BrowserSession::canRequest() const
{
    return m_connection && m_connection->isStarted() && isSupported();
}

QString BrowserSession::unavailableReason() const
{
    if (m_connection && !m_connection->isStarted())
        return tr("%1 is not connected").arg(m_connection->name());
    return unsupportedReason();
}

void BrowserSession::setViewerTtlMs(qint64 ttlMs)
{
    m_viewerTtlMs = std::clamp<qint64>(ttlMs, 1, kMaxTtlMs);
}

void BrowserSession::setActive(bool active)
{
    if (active == m_active)
        return;
    m_active = active;
    ++m_generation; // answers asked for by the previous activation are dropped
    m_fetchingUrl = false;
    m_retry.stop();
    m_retryDelayMs = kFirstRetryMs;
    if (!active) {
        m_renew.stop();
        m_poll.stop();
        m_wantsLoad = false;
        return;
    }
    m_wantsLoad = true; // the view opens with whatever URL comes first
    loadPreview();
    updatePolling();
}

void BrowserSession::reconnect()
{
    m_wantsLoad = true;
    if (!m_active)
        return; // activation emits one anyway
    // Not from inside the call: the view asks from its own handlers and should not be re-entered.
    QTimer::singleShot(0, this, [this] {
        if (m_preview && m_preview->status == kRunning)
            updateViewer(); // the held URL when it has time left, else a new one
        else
            loadPreview();
    });
}

// ---- the preview ----------------------------------------------------------------------------

void BrowserSession::loadPreview()
{
    if (!m_active || !canRequest())
        return;
    const int generation = m_generation;
    PreviewJob *job = m_connection->client().preview(m_sandboxId);
    connect(job, &PreviewJob::finished, this, [this, generation](const ApiResult<PreviewState> &result) {
        if (generation != m_generation)
            return;
        if (!result) {
            m_statusError = false;
            scheduleRetry(tr("Could not get the browser's state: %1").arg(result.error().displayText()));
            return;
        }
        // An event may have told us something newer meanwhile (0: a server that forgot it).
        if (m_preview && result->updatedAt != 0 && result->updatedAt < m_preview->updatedAt)
            return;
        setPreview(result.value());
    });
}

void BrowserSession::setPreview(const PreviewState &preview)
{
    const bool wasKnown = m_preview.has_value();
    const bool wasRunning = wasKnown && m_preview->status == kRunning;
    const bool running = preview.status == kRunning;
    if (!wasKnown || !(*m_preview == preview)) {
        m_preview = preview;
        Q_EMIT previewChanged(*m_preview);
    }
    if (running && wasKnown && !wasRunning)
        m_wantsLoad = true; // the view shows a page whose browser went away
    if (!running) {
        m_renew.stop();
        QString error;
        if (preview.status == u"crashed")
            error =
                preview.error ? tr("The browser crashed: %1").arg(*preview.error) : tr("The browser crashed");
        else if (preview.status == u"starting")
            error = tr("The browser is starting…");
        else
            error = tr("The browser is not running");
        m_statusError = true;
        scheduleRetry(error); // events say when it runs again; this covers missing ones
        return;
    }
    if (m_statusError) {
        m_statusError = false;
        m_retry.stop();
        m_retryDelayMs = kFirstRetryMs;
        setViewerError({});
    }
    updateViewer();
}

void BrowserSession::setControl(const QString &controlMode, const std::optional<QString> &controller)
{
    if (!m_preview || controlMode.isEmpty())
        return;
    PreviewState next = *m_preview;
    next.controlMode = controlMode;
    next.controller = controller;
    if (next == *m_preview)
        return;
    m_preview = next;
    Q_EMIT previewChanged(*m_preview);
}

void BrowserSession::onEvent(const Event &event)
{
    if (event.sandboxId != m_sandboxId)
        return;
    if (event.type == u"sandbox.preview.updated") {
        Parsed<PreviewState> preview = PreviewState::fromJson(event.data);
        if (!preview) {
            qCWarning(lcBrowserSession)
                << "skipped a malformed preview in event" << event.seq << preview.error();
            return;
        }
        if (!m_preview || preview->updatedAt == 0 || preview->updatedAt >= m_preview->updatedAt)
            setPreview(preview.value());
    } else if (event.type == u"sandbox.browser.ready" || event.type == u"sandbox.browser.failed" ||
               event.type == u"sandbox.ending" || event.type == u"sandbox.ended" ||
               event.type == u"sandbox.failed") {
        loadPreview(); // only while active; the server stops a browser without a preview event
    } else if (event.type.startsWith(u"sandbox.handoff."_s) && event.data.is_object()) {
        const auto mode = event.data.find("controlMode");
        if (mode == event.data.end() || !mode->is_string())
            return;
        std::optional<QString> controller;
        if (const auto preview = event.data.find("preview"); preview != event.data.end()) {
            if (Parsed<HandoffPreview> lease = HandoffPreview::fromJson(*preview))
                controller = lease->controller;
        }
        setControl(fromStd(mode->get<std::string>()), controller);
    }
}

void BrowserSession::onHandoffChanged(const QString &sandboxId, const Handoff &)
{
    if (sandboxId != m_sandboxId || !m_connection)
        return;
    // An action's answer reaches the connection before its event: show the lease at once. The
    // connection's table, not the signal's copy, says what is current.
    const auto it = m_connection->activeHandoffs().constFind(m_sandboxId);
    if (it == m_connection->activeHandoffs().cend())
        setControl(u"ai"_s, std::nullopt);
    else if (it->status == HandoffStatus::Pending)
        setControl(u"shared"_s, std::nullopt);
    else
        setControl(u"human"_s, it->controller);
}

void BrowserSession::onConnectionStatus()
{
    if (!m_connection)
        return;
    switch (m_connection->status()) {
    case Connection::Status::Idle:
    case Connection::Status::Down:
    case Connection::Status::Reconnecting:
        m_wasDown = true;
        break;
    case Connection::Status::Connecting:
        break;
    case Connection::Status::Online:
    case Connection::Status::Polling:
        if (m_wasDown) {
            // A restarted server forgot its tokens, and what the page showed may be gone.
            m_wasDown = false;
            forgetViewerUrl();
            m_wantsLoad = true;
            m_retryDelayMs = kFirstRetryMs;
            loadPreview();
        } else if (!m_preview) {
            loadPreview(); // first contact: the extensions are known now
        }
        break;
    }
    updatePolling();
}

void BrowserSession::updatePolling()
{
    const bool poll = m_active && m_connection && m_connection->status() == Connection::Status::Polling;
    if (!poll)
        m_poll.stop();
    else if (!m_poll.isActive())
        m_poll.start();
}

// ---- the viewer URL -------------------------------------------------------------------------

void BrowserSession::updateViewer()
{
    if (!m_active || !m_preview || m_preview->status != kRunning || !canRequest() || m_fetchingUrl)
        return; // a fetch under way emits when it lands
    if (!m_viewerUrl.isEmpty() && m_viewerDeadline - now() >= kMinViewerLeftMs) {
        if (m_wantsLoad) {
            m_wantsLoad = false;
            Q_EMIT viewerUrlChanged(m_viewerUrl);
        }
        if (!m_renew.isActive())
            scheduleRenewal();
        return;
    }
    fetchViewerUrl();
}

void BrowserSession::fetchViewerUrl()
{
    if (!m_active || m_fetchingUrl || !canRequest())
        return;
    m_renew.stop();
    m_fetchingUrl = true;
    const int generation = m_generation;
    ViewerUrlJob *job = m_connection->client().previewViewerUrl(m_sandboxId, m_viewerTtlMs);
    connect(job, &ViewerUrlJob::finished, this, [this, generation](const ApiResult<ViewerUrl> &result) {
        if (generation != m_generation)
            return;
        m_fetchingUrl = false;
        if (!result) {
            m_statusError = false;
            scheduleRetry(tr("Could not get a viewer link: %1").arg(result.error().displayText()));
            return;
        }
        const QUrl url(result->url);
        if (!url.isValid() || (url.scheme() != u"http" && url.scheme() != u"https")) {
            m_statusError = false;
            scheduleRetry(
                tr("Could not get a viewer link: %1").arg(tr("the server sent an unusable address")));
            return;
        }
        // Lifetimes by our clock: the server's may differ; never trust more than we asked for.
        const qint64 fetchedAt = now();
        qint64 lifetime = result->expiresAt - fetchedAt;
        if (lifetime <= 0 || lifetime > m_viewerTtlMs)
            lifetime = m_viewerTtlMs;
        m_viewerUrl = url;
        m_viewerExpiresAt = result->expiresAt;
        m_viewerDeadline = fetchedAt + lifetime;
        m_renewAt = fetchedAt + lifetime * 8 / 10;
        m_retry.stop();
        m_retryDelayMs = kFirstRetryMs;
        if (!m_statusError)
            setViewerError({});
        qCDebug(lcBrowserSession) << m_sandboxId << "viewer URL valid for" << lifetime << "ms";
        if (!m_preview || m_preview->status != kRunning)
            return; // held for when it runs again
        scheduleRenewal();
        if (m_wantsLoad) {
            m_wantsLoad = false;
            Q_EMIT viewerUrlChanged(m_viewerUrl);
        }
    });
}

void BrowserSession::scheduleRenewal()
{
    if (!m_active || m_viewerUrl.isEmpty())
        return;
    m_renew.start(std::chrono::milliseconds(std::max<qint64>(0, m_renewAt - now())));
}

void BrowserSession::forgetViewerUrl()
{
    m_renew.stop();
    m_viewerUrl.clear();
    m_viewerExpiresAt = 0;
    m_viewerDeadline = 0;
    m_renewAt = 0;
}

void BrowserSession::scheduleRetry(const QString &error)
{
    setViewerError(error);
    if (!m_active || m_retry.isActive())
        return;
    m_retry.start(m_retryDelayMs);
    m_retryDelayMs = std::min(m_retryDelayMs * 2, kMaxRetryMs);
}

void BrowserSession::retry()
{
    // The state first: it says whether a URL is worth asking for, and fetches one when it is.
    loadPreview();
}

void BrowserSession::setViewerError(const QString &error)
{
    if (error == m_viewerError)
        return;
    if (!error.isEmpty())
        qCInfo(lcBrowserSession) << m_sandboxId << error;
    m_viewerError = error;
    Q_EMIT viewerErrorChanged(error);
}

} // namespace banata
