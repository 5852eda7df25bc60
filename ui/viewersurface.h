// SPDX-License-Identifier: MIT
#pragma once

// The seam between the app and the live-browser view. Qt WebEngine lives in a plugin
// (ui/viewer/, loaded by ViewerSurfaceLoader the first time a Browser tab opens), so the app
// starts and runs without mapping it; this header is all the two sides share. It uses Qt only:
// the plugin links none of the app's libraries, so no type of ours is ever duplicated across
// the boundary. Calls go through plain virtual functions, never signals.

#include <QString>
#include <QUrl>
#include <QtPlugin>

QT_BEGIN_NAMESPACE
class QWidget;
QT_END_NAMESPACE

namespace banata {

/// Where the viewer page stands, as the page reports it through its URL fragment
/// (`#connecting`, `#live`, `#disconnected`; resources/viewer/viewer.js) and as loading went.
enum class ViewerState
{
    Empty,        ///< nothing loaded
    Loading,      ///< the page is loading
    Connecting,   ///< the page loaded and opens its socket
    Live,         ///< the first frame of the remote page has been drawn
    Disconnected, ///< the page's socket closed: load a fresh viewer URL to go on
    Failed,       ///< the page could not be loaded (detail says why), or its renderer died
};

/// Something the view's policy refused or wants the operator to know, shown inline above it.
struct ViewerNotice
{
    enum class Kind
    {
        PermissionRefused, ///< geolocation, camera, microphone, notifications, …
        PopupRefused,      ///< window.open / target=_blank
        NavigationBlocked, ///< the top frame tried to leave the viewer page
        RequestBlocked,    ///< a subresource outside the viewer's origin
        DownloadRefused,
        FilePickerRefused,
        CertificateError, ///< never accepted; the load fails
        DialogSuppressed, ///< alert/confirm/prompt from the page
    };
    Kind kind = Kind::PermissionRefused;
    QString text; ///< translated, ready to show ("The page asked for your location — refused.")
    QUrl url;     ///< what it concerned, when there is one
};

/// Receives what a ViewerSurface reports. Called on the GUI thread.
class ViewerSurfaceObserver
{
public:
    virtual ~ViewerSurfaceObserver() = default;
    virtual void viewerStateChanged(ViewerState state, const QString &detail) = 0;
    virtual void viewerNotice(const ViewerNotice &notice) = 0;

protected:
    ViewerSurfaceObserver() = default;
    Q_DISABLE_COPY_MOVE(ViewerSurfaceObserver)
};

/**
 * One sandbox's live-browser view: a web view in its own off-the-record profile that may show
 * only the viewer page of the URL it was opened with (same origin, path `/v1/viewer`), with no
 * bridge into the app, every permission, popup, download and file picker refused, certificate
 * errors reported and never accepted.
 */
class ViewerSurface
{
public:
    virtual ~ViewerSurface() = default;

    /// The view; deleting it deletes the surface (the surface is the widget).
    virtual QWidget *widget() = 0;
    /// Loads \a viewerUrl (`…/v1/viewer?token=…`); from then on only that origin's viewer page is
    /// allowed. A new URL of the same origin (a fresh token) replaces the old one.
    virtual void open(const QUrl &viewerUrl) = 0;
    /// Unloads the page (its socket closes).
    virtual void close() = 0;
    virtual ViewerState state() const = 0;
    /// The size in CSS pixels the remote page is shown at without scaling ("fit to view").
    virtual QSize cssViewportSize() const = 0;
    /// Gives the keyboard focus to the page, so typing goes to the remote browser.
    virtual void focusPage() = 0;

protected:
    ViewerSurface() = default;
    Q_DISABLE_COPY_MOVE(ViewerSurface)
};

/// What the plugin exports.
class ViewerSurfaceFactory
{
public:
    virtual ~ViewerSurfaceFactory() = default;
    /// A new surface with its own off-the-record profile, reporting to \a observer (which must
    /// outlive it or be cleared by deleting the surface first), as a child of \a parent.
    virtual ViewerSurface *createSurface(ViewerSurfaceObserver *observer, QWidget *parent) = 0;

protected:
    ViewerSurfaceFactory() = default;
    Q_DISABLE_COPY_MOVE(ViewerSurfaceFactory)
};

} // namespace banata

#define BanataViewerSurfaceFactory_iid "dev.banata.operator.ViewerSurfaceFactory/1"
Q_DECLARE_INTERFACE(banata::ViewerSurfaceFactory, BanataViewerSurfaceFactory_iid)
