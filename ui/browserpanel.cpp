// SPDX-License-Identifier: MIT
#include "browserpanel.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLoggingCategory>
#include <QPushButton>
#include <QStackedWidget>
#include <QVBoxLayout>

#include "session/browsersession.h"
#include "session/handoffsession.h"
#include "session/sandboxsession.h"
#include "ui/browsertoolbar.h"
#include "ui/handoffbar.h"
#include "ui/messagebar.h"
#include "ui/viewersurfaceloader.h"

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcBrowserPanel, "banata.ui.browserpanel")

namespace banata {

namespace {
constexpr int kNoticeMs = 12000;
constexpr int kResultMs = 6000;
} // namespace

BrowserPanel::BrowserPanel(AppSettings *settings, QWidget *parent)
    : QWidget(parent)
    , m_handoffBar(new HandoffBar(settings, this))
    , m_toolBar(new BrowserToolBar(this))
    , m_viewerStatus(new QLabel(this))
    , m_messages(new MessageBar(this))
    , m_stack(new QStackedWidget(this))
    , m_statusPage(new QWidget(m_stack))
    , m_statusText(new QLabel(m_statusPage))
    , m_statusStart(new QPushButton(m_statusPage))
    , m_viewHost(new QWidget(m_stack))
{
    setObjectName(u"browserPanel"_s);
    m_viewerStatus->setObjectName(u"viewerStatusLabel"_s);
    m_messages->setObjectName(u"browserMessages"_s);
    m_messages->hide();
    m_statusPage->setObjectName(u"browserStatusPage"_s);
    m_statusText->setObjectName(u"browserStatusText"_s);
    m_statusText->setAlignment(Qt::AlignCenter);
    m_statusText->setWordWrap(true);
    m_statusText->setTextFormat(Qt::PlainText);
    m_statusStart->setObjectName(u"browserStatusAction"_s);
    auto *statusLayout = new QVBoxLayout(m_statusPage);
    statusLayout->addStretch();
    statusLayout->addWidget(m_statusText);
    statusLayout->addWidget(m_statusStart, 0, Qt::AlignCenter);
    statusLayout->addStretch();
    auto *hostLayout = new QVBoxLayout(m_viewHost);
    hostLayout->setContentsMargins(0, 0, 0, 0);
    m_stack->addWidget(m_statusPage);
    m_stack->addWidget(m_viewHost);

    auto *controls = new QHBoxLayout;
    controls->addWidget(m_toolBar, 1);
    controls->addWidget(m_viewerStatus);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 4, 0, 0);
    layout->setSpacing(4);
    layout->addWidget(m_handoffBar);
    layout->addLayout(controls);
    layout->addWidget(m_messages);
    layout->addWidget(m_stack, 1);

    connect(m_handoffBar, &HandoffBar::messageRequested, this, &BrowserPanel::showMessage);
    connect(m_toolBar, &BrowserToolBar::messageRequested, this, &BrowserPanel::showMessage);
    connect(m_toolBar, &BrowserToolBar::fitRequested, this, &BrowserPanel::fitToView);
    connect(m_handoffBar, &HandoffBar::holderChanged, this, [this](HandoffSession::Holder holder) {
        // The operator just got the browser: typing should go to it at once.
        if (holder == HandoffSession::Holder::Me && m_surface && m_active)
            m_surface->focusPage();
    });
    connect(m_statusStart, &QPushButton::clicked, this, [this] {
        BrowserSession *browser = m_session ? m_session->browser() : nullptr;
        if (!browser)
            return;
        if (m_state == ViewerState::Failed)
            browser->reconnect();
        else
            browser->start();
    });
    refresh();
}

BrowserPanel::~BrowserPanel()
{
    // The surface reports to this object: it must go first.
    dropSurface();
}

void BrowserPanel::setSession(SandboxSession *session)
{
    if (m_session == session)
        return;
    if (m_session && m_session->browser()) {
        m_session->browser()->disconnect(this);
        m_session->browser()->setActive(false);
    }
    dropSurface();
    m_messages->dismiss();
    m_session = session;
    m_handoffBar->setSession(session ? session->handoff() : nullptr);
    m_toolBar->setSession(session ? session->browser() : nullptr);
    if (BrowserSession *browser = session ? session->browser() : nullptr) {
        connect(browser, &BrowserSession::viewerUrlChanged, this, &BrowserPanel::openViewer);
        connect(browser, &BrowserSession::previewChanged, this, &BrowserPanel::refresh);
        connect(browser, &BrowserSession::viewerErrorChanged, this, &BrowserPanel::refresh);
        browser->setActive(m_active);
    }
    refresh();
}

