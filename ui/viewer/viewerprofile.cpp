// SPDX-License-Identifier: MIT
#include "viewerprofile.h"

#include <QLoggingCategory>
#include <QWebEngineProfile>
#include <QWebEngineSettings>
#include <QWebEngineUrlRequestInfo>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcViewerProfile, "banata.ui.viewer.profile")

namespace banata {

namespace {
// A hostile page could request endless distinct URLs; past this many the reports stop.
constexpr qsizetype kMaxReported = 200;

QString normalScheme(const QString &scheme)
{
    const QString lower = scheme.toLower();
    if (lower == u"ws")
        return u"http"_s;
    if (lower == u"wss")
        return u"https"_s;
    return lower;
}

int defaultPort(const QString &scheme)
{
    return scheme == u"https" ? 443 : scheme == u"http" ? 80 : -1;
}
} // namespace

QString viewerOriginOf(const QUrl &url)
{
    if (!url.isValid() || url.host().isEmpty())
        return {};
    const QString scheme = normalScheme(url.scheme());
    return u"%1://%2:%3"_s.arg(scheme, url.host().toLower()).arg(url.port(defaultPort(scheme)));
}

ViewerRequestInterceptor::ViewerRequestInterceptor(QObject *parent)
    : QWebEngineUrlRequestInterceptor(parent)
{}

ViewerRequestInterceptor::~ViewerRequestInterceptor() = default;

void ViewerRequestInterceptor::setAllowedOrigin(const QUrl &url)
{
    m_origin = viewerOriginOf(url);
    m_reported.clear();
}

bool ViewerRequestInterceptor::allows(const QUrl &url) const
{
    if (url.scheme() == u"about" && url.path() == u"blank")
        return true;
    // blob: URLs carry their creator's origin inside ("blob:http://host:port/uuid").
    const QUrl effective = url.scheme() == u"blob" ? QUrl(url.path()) : url;
    const QString origin = viewerOriginOf(effective);
    return !origin.isEmpty() && origin == m_origin;
}

void ViewerRequestInterceptor::interceptRequest(QWebEngineUrlRequestInfo &info)
{
    // Qt 6 calls this on the GUI thread, before the request reaches the network.
    const QUrl url = info.requestUrl();
    if (allows(url))
        return;
    info.block(true);
    qCDebug(lcViewerProfile) << "blocked" << info.resourceType() << url;
    if (m_reported.contains(url) || m_reported.size() >= kMaxReported)
        return;
    m_reported.insert(url);
    emit requestBlocked(url);
}

QWebEngineProfile *createViewerProfile(ViewerRequestInterceptor *interceptor, QObject *parent)
{
    auto *profile = new QWebEngineProfile(parent); // no storage name: off the record
    profile->setPersistentCookiesPolicy(QWebEngineProfile::NoPersistentCookies);
    profile->setHttpCacheType(QWebEngineProfile::MemoryHttpCache);
    profile->setSpellCheckEnabled(false);
    profile->setUrlRequestInterceptor(interceptor);

    // The viewer page needs scripts, a canvas and one socket; everything else is off, so a page
    // that is not ours (or ours, subverted) can reach neither the operator's machine nor the web.
    QWebEngineSettings *settings = profile->settings();
    using S = QWebEngineSettings;
    for (const S::WebAttribute off : {S::JavascriptCanOpenWindows,
                                      S::JavascriptCanAccessClipboard,
                                      S::JavascriptCanPaste,
                                      S::LocalContentCanAccessRemoteUrls,
                                      S::LocalContentCanAccessFileUrls,
                                      S::LocalStorageEnabled,
                                      S::PluginsEnabled,
                                      S::PdfViewerEnabled,
                                      S::ScreenCaptureEnabled,
                                      S::FullScreenSupportEnabled,
                                      S::AllowGeolocationOnInsecureOrigins,
                                      S::AllowWindowActivationFromJavaScript,
                                      S::AllowRunningInsecureContent,
                                      S::NavigateOnDropEnabled,
                                      S::DnsPrefetchEnabled,
                                      S::HyperlinkAuditingEnabled,
                                      S::AutoLoadIconsForPage,
                                      S::TouchIconsEnabled,
                                      S::WebGLEnabled,
                                      S::ErrorPageEnabled,
                                      S::SpatialNavigationEnabled})
        settings->setAttribute(off, false);
    for (const S::WebAttribute on :
         {S::JavascriptEnabled, S::WebRTCPublicInterfacesOnly, S::PlaybackRequiresUserGesture})
        settings->setAttribute(on, true);
    settings->setUnknownUrlSchemePolicy(S::DisallowUnknownUrlSchemes);
    return profile;
}

} // namespace banata
