// SPDX-License-Identifier: MIT
#include "viewerwidget.h"

#include <optional>

#include <QChildEvent>
#include <QDropEvent>
#include <QLoggingCategory>
#include <QUrlQuery>
#include <QWebEngineLoadingInfo>
#include <QWebEngineProfile>
#include <QtMath>

#include "viewerpage.h"
#include "viewerprofile.h"

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcViewerWidget, "banata.ui.viewer.widget")

namespace banata {

namespace {
bool isDragEvent(const QEvent *event)
{
    switch (event->type()) {
    case QEvent::DragEnter:
    case QEvent::DragMove:
    case QEvent::DragLeave:
    case QEvent::Drop:
        return true;
    default:
        return false;
    }
}

std::optional<ViewerState> stateOfFragment(const QString &fragment)
{
    if (fragment == u"connecting")
        return ViewerState::Connecting;
    if (fragment == u"live")
        return ViewerState::Live;
    if (fragment == u"disconnected")
        return ViewerState::Disconnected;
    return std::nullopt;
}

QString loadFailure(const QWebEngineLoadingInfo &info)
{
    if (info.errorDomain() == QWebEngineLoadingInfo::HttpStatusCodeDomain) {
        if (info.errorCode() == 401)
            return ViewerWidget::tr("The viewer link was refused (HTTP 401): it expired or is not valid.");
        if (info.errorCode() == 409)
            return ViewerWidget::tr("The sandbox's browser is not running (HTTP 409).");
        return ViewerWidget::tr("The viewer page could not be loaded (HTTP %1).").arg(info.errorCode());
    }
    return info.errorString().isEmpty()
               ? ViewerWidget::tr("The viewer page could not be loaded.")
               : ViewerWidget::tr("The viewer page could not be loaded: %1").arg(info.errorString());
}
} // namespace

ViewerWidget::ViewerWidget(ViewerSurfaceObserver *observer, QWidget *parent)
    : QWebEngineView(parent)
    , m_observer(observer)
    , m_interceptor(new ViewerRequestInterceptor)
    , m_profile(createViewerProfile(m_interceptor))
    , m_page(new ViewerPage(m_profile, this))
{
    // Owned view → page → profile → interceptor: each is deleted after what uses it (a page's
    // children go only once the page itself is torn down), and the view unbinds its page first.
    m_profile->setParent(m_page);
    m_interceptor->setParent(m_profile);
    setObjectName(u"viewerSurface"_s);
    setPage(m_page);
    setContextMenuPolicy(Qt::NoContextMenu);
    setAcceptDrops(false);
    setFocusPolicy(Qt::StrongFocus);

    connect(m_interceptor, &ViewerRequestInterceptor::requestBlocked, m_page,
            &ViewerPage::reportBlockedRequest);
    connect(m_page, &ViewerPage::noticeRaised, this, &ViewerWidget::reportNotice);
    connect(m_page, &ViewerPage::failed, this,
            [this](const QString &detail) { setState(ViewerState::Failed, detail); });
    connect(m_page, &QWebEnginePage::loadingChanged, this, &ViewerWidget::loadingChanged);
    connect(m_page, &QWebEnginePage::urlChanged, this, &ViewerWidget::pageUrlChanged);
}

ViewerWidget::~ViewerWidget()
{
    // The page outlives this part of the object (QWebEngineView's destructor unbinds it, then
    // it goes as a child): nothing of it may call back in here, nor reach the observer.
    m_observer = nullptr;
    disconnect(m_page, nullptr, this, nullptr);
}

QWidget *ViewerWidget::widget()
{
    return this;
}

QUrl ViewerWidget::embeddedUrl(const QUrl &viewerUrl)
{
    QUrl url = viewerUrl;
    url.setFragment(QString());
    const QUrlQuery parsed(viewerUrl);
    if (parsed.queryItemValue(u"embed"_s) == u"1")
        return url;
    if (parsed.hasQueryItem(u"embed"_s)) {
        QUrlQuery query = parsed;
        query.removeAllQueryItems(u"embed"_s);
        query.addQueryItem(u"embed"_s, u"1"_s);
        url.setQuery(query);
        return url;
    }
    // Appended as text: the token keeps exactly the encoding the server gave it.
    const QString query = url.query(QUrl::FullyEncoded);
    url.setQuery(query.isEmpty() ? u"embed=1"_s : query + u"&embed=1"_s, QUrl::StrictMode);
    return url;
}

void ViewerWidget::open(const QUrl &viewerUrl)
{
    const QUrl url = embeddedUrl(viewerUrl);
    m_openedUrl = url;
    m_interceptor->setAllowedOrigin(url);
    m_page->setAllowedUrl(url);
    if (!m_page->isViewerPage(url)) {
        qCWarning(lcViewerWidget) << "not a viewer URL:" << url.toDisplayString(QUrl::RemoveQuery);
        m_page->unload();
        setState(ViewerState::Failed, tr("Not a viewer URL: %1").arg(url.toDisplayString(QUrl::RemoveQuery)));
        return;
    }
    setState(ViewerState::Loading);
    m_page->load(url);
}

void ViewerWidget::close()
{
    m_openedUrl.clear();
    m_interceptor->setAllowedOrigin({});
    m_page->unload();
    setState(ViewerState::Empty);
}

QSize ViewerWidget::cssViewportSize() const
{
    const qreal zoom = zoomFactor() > 0 ? zoomFactor() : 1.0;
    return QSize(qFloor(width() / zoom), qFloor(height() / zoom));
}

void ViewerWidget::focusPage()
{
    QWidget *target = focusProxy() ? focusProxy() : this;
    target->setFocus(Qt::OtherFocusReason);
}

void ViewerWidget::setState(ViewerState state, const QString &detail)
{
    if (state == m_state && (state != ViewerState::Failed || detail == m_detail))
        return; // a new failure is news even when the last one was a failure too
    m_state = state;
    m_detail = detail;
    qCDebug(lcViewerWidget) << "state" << int(state) << detail;
    if (m_observer)
        m_observer->viewerStateChanged(state, detail);
    emit stateChanged(state, detail);
}

void ViewerWidget::loadingChanged(const QWebEngineLoadingInfo &info)
{
    qCDebug(lcViewerWidget) << "loading" << info.status() << info.errorDomain() << info.errorCode()
                            << info.url();
    // Loads of anything but the viewer page (about:blank, refused navigations) say nothing about it.
    if (!m_page->isViewerPage(info.url()))
        return;
    switch (info.status()) {
    case QWebEngineLoadingInfo::LoadStartedStatus:
        if (m_state != ViewerState::Failed)
            setState(ViewerState::Loading);
        break;
    case QWebEngineLoadingInfo::LoadStoppedStatus: // superseded by a newer load
        break;
    case QWebEngineLoadingInfo::LoadSucceededStatus:
        if (m_state == ViewerState::Loading)
            setState(stateOfFragment(m_page->url().fragment()).value_or(ViewerState::Connecting));
        break;
    case QWebEngineLoadingInfo::LoadFailedStatus:
        if (m_state != ViewerState::Failed) // a refused certificate already said why
            setState(ViewerState::Failed, loadFailure(info));
        break;
    }
}

void ViewerWidget::pageUrlChanged(const QUrl &url)
{
    if (!m_page->isViewerPage(url) || m_state == ViewerState::Failed)
        return;
    if (const auto state = stateOfFragment(url.fragment()))
        setState(*state);
}

void ViewerWidget::reportNotice(const ViewerNotice &notice)
{
    if (m_observer)
        m_observer->viewerNotice(notice);
    emit noticeRaised(notice);
}

bool ViewerWidget::event(QEvent *event)
{
    // The render widget WebEngine creates inside the view would otherwise take drops itself.
    if (event->type() == QEvent::ChildAdded)
        static_cast<QChildEvent *>(event)->child()->installEventFilter(this);
    else if (event->type() == QEvent::ChildPolished) // constructed by now: its own settings are made
        guardChild(static_cast<QChildEvent *>(event)->child());
    return QWebEngineView::event(event);
}

void ViewerWidget::guardChild(QObject *child)
{
    if (auto *widget = qobject_cast<QWidget *>(child))
        widget->setAcceptDrops(false);
}

bool ViewerWidget::eventFilter(QObject *watched, QEvent *event)
{
    if (isDragEvent(event)) {
        event->ignore();
        return true;
    }
    return QWebEngineView::eventFilter(watched, event);
}

// A file dropped on the view must never reach the page (nor navigate to file://).
void ViewerWidget::dragEnterEvent(QDragEnterEvent *event)
{
    event->ignore();
}

void ViewerWidget::dragMoveEvent(QDragMoveEvent *event)
{
    event->ignore();
}

void ViewerWidget::dragLeaveEvent(QDragLeaveEvent *event)
{
    event->ignore();
}

void ViewerWidget::dropEvent(QDropEvent *event)
{
    event->ignore();
}

} // namespace banata
