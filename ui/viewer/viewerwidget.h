// SPDX-License-Identifier: MIT
#pragma once

#include <QWebEngineView>

#include "ui/viewersurface.h"

QT_BEGIN_NAMESPACE
class QWebEngineLoadingInfo;
class QWebEngineProfile;
QT_END_NAMESPACE

namespace banata {

class ViewerPage;
class ViewerRequestInterceptor;

/**
 * The live-browser view: a web view with its own off-the-record profile showing banata-local's
 * viewer page (`embed=1`: the page hides its header, the app shows its controls). ViewerPage
 * decides what the page may do; this class shows it and turns load signals and the page's URL
 * fragment (`#connecting`, `#live`, `#disconnected`) into ViewerState for the observer. No
 * context menu, no drops.
 */
class ViewerWidget final : public QWebEngineView, public ViewerSurface
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ViewerWidget)

public:
    /// \a observer may be null (tests and benchmarks use the signals); it must outlive the widget.
    explicit ViewerWidget(ViewerSurfaceObserver *observer, QWidget *parent = nullptr);
    ~ViewerWidget() override;

    QWidget *widget() override;
    void open(const QUrl &viewerUrl) override;
    // The seam's name: hides QWidget::close() on this class only (through QWidget* it closes).
    void close() override;
    ViewerState state() const override { return m_state; }
    QSize cssViewportSize() const override;
    void focusPage() override;

    /// Why the state is what it is (Failed: the reason), translated; empty when there is nothing to say.
    QString stateDetail() const { return m_detail; }
    /// The URL last opened, with `embed=1` added.
    QUrl openedUrl() const { return m_openedUrl; }
    ViewerPage *viewerPage() const { return m_page; }
    QWebEngineProfile *profile() const { return m_profile; }

    /// \a viewerUrl with `embed=1` in its query and no fragment.
    static QUrl embeddedUrl(const QUrl &viewerUrl);

signals:
    /// The same reports the observer gets, for tests and benchmarks.
    void stateChanged(banata::ViewerState state, const QString &detail);
    void noticeRaised(const banata::ViewerNotice &notice);

protected:
    bool event(QEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dragMoveEvent(QDragMoveEvent *event) override;
    void dragLeaveEvent(QDragLeaveEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    void setState(ViewerState state, const QString &detail = {});
    void loadingChanged(const QWebEngineLoadingInfo &info);
    void pageUrlChanged(const QUrl &url);
    void reportNotice(const ViewerNotice &notice);
    void guardChild(QObject *child);

    ViewerSurfaceObserver *m_observer = nullptr;
    ViewerRequestInterceptor *m_interceptor = nullptr;
    QWebEngineProfile *m_profile = nullptr;
    ViewerPage *m_page = nullptr;
    ViewerState m_state = ViewerState::Empty;
    QString m_detail;
    QUrl m_openedUrl;
};

} // namespace banata
