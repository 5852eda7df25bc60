// SPDX-License-Identifier: MIT
#pragma once

#include <QSet>
#include <QString>
#include <QUrl>
#include <QWebEngineUrlRequestInterceptor>

QT_BEGIN_NAMESPACE
class QWebEngineProfile;
QT_END_NAMESPACE

namespace banata {

/// The origin of \a url as `scheme://host:port`, with ws/wss counted as http/https (the viewer's
/// socket belongs to the page's origin); empty for URLs without a host.
QString viewerOriginOf(const QUrl &url);

/**
 * The network side of a viewer surface's policy: every request its page makes (documents,
 * scripts, images, fetches, sockets) goes only to the origin of the viewer URL it was opened
 * with; everything else is blocked before it reaches the network and reported once per URL.
 * Usage: install on the surface's own profile (createViewerProfile), call setAllowedOrigin()
 * before loading, show requestBlocked.
 */
class ViewerRequestInterceptor final : public QWebEngineUrlRequestInterceptor
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ViewerRequestInterceptor)

public:
    explicit ViewerRequestInterceptor(QObject *parent = nullptr);
    ~ViewerRequestInterceptor() override;

    /// From now on only the origin of \a url is reachable (nothing when it is empty), and blocked
    /// URLs are reported afresh.
    void setAllowedOrigin(const QUrl &url);
    QString allowedOrigin() const { return m_origin; }

    void interceptRequest(QWebEngineUrlRequestInfo &info) override;

signals:
    /// A request to \a url was blocked; emitted once per URL until the next setAllowedOrigin().
    void requestBlocked(const QUrl &url);

private:
    bool allows(const QUrl &url) const;

    QString m_origin;
    QSet<QUrl> m_reported;
};

/// A new off-the-record profile (nothing on disk) for one viewer surface: no persistent cookies,
/// memory cache, no spellcheck, the viewer's locked-down settings, and \a interceptor installed.
/// Delete it only after every page using it.
QWebEngineProfile *createViewerProfile(ViewerRequestInterceptor *interceptor, QObject *parent = nullptr);

} // namespace banata
