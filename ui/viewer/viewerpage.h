// SPDX-License-Identifier: MIT
#pragma once

#include <QSet>
#include <QUrl>
#include <QWebEnginePage>

#include "ui/viewersurface.h"

QT_BEGIN_NAMESPACE
class QWebEngineCertificateError;
class QWebEngineDownloadRequest;
QT_END_NAMESPACE

namespace banata {

/**
 * The policy of a viewer surface (the view only shows): the page may be the viewer page of one
 * origin and nothing else. Navigations away, popups, permissions, file pickers, downloads,
 * JavaScript dialogs, full screen and protocol handlers are all refused with a notice;
 * certificate errors are never accepted. No web channel or other bridge into the app exists.
 * Usage: setAllowedUrl(viewerUrl), then load(viewerUrl); unload() to show nothing.
 */
class ViewerPage final : public QWebEnginePage
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ViewerPage)

public:
    /// The only path a viewer surface may show.
    static constexpr QStringView kViewerPath = u"/v1/viewer";

    /// \a profile must outlive the page (createViewerProfile).
    explicit ViewerPage(QWebEngineProfile *profile, QObject *parent = nullptr);
    ~ViewerPage() override;

    /// From now on only the viewer page of \a viewerUrl's origin may be shown; notices are
    /// reported afresh. An empty URL allows nothing but about:blank.
    void setAllowedUrl(const QUrl &viewerUrl);
    QUrl allowedUrl() const { return m_allowedUrl; }
    /// True when \a url is the allowed viewer page (any query or fragment).
    bool isViewerPage(const QUrl &url) const;
    /// Shows about:blank and allows nothing else (the page's socket closes).
    void unload();
    /// Raises the notice for a request the profile's interceptor blocked.
    void reportBlockedRequest(const QUrl &url);

signals:
    /// Something was refused; each distinct notice once per setAllowedUrl().
    void noticeRaised(const banata::ViewerNotice &notice);
    /// The page cannot be shown (certificate refused, renderer gone); \a detail is translated.
    void failed(const QString &detail);

protected:
    bool acceptNavigationRequest(const QUrl &url, NavigationType type, bool isMainFrame) override;
    QWebEnginePage *createWindow(WebWindowType type) override;
    QStringList chooseFiles(FileSelectionMode mode, const QStringList &oldFiles,
                            const QStringList &acceptedMimeTypes) override;
    void javaScriptAlert(const QUrl &securityOrigin, const QString &msg) override;
    bool javaScriptConfirm(const QUrl &securityOrigin, const QString &msg) override;
    bool javaScriptPrompt(const QUrl &securityOrigin, const QString &msg, const QString &defaultValue,
                          QString *result) override;
    void javaScriptConsoleMessage(JavaScriptConsoleMessageLevel level, const QString &message, int lineNumber,
                                  const QString &sourceID) override;

private:
    void notify(ViewerNotice::Kind kind, const QString &text, const QUrl &url = {});
    void refusePermission(const QUrl &origin, Feature feature);
    void refuseCertificate(const QWebEngineCertificateError &error);
    void refuseDownload(QWebEngineDownloadRequest *download);
    void rendererTerminated(RenderProcessTerminationStatus status, int exitCode);

    QUrl m_allowedUrl;
    QString m_allowedOrigin;
    QSet<QString> m_reported;
};

} // namespace banata