void BrowserPanel::setSandbox(const Sandbox &sandbox)
{
    const bool paused = sandbox.status == SandboxStatus::Paused || sandbox.status == SandboxStatus::Pausing;
    if (paused != m_paused) {
        m_paused = paused;
        refresh();
    }
}

void BrowserPanel::setActive(bool active)
{
    if (m_active == active)
        return;
    m_active = active;
    // A hidden tab streams nothing: the page is unloaded and reloaded with a fresh link.
    if (!active && m_surface)
        m_surface->close();
    if (BrowserSession *browser = m_session ? m_session->browser() : nullptr)
        browser->setActive(active);
    refresh();
}

ViewerState BrowserPanel::viewerState() const
{
    return m_state;
}

void BrowserPanel::viewerStateChanged(ViewerState state, const QString &detail)
{
    qCDebug(lcBrowserPanel) << "viewer state" << int(state) << detail;
    m_state = state;
    m_stateDetail = detail;
    if (state == ViewerState::Disconnected && m_active && m_session && m_session->browser())
        m_session->browser()->reconnect();
    refresh();
}

void BrowserPanel::viewerNotice(const ViewerNotice &notice)
{
    qCInfo(lcBrowserPanel) << "viewer policy:" << notice.text << notice.url;
    m_messages->showMessage(notice.text, MessageBar::Warning, kNoticeMs);
    m_messages->setDetails(notice.url.isEmpty() ? QString() : notice.url.toDisplayString());
}

void BrowserPanel::openViewer(const QUrl &url)
{
    if (!m_active)
        return;
    if (!m_surface && m_loaderError.isEmpty()) {
        ViewerSurfaceFactory *factory = ViewerSurfaceLoader::factory();
        if (!factory) {
            m_loaderError = ViewerSurfaceLoader::errorString();
            qCWarning(lcBrowserPanel) << "no viewer:" << m_loaderError;
        } else {
            m_surface = factory->createSurface(this, m_viewHost);
            m_viewHost->layout()->addWidget(m_surface->widget());
        }
    }
    if (m_surface)
        m_surface->open(url);
    refresh();
}

void BrowserPanel::dropSurface()
{
    if (!m_surface)
        return;
    QWidget *widget = m_surface->widget();
    m_surface = nullptr;
    delete widget;
    m_state = ViewerState::Empty;
    m_stateDetail.clear();
}

void BrowserPanel::refresh()
{
    const BrowserSession *browser = m_session ? m_session->browser() : nullptr;
    const auto &preview = browser ? browser->preview() : std::nullopt;
    QString status;
    QString action;
    if (!browser) {
        status = tr("Select a sandbox to see its browser.");
    } else if (!browser->isSupported()) {
        status = browser->unsupportedReason();
    } else if (!m_loaderError.isEmpty()) {
        status = tr("The live browser view is not available: %1").arg(m_loaderError);
    } else if (!preview) {
        status = browser->viewerError().isEmpty() ? tr("Loading the browser…") : browser->viewerError();
    } else if (preview->status == u"stopped"_s) {
        status = tr("The sandbox's browser is not running.");
        action = tr("Start browser");
    } else if (preview->status == u"crashed"_s) {
        status = tr("The sandbox's browser crashed: %1").arg(preview->error.value_or(tr("no reason given")));
        action = tr("Start browser");
    } else if (preview->status == u"starting"_s) {
        status = tr("The browser is starting…");
    } else if (m_state == ViewerState::Failed) {
        status = tr("The live view could not be shown: %1").arg(m_stateDetail);
        action = tr("Try again");
    } else if (!m_surface) {
        status =
            browser->viewerError().isEmpty() ? tr("Connecting to the live browser…") : browser->viewerError();
    }
    m_statusText->setText(status);
    m_statusStart->setText(action);
    m_statusStart->setVisible(!action.isEmpty());
    m_stack->setCurrentWidget(status.isEmpty() ? m_viewHost : m_statusPage);

    QString live;
    if (status.isEmpty()) {
        if (m_paused)
            live = tr("Paused — the browser is frozen");
        else if (m_state == ViewerState::Live)
            live = tr("● Live");
        else if (m_state == ViewerState::Disconnected)
            live = tr("Reconnecting…");
        else
            live = tr("Connecting…");
    }
    m_viewerStatus->setText(live);
}

void BrowserPanel::fitToView()
{
    BrowserSession *browser = m_session ? m_session->browser() : nullptr;
    if (!browser || !m_surface)
        return;
    browser->resize(m_surface->cssViewportSize());
}

void BrowserPanel::showMessage(const QString &text, bool error)
{
    m_messages->showMessage(text, error ? MessageBar::Error : MessageBar::Positive, error ? 0 : kResultMs);
    m_messages->setDetails(QString());
}

} // namespace banata
