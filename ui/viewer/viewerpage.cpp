// SPDX-License-Identifier: MIT
#include "viewerpage.h"

#include <QCoreApplication>
#include <QLoggingCategory>
#include <QWebEngineCertificateError>
#include <QWebEngineDownloadRequest>
#include <QWebEngineFileSystemAccessRequest>
#include <QWebEngineFullScreenRequest>
#include <QWebEngineProfile>
#include <QWebEngineQuotaRequest>
#include <QWebEngineRegisterProtocolHandlerRequest>

#include "viewerprofile.h"

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcViewerPage, "banata.ui.viewer.page")

namespace banata {

namespace {
constexpr qsizetype kMaxShownChars = 80;

QString shown(const QString &text)
{
    return text.size() <= kMaxShownChars ? text : text.left(kMaxShownChars - 1) + u'…';
}

QString shown(const QUrl &url)
{
    return shown(url.toDisplayString(QUrl::RemoveUserInfo));
}

bool isAboutBlank(const QUrl &url)
{
    return url.scheme() == u"about" && url.path() == u"blank";
}
} // namespace

ViewerPage::ViewerPage(QWebEngineProfile *profile, QObject *parent)
    : QWebEnginePage(profile, parent)
{
    connect(this, &QWebEnginePage::featurePermissionRequested, this, &ViewerPage::refusePermission);
    connect(this, &QWebEnginePage::certificateError, this, &ViewerPage::refuseCertificate);
    connect(this, &QWebEnginePage::renderProcessTerminated, this, &ViewerPage::rendererTerminated);
    connect(profile, &QWebEngineProfile::downloadRequested, this, &ViewerPage::refuseDownload);
    connect(this, &QWebEnginePage::fullScreenRequested, this,
            [](QWebEngineFullScreenRequest request) { request.reject(); });
    connect(this, &QWebEnginePage::registerProtocolHandlerRequested, this,
            [](QWebEngineRegisterProtocolHandlerRequest request) { request.reject(); });
    connect(this, &QWebEnginePage::quotaRequested, this,
            [](QWebEngineQuotaRequest request) { request.reject(); });
    connect(this, &QWebEnginePage::fileSystemAccessRequested, this,
            [this](QWebEngineFileSystemAccessRequest request) {
                request.reject();
                notify(ViewerNotice::Kind::FilePickerRefused,
                       tr("The viewer page asked for access to your files — refused."), request.filePath());
            });
}

ViewerPage::~ViewerPage() = default;

void ViewerPage::setAllowedUrl(const QUrl &viewerUrl)
{
    m_allowedUrl = viewerUrl;
    m_allowedOrigin = viewerOriginOf(viewerUrl);
    m_reported.clear();
}

bool ViewerPage::isViewerPage(const QUrl &url) const
{
    return !m_allowedOrigin.isEmpty() && (url.scheme() == u"http" || url.scheme() == u"https") &&
           viewerOriginOf(url) == m_allowedOrigin && url.path() == kViewerPath;
}

void ViewerPage::unload()
{
    setAllowedUrl({});
    load(QUrl(u"about:blank"_s));
}

void ViewerPage::reportBlockedRequest(const QUrl &url)
{
    notify(ViewerNotice::Kind::RequestBlocked,
           tr("The viewer page tried to reach %1 — blocked.").arg(shown(url)), url);
}

void ViewerPage::notify(ViewerNotice::Kind kind, const QString &text, const QUrl &url)
{
    const QString key = QString::number(int(kind)) + u'\n' + text + u'\n' + url.toString();
    if (m_reported.contains(key))
        return;
    m_reported.insert(key);
    qCInfo(lcViewerPage) << "refused:" << text;
    emit noticeRaised(ViewerNotice{kind, text, url});
}

bool ViewerPage::acceptNavigationRequest(const QUrl &url, NavigationType type, bool isMainFrame)
{
    if (isViewerPage(url))
        return true;
    // about:blank is what unload() shows; a page may not blank itself while it is the viewer.
    if (isAboutBlank(url) && (!isMainFrame || m_allowedUrl.isEmpty()))
        return true;
    qCDebug(lcViewerPage) << "navigation blocked" << type << isMainFrame << url;
    notify(ViewerNotice::Kind::NavigationBlocked,
           tr("The viewer page tried to leave the live browser for %1 — blocked.").arg(shown(url)), url);
    return false;
}

QWebEnginePage *ViewerPage::createWindow(WebWindowType type)
{
    qCDebug(lcViewerPage) << "window refused" << type;
    notify(ViewerNotice::Kind::PopupRefused, tr("The viewer page tried to open a window — refused."));
    return nullptr;
}

QStringList ViewerPage::chooseFiles(FileSelectionMode, const QStringList &, const QStringList &)
{
    notify(ViewerNotice::Kind::FilePickerRefused, tr("The viewer page asked you to pick a file — refused."));
    return {};
}

void ViewerPage::javaScriptAlert(const QUrl &, const QString &msg)
{
    notify(ViewerNotice::Kind::DialogSuppressed,
           tr("The viewer page tried to show a message (“%1”) — suppressed.").arg(shown(msg)));
}

bool ViewerPage::javaScriptConfirm(const QUrl &, const QString &msg)
{
    // Qt asks "leave this page?" (beforeunload) through here too: leaving is always allowed, so a
    // page can never keep the app from loading a fresh viewer URL or unloading it.
    if (msg == QCoreApplication::translate(
                   "QWebEnginePage",
                   "Are you sure you want to leave this page? Changes that you made may not be saved."))
        return true;
    notify(ViewerNotice::Kind::DialogSuppressed,
           tr("The viewer page tried to ask a question (“%1”) — suppressed.").arg(shown(msg)));
    return false;
}

bool ViewerPage::javaScriptPrompt(const QUrl &, const QString &msg, const QString &, QString *)
{
    notify(ViewerNotice::Kind::DialogSuppressed,
           tr("The viewer page tried to ask for input (“%1”) — suppressed.").arg(shown(msg)));
    return false;
}

void ViewerPage::javaScriptConsoleMessage(JavaScriptConsoleMessageLevel level, const QString &message,
                                          int lineNumber, const QString &sourceID)
{
    qCDebug(lcViewerPage).nospace() << "console " << level << ' ' << sourceID << ':' << lineNumber << ' '
                                    << message;
}

void ViewerPage::refusePermission(const QUrl &origin, Feature feature)
{
    setFeaturePermission(origin, feature, PermissionDeniedByUser);
    QString text;
    switch (feature) {
    case Geolocation:
        text = tr("The viewer page asked for your location — refused.");
        break;
    case MediaAudioCapture:
        text = tr("The viewer page asked for your microphone — refused.");
        break;
    case MediaVideoCapture:
        text = tr("The viewer page asked for your camera — refused.");
        break;
    case MediaAudioVideoCapture:
        text = tr("The viewer page asked for your camera and microphone — refused.");
        break;
    case Notifications:
        text = tr("The viewer page asked to show notifications — refused.");
        break;
    case MouseLock:
        text = tr("The viewer page asked to lock the mouse pointer — refused.");
        break;
    case DesktopVideoCapture:
    case DesktopAudioVideoCapture:
        text = tr("The viewer page asked to share your screen — refused.");
        break;
    }
    if (text.isEmpty())
        text = tr("The viewer page asked for a permission — refused.");
    notify(ViewerNotice::Kind::PermissionRefused, text, origin);
}

void ViewerPage::refuseCertificate(const QWebEngineCertificateError &error)
{
    QWebEngineCertificateError refused = error; // shares the request: rejecting the copy rejects it
    refused.rejectCertificate();
    qCWarning(lcViewerPage) << "certificate refused" << error.url().toDisplayString(QUrl::RemoveQuery)
                            << error.type() << error.description();
    const QString text =
        tr("The viewer's certificate is not valid (%1) — not loaded.").arg(error.description());
    notify(ViewerNotice::Kind::CertificateError, text, error.url());
    emit failed(text);
}

void ViewerPage::refuseDownload(QWebEngineDownloadRequest *download)
{
    const QUrl url = download->url();
    download->cancel();
    const QString name =
        download->suggestedFileName().isEmpty() ? shown(url) : shown(download->suggestedFileName());
    notify(ViewerNotice::Kind::DownloadRefused,
           tr("The viewer page tried to download %1 — refused.").arg(name), url);
}

void ViewerPage::rendererTerminated(RenderProcessTerminationStatus status, int exitCode)
{
    qCWarning(lcViewerPage) << "renderer terminated" << status << exitCode;
    if (m_allowedUrl.isEmpty() && status == NormalTerminationStatus)
        return;
    switch (status) {
    case NormalTerminationStatus:
        emit failed(tr("The viewer page's renderer exited."));
        break;
    case AbnormalTerminationStatus:
        emit failed(tr("The viewer page's renderer exited abnormally (code %1).").arg(exitCode));
        break;
    case CrashedTerminationStatus:
        emit failed(tr("The viewer page's renderer crashed."));
        break;
    case KilledTerminationStatus:
        emit failed(tr("The viewer page's renderer was killed."));
        break;
    }
}

} // namespace banata
